/* Bulk imports in CSV: a header record mapped onto a field table, then each record converted
   to the JSON object that the bulk engine validates like any request body. Only the cells'
   syntax is checked here (is it a number, a boolean, JSON text?); what the values may be is
   schema_validate's business, with the same messages as for JSON input. */
#include "csvline.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "mergepatch.h"
#include "resource.h"

#define JSON_CELL_DEPTH 32 /* nesting of a cell holding JSON text */
#define FOUND_CHARS 40     /* of a bad cell, quoted in its error */

enum col_kind {
  COL_FIELD, /* a top-level field, its value read by the field's type */
  COL_SUB,   /* "<object>.<sub>": collected into the object */
  COL_MAP,   /* "<map>.<key>": a string collected into the map */
  COL_ID,    /* "id" of a table without such a field: a string */
};

struct column {
  enum col_kind kind;
  const struct field *f;   /* the top-level field; NULL for COL_ID */
  const struct field *sub; /* COL_SUB: the subfield */
  char *name;              /* the header cell, trimmed: the field of the line's errors */
  const char *key;         /* COL_MAP: the map's key, in name after the dot */
};

struct csv_columns {
  struct column *cols;
  size_t n;
};

/* s without its surrounding spaces and tabs: the start, and its length in *n. */
static const char *trim(const char *s, size_t len, size_t *n) {
  while (len && (*s == ' ' || *s == '\t')) {
    s++;
    len--;
  }
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
  *n = len;
  return s;
}

static const struct field *find_field(const struct field *fields, const char *name, size_t n) {
  for (const struct field *f = fields; f->name; f++)
    if (strlen(f->name) == n && memcmp(f->name, name, n) == 0) return f;
  return NULL;
}

/* Sets what column c (its name set) reads; false when it names nothing of the table. */
static bool resolve(const struct field *fields, struct column *c) {
  const char *dot = strchr(c->name, '.');
  const struct field *f =
    find_field(fields, c->name, dot ? (size_t)(dot - c->name) : strlen(c->name));
  if (!dot) {
    c->kind = f ? COL_FIELD : COL_ID;
    c->f = f;
    return f || strcmp(c->name, "id") == 0;
  }
  if (!f || !dot[1]) return false;
  c->f = f;
  if (f->type == F_MAP) {
    c->kind = COL_MAP;
    c->key = dot + 1;
    return true;
  }
  if (f->type != F_OBJECT || !f->sub) return false;
  c->kind = COL_SUB;
  c->sub = find_field(f->sub, dot + 1, strlen(dot + 1));
  return c->sub != NULL;
}

/* Do two columns set the same value: the same name, or an object (a map) given whole and by
   parts? */
static bool clash(const struct column *a, const struct column *b) {
  if (strcmp(a->name, b->name) == 0) return true;
  if (!a->f || a->f != b->f) return false;
  return a->kind == COL_FIELD || b->kind == COL_FIELD;
}

struct csv_columns *csv_columns_new(const struct field *fields, char *const *header, size_t n,
                                    struct verrors *e) {
  struct csv_columns *m = xcalloc(1, sizeof *m);
  m->cols = xcalloc(n ? n : 1, sizeof *m->cols);
  bool ok = true;
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *s = trim(header[i], strlen(header[i]), &len);
    struct column *c = &m->cols[m->n++];
    c->name = xstrndup(s, len);
    if (!len) {
      verr_add(e, header[i], "empty_column", "column %zu has no name", i + 1);
      ok = false;
      continue;
    }
    if (!resolve(fields, c)) {
      verr_add(e, header[i], "unknown_column",
               "is not a column of this resource (a field, <object>.<subfield> or "
               "<map>.<key>)");
      ok = false;
      continue;
    }
    for (size_t j = 0; j < i; j++) {
      if (m->cols[j].name[0] && clash(&m->cols[j], c)) {
        verr_add(e, header[i], "duplicate_column", "sets the same value as column %zu (%s)", j + 1,
                 m->cols[j].name);
        ok = false;
        break;
      }
    }
  }
  if (!ok) {
    csv_columns_free(m);
    return NULL;
  }
  return m;
}

void csv_columns_free(struct csv_columns *m) {
  if (!m) return;
  for (size_t i = 0; i < m->n; i++) free(m->cols[i].name);
  free(m->cols);
  free(m);
}

/* The bytes of the first `chars` characters of s[0..n). */
static size_t char_prefix(const char *s, size_t n, size_t chars) {
  size_t i = 0;
  for (size_t seen = 0; i < n; i++) {
    if (((unsigned char)s[i] & 0xC0) == 0x80) continue; /* continues a character */
    if (seen++ == chars) break;
  }
  return i;
}

static void bad_cell(struct verrors *e, const struct column *c, const char *expected, const char *s,
                     size_t n) {
  size_t cut = char_prefix(s, n, FOUND_CHARS);
  verr_add(e, c->name, "invalid_value", "must be %s; found \"%.*s%s\"", expected, (int)cut, s,
           cut < n ? "..." : "");
}

/* A thousands separator at s[0..n): a space, U+00A0 or U+202F (what French spreadsheets
   write); its length, 0 when none. */
static size_t thousands_sep(const char *s, size_t n) {
  if (n >= 1 && s[0] == ' ') return 1;
  if (n >= 2 && memcmp(s, "\xC2\xA0", 2) == 0) return 2;
  if (n >= 3 && memcmp(s, "\xE2\x80\xAF", 3) == 0) return 3;
  return 0;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* A number cell as C text into out (outlen bytes): sign, digits without their thousands
   separators (only between digits, before any decimal mark), and for a decimal one mark '.'
   or ',' written '.' and an exponent. *integral: neither mark nor exponent. */
static bool number_text(const char *s, size_t n, bool decimal, char *out, size_t outlen,
                        bool *integral) {
  size_t i = 0, o = 0, digits = 0;
  bool mark = false, exponent = false;
  if (n && (s[0] == '+' || s[0] == '-')) out[o++] = s[i++];
  while (i < n && o + 1 < outlen) {
    char c = s[i];
    size_t sep =
      !mark && !exponent && i > 0 && is_digit(s[i - 1]) ? thousands_sep(s + i, n - i) : 0;
    if (is_digit(c)) {
      out[o++] = c;
      digits++;
      i++;
    } else if (sep && i + sep < n && is_digit(s[i + sep])) {
      i += sep;
    } else if (decimal && !mark && !exponent && (c == '.' || c == ',')) {
      out[o++] = '.';
      mark = true;
      i++;
    } else if (decimal && !exponent && digits && (c == 'e' || c == 'E')) {
      out[o++] = 'e';
      exponent = true;
      digits = 0;
      i++;
      if (i < n && (s[i] == '+' || s[i] == '-') && o + 1 < outlen) out[o++] = s[i++];
    } else {
      return false;
    }
  }
  out[o] = '\0';
  *integral = !mark && !exponent;
  return i == n && digits > 0;
}

static json_t *number_cell(const struct field *f, const struct column *c, const char *s, size_t n,
                           struct verrors *e) {
  bool decimal = f->type == F_DECIMAL, integral;
  char text[64];
  const char *expected = decimal ? "a number (decimal mark '.' or ',')" : "an integer";
  if (!number_text(s, n, decimal, text, sizeof text, &integral)) {
    bad_cell(e, c, expected, s, n);
    return NULL;
  }
  char *end;
  errno = 0;
  if (integral) {
    long long v = strtoll(text, &end, 10);
    if (errno == 0 && *end == '\0') return json_integer((json_int_t)v);
    if (!decimal) {
      bad_cell(e, c, "a 64-bit integer", s, n);
      return NULL;
    }
  }
  errno = 0;
  double d = strtod(text, &end);
  if (errno != 0 || *end != '\0' || !isfinite(d)) {
    bad_cell(e, c, "a finite number", s, n);
    return NULL;
  }
  return json_real(d);
}

static json_t *bool_cell(const struct column *c, const char *s, size_t n, struct verrors *e) {
  static const char *const yes[] = {"true", "1", "yes", "oui", "vrai", NULL};
  static const char *const no[] = {"false", "0", "no", "non", "faux", NULL};
  for (size_t i = 0; yes[i]; i++) {
    if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0) return json_true();
    if (strlen(no[i]) == n && strncasecmp(s, no[i], n) == 0) return json_false();
  }
  bad_cell(e, c, "true or false (also 1/0, yes/no, oui/non, vrai/faux)", s, n);
  return NULL;
}

static json_t *string_cell(const struct column *c, const char *s, size_t n, struct verrors *e) {
  json_t *v = json_stringn(s, n);
  if (!v) bad_cell(e, c, "UTF-8 text", "", 0);
  return v;
}

/* Items separated by '|', each trimmed; empty ones dropped. */
static json_t *array_cell(const struct column *c, const char *s, size_t n, struct verrors *e) {
  json_t *out = json_array();
  for (size_t i = 0; i <= n;) {
    const char *bar = memchr(s + i, '|', n - i);
    size_t end = bar ? (size_t)(bar - s) : n, len;
    const char *item = trim(s + i, end - i, &len);
    if (len) {
      json_t *v = string_cell(c, item, len, e);
      if (!v) {
        json_decref(out);
        return NULL;
      }
      json_array_append_new(out, v);
    }
    i = end + 1;
  }
  return out;
}

static json_t *json_cell(const struct field *f, const struct column *c, const char *s, size_t n,
                         struct verrors *e) {
  bool array = f->type == F_OBJECT_ARRAY;
  const char *expected = array ? "JSON text of an array" : "JSON text of an object";
  if (json_text_depth(s, n, JSON_CELL_DEPTH) > JSON_CELL_DEPTH) {
    bad_cell(e, c, "JSON text nested at most 32 deep", s, n);
    return NULL;
  }
  json_t *v = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
  if (!v || (array ? !json_is_array(v) : !json_is_object(v))) {
    json_decref(v);
    bad_cell(e, c, expected, s, n);
    return NULL;
  }
  return v;
}

/* The value of a non-empty cell s[0..n) of column c, read as field f, or NULL with an error. */
static json_t *cell_value(const struct field *f, const struct column *c, const char *s, size_t n,
                          struct verrors *e) {
  if (!f) return string_cell(c, s, n, e); /* COL_ID */
  switch (f->type) {
  case F_UUID:
  case F_TEXT:
  case F_ENUM:
  case F_DATE:
  case F_TIMESTAMP: return string_cell(c, s, n, e);
  case F_INT:
  case F_DECIMAL: return number_cell(f, c, s, n, e);
  case F_BOOL: return bool_cell(c, s, n, e);
  case F_TEXT_ARRAY:
  case F_CODE_ARRAY: return array_cell(c, s, n, e);
  case F_OBJECT:
  case F_OBJECT_ARRAY:
  case F_MAP: return json_cell(f, c, s, n, e);
  }
  return NULL;
}

json_t *csv_columns_line(const struct csv_columns *m, char *const *cells, size_t n,
                         struct verrors *e) {
  if (n != m->n) {
    verr_add(e, "", "malformed", "the line has %zu cells; the header has %zu", n, m->n);
    return NULL;
  }
  json_t *out = json_object();
  bool ok = true;
  for (size_t i = 0; i < n; i++) {
    const struct column *c = &m->cols[i];
    size_t len;
    const char *s = trim(cells[i], strlen(cells[i]), &len);
    if (!len) continue; /* no value: absent, not null */
    json_t *v = c->kind == COL_MAP ? string_cell(c, s, len, e)
                                   : cell_value(c->kind == COL_SUB ? c->sub : c->f, c, s, len, e);
    if (!v) {
      ok = false;
      continue;
    }
    if (c->kind == COL_FIELD || c->kind == COL_ID) {
      json_object_set_new(out, c->f ? c->f->name : "id", v);
      continue;
    }
    /* a part of an object or map, which exists once one of its cells is not empty */
    json_t *whole = json_object_get(out, c->f->name);
    if (!whole) {
      whole = json_object();
      json_object_set_new(out, c->f->name, whole);
    }
    json_object_set_new(whole, c->kind == COL_SUB ? c->sub->name : c->key, v);
  }
  if (!ok) {
    json_decref(out);
    return NULL;
  }
  return out;
}
