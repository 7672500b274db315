/* A growable byte buffer, always NUL-terminated. Aborts on allocation failure. */
#ifndef GRAPPE_BUF_H
#define GRAPPE_BUF_H
#include <stdarg.h>
#include <stddef.h>

struct buf {
  char *data;
  size_t len;
  size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const char *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends s as a JSON string literal, quotes included. */
void buf_add_json_string(struct buf *b, const char *s);
/* Appends PostgreSQL's ISO text of a timestamptz ("2026-11-27 04:27:10.5+00", DateStyle ISO,
   any session time zone) as an RFC 3339 JSON string in UTC with microseconds
   ("2026-11-27T04:27:10.500000Z"); infinity as null; any other text (BC dates, another
   DateStyle) as a plain JSON string. */
void buf_add_pg_timestamp(struct buf *b, const char *s);
/* Hands the data to the caller (free() it) and resets the buffer. */
char *buf_steal(struct buf *b);
#endif
