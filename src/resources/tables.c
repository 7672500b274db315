/* The resources' tables, made ready once at start: each resource's representation columns,
   the keys of its JSON, and its item SELECT (docs/architecture.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "engine.h"
#include "resource.h"

static struct resource *const all_resources[] = {
  &resource_clusters,         &resource_regions,
  &resource_departments,      &resource_companies,
  &resource_partners,         &resource_cluster_members,
  &resource_company_clusters, &resource_cluster_partners,
  &resource_events,           &resource_registrations,
  &resource_projects,         &resource_indicators,
  &resource_membership_table, &resource_cluster_partner_table,
  &resource_indicator_table};
#define NRESOURCES (sizeof all_resources / sizeof all_resources[0])

const char *res_sql_type(enum ftype t) {
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
  case F_OBJECT_ARRAY:
  case F_MAP: return "jsonb";
  default: return "text";
  }
}

char *res_param_text(const struct field *f, const json_t *v) {
  if (!v || json_is_null(v)) return NULL;
  char *out = NULL;
  switch (f->type) {
  case F_INT: return json_is_integer(v) ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
  case F_DECIMAL: {
    char tmp[64];
    if (f->decimals) snprintf(tmp, sizeof tmp, "%.*f", f->decimals, json_number_value(v));
    else snprintf(tmp, sizeof tmp, "%.17g", json_number_value(v));
    out = xstrdup(tmp);
    break;
  }
  case F_BOOL: out = xstrdup(json_is_true(v) ? "true" : "false"); break;
  case F_TEXT_ARRAY:
  case F_CODE_ARRAY:
  case F_OBJECT:
  case F_MAP:
  /* 15 significant digits: 46.06 stays 46.06 instead of 46.060000000000002 */
  case F_OBJECT_ARRAY:
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  default:
    if (!json_is_string(v)) return NULL;
    out = xstrdup(json_string_value(v));
  }
  return out;
}

/* The representation is read column by column in PostgreSQL's text form (dates and
   timestamps in DateStyle ISO and time zone UTC, which every pooled connection sets) and
   written as JSON by res_rep_append: json_build_object and to_char cost PostgreSQL three to
   four times the reading of the row itself (docs/benchmarks.md). */
static char *build_cols(struct resource *r) {
  struct buf b;
  buf_init(&b);
  r->ncols = 0;
  for (const struct field *f = r->fields; f->name; f++, r->ncols++) {
    const char *sep = r->ncols ? ", " : "";
    if (f->expr) buf_addf(&b, "%s(%s)", sep, f->expr);
    else if (f->type == F_TEXT_ARRAY || f->type == F_CODE_ARRAY)
      buf_addf(&b, "%sto_json(t.%s)", sep, f->name); /* text[], uuid[] */
    else buf_addf(&b, "%st.%s", sep, f->name);
  }
  if (r->ncols > FIELDS_MAX) { /* fields= names them by a bit each */
    fprintf(stderr, "grappe: resource %s has more than %d fields\n", r->name, FIELDS_MAX);
    abort();
  }
  r->rep_keys = xcalloc((size_t)r->ncols, sizeof *r->rep_keys);
  int i = 0;
  for (const struct field *f = r->fields; f->name;
       f++, i++) { /* names are identifiers: nothing to escape */
    struct buf k;
    buf_init(&k);
    buf_addf(&k, "%c\"%s\":", i ? ',' : '{', f->name);
    r->rep_keys[i].len = k.len;
    r->rep_keys[i].text = buf_steal(&k);
  }
  return buf_steal(&b);
}

void res_init(void) {
  for (size_t i = 0; i < NRESOURCES; i++) {
    struct resource *r = all_resources[i];
    if (r->sql_cols) continue;
    r->index = (int)i;
    r->sql_cols = build_cols(r);
    struct buf b;
    buf_init(&b);
    if (r->row_pure) {
      r->sql_tag =
        xstrdup(res_field(r, "version") ? "t.xmin::text || ':' || t.version" : "t.xmin::text");
    }
    buf_addf(&b, "SELECT %s FROM %s t WHERE t.%s = $1%s", r->sql_cols, r->table, r->key,
             r->key_is_uuid ? "::uuid" : "");
    r->sql_item = buf_steal(&b);
    if (r->public_sql) {
      buf_addf(&b, "%s AND (%s)", r->sql_item, r->public_sql);
      r->sql_item_public = buf_steal(&b);
    }
    if (r->external_kind) { /* one probe of external_ids' key, then the lookup by id */
      buf_addf(&b,
               "SELECT %s FROM %s t WHERE t.id = (SELECT e.id FROM external_ids e WHERE "
               "e.kind = '%s' AND e.ns = $1 AND e.value = $2)",
               r->sql_cols, r->table, r->external_kind);
      r->sql_item_external = buf_steal(&b);
      if (r->public_sql) {
        buf_addf(&b, "%s AND (%s)", r->sql_item_external, r->public_sql);
        r->sql_item_external_public = buf_steal(&b);
      }
    }
  }
}

void res_free(void) {
  for (size_t i = 0; i < NRESOURCES; i++) {
    struct resource *r = all_resources[i];
    for (int k = 0; r->rep_keys && k < r->ncols; k++) free(r->rep_keys[k].text);
    free(r->rep_keys);
    r->rep_keys = NULL;
    free(r->sql_cols);
    free(r->sql_item);
    free(r->sql_item_public);
    free(r->sql_item_external);
    free(r->sql_item_external_public);
    free(r->sql_tag);
    r->sql_cols = r->sql_item = r->sql_item_public = r->sql_tag = NULL;
    r->sql_item_external = r->sql_item_external_public = NULL;
  }
}

const struct field *res_field(const struct resource *r, const char *name) {
  for (const struct field *f = r->fields; f->name; f++)
    if (strcmp(f->name, name) == 0) return f;
  return NULL;
}
