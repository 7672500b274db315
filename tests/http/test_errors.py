"""Protocol-level errors: 404, 405, 406, 413, 415 and 400 for malformed bodies and queries."""

import json
from urllib.parse import quote

import pytest

from conftest import problem

DEMO_01 = "c1000000-0000-4000-8000-000000000001"


# ---- 404 ----

@pytest.mark.parametrize("path", ["/nope", "/v1", "/v1/", "/v1/clusters/", "/v1/widgets",
                                  f"/v1/clusters/{DEMO_01}/nope"])
def test_unknown_path_is_404_problem(api, path):
    problem(api.get(path), 404, "not_found")


def test_unknown_path_problem_has_instance(api):
    body = problem(api.get("/nope"), 404, "not_found")
    assert body["instance"] == "/nope"
    assert body["title"]
    assert body["detail"]


# ---- 405 ----

@pytest.mark.parametrize("method,path,allowed,refused", [
    ("PUT", "/v1/clusters", {"GET", "HEAD", "POST", "OPTIONS"}, {"PATCH", "DELETE", "PUT"}),
    ("DELETE", "/v1/clusters", {"GET", "POST"}, {"DELETE"}),
    ("POST", f"/v1/clusters/{DEMO_01}", {"GET", "PATCH", "DELETE"}, {"POST", "PUT"}),
    ("PUT", f"/v1/clusters/{DEMO_01}", {"GET", "PATCH", "DELETE"}, {"POST", "PUT"}),
    ("POST", "/v1/regions", {"GET"}, {"POST", "PATCH", "DELETE"}),
    ("DELETE", "/v1/departments/74", {"GET"}, {"PATCH", "DELETE"}),
    ("POST", "/health", {"GET"}, {"POST"}),
])
def test_method_not_allowed_is_405_with_allow(api, admin_key, method, path, allowed, refused):
    r = api.request(method, path, key=admin_key, headers={"Content-Type": "application/json"}, data=b"{}")
    problem(r, 405, "method_not_allowed")
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allowed <= allow, allow
    assert not (refused & allow), allow


def test_method_not_allowed_changes_nothing(api, admin_key):
    before = api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"]
    api.request("PUT", "/v1/clusters", key=admin_key, json={"name": "x", "kind": "cluster"})
    after = api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"]
    assert before == after


# ---- 406 ----

def test_list_with_unsupported_accept_is_406(api):
    problem(api.get("/v1/clusters", headers={"Accept": "application/xml"}), 406, "not_acceptable")


def test_item_with_unsupported_accept_is_406(api):
    problem(api.get(f"/v1/clusters/{DEMO_01}", headers={"Accept": "application/xml"}), 406, "not_acceptable")


def test_item_in_csv_is_406(api):
    problem(api.get(f"/v1/clusters/{DEMO_01}", headers={"Accept": "text/csv"}), 406, "not_acceptable")


def test_list_with_unsupported_format_is_406(api):
    problem(api.get("/v1/clusters", params={"format": "xml"}), 406, "not_acceptable")


def test_reference_list_has_no_geojson(api):
    problem(api.get("/v1/regions", params={"format": "geojson"}), 406, "not_acceptable")


def test_accept_problem_json_alone_gets_json(api):
    r = api.get(f"/v1/clusters/{DEMO_01}", headers={"Accept": "application/problem+json"})
    assert r.status_code == 200


# ---- 413 ----

def test_body_over_one_mib_is_413(api, admin_key):
    body = json.dumps({"name": "big", "kind": "cluster", "description": "x" * (1024 * 1024)}).encode()
    assert len(body) > 1024 * 1024
    before = api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"]
    problem(api.post("/v1/clusters", body, key=admin_key), 413, "payload_too_large")
    after = api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"]
    assert before == after


def test_patch_body_over_one_mib_is_413(api, admin_key, make_cluster):
    c = make_cluster()
    body = json.dumps({"description": "x" * (1024 * 1024 + 10)}).encode()
    problem(api.patch(f"/v1/clusters/{c['id']}", body, key=admin_key), 413, "payload_too_large")


# ---- 415 ----

def test_text_plain_body_is_415(api, admin_key):
    r = api.post("/v1/clusters", b'{"name":"x","kind":"cluster"}', content_type="text/plain", key=admin_key)
    problem(r, 415, "unsupported_media_type")


def test_missing_content_type_is_415(api, admin_key):
    r = api.post("/v1/clusters", b'{"name":"x","kind":"cluster"}', content_type=None, key=admin_key)
    problem(r, 415, "unsupported_media_type")


def test_merge_patch_content_type_is_not_for_post(api, admin_key):
    r = api.post("/v1/clusters", b'{"name":"x","kind":"cluster"}', content_type="application/merge-patch+json",
                 key=admin_key)
    problem(r, 415, "unsupported_media_type")


def test_json_with_utf8_charset_is_accepted(api, admin_key, make_cluster, cluster_payload):
    body = cluster_payload()
    r = api.post("/v1/clusters", body, content_type="application/json; charset=utf-8", key=admin_key)
    assert r.status_code == 201, r.text
    api.delete(f"/v1/clusters/{r.json()['id']}", key=admin_key)


# ---- 400 malformed bodies ----

@pytest.mark.parametrize("raw", [
    b'{"name": "x", "kind": ',                 # truncated
    b"{'name': 'x'}",                          # not JSON
    b'{"name": "x",}',                         # trailing comma
    b'',                                       # empty
    b'{"name":"\xff","kind":"cluster"}',       # invalid UTF-8
    b'{"name":"\xc3\x28","kind":"cluster"}',   # invalid UTF-8 sequence
    b'{"name":"a\x00b","kind":"cluster"}',     # NUL byte
    b'[{"name":"x","kind":"cluster"}]',        # array, not object
    b'"cluster"',                              # string, not object
    b'null',
    b'{"name":"a","name":"b","kind":"cluster"}',  # duplicate member
], ids=["truncated", "single-quotes", "trailing-comma", "empty", "invalid-utf8", "invalid-utf8-seq",
        "nul-byte", "array", "string", "null", "duplicate-key"])
def test_malformed_body_is_400(api, admin_key, raw):
    problem(api.post("/v1/clusters", raw, key=admin_key), 400, "malformed_request")


def test_escaped_nul_character_is_refused(api, admin_key):
    r = api.post("/v1/clusters", b'{"name":"a\\u0000b","kind":"cluster"}', key=admin_key)
    assert r.status_code in (400, 422), r.text


def nested(depth):
    """A body whose nesting depth (the outer object counting as 1) is `depth`."""
    return ('{"sectors":' + "[" * (depth - 1) + "]" * (depth - 1) + "}").encode()


def test_nesting_deeper_than_32_is_400(api, admin_key):
    problem(api.post("/v1/clusters", nested(33), key=admin_key), 400, "malformed_request")
    problem(api.post("/v1/clusters", nested(1000), key=admin_key), 400, "malformed_request")


def test_nesting_of_32_is_parsed(api, admin_key):
    # 32 levels is within the limit: the JSON is parsed, then refused as an invalid cluster
    r = api.post("/v1/clusters", nested(32), key=admin_key)
    problem(r, 422, "validation_failed")


def test_malformed_patch_body_is_400(api, admin_key, make_cluster):
    c = make_cluster()
    problem(api.patch(f"/v1/clusters/{c['id']}", b'[{"name":"x"}]', key=admin_key), 400, "malformed_request")
    problem(api.patch(f"/v1/clusters/{c['id']}", b'{"name":', key=admin_key), 400, "malformed_request")


# ---- 400 query strings ----

def test_unknown_query_parameter_is_400(api):
    body = problem(api.get("/v1/clusters", params={"colour": "blue"}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "colour"


def test_unknown_query_parameter_on_item_is_400(api):
    body = problem(api.get(f"/v1/clusters/{DEMO_01}", params={"expand": "members"}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "expand"


def test_every_unknown_query_parameter_is_listed(api):
    body = problem(api.get("/v1/clusters", params={"colour": "blue", "size": "9"}), 400, "invalid_query")
    assert {e["field"] for e in body["errors"]} == {"colour", "size"}


@pytest.mark.parametrize("query", ["q=%zz", "q=%4", "q=abc%", "q=%00", "q=a%00b", "q=%ff", "q=%c3%28"],
                         ids=["bad-hex", "short", "trailing-percent", "nul", "inner-nul", "invalid-utf8",
                              "invalid-utf8-seq"])
def test_badly_encoded_query_value_is_400(api, query):
    body = problem(api.raw("GET", "/v1/clusters?" + query), 400, "invalid_query")
    assert body["errors"][0]["field"] == "q"


@pytest.mark.parametrize("query", ["%zz=1", "a%00=1"], ids=["bad-hex", "nul"])
def test_badly_encoded_query_name_is_400(api, query):
    problem(api.raw("GET", "/v1/clusters?" + query), 400, "invalid_query")


def test_bad_encoding_is_400_on_every_path(api):
    problem(api.raw("GET", "/health?x=%zz"), 400, "invalid_query")
    problem(api.raw("GET", f"/v1/clusters/{DEMO_01}?x=%00"), 400, "invalid_query")


def test_json_with_another_charset_is_415(api, admin_key):
    r = api.post("/v1/clusters", b'{"name":"x","kind":"cluster"}', content_type="application/json; charset=latin1",
                 key=admin_key)
    problem(r, 415, "unsupported_media_type")


def test_unknown_method_is_405(api):
    r = api.request("FOO", "/v1/clusters")
    problem(r, 405, "method_not_allowed")
    assert "GET" in r.headers["Allow"]


def test_double_slash_path_is_404(api):
    problem(api.get("//v1/clusters"), 404, "not_found")


@pytest.mark.parametrize("target", ["/v1/clusters?", "/v1/clusters?&", "/v1/clusters?limit=2&&count=true"])
def test_empty_query_segments_are_ignored(api, target):
    assert api.raw("GET", target).status_code == 200


@pytest.mark.parametrize("params", [
    {"sort": "é" * 600},
    {"é" * 600: "1"},
    {"kind": "é" * 600},
    {"limit": "é" * 600},
    {"cursor": "é" * 600},
    {"updated_since": "€" * 400},
], ids=["sort", "param-name", "filter", "limit", "cursor", "updated_since"])
def test_long_multibyte_input_gives_a_valid_problem(api, params):
    r = api.get("/v1/clusters", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["code"] in ("invalid_query", "invalid_cursor")


def test_long_multibyte_field_errors_stay_valid(api, admin_key):
    r = api.post("/v1/clusters", {"é" * 300: 1, "name": "x", "kind": "é" * 300, "email": "é" * 300},
                 key=admin_key)
    assert r.status_code == 422, r.text
    assert len(r.json()["errors"]) == 3


@pytest.mark.parametrize("path,value", [
    ("/v1/clusters?q=", "a" * 19 + "é" + "b" * 200),        # cut at 20 bytes: inside the é
    ("/v1/projects?starts_after=", "a" + "€" * 100),         # 20 bytes: inside the seventh €
    ("/v1/changes?since=", "c" * 38 + "😀" + "d" * 10),       # cut at 40 bytes: inside the emoji
], ids=["q-e-acute", "date-euro", "since-emoji"])
def test_a_cut_multibyte_value_in_a_detail_is_whole_characters(api, reader_key, path, value):
    """A detail quotes the start of a long value: the cut falls between two characters, so
    the detail is valid UTF-8 and says everything after the quote too."""
    r = api.raw("GET", path + quote(value), key=reader_key)
    assert r.status_code == 400, r.text
    detail = r.content.decode("utf-8")  # strict: no broken character
    detail = json.loads(detail)["detail"]
    quoted = detail.split("'")[1].removesuffix("...")
    assert value.startswith(quoted) and len(quoted.encode("utf-8")) > 10, detail
    assert "too long" in detail or "is not a position of this feed" in detail, detail


@pytest.mark.parametrize("path", ["/v1/%FF", "/v1/clusters/%C3%A9", "/v1/clusters/%FF%FE",
                                  "/v1/clusters/c1000000-0000-4000-8000-000000000001%00"])
def test_odd_paths_are_404_problems(api, path):
    problem(api.raw("GET", path), 404, "not_found")


def test_percent_encoded_path_is_decoded_once(api):
    r = api.raw("GET", "/v1/regions/8%34")
    assert r.status_code == 200
    assert r.json()["code"] == "84"
    problem(api.raw("GET", "/v1/regions/8%2534"), 404, "not_found")
