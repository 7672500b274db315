/* POST /v1/{clusters,partners,projects,events}/bulk: rows upserted by id or by external id.
   A line is a whole object, as a PUT's body: with `id`, it replaces that row; otherwise the
   row holding one of its external ids (created when none does). Each line is written as the
   single write would be, in the stages of write.c: locked, authorized against the row as
   stored (a manager's scope, the owner field), validated (created or replaced), written,
   under a savepoint of the batch's transaction, so that a line the database refuses is
   reported alone. These resources count in thousands, not in hundreds of thousands: a line
   costs a few statements. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulk.h"
#include "db.h"
#include "engine.h"
#include "http.h"
#include "mem.h"
#include "sqlb.h"
#include "validate.h"

/* The rows holding the line's external ids: ids (text), distinct. */
static PGresult *holders(struct bulk *b, const json_t *ids) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT DISTINCT e.id::text FROM jsonb_each_text($1::jsonb) x JOIN external_ids e "
           "ON e.kind = '%s' AND e.ns = x.key AND e.value = x.value",
           b->w->res->external_kind);
  char *text = json_dumps(ids, JSON_COMPACT);
  const char *params[] = {text};
  PGresult *r = db_exec(b->db, sql, 1, params);
  free(text);
  return r;
}

/* The row id, locked: key[, in scope], representation; NULL on a failure. */
static PGresult *lock(struct bulk *b, const char *id) {
  struct sqlb s;
  sqlb_init(&s);
  plan_lock(&s, b->w->res, "id", NULL, id, b->w->res->scope_sql ? b->scope : NULL);
  return run_plan(b->db, &s);
}

/* Are the writable fields of the stored row (row 0 of cur) those of obj? */
static bool same_as_stored(const struct resource *r, const PGresult *cur, const json_t *obj) {
  char *json = res_rep_text(r, cur, 0);
  json_t *stored = json_loads(json, 0, NULL);
  free(json);
  bool same = stored != NULL;
  for (const struct field *f = r->fields; same && f->name; f++) {
    if (f->readonly || f->expr) continue;
    json_t *a = json_object_get(stored, f->name), *v = json_object_get(obj, f->name);
    bool a_null = !a || json_is_null(a), v_null = !v || json_is_null(v);
    if (f->type == F_MAP) { /* none is {} */
      a_null = a_null || json_object_size(a) == 0;
      v_null = v_null || json_object_size(v) == 0;
    }
    same = (a_null && v_null) || (!a_null && !v_null && json_equal(a, v));
  }
  json_decref(stored);
  return same;
}

/* DONE: the line's status is set; REFUSED: the database refused it (reported: its savepoint
   is rolled back); RETRY: a concurrent writer created one of its external ids meanwhile (rolled
   back, and tried again); LOST: the connection. */
enum outcome { DONE, REFUSED, RETRY, LOST };

/* The message of a GR409 raised by our triggers, its first line without "ERROR:  ". */
static const char *trigger_message(void) {
  static _Thread_local char msg[256];
  const char *m = db_last_message();
  if (strncmp(m, "ERROR:  ", 8) == 0) m += 8;
  snprintf(msg, sizeof msg, "%.*s", (int)strcspn(m, "\n"), m);
  return msg;
}

/* One line, under its savepoint. */
static enum outcome write_line(struct bulk *b, struct bulk_result *res, json_t *line) {
  const struct resource *r = b->w->res;
  const struct principal *who = &b->c->who;
  const char *given_id = json_string_value(json_object_get(line, "id"));
  json_t *doc = json_object_get(line, "doc");
  char id[37] = "";
  if (given_id) {
    snprintf(id, sizeof id, "%s", given_id);
  } else {
    PGresult *h = holders(b, json_object_get(doc, "external_ids"));
    if (!h) return LOST;
    int n = PQntuples(h);
    if (n == 1) snprintf(id, sizeof id, "%s", PQgetvalue(h, 0, 0));
    PQclear(h);
    if (n > 1) {
      bulk_line_error(res, "external_ids", "conflict",
                      "these external ids name different rows; name one");
      return DONE;
    }
  }
  PGresult *cur = NULL;
  if (id[0] && !(cur = lock(b, id))) return LOST;
  bool exists = cur && PQntuples(cur) > 0;
  enum outcome out = DONE;
  json_t *obj = NULL;
  struct verrors e = {0};
  if (given_id && !exists) {
    bulk_line_error(res, "id", "not_found", "no row has this id");
    goto done;
  }
  if (exists ? b->scope && r->scope_sql && strcmp(PQgetvalue(cur, 0, 1), "t") != 0
             : who->role != ROLE_ADMIN && r->authorize(who, OP_CREATE, NULL) != 0) {
    char msg[160];
    snprintf(msg, sizeof msg,
             exists ? "this %s is outside the clusters your key manages"
                    : "your key may not create a %s",
             r->item);
    bulk_line_error(res, exists ? (given_id ? "id" : "external_ids") : "", "forbidden", msg);
    goto done;
  }
  if (exists) write_fill_kept(r, cur, doc);
  obj = parse_whole(r, doc, doc, !exists, &e);
  if (obj && !e.items && !write_check_refs(b->db, r->fields, obj, "", &e)) {
    out = LOST;
    goto done;
  }
  if (obj && !e.items && r->owner_field && who->role == ROLE_MANAGER) {
    const char *owner = json_string_value(json_object_get(obj, r->owner_field));
    if (!owner || !http_principal_manages(who, owner))
      verr_add(&e, r->owner_field, "forbidden", "must be one of the clusters your key manages");
  }
  if (e.items) {
    res->status = BULK_ERROR;
    res->errors = e.items;
    e.items = NULL;
    goto done;
  }
  if (exists) {
    if (same_as_stored(r, cur, obj)) {
      res->status = BULK_UNCHANGED;
      snprintf(res->id, sizeof res->id, "%s", id);
      goto done;
    }
  }
  struct sqlb s;
  sqlb_init(&s);
  plan_write(&s, r, obj, exists ? id : NULL, b->scope);
  PGresult *w = run_plan(b->db, &s);
  if (!w) {
    if (bulk_connection_lost()) out = LOST;
    else if (!exists && strcmp(db_last_sqlstate(), "23505") == 0) out = RETRY;
    else if (strcmp(db_last_sqlstate(), "23505") == 0)
      bulk_line_error(res, "external_ids", "conflict",
                      "another row of this kind already holds one of these external ids");
    else if (strcmp(db_last_sqlstate(), "GR409") == 0) /* our triggers' words, for the caller */
      bulk_line_error(res, "", "conflict", trigger_message());
    else bulk_line_error(res, "", "invalid_value", "the database refused a value of this line");
    if (out == DONE) out = REFUSED;
    goto done;
  }
  res->status = exists ? BULK_UPDATED : BULK_CREATED;
  snprintf(res->id, sizeof res->id, "%s", PQgetvalue(w, 0, 0));
  PQclear(w);
done:
  PQclear(cur);
  json_decref(obj);
  json_decref(e.items);
  return out;
}

static bool write_batch(struct bulk *b) {
  for (size_t i = 0; i < json_array_size(b->batch); i++) {
    struct bulk_result *res = bulk_queued(b, i);
    for (int attempt = 0;; attempt++) {
      if (!bulk_exec(b, "SAVEPOINT line")) return false;
      enum outcome out = write_line(b, res, json_array_get(b->batch, i));
      if (out == LOST) return false;
      if (out == DONE) {
        if (!bulk_exec(b, "RELEASE SAVEPOINT line")) return false;
        break;
      }
      if (bulk_connection_lost() || !bulk_exec(b, "ROLLBACK TO SAVEPOINT line")) return false;
      if (out != RETRY) break; /* refused: reported */
      if (attempt == 1) {
        bulk_line_error(res, "external_ids", "conflict",
                        "another row of this kind already holds one of these external ids");
        break;
      }
    }
  }
  return true;
}

/* Checks what the line names itself by and queues {"id"?, "doc"}. */
static void take(struct bulk *b, struct bulk_result *res, json_t *doc) {
  json_t *id = json_object_get(doc, "id");
  json_t *ids = json_object_get(doc, "external_ids");
  if (id && !(json_is_string(id) && uuid_valid(json_string_value(id)))) {
    bulk_line_error(res, "id", "invalid_format", "must be a UUID");
  } else if (!id && ids && !json_is_object(ids) && !json_is_null(ids)) {
    bulk_line_error(res, "external_ids", "invalid_type", "must be an object of namespace: id");
  } else if (!id && json_object_size(ids) == 0) {
    bulk_line_error(res, "", "required",
                    "a line names its row by id or by external_ids (created when none holds them)");
  }
  if (res->status == BULK_ERROR) {
    json_decref(doc);
    return;
  }
  json_t *line = json_object();
  if (id) json_object_set(line, "id", id);
  json_object_del(doc, "id");
  json_object_set_new(line, "doc", doc);
  bulk_queue(b, res, line);
}

static void nothing(struct bulk *b) { (void)b; }

#define ROWS_WRITER(name, resource) \
  const struct bulk_writer name = { \
    .res = &(resource),             \
    .open = nothing,                \
    .take = take,                   \
    .write = write_batch,           \
    .close = nothing,               \
  }

ROWS_WRITER(bulk_rows_clusters, resource_clusters);
ROWS_WRITER(bulk_rows_partners, resource_partners);
ROWS_WRITER(bulk_rows_projects, resource_projects);
ROWS_WRITER(bulk_rows_events, resource_events);
