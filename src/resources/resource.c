/* The generic resource layer: list (filters, sort, keyset cursors, formats), get, create,
   patch and delete, all driven by a resource's field and filter tables. The SQL text comes
   only from those tables; every value from a request is a query parameter. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <yder.h>

#include "buf.h"
#include "config.h"
#include "csv.h"
#include "cursor.h"
#include "db.h"
#include "http.h"
#include "mergepatch.h"
#include "negotiate.h"
#include "reltime.h"
#include "resource.h"
#include "text.h"
#include "validate.h"

#define ICS_HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Grappe//Grappe API//FR\r\nCALSCALE:GREGORIAN\r\n"
#define LIMIT_DEFAULT 50
#define LIMIT_MAX 500
#define STREAM_BATCH 1000
#define MAX_PARAMS 64

static struct resource *const all_resources[] = {
  &resource_clusters, &resource_regions, &resource_departments, &resource_companies, &resource_partners,
  &resource_cluster_members, &resource_company_clusters, &resource_cluster_partners, &resource_events,
  &resource_registrations, &resource_projects, &resource_indicators};
#define NRESOURCES (sizeof all_resources / sizeof all_resources[0])

/* ---- SQL fragments from the field table ---- */

static const char *sql_type(enum ftype t) {
  switch (t) {
  case F_UUID: return "uuid";
  case F_INT: return "bigint";
  case F_DECIMAL: return "numeric";
  case F_DATE: return "date";
  case F_TIMESTAMP: return "timestamptz";
  case F_BOOL: return "boolean";
  case F_TEXT_ARRAY:
  case F_CODE_ARRAY:
  case F_OBJECT:
  case F_OBJECT_ARRAY: return "jsonb";
  default: return "text";
  }
}

/* Appends the expression that stores parameter n into a column of field f. */
void add_param_expr(struct buf *b, const struct field *f, int n) {
  if (f->type == F_TEXT_ARRAY || f->type == F_CODE_ARRAY) buf_addf(b, "jsonb_text_array($%d::jsonb)", n);
  else buf_addf(b, "$%d::%s", n, sql_type(f->type));
}

/* The text form of a JSON value as a query parameter (malloc'd), NULL for SQL NULL. */
char *param_of(const struct field *f, const json_t *v) {
  if (!v || json_is_null(v)) return NULL;
  switch (f->type) {
  case F_INT: return json_is_integer(v) ? (char *)json_dumps(v, JSON_ENCODE_ANY) : NULL;
  case F_DECIMAL: {
    char tmp[64];
    if (f->decimals) snprintf(tmp, sizeof tmp, "%.*f", f->decimals, json_number_value(v));
    else snprintf(tmp, sizeof tmp, "%.17g", json_number_value(v));
    return strdup(tmp);
  }
  case F_BOOL: return strdup(json_is_true(v) ? "true" : "false");
  case F_TEXT_ARRAY:
  case F_CODE_ARRAY:
  case F_OBJECT:
  /* 15 significant digits: 46.06 stays 46.06 instead of 46.060000000000002 */
  case F_OBJECT_ARRAY: return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  default: return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
  }
}

/* The representation is read column by column in PostgreSQL's text form (dates and
   timestamps in DateStyle ISO and time zone UTC, which every pooled connection sets) and
   written as JSON by rep_append: json_build_object and to_char cost PostgreSQL three to four
   times the reading of the row itself (docs/benchmarks.md). */
static char *build_cols(struct resource *r) {
  struct buf b;
  buf_init(&b);
  r->ncols = 0;
  for (const struct field *f = r->fields; f->name; f++, r->ncols++) {
    const char *sep = r->ncols ? ", " : "";
    if (f->expr) buf_addf(&b, "%s(%s)", sep, f->expr);
    else if (f->type == F_TEXT_ARRAY || f->type == F_CODE_ARRAY) buf_addf(&b, "%sto_json(t.%s)", sep, f->name); /* text[], uuid[] */
    else buf_addf(&b, "%st.%s", sep, f->name);
  }
  r->rep_keys = calloc((size_t)r->ncols, sizeof *r->rep_keys);
  if (!r->rep_keys) abort();
  int i = 0;
  for (const struct field *f = r->fields; f->name; f++, i++) { /* names are identifiers: nothing to escape */
    struct buf k;
    buf_init(&k);
    buf_addf(&k, "%c\"%s\":", i ? ',' : '{', f->name);
    r->rep_keys[i].len = k.len;
    r->rep_keys[i].text = buf_steal(&k);
  }
  return buf_steal(&b);
}

void rep_append(struct buf *b, const struct resource *r, const PGresult *res, int row) {
  if (!r->ncols) { buf_add(b, "{}", 2); return; }
  int col = PQnfields(res) - r->ncols;
  const struct rep_key *key = r->rep_keys;
  for (const struct field *f = r->fields; f->name; f++, col++, key++) {
    buf_add(b, key->text, key->len);
    if (PQgetisnull(res, row, col)) {
      buf_add(b, "null", 4);
      continue;
    }
    const char *v = PQgetvalue(res, row, col);
    switch (f->type) {
    case F_INT:
    case F_DECIMAL:
      if (v[0] == 'N' || v[0] == 'I' || v[1] == 'I') { /* numeric NaN, ±Infinity: not JSON numbers */
        buf_add(b, "null", 4);
        break;
      }
      /* fall through */
    case F_TEXT_ARRAY:
    case F_CODE_ARRAY:
    case F_OBJECT:
    case F_OBJECT_ARRAY: buf_add(b, v, (size_t)PQgetlength(res, row, col)); break; /* numbers and json(b) text */
    case F_BOOL: if (v[0] == 't') buf_add(b, "true", 4); else buf_add(b, "false", 5); break;
    case F_TIMESTAMP: buf_add_pg_timestamp(b, v); break;
    default: buf_add_json_string(b, v);
    }
  }
  buf_addc(b, '}');
}

char *rep_text(const struct resource *r, const PGresult *res, int row) {
  struct buf b;
  buf_init(&b);
  rep_append(&b, r, res, row);
  return buf_steal(&b);
}

void resources_init(void) {
  for (size_t i = 0; i < NRESOURCES; i++) {
    struct resource *r = all_resources[i];
    if (r->sql_cols) continue;
    r->sql_cols = build_cols(r);
    struct buf b;
    buf_init(&b);
    buf_addf(&b, "SELECT %s FROM %s t WHERE t.%s = $1%s", r->sql_cols, r->table, r->key, r->key_is_uuid ? "::uuid" : "");
    r->sql_item = buf_steal(&b);
    if (r->public_sql) {
      buf_addf(&b, "%s AND (%s)", r->sql_item, r->public_sql);
      r->sql_item_public = buf_steal(&b);
    }
  }
}

void resources_free(void) {
  for (size_t i = 0; i < NRESOURCES; i++) {
    for (int k = 0; all_resources[i]->rep_keys && k < all_resources[i]->ncols; k++) free(all_resources[i]->rep_keys[k].text);
    free(all_resources[i]->rep_keys);
    all_resources[i]->rep_keys = NULL;
    free(all_resources[i]->sql_cols);
    free(all_resources[i]->sql_item);
    free(all_resources[i]->sql_item_public);
    all_resources[i]->sql_cols = all_resources[i]->sql_item = all_resources[i]->sql_item_public = NULL;
  }
}

const struct field *resource_field(const struct resource *r, const char *name) {
  for (const struct field *f = r->fields; f->name; f++)
    if (strcmp(f->name, name) == 0) return f;
  return NULL;
}

/* ---- Parameters of one statement ---- */

struct sqlparams {
  int n;
  char *v[MAX_PARAMS];
};

static int param_add(struct sqlparams *p, char *owned) {
  if (p->n == MAX_PARAMS) { free(owned); return p->n; }
  p->v[p->n++] = owned;
  return p->n;
}

static void params_free(struct sqlparams *p) {
  for (int i = 0; i < p->n; i++) free(p->v[i]);
  p->n = 0;
}

/* A PostgreSQL array literal of text values, each quoted and escaped. */
char *array_literal(char *const *items) {
  struct buf b;
  buf_init(&b);
  buf_addc(&b, '{');
  for (char *const *it = items; it && *it; it++) {
    if (it != items) buf_addc(&b, ',');
    buf_addc(&b, '"');
    for (const char *s = *it; *s; s++) {
      if (*s == '"' || *s == '\\') buf_addc(&b, '\\');
      buf_addc(&b, *s);
    }
    buf_addc(&b, '"');
  }
  buf_addc(&b, '}');
  return buf_steal(&b);
}

/* ---- Lists ---- */

struct sort {
  const struct field *field; /* NULL: the key */
  bool desc;
  char spec[64];             /* as given: "name" or "-name" */
};

struct list_query {
  const struct resource *res;
  struct buf where;          /* " AND ..." conditions of the filters */
  struct sqlparams params;      /* their values */
  char filter_hash[17];      /* binds cursors to the filters */
  struct sort sort;
};

static const char *const list_params[] = {"limit", "cursor", "sort", "count", "format", "csv", NULL};

static bool parse_sort(struct ctx *c, const struct resource *r, struct sort *s) {
  const char *spec = query_get(&c->query, "sort");
  if (!spec) spec = r->default_sort;
  snprintf(s->spec, sizeof s->spec, "%s", spec);
  s->desc = spec[0] == '-';
  const char *name = spec + (s->desc || spec[0] == '+');
  s->field = NULL;
  if (strcmp(name, r->key) == 0) return true;
  const struct field *f = resource_field(r, name);
  if (f && f->sort) { s->field = f; return true; }
  struct buf allowed;
  buf_init(&allowed);
  for (const struct field *g = r->fields; g->name; g++)
    if (g->sort || strcmp(g->name, r->key) == 0) buf_addf(&allowed, "%s%s", allowed.len ? ", " : "", g->name);
  json_t *errs = json_pack("[{s:s,s:s,s:s}]", "field", "sort", "code", "invalid_value", "message", "not a sortable field");
  problem(c, 400, "invalid_query", errs, "Cannot sort by '%s'; sortable fields: %s (prefix with - for descending).",
          name, allowed.data);
  buf_free(&allowed);
  return false;
}

static bool bad_filter(struct ctx *c, const char *param, const char *fmt, const char *value) {
  json_t *errs = json_pack("[{s:s,s:s,s:s}]", "field", param, "code", "invalid_value", "message", "invalid filter value");
  problem(c, 400, "invalid_query", errs, fmt, value, param);
  return false;
}

static bool value_ok(const struct filter *flt, const char *v) {
  if (flt->values) {
    for (const char *const *a = flt->values; *a; a++)
      if (strcmp(*a, v) == 0) return true;
    return false;
  }
  switch (flt->check) {
  case C_REGION: return reference_has_region(v);
  case C_DEPARTMENT: return reference_has_department(v);
  case C_SIREN: return siren_valid(v);
  case C_SIRET: return siret_valid(v);
  case C_NAF: return naf_code_valid(v);
  case C_UUID: return uuid_valid(v);
  case C_DATE: return date_valid(v);
  case C_YEAR: return year_valid(v, NULL);
  default: return true;
  }
}

/* A plain decimal ([-]digits[.digits]) ending at stop; strtod alone takes "", hex, inf. */
static bool decimal(const char *s, char stop, double *out, const char **end) {
  const char *p = s + (*s == '-');
  size_t int_digits = strspn(p, "0123456789");
  if (!int_digits) return false;
  p += int_digits;
  if (*p == '.') {
    size_t frac = strspn(p + 1, "0123456789");
    if (!frac) return false;
    p += 1 + frac;
  }
  if (*p != stop) return false;
  *out = strtod(s, NULL);
  *end = p;
  return true;
}

/* near=lat,lon and radius_km: three parameters (lat, lon, metres). */
static bool near_filter(struct ctx *c, const struct filter *flt, const char *value, struct list_query *lq) {
  const char *end;
  double lat = 0, lon = 0, radius = 10;
  bool ok = decimal(value, ',', &lat, &end) && decimal(end + 1, '\0', &lon, &end) && lat >= -90 && lat <= 90 &&
            lon >= -180 && lon <= 180;
  if (!ok) return bad_filter(c, flt->param, "'%s' is not a valid '%s': latitude,longitude in degrees, e.g. 46.06,6.58.", value);
  const char *r = query_get(&c->query, flt->companion);
  if (r) {
    if (!decimal(r, '\0', &radius, &end) || !(radius > 0 && radius <= 1000))
      return bad_filter(c, flt->companion, "'%s' is not a valid '%s': kilometres, more than 0 and at most 1000.", r);
  }
  char num[3][32];
  snprintf(num[0], sizeof num[0], "%.7f", lat);
  snprintf(num[1], sizeof num[1], "%.7f", lon);
  snprintf(num[2], sizeof num[2], "%.1f", radius * 1000);
  int first = param_add(&lq->params, strdup(num[0]));
  param_add(&lq->params, strdup(num[1]));
  param_add(&lq->params, strdup(num[2]));
  buf_adds(&lq->where, " AND ");
  buf_addf(&lq->where, flt->sql, first, first + 1, first + 2);
  return true;
}

/* A list filter "x = ANY($n::text[])" given one value becomes "x = $n::text": the planner
   then uses an index on (x, sort column, key) as one range already in the list's order,
   where ANY makes it read rows of every value and sort, or walk the sort index and skip. */
static void add_single_value(struct buf *w, const char *tmpl, int n) {
  const char *any = strstr(tmpl, "ANY($%d::"), *end = any ? strstr(any, "[])") : NULL;
  if (!end) {
    buf_addf(w, tmpl, n);
    return;
  }
  struct buf t;
  buf_init(&t);
  buf_add(&t, tmpl, (size_t)(any - tmpl));
  buf_add(&t, any + 4, (size_t)(end - (any + 4))); /* "$%d::type" */
  buf_adds(&t, end + 3);
  buf_addf(w, t.data, n);
  buf_free(&t);
}

/* A relative time ("now", "now-7d": reltime.h) resolved on the server's clock, read once per
   request so that from=now&to=now+7d agree; NULL when value is not one. Caller frees. */
static char *relative_time(const char *value, long long *now_us, bool date_only) {
  if (*now_us < 0) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *now_us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
  }
  char text[RELTIME_TEXT];
  return reltime_resolve(value, *now_us, date_only, text) ? strdup(text) : NULL;
}

static bool build_filters(struct ctx *c, struct list_query *lq) {
  const struct resource *r = lq->res;
  struct buf canon;
  buf_init(&canon);
  bool ok = true;
  long long now_us = -1;
  if (r->public_sql && c->who.role == ROLE_ANONYMOUS) {
    buf_addf(&lq->where, " AND (%s)", r->public_sql);
    buf_adds(&canon, "public&");
  }
  if (r->parent) { /* the parent's key binds cursors too */
    buf_addf(&canon, "parent=%s&", c->params[0]);
    int n = param_add(&lq->params, strdup(c->params[0]));
    buf_adds(&lq->where, " AND ");
    buf_addf(&lq->where, r->parent->sql, n);
  }
  for (const struct filter *flt = r->filters; flt && flt->param && ok; flt++) {
    const char *value = query_get(&c->query, flt->param);
    if (flt->companion && !value && query_get(&c->query, flt->companion)) {
      ok = bad_filter(c, flt->companion, "'%2$s' is only meaningful with the '%1$s' parameter.", flt->param);
      break;
    }
    if (!value && flt->value == V_CHOICE) value = flt->dflt;
    if (!value) continue;
    buf_addf(&canon, "%s=%s&", flt->param, value);
    const char *companion = flt->companion ? query_get(&c->query, flt->companion) : NULL;
    if (companion) buf_addf(&canon, "%s=%s&", flt->companion, companion);
    char *owned = NULL;
    if (flt->value == V_CHOICE) { /* comma-separated = any of */
      char **items = split_commas(value);
      struct buf any;
      buf_init(&any);
      for (char **it = items; ok && it && *it; it++) {
        int i = 0;
        while (flt->values[i] && strcmp(flt->values[i], *it) != 0) i++;
        if (!flt->values[i]) ok = bad_filter(c, flt->param, "'%s' is not a valid value of '%s'.", *it);
        else buf_addf(&any, "%s(%s)", any.len ? " OR " : "", flt->choice_sql[i]);
      }
      if (ok && !any.len) ok = bad_filter(c, flt->param, "Empty value '%s' for '%s'.", value);
      if (ok) buf_addf(&lq->where, " AND (%s)", any.data);
      buf_free(&any);
      strv_free(items);
      if (!ok) break;
      continue;
    }
    if (flt->value == V_NEAR) {
      ok = near_filter(c, flt, value, lq);
      continue;
    }
    bool single = false;
    if (flt->value != V_LIST && strlen(value) > 200) { /* a list's items are checked one by one */
      char head[24]; /* the value's start, cut between two characters */
      snprintf(head, sizeof head, "%.*s", utf8_cut(value, 20), value);
      ok = bad_filter(c, flt->param, "The value '%s...' of '%s' is too long (200 characters at most).", head);
    } else if (flt->value == V_LIST) {
      char **items = split_commas(value);
      if (!items || !items[0]) ok = bad_filter(c, flt->param, "Empty value '%s' for '%s'.", value);
      for (char **it = items; ok && it && *it; it++)
        if (!value_ok(flt, *it)) ok = bad_filter(c, flt->param, "'%s' is not a valid value of '%s'.", *it);
      single = ok && !items[1] && strstr(flt->sql, "ANY($%d::");
      if (ok) owned = single ? strdup(items[0]) : array_literal(items);
      strv_free(items);
    } else if (flt->value == V_TIMESTAMP || flt->check == C_DATE) {
      bool date_only = flt->value != V_TIMESTAMP;
      if (strncmp(value, "now", 3) == 0) {
        if (!(owned = relative_time(value, &now_us, date_only)))
          ok = bad_filter(c, flt->param, "'%s' is not a relative time for '%s': now, or now then + or -, 1 to 6 "
                          "digits and a unit s, m (minutes), h, d or w, within 100 years (now-7d, now+2h).", value);
      } else if (date_only ? !date_valid(value) : !datetime_valid(value) && !date_valid(value))
        ok = bad_filter(c, flt->param, date_only ? "'%s' is not a date (YYYY-MM-DD) or a relative time (now, now-7d) for '%s'."
                        : "'%s' is not an RFC 3339 date-time, a date or a relative time (now, now-7d) for '%s'.", value);
      else owned = strdup(value);
    } else {
      if (flt->check && !value_ok(flt, value)) ok = bad_filter(c, flt->param, "'%s' is not a valid value of '%s'.", value);
      else owned = strdup(value);
    }
    if (!ok) break;
    int n = param_add(&lq->params, owned);
    buf_adds(&lq->where, " AND ");
    if (single) add_single_value(&lq->where, flt->sql, n);
    else buf_addf(&lq->where, flt->sql, n);
  }
  char hex[65];
  sha256_hex(canon.data ? canon.data : "", canon.len, hex);
  memcpy(lq->filter_hash, hex, 16);
  lq->filter_hash[16] = '\0';
  buf_free(&canon);
  return ok;
}

/* Appends ORDER BY for the sort, with the key as tie-breaker in the same direction. */
/* A sort column that is never NULL: required input or a bookkeeping timestamp. Its keyset
   condition is a row comparison and its order the index's own, so that a page far into the
   list is an index range scan, not a scan from the start (an export of 80,000 companies
   read 3.2 million index entries with "OR t.name IS NULL"). */
static bool sort_not_null(const struct field *f) {
  return !f->nullable && !f->expr && (f->required || (f->readonly && f->type == F_TIMESTAMP));
}

static void add_order(struct buf *b, const struct list_query *lq) {
  const char *dir = lq->sort.desc ? "DESC" : "ASC";
  if (lq->sort.field && sort_not_null(lq->sort.field))
    buf_addf(b, " ORDER BY t.%s %s, t.%s %s", lq->sort.field->name, dir, lq->res->key, dir);
  else if (lq->sort.field)
    buf_addf(b, " ORDER BY t.%s %s NULLS LAST, t.%s %s", lq->sort.field->name, dir, lq->res->key, dir);
  else buf_addf(b, " ORDER BY t.%s %s", lq->res->key, dir);
}

/* Appends the keyset condition "after (value, key)" for the sort; value NULL is SQL NULL. */
static void add_after(struct buf *b, struct list_query *lq, struct sqlparams *p, const char *value, const char *key) {
  const char *op = lq->sort.desc ? "<" : ">";
  const char *kcast = lq->res->key_is_uuid ? "::uuid" : "";
  int nk = param_add(p, strdup(key));
  if (!lq->sort.field) {
    buf_addf(b, " AND t.%s %s $%d%s", lq->res->key, op, nk, kcast);
    return;
  }
  const char *col = lq->sort.field->name;
  if (!value) {
    buf_addf(b, " AND t.%s IS NULL AND t.%s %s $%d%s", col, lq->res->key, op, nk, kcast);
    return;
  }
  int nv = param_add(p, strdup(value));
  const char *type = sql_type(lq->sort.field->type);
  if (sort_not_null(lq->sort.field))
    buf_addf(b, " AND (t.%s, t.%s) %s ($%d::%s, $%d%s)", col, lq->res->key, op, nv, type, nk, kcast);
  else
    buf_addf(b, " AND (t.%s %s $%d::%s OR (t.%s = $%d::%s AND t.%s %s $%d%s) OR t.%s IS NULL)", col, op, nv, type, col,
             nv, type, lq->res->key, op, nk, kcast, col);
}

/* Runs one page: rows of (sort value, key, representation). The caller clears the result. */
static PGresult *run_page(struct dbconn *db, struct list_query *lq, const char *after_value, const char *after_key,
                          bool has_after, long limit) {
  struct sqlparams p = {0};
  for (int i = 0; i < lq->params.n; i++) param_add(&p, lq->params.v[i] ? strdup(lq->params.v[i]) : NULL);
  struct buf sql;
  buf_init(&sql);
  buf_addf(&sql, "SELECT %s%s::text, t.%s::text, %s FROM %s t WHERE true%s", lq->sort.field ? "t." : "",
           lq->sort.field ? lq->sort.field->name : "NULL", lq->res->key, lq->res->sql_cols, lq->res->table,
           lq->where.data ? lq->where.data : "");
  if (has_after) add_after(&sql, lq, &p, after_value, after_key);
  add_order(&sql, lq);
  buf_addf(&sql, " LIMIT %ld", limit);
  PGresult *r = db_exec(db, sql.data, p.n, (const char *const *)p.v);
  buf_free(&sql);
  params_free(&p);
  return r;
}

/* The payload of a cursor pointing after row i of r. */
static char *make_cursor(const struct list_query *lq, PGresult *r, int i) {
  json_t *pl = json_pack("{s:s,s:s,s:s,s:s}", "r", lq->res->name, "s", lq->sort.spec, "f", lq->filter_hash, "k",
                         PQgetvalue(r, i, 1));
  json_object_set_new(pl, "v", PQgetisnull(r, i, 0) ? json_null() : json_string(PQgetvalue(r, i, 0)));
  char *cur = cursor_encode(app.secret, sizeof app.secret, pl);
  json_decref(pl);
  return cur;
}

static bool member_is(const json_t *o, const char *key, const char *expected) {
  const char *v = json_string_value(json_object_get(o, key));
  return v && strcmp(v, expected) == 0;
}

/* Reads ?cursor=: false (after answering 400) when it is not ours or not for this list. */
static bool read_cursor(struct ctx *c, const struct list_query *lq, json_t **payload) {
  *payload = NULL;
  const char *cur = query_get(&c->query, "cursor");
  if (!cur) return true;
  json_t *pl = cursor_decode(app.secret, sizeof app.secret, cur);
  const char *reason = NULL;
  if (!pl) reason = "is malformed or was not issued by this API";
  else if (!member_is(pl, "r", lq->res->name)) reason = "belongs to another resource";
  else if (!member_is(pl, "s", lq->sort.spec)) reason = "was issued for another sort";
  else if (!member_is(pl, "f", lq->filter_hash)) reason = "was issued for other filters";
  else if (!json_is_string(json_object_get(pl, "k"))) reason = "is malformed";
  if (reason) {
    json_decref(pl);
    json_t *errs = json_pack("[{s:s,s:s,s:s}]", "field", "cursor", "code", "invalid_value", "message", reason);
    problem(c, 400, "invalid_cursor", errs, "This cursor %s; start again without it, keeping the same filters and sort.", reason);
    return false;
  }
  *payload = pl;
  return true;
}

/* ---- Formats ---- */

static void geojson_feature(struct buf *b, const struct resource *r, json_t *item) {
  json_t *loc = json_object_get(item, "location");
  json_t *geometry = json_null();
  if (json_is_object(loc) && json_is_number(json_object_get(loc, "lon")) && json_is_number(json_object_get(loc, "lat")))
    geometry = json_pack("{s:s,s:[O,O]}", "type", "Point", "coordinates", json_object_get(loc, "lon"),
                         json_object_get(loc, "lat"));
  json_t *props = json_copy(item);
  json_object_del(props, "location");
  json_t *feature = json_pack("{s:s,s:O,s:o,s:o}", "type", "Feature", "id", json_object_get(item, r->key), "geometry",
                              geometry, "properties", props);
  char *text = json_dumps(feature, JSON_COMPACT | JSON_REAL_PRECISION(15));
  buf_adds(b, text);
  free(text);
  json_decref(feature);
}

/* Appends one item, given as JSON text, in a format other than JSON and NDJSON. */
static void add_parsed(struct buf *b, const struct resource *r, enum format fmt, enum csv_dialect csv, const char *json,
                       bool first) {
  json_t *item = json_loads(json, 0, NULL);
  if (!item) return;
  if (fmt == FMT_CSV) {
    csv_row(b, r->fields, item, csv);
  } else if (fmt == FMT_ICS) {
    r->ics(b, item);
  } else {
    if (!first) buf_addc(b, ',');
    geojson_feature(b, r, item);
  }
  json_decref(item);
}

/* Appends row i of a result carrying the representation, in the format. */
static void add_row(struct buf *b, const struct resource *r, enum format fmt, enum csv_dialect csv, const PGresult *res,
                    int i, bool first) {
  if (fmt == FMT_JSON || fmt == FMT_NDJSON) {
    if (fmt == FMT_JSON && !first) buf_addc(b, ',');
    rep_append(b, r, res, i);
    if (fmt == FMT_NDJSON) buf_addc(b, '\n');
    return;
  }
  char *json = rep_text(r, res, i);
  add_parsed(b, r, fmt, csv, json, first);
  free(json);
}

/* ---- NDJSON: the whole result set, streamed in keyset batches ---- */

struct stream {
  struct list_query lq;
  char *after_value, *after_key;
  bool has_after, done;
  struct buf out;
  size_t sent;
  char heavy_who[HEAVY_WHO_SIZE]; /* its place among the exports, given back when it ends */
};

static void stream_free(void *cls) {
  struct stream *s = cls;
  heavy_release(s->heavy_who);
  buf_free(&s->lq.where);
  params_free(&s->lq.params);
  free(s->after_value);
  free(s->after_key);
  buf_free(&s->out);
  free(s);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max) {
  (void)pos;
  struct stream *s = cls;
  if (s->sent == s->out.len) {
    if (s->done) return MHD_CONTENT_READER_END_OF_STREAM;
    buf_reset(&s->out);
    s->sent = 0;
    const char *why;
    struct dbconn *db = db_checkout_read(app.cfg->pool_timeout_ms, &why);
    if (!db) return MHD_CONTENT_READER_END_WITH_ERROR;
    PGresult *r = run_page(db, &s->lq, s->after_value, s->after_key, s->has_after, STREAM_BATCH);
    pool_put(db->pool, db);
    if (!r) return MHD_CONTENT_READER_END_WITH_ERROR; /* the client sees a truncated stream */
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) add_row(&s->out, s->lq.res, FMT_NDJSON, CSV_RFC4180, r, i, i == 0);
    if (n > 0) {
      free(s->after_value);
      free(s->after_key);
      s->after_value = PQgetisnull(r, n - 1, 0) ? NULL : strdup(PQgetvalue(r, n - 1, 0));
      s->after_key = strdup(PQgetvalue(r, n - 1, 1));
      s->has_after = true;
    }
    s->done = n < STREAM_BATCH;
    PQclear(r);
    if (s->out.len == 0) return MHD_CONTENT_READER_END_OF_STREAM;
  }
  size_t n = s->out.len - s->sent;
  if (n > max) n = max;
  memcpy(out, s->out.data + s->sent, n);
  s->sent += n;
  return (ssize_t)n;
}

static void list_query_free(struct list_query *lq) {
  buf_free(&lq->where);
  params_free(&lq->params);
}

/* The Link to the next page: this request's query with the new cursor. */
static void link_next(struct ctx *c, const char *cursor) {
  struct buf b;
  buf_init(&b);
  buf_addf(&b, "<%s?", c->req->url_path);
  for (size_t i = 0; i < c->query.n; i++) {
    if (strcmp(c->query.keys[i], "cursor") == 0) continue;
    percent_encode(&b, c->query.keys[i]);
    buf_addc(&b, '=');
    percent_encode(&b, c->query.values[i]);
    buf_addc(&b, '&');
  }
  buf_adds(&b, "cursor=");
  percent_encode(&b, cursor);
  buf_adds(&b, ">; rel=\"next\"");
  set_header(c, "Link", b.data);
  buf_free(&b);
}

/* 404 (and false) when the parent named in the path does not exist; 403 when `scoped`
   and it is outside the manager's clusters. */
static bool parent_exists(struct ctx *c, const struct parent *p, bool scoped) {
  if (!uuid_valid(c->params[0])) {
    problem(c, 404, "not_found", NULL, "No %s with this id.", p->item);
    return false;
  }
  struct dbconn *db = ctx_db_read(c);
  if (!db) return false;
  for (int pass = 0; pass < (scoped ? 2 : 1); pass++) {
    char *scope = pass ? array_literal(c->who.clusters) : NULL;
    const char *params[] = {c->params[0], scope};
    PGresult *r = db_exec(db, pass ? p->scope_sql : p->exists_sql, pass ? 2 : 1, params);
    free(scope);
    if (!r) { problem_db(c); return false; }
    bool found = PQntuples(r) > 0;
    PQclear(r);
    if (!found && pass) {
      problem(c, 403, "forbidden", NULL, "This %s is outside the clusters your key manages.", p->item);
      return false;
    }
    if (!found) {
      problem(c, 404, "not_found", NULL, "No %s with this id.", p->item);
      return false;
    }
  }
  return true;
}

int authorize_scoped_read(const struct principal *who, enum op op, const char *id) {
  (void)op, (void)id;
  switch (who->role) {
  case ROLE_ANONYMOUS: return 401;
  case ROLE_MANAGER: return AUTH_SCOPED;
  default: return 0;
  }
}

void res_list(struct ctx *c) {
  const struct resource *r = c->res;
  struct list_query lq;
  memset(&lq, 0, sizeof lq);
  lq.res = r;
  json_t *cursor = NULL;
  PGresult *rows = NULL, *count = NULL;
  struct buf body;
  buf_init(&body);

  const char *filter_names[32] = {0};
  size_t nf = 0;
  for (const struct filter *f = r->filters; f && f->param && nf < 30; f++) {
    filter_names[nf++] = f->param;
    if (f->companion) filter_names[nf++] = f->companion;
  }
  if (!ctx_allow_params(c, list_params, filter_names)) goto cleanup;
  if (!ctx_auth(c)) goto cleanup;
  int denied = r->authorize ? r->authorize(&c->who, OP_READ, NULL) : 0;
  bool scoped = denied == AUTH_SCOPED && r->parent && r->parent->scope_sql;
  if (scoped) denied = 0;
  if (denied) { ctx_deny(c, denied == AUTH_SCOPED ? 403 : denied, "This list is not public."); goto cleanup; }
  if (r->parent && !parent_exists(c, r->parent, scoped)) goto cleanup;
  enum format fmt = negotiate_format(ctx_header(c, "Accept"), query_get(&c->query, "format"), r->formats);
  if (!fmt) {
    problem(c, 406, "not_acceptable", NULL, "This list is available as %s%s%s%s%s.", "application/json (format=json)",
            r->formats & FMT_CSV ? ", text/csv (format=csv)" : "",
            r->formats & FMT_GEOJSON ? ", application/geo+json (format=geojson)" : "",
            r->formats & FMT_NDJSON ? ", application/x-ndjson (format=ndjson)" : "",
            r->formats & FMT_ICS ? ", text/calendar (format=ics)" : "");
    goto cleanup;
  }
  enum csv_dialect csv;
  if (!ctx_csv_dialect(c, fmt, &csv)) goto cleanup;
  long limit = LIMIT_DEFAULT;
  const char *lim = query_get(&c->query, "limit");
  if (lim && !parse_long(lim, 1, LIMIT_MAX, &limit)) {
    bad_filter(c, "limit", "'%s' is not a valid '%s': an integer from 1 to 500.", lim);
    goto cleanup;
  }
  const char *cnt = query_get(&c->query, "count");
  if (cnt && strcmp(cnt, "true") != 0 && strcmp(cnt, "false") != 0) {
    bad_filter(c, "count", "'%s' is not a valid '%s': true or false.", cnt);
    goto cleanup;
  }
  if (!parse_sort(c, r, &lq.sort) || !build_filters(c, &lq) || !read_cursor(c, &lq, &cursor)) goto cleanup;
  const char *after_value = cursor ? json_string_value(json_object_get(cursor, "v")) : NULL;
  const char *after_key = cursor ? json_string_value(json_object_get(cursor, "k")) : NULL;
  if (cursor && r->key_is_uuid && !uuid_valid(after_key)) {
    problem(c, 400, "invalid_cursor", NULL, "This cursor is malformed.");
    goto cleanup;
  }

  if (fmt == FMT_NDJSON && strcmp(c->req->http_verb, "HEAD") == 0) {
    /* No stream for HEAD: libmicrohttpd would still send the chunked terminator, which the
       next request on a kept-alive connection then reads as its answer. */
    set_header(c, "Content-Type", "application/x-ndjson");
    respond_empty(c, 200);
    goto cleanup;
  }
  if (fmt == FMT_NDJSON) {
    char who[HEAVY_WHO_SIZE];
    if (!heavy_acquire(c, who)) goto cleanup;
    struct stream *s = calloc(1, sizeof *s);
    if (!s) { heavy_release(who); goto cleanup; }
    memcpy(s->heavy_who, who, sizeof who);
    s->lq = lq;
    memset(&lq, 0, sizeof lq); /* the stream owns the query now */
    s->after_value = after_value ? strdup(after_value) : NULL;
    s->after_key = after_key ? strdup(after_key) : NULL;
    s->has_after = cursor != NULL;
    set_header(c, "Content-Type", "application/x-ndjson");
    set_header(c, "X-Request-Id", c->request_id);
    respond_empty(c, 200);
    ulfius_set_stream_response(c->resp, 200, stream_read, stream_free, U_STREAM_SIZE_UNKNOWN, 64 * 1024, s);
    goto cleanup;
  }

  struct dbconn *db = ctx_db_read(c);
  if (!db) goto cleanup;
  rows = run_page(db, &lq, after_value, after_key, cursor != NULL, limit + 1);
  if (!rows) { problem_db(c); goto cleanup; }
  long total = -1;
  if (cnt && strcmp(cnt, "true") == 0) {
    struct buf sql;
    buf_init(&sql);
    buf_addf(&sql, "SELECT count(*) FROM %s t WHERE true%s", r->table, lq.where.data ? lq.where.data : "");
    count = db_exec(db, sql.data, lq.params.n, (const char *const *)lq.params.v);
    buf_free(&sql);
    if (!count) { problem_db(c); goto cleanup; }
    total = atol(PQgetvalue(count, 0, 0));
  }
  int n = PQntuples(rows);
  bool more = n > limit;
  if (more) n = (int)limit;
  char *next = more ? make_cursor(&lq, rows, n - 1) : NULL;

  if (fmt == FMT_CSV) {
    csv_begin(&body, csv);
    csv_header(&body, r->fields, csv);
  } else if (fmt == FMT_ICS) {
    buf_adds(&body, ICS_HEAD);
  } else if (fmt == FMT_GEOJSON) {
    buf_adds(&body, "{\"type\":\"FeatureCollection\",\"features\":[");
  } else {
    buf_adds(&body, "{\"items\":[");
  }
  for (int i = 0; i < n; i++) add_row(&body, r, fmt, csv, rows, i, i == 0);
  if (fmt == FMT_ICS) {
    buf_adds(&body, "END:VCALENDAR\r\n");
  } else if (fmt != FMT_CSV) {
    buf_adds(&body, "],\"next\":");
    if (next) buf_add_json_string(&body, next);
    else buf_adds(&body, "null");
    if (total >= 0) buf_addf(&body, ",\"total\":%ld", total);
    if (fmt == FMT_JSON && r->list_extra_sql && r->parent) {
      const char *params[] = {c->params[0]};
      PGresult *extra = db_exec(db, r->list_extra_sql, 1, params);
      if (!extra) { problem_db(c); free(next); goto cleanup; }
      buf_addf(&body, ",\"%s\":%s", r->list_extra_name, PQgetvalue(extra, 0, 0));
      PQclear(extra);
    }
    buf_addc(&body, '}');
  }
  if ((fmt == FMT_CSV || fmt == FMT_ICS) && total >= 0) {
    char t[32];
    snprintf(t, sizeof t, "%ld", total);
    set_header(c, "X-Total-Count", t);
  }
  if (next) link_next(c, next);
  free(next);
  respond(c, 200, fmt == FMT_CSV ? "text/csv; charset=utf-8" : fmt == FMT_ICS ? "text/calendar; charset=utf-8" : format_media_type(fmt),
          body.data, body.len);

cleanup:
  PQclear(rows);
  PQclear(count);
  json_decref(cursor);
  list_query_free(&lq);
  buf_free(&body);
}

/* ---- Items ---- */

void etag_of(const char *json, char out[40]) {
  char hex[65];
  sha256_hex(json, strlen(json), hex);
  out[0] = '"';
  memcpy(out + 1, hex, 32);
  out[33] = '"';
  out[34] = '\0';
}

/* Does an If-Match / If-None-Match list hold this ETag (or *)? If-Match compares strongly
   (a weak tag never matches), If-None-Match weakly (W/"x" matches "x"), RFC 9110 13.1. */
bool etag_listed(const char *header, const char *etag, bool weak) {
  const char *p = header;
  size_t n = strlen(etag);
  while (*p) {
    while (*p == ' ' || *p == ',') p++;
    if (*p == '*') return true;
    if (weak && strncmp(p, "W/", 2) == 0) p += 2;
    if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ')) return true;
    p += strcspn(p, ",");
  }
  return false;
}

/* A key in the path that cannot exist (malformed UUID) is a 404, like any missing item. */
static bool key_ok(struct ctx *c) {
  const char *k = c->params[0];
  bool ok = c->res->key_is_uuid ? uuid_valid(k) : (k && strlen(k) <= 16);
  if (!ok) problem(c, 404, "not_found", NULL, "No %s with this %s.", c->res->item, c->res->key);
  return ok;
}

static bool item_prelude(struct ctx *c, enum op op) {
  if (!ctx_allow_params(c, NULL, NULL) || !ctx_auth(c)) return false;
  int denied = c->res->authorize ? c->res->authorize(&c->who, op, c->params[0]) : 0;
  if (denied == AUTH_SCOPED) {
    c->scoped = c->res->scope_sql != NULL;
    denied = c->scoped ? 0 : 403;
  }
  if (denied) {
    static const char *const what[] = {"read", "create", "change", "delete", "create or change"};
    char detail[160];
    snprintf(detail, sizeof detail, "Your key may not %s this %s.", what[op], c->res->item);
    detail[sizeof detail - 1] = '\0';
    return ctx_deny(c, denied, detail);
  }
  if (op != OP_CREATE && op != OP_UPSERT && !key_ok(c)) return false;
  if (op != OP_DELETE && !negotiate_format(ctx_header(c, "Accept"), NULL, FMT_JSON | (op == OP_READ ? (c->res->formats & FMT_ICS) : 0))) {
    problem(c, 406, "not_acceptable", NULL, "Items are available as application/json%s only.",
            op == OP_READ && (c->res->formats & FMT_ICS) ? " or text/calendar" : "");
    return false;
  }
  return true;
}

/* A manager writes an object only if its owner field names one of its clusters. */
static bool owner_ok(struct ctx *c, const json_t *obj) {
  const char *f = c->res->owner_field;
  if (!f || c->who.role != ROLE_MANAGER) return true;
  const char *owner = json_string_value(json_object_get(obj, f));
  if (owner && principal_manages(&c->who, owner)) return true;
  problem(c, 403, "forbidden", NULL, owner ? "'%s' must be one of the clusters your key manages." : "'%s' is required for a manager key (null is for admins).", f);
  return false;
}

void respond_item(struct ctx *c, int status, const char *json) {
  char etag[40];
  etag_of(json, etag);
  set_header(c, "ETag", etag);
  respond_json(c, status, json);
}

void respond_rep(struct ctx *c, int status, const struct resource *r, const PGresult *res) {
  char *json = rep_text(r, res, 0);
  respond_item(c, status, json);
  free(json);
}

void res_get(struct ctx *c) {
  static const char *const format_param[] = {"format", NULL};
  /* Items with another representation (events: iCalendar) take ?format= for links that
     cannot set Accept ("add to my calendar"). */
  unsigned formats = FMT_JSON | (c->res->formats & FMT_ICS);
  if (formats != FMT_JSON && !ctx_allow_params(c, format_param, NULL)) return;
  const char *fp = formats != FMT_JSON ? query_get(&c->query, "format") : NULL;
  if (fp) {
    struct query rest = c->query; /* item_prelude allows no parameter: hide the one we took */
    c->query.n = 0;
    bool ok = item_prelude(c, OP_READ);
    c->query = rest;
    if (!ok) return;
  } else if (!item_prelude(c, OP_READ)) {
    return;
  }
  enum format fmt = negotiate_format(ctx_header(c, "Accept"), fp, formats);
  if (!fmt) {
    problem(c, 406, "not_acceptable", NULL, "This item is available as application/json%s.", formats != FMT_JSON ? " or text/calendar (format=ics)" : "");
    return;
  }
  struct dbconn *db = ctx_db_read(c);
  if (!db) return;
  const char *params[] = {c->params[0]};
  bool anonymous_view = c->res->sql_item_public && c->who.role == ROLE_ANONYMOUS;
  PGresult *r = db_exec(db, anonymous_view ? c->res->sql_item_public : c->res->sql_item, 1, params);
  if (!r) { problem_db(c); return; }
  if (PQntuples(r) == 0) {
    problem(c, 404, "not_found", NULL, "No %s with this %s.", c->res->item, c->res->key);
    PQclear(r);
    return;
  }
  /* Each representation has its own strong ETag, and If-None-Match is compared with the
     one asked for. */
  struct buf b;
  buf_init(&b);
  rep_append(&b, c->res, r, 0);
  PQclear(r);
  const char *type = "application/json";
  if (fmt == FMT_ICS) {
    char *json = buf_steal(&b);
    buf_adds(&b, ICS_HEAD);
    add_parsed(&b, c->res, FMT_ICS, CSV_RFC4180, json, true);
    buf_adds(&b, "END:VCALENDAR\r\n");
    free(json);
    type = "text/calendar; charset=utf-8";
  }
  char etag[40];
  etag_of(b.data, etag);
  set_header(c, "ETag", etag);
  const char *inm = ctx_header(c, "If-None-Match");
  if (inm && etag_listed(inm, etag, true)) respond_empty(c, 304);
  else respond(c, 200, type, b.data, b.len);
  buf_free(&b);
}

void respond_invalid(struct ctx *c, struct verrors *e) {
  const char *first = json_string_value(json_object_get(json_array_get(e->items, 0), "field"));
  size_t n = json_array_size(e->items);
  problem(c, 422, "validation_failed", e->items, "%zu field%s invalid, starting with '%s'.", n, n == 1 ? " is" : "s are", first);
  e->items = NULL;
}

/* Does the row named by id exist? -1 after answering a database failure. */
static int ref_exists(struct ctx *c, const char *sql, const char *id) {
  struct dbconn *db = ctx_db(c);
  if (!db) return -1;
  const char *params[] = {id};
  PGresult *r = db_exec(db, sql, 1, params);
  if (!r) { problem_db(c); return -1; }
  int found = PQntuples(r) > 0;
  PQclear(r);
  return found;
}

/* Checks every field with ref_sql: uuids, arrays of them, and subfields of arrays of objects.
   Adds unknown_reference errors; false when the database failed (answered). */
static bool check_refs(struct ctx *c, const struct field *fields, const json_t *obj, const char *prefix, struct verrors *e) {
  char path[300];
  for (const struct field *f = fields; f->name; f++) {
    json_t *v = json_object_get(obj, f->name);
    snprintf(path, sizeof path, "%.200s%s%s", prefix, *prefix ? "." : "", f->name);
    if (f->type == F_OBJECT_ARRAY && json_is_array(v)) {
      size_t i;
      json_t *item;
      json_array_foreach(v, i, item) {
        char ipath[320];
        snprintf(ipath, sizeof ipath, "%.250s[%zu]", path, i);
        if (!check_refs(c, f->sub, item, ipath, e)) return false;
      }
      continue;
    }
    if (!f->ref_sql) continue;
    if (json_is_string(v)) {
      int found = ref_exists(c, f->ref_sql, json_string_value(v));
      if (found < 0) return false;
      if (!found) verr_add(e, path, "unknown_reference", "names nothing that exists");
    } else if (json_is_array(v)) {
      size_t i;
      json_t *item;
      json_array_foreach(v, i, item) {
        int found = ref_exists(c, f->ref_sql, json_string_value(item));
        if (found < 0) return false;
        if (!found) {
          char ipath[320];
          snprintf(ipath, sizeof ipath, "%.250s[%zu]", path, i);
          verr_add(e, ipath, "unknown_reference", "names nothing that exists");
        }
      }
    }
  }
  return true;
}

/* Validates a full writable representation (create or replace) and applies the resource's
   derivations; NULL after answering 422. */
static json_t *validate_whole(struct ctx *c, const json_t *doc, const json_t *given, bool create) {
  struct verrors e = {0};
  json_t *obj = schema_validate(c->res->fields, doc, create, &e);
  if (obj && c->res->normalize) c->res->normalize(obj, given, &e);
  /* References to other rows: a clear 422 naming the field, not a foreign-key error. */
  if (obj && !e.items && !check_refs(c, c->res->fields, obj, "", &e)) {
    json_decref(obj);
    return NULL; /* answered (503) */
  }
  if (e.items) {
    json_decref(obj);
    respond_invalid(c, &e);
    return NULL;
  }
  return obj;
}

/* A PostgreSQL array literal of the manager's clusters. */
static char *scope_literal(const struct principal *who) {
  return array_literal(who->clusters ? who->clusters : (char *[]){NULL});
}

/* The writer's clusters for set_by (malloc'd): a manager's, NULL for an admin. */
static char *writer_scope(const struct ctx *c) {
  return c->who.role == ROLE_MANAGER ? scope_literal(&c->who) : NULL;
}

/* Does a write of r set columns from the writer's scope (fields with set_by)? */
static bool sets_by_writer(const struct resource *r) {
  for (const struct field *f = r->fields; f->name; f++)
    if (f->set_by) return true;
  return false;
}

/* Appends the set_by call of f: the stored row (t in an UPDATE), the value given to its
   set_from field as parameter, the writer's scope as parameter ws. */
static void add_set_by(struct buf *b, struct sqlparams *p, const struct resource *r, const struct field *f,
                       const json_t *obj, bool update, int ws) {
  const struct field *from = resource_field(r, f->set_from);
  int n = param_add(p, param_of(from, json_object_get(obj, from->name)));
  if (update) buf_adds(b, "t");
  else buf_addf(b, "NULL::%s", r->table);
  buf_addf(b, ", ");
  add_param_expr(b, from, n);
  buf_addf(b, ", $%d::uuid[]", ws);
}

/* INSERT of the given fields, or UPDATE of every writable field; returns the new row JSON.
   scope: the manager's clusters (an array literal), NULL for an admin. */
static PGresult *write_row(struct dbconn *db, const struct resource *r, const json_t *obj, const char *key,
                           const char *scope) {
  struct buf sql, vals;
  struct sqlparams p = {0};
  buf_init(&sql);
  buf_init(&vals);
  if (key) {
    param_add(&p, strdup(key));
    buf_addf(&sql, "UPDATE %s AS t SET ", r->table);
  } else {
    buf_addf(&sql, "INSERT INTO %s AS t (", r->table);
  }
  int cols = 0;
  for (const struct field *f = r->fields; f->name; f++) {
    if (f->readonly || f->expr) continue;
    json_t *v = json_object_get(obj, f->name);
    if (!key && !v) continue; /* create: the column default applies */
    int n = param_add(&p, param_of(f, v));
    if (key) {
      buf_addf(&sql, "%s%s = ", cols ? ", " : "", f->name);
      add_param_expr(&sql, f, n);
    } else {
      buf_addf(&sql, "%s%s", cols ? ", " : "", f->name);
      if (cols) buf_adds(&vals, ", ");
      add_param_expr(&vals, f, n);
    }
    cols++;
  }
  if (sets_by_writer(r)) {
    int ws = param_add(&p, scope ? strdup(scope) : NULL);
    for (const struct field *f = r->fields; f->name; f++) {
      if (!f->set_by) continue;
      if (key) {
        buf_addf(&sql, "%s%s = %s(", cols ? ", " : "", f->name, f->set_by);
        add_set_by(&sql, &p, r, f, obj, true, ws);
      } else {
        buf_addf(&sql, "%s%s", cols ? ", " : "", f->name);
        buf_addf(&vals, "%s%s(", cols ? ", " : "", f->set_by);
        add_set_by(&vals, &p, r, f, obj, false, ws);
      }
      buf_addc(key ? &sql : &vals, ')');
      cols++;
    }
  }
  if (key) buf_addf(&sql, " WHERE t.%s = $1%s", r->key, r->key_is_uuid ? "::uuid" : "");
  else if (cols) buf_addf(&sql, ") VALUES (%s)", vals.data);
  else buf_adds(&sql, ") DEFAULT VALUES");
  buf_addf(&sql, " RETURNING t.%s::text, %s", r->key, r->sql_cols);
  PGresult *res = db_exec(db, sql.data, p.n, (const char *const *)p.v);
  if (res && r->reread && PQntuples(res) == 1) {
    char *k = strdup(PQgetvalue(res, 0, 0));
    buf_reset(&sql);
    buf_addf(&sql, "SELECT t.%s::text, %s FROM %s t WHERE t.%s = $1%s", r->key, r->sql_cols, r->table, r->key,
             r->key_is_uuid ? "::uuid" : "");
    PQclear(res);
    const char *kp[] = {k};
    res = db_exec(db, sql.data, 1, kp);
    free(k);
  }
  buf_free(&sql);
  buf_free(&vals);
  params_free(&p);
  return res;
}

void res_create(struct ctx *c) {
  if (!item_prelude(c, OP_CREATE) || !ctx_read_json(c, false)) return;
  json_t *obj = validate_whole(c, c->body, c->body, true);
  if (!obj) return;
  if (!owner_ok(c, obj)) { json_decref(obj); return; }
  struct dbconn *db = ctx_db(c);
  char *scope = writer_scope(c);
  PGresult *r = db ? write_row(db, c->res, obj, NULL, scope) : NULL;
  free(scope);
  json_decref(obj);
  if (!db) return;
  if (!r) { problem_db(c); return; }
  char location[256];
  snprintf(location, sizeof location, "%s/%s", c->res->path, PQgetvalue(r, 0, 0));
  set_header(c, "Location", location);
  respond_rep(c, 201, c->res, r);
  PQclear(r);
}

/* Locks the row whose `column` equals value and checks If-Match and the manager's scope.
   Answers and returns NULL when the request stops here; returns a result with no row when
   there is none and !must_exist. Columns: key[, in scope], representation. */
static PGresult *lock_row(struct ctx *c, struct dbconn *db, const char *column, const char *value, bool must_exist) {
  const struct resource *res = c->res;
  struct buf sql;
  buf_init(&sql);
  buf_addf(&sql, "SELECT t.%s::text", res->key);
  if (c->scoped) buf_addf(&sql, ", (%s)", res->scope_sql);
  buf_addf(&sql, ", %s FROM %s t WHERE t.%s = $1%s FOR UPDATE OF t", res->sql_cols, res->table, column,
           strcmp(column, res->key) == 0 && res->key_is_uuid ? "::uuid" : "");
  char *scope = c->scoped ? scope_literal(&c->who) : NULL;
  const char *params[] = {value, scope};
  PGresult *r = db_exec(db, sql.data, c->scoped ? 2 : 1, params);
  buf_free(&sql);
  free(scope);
  if (!r) { problem_db(c); return NULL; }
  const char *im = ctx_header(c, "If-Match");
  if (PQntuples(r) == 0) {
    if (!must_exist && !im) return r; /* with no row, any If-Match fails (RFC 9110 13.1.1) */
    PQclear(r);
    if (must_exist) problem(c, 404, "not_found", NULL, "No %s with this %s.", res->item, column);
    else problem(c, 412, "precondition_failed", NULL, "If-Match names a version, but there is no such %s.", res->item);
    return NULL;
  }
  if (c->scoped && strcmp(PQgetvalue(r, 0, 1), "t") != 0) {
    PQclear(r);
    if (res->scope_denied) problem(c, 403, "forbidden", NULL, "%s", res->scope_denied);
    else problem(c, 403, "forbidden", NULL, "This %s is outside the clusters your key manages.", res->item);
    return NULL;
  }
  char etag[40], *json = rep_text(res, r, 0);
  etag_of(json, etag);
  free(json);
  if (im && !etag_listed(im, etag, false)) {
    PQclear(r);
    set_header(c, "ETag", etag);
    problem(c, 412, "precondition_failed", NULL, "The %s changed since you read it (its ETag is now %s); read it again.",
            res->item, etag);
    return NULL;
  }
  return r;
}

void res_patch(struct ctx *c) {
  if (!item_prelude(c, OP_UPDATE) || !ctx_read_json(c, true)) return;
  struct verrors e = {0};
  schema_check_keys(c->res->fields, c->body, &e);
  if (e.items) { respond_invalid(c, &e); return; }
  struct dbconn *db = ctx_db(c);
  if (!db || !db_begin(db)) { if (db) problem_db(c); return; }
  PGresult *cur = lock_row(c, db, c->res->key, c->params[0], true), *r = NULL;
  json_t *current = NULL, *merged = NULL, *obj = NULL;
  if (!cur) goto rollback;
  char *json = rep_text(c->res, cur, 0);
  current = json_loads(json, 0, NULL);
  free(json);
  for (const struct field *f = c->res->fields; f->name; f++)
    if (f->readonly || f->expr) json_object_del(current, f->name);
  merged = merge_patch(current, c->body);
  obj = validate_whole(c, merged, c->body, false);
  if (!obj || !owner_ok(c, obj)) goto rollback;
  char *scope = writer_scope(c);
  r = write_row(db, c->res, obj, c->params[0], scope);
  free(scope);
  if (!r || !db_commit(db)) { problem_db(c); goto rollback; }
  respond_rep(c, 200, c->res, r);
  goto cleanup;
rollback:
  db_rollback(db);
cleanup:
  PQclear(cur);
  PQclear(r);
  json_decref(current);
  json_decref(merged);
  json_decref(obj);
}

void res_delete(struct ctx *c) {
  if (!item_prelude(c, OP_DELETE)) return;
  struct dbconn *db = ctx_db(c);
  if (!db || !db_begin(db)) { if (db) problem_db(c); return; }
  PGresult *cur = lock_row(c, db, c->res->key, c->params[0], true);
  if (!cur) { db_rollback(db); return; }
  PQclear(cur);
  struct buf sql;
  buf_init(&sql);
  buf_addf(&sql, "DELETE FROM %s t WHERE t.%s = $1%s", c->res->table, c->res->key, c->res->key_is_uuid ? "::uuid" : "");
  const char *params[] = {c->params[0]};
  PGresult *r = db_exec(db, sql.data, 1, params);
  buf_free(&sql);
  if (!r || !db_commit(db)) {
    problem_db(c);
    db_rollback(db);
  } else {
    respond_empty(c, 204);
  }
  PQclear(r);
}

/* PUT on a natural key (/v1/companies/siret/{siret}): create or replace, concurrency-safe.
   The row is locked when it exists; when it does not, a concurrent creation of the same key
   makes our INSERT fail on the unique constraint and we go round once more to update it. */
void res_upsert(struct ctx *c) {
  const struct resource *r = c->res;
  if (!item_prelude(c, OP_UPSERT) || !ctx_read_json(c, false)) return;
  const char *key = c->params[0];
  json_t *given = c->body;
  json_t *in_body = json_object_get(given, r->natural_key);
  if (in_body && !(json_is_string(in_body) && strcmp(json_string_value(in_body), key) == 0)) {
    struct verrors e = {0};
    verr_add(&e, r->natural_key, "invalid_value", "must be absent or equal the %s in the path", r->natural_key);
    respond_invalid(c, &e);
    return;
  }
  json_t *doc = json_copy(given);
  json_object_set_new(doc, r->natural_key, json_string(key));
  json_t *obj = validate_whole(c, doc, doc, false);
  json_decref(doc);
  if (!obj) return;
  struct dbconn *db = ctx_db(c);
  PGresult *cur = NULL, *res = NULL;
  for (int attempt = 0; db && attempt < 2 && !c->status; attempt++) {
    if (!db_begin(db)) { problem_db(c); break; }
    cur = lock_row(c, db, r->natural_key, key, false);
    if (!cur) { db_rollback(db); break; }
    bool exists = PQntuples(cur) > 0;
    const char *inm = ctx_header(c, "If-None-Match");
    if (exists && inm && strcmp(inm, "*") == 0) { /* create-only (RFC 9110 13.1.2) */
      PQclear(cur);
      cur = NULL;
      db_rollback(db);
      problem(c, 412, "precondition_failed", NULL, "If-None-Match: * asks to create only, and this %s exists.", r->item);
      break;
    }
    char *scope = writer_scope(c);
    res = write_row(db, r, obj, exists ? PQgetvalue(cur, 0, 0) : NULL, scope);
    free(scope);
    PQclear(cur);
    cur = NULL;
    if (!res && !exists && strcmp(db_last_sqlstate(), "23505") == 0 && attempt == 0) {
      db_rollback(db); /* created meanwhile: update it */
      continue;
    }
    if (!res || !db_commit(db)) {
      problem_db(c);
      db_rollback(db);
      break;
    }
    if (!exists) {
      char location[256];
      snprintf(location, sizeof location, "%s/%s", r->path, PQgetvalue(res, 0, 0));
      set_header(c, "Location", location);
    }
    respond_rep(c, exists ? 200 : 201, r, res);
  }
  PQclear(res);
  json_decref(obj);
}
