"""grappe seed on a database of its own: every kind of row it makes is valid for the API
(read back through a server and checked against the OpenAPI document), events stay within
their capacity, and the same seed makes the same rows."""
import os
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from conftest import start_extra_server, stop_extra_server


def _run(grappe_bin, url, *args):
    env = dict(os.environ, GRAPPE_DATABASE_URL=url)
    cp = subprocess.run([grappe_bin, *args], env=env, capture_output=True, text=True, timeout=300)
    assert cp.returncode == 0, f"grappe {' '.join(args)}: {cp.stdout}\n{cp.stderr}"
    return cp


def other_database(database_url, name):
    """The URL of database `name` on the test server; skips when the role may not create it."""
    cp = subprocess.run(["psql", "-X", "-q", "-d", database_url, "-c", f"CREATE DATABASE {name}"],
                        capture_output=True, text=True, timeout=60)
    if cp.returncode != 0:
        pytest.skip(f"cannot create a database for grappe seed: {cp.stderr.strip()}")
    u = urlsplit(database_url)
    return urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


@pytest.fixture(scope="module")
def seeded(database_url, grappe_bin, sql):
    name = "seed_" + uuid.uuid4().hex[:10]
    url = other_database(database_url, name)
    try:
        _run(grappe_bin, url, "migrate")
        cp = _run(grappe_bin, url, "seed", "--clusters", "6", "--companies", "300", "--projects", "25",
                  "--events", "40", "--random-seed", "42")
        yield url, cp.stdout.strip().splitlines()[-1]
    finally:
        sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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
    names = ["seed_" + uuid.uuid4().hex[:10] for _ in range(2)]
    try:
        values = []
        for name in names:
            url = other_database(database_url, name)
            _run(grappe_bin, url, "migrate")
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
    finally:
        for name in names:
            sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
