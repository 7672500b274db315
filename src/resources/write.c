/* Writes on an item: POST (create), PATCH (JSON merge patch), DELETE, and PUT on a natural
   key (upsert). Each reads top-down: parse (body, 400/415/422), authorize (the caller's
   role; the row's scope and If-Match under the row's lock), plan, run in a transaction,
   render the row as written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "handlers.h"
#include "http.h"
#include "mergepatch.h"
#include "validate.h"

PGresult *run_plan(struct dbconn *db, struct sqlb *s) {
  PGresult *r = db_exec(db, s->text.data, s->n, sqlb_values(s));
  sqlb_free(s);
  return r;
}

bool run_commit(struct ctx *c, struct dbconn *db, const PGresult *r) {
  if (r && db_commit(db)) return true;
  http_problem_db(c);
  db_rollback(db);
  return false;
}

/* The checks before any body: parameters (none), the caller's role, the key, Accept. */
static bool item_prelude(struct ctx *c, enum op op) {
  if (!ctx_allow_params(c, NULL, NULL) || !authorize_item(c, op)) return false;
  if (op != OP_CREATE && op != OP_UPSERT && !parse_key(c)) return false;
  return op == OP_DELETE || parse_item_accept(c, op);
}

/* Does the row named by id exist? -1 on a database failure. */
static int ref_exists(struct dbconn *db, const char *sql, const char *id) {
  const char *params[] = {id};
  PGresult *r = db_exec(db, sql, 1, params);
  if (!r) return -1;
  int found = PQntuples(r) > 0;
  PQclear(r);
  return found;
}

bool write_check_refs(struct dbconn *db, const struct field *fields, const json_t *obj,
                      const char *prefix, struct verrors *e) {
  char path[300];
  for (const struct field *f = fields; f->name; f++) {
    json_t *v = json_object_get(obj, f->name);
    snprintf(path, sizeof path, "%.200s%s%s", prefix, *prefix ? "." : "", f->name);
    if (f->type == F_OBJECT_ARRAY && json_is_array(v)) {
      size_t i;
      json_t *item;
      json_array_foreach(v, i, item) {
        char ipath[320];
        snprintf(ipath, sizeof ipath, "%.250s[%zu]", path, i);
        if (!write_check_refs(db, f->sub, item, ipath, e)) return false;
      }
      continue;
    }
    if (!f->ref_sql) continue;
    if (json_is_string(v)) {
      int found = ref_exists(db, f->ref_sql, json_string_value(v));
      if (found < 0) return false;
      if (!found) verr_add(e, path, "unknown_reference", "names nothing that exists");
    } else if (json_is_array(v)) {
      size_t i;
      json_t *item;
      json_array_foreach(v, i, item) {
        int found = ref_exists(db, f->ref_sql, json_string_value(item));
        if (found < 0) return false;
        if (!found) {
          char ipath[320];
          snprintf(ipath, sizeof ipath, "%.250s[%zu]", path, i);
          verr_add(e, ipath, "unknown_reference", "names nothing that exists");
        }
      }
    }
  }
  return true;
}

/* parse_whole, then the references to other rows (a clear 422 naming the field, not a
   foreign-key error); NULL after answering 422 or a database failure. */
static json_t *validate_whole(struct ctx *c, const json_t *doc, const json_t *given, bool create) {
  struct verrors e = {0};
  json_t *obj = parse_whole(c->res, doc, given, create, &e);
  struct dbconn *db = obj && !e.items ? ctx_db(c) : NULL;
  if (obj && !e.items && (!db || !write_check_refs(db, c->res->fields, obj, "", &e))) {
    if (db) http_problem_db(c);
    json_decref(obj);
    json_decref(e.items);
    return NULL; /* answered (503) */
  }
  if (e.items) {
    json_decref(obj);
    res_respond_invalid(c, &e);
    return NULL;
  }
  return obj;
}

/* Runs the write planned for obj (key NULL: INSERT) and reads the row again when triggers
   change what it shows. NULL on a database failure (not answered). */
static PGresult *write_row(struct ctx *c, struct dbconn *db, const json_t *obj, const char *key) {
  const struct resource *r = c->res;
  char *scope = authorize_writer_scope(c);
  struct sqlb sql;
  sqlb_init(&sql);
  plan_write(&sql, r, obj, key, scope);
  free(scope);
  PGresult *res = run_plan(db, &sql);
  if (res && r->reread && PQntuples(res) == 1) {
    sqlb_init(&sql);
    plan_read(&sql, r, PQgetvalue(res, 0, 0));
    PQclear(res);
    res = run_plan(db, &sql);
  }
  return res;
}

/* Locks the row whose `column` equals value and checks If-Match and the manager's scope.
   Answers and returns NULL when the request stops here; returns a result with no row when
   there is none and !must_exist. Columns: key[, in scope], representation. */
static PGresult *lock_row(struct ctx *c, struct dbconn *db, const char *column, const char *ns,
                          const char *value, bool must_exist) {
  const struct resource *res = c->res;
  char *scope = c->scoped ? authorize_writer_scope(c) : NULL;
  struct sqlb sql;
  sqlb_init(&sql);
  plan_lock(&sql, res, column, ns, value, scope);
  free(scope);
  PGresult *r = run_plan(db, &sql);
  if (!r) {
    http_problem_db(c);
    return NULL;
  }
  const char *im = ctx_header(c, "If-Match");
  if (PQntuples(r) == 0) {
    if (!must_exist && !im) return r; /* with no row, any If-Match fails (RFC 9110 13.1.1) */
    PQclear(r);
    if (must_exist)
      http_problem(c, 404, "not_found", NULL, "No %s with this %s.", res->item,
                   ns ? "external id" : column);
    else
      http_problem(c, 412, "precondition_failed", NULL,
                   "If-Match names a version, but there is no such %s.", res->item);
    return NULL;
  }
  if (c->scoped && strcmp(PQgetvalue(r, 0, 1), "t") != 0) {
    PQclear(r);
    if (res->scope_denied) http_problem(c, 403, "forbidden", NULL, "%s", res->scope_denied);
    else
      http_problem(c, 403, "forbidden", NULL, "This %s is outside the clusters your key manages.",
                   res->item);
    return NULL;
  }
  char etag[40];
  if (!res_if_match(c, res, r, etag)) {
    PQclear(r);
    http_problem(c, 412, "precondition_failed", NULL,
                 "The %s changed since you read it (its ETag is now %s); read it again.", res->item,
                 etag);
    return NULL;
  }
  return r;
}

static void set_location(struct ctx *c, const char *key) {
  char location[256];
  snprintf(location, sizeof location, "%s/%s", c->res->path, key);
  http_set_header(c, "Location", location);
}

void res_create(struct ctx *c) {
  if (!item_prelude(c, OP_CREATE) || !ctx_read_json(c, false)) return;
  json_t *obj = validate_whole(c, c->body, c->body, true);
  if (!obj) return;
  if (!authorize_owner(c, obj)) {
    json_decref(obj);
    return;
  }
  /* in a transaction of its own, which names its writer (the change feed's origin) */
  struct dbconn *db = ctx_db(c);
  if (!db || !db_begin(db)) {
    if (db) http_problem_db(c);
    json_decref(obj);
    return;
  }
  PGresult *r = write_row(c, db, obj, NULL);
  json_decref(obj);
  if (run_commit(c, db, r)) {
    set_location(c, PQgetvalue(r, 0, 0));
    res_respond_rep(c, 201, c->res, r);
  }
  PQclear(r);
}

void res_patch(struct ctx *c) {
  if (!item_prelude(c, OP_UPDATE) || !ctx_read_json(c, true)) return;
  struct verrors e = {0};
  schema_check_keys(c->res->fields, c->body, &e);
  if (e.items) {
    res_respond_invalid(c, &e);
    return;
  }
  struct dbconn *db = ctx_db(c);
  if (!db || !db_begin(db)) {
    if (db) http_problem_db(c);
    return;
  }
  PGresult *cur = lock_row(c, db, c->res->key, NULL, c->params[0], true), *r = NULL;
  json_t *current = NULL, *merged = NULL, *obj = NULL;
  if (!cur) goto rollback;
  char *json = res_rep_text(c->res, cur, 0);
  current = json_loads(json, 0, NULL);
  free(json);
  for (const struct field *f = c->res->fields; f->name; f++)
    if (f->readonly || f->expr) json_object_del(current, f->name);
  merged = merge_patch(current, c->body);
  obj = validate_whole(c, merged, c->body, false);
  if (!obj || !authorize_owner(c, obj)) goto rollback;
  r = write_row(c, db, obj, c->params[0]);
  if (run_commit(c, db, r)) res_respond_rep(c, 200, c->res, r);
  goto cleanup;
rollback:
  db_rollback(db);
cleanup:
  PQclear(cur);
  PQclear(r);
  json_decref(current);
  json_decref(merged);
  json_decref(obj);
}

void res_delete(struct ctx *c) {
  if (!item_prelude(c, OP_DELETE)) return;
  struct dbconn *db = ctx_db(c);
  if (!db || !db_begin(db)) {
    if (db) http_problem_db(c);
    return;
  }
  PGresult *cur = lock_row(c, db, c->res->key, NULL, c->params[0], true);
  if (!cur) {
    db_rollback(db);
    return;
  }
  PQclear(cur);
  struct sqlb sql;
  sqlb_init(&sql);
  plan_delete(&sql, c->res, c->params[0]);
  PGresult *r = run_plan(db, &sql);
  if (run_commit(c, db, r)) http_respond_empty(c, 204);
  PQclear(r);
}

void write_fill_kept(const struct resource *r, const PGresult *cur, json_t *doc) {
  if (PQntuples(cur) == 0) return;
  char *json = res_rep_text(r, cur, 0);
  json_t *stored = json_loads(json, 0, NULL);
  free(json);
  for (const struct field *f = r->fields; stored && f->name; f++) {
    if (f->readonly || f->expr) continue;
    json_t *kept = json_object_get(stored, f->name), *given = json_object_get(doc, f->name);
    if (f->type == F_MAP && json_is_object(kept) && json_object_size(kept) &&
        (!given || json_is_object(given))) {
      json_t *merged = json_copy(kept);
      if (given) json_object_update(merged, given);
      json_object_set_new(doc, f->name, merged);
    } else if (!given && !f->nullable && !f->required && kept) {
      json_object_set(doc, f->name, kept);
    }
  }
  json_decref(stored);
}

/* PUT on a natural key (/v1/companies/siret/{siret}) or an external id
   (/v1/clusters/external/{ns}/{value}): create or replace, concurrency-safe. The row is
   locked when it exists; when it does not, a concurrent creation of the same key makes our
   INSERT fail on the unique constraint (the siret's, or external_ids' key) and we go round
   once more to update it. The body is validated against the row as locked: created, or
   replaced (write_fill_kept). */
static void upsert(struct ctx *c, const char *ns, const char *key) {
  const struct resource *r = c->res;
  if (!item_prelude(c, OP_UPSERT) || !ctx_read_json(c, false)) return;
  json_t *given = c->body;
  struct verrors e = {0};
  json_t *doc = json_copy(given);
  if (ns) { /* the path's external id is one of the object's */
    json_t *ids = json_object_get(given, "external_ids");
    json_t *in_body = json_object_get(ids, ns);
    if (ids && !json_is_object(ids) && !json_is_null(ids))
      verr_add(&e, "external_ids", "invalid_type", "must be an object of namespace: id");
    else if (in_body && !(json_is_string(in_body) && strcmp(json_string_value(in_body), key) == 0))
      verr_add(&e, "external_ids", "invalid_value",
               "external_ids.%.40s must be absent or equal the id in the path", ns);
    json_t *set = json_is_object(ids) ? json_copy(ids) : json_object();
    json_object_set_new(set, ns, json_string(key));
    json_object_set_new(doc, "external_ids", set);
  } else {
    json_t *in_body = json_object_get(given, r->natural_key);
    if (in_body && !(json_is_string(in_body) && strcmp(json_string_value(in_body), key) == 0))
      verr_add(&e, r->natural_key, "invalid_value", "must be absent or equal the %s in the path",
               r->natural_key);
    json_object_set_new(doc, r->natural_key, json_string(key));
  }
  if (e.items) {
    json_decref(doc);
    res_respond_invalid(c, &e);
    return;
  }
  struct dbconn *db = ctx_db(c);
  PGresult *cur = NULL, *res = NULL;
  for (int attempt = 0; db && attempt < 2 && !c->status; attempt++) {
    if (!db_begin(db)) {
      http_problem_db(c);
      break;
    }
    cur = lock_row(c, db, r->natural_key, ns, key, false);
    if (!cur) {
      db_rollback(db);
      break;
    }
    bool exists = PQntuples(cur) > 0;
    const char *inm = ctx_header(c, "If-None-Match");
    int denied = exists || c->who.role == ROLE_ADMIN ? 0 : r->authorize(&c->who, OP_CREATE, NULL);
    json_t *obj = NULL;
    if (exists && inm && strcmp(inm, "*") == 0) /* create-only (RFC 9110 13.1.2) */
      http_problem(c, 412, "precondition_failed", NULL,
                   "If-None-Match: * asks to create only, and this %s exists.", r->item);
    else if (denied)
      ctx_deny(c, denied, "Your key may change this but not create it: there is none yet.");
    if (!c->status) {
      json_t *whole = json_copy(doc);
      write_fill_kept(r, cur, whole);
      obj = validate_whole(c, whole, whole, !exists);
      json_decref(whole);
    }
    if (!obj || !authorize_owner(c, obj)) {
      PQclear(cur);
      cur = NULL;
      json_decref(obj);
      db_rollback(db);
      break;
    }
    res = write_row(c, db, obj, exists ? PQgetvalue(cur, 0, 0) : NULL);
    json_decref(obj);
    PQclear(cur);
    cur = NULL;
    if (!res && !exists && strcmp(db_last_sqlstate(), "23505") == 0 && attempt == 0) {
      db_rollback(db); /* created meanwhile: update it */
      continue;
    }
    if (!run_commit(c, db, res)) break;
    if (!exists) set_location(c, PQgetvalue(res, 0, 0));
    res_respond_rep(c, exists ? 200 : 201, r, res);
  }
  PQclear(res);
  json_decref(doc);
}

void res_upsert(struct ctx *c) { upsert(c, NULL, c->params[0]); }

void res_upsert_external(struct ctx *c) {
  if (!external_ns_valid(c->params[0], strlen(c->params[0])) ||
      !external_value_valid(c->params[1])) {
    if (ctx_auth(c))
      http_problem(c, 404, "not_found", NULL, "No %s with this external id.", c->res->item);
    return;
  }
  upsert(c, c->params[0], c->params[1]);
}
