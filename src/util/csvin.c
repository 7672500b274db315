/* A streaming CSV reader (RFC 4180) for bulk imports: one record at a time from a body held
   in memory. Quotes, delimiters and newlines are ASCII in both charsets, so a record is cut
   on the raw bytes first; only its cells are then validated (UTF-8) or converted
   (windows-1252, with glibc's iconv). The cells go into buffers reused from record to record:
   the reader holds at most one record (CSVIN_MAX_RECORD), never a copy of the body. */
#include "csvin.h"

#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

/* The cells of one record as read: each followed by a NUL, cell i at raw + start[i]. */
struct record {
  char *raw;
  size_t len, cap;
  size_t *start;
  size_t n, ncap;
};

struct csvin {
  const char *data;
  size_t len, pos; /* data[pos] begins the next record or blank line */
  long line;       /* the physical line of data[pos], 1-based */
  char delim;
  iconv_t cd; /* windows-1252 to UTF-8; (iconv_t)-1 for UTF-8 input */
  struct record rec;
  char **cells; /* what csvin_next hands out: into rec.raw, or into conv */
  size_t cells_cap;
  char *conv; /* windows-1252: the record's cells in UTF-8 */
  size_t conv_cap;
};

static bool say(char *err, size_t errlen, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

/* Writes the message; true, so that `bad = say(...)` reads as what it does. */
static bool say(char *err, size_t errlen, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return true;
}

/* The position after any blank physical lines (empty, or only a CR) at pos; *line counts them. */
static size_t skip_blank(const char *d, size_t len, size_t pos, long *line) {
  for (;;) {
    size_t p = pos;
    if (p < len && d[p] == '\r') p++;
    if (p == len) return len;
    if (d[p] != '\n') return pos;
    pos = p + 1;
    if (line) (*line)++;
  }
}

/* The delimiter of the first record: ',' or ';', whichever occurs more often outside quotes
   (',' on a tie). A doubled quote toggles twice, so counting toggles is enough. */
static char detect_delimiter(const char *d, size_t len, size_t pos) {
  size_t commas = 0, semicolons = 0;
  bool quoted = false;
  for (pos = skip_blank(d, len, pos, NULL); pos < len; pos++) {
    char c = d[pos];
    if (c == '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c == ',') commas++;
    else if (c == ';') semicolons++;
    else if (c == '\n') break;
  }
  return semicolons > commas ? ';' : ',';
}

struct csvin *csvin_open(const char *data, size_t len, enum csvin_charset cs) {
  iconv_t cd = (iconv_t)-1;
  if (cs == CSVIN_WINDOWS_1252) {
    cd = iconv_open("UTF-8", "WINDOWS-1252");
    if (cd == (iconv_t)-1) return NULL;
  }
  struct csvin *r = xcalloc(1, sizeof *r);
  r->data = data;
  r->len = len;
  r->line = 1;
  r->cd = cd;
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
  r->delim = detect_delimiter(data, len, r->pos);
  return r;
}

char csvin_delimiter(const struct csvin *r) { return r->delim; }

void csvin_close(struct csvin *r) {
  if (!r) return;
  if (r->cd != (iconv_t)-1) iconv_close(r->cd);
  free(r->rec.raw);
  free(r->rec.start);
  free(r->cells);
  free(r->conv);
  free(r);
}

static void rec_reserve(struct record *c, size_t more) {
  if (c->len + more <= c->cap) return;
  size_t cap = c->cap ? c->cap : 256;
  while (cap < c->len + more) cap *= 2;
  c->raw = xrealloc(c->raw, cap);
  c->cap = cap;
}

/* Appends n bytes to the current cell; false when the record would pass CSVIN_MAX_RECORD. */
static bool rec_add(struct record *c, const char *s, size_t n) {
  if (c->len + n + 1 > CSVIN_MAX_RECORD) return false;
  if (n == 0) return true;
  rec_reserve(c, n);
  memcpy(c->raw + c->len, s, n);
  c->len += n;
  return true;
}

static void rec_begin_cell(struct record *c) {
  if (c->n == c->ncap) {
    c->ncap = c->ncap ? c->ncap * 2 : 16;
    c->start = xrealloc(c->start, c->ncap * sizeof *c->start);
  }
  c->start[c->n++] = c->len;
}

static void rec_end_cell(struct record *c) {
  rec_reserve(c, 1);
  c->raw[c->len++] = '\0';
}

/* Does the record end at d[p] (the end of data, LF, or CR before LF or the end)? */
static bool at_record_end(const char *d, size_t len, size_t p) {
  return p == len || d[p] == '\n' || (d[p] == '\r' && (p + 1 == len || d[p + 1] == '\n'));
}

/* Where reading resumes after a stray quote at p: the next physical line. */
static size_t next_line(const char *d, size_t len, size_t p, long *line) {
  const char *nl = memchr(d + p, '\n', len - p);
  if (!nl) return len;
  (*line)++;
  return (size_t)(nl - d) + 1;
}

/* Cuts the record at *pos into cells, stored in rec (when rec is NULL, only finds its end).
   Returns 1, or -1 with err set; either way *pos and *line are where reading resumes. */
static int scan(const char *d, size_t len, char delim, size_t *pos, long *line, struct record *rec,
                char *err, size_t errlen) {
  size_t p = *pos;
  bool bad = false; /* a fault in the cells: stop storing them, still find the record's end */
  bool store = rec != NULL;
  if (rec) rec->len = rec->n = 0;
  for (size_t cell = 1;; cell++) {
    if (!bad && cell > CSVIN_MAX_CELLS)
      bad = say(err, errlen, "more than %d cells", CSVIN_MAX_CELLS);
    if (store && !bad) rec_begin_cell(rec);
    if (p < len && d[p] == '"') {
      for (p++;;) {
        size_t q = p;
        while (q < len && d[q] != '"' && d[q] != '\n' && d[q] != '\0') q++;
        if (store && !bad && !rec_add(rec, d + p, q - p))
          bad = say(err, errlen, "a record longer than 1 MiB");
        if (q == len) {
          say(err, errlen, "unterminated quoted cell (cell %zu)", cell);
          *pos = len;
          return -1;
        }
        p = q + 1;
        if (d[q] == '\n') {
          (*line)++;
        } else if (d[q] == '\0') {
          if (!bad) bad = say(err, errlen, "NUL byte in cell %zu", cell);
          continue;
        } else if (p < len && d[p] == '"') {
          p++; /* "" is one quote, the second of the two */
        } else {
          break;
        }
        if (store && !bad && !rec_add(rec, d + q, 1))
          bad = say(err, errlen, "a record longer than 1 MiB");
      }
      if (p < len && d[p] != delim && !at_record_end(d, len, p)) {
        say(err, errlen, "text after the closing quote of cell %zu", cell);
        *pos = next_line(d, len, p, line);
        return -1;
      }
    } else {
      for (;;) {
        size_t q = p;
        while (q < len && d[q] != delim && d[q] != '"' && d[q] != '\n' && d[q] != '\0') q++;
        size_t n = q - p;
        if ((q == len || d[q] == '\n') && n && d[q - 1] == '\r') n--; /* CRLF, or a final CR */
        if (store && !bad && !rec_add(rec, d + p, n))
          bad = say(err, errlen, "a record longer than 1 MiB");
        p = q;
        if (q < len && d[q] == '"') {
          say(err, errlen, "a quote inside an unquoted cell (cell %zu)", cell);
          *pos = next_line(d, len, q, line);
          return -1;
        }
        if (q == len || d[q] != '\0') break;
        if (!bad) bad = say(err, errlen, "NUL byte in cell %zu", cell);
        p++;
      }
    }
    if (store && !bad) rec_end_cell(rec);
    if (p < len && d[p] == delim) {
      p++;
      continue;
    }
    /* the end of the record: the end of data, LF, or CR LF / a final CR after a quote */
    if (p < len && d[p] == '\r') p++;
    if (p < len && d[p] == '\n') {
      p++;
      (*line)++;
    }
    *pos = p;
    return bad ? -1 : 1;
  }
}

/* Points r->cells at the record's cells, converted to UTF-8; false with err set when one
   holds invalid UTF-8 or a byte that windows-1252 leaves undefined. */
static bool finish_cells(struct csvin *r, char *err, size_t errlen) {
  struct record *c = &r->rec;
  if (c->n > r->cells_cap) {
    r->cells = xrealloc(r->cells, c->ncap * sizeof *r->cells);
    r->cells_cap = c->ncap;
  }
  if (r->cd == (iconv_t)-1) {
    for (size_t i = 0; i < c->n; i++) {
      size_t end = i + 1 < c->n ? c->start[i + 1] : c->len;
      r->cells[i] = c->raw + c->start[i];
      if (!utf8_valid(r->cells[i], end - c->start[i] - 1))
        return !say(err, errlen, "invalid UTF-8 in cell %zu", i + 1);
    }
    return true;
  }
  /* windows-1252 characters are at most 3 bytes in UTF-8 (U+20AC) */
  size_t need = 3 * c->len + 1;
  if (need > r->conv_cap) {
    r->conv = xrealloc(r->conv, need);
    r->conv_cap = need;
  }
  char *out = r->conv;
  size_t left = r->conv_cap;
  for (size_t i = 0; i < c->n; i++) {
    char *in = c->raw + c->start[i];
    size_t inleft = (i + 1 < c->n ? c->start[i + 1] : c->len) - c->start[i] - 1;
    for (size_t k = 0; k < inleft; k++) {
      unsigned char b = (unsigned char)in[k];
      if (b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D)
        return !say(err, errlen, "byte 0x%02X in cell %zu is not a windows-1252 character", b,
                    i + 1);
    }
    r->cells[i] = out;
    iconv(r->cd, NULL, NULL, NULL, NULL);
    if (iconv(r->cd, &in, &inleft, &out, &left) == (size_t)-1 || left == 0)
      return !say(err, errlen, "invalid windows-1252 text in cell %zu", i + 1);
    *out++ = '\0';
    left--;
  }
  return true;
}

int csvin_next(struct csvin *r, char ***cells, size_t *ncells, long *line, char *err,
               size_t errlen) {
  if (err && errlen) err[0] = '\0';
  *cells = NULL;
  *ncells = 0;
  r->pos = skip_blank(r->data, r->len, r->pos, &r->line);
  *line = r->line;
  if (r->pos >= r->len) return 0;
  if (scan(r->data, r->len, r->delim, &r->pos, &r->line, &r->rec, err, errlen) < 0) return -1;
  if (!finish_cells(r, err, errlen)) return -1;
  *cells = r->cells;
  *ncells = r->rec.n;
  return 1;
}

size_t csvin_count_records(const struct csvin *r) {
  size_t n = 0, pos = r->pos;
  long line = r->line;
  for (;;) {
    pos = skip_blank(r->data, r->len, pos, &line);
    if (pos >= r->len) return n;
    n++;
    scan(r->data, r->len, r->delim, &pos, &line, NULL, NULL, 0);
  }
}
