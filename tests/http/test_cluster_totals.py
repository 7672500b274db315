"""Issue 17: a cluster's member_count and jobs, and the benchmark's sme_share of a past year,
are kept as deltas on write (migration 0020) instead of counted per read. They stay exact
(test_company_stats.py checks the invariants after every kind of write), the benchmark of a
past year equals the direct count, and writers of one cluster still never wait for each
other: neither for a membership nor for the folding of the deltas."""
import datetime
import threading
import time

import pytest

from conftest import PsqlSession as Session, new_siret, unique_word
from test_company_stats import assert_consistent


def member(api, key, cluster_id, company_id, **body):
    r = api.put(f"/v1/clusters/{cluster_id}/members/{company_id}", body, key=key)
    assert r.status_code in (200, 201), r.text
    return r.json()


def cluster(api, cid):
    return api.get(f"/v1/clusters/{cid}").json()


def test_list_and_item_show_the_kept_totals(api, admin_key, sql, make_cluster, make_company):
    c = make_cluster()
    cos = [make_company(employees=e) for e in (3, 7, None, 40)]
    for co in cos:
        member(api, admin_key, c["id"], co["id"])
    got = cluster(api, c["id"])
    assert (got["member_count"], got["jobs"]) == (4, 50)
    listed = {x["id"]: x for x in api.get("/v1/clusters", params={"limit": 100, "q": c["name"]}).json()["items"]}
    assert (listed[c["id"]]["member_count"], listed[c["id"]]["jobs"]) == (4, 50)
    # the other formats read the same columns
    csv_text = api.get("/v1/clusters", params={"q": c["name"], "format": "csv"}).text
    assert "member_count" in csv_text.splitlines()[0]
    assert_consistent(sql)


def test_many_deltas_are_folded_without_changing_a_number(api, admin_key, sql, make_cluster, make_company):
    c = make_cluster()
    cos = [make_company(employees=i) for i in range(1, 31)]
    for co in cos:  # one statement each: one delta row each
        member(api, admin_key, c["id"], co["id"], joined_on="2015-03-01")
    # the server's own session folds them within a second or two, whatever the reads do
    deadline = time.monotonic() + 10
    while True:
        rows = int(sql(f"SELECT count(*) FROM cluster_totals WHERE cluster_id = '{c['id']}'"))
        if rows <= 16 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert rows <= 16, rows
    got = cluster(api, c["id"])
    assert (got["member_count"], got["jobs"]) == (30, sum(range(1, 31)))
    for co in cos[:10]:
        assert api.delete(f"/v1/clusters/{c['id']}/members/{co['id']}", key=admin_key).status_code == 204
    got = cluster(api, c["id"])
    assert (got["member_count"], got["jobs"]) == (20, sum(range(11, 31)))
    assert_consistent(sql)


def test_history_and_sizes_move_the_years(api, admin_key, sql, make_cluster, make_company):
    """Memberships with past dates, a left_on, a change of dates, a change of size, a company
    deleted and a cluster deleted: the members by size at each year's end follow."""
    c, other = make_cluster(), make_cluster()
    tpe = make_company(size="tpe", employees=5)
    eti = make_company(size="eti", employees=900)
    unknown = make_company()
    member(api, admin_key, c["id"], tpe["id"], joined_on="2001-05-01")
    m = member(api, admin_key, c["id"], eti["id"], joined_on="2003-01-01")
    member(api, admin_key, c["id"], unknown["id"], joined_on="1999-01-01")
    member(api, admin_key, other["id"], tpe["id"])
    assert_consistent(sql)
    # the eti left in 2010 (as an admin tool would record it), then its dates were corrected
    sql(f"UPDATE memberships SET left_on = '2010-06-30' WHERE id = '{m['id']}'")
    assert_consistent(sql)
    sql(f"UPDATE memberships SET joined_on = '2005-01-01', left_on = '2012-01-01' WHERE id = '{m['id']}'")
    assert_consistent(sql)
    # sizes change: every year of every membership of the company moves
    r = api.patch(f"/v1/companies/{eti['id']}", {"size": "pme"}, key=admin_key)
    assert r.status_code == 200, r.text
    r = api.patch(f"/v1/companies/{unknown['id']}", {"employees": 12}, key=admin_key)  # size derived: pme
    assert r.status_code == 200, r.text
    assert_consistent(sql)
    assert api.delete(f"/v1/companies/{tpe['id']}", key=admin_key).status_code == 204
    assert_consistent(sql)
    assert api.delete(f"/v1/clusters/{other['id']}", key=admin_key).status_code == 204
    assert_consistent(sql)


def test_past_year_benchmark_equals_the_direct_count(api, admin_key, sql, make_cluster, make_company):
    year = datetime.date.today().year - 3
    peers = [make_cluster() for _ in range(5)]
    sizes = ("tpe", "pme", "eti", "ge", None)
    for i, p in enumerate(peers):
        r = api.put(f"/v1/clusters/{p['id']}/indicators/{year}", {"members": 10 + i}, key=admin_key)
        assert r.status_code in (200, 201), r.text
        for k in range(i + 2):
            co = make_company(size=sizes[(i + k) % 5]) if sizes[(i + k) % 5] else make_company()
            member(api, admin_key, p["id"], co["id"], joined_on=f"{year - k}-06-01")
    for p in peers:
        body = api.get("/v1/benchmark", params={"year": year, "cluster": p["id"]}, key=admin_key).json()
        got = next(x for x in body["indicators"] if x["indicator"] == "sme_share")["value"]
        direct = sql(f"""SELECT round(((count(*) FILTER (WHERE co.size IN ('tpe', 'pme')))::float8
                                       / nullif(count(co.size), 0))::numeric, 4)
                          FROM memberships m JOIN companies co ON co.id = m.company_id
                          WHERE m.cluster_id = '{p['id']}' AND (m.joined_on IS NULL OR m.joined_on <= '{year}-12-31')
                            AND (m.left_on IS NULL OR m.left_on > '{year}-12-31')""")
        if direct == "":
            assert got is None
        else:
            assert got == pytest.approx(float(direct), abs=1e-4)
    assert_consistent(sql)


def test_writers_of_one_cluster_do_not_wait_for_each_other(api, admin_key, sql, database_url, make_cluster,
                                                           make_company):
    """A transaction that added a member and folded the cluster's deltas, still open, holds
    row locks; a membership write and an employees change of the same cluster through the API
    go through meanwhile (they skip the rows it holds), and everything adds up once it ends."""
    c = make_cluster()
    held = make_company(employees=100)
    cos = [make_company(employees=i) for i in range(1, 18)]
    for co in cos[:16]:  # 16 delta rows (the server folds past 16: these stay)
        member(api, admin_key, c["id"], co["id"])
    s = Session(database_url)
    try:
        s.run("BEGIN;")
        s.run(f"INSERT INTO memberships (cluster_id, company_id) VALUES ('{c['id']}', '{held['id']}');")
        # a fold in this transaction (as a server's or a trigger's would) takes the 16 rows
        # and its own into one: it holds the 16 until it ends
        s.run(f"SELECT cluster_totals_fold(ARRAY['{c['id']}'::uuid]);")
        assert s.run(f"SELECT count(*) FROM cluster_totals WHERE cluster_id = '{c['id']}';") == "1"
        results = []

        def write():
            t0 = time.monotonic()
            member(api, admin_key, c["id"], cos[16]["id"])
            r = api.patch(f"/v1/companies/{cos[0]['id']}", {"employees": 1000}, key=admin_key)
            results.append((r.status_code, time.monotonic() - t0))

        t = threading.Thread(target=write)
        t.start()
        t.join(20)
        assert not t.is_alive(), "a write of the same cluster waited for another transaction"
        assert results and results[0][0] == 200, results
        assert results[0][1] < 5, results
        # the open transaction's member is not seen by others yet
        assert cluster(api, c["id"])["member_count"] == 17
        s.run("COMMIT;")
    finally:
        s.close()
    got = cluster(api, c["id"])
    assert (got["member_count"], got["jobs"]) == (18, sum(range(2, 18)) + 1000 + 100)
    assert_consistent(sql)


def test_concurrent_writers_of_one_cluster_stay_exact(api, admin_key, sql, make_cluster):
    """Eight writers at once on one cluster: new members by SIRET upsert and membership, ends
    of memberships, employees and size changes of its members; then the totals and every
    year's members by size equal the direct counts."""
    c = make_cluster()
    errors = []

    def worker(n):
        try:
            for i in range(6):
                siret = new_siret()
                r = api.put(f"/v1/companies/siret/{siret}", {"name": f"Conc {unique_word()}", "employees": n * 10 + i},
                            key=admin_key)
                assert r.status_code in (200, 201), r.text
                co = r.json()
                member(api, admin_key, c["id"], co["id"], joined_on=f"{2000 + n + i}-01-01")
                r = api.patch(f"/v1/companies/{co['id']}", {"employees": 300 + i, "size": "eti" if i % 2 else "pme"},
                              key=admin_key)
                assert r.status_code == 200, r.text
                if i % 3 == 0:
                    r = api.delete(f"/v1/clusters/{c['id']}/members/{co['id']}", key=admin_key)
                    assert r.status_code == 204, r.text
        except AssertionError as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    got = cluster(api, c["id"])
    assert got["member_count"] == 8 * 4
    assert_consistent(sql)
