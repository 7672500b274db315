/* Regions and departments: read-only reference resources, and an in-memory copy of their
   codes for validating input (they change only with a migration). */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "http.h"
#include "mem.h"
#include "negotiate.h"
#include "resource.h"

static char **region_codes, **department_codes, **department_regions; /* parallel arrays */

static char **load_codes(struct dbconn *c, const char *sql) {
  PGresult *r = db_exec(c, sql, 0, NULL);
  if (!r) return NULL;
  int n = PQntuples(r);
  char **v = xcalloc((size_t)n + 1, sizeof *v);
  for (int i = 0; i < n; i++) v[i] = xstrdup(PQgetvalue(r, i, 0));
  PQclear(r);
  return v;
}

static void free_codes(char **v) {
  for (char **p = v; p && *p; p++) free(*p);
  free(v);
}

bool reference_load(void *dbconn) {
  free_codes(region_codes);
  free_codes(department_codes);
  free_codes(department_regions);
  region_codes = load_codes(dbconn, "SELECT code FROM regions ORDER BY code");
  department_codes = load_codes(dbconn, "SELECT code FROM departments ORDER BY code");
  department_regions = load_codes(dbconn, "SELECT region_code FROM departments ORDER BY code");
  return region_codes && department_codes && department_regions;
}

static bool has(char **v, const char *code) {
  for (char **p = v; p && *p; p++)
    if (strcmp(*p, code) == 0) return true;
  return false;
}

bool reference_has_region(const char *code) { return has(region_codes, code); }

const char *reference_region(const char *code) {
  for (char **p = region_codes; p && *p; p++)
    if (strcmp(*p, code) == 0) return *p;
  return NULL;
}

const char *reference_department_region(const char *code) {
  for (size_t i = 0; department_codes && department_codes[i]; i++)
    if (strcmp(department_codes[i], code) == 0) return department_regions[i];
  return NULL;
}
bool reference_has_department(const char *code) { return has(department_codes, code); }

static const struct field region_fields[] = {
  {"code", F_TEXT, .readonly = true, .sort = true},
  {"name", F_TEXT, .readonly = true, .sort = true},
  {NULL},
};

static const struct field department_fields[] = {
  {"code", F_TEXT, .readonly = true, .sort = true},
  {"name", F_TEXT, .readonly = true, .sort = true},
  {"region_code", F_TEXT, .readonly = true, .sort = true},
  {NULL},
};

static const struct filter department_filters[] = {
  {"region", V_IN, "t.region_code = $1", .type = "text", .check = C_REGION, .literal = true},
  {NULL},
};

static int public_read_only(const struct principal *who, enum op op, const char *id) {
  (void)id;
  if (op == OP_READ) return 0;
  return who->role == ROLE_ANONYMOUS ? 401 : 403;
}

struct resource resource_regions = {
  .name = "regions",
  .item = "region",
  .table = "regions",
  .path = "/v1/regions",
  .key = "code",
  .fields = region_fields,
  .default_sort = "code",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = public_read_only,
};

struct resource resource_departments = {
  .name = "departments",
  .item = "department",
  .table = "departments",
  .path = "/v1/departments",
  .key = "code",
  .fields = department_fields,
  .filters = department_filters,
  .default_sort = "code",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = public_read_only,
};
