/* Bearer API keys: the caller's role and scope, looked up by src/db/keys.c. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "http.h"

bool http_principal_manages(const struct principal *who, const char *cluster_id) {
  if (who->role != ROLE_MANAGER || !cluster_id) return false;
  for (char **p = who->clusters; p && *p; p++)
    if (strcasecmp(*p, cluster_id) == 0) return true;
  return false;
}

bool ctx_auth(struct ctx *c) {
  if (c->authenticated) return true;
  c->authenticated = true;
  const char *h = ctx_header(c, "Authorization");
  if (!h) return true; /* anonymous */
  if (strncasecmp(h, "Bearer ", 7) != 0) {
    http_problem(c, 401, "unauthorized", NULL, "Use 'Authorization: Bearer <API key>'.");
    return false;
  }
  const char *key = h + 7;
  while (*key == ' ') key++;
  if (strncmp(key, "grappe_", 7) != 0 || strlen(key) != 50) {
    http_problem(c, 401, "unauthorized", NULL, "This is not a Grappe API key.");
    return false;
  }
  struct dbconn *db = ctx_db(c);
  if (!db) return false;
  struct db_key k;
  int found = db_key_lookup(db, key, &k);
  if (found < 0) {
    http_problem_db(c);
    return false;
  }
  if (found == 0) {
    http_problem(c, 401, "unauthorized", NULL, "Unknown or revoked API key.");
    return false;
  }
  snprintf(c->who.key_id, sizeof c->who.key_id, "%s", k.id);
  c->who.role = strcmp(k.role, "admin") == 0     ? ROLE_ADMIN
                : strcmp(k.role, "manager") == 0 ? ROLE_MANAGER
                                                 : ROLE_READER;
  c->who.clusters = k.clusters;
  return true;
}

bool ctx_deny(struct ctx *c, int status, const char *detail) {
  if (status == 401 || c->who.role == ROLE_ANONYMOUS)
    http_problem(c, 401, "unauthorized", NULL, "%s Send an API key.", detail);
  else if (status == 404) http_problem(c, 404, "not_found", NULL, "No such resource.");
  else http_problem(c, 403, "forbidden", NULL, "%s", detail);
  return false;
}
