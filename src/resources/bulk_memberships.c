/* POST /v1/memberships/bulk: memberships upserted by their two ends. A line names the
   cluster by cluster_id or cluster_external_id ("ns:value") and the company by company_id,
   company_siret or company_external_id, beside role, college, joined_on and left_on. The
   current membership of the pair is updated (left_on ends it); with none, one is created (with
   left_on, a former membership, recorded once). A batch is one statement: the ends resolved,
   the current memberships locked in id order (as the memberships' triggers lock companies),
   updated where something changed, the others inserted; the count triggers run once per
   statement. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bulk.h"
#include "codelists.h"
#include "mem.h"
#include "resource.h"

static const struct field line_fields[] = {
  {"cluster_id", F_UUID, .nullable = false},
  {"cluster_external_id", F_TEXT, .check = C_EXTERNAL_REF},
  {"company_id", F_UUID, .nullable = false},
  {"company_siret", F_TEXT, .check = C_SIRET},
  {"company_external_id", F_TEXT, .check = C_EXTERNAL_REF},
  {"role", F_ENUM, .values = codelist_membership_role},
  {"college", F_ENUM, .nullable = true, .values = codelist_membership_college},
  {"joined_on", F_DATE, .nullable = true},
  {"left_on", F_DATE, .nullable = true, .not_before = "joined_on"},
  {NULL},
};

/* The cluster and the company named by an external id "ns:value" in the line x.doc. */
#define EXT_CLUSTER                                                                                                 \
  "(SELECT e.id FROM external_ids e WHERE e.kind = 'cluster' AND e.ns = split_part(x.doc->>'cluster_external_id', " \
  "':', 1) AND e.value = substr(x.doc->>'cluster_external_id', strpos(x.doc->>'cluster_external_id', ':') + 1))"
#define EXT_COMPANY                                                                                                 \
  "(SELECT e.id FROM external_ids e WHERE e.kind = 'company' AND e.ns = split_part(x.doc->>'company_external_id', " \
  "':', 1) AND e.value = substr(x.doc->>'company_external_id', strpos(x.doc->>'company_external_id', ':') + 1))"

/* The new values of a line l (doc) over the stored membership m (joined_on is kept when the
   line does not give it). */
#define NEW_ROLE "coalesce(l.doc->>'role', 'member')"
#define NEW_COLLEGE "(l.doc->>'college')"
#define NEW_JOINED \
  "CASE WHEN l.doc ? 'joined_on' THEN (l.doc->>'joined_on')::date ELSE m.joined_on END"
#define NEW_LEFT "(l.doc->>'left_on')::date"

/* The batch statement; %s: whether a line's cluster is the writer's. */
static const char BATCH_SQL[] =
  "WITH input AS MATERIALIZED (SELECT x.n, x.doc, "
  "CASE WHEN x.doc ? 'cluster_id' THEN (SELECT c.id FROM clusters c WHERE c.id = "
  "(x.doc->>'cluster_id')::uuid) ELSE " EXT_CLUSTER " END AS cluster_id, "
  "CASE WHEN x.doc ? 'company_id' THEN (SELECT co.id FROM companies co WHERE co.id = "
  "(x.doc->>'company_id')::uuid) "
  "WHEN x.doc ? 'company_siret' THEN (SELECT co.id FROM companies co WHERE co.siret = "
  "x.doc->>'company_siret') ELSE " EXT_COMPANY " END AS company_id "
  "FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(doc, n)), "
  "lines AS MATERIALIZED (SELECT i.*, %s AS allowed, "
  "min(i.n) OVER (PARTITION BY i.cluster_id, i.company_id) AS first_n FROM input i), "
  "ok AS MATERIALIZED (SELECT * FROM lines WHERE cluster_id IS NOT NULL AND company_id IS NOT NULL "
  "AND allowed AND n = first_n), "
  /* each line's current membership; those a line changes, locked in id order. The CTEs
     carry what the next one needs: a join of two of them on n is planned as a loop over
     both (1,000 x 1,000 rows a batch). */
  "cur AS MATERIALIZED (SELECT l.*, (SELECT m.id FROM memberships m WHERE m.cluster_id = "
  "l.cluster_id AND m.company_id = l.company_id AND m.left_on IS NULL) AS cur_id FROM ok l), "
  "chg AS MATERIALIZED (SELECT m.id, l.n, l.doc FROM cur l JOIN memberships m ON m.id = l.cur_id "
  "WHERE (m.role, m.college, m.joined_on, m.left_on) IS DISTINCT FROM "
  "(" NEW_ROLE ", " NEW_COLLEGE ", " NEW_JOINED ", " NEW_LEFT ") ORDER BY m.id FOR UPDATE OF m), "
  "upd AS (UPDATE memberships m SET role = " NEW_ROLE ", college = " NEW_COLLEGE
  ", joined_on = " NEW_JOINED ", left_on = " NEW_LEFT " FROM chg l "
  "WHERE m.id = l.id AND m.left_on IS NULL AND (m.role, m.college, m.joined_on, m.left_on) "
  "IS DISTINCT FROM (" NEW_ROLE ", " NEW_COLLEGE ", " NEW_JOINED ", " NEW_LEFT ") "
  "RETURNING m.id, l.n), "
  "past AS MATERIALIZED (SELECT l.n, (SELECT p.id FROM memberships p WHERE p.cluster_id = "
  "l.cluster_id AND p.company_id = l.company_id AND p.left_on = " NEW_LEFT
  " ORDER BY p.id LIMIT 1) "
  "AS id FROM cur l WHERE l.doc->>'left_on' IS NOT NULL AND l.cur_id IS NULL), "
  "ins AS (INSERT INTO memberships AS m (cluster_id, company_id, role, college, joined_on, left_on) "
  "SELECT l.cluster_id, l.company_id, " NEW_ROLE ", " NEW_COLLEGE ", CASE WHEN l.doc ? 'joined_on' "
  "THEN (l.doc->>'joined_on')::date ELSE current_date END, " NEW_LEFT " FROM cur l "
  "WHERE l.cur_id IS NULL AND NOT EXISTS (SELECT 1 FROM past WHERE past.n = l.n AND past.id IS "
  "NOT NULL) ORDER BY l.n "
  "ON CONFLICT (cluster_id, company_id) WHERE left_on IS NULL DO NOTHING "
  "RETURNING m.id, m.cluster_id, m.company_id) "
  "SELECT l.n, coalesce(u.id, i.id, c.cur_id, p.id)::text, CASE "
  "WHEN l.cluster_id IS NULL THEN 'no_cluster' WHEN l.company_id IS NULL THEN 'no_company' "
  "WHEN NOT l.allowed THEN 'forbidden' WHEN l.n <> l.first_n THEN 'duplicate' "
  "WHEN u.id IS NOT NULL THEN 'updated' WHEN i.id IS NOT NULL THEN 'created' "
  "WHEN c.cur_id IS NOT NULL OR p.id IS NOT NULL THEN 'unchanged' ELSE 'concurrent' END, l.first_n "
  "FROM lines l LEFT JOIN upd u ON u.n = l.n LEFT JOIN cur c ON c.n = l.n "
  "LEFT JOIN past p ON p.n = l.n "
  "LEFT JOIN ins i ON i.cluster_id = l.cluster_id AND i.company_id = l.company_id AND l.n = l.first_n "
  "ORDER BY l.n";

static char *build_sql(bool scoped) {
  struct buf sql;
  buf_init(&sql);
  buf_addf(&sql, BATCH_SQL, scoped ? "(i.cluster_id = ANY($2::uuid[]))" : "true");
  return buf_steal(&sql);
}

/* Which of the keys a, b, c the queued line at names its end by. */
static const char *named(struct bulk *bk, size_t at, const char *a, const char *b, const char *c) {
  const json_t *line = json_array_get(bk->batch, at);
  if (json_object_get(line, a)) return a;
  return c && !json_object_get(line, b) ? c : b;
}

static void record(struct bulk *b, PGresult *r, size_t offset) {
  for (int i = 0; i < PQntuples(r); i++) {
    size_t at = offset + (size_t)atoi(PQgetvalue(r, i, 0)) - 1;
    struct bulk_result *res = bulk_queued(b, at);
    const char *what = PQgetvalue(r, i, 2);
    if (strcmp(what, "no_cluster") == 0) {
      bulk_line_error(res, named(b, at, "cluster_id", "cluster_external_id", NULL),
                      "unknown_reference", "names no cluster");
    } else if (strcmp(what, "no_company") == 0) {
      bulk_line_error(res, named(b, at, "company_id", "company_siret", "company_external_id"),
                      "unknown_reference", "names no company");
    } else if (strcmp(what, "forbidden") == 0) {
      bulk_line_error(res, named(b, at, "cluster_id", "cluster_external_id", NULL), "forbidden",
                      "this cluster is not one your key manages");
    } else if (strcmp(what, "duplicate") == 0) {
      char msg[96];
      snprintf(msg, sizeof msg, "the same membership is on line %d of this import",
               bulk_queued(b, offset + (size_t)atoi(PQgetvalue(r, i, 3)) - 1)->line);
      bulk_line_error(res, "", "duplicate", msg);
    } else if (strcmp(what, "concurrent") == 0) {
      bulk_line_error(res, "", "conflict",
                      "another request created this membership at the same time; import it again");
    } else {
      bulk_line_written(res, PQgetvalue(r, i, 1), what);
    }
  }
}

static void take(struct bulk *b, struct bulk_result *res, json_t *doc) {
  struct verrors e = {0};
  json_t *obj = schema_validate(line_fields, doc, true, &e);
  json_decref(doc);
  if (obj) {
    int clusters = json_object_get(obj, "cluster_id") != NULL;
    clusters += json_object_get(obj, "cluster_external_id") != NULL;
    int companies = json_object_get(obj, "company_id") != NULL;
    companies += json_object_get(obj, "company_siret") != NULL;
    companies += json_object_get(obj, "company_external_id") != NULL;
    if (clusters != 1)
      verr_add(&e, "cluster_id", clusters ? "invalid_value" : "required",
               "name the cluster once: cluster_id or cluster_external_id");
    if (companies != 1)
      verr_add(&e, "company_id", companies ? "invalid_value" : "required",
               "name the company once: company_id, company_siret or company_external_id");
  }
  if (e.items) {
    res->status = BULK_ERROR;
    res->errors = e.items;
    json_decref(obj);
    return;
  }
  bulk_queue(b, res, obj);
}

static bool write_batch(struct bulk *b) {
  return bulk_write_sets(b, b->state, record, "membership");
}

static void open_state(struct bulk *b) { b->state = build_sql(b->scope != NULL); }

static void close_state(struct bulk *b) {
  free(b->state);
  b->state = NULL;
}

const struct bulk_writer bulk_memberships = {
  .res = &resource_cluster_members,
  .line_fields = line_fields,
  .open = open_state,
  .take = take,
  .write = write_batch,
  .close = close_state,
};
