/* The CSV the API reads (bulk imports): a streaming record reader over a body held in memory.
   Pure: no Ulfius, no libpq. */
#ifndef GRAPPE_CSVIN_H
#define GRAPPE_CSVIN_H
#include <stddef.h>

enum csvin_charset { CSVIN_UTF8, CSVIN_WINDOWS_1252 };

#define CSVIN_MAX_CELLS 1000
#define CSVIN_MAX_RECORD ((size_t)1024 * 1024) /* bytes of one record's cells, as read */

struct csvin;

/* Reads records from data[0..len) (not copied; must outlive the reader). Skips a UTF-8 BOM
   (EF BB BF) at the start. The delimiter is ',' or ';', detected on the header record: the one
   that occurs more often outside double quotes on the first record (',' on a tie). NULL only
   if iconv_open fails. The caller closes it with csvin_close. */
struct csvin *csvin_open(const char *data, size_t len, enum csvin_charset cs);
char csvin_delimiter(const struct csvin *r);
/* The next record. Returns 1 with *cells (ncells cells, NUL-terminated UTF-8 strings, valid
   until the next call) and *line = the physical line number (1-based) on which it began;
   0 at the end of data; -1 for a malformed record with a message in err and *line set as
   well (e.g. "unterminated quoted cell", "invalid UTF-8 in cell 3", "NUL byte in cell 2",
   "a quote inside an unquoted cell", "more than 1000 cells", "a record longer than 1 MiB").
   After -1 reading resumes after the bad record when its cells could still be told apart
   (bad bytes, too many cells, too long), or at the next physical line after the stray
   quote (a quote inside an unquoted cell, text after a closing quote), so that one bad line
   does not stop a file; after an unterminated quote the reader is at the end.
   RFC 4180: records end with CRLF or LF (a CR just before the LF or the end of data is
   dropped; a CR elsewhere is kept), `""` is one quote inside a quoted cell, spaces are kept.
   A blank physical line (empty or only CR) is no record but counts for line numbers. */
int csvin_next(struct csvin *r, char ***cells, size_t *ncells, long *line, char *err,
               size_t errlen);
/* How many records (bad ones included) remain from the current position, counted on the
   raw bytes without storing or converting any: used to refuse files over 100,000 lines
   before writing anything. */
size_t csvin_count_records(const struct csvin *r);
void csvin_close(struct csvin *r);
#endif
