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
#include <time.h>

#include "buf.h"
#include "codelists.h"
#include "config.h"
#include "cursor.h"
#include "db.h"
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

static char *position_cursor(long long seq) {
  json_t *p = json_pack("{s:s,s:I}", "r", "changes", "s", (json_int_t)seq);
  char *c = cursor_encode(app.secret, sizeof app.secret, p);
  json_decref(p);
  return c;
}

/* Appends the current representation of each listed object (by type), or null when it is
   gone, as "object" members: one query per type present in the page. */
static bool embed_objects(struct ctx *c, struct dbconn *db, PGresult *rows, json_t *items) {
  for (size_t t = 0; t < CODELIST_CHANGE_TYPE_COUNT; t++) {
    if (!type_resources[t]) continue;
    struct buf ids;
    buf_init(&ids);
    buf_addc(&ids, '{');
    for (int i = 0; i < PQntuples(rows); i++)
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
      http_problem_db(c);
      return false;
    }
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
      if (strcmp(json_string_value(json_object_get(item, "type")), codelist_change_type[t]) != 0)
        continue;
      json_t *obj = json_null();
      for (int k = 0; k < PQntuples(objs); k++)
        if (strcmp(PQgetvalue(objs, k, 0), json_string_value(json_object_get(item, "id"))) == 0) {
          json_decref(obj);
          char *json = res_rep_text(r, objs, k);
          obj = json_loads(json, 0, NULL);
          free(json);
          break;
        }
      json_object_set_new(item, "object", obj ? obj : json_null());
    }
    PQclear(objs);
  }
  return true;
}

/* A comma-separated list of values that each pass ok, as an array parameter's text (NULL
   after answering 400). */
static char *list_param(struct ctx *c, const char *name, bool (*ok)(const char *),
                        const char *what) {
  const char *v = query_get(&c->query, name);
  char **items = split_commas(v);
  char *out = NULL;
  if (!items || !*items) {
    http_bad_param(c, "invalid_query", "invalid value", name, "'%s' names no %s.", v, what);
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
    json_t *p = cursor_decode(app.secret, sizeof app.secret, cur);
    const char *r = json_string_value(json_object_get(p, "r"));
    json_t *s = json_object_get(p, "s");
    bool ok = r && strcmp(r, "changes") == 0 && json_is_integer(s) && json_integer_value(s) >= 0;
    if (ok) since = json_integer_value(s);
    json_decref(p);
    if (!ok) {
      char head[48]; /* the position's start, cut between two characters */
      snprintf(head, sizeof head, "%.*s", utf8_cut(cur, 40), cur);
      http_bad_param(c, "invalid_cursor", "invalid value", "since",
                     "'%s' is not a position of this feed: use the `next` of an earlier answer.",
                     head);
      return;
    }
  }
  char **wanted = NULL;
  char *types_literal = NULL;
  if ((v = query_get(&c->query, "types"))) {
    wanted = split_commas(v);
    for (char **w = wanted; w && *w; w++) {
      bool known = false;
      for (const char *const *t = codelist_change_type; *t; t++) known |= strcmp(*t, *w) == 0;
      if (!known) {
        http_bad_param(c, "invalid_query", "invalid value", "types",
                       "'%s' is not a type of the feed (" CODELIST_CHANGE_TYPE_TEXT ").", *w);
        strv_free(wanted);
        return;
      }
    }
    if (!wanted || !*wanted) {
      strv_free(wanted);
      http_bad_param(c, "invalid_query", "invalid value", "types", "'%s' names no type.", v);
      return;
    }
    types_literal = sqlb_array(wanted);
    strv_free(wanted);
  }
  char *clusters_literal = NULL, *regions_literal = NULL;
  if (query_get(&c->query, "cluster") &&
      !(clusters_literal = list_param(c, "cluster", uuid_valid, "a cluster id"))) {
    free(types_literal);
    return;
  }
  if (query_get(&c->query, "region") &&
      !(regions_literal = list_param(c, "region", reference_has_region, "a region code"))) {
    free(types_literal);
    free(clusters_literal);
    return;
  }
  if (manager && clusters_literal) { /* cluster= narrows a manager's feed within its own */
    char **asked = split_commas(query_get(&c->query, "cluster"));
    const char *outside = NULL;
    for (char **a = asked; a && *a && !outside; a++)
      if (!http_principal_manages(&c->who, *a)) outside = *a;
    if (outside)
      ctx_deny(c, 403,
               "A manager's feed covers its own clusters: cluster= names one that is not yours.");
    strv_free(asked);
    if (outside) {
      free(types_literal);
      free(clusters_literal);
      free(regions_literal);
      return;
    }
  }
  const char *exclude = query_get(&c->query, "exclude_origin");
  if (exclude && strcmp(exclude, "self") != 0) {
    http_bad_param(c, "invalid_query", "invalid value", "exclude_origin",
                   "'%s' is not valid for exclude_origin: only 'self' (the caller's own writes).",
                   exclude);
    free(types_literal);
    free(clusters_literal);
    free(regions_literal);
    return;
  }
  char *scope_literal = manager ? sqlb_array(c->who.clusters) : NULL;
  bool narrowed = types_literal || clusters_literal || regions_literal || scope_literal || exclude;

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
  const char *sp[] = {since_text, types_literal};
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
    next = position_cursor(numbered);
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
  sqlb_add(&q, "SELECT seq, type, object_id::text, op, rfc3339(changed_at), origin FROM changes "
               "WHERE seq > ");
  sqlb_param(&q, xstrdup(since_text), "bigint");
  if (types_literal) {
    sqlb_add(&q, " AND type = ANY(");
    sqlb_param(&q, xstrdup(types_literal), "text[]");
    sqlb_add(&q, ")");
  }
  if (clusters_literal) {
    sqlb_add(&q, " AND cluster_ids && ");
    sqlb_param(&q, xstrdup(clusters_literal), "uuid[]");
  }
  if (scope_literal) {
    sqlb_add(&q, " AND cluster_ids && ");
    sqlb_param(&q, xstrdup(scope_literal), "uuid[]");
  }
  if (regions_literal) {
    sqlb_add(&q, " AND region_codes && ");
    sqlb_param(&q, xstrdup(regions_literal), "text[]");
  }
  if (exclude) {
    sqlb_add(&q, " AND origin IS DISTINCT FROM ");
    sqlb_param(&q, xstrdup(c->who.key_id), "text");
  }
  sqlb_addf(&q, " ORDER BY seq LIMIT %ld", limit);
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
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double now = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
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
  next = position_cursor(last);
  json_t *out = json_pack("{s:O,s:s}", "items", items, "next", next);
  char *text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));
  http_respond_json(c, 200, text);
  free(text);
  json_decref(out);
done:
  PQclear(r);
  json_decref(items);
  free(next);
  free(types_literal);
  free(clusters_literal);
  free(regions_literal);
  free(scope_literal);
}
