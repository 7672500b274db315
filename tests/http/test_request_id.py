"""X-Request-Id: echoed when valid, generated otherwise, repeated in problem bodies."""

import pytest


def test_request_id_is_echoed(api):
    r = api.get("/health", headers={"X-Request-Id": "trace-abc_123.4:5"})
    assert r.headers["X-Request-Id"] == "trace-abc_123.4:5"


def test_request_id_is_generated_when_absent(api):
    a = api.get("/health").headers["X-Request-Id"]
    b = api.get("/health").headers["X-Request-Id"]
    assert a and b and a != b


@pytest.mark.parametrize("bad", ["has space", "x" * 200, "semi;colon", "quote\"d", "é"])
def test_invalid_request_id_is_replaced(api, bad):
    r = api.raw("GET", "/health", headers={"X-Request-Id": bad.encode("utf-8").decode("latin-1")})
    rid = r.headers["X-Request-Id"]
    assert rid and rid != bad
    assert len(rid) <= 64


def test_problem_body_carries_the_request_id(api):
    r = api.get("/nope", headers={"X-Request-Id": "problem-trace-1"})
    assert r.status_code == 404
    assert r.headers["X-Request-Id"] == "problem-trace-1"
    assert r.json()["request_id"] == "problem-trace-1"
    r = api.get("/v1/clusters", params={"limit": 0})
    assert r.json()["request_id"] == r.headers["X-Request-Id"]


def test_request_id_on_every_kind_of_answer(api):
    for r in (api.head("/v1/clusters"), api.options("/v1/clusters"),
              api.get("/v1/clusters", params={"format": "ndjson"}),
              api.get("/v1/clusters", params={"format": "csv"}),
              api.get("/metrics"), api.get("/docs")):
        assert r.headers.get("X-Request-Id"), r.status_code


def test_request_id_appears_in_the_access_log(api, server):
    api.get("/v1/clusters", params={"limit": 1}, headers={"X-Request-Id": "log-trace-42"})
    assert "log-trace-42" in server.log_text()


def test_every_kind_of_answer_forbids_content_sniffing(api, admin_key):
    for r in (api.get("/v1/clusters", params={"limit": 1}), api.get("/v1/nowhere"), api.get("/docs"),
              api.post("/v1/clusters", {"name": 1}, key=admin_key), api.get("/v1/clusters", params={"format": "csv"})):
        assert r.headers["X-Content-Type-Options"] == "nosniff", r.status_code
