"""Concurrent writers: If-Match makes exactly one of them win."""

import threading
from concurrent.futures import ThreadPoolExecutor


def test_concurrent_patches_with_same_if_match_one_wins(api, admin_key, make_cluster):
    c = make_cluster(staff_fte=1)
    path = f"/v1/clusters/{c['id']}"
    first = api.get(path)
    etag = first.headers["ETag"]
    barrier = threading.Barrier(20)

    def patch(i):
        barrier.wait()
        r = api.patch(path, {"staff_fte": 10 + i, "acronym": f"W{i}"}, key=admin_key, headers={"If-Match": etag})
        return r.status_code, r.json()

    with ThreadPoolExecutor(20) as ex:
        results = list(ex.map(patch, range(20)))
    statuses = sorted(s for s, _ in results)
    assert statuses.count(200) == 1, statuses
    assert statuses.count(412) == 19, statuses
    winner = next(body for s, body in results if s == 200)
    final = api.get(path).json()
    assert final["version"] == first.json()["version"] + 1
    assert final["acronym"] == winner["acronym"]
    assert final["staff_fte"] == winner["staff_fte"]


def test_concurrent_patches_without_if_match_all_apply(api, admin_key, make_cluster):
    c = make_cluster()
    path = f"/v1/clusters/{c['id']}"
    barrier = threading.Barrier(10)

    def patch(i):
        barrier.wait()
        return api.patch(path, {"acronym": f"N{i}"}, key=admin_key).status_code

    with ThreadPoolExecutor(10) as ex:
        statuses = list(ex.map(patch, range(10)))
    assert statuses == [200] * 10
    assert api.get(path).json()["version"] == c["version"] + 10


def test_many_concurrent_reads(api):
    def get(_):
        r = api.get("/v1/clusters", params={"limit": 5})
        return r.status_code

    with ThreadPoolExecutor(32) as ex:
        statuses = list(ex.map(get, range(200)))
    assert statuses == [200] * 200
