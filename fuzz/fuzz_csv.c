/* The CSV writer (src/util/csv.c): every CSV cell the API writes.
   The first byte picks the dialect (bit 0: RFC 4180 or Excel) and the input (bit 1: the
   rest is one text, or a JSON object rendered as a row of a fixed field table).
   Invariants: a text cell read back as RFC 4180 with the dialect's separator gives the text,
   with one leading "'" exactly when the text begins with = + - @ tab or CR, so that no text
   cell begins with one of them; a cell is quoted exactly when it needs to be; a row has one
   cell per column and ends with CRLF; a number cell (a field of type F_INT or F_DECIMAL
   holding a JSON number) reads back as that number, with a comma in the Excel dialect. */
#include <math.h>
#include <stdbool.h>

#include "buf.h"
#include "csv.h"
#include "fuzz.h"
#include "resource.h"

static const struct field sub[] = {
  {.name = "city", .type = F_TEXT},
  {.name = "lat", .type = F_DECIMAL},
  {.name = NULL},
};
static const struct field fields[] = {
  {.name = "name", .type = F_TEXT},
  {.name = "n", .type = F_INT},
  {.name = "d", .type = F_DECIMAL},
  {.name = "tags", .type = F_TEXT_ARRAY},
  {.name = "address", .type = F_OBJECT, .sub = sub},
  {.name = "labels", .type = F_OBJECT_ARRAY},
  {.name = "b", .type = F_BOOL},
  {.name = NULL},
};
#define NCOLS 8 /* address is two columns */

/* Reads one cell at *p (RFC 4180, separator sep) into out; returns false when the text is
   not well-formed. Leaves *p on the separator, the CR of the CRLF, or the end. */
static bool read_cell(const char **p, const char *end, char sep, struct buf *out) {
  const char *s = *p;
  buf_reset(out);
  if (s < end && *s == '"') {
    for (s++;; s++) {
      if (s == end) return false;
      if (*s == '"') {
        if (s + 1 < end && s[1] == '"') {
          buf_addc(out, '"');
          s++;
          continue;
        }
        s++;
        break;
      }
      buf_addc(out, *s);
    }
    if (s < end && *s != sep && *s != '\r') return false;
    *p = s;
    return true;
  }
  for (; s < end && *s != sep && *s != '\r'; s++) {
    if (*s == '"' || *s == '\n') return false;
    buf_addc(out, *s);
  }
  *p = s;
  return true;
}

static void check_text(const char *text, enum csv_dialect d) {
  char sep = d == CSV_EXCEL ? ';' : ',';
  struct buf cell, back;
  buf_init(&cell);
  buf_init(&back);
  csv_text(&cell, text, d);
  const char *data = cell.data ? cell.data : "", *p = data;
  size_t len = cell.len;
  FUZZ_CHECK(read_cell(&p, data + len, sep, &back));
  FUZZ_CHECK(p == data + len); /* the whole output is one cell */
  const char *got = back.data ? back.data : "";
  bool formula = csv_formula_like(text);
  FUZZ_CHECK(formula == (text[0] && strchr("=+-@\t\r", text[0]) != NULL));
  if (formula) FUZZ_CHECK(got[0] == '\'' && strcmp(got + 1, text) == 0);
  else FUZZ_CHECK(strcmp(got, text) == 0);
  FUZZ_CHECK(!csv_formula_like(got));
  bool needs_quotes =
    strchr(text, sep) || strchr(text, '"') || strchr(text, '\r') || strchr(text, '\n');
  FUZZ_CHECK((len > 0 && data[0] == '"') == needs_quotes);
  buf_free(&cell);
  buf_free(&back);
}

static void check_row(const json_t *item, enum csv_dialect d) {
  char sep = d == CSV_EXCEL ? ';' : ',';
  struct buf row, cell;
  buf_init(&row);
  buf_init(&cell);
  csv_row(&row, fields, item, d);
  FUZZ_CHECK(row.len >= 2 && row.data[row.len - 2] == '\r' && row.data[row.len - 1] == '\n');
  const char *p = row.data, *end = row.data + row.len - 2;
  for (int col = 0; col < NCOLS; col++) {
    FUZZ_CHECK(read_cell(&p, end, sep, &cell));
    const char *got = cell.data ? cell.data : "";
    const json_t *v = col < 4 ? json_object_get(item, fields[col].name)
                      : col < 6
                        ? json_object_get(json_object_get(item, "address"), sub[col - 4].name)
                        : json_object_get(item, fields[col - 1].name);
    bool number = (col == 1 || col == 2 || col == 5) && json_is_number(v);
    if (number) {
      FUZZ_CHECK(!strchr(got, d == CSV_EXCEL ? '.' : ','));
      char copy[128];
      snprintf(copy, sizeof copy, "%s", got);
      for (char *c = copy; *c; c++)
        if (*c == ',') *c = '.';
      char *stop;
      double x = strtod(copy, &stop);
      FUZZ_CHECK(*copy && *stop == '\0');
      double want = json_number_value(v); /* written with 15 significant digits */
      FUZZ_CHECK(x == want || fabs(x - want) <= 1e-13 * fabs(want) || fabs(want) < 1e-300);
    } else {
      FUZZ_CHECK(!csv_formula_like(got));
      if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (csv_formula_like(s)) FUZZ_CHECK(got[0] == '\'' && strcmp(got + 1, s) == 0);
        else FUZZ_CHECK(strcmp(got, s) == 0);
      }
      if (!v || json_is_null(v)) FUZZ_CHECK(got[0] == '\0');
    }
    if (col < NCOLS - 1) {
      FUZZ_CHECK(p < end && *p == sep);
      p++;
    }
  }
  FUZZ_CHECK(p == end);
  buf_free(&row);
  buf_free(&cell);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  enum csv_dialect d = (data[0] & 1) ? CSV_EXCEL : CSV_RFC4180;
  char *rest = fuzz_cstr(data + 1, size - 1);
  if (data[0] & 2) {
    json_t *item = json_loads(rest, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(item)) check_row(item, d);
    json_decref(item);
  } else {
    check_text(rest, d);
  }
  free(rest);
  return 0;
}
