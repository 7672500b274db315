"""grappe seed on a database of its own: every kind of row it makes is valid for the API
(read back through a server and checked against the OpenAPI document), events stay within
their capacity, and the same seed makes the same rows."""
import subprocess

import pytest
import requests

from conftest import grappe_run as _run, scratch_database, start_extra_server, stop_extra_server


@pytest.fixture(scope="module")
def seeded(database_url, grappe_bin, sql):
    with scratch_database(database_url, grappe_bin, sql, "seed") as url:
        cp = _run(grappe_bin, url, "seed", "--clusters", "6", "--companies", "300", "--projects", "25",
                  "--events", "40", "--random-seed", "42")
        yield url, cp.stdout.strip().splitlines()[-1]


def test_seed_reports_what_it_made(seeded):
    _, last = seeded
    assert last.startswith("seeded 6 clusters, 300 companies, ")
    assert " 25 projects, 40 events, " in last


def test_seeded_rows_are_valid_for_the_api(seeded, grappe_bin, checker, tmp_path):
    url, _ = seeded
    srv = start_extra_server(grappe_bin, url, tmp_path / "seeded.log")
    try:
        def get(path, **params):
            r = requests.get(srv.base_url + path, params=params, timeout=30)
            checker.check("GET", r.request.path_url, r.status_code, r.headers, r.content)
            assert r.status_code == 200, r.text
            return r.json()

        clusters = get("/v1/clusters", limit=500)["items"]
        assert len(clusters) == 6
        assert len(get("/v1/companies", limit=500)["items"]) == 300
        projects = get("/v1/projects", limit=500)["items"]
        assert len(projects) == 25
        assert all(p["companies"] for p in projects), "every project has participants"
        events = get("/v1/events", limit=500)["items"]
        assert 0 < len(events) <= 40  # anonymous callers see the public ones
        for e in events:
            if e["capacity"] is not None:
                assert e["registered_count"] <= e["capacity"]
        stats = get("/v1/stats")
        assert stats["clusters"] == 6 and stats["companies"] == 300 and stats["member_companies"] == 300
        bench = get("/v1/benchmark")
        assert bench["clusters"] >= 1
    finally:
        stop_extra_server(srv)


def test_seed_is_reproducible(database_url, grappe_bin, sql):
    values = []
    for _ in range(2):
        with scratch_database(database_url, grappe_bin, sql, "seed") as url:
            _run(grappe_bin, url, "seed", "--clusters", "3", "--companies", "50", "--projects", "5", "--events", "5",
                 "--random-seed", "9")
            out = subprocess.run(["psql", url, "-Atc",
                                  "SELECT string_agg(siret || name, ',' ORDER BY siret) FROM companies UNION ALL "
                                  "SELECT string_agg(title, ',' ORDER BY title) FROM projects UNION ALL "
                                  "SELECT string_agg(title || kind, ',' ORDER BY title) FROM events UNION ALL "
                                  "SELECT string_agg(year || ':' || members, ',' ORDER BY year, members) FROM indicators"],
                                 capture_output=True, text=True, check=True).stdout
            values.append(out)
    assert values[0] == values[1]
