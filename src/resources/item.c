/* GET on an item (/v1/clusters/{id}): parse, authorize, run the item's SELECT (built once by
   tables.c), render it as JSON or iCalendar with its ETag, or 304. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "handlers.h"
#include "http.h"
#include "validate.h"

/* The item named by the path: its key, or (external) an external id's namespace and value. */
static void get_item(struct ctx *c, bool external) {
  static const char *const format_param[] = {"format", NULL};
  /* parse: items with another representation (events: iCalendar) take ?format= for links
     that cannot set Accept ("add to my calendar") */
  unsigned formats = FMT_JSON | (c->res->formats & FMT_ICS);
  if (!ctx_allow_params(c, formats != FMT_JSON ? format_param : NULL, NULL)) return;
  const char *fp = formats != FMT_JSON ? query_get(&c->query, "format") : NULL;
  if (!authorize_item(c, OP_READ)) return;
  if (external ? !external_ns_valid(c->params[0], strlen(c->params[0])) ||
                   !external_value_valid(c->params[1])
               : !parse_key(c)) {
    if (external)
      http_problem(c, 404, "not_found", NULL, "No %s with this external id.", c->res->item);
    return;
  }
  if (!fp && !parse_item_accept(c, OP_READ)) return;
  enum format fmt = fmt_negotiate(ctx_header(c, "Accept"), fp, formats);
  if (!fmt) {
    http_problem(c, 406, "not_acceptable", NULL, "This item is available as application/json%s.",
                 formats != FMT_JSON ? " or text/calendar (format=ics)" : "");
    return;
  }

  /* run */
  struct dbconn *db = ctx_db_read(c);
  if (!db) return;
  const char *params[] = {c->params[0], c->params[1]};
  bool anonymous_view = c->res->sql_item_public && c->who.role == ROLE_ANONYMOUS;
  const char *sql =
    external ? (anonymous_view ? c->res->sql_item_external_public : c->res->sql_item_external)
             : (anonymous_view ? c->res->sql_item_public : c->res->sql_item);
  PGresult *r = db_exec(db, sql, external ? 2 : 1, params);
  if (!r) {
    http_problem_db(c);
    return;
  }
  if (PQntuples(r) == 0) {
    http_problem(c, 404, "not_found", NULL, "No %s with this %s.", c->res->item,
                 external ? "external id" : c->res->key);
    PQclear(r);
    return;
  }

  /* render: each representation has its own strong ETag, and If-None-Match is compared
     with the one asked for */
  struct buf b;
  buf_init(&b);
  res_rep_append(&b, c->res, r, 0);
  PQclear(r);
  const char *type = "application/json";
  if (fmt == FMT_ICS) {
    char *json = buf_steal(&b);
    render_ics_item(&b, c->res, json);
    free(json);
    type = "text/calendar; charset=utf-8";
  }
  char etag[40];
  res_etag(b.data, etag);
  http_set_header(c, "ETag", etag);
  const char *inm = ctx_header(c, "If-None-Match");
  if (inm && res_etag_listed(inm, etag, true)) http_respond_empty(c, 304);
  else http_respond_buf(c, 200, type, &b);
  buf_free(&b);
}

void res_get(struct ctx *c) { get_item(c, false); }

void res_get_external(struct ctx *c) { get_item(c, true); }
