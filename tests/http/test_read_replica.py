"""GRAPPE_DATABASE_READ_URL: lists, items, exports, search and the benchmark read from the
replica's pool (read-only sessions named grappe-read); writes, authentication, the change
feed and statistics stay on the primary. Here the "replica" is the test database itself
(or a closed port, to show which requests depend on it)."""
import requests

from conftest import DEMO_01, _free_port, start_extra_server, stop_extra_server


def test_reads_go_to_the_read_pool_and_writes_to_the_primary(grappe_bin, database_url, tmp_path, checker, sql,
                                                              admin_key):
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "replica.log", GRAPPE_DATABASE_READ_URL=database_url)
    try:
        def get(path, **kw):
            r = requests.get(srv.base_url + path, timeout=30, **kw)
            checker.check("GET", r.request.path_url, r.status_code, r.headers, r.content)
            assert r.status_code == 200, r.text
            return r

        get("/ready")
        for path in (f"/v1/clusters/{DEMO_01}", "/v1/companies?region=84&limit=5", "/v1/companies?format=ndjson",
                     f"/v1/clusters/{DEMO_01}/members", "/v1/search?q=decol", "/v1/benchmark"):
            get(path)
        assert int(sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'grappe-read'")) >= 1
        # a write, through the primary (the read pool's sessions are read-only)
        r = requests.post(srv.base_url + "/v1/partners", json={"name": "Replica test partner", "kind": "other"},
                          headers={"Authorization": f"Bearer {admin_key}"}, timeout=30)
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        assert get(f"/v1/partners/{pid}").json()["name"] == "Replica test partner"
        assert requests.delete(srv.base_url + f"/v1/partners/{pid}", headers={"Authorization": f"Bearer {admin_key}"},
                               timeout=30).status_code == 204
    finally:
        stop_extra_server(srv)


def test_a_replica_that_is_down_fails_reads_only(grappe_bin, database_url, tmp_path, admin_key):
    down = f"postgresql://grappe@127.0.0.1:{_free_port()}/grappe"
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "replica-down.log", GRAPPE_DATABASE_READ_URL=down)
    try:
        r = requests.get(srv.base_url + "/v1/clusters", timeout=30)
        assert r.status_code == 503 and r.headers["Content-Type"].startswith("application/problem+json"), r.text
        assert requests.get(srv.base_url + "/ready", timeout=30).status_code == 503
        assert requests.get(srv.base_url + "/health", timeout=30).status_code == 200
        assert requests.get(srv.base_url + "/v1/stats", timeout=30).status_code == 200  # primary
        r = requests.post(srv.base_url + "/v1/partners", json={"name": "Primary only partner", "kind": "other"},
                          headers={"Authorization": f"Bearer {admin_key}"}, timeout=30)
        assert r.status_code == 201, r.text
        assert requests.delete(srv.base_url + f"/v1/partners/{r.json()['id']}",
                               headers={"Authorization": f"Bearer {admin_key}"}, timeout=30).status_code == 204
    finally:
        stop_extra_server(srv)
