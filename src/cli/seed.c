/* grappe seed: its command line. The run itself is src/db/seed.c, its statements sql/seed/. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "db.h"
#include "validate.h"

#define MAX_CLUSTERS 400000L
#define MAX_COMPANIES 10000000L
#define MAX_ACTIVITIES 1000000L
#define DEFAULT_JOBS 2

static const char seed_help[] =
  "usage: grappe seed [--clusters N] [--companies M] [--projects P] [--events E] [--random-seed S] [--jobs J]\n"
  "\n"
  "Adds N synthetic clusters (with indicators for the three last years) and M synthetic\n"
  "companies, each a current member of one cluster (some of two), for benchmarks and for\n"
  "trying the API at national scale (about 400 clusters and 80,000 companies; 3,000,000\n"
  "companies work too).\n"
  "Every row passes the API's checks: SIREN and SIRET with their Luhn key, NAF codes,\n"
  "departments with their region, addresses and locations in the department.\n"
  "\n"
  "  --clusters N       clusters to add, 0..400000 (default 0). Companies join the\n"
  "                     clusters of this run, or with 0 the clusters already there.\n"
  "  --companies M      companies to add, 0..10000000 (default 0)\n"
  "  --projects P       cooperation projects to add, 0..1000000, led by clusters already\n"
  "                     there, with members of the lead cluster as participants\n"
  "  --events E         events to add, 0..1000000, from two years ago to one year ahead,\n"
  "                     with confirmed registrations within their capacity\n"
  "  --random-seed S    0..2147483647: the same seed on the same database makes the same\n"
  "                     values (ids and timestamps aside); without it one is drawn and\n"
  "                     printed on standard error\n"
  "  --jobs J           connections inserting companies in parallel, 1..16 (default 2)\n"
  "  --help             this text\n"
  "\n"
  "PostgreSQL generates the rows, up to 100,000 companies per transaction (an interrupted run\n"
  "keeps the batches it finished); progress goes to standard error and the last line of\n"
  "standard output reads \"seeded N clusters, M companies, K memberships in T s\".\n"
  "Running it again adds more: new SIRETs never collide with existing ones.\n"
  "It needs a session of its own (temporary tables): not through pgbouncer in transaction mode.\n";

int cli_seed(int argc, char **argv, const char *database_url) {
  static const struct option opts[] = {{"clusters", required_argument, NULL, 'c'},
                                       {"companies", required_argument, NULL, 'm'},
                                       {"random-seed", required_argument, NULL, 's'},
                                       {"jobs", required_argument, NULL, 'j'},
                                       {"projects", required_argument, NULL, 'p'},
                                       {"events", required_argument, NULL, 'e'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  long nclusters = 0, ncompanies = 0, nprojects = 0, nevents = 0, seed = 0, jobs = DEFAULT_JOBS;
  bool given = false, seeded = false;
  int o;
  optind = 1;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'c':
      if (!long_valid(optarg, 0, MAX_CLUSTERS, &nclusters)) {
        fprintf(stderr, "grappe: --clusters must be an integer from 0 to %ld\n", MAX_CLUSTERS);
        return 2;
      }
      given = true;
      break;
    case 'm':
      if (!long_valid(optarg, 0, MAX_COMPANIES, &ncompanies)) {
        fprintf(stderr, "grappe: --companies must be an integer from 0 to %ld\n", MAX_COMPANIES);
        return 2;
      }
      given = true;
      break;
    case 'p':
      if (!long_valid(optarg, 0, MAX_ACTIVITIES, &nprojects)) {
        fprintf(stderr, "grappe: --projects must be an integer from 0 to %ld\n", MAX_ACTIVITIES);
        return 2;
      }
      given = true;
      break;
    case 'e':
      if (!long_valid(optarg, 0, MAX_ACTIVITIES, &nevents)) {
        fprintf(stderr, "grappe: --events must be an integer from 0 to %ld\n", MAX_ACTIVITIES);
        return 2;
      }
      given = true;
      break;
    case 's':
      if (!long_valid(optarg, 0, 2147483647L, &seed)) {
        fprintf(stderr, "grappe: --random-seed must be an integer from 0 to 2147483647\n");
        return 2;
      }
      seeded = true;
      break;
    case 'j':
      if (!long_valid(optarg, 1, SEED_MAX_JOBS, &jobs)) {
        fprintf(stderr, "grappe: --jobs must be an integer from 1 to %d\n", SEED_MAX_JOBS);
        return 2;
      }
      break;
    case 'h': fputs(seed_help, stdout); return 0;
    default: fputs(seed_help, stderr); return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "grappe: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  if (!given) {
    fprintf(stderr, "grappe: seed needs --clusters, --companies, --projects or --events\n%s",
            seed_help);
    return 2;
  }
  if (!database_url) {
    fprintf(stderr, "grappe: GRAPPE_DATABASE_URL is not set\n");
    return 2;
  }
  struct seed_request req = {nclusters, ncompanies, nprojects, nevents, seed, seeded, (int)jobs};
  struct seed_totals t;
  int done = db_seed(database_url, &req, &t);
  if (done < 0) return 1;
  if (!done) {
    fprintf(
      stderr,
      "grappe: seed: stopped; made until then: %lld clusters, %lld companies, %lld memberships\n",
      t.clusters, t.companies, t.memberships);
    return 1;
  }
  printf(
    "seeded %lld clusters, %lld companies, %lld memberships, %lld indicators, %lld projects, %lld events, "
    "%lld registrations in %.1f s\n",
    t.clusters, t.companies, t.memberships, t.indicators, t.projects, t.events, t.registrations,
    t.seconds);
  if (t.companies < ncompanies) {
    fprintf(stderr, "grappe: seed: made %lld companies of %ld\n", t.companies, ncompanies);
    return 1;
  }
  return 0;
}
