"""Preconditions and incremental reads for syncing systems: If-None-Match: * makes the SIRET
upsert create-only, and every sub-list takes updated_since."""

import datetime

import pytest

from conftest import new_siret, unique_word


def test_upsert_with_if_none_match_star_creates_when_absent(api, admin_key):
    siret = new_siret()
    r = api.put(f"/v1/companies/siret/{siret}", {"name": f"Create only {unique_word()}"}, key=admin_key,
                headers={"If-None-Match": "*"})
    assert r.status_code == 201, r.text
    api.delete(f"/v1/companies/{r.json()['id']}", key=admin_key)


def test_upsert_with_if_none_match_star_is_412_when_present_and_changes_nothing(api, admin_key, make_company):
    company = make_company(name=f"Existing {unique_word()}")
    r = api.put(f"/v1/companies/siret/{company['siret']}", {"name": "Overwritten"}, key=admin_key,
                headers={"If-None-Match": "*"})
    assert r.status_code == 412, r.text
    assert r.json()["code"] == "precondition_failed"
    after = api.get(f"/v1/companies/{company['id']}").json()
    assert after["name"] == company["name"] and after["version"] == company["version"]


def _since(obj):
    return obj["updated_at"]


def test_updated_since_on_members_and_partner_links(api, admin_key, make_cluster, make_company, make_partner):
    cluster, company, partner = make_cluster(), make_company(), make_partner()
    m = api.put(f"/v1/clusters/{cluster['id']}/members/{company['id']}", {"role": "member"}, key=admin_key).json()
    p = api.put(f"/v1/clusters/{cluster['id']}/partners/{partner['id']}", {"role": "funder"}, key=admin_key).json()
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for path, obj in ((f"/v1/clusters/{cluster['id']}/members", m), (f"/v1/clusters/{cluster['id']}/partners", p),
                      (f"/v1/companies/{company['id']}/clusters", m)):
        got = api.get(path, params={"updated_since": _since(obj)}).json()["items"]
        assert [i["id"] for i in got] == [obj["id"]], path
        assert api.get(path, params={"updated_since": later}).json()["items"] == [], path
        assert api.get(path, params={"updated_since": "yesterday"}).status_code == 400, path


def test_updated_since_on_registrations(api, admin_key, make_event):
    event = make_event()
    reg = api.post(f"/v1/events/{event['id']}/registrations", {"name": "Léa Martin", "email": f"{unique_word()}@example.org"},
                   key=admin_key)
    assert reg.status_code == 201, reg.text
    path = f"/v1/events/{event['id']}/registrations"
    got = api.get(path, key=admin_key, params={"updated_since": reg.json()["created_at"]}).json()["items"]
    assert [i["id"] for i in got] == [reg.json()["id"]]
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert api.get(path, key=admin_key, params={"updated_since": later}).json()["items"] == []


def _stale_etag():
    return '"00000000000000000000000000000000"'


def _creators(make_cluster, make_company, make_partner, make_event, api, admin_key):
    def project():
        r = api.post("/v1/projects", {"title": f"Projet {unique_word()}", "category": "pooling",
                                      "lead_cluster_id": "c1000000-0000-4000-8000-000000000001"}, key=admin_key)
        assert r.status_code == 201, r.text
        return r.json()
    return {
        "clusters": (make_cluster, {"acronym": "PRE"}),
        "companies": (make_company, {"legal_name": "PRECONDITION SAS"}),
        "partners": (make_partner, {"description": "précondition"}),
        "events": (make_event, {"description": "précondition"}),
        "projects": (project, {"summary": "précondition"}),
    }



@pytest.mark.parametrize("resource", ["clusters", "companies", "partners", "events", "projects"])
def test_stale_if_match_is_412_on_patch_and_delete_of_every_resource(resource, api, admin_key, make_cluster,
                                                                      make_company, make_partner, make_event):
    make, change = _creators(make_cluster, make_company, make_partner, make_event, api, admin_key)[resource]
    obj = make()
    path = f"/v1/{resource}/{obj['id']}"
    before = api.get(path, key=admin_key)
    etag = before.headers["ETag"]
    r = api.patch(path, change, key=admin_key, headers={"If-Match": _stale_etag()})
    assert r.status_code == 412, r.text
    assert r.headers["ETag"] == etag
    assert api.get(path, key=admin_key).json() == before.json()
    assert api.delete(path, key=admin_key, headers={"If-Match": _stale_etag()}).status_code == 412
    assert api.get(path, key=admin_key).status_code == 200
    r = api.patch(path, change, key=admin_key, headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] != etag
    assert api.delete(path, key=admin_key, headers={"If-Match": r.headers["ETag"]}).status_code == 204
