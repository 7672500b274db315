/* The process's cache of API keys (src/util/keycache.c): the principal of each valid key it
   has looked up, by the SHA-256 of the key, so that a keyed request needs no database. A key
   is dropped when the listener (src/db/keylisten.c) hears that it changed (PostgreSQL's
   NOTIFY on grappe_keys, sent by api_keys' trigger at each change's commit), and an entry
   is believed for KEYCACHE_LONG_TTL only while that listener provably hears everything:
   its own ping, sent on its session, came back less than KEYCACHE_HEARD_WITHIN ago. Else
   (no listener, connection lost, a pooler in between) an entry lives KEYCACHE_SHORT_TTL.
   So a revoked, expired or changed key is refused by every process within 1 s.

   Pure: no libpq, no Ulfius; times are given by the caller (unit tests pass their own).
   `now` is a monotonic clock in seconds, `wall` the real time in seconds since 1970.
   Thread-safe: one mutex guards everything. */
#ifndef GRAPPE_KEYCACHE_H
#define GRAPPE_KEYCACHE_H
#include <stdbool.h>
#include <stddef.h>

#define KEYCACHE_SHORT_TTL 0.5 /* seconds an entry lives when the listener is not heard */
#define KEYCACHE_LONG_TTL 60.0 /* seconds while it is */
/* The listener is healthy while its last ping back was sent less than this ago. */
#define KEYCACHE_HEARD_WITHIN 0.75
#define KEYCACHE_CAPACITY 4096 /* entries at most (only valid keys are ever cached) */
/* A change committed at time c is heard, or its key's entries are too old, by
   c + max(KEYCACHE_HEARD_WITHIN, KEYCACHE_SHORT_TTL): every process refuses a revoked key
   within this many seconds of the commit (grappe keys revoke waits that long). */
#define KEYCACHE_REACH 1.0

/* A key's principal, as the cache keeps and gives it back. */
struct keycache_value {
  char id[37];
  char role[8];      /* admin, manager or reader */
  char **clusters;   /* a manager's clusters, a strv (strv.h), or NULL */
  double expires_at; /* real time in seconds since 1970; 0: never */
};

/* Taken before the database is asked for a key, handed to keycache_put with the answer:
   an answer that a change announced meanwhile may have made stale is not kept. */
struct keycache_ticket {
  unsigned long long generation; /* changes heard (and listener sessions begun or lost) */
  double at; /* monotonic time of the ticket: the entry's age counts from here */
};

struct keycache_stats {
  unsigned long long hits, misses;
  size_t entries;
  bool healthy; /* the listener is heard: entries live KEYCACHE_LONG_TTL */
};

struct keycache;
/* A new, empty cache (free with keycache_free). */
struct keycache *keycache_new(void);
void keycache_free(struct keycache *kc);

/* The principal of the key whose SHA-256 is hash, when a valid entry holds it: true and
   *out filled in (out->clusters is a copy: the caller frees it with strv_free). Counts a
   hit or a miss. An entry past its key's expires_at is dropped. */
bool keycache_get(struct keycache *kc, const unsigned char hash[32], double now, double wall,
                  struct keycache_value *out);
void keycache_ticket(struct keycache *kc, double now, struct keycache_ticket *t);
/* Keeps a copy of v for hash, read from the database after ticket t; does nothing when a
   change was heard since t (the answer may be older than it) or the listener began or lost
   a session since. When full, the oldest entry of the hash's set goes. */
void keycache_put(struct keycache *kc, const unsigned char hash[32], const struct keycache_value *v,
                  const struct keycache_ticket *t);

/* The listener's side. forget: the key of this hash changed; forget_all: every key may have
   (TRUNCATE, a payload not understood). */
void keycache_forget(struct keycache *kc, const unsigned char hash[32]);
void keycache_forget_all(struct keycache *kc);
/* The listener began a session (its LISTEN is in place) or lost one, at monotonic time now:
   every entry goes, and the listener is not heard until a ping sent after now comes back. */
void keycache_new_epoch(struct keycache *kc, double now);
/* A ping sent at monotonic time `sent` came back: every change committed before then has
   been heard (PostgreSQL delivers notifications in commit order). */
void keycache_heard(struct keycache *kc, double sent);

void keycache_stats(struct keycache *kc, double now, struct keycache_stats *s);

/* Uses of keys, for api_keys.last_used_at: a key used at monotonic time now is marked when
   its last mark is KEYCACHE_USED_EVERY old or more (or it has none), so that a key is
   written at most once that often by this process. Up to KEYCACHE_USED_SLOTS keys are
   remembered (a key forgotten is marked again: one write more, never one less). */
#define KEYCACHE_USED_EVERY 60.0
#define KEYCACHE_USED_SLOTS 4096
void keycache_used(struct keycache *kc, const char *key_id, double now);
/* The ids marked since the last call, as a uuid[] literal ({id,id}), or NULL when there are
   none (free it). The listener writes them (src/db/keylisten.c). */
char *keycache_take_used(struct keycache *kc);
#endif
