/* A CSV import: its header row names the fields (include/csvline.h), each record is one line
   of the import, given to the writer as a JSON object. Records are read one at a time from
   the body (include/csvin.h): windows-1252 is converted cell by cell, never the whole body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulk.h"
#include "csvin.h"
#include "csvline.h"
#include "http.h"

bool bulk_parse_csv(struct bulk *b, const char *body, size_t n, bool cp1252) {
  struct csvin *in = csvin_open(body, n, cp1252 ? CSVIN_WINDOWS_1252 : CSVIN_UTF8);
  if (!in) {
    http_problem(b->c, 500, "internal_error", NULL, "The CSV reader could not start.");
    return false;
  }
  const struct field *fields = b->w->line_fields ? b->w->line_fields : b->w->res->fields;
  struct csv_columns *cols = NULL;
  char **cells;
  size_t ncells;
  long line = 0;
  char err[160] = "";
  bool ok = false;
  int got = csvin_next(in, &cells, &ncells, &line, err, sizeof err);
  if (got <= 0) {
    http_problem(b->c, 400, "malformed_request", NULL,
                 got ? "The CSV header (line %ld) is malformed: %s." : "The CSV has no header row.",
                 line, err);
    goto done;
  }
  struct verrors e = {0};
  cols = csv_columns_new(fields, cells, ncells, &e);
  if (!cols) {
    http_problem(b->c, 400, "malformed_request", e.items,
                 "The CSV header names columns this import does not take; see errors.");
    goto done;
  }
  size_t count = csvin_count_records(in);
  if (count > BULK_MAX_LINES) {
    http_problem(b->c, 413, "payload_too_large", NULL,
                 "The import has %zu lines; at most %d are taken at once.", count, BULK_MAX_LINES);
    goto done;
  }
  ok = true;
  while (!b->failed && (got = csvin_next(in, &cells, &ncells, &line, err, sizeof err)) != 0) {
    struct bulk_result *res = bulk_add_result(b, (int)line);
    if (got < 0) {
      bulk_line_error(res, "", "malformed", err);
      continue;
    }
    struct verrors le = {0};
    json_t *doc = csv_columns_line(cols, cells, ncells, &le);
    if (!doc) {
      res->status = BULK_ERROR;
      res->errors = le.items;
      continue;
    }
    b->w->take(b, res, doc);
  }
done:
  csv_columns_free(cols);
  csvin_close(in);
  return ok;
}
