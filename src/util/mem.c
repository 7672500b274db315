/* Allocation that does not fail (include/mem.h): out of memory, abort. */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static void *checked(void *p) {
  if (!p) abort();
  return p;
}

void *xmalloc(size_t n) { return checked(malloc(n ? n : 1)); }

void *xcalloc(size_t n, size_t size) { return checked(calloc(n ? n : 1, size ? size : 1)); }

void *xrealloc(void *p, size_t n) { return checked(realloc(p, n ? n : 1)); }

char *xstrdup(const char *s) { return checked(strdup(s)); }

char *xstrndup(const char *s, size_t n) { return checked(strndup(s, n)); }
