/* One struct config, filled from the environment, overridden by flags, checked once. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "netaddr.h"
#include "oidc.h"
#include "strv.h"
#include "validate.h"

const char config_help[] =
  "usage: grappe COMMAND [OPTIONS]\n"
  "\n"
  "Commands:\n"
  "  serve [--bind ADDR] [--port N] [--threads N] [--db-pool N]\n"
  "                       serve the API (stops cleanly on SIGINT/SIGTERM)\n"
  "  migrate              apply the embedded database migrations (idempotent)\n"
  "  keys create --role admin|reader|manager [--cluster ID]... --name NAME\n"
  "              [--expires-at RFC3339]\n"
  "                       create an API key; the key alone is the last line printed\n"
  "  keys list            list keys (never the keys themselves)\n"
  "  keys revoke ID       revoke a key; returns once every server refuses it (1 s)\n"
  "  seed [--clusters N] [--companies M] [--projects P] [--events E] [--random-seed S]\n"
  "                       add synthetic data at national scale (benchmarks; --help)\n"
  "  version              print the version\n"
  "\n"
  "Environment:\n"
  "  GRAPPE_DATABASE_URL          libpq URI or conninfo of the database (required)\n"
  "  GRAPPE_DATABASE_READ_URL     a read replica: lists, items, search and the benchmark\n"
  "                               read there (default: none, everything on the primary)\n"
  "  GRAPPE_DATABASE_LISTEN_URL   where serve LISTENs for changes to API keys, which it\n"
  "                               caches: PostgreSQL itself, not a pooler in transaction\n"
  "                               mode (there keys are cached 0.5 s only; default:\n"
  "                               GRAPPE_DATABASE_URL)\n"
  "  GRAPPE_BIND                  address to listen on (default 127.0.0.1)\n"
  "  GRAPPE_PORT                  port to listen on (default 8080)\n"
  "  GRAPPE_METRICS_BIND          host:port of a second listener serving /metrics and\n"
  "                               /health to anyone who reaches it, e.g. 127.0.0.1:9100\n"
  "                               (default none: /metrics only on the API, for admin keys)\n"
  "  GRAPPE_THREADS               HTTP worker threads (default 8)\n"
  "  GRAPPE_DB_POOL               database connections (default: GRAPPE_THREADS)\n"
  "  GRAPPE_ROW_CACHE_MB          memory for rendered rows of companies and partners, which\n"
  "                               lists take when the row is unchanged (default 16; 0: off)\n"
  "  GRAPPE_DB_PREPARE            1: prepare each statement once per connection (default);\n"
  "                               0 behind pgbouncer in transaction mode\n"
  "  GRAPPE_POOL_TIMEOUT_MS       wait for a free connection before 503 (default 2000)\n"
  "  GRAPPE_STATEMENT_TIMEOUT_MS  statement timeout of every query (default 5000)\n"
  "  GRAPPE_CORS_ORIGINS          allowed browser origins, comma-separated, or * (default none)\n"
  "  GRAPPE_LOG_LEVEL             error, warning, info or debug (default info)\n"
  "  GRAPPE_CONNECTION_TIMEOUT_S  close a connection idle or stalled this long (30)\n"
  "  GRAPPE_MAX_CONNECTIONS       open connections at most (1000)\n"
  "  GRAPPE_MAX_CONNECTIONS_PER_IP  per client address (0 = no limit; set it when clients\n"
  "                               connect directly, not through a proxy)\n"
  "  GRAPPE_TRUSTED_PROXIES       reverse proxies' CIDR blocks, comma-separated: from them the\n"
  "                               client is the right-most untrusted X-Forwarded-For entry\n"
  "                               (default none: the peer's address)\n"
  "  GRAPPE_SHUTDOWN_TIMEOUT_MS   on SIGTERM, time given to requests in flight (10000)\n"
  "  GRAPPE_REGISTRATION_RATE     anonymous event registrations per minute and address (10)\n"
  "  GRAPPE_RATE_ANONYMOUS        /v1 requests per minute and address without a key (600;\n"
  "                               0 = no limit); also the failed authentications allowed\n"
  "  GRAPPE_RATE_KEY              /v1 requests per minute and API key (6000; 0 = no limit)\n"
  "  GRAPPE_EXPORT_CONCURRENCY    NDJSON exports and bulk imports running at once (4)\n"
  "  GRAPPE_EXPORT_PER_CALLER     of which one key or address may run (2)\n"
  "  GRAPPE_CHANGES_RETENTION_DAYS  days the change feed keeps changes (30)\n"
  "  GRAPPE_SECRET                key that signs cursors (default: generated once and\n"
  "                               kept in the database, shared by every process)\n";

/* the rest of the help (a string literal holds at most 4095 characters in C11) */
const char config_help_webhooks[] =
  "  GRAPPE_OIDC_ISSUERS          OpenID Connect issuers whose JWTs sign people in (none)\n"
  "  GRAPPE_OIDC_AUDIENCE         the aud those tokens carry for this API\n"
  "  GRAPPE_OIDC_ROLE_CLAIM       claim of the role: admin, manager or reader (grappe_role)\n"
  "  GRAPPE_OIDC_CLUSTERS_CLAIM   claim of a manager's cluster ids (grappe_clusters)\n"
  "  GRAPPE_WEBHOOK_WORKERS       webhook deliveries this process makes at once (4; 0 = none)\n"
  "  GRAPPE_WEBHOOK_ALLOW_PRIVATE 1 allows http:// and private, loopback or link-local\n"
  "                               webhook targets (0)\n"
  "  GRAPPE_WEBHOOK_TIMEOUT_S     seconds a receiver has to answer, connection included (10)\n"
  "  GRAPPE_WEBHOOK_POLL_MS       how often the feed is looked at for deliveries (100)\n"
  "  GRAPPE_WEBHOOK_RETRY_BASE_MS first retry's delay, doubled at each failure (10000)\n"
  "  GRAPPE_WEBHOOK_RETRY_MAX_MS  longest delay between two retries (3600000)\n"
  "  GRAPPE_WEBHOOK_GIVE_UP_S     failing this long disables a subscription (259200: 3 days)\n";

static char *env_dup(const char *name, const char *dflt) {
  const char *v = getenv(name);
  if (!v || !*v) v = dflt;
  return v ? xstrdup(v) : NULL;
}

static bool env_int(const char *name, long dflt, long min, long max, int *out) {
  const char *v = getenv(name);
  long n = dflt;
  if (v && *v && !long_valid(v, min, max, &n)) {
    fprintf(stderr, "grappe: %s must be an integer between %ld and %ld (got \"%s\")\n", name, min,
            max, v);
    return false;
  }
  *out = (int)n;
  return true;
}

bool config_from_env(struct config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->database_url = env_dup("GRAPPE_DATABASE_URL", NULL);
  cfg->database_read_url = env_dup("GRAPPE_DATABASE_READ_URL", NULL);
  cfg->database_listen_url = env_dup("GRAPPE_DATABASE_LISTEN_URL", NULL);
  cfg->bind = env_dup("GRAPPE_BIND", "127.0.0.1");
  cfg->metrics_bind = env_dup("GRAPPE_METRICS_BIND", NULL);
  cfg->log_level = env_dup("GRAPPE_LOG_LEVEL", "info");
  cfg->secret = env_dup("GRAPPE_SECRET", NULL);
  cfg->oidc_issuers = env_dup("GRAPPE_OIDC_ISSUERS", NULL);
  cfg->oidc_audience = env_dup("GRAPPE_OIDC_AUDIENCE", NULL);
  cfg->oidc_role_claim = env_dup("GRAPPE_OIDC_ROLE_CLAIM", "grappe_role");
  cfg->oidc_clusters_claim = env_dup("GRAPPE_OIDC_CLUSTERS_CLAIM", "grappe_clusters");
  const char *origins = getenv("GRAPPE_CORS_ORIGINS");
  cfg->cors_origins = split_commas(origins ? origins : "");
  int prepare = 1, allow_private = 0;
  bool ok =
    env_int("GRAPPE_PORT", 8080, 1, 65535, &cfg->port) &&
    env_int("GRAPPE_THREADS", 8, 1, 256, &cfg->threads) &&
    env_int("GRAPPE_DB_POOL", 0, 1, 1000, &cfg->db_pool) &&
    env_int("GRAPPE_DB_PREPARE", 1, 0, 1, &prepare) &&
    env_int("GRAPPE_POOL_TIMEOUT_MS", 2000, 1, 600000, &cfg->pool_timeout_ms) &&
    env_int("GRAPPE_STATEMENT_TIMEOUT_MS", 5000, 1, 3600000, &cfg->statement_timeout_ms) &&
    env_int("GRAPPE_CONNECTION_TIMEOUT_S", 30, 1, 3600, &cfg->connection_timeout_s) &&
    env_int("GRAPPE_MAX_CONNECTIONS", 1000, 1, 100000, &cfg->max_connections) &&
    env_int("GRAPPE_MAX_CONNECTIONS_PER_IP", 0, 0, 100000, &cfg->max_connections_per_ip) &&
    env_int("GRAPPE_SHUTDOWN_TIMEOUT_MS", 10000, 0, 600000, &cfg->shutdown_timeout_ms) &&
    env_int("GRAPPE_REGISTRATION_RATE", 10, 1, 1000000, &cfg->registration_rate) &&
    env_int("GRAPPE_RATE_ANONYMOUS", 600, 0, 100000000, &cfg->rate_anonymous) &&
    env_int("GRAPPE_RATE_KEY", 6000, 0, 100000000, &cfg->rate_key) &&
    env_int("GRAPPE_EXPORT_CONCURRENCY", 4, 1, 256, &cfg->export_concurrency) &&
    env_int("GRAPPE_EXPORT_PER_CALLER", 2, 1, 256, &cfg->export_per_caller) &&
    env_int("GRAPPE_CHANGES_RETENTION_DAYS", 30, 1, 3650, &cfg->changes_retention_days) &&
    env_int("GRAPPE_ROW_CACHE_MB", 16, 0, 65536, &cfg->row_cache_mb) &&
    env_int("GRAPPE_WEBHOOK_ALLOW_PRIVATE", 0, 0, 1, &allow_private) &&
    env_int("GRAPPE_WEBHOOK_WORKERS", 4, 0, 64, &cfg->webhook_workers) &&
    env_int("GRAPPE_WEBHOOK_TIMEOUT_S", 10, 1, 10, &cfg->webhook_timeout_s) &&
    env_int("GRAPPE_WEBHOOK_POLL_MS", 100, 10, 10000, &cfg->webhook_poll_ms) &&
    env_int("GRAPPE_WEBHOOK_RETRY_BASE_MS", 10000, 10, 3600000, &cfg->webhook_retry_base_ms) &&
    env_int("GRAPPE_WEBHOOK_RETRY_MAX_MS", 3600000, 10, 86400000, &cfg->webhook_retry_max_ms) &&
    env_int("GRAPPE_WEBHOOK_GIVE_UP_S", 259200, 1, 2592000, &cfg->webhook_give_up_s);
  cfg->db_prepare = prepare == 1;
  cfg->webhook_allow_private = allow_private == 1;
  char err[160];
  const char *proxies = getenv("GRAPPE_TRUSTED_PROXIES");
  cfg->ntrusted_proxies = cidr_list_parse(proxies, &cfg->trusted_proxies, err, sizeof err);
  if (cfg->ntrusted_proxies < 0) {
    fprintf(stderr,
            "grappe: GRAPPE_TRUSTED_PROXIES must be CIDR blocks separated by commas, such as "
            "127.0.0.1/32,10.0.0.0/8,::1/128: %s\n",
            err);
    ok = false;
  }
  return ok;
}

bool config_check(const struct config *cfg) {
  if (!cfg->database_url) {
    fprintf(
      stderr,
      "grappe: GRAPPE_DATABASE_URL is not set (a libpq URI such as postgresql://user@127.0.0.1:5432/grappe)\n");
    return false;
  }
  static const char *const levels[] = {"error", "warning", "info", "debug", NULL};
  bool level_ok = false;
  for (const char *const *l = levels; *l; l++) level_ok |= strcmp(*l, cfg->log_level) == 0;
  if (!level_ok) {
    fprintf(stderr, "grappe: GRAPPE_LOG_LEVEL must be error, warning, info or debug\n");
    return false;
  }
  char host[64];
  int port;
  if (cfg->metrics_bind && !config_host_port(cfg->metrics_bind, host, sizeof host, &port)) {
    fprintf(
      stderr,
      "grappe: GRAPPE_METRICS_BIND must be an IPv4 address and a port, such as 127.0.0.1:9100\n");
    return false;
  }
  if (cfg->oidc_issuers) {
    char **urls = split_commas(cfg->oidc_issuers);
    bool ok = urls && urls[0];
    for (char **u = urls; ok && u && *u; u++) ok = oidc_issuer_valid(*u);
    strv_free(urls);
    if (!ok) {
      fprintf(stderr, "grappe: GRAPPE_OIDC_ISSUERS must be issuer URLs separated by commas, "
                      "https:// (http:// only on 127.0.0.1, localhost or [::1])\n");
      return false;
    }
    if (!cfg->oidc_audience) {
      fprintf(stderr, "grappe: GRAPPE_OIDC_ISSUERS needs GRAPPE_OIDC_AUDIENCE, the aud its "
                      "tokens carry for this API\n");
      return false;
    }
  }
  if (cfg->secret && strlen(cfg->secret) < 16) {
    fprintf(stderr, "grappe: GRAPPE_SECRET must be at least 16 characters\n");
    return false;
  }
  return true;
}

bool config_host_port(const char *s, char *host, size_t host_size, int *port) {
  const char *colon = strrchr(s, ':');
  long n;
  if (!colon || (size_t)(colon - s) >= host_size || !long_valid(colon + 1, 1, 65535, &n))
    return false;
  memcpy(host, s, (size_t)(colon - s));
  host[colon - s] = '\0';
  struct in_addr a;
  if (inet_pton(AF_INET, host, &a) != 1) return false;
  *port = (int)n;
  return true;
}

void config_free(struct config *cfg) {
  free(cfg->database_url);
  free(cfg->database_read_url);
  free(cfg->database_listen_url);
  free(cfg->bind);
  free(cfg->metrics_bind);
  free(cfg->oidc_issuers);
  free(cfg->oidc_audience);
  free(cfg->oidc_role_claim);
  free(cfg->oidc_clusters_claim);
  free(cfg->log_level);
  free(cfg->secret);
  strv_free(cfg->cors_origins);
  free(cfg->trusted_proxies);
  memset(cfg, 0, sizeof *cfg);
}
