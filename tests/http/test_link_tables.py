"""The whole link tables for syncing (issue 19): GET /v1/memberships, /v1/cluster-partners and
/v1/indicators. Every cluster's rows in one list, with the nested lists' formats (JSON pages
with cursors, CSV, the streamed NDJSON export), their filters and both ends of each link
as ids; readers and admins read every row, a manager the rows of its own clusters (a
cluster= naming another is 403), anonymous callers nothing (401). Each filter is served by
an index at the national scale (test_every_filter_reads_an_index)."""

import csv
import datetime
import io
import json

import pytest

from conftest import DEMO_01, DEMO_02, demo_id, problem

TABLES = {
    # path: (SQL table, the rows the list shows by default, the columns of an item)
    "/v1/memberships": ("memberships", "left_on IS NULL",
                        ["id", "cluster_id", "company_id", "role", "college", "joined_on", "left_on", "version",
                         "created_at", "updated_at"]),
    "/v1/cluster-partners": ("cluster_partners", "true",
                             ["id", "cluster_id", "partner_id", "role", "since", "version", "created_at",
                              "updated_at"]),
    "/v1/indicators": ("indicators", "true",
                       ["id", "cluster_id", "year", "members", "staff_fte", "budget_eur", "public_funding_eur",
                        "projects_started", "events_held", "version", "created_at", "updated_at"]),
}
PATHS = list(TABLES)


def walk(api, path, key, params=None, limit=7):
    """Every item of a list, following `next`; also checks the Link header agrees."""
    p = dict(params or {}, limit=limit)
    items = []
    for _ in range(10000):
        r = api.get(path, params=p, key=key)
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        assert len(body["items"]) <= limit
        if body["next"] is None:
            assert "Link" not in r.headers
            return items
        assert "cursor=" in r.headers["Link"]
        p["cursor"] = body["next"]
    raise AssertionError("too many pages")


def ndjson(api, path, key, params=None, accept=False):
    if accept:
        r = api.get(path, params=params, key=key, headers={"Accept": "application/x-ndjson"})
    else:
        r = api.get(path, params=dict(params or {}, format="ndjson"), key=key)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in r.text.splitlines() if line]


def ids_in_db(sql, table, where):
    out = sql(f"SELECT id FROM {table} WHERE {where} ORDER BY id")
    return out.split() if out else []


def db_now(sql):
    """The database's clock as RFC 3339 (the server's updated_at come from it)."""
    return sql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")


def instant(text):
    """An RFC 3339 timestamp of the API as a datetime (strings do not compare: "25Z" > "25.1Z")."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def bad_param(r, field):
    body = problem(r, 400, "invalid_query")
    assert body["errors"][0]["field"] == field, body
    return body


@pytest.fixture
def left_and_back(api, admin_key, make_company):
    """A company that joined demo cluster 02, left it, and joined again: one former and one
    current membership."""
    company = make_company()
    path = f"/v1/clusters/{DEMO_02}/members/{company['id']}"
    first = api.put(path, {"role": "member", "joined_on": "2020-01-01"}, key=admin_key)
    assert first.status_code == 201, first.text
    assert api.delete(path, key=admin_key).status_code == 204
    second = api.put(path, {"role": "board_member"}, key=admin_key)
    assert second.status_code == 201, second.text
    return {"company": company, "former": first.json()["id"], "current": second.json()["id"]}


# ---- who may read --------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "csv", "ndjson"])
@pytest.mark.parametrize("path", PATHS)
def test_anonymous_callers_get_401(api, path, fmt):
    r = api.get(path, params={"format": fmt})
    problem(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_the_nested_member_list_stays_public_but_the_whole_table_does_not(api):
    assert api.get(f"/v1/clusters/{DEMO_01}/members").status_code == 200
    problem(api.get("/v1/memberships", params={"cluster": DEMO_01}), 401, "unauthorized")


@pytest.mark.parametrize("path", PATHS)
def test_a_reader_walks_the_whole_table_with_cursors(api, sql, reader_key, path):
    table, where, _ = TABLES[path]
    items = walk(api, path, reader_key)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), "a row came twice"
    assert sorted(ids) == ids_in_db(sql, table, where)
    assert len({i["cluster_id"] for i in items}) > 1, "every cluster's rows, not one cluster's"


@pytest.mark.parametrize("path", PATHS)
def test_an_admin_reads_every_row_and_count_is_the_tables(api, sql, admin_key, path):
    table, where, _ = TABLES[path]
    r = api.get(path, params={"count": "true", "limit": 1}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == len(ids_in_db(sql, table, where))


@pytest.mark.parametrize("path", PATHS)
def test_items_are_the_rows_with_both_ends_as_ids(api, reader_key, path):
    """No embedded summary of the other end, no computed values: the row's own columns."""
    items = api.get(path, params={"limit": 20}, key=reader_key).json()["items"]
    assert items
    for item in items:
        assert list(item) == TABLES[path][2]


def test_a_membership_is_the_nested_lists_item_without_the_company(api, reader_key):
    nested = api.get(f"/v1/clusters/{DEMO_01}/members", params={"limit": 500}).json()["items"]
    whole = api.get("/v1/memberships", params={"cluster": DEMO_01, "limit": 500}, key=reader_key).json()["items"]
    assert whole == [{k: v for k, v in i.items() if k != "company"} for i in nested]


def test_an_indicator_is_the_nested_lists_item_without_computed(api, reader_key):
    nested = api.get(f"/v1/clusters/{DEMO_01}/indicators", params={"limit": 500}, key=reader_key).json()
    whole = api.get("/v1/indicators", params={"cluster": DEMO_01, "limit": 500}, key=reader_key).json()
    assert nested["items"], "the demo declares indicators for cluster 01"
    assert whole["items"] == [{k: v for k, v in i.items() if k != "computed"} for i in nested["items"]]
    assert "current" not in whole


# ---- formats -------------------------------------------------------------------------

@pytest.mark.parametrize("accept", [False, True])
@pytest.mark.parametrize("path", PATHS)
def test_ndjson_streams_the_whole_table(api, sql, reader_key, path, accept):
    table, where, columns = TABLES[path]
    items = ndjson(api, path, reader_key, accept=accept)
    assert sorted(i["id"] for i in items) == ids_in_db(sql, table, where)
    assert all(list(i) == columns for i in items)
    assert [i["id"] for i in items] == [i["id"] for i in walk(api, path, reader_key, limit=500)]


@pytest.mark.parametrize("path", PATHS)
def test_ndjson_keeps_the_filters(api, reader_key, path):
    items = ndjson(api, path, reader_key, {"cluster": DEMO_01})
    assert items and {i["cluster_id"] for i in items} == {DEMO_01}


@pytest.mark.parametrize("path", PATHS)
def test_csv_has_the_rows_columns(api, reader_key, path):
    columns = TABLES[path][2]
    page = api.get(path, params={"limit": 10}, key=reader_key).json()["items"]
    for params, headers in (({"format": "csv", "limit": 10}, None), ({"limit": 10}, {"Accept": "text/csv"})):
        r = api.get(path, params=params, key=reader_key, headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].split(";")[0] == "text/csv"
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
        assert rows[0] == columns
        assert [row[0] for row in rows[1:]] == [i["id"] for i in page]
        assert "Link" in r.headers  # more rows than the page


@pytest.mark.parametrize("path", PATHS)
def test_other_formats_are_406(api, reader_key, path):
    """Links are not located (no GeoJSON), and not events (no iCalendar)."""
    for params, headers in (({"format": "geojson"}, None), ({}, {"Accept": "application/geo+json"}),
                            ({"format": "ics"}, None), ({}, {"Accept": "text/calendar"})):
        problem(api.get(path, params=params, key=reader_key, headers=headers), 406, "not_acceptable")


# ---- filters -------------------------------------------------------------------------

@pytest.mark.parametrize("path", PATHS)
def test_cluster_filter_one_or_a_list(api, sql, reader_key, path):
    table, where, _ = TABLES[path]
    for clusters in ([DEMO_01], [DEMO_01, DEMO_02], [DEMO_02.upper()]):
        items = walk(api, path, reader_key, {"cluster": ",".join(clusters)})
        wanted = ", ".join(f"'{c}'" for c in clusters)
        assert sorted(i["id"] for i in items) == ids_in_db(sql, table, f"{where} AND cluster_id IN ({wanted})")
    # a repeated parameter is the comma list
    r = api.get(f"{path}?cluster={DEMO_01}&cluster={DEMO_02}&limit=500", key=reader_key)
    assert {i["cluster_id"] for i in r.json()["items"]} == {DEMO_01, DEMO_02}


def test_an_unknown_cluster_is_an_empty_list(api, reader_key):
    for path in PATHS:
        r = api.get(path, params={"cluster": "c1000000-0000-4000-8000-999999999999"}, key=reader_key)
        assert r.status_code == 200 and r.json() == {"items": [], "next": None}


def test_company_filter(api, sql, reader_key, left_and_back):
    company = left_and_back["company"]["id"]
    items = walk(api, "/v1/memberships", reader_key, {"company": company})
    assert [i["id"] for i in items] == [left_and_back["current"]]
    demo = sql("SELECT company_id FROM memberships WHERE left_on IS NULL GROUP BY company_id "
               "ORDER BY count(*) DESC, company_id LIMIT 2").split()
    items = walk(api, "/v1/memberships", reader_key, {"company": ",".join(demo + [company])})
    wanted = ", ".join(f"'{c}'" for c in demo + [company])
    assert sorted(i["id"] for i in items) == ids_in_db(sql, "memberships",
                                                       f"left_on IS NULL AND company_id IN ({wanted})")


def test_status_all_adds_the_former_memberships(api, reader_key, left_and_back):
    company = left_and_back["company"]["id"]
    current = api.get("/v1/memberships", params={"company": company, "status": "current"}, key=reader_key)
    assert [i["id"] for i in current.json()["items"]] == [left_and_back["current"]]
    every = api.get("/v1/memberships", params={"company": company, "status": "all"}, key=reader_key).json()["items"]
    assert sorted(i["id"] for i in every) == sorted([left_and_back["former"], left_and_back["current"]])
    former = next(i for i in every if i["id"] == left_and_back["former"])
    assert former["left_on"] is not None and former["cluster_id"] == DEMO_02
    streamed = ndjson(api, "/v1/memberships", reader_key, {"company": company, "status": "all"})
    assert sorted(i["id"] for i in streamed) == sorted(i["id"] for i in every)
    bad_param(api.get("/v1/memberships", params={"status": "former"}, key=reader_key), "status")


def test_partner_filter(api, sql, reader_key):
    partners = sql("SELECT partner_id FROM cluster_partners GROUP BY partner_id "
                   "ORDER BY count(*) DESC, partner_id LIMIT 2").split()
    for chosen in (partners[:1], partners):
        items = walk(api, "/v1/cluster-partners", reader_key, {"partner": ",".join(chosen)})
        wanted = ", ".join(f"'{p}'" for p in chosen)
        assert sorted(i["id"] for i in items) == ids_in_db(sql, "cluster_partners", f"partner_id IN ({wanted})")
        assert items


def test_year_filter(api, sql, reader_key):
    declared = sql("SELECT DISTINCT year FROM indicators ORDER BY year DESC LIMIT 3").split()
    assert len(declared) == 3, "the demo declares three years"
    for years in (declared[0], f"{declared[2]},{declared[1]}"):
        items = walk(api, "/v1/indicators", reader_key, {"year": years})
        assert items and {str(i["year"]) for i in items} <= set(years.split(","))
        assert sorted(i["id"] for i in items) == ids_in_db(sql, "indicators", f"year IN ({years})")
    bad_param(api.get("/v1/indicators", params={"year": "1800"}, key=reader_key), "year")
    bad_param(api.get("/v1/indicators", params={"year": "2024,x"}, key=reader_key), "year")


def test_filters_combine(api, sql, reader_key):
    year = sql("SELECT max(year) FROM indicators")
    items = walk(api, "/v1/indicators", reader_key, {"cluster": f"{DEMO_01},{DEMO_02}", "year": year})
    assert items and sorted(i["id"] for i in items) == ids_in_db(
        sql, "indicators", f"year = {year} AND cluster_id IN ('{DEMO_01}', '{DEMO_02}')")


def test_updated_since_keeps_what_changed(api, sql, admin_key, reader_key, make_company, make_partner):
    since = db_now(sql)
    company, partner = make_company(), make_partner()
    m = api.put(f"/v1/clusters/{DEMO_02}/members/{company['id']}", {"role": "member"}, key=admin_key).json()
    p = api.put(f"/v1/clusters/{DEMO_02}/partners/{partner['id']}", {"role": "funder"}, key=admin_key).json()
    r = api.put(f"/v1/clusters/{DEMO_02}/indicators/1995", {"members": 3}, key=admin_key)
    assert r.status_code in (200, 201), r.text
    i = r.json()
    try:
        for path, row in (("/v1/memberships", m), ("/v1/cluster-partners", p), ("/v1/indicators", i)):
            for sort in (None, "updated_at", "-updated_at"):
                params = {"updated_since": since, **({"sort": sort} if sort else {})}
                items = walk(api, path, reader_key, params, limit=2)
                assert row["id"] in [x["id"] for x in items], (path, sort)
                assert all(instant(x["updated_at"]) >= instant(since) for x in items), (path, sort)
                # without a sort, in the order of what changed (the index that finds it)
                stamps = [instant(x["updated_at"]) for x in items]
                assert stamps == sorted(stamps, reverse=(sort or "").startswith("-")), (path, sort)
            assert api.get(path, params={"updated_since": "now+1d"}, key=reader_key).json()["items"] == []
            relative = api.get(path, params={"updated_since": "now-1h", "limit": 500}, key=reader_key).json()
            assert row["id"] in [x["id"] for x in relative["items"]]
            bad_param(api.get(path, params={"updated_since": "yesterday"}, key=reader_key), "updated_since")
    finally:
        api.delete(f"/v1/clusters/{DEMO_02}/indicators/1995", key=admin_key)
        api.delete(f"/v1/clusters/{DEMO_02}/partners/{partner['id']}", key=admin_key)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("param", ["cluster", "company", "partner"])
@pytest.mark.parametrize("value", ["nope", "c1000000-0000-4000-8000-00000000001", f"{DEMO_01},x", ""])
def test_a_malformed_id_is_400(api, reader_key, path, param, value):
    r = api.get(path, params={param: value}, key=reader_key)
    known = param == "cluster" or (param, path) in (("company", "/v1/memberships"),
                                                    ("partner", "/v1/cluster-partners"))
    bad_param(r, param)
    if not known:
        assert r.json()["errors"][0]["code"] == "unknown_parameter"


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("param", ["bogus", "q", "id", "region"])
def test_an_unknown_parameter_is_400(api, reader_key, path, param):
    r = api.get(path, params={param: "1"}, key=reader_key)
    assert bad_param(r, param)["errors"][0]["code"] == "unknown_parameter"


def test_status_is_a_memberships_filter_only(api, reader_key):
    for path in ("/v1/cluster-partners", "/v1/indicators"):
        bad_param(api.get(path, params={"status": "all"}, key=reader_key), "status")
    bad_param(api.get("/v1/memberships", params={"year": "2024"}, key=reader_key), "year")


# ---- sorts and cursors -----------------------------------------------------------------

SORTS = {
    "/v1/memberships": ["created_at", "-created_at", "joined_on", "-joined_on", "updated_at", "-updated_at", "id"],
    "/v1/cluster-partners": ["created_at", "-created_at", "since", "-since", "updated_at", "-updated_at"],
    "/v1/indicators": ["-year", "year", "updated_at", "-updated_at"],
}


@pytest.mark.parametrize("path,sort", [(p, s) for p in PATHS for s in SORTS[p]])
def test_every_sort_walks_every_row_once(api, sql, reader_key, path, sort):
    table, where, _ = TABLES[path]
    items = walk(api, path, reader_key, {"sort": sort}, limit=9)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)) and sorted(ids) == ids_in_db(sql, table, where)
    field = sort.lstrip("-")
    values = [instant(i[field]) if field.endswith("_at") else i[field] for i in items if i[field] is not None]
    assert values == sorted(values, reverse=sort.startswith("-"))
    assert all(i[field] is not None for i in items[:len(values)]), "nulls come last"


@pytest.mark.parametrize("path", PATHS)
def test_an_unknown_sort_is_400(api, reader_key, path):
    bad_param(api.get(path, params={"sort": "name"}, key=reader_key), "sort")


def test_default_orders_are_the_nested_lists(api, reader_key):
    m = api.get("/v1/memberships", params={"limit": 500}, key=reader_key).json()["items"]
    keys = [(instant(i["created_at"]), i["id"]) for i in m]
    assert keys == sorted(keys)
    ind = api.get("/v1/indicators", params={"limit": 500}, key=reader_key).json()["items"]
    assert [(i["year"], i["id"]) for i in ind] == sorted(((i["year"], i["id"]) for i in ind), reverse=True)


def test_a_cursor_belongs_to_its_list_and_filters(api, reader_key):
    nested = api.get(f"/v1/clusters/{DEMO_01}/members", params={"limit": 1}).json()["next"]
    assert nested
    r = api.get("/v1/memberships", params={"cursor": nested, "limit": 1}, key=reader_key)
    problem(r, 400, "invalid_cursor")
    mine = api.get("/v1/memberships", params={"limit": 1, "cluster": DEMO_01}, key=reader_key).json()["next"]
    problem(api.get("/v1/memberships", params={"cursor": mine, "cluster": DEMO_02}, key=reader_key),
            400, "invalid_cursor")
    problem(api.get("/v1/cluster-partners", params={"cursor": mine}, key=reader_key), 400, "invalid_cursor")
    assert api.get("/v1/memberships", params={"cursor": mine, "cluster": DEMO_01, "limit": 3},
                   key=reader_key).status_code == 200


# ---- a manager's rows ---------------------------------------------------------------------

@pytest.mark.parametrize("path", PATHS)
def test_a_manager_reads_the_rows_of_its_clusters_only(api, sql, manager_key, path):
    table, where, _ = TABLES[path]
    mine = ids_in_db(sql, table, f"{where} AND cluster_id = '{DEMO_01}'")
    assert mine, "the demo gives cluster 01 rows in every table"
    items = walk(api, path, manager_key, limit=3)
    assert sorted(i["id"] for i in items) == mine
    assert sorted(i["id"] for i in ndjson(api, path, manager_key)) == mine
    r = api.get(path, params={"format": "csv", "limit": 500}, key=manager_key)
    assert sorted(row[0] for row in list(csv.reader(io.StringIO(r.text, newline="")))[1:]) == mine
    assert api.get(path, params={"count": "true", "limit": 1}, key=manager_key).json()["total"] == len(mine)
    # its own cluster by name (any case) is the same list
    for own in (DEMO_01, DEMO_01.upper()):
        assert sorted(i["id"] for i in walk(api, path, manager_key, {"cluster": own})) == mine


@pytest.mark.parametrize("fmt", ["json", "csv", "ndjson"])
@pytest.mark.parametrize("path", PATHS)
def test_a_manager_naming_another_cluster_gets_403(api, manager_key, path, fmt):
    for clusters in (DEMO_02, f"{DEMO_01},{DEMO_02}", "c1000000-0000-4000-8000-999999999999"):
        r = api.get(path, params={"cluster": clusters, "format": fmt}, key=manager_key)
        body = problem(r, 403, "forbidden")
        assert "cluster=" in body["detail"]


def test_a_manager_of_several_clusters_reads_them_all(api, sql, make_key):
    key = make_key("manager", clusters=[demo_id(3), demo_id(4)])[1]
    for path in PATHS:
        table, where, _ = TABLES[path]
        items = walk(api, path, key)
        assert sorted(i["id"] for i in items) == ids_in_db(
            sql, table, f"{where} AND cluster_id IN ('{demo_id(3)}', '{demo_id(4)}')")
        one = walk(api, path, key, {"cluster": demo_id(4)})
        assert {i["cluster_id"] for i in one} <= {demo_id(4)}


def test_a_reader_may_name_any_cluster(api, reader_key):
    for path in PATHS:
        assert api.get(path, params={"cluster": f"{DEMO_01},{DEMO_02}"}, key=reader_key).status_code == 200


# ---- plans: every filter reads an index ---------------------------------------------------

# The statements as src/resources/plan.c writes them (the page's sort value and key first;
# one filter value is `col = $n`, several `col = ANY($n)`; a manager's clusters are always an
# array), run on copies of the tables with every index (CREATE TABLE ... LIKE ... INCLUDING
# INDEXES) filled to about the national scale: the demo's few rows would be read by any
# plan. The copies are temporary tables of the test's own session.
SCALE = """
SET client_min_messages = warning;
CREATE TEMP TABLE m (LIKE memberships INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TEMP TABLE cp (LIKE cluster_partners INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TEMP TABLE ind (LIKE indicators INCLUDING DEFAULTS INCLUDING INDEXES);
-- 400 clusters of 150 memberships (30,000 companies in two clusters each), a tenth of them
-- former, over ten years
INSERT INTO m (cluster_id, company_id, role, joined_on, left_on, created_at, updated_at)
SELECT ('c1000000-0000-4000-8000-' || lpad((g % 400)::text, 12, '0'))::uuid,
       ('c2000000-0000-4000-8000-' || lpad((g / 2 % 30000)::text, 12, '0'))::uuid,
       'member', date '2015-01-01' + (g % 3650), CASE WHEN g % 10 = 0 THEN date '2025-06-01' END,
       timestamptz '2016-01-01' + g * interval '90 minutes',
       timestamptz '2016-01-01' + g * interval '90 minutes' + (g % 97) * interval '1 day'
FROM generate_series(1, 60000) g;
-- 20 partners a cluster among 1,500
INSERT INTO cp (cluster_id, partner_id, role, created_at, updated_at)
SELECT ('c1000000-0000-4000-8000-' || lpad((g % 400)::text, 12, '0'))::uuid,
       ('c3000000-0000-4000-8000-' || lpad(((g / 400 * 7 + g % 400) % 1500)::text, 12, '0'))::uuid, 'support',
       timestamptz '2016-01-01' + g * interval '9 hours', timestamptz '2016-01-01' + g * interval '9 hours'
FROM generate_series(1, 8000) g;
INSERT INTO ind (cluster_id, year, members, created_at, updated_at)
SELECT ('c1000000-0000-4000-8000-' || lpad(c::text, 12, '0'))::uuid, y, 100,
       make_timestamptz(y + 1, 2, 1, 0, 0, 0, 'UTC') + c * interval '1 hour',
       make_timestamptz(y + 1, 2, 1, 0, 0, 0, 'UTC') + c * interval '1 hour'
FROM generate_series(0, 399) c, generate_series(2012, 2025) y;
ANALYZE m; ANALYZE cp; ANALYZE ind;
"""
C7 = "'c1000000-0000-4000-8000-000000000007'::uuid"
C8 = "'c1000000-0000-4000-8000-000000000008'::uuid"
RECENT = "'2026-03-01T00:00:00Z'::timestamptz"  # the last 1,000 or so of 60,000 memberships
M_COLS = "SELECT t.created_at::text, t.id::text FROM m t WHERE true AND (t.left_on IS NULL)"
M_ORDER = " ORDER BY t.created_at ASC, t.id ASC LIMIT 51"
AFTER = " AND (t.created_at, t.id) > ('2020-01-01'::timestamptz, 'c4000000-0000-4000-8000-000000000001'::uuid)"
PLANS = {
    # name: (statement, the index it must read (or a column an index is searched by, or None
    # for any index), whether the index gives the order too)
    "memberships, first page": (M_COLS + M_ORDER, "m_created_at_id_idx", True),
    "memberships, a page far into the table": (M_COLS + AFTER + M_ORDER, "m_created_at_id_idx", True),
    "memberships, status=all, -created_at": (
        "SELECT t.created_at::text, t.id::text FROM m t WHERE true AND (true)"
        " ORDER BY t.created_at DESC, t.id DESC LIMIT 51", "m_created_at_id_idx", True),
    "memberships, cluster=": (M_COLS + f" AND t.cluster_id = {C7}" + AFTER + M_ORDER,
                              "m_cluster_id_created_at_id_idx", True),
    "memberships, company=": (M_COLS + " AND t.company_id = 'c2000000-0000-4000-8000-000000000042'::uuid"
                              + M_ORDER, "company_id", False),
    "memberships, company=, status=all": (
        "SELECT t.created_at::text, t.id::text FROM m t WHERE true AND (true)"
        " AND t.company_id = 'c2000000-0000-4000-8000-000000000042'::uuid" + M_ORDER, "company_id", False),
    "memberships, several clusters": (M_COLS + f" AND t.cluster_id = ANY(ARRAY[{C7}, {C8}])" + M_ORDER,
                                      "cluster_id", False),
    "memberships, the clusters of a manager": (M_COLS + f" AND (t.cluster_id = ANY(ARRAY[{C7}]::uuid[]))" + M_ORDER,
                                          "cluster_id", False),
    "memberships, updated_since (sorted by updated_at unless sort says otherwise)": (
        "SELECT t.updated_at::text, t.id::text FROM m t WHERE true AND (t.left_on IS NULL)"
        f" AND t.updated_at >= {RECENT} ORDER BY t.updated_at ASC, t.id ASC LIMIT 51", "m_updated_at_id_idx", True),
    "cluster partners, first page": (
        "SELECT t.created_at::text, t.id::text FROM cp t WHERE true ORDER BY t.created_at ASC, t.id ASC LIMIT 51",
        "cp_created_at_id_idx", True),
    "cluster partners, cluster=": (
        f"SELECT t.created_at::text, t.id::text FROM cp t WHERE true AND t.cluster_id = {C7}"
        " ORDER BY t.created_at ASC, t.id ASC LIMIT 51", "cluster_id", False),
    "cluster partners, partner=": (
        "SELECT t.created_at::text, t.id::text FROM cp t WHERE true"
        " AND t.partner_id = 'c3000000-0000-4000-8000-000000000042'::uuid"
        " ORDER BY t.created_at ASC, t.id ASC LIMIT 51", "partner_id", False),
    "cluster partners, updated_since": (
        "SELECT t.updated_at::text, t.id::text FROM cp t WHERE true AND t.updated_at >= '2024-01-01'::timestamptz"
        " ORDER BY t.updated_at ASC, t.id ASC LIMIT 51", "cp_updated_at_id_idx", True),
    "indicators, cluster=": (
        f"SELECT t.year::text, t.id::text FROM ind t WHERE true AND t.cluster_id = {C7}"
        " ORDER BY t.year DESC NULLS LAST, t.id DESC LIMIT 51", "cluster_id", False),
    # one year is a fourteenth of the rows, spread over the ids: the key's index read
    # backwards, in the page's order (year being fixed), finds a page as soon as indicators_year
    "indicators, year=": (
        "SELECT t.year::text, t.id::text FROM ind t WHERE true AND t.year = 2024"
        " ORDER BY t.year DESC NULLS LAST, t.id DESC LIMIT 51", None, False),
    "indicators, updated_since, sort=-year": (
        "SELECT t.year::text, t.id::text FROM ind t WHERE true AND t.updated_at >= '2026-01-01'::timestamptz"
        " ORDER BY t.year DESC NULLS LAST, t.id DESC LIMIT 51", "ind_updated_at_id_idx", False),
    "indicators, updated_since": (
        "SELECT t.updated_at::text, t.id::text FROM ind t WHERE true AND t.updated_at >= '2026-01-01'::timestamptz"
        " ORDER BY t.updated_at ASC, t.id ASC LIMIT 51", "ind_updated_at_id_idx", True),
}


@pytest.fixture(scope="module")
def plans(sql):
    """{name: plan text} of every statement in PLANS, explained in one session."""
    marker = "--plan--"
    script = SCALE + "".join(f"\\echo {marker}{name}\nEXPLAIN (COSTS OFF) {stmt};\n"
                             for name, (stmt, _, _) in PLANS.items())
    out = sql(script)
    found = {}
    for chunk in out.split(marker)[1:]:
        name, _, plan = chunk.partition("\n")
        found[name.strip()] = plan
    assert set(found) == set(PLANS)
    return found


@pytest.mark.parametrize("name", list(PLANS))
def test_every_filter_reads_an_index(plans, name):
    plan = plans[name]
    _, index, ordered = PLANS[name]
    assert "Seq Scan" not in plan, f"{name}:\n{plan}"
    if index is None:  # any index
        assert "Index" in plan, f"{name}:\n{plan}"
    elif index.endswith("_idx"):
        assert f" on {index}" in plan or f"using {index}" in plan, f"{name} does not read {index}:\n{plan}"
    else:  # a column: some index is searched by it
        conds = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any(index in c for c in conds), f"{name}: no index searched by {index}:\n{plan}"
    if ordered:
        assert "Sort" not in plan, f"{name}: the index should give the order:\n{plan}"
