/* GET /v1/benchmark: how a cluster's yearly indicators compare with its peers', and
   GET /v1/stats: the network's weight. Both are single statements: the distributions and
   the counts are computed by PostgreSQL next to the data. */
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codelists.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "negotiate.h"
#include "query.h"
#include "resource.h"
#include "sqlb.h"
#include "strv.h"
#include "validate.h"

/* Below this many values an indicator's distribution is withheld from everyone but admins:
   in a small group (a kind in a region can narrow it to a few clusters) the quartiles come
   close to single clusters' figures. The minimum and maximum are single clusters' figures
   whatever the group: admins only. */
#define MIN_GROUP 5
#define MIN_GROUP_ADMIN 1

/* A comma list of codes, each accepted by ok(); *literal gets a PostgreSQL array (NULL when
   the parameter is absent). */
static bool code_list(struct ctx *c, const char *param, bool (*ok)(const char *), const char *what,
                      char **literal) {
  *literal = NULL;
  const char *v = query_get(&c->query, param);
  if (!v) return true;
  char **items = split_commas(v);
  if (!items[0]) {
    strv_free(items);
    return http_bad_param(c, "invalid_query", "invalid value", param, "'%s' names nothing.", v);
  }
  for (char **it = items; *it; it++)
    if (!ok(*it)) {
      http_bad_param(c, "invalid_query", "invalid value", param, "'%s' is not %s.", *it, what);
      strv_free(items);
      return false;
    }
  *literal = sqlb_array(items);
  strv_free(items);
  return true;
}

static bool kind_ok(const char *v) {
  for (const char *const *k = codelist_cluster_kind; *k; k++)
    if (strcmp(*k, v) == 0) return true;
  return false;
}

static json_t *array_or_null(const char *literal, const char *param, struct ctx *c) {
  if (!literal) return json_null();
  char **items = split_commas(query_get(&c->query, param));
  json_t *a = json_array();
  for (char **it = items; it && *it; it++) json_array_append_new(a, json_string(*it));
  strv_free(items);
  return a;
}

/* ---- Benchmark ---- */

/* The indicators in their documented order (BenchmarkIndicatorName in api/openapi.yaml), each
   a column of ROWS_SQL: (1, 'members', p.members), (2, 'staff_fte', p.staff_fte)... */
#define METRIC_SQL(ord, name) "(" #ord ", '" #name "', p." #name ")"
#define METRICS_SQL \
  "(VALUES " CODELIST_BENCHMARK_INDICATOR_NAME_EACH(METRIC_SQL, ", ") ") m(ord, name, v)"

#define ROWS_SQL                                                                             \
  "SELECT i.cluster_id, i.members::float8 AS members, i.staff_fte::float8 AS staff_fte, "    \
  "i.budget_eur::float8 AS budget_eur, i.public_funding_eur::float8 AS public_funding_eur, " \
  "i.projects_started::float8 AS projects_started, i.events_held::float8 AS events_held, "   \
  "(i.public_funding_eur / nullif(i.budget_eur, 0))::float8 AS public_funding_share, "       \
  "(i.members / nullif(i.staff_fte, 0))::float8 AS members_per_staff_fte, "                  \
  "sme.share AS sme_share FROM indicators i LEFT JOIN sme ON sme.cluster_id = i.cluster_id "

/* sme: each peer's share of small firms on the year's day. For a past year, the sum of the
   differences that the memberships' and companies' triggers keep up to that year
   (cluster_sme_years, sql/migrations/0020_cluster_totals.sql); for the current year, whose
   day is today, a count of the memberships themselves. */
static const char *const SME_SQL_KEPT =
  "WITH sme AS (SELECT y.cluster_id, sum(y.sme)::float8 / nullif(sum(y.sized), 0) AS share "
  "  FROM cluster_sme_years y WHERE y.year <= $1::int "
  "  AND y.cluster_id IN (SELECT cluster_id FROM indicators WHERE year = $1::int) GROUP BY y.cluster_id), ";
static const char *const SME_SQL_LIVE =
  "WITH sme AS (SELECT m.cluster_id, (count(*) FILTER (WHERE co.size IN ('tpe', 'pme')))::float8 "
  "  / nullif(count(co.size), 0) AS share FROM memberships m JOIN companies co ON co.id = m.company_id "
  "  WHERE m.cluster_id IN (SELECT cluster_id FROM indicators WHERE year = $1::int) "
  "  AND (m.joined_on IS NULL OR m.joined_on <= indicator_day($1::int)) "
  "  AND (m.left_on IS NULL OR m.left_on > indicator_day($1::int)) GROUP BY m.cluster_id), ";
/* One row per indicator, in order: name, count, min, p25, median, p75, max (null below $5
   values; min and max null unless $6), the cluster's value and its percentile rank among
   the others (null when there is no other). After sme, in two pieces (ISO C promises string literals
   of 4095 characters only), joined per request. */
static const char *const BENCHMARK_SQL_WITH =
  "peers AS (" ROWS_SQL "JOIN clusters c ON c.id = i.cluster_id WHERE i.year = $1::int "
  "  AND ($2::text[] IS NULL OR c.kind = ANY($2::text[])) AND ($3::text[] IS NULL OR c.region_codes && $3::text[])), "
  "mine AS (" ROWS_SQL "WHERE i.year = $1::int AND i.cluster_id = $4::uuid), "
  "vals AS (SELECT p.cluster_id, m.ord, m.v FROM peers p CROSS JOIN LATERAL " METRICS_SQL
  " WHERE m.v IS NOT NULL), "
  "own AS (SELECT m.ord, m.v FROM mine p CROSS JOIN LATERAL " METRICS_SQL "), "
  "names AS (SELECT m.ord, m.name FROM (SELECT NULL::float8 AS members, NULL::float8 AS staff_fte, "
  "  NULL::float8 AS budget_eur, NULL::float8 AS public_funding_eur, NULL::float8 AS projects_started, "
  "  NULL::float8 AS events_held, NULL::float8 AS public_funding_share, NULL::float8 AS members_per_staff_fte, "
  "  NULL::float8 AS sme_share) p CROSS JOIN LATERAL " METRICS_SQL ") ";
static const char *const BENCHMARK_SQL_SELECT =
  "SELECT n.name, count(v.v), "
  "  CASE WHEN $6::bool AND count(v.v) >= $5::int THEN trim_scale(round(min(v.v)::numeric, 4)) END, "
  "  CASE WHEN count(v.v) >= $5::int THEN trim_scale(round((percentile_cont(0.25) WITHIN GROUP (ORDER BY v.v))::numeric, 4)) END, "
  "  CASE WHEN count(v.v) >= $5::int THEN trim_scale(round((percentile_cont(0.5) WITHIN GROUP (ORDER BY v.v))::numeric, 4)) END, "
  "  CASE WHEN count(v.v) >= $5::int THEN trim_scale(round((percentile_cont(0.75) WITHIN GROUP (ORDER BY v.v))::numeric, 4)) END, "
  "  CASE WHEN $6::bool AND count(v.v) >= $5::int THEN trim_scale(round(max(v.v)::numeric, 4)) END, "
  "  trim_scale(round(o.v::numeric, 4)), "
  "  CASE WHEN count(v.v) >= $5::int AND o.v IS NOT NULL AND count(v.v) FILTER (WHERE v.cluster_id <> $4::uuid) > 0 THEN "
  "    trim_scale(round((100 * percent_rank(o.v) WITHIN GROUP (ORDER BY v.v) FILTER (WHERE v.cluster_id <> $4::uuid))::numeric, 1)) END, "
  "  (SELECT count(*) FROM peers), EXISTS (SELECT 1 FROM peers WHERE cluster_id = $4::uuid) "
  "FROM names n LEFT JOIN vals v ON v.ord = n.ord LEFT JOIN own o ON o.ord = n.ord "
  "GROUP BY n.ord, n.name, o.v ORDER BY n.ord";

static json_t *number_or_null(PGresult *r, int row, int col) {
  if (PQgetisnull(r, row, col)) return json_null();
  return json_real(strtod(PQgetvalue(r, row, col), NULL));
}

void benchmark_get(struct ctx *c) {
  static const char *const allowed[] = {"year", "kind", "region", "cluster", "format", "csv", NULL};
  if (!ctx_allow_params(c, allowed, NULL) || !ctx_auth(c)) return;
  enum format fmt =
    fmt_negotiate(ctx_header(c, "Accept"), query_get(&c->query, "format"), FMT_JSON | FMT_CSV);
  if (!fmt) {
    http_problem(
      c, 406, "not_acceptable", NULL,
      "The benchmark is available as application/json (format=json) and text/csv (format=csv).");
    return;
  }
  enum csv_dialect csv;
  if (!ctx_csv_dialect(c, fmt, &csv)) return;
  long year = indicator_last_year() - 2; /* the last complete year */
  const char *v = query_get(&c->query, "year");
  if (v && !long_valid(v, 1990, indicator_last_year(), &year)) {
    http_bad_param(c, "invalid_query", "invalid value", "year",
                   "'%s' is not a valid year: 1990 to %d.", v, indicator_last_year());
    return;
  }
  const char *cluster = query_get(&c->query, "cluster");
  if (cluster && !uuid_valid(cluster)) {
    http_bad_param(c, "invalid_query", "invalid value", "cluster", "'%s' is not a cluster id.",
                   cluster);
    return;
  }
  if (cluster && c->who.role != ROLE_ADMIN && c->who.role != ROLE_READER &&
      !http_principal_manages(&c->who, cluster)) {
    ctx_deny(
      c, c->who.role == ROLE_ANONYMOUS ? 401 : 403,
      "A cluster's own figures are for readers, admins and the cluster's managers; without cluster= the benchmark is public.");
    return;
  }
  char *kinds = NULL, *regions = NULL;
  PGresult *r = NULL, *named = NULL;
  json_t *out = NULL;
  if (!code_list(c, "kind", kind_ok, "a cluster kind (" CODELIST_CLUSTER_KIND_TEXT ")", &kinds) ||
      !code_list(c, "region", reference_has_region, "a region code (see /v1/regions)", &regions))
    goto done;
  struct dbconn *db = ctx_db_read(c);
  if (!db) goto done;
  if (cluster) {
    const char *p[] = {cluster};
    named = db_exec(db, "SELECT name FROM clusters WHERE id = $1::uuid", 1, p);
    if (!named) {
      http_problem_db(c);
      goto done;
    }
    if (PQntuples(named) == 0) {
      http_problem(c, 404, "not_found", NULL, "No cluster with this id.");
      goto done;
    }
  }
  bool admin = c->who.role == ROLE_ADMIN;
  int min_group = admin ? MIN_GROUP_ADMIN : MIN_GROUP;
  char year_text[16], min_text[16];
  snprintf(year_text, sizeof year_text, "%ld", year);
  snprintf(min_text, sizeof min_text, "%d", min_group);
  const char *params[] = {year_text, kinds, regions, cluster, min_text, admin ? "true" : "false"};
  struct buf sql;
  buf_init(&sql);
  /* A year before this one (in UTC: a database session behind UTC has the same day for it,
     31 December) is summed from the kept differences; this year and later, counted live. */
  buf_adds(&sql, year < indicator_last_year() - 1 ? SME_SQL_KEPT : SME_SQL_LIVE);
  buf_adds(&sql, BENCHMARK_SQL_WITH);
  buf_adds(&sql, BENCHMARK_SQL_SELECT);
  r = db_exec(db, sql.data, 6, params);
  buf_free(&sql);
  if (!r) {
    http_problem_db(c);
    goto done;
  }

  struct buf body;
  buf_init(&body);
  if (fmt == FMT_CSV) {
    static const char *const columns[] = {"indicator", "count", "min",   "p25",       "median",
                                          "p75",       "max",   "value", "percentile"};
    int ncols = cluster ? 9 : 7;
    csv_begin(&body, csv);
    for (int col = 0; col < ncols; col++) {
      if (col) csv_sep(&body, csv);
      csv_text(&body, columns[col], csv);
    }
    csv_end_row(&body);
    for (int i = 0; i < PQntuples(r); i++) {
      for (int col = 0; col < ncols;
           col++) { /* the indicator's name, then numbers (empty when withheld) */
        if (col) csv_sep(&body, csv);
        if (col == 0) csv_text(&body, PQgetvalue(r, i, col), csv);
        else csv_number(&body, PQgetvalue(r, i, col), csv);
      }
      csv_end_row(&body);
    }
    http_respond(c, 200, "text/csv; charset=utf-8", body.data, body.len);
    buf_free(&body);
    goto done;
  }
  json_t *indicators = json_array();
  for (int i = 0; i < PQntuples(r); i++) {
    json_t *it =
      json_pack("{s:s,s:I,s:o,s:o,s:o,s:o,s:o}", "indicator", PQgetvalue(r, i, 0), "count",
                (json_int_t)atoll(PQgetvalue(r, i, 1)), "min", number_or_null(r, i, 2), "p25",
                number_or_null(r, i, 3), "median", number_or_null(r, i, 4), "p75",
                number_or_null(r, i, 5), "max", number_or_null(r, i, 6));
    if (cluster) {
      json_object_set_new(it, "value", number_or_null(r, i, 7));
      json_object_set_new(it, "percentile", number_or_null(r, i, 8));
    }
    json_array_append_new(indicators, it);
  }
  out = json_pack("{s:I,s:o,s:o,s:I,s:i}", "year", (json_int_t)year, "kind",
                  array_or_null(kinds, "kind", c), "region", array_or_null(regions, "region", c),
                  "clusters", (json_int_t)atoll(PQgetvalue(r, 0, 9)), "min_group_size", min_group);
  if (cluster)
    json_object_set_new(out, "cluster",
                        json_pack("{s:s,s:s,s:b}", "id", cluster, "name", PQgetvalue(named, 0, 0),
                                  "in_group", strcmp(PQgetvalue(r, 0, 10), "t") == 0));
  json_object_set_new(out, "indicators", indicators);
  char *text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));
  http_respond_json(c, 200, text);
  free(text);
done:
  json_decref(out);
  PQclear(r);
  PQclear(named);
  free(kinds);
  free(regions);
}

/* ---- Statistics ---- */

/* Company counts come from company_stats (migration 0010): deltas by region and size that
   the writers' transactions append, folded here once they pile up.
   Counts agree with the lists given the same filters: clusters and companies by region,
   projects by the region of a participating cluster (the lead, or one that accepted), upcoming events (not yet ended, not
   cancelled, public ones only for anonymous callers) by the organiser's region. */
static const char *const STATS_SQL =
  "WITH cl AS MATERIALIZED (SELECT c.id, c.kind, c.region_codes, c.staff_fte FROM clusters c "
  "  WHERE $1::text[] IS NULL OR c.region_codes && $1::text[]), "
  "co AS (SELECT size, sum(companies) AS companies, sum(member_companies) AS member_companies, sum(jobs) AS jobs, region_code "
  "  FROM company_stats WHERE $1::text[] IS NULL OR region_code = ANY($1::text[]) GROUP BY region_code, size), "
  "pr AS (SELECT p.status FROM projects p WHERE $1::text[] IS NULL OR p.lead_cluster_id IN (SELECT id FROM cl) "
  "  OR accepted_clusters(p.cluster_ids, p.cluster_invitations) && (SELECT array_agg(id::text) FROM cl)), "
  "co_region AS (SELECT region_code, sum(companies) AS companies, sum(member_companies) AS member_companies, "
  "  sum(jobs) AS jobs FROM co GROUP BY region_code), "
  "co_size AS (SELECT size, sum(companies) AS companies, sum(member_companies) AS member_companies, "
  "  sum(jobs) AS jobs FROM co GROUP BY size), "
  "cl_region AS (SELECT code, count(*) AS clusters, coalesce(sum(staff_fte), 0) AS staff_fte "
  "  FROM cl CROSS JOIN LATERAL unnest(cl.region_codes) code GROUP BY code), "
  "regions_shown AS (SELECT code, name FROM regions WHERE $1::text[] IS NULL OR code = ANY($1::text[])) "
  "SELECT json_build_object("
  " 'region', $1::text[],"
  " 'clusters', (SELECT count(*) FROM cl),"
  " 'companies', (SELECT coalesce(sum(companies), 0) FROM co),"
  " 'member_companies', (SELECT coalesce(sum(member_companies), 0) FROM co),"
  " 'jobs', (SELECT coalesce(sum(jobs), 0) FROM co),"
  " 'staff_fte', (SELECT coalesce(sum(staff_fte), 0) FROM cl),"
  " 'projects', json_build_object('total', (SELECT count(*) FROM pr), 'by_status', (SELECT json_object_agg(s, "
  "    (SELECT count(*) FROM pr WHERE pr.status = s) ORDER BY o) "
  "    FROM unnest(ARRAY[" CODELIST_PROJECT_STATUS_SQL "]) WITH ORDINALITY AS st(s, o))),"
  " 'upcoming_events', (SELECT count(*) FROM events e WHERE e.status = 'scheduled' AND e.ends_at >= now() "
  "    AND ($2::bool OR e.public) AND ($1::text[] IS NULL OR e.organizer_cluster_id IN (SELECT id FROM cl))),"
  " 'by_region', (SELECT coalesce(json_agg(json_build_object('code', g.code, 'name', g.name, "
  "    'clusters', coalesce(r.clusters, 0), 'companies', coalesce(k.companies, 0), "
  "    'member_companies', coalesce(k.member_companies, 0), 'jobs', coalesce(k.jobs, 0), "
  "    'staff_fte', coalesce(r.staff_fte, 0)) ORDER BY g.code), '[]') FROM regions_shown g "
  "    LEFT JOIN cl_region r ON r.code = g.code LEFT JOIN co_region k ON k.region_code = g.code),"
  " 'by_kind', (SELECT json_agg(json_build_object('kind', k, 'clusters', (SELECT count(*) FROM cl WHERE cl.kind = k), "
  "    'staff_fte', (SELECT coalesce(sum(staff_fte), 0) FROM cl WHERE cl.kind = k)) ORDER BY o) "
  "    FROM unnest(ARRAY[" CODELIST_CLUSTER_KIND_SQL "]) WITH ORDINALITY AS ks(k, o)),"
  " 'by_size', (SELECT json_agg(json_build_object('size', zs.z, 'companies', coalesce(k.companies, 0), "
  "    'member_companies', coalesce(k.member_companies, 0), 'jobs', coalesce(k.jobs, 0)) ORDER BY zs.o) "
  "    FROM unnest(ARRAY[" CODELIST_COMPANY_SIZE_SQL
  ", NULL]) WITH ORDINALITY AS zs(z, o) LEFT JOIN co_size k "
  "    ON k.size IS NOT DISTINCT FROM zs.z)"
  ")::text";

void stats_get(struct ctx *c) {
  static const char *const allowed[] = {"region", NULL};
  if (!ctx_allow_params(c, allowed, NULL) || !ctx_auth(c)) return;
  if (!fmt_negotiate(ctx_header(c, "Accept"), NULL, FMT_JSON)) {
    http_problem(c, 406, "not_acceptable", NULL,
                 "Statistics are available as application/json only.");
    return;
  }
  char *regions = NULL;
  if (!code_list(c, "region", reference_has_region, "a region code (see /v1/regions)", &regions))
    return;
  struct dbconn *db = ctx_db(c);
  if (db) {
    PGresult *fold = db_exec(db,
                             "SELECT company_stats_compact() FROM (SELECT count(*) AS n FROM "
                             "(SELECT 1 FROM company_stats LIMIT 1001) x) k WHERE k.n > 1000",
                             0, NULL);
    if (!fold) {
      http_problem_db(c);
      free(regions);
      return;
    }
    PQclear(fold);
    const char *params[] = {regions, c->who.role == ROLE_ANONYMOUS ? "false" : "true"};
    PGresult *r = db_exec(db, STATS_SQL, 2, params);
    if (!r) http_problem_db(c);
    else http_respond_json(c, 200, PQgetvalue(r, 0, 0));
    PQclear(r);
  }
  free(regions);
}
