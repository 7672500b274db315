/* grappe: the command line. Each subcommand reads GRAPPE_DATABASE_URL. */
#include <libpq-fe.h>
#include <getopt.h>
#include <jansson.h>
#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef GRAPPE_MIMALLOC
#include <mimalloc.h>
#endif

#include "cli.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "mem.h"
#include "validate.h"

static int cmd_serve(int argc, char **argv, struct config *cfg) {
  static const struct option opts[] = {
    {"bind", required_argument, NULL, 'b'},    {"port", required_argument, NULL, 'p'},
    {"threads", required_argument, NULL, 't'}, {"db-pool", required_argument, NULL, 'd'},
    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
  int o;
  long n;
  optind = 1;
  while ((o = getopt_long(argc, argv, "b:p:t:d:h", opts, NULL)) != -1) {
    switch (o) {
    case 'b':
      free(cfg->bind);
      cfg->bind = xstrdup(optarg);
      break;
    case 'p':
      if (!long_valid(optarg, 1, 65535, &n)) {
        fprintf(stderr, "grappe: --port must be 1..65535\n");
        return 2;
      }
      cfg->port = (int)n;
      break;
    case 't':
      if (!long_valid(optarg, 1, 256, &n)) {
        fprintf(stderr, "grappe: --threads must be 1..256\n");
        return 2;
      }
      cfg->threads = (int)n;
      break;
    case 'd':
      if (!long_valid(optarg, 1, 1000, &n)) {
        fprintf(stderr, "grappe: --db-pool must be 1..1000\n");
        return 2;
      }
      cfg->db_pool = (int)n;
      break;
    case 'h':
      fputs(config_help, stdout);
      fputs(config_help_webhooks, stdout);
      return 0;
    default:
      fputs(config_help, stderr);
      fputs(config_help_webhooks, stderr);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "grappe: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  if (!config_check(cfg)) return 2;
  if (cfg->db_pool == 0) cfg->db_pool = cfg->threads;
  return server_run(cfg);
}

static int cmd_migrate(int argc, char **argv, struct config *cfg) {
  if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    puts(
      "usage: grappe migrate\n\nApplies the migrations embedded in this binary, in order, each in a\n"
      "transaction, under an advisory lock. Running it again is a no-op.");
    return 0;
  }
  if (argc > 1) {
    fprintf(stderr, "grappe: unexpected argument '%s'\n", argv[1]);
    return 2;
  }
  if (!config_check(cfg)) return 2;
  PGconn *pg = db_connect_cli(cfg->database_url);
  if (!pg) return 1;
  int rc = migrate_run(pg, true);
  db_close_cli(pg);
  return rc;
}

int main(int argc, char **argv) {
  /* Out of memory, jansson and orcania (Ulfius, yder) abort as our own allocations do
     (include/mem.h), rather than hand back NULL where callers cannot answer anyway. */
  json_set_alloc_funcs(xmalloc, free);
  o_set_alloc_funcs(xmalloc, xrealloc, free);
  struct config cfg;
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    fputs(config_help, argc < 2 ? stderr : stdout);
    fputs(config_help_webhooks, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
    printf("grappe %s\n", GRAPPE_VERSION);
#ifdef GRAPPE_MIMALLOC
    int v = mi_version(); /* also what links mimalloc in under --as-needed */
    printf("allocator: mimalloc %d.%d.%d\n", v / 100, v / 10 % 10, v % 10);
#else
    puts("allocator: system");
#endif
    return 0;
  }
  if (!config_from_env(&cfg)) {
    config_free(&cfg);
    return 2;
  }
  int rc;
  if (strcmp(argv[1], "serve") == 0) rc = cmd_serve(argc - 1, argv + 1, &cfg);
  else if (strcmp(argv[1], "migrate") == 0) rc = cmd_migrate(argc - 1, argv + 1, &cfg);
  else if (strcmp(argv[1], "keys") == 0) rc = cli_keys(argc - 1, argv + 1, cfg.database_url);
  else if (strcmp(argv[1], "seed") == 0) rc = cli_seed(argc - 1, argv + 1, cfg.database_url);
  else {
    fprintf(stderr, "grappe: unknown command '%s'\n\n%s%s", argv[1], config_help,
            config_help_webhooks);
    rc = 2;
  }
  config_free(&cfg);
  return rc;
}
