/* CSV records of a bulk import as JSON objects: a header record mapped onto a field table
   (include/resource.h), then each record converted by the types of its columns' fields.
   Pure: jansson only. */
#ifndef GRAPPE_CSVLINE_H
#define GRAPPE_CSVLINE_H
#include <jansson.h>
#include <stddef.h>

struct field;
struct verrors;
struct csv_columns;

/* Maps a header record to the fields of a field table. A column is:
   a top-level field name ("name", "employees", "tags"), read-only ones included (the engine
   refuses those later); "id" even when the table has no field "id" (a string under "id");
   "<object>.<sub>" for a subfield of an F_OBJECT field that has .sub ("address.city");
   "<map>.<key>" for an F_MAP field ("external_ids.siret": the key kept as written, the engine
   validates it); the name of an F_MAP, F_OBJECT or F_OBJECT_ARRAY field alone, whose cell is
   JSON text. Header cells are trimmed of surrounding spaces and tabs. Unknown column,
   duplicate column (an object or map given both whole and by parts counts as one), empty
   header cell: errors added to e (field = the header cell as written, code "unknown_column" /
   "duplicate_column" / "empty_column"), and NULL. The caller frees with csv_columns_free. */
struct csv_columns *csv_columns_new(const struct field *fields, char *const *header, size_t n,
                                    struct verrors *e);
/* One record as a new JSON object (the caller owns it), or NULL with errors added to e: a
   bad cell is an error whose field is its column's header text (trimmed), code
   "invalid_value", with what was expected and what was found (cut to 40 characters); a
   record with another number of cells than the header is one error (field "", code
   "malformed"). An empty cell (after trimming spaces) is no value: its key is absent, not
   null; so is an object whose subcells are all empty.
   Cells by type: text, enum, uuid, date, timestamp: the string, trimmed; integer: optional
   sign and digits, with spaces or no-break spaces between thousands ("1 200"); decimal:
   the same with '.' or ',' as the decimal mark ("46,06") and an optional exponent
   ("1,5e-05", as our own Excel CSV writes it); boolean: true/false, 1/0, yes/no, oui/non, vrai/faux in any case; text and code
   arrays: the cell split on '|', items trimmed, empty items dropped; whole objects, maps and
   arrays of objects: JSON text of that kind; "<map>.<key>" cells: strings collected into
   the map. Numbers become JSON integers when they have no decimal mark nor exponent, else
   reals. */
json_t *csv_columns_line(const struct csv_columns *m, char *const *cells, size_t n,
                         struct verrors *e);
void csv_columns_free(struct csv_columns *m);
#endif
