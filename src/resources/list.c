/* GET on a list (/v1/companies?...): parse, authorize, plan, run, render. NDJSON is streamed
   (stream.c); every other format is one page, with a cursor for the next in Link and body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cursor.h"
#include "engine.h"
#include "handlers.h"
#include "http.h"
#include "rowcache.h"
#include "query.h"
#include "text.h"
#include "validate.h"

/* The cursor of the page after row i of r. Caller frees. */
static char *next_cursor(const struct list_req *q, PGresult *r, int i) {
  json_t *pl = json_pack("{s:s,s:s,s:s,s:s}", "r", q->res->name, "s", q->sort.spec, "f",
                         q->filter_hash, "k", PQgetvalue(r, i, 1));
  json_object_set_new(pl, "v",
                      PQgetisnull(r, i, 0) ? json_null() : json_string(PQgetvalue(r, i, 0)));
  char *cur = cursor_encode(app.secret, sizeof app.secret, pl);
  json_decref(pl);
  return cur;
}

bool page_params(struct ctx *c, const char *name, long max, struct page *pg) {
  memset(pg, 0, sizeof *pg);
  pg->limit = 50;
  const char *v = query_get(&c->query, "limit");
  if (v && !long_valid(v, 1, max, &pg->limit))
    return http_bad_param(c, "invalid_query", "invalid value", "limit",
                          "'%s' is not a valid limit: 1 to %ld.", v, max);
  if (!(v = query_get(&c->query, "cursor"))) return true;
  json_t *p = cursor_decode(app.secret, sizeof app.secret, v);
  const char *r = json_string_value(json_object_get(p, "r"));
  json_t *t = json_object_get(p, "t");
  const char *id = json_string_value(json_object_get(p, "i"));
  bool ok = r && strcmp(r, name) == 0 && json_is_integer(t) && id && uuid_valid(id);
  if (ok) {
    snprintf(pg->after_t, sizeof pg->after_t, "%lld", (long long)json_integer_value(t));
    snprintf(pg->after_id, sizeof pg->after_id, "%s", id);
  }
  json_decref(p);
  if (!ok)
    return http_bad_param(
      c, "invalid_cursor", "invalid value", "cursor",
      "This is not a cursor of this list: use the `next` of an earlier answer.");
  return true;
}

char *page_next(struct ctx *c, const char *name, const char *t, const char *id) {
  json_t *cp = json_pack("{s:s,s:I,s:s}", "r", name, "t", (json_int_t)atoll(t), "i", id);
  char *cur = cursor_encode(app.secret, sizeof app.secret, cp);
  json_decref(cp);
  res_link_next(c, cur);
  return cur;
}

void res_link_next(struct ctx *c, const char *cursor) {
  struct buf b;
  buf_init(&b);
  buf_addf(&b, "<%s?", c->req->url_path);
  for (size_t i = 0; i < c->query.n; i++) {
    if (strcmp(c->query.keys[i], "cursor") == 0) continue;
    percent_encode(&b, c->query.keys[i]);
    buf_addc(&b, '=');
    percent_encode(&b, c->query.values[i]);
    buf_addc(&b, '&');
  }
  buf_adds(&b, "cursor=");
  percent_encode(&b, cursor);
  buf_adds(&b, ">; rel=\"next\"");
  http_set_header(c, "Link", b.data);
  buf_free(&b);
}

/* The page's first n rows taken from the row cache, tags giving their ids (column 1) and
   tags (column 2) as read in this statement's snapshot: true when every one was held under
   its tag (body then holds them in q's format); false leaves body as it was. */
static bool render_cached(struct buf *body, const struct list_req *q, const PGresult *tags, int n,
                          double now) {
  const struct resource *r = q->res;
  size_t mark = body->len;
  struct buf one;
  buf_init(&one);
  bool all = true;
  for (int i = 0; i < n && all; i++) {
    const char *id = PQgetvalue(tags, i, 1), *tag = PQgetvalue(tags, i, 2);
    if (q->fmt == FMT_JSON) { /* straight into the body */
      if (i) buf_addc(body, ',');
      all = rowcache_append(app.rows, r->index, id, tag, now, body);
    } else {
      buf_reset(&one);
      all = rowcache_append(app.rows, r->index, id, tag, now, &one);
      if (all) render_json_row(body, r, q->fmt, q->csv, one.data, one.len, i == 0);
    }
  }
  buf_free(&one);
  if (!all) {
    body->len = mark;
    body->data[mark] = '\0';
  } else {
    rowcache_tally(app.rows, (unsigned long long)n, 0);
  }
  return all;
}

/* Row i of rows (sort value, key, tag, representation) rendered, and kept in the row cache. */
static void render_keep(struct buf *body, const struct list_req *q, const PGresult *rows, int i,
                        double now) {
  const struct resource *r = q->res;
  char *json = res_rep_text(r, rows, i);
  size_t len = strlen(json);
  rowcache_put(app.rows, r->index, PQgetvalue(rows, i, 1), PQgetvalue(rows, i, 2), json, len, now);
  render_json_row(body, r, q->fmt, q->csv, json, len, i == 0);
  free(json);
}

/* Runs s: the result, or NULL after answering the failure. */
static PGresult *run_answered(struct ctx *c, struct dbconn *db, struct sqlb *s) {
  PGresult *r = run_plan(db, s);
  if (!r) http_problem_db(c);
  return r;
}

void res_list(struct ctx *c) {
  const struct resource *r = c->res;
  struct list_req q;
  PGresult *rows = NULL, *count = NULL, *extra = NULL;
  char *next = NULL;
  struct buf body, extra_text;
  buf_init(&body);
  buf_init(&extra_text);
  struct sqlb sql;

  /* parse, authorize */
  if (!parse_list(c, &q) || !authorize_list(c, &q)) goto cleanup;
  if (q.fmt == FMT_NDJSON) {
    stream_list(c, &q);
    goto cleanup;
  }

  /* plan and run: the page (one row more tells whether there is a next), its count, and
     the extra member of lists under a parent. A resource whose representation is its row's
     alone asks for the page's ids and tags first, and reads the rows themselves only when
     the row cache lacks one of them under its tag (include/rowcache.h). */
  struct dbconn *db = ctx_db_read(c);
  if (!db) goto cleanup;
  bool cache = r->row_pure && app.rows && q.fields == FIELDS_ALL; /* it holds whole rows */
  double now = cache ? clock_mono() : 0;
  render_list_head(&body, r, q.fmt, q.csv, q.fields);
  if (cache) {
    sqlb_init(&sql);
    plan_page(&sql, &q, q.after_value, q.after_key, q.cursor != NULL, q.limit + 1, PAGE_TAG);
    if (!(rows = run_answered(c, db, &sql))) goto cleanup;
    if (!render_cached(&body, &q, rows, PQntuples(rows) > q.limit ? (int)q.limit : PQntuples(rows),
                       now)) {
      PQclear(rows);
      rows = NULL;
    }
  }
  bool rendered = rows != NULL;
  if (!rows) {
    sqlb_init(&sql);
    plan_page(&sql, &q, q.after_value, q.after_key, q.cursor != NULL, q.limit + 1,
              cache ? PAGE_TAG | PAGE_REP : PAGE_REP);
    if (!(rows = run_answered(c, db, &sql))) goto cleanup;
  }
  long total = -1;
  if (q.count) {
    sqlb_init(&sql);
    plan_count(&sql, &q);
    if (!(count = run_answered(c, db, &sql))) goto cleanup;
    total = atol(PQgetvalue(count, 0, 0));
  }
  if (q.fmt == FMT_JSON && r->list_extra_sql && r->parent) {
    const char *params[] = {c->params[0]};
    if (!(extra = db_exec(db, r->list_extra_sql, 1, params))) {
      http_problem_db(c);
      goto cleanup;
    }
    buf_addf(&extra_text, "\"%s\":%s", r->list_extra_name, PQgetvalue(extra, 0, 0));
  }

  /* render */
  int n = PQntuples(rows);
  if (n > q.limit) {
    n = (int)q.limit;
    next = next_cursor(&q, rows, n - 1);
  }
  for (int i = 0; !rendered && i < n; i++) {
    if (cache) render_keep(&body, &q, rows, i, now);
    else render_row(&body, r, q.fmt, q.csv, rows, i, i == 0, q.fields);
  }
  if (cache && !rendered) rowcache_tally(app.rows, 0, (unsigned long long)n);
  render_list_tail(&body, q.fmt, next, total, extra ? extra_text.data : NULL);
  if ((q.fmt == FMT_CSV || q.fmt == FMT_ICS) && total >= 0) {
    char t[32];
    snprintf(t, sizeof t, "%ld", total);
    http_set_header(c, "X-Total-Count", t);
  }
  if (next) res_link_next(c, next);
  /* A weak ETag of the page as answered (its rows, format, cursor and count): a client
     asking again with it gets 304 when nothing it shows has changed. Weak: the same page
     may differ in bytes that do not matter (none today, but the promise is about
     content). */
  char tag[65], etag[44];
  sha256_hex(body.data, body.len, tag);
  snprintf(etag, sizeof etag, "W/\"%.32s\"", tag);
  http_set_header(c, "ETag", etag);
  const char *inm = ctx_header(c, "If-None-Match");
  if (inm && res_etag_listed(inm, etag + 2, true)) http_respond_empty(c, 304);
  else http_respond_buf(c, 200, render_media_type(q.fmt), &body);

cleanup:
  PQclear(rows);
  PQclear(count);
  PQclear(extra);
  free(next);
  parse_list_free(&q);
  buf_free(&body);
  buf_free(&extra_text);
}
