/* The rows behind the Idempotency-Key header (the HTTP side is src/http/idempotency.c).

   A key is claimed by one run of its request, its owner (a random UUID), for a lease
   (lease_until). The run then holds the row locked in its own transaction (db_idem_hold)
   until it keeps its answer in that same transaction: the request's writes and the kept
   answer commit together or not at all. A long request that commits as it goes (a bulk
   import) holds the key by its lease alone, renewed by each of its transactions.

   A retry finds the key done (its answer is replayed), running (409), or running with an
   expired lease and no transaction holding it: its owner is gone (the process died, or its
   final update failed), and the retry takes the key over and runs. The row lock decides
   between "gone" and "slow" without a clock: a live owner's transaction holds it, a dead
   owner's was rolled back with its connection (SKIP LOCKED). All of it works through a
   pooler in transaction mode: nothing outlives a transaction but the rows. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mem.h"
#include "text.h"

/* The end of a lease of $n milliseconds from now (the clock's now: a transaction's now()
   is its start, and an import's one transaction renews for longer than that). */
#define LEASE(n) "clock_timestamp() + $" #n "::int * interval '1 millisecond'"

void db_idem_found_free(struct idem_found *f) {
  free(f->headers);
  free(f->body);
  memset(f, 0, sizeof *f);
}

static bool returned_row(PGresult *r) {
  bool yes = r && PQntuples(r) > 0;
  PQclear(r);
  return yes;
}

enum idem_claim db_idem_claim(struct dbconn *c, const char *caller, const char *key,
                              const char *fingerprint, int lease_ms, char owner[37],
                              struct idem_found *found) {
  memset(found, 0, sizeof *found);
  if (!uuid_v4(owner)) return IDEM_CLAIM_FAILED;
  char lease[16];
  snprintf(lease, sizeof lease, "%d", lease_ms);
  const char *params[] = {caller, key, fingerprint, owner, lease};
  /* A kept answer older than 24 hours no longer counts (and a few stale ones go too). */
  PGresult *r = db_exec(
    c,
    "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours' "
    "AND ((caller = $1 AND key = $2) OR ctid = ANY (ARRAY(SELECT ctid FROM idempotency_keys "
    "WHERE created_at < now() - interval '24 hours' LIMIT 100)))",
    2, params);
  if (!r) return IDEM_CLAIM_FAILED;
  PQclear(r);
  r = db_exec(c,
              "INSERT INTO idempotency_keys (caller, key, fingerprint, state, owner, lease_until) "
              "VALUES ($1, $2, $3, 'running', $4::uuid, " LEASE(
                5) ") ON CONFLICT (caller, key) DO NOTHING RETURNING 1",
              5, params);
  if (!r) return IDEM_CLAIM_FAILED;
  if (returned_row(r)) return IDEM_CLAIM_OWNED;
  /* Running for the same request, its lease over and no transaction holding it: taken over. */
  r = db_exec(
    c,
    "WITH gone AS (SELECT caller, key FROM idempotency_keys WHERE caller = $1 AND key = $2 "
    "AND fingerprint = $3 AND state = 'running' AND lease_until < clock_timestamp() FOR UPDATE SKIP LOCKED) "
    "UPDATE idempotency_keys k SET owner = $4::uuid, lease_until = " LEASE(
      5) ", created_at = now() "
         "FROM gone WHERE k.caller = gone.caller AND k.key = gone.key RETURNING 1",
    5, params);
  if (!r) return IDEM_CLAIM_FAILED;
  if (returned_row(r)) return IDEM_CLAIM_OWNED;
  r = db_exec(
    c,
    "SELECT fingerprint = $3, state = 'running', coalesce(status, 0), coalesce(headers::text, '{}'), body, "
    "greatest(1, ceil(extract(epoch FROM lease_until - clock_timestamp())))::int "
    "FROM idempotency_keys WHERE caller = $1 AND key = $2",
    3, params);
  if (!r) return IDEM_CLAIM_FAILED;
  if (PQntuples(r) == 0) { /* expired and deleted between our statements */
    PQclear(r);
    return IDEM_CLAIM_VANISHED;
  }
  found->same_request = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  found->running = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
  found->status = atoi(PQgetvalue(r, 0, 2));
  found->retry_after = atoi(PQgetvalue(r, 0, 5));
  found->headers = xstrdup(PQgetvalue(r, 0, 3));
  size_t len = 0;
  unsigned char *body =
    PQgetisnull(r, 0, 4) ? NULL : PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 4), &len);
  if (!body && !PQgetisnull(r, 0, 4)) abort(); /* out of memory (include/mem.h) */
  found->body = xmalloc(len + 1);
  if (body) memcpy(found->body, body, len);
  found->body[len] = '\0';
  found->body_len = len;
  PQfreemem(body);
  PQclear(r);
  return IDEM_CLAIM_FOUND;
}

/* A lock, not an update: a retry's INSERT ... ON CONFLICT would wait for a transaction
   that updated the row (to see whether the conflict stays), but not for one that only
   locked it. */
int db_idem_lock(struct dbconn *c, const char *caller, const char *key, const char *owner) {
  const char *params[] = {caller, key, owner};
  PGresult *r =
    db_exec(c,
            "SELECT 1 FROM idempotency_keys WHERE caller = $1 AND key = $2 AND owner = $3::uuid "
            "AND state = 'running' FOR UPDATE",
            3, params);
  int held = r ? PQntuples(r) > 0 : -1;
  PQclear(r);
  return held;
}

int db_idem_hold(struct dbconn *c, const char *caller, const char *key, const char *owner) {
  if (!db_begin_outer(c)) return -1;
  int held = db_idem_lock(c, caller, key, owner);
  if (held != 1) db_rollback_outer(c);
  return held;
}

bool db_idem_renew(struct dbconn *c, const char *caller, const char *key, const char *owner,
                   int lease_ms) {
  char lease[16];
  snprintf(lease, sizeof lease, "%d", lease_ms);
  const char *params[] = {caller, key, owner, lease};
  return returned_row(db_exec(c,
                              "UPDATE idempotency_keys SET lease_until = " LEASE(
                                4) " WHERE caller = $1 AND key = $2 "
                                   "AND owner = $3::uuid AND state = 'running' RETURNING 1",
                              4, params));
}

bool db_idem_keep(struct dbconn *c, const char *caller, const char *key, const char *owner,
                  int status, const char *headers, const void *body, size_t len) {
  char st[16];
  snprintf(st, sizeof st, "%d", status);
  const char *params[] = {caller, key, owner, st, headers, body ? (const char *)body : ""};
  int lengths[] = {0, 0, 0, 0, 0, (int)len};
  int formats[] = {0, 0, 0, 0, 0, 1};
  return returned_row(
    db_exec_params(c,
                   "UPDATE idempotency_keys SET state = 'done', status = $4::int, "
                   "headers = $5::jsonb, body = $6 WHERE caller = $1 AND key = $2 "
                   "AND owner = $3::uuid AND state = 'running' RETURNING 1",
                   6, params, lengths, formats));
}

bool db_idem_release(struct dbconn *c, const char *caller, const char *key, const char *owner) {
  const char *params[] = {caller, key, owner};
  PGresult *r =
    db_exec(c,
            "DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND owner = $3::uuid "
            "AND state = 'running'",
            3, params);
  PQclear(r);
  return r != NULL;
}

/* The request's COMMIT went unanswered. The row says what became of it: it is 'done' if the
   transaction committed (its answer was kept in it), still 'running' if it was rolled back.
   The DELETE waits for the row lock while that transaction is still alive somewhere, so
   what it finds is final; when it deletes, the key is free for a retry at once. */
enum idem_outcome db_idem_resolve(struct dbconn *c, const char *caller, const char *key,
                                  const char *owner) {
  const char *params[] = {caller, key, owner};
  PGresult *r =
    db_exec(c,
            "DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND owner = $3::uuid "
            "AND state = 'running' RETURNING 1",
            3, params);
  if (!r) return IDEM_OUTCOME_UNKNOWN;
  if (returned_row(r)) return IDEM_OUTCOME_ROLLED_BACK;
  r = db_exec(
    c,
    "SELECT state = 'done' FROM idempotency_keys WHERE caller = $1 AND key = $2 AND owner = $3::uuid",
    3, params);
  bool done = r && PQntuples(r) > 0 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  return done ? IDEM_OUTCOME_COMMITTED : IDEM_OUTCOME_UNKNOWN;
}
