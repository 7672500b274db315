/* A bounded pool of libpq connections. A checkout waits at most a given time (the caller
   answers 503 then), and a connection that broke is reset on its next checkout, so the
   service recovers by itself when PostgreSQL comes back.

   A statement is never sent twice unless the first sending provably did nothing. A
   connection found dead before anything is sent on it (at checkout, or after an earlier
   statement lost it) is replaced first. Once a statement has left, a lost connection
   leaves its outcome unknown: inside a transaction the transaction is lost (PostgreSQL
   rolls it back), a lost COMMIT is unknown (SQLSTATE 08007), and a statement outside a
   transaction is asked again only in a read-only transaction, where a read gets its
   answer and a write is refused before it changes anything (then 08007 too). */
#include <libpq-fe.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#include "db.h"
#include "mem.h"

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

/* The failure remembered, in the log: an error when the connection, the server or an
   operator is at fault (08, 57, XX), else a debug line (the statement's own error, which the
   caller answers). */
static void log_failure(const char *where) {
  y_log_message(strncmp(last_state, "08", 2) == 0 || strncmp(last_state, "57", 2) == 0 ||
                    strncmp(last_state, "XX", 2) == 0
                  ? Y_LOG_LEVEL_ERROR
                  : Y_LOG_LEVEL_DEBUG,
                "%s - %s %s", where, last_state, last_message);
}

struct pool *pool_new(const char *url, int size, int statement_timeout_ms, bool prepare) {
  struct pool *p = xcalloc(1, sizeof *p);
  p->url = xstrdup(url);
  p->size = size;
  p->statement_timeout_ms = statement_timeout_ms;
  p->prepare = prepare;
  p->conns = xcalloc((size_t)size, sizeof *p->conns);
  p->busy = xcalloc((size_t)size, sizeof *p->busy);
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
   not to standard error outside the log's format. An error that arrives while the session
   is idle is the server's farewell (FATAL: the backend was terminated, the server shuts
   down): nothing sent after it would be read, so the connection is marked broken. */
static void on_notice(void *arg, const PGresult *res) {
  struct dbconn *c = arg;
  const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  bool fatal = severity && (strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0);
  if (fatal) c->broken = true;
  const char *message = PQresultErrorMessage(res);
  y_log_message(fatal ? Y_LOG_LEVEL_WARNING : Y_LOG_LEVEL_DEBUG, "db/pool - %.*s",
                (int)strcspn(message, "\n"), message);
}

/* Whether an idle connection still works, found without sending anything: what the server
   sent meanwhile is read without blocking, and its farewell (an error, the end of the
   stream) marks the connection broken. */
static bool alive(struct dbconn *c) {
  if (!c->pg || c->broken || PQstatus(c->pg) != CONNECTION_OK) return false;
  if (!PQconsumeInput(c->pg)) return false;
  (void)PQisBusy(c->pg); /* parses it: an error of an idle session goes to on_notice */
  return !c->broken && PQstatus(c->pg) == CONNECTION_OK;
}

static void reset_tx(struct dbconn *c) {
  c->in_tx = false;
  c->outer = false;
  c->depth = 0;
}

/* Replaces c's connection with a new one; called without the pool's lock (it may block). */
static bool reconnect(struct pool *p, struct dbconn *c) {
  if (c->pg) PQfinish(c->pg);
  forget_prepared(c);
  /* A bounded connect: when PostgreSQL is away, requests answer 503 quickly. The URL's own
     connect_timeout, if any, wins (keywords later in the list override earlier ones). */
  static const char *const keys[] = {"connect_timeout", "dbname", NULL};
  const char *const values[] = {"3", p->url, NULL};
  c->pg = PQconnectdbParams(keys, values, 1);
  c->broken = false;
  reset_tx(c);
  if (c->pg) PQsetNoticeReceiver(c->pg, on_notice, c);
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
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }

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
    if (!waited) {
      p->waits++;
      waited = true;
    }
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
  if (!alive(c) && !reconnect(p, c)) {
    pool_put(p, c);
    *why = "down";
    return NULL;
  }
  return c;
}

void pool_put(struct pool *p, struct dbconn *c) {
  if (!c) return;
  if (c->in_tx && c->pg && !c->broken) {
    /* A request that ended inside a transaction must not leak it to the next one. */
    PGresult *r = PQexec(c->pg, "ROLLBACK");
    PQclear(r);
  }
  reset_tx(c);
  c->origin[0] = '\0';
  c->trace[0] = '\0';
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

/* Sends sql with its parameters (lengths and formats NULL: all text) and waits for the
   answer. */
static PGresult *send_params(struct dbconn *c, const char *sql, int nparams,
                             const char *const *params, const int *lengths, const int *formats) {
  return PQexecParams(c->pg, sql, nparams, NULL, params, lengths, formats, 0);
}

/* Runs sql by the name it was prepared under in this session, preparing it the first time
   (while there is room); otherwise, or when the pool does not prepare, as a one-off.
   *executed tells whether the statement itself was handed to libpq (a failed preparation
   runs nothing). */
static PGresult *run(struct dbconn *c, const char *sql, int nparams, const char *const *params,
                     const int *lengths, const int *formats, bool *executed) {
  *executed = true;
  if (!c->pool->prepare) return send_params(c, sql, nparams, params, lengths, formats);
  unsigned long long h = fnv1a(sql);
  char name[24];
  snprintf(name, sizeof name, "g%016llx", h);
  for (int i = 0; i < c->nprepared; i++)
    if (c->prepared[i].hash == h && strcmp(c->prepared[i].sql, sql) == 0) {
      PGresult *r = PQexecPrepared(c->pg, name, nparams, params, lengths, formats, 0);
      const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      if (!state || strcmp(state, "0A000") != 0) return r;
      /* "cached plan must not change result type": the schema changed under the session
         (a migration while serving). Forget them all; the statement runs as a one-off. */
      PQclear(r);
      if (!c->in_tx) PQclear(PQexec(c->pg, "DEALLOCATE ALL"));
      forget_prepared(c);
      return send_params(c, sql, nparams, params, lengths, formats);
    }
  if (c->nprepared == MAX_PREPARED) return send_params(c, sql, nparams, params, lengths, formats);
  if (!c->prepared) c->prepared = xcalloc(MAX_PREPARED, sizeof *c->prepared);
  *executed = false;
  PGresult *r = PQprepare(c->pg, name, sql, nparams, NULL);
  const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  /* 42P05: prepared already, though forgotten (in a transaction, where the DEALLOCATE ALL
     above is not sent) */
  if (PQresultStatus(r) != PGRES_COMMAND_OK && !(state && strcmp(state, "42P05") == 0))
    return r; /* the error the statement itself would give */
  PQclear(r);
  c->prepared[c->nprepared++] = (struct prepared){h, xstrdup(sql)};
  *executed = true;
  return PQexecPrepared(c->pg, name, nparams, params, lengths, formats, 0);
}

/* What a statement is to the rules of sending again. */
enum kind { K_STATEMENT, K_BEGIN, K_COMMIT, K_ROLLBACK };

static bool ok_status(const PGresult *r) {
  ExecStatusType st = PQresultStatus(r);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static bool lost(const struct dbconn *c) {
  return !c->pg || c->broken || PQstatus(c->pg) != CONNECTION_OK;
}

/* A statement outside a transaction was sent and the connection died before its answer.
   A read may be asked again, a write must not be (it may have committed). Which one it
   was, PostgreSQL says: the statement runs again in a read-only transaction, where a read
   gets its answer and a write is refused before it changes anything. Returns the read's
   result, or NULL with SQLSTATE 08007 (the outcome of a write is unknown). */
static PGresult *again_read_only(struct dbconn *c, const char *sql, int nparams,
                                 const char *const *params, const int *lengths,
                                 const int *formats) {
  static const char unknown[] =
    "the connection was lost while the statement was in flight: whether it took effect "
    "is unknown";
  if (!reconnect(c->pool, c)) {
    remember("08007", unknown);
    return NULL;
  }
  PGresult *r = PQexec(c->pg, "BEGIN READ ONLY");
  bool begun = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  r = NULL;
  if (begun) {
    c->in_tx = true;
    bool executed;
    r = run(c, sql, nparams, params, lengths, formats, &executed);
    PQclear(PQexec(c->pg, "ROLLBACK")); /* nothing to keep: it only read */
    c->in_tx = false;
  }
  if (ok_status(r)) return r;
  /* 25006 (a write refused), or the read failed again: nothing tells what the first did */
  PQclear(r);
  if (PQstatus(c->pg) != CONNECTION_OK) c->broken = true;
  remember("08007", unknown);
  return NULL;
}

/* A statement's result as the callers take it: r when it succeeded (the SQLSTATE
   forgotten), else NULL with the failure remembered (a lost connection is 08006 and marks
   it broken) and logged, r cleared. */
static PGresult *judged(struct dbconn *c, PGresult *r, const char *where) {
  if (ok_status(r)) {
    remember("", "");
    return r;
  }
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  if (lost(c)) {
    c->broken = true;
    state = "08006";
  }
  remember(state ? state : "XX000", r       ? PQresultErrorMessage(r)
                                    : c->pg ? PQerrorMessage(c->pg)
                                            : "no connection");
  log_failure(where);
  PQclear(r);
  return NULL;
}

static PGresult *exec_kind(struct dbconn *c, const char *sql, int nparams,
                           const char *const *params, const int *lengths, const int *formats,
                           enum kind kind) {
  if (!c->pg) { /* a reconnection failed during this checkout already */
    remember("08006", "no connection");
    return NULL;
  }
  if (lost(c)) {
    /* Nothing of this statement has been sent. Inside a transaction, the transaction went
       with the connection; outside one, a new connection takes the statement. */
    if (c->in_tx) {
      c->broken = true;
      remember("08006", "the connection was lost during the transaction, which was rolled back");
      return NULL;
    }
    if (!reconnect(c->pool, c)) {
      remember("08006", "no connection");
      return NULL;
    }
  }
  bool executed;
  PGresult *r = run(c, sql, nparams, params, lengths, formats, &executed);
  if (!ok_status(r) && lost(c)) {
    PQclear(r);
    r = NULL;
    c->broken = true;
    if (!c->in_tx && (!executed || kind == K_BEGIN)) {
      /* Only the preparation, or a BEGIN, was sent: nothing ran. Once more, on a new
         connection. */
      if (reconnect(c->pool, c)) r = run(c, sql, nparams, params, lengths, formats, &executed);
    } else if (kind == K_COMMIT) {
      remember(
        "08007",
        "the connection was lost before COMMIT was answered: whether the transaction committed "
        "is unknown");
      goto failed;
    } else if (!c->in_tx && kind == K_STATEMENT) {
      r = again_read_only(c, sql, nparams, params, lengths, formats);
      if (!r) goto failed;
    }
  }
  return judged(c, r, "db/exec");
failed:
  log_failure("db/exec");
  PQclear(r);
  return NULL;
}

PGresult *db_exec(struct dbconn *c, const char *sql, int nparams, const char *const *params) {
  return exec_kind(c, sql, nparams, params, NULL, NULL, K_STATEMENT);
}

PGresult *db_exec_params(struct dbconn *c, const char *sql, int nparams, const char *const *params,
                         const int *lengths, const int *formats) {
  return exec_kind(c, sql, nparams, params, lengths, formats, K_STATEMENT);
}

/* Sends a statement inside a transaction without waiting for its answer (db_wait reads
   it): the caller works while PostgreSQL does. Prepared as db_exec would prepare it. A
   connection lost before or while sending is a failure: the transaction went with it. */
bool db_send(struct dbconn *c, const char *sql, int nparams, const char *const *params) {
  if (!c->in_tx || lost(c)) {
    if (c->pg && lost(c)) c->broken = true;
    remember("08006", "the connection was lost during the transaction, which was rolled back");
    return false;
  }
  int sent;
  if (c->pool->prepare) {
    unsigned long long h = fnv1a(sql);
    char name[24];
    snprintf(name, sizeof name, "g%016llx", h);
    bool known = false;
    for (int i = 0; i < c->nprepared && !known; i++)
      known = c->prepared[i].hash == h && strcmp(c->prepared[i].sql, sql) == 0;
    if (!known && c->nprepared < MAX_PREPARED) {
      if (!c->prepared) c->prepared = xcalloc(MAX_PREPARED, sizeof *c->prepared);
      PGresult *r = PQprepare(c->pg, name, sql, nparams, NULL);
      const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || (state && strcmp(state, "42P05") == 0);
      if (!ok) {
        remember(state ? state : "08006", PQresultErrorMessage(r));
        if (lost(c)) c->broken = true;
        PQclear(r);
        return false;
      }
      PQclear(r);
      c->prepared[c->nprepared++] = (struct prepared){h, xstrdup(sql)};
      known = true;
    }
    sent = known ? PQsendQueryPrepared(c->pg, name, nparams, params, NULL, NULL, 0)
                 : PQsendQueryParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
  } else {
    sent = PQsendQueryParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
  }
  if (!sent) {
    c->broken = true;
    remember("08006", PQerrorMessage(c->pg));
    return false;
  }
  return true;
}

PGresult *db_wait(struct dbconn *c) {
  PGresult *r = NULL, *next;
  while ((next = PQgetResult(c->pg))) { /* the statement's result, then NULL */
    if (r) PQclear(r);
    r = next;
  }
  return judged(c, r, "db/wait");
}

static bool simple(struct dbconn *c, const char *sql, enum kind kind) {
  PGresult *r = exec_kind(c, sql, 0, NULL, NULL, NULL, kind);
  PQclear(r);
  return r != NULL;
}

/* Inside a transaction, db_begin opens a savepoint, which db_commit releases and
   db_rollback rolls back to: a handler's transaction nests in the request's own
   (db_begin_outer). A failed release leaves the level open for db_rollback to close. */
bool db_begin(struct dbconn *c) {
  if (c->in_tx) {
    char sql[40];
    snprintf(sql, sizeof sql, "SAVEPOINT grappe_%d", c->depth + 1);
    if (!simple(c, sql, K_STATEMENT)) return false;
    c->depth++;
    return true;
  }
  if (!simple(c, "BEGIN", K_BEGIN)) return false;
  c->in_tx = true;
  if (c->origin[0] || c->trace[0]) {
    const char *params[] = {c->origin, c->trace};
    PGresult *r = exec_kind(
      c, "SELECT set_config('grappe.origin', $1, true), set_config('grappe.trace', $2, true)", 2,
      params, NULL, NULL, K_STATEMENT);
    if (!r) {
      db_rollback(c);
      return false;
    }
    PQclear(r);
  }
  return true;
}

bool db_commit(struct dbconn *c) {
  if (c->depth > 0) {
    char sql[40];
    snprintf(sql, sizeof sql, "RELEASE SAVEPOINT grappe_%d", c->depth);
    if (!simple(c, sql, K_STATEMENT)) return false;
    c->depth--;
    return true;
  }
  if (c->outer)
    return true; /* no level of the handler's is open: the request's is not its to end */
  bool ok = simple(c, "COMMIT", K_COMMIT);
  c->in_tx = false;
  return ok;
}

void db_rollback(struct dbconn *c) {
  if (c->depth > 0) {
    char sql[48];
    snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT grappe_%d", c->depth);
    if (!c->broken) simple(c, sql, K_STATEMENT);
    c->depth--;
    return;
  }
  if (c->outer) return;
  if (c->in_tx && !c->broken) simple(c, "ROLLBACK", K_ROLLBACK);
  c->in_tx = false;
}

bool db_begin_outer(struct dbconn *c) {
  if (c->in_tx || !db_begin(c)) return false;
  c->outer = true;
  return true;
}

bool db_commit_outer(struct dbconn *c) {
  bool ok = !c->broken && c->depth == 0 && PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
  if (ok) {
    ok = simple(c, "COMMIT", K_COMMIT);
  } else {
    if (!c->broken) simple(c, "ROLLBACK", K_ROLLBACK);
    remember(c->broken ? "08006" : "25P02",
             "the request's transaction failed before its end and was rolled back");
  }
  reset_tx(c);
  return ok;
}

void db_rollback_outer(struct dbconn *c) {
  if (c->in_tx && !c->broken) simple(c, "ROLLBACK", K_ROLLBACK);
  reset_tx(c);
}

enum db_tx db_tx_state(struct dbconn *c) {
  if (!c->in_tx) return DB_TX_NONE;
  if (lost(c)) return DB_TX_LOST;
  return c->depth == 0 && PQtransactionStatus(c->pg) == PQTRANS_INTRANS ? DB_TX_OK : DB_TX_FAILED;
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

void db_close_cli(PGconn *pg) { PQfinish(pg); }
