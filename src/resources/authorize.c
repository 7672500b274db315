/* Authorize: who may do what on a resource, from its authorize function and, for a manager,
   its scope: a list's parent must be one of the manager's (checked here), a list without a
   parent is narrowed to scope_sql (by its statement: plan.c), a row must be in scope_sql
   (checked by the write's own statement, under the row's lock: write.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "http.h"
#include "strv.h"
#include "validate.h"

int res_authorize_scoped_read(const struct principal *who, enum op op, const char *id) {
  (void)op, (void)id;
  switch (who->role) {
  case ROLE_ANONYMOUS: return 401;
  case ROLE_MANAGER: return AUTH_SCOPED;
  default: return 0;
  }
}

/* 404 (and false) when the parent named in the path does not exist; 403 when `scoped`
   and it is outside the manager's clusters. */
static bool parent_exists(struct ctx *c, const struct parent *p, bool scoped) {
  if (!uuid_valid(c->params[0])) {
    http_problem(c, 404, "not_found", NULL, "No %s with this id.", p->item);
    return false;
  }
  struct dbconn *db = ctx_db_read(c);
  if (!db) return false;
  for (int pass = 0; pass < (scoped ? 2 : 1); pass++) {
    char *scope = pass ? sqlb_array(c->who.clusters) : NULL;
    const char *params[] = {c->params[0], scope};
    PGresult *r = db_exec(db, pass ? p->scope_sql : p->exists_sql, pass ? 2 : 1, params);
    free(scope);
    if (!r) {
      http_problem_db(c);
      return false;
    }
    bool found = PQntuples(r) > 0;
    PQclear(r);
    if (!found && pass) {
      http_problem(c, 403, "forbidden", NULL, "This %s is outside the clusters your key manages.",
                   p->item);
      return false;
    }
    if (!found) {
      http_problem(c, 404, "not_found", NULL, "No %s with this id.", p->item);
      return false;
    }
  }
  return true;
}

/* A manager's list without a parent: its rows narrowed to the manager's clusters, which
   every cluster its filter names must be one of (403, as for a parent outside them). */
static bool narrow_to_scope(struct ctx *c, struct list_req *q) {
  const char *param = q->res->scope_param;
  const char *asked = param ? query_get(&c->query, param) : NULL;
  char **names = asked ? split_commas(asked) : NULL;
  bool ok = true;
  for (char **a = names; ok && a && *a; a++)
    if (!http_principal_manages(&c->who, *a))
      ok = ctx_deny(c, 403,
                    "A manager reads the rows of its own clusters: cluster= names one "
                    "that is not yours.");
  strv_free(names);
  if (ok) q->scope = sqlb_array(c->who.clusters);
  return ok;
}

bool authorize_list(struct ctx *c, struct list_req *q) {
  const struct resource *r = q->res;
  if (!ctx_auth(c)) return false;
  int denied = r->authorize ? r->authorize(&c->who, OP_READ, NULL) : 0;
  q->scoped = denied == AUTH_SCOPED && r->parent && r->parent->scope_sql;
  bool narrowed = denied == AUTH_SCOPED && !r->parent && r->scope_sql;
  if (q->scoped || narrowed) denied = 0;
  if (denied) return ctx_deny(c, denied == AUTH_SCOPED ? 403 : denied, "This list is not public.");
  if (narrowed) return narrow_to_scope(c, q);
  return !r->parent || parent_exists(c, r->parent, q->scoped);
}

bool authorize_item(struct ctx *c, enum op op) {
  if (!ctx_auth(c)) return false;
  int denied = c->res->authorize ? c->res->authorize(&c->who, op, c->params[0]) : 0;
  if (denied == AUTH_SCOPED) {
    c->scoped = c->res->scope_sql != NULL;
    denied = c->scoped ? 0 : 403;
  }
  if (!denied) return true;
  static const char *const what[] = {"read", "create", "change", "delete", "create or change"};
  char detail[160];
  snprintf(detail, sizeof detail, "Your key may not %s this %s.", what[op], c->res->item);
  return ctx_deny(c, denied, detail);
}

bool authorize_owner(struct ctx *c, const json_t *obj) {
  const char *f = c->res->owner_field;
  if (!f || c->who.role != ROLE_MANAGER) return true;
  const char *owner = json_string_value(json_object_get(obj, f));
  if (owner && http_principal_manages(&c->who, owner)) return true;
  http_problem(c, 403, "forbidden", NULL,
               owner ? "'%s' must be one of the clusters your key manages."
                     : "'%s' is required for a manager key (null is for admins).",
               f);
  return false;
}

char *authorize_writer_scope(const struct ctx *c) {
  return c->who.role == ROLE_MANAGER ? sqlb_array(c->who.clusters) : NULL;
}
