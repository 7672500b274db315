/* Links between a cluster and another resource: memberships of companies (ended, not
   deleted: the history stays) and cluster partners. Each is listed under both sides as a
   resource with a parent, and written by PUT and DELETE on /v1/clusters/{id}/<link>/{other};
   each is also listed whole, for syncing (/v1/memberships, /v1/cluster-partners). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codelists.h"
#include "db.h"
#include "engine.h"
#include "handlers.h"
#include "http.h"
#include "mem.h"
#include "negotiate.h"
#include "resource.h"
#include "validate.h"

static const char *const STATUS_VALUES[] = {"current", "all", NULL};
static const char *const STATUS_SQL[] = {"t.left_on IS NULL", "true", NULL};

/* A membership's fields: its ids, then (nested lists) a summary of the other end, then its
   own columns. The whole table for syncing has no summary (no subquery per row) and may be
   walked by updated_at. */
#define LINK_ID(name) \
  { name, F_UUID, .readonly = true }
#define MEMBERSHIP_IDS LINK_ID("id"), LINK_ID("cluster_id"), LINK_ID("company_id")
#define MEMBERSHIP_ROW(sort_updated)                                              \
  {"role", F_ENUM, .values = codelist_membership_role},                           \
    {"college", F_ENUM, .nullable = true, .values = codelist_membership_college}, \
    {"joined_on", F_DATE, .nullable = true, .sort = true, .sticky = true},        \
    {"left_on", F_DATE, .readonly = true}, {"version", F_INT, .readonly = true},  \
    {"created_at", F_TIMESTAMP, .readonly = true, .sort = true},                  \
    {"updated_at", F_TIMESTAMP, .readonly = true, .sort = (sort_updated)}, {      \
    NULL                                                                          \
  }

static const struct field cluster_member_fields[] = {
  MEMBERSHIP_IDS,
  {"company", F_OBJECT,
   .expr = "SELECT json_build_object('id', co.id, 'name', co.name, 'siret', co.siret, 'size', "
           "co.size, 'employees', co.employees) FROM companies co WHERE co.id = t.company_id"},
  MEMBERSHIP_ROW(false),
};

static const struct field company_cluster_fields[] = {
  MEMBERSHIP_IDS,
  {"cluster", F_OBJECT,
   .expr = "SELECT json_build_object('id', cl.id, 'name', cl.name, 'acronym', cl.acronym, 'kind', "
           "cl.kind) FROM clusters cl WHERE cl.id = t.cluster_id"},
  MEMBERSHIP_ROW(false),
};

static const struct field membership_table_fields[] = {MEMBERSHIP_IDS, MEMBERSHIP_ROW(true)};

static const struct filter membership_filters[] = {
  {"status", V_CHOICE, NULL, .values = STATUS_VALUES, .choice_sql = STATUS_SQL, .dflt = "current"},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {NULL},
};

static const struct filter cluster_partner_filters[] = {
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {NULL},
};

/* The whole tables' filters: the nested lists' and both ends of the link. */
#define CLUSTER_FILTER \
  { "cluster", V_IN, "t.cluster_id = $1", .type = "uuid", .check = C_UUID }
static const struct filter membership_table_filters[] = {
  CLUSTER_FILTER,
  {"company", V_IN, "t.company_id = $1", .type = "uuid", .check = C_UUID},
  {"status", V_CHOICE, NULL, .values = STATUS_VALUES, .choice_sql = STATUS_SQL, .dflt = "current"},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {NULL},
};

static const struct filter cluster_partner_table_filters[] = {
  CLUSTER_FILTER,
  {"partner", V_IN, "t.partner_id = $1", .type = "uuid", .check = C_UUID},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {NULL},
};

static const struct parent of_cluster = {
  "t.cluster_id = $1::uuid", "SELECT 1 FROM clusters WHERE id = $1::uuid", "cluster", NULL};
static const struct parent of_company = {
  "t.company_id = $1::uuid", "SELECT 1 FROM companies WHERE id = $1::uuid", "company", NULL};

static int public_read(const struct principal *who, enum op op, const char *id) {
  (void)who, (void)op, (void)id;
  return 0; /* lists only; writes go through link_put and link_delete */
}

struct resource resource_cluster_members = {
  .name = "cluster_members",
  .item = "membership",
  .table = "memberships",
  .path = "/v1/clusters",
  .key = "id",
  .key_is_uuid = true,
  .fields = cluster_member_fields,
  .filters = membership_filters,
  .default_sort = "created_at",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = public_read,
  .parent = &of_cluster,
};

struct resource resource_company_clusters = {
  .name = "company_clusters",
  .item = "membership",
  .table = "memberships",
  .path = "/v1/companies",
  .key = "id",
  .key_is_uuid = true,
  .fields = company_cluster_fields,
  .filters = membership_filters,
  .default_sort = "created_at",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = public_read,
  .parent = &of_company,
};

#define CLUSTER_PARTNER_IDS LINK_ID("id"), LINK_ID("cluster_id"), LINK_ID("partner_id")
#define CLUSTER_PARTNER_ROW(sort_updated)                                                    \
  {"role", F_ENUM, .values = codelist_cluster_partner_role},                                 \
    {"since", F_DATE, .nullable = true, .sort = true}, {"version", F_INT, .readonly = true}, \
    {"created_at", F_TIMESTAMP, .readonly = true, .sort = true},                             \
    {"updated_at", F_TIMESTAMP, .readonly = true, .sort = (sort_updated)}, {                 \
    NULL                                                                                     \
  }

static const struct field cluster_partner_fields[] = {
  CLUSTER_PARTNER_IDS,
  {"partner", F_OBJECT,
   .expr = "SELECT json_build_object('id', p.id, 'name', p.name, 'kind', p.kind) "
           "FROM partners p WHERE p.id = t.partner_id"},
  CLUSTER_PARTNER_ROW(false),
};

static const struct field cluster_partner_table_fields[] = {CLUSTER_PARTNER_IDS,
                                                            CLUSTER_PARTNER_ROW(true)};

struct resource resource_cluster_partners = {
  .name = "cluster_partners",
  .item = "cluster partner",
  .table = "cluster_partners",
  .path = "/v1/clusters",
  .key = "id",
  .key_is_uuid = true,
  .fields = cluster_partner_fields,
  .filters = cluster_partner_filters,
  .default_sort = "created_at",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = public_read,
  .parent = &of_cluster,
};

/* The whole tables, for syncing: readers and admins read every row, a manager the rows of
   its clusters (scope_sql; cluster= naming another is 403), anonymous callers none (401),
   although the nested lists are public: a table of every company's memberships is not. */
struct resource resource_membership_table = {
  .name = "membership_table",
  .item = "membership",
  .table = "memberships",
  .path = "/v1/memberships",
  .key = "id",
  .key_is_uuid = true,
  .fields = membership_table_fields,
  .filters = membership_table_filters,
  .default_sort = "created_at",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = res_authorize_scoped_read,
  .scope_sql = "t.cluster_id = ANY($1::uuid[])",
  .scope_param = "cluster",
  .since_sort = "updated_at",
  .row_pure = true,
};

struct resource resource_cluster_partner_table = {
  .name = "cluster_partner_table",
  .item = "cluster partner",
  .table = "cluster_partners",
  .path = "/v1/cluster-partners",
  .key = "id",
  .key_is_uuid = true,
  .fields = cluster_partner_table_fields,
  .filters = cluster_partner_table_filters,
  .default_sort = "created_at",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = res_authorize_scoped_read,
  .scope_sql = "t.cluster_id = ANY($1::uuid[])",
  .scope_param = "cluster",
  .since_sort = "updated_at",
  .row_pure = true,
};

/* How each link is stored. The other end is a row (a company, a partner) or a value (the
   year of a cluster's indicators). */
struct link {
  const struct resource *res;
  const char *other_col;                  /* company_id */
  const char *other_type;                 /* its SQL type: uuid, integer */
  bool (*other_valid)(const char *value); /* a well-formed path segment (else 404) */
  const char *other_exists; /* SELECT 1 FROM companies WHERE id = $1; NULL: any valid value */
  const char *other_item;   /* "company" */
  const char *current;      /* condition of the live link */
  const char *conflict;     /* ON CONFLICT target of the live link */
  const char *end_sql;      /* ends the link with id $1 */
  const char *what;         /* "links", "indicators": messages */
  const char *none;         /* 404 of a DELETE without a live link */
};

static bool other_uuid(const char *v) { return uuid_valid(v); }
static bool other_year(const char *v) { /* an integer; its range is checked as a field */
  size_t n = strlen(v);
  return n >= 1 && n <= 9 && strspn(v, "0123456789") == n;
}

static const struct link links[] = {
  {&resource_cluster_members, "company_id", "uuid", other_uuid,
   "SELECT 1 FROM companies WHERE id = $1::uuid", "company", " AND t.left_on IS NULL",
   "(cluster_id, company_id) WHERE left_on IS NULL",
   "UPDATE memberships SET left_on = greatest(current_date, coalesce(joined_on, current_date)) WHERE id = $1::uuid",
   "members", "This company is not a current member of this cluster."},
  {&resource_cluster_partners, "partner_id", "uuid", other_uuid,
   "SELECT 1 FROM partners WHERE id = $1::uuid", "partner", "", "(cluster_id, partner_id)",
   "DELETE FROM cluster_partners WHERE id = $1::uuid", "partners",
   "This partner is not linked to this cluster."},
  {&resource_indicators, "year", "integer", other_year, NULL, "indicator year", "",
   "(cluster_id, year)", "DELETE FROM indicators WHERE id = $1::uuid", "indicators",
   "This cluster has declared no indicators for this year."},
};

static const struct link *link_of(const struct resource *r) {
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (links[i].res == r) return &links[i];
  return NULL;
}

/* Checks the caller, the ids and the two ends; answers and returns false when it stops. */
static bool link_prelude(struct ctx *c, const struct link *l, struct dbconn **db) {
  if (!ctx_allow_params(c, NULL, NULL) || !ctx_auth(c)) return false;
  if (c->who.role != ROLE_ADMIN && !http_principal_manages(&c->who, c->params[0])) {
    char detail[96];
    snprintf(detail, sizeof detail, "Only an admin or a manager of this cluster may change its %s.",
             l->what);
    return ctx_deny(c, c->who.role == ROLE_ANONYMOUS ? 401 : 403, detail);
  }
  if (!uuid_valid(c->params[0]) || !l->other_valid(c->params[1])) {
    http_problem(c, 404, "not_found", NULL, "No such %s.",
                 uuid_valid(c->params[0]) ? l->other_item : "cluster");
    return false;
  }
  if (!fmt_negotiate(ctx_header(c, "Accept"), NULL, FMT_JSON)) {
    http_problem(c, 406, "not_acceptable", NULL, "Links are available as application/json only.");
    return false;
  }
  *db = ctx_db(c);
  if (!*db) return false;
  const char *sqls[] = {"SELECT 1 FROM clusters WHERE id = $1::uuid", l->other_exists};
  const char *items[] = {"cluster", l->other_item};
  for (int i = 0; i < 2 && sqls[i]; i++) {
    const char *params[] = {c->params[i]};
    PGresult *r = db_exec(*db, sqls[i], 1, params);
    if (!r) {
      http_problem_db(c);
      return false;
    }
    bool found = PQntuples(r) > 0;
    PQclear(r);
    if (!found) {
      http_problem(c, 404, "not_found", NULL, "No %s with this id.", items[i]);
      return false;
    }
  }
  return true;
}

/* Locks the live link; NULL after answering (If-Match failed), else a result with 0 or 1
   row of (id, representation). */
static PGresult *lock_link(struct ctx *c, const struct link *l, struct dbconn *db) {
  struct buf sql;
  buf_init(&sql);
  buf_addf(
    &sql,
    "SELECT t.id::text, %s FROM %s t WHERE t.cluster_id = $1::uuid AND t.%s = $2::%s%s FOR UPDATE OF t",
    l->res->sql_cols, l->res->table, l->other_col, l->other_type, l->current);
  const char *params[] = {c->params[0], c->params[1]};
  PGresult *r = db_exec(db, sql.data, 2, params);
  buf_free(&sql);
  if (!r) {
    http_problem_db(c);
    return NULL;
  }
  const char *im = ctx_header(c, "If-Match");
  if (!im) return r;
  char etag[40];
  bool exists = PQntuples(r) > 0;
  if (exists && res_if_match(c, l->res, r, etag)) return r;
  PQclear(r);
  http_problem(c, 412, "precondition_failed", NULL,
               exists ? "The link changed since you read it; read it again."
                      : "If-Match names a version, but there is no such link.");
  return NULL;
}

/* PUT: creates the link (201) or replaces its fields (200); idempotent. An absent field
   takes its column default, except a sticky one, which keeps its value. */
void link_put(struct ctx *c) {
  const struct link *l = link_of(c->res);
  struct dbconn *db = NULL;
  if (!l || !link_prelude(c, l, &db)) return;
  json_t *body = NULL;
  if (c->req->binary_body_length > 0) {
    if (!ctx_read_json(c, false)) return;
    body = c->body;
  }
  struct verrors e = {0};
  json_t *empty = json_object();
  json_t *obj = schema_validate(l->res->fields, body ? body : empty, true, &e);
  if (obj && l->res->normalize) l->res->normalize(obj, body ? body : empty, &e);
  if (obj && l->res->check_path) l->res->check_path(c->params[1], &e);
  json_decref(empty);
  if (!obj || e.items) {
    json_decref(obj);
    res_respond_invalid(c, &e);
    return;
  }

  PGresult *cur = NULL, *res = NULL;
  for (int attempt = 0; attempt < 2 && !c->status; attempt++) {
    if (!db_begin(db)) {
      http_problem_db(c);
      break;
    }
    cur = lock_link(c, l, db);
    if (!cur) {
      db_rollback(db);
      break;
    }
    bool exists = PQntuples(cur) > 0;
    struct sqlb q, vals; /* an INSERT's values are written in vals, bound in q */
    sqlb_init(&q);
    sqlb_init(&vals);
    if (exists) {
      sqlb_addf(&q, "UPDATE %s t SET version = version", l->res->table);
    } else {
      sqlb_addf(&q, "INSERT INTO %s AS t (cluster_id, %s", l->res->table, l->other_col);
      sqlb_ref(&vals, sqlb_bind_copy(&q, c->params[0]), "uuid");
      sqlb_add(&vals, ", ");
      sqlb_ref(&vals, sqlb_bind_copy(&q, c->params[1]), l->other_type);
    }
    for (const struct field *f = l->res->fields; f->name; f++) {
      json_t *v = json_object_get(obj, f->name);
      if (f->readonly || f->expr || (!v && (f->sticky || !exists))) continue;
      if (!v) { /* replaced by its default */
        sqlb_addf(&q, ", %s = DEFAULT", f->name);
        continue;
      }
      int n = sqlb_bind(&q, res_param_text(f, v));
      sqlb_addf(&q, exists ? ", %s = " : ", %s", f->name);
      if (!exists) sqlb_add(&vals, ", ");
      plan_value(exists ? &q : &vals, f, n);
    }
    if (exists) {
      sqlb_add(&q, " WHERE t.id = ");
      sqlb_param(&q, xstrdup(PQgetvalue(cur, 0, 0)), "uuid");
      sqlb_add(&q, " RETURNING t.id::text");
    } else {
      sqlb_addf(&q, ") VALUES (%s) ON CONFLICT %s DO NOTHING RETURNING t.id::text", vals.text.data,
                l->conflict);
    }
    PGresult *w = run_plan(db, &q);
    sqlb_free(&vals);
    PQclear(cur);
    cur = NULL;
    if (!w) {
      http_problem_db(c);
      db_rollback(db);
      break;
    }
    if (PQntuples(w) == 0) { /* created by a concurrent PUT: go round and update it */
      PQclear(w);
      db_rollback(db);
      continue;
    }
    const char *params[] = {PQgetvalue(w, 0, 0)};
    res = db_exec(db, l->res->sql_item, 1, params);
    PQclear(w);
    if (!run_commit(c, db, res)) break;
    res_respond_rep(c, exists ? 200 : 201, l->res, res);
  }
  if (!c->status) http_problem(c, 409, "conflict", NULL, "Concurrent changes to this link; retry.");
  PQclear(res);
  json_decref(obj);
}

/* DELETE: ends the membership (left_on) or removes the partner link; 404 when none. */
void link_delete(struct ctx *c) {
  const struct link *l = link_of(c->res);
  struct dbconn *db = NULL;
  if (!l || !link_prelude(c, l, &db)) return;
  if (!db_begin(db)) {
    http_problem_db(c);
    return;
  }
  PGresult *cur = lock_link(c, l, db);
  if (!cur) {
    db_rollback(db);
    return;
  }
  if (PQntuples(cur) == 0) {
    PQclear(cur);
    db_rollback(db);
    http_problem(c, 404, "not_found", NULL, "%s", l->none);
    return;
  }
  const char *params[] = {PQgetvalue(cur, 0, 0)};
  PGresult *r = db_exec(db, l->end_sql, 1, params);
  PQclear(cur);
  if (run_commit(c, db, r)) http_respond_empty(c, 204);
  PQclear(r);
}
