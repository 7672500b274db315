"""Every documented limit, enforced: the string lengths and array lengths of api/openapi.yaml
(walked from the document itself, so a limit added there is tested here), the length of the
query string and of the headers. Over a limit: a problem document, and nothing changed."""
import pytest
import yaml

from conftest import REPO, problem
from openapi_check import resolve_ref

SPEC_LIMITS_DOC = yaml.safe_load((REPO / "api" / "openapi.yaml").read_text(encoding="utf-8"))

RESOURCES = [
    ("/v1/clusters/{id}", "make_cluster"),
    ("/v1/companies/{id}", "make_company"),
    ("/v1/partners/{id}", "make_partner"),
    ("/v1/projects/{id}", "make_project"),
    ("/v1/events/{id}", "make_event"),
]


def resolve(node):
    return resolve_ref(SPEC_LIMITS_DOC, node)


def alternatives(node):
    node = resolve(node)
    out = [node]
    for k in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(k, []):
            out += alternatives(sub)
    return out


def limited_fields(schema, prefix=()):
    """(path tuple, schema) of every string with maxLength and array with maxItems."""
    found = []
    for alt in alternatives(schema):
        for name, sub in alt.get("properties", {}).items():
            for a in alternatives(sub):
                if "maxLength" in a or "maxItems" in a:
                    found.append((prefix + (name,), a))
                if "properties" in a:
                    found += limited_fields(a, prefix + (name,))
    seen, unique = set(), []
    for path, a in found:
        key = (path, a.get("maxLength"), a.get("maxItems"))
        if key not in seen:
            seen.add(key)
            unique.append((path, a))
    return unique


def patch_schema(path):
    op = SPEC_LIMITS_DOC["paths"][path]["patch"]
    return op["requestBody"]["content"]["application/merge-patch+json"]["schema"]


def nest(path, value):
    for name in reversed(path):
        value = {name: value}
    return value


def over_limit(a):
    """A value one past the limit (its items need not be valid: the length is reported as such)."""
    if "maxLength" in a:
        return "é" * (a["maxLength"] + 1)
    n = a["maxItems"] + 1
    item = resolve(a.get("items", {}))
    if "enum" in item and len(item["enum"]) >= n:
        return item["enum"][:n]
    if "object" in (item.get("type"),) or "properties" in item:
        return [{} for _ in range(n)]
    return [f"t{i}" for i in range(n)]


CASES = [(res, fixture, path, a) for res, fixture in RESOURCES for path, a in limited_fields(patch_schema(res))]


@pytest.mark.parametrize("res,fixture,path,a", CASES, ids=[f"{r.split('/')[2]}.{'.'.join(p)}" for r, _, p, _ in CASES])
def test_a_value_past_its_documented_length_is_422_and_changes_nothing(api, admin_key, request, res, fixture,
                                                                       path, a):
    obj = request.getfixturevalue(fixture)()
    url = res.replace("{id}", obj["id"])
    etag = api.get(url, key=admin_key).headers["ETag"]
    r = api.patch(url, nest(path, over_limit(a)), key=admin_key)
    body = problem(r, 422, "validation_failed")
    # A code of fixed length (SIREN, region, date, UUID...) past its length is not that code:
    # the format check reports it.
    fixed = a.get("format") in ("uuid", "date", "date-time") or "{" in a.get("pattern", "")
    codes = ("too_long", "invalid_format", "unknown_reference") if fixed else ("too_long",)
    assert any({"field": ".".join(path), "code": code} in [{"field": e["field"], "code": e["code"]}
                                                           for e in body["errors"]] for code in codes), body["errors"]
    assert api.get(url, key=admin_key).headers["ETag"] == etag


PLAIN = [(res, fixture, path, a) for res, fixture, path, a in CASES
         if "maxLength" in a and "pattern" not in a and "format" not in a and "enum" not in a
         and path[-1] not in ("siren", "siret", "phone", "postal_code", "commune_code", "naf_code", "acronym")]


@pytest.mark.parametrize("res,fixture,path,a", PLAIN, ids=[f"{r.split('/')[2]}.{'.'.join(p)}" for r, _, p, _ in PLAIN])
def test_a_value_at_its_documented_length_in_characters_is_accepted(api, admin_key, request, res, fixture, path, a):
    obj = request.getfixturevalue(fixture)()
    url = res.replace("{id}", obj["id"])
    value = "é" * a["maxLength"]  # two bytes each in UTF-8: lengths count characters
    r = api.patch(url, nest(path, value), key=admin_key)
    assert r.status_code == 200, r.text
    got = r.json()
    for name in path:
        got = got[name]
    assert got == value


def test_query_string_over_8_kib_is_414(api):
    r = api.raw("GET", "/v1/clusters?q=" + "a" * 8200)
    problem(r, 414, "uri_too_long")


def test_headers_over_16_kib_are_431(api):
    r = api.raw("GET", "/v1/clusters", headers={f"X-Pad-{i}": "v" * 1000 for i in range(17)})
    problem(r, 431, "header_fields_too_large")


def test_request_head_past_the_http_layer_memory_is_refused(api):
    # past 32 KiB, libmicrohttpd refuses the request itself (no problem document there)
    import http.client
    from urllib.parse import urlsplit
    u = urlsplit(api.base_url)
    for target, headers, status in (("/v1/clusters?q=" + "a" * 40000, {}, 414),
                                    ("/v1/clusters", {"X-Pad": "v" * 40000}, 431)):
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.putrequest("GET", target)
        for k, v in headers.items():
            c.putheader(k, v)
        c.endheaders()
        assert c.getresponse().status == status
        c.close()


def test_a_query_with_thousands_of_parameters_is_answered(api):
    # found by test_http_fuzz.py: past some 300 arguments libmicrohttpd ran out of memory
    # parsing them and left the connection hanging, without an answer (src/server.c)
    for n in (400, 900):  # under the 8 KiB of a query string
        r = api.raw("GET", "/v1/clusters?region=84" + "&limit=5" * n)
        assert r.status_code in (200, 400), r.text
    for n in (400, 4000):
        problem(api.raw("GET", "/v1/clusters?region=84" + "&x" * n), 400, "invalid_query")
