"""Database sessions of the pool: statements are prepared once per connection and run by
name; a session that PostgreSQL ends is replaced (and its statements prepared again) without
the caller noticing; GRAPPE_DB_PREPARE=0 runs every statement as a one-off (for poolers that
share sessions)."""
import os
import subprocess

from conftest import DEMO_01, start_extra_server, stop_extra_server


def test_killed_sessions_are_replaced_and_statements_prepared_again(api, sql):
    for _ in range(3 * 4):  # every connection of the pool has run (and prepared) these
        assert api.get(f"/v1/clusters/{DEMO_01}").status_code == 200
        assert api.get("/v1/companies", params={"region": "84", "limit": "5"}).status_code == 200
    killed = int(sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     "WHERE application_name = 'grappe' AND pid <> pg_backend_pid()"))
    assert killed >= 1
    for _ in range(3 * 4):
        r = api.get(f"/v1/clusters/{DEMO_01}")
        assert r.status_code == 200, r.text
        r = api.get("/v1/companies", params={"region": "84", "limit": "5"})
        assert r.status_code == 200, r.text


def test_without_prepared_statements(grappe_bin, database_url, tmp_path, checker):
    import requests
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "noprepare.log", GRAPPE_DB_PREPARE="0")
    try:
        for path in (f"/v1/clusters/{DEMO_01}", "/v1/companies?region=84&limit=5", "/v1/stats", "/v1/search?q=decol"):
            r = requests.get(srv.base_url + path, timeout=30)
            checker.check("GET", r.request.path_url, r.status_code, r.headers, r.content)
            assert r.status_code == 200, r.text
    finally:
        stop_extra_server(srv)


def test_db_prepare_must_be_0_or_1(grappe_bin, database_url):
    env = dict(os.environ, GRAPPE_DATABASE_URL=database_url, GRAPPE_DB_PREPARE="yes")
    cp = subprocess.run([grappe_bin, "serve"], env=env, capture_output=True, text=True, timeout=30)
    assert cp.returncode != 0
    assert "GRAPPE_DB_PREPARE" in cp.stderr
