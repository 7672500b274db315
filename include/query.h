/* The raw query string, parsed: percent-decoded, checked, duplicate keys joined by commas. */
#ifndef GRAPPE_QUERY_H
#define GRAPPE_QUERY_H
#include <stdbool.h>
#include <stddef.h>

#define QUERY_MAX_PARAMS 32

struct query {
  size_t n;
  char *keys[QUERY_MAX_PARAMS];
  char *values[QUERY_MAX_PARAMS];
};

/* Parses the part after '?' (may be NULL or empty). On failure returns false and points
   *bad at a static description; q holds nothing to free then. */
bool query_parse(const char *raw, struct query *q, const char **bad, char **bad_key);
void query_free(struct query *q);
const char *query_get(const struct query *q, const char *key);
#endif
