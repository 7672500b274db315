/* Rate limits and the cap on heavy requests, in this process's memory.
   - Fixed one-minute windows, per caller: an API key (GRAPPE_RATE_KEY), or for anonymous
     callers their address (GRAPPE_RATE_ANONYMOUS); anonymous registrations have their own,
     stricter budget (GRAPPE_REGISTRATION_RATE). Failed authentications count against the
     address, and an address past its budget of them is refused before its key is looked up.
   - Exports (NDJSON streams) and bulk imports: at most GRAPPE_EXPORT_CONCURRENCY at once in
     the process, and GRAPPE_EXPORT_PER_CALLER per caller.
   Several processes behind a load balancer each count their own share (docs/deploy.md). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "http.h"
#include "netaddr.h"

#define SLOTS 16384 /* callers counted at once; a slot is free again after its minute */
#define PROBE 8     /* slots looked at for one caller (open addressing) */
#define WHO_MAX 72

static struct {
  pthread_mutex_t lock;
  struct {
    char who[WHO_MAX];
    long window;
    int count;
  } slots[SLOTS];
} rl = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Every X-Forwarded-For line in arrival order, joined with commas (Ulfius joins repeated
   lines of one spelling; a line spelt otherwise is another key of its map); NULL when there
   is none. Caller frees. */
static char *forwarded_for(const struct ctx *c) {
  const char **names = u_map_enum_keys(c->req->map_header),
             **values = u_map_enum_values(c->req->map_header);
  struct buf b;
  buf_init(&b);
  for (size_t i = 0; names && values && names[i]; i++)
    if (strcasecmp(names[i], "X-Forwarded-For") == 0)
      buf_addf(&b, "%s%s", b.len ? "," : "", values[i]);
  if (b.len) return b.data;
  buf_free(&b);
  return NULL;
}

void ctx_client_address(struct ctx *c, char *out, size_t n) {
  if (!c->client[0]) {
    const struct sockaddr *sa = c->req->client_address;
    struct ipaddr peer = {0};
    if (sa && sa->sa_family == AF_INET) {
      peer.family = AF_INET;
      memcpy(peer.b, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
    } else if (sa && sa->sa_family == AF_INET6) {
      peer.family = AF_INET6;
      memcpy(peer.b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
      static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
      if (memcmp(peer.b, mapped, sizeof mapped) == 0) {
        peer.family = AF_INET;
        memmove(peer.b, peer.b + 12, 4);
        memset(peer.b + 4, 0, 12);
      }
    }
    const struct config *cfg = app.cfg;
    if (peer.family && cfg->ntrusted_proxies > 0 &&
        cidr_list_contains(cfg->trusted_proxies, (size_t)cfg->ntrusted_proxies, &peer)) {
      char *xff = forwarded_for(c);
      peer =
        netaddr_forwarded_client(cfg->trusted_proxies, (size_t)cfg->ntrusted_proxies, &peer, xff);
      free(xff);
    }
    ip_format(&peer, c->client, sizeof c->client); /* inet_ntop: printf for each byte */
  }
  snprintf(out, n, "%s", c->client);
}

/* Adds `add` (0 or 1) to who's count in this minute's window and returns the count. When
   every probed slot is held by another caller in this window, who shares the first one's
   budget: that errs on the strict side and needs 8 × 16384 callers in one minute. */
static int window_count(const char *who, long window, int add) {
  unsigned h = 2166136261u;
  for (const char *p = who; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  pthread_mutex_lock(&rl.lock);
  int found = -1, spare = -1;
  for (unsigned k = 0; k < PROBE && found < 0; k++) {
    unsigned i = (h + k) % SLOTS;
    if (rl.slots[i].window == window && strcmp(rl.slots[i].who, who) == 0) found = (int)i;
    else if (spare < 0 && rl.slots[i].window != window) spare = (int)i;
  }
  if (found < 0) {
    found = spare >= 0 ? spare : (int)(h % SLOTS);
    if (spare >= 0) {
      snprintf(rl.slots[found].who, WHO_MAX, "%s", who);
      rl.slots[found].window = window;
      rl.slots[found].count = 0;
    }
  }
  rl.slots[found].count += add;
  int n = rl.slots[found].count;
  pthread_mutex_unlock(&rl.lock);
  return n;
}

/* Counts one request against who's budget; sets the RateLimit-* headers; answers 429 with
   Retry-After (and returns false) past the budget. */
static bool take(struct ctx *c, const char *who, int per_minute, const char *whose) {
  long now = (long)time(NULL), window = now / 60;
  int used = window_count(who, window, 1);
  int remaining = per_minute - used;
  long reset = (window + 1) * 60 - now;
  char v[32];
  snprintf(v, sizeof v, "%d", per_minute);
  http_set_header(c, "RateLimit-Limit", v);
  snprintf(v, sizeof v, "%d", remaining > 0 ? remaining : 0);
  http_set_header(c, "RateLimit-Remaining", v);
  snprintf(v, sizeof v, "%ld", reset);
  http_set_header(c, "RateLimit-Reset", v);
  if (remaining >= 0) return true;
  http_set_header(c, "Retry-After", v);
  http_problem(c, 429, "too_many_requests", NULL,
               "Too many requests from %s (%d a minute); retry in %ld s.", whose, per_minute,
               reset);
  return false;
}

bool ctx_rate_limit(struct ctx *c, const char *bucket, int per_minute) {
  char addr[INET6_ADDRSTRLEN], who[WHO_MAX];
  ctx_client_address(c, addr, sizeof addr);
  snprintf(who, sizeof who, "%.20s|%s", bucket, addr);
  return take(c, who, per_minute, "your address");
}

bool ctx_rate_limit_caller(struct ctx *c) {
  const struct config *cfg = app.cfg;
  char addr[INET6_ADDRSTRLEN], who[WHO_MAX];
  bool anonymous = !ctx_header(c, "Authorization");
  if (anonymous && cfg->rate_anonymous == 0) return true;
  ctx_client_address(c, addr, sizeof addr);
  if (anonymous) {
    snprintf(who, sizeof who, "anon|%s", addr);
    return take(c, who, cfg->rate_anonymous, "your address");
  }
  /* A key is looked up in the database: an address that keeps sending wrong keys is refused
     before that, once it has used its budget of failures (the anonymous rate) this minute. */
  snprintf(who, sizeof who, "authfail|%s", addr);
  long now = (long)time(NULL), window = now / 60;
  if (cfg->rate_anonymous > 0 && window_count(who, window, 0) >= cfg->rate_anonymous) {
    char v[32];
    snprintf(v, sizeof v, "%ld", (window + 1) * 60 - now);
    http_set_header(c, "Retry-After", v);
    http_problem(c, 429, "too_many_requests", NULL,
                 "Too many failed authentications from your address; retry in %s s.", v);
    return false;
  }
  if (!ctx_auth(c)) {
    if (c->status == 401) window_count(who, window, 1);
    return false;
  }
  if (cfg->rate_key == 0) return true;
  snprintf(who, sizeof who, "key|%s", c->who.key_id);
  return take(c, who, cfg->rate_key, "this API key");
}

/* ---- heavy requests: exports and bulk imports ---- */

#define HEAVY_MAX 256

static struct {
  pthread_mutex_t lock;
  int n;
  char who[HEAVY_MAX][WHO_MAX];
} heavy = {.lock = PTHREAD_MUTEX_INITIALIZER};

bool http_heavy_acquire(struct ctx *c, char who[HEAVY_WHO_SIZE]) {
  if (c->who.key_id[0]) snprintf(who, HEAVY_WHO_SIZE, "key|%s", c->who.key_id);
  else {
    char addr[INET6_ADDRSTRLEN];
    ctx_client_address(c, addr, sizeof addr);
    snprintf(who, HEAVY_WHO_SIZE, "anon|%s", addr);
  }
  int total = app.cfg->export_concurrency, per_caller = app.cfg->export_per_caller;
  pthread_mutex_lock(&heavy.lock);
  int mine = 0;
  for (int i = 0; i < heavy.n; i++) mine += strcmp(heavy.who[i], who) == 0;
  bool ok = heavy.n < total && heavy.n < HEAVY_MAX && mine < per_caller;
  if (ok) snprintf(heavy.who[heavy.n++], WHO_MAX, "%s", who);
  pthread_mutex_unlock(&heavy.lock);
  if (!ok) {
    http_set_header(c, "Retry-After", "5");
    if (mine >= per_caller)
      http_problem(
        c, 429, "too_many_exports", NULL,
        "You already run %d exports or imports at once, the most allowed; retry when one has finished.",
        mine);
    else
      http_problem(c, 429, "too_many_exports", NULL,
                   "The server already runs %d exports or imports at once; retry in a few seconds.",
                   total);
  }
  return ok;
}

void http_heavy_release(const char *who) {
  pthread_mutex_lock(&heavy.lock);
  for (int i = 0; i < heavy.n; i++)
    if (strcmp(heavy.who[i], who) == 0) {
      if (i != heavy.n - 1) memcpy(heavy.who[i], heavy.who[heavy.n - 1], WHO_MAX);
      heavy.n--;
      break;
    }
  pthread_mutex_unlock(&heavy.lock);
}
