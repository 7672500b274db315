/* POST /v1/companies/bulk: companies upserted by SIRET. Each batch is one INSERT ... ON
   CONFLICT statement whose SQL comes from the field table; a line's external ids join the
   row's (its other namespaces stay). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bulk.h"
#include "db.h"
#include "mem.h"
#include "resource.h"
#include "sqlb.h"

#define DUP_SLOTS (1u << 18) /* > 2 x BULK_MAX_LINES: open addressing stays sparse */

struct dup_slot {
  char siret[15];
  int line;
};

struct companies_state {
  struct dup_slot *dups;
  char *sql; /* the batch statement, built once */
};

/* Returns the line where this siret was seen first, or 0 after recording it. */
static int seen_before(struct dup_slot *dups, const char *siret, int line) {
  unsigned h = 2166136261u;
  for (const char *p = siret; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  for (unsigned i = h & (DUP_SLOTS - 1);; i = (i + 1) & (DUP_SLOTS - 1)) {
    if (!dups[i].line) {
      snprintf(dups[i].siret, sizeof dups[i].siret, "%s", siret);
      dups[i].line = line;
      return 0;
    }
    if (strcmp(dups[i].siret, siret) == 0) return dups[i].line;
  }
}

/* The column expression reading field f from the JSON document x.doc. */
static void doc_expr(struct buf *sql, const struct field *f) {
  switch (f->type) {
  case F_TEXT_ARRAY:
  case F_CODE_ARRAY: buf_addf(sql, "jsonb_text_array(nullif(x.doc->'%s', 'null'))", f->name); break;
  case F_OBJECT:
  case F_OBJECT_ARRAY: buf_addf(sql, "nullif(x.doc->'%s', 'null')", f->name); break;
  case F_MAP: buf_addf(sql, "coalesce(nullif(x.doc->'%s', 'null'), '{}')", f->name); break;
  case F_INT: buf_addf(sql, "(x.doc->>'%s')::bigint", f->name); break;
  case F_DECIMAL: buf_addf(sql, "(x.doc->>'%s')::numeric", f->name); break;
  case F_DATE: buf_addf(sql, "(x.doc->>'%s')::date", f->name); break;
  case F_TIMESTAMP: buf_addf(sql, "(x.doc->>'%s')::timestamptz", f->name); break;
  case F_BOOL: buf_addf(sql, "(x.doc->>'%s')::boolean", f->name); break;
  case F_UUID: buf_addf(sql, "(x.doc->>'%s')::uuid", f->name); break;
  default: buf_addf(sql, "(x.doc->>'%s')", f->name); break;
  }
  buf_addf(sql, " AS %s", f->name);
}

/* The lists of the writable columns that the batch statement repeats. */
enum column_list { COL_NAMES, COL_FROM_DOC, COL_INPUT, COL_SET, COL_STORED, COL_NEW, COL_EXCLUDED };

/* The value a column takes from a line, read from `from` (i, the input, or EXCLUDED): the
   line's external ids replace the row's in their namespaces, the others stay. */
static void new_value(struct sqlb *q, const struct field *f, const char *from) {
  if (f->type == F_MAP) sqlb_addf(q, "t.%s || %s.%s", f->name, from, f->name);
  else sqlb_addf(q, "%s.%s", from, f->name);
}

static void add_columns(struct sqlb *q, const struct resource *r, enum column_list what) {
  bool first = true;
  for (const struct field *f = r->fields; f->name; f++) {
    if (f->readonly || f->expr) continue;
    if (!first) sqlb_add(q, ", ");
    first = false;
    switch (what) {
    case COL_NAMES: sqlb_add(q, f->name); break;
    case COL_FROM_DOC: doc_expr(&q->text, f); break;
    case COL_INPUT: sqlb_addf(q, "i.%s", f->name); break;
    case COL_SET:
      sqlb_addf(q, "%s = ", f->name);
      new_value(q, f, "EXCLUDED");
      break;
    case COL_STORED: sqlb_addf(q, "t.%s", f->name); break;
    case COL_NEW: new_value(q, f, "i"); break;
    case COL_EXCLUDED: new_value(q, f, "EXCLUDED"); break;
    }
  }
}

/* One statement for a batch: the elements of $1 upserted by the natural key; one row per
   element with its position, id and what happened.
   The lines are read once into columns (input), then compared with the rows they name
   (old): a line whose values are all the same as its row's goes no further. Only new and
   changed lines reach the INSERT, whose generated search document, index probes and row
   lock an unchanged line would cost for nothing: re-importing an unchanged registry, the
   common case of a sync, reads and writes nothing else. A line read as unchanged while
   another transaction changes its row is the import ordered before that write.
   The INSERT's ON CONFLICT still decides on each row's latest version (a row created or
   changed meanwhile): the same comparison, under the row lock it takes.
   For a manager ($2, its clusters), the update's WHERE decides on each row's latest version
   under the lock ON CONFLICT takes; the existing rows are locked first (in id order, as the
   memberships' triggers lock companies) so that `allowed`, which names a refused line, is
   read from that same version. */
static char *batch_sql(const struct resource *r, bool scoped) {
  struct sqlb q;
  sqlb_init(&q);
  /* Bound when the statement runs: the batch, then the manager's clusters. */
  char doc[SQLB_REF_SIZE], scope[SQLB_REF_SIZE];
  sqlb_ref_text(doc, sqlb_bind(&q, NULL), "jsonb", false);
  if (scoped) sqlb_ref_text(scope, sqlb_bind(&q, NULL), NULL, false);
  const char *scope_refs[] = {scope};
  const char *k = r->natural_key;
  sqlb_add(&q, "WITH input AS MATERIALIZED (SELECT x.n AS _n, ");
  add_columns(&q, r, COL_FROM_DOC);
  sqlb_addf(&q, " FROM jsonb_array_elements(%s) WITH ORDINALITY AS x(doc, n)), ", doc);
  sqlb_add(&q, "old AS MATERIALIZED (SELECT i._n, t.id, ");
  if (scoped) {
    sqlb_add(&q, "(");
    sqlb_template(&q, r->scope_sql, scope_refs, 1);
    sqlb_add(&q, ")");
  } else {
    sqlb_add(&q, "true");
  }
  sqlb_add(&q, " AS allowed, (");
  add_columns(&q, r, COL_STORED);
  sqlb_add(&q, ") IS NOT DISTINCT FROM (");
  add_columns(&q, r, COL_NEW);
  sqlb_addf(&q, ") AS same FROM input i JOIN %s t ON t.%s = i.%s%s), ", r->table, k, k,
            scoped ? " ORDER BY t.id FOR UPDATE OF t" : "");
  sqlb_addf(&q, "up AS (INSERT INTO %s AS t (", r->table);
  add_columns(&q, r, COL_NAMES);
  sqlb_add(&q, ") SELECT ");
  add_columns(&q, r, COL_INPUT);
  sqlb_add(
    &q,
    " FROM input i LEFT JOIN old o ON o._n = i._n WHERE o._n IS NULL OR (o.allowed AND NOT o.same) "
    "ORDER BY i._n");
  sqlb_addf(&q, " ON CONFLICT (%s) DO UPDATE SET ", k);
  add_columns(&q, r, COL_SET);
  sqlb_add(&q, " WHERE (");
  add_columns(&q, r, COL_STORED);
  sqlb_add(&q, ") IS DISTINCT FROM (");
  add_columns(&q, r, COL_EXCLUDED);
  sqlb_add(&q, ")");
  if (scoped) {
    sqlb_add(&q, " AND (");
    sqlb_template(&q, r->scope_sql, scope_refs, 1);
    sqlb_add(&q, ")");
  }
  sqlb_addf(&q, " RETURNING t.id, t.%s, (t.xmax = 0) AS inserted) ", k);
  sqlb_addf(
    &q,
    "SELECT i._n, coalesce(up.id, o.id)::text, CASE WHEN up.id IS NOT NULL THEN "
    "CASE WHEN up.inserted THEN 'created' ELSE 'updated' END "
    "WHEN NOT o.allowed THEN 'forbidden' ELSE 'unchanged' END "
    "FROM input i LEFT JOIN up ON up.%s = i.%s LEFT JOIN old o ON o._n = i._n ORDER BY i._n",
    k, k);
  char *sql = buf_steal(&q.text);
  sqlb_free(&q);
  return sql;
}

static void record(struct bulk *b, PGresult *r, size_t offset) {
  for (int i = 0; i < PQntuples(r); i++) {
    struct bulk_result *res = bulk_queued(b, offset + (size_t)atoi(PQgetvalue(r, i, 0)) - 1);
    const char *what = PQgetvalue(r, i, 2);
    if (strcmp(what, "forbidden") == 0) { /* the row exists, outside the manager's clusters */
      bulk_line_error(
        res, "siret", "forbidden",
        "this company exists and is not a member of your clusters only (a company shared with another "
        "cluster is an admin's to change)");
      continue;
    }
    bulk_line_written(res, PQgetvalue(r, i, 1), what);
  }
}

/* Validates one line and queues it. */
static void take(struct bulk *b, struct bulk_result *res, json_t *doc) {
  struct companies_state *st = b->state;
  const struct resource *r = &resource_companies;
  struct verrors e = {0};
  json_t *obj = schema_validate(r->fields, doc, false, &e);
  if (obj) r->normalize(obj, doc, &e);
  const char *siret = json_string_value(json_object_get(obj, r->natural_key));
  if (obj && !siret) /* absent or null: the key of the upsert is missing */
    verr_add(&e, r->natural_key, "required", "is required: the bulk import upserts by siret");
  json_decref(doc);
  if (e.items) {
    res->status = BULK_ERROR;
    res->errors = e.items;
    json_decref(obj);
    return;
  }
  int first = seen_before(st->dups, siret, res->line);
  if (first) {
    char msg[80];
    snprintf(msg, sizeof msg, "the same siret is on line %d of this import", first);
    bulk_line_error(res, r->natural_key, "duplicate", msg);
    json_decref(obj);
    return;
  }
  bulk_queue(b, res, obj);
}

static bool write_batch(struct bulk *b) {
  struct companies_state *st = b->state;
  return bulk_write_sets(b, st->sql, record, "company");
}

static void open_state(struct bulk *b) {
  struct companies_state *st = xcalloc(1, sizeof *st);
  st->dups = xcalloc(DUP_SLOTS, sizeof *st->dups);
  st->sql = batch_sql(&resource_companies, b->scope != NULL);
  b->state = st;
}

static void close_state(struct bulk *b) {
  struct companies_state *st = b->state;
  if (!st) return;
  free(st->dups);
  free(st->sql);
  free(st);
  b->state = NULL;
}

const struct bulk_writer bulk_companies = {
  .res = &resource_companies,
  .open = open_state,
  .take = take,
  .write = write_batch,
  .close = close_state,
};
