/* Webhook signing, trace context, retry schedule and target URLs (include/webhook.h). */
#include "webhook.h"

#include <curl/curl.h>
#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "text.h"

#define SECRET_PREFIX "whsec_"
#define SECRET_BYTES 32

char *webhook_secret_new(void) {
  unsigned char raw[SECRET_BYTES];
  if (!random_bytes(raw, sizeof raw)) return NULL;
  unsigned char b64[64];
  size_t len = 0;
  if (!o_base64_encode(raw, sizeof raw, b64, &len) || len >= sizeof b64) return NULL;
  char *out = xmalloc(sizeof SECRET_PREFIX + len);
  memcpy(out, SECRET_PREFIX, sizeof SECRET_PREFIX - 1);
  memcpy(out + sizeof SECRET_PREFIX - 1, b64, len);
  out[sizeof SECRET_PREFIX - 1 + len] = '\0';
  return out;
}

int webhook_secret_key(const char *secret, unsigned char *out, size_t n) {
  size_t plen = sizeof SECRET_PREFIX - 1;
  if (!secret || strncmp(secret, SECRET_PREFIX, plen) != 0) return -1;
  const char *b = secret + plen;
  size_t blen = strlen(b);
  if (blen == 0 || blen > 128 || blen % 4 != 0) return -1;
  for (size_t i = 0; i < blen; i++) {
    char c = b[i];
    bool pad = c == '=' && i >= blen - 2;
    if (!pad && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/'))
      return -1;
  }
  unsigned char buf[128]; /* orcania may write a little past what it reports */
  size_t len = 0;
  if (!o_base64_decode((const unsigned char *)b, blen, NULL, &len) || len + 4 > sizeof buf ||
      !o_base64_decode((const unsigned char *)b, blen, buf, &len))
    return -1;
  if (len < 24 || len > 64 || len > n) return -1;
  memcpy(out, buf, len);
  return (int)len;
}

bool webhook_sign(const char *secret, const char *msg_id, long long timestamp, const char *body,
                  size_t len, char *out, size_t n) {
  unsigned char key[64];
  int klen = webhook_secret_key(secret, key, sizeof key);
  if (klen < 0 || n < 48) return false;
  struct buf m;
  buf_init(&m);
  buf_addf(&m, "%s.%lld.", msg_id, timestamp);
  buf_add(&m, body, len);
  unsigned char mac[32];
  hmac_sha256(key, (size_t)klen, m.data, m.len, mac);
  buf_free(&m);
  unsigned char b64[48];
  size_t blen = 0;
  if (!o_base64_encode(mac, sizeof mac, b64, &blen) || blen + 4 > n) return false;
  memcpy(out, "v1,", 3);
  memcpy(out + 3, b64, blen);
  out[3 + blen] = '\0';
  return true;
}

static bool lower_hex(const char *s, size_t n, bool nonzero) {
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    if (c != '0') any = true;
  }
  return !nonzero || any;
}

bool traceparent_valid(const char *s) {
  if (!s) return false;
  size_t n = strlen(s);
  if (n < 55 || s[2] != '-' || s[35] != '-' || s[52] != '-') return false;
  if (!lower_hex(s, 2, false) || strncmp(s, "ff", 2) == 0) return false;
  if (!lower_hex(s + 3, 32, true) || !lower_hex(s + 36, 16, true) || !lower_hex(s + 53, 2, false))
    return false;
  if (strncmp(s, "00", 2) == 0) return n == 55;
  return n == 55 || s[55] == '-'; /* a later version may say more after its flags */
}

bool traceparent_child(const char *parent, char out[56]) {
  if (!traceparent_valid(parent)) return false;
  unsigned char id[8];
  if (!random_bytes(id, sizeof id)) return false;
  char hex[17];
  for (size_t i = 0; i < 8; i++) snprintf(hex + 2 * i, 3, "%02x", id[i]);
  if (strspn(hex, "0") == 16) hex[15] = '1';
  snprintf(out, 56, "00-%.32s-%s-%.2s", parent + 3, hex, parent + 53);
  return true;
}

double webhook_backoff(int failures, double base, double max, double r) {
  double d = base;
  for (int i = 1; i < failures && d < max; i++) d *= 2;
  if (d > max) d = max;
  if (r < 0) r = 0;
  if (r >= 1) r = 0.999999;
  return d / 2 + d / 2 * r;
}

bool webhook_url_parse(const char *url, struct webhook_target *out, const char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  if (!url || !*url || strlen(url) > 2048) {
    *why = "is empty or longer than 2048 characters";
    return false;
  }
  for (const char *p = url; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == 0x7f) {
      *why = "holds a space or a control character";
      return false;
    }
  CURLU *u = curl_url();
  if (!u) {
    *why = "could not be parsed";
    return false;
  }
  char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL, *password = NULL, *fragment = NULL;
  bool ok = false;
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
    *why = "is not an absolute http or https URL";
  } else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
             (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)) {
    *why = "is not an http or https URL";
  } else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0]) {
    *why = "has no host";
  } else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
             curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
    *why = "carries a user name or password: put credentials in the path or rely on the signature";
  } else if (curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK) {
    *why = "has a fragment (#…), which is never sent";
  } else if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
    *why = "has no port";
  } else {
    size_t h = strlen(host);
    const char *hs = host;
    if (h >= 2 && host[0] == '[' && host[h - 1] == ']') {
      hs++;
      h -= 2;
    }
    if (h == 0 || h >= sizeof out->host) {
      *why = "has a host name that is too long";
    } else {
      memcpy(out->host, hs, h);
      out->host[h] = '\0';
      out->https = strcmp(scheme, "https") == 0;
      out->port = atoi(port);
      ok = out->port > 0 && out->port <= 65535;
      if (!ok) *why = "has an invalid port";
    }
  }
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_free(user);
  curl_free(password);
  curl_free(fragment);
  curl_url_cleanup(u);
  return ok;
}
