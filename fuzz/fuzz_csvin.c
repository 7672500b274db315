/* The CSV reader of bulk imports (src/util/csvin.c) and the record converter
   (src/resources/csvline.c). The first byte picks the charset (bit 0: UTF-8 or windows-1252);
   the rest is the body. Its first record, when one is read, is the header over a fixed field
   table; every later record is converted.
   Invariants: every record handed out has 1 to CSVIN_MAX_CELLS cells of valid UTF-8 and
   starts on a later line than the one before; csvin_count_records at the start equals the
   number of records and errors csvin_next then returns; after the end, csvin_next keeps
   returning 0; a record converts to an object exactly when no error is added. */
#include <stdbool.h>

#include "csvin.h"
#include "csvline.h"
#include "fuzz.h"
#include "resource.h"
#include "text.h"

static const struct field sub[] = {
  {.name = "city", .type = F_TEXT},
  {.name = "lat", .type = F_DECIMAL},
  {.name = NULL},
};
static const struct field fields[] = {
  {.name = "name", .type = F_TEXT},       {.name = "n", .type = F_INT},
  {.name = "d", .type = F_DECIMAL},       {.name = "b", .type = F_BOOL},
  {.name = "tags", .type = F_TEXT_ARRAY}, {.name = "address", .type = F_OBJECT, .sub = sub},
  {.name = "ids", .type = F_MAP},         {.name = "labels", .type = F_OBJECT_ARRAY},
  {.name = "at", .type = F_TIMESTAMP},    {.name = NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  enum csvin_charset cs = (data[0] & 1) ? CSVIN_WINDOWS_1252 : CSVIN_UTF8;
  struct csvin *r = csvin_open((const char *)data + 1, size - 1, cs);
  FUZZ_CHECK(r);
  char d = csvin_delimiter(r);
  FUZZ_CHECK(d == ',' || d == ';');
  size_t expected = csvin_count_records(r), seen = 0;
  struct csv_columns *m = NULL;
  bool header = true;
  long last = 0;
  char **cells, err[128];
  size_t n;
  long line;
  int rc;
  while ((rc = csvin_next(r, &cells, &n, &line, err, sizeof err)) != 0) {
    seen++;
    FUZZ_CHECK(line > last);
    last = line;
    if (rc < 0) {
      FUZZ_CHECK(err[0]);
      continue;
    }
    FUZZ_CHECK(rc == 1 && n >= 1 && n <= CSVIN_MAX_CELLS);
    for (size_t i = 0; i < n; i++) FUZZ_CHECK(utf8_valid(cells[i], strlen(cells[i])));
    struct verrors e = {NULL};
    if (header) {
      header = false;
      m = csv_columns_new(fields, cells, n, &e);
      FUZZ_CHECK((m == NULL) == (e.items != NULL));
    } else if (m) {
      json_t *o = csv_columns_line(m, cells, n, &e);
      FUZZ_CHECK((o == NULL) == (e.items != NULL));
      FUZZ_CHECK(!o || json_is_object(o));
      json_decref(o);
    }
    json_decref(e.items);
  }
  FUZZ_CHECK(seen == expected);
  FUZZ_CHECK(csvin_next(r, &cells, &n, &line, err, sizeof err) == 0);
  csv_columns_free(m);
  csvin_close(r);
  return 0;
}
