/* One webhook attempt (include/deliver.h): the target checked, the message signed and
   POSTed with Ulfius's client, the answer read (its first DELIVER_BODY_KEPT bytes kept), and
   attempts written to the deliveries log. Used by the workers (src/push/deliver.c) and by
   the test ping (POST /v1/webhooks/{id}/test).

   Targets: the URL is checked when written and again before each attempt, after DNS
   resolution (deliver_check_target). libcurl, inside Ulfius, resolves the name once more
   for the connection, and Ulfius gives no way to pin the address (CURLOPT_RESOLVE); what
   closes that window against DNS rebinding is TLS: without GRAPPE_WEBHOOK_ALLOW_PRIVATE
   only https is allowed, and the certificate must be valid for the URL's host name, which
   an internal service reached by a rebound name cannot present. Ulfius sets one libcurl
   timeout (CURLOPT_TIMEOUT, GRAPPE_WEBHOOK_TIMEOUT_S): it bounds the connection too. */
#include "deliver.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <ulfius.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "netaddr.h"
#include "text.h"
#include "webhook.h"

static atomic_ullong tally_ok, tally_failed;

void deliver_send_tally(unsigned long long *ok, unsigned long long *failed) {
  *ok = atomic_load(&tally_ok);
  *failed = atomic_load(&tally_failed);
}

const char *deliver_check_target(const char *url, char *why, size_t n) {
  struct webhook_target t;
  const char *bad;
  if (!webhook_url_parse(url, &t, &bad)) {
    snprintf(why, n, "The URL %.200s.", bad);
    return why;
  }
  bool open = app.cfg->webhook_allow_private;
  if (!t.https && !open)
    return "The URL must be https:// (http:// only where GRAPPE_WEBHOOK_ALLOW_PRIVATE=1).";
  struct ipaddr a;
  if (ip_parse(t.host, strlen(t.host), &a)) {
    if (open || ip_is_public(&a)) return NULL;
    snprintf(why, n,
             "The host %.60s is a loopback, private, link-local, multicast or reserved address, "
             "which webhooks are not sent to.",
             t.host);
    return why;
  }
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
  int rc = getaddrinfo(t.host, NULL, &hints, &res);
  if (rc != 0) {
    snprintf(why, n, "The host %.100s does not resolve (%s).", t.host, gai_strerror(rc));
    return why;
  }
  const char *out = NULL;
  for (struct addrinfo *p = res; p && !open && !out; p = p->ai_next) {
    struct ipaddr ip = {0};
    if (p->ai_family == AF_INET) {
      ip.family = AF_INET;
      memcpy(ip.b, &((struct sockaddr_in *)(void *)p->ai_addr)->sin_addr, 4);
    } else if (p->ai_family == AF_INET6) {
      char text[64];
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)p->ai_addr)->sin6_addr, text,
                sizeof text);
      if (!ip_parse(text, strlen(text), &ip)) continue; /* maps ::ffff:a.b.c.d to IPv4 */
    } else {
      continue;
    }
    if (!ip_is_public(&ip)) {
      char text[48];
      ip_format(&ip, text, sizeof text);
      snprintf(why, n,
               "The host %.60s resolves to %s, a loopback, private, link-local, multicast or "
               "reserved address, which webhooks are not sent to.",
               t.host, text);
      out = why;
    }
  }
  freeaddrinfo(res);
  return out;
}

struct capture {
  struct attempt *a;
  size_t len;
};

/* Keeps the first DELIVER_BODY_KEPT bytes of the answer and reads the rest to the end. */
static size_t keep_body(void *data, size_t size, size_t nmemb, void *user) {
  struct capture *cap = user;
  size_t n = size * nmemb;
  size_t room = DELIVER_BODY_KEPT - cap->len;
  size_t take = n < room ? n : room;
  memcpy(cap->a->body + cap->len, data, take);
  cap->len += take;
  return n;
}

/* The kept answer as text: cut to valid UTF-8, NUL and other control bytes as '?'. */
static void clean_body(char *s, size_t n) {
  s[n] = '\0';
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' && s[i] != '\r') s[i] = '?';
  utf8_trim(s);
}

bool deliver_send(const char *url, const char *secret, const char *previous_secret,
                  const char *msg_id, const char *body, size_t len, const char *trace,
                  struct attempt *a) {
  memset(a, 0, sizeof *a);
  double t0 = clock_mono();
  char why[300];
  const char *refused = deliver_check_target(url, why, sizeof why);
  if (refused) {
    snprintf(a->error, sizeof a->error, "%s", refused);
    utf8_trim(a->error);
    a->ms = (clock_mono() - t0) * 1000.0;
    return false;
  }
  long long ts = (long long)time(NULL);
  char sig[200], sig2[64], tsbuf[24], child[56];
  if (!webhook_sign(secret, msg_id, ts, body, len, sig, sizeof sig)) {
    snprintf(a->error, sizeof a->error, "The subscription's secret is not valid.");
    return false;
  }
  if (previous_secret && webhook_sign(previous_secret, msg_id, ts, body, len, sig2, sizeof sig2)) {
    size_t l = strlen(sig);
    snprintf(sig + l, sizeof sig - l, " %s", sig2);
  }
  snprintf(tsbuf, sizeof tsbuf, "%lld", ts);

  struct _u_request req;
  struct _u_response resp;
  ulfius_init_request(&req);
  ulfius_init_response(&resp);
  req.http_verb = o_strdup("POST");
  req.http_url = o_strdup(url);
  req.timeout = (unsigned long)app.cfg->webhook_timeout_s;
  req.follow_redirect = 0;
  req.check_server_certificate = 1;
  u_map_put(req.map_header, "Content-Type", "application/json");
  u_map_put(req.map_header, "User-Agent", "Grappe-Webhooks/" GRAPPE_VERSION);
  u_map_put(req.map_header, "webhook-id", msg_id);
  u_map_put(req.map_header, "webhook-timestamp", tsbuf);
  u_map_put(req.map_header, "webhook-signature", sig);
  if (trace && traceparent_child(trace, child)) u_map_put(req.map_header, "traceparent", child);
  req.binary_body = o_malloc(len ? len : 1);
  memcpy(req.binary_body, body, len);
  req.binary_body_length = len;
  struct capture cap = {a, 0};
  int rc = ulfius_send_http_streaming_request(&req, &resp, keep_body, &cap);
  a->ms = (clock_mono() - t0) * 1000.0;
  clean_body(a->body, cap.len);
  if (rc != U_OK) {
    if (a->ms >= app.cfg->webhook_timeout_s * 1000.0 - 50)
      snprintf(a->error, sizeof a->error, "No answer within %d s.", app.cfg->webhook_timeout_s);
    else
      snprintf(a->error, sizeof a->error,
               "The connection failed (refused, reset, or a TLS or DNS error).");
  } else {
    a->status = (int)resp.status;
    a->ok = resp.status >= 200 && resp.status < 300;
    if (!a->ok)
      snprintf(a->error, sizeof a->error, "The receiver answered %ld%s.", resp.status,
               resp.status >= 300 && resp.status < 400 ? " (redirects are not followed)" : "");
  }
  ulfius_clean_request(&req);
  ulfius_clean_response(&resp);
  atomic_fetch_add(a->ok ? &tally_ok : &tally_failed, 1);
  return a->ok;
}

static const char INSERT_LOG[] =
  "INSERT INTO webhook_deliveries (webhook_id, message_id, seq, event_type, attempt, "
  "attempted_at, duration_ms, status, ok, error, response_body, next_attempt_at) "
  "SELECT $1::uuid, x.message_id, x.seq, x.event_type, x.attempt, x.attempted_at, "
  "x.duration_ms, x.status, x.ok, x.error, x.response_body, x.next_attempt_at "
  "FROM jsonb_to_recordset($2::jsonb) AS x(message_id text, seq bigint, event_type text, "
  "attempt int, attempted_at timestamptz, duration_ms float8, status int, ok boolean, "
  "error text, response_body text, next_attempt_at timestamptz)";

bool deliver_log(struct dbconn *db, const char *webhook_id, json_t *log) {
  if (json_array_size(log) == 0) return true;
  char *text = json_dumps(log, JSON_COMPACT);
  const char *p[] = {webhook_id, text};
  PGresult *r = db_exec(db, INSERT_LOG, 2, p);
  free(text);
  PQclear(r);
  return r != NULL;
}
