/* Idempotency-Key on POST and PUT (draft-ietf-httpapi-idempotency-key-header): the same key and the
   same request within 24 hours get the first answer again, without a second write; the same
   key with another request is 422; a retry while the first is still running is 409. Keys
   are scoped to the caller. Answers of 500 and above are not kept, so they can be retried.

   The handler runs inside a transaction of the request's own, which holds the key's row
   and in which the answer is kept: the writes and the kept answer commit together. So when
   the connection is lost before COMMIT is answered, the key's row tells whether the
   request happened (src/db/idempotency.c), and a retry with the same key is always right:
   it gets the answer of a request that committed, and runs again one that did not. A key
   whose run died (the process killed, a final update that failed) is free again once its
   lease ends: the statement timeout plus LEASE_MARGIN_MS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "text.h"

/* What a lease adds to the statement timeout: the time a run may spend in C between two
   statements (parsing a 64 MiB import before its first batch, say). */
#define LEASE_MARGIN_MS 5000

#define KEPT_HEADERS 3
static const char *const kept[KEPT_HEADERS] = {"Location", "ETag", "Content-Type"};

static bool key_ok(const char *k) {
  size_t n = strlen(k);
  if (n == 0 || n > 255) return false;
  for (const char *p = k; *p; p++)
    if (*p < 0x21 || *p > 0x7E) return false;
  return true;
}

static void caller_of(struct ctx *c, char *out, size_t n) {
  if (c->who.key_id[0]) {
    snprintf(out, n, "key:%s", c->who.key_id);
  } else {
    char addr[64];
    ctx_client_address(c, addr, sizeof addr);
    snprintf(out, n, "anonymous:%s", addr);
  }
}

static void fingerprint(const struct ctx *c, char out[65]) {
  struct buf b;
  buf_init(&b);
  const char *qs = strchr(c->req->http_url, '?');
  const char *ct = ctx_header(c, "Content-Type");
  buf_addf(&b, "%s\n%s\n%s\n%s\n", c->req->http_verb, c->req->url_path, qs ? qs : "", ct ? ct : "");
  sha256_hex2(b.data, b.len, c->req->binary_body, c->req->binary_body_length, out);
  buf_free(&b);
}

static int lease_ms(void) { return app.cfg->statement_timeout_ms + LEASE_MARGIN_MS; }

static void replay(struct ctx *c, const struct idem_found *f) {
  json_t *h = json_loads(f->headers, 0, NULL);
  const char *name;
  json_t *value;
  json_object_foreach(h, name, value) http_set_header(c, name, json_string_value(value));
  json_decref(h);
  http_set_header(c, "Idempotent-Replayed", "true");
  /* A copy: http_respond() sets Content-Type again, which frees the map's own value. */
  char ct[128] = "";
  const char *kept_ct = u_map_get(c->resp->map_header, "Content-Type");
  if (kept_ct) snprintf(ct, sizeof ct, "%s", kept_ct);
  json_t *prob = strcmp(ct, "application/problem+json") == 0
                   ? json_loadb((const char *)f->body, f->body_len, 0, NULL)
                   : NULL;
  if (prob) { /* a problem names the request that carries it: this one */
    json_object_set_new(prob, "request_id", json_string(c->request_id));
    char *text = json_dumps(prob, JSON_COMPACT);
    http_respond(c, f->status, ct, text, strlen(text));
    free(text);
    json_decref(prob);
  } else {
    http_respond(c, f->status, *ct ? ct : NULL, (const char *)f->body, f->body_len);
  }
}

/* The connection was lost and nothing of the request was done. */
static void lost_nothing_done(struct ctx *c) {
  http_set_header(c, "Retry-After", "1");
  http_problem(c, 503, "service_unavailable", NULL,
               "The connection to the database was lost before anything was written; retry.");
}

enum idem http_idempotency_begin(struct ctx *c, struct idem_state *s) {
  const char *key = ctx_header(c, "Idempotency-Key");
  if (!key) return IDEM_NONE;
  if (!key_ok(key)) {
    http_problem(c, 400, "malformed_request", NULL,
                 "Idempotency-Key must be 1 to 255 visible ASCII characters.");
    return IDEM_ANSWERED;
  }
  if (!ctx_auth(c)) return IDEM_ANSWERED;
  struct dbconn *db = ctx_db(c);
  if (!db) return IDEM_ANSWERED;
  memset(s, 0, sizeof *s);
  caller_of(c, s->caller, sizeof s->caller);
  char fp[65];
  fingerprint(c, fp);
  struct idem_found f;
  switch (db_idem_claim(db, s->caller, key, fp, lease_ms(), s->owner, &f)) {
  case IDEM_CLAIM_FAILED:
    if (strcmp(db_last_sqlstate(), "08007") == 0) { /* the claim itself may have been made */
      lost_nothing_done(c);
      db_idem_release(db, s->caller, key, s->owner);
    } else {
      http_problem_db(c);
    }
    return IDEM_ANSWERED;
  case IDEM_CLAIM_VANISHED:
    http_set_header(c, "Retry-After", "1");
    http_problem(c, 409, "conflict", NULL,
                 "This Idempotency-Key is being reused right now; retry.");
    return IDEM_ANSWERED;
  case IDEM_CLAIM_FOUND:
    if (!f.same_request) {
      http_problem(c, 422, "validation_failed", NULL,
                   "This Idempotency-Key was used with another request in the last 24 hours.");
    } else if (f.running) {
      char after[16];
      snprintf(after, sizeof after, "%d", f.retry_after);
      http_set_header(c, "Retry-After", after);
      http_problem(c, 409, "conflict", NULL,
                   "A request with this Idempotency-Key is still being processed; retry later.");
    } else {
      replay(c, &f);
    }
    db_idem_found_free(&f);
    return IDEM_ANSWERED;
  case IDEM_CLAIM_OWNED: break;
  }
  int held = db_idem_hold(db, s->caller, key, s->owner);
  if (held != 1) {
    if (held == 0) {
      http_set_header(c, "Retry-After", "1");
      http_problem(c, 409, "conflict", NULL,
                   "This Idempotency-Key is being reused right now; retry.");
    } else if (strncmp(db_last_sqlstate(), "08", 2) == 0) {
      lost_nothing_done(c);
    } else {
      http_problem_db(c);
    }
    db_idem_release(db, s->caller, key, s->owner);
    return IDEM_ANSWERED;
  }
  s->held = true;
  c->idem = s;
  return IDEM_FIRST;
}

void http_idempotency_lease(struct ctx *c) {
  if (!c->idem || !c->idem->held) return;
  /* The request's transaction has written nothing yet: ending it only lets the row's lock
     go, and the lease, renewed by each batch, holds the key from now on. */
  db_commit_outer(c->db);
  c->idem->held = false;
}

bool http_idempotency_renew(struct ctx *c) {
  if (!c->idem) return true;
  const char *key = ctx_header(c, "Idempotency-Key");
  /* Between transactions the lease is extended; in one, the row is locked for as long as
     it lasts (an update there would make a retry's claim wait for it). */
  bool ours = db_tx_state(c->db) == DB_TX_NONE
                ? db_idem_renew(c->db, c->idem->caller, key, c->idem->owner, lease_ms())
                : db_idem_lock(c->db, c->idem->caller, key, c->idem->owner) == 1;
  if (ours) return true;
  if (db_last_sqlstate()[0]) {
    http_problem_db(c);
  } else {
    http_set_header(c, "Retry-After", "1");
    http_problem(
      c, 409, "conflict", NULL,
      "This request outlived the lease on its Idempotency-Key, which a retry has taken over; its answer is the one kept.");
  }
  return false;
}

/* An answer that did not happen: what it said goes with it. */
static void discard_answer(struct ctx *c) {
  u_map_remove_from_key_case(c->resp->map_header, "Location");
  u_map_remove_from_key_case(c->resp->map_header, "ETag");
}

static char *kept_headers(struct ctx *c) {
  json_t *h = json_object();
  for (int i = 0; i < KEPT_HEADERS; i++) {
    const char *v = u_map_get_case(c->resp->map_header, kept[i]);
    if (v) json_object_set_new(h, kept[i], json_string(v));
  }
  char *text = json_dumps(h, JSON_COMPACT);
  json_decref(h);
  return text;
}

static bool keep(struct ctx *c, const struct idem_state *s, const char *key) {
  char *headers = kept_headers(c);
  bool ok = db_idem_keep(c->db, s->caller, key, s->owner, c->status, headers, c->resp->binary_body,
                         c->resp->binary_body_length);
  free(headers);
  return ok;
}

/* Kept: every answer but failures of ours (5xx) and 429 (too many requests, imports or
   exports at once), which say "later", not "no", and streams. */
static bool keepable(const struct ctx *c) {
  return c->status < 500 && c->status != 429 && !c->resp->stream_callback;
}

/* What is left to do with the key once the request's transaction has ended. */
enum next { DONE, KEEP_NOW, GIVE_UP };

/* Ends the request's transaction, with its answer kept in it when it is kept at all. */
static enum next end_transaction(struct ctx *c, const struct idem_state *s, const char *key) {
  enum db_tx tx = db_tx_state(c->db);
  if (tx != DB_TX_OK) {
    db_rollback_outer(c->db);
    if (c->status >= 400) /* an error answer, after the statement that failed: kept on its own */
      return keepable(c) ? KEEP_NOW : GIVE_UP;
    /* A success answered after a statement of its transaction failed: it did not happen. */
    y_log_message(Y_LOG_LEVEL_ERROR, "http/idempotency - %s answered %d but its transaction %s",
                  c->request_id, c->status, tx == DB_TX_LOST ? "was lost" : "had failed");
    discard_answer(c);
    if (tx == DB_TX_LOST) lost_nothing_done(c);
    else
      http_problem(c, 500, "internal_error", NULL,
                   "Something went wrong on our side; the request id helps us find it.");
    return GIVE_UP;
  }
  if (!keepable(c)) {
    db_rollback_outer(c->db); /* a failure of ours: whatever it began goes */
    return GIVE_UP;
  }
  if (keep(c, s, key) && db_commit_outer(c->db)) return DONE;
  if (strcmp(db_last_sqlstate(), "08007") == 0) { /* COMMIT went unanswered */
    switch (db_idem_resolve(c->db, s->caller, key, s->owner)) {
    case IDEM_OUTCOME_COMMITTED:
      y_log_message(Y_LOG_LEVEL_WARNING,
                    "http/idempotency - %s: its COMMIT went unanswered, and had committed",
                    c->request_id);
      return DONE;
    case IDEM_OUTCOME_ROLLED_BACK: /* and the key was given up */
      discard_answer(c);
      lost_nothing_done(c);
      return DONE;
    case IDEM_OUTCOME_UNKNOWN:
      /* The key stays running until its lease ends; a retry then finds it done (and gets
         this answer) or takes it over (and runs). */
      discard_answer(c);
      http_problem_outcome_unknown(c);
      return DONE;
    }
  }
  discard_answer(c);
  http_problem_db(c); /* the transaction failed: nothing was done (answered before the rollback
                    replaces the SQLSTATE it tells from) */
  db_rollback_outer(c->db);
  return keepable(c) ? KEEP_NOW : GIVE_UP;
}

void http_idempotency_end(struct ctx *c) {
  struct idem_state *s = c->idem;
  if (!s) return;
  c->idem = NULL;
  const char *key = ctx_header(c, "Idempotency-Key");
  enum next next = s->held ? end_transaction(c, s, key) : keepable(c) ? KEEP_NOW : GIVE_UP;
  /* Outside the request's transaction (a bulk import, or an error answer whose transaction
     failed) the answer is kept on its own, or the key given up so that a retry runs again.
     A keep whose answer was lost may have committed: the release leaves a kept key alone. */
  if (next == KEEP_NOW && keep(c, s, key)) return;
  if (next != DONE) db_idem_release(c->db, s->caller, key, s->owner);
}
