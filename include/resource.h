/* Resources are data: a table of fields and filters drives validation, SQL and formats. */
#ifndef GRAPPE_RESOURCE_H
#define GRAPPE_RESOURCE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "buf.h"

enum ftype {
  F_UUID,
  F_TEXT,
  F_ENUM,
  F_INT,
  F_DECIMAL,
  F_DATE,
  F_TIMESTAMP,
  F_BOOL,
  F_TEXT_ARRAY,   /* array of strings (tags) */
  F_CODE_ARRAY,   /* array of reference codes (regions, departments) */
  F_OBJECT,       /* object with subfields, stored as jsonb */
  F_OBJECT_ARRAY, /* array of objects with subfields, stored as jsonb */
  F_MAP,          /* object of namespace -> string (external ids), stored as jsonb */
};

enum fcheck {
  C_NONE,
  C_SIREN,
  C_SIRET,
  C_EMAIL,
  C_URL,
  C_PHONE,
  C_POSTAL,
  C_COMMUNE,
  C_NAF,
  C_REGION,
  C_DEPARTMENT,
  C_UUID,
  C_DATE,
  C_YEAR,        /* 1990 to 2200 */
  C_EXTERNAL_REF /* "ns:value": an external id */
};

struct field {
  const char *name;
  enum ftype type;
  /* SQL read expression; default t.<name>. Implies read-only. Its text form is copied as is
     for numbers, objects and arrays, so those must be SQL numbers, json or jsonb (not text[]). */
  const char *expr;
  bool readonly, required, nullable, sort;
  int max;             /* max length of strings, max items of arrays; 0 = none */
  int decimals;        /* F_DECIMAL: at most this many decimals; 0 = any */
  double min, max_num; /* numeric range when has_range */
  bool has_range;
  const char *const *values; /* code list for F_ENUM and array items */
  enum fcheck check;         /* format check of strings and array items */
  const struct field *sub;   /* subfields of F_OBJECT / F_OBJECT_ARRAY, ends with name NULL */
  const char *not_before;    /* for dates in objects: must be >= this sibling field */
  bool sticky;         /* PUT of a link: absent keeps the stored value (or the column default) */
  const char *ref_sql; /* F_UUID naming another row: SELECT 1 ... WHERE id = $1 (else 422) */
  /* A read-only column that every write through the API sets in its own statement, so that
     the database decides it under the row's lock: the SQL function set_by(the row as stored,
     NULL when creating; the value written to field set_from; the writer's clusters, NULL for
     an admin). */
  const char *set_by, *set_from;
};

enum fvalue {
  V_IN,        /* comma list: the value compared in `sql` is any of them (see struct filter) */
  V_LIST,      /* comma list passed as one array, $1::type[] in `sql` */
  V_TEXT,      /* one value as text */
  V_TIMESTAMP, /* RFC 3339 date-time or date */
  V_SEARCH,    /* full-text query */
  V_CHOICE,    /* one of `values`; the SQL is choice_sql[index], no parameter */
  V_NEAR, /* "lat,lon" with the `companion` radius in km: $1 latitude, $2 longitude, $3 metres */
};

/* A filter of a list. Its condition `sql` is SQL text in which $1 (and $2, $3) stand for
   the filter's own values: the SQL builder (include/sqlb.h) numbers them in the statement.
   For V_IN, $1 stands for "ANY($n::type[])", or "$n::type" when one value is given: the
   planner then uses an index on (column, sort column, key) as one range already in the
   list's order, where ANY makes it read the rows of every value and sort them. */
struct filter {
  const char *param; /* query parameter */
  enum fvalue value;
  const char *sql;               /* condition over the row t */
  const char *const *values;     /* allowed values of a V_IN, V_LIST or V_CHOICE */
  enum fcheck check;             /* or a check of each value */
  const char *const *choice_sql; /* V_CHOICE: condition per value */
  const char *dflt;              /* V_CHOICE: value when the parameter is absent */
  const char *companion;         /* another parameter this filter reads (radius_km) */
  const char *type;              /* V_IN: the SQL type of the values (text, uuid, int) */
  /* V_IN over a closed code list of a few values (its `values`, or the regions of C_REGION):
     one value is written into the statement as a literal, not bound: the list's own entry
     equal to it (never the request's bytes, like an identifier from the field tables).
     PostgreSQL then plans the prepared statement once per value, where with a parameter it
     re-plans it at every execution as soon as the values' frequencies differ (a custom
     plan, which for a list of companies costs as much as running it: docs/benchmarks.md,
     issue 17). */
  bool literal;
};

/* What authorize() answers besides 0, 401, 403 and 404: allowed for a manager if the row is
   in its scope, which the resource's scope_sql decides inside the write's transaction. */
#define AUTH_SCOPED 1

/* A list under a parent: /v1/clusters/{id}/members lists memberships of one cluster. */
struct parent {
  const char *sql;        /* condition on t with $1 for the parent's key */
  const char *exists_sql; /* SELECT 1 ... WHERE key = $1: 404 when it returns nothing */
  const char *item;       /* "cluster": messages */
  /* For AUTH_SCOPED reads: SELECT 1 ... WHERE key = $1 AND (in the scope $2::uuid[]). */
  const char *scope_sql;
};

struct principal;
struct verrors;
enum op { OP_READ, OP_CREATE, OP_UPDATE, OP_DELETE, OP_UPSERT };

/* Lists that are not public (personal data, a cluster's own figures, the link tables):
   readers and admins read them, a manager only under a parent in its scope (the parent's
   scope_sql) or, without a parent, narrowed to its clusters (the resource's scope_sql),
   anonymous callers never. Writes go through handlers of their own. */
int res_authorize_scoped_read(const struct principal *who, enum op op, const char *id);

/* What comes before a field's value in a representation, and its length. */
struct rep_key {
  char *text;
  size_t len;
};

struct resource {
  const char *name; /* "clusters": cursor binding */
  const char *item; /* "cluster": messages */
  const char *table;
  const char *path; /* "/v1/clusters": Location headers */
  const char *key;  /* key column: "id" (uuid) or "code" (text) */
  bool key_is_uuid;
  const struct field *fields;   /* ends with name NULL */
  const struct filter *filters; /* ends with param NULL */
  const char *default_sort;
  /* The default sort when updated_since is given, if another: the order of the index that
     finds what changed (a page in created_at order would read that index from the start and
     skip every row older than the date: the planner takes recent changes for spread out). */
  const char *since_sort;
  unsigned formats; /* list formats allowed, a mask of enum format */
  /* 0 when allowed, AUTH_SCOPED, else 401/403/404. id is NULL for OP_CREATE and lists. */
  int (*authorize)(const struct principal *who, enum op op, const char *id);
  /* Is row t in the manager's scope? A condition over t in which $1 stands for the manager's
     clusters (uuid[]); the SQL builder numbers it. */
  const char *scope_sql;
  /* Fills derived fields of a validated object and checks cross-field rules. `given` is
     what the caller sent (a merge patch for PATCH): a field it lacks may be derived. */
  void (*normalize)(json_t *obj, const json_t *given, struct verrors *e);
  const struct parent *parent; /* lists under a parent path */
  /* PUT of a link whose other end is a value (a year): checks it like a field. */
  void (*check_path)(const char *value, struct verrors *e);
  const char *natural_key; /* unique column for PUT upserts ("siret") */
  /* The detail of the 403 when a row is outside scope_sql (default: outside the clusters). */
  const char *scope_denied;
  /* A manager may write an object only if this field names one of its clusters (null:
     admins only). */
  const char *owner_field;
  /* A list without a parent that a manager reads (authorize answers AUTH_SCOPED) is narrowed
     to its clusters by scope_sql; every value of the filter scope_param ("cluster") must
     then be one of them (403, as for a parent outside its clusters). */
  const char *scope_param;
  /* Condition that rows must meet to be seen by anonymous callers ("t.public"). */
  const char *public_sql;
  /* Triggers change what the row's JSON shows after a write (AFTER triggers, which the
     statement's own RETURNING does not see): read it again. */
  bool reread;
  /* A JSON list answer also carries list_extra_name: the JSON text that list_extra_sql
     returns for the parent's key ($1). */
  const char *list_extra_name, *list_extra_sql;
  /* Appends one item as an iCalendar VEVENT (resources offering FMT_ICS). */
  void (*ics)(struct buf *b, json_t *item);
  /* The representation is a function of the row alone (no field read from another table):
     lists may take it from the process's cache of rendered rows (include/rowcache.h). */
  bool row_pure;
  /* The resource carries external ids (an external_ids field, rows of the table external_ids
     of this kind: "cluster"): GET and PUT /v1/<resource>/external/{ns}/{value}. */
  const char *external_kind;
  /* Built by resource_init: */
  int index;     /* in all_resources: the row cache's kind */
  char *sql_tag; /* row_pure: what changes with the row ("t.xmin::text || ':' || t.version") */
  /* The representation, read as one text column per field and written as JSON in C
     (rep_append): "t.id, t.name, ..." of one row aliased t, ncols columns. Those columns
     come last in every result that carries a representation. */
  char *sql_cols;
  int ncols;
  /* What comes before each field's value: '{"id":' for the first, ',"name":' for the
     others, with their lengths (one write per field on the hot path). */
  struct rep_key *rep_keys;
  char *sql_item;        /* SELECT <sql_cols> FROM table t WHERE key = $1 */
  char *sql_item_public; /* the same, for anonymous callers (with public_sql) */
  /* The item named by an external id: $1 namespace, $2 value (external_kind only). */
  char *sql_item_external, *sql_item_external_public;
};

extern struct resource resource_projects;
extern struct resource resource_clusters, resource_regions, resource_departments,
  resource_companies, resource_partners, resource_cluster_members, resource_company_clusters,
  resource_cluster_partners, resource_events, resource_registrations, resource_indicators;
/* The whole link tables, for syncing (/v1/memberships, /v1/cluster-partners, /v1/indicators). */
extern struct resource resource_membership_table, resource_cluster_partner_table,
  resource_indicator_table;
extern const struct field address_fields[], location_fields[]; /* shared sub-objects */

/* The last year a cluster may declare indicators for: next year. */
int indicator_last_year(void);

/* Builds the SQL of every resource once at start (src/resources/tables.c). */
void res_init(void);
void res_free(void);
const struct field *res_field(const struct resource *r, const char *name);
/* The SQL type of a field's values as parameters ("uuid", "jsonb"...). */
const char *res_sql_type(enum ftype t);
/* The text form of a JSON value as a parameter of field f (malloc'd), NULL for SQL NULL. */
char *res_param_text(const struct field *f, const json_t *v);
struct pg_result;
/* fields=: a set of a resource's fields by their index in r->fields (a resource has at most
   64: res_init checks); FIELDS_ALL is the whole representation. */
#define FIELDS_ALL UINT64_MAX
#define FIELDS_MAX 64
/* Appends the JSON of row `row` of res, whose last r->ncols columns are r->sql_cols, with
   only the fields of the set `fields` (res_rep_append: all of them). */
void res_rep_append_fields(struct buf *b, const struct resource *r, const struct pg_result *res,
                           int row, uint64_t fields);
/* Appends the JSON of row `row` of res, whose last r->ncols columns are r->sql_cols. */
struct pg_result;
void res_rep_append(struct buf *b, const struct resource *r, const struct pg_result *res, int row);
/* The same as a malloc'd string (the caller frees). */
char *res_rep_text(const struct resource *r, const struct pg_result *res, int row);

/* Validation errors collected as problem+json `errors` items. */
struct verrors {
  json_t *items; /* array of {field, code, message} */
};
void verr_add(struct verrors *e, const char *field, const char *code, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

/* Validates input against the field table. create: required fields must be there.
   Returns a new object holding every writable field given (normalised: objects carry every
   subfield), or NULL with errors added. Unknown and read-only fields are errors. */
json_t *schema_validate(const struct field *fields, const json_t *input, bool create,
                        struct verrors *e);
/* Checks the keys of a merge patch (unknown / read-only) before it is applied. */
void schema_check_keys(const struct field *fields, const json_t *patch, struct verrors *e);

/* Pieces of the generic layer that handlers of their own (links, registrations) use
   (src/resources/render.c). */
struct ctx;
/* The strong ETag of an item's JSON: '"' + 32 hex digits + '"' in out. */
void res_etag(const char *json, char out[40]);
/* Does an If-Match (weak false) or If-None-Match (weak true) header list this ETag? */
bool res_etag_listed(const char *header, const char *etag, bool weak);
/* If-Match against the representation of row 0 of res: true when the header is absent or
   lists its ETag; else false, with the row's ETag in etag and in the ETag header (the
   caller answers 412). */
bool res_if_match(struct ctx *c, const struct resource *r, const struct pg_result *res,
                  char etag[40]);
/* 200/201 with the item's JSON and its ETag. */
void res_respond_item(struct ctx *c, int status, const char *json);
/* res_respond_item with the representation of row 0 of res. */
void res_respond_rep(struct ctx *c, int status, const struct resource *r,
                     const struct pg_result *res);
/* The Link header to the next page: this request's query with `cursor` set to the new one. */
void res_link_next(struct ctx *c, const char *cursor);
/* A page of a hand-written list (webhooks, keys) ordered by (created_at in microseconds,
   id): limit= (1 to max, 50 by default) and the position its cursor= names, if any. */
struct page {
  long limit;
  char after_t[32], after_id[40]; /* "" on the first page */
};
/* False after answering 400 (a bad limit, or a cursor not of the list `name`). */
bool page_params(struct ctx *c, const char *name, long max, struct page *pg);
/* The cursor of the page after the row at (t, id), also set as the Link header. Caller frees. */
char *page_next(struct ctx *c, const char *name, const char *t, const char *id);
/* 422 with the collected errors (which it takes). */
void res_respond_invalid(struct ctx *c, struct verrors *e);

/* Reference data cached at start, for validating codes. */
bool reference_load(void *dbconn);
bool reference_has_region(const char *code);
/* The reference table's own copy of a region code (loaded at start), or NULL. */
const char *reference_region(const char *code);
bool reference_has_department(const char *code);
/* The region of a department, NULL when unknown. */
const char *reference_department_region(const char *code);
#endif
