"""Faults: PostgreSQL going away and coming back while Grappe serves, SIGTERM under load, and
slow clients. The database tests run on a PostgreSQL of their own (durable settings, so that
a crash loses nothing that was committed), started and crashed here."""
import http.client
import os
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest
import requests

from conftest import REPO, grappe_run, key_in, new_siret, problem, start_extra_server, stop_extra_server


def lib(script, timeout=120):
    """Runs bash with scripts/lib.sh sourced; returns its standard output."""
    cp = subprocess.run(["bash", "-c", f". scripts/lib.sh; {script}"], cwd=REPO, capture_output=True, text=True,
                        timeout=timeout, env=dict(os.environ, GRAPPE_SCRIPT_NAME="test_faults", GRAPPE_PG_FAST="0"))
    assert cp.returncode == 0, cp.stderr
    return cp.stdout.strip()


class PrivatePostgres:
    def __init__(self, data_dir):
        self.dir = str(data_dir)
        os.chmod(self.dir, 0o755)
        self.url = lib(f"grappe_pg_start {self.dir} >/dev/null; echo $GRAPPE_DATABASE_URL")

    def pg_ctl(self, *args):
        lib(f'u=$(_grappe_pg_user); r=$(_grappe_pg_root {self.dir} "$u"); '
            f'_grappe_pg_as "$u" "$(_grappe_pg_bindir)/pg_ctl" -D "$r/data" -w -t 60 {" ".join(args)} >/dev/null')

    def crash(self):
        """An immediate stop: no checkpoint, backends killed, as in a crash."""
        self.pg_ctl("-m", "immediate", "stop")

    def start(self):
        assert lib(f"grappe_pg_start {self.dir} >/dev/null; echo $GRAPPE_DATABASE_URL") == self.url

    def stop(self):
        self.pg_ctl("-m", "fast", "stop")


@pytest.fixture(scope="module")
def own_pg(tmp_path_factory, grappe_bin):
    pg = PrivatePostgres(tmp_path_factory.mktemp("faults-pg"))
    try:
        grappe_run(grappe_bin, pg.url, "migrate")
        pg.admin_key = key_in(grappe_bin, pg.url, "admin", "faults")
        yield pg
    finally:
        try:
            pg.stop()
        except AssertionError:
            pass


def test_postgres_down_503_fast_then_recovers_by_itself_and_loses_no_acknowledged_write(own_pg, grappe_bin,
                                                                                        tmp_path, checker):
    srv = start_extra_server(grappe_bin, own_pg.url, tmp_path / "faults.log", GRAPPE_POOL_TIMEOUT_MS=1000)
    auth = {"Authorization": f"Bearer {own_pg.admin_key}"}
    acknowledged, other, errors = [], [], []
    stop = threading.Event()

    def writer(n):
        s = requests.Session()
        while not stop.is_set():
            name = f"Fault partner {n} {uuid.uuid4().hex[:8]}"
            try:
                r = s.post(srv.base_url + "/v1/partners", json={"name": name, "kind": "other"}, headers=auth,
                           timeout=10)
            except requests.RequestException as e:  # the server must answer, not drop
                errors.append(repr(e))
                continue
            if r.status_code == 201:
                acknowledged.append(r.json()["id"])
            else:
                other.append(r.status_code)
                assert r.headers["Content-Type"].startswith("application/problem+json")
            time.sleep(0.005)

    try:
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        own_pg.crash()
        # while PostgreSQL is away: 503 problem+json within 2 s, /ready 503, /health 200
        for path in ("/v1/clusters", "/v1/partners?limit=5", "/v1/search?q=fault", "/v1/stats"):
            t0 = time.monotonic()
            r = requests.get(srv.base_url + path, timeout=10)
            elapsed = time.monotonic() - t0
            checker.check("GET", path, r.status_code, r.headers, r.content)
            problem(r, 503, "service_unavailable")
            assert "Retry-After" in r.headers
            assert elapsed < 2.0, f"{path} took {elapsed:.2f} s to answer 503"
        t0 = time.monotonic()
        r = requests.post(srv.base_url + "/v1/partners", json={"name": "During the outage", "kind": "other"},
                          headers=auth, timeout=10)
        assert r.status_code == 503 and time.monotonic() - t0 < 2.0
        assert requests.get(srv.base_url + "/ready", timeout=10).status_code == 503
        assert requests.get(srv.base_url + "/health", timeout=10).status_code == 200
        time.sleep(1.0)
        own_pg.start()
        # back by itself, without a restart
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if requests.get(srv.base_url + "/ready", timeout=10).status_code == 200:
                break
            time.sleep(0.2)
        assert requests.get(srv.base_url + "/ready", timeout=10).status_code == 200
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert requests.get(srv.base_url + "/v1/partners?limit=1", timeout=10).status_code == 200
        assert srv.proc.poll() is None, "the server died"
        assert not errors, errors[:5]
        assert 503 in other, "no write met the outage"
        assert set(other) <= {503}, other
        # every write answered 201 is there after the crash
        ids = ",".join(f"'{i}'" for i in acknowledged)
        found = subprocess.run(["psql", "-X", "-A", "-t", "-d", own_pg.url, "-c",
                                f"SELECT count(*) FROM partners WHERE id IN ({ids})"],
                               capture_output=True, text=True, check=True).stdout.strip()
        assert int(found) == len(acknowledged) > 0, (found, len(acknowledged))
    finally:
        stop.set()
        stop_extra_server(srv)


def test_sigterm_under_load_finishes_requests_in_flight_and_refuses_new_ones(own_pg, grappe_bin, tmp_path):
    srv = start_extra_server(grappe_bin, own_pg.url, tmp_path / "sigterm.log")
    auth = {"Authorization": f"Bearer {own_pg.admin_key}", "Content-Type": "application/x-ndjson"}
    tag = uuid.uuid4().hex[:8]
    results = []

    # atomic imports of 5,000 companies each: all of it or nothing
    bodies = {n: ("\n".join('{"siret": "%s", "name": "SIGTERM %s %d %d", "employees": 3}' % (new_siret(), tag, n, i)
                            for i in range(5000)) + "\n").encode() for n in range(1, 4)}

    def importer(n):
        try:
            r = requests.post(srv.base_url + "/v1/companies/bulk?atomic=true", data=bodies[n], headers=auth, timeout=60)
            results.append((n, r.status_code, r.json()["summary"] if r.status_code == 200 else r.text))
        except requests.RequestException as e:
            results.append((n, None, repr(e)))

    threads = [threading.Thread(target=importer, args=(n,)) for n in range(1, 4)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    # new connections are refused at once (the listening socket is closed)
    with pytest.raises(requests.ConnectionError):
        requests.get(srv.base_url + "/health", timeout=5)
    for t in threads:
        t.join(timeout=60)
    rc = srv.proc.wait(timeout=30)
    assert rc == 0, srv.log_text()[-3000:]
    # every import that had begun was answered to the end; each is all or nothing
    for n, status, summary in results:
        count = int(subprocess.run(["psql", "-X", "-A", "-t", "-d", own_pg.url, "-c",
                                    f"SELECT count(*) FROM companies WHERE name LIKE 'SIGTERM {tag} {n} %'"],
                                   capture_output=True, text=True, check=True).stdout.strip())
        if status == 200:
            assert summary["created"] == 5000 and count == 5000, (n, summary, count)
        else:
            assert count == 0, (n, status, summary, count)
    assert len(results) == 3 and any(status == 200 for _, status, _ in results), results


# ---- slow clients -----------------------------------------------------------------------

def stalled(port, source, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    s.sendall(data)
    return s


def closed_within(s, seconds):
    """True when the server closes the connection within `seconds` (after any answer)."""
    s.settimeout(seconds)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if s.recv(4096) == b"":
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True
    return False


def test_slow_clients_neither_hold_the_workers_nor_stay_forever(grappe_bin, database_url, admin_key, tmp_path):
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "slow.log", GRAPPE_THREADS=2,
                             GRAPPE_CONNECTION_TIMEOUT_S=2, GRAPPE_MAX_CONNECTIONS_PER_IP=6)
    socks = []
    try:
        # headers trickled and never ended, bodies never finished (with a key: without one,
        # the write is refused before its body), from many addresses: more slow clients than
        # workers
        for i in range(20):
            src = f"127.0.0.{10 + i}"
            socks.append(stalled(srv.port, src, b"GET /v1/regions HTTP/1.1\r\nHost: x\r\nX-Slow: "))
            socks.append(stalled(srv.port, src, b"POST /v1/partners HTTP/1.1\r\nHost: x\r\n"
                                 b"Authorization: Bearer " + admin_key.encode() + b"\r\n"
                                 b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"na"))
        # the two workers still answer everyone else at once
        t0 = time.monotonic()
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5, source_address=("127.0.0.2", 0))
        c.request("GET", "/v1/regions")
        assert c.getresponse().status == 200
        c.close()
        assert time.monotonic() - t0 < 1.0
        # one address cannot open more than its share
        own = [stalled(srv.port, "127.0.0.3", b"GET /v1/regions HTTP/1.1\r\nHost: x\r\n") for _ in range(6)]
        socks += own
        extra = stalled(srv.port, "127.0.0.3", b"GET /v1/regions HTTP/1.1\r\nHost: x\r\n\r\n")
        assert closed_within(extra, 3), "a 7th connection from one address was kept"
        extra.close()
        # and the stalled ones are closed after the connection timeout
        for s in socks:
            assert closed_within(s, 6), "a stalled connection was kept past the timeout"
        # nothing was written by the unfinished bodies
        assert srv.proc.poll() is None
        assert "POST /v1/partners" not in srv.log_text()
    finally:
        for s in socks:
            s.close()
        stop_extra_server(srv)
