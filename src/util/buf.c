/* Growable buffer. Allocation failure aborts (include/mem.h). */
#include "buf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "validate.h"

static void grow(struct buf *b, size_t need) {
  if (b->len + need + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + need + 1) cap *= 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

void buf_init(struct buf *b) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void buf_free(struct buf *b) {
  free(b->data);
  buf_init(b);
}

void buf_reset(struct buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

void buf_add(struct buf *b, const char *s, size_t n) {
  grow(b, n);
  if (n) memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_addc(struct buf *b, char c) { buf_add(b, &c, 1); }

void buf_vaddf(struct buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0) {
    va_end(ap2);
    return;
  }
  grow(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vaddf(b, fmt, ap);
  va_end(ap);
}

/* Whether one of the 8 bytes of w must be escaped in a JSON string: a control character
   (below 0x20, NUL included), '"' or '\\'. Each test is exact for "some byte of the word"
   (the classic has-less-than and has-zero-byte tricks; bytes from 0x80 never match). */
static bool word_needs_escape(uint64_t w) {
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
  return (((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) |
          ((backslash - ones) & ~backslash)) &
         highs;
}

/* Most text needs no escape: it is checked 8 bytes at a time and copied in runs, into room
   made once for the unescaped length (a page of 50 companies spent a third of its rendering
   here, a byte at a time). */
void buf_add_json_string(struct buf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  size_t n = strlen(s);
  grow(b, n + 2);
  b->data[b->len++] = '"';
  const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
  while (p < end) {
    if (end - p >= 8) {
      uint64_t w;
      memcpy(&w, p, sizeof w);
      if (!word_needs_escape(w)) {
        p += 8;
        continue;
      }
    }
    unsigned char ch = *p;
    if (ch >= 0x20 && ch != '"' && ch != '\\') {
      p++;
      continue;
    }
    buf_add(b, (const char *)run, (size_t)(p - run)); /* the bytes that need no escape, at once */
    run = ++p;
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
  buf_add(b, (const char *)run, (size_t)(end - run));
  buf_addc(b, '"');
}

static bool digits(const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

/* The proleptic Gregorian date of a day since 1970-01-01: date_days (validate.h) backwards. */
static void civil_from_days(long long z, long long *y, int *m, int *d) {
  z += 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int num2(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

void buf_add_pg_timestamp(struct buf *b, const char *s) {
  /* "YYYY-MM-DD HH:MM:SS[.f{1,6}]+HH[:MM[:SS]]", the year 4 digits or more */
  if (strcmp(s, "infinity") == 0 || strcmp(s, "-infinity") == 0) { /* as to_char() gave them */
    buf_adds(b, "null");
    return;
  }
  size_t yl = strspn(s, "0123456789");
  const char *t = s + yl; /* "-MM-DD HH:MM:SS" */
  if (yl < 4 || yl > 7 || t[0] != '-' || !digits(t + 1, 2) || t[3] != '-' || !digits(t + 4, 2) ||
      t[6] != ' ' || !digits(t + 7, 2) || t[9] != ':' || !digits(t + 10, 2) || t[12] != ':' ||
      !digits(t + 13, 2)) {
    buf_add_json_string(b, s);
    return;
  }
  const char *p = t + 15;
  char frac[7] = "000000";
  if (*p == '.') {
    int f = 0;
    for (p++; *p >= '0' && *p <= '9'; p++) {
      if (f == 6) {
        buf_add_json_string(b, s);
        return;
      }
      frac[f++] = *p;
    }
  }
  int off_s = 0; /* the offset, in seconds east of UTC */
  if ((*p != '+' && *p != '-') || !digits(p + 1, 2)) {
    buf_add_json_string(b, s);
    return;
  }
  off_s = num2(p + 1) * 3600;
  const char *q = p + 3;
  for (int unit = 60; *q == ':' && unit; unit = unit == 60 ? 1 : 0, q += 3) {
    if (!digits(q + 1, 2)) {
      buf_add_json_string(b, s);
      return;
    }
    off_s += num2(q + 1) * unit;
  }
  if (*q) {
    buf_add_json_string(b, s);
    return;
  } /* " BC" or anything else */
  if (*p == '-') off_s = -off_s;
  if (off_s == 0 && yl == 4) { /* what every session of ours gets (UTC): no arithmetic */
    char out[30];
    memcpy(out, s, 19);
    out[10] = 'T';
    out[19] = '.';
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): out is 27 bytes, not a string */
    memcpy(out + 20, frac, 6);
    out[26] = 'Z';
    buf_addc(b, '"');
    buf_add(b, out, 27);
    buf_addc(b, '"');
    return;
  }
  long long year = 0;
  for (size_t i = 0; i < yl; i++) year = year * 10 + (s[i] - '0');
  long long secs = date_days(year, num2(t + 1), num2(t + 4)) * 86400 + num2(t + 7) * 3600LL +
                   num2(t + 10) * 60LL + num2(t + 13) - off_s;
  long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  long long rem = secs - days * 86400;
  int m, d;
  civil_from_days(days, &year, &m, &d);
  buf_addf(b, "\"%04lld-%02d-%02dT%02lld:%02lld:%02lld.%sZ\"", year, m, d, rem / 3600,
           rem / 60 % 60, rem % 60, frac);
}

char *buf_steal(struct buf *b) {
  char *d = b->data;
  if (!d) d = xstrdup("");
  buf_init(b);
  return d;
}
