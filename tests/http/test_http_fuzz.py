"""HTTP-level fuzzing of a real server on loopback: random methods, paths, query strings,
headers and bodies, mutated from a seed corpus of valid requests, for a bounded time
(GRAPPE_HTTP_FUZZ_SECONDS, default 20; scripts/test runs it against the plain and the
sanitizer builds, whose reports fail the run). Every answer must be a well-formed HTTP
response, never a 500, and the server must live on. The seed makes a run reproducible:
GRAPPE_HTTP_FUZZ_SEED=<n> (printed on failure)."""
import os
import random
import socket
import subprocess
import time

import pytest

from conftest import DEMO_01, REPO, key_in, scratch_database, start_extra_server, stop_extra_server
from unaccent_chars import UNACCENT_CHARS

SEEDS = [
    ("GET", "/v1/clusters?region=84&kind=cluster&limit=5", {}, b""),
    ("GET", f"/v1/clusters/{DEMO_01}", {"If-None-Match": '"x"'}, b""),
    ("GET", "/v1/companies?q=decolletage&size=pme&sort=-name&count=true", {"Accept": "text/csv"}, b""),
    ("GET", "/v1/companies?format=ndjson&region=84", {}, b""),
    ("GET", "/v1/events?format=ics&from=2026-01-01", {}, b""),
    ("GET", "/v1/events?from=now-7d&to=now+30d&updated_since=now%2B1h", {}, b""),
    ("GET", "/v1/projects?starts_after=now-52w&starts_before=now", {}, b""),
    ("GET", "/v1/search?q=lyon%20d%C3%A9coll&types=cluster,company&limit=3", {}, b""),
    ("GET", "/v1/search?q=l%CA%BCavenir%20usin", {}, b""),
    ("GET", "/v1/clusters?q=m%C3%A9canique%20l%CA%BCa", {}, b""),
    ("GET", "/v1/partners?q=agence&format=csv&csv=excel", {}, b""),
    ("GET", "/v1/events?q=salon%20a%E2%88%96b", {}, b""),
    ("GET", "/v1/projects?q=usinage", {}, b""),
    ("GET", "/v1/benchmark?year=2024&kind=cluster", {}, b""),
    ("GET", "/v1/stats?region=84", {}, b""),
    ("GET", "/v1/changes?since=abc&limit=10", {"Authorization": "KEY"}, b""),
    ("GET", "/v1/clusters?cursor=eyJ2IjoiYSIsImsiOiJiIn0.c2ln", {}, b""),
    ("POST", "/v1/partners", {"Content-Type": "application/json", "Authorization": "KEY",
                              "Idempotency-Key": "fuzz-1"}, b'{"name": "Fuzz partner", "kind": "other"}'),
    ("POST", "/v1/companies", {"Content-Type": "application/json", "Authorization": "KEY"},
     b'{"name": "Fuzz SA", "siret": "73282932000074", "employees": 12, "naf_code": "25.62B"}'),
    ("PATCH", f"/v1/clusters/{DEMO_01}", {"Content-Type": "application/merge-patch+json", "Authorization": "KEY",
                                          "If-Match": '"1"'}, b'{"website": null, "tags": ["a"]}'),
    ("PUT", f"/v1/clusters/{DEMO_01}/indicators/2024", {"Content-Type": "application/json", "Authorization": "KEY"},
     b'{"members": 10, "staff_fte": 2.5, "budget_eur": 100000}'),
    ("POST", "/v1/companies/bulk?dry_run=true", {"Content-Type": "application/x-ndjson", "Authorization": "KEY"},
     b'{"siret": "73282932000074", "name": "A"}\n{"siret": "1", "name": ""}\n'),
    ("POST", "/v1/events/e1000000-0000-4000-8000-000000000001/registrations",
     {"Content-Type": "application/json"}, b'{"name": "Camille", "email": "camille@example.fr"}'),
    ("DELETE", "/v1/partners/00000000-0000-4000-8000-000000000000", {"Authorization": "KEY", "If-Match": "*"}, b""),
    ("OPTIONS", "/v1/clusters", {"Origin": "https://front.example", "Access-Control-Request-Method": "POST"}, b""),
]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "FOO", "get", ""]
NASTY = ["", "\x00", "%00", "%", "%zz", "%C3%28", "\xff", "..", "../../etc/passwd", "é", "😀", "'", '"', "<script>",
         "{}", "[]", "null", "-1", "0", "99999999999999999999", "1e309", "NaN", "a" * 5000, "?", "&", "=", "#", ";",
         "\r\n", " ", "\t", "*", "/", "//", "\\", "${x}", "%2F", "+", "2024-02-30", "00000000-0000-0000-0000-000000000000"]
# The dictionary also holds every character that PostgreSQL's unaccent rules turn into
# punctuation, symbols or nothing (issue 15: U+02BC became a quote inside a tsquery), as
# UTF-8 and percent-encoded: text that C code sees as a letter and SQL later as syntax.
UNACCENT = [ch for c in UNACCENT_CHARS for ch in (c, "".join(f"%{b:02X}" for b in c.encode()))]
HEADERS = ["Accept", "Content-Type", "Authorization", "If-Match", "If-None-Match", "Idempotency-Key", "X-Request-Id",
           "Origin", "Content-Length", "Transfer-Encoding", "X-Cancel-Token", "Range", "Expect", "Cookie"]


def mutate_bytes(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(5)
        if op == 0 and b:
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 1:
            pos = rng.randint(0, len(b))
            b[pos:pos] = rng.choice(NASTY if rng.random() < 0.7 else UNACCENT).encode("utf-8", "surrogatepass")
        elif op == 2 and b:
            i = rng.randrange(len(b))
            del b[i:i + rng.randint(1, 16)]
        elif op == 3 and b:
            i = rng.randrange(len(b))
            b[i:i] = b[i:i + rng.randint(1, 64)] * rng.randint(1, 40)
        else:
            pos = rng.randint(0, len(b))
            b[pos:pos] = rng.choice([b"{", b"}", b"[", b"]", b'"', b"\\u0000", b"\\ud800", b",", b":", b"1" * 400])
    return bytes(b)


def make_request(rng, key):
    method, target, headers, body = rng.choice(SEEDS)
    headers = {k: (key if v == "KEY" else v) for k, v in headers.items()}
    if "Authorization" in headers:
        headers["Authorization"] = "Bearer " + headers["Authorization"]
    r = rng.random()
    if r < 0.15:
        method = rng.choice(METHODS)
    if rng.random() < 0.5:
        target = mutate_bytes(rng, target.encode()).decode("latin-1")
    if rng.random() < 0.5:
        body = mutate_bytes(rng, body or b"{}")
    if rng.random() < 0.4:
        for _ in range(rng.randint(1, 4)):
            headers[rng.choice(HEADERS)] = rng.choice(NASTY)
    target = "".join(ch for ch in target if ch not in " \r\n") or "/"
    if not target.startswith("/"):
        target = "/" + target
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    cl = str(len(body))
    for k, v in headers.items():
        v = v.replace("\r", "").replace("\n", "")
        if k.lower() == "content-length":
            cl = None if rng.random() < 0.5 else v
            continue
        if k.lower() == "transfer-encoding":
            continue  # a chunked framing we would not follow; MHD's parser is fuzzed by others
        lines.append(f"{k}: {v}")
    if cl is not None and cl.isdigit() and int(cl) == len(body):
        lines.append(f"Content-Length: {cl}")
    else:
        lines.append(f"Content-Length: {len(body)}")
    return method, target, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body


def send(port, raw):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(raw)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except ConnectionResetError:
                break
            if not c:
                break
            chunks.append(c)
    return b"".join(chunks)


@pytest.fixture
def fuzz_database(database_url, grappe_bin, sql):
    """A database of its own with the demo data: what the fuzzer writes stays there."""
    with scratch_database(database_url, grappe_bin, sql, "fuzz") as url:
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(REPO / "sql" / "demo.sql"), url],
                       check=True, capture_output=True, timeout=120)
        yield url, key_in(grappe_bin, url, "admin", "fuzz")


def test_random_requests_never_crash_or_500(grappe_bin, fuzz_database, tmp_path):
    database_url, admin_key = fuzz_database
    seconds = float(os.environ.get("GRAPPE_HTTP_FUZZ_SECONDS", "20"))
    seed = int(os.environ.get("GRAPPE_HTTP_FUZZ_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "fuzz.log")
    statuses = {}
    n = 0
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            method, target, raw = make_request(rng, admin_key)
            answer = send(srv.port, raw)
            n += 1
            assert srv.proc.poll() is None, f"the server died (seed {seed}) on:\n{raw[:2000]!r}"
            if not answer:
                continue  # the server may close a connection it cannot parse
            head = answer.split(b"\r\n", 1)[0]
            assert head.startswith(b"HTTP/1.1 "), f"not an HTTP answer (seed {seed}): {answer[:200]!r}"
            status = int(head.split()[1])
            statuses[status] = statuses.get(status, 0) + 1
            assert status < 500 or status == 503, \
                f"{status} (seed {seed}) for:\n{raw[:2000]!r}\n->\n{answer[:2000]!r}"
            if status >= 400 and method.upper() not in ("HEAD",) and b"\r\n\r\n" in answer:
                body = answer.split(b"\r\n\r\n", 1)[1]
                if body:
                    assert b"SQLSTATE" not in body and b"ERROR:  " not in body, body[:500]
        assert srv.proc.poll() is None
    finally:
        stop_extra_server(srv)
    print(f"http fuzz: {n} requests in {seconds:.0f} s, seed {seed}, statuses {sorted(statuses.items())}")
    assert n > 50
