/* Render: a resource's rows written as JSON, NDJSON, CSV, GeoJSON or iCalendar, and the
   answers of items with their ETags. The writers are pure functions of the rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "engine.h"
#include "http.h"
#include "resource.h"
#include "text.h"

void res_rep_append_fields(struct buf *b, const struct resource *r, const PGresult *res, int row,
                           uint64_t fields) {
  if (!r->ncols) {
    buf_add(b, "{}", 2);
    return;
  }
  int col = PQnfields(res) - r->ncols, i = 0;
  bool first = true;
  const struct rep_key *key = r->rep_keys;
  for (const struct field *f = r->fields; f->name; f++, col++, key++, i++) {
    if (fields != FIELDS_ALL && !(fields >> i & 1)) continue;
    if (first == (i == 0)) {
      buf_add(b, key->text, key->len);
    } else { /* "{" for the first field written, "," for the others */
      buf_addc(b, first ? '{' : ',');
      buf_add(b, key->text + 1, key->len - 1);
    }
    first = false;
    if (PQgetisnull(res, row, col)) {
      buf_add(b, "null", 4);
      continue;
    }
    const char *v = PQgetvalue(res, row, col);
    switch (f->type) {
    case F_INT:
    case F_DECIMAL:
      if (v[0] == 'N' || v[0] == 'I' ||
          v[1] == 'I') { /* numeric NaN, ±Infinity: not JSON numbers */
        buf_add(b, "null", 4);
        break;
      }
      /* fall through */
    case F_TEXT_ARRAY:
    case F_CODE_ARRAY:
    case F_OBJECT:
    case F_MAP:
    case F_OBJECT_ARRAY:
      buf_add(b, v, (size_t)PQgetlength(res, row, col));
      break; /* numbers and json(b) text */
    case F_BOOL:
      if (v[0] == 't') buf_add(b, "true", 4);
      else buf_add(b, "false", 5);
      break;
    case F_TIMESTAMP: buf_add_pg_timestamp(b, v); break;
    default: buf_add_json_string(b, v);
    }
  }
  if (first) buf_addc(b, '{');
  buf_addc(b, '}');
}

void res_rep_append(struct buf *b, const struct resource *r, const PGresult *res, int row) {
  res_rep_append_fields(b, r, res, row, FIELDS_ALL);
}

/* The fields of the set, in out (terminated), for the columns of CSV. */
static const struct field *fields_of(const struct resource *r, uint64_t fields,
                                     struct field out[FIELDS_MAX + 1]) {
  if (fields == FIELDS_ALL) return r->fields;
  int n = 0, i = 0;
  for (const struct field *f = r->fields; f->name; f++, i++)
    if (fields >> i & 1) out[n++] = *f;
  memset(&out[n], 0, sizeof out[n]);
  return out;
}

char *res_rep_text(const struct resource *r, const PGresult *res, int row) {
  struct buf b;
  buf_init(&b);
  res_rep_append(&b, r, res, row);
  return buf_steal(&b);
}

/* ---- Lists ---- */

static void geojson_feature(struct buf *b, const struct resource *r, json_t *item) {
  json_t *loc = json_object_get(item, "location");
  json_t *geometry = json_null();
  if (json_is_object(loc) && json_is_number(json_object_get(loc, "lon")) &&
      json_is_number(json_object_get(loc, "lat")))
    geometry = json_pack("{s:s,s:[O,O]}", "type", "Point", "coordinates",
                         json_object_get(loc, "lon"), json_object_get(loc, "lat"));
  json_t *props = json_copy(item);
  json_object_del(props, "location");
  json_t *feature =
    json_pack("{s:s,s:O,s:o,s:o}", "type", "Feature", "id", json_object_get(item, r->key),
              "geometry", geometry, "properties", props);
  char *text = json_dumps(feature, JSON_COMPACT | JSON_REAL_PRECISION(15));
  buf_adds(b, text);
  free(text);
  json_decref(feature);
}

/* Appends one item, given as JSON text, in a format other than JSON and NDJSON. */
static void add_parsed(struct buf *b, const struct resource *r, enum format fmt,
                       enum csv_dialect csv, const char *json, bool first, uint64_t fields) {
  json_t *item = json_loads(json, 0, NULL);
  if (!item) return;
  if (fmt == FMT_CSV) {
    struct field some[FIELDS_MAX + 1];
    csv_row(b, fields_of(r, fields, some), item, csv);
  } else if (fmt == FMT_ICS) {
    r->ics(b, item);
  } else {
    if (!first) buf_addc(b, ',');
    geojson_feature(b, r, item);
  }
  json_decref(item);
}

void render_row(struct buf *b, const struct resource *r, enum format fmt, enum csv_dialect csv,
                const PGresult *res, int i, bool first, uint64_t fields) {
  if (fmt == FMT_JSON || fmt == FMT_NDJSON) {
    if (fmt == FMT_JSON && !first) buf_addc(b, ',');
    res_rep_append_fields(b, r, res, i, fields);
    if (fmt == FMT_NDJSON) buf_addc(b, '\n');
    return;
  }
  struct buf json;
  buf_init(&json);
  res_rep_append_fields(&json, r, res, i, fields);
  add_parsed(b, r, fmt, csv, json.data, first, fields);
  buf_free(&json);
}

void render_json_row(struct buf *b, const struct resource *r, enum format fmt, enum csv_dialect csv,
                     const char *json, size_t len, bool first) {
  if (fmt == FMT_JSON || fmt == FMT_NDJSON) {
    if (fmt == FMT_JSON && !first) buf_addc(b, ',');
    buf_add(b, json, len);
    if (fmt == FMT_NDJSON) buf_addc(b, '\n');
    return;
  }
  add_parsed(b, r, fmt, csv, json, first, FIELDS_ALL);
}

void render_list_head(struct buf *b, const struct resource *r, enum format fmt,
                      enum csv_dialect csv, uint64_t fields) {
  if (fmt == FMT_CSV) {
    struct field some[FIELDS_MAX + 1];
    csv_begin(b, csv);
    csv_header(b, fields_of(r, fields, some), csv);
  } else if (fmt == FMT_ICS) {
    buf_adds(b, ICS_HEAD);
  } else if (fmt == FMT_GEOJSON) {
    buf_adds(b, "{\"type\":\"FeatureCollection\",\"features\":[");
  } else {
    buf_adds(b, "{\"items\":[");
  }
}

void render_list_tail(struct buf *b, enum format fmt, const char *next, long total,
                      const char *extra) {
  if (fmt == FMT_ICS) {
    buf_adds(b, ICS_TAIL);
  } else if (fmt != FMT_CSV) {
    buf_adds(b, "],\"next\":");
    if (next) buf_add_json_string(b, next);
    else buf_adds(b, "null");
    if (total >= 0) buf_addf(b, ",\"total\":%ld", total);
    if (extra) buf_addf(b, ",%s", extra);
    buf_addc(b, '}');
  }
}

const char *render_media_type(enum format fmt) {
  return fmt == FMT_CSV   ? "text/csv; charset=utf-8"
         : fmt == FMT_ICS ? "text/calendar; charset=utf-8"
                          : fmt_media_type(fmt);
}

void render_ics_item(struct buf *b, const struct resource *r, const char *json) {
  buf_adds(b, ICS_HEAD);
  add_parsed(b, r, FMT_ICS, CSV_RFC4180, json, true, FIELDS_ALL);
  buf_adds(b, ICS_TAIL);
}

/* ---- Items ---- */

void res_etag(const char *json, char out[40]) {
  char hex[65];
  sha256_hex(json, strlen(json), hex);
  out[0] = '"';
  memcpy(out + 1, hex, 32);
  out[33] = '"';
  out[34] = '\0';
}

/* Does an If-Match / If-None-Match list hold this ETag (or *)? If-Match compares strongly
   (a weak tag never matches), If-None-Match weakly (W/"x" matches "x"), RFC 9110 13.1. */
bool res_etag_listed(const char *header, const char *etag, bool weak) {
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

bool res_if_match(struct ctx *c, const struct resource *r, const PGresult *res, char etag[40]) {
  const char *im = ctx_header(c, "If-Match");
  if (!im) return true;
  char *json = res_rep_text(r, res, 0);
  res_etag(json, etag);
  free(json);
  if (res_etag_listed(im, etag, false)) return true;
  http_set_header(c, "ETag", etag);
  return false;
}

void res_respond_item(struct ctx *c, int status, const char *json) {
  char etag[40];
  res_etag(json, etag);
  http_set_header(c, "ETag", etag);
  http_respond_json(c, status, json);
}

void res_respond_rep(struct ctx *c, int status, const struct resource *r, const PGresult *res) {
  char *json = res_rep_text(r, res, 0);
  res_respond_item(c, status, json);
  free(json);
}

void res_respond_invalid(struct ctx *c, struct verrors *e) {
  const char *first = json_string_value(json_object_get(json_array_get(e->items, 0), "field"));
  size_t n = json_array_size(e->items);
  http_problem(c, 422, "validation_failed", e->items, "%zu field%s invalid, starting with '%s'.", n,
               n == 1 ? " is" : "s are", first);
  e->items = NULL;
}
