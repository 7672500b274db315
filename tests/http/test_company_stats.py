"""The counters behind /v1/stats (migration 0010): companies.current_memberships, the
company_stats deltas, companies.current_clusters (migration 0015, the "clusters" of a
company), and the clusters' member_count, jobs and members by size at each year's end
(migration 0020, read by the benchmark's sme_share) stay exactly equal to a direct count
after every kind of write, alone and concurrent. Each test checks the invariant through SQL
and through the endpoint."""
import json
import threading

from conftest import new_siret, unique_word

DIRECT = """
SELECT coalesce(json_agg(row_to_json(x) ORDER BY x.region_code NULLS FIRST, x.size NULLS FIRST), '[]') FROM (
  SELECT region_code, size, count(*) AS companies,
         count(*) FILTER (WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.company_id = c.id AND m.left_on IS NULL)) AS member_companies,
         coalesce(sum(employees) FILTER (WHERE EXISTS (SELECT 1 FROM memberships m WHERE m.company_id = c.id AND m.left_on IS NULL)), 0) AS jobs
  FROM companies c GROUP BY region_code, size) x
"""
KEPT = """
SELECT coalesce(json_agg(row_to_json(x) ORDER BY x.region_code NULLS FIRST, x.size NULLS FIRST), '[]') FROM (
  SELECT region_code, size, sum(companies) AS companies, sum(member_companies) AS member_companies, sum(jobs) AS jobs
  FROM company_stats GROUP BY region_code, size
  HAVING sum(companies) <> 0 OR sum(member_companies) <> 0 OR sum(jobs) <> 0) x
"""
COUNTERS = """
SELECT count(*) FROM companies c
WHERE current_memberships <> (SELECT count(*) FROM memberships m WHERE m.company_id = c.id AND m.left_on IS NULL)
   OR current_clusters <> (SELECT coalesce(jsonb_agg(m.cluster_id ORDER BY m.cluster_id), '[]') FROM memberships m
                           WHERE m.company_id = c.id AND m.left_on IS NULL)
"""


# Migration 0020: each cluster's member_count and jobs (cluster_totals) and its members by
# size at the end of every past year (cluster_sme_years), against direct counts. Rows left
# by deleted clusters must sum to nothing.
CLUSTER_TOTALS = """
WITH kept AS (SELECT cluster_id, sum(members) AS m, sum(jobs) AS j FROM cluster_totals GROUP BY cluster_id),
live AS (SELECT c.id AS cluster_id,
                (SELECT count(*) FROM memberships m WHERE m.cluster_id = c.id AND m.left_on IS NULL) AS m,
                (SELECT coalesce(sum(co.employees), 0) FROM memberships m JOIN companies co ON co.id = m.company_id
                 WHERE m.cluster_id = c.id AND m.left_on IS NULL) AS j FROM clusters c)
SELECT count(*) FROM live l FULL JOIN kept k USING (cluster_id)
WHERE coalesce(l.m, 0) <> coalesce(k.m, 0) OR coalesce(l.j, 0) <> coalesce(k.j, 0)
"""
CLUSTER_SME_YEARS = """
SELECT (SELECT count(*) FROM clusters c
        CROSS JOIN generate_series(1985, extract(year FROM current_date)::int - 1) y
        CROSS JOIN LATERAL (SELECT coalesce(sum(s.sme), 0) AS sme, coalesce(sum(s.sized), 0) AS sized
                            FROM cluster_sme_years s WHERE s.cluster_id = c.id AND s.year <= y) k
        CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE co.size IN ('tpe', 'pme')) AS sme, count(co.size) AS sized
                            FROM memberships m JOIN companies co ON co.id = m.company_id
                            WHERE m.cluster_id = c.id AND (m.joined_on IS NULL OR m.joined_on <= make_date(y, 12, 31))
                              AND (m.left_on IS NULL OR m.left_on > make_date(y, 12, 31))) l
        WHERE k.sme <> l.sme OR k.sized <> l.sized)
     + (SELECT count(*) FROM (SELECT 1 FROM cluster_sme_years s WHERE NOT EXISTS (SELECT 1 FROM clusters c WHERE c.id = s.cluster_id)
                              GROUP BY s.cluster_id, s.year HAVING sum(sme) <> 0 OR sum(sized) <> 0) x)
"""


def assert_consistent(sql):
    assert sql(COUNTERS).strip() == "0", "a company's current_memberships or current_clusters differs from its memberships"
    direct = json.loads(sql(DIRECT))
    kept = json.loads(sql(KEPT))
    assert kept == direct
    assert sql(CLUSTER_TOTALS).strip() == "0", "a cluster's member_count or jobs differs from its memberships"
    assert sql(CLUSTER_SME_YEARS).strip() == "0", "a cluster's members by size at a year's end differ from its memberships"


def member(api, key, cluster_id, company_id):
    r = api.put(f"/v1/clusters/{cluster_id}/members/{company_id}", {}, key=key)
    assert r.status_code in (200, 201), r.text


def test_every_write_keeps_the_counts(api, admin_key, sql, make_cluster, make_company):
    assert_consistent(sql)
    a, b = make_cluster(), make_cluster()
    co = make_company(employees=12, department_code="74")
    assert_consistent(sql)
    member(api, admin_key, a["id"], co["id"])
    member(api, admin_key, b["id"], co["id"])  # a second membership: still one member company
    assert sql(f"SELECT current_memberships FROM companies WHERE id = '{co['id']}'").strip() == "2"
    assert_consistent(sql)
    before = api.get(f"/v1/companies/{co['id']}").json()
    assert api.delete(f"/v1/clusters/{a['id']}/members/{co['id']}", key=admin_key).status_code == 204
    after = api.get(f"/v1/companies/{co['id']}").json()
    # the counter is bookkeeping: the company itself did not change
    assert after["version"] == before["version"] and after["updated_at"] == before["updated_at"]
    assert_consistent(sql)
    # employees, size and region move the jobs and the breakdowns
    r = api.patch(f"/v1/companies/{co['id']}", {"employees": 300, "size": "eti", "department_code": "33",
                                                 "region_code": "75"}, key=admin_key)
    assert r.status_code == 200, r.text
    assert_consistent(sql)
    # deleting the last cluster ends the membership by cascade
    assert api.delete(f"/v1/clusters/{b['id']}", key=admin_key).status_code == 204
    assert sql(f"SELECT current_memberships FROM companies WHERE id = '{co['id']}'").strip() == "0"
    assert_consistent(sql)
    # deleting a member company
    member(api, admin_key, a["id"], co["id"])
    assert api.delete(f"/v1/companies/{co['id']}", key=admin_key).status_code == 204
    assert_consistent(sql)


def test_bulk_import_keeps_the_counts(api, admin_key, sql, make_cluster):
    cl = make_cluster()
    lines = [{"siret": new_siret(), "name": f"Stats bulk {unique_word()}", "employees": i, "department_code": "29"}
             for i in range(1, 301)]
    body = "\n".join(json.dumps(l) for l in lines).encode()
    r = api.post("/v1/companies/bulk", body, content_type="application/x-ndjson", key=admin_key)
    assert r.status_code == 200 and r.json()["summary"]["created"] == 300, r.text
    assert_consistent(sql)
    ids = [x["id"] for x in r.json()["results"]]
    for cid in ids[:20]:
        member(api, admin_key, cl["id"], cid)
    for l in lines:
        l["employees"] += 1000
    body = "\n".join(json.dumps(l) for l in lines).encode()
    r = api.post("/v1/companies/bulk", body, content_type="application/x-ndjson", key=admin_key)
    assert r.status_code == 200 and r.json()["summary"]["updated"] == 300, r.text
    assert_consistent(sql)
    sql("DELETE FROM companies WHERE siret IN (" + ",".join(f"'{l['siret']}'" for l in lines) + ")")
    assert_consistent(sql)


def test_concurrent_memberships_of_one_company(api, admin_key, sql, make_cluster, make_company):
    clusters = [make_cluster() for _ in range(8)]
    co = make_company(employees=40, department_code="69")
    errors = []

    def join(cl):
        try:
            member(api, admin_key, cl["id"], co["id"])
        except AssertionError as e:  # reported below: the thread must not swallow it
            errors.append(e)

    threads = [threading.Thread(target=join, args=(cl,)) for cl in clusters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sql(f"SELECT current_memberships FROM companies WHERE id = '{co['id']}'").strip() == "8"
    assert_consistent(sql)

    def leave(cl):
        r = api.delete(f"/v1/clusters/{cl['id']}/members/{co['id']}", key=admin_key)
        if r.status_code != 204:
            errors.append(r.text)

    threads = [threading.Thread(target=leave, args=(cl,)) for cl in clusters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sql(f"SELECT current_memberships FROM companies WHERE id = '{co['id']}'").strip() == "0"
    assert_consistent(sql)


def test_stats_fold_the_deltas_and_stay_equal(api, sql):
    # many small writes leave many delta rows; /v1/stats folds them without changing a number
    sql("INSERT INTO company_stats SELECT '84', 'pme', 0, 0, 0 FROM generate_series(1, 1200)")
    first = api.get("/v1/stats").json()
    assert int(sql("SELECT count(*) FROM company_stats").strip()) <= 1000
    assert api.get("/v1/stats").json() == first
    assert_consistent(sql)
