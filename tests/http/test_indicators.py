"""Yearly indicators of a cluster (issue 6): PUT by year (201 then 200, idempotent, If-Match),
validation, DELETE, the list under the cluster (roles, conventions, `current`, formats), the
values Grappe computes itself for a year (members on the year's day, projects started,
events held) and the change feed.

Every test works on clusters it creates (make_cluster deletes them, which deletes their
indicators). The years used here stay out of 1990..2005, which belong to the benchmark tests
(one peer group per test), except the 1990 boundary, declared and deleted at once."""

import csv
import datetime
import io
import json
import re

import pytest

from conftest import DEMO_01, DEMO_02, problem, utc_in

ETAG_RE = re.compile(r'^"[0-9a-f]{32}"$')
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MISSING = "00000000-0000-4000-8000-000000000000"
NOW = datetime.datetime.now(datetime.timezone.utc)
CURRENT = NOW.year
VALUES = ("members", "staff_fte", "budget_eur", "public_funding_eur", "projects_started", "events_held")
CSV_HEADER = ("id,cluster_id,year,members,staff_fte,budget_eur,public_funding_eur,projects_started,events_held,"
              "computed.members,computed.projects_started,computed.events_held,version,created_at,updated_at")
FULL = {"members": 120, "staff_fte": 4.5, "budget_eur": 650000.25, "public_funding_eur": 250000,
        "projects_started": 3, "events_held": 12}


def invalid(r):
    """The {field: code} map of a 422."""
    body = problem(r, 422, "validation_failed")
    return {e["field"]: e["code"] for e in body.get("errors") or []}


def ipath(cluster_id, year):
    return f"/v1/clusters/{cluster_id}/indicators/{year}"


def lpath(cluster_id):
    return f"/v1/clusters/{cluster_id}/indicators"


def put(api, key, cluster_id, year, body, **kw):
    return api.put(ipath(cluster_id, year), body, key=key, **kw)


def declared(api, key, cluster_id, **params):
    """The list's JSON body (asserted 200)."""
    r = api.get(lpath(cluster_id), params=params, key=key)
    assert r.status_code == 200, r.text
    return r.json()


def years(api, key, cluster_id, **params):
    return [i["year"] for i in declared(api, key, cluster_id, **params)["items"]]


def instant(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def join(api, key, cluster_id, company_id, joined_on=None):
    body = {} if joined_on is None else {"joined_on": joined_on}
    r = api.put(f"/v1/clusters/{cluster_id}/members/{company_id}", body, key=key)
    assert r.status_code == 201, r.text
    return r.json()


# ---- PUT ----

def test_put_creates_201_then_replaces_200(api, admin_key, make_cluster):
    c = make_cluster()
    r = put(api, admin_key, c["id"], 2015, FULL)
    assert r.status_code == 201, r.text
    first = r.json()
    assert UUID_RE.match(first["id"])
    assert first["cluster_id"] == c["id"] and first["year"] == 2015
    for k, v in FULL.items():
        assert first[k] == v, k
    assert first["computed"] == {"members": 0, "projects_started": 0, "events_held": 0}
    assert first["version"] == 1
    assert first["created_at"] == first["updated_at"]
    assert ETAG_RE.match(r.headers["ETag"])

    r2 = put(api, admin_key, c["id"], 2015, dict(FULL, members=130, staff_fte=5))
    assert r2.status_code == 200, r2.text
    second = r2.json()
    assert second["id"] == first["id"]
    assert second["members"] == 130 and second["staff_fte"] == 5
    assert second["version"] == 2
    assert second["created_at"] == first["created_at"]
    assert instant(second["updated_at"]) > instant(first["updated_at"])
    assert ETAG_RE.match(r2.headers["ETag"]) and r2.headers["ETag"] != r.headers["ETag"]
    assert declared(api, admin_key, c["id"])["items"] == [second]


def test_unchanged_put_keeps_version_updated_at_and_etag(api, admin_key, make_cluster):
    c = make_cluster()
    r1 = put(api, admin_key, c["id"], 2016, FULL)
    assert r1.status_code == 201, r1.text
    r2 = put(api, admin_key, c["id"], 2016, FULL)
    assert r2.status_code == 200, r2.text
    assert r2.json() == r1.json()
    assert r2.json()["version"] == 1
    assert r2.headers["ETag"] == r1.headers["ETag"]
    # The same values written differently (4.50 is 4.5, 250000.0 is 250000) change nothing either.
    raw = (b'{"members": 120, "staff_fte": 4.50, "budget_eur": 650000.25, "public_funding_eur": 250000.0, '
           b'"projects_started": 3, "events_held": 12}')
    r3 = put(api, admin_key, c["id"], 2016, raw)
    assert r3.status_code == 200, r3.text
    assert r3.json()["version"] == 1 and r3.headers["ETag"] == r1.headers["ETag"]


def test_put_replaces_the_whole_declaration_absent_is_null(api, admin_key, make_cluster):
    c = make_cluster()
    assert put(api, admin_key, c["id"], 2017, FULL).status_code == 201
    r = put(api, admin_key, c["id"], 2017, {"members": 7})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["members"] == 7
    for k in VALUES[1:]:
        assert got[k] is None, k
    assert got["version"] == 2
    # explicit nulls are the same as absent values
    r = put(api, admin_key, c["id"], 2017, {"members": 7, "staff_fte": None, "budget_eur": None,
                                            "public_funding_eur": None, "projects_started": None, "events_held": None})
    assert r.status_code == 200, r.text
    assert r.json() == got


@pytest.mark.parametrize("body", [{}, b""], ids=["empty-object", "empty-body"])
def test_empty_declaration_is_allowed_all_null(api, admin_key, make_cluster, body):
    c = make_cluster()
    r = put(api, admin_key, c["id"], 2018, body)
    assert r.status_code == 201, r.text
    got = r.json()
    for k in VALUES:
        assert got[k] is None, k
    assert got["year"] == 2018
    assert years(api, admin_key, c["id"]) == [2018]
    # A full declaration replaced by an empty one: every value is null again.
    assert put(api, admin_key, c["id"], 2018, FULL).status_code == 200
    r = put(api, admin_key, c["id"], 2018, body)
    assert r.status_code == 200, r.text
    assert all(r.json()[k] is None for k in VALUES)


def test_boundaries_are_accepted(api, admin_key, make_cluster):
    c = make_cluster()
    top = {"members": 1000000, "staff_fte": 500, "budget_eur": 10**12, "public_funding_eur": 10**12,
           "projects_started": 100000, "events_held": 100000}
    r = put(api, admin_key, c["id"], 2019, top)
    assert r.status_code == 201, r.text
    for k, v in top.items():
        assert r.json()[k] == v, k
    zero = {k: 0 for k in VALUES}
    r = put(api, admin_key, c["id"], 2019, zero)
    assert r.status_code == 200, r.text
    for k in VALUES:
        assert r.json()[k] == 0, k
    r = put(api, admin_key, c["id"], 2019, {"staff_fte": 0.01, "budget_eur": 0.01, "public_funding_eur": 0.01})
    assert r.status_code == 200, r.text
    assert r.json()["staff_fte"] == 0.01 and r.json()["budget_eur"] == 0.01
    # public funding equal to the budget is allowed; given alone (no budget) too
    assert put(api, admin_key, c["id"], 2019, {"budget_eur": 1000, "public_funding_eur": 1000}).status_code == 200
    r = put(api, admin_key, c["id"], 2019, {"public_funding_eur": 5000})
    assert r.status_code == 200, r.text
    assert r.json()["public_funding_eur"] == 5000 and r.json()["budget_eur"] is None


@pytest.mark.parametrize("year", [1990, CURRENT, CURRENT + 1])
def test_years_in_range_are_accepted(api, admin_key, make_cluster, year):
    c = make_cluster()
    r = put(api, admin_key, c["id"], year, {"members": 3})
    assert r.status_code == 201, r.text
    assert r.json()["year"] == year
    assert api.delete(ipath(c["id"], year), key=admin_key).status_code == 204


@pytest.mark.parametrize("year", [1989, 1000, 0, CURRENT + 2, 9999, 10000])
def test_year_out_of_range_is_422_on_year(api, admin_key, make_cluster, year):
    c = make_cluster()
    body = problem(put(api, admin_key, c["id"], year, {"members": 3}), 422, "validation_failed")
    assert body["errors"][0]["field"] == "year"
    assert declared(api, admin_key, c["id"])["items"] == []


@pytest.mark.parametrize("year", ["abc", "2015.5", "20x5", "2e3", "two"])
def test_year_not_an_integer_is_404(api, admin_key, make_cluster, year):
    c = make_cluster()
    problem(put(api, admin_key, c["id"], year, {"members": 3}), 404, "not_found")
    problem(api.delete(ipath(c["id"], year), key=admin_key), 404, "not_found")
    assert declared(api, admin_key, c["id"])["items"] == []


@pytest.mark.parametrize("body,field", [
    ({"members": -1}, "members"),
    ({"staff_fte": -0.5}, "staff_fte"),
    ({"budget_eur": -1}, "budget_eur"),
    ({"public_funding_eur": -0.01}, "public_funding_eur"),
    ({"projects_started": -1}, "projects_started"),
    ({"events_held": -3}, "events_held"),
    ({"members": 1.5}, "members"),
    ({"projects_started": 2.5}, "projects_started"),
    ({"events_held": 0.1}, "events_held"),
    ({"members": "12"}, "members"),
    ({"staff_fte": "4.5"}, "staff_fte"),
    ({"staff_fte": 1.234}, "staff_fte"),
    ({"budget_eur": 10.005}, "budget_eur"),
    ({"public_funding_eur": 0.001}, "public_funding_eur"),
    ({"members": 1000001}, "members"),
    ({"staff_fte": 500.01}, "staff_fte"),
    ({"budget_eur": 10**12 + 1}, "budget_eur"),
    ({"public_funding_eur": 10**12 + 1}, "public_funding_eur"),
    ({"projects_started": 100001}, "projects_started"),
    ({"events_held": 100001}, "events_held"),
    ({"budget_eur": 100, "public_funding_eur": 200}, "public_funding_eur"),
    ({"budget_eur": 100, "public_funding_eur": 100.01}, "public_funding_eur"),
    ({"colour": "blue"}, "colour"),
    ({"id": MISSING}, "id"),
    ({"cluster_id": MISSING}, "cluster_id"),
    ({"year": 2014}, "year"),
    ({"computed": {"members": 1, "projects_started": 0, "events_held": 0}}, "computed"),
    ({"version": 1}, "version"),
    ({"created_at": "2020-01-01T00:00:00Z"}, "created_at"),
    ({"updated_at": "2020-01-01T00:00:00Z"}, "updated_at"),
], ids=lambda v: json.dumps(v) if isinstance(v, dict) else v)
def test_invalid_declaration_is_422_naming_the_field_and_writes_nothing(api, admin_key, make_cluster, body, field):
    c = make_cluster()
    assert field in invalid(put(api, admin_key, c["id"], 2014, dict(body)))
    assert declared(api, admin_key, c["id"])["items"] == []
    # an existing declaration is left as it was
    first = put(api, admin_key, c["id"], 2014, FULL).json()
    assert field in invalid(put(api, admin_key, c["id"], 2014, dict(body)))
    assert declared(api, admin_key, c["id"])["items"] == [first]


def test_malformed_body_is_400(api, admin_key, make_cluster):
    c = make_cluster()
    problem(put(api, admin_key, c["id"], 2014, b"[1]"), 400, "malformed_request")
    problem(put(api, admin_key, c["id"], 2014, b'{"members":'), 400, "malformed_request")
    assert declared(api, admin_key, c["id"])["items"] == []


def test_body_that_is_not_json_is_415(api, admin_key, make_cluster):
    c = make_cluster()
    r = api.put(ipath(c["id"], 2014), b"members=3", content_type="text/plain", key=admin_key)
    problem(r, 415, "unsupported_media_type")
    assert declared(api, admin_key, c["id"])["items"] == []


def test_put_with_accept_xml_is_406(api, admin_key, make_cluster):
    c = make_cluster()
    problem(put(api, admin_key, c["id"], 2014, FULL, headers={"Accept": "application/xml"}), 406, "not_acceptable")
    assert declared(api, admin_key, c["id"])["items"] == []


def test_put_with_stale_if_match_is_412(api, admin_key, make_cluster):
    c = make_cluster()
    r = put(api, admin_key, c["id"], 2013, FULL)
    etag = r.headers["ETag"]
    r2 = put(api, admin_key, c["id"], 2013, dict(FULL, members=1), headers={"If-Match": etag})
    assert r2.status_code == 200, r2.text
    problem(put(api, admin_key, c["id"], 2013, dict(FULL, members=2), headers={"If-Match": etag}), 412,
            "precondition_failed")
    assert declared(api, admin_key, c["id"])["items"][0]["members"] == 1
    # the current ETag passes
    r3 = put(api, admin_key, c["id"], 2013, dict(FULL, members=3), headers={"If-Match": r2.headers["ETag"]})
    assert r3.status_code == 200, r3.text
    assert r3.json()["members"] == 3


def test_put_with_if_match_and_no_declaration_is_412(api, admin_key, make_cluster):
    c = make_cluster()
    problem(put(api, admin_key, c["id"], 2013, FULL, headers={"If-Match": "*"}), 412, "precondition_failed")
    problem(put(api, admin_key, c["id"], 2013, FULL, headers={"If-Match": '"00000000000000000000000000000000"'}),
            412, "precondition_failed")
    assert declared(api, admin_key, c["id"])["items"] == []


# ---- DELETE ----

def test_delete_is_204_then_404(api, admin_key, make_cluster):
    c = make_cluster()
    put(api, admin_key, c["id"], 2012, FULL)
    put(api, admin_key, c["id"], 2011, FULL)
    r = api.delete(ipath(c["id"], 2012), key=admin_key)
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert years(api, admin_key, c["id"]) == [2011]
    problem(api.delete(ipath(c["id"], 2012), key=admin_key), 404, "not_found")
    # declared again: a new declaration
    r = put(api, admin_key, c["id"], 2012, {"members": 1})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1


def test_delete_of_a_year_never_declared_is_404(api, admin_key, make_cluster):
    c = make_cluster()
    problem(api.delete(ipath(c["id"], 2012), key=admin_key), 404, "not_found")


def test_delete_with_stale_if_match_is_412(api, admin_key, make_cluster):
    c = make_cluster()
    etag = put(api, admin_key, c["id"], 2012, FULL).headers["ETag"]
    put(api, admin_key, c["id"], 2012, dict(FULL, members=5))
    problem(api.delete(ipath(c["id"], 2012), key=admin_key, headers={"If-Match": etag}), 412, "precondition_failed")
    assert years(api, admin_key, c["id"]) == [2012]
    current = api.get(lpath(c["id"]), key=admin_key).json()["items"][0]
    assert current["members"] == 5
    etag2 = put(api, admin_key, c["id"], 2012, dict(FULL, members=5)).headers["ETag"]
    assert api.delete(ipath(c["id"], 2012), key=admin_key, headers={"If-Match": etag2}).status_code == 204


def test_deleting_the_cluster_deletes_its_indicators(api, admin_key, make_cluster, sql):
    c = make_cluster()
    ids = [put(api, admin_key, c["id"], y, {"members": 1}).json()["id"] for y in (2010, 2011)]
    assert api.delete(f"/v1/clusters/{c['id']}", key=admin_key).status_code == 204
    assert sql(f"SELECT count(*) FROM indicators WHERE cluster_id = '{c['id']}'") == "0"
    assert sql("SELECT count(*) FROM indicators WHERE id IN ('" + "','".join(ids) + "')") == "0"
    problem(api.get(lpath(c["id"]), key=admin_key), 404, "not_found")


# ---- unknown and malformed clusters ----

@pytest.mark.parametrize("bad", [MISSING, "nope", "c1000000-0000-4000-8000-00000000001"])
def test_unknown_or_malformed_cluster_is_404(api, admin_key, bad):
    problem(put(api, admin_key, bad, 2012, FULL), 404, "not_found")
    problem(api.delete(ipath(bad, 2012), key=admin_key), 404, "not_found")
    problem(api.get(lpath(bad), key=admin_key), 404, "not_found")


def test_unknown_query_parameters_are_400(api, admin_key, make_cluster):
    c = make_cluster()
    problem(put(api, admin_key, c["id"], 2012, FULL, params={"dry_run": "true"}), 400, "invalid_query")
    assert declared(api, admin_key, c["id"])["items"] == []
    put(api, admin_key, c["id"], 2012, FULL)
    problem(api.delete(ipath(c["id"], 2012), key=admin_key, params={"x": "1"}), 400, "invalid_query")
    assert years(api, admin_key, c["id"]) == [2012]
    problem(api.get(lpath(c["id"]), key=admin_key, params={"colour": "red"}), 400, "invalid_query")


@pytest.mark.parametrize("method,suffix,allowed", [
    ("POST", "", {"GET"}),
    ("DELETE", "", {"GET"}),
    ("GET", "/2012", {"PUT", "DELETE"}),
    ("PATCH", "/2012", {"PUT", "DELETE"}),
    ("POST", "/2012", {"PUT", "DELETE"}),
])
def test_method_not_allowed_is_405_with_allow(api, admin_key, method, suffix, allowed):
    r = api.request(method, lpath(DEMO_01) + suffix, key=admin_key, headers={"Content-Type": "application/json"},
                    data=b"{}")
    problem(r, 405, "method_not_allowed")
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allowed <= allow, allow
    assert method not in allow


# ---- roles ----

def test_anonymous_is_401_and_reader_403_on_writes(api, admin_key, reader_key, make_cluster):
    c = make_cluster()
    put(api, admin_key, c["id"], 2012, FULL)
    for key, status, code in ((None, 401, "unauthorized"), (reader_key, 403, "forbidden")):
        problem(put(api, key, c["id"], 2012, {"members": 1}), status, code)
        problem(put(api, key, c["id"], 2011, {"members": 1}), status, code)
        problem(api.delete(ipath(c["id"], 2012), key=key), status, code)
    items = declared(api, admin_key, c["id"])["items"]
    assert [i["year"] for i in items] == [2012] and items[0]["members"] == FULL["members"]


def test_manager_of_another_cluster_is_403(api, admin_key, manager_key, manager02_key, make_cluster, make_key):
    c = make_cluster()
    _, other = make_key("manager", clusters=[DEMO_02])
    put(api, admin_key, c["id"], 2012, FULL)
    for key in (manager_key, manager02_key, other):
        problem(put(api, key, c["id"], 2012, {"members": 1}), 403, "forbidden")
        problem(put(api, key, c["id"], 2011, {}), 403, "forbidden")
        problem(api.delete(ipath(c["id"], 2012), key=key), 403, "forbidden")
        problem(api.get(lpath(c["id"]), key=key), 403, "forbidden")
    assert years(api, admin_key, c["id"]) == [2012]
    assert declared(api, admin_key, c["id"])["items"][0]["members"] == FULL["members"]


def test_manager_of_the_cluster_writes_and_reads_its_indicators(api, admin_key, make_cluster, make_key):
    c, d = make_cluster(), make_cluster()
    _, key = make_key("manager", clusters=[c["id"], d["id"]])
    r = put(api, key, c["id"], 2012, FULL)
    assert r.status_code == 201, r.text
    r = put(api, key, c["id"], 2012, dict(FULL, members=99))
    assert r.status_code == 200, r.text
    assert put(api, key, d["id"], 2012, {}).status_code == 201
    body = declared(api, key, c["id"])
    assert [i["members"] for i in body["items"]] == [99]
    assert api.delete(ipath(c["id"], 2012), key=key).status_code == 204
    assert declared(api, admin_key, c["id"])["items"] == []


def test_the_list_is_for_readers_admins_and_the_cluster_managers(api, admin_key, reader_key, manager_key,
                                                                  manager02_key):
    problem(api.get(lpath(DEMO_01)), 401, "unauthorized")
    problem(api.get(lpath(DEMO_01), params={"format": "csv"}), 401, "unauthorized")
    problem(api.get(lpath(DEMO_01), key=manager02_key), 403, "forbidden")
    for key in (reader_key, admin_key, manager_key):
        assert api.get(lpath(DEMO_01), key=key).status_code == 200
    assert api.get(lpath(DEMO_02), key=manager02_key).status_code == 200
    problem(api.get(lpath(MISSING), key=reader_key), 404, "not_found")


def test_demo_declarations(api, reader_key):
    # sql/demo.sql declares the three years before the year it is loaded in
    last = CURRENT - 1
    items = declared(api, reader_key, DEMO_01)["items"]
    demo = {i["year"]: i for i in items if i["year"] in (last - 2, last - 1, last)}
    assert sorted(demo) == [last - 2, last - 1, last]
    assert demo[last]["members"] == 310 and demo[last]["staff_fte"] == 7.5
    assert demo[last]["budget_eur"] == 980000 and demo[last]["public_funding_eur"] == 410000
    assert demo[last]["projects_started"] == 5 and demo[last]["events_held"] == 24
    assert demo[last - 2]["members"] == 273 and demo[last - 2]["events_held"] == 20
    assert all(i["cluster_id"] == DEMO_01 for i in items)


# ---- list conventions ----

@pytest.fixture
def three_years(api, admin_key, make_cluster):
    c = make_cluster()
    out = {"cluster": c}
    for y, members in ((2010, 30), (2014, 10), (2012, 20)):
        r = put(api, admin_key, c["id"], y, {"members": members})
        assert r.status_code == 201, r.text
        out[y] = r.json()
    return out


def test_default_order_is_year_descending(api, admin_key, three_years):
    c = three_years["cluster"]
    body = declared(api, admin_key, c["id"])
    assert [i["year"] for i in body["items"]] == [2014, 2012, 2010]
    assert body["next"] is None
    assert body["items"][1] == three_years[2012]


@pytest.mark.parametrize("sort,expected", [
    ("year", [2010, 2012, 2014]),
    ("-year", [2014, 2012, 2010]),
    ("updated_at", [2010, 2014, 2012]),
    ("-updated_at", [2012, 2014, 2010]),
])
def test_sorts(api, admin_key, three_years, sort, expected):
    assert years(api, admin_key, three_years["cluster"]["id"], sort=sort) == expected


@pytest.mark.parametrize("sort", ["members", "name", "-budget_eur", "cluster_id"])
def test_bad_sort_is_400(api, admin_key, three_years, sort):
    problem(api.get(lpath(three_years["cluster"]["id"]), params={"sort": sort}, key=admin_key), 400, "invalid_query")


def test_pages_and_count(api, admin_key, three_years, list_all):
    cid = three_years["cluster"]["id"]
    r = api.get(lpath(cid), params={"limit": 1, "count": "true"}, key=admin_key)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 3
    assert len(body["items"]) == 1 and body["items"][0]["year"] == 2014
    assert body["next"]
    assert 'rel="next"' in r.headers["Link"]
    items, pages = list_all(lpath(cid), {"limit": 1}, key=admin_key)
    assert [i["year"] for i in items] == [2014, 2012, 2010]
    assert pages == 3
    problem(api.get(lpath(cid), params={"cursor": "garbage"}, key=admin_key), 400, "invalid_cursor")
    problem(api.get(lpath(cid), params={"limit": "0"}, key=admin_key), 400, "invalid_query")
    problem(api.get(lpath(cid), params={"limit": "501"}, key=admin_key), 400, "invalid_query")


def test_year_filter(api, admin_key, three_years):
    cid = three_years["cluster"]["id"]
    assert years(api, admin_key, cid, year="2012") == [2012]
    assert years(api, admin_key, cid, year="2010,2014") == [2014, 2010]
    assert years(api, admin_key, cid, year="2011") == []
    assert declared(api, admin_key, cid, year="2010,2014", count="true")["total"] == 2
    for bad in ("abc", "2012,x", "20.5", ""):
        problem(api.get(lpath(cid), params={"year": bad}, key=admin_key), 400, "invalid_query")


def test_updated_since_filter(api, admin_key, three_years):
    cid = three_years["cluster"]["id"]
    last = three_years[2012]
    assert years(api, admin_key, cid, updated_since=three_years[2010]["updated_at"]) == [2014, 2012, 2010]
    assert years(api, admin_key, cid, updated_since=last["updated_at"]) == [2012]
    later = (instant(last["updated_at"]) + datetime.timedelta(microseconds=1)).isoformat()
    assert years(api, admin_key, cid, updated_since=later) == []
    assert put(api, admin_key, cid, 2010, {"members": 31}).status_code == 200
    assert years(api, admin_key, cid, updated_since=later) == [2010]
    problem(api.get(lpath(cid), params={"updated_since": "yesterday"}, key=admin_key), 400, "invalid_query")


def test_csv(api, admin_key, three_years):
    c = three_years["cluster"]
    put(api, admin_key, c["id"], 2014, FULL)
    r = api.get(lpath(c["id"]), params={"format": "csv"}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "text/csv"
    assert r.text.split("\r\n")[0] == CSV_HEADER
    assert r.content.endswith(b"\r\n")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"), newline="")))
    assert [int(row["year"]) for row in rows] == [2014, 2012, 2010]
    assert [row["id"] for row in rows] == [three_years[y]["id"] for y in (2014, 2012, 2010)]
    assert all(row["cluster_id"] == c["id"] for row in rows)
    full = rows[0]
    assert int(full["members"]) == FULL["members"]
    assert float(full["staff_fte"]) == FULL["staff_fte"]
    assert float(full["budget_eur"]) == FULL["budget_eur"]
    assert float(full["public_funding_eur"]) == FULL["public_funding_eur"]
    assert int(full["projects_started"]) == 3 and int(full["events_held"]) == 12
    assert (full["computed.members"], full["computed.projects_started"], full["computed.events_held"]) == ("0", "0", "0")
    assert int(full["version"]) == 2
    # a value not declared is an empty cell
    assert rows[1]["staff_fte"] == "" and rows[1]["budget_eur"] == "" and rows[1]["members"] == "20"
    r2 = api.get(lpath(c["id"]), key=admin_key, headers={"Accept": "text/csv"})
    assert r2.status_code == 200
    assert r2.content == r.content


def test_ndjson_and_refused_formats(api, admin_key, three_years):
    cid = three_years["cluster"]["id"]
    for r in (api.get(lpath(cid), params={"format": "ndjson", "limit": 1}, key=admin_key),
              api.get(lpath(cid), params={"limit": 1}, key=admin_key, headers={"Accept": "application/x-ndjson"})):
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].split(";")[0] == "application/x-ndjson"
        lines = [json.loads(l) for l in r.text.split("\n") if l]
        assert [i["year"] for i in lines] == [2014, 2012, 2010]
        assert lines[1] == three_years[2012]
    problem(api.get(lpath(cid), params={"format": "geojson"}, key=admin_key), 406, "not_acceptable")
    problem(api.get(lpath(cid), params={"format": "ics"}, key=admin_key), 406, "not_acceptable")
    problem(api.get(lpath(cid), key=admin_key, headers={"Accept": "application/geo+json"}), 406, "not_acceptable")
    problem(api.get(lpath(cid), key=admin_key, headers={"Accept": "application/xml"}), 406, "not_acceptable")


def test_csv_and_ndjson_have_no_current_member(api, admin_key, three_years):
    cid = three_years["cluster"]["id"]
    r = api.get(lpath(cid), params={"format": "ndjson"}, key=admin_key)
    assert all("current" not in json.loads(l) for l in r.text.split("\n") if l)
    assert "current" not in api.get(lpath(cid), params={"format": "csv"}, key=admin_key).text.split("\r\n")[0]


# ---- computed values ----

def test_computed_members_on_the_years_day(api, admin_key, make_cluster, make_company, sql):
    c = make_cluster()
    a, b, d, f, g = (make_company() for _ in range(5))
    join(api, admin_key, c["id"], a["id"], "2010-03-01")            # current since 2010
    mb = join(api, admin_key, c["id"], b["id"], "2009-01-01")       # left mid-2012
    join(api, admin_key, c["id"], d["id"], "2013-05-01")            # current since 2013
    mf = join(api, admin_key, c["id"], f["id"], "2014-01-01")       # left on the 31st of December 2014
    join(api, admin_key, c["id"], g["id"], "2016-12-31")            # joined on the 31st of December 2016
    sql(f"UPDATE memberships SET left_on = '2012-06-30' WHERE id = '{mb['id']}'")
    sql(f"UPDATE memberships SET left_on = '2014-12-31' WHERE id = '{mf['id']}'")
    expected = {2008: 0, 2009: 1, 2011: 2, 2012: 1, 2013: 2, 2014: 2, 2015: 2, 2016: 3, 2017: 3}
    for y in expected:
        r = put(api, admin_key, c["id"], y, {"members": 50})
        assert r.status_code == 201, r.text
        assert r.json()["computed"]["members"] == expected[y], y
        assert r.json()["members"] == 50  # the declaration stays what was declared
    listed = {i["year"]: i["computed"]["members"] for i in declared(api, admin_key, c["id"])["items"]}
    assert listed == expected
    body = declared(api, admin_key, c["id"])
    assert body["current"]["members"] == 3
    # a membership that ends today leaves the current count, not the past years'
    assert api.delete(f"/v1/clusters/{c['id']}/members/{a['id']}", key=admin_key).status_code == 204
    body = declared(api, admin_key, c["id"])
    assert body["current"]["members"] == 2
    listed = {i["year"]: i["computed"]["members"] for i in body["items"]}
    assert listed == expected


def test_computed_projects_started(api, admin_key, make_cluster, make_project):
    c, other = make_cluster(), make_cluster()
    make_project(lead_cluster_id=c["id"], starts_on="2011-05-01")
    make_project(lead_cluster_id=DEMO_01, cluster_ids=[c["id"]], starts_on="2011-12-31")   # joined, not led
    make_project(lead_cluster_id=c["id"], starts_on="2012-01-01")
    make_project(lead_cluster_id=c["id"])                                                # no start date
    make_project(lead_cluster_id=other["id"], starts_on="2011-06-01")                    # another cluster's
    make_project(lead_cluster_id=c["id"], starts_on="2010-12-31", ends_on="2011-06-30")  # started the year before
    got = {}
    for y in (2010, 2011, 2012, 2013):
        r = put(api, admin_key, c["id"], y, {})
        assert r.status_code == 201, r.text
        got[y] = r.json()["computed"]["projects_started"]
    assert got == {2010: 1, 2011: 2, 2012: 1, 2013: 0}
    assert {i["year"]: i["computed"]["projects_started"] for i in declared(api, admin_key, c["id"])["items"]} == got


def test_computed_events_held(api, admin_key, make_cluster, make_event):
    c, other = make_cluster(), make_cluster()
    make_event(organizer_cluster_id=c["id"], starts_at="2011-04-01T09:00:00Z", ends_at="2011-04-01T17:00:00Z")
    # 00:30 in Paris on New Year's Day 2012 is still 2011 in UTC
    make_event(organizer_cluster_id=c["id"], starts_at="2012-01-01T00:30:00+01:00",
               ends_at="2012-01-01T02:00:00+01:00")
    make_event(organizer_cluster_id=c["id"], starts_at="2012-03-01T09:00:00Z", ends_at="2012-03-01T12:00:00Z")
    make_event(organizer_cluster_id=c["id"], starts_at="2011-06-01T09:00:00Z", ends_at="2011-06-01T12:00:00Z",
               status="cancelled")
    make_event(organizer_cluster_id=c["id"], starts_at="2011-07-01T09:00:00Z", ends_at="2011-07-01T12:00:00Z",
               public=False)  # private events are held too
    make_event(organizer_cluster_id=other["id"], starts_at="2011-05-01T09:00:00Z", ends_at="2011-05-01T12:00:00Z")
    got = {}
    for y in (2011, 2012, 2013):
        r = put(api, admin_key, c["id"], y, {"events_held": 99})
        assert r.status_code == 201, r.text
        got[y] = r.json()["computed"]["events_held"]
        assert r.json()["events_held"] == 99
    assert got == {2011: 3, 2012: 1, 2013: 0}


def test_current_is_there_whether_or_not_the_year_is_declared(api, admin_key, reader_key, make_cluster,
                                                              make_company, make_project, make_event):
    c = make_cluster()
    body = declared(api, admin_key, c["id"])
    assert body["items"] == []
    assert body["current"] == {"year": CURRENT, "members": 0, "projects_started": 0, "events_held": 0}
    for k in (make_company(), make_company()):
        join(api, admin_key, c["id"], k["id"])
    left = make_company()
    join(api, admin_key, c["id"], left["id"], "2001-01-01")
    assert api.delete(f"/v1/clusters/{c['id']}/members/{left['id']}", key=admin_key).status_code == 204
    make_project(lead_cluster_id=c["id"], starts_on=f"{CURRENT}-01-01")
    make_project(lead_cluster_id=c["id"], starts_on=f"{CURRENT - 1}-12-31")
    past, future = NOW - datetime.timedelta(hours=2), NOW + datetime.timedelta(hours=2)
    if past.year == CURRENT:
        make_event(organizer_cluster_id=c["id"], starts_at=utc_in(hours=-2), ends_at=utc_in(hours=-1))
    if future.year == CURRENT:
        make_event(organizer_cluster_id=c["id"], starts_at=utc_in(hours=2), ends_at=utc_in(hours=3))  # not held yet
    body = declared(api, reader_key, c["id"])
    assert body["items"] == []
    assert body["current"] == {"year": CURRENT, "members": 2, "projects_started": 1,
                               "events_held": 1 if past.year == CURRENT else 0}
    # declared: the current year's item carries the same computed values
    r = put(api, admin_key, c["id"], CURRENT, {"members": 2})
    assert r.status_code == 201, r.text
    body = declared(api, admin_key, c["id"])
    cur = dict(body["current"])
    assert cur.pop("year") == CURRENT
    assert body["items"][0]["computed"] == cur == r.json()["computed"]
    # next year: members taken today (min(31 December, today)), no event held yet, projects
    # starting next year counted
    make_project(lead_cluster_id=c["id"], starts_on=f"{CURRENT + 1}-02-01")
    r = put(api, admin_key, c["id"], CURRENT + 1, {})
    assert r.status_code == 201, r.text
    assert r.json()["computed"] == {"members": 2, "projects_started": 1, "events_held": 0}


# ---- change feed ----

def _feed_end(api, key):
    pos = None
    for _ in range(10000):
        params = {"limit": 1000, "types": "indicator"}
        if pos:
            params["since"] = pos
        r = api.get("/v1/changes", params=params, key=key)
        assert r.status_code == 200, r.text
        body = r.json()
        if not body["items"]:
            return body["next"]
        pos = body["next"]
    raise AssertionError("the feed did not end")


def _changes(api, key, since, ids, types="indicator"):
    """The changes of these ids after `since` (every page), objects embedded."""
    out, pos = [], since
    for _ in range(10000):
        params = {"since": pos, "include": "object", "limit": 1000}
        if types:
            params["types"] = types
        r = api.get("/v1/changes", params=params, key=key)
        assert r.status_code == 200, r.text
        body = r.json()
        out.extend(i for i in body["items"] if i["id"] in ids)
        if not body["items"]:
            return out
        pos = body["next"]
    raise AssertionError("the feed did not end")


def test_put_and_delete_appear_in_the_change_feed(api, admin_key, reader_key, make_cluster):
    c = make_cluster()
    since = _feed_end(api, reader_key)
    created = put(api, admin_key, c["id"], 2011, FULL).json()
    got = _changes(api, reader_key, since, {created["id"]})
    assert [(i["type"], i["op"]) for i in got] == [("indicator", "upsert")]
    assert got[0]["object"] == created  # the item as the endpoints answer it
    # an unchanged PUT is no change
    assert put(api, admin_key, c["id"], 2011, FULL).status_code == 200
    assert len(_changes(api, reader_key, since, {created["id"]})) == 1
    updated = put(api, admin_key, c["id"], 2011, dict(FULL, members=1)).json()
    got = _changes(api, reader_key, since, {created["id"]})
    assert [(i["type"], i["op"]) for i in got] == [("indicator", "upsert")] * 2
    assert got[-1]["object"] == updated
    assert api.delete(ipath(c["id"], 2011), key=admin_key).status_code == 204
    got = _changes(api, reader_key, since, {created["id"]})
    assert [(i["type"], i["op"]) for i in got] == [("indicator", "upsert")] * 2 + [("indicator", "delete")]
    assert got[-1]["object"] is None
    seqs = [i["seq"] for i in got]
    assert seqs == sorted(seqs)
    # without types, the indicator's changes are there too
    got = _changes(api, reader_key, since, {created["id"]}, types=None)
    assert [(i["type"], i["op"]) for i in got] == [("indicator", "upsert")] * 2 + [("indicator", "delete")]


def test_deleting_the_cluster_records_the_indicators_deletion(api, admin_key, reader_key, make_cluster):
    c = make_cluster()
    since = _feed_end(api, reader_key)
    ind = put(api, admin_key, c["id"], 2011, FULL).json()
    assert api.delete(f"/v1/clusters/{c['id']}", key=admin_key).status_code == 204
    got = _changes(api, reader_key, since, {ind["id"]})
    assert [(i["type"], i["op"]) for i in got] == [("indicator", "upsert"), ("indicator", "delete")]
