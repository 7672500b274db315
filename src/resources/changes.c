/* GET /v1/changes: the change feed, for readers and admins, and for managers narrowed to
   their clusters. Each call first numbers the changes of committed transactions
   (number_changes() in SQL), then serves numbered ones after the caller's position. `next`
   is always there: an empty page gives the same position back, to poll from (narrowed, it
   may move on to what this call numbered). Each change carries what it concerns (clusters,
   regions) and who wrote it (origin), recorded with it (migration 0021). */
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "codelists.h"
#include "config.h"
#include "cursor.h"
#include "db.h"
#include "feed.h"
#include "handlers.h"
#include "http.h"
#include "negotiate.h"
#include "query.h"
#include "resource.h"
#include "sqlb.h"
#include "strv.h"
#include "text.h"
#include "mem.h"
#include "validate.h"

#define CHANGES_LIMIT_DEFAULT 100
#define CHANGES_LIMIT_MAX 1000
#define CHANGES_WAIT_MAX 60 /* seconds a long poll may wait */

/* The resource of each type of the feed (ChangeType in api/openapi.yaml, codelist_change_type),
   whose current representations include=object embeds. */
static struct resource *const type_resources[] = {
  [CODELIST_CHANGE_TYPE_CLUSTER] = &resource_clusters,
  [CODELIST_CHANGE_TYPE_COMPANY] = &resource_companies,
  [CODELIST_CHANGE_TYPE_PARTNER] = &resource_partners,
  [CODELIST_CHANGE_TYPE_MEMBERSHIP] = &resource_cluster_members,
  [CODELIST_CHANGE_TYPE_CLUSTER_PARTNER] = &resource_cluster_partners,
  [CODELIST_CHANGE_TYPE_PROJECT] = &resource_projects,
  [CODELIST_CHANGE_TYPE_EVENT] = &resource_events,
  [CODELIST_CHANGE_TYPE_INDICATOR] = &resource_indicators,
};
_Static_assert(sizeof type_resources / sizeof type_resources[0] == CODELIST_CHANGE_TYPE_COUNT,
               "a type of the change feed (ChangeType in api/openapi.yaml) has no resource here");

char *feed_cursor(long long seq) {
  json_t *p = json_pack("{s:s,s:I}", "r", "changes", "s", (json_int_t)seq);
  char *c = cursor_encode(app.secret, sizeof app.secret, p);
  json_decref(p);
  return c;
}

bool feed_cursor_decode(const char *cursor, long long *seq) {
  json_t *p = cursor_decode(app.secret, sizeof app.secret, cursor);
  const char *r = json_string_value(json_object_get(p, "r"));
  json_t *s = json_object_get(p, "s");
  bool ok = r && strcmp(r, "changes") == 0 && json_is_integer(s) && json_integer_value(s) >= 0;
  if (ok) *seq = json_integer_value(s);
  json_decref(p);
  return ok;
}

json_t *feed_objects(struct dbconn *db, PGresult *rows) {
  int n = PQntuples(rows);
  json_t *out = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(out, json_null());
  for (size_t t = 0; t < CODELIST_CHANGE_TYPE_COUNT; t++) {
    if (!type_resources[t]) continue;
    struct buf ids;
    buf_init(&ids);
    buf_addc(&ids, '{');
    for (int i = 0; i < n; i++)
      if (strcmp(PQgetvalue(rows, i, 1), codelist_change_type[t]) == 0)
        buf_addf(&ids, "%s%s", ids.len > 1 ? "," : "", PQgetvalue(rows, i, 2));
    buf_addc(&ids, '}');
    if (ids.len == 2) {
      buf_free(&ids);
      continue;
    }
    struct buf sql;
    buf_init(&sql);
    const struct resource *r = type_resources[t];
    buf_addf(&sql, "SELECT t.id::text, %s FROM %s t WHERE t.id = ANY($1::uuid[])", r->sql_cols,
             r->table);
    const char *params[] = {ids.data};
    PGresult *objs = db_exec(db, sql.data, 1, params);
    buf_free(&sql);
    buf_free(&ids);
    if (!objs) {
      json_decref(out);
      return NULL;
    }
    for (int i = 0; i < n; i++) {
      if (strcmp(PQgetvalue(rows, i, 1), codelist_change_type[t]) != 0) continue;
      for (int k = 0; k < PQntuples(objs); k++)
        if (strcmp(PQgetvalue(objs, k, 0), PQgetvalue(rows, i, 2)) == 0) {
          char *json = res_rep_text(r, objs, k);
          json_t *obj = json_loads(json, 0, NULL);
          free(json);
          json_array_set_new(out, (size_t)i, obj ? obj : json_null());
          break;
        }
    }
    PQclear(objs);
  }
  return out;
}

void feed_select(struct sqlb *q, const char *since, const char *upto, const struct feed_filter *f,
                 long limit) {
  sqlb_add(q, "SELECT seq, type, object_id::text, op, rfc3339(changed_at), origin, trace "
              "FROM changes WHERE seq > ");
  sqlb_param(q, xstrdup(since), "bigint");
  if (upto) {
    sqlb_add(q, " AND seq <= ");
    sqlb_param(q, xstrdup(upto), "bigint");
  }
  if (f->types) {
    sqlb_add(q, " AND type = ANY(");
    sqlb_param(q, xstrdup(f->types), "text[]");
    sqlb_add(q, ")");
  }
  if (f->clusters) {
    sqlb_add(q, " AND cluster_ids && ");
    sqlb_param(q, xstrdup(f->clusters), "uuid[]");
  }
  if (f->scope) {
    sqlb_add(q, " AND cluster_ids && ");
    sqlb_param(q, xstrdup(f->scope), "uuid[]");
  }
  if (f->regions) {
    sqlb_add(q, " AND region_codes && ");
    sqlb_param(q, xstrdup(f->regions), "text[]");
  }
  if (f->exclude_origin) {
    sqlb_add(q, " AND origin IS DISTINCT FROM ");
    sqlb_param(q, xstrdup(f->exclude_origin), "text");
  }
  if (f->after_snapshot) {
    sqlb_add(q, " AND NOT pg_visible_in_snapshot(xid, ");
    sqlb_param(q, xstrdup(f->after_snapshot), "pg_snapshot");
    sqlb_add(q, ")");
  }
  sqlb_addf(q, " ORDER BY seq LIMIT %ld", limit);
}

/* Appends the current representation of each listed object (by type), or null when it is
   gone, as "object" members: one query per type present in the page. */
static bool embed_objects(struct ctx *c, struct dbconn *db, PGresult *rows, json_t *items) {
  json_t *objs = feed_objects(db, rows);
  if (!objs) {
    http_problem_db(c);
    return false;
  }
  size_t i;
  json_t *item;
  json_array_foreach(items, i, item) json_object_set(item, "object", json_array_get(objs, i));
  json_decref(objs);
  return true;
}

/* A comma-separated list of values that each pass ok, as an array parameter's text (NULL
   after answering 400: "'x' is not <what>.", or "'' names no <noun>."). */
static char *list_param(struct ctx *c, const char *name, bool (*ok)(const char *), const char *what,
                        const char *noun) {
  const char *v = query_get(&c->query, name);
  char **items = split_commas(v);
  char *out = NULL;
  if (!items || !*items) {
    http_bad_param(c, "invalid_query", "invalid value", name, "'%s' names no %s.", v, noun);
  } else {
    bool good = true;
    for (char **it = items; good && *it; it++)
      if (!ok(*it))
        good =
          http_bad_param(c, "invalid_query", "invalid value", name, "'%s' is not %s.", *it, what);
    if (good) out = sqlb_array(items);
  }
  strv_free(items);
  return out;
}

static bool change_type_known(const char *t) {
  for (const char *const *k = codelist_change_type; *k; k++)
    if (strcmp(*k, t) == 0) return true;
  return false;
}

static void narrowing_free(struct feed_filter *n) {
  free(n->types);
  free(n->clusters);
  free(n->regions);
  free(n->scope);
}

/* types=, cluster=, region=, exclude_origin= and a manager's scope: false after answering
   400 or 403 (nothing left to free). */
static bool parse_narrowing(struct ctx *c, struct feed_filter *n) {
  memset(n, 0, sizeof *n);
  bool ok = true;
  if (query_get(&c->query, "types"))
    ok =
      (n->types = list_param(c, "types", change_type_known,
                             "a type of the feed (" CODELIST_CHANGE_TYPE_TEXT ")", "type")) != NULL;
  if (ok && query_get(&c->query, "cluster"))
    ok = (n->clusters = list_param(c, "cluster", uuid_valid, "a cluster id", "cluster")) != NULL;
  if (ok && query_get(&c->query, "region"))
    ok = (n->regions = list_param(c, "region", reference_has_region, "a region code", "region")) !=
         NULL;
  const char *exclude = query_get(&c->query, "exclude_origin");
  if (ok && exclude && strcmp(exclude, "self") != 0)
    ok = http_bad_param(c, "invalid_query", "invalid value", "exclude_origin",
                        "'%s' is not valid for exclude_origin: only 'self' (the caller's own "
                        "writes).",
                        exclude);
  if (exclude) n->exclude_origin = c->who.key_id;
  if (ok && c->who.role == ROLE_MANAGER) {
    /* the feed of its clusters; cluster= narrows it within them */
    char **asked = n->clusters ? split_commas(query_get(&c->query, "cluster")) : NULL;
    for (char **a = asked; ok && a && *a; a++)
      if (!http_principal_manages(&c->who, *a))
        ok = ctx_deny(c, 403,
                      "A manager's feed covers its own clusters: cluster= names one "
                      "that is not yours.");
    strv_free(asked);
    n->scope = sqlb_array(c->who.clusters);
  }
  if (!ok) narrowing_free(n);
  return ok;
}

long long changes_head(void) {
  const char *why = NULL;
  struct dbconn *db = pool_get(app.pool, app.cfg->pool_timeout_ms, &why);
  if (!db) return -1;
  PGresult *r = db_exec(db, "SELECT number_changes()", 0, NULL);
  long long head = r ? atoll(PQgetvalue(r, 0, 0)) : -1;
  PQclear(r);
  pool_put(app.pool, db);
  return head;
}

void changes_feed(struct ctx *c) {
  static const char *const allowed[] = {"since",  "types",          "limit", "include", "cluster",
                                        "region", "exclude_origin", "wait",  NULL};
  if (!ctx_allow_params(c, allowed, NULL) || !ctx_auth(c)) return;
  bool manager = c->who.role == ROLE_MANAGER;
  if (c->who.role != ROLE_READER && c->who.role != ROLE_ADMIN && !manager) {
    ctx_deny(c, c->who.role == ROLE_ANONYMOUS ? 401 : 403,
             "The change feed is for reader, admin and manager keys.");
    return;
  }
  if (!fmt_negotiate(ctx_header(c, "Accept"), NULL, FMT_JSON)) {
    http_problem(c, 406, "not_acceptable", NULL, "The change feed is application/json.");
    return;
  }
  long limit = CHANGES_LIMIT_DEFAULT;
  const char *v = query_get(&c->query, "limit");
  if (v && !long_valid(v, 1, CHANGES_LIMIT_MAX, &limit)) {
    http_bad_param(c, "invalid_query", "invalid value", "limit",
                   "'%s' is not a valid limit: 1 to 1000.", v);
    return;
  }
  long wait = 0;
  if ((v = query_get(&c->query, "wait")) && !long_valid(v, 0, CHANGES_WAIT_MAX, &wait)) {
    http_bad_param(c, "invalid_query", "invalid value", "wait",
                   "'%s' is not a valid wait: 0 to %d seconds.", v, CHANGES_WAIT_MAX);
    return;
  }
  const char *include = query_get(&c->query, "include");
  if (include && strcmp(include, "object") != 0) {
    http_bad_param(c, "invalid_query", "invalid value", "include",
                   "'%s' is not valid for include: only 'object'.", include);
    return;
  }
  long long since = 0;
  const char *cur = query_get(&c->query, "since");
  bool head = cur && strcmp(cur, "now") == 0; /* the head's position, without paging there */
  if (cur && !head) {
    if (!feed_cursor_decode(cur, &since)) {
      char head[48]; /* the position's start, cut between two characters */
      snprintf(head, sizeof head, "%.*s", utf8_cut(cur, 40), cur);
      http_bad_param(c, "invalid_cursor", "invalid value", "since",
                     "'%s' is not a position of this feed: use the `next` of an earlier answer.",
                     head);
      return;
    }
  }
  struct feed_filter nw;
  if (!parse_narrowing(c, &nw)) return;
  bool narrowed = nw.types || nw.clusters || nw.regions || nw.scope || nw.exclude_origin;

  /* heads seen so far, before reading: a change numbered after this is not missed by a
     long poll that parks below (feedwait_park resumes it at once) */
  c->park_generation = feedwait_generation();
  struct dbconn *db = ctx_db(c);
  PGresult *r = NULL;
  json_t *items = NULL;
  char *next = NULL;
  char since_text[32];
  snprintf(since_text, sizeof since_text, "%lld", since);
  if (!db) goto done;
  long long numbered;
  if (c->park_until) {
    /* A long poll run again: its first run numbered and checked the position; what woke
       it was feedwait numbering the feed up to its head, which bounds what this read sees
       (only a SELECT: waiters woken together do not queue on the counter) */
    numbered = feedwait_head();
    goto read;
  }
  /* Number what has finished, forget what is past retention: one short transaction. */
  char days[16];
  snprintf(days, sizeof days, "%d", app.cfg->changes_retention_days);
  const char *rp[] = {days};
  if (!db_begin(db)) {
    http_problem_db(c);
    goto done;
  }
  r = db_exec(
    db,
    "WITH purged AS (DELETE FROM changes WHERE id IN (SELECT id FROM changes WHERE seq IS NOT NULL "
    "AND changed_at < now() - make_interval(days => $1::int) ORDER BY seq LIMIT 10000) RETURNING 1) "
    "SELECT number_changes(), (SELECT count(*) FROM purged)",
    1, rp);
  if (!r || !db_commit(db)) {
    http_problem_db(c);
    db_rollback(db);
    goto done;
  }
  /* Every change up to `numbered` was numbered when this commit ended, so the query below
     sees all of them. Other readers number more meanwhile: the counter is no bound of
     what this request saw, `numbered` is. */
  numbered = atoll(PQgetvalue(r, 0, 0));
  PQclear(r);
  /* A position below what retention kept cannot be continued: the client resyncs. */
  const char *sp[] = {since_text};
  r = db_exec(db,
              "SELECT coalesce((SELECT min(seq) FROM changes WHERE seq IS NOT NULL), "
              "(SELECT last_seq + 1 FROM changes_counter)) > $1::bigint + 1",
              1, sp);
  if (!r) {
    http_problem_db(c);
    goto done;
  }
  bool expired = strcmp(PQgetvalue(r, 0, 0), "t") == 0 && since > 0;
  PQclear(r);
  r = NULL;
  if (head) {
    next = feed_cursor(numbered);
    json_t *out = json_pack("{s:[],s:s}", "items", "next", next);
    char *text = json_dumps(out, JSON_COMPACT);
    http_respond_json(c, 200, text);
    free(text);
    json_decref(out);
    goto done;
  }
  if (expired) {
    http_problem(c, 410, "gone", NULL,
                 "This position is older than the feed keeps (%d days): load a full export "
                 "(format=ndjson on each list) and follow the feed from a new position.",
                 app.cfg->changes_retention_days);
    r = NULL;
    goto done;
  }
read:;
  struct sqlb q;
  sqlb_init(&q);
  feed_select(&q, since_text, NULL, &nw, limit);
  r = db_exec(db, q.text.data, q.n, sqlb_values(&q));
  sqlb_free(&q);
  if (!r) {
    http_problem_db(c);
    goto done;
  }
  items = json_array();
  long long last = since;
  for (int i = 0; i < PQntuples(r); i++) {
    last = atoll(PQgetvalue(r, i, 0));
    json_t *item =
      json_pack("{s:I,s:s,s:s,s:s,s:s}", "seq", (json_int_t)last, "type", PQgetvalue(r, i, 1), "id",
                PQgetvalue(r, i, 2), "op", PQgetvalue(r, i, 3), "changed_at", PQgetvalue(r, i, 4));
    /* who wrote it, for readers and admins (a manager sees changes, not other callers) */
    if (!manager)
      json_object_set_new(item, "origin",
                          PQgetisnull(r, i, 5) ? json_null() : json_string(PQgetvalue(r, i, 5)));
    json_array_append_new(items, item);
  }
  /* Long poll: an empty page waits (no worker thread, no connection held) until the feed
     grows, then reads again, up to `wait` seconds from the first reading. */
  if (PQntuples(r) == 0 && wait > 0 && !app.stopping && feedwait_running()) {
    double now = clock_mono();
    if (!c->park_until) c->park_until = now + (double)wait;
    if (now < c->park_until) {
      ctx_release_db(c);
      c->parked = true;
      goto done;
    }
  }
  if (include && !embed_objects(c, db, r, items)) goto done;
  /* With a filter and an empty page, the position moves on to what this request numbered
     itself: its query, which ran after that numbering committed, found nothing of these
     types up to there. Never to a fresh read of the counter: a change that another reader
     numbered after this query would lie behind it, never delivered. */
  if (PQntuples(r) == 0 && narrowed && numbered > last) last = numbered;
  next = feed_cursor(last);
  json_t *out = json_pack("{s:O,s:s}", "items", items, "next", next);
  char *text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));
  http_respond_json(c, 200, text);
  free(text);
  json_decref(out);
done:
  PQclear(r);
  json_decref(items);
  free(next);
  narrowing_free(&nw);
}
