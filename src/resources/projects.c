/* Cooperation projects: participants and funding lines are arrays of the project; the
   lifecycle is guarded by a trigger (409 naming the allowed transitions). A cluster listed by
   a writer who does not manage it is an invitation until it accepts
   (PUT /v1/projects/{id}/clusters/{cluster_id}); DELETE there declines or withdraws it. */
#include <libpq-fe.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codelists.h"
#include "db.h"
#include "engine.h"
#include "handlers.h"
#include "http.h"
#include "negotiate.h"
#include "resource.h"
#include "validate.h"

static const struct field company_role_fields[] = {
  {"company_id", F_UUID, .required = true,
   .ref_sql = "SELECT 1 FROM companies WHERE id = $1::uuid"},
  {"role", F_ENUM, .required = true, .values = codelist_project_company_role},
  {NULL},
};

static const struct field partner_role_fields[] = {
  {"partner_id", F_UUID, .required = true, .ref_sql = "SELECT 1 FROM partners WHERE id = $1::uuid"},
  {"role", F_ENUM, .required = true, .values = codelist_cluster_partner_role},
  {NULL},
};

static const struct field funding_fields[] = {
  {"source", F_ENUM, .required = true, .values = codelist_funding_line_source},
  {"program", F_TEXT, .nullable = true, .max = 200},
  {"amount_eur", F_DECIMAL, .required = true, .decimals = 2, .has_range = true, .min = 0,
   .max_num = 1e12},
  {"status", F_ENUM, .required = true, .values = codelist_funding_line_status},
  {NULL},
};

#define FUNDING_SUM(cond)                                                                         \
  "coalesce((SELECT sum((f->>'amount_eur')::numeric) FROM jsonb_array_elements(t.funding) f" cond \
  "), 0)"

static const struct field project_fields[] = {
  {"id", F_UUID, .readonly = true},
  {"title", F_TEXT, .required = true, .max = 200, .sort = true},
  {"summary", F_TEXT, .nullable = true, .max = 10000},
  {"category", F_ENUM, .required = true, .values = codelist_project_category},
  {"status", F_ENUM, .values = codelist_project_status},
  {"lead_cluster_id", F_UUID, .required = true,
   .ref_sql = "SELECT 1 FROM clusters WHERE id = $1::uuid"},
  {"cluster_ids", F_CODE_ARRAY, .max = 100, .check = C_UUID,
   .ref_sql = "SELECT 1 FROM clusters WHERE id = $1::uuid"},
  /* the listed clusters that have not accepted yet (migration 0016) */
  {"cluster_invitations", F_CODE_ARRAY, .readonly = true, .max = 100,
   .set_by = "project_invitations", .set_from = "cluster_ids"},
  {"companies", F_OBJECT_ARRAY, .max = 500, .sub = company_role_fields},
  {"partners", F_OBJECT_ARRAY, .max = 200, .sub = partner_role_fields},
  {"funding", F_OBJECT_ARRAY, .max = 100, .sub = funding_fields},
  {"funding_totals", F_OBJECT,
   .expr =
     "json_build_object('requested', " FUNDING_SUM(" WHERE f->>'status' = 'requested'") ", 'granted', " FUNDING_SUM(
       " WHERE f->>'status' = 'granted'") ", 'paid', " FUNDING_SUM(" WHERE f->>'status' = 'paid'") ", 'total', " FUNDING_SUM("") ")"},
  {"budget_eur", F_DECIMAL, .nullable = true, .decimals = 2, .has_range = true, .min = 0,
   .max_num = 999999999999.99, .sort = true},
  {"starts_on", F_DATE, .nullable = true, .sort = true},
  {"ends_on", F_DATE, .nullable = true, .not_before = "starts_on"},
  {"external_ids", F_MAP, .nullable = true, .max = 20},
  {"version", F_INT, .readonly = true},
  {"created_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {"updated_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {NULL},
};

/* The listed clusters that have accepted (an indexed expression, migration 0016). */
#define ACCEPTED "accepted_clusters(t.cluster_ids, t.cluster_invitations)"

static const struct filter project_filters[] = {
  {"q", V_SEARCH, "t.search @@ websearch_to_tsquery('grappe_fr', $1)", .values = NULL},
  {"category", V_IN, "t.category = $1", .type = "text", .values = codelist_project_category,
   .literal = true},
  {"status", V_IN, "t.status = $1", .type = "text", .values = codelist_project_status,
   .literal = true},
  /* A cluster takes part when it leads or has accepted (an invitation counts nowhere). */
  {"cluster", V_LIST, "(t.lead_cluster_id = ANY($1::uuid[]) OR " ACCEPTED " && $1::uuid[]::text[])",
   .check = C_UUID},
  {"invited_cluster", V_LIST, "t.cluster_invitations && $1::uuid[]::text[]", .check = C_UUID},
  {"company", V_LIST, "jsonb_ids(t.companies, 'company_id') && $1::uuid[]::text[]",
   .check = C_UUID},
  {"partner", V_LIST, "jsonb_ids(t.partners, 'partner_id') && $1::uuid[]::text[]", .check = C_UUID},
  {"region", V_LIST,
   "EXISTS (SELECT 1 FROM clusters cl WHERE (cl.id = t.lead_cluster_id OR cl.id::text = ANY(" ACCEPTED
   ")) "
   "AND cl.region_codes && $1::text[])",
   .check = C_REGION},
  {"starts_after", V_TEXT, "t.starts_on >= $1::date", .check = C_DATE},
  {"starts_before", V_TEXT, "t.starts_on <= $1::date", .check = C_DATE},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {"external_id", V_TEXT,
   "t.id = (SELECT e.id FROM external_ids e WHERE e.kind = 'project' AND "
   "e.ns = split_part($1, ':', 1) AND e.value = substr($1, strpos($1, ':') + 1))",
   .check = C_EXTERNAL_REF},
  {NULL},
};

/* UUIDs are kept in lower case (PostgreSQL's text form of uuid), so that the arrays compare
   as text with the filters' $n::uuid[]::text[]. */
static void lower_ids(json_t *arr, const char *key) {
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    json_t *s = key ? json_object_get(v, key) : v;
    const char *id = json_string_value(s);
    if (!id) continue;
    char low[37];
    size_t n = strlen(id) < 36 ? strlen(id) : 36;
    for (size_t k = 0; k < n; k++) low[k] = (char)tolower((unsigned char)id[k]);
    low[n] = '\0';
    json_string_set(s, low);
  }
}

static void normalize_project(json_t *obj, const json_t *given, struct verrors *e) {
  (void)given, (void)e;
  lower_ids(json_object_get(obj, "cluster_ids"), NULL);
  lower_ids(json_object_get(obj, "companies"), "company_id");
  lower_ids(json_object_get(obj, "partners"), "partner_id");
}

/* Anyone reads; admins write; a manager writes the projects its clusters lead. */
static int authorize_project(const struct principal *who, enum op op, const char *id) {
  (void)id;
  if (op == OP_READ || who->role == ROLE_ADMIN) return 0;
  if (who->role == ROLE_ANONYMOUS) return 401;
  if (who->role != ROLE_MANAGER) return 403;
  return op == OP_CREATE ? 0 : AUTH_SCOPED;
}

struct resource resource_projects = {
  .name = "projects",
  .item = "project",
  .external_kind = "project",
  .table = "projects",
  .path = "/v1/projects",
  .key = "id",
  .key_is_uuid = true,
  .fields = project_fields,
  .filters = project_filters,
  .default_sort = "title",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = authorize_project,
  .scope_sql = "t.lead_cluster_id = ANY($1::uuid[])",
  .owner_field = "lead_cluster_id",
  .normalize = normalize_project,
};

/* ---- A participating cluster: /v1/projects/{id}/clusters/{cluster_id} ---- */

/* Checks the caller and the ids; answers and returns false when the request stops here.
   Accepting is for the cluster's managers (and admins); withdrawing also for the lead's,
   which only the project's row tells (decided under its lock). */
static bool participation_prelude(struct ctx *c, bool accept) {
  if (!ctx_allow_params(c, NULL, NULL) || !ctx_auth(c)) return false;
  if (c->who.role != ROLE_ADMIN && c->who.role != ROLE_MANAGER)
    return ctx_deny(
      c, c->who.role == ROLE_ANONYMOUS ? 401 : 403,
      "Only an admin or a manager key changes the clusters taking part in a project.");
  if (!uuid_valid(c->params[0]) || !uuid_valid(c->params[1])) {
    http_problem(c, 404, "not_found", NULL, "No such %s.",
                 uuid_valid(c->params[0]) ? "cluster" : "project");
    return false;
  }
  if (accept && c->who.role == ROLE_MANAGER && !http_principal_manages(&c->who, c->params[1]))
    return ctx_deny(c, 403, "Only an admin or a manager of this cluster accepts its invitations.");
  if (accept && !fmt_negotiate(ctx_header(c, "Accept"), NULL, FMT_JSON)) {
    http_problem(c, 406, "not_acceptable", NULL,
                 "Projects are available as application/json only.");
    return false;
  }
  return true;
}

enum {
  P_LEAD,
  P_LEADS,
  P_LISTED,
  P_INVITED
}; /* columns of lock_project's result, before the representation */

/* Opens the write's transaction, locks the project and reads what it says of the cluster
   (leads, lists, invites); NULL after answering (404, 503), with nothing left open. */
static PGresult *lock_project(struct ctx *c, struct dbconn **db) {
  if (!(*db = ctx_db(c))) return NULL;
  if (!db_begin(*db)) {
    http_problem_db(c);
    return NULL;
  }
  struct buf sql;
  buf_init(&sql);
  buf_addf(
    &sql,
    "SELECT t.lead_cluster_id::text, t.lead_cluster_id = $2::uuid, $2::uuid::text = ANY(t.cluster_ids), "
    "$2::uuid::text = ANY(t.cluster_invitations), %s FROM projects t WHERE t.id = $1::uuid FOR UPDATE OF t",
    resource_projects.sql_cols);
  const char *params[] = {c->params[0], c->params[1]};
  PGresult *res = db_exec(*db, sql.data, 2, params);
  buf_free(&sql);
  if (!res) http_problem_db(c);
  else if (PQntuples(res) == 0) http_problem(c, 404, "not_found", NULL, "No project with this id.");
  else return res;
  PQclear(res);
  db_rollback(*db);
  return NULL;
}

/* If-Match against the locked project; false after answering 412. */
static bool if_match_ok(struct ctx *c, const PGresult *cur) {
  char etag[40];
  if (res_if_match(c, &resource_projects, cur, etag)) return true;
  http_problem(c, 412, "precondition_failed", NULL,
               "The project changed since you read it (its ETag is now %s); read it again.", etag);
  return false;
}

static bool is_true(const PGresult *r, int col) { return PQgetvalue(r, 0, col)[0] == 't'; }

/* PUT: accepts the cluster's invitation; 200 with the project, also when it had accepted
   already (or leads): idempotent. 404 when the project neither invites nor lists it. */
void project_cluster_put(struct ctx *c) {
  struct dbconn *db = NULL;
  PGresult *cur = participation_prelude(c, true) ? lock_project(c, &db) : NULL;
  if (!cur) return;
  bool go = if_match_ok(c, cur);
  if (go && !is_true(cur, P_LISTED) && !is_true(cur, P_LEADS)) {
    http_problem(c, 404, "not_found", NULL,
                 "This project does not list this cluster: the managers of its lead cluster "
                 "(or an admin) add it to cluster_ids, and it accepts here.");
    go = false;
  }
  if (go && !is_true(cur, P_INVITED)) { /* taking part already */
    res_respond_rep(c, 200, &resource_projects, cur);
    go = false;
  }
  if (go) {
    struct buf sql;
    buf_init(&sql);
    buf_addf(
      &sql,
      "UPDATE projects t SET cluster_invitations = array_remove(t.cluster_invitations, $2::uuid::text) "
      "WHERE t.id = $1::uuid RETURNING %s",
      resource_projects.sql_cols);
    const char *params[] = {c->params[0], c->params[1]};
    PGresult *res = db_exec(db, sql.data, 2, params);
    buf_free(&sql);
    if (run_commit(c, db, res)) res_respond_rep(c, 200, &resource_projects, res);
    PQclear(res);
  } else {
    db_rollback(db);
  }
  PQclear(cur);
}

/* DELETE: the cluster declines (its managers) or is withdrawn (the lead's managers): it
   leaves cluster_ids, invited or not. 204; 404 when the project does not list it. */
void project_cluster_delete(struct ctx *c) {
  struct dbconn *db = NULL;
  PGresult *cur = participation_prelude(c, false) ? lock_project(c, &db) : NULL;
  if (!cur) return;
  bool go = true;
  if (c->who.role == ROLE_MANAGER && !http_principal_manages(&c->who, c->params[1]) &&
      !http_principal_manages(&c->who, PQgetvalue(cur, 0, P_LEAD)))
    go = ctx_deny(
      c, 403,
      "Only an admin, a manager of this cluster or a manager of the project's lead cluster takes "
      "it out of the project.");
  go = go && if_match_ok(c, cur);
  if (go && !is_true(cur, P_LISTED)) {
    http_problem(c, 404, "not_found", NULL, "This project does not list this cluster.");
    go = false;
  }
  if (go) {
    const char *params[] = {c->params[0], c->params[1]};
    PGresult *res =
      db_exec(db,
              "UPDATE projects t SET cluster_ids = array_remove(t.cluster_ids, $2::uuid::text), "
              "cluster_invitations = array_remove(t.cluster_invitations, $2::uuid::text) "
              "WHERE t.id = $1::uuid",
              2, params);
    if (run_commit(c, db, res)) http_respond_empty(c, 204);
    PQclear(res);
  } else {
    db_rollback(db);
  }
  PQclear(cur);
}
