/* The server: one route table, one dispatcher for every request, Ulfius on an epoll
   thread pool. Ulfius sees a single default endpoint; routing is ours so that 404, 405 +
   Allow, HEAD, OPTIONS and path decoding behave the same everywhere. */
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
#include "http.h"
#include "resource.h"
#include "text.h"

typedef void (*handler_fn)(struct ctx *);

struct route {
  const char *pattern;            /* segments; {name} captures one */
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
  {"/v1/clusters/{id}", &resource_clusters, res_get, NULL, NULL, res_patch, res_delete},
  {"/v1/clusters/{id}/members", &resource_cluster_members, res_list, NULL, NULL, NULL, NULL},
  {"/v1/clusters/{id}/members/{company_id}", &resource_cluster_members, NULL, NULL, link_put, NULL, link_delete},
  {"/v1/clusters/{id}/partners", &resource_cluster_partners, res_list, NULL, NULL, NULL, NULL},
  {"/v1/clusters/{id}/partners/{partner_id}", &resource_cluster_partners, NULL, NULL, link_put, NULL, link_delete},
  {"/v1/clusters/{id}/indicators", &resource_indicators, res_list, NULL, NULL, NULL, NULL},
  {"/v1/clusters/{id}/indicators/{year}", &resource_indicators, NULL, NULL, link_put, NULL, link_delete},
  {"/v1/benchmark", NULL, benchmark_get, NULL, NULL, NULL, NULL},
  {"/v1/stats", NULL, stats_get, NULL, NULL, NULL, NULL},
  {"/v1/search", NULL, search_get, NULL, NULL, NULL, NULL},
  {"/v1/companies", &resource_companies, res_list, res_create, NULL, NULL, NULL},
  {"/v1/companies/bulk", &resource_companies, NULL, companies_bulk, NULL, NULL, NULL},
  {"/v1/companies/siret/{siret}", &resource_companies, NULL, NULL, res_upsert, NULL, NULL},
  {"/v1/companies/{id}", &resource_companies, res_get, NULL, NULL, res_patch, res_delete},
  {"/v1/companies/{id}/clusters", &resource_company_clusters, res_list, NULL, NULL, NULL, NULL},
  {"/v1/partners", &resource_partners, res_list, res_create, NULL, NULL, NULL},
  {"/v1/partners/{id}", &resource_partners, res_get, NULL, NULL, res_patch, res_delete},
  {"/v1/changes", NULL, changes_feed, NULL, NULL, NULL, NULL},
  {"/v1/projects", &resource_projects, res_list, res_create, NULL, NULL, NULL},
  {"/v1/projects/{id}", &resource_projects, res_get, NULL, NULL, res_patch, res_delete},
  {"/v1/events", &resource_events, res_list, res_create, NULL, NULL, NULL},
  {"/v1/events/{id}", &resource_events, res_get, NULL, NULL, res_patch, res_delete},
  {"/v1/events/{id}/registrations", &resource_registrations, res_list, registration_create, NULL, NULL, NULL},
  {"/v1/events/{id}/registrations/{registration_id}", &resource_registrations, NULL, NULL, NULL, NULL, registration_delete},
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* Limits of the request line and headers (SPEC: limits). Past libmicrohttpd's own memory
   for them (32 KiB per connection), it answers 414 or 431 itself, without a problem body. */
#define QUERY_MAX_BYTES 8192
#define HEADERS_MAX_BYTES 16384

struct app app;
/* Requests that libmicrohttpd has begun (their request line read) and not yet finished
   (answer sent, stream included, or connection gone): a graceful stop waits for them. */
static _Atomic int in_flight;

/* libmicrohttpd 0.9.75 parses the query string's arguments into the connection's memory
   (MHD_OPTION_CONNECTION_MEMORY_LIMIT) right after this callback; past some 300 of them it
   runs out and gives the request up without an answer or its completion callback: the
   connection hangs until its timeout and Ulfius's state for the request is never freed
   (found by tests/http/test_http_fuzz.py). Grappe reads the query from Ulfius's copy of the
   URL, made just before, so the arguments libmicrohttpd keeps are cut short here, in the
   request line it is about to parse (its own buffer, which it hands over as const). */
#define MHD_ARGUMENTS_KEPT 64

static void *request_begun(void *cls, const char *uri) {
  in_flight++;
  void *info = ulfius_uri_logger(cls, uri);
  char *args = strchr(uri, '?');
  for (int n = 0; args && *args; args++)
    if (*args == '&' && ++n == MHD_ARGUMENTS_KEPT) {
      *args = '\0';
      break;
    }
  return info;
}

static void request_finished(void *cls, struct MHD_Connection *conn, void **con_cls,
                             enum MHD_RequestTerminationCode toe) {
  in_flight--;
  mhd_request_completed(cls, conn, con_cls, toe);
}

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
  for (int i = 0; i < np; i++) { free(params[i]); params[i] = NULL; }
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
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.:", *p)))
      return false;
  return true;
}

static int dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data) {
  (void)user_data;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct ctx c;
  memset(&c, 0, sizeof c);
  c.req = req;
  c.resp = resp;
  c.method = strcmp(req->http_verb, "HEAD") == 0 ? "GET" : req->http_verb;
  const char *rid = u_map_get_case(req->map_header, "X-Request-Id");
  if (request_id_ok(rid)) snprintf(c.request_id, sizeof c.request_id, "%s", rid);
  else uuid_v4(c.request_id);
  const char *route_name = "unmatched";

  const char *qs = strchr(req->http_url, '?');
  const char *bad = NULL;
  char *bad_key = NULL;
  for (size_t i = 0; i < NROUTES && !c.route; i++)
    if (route_match(routes[i].pattern, req->url_path, c.params)) c.route = &routes[i];
  if (c.route) {
    route_name = c.route->pattern;
    c.res = c.route->res;
  }

  size_t header_bytes = 0;
  const char **names = u_map_enum_keys(req->map_header), **values = u_map_enum_values(req->map_header);
  for (size_t i = 0; names && values && names[i]; i++) header_bytes += strlen(names[i]) + strlen(values[i]) + 4;
  if (qs && strlen(qs + 1) > QUERY_MAX_BYTES) {
    problem(&c, 414, "uri_too_long", NULL, "The query string is longer than %d bytes.", QUERY_MAX_BYTES);
  } else if (header_bytes > HEADERS_MAX_BYTES) {
    problem(&c, 431, "header_fields_too_large", NULL, "The request's headers are longer than %d bytes in all.",
            HEADERS_MAX_BYTES);
  } else if (!query_parse(qs ? qs + 1 : NULL, &c.query, &bad, &bad_key)) {
    json_t *errs = json_pack("[{s:s,s:s,s:s}]", "field", bad_key ? bad_key : "query", "code", "invalid_format", "message", bad);
    problem(&c, 400, "invalid_query", errs, "The query string is malformed: %s.", bad);
    free(bad_key);
  } else if (!c.route) {
    problem(&c, 404, "not_found", NULL, "No resource at this path. The API lives under /v1; see /docs.");
  } else if (strcmp(req->http_verb, "OPTIONS") == 0) {
    char allow[96];
    allow_header(c.route, allow, sizeof allow);
    set_header(&c, "Allow", allow);
    if (ctx_header(&c, "Origin") && ctx_header(&c, "Access-Control-Request-Method")) {
      set_header(&c, "Access-Control-Allow-Methods", allow);
      set_header(&c, "Access-Control-Allow-Headers",
                 "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id, X-Cancel-Token");
      set_header(&c, "Access-Control-Max-Age", "600");
    }
    respond_empty(&c, 204);
  } else {
    handler_fn h = pick(c.route, req->http_verb);
    if (!h) {
      char allow[96];
      allow_header(c.route, allow, sizeof allow);
      set_header(&c, "Allow", allow);
      problem(&c, 405, "method_not_allowed", NULL, "%s is not allowed here; allowed: %s.", req->http_verb, allow);
    } else {
      struct idem_state idem_state;
      /* /v1: every caller within its rate (the operational routes are not limited) */
      bool limited = strncmp(c.route->pattern, "/v1", 3) == 0 && !ctx_rate_limit_caller(&c);
      enum idem idem = limited ? IDEM_ANSWERED
                       : strcmp(req->http_verb, "POST") == 0 ? idempotency_begin(&c, &idem_state) : IDEM_NONE;
      if (idem != IDEM_ANSWERED) {
        h(&c);
        if (!c.status) problem(&c, 500, "internal_error", NULL, "The server produced no answer.");
        if (idem == IDEM_FIRST) idempotency_end(&c);
      }
    }
  }

  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  metrics_record(route_name, req->http_verb, c.status, secs);
  if (app.access_log) /* yder formats (twice) and allocates even the messages it drops */
    y_log_message(Y_LOG_LEVEL_INFO, "access - %s %s %s %d %.1fms key=%s", c.request_id, req->http_verb, route_name,
                  c.status, secs * 1000.0, c.who.key_id[0] ? c.who.key_id : "-");

  /* Everything the request held is released here, in one place. */
  if (c.db) pool_put(app.pool, c.db);
  if (c.read_db) pool_put(app.read_pool, c.read_db);
  for (int i = 0; i < MAX_PATH_PARAMS; i++) free(c.params[i]);
  query_free(&c.query);
  json_decref(c.body);
  if (c.who.clusters) {
    for (char **p = c.who.clusters; *p; p++) free(*p);
    free(c.who.clusters);
  }
  return U_CALLBACK_COMPLETE;
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
  if (!random_bytes(raw, sizeof raw)) { pool_put(app.pool, c); return false; }
  sha256_hex(raw, sizeof raw, hex);
  const char *params[] = {hex};
  PGresult *r = db_exec(c,
    "WITH ins AS (INSERT INTO settings (key, value) VALUES ('cursor_secret', $1) ON CONFLICT (key) DO NOTHING RETURNING value) "
    "SELECT value FROM ins UNION ALL SELECT value FROM settings WHERE key = 'cursor_secret'", 1, params);
  bool ok = r && PQntuples(r) > 0;
  if (ok) sha256_raw(PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)), app.secret);
  PQclear(r);
  pool_put(app.pool, c);
  return ok;
}

int server_run(const struct config *cfg) {
  y_init_logs("grappe", Y_LOG_MODE_CONSOLE, level_of(cfg->log_level), NULL, "grappe starting");
  int rc = 1;
  struct _u_instance instance;
  bool instance_ready = false, started = false;
  memset(&app, 0, sizeof app);
  app.cfg = cfg;
  app.access_log = level_of(cfg->log_level) == Y_LOG_LEVEL_INFO || level_of(cfg->log_level) == Y_LOG_LEVEL_DEBUG;
  app.pool = pool_new(cfg->database_url, cfg->db_pool, cfg->statement_timeout_ms, cfg->db_prepare);
  if (!app.pool) goto out;
  if (cfg->database_read_url) {
    app.read_pool = pool_new(cfg->database_read_url, cfg->db_pool, cfg->statement_timeout_ms, cfg->db_prepare);
    if (!app.read_pool) goto out;
    pool_set_read_only(app.read_pool);
  }

  /* The schema must be current and the reference data loaded before serving. */
  const char *why = NULL;
  struct dbconn *c = pool_get(app.pool, 10000, &why);
  if (!c) { y_log_message(Y_LOG_LEVEL_ERROR, "server - database unreachable"); goto out; }
  int current = migrate_current(c);
  bool refs = current == migrate_latest() && reference_load(c);
  pool_put(app.pool, c);
  if (current != migrate_latest()) {
    y_log_message(Y_LOG_LEVEL_ERROR, "server - schema at version %d, this binary needs %d: run `grappe migrate`", current, migrate_latest());
    goto out;
  }
  if (!refs || !load_secret(cfg)) { y_log_message(Y_LOG_LEVEL_ERROR, "server - cannot load reference data or secret"); goto out; }
  resources_init();

  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)cfg->port);
  if (inet_pton(AF_INET, cfg->bind, &addr.sin_addr) != 1) {
    y_log_message(Y_LOG_LEVEL_ERROR, "server - GRAPPE_BIND must be an IPv4 address, got %s", cfg->bind);
    goto out;
  }
  if (ulfius_init_instance(&instance, (unsigned int)cfg->port, &addr, NULL) != U_OK) goto out;
  instance_ready = true;
  instance.check_utf8 = 0;                      /* we validate and answer 400 ourselves */
  /* One byte past the largest limit (the bulk import's 64 MiB) shows an overflow; each
     route checks its own limit (1 MiB for the others). */
  instance.max_post_body_size = (64u << 20) + 1;
  ulfius_set_default_endpoint(&instance, dispatch, NULL);

  /* SIGINT and SIGTERM are blocked in every thread (MHD's inherit the mask) and taken by
     sigwait below, so no worker is interrupted by them. */
  signal(SIGPIPE, SIG_IGN);
  sigset_t stop_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGINT);
  sigaddset(&stop_set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_set, NULL);

  struct MHD_OptionItem ops[] = {
    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_finished, NULL},
    {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)request_begun, NULL},
    {MHD_OPTION_SOCK_ADDR, 0, &addr},
    {MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, NULL},
    /* Slow clients: a connection idle this long is closed (a request trickled byte by byte
       or a body never finished holds no worker meanwhile: the workers are event-driven) and
       the connections, in all and per address, are bounded. */
    {MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout_s, NULL},
    {MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL},
    {MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_ip, NULL},
    {MHD_OPTION_END, 0, NULL},
  };
  unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (ulfius_start_framework_with_mhd_options(&instance, flags, ops) != U_OK) {
    y_log_message(Y_LOG_LEVEL_ERROR, "server - cannot listen on %s:%d", cfg->bind, cfg->port);
    goto out;
  }
  started = true;
  y_log_message(Y_LOG_LEVEL_INFO, "server - listening on http://%s:%d (%d threads, %d connections)", cfg->bind,
                cfg->port, cfg->threads, cfg->db_pool);
  int sig = 0;
  sigwait(&stop_set, &sig);
  y_log_message(Y_LOG_LEVEL_INFO, "server - %s received, finishing requests in flight", strsignal(sig));
  app.stopping = 1;
  /* Stop accepting (the listening socket is closed: new connections are refused, not left
     waiting in the backlog), give requests in flight up to GRAPPE_SHUTDOWN_TIMEOUT_MS to be
     answered to the end (streams too), then stop. */
  MHD_socket listener = MHD_quiesce_daemon(instance.mhd_daemon);
  if (listener != MHD_INVALID_SOCKET) close(listener);
  for (int waited = 0; waited < cfg->shutdown_timeout_ms && in_flight > 0; waited += 10) usleep(10000);
  if (in_flight > 0)
    y_log_message(Y_LOG_LEVEL_WARNING, "server - %d request(s) still unfinished after %d ms: stopping anyway",
                  (int)in_flight, cfg->shutdown_timeout_ms);
  rc = 0;
out:
  if (started) ulfius_stop_framework(&instance);
  if (instance_ready) ulfius_clean_instance(&instance);
  resources_free();
  pool_free(app.pool);
  pool_free(app.read_pool);
  y_close_logs();
  return rc;
}
