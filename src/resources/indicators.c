/* Yearly indicators of a cluster: one declaration per year, written by PUT and DELETE on
   /v1/clusters/{id}/indicators/{year} (a link whose other end is the year) and listed under
   the cluster with what Grappe computes itself beside the declared values. Declarations are
   the cluster's own figures: readers, admins and the cluster's managers see them; the public
   sees them only through the benchmark's distributions. */
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

static const struct field indicator_fields[] = {
  {"id", F_UUID, .readonly = true},
  {"cluster_id", F_UUID, .readonly = true},
  {"year", F_INT, .readonly = true, .sort = true},
  {"members", F_INT, .nullable = true, .has_range = true, .min = 0, .max_num = 1000000},
  {"staff_fte", F_DECIMAL, .nullable = true, .decimals = 2, .has_range = true, .min = 0,
   .max_num = 500},
  {"budget_eur", F_DECIMAL, .nullable = true, .decimals = 2, .has_range = true, .min = 0,
   .max_num = 1e12},
  {"public_funding_eur", F_DECIMAL, .nullable = true, .decimals = 2, .has_range = true, .min = 0,
   .max_num = 1e12},
  {"projects_started", F_INT, .nullable = true, .has_range = true, .min = 0, .max_num = 100000},
  {"events_held", F_INT, .nullable = true, .has_range = true, .min = 0, .max_num = 100000},
  {"computed", F_OBJECT, .expr = "indicator_computed(t.cluster_id, t.year)",
   .sub = computed_fields},
  {"version", F_INT, .readonly = true},
  {"created_at", F_TIMESTAMP, .readonly = true},
  {"updated_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {NULL},
};

static const struct filter indicator_filters[] = {
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
