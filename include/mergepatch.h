/* JSON Merge Patch (RFC 7396). */
#ifndef GRAPPE_MERGEPATCH_H
#define GRAPPE_MERGEPATCH_H
#include <jansson.h>

/* Returns a new reference: target with patch applied. Neither argument is modified. */
json_t *merge_patch(const json_t *target, const json_t *patch);
/* Maximum nesting depth of the JSON text (arrays and objects), without parsing it fully;
   stops counting past limit and returns limit + 1. Strings are skipped correctly. */
int json_text_depth(const char *s, size_t n, int limit);
#endif
