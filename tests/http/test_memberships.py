"""Memberships of companies in clusters and links between clusters and partners: PUT
(idempotent), DELETE, lists under both sides, counts, cascades and roles."""

import datetime
import re

import pytest

from conftest import DEMO_01, problem

DEMO_02 = "c1000000-0000-4000-8000-000000000002"
ETAG_RE = re.compile(r'^"[0-9a-f]{32}"$')
MISSING = "00000000-0000-4000-8000-000000000000"


def cl(n):
    return f"c1000000-0000-4000-8000-{n:012d}"


def co(n):
    return f"c2000000-0000-4000-8000-{n:012d}"


def pa(n):
    return f"c3000000-0000-4000-8000-{n:012d}"


def invalid(r):
    body = problem(r, 422, "validation_failed")
    return {e["field"]: e["code"] for e in body["errors"]}


def today_candidates():
    # the database's current_date, whatever the time zone of the test machine and server
    now = datetime.datetime.now(datetime.timezone.utc)
    return {(now + datetime.timedelta(hours=h)).date().isoformat() for h in (-14, 0, 14)}


def member_path(cluster_id, company_id):
    return f"/v1/clusters/{cluster_id}/members/{company_id}"


def link_path(cluster_id, partner_id):
    return f"/v1/clusters/{cluster_id}/partners/{partner_id}"


def members(api, list_all, cluster_id, **params):
    items, _ = list_all(f"/v1/clusters/{cluster_id}/members", params)
    return items


def cluster(api, cluster_id):
    r = api.get(f"/v1/clusters/{cluster_id}")
    assert r.status_code == 200, r.text
    return r.json()


# ---- PUT memberships ----

def test_put_creates_201_then_is_idempotent_200(api, admin_key, make_cluster, make_company):
    c, k = make_cluster(), make_company()
    path = member_path(c["id"], k["id"])
    r1 = api.put(path, {"role": "founding_member", "college": "pme", "joined_on": "2020-01-15"}, key=admin_key)
    assert r1.status_code == 201, r1.text
    m = r1.json()
    assert m["cluster_id"] == c["id"] and m["company_id"] == k["id"]
    assert m["role"] == "founding_member" and m["college"] == "pme" and m["joined_on"] == "2020-01-15"
    assert m["left_on"] is None
    assert m["version"] == 1
    assert m["company"] == {"id": k["id"], "name": k["name"], "siret": k["siret"], "size": k["size"],
                            "employees": k["employees"]}
    assert ETAG_RE.match(r1.headers["ETag"])
    r2 = api.put(path, {"role": "founding_member", "college": "pme", "joined_on": "2020-01-15"}, key=admin_key)
    assert r2.status_code == 200, r2.text
    assert r2.json() == m
    assert r2.headers["ETag"] == r1.headers["ETag"]


def test_put_updates_role_and_college(api, admin_key, make_cluster, make_company):
    c, k = make_cluster(), make_company()
    path = member_path(c["id"], k["id"])
    m = api.put(path, {"role": "member", "college": "pme", "joined_on": "2019-05-01"}, key=admin_key).json()
    r = api.put(path, {"role": "board_member", "college": "eti_ge", "joined_on": "2019-05-01"}, key=admin_key)
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["id"] == m["id"]
    assert u["role"] == "board_member" and u["college"] == "eti_ge" and u["joined_on"] == "2019-05-01"
    assert u["version"] == m["version"] + 1
    assert u["updated_at"] > m["updated_at"]
    listed = api.get(f"/v1/clusters/{c['id']}/members").json()["items"]
    assert listed == [u]


def test_put_without_fields_creates_with_defaults(api, admin_key, make_cluster, make_company):
    # OpenAPI (MembershipPut): an absent member takes its default, role member, college
    # null; joined_on is today for a new membership.
    c, k = make_cluster(), make_company()
    r = api.put(member_path(c["id"], k["id"]), {}, key=admin_key)
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["role"] == "member"
    assert m["college"] is None
    assert m["joined_on"] == datetime.date.today().isoformat()


def test_put_replaces_absent_fields_with_defaults(api, admin_key, make_cluster, make_company):
    # OpenAPI (putClusterMember): "PUT replaces: a member absent from the body takes its
    # default (role member, college null)".
    c, k = make_cluster(), make_company()
    path = member_path(c["id"], k["id"])
    api.put(path, {"role": "board_member", "college": "pme", "joined_on": "2018-03-01"}, key=admin_key)
    r = api.put(path, {"joined_on": "2018-03-01"}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "member"
    assert r.json()["college"] is None


@pytest.mark.parametrize("body,field", [
    ({"role": "president"}, "role"),
    ({"college": "big"}, "college"),
    ({"joined_on": "2020-13-01"}, "joined_on"),
    ({"left_on": "2020-01-01"}, "left_on"),
    ({"id": MISSING}, "id"),
    ({"company_id": MISSING}, "company_id"),
    ({"colour": "blue"}, "colour"),
])
def test_put_invalid_body_is_422_and_creates_nothing(api, admin_key, make_cluster, make_company, body, field):
    c, k = make_cluster(), make_company()
    assert field in invalid(api.put(member_path(c["id"], k["id"]), body, key=admin_key))
    assert api.get(f"/v1/clusters/{c['id']}/members", params={"status": "all"}).json()["items"] == []


def test_put_malformed_body_is_400(api, admin_key, make_cluster, make_company):
    c, k = make_cluster(), make_company()
    problem(api.put(member_path(c["id"], k["id"]), b"[1]", key=admin_key), 400, "malformed_request")
    problem(api.put(member_path(c["id"], k["id"]), b'{"role":', key=admin_key), 400, "malformed_request")


def test_put_with_stale_if_match_is_412(api, admin_key, make_cluster, make_company):
    c, k = make_cluster(), make_company()
    path = member_path(c["id"], k["id"])
    r = api.put(path, {"role": "member"}, key=admin_key)
    etag = r.headers["ETag"]
    assert api.put(path, {"role": "board_member"}, key=admin_key, headers={"If-Match": etag}).status_code == 200
    problem(api.put(path, {"role": "founding_member"}, key=admin_key, headers={"If-Match": etag}), 412,
            "precondition_failed")
    assert api.get(f"/v1/clusters/{c['id']}/members").json()["items"][0]["role"] == "board_member"


def test_put_with_if_match_and_no_membership_is_412(api, admin_key, make_cluster, make_company):
    c, k = make_cluster(), make_company()
    problem(api.put(member_path(c["id"], k["id"]), {}, key=admin_key, headers={"If-Match": "*"}), 412,
            "precondition_failed")
    assert api.get(f"/v1/clusters/{c['id']}/members", params={"status": "all"}).json()["items"] == []


# ---- counts ----

def test_member_count_and_jobs_follow_memberships(api, admin_key, make_cluster, make_company):
    c = make_cluster()
    a, b, n = make_company(employees=12), make_company(employees=30), make_company()
    assert (cluster(api, c["id"])["member_count"], cluster(api, c["id"])["jobs"]) == (0, 0)
    assert api.put(member_path(c["id"], a["id"]), {}, key=admin_key).status_code == 201
    assert api.put(member_path(c["id"], b["id"]), {}, key=admin_key).status_code == 201
    assert api.put(member_path(c["id"], n["id"]), {}, key=admin_key).status_code == 201  # no employees
    got = cluster(api, c["id"])
    assert (got["member_count"], got["jobs"]) == (3, 42)
    # employees change: jobs follow
    assert api.patch(f"/v1/companies/{a['id']}", {"employees": 20}, key=admin_key).status_code == 200
    assert cluster(api, c["id"])["jobs"] == 50
    # a membership ends: it no longer counts
    assert api.delete(member_path(c["id"], b["id"]), key=admin_key).status_code == 204
    got = cluster(api, c["id"])
    assert (got["member_count"], got["jobs"]) == (2, 20)


def test_demo_cluster_counts_match_its_current_members(api, list_all):
    for cid in (DEMO_01, cl(11), cl(14)):
        items = members(api, list_all, cid)
        got = cluster(api, cid)
        assert got["member_count"] == len(items)
        assert got["jobs"] == sum(m["company"]["employees"] or 0 for m in items)
    assert cluster(api, cl(14))["member_count"] == 0


# ---- lists ----

def test_members_list_has_company_summaries(api, list_all):
    items = members(api, list_all, DEMO_01)
    by_company = {m["company_id"]: m for m in items}
    m = by_company[co(1)]
    assert m["company"] == {"id": co(1), "name": "Décolletage du Giffre", "siret": "75425550300015", "size": "pme",
                            "employees": 48}
    assert m["cluster_id"] == DEMO_01
    assert all(i["left_on"] is None for i in items)


def test_status_all_lists_former_members(api, list_all):
    current = members(api, list_all, cl(11))
    everyone = members(api, list_all, cl(11), status="all")
    assert co(33) not in {m["company_id"] for m in current}
    former = [m for m in everyone if m["company_id"] == co(33)]
    assert len(former) == 1 and former[0]["left_on"] == "2019-12-31"
    assert len(everyone) == len(current) + 1
    assert members(api, list_all, cl(14)) == []
    assert len(members(api, list_all, cl(14), status="all")) == 3
    assert members(api, list_all, cl(11), status="current") == current


def test_members_list_pages_and_counts(api, list_all):
    body = api.get(f"/v1/clusters/{DEMO_01}/members", params={"limit": 2, "count": "true"}).json()
    items = members(api, list_all, DEMO_01, limit=2)
    assert body["total"] == len(items) >= 9
    assert len({m["id"] for m in items}) == len(items)


def test_members_list_sorts(api, list_all):
    items = members(api, list_all, DEMO_01, sort="-joined_on")
    dates = [m["joined_on"] for m in items if m["joined_on"]]
    assert dates == sorted(dates, reverse=True)
    problem(api.get(f"/v1/clusters/{DEMO_01}/members", params={"sort": "name"}), 400, "invalid_query")


def test_members_list_formats(api):
    r = api.get(f"/v1/clusters/{DEMO_01}/members", params={"format": "csv"})
    assert r.status_code == 200
    header = r.text.split("\r\n")[0].split(",")
    assert "company_id" in header and "role" in header
    r = api.get(f"/v1/clusters/{DEMO_01}/members", headers={"Accept": "application/x-ndjson"})
    assert r.status_code == 200
    n = api.get(f"/v1/clusters/{DEMO_01}/members", params={"count": "true"}).json()["total"]
    assert len(r.text.splitlines()) == n
    problem(api.get(f"/v1/clusters/{DEMO_01}/members", params={"format": "geojson"}), 406, "not_acceptable")
    problem(api.get(f"/v1/clusters/{DEMO_01}/members", headers={"Accept": "application/xml"}), 406, "not_acceptable")


def test_company_clusters_lists_cluster_summaries(api):
    items = api.get(f"/v1/companies/{co(29)}/clusters").json()["items"]
    got = {m["cluster_id"]: m for m in items}
    assert set(got) == {cl(5), cl(6)}
    assert got[cl(5)]["cluster"] == {"id": cl(5), "name": "Oyonnax Plastics Vallée", "acronym": "OPV", "kind": "cluster"}
    assert got[cl(5)]["company_id"] == co(29)
    assert got[cl(5)]["role"] == "founding_member"


def test_company_clusters_status_all(api):
    current = api.get(f"/v1/companies/{co(33)}/clusters").json()["items"]
    assert [m["cluster_id"] for m in current] == [cl(7)]
    everything = api.get(f"/v1/companies/{co(33)}/clusters", params={"status": "all"}).json()["items"]
    assert {m["cluster_id"] for m in everything} == {cl(7), cl(11)}


def test_bad_status_is_400(api):
    body = problem(api.get(f"/v1/clusters/{DEMO_01}/members", params={"status": "former"}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "status"
    problem(api.get(f"/v1/companies/{co(1)}/clusters", params={"status": ""}), 400, "invalid_query")


def test_unknown_query_parameters_are_400(api, admin_key, make_company):
    k = make_company()
    problem(api.get(f"/v1/clusters/{DEMO_01}/members", params={"role": "member"}), 400, "invalid_query")
    problem(api.get(f"/v1/companies/{co(1)}/clusters", params={"kind": "cluster"}), 400, "invalid_query")
    problem(api.get(f"/v1/clusters/{DEMO_01}/partners", params={"role": "funder"}), 400, "invalid_query")
    problem(api.put(member_path(DEMO_01, k["id"]), {}, key=admin_key, params={"notify": "1"}), 400, "invalid_query")
    problem(api.delete(member_path(DEMO_01, co(1)), key=admin_key, params={"x": "1"}), 400, "invalid_query")
    assert api.get(f"/v1/companies/{k['id']}").json()["clusters"] == []
    assert DEMO_01 in api.get(f"/v1/companies/{co(1)}").json()["clusters"]


def test_put_with_accept_xml_is_406(api, admin_key, make_cluster, make_company):
    c, k = make_cluster(), make_company()
    problem(api.put(member_path(c["id"], k["id"]), {}, key=admin_key, headers={"Accept": "application/xml"}), 406,
            "not_acceptable")
    assert api.get(f"/v1/clusters/{c['id']}/members").json()["items"] == []


@pytest.mark.parametrize("method,path,allowed", [
    ("POST", f"/v1/clusters/{DEMO_01}/members", {"GET"}),
    ("DELETE", f"/v1/clusters/{DEMO_01}/members", {"GET"}),
    ("GET", f"/v1/clusters/{DEMO_01}/members/{co(1)}", {"PUT", "DELETE"}),
    ("PATCH", f"/v1/clusters/{DEMO_01}/members/{co(1)}", {"PUT", "DELETE"}),
    ("POST", f"/v1/clusters/{DEMO_01}/partners", {"GET"}),
    ("GET", f"/v1/clusters/{DEMO_01}/partners/{pa(3)}", {"PUT", "DELETE"}),
    ("PUT", f"/v1/companies/{co(1)}/clusters", {"GET"}),
])
def test_method_not_allowed_is_405_with_allow(api, admin_key, method, path, allowed):
    r = api.request(method, path, key=admin_key, headers={"Content-Type": "application/json"}, data=b"{}")
    problem(r, 405, "method_not_allowed")
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allowed <= allow, allow
    assert method not in allow


# ---- DELETE memberships ----

def test_delete_ends_the_membership(api, admin_key, make_cluster, make_company, list_all):
    c, k = make_cluster(), make_company(employees=7)
    path = member_path(c["id"], k["id"])
    m = api.put(path, {"joined_on": "2015-06-01"}, key=admin_key).json()
    assert api.get(f"/v1/companies/{k['id']}").json()["clusters"] == [c["id"]]
    r = api.delete(path, key=admin_key)
    assert r.status_code == 204
    assert r.content == b""
    assert members(api, list_all, c["id"]) == []
    assert cluster(api, c["id"])["member_count"] == 0
    everyone = members(api, list_all, c["id"], status="all")
    assert [x["id"] for x in everyone] == [m["id"]]
    assert everyone[0]["left_on"] in today_candidates()
    assert everyone[0]["joined_on"] == "2015-06-01"
    assert api.get(f"/v1/companies/{k['id']}").json()["clusters"] == []
    assert api.get(f"/v1/companies/{k['id']}/clusters").json()["items"] == []
    assert len(api.get(f"/v1/companies/{k['id']}/clusters", params={"status": "all"}).json()["items"]) == 1
    problem(api.delete(path, key=admin_key), 404, "not_found")


def test_put_after_delete_creates_a_new_membership(api, admin_key, make_cluster, make_company, list_all):
    c, k = make_cluster(), make_company()
    path = member_path(c["id"], k["id"])
    first = api.put(path, {"role": "board_member"}, key=admin_key).json()
    assert api.delete(path, key=admin_key).status_code == 204
    r = api.put(path, {"role": "member"}, key=admin_key)
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["id"] != first["id"]
    assert second["left_on"] is None
    assert [m["id"] for m in members(api, list_all, c["id"])] == [second["id"]]
    assert {m["id"] for m in members(api, list_all, c["id"], status="all")} == {first["id"], second["id"]}
    assert cluster(api, c["id"])["member_count"] == 1


def test_delete_with_stale_if_match_is_412(api, admin_key, make_cluster, make_company):
    c, k = make_cluster(), make_company()
    path = member_path(c["id"], k["id"])
    api.put(path, {}, key=admin_key)
    problem(api.delete(path, key=admin_key, headers={"If-Match": '"00000000000000000000000000000000"'}), 412,
            "precondition_failed")
    assert cluster(api, c["id"])["member_count"] == 1


def test_delete_never_a_member_is_404(api, admin_key, make_cluster, make_company):
    c, k = make_cluster(), make_company()
    problem(api.delete(member_path(c["id"], k["id"]), key=admin_key), 404, "not_found")


# ---- unknown and malformed ids ----

@pytest.mark.parametrize("which", ["cluster", "company"])
def test_unknown_cluster_or_company_is_404(api, admin_key, make_cluster, make_company, which):
    c, k = make_cluster(), make_company()
    cid, kid = (MISSING, k["id"]) if which == "cluster" else (c["id"], MISSING)
    problem(api.put(member_path(cid, kid), {}, key=admin_key), 404, "not_found")
    problem(api.delete(member_path(cid, kid), key=admin_key), 404, "not_found")
    assert api.get(f"/v1/companies/{k['id']}/clusters", params={"status": "all"}).json()["items"] == []
    assert cluster(api, c["id"])["member_count"] == 0


@pytest.mark.parametrize("bad", ["nope", "c1000000-0000-4000-8000-00000000001", "c1000000-0000-4000-8000-0000000000011"])
def test_malformed_ids_are_404(api, admin_key, bad):
    problem(api.put(member_path(bad, co(1)), {}, key=admin_key), 404, "not_found")
    problem(api.put(member_path(DEMO_01, bad), {}, key=admin_key), 404, "not_found")
    problem(api.delete(member_path(bad, co(1)), key=admin_key), 404, "not_found")
    problem(api.delete(member_path(DEMO_01, bad), key=admin_key), 404, "not_found")
    problem(api.get(f"/v1/clusters/{bad}/members"), 404, "not_found")
    problem(api.get(f"/v1/companies/{bad}/clusters"), 404, "not_found")
    problem(api.get(f"/v1/clusters/{bad}/partners"), 404, "not_found")
    problem(api.put(link_path(DEMO_01, bad), {}, key=admin_key), 404, "not_found")
    problem(api.delete(link_path(bad, pa(3)), key=admin_key), 404, "not_found")


def test_lists_of_unknown_parents_are_404(api):
    problem(api.get(f"/v1/clusters/{MISSING}/members"), 404, "not_found")
    problem(api.get(f"/v1/companies/{MISSING}/clusters"), 404, "not_found")
    problem(api.get(f"/v1/clusters/{MISSING}/partners"), 404, "not_found")


# ---- cascades ----

def test_deleting_a_company_removes_its_memberships(api, admin_key, make_cluster, make_company, list_all):
    c = make_cluster()
    a, b = make_company(employees=5), make_company(employees=8)
    api.put(member_path(c["id"], a["id"]), {}, key=admin_key)
    api.put(member_path(c["id"], b["id"]), {}, key=admin_key)
    assert api.delete(member_path(c["id"], b["id"]), key=admin_key).status_code == 204
    api.put(member_path(c["id"], b["id"]), {}, key=admin_key)
    assert cluster(api, c["id"])["member_count"] == 2
    assert api.delete(f"/v1/companies/{b['id']}", key=admin_key).status_code == 204
    got = cluster(api, c["id"])
    assert (got["member_count"], got["jobs"]) == (1, 5)
    assert [m["company_id"] for m in members(api, list_all, c["id"], status="all")] == [a["id"]]


def test_deleting_a_cluster_removes_its_memberships_and_partner_links(api, admin_key, make_cluster, make_company,
                                                                      make_partner, sql):
    c, k, p = make_cluster(), make_company(), make_partner()
    m = api.put(member_path(c["id"], k["id"]), {}, key=admin_key).json()
    link = api.put(link_path(c["id"], p["id"]), {"role": "funder"}, key=admin_key).json()
    assert api.get(f"/v1/companies/{k['id']}").json()["clusters"] == [c["id"]]
    assert api.delete(f"/v1/clusters/{c['id']}", key=admin_key).status_code == 204
    assert api.get(f"/v1/companies/{k['id']}").json()["clusters"] == []
    assert api.get(f"/v1/companies/{k['id']}/clusters", params={"status": "all"}).json()["items"] == []
    assert api.get(f"/v1/partners/{p['id']}").status_code == 200  # the partner stays
    problem(api.get(f"/v1/clusters/{c['id']}/partners"), 404, "not_found")
    assert sql(f"SELECT count(*) FROM memberships WHERE id = '{m['id']}'") == "0"
    assert sql(f"SELECT count(*) FROM cluster_partners WHERE id = '{link['id']}'") == "0"


# ---- cluster partners ----

def test_partner_link_put_creates_then_updates(api, admin_key, make_cluster, make_partner):
    c, p = make_cluster(), make_partner(kind="bank")
    path = link_path(c["id"], p["id"])
    r = api.put(path, {"role": "funder", "since": "2016-01-01"}, key=admin_key)
    assert r.status_code == 201, r.text
    link = r.json()
    assert link["cluster_id"] == c["id"] and link["partner_id"] == p["id"]
    assert link["partner"] == {"id": p["id"], "name": p["name"], "kind": "bank"}
    assert link["role"] == "funder" and link["since"] == "2016-01-01" and link["version"] == 1
    assert ETAG_RE.match(r.headers["ETag"])
    r2 = api.put(path, {"role": "funder", "since": "2016-01-01"}, key=admin_key)
    assert r2.status_code == 200
    assert r2.json() == link and r2.headers["ETag"] == r.headers["ETag"]
    r3 = api.put(path, {"role": "academic", "since": "2016-01-01"}, key=admin_key)
    assert r3.status_code == 200
    assert r3.json()["id"] == link["id"]
    assert r3.json()["role"] == "academic" and r3.json()["version"] == 2
    items = api.get(f"/v1/clusters/{c['id']}/partners").json()["items"]
    assert items == [r3.json()]


def test_partner_link_put_replaces_absent_fields_with_defaults(api, admin_key, make_cluster, make_partner):
    # OpenAPI (putClusterPartner): "PUT replaces: a member absent from the body takes its
    # default (role support, since null)".
    c, p = make_cluster(), make_partner()
    path = link_path(c["id"], p["id"])
    api.put(path, {"role": "funder", "since": "2016-01-01"}, key=admin_key)
    r = api.put(path, {}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "support"
    assert r.json()["since"] is None


def test_partner_link_defaults(api, admin_key, make_cluster, make_partner):
    c, p = make_cluster(), make_partner()
    r = api.put(link_path(c["id"], p["id"]), {}, key=admin_key)
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "support" and r.json()["since"] is None


def test_partner_link_delete_then_404(api, admin_key, make_cluster, make_partner):
    c, p = make_cluster(), make_partner()
    path = link_path(c["id"], p["id"])
    api.put(path, {"role": "support"}, key=admin_key)
    r = api.delete(path, key=admin_key)
    assert r.status_code == 204 and r.content == b""
    assert api.get(f"/v1/clusters/{c['id']}/partners").json()["items"] == []
    problem(api.delete(path, key=admin_key), 404, "not_found")
    assert api.put(path, {}, key=admin_key).status_code == 201


def test_partner_link_invalid_body_is_422(api, admin_key, make_cluster, make_partner):
    c, p = make_cluster(), make_partner()
    path = link_path(c["id"], p["id"])
    assert "role" in invalid(api.put(path, {"role": "sponsor"}, key=admin_key))
    assert "since" in invalid(api.put(path, {"since": "yesterday"}, key=admin_key))
    assert "partner" in invalid(api.put(path, {"partner": {}}, key=admin_key))
    assert api.get(f"/v1/clusters/{c['id']}/partners").json()["items"] == []


def test_partner_link_unknown_partner_or_cluster_is_404(api, admin_key, make_cluster, make_partner):
    c, p = make_cluster(), make_partner()
    problem(api.put(link_path(c["id"], MISSING), {}, key=admin_key), 404, "not_found")
    problem(api.put(link_path(MISSING, p["id"]), {}, key=admin_key), 404, "not_found")
    problem(api.delete(link_path(c["id"], MISSING), key=admin_key), 404, "not_found")


def test_demo_cluster_partners(api):
    items = api.get(f"/v1/clusters/{DEMO_01}/partners").json()["items"]
    got = {i["partner_id"]: i for i in items}
    assert set(got) == {pa(3), pa(5), pa(11), pa(20)}
    assert got[pa(3)]["partner"] == {"id": pa(3), "name": "CCI Haute-Savoie", "kind": "chamber_of_commerce"}
    assert got[pa(5)]["role"] == "funder" and got[pa(5)]["since"] == "2016-01-01"
    srt = api.get(f"/v1/clusters/{DEMO_01}/partners", params={"sort": "since"}).json()["items"]
    assert [i["since"] for i in srt] == sorted(i["since"] for i in srt)


def test_deleting_a_partner_removes_its_links(api, admin_key, make_cluster, make_partner):
    c, p = make_cluster(), make_partner()
    api.put(link_path(c["id"], p["id"]), {}, key=admin_key)
    assert api.delete(f"/v1/partners/{p['id']}", key=admin_key).status_code == 204
    assert api.get(f"/v1/clusters/{c['id']}/partners").json()["items"] == []


# ---- roles ----

def test_anonymous_and_reader_may_not_write_links(api, reader_key, make_company, make_partner):
    k, p = make_company(), make_partner()
    for key, status, code in ((None, 401, "unauthorized"), (reader_key, 403, "forbidden")):
        problem(api.put(member_path(DEMO_01, k["id"]), {}, key=key), status, code)
        problem(api.delete(member_path(DEMO_01, co(1)), key=key), status, code)
        problem(api.put(link_path(DEMO_01, p["id"]), {}, key=key), status, code)
        problem(api.delete(link_path(DEMO_01, pa(3)), key=key), status, code)
    assert api.get(f"/v1/companies/{k['id']}").json()["clusters"] == []
    assert DEMO_01 in api.get(f"/v1/companies/{co(1)}").json()["clusters"]
    assert pa(3) in {i["partner_id"] for i in api.get(f"/v1/clusters/{DEMO_01}/partners").json()["items"]}


def test_lists_are_public(api, reader_key, manager_key):
    for key in (None, reader_key, manager_key):
        assert api.get(f"/v1/clusters/{DEMO_02}/members", key=key).status_code == 200
        assert api.get(f"/v1/clusters/{DEMO_02}/partners", key=key).status_code == 200
        assert api.get(f"/v1/companies/{co(10)}/clusters", key=key).status_code == 200


def test_manager_may_put_and_delete_memberships_of_its_cluster(api, manager_key, make_company, list_all):
    k = make_company(employees=11)
    path = member_path(DEMO_01, k["id"])
    before = cluster(api, DEMO_01)
    r = api.put(path, {"role": "member", "college": "pme"}, key=manager_key)
    assert r.status_code == 201, r.text
    assert api.put(path, {"role": "board_member", "college": "pme"}, key=manager_key).status_code == 200
    got = cluster(api, DEMO_01)
    assert (got["member_count"], got["jobs"]) == (before["member_count"] + 1, before["jobs"] + 11)
    assert api.delete(path, key=manager_key).status_code == 204
    got = cluster(api, DEMO_01)
    assert (got["member_count"], got["jobs"]) == (before["member_count"], before["jobs"])


def test_manager_may_not_touch_memberships_of_another_cluster(api, manager_key, make_company, list_all):
    k = make_company()
    before = members(api, list_all, DEMO_02, status="all")
    problem(api.put(member_path(DEMO_02, k["id"]), {}, key=manager_key), 403, "forbidden")
    problem(api.put(member_path(DEMO_02, co(10)), {"role": "member"}, key=manager_key), 403, "forbidden")
    problem(api.delete(member_path(DEMO_02, co(10)), key=manager_key), 403, "forbidden")
    assert members(api, list_all, DEMO_02, status="all") == before
    assert api.get(f"/v1/companies/{k['id']}").json()["clusters"] == []


def test_manager_may_put_and_delete_partner_links_of_its_cluster(api, manager_key, make_partner):
    p = make_partner()
    path = link_path(DEMO_01, p["id"])
    assert api.put(path, {"role": "funder"}, key=manager_key).status_code == 201
    assert api.put(path, {"role": "support"}, key=manager_key).status_code == 200
    assert api.delete(path, key=manager_key).status_code == 204
    assert p["id"] not in {i["partner_id"] for i in api.get(f"/v1/clusters/{DEMO_01}/partners").json()["items"]}


def test_manager_may_not_touch_partner_links_of_another_cluster(api, manager_key, make_partner):
    p = make_partner()
    before = api.get(f"/v1/clusters/{DEMO_02}/partners").json()["items"]
    problem(api.put(link_path(DEMO_02, p["id"]), {}, key=manager_key), 403, "forbidden")
    problem(api.put(link_path(DEMO_02, pa(18)), {"role": "funder"}, key=manager_key), 403, "forbidden")
    problem(api.delete(link_path(DEMO_02, pa(18)), key=manager_key), 403, "forbidden")
    assert api.get(f"/v1/clusters/{DEMO_02}/partners").json()["items"] == before
