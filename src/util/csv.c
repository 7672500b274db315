/* CSV cells (RFC 4180), safe to open in a spreadsheet. Pure: no Ulfius, no libpq.
   Every CSV the API writes goes through these functions (lists and the benchmark). */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "resource.h"

bool csv_dialect_parse(const char *value, enum csv_dialect *out) {
  if (!value) {
    *out = CSV_RFC4180;
    return true;
  }
  if (strcmp(value, "excel") == 0) {
    *out = CSV_EXCEL;
    return true;
  }
  return false;
}

/* The Excel dialect's bytes: UTF-8 is otherwise read as the system's ANSI code page
   (windows-1252: "Ã©" for "é"). No "sep=;" line: with one, Excel ignores the mark. */
void csv_begin(struct buf *b, enum csv_dialect d) {
  if (d == CSV_EXCEL) buf_add(b, "\xEF\xBB\xBF", 3);
}

void csv_sep(struct buf *b, enum csv_dialect d) { buf_addc(b, d == CSV_EXCEL ? ';' : ','); }

void csv_end_row(struct buf *b) { buf_add(b, "\r\n", 2); }

/* The characters a spreadsheet may start a formula with (=, +, - and @), and tab and CR,
   which some strip before looking (OWASP's list). */
bool csv_formula_like(const char *s) { return s[0] && strchr("=+-@\t\r", s[0]) != NULL; }

void csv_text(struct buf *b, const char *s, enum csv_dialect d) {
  const char *specials = d == CSV_EXCEL ? ";\"\r\n" : ",\"\r\n";
  bool quote = strpbrk(s, specials) != NULL;
  if (quote) buf_addc(b, '"');
  if (csv_formula_like(s)) buf_addc(b, '\'');
  for (const char *run = s;;) {
    const char *q = strchr(run, '"');
    if (!q) {
      buf_adds(b, run);
      break;
    }
    buf_add(b, run, (size_t)(q - run + 1)); /* up to the quote, which is then doubled */
    buf_addc(b, '"');
    run = q + 1;
  }
  if (quote) buf_addc(b, '"');
}

void csv_number(struct buf *b, const char *s, enum csv_dialect d) {
  if (d != CSV_EXCEL) {
    buf_adds(b, s);
    return;
  }
  for (const char *p = s; *p; p++) buf_addc(b, (char)(*p == '.' ? ',' : *p));
}

void csv_header(struct buf *b, const struct field *fields, enum csv_dialect d) {
  bool first = true;
  for (const struct field *f = fields; f->name; f++) {
    if (f->type == F_OBJECT && f->sub) { /* flattened; a summary object (no sub) is one JSON cell */
      for (const struct field *s = f->sub; s->name; s++) {
        struct buf name;
        buf_init(&name);
        buf_addf(&name, "%s.%s", f->name, s->name);
        if (!first) csv_sep(b, d);
        csv_text(b, name.data, d);
        buf_free(&name);
        first = false;
      }
    } else {
      if (!first) csv_sep(b, d);
      csv_text(b, f->name, d);
      first = false;
    }
  }
  csv_end_row(b);
}

static void cell(struct buf *b, const struct field *f, const json_t *v, enum csv_dialect d) {
  if (!v || json_is_null(v)) return;
  if (json_is_string(v)) {
    csv_text(b, json_string_value(v), d);
    return;
  }
  char *text = NULL;
  if ((f->type == F_INT || f->type == F_DECIMAL) && json_is_number(v)) {
    text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (text) csv_number(b, text, d);
    free(text);
    return;
  }
  if (json_is_array(v)) {
    bool strings = true;
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it) strings &= json_is_string(it);
    if (strings) {
      struct buf joined;
      buf_init(&joined);
      json_array_foreach(v, i, it) {
        if (i) buf_addc(&joined, ';');
        buf_adds(&joined, json_string_value(it));
      }
      csv_text(b, joined.data ? joined.data : "", d);
      buf_free(&joined);
      return;
    }
  }
  text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  csv_text(b, text ? text : "", d);
  free(text);
}

void csv_row(struct buf *b, const struct field *fields, const json_t *item, enum csv_dialect d) {
  bool first = true;
  for (const struct field *f = fields; f->name; f++) {
    json_t *v = json_object_get(item, f->name);
    if (f->type == F_OBJECT && f->sub) {
      for (const struct field *s = f->sub; s->name; s++) {
        if (!first) csv_sep(b, d);
        cell(b, s, json_object_get(v, s->name), d);
        first = false;
      }
    } else {
      if (!first) csv_sep(b, d);
      cell(b, f, v, d);
      first = false;
    }
  }
  csv_end_row(b);
}
