/* String vectors: NULL-terminated arrays of malloc'd strings. */
#include "strv.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

char **split_commas(const char *s) {
  size_t cap = 1;
  for (const char *p = s; *p; p++) cap += *p == ',';
  char **v = xcalloc(cap + 1, sizeof *v);
  size_t n = 0;
  const char *p = s;
  for (;;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    while (len && *p == ' ') {
      p++;
      len--;
    }
    while (len && p[len - 1] == ' ') len--;
    if (len) v[n++] = xstrndup(p, len);
    if (!end) break;
    p = end + 1;
  }
  return v;
}

void strv_free(char **v) {
  if (!v) return;
  for (char **p = v; *p; p++) free(*p);
  free(v);
}

char **strv_dup(char *const *v) {
  if (!v) return NULL;
  size_t n = strv_len(v);
  char **out = xcalloc(n + 1, sizeof *out);
  for (size_t i = 0; i < n; i++) out[i] = xstrdup(v[i]);
  return out;
}

size_t strv_len(char *const *v) {
  size_t n = 0;
  while (v && v[n]) n++;
  return n;
}
