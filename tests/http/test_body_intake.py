"""Request bodies are judged as they arrive (SPEC, Limits), and a graceful stop closes
keep-alive connections (SPEC, Operations).

- A declared length over the route's limit is 413 before any byte of the body is read: an
  `Expect: 100-continue` request gets the 413, never `100 Continue`.
- A chunked body (no declared length) is cut at the limit: 413, nothing kept past it.
- A bad key, no key where one is needed, or a reader key on a write is answered before the
  body is sent.
- A body type the route does not take (multipart/form-data and urlencoded forms included)
  is 415 problem+json, never a dropped connection.
- 300 concurrent oversize uploads: the server stays under 128 MiB resident and answers each
  within 2 s.
- During a graceful stop, answers carry `Connection: close` and their connection closes.
Raw sockets where the order of bytes on the wire is the point."""
import json
import os
import selectors
import signal
import socket
import threading
import time

import pytest
from requests.structures import CaseInsensitiveDict

from conftest import DEMO_01, new_siret, problem, start_extra_server, stop_extra_server

MIB = 1024 * 1024
EVENT = "e1000000-0000-4000-8000-000000000001"


# ---- raw HTTP -------------------------------------------------------------------------

class Answer:
    def __init__(self, status, headers, content):
        self.status_code = status
        self.headers = headers
        self.content = content
        self.text = content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content)


def head_bytes(method, target, headers):
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_answer(s, timeout=5.0):
    """Reads one answer (status line, headers, Content-Length body) from socket s."""
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise AssertionError(f"the connection closed before an answer: {data!r}")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = CaseInsensitiveDict()
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip()] = v.strip()
    n = int(headers.get("Content-Length", "0"))
    while len(rest) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return Answer(status, headers, rest[:n])


def closed_by_server(s, seconds=3.0):
    """True when the server closes the connection (end of stream or reset) within seconds."""
    s.settimeout(seconds)
    try:
        while True:
            if s.recv(65536) == b"":
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def checked(checker, method, target, answer):
    checker.check(method, target, answer.status_code, answer.headers, answer.content)
    return answer


def chunked(data, size=65536):
    return b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size]) for i in range(0, len(data), size))


# ---- declared lengths -------------------------------------------------------------------

@pytest.mark.parametrize("target,content_type,length", [
    ("/v1/clusters", "application/json", MIB + 1),
    ("/v1/clusters", "application/json", 60_000_000),
    ("/v1/companies/bulk", "application/x-ndjson", 64 * MIB + 1),
])
def test_declared_length_over_the_limit_is_413_before_the_body_without_100_continue(server, admin_key, checker,
                                                                                    target, content_type, length):
    with connect(server.port) as s:
        s.sendall(head_bytes("POST", target, {"Authorization": f"Bearer {admin_key}", "Content-Type": content_type,
                                              "Content-Length": length, "Expect": "100-continue"}))
        r = checked(checker, "POST", target, read_answer(s))
        problem(r, 413, "payload_too_large")
        assert r.headers["Connection"].lower() == "close"
        assert closed_by_server(s), "the connection stayed open after a refused body"


@pytest.mark.parametrize("target,content_type,length", [
    ("/v1/clusters", "application/json", MIB),
    ("/v1/companies/bulk", "application/x-ndjson", 64 * MIB),
])
def test_declared_length_at_the_limit_gets_100_continue(server, admin_key, target, content_type, length):
    with connect(server.port) as s:
        s.sendall(head_bytes("POST", target, {"Authorization": f"Bearer {admin_key}", "Content-Type": content_type,
                                              "Content-Length": length, "Expect": "100-continue"}))
        s.settimeout(5)
        assert s.recv(64).startswith(b"HTTP/1.1 100 Continue")


def test_oversize_body_sent_without_waiting_still_gets_its_413(api, admin_key):
    # A client that sends its whole body at once (no Expect) reads the 413 that was sent
    # before the body, not a reset: the server drops what it still receives.
    body = b'{"name": "' + b"x" * (8 * MIB) + b'"}'
    problem(api.post("/v1/clusters", body, key=admin_key), 413, "payload_too_large")


# ---- authentication before the body -------------------------------------------------------

@pytest.mark.parametrize("authorization,status", [
    ("Bearer grappe_" + "A" * 43, 401),   # well-formed, unknown
    ("Bearer not-a-key", 401),
    ("Basic dXNlcjpwYXNz", 401),
    (None, 401),                          # anonymous write
    ("READER", 403),                      # a reader key writes nothing
])
@pytest.mark.parametrize("length", [50 * MIB, 500_000])
def test_bad_or_missing_key_is_answered_before_the_body_is_sent(server, reader_key, checker, authorization,
                                                                  status, length):
    headers = {"Content-Type": "application/json", "Content-Length": length}
    if authorization:
        headers["Authorization"] = f"Bearer {reader_key}" if authorization == "READER" else authorization
    with connect(server.port) as s:
        t0 = time.monotonic()
        s.sendall(head_bytes("POST", "/v1/clusters", headers))  # no Expect, and no byte of the body
        r = checked(checker, "POST", "/v1/clusters", read_answer(s, timeout=2))
        assert time.monotonic() - t0 < 2
        problem(r, status, "unauthorized" if status == 401 else "forbidden")
        assert closed_by_server(s)


# ---- chunked bodies -----------------------------------------------------------------------

def test_chunked_body_over_the_limit_is_cut_with_413(server, admin_key, checker):
    with connect(server.port) as s:
        s.sendall(head_bytes("POST", "/v1/clusters", {"Authorization": f"Bearer {admin_key}",
                                                      "Content-Type": "application/json",
                                                      "Transfer-Encoding": "chunked"}))
        s.sendall(chunked(b'{"name": "' + b"x" * (MIB + MIB // 2) + b'"}') + b"0\r\n\r\n")
        r = checked(checker, "POST", "/v1/clusters", read_answer(s))
        problem(r, 413, "payload_too_large")


def test_chunked_body_within_the_limit_is_read_whole(server, api, admin_key, checker):
    body = json.dumps({"name": f"Chunked {time.time_ns()}", "kind": "cluster", "description": "z" * 9000}).encode()
    with connect(server.port) as s:
        s.sendall(head_bytes("POST", "/v1/clusters", {"Authorization": f"Bearer {admin_key}",
                                                      "Content-Type": "application/json",
                                                      "Transfer-Encoding": "chunked"}))
        s.sendall(chunked(body, 700) + b"0\r\n\r\n")
        r = checked(checker, "POST", "/v1/clusters", read_answer(s))
    assert r.status_code == 201, r.text
    assert r.json()["description"] == "z" * 9000
    assert api.delete(f"/v1/clusters/{r.json()['id']}", key=admin_key).status_code == 204


def test_chunked_body_far_over_the_limit_is_cut_off(server, admin_key):
    # Read on past twice the limit, a body without a declared length is not drained to its
    # end: the connection is closed and nothing is kept.
    with connect(server.port) as s:
        s.sendall(head_bytes("POST", "/v1/clusters", {"Authorization": f"Bearer {admin_key}",
                                                      "Content-Type": "application/json",
                                                      "Transfer-Encoding": "chunked"}))
        piece = chunked(b"x" * 65536)
        try:
            for _ in range(20 * 16):  # 20 MiB
                s.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        else:
            pytest.fail("the server read 20 MiB of a body whose limit is 1 MiB")
        assert closed_by_server(s)


# ---- body types ---------------------------------------------------------------------------

FORM = "multipart/form-data"
FORM_BOUNDARY = "multipart/form-data; boundary=----grappe"
MULTIPART = (b"------grappe\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n"
             b"------grappe--\r\n")
URLENCODED = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("content_type,body", [
    (FORM, b"{}"),                    # the audit's curl: no boundary at all
    (FORM_BOUNDARY, MULTIPART),
    (URLENCODED, b"name=x&kind=cluster"),
    ("text/plain", b'{"name": "x"}'),
])
def test_form_and_other_body_types_are_415_on_every_route_that_takes_a_body(api, admin_key, content_type, body):
    siret = new_siret()
    for method, path, key in [
        ("POST", "/v1/clusters", admin_key),
        ("PATCH", f"/v1/clusters/{DEMO_01}", admin_key),
        ("PUT", f"/v1/clusters/{DEMO_01}/indicators/2024", admin_key),
        ("PUT", f"/v1/companies/siret/{siret}", admin_key),
        ("POST", "/v1/companies/bulk", admin_key),
        ("POST", "/v1/partners", admin_key),
        ("POST", f"/v1/events/{EVENT}/registrations", None),  # open to anonymous callers
    ]:
        r = api.request(method, path, key=key, data=body, headers={"Content-Type": content_type})
        p = problem(r, 415, "unsupported_media_type")
        assert content_type.split(";")[0] in p["detail"], p
    assert api.get("/v1/companies", params={"siret": siret}, key=admin_key).json()["items"] == []


def test_body_without_content_type_is_415(api, admin_key):
    r = api.request("POST", "/v1/partners", key=admin_key, data=b'{"name": "x", "kind": "other"}')
    problem(r, 415, "unsupported_media_type")


def test_form_body_on_a_route_that_reads_none_is_answered(api):
    # GET and DELETE read no body: one is dropped as it arrives, the answer is the usual one.
    r = api.request("GET", "/v1/regions", data=MULTIPART, headers={"Content-Type": FORM})
    assert r.status_code == 200
    r = api.request("POST", "/health", data=b"{}", headers={"Content-Type": FORM})
    problem(r, 405, "method_not_allowed")


# ---- many oversize uploads at once ----------------------------------------------------------

def sanitized(pid):
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as f:
            return any(lib in f.read() for lib in ("libasan", "libtsan", "libmsan"))
    except OSError:
        return False


def status_kib(pid, field):
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def test_300_concurrent_oversize_uploads_stay_under_128_mib_and_are_answered_within_2_s(grappe_bin, database_url,
                                                                                       admin_key, tmp_path):
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "uploads.log", GRAPPE_THREADS=4)
    pid = srv.proc.pid
    san = sanitized(pid)
    n = 300
    piece = b"x" * 65536
    per_client = 2 * len(piece)  # each sends 128 KiB of its 60 MB while it waits
    peak = {"rss": 0}
    sampling = threading.Event()

    def sample():
        while not sampling.is_set():
            try:
                peak["rss"] = max(peak["rss"], status_kib(pid, "VmRSS"))
            except OSError:
                return
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    sel = selectors.DefaultSelector()
    uploads = []
    try:
        for i in range(n):
            headers = {"Content-Type": "application/json", "Content-Length": 60_000_000}
            if i % 2:
                headers["Authorization"] = f"Bearer {admin_key}"
            s = socket.socket()
            s.setblocking(False)
            u = {"sock": s, "out": head_bytes("POST", "/v1/clusters", headers), "sent": 0, "in": b"",
                 "t0": time.monotonic(), "answered": None, "done": False}
            s.connect_ex(("127.0.0.1", srv.port))
            sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, u)
            uploads.append(u)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(u["done"] for u in uploads):
            # answers first: the time to an answer is what is measured
            ready = sorted(sel.select(timeout=0.5), key=lambda kv: not kv[1] & selectors.EVENT_READ)
            for key, events in ready:
                u, s = key.data, key.fileobj
                if u["done"]:
                    continue
                try:
                    if events & selectors.EVENT_READ:
                        data = s.recv(65536)
                        if data and u["answered"] is None:
                            u["answered"] = time.monotonic()
                        u["in"] += data
                        if not data:
                            u["done"] = True
                    if not u["done"] and events & selectors.EVENT_WRITE:
                        if u["out"]:
                            u["out"] = u["out"][s.send(u["out"]):]
                        elif u["sent"] < per_client and u["answered"] is None:
                            u["sent"] += s.send(piece)
                        else:
                            sel.modify(s, selectors.EVENT_READ, u)
                except (BlockingIOError, InterruptedError):
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    u["done"] = True
                if u["done"]:
                    sel.unregister(s)
    finally:
        sampling.set()
        sampler.join()
        hwm = status_kib(pid, "VmHWM")
        for u in uploads:
            u["sock"].close()
        sel.close()
        stop_extra_server(srv)
    statuses = {}
    for u in uploads:
        status = int(u["in"].split(b" ", 2)[1]) if u["in"].startswith(b"HTTP/1.1 ") else None
        statuses[status] = statuses.get(status, 0) + 1
    assert statuses == {401: n // 2, 413: n - n // 2}, statuses
    slowest = max(u["answered"] - u["t0"] for u in uploads)
    print(f"300 oversize uploads: slowest answer {slowest:.3f} s, peak RSS {max(hwm, peak['rss']) / 1024:.1f} MiB")
    # A sanitizer build runs several times slower and keeps freed memory aside: the targets
    # are the plain build's; under a sanitizer, the answers still come long before 60 MB.
    assert slowest < (6.0 if san else 2.0), f"the slowest answer took {slowest:.2f} s"
    if not san:
        assert max(hwm, peak["rss"]) < 128 * 1024, f"the server reached {max(hwm, peak['rss']) / 1024:.0f} MiB"


# ---- graceful stop ------------------------------------------------------------------------

def wait_for_log(srv, text, seconds=5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in srv.log_text():
            return
        time.sleep(0.05)
    pytest.fail(f"{text!r} not in the server's log")


def test_keep_alive_connections_get_connection_close_during_a_graceful_stop(grappe_bin, database_url, admin_key,
                                                                            tmp_path):
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "drain.log", GRAPPE_SHUTDOWN_TIMEOUT_MS=10000)
    body = json.dumps({"kind": "not-a-kind"}).encode()  # refused with 422: nothing is written
    try:
        idle, busy = connect(srv.port), connect(srv.port)
        # before the stop, a keep-alive connection stays open after its answer
        idle.sendall(head_bytes("GET", "/health", {}))
        r = read_answer(idle)
        assert r.status_code == 200 and "close" not in r.headers.get("Connection", "").lower()
        # a request in flight when SIGTERM comes: its body is half sent
        busy.sendall(head_bytes("POST", "/v1/partners", {"Authorization": f"Bearer {admin_key}",
                                                         "Content-Type": "application/json",
                                                         "Content-Length": len(body)}) + body[:5])
        time.sleep(0.2)
        srv.proc.send_signal(signal.SIGTERM)
        wait_for_log(srv, "received, finishing requests in flight")
        # the next request on an idle keep-alive connection: answered, then the connection closes
        idle.sendall(head_bytes("GET", "/health", {}))
        r = read_answer(idle)
        assert r.status_code == 200
        assert r.headers["Connection"].lower() == "close"
        assert closed_by_server(idle)
        # the request in flight gets its answer, with Connection: close, and its connection closes
        busy.sendall(body[5:])
        r = read_answer(busy)
        problem(r, 422, "validation_failed")
        assert r.headers["Connection"].lower() == "close"
        assert closed_by_server(busy)
        assert srv.proc.wait(timeout=15) == 0
    finally:
        if srv.proc.poll() is None:
            stop_extra_server(srv)
