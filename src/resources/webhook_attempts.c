/* Attempts of a webhook subscription: POST /v1/webhooks/{id}/test, a signed ping sent now
   and answered with what the receiver said, and GET /v1/webhooks/{id}/deliveries, the log of
   every attempt (the workers' and the pings'), newest first. The subscriptions themselves:
   src/resources/webhooks.c. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "cursor.h"
#include "db.h"
#include "deliver.h"
#include "handlers.h"
#include "http.h"
#include "mem.h"
#include "query.h"
#include "resource.h"
#include "text.h"
#include "validate.h"
#include "webhooks.h"

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 100

/* Test pings wait for a receiver in a request's thread: one at a time per key, and no more
   than half of the server's threads at once. */
static struct {
  pthread_mutex_t lock;
  int n;
  char keys[64][37];
} pinging = {.lock = PTHREAD_MUTEX_INITIALIZER};

static bool ping_begin(struct ctx *c) {
  pthread_mutex_lock(&pinging.lock);
  bool mine = false;
  for (int i = 0; i < pinging.n; i++) mine = mine || strcmp(pinging.keys[i], c->who.key_id) == 0;
  int most = app.cfg->threads / 2 > 0 ? app.cfg->threads / 2 : 1;
  bool ok = !mine && pinging.n < most && pinging.n < 64;
  if (ok) snprintf(pinging.keys[pinging.n++], sizeof pinging.keys[0], "%s", c->who.key_id);
  pthread_mutex_unlock(&pinging.lock);
  if (!ok) {
    http_set_header(c, "Retry-After", "1");
    http_problem(c, 429, "too_many_requests", NULL,
                 mine ? "A test of this key is already waiting for its receiver; retry when it "
                        "has its answer."
                      : "The server is already waiting for the receivers of other tests; retry "
                        "in a second.");
  }
  return ok;
}

static void ping_end(struct ctx *c) {
  pthread_mutex_lock(&pinging.lock);
  for (int i = 0; i < pinging.n; i++)
    if (strcmp(pinging.keys[i], c->who.key_id) == 0) {
      pinging.keys[i][0] = '\0';
      memcpy(pinging.keys[i], pinging.keys[pinging.n - 1], sizeof pinging.keys[0]);
      pinging.n--;
      break;
    }
  pthread_mutex_unlock(&pinging.lock);
}

void webhook_test(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !webhook_may_subscribe(c) || !webhook_accepts_json(c))
    return;
  struct dbconn *db = ctx_db(c);
  PGresult *cur = db ? webhook_load(c, db, false) : NULL;
  if (!cur) return;
  /* the url and the secret, read again without the JSON */
  const char *p[] = {c->params[0]};
  PGresult *w = db_exec(db,
                        "SELECT url, secret, CASE WHEN previous_secret_until > now() THEN "
                        "previous_secret END, rfc3339(now()) FROM webhooks WHERE id = $1::uuid",
                        1, p);
  PQclear(cur);
  if (!w || PQntuples(w) == 0) {
    if (w) http_problem(c, 404, "not_found", NULL, "No webhook with this id.");
    else http_problem_db(c);
    PQclear(w);
    return;
  }
  char msg_id[80], nonce[37];
  if (!uuid_v4(nonce)) {
    PQclear(w);
    http_problem(c, 500, "internal_error", NULL, "No randomness available.");
    return;
  }
  snprintf(msg_id, sizeof msg_id, "msg_test_%s", nonce);
  json_t *msg = json_pack("{s:s,s:s,s:{s:s}}", "type", "webhook.test", "timestamp",
                          PQgetvalue(w, 0, 3), "data", "webhook_id", c->params[0]);
  char *body = json_dumps(msg, JSON_COMPACT);
  json_decref(msg);
  char *url = xstrdup(PQgetvalue(w, 0, 0)), *secret = xstrdup(PQgetvalue(w, 0, 1));
  char *prev = PQgetisnull(w, 0, 2) ? NULL : xstrdup(PQgetvalue(w, 0, 2));
  char *at = xstrdup(PQgetvalue(w, 0, 3));
  PQclear(w);
  /* no database connection is held while the receiver answers */
  bool in_tx = db_tx_state(db) != DB_TX_NONE;
  if (!in_tx) ctx_release_db(c);
  struct attempt a;
  if (!ping_begin(c)) {
    free(body);
    free(url);
    free(secret);
    free(prev);
    free(at);
    return;
  }
  deliver_send(url, secret, prev, msg_id, body, strlen(body), ctx_header(c, "traceparent"), &a);
  ping_end(c);
  json_t *log = json_array();
  json_t *item = json_pack("{s:s,s:n,s:s,s:i,s:s,s:f,s:b}", "message_id", msg_id, "seq",
                           "event_type", "webhook.test", "attempt", 1, "attempted_at", at,
                           "duration_ms", (double)(long long)(a.ms * 10 + 0.5) / 10, "ok", a.ok);
  json_object_set_new(item, "status", a.status ? json_integer(a.status) : json_null());
  json_object_set_new(item, "error", a.error[0] ? json_string(a.error) : json_null());
  json_object_set_new(item, "response_body", a.body[0] ? json_string(a.body) : json_null());
  json_object_set_new(item, "next_attempt_at", json_null());
  json_array_append(log, item);
  db = ctx_db(c);
  if (db && deliver_log(db, c->params[0], log)) {
    char *text = json_dumps(item, JSON_COMPACT);
    http_respond_json(c, 200, text);
    free(text);
  } else if (db) {
    http_problem_db(c);
  }
  json_decref(item);
  json_decref(log);
  free(body);
  free(url);
  free(secret);
  free(prev);
  free(at);
}

void webhook_deliveries(struct ctx *c) {
  static const char *const allowed[] = {"limit", "cursor", NULL};
  if (!ctx_allow_params(c, allowed, NULL) || !webhook_may_subscribe(c) || !webhook_accepts_json(c))
    return;
  long limit = LIST_LIMIT_DEFAULT;
  const char *v = query_get(&c->query, "limit");
  if (v && !long_valid(v, 1, LIST_LIMIT_MAX, &limit)) {
    http_bad_param(c, "invalid_query", "invalid value", "limit",
                   "'%s' is not a valid limit: 1 to %d.", v, LIST_LIMIT_MAX);
    return;
  }
  char before[24] = "";
  if ((v = query_get(&c->query, "cursor"))) {
    json_t *p = cursor_decode(app.secret, sizeof app.secret, v);
    const char *r = json_string_value(json_object_get(p, "r"));
    json_t *b = json_object_get(p, "b");
    bool ok = r && strcmp(r, "deliveries") == 0 && json_is_integer(b);
    if (ok) snprintf(before, sizeof before, "%lld", (long long)json_integer_value(b));
    json_decref(p);
    if (!ok) {
      http_bad_param(c, "invalid_cursor", "invalid value", "cursor",
                     "This is not a cursor of this list: use the `next` of an earlier answer.");
      return;
    }
  }
  struct dbconn *db = ctx_db(c);
  PGresult *cur = db ? webhook_load(c, db, false) : NULL;
  if (!cur) return;
  PQclear(cur);
  char lim[24];
  snprintf(lim, sizeof lim, "%ld", limit + 1);
  const char *p[] = {c->params[0], before[0] ? before : NULL, lim};
  PGresult *r = db_exec(
    db,
    "SELECT json_build_object('id', d.id::text, 'message_id', d.message_id, 'seq', d.seq, "
    "'event_type', d.event_type, 'attempt', d.attempt, 'attempted_at', rfc3339(d.attempted_at), "
    "'duration_ms', round(d.duration_ms::numeric, 1), 'status', d.status, 'ok', d.ok, "
    "'error', d.error, 'response_body', d.response_body, "
    "'next_attempt_at', rfc3339(d.next_attempt_at))::text, d.id "
    "FROM webhook_deliveries d WHERE d.webhook_id = $1::uuid "
    "AND ($2::bigint IS NULL OR d.id < $2::bigint) ORDER BY d.id DESC LIMIT $3::int",
    3, p);
  if (!r) {
    http_problem_db(c);
    return;
  }
  struct buf out;
  buf_init(&out);
  buf_add(&out, "{\"items\":[", 10);
  int n = PQntuples(r);
  for (int i = 0; i < n && i < limit; i++) {
    if (i) buf_addc(&out, ',');
    buf_add(&out, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
  }
  buf_add(&out, "],\"next\":", 9);
  if (n > limit) {
    json_t *cp = json_pack("{s:s,s:I}", "r", "deliveries", "b",
                           (json_int_t)atoll(PQgetvalue(r, (int)limit - 1, 1)));
    char *cur_text = cursor_encode(app.secret, sizeof app.secret, cp);
    json_decref(cp);
    buf_addf(&out, "\"%s\"}", cur_text);
    res_link_next(c, cur_text);
    free(cur_text);
  } else {
    buf_add(&out, "null}", 5);
  }
  PQclear(r);
  http_respond_buf(c, 200, "application/json", &out);
}
