"""GRAPPE_METRICS_BIND: a second listener, for Prometheus on a private address, that serves
/metrics (and /health) to anyone who reaches it, and nothing else (SPEC, Operations)."""
import os
import subprocess

import requests

from conftest import _free_port, problem, start_extra_server, stop_extra_server


def test_metrics_listener_serves_metrics_without_a_key_and_nothing_else(grappe_bin, database_url, tmp_path):
    port = _free_port()
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "metrics.log", GRAPPE_METRICS_BIND=f"127.0.0.1:{port}")
    base = f"http://127.0.0.1:{port}"
    try:
        assert requests.get(srv.base_url + "/v1/regions", timeout=10).status_code == 200
        r = requests.get(base + "/metrics", timeout=10)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("text/plain")
        assert 'grappe_http_requests_total{route="/v1/regions",method="GET",status="200"}' in r.text
        assert "grappe_db_pool_size" in r.text
        r = requests.get(base + "/health", timeout=10)
        assert r.status_code == 200 and r.json() == {"status": "ok"}
        for path in ("/v1/regions", "/v1/clusters", "/ready", "/openapi.json", "/docs", "/"):
            body = problem(requests.get(base + path, timeout=10), 404, "not_found")
            assert "/metrics" in body["detail"]
        problem(requests.post(base + "/metrics", data=b"{}", timeout=10), 405, "method_not_allowed")
        problem(requests.get(base + "/metrics?x=1", timeout=10), 400, "invalid_query")
    finally:
        stop_extra_server(srv)


def test_metrics_bind_must_be_an_address_and_a_port(grappe_bin, database_url):
    for bad in ("9100", "localhost:9100", "127.0.0.1:", "127.0.0.1:70000", "::1:9100"):
        env = dict(os.environ, GRAPPE_DATABASE_URL=database_url, GRAPPE_METRICS_BIND=bad)
        cp = subprocess.run([grappe_bin, "serve"], env=env, capture_output=True, text=True, timeout=30)
        assert cp.returncode == 2, (bad, cp.returncode, cp.stderr)
        assert "GRAPPE_METRICS_BIND" in cp.stderr
