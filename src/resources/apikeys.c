/* /v1/keys: API keys managed over HTTP by admin keys (issue 20), beside `grappe keys`.

   A key is 256 random bits shown once, in the answer that makes it (creation, rotation),
   and stored as its SHA-256 (src/db/keys.c). Revoking (DELETE) keeps the row, listed with
   its revoked_at; a rotation makes a new key with the same name, role, clusters and expiry,
   and brings the old one's expiry forward to the end of a grace period (24 h by default).
   Every change to a key is announced to every serving process (migration 0019), so a
   revoked or expired key stops working everywhere within a second.

   These routes do not take Idempotency-Key (server.c): replaying a creation would mean
   keeping the key itself, in clear, with the answer. A retried creation makes a second key;
   GET /v1/keys lists both, and the unused one can be revoked. Every answer on these paths
   carries Cache-Control: no-store (server.c, router_begin). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "codelists.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "mem.h"
#include "negotiate.h"
#include "query.h"
#include "resource.h"
#include "sqlb.h"
#include "text.h"
#include "validate.h"

#define LIST_LIMIT_MAX 500
#define GRACE_DEFAULT_HOURS 24
#define GRACE_MAX_DAYS 30

static const struct field key_fields[] = {
  {"id", F_UUID, .readonly = true},
  {"name", F_TEXT, .required = true, .max = 200},
  {"role", F_ENUM, .required = true, .values = codelist_key_role},
  {"cluster_ids", F_CODE_ARRAY, .check = C_UUID, .max = 100},
  {"expires_at", F_TIMESTAMP, .nullable = true},
  {"prefix", F_TEXT, .readonly = true},
  {"status", F_TEXT, .readonly = true},
  {"created_at", F_TIMESTAMP, .readonly = true},
  {"revoked_at", F_TIMESTAMP, .readonly = true},
  {"last_used_at", F_TIMESTAMP, .readonly = true},
  {"replaced_by", F_UUID, .readonly = true},
  {"key", F_TEXT, .readonly = true},
  {NULL},
};

static const struct field rotate_fields[] = {
  {"grace_until", F_TIMESTAMP, .nullable = true},
  {NULL},
};

/* A key's representation: never its hash, only the first characters of the key. */
#define KEY_JSON                                                                                 \
  "json_build_object('id', k.id, 'name', k.name, 'role', k.role, 'cluster_ids', k.cluster_ids, " \
  "'prefix', k.prefix || '…', 'status', CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked' "    \
  "WHEN k.expires_at <= now() THEN 'expired' ELSE 'active' END, "                                \
  "'created_at', rfc3339(k.created_at), 'expires_at', rfc3339(k.expires_at), "                   \
  "'revoked_at', rfc3339(k.revoked_at), 'last_used_at', rfc3339(k.last_used_at), "               \
  "'replaced_by', k.replaced_by)::text"

static bool admin_only(struct ctx *c) {
  if (!ctx_auth(c)) return false;
  if (c->who.role == ROLE_ADMIN) return true;
  return ctx_deny(c, c->who.role == ROLE_ANONYMOUS ? 401 : 403,
                  "API keys are managed with an admin key.");
}

static bool accepts_json(struct ctx *c) {
  if (fmt_negotiate(ctx_header(c, "Accept"), NULL, FMT_JSON)) return true;
  http_problem(c, 406, "not_acceptable", NULL, "Keys are answered as application/json.");
  return false;
}

static bool begin(struct ctx *c) { return admin_only(c) && accepts_json(c); }

/* The JSON of column col of row i, with the key itself when given. */
static void respond_key(struct ctx *c, int status, PGresult *r, int col, const char *key,
                        const char *grace_until) {
  json_t *o = json_loads(PQgetvalue(r, 0, col), 0, NULL);
  if (!o) o = json_object();
  if (key) json_object_set_new(o, "key", json_string(key));
  if (grace_until) json_object_set_new(o, "grace_until", json_string(grace_until));
  char *text = json_dumps(o, JSON_COMPACT);
  res_respond_item(c, status, text);
  free(text);
  json_decref(o);
}

/* A new key: "grappe_" and 43 characters of base64url (256 bits); false without randomness. */
static bool new_key(struct ctx *c, char key[64], char hash[67], char prefix[16]) {
  unsigned char raw[32];
  if (!random_bytes(raw, sizeof raw)) {
    http_problem(c, 500, "internal_error", NULL, "No randomness available.");
    return false;
  }
  char *secret = b64url_encode(raw, sizeof raw);
  snprintf(key, 64, "grappe_%s", secret);
  free(secret);
  sha256_bytea(key, hash);
  snprintf(prefix, 16, "%.11s", key);
  return true;
}

static bool in_future(const char *ts) {
  return datetime_usec(ts) > (long long)time(NULL) * 1000000LL;
}

void keys_create(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !begin(c) || !ctx_read_json(c, false)) return;
  struct verrors e = {0};
  json_t *obj = schema_validate(key_fields, c->body, true, &e);
  char *clusters = NULL;
  PGresult *r = NULL;
  if (!obj) {
    res_respond_invalid(c, &e);
    return;
  }
  const char *role = json_string_value(json_object_get(obj, "role"));
  json_t *ids = json_object_get(obj, "cluster_ids");
  size_t nids = json_array_size(ids);
  bool manager = strcmp(role, "manager") == 0;
  if (manager && nids == 0)
    verr_add(&e, "cluster_ids", "required", "a manager key names its clusters (at least one)");
  if (!manager && nids > 0)
    verr_add(&e, "cluster_ids", "not_allowed", "only a manager key has clusters");
  const char *expires = json_string_value(json_object_get(obj, "expires_at"));
  if (expires && !in_future(expires))
    verr_add(&e, "expires_at", "out_of_range", "must be in the future");
  if (e.items) {
    res_respond_invalid(c, &e);
    goto done;
  }
  char key[64], hash[67], prefix[16];
  if (!new_key(c, key, hash, prefix)) goto done;
  char **items = xcalloc(nids + 1, sizeof *items);
  size_t i;
  json_t *v;
  json_array_foreach(ids, i, v) items[i] = (char *)json_string_value(v);
  clusters = sqlb_array(items);
  free(items);
  struct dbconn *db = ctx_db(c);
  if (!db) goto done;
  const char *p[] = {
    json_string_value(json_object_get(obj, "name")), role, clusters, hash, prefix, expires};
  r = db_exec(db,
              "INSERT INTO api_keys AS k (name, role, cluster_ids, key_hash, prefix, expires_at) "
              "SELECT $1, $2, $3::uuid[], $4::bytea, $5, $6::timestamptz "
              "WHERE NOT EXISTS (SELECT 1 FROM unnest($3::uuid[]) u "
              "WHERE u NOT IN (SELECT id FROM clusters)) RETURNING " KEY_JSON ", k.id::text",
              6, p);
  if (!r) {
    http_problem_db(c);
    goto done;
  }
  if (PQntuples(r) == 0) {
    verr_add(&e, "cluster_ids", "unknown_reference", "names a cluster that does not exist");
    res_respond_invalid(c, &e);
    goto done;
  }
  char loc[64];
  snprintf(loc, sizeof loc, "/v1/keys/%s", PQgetvalue(r, 0, 1));
  http_set_header(c, "Location", loc);
  respond_key(c, 201, r, 0, key, NULL);
done:
  PQclear(r);
  free(clusters);
  json_decref(obj);
}

void keys_list(struct ctx *c) {
  static const char *const allowed[] = {"limit", "cursor", NULL};
  if (!ctx_allow_params(c, allowed, NULL) || !begin(c)) return;
  struct page pg;
  if (!page_params(c, "keys", LIST_LIMIT_MAX, &pg)) return;
  struct dbconn *db = ctx_db(c);
  if (!db) return;
  char lim[24];
  snprintf(lim, sizeof lim, "%ld", pg.limit + 1);
  const char *p[] = {pg.after_t[0] ? pg.after_t : NULL, pg.after_id[0] ? pg.after_id : NULL, lim};
  /* the order of api_keys_created_at, in microseconds for the cursor */
  PGresult *r = db_exec(
    db,
    "SELECT " KEY_JSON ", (extract(epoch FROM k.created_at) * 1000000)::bigint, k.id::text "
    "FROM api_keys k WHERE $1::bigint IS NULL OR (k.created_at, k.id) > "
    "(to_timestamp($1::bigint / 1000000.0), $2::uuid) ORDER BY k.created_at, k.id LIMIT $3::int",
    3, p);
  if (!r) {
    http_problem_db(c);
    return;
  }
  struct buf out;
  buf_init(&out);
  buf_adds(&out, "{\"items\":[");
  int n = PQntuples(r);
  for (int i = 0; i < n && i < pg.limit; i++) {
    if (i) buf_addc(&out, ',');
    buf_adds(&out, PQgetvalue(r, i, 0));
  }
  buf_adds(&out, "],\"next\":");
  if (n > pg.limit) {
    char *cur = page_next(c, "keys", PQgetvalue(r, (int)pg.limit - 1, 1),
                          PQgetvalue(r, (int)pg.limit - 1, 2));
    buf_add_json_string(&out, cur);
    free(cur);
  } else {
    buf_adds(&out, "null");
  }
  buf_addc(&out, '}');
  PQclear(r);
  http_respond_json(c, 200, out.data);
  buf_free(&out);
}

/* The key of the path, locked when asked; NULL after answering 404. */
static PGresult *load(struct ctx *c, struct dbconn *db, bool lock) {
  if (!uuid_valid(c->params[0])) {
    http_problem(c, 404, "not_found", NULL, "No key with this id.");
    return NULL;
  }
  const char *p[] = {c->params[0]};
  PGresult *r = db_exec(db,
                        lock ? "SELECT " KEY_JSON ", k.revoked_at IS NOT NULL, "
                               "coalesce(k.expires_at <= now(), false), k.replaced_by, "
                               "rfc3339(k.expires_at) FROM api_keys k WHERE k.id = $1::uuid "
                               "FOR UPDATE"
                             : "SELECT " KEY_JSON " FROM api_keys k WHERE k.id = $1::uuid",
                        1, p);
  if (!r) {
    http_problem_db(c);
    return NULL;
  }
  if (PQntuples(r) == 0) {
    PQclear(r);
    http_problem(c, 404, "not_found", NULL, "No key with this id.");
    return NULL;
  }
  return r;
}

void key_get(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !begin(c)) return;
  struct dbconn *db = ctx_db(c);
  if (!db) return;
  PGresult *r = load(c, db, false);
  if (!r) return;
  respond_key(c, 200, r, 0, NULL, NULL);
  PQclear(r);
}

/* Revokes: the row stays, with its revoked_at. Revoking a revoked key changes nothing. */
void key_delete(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !admin_only(c)) return;
  if (!uuid_valid(c->params[0])) {
    http_problem(c, 404, "not_found", NULL, "No key with this id.");
    return;
  }
  struct dbconn *db = ctx_db(c);
  if (!db) return;
  const char *p[] = {c->params[0]};
  PGresult *r = db_exec(db,
                        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, clock_timestamp()) "
                        "WHERE id = $1::uuid RETURNING id",
                        1, p);
  if (!r) http_problem_db(c);
  else if (PQntuples(r) == 0) http_problem(c, 404, "not_found", NULL, "No key with this id.");
  else http_respond_empty(c, 204);
  PQclear(r);
}

void key_rotate(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !begin(c)) return;
  /* The body is optional: {"grace_until": ...} */
  json_t *obj = NULL;
  if (c->req->binary_body_length > 0) {
    if (!ctx_read_json(c, false)) return;
    struct verrors e = {0};
    obj = schema_validate(rotate_fields, c->body, true, &e);
    if (!obj) {
      res_respond_invalid(c, &e);
      return;
    }
  }
  const char *grace = json_string_value(json_object_get(obj, "grace_until"));
  struct verrors e = {0};
  if (grace && datetime_usec(grace) < (long long)time(NULL) * 1000000LL - 1000000LL)
    verr_add(&e, "grace_until", "out_of_range", "must be now or later");
  else if (grace &&
           datetime_usec(grace) > ((long long)time(NULL) + GRACE_MAX_DAYS * 86400LL) * 1000000LL)
    verr_add(&e, "grace_until", "out_of_range", "must be within %d days", GRACE_MAX_DAYS);
  PGresult *cur = NULL, *r = NULL, *old = NULL;
  if (e.items) {
    res_respond_invalid(c, &e);
    goto done;
  }
  char key[64], hash[67], prefix[16];
  if (!new_key(c, key, hash, prefix)) goto done;
  struct dbconn *db = ctx_db(c);
  if (!db) goto done;
  if (!db_begin(db)) {
    http_problem_db(c);
    goto done;
  }
  if (!(cur = load(c, db, true))) {
    db_rollback(db);
    goto done;
  }
  const char *why = strcmp(PQgetvalue(cur, 0, 1), "t") == 0   ? "revoked"
                    : strcmp(PQgetvalue(cur, 0, 2), "t") == 0 ? "expired"
                    : !PQgetisnull(cur, 0, 3)                 ? "rotated"
                                                              : NULL;
  if (why) {
    db_rollback(db);
    if (strcmp(why, "rotated") == 0)
      http_problem(c, 409, "conflict", NULL,
                   "This key was rotated already: rotate the key that replaced it, %s.",
                   PQgetvalue(cur, 0, 3));
    else
      http_problem(c, 409, "conflict", NULL, "This key is %s: a %s key cannot be rotated.", why,
                   why);
    goto done;
  }
  char hours[8];
  snprintf(hours, sizeof hours, "%d", GRACE_DEFAULT_HOURS);
  const char *p[] = {c->params[0], hash, prefix};
  r = db_exec(db,
              "INSERT INTO api_keys AS k (name, role, cluster_ids, key_hash, prefix, expires_at) "
              "SELECT name, role, cluster_ids, $2::bytea, $3, expires_at FROM api_keys "
              "WHERE id = $1::uuid RETURNING " KEY_JSON ", k.id::text",
              3, p);
  /* the old key works until the end of the grace period (or its own expiry, if sooner) */
  const char *q[] = {c->params[0], r ? PQgetvalue(r, 0, 1) : NULL, grace, hours};
  if (r)
    old = db_exec(db,
                  "UPDATE api_keys SET replaced_by = $2::uuid, expires_at = least(expires_at, "
                  "coalesce($3::timestamptz, now() + make_interval(hours => $4::int))) "
                  "WHERE id = $1::uuid RETURNING rfc3339(expires_at)",
                  4, q);
  if (!r || !old || !db_commit(db)) {
    http_problem_db(c);
    db_rollback(db);
    goto done;
  }
  char loc[64];
  snprintf(loc, sizeof loc, "/v1/keys/%s", PQgetvalue(r, 0, 1));
  http_set_header(c, "Location", loc);
  respond_key(c, 201, r, 0, key, PQgetvalue(old, 0, 0));
done:
  PQclear(cur);
  PQclear(r);
  PQclear(old);
  json_decref(obj);
}
