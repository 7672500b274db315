/* A fixed-window rate limit per client address, in this process's memory. Several
   processes behind a load balancer each count their own share (documented). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http.h"

#define SLOTS 4096

static struct {
  pthread_mutex_t lock;
  struct { char who[64]; long window; int count; } slots[SLOTS];
} rl = {.lock = PTHREAD_MUTEX_INITIALIZER};

void ctx_client_address(const struct ctx *c, char *out, size_t n) {
  const struct sockaddr *sa = c->req->client_address;
  out[0] = '\0';
  if (sa && sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)n);
  else if (sa && sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)n);
}

bool ctx_rate_limit(struct ctx *c, const char *bucket, int per_minute) {
  char who[64];
  ctx_client_address(c, who, sizeof who);
  char key[64];
  snprintf(key, sizeof key, "%.20s|%.40s", bucket, who);
  unsigned h = 2166136261u;
  for (const char *p = key; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  long now = (long)time(NULL), window = now / 60;
  pthread_mutex_lock(&rl.lock);
  /* One slot per hash: a collision shares a budget, which errs on the strict side. */
  unsigned i = h % SLOTS;
  if (strcmp(rl.slots[i].who, key) != 0 || rl.slots[i].window != window) {
    snprintf(rl.slots[i].who, sizeof rl.slots[i].who, "%s", key);
    rl.slots[i].window = window;
    rl.slots[i].count = 0;
  }
  int used = ++rl.slots[i].count;
  pthread_mutex_unlock(&rl.lock);
  int remaining = per_minute - used;
  long reset = (window + 1) * 60 - now;
  char v[32];
  snprintf(v, sizeof v, "%d", per_minute);
  set_header(c, "RateLimit-Limit", v);
  snprintf(v, sizeof v, "%d", remaining > 0 ? remaining : 0);
  set_header(c, "RateLimit-Remaining", v);
  snprintf(v, sizeof v, "%ld", reset);
  set_header(c, "RateLimit-Reset", v);
  if (remaining >= 0) return true;
  set_header(c, "Retry-After", v);
  problem(c, 429, "too_many_requests", NULL, "Too many requests from your address; retry in %ld s.", reset);
  return false;
}
