/* The server: one route table and the router that every request goes through, in the
   steps the intake (src/http/intake.c, libmicrohttpd on a thread pool) delivers it:
   its headers, then its body. Routing is ours so that 404, 405 + Allow, HEAD, OPTIONS and
   path decoding behave the same everywhere. */
#include <libpq-fe.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <yder.h>

#include "config.h"
#include "db.h"
#include "deliver.h"
#include "handlers.h"
#include "http.h"
#include "webhook.h"
#include "keycache.h"
#include "oidc.h"
#include "rowcache.h"
#include "resource.h"
#include "strv.h"
#include "text.h"

typedef void (*handler_fn)(struct ctx *);

struct route {
  const char *pattern; /* segments; {name} captures one */
  const struct resource *res;
  handler_fn get, post, put, patch, del;
};

static const struct route routes[] = {
  {"/health", NULL, op_health, NULL, NULL, NULL, NULL},
  {"/ready", NULL, op_ready, NULL, NULL, NULL, NULL},
  {"/metrics", NULL, op_metrics, NULL, NULL, NULL, NULL},
  {"/openapi.json", NULL, op_openapi, NULL, NULL, NULL, NULL},
  {"/docs", NULL, op_docs, NULL, NULL, NULL, NULL},
  {"/v1/regions", &resource_regions, res_list, NULL, NULL, NULL, NULL},
  {"/v1/regions/{code}", &resource_regions, res_get, NULL, NULL, NULL, NULL},
  {"/v1/departments", &resource_departments, res_list, NULL, NULL, NULL, NULL},
  {"/v1/departments/{code}", &resource_departments, res_get, NULL, NULL, NULL, NULL},
  {"/v1/clusters", &resource_clusters, res_list, res_create, NULL, NULL, NULL},
  {"/v1/clusters/bulk", &resource_clusters, NULL, bulk_import, NULL, NULL, NULL},
  {"/v1/clusters/external/{ns}/{value}", &resource_clusters, res_get_external, NULL,
   res_upsert_external, NULL, NULL},
  {"/v1/clusters/{id}", &resource_clusters, res_get, NULL, NULL, res_patch, res_delete},
  {"/v1/clusters/{id}/members", &resource_cluster_members, res_list, NULL, NULL, NULL, NULL},
  {"/v1/clusters/{id}/members/{company_id}", &resource_cluster_members, NULL, NULL, link_put, NULL,
   link_delete},
  {"/v1/clusters/{id}/partners", &resource_cluster_partners, res_list, NULL, NULL, NULL, NULL},
  {"/v1/clusters/{id}/partners/{partner_id}", &resource_cluster_partners, NULL, NULL, link_put,
   NULL, link_delete},
  {"/v1/clusters/{id}/indicators", &resource_indicators, res_list, NULL, NULL, NULL, NULL},
  {"/v1/clusters/{id}/indicators/{year}", &resource_indicators, NULL, NULL, link_put, NULL,
   link_delete},
  {"/v1/memberships", &resource_membership_table, res_list, NULL, NULL, NULL, NULL},
  {"/v1/cluster-partners", &resource_cluster_partner_table, res_list, NULL, NULL, NULL, NULL},
  {"/v1/indicators", &resource_indicator_table, res_list, NULL, NULL, NULL, NULL},
  {"/v1/benchmark", NULL, benchmark_get, NULL, NULL, NULL, NULL},
  {"/v1/stats", NULL, stats_get, NULL, NULL, NULL, NULL},
  {"/v1/search", NULL, search_get, NULL, NULL, NULL, NULL},
  {"/v1/companies", &resource_companies, res_list, res_create, NULL, NULL, NULL},
  {"/v1/companies/bulk", &resource_companies, NULL, bulk_import, NULL, NULL, NULL},
  {"/v1/companies/siret/{siret}", &resource_companies, NULL, NULL, res_upsert, NULL, NULL},
  {"/v1/companies/external/{ns}/{value}", &resource_companies, res_get_external, NULL,
   res_upsert_external, NULL, NULL},
  {"/v1/companies/{id}", &resource_companies, res_get, NULL, NULL, res_patch, res_delete},
  {"/v1/companies/{id}/clusters", &resource_company_clusters, res_list, NULL, NULL, NULL, NULL},
  {"/v1/partners", &resource_partners, res_list, res_create, NULL, NULL, NULL},
  {"/v1/partners/bulk", &resource_partners, NULL, bulk_import, NULL, NULL, NULL},
  {"/v1/partners/external/{ns}/{value}", &resource_partners, res_get_external, NULL,
   res_upsert_external, NULL, NULL},
  {"/v1/partners/{id}", &resource_partners, res_get, NULL, NULL, res_patch, res_delete},
  {"/v1/memberships/bulk", &resource_cluster_members, NULL, bulk_import, NULL, NULL, NULL},
  {"/v1/changes", NULL, changes_feed, NULL, NULL, NULL, NULL},
  {"/v1/keys", NULL, keys_list, keys_create, NULL, NULL, NULL},
  {"/v1/keys/{id}", NULL, key_get, NULL, NULL, NULL, key_delete},
  {"/v1/keys/{id}/rotate", NULL, NULL, key_rotate, NULL, NULL, NULL},
  {"/v1/webhooks", NULL, webhooks_list, webhooks_create, NULL, NULL, NULL},
  {"/v1/webhooks/{id}", NULL, webhook_get, NULL, NULL, webhook_patch, webhook_delete},
  {"/v1/webhooks/{id}/rotate-secret", NULL, NULL, webhook_rotate, NULL, NULL, NULL},
  {"/v1/webhooks/{id}/test", NULL, NULL, webhook_test, NULL, NULL, NULL},
  {"/v1/webhooks/{id}/replay", NULL, NULL, webhook_replay, NULL, NULL, NULL},
  {"/v1/webhooks/{id}/deliveries", NULL, webhook_deliveries, NULL, NULL, NULL, NULL},
  {"/v1/projects", &resource_projects, res_list, res_create, NULL, NULL, NULL},
  {"/v1/projects/bulk", &resource_projects, NULL, bulk_import, NULL, NULL, NULL},
  {"/v1/projects/external/{ns}/{value}", &resource_projects, res_get_external, NULL,
   res_upsert_external, NULL, NULL},
  {"/v1/projects/{id}", &resource_projects, res_get, NULL, NULL, res_patch, res_delete},
  {"/v1/projects/{id}/clusters/{cluster_id}", &resource_projects, NULL, NULL, project_cluster_put,
   NULL, project_cluster_delete},
  {"/v1/events", &resource_events, res_list, res_create, NULL, NULL, NULL},
  {"/v1/events/bulk", &resource_events, NULL, bulk_import, NULL, NULL, NULL},
  {"/v1/events/external/{ns}/{value}", &resource_events, res_get_external, NULL,
   res_upsert_external, NULL, NULL},
  {"/v1/events/{id}", &resource_events, res_get, NULL, NULL, res_patch, res_delete},
  {"/v1/events/{id}/registrations", &resource_registrations, res_list, registration_create, NULL,
   NULL, NULL},
  {"/v1/events/{id}/registrations/{registration_id}", &resource_registrations, NULL, NULL, NULL,
   NULL, registration_delete},
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* The listener of GRAPPE_METRICS_BIND serves these, to anyone who reaches it. */
static void metrics_open(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL)) return;
  http_metrics_render(c);
}

static const struct route metrics_routes[] = {
  {"/health", NULL, op_health, NULL, NULL, NULL, NULL},
  {"/metrics", NULL, metrics_open, NULL, NULL, NULL, NULL},
};
#define NMETRICS_ROUTES (sizeof metrics_routes / sizeof metrics_routes[0])

/* Limits of the request line and headers (SPEC: limits). Past libmicrohttpd's own memory
   for them (32 KiB per connection), it answers 414 or 431 itself, without a problem body. */
#define QUERY_MAX_BYTES 8192
#define HEADERS_MAX_BYTES 16384

struct app app;

/* Matches path against a pattern; fills params with decoded captures (caller frees). */
static bool route_match(const char *pattern, const char *path, char **params) {
  int np = 0;
  const char *p = pattern, *s = path;
  while (*p && *s) {
    if (*p == '{') {
      const char *pend = strchr(p, '}');
      const char *send = strchr(s, '/');
      if (!send) send = s + strlen(s);
      if (send == s || np == MAX_PATH_PARAMS) goto fail;
      params[np] = percent_decode(s, (size_t)(send - s), false);
      if (!params[np]) goto fail; /* undecodable: no such resource */
      np++;
      p = pend + 1;
      s = send;
    } else if (*p == *s) {
      p++;
      s++;
    } else {
      goto fail;
    }
  }
  if (*p == '\0' && *s == '\0') return true;
fail:
  for (int i = 0; i < np; i++) {
    free(params[i]);
    params[i] = NULL;
  }
  return false;
}

static void allow_header(const struct route *r, char *out, size_t n) {
  snprintf(out, n, "%s%s%s%s%sOPTIONS", r->get ? "GET, HEAD, " : "", r->post ? "POST, " : "",
           r->put ? "PUT, " : "", r->patch ? "PATCH, " : "", r->del ? "DELETE, " : "");
}

static handler_fn pick(const struct route *r, const char *method) {
  if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) return r->get;
  if (strcmp(method, "POST") == 0) return r->post;
  if (strcmp(method, "PUT") == 0) return r->put;
  if (strcmp(method, "PATCH") == 0) return r->patch;
  if (strcmp(method, "DELETE") == 0) return r->del;
  return NULL;
}

static bool request_id_ok(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > 63) return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          strchr("-_.:", *p)))
      return false;
  return true;
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

void router_begin(struct ctx *c, const struct _u_request *req, struct _u_response *resp,
                  bool metrics_listener) {
  memset(c, 0, sizeof *c);
  c->req = req;
  c->resp = resp;
  c->metrics_listener = metrics_listener;
  const char *rid = u_map_get_case(req->map_header, "X-Request-Id");
  if (request_id_ok(rid)) snprintf(c->request_id, sizeof c->request_id, "%s", rid);
  else uuid_v4(c->request_id);
  const struct route *table = metrics_listener ? metrics_routes : routes;
  size_t n = metrics_listener ? NMETRICS_ROUTES : NROUTES;
  for (size_t i = 0; i < n && !c->route; i++)
    if (route_match(table[i].pattern, req->url_path, c->params)) c->route = &table[i];
  if (c->route) c->res = c->route->res;
  /* /v1/keys: an answer may hold a new key (apikeys.c); none of them, errors and answers
     given before the handler runs included, is to be kept by a browser or a proxy */
  if (c->route && strncmp(c->route->pattern, "/v1/keys", 8) == 0)
    http_set_header(c, "Cache-Control", "no-store");
}

/* ---- bodies: judged from the headers, before any byte of them ---- */

static const char *const JSON_TYPES[] = {"application/json", NULL};
static const char *const PATCH_TYPES[] = {"application/merge-patch+json", "application/json", NULL};
static const char *const BULK_TYPES[] = {"application/x-ndjson", "application/json", "text/csv",
                                         NULL};

static bool takes_body(const char *verb) {
  return strcmp(verb, "POST") == 0 || strcmp(verb, "PUT") == 0 || strcmp(verb, "PATCH") == 0;
}

/* A bulk import (a path ending in /bulk) takes 64 MiB. */
static bool is_bulk(const struct route *r) {
  size_t n = strlen(r->pattern);
  return n > 5 && strcmp(r->pattern + n - 5, "/bulk") == 0;
}

/* The media types a route's method reads; the handler checks the parameters (charset). */
static const char *const *body_types(const struct route *r, const char *verb) {
  if (is_bulk(r)) return BULK_TYPES;
  return strcmp(verb, "PATCH") == 0 ? PATCH_TYPES : JSON_TYPES;
}

/* Is ct (a Content-Type value) one of types, parameters aside? */
static bool type_in(const char *ct, const char *const *types) {
  while (*ct == ' ' || *ct == '\t') ct++;
  size_t n = strcspn(ct, "; \t");
  for (; *types; types++)
    if (strlen(*types) == n && strncasecmp(ct, *types, n) == 0) return true;
  return false;
}

/* A body, judged from the headers: may this caller write here, does its declared length
   fit, is its type one the route reads? Answers 401/403/413/415 when not. A body of a
   method that takes none (GET, DELETE) is only held to the limit. Registrations are open
   to anyone. */
static void judge_body(struct ctx *c, handler_fn h, bool takes, unsigned long long declared,
                       size_t limit) {
  bool open = h == registration_create;
  /* a reader key holds webhooks of its own */
  bool readers = strncmp(c->route->pattern, "/v1/webhooks", 12) == 0;
  if (takes && !open && c->who.role == ROLE_ANONYMOUS) {
    ctx_deny(c, 401, "Writing here needs an API key.");
  } else if (takes && !open && !readers && c->who.role == ROLE_READER) {
    ctx_deny(c, 403, "A reader key does not write here.");
  } else if (declared != ULLONG_MAX && declared > limit) {
    http_problem(c, 413, "payload_too_large", NULL,
                 "The body is %llu bytes; this route takes at most %zu.", declared, limit);
  } else if (takes) {
    const char *const *types = body_types(c->route, c->req->http_verb);
    const char *ct = ctx_header(c, "Content-Type");
    if (ct && type_in(ct, types)) return;
    char list[128];
    snprintf(list, sizeof list, "%s%s%s", types[0], types[1] ? " or " : "",
             types[1] ? types[1] : "");
    if (!ct)
      http_problem(c, 415, "unsupported_media_type", NULL,
                   "The body has no Content-Type; send it as %s.", list);
    else
      http_problem(c, 415, "unsupported_media_type", NULL, "This route reads %s, not %.*s.", list,
                   (int)strcspn(ct, "; \t"), ct);
  }
}

bool router_headers(struct ctx *c, bool has_body, unsigned long long declared, size_t *limit,
                    bool *keep) {
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  const struct _u_request *req = c->req;
  const char *qs = strchr(req->http_url, '?');
  const char *bad = NULL;
  char *bad_key = NULL;
  *limit = c->route && is_bulk(c->route) ? BULK_BODY_LIMIT : BODY_LIMIT;
  *keep = false;

  size_t header_bytes = 0;
  const char **names = u_map_enum_keys(req->map_header),
             **values = u_map_enum_values(req->map_header);
  for (size_t i = 0; names && values && names[i]; i++)
    header_bytes += strlen(names[i]) + strlen(values[i]) + 4;
  if (qs && strlen(qs + 1) > QUERY_MAX_BYTES) {
    http_problem(c, 414, "uri_too_long", NULL, "The query string is longer than %d bytes.",
                 QUERY_MAX_BYTES);
  } else if (header_bytes > HEADERS_MAX_BYTES) {
    http_problem(c, 431, "header_fields_too_large", NULL,
                 "The request's headers are longer than %d bytes in all.", HEADERS_MAX_BYTES);
  } else if (!query_parse(qs ? qs + 1 : NULL, &c->query, &bad, &bad_key)) {
    json_t *errs = json_pack("[{s:s,s:s,s:s}]", "field", bad_key ? bad_key : "query", "code",
                             "invalid_format", "message", bad);
    http_problem(c, 400, "invalid_query", errs, "The query string is malformed: %s.", bad);
    free(bad_key);
  } else if (!c->route) {
    http_problem(c, 404, "not_found", NULL,
                 c->metrics_listener
                   ? "This address serves /metrics and /health only."
                   : "No resource at this path. The API lives under /v1; see /docs.");
  } else if (strcmp(req->http_verb, "OPTIONS") == 0) {
    char allow[96];
    allow_header(c->route, allow, sizeof allow);
    http_set_header(c, "Allow", allow);
    if (ctx_header(c, "Origin") && ctx_header(c, "Access-Control-Request-Method")) {
      http_set_header(c, "Access-Control-Allow-Methods", allow);
      http_set_header(
        c, "Access-Control-Allow-Headers",
        "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id, X-Cancel-Token");
      http_set_header(c, "Access-Control-Max-Age", "600");
    }
    http_respond_empty(c, 204);
  } else {
    handler_fn h = pick(c->route, req->http_verb);
    if (!h) {
      char allow[96];
      allow_header(c->route, allow, sizeof allow);
      http_set_header(c, "Allow", allow);
      http_problem(c, 405, "method_not_allowed", NULL, "%s is not allowed here; allowed: %s.",
                   req->http_verb, allow);
    } else if (strncmp(c->route->pattern, "/v1", 3) == 0 && !ctx_rate_limit_caller(c)) {
      /* /v1: every caller within its rate (the operational routes are not limited) */
    } else if (has_body) {
      *keep = takes_body(req->http_verb);
      judge_body(c, h, *keep, declared, *limit);
    }
  }
  /* No database connection is held while a body arrives, however slowly. */
  if (has_body && c->db) {
    pool_put(app.pool, c->db);
    c->db = NULL;
  }
  if (has_body && c->read_db) {
    pool_put(app.read_pool, c->read_db);
    c->read_db = NULL;
  }
  c->busy += seconds_since(&t0);
  return c->status == 0;
}

void router_body(struct ctx *c, bool too_large) {
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (too_large) {
    http_problem(c, 413, "payload_too_large", NULL,
                 "The body is larger than %u bytes, the most this route takes.",
                 is_bulk(c->route) ? BULK_BODY_LIMIT : BODY_LIMIT);
  } else {
    handler_fn h = pick(c->route, c->req->http_verb);
    struct idem_state idem_state;
    /* POST, and PUT: an upsert retried after a timeout gets its first answer (201) again */
    bool keyed = strcmp(c->req->http_verb, "POST") == 0 || strcmp(c->req->http_verb, "PUT") == 0;
    /* except where the answer holds a new API key, which is never kept (apikeys.c) */
    keyed = keyed && strncmp(c->route->pattern, "/v1/keys", 8) != 0;
    enum idem idem = keyed ? http_idempotency_begin(c, &idem_state) : IDEM_NONE;
    if (idem != IDEM_ANSWERED) {
      c->parked = false;
      h(c);
      if (!c->status && !c->parked)
        http_problem(c, 500, "internal_error", NULL, "The server produced no answer.");
      if (idem == IDEM_FIRST) http_idempotency_end(c);
    }
  }
  c->busy += seconds_since(&t0);
}

void router_resume(struct ctx *c) {
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  c->parked = false;
  pick(c->route, c->req->http_verb)(c); /* a GET (only the feed parks), as before */
  if (!c->status && !c->parked)
    http_problem(c, 500, "internal_error", NULL, "The server produced no answer.");
  c->busy += seconds_since(&t0);
}

void router_end(struct ctx *c, bool answered) {
  if (answered) {
    const char *route_name = c->route ? c->route->pattern : "unmatched";
    http_metrics_record(route_name, c->req->http_verb, c->status, c->busy);
    if (app.access_log) /* yder formats (twice) and allocates even the messages it drops */
    {
      const char *tp = ctx_header(c, "traceparent");
      bool traced = traceparent_valid(tp);
      y_log_message(Y_LOG_LEVEL_INFO, "access - %s %s %s %d %.1fms key=%s trace=%.32s",
                    c->request_id, c->req->http_verb, route_name, c->status, c->busy * 1000.0,
                    c->who.key_id[0] ? c->who.key_id : "-", traced ? tp + 3 : "-");
    }
  }
  /* Everything the request held is released here, in one place. */
  if (c->db) pool_put(app.pool, c->db);
  if (c->read_db) pool_put(app.read_pool, c->read_db);
  c->db = c->read_db = NULL;
  for (int i = 0; i < MAX_PATH_PARAMS; i++) {
    free(c->params[i]);
    c->params[i] = NULL;
  }
  query_free(&c->query);
  json_decref(c->body);
  c->body = NULL;
  strv_free(c->who.clusters);
  c->who.clusters = NULL;
}

static unsigned long level_of(const char *name) {
  if (strcmp(name, "error") == 0) return Y_LOG_LEVEL_ERROR;
  if (strcmp(name, "warning") == 0) return Y_LOG_LEVEL_WARNING;
  if (strcmp(name, "debug") == 0) return Y_LOG_LEVEL_DEBUG;
  return Y_LOG_LEVEL_INFO;
}

/* The cursor secret: GRAPPE_SECRET, or one generated once and kept in the database so that
   every process behind a load balancer signs alike. */
static bool load_secret(const struct config *cfg) {
  if (cfg->secret) {
    sha256_raw(cfg->secret, strlen(cfg->secret), app.secret);
    return true;
  }
  const char *why = NULL;
  struct dbconn *c = pool_get(app.pool, 10000, &why);
  if (!c) return false;
  unsigned char raw[32];
  char hex[65];
  if (!random_bytes(raw, sizeof raw)) {
    pool_put(app.pool, c);
    return false;
  }
  sha256_hex(raw, sizeof raw, hex);
  const char *params[] = {hex};
  PGresult *r = db_exec(
    c,
    "WITH ins AS (INSERT INTO settings (key, value) VALUES ('cursor_secret', $1) ON CONFLICT (key) DO NOTHING RETURNING value) "
    "SELECT value FROM ins UNION ALL SELECT value FROM settings WHERE key = 'cursor_secret'",
    1, params);
  bool ok = r && PQntuples(r) > 0;
  if (ok) sha256_raw(PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)), app.secret);
  PQclear(r);
  pool_put(app.pool, c);
  return ok;
}

/* An IPv4 address and port as a socket address; false when it is not one. */
static bool ipv4_address(const char *host, int port, struct sockaddr_in *addr) {
  memset(addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_port = htons((uint16_t)port);
  return inet_pton(AF_INET, host, &addr->sin_addr) == 1;
}

int server_run(const struct config *cfg) {
  y_init_logs("grappe", Y_LOG_MODE_CONSOLE, level_of(cfg->log_level), NULL, "grappe starting");
  int rc = 1;
  struct MHD_Daemon *api = NULL, *metrics = NULL;
  int api_socket = -1, metrics_socket = -1;
  memset(&app, 0, sizeof app);
  app.cfg = cfg;
  app.access_log =
    level_of(cfg->log_level) == Y_LOG_LEVEL_INFO || level_of(cfg->log_level) == Y_LOG_LEVEL_DEBUG;
  app.pool = pool_new(cfg->database_url, cfg->db_pool, cfg->statement_timeout_ms, cfg->db_prepare);
  if (cfg->database_read_url) {
    app.read_pool =
      pool_new(cfg->database_read_url, cfg->db_pool, cfg->statement_timeout_ms, cfg->db_prepare);
    pool_set_read_only(app.read_pool);
  }
  app.keys = keycache_new();
  app.oidc =
    oidc_new(cfg->oidc_issuers, cfg->oidc_audience, cfg->oidc_role_claim, cfg->oidc_clusters_claim);
  app.rows = rowcache_new((size_t)cfg->row_cache_mb << 20);

  /* The schema must be current and the reference data loaded before serving. */
  const char *why = NULL;
  struct dbconn *c = pool_get(app.pool, 10000, &why);
  if (!c) {
    y_log_message(Y_LOG_LEVEL_ERROR, "server - database unreachable");
    goto out;
  }
  int current = migrate_current(c);
  bool refs = current == migrate_latest() && reference_load(c);
  pool_put(app.pool, c);
  if (current != migrate_latest()) {
    y_log_message(Y_LOG_LEVEL_ERROR,
                  "server - schema at version %d, this binary needs %d: run `grappe migrate`",
                  current, migrate_latest());
    goto out;
  }
  if (!refs || !load_secret(cfg)) {
    y_log_message(Y_LOG_LEVEL_ERROR, "server - cannot load reference data or secret");
    goto out;
  }
  res_init();

  struct sockaddr_in addr, metrics_addr;
  if (!ipv4_address(cfg->bind, cfg->port, &addr)) {
    y_log_message(Y_LOG_LEVEL_ERROR, "server - GRAPPE_BIND must be an IPv4 address, got %s",
                  cfg->bind);
    goto out;
  }
  char metrics_host[64];
  int metrics_port = 0;
  if (cfg->metrics_bind &&
      (!config_host_port(cfg->metrics_bind, metrics_host, sizeof metrics_host, &metrics_port) ||
       !ipv4_address(metrics_host, metrics_port, &metrics_addr))) {
    y_log_message(Y_LOG_LEVEL_ERROR,
                  "server - GRAPPE_METRICS_BIND must be an IPv4 address and a port, got %s",
                  cfg->metrics_bind);
    goto out;
  }

  /* SIGINT and SIGTERM are blocked in every thread (MHD's inherit the mask) and taken by
     sigwait below, so no worker is interrupted by them. */
  (void)signal(SIGPIPE, SIG_IGN);
  sigset_t stop_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGINT);
  sigaddset(&stop_set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_set, NULL);

  /* Started after the mask, which its thread inherits. The CLI commands start none. */
  app.keylisten = keylisten_start(
    cfg->database_listen_url ? cfg->database_listen_url : cfg->database_url, app.keys);
  if (!deliver_start(cfg->database_url))
    y_log_message(Y_LOG_LEVEL_ERROR, "server - cannot start the webhook workers");
  if (!feedwait_start(changes_head))
    y_log_message(Y_LOG_LEVEL_ERROR, "server - cannot start the thread of the feed's long polls");
  if (!app.keylisten)
    y_log_message(Y_LOG_LEVEL_ERROR,
                  "server - cannot start the listener of key changes: keys are kept %.1f s",
                  KEYCACHE_SHORT_TTL);

  api = intake_listen(cfg, &addr, false);
  if (!api) {
    y_log_message(Y_LOG_LEVEL_ERROR, "server - cannot listen on %s:%d", cfg->bind, cfg->port);
    goto out;
  }
  if (cfg->metrics_bind && !(metrics = intake_listen(cfg, &metrics_addr, true))) {
    y_log_message(Y_LOG_LEVEL_ERROR, "server - cannot listen on %s (GRAPPE_METRICS_BIND)",
                  cfg->metrics_bind);
    goto out;
  }
  y_log_message(Y_LOG_LEVEL_INFO, "server - listening on http://%s:%d (%d threads, %d connections)",
                cfg->bind, cfg->port, cfg->threads, cfg->db_pool);
  if (metrics)
    y_log_message(Y_LOG_LEVEL_INFO, "server - /metrics and /health on http://%s",
                  cfg->metrics_bind);
  int sig = 0;
  sigwait(&stop_set, &sig);
  y_log_message(Y_LOG_LEVEL_INFO, "server - %s received, finishing requests in flight",
                strsignal(sig));
  /* From here, every answer says Connection: close, and its connection closes after it. */
  app.stopping = 1;
  /* Stop accepting (the listening sockets are shut down: new connections are refused, not
     left waiting in the backlog), give requests in flight up to GRAPPE_SHUTDOWN_TIMEOUT_MS to
     be answered to the end (streams too), then stop. */
  api_socket = intake_quiesce(api);
  metrics_socket = intake_quiesce(metrics);
  feedwait_release(); /* long polls answer now (their handler sees app.stopping) */
  for (int waited = 0; waited < cfg->shutdown_timeout_ms && intake_requests() > 0; waited += 10)
    usleep(10000);
  if (intake_requests() > 0)
    y_log_message(Y_LOG_LEVEL_WARNING,
                  "server - %d request(s) still unfinished after %d ms: stopping anyway",
                  intake_requests(), cfg->shutdown_timeout_ms);
  rc = 0;
out:
  /* (also when the start failed half-way: no long poll may stay suspended into
     MHD_stop_daemon, which aborts on one) */
  app.stopping = 1;
  feedwait_release();
  intake_stop(metrics);
  intake_stop(api);
  if (metrics_socket >= 0) close(metrics_socket);
  if (api_socket >= 0) close(api_socket);
  intake_free();
  feedwait_stop();
  deliver_stop();
  keylisten_stop(app.keylisten);
  keycache_free(app.keys);
  oidc_free(app.oidc);
  rowcache_free(app.rows);
  res_free();
  pool_free(app.pool);
  pool_free(app.read_pool);
  y_close_logs();
  return rc;
}
