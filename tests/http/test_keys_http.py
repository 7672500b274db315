"""API keys over HTTP (issue 20; SPEC, Auth: "Keys over HTTP"; src/resources/apikeys.c):
POST /v1/keys (the key shown once), GET /v1/keys and /v1/keys/{id}, DELETE /v1/keys/{id}
(revoke), POST /v1/keys/{id}/rotate (a new key, the old one working until the end of a
grace period). Admin keys only; every answer of these routes carries Cache-Control: no-store.

Every answer that goes through `api` is also checked against api/openapi.yaml."""
import hashlib
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from conftest import DEMO_01, DEMO_02, problem, unique_word, utc_in

KEY_RE = r"grappe_[A-Za-z0-9_-]{43}"
FIELDS = {"id", "name", "role", "cluster_ids", "prefix", "status", "created_at", "expires_at", "revoked_at",
          "last_used_at", "replaced_by"}
# A keyed route every role may read (a revoked, expired or unknown key is 401 on it)
PROBE = f"/v1/clusters/{DEMO_01}"


def ts(s):
    """An RFC 3339 instant of an answer as an aware datetime."""
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def now():
    return datetime.now(timezone.utc)


def no_store(r):
    assert r.headers.get("Cache-Control") == "no-store", (r.status_code, dict(r.headers))


@pytest.fixture
def keys(api, admin_key):
    """keys(role='reader', **fields) -> the 201 body of POST /v1/keys (asserted); every key
    made here is revoked afterwards."""
    made = []

    def create(role="reader", **fields):
        body = {"name": f"t-http-{role}-{unique_word('')}", "role": role, **fields}
        r = api.post("/v1/keys", body, key=admin_key)
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
        return r.json()

    yield create
    for kid in made:
        api.delete(f"/v1/keys/{kid}", key=admin_key)


def status_of(api, key):
    return api.get(PROBE, key=key).status_code


def wait_refused(api, key, within):
    """Polls until the key is refused (401); returns the seconds it took, failing past `within`."""
    started = time.monotonic()
    while True:
        r = api.get(PROBE, key=key)
        if r.status_code == 401:
            problem(r, 401, "unauthorized")
            return time.monotonic() - started
        assert r.status_code == 200, r.text
        assert time.monotonic() - started < within, f"the key still works {within} s later"
        time.sleep(0.05)


# ---- creation ---------------------------------------------------------------------------

def test_create_shows_the_key_once_and_it_works(api, admin_key, sql, keys):
    name = f"t-http-created-{unique_word('')}"
    r = api.post("/v1/keys", {"name": name, "role": "reader"}, key=admin_key)
    assert r.status_code == 201, r.text
    body = r.json()
    no_store(r)
    try:
        assert set(body) == FIELDS | {"key"}
        assert r.headers["Location"] == f"/v1/keys/{body['id']}"
        key = body["key"]
        assert re.fullmatch(KEY_RE, key)
        assert body["prefix"] == key[:11] + "…"
        assert (body["name"], body["role"], body["cluster_ids"], body["status"]) == (name, "reader", [], "active")
        assert body["expires_at"] is None and body["revoked_at"] is None
        assert body["last_used_at"] is None and body["replaced_by"] is None
        assert abs((ts(body["created_at"]) - now()).total_seconds()) < 60
        # it works at once, as a reader: the change feed (reader and admin keys)
        assert api.get("/v1/changes", key=key, params={"limit": 1}).status_code == 200
        assert api.get("/v1/changes", params={"limit": 1}).status_code == 401
        # stored as its SHA-256 only
        assert sql(f"SELECT key_hash = sha256('{key}'::bytea) FROM api_keys WHERE id = '{body['id']}'") == "t"
        assert sql(f"SELECT count(*) FROM api_keys k WHERE k::text LIKE '%{key[11:40]}%'") == "0"
        # never shown again
        g = api.get(r.headers["Location"], key=admin_key)
        assert g.status_code == 200 and "key" not in g.json() and key[11:] not in g.text
        shown = g.json()
        shown.pop("last_used_at")  # it was used just now: it may be recorded already
        assert {k: v for k, v in body.items() if k not in ("key", "last_used_at")} == shown
    finally:
        api.delete(f"/v1/keys/{body['id']}", key=admin_key)


def test_each_role_made_over_http_works_as_that_role(api, keys):
    admin = keys("admin")["key"]
    reader = keys("reader")["key"]
    manager = keys("manager", cluster_ids=[DEMO_01])
    assert manager["cluster_ids"] == [DEMO_01]
    # an admin key made over HTTP manages keys in turn
    assert api.get("/v1/keys", key=admin, params={"limit": 1}).status_code == 200
    for k in (reader, manager["key"]):
        problem(api.get("/v1/keys", key=k), 403, "forbidden")
    # a manager reads its own cluster's indicators, not another's; a reader reads all
    assert api.get(f"/v1/clusters/{DEMO_01}/indicators", key=manager["key"]).status_code == 200
    problem(api.get(f"/v1/clusters/{DEMO_02}/indicators", key=manager["key"]), 403, "forbidden")
    assert api.get(f"/v1/clusters/{DEMO_02}/indicators", key=reader).status_code == 200


def test_create_takes_an_expiry_with_an_offset_and_200_characters_of_name(api, keys):
    k = keys("reader", name="n" * 200, expires_at="2099-01-01T02:00:00+02:00")
    assert ts(k["expires_at"]) == datetime(2099, 1, 1, tzinfo=timezone.utc)
    assert k["name"] == "n" * 200 and k["status"] == "active"
    m = keys("manager", cluster_ids=[DEMO_01, DEMO_02], expires_at=None)
    assert sorted(m["cluster_ids"]) == sorted([DEMO_01, DEMO_02]) and m["expires_at"] is None


INVALID = [
    ({}, {"name": "required", "role": "required"}),
    ({"role": "reader"}, {"name": "required"}),
    ({"name": "x"}, {"role": "required"}),
    ({"name": "", "role": "reader"}, {"name": "too_short"}),
    ({"name": "   ", "role": "reader"}, {"name": "too_short"}),
    ({"name": "n" * 201, "role": "reader"}, {"name": "too_long"}),
    ({"name": 12, "role": "reader"}, {"name": "invalid_type"}),
    ({"name": None, "role": "reader"}, {"name": "required"}),
    ({"name": "x", "role": "boss"}, {"role": "invalid_value"}),
    ({"name": "x", "role": "Admin"}, {"role": "invalid_value"}),
    ({"name": "x", "role": "manager"}, {"cluster_ids": "required"}),
    ({"name": "x", "role": "manager", "cluster_ids": []}, {"cluster_ids": "required"}),
    ({"name": "x", "role": "reader", "cluster_ids": [DEMO_01]}, {"cluster_ids": "not_allowed"}),
    ({"name": "x", "role": "admin", "cluster_ids": [DEMO_01]}, {"cluster_ids": "not_allowed"}),
    ({"name": "x", "role": "manager", "cluster_ids": [str(uuid.uuid4())]}, {"cluster_ids": "unknown_reference"}),
    ({"name": "x", "role": "manager", "cluster_ids": [DEMO_01, str(uuid.uuid4())]},
     {"cluster_ids": "unknown_reference"}),
    ({"name": "x", "role": "manager", "cluster_ids": ["not-a-uuid"]}, {"cluster_ids[0]": "invalid_format"}),
    ({"name": "x", "role": "manager", "cluster_ids": DEMO_01}, {"cluster_ids": "invalid_type"}),
    ({"name": "x", "role": "reader", "cluster_ids": None}, {"cluster_ids": "invalid_type"}),
    ({"name": "x", "role": "manager", "cluster_ids": [str(uuid.uuid4()) for _ in range(101)]},
     {"cluster_ids": "too_long"}),
    ({"name": "x", "role": "reader", "expires_at": "2001-01-01T00:00:00Z"}, {"expires_at": "out_of_range"}),
    ({"name": "x", "role": "reader", "expires_at": "tomorrow"}, {"expires_at": "invalid_format"}),
    ({"name": "x", "role": "reader", "expires_at": "2099-12-31"}, {"expires_at": "invalid_format"}),
    ({"name": "x", "role": "reader", "expires_at": 4102444800}, {"expires_at": "invalid_type"}),
    ({"name": "x", "role": "reader", "colour": "blue"}, {"colour": "unknown_field"}),
    ({"name": "x", "role": "reader", "key": "grappe_" + "A" * 43}, {"key": "read_only"}),
    ({"name": "x", "role": "reader", "id": str(uuid.uuid4())}, {"id": "read_only"}),
    ({"name": "x", "role": "reader", "status": "revoked"}, {"status": "read_only"}),
    ({"name": "x", "role": "reader", "replaced_by": None}, {"replaced_by": "read_only"}),
    ({"name": "x", "role": "reader", "last_used_at": "2026-01-01T00:00:00Z"}, {"last_used_at": "read_only"}),
]


@pytest.mark.parametrize("body,errors", INVALID, ids=[f"{i}:{','.join(e)}" for i, (_, e) in enumerate(INVALID)])
def test_create_refuses_each_invalid_field_with_422(api, admin_key, sql, body, errors):
    body = dict(body)
    if body.get("name") == "x":
        body["name"] = f"t-http-invalid-{unique_word('')}"
    before = sql("SELECT count(*) FROM api_keys")
    r = api.post("/v1/keys", body, key=admin_key)
    p = problem(r, 422, "validation_failed")
    no_store(r)
    got = {e["field"]: e["code"] for e in p["errors"]}
    for field, code in errors.items():
        assert got.get(field) == code, p
    assert sql("SELECT count(*) FROM api_keys") == before


def test_create_refuses_malformed_requests(api, admin_key):
    for data in (b"", b"[]", b"{", b"null", b'"x"'):
        r = api.post("/v1/keys", data, key=admin_key)
        problem(r, 400, "malformed_request")
    problem(api.post("/v1/keys", b"name=x", content_type="application/x-www-form-urlencoded", key=admin_key),
            415, "unsupported_media_type")
    r = api.post("/v1/keys", {"name": "t-http-csv", "role": "reader"}, key=admin_key, headers={"Accept": "text/csv"})
    problem(r, 406, "not_acceptable")
    no_store(r)
    problem(api.post("/v1/keys?role=admin", {"name": "t-http-q", "role": "reader"}, key=admin_key),
            400, "invalid_query")
    # answers given before the handler runs are not to be kept either
    for r in (api.post("/v1/keys", b"x", content_type="text/plain", key=admin_key),
              api.put("/v1/keys", {"name": "t-http-put", "role": "reader"}, key=admin_key),
              api.post("/v1/keys", {"name": "t-http-anonymous", "role": "reader"})):
        assert r.status_code in (401, 405, 415), r.text
        no_store(r)


def test_idempotency_key_is_not_honoured_two_posts_make_two_keys(api, admin_key, keys):
    body = {"name": f"t-http-idem-{unique_word('')}", "role": "reader"}
    hk = {"Idempotency-Key": f"keys-{uuid.uuid4()}"}
    answers = []
    try:
        for _ in range(2):
            r = api.post("/v1/keys", body, key=admin_key, headers=hk)
            assert r.status_code == 201, r.text
            assert "Idempotent-Replayed" not in r.headers
            answers.append(r.json())
        a, b = answers
        assert a["id"] != b["id"] and a["key"] != b["key"]
        for k in (a["key"], b["key"]):
            assert status_of(api, k) == 200
        # rotation does not replay either: a retried rotation finds the key rotated
        old = keys("reader")
        hk = {"Idempotency-Key": f"rotate-{uuid.uuid4()}"}
        r1 = api.post(f"/v1/keys/{old['id']}/rotate", None, key=admin_key, headers=hk)
        assert r1.status_code == 201, r1.text
        r2 = api.post(f"/v1/keys/{old['id']}/rotate", None, key=admin_key, headers=hk)
        problem(r2, 409, "conflict")
        api.delete(f"/v1/keys/{r1.json()['id']}", key=admin_key)
    finally:
        for a in answers:
            api.delete(f"/v1/keys/{a['id']}", key=admin_key)


# ---- who may -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def revoked_admin(api, admin_key, make_key):
    kid, key = make_key("admin", "t-http-revoked-admin")
    assert status_of(api, key) == 200
    assert api.delete(f"/v1/keys/{kid}", key=admin_key).status_code == 204
    wait_refused(api, key, 1.5)
    return key


def _route_requests(target):
    return [
        ("GET", "/v1/keys", None),
        ("POST", "/v1/keys", {"name": f"t-http-denied-{unique_word('')}", "role": "admin"}),
        ("GET", f"/v1/keys/{target}", None),
        ("DELETE", f"/v1/keys/{target}", None),
        ("POST", f"/v1/keys/{target}/rotate", {}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "reader", "manager", "revoked"])
def test_only_admin_keys_manage_keys(api, admin_key, reader_key, manager_key, revoked_admin, keys, sql, who):
    target = keys("reader")
    caller = {"anonymous": None, "reader": reader_key, "manager": manager_key, "revoked": revoked_admin}[who]
    expected = {"anonymous": (401, "unauthorized"), "revoked": (401, "unauthorized")}.get(who, (403, "forbidden"))
    before = sql("SELECT count(*) FROM api_keys")
    for method, path, body in _route_requests(target["id"]):
        if body is None:
            r = api.request(method, path, key=caller)
        else:
            r = api.post(path, body, key=caller)
        problem(r, *expected)
        if expected[0] == 401:
            assert r.headers["WWW-Authenticate"].lower().startswith("bearer")
        no_store(r)
    assert sql("SELECT count(*) FROM api_keys") == before
    g = api.get(f"/v1/keys/{target['id']}", key=admin_key).json()
    assert g["status"] == "active" and g["replaced_by"] is None and g["revoked_at"] is None
    assert status_of(api, target["key"]) == 200


# ---- reading -----------------------------------------------------------------------------

def test_list_pages_oldest_first_with_link_and_next(api, admin_key, keys, list_all):
    made = [keys("reader")["id"] for _ in range(5)]
    everything, _ = list_all("/v1/keys", params={"limit": 500}, key=admin_key)
    order = [(ts(k["created_at"]), k["id"]) for k in everything]
    assert order == sorted(order), "oldest first: created_at, then id"
    ids = [k["id"] for k in everything]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if i in made] == made
    for k in everything:
        assert set(k) == FIELDS
    # pages of 3: the same list, each page's Link naming its next
    paged, p = [], {"limit": 3}
    while True:
        r = api.get("/v1/keys", params=p, key=admin_key)
        assert r.status_code == 200, r.text
        no_store(r)
        body = r.json()
        assert len(body["items"]) <= 3
        paged += [k["id"] for k in body["items"]]
        if body["next"] is None:
            assert "Link" not in r.headers
            break
        assert len(body["items"]) == 3
        link = r.headers["Link"]
        assert link.startswith("</v1/keys?limit=3&cursor=") and link.endswith('>; rel="next"'), link
        assert body["next"] in link
        p["cursor"] = body["next"]
    assert paged[:len(ids)] == ids
    assert [i for i in paged if i in made] == made
    # the default page is 50
    r = api.get("/v1/keys", key=admin_key)
    assert len(r.json()["items"]) == min(50, len(paged))


@pytest.mark.parametrize("params,code", [
    ({"cursor": "garbage"}, "invalid_cursor"),
    ({"cursor": "eyJyIjoia2V5cyJ9.AAAAAAAAAAAAAAAAAAAAAA"}, "invalid_cursor"),
    ({"limit": "0"}, "invalid_query"),
    ({"limit": "501"}, "invalid_query"),
    ({"limit": "ten"}, "invalid_query"),
    ({"sort": "name"}, "invalid_query"),
    ({"role": "admin"}, "invalid_query"),
])
def test_list_refuses_bad_query_parameters(api, admin_key, params, code):
    r = api.get("/v1/keys", params=params, key=admin_key)
    problem(r, 400, code)
    no_store(r)


def test_a_cursor_of_another_list_is_refused(api, admin_key, keys):
    keys("reader")
    other = api.get("/v1/clusters", params={"limit": 1}).json()["next"]
    assert other
    problem(api.get("/v1/keys", params={"cursor": other}, key=admin_key), 400, "invalid_cursor")
    mine = api.get("/v1/keys", params={"limit": 1}, key=admin_key).json()["next"]
    assert mine
    problem(api.get("/v1/keys", params={"cursor": mine[:-2] + ("AA" if mine[-2:] != "AA" else "BB")},
                    key=admin_key), 400, "invalid_cursor")


def test_get_one_and_404s(api, admin_key, keys, make_key):
    k = keys("manager", cluster_ids=[DEMO_01])
    r = api.get(f"/v1/keys/{k['id']}", key=admin_key)
    assert r.status_code == 200, r.text
    no_store(r)
    assert r.json() == {f: v for f, v in k.items() if f != "key"}
    # upper-case ids are the same ids
    assert api.get(f"/v1/keys/{k['id'].upper()}", key=admin_key).json()["id"] == k["id"]
    # a key made with `grappe keys create` is there too
    cli_id, _ = make_key("reader", "t-http-from-cli")
    c = api.get(f"/v1/keys/{cli_id}", key=admin_key).json()
    assert (c["name"], c["role"], c["status"]) == ("t-http-from-cli", "reader", "active")
    api.delete(f"/v1/keys/{cli_id}", key=admin_key)
    for bad in (str(uuid.uuid4()), "not-a-uuid", "1", "c1000000-0000-4000-8000-00000000000g"):
        for method in ("GET", "DELETE"):
            r = api.request(method, f"/v1/keys/{bad}", key=admin_key)
            problem(r, 404, "not_found")
            no_store(r)
        problem(api.post(f"/v1/keys/{bad}/rotate", None, key=admin_key), 404, "not_found")
    problem(api.get(f"/v1/keys/{k['id']}", params={"x": "1"}, key=admin_key), 400, "invalid_query")
    problem(api.get(f"/v1/keys/{k['id']}", headers={"Accept": "text/csv"}, key=admin_key), 406, "not_acceptable")


def test_no_key_nor_hash_in_read_answers(api, admin_key, keys, list_all):
    k = keys("reader")
    secret, digest = k["key"], hashlib.sha256(k["key"].encode()).hexdigest()
    assert status_of(api, secret) == 200
    answers = [api.get(f"/v1/keys/{k['id']}", key=admin_key)]
    p = {"limit": 500}
    while True:
        r = api.get("/v1/keys", params=p, key=admin_key)
        answers.append(r)
        if r.json()["next"] is None:
            break
        p["cursor"] = r.json()["next"]
    for r in answers:
        assert r.status_code == 200
        text = r.text.lower()
        assert secret[11:].lower() not in text and digest not in text and "hash" not in text
        items = r.json()["items"] if "items" in r.json() else [r.json()]
        for item in items:
            assert "key" not in item and set(item) == FIELDS
            assert item["prefix"].endswith("…") and len(item["prefix"]) == 12
    h = api.head(f"/v1/keys/{k['id']}", key=admin_key)
    assert h.status_code == 200 and h.content == b""
    no_store(h)


# ---- revoking ----------------------------------------------------------------------------

def test_revoke_stops_the_key_within_1_s_and_keeps_the_row(api, admin_key, keys):
    k = keys("reader")
    assert status_of(api, k["key"]) == 200  # in this process's cache now
    r = api.delete(f"/v1/keys/{k['id']}", key=admin_key)
    assert r.status_code == 204 and r.content == b""
    no_store(r)
    took = wait_refused(api, k["key"], 1.5)
    assert took < 1.5
    g = api.get(f"/v1/keys/{k['id']}", key=admin_key).json()
    assert g["status"] == "revoked" and g["revoked_at"] is not None
    assert abs((ts(g["revoked_at"]) - now()).total_seconds()) < 60
    # again: 204, and the first revocation's instant stays
    assert api.delete(f"/v1/keys/{k['id']}", key=admin_key).status_code == 204
    assert api.get(f"/v1/keys/{k['id']}", key=admin_key).json()["revoked_at"] == g["revoked_at"]
    # a revoked key cannot be rotated
    p = problem(api.post(f"/v1/keys/{k['id']}/rotate", None, key=admin_key), 409, "conflict")
    assert "revoked" in p["detail"]


def test_an_admin_key_may_revoke_itself(api, keys):
    k = keys("admin")
    assert api.delete(f"/v1/keys/{k['id']}", key=k["key"]).status_code == 204
    wait_refused(api, k["key"], 1.5)


# ---- rotating ----------------------------------------------------------------------------

def test_rotate_makes_a_new_key_and_both_work_during_the_grace_period(api, admin_key, keys):
    old = keys("manager", cluster_ids=[DEMO_01], expires_at=utc_in(days=90))
    assert status_of(api, old["key"]) == 200
    before = now()
    r = api.post(f"/v1/keys/{old['id']}/rotate", None, key=admin_key)  # no body: the default grace
    assert r.status_code == 201, r.text
    no_store(r)
    new = r.json()
    keys_made = [new["id"]]
    try:
        assert set(new) == FIELDS | {"key", "grace_until"}
        assert r.headers["Location"] == f"/v1/keys/{new['id']}"
        assert new["id"] != old["id"] and new["key"] != old["key"]
        for f in ("name", "role", "cluster_ids", "expires_at"):
            assert new[f] == old[f], f
        assert new["status"] == "active" and new["replaced_by"] is None
        # 24 hours by default
        grace = ts(new["grace_until"])
        assert before + timedelta(hours=24) - timedelta(seconds=5) <= grace <= now() + timedelta(hours=24, seconds=5)
        g = api.get(f"/v1/keys/{old['id']}", key=admin_key).json()
        assert g["replaced_by"] == new["id"] and ts(g["expires_at"]) == grace and g["status"] == "active"
        # both work, as the same manager (after the caches heard of the change)
        time.sleep(1.2)
        for k in (old["key"], new["key"]):
            assert api.get(f"/v1/clusters/{DEMO_01}/indicators", key=k).status_code == 200
            assert api.get(f"/v1/clusters/{DEMO_02}/indicators", key=k).status_code == 403
        # the old key was rotated: 409, which names its successor
        p = problem(api.post(f"/v1/keys/{old['id']}/rotate", None, key=admin_key), 409, "conflict")
        assert new["id"] in p["detail"]
        # the new one rotates in turn
        r2 = api.post(f"/v1/keys/{new['id']}/rotate", {"grace_until": utc_in(hours=1)}, key=admin_key)
        assert r2.status_code == 201, r2.text
        keys_made.append(r2.json()["id"])
    finally:
        for kid in keys_made:
            api.delete(f"/v1/keys/{kid}", key=admin_key)


def test_rotate_with_grace_until_now_stops_the_old_key_within_1_s(api, admin_key, keys):
    old = keys("reader")
    assert status_of(api, old["key"]) == 200
    r = api.post(f"/v1/keys/{old['id']}/rotate", {"grace_until": utc_in()}, key=admin_key)
    assert r.status_code == 201, r.text
    new = r.json()
    try:
        wait_refused(api, old["key"], 1.5)
        assert status_of(api, new["key"]) == 200
        g = api.get(f"/v1/keys/{old['id']}", key=admin_key).json()
        assert g["status"] == "expired" and g["replaced_by"] == new["id"]
        assert g["expires_at"] == new["grace_until"]
        problem(api.post(f"/v1/keys/{old['id']}/rotate", None, key=admin_key), 409, "conflict")
    finally:
        api.delete(f"/v1/keys/{new['id']}", key=admin_key)


def test_rotate_grace_ends_at_the_old_keys_expiry_when_sooner(api, admin_key, keys):
    expiry = utc_in(days=2)
    old = keys("reader", expires_at=expiry)
    r = api.post(f"/v1/keys/{old['id']}/rotate", {"grace_until": utc_in(days=7)}, key=admin_key)
    assert r.status_code == 201, r.text
    new = r.json()
    try:
        assert ts(new["grace_until"]) == ts(expiry) == ts(new["expires_at"])
        assert ts(api.get(f"/v1/keys/{old['id']}", key=admin_key).json()["expires_at"]) == ts(expiry)
    finally:
        api.delete(f"/v1/keys/{new['id']}", key=admin_key)
    # and an explicit null is the default grace
    old2 = keys("reader")
    r = api.post(f"/v1/keys/{old2['id']}/rotate", {"grace_until": None}, key=admin_key)
    assert r.status_code == 201, r.text
    api.delete(f"/v1/keys/{r.json()['id']}", key=admin_key)
    assert abs((ts(r.json()["grace_until"]) - now() - timedelta(hours=24)).total_seconds()) < 60


BAD_GRACE = [
    (lambda: {"grace_until": "2001-01-01T00:00:00Z"}, "grace_until", "out_of_range"),
    (lambda: {"grace_until": utc_in(hours=-1)}, "grace_until", "out_of_range"),
    (lambda: {"grace_until": utc_in(days=31)}, "grace_until", "out_of_range"),
    (lambda: {"grace_until": "tomorrow"}, "grace_until", "invalid_format"),
    (lambda: {"grace_until": 3600}, "grace_until", "invalid_type"),
    (lambda: {"name": "renamed"}, "name", "unknown_field"),
    (lambda: {"expires_at": "2099-01-01T00:00:00Z"}, "expires_at", "unknown_field"),
]


@pytest.mark.parametrize("make_body,field,code", BAD_GRACE,
                         ids=["past", "an-hour-ago", "31-days", "not-a-time", "a-number", "name", "expires_at"])
def test_rotate_refuses_a_bad_body_with_422_and_changes_nothing(api, admin_key, keys, sql, make_body, field, code):
    body = make_body()
    old = keys("reader")
    before = sql("SELECT count(*) FROM api_keys")
    r = api.post(f"/v1/keys/{old['id']}/rotate", body, key=admin_key)
    p = problem(r, 422, "validation_failed")
    no_store(r)
    assert {e["field"]: e["code"] for e in p["errors"]}.get(field) == code, p
    assert sql("SELECT count(*) FROM api_keys") == before
    g = api.get(f"/v1/keys/{old['id']}", key=admin_key).json()
    assert g["replaced_by"] is None and g["expires_at"] is None


def test_rotate_refuses_malformed_bodies(api, admin_key, keys):
    old = keys("reader")
    for data in (b"[]", b"{", b"null"):
        problem(api.post(f"/v1/keys/{old['id']}/rotate", data, key=admin_key), 400, "malformed_request")
    problem(api.post(f"/v1/keys/{old['id']}/rotate", b"x", content_type="text/plain", key=admin_key),
            415, "unsupported_media_type")
    assert api.get(f"/v1/keys/{old['id']}", key=admin_key).json()["replaced_by"] is None
    # the longest grace there is: 30 days
    r = api.post(f"/v1/keys/{old['id']}/rotate", {"grace_until": utc_in(days=29, hours=23)}, key=admin_key)
    assert r.status_code == 201, r.text
    api.delete(f"/v1/keys/{r.json()['id']}", key=admin_key)


# ---- expiry and use ----------------------------------------------------------------------

def test_a_key_made_to_expire_in_a_few_seconds_is_then_refused(api, admin_key, keys):
    k = keys("reader", expires_at=utc_in(seconds=4))
    expires = ts(k["expires_at"])
    assert status_of(api, k["key"]) == 200
    while now() < expires - timedelta(seconds=0.3):
        assert status_of(api, k["key"]) == 200
        time.sleep(0.2)
    wait_refused(api, k["key"], max(0.0, (expires - now()).total_seconds()) + 1.5)
    g = api.get(f"/v1/keys/{k['id']}", key=admin_key).json()
    assert g["status"] == "expired" and g["revoked_at"] is None
    problem(api.post(f"/v1/keys/{k['id']}/rotate", None, key=admin_key), 409, "conflict")


def test_last_used_at_is_recorded_within_seconds_and_at_most_once_a_minute(api, admin_key, keys):
    k = keys("reader")
    assert k["last_used_at"] is None
    time.sleep(1.5)
    assert api.get(f"/v1/keys/{k['id']}", key=admin_key).json()["last_used_at"] is None  # not used yet
    used = now()
    assert status_of(api, k["key"]) == 200
    deadline = time.monotonic() + 3
    while True:
        seen = api.get(f"/v1/keys/{k['id']}", key=admin_key).json()["last_used_at"]
        if seen:
            break
        assert time.monotonic() < deadline, "last_used_at was not written within 3 s of a use"
        time.sleep(0.1)
    assert used - timedelta(seconds=1) <= ts(seen) <= now() + timedelta(seconds=1)
    # another use within the minute is not written again
    assert status_of(api, k["key"]) == 200
    time.sleep(2.5)
    assert api.get(f"/v1/keys/{k['id']}", key=admin_key).json()["last_used_at"] == seen
