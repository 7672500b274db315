/* Allocation that does not fail: out of memory, the process aborts (a server that cannot
   allocate a few bytes has no useful way to answer, and callers stay free of error paths).
   Every malloc, calloc, realloc, strdup and strndup of src/ goes through these; jansson's
   and orcania's (Ulfius's) allocators are set to them at start (src/main.c). Free with
   free(). Sizes of 0 allocate 1 byte, so that NULL never means success. */
#ifndef GRAPPE_MEM_H
#define GRAPPE_MEM_H
#include <stddef.h>

void *xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull, nonnull));
/* At most n bytes of s, NUL-terminated. */
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull, nonnull));
#endif
