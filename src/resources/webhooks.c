/* /v1/webhooks: subscriptions to the change feed, delivered by src/push/deliver.c.

   A subscription belongs to the key that created it: reader, admin and manager keys may
   subscribe (a manager's deliveries are narrowed to its clusters, as its feed is); each
   sees and changes its own, an admin every one. The secret is shown when it is made (at
   creation and at rotate-secret) and never again. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codelists.h"
#include "config.h"
#include "cursor.h"
#include "db.h"
#include "deliver.h"
#include "feed.h"
#include "handlers.h"
#include "http.h"
#include "mem.h"
#include "mergepatch.h"
#include "negotiate.h"
#include "query.h"
#include "resource.h"
#include "sqlb.h"
#include "strv.h"
#include "text.h"
#include "validate.h"
#include "webhook.h"
#include "webhooks.h"

#define WEBHOOKS_PER_OWNER 25
#define LIST_LIMIT_MAX 100
#define PREVIOUS_SECRET_HOURS 24

static const char *const EXCLUDE_VALUES[] = {"self", NULL};

static const struct field webhook_fields[] = {
  {"id", F_UUID, .readonly = true},
  {"url", F_TEXT, .required = true, .max = 2048},
  {"types", F_CODE_ARRAY, .values = codelist_change_type, .max = 16},
  {"cluster_ids", F_CODE_ARRAY, .check = C_UUID, .max = 100},
  {"region", F_TEXT, .nullable = true, .check = C_REGION},
  {"exclude_origin", F_ENUM, .nullable = true, .values = EXCLUDE_VALUES},
  {"description", F_TEXT, .nullable = true, .max = 500},
  {"active", F_BOOL, .nullable = false},
  {"owner", F_TEXT, .readonly = true},
  {"disabled_reason", F_TEXT, .readonly = true},
  {"disabled_at", F_TIMESTAMP, .readonly = true},
  {"position", F_TEXT, .readonly = true},
  {"next_attempt_at", F_TIMESTAMP, .readonly = true},
  {"failing_since", F_TIMESTAMP, .readonly = true},
  {"attempts", F_INT, .readonly = true},
  {"last_error", F_TEXT, .readonly = true},
  {"previous_secret_expires_at", F_TIMESTAMP, .readonly = true},
  {"secret", F_TEXT, .readonly = true},
  {"created_at", F_TIMESTAMP, .readonly = true},
  {"updated_at", F_TIMESTAMP, .readonly = true},
  {NULL},
};

/* The representation's columns: its JSON without `position`, then feed_position. */
#define WEBHOOK_COLS                                                                             \
  "json_build_object('id', w.id, 'url', w.url, 'types', w.types, 'cluster_ids', w.cluster_ids, " \
  "'region', w.region, 'exclude_origin', w.exclude_origin, 'description', w.description, "       \
  "'active', w.active, 'disabled_reason', w.disabled_reason, "                                   \
  "'disabled_at', rfc3339(w.disabled_at), 'owner', w.owner, "                                    \
  "'next_attempt_at', CASE WHEN w.active THEN rfc3339(w.next_attempt_at) END, "                  \
  "'failing_since', rfc3339(w.failing_since), 'attempts', w.attempts, "                          \
  "'last_error', w.last_error, 'previous_secret_expires_at', "                                   \
  "CASE WHEN w.previous_secret_until > now() THEN rfc3339(w.previous_secret_until) END, "        \
  "'created_at', rfc3339(w.created_at), 'updated_at', rfc3339(w.updated_at))::text, "            \
  "w.feed_position"

/* The JSON of row i (columns from col: WEBHOOK_COLS), with `position` as a feed cursor and
   the secret when given. */
static json_t *rep(PGresult *r, int i, int col, const char *secret) {
  json_t *o = json_loads(PQgetvalue(r, i, col), 0, NULL);
  if (!o) o = json_object();
  char *cur = feed_cursor(atoll(PQgetvalue(r, i, col + 1)));
  json_object_set_new(o, "position", json_string(cur));
  free(cur);
  if (secret) json_object_set_new(o, "secret", json_string(secret));
  return o;
}

static void respond_rep(struct ctx *c, int status, json_t *o) {
  char *text = json_dumps(o, JSON_COMPACT);
  res_respond_item(c, status, text);
  free(text);
}

bool webhook_may_subscribe(struct ctx *c) {
  if (!ctx_auth(c)) return false;
  enum role r = c->who.role;
  if (r == ROLE_READER || r == ROLE_ADMIN || r == ROLE_MANAGER) return true;
  return ctx_deny(c, r == ROLE_ANONYMOUS ? 401 : 403,
                  "Webhooks are for reader, admin and manager keys.");
}

bool webhook_accepts_json(struct ctx *c) {
  if (fmt_negotiate(ctx_header(c, "Accept"), NULL, FMT_JSON)) return true;
  http_problem(c, 406, "not_acceptable", NULL, "Webhooks are answered as application/json.");
  return false;
}

PGresult *webhook_load(struct ctx *c, struct dbconn *db, bool lock) {
  if (!uuid_valid(c->params[0])) {
    http_problem(c, 404, "not_found", NULL, "No webhook with this id.");
    return NULL;
  }
  const char *p[] = {c->params[0], c->who.role == ROLE_ADMIN ? NULL : c->who.key_id};
  PGresult *r = db_exec(db,
                        lock ? "SELECT " WEBHOOK_COLS ", w.owner, w.secret FROM webhooks w "
                               "WHERE w.id = $1::uuid AND ($2::text IS NULL OR w.owner = $2) "
                               "FOR UPDATE"
                             : "SELECT " WEBHOOK_COLS ", w.owner, w.secret FROM webhooks w "
                               "WHERE w.id = $1::uuid AND ($2::text IS NULL OR w.owner = $2)",
                        2, p);
  if (!r) {
    http_problem_db(c);
    return NULL;
  }
  if (PQntuples(r) == 0) {
    PQclear(r);
    http_problem(c, 404, "not_found", NULL, "No webhook with this id.");
    return NULL;
  }
  return r;
}

/* If-Match against the current representation; false after answering 412. */
static bool if_match(struct ctx *c, PGresult *r) {
  const char *h = ctx_header(c, "If-Match");
  if (!h) return true;
  json_t *o = rep(r, 0, 0, NULL);
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  char etag[40];
  res_etag(text, etag);
  free(text);
  if (res_etag_listed(h, etag, false)) return true;
  http_set_header(c, "ETag", etag);
  http_problem(c, 412, "precondition_failed", NULL,
               "The webhook has changed since this ETag: read it again.");
  return false;
}

/* The url, types and manager clusters of a body: 422 or 403 when not acceptable. */
static bool check_body(struct ctx *c, json_t *obj, struct verrors *e) {
  const char *url = json_string_value(json_object_get(obj, "url"));
  char why[240];
  struct webhook_target t;
  const char *bad = NULL;
  if (url && !webhook_url_parse(url, &t, &bad)) verr_add(e, "url", "invalid_format", "%s", bad);
  else if (url && (bad = deliver_check_target(url, why, sizeof why)))
    verr_add(e, "url", "refused_target", "%s", bad);
  if (e->items && json_array_size(e->items)) {
    res_respond_invalid(c, e);
    return false;
  }
  if (c->who.role == ROLE_MANAGER) {
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(obj, "cluster_ids"), i, id)
      if (!http_principal_manages(&c->who, json_string_value(id)))
        return ctx_deny(c, 403,
                        "A manager's webhooks cover its own clusters: cluster_ids names one "
                        "that is not yours.");
  }
  return true;
}

/* An array of strings as a PostgreSQL array literal (NULL when absent). */
static char *array_text(json_t *a) {
  if (!json_is_array(a)) return NULL;
  char **items = xmalloc(sizeof *items * (json_array_size(a) + 1));
  size_t i, n = 0;
  json_t *v;
  json_array_foreach(a, i, v) items[n++] = (char *)json_string_value(v);
  items[n] = NULL;
  char *out = sqlb_array(items);
  free(items);
  return out;
}

void webhooks_create(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !webhook_may_subscribe(c) || !webhook_accepts_json(c))
    return;
  if (!ctx_read_json(c, false)) return;
  struct verrors e = {0};
  json_t *obj = schema_validate(webhook_fields, c->body, true, &e);
  if (!obj) {
    res_respond_invalid(c, &e);
    return;
  }
  char *secret = NULL, *types = NULL, *clusters = NULL;
  PGresult *r = NULL;
  if (!check_body(c, obj, &e)) goto done;
  struct dbconn *db = ctx_db(c);
  if (!db) goto done;
  if (!(secret = webhook_secret_new())) {
    http_problem(c, 500, "internal_error", NULL, "No randomness available.");
    goto done;
  }
  types = array_text(json_object_get(obj, "types"));
  clusters = array_text(json_object_get(obj, "cluster_ids"));
  const char *role = c->who.role == ROLE_ADMIN     ? "admin"
                     : c->who.role == ROLE_MANAGER ? "manager"
                                                   : "reader";
  json_t *active = json_object_get(obj, "active");
  char per_owner[8];
  snprintf(per_owner, sizeof per_owner, "%d", WEBHOOKS_PER_OWNER);
  /* a manager's deliveries are narrowed to the clusters its key has when they are made */
  const char *p[] = {c->who.key_id,
                     role,
                     json_string_value(json_object_get(obj, "url")),
                     types ? types : "{}",
                     clusters ? clusters : "{}",
                     json_string_value(json_object_get(obj, "region")),
                     json_string_value(json_object_get(obj, "exclude_origin")),
                     json_string_value(json_object_get(obj, "description")),
                     active && !json_is_true(active) ? "f" : "t",
                     secret,
                     per_owner};
  if (!db_begin(db)) {
    http_problem_db(c);
    goto done;
  }
  /* at most WEBHOOKS_PER_OWNER each: the count and the insert under one lock per owner */
  const char *lp[] = {c->who.key_id};
  PGresult *lock =
    db_exec(db, "SELECT pg_advisory_xact_lock(hashtextextended('webhooks:' || $1, 0))", 1, lp);
  PQclear(lock);
  if (!lock) {
    http_problem_db(c);
    db_rollback(db);
    goto done;
  }
  /* It starts at the feed's head: the changes committed from now on (those committed before
     and numbered later, a backlog, are left out by the snapshot of its creation). */
  r = db_exec(db,
              "INSERT INTO webhooks AS w (owner, owner_role, url, types, cluster_ids, "
              "region, exclude_origin, description, active, secret, feed_position, "
              "start_snapshot, disabled_at) SELECT $1, $2, $3, $4::text[], $5::uuid[], $6, $7, "
              "$8, $9::boolean, $10, number_changes(), pg_current_snapshot(), "
              "CASE WHEN NOT $9::boolean THEN now() END "
              "WHERE (SELECT count(*) FROM webhooks WHERE owner = $1) < $11::int "
              "RETURNING " WEBHOOK_COLS ", w.id::text",
              11, p);
  if (!r || !db_commit(db)) {
    http_problem_db(c);
    db_rollback(db);
    goto done;
  }
  if (PQntuples(r) == 0) {
    http_problem(c, 409, "conflict", NULL,
                 "This key has %d webhooks, the most one key may hold: delete one first.",
                 WEBHOOKS_PER_OWNER);
    goto done;
  }
  char loc[80];
  snprintf(loc, sizeof loc, "/v1/webhooks/%s", PQgetvalue(r, 0, 2));
  http_set_header(c, "Location", loc);
  json_t *o = rep(r, 0, 0, secret);
  respond_rep(c, 201, o);
  json_decref(o);
done:
  PQclear(r);
  json_decref(obj);
  free(secret);
  free(types);
  free(clusters);
}

void webhooks_list(struct ctx *c) {
  static const char *const allowed[] = {"limit", "cursor", NULL};
  if (!ctx_allow_params(c, allowed, NULL) || !webhook_may_subscribe(c) || !webhook_accepts_json(c))
    return;
  struct page pg;
  if (!page_params(c, "webhooks", LIST_LIMIT_MAX, &pg)) return;
  struct dbconn *db = ctx_db(c);
  if (!db) return;
  char lim[24];
  snprintf(lim, sizeof lim, "%ld", pg.limit + 1);
  const char *p[] = {c->who.role == ROLE_ADMIN ? NULL : c->who.key_id,
                     pg.after_t[0] ? pg.after_t : NULL, pg.after_id[0] ? pg.after_id : NULL, lim};
  PGresult *r = db_exec(
    db,
    "SELECT " WEBHOOK_COLS ", (extract(epoch FROM w.created_at) * 1000000)::bigint, w.id::text "
    "FROM webhooks w WHERE ($1::text IS NULL OR w.owner = $1) AND ($2::bigint IS NULL OR "
    "((extract(epoch FROM w.created_at) * 1000000)::bigint, w.id) > ($2::bigint, $3::uuid)) "
    "ORDER BY (extract(epoch FROM w.created_at) * 1000000)::bigint, w.id LIMIT $4::int",
    4, p);
  if (!r) {
    http_problem_db(c);
    return;
  }
  json_t *items = json_array();
  int n = PQntuples(r);
  for (int i = 0; i < n && i < pg.limit; i++) json_array_append_new(items, rep(r, i, 0, NULL));
  json_t *out = json_pack("{s:o}", "items", items);
  if (n > pg.limit) {
    char *cur = page_next(c, "webhooks", PQgetvalue(r, (int)pg.limit - 1, 2),
                          PQgetvalue(r, (int)pg.limit - 1, 3));
    json_object_set_new(out, "next", json_string(cur));
    free(cur);
  } else {
    json_object_set_new(out, "next", json_null());
  }
  PQclear(r);
  char *text = json_dumps(out, JSON_COMPACT);
  http_respond_json(c, 200, text);
  free(text);
  json_decref(out);
}

void webhook_get(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !webhook_may_subscribe(c) || !webhook_accepts_json(c))
    return;
  struct dbconn *db = ctx_db(c);
  PGresult *r = db ? webhook_load(c, db, false) : NULL;
  if (!r) return;
  json_t *o = rep(r, 0, 0, NULL);
  const char *inm = ctx_header(c, "If-None-Match");
  char *text = json_dumps(o, JSON_COMPACT);
  char etag[40];
  res_etag(text, etag);
  if (inm && res_etag_listed(inm, etag, true)) {
    http_set_header(c, "ETag", etag);
    http_respond_empty(c, 304);
  } else {
    res_respond_item(c, 200, text);
  }
  free(text);
  json_decref(o);
  PQclear(r);
}

void webhook_patch(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !webhook_may_subscribe(c) || !webhook_accepts_json(c))
    return;
  if (!ctx_read_json(c, true)) return;
  struct verrors e = {0};
  if (!json_is_object(c->body)) {
    verr_add(&e, "", "invalid_type", "must be an object");
    res_respond_invalid(c, &e);
    return;
  }
  schema_check_keys(webhook_fields, c->body, &e);
  if (json_is_null(json_object_get(c->body, "active")))
    verr_add(&e, "active", "invalid_type", "must be true or false");
  if (e.items && json_array_size(e.items)) {
    res_respond_invalid(c, &e);
    return;
  }
  char *types = NULL, *clusters = NULL;
  PGresult *cur = NULL, *r = NULL;
  json_t *obj = NULL, *merged = NULL;
  struct dbconn *db = ctx_db(c);
  if (!db || !db_begin(db)) {
    if (db) http_problem_db(c);
    goto done;
  }
  if (!(cur = webhook_load(c, db, true)) || !if_match(c, cur)) {
    db_rollback(db);
    goto done;
  }
  /* the patch applied to the writable fields as they are, then the whole checked */
  json_t *now = rep(cur, 0, 0, NULL), *base = json_object();
  for (const struct field *f = webhook_fields; f->name; f++)
    if (!f->readonly && json_object_get(now, f->name))
      json_object_set(base, f->name, json_object_get(now, f->name));
  json_decref(now);
  merged = merge_patch(base, c->body);
  json_decref(base);
  obj = schema_validate(webhook_fields, merged, true, &e);
  if (!obj) {
    db_rollback(db);
    res_respond_invalid(c, &e);
    goto done;
  }
  if ((json_object_get(c->body, "url") || json_object_get(c->body, "cluster_ids")) &&
      !check_body(c, obj, &e)) {
    db_rollback(db);
    goto done;
  }
  types = array_text(json_object_get(obj, "types"));
  clusters = array_text(json_object_get(obj, "cluster_ids"));
  json_t *active = json_object_get(obj, "active");
  const char *p[] = {c->params[0],
                     json_string_value(json_object_get(obj, "url")),
                     types ? types : "{}",
                     clusters ? clusters : "{}",
                     json_string_value(json_object_get(obj, "region")),
                     json_string_value(json_object_get(obj, "exclude_origin")),
                     json_string_value(json_object_get(obj, "description")),
                     active && !json_is_true(active) ? "f" : "t"};
  /* Re-enabled: retries start afresh from where it stopped. Paused: it keeps its position. */
  r = db_exec(
    db,
    "UPDATE webhooks w SET url = $2, types = $3::text[], cluster_ids = $4::uuid[], region = $5, "
    "exclude_origin = $6, description = $7, "
    "disabled_reason = CASE WHEN $8::boolean = active THEN disabled_reason END, "
    "disabled_at = CASE WHEN $8::boolean THEN NULL ELSE coalesce(disabled_at, now()) END, "
    "failing_since = CASE WHEN $8::boolean AND NOT active THEN NULL ELSE failing_since END, "
    "attempts = CASE WHEN $8::boolean AND NOT active THEN 0 ELSE attempts END, "
    "last_error = CASE WHEN $8::boolean AND NOT active THEN NULL ELSE last_error END, "
    "next_attempt_at = CASE WHEN $8::boolean AND NOT active THEN now() ELSE next_attempt_at END, "
    "active = $8::boolean, updated_at = now(), "
    /* a batch under way keeps nothing of its outcome once what it sends, where, or whether
       it runs has changed (a description has no say) */
    "settings_version = settings_version + CASE WHEN (url, types, cluster_ids, region, "
    "exclude_origin, active) IS DISTINCT FROM ($2, $3::text[], $4::uuid[], $5, $6, $8::boolean) "
    "THEN 1 ELSE 0 END "
    "WHERE w.id = $1::uuid RETURNING " WEBHOOK_COLS,
    8, p);
  if (!r || !db_commit(db)) {
    http_problem_db(c);
    db_rollback(db);
    goto done;
  }
  json_t *o = rep(r, 0, 0, NULL);
  respond_rep(c, 200, o);
  json_decref(o);
done:
  PQclear(cur);
  PQclear(r);
  json_decref(obj);
  json_decref(merged);
  free(types);
  free(clusters);
}

void webhook_delete(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !webhook_may_subscribe(c)) return;
  struct dbconn *db = ctx_db(c);
  if (!db || !db_begin(db)) {
    if (db) http_problem_db(c);
    return;
  }
  PGresult *cur = webhook_load(c, db, true);
  if (!cur || !if_match(c, cur)) {
    PQclear(cur);
    db_rollback(db);
    return;
  }
  PQclear(cur);
  const char *p[] = {c->params[0]};
  PGresult *r = db_exec(db, "DELETE FROM webhooks WHERE id = $1::uuid", 1, p);
  if (!r || !db_commit(db)) {
    http_problem_db(c);
    db_rollback(db);
  } else {
    http_respond_empty(c, 204);
  }
  PQclear(r);
}

void webhook_rotate(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !webhook_may_subscribe(c) || !webhook_accepts_json(c))
    return;
  struct dbconn *db = ctx_db(c);
  char *secret = webhook_secret_new();
  if (!secret) {
    http_problem(c, 500, "internal_error", NULL, "No randomness available.");
    return;
  }
  PGresult *cur = NULL, *r = NULL;
  if (!db || !db_begin(db)) {
    if (db) http_problem_db(c);
    goto done;
  }
  if (!(cur = webhook_load(c, db, true)) || !if_match(c, cur)) {
    db_rollback(db);
    goto done;
  }
  char hours[8];
  snprintf(hours, sizeof hours, "%d", PREVIOUS_SECRET_HOURS);
  const char *p[] = {c->params[0], secret, hours};
  /* the secret being replaced signs alongside the new one for 24 hours */
  r = db_exec(db,
              "UPDATE webhooks w SET previous_secret = secret, secret = $2, "
              "previous_secret_until = now() + make_interval(hours => $3::int), updated_at = now() "
              "WHERE w.id = $1::uuid RETURNING " WEBHOOK_COLS,
              3, p);
  if (!r || !db_commit(db)) {
    http_problem_db(c);
    db_rollback(db);
    goto done;
  }
  json_t *o = rep(r, 0, 0, secret);
  respond_rep(c, 200, o);
  json_decref(o);
done:
  PQclear(cur);
  PQclear(r);
  free(secret);
}

void webhook_replay(struct ctx *c) {
  static const char *const allowed[] = {"since", NULL};
  if (!ctx_allow_params(c, allowed, NULL) || !webhook_may_subscribe(c) || !webhook_accepts_json(c))
    return;
  const char *since = query_get(&c->query, "since");
  long long pos = -1;
  if (!since) {
    http_bad_param(c, "invalid_query", "missing value", "since",
                   "Name the feed position to send again from: since=<a `next` of "
                   "/v1/changes, or a webhook's `position`>, or since=now to skip to the head.");
    return;
  }
  if (strcmp(since, "now") != 0 && !feed_cursor_decode(since, &pos)) {
    char head[48];
    snprintf(head, sizeof head, "%.*s", utf8_cut(since, 40), since);
    http_bad_param(c, "invalid_cursor", "invalid value", "since",
                   "'%s' is not a position of the change feed.", head);
    return;
  }
  struct dbconn *db = ctx_db(c);
  PGresult *cur = NULL, *r = NULL;
  if (!db || !db_begin(db)) {
    if (db) http_problem_db(c);
    return;
  }
  if (!(cur = webhook_load(c, db, true)) || !if_match(c, cur)) {
    db_rollback(db);
    goto done;
  }
  char postext[24];
  snprintf(postext, sizeof postext, "%lld", pos);
  char days[16];
  snprintf(days, sizeof days, "%d", app.cfg->changes_retention_days);
  const char *p[] = {c->params[0], pos < 0 ? NULL : postext};
  /* The head, numbered now; a position past it or below what the feed keeps is refused. */
  r = db_exec(db,
              "WITH head AS (SELECT number_changes() AS h), "
              "kept AS (SELECT coalesce((SELECT min(seq) FROM changes WHERE seq IS NOT NULL), "
              "(SELECT h FROM head) + 1) - 1 AS k) "
              "SELECT (SELECT h FROM head), (SELECT k FROM kept), "
              "coalesce($2::bigint, (SELECT h FROM head)) FROM webhooks WHERE id = $1::uuid",
              2, p);
  if (!r) {
    http_problem_db(c);
    db_rollback(db);
    goto done;
  }
  long long head = atoll(PQgetvalue(r, 0, 0)), kept = atoll(PQgetvalue(r, 0, 1)),
            to = atoll(PQgetvalue(r, 0, 2));
  PQclear(r);
  r = NULL;
  if (to > head) {
    db_rollback(db);
    http_bad_param(c, "invalid_cursor", "invalid value", "since",
                   "This position is past the feed's head.");
    goto done;
  }
  if (to < kept && to > 0) {
    db_rollback(db);
    http_problem(c, 410, "gone", NULL,
                 "This position is older than the feed keeps (%d days): replay from a "
                 "newer position, or since=now after a full export.",
                 app.cfg->changes_retention_days);
    goto done;
  }
  snprintf(postext, sizeof postext, "%lld", to);
  const char *up[] = {c->params[0], postext};
  r = db_exec(
    db,
    "UPDATE webhooks w SET feed_position = $2::bigint, start_snapshot = NULL, attempts = 0, "
    "failing_since = NULL, last_error = NULL, next_attempt_at = now(), "
    "settings_version = settings_version + 1, updated_at = now() "
    "WHERE w.id = $1::uuid RETURNING " WEBHOOK_COLS,
    2, up);
  if (!r || !db_commit(db)) {
    http_problem_db(c);
    db_rollback(db);
    goto done;
  }
  json_t *o = rep(r, 0, 0, NULL);
  respond_rep(c, 202, o);
  json_decref(o);
done:
  PQclear(cur);
  PQclear(r);
}
