"""The contract checker itself: it must refuse what the document does not allow, so that
the checks run on every response of the suite mean something."""

import json

import pytest
from requests.structures import CaseInsensitiveDict

from openapi_check import ContractError


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
