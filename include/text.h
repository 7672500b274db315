/* Pure text helpers: UTF-8, percent-decoding, hashing, base64url, random tokens. */
#ifndef GRAPPE_TEXT_H
#define GRAPPE_TEXT_H
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t n);
/* The number of characters of s, valid UTF-8: its bytes that do not continue a sequence. */
size_t utf8_chars(const char *s);
/* Cuts s back to its longest valid UTF-8 prefix (after a truncating snprintf, say). */
void utf8_trim(char *s);
/* vsnprintf into out (n bytes), cut back to valid UTF-8 where the output was truncated. */
void utf8_vformat(char *out, size_t n, const char *fmt, va_list ap)
  __attribute__((format(printf, 3, 0)));
/* The length of s cut to at most max bytes at a character boundary, never inside a UTF-8
   sequence: for printf's "%.*s" where "%.20s" could split a character in two. */
int utf8_cut(const char *s, size_t max);
/* Decodes %XX and, when plus_is_space, '+'. Returns a malloc'd string (caller frees) or NULL
   when the encoding is broken, the result holds a NUL byte or is not valid UTF-8. */
char *percent_decode(const char *s, size_t n, bool plus_is_space);
/* Appends the percent-encoding of s (RFC 3986 unreserved characters kept) to out. */
struct buf;
void percent_encode(struct buf *out, const char *s);
/* SHA-256 of data as 64 lowercase hex characters plus NUL. */
void sha256_hex(const void *data, size_t n, char out[65]);
/* The SHA-256 of a followed by b (a 64 MiB body is not copied to be hashed). */
void sha256_hex2(const void *a, size_t na, const void *b, size_t nb, char out[65]);
void sha256_raw(const void *data, size_t n, unsigned char out[32]);
/* SHA-256 of a string as a bytea query parameter: "\\x" and 64 hex characters. */
void sha256_bytea(const char *s, char out[67]);
void hmac_sha256(const void *key, size_t keylen, const void *data, size_t n, unsigned char out[32]);
/* base64url without padding; returns malloc'd text (caller frees). */
char *b64url_encode(const unsigned char *data, size_t n);
/* Decodes base64url without padding into a malloc'd buffer (caller frees); NULL when invalid. */
unsigned char *b64url_decode(const char *s, size_t n, size_t *out_len);
/* Random bytes from the kernel's CSPRNG via GnuTLS; false on failure. */
bool random_bytes(void *out, size_t n);
/* A new random UUID v4 in out (37 bytes), from the nonce generator: for ids, not secrets. */
bool uuid_v4(char out[37]);
/* Constant-time comparison of two byte strings of equal length. */
bool ct_equal(const void *a, const void *b, size_t n);
#endif
