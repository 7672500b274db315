/* Query strings are parsed from the raw URI, not from Ulfius' map: Ulfius shares one map
   between path and query parameters and silently drops what it cannot decode. */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

static bool add(struct query *q, char *key, char *value) {
  for (size_t i = 0; i < q->n; i++) {
    if (strcmp(q->keys[i], key) == 0) {
      /* Repeating a parameter means "any of", like a comma-separated list. */
      size_t a = strlen(q->values[i]), b = strlen(value);
      char *joined = xmalloc(a + b + 2);
      memcpy(joined, q->values[i], a);
      joined[a] = ',';
      memcpy(joined + a + 1, value, b + 1);
      free(q->values[i]);
      q->values[i] = joined;
      free(key);
      free(value);
      return true;
    }
  }
  if (q->n == QUERY_MAX_PARAMS) {
    free(key);
    free(value);
    return false;
  }
  q->keys[q->n] = key;
  q->values[q->n] = value;
  q->n++;
  return true;
}

bool query_parse(const char *raw, struct query *q, const char **bad, char **bad_key) {
  q->n = 0;
  *bad = NULL;
  if (bad_key) *bad_key = NULL;
  if (!raw) return true;
  const char *p = raw;
  while (*p) {
    const char *end = strchr(p, '&');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len > 0) {
      const char *eq = memchr(p, '=', len);
      size_t klen = eq ? (size_t)(eq - p) : len;
      char *key = percent_decode(p, klen, true);
      char *value = eq ? percent_decode(eq + 1, len - klen - 1, true) : xstrdup("");
      if (!key || !value || !*key) {
        *bad =
          !key || !*key
            ? "a parameter name is empty or badly encoded (percent-encoding, NUL byte or invalid UTF-8)"
            : "a parameter value is badly encoded (percent-encoding, NUL byte or invalid UTF-8)";
        if (bad_key && key && *key) {
          *bad_key = key;
          key = NULL;
        }
        free(key);
        free(value);
        query_free(q);
        return false;
      }
      if (!add(q, key, value)) {
        *bad = "too many query parameters";
        query_free(q);
        return false;
      }
    }
    if (!end) break;
    p = end + 1;
  }
  return true;
}

void query_free(struct query *q) {
  for (size_t i = 0; i < q->n; i++) {
    free(q->keys[i]);
    free(q->values[i]);
  }
  q->n = 0;
}

const char *query_get(const struct query *q, const char *key) {
  for (size_t i = 0; i < q->n; i++)
    if (strcmp(q->keys[i], key) == 0) return q->values[i];
  return NULL;
}
