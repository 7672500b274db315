/* Clusters: the field table is the resource. */
#include "codelists.h"
#include "http.h"
#include "negotiate.h"
#include "resource.h"

const struct field address_fields[] = {
  {"street", F_TEXT, .nullable = true, .max = 200},
  {"postal_code", F_TEXT, .nullable = true, .check = C_POSTAL},
  {"city", F_TEXT, .nullable = true, .max = 100},
  {"commune_code", F_TEXT, .nullable = true, .check = C_COMMUNE},
  {NULL},
};

const struct field location_fields[] = {
  {"lat", F_DECIMAL, .required = true, .has_range = true, .min = -90, .max_num = 90},
  {"lon", F_DECIMAL, .required = true, .has_range = true, .min = -180, .max_num = 180},
  {NULL},
};

static const struct field label_fields[] = {
  {"scheme", F_ENUM, .required = true, .values = codelist_label_scheme},
  {"level", F_ENUM, .nullable = true, .values = codelist_label_level},
  {"awarded_on", F_DATE, .nullable = true},
  {"valid_until", F_DATE, .nullable = true, .not_before = "awarded_on"},
  {NULL},
};

static const struct field cluster_fields[] = {
  {"id", F_UUID, .readonly = true},
  {"name", F_TEXT, .required = true, .max = 200, .sort = true},
  {"acronym", F_TEXT, .nullable = true, .max = 30, .sort = true},
  {"kind", F_ENUM, .required = true, .values = codelist_cluster_kind},
  {"description", F_TEXT, .nullable = true, .max = 10000},
  {"sectors", F_TEXT_ARRAY, .max = 30},
  {"siren", F_TEXT, .nullable = true, .check = C_SIREN},
  {"founded_on", F_DATE, .nullable = true, .sort = true},
  {"website", F_TEXT, .nullable = true, .max = 500, .check = C_URL},
  {"email", F_TEXT, .nullable = true, .max = 254, .check = C_EMAIL},
  {"phone", F_TEXT, .nullable = true, .max = 30, .check = C_PHONE},
  {"address", F_OBJECT, .nullable = true, .sub = address_fields},
  {"region_codes", F_CODE_ARRAY, .max = 18, .check = C_REGION},
  {"department_codes", F_CODE_ARRAY, .max = 101, .check = C_DEPARTMENT},
  {"location", F_OBJECT, .nullable = true, .sub = location_fields},
  {"staff_fte", F_DECIMAL, .nullable = true, .decimals = 2, .has_range = true, .min = 0,
   .max_num = 500, .sort = true},
  {"maturity", F_ENUM, .nullable = true, .values = codelist_maturity},
  {"status", F_ENUM, .values = codelist_cluster_status},
  {"labels", F_OBJECT_ARRAY, .max = 20, .sub = label_fields},
  /* Kept as deltas by the companies' triggers (sql/migrations/0020_cluster_totals.sql). */
  {"member_count", F_INT,
   .expr =
     "SELECT coalesce(sum(k.members), 0)::bigint FROM cluster_totals k WHERE k.cluster_id = t.id"},
  {"jobs", F_INT,
   .expr =
     "SELECT coalesce(sum(k.jobs), 0)::bigint FROM cluster_totals k WHERE k.cluster_id = t.id"},
  {"external_ids", F_MAP, .nullable = true, .max = 20},
  {"version", F_INT, .readonly = true},
  {"created_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {"updated_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {NULL},
};

static const struct filter cluster_filters[] = {
  {"q", V_SEARCH, "t.search @@ websearch_to_tsquery('grappe_fr', $1)", .values = NULL},
  {"kind", V_IN, "t.kind = $1", .type = "text", .values = codelist_cluster_kind, .literal = true},
  {"status", V_IN, "t.status = $1", .type = "text", .values = codelist_cluster_status,
   .literal = true},
  {"maturity", V_IN, "t.maturity = $1", .type = "text", .values = codelist_maturity,
   .literal = true},
  {"region", V_LIST, "t.region_codes && $1::text[]", .check = C_REGION},
  {"department", V_LIST, "t.department_codes && $1::text[]", .check = C_DEPARTMENT},
  {"sector", V_LIST, "t.sectors && $1::text[]", .values = NULL},
  {"label", V_LIST, "label_schemes(t.labels) && $1::text[]", .values = codelist_label_scheme},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {"external_id", V_TEXT,
   "t.id = (SELECT e.id FROM external_ids e WHERE e.kind = 'cluster' AND "
   "e.ns = split_part($1, ':', 1) AND e.value = substr($1, strpos($1, ':') + 1))",
   .check = C_EXTERNAL_REF},
  {NULL},
};

/* Anyone reads; admins create and delete; a manager changes the clusters of its scope. */
static int authorize(const struct principal *who, enum op op, const char *id) {
  switch (op) {
  case OP_READ: return 0;
  case OP_UPDATE:
    if (who->role == ROLE_ADMIN || http_principal_manages(who, id)) return 0;
    return who->role == ROLE_ANONYMOUS ? 401 : 403;
  case OP_UPSERT: /* by an external id: a manager changes its own clusters (scope_sql) */
    if (who->role == ROLE_ADMIN) return 0;
    return who->role == ROLE_MANAGER ? AUTH_SCOPED : who->role == ROLE_ANONYMOUS ? 401 : 403;
  default:
    if (who->role == ROLE_ADMIN) return 0;
    return who->role == ROLE_ANONYMOUS ? 401 : 403;
  }
}

struct resource resource_clusters = {
  .name = "clusters",
  .item = "cluster",
  .external_kind = "cluster",
  .scope_sql = "t.id = ANY($1::uuid[])",
  .table = "clusters",
  .path = "/v1/clusters",
  .key = "id",
  .key_is_uuid = true,
  .fields = cluster_fields,
  .filters = cluster_filters,
  .default_sort = "name",
  .formats = FMT_JSON | FMT_CSV | FMT_GEOJSON | FMT_NDJSON,
  .authorize = authorize,
};
