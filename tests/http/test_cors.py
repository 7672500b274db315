"""CORS: allow-list from GRAPPE_CORS_ORIGINS (the suite's server allows https://front.example)."""

ORIGIN = "https://front.example"
DEMO_01 = "c1000000-0000-4000-8000-000000000001"


def header_set(value):
    return {v.strip().lower() for v in (value or "").split(",") if v.strip()}


def test_preflight_for_patch_is_204_with_allow_headers(api):
    r = api.options(f"/v1/clusters/{DEMO_01}", headers={
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization, content-type, if-match",
    })
    assert r.status_code == 204
    assert r.content == b""
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "patch" in header_set(r.headers["Access-Control-Allow-Methods"])
    allowed = header_set(r.headers["Access-Control-Allow-Headers"])
    assert {"authorization", "content-type", "if-match"} <= allowed
    assert r.headers.get("X-Request-Id")


def test_preflight_for_post_on_list(api):
    r = api.options("/v1/clusters", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type, idempotency-key"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "post" in header_set(r.headers["Access-Control-Allow-Methods"])
    assert {"content-type", "idempotency-key"} <= header_set(r.headers["Access-Control-Allow-Headers"])


def test_simple_get_from_allowed_origin_exposes_headers(api):
    r = api.get("/v1/clusters", params={"limit": 1}, headers={"Origin": ORIGIN})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    exposed = header_set(r.headers["Access-Control-Expose-Headers"])
    assert {"etag", "link", "location"} <= exposed
    assert "origin" in header_set(r.headers.get("Vary"))


def test_errors_carry_cors_headers_too(api):
    r = api.get("/v1/clusters", params={"colour": "blue"}, headers={"Origin": ORIGIN})
    assert r.status_code == 400
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_origin_not_in_the_list_gets_no_cors_headers(api):
    r = api.get("/v1/clusters", params={"limit": 1}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers
    r = api.options(f"/v1/clusters/{DEMO_01}", headers={"Origin": "https://evil.example",
                                                       "Access-Control-Request-Method": "PATCH"})
    assert "Access-Control-Allow-Origin" not in r.headers


def test_origin_must_match_exactly(api):
    for origin in ("https://front.example.evil", "http://front.example", "https://front.example:8443",
                   "https://FRONT.example.evil"):
        r = api.get("/v1/clusters", params={"limit": 1}, headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in r.headers, origin


def test_options_without_preflight_lists_allowed_methods(api):
    r = api.options(f"/v1/clusters/{DEMO_01}")
    assert r.status_code == 204
    assert {"get", "patch", "delete"} <= header_set(r.headers["Allow"])
