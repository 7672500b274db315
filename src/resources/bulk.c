/* POST /v1/<resource>/bulk: up to 100,000 lines upserted in one request, by one engine for
   every resource (include/bulk.h). The body is NDJSON, a JSON array or CSV; each line
   becomes one JSON object, taken by the resource's writer, which validates it and queues it;
   the writer writes BULK_BATCH lines at a time in a transaction of their own (or, dry_run or
   atomic, in one for the whole import). Memory holds the body, one batch and the per-line
   results: a line's object is freed once its batch is written. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "bulk.h"
#include "db.h"
#include "engine.h"
#include "handlers.h"
#include "http.h"
#include "mem.h"
#include "mergepatch.h"
#include "sqlb.h"
#include "text.h"

struct bulk_result *bulk_add_result(struct bulk *b, int line) {
  if (b->nresults == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1024;
    b->results = xrealloc(b->results, cap * sizeof *b->results);
    b->cap = cap;
  }
  struct bulk_result *r = &b->results[b->nresults++];
  memset(r, 0, sizeof *r);
  r->line = line;
  r->status = BULK_PENDING;
  return r;
}

void bulk_line_error(struct bulk_result *r, const char *field, const char *code,
                     const char *message) {
  r->status = BULK_ERROR;
  if (!r->errors) r->errors = json_array();
  json_array_append_new(
    r->errors, json_pack("{s:s,s:s,s:s}", "field", field, "code", code, "message", message));
}

void bulk_line_written(struct bulk_result *r, const char *id, const char *what) {
  snprintf(r->id, sizeof r->id, "%s", id);
  r->status = strcmp(what, "created") == 0   ? BULK_CREATED
              : strcmp(what, "updated") == 0 ? BULK_UPDATED
                                             : BULK_UNCHANGED;
}

struct bulk_result *bulk_queued(struct bulk *b, size_t i) {
  return &b->results[b->batch_first[i]];
}

bool bulk_exec(struct bulk *b, const char *sql) {
  PGresult *r = db_exec(b->db, sql, 0, NULL);
  PQclear(r);
  return r != NULL;
}

bool bulk_connection_lost(void) { return strncmp(db_last_sqlstate(), "08", 2) == 0; }

/* Each line of the batch alone, under a savepoint: the batch's statement failed, this finds
   the lines at fault. */
static bool write_one_by_one(struct bulk *b) {
  const char *sql = b->flight.sql;
  const char *params[] = {NULL, b->scope};
  for (size_t i = 0; i < json_array_size(b->batch); i++) {
    json_t *one = json_pack("[O]", json_array_get(b->batch, i));
    char *text = json_dumps(one, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(one);
    params[0] = text;
    if (!bulk_exec(b, "SAVEPOINT line")) {
      free(text);
      return false;
    }
    PGresult *r = db_exec(b->db, sql, b->scope ? 2 : 1, params);
    free(text);
    if (r) {
      b->flight.record(b, r, i);
      PQclear(r);
      if (!bulk_exec(b, "RELEASE SAVEPOINT line")) return false;
      continue;
    }
    if (bulk_connection_lost() || !bulk_exec(b, "ROLLBACK TO SAVEPOINT line")) return false;
    bool dup = strcmp(db_last_sqlstate(), "23505") == 0;
    char msg[160];
    snprintf(msg, sizeof msg,
             dup ? "another %s already holds a unique value of this line"
                 : "the database refused a value of this line (a reference, range or format)",
             b->flight.item);
    bulk_line_error(bulk_queued(b, i), "", dup ? "duplicate" : "invalid_value", msg);
  }
  return true;
}

/* Reads the answer to the batch in flight and records it (or, refused, writes its lines one
   by one). False on a lost connection. */
static bool land_sets(struct bulk *b) {
  b->flight.on = false;
  PGresult *r = db_wait(b->db);
  if (r) {
    b->flight.record(b, r, 0);
    PQclear(r);
    return bulk_exec(b, "RELEASE SAVEPOINT batch");
  }
  if (bulk_connection_lost() || !bulk_exec(b, "ROLLBACK TO SAVEPOINT batch")) return false;
  return write_one_by_one(b);
}

/* Ends the write of b->batch: its transaction committed (unless the import is one), its
   lines freed. */
static bool end_write(struct bulk *b) {
  if (b->flight.on && !land_sets(b)) return false;
  if (!b->one_tx && !db_commit(b->db)) return false;
  json_array_clear(b->batch);
  return true;
}

/* The batch in flight, if any, landed. */
static void land(struct bulk *b) {
  if (!b->flight.on || b->failed) return;
  if (!end_write(b)) {
    http_problem_db(b->c);
    b->failed = true;
  }
}

/* Writes the queued lines in a transaction of their own (or the import's one), after the
   batch in flight, if any, has landed. A set-based writer's batch is left in flight. */
static void flush(struct bulk *b) {
  land(b);
  if (json_array_size(b->fill) == 0 || b->failed) return;
  json_t *lines = b->batch;
  b->batch = b->fill;
  b->fill = lines;
  size_t *first = b->batch_first;
  b->batch_first = b->fill_first;
  b->fill_first = first;
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
  if (!b->w->write(b)) goto lost;
  if (b->flight.on || end_write(b)) return;
lost:
  http_problem_db(b->c);
  b->failed = true;
}

void bulk_queue(struct bulk *b, struct bulk_result *r, json_t *obj) {
  b->fill_first[json_array_size(b->fill)] = (size_t)(r - b->results);
  json_array_append_new(b->fill, obj);
  if (json_array_size(b->fill) == BULK_BATCH) flush(b);
}

bool bulk_write_sets(struct bulk *b, const char *sql,
                     void (*record)(struct bulk *b, struct pg_result *r, size_t offset),
                     const char *item) {
  b->flight.sql = sql;
  b->flight.item = item;
  b->flight.record = record;
  if (!bulk_exec(b, "SAVEPOINT batch")) return false;
  char *text = json_dumps(b->batch, JSON_COMPACT | JSON_REAL_PRECISION(15));
  const char *params[] = {text, b->scope};
  bool sent = db_send(b->db, sql, b->scope ? 2 : 1, params);
  free(text);
  if (!sent) return false;
  b->flight.on = true;
  return true;
}

/* Parses one JSON line and gives it to the writer. */
static void take_json(struct bulk *b, int line, const char *text, size_t len) {
  struct bulk_result *res = bulk_add_result(b, line);
  if (json_text_depth(text, len, 32) > 32) {
    bulk_line_error(res, "", "malformed", "the line is nested deeper than 32 levels");
    return;
  }
  json_error_t err;
  json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
  if (!json_is_object(doc)) {
    char msg[200];
    snprintf(msg, sizeof msg,
             doc ? "the line is not a JSON object" : "the line is not valid JSON: %s", err.text);
    bulk_line_error(res, "", "malformed", msg);
    json_decref(doc);
    return;
  }
  b->w->take(b, res, doc);
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
    if (!blank(p, stop)) take_json(b, line, p, (size_t)(stop - p));
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
                 "An application/json import is a JSON array of objects.");
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
    take_json(b, (int)i + 1, body + spans[i].start, spans[i].len);
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

static const struct bulk_writer *writer_of(const struct resource *r) {
  static const struct bulk_writer *const all[] = {
    &bulk_companies,     &bulk_rows_clusters, &bulk_rows_partners,
    &bulk_rows_projects, &bulk_rows_events,   &bulk_memberships,
  };
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (all[i]->res == r) return all[i];
  return NULL;
}

/* The report: a summary and one result per line. */
static void respond(struct bulk *b, bool commit) {
  size_t counts[BULK_PENDING + 1] = {0};
  for (size_t i = 0; i < b->nresults; i++) counts[b->results[i].status]++;
  struct buf out;
  buf_init(&out);
  buf_addf(
    &out,
    "{\"summary\":{\"created\":%zu,\"updated\":%zu,\"unchanged\":%zu,\"errors\":%zu},\"committed\":%s,\"results\":[",
    counts[BULK_CREATED], counts[BULK_UPDATED], counts[BULK_UNCHANGED], counts[BULK_ERROR],
    commit || !b->one_tx ? "true" : "false");
  for (size_t i = 0; i < b->nresults; i++) {
    struct bulk_result *r = &b->results[i];
    buf_addf(&out, "%s{\"line\":%d,\"status\":\"%s\",\"id\":", i ? "," : "", r->line,
             r->status == BULK_PENDING ? "pending" : codelist_bulk_line_result_status[r->status]);
    /* A row created by an import that committed nothing does not exist. */
    if (r->id[0] && !(r->status == BULK_CREATED && b->one_tx && !commit))
      buf_add_json_string(&out, r->id);
    else buf_adds(&out, "null");
    buf_adds(&out, ",\"errors\":");
    char *errs = r->errors ? json_dumps(r->errors, JSON_COMPACT) : NULL;
    buf_adds(&out, errs ? errs : "[]");
    free(errs);
    buf_addc(&out, '}');
  }
  buf_adds(&out, "]}");
  http_respond(b->c, 200, "application/json", out.data, out.len);
  buf_free(&out);
}

/* Who may import into this resource at all: whoever may create or change one of its rows
   (each line is then authorized as its own write would be). */
static bool may_import(struct ctx *c, const struct resource *r) {
  if (!ctx_auth(c)) return false;
  const struct principal *who = &c->who;
  if (who->role == ROLE_ADMIN || who->role == ROLE_MANAGER) {
    bool any = r->authorize == NULL || r->authorize(who, OP_CREATE, NULL) == 0 ||
               r->authorize(who, OP_UPSERT, NULL) == AUTH_SCOPED ||
               r->authorize(who, OP_UPSERT, NULL) == 0;
    if (any) return true;
  }
  char detail[120];
  snprintf(detail, sizeof detail, "Your key may not import %s.", r->name);
  ctx_deny(c, who->role == ROLE_ANONYMOUS ? 401 : 403, detail);
  return false;
}

enum body_kind { BODY_NDJSON, BODY_ARRAY, BODY_CSV };

/* The body's kind from Content-Type (CSV: its charset in *latin); false after 415. */
static bool body_kind(struct ctx *c, enum body_kind *kind, bool *cp1252) {
  const char *ct = ctx_header(c, "Content-Type");
  *cp1252 = false;
  if (media_type(ct, "application/x-ndjson")) *kind = BODY_NDJSON;
  else if (media_type(ct, "application/json")) *kind = BODY_ARRAY;
  else if (media_type(ct, "text/csv")) {
    *kind = BODY_CSV;
    const char *cs = strcasestr(ct, "charset=");
    if (cs) {
      cs += 8;
      if (*cs == '"') cs++;
      size_t n = strcspn(cs, "\"; ");
      if ((n == 12 && strncasecmp(cs, "windows-1252", 12) == 0) ||
          (n == 6 && strncasecmp(cs, "cp1252", 6) == 0) ||
          (n == 10 && strncasecmp(cs, "iso-8859-1", 10) == 0) ||
          (n == 6 && strncasecmp(cs, "latin1", 6) == 0)) {
        *cp1252 = true;
      } else if (!((n == 5 && strncasecmp(cs, "utf-8", 5) == 0) ||
                   (n == 4 && strncasecmp(cs, "utf8", 4) == 0))) {
        http_problem(c, 415, "unsupported_media_type", NULL,
                     "A CSV import is UTF-8 (with or without BOM) or windows-1252 "
                     "(text/csv; charset=windows-1252); not '%.*s'.",
                     (int)(n > 40 ? 40 : n), cs);
        return false;
      }
    }
  } else {
    http_problem(c, 415, "unsupported_media_type", NULL,
                 "Send application/x-ndjson (one object per line), application/json (an array) "
                 "or text/csv (a header row of field names).");
    return false;
  }
  return true;
}

void bulk_import(struct ctx *c) {
  static const char *const allowed[] = {"dry_run", "atomic", NULL};
  struct bulk b;
  memset(&b, 0, sizeof b);
  b.c = c;
  b.w = writer_of(c->res);
  if (!ctx_allow_params(c, allowed, NULL) || !flag(c, "dry_run", &b.dry_run) ||
      !flag(c, "atomic", &b.atomic) || !may_import(c, b.w->res))
    return;
  const char *len = ctx_header(c, "Content-Length");
  if ((len && strtoull(len, NULL, 10) > BULK_BODY_LIMIT) ||
      c->req->binary_body_length > BULK_BODY_LIMIT) {
    http_problem(c, 413, "payload_too_large", NULL, "An import is at most %u bytes.",
                 BULK_BODY_LIMIT);
    return;
  }
  enum body_kind kind;
  bool cp1252;
  if (!body_kind(c, &kind, &cp1252)) return;
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
  b.batch = json_array();
  b.fill = json_array();
  b.batch_first = b.firsts[0];
  b.fill_first = b.firsts[1];
  b.w->open(&b);

  if (b.one_tx && !db_begin(b.db)) {
    http_problem_db(c);
    goto cleanup;
  }
  const char *body = c->req->binary_body;
  size_t n = c->req->binary_body_length;
  bool parsed = kind == BODY_NDJSON  ? parse_ndjson(&b, body, n)
                : kind == BODY_ARRAY ? parse_array(&b, body, n)
                                     : bulk_parse_csv(&b, body, n, cp1252);
  if (parsed) {
    flush(&b);
    land(&b);
  }
  if (b.flight.on) { /* the import stopped with a batch in flight: its answer is not needed */
    b.flight.on = false;
    PQclear(db_wait(b.db));
  }
  if (!parsed || b.failed) {
    db_rollback(b.db); /* the one transaction, or the batch's own */
    goto cleanup;
  }
  size_t errors = 0;
  for (size_t i = 0; i < b.nresults; i++) errors += b.results[i].status == BULK_ERROR;
  bool commit = !b.dry_run && !(b.atomic && errors > 0);
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
  respond(&b, commit);

cleanup:
  b.w->close(&b);
  for (size_t i = 0; i < b.nresults; i++) json_decref(b.results[i].errors);
  free(b.results);
  free(b.scope);
  json_decref(b.batch);
  json_decref(b.fill);
  http_heavy_release(heavy_who);
}
