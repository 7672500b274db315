/* A list as NDJSON, the whole result set streamed in keyset batches: each batch is planned,
   run on a connection checked out for it alone, and rendered, while libmicrohttpd sends. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mem.h"
#include "engine.h"
#include "http.h"

#define STREAM_BATCH 1000

struct stream {
  struct list_req q;
  char *after_value, *after_key;
  bool has_after, done;
  struct buf out;
  size_t sent;
  char heavy_who[HEAVY_WHO_SIZE]; /* its place among the exports, given back when it ends */
};

static void stream_free(void *cls) {
  struct stream *s = cls;
  http_heavy_release(s->heavy_who);
  parse_list_free(&s->q);
  free(s->after_value);
  free(s->after_key);
  buf_free(&s->out);
  free(s);
}

static char *copy_or_null(const char *v) { return v ? xstrdup(v) : NULL; }

/* The next batch into s->out: false when the database failed (the stream ends truncated). */
static bool next_batch(struct stream *s) {
  const char *why;
  struct dbconn *db = db_checkout_read(app.cfg->pool_timeout_ms, &why);
  if (!db) return false;
  struct sqlb sql;
  sqlb_init(&sql);
  plan_page(&sql, &s->q, s->after_value, s->after_key, s->has_after, STREAM_BATCH, PAGE_REP);
  PGresult *r = run_plan(db, &sql);
  pool_put(db->pool, db);
  if (!r) return false;
  int n = PQntuples(r);
  for (int i = 0; i < n; i++)
    render_row(&s->out, s->q.res, FMT_NDJSON, CSV_RFC4180, r, i, i == 0, s->q.fields);
  if (n > 0) {
    free(s->after_value);
    free(s->after_key);
    s->after_value = PQgetisnull(r, n - 1, 0) ? NULL : copy_or_null(PQgetvalue(r, n - 1, 0));
    s->after_key = copy_or_null(PQgetvalue(r, n - 1, 1));
    s->has_after = true;
  }
  s->done = n < STREAM_BATCH;
  PQclear(r);
  return true;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max) {
  (void)pos;
  struct stream *s = cls;
  if (s->sent == s->out.len) {
    if (s->done) return MHD_CONTENT_READER_END_OF_STREAM;
    buf_reset(&s->out);
    s->sent = 0;
    if (!next_batch(s))
      return MHD_CONTENT_READER_END_WITH_ERROR; /* the client sees a truncated stream */
    if (s->out.len == 0) return MHD_CONTENT_READER_END_OF_STREAM;
  }
  size_t n = s->out.len - s->sent;
  if (n > max) n = max;
  memcpy(out, s->out.data + s->sent, n);
  s->sent += n;
  return (ssize_t)n;
}

void stream_list(struct ctx *c, struct list_req *q) {
  if (strcmp(c->req->http_verb, "HEAD") == 0) {
    /* No stream for HEAD: libmicrohttpd would still send the chunked terminator, which the
       next request on a kept-alive connection then reads as its answer. */
    http_set_header(c, "Content-Type", "application/x-ndjson");
    http_respond_empty(c, 200);
    return;
  }
  char who[HEAVY_WHO_SIZE];
  if (!http_heavy_acquire(c, who)) return;
  struct stream *s = xcalloc(1, sizeof *s);
  memcpy(s->heavy_who, who, sizeof who);
  s->after_value = copy_or_null(q->after_value);
  s->after_key = copy_or_null(q->after_key);
  s->has_after = q->cursor != NULL;
  s->q = *q;
  memset(q, 0, sizeof *q); /* the stream owns the request now */
  http_set_header(c, "Content-Type", "application/x-ndjson");
  http_set_header(c, "X-Request-Id", c->request_id);
  http_respond_empty(c, 200);
  ulfius_set_stream_response(c->resp, 200, stream_read, stream_free, U_STREAM_SIZE_UNKNOWN,
                             (size_t)64 * 1024, s);
}
