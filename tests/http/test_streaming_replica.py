"""GRAPPE_DATABASE_READ_URL against a real streaming replica (a hot standby made by
pg_basebackup, which scripts/test starts and names in GRAPPE_TEST_REPLICA_PORT): every read
path runs on a server that refuses writes, so a read that wrote anything would fail here;
writes go to the primary and show up on the replica once it has replayed them."""
import os
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from conftest import DEMO_01, psql_at, start_extra_server, stop_extra_server


@pytest.fixture(scope="module")
def replica_url(database_url):
    port = os.environ.get("GRAPPE_TEST_REPLICA_PORT")
    if not port:
        pytest.skip("no streaming replica: scripts/test starts one and sets GRAPPE_TEST_REPLICA_PORT")
    u = urlsplit(database_url)
    return urlunsplit((u.scheme, f"{u.username or 'grappe'}@127.0.0.1:{port}", u.path, u.query, u.fragment))


def replica_sql(url, text):
    return psql_at(url, text, timeout=60)


@pytest.fixture(scope="module")
def replica_server(grappe_bin, database_url, replica_url, tmp_path_factory):
    assert replica_sql(replica_url, "SELECT pg_is_in_recovery()") == "t"
    srv = start_extra_server(grappe_bin, database_url, tmp_path_factory.mktemp("replica") / "grappe.log",
                             GRAPPE_DATABASE_READ_URL=replica_url)
    yield srv
    stop_extra_server(srv)


def wait_for(fetch, ok, seconds=15):
    """The replica replays asynchronously: poll until ok(response) or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        r = fetch()
        if ok(r) or time.monotonic() > deadline:
            return r
        time.sleep(0.05)


def test_every_read_path_runs_on_the_hot_standby(replica_server, replica_url, checker, admin_key, make_event,
                                                 make_company):
    base = replica_server.base_url
    auth = {"Authorization": f"Bearer {admin_key}"}
    ev = make_event()
    co = make_company()
    # what the primary wrote must reach the replica before reading it there
    wait_for(lambda: requests.get(f"{base}/v1/companies/{co['id']}", timeout=30), lambda r: r.status_code == 200)
    wait_for(lambda: requests.get(f"{base}/v1/events/{ev['id']}", timeout=30, headers=auth),
             lambda r: r.status_code == 200)
    paths = [
        "/ready", "/v1/regions", "/v1/regions/84", "/v1/departments", "/v1/departments/69",
        "/v1/clusters", "/v1/clusters?region=84&count=true", f"/v1/clusters/{DEMO_01}",
        f"/v1/clusters/{DEMO_01}/members", f"/v1/clusters/{DEMO_01}/partners", f"/v1/clusters/{DEMO_01}/indicators",
        "/v1/clusters?format=csv", "/v1/clusters?format=geojson", "/v1/clusters?format=ndjson",
        "/v1/benchmark", f"/v1/benchmark?cluster={DEMO_01}",
        "/v1/companies?region=84&size=pme&limit=50", f"/v1/companies/{co['id']}", f"/v1/companies/{co['id']}/clusters",
        "/v1/companies?format=ndjson", "/v1/companies?q=decolletage",
        "/v1/partners", "/v1/projects", "/v1/events", "/v1/events?format=ics", f"/v1/events/{ev['id']}",
        f"/v1/events/{ev['id']}/registrations", "/v1/search?q=decol", "/v1/search?q=lyon&types=cluster,company",
        "/v1/stats", "/v1/changes?limit=5",
    ]
    for path in paths:
        r = requests.get(base + path, headers=auth, timeout=30)
        checker.check("GET", r.request.path_url, r.status_code, r.headers, r.content)
        assert r.status_code == 200, (path, r.text)
    # the reads really went to the replica's read-only sessions
    assert int(replica_sql(replica_url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'grappe-read'")) >= 1


def test_writes_go_to_the_primary_and_the_replica_catches_up(replica_server, admin_key):
    base = replica_server.base_url
    auth = {"Authorization": f"Bearer {admin_key}"}
    r = requests.post(base + "/v1/partners", json={"name": "Streaming replica partner", "kind": "other"},
                      headers=auth, timeout=30)
    assert r.status_code == 201, r.text
    pid, etag = r.json()["id"], r.headers["ETag"]
    r = wait_for(lambda: requests.get(f"{base}/v1/partners/{pid}", timeout=30), lambda r: r.status_code == 200)
    assert r.status_code == 200 and r.json()["name"] == "Streaming replica partner", r.text
    r = requests.patch(f"{base}/v1/partners/{pid}", data='{"name": "Streaming replica partner, renamed"}',
                       headers=dict(auth, **{"If-Match": etag, "Content-Type": "application/merge-patch+json"}),
                       timeout=30)
    assert r.status_code == 200, r.text
    r = wait_for(lambda: requests.get(f"{base}/v1/partners/{pid}", timeout=30),
                 lambda r: r.status_code == 200 and r.json()["name"].endswith("renamed"))
    assert r.json()["name"] == "Streaming replica partner, renamed", r.text
    assert requests.delete(f"{base}/v1/partners/{pid}", headers=auth, timeout=30).status_code == 204
    r = wait_for(lambda: requests.get(f"{base}/v1/partners/{pid}", timeout=30), lambda r: r.status_code == 404)
    assert r.status_code == 404, r.text
