/* GET /v1/search: one ranked list over clusters, companies, partners, events and projects.
   Every word must match (French stemming, accents ignored) and the last one is a prefix, so
   that a front end can search as the user types. A name equal to the query comes first,
   then names that start with it, then the text rank. Each type is searched on its own GIN
   index and cut to the limit before the lists are merged. */
#include <libpq-fe.h>
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
#include "searchtext.h"
#include "sqlb.h"
#include "strv.h"
#include "text.h"
#include "validate.h"

#define SEARCH_LIMIT_DEFAULT 20
#define SEARCH_LIMIT_MAX 50
#define SEARCH_MAX_CHARS 200
#define SEARCH_MAX_WORDS 16
/* Full-text matches ranked per type: beyond, a broad query is ranked among the first ones
   found (and every name that starts with it), so that its cost stays bounded. Ranking is
   most of a broad search's time (each candidate's stored document is read and ranked):
   at 3,000,000 companies "mecanique" took 75 to 100 ms with 1,000, 16 to 25 ms with 200. */
#define SEARCH_CANDIDATES 200

/* How each type of result (SearchType in api/openapi.yaml, codelist_search_type) is searched. */
struct search_type {
  const char *table, *path;
  const char *document;  /* the indexed tsvector expression */
  const char *name;      /* name or title */
  const char *text;      /* what the snippet is cut from */
  const char *exact;     /* more columns equal to the query count as its name */
  const char *anonymous; /* condition for anonymous callers */
};

static const struct search_type search_types[] = {
  [CODELIST_SEARCH_TYPE_CLUSTER] = {"clusters", "/v1/clusters", "t.search", "t.name",
                                    "t.description", "t.acronym", NULL},
  [CODELIST_SEARCH_TYPE_COMPANY] = {"companies", "/v1/companies", "t.search", "t.name",
                                    "t.description", "t.legal_name", NULL},
  [CODELIST_SEARCH_TYPE_PARTNER] = {"partners", "/v1/partners", "t.search", "t.name",
                                    "t.description", NULL, NULL},
  [CODELIST_SEARCH_TYPE_EVENT] = {"events", "/v1/events", "t.search", "t.title", "t.description",
                                  NULL, "t.public"},
  [CODELIST_SEARCH_TYPE_PROJECT] = {"projects", "/v1/projects", "t.search", "t.title", "t.summary",
                                    NULL, NULL},
};
#define NSEARCH CODELIST_SEARCH_TYPE_COUNT
_Static_assert(sizeof search_types / sizeof search_types[0] == NSEARCH,
               "a type of search result (SearchType in api/openapi.yaml) has no search here");

/* A 400 invalid_query for a query parameter of the search. */
static bool search_param_error(struct ctx *c, const char *param, const char *detail) {
  json_t *errs =
    json_pack("[{s:s,s:s,s:s}]", "field", param, "code", "invalid_value", "message", detail);
  http_problem(c, 400, "invalid_query", errs, "%s", detail);
  return false;
}

/* A tsquery prefix operand quoted from text that SQL computes (' doubled, \ escaped), or
   NULL for an empty text (an empty quoted operand is a syntax error). */
#define TSQ_PREFIX(x) \
  "('''' || replace(replace(nullif(" x ", ''), '\\', '\\\\'), '''', '''''') || ''':*')"

/* The tsquery: every word but the last as websearch_to_tsquery reads it, and the last one
   as a prefix, stemmed or as typed (a stem of a half-typed word may not be a prefix of the
   whole word's stem). A stop word alone gives an empty query. $1 the other words, $2 the
   last one, $3 the query.
   The last word is quoted here, after grappe_unaccent and never before it: the unaccent
   rules turn characters a word may hold (U+02BC, U+2216, fullwidth forms...) into ' and \,
   and text quoted before unaccent was no longer valid tsquery syntax (issue 15). The "as
   typed" operand is one lexeme read verbatim by the tsquery input function, no parser and no
   dictionary; the stemmed one goes through grappe_fr, which unaccents after parsing.
   Neither can fail on any text, so neither CASE branch can (a custom plan folds both). */
static const char *const TSQUERY_SQL =
  "WITH w AS (SELECT websearch_to_tsquery('grappe_fr', $1) AS rest, to_tsquery('grappe_fr', " TSQ_PREFIX(
    "$2") ") AS stem, "
          "  " TSQ_PREFIX(
            "lower(grappe_unaccent($2))") "::tsquery AS typed) "
                                          "SELECT q::text, numnode(q), lower(grappe_unaccent(btrim($3))) COLLATE \"C\" "
                                          "FROM (SELECT CASE WHEN stem IS NULL OR numnode(stem) = 0 THEN rest WHEN typed IS NULL THEN rest && stem "
                                          "  ELSE rest && (stem || typed) END AS q FROM w) x";

void search_get(struct ctx *c) {
  static const char *const allowed[] = {"q", "types", "limit", NULL};
  if (!ctx_allow_params(c, allowed, NULL) || !ctx_auth(c)) return;
  if (!fmt_negotiate(ctx_header(c, "Accept"), NULL, FMT_JSON)) {
    http_problem(c, 406, "not_acceptable", NULL,
                 "Search results are available as application/json only.");
    return;
  }
  const char *q = query_get(&c->query, "q");
  if (!q || q[strspn(q, " \t\r\n")] == '\0') {
    search_param_error(c, "q", "q is required: the words to search for.");
    return;
  }
  if (utf8_chars(q) > SEARCH_MAX_CHARS) {
    search_param_error(c, "q", "q is too long: 200 characters at most.");
    return;
  }
  long limit = SEARCH_LIMIT_DEFAULT;
  const char *v = query_get(&c->query, "limit");
  if (v && !long_valid(v, 1, SEARCH_LIMIT_MAX, &limit)) {
    search_param_error(c, "limit", "limit must be an integer from 1 to 50.");
    return;
  }
  bool wanted[NSEARCH];
  for (size_t t = 0; t < NSEARCH; t++) wanted[t] = true;
  if ((v = query_get(&c->query, "types"))) {
    char **names = split_commas(v);
    bool ok = names && names[0];
    for (size_t t = 0; t < NSEARCH; t++) wanted[t] = false;
    for (char **n = names; ok && *n; n++) {
      bool known = false;
      for (size_t t = 0; t < NSEARCH; t++)
        if (strcmp(codelist_search_type[t], *n) == 0) wanted[t] = known = true;
      ok = known;
    }
    strv_free(names);
    if (!ok) {
      search_param_error(c, "types", "types is a comma list of " CODELIST_SEARCH_TYPE_TEXT ".");
      return;
    }
  }

  char **words = search_words(q, SEARCH_MAX_WORDS);
  struct buf rest, last, body;
  struct sqlb sql;
  buf_init(&rest);
  buf_init(&last);
  sqlb_init(&sql);
  buf_init(&body);
  PGresult *tq = NULL, *r = NULL;
  buf_adds(&body, "{\"q\":");
  buf_add_json_string(&body, q);
  buf_adds(&body, ",\"items\":[");
  if (!words || !words[0]) goto answer; /* punctuation only: nothing to look for */
  for (char **w = words; *w; w++) {
    if (w[1]) buf_addf(&rest, "%s%s", rest.len ? " " : "", *w);
    else buf_adds(&last, *w); /* quoted by TSQUERY_SQL, after unaccent */
  }
  struct dbconn *db = ctx_db_read(c);
  if (!db) goto done;
  const char *tp[] = {rest.data ? rest.data : "", last.data, q};
  tq = db_exec(db, TSQUERY_SQL, 3, tp);
  if (!tq) {
    http_problem_db(c);
    goto done;
  }
  if (atoi(PQgetvalue(tq, 0, 1)) == 0) goto answer; /* stop words only */

  /* The statement: its four values bound first; each piece of text is a template in which
     $1 is the tsquery, $2 the query as typed, $3 the limit, $4 the query as names are
     indexed, numbered by the builder. */
  char lim[16];
  snprintf(lim, sizeof lim, "%ld", limit);
  char refs_text[4][SQLB_REF_SIZE];
  const char *refs[4];
  const char *values[] = {PQgetvalue(tq, 0, 0), q, lim, PQgetvalue(tq, 0, 2)};
  for (int i = 0; i < 4; i++) {
    sqlb_ref_text(refs_text[i], sqlb_bind_copy(&sql, values[i]), NULL, false);
    refs[i] = refs_text[i];
  }
  sqlb_template(
    &sql,
    "SELECT type, id::text, name, ts_headline('grappe_fr', translate(coalesce(text, name), "
    "E'<>\\x01\\x02', E'\\x03\\x04'), $1::tsquery, 'StartSel=\x01, StopSel=\x02, MinWords=12, "
    "MaxWords=30, ShortWord=2'), path, round(score::numeric, 6) FROM (",
    refs, 4);
  bool first = true;
  struct buf piece;
  buf_init(&piece);
  for (size_t t = 0; t < NSEARCH; t++) {
    const struct search_type *s = &search_types[t];
    if (!wanted[t]) continue;
    const char *anon = s->anonymous && c->who.role == ROLE_ANONYMOUS ? s->anonymous : "true";
    buf_reset(&piece);
    buf_addf(&piece, "(CASE WHEN lower(grappe_unaccent(%s)) = lower(grappe_unaccent($2))", s->name);
    if (s->exact)
      buf_addf(&piece, " OR lower(grappe_unaccent(%s)) = lower(grappe_unaccent($2))", s->exact);
    buf_addf(
      &piece,
      " THEN 2 WHEN starts_with(lower(grappe_unaccent(%s)), lower(grappe_unaccent($2))) THEN 1 ELSE 0 END "
      "+ ts_rank_cd(%s, $1::tsquery, 32))",
      s->name, s->document);
    char *score = buf_steal(&piece);
    /* Candidates: at most SEARCH_CANDIDATES full-text matches, and every name that starts
       with the query (by range on its index: a prepared plan cannot use LIKE with a
       parameter); then ranked. As an array, they are fetched by primary key (with IN, the
       planner hashed them against a scan of the whole table: 18 % of a search). */
    buf_addf(
      &piece,
      "%s(SELECT '%s' AS type, t.id, %s AS name, %s AS text, '%s/' || t.id AS path, %s AS score "
      "FROM %s t WHERE t.id = ANY (ARRAY((SELECT t.id FROM %s t WHERE %s @@ $1::tsquery AND %s LIMIT %d) UNION "
      "(SELECT t.id FROM %s t WHERE (lower(grappe_unaccent(%s)) COLLATE \"C\") >= $4 "
      "AND (lower(grappe_unaccent(%s)) COLLATE \"C\") < $4 || chr(1114111) AND %s LIMIT $3::int))) "
      "ORDER BY score DESC, t.id LIMIT $3::int)",
      first ? "" : " UNION ALL ", codelist_search_type[t], s->name, s->text, s->path, score,
      s->table, s->table, s->document, anon, SEARCH_CANDIDATES, s->table, s->name, s->name, anon);
    free(score);
    sqlb_template(&sql, piece.data, refs, 4);
    first = false;
  }
  buf_free(&piece);
  sqlb_template(&sql, ") hits ORDER BY score DESC, name, id LIMIT $3::int", refs, 4);
  r = db_exec(db, sql.text.data, sql.n, sqlb_values(&sql));
  if (!r) {
    http_problem_db(c);
    goto done;
  }
  for (int i = 0; i < PQntuples(r); i++) {
    buf_addf(&body, "%s{\"type\":\"%s\",\"id\":\"%s\",\"name\":", i ? "," : "", PQgetvalue(r, i, 0),
             PQgetvalue(r, i, 1));
    buf_add_json_string(&body, PQgetvalue(r, i, 2));
    struct buf snippet;
    buf_init(&snippet);
    html_marked(&snippet, PQgetvalue(r, i, 3), '\x01',
                '\x02'); /* \x03 \x04: < > kept from ts_headline */
    buf_adds(&body, ",\"snippet\":");
    buf_add_json_string(&body, snippet.data ? snippet.data : "");
    buf_free(&snippet);
    buf_addf(&body, ",\"url\":\"%s\",\"score\":%s}", PQgetvalue(r, i, 4), PQgetvalue(r, i, 5));
  }
answer:
  buf_adds(&body, "]}");
  http_respond_json(c, 200, body.data);
done:
  PQclear(tq);
  PQclear(r);
  strv_free(words);
  buf_free(&rest);
  buf_free(&last);
  sqlb_free(&sql);
  buf_free(&body);
}
