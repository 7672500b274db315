/* The listener of key changes: one thread and one libpq session of its own that LISTENs on
   grappe_keys (api_keys' trigger announces there the hash of every key that changed, at the
   change's commit: migration 0019) and drops those keys from the process's cache
   (include/keycache.h).

   It also proves, four times a second, that it hears: it sends a NOTIFY on a channel of its
   own and, when that comes back, every change committed before the ping was sent has been
   heard (PostgreSQL delivers notifications in commit order). The cache believes its entries
   for long only while such a ping came back recently; otherwise (connection lost, PostgreSQL
   away, a stuck socket) entries live 0.5 s, and a session silent for 5 s is replaced.

   Through a pooler in transaction mode (pgbouncer) LISTEN cannot work: the LISTEN would stay
   on whichever server connection ran it, and notifications would reach other clients. So
   before LISTEN the listener asks PostgreSQL for the pid of the backend it talks to: a
   pooler's session has a pid of its own (its BackendKeyData), PostgreSQL's is the backend's.
   When they differ the listener does not LISTEN, says so once in the log, and asks again a
   minute later; the cache then keeps keys 0.5 s. A ping is believed only when it comes from
   the listener's own backend (its be_pid), never from another session.

   The same session is the server's hand for upkeep: once a second it folds the deltas that
   the writers' triggers leave behind (grappe_fold_deltas, migration 0020: cluster totals and
   members by size), through a pooler too. */
#include <libpq-fe.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yder.h>

#include "clock.h"
#include "db.h"
#include "keycache.h"
#include "mem.h"
#include "text.h"

#define PING_EVERY 0.25   /* seconds between pings */
#define SILENT_LIMIT 5.0  /* no ping back for this long: the session is replaced */
#define CONNECT_LIMIT 3.0 /* seconds to connect, and to run a statement of the setup */
#define POOLER_RETRY 60.0 /* seconds before asking a pooler again */
#define BACKOFF_FIRST 0.1 /* seconds before reconnecting, doubled up to BACKOFF_MAX */
#define BACKOFF_MAX 5.0
#define FOLD_EVERY 1.0 /* seconds between two folds of the deltas */
#define FOLD_SQL "SELECT grappe_fold_deltas()"
/* The keys used since the last write (keycache_take_used: hex and dashes only), at most once
   a minute each whichever process used them. */
#define USED_SQL                                                                \
  "UPDATE api_keys SET last_used_at = now() WHERE id = ANY ('%s'::uuid[]) AND " \
  "(last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"

struct keylisten {
  char *url;
  struct keycache *cache;
  pthread_t thread;
  int wake[2];      /* a byte written to wake[1] stops the thread */
  bool stopping;    /* the thread saw it */
  char channel[64]; /* this process's ping channel: grappe_ping_<pid>_<random> */
  bool warned;      /* the current outage, or the pooler, is in the log already */
  bool listened;    /* the last session got as far as listening */
};

enum ending { LOST, POOLER, STOPPED };

/* Waits for events on fd (none when fd < 0) until the monotonic deadline: 1 ready, 0 the
   deadline passed, -1 the thread is to stop. */
static int wait_fd(struct keylisten *l, int fd, short events, double deadline) {
  for (;;) {
    double left = deadline - clock_mono();
    if (left <= 0) return 0;
    struct pollfd p[2] = {{l->wake[0], POLLIN, 0}, {fd, events, 0}};
    int n = poll(p, fd >= 0 ? 2 : 1, (int)(left * 1000.0) + 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || p[0].revents) {
      l->stopping = true;
      return -1;
    }
    if (n > 0) return 1;
  }
}

/* PostgreSQL's messages to the session (its farewell when it is terminated) go to the
   debug log, not to standard error: the loss itself is logged by run(). */
static void on_notice(void *arg, const PGresult *res) {
  (void)arg;
  const char *message = PQresultErrorMessage(res);
  y_log_message(Y_LOG_LEVEL_DEBUG, "db/keys - %.*s", (int)strcspn(message, "\n"), message);
}

/* A new session of the listener (NULL: logged when it is news, or the thread is to stop). */
static PGconn *open_session(struct keylisten *l) {
  /* the URL's own application_name, if any, wins (later keywords override earlier ones) */
  static const char *const keys[] = {"application_name", "dbname", NULL};
  const char *const values[] = {"grappe-keys", l->url, NULL};
  PGconn *pg = PQconnectStartParams(keys, values, 1);
  if (pg) PQsetNoticeReceiver(pg, on_notice, NULL);
  PostgresPollingStatusType st =
    PQstatus(pg) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  double deadline = clock_mono() + CONNECT_LIMIT;
  while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
    int ready = wait_fd(l, PQsocket(pg), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
    st = ready > 0 ? PQconnectPoll(pg) : PGRES_POLLING_FAILED;
  }
  if (st == PGRES_POLLING_OK) return pg;
  if (!l->warned && !l->stopping) {
    const char *why = PQerrorMessage(pg);
    y_log_message(Y_LOG_LEVEL_WARNING,
                  "db/keys - cannot connect to listen for key changes (%.*s): keys are kept "
                  "%.1f s until it can",
                  (int)strcspn(why && *why ? why : "timed out", "\n"),
                  why && *why ? why : "timed out", KEYCACHE_SHORT_TTL);
    l->warned = true;
  }
  PQfinish(pg);
  return NULL;
}

/* Sends sql and reads its results; the last one (NULL when the session failed, took longer
   than CONNECT_LIMIT, or the thread is to stop). Notifications wait for the caller. */
static PGresult *ask(struct keylisten *l, PGconn *pg, const char *sql) {
  if (!PQsendQuery(pg, sql)) return NULL;
  PGresult *last = NULL;
  double deadline = clock_mono() + CONNECT_LIMIT;
  for (;;) {
    while (!PQisBusy(pg)) {
      PGresult *r = PQgetResult(pg);
      if (!r) return last;
      PQclear(last);
      last = r;
    }
    if (wait_fd(l, PQsocket(pg), POLLIN, deadline) <= 0 || !PQconsumeInput(pg)) {
      PQclear(last);
      return NULL;
    }
  }
}

/* The fold, then the write of the keys used since the last one (NULL: none used). */
static char *used_sql(struct keylisten *l) {
  char *ids = keycache_take_used(l->cache);
  if (!ids) return NULL;
  size_t n = strlen(ids) + sizeof FOLD_SQL + sizeof USED_SQL + 4;
  char *sql = xmalloc(n);
  snprintf(sql, n, FOLD_SQL "; " USED_SQL, ids);
  free(ids);
  return sql;
}

/* Through a pooler: the keys used, written on their own (a failure loses these marks). */
static void write_used(struct keylisten *l, PGconn *pg) {
  char *ids = keycache_take_used(l->cache);
  if (!ids) return;
  size_t n = strlen(ids) + sizeof USED_SQL;
  char *sql = xmalloc(n);
  snprintf(sql, n, USED_SQL, ids);
  free(ids);
  PQclear(ask(l, pg, sql));
  free(sql);
}

/* Is this session PostgreSQL's own, not a pooler's? */
static bool own_backend(struct keylisten *l, PGconn *pg, bool *failed) {
  PGresult *r = ask(l, pg, "SELECT pg_backend_pid()");
  *failed = PQresultStatus(r) != PGRES_TUPLES_OK;
  bool own = !*failed && strtol(PQgetvalue(r, 0, 0), NULL, 10) == PQbackendPID(pg);
  PQclear(r);
  return own;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* A key's hash as the trigger writes it (64 lowercase hex digits). */
static bool hash_of(const char *hex, unsigned char hash[32]) {
  if (strlen(hex) != 64) return false;
  for (size_t i = 0; i < 32; i++) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    hash[i] = (unsigned char)(hi << 4 | lo);
  }
  return true;
}

/* A notification: a key that changed, or our own ping back (then *back = now). */
static void hear(struct keylisten *l, PGconn *pg, const PGnotify *n, double *back) {
  if (strcmp(n->relname, "grappe_keys") == 0) {
    unsigned char hash[32];
    if (hash_of(n->extra, hash)) keycache_forget(l->cache, hash);
    else keycache_forget_all(l->cache); /* '*' (TRUNCATE), or anything not understood */
  } else if (strcmp(n->relname, l->channel) == 0 && n->be_pid == PQbackendPID(pg)) {
    char *end;
    double sent = strtod(n->extra, &end);
    if (end == n->extra || *end) return;
    keycache_heard(l->cache, sent);
    *back = clock_mono();
  }
}

/* Listens on pg until the session is lost or the thread is to stop. */
static enum ending listen_on(struct keylisten *l, PGconn *pg) {
  bool failed;
  if (!own_backend(l, pg, &failed)) {
    if (failed) return l->stopping ? STOPPED : LOST;
    if (!l->warned)
      y_log_message(Y_LOG_LEVEL_WARNING,
                    "db/keys - GRAPPE_DATABASE_LISTEN_URL leads to a connection pooler, where "
                    "LISTEN cannot work: keys are kept %.1f s (revocations still reach this "
                    "process within 1 s); point it at PostgreSQL itself to keep them longer",
                    KEYCACHE_SHORT_TTL);
    l->warned = true;
    /* Until asking again, the session still folds. */
    double until = clock_mono() + POOLER_RETRY;
    for (;;) {
      double next = clock_mono() + FOLD_EVERY;
      if (wait_fd(l, -1, 0, next < until ? next : until) < 0) return STOPPED;
      if (clock_mono() >= until) return POOLER;
      PGresult *folded = ask(l, pg, FOLD_SQL); /* a failure is the next fold's to redo */
      PQclear(folded);
      write_used(l, pg);
      if (PQstatus(pg) != CONNECTION_OK) return l->stopping ? STOPPED : LOST;
    }
  }
  char sql[128];
  snprintf(sql, sizeof sql, "LISTEN grappe_keys; LISTEN %s", l->channel);
  PGresult *r = ask(l, pg, sql);
  bool listening = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!listening) return l->stopping ? STOPPED : LOST;
  /* Entries read before this instant could miss a change made before the LISTEN. */
  keycache_new_epoch(l->cache, clock_mono());
  y_log_message(Y_LOG_LEVEL_INFO, "db/keys - listening for key changes");
  l->warned = false;
  l->listened = true;

  double next_ping = clock_mono(), back = next_ping, next_fold = next_ping + FOLD_EVERY;
  bool in_flight = false; /* a ping or a fold: one statement at a time */
  for (;;) {
    double now = clock_mono();
    if (now - back > SILENT_LIMIT) {
      y_log_message(Y_LOG_LEVEL_WARNING, "db/keys - no ping back for %.0f s: reconnecting",
                    SILENT_LIMIT);
      return LOST;
    }
    if (!in_flight && now >= next_ping) {
      char payload[32];
      snprintf(payload, sizeof payload, "%.6f", now);
      const char *params[] = {l->channel, payload};
      if (!PQsendQueryParams(pg, "SELECT pg_notify($1, $2)", 2, NULL, params, NULL, NULL, 0))
        return LOST;
      in_flight = true;
      next_ping = now + PING_EVERY;
    } else if (!in_flight && now >= next_fold) {
      char *sql = used_sql(l);
      bool sent = PQsendQuery(pg, sql ? sql : FOLD_SQL);
      free(sql);
      if (!sent) return LOST;
      in_flight = true;
      next_fold = now + FOLD_EVERY;
    }
    double next = next_ping < next_fold ? next_ping : next_fold;
    int ready = wait_fd(l, PQsocket(pg), POLLIN, next > now ? next : now + PING_EVERY);
    if (ready < 0) return STOPPED;
    if (ready == 0) continue;
    if (!PQconsumeInput(pg)) return LOST;
    while (in_flight && !PQisBusy(pg)) {
      PGresult *res = PQgetResult(pg);
      /* a failed ping is only a ping that does not come back; a failed fold, the next
         one's to redo */
      if (!res) in_flight = false;
      PQclear(res);
    }
    PGnotify *n;
    while ((n = PQnotifies(pg))) {
      hear(l, pg, n, &back);
      PQfreemem(n);
    }
    if (PQstatus(pg) != CONNECTION_OK) return LOST;
  }
}

static void *run(void *arg) {
  struct keylisten *l = arg;
  double backoff = BACKOFF_FIRST;
  for (;;) {
    l->listened = false;
    PGconn *pg = open_session(l);
    enum ending e = l->stopping ? STOPPED : LOST;
    if (pg) {
      e = listen_on(l, pg);
      PQfinish(pg);
      /* What the cache holds was believed on this session's word: no longer. */
      keycache_new_epoch(l->cache, clock_mono());
      if (e == LOST && l->listened) {
        y_log_message(Y_LOG_LEVEL_WARNING,
                      "db/keys - lost the session that listens for key changes: keys are kept "
                      "%.1f s until it is back",
                      KEYCACHE_SHORT_TTL);
        l->warned = true;
      }
    }
    if (e == STOPPED) break;
    if (l->listened) backoff = BACKOFF_FIRST;
    /* (a pooler's minute was spent folding on its session) */
    if (wait_fd(l, -1, 0, clock_mono() + (e == POOLER ? 0 : backoff)) < 0) break;
    backoff = backoff * 2 < BACKOFF_MAX ? backoff * 2 : BACKOFF_MAX;
  }
  return NULL;
}

struct keylisten *keylisten_start(const char *url, struct keycache *cache) {
  struct keylisten *l = xcalloc(1, sizeof *l);
  l->url = xstrdup(url);
  l->cache = cache;
  unsigned char r[6];
  char hex[13] = "0";
  if (random_bytes(r, sizeof r))
    for (size_t i = 0; i < sizeof r; i++) snprintf(hex + 2 * i, 3, "%02x", r[i]);
  snprintf(l->channel, sizeof l->channel, "grappe_ping_%ld_%s", (long)getpid(), hex);
  if (pipe(l->wake) != 0) {
    free(l->url);
    free(l);
    return NULL;
  }
  if (pthread_create(&l->thread, NULL, run, l) != 0) {
    close(l->wake[0]);
    close(l->wake[1]);
    free(l->url);
    free(l);
    return NULL;
  }
  return l;
}

void keylisten_stop(struct keylisten *l) {
  if (!l) return;
  /* a pipe with its reader open takes a byte */
  ssize_t written = write(l->wake[1], "x", 1);
  (void)written;
  pthread_join(l->thread, NULL);
  close(l->wake[0]);
  close(l->wake[1]);
  free(l->url);
  free(l);
}
