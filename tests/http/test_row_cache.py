"""The process's cache of rendered rows (issue 17; include/rowcache.h).

A list of companies or partners asks PostgreSQL for its page's ids and row tags (xmin and
version) and takes each row's JSON from the cache when it is held under that very tag; a
page with a row missing is read whole. So a list is always what reading the rows in its
statement's snapshot gives: whoever changed a row (the API, a trigger, psql), the next list
shows it, and the cache never needs telling.

The suite's own server runs with the cache on (the default), so every list test of the
suite goes through it too; these tests aim at what could go wrong with it."""
import random
import re
import subprocess
import threading

import pytest
import requests

from conftest import (DEMO_01, grappe_run, key_in, scratch_database, start_extra_server, stop_extra_server,
                      unique_word)


def items(api, path, key=None):
    r = api.get(path, key=key)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def as_items_read_one_by_one(api, rows):
    """Each row of a list as its own GET gives it (item GETs never use the row cache)."""
    out = []
    for row in rows:
        r = api.get(f"/v1/companies/{row['id']}")
        assert r.status_code == 200, r.text
        out.append(r.json())
    return out


@pytest.fixture
def word_companies(make_company):
    """Three companies whose name holds a word of their own: ?q=<word> lists only them."""
    word = unique_word("rc")
    made = [make_company(name=f"Atelier {word} {i}", employees=10 + i) for i in range(3)]
    return word, made


def cache_counters(api, admin_key):
    text = api.get("/metrics", key=admin_key).text
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^(grappe_row_cache_\w+) (\S+)$", text, re.M)}


def test_a_list_shows_every_change_of_its_rows_whoever_made_it(api, admin_key, sql, word_companies):
    word, made = word_companies
    path = f"/v1/companies?q={word}&sort=name"
    first = items(api, path)
    assert [c["id"] for c in first] == [c["id"] for c in made]
    hits = cache_counters(api, admin_key)["grappe_row_cache_hits_total"]
    assert items(api, path) == first  # the second reading comes from the cache
    assert cache_counters(api, admin_key)["grappe_row_cache_hits_total"] == hits + 3

    # through the API
    r = api.patch(f"/v1/companies/{made[0]['id']}", {"employees": 77}, key=admin_key)
    assert r.status_code == 200, r.text
    after_api = items(api, path)
    assert after_api[0]["employees"] == 77 and after_api[0]["version"] == first[0]["version"] + 1

    # with psql, behind the API's back
    sql(f"UPDATE companies SET description = 'changed by psql' WHERE id = '{made[1]['id']}'")
    after_sql = items(api, path)
    assert after_sql[1]["description"] == "changed by psql"

    # by a trigger: a membership changes the company's clusters (the row's current_clusters)
    r = api.put(f"/v1/clusters/{DEMO_01}/members/{made[2]['id']}", {"joined_on": "2024-01-15"},
                key=admin_key)
    assert r.status_code in (200, 201), r.text
    after_member = items(api, path)
    assert DEMO_01 in after_member[2]["clusters"]

    # a change rolled back shows nowhere (nor does the rolled-back version reach the cache)
    sql(f"BEGIN; UPDATE companies SET name = 'rolled back' WHERE id = '{made[0]['id']}'; ROLLBACK;")
    final = items(api, path)
    assert final == as_items_read_one_by_one(api, final)
    assert all(c["name"] != "rolled back" for c in final)

    # deleted: gone from the list
    assert api.delete(f"/v1/companies/{made[1]['id']}", key=admin_key).status_code == 204
    assert [c["id"] for c in items(api, path)] == [made[0]["id"], made[2]["id"]]


def test_an_update_that_keeps_the_version_still_shows(api, sql, word_companies):
    """The version moves only when a column the trigger compares changes; xmin moves with every
    UPDATE. An update of current_memberships alone (what the trigger ignores) keeps the
    version, and the representation does not show it either: the list must stay right."""
    word, made = word_companies
    path = f"/v1/companies?q={word}&sort=name"
    before = items(api, path)
    sql(f"UPDATE companies SET current_memberships = current_memberships WHERE id = '{made[0]['id']}'")
    assert items(api, path) == before
    # in one transaction: if anything fails, the trigger is back as it was
    sql(f"BEGIN; ALTER TABLE companies DISABLE TRIGGER companies_touch; "
        f"UPDATE companies SET employees = 4242 WHERE id = '{made[0]['id']}'; "
        f"ALTER TABLE companies ENABLE TRIGGER companies_touch; COMMIT;")
    after = items(api, path)
    assert after[0]["employees"] == 4242 and after[0]["version"] == before[0]["version"]


def test_cached_and_uncached_servers_answer_byte_for_byte_alike(api, grappe_bin, database_url, tmp_path,
                                                                 admin_key):
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "nocache.log", GRAPPE_ROW_CACHE_MB=0)
    try:
        paths = ["/v1/companies?limit=50", "/v1/companies?region=84&size=pme&limit=20",
                 "/v1/companies?sort=-employees&limit=30", "/v1/companies?limit=40&format=csv",
                 "/v1/companies?limit=40&format=csv&csv=excel", "/v1/companies?limit=10&format=geojson",
                 "/v1/partners?limit=50", "/v1/partners?format=csv", f"/v1/companies?cluster={DEMO_01}&count=true"]
        for path in paths:
            cached = [api.get(path, key=admin_key) for _ in range(2)]
            plain = requests.get(srv.base_url + path, headers={"Authorization": f"Bearer {admin_key}"}, timeout=30)
            for r in cached:
                assert r.status_code == plain.status_code == 200, (path, r.text, plain.text)
                assert r.headers["Content-Type"] == plain.headers["Content-Type"], path
                assert r.content == plain.content, path
                assert r.headers.get("Link") == plain.headers.get("Link"), path
            # and the next page, by its cursor
            nxt = cached[0].headers.get("Link")
            if nxt:
                url = re.match(r"<([^>]*)>", nxt).group(1)
                a = api.get(url, key=admin_key)
                b = requests.get(srv.base_url + url, headers={"Authorization": f"Bearer {admin_key}"}, timeout=30)
                assert a.status_code == b.status_code == 200 and a.content == b.content, url
    finally:
        stop_extra_server(srv)


def test_writers_and_readers_at_once_never_see_a_stale_or_mixed_row(api, sql, database_url, make_company):
    """Three psql writers rewrite 12 companies (description = 'rev <version>', which the touch
    trigger makes the row's new version) while three readers list them. Every row of every
    answer is one committed version (description and version agree), no reader ever sees a
    row go back to an older version, and once the writers stop the list is the table."""
    word = unique_word("rw")
    made = [make_company(name=f"Fonderie {word} {i:02d}") for i in range(12)]
    ids = [c["id"] for c in made]
    id_list = ",".join(f"'{i}'" for i in ids)
    sql(f"UPDATE companies SET description = 'rev ' || (version + 1) WHERE id IN ({id_list})")
    path = f"/v1/companies?q={word}&sort=name&limit=50"

    def writer(seed):
        rnd = random.Random(seed)
        script = "".join(f"UPDATE companies SET description = 'rev ' || (version + 1) WHERE id = '{rnd.choice(ids)}';\n"
                         for _ in range(300))
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database_url], input=script,
                       text=True, check=True, capture_output=True, timeout=120)

    problems = []
    stop = threading.Event()

    def reader():
        session = requests.Session()
        seen = {}
        while not stop.is_set():
            r = session.get(api.base_url + path, timeout=30)
            if r.status_code != 200:
                problems.append(r.text)
                return
            for row in r.json()["items"]:
                if row["description"] != f"rev {row['version']}":
                    problems.append(f"mixed row: {row['id']} version {row['version']} {row['description']!r}")
                if row["version"] < seen.get(row["id"], 0):
                    problems.append(f"{row['id']} went back from version {seen[row['id']]} to {row['version']}")
                seen[row["id"]] = row["version"]

    readers = [threading.Thread(target=reader) for _ in range(3)]
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert not problems, problems[:5]
    final = items(api, path)
    assert len(final) == 12
    table = dict(line.split("|") for line in sql(f"SELECT id, version FROM companies WHERE id IN ({id_list})").splitlines())
    assert {c["id"]: str(c["version"]) for c in final} == table
    assert final == as_items_read_one_by_one(api, final)


def test_metrics_count_the_rows_taken_from_the_cache(api, admin_key, word_companies):
    word, _ = word_companies

    def counters():
        text = api.get("/metrics", key=admin_key).text
        return {m.group(1): float(m.group(2)) for m in re.finditer(r"^(grappe_row_cache_\w+) (\S+)$", text, re.M)}

    path = f"/v1/companies?q={word}"
    items(api, path)
    before = counters()
    assert set(before) == {"grappe_row_cache_hits_total", "grappe_row_cache_misses_total",
                           "grappe_row_cache_entries", "grappe_row_cache_bytes"}
    items(api, path)
    after = counters()
    assert after["grappe_row_cache_hits_total"] >= before["grappe_row_cache_hits_total"] + 3
    assert after["grappe_row_cache_entries"] >= 3 and after["grappe_row_cache_bytes"] > 0


def test_a_tiny_cache_evicts_and_stays_right(grappe_bin, database_url, tmp_path, sql):
    """1 MiB for 64 shards: 16 KiB each, some 20 rows of companies. 3,000 companies (a seeded
    database of the test's own), read twice over by pages of 500 in two orders, fill it many
    times; every answer is still the uncached one, and the cache stays within its budget."""
    with scratch_database(database_url, grappe_bin, sql, "rowcache") as url:
        grappe_run(grappe_bin, url, "seed", "--clusters", "20", "--companies", "3000", "--projects", "0",
                   "--events", "0")
        key = key_in(grappe_bin, url, "admin")
        small = start_extra_server(grappe_bin, url, tmp_path / "small.log", GRAPPE_ROW_CACHE_MB=1)
        plain = start_extra_server(grappe_bin, url, tmp_path / "plain.log", GRAPPE_ROW_CACHE_MB=0)
        try:
            h = {"Authorization": f"Bearer {key}"}
            rows = 0
            for first in ["/v1/companies?limit=500", "/v1/companies?limit=500&sort=-employees"] * 2:
                path = first
                while path:
                    a = requests.get(small.base_url + path, headers=h, timeout=30)
                    b = requests.get(plain.base_url + path, headers=h, timeout=30)
                    assert a.status_code == b.status_code == 200 and a.content == b.content, path
                    rows += len(a.json()["items"])
                    nxt = a.headers.get("Link")
                    path = re.match(r"<([^>]*)>", nxt).group(1) if nxt else None
            assert rows == 4 * 3000
            text = requests.get(small.base_url + "/metrics", headers=h, timeout=30).text
            got = {m.group(1): float(m.group(2)) for m in re.finditer(r"^(grappe_row_cache_\w+) (\S+)$", text, re.M)}
            assert 0 < got["grappe_row_cache_bytes"] <= 1 << 20, got
            assert got["grappe_row_cache_entries"] < 3000, got  # far fewer than the rows: evicted
        finally:
            stop_extra_server(small)
            stop_extra_server(plain)


def test_closed_code_lists_filter_alike_as_one_value_or_several(api):
    """region and size are written into the statement as literals (one plan per value);
    several values still go as a parameter: both select the same rows."""
    one = items(api, "/v1/companies?region=84&size=pme&limit=100")
    several = items(api, "/v1/companies?region=84,84&size=pme,pme&limit=100")
    assert one == several and all(c["region_code"] == "84" and c["size"] == "pme" for c in one)
    r = api.get("/v1/companies?region=84'--&size=pme")
    assert r.status_code == 400
