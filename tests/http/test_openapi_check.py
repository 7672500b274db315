"""The contract checker itself: it must refuse what the document does not allow, so that
the checks run on every response of the suite mean something."""

import json

import pytest
from requests.structures import CaseInsensitiveDict

from openapi_check import METHODS, ContractError


def hdrs(**kw):
    h = CaseInsensitiveDict({"X-Request-Id": "r1"})
    for k, v in kw.items():
        h[k.replace("_", "-")] = v
    return h


PROBLEM = {"type": "urn:grappe:problem:not_found", "title": "Not found", "status": 404, "code": "not_found",
           "request_id": "r1"}


def check(checker, method, target, status, headers, body):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    checker.check(method, target, status, headers, body)


def test_accepts_a_documented_answer(checker):
    check(checker, "GET", "/health", 200, hdrs(Content_Type="application/json"), {"status": "ok"})
    check(checker, "GET", "/v1/clusters/x", 404, hdrs(Content_Type="application/problem+json"), PROBLEM)


def test_refuses_a_missing_request_id(checker):
    with pytest.raises(ContractError):
        checker.check("GET", "/health", 200, CaseInsensitiveDict({"Content-Type": "application/json"}),
                      b'{"status":"ok"}')


def test_refuses_an_undocumented_status(checker):
    with pytest.raises(ContractError):
        check(checker, "GET", "/health", 404, hdrs(Content_Type="application/problem+json"), PROBLEM)


def test_refuses_a_body_off_schema(checker):
    with pytest.raises(ContractError):
        check(checker, "GET", "/health", 200, hdrs(Content_Type="application/json"), {"status": "fine"})
    with pytest.raises(ContractError):
        check(checker, "GET", "/v1/regions/84", 200, hdrs(Content_Type="application/json", ETag='"' + "a" * 32 + '"'),
              {"code": "84"})


def test_refuses_an_undocumented_media_type(checker):
    with pytest.raises(ContractError):
        check(checker, "GET", "/health", 200, hdrs(Content_Type="text/plain"), b"ok")


def test_checks_formats(checker):
    cluster = {"id": "not-a-uuid"}
    with pytest.raises(ContractError):
        check(checker, "GET", "/v1/clusters/x", 200, hdrs(Content_Type="application/json", ETag='"' + "a" * 32 + '"'),
              cluster)


def test_checks_problem_semantics(checker):
    with pytest.raises(ContractError):  # request_id differs from the header
        check(checker, "GET", "/v1/clusters/x", 404, hdrs(Content_Type="application/problem+json"),
              dict(PROBLEM, request_id="other"))
    with pytest.raises(ContractError):  # status differs
        check(checker, "GET", "/v1/clusters/x", 404, hdrs(Content_Type="application/problem+json"),
              dict(PROBLEM, status=400))


def test_requires_etag_on_item_answers(checker):
    with pytest.raises(ContractError):
        check(checker, "GET", "/v1/regions/84", 200, hdrs(Content_Type="application/json"),
              {"code": "84", "name": "Auvergne-Rhône-Alpes"})
    with pytest.raises(ContractError):
        check(checker, "GET", "/v1/regions/84", 304, hdrs(), b"")


def test_undocumented_method_must_be_405_with_allow(checker):
    body = dict(PROBLEM, type="urn:grappe:problem:method_not_allowed", code="method_not_allowed", status=405)
    check(checker, "PUT", "/v1/clusters", 405,
          hdrs(Content_Type="application/problem+json", Allow="GET, HEAD, POST, OPTIONS"), body)
    with pytest.raises(ContractError):
        check(checker, "PUT", "/v1/clusters", 405, hdrs(Content_Type="application/problem+json"), body)
    with pytest.raises(ContractError):
        check(checker, "PUT", "/v1/clusters", 200, hdrs(Content_Type="application/json"), {})


def test_unknown_path_must_be_a_404_problem(checker):
    check(checker, "GET", "/nope", 404, hdrs(Content_Type="application/problem+json"), PROBLEM)
    with pytest.raises(ContractError):
        check(checker, "GET", "/nope", 200, hdrs(Content_Type="application/json"), {})
    with pytest.raises(ContractError):
        check(checker, "GET", "/nope", 404, hdrs(Content_Type="text/html"), b"<html>")


def test_staff_fte_with_two_decimals_is_accepted(checker):
    # multipleOf is stripped (jsonschema 4.10 float division): 0.29 must pass
    schema = {"$ref": "#/components/schemas/ClusterCreate/properties/staff_fte"}
    checker.validate(0.29, schema, "staff_fte")
    checker.validate(12.35, schema, "staff_fte")


def test_refuses_database_messages_in_problems(checker):
    with pytest.raises(ContractError):
        check(checker, "GET", "/v1/clusters/x", 404, hdrs(Content_Type="application/problem+json"),
              dict(PROBLEM, detail='The database refused a value: ERROR:  invalid input syntax for type uuid: "x"'))


def test_refuses_rate_limit_and_cors_headers_the_response_does_not_document(checker):
    # /health is not rate-limited: RateLimit headers there are not documented
    with pytest.raises(ContractError):
        check(checker, "GET", "/health", 200, hdrs(Content_Type="application/json", RateLimit_Limit="600"),
              {"status": "ok"})
    # 414 is answered before the request is counted
    with pytest.raises(ContractError):
        check(checker, "GET", "/v1/clusters", 414,
              hdrs(Content_Type="application/problem+json", RateLimit_Limit="600"),
              dict(PROBLEM, type="urn:grappe:problem:uri_too_long", code="uri_too_long", status=414))
    # a /v1 answer documents them, and the CORS headers every answer may carry
    check(checker, "GET", "/v1/clusters/x", 404,
          hdrs(Content_Type="application/problem+json", RateLimit_Limit="600", RateLimit_Remaining="599",
               RateLimit_Reset="42", Access_Control_Allow_Origin="https://front.example"), PROBLEM)
    check(checker, "GET", "/health", 200,
          hdrs(Content_Type="application/json", Access_Control_Allow_Origin="https://front.example"),
          {"status": "ok"})


def _media_examples(checker):
    """(where, media type, schema, example value) of every example of a JSON body."""
    doc = checker.doc
    found = []

    def media(where, content):
        for mt, m in (content or {}).items():
            if "json" not in mt or mt == "application/x-ndjson" or "schema" not in m:
                continue
            values = []
            if "example" in m:
                values.append(("example", m["example"]))
            for name, ex in (m.get("examples") or {}).items():
                values.append((name, checker.resolve(ex)["value"]))
            for name, value in values:
                found.append((f"{where} {mt} {name}", m["schema"], value))

    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            body = checker.resolve(op.get("requestBody") or {})
            media(f"{method.upper()} {path} request", body.get("content"))
            for status, resp in op["responses"].items():
                media(f"{method.upper()} {path} {status}", checker.resolve(resp).get("content"))
    for name, resp in doc["components"]["responses"].items():
        media(f"components/responses/{name}", resp.get("content"))
    return found


def test_every_example_matches_its_schema(checker):
    examples = _media_examples(checker)
    assert len(examples) > 50
    for where, schema, value in examples:
        checker.validate(value, schema, where)
    # parameters too
    for path, item in checker.doc["paths"].items():
        for p in [checker.resolve(p) for p in item.get("parameters", [])] + [
                checker.resolve(p) for m, op in item.items() if m in METHODS for p in op.get("parameters", [])]:
            if "example" in p:
                checker.validate(p["example"], p["schema"], f"{path} parameter {p['name']}")
