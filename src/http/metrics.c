/* Prometheus metrics: requests by route, method and status; one latency histogram;
   database pool usage. A mutex is enough at this request rate. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "http.h"

#define MAX_SERIES 256
static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

static struct {
  pthread_mutex_t lock;
  struct { const char *route; char method[8]; int status; unsigned long count; } series[MAX_SERIES];
  int nseries;
  unsigned long bucket_counts[NBUCKETS];
  unsigned long count;
  double sum;
} m = {.lock = PTHREAD_MUTEX_INITIALIZER};

void metrics_record(const char *route, const char *method, int status, double seconds) {
  pthread_mutex_lock(&m.lock);
  int i;
  for (i = 0; i < m.nseries; i++)
    if (m.series[i].route == route && m.series[i].status == status && strcmp(m.series[i].method, method) == 0) break;
  if (i == m.nseries && m.nseries < MAX_SERIES) {
    m.series[i].route = route;
    snprintf(m.series[i].method, sizeof m.series[i].method, "%s", method);
    m.series[i].status = status;
    m.nseries++;
  }
  if (i < MAX_SERIES) m.series[i].count++;
  for (size_t b = 0; b < NBUCKETS; b++)
    if (seconds <= buckets[b]) m.bucket_counts[b]++;
  m.count++;
  m.sum += seconds;
  pthread_mutex_unlock(&m.lock);
}

void metrics_render(struct ctx *c) {
  struct buf b;
  buf_init(&b);
  buf_adds(&b, "# HELP grappe_http_requests_total HTTP requests by route, method and status.\n"
               "# TYPE grappe_http_requests_total counter\n");
  pthread_mutex_lock(&m.lock);
  for (int i = 0; i < m.nseries; i++) {
    /* Methods come from clients: only well-known ones are written as labels. */
    const char *method = m.series[i].method;
    if (strcspn(method, "\"\\\n") != strlen(method)) method = "OTHER";
    buf_addf(&b, "grappe_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %lu\n", m.series[i].route,
             method, m.series[i].status, m.series[i].count);
  }
  buf_adds(&b, "# HELP grappe_http_request_duration_seconds Time spent answering requests.\n"
               "# TYPE grappe_http_request_duration_seconds histogram\n");
  for (size_t i = 0; i < NBUCKETS; i++)
    buf_addf(&b, "grappe_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n", buckets[i], m.bucket_counts[i]);
  buf_addf(&b, "grappe_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", m.count);
  buf_addf(&b, "grappe_http_request_duration_seconds_sum %.6f\n", m.sum);
  buf_addf(&b, "grappe_http_request_duration_seconds_count %lu\n", m.count);
  pthread_mutex_unlock(&m.lock);
  int size, in_use;
  long waits, timeouts;
  pool_stats(app.pool, &size, &in_use, &waits, &timeouts);
  buf_addf(&b,
           "# HELP grappe_db_pool_size Database connections in the pool.\n# TYPE grappe_db_pool_size gauge\n"
           "grappe_db_pool_size %d\n"
           "# HELP grappe_db_pool_in_use Connections checked out now.\n# TYPE grappe_db_pool_in_use gauge\n"
           "grappe_db_pool_in_use %d\n"
           "# HELP grappe_db_pool_waits_total Checkouts that had to wait.\n# TYPE grappe_db_pool_waits_total counter\n"
           "grappe_db_pool_waits_total %ld\n"
           "# HELP grappe_db_pool_timeouts_total Checkouts that timed out (503).\n"
           "# TYPE grappe_db_pool_timeouts_total counter\ngrappe_db_pool_timeouts_total %ld\n",
           size, in_use, waits, timeouts);
  respond(c, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
  buf_free(&b);
}
