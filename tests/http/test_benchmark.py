"""GET /v1/benchmark (issue 6): the distribution of each yearly indicator and ratio among the
clusters that declared the year (count, min, quartiles, max by continuous percentiles), a
cluster's own value and percentile, kind and region filters, roles, parameters and the CSV
form. For everyone but admins (issue 15) a group of fewer than 5 values is withheld, and min
and max (single clusters' figures) are null: the tests of the arithmetic read as an admin.

Each test builds its own peer group in a year of its own (1991..2006): the demo data
declares the three years before the year it is loaded in (DEMO_YEAR is the last of them)
and the indicator tests stay out of these years. make_cluster
deletes the clusters, and with them their declarations."""

import csv
import datetime
import io

import pytest

from conftest import DEMO_01, DEMO_02, problem

BENCH = "/v1/benchmark"
MISSING = "00000000-0000-4000-8000-000000000000"
CURRENT = datetime.datetime.now(datetime.timezone.utc).year
DEMO_YEAR = CURRENT - 1
NAMES = ["members", "staff_fte", "budget_eur", "public_funding_eur", "projects_started", "events_held",
         "public_funding_share", "members_per_staff_fte", "sme_share"]
STATS = ("min", "p25", "median", "p75", "max")


def approx(x):
    return pytest.approx(x, abs=1e-9)


def bench(api, key=None, **params):
    r = api.get(BENCH, params=params, key=key)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "application/json"
    body = r.json()
    assert [i["indicator"] for i in body["indicators"]] == NAMES
    return body


def ind(body, name):
    return next(i for i in body["indicators"] if i["indicator"] == name)


def dist(body, name):
    """(count, min, p25, median, p75, max) of an indicator."""
    i = ind(body, name)
    return (i["count"],) + tuple(i[k] for k in STATS)


def assert_dist(body, name, count, *five):
    i = ind(body, name)
    assert i["count"] == count, (name, i)
    if not five:
        assert all(i[k] is None for k in STATS), (name, i)
        return
    for k, v in zip(STATS, five):
        assert i[k] == approx(v), (name, k, i)


def assert_public_dist(body, name, count, *three):
    """As a caller other than an admin sees it: the quartiles (or nothing), never min or max."""
    i = ind(body, name)
    assert i["count"] == count, (name, i)
    assert i["min"] is None and i["max"] is None, (name, i)
    if not three:
        assert all(i[k] is None for k in STATS), (name, i)
        return
    for k, v in zip(("p25", "median", "p75"), three):
        assert i[k] == approx(v), (name, k, i)


@pytest.fixture
def peer(api, admin_key, make_cluster):
    """peer(year, kind=..., region_codes=..., **indicators) -> a new cluster that declared
    these indicators for that year."""
    def create(year, kind="cluster", region_codes=(), **values):
        c = make_cluster(kind=kind, region_codes=list(region_codes))
        r = api.put(f"/v1/clusters/{c['id']}/indicators/{year}", values, key=admin_key)
        assert r.status_code == 201, r.text
        return c
    return create


def member(api, key, cluster_id, company_id, joined_on):
    r = api.put(f"/v1/clusters/{cluster_id}/members/{company_id}", {"joined_on": joined_on}, key=key)
    assert r.status_code == 201, r.text
    return r.json()


# ---- distributions ----

def test_five_values_give_known_quartiles(api, admin_key, peer):
    for m in (30, 10, 50, 20, 40):
        peer(1991, members=m)
    body = bench(api, admin_key, year=1991)
    assert body["year"] == 1991
    assert body["kind"] is None and body["region"] is None
    assert body["clusters"] == 5
    assert body["min_group_size"] == 1
    assert "cluster" not in body
    assert_dist(body, "members", 5, 10, 20, 30, 40, 50)
    for name in NAMES[1:]:
        assert_dist(body, name, 0)
    for i in body["indicators"]:
        assert "value" not in i and "percentile" not in i
    # the public sees the quartiles of these five, not the lowest and highest cluster's figure
    body = bench(api, year=1991)
    assert body["min_group_size"] == 5
    assert_public_dist(body, "members", 5, 20, 30, 40)


def test_four_values_interpolate(api, admin_key, peer):
    for v in (4, 1, 3, 2):
        peer(1992, members=v, staff_fte=v, projects_started=v * 10, events_held=v)
    body = bench(api, admin_key, year=1992)
    assert body["clusters"] == 4
    assert_dist(body, "members", 4, 1, 1.75, 2.5, 3.25, 4)
    assert_dist(body, "staff_fte", 4, 1, 1.75, 2.5, 3.25, 4)
    assert_dist(body, "projects_started", 4, 10, 17.5, 25, 32.5, 40)
    assert_dist(body, "events_held", 4, 1, 1.75, 2.5, 3.25, 4)
    # members / staff = 1 for each of them
    assert_dist(body, "members_per_staff_fte", 4, 1, 1, 1, 1, 1)
    assert_dist(body, "budget_eur", 0)


def test_groups_smaller_than_five_are_withheld_but_for_admins(api, admin_key, reader_key, manager_key, peer):
    for m in (5, 7, 9):
        peer(1994, members=m, staff_fte=m / 10)
    peer(1994, members=11, budget_eur=1000)
    not_admins = (None, reader_key, manager_key)
    for key in not_admins:
        body = bench(api, key, year=1994)
        assert body["clusters"] == 4 and body["min_group_size"] == 5
        assert_public_dist(body, "members", 4)
        assert_public_dist(body, "staff_fte", 3)
        assert_public_dist(body, "budget_eur", 1)
        assert_public_dist(body, "events_held", 0)
    # an admin sees every group, down to a single value
    body = bench(api, admin_key, year=1994)
    assert body["min_group_size"] == 1
    assert_dist(body, "members", 4, 5, 6.5, 8, 9.5, 11)
    assert_dist(body, "staff_fte", 3, 0.5, 0.6, 0.7, 0.8, 0.9)
    assert_dist(body, "budget_eur", 1, 1000, 1000, 1000, 1000, 1000)
    assert_dist(body, "events_held", 0)
    # a fifth declaration, with no staff: members shown (quartiles only), staff still withheld
    peer(1994, members=13, budget_eur=2000)
    for key in not_admins:
        body = bench(api, key, year=1994)
        assert body["clusters"] == 5
        assert_public_dist(body, "members", 5, 7, 9, 11)
        assert_public_dist(body, "staff_fte", 3)
        assert_public_dist(body, "budget_eur", 2)
    # a declaration of nothing still makes the cluster a peer, counting for no indicator
    peer(1994)
    body = bench(api, year=1994)
    assert body["clusters"] == 6
    assert ind(body, "members")["count"] == 5


def test_a_year_nobody_declared(api):
    body = bench(api, year=1998)
    assert body["year"] == 1998 and body["clusters"] == 0
    for name in NAMES:
        assert_dist(body, name, 0)
    r = api.get(BENCH, params={"year": 1998, "format": "csv"})
    assert r.status_code == 200, r.text
    lines = r.text.split("\r\n")
    assert lines[0] == "indicator,count,min,p25,median,p75,max"
    assert lines[1:10] == [f"{n},0,,,,," for n in NAMES]


def test_numbers_are_rounded_to_four_decimals(api, admin_key, peer):
    for m, s in ((10, 3), (20, 3), (40, 3)):
        peer(2001, members=m, staff_fte=s, budget_eur=3, public_funding_eur=1)
    body = bench(api, admin_key, year=2001)
    # 10/3, 20/3, 40/3
    assert_dist(body, "members_per_staff_fte", 3, 3.3333, 5.0, 6.6667, 10.0, 13.3333)
    assert_dist(body, "public_funding_share", 3, 0.3333, 0.3333, 0.3333, 0.3333, 0.3333)


def test_ratios(api, admin_key, peer, make_company, sql):
    """public_funding_share = public / budget (budget > 0); members_per_staff_fte = members /
    staff (staff > 0); sme_share = tpe and pme among members of known size on 31 December."""
    a = peer(1993, members=10, staff_fte=3, budget_eur=300, public_funding_eur=100)
    b = peer(1993, members=20, staff_fte=4, budget_eur=1000, public_funding_eur=250)
    c = peer(1993, members=30, staff_fte=0, budget_eur=0, public_funding_eur=0)
    d = peer(1993, members=40, staff_fte=8, budget_eur=800, public_funding_eur=800)
    e = peer(1993, staff_fte=2, budget_eur=100)
    # a: tpe, pme, eti and one of unknown size -> 2/3
    for size in ("tpe", "pme", "eti", None):
        k = make_company(size=size) if size else make_company()
        member(api, admin_key, a["id"], k["id"], "1990-01-01")
    # b: two large companies -> 0
    for _ in range(2):
        member(api, admin_key, b["id"], make_company(size="ge")["id"], "1991-06-01")
    # c: a pme member, a tpe that left in 1992, a tpe that joined in 1995 -> 1
    member(api, admin_key, c["id"], make_company(size="pme")["id"], "1993-12-31")
    gone = member(api, admin_key, c["id"], make_company(size="tpe")["id"], "1990-01-01")
    sql(f"UPDATE memberships SET left_on = '1992-03-01' WHERE id = '{gone['id']}'")
    member(api, admin_key, c["id"], make_company(size="tpe")["id"], "1995-01-01")
    # d: members of unknown size only -> null; e: no member -> null
    member(api, admin_key, d["id"], make_company()["id"], "1990-01-01")

    body = bench(api, admin_key, year=1993)
    assert body["clusters"] == 5
    assert_dist(body, "members", 4, 10, 17.5, 25, 32.5, 40)
    assert_dist(body, "staff_fte", 5, 0, 2, 3, 4, 8)
    # 1/3, 1/4, 1 (c's budget is 0, e has no public funding)
    assert_dist(body, "public_funding_share", 3, 0.25, 0.2917, 0.3333, 0.6667, 1)
    # 10/3, 20/4, 40/8 (c's staff is 0, e has no members)
    assert_dist(body, "members_per_staff_fte", 3, 3.3333, 4.1667, 5, 5, 5)
    # 2/3, 0, 1
    assert_dist(body, "sme_share", 3, 0, 0.3333, 0.6667, 0.8333, 1)

    mine = bench(api, admin_key, year=1993, cluster=a["id"])
    assert ind(mine, "public_funding_share")["value"] == approx(0.3333)
    assert ind(mine, "members_per_staff_fte")["value"] == approx(3.3333)
    assert ind(mine, "sme_share")["value"] == approx(0.6667)
    assert ind(mine, "public_funding_share")["percentile"] == approx(50)   # above b, below d
    assert ind(mine, "sme_share")["percentile"] == approx(50)              # above b, below c
    assert ind(mine, "members_per_staff_fte")["percentile"] == approx(0)
    none = bench(api, admin_key, year=1993, cluster=e["id"])
    for name in ("members", "public_funding_share", "members_per_staff_fte", "sme_share"):
        assert ind(none, name)["value"] is None, name
        assert ind(none, name)["percentile"] is None, name
    assert ind(none, "staff_fte")["value"] == approx(2)
    assert ind(none, "staff_fte")["percentile"] == approx(25)  # above c (0); b, a, d higher
    assert none["cluster"]["in_group"] is True


# ---- a cluster's value and percentile ----

def test_value_and_percentile(api, admin_key, reader_key, peer):
    cs = {m: peer(1995, members=m, staff_fte=1) for m in (10, 20, 30, 40, 50)}
    for m, expected in ((50, 100), (10, 0), (30, 50), (20, 25), (40, 75)):
        body = bench(api, admin_key, year=1995, cluster=cs[m]["id"])
        assert body["cluster"] == {"id": cs[m]["id"], "name": cs[m]["name"], "in_group": True}
        assert body["clusters"] == 5
        i = ind(body, "members")
        assert i["value"] == m
        assert i["percentile"] == approx(expected), m
        # the distribution is the group's, whoever asks
        assert_dist(body, "members", 5, 10, 20, 30, 40, 50)
        # everybody has the same staff: nobody else strictly lower
        assert ind(body, "staff_fte")["value"] == 1
        assert ind(body, "staff_fte")["percentile"] == approx(0)
        # not declared: null value and percentile
        assert ind(body, "budget_eur")["value"] is None and ind(body, "budget_eur")["percentile"] is None
        for j in body["indicators"]:
            assert "value" in j and "percentile" in j
    # a reader sees the same, but for min and max
    as_reader = bench(api, reader_key, year=1995, cluster=cs[30]["id"])
    as_admin = bench(api, admin_key, year=1995, cluster=cs[30]["id"])
    assert as_reader["min_group_size"] == 5 and as_admin["min_group_size"] == 1
    for r_, a_ in zip(as_reader["indicators"], as_admin["indicators"]):
        assert r_["min"] is None and r_["max"] is None
        assert r_ == dict(a_, min=None, max=None)
    assert {k: v for k, v in as_reader.items() if k not in ("indicators", "min_group_size")} == \
        {k: v for k, v in as_admin.items() if k not in ("indicators", "min_group_size")}


def test_percentile_with_ties_counts_strictly_lower_others(api, admin_key, peer):
    a = peer(1999, members=20)
    peer(1999, members=10)
    peer(1999, members=20)
    peer(1999, members=30)
    body = bench(api, admin_key, year=1999, cluster=a["id"])
    # the others are 10, 20, 30: one strictly lower of three
    assert ind(body, "members")["percentile"] == approx(33.3)


def test_cluster_that_did_not_declare_the_year(api, admin_key, peer, make_cluster):
    for m in (10, 20, 30):
        peer(2002, members=m)
    other = make_cluster()
    body = bench(api, admin_key, year=2002, cluster=other["id"])
    assert body["cluster"] == {"id": other["id"], "name": other["name"], "in_group": False}
    assert body["clusters"] == 3
    for i in body["indicators"]:
        assert i["value"] is None and i["percentile"] is None
    assert_dist(body, "members", 3, 10, 15, 20, 25, 30)


def test_small_group_hides_the_percentile_but_not_the_value(api, admin_key, reader_key, make_key, peer):
    a = peer(2003, members=10, staff_fte=2)
    for m in (20, 30, 40):
        peer(2003, members=m)
    _, own = make_key("manager", clusters=[a["id"]])
    for key in (reader_key, own):
        body = bench(api, key, year=2003, cluster=a["id"])
        i = ind(body, "members")
        assert i["count"] == 4 and i["value"] == 10
        assert i["percentile"] is None
        assert all(i[k] is None for k in STATS)
        assert ind(body, "staff_fte")["value"] == 2 and ind(body, "staff_fte")["percentile"] is None
    # an admin sees the group and the percentile; alone in its group, a cluster has none
    body = bench(api, admin_key, year=2003, cluster=a["id"])
    assert ind(body, "members")["percentile"] == approx(0)
    assert_dist(body, "members", 4, 10, 17.5, 25, 32.5, 40)
    staff = ind(body, "staff_fte")
    assert staff["count"] == 1 and staff["value"] == 2 and staff["percentile"] is None
    assert_dist(body, "staff_fte", 1, 2, 2, 2, 2, 2)


def test_value_whatever_the_filters(api, admin_key, peer):
    for m in (10, 20, 30, 40):
        peer(1996, kind="spl", region_codes=["84"], members=m)
    outsider = peer(1996, kind="other", region_codes=["27"], members=35)
    body = bench(api, admin_key, year=1996, kind="spl", cluster=outsider["id"])
    assert body["cluster"]["in_group"] is False
    assert body["clusters"] == 4
    assert_dist(body, "members", 4, 10, 17.5, 25, 32.5, 40)
    i = ind(body, "members")
    assert i["value"] == 35
    assert i["percentile"] == approx(75)  # 10, 20, 30 of the 4 peers are lower
    body = bench(api, admin_key, year=1996, region="84", cluster=outsider["id"])
    assert body["cluster"]["in_group"] is False and ind(body, "members")["value"] == 35
    body = bench(api, admin_key, year=1996, cluster=outsider["id"])
    assert body["cluster"]["in_group"] is True and body["clusters"] == 5
    assert ind(body, "members")["percentile"] == approx(75)  # 4 others, 3 lower


# ---- filters ----

def test_kind_and_region_filters_narrow_the_group(api, admin_key, peer):
    peer(1997, kind="spl", region_codes=["84"], members=10)
    peer(1997, kind="spl", region_codes=["27"], members=20)
    peer(1997, kind="other", region_codes=["84"], members=30)
    peer(1997, kind="cluster", region_codes=["84", "27"], members=40)
    peer(1997, kind="pole_competitivite", region_codes=["11"], members=50)
    peer(1997, kind="grappe_entreprises", members=60)  # no region
    body = bench(api, year=1997)
    assert body["clusters"] == 6
    assert_public_dist(body, "members", 6, 22.5, 35, 47.5)
    # a filter that narrows the group below 5 withholds it from the public
    body = bench(api, year=1997, region="84")
    assert body["clusters"] == 3
    assert_public_dist(body, "members", 3)
    # the arithmetic of each filter, as an admin
    body = bench(api, admin_key, year=1997)
    assert_dist(body, "members", 6, 10, 22.5, 35, 47.5, 60)

    body = bench(api, admin_key, year=1997, kind="spl")
    assert body["kind"] == ["spl"] and body["region"] is None
    assert body["clusters"] == 2
    assert_dist(body, "members", 2, 10, 12.5, 15, 17.5, 20)

    body = bench(api, admin_key, year=1997, kind="spl,other")
    assert body["kind"] == ["spl", "other"]
    assert body["clusters"] == 3
    assert_dist(body, "members", 3, 10, 15, 20, 25, 30)

    body = bench(api, admin_key, year=1997, region="84")
    assert body["region"] == ["84"] and body["kind"] is None
    assert body["clusters"] == 3
    assert_dist(body, "members", 3, 10, 20, 30, 35, 40)

    body = bench(api, admin_key, year=1997, region="27")
    assert body["clusters"] == 2
    assert_dist(body, "members", 2, 20, 25, 30, 35, 40)

    body = bench(api, admin_key, year=1997, region="27,11")
    assert body["region"] == ["27", "11"]
    assert body["clusters"] == 3
    assert_dist(body, "members", 3, 20, 30, 40, 45, 50)

    body = bench(api, admin_key, year=1997, kind="spl,cluster", region="84")
    assert body["kind"] == ["spl", "cluster"] and body["region"] == ["84"]
    assert body["clusters"] == 2

    body = bench(api, admin_key, year=1997, kind="spl", region="11")
    assert body["clusters"] == 0
    assert_dist(body, "members", 0)


def test_only_the_asked_year_counts(api, admin_key, peer):
    cs = [peer(2004, members=m) for m in (1, 2, 3)]
    # another cluster that declared another year only, and a peer's other year
    peer(1990, members=100)
    assert api.put(f"/v1/clusters/{cs[0]['id']}/indicators/1990", {"members": 1000}, key=admin_key).status_code == 201
    body = bench(api, admin_key, year=2004)
    assert body["clusters"] == 3
    assert_dist(body, "members", 3, 1, 1.5, 2, 2.5, 3)
    body = bench(api, admin_key, year=1990)
    assert body["clusters"] == 2
    assert_dist(body, "members", 2, 100, 325, 550, 775, 1000)
    # a declaration deleted leaves the group
    assert api.delete(f"/v1/clusters/{cs[2]['id']}/indicators/2004", key=admin_key).status_code == 204
    body = bench(api, admin_key, year=2004)
    assert body["clusters"] == 2
    assert_dist(body, "members", 2, 1, 1.25, 1.5, 1.75, 2)


def test_default_year_is_last_year(api):
    assert bench(api)["year"] == CURRENT - 1
    assert bench(api, year=CURRENT + 1)["year"] == CURRENT + 1
    assert bench(api, year=1990)["year"] == 1990


def test_demo_group_is_there(api):
    body = bench(api, year=DEMO_YEAR)
    assert body["clusters"] >= 16
    assert ind(body, "members")["count"] >= 16
    assert ind(body, "members")["median"] is not None


# ---- parameters ----

@pytest.mark.parametrize("params,field", [
    ({"year": "1989"}, "year"),
    ({"year": str(CURRENT + 2)}, "year"),
    ({"year": "abc"}, "year"),
    ({"year": "2020.5"}, "year"),
    ({"year": ""}, "year"),
    ({"kind": "widget"}, "kind"),
    ({"kind": "spl,widget"}, "kind"),
    ({"kind": "SPL"}, "kind"),
    ({"kind": ""}, "kind"),
    ({"region": "99"}, "region"),
    ({"region": "84,8"}, "region"),
    ({"region": ""}, "region"),
    ({"cluster": "not-a-uuid"}, "cluster"),
    ({"cluster": "c1000000-0000-4000-8000-00000000001"}, "cluster"),
    ({"colour": "red"}, "colour"),
    ({"limit": "10"}, "limit"),
], ids=lambda v: str(v))
def test_bad_parameters_are_400(api, admin_key, params, field):
    body = problem(api.get(BENCH, params=params, key=admin_key), 400, "invalid_query")
    assert field in [e["field"] for e in body.get("errors") or []] or field in body["detail"]


def test_unknown_cluster_is_404(api, admin_key, reader_key):
    problem(api.get(BENCH, params={"cluster": MISSING}, key=admin_key), 404, "not_found")
    problem(api.get(BENCH, params={"cluster": MISSING, "year": 2020}, key=reader_key), 404, "not_found")


# ---- roles ----

def test_public_without_cluster(api, reader_key, manager_key, admin_key):
    anonymous = bench(api, year=DEMO_YEAR)
    for key in (reader_key, manager_key):
        assert bench(api, key, year=DEMO_YEAR) == anonymous
    # an admin sees more (min and max), never less
    full = bench(api, admin_key, year=DEMO_YEAR)
    for pub, adm in zip(anonymous["indicators"], full["indicators"]):
        assert pub["min"] is None and pub["max"] is None
        assert adm["min"] is not None and adm["max"] is not None
        assert pub == dict(adm, min=None, max=None)


def test_min_and_max_are_for_admins_only(api, admin_key, reader_key, manager_key, make_key, peer):
    cs = [peer(2006, members=m, staff_fte=m / 10) for m in (10, 20, 30, 40, 50, 60)]
    _, own = make_key("manager", clusters=[cs[0]["id"]])
    for key, params in ((None, {}), (reader_key, {}), (manager_key, {}), (reader_key, {"cluster": cs[0]["id"]}),
                        (own, {"cluster": cs[0]["id"]})):
        body = bench(api, key, year=2006, **params)
        assert_public_dist(body, "members", 6, 22.5, 35, 47.5)
        assert_public_dist(body, "staff_fte", 6, 2.25, 3.5, 4.75)
        for i in body["indicators"]:
            assert i["min"] is None and i["max"] is None
        # the CSV keeps its columns, with empty cells
        rows = _rows(api.get(BENCH, params=dict(params, year=2006, format="csv"), key=key))
        assert rows[0][:7] == ["indicator", "count", "min", "p25", "median", "p75", "max"]
        by = {row[0]: row for row in rows[1:]}
        assert by["members"][1:7] == ["6", "", "22.5", "35", "47.5", ""]
    body = bench(api, admin_key, year=2006, cluster=cs[0]["id"])
    assert_dist(body, "members", 6, 10, 22.5, 35, 47.5, 60)
    by = {row[0]: row for row in _rows(api.get(BENCH, params={"year": 2006, "format": "csv"}, key=admin_key))[1:]}
    assert by["members"][1:7] == ["6", "10", "22.5", "35", "47.5", "60"]


def test_with_cluster_roles(api, admin_key, reader_key, manager_key, manager02_key, make_key, peer):
    c = peer(2000, members=10)
    _, own = make_key("manager", clusters=[c["id"]])
    problem(api.get(BENCH, params={"cluster": c["id"], "year": 2000}), 401, "unauthorized")
    for key in (manager_key, manager02_key):
        problem(api.get(BENCH, params={"cluster": c["id"], "year": 2000}, key=key), 403, "forbidden")
    for key in (admin_key, reader_key, own):
        body = bench(api, key, cluster=c["id"], year=2000)
        assert body["cluster"]["id"] == c["id"] and ind(body, "members")["value"] == 10
    # a manager on its own demo cluster
    body = bench(api, manager_key, cluster=DEMO_01, year=DEMO_YEAR)
    assert body["cluster"]["id"] == DEMO_01 and body["cluster"]["in_group"] is True
    assert ind(body, "members")["value"] == 310
    problem(api.get(BENCH, params={"cluster": DEMO_01}, key=manager02_key), 403, "forbidden")
    assert bench(api, manager02_key, cluster=DEMO_02, year=DEMO_YEAR)["cluster"]["id"] == DEMO_02


# ---- formats ----

def _rows(r):
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "text/csv"
    assert r.content.endswith(b"\r\n")
    return list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))


def test_csv(api, admin_key, peer):
    cs = {m: peer(2005, members=m, staff_fte=m / 10) for m in (10, 20, 30, 40, 50)}
    peer(2005, members=60)  # no staff
    r = api.get(BENCH, params={"year": 2005, "format": "csv"}, key=admin_key)
    rows = _rows(r)
    assert r.text.split("\r\n")[0] == "indicator,count,min,p25,median,p75,max"
    assert rows[0] == ["indicator", "count", "min", "p25", "median", "p75", "max"]
    assert [row[0] for row in rows[1:]] == NAMES
    by = {row[0]: row for row in rows[1:]}
    assert by["members"][1] == "6"
    assert [float(x) for x in by["members"][2:]] == [10, 22.5, 35, 47.5, 60]
    assert by["staff_fte"][1] == "5"
    assert [float(x) for x in by["staff_fte"][2:]] == [1, 2, 3, 4, 5]
    assert by["budget_eur"] == ["budget_eur", "0", "", "", "", "", ""]
    # members / staff = 10 for each of the five
    assert [float(x) for x in by["members_per_staff_fte"][1:]] == [5, 10, 10, 10, 10, 10]
    # the same as Accept: text/csv, and the same numbers as the JSON
    assert api.get(BENCH, params={"year": 2005}, headers={"Accept": "text/csv"}, key=admin_key).content == r.content
    body = bench(api, admin_key, year=2005)
    for name in NAMES:
        i = ind(body, name)
        assert int(by[name][1]) == i["count"]
        assert [float(x) if x else None for x in by[name][2:]] == [i[k] for k in STATS]

    r = api.get(BENCH, params={"year": 2005, "format": "csv", "cluster": cs[10]["id"]}, key=admin_key)
    rows = _rows(r)
    assert rows[0] == ["indicator", "count", "min", "p25", "median", "p75", "max", "value", "percentile"]
    by = {row[0]: row for row in rows[1:]}
    assert [row[0] for row in rows[1:]] == NAMES
    assert float(by["members"][7]) == 10 and float(by["members"][8]) == 0
    assert float(by["staff_fte"][7]) == 1 and float(by["staff_fte"][8]) == 0
    assert by["budget_eur"] == ["budget_eur", "0", "", "", "", "", "", "", ""]
    r = api.get(BENCH, params={"year": 2005, "format": "csv", "cluster": cs[50]["id"]}, key=admin_key)
    by = {row[0]: row for row in _rows(r)[1:]}
    assert float(by["members"][7]) == 50 and float(by["members"][8]) == 80  # 10..40 of the 5 others
    problem(api.get(BENCH, params={"year": 2005, "format": "csv", "cluster": cs[10]["id"]}), 401, "unauthorized")


@pytest.mark.parametrize("params,headers", [
    ({"format": "ndjson"}, {}),
    ({"format": "geojson"}, {}),
    ({"format": "ics"}, {}),
    ({}, {"Accept": "application/xml"}),
    ({}, {"Accept": "application/x-ndjson"}),
    ({}, {"Accept": "application/geo+json"}),
    ({}, {"Accept": "text/calendar"}),
])
def test_other_formats_are_406(api, params, headers):
    problem(api.get(BENCH, params=dict(params, year=DEMO_YEAR), headers=headers), 406, "not_acceptable")


def test_format_json_and_accept_json(api):
    a = api.get(BENCH, params={"year": DEMO_YEAR, "format": "json"}, headers={"Accept": "text/csv"})
    assert a.status_code == 200 and a.headers["Content-Type"].split(";")[0] == "application/json"
    b = api.get(BENCH, params={"year": DEMO_YEAR}, headers={"Accept": "application/json"})
    assert a.json() == b.json()
