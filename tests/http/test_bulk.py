"""POST /v1/companies/bulk: NDJSON and JSON array imports upserted by SIRET, line results,
dry runs, atomic imports, managers, limits."""

import json
import shutil
import time

import pytest

from conftest import DEMO_01, new_la_poste_siret, new_siret, problem, unique_word

BULK = "/v1/companies/bulk"
NDJSON = "application/x-ndjson"


def ndjson(*lines):
    return "".join((l if isinstance(l, str) else json.dumps(l, ensure_ascii=False)) + "\n" for l in lines).encode()


def company(siret=None, **fields):
    body = {"siret": siret or new_siret(), "name": f"Bulk {unique_word()}"}
    body.update(fields)
    return body


def by_siret(api, siret):
    items = api.get("/v1/companies", params={"siret": siret}).json()["items"]
    return items[0] if items else None


def count_sirets(api, sirets):
    n = 0
    for i in range(0, len(sirets), 100):
        r = api.get("/v1/companies", params={"siret": ",".join(sirets[i:i + 100]), "count": "true", "limit": 1})
        assert r.status_code == 200, r.text
        n += r.json()["total"]
    return n


def statuses(body):
    return [(r["line"], r["status"]) for r in body["results"]]


@pytest.fixture
def imported(api, admin_key, sql):
    """A list to append SIRETs to; the companies holding them are deleted afterwards (through
    the API for a few, with one SQL statement for many)."""
    sirets = []
    yield sirets
    if len(sirets) > 50 and shutil.which("psql"):
        sql("DELETE FROM companies WHERE siret = ANY(ARRAY[%s])" % ",".join(f"'{s}'" for s in sirets))
        return
    for s in sirets:
        c = by_siret(api, s)
        if c:
            api.delete(f"/v1/companies/{c['id']}", key=admin_key)


def post(api, key, body, content_type=NDJSON, **params):
    return api.post(BULK, body, content_type=content_type, key=key, params=params or None)


# ---- the basics ----

def test_ndjson_import_creates_and_reports_each_line(api, admin_key, imported):
    lines = [company(employees=9, department_code="74"), company(employees=300), company(naf_code="25.62A")]
    imported.extend(l["siret"] for l in lines)
    r = post(api, admin_key, ndjson(*lines))
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["summary"] == {"created": 3, "updated": 0, "unchanged": 0, "errors": 0}
    assert body["committed"] is True
    assert statuses(body) == [(1, "created"), (2, "created"), (3, "created")]
    for line, res in zip(lines, body["results"]):
        assert res["errors"] == []
        c = api.get(f"/v1/companies/{res['id']}").json()
        assert c["siret"] == line["siret"] and c["name"] == line["name"]
        assert c["siren"] == line["siret"][:9]
        assert c["version"] == 1
    first = api.get(f"/v1/companies/{body['results'][0]['id']}").json()
    assert first["size"] == "tpe" and first["region_code"] == "84"
    assert api.get(f"/v1/companies/{body['results'][1]['id']}").json()["size"] == "eti"


def test_json_array_import(api, admin_key, imported):
    lines = [company(), company()]
    imported.extend(l["siret"] for l in lines)
    r = post(api, admin_key, lines, content_type="application/json")
    assert r.status_code == 200, r.text
    body = r.json()
    assert statuses(body) == [(1, "created"), (2, "created")]
    assert body["summary"]["created"] == 2
    assert count_sirets(api, [l["siret"] for l in lines]) == 2


def test_json_array_elements_are_numbered_from_one(api, admin_key, imported):
    good = company()
    imported.append(good["siret"])
    raw = ('[\n  {"name": "no siret"},\n  42,\n  ' + json.dumps(good) + ',\n  [1]\n]').encode()
    body = post(api, admin_key, raw, content_type="application/json").json()
    assert [(r["line"], r["status"]) for r in body["results"]] == [(1, "error"), (2, "error"), (3, "created"),
                                                                    (4, "error")]
    assert body["results"][1]["errors"][0]["code"] == "malformed"
    assert body["results"][3]["errors"][0]["code"] == "malformed"


def test_empty_json_array_is_an_empty_import(api, admin_key):
    body = post(api, admin_key, b"[]", content_type="application/json").json()
    assert body["summary"] == {"created": 0, "updated": 0, "unchanged": 0, "errors": 0}
    assert body["results"] == []


def test_blank_lines_keep_their_numbers_and_have_no_result(api, admin_key, imported):
    a, b = company(), company()
    imported.extend([a["siret"], b["siret"]])
    raw = b"\n" + ndjson(a) + b"   \n\r\n" + ndjson(b).rstrip(b"\n")  # no final newline
    body = post(api, admin_key, raw).json()
    assert statuses(body) == [(2, "created"), (5, "created")]
    assert body["summary"]["created"] == 2


def test_crlf_line_endings(api, admin_key, imported):
    a, b = company(), company()
    imported.extend([a["siret"], b["siret"]])
    raw = (json.dumps(a) + "\r\n" + json.dumps(b) + "\r\n").encode()
    body = post(api, admin_key, raw).json()
    assert statuses(body) == [(1, "created"), (2, "created")]


# ---- bad lines ----

def test_malformed_lines_are_reported_and_the_others_processed(api, admin_key, imported):
    a, b = company(), company()
    imported.extend([a["siret"], b["siret"]])
    raw = ndjson(a, '{"siret": "1234', "[" + json.dumps(b) + "]", "not json", '"a string"', b)
    body = post(api, admin_key, raw).json()
    assert statuses(body) == [(1, "created"), (2, "error"), (3, "error"), (4, "error"), (5, "error"), (6, "created")]
    for res in body["results"][1:5]:
        assert res["id"] is None
        assert [e["code"] for e in res["errors"]] == ["malformed"], res
        assert res["errors"][0]["field"] == ""
    assert body["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "errors": 4}
    assert body["committed"] is True
    assert count_sirets(api, [a["siret"], b["siret"]]) == 2


def test_other_malformed_lines(api, admin_key, imported):
    a = company()
    imported.append(a["siret"])
    deep = '{"name": "x", "siret": "' + new_siret() + '", "address": ' + "[" * 40 + "]" * 40 + "}"
    raw = b"\n".join([
        b'{"siret": "75425550300015", "name": "a", "name": "b"}',   # duplicate member
        b'{"siret": "75425550300015", "name": "\xff"}',             # invalid UTF-8
        deep.encode(),                                              # nested deeper than 32
        b"null",
        b"{}{}",                                                    # two values on one line
        json.dumps(a).encode(),
    ]) + b"\n"
    body = post(api, admin_key, raw).json()
    assert statuses(body) == [(1, "error"), (2, "error"), (3, "error"), (4, "error"), (5, "error"), (6, "created")]
    for res in body["results"][:5]:
        assert [e["code"] for e in res["errors"]] == ["malformed"], res
    demo = api.get("/v1/companies", params={"siret": "75425550300015"}).json()["items"][0]
    assert demo["name"] == "Décolletage du Giffre"


def test_la_poste_siret_line(api, admin_key, imported):
    a = company(siret=new_la_poste_siret())
    imported.append(a["siret"])
    body = post(api, admin_key, ndjson(a)).json()
    assert statuses(body) == [(1, "created")]
    assert by_siret(api, a["siret"])["siren"] == "356000000"


def test_invalid_lines_carry_field_errors(api, admin_key, imported):
    good = company()
    imported.append(good["siret"])
    bad_luhn = good["siret"][:-1] + str((int(good["siret"][-1]) + 1) % 10)
    lines = [
        company(siret=bad_luhn),                                   # 1 bad SIRET
        {"name": f"No siret {unique_word()}"},                     # 2 missing siret
        company(employees="douze"),                                # 3 bad field
        company(colour="blue"),                                    # 4 unknown field
        {"siret": new_siret()},                                    # 5 missing name
        company(department_code="74", region_code="75"),           # 6 region against department
        company(id="c2000000-0000-4000-8000-000000000001"),        # 7 read-only field
        good,                                                      # 8 fine
    ]
    body = post(api, admin_key, ndjson(*lines)).json()
    assert [r["status"] for r in body["results"]] == ["error"] * 7 + ["created"]
    expected_fields = ["siret", "siret", "employees", "colour", "name", "region_code", "id"]
    for res, field in zip(body["results"], expected_fields):
        assert res["id"] is None
        assert field in {e["field"] for e in res["errors"]}, res
        assert all(e["message"] for e in res["errors"])
    assert body["summary"]["errors"] == 7 and body["summary"]["created"] == 1
    assert count_sirets(api, [lines[i]["siret"] for i in (2, 3, 4, 5, 6)]) == 0
    assert count_sirets(api, [good["siret"]]) == 1


def test_duplicate_siret_in_one_import_errs_on_the_later_line(api, admin_key, imported):
    a, b = company(employees=5), company()
    imported.extend([a["siret"], b["siret"]])
    later = dict(a, employees=500, name="Later")
    body = post(api, admin_key, ndjson(a, b, later)).json()
    assert statuses(body) == [(1, "created"), (2, "created"), (3, "error")]
    assert [(e["field"], e["code"]) for e in body["results"][2]["errors"]] == [("siret", "duplicate")]
    assert body["results"][2]["id"] is None
    assert body["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "errors": 1}
    c = by_siret(api, a["siret"])
    assert c["employees"] == 5 and c["name"] == a["name"]


def test_duplicate_siret_far_apart_is_still_detected(api, admin_key, imported):
    lines = [company() for _ in range(1500)]
    lines.append(dict(lines[3], name="Again"))
    imported.extend(l["siret"] for l in lines[:1500])
    body = post(api, admin_key, ndjson(*lines)).json()
    assert body["summary"] == {"created": 1500, "updated": 0, "unchanged": 0, "errors": 1}
    assert body["results"][-1]["line"] == 1501
    assert body["results"][-1]["errors"][0]["code"] == "duplicate"


# ---- re-imports ----

def test_reimport_is_unchanged_then_changes_are_updated(api, admin_key, imported):
    lines = [company(employees=12, department_code="74", address={"city": "Cluses"},
                     location={"lat": 46.06, "lon": 6.58}, naf_code="25.62A", founded_on="1990-01-02"),
             company(website="https://www.example.org/")]
    imported.extend(l["siret"] for l in lines)
    first = post(api, admin_key, ndjson(*lines)).json()
    ids = [r["id"] for r in first["results"]]
    before = [api.get(f"/v1/companies/{i}") for i in ids]

    again = post(api, admin_key, ndjson(*lines)).json()
    assert statuses(again) == [(1, "unchanged"), (2, "unchanged")]
    assert [r["id"] for r in again["results"]] == ids
    assert again["summary"] == {"created": 0, "updated": 0, "unchanged": 2, "errors": 0}
    for b, i in zip(before, ids):
        a = api.get(f"/v1/companies/{i}")
        assert a.json() == b.json()
        assert a.headers["ETag"] == b.headers["ETag"]

    changed = [dict(lines[0], employees=13), lines[1]]
    third = post(api, admin_key, ndjson(*changed)).json()
    assert statuses(third) == [(1, "updated"), (2, "unchanged")]
    assert [r["id"] for r in third["results"]] == ids
    c = api.get(f"/v1/companies/{ids[0]}").json()
    assert c["employees"] == 13 and c["version"] == 2
    assert api.get(f"/v1/companies/{ids[1]}").json()["version"] == 1


def test_import_updates_a_company_created_through_the_api(api, admin_key, make_company):
    c = make_company(employees=3, phone="+33 4 50 00 00 00")
    body = post(api, admin_key, ndjson({"siret": c["siret"], "name": c["name"], "employees": 30})).json()
    assert statuses(body) == [(1, "updated")]
    assert body["results"][0]["id"] == c["id"]
    u = api.get(f"/v1/companies/{c['id']}").json()
    assert u["employees"] == 30 and u["size"] == "pme"
    assert u["phone"] is None  # a line is the full representation, as PUT
    assert u["version"] == c["version"] + 1


def test_import_of_an_unchanged_company_created_through_the_api(api, admin_key, make_company):
    c = make_company(employees=3, department_code="74", location={"lat": 45.5, "lon": 6.25},
                     address={"city": "Annecy"})
    line = {k: c[k] for k in ("siret", "name", "employees", "department_code", "location", "address")}
    body = post(api, admin_key, ndjson(line)).json()
    assert statuses(body) == [(1, "unchanged")]
    assert api.get(f"/v1/companies/{c['id']}").json() == c


# ---- dry runs and atomic imports ----

def test_dry_run_writes_nothing(api, admin_key, make_company, imported):
    existing = make_company(employees=3)
    new = company()
    imported.append(new["siret"])
    lines = [new, {"siret": existing["siret"], "name": existing["name"], "employees": 40}, {"name": "bad"}]
    body = post(api, admin_key, ndjson(*lines), dry_run="true").json()
    assert body["committed"] is False
    assert statuses(body) == [(1, "created"), (2, "updated"), (3, "error")]
    assert body["summary"] == {"created": 1, "updated": 1, "unchanged": 0, "errors": 1}
    assert body["results"][1]["id"] == existing["id"]
    assert by_siret(api, new["siret"]) is None
    assert api.get(f"/v1/companies/{existing['id']}").json() == existing


def test_dry_run_false_writes(api, admin_key, imported):
    a = company()
    imported.append(a["siret"])
    body = post(api, admin_key, ndjson(a), dry_run="false").json()
    assert body["committed"] is True
    assert by_siret(api, a["siret"]) is not None


def test_uncommitted_created_lines_have_no_id(api, admin_key, imported):
    # OpenAPI (BulkLineResult.id): null for a company that would have been created when
    # nothing was committed; an id that does not exist must not be handed out.
    a = company()
    imported.append(a["siret"])
    body = post(api, admin_key, ndjson(a), dry_run="true").json()
    assert body["results"][0]["status"] == "created"
    assert body["results"][0]["id"] is None
    body = post(api, admin_key, ndjson(a, {"name": "bad"}), atomic="true").json()
    assert body["committed"] is False
    assert body["results"][0]["status"] == "created"
    assert body["results"][0]["id"] is None


def test_atomic_with_one_bad_line_writes_nothing(api, admin_key, make_company, imported):
    existing = make_company(employees=3)
    lines = [company() for _ in range(3)]
    imported.extend(l["siret"] for l in lines)
    lines.insert(2, company(siret="12345678901234"))
    lines.append({"siret": existing["siret"], "name": "Renamed", "employees": 3})
    body = post(api, admin_key, ndjson(*lines), atomic="true").json()
    assert body["committed"] is False
    assert statuses(body) == [(1, "created"), (2, "created"), (3, "error"), (4, "created"), (5, "updated")]
    assert body["summary"] == {"created": 3, "updated": 1, "unchanged": 0, "errors": 1}
    assert count_sirets(api, [l["siret"] for l in lines[:2] + lines[3:4]]) == 0
    assert api.get(f"/v1/companies/{existing['id']}").json() == existing


def test_atomic_with_all_lines_valid_writes_everything(api, admin_key, make_company, imported):
    existing = make_company(employees=3)
    lines = [company() for _ in range(3)] + [{"siret": existing["siret"], "name": "Renamed"}]
    imported.extend(l["siret"] for l in lines[:3])
    body = post(api, admin_key, ndjson(*lines), atomic="true").json()
    assert body["committed"] is True
    assert body["summary"] == {"created": 3, "updated": 1, "unchanged": 0, "errors": 0}
    assert count_sirets(api, [l["siret"] for l in lines[:3]]) == 3
    assert api.get(f"/v1/companies/{existing['id']}").json()["name"] == "Renamed"
    for res in body["results"][:3]:
        assert api.get(f"/v1/companies/{res['id']}").status_code == 200


@pytest.mark.parametrize("param,value", [("dry_run", "yes"), ("atomic", "1"), ("atomic", ""), ("mode", "fast")])
def test_bad_query_parameters_are_400(api, admin_key, imported, param, value):
    a = company()
    imported.append(a["siret"])
    r = api.post(BULK, ndjson(a), content_type=NDJSON, key=admin_key, params={param: value})
    body = problem(r, 400, "invalid_query")
    assert body["errors"][0]["field"] == param
    assert by_siret(api, a["siret"]) is None


# ---- roles ----

def test_anonymous_and_reader_may_not_import(api, reader_key, imported):
    a = company()
    imported.append(a["siret"])
    problem(post(api, None, ndjson(a)), 401, "unauthorized")
    problem(post(api, reader_key, ndjson(a)), 403, "forbidden")
    assert by_siret(api, a["siret"]) is None


def test_manager_import_creates_and_updates_only_its_members(api, admin_key, manager_key, make_company, imported):
    outsider = make_company(employees=3)
    member = make_company(employees=4)
    assert api.put(f"/v1/clusters/{DEMO_01}/members/{member['id']}", {}, key=admin_key).status_code == 201
    new = company()
    imported.append(new["siret"])
    lines = [new,
             {"siret": outsider["siret"], "name": "Taken over", "employees": 3000},
             {"siret": member["siret"], "name": member["name"], "employees": 40}]
    body = post(api, manager_key, ndjson(*lines)).json()
    assert statuses(body) == [(1, "created"), (2, "error"), (3, "updated")]
    assert [e["code"] for e in body["results"][1]["errors"]] == ["forbidden"]
    assert body["results"][1]["id"] is None
    assert body["summary"] == {"created": 1, "updated": 1, "unchanged": 0, "errors": 1}
    assert body["committed"] is True
    assert by_siret(api, new["siret"]) is not None
    assert api.get(f"/v1/companies/{outsider['id']}").json() == outsider
    assert api.get(f"/v1/companies/{member['id']}").json()["employees"] == 40


def test_manager_may_not_update_a_demo_company_of_another_cluster(api, manager_key):
    before = api.get("/v1/companies/c2000000-0000-4000-8000-000000000010").json()
    line = {"siret": before["siret"], "name": "Taken over"}
    body = post(api, manager_key, ndjson(line)).json()
    assert body["results"][0]["status"] == "error"
    assert body["results"][0]["errors"][0]["code"] == "forbidden"
    assert api.get("/v1/companies/c2000000-0000-4000-8000-000000000010").json() == before


# ---- protocol errors ----

# (text/csv is a body the imports take: openapi.yaml, BulkCsv)
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None, "application/merge-patch+json"])
def test_wrong_content_type_is_415(api, admin_key, imported, content_type):
    a = company()
    imported.append(a["siret"])
    problem(post(api, admin_key, ndjson(a), content_type=content_type), 415, "unsupported_media_type")
    assert by_siret(api, a["siret"]) is None


def test_content_type_parameters_are_accepted(api, admin_key, imported):
    a = company()
    imported.append(a["siret"])
    r = post(api, admin_key, ndjson(a), content_type="application/x-ndjson; charset=utf-8")
    assert r.status_code == 200, r.text


def test_json_body_that_is_not_an_array_is_400(api, admin_key, imported):
    a = company()
    imported.append(a["siret"])
    problem(post(api, admin_key, a, content_type="application/json"), 400, "malformed_request")
    problem(post(api, admin_key, b"[" + json.dumps(a).encode(), content_type="application/json"), 400,
            "malformed_request")
    problem(post(api, admin_key, b"[" + json.dumps(a).encode() + b"] x", content_type="application/json"), 400,
            "malformed_request")
    assert by_siret(api, a["siret"]) is None


def test_empty_body_is_400(api, admin_key):
    problem(post(api, admin_key, b""), 400, "malformed_request")


def test_more_than_100000_lines_is_413(api, admin_key):
    body = b"{}\n" * 100_001
    problem(post(api, admin_key, body), 413, "payload_too_large")
    problem(post(api, admin_key, b"[" + b",".join([b"{}"] * 100_001) + b"]", content_type="application/json"), 413,
            "payload_too_large")


def test_rejected_array_writes_nothing(api, admin_key, imported):
    # More than 1,000 valid elements (one write batch), then an element too many or a syntax
    # error: the request is refused as a whole, so none of it may be written.
    lines = [company() for _ in range(1001)]
    imported.extend(l["siret"] for l in lines)
    head = ",".join(json.dumps(l) for l in lines).encode()
    over = b"[" + head + b"," + b",".join([b"{}"] * (100_001 - len(lines))) + b"]"
    problem(post(api, admin_key, over, content_type="application/json"), 413, "payload_too_large")
    assert count_sirets(api, [l["siret"] for l in lines]) == 0
    broken = b"[" + head + b", {oops}]"
    problem(post(api, admin_key, broken, content_type="application/json"), 400, "malformed_request")
    assert count_sirets(api, [l["siret"] for l in lines]) == 0


def sanitized(pid):
    """Is the server process a sanitizer build? Under AddressSanitizer, receiving 64 MiB takes
    minutes (the HTTP library grows the body by realloc, which ASan always copies)."""
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as f:
            maps = f.read()
    except OSError:
        return False
    return any(lib in maps for lib in ("libasan", "libtsan", "libmsan"))


def test_body_over_64_mib_is_413(api, admin_key, server):
    if sanitized(server.proc.pid):
        pytest.skip("sanitizer build: uploading 64 MiB takes minutes; checked by the plain build's run")
    start = time.monotonic()
    limit = 64 * 1024 * 1024
    line = b'{"name":"' + b"x" * 1000 + b'"}\n'
    body = line * (limit // len(line) + 1)
    assert len(body) > limit
    try:
        r = post(api, admin_key, body)
    except Exception as e:  # the server may close the connection once it has answered
        pytest.fail(f"the server did not answer a 64 MiB + body: {e!r}")
    problem(r, 413, "payload_too_large")
    assert time.monotonic() - start < 20


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_405(api, admin_key, method):
    r = api.request(method, BULK, key=admin_key, headers={"Content-Type": NDJSON}, data=b"")
    problem(r, 405, "method_not_allowed")
    assert "POST" in {m.strip() for m in r.headers["Allow"].split(",")}


# ---- scale ----

def test_20000_lines_import_in_reasonable_time(api, admin_key, imported):
    lines = [company(employees=i % 6000, department_code="74", naf_code="25.62A") for i in range(20_000)]
    imported.extend(l["siret"] for l in lines)
    body = ndjson(*lines)
    start = time.monotonic()
    r = post(api, admin_key, body)
    elapsed = time.monotonic() - start
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["summary"] == {"created": 20_000, "updated": 0, "unchanged": 0, "errors": 0}
    assert len(result["results"]) == 20_000
    assert [x["line"] for x in result["results"]] == list(range(1, 20_001))
    assert elapsed < 30, f"took {elapsed:.1f} s"
    assert count_sirets(api, [l["siret"] for l in lines[:500]]) == 500
    assert count_sirets(api, [l["siret"] for l in lines[-500:]]) == 500
    c = api.get(f"/v1/companies/{result['results'][-1]['id']}").json()
    assert c["siret"] == lines[-1]["siret"] and c["employees"] == lines[-1]["employees"]


def test_a_null_siret_is_a_missing_siret(api, admin_key, imported):
    # Regression: a line with "siret": null reached the duplicate check and crashed the server.
    good = company()
    imported.append(good["siret"])
    r = post(api, admin_key, ndjson({"siret": None, "name": f"Sans SIRET {unique_word()}"}, good))
    assert r.status_code == 200, r.text
    first, second = r.json()["results"]
    assert first["status"] == "error" and first["errors"][0]["field"] == "siret"
    assert first["errors"][0]["code"] == "required"
    assert second["status"] == "created"
    assert api.get("/health").status_code == 200
