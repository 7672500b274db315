/* The CSV the API writes: pure cell writers, one dialect per response. */
#ifndef GRAPPE_CSV_H
#define GRAPPE_CSV_H
#include <jansson.h>
#include <stdbool.h>

struct buf;
struct field;

enum csv_dialect {
  CSV_RFC4180, /* ',' between cells, '.' in decimals, CRLF (RFC 4180) */
  CSV_EXCEL,   /* csv=excel: ';' between cells, ',' in decimals, CRLF, a UTF-8 byte order mark
                  first: what a French Excel or LibreOffice opens as is, in columns, with
                  numbers as numbers and accents intact */
};

/* Reads the csv= parameter: NULL (absent) is CSV_RFC4180, "excel" is CSV_EXCEL; false for
   any other value. */
bool csv_dialect_parse(const char *value, enum csv_dialect *out);
/* What a response starts with: the byte order mark in the Excel dialect, else nothing. */
void csv_begin(struct buf *b, enum csv_dialect d);
/* The separator before every cell of a row but the first. */
void csv_sep(struct buf *b, enum csv_dialect d);
/* The end of a row (CRLF in both dialects). */
void csv_end_row(struct buf *b);
/* A text cell. One that begins with '=', '+', '-', '@', tab or CR gets a leading "'" so that
   no spreadsheet reads it as a formula (OWASP, CSV injection); the cell is quoted (quotes
   doubled) when it holds the dialect's separator, a quote, CR or LF. */
void csv_text(struct buf *b, const char *s, enum csv_dialect d);
/* A number cell from a number's text as PostgreSQL or JSON writes it ("-12", "46.06",
   "1.5e-05"): never prefixed (a negative number stays a number), the decimal point a comma
   in the Excel dialect. The caller decides by the field's type that it is a number. */
void csv_number(struct buf *b, const char *s, enum csv_dialect d);
/* Does a text cell of this value need the leading "'"? */
bool csv_formula_like(const char *s);

/* The header row of a resource's field table: one column per field, objects with subfields
   flattened as "address.city". */
void csv_header(struct buf *b, const struct field *fields, enum csv_dialect d);
/* One item (its JSON representation) as a row under csv_header's columns. A field's type
   decides the kind of cell: integers and decimals are number cells, everything else text
   cells (arrays of strings joined with ';', other arrays and objects as compact JSON); null
   or absent is an empty cell. */
void csv_row(struct buf *b, const struct field *fields, const json_t *item, enum csv_dialect d);
#endif
