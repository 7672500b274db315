"""Long polling of the change feed, GET /v1/changes?wait=N (issue 18; SPEC, Change feed).

An empty page is held (its connection suspended: no worker thread, no database connection)
until the feed grows (each server numbers it five times a second while anyone waits), or N
seconds pass, or the server stops. These tests check what a caller sees;
bench/run measures what 100 waiting callers cost the others."""
import re
import socket
import threading
import time

import pytest
import requests

from conftest import DEMO_01, problem, start_extra_server, stop_extra_server, unique_word

CHANGES = "/v1/changes"


def head(base, key):
    r = requests.get(base + CHANGES, params={"since": "now"}, headers={"Authorization": f"Bearer {key}"},
                     timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["next"]


def poll(base, key, **params):
    """-> (seconds taken, response)"""
    t0 = time.monotonic()
    r = requests.get(base + CHANGES, params=params, headers={"Authorization": f"Bearer {key}"}, timeout=90)
    return time.monotonic() - t0, r


def create_cluster_later(base, key, delay, out):
    def run():
        time.sleep(delay)
        r = requests.post(base + "/v1/clusters", json={"name": f"Wait {unique_word()}", "kind": "cluster"},
                          headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert r.status_code == 201, r.text
        out.append((time.monotonic(), r.json()))
    t = threading.Thread(target=run)
    t.start()
    return t


def test_an_empty_page_waits_its_time_then_answers_empty(server, reader_key):
    pos = head(server.base_url, reader_key)
    took, r = poll(server.base_url, reader_key, since=pos, wait=2, types="indicator",
                   cluster="00000000-0000-4000-8000-00000000beef")
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []
    assert 1.9 <= took < 8, took


def test_a_change_ends_the_wait_at_once(server, reader_key, admin_key):
    pos = head(server.base_url, reader_key)
    made = []
    writer = create_cluster_later(server.base_url, admin_key, 0.5, made)
    took, r = poll(server.base_url, reader_key, since=pos, wait=30)
    answered = time.monotonic()
    writer.join()
    assert r.status_code == 200, r.text
    ids = [i["id"] for i in r.json()["items"]]
    assert made[0][1]["id"] in ids
    assert answered - made[0][0] < 5, (took, answered - made[0][0])  # not the 30 s
    requests.delete(server.base_url + f"/v1/clusters/{made[0][1]['id']}",
                    headers={"Authorization": f"Bearer {admin_key}"}, timeout=10)


def test_a_page_with_changes_does_not_wait(server, reader_key, make_cluster):
    pos = head(server.base_url, reader_key)
    make_cluster()
    took, r = poll(server.base_url, reader_key, since=pos, wait=30)
    assert r.status_code == 200 and r.json()["items"], r.text
    assert took < 5


def test_a_narrowed_wait_ignores_other_changes(server, reader_key, admin_key, make_cluster):
    """A change that the narrowing leaves out does not end the wait (it may wake the poll,
    which reads again, finds nothing of its own and waits on): the answer comes at the
    deadline, empty."""
    mine = make_cluster()
    pos = head(server.base_url, reader_key)
    made = []
    writer = create_cluster_later(server.base_url, admin_key, 0.5, made)
    took, r = poll(server.base_url, reader_key, since=pos, wait=3, cluster=mine["id"])
    writer.join()
    assert r.status_code == 200 and r.json()["items"] == [], r.text
    assert took >= 2.9, took
    requests.delete(server.base_url + f"/v1/clusters/{made[0][1]['id']}",
                    headers={"Authorization": f"Bearer {admin_key}"}, timeout=10)


def test_a_hundred_waiting_callers_leave_the_workers_to_the_others(server, reader_key, admin_key):
    """100 long polls are open (more than the server's worker threads and database
    connections): item GETs are answered meanwhile, and one change answers all 100."""
    pos = head(server.base_url, reader_key)
    results = []

    def waiter():
        results.append(poll(server.base_url, reader_key, since=pos, wait=40))

    waiters = [threading.Thread(target=waiter) for _ in range(100)]
    for t in waiters:
        t.start()
    wait_for_waiters(server.base_url, admin_key, 100)
    session = requests.Session()
    for _ in range(40):
        r = session.get(server.base_url + f"/v1/clusters/{DEMO_01}", timeout=5)
        assert r.status_code == 200, r.text
    assert not results, "a poll answered before any change"
    made = []
    create_cluster_later(server.base_url, admin_key, 0, made).join()
    for t in waiters:
        t.join(timeout=30)
    assert len(results) == 100
    for took, r in results:
        assert r.status_code == 200, r.text
        assert made[0][1]["id"] in [i["id"] for i in r.json()["items"]]
        assert took < 30
    requests.delete(server.base_url + f"/v1/clusters/{made[0][1]['id']}",
                    headers={"Authorization": f"Bearer {admin_key}"}, timeout=10)


@pytest.mark.parametrize("wait", ["61", "-1", "abc", "1.5"])
def test_a_bad_wait_is_400(api, reader_key, wait):
    body = problem(api.get(CHANGES, params={"wait": wait}, key=reader_key), 400, "invalid_query")
    assert "wait" in body["detail"] or "wait" in [e["field"] for e in body.get("errors", [])]


def wait_for_waiters(base, admin_key, n):
    deadline = time.monotonic() + 20
    waiting = 0
    while time.monotonic() < deadline:
        text = requests.get(base + "/metrics", headers={"Authorization": f"Bearer {admin_key}"}, timeout=10).text
        waiting = int(re.search(r"^grappe_changes_waiting (\d+)$", text, re.M).group(1))
        if waiting >= n:
            return
        time.sleep(0.1)
    raise AssertionError(f"{waiting} callers waiting, not {n}")


def test_sigterm_answers_the_waiting_callers_and_stops(grappe_bin, database_url, tmp_path, reader_key, admin_key):
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "wait-stop.log")
    stopped = False
    try:
        pos = head(srv.base_url, reader_key)
        results = []
        waiters = [threading.Thread(target=lambda: results.append(poll(srv.base_url, reader_key, since=pos,
                                                                        wait=60)))
                   for _ in range(5)]
        for t in waiters:
            t.start()
        wait_for_waiters(srv.base_url, admin_key, 5)
        t0 = time.monotonic()
        stop_extra_server(srv)  # SIGTERM, exit status 0 asserted
        stopped = True
        assert time.monotonic() - t0 < 10
        for t in waiters:
            t.join(timeout=10)
        assert len(results) == 5
        for took, r in results:
            assert r.status_code == 200 and r.json()["items"] == [], r.text
            assert took < 15
    finally:
        if not stopped:
            stop_extra_server(srv)


def test_a_wait_does_not_depend_on_the_key_listener(grappe_bin, database_url, tmp_path, reader_key,
                                                     admin_key):
    """Long polls learn of new changes by numbering the feed themselves (five times a second
    while anyone waits), not through LISTEN: with nothing at GRAPPE_DATABASE_LISTEN_URL (in
    production, a pooler in transaction mode) a change still ends the wait at once."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead_port = s.getsockname()[1]
    s.close()
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "wait-nolisten.log",
                             GRAPPE_DATABASE_LISTEN_URL=f"postgresql://grappe@127.0.0.1:{dead_port}/x")
    try:
        pos = head(srv.base_url, reader_key)
        made = []
        writer = create_cluster_later(srv.base_url, admin_key, 0.5, made)
        took, r = poll(srv.base_url, reader_key, since=pos, wait=30)
        writer.join()
        assert r.status_code == 200, r.text
        assert made[0][1]["id"] in [i["id"] for i in r.json()["items"]]
        assert took < 6, took
        requests.delete(srv.base_url + f"/v1/clusters/{made[0][1]['id']}",
                        headers={"Authorization": f"Bearer {admin_key}"}, timeout=10)
    finally:
        stop_extra_server(srv)
