/* grappe keys: makes, lists and revokes API keys (their SQL: src/db/keys.c). */
#include <libpq-fe.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "db.h"
#include "keycache.h"
#include "text.h"
#include "validate.h"

static const char keys_help[] =
  "usage: grappe keys create --role admin|reader|manager [--cluster ID]... --name NAME\n"
  "                          [--expires-at RFC3339]\n"
  "       grappe keys list\n"
  "       grappe keys revoke ID\n"
  "\n"
  "create prints the new key alone on its last line; it is shown only then.\n"
  "A manager key is scoped to the clusters given with --cluster (at least one).\n"
  "--expires-at: the key stops working at that instant, e.g. 2027-01-31T23:59:59Z\n"
  "(default: never). A revoked or expired key is refused by every server within 1 s:\n"
  "revoke returns once it is.\n";

static int keys_create(int argc, char **argv, PGconn *pg) {
  static const struct option opts[] = {
    {"role", required_argument, NULL, 'r'}, {"cluster", required_argument, NULL, 'c'},
    {"name", required_argument, NULL, 'n'}, {"expires-at", required_argument, NULL, 'e'},
    {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
  const char *role = NULL, *name = NULL, *expires_at = NULL;
  struct buf clusters;
  buf_init(&clusters);
  buf_addc(&clusters, '{');
  int nclusters = 0, o, rc = 2;
  optind = 1;
  while ((o = getopt_long(argc, argv, "r:c:n:e:h", opts, NULL)) != -1) {
    switch (o) {
    case 'r': role = optarg; break;
    case 'n': name = optarg; break;
    case 'e':
      if (!datetime_valid(optarg)) {
        fprintf(stderr, "grappe: --expires-at must be an RFC 3339 date-time such as "
                        "2027-01-31T23:59:59Z\n");
        goto done;
      }
      if (datetime_usec(optarg) <= (long long)time(NULL) * 1000000LL) {
        fprintf(stderr, "grappe: --expires-at must be in the future\n");
        goto done;
      }
      expires_at = optarg;
      break;
    case 'c':
      if (!uuid_valid(optarg)) {
        fprintf(stderr, "grappe: --cluster must be a cluster id (UUID)\n");
        goto done;
      }
      if (nclusters++) buf_addc(&clusters, ',');
      buf_adds(&clusters, optarg);
      break;
    case 'h':
      fputs(keys_help, stdout);
      rc = 0;
      goto done;
    default: fputs(keys_help, stderr); goto done;
    }
  }
  buf_addc(&clusters, '}');
  if (!role ||
      (strcmp(role, "admin") != 0 && strcmp(role, "reader") != 0 && strcmp(role, "manager") != 0)) {
    fprintf(stderr, "grappe: --role must be admin, reader or manager\n");
    goto done;
  }
  if (!name || !*name || strlen(name) > 200) {
    fprintf(stderr, "grappe: --name is required (1 to 200 characters)\n");
    goto done;
  }
  if (strcmp(role, "manager") == 0 && nclusters == 0) {
    fprintf(stderr, "grappe: a manager key needs at least one --cluster\n");
    goto done;
  }
  if (strcmp(role, "manager") != 0 && nclusters > 0) {
    fprintf(stderr, "grappe: --cluster is only for manager keys\n");
    goto done;
  }

  unsigned char raw[32];
  if (!random_bytes(raw, sizeof raw)) {
    fprintf(stderr, "grappe: no randomness available\n");
    rc = 1;
    goto done;
  }
  char *secret = b64url_encode(raw, sizeof raw);
  char key[64];
  snprintf(key, sizeof key, "grappe_%s", secret);
  free(secret);
  char id[37];
  int made = db_key_create(pg, key, name, role, clusters.data, expires_at, id);
  if (made < 0) {
    rc = 1;
  } else if (made == 0) {
    fprintf(stderr, "grappe: a --cluster id names no cluster\n");
    rc = 1;
  } else {
    printf("id: %s\nrole: %s\nname: %s\n", id, role, name);
    if (expires_at) printf("expires at: %s\n", expires_at);
    printf("%s\n", key);
    rc = 0;
  }
done:
  buf_free(&clusters);
  return rc;
}

static int keys_list(PGconn *pg) {
  struct db_key_rows *rows = db_keys_list(pg);
  if (!rows) return 1;
  printf("%-36s  %-7s  %-14s  %-27s  %-27s  %-27s  %s\n", "id", "role", "prefix", "created",
         "revoked", "expires", "name [clusters]");
  struct db_key_row k;
  for (size_t i = 0; i < db_key_rows_count(rows); i++) {
    db_key_rows_get(rows, i, &k);
    printf("%-36s  %-7s  %-14s  %-27s  %-27s  %-27s  %s%s%s%s\n", k.id, k.role, k.prefix, k.created,
           k.revoked, k.expires, k.name, *k.clusters ? " [" : "", k.clusters,
           *k.clusters ? "]" : "");
  }
  db_key_rows_free(rows);
  return 0;
}

static int keys_revoke(const char *id, PGconn *pg) {
  if (!uuid_valid(id)) {
    fprintf(stderr, "grappe: keys revoke takes a key id (UUID; see keys list)\n");
    return 2;
  }
  int done = db_key_revoke(pg, id);
  if (done < 0) return 1;
  if (done == 0) {
    fprintf(stderr, "grappe: no key with id %s\n", id);
    return 1;
  }
  /* Servers keep the keys they have seen (include/keycache.h): once this returns, every
     one of them refuses the key, as the revocation of an uncached key always was. */
  struct timespec reach = {(time_t)KEYCACHE_REACH,
                           (long)((KEYCACHE_REACH - (double)(time_t)KEYCACHE_REACH) * 1e9)};
  while (nanosleep(&reach, &reach) != 0 && errno == EINTR) continue;
  printf("revoked %s\n", id);
  return 0;
}

int cli_keys(int argc, char **argv, const char *database_url) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(keys_help, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *sub = argv[1];
  if (strcmp(sub, "create") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "revoke") != 0) {
    fprintf(stderr, "grappe: unknown keys command '%s'\n%s", sub, keys_help);
    return 2;
  }
  if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
    fputs(keys_help, stdout);
    return 0;
  }
  if (strcmp(sub, "revoke") == 0 && argc != 3) {
    fputs(keys_help, stderr);
    return 2;
  }
  if (strcmp(sub, "list") == 0 && argc != 2) {
    fputs(keys_help, stderr);
    return 2;
  }
  if (!database_url) {
    fprintf(stderr, "grappe: GRAPPE_DATABASE_URL is not set\n");
    return 2;
  }
  PGconn *pg = db_connect_cli(database_url);
  if (!pg) return 1;
  int rc;
  if (strcmp(sub, "create") == 0) rc = keys_create(argc - 1, argv + 1, pg);
  else if (strcmp(sub, "list") == 0) rc = keys_list(pg);
  else rc = keys_revoke(argv[2], pg);
  db_close_cli(pg);
  return rc;
}
