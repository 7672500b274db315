/* Prometheus metrics: requests by route, method and status; one latency histogram;
   database pool usage; the cache of API keys. A mutex is enough at this request rate. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "db.h"
#include "deliver.h"
#include "http.h"
#include "oidc.h"
#include "keycache.h"
#include "rowcache.h"

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,   0.25,   0.5,   1,    2.5,   5};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

/* Every label value comes from a closed set, so no client can add a series (an 8-character
   method once did, each a new one, until the real series were dropped): routes are the
   route table's patterns (and "unmatched"), compared by address; methods are these, any
   other is "other"; statuses are those the server answers with, any other "other". */
static const char *const methods[] = {"GET",   "HEAD",   "POST",    "PUT",
                                      "PATCH", "DELETE", "OPTIONS", "other"};
#define NMETHODS (sizeof methods / sizeof methods[0])
static const int statuses[] = {200, 201, 204, 206, 304, 400, 401, 403, 404, 405,
                               406, 409, 410, 412, 413, 414, 415, 416, 422, 428,
                               429, 431, 500, 501, 502, 503, 504, 0 /* other */};
#define NSTATUSES (sizeof statuses / sizeof statuses[0])
/* More than the route table holds; past it (never, with patterns from the table) one slot
   counts as route="other". */
#define MAX_ROUTES 64

static struct {
  pthread_mutex_t lock;
  struct {
    const char *route;
    unsigned long count[NMETHODS][NSTATUSES];
  } routes[MAX_ROUTES];
  int nroutes;
  unsigned long bucket_counts[NBUCKETS];
  unsigned long count;
  double sum;
} m = {.lock = PTHREAD_MUTEX_INITIALIZER};

static size_t method_index(const char *method) {
  size_t i;
  for (i = 0; i < NMETHODS - 1; i++)
    if (strcmp(methods[i], method) == 0) break;
  return i;
}

static size_t status_index(int status) {
  size_t i;
  for (i = 0; i < NSTATUSES - 1; i++)
    if (statuses[i] == status) break;
  return i;
}

void http_metrics_record(const char *route, const char *method, int status, double seconds) {
  size_t mi = method_index(method), si = status_index(status);
  pthread_mutex_lock(&m.lock);
  int r;
  for (r = 0; r < m.nroutes; r++)
    if (m.routes[r].route == route) break;
  if (r == MAX_ROUTES) {
    r = MAX_ROUTES - 1; /* full: the last slot is route="other" */
  } else if (r == m.nroutes) {
    m.routes[r].route = r == MAX_ROUTES - 1 ? "other" : route;
    m.nroutes++;
  }
  m.routes[r].count[mi][si]++;
  for (size_t b = 0; b < NBUCKETS; b++)
    if (seconds <= buckets[b]) m.bucket_counts[b]++;
  m.count++;
  m.sum += seconds;
  pthread_mutex_unlock(&m.lock);
}

void http_metrics_render(struct ctx *c) {
  struct buf b;
  buf_init(&b);
  buf_adds(&b, "# HELP grappe_http_requests_total HTTP requests by route, method and status.\n"
               "# TYPE grappe_http_requests_total counter\n");
  pthread_mutex_lock(&m.lock);
  for (int r = 0; r < m.nroutes; r++)
    for (size_t mi = 0; mi < NMETHODS; mi++)
      for (size_t si = 0; si < NSTATUSES; si++) {
        if (!m.routes[r].count[mi][si]) continue;
        char status[8];
        if (statuses[si]) snprintf(status, sizeof status, "%d", statuses[si]);
        else snprintf(status, sizeof status, "other");
        buf_addf(&b, "grappe_http_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"} %lu\n",
                 m.routes[r].route, methods[mi], status, m.routes[r].count[mi][si]);
      }
  buf_adds(&b, "# HELP grappe_http_request_duration_seconds Time spent answering requests.\n"
               "# TYPE grappe_http_request_duration_seconds histogram\n");
  for (size_t i = 0; i < NBUCKETS; i++)
    buf_addf(&b, "grappe_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n", buckets[i],
             m.bucket_counts[i]);
  buf_addf(&b, "grappe_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", m.count);
  buf_addf(&b, "grappe_http_request_duration_seconds_sum %.6f\n", m.sum);
  buf_addf(&b, "grappe_http_request_duration_seconds_count %lu\n", m.count);
  pthread_mutex_unlock(&m.lock);
  int size, in_use;
  long waits, timeouts;
  pool_stats(app.pool, &size, &in_use, &waits, &timeouts);
  buf_addf(
    &b,
    "# HELP grappe_db_pool_size Database connections in the pool.\n# TYPE grappe_db_pool_size gauge\n"
    "grappe_db_pool_size %d\n"
    "# HELP grappe_db_pool_in_use Connections checked out now.\n# TYPE grappe_db_pool_in_use gauge\n"
    "grappe_db_pool_in_use %d\n"
    "# HELP grappe_db_pool_waits_total Checkouts that had to wait.\n# TYPE grappe_db_pool_waits_total counter\n"
    "grappe_db_pool_waits_total %ld\n"
    "# HELP grappe_db_pool_timeouts_total Checkouts that timed out (503).\n"
    "# TYPE grappe_db_pool_timeouts_total counter\ngrappe_db_pool_timeouts_total %ld\n",
    size, in_use, waits, timeouts);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  struct keycache_stats ks;
  keycache_stats(app.keys, (double)now.tv_sec + (double)now.tv_nsec / 1e9, &ks);
  buf_addf(
    &b,
    "# HELP grappe_key_cache_hits_total Keyed requests authenticated from the process's cache.\n"
    "# TYPE grappe_key_cache_hits_total counter\ngrappe_key_cache_hits_total %llu\n"
    "# HELP grappe_key_cache_misses_total Keyed requests whose key was looked up in the database.\n"
    "# TYPE grappe_key_cache_misses_total counter\ngrappe_key_cache_misses_total %llu\n"
    "# HELP grappe_key_cache_entries Keys held in the cache.\n"
    "# TYPE grappe_key_cache_entries gauge\ngrappe_key_cache_entries %zu\n"
    "# HELP grappe_key_listener_healthy 1 while the listener of key changes provably hears them "
    "(keys are then kept up to 60 s); 0: keys are kept 0.5 s.\n"
    "# TYPE grappe_key_listener_healthy gauge\ngrappe_key_listener_healthy %d\n",
    ks.hits, ks.misses, ks.entries, ks.healthy ? 1 : 0);
  buf_addf(&b,
           "# HELP grappe_oidc_key_fetches_total Fetches of an OpenID Connect issuer's keys "
           "(discovery document and JWKS), successful or not.\n"
           "# TYPE grappe_oidc_key_fetches_total counter\ngrappe_oidc_key_fetches_total %llu\n",
           oidc_key_fetches(app.oidc));
  struct rowcache_stats rs;
  rowcache_stats(app.rows, &rs);
  buf_addf(
    &b,
    "# HELP grappe_row_cache_hits_total Rows of lists served from the process's cache of "
    "rendered rows.\n"
    "# TYPE grappe_row_cache_hits_total counter\ngrappe_row_cache_hits_total %llu\n"
    "# HELP grappe_row_cache_misses_total Rows of lists read from the database (their page had "
    "a row not held under its current version).\n"
    "# TYPE grappe_row_cache_misses_total counter\ngrappe_row_cache_misses_total %llu\n"
    "# HELP grappe_row_cache_entries Rendered rows held.\n"
    "# TYPE grappe_row_cache_entries gauge\ngrappe_row_cache_entries %zu\n"
    "# HELP grappe_row_cache_bytes Memory the rendered rows take (GRAPPE_ROW_CACHE_MB at most).\n"
    "# TYPE grappe_row_cache_bytes gauge\ngrappe_row_cache_bytes %zu\n",
    rs.hits, rs.misses, rs.entries, rs.bytes);
  buf_addf(&b,
           "# HELP grappe_changes_waiting Callers waiting on the change feed (wait=), held without "
           "a worker thread.\n"
           "# TYPE grappe_changes_waiting gauge\ngrappe_changes_waiting %zu\n",
           feedwait_count());
  unsigned long long hook_ok, hook_failed;
  int hook_busy;
  deliver_tally(&hook_ok, &hook_failed, &hook_busy);
  buf_addf(&b,
           "# HELP grappe_webhook_attempts_total Webhook delivery attempts of this process (test "
           "pings included), by outcome.\n"
           "# TYPE grappe_webhook_attempts_total counter\n"
           "grappe_webhook_attempts_total{result=\"ok\"} %llu\n"
           "grappe_webhook_attempts_total{result=\"failed\"} %llu\n"
           "# HELP grappe_webhook_workers_busy Webhook workers of this process sending a batch.\n"
           "# TYPE grappe_webhook_workers_busy gauge\ngrappe_webhook_workers_busy %d\n",
           hook_ok, hook_failed, hook_busy);
  http_respond(c, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
  buf_free(&b);
}
