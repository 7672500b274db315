/* Companies and partners: field tables, plus the derivations of a company's fields. */
#include <string.h>

#include "codelists.h"
#include "http.h"
#include "negotiate.h"
#include "resource.h"

static const struct field company_fields[] = {
  {"id", F_UUID, .readonly = true},
  {"name", F_TEXT, .required = true, .max = 200, .sort = true},
  {"legal_name", F_TEXT, .nullable = true, .max = 200, .sort = true},
  {"siren", F_TEXT, .nullable = true, .check = C_SIREN},
  {"siret", F_TEXT, .nullable = true, .check = C_SIRET},
  {"naf_code", F_TEXT, .nullable = true, .check = C_NAF},
  {"employees", F_INT, .nullable = true, .has_range = true, .min = 0, .max_num = 10000000,
   .sort = true},
  {"size", F_ENUM, .nullable = true, .values = codelist_company_size},
  {"founded_on", F_DATE, .nullable = true, .sort = true},
  {"website", F_TEXT, .nullable = true, .max = 500, .check = C_URL},
  {"email", F_TEXT, .nullable = true, .max = 254, .check = C_EMAIL},
  {"phone", F_TEXT, .nullable = true, .max = 30, .check = C_PHONE},
  {"address", F_OBJECT, .nullable = true, .sub = address_fields},
  {"department_code", F_TEXT, .nullable = true, .check = C_DEPARTMENT},
  {"region_code", F_TEXT, .nullable = true, .check = C_REGION},
  {"location", F_OBJECT, .nullable = true, .sub = location_fields},
  {"description", F_TEXT, .nullable = true, .max = 10000},
  /* kept by the memberships' triggers (migration 0015), sorted */
  {"clusters", F_TEXT_ARRAY, .expr = "t.current_clusters"},
  {"external_ids", F_MAP, .nullable = true, .max = 20},
  {"version", F_INT, .readonly = true},
  {"created_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {"updated_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {NULL},
};

static const struct filter company_filters[] = {
  {"q", V_SEARCH, "t.search @@ websearch_to_tsquery('grappe_fr', $1)", .values = NULL},
  {"siren", V_IN, "t.siren = $1", .type = "text", .check = C_SIREN},
  {"siret", V_IN, "t.siret = $1", .type = "text", .check = C_SIRET},
  {"naf", V_IN, "t.naf_code = $1", .type = "text", .check = C_NAF},
  {"size", V_IN, "t.size = $1", .type = "text", .values = codelist_company_size, .literal = true},
  {"region", V_IN, "t.region_code = $1", .type = "text", .check = C_REGION, .literal = true},
  {"department", V_IN, "t.department_code = $1", .type = "text", .check = C_DEPARTMENT},
  {"cluster", V_IN,
   "EXISTS (SELECT 1 FROM memberships m WHERE m.company_id = t.id AND m.left_on IS NULL AND m.cluster_id = $1)",
   .check = C_UUID, .type = "uuid"},
  /* The box test uses the GiST index; the distance test makes it a circle. */
  {"near", V_NEAR,
   "t.location IS NOT NULL AND earth_box(ll_to_earth($1, $2), $3) @> location_earth(t.location) "
   "AND earth_distance(ll_to_earth($1, $2), location_earth(t.location)) <= $3",
   .companion = "radius_km"},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {"external_id", V_TEXT,
   "t.id = (SELECT e.id FROM external_ids e WHERE e.kind = 'company' AND "
   "e.ns = split_part($1, ':', 1) AND e.value = substr($1, strpos($1, ':') + 1))",
   .check = C_EXTERNAL_REF},
  {NULL},
};

static const char *size_of(json_int_t employees) {
  return employees < 10 ? "tpe" : employees < 250 ? "pme" : employees < 5000 ? "eti" : "ge";
}

/* Should a derived field be (re)computed? When it is unset, or when the caller changed its
   source without giving it. */
static bool derive(const json_t *obj, const json_t *given, const char *field, const char *source) {
  json_t *v = json_object_get(obj, field);
  return !v || json_is_null(v) ||
         (json_object_get(given, source) && !json_object_get(given, field));
}

/* siren from siret, size from employees, region from department: derived when the caller
   did not give them, checked against each other when it did. */
static void normalize_company(json_t *obj, const json_t *given, struct verrors *e) {
  const char *siret = json_string_value(json_object_get(obj, "siret"));
  if (siret && derive(obj, given, "siren", "siret"))
    json_object_set_new(obj, "siren", json_stringn(siret, 9));
  const char *siren = json_string_value(json_object_get(obj, "siren"));
  if (siret && siren && strncmp(siret, siren, 9) != 0)
    verr_add(e, "siren", "invalid_value", "must be the first 9 digits of the siret (%.9s)", siret);

  json_t *employees = json_object_get(obj, "employees");
  if (json_is_integer(employees) && derive(obj, given, "size", "employees"))
    json_object_set_new(obj, "size", json_string(size_of(json_integer_value(employees))));

  const char *dep = json_string_value(json_object_get(obj, "department_code"));
  const char *dep_region = dep ? reference_department_region(dep) : NULL;
  if (dep_region && derive(obj, given, "region_code", "department_code"))
    json_object_set_new(obj, "region_code", json_string(dep_region));
  const char *region = json_string_value(json_object_get(obj, "region_code"));
  if (dep_region && region && strcmp(region, dep_region) != 0)
    verr_add(e, "region_code", "invalid_value", "must be the region of department %s (%s)", dep,
             dep_region);
}

/* Anyone reads; admins do everything; a manager creates, and changes the companies that
   are current members of its clusters and of no other (scope_sql). */
static int authorize_company(const struct principal *who, enum op op, const char *id) {
  (void)id;
  if (op == OP_READ || who->role == ROLE_ADMIN) return 0;
  if (who->role == ROLE_ANONYMOUS) return 401;
  if (who->role != ROLE_MANAGER || op == OP_DELETE) return 403;
  return op == OP_CREATE ? 0 : AUTH_SCOPED;
}

struct resource resource_companies = {
  .name = "companies",
  .item = "company",
  .external_kind = "company",
  .table = "companies",
  .path = "/v1/companies",
  .key = "id",
  .key_is_uuid = true,
  .fields = company_fields,
  .filters = company_filters,
  .default_sort = "name",
  .formats = FMT_JSON | FMT_CSV | FMT_GEOJSON | FMT_NDJSON,
  .authorize = authorize_company,
  /* A company is its clusters' shared record: a manager changes it only while every cluster
     it is a current member of is one of the manager's (SPEC, Auth), or enlisting a company in
     one's own cluster would hand over another cluster's company. current_clusters is a
     column of the row (kept by the memberships' triggers under the row's lock), so that the
     check reads the version that the write's own row lock holds: a membership added
     concurrently either waits for the write or is seen by it. */
  .scope_sql =
    "jsonb_array_length(t.current_clusters) > 0 AND t.current_clusters <@ to_jsonb($1::uuid[])",
  .scope_denied =
    "A manager changes a company only while every cluster it is a current member of is one of "
    "the manager's: this one is not a member of your clusters, or is shared with another cluster "
    "(its changes are then an admin's).",
  .normalize = normalize_company,
  .natural_key = "siret",
  .row_pure = true,
};

static const struct field partner_fields[] = {
  {"id", F_UUID, .readonly = true},
  {"name", F_TEXT, .required = true, .max = 200, .sort = true},
  {"kind", F_ENUM, .required = true, .values = codelist_partner_kind},
  {"siren", F_TEXT, .nullable = true, .check = C_SIREN},
  {"website", F_TEXT, .nullable = true, .max = 500, .check = C_URL},
  {"email", F_TEXT, .nullable = true, .max = 254, .check = C_EMAIL},
  {"phone", F_TEXT, .nullable = true, .max = 30, .check = C_PHONE},
  {"address", F_OBJECT, .nullable = true, .sub = address_fields},
  {"region_code", F_TEXT, .nullable = true, .check = C_REGION},
  {"location", F_OBJECT, .nullable = true, .sub = location_fields},
  {"description", F_TEXT, .nullable = true, .max = 10000},
  {"external_ids", F_MAP, .nullable = true, .max = 20},
  {"version", F_INT, .readonly = true},
  {"created_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {"updated_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {NULL},
};

static const struct filter partner_filters[] = {
  {"q", V_SEARCH, "t.search @@ websearch_to_tsquery('grappe_fr', $1)", .values = NULL},
  {"kind", V_IN, "t.kind = $1", .type = "text", .values = codelist_partner_kind, .literal = true},
  {"region", V_IN, "t.region_code = $1", .type = "text", .check = C_REGION, .literal = true},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {"external_id", V_TEXT,
   "t.id = (SELECT e.id FROM external_ids e WHERE e.kind = 'partner' AND "
   "e.ns = split_part($1, ':', 1) AND e.value = substr($1, strpos($1, ':') + 1))",
   .check = C_EXTERNAL_REF},
  {NULL},
};

static int authorize_partner(const struct principal *who, enum op op, const char *id) {
  (void)id;
  if (op == OP_READ || who->role == ROLE_ADMIN) return 0;
  return who->role == ROLE_ANONYMOUS ? 401 : 403;
}

struct resource resource_partners = {
  .name = "partners",
  .item = "partner",
  .external_kind = "partner",
  .table = "partners",
  .path = "/v1/partners",
  .key = "id",
  .key_is_uuid = true,
  .fields = partner_fields,
  .filters = partner_filters,
  .default_sort = "name",
  .formats = FMT_JSON | FMT_CSV | FMT_GEOJSON | FMT_NDJSON,
  .authorize = authorize_partner,
  .row_pure = true,
};
