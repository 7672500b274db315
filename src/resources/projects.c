/* Cooperation projects: participants and funding lines are arrays of the project; the
   lifecycle is guarded by a trigger (409 naming the allowed transitions). */
#include <ctype.h>
#include <string.h>

#include "http.h"
#include "negotiate.h"
#include "resource.h"

static const char *const CATEGORIES[] = {"pooling", "innovation", "human_resources", "international", "communication",
                                         "other", NULL};
static const char *const STATUSES[] = {"idea", "proof_of_concept", "running", "completed", "abandoned", NULL};
static const char *const COMPANY_ROLES[] = {"lead", "partner", "subcontractor", NULL};
static const char *const PARTNER_ROLES[] = {"funder", "academic", "support", "other", NULL};
static const char *const SOURCES[] = {"eu", "state", "region", "local_authority", "bpifrance", "private", "members", NULL};
static const char *const FUNDING_STATUSES[] = {"requested", "granted", "paid", NULL};

static const struct field company_role_fields[] = {
  {"company_id", F_UUID, .required = true, .ref_sql = "SELECT 1 FROM companies WHERE id = $1::uuid"},
  {"role", F_ENUM, .required = true, .values = COMPANY_ROLES},
  {NULL},
};

static const struct field partner_role_fields[] = {
  {"partner_id", F_UUID, .required = true, .ref_sql = "SELECT 1 FROM partners WHERE id = $1::uuid"},
  {"role", F_ENUM, .required = true, .values = PARTNER_ROLES},
  {NULL},
};

static const struct field funding_fields[] = {
  {"source", F_ENUM, .required = true, .values = SOURCES},
  {"program", F_TEXT, .nullable = true, .max = 200},
  {"amount_eur", F_DECIMAL, .required = true, .decimals = 2, .has_range = true, .min = 0, .max_num = 1e12},
  {"status", F_ENUM, .required = true, .values = FUNDING_STATUSES},
  {NULL},
};

#define FUNDING_SUM(cond) \
  "coalesce((SELECT sum((f->>'amount_eur')::numeric) FROM jsonb_array_elements(t.funding) f" cond "), 0)"

static const struct field project_fields[] = {
  {"id", F_UUID, .readonly = true},
  {"title", F_TEXT, .required = true, .max = 200, .sort = true},
  {"summary", F_TEXT, .nullable = true, .max = 10000},
  {"category", F_ENUM, .required = true, .values = CATEGORIES},
  {"status", F_ENUM, .values = STATUSES},
  {"lead_cluster_id", F_UUID, .required = true, .ref_sql = "SELECT 1 FROM clusters WHERE id = $1::uuid"},
  {"cluster_ids", F_CODE_ARRAY, .max = 100, .check = C_UUID, .ref_sql = "SELECT 1 FROM clusters WHERE id = $1::uuid"},
  {"companies", F_OBJECT_ARRAY, .max = 500, .sub = company_role_fields},
  {"partners", F_OBJECT_ARRAY, .max = 200, .sub = partner_role_fields},
  {"funding", F_OBJECT_ARRAY, .max = 100, .sub = funding_fields},
  {"funding_totals", F_OBJECT,
   .expr = "json_build_object('requested', " FUNDING_SUM(" WHERE f->>'status' = 'requested'") ", 'granted', "
           FUNDING_SUM(" WHERE f->>'status' = 'granted'") ", 'paid', " FUNDING_SUM(" WHERE f->>'status' = 'paid'")
           ", 'total', " FUNDING_SUM("") ")"},
  {"budget_eur", F_DECIMAL, .nullable = true, .decimals = 2, .has_range = true, .min = 0, .max_num = 999999999999.99, .sort = true},
  {"starts_on", F_DATE, .nullable = true, .sort = true},
  {"ends_on", F_DATE, .nullable = true, .not_before = "starts_on"},
  {"version", F_INT, .readonly = true},
  {"created_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {"updated_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {NULL},
};

static const struct filter project_filters[] = {
  {"q", V_SEARCH, "t.search @@ websearch_to_tsquery('grappe_fr', $%d)", .values = NULL},
  {"category", V_LIST, "t.category = ANY($%d::text[])", .values = CATEGORIES},
  {"status", V_LIST, "t.status = ANY($%d::text[])", .values = STATUSES},
  {"cluster", V_LIST, "(t.lead_cluster_id = ANY($%1$d::uuid[]) OR t.cluster_ids && $%1$d::uuid[]::text[])",
   .check = C_UUID},
  {"company", V_LIST, "jsonb_ids(t.companies, 'company_id') && $%d::uuid[]::text[]", .check = C_UUID},
  {"partner", V_LIST, "jsonb_ids(t.partners, 'partner_id') && $%d::uuid[]::text[]", .check = C_UUID},
  {"region", V_LIST,
   "EXISTS (SELECT 1 FROM clusters cl WHERE (cl.id = t.lead_cluster_id OR cl.id::text = ANY(t.cluster_ids)) "
   "AND cl.region_codes && $%d::text[])",
   .check = C_REGION},
  {"starts_after", V_TEXT, "t.starts_on >= $%d::date", .check = C_DATE},
  {"starts_before", V_TEXT, "t.starts_on <= $%d::date", .check = C_DATE},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $%d::timestamptz", .values = NULL},
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
  .name = "projects", .item = "project", .table = "projects", .path = "/v1/projects", .key = "id", .key_is_uuid = true,
  .fields = project_fields, .filters = project_filters, .default_sort = "title",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON, .authorize = authorize_project,
  .scope_sql = "t.lead_cluster_id = ANY($2::uuid[])", .owner_field = "lead_cluster_id", .normalize = normalize_project,
};
