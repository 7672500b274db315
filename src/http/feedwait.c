/* Long polls of the change feed (`GET /v1/changes?wait=N`): the callers waiting for a change,
   held without a worker thread or a database connection.

   A feed request whose page is empty returns without an answer and with c->parked set; the
   intake then suspends its connection (libmicrohttpd stops polling it) and hands it here.
   Its connection is resumed, and the handler runs again from the start (it reads the feed
   again and either answers or parks once more), when:
   - the feed grows: while anyone waits, the thread here numbers the feed (head(), that is
     number_changes() on a connection of the pool) every FEEDWAIT_POLL_MS, and a head past
     the last one resumes every waiter; the handler run again reads up to that head without
     numbering anything itself (feedwait_head);
   - its deadline passes (looked at on the same tick);
   - the server stops (feedwait_release): every waiter is answered at once.
   Writers are not asked to NOTIFY: a transaction that notifies takes, at its commit, a lock
   that every other notifying commit of the PostgreSQL server waits for, which would put
   every write of the API in one line. A change reaches a waiter within FEEDWAIT_POLL_MS.
   A change numbered between a handler's read and its parking is not missed: the handler
   notes the generation (heads seen so far) before it reads, and a waiter parked with an
   older generation is resumed at once. */
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "http.h"
#include "mem.h"

#define FEEDWAIT_POLL_MS 200 /* between two numberings of the feed while anyone waits */

struct waiter {
  struct MHD_Connection *conn;
  double deadline;
};

static struct {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  pthread_t thread;
  bool running, stop;
  long long (*head)(void);
  long long last_head;           /* the feed's head at the last numbering */
  unsigned long long generation; /* heads that moved on, so far */
  struct waiter *w;
  size_t n, cap;
} fw = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

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

long long feedwait_head(void) {
  pthread_mutex_lock(&fw.lock);
  long long h = fw.last_head;
  pthread_mutex_unlock(&fw.lock);
  return h;
}

bool feedwait_running(void) {
  pthread_mutex_lock(&fw.lock);
  bool r = fw.running && !fw.stop;
  pthread_mutex_unlock(&fw.lock);
  return r;
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
    pthread_cond_signal(&fw.cond); /* the thread numbers the feed from now on */
  }
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
    if (!fw.n) { /* nobody waits: nothing to number */
      pthread_cond_wait(&fw.cond, &fw.lock);
      continue;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += FEEDWAIT_POLL_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&fw.cond, &fw.lock, &until);
    if (fw.stop || !fw.n) continue;
    pthread_mutex_unlock(&fw.lock); /* the database is asked without the lock */
    long long head = fw.head();
    pthread_mutex_lock(&fw.lock);
    if (head > fw.last_head) {
      fw.last_head = head;
      fw.generation++;
      resume_all();
      continue;
    }
    double now = clock_mono();
    for (size_t i = fw.n; i-- > 0;)
      if (fw.w[i].deadline <= now) resume_at(i);
  }
  pthread_mutex_unlock(&fw.lock);
  return NULL;
}

bool feedwait_start(long long (*head)(void)) {
  pthread_mutex_lock(&fw.lock);
  fw.stop = false;
  fw.head = head;
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

/* After the listeners have stopped: no connection is left to resume (feedwait_release ran
   before, and no request parks once the server is stopping). */
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
