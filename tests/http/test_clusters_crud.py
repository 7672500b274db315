"""Clusters: create, read, JSON Merge Patch, delete; ETags and conditional requests."""

import re

import pytest

DEMO_01 = "c1000000-0000-4000-8000-000000000001"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ETAG_RE = re.compile(r'^"[0-9a-f]{32}"$')


def full_payload(word):
    return {
        "name": f"Pôle Complet {word}",
        "acronym": "PC",
        "kind": "pole_competitivite",
        "description": "Un pôle d'essai, avec des accents : décolletage, mécatronique.",
        "sectors": ["décolletage", "mécatronique"],
        "siren": "732829320",
        "founded_on": "2005-07-12",
        "website": "https://www.example.org/pole",
        "email": "contact@example.org",
        "phone": "+33 4 50 98 00 00",
        "address": {"street": "90 avenue des Lacs", "postal_code": "74300", "city": "Cluses",
                    "commune_code": "74081"},
        "region_codes": ["84"],
        "department_codes": ["74", "73"],
        "location": {"lat": 46.0606, "lon": 6.5797},
        "staff_fte": 12.5,
        "maturity": "mature",
        "status": "dormant",
        "labels": [
            {"scheme": "etat_pole", "level": None, "awarded_on": "2005-07-12", "valid_until": "2026-12-31"},
            {"scheme": "esca", "level": "gold", "awarded_on": "2022-03-15", "valid_until": "2026-03-14"},
        ],
    }


@pytest.fixture
def created(api, admin_key):
    ids = []
    yield ids
    for cid in ids:
        api.delete(f"/v1/clusters/{cid}", key=admin_key)


def test_create_answers_201_location_etag_and_the_item(api, admin_key, created, unique):
    payload = full_payload(unique())
    r = api.post("/v1/clusters", payload, key=admin_key)
    assert r.status_code == 201, r.text
    body = r.json()
    created.append(body["id"])
    assert UUID_RE.match(body["id"])
    assert r.headers["Location"] == f"/v1/clusters/{body['id']}"
    assert ETAG_RE.match(r.headers["ETag"])
    assert r.headers["Content-Type"].startswith("application/json")
    for k, v in payload.items():
        assert body[k] == v, k
    assert body["version"] == 1
    assert body["member_count"] == 0
    assert body["jobs"] == 0
    assert body["created_at"] == body["updated_at"]


def test_create_fills_defaults(api, admin_key, created, unique):
    r = api.post("/v1/clusters", {"name": f"Minimal {unique()}", "kind": "spl"}, key=admin_key)
    assert r.status_code == 201, r.text
    body = r.json()
    created.append(body["id"])
    assert body["status"] == "active"
    assert body["sectors"] == []
    assert body["labels"] == []
    assert body["region_codes"] == []
    assert body["department_codes"] == []
    assert body["version"] == 1
    assert body["member_count"] == 0
    for k in ("acronym", "description", "siren", "founded_on", "website", "email", "phone", "address",
              "location", "staff_fte", "maturity"):
        assert body[k] is None, k


def test_create_then_get_gives_same_body_and_etag(api, admin_key, created, unique):
    r = api.post("/v1/clusters", full_payload(unique()), key=admin_key)
    created.append(r.json()["id"])
    g = api.get(r.headers["Location"])
    assert g.status_code == 200
    assert g.json() == r.json()
    assert g.headers["ETag"] == r.headers["ETag"]


def test_partial_address_is_completed_with_nulls(make_cluster):
    c = make_cluster(address={"city": "Cluses"})
    assert c["address"] == {"street": None, "postal_code": None, "city": "Cluses", "commune_code": None}


def test_get_demo_cluster(api):
    r = api.get(f"/v1/clusters/{DEMO_01}")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "Mont-Blanc Industries"
    assert body["address"]["city"] == "Cluses"
    assert "84" in body["region_codes"] and "74" in body["department_codes"]
    assert ETAG_RE.match(r.headers["ETag"])


def test_etag_is_stable_between_reads(api):
    a = api.get(f"/v1/clusters/{DEMO_01}")
    b = api.get(f"/v1/clusters/{DEMO_01}")
    assert a.headers["ETag"] == b.headers["ETag"]


def test_uppercase_id_finds_the_same_cluster(api):
    r = api.get(f"/v1/clusters/{DEMO_01.upper()}")
    assert r.status_code == 200
    assert r.json()["id"] == DEMO_01


def test_if_none_match_current_is_304_with_etag_and_no_body(api):
    etag = api.get(f"/v1/clusters/{DEMO_01}").headers["ETag"]
    r = api.get(f"/v1/clusters/{DEMO_01}", headers={"If-None-Match": etag})
    assert r.status_code == 304
    assert r.headers["ETag"] == etag
    assert r.content == b""


def test_if_none_match_list_and_star(api):
    etag = api.get(f"/v1/clusters/{DEMO_01}").headers["ETag"]
    r = api.get(f"/v1/clusters/{DEMO_01}", headers={"If-None-Match": f'"00000000000000000000000000000000", {etag}'})
    assert r.status_code == 304
    r = api.get(f"/v1/clusters/{DEMO_01}", headers={"If-None-Match": "*"})
    assert r.status_code == 304


def test_if_none_match_uses_weak_comparison(api):
    # RFC 9110 13.1.2: If-None-Match compares weakly, so W/"x" matches "x" (caches and
    # compressing proxies hand back weak validators).
    etag = api.get(f"/v1/clusters/{DEMO_01}").headers["ETag"]
    r = api.get(f"/v1/clusters/{DEMO_01}", headers={"If-None-Match": "W/" + etag})
    assert r.status_code == 304


def test_if_none_match_stale_is_200(api):
    r = api.get(f"/v1/clusters/{DEMO_01}", headers={"If-None-Match": '"00000000000000000000000000000000"'})
    assert r.status_code == 200
    assert r.json()["id"] == DEMO_01


def test_patch_changes_a_field_and_increments_version(api, admin_key, make_cluster):
    c = make_cluster(acronym="OLD", staff_fte=3)
    etag_before = api.get(f"/v1/clusters/{c['id']}").headers["ETag"]
    r = api.patch(f"/v1/clusters/{c['id']}", {"acronym": "NEW", "staff_fte": 13.5}, key=admin_key)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["acronym"] == "NEW"
    assert body["staff_fte"] == 13.5
    assert body["version"] == c["version"] + 1
    assert body["updated_at"] > c["updated_at"]
    assert body["created_at"] == c["created_at"]
    assert r.headers["ETag"] != etag_before
    g = api.get(f"/v1/clusters/{c['id']}")
    assert g.json() == body
    assert g.headers["ETag"] == r.headers["ETag"]
    # the other fields did not move
    for k in c:
        if k not in ("acronym", "staff_fte", "version", "updated_at"):
            assert body[k] == c[k], k


def test_patch_null_removes_a_nullable_field(api, admin_key, make_cluster):
    c = make_cluster(acronym="GONE", email="a@example.org", location={"lat": 45.0, "lon": 5.0})
    r = api.patch(f"/v1/clusters/{c['id']}", {"acronym": None, "location": None}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["acronym"] is None
    assert r.json()["location"] is None
    assert r.json()["email"] == "a@example.org"


def test_patch_merges_nested_address(api, admin_key, make_cluster):
    address = {"street": "1 rue A", "postal_code": "74300", "city": "Cluses", "commune_code": "74081"}
    c = make_cluster(address=address)
    r = api.patch(f"/v1/clusters/{c['id']}", {"address": {"city": "Scionzier", "commune_code": None}},
                  key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["address"] == {"street": "1 rue A", "postal_code": "74300", "city": "Scionzier",
                                   "commune_code": None}


def test_patch_merges_location_member_by_member(api, admin_key, make_cluster):
    c = make_cluster(location={"lat": 45.5, "lon": 6.25})
    r = api.patch(f"/v1/clusters/{c['id']}", {"location": {"lat": 44.75}}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["location"] == {"lat": 44.75, "lon": 6.25}


def test_patch_replaces_arrays(api, admin_key, make_cluster):
    c = make_cluster(sectors=["a", "b"], region_codes=["84", "27"])
    r = api.patch(f"/v1/clusters/{c['id']}", {"sectors": ["c"], "region_codes": []}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["sectors"] == ["c"]
    assert r.json()["region_codes"] == []


def test_patch_with_application_json_is_accepted(api, admin_key, make_cluster):
    c = make_cluster()
    r = api.patch(f"/v1/clusters/{c['id']}", {"maturity": "emerging"}, key=admin_key,
                  content_type="application/json")
    assert r.status_code == 200, r.text
    assert r.json()["maturity"] == "emerging"


def test_patch_with_other_content_type_is_415(api, admin_key, make_cluster):
    c = make_cluster()
    r = api.patch(f"/v1/clusters/{c['id']}", {"maturity": "emerging"}, key=admin_key, content_type="text/plain")
    assert r.status_code == 415
    assert api.get(f"/v1/clusters/{c['id']}").json() == c


def test_patch_that_changes_nothing_keeps_version_and_etag(api, admin_key, make_cluster):
    c = make_cluster(acronym="SAME")
    before = api.get(f"/v1/clusters/{c['id']}")
    r = api.patch(f"/v1/clusters/{c['id']}", {"acronym": "SAME"}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == c["version"]
    assert r.headers["ETag"] == before.headers["ETag"]


def test_patch_with_stale_if_match_is_412_and_changes_nothing(api, admin_key, make_cluster):
    c = make_cluster(acronym="V1")
    path = f"/v1/clusters/{c['id']}"
    old_etag = api.get(path).headers["ETag"]
    r = api.patch(path, {"acronym": "V2"}, key=admin_key)
    assert r.status_code == 200
    current = api.get(path)
    r = api.patch(path, {"acronym": "V3"}, key=admin_key, headers={"If-Match": old_etag})
    assert r.status_code == 412, r.text
    assert r.json()["code"] == "precondition_failed"
    after = api.get(path)
    assert after.json() == current.json()
    assert after.json()["acronym"] == "V2"
    assert after.headers["ETag"] == current.headers["ETag"]


def test_patch_with_current_if_match_is_200(api, admin_key, make_cluster):
    c = make_cluster()
    path = f"/v1/clusters/{c['id']}"
    etag = api.get(path).headers["ETag"]
    r = api.patch(path, {"acronym": "OK"}, key=admin_key, headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.json()["acronym"] == "OK"
    r = api.patch(path, {"acronym": "OK2"}, key=admin_key,
                  headers={"If-Match": f'"00000000000000000000000000000000", {r.headers["ETag"]}'})
    assert r.status_code == 200, r.text
    r = api.patch(path, {"acronym": "OK3"}, key=admin_key, headers={"If-Match": "*"})
    assert r.status_code == 200, r.text
    assert r.json()["acronym"] == "OK3"


@pytest.mark.parametrize("field,value", [("id", "c1000000-0000-4000-8000-0000000000aa"), ("version", 9),
                                         ("created_at", "2020-01-01T00:00:00Z"), ("member_count", 1),
                                         ("jobs", 4)])
def test_patch_read_only_field_is_422(api, admin_key, make_cluster, field, value):
    c = make_cluster()
    r = api.patch(f"/v1/clusters/{c['id']}", {field: value}, key=admin_key)
    assert r.status_code == 422, r.text
    errors = {e["field"]: e["code"] for e in r.json()["errors"]}
    assert errors.get(field) == "read_only", errors
    assert api.get(f"/v1/clusters/{c['id']}").json() == c


def test_patch_unknown_field_is_422(api, admin_key, make_cluster):
    c = make_cluster()
    r = api.patch(f"/v1/clusters/{c['id']}", {"colour": "red"}, key=admin_key)
    assert r.status_code == 422
    assert {e["field"]: e["code"] for e in r.json()["errors"]}.get("colour") == "unknown_field"


@pytest.mark.parametrize("field", ["name", "kind", "status"])
def test_patch_setting_a_required_field_to_null_is_422(api, admin_key, make_cluster, field):
    c = make_cluster()
    r = api.patch(f"/v1/clusters/{c['id']}", {field: None}, key=admin_key)
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}
    assert api.get(f"/v1/clusters/{c['id']}").json() == c


def test_patch_location_to_incomplete_object_is_422(api, admin_key, make_cluster):
    c = make_cluster()  # no location yet
    r = api.patch(f"/v1/clusters/{c['id']}", {"location": {"lat": 45.0}}, key=admin_key)
    assert r.status_code == 422, r.text
    assert "location.lon" in {e["field"] for e in r.json()["errors"]}


def test_patch_missing_cluster_is_404(api, admin_key):
    r = api.patch("/v1/clusters/c1000000-0000-4000-8000-0000000000ff", {"acronym": "X"}, key=admin_key)
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_delete_is_204_then_404(api, admin_key, cluster_payload):
    r = api.post("/v1/clusters", cluster_payload(), key=admin_key)
    path = r.headers["Location"]
    d = api.delete(path, key=admin_key)
    assert d.status_code == 204
    assert d.content == b""
    assert api.get(path).status_code == 404
    assert api.delete(path, key=admin_key).status_code == 404
    assert api.patch(path, {"acronym": "X"}, key=admin_key).status_code == 404


def test_delete_with_stale_if_match_is_412(api, admin_key, make_cluster):
    c = make_cluster()
    path = f"/v1/clusters/{c['id']}"
    old = api.get(path).headers["ETag"]
    assert api.patch(path, {"acronym": "MOVED"}, key=admin_key).status_code == 200
    r = api.delete(path, key=admin_key, headers={"If-Match": old})
    assert r.status_code == 412
    assert r.json()["code"] == "precondition_failed"
    assert api.get(path).status_code == 200


def test_delete_with_current_if_match_is_204(api, admin_key, make_cluster):
    c = make_cluster()
    path = f"/v1/clusters/{c['id']}"
    etag = api.get(path).headers["ETag"]
    assert api.delete(path, key=admin_key, headers={"If-Match": etag}).status_code == 204
    assert api.get(path).status_code == 404


def test_deleted_cluster_leaves_lists(api, admin_key, make_cluster, list_all):
    c = make_cluster()
    assert api.delete(f"/v1/clusters/{c['id']}", key=admin_key).status_code == 204
    items, _ = list_all("/v1/clusters", {"limit": 500})
    assert c["id"] not in {i["id"] for i in items}


@pytest.mark.parametrize("bad", ["not-a-uuid", "123", "c1000000-0000-4000-8000-00000000000", "c1000000000040008000000000000001",
                                 "c1000000-0000-4000-8000-00000000000g", "%20", "c1000000-0000-4000-8000-0000000000011"])
def test_malformed_id_in_path_is_404(api, admin_key, bad):
    for r in (api.get(f"/v1/clusters/{bad}"),
              api.patch(f"/v1/clusters/{bad}", {"acronym": "X"}, key=admin_key),
              api.delete(f"/v1/clusters/{bad}", key=admin_key)):
        assert r.status_code == 404, r.text
        assert r.json()["code"] == "not_found"


def test_unknown_id_is_404(api):
    r = api.get("/v1/clusters/00000000-0000-4000-8000-000000000000")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_head_on_item_gives_headers_without_body(api):
    g = api.get(f"/v1/clusters/{DEMO_01}")
    h = api.head(f"/v1/clusters/{DEMO_01}")
    assert h.status_code == 200
    assert h.content == b""
    assert h.headers["ETag"] == g.headers["ETag"]
    assert h.headers["Content-Type"].startswith("application/json")
    assert h.headers.get("X-Request-Id")


def test_head_on_missing_item_is_404_without_body(api):
    h = api.head("/v1/clusters/00000000-0000-4000-8000-000000000000")
    assert h.status_code == 404
    assert h.content == b""


def test_head_on_list(api):
    h = api.head("/v1/clusters", params={"limit": 2})
    assert h.status_code == 200
    assert h.content == b""
    assert 'rel="next"' in h.headers.get("Link", "")


def test_if_match_uses_strong_comparison(api, admin_key, make_cluster):
    # RFC 9110 13.1.1: If-Match compares strongly, so a weak validator never matches
    c = make_cluster()
    path = f"/v1/clusters/{c['id']}"
    etag = api.get(path).headers["ETag"]
    r = api.patch(path, {"acronym": "WEAK"}, key=admin_key, headers={"If-Match": "W/" + etag})
    assert r.status_code == 412
    assert api.get(path).json() == c


def test_precondition_failed_carries_the_current_etag(api, admin_key, make_cluster):
    c = make_cluster()
    path = f"/v1/clusters/{c['id']}"
    r = api.patch(path, {"acronym": "X"}, key=admin_key, headers={"If-Match": '"00000000000000000000000000000000"'})
    assert r.status_code == 412
    assert r.headers["ETag"] == api.get(path).headers["ETag"]


def test_empty_patch_changes_nothing(api, admin_key, make_cluster):
    c = make_cluster()
    path = f"/v1/clusters/{c['id']}"
    before = api.get(path)
    r = api.patch(path, {}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json() == c
    assert r.headers["ETag"] == before.headers["ETag"]


def test_unicode_round_trips(make_cluster, api):
    name = "Grappe 😀 Œuvre ß 漢字 \u00a0 é"
    c = make_cluster(name=name, description="ligne 1\nligne 2\ttab \u2028 sep", sectors=["éco-conception", "ß"])
    got = api.get(f"/v1/clusters/{c['id']}").json()
    assert got["name"] == name
    assert got["description"] == "ligne 1\nligne 2\ttab \u2028 sep"
    assert got["sectors"] == ["éco-conception", "ß"]


def test_escaped_surrogate_pair_is_a_character(api, admin_key):
    r = api.post("/v1/clusters", b'{"name":"Smile \\ud83d\\ude00 x","kind":"other"}', key=admin_key)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Smile \U0001F600 x"
    api.delete(r.headers["Location"], key=admin_key)


def test_lone_surrogate_is_refused(api, admin_key):
    r = api.post("/v1/clusters", b'{"name":"bad \\ud800 x","kind":"other"}', key=admin_key)
    assert r.status_code in (400, 422), r.text


def test_create_with_unacceptable_accept_is_406_and_creates_nothing(api, admin_key, cluster_payload):
    before = api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"]
    r = api.post("/v1/clusters", cluster_payload(), key=admin_key, headers={"Accept": "text/csv"})
    assert r.status_code == 406
    assert api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"] == before


def test_item_has_no_format_parameter(api):
    r = api.get(f"/v1/clusters/{DEMO_01}", params={"format": "csv"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "format"
