/* What the handlers of /v1/webhooks share (src/resources/webhooks.c defines them; the
   attempts' handlers are in src/resources/webhook_attempts.c). */
#ifndef GRAPPE_WEBHOOKS_H
#define GRAPPE_WEBHOOKS_H
#include <stdbool.h>

struct ctx;
struct dbconn;
struct pg_result;

/* Who may hold subscriptions: reader, admin and manager keys (401 or 403 otherwise). */
bool webhook_may_subscribe(struct ctx *c);
/* 406 unless the caller takes application/json. */
bool webhook_accepts_json(struct ctx *c);
/* The subscription of the path, if this caller may see it (its own; any for an admin): its
   row (its representation's columns, then owner and secret), FOR UPDATE when lock; NULL
   after answering 404 or 503. */
struct pg_result *webhook_load(struct ctx *c, struct dbconn *db, bool lock);
#endif
