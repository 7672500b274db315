/* JSON Merge Patch, RFC 7396 section 2, and a depth scan that runs before parsing. */
#include "mergepatch.h"

#include <stdbool.h>

json_t *merge_patch(const json_t *target, const json_t *patch) {
  if (!json_is_object(patch)) return json_deep_copy(patch);
  json_t *result = json_is_object(target) ? json_deep_copy(target) : json_object();
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)patch, key, value) {
    if (json_is_null(value)) {
      json_object_del(result, key);
    } else {
      json_t *merged = merge_patch(json_object_get(result, key), value);
      json_object_set_new(result, key, merged);
    }
  }
  return result;
}

int json_text_depth(const char *s, size_t n, int limit) {
  int depth = 0, max = 0;
  bool in_string = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') i++;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > max) max = depth;
      if (max > limit) return limit + 1;
    } else if ((c == '}' || c == ']') && depth > 0) {
      depth--;
    }
  }
  return max;
}
