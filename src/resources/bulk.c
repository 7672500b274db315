/* POST /v1/companies/bulk: up to 100,000 companies upserted by SIRET in one request.
   Lines are parsed one at a time from the body (NDJSON, or the elements of a JSON array),
   validated in C, and written 1,000 at a time by one INSERT ... ON CONFLICT statement whose
   SQL comes from the field table. Memory holds the body, one batch and the per-line results. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yder.h>

#include "buf.h"
#include "mem.h"
#include "codelists.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "mergepatch.h"
#include "resource.h"
#include "sqlb.h"

#define BULK_MAX_LINES 100000
#define BATCH 1000
#define DUP_SLOTS (1u << 18) /* > 2 x BULK_MAX_LINES: open addressing stays sparse */

/* A line's status, named by BulkLineResult.status of the OpenAPI document (codelists.h);
   pending until its batch is written. */
enum status {
  ST_CREATED = CODELIST_BULK_LINE_RESULT_STATUS_CREATED,
  ST_UPDATED = CODELIST_BULK_LINE_RESULT_STATUS_UPDATED,
  ST_UNCHANGED = CODELIST_BULK_LINE_RESULT_STATUS_UNCHANGED,
  ST_ERROR = CODELIST_BULK_LINE_RESULT_STATUS_ERROR,
  ST_PENDING = CODELIST_BULK_LINE_RESULT_STATUS_COUNT,
};

struct result {
  int line;
  enum status status;
  char id[37];
  json_t *errors; /* for ST_ERROR */
};

struct dup_slot {
  char siret[15];
  int line;
};

struct bulk {
  struct ctx *c;
  struct dbconn *db;
  bool dry_run, atomic, one_tx;
  char *scope; /* manager's clusters as an array literal, or NULL */
  struct result *results;
  size_t nresults, cap;
  struct dup_slot *dups;
  json_t *batch;             /* array of normalised objects */
  size_t batch_first[BATCH]; /* index in results of each batch element */
  char *sql;                 /* the batch statement, built once */
  bool failed;               /* answered already (503/500) */
};

static struct result *add_result(struct bulk *b, int line) {
  if (b->nresults == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1024;
    b->results = xrealloc(b->results, cap * sizeof *b->results);
    b->cap = cap;
  }
  struct result *r = &b->results[b->nresults++];
  memset(r, 0, sizeof *r);
  r->line = line;
  r->status = ST_PENDING;
  return r;
}

static void line_error(struct result *r, const char *field, const char *code, const char *message) {
  r->status = ST_ERROR;
  if (!r->errors) r->errors = json_array();
  json_array_append_new(
    r->errors, json_pack("{s:s,s:s,s:s}", "field", field, "code", code, "message", message));
}

/* Returns the line where this siret was seen first, or 0 after recording it. */
static int seen_before(struct bulk *b, const char *siret, int line) {
  unsigned h = 2166136261u;
  for (const char *p = siret; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  for (unsigned i = h & (DUP_SLOTS - 1);; i = (i + 1) & (DUP_SLOTS - 1)) {
    if (!b->dups[i].line) {
      snprintf(b->dups[i].siret, sizeof b->dups[i].siret, "%s", siret);
      b->dups[i].line = line;
      return 0;
    }
    if (strcmp(b->dups[i].siret, siret) == 0) return b->dups[i].line;
  }
}

/* The column expression reading field f from the JSON document i.doc. */
static void doc_expr(struct buf *sql, const struct field *f) {
  switch (f->type) {
  case F_TEXT_ARRAY:
  case F_CODE_ARRAY: buf_addf(sql, "jsonb_text_array(nullif(i.doc->'%s', 'null'))", f->name); break;
  case F_OBJECT:
  case F_OBJECT_ARRAY: buf_addf(sql, "nullif(i.doc->'%s', 'null')", f->name); break;
  case F_MAP: buf_addf(sql, "coalesce(nullif(i.doc->'%s', 'null'), '{}')", f->name); break;
  case F_INT: buf_addf(sql, "(i.doc->>'%s')::bigint", f->name); break;
  case F_DECIMAL: buf_addf(sql, "(i.doc->>'%s')::numeric", f->name); break;
  case F_DATE: buf_addf(sql, "(i.doc->>'%s')::date", f->name); break;
  case F_TIMESTAMP: buf_addf(sql, "(i.doc->>'%s')::timestamptz", f->name); break;
  case F_BOOL: buf_addf(sql, "(i.doc->>'%s')::boolean", f->name); break;
  case F_UUID: buf_addf(sql, "(i.doc->>'%s')::uuid", f->name); break;
  default: buf_addf(sql, "(i.doc->>'%s')", f->name); break;
  }
}

/* The lists of the writable columns that the batch statement repeats. */
enum column_list { COL_NAMES, COL_FROM_DOC, COL_SET, COL_STORED, COL_EXCLUDED };

static void add_columns(struct sqlb *q, const struct resource *r, enum column_list what) {
  bool first = true;
  for (const struct field *f = r->fields; f->name; f++) {
    if (f->readonly || f->expr) continue;
    if (!first) sqlb_add(q, ", ");
    first = false;
    switch (what) {
    case COL_NAMES: sqlb_add(q, f->name); break;
    case COL_FROM_DOC: doc_expr(&q->text, f); break;
    /* external ids: the line's namespaces replace theirs, the others stay */
    case COL_SET:
      if (f->type == F_MAP) sqlb_addf(q, "%s = t.%s || EXCLUDED.%s", f->name, f->name, f->name);
      else sqlb_addf(q, "%s = EXCLUDED.%s", f->name, f->name);
      break;
    case COL_STORED: sqlb_addf(q, "t.%s", f->name); break;
    case COL_EXCLUDED:
      if (f->type == F_MAP) sqlb_addf(q, "t.%s || EXCLUDED.%s", f->name, f->name);
      else sqlb_addf(q, "EXCLUDED.%s", f->name);
      break;
    }
  }
}

/* One statement for a batch: the elements of $1 upserted by the natural key; one row per
   element with its position, id and what happened. A row whose values are all the same is
   not written at all (no new tuple, no index entries): re-importing an unchanged registry,
   the common case of a sync, costs little.
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
  sqlb_addf(&q,
            "WITH input AS MATERIALIZED (SELECT x.n, x.doc, x.doc->>'%s' AS k FROM "
            "jsonb_array_elements(%s) WITH ORDINALITY AS x(doc, n)), ",
            k, doc);
  sqlb_addf(&q, "old AS MATERIALIZED (SELECT t.%s AS k, t.id, t.version, ", k);
  if (scoped) {
    sqlb_add(&q, "(");
    sqlb_template(&q, r->scope_sql, scope_refs, 1);
    sqlb_add(&q, ")");
  } else {
    sqlb_add(&q, "true");
  }
  sqlb_addf(&q, " AS allowed FROM %s t WHERE t.%s IN (SELECT k FROM input)%s), ", r->table, k,
            scoped ? " ORDER BY t.id FOR UPDATE OF t" : "");
  sqlb_addf(&q, "up AS (INSERT INTO %s AS t (", r->table);
  add_columns(&q, r, COL_NAMES);
  sqlb_add(&q, ") SELECT ");
  add_columns(&q, r, COL_FROM_DOC);
  sqlb_addf(&q, " FROM input i ORDER BY i.n ON CONFLICT (%s) DO UPDATE SET ", k);
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
  sqlb_addf(&q,
            "SELECT i.n, coalesce(up.id, old.id)::text, CASE WHEN up.id IS NOT NULL THEN "
            "CASE WHEN up.inserted THEN 'created' ELSE 'updated' END "
            "WHEN NOT old.allowed THEN 'forbidden' ELSE 'unchanged' END "
            "FROM input i LEFT JOIN up ON up.%s = i.k LEFT JOIN old ON old.k = i.k ORDER BY i.n",
            k);
  char *sql = buf_steal(&q.text);
  sqlb_free(&q);
  return sql;
}

static bool exec_plain(struct bulk *b, const char *sql) {
  PGresult *r = db_exec(b->db, sql, 0, NULL);
  PQclear(r);
  return r != NULL;
}

/* Runs the statement on `elements` (a JSON array); false when the database refused it. */
static PGresult *run_batch(struct bulk *b, json_t *elements) {
  char *text = json_dumps(elements, JSON_COMPACT | JSON_REAL_PRECISION(15));
  const char *params[] = {text, b->scope};
  PGresult *r = db_exec(b->db, b->sql, b->scope ? 2 : 1, params);
  free(text);
  return r;
}

static void record(struct bulk *b, PGresult *r, size_t offset) {
  for (int i = 0; i < PQntuples(r); i++) {
    struct result *res =
      &b->results[b->batch_first[offset + (size_t)atoi(PQgetvalue(r, i, 0)) - 1]];
    const char *what = PQgetvalue(r, i, 2);
    if (strcmp(what, "forbidden") == 0) { /* the row exists, outside the manager's clusters */
      line_error(
        res, "siret", "forbidden",
        "this company exists and is not a member of your clusters only (a company shared with another "
        "cluster is an admin's to change)");
      continue;
    }
    snprintf(res->id, sizeof res->id, "%s", PQgetvalue(r, i, 1));
    res->status = strcmp(what, "created") == 0   ? ST_CREATED
                  : strcmp(what, "updated") == 0 ? ST_UPDATED
                                                 : ST_UNCHANGED;
  }
}

static bool connection_lost(void) { return strncmp(db_last_sqlstate(), "08", 2) == 0; }

/* Writes the pending batch. When the database refuses it as a whole (a constraint that C
   validation did not see), each line is retried alone to find the ones at fault. */
static void flush(struct bulk *b) {
  size_t n = json_array_size(b->batch);
  if (n == 0 || b->failed) return;
  /* The Idempotency-Key: its lease extended before the batch, its row locked by the
     batch's transaction (a retry cannot take the key over while it runs). */
  if (!b->one_tx && !http_idempotency_renew(b->c)) {
    b->failed = true;
    return;
  }
  if (!b->one_tx && !db_begin(b->db)) goto lost;
  if (!http_idempotency_renew(b->c)) {
    b->failed = true;
    return;
  }
  if (!exec_plain(b, "SAVEPOINT batch")) goto lost;
  PGresult *r = run_batch(b, b->batch);
  if (r) {
    record(b, r, 0);
    PQclear(r);
  } else {
    if (connection_lost() || !exec_plain(b, "ROLLBACK TO SAVEPOINT batch")) goto lost;
    for (size_t i = 0; i < n; i++) {
      json_t *one = json_pack("[O]", json_array_get(b->batch, i));
      if (!exec_plain(b, "SAVEPOINT line")) {
        json_decref(one);
        goto lost;
      }
      r = run_batch(b, one);
      json_decref(one);
      if (r) {
        record(b, r, i);
        PQclear(r);
        continue;
      }
      if (connection_lost() || !exec_plain(b, "ROLLBACK TO SAVEPOINT line")) goto lost;
      const char *state = db_last_sqlstate();
      line_error(&b->results[b->batch_first[i]], "",
                 strcmp(state, "23505") == 0 ? "duplicate" : "invalid_value",
                 strcmp(state, "23505") == 0
                   ? "another company already holds a unique value of this line"
                   : "the database refused a value of this line");
    }
  }
  if (!b->one_tx && !db_commit(b->db)) goto lost;
  json_array_clear(b->batch);
  return;
lost:
  http_problem_db(b->c);
  b->failed = true;
}

/* Validates one line (its text) and queues it for the next batch. */
static void take_line(struct bulk *b, int line, const char *text, size_t len) {
  struct result *res = add_result(b, line);
  if (json_text_depth(text, len, 32) > 32) {
    line_error(res, "", "malformed", "the line is nested deeper than 32 levels");
    return;
  }
  json_error_t err;
  json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
  if (!json_is_object(doc)) {
    char msg[200];
    snprintf(msg, sizeof msg,
             doc ? "the line is not a JSON object" : "the line is not valid JSON: %s", err.text);
    line_error(res, "", "malformed", msg);
    json_decref(doc);
    return;
  }
  const struct resource *r = &resource_companies;
  struct verrors e = {0};
  json_t *obj = schema_validate(r->fields, doc, false, &e);
  if (obj) r->normalize(obj, doc, &e);
  const char *siret = json_string_value(json_object_get(obj, r->natural_key));
  if (obj && !siret) /* absent or null: the key of the upsert is missing */
    verr_add(&e, r->natural_key, "required", "is required: the bulk import upserts by siret");
  json_decref(doc);
  if (e.items) {
    res->status = ST_ERROR;
    res->errors = e.items;
    json_decref(obj);
    return;
  }
  int first = seen_before(b, siret, line);
  if (first) {
    char msg[80];
    snprintf(msg, sizeof msg, "the same siret is on line %d of this import", first);
    line_error(res, r->natural_key, "duplicate", msg);
    json_decref(obj);
    return;
  }
  b->batch_first[json_array_size(b->batch)] = b->nresults - 1;
  json_array_append_new(b->batch, obj);
  if (json_array_size(b->batch) == BATCH) flush(b);
}

static bool blank(const char *p, const char *stop) {
  while (p < stop && (*p == ' ' || *p == '\t' || *p == '\r')) p++;
  return p == stop;
}

/* NDJSON: one object per physical line; blank lines are skipped but keep their numbers. */
static bool parse_ndjson(struct bulk *b, const char *body, size_t n) {
  const char *end = body + n;
  size_t count = 0;
  for (const char *p = body; p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    count += !blank(p, stop);
    p = stop + 1;
  }
  if (count > BULK_MAX_LINES) {
    http_problem(b->c, 413, "payload_too_large", NULL,
                 "The import has %zu lines; at most %d are taken at once.", count, BULK_MAX_LINES);
    return false;
  }
  int line = 0;
  for (const char *p = body; p < end && !b->failed;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    line++;
    if (!blank(p, stop)) take_line(b, line, p, (size_t)(stop - p));
    p = stop + 1;
  }
  return true;
}

static const char *skip_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
  return p;
}

/* A JSON array. Its syntax is checked whole before anything is written (a broken array
   is a 400 that leaves no batch behind), one element at a time (JSON_DISABLE_EOF_CHECK stops
   after one value), so a 64 MiB array never becomes one 64 MiB tree; then each element is
   taken like an NDJSON line. */
struct span {
  size_t start, len;
};

static bool parse_array(struct bulk *b, const char *body, size_t n) {
  const char *end = body + n, *p = skip_ws(body, end);
  if (p == end || *p != '[') {
    http_problem(b->c, 400, "malformed_request", NULL,
                 "An application/json import is a JSON array of companies.");
    return false;
  }
  p = skip_ws(p + 1, end);
  struct span *spans = NULL;
  size_t count = 0, cap = 0;
  bool ok = false;
  if (p < end && *p == ']') {
    ok = skip_ws(p + 1, end) == end;
  } else {
    while (p < end) {
      if (count == BULK_MAX_LINES) {
        http_problem(b->c, 413, "payload_too_large", NULL, "The import has more than %d elements.",
                     BULK_MAX_LINES);
        goto done;
      }
      json_error_t err;
      json_t *v = json_loadb(p, (size_t)(end - p), JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &err);
      if (!v) {
        http_problem(b->c, 400, "malformed_request", NULL,
                     "Element %zu of the array is not valid JSON: %s.", count + 1, err.text);
        goto done;
      }
      json_decref(v);
      if (count == cap) {
        cap = cap ? cap * 2 : 1024;
        spans = xrealloc(spans, cap * sizeof *spans);
      }
      spans[count++] = (struct span){(size_t)(p - body), (size_t)err.position};
      p = skip_ws(p + err.position, end);
      if (p < end && *p == ',') {
        p = skip_ws(p + 1, end);
      } else if (p < end && *p == ']') {
        ok = skip_ws(p + 1, end) == end;
        break;
      } else {
        break;
      }
    }
  }
  if (!ok) {
    http_problem(
      b->c, 400, "malformed_request", NULL,
      "The array is malformed after element %zu (a ',' or a final ']' is missing, or text follows it).",
      count);
    goto done;
  }
  /* Checking a 64 MiB array took a while: the Idempotency-Key's lease is extended (or, in
     the import's one transaction, its row locked) before the first batch. */
  if (!http_idempotency_renew(b->c)) {
    b->failed = true;
    goto done;
  }
  for (size_t i = 0; i < count && !b->failed; i++)
    take_line(b, (int)i + 1, body + spans[i].start, spans[i].len);
done:
  free(spans);
  return ok;
}

static bool flag(struct ctx *c, const char *name, bool *out) {
  const char *v = query_get(&c->query, name);
  *out = v && strcmp(v, "true") == 0;
  if (!v || strcmp(v, "true") == 0 || strcmp(v, "false") == 0) return true;
  json_t *errs = json_pack("[{s:s,s:s,s:s}]", "field", name, "code", "invalid_value", "message",
                           "true or false");
  http_problem(c, 400, "invalid_query", errs, "'%s' must be true or false.", name);
  return false;
}

static bool media_type(const char *ct, const char *type) {
  size_t n = strlen(type);
  return ct && strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

void companies_bulk(struct ctx *c) {
  static const char *const allowed[] = {"dry_run", "atomic", NULL};
  struct bulk b;
  memset(&b, 0, sizeof b);
  b.c = c;
  if (!ctx_allow_params(c, allowed, NULL) || !flag(c, "dry_run", &b.dry_run) ||
      !flag(c, "atomic", &b.atomic) || !ctx_auth(c))
    return;
  if (c->who.role != ROLE_ADMIN && c->who.role != ROLE_MANAGER) {
    ctx_deny(c, c->who.role == ROLE_ANONYMOUS ? 401 : 403,
             "Only admin and manager keys import companies.");
    return;
  }
  const char *len = ctx_header(c, "Content-Length");
  if ((len && strtoull(len, NULL, 10) > BULK_BODY_LIMIT) ||
      c->req->binary_body_length > BULK_BODY_LIMIT) {
    http_problem(c, 413, "payload_too_large", NULL, "An import is at most %u bytes.",
                 BULK_BODY_LIMIT);
    return;
  }
  const char *ct = ctx_header(c, "Content-Type");
  bool ndjson = media_type(ct, "application/x-ndjson");
  if (!ndjson && !media_type(ct, "application/json")) {
    http_problem(
      c, 415, "unsupported_media_type", NULL,
      "Send application/x-ndjson (one company per line) or application/json (an array).");
    return;
  }
  if (c->req->binary_body_length == 0) {
    http_problem(c, 400, "malformed_request", NULL, "The body is empty.");
    return;
  }
  char heavy_who[HEAVY_WHO_SIZE];
  if (!http_heavy_acquire(c, heavy_who)) return;
  b.db = ctx_db(c);
  if (!b.db) {
    http_heavy_release(heavy_who);
    return;
  }
  /* An import commits batch by batch, in transactions of its own (or in one, atomic): its
     Idempotency-Key is held by a lease that each batch renews, not by the request's
     transaction. Running it again is harmless: it upserts. */
  http_idempotency_lease(c);
  b.one_tx = b.dry_run || b.atomic;
  if (c->who.role == ROLE_MANAGER) b.scope = sqlb_array(c->who.clusters);
  b.dups = xcalloc(DUP_SLOTS, sizeof *b.dups);
  b.batch = json_array();
  b.sql = batch_sql(&resource_companies, b.scope != NULL);
  struct buf out;
  buf_init(&out);

  if (b.one_tx && !db_begin(b.db)) {
    http_problem_db(c);
    goto cleanup;
  }
  bool parsed = ndjson ? parse_ndjson(&b, c->req->binary_body, c->req->binary_body_length)
                       : parse_array(&b, c->req->binary_body, c->req->binary_body_length);
  if (parsed) flush(&b);
  if (!parsed || b.failed) {
    db_rollback(b.db); /* the one transaction, or the batch's own */
    goto cleanup;
  }
  size_t counts[ST_PENDING + 1] = {0};
  for (size_t i = 0; i < b.nresults; i++) counts[b.results[i].status]++;
  bool commit = !b.dry_run && !(b.atomic && counts[ST_ERROR] > 0);
  if (b.one_tx) {
    if (commit) {
      if (!db_commit(b.db)) {
        http_problem_db(c);
        goto cleanup;
      }
    } else {
      db_rollback(b.db);
    }
  }
  buf_addf(
    &out,
    "{\"summary\":{\"created\":%zu,\"updated\":%zu,\"unchanged\":%zu,\"errors\":%zu},\"committed\":%s,\"results\":[",
    counts[ST_CREATED], counts[ST_UPDATED], counts[ST_UNCHANGED], counts[ST_ERROR],
    commit || !b.one_tx ? "true" : "false");
  for (size_t i = 0; i < b.nresults; i++) {
    struct result *r = &b.results[i];
    buf_addf(&out, "%s{\"line\":%d,\"status\":\"%s\",\"id\":", i ? "," : "", r->line,
             r->status == ST_PENDING ? "pending" : codelist_bulk_line_result_status[r->status]);
    /* A row created by an import that committed nothing does not exist. */
    if (r->id[0] && !(r->status == ST_CREATED && b.one_tx && !commit))
      buf_add_json_string(&out, r->id);
    else buf_adds(&out, "null");
    buf_adds(&out, ",\"errors\":");
    char *errs = r->errors ? json_dumps(r->errors, JSON_COMPACT) : NULL;
    buf_adds(&out, errs ? errs : "[]");
    free(errs);
    buf_addc(&out, '}');
  }
  buf_adds(&out, "]}");
  http_respond(c, 200, "application/json", out.data, out.len);

cleanup:
  for (size_t i = 0; i < b.nresults; i++) json_decref(b.results[i].errors);
  free(b.results);
  free(b.dups);
  free(b.scope);
  free(b.sql);
  json_decref(b.batch);
  buf_free(&out);
  http_heavy_release(heavy_who);
}
