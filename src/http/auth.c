/* Bearer API keys: the caller's role and scope, from the process's cache of keys
   (include/keycache.h: a revoked or expired key leaves it within 1 s), or else read by
   src/db/keys.c and kept there. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "db.h"
#include "http.h"
#include "keycache.h"
#include "oidc.h"
#include "text.h"

bool http_principal_manages(const struct principal *who, const char *cluster_id) {
  if (who->role != ROLE_MANAGER || !cluster_id) return false;
  for (char **p = who->clusters; p && *p; p++)
    if (strcasecmp(*p, cluster_id) == 0) return true;
  return false;
}

/* A key's or a token's role (admin, manager or reader: both were checked before). */
static enum role role_of(const char *role) {
  return strcmp(role, "admin") == 0     ? ROLE_ADMIN
         : strcmp(role, "manager") == 0 ? ROLE_MANAGER
                                        : ROLE_READER;
}

/* A JWT from a configured issuer (include/oidc.h): its person, role and clusters. */
static bool token_auth(struct ctx *c, const char *token) {
  struct oidc_principal p;
  char why[160];
  enum oidc_result rc = oidc_verify(app.oidc, token, &p, why, sizeof why);
  if (rc == OIDC_UNAVAILABLE) {
    http_set_header(c, "Retry-After", "5");
    http_problem(c, 503, "service_unavailable", NULL, "%s", why);
    return false;
  }
  if (rc != OIDC_OK) {
    http_set_header(c, "WWW-Authenticate", "Bearer realm=\"grappe\", error=\"invalid_token\"");
    http_problem(c, 401, "unauthorized", NULL, "%s", why);
    return false;
  }
  snprintf(c->who.key_id, sizeof c->who.key_id, "%s", p.id);
  c->who.role = role_of(p.role);
  c->who.clusters = p.clusters;
  return true;
}

bool ctx_auth(struct ctx *c) {
  if (c->authenticated) return true;
  c->authenticated = true;
  const char *h = ctx_header(c, "Authorization");
  if (!h) return true; /* anonymous */
  if (strncasecmp(h, "Bearer ", 7) != 0) {
    http_problem(c, 401, "unauthorized", NULL,
                 app.oidc ? "Use 'Authorization: Bearer <API key or access token>'."
                          : "Use 'Authorization: Bearer <API key>'.");
    return false;
  }
  const char *key = h + 7;
  while (*key == ' ') key++;
  if (app.oidc && strncmp(key, "grappe_", 7) != 0 && oidc_looks_like_jwt(key))
    return token_auth(c, key);
  if (strncmp(key, "grappe_", 7) != 0 || strlen(key) != 50) {
    http_problem(c, 401, "unauthorized", NULL,
                 app.oidc ? "This is neither a Grappe API key nor a JWT."
                          : "This is not a Grappe API key.");
    return false;
  }
  unsigned char hash[32];
  sha256_raw(key, strlen(key), hash);
  struct timespec mono, wall;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_REALTIME, &wall);
  double now = (double)mono.tv_sec + (double)mono.tv_nsec / 1e9;
  struct keycache_value v;
  if (!keycache_get(app.keys, hash, now, (double)wall.tv_sec + (double)wall.tv_nsec / 1e9, &v)) {
    struct dbconn *db = ctx_db(c);
    if (!db) return false;
    struct keycache_ticket ticket; /* before the question: see keycache_put */
    keycache_ticket(app.keys, now, &ticket);
    struct db_key k;
    int found = db_key_lookup(db, hash, &k);
    if (found < 0) {
      http_problem_db(c);
      return false;
    }
    if (found == 0) {
      http_problem(c, 401, "unauthorized", NULL, "Unknown, revoked or expired API key.");
      return false;
    }
    memcpy(v.id, k.id, sizeof v.id);
    memcpy(v.role, k.role, sizeof v.role);
    v.clusters = k.clusters;
    v.expires_at = k.expires_at;
    keycache_put(app.keys, hash, &v, &ticket);
  }
  keycache_used(app.keys, v.id, now); /* last_used_at, written by the listener */
  snprintf(c->who.key_id, sizeof c->who.key_id, "%s", v.id);
  c->who.role = role_of(v.role);
  c->who.clusters = v.clusters;
  return true;
}

bool ctx_deny(struct ctx *c, int status, const char *detail) {
  if (status == 401 || c->who.role == ROLE_ANONYMOUS)
    http_problem(c, 401, "unauthorized", NULL, "%s Send an API key.", detail);
  else if (status == 404) http_problem(c, 404, "not_found", NULL, "No such resource.");
  else http_problem(c, 403, "forbidden", NULL, "%s", detail);
  return false;
}
