/* Pure helpers of webhook deliveries (Standard Webhooks 1.0): secrets and signatures, the
   W3C trace context passed on, the retry schedule, and the target URL. No Ulfius, no libpq;
   unit-tested in tests/unit. */
#ifndef GRAPPE_WEBHOOK_H
#define GRAPPE_WEBHOOK_H
#include <stdbool.h>
#include <stddef.h>

/* A new secret, "whsec_" and the base64 of 32 random bytes (malloc'd; NULL without
   randomness). */
char *webhook_secret_new(void);
/* The key of a secret: the bytes its base64 part decodes to, at most n (24 to 64 of them).
   Returns their number, or -1 when secret is not "whsec_<base64>" of that size. */
int webhook_secret_key(const char *secret, unsigned char *out, size_t n);
/* The signature of a message as Standard Webhooks verifies it: "v1," and the base64 of
   HMAC-SHA256(key, "<msg_id>.<timestamp>.<body>"), in out (at least 48 bytes). False when
   the secret is not one. */
bool webhook_sign(const char *secret, const char *msg_id, long long timestamp, const char *body,
                  size_t len, char *out, size_t n);

/* A W3C traceparent (version 00: "00-<32 hex>-<16 hex>-<2 hex>", ids not all zero; later
   versions: the same prefix, more after a '-'), in lowercase as the recommendation says. */
bool traceparent_valid(const char *s);
/* The traceparent of a call made on behalf of parent: its version-00 form with the same
   trace id and flags and a new random parent id (out: 56 bytes). False when parent is not
   valid or randomness failed. */
bool traceparent_child(const char *parent, char out[56]);

/* Seconds before the next attempt after `failures` failed ones (1, 2, …): base doubled at
   each failure, at most max, then drawn between half of it and all of it by r in [0, 1). */
double webhook_backoff(int failures, double base, double max, double r);

/* A target: https (or http), a host name or address, a port. */
struct webhook_target {
  bool https;
  char host[256]; /* without brackets for IPv6 */
  int port;
};
/* Parses a webhook URL with libcurl's own parser (the one that sends it): http or https
   only, a host, no user or password, no fragment; at most 2048 bytes. False with a reason
   in *why. */
bool webhook_url_parse(const char *url, struct webhook_target *out, const char **why);
#endif
