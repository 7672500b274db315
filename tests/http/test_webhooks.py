"""Webhooks (issue 18): subscriptions, Standard Webhooks deliveries verified by the npm
`standardwebhooks` library (tests/http/webhook_receiver.js), retries, disabling, replay,
rotation, the deliveries log, target refusal, and several processes sharing the work.

The suite's server delivers nothing (GRAPPE_WEBHOOK_WORKERS=0): deliveries come from
`deliverer`, a server of this module's own with short timeouts and retries, so that what a
test waits for takes seconds, not days."""
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from conftest import (DEMO_01, DEMO_02, _free_port, problem, start_extra_server, stop_extra_server,
                      unique_word)

REPO = Path(__file__).resolve().parents[2]
STANDARDWEBHOOKS = "standardwebhooks@1.3.0"
DELIVERER_ENV = dict(GRAPPE_WEBHOOK_WORKERS=4, GRAPPE_WEBHOOK_ALLOW_PRIVATE=1, GRAPPE_WEBHOOK_TIMEOUT_S=2,
                     GRAPPE_WEBHOOK_POLL_MS=50, GRAPPE_WEBHOOK_RETRY_BASE_MS=300,
                     GRAPPE_WEBHOOK_RETRY_MAX_MS=1000, GRAPPE_WEBHOOK_GIVE_UP_S=6)
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
DIAGNOSE = []  # what a failed wait prints: the subscriptions' state, the deliverer's log


# ---- the receiver and the deliverer ---------------------------------------------------

@pytest.fixture(scope="module")
def receiver(tmp_path_factory):
    """The Node.js receiver, with `standardwebhooks` installed on first use into
    var/tools-webhooks (npm registry)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "node and npm are needed for the webhook receiver (apt-get install nodejs npm)"
    tools = Path(os.environ.get("GRAPPE_WEBHOOK_TOOLS_DIR") or REPO / "var" / "tools-webhooks")
    pkg = tools / "node_modules" / "standardwebhooks" / "package.json"
    if not pkg.exists() or json.loads(pkg.read_text())["version"] != STANDARDWEBHOOKS.split("@")[1]:
        tools.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(tools), "--no-audit", "--no-fund", "--no-save",
                        "--loglevel=error", STANDARDWEBHOOKS], check=True, timeout=300)
    port = _free_port()
    env = dict(os.environ, NODE_PATH=str(tools / "node_modules"))
    proc = subprocess.Popen([node, str(Path(__file__).with_name("webhook_receiver.js")), str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    line = proc.stdout.readline()
    assert line.strip() == "ready", f"the receiver did not start: {line}{proc.stdout.read() if proc.poll() is not None else ''}"
    rcv = Receiver(f"http://127.0.0.1:{port}")
    yield rcv
    proc.terminate()
    proc.wait(10)


class Receiver:
    def __init__(self, base):
        self.base = base

    def url(self, name):
        return f"{self.base}/hook/{name}"

    def set(self, name, **settings):
        requests.put(f"{self.base}/_control/{name}", json=settings, timeout=10).raise_for_status()

    def received(self, name):
        return requests.get(f"{self.base}/_control/{name}", timeout=10).json()

    def wait(self, name, n, timeout=20, where=lambda m: True):
        deadline = time.monotonic() + timeout
        got = []
        while time.monotonic() < deadline:
            got = [m for m in self.received(name) if where(m)]
            if len(got) >= n:
                return got
            time.sleep(0.05)
        state = "\n".join(f() for f in DIAGNOSE)
        raise AssertionError(f"{name}: {len(got)} deliveries of {n} within {timeout} s: {got[-3:]}\n{state}")


@pytest.fixture(scope="module")
def deliverer(grappe_bin, database_url, tmp_path_factory, sql):
    sql("DELETE FROM webhooks")  # nothing left from elsewhere competes for the workers
    # The feed numbered to its end: what the suite wrote before, nobody numbered, and the
    # workers would number it first (20,000 changes a step) before the tests' changes.
    while sql("SELECT number_changes(), EXISTS (SELECT 1 FROM changes WHERE seq IS NULL)").endswith("|t"):
        pass
    srv = start_extra_server(grappe_bin, database_url, tmp_path_factory.mktemp("deliverer") / "grappe.log",
                             **DELIVERER_ENV)
    DIAGNOSE.append(lambda: sql(
        "SELECT now(), (SELECT last_seq FROM changes_counter), (SELECT count(*) FROM changes WHERE seq IS NULL); "
        "SELECT id, owner, active, feed_position, next_attempt_at, attempts, lease_owner, lease_until, "
        "last_error FROM webhooks ORDER BY created_at; "
        "SELECT pid, application_name, state, wait_event_type, wait_event, now() - xact_start, left(query, 80) "
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    DIAGNOSE.append(lambda: "\n".join(l for l in srv.log_text().splitlines()[-15:] if "/health" not in l))
    yield srv
    DIAGNOSE.clear()
    sql("DELETE FROM webhooks")
    stop_extra_server(srv)


@pytest.fixture
def subscribe(api, admin_key, receiver, deliverer):
    """subscribe(key=admin, name=None, **fields) -> (webhook, receiver name); the receiver
    knows the secret."""
    made = []

    def make(key=None, name=None, expect=201, **fields):
        name = name or unique_word("h")
        body = {"url": receiver.url(name), **fields}
        r = api.post("/v1/webhooks", body, key=key or admin_key)
        assert r.status_code == expect, r.text
        if expect != 201:
            return r, name
        w = r.json()
        made.append(w["id"])
        receiver.set(name, secrets=[w["secret"]])
        return w, name
    yield make
    for wid in made:  # each test's subscriptions end with it (25 at most per key)
        api.delete(f"/v1/webhooks/{wid}", key=admin_key)


def touch_cluster(api, key, cluster=DEMO_01, headers=None):
    r = api.patch(f"/v1/clusters/{cluster}", {"description": f"Touched {unique_word()}"}, key=key,
                  headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def company(api, key, **fields):
    from conftest import new_siret
    r = api.post("/v1/companies", {"name": f"Webhook Co {unique_word()}", "siret": new_siret(), **fields}, key=key)
    assert r.status_code == 201, r.text
    return r.json()


# ---- subscriptions -------------------------------------------------------------------

def test_create_shows_the_secret_once(api, admin_key, receiver):
    r = api.post("/v1/webhooks", {"url": receiver.url("once"), "types": ["cluster"], "description": "d"},
                 key=admin_key)
    assert r.status_code == 201, r.text
    w = r.json()
    assert r.headers["Location"] == f"/v1/webhooks/{w['id']}"
    m = re.fullmatch(r"whsec_([A-Za-z0-9+/]+={0,2})", w["secret"])
    assert m and len(base64.b64decode(m.group(1))) >= 24
    assert w["types"] == ["cluster"] and w["cluster_ids"] == [] and w["active"] is True
    g = api.get(f"/v1/webhooks/{w['id']}", key=admin_key)
    assert g.status_code == 200 and "secret" not in g.json() and g.headers["ETag"]
    assert api.get(f"/v1/webhooks/{w['id']}", key=admin_key,
                   headers={"If-None-Match": g.headers["ETag"]}).status_code == 304
    listed = api.get("/v1/webhooks", key=admin_key).json()
    assert all("secret" not in x for x in listed["items"])
    assert api.delete(f"/v1/webhooks/{w['id']}", key=admin_key).status_code == 204
    assert api.get(f"/v1/webhooks/{w['id']}", key=admin_key).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({}, "url"),
    ({"url": "https://example.org/h", "types": ["spaceship"]}, "types[0]"),
    ({"url": "https://example.org/h", "cluster_ids": ["nope"]}, "cluster_ids[0]"),
    ({"url": "https://example.org/h", "region": "99"}, "region"),
    ({"url": "https://example.org/h", "exclude_origin": "others"}, "exclude_origin"),
    ({"url": "https://example.org/h", "secret": "whsec_x"}, "secret"),
    ({"url": "https://example.org/h", "colour": "blue"}, "colour"),
    ({"url": "ftp://example.org/h"}, "url"),
    ({"url": "https://user:pw@example.org/h"}, "url"),
    ({"url": "not a url"}, "url"),
])
def test_create_refuses_invalid_bodies(api, admin_key, body, field):
    r = api.post("/v1/webhooks", body, key=admin_key)
    problem(r, 422, "validation_failed")
    assert field in [e["field"] for e in r.json()["errors"]], r.text


def test_who_may_subscribe(api, receiver, reader_key, manager_key, admin_key, make_key):
    assert api.post("/v1/webhooks", {"url": receiver.url("x")}).status_code == 401
    assert api.get("/v1/webhooks").status_code == 401
    r = api.post("/v1/webhooks", {"url": receiver.url("reader")}, key=reader_key)
    assert r.status_code == 201, r.text
    mine = r.json()["id"]
    # another key's subscription is not there for a reader; an admin sees every one
    other = make_key("reader")[1]
    assert api.get(f"/v1/webhooks/{mine}", key=other).status_code == 404
    assert api.patch(f"/v1/webhooks/{mine}", {"active": False}, key=other).status_code == 404
    assert api.delete(f"/v1/webhooks/{mine}", key=other).status_code == 404
    assert mine not in [w["id"] for w in api.get("/v1/webhooks", key=other).json()["items"]]
    assert api.get(f"/v1/webhooks/{mine}", key=admin_key).status_code == 200
    # a manager subscribes within its clusters
    r = api.post("/v1/webhooks", {"url": receiver.url("m"), "cluster_ids": [DEMO_02]}, key=manager_key)
    problem(r, 403, "forbidden")
    r = api.post("/v1/webhooks", {"url": receiver.url("m"), "cluster_ids": [DEMO_01]}, key=manager_key)
    assert r.status_code == 201, r.text
    assert api.delete(f"/v1/webhooks/{mine}", key=reader_key).status_code == 204


def test_private_targets_are_refused_without_the_flag(grappe_bin, database_url, tmp_path, api, admin_key):
    """A server without GRAPPE_WEBHOOK_ALLOW_PRIVATE: https only, public addresses only."""
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "strict.log", GRAPPE_WEBHOOK_ALLOW_PRIVATE=0)
    try:
        h = {"Authorization": f"Bearer {admin_key}", "Content-Type": "application/json"}
        for url in ["http://93.184.216.34/h", "https://127.0.0.1/h", "https://10.1.2.3/h", "https://172.20.0.1/h",
                    "https://192.168.1.10/h", "https://169.254.169.254/latest/meta-data", "https://[::1]/h",
                    "https://[fd00::1]/h", "https://[fe80::1]/h", "https://224.0.0.251/h", "https://0.0.0.0/h",
                    "https://[::ffff:127.0.0.1]/h", "https://localhost/h", "https://100.64.0.1/h"]:
            r = requests.post(srv.base_url + "/v1/webhooks", json={"url": url}, headers=h, timeout=30)
            assert r.status_code == 422, (url, r.text)
            assert r.json()["errors"][0]["field"] == "url" and r.json()["errors"][0]["code"] == "refused_target", r.text
    finally:
        stop_extra_server(srv)


def test_patch_and_limits(api, admin_key, receiver, make_key):
    key = make_key("reader")[1]
    r = api.post("/v1/webhooks", {"url": receiver.url("p"), "types": ["company"], "region": "84"}, key=key)
    w = r.json()
    etag = api.get(f"/v1/webhooks/{w['id']}", key=key).headers["ETag"]
    r = api.patch(f"/v1/webhooks/{w['id']}", {"types": None, "region": None, "description": "all"}, key=key,
                  headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.json()["types"] == [] and r.json()["region"] is None and r.json()["description"] == "all"
    problem(api.patch(f"/v1/webhooks/{w['id']}", {"active": False}, key=key, headers={"If-Match": etag}),
            412, "precondition_failed")
    problem(api.patch(f"/v1/webhooks/{w['id']}", {"secret": "whsec_AAAA"}, key=key), 422, "validation_failed")
    problem(api.patch(f"/v1/webhooks/{w['id']}", {"url": "gopher://x"}, key=key), 422, "validation_failed")
    r = api.patch(f"/v1/webhooks/{w['id']}", {"active": False}, key=key)
    assert r.json()["active"] is False and r.json()["disabled_reason"] is None and r.json()["disabled_at"]
    problem(api.patch(f"/v1/webhooks/{w['id']}", {"active": None}, key=key), 422, "validation_failed")
    problem(api.patch(f"/v1/webhooks/{w['id']}", {"url": None}, key=key), 422, "validation_failed")
    assert api.get(f"/v1/webhooks/{w['id']}", key=key).json()["active"] is False
    # 25 per key
    for i in range(24):
        assert api.post("/v1/webhooks", {"url": receiver.url(f"p{i}")}, key=key).status_code == 201
    problem(api.post("/v1/webhooks", {"url": receiver.url("p25")}, key=key), 409, "conflict")
    r = api.get("/v1/webhooks?limit=10", key=key)
    page = r.json()
    assert len(page["items"]) == 10 and page["next"]
    assert r.headers["Link"].endswith('>; rel="next"') and "cursor=" in r.headers["Link"]
    seen = [x["id"] for x in page["items"]]
    while page["next"]:
        page = api.get(f"/v1/webhooks?limit=10&cursor={page['next']}", key=key).json()
        seen += [x["id"] for x in page["items"]]
    assert len(seen) == 25 == len(set(seen))
    problem(api.get("/v1/webhooks?cursor=abc.def", key=key), 400, "invalid_cursor")
    for x in seen:
        assert api.delete(f"/v1/webhooks/{x}", key=key).status_code == 204


# ---- deliveries ----------------------------------------------------------------------

def test_a_delivery_verifies_with_standardwebhooks(api, admin_key, subscribe, receiver, deliverer):
    w, name = subscribe(types=["cluster"], cluster_ids=[DEMO_01])
    cl = touch_cluster(api, admin_key, headers={"traceparent": TRACEPARENT})
    m = receiver.wait(name, 1)[0]
    assert m["verified"] == [0], m
    assert m["content_type"] == "application/json"
    assert re.fullmatch(r"msg_[0-9a-f]{32}_[0-9]+", m["id"])
    assert abs(int(m["timestamp"]) - time.time()) < 60
    body = m["body"]
    assert body["type"] == "cluster.upsert"
    d = body["data"]
    assert d["type"] == "cluster" and d["id"] == DEMO_01 and d["op"] == "upsert"
    assert body["timestamp"] == d["changed_at"]
    assert d["object"]["description"] == cl["description"]
    assert d["origin"] == w["owner"]
    # the trace goes on: same trace id, a span of ours
    tp = m["traceparent"]
    assert tp and tp.startswith(TRACEPARENT[:36]) and tp != TRACEPARENT and tp.endswith("-01")
    # and it is the feed's change
    feed = api.get(f"/v1/changes?since={w['position']}&types=cluster&cluster={DEMO_01}", key=admin_key).json()
    assert d["seq"] in [c["seq"] for c in feed["items"]]
    log = api.get(f"/v1/webhooks/{w['id']}/deliveries", key=admin_key).json()["items"]
    assert log[0]["ok"] is True and log[0]["status"] == 200 and log[0]["message_id"] == m["id"]
    metrics = requests.get(deliverer.base_url + "/metrics", headers={"Authorization": f"Bearer {admin_key}"},
                           timeout=10).text
    assert int(re.search(r'^grappe_webhook_attempts_total\{result="ok"\} (\d+)$', metrics, re.M).group(1)) >= 1
    assert re.search(r"^grappe_webhook_workers_busy \d+$", metrics, re.M)
    assert log[0]["response_body"] == "ok" and log[0]["error"] is None and log[0]["seq"] == d["seq"]


def test_filters_narrow_what_is_sent(api, admin_key, subscribe, receiver, make_key):
    writer_id, writer = make_key("admin")
    by_cluster, n1 = subscribe(cluster_ids=[DEMO_02], types=["cluster"])
    by_region, n2 = subscribe(types=["company"], region="84")
    own, n3 = subscribe(key=writer, types=["cluster"], exclude_origin="self")
    touch_cluster(api, admin_key, DEMO_01)
    touch_cluster(api, writer, DEMO_01)
    touch_cluster(api, admin_key, DEMO_02)
    company(api, admin_key, region_code="84")
    company(api, admin_key, region_code="53")
    got1 = receiver.wait(n1, 1)
    got2 = receiver.wait(n2, 1)
    got3 = receiver.wait(n3, 2)
    time.sleep(1.0)  # anything that should not come has had time to
    assert [m["body"]["data"]["id"] for m in receiver.received(n1)] == [DEMO_02]
    assert [m["body"]["data"]["object"]["region_code"] for m in receiver.received(n2)] == ["84"]
    assert all(m["body"]["data"]["origin"] != writer_id for m in receiver.received(n3))
    assert len(receiver.received(n3)) == 2, receiver.received(n3)
    assert got1 and got2 and got3


def test_in_feed_order_once_each(api, admin_key, subscribe, receiver):
    w, name = subscribe(types=["company"])
    ids = [company(api, admin_key)["id"] for _ in range(30)]
    got = receiver.wait(name, 30)
    assert [m["body"]["data"]["id"] for m in got] == ids
    seqs = [m["body"]["data"]["seq"] for m in got]
    assert seqs == sorted(seqs) and len(set(m["id"] for m in got)) == 30
    assert all(m["verified"] == [0] for m in got)


def test_failures_are_retried_in_order_then_delivered(api, admin_key, subscribe, receiver):
    w, name = subscribe(types=["company"])
    receiver.set(name, status=503, reply="down for maintenance")
    first = company(api, admin_key)["id"]
    receiver.wait(name, 2, timeout=10)  # the first try and a retry (the first within a second here)
    later = [company(api, admin_key)["id"] for _ in range(3)]
    time.sleep(0.5)
    assert {m["body"]["data"]["id"] for m in receiver.received(name)} == {first}, "order: nothing after a failing change"
    state = api.get(f"/v1/webhooks/{w['id']}", key=admin_key).json()
    assert state["attempts"] >= 1 and state["failing_since"] and "503" in state["last_error"]
    log = api.get(f"/v1/webhooks/{w['id']}/deliveries", key=admin_key).json()["items"]
    assert log[0]["ok"] is False and log[0]["status"] == 503 and log[0]["response_body"] == "down for maintenance"
    assert log[0]["next_attempt_at"] and log[0]["attempt"] >= 2
    receiver.set(name, status=200, reply="ok")
    got = receiver.wait(name, 4, where=lambda m: True, timeout=15)
    ok = [m for m in receiver.received(name)]
    delivered = []
    for m in ok:
        if not delivered or delivered[-1] != m["body"]["data"]["id"]:
            delivered.append(m["body"]["data"]["id"])
    deadline = time.monotonic() + 10
    while delivered != [first] + later and time.monotonic() < deadline:
        time.sleep(0.1)
        delivered = []
        for m in receiver.received(name):
            if not delivered or delivered[-1] != m["body"]["data"]["id"]:
                delivered.append(m["body"]["data"]["id"])
    assert delivered == [first] + later
    retries = [m for m in receiver.received(name) if m["body"]["data"]["id"] == first]
    assert len({m["id"] for m in retries}) == 1, "webhook-id is the same at every attempt"
    assert got
    state = api.get(f"/v1/webhooks/{w['id']}", key=admin_key).json()
    assert state["attempts"] == 0 and state["failing_since"] is None and state["last_error"] is None


def test_disabled_after_the_give_up_time_then_reenabled(api, admin_key, subscribe, receiver):
    w, name = subscribe(types=["company"])
    receiver.set(name, status=500)
    c = company(api, admin_key)["id"]
    deadline = time.monotonic() + 30
    state = None
    while time.monotonic() < deadline:
        state = api.get(f"/v1/webhooks/{w['id']}", key=admin_key).json()
        if not state["active"]:
            break
        time.sleep(0.2)
    assert state["active"] is False and state["disabled_at"], state
    assert "No delivery succeeded" in state["disabled_reason"] and "500" in state["disabled_reason"]
    assert state["next_attempt_at"] is None
    n = len(receiver.received(name))
    time.sleep(1.5)
    assert len(receiver.received(name)) == n, "a disabled subscription gets nothing"
    # its owner re-enables it: the change it stopped at comes, and what followed
    receiver.set(name, status=200)
    c2 = company(api, admin_key)["id"]
    r = api.patch(f"/v1/webhooks/{w['id']}", {"active": True}, key=admin_key)
    assert r.json()["active"] is True and r.json()["disabled_reason"] is None and r.json()["attempts"] == 0
    receiver.wait(name, 1, where=lambda m: m["body"]["data"]["id"] == c2)
    ids = [m["body"]["data"]["id"] for m in receiver.received(name)]
    assert ids[n:] == [c, c2], ids


def test_redirects_are_not_followed_and_answers_are_cut(api, admin_key, subscribe, receiver):
    w, name = subscribe(types=["company"])
    receiver.set(name, status=302, location=receiver.url("elsewhere"))
    company(api, admin_key)
    receiver.wait(name, 1)
    time.sleep(0.3)
    assert receiver.received("elsewhere") == []
    log = api.get(f"/v1/webhooks/{w['id']}/deliveries", key=admin_key).json()["items"]
    assert log[-1]["status"] == 302 and "redirects are not followed" in log[-1]["error"]
    receiver.set(name, status=200, reply="é" * 3000)
    receiver.wait(name, 1, where=lambda m: True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = api.get(f"/v1/webhooks/{w['id']}/deliveries", key=admin_key).json()["items"]
        if log[0]["ok"]:
            break
        time.sleep(0.1)
    assert log[0]["ok"] and len(log[0]["response_body"].encode()) <= 1024
    assert set(log[0]["response_body"]) == {"é"}


def test_a_slow_receiver_holds_only_its_own_slot(api, admin_key, subscribe, receiver):
    slow, ns = subscribe(types=["company"])
    fast, nf = subscribe(types=["company"])
    receiver.set(ns, delay_ms=5000)  # past the deliverer's 2 s
    t0 = time.time()
    company(api, admin_key)
    receiver.wait(nf, 1, timeout=5)
    assert time.time() - t0 < 2.5, "the fast receiver waited for the slow one"
    receiver.wait(ns, 1)
    deadline = time.monotonic() + 10
    log = []
    while time.monotonic() < deadline and not log:
        log = api.get(f"/v1/webhooks/{slow['id']}/deliveries", key=admin_key).json()["items"]
        time.sleep(0.2)
    assert log[-1]["ok"] is False and log[-1]["status"] is None and "No answer within 2 s" in log[-1]["error"]
    assert 1900 <= log[-1]["duration_ms"] < 4000


def test_rotation_signs_with_both_secrets_for_a_day(api, admin_key, subscribe, receiver):
    w, name = subscribe(types=["cluster"], cluster_ids=[DEMO_01])
    r = api.post(f"/v1/webhooks/{w['id']}/rotate-secret", key=admin_key)
    assert r.status_code == 200, r.text
    new = r.json()["secret"]
    assert new != w["secret"] and new.startswith("whsec_")
    until = r.json()["previous_secret_expires_at"]
    assert until and 23.9 * 3600 < (time.mktime(time.strptime(until[:19], "%Y-%m-%dT%H:%M:%S")) - time.mktime(time.gmtime())) < 24.1 * 3600
    receiver.set(name, secrets=[w["secret"], new])
    touch_cluster(api, admin_key)
    m = receiver.wait(name, 1)[0]
    assert sorted(m["verified"]) == [0, 1] and len(m["signature"].split(" ")) == 2
    assert "secret" not in api.get(f"/v1/webhooks/{w['id']}", key=admin_key).json()


def test_test_ping(api, admin_key, subscribe, receiver):
    w, name = subscribe(types=["cluster"])
    r = api.post(f"/v1/webhooks/{w['id']}/test", key=admin_key, headers={"traceparent": TRACEPARENT})
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["ok"] is True and a["status"] == 200 and a["event_type"] == "webhook.test" and a["seq"] is None
    m = receiver.received(name)[-1]
    assert m["verified"] == [0] and m["body"]["type"] == "webhook.test"
    assert m["body"]["data"] == {"webhook_id": w["id"]} and m["traceparent"].startswith(TRACEPARENT[:36])
    receiver.set(name, status=418, reply="teapot")
    a = api.post(f"/v1/webhooks/{w['id']}/test", key=admin_key).json()
    assert a["ok"] is False and a["status"] == 418 and a["response_body"] == "teapot"
    log = api.get(f"/v1/webhooks/{w['id']}/deliveries?limit=1", key=admin_key).json()
    assert log["items"][0]["status"] == 418 and log["next"]
    older = api.get(f"/v1/webhooks/{w['id']}/deliveries?limit=1&cursor={log['next']}", key=admin_key).json()
    assert older["items"][0]["status"] == 200
    problem(api.post(f"/v1/webhooks/{uuid.uuid4()}/test", key=admin_key), 404, "not_found")


def test_replay_from_a_position(api, admin_key, subscribe, receiver):
    w, name = subscribe(types=["company"])
    ids = [company(api, admin_key)["id"] for _ in range(3)]
    got = receiver.wait(name, 3)
    r = api.post(f"/v1/webhooks/{w['id']}/replay?since={w['position']}", key=admin_key)
    assert r.status_code == 202, r.text
    again = receiver.wait(name, 6)
    assert [m["body"]["data"]["id"] for m in again[3:]] == ids
    assert [m["id"] for m in again[3:]] == [m["id"] for m in got], "the same messages, the same ids"
    r = api.post(f"/v1/webhooks/{w['id']}/replay?since=now", key=admin_key)
    assert r.status_code == 202
    problem(api.post(f"/v1/webhooks/{w['id']}/replay", key=admin_key), 400, "invalid_query")
    problem(api.post(f"/v1/webhooks/{w['id']}/replay?since=xyz.abc", key=admin_key), 400, "invalid_cursor")
    time.sleep(0.5)
    assert len(receiver.received(name)) == 6


def test_a_managers_webhook_is_narrowed(api, admin_key, manager_key, subscribe, receiver):
    w, name = subscribe(key=manager_key, types=["cluster"])
    touch_cluster(api, admin_key, DEMO_02)
    touch_cluster(api, admin_key, DEMO_01)
    got = receiver.wait(name, 1)
    time.sleep(0.8)
    assert [m["body"]["data"]["id"] for m in receiver.received(name)] == [DEMO_01]
    assert "origin" not in got[0]["body"]["data"]


def test_two_processes_share_the_work(grappe_bin, database_url, tmp_path, api, admin_key, subscribe, receiver):
    """Another deliverer: every change of every subscription once, in order."""
    other = start_extra_server(grappe_bin, database_url, tmp_path / "second.log", **DELIVERER_ENV)
    try:
        subs = [subscribe(types=["company"]) for _ in range(6)]
        ids = [company(api, admin_key)["id"] for _ in range(20)]
        for w, name in subs:
            got = receiver.wait(name, 20)
            assert [m["body"]["data"]["id"] for m in got] == ids
            assert len({m["id"] for m in got}) == 20
    finally:
        stop_extra_server(other)


def test_a_revoked_keys_subscriptions_get_nothing(api, admin_key, make_key, grappe_cli, subscribe, receiver):
    key_id, key = make_key("reader")
    w, name = subscribe(key=key, types=["cluster"], cluster_ids=[DEMO_01])
    touch_cluster(api, admin_key)
    receiver.wait(name, 1)
    grappe_cli("keys", "revoke", key_id)
    touch_cluster(api, admin_key)
    time.sleep(1.5)
    assert len(receiver.received(name)) == 1
    # an admin still sees it, behind its position
    state = api.get(f"/v1/webhooks/{w['id']}", key=admin_key).json()
    assert state["active"] is True and state["owner"] == key_id


def test_a_slow_receiver_does_not_keep_a_worker(api, admin_key, subscribe, receiver):
    """Many changes to a receiver that takes 1.2 s each: the others are served meanwhile."""
    slow, ns = subscribe(types=["company"])
    receiver.set(ns, delay_ms=1200)
    others = [subscribe(types=["company"]) for _ in range(5)]
    t0 = time.time()
    for _ in range(4):
        company(api, admin_key)
    for w, n in others:
        receiver.wait(n, 4, timeout=6)
    assert time.time() - t0 < 6
    receiver.wait(ns, 4, timeout=30)


def test_a_backlog_from_before_the_subscription_is_not_sent(api, admin_key, subscribe, receiver, sql):
    """Changes committed before a subscription but numbered after it (a backlog nobody
    numbered) are not sent: the subscription starts at its creation, not at a number."""
    sql("INSERT INTO changes (type, object_id, op) SELECT 'company', gen_random_uuid(), 'upsert' "
        "FROM generate_series(1, 25000)")
    w, name = subscribe(types=["company"])
    c = company(api, admin_key)["id"]
    got = receiver.wait(name, 1, timeout=30)
    time.sleep(1.0)
    assert [m["body"]["data"]["id"] for m in receiver.received(name)] == [c]
    assert got[0]["verified"] == [0]
    # a replay from its position sends what the feed holds from there: the backlog too
    assert api.post(f"/v1/webhooks/{w['id']}/replay?since={w['position']}", key=admin_key).status_code == 202
    receiver.wait(name, 100, timeout=30)


# Last: it stops and resumes the module's deliverer.
def test_a_process_killed_mid_delivery_loses_nothing(grappe_bin, database_url, tmp_path, api, admin_key,
                                                     receiver, deliverer):
    """The module's deliverer is stopped (SIGSTOP) while a server of this test's own takes
    the subscription and is killed (SIGKILL) while its receiver answers; once its lease has
    passed, the deliverer, running again, sends the change again under the same id."""
    name = unique_word("k")
    deliverer.proc.send_signal(signal.SIGSTOP)
    victim = None
    try:
        victim = start_extra_server(grappe_bin, database_url, tmp_path / "victim.log", **DELIVERER_ENV)
        w = api.post("/v1/webhooks", {"url": receiver.url(name), "types": ["company"]}, key=admin_key).json()
        receiver.set(name, secrets=[w["secret"]], delay_ms=1500)
        c = company(api, admin_key)["id"]
        receiver.wait(name, 1)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(10)
        receiver.set(name, delay_ms=0)
        deliverer.proc.send_signal(signal.SIGCONT)
        got = receiver.wait(name, 2, timeout=40)
        assert [m["body"]["data"]["id"] for m in got] == [c, c] and got[0]["id"] == got[1]["id"]
        assert all(m["verified"] == [0] for m in got)
        deadline = time.monotonic() + 10
        log = []
        while time.monotonic() < deadline:
            log = api.get(f"/v1/webhooks/{w['id']}/deliveries", key=admin_key).json()["items"]
            if log and log[0]["ok"]:
                break
            time.sleep(0.2)
        assert log and log[0]["ok"] and len(log) == 1, "the killed attempt left no record, the second one did"
    finally:
        deliverer.proc.send_signal(signal.SIGCONT)
        if victim and victim.proc.poll() is None:
            stop_extra_server(victim)
        sql_cleanup = [w["id"]] if "w" in dir() else []
        for wid in sql_cleanup:
            api.delete(f"/v1/webhooks/{wid}", key=admin_key)
