/* iCalendar content lines: RFC 5545 section 3.1 (folding) and 3.3.11 (TEXT escaping). */
#include "ics.h"

#include <string.h>

/* Appends s to the line being built, folding before 75 octets; *used counts the octets of
   the current physical line. A fold never splits a UTF-8 sequence. */
static void add_folded(struct buf *b, const char *s, size_t n, size_t *used) {
  if (n == 2 && s[0] == '\\') { /* an escape pair stays on one line */
    if (*used + 2 > 75) {
      buf_add(b, "\r\n ", 3);
      *used = 1;
    }
    buf_add(b, s, 2);
    *used += 2;
    return;
  }
  size_t i = 0;
  while (i < n) {
    size_t len = 1;
    unsigned char c = (unsigned char)s[i];
    if (c >= 0xF0) len = 4;
    else if (c >= 0xE0) len = 3;
    else if (c >= 0xC0) len = 2;
    if (i + len > n) len = n - i;
    if (*used + len > 75) {
      buf_add(b, "\r\n ", 3);
      *used = 1;
    }
    buf_add(b, s + i, len);
    *used += len;
    i += len;
  }
}

void ics_line(struct buf *b, const char *name, const char *value, int escape) {
  size_t used = 0;
  add_folded(b, name, strlen(name), &used);
  add_folded(b, ":", 1, &used);
  for (const char *p = value; *p; p++) {
    if (escape && (*p == '\\' || *p == ';' || *p == ',')) {
      char e[2] = {'\\', *p};
      add_folded(b, e, 2, &used);
    } else if (escape && *p == '\n') {
      add_folded(b, "\\n", 2, &used);
    } else if (*p == '\r') {
      continue; /* CR alone never belongs in a value; CRLF became \n above */
    } else {
      /* a whole UTF-8 sequence at once, so that a fold cannot fall inside it */
      unsigned char c = (unsigned char)*p;
      size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      /* only continuation bytes belong to the sequence: a lead byte followed by anything
         else (invalid UTF-8) is taken alone, so that a line break or a separator after it
         is still escaped */
      size_t have = 1;
      while (have < len && ((unsigned char)p[have] & 0xC0) == 0x80) have++;
      add_folded(b, p, have, &used);
      p += have - 1;
    }
  }
  buf_add(b, "\r\n", 2);
}

void ics_utc(struct buf *b, const char *name, const char *t) {
  /* t is YYYY-MM-DDTHH:MM:SS[.frac]Z, as representations write it (buf_add_pg_timestamp) */
  char v[17];
  if (!t || strlen(t) < 19) return;
  memcpy(v, t, 4);
  memcpy(v + 4, t + 5, 2);
  memcpy(v + 6, t + 8, 2);
  v[8] = 'T';
  memcpy(v + 9, t + 11, 2);
  memcpy(v + 11, t + 14, 2);
  memcpy(v + 13, t + 17, 2);
  v[15] = 'Z';
  v[16] = '\0';
  ics_line(b, name, v, 0);
}
