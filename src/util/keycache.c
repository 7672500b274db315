/* The process's cache of API keys: see include/keycache.h for what it promises.

   A set-associative table: the first bytes of a key's SHA-256 (uniform: the keys are random)
   choose one of KEYCACHE_SETS sets of KEYCACHE_WAYS entries, and a new entry takes the
   set's free way, else its oldest. Bounded without bookkeeping, and no guesser can fill it:
   only keys that the database found valid are ever kept. */
#include "keycache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "strv.h"

#define KEYCACHE_WAYS 4
#define KEYCACHE_SETS (KEYCACHE_CAPACITY / KEYCACHE_WAYS)

struct entry {
  bool used;
  unsigned char hash[32];
  struct keycache_value v;
  double fetched; /* monotonic time of the ticket of the lookup that found it */
};

/* A key's last mark of use (keycache_used). */
struct used {
  char id[37]; /* "" when free */
  double marked;
  bool pending; /* marked, not taken by keycache_take_used yet */
};

struct keycache {
  pthread_mutex_t lock;
  struct used used[KEYCACHE_USED_SLOTS];
  size_t pending;
  struct entry entries[KEYCACHE_CAPACITY];
  size_t count;
  unsigned long long generation;
  double epoch_began; /* monotonic time of the listener's last keycache_new_epoch */
  bool heard;         /* a ping sent in this epoch came back... */
  double heard_sent;  /* ...the latest one sent at this time */
  unsigned long long hits, misses;
};

struct keycache *keycache_new(void) {
  struct keycache *kc = xcalloc(1, sizeof *kc);
  pthread_mutex_init(&kc->lock, NULL);
  return kc;
}

static void drop(struct keycache *kc, struct entry *e) {
  if (!e->used) return;
  strv_free(e->v.clusters);
  memset(e, 0, sizeof *e);
  kc->count--;
}

static void drop_all(struct keycache *kc) {
  for (size_t i = 0; i < KEYCACHE_CAPACITY; i++) drop(kc, &kc->entries[i]);
}

void keycache_free(struct keycache *kc) {
  if (!kc) return;
  drop_all(kc);
  pthread_mutex_destroy(&kc->lock);
  free(kc);
}

static struct entry *set_of(struct keycache *kc, const unsigned char hash[32]) {
  size_t set = ((size_t)hash[0] << 8 | hash[1]) % KEYCACHE_SETS;
  return &kc->entries[set * KEYCACHE_WAYS];
}

static struct entry *find(struct keycache *kc, const unsigned char hash[32]) {
  struct entry *set = set_of(kc, hash);
  for (int w = 0; w < KEYCACHE_WAYS; w++)
    if (set[w].used && memcmp(set[w].hash, hash, 32) == 0) return &set[w];
  return NULL;
}

/* Every change committed before the last ping that came back has been heard; the listener
   is healthy when that ping left less than KEYCACHE_HEARD_WITHIN ago. */
static bool healthy(const struct keycache *kc, double now) {
  return kc->heard && now - kc->heard_sent < KEYCACHE_HEARD_WITHIN;
}

/* An entry stands for its key while the key has not expired and either it is young (the
   short lifetime keeps the promise of 1 s when changes cannot be heard) or every change to
   it would have been heard (then the long lifetime bounds what nothing else foresaw). */
static bool valid(const struct keycache *kc, const struct entry *e, double now, double wall) {
  if (e->v.expires_at > 0 && wall >= e->v.expires_at) return false;
  double age = now - e->fetched;
  return age < KEYCACHE_SHORT_TTL || (healthy(kc, now) && age < KEYCACHE_LONG_TTL);
}

bool keycache_get(struct keycache *kc, const unsigned char hash[32], double now, double wall,
                  struct keycache_value *out) {
  pthread_mutex_lock(&kc->lock);
  struct entry *e = find(kc, hash);
  bool hit = e && valid(kc, e, now, wall);
  if (hit) {
    *out = e->v;
    out->clusters = strv_dup(e->v.clusters);
    kc->hits++;
  } else {
    if (e) drop(kc, e);
    kc->misses++;
  }
  pthread_mutex_unlock(&kc->lock);
  return hit;
}

void keycache_ticket(struct keycache *kc, double now, struct keycache_ticket *t) {
  pthread_mutex_lock(&kc->lock);
  t->generation = kc->generation;
  t->at = now;
  pthread_mutex_unlock(&kc->lock);
}

void keycache_put(struct keycache *kc, const unsigned char hash[32], const struct keycache_value *v,
                  const struct keycache_ticket *t) {
  char **clusters = strv_dup(v->clusters); /* outside the lock */
  pthread_mutex_lock(&kc->lock);
  struct entry *e = NULL;
  if (t->generation == kc->generation) {
    e = find(kc, hash);
    struct entry *set = set_of(kc, hash);
    for (int w = 0; w < KEYCACHE_WAYS && !e; w++)
      if (!set[w].used) e = &set[w];
    if (!e) {
      e = &set[0];
      for (int w = 1; w < KEYCACHE_WAYS; w++)
        if (set[w].fetched < e->fetched) e = &set[w];
    }
    drop(kc, e);
    e->used = true;
    memcpy(e->hash, hash, 32);
    e->v = *v;
    e->v.clusters = clusters;
    e->fetched = t->at;
    kc->count++;
  }
  pthread_mutex_unlock(&kc->lock);
  if (!e) strv_free(clusters);
}

void keycache_forget(struct keycache *kc, const unsigned char hash[32]) {
  pthread_mutex_lock(&kc->lock);
  struct entry *e = find(kc, hash);
  if (e) drop(kc, e);
  kc->generation++;
  pthread_mutex_unlock(&kc->lock);
}

void keycache_forget_all(struct keycache *kc) {
  pthread_mutex_lock(&kc->lock);
  drop_all(kc);
  kc->generation++;
  pthread_mutex_unlock(&kc->lock);
}

void keycache_new_epoch(struct keycache *kc, double now) {
  pthread_mutex_lock(&kc->lock);
  drop_all(kc);
  kc->generation++;
  kc->epoch_began = now;
  kc->heard = false;
  pthread_mutex_unlock(&kc->lock);
}

void keycache_heard(struct keycache *kc, double sent) {
  pthread_mutex_lock(&kc->lock);
  if (sent >= kc->epoch_began && (!kc->heard || sent > kc->heard_sent)) {
    kc->heard = true;
    kc->heard_sent = sent;
  }
  pthread_mutex_unlock(&kc->lock);
}

void keycache_stats(struct keycache *kc, double now, struct keycache_stats *s) {
  pthread_mutex_lock(&kc->lock);
  s->hits = kc->hits;
  s->misses = kc->misses;
  s->entries = kc->count;
  s->healthy = healthy(kc, now);
  pthread_mutex_unlock(&kc->lock);
}

#define USED_PROBES 8

void keycache_used(struct keycache *kc, const char *key_id, double now) {
  if (!key_id || strlen(key_id) != 36 || strspn(key_id, "0123456789abcdefABCDEF-") != 36) return;
  unsigned h = 2166136261u;
  for (const char *p = key_id; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  pthread_mutex_lock(&kc->lock);
  struct used *slot = NULL, *oldest = NULL;
  for (unsigned i = 0; i < USED_PROBES && !slot; i++) {
    struct used *u = &kc->used[(h + i) % KEYCACHE_USED_SLOTS];
    if (strcmp(u->id, key_id) == 0) slot = u;
    else if (!oldest || !u->id[0] || (oldest->id[0] && u->marked < oldest->marked)) oldest = u;
  }
  if (!slot) { /* a new key: a free slot, or the least recently marked of its probes */
    slot = oldest;
    if (slot->pending) kc->pending--;
    memset(slot, 0, sizeof *slot);
    memcpy(slot->id, key_id, 37);
    slot->marked = now - KEYCACHE_USED_EVERY;
  }
  if (now - slot->marked >= KEYCACHE_USED_EVERY) {
    slot->marked = now;
    if (!slot->pending) kc->pending++;
    slot->pending = true;
  }
  pthread_mutex_unlock(&kc->lock);
}

char *keycache_take_used(struct keycache *kc) {
  pthread_mutex_lock(&kc->lock);
  char *out = NULL;
  if (kc->pending) {
    out = xmalloc(kc->pending * 37 + 3);
    char *p = out;
    *p++ = '{';
    for (size_t i = 0; i < KEYCACHE_USED_SLOTS; i++) {
      struct used *u = &kc->used[i];
      if (!u->pending) continue;
      if (p > out + 1) *p++ = ',';
      memcpy(p, u->id, 36);
      p += 36;
      u->pending = false;
    }
    *p++ = '}';
    *p = '\0';
    kc->pending = 0;
  }
  pthread_mutex_unlock(&kc->lock);
  return out;
}
