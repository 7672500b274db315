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

/* The statements of grappe seed, from sql/seed/NAME.sql (see each file for what it does). */
extern const char embedded_seed_setup[];
extern const char embedded_seed_clusters[];
extern const char embedded_seed_pool_existing[];
extern const char embedded_seed_pool_finish[];
extern const char embedded_seed_companies[];
extern const char embedded_seed_pool_export[];
extern const char embedded_seed_pool_import[];
extern const char embedded_seed_indicators[];
extern const char embedded_seed_projects[];
extern const char embedded_seed_events_table[];
extern const char embedded_seed_events[];
extern const char embedded_seed_registrations[];
#endif
