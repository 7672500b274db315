/* GET on a list (/v1/companies?...): parse, authorize, plan, run, render. NDJSON is streamed
   (stream.c); every other format is one page, with a cursor for the next in Link and body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "engine.h"
#include "handlers.h"
#include "http.h"
#include "text.h"

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

/* The Link to the next page: this request's query with the new cursor. */
static void link_next(struct ctx *c, const char *cursor) {
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
     the extra member of lists under a parent */
  struct dbconn *db = ctx_db_read(c);
  if (!db) goto cleanup;
  sqlb_init(&sql);
  plan_page(&sql, &q, q.after_value, q.after_key, q.cursor != NULL, q.limit + 1);
  if (!(rows = run_answered(c, db, &sql))) goto cleanup;
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
  render_list_head(&body, r, q.fmt, q.csv);
  for (int i = 0; i < n; i++) render_row(&body, r, q.fmt, q.csv, rows, i, i == 0);
  render_list_tail(&body, q.fmt, next, total, extra ? extra_text.data : NULL);
  if ((q.fmt == FMT_CSV || q.fmt == FMT_ICS) && total >= 0) {
    char t[32];
    snprintf(t, sizeof t, "%ld", total);
    http_set_header(c, "X-Total-Count", t);
  }
  if (next) link_next(c, next);
  http_respond_buf(c, 200, render_media_type(q.fmt), &body);

cleanup:
  PQclear(rows);
  PQclear(count);
  PQclear(extra);
  free(next);
  parse_list_free(&q);
  buf_free(&body);
  buf_free(&extra_text);
}
