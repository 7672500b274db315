/* Text helpers. Hashing, HMAC and randomness come from GnuTLS (already linked by Ulfius). */
#include "text.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <limits.h>
#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"

bool utf8_valid(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  while (p < end) {
    unsigned c = *p;
    size_t len;
    unsigned min;
    if (c < 0x80) {
      p++;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
      c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
      c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
      c &= 0x07;
    } else return false;
    if ((size_t)(end - p) < len) return false;
    for (size_t i = 1; i < len; i++) {
      if ((p[i] & 0xC0) != 0x80) return false;
      c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
    p += len;
  }
  return true;
}

size_t utf8_chars(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80; /* every byte but a continuation */
  return n;
}

void utf8_trim(char *s) {
  size_t n = strlen(s);
  while (n && !utf8_valid(s, n)) s[--n] = '\0';
}

void utf8_vformat(char *out, size_t n, const char *fmt, va_list ap) {
  vsnprintf(out, n, fmt, ap);
  utf8_trim(out);
}

int utf8_cut(const char *s, size_t max) {
  if (max > INT_MAX) max = INT_MAX;
  size_t n = strnlen(s, max);
  /* s[n] is the NUL or the first byte left out: back off while it continues a sequence */
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  return (int)n;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char *percent_decode(const char *s, size_t n, bool plus_is_space) {
  char *out = xmalloc(n + 1);
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= n) {
        free(out);
        return NULL;
      }
      int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
      if (h < 0 || l < 0) {
        free(out);
        return NULL;
      }
      c = (char)(h * 16 + l);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') {
      free(out);
      return NULL;
    }
    out[j++] = c;
  }
  out[j] = '\0';
  if (!utf8_valid(out, j)) {
    free(out);
    return NULL;
  }
  return out;
}

void percent_encode(struct buf *out, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '.' || *p == '_' || *p == '~') {
      buf_addc(out, (char)*p);
    } else {
      char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      buf_add(out, e, 3);
    }
  }
}

void sha256_raw(const void *data, size_t n, unsigned char out[32]) {
  gnutls_hash_fast(GNUTLS_DIG_SHA256, data, n, out);
}

static void hex32(const unsigned char d[32], char out[65]) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < 32; i++) {
    out[2 * i] = hex[d[i] >> 4];
    out[2 * i + 1] = hex[d[i] & 15];
  }
  out[64] = '\0';
}

void sha256_hex(const void *data, size_t n, char out[65]) {
  unsigned char d[32];
  sha256_raw(data, n, d);
  hex32(d, out);
}

void sha256_hex2(const void *a, size_t na, const void *b, size_t nb, char out[65]) {
  unsigned char d[32];
  gnutls_hash_hd_t h;
  if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0) abort(); /* out of memory */
  gnutls_hash(h, a, na);
  if (nb) gnutls_hash(h, b, nb);
  gnutls_hash_deinit(h, d);
  hex32(d, out);
}

void sha256_bytea(const char *s, char out[67]) {
  out[0] = '\\';
  out[1] = 'x';
  sha256_hex(s, strlen(s), out + 2);
}

void hmac_sha256(const void *key, size_t keylen, const void *data, size_t n,
                 unsigned char out[32]) {
  gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, keylen, data, n, out);
}

char *b64url_encode(const unsigned char *data, size_t n) {
  size_t len = 0;
  if (!o_base64url_encode(data, n, NULL, &len)) return NULL;
  unsigned char *out = xmalloc(len + 4) /* slack, as for decoding */;
  if (!o_base64url_encode(data, n, out, &len)) {
    free(out);
    return NULL;
  }
  out[len] = '\0';
  return (char *)out;
}

unsigned char *b64url_decode(const char *s, size_t n, size_t *out_len) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      return NULL;
  }
  if (n == 0 || n % 4 == 1) return NULL;
  size_t len = 0;
  if (!o_base64url_decode((const unsigned char *)s, n, NULL, &len)) return NULL;
  /* orcania writes past the length it reports (a NUL and more, seen with valgrind): room
     for a whole extra base64 quantum. */
  unsigned char *out = xmalloc(len + 4);
  if (!o_base64url_decode((const unsigned char *)s, n, out, &len)) {
    free(out);
    return NULL;
  }
  out[len] = '\0';
  *out_len = len;
  return out;
}

bool random_bytes(void *out, size_t n) { return gnutls_rnd(GNUTLS_RND_KEY, out, n) == 0; }

bool uuid_v4(char out[37]) {
  unsigned char b[16];
  /* Request ids need uniqueness, not secrecy: the nonce generator, cheaper than the key one */
  if (gnutls_rnd(GNUTLS_RND_NONCE, b, sizeof b) != 0) return false;
  b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
  static const char hex[] = "0123456789abcdef";
  int j = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[j++] = '-';
    out[j++] = hex[b[i] >> 4];
    out[j++] = hex[b[i] & 15];
  }
  out[j] = '\0';
  return true;
}

bool ct_equal(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  unsigned char d = 0;
  for (size_t i = 0; i < n; i++) d |= (unsigned char)(x[i] ^ y[i]);
  return d == 0;
}
