/* iCalendar content lines (src/util/ics.c, RFC 5545 3.1 and 3.3.11).
   The first byte picks the property name and the escaping; the rest is the value.
   ics_line() is called as src/resources/events.c calls it: TEXT values escaped, the URL
   unescaped once url_valid() accepted it. Invariants: no bare CR or LF, physical lines of
   at most 75 octets, folds only as CRLF + space and never inside a UTF-8 sequence, and
   unfolding then unescaping gives the value back (CRs dropped). ics_utc() is fed the
   date-times that datetime_valid() accepts. */
#include <stdbool.h>

#include "buf.h"
#include "fuzz.h"
#include "ics.h"
#include "text.h"
#include "validate.h"

static const char *const names[] = {"SUMMARY", "DESCRIPTION", "LOCATION", "UID",
                                    "X-A-PROPERTY-NAME-OF-SOME-LENGTH"};
#define NNAMES (sizeof names / sizeof names[0])

/* Line structure: every CR is followed by LF, every LF preceded by CR, every CRLF but the
   last is followed by one space (a fold), and no physical line exceeds 75 octets. */
static void check_lines(const char *out, size_t len, bool utf8) {
  FUZZ_CHECK(len >= 2 && out[len - 2] == '\r' && out[len - 1] == '\n');
  size_t start = 0;
  for (size_t i = 0; i < len; i++) {
    if (out[i] == '\r') FUZZ_CHECK(i + 1 < len && out[i + 1] == '\n');
    if (out[i] != '\n') continue;
    FUZZ_CHECK(i > 0 && out[i - 1] == '\r');
    size_t line = i - 1 - start; /* octets before the CRLF, the fold's space included */
    FUZZ_CHECK(line <= 75);
    if (utf8) FUZZ_CHECK(utf8_valid(out + start, line));
    if (i + 1 < len) FUZZ_CHECK(out[i + 1] == ' ');
    start = i + 1;
  }
}

/* Removes the folds and the final CRLF; returns a malloc'd string. */
static char *unfold(const char *out, size_t len) {
  char *u = malloc(len + 1);
  FUZZ_CHECK(u != NULL);
  size_t j = 0;
  for (size_t i = 0; i < len - 2; i++) {
    if (out[i] == '\r' && out[i + 1] == '\n' && out[i + 2] == ' ') {
      i += 2;
      continue;
    }
    u[j++] = out[i];
  }
  u[j] = '\0';
  return u;
}

static void check_escaped(const char *name, const char *value, const struct buf *b) {
  char *u = unfold(b->data, b->len);
  size_t nl = strlen(name);
  FUZZ_CHECK(strncmp(u, name, nl) == 0 && u[nl] == ':');
  /* Unescape; a ';' or ',' must never appear unescaped, a '\\' never alone. */
  struct buf want, got;
  buf_init(&want);
  buf_init(&got);
  for (const char *p = value; *p; p++)
    if (*p != '\r') buf_addc(&want, *p);
  for (const char *p = u + nl + 1; *p; p++) {
    FUZZ_CHECK(*p != ';' && *p != ',');
    if (*p != '\\') {
      buf_addc(&got, *p);
      continue;
    }
    p++;
    FUZZ_CHECK(*p == '\\' || *p == ';' || *p == ',' || *p == 'n');
    buf_addc(&got, *p == 'n' ? '\n' : *p);
  }
  FUZZ_CHECK(want.len == got.len && (want.len == 0 || memcmp(want.data, got.data, want.len) == 0));
  buf_free(&want);
  buf_free(&got);
  free(u);
}

static void check_utc(const char *value) {
  struct buf b;
  buf_init(&b);
  ics_utc(&b, "DTSTART", value);
  /* DTSTART:YYYYMMDDTHHMMSSZ CRLF */
  FUZZ_CHECK(b.len == 8 + 16 + 2 && strncmp(b.data, "DTSTART:", 8) == 0);
  for (int i = 0; i < 15; i++)
    FUZZ_CHECK(i == 8 ? b.data[8 + i] == 'T' : (b.data[8 + i] >= '0' && b.data[8 + i] <= '9'));
  FUZZ_CHECK(b.data[23] == 'Z' && b.data[24] == '\r' && b.data[25] == '\n');
  buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  const char *name = names[data[0] % NNAMES];
  char *value = fuzz_cstr(data + 1, size - 1);
  bool utf8 = utf8_valid(value, strlen(value));
  struct buf b;
  buf_init(&b);
  ics_line(&b, name, value, 1);
  check_lines(b.data, b.len, utf8);
  check_escaped(name, value, &b);
  buf_reset(&b);
  /* Unescaped: for values that cannot hold a CR or LF, as the server uses it (URL, GEO). */
  ics_line(&b, "URL", value, 0);
  if (url_valid(value)) check_lines(b.data, b.len, utf8);
  buf_free(&b);
  if (datetime_valid(value)) check_utc(value);
  free(value);
  return 0;
}
