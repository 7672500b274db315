/* The process's cache of rendered rows (src/util/rowcache.c): the JSON representation of a
   row, kept under the row's id and a tag that changes whenever the row does. A list asks
   PostgreSQL for its page's ids and tags only, and takes the representations from here when
   every one of them is held under the very tag just read: the answer is then exactly what
   reading the rows in that statement's snapshot would give, so a caller always reads its
   own writes and nothing needs invalidating. A page with one row missing is read whole, as
   without the cache, and its rows are kept.

   The tag is the row version's xmin (the transaction that wrote it: every UPDATE, by the API,
   a trigger or psql, gives the row a new one) with the row's `version`. Two committed
   versions of one row share an xmin only across a wraparound of transaction ids (four
   billion transactions); entries older than ROWCACHE_MAX_AGE are not believed, so that is
   out of reach. Only resources whose representation is a function of their own row use it
   (struct resource's row_pure: no field computed from other tables).

   Bounded by bytes (GRAPPE_ROW_CACHE_MB): split in ROWCACHE_SHARDS shards, each with its own
   mutex, hash table and budget; a full shard evicts with the clock algorithm (a row read
   since the hand last passed is kept one more turn). Pure: no libpq; `now` is a monotonic
   time in seconds given by the caller. */
#ifndef GRAPPE_ROWCACHE_H
#define GRAPPE_ROWCACHE_H
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define ROWCACHE_SHARDS 64
#define ROWCACHE_MAX_AGE 600.0 /* seconds an entry is believed */
#define ROWCACHE_KEY_MAX 64    /* longest id and longest tag kept (longer ones are not cached) */

struct rowcache_stats {
  unsigned long long hits, misses;
  size_t entries, bytes;
};

struct rowcache;
/* A cache of at most max_bytes (entries and their bookkeeping), or NULL when max_bytes is 0:
   every function takes a NULL cache (nothing is held). */
struct rowcache *rowcache_new(size_t max_bytes);
void rowcache_free(struct rowcache *rc);

/* When an entry holds row id of kind (a resource's index) under tag, appends its text to out
   and returns true; else leaves out as it was. Counts nothing: see rowcache_tally. */
bool rowcache_append(struct rowcache *rc, int kind, const char *id, const char *tag, double now,
                     struct buf *out);
/* Keeps text (len bytes) for row id of kind under tag, replacing what the row had. A text
   larger than a shard's budget is not kept. */
void rowcache_put(struct rowcache *rc, int kind, const char *id, const char *tag, const char *text,
                  size_t len, double now);
/* Counts rows served from the cache (hits) and rows read from the database for want of an
   entry (misses), as the caller used them. */
void rowcache_tally(struct rowcache *rc, unsigned long long hits, unsigned long long misses);
void rowcache_stats(struct rowcache *rc, struct rowcache_stats *out);
#endif
