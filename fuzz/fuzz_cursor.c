/* Signed cursors (src/http/cursor.c) and base64url (src/util/text.c).
   The first byte picks the mode:
   - even: the rest is a cursor as a caller sends it (?cursor=, ?since=). A forged one must
     be refused; one that decodes must be exactly what cursor_encode writes for its payload
     (one cursor per position: nothing else is accepted).
   - odd: the rest is a payload text, signed here with the secret as the server would, so
     that the JSON parsing behind the signature check is reached. It must decode exactly
     when jansson takes it as an object, and re-encoding must reach a fixed point. */
#include <stdbool.h>

#include "cursor.h"
#include "fuzz.h"
#include "text.h"

static const unsigned char secret[32] = "grappe fuzz cursor secret 32 by";

/* encode(decode(c)) == c for every cursor the encoder writes. */
static void check_reencode(const json_t *payload, const char *as_sent) {
  char *c1 = cursor_encode(secret, sizeof secret, payload);
  FUZZ_CHECK(c1 != NULL);
  /* cursor_decode refuses more than 4096 characters; the server's own cursors (a key and
     a sort value of at most a few hundred characters) stay far below. */
  if (strlen(c1) > 4096) {
    free(c1);
    return;
  }
  json_t *back = cursor_decode(secret, sizeof secret, c1);
  FUZZ_CHECK(back && json_equal(back, payload));
  char *c2 = cursor_encode(secret, sizeof secret, back);
  FUZZ_CHECK(c2 && strcmp(c1, c2) == 0);
  if (as_sent) {
    if (strcmp(as_sent, c1) != 0)
      fprintf(stderr, "fuzz: accepted cursor\n  %s\nis not the encoding of its payload\n  %s\n",
              as_sent, c1);
    FUZZ_CHECK(strcmp(as_sent, c1) == 0);
  }
  json_decref(back);
  free(c1);
  free(c2);
}

/* base64url round trips, both ways. */
static void check_b64(const uint8_t *data, size_t size) {
  char *e = b64url_encode(data, size);
  FUZZ_CHECK(e != NULL);
  if (size) {
    size_t n = 0;
    unsigned char *d = b64url_decode(e, strlen(e), &n);
    FUZZ_CHECK(d && n == size && memcmp(d, data, size) == 0);
    free(d);
  }
  free(e);
  size_t n = 0;
  unsigned char *d = b64url_decode((const char *)data, size, &n);
  free(d);
}

static char *sign(const uint8_t *text, size_t n) {
  char *body = b64url_encode(text, n);
  FUZZ_CHECK(body != NULL);
  unsigned char mac[32];
  hmac_sha256(secret, sizeof secret, body, strlen(body), mac);
  char *sig = b64url_encode(mac, 16);
  FUZZ_CHECK(sig != NULL);
  size_t a = strlen(body), b = strlen(sig);
  char *out = malloc(a + b + 2);
  FUZZ_CHECK(out != NULL);
  memcpy(out, body, a);
  out[a] = '.';
  memcpy(out + a + 1, sig, b + 1);
  free(body);
  free(sig);
  return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  const uint8_t *rest = data + 1;
  size_t n = size - 1;
  check_b64(rest, n);
  if (!(data[0] & 1)) {
    char *cursor = fuzz_cstr(rest, n);
    json_t *pl = cursor_decode(secret, sizeof secret, cursor);
    if (pl) {
      FUZZ_CHECK(json_is_object(pl));
      check_reencode(pl, cursor);
    }
    /* Another secret never accepts it. */
    static const unsigned char other[32] = "a different secret for the test";
    json_t *foreign = cursor_decode(other, sizeof other, cursor);
    FUZZ_CHECK(foreign == NULL);
    json_decref(pl);
    free(cursor);
    return 0;
  }
  if (n == 0) return 0; /* b64url_decode refuses an empty body, as it should */
  char *cursor = sign(rest, n);
  json_t *pl = cursor_decode(secret, sizeof secret, cursor);
  json_t *direct =
    strlen(cursor) <= 4096 ? json_loadb((const char *)rest, n, JSON_REJECT_DUPLICATES, NULL) : NULL;
  FUZZ_CHECK((pl != NULL) == json_is_object(direct));
  if (pl) {
    FUZZ_CHECK(json_equal(pl, direct));
    check_reencode(pl, NULL);
  }
  json_decref(direct);
  json_decref(pl);
  free(cursor);
  return 0;
}
