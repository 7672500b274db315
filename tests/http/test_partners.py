"""Territorial partners: create, read, merge patch, delete, filters, formats and roles
(writes are admin only)."""

import csv
import io
import json
import re

import pytest

from conftest import new_siret, problem, unique_word

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ETAG_RE = re.compile(r'^"[0-9a-f]{32}"$')


def pa(n):
    return f"c3000000-0000-4000-8000-{n:012d}"


def invalid(r):
    body = problem(r, 422, "validation_failed")
    return {e["field"]: e["code"] for e in body["errors"]}


def total(api, **params):
    params.update({"count": "true", "limit": 1})
    r = api.get("/v1/partners", params=params)
    assert r.status_code == 200, r.text
    return r.json()["total"]


def ids(api, list_all, **params):
    items, _ = list_all("/v1/partners", params)
    return {i["id"] for i in items}


# ---- CRUD ----

def test_create_answers_201_location_etag_and_the_item(api, admin_key):
    siren = new_siret()[:9]
    body = {"name": f"Agence {unique_word()}", "kind": "development_agency", "siren": siren,
            "website": "https://www.example.org/", "email": "contact@example.org", "phone": "+33 4 50 00 00 00",
            "address": {"street": "5 rue Royale", "postal_code": "74000", "city": "Annecy", "commune_code": "74010"},
            "region_code": "84", "location": {"lat": 45.8992, "lon": 6.1294}, "description": "Agence d'essai."}
    r = api.post("/v1/partners", body, key=admin_key)
    assert r.status_code == 201, r.text
    p = r.json()
    try:
        assert UUID_RE.match(p["id"])
        assert r.headers["Location"] == f"/v1/partners/{p['id']}"
        assert ETAG_RE.match(r.headers["ETag"])
        for k, v in body.items():
            assert p[k] == v, k
        assert p["version"] == 1 and p["created_at"] == p["updated_at"]
        g = api.get(r.headers["Location"])
        assert g.json() == p and g.headers["ETag"] == r.headers["ETag"]
        assert api.get(r.headers["Location"], headers={"If-None-Match": g.headers["ETag"]}).status_code == 304
    finally:
        api.delete(f"/v1/partners/{p['id']}", key=admin_key)


def test_create_minimal_partner(make_partner):
    p = make_partner(kind="fablab")
    assert p["kind"] == "fablab"
    for k in ("siren", "website", "email", "phone", "address", "region_code", "location", "description"):
        assert p[k] is None, k


@pytest.mark.parametrize("body,field", [
    ({"kind": "chamber"}, "kind"),
    ({"kind": None}, "kind"),
    ({"name": None}, "name"),
    ({"name": ""}, "name"),
    ({"siren": "123456789"}, "siren"),
    ({"siren": "12345678"}, "siren"),
    ({"region_code": "99"}, "region_code"),
    ({"email": "nope"}, "email"),
    ({"department_code": "74"}, "department_code"),
    ({"id": pa(1)}, "id"),
    ({"version": 3}, "version"),
], ids=["bad-kind", "missing-kind", "missing-name", "empty-name", "siren-luhn", "siren-short", "unknown-region",
        "bad-email", "unknown-field", "read-only-id", "read-only-version"])
def test_invalid_partner_is_422_and_nothing_is_created(api, admin_key, body, field):
    word = unique_word()
    full = {"name": f"Invalid {word}", "kind": "other"}
    for k, v in body.items():
        if v is None:
            full.pop(k, None)
        else:
            full[k] = v
    assert field in invalid(api.post("/v1/partners", full, key=admin_key))
    assert total(api, q=word) == 0


def test_patch_changes_fields_and_increments_version(api, admin_key, make_partner):
    p = make_partner(kind="bank", phone="+33 4 50 00 00 00", address={"city": "Annecy"})
    r = api.patch(f"/v1/partners/{p['id']}", {"kind": "investor", "phone": None, "address": {"postal_code": "74000"}},
                  key=admin_key)
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["kind"] == "investor" and u["phone"] is None
    assert u["address"] == {"street": None, "postal_code": "74000", "city": "Annecy", "commune_code": None}
    assert u["version"] == p["version"] + 1
    assert api.get(f"/v1/partners/{p['id']}").json() == u


def test_patch_invalid_kind_is_422_and_changes_nothing(api, admin_key, make_partner):
    p = make_partner()
    assert "kind" in invalid(api.patch(f"/v1/partners/{p['id']}", {"kind": "friend"}, key=admin_key))
    assert api.get(f"/v1/partners/{p['id']}").json() == p


def test_patch_with_stale_if_match_is_412(api, admin_key, make_partner):
    p = make_partner()
    path = f"/v1/partners/{p['id']}"
    etag = api.get(path).headers["ETag"]
    assert api.patch(path, {"description": "a"}, key=admin_key).status_code == 200
    problem(api.patch(path, {"description": "b"}, key=admin_key, headers={"If-Match": etag}), 412,
            "precondition_failed")
    assert api.get(path).json()["description"] == "a"


def test_delete_then_404(api, admin_key, make_partner):
    p = make_partner()
    path = f"/v1/partners/{p['id']}"
    r = api.delete(path, key=admin_key)
    assert r.status_code == 204 and r.content == b""
    problem(api.get(path), 404, "not_found")
    problem(api.delete(path, key=admin_key), 404, "not_found")
    problem(api.patch(path, {"name": "x"}, key=admin_key), 404, "not_found")


@pytest.mark.parametrize("pid", ["nope", "c3000000-0000-4000-8000-00000000001", "00000000-0000-4000-8000-000000000000"])
def test_unknown_or_malformed_id_is_404(api, admin_key, pid):
    problem(api.get(f"/v1/partners/{pid}"), 404, "not_found")
    problem(api.delete(f"/v1/partners/{pid}", key=admin_key), 404, "not_found")


def test_get_demo_partner(api):
    r = api.get(f"/v1/partners/{pa(3)}")
    assert r.status_code == 200
    assert r.json()["name"] == "CCI Haute-Savoie"
    assert r.json()["kind"] == "chamber_of_commerce"
    assert r.json()["region_code"] == "84"


# ---- lists ----

def test_list_counts_and_pages(api, list_all):
    body = api.get("/v1/partners", params={"count": "true", "limit": 5}).json()
    assert body["total"] >= 23
    items, pages = list_all("/v1/partners", {"limit": 5})
    assert len(items) == body["total"] and pages >= 5
    assert len({i["id"] for i in items}) == len(items)


def test_kind_filter(api, list_all):
    found = ids(api, list_all, kind="university")
    assert {pa(11), pa(12), pa(13)} <= found
    items, _ = list_all("/v1/partners", {"kind": "university,school"})
    assert {i["kind"] for i in items} == {"university", "school"}
    assert pa(14) in {i["id"] for i in items}


def test_invalid_kind_filter_is_400(api):
    body = problem(api.get("/v1/partners", params={"kind": "friend"}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "kind"


def test_q_filter(api, list_all):
    found = ids(api, list_all, q="université")
    assert {pa(11), pa(12), pa(13)} <= found
    assert ids(api, list_all, q="universite") == found
    assert {pa(3), pa(4)} <= ids(api, list_all, q="chambres")
    assert ids(api, list_all, q=unique_word()) == set()


def test_region_filter(api, list_all):
    items, _ = list_all("/v1/partners", {"region": "84"})
    assert items and all(i["region_code"] == "84" for i in items)
    assert {pa(1), pa(3), pa(5), pa(11), pa(20), pa(22)} <= {i["id"] for i in items}
    problem(api.get("/v1/partners", params={"region": "99"}), 400, "invalid_query")


def test_filters_combine(api, list_all):
    assert ids(api, list_all, kind="region", region="84,94") >= {pa(5), pa(6)}
    assert pa(7) not in ids(api, list_all, kind="region", region="84,94")


def test_updated_since(api, make_partner):
    p = make_partner()
    items = api.get("/v1/partners", params={"updated_since": p["updated_at"], "limit": 500}).json()["items"]
    assert p["id"] in {i["id"] for i in items}
    assert api.get("/v1/partners", params={"updated_since": "2999-01-01T00:00:00Z"}).json()["items"] == []


def test_sorts(api, list_all):
    items, _ = list_all("/v1/partners", {"sort": "-created_at", "limit": 7})
    values = [i["created_at"] for i in items]
    assert values == sorted(values, reverse=True)
    problem(api.get("/v1/partners", params={"sort": "kind"}), 400, "invalid_query")


def test_formats(api):
    r = api.get("/v1/partners", params={"kind": "chamber_of_commerce", "format": "csv"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert pa(3) in {row["id"] for row in rows}
    assert "address.city" in rows[0] and "location.lon" in rows[0]
    r = api.get("/v1/partners", params={"kind": "chamber_of_commerce"}, headers={"Accept": "application/geo+json"})
    assert r.status_code == 200
    feature = next(f for f in r.json()["features"] if f["id"] == pa(3))
    assert feature["geometry"]["type"] == "Point" and len(feature["geometry"]["coordinates"]) == 2
    r = api.get("/v1/partners", params={"format": "ndjson"})
    assert len([json.loads(x) for x in r.text.splitlines()]) == total(api)
    problem(api.get("/v1/partners", headers={"Accept": "application/xml"}), 406, "not_acceptable")
    problem(api.get(f"/v1/partners/{pa(3)}", headers={"Accept": "application/xml"}), 406, "not_acceptable")


def test_unknown_query_parameters_are_400(api, admin_key):
    body = problem(api.get("/v1/partners", params={"type": "bank"}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "type"
    problem(api.get(f"/v1/partners/{pa(3)}", params={"x": "1"}), 400, "invalid_query")
    word = unique_word()
    problem(api.post("/v1/partners", {"name": word, "kind": "other"}, key=admin_key, params={"x": "1"}), 400,
            "invalid_query")
    assert total(api, q=word) == 0


@pytest.mark.parametrize("method,path,allowed", [
    ("PUT", "/v1/partners", {"GET", "POST"}),
    ("DELETE", "/v1/partners", {"GET", "POST"}),
    ("POST", f"/v1/partners/{pa(3)}", {"GET", "PATCH", "DELETE"}),
    ("PUT", f"/v1/partners/{pa(3)}", {"GET", "PATCH", "DELETE"}),
])
def test_method_not_allowed_is_405_with_allow(api, admin_key, method, path, allowed):
    r = api.request(method, path, key=admin_key, headers={"Content-Type": "application/json"}, data=b"{}")
    problem(r, 405, "method_not_allowed")
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allowed <= allow, allow


# ---- roles ----

def test_reads_are_public(api, reader_key, manager_key):
    for key in (None, reader_key, manager_key):
        assert api.get("/v1/partners", key=key).status_code == 200
        assert api.get(f"/v1/partners/{pa(3)}", key=key).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "reader", "manager"])
def test_only_admins_write_partners(api, reader_key, manager_key, make_partner, who):
    key = {"anonymous": None, "reader": reader_key, "manager": manager_key}[who]
    status, code = (401, "unauthorized") if key is None else (403, "forbidden")
    p = make_partner()
    word = unique_word()
    problem(api.post("/v1/partners", {"name": f"Nope {word}", "kind": "other"}, key=key), status, code)
    problem(api.patch(f"/v1/partners/{p['id']}", {"name": "Renamed"}, key=key), status, code)
    problem(api.delete(f"/v1/partners/{p['id']}", key=key), status, code)
    # a partner of the manager's own cluster is still admin-only
    problem(api.patch(f"/v1/partners/{pa(3)}", {"phone": None}, key=key), status, code)
    assert api.get(f"/v1/partners/{p['id']}").json() == p
    assert total(api, q=word) == 0
