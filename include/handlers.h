/* The route handlers: what the route table of src/server.c points at. Each answers the
   request in its struct ctx (http.h). Only server.c and the files that define them include
   this header. */
#ifndef GRAPPE_HANDLERS_H
#define GRAPPE_HANDLERS_H

struct ctx;

/* Operational endpoints (src/http/ops.c). */
void op_health(struct ctx *c);
void op_ready(struct ctx *c);
void op_metrics(struct ctx *c);
void op_openapi(struct ctx *c);
void op_docs(struct ctx *c);

/* Generic resource handlers (src/resources/resource.c), driven by the route's resource. */
void res_list(struct ctx *c);
void res_get(struct ctx *c);
/* GET and PUT /v1/<resource>/external/{ns}/{value}: the item named by an external id. */
void res_get_external(struct ctx *c);
void res_upsert_external(struct ctx *c);
void res_create(struct ctx *c);
void res_patch(struct ctx *c);
void res_delete(struct ctx *c);
void res_upsert(struct ctx *c);

/* Links between a cluster and a company (memberships) or a partner
   (src/resources/memberships.c). */
void link_put(struct ctx *c);
void link_delete(struct ctx *c);

/* A cluster taking part in a project: accept its invitation, decline or withdraw it
   (src/resources/projects.c). */
void project_cluster_put(struct ctx *c);
void project_cluster_delete(struct ctx *c);

/* Bulk import of companies (src/resources/bulk.c). */
void bulk_import(struct ctx *c);

/* The change feed (src/resources/changes.c). */
void changes_feed(struct ctx *c);
/* Numbers the changes committed so far (number_changes()) on a connection of the pool:
   the feed's head, or -1 when the database cannot be reached (feedwait's head()). */
long long changes_head(void);

/* Webhooks: subscriptions to the change feed (src/resources/webhooks.c). */
/* /v1/keys (src/resources/apikeys.c): API keys, for admin keys. */
void keys_list(struct ctx *c);
void keys_create(struct ctx *c);
void key_get(struct ctx *c);
void key_delete(struct ctx *c);
void key_rotate(struct ctx *c);
void webhooks_list(struct ctx *c);
void webhooks_create(struct ctx *c);
void webhook_get(struct ctx *c);
void webhook_patch(struct ctx *c);
void webhook_delete(struct ctx *c);
void webhook_rotate(struct ctx *c);
void webhook_test(struct ctx *c);
void webhook_replay(struct ctx *c);
void webhook_deliveries(struct ctx *c);

/* Benchmark between clusters, national statistics (src/resources/benchmark.c), one search
   box (src/resources/search.c). */
void benchmark_get(struct ctx *c);
void stats_get(struct ctx *c);
void search_get(struct ctx *c);

/* Registrations to events (src/resources/events.c). */
void registration_create(struct ctx *c);
void registration_delete(struct ctx *c);
#endif
