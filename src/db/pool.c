/* A bounded pool of libpq connections. A checkout waits at most a given time (the caller
   answers 503 then), and a connection that broke is reset on its next checkout, so the
   service recovers by itself when PostgreSQL comes back. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#include "db.h"

/* Statements prepared in one session, found by the hash of their text (and the text). */
#define MAX_PREPARED 256
struct prepared {
  unsigned long long hash;
  char *sql;
};

struct pool {
  char *url;
  int size;
  int statement_timeout_ms;
  bool prepare;
  bool read_only;
  pthread_mutex_t lock;
  pthread_cond_t freed;
  struct dbconn *conns;
  bool *busy;
  int in_use;
  long waits, timeouts;
};

static void forget_prepared(struct dbconn *c);

static _Thread_local char last_state[6];
static _Thread_local char last_message[256];

const char *db_last_sqlstate(void) { return last_state; }
const char *db_last_message(void) { return last_message; }

static void remember(const char *state, const char *msg) {
  snprintf(last_state, sizeof last_state, "%s", state ? state : "");
  snprintf(last_message, sizeof last_message, "%s", msg ? msg : "");
}

struct pool *pool_new(const char *url, int size, int statement_timeout_ms, bool prepare) {
  struct pool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->url = strdup(url);
  p->size = size;
  p->statement_timeout_ms = statement_timeout_ms;
  p->prepare = prepare;
  p->conns = calloc((size_t)size, sizeof *p->conns);
  p->busy = calloc((size_t)size, sizeof *p->busy);
  if (!p->url || !p->conns || !p->busy) {
    free(p->url); free(p->conns); free(p->busy); free(p);
    return NULL;
  }
  for (int i = 0; i < size; i++) p->conns[i].pool = p;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->freed, NULL);
  return p;
}

void pool_free(struct pool *p) {
  if (!p) return;
  for (int i = 0; i < p->size; i++) {
    if (p->conns[i].pg) PQfinish(p->conns[i].pg);
    forget_prepared(&p->conns[i]);
  }
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->freed);
  free(p->url);
  free(p->conns);
  free(p->busy);
  free(p);
}

void pool_set_read_only(struct pool *p) { p->read_only = true; }

/* Every session of the pool: UTC and ISO dates (the representations read dates and
   timestamps as text: resource.c), a statement timeout, a name in pg_stat_activity, and
   sequential scans that start at the table's first page: search takes the first matches a
   scan finds as its candidates (search.c), and on a table larger than a quarter of
   shared_buffers PostgreSQL would start each scan where another one was, so that the same
   query would rank other candidates from one call to the next. */
static bool session_setup(struct pool *p, PGconn *pg) {
  char sql[320];
  snprintf(sql, sizeof sql,
           "SET statement_timeout = %d; SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; "
           "SET synchronize_seqscans = off; SET application_name = '%s'%s",
           p->statement_timeout_ms, p->read_only ? "grappe-read" : "grappe",
           p->read_only ? "; SET default_transaction_read_only = on" : "");
  PGresult *r = PQexec(pg, sql);
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  return ok;
}

/* The session's prepared statements are gone with it. */
static void forget_prepared(struct dbconn *c) {
  for (int i = 0; i < c->nprepared; i++) free(c->prepared[i].sql);
  free(c->prepared);
  c->prepared = NULL;
  c->nprepared = 0;
}

/* PostgreSQL's notices (a text-search query of stop words only, say) go to the debug log,
   not to standard error outside the log's format. */
static void log_notice(void *arg, const char *message) {
  (void)arg;
  y_log_message(Y_LOG_LEVEL_DEBUG, "db/pool - %.*s", (int)strcspn(message, "\n"), message);
}

/* Makes sure c holds a live connection; called without the pool's lock (it may block). */
static bool ensure_connected(struct pool *p, struct dbconn *c) {
  if (c->pg && !c->broken && PQstatus(c->pg) == CONNECTION_OK) return true;
  if (c->pg) PQfinish(c->pg);
  forget_prepared(c);
  /* A bounded connect: when PostgreSQL is away, requests answer 503 quickly. The URL's own
     connect_timeout, if any, wins (keywords later in the list override earlier ones). */
  static const char *const keys[] = {"connect_timeout", "dbname", NULL};
  const char *const values[] = {"3", p->url, NULL};
  c->pg = PQconnectdbParams(keys, values, 1);
  c->broken = false;
  c->in_tx = false;
  if (c->pg) PQsetNoticeProcessor(c->pg, log_notice, NULL);
  if (PQstatus(c->pg) != CONNECTION_OK || !session_setup(p, c->pg)) {
    y_log_message(Y_LOG_LEVEL_ERROR, "db/pool - cannot connect: %s", PQerrorMessage(c->pg));
    PQfinish(c->pg);
    c->pg = NULL;
    return false;
  }
  return true;
}

struct dbconn *pool_get(struct pool *p, int timeout_ms, const char **why) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += timeout_ms / 1000;
  deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }

  pthread_mutex_lock(&p->lock);
  int slot = -1;
  bool waited = false;
  while (slot < 0) {
    /* Prefer a slot that already holds a connection. */
    for (int i = 0; i < p->size && slot < 0; i++)
      if (!p->busy[i] && p->conns[i].pg) slot = i;
    for (int i = 0; i < p->size && slot < 0; i++)
      if (!p->busy[i]) slot = i;
    if (slot >= 0) break;
    if (!waited) { p->waits++; waited = true; }
    if (pthread_cond_timedwait(&p->freed, &p->lock, &deadline) == ETIMEDOUT) {
      p->timeouts++;
      pthread_mutex_unlock(&p->lock);
      *why = "busy";
      return NULL;
    }
  }
  p->busy[slot] = true;
  p->in_use++;
  pthread_mutex_unlock(&p->lock);

  struct dbconn *c = &p->conns[slot];
  if (!ensure_connected(p, c)) {
    pool_put(p, c);
    *why = "down";
    return NULL;
  }
  return c;
}

void pool_put(struct pool *p, struct dbconn *c) {
  if (!c) return;
  if (c->in_tx && c->pg) {
    /* A request that ended inside a transaction must not leak it to the next one. */
    PGresult *r = PQexec(c->pg, "ROLLBACK");
    PQclear(r);
    c->in_tx = false;
  }
  if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE) c->broken = true;
  pthread_mutex_lock(&p->lock);
  p->busy[c - p->conns] = false;
  p->in_use--;
  pthread_cond_signal(&p->freed);
  pthread_mutex_unlock(&p->lock);
}

void pool_stats(struct pool *p, int *size, int *in_use, long *waits, long *timeouts) {
  pthread_mutex_lock(&p->lock);
  *size = p->size;
  *in_use = p->in_use;
  *waits = p->waits;
  *timeouts = p->timeouts;
  pthread_mutex_unlock(&p->lock);
}

static unsigned long long fnv1a(const char *s) {
  unsigned long long h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

/* Runs sql by the name it was prepared under in this session, preparing it the first time
   (while there is room); otherwise, or when the pool does not prepare, as a one-off. */
static PGresult *run(struct dbconn *c, const char *sql, int nparams, const char *const *params) {
  if (!c->pool->prepare) return PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
  unsigned long long h = fnv1a(sql);
  char name[24];
  snprintf(name, sizeof name, "g%016llx", h);
  for (int i = 0; i < c->nprepared; i++)
    if (c->prepared[i].hash == h && strcmp(c->prepared[i].sql, sql) == 0) {
      PGresult *r = PQexecPrepared(c->pg, name, nparams, params, NULL, NULL, 0);
      const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      if (!state || strcmp(state, "0A000") != 0) return r;
      /* "cached plan must not change result type": the schema changed under the session
         (a migration while serving). Forget them all; the statement runs as a one-off. */
      PQclear(r);
      if (!c->in_tx) PQclear(PQexec(c->pg, "DEALLOCATE ALL"));
      forget_prepared(c);
      return PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
    }
  if (c->nprepared == MAX_PREPARED) return PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
  if (!c->prepared && !(c->prepared = calloc(MAX_PREPARED, sizeof *c->prepared)))
    return PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
  PGresult *r = PQprepare(c->pg, name, sql, nparams, NULL);
  const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  /* 42P05: prepared already, though not remembered (a copy that could not be made) */
  if (PQresultStatus(r) != PGRES_COMMAND_OK && !(state && strcmp(state, "42P05") == 0))
    return r; /* the error the statement itself would give */
  PQclear(r);
  char *copy = strdup(sql);
  if (copy) c->prepared[c->nprepared++] = (struct prepared){h, copy};
  return PQexecPrepared(c->pg, name, nparams, params, NULL, NULL, 0);
}

PGresult *db_exec(struct dbconn *c, const char *sql, int nparams, const char *const *params) {
  if (!c->pg) {
    remember("08006", "no connection");
    return NULL;
  }
  PGresult *r = run(c, sql, nparams, params);
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_FATAL_ERROR && PQstatus(c->pg) != CONNECTION_OK && !c->in_tx) {
    /* An idle connection that died (PostgreSQL restarted): outside a transaction nothing
       was done, so reconnect and run the statement once more. */
    PQclear(r);
    c->broken = true;
    if (ensure_connected(c->pool, c)) r = run(c, sql, nparams, params);
    else r = NULL;
    st = PQresultStatus(r);
  }
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    remember("", "");
    return r;
  }
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
    c->broken = true;
    state = "08006";
  }
  remember(state ? state : "XX000", r ? PQresultErrorMessage(r) : c->pg ? PQerrorMessage(c->pg) : "no connection");
  y_log_message(strncmp(last_state, "08", 2) == 0 || strncmp(last_state, "57", 2) == 0 || strncmp(last_state, "XX", 2) == 0
                  ? Y_LOG_LEVEL_ERROR : Y_LOG_LEVEL_DEBUG,
                "db/exec - %s %s", last_state, last_message);
  PQclear(r);
  return NULL;
}

static bool simple(struct dbconn *c, const char *sql) {
  PGresult *r = db_exec(c, sql, 0, NULL);
  PQclear(r);
  return r != NULL;
}

bool db_begin(struct dbconn *c) {
  if (!simple(c, "BEGIN")) return false;
  c->in_tx = true;
  return true;
}

bool db_commit(struct dbconn *c) {
  bool ok = simple(c, "COMMIT");
  c->in_tx = false;
  return ok;
}

void db_rollback(struct dbconn *c) {
  if (c->in_tx && !c->broken) simple(c, "ROLLBACK");
  c->in_tx = false;
}

PGconn *db_connect_cli(const char *url) {
  PGconn *pg = PQconnectdb(url);
  if (PQstatus(pg) != CONNECTION_OK) {
    fprintf(stderr, "grappe: cannot connect to the database: %s", PQerrorMessage(pg));
    PQfinish(pg);
    return NULL;
  }
  PGresult *r = PQexec(pg, "SET client_min_messages = warning");
  PQclear(r);
  return pg;
}
