/* Database layer: connection pool, migrations, API keys. Knows libpq, not Ulfius. */
#ifndef GRAPPE_DB_H
#define GRAPPE_DB_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct pool;
struct prepared;
struct dbconn {
  PGconn *pg;
  struct pool *pool;
  bool broken;  /* the connection failed mid-use: reset before the next checkout */
  bool in_tx;
  bool outer;   /* in_tx is the request's own transaction (db_begin_outer) */
  int depth;    /* savepoints opened by db_begin inside the transaction */
  struct prepared *prepared; /* statements prepared in this session (NULL: none) */
  int nprepared;
};

/* Opens a pool of `size` lazily-made connections. Never NULL.
   With `prepare`, each connection prepares the statements it runs (up to a bound) and runs
   them again by name: no parsing or planning of the same text twice. Off for poolers that
   share sessions between clients (pgbouncer in transaction mode before 1.21). */
struct pool *pool_new(const char *url, int size, int statement_timeout_ms, bool prepare);
/* Makes the pool's sessions read-only (default_transaction_read_only) and names them
   grappe-read in pg_stat_activity: the pool of a read replica. Before the first checkout. */
void pool_set_read_only(struct pool *p);
void pool_free(struct pool *p);
/* Checks a working connection out, waiting at most timeout_ms. NULL on timeout
   (*why = "busy") or when the database cannot be reached (*why = "down"). */
struct dbconn *pool_get(struct pool *p, int timeout_ms, const char **why);
void pool_put(struct pool *p, struct dbconn *c);
void pool_stats(struct pool *p, int *size, int *in_use, long *waits, long *timeouts);

/* Runs sql with text parameters (NULL = SQL NULL). Returns the result when its status is
   COMMAND_OK or TUPLES_OK, else clears it, marks a lost connection broken, keeps the
   SQLSTATE for db_last_sqlstate() and returns NULL.
   A statement is sent again only when the first sending provably did nothing (the
   connection was found dead before it left); a statement outside a transaction whose
   connection died in flight is asked again read-only (a read gets its answer, a write
   fails with 08007: its outcome is unknown). See src/db/pool.c. */
PGresult *db_exec(struct dbconn *c, const char *sql, int nparams, const char *const *params);
/* db_exec with parameter lengths and formats (1: binary), as PQexecParams takes them. */
PGresult *db_exec_params(struct dbconn *c, const char *sql, int nparams, const char *const *params,
                         const int *lengths, const int *formats);
/* The SQLSTATE of the last failure on this thread: "" when none, "08006" when the
   connection was lost and nothing was done (a transaction in progress was rolled back),
   "08007" when it was lost with a write or a COMMIT in flight (the outcome is unknown). */
const char *db_last_sqlstate(void);
const char *db_last_message(void);
/* A transaction; inside one already (the request's own), a savepoint. */
bool db_begin(struct dbconn *c);
bool db_commit(struct dbconn *c);
void db_rollback(struct dbconn *c);
/* The request's own transaction, around its handler (Idempotency-Key: src/http/idempotency.c):
   the handler's db_begin/db_commit/db_rollback become savepoints inside it and cannot end
   it. db_commit_outer commits it (false, with the SQLSTATE, when it failed or was lost
   before, or when its COMMIT failed: 08007 when COMMIT's answer was lost). */
bool db_begin_outer(struct dbconn *c);
bool db_commit_outer(struct dbconn *c);
void db_rollback_outer(struct dbconn *c);
/* Where the connection's transaction stands: none, usable, failed (a statement of it
   failed, or a savepoint is still open), or lost with the connection. */
enum db_tx { DB_TX_NONE, DB_TX_OK, DB_TX_FAILED, DB_TX_LOST };
enum db_tx db_tx_state(struct dbconn *c);

/* Idempotency keys (src/db/idempotency.c). A key is claimed by one run of its request, its
   owner, for a lease of lease_ms; see that file. */
struct idem_found {          /* a key claimed before, as a retry finds it */
  bool same_request;         /* claimed for this same request (its fingerprint) */
  bool running;              /* not answered yet */
  int retry_after;           /* seconds until the running claim's lease ends (at least 1) */
  int status;                /* the kept answer: status, headers (a JSON object), body */
  char *headers;
  unsigned char *body;       /* NUL-terminated beyond body_len */
  size_t body_len;
};
enum idem_claim { IDEM_CLAIM_OWNED, IDEM_CLAIM_FOUND, IDEM_CLAIM_VANISHED, IDEM_CLAIM_FAILED };
/* Claims (caller, key) for this run, whose owner id it writes: OWNED (new, or taken over
   from a run whose lease ended and which no transaction holds), FOUND (filled in, to free
   with db_idem_found_free), VANISHED (deleted meanwhile: retry), FAILED (SQLSTATE kept). */
enum idem_claim db_idem_claim(struct dbconn *c, const char *caller, const char *key, const char *fingerprint,
                              int lease_ms, char owner[37], struct idem_found *found);
void db_idem_found_free(struct idem_found *f);
/* Opens the request's own transaction (db_begin_outer) holding the key's row locked: 1;
   0 when the key is no longer this run's, -1 on failure (no transaction left open). */
int db_idem_hold(struct dbconn *c, const char *caller, const char *key, const char *owner);
/* Locks the key's row in the transaction open: 1; 0 when the key is no longer this run's,
   -1 on failure. */
int db_idem_lock(struct dbconn *c, const char *caller, const char *key, const char *owner);
/* Extends the lease, outside a transaction (false when the key is no longer this run's or
   on failure). */
bool db_idem_renew(struct dbconn *c, const char *caller, const char *key, const char *owner, int lease_ms);
/* Keeps the answer (in the transaction open, if any); false when the key is no longer this
   run's or on failure. body is len bytes. */
bool db_idem_keep(struct dbconn *c, const char *caller, const char *key, const char *owner, int status,
                  const char *headers, const void *body, size_t len);
/* Gives the key up when it is still running (a retry then runs the request again). */
bool db_idem_release(struct dbconn *c, const char *caller, const char *key, const char *owner);
/* After the request's COMMIT went unanswered: what became of it, found in the key's row
   (ROLLED_BACK also gives the key up). */
enum idem_outcome { IDEM_OUTCOME_COMMITTED, IDEM_OUTCOME_ROLLED_BACK, IDEM_OUTCOME_UNKNOWN };
enum idem_outcome db_idem_resolve(struct dbconn *c, const char *caller, const char *key, const char *owner);

/* Opens one connection for a command-line tool; prints the error and returns NULL. */
PGconn *db_connect_cli(const char *url);

/* Migrations (embedded at build time). */
int migrate_run(PGconn *pg, bool verbose);        /* 0 on success */
int migrate_latest(void);                          /* newest embedded version */
/* The newest applied version, -1 when none or on error. */
int migrate_current(struct dbconn *c);

/* API keys. */
int keys_cli(int argc, char **argv, const char *database_url);

/* Synthetic data at scale: grappe seed --clusters N --companies M. */
int seed_cli(int argc, char **argv, const char *database_url);
#endif
