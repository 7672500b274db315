/* Every error leaves through http_problem(): RFC 9457 problem+json, one shape everywhere. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yder.h>

#include "db.h"
#include "http.h"
#include "text.h"

static const char *title_of(int status) {
  switch (status) {
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 406: return "Not Acceptable";
  case 409: return "Conflict";
  case 410: return "Gone";
  case 412: return "Precondition Failed";
  case 413: return "Content Too Large";
  case 414: return "URI Too Long";
  case 415: return "Unsupported Media Type";
  case 422: return "Unprocessable Content";
  case 429: return "Too Many Requests";
  case 431: return "Request Header Fields Too Large";
  case 503: return "Service Unavailable";
  default: return "Internal Server Error";
  }
}

__attribute__((format(printf, 5, 0))) static void
vproblem(struct ctx *c, int status, const char *code, json_t *errors, const char *fmt, va_list ap) {
  char detail[512];
  utf8_vformat(detail, sizeof detail, fmt, ap);
  char type[64];
  snprintf(type, sizeof type, "urn:grappe:problem:%s", code);
  json_t *p = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s}", "type", type, "title", title_of(status),
                        "status", status, "detail", detail, "instance", c->req->url_path, "code",
                        code, "request_id", c->request_id);
  if (!p) { /* the path was not valid UTF-8: leave instance out */
    p = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s}", "type", type, "title", title_of(status), "status",
                  status, "detail", detail, "code", code, "request_id", c->request_id);
  }
  if (!p)
    p = json_pack("{s:s,s:s,s:i,s:s}", "type", type, "title", title_of(status), "status", status,
                  "code", code);
  if (errors) json_object_set_new(p, "errors", errors);
  if (status == 401 && !u_map_has_key_case(c->resp->map_header, "WWW-Authenticate"))
    http_set_header(c, "WWW-Authenticate", "Bearer realm=\"grappe\"");
  char *text = json_dumps(p, JSON_COMPACT);
  http_respond(c, status, "application/problem+json", text, strlen(text));
  free(text);
  json_decref(p);
}

void http_problem(struct ctx *c, int status, const char *code, json_t *errors, const char *fmt,
                  ...) {
  va_list ap;
  va_start(ap, fmt);
  vproblem(c, status, code, errors, fmt, ap);
  va_end(ap);
}

bool http_bad_param(struct ctx *c, const char *code, const char *message, const char *param,
                    const char *fmt, ...) {
  json_t *errs =
    json_pack("[{s:s,s:s,s:s}]", "field", param, "code", "invalid_value", "message", message);
  va_list ap;
  va_start(ap, fmt);
  vproblem(c, 400, code, errs, fmt, ap);
  va_end(ap);
  return false;
}

void http_problem_outcome_unknown(struct ctx *c) {
  http_set_header(c, "Retry-After", "1");
  http_problem(
    c, 503, "outcome_unknown", NULL,
    "The connection to the database was lost while this write was being committed: whether it took effect "
    "is unknown. Retry with the same Idempotency-Key (the retry gets the first answer if it did, and runs "
    "if it did not), or without one read the resource to check before sending it again.");
}

void http_problem_db(struct ctx *c) {
  const char *state = db_last_sqlstate();
  const char *verb = c->req->http_verb; /* HEAD reads like GET */
  bool reads =
    strcmp(verb, "GET") == 0 || strcmp(verb, "HEAD") == 0 || strcmp(verb, "OPTIONS") == 0;
  if (strcmp(state, "08007") == 0 && !reads) {
    /* A write or a COMMIT in flight when the connection was lost (src/db/pool.c). */
    http_problem_outcome_unknown(c);
  } else if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
             strcmp(state, "57P03") == 0) {
    http_set_header(c, "Retry-After", "5");
    http_problem(c, 503, "service_unavailable", NULL,
                 "The database is unreachable; retry shortly.");
  } else if (strcmp(state, "57014") == 0) {
    http_set_header(c, "Retry-After", "1");
    http_problem(c, 503, "service_unavailable", NULL,
                 "The query took too long and was cancelled; narrow it or retry.");
  } else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
             strcmp(state, "55P03") == 0) {
    http_set_header(c, "Retry-After", "1");
    http_problem(c, 503, "service_unavailable", NULL, "A concurrent change got in the way; retry.");
  } else if (strcmp(state, "GR409") == 0) {
    /* Raised by our own triggers (a refused transition, capacity below the confirmed
       registrations): the message is ours and meant for the caller. */
    const char *msg = db_last_message();
    const char *text = strncmp(msg, "ERROR:  ", 8) == 0 ? msg + 8 : msg;
    http_problem(c, 409, "conflict", NULL, "%.*s", (int)strcspn(text, "\n"), text);
  } else if (strcmp(state, "23505") == 0) {
    http_problem(c, 409, "conflict", NULL,
                 strstr(db_last_message(), "external_ids_pkey")
                   ? "Another record of this kind already holds one of these external ids."
                   : "Another record already holds this unique value.");
  } else if (strcmp(state, "23503") == 0 || strcmp(state, "23514") == 0 ||
             strncmp(state, "22", 2) == 0) {
    /* C validation should have caught it; PostgreSQL's own words stay in the log. */
    y_log_message(Y_LOG_LEVEL_WARNING, "http/problem_db - %s SQLSTATE %s: %s", c->request_id, state,
                  db_last_message());
    http_problem(c, 422, "validation_failed", NULL,
                 "A value is outside what the database accepts (a reference, range or format).");
  } else {
    y_log_message(Y_LOG_LEVEL_ERROR, "http/problem_db - %s unexpected SQLSTATE %s: %s",
                  c->request_id, state, db_last_message());
    http_problem(c, 500, "internal_error", NULL,
                 "Something went wrong on our side; the request id helps us find it.");
  }
}
