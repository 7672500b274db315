"""A running Idempotency-Key expires with its request (src/db/idempotency.c).

A key is claimed by one run of its request for a lease: the statement timeout plus 5
seconds, renewed by each batch of a bulk import, and held as long as the run's transaction
holds the key's row. While it lasts, a retry is 409 with Retry-After (the seconds left).
When the run died (its process killed mid-request) a retry after the lease takes the key
over and runs the request. A final update that fails gives the key up (with the writes of
the request, which commit together with its kept answer), so that a retry runs at once.

The tests run servers of their own, with a short statement timeout, on a database of their
own; requests are made slow for real, by a row the test holds locked."""
import hashlib
import json
import threading
import time
import uuid

import pytest
import requests

from conftest import (Api, PsqlSession as Session, key_in, new_siret, problem, psql_at, scratch_database,
                      start_extra_server, stop_extra_server, unique_word)

STATEMENT_TIMEOUT_MS = 3000
LEASE_S = (STATEMENT_TIMEOUT_MS + 5000) / 1000
NDJSON = "application/x-ndjson"


@pytest.fixture(scope="module")
def db(database_url, grappe_bin, sql):
    with scratch_database(database_url, grappe_bin, sql, "failures_lease") as url:
        yield url


@pytest.fixture(scope="module")
def admin(grappe_bin, db):
    return key_in(grappe_bin, db, "admin", "lease")


@pytest.fixture
def servers(grappe_bin, db, tmp_path, checker):
    """start() -> a server on the test's database (statement timeout 3 s), stopped after."""
    started = []

    def start():
        srv = start_extra_server(grappe_bin, db, tmp_path / f"lease-{len(started)}.log",
                                 GRAPPE_STATEMENT_TIMEOUT_MS=str(STATEMENT_TIMEOUT_MS))
        srv.api = Api(srv.base_url, checker)
        started.append(srv)
        return srv
    yield start
    for srv in started:
        if srv.proc.poll() is None:
            stop_extra_server(srv)


def wait_until_waiting_for_a_lock(db, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if int(psql_at(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND application_name = 'grappe' AND wait_event_type = 'Lock'")) > 0:
            return
        time.sleep(0.05)
    pytest.fail("the request never waited for the row the test holds")


def in_background(fn):
    out = {}

    def run():
        try:
            out["r"] = fn()
        except requests.RequestException as e:
            out["error"] = e
    t = threading.Thread(target=run)
    t.start()
    return t, out


def retry_until_not_409(fn, t0, limit_s):
    """Sends fn() until it is not 409; returns (answer, seconds since t0, the 409s met)."""
    conflicts = []
    deadline = t0 + limit_s
    while True:
        r = fn()
        if r.status_code != 409 or time.monotonic() > deadline:
            return r, time.monotonic() - t0, conflicts
        problem(r, 409, "conflict")
        conflicts.append(int(r.headers["Retry-After"]))
        time.sleep(0.5)


def key_row(db, key):
    return psql_at(db, f"SELECT state FROM idempotency_keys WHERE key = '{key}'")


# ---- a server killed in the middle of a request ---------------------------------------

def test_key_of_a_server_killed_mid_create_is_409_for_its_lease_then_taken_over(servers, admin, db):
    first, second = servers(), servers()
    siret, key = new_siret(), str(uuid.uuid4())
    body = {"name": f"Lease {unique_word()}", "siret": siret}
    h = {"Idempotency-Key": key}
    blocker = Session(db)
    blocker.run(f"BEGIN; INSERT INTO companies (name, siret) VALUES ('Blocker', '{siret}');")
    t0 = time.monotonic()
    t, out = in_background(lambda: requests.post(first.base_url + "/v1/companies", json=body, headers={
        "Authorization": f"Bearer {admin}", **h}, timeout=30))
    wait_until_waiting_for_a_lock(db)  # its INSERT waits for the blocker's row
    first.proc.kill()                  # SIGKILL, mid-request
    first.proc.wait(10)
    t.join(30)
    assert "error" in out, "the request answered before its server was killed"
    blocker.run("ROLLBACK;")
    blocker.close()
    assert key_row(db, key) == "running"

    post = lambda: second.api.post("/v1/companies", body, key=admin, headers=h)  # noqa: E731
    r = post()
    problem(r, 409, "conflict")
    assert 1 <= int(r.headers["Retry-After"]) <= LEASE_S + 1
    r, elapsed, conflicts = retry_until_not_409(post, t0, LEASE_S + 30)
    assert r.status_code == 201, r.text
    assert "Idempotent-Replayed" not in r.headers
    assert elapsed >= LEASE_S - 1, f"taken over after {elapsed:.1f} s, before the lease of {LEASE_S} s ended"
    assert psql_at(db, f"SELECT count(*) FROM companies WHERE siret = '{siret}'") == "1"
    again = post()
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == r.json()["id"]


def test_key_of_a_server_killed_mid_import_is_taken_over_after_its_lease_and_the_import_runs_again(
        servers, admin, db):
    first, second = servers(), servers()
    held = new_siret()
    psql_at(db, f"INSERT INTO companies (name, siret) VALUES ('Held', '{held}')")
    lines = [{"siret": new_siret(), "name": f"Lease import {unique_word()} {i}"} for i in range(1500)]
    lines.insert(1200, {"siret": held, "name": "Held, renamed"})  # in the second batch of 1,000
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    key = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {admin}", "Idempotency-Key": key, "Content-Type": NDJSON}
    blocker = Session(db)
    blocker.run(f"BEGIN; SELECT 1 FROM companies WHERE siret = '{held}' FOR UPDATE;")
    t0 = time.monotonic()
    t, out = in_background(lambda: requests.post(first.base_url + "/v1/companies/bulk", data=data,
                                                 headers=headers, timeout=60))
    wait_until_waiting_for_a_lock(db)  # the first batch committed, the second waits
    first.proc.kill()
    first.proc.wait(10)
    t.join(60)
    assert "error" in out, "the import answered before its server was killed"
    blocker.run("ROLLBACK;")
    blocker.close()
    sirets = ",".join(f"'{line['siret']}'" for line in lines)
    assert psql_at(db, f"SELECT count(*) FROM companies WHERE siret IN ({sirets})") == "1001"
    assert key_row(db, key) == "running"

    post = lambda: second.api.post("/v1/companies/bulk", data, content_type=NDJSON, key=admin,  # noqa: E731
                                   headers={"Idempotency-Key": key})
    r, elapsed, conflicts = retry_until_not_409(post, t0, LEASE_S + 30)
    assert conflicts, "the key was free before its lease ended"
    assert r.status_code == 200, r.text
    assert elapsed >= LEASE_S - 1
    # run again: the first batch's lines are there already, the rest is new
    assert r.json()["summary"] == {"created": 500, "updated": 1, "unchanged": 1000, "errors": 0}
    assert psql_at(db, f"SELECT count(*) FROM companies WHERE siret IN ({sirets})") == "1501"
    again = post()
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == r.json()


# ---- while the first request is alive --------------------------------------------------

def test_retry_while_a_keyed_create_waits_is_409_then_gets_its_answer(servers, admin, db):
    srv = servers()
    siret, key = new_siret(), str(uuid.uuid4())
    body = {"name": f"Slow {unique_word()}", "siret": siret}
    blocker = Session(db)
    blocker.run(f"BEGIN; INSERT INTO companies (name, siret) VALUES ('Blocker', '{siret}');")
    t, out = in_background(lambda: srv.api.post("/v1/companies", body, key=admin, headers={"Idempotency-Key": key}))
    try:
        wait_until_waiting_for_a_lock(db)
        r = Api(srv.base_url, srv.api.checker).post("/v1/companies", body, key=admin, headers={"Idempotency-Key": key})
        problem(r, 409, "conflict")
        assert 1 <= int(r.headers["Retry-After"]) <= LEASE_S + 1
    finally:
        blocker.run("ROLLBACK;")
        blocker.close()
    t.join(30)
    first = out["r"]
    assert first.status_code == 201, first.text
    again = srv.api.post("/v1/companies", body, key=admin, headers={"Idempotency-Key": key})
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json()["id"] == first.json()["id"]


# ---- leases found in the table ---------------------------------------------------------

def fingerprint(path, body):
    """The server's fingerprint of a POST of this JSON text (src/http/idempotency.c)."""
    return hashlib.sha256(f"POST\n{path}\n\napplication/json\n".encode() + body).hexdigest()


def test_a_running_key_is_taken_over_only_once_its_lease_has_ended(servers, admin, db):
    srv = servers()
    caller = "key:" + psql_at(db, "SELECT id FROM api_keys WHERE name = 'lease'")
    name = f"Orphan {unique_word()}"
    text = json.dumps({"name": name, "kind": "cluster"}).encode()
    key = str(uuid.uuid4())
    psql_at(db, "INSERT INTO idempotency_keys (caller, key, fingerprint, state, owner, lease_until) "
                f"VALUES ('{caller}', '{key}', '{fingerprint('/v1/clusters', text)}', 'running', "
                "gen_random_uuid(), clock_timestamp() + interval '30 seconds')")
    post = lambda body=text: srv.api.post("/v1/clusters", body, key=admin,  # noqa: E731
                                          headers={"Idempotency-Key": key})
    r = post()
    problem(r, 409, "conflict")
    assert 25 <= int(r.headers["Retry-After"]) <= 31  # the seconds left of the lease
    # the lease ends (its run died long ago): the key is free
    psql_at(db, f"UPDATE idempotency_keys SET lease_until = clock_timestamp() - interval '1 second' WHERE key = '{key}'")
    problem(post(json.dumps({"name": "Another body", "kind": "cluster"}).encode()), 422, "validation_failed")
    r = post()
    assert r.status_code == 201, r.text
    assert psql_at(db, f"SELECT count(*) FROM clusters WHERE name = '{name}'") == "1"
    assert key_row(db, key) == "done"
    assert post().headers.get("Idempotent-Replayed") == "true"


# ---- a final update that fails ---------------------------------------------------------

SLOW_KEEP = """
CREATE OR REPLACE FUNCTION test_slow_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(10); RETURN NEW; END $$;
CREATE OR REPLACE TRIGGER test_slow_keep BEFORE UPDATE ON idempotency_keys FOR EACH ROW
  WHEN (NEW.state = 'done' AND NEW.key LIKE 'slow-keep-%') EXECUTE FUNCTION test_slow_keep();
"""


def test_a_final_update_that_fails_rolls_the_request_back_and_gives_its_key_up(servers, admin, db):
    srv = servers()
    psql_at(db, SLOW_KEEP)  # keeping the answer takes longer than the statement timeout
    name, key = f"Unkept {unique_word()}", f"slow-keep-{uuid.uuid4()}"
    post = lambda: srv.api.post("/v1/clusters", {"name": name, "kind": "cluster"}, key=admin,  # noqa: E731
                                headers={"Idempotency-Key": key})
    r = post()
    problem(r, 503, "service_unavailable")
    assert "Location" not in r.headers
    # the cluster went with the answer that could not be kept, and the key is free
    assert psql_at(db, f"SELECT count(*) FROM clusters WHERE name = '{name}'") == "0"
    assert key_row(db, key) == ""
    psql_at(db, "DROP TRIGGER test_slow_keep ON idempotency_keys")
    r = post()
    assert r.status_code == 201, r.text
    assert "Idempotent-Replayed" not in r.headers
    assert psql_at(db, f"SELECT count(*) FROM clusters WHERE name = '{name}'") == "1"


def test_a_final_update_that_fails_after_an_import_gives_its_key_up(servers, admin, db):
    srv = servers()
    psql_at(db, SLOW_KEEP)
    lines = [{"siret": new_siret(), "name": f"Unkept import {unique_word()}"} for _ in range(3)]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    key = f"slow-keep-{uuid.uuid4()}"
    post = lambda: srv.api.post("/v1/companies/bulk", data, content_type=NDJSON, key=admin,  # noqa: E731
                                headers={"Idempotency-Key": key})
    r = post()
    # the import committed batch by batch: its answer stands, though it could not be kept
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["created"] == 3
    assert key_row(db, key) == ""
    psql_at(db, "DROP TRIGGER test_slow_keep ON idempotency_keys")
    r = post()  # runs again: it upserts
    assert r.status_code == 200, r.text
    assert "Idempotent-Replayed" not in r.headers
    assert r.json()["summary"] == {"created": 0, "updated": 0, "unchanged": 3, "errors": 0}
    sirets = ",".join(f"'{line['siret']}'" for line in lines)
    assert psql_at(db, f"SELECT count(*) FROM companies WHERE siret IN ({sirets})") == "3"
