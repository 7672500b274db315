/* The bulk engine (src/resources/bulk.c) and its writers. The engine reads the body (NDJSON,
   a JSON array or CSV) one line at a time, turns each line into a JSON object, and hands it
   to the writer of the resource, which validates it and queues it; every BULK_BATCH lines,
   or at the end, the writer writes what it queued in the engine's transaction. The engine
   owns everything the endpoints share: limits, Idempotency-Key, dry_run and atomic, the
   transactions, the per-line report. */
#ifndef GRAPPE_BULK_H
#define GRAPPE_BULK_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "codelists.h"
#include "resource.h"

#define BULK_MAX_LINES 100000
#define BULK_BATCH 1000

struct ctx;
struct dbconn;
struct pg_result;

/* A line's status, named by BulkLineResult.status of the OpenAPI document (codelists.h);
   pending until its batch is written. */
enum bulk_status {
  BULK_CREATED = CODELIST_BULK_LINE_RESULT_STATUS_CREATED,
  BULK_UPDATED = CODELIST_BULK_LINE_RESULT_STATUS_UPDATED,
  BULK_UNCHANGED = CODELIST_BULK_LINE_RESULT_STATUS_UNCHANGED,
  BULK_ERROR = CODELIST_BULK_LINE_RESULT_STATUS_ERROR,
  BULK_PENDING = CODELIST_BULK_LINE_RESULT_STATUS_COUNT,
};

struct bulk_result {
  int line;
  enum bulk_status status;
  char id[37];
  json_t *errors; /* for BULK_ERROR */
};

struct bulk;

/* What differs between the bulk endpoints. */
struct bulk_writer {
  const struct resource *res; /* the resource written: authorization, messages */
  /* The fields a line may hold: the CSV header's columns, and the validation of memberships'
     lines; the resource's own fields when NULL. */
  const struct field *line_fields;
  /* Sets up the writer's state (b->state) for this request. */
  void (*open)(struct bulk *b);
  /* Takes one line as parsed (doc, the writer's to keep or free): validates it, reports an
     error on r, or queues it with bulk_queue. */
  void (*take)(struct bulk *b, struct bulk_result *r, json_t *doc);
  /* Writes the queued lines (bulk_queued) inside the engine's transaction: sets each one's
     status and id. False on a lost connection (the engine answers). */
  bool (*write)(struct bulk *b);
  void (*close)(struct bulk *b);
};

struct bulk {
  struct ctx *c;
  struct dbconn *db;
  const struct bulk_writer *w;
  bool dry_run, atomic, one_tx;
  char *scope; /* a manager's clusters as an array literal; NULL for an admin */
  struct bulk_result *results;
  size_t nresults, cap;
  json_t *batch;       /* the lines being written (objects) */
  size_t *batch_first; /* the index in results of each of them */
  json_t *fill;        /* the lines queued for the next write, and their indexes */
  size_t *fill_first;
  size_t firsts[2][BULK_BATCH];
  /* A set-based batch sent and not answered yet (bulk_write_sets): the engine parses the
     next lines while PostgreSQL writes these, and reads the answer before the next write. */
  struct {
    bool on;
    const char *sql, *item;
    void (*record)(struct bulk *b, struct pg_result *r, size_t offset);
  } flight;
  bool failed; /* answered already (503/500) */
  void *state; /* the writer's */
};

/* A new line's result (pending). */
struct bulk_result *bulk_add_result(struct bulk *b, int line);
/* CSV (src/resources/bulk_csv.c): a header row of field names, then one line per record,
   each given to the writer as a JSON object; false after answering (400, 413). */
bool bulk_parse_csv(struct bulk *b, const char *body, size_t n, bool cp1252);
/* Reports an error of line r (status error; errors accumulate). */
void bulk_line_error(struct bulk_result *r, const char *field, const char *code,
                     const char *message);
/* A line a set-based statement wrote: its row's id, and what the statement said of it
   ("created", "updated", or else unchanged). */
void bulk_line_written(struct bulk_result *r, const char *id, const char *what);
/* Queues obj (taken) for the next write, as line r. */
void bulk_queue(struct bulk *b, struct bulk_result *r, json_t *obj);
/* The result of queued line i. */
struct bulk_result *bulk_queued(struct bulk *b, size_t i);
/* Runs a statement that returns nothing; false on a failure. */
bool bulk_exec(struct bulk *b, const char *sql);
/* The connection was lost (the import cannot go on). */
bool bulk_connection_lost(void);
/* Runs the set-based statement sql ($1: the batch, $2: the manager's clusters when scoped) on
   the queued lines; when the database refuses the batch as a whole, each line alone, under
   a savepoint, to find the ones at fault. record() reads a result's rows: column 0 is the
   line's position in the array given (from 1). The statement is sent and the engine goes
   on reading lines: its answer is read, and record() called, before the next write or the
   end of the import (sql and item must outlive the request). False on a lost connection. */
bool bulk_write_sets(struct bulk *b, const char *sql,
                     void (*record)(struct bulk *b, struct pg_result *r, size_t offset),
                     const char *item);

extern const struct bulk_writer bulk_companies, bulk_rows_clusters, bulk_rows_partners,
  bulk_rows_projects, bulk_rows_events, bulk_memberships;

/* POST /v1/<resource>/bulk: the route's resource picks the writer. */
void bulk_import(struct ctx *c);
#endif
