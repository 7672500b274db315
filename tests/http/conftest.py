"""HTTP test suite infrastructure: a real grappe server on a real PostgreSQL.

Environment:
  GRAPPE_BIN           the binary under test (default: build/grappe of this repository)
  GRAPPE_DATABASE_URL  a migrated database with sql/demo.sql loaded (required)
  GRAPPE_TEST_SERVER_DATABASE_URL  where the suite's server connects, when not there
                       directly (scripts/test: through pgbouncer in transaction mode); the
                       tests' own SQL and the CLI still use GRAPPE_DATABASE_URL

A session fixture starts `grappe serve` on a free 127.0.0.1 port, waits for /health and,
at the end, stops it with SIGTERM and asserts a clean exit (status 0), which matters for
the LeakSanitizer runs. Every response that the `api` client receives is checked against
api/openapi.yaml (see openapi_check.py).
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import string
import subprocess
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from openapi_check import OpenApiChecker

REPO = Path(__file__).resolve().parents[2]
CORS_ORIGIN = "https://front.example"
DEMO_01 = "c1000000-0000-4000-8000-000000000001"

_server_log = {"path": None}


def demo_id(n):
    return f"c1000000-0000-4000-8000-{n:012d}"


def problem(r, status, code):
    """Asserts an RFC 9457 problem+json answer with this status and code; returns its body."""
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].split(";")[0] == "application/problem+json"
    body = r.json()
    assert body["code"] == code, body
    assert body["type"] == f"urn:grappe:problem:{code}"
    assert body["status"] == status
    assert body["request_id"] == r.headers["X-Request-Id"]
    return body


def unique_word(prefix="zq"):
    """A word of letters only (full-text friendly), unique to this run."""
    return prefix + "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


def _log_tail(n=40):
    p = _server_log["path"]
    if not p or not Path(p).exists():
        return ""
    lines = Path(p).read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(lines[-n:])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        tail = _log_tail()
        if tail:
            report.sections.append(("grappe server log (tail)", tail))


# ---- environment ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def database_url():
    url = os.environ.get("GRAPPE_DATABASE_URL")
    if not url:
        pytest.fail("GRAPPE_DATABASE_URL is not set: the HTTP tests need a migrated PostgreSQL database "
                    "with sql/demo.sql loaded (scripts/test sets it up).", pytrace=False)
    return url


@pytest.fixture(scope="session")
def grappe_bin():
    raw = os.environ.get("GRAPPE_BIN") or str(REPO / "build" / "grappe")
    p = Path(raw)
    if not p.is_absolute():
        p = (Path.cwd() / p) if (Path.cwd() / p).exists() else (REPO / p)
    if not p.exists() or not os.access(p, os.X_OK):
        pytest.fail(f"GRAPPE_BIN {raw!r} is not an executable file (build it with `ninja -C build`).",
                    pytrace=False)
    return str(p)


@pytest.fixture(scope="session")
def grappe_cli(grappe_bin, database_url):
    """Runs `grappe ARGS...` against the test database; returns the CompletedProcess."""
    def run(*args, check=True):
        env = dict(os.environ, GRAPPE_DATABASE_URL=database_url)
        cp = subprocess.run([grappe_bin, *args], env=env, capture_output=True, text=True, timeout=60)
        if check and cp.returncode != 0:
            pytest.fail(f"grappe {' '.join(args)} exited {cp.returncode}:\n{cp.stdout}\n{cp.stderr}")
        return cp
    return run


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, base_url, port, log_path, proc):
        self.base_url = base_url
        self.port = port
        self.log_path = log_path
        self.proc = proc

    def log_text(self):
        return Path(self.log_path).read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def server(grappe_bin, database_url, tmp_path_factory):
    port = _free_port()
    logdir = tmp_path_factory.mktemp("grappe-server")
    log_path = logdir / "grappe.log"
    _server_log["path"] = str(log_path)
    env = dict(os.environ)
    env.update({
        "GRAPPE_DATABASE_URL": os.environ.get("GRAPPE_TEST_SERVER_DATABASE_URL") or database_url,
        "GRAPPE_BIND": "127.0.0.1",
        "GRAPPE_PORT": str(port),
        "GRAPPE_CORS_ORIGINS": CORS_ORIGIN,
        "GRAPPE_THREADS": "4",
        "GRAPPE_LOG_LEVEL": "info",
        # Anonymous registrations all come from 127.0.0.1: the rate limit itself is tested on
        # a server of its own (test_registrations.py, `limited_server`).
        "GRAPPE_REGISTRATION_RATE": "100000",
        # Likewise the rate limits of every caller (test_ratelimit.py has its own servers).
        "GRAPPE_RATE_ANONYMOUS": "100000000",
        "GRAPPE_RATE_KEY": "100000000",
        # Webhooks are delivered by servers of their own (test_webhooks.py), each with the
        # settings of its test; this one accepts their loopback receivers.
        "GRAPPE_WEBHOOK_WORKERS": "0",
        "GRAPPE_WEBHOOK_ALLOW_PRIVATE": "1",
    })
    logf = open(log_path, "wb")
    proc = subprocess.Popen([grappe_bin, "serve"], stdout=logf, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    up = False
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            r = requests.get(base + "/health", timeout=1)
            if r.status_code == 200:
                up = True
                break
        except requests.RequestException:
            pass
        time.sleep(0.1)
    if not up:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        logf.close()
        pytest.fail(f"grappe serve did not come up on port {port} (exit status {proc.returncode}).\n"
                    f"Log:\n{_log_tail(80)}", pytrace=False)
    srv = Server(base, port, log_path, proc)
    yield srv
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        logf.close()
        pytest.fail(f"grappe serve did not stop within 30 s of SIGTERM.\nLog:\n{_log_tail(80)}", pytrace=False)
    logf.close()
    if rc != 0:
        tail = _log_tail(80)
        print(f"\n--- grappe server log (tail) ---\n{tail}")
        pytest.fail(f"grappe serve exited with status {rc} after SIGTERM (expected 0).\nLog:\n{tail}",
                    pytrace=False)


# ---- the client ----------------------------------------------------------------------

class RawResponse:
    """What http.client gives back, shaped like the bits of requests.Response we use."""

    def __init__(self, status, headers, content):
        self.status_code = status
        self.headers = headers
        self.content = content
        self.text = content.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.content.decode("utf-8"))


class Api:
    def __init__(self, base_url, checker):
        self.base_url = base_url
        self.checker = checker
        self._local = threading.local()

    @property
    def session(self):
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
        return s

    def request(self, method, path, key=None, headers=None, **kw):
        h = {}
        if key:
            h["Authorization"] = f"Bearer {key}"
        if headers:
            h.update(headers)
        kw.setdefault("timeout", 60)
        kw.setdefault("allow_redirects", False)
        r = self.session.request(method, self.base_url + path, headers=h, **kw)
        self.checker.check(method, r.request.path_url, r.status_code, r.headers, r.content)
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def options(self, path, **kw):
        return self.request("OPTIONS", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def post(self, path, body=None, content_type="application/json", **kw):
        return self._send("POST", path, body, content_type, **kw)

    def patch(self, path, body=None, content_type="application/merge-patch+json", **kw):
        return self._send("PATCH", path, body, content_type, **kw)

    def put(self, path, body=None, content_type="application/json", **kw):
        return self._send("PUT", path, body, content_type, **kw)

    def _send(self, method, path, body, content_type, headers=None, **kw):
        h = dict(headers or {})
        if content_type is not None:
            h.setdefault("Content-Type", content_type)
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        return self.request(method, path, headers=h, data=body, **kw)

    def raw(self, method, target, headers=None, body=None, key=None):
        """Sends the request target exactly as given (no re-encoding), with http.client."""
        u = urlsplit(self.base_url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        h = {}
        if key:
            h["Authorization"] = f"Bearer {key}"
        h.update(headers or {})
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for k, v in h.items():
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            content = resp.read()
            headers_out = CaseInsensitiveDict()
            for k, v in resp.getheaders():
                headers_out[k] = v if k not in headers_out else headers_out[k] + ", " + v
            r = RawResponse(resp.status, headers_out, content)
        finally:
            conn.close()
        self.checker.check(method, target, r.status_code, r.headers, r.content)
        return r


@pytest.fixture(scope="session")
def checker():
    return OpenApiChecker()


@pytest.fixture(scope="session")
def api(server, checker):
    return Api(server.base_url, checker)


# ---- keys ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def make_key(grappe_cli):
    """make_key(role, name=None, clusters=()) -> (id, key)."""
    def create(role, name=None, clusters=()):
        args = ["keys", "create", "--role", role, "--name", name or f"t-{role}-{unique_word('')}"]
        for c in clusters:
            args += ["--cluster", c]
        out = grappe_cli(*args).stdout
        lines = [l for l in out.splitlines() if l.strip()]
        key = lines[-1].strip()
        m = re.search(r"^id: *([0-9a-f-]{36})\s*$", out, re.M)
        assert m, f"keys create printed no 'id: ' line:\n{out}"
        assert re.fullmatch(r"grappe_[A-Za-z0-9_-]{43}", key), f"last line is not a key: {key!r}"
        return m.group(1), key
    return create


@pytest.fixture(scope="session")
def admin_key(make_key):
    return make_key("admin", "t-admin")[1]


@pytest.fixture(scope="session")
def reader_key(make_key):
    return make_key("reader", "t-reader")[1]


@pytest.fixture(scope="session")
def manager_key(make_key):
    """A manager scoped to demo cluster 01 (Mont-Blanc Industries)."""
    return make_key("manager", "t-manager", clusters=[DEMO_01])[1]


# ---- data helpers --------------------------------------------------------------------

@pytest.fixture
def cluster_payload():
    """cluster_payload(**overrides) -> a valid creation body with a unique name."""
    def build(**over):
        word = unique_word()
        body = {"name": f"Test cluster {word}", "kind": "cluster"}
        body.update(over)
        return body
    return build


def _created(api, admin_key, path, build):
    """The body of the make_* fixtures: yields create(key=admin, **fields), which POSTs
    build(**fields) to path (201 asserted) and returns the object; deletes every object it
    made afterwards (404 is fine: a test may have deleted it)."""
    created = []

    def create(key=None, **fields):
        r = api.post(path, build(**fields), key=key or admin_key)
        assert r.status_code == 201, r.text
        obj = r.json()
        created.append(obj["id"])
        return obj

    yield create
    for oid in created:
        api.delete(f"{path}/{oid}", key=admin_key)


@pytest.fixture
def make_cluster(api, admin_key, cluster_payload):
    """make_cluster(key=admin, **fields) -> the created cluster (201 asserted); deleted afterwards."""
    yield from _created(api, admin_key, "/v1/clusters", cluster_payload)

@pytest.fixture
def list_all(api):
    """list_all(path, params=None, key=None, headers=None) -> (items, pages): follows `next`."""
    def walk(path, params=None, key=None, headers=None, max_pages=1000):
        items, pages = [], 0
        p = dict(params or {})
        while True:
            r = api.get(path, params=p, key=key, headers=headers)
            assert r.status_code == 200, r.text
            body = r.json()
            items.extend(body["items"])
            pages += 1
            assert pages <= max_pages, "too many pages"
            if body["next"] is None:
                return items, pages
            p["cursor"] = body["next"]
    return walk


@pytest.fixture
def unique():
    """unique(prefix='zq') -> a word of letters unique to this run (full-text friendly)."""
    return unique_word


# ---- companies and partners (issue 3) ------------------------------------------------

_issued_sirets = set()


def luhn_ok(digits):
    """The Luhn key check of a string of digits (SIREN, SIRET)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(prefix):
    """prefix + the one digit that makes a valid Luhn key."""
    for c in "0123456789":
        if luhn_ok(prefix + c):
            return prefix + c
    raise AssertionError("unreachable")


def new_siret():
    """A valid SIRET (Luhn-valid SIREN and SIRET, not La Poste's) not issued before in this run."""
    while True:
        siren = luhn_complete(str(secrets.randbelow(9 * 10**7) + 10**7))
        if siren.startswith("356000000"):
            continue
        siret = luhn_complete(siren + f"{secrets.randbelow(10**4):04d}")
        if siret not in _issued_sirets:
            _issued_sirets.add(siret)
            return siret


def new_la_poste_siret():
    """A SIRET of La Poste (356000000...): digit sum divisible by 5 and, to prove the rule,
    an invalid Luhn key."""
    while True:
        siret = "356000000" + f"{secrets.randbelow(10**5):05d}"
        if sum(map(int, siret)) % 5 == 0 and not luhn_ok(siret) and siret not in _issued_sirets:
            _issued_sirets.add(siret)
            return siret


@pytest.fixture
def make_company(api, admin_key):
    """make_company(key=admin, **fields) -> the created company (201 asserted), with a unique
    name and a fresh SIRET unless given (siret=None for none); deleted afterwards."""
    def build(**fields):
        body = {"name": f"Test company {unique_word()}", "siret": new_siret()}
        body.update(fields)
        if body.get("siret") is None:
            body.pop("siret")
        return body
    yield from _created(api, admin_key, "/v1/companies", build)

@pytest.fixture
def make_partner(api, admin_key):
    """make_partner(key=admin, **fields) -> the created partner (201 asserted); deleted afterwards."""
    yield from _created(api, admin_key, "/v1/partners",
                        lambda **fields: {"name": f"Test partner {unique_word()}", "kind": "other", **fields})


@pytest.fixture
def make_project(api, admin_key):
    """make_project(key=admin, **fields) -> the created project (201 asserted), an innovation
    project led by the demo's first cluster unless fields say otherwise; deleted afterwards."""
    yield from _created(api, admin_key, "/v1/projects",
                        lambda **fields: {"title": f"Test project {unique_word()}", "category": "innovation",
                                          "lead_cluster_id": DEMO_01, **fields})


@pytest.fixture(scope="session")
def sql(database_url):
    """sql(text) -> the output of psql (unaligned, tuples only) for checks and clean-ups that
    the API cannot express; skips the test when psql is not installed."""
    import shutil
    have_psql = shutil.which("psql")

    def run(text):
        if not have_psql:
            pytest.skip("psql is not installed")
        return psql_at(database_url, text)
    return run


def psql_at(url, text, timeout=120):
    """Runs SQL text with psql on the database at url (unaligned, tuples only, stopping at the
    first error); returns its output."""
    cp = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url],
                        input=text, capture_output=True, text=True, timeout=timeout)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout.strip()


class PsqlSession:
    """A psql session of the test's own, kept open: it holds locks in its transaction.
    run(sql) sends statements (each ended by ';') and returns their output."""

    def __init__(self, url):
        self.proc = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)

    def run(self, sql):
        self.proc.stdin.write(sql + "\n\\echo --done--\n")
        out = []
        while True:
            line = self.proc.stdout.readline()
            assert line, "psql ended: " + "".join(out)
            if line.strip() == "--done--":
                return "".join(out).strip()
            out.append(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(30)


# ---- events and registrations (issue 4) ----------------------------------------------

DEMO_02 = "c1000000-0000-4000-8000-000000000002"


def utc_in(**delta):
    """An RFC 3339 UTC instant (second precision) this far from now, e.g. utc_in(days=30)."""
    import datetime
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(**delta)
    return t.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def event_payload():
    """event_payload(**overrides) -> a valid creation body: a unique title, kind training,
    organised by demo cluster 01, starting in 30 days for 8 hours."""
    def build(**over):
        body = {"title": f"Test event {unique_word()}", "kind": "training",
                "organizer_cluster_id": DEMO_01, "starts_at": utc_in(days=30),
                "ends_at": utc_in(days=30, hours=8)}
        body.update(over)
        return body
    return build


@pytest.fixture
def make_event(api, admin_key, event_payload):
    """make_event(key=admin, **fields) -> the created event (201 asserted); deleted afterwards
    (with its registrations)."""
    yield from _created(api, admin_key, "/v1/events", event_payload)


def start_extra_server(grappe_bin, database_url, log_path, **env_over):
    """Starts another `grappe serve` on a free port with these extra GRAPPE_* variables;
    returns a Server once /health answers. Stop it with stop_extra_server()."""
    port = _free_port()
    env = dict(os.environ)
    env.update({"GRAPPE_DATABASE_URL": database_url, "GRAPPE_BIND": "127.0.0.1", "GRAPPE_PORT": str(port),
                "GRAPPE_CORS_ORIGINS": CORS_ORIGIN, "GRAPPE_THREADS": "4", "GRAPPE_LOG_LEVEL": "info",
                "GRAPPE_RATE_ANONYMOUS": "100000000", "GRAPPE_RATE_KEY": "100000000",
                "GRAPPE_WEBHOOK_WORKERS": "0", "GRAPPE_WEBHOOK_ALLOW_PRIVATE": "1"})
    env.update({k: str(v) for k, v in env_over.items()})
    logf = open(log_path, "wb")
    proc = subprocess.Popen([grappe_bin, "serve"], stdout=logf, stderr=subprocess.STDOUT, env=env)
    logf.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if requests.get(base + "/health", timeout=1).status_code == 200:
                return Server(base, port, log_path, proc)
        except requests.RequestException:
            pass
        time.sleep(0.1)
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    pytest.fail(f"an extra grappe serve did not come up on port {port}:\n"
                f"{Path(log_path).read_text(encoding='utf-8', errors='replace')[-4000:]}", pytrace=False)


def stop_extra_server(srv):
    """SIGTERM, and a clean exit (status 0) expected."""
    srv.proc.send_signal(signal.SIGTERM)
    try:
        rc = srv.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        srv.proc.kill()
        srv.proc.wait()
        pytest.fail("an extra grappe serve did not stop within 30 s of SIGTERM", pytrace=False)
    assert rc == 0, f"an extra grappe serve exited {rc} after SIGTERM:\n{srv.log_text()[-4000:]}"


@pytest.fixture(scope="session")
def manager02_key(make_key):
    """A manager scoped to demo cluster 02 only (not 01)."""
    return make_key("manager", "t-manager-02", clusters=[DEMO_02])[1]


# ---- databases of their own (seed, exports, fuzzing) ----------------------------------

def grappe_run(grappe_bin, url, *args):
    """Runs `grappe ARGS` on database url; asserts it succeeds."""
    env = dict(os.environ, GRAPPE_DATABASE_URL=url)
    cp = subprocess.run([grappe_bin, *args], env=env, capture_output=True, text=True, timeout=300)
    assert cp.returncode == 0, f"grappe {' '.join(args)}: {cp.stdout}\n{cp.stderr}"
    return cp


def key_in(grappe_bin, url, role, name="test"):
    """A new API key in that database (the suite's keys live in the suite's database)."""
    return grappe_run(grappe_bin, url, "keys", "create", "--role", role, "--name", name).stdout.strip().splitlines()[-1]


def other_database(database_url, name):
    """The URL of database `name` on the test server; skips when the role may not create it."""
    cp = subprocess.run(["psql", "-X", "-q", "-d", database_url, "-c", f"CREATE DATABASE {name}"],
                        capture_output=True, text=True, timeout=60)
    if cp.returncode != 0:
        pytest.skip(f"cannot create a database of its own: {cp.stderr.strip()}")
    u = urlsplit(database_url)
    return urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


@contextlib.contextmanager
def scratch_database(database_url, grappe_bin, sql, prefix):
    """A new migrated database on the test server, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = other_database(database_url, name)
    try:
        grappe_run(grappe_bin, url, "migrate")
        yield url
    finally:
        sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

