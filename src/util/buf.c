/* Growable buffer. Allocation failure aborts: a server that cannot allocate 1 KiB has no
   useful way to answer anyway, and it keeps every caller free of error paths. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grow(struct buf *b, size_t need) {
  if (b->len + need + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + need + 1) cap *= 2;
  char *d = realloc(b->data, cap);
  if (!d) abort();
  b->data = d;
  b->cap = cap;
}

void buf_init(struct buf *b) { b->data = NULL; b->len = 0; b->cap = 0; }

void buf_free(struct buf *b) { free(b->data); buf_init(b); }

void buf_reset(struct buf *b) { b->len = 0; if (b->data) b->data[0] = '\0'; }

void buf_add(struct buf *b, const char *s, size_t n) {
  grow(b, n);
  if (n) memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_addc(struct buf *b, char c) { buf_add(b, &c, 1); }

void buf_addf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) { va_end(ap2); return; }
  grow(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  b->len += (size_t)n;
}

void buf_add_json_string(struct buf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  buf_addc(b, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': buf_add(b, "\\\"", 2); break;
    case '\\': buf_add(b, "\\\\", 2); break;
    case '\n': buf_add(b, "\\n", 2); break;
    case '\r': buf_add(b, "\\r", 2); break;
    case '\t': buf_add(b, "\\t", 2); break;
    default:
      if (*p < 0x20) {
        char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
        buf_add(b, e, 6);
      } else {
        buf_addc(b, (char)*p);
      }
    }
  }
  buf_addc(b, '"');
}

void buf_add_csv_field(struct buf *b, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) { buf_adds(b, s); return; }
  buf_addc(b, '"');
  for (const char *p = s; *p; p++) {
    if (*p == '"') buf_addc(b, '"');
    buf_addc(b, *p);
  }
  buf_addc(b, '"');
}

char *buf_steal(struct buf *b) {
  char *d = b->data;
  if (!d) { d = strdup(""); if (!d) abort(); }
  buf_init(b);
  return d;
}
