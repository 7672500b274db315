/* The process's cache of rendered rows: see include/rowcache.h for what it promises.

   Each shard is a chained hash table of its entries plus a queue of the same entries in the
   order they came in, whose head the clock hand is when the shard is over its budget. */
#include "rowcache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct entry {
  struct entry *chain;       /* the next entry of its hash bucket */
  struct entry *prev, *next; /* the queue, oldest first */
  uint64_t hash;
  int kind;
  bool referenced; /* read since the hand last passed */
  double at;       /* when it was kept */
  size_t len;
  char id[ROWCACHE_KEY_MAX + 1];
  char tag[ROWCACHE_KEY_MAX + 1];
  char text[];
};

struct shard {
  pthread_mutex_t lock;
  struct entry **buckets;
  size_t nbuckets;               /* a power of 2 */
  struct entry *oldest, *newest; /* the queue of its entries in the order they came */
  size_t bytes, budget, entries;
  unsigned long long hits, misses;
};

struct rowcache {
  struct shard shards[ROWCACHE_SHARDS];
};

static size_t cost(size_t len) { return sizeof(struct entry) + len + 1; }

struct rowcache *rowcache_new(size_t max_bytes) {
  if (!max_bytes) return NULL;
  struct rowcache *rc = xcalloc(1, sizeof *rc);
  size_t budget = max_bytes / ROWCACHE_SHARDS;
  size_t nbuckets = 64;
  while (nbuckets < budget / 512) nbuckets *= 2; /* a bucket for every 512 bytes: rows of 1 KB */
  for (int i = 0; i < ROWCACHE_SHARDS; i++) {
    struct shard *s = &rc->shards[i];
    pthread_mutex_init(&s->lock, NULL);
    s->nbuckets = nbuckets;
    s->buckets = xcalloc(nbuckets, sizeof(struct entry *));
    s->budget = budget;
  }
  return rc;
}

void rowcache_free(struct rowcache *rc) {
  if (!rc) return;
  for (int i = 0; i < ROWCACHE_SHARDS; i++) {
    struct shard *s = &rc->shards[i];
    for (struct entry *e = s->oldest, *next; e; e = next) {
      next = e->next;
      free(e);
    }
    free(s->buckets);
    pthread_mutex_destroy(&s->lock);
  }
  free(rc);
}

/* FNV-1a over the kind and the id. */
static uint64_t hash_of(int kind, const char *id) {
  uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)(unsigned)kind;
  h *= 0x100000001b3ULL;
  for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
    h ^= *p;
    h *= 0x100000001b3ULL;
  }
  return h;
}

static struct shard *shard_of(struct rowcache *rc, uint64_t h) {
  return &rc->shards[h >> 58]; /* the top 6 bits: ROWCACHE_SHARDS is 64 */
}

static struct entry **slot_of(struct shard *s, uint64_t h, int kind, const char *id) {
  struct entry **p = &s->buckets[h & (s->nbuckets - 1)];
  while (*p && ((*p)->hash != h || (*p)->kind != kind || strcmp((*p)->id, id) != 0))
    p = &(*p)->chain;
  return p;
}

static void queue_unlink(struct shard *s, struct entry *e) {
  if (e->prev) e->prev->next = e->next;
  else s->oldest = e->next;
  if (e->next) e->next->prev = e->prev;
  else s->newest = e->prev;
}

static void queue_push(struct shard *s, struct entry *e) {
  e->prev = s->newest;
  e->next = NULL;
  if (s->newest) s->newest->next = e;
  else s->oldest = e;
  s->newest = e;
}

static void drop(struct shard *s, struct entry *e) {
  struct entry **p = slot_of(s, e->hash, e->kind, e->id);
  *p = e->chain;
  queue_unlink(s, e);
  s->bytes -= cost(e->len);
  s->entries--;
  free(e);
}

bool rowcache_append(struct rowcache *rc, int kind, const char *id, const char *tag, double now,
                     struct buf *out) {
  if (!rc) return false;
  uint64_t h = hash_of(kind, id);
  struct shard *s = shard_of(rc, h);
  pthread_mutex_lock(&s->lock);
  struct entry *e = *slot_of(s, h, kind, id);
  bool hit = e && strcmp(e->tag, tag) == 0 && now - e->at < ROWCACHE_MAX_AGE && now >= e->at;
  if (hit) {
    e->referenced = true;
    buf_add(out, e->text, e->len);
  }
  pthread_mutex_unlock(&s->lock);
  return hit;
}

void rowcache_tally(struct rowcache *rc, unsigned long long hits, unsigned long long misses) {
  if (!rc) return;
  struct shard *s = &rc->shards[0]; /* the counters are summed over the shards anyway */
  pthread_mutex_lock(&s->lock);
  s->hits += hits;
  s->misses += misses;
  pthread_mutex_unlock(&s->lock);
}

void rowcache_put(struct rowcache *rc, int kind, const char *id, const char *tag, const char *text,
                  size_t len, double now) {
  if (!rc || strlen(id) > ROWCACHE_KEY_MAX || strlen(tag) > ROWCACHE_KEY_MAX) return;
  uint64_t h = hash_of(kind, id);
  struct shard *s = shard_of(rc, h);
  if (cost(len) > s->budget) return;
  struct entry *e = xmalloc(cost(len));
  e->chain = NULL;
  e->hash = h;
  e->kind = kind;
  e->referenced = false;
  e->at = now;
  e->len = len;
  strcpy(e->id, id);
  strcpy(e->tag, tag);
  memcpy(e->text, text, len);
  e->text[len] = '\0';

  pthread_mutex_lock(&s->lock);
  struct entry *old = *slot_of(s, h, kind, id);
  if (old) drop(s, old);
  /* the clock: the oldest entry goes unless it was read since the hand passed, in which
     case it is spared once and goes to the end of the ring (two turns at most) */
  while (s->bytes + cost(len) > s->budget && s->oldest) {
    struct entry *oldest = s->oldest;
    if (oldest->referenced) {
      oldest->referenced = false;
      queue_unlink(s, oldest);
      queue_push(s, oldest);
    } else {
      drop(s, oldest);
    }
  }
  *slot_of(s, h, kind, id) = e;
  queue_push(s, e);
  s->bytes += cost(len);
  s->entries++;
  pthread_mutex_unlock(&s->lock);
}

void rowcache_stats(struct rowcache *rc, struct rowcache_stats *out) {
  memset(out, 0, sizeof *out);
  if (!rc) return;
  for (int i = 0; i < ROWCACHE_SHARDS; i++) {
    struct shard *s = &rc->shards[i];
    pthread_mutex_lock(&s->lock);
    out->hits += s->hits;
    out->misses += s->misses;
    out->entries += s->entries;
    out->bytes += s->bytes;
    pthread_mutex_unlock(&s->lock);
  }
}
