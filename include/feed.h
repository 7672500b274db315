/* The change feed as the handler of /v1/changes and the webhook workers read it
   (src/resources/changes.c). */
#ifndef GRAPPE_FEED_H
#define GRAPPE_FEED_H
#include <jansson.h>
#include <stdbool.h>

struct dbconn;
struct pg_result;
struct sqlb;

/* What narrows the feed: each an array parameter's text ("{a,b}") or NULL. */
struct feed_filter {
  char *types, *clusters, *regions;
  char *scope;                /* a manager's clusters */
  const char *exclude_origin; /* changes written by this origin are left out */
  const char *after_snapshot; /* a pg_snapshot: changes committed in it are left out */
};

/* Appends the query of the changes after position `since` (and up to `upto` when not NULL)
   that pass f, at most limit, in feed order. Its columns: seq, type, object id, op,
   changed_at (RFC 3339), origin, trace. */
void feed_select(struct sqlb *q, const char *since, const char *upto, const struct feed_filter *f,
                 long limit);
/* The current representation of the object of each row of such a query (null when it is
   gone), as an array in the rows' order; NULL when the database failed. */
json_t *feed_objects(struct dbconn *db, struct pg_result *rows);
/* A position of the feed as the opaque cursor callers see (malloc'd), and back: false when
   cursor is not one this server signed. */
char *feed_cursor(long long seq);
bool feed_cursor_decode(const char *cursor, long long *seq);
#endif
