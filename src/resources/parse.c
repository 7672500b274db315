/* Parse: the query string and the body of a request on a resource, checked against the
   resource's tables in one pass and turned into a typed request (include/engine.h). Every
   400, 406 and 422 that the request's own text deserves is decided here; nothing here reads
   the database. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cursor.h"
#include "mem.h"
#include "engine.h"
#include "http.h"
#include "reltime.h"
#include "strv.h"
#include "text.h"
#include "validate.h"

static const char *const list_params[] = {"limit",  "cursor", "sort",   "count",
                                          "format", "csv",    "fields", NULL};

static bool parse_sort(struct ctx *c, const struct resource *r, struct sort *s) {
  const char *spec = query_get(&c->query, "sort");
  if (!spec && r->since_sort && query_get(&c->query, "updated_since")) spec = r->since_sort;
  if (!spec) spec = r->default_sort;
  snprintf(s->spec, sizeof s->spec, "%s", spec);
  s->desc = spec[0] == '-';
  const char *name = spec + (s->desc || spec[0] == '+');
  s->field = NULL;
  if (strcmp(name, r->key) == 0) return true;
  const struct field *f = res_field(r, name);
  if (f && f->sort) {
    s->field = f;
    return true;
  }
  struct buf allowed;
  buf_init(&allowed);
  for (const struct field *g = r->fields; g->name; g++)
    if (g->sort || strcmp(g->name, r->key) == 0)
      buf_addf(&allowed, "%s%s", allowed.len ? ", " : "", g->name);
  json_t *errs = json_pack("[{s:s,s:s,s:s}]", "field", "sort", "code", "invalid_value", "message",
                           "not a sortable field");
  http_problem(c, 400, "invalid_query", errs,
               "Cannot sort by '%s'; sortable fields: %s (prefix with - for descending).", name,
               allowed.data);
  buf_free(&allowed);
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
  case C_EXTERNAL_REF: return external_ref_valid(v);
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

/* near=lat,lon and radius_km: three values (lat, lon, metres). */
static bool parse_near(struct ctx *c, const char *value, struct cond *k) {
  const char *end;
  double lat = 0, lon = 0, radius = 10;
  bool ok = decimal(value, ',', &lat, &end) && decimal(end + 1, '\0', &lon, &end) && lat >= -90 &&
            lat <= 90 && lon >= -180 && lon <= 180;
  if (!ok)
    return http_bad_param(
      c, "invalid_query", "invalid filter value", k->flt->param,
      "'%s' is not a valid '%s': latitude,longitude in degrees, e.g. 46.06,6.58.", value,
      k->flt->param);
  const char *r = query_get(&c->query, k->flt->companion);
  if (r && (!decimal(r, '\0', &radius, &end) || !(radius > 0 && radius <= 1000)))
    return http_bad_param(c, "invalid_query", "invalid filter value", k->flt->companion,
                          "'%s' is not a valid '%s': kilometres, more than 0 and at most 1000.", r,
                          k->flt->companion);
  char num[32];
  snprintf(num, sizeof num, "%.7f", lat);
  k->vals[k->nvals++] = xstrdup(num);
  snprintf(num, sizeof num, "%.7f", lon);
  k->vals[k->nvals++] = xstrdup(num);
  snprintf(num, sizeof num, "%.1f", radius * 1000);
  k->vals[k->nvals++] = xstrdup(num);
  return true;
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
  return reltime_resolve(value, *now_us, date_only, text) ? xstrdup(text) : NULL;
}

/* One filter's value into cond k: false after answering 400. */
static bool parse_cond(struct ctx *c, const char *value, long long *now_us, struct cond *k) {
  const struct filter *flt = k->flt;
  switch (flt->value) {
  case V_CHOICE: { /* comma-separated = any of */
    char **items = split_commas(value);
    bool ok = true;
    for (char **it = items; ok && *it; it++) {
      int i = 0;
      while (flt->values[i] && strcmp(flt->values[i], *it) != 0) i++;
      if (!flt->values[i])
        ok = http_bad_param(c, "invalid_query", "invalid filter value", flt->param,
                            "'%s' is not a valid value of '%s'.", *it, flt->param);
      else k->choices |= 1u << i;
    }
    if (ok && !k->choices)
      ok = http_bad_param(c, "invalid_query", "invalid filter value", flt->param,
                          "Empty value '%s' for '%s'.", value, flt->param);
    strv_free(items);
    return ok;
  }
  case V_NEAR: return parse_near(c, value, k);
  case V_IN:
  case V_LIST: { /* a list's items are checked one by one */
    char **items = split_commas(value);
    bool ok = items[0] != NULL;
    if (!ok)
      http_bad_param(c, "invalid_query", "invalid filter value", flt->param,
                     "Empty value '%s' for '%s'.", value, flt->param);
    for (char **it = items; ok && *it; it++)
      if (!value_ok(flt, *it))
        ok = http_bad_param(c, "invalid_query", "invalid filter value", flt->param,
                            "'%s' is not a valid value of '%s'.", *it, flt->param);
    if (ok) {
      k->one = flt->value == V_IN && !items[1];
      k->vals[k->nvals++] = k->one ? xstrdup(items[0]) : sqlb_array(items);
    }
    strv_free(items);
    return ok;
  }
  default: break;
  }
  /* an external id is a namespace (40), ':' and a value of 200 characters */
  int max = flt->check == C_EXTERNAL_REF ? 241 : 200;
  if (flt->check == C_EXTERNAL_REF ? utf8_chars(value) > (size_t)max : strlen(value) > 200) {
    char head[24]; /* the value's start, cut between two characters */
    snprintf(head, sizeof head, "%.*s", utf8_cut(value, 20), value);
    return http_bad_param(c, "invalid_query", "invalid filter value", flt->param,
                          "The value '%s...' of '%s' is too long (%d characters at most).", head,
                          flt->param, max);
  }
  if (flt->value == V_TIMESTAMP || flt->check == C_DATE) {
    bool date_only = flt->value != V_TIMESTAMP;
    char *v = NULL;
    if (strncmp(value, "now", 3) == 0) {
      if (!(v = relative_time(value, now_us, date_only)))
        return http_bad_param(
          c, "invalid_query", "invalid filter value", flt->param,
          "'%s' is not a relative time for '%s': now, or now then + or -, 1 to 6 "
          "digits and a unit s, m (minutes), h, d or w, within 100 years (now-7d, now+2h).",
          value, flt->param);
    } else if (date_only ? !date_valid(value) : !datetime_valid(value) && !date_valid(value)) {
      return http_bad_param(
        c, "invalid_query", "invalid filter value", flt->param,
        date_only
          ? "'%s' is not a date (YYYY-MM-DD) or a relative time (now, now-7d) for '%s'."
          : "'%s' is not an RFC 3339 date-time, a date or a relative time (now, now-7d) for '%s'.",
        value, flt->param);
    }
    k->vals[k->nvals++] = v ? v : xstrdup(value);
    return true;
  }
  if (flt->check && !value_ok(flt, value))
    return http_bad_param(c, "invalid_query", "invalid filter value", flt->param,
                          "'%s' is not a valid value of '%s'.", value, flt->param);
  k->vals[k->nvals++] = xstrdup(value);
  return true;
}

/* The filters into q->conds, and the hash that binds cursors to them. */
static bool parse_filters(struct ctx *c, struct list_req *q) {
  const struct resource *r = q->res;
  struct buf canon;
  buf_init(&canon);
  bool ok = true;
  long long now_us = -1;
  q->public_only = r->public_sql && c->who.role == ROLE_ANONYMOUS;
  if (q->public_only) buf_adds(&canon, "public&");
  if (r->parent) { /* the parent's key binds cursors too */
    q->parent = xstrdup(c->params[0]);
    buf_addf(&canon, "parent=%s&", q->parent);
  }
  for (const struct filter *flt = r->filters; flt && flt->param && ok; flt++) {
    const char *value = query_get(&c->query, flt->param);
    const char *companion = flt->companion ? query_get(&c->query, flt->companion) : NULL;
    if (companion && !value) {
      ok = http_bad_param(c, "invalid_query", "invalid filter value", flt->companion,
                          "'%s' is only meaningful with the '%s' parameter.", flt->companion,
                          flt->param);
      break;
    }
    if (!value && flt->value == V_CHOICE) value = flt->dflt;
    if (!value) continue;
    buf_addf(&canon, "%s=%s&", flt->param, value);
    if (companion) buf_addf(&canon, "%s=%s&", flt->companion, companion);
    struct cond *k = &q->conds[q->nconds++];
    k->flt = flt;
    ok = parse_cond(c, value, &now_us, k);
  }
  char hex[65];
  sha256_hex(canon.data ? canon.data : "", canon.len, hex);
  memcpy(q->filter_hash, hex, 16);
  q->filter_hash[16] = '\0';
  buf_free(&canon);
  return ok;
}

static bool member_is(const json_t *o, const char *key, const char *expected) {
  const char *v = json_string_value(json_object_get(o, key));
  return v && strcmp(v, expected) == 0;
}

/* ?cursor=: false (after answering 400) when it is not ours or not for this list. */
static bool parse_cursor(struct ctx *c, struct list_req *q) {
  const char *cur = query_get(&c->query, "cursor");
  if (!cur) return true;
  json_t *pl = cursor_decode(app.secret, sizeof app.secret, cur);
  const char *reason = NULL;
  if (!pl) reason = "is malformed or was not issued by this API";
  else if (!member_is(pl, "r", q->res->name)) reason = "belongs to another resource";
  else if (!member_is(pl, "s", q->sort.spec)) reason = "was issued for another sort";
  else if (!member_is(pl, "f", q->filter_hash)) reason = "was issued for other filters";
  else if (!json_is_string(json_object_get(pl, "k"))) reason = "is malformed";
  if (reason) {
    json_decref(pl);
    json_t *errs =
      json_pack("[{s:s,s:s,s:s}]", "field", "cursor", "code", "invalid_value", "message", reason);
    http_problem(c, 400, "invalid_cursor", errs,
                 "This cursor %s; start again without it, keeping the same filters and sort.",
                 reason);
    return false;
  }
  q->cursor = pl;
  q->after_value = json_string_value(json_object_get(pl, "v"));
  q->after_key = json_string_value(json_object_get(pl, "k"));
  if (q->res->key_is_uuid && !uuid_valid(q->after_key)) {
    http_problem(c, 400, "invalid_cursor", NULL, "This cursor is malformed.");
    return false;
  }
  return true;
}

/* fields=a,b: the set of fields the answer shows (the key always; GeoJSON's geometry reads
   location); FIELDS_ALL without it. False after answering 400. */
static bool parse_fields(struct ctx *c, const struct resource *r, enum format fmt, uint64_t *out) {
  *out = FIELDS_ALL;
  const char *spec = query_get(&c->query, "fields");
  if (!spec) return true;
  if (fmt == FMT_ICS)
    return http_bad_param(c, "invalid_query", "invalid value", "fields",
                          "An iCalendar answer has the fields iCalendar needs: fields= does not "
                          "apply to it.");
  uint64_t set = 0;
  char **names = split_commas(spec);
  bool ok = names && names[0];
  for (char **n = names; ok && *n; n++) {
    int i = 0;
    const struct field *f = r->fields;
    while (f->name && strcmp(f->name, *n) != 0) f++, i++;
    if (f->name && i < FIELDS_MAX) {
      set |= 1ull << i;
      continue;
    }
    struct buf known;
    buf_init(&known);
    for (const struct field *g = r->fields; g->name; g++)
      buf_addf(&known, "%s%s", known.len ? ", " : "", g->name);
    http_bad_param(c, "invalid_query", "invalid value", "fields",
                   "'%s' is not a field of this list; its fields: %s.", *n, known.data);
    buf_free(&known);
    strv_free(names);
    return false;
  }
  strv_free(names);
  if (!ok)
    return http_bad_param(c, "invalid_query", "invalid value", "fields",
                          "Name the fields to show, separated by commas (the %s always comes).",
                          r->key);
  int i = 0;
  for (const struct field *f = r->fields; f->name && i < FIELDS_MAX; f++, i++)
    if (strcmp(f->name, r->key) == 0 || (fmt == FMT_GEOJSON && strcmp(f->name, "location") == 0))
      set |= 1ull << i;
  *out = set;
  return true;
}

bool parse_list(struct ctx *c, struct list_req *q) {
  const struct resource *r = c->res;
  memset(q, 0, sizeof *q);
  q->res = r;
  const char *filter_names[2 * LIST_MAX_CONDS + 1] = {0};
  size_t nf = 0;
  for (const struct filter *f = r->filters; f && f->param && nf + 2 < (size_t)2 * LIST_MAX_CONDS;
       f++) {
    filter_names[nf++] = f->param;
    if (f->companion) filter_names[nf++] = f->companion;
  }
  if (!ctx_allow_params(c, list_params, filter_names)) return false;
  q->fmt = fmt_negotiate(ctx_header(c, "Accept"), query_get(&c->query, "format"), r->formats);
  if (!q->fmt) {
    http_problem(c, 406, "not_acceptable", NULL, "This list is available as %s%s%s%s%s.",
                 "application/json (format=json)",
                 r->formats & FMT_CSV ? ", text/csv (format=csv)" : "",
                 r->formats & FMT_GEOJSON ? ", application/geo+json (format=geojson)" : "",
                 r->formats & FMT_NDJSON ? ", application/x-ndjson (format=ndjson)" : "",
                 r->formats & FMT_ICS ? ", text/calendar (format=ics)" : "");
    return false;
  }
  if (!ctx_csv_dialect(c, q->fmt, &q->csv) || !parse_fields(c, r, q->fmt, &q->fields)) return false;
  q->limit = LIST_LIMIT_DEFAULT;
  const char *lim = query_get(&c->query, "limit");
  if (lim && !long_valid(lim, 1, LIST_LIMIT_MAX, &q->limit))
    return http_bad_param(c, "invalid_query", "invalid filter value", "limit",
                          "'%s' is not a valid '%s': an integer from 1 to 500.", lim, "limit");
  const char *cnt = query_get(&c->query, "count");
  if (cnt && strcmp(cnt, "true") != 0 && strcmp(cnt, "false") != 0)
    return http_bad_param(c, "invalid_query", "invalid filter value", "count",
                          "'%s' is not a valid '%s': true or false.", cnt, "count");
  q->count = cnt && strcmp(cnt, "true") == 0;
  return parse_sort(c, r, &q->sort) && parse_filters(c, q) && parse_cursor(c, q);
}

void parse_list_free(struct list_req *q) {
  for (int i = 0; i < q->nconds; i++)
    for (int j = 0; j < q->conds[i].nvals; j++) free(q->conds[i].vals[j]);
  q->nconds = 0;
  free(q->parent);
  free(q->scope);
  q->parent = q->scope = NULL;
  json_decref(q->cursor);
  q->cursor = NULL;
}

/* A key in the path that cannot exist (malformed UUID) is a 404, like any missing item. */
bool parse_key(struct ctx *c) {
  const char *k = c->params[0];
  bool ok = c->res->key_is_uuid ? uuid_valid(k) : (k && strlen(k) <= 16);
  if (!ok)
    http_problem(c, 404, "not_found", NULL, "No %s with this %s.", c->res->item, c->res->key);
  return ok;
}

bool parse_item_accept(struct ctx *c, enum op op) {
  unsigned ics = op == OP_READ ? (c->res->formats & FMT_ICS) : 0;
  if (fmt_negotiate(ctx_header(c, "Accept"), NULL, FMT_JSON | ics)) return true;
  http_problem(c, 406, "not_acceptable", NULL, "Items are available as application/json%s only.",
               ics ? " or text/calendar" : "");
  return false;
}

json_t *parse_whole(const struct resource *r, const json_t *doc, const json_t *given, bool create,
                    struct verrors *e) {
  json_t *obj = schema_validate(r->fields, doc, create, e);
  if (obj && r->normalize) r->normalize(obj, given, e);
  return obj;
}
