/* Signed opaque cursors: base64url(JSON payload) "." base64url(HMAC-SHA256 truncated). */
#ifndef GRAPPE_CURSOR_H
#define GRAPPE_CURSOR_H
#include <jansson.h>
#include <stddef.h>

/* Returns a malloc'd cursor for payload (caller frees). */
char *cursor_encode(const unsigned char *secret, size_t secret_len, const json_t *payload);
/* Returns a new reference to the payload object, or NULL when the cursor is malformed or
   its signature does not match. */
json_t *cursor_decode(const unsigned char *secret, size_t secret_len, const char *cursor);
#endif
