"""GET /v1/stats (issue 6): the network's weight (clusters, companies, member companies,
jobs, staff, projects, upcoming events) with breakdowns by region, kind and company size.

The database is shared with the demo data and with other tests, so no count is assumed:
each number is compared with the matching list total (count=true) or with SQL, and the
writes of a test must move the numbers by exactly what they add."""

import json

import pytest

from conftest import problem, utc_in

STATS = "/v1/stats"
KINDS = ["pole_competitivite", "grappe_entreprises", "cluster", "spl", "other"]
SIZES = ["tpe", "pme", "eti", "ge", None]
STATUSES = ["idea", "proof_of_concept", "running", "completed", "abandoned"]
REGIONS = ["01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]

MEMBER = "EXISTS (SELECT 1 FROM memberships m WHERE m.company_id = c.id AND m.left_on IS NULL)"


def approx(x):
    return pytest.approx(x, abs=1e-6)


def stats(api, key=None, **params):
    r = api.get(STATS, params=params, key=key)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "application/json"
    return r.json()


def total(api, path, key=None, **params):
    r = api.get(path, params=dict(params, count="true", limit=1), key=key)
    assert r.status_code == 200, r.text
    return r.json()["total"]


def region_sql(regions, column="c.region_code"):
    if not regions:
        return "TRUE"
    return f"{column} IN ({','.join(repr(x) for x in regions)})"


def sql_companies(sql, regions=None):
    """(companies, member_companies, jobs) by SQL."""
    out = sql(f"SELECT count(*), count(*) FILTER (WHERE {MEMBER}), "
              f"coalesce(sum(coalesce(c.employees, 0)) FILTER (WHERE {MEMBER}), 0) "
              f"FROM companies c WHERE {region_sql(regions)}")
    return tuple(int(x) for x in out.split("|"))


def sql_clusters(sql, regions=None):
    """(clusters, staff_fte) by SQL."""
    cond = "TRUE" if not regions else "c.region_codes && ARRAY[" + ",".join(repr(x) for x in regions) + "]::text[]"
    n, fte = sql(f"SELECT count(*), coalesce(sum(c.staff_fte), 0) FROM clusters c WHERE {cond}").split("|")
    return int(n), float(fte)


def region_row(body, code):
    return next(r for r in body["by_region"] if r["code"] == code)


def size_row(body, size):
    return next(r for r in body["by_size"] if r["size"] == size)


def kind_row(body, kind):
    return next(r for r in body["by_kind"] if r["kind"] == kind)


# ---- shape ----

def test_shape(api):
    body = stats(api)
    assert set(body) == {"region", "clusters", "companies", "member_companies", "jobs", "staff_fte", "projects",
                         "upcoming_events", "by_region", "by_kind", "by_size"}
    assert body["region"] is None
    for k in ("clusters", "companies", "member_companies", "jobs", "upcoming_events"):
        assert isinstance(body[k], int) and body[k] >= 0, k
    assert isinstance(body["staff_fte"], (int, float))
    assert set(body["projects"]) == {"total", "by_status"}
    assert list(body["projects"]["by_status"]) == STATUSES
    assert [r["code"] for r in body["by_region"]] == REGIONS
    names = {r["code"]: r["name"] for r in api.get("/v1/regions", params={"limit": 100}).json()["items"]}
    for r in body["by_region"]:
        assert set(r) == {"code", "name", "clusters", "companies", "member_companies", "jobs", "staff_fte"}
        assert r["name"] == names[r["code"]]
    assert region_row(body, "84")["name"] == "Auvergne-Rhône-Alpes"
    assert [r["kind"] for r in body["by_kind"]] == KINDS
    for r in body["by_kind"]:
        assert set(r) == {"kind", "clusters", "staff_fte"}
    assert [r["size"] for r in body["by_size"]] == SIZES
    for r in body["by_size"]:
        assert set(r) == {"size", "companies", "member_companies", "jobs"}


def test_public_and_the_same_for_every_key_but_events(api, reader_key, admin_key, manager_key):
    anonymous = stats(api)
    for key in (reader_key, admin_key, manager_key):
        body = stats(api, key)
        for k in ("clusters", "companies", "member_companies", "jobs", "staff_fte", "projects", "by_region",
                  "by_kind", "by_size"):
            assert body[k] == anonymous[k], k
        assert body["upcoming_events"] >= anonymous["upcoming_events"]


# ---- agreement with the lists and SQL ----

def test_agrees_with_list_totals(api, admin_key):
    for key in (None, admin_key):
        now = utc_in()
        body = stats(api, key)
        assert body["clusters"] == total(api, "/v1/clusters", key)
        assert body["companies"] == total(api, "/v1/companies", key)
        assert body["projects"]["total"] == total(api, "/v1/projects", key)
        for s in STATUSES:
            assert body["projects"]["by_status"][s] == total(api, "/v1/projects", key, status=s), s
        assert sum(body["projects"]["by_status"].values()) == body["projects"]["total"]
        assert body["upcoming_events"] == total(api, "/v1/events", key, **{"from": now, "status": "scheduled"})


def test_agrees_with_sql(api, sql):
    body = stats(api)
    companies, members, jobs = sql_companies(sql)
    assert (body["companies"], body["member_companies"], body["jobs"]) == (companies, members, jobs)
    clusters, fte = sql_clusters(sql)
    assert body["clusters"] == clusters
    assert body["staff_fte"] == approx(fte)
    assert body["member_companies"] > 0 and body["jobs"] > 0  # the demo's members


def test_breakdowns_add_up(api, sql):
    body = stats(api)
    assert sum(r["companies"] for r in body["by_size"]) == body["companies"]
    assert sum(r["member_companies"] for r in body["by_size"]) == body["member_companies"]
    assert sum(r["jobs"] for r in body["by_size"]) == body["jobs"]
    assert sum(r["clusters"] for r in body["by_kind"]) == body["clusters"]
    assert sum(r["staff_fte"] for r in body["by_kind"]) == approx(body["staff_fte"])
    # companies without a region are in no region's row
    no_region = sql_companies(sql, None)
    in_regions = tuple(sum(r[k] for r in body["by_region"]) for k in ("companies", "member_companies", "jobs"))
    unplaced = tuple(int(x) for x in sql(
        f"SELECT count(*), count(*) FILTER (WHERE {MEMBER}), "
        f"coalesce(sum(coalesce(c.employees, 0)) FILTER (WHERE {MEMBER}), 0) "
        f"FROM companies c WHERE c.region_code IS NULL").split("|"))
    assert tuple(a + b for a, b in zip(in_regions, unplaced)) == no_region
    for s in ("tpe", "pme", "eti", "ge"):
        row = size_row(body, s)
        n, m, j = (int(x) for x in sql(
            f"SELECT count(*), count(*) FILTER (WHERE {MEMBER}), "
            f"coalesce(sum(coalesce(c.employees, 0)) FILTER (WHERE {MEMBER}), 0) "
            f"FROM companies c WHERE c.size = '{s}'").split("|"))
        assert (row["companies"], row["member_companies"], row["jobs"]) == (n, m, j), s


def test_by_kind_agrees_with_the_cluster_list(api, sql):
    body = stats(api)
    for k in KINDS:
        row = kind_row(body, k)
        assert row["clusters"] == total(api, "/v1/clusters", kind=k), k
        fte = float(sql(f"SELECT coalesce(sum(staff_fte), 0) FROM clusters WHERE kind = '{k}'"))
        assert row["staff_fte"] == approx(fte), k


def test_by_region_agrees_with_the_lists(api, sql):
    body = stats(api)
    for row in body["by_region"]:
        code = row["code"]
        assert row["clusters"] == total(api, "/v1/clusters", region=code), code
        assert row["companies"] == total(api, "/v1/companies", region=code), code
        assert (row["companies"], row["member_companies"], row["jobs"]) == sql_companies(sql, [code]), code
        clusters, fte = sql_clusters(sql, [code])
        assert row["clusters"] == clusters and row["staff_fte"] == approx(fte), code


@pytest.mark.parametrize("regions", [["84"], ["27"], ["94"], ["84", "27"], ["11", "93", "01"]],
                         ids=lambda r: ",".join(r))
def test_region_narrows(api, admin_key, sql, regions):
    region = ",".join(regions)
    for key in (None, admin_key):
        now = utc_in()
        body = stats(api, key, region=region)
        assert body["region"] == regions
        assert body["clusters"] == total(api, "/v1/clusters", key, region=region)
        assert body["companies"] == total(api, "/v1/companies", key, region=region)
        assert body["projects"]["total"] == total(api, "/v1/projects", key, region=region)
        for s in STATUSES:
            assert body["projects"]["by_status"][s] == total(api, "/v1/projects", key, region=region, status=s), s
        assert body["upcoming_events"] == total(api, "/v1/events", key, region=region,
                                                **{"from": now, "status": "scheduled"})
        assert (body["companies"], body["member_companies"], body["jobs"]) == sql_companies(sql, regions)
        clusters, fte = sql_clusters(sql, regions)
        assert body["clusters"] == clusters
        assert body["staff_fte"] == approx(fte)
        # only the asked regions, in code order, with the same numbers as the whole network's rows
        assert [r["code"] for r in body["by_region"]] == sorted(regions)
        everything = stats(api, key)
        for r in body["by_region"]:
            assert r == region_row(everything, r["code"])
        assert sum(r["clusters"] for r in body["by_kind"]) == body["clusters"]
        assert sum(r["companies"] for r in body["by_size"]) == body["companies"]
        assert sum(r["jobs"] for r in body["by_size"]) == body["jobs"]
        assert body["clusters"] <= everything["clusters"]
        assert body["companies"] <= everything["companies"]


def test_a_region_without_anything_of_ours_is_consistent(api, sql):
    body = stats(api, region="06")
    row = body["by_region"][0]
    assert body["by_region"] == [row] and row["code"] == "06" and row["name"] == "Mayotte"
    assert (row["companies"], row["member_companies"], row["jobs"]) == sql_companies(sql, ["06"])
    assert row["clusters"] == body["clusters"] == total(api, "/v1/clusters", region="06")


# ---- the numbers move with the writes ----

def test_a_member_company_moves_member_companies_and_jobs(api, admin_key, make_cluster, make_company):
    before = stats(api, region="94")
    before_all = stats(api)
    c = make_cluster(kind="spl", region_codes=["94"], staff_fte=2.5)
    d = make_cluster(kind="spl", region_codes=["94"])
    after = stats(api, region="94")
    assert after["clusters"] == before["clusters"] + 2
    assert after["staff_fte"] == approx(before["staff_fte"] + 2.5)
    assert kind_row(after, "spl")["clusters"] == kind_row(before, "spl")["clusters"] + 2
    assert kind_row(after, "spl")["staff_fte"] == approx(kind_row(before, "spl")["staff_fte"] + 2.5)
    assert region_row(after, "94")["clusters"] == region_row(before, "94")["clusters"] + 2

    k = make_company(department_code="2A", employees=37)
    assert k["region_code"] == "94" and k["size"] == "pme"
    after = stats(api, region="94")
    assert after["companies"] == before["companies"] + 1
    assert (after["member_companies"], after["jobs"]) == (before["member_companies"], before["jobs"])
    assert size_row(after, "pme")["companies"] == size_row(before, "pme")["companies"] + 1

    r = api.put(f"/v1/clusters/{c['id']}/members/{k['id']}", {}, key=admin_key)
    assert r.status_code == 201, r.text
    after = stats(api, region="94")
    assert after["member_companies"] == before["member_companies"] + 1
    assert after["jobs"] == before["jobs"] + 37
    row, row0 = region_row(after, "94"), region_row(before, "94")
    assert (row["companies"], row["member_companies"], row["jobs"]) == \
        (row0["companies"] + 1, row0["member_companies"] + 1, row0["jobs"] + 37)
    s, s0 = size_row(after, "pme"), size_row(before, "pme")
    assert (s["member_companies"], s["jobs"]) == (s0["member_companies"] + 1, s0["jobs"] + 37)
    everything = stats(api)
    assert everything["member_companies"] == before_all["member_companies"] + 1
    assert everything["jobs"] == before_all["jobs"] + 37
    assert everything["companies"] == before_all["companies"] + 1

    # a second membership: still one member company
    assert api.put(f"/v1/clusters/{d['id']}/members/{k['id']}", {}, key=admin_key).status_code == 201
    after = stats(api, region="94")
    assert (after["member_companies"], after["jobs"]) == (before["member_companies"] + 1, before["jobs"] + 37)

    # more employees (and so another size): the jobs follow
    r = api.patch(f"/v1/companies/{k['id']}", {"employees": 300}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["size"] == "eti"
    after = stats(api, region="94")
    assert after["jobs"] == before["jobs"] + 300
    assert size_row(after, "pme")["companies"] == size_row(before, "pme")["companies"]
    assert size_row(after, "eti")["member_companies"] == size_row(before, "eti")["member_companies"] + 1
    assert size_row(after, "eti")["jobs"] == size_row(before, "eti")["jobs"] + 300

    # memberships ended: a company again, no longer a member
    for cl in (c, d):
        assert api.delete(f"/v1/clusters/{cl['id']}/members/{k['id']}", key=admin_key).status_code == 204
    after = stats(api, region="94")
    assert (after["companies"], after["member_companies"], after["jobs"]) == \
        (before["companies"] + 1, before["member_companies"], before["jobs"])

    # deleted: back where it started
    assert api.delete(f"/v1/companies/{k['id']}", key=admin_key).status_code == 204
    after = stats(api, region="94")
    assert (after["companies"], after["member_companies"], after["jobs"]) == \
        (before["companies"], before["member_companies"], before["jobs"])


def test_a_member_company_without_employees_counts_no_job(api, admin_key, make_cluster, make_company):
    c = make_cluster(region_codes=["94"])
    before = stats(api, region="94")
    k = make_company(region_code="94")
    assert k["employees"] is None
    assert api.put(f"/v1/clusters/{c['id']}/members/{k['id']}", {}, key=admin_key).status_code == 201
    after = stats(api, region="94")
    assert after["member_companies"] == before["member_companies"] + 1
    assert after["jobs"] == before["jobs"]
    assert size_row(after, None)["member_companies"] == size_row(before, None)["member_companies"] + 1


def test_a_member_elsewhere_counts_in_its_own_region(api, admin_key, make_cluster, make_company):
    # the cluster is in Corsica, the company in Brittany: the company counts for region 53
    c = make_cluster(region_codes=["94"])
    before94, before53 = stats(api, region="94"), stats(api, region="53")
    k = make_company(region_code="53", employees=5)
    assert api.put(f"/v1/clusters/{c['id']}/members/{k['id']}", {}, key=admin_key).status_code == 201
    after94, after53 = stats(api, region="94"), stats(api, region="53")
    assert (after94["companies"], after94["member_companies"], after94["jobs"]) == \
        (before94["companies"], before94["member_companies"], before94["jobs"])
    assert (after53["companies"], after53["member_companies"], after53["jobs"]) == \
        (before53["companies"] + 1, before53["member_companies"] + 1, before53["jobs"] + 5)


def test_projects_and_upcoming_events_move(api, admin_key, reader_key, make_cluster, make_event):
    c = make_cluster(region_codes=["94"])
    before_anon, before_key = stats(api, region="94"), stats(api, reader_key, region="94")
    r = api.post("/v1/projects", {"title": "Stats project", "category": "pooling", "lead_cluster_id": c["id"],
                                  "status": "running"}, key=admin_key)
    assert r.status_code == 201, r.text
    try:
        after = stats(api, region="94")
        assert after["projects"]["total"] == before_anon["projects"]["total"] + 1
        assert after["projects"]["by_status"]["running"] == before_anon["projects"]["by_status"]["running"] + 1
        assert after["projects"]["by_status"]["idea"] == before_anon["projects"]["by_status"]["idea"]
    finally:
        api.delete(f"/v1/projects/{r.json()['id']}", key=admin_key)

    make_event(organizer_cluster_id=c["id"], starts_at=utc_in(days=10), ends_at=utc_in(days=10, hours=2))
    make_event(organizer_cluster_id=c["id"], starts_at=utc_in(days=11), ends_at=utc_in(days=11, hours=2),
               public=False)
    make_event(organizer_cluster_id=c["id"], starts_at=utc_in(days=12), ends_at=utc_in(days=12, hours=2),
               status="cancelled")
    make_event(organizer_cluster_id=c["id"], starts_at=utc_in(days=-3), ends_at=utc_in(days=-3, hours=2))  # past
    anon, keyed = stats(api, region="94"), stats(api, reader_key, region="94")
    assert anon["upcoming_events"] == before_anon["upcoming_events"] + 1          # the public one
    assert keyed["upcoming_events"] == before_key["upcoming_events"] + 2         # and the private one
    now = utc_in()
    assert anon["upcoming_events"] == total(api, "/v1/events", None, region="94",
                                            **{"from": now, "status": "scheduled"})
    assert keyed["upcoming_events"] == total(api, "/v1/events", reader_key, region="94",
                                             **{"from": now, "status": "scheduled"})


# ---- errors ----

@pytest.mark.parametrize("params", [{"region": "99"}, {"region": "8"}, {"region": "84,99"}, {"region": ""},
                                    {"region": "2A"}, {"colour": "red"}, {"format": "csv"}, {"year": "2025"}],
                         ids=lambda p: json.dumps(p))
def test_bad_parameters_are_400(api, params):
    problem(api.get(STATS, params=params), 400, "invalid_query")


@pytest.mark.parametrize("accept", ["text/csv", "application/xml", "application/x-ndjson", "application/geo+json"])
def test_json_only(api, accept):
    problem(api.get(STATS, headers={"Accept": accept}), 406, "not_acceptable")


def test_accept_json_and_wildcards(api):
    for accept in ("application/json", "*/*", "application/*"):
        r = api.get(STATS, headers={"Accept": accept})
        assert r.status_code == 200, accept
