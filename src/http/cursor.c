/* Cursors are opaque to callers but not secret: the payload is plain JSON, and the HMAC
   stops a caller from forging positions or reusing a cursor across resources. */
#include "cursor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

#define SIG_LEN 16 /* 128 bits of HMAC-SHA256 are plenty against forgery */

char *cursor_encode(const unsigned char *secret, size_t secret_len, const json_t *payload) {
  char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
  if (!text) return NULL;
  char *body = b64url_encode((const unsigned char *)text, strlen(text));
  free(text);
  if (!body) return NULL;
  unsigned char mac[32];
  hmac_sha256(secret, secret_len, body, strlen(body), mac);
  char *sig = b64url_encode(mac, SIG_LEN);
  if (!sig) {
    free(body);
    return NULL;
  }
  size_t a = strlen(body), b = strlen(sig);
  char *out = xmalloc(a + b + 2);
  snprintf(out, a + b + 2, "%s.%s", body, sig);
  free(body);
  free(sig);
  return out;
}

json_t *cursor_decode(const unsigned char *secret, size_t secret_len, const char *cursor) {
  if (!cursor) return NULL;
  size_t n = strlen(cursor);
  if (n > 4096) return NULL;
  const char *dot = strchr(cursor, '.');
  if (!dot || dot == cursor) return NULL;
  size_t body_len = (size_t)(dot - cursor);
  unsigned char mac[32];
  hmac_sha256(secret, secret_len, cursor, body_len, mac);
  /* The signature is compared as the text we write: decoding first would let the unused
     low bits of its last base64url character take any value (16 spellings of one cursor). */
  char *expected = b64url_encode(mac, SIG_LEN);
  size_t sig_text_len = n - body_len - 1;
  bool ok =
    expected && strlen(expected) == sig_text_len && ct_equal(dot + 1, expected, sig_text_len);
  free(expected);
  if (!ok) return NULL;
  size_t text_len = 0;
  unsigned char *text = b64url_decode(cursor, body_len, &text_len);
  if (!text) return NULL;
  json_t *payload = json_loadb((const char *)text, text_len, JSON_REJECT_DUPLICATES, NULL);
  free(text);
  if (!json_is_object(payload)) {
    json_decref(payload);
    return NULL;
  }
  return payload;
}
