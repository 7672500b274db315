/* The stages of a request on a resource, shared by the files of src/resources that hold
   them (docs/architecture.md, "How a request flows"):
     parse      parse.c      query string and body into a typed request; every 400/406/422
                             of the request's own text decided here, in one pass
     authorize  authorize.c  who may do this here (401/403), the parent of a list (404)
     plan       plan.c       SQL text and parameters from the tables (include/sqlb.h)
     run        db_exec      the pool (src/db/pool.c)
     render     render.c     JSON, CSV, GeoJSON, NDJSON, ICS: pure writers of rows
   list.c, item.c and write.c read top-down as those stages; stream.c is a list streamed in
   batches (NDJSON); tables.c builds the SQL of each resource's table once at start. */
#ifndef GRAPPE_ENGINE_H
#define GRAPPE_ENGINE_H
#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "buf.h"
#include "csv.h"
#include "db.h"
#include "negotiate.h"
#include "resource.h"
#include "sqlb.h"

struct ctx;

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 500
#define LIST_MAX_CONDS 32
#define ICS_HEAD \
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Grappe//Grappe API//FR\r\nCALSCALE:GREGORIAN\r\n"
#define ICS_TAIL "END:VCALENDAR\r\n"

/* ---- parse ---- */

struct sort {
  const struct field *field; /* NULL: the key */
  bool desc;
  char spec[64]; /* as given: "name" or "-name" */
};

/* One filter of the query string, its values checked and in their text forms. */
struct cond {
  const struct filter *flt;
  int nvals;
  char *vals[3];    /* what the filter's $1, $2, $3 name (owned) */
  bool one;         /* V_IN given one value: column = $1 instead of ANY */
  unsigned choices; /* V_CHOICE: bit i set when values[i] was asked */
};

/* A list request as parsed: what to read, in which order, from where, in which format. */
struct list_req {
  const struct resource *res;
  char *parent;     /* the parent's key from the path (owned: a stream outlives the path) */
  bool public_only; /* an anonymous caller: public rows only */
  struct cond conds[LIST_MAX_CONDS];
  int nconds;
  char filter_hash[17]; /* binds cursors to the filters */
  struct sort sort;
  uint64_t fields; /* fields= (FIELDS_ALL without it) */
  long limit;
  bool count;
  enum format fmt;
  enum csv_dialect csv;
  json_t *cursor;          /* the cursor's payload, or NULL */
  const char *after_value; /* from the cursor: the last row's sort value (NULL: SQL NULL) */
  const char *after_key;   /* and key */
  bool scoped;             /* a manager reading under a parent it must manage (authorize) */
  char *scope; /* a manager's clusters narrowing a list without a parent (its scope_sql):
                  an array literal (owned), set by authorize */
};

/* Parses the query string of a list: false after answering 400/406. */
bool parse_list(struct ctx *c, struct list_req *q);
void parse_list_free(struct list_req *q);
/* The key of an item in the path: false after answering 404 (a key that cannot exist). */
bool parse_key(struct ctx *c);
/* Accept for an item answer (JSON, or also iCalendar when read and the resource has it):
   false after answering 406. */
bool parse_item_accept(struct ctx *c, enum op op);
/* Validates a full writable representation and applies the resource's derivations;
   NULL with errors added in e (the caller answers with respond_invalid). */
json_t *parse_whole(const struct resource *r, const json_t *doc, const json_t *given, bool create,
                    struct verrors *e);

/* ---- authorize ---- */

/* May the caller read this list (401/403)? Its parent must exist (404) and, for a manager,
   be in scope (403). False after answering. */
bool authorize_list(struct ctx *c, struct list_req *q);
/* May the caller do op on this item? Sets c->scoped when the row's scope decides (inside
   the write). False after answering 401/403. */
bool authorize_item(struct ctx *c, enum op op);
/* A manager writes an object only if its owner field names one of its clusters: false
   after answering 403. */
bool authorize_owner(struct ctx *c, const json_t *obj);
/* The writer's clusters as an array literal for set_by and scope_sql (malloc'd): a
   manager's; NULL for an admin. */
char *authorize_writer_scope(const struct ctx *c);

/* ---- plan ---- */

/* One page of a list, after the cursor's row: rows of (sort value, key), then the row's tag
   (PAGE_TAG: resource sql_tag) and its representation (PAGE_REP), each when asked for. */
enum { PAGE_TAG = 1, PAGE_REP = 2 };
void plan_page(struct sqlb *s, const struct list_req *q, const char *after_value,
               const char *after_key, bool has_after, long limit, unsigned what);
void plan_count(struct sqlb *s, const struct list_req *q);
/* The expression storing parameter n into the column of f. */
void plan_value(struct sqlb *s, const struct field *f, int n);
/* INSERT of the given fields (key NULL), or UPDATE of every writable field of the row key;
   RETURNING key, representation. scope: writer_scope's. */
void plan_write(struct sqlb *s, const struct resource *r, const json_t *obj, const char *key,
                const char *scope);
/* The row whose column equals value (or, ns given, whose external id ns is value), locked:
   key[, in the manager's scope], representation. */
void plan_lock(struct sqlb *s, const struct resource *r, const char *column, const char *ns,
               const char *value, const char *scope);
/* Key and representation of the row key. */
void plan_read(struct sqlb *s, const struct resource *r, const char *key);
void plan_delete(struct sqlb *s, const struct resource *r, const char *key);

/* ---- write (write.c), shared with the bulk writers ---- */

/* Checks every field with ref_sql (uuids, arrays of them, subfields of arrays of objects):
   adds unknown_reference errors; false on a database failure. */
bool write_check_refs(struct dbconn *db, const struct field *fields, const json_t *obj,
                      const char *prefix, struct verrors *e);
/* A replacement (an upsert's body, a bulk line) of the row in row 0 of cur (a locked row:
   key[, scope], representation), before it is validated: the external ids stored join the
   ones given (which replace theirs, namespace by namespace), and a field left out that can
   be neither null nor required (arrays, a status) keeps its stored value. Nothing when cur
   has no row. */
void write_fill_kept(const struct resource *r, const PGresult *cur, json_t *doc);

/* ---- run ---- */

/* Runs the planned statement and frees it (s is empty after). NULL on a failure, whose
   SQLSTATE db_last_sqlstate() keeps: the caller answers with problem_db. */
PGresult *run_plan(struct dbconn *db, struct sqlb *s);
/* Ends a write whose last statement gave r: commits; false after answering the failure
   (rolled back). */
bool run_commit(struct ctx *c, struct dbconn *db, const PGresult *r);

/* ---- render ---- */

/* The beginning and the end of a list's body in fmt (next: the cursor of the next page or
   NULL; total < 0: not counted; extra: "name":json to add to a JSON list, or NULL). */
void render_list_head(struct buf *b, const struct resource *r, enum format fmt,
                      enum csv_dialect csv, uint64_t fields);
void render_list_tail(struct buf *b, enum format fmt, const char *next, long total,
                      const char *extra);
/* Row i of a result carrying the representation, in fmt (first: the list's first row). */
void render_row(struct buf *b, const struct resource *r, enum format fmt, enum csv_dialect csv,
                const PGresult *res, int i, bool first, uint64_t fields);
/* The same, the representation given as its JSON text (len bytes, NUL-terminated). */
void render_json_row(struct buf *b, const struct resource *r, enum format fmt, enum csv_dialect csv,
                     const char *json, size_t len, bool first);
/* An item's representation (JSON text) as an iCalendar document. */
void render_ics_item(struct buf *b, const struct resource *r, const char *json);
/* The media type of a list answer in fmt. */
const char *render_media_type(enum format fmt);

/* ---- lists streamed in batches (stream.c) ---- */

/* Answers 200 with an NDJSON stream of the whole list (429 when the exports are full);
   takes q's filters. */
void stream_list(struct ctx *c, struct list_req *q);
#endif
