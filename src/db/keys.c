/* API keys: 256 random bits shown once, stored as SHA-256, revocable at once, expiring when
   made so. The server looks a key up by its hash (db_key_lookup, on a miss of its cache:
   src/http/auth.c); grappe keys (src/cli/keys.c) makes, lists and revokes. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mem.h"
#include "text.h"

/* Splits PostgreSQL's text form of uuid[] ({a,b}) into a NULL-terminated array. */
static char **parse_uuid_array(const char *s) {
  size_t n = 1;
  for (const char *p = s; *p; p++) n += *p == ',';
  char **v = xcalloc(n + 1, sizeof *v);
  size_t i = 0;
  const char *p = s + (*s == '{');
  while (*p && *p != '}') {
    size_t len = strcspn(p, ",}");
    if (len == 36) v[i++] = xstrndup(p, len);
    p += len;
    if (*p == ',') p++;
  }
  return v;
}

int db_key_lookup(struct dbconn *c, const unsigned char hash[32], struct db_key *out) {
  static const char hex[] = "0123456789abcdef";
  char param[67] = "\\x";
  for (size_t i = 0; i < 32; i++) {
    param[2 + 2 * i] = hex[hash[i] >> 4];
    param[3 + 2 * i] = hex[hash[i] & 15];
  }
  param[66] = '\0';
  const char *params[] = {param};
  PGresult *r = db_exec(c,
                        "SELECT id, role, cluster_ids, coalesce(extract(epoch FROM expires_at), 0) "
                        "FROM api_keys WHERE key_hash = $1::bytea AND revoked_at IS NULL "
                        "AND (expires_at IS NULL OR expires_at > now())",
                        1, params);
  if (!r) return -1;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return 0;
  }
  snprintf(out->id, sizeof out->id, "%s", PQgetvalue(r, 0, 0));
  snprintf(out->role, sizeof out->role, "%s", PQgetvalue(r, 0, 1));
  out->clusters = strcmp(out->role, "manager") == 0 ? parse_uuid_array(PQgetvalue(r, 0, 2)) : NULL;
  out->expires_at = strtod(PQgetvalue(r, 0, 3), NULL);
  PQclear(r);
  return 1;
}

int db_key_create(PGconn *pg, const char *key, const char *name, const char *role,
                  const char *cluster_ids, const char *expires_at, char id[37]) {
  char hash[67], prefix[16];
  sha256_bytea(key, hash);
  snprintf(prefix, sizeof prefix, "%.11s", key);
  const char *params[] = {name, role, cluster_ids, hash, prefix, expires_at};
  PGresult *r = PQexecParams(
    pg,
    "INSERT INTO api_keys (name, role, cluster_ids, key_hash, prefix, expires_at) "
    "SELECT $1, $2, $3::uuid[], $4::bytea, $5, $6::timestamptz "
    "WHERE NOT EXISTS (SELECT 1 FROM unnest($3::uuid[]) u WHERE u NOT IN (SELECT id FROM clusters)) "
    "RETURNING id",
    6, NULL, params, NULL, NULL, 0);
  int rc;
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    fprintf(stderr, "grappe: cannot create the key: %s", PQresultErrorMessage(r));
    rc = -1;
  } else if (PQntuples(r) == 0) {
    rc = 0;
  } else {
    snprintf(id, 37, "%s", PQgetvalue(r, 0, 0));
    rc = 1;
  }
  PQclear(r);
  return rc;
}

/* The rows of a PGresult read by db_key_rows_get. */
struct db_key_rows {
  PGresult *r;
};

struct db_key_rows *db_keys_list(PGconn *pg) {
  PGresult *r = PQexec(
    pg, "SELECT id, role, prefix || '…', rfc3339(created_at), coalesce(rfc3339(revoked_at), '-'), "
        "coalesce(rfc3339(expires_at), '-'), coalesce(array_to_string(cluster_ids, ','), ''), "
        "name FROM api_keys ORDER BY created_at");
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    fprintf(stderr, "grappe: %s", PQresultErrorMessage(r));
    PQclear(r);
    return NULL;
  }
  struct db_key_rows *rows = xmalloc(sizeof *rows);
  rows->r = r;
  return rows;
}

size_t db_key_rows_count(const struct db_key_rows *rows) { return (size_t)PQntuples(rows->r); }

void db_key_rows_get(const struct db_key_rows *rows, size_t i, struct db_key_row *out) {
  int n = (int)i;
  out->id = PQgetvalue(rows->r, n, 0);
  out->role = PQgetvalue(rows->r, n, 1);
  out->prefix = PQgetvalue(rows->r, n, 2);
  out->created = PQgetvalue(rows->r, n, 3);
  out->revoked = PQgetvalue(rows->r, n, 4);
  out->expires = PQgetvalue(rows->r, n, 5);
  out->clusters = PQgetvalue(rows->r, n, 6);
  out->name = PQgetvalue(rows->r, n, 7);
}

void db_key_rows_free(struct db_key_rows *rows) {
  if (!rows) return;
  PQclear(rows->r);
  free(rows);
}

int db_key_revoke(PGconn *pg, const char *id) {
  const char *params[] = {id};
  PGresult *r = PQexecParams(
    pg,
    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, clock_timestamp()) WHERE id = $1::uuid RETURNING id",
    1, NULL, params, NULL, NULL, 0);
  int rc;
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    fprintf(stderr, "grappe: %s", PQresultErrorMessage(r));
    rc = -1;
  } else {
    rc = PQntuples(r) > 0;
  }
  PQclear(r);
  return rc;
}
