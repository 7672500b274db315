"""A lost database connection never makes a write happen twice (src/db/pool.c).

A statement is sent again only when the first sending provably did nothing: a connection
found dead before anything was sent on it is replaced first. Once a write has left, a lost
connection leaves its outcome unknown: the answer is 503 `outcome_unknown`, and the write is
not sent again (it may have committed). Reads are asked again; a transaction lost before its
COMMIT is rolled back (503 `service_unavailable`: nothing was done). With an
Idempotency-Key, the request's writes and its kept answer commit together, so the server
finds out what became of a COMMIT whose answer was lost, and a retry with the key is right.

The failures are real: a TCP relay between the server and PostgreSQL that loses
PostgreSQL's answer after it has done the work (as a network failure after a commit does),
and pg_terminate_backend on the server's sessions, on a database of these tests' own. A
terminated backend rolls back the statement it was running and answers the ones it
finished, so terminations check that every answer tells the truth (201: once; 503
service_unavailable: not at all; outcome_unknown: at most once); the relay is what makes a
committed write lose its answer, the case in which sending it again wrote it twice."""
import random
import socket
import subprocess
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from conftest import (Api, key_in, new_siret, problem, psql_at, scratch_database, start_extra_server,
                      stop_extra_server, unique_word)


class Relay:
    """A TCP relay between a grappe server and PostgreSQL that can lose one answer.

    arm(marker, statuses) picks the next connection on which the server sends `marker` (a
    value in a statement's parameters). From there on, PostgreSQL's messages on it are held
    back until each ReadyForQuery: one whose transaction status is in `statuses` (I: idle,
    the statement or COMMIT is done; T: in a transaction) is dropped with what precedes it,
    and both ends are closed; the others go through. PostgreSQL has done all it was asked;
    only its answer is lost."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.marker, self.statuses = None, b""
        self.fired = threading.Event()
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, marker, statuses=b"I"):
        with self.lock:
            self.marker, self.statuses = marker.encode(), statuses
            self.fired.clear()

    def close(self):
        self.listener.close()
        for c in list(self.conns):
            self._close(c)

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=10)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            conn = {"client": client, "server": server, "doomed": None}
            self.conns.append(conn)
            threading.Thread(target=self._up, args=(conn,), daemon=True).start()
            threading.Thread(target=self._down, args=(conn,), daemon=True).start()

    def _close(self, conn):
        for s in (conn["client"], conn["server"]):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _up(self, conn):
        """grappe -> PostgreSQL: forwarded as is, watched for the marker."""
        tail = b""
        while True:
            try:
                data = conn["client"].recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            with self.lock:
                if self.marker and self.marker in tail + data:
                    conn["doomed"] = self.statuses
                    self.marker = None
            tail = (tail + data)[-256:]
            try:
                conn["server"].sendall(data)
            except OSError:
                break
        self._close(conn)

    def _down(self, conn):
        """PostgreSQL -> grappe, message by message (type, length, body)."""
        buf, held = b"", b""
        while True:
            try:
                data = conn["server"].recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            buf += data
            out = b""
            while len(buf) >= 5:
                n = int.from_bytes(buf[1:5], "big")
                if len(buf) < 1 + n:
                    break
                msg, buf = buf[:1 + n], buf[1 + n:]
                if conn["doomed"] is None:
                    out += msg
                    continue
                held += msg
                if msg[:1] == b"Z":
                    if msg[5:6] in conn["doomed"]:
                        try:
                            conn["client"].sendall(out)
                        except OSError:
                            pass
                        self.fired.set()  # before grappe can see the end and answer
                        self._close(conn)
                        return
                    out, held = out + held, b""
            try:
                conn["client"].sendall(out)
            except OSError:
                break
        self._close(conn)


def count(url, table, column, value):
    return int(psql_at(url, f"SELECT count(*) FROM {table} WHERE {column} = '{value}'"))


def terminate_sessions(url, wait_ms=0):
    """Ends every session of the grappe servers on this database; returns how many."""
    args = f"pid, {wait_ms}" if wait_ms else "pid"
    return int(psql_at(url, f"SELECT count(pg_terminate_backend({args})) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND application_name = 'grappe'"))


@pytest.fixture(scope="module")
def db(database_url, grappe_bin, sql):
    with scratch_database(database_url, grappe_bin, sql, "failures_pool") as url:
        yield url


@pytest.fixture(scope="module")
def admin(grappe_bin, db):
    return key_in(grappe_bin, db, "admin", "resend")


@pytest.fixture(scope="module")
def relay(db):
    u = urlsplit(db)
    if not u.hostname or u.hostname.startswith("/"):
        pytest.skip("the relay needs PostgreSQL on TCP")
    r = Relay(u.hostname, u.port or 5432)
    yield r
    r.close()


@pytest.fixture(scope="module")
def relayed(grappe_bin, db, relay, tmp_path_factory, checker):
    """A server whose connections to PostgreSQL go through the relay."""
    srv = start_extra_server(grappe_bin, relay_url(db, relay), tmp_path_factory.mktemp("resend") / "relayed.log",
                             GRAPPE_DB_POOL="2", GRAPPE_STATEMENT_TIMEOUT_MS="3000")
    srv.api = Api(srv.base_url, checker)
    yield srv
    stop_extra_server(srv)


def relay_url(db, relay):
    """The database's URL, through the relay (in clear: the relay reads the messages)."""
    u = urlsplit(db)
    netloc = (f"{u.username}@" if u.username else "") + f"127.0.0.1:{relay.port}"
    query = "sslmode=disable&gssencmode=disable" + (f"&{u.query}" if u.query else "")
    return urlunsplit((u.scheme, netloc, u.path, query, ""))


def create_cluster(srv, admin, name, headers=None):
    return srv.api.post("/v1/clusters", {"name": name, "kind": "cluster"}, key=admin, headers=headers)


# ---- a write whose answer is lost -------------------------------------------------------

def test_create_whose_answer_is_lost_after_its_commit_is_503_outcome_unknown_and_is_not_sent_again(
        relayed, relay, admin, db):
    name = f"Lost answer {unique_word()}"
    relay.arm(name, b"I")
    r = create_cluster(relayed, admin, name)
    assert relay.fired.is_set(), "the relay lost no answer"
    body = problem(r, 503, "outcome_unknown")
    assert "unknown" in body["detail"] and "Idempotency-Key" in body["detail"]
    assert "Retry-After" in r.headers
    # PostgreSQL committed the INSERT once; it was not sent a second time
    assert count(db, "clusters", "name", name) == 1
    # and the server goes on
    assert create_cluster(relayed, admin, f"After {unique_word()}").status_code == 201


def test_company_whose_answer_is_lost_is_never_a_409_for_its_own_siret(relayed, relay, admin, db):
    siret = new_siret()
    relay.arm(siret, b"I")
    r = relayed.api.post("/v1/companies", {"name": f"Lost {unique_word()}", "siret": siret}, key=admin)
    assert relay.fired.is_set()
    # before: sent again, the INSERT met its own row: 409 for a write that had succeeded
    problem(r, 503, "outcome_unknown")
    assert count(db, "companies", "siret", siret) == 1


def test_a_read_whose_answer_is_lost_is_asked_again(relayed, relay, admin):
    created = create_cluster(relayed, admin, f"Read {unique_word()}")
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    relay.arm(cid, b"I")
    r = relayed.api.get(f"/v1/clusters/{cid}")
    assert relay.fired.is_set()
    assert r.status_code == 200, r.text
    assert r.json()["id"] == cid


def test_a_transaction_lost_before_its_commit_is_503_and_writes_nothing(relayed, relay, admin, db):
    created = create_cluster(relayed, admin, f"Patched {unique_word()}")
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    description = f"Never written {unique_word()}"
    relay.arm(description, b"IT")  # the UPDATE's own answer, inside the PATCH's transaction
    r = relayed.api.patch(f"/v1/clusters/{cid}", {"description": description}, key=admin)
    assert relay.fired.is_set()
    problem(r, 503, "service_unavailable")
    assert count(db, "clusters", "description", description) == 0
    r = relayed.api.patch(f"/v1/clusters/{cid}", {"description": description}, key=admin)
    assert r.status_code == 200, r.text
    assert count(db, "clusters", "description", description) == 1


def test_without_prepared_statements_a_lost_write_is_not_sent_again_either(grappe_bin, db, relay, admin, tmp_path,
                                                                          checker):
    srv = start_extra_server(grappe_bin, relay_url(db, relay), tmp_path / "noprepare.log", GRAPPE_DB_POOL="2",
                             GRAPPE_DB_PREPARE="0")  # as behind pgbouncer in transaction mode
    srv.api = Api(srv.base_url, checker)
    try:
        name = f"Lost unprepared {unique_word()}"
        relay.arm(name, b"I")
        problem(create_cluster(srv, admin, name), 503, "outcome_unknown")
        assert relay.fired.is_set()
        assert count(db, "clusters", "name", name) == 1
    finally:
        stop_extra_server(srv)


def test_a_read_of_the_read_pool_whose_answer_is_lost_is_asked_again(grappe_bin, db, relay, admin, tmp_path,
                                                                    checker):
    srv = start_extra_server(grappe_bin, db, tmp_path / "readpool.log", GRAPPE_DB_POOL="2",
                             GRAPPE_DATABASE_READ_URL=relay_url(db, relay))
    srv.api = Api(srv.base_url, checker)
    try:
        created = create_cluster(srv, admin, f"Replica read {unique_word()}")
        assert created.status_code == 201, created.text
        cid = created.json()["id"]
        relay.arm(cid, b"I")
        r = srv.api.get(f"/v1/clusters/{cid}")
        assert relay.fired.is_set()
        assert r.status_code == 200, r.text
    finally:
        stop_extra_server(srv)


# ---- with an Idempotency-Key ------------------------------------------------------------

def test_keyed_create_whose_commit_answer_is_lost_finds_out_it_committed_and_answers_201(relayed, relay, admin, db):
    name = f"Keyed lost commit {unique_word()}"
    h = {"Idempotency-Key": str(uuid.uuid4())}
    relay.arm(name, b"I")  # the request's COMMIT (the INSERT's answer, in its transaction, goes through)
    r = create_cluster(relayed, admin, name, headers=h)
    assert relay.fired.is_set()
    assert r.status_code == 201, r.text
    assert count(db, "clusters", "name", name) == 1
    again = create_cluster(relayed, admin, name, headers=h)
    assert again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == r.json()["id"]
    assert count(db, "clusters", "name", name) == 1


def test_keyed_create_lost_inside_its_transaction_is_503_and_the_retry_runs_once(relayed, relay, admin, db):
    name = f"Keyed lost insert {unique_word()}"
    h = {"Idempotency-Key": str(uuid.uuid4())}
    relay.arm(name, b"T")  # the INSERT's answer, inside the request's transaction
    r = create_cluster(relayed, admin, name, headers=h)
    assert relay.fired.is_set()
    problem(r, 503, "service_unavailable")
    assert count(db, "clusters", "name", name) == 0
    again = create_cluster(relayed, admin, name, headers=h)  # the key was given up: it runs
    assert again.status_code == 201, again.text
    assert "Idempotent-Replayed" not in again.headers
    assert count(db, "clusters", "name", name) == 1


# ---- sessions that PostgreSQL ended while idle ------------------------------------------

def test_sessions_ended_while_idle_are_replaced_before_a_write_is_sent(relayed, admin, db):
    for _ in range(4):  # every connection of the pool has been used
        assert create_cluster(relayed, admin, f"Warm {unique_word()}").status_code == 201
    assert terminate_sessions(db, wait_ms=5000) >= 1
    time.sleep(0.2)
    for _ in range(4):
        name = f"After the end {unique_word()}"
        r = create_cluster(relayed, admin, name)
        # found dead before anything was sent: replaced, and the write sent once
        assert r.status_code == 201, r.text
        assert count(db, "clusters", "name", name) == 1


# ---- writes while the server's sessions are terminated ----------------------------------

class Terminator:
    """One psql session that ends the grappe servers' sessions on this database, again and
    again (one process: starting psql each time would be slower than the requests)."""

    KILL = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'grappe';\n")

    def __init__(self, url):
        # (its warnings about sessions that ended on their own meanwhile are of no interest)
        self.proc = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-d", url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def kill(self):
        self.proc.stdin.write(self.KILL)
        return int(self.proc.stdout.readline().strip() or 0)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(30)


def hammer(srv, admin, db, keyed, writers=4, per_writer=20):
    """Creates clusters and companies (unique names and SIRETs) from several threads while
    another one keeps terminating the server's sessions. Keyed: each operation carries an
    Idempotency-Key, and once the terminations have stopped, each one that got 503 or 409 is
    sent again with its key until it gets another answer. Returns (kind, unique value,
    status, problem code, id) per operation."""
    errors = []
    ops = [[] for _ in range(writers)]
    stop = threading.Event()
    killed = [0]

    def killer():
        t = Terminator(db)
        try:
            while not stop.is_set():
                killed[0] += t.kill()
                time.sleep(random.uniform(0.05, 0.3))  # some requests go through between
        finally:
            t.close()

    def send(api, op):
        try:
            op["r"] = api.post(op["path"], op["body"], key=admin, headers=op["headers"], timeout=30)
        except Exception as e:  # the server must answer
            errors.append(repr(e))
            op["r"] = None

    def first_attempts(n):
        api = Api(srv.base_url, srv.api.checker)
        for i in range(per_writer):
            if i % 2:
                op = {"kind": "companies", "value": new_siret(), "path": "/v1/companies"}
                op["body"] = {"name": f"Hammer {unique_word()}", "siret": op["value"]}
            else:
                op = {"kind": "clusters", "value": f"Hammer {n} {i} {unique_word()}", "path": "/v1/clusters"}
                op["body"] = {"name": op["value"], "kind": "cluster"}
            op["headers"] = {"Idempotency-Key": str(uuid.uuid4())} if keyed else None
            send(api, op)
            ops[n].append(op)

    def retries(n):
        api = Api(srv.base_url, srv.api.checker)
        deadline = time.monotonic() + 60
        for op in ops[n]:
            while op["r"] is not None and op["r"].status_code in (503, 409) and time.monotonic() < deadline:
                time.sleep(min(float(op["r"].headers.get("Retry-After", "1")), 1.0))
                send(api, op)

    def in_threads(fn):
        threads = [threading.Thread(target=fn, args=(n,)) for n in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)

    k = threading.Thread(target=killer)
    k.start()
    try:
        in_threads(first_attempts)
    finally:
        stop.set()
        k.join(30)
    if keyed:
        in_threads(retries)
    assert not errors, errors[:5]
    assert killed[0] > 0
    outcomes = []
    for op in (op for mine in ops for op in mine):
        r = op["r"]
        outcomes.append((op["kind"], op["value"], r.status_code, r.json().get("code") if r.status_code >= 400 else None,
                         r.json().get("id") if r.status_code == 201 else None))
    return outcomes


def rows_of(db, outcomes):
    """{(kind, value): [ids of the rows holding that unique value]}, in one query."""
    column = {"clusters": "name", "companies": "siret"}
    values = ", ".join("('%s', '%s')" % (kind, value.replace("'", "''")) for kind, value, *_ in outcomes)
    text = psql_at(db, f"SELECT v.kind, v.value, coalesce(string_agg(t.id::text, ' '), '') FROM (VALUES {values}) "
                       f"v(kind, value) LEFT JOIN (SELECT 'clusters' AS kind, {column['clusters']} AS value, id "
                       f"FROM clusters UNION ALL SELECT 'companies', {column['companies']}, id FROM companies) t "
                       "USING (kind, value) GROUP BY v.kind, v.value")
    rows = {}
    for line in text.splitlines():
        kind, value, ids = line.split("|")
        rows[(kind, value)] = ids.split()
    return rows


@pytest.fixture
def direct(grappe_bin, db, tmp_path, checker):
    srv = start_extra_server(grappe_bin, db, tmp_path / "direct.log", GRAPPE_DB_POOL="4",
                             GRAPPE_STATEMENT_TIMEOUT_MS="2000")
    srv.api = Api(srv.base_url, checker)
    yield srv
    stop_extra_server(srv)


def test_terminated_sessions_never_make_a_write_happen_twice(direct, admin, db):
    outcomes = hammer(direct, admin, db, keyed=False)
    rows = rows_of(db, outcomes)
    seen = {}
    for kind, value, status, code, _ in outcomes:
        n = len(rows[(kind, value)])
        seen[(status, code)] = seen.get((status, code), 0) + 1
        # never twice, and never a 409 for a write that had succeeded
        assert status in (201, 503), (kind, value, status, code)
        if status == 201:
            assert n == 1, (kind, value, n)
        elif code == "outcome_unknown":
            assert n in (0, 1), (kind, value, n)
        else:  # service_unavailable says that nothing was done
            assert code == "service_unavailable" and n == 0, (kind, value, code, n)
    print("outcomes:", seen)


def test_terminated_sessions_with_idempotency_keys_end_in_exactly_one_write_each(direct, admin, db):
    outcomes = hammer(direct, admin, db, keyed=True)
    rows = rows_of(db, outcomes)
    for kind, value, status, code, rid in outcomes:
        assert status == 201, (kind, value, status, code)
        assert rows[(kind, value)] == [rid], (kind, value, rows[(kind, value)], rid)
