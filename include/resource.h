/* Resources are data: a table of fields and filters drives validation, SQL and formats. */
#ifndef GRAPPE_RESOURCE_H
#define GRAPPE_RESOURCE_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum ftype {
  F_UUID, F_TEXT, F_ENUM, F_INT, F_DECIMAL, F_DATE, F_TIMESTAMP, F_BOOL,
  F_TEXT_ARRAY,   /* array of strings (tags) */
  F_CODE_ARRAY,   /* array of reference codes (regions, departments) */
  F_OBJECT,       /* object with subfields, stored as jsonb */
  F_OBJECT_ARRAY, /* array of objects with subfields, stored as jsonb */
};

enum fcheck { C_NONE, C_SIREN, C_SIRET, C_EMAIL, C_URL, C_PHONE, C_POSTAL, C_COMMUNE, C_NAF, C_REGION, C_DEPARTMENT };

struct field {
  const char *name;
  enum ftype type;
  const char *expr;            /* SQL read expression; default t.<name>. Implies read-only. */
  bool readonly, required, nullable, sort;
  int max;                     /* max length of strings, max items of arrays; 0 = none */
  int decimals;                /* F_DECIMAL: at most this many decimals; 0 = any */
  double min, max_num;         /* numeric range when has_range */
  bool has_range;
  const char *const *values;   /* code list for F_ENUM and array items */
  enum fcheck check;           /* format check of strings and array items */
  const struct field *sub;     /* subfields of F_OBJECT / F_OBJECT_ARRAY, ends with name NULL */
  const char *not_before;      /* for dates in objects: must be >= this sibling field */
};

enum fvalue { V_LIST, V_TEXT, V_TIMESTAMP, V_SEARCH };

struct filter {
  const char *param;           /* query parameter */
  enum fvalue value;           /* V_LIST: comma list passed as text[]; others as text */
  const char *sql;             /* condition with one %d for the parameter number */
  const char *const *values;   /* allowed values of a V_LIST, when it is a code list */
  enum fcheck check;           /* or a check of each value */
};

struct principal;
enum op { OP_READ, OP_CREATE, OP_UPDATE, OP_DELETE };

struct resource {
  const char *name;            /* "clusters": cursor binding */
  const char *item;            /* "cluster": messages */
  const char *table;
  const char *path;            /* "/v1/clusters": Location headers */
  const char *key;             /* key column: "id" (uuid) or "code" (text) */
  bool key_is_uuid;
  const struct field *fields;  /* ends with name NULL */
  const struct filter *filters;/* ends with param NULL */
  const char *default_sort;
  unsigned formats;            /* list formats allowed, a mask of enum format */
  /* 0 when allowed, else 401/403/404. id is NULL for OP_CREATE and lists. */
  int (*authorize)(const struct principal *who, enum op op, const char *id);
  /* Built by resource_init: */
  char *sql_json;              /* json_build_object(...) of one row aliased t */
  char *sql_item;              /* SELECT json FROM table t WHERE key = $1 */
};

extern struct resource resource_clusters, resource_regions, resource_departments;
extern const struct field address_fields[], location_fields[]; /* shared sub-objects */

/* Builds the SQL of every resource once at start. */
void resources_init(void);
void resources_free(void);
const struct field *resource_field(const struct resource *r, const char *name);

/* Validation errors collected as problem+json `errors` items. */
struct verrors {
  json_t *items; /* array of {field, code, message} */
};
void verr_add(struct verrors *e, const char *field, const char *code, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

/* Validates input against the field table. create: required fields must be there.
   Returns a new object holding every writable field given (normalised: objects carry every
   subfield), or NULL with errors added. Unknown and read-only fields are errors. */
json_t *schema_validate(const struct field *fields, const json_t *input, bool create, struct verrors *e);
/* Checks the keys of a merge patch (unknown / read-only) before it is applied. */
void schema_check_keys(const struct field *fields, const json_t *patch, struct verrors *e);

/* Reference data cached at start, for validating codes. */
bool reference_load(void *dbconn);
bool reference_has_region(const char *code);
bool reference_has_department(const char *code);
#endif
