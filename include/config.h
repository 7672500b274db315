/* Configuration: GRAPPE_* environment variables, command-line flags on top. */
#ifndef GRAPPE_CONFIG_H
#define GRAPPE_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

struct cidr;

struct config {
  char *database_url;        /* GRAPPE_DATABASE_URL */
  char *database_read_url;   /* GRAPPE_DATABASE_READ_URL: a replica for reads; NULL = none */
  char *database_listen_url; /* GRAPPE_DATABASE_LISTEN_URL: LISTEN for key changes there;
                                NULL = database_url */
  char *bind;                /* GRAPPE_BIND, default 127.0.0.1 */
  int port;                  /* GRAPPE_PORT, default 8080 */
  char *
    metrics_bind; /* GRAPPE_METRICS_BIND: host:port serving /metrics and /health openly; NULL = none */
  int threads;    /* GRAPPE_THREADS, default 8 */
  int db_pool;    /* GRAPPE_DB_POOL, default = threads */
  bool db_prepare;          /* GRAPPE_DB_PREPARE, default 1: prepared statements per connection */
  int pool_timeout_ms;      /* GRAPPE_POOL_TIMEOUT_MS, default 2000 */
  int statement_timeout_ms; /* GRAPPE_STATEMENT_TIMEOUT_MS, default 5000 */
  char **cors_origins;      /* GRAPPE_CORS_ORIGINS, comma-separated; "*" allows any */
  char *log_level;          /* GRAPPE_LOG_LEVEL: error|warning|info|debug */
  char *secret;             /* GRAPPE_SECRET; NULL = generated and kept in the database */
  int
    changes_retention_days; /* GRAPPE_CHANGES_RETENTION_DAYS: how long the change feed keeps changes */
  int
    connection_timeout_s; /* GRAPPE_CONNECTION_TIMEOUT_S: an idle or stalled connection is closed after it */
  int max_connections;        /* GRAPPE_MAX_CONNECTIONS: open connections at most */
  int row_cache_mb;           /* GRAPPE_ROW_CACHE_MB: the row cache's budget; 0 = none */
  int max_connections_per_ip; /* GRAPPE_MAX_CONNECTIONS_PER_IP: per client address; 0 = no limit */
  struct cidr
    *trusted_proxies; /* GRAPPE_TRUSTED_PROXIES: CIDR blocks whose X-Forwarded-For is believed */
  int ntrusted_proxies;
  int
    shutdown_timeout_ms; /* GRAPPE_SHUTDOWN_TIMEOUT_MS: on SIGTERM, how long requests in flight may take */
  int
    registration_rate; /* GRAPPE_REGISTRATION_RATE: anonymous registrations per minute and address */
  int
    rate_anonymous; /* GRAPPE_RATE_ANONYMOUS: /v1 requests per minute and address without a key; 0 = no limit */
  int rate_key;           /* GRAPPE_RATE_KEY: /v1 requests per minute and API key; 0 = no limit */
  int export_concurrency; /* GRAPPE_EXPORT_CONCURRENCY: NDJSON exports and bulk imports at once */
  int export_per_caller;  /* GRAPPE_EXPORT_PER_CALLER: of which one caller may run */
  /* Sign-in by token (include/oidc.h) */
  char *oidc_issuers;        /* GRAPPE_OIDC_ISSUERS: issuer URLs, comma-separated; NULL = none */
  char *oidc_audience;       /* GRAPPE_OIDC_AUDIENCE: the `aud` tokens must carry */
  char *oidc_role_claim;     /* GRAPPE_OIDC_ROLE_CLAIM, default grappe_role */
  char *oidc_clusters_claim; /* GRAPPE_OIDC_CLUSTERS_CLAIM, default grappe_clusters */
  /* Webhooks (src/push/deliver.c) */
  bool webhook_allow_private; /* GRAPPE_WEBHOOK_ALLOW_PRIVATE: http and private addresses allowed */
  int webhook_workers;        /* GRAPPE_WEBHOOK_WORKERS: deliveries at once; 0 = none here */
  int webhook_timeout_s;      /* GRAPPE_WEBHOOK_TIMEOUT_S: a receiver's time to answer */
  int webhook_poll_ms;        /* GRAPPE_WEBHOOK_POLL_MS: how often the feed's head is looked at */
  int webhook_retry_base_ms;  /* GRAPPE_WEBHOOK_RETRY_BASE_MS: the first retry's delay, at most */
  int webhook_retry_max_ms;   /* GRAPPE_WEBHOOK_RETRY_MAX_MS: the longest delay between retries */
  int webhook_give_up_s;      /* GRAPPE_WEBHOOK_GIVE_UP_S: failing this long disables */
};

/* Fills cfg from the environment; false (after printing why) when a value is invalid. */
bool config_from_env(struct config *cfg);
/* Checks values after flags were applied; prints why and returns false when invalid. */
bool config_check(const struct config *cfg);
void config_free(struct config *cfg);
/* Splits "host:port" (an IPv4 address and a port 1..65535); false when s is not that. */
bool config_host_port(const char *s, char *host, size_t host_size, int *port);
/* The usage text of `grappe --help`. */
extern const char config_help[], config_help_webhooks[];
#endif
