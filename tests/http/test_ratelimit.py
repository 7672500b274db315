"""Rate limits for every caller (GRAPPE_RATE_ANONYMOUS per address, GRAPPE_RATE_KEY per API
key, with RateLimit-* headers and 429 + Retry-After past them; failed authentications count
against the address) and the cap on exports and bulk imports (GRAPPE_EXPORT_CONCURRENCY,
GRAPPE_EXPORT_PER_CALLER). Each on a server of its own."""
import os
import socket
import subprocess
import time
import uuid

import pytest
import requests

from conftest import grappe_run, key_in, problem, scratch_database, start_extra_server, stop_extra_server


@pytest.fixture
def limited(grappe_bin, database_url, tmp_path):
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "limited.log",
                             GRAPPE_RATE_ANONYMOUS=5, GRAPPE_RATE_KEY=8)
    yield srv
    stop_extra_server(srv)


def headers_of(r):
    return int(r.headers["RateLimit-Limit"]), int(r.headers["RateLimit-Remaining"]), int(r.headers["RateLimit-Reset"])


def test_anonymous_callers_are_limited_per_address(limited, checker, admin_key):
    seen = []
    for _ in range(5):
        r = requests.get(limited.base_url + "/v1/regions", timeout=30)
        assert r.status_code == 200, r.text
        limit, remaining, reset = headers_of(r)
        assert limit == 5 and 0 < reset <= 60
        seen.append(remaining)
    assert seen == [4, 3, 2, 1, 0]
    r = requests.get(limited.base_url + "/v1/clusters", timeout=30)
    checker.check("GET", "/v1/clusters", r.status_code, r.headers, r.content)
    body = problem(r, 429, "too_many_requests")
    assert "a minute" in body["detail"]
    assert 0 < int(r.headers["Retry-After"]) <= 60
    assert headers_of(r)[1] == 0
    # the operational routes are not limited (/metrics is for admin keys)
    for path in ("/health", "/ready", "/openapi.json"):
        assert requests.get(limited.base_url + path, timeout=30).status_code == 200, path
    r = requests.get(limited.base_url + "/metrics", headers={"Authorization": f"Bearer {admin_key}"}, timeout=30)
    assert r.status_code == 200, r.text


def test_each_key_has_its_own_budget(limited, reader_key, make_key):
    other = make_key("reader")[1]
    for _ in range(8):
        r = requests.get(limited.base_url + "/v1/regions", headers={"Authorization": f"Bearer {reader_key}"},
                         timeout=30)
        assert r.status_code == 200, r.text
        assert headers_of(r)[0] == 8
    r = requests.get(limited.base_url + "/v1/regions", headers={"Authorization": f"Bearer {reader_key}"}, timeout=30)
    problem(r, 429, "too_many_requests")
    assert "API key" in r.json()["detail"]
    # another key, and anonymous callers from the same address, are not affected
    r = requests.get(limited.base_url + "/v1/regions", headers={"Authorization": f"Bearer {other}"}, timeout=30)
    assert r.status_code == 200 and headers_of(r)[1] == 7
    r = requests.get(limited.base_url + "/v1/regions", timeout=30)
    assert r.status_code == 200 and headers_of(r)[0] == 5


def test_a_write_refused_by_the_limit_changes_nothing(limited, admin_key, sql):
    name = f"Rate limited partner {uuid.uuid4().hex[:8]}"
    codes = []
    for _ in range(9):
        r = requests.post(limited.base_url + "/v1/partners", json={"name": name, "kind": "other"},
                          headers={"Authorization": f"Bearer {admin_key}", "Idempotency-Key": uuid.uuid4().hex},
                          timeout=30)
        codes.append(r.status_code)
    assert codes.count(201) == 8 and codes[-1] == 429, codes
    assert sql(f"SELECT count(*) FROM partners WHERE name = '{name}'") == "8"
    sql(f"DELETE FROM partners WHERE name = '{name}'")


def test_wrong_keys_use_up_the_address_budget(limited, reader_key):
    for _ in range(5):
        r = requests.get(limited.base_url + "/v1/regions",
                         headers={"Authorization": "Bearer grappe_" + "x" * 43}, timeout=30)
        problem(r, 401, "unauthorized")
    # past it, the address is refused before any key is looked up, even a good one
    for key in ("grappe_" + "y" * 43, reader_key):
        r = requests.get(limited.base_url + "/v1/regions", headers={"Authorization": f"Bearer {key}"}, timeout=30)
        problem(r, 429, "too_many_requests")
        assert "failed authentications" in r.json()["detail"]
        assert 0 < int(r.headers["Retry-After"]) <= 60


def test_rate_limit_headers_are_on_every_counted_answer_and_documented_there(api, reader_key):
    """Every /v1 answer that was counted carries the RateLimit headers, whatever its status,
    for keys and anonymous callers alike; the answers given before counting carry none. The
    suite's server limits every caller (with budgets too large to reach), and sends CORS
    headers to its allowed origin: `api` checks each answer against api/openapi.yaml, which
    must document every RateLimit and CORS header on the responses that carry them."""
    origin = {"Origin": "https://front.example"}
    unknown = "/v1/clusters/c1000000-0000-4000-8000-0000000000ff"
    counted = [
        api.get("/v1/regions", headers=origin),
        api.get("/v1/regions", key=reader_key, headers=origin),
        api.get(unknown, key=reader_key, headers=origin),
        api.get("/v1/clusters?format=xml", headers=origin),
        api.get("/v1/clusters?colour=blue", key=reader_key, headers=origin),
        api.post("/v1/partners", {"name": "x", "kind": "other"}, headers=origin),  # anonymous write: 401
        api.post("/v1/partners", {"name": ""}, key=reader_key, headers=origin),  # a reader: 403
    ]
    assert [r.status_code for r in counted] == [200, 200, 404, 406, 400, 401, 403]
    for r in counted:
        assert int(r.headers["RateLimit-Limit"]) == 100000000, r.status_code
        assert 0 < int(r.headers["RateLimit-Reset"]) <= 60
        assert r.headers["Access-Control-Allow-Origin"] == "https://front.example"
    not_counted = [
        api.get("/v1/regions", key="grappe_" + "x" * 43, headers=origin),  # a key refused: 401
        api.request("PUT", "/v1/regions", headers=origin),  # 405
        api.raw("GET", "/v1/regions?a=%zz", headers=origin),  # malformed query string: 400
        api.get("/health", headers=origin),
    ]
    assert [r.status_code for r in not_counted] == [401, 405, 400, 200]
    for r in not_counted:
        assert "RateLimit-Limit" not in r.headers, r.status_code
        assert r.headers["Access-Control-Allow-Origin"] == "https://front.example"


def test_limits_are_configurable_and_can_be_off(grappe_bin, database_url, tmp_path):
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "unlimited.log", GRAPPE_RATE_ANONYMOUS=0)
    try:
        for _ in range(20):
            r = requests.get(srv.base_url + "/v1/regions", timeout=30)
            assert r.status_code == 200 and "RateLimit-Limit" not in r.headers
    finally:
        stop_extra_server(srv)
    env = dict(os.environ, GRAPPE_DATABASE_URL=database_url, GRAPPE_RATE_KEY="-1")
    cp = subprocess.run([grappe_bin, "serve"], env=env, capture_output=True, text=True, timeout=30)
    assert cp.returncode != 0 and "GRAPPE_RATE_KEY" in cp.stderr


# ---- exports and bulk imports: a cap on how many run at once -------------------------

@pytest.fixture(scope="module")
def big_database(database_url, grappe_bin, sql):
    """20,000 companies: an NDJSON export of them outlasts what the sockets can buffer."""
    with scratch_database(database_url, grappe_bin, sql, "exports") as url:
        grappe_run(grappe_bin, url, "seed", "--clusters", "20", "--companies", "20000", "--projects", "0",
                   "--events", "0", "--random-seed", "7")
        yield url


def free_again(send):
    """The server notices a client that went away when it next writes: poll a little."""
    for _ in range(200):
        r = send()
        if r.status_code != 429:
            return r
        time.sleep(0.05)
    return r


def stalled_export(srv, path="/v1/companies?format=ndjson", key=None):
    """Starts an export and reads only the beginning of it: the server's stream stays open."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", srv.port))
    auth = f"Authorization: Bearer {key}\r\n" if key else ""
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode())
    head = s.recv(1024)
    assert head.startswith(b"HTTP/1.1 200"), head
    return s


def test_exports_past_the_cap_are_429_until_one_ends(big_database, grappe_bin, tmp_path):
    reader, other = key_in(grappe_bin, big_database, "reader"), key_in(grappe_bin, big_database, "reader")
    srv = start_extra_server(grappe_bin, big_database, tmp_path / "exports.log",
                             GRAPPE_EXPORT_CONCURRENCY=2, GRAPPE_EXPORT_PER_CALLER=1)
    try:
        first = stalled_export(srv)
        # one per caller: the same address again is refused, another caller is not
        r = requests.get(srv.base_url + "/v1/companies?format=ndjson", timeout=30)
        problem(r, 429, "too_many_exports")
        assert r.headers["Retry-After"] == "5"
        second = stalled_export(srv, key=reader)
        # two in all: a third caller is refused
        r = requests.get(srv.base_url + "/v1/companies?format=ndjson",
                         headers={"Authorization": f"Bearer {other}"}, timeout=30)
        problem(r, 429, "too_many_exports")
        # other requests are not held up by the exports
        assert requests.get(srv.base_url + "/v1/companies?limit=5", timeout=30).status_code == 200
        # when an export ends (here its client goes away), its place is free again
        first.close()
        second.close()
        r = free_again(lambda: requests.get(srv.base_url + "/v1/companies?format=ndjson",
                                            headers={"Authorization": f"Bearer {other}"}, timeout=60))
        assert r.status_code == 200 and r.content.count(b"\n") == 20000
    finally:
        stop_extra_server(srv)


def test_bulk_imports_share_the_cap(big_database, grappe_bin, tmp_path):
    admin = key_in(grappe_bin, big_database, "admin")
    srv = start_extra_server(grappe_bin, big_database, tmp_path / "bulk.log", GRAPPE_EXPORT_CONCURRENCY=1)
    bulk = lambda: requests.post(srv.base_url + "/v1/companies/bulk?dry_run=true", data=b"{}\n",  # noqa: E731
                                 headers={"Authorization": f"Bearer {admin}", "Content-Type": "application/x-ndjson"},
                                 timeout=30)
    try:
        held = stalled_export(srv)
        problem(bulk(), 429, "too_many_exports")
        # a 429 is not kept for an Idempotency-Key: the same key later runs the import
        keyed = lambda: requests.post(srv.base_url + "/v1/companies/bulk?dry_run=true", data=b"{}\n",  # noqa: E731
                                      headers={"Authorization": f"Bearer {admin}", "Idempotency-Key": "bulk-429",
                                               "Content-Type": "application/x-ndjson"}, timeout=30)
        problem(keyed(), 429, "too_many_exports")
        held.close()
        r = free_again(bulk)
        assert r.status_code == 200, r.text
        assert r.json()["summary"]["errors"] == 1
        r = keyed()
        assert r.status_code == 200 and "Idempotent-Replayed" not in r.headers, r.text
        assert keyed().headers.get("Idempotent-Replayed") == "true"
    finally:
        stop_extra_server(srv)
