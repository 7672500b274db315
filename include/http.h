/* HTTP layer: one context per request, problem+json, responses, auth, CORS, metrics.
   Knows Ulfius, not SQL. */
#ifndef GRAPPE_HTTP_H
#define GRAPPE_HTTP_H
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <ulfius.h>

#include "csv.h"
#include "negotiate.h"
#include "query.h"
#include "strv.h"

struct resource;
struct route;
struct pool;
struct config;
struct keycache;
struct keylisten;

enum role { ROLE_ANONYMOUS, ROLE_READER, ROLE_MANAGER, ROLE_ADMIN };

struct principal {
  enum role role;
  char key_id[37]; /* "" for anonymous */
  char **clusters; /* manager scope, a strv (strv.h); NULL for other roles */
};
bool http_principal_manages(const struct principal *who, const char *cluster_id);

/* Process-wide state shared by every request. */
struct app {
  const struct config *cfg;
  struct pool *pool;
  struct pool *read_pool;      /* GRAPPE_DATABASE_READ_URL, NULL when there is none */
  struct keycache *keys;       /* the keys this process has looked up (include/keycache.h) */
  struct keylisten *keylisten; /* what keeps them current (src/db/keylisten.c), or NULL */
  struct rowcache *rows;       /* rendered rows (include/rowcache.h), or NULL */
  struct oidc *oidc;           /* GRAPPE_OIDC_ISSUERS (include/oidc.h), or NULL */
  unsigned char secret[32];
  bool access_log; /* the log level shows INFO */
  volatile int stopping;
};
extern struct app app;

#define MAX_PATH_PARAMS 4

/* The most a request body may hold (SPEC, Limits): bulk imports take 64 MiB, every other
   route 1 MiB. The intake (src/http/intake.c) keeps no more than this of any body. */
#define BODY_LIMIT (1u << 20)
#define BULK_BODY_LIMIT (64u << 20)

/* Everything a request owns; released in one place when it ends: router_end (src/server.c). */
struct ctx {
  const struct _u_request *req;
  struct _u_response *resp;
  const struct route *route;
  const struct resource *res;
  char request_id[64];
  char *params[MAX_PATH_PARAMS]; /* decoded path parameters */
  struct query query;
  struct principal who;
  bool authenticated;     /* auth ran */
  bool scoped;            /* allowed if the row is in the manager's scope */
  struct dbconn *db;      /* checked out on first use */
  struct dbconn *read_db; /* from the read pool, for reads that may lag */
  json_t *body;           /* parsed JSON body, when read */
  char client[48];        /* the caller's address, once ctx_client_address worked it out */
  int status;
  double busy;             /* seconds spent on it, its body's arrival left out */
  bool metrics_listener;   /* came in on GRAPPE_METRICS_BIND */
  struct idem_state *idem; /* the Idempotency-Key this run holds, or NULL */
  /* A long poll (feedwait): the handler gave no answer and waits to run again, until
     park_until (monotonic seconds), having read the feed at park_generation. */
  bool parked;
  double park_until;
  unsigned long long park_generation;
};

/* Database connection of this request, checked out on first use. NULL after answering 503. */
struct dbconn *ctx_db(struct ctx *c);
/* A connection for reads that may lag a little behind the primary (lists, items, search):
   the read replica's when GRAPPE_DATABASE_READ_URL is set, else ctx_db's. */
struct dbconn *ctx_db_read(struct ctx *c);
/* A connection of the read pool when there is one (of the primary's otherwise), for a
   request's stream that outlives its handler; NULL when none is free in timeout_ms. */
struct dbconn *db_checkout_read(int timeout_ms, const char **why);
/* Resolves the caller from Authorization, from the process's cache of keys or else the
   database; answers 401 and returns false on a bad key. */
bool ctx_auth(struct ctx *c);
/* Answers 401 (anonymous) or 403 (known caller) for a refused action; returns false. */
bool ctx_deny(struct ctx *c, int status, const char *detail);
/* Rejects query parameters outside allowed (NULL-terminated) with 400; false when it did. */
bool ctx_allow_params(struct ctx *c, const char *const *allowed, const char *const *more);
/* Reads ?csv= (csv=excel) for an answer in format fmt: 400 for an unknown dialect, or for a
   dialect asked of an answer that is not CSV; false when it answered. */
bool ctx_csv_dialect(struct ctx *c, enum format fmt, enum csv_dialect *out);
/* Reads the JSON body: 413, 415, 400 as needed; `patch` also accepts merge-patch+json. */
bool ctx_read_json(struct ctx *c, bool patch);
const char *ctx_header(const struct ctx *c, const char *name);

/* Counts this request against the caller's address in `bucket`; past per_minute answers
   429 and returns false. Sets the RateLimit-* headers either way. */
bool ctx_rate_limit(struct ctx *c, const char *bucket, int per_minute);

/* Every /v1 request: authenticates the caller (a key's failures count against the address)
   and counts the request against the key's budget (GRAPPE_RATE_KEY) or, anonymous, the
   address's (GRAPPE_RATE_ANONYMOUS). Answers 401/429/503 and returns false when refused. */
bool ctx_rate_limit_caller(struct ctx *c);

/* Exports and bulk imports: takes one of the process's GRAPPE_EXPORT_CONCURRENCY places
   (at most GRAPPE_EXPORT_PER_CALLER per caller) and writes the caller to `who`, to give to
   http_heavy_release() when done; answers 429 with Retry-After and returns false when full. */
#define HEAVY_WHO_SIZE 72
bool http_heavy_acquire(struct ctx *c, char who[HEAVY_WHO_SIZE]);
void http_heavy_release(const char *who);

/* The caller's address as text (IPv4 or IPv6): the peer's or, when the peer is a trusted
   proxy (GRAPPE_TRUSTED_PROXIES), the X-Forwarded-For entry it vouches for. Worked out once
   per request; every use of the address (rate limits, idempotency keys) goes through it. */
void ctx_client_address(struct ctx *c, char *out, size_t n);
/* Gives the request's database connections back to their pools (before a long wait). */
void ctx_release_db(struct ctx *c);

/* Idempotency-Key on POST. begin: IDEM_NONE (no key: run as usual), IDEM_FIRST (run the
   handler, then call end), or IDEM_ANSWERED (replayed, refused or failed: done). With
   IDEM_FIRST the key is this run's (*s, pointed to by c->idem until end) and the handler
   runs inside a transaction of the request's own, which end commits with the answer. */
struct idem_state {
  char caller[96];
  char owner[37]; /* this run's claim on the key */
  bool held;      /* the request's transaction holds the key (else its lease alone) */
};
enum idem { IDEM_NONE, IDEM_FIRST, IDEM_ANSWERED };
enum idem http_idempotency_begin(struct ctx *c, struct idem_state *s);
void http_idempotency_end(struct ctx *c);
/* For a handler that commits as it goes, in transactions of its own (a bulk import): ends
   the request's transaction; the key is then held by its lease, which idempotency_renew
   extends when called between the handler's transactions, and by each of them, which
   idempotency_renew locks it for when called inside (false: answered, stop). No-ops
   without a key. */
void http_idempotency_lease(struct ctx *c);
bool http_idempotency_renew(struct ctx *c);

/* Responses. The body is copied. */
void http_respond(struct ctx *c, int status, const char *content_type, const char *body,
                  size_t len);
/* The same with the body's memory handed to the answer, not copied (body is left empty). */
struct buf;
void http_respond_buf(struct ctx *c, int status, const char *content_type, struct buf *body);
void http_respond_json(struct ctx *c, int status, const char *body);
void http_respond_empty(struct ctx *c, int status);
void http_set_header(struct ctx *c, const char *name, const char *value);
/* problem+json; errors (may be NULL) is stolen. detail is printf-style. */
void http_problem(struct ctx *c, int status, const char *code, json_t *errors, const char *fmt, ...)
  __attribute__((format(printf, 5, 6)));
/* 400 for one query parameter: problem code (invalid_query, invalid_cursor), errors[] naming
   the parameter with code invalid_value and message; detail is printf-style. Returns false. */
bool http_bad_param(struct ctx *c, const char *code, const char *message, const char *param,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Answers for a failed db_exec: 503 when the database is unreachable (outcome_unknown for
   a write lost in flight), 409/422 for constraint violations, 500 otherwise (logged,
   never shown). */
void http_problem_db(struct ctx *c);
/* 503 outcome_unknown: a write may or may not have committed (its connection was lost). */
void http_problem_outcome_unknown(struct ctx *c);

/* Metrics and access log. route: a pattern of the route table, or "unmatched" (labels are
   compared by address); method: any (unknown ones count as "other"). */
void http_metrics_record(const char *route, const char *method, int status, double seconds);
void http_metrics_render(struct ctx *c);

/* The router (src/server.c), in the steps of a request as the intake delivers it. begin:
   the request line and headers are known. headers: decides everything it can before the
   body (route, method, query string, rate limit, key, and for a request that carries a body
   its declared length, its type and whether the caller may write there); returns false when
   it answered; else says how much of a body the route takes (*limit) and whether the
   handler reads it (*keep; a body of GET or DELETE is read and dropped). body: the whole body
   has arrived (or too_large: it passed *limit); runs the handler. end: the answer is about
   to leave (answered) or the client went away; records it and releases what it held. */
void router_begin(struct ctx *c, const struct _u_request *req, struct _u_response *resp,
                  bool metrics_listener);
bool router_headers(struct ctx *c, bool has_body, unsigned long long declared, size_t *limit,
                    bool *keep);
void router_body(struct ctx *c, bool too_large);
/* Runs the handler of a parked request again (its connection was resumed). */
void router_resume(struct ctx *c);
void router_end(struct ctx *c, bool answered);

/* The intake (src/http/intake.c): Grappe's own libmicrohttpd daemon and access handler.
   intake_listen starts one listener (metrics_listener: the GRAPPE_METRICS_BIND one, with
   one thread, serving /metrics and /health only); intake_requests is the number of requests
   begun and not finished, answers and streams included; intake_quiesce stops accepting
   (new connections are refused at once, those open are served) and returns the listening
   socket, to be closed after intake_stop, which stops a listener; intake_free, after the last listener has stopped, closes the connections still lingering. */
struct sockaddr_in;
struct MHD_Daemon *intake_listen(const struct config *cfg, const struct sockaddr_in *addr,
                                 bool metrics_listener);
int intake_requests(void);
/* Long polls of the change feed (src/http/feedwait.c). A handler notes feedwait_generation()
   before it reads, and parks (c->parked, c->park_until, c->park_generation) rather than
   answer an empty page; the intake suspends the connection and calls feedwait_park, and
   the handler runs again when the feed grows (the thread of feedwait_start numbers it with
   head() five times a second while anyone waits), at its deadline, or when the server stops
   (feedwait_release). feedwait_head() is the last position that thread numbered: a handler
   run again reads up to it without numbering anything itself. */
struct MHD_Connection;
unsigned long long feedwait_generation(void);
long long feedwait_head(void);
bool feedwait_running(void);
void feedwait_park(struct MHD_Connection *conn, double deadline, unsigned long long seen);
size_t feedwait_count(void);
bool feedwait_start(long long (*head)(void));
void feedwait_release(void);
void feedwait_stop(void);
int intake_quiesce(struct MHD_Daemon *d);
void intake_stop(struct MHD_Daemon *d);
void intake_free(void);

/* Server. */
int server_run(const struct config *cfg);
#endif
