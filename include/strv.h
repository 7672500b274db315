/* NULL-terminated arrays of malloc'd strings ("string vectors"). */
#ifndef GRAPPE_STRV_H
#define GRAPPE_STRV_H
#include <stddef.h>

/* Splits a comma-separated value into a malloc'd NULL-terminated array of malloc'd items,
   each trimmed of spaces; empty items are dropped. NULL on allocation failure. Caller frees
   with strv_free. */
char **split_commas(const char *s);
/* Frees every item and the array; NULL is a no-op. */
void strv_free(char **v);
/* A copy of v, items included (NULL for NULL). Caller frees with strv_free. */
char **strv_dup(char *const *v);
/* The number of items (0 for NULL). */
size_t strv_len(char *const *v);
#endif
