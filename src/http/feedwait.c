/* Long polls of the change feed (`GET /v1/changes?wait=N`): the callers waiting for a change,
   held without a worker thread or a database connection.

   A feed request whose page is empty returns without an answer and with c->parked set; the
   intake then suspends its connection (libmicrohttpd stops polling it) and hands it here.
   Its connection is resumed, and the handler runs again from the start (it reads the feed
   again and either answers or parks once more), when:
   - a change commits: the listener's session (src/db/keylisten.c) hears PostgreSQL's NOTIFY
     on grappe_changes (migration 0022) and calls feedwait_changed;
   - its deadline passes (the thread here looks every FEEDWAIT_TICK);
   - the listener is not heard (lost session, a pooler in transaction mode, where LISTEN
     cannot work): every waiter reads again each FEEDWAIT_POLL instead;
   - the server stops: every waiter is answered at once.
   A change committed between a handler's read and its parking is not missed: the handler
   notes the generation (changes heard so far) before it reads, and a waiter parked with an
   older generation is resumed at once. */
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "http.h"
#include "keycache.h"
#include "mem.h"

#define FEEDWAIT_TICK_MS 100 /* deadlines are kept this closely */
#define FEEDWAIT_POLL 1.0    /* seconds between two readings while the listener is not heard */

struct waiter {
  struct MHD_Connection *conn;
  double deadline;
};

static struct {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  pthread_t thread;
  bool running, stop;
  unsigned long long generation;
  struct waiter *w;
  size_t n, cap;
  double polled; /* when every waiter last read again for want of notifications */
} fw = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static double mono(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Resumes waiter i (the last one takes its place). Under the lock. */
static void resume_at(size_t i) {
  MHD_resume_connection(fw.w[i].conn);
  fw.w[i] = fw.w[--fw.n];
}

static void resume_all(void) {
  while (fw.n) resume_at(fw.n - 1);
}

unsigned long long feedwait_generation(void) {
  pthread_mutex_lock(&fw.lock);
  unsigned long long g = fw.generation;
  pthread_mutex_unlock(&fw.lock);
  return g;
}

void feedwait_park(struct MHD_Connection *conn, double deadline, unsigned long long seen) {
  pthread_mutex_lock(&fw.lock);
  if (!fw.running || fw.stop || app.stopping || fw.generation != seen) {
    MHD_resume_connection(conn); /* something happened meanwhile: read again at once */
  } else {
    if (fw.n == fw.cap) {
      fw.cap = fw.cap ? 2 * fw.cap : 64;
      fw.w = xrealloc(fw.w, fw.cap * sizeof *fw.w);
    }
    fw.w[fw.n++] = (struct waiter){conn, deadline};
  }
  pthread_mutex_unlock(&fw.lock);
}

void feedwait_changed(void) {
  pthread_mutex_lock(&fw.lock);
  fw.generation++;
  resume_all();
  pthread_mutex_unlock(&fw.lock);
}

size_t feedwait_count(void) {
  pthread_mutex_lock(&fw.lock);
  size_t n = fw.n;
  pthread_mutex_unlock(&fw.lock);
  return n;
}

static void *tick(void *arg) {
  (void)arg;
  pthread_mutex_lock(&fw.lock);
  while (!fw.stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += FEEDWAIT_TICK_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&fw.cond, &fw.lock, &until);
    double now = mono();
    struct keycache_stats ks;
    keycache_stats(app.keys, now, &ks); /* healthy: the listener provably hears */
    if (!ks.healthy && now - fw.polled >= FEEDWAIT_POLL) {
      fw.polled = now;
      fw.generation++;
      resume_all();
      continue;
    }
    for (size_t i = fw.n; i-- > 0;)
      if (fw.w[i].deadline <= now) resume_at(i);
  }
  resume_all();
  pthread_mutex_unlock(&fw.lock);
  return NULL;
}

bool feedwait_start(void) {
  pthread_mutex_lock(&fw.lock);
  fw.stop = false;
  fw.polled = mono();
  fw.running = pthread_create(&fw.thread, NULL, tick, NULL) == 0;
  bool ok = fw.running;
  pthread_mutex_unlock(&fw.lock);
  return ok;
}

void feedwait_release(void) {
  pthread_mutex_lock(&fw.lock);
  resume_all();
  pthread_mutex_unlock(&fw.lock);
}

void feedwait_stop(void) {
  pthread_mutex_lock(&fw.lock);
  bool running = fw.running;
  fw.stop = true;
  pthread_cond_signal(&fw.cond);
  pthread_mutex_unlock(&fw.lock);
  if (running) pthread_join(fw.thread, NULL);
  pthread_mutex_lock(&fw.lock);
  fw.running = false;
  free(fw.w);
  fw.w = NULL;
  fw.n = fw.cap = 0;
  pthread_mutex_unlock(&fw.lock);
}
