"""Operational endpoints: /health, /ready, /metrics, /openapi.json, /docs; `grappe version`."""

import json
import re
from pathlib import Path

from conftest import problem


def test_health_answers_ok(api):
    r = api.get("/health")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"status": "ok"}


def test_ready_answers_ready_when_database_is_current(api):
    r = api.get("/ready")
    assert r.status_code == 200
    assert r.json() == {"status": "ready"}


def test_metrics_is_prometheus_text_with_requests_and_pool(api, admin_key):
    api.get("/v1/clusters", params={"limit": 1})
    r = api.get("/metrics", key=admin_key)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    text = r.text
    assert "grappe_http_requests_total" in text
    assert "grappe_db_pool_size" in text
    assert "# TYPE grappe_http_requests_total counter" in text
    # requests are counted by route template, not by raw path
    assert 'route="/v1/clusters"' in text
    # every sample line is "name{labels} value" or "name value"
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        assert name, line
        float(value)


def test_metrics_histogram_buckets_are_cumulative(api, admin_key):
    r = api.get("/metrics", key=admin_key)
    counts = []
    for line in r.text.splitlines():
        if line.startswith("grappe_http_request_duration_seconds_bucket"):
            counts.append(int(line.rsplit(" ", 1)[1]))
    assert counts, "no latency histogram"
    assert counts == sorted(counts)


def test_metrics_are_for_admin_keys_only(api, reader_key, manager_key):
    body = problem(api.get("/metrics"), 401, "unauthorized")
    assert "admin" in body["detail"]
    for key in (reader_key, manager_key):
        body = problem(api.get("/metrics", key=key), 403, "forbidden")
        assert "admin" in body["detail"]
        assert "grappe_http_requests_total" not in body["detail"]
    problem(api.get("/metrics", key="grappe_" + "x" * 43), 401, "unauthorized")
    problem(api.get("/metrics", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}), 401, "unauthorized")


def _series(api, admin_key):
    r = api.get("/metrics", key=admin_key)
    assert r.status_code == 200, r.text
    out = {}
    for line in r.text.splitlines():
        if line.startswith("grappe_http_requests_total{"):
            labels, value = line.rsplit(" ", 1)
            out[labels] = int(value)
    return out


def test_odd_methods_add_no_metrics_series(api, admin_key, server):
    """Methods are a closed set of labels (others are "other"), routes come from the route
    table: hundreds of distinct 8-character methods make one series, and the real ones keep
    counting."""
    import http.client
    before = _series(api, admin_key)
    for i in range(300):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            conn.putrequest(f"Z{i:07d}", "/v1/regions", skip_accept_encoding=True)
            conn.endheaders()
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 405
        finally:
            conn.close()
    assert api.get("/v1/regions").status_code == 200
    after = _series(api, admin_key)
    assert len(after) <= len(before) + 3, set(after) - set(before)
    other = 'grappe_http_requests_total{route="/v1/regions",method="other",status="405"}'
    assert after[other] - before.get(other, 0) == 300
    real = 'grappe_http_requests_total{route="/v1/regions",method="GET",status="200"}'
    assert after[real] > before.get(real, 0)
    methods = {labels.split('method="')[1].split('"')[0] for labels in after}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}, methods
    routes = {labels.split('route="')[1].split('"')[0] for labels in after}
    assert "/v1/regions/84" not in routes and all(r == "unmatched" or r.startswith("/") for r in routes)


def test_openapi_json_is_the_openapi_31_document(api, checker):
    r = api.get("/openapi.json")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    doc = json.loads(r.content)
    assert isinstance(doc["openapi"], str) and doc["openapi"].startswith("3.1")
    # it is the document of this repository
    assert set(doc["paths"]) == set(checker.doc["paths"])
    assert "/v1/clusters/{id}" in doc["paths"]


def test_docs_is_an_html_page(api):
    r = api.get("/docs")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<html" in r.text.lower()


def test_operational_endpoint_refuses_unknown_parameter(api):
    r = api.get("/health", params={"verbose": "1"})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_query"


def test_version_names_the_allocator_the_running_server_has(server, grappe_cli):
    """`grappe version` says which malloc the binary was built with (mimalloc, or the C
    library's in sanitizer builds and with -Dallocator=system), and the running server has
    exactly that one loaded: mimalloc is the malloc of the whole process or absent."""
    out = grappe_cli("version").stdout
    allocator = re.search(r"^allocator: (mimalloc \d+\.\d+\.\d+|system)$", out, re.M)
    assert allocator, out
    maps = Path(f"/proc/{server.proc.pid}/maps").read_text()
    assert ("libmimalloc" in maps) == allocator.group(1).startswith("mimalloc"), allocator.group(1)
