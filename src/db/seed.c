/* grappe seed: synthetic clusters, companies and memberships at national scale. Its command
 * line is src/cli/seed.c; its statements are the files of sql/seed/, embedded at build time.
 *
 * PostgreSQL makes every row (INSERT ... SELECT over generate_series), so that 3 million
 * companies cost minutes and a few megabytes here: C only sends statements and counts.
 * The word lists, the departments' chefs-lieux and the sectors live in temporary tables of
 * this session; random() drives every choice, and setseed() makes a run reproducible.
 * Randoms are drawn in an OFFSET 0 subquery over generate_series, before any join, and the
 * rows just inserted are read back in a fixed order (SIRET, name) before more are drawn, so
 * that they are consumed in the same order whatever plan PostgreSQL picks.
 *
 * What bounds the speed is the schema, not the generation: per company, a dozen B-tree
 * indexes (two with ICU collation), the full-text GIN and the GiST of locations, the SIREN and
 * SIRET checks and four foreign keys cost about 200 µs of one core. Hence --jobs.
 */
#include <libpq-fe.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "embedded.h"

#define CLUSTER_BATCH 50000L
#define COMPANY_BATCH 100000L

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Checks a result: returns it when the statement succeeded, else prints what failed,
   clears it and returns NULL. */
static PGresult *check(PGresult *r, const char *what) {
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  fprintf(stderr, "grappe: seed: %s failed: %s", what, PQresultErrorMessage(r));
  PQclear(r);
  return NULL;
}

/* Runs sql (several statements when there are no parameters); see check(). */
static PGresult *seed_exec(PGconn *pg, const char *what, const char *sql, int nparams,
                           const char *const *params) {
  return check(
    nparams ? PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0) : PQexec(pg, sql), what);
}

/* Runs a statement and returns the first column of its last row as a number, or -1. */
static long long run_number(PGconn *pg, const char *what, const char *sql, int nparams,
                            const char *const *params) {
  PGresult *r = seed_exec(pg, what, sql, nparams, params);
  if (!r) return -1;
  long long v = -1;
  if (PQntuples(r) > 0 && PQnfields(r) > 0)
    v = strtoll(PQgetvalue(r, PQntuples(r) - 1, 0), NULL, 10);
  else fprintf(stderr, "grappe: seed: %s answered no row\n", what);
  PQclear(r);
  return v;
}

/* Waits for the statement sent on pg; returns its (successful) result or NULL. */
static PGresult *collect(PGconn *pg, const char *what) {
  PGresult *r, *first = NULL;
  while ((r = PQgetResult(pg))) {
    if (!first) first = r;
    else PQclear(r);
  }
  if (!first) {
    fprintf(stderr, "grappe: seed: %s failed: %s", what, PQerrorMessage(pg));
    return NULL;
  }
  return check(first, what);
}

/* Seeds random() of the session: seed is 0..2^31-1. */
static bool set_seed(PGconn *pg, long seed) {
  char s[32];
  snprintf(s, sizeof s, "%ld", seed);
  const char *params[] = {s};
  PGresult *r = seed_exec(pg, "setseed", "SELECT setseed($1::float8 / 2147483648)", 1, params);
  bool ok = r != NULL;
  PQclear(r);
  return ok;
}

/* Prepares a session: helper functions, reference tables, and its random seed. */
static bool seed_session(PGconn *pg, long seed) {
  PGresult *r = seed_exec(pg, "setup", embedded_seed_setup, 0, NULL);
  if (!r) return false;
  PQclear(r);
  return seed < 0 || set_seed(pg, seed);
}

/* Hands the pool of conn[0] to the other connections. */
static bool share_pool(PGconn **conn, int jobs) {
  PGresult *e = seed_exec(conn[0], "reading the pool", embedded_seed_pool_export, 0, NULL);
  if (!e) return false;
  const char *params[] = {PQgetvalue(e, 0, 0), PQgetvalue(e, 0, 1), PQgetvalue(e, 0, 2)};
  bool ok = true;
  for (int j = 1; j < jobs && ok; j++) {
    PGresult *r = seed_exec(conn[j], "sharing the pool", embedded_seed_pool_import, 3, params);
    ok = r != NULL;
    PQclear(r);
  }
  PQclear(e);
  return ok;
}

/* Clusters in batches, numbered after the base ones in their names. */
static bool make_clusters(PGconn *pg, long nclusters, long long base, struct seed_totals *t,
                          double t0) {
  const char *sql = embedded_seed_clusters;
  char a[32], b[32];
  const char *params[] = {a, b};
  bool ok = true;
  for (long done = 0; done < nclusters && ok; done += CLUSTER_BATCH) {
    long n = nclusters - done < CLUSTER_BATCH ? nclusters - done : CLUSTER_BATCH;
    snprintf(a, sizeof a, "%lld", base + done + 1);
    snprintf(b, sizeof b, "%ld", n);
    PGresult *r = seed_exec(pg, "inserting clusters", sql, 2, params);
    if (!r) {
      ok = false;
      break;
    }
    t->clusters += strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    fprintf(stderr, "seed: %lld/%ld clusters (%.1f s)\n", t->clusters, nclusters, now_s() - t0);
  }
  return ok;
}

/* Seeds random() for batch b: a batch makes the same rows whichever connection runs it. */
static bool seed_batch(PGconn *pg, long seed, long long b) {
  return set_seed(pg, (long)((seed * 1000003LL + (b + 1) * 7919LL) % 2147483648LL));
}

/* Waits until one of the busy connections has its answer; returns its index, or -1. */
static int wait_any(PGconn **conn, const bool *busy, int jobs) {
  for (;;) {
    struct pollfd fds[SEED_MAX_JOBS];
    int who[SEED_MAX_JOBS], n = 0;
    for (int j = 0; j < jobs; j++) {
      if (!busy[j]) continue;
      if (!PQconsumeInput(conn[j]) || !PQisBusy(conn[j]))
        return j; /* an error is reported by collect() */
      fds[n].fd = PQsocket(conn[j]);
      fds[n].events = POLLIN;
      fds[n].revents = 0;
      who[n++] = j;
    }
    if (n == 0) return -1;
    if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR) {
      fprintf(stderr, "grappe: seed: poll: %s\n", strerror(errno));
      return who[0]; /* collect() then blocks on it, which is no worse */
    }
  }
}

/* Companies in batches of consecutive positions, handed to whichever connection is free.
   The batch size does not depend on --jobs, and each batch seeds random() from the run's
   seed and its number, so that a seed gives the same rows whatever --jobs. A SIRET that
   exists already is skipped and its company made at a later position; give up if most
   positions are taken (not expected: 70 million SIRENs for at most 10 million a run). */
static bool make_companies(PGconn **conn, int jobs, long ncompanies, long long pos, long seed,
                           struct seed_totals *t, double t0) {
  const char *sql = embedded_seed_companies;
  char a[32], b[32];
  const char *params[] = {a, b}; /* PQsendQueryParams copies them */
  bool busy[SEED_MAX_JOBS] = {false};
  long long size = (ncompanies + 31) / 32, next = pos, batch = 0,
            limit = pos + 2LL * ncompanies + 1000000;
  if (size < 1000) size = 1000;
  if (size > COMPANY_BATCH) size = COMPANY_BATCH;
  double shown = 0;
  bool ok = true;
  while (ok && t->companies < ncompanies && next < limit) {
    /* One pass sends what is missing; a later pass replaces the SIRETs that were skipped. */
    long long want = ncompanies - t->companies, queued = 0;
    int running = 0;
    while (queued < want || running > 0) {
      for (int j = 0; ok && j < jobs && queued < want; j++) {
        if (busy[j]) continue;
        long long n = want - queued < size ? want - queued : size;
        snprintf(a, sizeof a, "%lld", next);
        snprintf(b, sizeof b, "%lld", n);
        if (!seed_batch(conn[j], seed, batch)) {
          ok = false;
          break;
        }
        if (!PQsendQueryParams(conn[j], sql, 2, NULL, params, NULL, NULL, 0)) {
          fprintf(stderr, "grappe: seed: inserting companies failed: %s", PQerrorMessage(conn[j]));
          ok = false;
          break;
        }
        busy[j] = true;
        running++;
        batch++;
        next += n;
        queued += n;
      }
      if (!ok) want = queued; /* send no more; drain what runs */
      if (running == 0) break;
      int j = wait_any(conn, busy, jobs);
      if (j < 0) break;
      busy[j] = false;
      running--;
      PGresult *r = collect(conn[j], "inserting companies");
      if (!r) {
        ok = false;
        want = queued;
        continue;
      }
      t->companies += strtoll(PQgetvalue(r, 0, 0), NULL, 10);
      t->memberships += strtoll(PQgetvalue(r, 0, 1), NULL, 10);
      PQclear(r);
      if (now_s() - shown >= 2 || t->companies == ncompanies) {
        shown = now_s();
        fprintf(stderr, "seed: %lld/%ld companies, %lld memberships (%.1f s)\n", t->companies,
                ncompanies, t->memberships, shown - t0);
      }
    }
  }
  if (ok && next - pos > t->companies)
    fprintf(stderr, "seed: skipped %lld SIRETs that existed already\n", next - pos - t->companies);
  return ok;
}

/* Fresh statistics for the tables this run grew by a tenth or more (autovacuum's own
   threshold), so that the API's first queries get good plans; in parallel when we can. */
static bool analyze(PGconn **conn, const struct seed_totals *before, const struct seed_totals *t) {
  const char *stmts[8];
  int n = 0;
  if (t->indicators > 0) stmts[n++] = "ANALYZE indicators";
  if (t->projects > 0) stmts[n++] = "ANALYZE projects";
  if (t->events > 0) {
    stmts[n++] = "ANALYZE events";
    stmts[n++] = "ANALYZE registrations";
  }
  if (t->companies > 0 && t->companies * 10 >= before->companies + t->companies) {
    stmts[n++] = "ANALYZE companies";
    stmts[n++] = "ANALYZE memberships";
  }
  if (t->clusters > 0 && t->clusters * 10 >= before->clusters + t->clusters)
    stmts[n++] = "ANALYZE clusters";
  int open = 0;
  while (open < SEED_MAX_JOBS && conn[open]) open++;
  bool ok = true;
  for (int i = 0; i < n && ok; i += open) {
    int sent = 0;
    for (; sent < open && i + sent < n; sent++)
      if (!PQsendQuery(conn[sent], stmts[i + sent])) {
        fprintf(stderr, "grappe: seed: analyze failed: %s", PQerrorMessage(conn[sent]));
        ok = false;
        break;
      }
    for (int j = 0; j < sent; j++) {
      PGresult *r = collect(conn[j], "analyze");
      ok = ok && r;
      PQclear(r);
    }
  }
  return ok;
}

/* Runs sql with one number parameter, or none; adds the rows it made to *count. */
static bool run_count(PGconn *pg, const char *what, const char *sql, const char *param,
                      long long *count) {
  const char *params[] = {param};
  PGresult *r = seed_exec(pg, what, sql, param ? 1 : 0, params);
  if (!r) return false;
  *count += strtoll(PQcmdTuples(r), NULL, 10);
  PQclear(r);
  return true;
}

/* Indicators of the new clusters, then projects, events and their registrations. */
static bool make_activities(PGconn *pg, long nclusters, long nprojects, long nevents,
                            struct seed_totals *t, double t0) {
  char n[32];
  bool ok = true;
  if (nclusters > 0) {
    ok = run_count(pg, "inserting indicators", embedded_seed_indicators, NULL, &t->indicators);
    if (ok) fprintf(stderr, "seed: %lld indicators (%.1f s)\n", t->indicators, now_s() - t0);
  }
  if (ok && nprojects > 0) {
    snprintf(n, sizeof n, "%ld", nprojects);
    ok = run_count(pg, "inserting projects", embedded_seed_projects, n, &t->projects);
    if (ok) fprintf(stderr, "seed: %lld projects (%.1f s)\n", t->projects, now_s() - t0);
  }
  if (ok && nevents > 0) {
    snprintf(n, sizeof n, "%ld", nevents);
    PGresult *r = seed_exec(pg, "preparing events", embedded_seed_events_table, 0, NULL);
    ok = r != NULL;
    PQclear(r);
    ok = ok && run_count(pg, "inserting events", embedded_seed_events, n, &t->events) &&
         run_count(pg, "inserting registrations", embedded_seed_registrations, NULL,
                   &t->registrations);
    if (ok)
      fprintf(stderr, "seed: %lld events, %lld registrations (%.1f s)\n", t->events,
              t->registrations, now_s() - t0);
  }
  return ok;
}

/* Makes what r asks on conn[0], and on conn[1..] (opened here) for the companies. */
static bool seed_run(PGconn **conn, const char *url, const struct seed_request *req,
                     struct seed_totals *t, double t0) {
  struct seed_totals before = {0};
  long seed = req->seed;
  int jobs = req->jobs;
  long long schema =
    run_number(conn[0], "reading the schema",
               "SELECT (to_regclass('public.memberships') IS NOT NULL"
               " AND to_regprocedure('public.grappe_unaccent(text)') IS NOT NULL)::int",
               0, NULL);
  if (schema == 0)
    fprintf(stderr,
            "grappe: seed: the database has no Grappe schema yet: run grappe migrate first\n");
  bool ok = schema > 0 && seed_session(conn[0], -1);
  if (ok && !req->seeded) {
    seed = (long)run_number(conn[0], "drawing a seed",
                            "SELECT floor(random() * 2147483648)::bigint", 0, NULL);
    ok = seed >= 0;
    if (ok) fprintf(stderr, "seed: random seed %ld\n", seed);
  }
  ok = ok && set_seed(conn[0], seed);
  if (ok) {
    PGresult *r = seed_exec(
      conn[0], "counting",
      "SELECT (SELECT count(*) FROM clusters), (SELECT count(*) FROM companies)", 0, NULL);
    ok = r != NULL;
    if (ok) {
      before.clusters = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
      before.companies = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
  }

  if (ok && req->clusters > 0) ok = make_clusters(conn[0], req->clusters, before.clusters, t, t0);
  if (ok && req->companies > 0) {
    if (req->clusters == 0) {
      PGresult *r =
        seed_exec(conn[0], "reading the clusters", embedded_seed_pool_existing, 0, NULL);
      ok = r != NULL;
      PQclear(r);
    }
    /* Positions start after the companies already there, from a random origin: a second run
       with the same seed continues where the first one stopped instead of repeating it. */
    long long pos = -1;
    if (ok) {
      pos = run_number(conn[0], "choosing SIRENs", "SELECT floor(random() * 70000000)::bigint", 0,
                       NULL);
      ok = pos >= 0;
      pos += before.companies;
    }
    if (ok && jobs > 1) {
      for (int j = 1; j < jobs && ok; j++) {
        ok = (conn[j] = db_connect_cli(url)) != NULL &&
             seed_session(conn[j], (long)((seed + 1000003LL * j) % 2147483648LL));
      }
      ok = ok && share_pool(conn, jobs);
    }
    for (int j = 0; j < jobs && ok; j++) {
      long long slots =
        run_number(conn[j], "preparing memberships", embedded_seed_pool_finish, 0, NULL);
      if (slots == 0)
        fprintf(stderr,
                "grappe: seed: no cluster for the companies to join: add some with --clusters\n");
      ok = slots > 0;
    }
    ok = ok && make_companies(conn, jobs, req->companies, pos, seed, t, t0);
  }
  ok = ok && make_activities(conn[0], req->clusters, req->projects, req->events, t, t0);
  return ok && analyze(conn, &before, t);
}

int db_seed(const char *url, const struct seed_request *req, struct seed_totals *t) {
  double t0 = now_s();
  memset(t, 0, sizeof *t);
  PGconn *conn[SEED_MAX_JOBS] = {NULL};
  if (!(conn[0] = db_connect_cli(url))) return -1;
  bool ok = seed_run(conn, url, req, t, t0);
  t->seconds = now_s() - t0;
  for (int j = 0; j < SEED_MAX_JOBS; j++) PQfinish(conn[j]);
  return ok;
}
