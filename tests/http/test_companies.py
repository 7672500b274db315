"""Companies: create with derived fields (siren, size, region), SIRET/SIREN/NAF checks, get,
merge patch, delete, list filters, sorts and formats, upsert by SIRET, and roles."""

import csv
import io
import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import DEMO_01, luhn_ok, new_la_poste_siret, new_siret, problem, unique_word

DEMO_02 = "c1000000-0000-4000-8000-000000000002"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ETAG_RE = re.compile(r'^"[0-9a-f]{32}"$')
LA_POSTE_DEMO_SIRET = "35600000004214"


def cl(n):
    return f"c1000000-0000-4000-8000-{n:012d}"


def co(n):
    return f"c2000000-0000-4000-8000-{n:012d}"


def invalid(r):
    """The {field: code} map of a 422."""
    body = problem(r, 422, "validation_failed")
    return {e["field"]: e["code"] for e in body["errors"]}


def total(api, **params):
    params.update({"count": "true", "limit": 1})
    r = api.get("/v1/companies", params=params)
    assert r.status_code == 200, r.text
    return r.json()["total"]


def ids_of(api, list_all, params):
    items, _ = list_all("/v1/companies", params)
    return [i["id"] for i in items]


@pytest.fixture
def cleanup_sirets(api, admin_key):
    """A list to append SIRETs to; the companies holding them are deleted afterwards."""
    sirets = []
    yield sirets
    for s in sirets:
        r = api.get("/v1/companies", params={"siret": s})
        for item in r.json().get("items", []):
            api.delete(f"/v1/companies/{item['id']}", key=admin_key)


# ---- the helpers themselves ----

def test_siret_helpers_make_valid_numbers():
    s = new_siret()
    assert len(s) == 14 and luhn_ok(s) and luhn_ok(s[:9])
    p = new_la_poste_siret()
    assert p.startswith("356000000") and sum(map(int, p)) % 5 == 0 and not luhn_ok(p)


# ---- create ----

def test_create_answers_201_location_etag_and_derives_siren(api, admin_key, make_company):
    siret = new_siret()
    c = make_company(siret=siret, legal_name="Test SAS", naf_code="25.62A", employees=48, department_code="74",
                     address={"city": "Cluses", "postal_code": "74300"}, location={"lat": 46.06, "lon": 6.58},
                     founded_on="1962-04-02", website="https://www.example.org/", email="contact@example.org",
                     phone="+33 4 50 98 12 34", description="Décolletage de précision.")
    assert UUID_RE.match(c["id"])
    assert c["siret"] == siret
    assert c["siren"] == siret[:9]
    assert c["size"] == "pme"
    assert c["region_code"] == "84"
    assert c["clusters"] == []
    assert c["version"] == 1
    assert c["created_at"] == c["updated_at"]
    assert c["address"] == {"street": None, "postal_code": "74300", "city": "Cluses", "commune_code": None}
    assert c["location"] == {"lat": 46.06, "lon": 6.58}
    g = api.get(f"/v1/companies/{c['id']}")
    assert g.status_code == 200
    assert g.json() == c


def test_create_headers(api, admin_key, cleanup_sirets):
    siret = new_siret()
    cleanup_sirets.append(siret)
    r = api.post("/v1/companies", {"name": f"Headers {unique_word()}", "siret": siret}, key=admin_key)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == f"/v1/companies/{r.json()['id']}"
    assert ETAG_RE.match(r.headers["ETag"])
    assert api.get(r.headers["Location"]).headers["ETag"] == r.headers["ETag"]


def test_create_minimal_company_without_siret(api, make_company):
    c = make_company(siret=None)
    assert c["siret"] is None and c["siren"] is None
    assert c["size"] is None and c["employees"] is None
    assert c["region_code"] is None and c["department_code"] is None


@pytest.mark.parametrize("employees,size", [(0, "tpe"), (9, "tpe"), (10, "pme"), (249, "pme"), (250, "eti"),
                                            (4999, "eti"), (5000, "ge"), (250000, "ge")])
def test_size_is_derived_from_employees(make_company, employees, size):
    assert make_company(employees=employees)["size"] == size


def test_explicit_size_is_kept(make_company):
    c = make_company(employees=9, size="ge")
    assert c["size"] == "ge"
    assert make_company(size="eti")["size"] == "eti"


def test_null_size_is_derived(make_company):
    assert make_company(employees=300, size=None)["size"] == "eti"


@pytest.mark.parametrize("department,region", [("74", "84"), ("40", "75"), ("2A", "94"), ("974", "04"), ("75", "11")])
def test_region_is_derived_from_department(make_company, department, region):
    assert make_company(department_code=department)["region_code"] == region


def test_matching_region_is_accepted(make_company):
    assert make_company(department_code="74", region_code="84")["region_code"] == "84"


def test_region_not_matching_department_is_422(api, admin_key):
    word = unique_word()
    r = api.post("/v1/companies", {"name": f"Mismatch {word}", "department_code": "74", "region_code": "75"},
                 key=admin_key)
    assert invalid(r).get("region_code") is not None
    assert total(api, q=word) == 0


def test_siren_not_matching_siret_is_422(api, admin_key):
    siret = new_siret()
    other = new_siret()[:9]
    r = api.post("/v1/companies", {"name": f"Mismatch {unique_word()}", "siret": siret, "siren": other},
                 key=admin_key)
    assert "siren" in invalid(r)
    assert total(api, siret=siret) == 0


def test_siret_whose_siren_fails_its_key_is_422(api, admin_key, sql):
    """Found by fuzz_body: the 14 digits pass the Luhn key, their first 9 (the SIREN) do not."""
    for path, send in (("/v1/companies", lambda b: api.post("/v1/companies", b, key=admin_key)),
                       ("bulk", lambda b: api.post("/v1/companies/bulk", [b], key=admin_key))):
        r = send({"name": f"Scierie {unique_word()}", "siret": "73282932100007"})
        if path == "bulk":
            assert r.status_code == 200 and r.json()["results"][0]["status"] == "error", r.text
            assert r.json()["results"][0]["errors"][0]["field"] == "siret"
        else:
            assert "siret" in invalid(r)
    assert sql("SELECT count(*) FROM companies WHERE siret = '73282932100007'") == "0"
    assert sql("SELECT siret_ok('73282932100007')") == "f"


def test_matching_siren_and_siret_are_accepted(make_company):
    siret = new_siret()
    assert make_company(siret=siret, siren=siret[:9])["siren"] == siret[:9]


def bad_luhn(siret):
    last = int(siret[-1])
    return siret[:-1] + str((last + 1) % 10)


@pytest.mark.parametrize("kind", ["bad-luhn", "13-digits", "15-digits", "letters", "spaces", "number"])
def test_invalid_siret_is_422_on_field_siret(api, admin_key, kind):
    good = new_siret()
    value = {"bad-luhn": bad_luhn(good), "13-digits": good[:13], "15-digits": good + "0",
             "letters": good[:10] + "ABCD", "spaces": good[:9] + " " + good[9:13],
             "number": int(good)}[kind]
    word = unique_word()
    r = api.post("/v1/companies", {"name": f"Bad siret {word}", "siret": value}, key=admin_key)
    assert "siret" in invalid(r)
    assert total(api, q=word) == 0


def test_la_poste_siret_is_valid_though_not_luhn(make_company):
    siret = new_la_poste_siret()
    c = make_company(siret=siret)
    assert c["siret"] == siret
    assert c["siren"] == "356000000"


def test_la_poste_siret_with_wrong_digit_sum_is_422(api, admin_key):
    while True:
        siret = "356000000" + f"{int.from_bytes(os.urandom(3), 'big') % 10**5:05d}"
        if sum(map(int, siret)) % 5 != 0 and not luhn_ok(siret):
            break
    r = api.post("/v1/companies", {"name": f"Poste {unique_word()}", "siret": siret}, key=admin_key)
    assert "siret" in invalid(r)


def test_demo_la_poste_establishment(api):
    items = api.get("/v1/companies", params={"siret": LA_POSTE_DEMO_SIRET}).json()["items"]
    assert [i["id"] for i in items] == [co(48)]
    assert items[0]["siren"] == "356000000"


@pytest.mark.parametrize("siren", ["754255504", "75425550", "7542555030", "75425550A"],
                         ids=["bad-luhn", "8-digits", "10-digits", "letter"])
def test_invalid_siren_is_422(api, admin_key, siren):
    r = api.post("/v1/companies", {"name": f"Bad siren {unique_word()}", "siren": siren}, key=admin_key)
    assert "siren" in invalid(r)


def test_siren_alone_is_accepted(make_company):
    siren = new_siret()[:9]
    c = make_company(siret=None, siren=siren)
    assert c["siren"] == siren and c["siret"] is None


def test_naf_code_format_is_accepted(make_company):
    assert make_company(naf_code="25.62A")["naf_code"] == "25.62A"


@pytest.mark.parametrize("naf", ["2562A", "25.62", "25.62a", "25-62A", "25.6A", "A5.62A", ""])
def test_bad_naf_code_is_422(api, admin_key, naf):
    r = api.post("/v1/companies", {"name": f"Bad naf {unique_word()}", "naf_code": naf}, key=admin_key)
    assert "naf_code" in invalid(r)


@pytest.mark.parametrize("field,value", [
    ("employees", -1), ("employees", "douze"), ("employees", 1.5), ("size", "huge"),
    ("department_code", "20"), ("region_code", "99"), ("founded_on", "2020-02-30"),
    ("email", "nope"), ("website", "www.example.org"), ("location", {"lat": 95, "lon": 0}),
    ("name", ""), ("colour", "blue"),
    ("id", "c2000000-0000-4000-8000-000000000001"), ("clusters", [DEMO_01]), ("version", 2),
    ("created_at", "2026-01-01T00:00:00Z"),
])
def test_invalid_fields_are_422_and_nothing_is_created(api, admin_key, field, value):
    word = unique_word()
    body = {"name": f"Invalid {word}", "siret": new_siret()}
    body[field] = value
    r = api.post("/v1/companies", body, key=admin_key)
    fields = invalid(r)
    assert any(f == field or f.startswith(field + ".") for f in fields), fields
    assert total(api, siret=body["siret"]) == 0


def test_missing_name_is_422(api, admin_key):
    assert invalid(api.post("/v1/companies", {"siret": new_siret()}, key=admin_key)).get("name") == "required"


def test_duplicate_siret_is_409_and_nothing_is_created(api, admin_key, make_company):
    c = make_company()
    word = unique_word()
    r = api.post("/v1/companies", {"name": f"Twin {word}", "siret": c["siret"]}, key=admin_key)
    problem(r, 409, "conflict")
    assert total(api, siret=c["siret"]) == 1
    assert total(api, q=word) == 0


def test_duplicate_demo_siret_is_409(api, admin_key):
    r = api.post("/v1/companies", {"name": f"Twin {unique_word()}", "siret": "75425550300015"}, key=admin_key)
    problem(r, 409, "conflict")


# ---- get, patch, delete ----

def test_get_demo_company(api):
    r = api.get(f"/v1/companies/{co(1)}")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "Décolletage du Giffre"
    assert body["siret"] == "75425550300015" and body["siren"] == "754255503"
    assert body["clusters"] == [DEMO_01]
    assert ETAG_RE.match(r.headers["ETag"])


def test_if_none_match_is_304(api):
    etag = api.get(f"/v1/companies/{co(1)}").headers["ETag"]
    r = api.get(f"/v1/companies/{co(1)}", headers={"If-None-Match": etag})
    assert r.status_code == 304
    assert r.headers["ETag"] == etag


@pytest.mark.parametrize("cid", ["nope", "c2000000-0000-4000-8000-00000000001", "c2000000-0000-4000-8000-00000000000g",
                                 "00000000-0000-4000-8000-000000000000"])
def test_unknown_or_malformed_id_is_404(api, admin_key, cid):
    problem(api.get(f"/v1/companies/{cid}"), 404, "not_found")
    problem(api.patch(f"/v1/companies/{cid}", {"name": "x"}, key=admin_key), 404, "not_found")
    problem(api.delete(f"/v1/companies/{cid}", key=admin_key), 404, "not_found")


def test_patch_changes_fields_and_increments_version(api, admin_key, make_company):
    c = make_company(employees=5, phone="+33 4 50 00 00 00")
    r = api.patch(f"/v1/companies/{c['id']}", {"legal_name": "Nouvelle SAS", "phone": None}, key=admin_key)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["legal_name"] == "Nouvelle SAS"
    assert body["phone"] is None
    assert body["version"] == c["version"] + 1
    assert body["updated_at"] > c["updated_at"]
    assert api.get(f"/v1/companies/{c['id']}").json() == body
    for k in c:
        if k not in ("legal_name", "phone", "version", "updated_at"):
            assert body[k] == c[k], k


def test_patch_employees_rederives_size(api, admin_key, make_company):
    c = make_company(employees=5)
    assert c["size"] == "tpe"
    r = api.patch(f"/v1/companies/{c['id']}", {"employees": 300}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["size"] == "eti"
    r = api.patch(f"/v1/companies/{c['id']}", {"employees": 5000}, key=admin_key)
    assert r.json()["size"] == "ge"


def test_patch_employees_with_size_keeps_the_given_size(api, admin_key, make_company):
    c = make_company(employees=5)
    r = api.patch(f"/v1/companies/{c['id']}", {"employees": 300, "size": "pme"}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["size"] == "pme"
    # another field changes: the explicit size stays
    r = api.patch(f"/v1/companies/{c['id']}", {"legal_name": "X"}, key=admin_key)
    assert r.json()["size"] == "pme"


def test_patch_size_null_derives_it_again(api, admin_key, make_company):
    c = make_company(employees=30, size="ge")
    r = api.patch(f"/v1/companies/{c['id']}", {"size": None}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["size"] == "pme"


def test_patch_department_rederives_region(api, admin_key, make_company):
    c = make_company(department_code="74")
    r = api.patch(f"/v1/companies/{c['id']}", {"department_code": "40"}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["region_code"] == "75"


def test_patch_region_against_department_is_422(api, admin_key, make_company):
    c = make_company(department_code="74")
    assert "region_code" in invalid(api.patch(f"/v1/companies/{c['id']}", {"region_code": "75"}, key=admin_key))
    assert api.get(f"/v1/companies/{c['id']}").json() == c


def test_patch_siret_rederives_siren(api, admin_key, make_company):
    c = make_company()
    siret = new_siret()
    r = api.patch(f"/v1/companies/{c['id']}", {"siret": siret}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["siren"] == siret[:9]


def test_patch_to_another_companys_siret_is_409(api, admin_key, make_company):
    a, b = make_company(), make_company()
    problem(api.patch(f"/v1/companies/{b['id']}", {"siret": a["siret"]}, key=admin_key), 409, "conflict")
    assert api.get(f"/v1/companies/{b['id']}").json() == b


def test_patch_read_only_and_unknown_fields_are_422(api, admin_key, make_company):
    c = make_company()
    assert invalid(api.patch(f"/v1/companies/{c['id']}", {"clusters": []}, key=admin_key)) == {"clusters": "read_only"}
    assert "colour" in invalid(api.patch(f"/v1/companies/{c['id']}", {"colour": "red"}, key=admin_key))
    assert api.get(f"/v1/companies/{c['id']}").json() == c


def test_patch_with_stale_if_match_is_412_and_changes_nothing(api, admin_key, make_company):
    c = make_company()
    path = f"/v1/companies/{c['id']}"
    etag = api.get(path).headers["ETag"]
    assert api.patch(path, {"legal_name": "A"}, key=admin_key).status_code == 200
    problem(api.patch(path, {"legal_name": "B"}, key=admin_key, headers={"If-Match": etag}), 412,
            "precondition_failed")
    assert api.get(path).json()["legal_name"] == "A"


def test_patch_with_current_if_match_applies(api, admin_key, make_company):
    c = make_company()
    path = f"/v1/companies/{c['id']}"
    etag = api.get(path).headers["ETag"]
    r = api.patch(path, {"legal_name": "A"}, key=admin_key, headers={"If-Match": etag})
    assert r.status_code == 200, r.text


def test_delete_then_get_is_404(api, admin_key, make_company):
    c = make_company()
    path = f"/v1/companies/{c['id']}"
    r = api.delete(path, key=admin_key)
    assert r.status_code == 204
    assert r.content == b""
    problem(api.get(path), 404, "not_found")
    problem(api.delete(path, key=admin_key), 404, "not_found")


def test_delete_with_stale_if_match_is_412(api, admin_key, make_company):
    c = make_company()
    path = f"/v1/companies/{c['id']}"
    problem(api.delete(path, key=admin_key, headers={"If-Match": '"00000000000000000000000000000000"'}), 412,
            "precondition_failed")
    assert api.get(path).status_code == 200


# ---- lists: filters ----

def test_list_shape_and_count(api, list_all):
    body = api.get("/v1/companies", params={"count": "true", "limit": 7}).json()
    assert set(body) == {"items", "next", "total"}
    assert len(body["items"]) == 7
    assert body["total"] >= 67
    items, _ = list_all("/v1/companies", {"limit": 7})
    assert len(items) == body["total"]
    assert len({i["id"] for i in items}) == len(items)


def test_q_stems_plural_scieries(api, list_all):
    found = set(ids_of(api, list_all, {"q": "scieries"}))
    sawmills = {co(15), co(16), co(17), co(18), co(61)}
    assert sawmills <= found, found


def test_q_ignores_accents(api, list_all):
    found = set(ids_of(api, list_all, {"q": "decolletage"}))
    assert {co(1), co(9)} <= found, found
    assert set(ids_of(api, list_all, {"q": "décolletage"})) == found


def test_q_finds_nothing_for_an_unknown_word(api):
    assert api.get("/v1/companies", params={"q": unique_word()}).json()["items"] == []


def test_filter_siren_and_siret(api):
    items = api.get("/v1/companies", params={"siren": "754255503"}).json()["items"]
    assert [i["id"] for i in items] == [co(1)]
    items = api.get("/v1/companies", params={"siret": "75425550300015,44910654100013"}).json()["items"]
    assert {i["id"] for i in items} == {co(1), co(2)}


@pytest.mark.parametrize("param,value", [("siren", "123456789"), ("siren", "12345678"), ("siret", "75425550300016"),
                                         ("naf", "2562A"), ("naf", "25.62"), ("size", "huge"), ("region", "99"),
                                         ("department", "20"), ("cluster", "nope"), ("updated_since", "yesterday")])
def test_bad_filter_value_is_400(api, param, value):
    body = problem(api.get("/v1/companies", params={param: value}), 400, "invalid_query")
    assert body["errors"][0]["field"] == param


def test_filter_naf(api, list_all):
    items, _ = list_all("/v1/companies", {"naf": "25.62A"})
    assert items and all(i["naf_code"] == "25.62A" for i in items)
    assert {co(1), co(3), co(4), co(5), co(9)} <= {i["id"] for i in items}
    items, _ = list_all("/v1/companies", {"naf": "25.62A,16.10A"})
    assert {i["naf_code"] for i in items} == {"25.62A", "16.10A"}


def test_filter_size(api, list_all):
    items, _ = list_all("/v1/companies", {"size": "tpe,ge"})
    assert items and {i["size"] for i in items} <= {"tpe", "ge"}
    assert {co(7), co(22), co(31)} <= {i["id"] for i in items}


def test_filter_region_and_department(api, list_all):
    items, _ = list_all("/v1/companies", {"region": "84"})
    assert items and all(i["region_code"] == "84" for i in items)
    assert {co(1), co(25), co(49)} <= {i["id"] for i in items}
    items, _ = list_all("/v1/companies", {"department": "74"})
    assert items and all(i["department_code"] == "74" for i in items)
    assert co(25) not in {i["id"] for i in items}
    items, _ = list_all("/v1/companies", {"department": "2A,2B"})
    assert {i["id"] for i in items} >= {co(61), co(62)}


def test_filter_cluster_lists_current_members_only(api, list_all):
    # Alpes Sports Outdoor (11): company 33 left it in 2019, 36 and 49-51 are members.
    found = set(ids_of(api, list_all, {"cluster": cl(11)}))
    assert {co(36), co(49), co(50), co(51)} <= found
    assert co(33) not in found
    # SPL Horlogerie du Haut-Doubs (14): every membership has ended.
    assert ids_of(api, list_all, {"cluster": cl(14)}) == []


def test_filter_cluster_any_of(api, list_all):
    one = set(ids_of(api, list_all, {"cluster": cl(2)}))
    five = set(ids_of(api, list_all, {"cluster": cl(5)}))
    both = set(ids_of(api, list_all, {"cluster": f"{cl(2)},{cl(5)}"}))
    assert both == one | five
    assert co(27) in one and co(27) in five


def test_filters_combine_with_and(api, list_all):
    found = set(ids_of(api, list_all, {"cluster": DEMO_01, "naf": "25.62A", "size": "eti"}))
    assert {co(3), co(9)} <= found
    for cid in found:
        c = api.get(f"/v1/companies/{cid}").json()
        assert c["naf_code"] == "25.62A" and c["size"] == "eti" and DEMO_01 in c["clusters"]


def test_near_and_radius(api, make_company):
    # The point queried is 5.0 km north of the company (0.045 degree of latitude).
    c = make_company(location={"lat": 44.5, "lon": 3.5})
    near = "44.545,3.5"

    def found(params):
        r = api.get("/v1/companies", params=dict(params, limit=500))
        assert r.status_code == 200, r.text
        return c["id"] in {i["id"] for i in r.json()["items"]}

    assert found({"near": near, "radius_km": "10"})
    assert found({"near": near, "radius_km": "5.5"})
    assert not found({"near": near, "radius_km": "2"})
    assert not found({"near": near, "radius_km": "4.5"})
    assert found({"near": near})  # 10 km by default


def test_near_excludes_companies_without_location(api, make_company):
    c = make_company()
    items = api.get("/v1/companies", params={"near": "44.5,3.5", "radius_km": 1000, "limit": 500}).json()["items"]
    assert c["id"] not in {i["id"] for i in items}
    assert all(i["location"] is not None for i in items)


def test_near_finds_demo_companies_around_cluses(api, list_all):
    found = set(ids_of(api, list_all, {"near": "46.0606,6.5795", "radius_km": "3"}))
    assert {co(3), co(9), co(2)} <= found  # Cluses and Scionzier
    assert co(8) not in found  # Bonneville, about 14 km away


def test_radius_without_near_is_400(api):
    body = problem(api.get("/v1/companies", params={"radius_km": "10"}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "radius_km"


@pytest.mark.parametrize("near", ["abc", "45.0", "91,0", "45,181", "45.0,", ",6.5", "45.0;6.5", "45.0,6.5,1", "0x2D,6.5"])
def test_bad_near_is_400(api, near):
    body = problem(api.get("/v1/companies", params={"near": near}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "near"


@pytest.mark.parametrize("radius", ["0", "-1", "1001", "abc", ""])
def test_bad_radius_is_400(api, radius):
    body = problem(api.get("/v1/companies", params={"near": "46.0,6.5", "radius_km": radius}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "radius_km"


def test_updated_since(api, admin_key, make_company):
    c = make_company()
    items = api.get("/v1/companies", params={"updated_since": c["updated_at"], "limit": 500}).json()["items"]
    assert c["id"] in {i["id"] for i in items}
    assert all(i["updated_at"] >= c["updated_at"] for i in items)
    assert api.get("/v1/companies", params={"updated_since": "2999-01-01T00:00:00Z"}).json()["items"] == []


# ---- lists: sorts ----

@pytest.mark.parametrize("sort", ["employees", "-employees", "founded_on", "-founded_on", "created_at", "-updated_at"])
def test_sort_orders_items_with_nulls_last(api, list_all, make_company, sort):
    make_company()  # no employees, no founding date
    items, _ = list_all("/v1/companies", {"sort": sort, "limit": 9})
    field = sort.lstrip("-")
    values = [i[field] for i in items]
    present = [v for v in values if v is not None]
    assert values[:len(present)] == present, "nulls must come last"
    assert present == sorted(present, reverse=sort.startswith("-"))
    assert len({i["id"] for i in items}) == len(items) == total(api)


@pytest.mark.parametrize("sort", ["name", "-name", "legal_name", "-legal_name"])
def test_sort_by_name_pages_through_everything(api, list_all, make_company, sort):
    make_company()  # no legal name
    items, pages = list_all("/v1/companies", {"sort": sort, "limit": 10})
    assert pages > 1
    assert len({i["id"] for i in items}) == len(items) == total(api)


@pytest.mark.parametrize("sort", ["siret", "size", "clusters", "-", "region_code"])
def test_unknown_sort_is_400(api, sort):
    body = problem(api.get("/v1/companies", params={"sort": sort}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "sort"


# ---- lists: formats ----

def test_csv(api):
    r = api.get("/v1/companies", params={"siret": "75294075900018"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    header = rows[0]
    for col in ("id", "name", "siret", "siren", "naf_code", "employees", "size", "address.city", "location.lat",
                "location.lon", "department_code", "region_code", "clusters"):
        assert col in header, col
    assert len(rows) == 2
    row = dict(zip(header, rows[1]))
    assert row["id"] == co(29)
    assert row["clusters"] == f"{cl(5)};{cl(6)}"
    assert row["location.lat"] == "46.1836"
    assert r.text.endswith("\r\n")


def test_csv_with_count_has_x_total_count(api):
    r = api.get("/v1/companies", params={"format": "csv", "count": "true", "region": "84"})
    assert r.status_code == 200
    assert int(r.headers["X-Total-Count"]) == total(api, region="84")


def test_geojson(api):
    r = api.get("/v1/companies", params={"siret": "75425550300015", "format": "geojson"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    [f] = fc["features"]
    assert f["id"] == co(1)
    assert f["geometry"] == {"type": "Point", "coordinates": [6.4986, 46.0894]}
    assert "location" not in f["properties"]
    assert f["properties"]["name"] == "Décolletage du Giffre"


def test_geojson_without_location_has_null_geometry(api, make_company):
    c = make_company()
    fc = api.get("/v1/companies", params={"siret": c["siret"]}, headers={"Accept": "application/geo+json"}).json()
    assert fc["features"][0]["geometry"] is None


@pytest.mark.parametrize("params", [{}, {"region": "84"}, {"q": "scierie"}, {"sort": "-employees"}])
def test_ndjson_export_is_complete(api, params):
    expected = total(api, **params)
    r = api.get("/v1/companies", params=dict(params, format="ndjson", limit=2))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in r.text.splitlines() if line]
    assert len(lines) == expected
    assert len({i["id"] for i in lines}) == expected


def test_ndjson_by_accept(api):
    r = api.get("/v1/companies", headers={"Accept": "application/x-ndjson"})
    assert r.status_code == 200
    assert len(r.text.splitlines()) == total(api)


def test_unsupported_formats_are_406(api):
    problem(api.get("/v1/companies", headers={"Accept": "application/xml"}), 406, "not_acceptable")
    problem(api.get("/v1/companies", params={"format": "ics"}), 406, "not_acceptable")
    problem(api.get(f"/v1/companies/{co(1)}", headers={"Accept": "application/xml"}), 406, "not_acceptable")
    problem(api.get(f"/v1/companies/{co(1)}", headers={"Accept": "text/csv"}), 406, "not_acceptable")


def test_unknown_query_parameters_are_400(api, admin_key, make_company):
    body = problem(api.get("/v1/companies", params={"colour": "blue"}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "colour"
    problem(api.get(f"/v1/companies/{co(1)}", params={"expand": "clusters"}), 400, "invalid_query")
    c = make_company()
    problem(api.patch(f"/v1/companies/{c['id']}", {"legal_name": "X"}, key=admin_key, params={"x": "1"}), 400,
            "invalid_query")
    problem(api.put(f"/v1/companies/siret/{new_siret()}", {"name": "X"}, key=admin_key, params={"x": "1"}), 400,
            "invalid_query")
    assert api.get(f"/v1/companies/{c['id']}").json() == c


# ---- the clusters field ----

def test_clusters_field_lists_current_memberships_sorted(api):
    assert api.get(f"/v1/companies/{co(29)}").json()["clusters"] == [cl(5), cl(6)]
    assert api.get(f"/v1/companies/{co(27)}").json()["clusters"] == [cl(2), cl(5)]
    # company 33 left cluster 11 in 2019
    assert api.get(f"/v1/companies/{co(33)}").json()["clusters"] == [cl(7)]
    # company 58 left its only cluster
    assert api.get(f"/v1/companies/{co(58)}").json()["clusters"] == []


# ---- 405 ----

@pytest.mark.parametrize("method,path,allowed", [
    ("GET", "/v1/companies/bulk", {"POST"}),
    ("PUT", "/v1/companies/bulk", {"POST"}),
    ("GET", "/v1/companies/siret/75425550300015", {"PUT"}),
    ("DELETE", "/v1/companies/siret/75425550300015", {"PUT"}),
    ("PATCH", "/v1/companies/siret/75425550300015", {"PUT"}),
    ("PUT", "/v1/companies", {"GET", "POST"}),
    ("POST", f"/v1/companies/{co(1)}", {"GET", "PATCH", "DELETE"}),
    ("PUT", f"/v1/companies/{co(1)}", {"GET", "PATCH", "DELETE"}),
    ("POST", f"/v1/companies/{co(1)}/clusters", {"GET"}),
])
def test_method_not_allowed_is_405_with_allow(api, admin_key, method, path, allowed):
    r = api.request(method, path, key=admin_key, headers={"Content-Type": "application/json"}, data=b"{}")
    problem(r, 405, "method_not_allowed")
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allowed <= allow, allow
    assert method not in allow


# ---- upsert by SIRET ----

def put_body(word, **over):
    body = {"name": f"Upsert {word}", "legal_name": "Upsert SAS", "naf_code": "25.62B", "employees": 12,
            "department_code": "74", "website": "https://www.example.org/", "address": {"city": "Cluses"},
            "location": {"lat": 46.06, "lon": 6.58}}
    body.update(over)
    return body


def test_upsert_creates_then_is_unchanged_then_updates(api, admin_key, cleanup_sirets):
    siret = new_siret()
    cleanup_sirets.append(siret)
    path = f"/v1/companies/siret/{siret}"
    body = put_body(unique_word())
    r1 = api.put(path, body, key=admin_key)
    assert r1.status_code == 201, r1.text
    c = r1.json()
    assert r1.headers["Location"] == f"/v1/companies/{c['id']}"
    assert ETAG_RE.match(r1.headers["ETag"])
    assert c["siret"] == siret and c["siren"] == siret[:9]
    assert c["size"] == "pme" and c["region_code"] == "84"
    assert c["version"] == 1

    r2 = api.put(path, body, key=admin_key)
    assert r2.status_code == 200, r2.text
    assert r2.headers["ETag"] == r1.headers["ETag"]
    assert r2.json() == c
    assert "Location" not in r2.headers

    r3 = api.put(path, dict(body, employees=300), key=admin_key)
    assert r3.status_code == 200, r3.text
    u = r3.json()
    assert u["id"] == c["id"]
    assert u["version"] == 2
    assert u["employees"] == 300 and u["size"] == "eti"
    assert u["updated_at"] > c["updated_at"]
    assert r3.headers["ETag"] != r1.headers["ETag"]
    assert api.get(f"/v1/companies/{c['id']}").json() == u


def test_upsert_replaces_absent_fields(api, admin_key, cleanup_sirets):
    siret = new_siret()
    cleanup_sirets.append(siret)
    path = f"/v1/companies/siret/{siret}"
    body = put_body(unique_word(), size="ge", region_code="84")
    assert api.put(path, body, key=admin_key).status_code == 201
    r = api.put(path, {"name": body["name"], "employees": 12}, key=admin_key)
    assert r.status_code == 200, r.text
    c = r.json()
    for k in ("legal_name", "naf_code", "website", "address", "location", "department_code", "region_code"):
        assert c[k] is None, k
    assert c["size"] == "pme"  # derived again
    assert c["siren"] == siret[:9]


def test_upsert_with_siret_in_body(api, admin_key, cleanup_sirets):
    siret = new_siret()
    cleanup_sirets.append(siret)
    r = api.put(f"/v1/companies/siret/{siret}", put_body(unique_word(), siret=siret), key=admin_key)
    assert r.status_code == 201, r.text


def test_upsert_with_other_siret_in_body_is_422(api, admin_key):
    siret, other = new_siret(), new_siret()
    r = api.put(f"/v1/companies/siret/{siret}", put_body(unique_word(), siret=other), key=admin_key)
    assert "siret" in invalid(r)
    assert total(api, siret=f"{siret},{other}") == 0


@pytest.mark.parametrize("kind", ["bad-luhn", "13-digits", "letters", "la-poste-bad-sum"])
def test_upsert_with_invalid_siret_in_path_is_422(api, admin_key, kind):
    good = new_siret()
    siret = {"bad-luhn": bad_luhn(good), "13-digits": good[:13], "letters": "7542555030001A",
             "la-poste-bad-sum": "35600000004215"}[kind]
    r = api.put(f"/v1/companies/siret/{siret}", put_body(unique_word()), key=admin_key)
    assert "siret" in invalid(r)


def test_upsert_la_poste_siret(api, admin_key, cleanup_sirets):
    siret = new_la_poste_siret()
    cleanup_sirets.append(siret)
    r = api.put(f"/v1/companies/siret/{siret}", put_body(unique_word()), key=admin_key)
    assert r.status_code == 201, r.text
    assert r.json()["siren"] == "356000000"


def test_upsert_invalid_body_is_422(api, admin_key):
    siret = new_siret()
    assert "name" in invalid(api.put(f"/v1/companies/siret/{siret}", {"employees": 3}, key=admin_key))
    assert "id" in invalid(api.put(f"/v1/companies/siret/{siret}", {"name": "x", "id": co(1)}, key=admin_key))
    assert "region_code" in invalid(api.put(f"/v1/companies/siret/{siret}",
                                            {"name": "x", "department_code": "74", "region_code": "11"}, key=admin_key))
    assert total(api, siret=siret) == 0


def test_upsert_with_stale_if_match_is_412_and_changes_nothing(api, admin_key, cleanup_sirets):
    siret = new_siret()
    cleanup_sirets.append(siret)
    path = f"/v1/companies/siret/{siret}"
    body = put_body(unique_word())
    r = api.put(path, body, key=admin_key)
    etag = r.headers["ETag"]
    r2 = api.put(path, dict(body, employees=40), key=admin_key, headers={"If-Match": etag})
    assert r2.status_code == 200, r2.text
    problem(api.put(path, dict(body, employees=99), key=admin_key, headers={"If-Match": etag}), 412,
            "precondition_failed")
    c = api.get(f"/v1/companies/{r.json()['id']}").json()
    assert c["employees"] == 40 and c["version"] == 2


def test_upsert_with_if_match_on_a_missing_company_is_412(api, admin_key):
    siret = new_siret()
    problem(api.put(f"/v1/companies/siret/{siret}", put_body(unique_word()), key=admin_key,
                    headers={"If-Match": '"00000000000000000000000000000000"'}), 412, "precondition_failed")
    assert total(api, siret=siret) == 0


def test_upsert_with_if_match_star_on_a_missing_company_is_412(api, admin_key, cleanup_sirets):
    # RFC 9110 13.1.1: If-Match: * is false when there is no current representation (and the
    # OpenAPI document: "with none, any If-Match is 412").
    siret = new_siret()
    cleanup_sirets.append(siret)
    problem(api.put(f"/v1/companies/siret/{siret}", put_body(unique_word()), key=admin_key,
                    headers={"If-Match": "*"}), 412, "precondition_failed")
    assert total(api, siret=siret) == 0


def test_concurrent_upserts_of_a_new_siret_create_one_row(api, admin_key, cleanup_sirets):
    siret = new_siret()
    cleanup_sirets.append(siret)
    body = put_body(unique_word())
    barrier = threading.Barrier(10)

    def put(_):
        barrier.wait()
        r = api.put(f"/v1/companies/siret/{siret}", body, key=admin_key)
        return r.status_code, r.json()

    with ThreadPoolExecutor(10) as ex:
        results = list(ex.map(put, range(10)))
    statuses = sorted(s for s, _ in results)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(200) == 9, statuses
    assert len({b["id"] for _, b in results}) == 1
    assert total(api, siret=siret) == 1
    assert api.get(f"/v1/companies/{results[0][1]['id']}").json()["version"] == 1


def test_upsert_accept_xml_is_406(api, admin_key):
    siret = new_siret()
    problem(api.put(f"/v1/companies/siret/{siret}", put_body(unique_word()), key=admin_key,
                    headers={"Accept": "application/xml"}), 406, "not_acceptable")
    assert total(api, siret=siret) == 0


# ---- roles ----

def test_anonymous_writes_are_401(api, make_company):
    c = make_company()
    for r in (api.post("/v1/companies", {"name": "x"}),
              api.patch(f"/v1/companies/{c['id']}", {"name": "x"}),
              api.delete(f"/v1/companies/{c['id']}"),
              api.put(f"/v1/companies/siret/{new_siret()}", {"name": "x"})):
        problem(r, 401, "unauthorized")
        assert r.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert api.get(f"/v1/companies/{c['id']}").json() == c


def test_reader_writes_are_403(api, reader_key, make_company):
    c = make_company()
    siret = new_siret()
    for r in (api.post("/v1/companies", {"name": "x", "siret": siret}, key=reader_key),
              api.patch(f"/v1/companies/{c['id']}", {"name": "x"}, key=reader_key),
              api.delete(f"/v1/companies/{c['id']}", key=reader_key),
              api.put(f"/v1/companies/siret/{siret}", {"name": "x"}, key=reader_key),
              api.put(f"/v1/companies/siret/{c['siret']}", {"name": "x"}, key=reader_key)):
        problem(r, 403, "forbidden")
    assert api.get(f"/v1/companies/{c['id']}").json() == c
    assert total(api, siret=siret) == 0


def test_reads_are_public(api, reader_key, manager_key):
    for key in (None, reader_key, manager_key):
        assert api.get("/v1/companies", key=key).status_code == 200
        assert api.get(f"/v1/companies/{co(1)}", key=key).status_code == 200


@pytest.fixture
def member_of_01(api, admin_key, make_company):
    """A company made a current member of demo cluster 01 (the manager's)."""
    c = make_company(employees=20)
    r = api.put(f"/v1/clusters/{DEMO_01}/members/{c['id']}", {}, key=admin_key)
    assert r.status_code == 201, r.text
    return api.get(f"/v1/companies/{c['id']}").json()


def test_manager_may_create_companies(api, manager_key, cleanup_sirets):
    siret = new_siret()
    cleanup_sirets.append(siret)
    r = api.post("/v1/companies", {"name": f"By manager {unique_word()}", "siret": siret}, key=manager_key)
    assert r.status_code == 201, r.text


def test_manager_may_patch_a_member_of_its_cluster(api, manager_key, member_of_01):
    r = api.patch(f"/v1/companies/{member_of_01['id']}", {"employees": 30}, key=manager_key)
    assert r.status_code == 200, r.text
    assert r.json()["employees"] == 30


def test_manager_may_not_patch_a_company_outside_its_clusters(api, manager_key, make_company):
    c = make_company()
    problem(api.patch(f"/v1/companies/{c['id']}", {"employees": 30}, key=manager_key), 403, "forbidden")
    assert api.get(f"/v1/companies/{c['id']}").json() == c
    # a demo member of cluster 02 only
    before = api.get(f"/v1/companies/{co(10)}").json()
    problem(api.patch(f"/v1/companies/{co(10)}", {"employees": 1}, key=manager_key), 403, "forbidden")
    assert api.get(f"/v1/companies/{co(10)}").json() == before


def test_manager_may_not_patch_a_former_member(api, admin_key, manager_key, member_of_01):
    cid = member_of_01["id"]
    assert api.delete(f"/v1/clusters/{DEMO_01}/members/{cid}", key=admin_key).status_code == 204
    before = api.get(f"/v1/companies/{cid}").json()
    problem(api.patch(f"/v1/companies/{cid}", {"employees": 1}, key=manager_key), 403, "forbidden")
    assert api.get(f"/v1/companies/{cid}").json() == before


def test_manager_may_not_delete_companies(api, manager_key, member_of_01):
    problem(api.delete(f"/v1/companies/{member_of_01['id']}", key=manager_key), 403, "forbidden")
    assert api.get(f"/v1/companies/{member_of_01['id']}").status_code == 200


def test_manager_may_upsert_a_new_siret(api, manager_key, cleanup_sirets):
    siret = new_siret()
    cleanup_sirets.append(siret)
    r = api.put(f"/v1/companies/siret/{siret}", put_body(unique_word()), key=manager_key)
    assert r.status_code == 201, r.text


def test_manager_may_upsert_a_member_of_its_cluster(api, manager_key, member_of_01):
    r = api.put(f"/v1/companies/siret/{member_of_01['siret']}", {"name": member_of_01["name"], "employees": 77},
                key=manager_key)
    assert r.status_code == 200, r.text
    assert r.json()["employees"] == 77
    assert r.json()["clusters"] == [DEMO_01]


def test_manager_may_not_upsert_a_company_outside_its_clusters(api, manager_key, make_company):
    c = make_company(employees=3)
    problem(api.put(f"/v1/companies/siret/{c['siret']}", {"name": "Taken over", "employees": 4000},
                    key=manager_key), 403, "forbidden")
    assert api.get(f"/v1/companies/{c['id']}").json() == c
