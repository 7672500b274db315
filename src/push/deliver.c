/* Webhook deliveries (include/deliver.h).

   State lives in PostgreSQL (migration 0022), so any number of processes share the work:
   - A thread here watches the feed: every GRAPPE_WEBHOOK_POLL_MS, while some subscription
     is active, it numbers the feed (number_changes()) and wakes the workers when the head
     moved; it wakes them every second anyway, for retries that fall due.
   - A worker takes one subscription that is due and behind the head (FOR UPDATE SKIP
     LOCKED, then a lease of lease_s() seconds written on the row, so that no transaction stays
     open while it sends), reads up to BATCH changes after its position that pass its
     filters, and sends them one by one, in feed order, stopping at the first failure.
   - It then writes, in one transaction, the attempts (webhook_deliveries) and the new
     position, retry schedule or disabling, on the condition that it still holds the lease;
     the position only if no write through the API (a replay, new filters) came meanwhile.
   - A process that dies mid-batch loses its lease when lease_until passes, and another
     worker sends the same changes again, under the same webhook-id: at least once.
   A slow receiver holds one worker for at most GRAPPE_WEBHOOK_TIMEOUT_S per attempt; an
   attempt slower than SLOW_MS, or a failure, ends its batch, and the subscription goes back
   behind the others (by next_attempt_at); one key's subscriptions hold at most OWNER_SLOTS
   workers of all processes at once.

   One attempt, its target's checks and its signature: src/push/send.c. */
#include "deliver.h"

#include <curl/curl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <yder.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "feed.h"
#include "http.h"
#include "mem.h"
#include "sqlb.h"
#include "text.h"
#include "webhook.h"

#define BATCH 100 /* changes one worker takes at a time for one subscription */
/* A worker holds a subscription for lease_s(): no new attempt starts after batch_time_s()
   into a batch, so the last one ends before the lease does. */
static int batch_time_s(void) { return 2 * app.cfg->webhook_timeout_s; }
static int lease_s(void) { return 3 * app.cfg->webhook_timeout_s + 5; }
#define TICK_WAKE_S 1.0    /* the workers look for due retries at least this often */
#define OWNER_SLOTS 2      /* workers (of all processes) one key's subscriptions may hold */
#define SLOW_MS 1000       /* an attempt this slow ends its batch: the others get the worker */
#define RENEW_S 5          /* a batch renews its lease this often */
#define CHANGES_STEP 20000 /* what number_changes() numbers at most in one call (0022) */
#define KEEP_DAYS 7        /* attempts kept in the log */

static struct {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool running;
  atomic_bool stop; /* read by workers mid-batch without the lock */
  pthread_t ticker;
  pthread_t *workers;
  int nworkers;
  struct pool *pool;
  long long head;                /* the feed's head at the last numbering; -1 unknown */
  unsigned long long generation; /* wake-ups so far */
  char owner_prefix[40];         /* this process, in lease_owner */
} d = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .head = -1};

static atomic_int tally_busy;

void deliver_tally(unsigned long long *ok, unsigned long long *failed, int *busy) {
  deliver_send_tally(ok, failed);
  *busy = atomic_load(&tally_busy);
}

/* ---- the workers ---- */

/* A subscription a worker holds. */
struct sub {
  char id[37], hex[33];
  char *url, *secret, *previous_secret;
  struct feed_filter filter;
  char *owner;
  char *snapshot; /* start_snapshot, or NULL */
  bool manager;
  long long position;
  int attempts;
  bool failing;
  double failing_for; /* seconds */
  char settings_version[16];
};

static void sub_free(struct sub *s) {
  free(s->url);
  free(s->secret);
  free(s->previous_secret);
  free(s->filter.types);
  free(s->filter.clusters);
  free(s->filter.regions);
  free(s->filter.scope);
  free(s->owner);
  free(s->snapshot);
}

static char *opt(PGresult *r, int col) {
  return PQgetisnull(r, 0, col) ? NULL : xstrdup(PQgetvalue(r, 0, col));
}

/* Takes the subscription that has waited longest among those due and behind head. */
static bool claim(struct dbconn *db, const char *owner, long long head, struct sub *s) {
  char headtext[24], lease[16];
  snprintf(headtext, sizeof headtext, "%lld", head);
  snprintf(lease, sizeof lease, "%d", lease_s());
  char slots[8];
  snprintf(slots, sizeof slots, "%d", OWNER_SLOTS);
  const char *p[] = {owner, headtext, lease, slots};
  PGresult *r = db_exec(
    db,
    /* The subscription is chosen by a scalar subquery, run once (an InitPlan). Joined in a
       FROM instead, it may be run again for each row the join meets, each run skipping the
       rows the previous ones locked: the UPDATE then leased several subscriptions, returned
       several rows, and none was served while their leases were renewed by every claim. */
    "UPDATE webhooks w SET lease_owner = $1, lease_until = now() + make_interval(secs => $3::int) "
    "WHERE w.id = (SELECT id FROM webhooks x WHERE active AND next_attempt_at <= now() "
    "AND feed_position < $2::bigint AND (lease_until IS NULL OR lease_until < now()) "
    /* a key revoked or expired has no more deliveries */
    "AND EXISTS (SELECT 1 FROM api_keys k WHERE k.id::text = x.owner AND k.revoked_at IS NULL "
    "AND (k.expires_at IS NULL OR k.expires_at > now())) "
    /* one key's subscriptions hold at most $4 workers of all processes at once */
    "AND (SELECT count(*) FROM webhooks y WHERE y.owner = x.owner AND y.lease_until > now()) "
    "< $4::int "
    "ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "RETURNING w.id::text, w.url, w.secret, "
    "CASE WHEN w.previous_secret_until > now() THEN w.previous_secret END, "
    "CASE WHEN cardinality(w.types) > 0 THEN w.types::text END, "
    "CASE WHEN cardinality(w.cluster_ids) > 0 THEN w.cluster_ids::text END, "
    "CASE WHEN w.region IS NOT NULL THEN ARRAY[w.region]::text END, "
    "CASE WHEN w.owner_role = 'manager' THEN coalesce((SELECT k.cluster_ids FROM api_keys k "
    "WHERE k.id::text = w.owner), '{}')::text END, "
    "CASE WHEN w.exclude_origin = 'self' THEN w.owner END, w.owner, w.feed_position, w.attempts, "
    "w.failing_since IS NOT NULL, coalesce(extract(epoch FROM now() - w.failing_since), 0), "
    "w.settings_version, w.start_snapshot::text",
    4, p);
  if (!r) return false;
  bool got = PQntuples(r) == 1;
  if (got) {
    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", PQgetvalue(r, 0, 0));
    size_t k = 0;
    for (const char *c = s->id; *c && k < 32; c++)
      if (*c != '-') s->hex[k++] = *c;
    s->url = opt(r, 1);
    s->secret = opt(r, 2);
    s->previous_secret = opt(r, 3);
    s->filter.types = opt(r, 4);
    s->filter.clusters = opt(r, 5);
    s->filter.regions = opt(r, 6);
    s->filter.scope = opt(r, 7);
    s->manager = s->filter.scope != NULL;
    s->owner = opt(r, 9);
    if (!PQgetisnull(r, 0, 8)) s->filter.exclude_origin = s->owner;
    s->position = atoll(PQgetvalue(r, 0, 10));
    s->attempts = atoi(PQgetvalue(r, 0, 11));
    s->failing = strcmp(PQgetvalue(r, 0, 12), "t") == 0;
    s->failing_for = atof(PQgetvalue(r, 0, 13));
    snprintf(s->settings_version, sizeof s->settings_version, "%s", PQgetvalue(r, 0, 14));
    s->snapshot = opt(r, 15);
    s->filter.after_snapshot = s->snapshot;
  }
  PQclear(r);
  return got;
}

/* The body of the delivery of row i: {"type": "<type>.<op>", "timestamp", "data"}. */
static char *message_body(PGresult *rows, int i, json_t *object, bool manager) {
  json_t *data =
    json_pack("{s:I,s:s,s:s,s:s,s:s}", "seq", (json_int_t)atoll(PQgetvalue(rows, i, 0)), "type",
              PQgetvalue(rows, i, 1), "id", PQgetvalue(rows, i, 2), "op", PQgetvalue(rows, i, 3),
              "changed_at", PQgetvalue(rows, i, 4));
  /* who wrote it, as the feed shows it: not to a manager's subscription */
  if (!manager)
    json_object_set_new(
      data, "origin", PQgetisnull(rows, i, 5) ? json_null() : json_string(PQgetvalue(rows, i, 5)));
  json_object_set(data, "object", object ? object : json_null());
  char type[64];
  snprintf(type, sizeof type, "%s.%s", PQgetvalue(rows, i, 1), PQgetvalue(rows, i, 3));
  json_t *msg =
    json_pack("{s:s,s:s,s:o}", "type", type, "timestamp", PQgetvalue(rows, i, 4), "data", data);
  char *text = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(msg);
  return text;
}

/* A number in [0, 1) for the retries' jitter. */
static double jitter(void) {
  uint32_t x = 0;
  if (!random_bytes(&x, sizeof x)) return 0.5;
  return x / 4294967296.0;
}

static char *rfc3339_now(double offset_s) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  time_t t = ts.tv_sec + (time_t)offset_s;
  struct tm tm;
  gmtime_r(&t, &tm);
  char out[40];
  int ms = (int)(ts.tv_nsec / 1000000);
  size_t l = strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + l, sizeof out - l, ".%03dZ", ms);
  return xstrdup(out);
}

/* Adds one attempt to the log's JSON array. */
static void log_attempt(json_t *log, const char *msg_id, const char *seq, const char *type,
                        int attempt, const char *at, const struct attempt *a, const char *next) {
  json_t *o = json_pack("{s:s,s:s,s:i,s:s,s:f,s:b}", "message_id", msg_id, "event_type", type,
                        "attempt", attempt, "attempted_at", at, "duration_ms", a->ms, "ok", a->ok);
  json_object_set_new(o, "seq", seq ? json_integer(atoll(seq)) : json_null());
  json_object_set_new(o, "status", a->status ? json_integer(a->status) : json_null());
  json_object_set_new(o, "error", a->error[0] ? json_string(a->error) : json_null());
  json_object_set_new(o, "response_body", a->body[0] ? json_string(a->body) : json_null());
  json_object_set_new(o, "next_attempt_at", next ? json_string(next) : json_null());
  json_array_append_new(log, o);
}

/* Extends this worker's lease on subscription id; false when it is no longer its. */
static bool renew(struct dbconn *db, const char *id, const char *owner) {
  char lease[16];
  snprintf(lease, sizeof lease, "%d", lease_s());
  const char *p[] = {id, owner, lease};
  PGresult *r = db_exec(db,
                        "UPDATE webhooks SET lease_until = now() + make_interval(secs => $3::int) "
                        "WHERE id = $1::uuid AND lease_owner = $2",
                        3, p);
  bool mine = r && strcmp(PQcmdTuples(r), "1") == 0;
  PQclear(r);
  return mine;
}

/* Sends what follows s's position up to head, then writes the outcome. claimed_at: when the
   lease was taken (clock_mono). */
static void run_batch(struct dbconn *db, const char *owner, long long head, struct sub *s,
                      double claimed_at) {
  char since[24], upto[24];
  snprintf(since, sizeof since, "%lld", s->position);
  snprintf(upto, sizeof upto, "%lld", head);
  struct sqlb q;
  sqlb_init(&q);
  feed_select(&q, since, upto, &s->filter, BATCH);
  PGresult *rows = db_exec(db, q.text.data, q.n, sqlb_values(&q));
  sqlb_free(&q);
  json_t *objects = NULL, *log = json_array();
  char *disabled = NULL;
  long long position = s->position;
  int attempts = s->attempts;
  bool failed = false, read = false;
  char error[200] = "", wait_text[32] = "";
  if (!rows) goto release;
  int n = PQntuples(rows);
  /* A position the feed no longer holds (past its retention): what came after it is lost
     to this subscription, which stops until its owner replays from a newer position. */
  {
    const char *p[] = {since};
    PGresult *gap = db_exec(db,
                            "SELECT $1::bigint > 0 AND coalesce((SELECT min(seq) FROM changes "
                            "WHERE seq IS NOT NULL), (SELECT last_seq + 1 FROM changes_counter)) "
                            "> $1::bigint + 1",
                            1, p);
    if (gap && strcmp(PQgetvalue(gap, 0, 0), "t") == 0)
      disabled = xstrdup("The feed no longer holds the changes after this subscription's "
                         "position (kept GRAPPE_CHANGES_RETENTION_DAYS days): replay from a "
                         "newer position (POST /v1/webhooks/{id}/replay?since=now) and resync.");
    PQclear(gap);
    if (!gap || disabled) goto release;
  }
  if (n > 0 && !(objects = feed_objects(db, rows))) goto release;
  /* No transaction or row lock is held while sending: the lease keeps others away. It is
     renewed as the batch goes, and the batch ends once it is lost or its time is up. */
  double renewed = claimed_at;
  int sent = 0;
  for (int i = 0; i < n && !atomic_load(&d.stop); i++) {
    double now = clock_mono();
    if (now - claimed_at > batch_time_s()) break;
    if (now - renewed > RENEW_S) {
      if (!renew(db, s->id, owner)) break;
      renewed = now;
    }
    read = true; /* an attempt is made: its outcome is written */
    char msg_id[64];
    snprintf(msg_id, sizeof msg_id, "msg_%s_%s", s->hex, PQgetvalue(rows, i, 0));
    char *body = message_body(rows, i, json_array_get(objects, (size_t)i), s->manager);
    char *at = rfc3339_now(0);
    struct attempt a;
    deliver_send(s->url, s->secret, s->previous_secret, msg_id, body, strlen(body),
                 PQgetisnull(rows, i, 6) ? NULL : PQgetvalue(rows, i, 6), &a);
    free(body);
    char type[64];
    snprintf(type, sizeof type, "%s.%s", PQgetvalue(rows, i, 1), PQgetvalue(rows, i, 3));
    int attempt = (position == s->position ? attempts : 0) + 1;
    char *next = NULL;
    if (!a.ok) {
      failed = true;
      attempts = attempt;
      double wait = webhook_backoff(attempt, app.cfg->webhook_retry_base_ms / 1000.0,
                                    app.cfg->webhook_retry_max_ms / 1000.0, jitter());
      snprintf(error, sizeof error, "%s", a.error);
      double failing_for = position == s->position && s->failing ? s->failing_for : 0;
      if (failing_for >= app.cfg->webhook_give_up_s) {
        struct buf b;
        buf_init(&b);
        buf_addf(&b, "No delivery succeeded for %d s (%d attempts of change %s); the last: %s",
                 app.cfg->webhook_give_up_s, attempt, PQgetvalue(rows, i, 0), a.error);
        disabled = buf_steal(&b);
      } else {
        next = rfc3339_now(wait);
      }
      log_attempt(log, msg_id, PQgetvalue(rows, i, 0), type, attempt, at, &a, next);
      free(next);
      free(at);
      snprintf(wait_text, sizeof wait_text, "%.3f", wait);
      break;
    }
    log_attempt(log, msg_id, PQgetvalue(rows, i, 0), type, attempt, at, &a, NULL);
    free(at);
    position = atoll(PQgetvalue(rows, i, 0));
    attempts = 0;
    sent++;
    if (a.ms > SLOW_MS) break; /* a slow receiver waits its turn again, behind the others */
  }
  /* Every change up to head was read and sent: none left that passes the filters. */
  if (!failed && sent == n && n < BATCH) {
    position = head;
    read = true;
  }

release:;
  /* One transaction: the log and the outcome, if the lease is still this worker's. When no
     attempt was made (the changes could not be read, the process is stopping), only the
     lease is given back: the retry schedule and the failing time stay as they were. */
  if (!read && !disabled) {
    const char *p[] = {s->id, owner};
    PQclear(db_exec(db,
                    "UPDATE webhooks SET lease_owner = NULL, lease_until = NULL "
                    "WHERE id = $1::uuid AND lease_owner = $2",
                    2, p));
    goto out;
  }
  bool ok = db_begin(db);
  PGresult *r = NULL;
  if (ok) {
    char pos[24], att[16];
    snprintf(pos, sizeof pos, "%lld", position);
    snprintf(att, sizeof att, "%d", attempts);
    const char *p[] = {s->id,
                       owner,
                       s->settings_version,
                       pos,
                       att,
                       failed ? wait_text : NULL,
                       error[0] ? error : NULL,
                       disabled};
    r = db_exec(
      db,
      "UPDATE webhooks SET lease_owner = NULL, lease_until = NULL, "
      "feed_position = CASE WHEN settings_version = $3::int THEN $4::bigint ELSE feed_position END, "
      "attempts = CASE WHEN settings_version = $3::int THEN $5::int ELSE attempts END, "
      "failing_since = CASE WHEN settings_version <> $3::int THEN failing_since "
      "  WHEN $6::float8 IS NULL AND $8::text IS NULL THEN NULL "
      "  WHEN $4::bigint = feed_position THEN coalesce(failing_since, now()) ELSE now() END, "
      "last_error = CASE WHEN settings_version = $3::int THEN $7::text ELSE last_error END, "
      "next_attempt_at = CASE WHEN settings_version = $3::int "
      "  THEN now() + make_interval(secs => coalesce($6::float8, 0)) ELSE next_attempt_at END, "
      "active = active AND ($8::text IS NULL OR settings_version <> $3::int), "
      "disabled_reason = CASE WHEN settings_version = $3::int AND $8::text IS NOT NULL "
      "  THEN $8::text ELSE disabled_reason END, "
      "disabled_at = CASE WHEN settings_version = $3::int AND $8::text IS NOT NULL "
      "  THEN now() ELSE disabled_at END "
      "WHERE id = $1::uuid AND lease_owner = $2",
      8, p);
    ok = r && (strcmp(PQcmdTuples(r), "1") != 0 || deliver_log(db, s->id, log));
    ok = ok && db_commit(db);
    if (!ok) db_rollback(db);
  }
  if (!ok)
    y_log_message(Y_LOG_LEVEL_WARNING,
                  "webhooks - the outcome of a batch of %s was not written (%s): its changes "
                  "go again when its lease ends",
                  s->id, db_last_message());
  if (disabled) y_log_message(Y_LOG_LEVEL_WARNING, "webhooks - %s disabled: %s", s->id, disabled);
  PQclear(r);
out:
  PQclear(rows);
  json_decref(objects);
  json_decref(log);
  free(disabled);
}

/* Attempts older than KEEP_DAYS, and changes older than the feed keeps (as GET /v1/changes
   purges them: a deployment whose followers all use webhooks purges them here). */
static void purge(struct dbconn *db) {
  char days[8], feed_days[16];
  snprintf(days, sizeof days, "%d", KEEP_DAYS);
  snprintf(feed_days, sizeof feed_days, "%d", app.cfg->changes_retention_days);
  const char *p[] = {days};
  PQclear(db_exec(db,
                  "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM "
                  "webhook_deliveries WHERE attempted_at < now() - make_interval(days => "
                  "$1::int) LIMIT 10000)",
                  1, p));
  const char *fp[] = {feed_days};
  PQclear(db_exec(db,
                  "DELETE FROM changes WHERE id IN (SELECT id FROM changes WHERE seq IS NOT NULL "
                  "AND changed_at < now() - make_interval(days => $1::int) ORDER BY seq "
                  "LIMIT 10000)",
                  1, fp));
}

static void *worker(void *arg) {
  int index = (int)(intptr_t)arg;
  char owner[64];
  snprintf(owner, sizeof owner, "%s/%d", d.owner_prefix, index);
  pthread_mutex_lock(&d.lock);
  while (!atomic_load(&d.stop)) {
    long long head = d.head;
    unsigned long long gen = d.generation;
    pthread_mutex_unlock(&d.lock);
    bool worked = false;
    const char *why = NULL;
    struct dbconn *db = head > 0 ? pool_get(d.pool, 1000, &why) : NULL;
    if (db) {
      struct sub s;
      double claimed_at = clock_mono();
      if (claim(db, owner, head, &s)) {
        atomic_fetch_add(&tally_busy, 1);
        run_batch(db, owner, head, &s, claimed_at);
        atomic_fetch_sub(&tally_busy, 1);
        sub_free(&s);
        worked = true;
      }
      pool_put(d.pool, db);
    }
    pthread_mutex_lock(&d.lock);
    /* nothing to do: sleep until the next wake-up (a new head, or the ticker's second) */
    while (!worked && !atomic_load(&d.stop) && gen == d.generation)
      pthread_cond_wait(&d.cond, &d.lock);
  }
  pthread_mutex_unlock(&d.lock);
  return NULL;
}

static void *ticker(void *arg) {
  (void)arg;
  double last_wake = 0, last_purge = clock_mono();
  long long numbered_before = -1;
  pthread_mutex_lock(&d.lock);
  while (!atomic_load(&d.stop)) {
    pthread_mutex_unlock(&d.lock);
    long long head = -1;
    const char *why = NULL;
    struct dbconn *db = pool_get(d.pool, 1000, &why);
    if (db) {
      PGresult *r = db_exec(db,
                            "SELECT CASE WHEN EXISTS (SELECT 1 FROM webhooks WHERE active) "
                            "THEN number_changes() ELSE -1 END",
                            0, NULL);
      if (r) head = atoll(PQgetvalue(r, 0, 0));
      PQclear(r);
      if (clock_mono() - last_purge > 60) {
        purge(db);
        last_purge = clock_mono();
      }
      pool_put(d.pool, db);
    }
    double now = clock_mono();
    pthread_mutex_lock(&d.lock);
    if ((head > 0 && head != d.head) || (head > 0 && now - last_wake >= TICK_WAKE_S)) {
      d.head = head;
      d.generation++;
      last_wake = now;
      pthread_cond_broadcast(&d.cond);
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    long ns = until.tv_nsec + (long)app.cfg->webhook_poll_ms * 1000000L;
    until.tv_sec += ns / 1000000000L;
    until.tv_nsec = ns % 1000000000L;
    /* a backlog being numbered (a whole step at once): the next step without waiting */
    bool backlog = head > 0 && head - numbered_before >= CHANGES_STEP;
    numbered_before = head > 0 ? head : numbered_before;
    if (!atomic_load(&d.stop) && !backlog) pthread_cond_timedwait(&d.cond, &d.lock, &until);
  }
  pthread_mutex_unlock(&d.lock);
  return NULL;
}

bool deliver_start(const char *url) {
  /* before any thread (test pings use libcurl too, through Ulfius) */
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int n = app.cfg->webhook_workers;
  if (n <= 0) return true;
  /* one connection each, and one for the ticker; no prepared statements (few, varied) */
  d.pool = pool_new(url, n + 1, app.cfg->statement_timeout_ms, false);
  char host[64] = "";
  gethostname(host, sizeof host - 1);
  snprintf(d.owner_prefix, sizeof d.owner_prefix, "%.24s:%d", host, (int)getpid());
  d.workers = xmalloc(sizeof *d.workers * (size_t)n);
  atomic_store(&d.stop, false);
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  if (pthread_create(&d.ticker, NULL, ticker, NULL) != 0) return false;
  d.running = true;
  for (int i = 0; i < n; i++) {
    if (pthread_create(&d.workers[i], NULL, worker, (void *)(intptr_t)i) != 0) break;
    d.nworkers++;
  }
  return d.nworkers == n;
}

void deliver_stop(void) {
  if (!d.running) return;
  pthread_mutex_lock(&d.lock);
  atomic_store(&d.stop, true);
  pthread_cond_broadcast(&d.cond);
  pthread_mutex_unlock(&d.lock);
  pthread_join(d.ticker, NULL);
  for (int i = 0; i < d.nworkers; i++) pthread_join(d.workers[i], NULL);
  free(d.workers);
  d.workers = NULL;
  d.nworkers = 0;
  pool_free(d.pool);
  d.pool = NULL;
  d.running = false;
}
