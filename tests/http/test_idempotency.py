"""Idempotency-Key on POST: the first answer to (caller, key) is kept 24 hours and replayed,
with `Idempotent-Replayed: true` and without a second write, to retries of the same request;
the same key with another request is 422; a retry while the first still runs is 409 with
Retry-After; keys are scoped to the caller and expire after 24 hours.

Every test uses keys of its own (uuid4) and counts what it created through a unique word."""

import json
import threading
import time
import uuid

import pytest

from conftest import new_siret, problem, unique_word

BULK = "/v1/companies/bulk"
NDJSON = "application/x-ndjson"


def idem(key=None):
    return {"Idempotency-Key": key or str(uuid.uuid4())}


def total(api, path, word, key=None):
    r = api.get(path, params={"q": word, "count": "true", "limit": 1}, key=key)
    assert r.status_code == 200, r.text
    return r.json()["total"]


def assert_replay(first, second):
    """`second` is `first` given again."""
    assert second.status_code == first.status_code, second.text
    if first.headers["Content-Type"].startswith("application/problem+json"):
        # A problem names the request that carries it (request_id = X-Request-Id): the rest
        # is the first answer.
        a, b = first.json(), second.json()
        assert b.pop("request_id") == second.headers["X-Request-Id"]
        a.pop("request_id")
        assert a == b
    else:
        assert second.content == first.content
    assert second.headers.get("Location") == first.headers.get("Location")
    assert second.headers.get("ETag") == first.headers.get("ETag")
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers


def ndjson(lines):
    return "".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines).encode()


@pytest.fixture
def cleanup(api, admin_key, sql):
    """cleanup.append(path of a created item) or cleanup.sirets.append(siret): removed after."""
    class Paths(list):
        sirets = []
    paths = Paths()
    paths.sirets = []
    yield paths
    for p in paths:
        api.delete(p, key=admin_key)
    if paths.sirets:
        sql("DELETE FROM companies WHERE siret = ANY(ARRAY[%s])" % ",".join(f"'{s}'" for s in paths.sirets))


def ids_by_word(api, path, word, key=None):
    r = api.get(path, params={"q": word, "limit": 500}, key=key)
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


# ---- replays ----

def test_same_key_and_body_on_clusters_replays_the_first_answer_and_creates_once(api, admin_key, cleanup):
    word = unique_word()
    body = {"name": f"Idem cluster {word}", "kind": "cluster"}
    h = idem()
    first = api.post("/v1/clusters", body, key=admin_key, headers=h)
    assert first.status_code == 201, first.text
    cleanup.append(first.headers["Location"])
    second = api.post("/v1/clusters", body, key=admin_key, headers=h)
    assert_replay(first, second)
    assert second.json()["id"] == first.json()["id"]
    assert total(api, "/v1/clusters", word) == 1


def test_same_key_and_body_on_partners_replays_and_creates_once(api, admin_key, cleanup):
    word = unique_word()
    body = {"name": f"Idem partner {word}", "kind": "other"}
    h = idem()
    first = api.post("/v1/partners", body, key=admin_key, headers=h)
    assert first.status_code == 201, first.text
    cleanup.append(first.headers["Location"])
    second = api.post("/v1/partners", body, key=admin_key, headers=h)
    assert_replay(first, second)
    assert total(api, "/v1/partners", word) == 1


def test_same_key_and_body_on_bulk_replays_the_summary_and_writes_once(api, admin_key, cleanup):
    word = unique_word()
    lines = [{"siret": new_siret(), "name": f"Idem bulk {word} {i}"} for i in range(3)]
    cleanup.sirets.extend(l["siret"] for l in lines)
    body = ndjson(lines)
    h = idem()
    first = api.post(BULK, body, content_type=NDJSON, key=admin_key, headers=h)
    assert first.status_code == 200, first.text
    assert first.json()["summary"] == {"created": 3, "updated": 0, "unchanged": 0, "errors": 0}
    second = api.post(BULK, body, content_type=NDJSON, key=admin_key, headers=h)
    assert_replay(first, second)
    # a second run would have said "unchanged" three times
    assert second.json()["summary"] == first.json()["summary"]
    r = api.get("/v1/companies", params={"siret": ",".join(l["siret"] for l in lines), "count": "true"})
    assert r.json()["total"] == 3


def test_anonymous_registration_retry_gets_the_same_cancel_token(api, admin_key, make_event):
    e = make_event(capacity=10)
    body = {"name": "Idem Perrin", "email": f"{unique_word()}@example.org"}
    h = idem()
    path = f"/v1/events/{e['id']}/registrations"
    first = api.post(path, body, headers=h)
    assert first.status_code == 201, first.text
    second = api.post(path, body, headers=h)
    assert_replay(first, second)
    assert second.json()["cancel_token"] == first.json()["cancel_token"]
    r = api.get(path, key=admin_key, params={"limit": 500})
    assert r.status_code == 200, r.text
    assert [i["email"] for i in r.json()["items"]] == [body["email"]]


def test_a_422_answer_is_replayed_too(api, admin_key):
    word = unique_word()
    body = {"name": f"Idem invalid {word}", "kind": "nonsense"}
    h = idem()
    first = api.post("/v1/clusters", body, key=admin_key, headers=h)
    problem(first, 422, "validation_failed")
    second = api.post("/v1/clusters", body, key=admin_key, headers=h)
    problem(second, 422, "validation_failed")
    assert_replay(first, second)
    assert total(api, "/v1/clusters", word) == 0


# ---- the same key for another request ----

def test_same_key_with_another_body_is_422_and_creates_nothing(api, admin_key, cleanup):
    word, other = unique_word(), unique_word()
    h = idem()
    first = api.post("/v1/clusters", {"name": f"Idem {word}", "kind": "cluster"}, key=admin_key, headers=h)
    assert first.status_code == 201, first.text
    cleanup.append(first.headers["Location"])
    r = api.post("/v1/clusters", {"name": f"Idem {other}", "kind": "cluster"}, key=admin_key, headers=h)
    problem(r, 422, "validation_failed")
    assert "Idempotent-Replayed" not in r.headers
    assert total(api, "/v1/clusters", other) == 0
    assert total(api, "/v1/clusters", word) == 1


def test_same_key_with_another_query_string_is_422(api, admin_key, cleanup):
    line = {"siret": new_siret(), "name": f"Idem bulk {unique_word()}"}
    cleanup.sirets.append(line["siret"])
    body = ndjson([line])
    h = idem()
    first = api.post(BULK, body, content_type=NDJSON, key=admin_key, headers=h, params={"dry_run": "true"})
    assert first.status_code == 200, first.text
    assert first.json()["committed"] is False
    r = api.post(BULK, body, content_type=NDJSON, key=admin_key, headers=h)
    problem(r, 422, "validation_failed")
    r = api.get("/v1/companies", params={"siret": line["siret"], "count": "true"})
    assert r.json()["total"] == 0


# ---- malformed keys ----

@pytest.mark.parametrize("value", ["k" * 256, "two words", "clé-é".encode("utf-8")],
                         ids=["256-chars", "space", "non-ascii"])
def test_malformed_key_is_400_and_nothing_is_created(api, admin_key, value):
    word = unique_word()
    r = api.post("/v1/clusters", {"name": f"Idem {word}", "kind": "cluster"}, key=admin_key,
                 headers={"Idempotency-Key": value})
    problem(r, 400, "malformed_request")
    assert total(api, "/v1/clusters", word) == 0


def test_255_char_key_is_accepted(api, admin_key, cleanup):
    word = unique_word()
    key = (str(uuid.uuid4()) + "~!" * 200)[:255]
    body = {"name": f"Idem {word}", "kind": "cluster"}
    first = api.post("/v1/clusters", body, key=admin_key, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    cleanup.append(first.headers["Location"])
    second = api.post("/v1/clusters", body, key=admin_key, headers={"Idempotency-Key": key})
    assert_replay(first, second)


# ---- scope and expiry ----

def test_another_api_key_with_the_same_value_runs_its_own_request(api, make_key, cleanup):
    _, k1 = make_key("admin")
    _, k2 = make_key("admin")
    word = unique_word()
    body = {"name": f"Idem partner {word}", "kind": "other"}
    h = idem()
    a = api.post("/v1/partners", body, key=k1, headers=h)
    assert a.status_code == 201, a.text
    cleanup.append(a.headers["Location"])
    b = api.post("/v1/partners", body, key=k2, headers=h)
    assert b.status_code == 201, b.text
    cleanup.append(b.headers["Location"])
    assert "Idempotent-Replayed" not in b.headers
    assert b.json()["id"] != a.json()["id"]
    assert total(api, "/v1/partners", word) == 2
    # each caller still gets its own answer back
    assert_replay(a, api.post("/v1/partners", body, key=k1, headers=h))
    assert_replay(b, api.post("/v1/partners", body, key=k2, headers=h))


def test_a_key_older_than_24_hours_runs_again(api, admin_key, sql, cleanup):
    word = unique_word()
    body = {"name": f"Idem partner {word}", "kind": "other"}
    k = str(uuid.uuid4())
    first = api.post("/v1/partners", body, key=admin_key, headers=idem(k))
    assert first.status_code == 201, first.text
    cleanup.append(first.headers["Location"])
    assert sql(f"SELECT count(*) FROM idempotency_keys WHERE key = '{k}'") == "1"
    sql(f"UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = '{k}'")
    second = api.post("/v1/partners", body, key=admin_key, headers=idem(k))
    assert second.status_code == 201, second.text
    cleanup.append(second.headers["Location"])
    assert "Idempotent-Replayed" not in second.headers
    assert second.json()["id"] != first.json()["id"]
    assert total(api, "/v1/partners", word) == 2
    # the new answer is the one kept now
    assert_replay(second, api.post("/v1/partners", body, key=admin_key, headers=idem(k)))


def test_post_without_a_key_runs_every_time(api, admin_key, cleanup):
    word = unique_word()
    body = {"name": f"Idem partner {word}", "kind": "other"}
    for _ in range(2):
        r = api.post("/v1/partners", body, key=admin_key)
        assert r.status_code == 201, r.text
        assert "Idempotent-Replayed" not in r.headers
        cleanup.append(r.headers["Location"])
    assert total(api, "/v1/partners", word) == 2


# ---- concurrency ----

def test_retry_while_the_first_runs_is_409_then_replays(api, admin_key, cleanup):
    lines = [{"siret": new_siret(), "name": f"Idem big {unique_word()}", "department_code": "74"}
             for _ in range(20_000)]
    cleanup.sirets.extend(l["siret"] for l in lines)
    body = ndjson(lines)
    h = idem()
    out = {}

    def run():
        out["r"] = api.post(BULK, body, content_type=NDJSON, key=admin_key, headers=h)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.3)  # let the first request reach the server and claim the key
    conflicts = []
    deadline = time.monotonic() + 60
    while t.is_alive() and time.monotonic() < deadline and len(conflicts) < 3:
        # A fresh connection each time: a kept-alive one may belong to the server
        # thread that is busy with the first import and would wait for it.
        fresh = type(api)(api.base_url, api.checker)
        r = fresh.post(BULK, body, content_type=NDJSON, key=admin_key, headers=h)
        fresh.session.close()
        if r.status_code == 409:
            problem(r, 409, "conflict")
            assert int(r.headers["Retry-After"]) >= 0
            conflicts.append(r)
        else:  # the first one finished meanwhile: its answer, never a second run
            assert r.status_code == 200, r.text
            assert r.headers.get("Idempotent-Replayed") == "true"
        time.sleep(0.05)
    t.join(90)
    assert not t.is_alive()
    first = out["r"]
    assert first.status_code == 200, first.text
    assert first.json()["summary"]["created"] == 20_000
    assert conflicts, "the first import finished before a retry could see it running"
    again = api.post(BULK, body, content_type=NDJSON, key=admin_key, headers=h)
    assert_replay(first, again)
    r = api.get("/v1/companies", params={"siret": ",".join(l["siret"] for l in lines[:100]), "count": "true"})
    assert r.json()["total"] == 100
