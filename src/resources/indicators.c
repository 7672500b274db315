/* Yearly indicators of a cluster: one declaration per year, written by PUT and DELETE on
   /v1/clusters/{id}/indicators/{year} (a link whose other end is the year) and listed under
   the cluster with what Grappe computes itself beside the declared values. Declarations are
   the cluster's own figures: readers, admins and the cluster's managers see them; the public
   sees them only through the benchmark's distributions. Every cluster's declarations are
   also listed whole, for syncing (/v1/indicators). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "http.h"
#include "negotiate.h"
#include "resource.h"
#include "validate.h"

static const struct field computed_fields[] = {
  {"members", F_INT, .readonly = true},
  {"projects_started", F_INT, .readonly = true},
  {"events_held", F_INT, .readonly = true},
  {NULL},
};

/* A declaration's fields: the declared values, then (the nested list) what Grappe computes
   of the year, a function over memberships, projects and events run per row, which the whole
   table for syncing leaves out (the feed and the nested list have it). */
#define DECLARED_COUNT(name, most) \
  { name, F_INT, .nullable = true, .has_range = true, .min = 0, .max_num = (most) }
#define DECLARED_DECIMAL(name, most)                                               \
  {                                                                                \
    name, F_DECIMAL, .nullable = true, .decimals = 2, .has_range = true, .min = 0, \
                     .max_num = (most)                                             \
  }
#define INDICATOR_DECLARED                                                                    \
  {"id", F_UUID, .readonly = true}, {"cluster_id", F_UUID, .readonly = true},                 \
    {"year", F_INT, .readonly = true, .sort = true}, DECLARED_COUNT("members", 1000000),      \
    DECLARED_DECIMAL("staff_fte", 500), DECLARED_DECIMAL("budget_eur", 1e12),                 \
    DECLARED_DECIMAL("public_funding_eur", 1e12), DECLARED_COUNT("projects_started", 100000), \
    DECLARED_COUNT("events_held", 100000)
#define INDICATOR_BOOKKEEPING                                                          \
  {"version", F_INT, .readonly = true}, {"created_at", F_TIMESTAMP, .readonly = true}, \
    {"updated_at", F_TIMESTAMP, .readonly = true, .sort = true}, {                     \
    NULL                                                                               \
  }

static const struct field indicator_fields[] = {
  INDICATOR_DECLARED,
  {"computed", F_OBJECT, .expr = "indicator_computed(t.cluster_id, t.year)",
   .sub = computed_fields},
  INDICATOR_BOOKKEEPING,
};

static const struct field indicator_table_fields[] = {INDICATOR_DECLARED, INDICATOR_BOOKKEEPING};

static const struct filter indicator_filters[] = {
  {"year", V_IN, "t.year = $1", .type = "int", .check = C_YEAR},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {NULL},
};

static const struct filter indicator_table_filters[] = {
  {"cluster", V_IN, "t.cluster_id = $1", .type = "uuid", .check = C_UUID},
  {"year", V_IN, "t.year = $1", .type = "int", .check = C_YEAR},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {NULL},
};

static const struct parent of_cluster = {
  "t.cluster_id = $1::uuid", "SELECT 1 FROM clusters WHERE id = $1::uuid", "cluster",
  "SELECT 1 FROM clusters WHERE id = $1::uuid AND id = ANY($2::uuid[])"};

/* A public funding larger than the budget it is a share of is a typing error. */
static void normalize_indicator(json_t *obj, const json_t *given, struct verrors *e) {
  (void)given;
  json_t *budget = json_object_get(obj, "budget_eur"),
         *pub = json_object_get(obj, "public_funding_eur");
  if (json_is_number(budget) && json_is_number(pub) &&
      json_number_value(pub) > json_number_value(budget))
    verr_add(e, "public_funding_eur", "invalid_value",
             "must not exceed budget_eur (it is the public share of the budget)");
}

int indicator_last_year(void) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  return tm.tm_year + 1900 + 1;
}

/* Declarations run from 1990 to next year (a budget voted in advance). */
static void check_year(const char *value, struct verrors *e) {
  long y = atol(value);
  if (y < 1990 || y > indicator_last_year())
    verr_add(e, "year", "out_of_range", "must be a year from 1990 to %d", indicator_last_year());
}

struct resource resource_indicators = {
  .name = "indicators",
  .item = "indicator",
  .table = "indicators",
  .path = "/v1/clusters",
  .key = "id",
  .key_is_uuid = true,
  .fields = indicator_fields,
  .filters = indicator_filters,
  .default_sort = "-year",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = res_authorize_scoped_read,
  .parent = &of_cluster,
  .normalize = normalize_indicator,
  .check_path = check_year,
  .list_extra_name = "current",
  .list_extra_sql =
    "SELECT (jsonb_build_object('year', y) || indicator_computed($1::uuid, y)::jsonb)::text "
    "FROM (SELECT extract(year FROM current_date)::int AS y) n",
};

/* The whole table, for syncing: the declarations without `computed`; readers and admins,
   a manager the rows of its clusters (cluster= naming another is 403), never anonymous. */
struct resource resource_indicator_table = {
  .name = "indicator_table",
  .item = "indicator",
  .table = "indicators",
  .path = "/v1/indicators",
  .key = "id",
  .key_is_uuid = true,
  .fields = indicator_table_fields,
  .filters = indicator_table_filters,
  .default_sort = "-year",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = res_authorize_scoped_read,
  .scope_sql = "t.cluster_id = ANY($1::uuid[])",
  .scope_param = "cluster",
  .since_sort = "updated_at",
  .row_pure = true,
};
