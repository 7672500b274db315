"""GRAPPE_TRUSTED_PROXIES (issue 15, item 7): behind a reverse proxy every caller was the
proxy. From a trusted peer the client is the right-most X-Forwarded-For entry that is not
trusted; from any other peer X-Forwarded-For is ignored. The per-address rate limits, the
registration limit and anonymous idempotency keys all key on that client. Each test runs a
server of its own (the suite's server trusts no proxy); the tests' requests come from
127.0.0.1."""

import subprocess
import time
import uuid

import pytest
import requests

from conftest import Api, problem, start_extra_server, stop_extra_server, unique_word, utc_in


def _fresh_window(margin=10):
    """Waits, if need be, so that the next `margin` seconds stay in one minute window."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.2)


@pytest.fixture
def serve(grappe_bin, database_url, tmp_path):
    started = []

    def start(**env):
        srv = start_extra_server(grappe_bin, database_url, tmp_path / f"grappe-{len(started)}.log", **env)
        started.append(srv)
        return srv
    yield start
    for srv in started:
        stop_extra_server(srv)


def get(srv, xff=None, path="/v1/regions"):
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    return requests.get(srv.base_url + path, headers=headers, timeout=30)


def test_behind_a_trusted_proxy_the_anonymous_limit_keys_on_x_forwarded_for(serve):
    srv = serve(GRAPPE_TRUSTED_PROXIES="10.0.0.0/8, 127.0.0.1/32, ::1/128", GRAPPE_RATE_ANONYMOUS=3)
    _fresh_window()
    for client in ("198.51.100.7", "2001:db8::7"):
        assert [int(get(srv, client).headers["RateLimit-Remaining"]) for _ in range(3)] == [2, 1, 0]
        problem(get(srv, client), 429, "too_many_requests")
    # another client behind the same proxy has a budget of its own, and so has the proxy
    assert get(srv, "198.51.100.8").status_code == 200
    assert get(srv).status_code == 200
    # a chain of trusted proxies: the client is the entry before the first trusted one
    assert int(get(srv, "198.51.100.9, 10.1.2.3").headers["RateLimit-Remaining"]) == 2
    assert int(get(srv, "198.51.100.9").headers["RateLimit-Remaining"]) == 1


def test_spoofed_left_most_entries_are_ignored(serve):
    srv = serve(GRAPPE_TRUSTED_PROXIES="127.0.0.1/32", GRAPPE_RATE_ANONYMOUS=3)
    _fresh_window()
    # what the client sent comes first; the proxy appended the address it saw, last
    for forged in ("1.1.1.1, 203.0.113.5", "2.2.2.2,3.3.3.3, 203.0.113.5", "not-an-address, 203.0.113.5"):
        assert get(srv, forged).status_code == 200, forged
    problem(get(srv, "4.4.4.4, 203.0.113.5"), 429, "too_many_requests")
    problem(get(srv, "203.0.113.5"), 429, "too_many_requests")


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(serve):
    for env in ({"GRAPPE_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::/32"}, {}):
        srv = serve(GRAPPE_RATE_ANONYMOUS=3, **env)
        _fresh_window()
        for client in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
            assert get(srv, client).status_code == 200
        # every request counted against 127.0.0.1, whatever it claimed
        problem(get(srv, "198.51.100.4"), 429, "too_many_requests")
        problem(get(srv), 429, "too_many_requests")


def test_registration_limit_and_anonymous_idempotency_keys_follow_the_client(serve, api, admin_key, checker):
    srv = serve(GRAPPE_TRUSTED_PROXIES="127.0.0.1/32", GRAPPE_REGISTRATION_RATE=1)
    via = Api(srv.base_url, checker)
    r = api.post("/v1/events", {"title": f"Proxy event {unique_word()}", "kind": "training",
                                "starts_at": utc_in(days=30), "ends_at": utc_in(days=30, hours=4), "capacity": 20},
                 key=admin_key)
    assert r.status_code == 201, r.text
    path = f"/v1/events/{r.json()['id']}/registrations"
    try:
        _fresh_window()
        body = {"name": "Camille Perrin", "email": f"{unique_word()}@example.org"}
        idem = str(uuid.uuid4())
        first = via.post(path, body, headers={"X-Forwarded-For": "198.51.100.20", "Idempotency-Key": idem})
        assert first.status_code == 201, first.text
        # the same client, the same key: the kept answer, not a second registration
        again = via.post(path, body, headers={"X-Forwarded-For": "198.51.100.20", "Idempotency-Key": idem})
        assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true", again.text
        assert again.json()["id"] == first.json()["id"]
        # another client's key of the same value is its own: it runs (same email: 409)
        other = via.post(path, body, headers={"X-Forwarded-For": "198.51.100.21", "Idempotency-Key": idem})
        problem(other, 409, "conflict")
        # the registration budget (1 a minute) is per client: 198.51.100.20 has used it
        fresh = {"name": "Ana Lopes", "email": f"{unique_word()}@example.org"}
        problem(via.post(path, fresh, headers={"X-Forwarded-For": "198.51.100.20"}), 429, "too_many_requests")
        assert via.post(path, fresh, headers={"X-Forwarded-For": "198.51.100.22"}).status_code == 201
    finally:
        api.delete(path.rsplit("/", 1)[0], key=admin_key)


@pytest.mark.parametrize("value", ["10.0.0.0/33", "localhost", "10.0.0.0/8,,::1", "2001:db8::/129",
                                   "10.0.0/8", "127.0.0.1/"])
def test_an_invalid_trusted_proxies_value_refuses_to_start(grappe_bin, database_url, value):
    env = {"GRAPPE_DATABASE_URL": database_url, "GRAPPE_BIND": "127.0.0.1", "GRAPPE_PORT": "1",
           "GRAPPE_TRUSTED_PROXIES": value, "PATH": "/usr/bin:/bin"}
    cp = subprocess.run([grappe_bin, "serve"], env=env, capture_output=True, text=True, timeout=30)
    assert cp.returncode != 0
    assert "GRAPPE_TRUSTED_PROXIES" in cp.stderr and "CIDR" in cp.stderr, cp.stderr
