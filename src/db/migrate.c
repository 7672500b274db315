/* Migrations are embedded in the binary and applied in order, each in its own transaction,
   under an advisory lock so that two processes starting at once do not race. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "embedded.h"
#include "text.h"

#define MIGRATION_LOCK "7405143256312" /* arbitrary, constant: pg_advisory_lock key */

static bool exec_ok(PGconn *pg, const char *sql) {
  PGresult *r = PQexec(pg, sql);
  ExecStatusType st = PQresultStatus(r);
  bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok) fprintf(stderr, "grappe: migrate: %s", PQresultErrorMessage(r));
  PQclear(r);
  return ok;
}

int migrate_latest(void) {
  int v = 0;
  for (const struct embedded_migration *m = embedded_migrations; m->name; m++)
    if (m->version > v) v = m->version;
  return v;
}

int migrate_run(PGconn *pg, bool verbose) {
  if (!exec_ok(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")")) return 1;
  int rc = 1;
  if (!exec_ok(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                   " version integer PRIMARY KEY, name text NOT NULL,"
                   " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())") ||
      !exec_ok(pg, "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text"))
    goto unlock;
  int applied = 0;
  for (const struct embedded_migration *m = embedded_migrations; m->name; m++) {
    char version[16], checksum[65];
    snprintf(version, sizeof version, "%d", m->version);
    sha256_hex(m->sql, strlen(m->sql), checksum);
    const char *params[] = {version, m->name, checksum};
    /* An applied migration must be the one this binary carries: editing one after it ran
       would leave databases that differ silently. (Rows from before checksums get theirs.) */
    PGresult *r = PQexecParams(
      pg,
      "UPDATE schema_migrations SET checksum = coalesce(checksum, $2) WHERE version = $1::int "
      "RETURNING checksum = $2",
      2, NULL, (const char *const[]){version, checksum}, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      fprintf(stderr, "grappe: migrate: %s", PQresultErrorMessage(r));
      PQclear(r);
      goto unlock;
    }
    bool done = PQntuples(r) > 0, same = done && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (done && !same) {
      fprintf(stderr,
              "grappe: migrate: %s differs from the version applied to this database; "
              "migrations are never edited once applied: add a new one\n",
              m->name);
      goto unlock;
    }
    if (done) continue;
    if (!exec_ok(pg, "BEGIN")) goto unlock;
    if (!exec_ok(pg, m->sql)) {
      fprintf(stderr, "grappe: migrate: %s failed; nothing of it was applied\n", m->name);
      exec_ok(pg, "ROLLBACK");
      goto unlock;
    }
    r = PQexecParams(
      pg, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1::int, $2, $3)", 3,
      NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) fprintf(stderr, "grappe: migrate: %s", PQresultErrorMessage(r));
    PQclear(r);
    if (!ok || !exec_ok(pg, "COMMIT")) {
      exec_ok(pg, "ROLLBACK");
      goto unlock;
    }
    if (verbose) printf("applied %s\n", m->name);
    applied++;
  }
  if (verbose)
    printf("schema at version %d (%d migration%s applied now)\n", migrate_latest(), applied,
           applied == 1 ? "" : "s");
  rc = 0;
unlock:
  exec_ok(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")");
  return rc;
}

int migrate_current(struct dbconn *c) {
  PGresult *r = db_exec(c, "SELECT coalesce(max(version), -1) FROM schema_migrations", 0, NULL);
  if (!r) return -1;
  int v = atoi(PQgetvalue(r, 0, 0));
  PQclear(r);
  return v;
}
