/* Accept header negotiation (RFC 9110 section 12.5.1), reduced to what Grappe serves. */
#include "negotiate.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
  enum format fmt;
  const char *name;
  const char *type;
} formats[] = {
  {FMT_JSON, "json", "application/json"},
  {FMT_CSV, "csv", "text/csv"},
  {FMT_GEOJSON, "geojson", "application/geo+json"},
  {FMT_NDJSON, "ndjson", "application/x-ndjson"},
  {FMT_ICS, "ics", "text/calendar"},
};
#define NFORMATS (sizeof formats / sizeof formats[0])

const char *fmt_media_type(enum format f) {
  for (size_t i = 0; i < NFORMATS; i++)
    if (formats[i].fmt == f) return formats[i].type;
  return "application/json";
}

/* Quality of one media range for a concrete type, or -1 when it does not match. */
static int range_matches(const char *range, size_t len, const char *type) {
  if (len == 3 && strncmp(range, "*/*", 3) == 0) return 1;
  const char *slash = memchr(range, '/', len);
  if (!slash) return -1;
  size_t major = (size_t)(slash - range);
  if (len == major + 2 && slash[1] == '*')
    return strncasecmp(range, type, major) == 0 && type[major] == '/' ? 2 : -1;
  return strlen(type) == len && strncasecmp(range, type, len) == 0 ? 3 : -1;
}

/* The quality the Accept header gives to one type: that of its most specific range. */
static double quality(const char *accept, const char *type, bool is_json) {
  double q_best = 0;
  int spec_best = 0;
  const char *p = accept;
  while (*p) {
    while (*p == ' ' || *p == ',') p++;
    if (!*p) break;
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *semi = memchr(p, ';', len);
    size_t rlen = semi ? (size_t)(semi - p) : len;
    while (rlen && isspace((unsigned char)p[rlen - 1])) rlen--;
    double q = 1.0;
    for (const char *s = semi; s; s = memchr(s + 1, ';', (size_t)(p + len - s - 1))) {
      const char *t = s + 1;
      while (*t == ' ') t++;
      if ((t[0] == 'q' || t[0] == 'Q') && t[1] == '=') q = strtod(t + 2, NULL);
    }
    int spec = range_matches(p, rlen, type);
    /* Errors are application/problem+json: a client that accepts only that gets JSON. */
    if (spec < 0 && is_json && rlen == 24 && strncasecmp(p, "application/problem+json", 24) == 0)
      spec = 3;
    if (spec > spec_best) {
      spec_best = spec;
      q_best = q;
    }
    if (!end) break;
    p = end + 1;
  }
  return q_best;
}

enum format fmt_negotiate(const char *accept, const char *format_param, unsigned allowed) {
  if (format_param) {
    enum format named = 0;
    for (size_t i = 0; i < NFORMATS && !named; i++)
      if (strcmp(format_param, formats[i].name) == 0) named = formats[i].fmt;
    return ((unsigned)named & allowed) ? named : 0;
  }
  if (!accept || !*accept) return FMT_JSON;
  enum format best = 0;
  double best_q = 0;
  for (size_t i = 0; i < NFORMATS; i++) {
    if (!(formats[i].fmt & allowed)) continue;
    double q = quality(accept, formats[i].type, formats[i].fmt == FMT_JSON);
    if (q > best_q) { /* ties go to the first in the table: JSON */
      best = formats[i].fmt;
      best_q = q;
    }
  }
  return best;
}
