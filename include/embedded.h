/* Data embedded in the binary at build time by tools/embed.py. */
#ifndef GRAPPE_EMBEDDED_H
#define GRAPPE_EMBEDDED_H
#include <stddef.h>

struct embedded_migration {
  int version;
  const char *name;
  const char *sql;
};

extern const char embedded_openapi_json[];
extern const size_t embedded_openapi_json_len;
extern const char embedded_docs_html[];
extern const size_t embedded_docs_html_len;
extern const struct embedded_migration embedded_migrations[]; /* ends with a NULL name */
extern const size_t embedded_migrations_count;
#endif
