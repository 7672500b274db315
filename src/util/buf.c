/* Growable buffer. Allocation failure aborts: a server that cannot allocate 1 KiB has no
   useful way to answer anyway, and it keeps every caller free of error paths. */
#include "buf.h"

#include <stdbool.h>
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
  const unsigned char *p = (const unsigned char *)s, *run = p;
  for (;; p++) {
    unsigned char ch = *p;
    if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
    buf_add(b, (const char *)run, (size_t)(p - run)); /* the bytes that need no escape, at once */
    if (!ch) break;
    run = p + 1;
    switch (ch) {
    case '"': buf_add(b, "\\\"", 2); break;
    case '\\': buf_add(b, "\\\\", 2); break;
    case '\n': buf_add(b, "\\n", 2); break;
    case '\r': buf_add(b, "\\r", 2); break;
    case '\t': buf_add(b, "\\t", 2); break;
    default: {
      char e[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
      buf_add(b, e, 6);
    }
    }
  }
  buf_addc(b, '"');
}

static bool digits(const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

void buf_add_pg_timestamp(struct buf *b, const char *s) {
  /* "YYYY-MM-DD HH:MM:SS[.f{1,6}]+HH[:MM]" */
  size_t n = strlen(s);
  if (n < 22 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
      s[10] != ' ' || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2)) {
    buf_add_json_string(b, s);
    return;
  }
  char out[40];
  memcpy(out, s, 19);
  out[10] = 'T';
  out[19] = '.';
  const char *p = s + 19;
  int f = 0;
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9'; p++) {
      if (f == 6) { buf_add_json_string(b, s); return; }
      out[20 + f++] = *p;
    }
  }
  for (; f < 6; f++) out[20 + f] = '0';
  size_t len = 26;
  if ((*p != '+' && *p != '-') || !digits(p + 1, 2) || (p[3] && (p[3] != ':' || !digits(p + 4, 2) || p[6]))) {
    buf_add_json_string(b, s); /* seconds in the offset, " BC", or not ISO at all */
    return;
  }
  if (p[1] == '0' && p[2] == '0' && (!p[3] || (p[4] == '0' && p[5] == '0'))) {
    out[len++] = 'Z';
  } else {
    memcpy(out + len, p, 3);
    len += 3;
    out[len++] = ':';
    out[len++] = p[3] ? p[4] : '0';
    out[len++] = p[3] ? p[5] : '0';
  }
  buf_addc(b, '"');
  buf_add(b, out, len);
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
