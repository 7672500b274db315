/* Webhook deliveries (src/push/deliver.c): the workers that send the change feed to the
   subscriptions of /v1/webhooks, and one attempt as the test ping makes it. */
#ifndef GRAPPE_DELIVER_H
#define GRAPPE_DELIVER_H
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define DELIVER_BODY_KEPT 1024 /* bytes of a receiver's answer kept in the deliveries log */

/* One attempt: what came back. */
struct attempt {
  bool ok;         /* a 2xx in time */
  int status;      /* the receiver's HTTP status; 0 when none came */
  double ms;       /* from the first byte sent (DNS included) to the answer or the failure */
  char error[200]; /* why it failed, "" when ok */
  char body[DELIVER_BODY_KEPT + 1]; /* the start of the answer, valid UTF-8 without NUL */
};

/* Is url a target this server may send to (GRAPPE_WEBHOOK_ALLOW_PRIVATE aside: https, and
   a host whose addresses, once resolved, are all public)? NULL when it is, else why not
   (a static string, or one written to why). */
const char *deliver_check_target(const char *url, char *why, size_t n);

/* Sends one signed message to url: POST body with webhook-id msg_id, webhook-timestamp now
   and a signature by secret (and by previous_secret too when not NULL), traceparent the
   child of trace when trace is a valid one. The target is checked again first (DNS
   rebinding). Fills *a; returns a->ok. */
bool deliver_send(const char *url, const char *secret, const char *previous_secret,
                  const char *msg_id, const char *body, size_t len, const char *trace,
                  struct attempt *a);

/* Writes attempts to the deliveries log of a subscription: log is an array of
   {message_id, seq, event_type, attempt, attempted_at, duration_ms, status, ok, error,
   response_body, next_attempt_at}. False when the database failed. */
struct dbconn;
bool deliver_log(struct dbconn *db, const char *webhook_id, json_t *log);

/* Starts GRAPPE_WEBHOOK_WORKERS delivery threads and the one that watches the feed, with
   a pool of their own on url (nothing when the setting is 0); false when they could not
   start. deliver_stop ends them, each after the attempt it is making. */
bool deliver_start(const char *url);
void deliver_stop(void);

/* Attempts of this process that succeeded and failed (src/push/send.c). */
void deliver_send_tally(unsigned long long *ok, unsigned long long *failed);
/* For /metrics: attempts that succeeded and failed since start, subscriptions taken now. */
void deliver_tally(unsigned long long *ok, unsigned long long *failed, int *busy);
#endif
