/* Idempotency-Key on POST (draft-ietf-httpapi-idempotency-key-header): the same key and the
   same request within 24 hours get the first answer again, without a second write; the same
   key with another request is 422; a retry while the first is still running is 409. Keys
   are scoped to the caller. Answers of 500 and above are not kept, so they can be retried. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "http.h"
#include "text.h"

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
  if (c->req->binary_body_length) buf_add(&b, c->req->binary_body, c->req->binary_body_length);
  sha256_hex(b.data, b.len, out);
  buf_free(&b);
}

enum idem idempotency_begin(struct ctx *c, char caller[96]) {
  const char *key = ctx_header(c, "Idempotency-Key");
  if (!key) return IDEM_NONE;
  if (!key_ok(key)) {
    problem(c, 400, "malformed_request", NULL, "Idempotency-Key must be 1 to 255 visible ASCII characters.");
    return IDEM_ANSWERED;
  }
  if (!ctx_auth(c)) return IDEM_ANSWERED;
  struct dbconn *db = ctx_db(c);
  if (!db) return IDEM_ANSWERED;
  caller_of(c, caller, 96);
  char fp[65];
  fingerprint(c, fp);
  const char *params[] = {caller, key, fp};
  /* A kept answer older than 24 hours no longer counts (and a few stale ones go too). */
  PGresult *r = db_exec(db,
    "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours' "
    "AND ((caller = $1 AND key = $2) OR ctid = ANY (ARRAY(SELECT ctid FROM idempotency_keys "
    "WHERE created_at < now() - interval '24 hours' LIMIT 100)))", 2, params);
  if (!r) { problem_db(c); return IDEM_ANSWERED; }
  PQclear(r);
  r = db_exec(db, "INSERT INTO idempotency_keys (caller, key, fingerprint, state) VALUES ($1, $2, $3, 'running') "
                  "ON CONFLICT (caller, key) DO NOTHING RETURNING 1", 3, params);
  if (!r) { problem_db(c); return IDEM_ANSWERED; }
  bool first = PQntuples(r) > 0;
  PQclear(r);
  if (first) return IDEM_FIRST;
  r = db_exec(db, "SELECT fingerprint = $3, state, status, headers::text, body FROM idempotency_keys "
                  "WHERE caller = $1 AND key = $2", 3, params);
  if (!r) { problem_db(c); return IDEM_ANSWERED; }
  if (PQntuples(r) == 0) { /* expired and deleted between our two statements: tell to retry */
    PQclear(r);
    set_header(c, "Retry-After", "1");
    problem(c, 409, "conflict", NULL, "This Idempotency-Key is being reused right now; retry.");
    return IDEM_ANSWERED;
  }
  if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
    problem(c, 422, "validation_failed", NULL, "This Idempotency-Key was used with another request in the last 24 hours.");
  } else if (strcmp(PQgetvalue(r, 0, 1), "running") == 0) {
    set_header(c, "Retry-After", "1");
    problem(c, 409, "conflict", NULL, "A request with this Idempotency-Key is still being processed; retry later.");
  } else {
    json_t *h = json_loads(PQgetvalue(r, 0, 3), 0, NULL);
    const char *name;
    json_t *value;
    json_object_foreach(h, name, value) set_header(c, name, json_string_value(value));
    json_decref(h);
    size_t len = 0;
    unsigned char *body = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 4), &len);
    set_header(c, "Idempotent-Replayed", "true");
    /* A copy: respond() sets Content-Type again, which frees the map's own value. */
    char ct[128] = "";
    const char *kept_ct = u_map_get(c->resp->map_header, "Content-Type");
    if (kept_ct) snprintf(ct, sizeof ct, "%s", kept_ct);
    json_t *prob = strcmp(ct, "application/problem+json") == 0 ? json_loadb((const char *)body, len, 0, NULL) : NULL;
    if (prob) { /* a problem names the request that carries it: this one */
      json_object_set_new(prob, "request_id", json_string(c->request_id));
      char *text = json_dumps(prob, JSON_COMPACT);
      respond(c, atoi(PQgetvalue(r, 0, 2)), ct, text, strlen(text));
      free(text);
      json_decref(prob);
    } else {
      respond(c, atoi(PQgetvalue(r, 0, 2)), *ct ? ct : NULL, (const char *)body, len);
    }
    PQfreemem(body);
  }
  PQclear(r);
  return IDEM_ANSWERED;
}

void idempotency_end(struct ctx *c, const char caller[96]) {
  const char *key = ctx_header(c, "Idempotency-Key");
  struct dbconn *db = c->db;
  if (!db) return;
  PGresult *r;
  /* Not kept: failures of ours (5xx) and 429 (too many requests, imports or exports at
     once), which say "later", not "no": a retry with the same key runs again. */
  if (c->status >= 500 || c->status == 429 || c->resp->stream_callback) {
    const char *params[] = {caller, key};
    r = db_exec(db, "DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2", 2, params);
  } else {
    json_t *h = json_object();
    for (int i = 0; i < KEPT_HEADERS; i++) {
      const char *v = u_map_get_case(c->resp->map_header, kept[i]);
      if (v) json_object_set_new(h, kept[i], json_string(v));
    }
    char *headers = json_dumps(h, JSON_COMPACT);
    json_decref(h);
    char status[8];
    snprintf(status, sizeof status, "%d", c->status);
    const char *params[] = {caller, key, status, headers, c->resp->binary_body ? (const char *)c->resp->binary_body : ""};
    int lengths[] = {0, 0, 0, 0, (int)c->resp->binary_body_length};
    int formats[] = {0, 0, 0, 0, 1};
    r = PQexecParams(db->pg,
      "UPDATE idempotency_keys SET state = 'done', status = $3::int, headers = $4::jsonb, body = $5 "
      "WHERE caller = $1 AND key = $2", 5, NULL, params, lengths, formats, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      PQclear(r);
      r = NULL;
    }
    free(headers);
  }
  PQclear(r);
}
