/* Operational endpoints: liveness, readiness, metrics, the OpenAPI document, the docs. */
#include <string.h>

#include "db.h"
#include "embedded.h"
#include "handlers.h"
#include "http.h"

void op_health(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL)) return;
  http_respond_json(c, 200, "{\"status\":\"ok\"}");
}

/* Ready when the database (and the read replica, if any) answers with the current schema. */
void op_ready(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL)) return;
  for (int replica = 0; replica < (app.read_pool ? 2 : 1); replica++) {
    struct dbconn *db = replica ? ctx_db_read(c) : ctx_db(c);
    if (!db) return;
    int v = migrate_current(db);
    if (v < 0) {
      http_problem_db(c);
      return;
    }
    if (v != migrate_latest()) {
      http_set_header(c, "Retry-After", "5");
      http_problem(c, 503, "service_unavailable", NULL,
                   "The schema of the %s is at version %d; this server needs %d.",
                   replica ? "read replica" : "database", v, migrate_latest());
      return;
    }
  }
  http_respond_json(c, 200, "{\"status\":\"ready\"}");
}

/* Routes, volumes and error rates are the operator's: admin keys only (401 without a key,
   403 for another role). */
void op_metrics(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !ctx_auth(c)) return;
  if (c->who.role != ROLE_ADMIN) {
    ctx_deny(c, c->who.role == ROLE_ANONYMOUS ? 401 : 403, "The metrics are for admin keys.");
    return;
  }
  http_metrics_render(c);
}

void op_openapi(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL)) return;
  http_respond(c, 200, "application/json", embedded_openapi_json, embedded_openapi_json_len);
}

void op_docs(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL)) return;
  http_respond(c, 200, "text/html; charset=utf-8", embedded_docs_html, embedded_docs_html_len);
}
