"""422 validation_failed: every invalid field is listed as {field, code, message}, and
nothing changes."""

import pytest


def total(api):
    r = api.get("/v1/clusters", params={"count": "true", "limit": 1})
    assert r.status_code == 200
    return r.json()["total"]


def invalid(r):
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "validation_failed"
    assert body["type"] == "urn:grappe:problem:validation_failed"
    assert isinstance(body["errors"], list) and body["errors"]
    for e in body["errors"]:
        assert set(e) >= {"field", "code", "message"}
        assert e["message"]
    return {e["field"]: e["code"] for e in body["errors"]}


VALID = {"name": "placeholder", "kind": "cluster"}

CASES = [
    # (id, body changes, expected field, expected code or None for any)
    ("missing-name", {"name": None}, "name", "required"),
    ("missing-kind", {"kind": None}, "kind", "required"),
    ("unknown-field", {"colour": "blue"}, "colour", "unknown_field"),
    ("read-only-id", {"id": "c1000000-0000-4000-8000-0000000000aa"}, "id", "read_only"),
    ("read-only-created-at", {"created_at": "2026-01-01T00:00:00Z"}, "created_at", "read_only"),
    ("read-only-updated-at", {"updated_at": "2026-01-01T00:00:00Z"}, "updated_at", "read_only"),
    ("read-only-version", {"version": 3}, "version", "read_only"),
    ("read-only-member-count", {"member_count": 3}, "member_count", "read_only"),
    ("read-only-jobs", {"jobs": 3}, "jobs", "read_only"),
    ("bad-kind", {"kind": "association"}, "kind", "invalid_value"),
    ("bad-status", {"status": "asleep"}, "status", "invalid_value"),
    ("bad-maturity", {"maturity": "old"}, "maturity", "invalid_value"),
    ("siren-luhn", {"siren": "732829321"}, "siren", "invalid_format"),
    ("siren-length", {"siren": "73282932"}, "siren", "invalid_format"),
    ("siren-letters", {"siren": "73282932A"}, "siren", "invalid_format"),
    ("bad-email", {"email": "not-an-email"}, "email", "invalid_format"),
    ("email-no-domain-dot", {"email": "contact@localhost"}, "email", "invalid_format"),
    ("bad-url", {"website": "www.example.org"}, "website", "invalid_format"),
    ("ftp-url", {"website": "ftp://example.org/"}, "website", "invalid_format"),
    ("bad-phone", {"phone": "call me"}, "phone", "invalid_format"),
    ("bad-postal-code", {"address": {"postal_code": "7430"}}, "address.postal_code", "invalid_format"),
    ("postal-code-letters", {"address": {"postal_code": "7430A"}}, "address.postal_code", "invalid_format"),
    ("bad-commune-code", {"address": {"commune_code": "2C004"}}, "address.commune_code", "invalid_format"),
    ("unknown-address-field", {"address": {"zip": "74300"}}, "address.zip", "unknown_field"),
    ("address-not-object", {"address": "Cluses"}, "address", "invalid_type"),
    ("unknown-region", {"region_codes": ["99"]}, "region_codes[0]", "unknown_reference"),
    ("unknown-department", {"department_codes": ["74", "20"]}, "department_codes[1]", "unknown_reference"),
    ("region-codes-not-array", {"region_codes": "84"}, "region_codes", "invalid_type"),
    ("staff-over-500", {"staff_fte": 501}, "staff_fte", "out_of_range"),
    ("staff-negative", {"staff_fte": -1}, "staff_fte", "out_of_range"),
    ("staff-three-decimals", {"staff_fte": 1.234}, "staff_fte", None),
    ("staff-string", {"staff_fte": "3"}, "staff_fte", "invalid_type"),
    ("lat-91", {"location": {"lat": 91, "lon": 6.5}}, "location.lat", "out_of_range"),
    ("lon-181", {"location": {"lat": 45, "lon": -181}}, "location.lon", "out_of_range"),
    ("location-without-lon", {"location": {"lat": 45}}, "location.lon", "required"),
    ("location-string", {"location": {"lat": "45", "lon": 6}}, "location.lat", "invalid_type"),
    ("label-dates-reversed", {"labels": [{"scheme": "esca", "level": "gold", "awarded_on": "2025-06-01",
                                          "valid_until": "2024-06-01"}]}, "labels[0].valid_until", None),
    ("label-bad-scheme", {"labels": [{"scheme": "iso9001"}]}, "labels[0].scheme", "invalid_value"),
    ("label-bad-level", {"labels": [{"scheme": "esca", "level": "platinum"}]}, "labels[0].level", "invalid_value"),
    ("label-without-scheme", {"labels": [{"level": "gold"}]}, "labels[0].scheme", "required"),
    ("label-bad-date", {"labels": [{"scheme": "esca", "awarded_on": "2025-02-30"}]}, "labels[0].awarded_on",
     "invalid_format"),
    ("labels-not-array", {"labels": {"scheme": "esca"}}, "labels", "invalid_type"),
    ("sectors-not-array", {"sectors": "textile"}, "sectors", "invalid_type"),
    ("sector-not-string", {"sectors": ["textile", 3]}, "sectors[1]", "invalid_type"),
    ("sector-too-long", {"sectors": ["x" * 61]}, "sectors[0]", "too_long"),
    ("too-many-sectors", {"sectors": [f"s{i}" for i in range(31)]}, "sectors", "too_long"),
    ("name-too-long", {"name": "n" * 201}, "name", "too_long"),
    ("name-blank", {"name": "   "}, "name", None),
    ("name-empty", {"name": ""}, "name", None),
    ("name-not-string", {"name": 42}, "name", "invalid_type"),
    ("acronym-too-long", {"acronym": "A" * 31}, "acronym", "too_long"),
    ("description-too-long", {"description": "d" * 10001}, "description", "too_long"),
    ("founded-on-bad-date", {"founded_on": "14/09/2006"}, "founded_on", "invalid_format"),
    ("founded-on-impossible-date", {"founded_on": "2023-02-29"}, "founded_on", "invalid_format"),
    ("status-null", {"status": None}, "status", None),
]


@pytest.mark.parametrize("changes,field,code", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_cluster_is_422_and_changes_nothing(api, admin_key, changes, field, code):
    body = dict(VALID, name=f"Invalid {field}")
    for k, v in changes.items():
        if v is None and k in ("name", "kind"):
            body.pop(k)
        else:
            body[k] = v
    before = total(api)
    errors = invalid(api.post("/v1/clusters", body, key=admin_key))
    assert field in errors, errors
    if code:
        assert errors[field] == code, errors
    assert total(api) == before


def test_several_errors_are_all_listed(api, admin_key):
    body = {
        "kind": "association",
        "siren": "732829321",
        "email": "nope",
        "website": "nope",
        "address": {"postal_code": "1"},
        "staff_fte": 501,
        "location": {"lat": 91, "lon": 0},
        "region_codes": ["99"],
        "colour": "blue",
        "version": 2,
    }
    before = total(api)
    errors = invalid(api.post("/v1/clusters", body, key=admin_key))
    assert {"name", "kind", "siren", "email", "website", "address.postal_code", "staff_fte", "location.lat",
            "region_codes[0]", "colour", "version"} <= set(errors), errors
    assert total(api) == before


def test_boundary_values_are_accepted(make_cluster):
    c = make_cluster(name="é" * 200, acronym="A" * 30, staff_fte=500, location={"lat": -90, "lon": 180},
                     siren="732829320", sectors=["x" * 60], founded_on="2024-02-29")
    assert c["name"] == "é" * 200
    assert c["staff_fte"] == 500
    assert c["location"] == {"lat": -90, "lon": 180}
    c = make_cluster(staff_fte=0, location={"lat": 90, "lon": -180})
    assert c["staff_fte"] == 0


def test_two_decimals_are_kept(make_cluster):
    c = make_cluster(staff_fte=0.29)
    assert c["staff_fte"] == 0.29
    c = make_cluster(staff_fte=12.35)
    assert c["staff_fte"] == 12.35


def test_la_poste_siren_with_valid_key_is_accepted(make_cluster):
    # SIREN 356000000 (La Poste) is Luhn-valid itself
    assert make_cluster(siren="356000000")["siren"] == "356000000"


def test_patch_validation_errors_change_nothing(api, admin_key, make_cluster):
    c = make_cluster()
    path = f"/v1/clusters/{c['id']}"
    r = api.patch(path, {"staff_fte": 501, "email": "nope", "address": {"postal_code": "x"}}, key=admin_key)
    errors = invalid(r)
    assert {"staff_fte", "email", "address.postal_code"} <= set(errors), errors
    after = api.get(path)
    assert after.json() == c
