/* Database layer: connection pool, transactions, idempotency keys, migrations, API keys,
   synthetic data. Knows libpq, not Ulfius. This header does not include libpq's own:
   src/http includes it and knows libpq's types only by name (struct pg_conn is PGconn,
   struct pg_result is PGresult); a file that reads results includes <libpq-fe.h>. */
#ifndef GRAPPE_DB_H
#define GRAPPE_DB_H
#include <stdbool.h>
#include <stddef.h>

struct pool;
struct prepared;
struct pg_conn;
struct pg_result;
struct dbconn {
  struct pg_conn *pg;
  struct pool *pool;
  bool broken; /* the connection failed mid-use: reset before the next checkout */
  bool in_tx;
  bool outer;                /* in_tx is the request's own transaction (db_begin_outer) */
  int depth;                 /* savepoints opened by db_begin inside the transaction */
  struct prepared *prepared; /* statements prepared in this session (NULL: none) */
  int nprepared;
  /* Who writes through this checkout (an API key id, a token subject; "" for nobody): each
     transaction that db_begin opens sets grappe.origin to it (SET LOCAL), which the change
     feed records with every change (migration 0021). Cleared by pool_put. */
  char origin[128];
  /* The W3C traceparent of the request that writes (55 characters; "" for none), set as
     grappe.trace the same way, which the change records (migration 0022). */
  char trace[56];
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
   SQLSTATE and the message for db_last_sqlstate() and db_last_message() (thread-local: the
   calling thread's last failure, whichever connection it was on) and returns NULL.
   A statement is sent again only when the first sending provably did nothing (the
   connection was found dead before it left); a statement outside a transaction whose
   connection died in flight is asked again read-only (a read gets its answer, a write
   fails with 08007: its outcome is unknown). See src/db/pool.c. */
struct pg_result *db_exec(struct dbconn *c, const char *sql, int nparams,
                          const char *const *params);
/* db_exec with parameter lengths and formats (1: binary), as PQexecParams takes them. */
struct pg_result *db_exec_params(struct dbconn *c, const char *sql, int nparams,
                                 const char *const *params, const int *lengths, const int *formats);
/* A statement sent inside a transaction, its answer read later by db_wait (nothing else may
   run on c meanwhile): false, with the SQLSTATE, when it could not be sent. */
bool db_send(struct dbconn *c, const char *sql, int nparams, const char *const *params);
/* The answer to db_send's statement, as db_exec returns it (NULL on a failure). */
struct pg_result *db_wait(struct dbconn *c);
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
struct idem_found {  /* a key claimed before, as a retry finds it */
  bool same_request; /* claimed for this same request (its fingerprint) */
  bool running;      /* not answered yet */
  int retry_after;   /* seconds until the running claim's lease ends (at least 1) */
  int status;        /* the kept answer: status, headers (a JSON object), body */
  char *headers;
  unsigned char *body; /* NUL-terminated beyond body_len */
  size_t body_len;
};
enum idem_claim { IDEM_CLAIM_OWNED, IDEM_CLAIM_FOUND, IDEM_CLAIM_VANISHED, IDEM_CLAIM_FAILED };
/* Claims (caller, key) for this run, whose owner id it writes: OWNED (new, or taken over
   from a run whose lease ended and which no transaction holds), FOUND (filled in, to free
   with db_idem_found_free), VANISHED (deleted meanwhile: retry), FAILED (SQLSTATE kept). */
enum idem_claim db_idem_claim(struct dbconn *c, const char *caller, const char *key,
                              const char *fingerprint, int lease_ms, char owner[37],
                              struct idem_found *found);
void db_idem_found_free(struct idem_found *f);
/* Opens the request's own transaction (db_begin_outer) holding the key's row locked: 1;
   0 when the key is no longer this run's, -1 on failure (no transaction left open). */
int db_idem_hold(struct dbconn *c, const char *caller, const char *key, const char *owner);
/* Locks the key's row in the transaction open: 1; 0 when the key is no longer this run's,
   -1 on failure. */
int db_idem_lock(struct dbconn *c, const char *caller, const char *key, const char *owner);
/* Extends the lease, outside a transaction (false when the key is no longer this run's or
   on failure). */
bool db_idem_renew(struct dbconn *c, const char *caller, const char *key, const char *owner,
                   int lease_ms);
/* Keeps the answer (in the transaction open, if any); false when the key is no longer this
   run's or on failure. body is len bytes. */
bool db_idem_keep(struct dbconn *c, const char *caller, const char *key, const char *owner,
                  int status, const char *headers, const void *body, size_t len);
/* Gives the key up when it is still running (a retry then runs the request again). */
bool db_idem_release(struct dbconn *c, const char *caller, const char *key, const char *owner);
/* After the request's COMMIT went unanswered: what became of it, found in the key's row
   (ROLLED_BACK also gives the key up). */
enum idem_outcome { IDEM_OUTCOME_COMMITTED, IDEM_OUTCOME_ROLLED_BACK, IDEM_OUTCOME_UNKNOWN };
enum idem_outcome db_idem_resolve(struct dbconn *c, const char *caller, const char *key,
                                  const char *owner);

/* Opens one connection for a command-line tool; prints the error and returns NULL. */
struct pg_conn *db_connect_cli(const char *url);
void db_close_cli(struct pg_conn *pg);

/* Migrations (embedded at build time). */
int migrate_run(struct pg_conn *pg, bool verbose); /* 0 on success */
int migrate_latest(void);                          /* newest embedded version */
/* The newest applied version, -1 when none or on error. */
int migrate_current(struct dbconn *c);

/* API keys (src/db/keys.c), stored as the SHA-256 of the key, never the key itself. */
struct db_key {
  char id[37];
  char role[8];      /* admin, manager or reader */
  char **clusters;   /* a manager's clusters, a strv to free with strv_free; NULL for other roles */
  double expires_at; /* seconds since 1970 (with microseconds); 0 when it never expires */
};
/* The key whose SHA-256 is hash, when it is known, not revoked and not expired: 1 and *out
   filled in; 0 when it is none of those; -1 on failure (SQLSTATE kept). */
int db_key_lookup(struct dbconn *c, const unsigned char hash[32], struct db_key *out);
/* For grappe keys (src/cli/keys.c), on a connection of db_connect_cli. Each prints the
   database's error on standard error when it fails. db_key_create stores key for name,
   role and cluster_ids (a uuid[] literal), expiring at expires_at (RFC 3339; NULL: never),
   and writes its id: 1; 0 when a cluster id names no cluster; -1 on failure.
   db_key_revoke: 1 revoked (or already), 0 no such key, -1. */
int db_key_create(struct pg_conn *pg, const char *key, const char *name, const char *role,
                  const char *cluster_ids, const char *expires_at, char id[37]);
int db_key_revoke(struct pg_conn *pg, const char *id);
/* Every key, oldest first (NULL on failure); each row's text is valid until
   db_key_rows_free. clusters: comma-separated ids, "" for none; revoked and expires: "-"
   when not, never. */
struct db_key_row {
  const char *id, *role, *prefix, *created, *revoked, *expires, *clusters, *name;
};
struct db_key_rows;
struct db_key_rows *db_keys_list(struct pg_conn *pg);
size_t db_key_rows_count(const struct db_key_rows *rows);
void db_key_rows_get(const struct db_key_rows *rows, size_t i, struct db_key_row *out);
void db_key_rows_free(struct db_key_rows *rows);

/* The listener of key changes (src/db/keylisten.c): a thread with a session of its own on
   url that LISTENs for api_keys' changes and drops them from cache (include/keycache.h),
   and tells the cache how recently it has provably heard everything. NULL when the thread
   cannot start (the cache then keeps keys for its short lifetime only). Only grappe serve
   starts one; keylisten_stop stops the thread and frees it (NULL: nothing). */
struct keycache;
struct keylisten;
struct keylisten *keylisten_start(const char *url, struct keycache *cache);
void keylisten_stop(struct keylisten *l);

/* Synthetic data at scale (src/db/seed.c), for grappe seed (src/cli/seed.c). */
#define SEED_MAX_JOBS 16
struct seed_request {
  long clusters, companies, projects, events;
  long seed;   /* 0..2^31-1, when seeded */
  bool seeded; /* else a seed is drawn and printed */
  int jobs;    /* connections inserting companies, 1..SEED_MAX_JOBS */
};
struct seed_totals {
  long long clusters, companies, memberships, indicators, projects, events, registrations;
  double seconds;
};
/* Makes what req asks on connections of its own to url, with progress on standard error:
   1 done, 0 stopped by a failure (printed; *t holds what was made until then), -1 when it
   could not connect (printed). */
int db_seed(const char *url, const struct seed_request *req, struct seed_totals *t);
#endif
