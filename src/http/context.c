/* The request context: lazy database checkout, query and body checks, responses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "db.h"
#include "buf.h"
#include "http.h"
#include "webhook.h"
#include "mergepatch.h"

#define DEPTH_LIMIT 32

const char *ctx_header(const struct ctx *c, const char *name) {
  return u_map_get_case(c->req->map_header, name);
}

static struct dbconn *checkout(struct ctx *c, struct pool *pool) {
  const char *why = NULL;
  struct dbconn *db = pool_get(pool, app.cfg->pool_timeout_ms, &why);
  if (!db) {
    http_set_header(c, "Retry-After", strcmp(why, "busy") == 0 ? "1" : "5");
    http_problem(c, 503, "service_unavailable", NULL,
                 strcmp(why, "busy") == 0 ? "All database connections are busy; retry shortly."
                                          : "The database is unreachable; retry shortly.");
  }
  return db;
}

struct dbconn *ctx_db(struct ctx *c) {
  if (!c->db) c->db = checkout(c, app.pool);
  /* the writer the change feed names (origin): the caller's key, once authenticated */
  if (c->db && c->authenticated) snprintf(c->db->origin, sizeof c->db->origin, "%s", c->who.key_id);
  /* the trace its changes pass on to webhook deliveries (a malformed one is ignored) */
  const char *tp = ctx_header(c, "traceparent");
  if (c->db && traceparent_valid(tp)) snprintf(c->db->trace, sizeof c->db->trace, "%.55s", tp);
  return c->db;
}

void ctx_release_db(struct ctx *c) {
  if (c->db) pool_put(app.pool, c->db);
  if (c->read_db) pool_put(app.read_pool, c->read_db);
  c->db = c->read_db = NULL;
}

struct dbconn *ctx_db_read(struct ctx *c) {
  if (!app.read_pool) return ctx_db(c);
  if (!c->read_db) c->read_db = checkout(c, app.read_pool);
  return c->read_db;
}

struct dbconn *db_checkout_read(int timeout_ms, const char **why) {
  return pool_get(app.read_pool ? app.read_pool : app.pool, timeout_ms, why);
}

bool ctx_allow_params(struct ctx *c, const char *const *allowed, const char *const *more) {
  json_t *errs = NULL;
  for (size_t i = 0; i < c->query.n; i++) {
    const char *k = c->query.keys[i];
    bool ok = false;
    for (const char *const *a = allowed; a && *a && !ok; a++) ok = strcmp(*a, k) == 0;
    for (const char *const *a = more; a && *a && !ok; a++) ok = strcmp(*a, k) == 0;
    if (!ok) {
      if (!errs) errs = json_array();
      json_array_append_new(errs,
                            json_pack("{s:s,s:s,s:s}", "field", k, "code", "unknown_parameter",
                                      "message", "this endpoint does not take this parameter"));
    }
  }
  if (!errs) return true;
  http_problem(c, 400, "invalid_query", errs, "Unknown query parameter '%s'.",
               json_string_value(json_object_get(json_array_get(errs, 0), "field")));
  return false;
}

static bool media_type_is(const char *ct, const char *type) {
  size_t n = strlen(type);
  if (strncasecmp(ct, type, n) != 0) return false;
  const char *rest = ct + n;
  while (*rest == ' ') rest++;
  if (*rest == '\0') return true;
  if (*rest != ';') return false;
  /* The only parameter we take is charset, and only UTF-8. */
  rest++;
  while (*rest == ' ') rest++;
  return strncasecmp(rest, "charset=utf-8", 13) == 0 ||
         strncasecmp(rest, "charset=\"utf-8\"", 15) == 0;
}

bool ctx_read_json(struct ctx *c, bool patch) {
  /* The intake refused a longer body before reading it (src/http/intake.c); the check stays
     for a caller that reads JSON on a route with a larger limit. */
  if (c->req->binary_body_length > BODY_LIMIT) {
    http_problem(c, 413, "payload_too_large", NULL, "The body is larger than %u bytes.",
                 BODY_LIMIT);
    return false;
  }
  const char *ct = ctx_header(c, "Content-Type");
  bool ok_type = ct && (media_type_is(ct, "application/json") ||
                        (patch && media_type_is(ct, "application/merge-patch+json")));
  if (!ok_type) {
    http_problem(c, 415, "unsupported_media_type", NULL, "Send the body as %s.",
                 patch ? "application/merge-patch+json or application/json" : "application/json");
    return false;
  }
  const char *body = c->req->binary_body;
  size_t n = c->req->binary_body_length;
  if (n == 0) {
    http_problem(c, 400, "malformed_request", NULL,
                 "The body is empty; a JSON object is expected.");
    return false;
  }
  if (memchr(body, '\0', n)) {
    http_problem(c, 400, "malformed_request", NULL, "The body contains a NUL byte.");
    return false;
  }
  if (json_text_depth(body, n, DEPTH_LIMIT) > DEPTH_LIMIT) {
    http_problem(c, 400, "malformed_request", NULL, "The JSON is nested deeper than %d levels.",
                 DEPTH_LIMIT);
    return false;
  }
  json_error_t err;
  c->body = json_loadb(body, n, JSON_REJECT_DUPLICATES, &err);
  if (!c->body) {
    /* jansson rejects invalid UTF-8 and \u0000 too; its message says which. */
    http_problem(c, 400, "malformed_request", NULL,
                 "The body is not valid JSON: %s (line %d, column %d).", err.text, err.line,
                 err.column);
    return false;
  }
  if (!json_is_object(c->body)) {
    http_problem(c, 400, "malformed_request", NULL, "The body must be a JSON object.");
    return false;
  }
  return true;
}

static bool origin_allowed(const char *origin, bool *any) {
  *any = false;
  for (char **o = app.cfg->cors_origins; o && *o; o++) {
    if (strcmp(*o, "*") == 0) {
      *any = true;
      return true;
    }
    if (strcmp(*o, origin) == 0) return true;
  }
  return false;
}

void http_set_header(struct ctx *c, const char *name, const char *value) {
  u_map_put(c->resp->map_header, name, value);
}

/* Headers every answer carries: request id, no content sniffing, CORS for allowed origins. */
static void common_headers(struct ctx *c) {
  http_set_header(c, "X-Request-Id", c->request_id);
  http_set_header(c, "X-Content-Type-Options", "nosniff");
  const char *origin = ctx_header(c, "Origin");
  bool any = false;
  origin_allowed("", &any);
  /* Answers depend on Accept (formats) and, with an origin allow-list, on Origin. */
  http_set_header(c, "Vary", any || !app.cfg->cors_origins[0] ? "Accept" : "Accept, Origin");
  if (origin && origin_allowed(origin, &any)) {
    http_set_header(c, "Access-Control-Allow-Origin", any ? "*" : origin);
    http_set_header(
      c, "Access-Control-Expose-Headers",
      "ETag, Link, Location, Retry-After, X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset");
  }
}

void http_respond(struct ctx *c, int status, const char *content_type, const char *body,
                  size_t len) {
  common_headers(c);
  if (content_type) http_set_header(c, "Content-Type", content_type);
  ulfius_set_binary_body_response(c->resp, (unsigned int)status, body, len);
  c->status = status;
}

void http_respond_buf(struct ctx *c, int status, const char *content_type, struct buf *body) {
  common_headers(c);
  if (content_type) http_set_header(c, "Content-Type", content_type);
  o_free(c->resp->binary_body);
  c->resp->binary_body_length = body->len;
  c->resp->binary_body = buf_steal(body); /* handed over: freed with o_free, which is free */
  c->resp->status = (long)status;
  c->status = status;
}

void http_respond_json(struct ctx *c, int status, const char *body) {
  http_respond(c, status, "application/json", body, strlen(body));
}

void http_respond_empty(struct ctx *c, int status) {
  common_headers(c);
  ulfius_set_empty_body_response(c->resp, (unsigned int)status);
  c->status = status;
}

bool ctx_csv_dialect(struct ctx *c, enum format fmt, enum csv_dialect *out) {
  const char *v = query_get(&c->query, "csv");
  bool known = csv_dialect_parse(v, out);
  if (known && (!v || fmt == FMT_CSV)) return true;
  json_t *errs = json_pack("[{s:s,s:s,s:s}]", "field", "csv", "code", "invalid_value", "message",
                           known ? "only for CSV answers" : "not a CSV dialect");
  if (!known)
    http_problem(
      c, 400, "invalid_query", errs,
      "'%s' is not a CSV dialect: csv=excel (';' separators, decimal commas, a UTF-8 byte order mark) is the one there is.",
      v);
  else
    http_problem(
      c, 400, "invalid_query", errs,
      "csv=%s shapes CSV answers only: ask for CSV too, with format=csv or Accept: text/csv.", v);
  return false;
}
