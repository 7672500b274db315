/* Bearer API keys, looked up by their SHA-256. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "http.h"
#include "mem.h"
#include "text.h"

bool principal_manages(const struct principal *who, const char *cluster_id) {
  if (who->role != ROLE_MANAGER || !cluster_id) return false;
  for (char **p = who->clusters; p && *p; p++)
    if (strcasecmp(*p, cluster_id) == 0) return true;
  return false;
}

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

bool ctx_auth(struct ctx *c) {
  if (c->authenticated) return true;
  c->authenticated = true;
  const char *h = ctx_header(c, "Authorization");
  if (!h) return true; /* anonymous */
  if (strncasecmp(h, "Bearer ", 7) != 0) {
    problem(c, 401, "unauthorized", NULL, "Use 'Authorization: Bearer <API key>'.");
    return false;
  }
  const char *key = h + 7;
  while (*key == ' ') key++;
  if (strncmp(key, "grappe_", 7) != 0 || strlen(key) != 50) {
    problem(c, 401, "unauthorized", NULL, "This is not a Grappe API key.");
    return false;
  }
  struct dbconn *db = ctx_db(c);
  if (!db) return false;
  char hash[67];
  sha256_bytea(key, hash);
  const char *params[] = {hash};
  PGresult *r = db_exec(db, "SELECT id, role, cluster_ids FROM api_keys WHERE key_hash = $1::bytea AND revoked_at IS NULL",
                        1, params);
  if (!r) { problem_db(c); return false; }
  if (PQntuples(r) == 0) {
    PQclear(r);
    problem(c, 401, "unauthorized", NULL, "Unknown or revoked API key.");
    return false;
  }
  snprintf(c->who.key_id, sizeof c->who.key_id, "%s", PQgetvalue(r, 0, 0));
  const char *role = PQgetvalue(r, 0, 1);
  c->who.role = strcmp(role, "admin") == 0 ? ROLE_ADMIN : strcmp(role, "manager") == 0 ? ROLE_MANAGER : ROLE_READER;
  if (c->who.role == ROLE_MANAGER) c->who.clusters = parse_uuid_array(PQgetvalue(r, 0, 2));
  PQclear(r);
  return true;
}

bool ctx_deny(struct ctx *c, int status, const char *detail) {
  if (status == 401 || c->who.role == ROLE_ANONYMOUS) problem(c, 401, "unauthorized", NULL, "%s Send an API key.", detail);
  else if (status == 404) problem(c, 404, "not_found", NULL, "No such resource.");
  else problem(c, 403, "forbidden", NULL, "%s", detail);
  return false;
}
