"""API keys and roles: anonymous, reader, manager (scoped), admin; revocation; 401/403."""

import re

import pytest

DEMO_01 = "c1000000-0000-4000-8000-000000000001"
DEMO_02 = "c1000000-0000-4000-8000-000000000002"


def unauthorized(r):
    assert r.status_code == 401, r.text
    assert r.json()["code"] == "unauthorized"
    assert r.headers.get("WWW-Authenticate", "").lower().startswith("bearer")


def forbidden(r):
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "forbidden"


def test_anonymous_may_read(api):
    assert api.get("/v1/clusters").status_code == 200
    assert api.get(f"/v1/clusters/{DEMO_01}").status_code == 200
    assert api.get("/v1/regions").status_code == 200


def test_reader_and_admin_may_read(api, reader_key, admin_key, manager_key):
    for key in (reader_key, admin_key, manager_key):
        assert api.get("/v1/clusters", key=key).status_code == 200
        assert api.get(f"/v1/clusters/{DEMO_02}", key=key).status_code == 200


def test_anonymous_post_is_401_with_www_authenticate(api, cluster_payload):
    before = api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"]
    unauthorized(api.post("/v1/clusters", cluster_payload()))
    assert api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"] == before


def test_anonymous_patch_and_delete_are_401(api, make_cluster):
    c = make_cluster()
    unauthorized(api.patch(f"/v1/clusters/{c['id']}", {"acronym": "X"}))
    unauthorized(api.delete(f"/v1/clusters/{c['id']}"))
    assert api.get(f"/v1/clusters/{c['id']}").json() == c


@pytest.mark.parametrize("authorization", [
    "Basic x",
    "Basic dXNlcjpwYXNz",
    "Bearer nope",
    "Bearer ",
    "Bearer grappe_",
    "Bearer grappe_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # well-formed, unknown
    "grappe_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
], ids=["basic", "basic-b64", "bearer-nope", "bearer-empty", "bearer-prefix-only", "unknown-key", "no-scheme"])
def test_malformed_or_unknown_authorization_is_401(api, cluster_payload, authorization):
    unauthorized(api.post("/v1/clusters", cluster_payload(), headers={"Authorization": authorization}))
    # a bad key is refused on reads too, rather than silently treated as anonymous
    unauthorized(api.get("/v1/clusters", headers={"Authorization": authorization}))


def test_bearer_scheme_is_case_insensitive(api, reader_key):
    r = api.get("/v1/clusters", headers={"Authorization": f"bearer {reader_key}"})
    assert r.status_code == 200


def test_revoked_key_is_401(api, make_key, grappe_cli, cluster_payload):
    key_id, key = make_key("admin", "t-revoked")
    assert api.get("/v1/clusters", key=key).status_code == 200
    out = grappe_cli("keys", "revoke", key_id).stdout
    assert key_id in out
    unauthorized(api.get("/v1/clusters", key=key))
    unauthorized(api.post("/v1/clusters", cluster_payload(), key=key))


def test_reader_post_is_403(api, reader_key, cluster_payload):
    forbidden(api.post("/v1/clusters", cluster_payload(), key=reader_key))


def test_reader_patch_and_delete_are_403(api, reader_key, make_cluster):
    c = make_cluster()
    forbidden(api.patch(f"/v1/clusters/{c['id']}", {"acronym": "X"}, key=reader_key))
    forbidden(api.delete(f"/v1/clusters/{c['id']}", key=reader_key))
    assert api.get(f"/v1/clusters/{c['id']}").json() == c


def test_manager_may_patch_its_cluster(api, manager_key, admin_key):
    path = f"/v1/clusters/{DEMO_01}"
    before = api.get(path).json()
    new_phone = "+33 4 65 71 99 99" if before["phone"] != "+33 4 65 71 99 99" else "+33 4 65 71 99 98"
    try:
        r = api.patch(path, {"phone": new_phone}, key=manager_key)
        assert r.status_code == 200, r.text
        assert r.json()["phone"] == new_phone
        assert r.json()["version"] == before["version"] + 1
    finally:
        r = api.patch(path, {"phone": before["phone"]}, key=manager_key)
        assert r.status_code == 200, r.text
    assert api.get(path).json()["phone"] == before["phone"]


def test_manager_patch_of_another_cluster_is_403_and_changes_nothing(api, manager_key):
    path = f"/v1/clusters/{DEMO_02}"
    before = api.get(path)
    forbidden(api.patch(path, {"phone": "+33 3 00 00 00 00"}, key=manager_key))
    after = api.get(path)
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.json() == before.json()


def test_manager_may_not_create(api, manager_key, cluster_payload):
    before = api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"]
    forbidden(api.post("/v1/clusters", cluster_payload(), key=manager_key))
    assert api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"] == before


def test_manager_may_not_delete_even_its_own_cluster(api, make_cluster, make_key):
    c = make_cluster()
    _, key = make_key("manager", "t-manager-own", clusters=[c["id"]])
    assert api.patch(f"/v1/clusters/{c['id']}", {"acronym": "OWN"}, key=key).status_code == 200
    forbidden(api.delete(f"/v1/clusters/{c['id']}", key=key))
    assert api.get(f"/v1/clusters/{c['id']}").status_code == 200


def test_manager_delete_of_another_cluster_is_403(api, make_cluster, manager_key):
    c = make_cluster()
    forbidden(api.delete(f"/v1/clusters/{c['id']}", key=manager_key))
    assert api.get(f"/v1/clusters/{c['id']}").json() == c


def test_manager_scoped_to_several_clusters(api, make_cluster, make_key):
    a, b, other = make_cluster(), make_cluster(), make_cluster()
    _, key = make_key("manager", "t-manager-two", clusters=[a["id"], b["id"]])
    assert api.patch(f"/v1/clusters/{a['id']}", {"acronym": "A"}, key=key).status_code == 200
    assert api.patch(f"/v1/clusters/{b['id']}", {"acronym": "B"}, key=key).status_code == 200
    forbidden(api.patch(f"/v1/clusters/{other['id']}", {"acronym": "C"}, key=key))


def test_admin_creates_patches_and_deletes(api, admin_key, cluster_payload):
    r = api.post("/v1/clusters", cluster_payload(), key=admin_key)
    assert r.status_code == 201, r.text
    path = f"/v1/clusters/{r.json()['id']}"
    r = api.patch(path, {"acronym": "ADM"}, key=admin_key)
    assert r.status_code == 200 and r.json()["acronym"] == "ADM"
    assert api.delete(path, key=admin_key).status_code == 204
    assert api.get(path).status_code == 404


def test_keys_list_never_shows_a_key(grappe_cli, make_key, admin_key, reader_key, manager_key):
    _, fresh = make_key("reader", "t-listed")
    out = grappe_cli("keys", "list").stdout
    for key in (admin_key, reader_key, manager_key, fresh):
        assert key not in out
        assert key[7:] not in out
    assert not re.search(r"grappe_[A-Za-z0-9_-]{20,}", out), out
    assert "t-listed" in out


def test_keys_create_prints_the_key_alone_on_the_last_line(grappe_cli):
    out = grappe_cli("keys", "create", "--role", "reader", "--name", "t-lastline").stdout
    last = out.rstrip("\n").split("\n")[-1]
    assert re.fullmatch(r"grappe_[A-Za-z0-9_-]{43}", last), out


def test_keys_are_unique(make_key):
    keys = {make_key("reader", "t-uniq")[1] for _ in range(3)}
    assert len(keys) == 3


def test_key_never_appears_in_the_access_log(api, server, make_key):
    _, key = make_key("reader", "t-logged")
    api.get("/v1/clusters", key=key, params={"limit": 1})
    wrong = key[:-1] + ("B" if key[-1] == "A" else "A")
    api.get("/v1/clusters", headers={"Authorization": f"Bearer {wrong}"}, params={"limit": 1})
    log = server.log_text()
    assert key not in log
    assert key[7:27] not in log


def test_deleted_cluster_leaves_manager_scopes(api, admin_key, grappe_cli, make_key, cluster_payload):
    r = api.post("/v1/clusters", cluster_payload(), key=admin_key)
    cid = r.json()["id"]
    _, key = make_key("manager", "t-manager-deleted", clusters=[cid, "c1000000-0000-4000-8000-000000000003"])
    assert cid in grappe_cli("keys", "list").stdout
    assert api.delete(f"/v1/clusters/{cid}", key=admin_key).status_code == 204
    assert cid not in grappe_cli("keys", "list").stdout
    assert api.get("/v1/clusters/c1000000-0000-4000-8000-000000000003", key=key).status_code == 200


def test_keys_are_stored_hashed(make_key, sql):
    """At rest, only SHA-256 of a key: no column of api_keys holds the key or a part of it."""
    kid, key = make_key("reader", "t-at-rest")
    assert sql(f"SELECT key_hash = sha256('{key}'::bytea) FROM api_keys WHERE id = '{kid}'") == "t"
    assert sql(f"SELECT count(*) FROM api_keys k WHERE k::text LIKE '%{key[7:27]}%'") == "0"
