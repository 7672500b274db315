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
  struct prepared *prepared; /* statements prepared in this session (NULL: none) */
  int nprepared;
};

/* Opens a pool of `size` lazily-made connections. Never NULL except on allocation failure.
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
   SQLSTATE in c->... and returns NULL. */
PGresult *db_exec(struct dbconn *c, const char *sql, int nparams, const char *const *params);
/* The SQLSTATE of the last failure on this thread ("" when none, "08006" when the
   connection was lost). */
const char *db_last_sqlstate(void);
const char *db_last_message(void);
bool db_begin(struct dbconn *c);
bool db_commit(struct dbconn *c);
void db_rollback(struct dbconn *c);

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
