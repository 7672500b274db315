"""The process's cache of API keys (issue 17; SPEC, Auth: "a revoked or expired key stops
working on every process within 1 s").

Each `grappe serve` keeps the keys it has looked up (src/util/keycache.c); api_keys' trigger
announces every change on the channel grappe_keys (migration 0019) and each process's
listener (src/db/keylisten.c) drops the key. A listener that cannot hear (no PostgreSQL at
its URL, a pooler in transaction mode) leaves keys cached 0.5 s only.

Servers of their own: GRAPPE_DATABASE_URL is where the suite's server goes (through
pgbouncer in scripts/test's second pass), and GRAPPE_METRICS_BIND gives each a /metrics
that needs no key, so that reading it does not count as a keyed request."""
import os
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from conftest import DEMO_01, _free_port, problem, start_extra_server, stop_extra_server

ITEM = f"/v1/clusters/{DEMO_01}"


def server_database_url(database_url):
    """Where the suite's server connects: through pgbouncer in scripts/test's second pass."""
    return os.environ.get("GRAPPE_TEST_SERVER_DATABASE_URL") or database_url


def through_a_pooler(database_url):
    return server_database_url(database_url) != database_url


class Node:
    """A grappe serve of this test, with its open /metrics."""

    def __init__(self, srv, metrics_port):
        self.srv = srv
        self.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        self.session = requests.Session()

    def get(self, key, path=ITEM):
        return self.session.get(self.srv.base_url + path, headers={"Authorization": f"Bearer {key}"},
                                timeout=10)

    def metrics(self):
        text = requests.get(self.metrics_url, timeout=10).text
        return {m.group(1): float(m.group(2))
                for m in re.finditer(r"^(grappe_key_\w+) (\S+)$", text, re.M)}

    def wait_healthy(self, within=15):
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.metrics()["grappe_key_listener_healthy"] == 1:
                return
            time.sleep(0.05)
        pytest.fail(f"the listener of key changes never became healthy:\n{self.srv.log_text()[-3000:]}")


@pytest.fixture
def nodes(grappe_bin, database_url, tmp_path):
    """nodes(n, **env) -> n servers of their own on the suite's database; stopped afterwards."""
    started = []

    def start(n, **env):
        out = []
        for _ in range(n):
            port = _free_port()
            srv = start_extra_server(grappe_bin, server_database_url(database_url),
                                     tmp_path / f"grappe-{len(started)}.log",
                                     GRAPPE_METRICS_BIND=f"127.0.0.1:{port}", **env)
            started.append(srv)
            out.append(Node(srv, port))
        return out

    yield start
    for srv in started:
        stop_extra_server(srv)


def refused_within(nodes, key, changed_at, limit=1.0, give_up=5.0):
    """Polls every node every 20 ms until each answers 401, and asserts each did so less than
    limit seconds after changed_at (the change's own time in PostgreSQL, clock_timestamp(),
    as seconds since 1970): the SPEC's "within 1 s" counts from the change, not from the
    start of the command that makes it. Returns those delays."""
    seen = {}
    start = time.monotonic()
    while len(seen) < len(nodes) and time.monotonic() - start < give_up:
        for i, node in enumerate(nodes):
            if i in seen:
                continue
            r = node.get(key)
            if r.status_code == 401:
                problem(r, 401, "unauthorized")
                seen[i] = time.time()
            else:
                assert r.status_code == 200, r.text
        time.sleep(0.02)
    assert len(seen) == len(nodes), f"still accepted after {give_up} s by {len(nodes) - len(seen)} server(s)"
    at = changed_at()
    seen = {i: t - at for i, t in seen.items()}
    assert max(seen.values()) < limit, f"refused only {seen} s after the change"
    for node in nodes:  # and from then on
        for _ in range(3):
            assert node.get(key).status_code == 401
    return seen


class Revoke:
    """`grappe keys revoke ID`, started now and left running: it returns once every server
    refuses the key (1 s after its commit), so the servers are polled meanwhile."""

    def __init__(self, grappe_bin, database_url, kid):
        self.kid = kid
        self.sql = lambda text: subprocess.run(["psql", "-X", "-q", "-A", "-t", "-d", database_url, "-c", text],
                                               capture_output=True, text=True, timeout=60).stdout.strip()
        self.p = subprocess.Popen([grappe_bin, "keys", "revoke", kid],
                                  env=dict(os.environ, GRAPPE_DATABASE_URL=database_url),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def at(self):
        """When the key was revoked (seconds since 1970), once it is."""
        deadline = time.monotonic() + 30
        while True:
            t = self.sql(f"SELECT extract(epoch FROM revoked_at) FROM api_keys WHERE id = '{self.kid}'")
            if t:
                return float(t)
            assert time.monotonic() < deadline, "the key was never revoked"
            time.sleep(0.05)

    def done(self):
        """Waits for the command; returns the seconds from the revocation to its return."""
        out, err = self.p.communicate(timeout=60)
        assert self.p.returncode == 0, err
        assert f"revoked {self.kid}" in out
        return time.time() - self.at()


def served_from_the_cache_past_the_short_lifetime(node, key):
    """The key, cached, is still served from the cache 0.7 s later: entries live long while
    the listener is heard, so a refusal after this comes from a notification. (Tried three
    times: on a loaded machine a ping may come back late, and the entry is then read again.)"""
    for _ in range(3):
        time.sleep(0.7)
        before = node.metrics()
        warm([node], key, 5)
        after = node.metrics()
        if after["grappe_key_cache_misses_total"] == before["grappe_key_cache_misses_total"]:
            assert after["grappe_key_cache_hits_total"] - before["grappe_key_cache_hits_total"] == 5
            return
    pytest.fail("the key was read from the database again each time, 0.7 s after it was cached")


def warm(nodes, key, times=3):
    for node in nodes:
        for _ in range(times):
            r = node.get(key)
            assert r.status_code == 200, r.text


@pytest.mark.parametrize("listen", ["default", "direct"])
def test_a_revoked_key_is_refused_within_1_s_by_two_processes(nodes, make_key, grappe_bin, database_url,
                                                             listen):
    """Two processes on one database, both with the key in their caches, revoked with
    `grappe keys revoke`. Listening on GRAPPE_DATABASE_URL (default) or on PostgreSQL directly
    when that goes through a pooler (direct: docs/deploy.md's advice)."""
    env = {"GRAPPE_DATABASE_LISTEN_URL": database_url} if listen == "direct" else {}
    a, b = nodes(2, **env)
    hears = listen == "direct" or not through_a_pooler(database_url)
    if hears:
        a.wait_healthy()
        b.wait_healthy()
    kid, key = make_key("reader", "t-cache-revoke")
    warm([a, b], key)
    if hears:
        # Past the short lifetime, the key is still served from the cache: the refusal
        # below comes from the notification, not from an entry that aged out.
        served_from_the_cache_past_the_short_lifetime(a, key)
    revoke = Revoke(grappe_bin, database_url, kid)
    seen = refused_within([a, b], key, revoke.at)
    assert revoke.done() >= max(seen.values())


def test_without_a_listener_a_revoked_key_is_still_refused_within_1_s(nodes, make_key, grappe_bin, database_url):
    """GRAPPE_DATABASE_LISTEN_URL where nothing answers: keys are kept 0.5 s only."""
    closed = _free_port()
    a, b = nodes(2, GRAPPE_DATABASE_LISTEN_URL=f"postgresql://grappe@127.0.0.1:{closed}/nowhere")
    kid, key = make_key("reader", "t-cache-unheard")
    for node in (a, b):
        before = node.metrics()
        warm([node], key, 3)
        m = node.metrics()
        assert m["grappe_key_listener_healthy"] == 0
        assert m["grappe_key_cache_hits_total"] > before["grappe_key_cache_hits_total"]  # cached all the same
    revoke = Revoke(grappe_bin, database_url, kid)
    refused_within([a, b], key, revoke.at)
    revoke.done()
    assert "cannot connect to listen for key changes" in a.srv.log_text()


def test_through_a_pooler_the_listener_knows_it_does_not_hear(nodes, make_key, grappe_bin, database_url):
    """pgbouncer in transaction mode would run LISTEN on one server connection and hand the
    notifications to other clients (and a ping sent on the same connection can come back
    all the same): the listener sees it talks to a pooler, does not LISTEN, and keys are
    kept 0.5 s."""
    if not through_a_pooler(database_url):
        pytest.skip("the server goes to PostgreSQL directly (scripts/test's pgbouncer pass runs this)")
    (a,) = nodes(1)
    kid, key = make_key("reader", "t-cache-pooler")
    warm([a], key)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        assert a.metrics()["grappe_key_listener_healthy"] == 0
        time.sleep(0.1)
    assert "leads to a connection pooler" in a.srv.log_text()
    revoke = Revoke(grappe_bin, database_url, kid)
    refused_within([a], key, revoke.at)
    revoke.done()


@pytest.mark.parametrize("change", ["revoke", "delete", "rescope"])
def test_a_change_made_in_sql_reaches_the_caches_within_1_s(nodes, make_key, make_cluster, sql, database_url,
                                                            change):
    """What an admin tool would do to api_keys directly: revoke, delete the row, or narrow a
    manager's clusters (the manager's write to the old cluster is then 403)."""
    a, b = nodes(2)
    if not through_a_pooler(database_url):
        a.wait_healthy()
        b.wait_healthy()
    mine, other = make_cluster(), make_cluster()
    kid, key = make_key("manager", "t-cache-sql", clusters=[mine["id"], other["id"]])
    path = f"/v1/clusters/{other['id']}"
    for node in (a, b):
        r = node.session.patch(node.srv.base_url + path, json={"acronym": "OK"},
                               headers={"Authorization": f"Bearer {key}",
                                        "Content-Type": "application/merge-patch+json"}, timeout=10)
        assert r.status_code == 200, r.text
    warm([a, b], key)
    statement = {
        "revoke": f"UPDATE api_keys SET revoked_at = now() WHERE id = '{kid}'",
        "delete": f"DELETE FROM api_keys WHERE id = '{kid}'",
        "rescope": f"UPDATE api_keys SET cluster_ids = ARRAY['{mine['id']}']::uuid[] WHERE id = '{kid}'",
    }[change]
    at = float(sql(f"{statement} RETURNING extract(epoch FROM clock_timestamp())"))
    if change != "rescope":
        refused_within([a, b], key, lambda: at)
        return
    seen = {}
    while len(seen) < 2 and time.time() - at < 5:
        for i, node in enumerate((a, b)):
            if i in seen:
                continue
            r = node.session.patch(node.srv.base_url + path, json={"acronym": "NO"},
                                   headers={"Authorization": f"Bearer {key}",
                                            "Content-Type": "application/merge-patch+json"}, timeout=10)
            if r.status_code == 403:
                seen[i] = time.time() - at
            else:
                assert r.status_code == 200, r.text
        time.sleep(0.02)
    assert len(seen) == 2 and max(seen.values()) < 1.0, seen
    assert all(node.get(key, f"/v1/clusters/{mine['id']}").status_code == 200 for node in (a, b))


def rfc3339_in(seconds):
    t = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=seconds)
    return t, t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_key_works_until_its_expires_at_then_is_refused(nodes, grappe_cli):
    (a,) = nodes(1)
    when, text = rfc3339_in(3)
    out = grappe_cli("keys", "create", "--role", "reader", "--name", "t-cache-expiring", "--expires-at", text).stdout
    key = out.strip().splitlines()[-1]
    kid = re.search(r"^id: *(\S+)", out, re.M).group(1)
    assert f"expires at: {text}" in out
    listed = [l for l in grappe_cli("keys", "list").stdout.splitlines() if l.startswith(kid)]
    assert listed and when.strftime("%Y-%m-%dT%H:%M:%S.000000Z") in listed[0], listed
    expires = when.timestamp()
    served = 0
    while time.time() < expires - 0.3:
        r = a.get(key)
        assert r.status_code == 200, r.text
        served += 1
        time.sleep(0.05)
    assert served > 10
    while True:
        sent = time.time()
        assert sent < expires + 1.5, "still accepted 1.5 s after its expires_at"
        r = a.get(key)
        if r.status_code == 401:
            break
        # accepted only when asked before the instant (the server reads its clock after)
        assert r.status_code == 200 and sent < expires, (r.status_code, sent - expires)
        time.sleep(0.02)
    problem(r, 401, "unauthorized")
    assert sent > expires - 0.3, sent - expires
    assert a.get(key).status_code == 401


def test_a_key_expired_in_the_database_is_refused(api, make_key, sql):
    kid, key = make_key("reader", "t-cache-expired")
    sql(f"UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = '{kid}'")
    body = problem(api.get(ITEM, key=key), 401, "unauthorized")
    assert "expired" in body["detail"]


def test_keys_create_takes_only_a_future_rfc3339_expiry(grappe_cli):
    for bad in ("tomorrow", "2030-01-01", "2030-01-01T00:00:00", "2020-01-01T00:00:00Z"):
        cp = grappe_cli("keys", "create", "--role", "reader", "--name", "t-bad-expiry", "--expires-at", bad,
                        check=False)
        assert cp.returncode == 2, (bad, cp.stdout, cp.stderr)
        assert "--expires-at" in cp.stderr
        assert "grappe_" not in cp.stdout


class TableLock:
    """ACCESS EXCLUSIVE on api_keys, held by a psql session of its own: any query of the
    table waits until it is released."""

    def __init__(self, database_url):
        self.p = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database_url],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def __enter__(self):
        self.p.stdin.write("BEGIN;\nLOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n")
        self.p.stdin.flush()
        assert self.p.stdout.readline().strip() == "locked"
        return self

    def __exit__(self, *exc):
        self.p.stdin.write("ROLLBACK;\n")
        self.p.stdin.close()
        self.p.wait(timeout=30)


def test_a_cached_key_is_served_without_reading_api_keys(nodes, make_key, database_url):
    """With api_keys locked against every reader, the cached key is served 50 times at
    once, while a key not yet cached waits for the lock (the lock would catch a lookup).
    The listener goes to PostgreSQL directly, as docs/deploy.md advises behind a pooler."""
    (a,) = nodes(1, GRAPPE_DATABASE_LISTEN_URL=database_url)
    a.wait_healthy()
    _, cached = make_key("reader", "t-cache-hit")
    _, fresh = make_key("reader", "t-cache-fresh")
    warm([a], cached, 2)
    before = a.metrics()
    with TableLock(database_url):
        t0 = time.monotonic()
        for _ in range(50):
            r = a.get(cached)
            assert r.status_code == 200, r.text
        took = time.monotonic() - t0
        with pytest.raises(requests.exceptions.ReadTimeout):
            a.session.get(a.srv.base_url + ITEM, headers={"Authorization": f"Bearer {fresh}"}, timeout=1)
    assert took < 5, took
    after = a.metrics()
    assert after["grappe_key_cache_hits_total"] - before["grappe_key_cache_hits_total"] == 50
    assert a.get(fresh).status_code == 200


def test_the_listener_comes_back_after_its_session_is_killed(nodes, make_key, grappe_bin, sql, database_url):
    name = f"grappe-keys-{os.getpid()}-{_free_port()}"
    sep = "&" if "?" in database_url else "?"
    (a,) = nodes(1, GRAPPE_DATABASE_LISTEN_URL=f"{database_url}{sep}application_name={name}")
    a.wait_healthy()
    kid, key = make_key("reader", "t-cache-reconnect")
    warm([a], key)
    assert sql(f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{name}'") == "1"
    deadline = time.monotonic() + 10
    while "lost the session" not in a.srv.log_text():
        assert time.monotonic() < deadline, a.srv.log_text()[-3000:]
        time.sleep(0.05)
    a.wait_healthy()
    assert sql(f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{name}'") == "1"
    warm([a], key)
    served_from_the_cache_past_the_short_lifetime(a, key)
    revoke = Revoke(grappe_bin, database_url, kid)
    refused_within([a], key, revoke.at)
    revoke.done()
