"""The change feed, GET /v1/changes: roles, parameters and positions, one change per real
write of each type (tombstones for deletions), include=object, types, polling from `next`,
retention (410) and, above all, that a follower never misses a committed change while many
writers commit concurrently, some of them slowly.

Other tests write to the same database (sequentially), so the assertions only look at the
objects each test created."""

import random
import shutil
import subprocess
import threading
import time

import pytest

from conftest import new_siret, problem, unique_word

CHANGES = "/v1/changes"
_head = {"pos": None}  # the last position this module has read up to


def feed(api, key, **params):
    r = api.get(CHANGES, params=params, key=key)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["next"], str) and body["next"]
    return body


def drain(api, key, since=None, **params):
    """Every change after `since` (all pages) -> (items, next)."""
    items = []
    pos = since
    for _ in range(1000):
        p = dict(params, limit=1000)
        if pos is not None:
            p["since"] = pos
        body = feed(api, key, **p)
        items.extend(body["items"])
        if not body["items"]:
            assert pos is None or body["next"] == pos or "types" in params
            return items, body["next"]
        pos = body["next"]
    raise AssertionError("the feed did not end")


def head(api, key):
    """The current end of the feed (a position to follow from)."""
    _, pos = drain(api, key, _head["pos"])
    _head["pos"] = pos
    return pos


def mine(items, ids):
    return [(i["type"], i["id"], i["op"]) for i in items if i["id"] in ids]


def assert_increasing(items):
    seqs = [i["seq"] for i in items]
    assert all(a < b for a, b in zip(seqs, seqs[1:])), seqs


# ---- roles and parameters ----

def test_roles(api, reader_key, admin_key, manager_key):
    r = api.get(CHANGES, params={"limit": 1})
    problem(r, 401, "unauthorized")
    # a manager reads it narrowed to its clusters (test_changes_scope.py)
    for key in (reader_key, admin_key, manager_key):
        body = feed(api, key, limit=2)
        assert len(body["items"]) <= 2


def test_not_json_is_406(api, reader_key):
    problem(api.get(CHANGES, key=reader_key, headers={"Accept": "text/csv"}), 406, "not_acceptable")


@pytest.mark.parametrize("params,field", [
    ({"colour": "red"}, "colour"),
    ({"limit": "0"}, "limit"),
    ({"limit": "1001"}, "limit"),
    ({"limit": "abc"}, "limit"),
    ({"include": "everything"}, "include"),
    ({"types": "cluster,widget"}, "types"),
    ({"types": "Cluster"}, "types"),
], ids=["unknown", "limit0", "limit1001", "limitabc", "include", "types", "types-case"])
def test_bad_parameters_are_400(api, reader_key, params, field):
    body = problem(api.get(CHANGES, params=params, key=reader_key), 400, "invalid_query")
    assert field in [e["field"] for e in body.get("errors", [])] or field in body["detail"]


def test_limits_in_range(api, reader_key):
    assert len(feed(api, reader_key, limit=1)["items"]) <= 1
    assert len(feed(api, reader_key, limit=1000)["items"]) <= 1000


def test_malformed_or_tampered_position_is_400_invalid_cursor(api, reader_key):
    pos = head(api, reader_key)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    def shifted(ch):  # another base64url digit that differs in its high bits too
        return alphabet[(alphabet.index(ch) + 16) % 64] if ch in alphabet else "A"

    flipped = pos[:-1] + shifted(pos[-1])
    middle = len(pos) // 2
    tampered = pos[:middle] + shifted(pos[middle]) + pos[middle + 1:]
    for bad in ("garbage", "", "0", "-1", flipped, tampered, pos + "x", "eyJyIjoiY2hhbmdlcyIsInMiOjB9"):
        problem(api.get(CHANGES, params={"since": bad}, key=reader_key), 400, "invalid_cursor")


def test_cursor_of_another_list_is_400(api, reader_key):
    r = api.get("/v1/clusters", params={"limit": 1}, key=reader_key)
    assert r.status_code == 200 and r.json()["next"], r.text
    problem(api.get(CHANGES, params={"since": r.json()["next"]}, key=reader_key), 400, "invalid_cursor")


# ---- one change per write, of every type ----

def test_every_write_of_every_type_in_order(api, admin_key, reader_key):
    start = head(api, reader_key)
    expected = []

    def ok(r, status):
        assert r.status_code == status, r.text
        return r.json() if r.content else None

    c = ok(api.post("/v1/clusters", {"name": f"Feed cluster {unique_word()}", "kind": "cluster"}, key=admin_key), 201)
    expected.append(("cluster", c["id"], "upsert"))
    ok(api.patch(f"/v1/clusters/{c['id']}", {"staff_fte": 3.5}, key=admin_key), 200)
    expected.append(("cluster", c["id"], "upsert"))
    k = ok(api.post("/v1/companies", {"name": f"Feed company {unique_word()}", "siret": new_siret()}, key=admin_key), 201)
    expected.append(("company", k["id"], "upsert"))
    ok(api.patch(f"/v1/companies/{k['id']}", {"employees": 12}, key=admin_key), 200)
    expected.append(("company", k["id"], "upsert"))
    p = ok(api.post("/v1/partners", {"name": f"Feed partner {unique_word()}", "kind": "other"}, key=admin_key), 201)
    expected.append(("partner", p["id"], "upsert"))
    ok(api.patch(f"/v1/partners/{p['id']}", {"kind": "bank"}, key=admin_key), 200)
    expected.append(("partner", p["id"], "upsert"))
    m = ok(api.put(f"/v1/clusters/{c['id']}/members/{k['id']}", {"role": "member"}, key=admin_key), 201)
    expected.append(("membership", m["id"], "upsert"))
    ok(api.put(f"/v1/clusters/{c['id']}/members/{k['id']}", {"role": "founding_member"}, key=admin_key), 200)
    expected.append(("membership", m["id"], "upsert"))
    link = ok(api.put(f"/v1/clusters/{c['id']}/partners/{p['id']}", {"role": "support"}, key=admin_key), 201)
    expected.append(("cluster_partner", link["id"], "upsert"))
    ok(api.put(f"/v1/clusters/{c['id']}/partners/{p['id']}", {"role": "funder"}, key=admin_key), 200)
    expected.append(("cluster_partner", link["id"], "upsert"))
    pr = ok(api.post("/v1/projects", {"title": f"Feed project {unique_word()}", "category": "innovation",
                                      "lead_cluster_id": c["id"]}, key=admin_key), 201)
    expected.append(("project", pr["id"], "upsert"))
    ok(api.patch(f"/v1/projects/{pr['id']}", {"summary": "Shared test bench"}, key=admin_key), 200)
    expected.append(("project", pr["id"], "upsert"))
    ev = ok(api.post("/v1/events", {"title": f"Feed event {unique_word()}", "kind": "training",
                                    "organizer_cluster_id": c["id"], "starts_at": "2031-03-04T08:00:00Z",
                                    "ends_at": "2031-03-04T16:00:00Z"}, key=admin_key), 201)
    expected.append(("event", ev["id"], "upsert"))
    ok(api.patch(f"/v1/events/{ev['id']}", {"description": "Lean management"}, key=admin_key), 200)
    expected.append(("event", ev["id"], "upsert"))
    ids = {c["id"], k["id"], p["id"], m["id"], link["id"], pr["id"], ev["id"]}

    # the live objects, embedded as their endpoints answer them now
    items, middle = drain(api, reader_key, start, include="object")
    assert_increasing(items)
    assert mine(items, ids) == expected
    last = {}
    for i in items:
        if i["id"] in ids:
            last[i["id"]] = i
            assert "object" in i
    for path, obj in ((f"/v1/clusters/{c['id']}", c), (f"/v1/companies/{k['id']}", k),
                      (f"/v1/partners/{p['id']}", p), (f"/v1/projects/{pr['id']}", pr),
                      (f"/v1/events/{ev['id']}", ev)):
        r = api.get(path, key=admin_key)
        assert r.status_code == 200
        assert last[obj["id"]]["object"] == r.json(), path
    member = [x for x in api.get(f"/v1/clusters/{c['id']}/members", params={"status": "all"},
                                 key=admin_key).json()["items"] if x["id"] == m["id"]]
    assert last[m["id"]]["object"] == member[0]
    assert last[m["id"]]["object"]["role"] == "founding_member"
    plink = [x for x in api.get(f"/v1/clusters/{c['id']}/partners", key=admin_key).json()["items"]]
    assert last[link["id"]]["object"] == plink[0]
    # without include, no object
    assert all("object" not in i for i in drain(api, reader_key, start)[0])

    # ending a membership is an upsert (left_on set); the others are deleted: tombstones
    expected = []
    ok(api.delete(f"/v1/clusters/{c['id']}/members/{k['id']}", key=admin_key), 204)
    expected.append(("membership", m["id"], "upsert"))
    ok(api.delete(f"/v1/clusters/{c['id']}/partners/{p['id']}", key=admin_key), 204)
    expected.append(("cluster_partner", link["id"], "delete"))
    ok(api.delete(f"/v1/projects/{pr['id']}", key=admin_key), 204)
    expected.append(("project", pr["id"], "delete"))
    ok(api.delete(f"/v1/events/{ev['id']}", key=admin_key), 204)
    expected.append(("event", ev["id"], "delete"))
    ok(api.delete(f"/v1/partners/{p['id']}", key=admin_key), 204)
    expected.append(("partner", p["id"], "delete"))
    items, _ = drain(api, reader_key, middle, include="object")
    assert_increasing(items)
    assert mine(items, ids) == expected
    by_id = {i["id"]: i for i in items if i["id"] in ids}
    ended = by_id[m["id"]]["object"]
    assert ended["id"] == m["id"] and ended["left_on"] is not None
    for gone in (link["id"], pr["id"], ev["id"], p["id"]):
        assert by_id[gone]["object"] is None
        assert by_id[gone]["op"] == "delete"

    # deleting the cluster removes its (former) membership: a tombstone for it too
    since = head(api, reader_key)
    ok(api.delete(f"/v1/companies/{k['id']}", key=admin_key), 204)
    ok(api.delete(f"/v1/clusters/{c['id']}", key=admin_key), 204)
    got = mine(drain(api, reader_key, since, include="object")[0], ids)
    assert ("company", k["id"], "delete") in got and ("cluster", c["id"], "delete") in got
    assert ("membership", m["id"], "delete") in got
    assert all(op == "delete" for _, _, op in got)
    assert got.index(("company", k["id"], "delete")) < got.index(("cluster", c["id"], "delete"))


def test_a_write_that_changes_nothing_or_fails_is_not_a_change(api, admin_key, reader_key, make_cluster,
                                                                make_company):
    c = make_cluster(staff_fte=4, acronym="FNC")
    k = make_company(employees=10)
    m = api.put(f"/v1/clusters/{c['id']}/members/{k['id']}", {"role": "member"}, key=admin_key)
    assert m.status_code == 201, m.text
    since = head(api, reader_key)
    r = api.patch(f"/v1/clusters/{c['id']}", {"staff_fte": 4, "acronym": "FNC"}, key=admin_key)
    assert r.status_code == 200 and r.json()["version"] == c["version"], r.text
    r = api.patch(f"/v1/companies/{k['id']}", {"employees": 10}, key=admin_key)
    assert r.status_code == 200 and r.json()["version"] == k["version"], r.text
    r = api.put(f"/v1/clusters/{c['id']}/members/{k['id']}", {"role": "member"}, key=admin_key)
    assert r.status_code == 200 and r.json()["version"] == m.json()["version"], r.text
    # refused writes: nothing is written, so nothing is recorded
    assert api.patch(f"/v1/clusters/{c['id']}", {"staff_fte": 9, "kind": "nope"}, key=admin_key).status_code == 422
    assert api.patch(f"/v1/companies/{k['id']}", {"employees": -3}, key=admin_key).status_code == 422
    assert api.post("/v1/clusters", {"name": f"Bad {unique_word()}", "kind": "nope"}, key=admin_key).status_code == 422
    items, pos = drain(api, reader_key, since)
    assert mine(items, {c["id"], k["id"], m.json()["id"]}) == []
    # a real change after them is there, alone
    assert api.patch(f"/v1/clusters/{c['id']}", {"staff_fte": 5}, key=admin_key).status_code == 200
    items, _ = drain(api, reader_key, pos)
    assert mine(items, {c["id"], k["id"], m.json()["id"]}) == [("cluster", c["id"], "upsert")]


def test_types_filter(api, admin_key, reader_key, make_cluster, make_company, make_partner):
    since = head(api, reader_key)
    c, k, p = make_cluster(), make_company(), make_partner()
    ids = {c["id"], k["id"], p["id"]}
    items, _ = drain(api, reader_key, since, types="company")
    assert {i["type"] for i in items} <= {"company"}
    assert mine(items, ids) == [("company", k["id"], "upsert")]
    items, _ = drain(api, reader_key, since, types="cluster,partner")
    assert {i["type"] for i in items} <= {"cluster", "partner"}
    assert mine(items, ids) == [("cluster", c["id"], "upsert"), ("partner", p["id"], "upsert")]
    items, nxt = drain(api, reader_key, since, types="indicator")
    assert items == []
    # an empty filtered page may move the position on, never past a change of these types
    assert api.patch(f"/v1/partners/{p['id']}", {"kind": "bank"}, key=admin_key).status_code == 200
    items, _ = drain(api, reader_key, nxt, types="partner")
    assert mine(items, ids) == [("partner", p["id"], "upsert")]


def test_empty_page_gives_back_its_position_and_the_feed_continues(api, admin_key, reader_key, make_cluster):
    pos = head(api, reader_key)
    for _ in range(2):
        body = feed(api, reader_key, since=pos)
        assert body == {"items": [], "next": pos}
    c = make_cluster()
    body = feed(api, reader_key, since=pos, limit=1000)
    assert mine(body["items"], {c["id"]}) == [("cluster", c["id"], "upsert")]
    assert body["next"] != pos
    assert all(i["seq"] >= 1 for i in body["items"])
    # a small page: next is the position after its last change, and paging loses nothing
    assert api.patch(f"/v1/clusters/{c['id']}", {"staff_fte": 1}, key=admin_key).status_code == 200
    assert api.patch(f"/v1/clusters/{c['id']}", {"staff_fte": 2}, key=admin_key).status_code == 200
    seen, p = [], pos
    while True:
        b = feed(api, reader_key, since=p, limit=1)
        if not b["items"]:
            assert b["next"] == p
            break
        assert len(b["items"]) == 1
        seen.extend(b["items"])
        p = b["next"]
    assert_increasing(seen)
    assert mine(seen, {c["id"]}) == [("cluster", c["id"], "upsert")] * 3


def test_no_position_starts_at_the_oldest_change_kept(api, reader_key, sql):
    body = feed(api, reader_key, limit=1)
    oldest = sql("SELECT min(seq) FROM changes WHERE seq IS NOT NULL")
    assert body["items"] and body["items"][0]["seq"] == int(oldest)


# ---- retention ----

def test_a_position_older_than_retention_is_410(api, admin_key, reader_key, make_cluster, sql):
    old = head(api, reader_key)
    c = make_cluster()
    assert api.patch(f"/v1/clusters/{c['id']}", {"staff_fte": 2}, key=admin_key).status_code == 200
    assert api.patch(f"/v1/clusters/{c['id']}", {"staff_fte": 3}, key=admin_key).status_code == 200
    items, current = drain(api, reader_key, old)
    top = max(i["seq"] for i in items if i["id"] == c["id"])
    # changes up to `top` are past retention: the next call purges them
    sql(f"UPDATE changes SET changed_at = now() - interval '40 days' WHERE seq <= {top}")
    # each call purges up to 10,000 expired changes: after the whole suite there may be more
    for _ in range(100):
        feed(api, reader_key, since=current)
        if sql(f"SELECT count(*) FROM changes WHERE seq <= {top}") == "0":
            break
    assert sql(f"SELECT count(*) FROM changes WHERE seq <= {top}") == "0"
    body = problem(api.get(CHANGES, params={"since": old}, key=reader_key), 410, "gone")
    assert "export" in body["detail"]
    problem(api.get(CHANGES, params={"since": old, "include": "object"}, key=admin_key), 410, "gone")
    # a position at the edge of what is kept, and no position at all, still work
    assert feed(api, reader_key, since=current)["items"] == []
    first = feed(api, reader_key, limit=1)["items"]
    assert not first or first[0]["seq"] > top
    _head["pos"] = current


# ---- the concurrency test ----

def test_a_follower_misses_nothing_while_many_writers_commit(api, admin_key, reader_key, database_url):
    psql = shutil.which("psql")
    if not psql:
        pytest.skip("psql is not installed")
    start = head(api, reader_key)
    # the objects held by slow SQL transactions exist before the follower starts
    slow_cluster = api.post("/v1/clusters", {"name": f"Slow cluster {unique_word()}", "kind": "cluster"},
                            key=admin_key).json()
    slow_company = api.post("/v1/companies", {"name": f"Slow company {unique_word()}", "siret": new_siret()},
                            key=admin_key).json()
    created = {("cluster", slow_cluster["id"]), ("company", slow_company["id"])}
    lock = threading.Lock()
    errors = []
    writers_done = threading.Event()

    def writer(n):
        rnd = random.Random(n)
        mine_ = []  # (type, path, id)
        try:
            for step in range(25):
                live = [x for x in mine_ if x[3]]
                roll = rnd.random()
                if not live or roll < 0.35:
                    if rnd.random() < 0.5:
                        r = api.post("/v1/clusters", {"name": f"Conc {n} {step} {unique_word()}", "kind": "cluster"},
                                     key=admin_key)
                        t, base = "cluster", "/v1/clusters"
                    else:
                        r = api.post("/v1/companies", {"name": f"Conc {n} {step} {unique_word()}",
                                                       "siret": new_siret()}, key=admin_key)
                        t, base = "company", "/v1/companies"
                    assert r.status_code == 201, r.text
                    oid = r.json()["id"]
                    with lock:
                        created.add((t, oid))
                    mine_.append([t, base, oid, True])
                elif roll < 0.85:
                    t, base, oid, _ = rnd.choice(live)
                    body = {"staff_fte": rnd.randint(0, 400)} if t == "cluster" else {"employees": rnd.randint(0, 9999)}
                    r = api.patch(f"{base}/{oid}", body, key=admin_key)
                    assert r.status_code == 200, r.text
                else:
                    x = rnd.choice(live)
                    r = api.delete(f"{x[1]}/{x[2]}", key=admin_key)
                    assert r.status_code == 204, r.text
                    x[3] = False
                time.sleep(rnd.uniform(0.02, 0.12))
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    def slow_sql(delay, sleep, statements):
        time.sleep(delay)
        script = "BEGIN;\n" + statements + f"\nSELECT pg_sleep({sleep});\nCOMMIT;\n"
        cp = subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database_url], input=script,
                            capture_output=True, text=True, timeout=60)
        if cp.returncode != 0:
            errors.append(AssertionError(cp.stderr))

    replica = {}
    seen = []
    follower_polls = [0]

    def follow():
        pos = start
        try:
            while True:
                done = writers_done.is_set()
                body = feed(api, reader_key, since=pos, limit=7, include="object")
                follower_polls[0] += 1
                for i in body["items"]:
                    seen.append(i["seq"])
                    replica[(i["type"], i["id"])] = None if i["op"] == "delete" else i["object"]
                if body["items"]:
                    assert body["next"] != pos
                else:
                    assert body["next"] == pos
                    if done:
                        return
                    time.sleep(0.03)
                pos = body["next"]
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    slow = [
        # an xid taken early, committed after many others: a plain sequence would be passed over
        threading.Thread(target=slow_sql, args=(0.3, 2, f"UPDATE clusters SET staff_fte = 42 "
                                                         f"WHERE id = '{slow_cluster['id']}';")),
        threading.Thread(target=slow_sql, args=(0.8, 1.5, f"UPDATE companies SET employees = 4242 "
                                                           f"WHERE id = '{slow_company['id']}';")),
    ]
    follower = threading.Thread(target=follow)
    follower.start()
    for t in threads + slow:
        t.start()
    for t in threads + slow:
        t.join(timeout=120)
    writers_done.set()
    follower.join(timeout=120)
    assert not follower.is_alive()
    if errors:
        raise errors[0]

    assert len(seen) == len(set(seen)), "a change was served twice"
    assert all(a < b for a, b in zip(seen, seen[1:])), "seq went backwards"
    assert follower_polls[0] > 5
    # the replica is the database, for every object of this test
    live = []
    for t, oid in sorted(created):
        base = "/v1/clusters" if t == "cluster" else "/v1/companies"
        assert (t, oid) in replica, f"the feed never showed {t} {oid}"
        r = api.get(f"{base}/{oid}", key=admin_key)
        if r.status_code == 404:
            assert replica[(t, oid)] is None, f"{t} {oid} was deleted; the replica still has it"
        else:
            assert r.status_code == 200, r.text
            assert replica[(t, oid)] is not None, f"{t} {oid} exists; the replica deleted it"
            assert replica[(t, oid)]["version"] == r.json()["version"], (t, oid)
            live.append(f"{base}/{oid}")
    assert replica[("cluster", slow_cluster["id"])]["staff_fte"] == 42
    assert replica[("company", slow_company["id"])]["employees"] == 4242
    for path in live:
        api.delete(path, key=admin_key)


def test_a_long_write_transaction_does_not_hold_back_changes_committed_after_it(api, admin_key, reader_key,
                                                                                make_cluster, database_url):
    """A change is numbered when its transaction has committed, not when every transaction
    that began before it (in any database of the server) has: an atomic bulk import, or
    another application's job, must not stall the feed. The slow change comes later, with
    a higher seq: the feed is in commit order."""
    psql = shutil.which("psql")
    if not psql:
        pytest.skip("psql is not installed")
    slow, quick = make_cluster(), make_cluster()
    start = head(api, reader_key)
    script = (f"BEGIN;\nUPDATE clusters SET staff_fte = 41 WHERE id = '{slow['id']}';\n"
              "SELECT pg_sleep(6);\nCOMMIT;\n")
    holder = subprocess.Popen([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database_url], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        holder.stdin.write(script)
        holder.stdin.close()
        time.sleep(1)  # the UPDATE has run: its transaction holds an xid below what follows
        assert holder.poll() is None, "the slow transaction ended early"
        assert api.patch(f"/v1/clusters/{quick['id']}", {"staff_fte": 7}, key=admin_key).status_code == 200
        for filt in ({}, {"types": "cluster"}):
            items, _ = drain(api, reader_key, start, **filt)
            assert mine(items, {slow["id"], quick["id"]}) == [("cluster", quick["id"], "upsert")], filt
        assert holder.poll() is None, "the slow transaction ended before the check: the check proves nothing"
    finally:
        holder.wait(timeout=30)
        err = holder.stderr.read()
        holder.stderr.close()
    assert holder.returncode == 0, err
    items, _ = drain(api, reader_key, start)
    assert mine(items, {slow["id"], quick["id"]}) == [("cluster", quick["id"], "upsert"),
                                                      ("cluster", slow["id"], "upsert")]


# ---- filtered followers beside other readers of the feed ----

# Each follower's filter and which created objects it must see.
_FILTERED = {"types=cluster": ("cluster",), "types=company": ("company",),
             "types=partner,cluster": ("partner", "cluster")}


@pytest.mark.parametrize("run", range(3))
def test_a_filtered_follower_misses_nothing_while_other_readers_number_changes(api, admin_key, reader_key, run):
    """Every reader of the feed numbers the changes that finished; a filtered follower whose
    page is empty moves on, but never past a change that another reader numbered meanwhile.
    Writers create clusters, companies and partners; two pollers follow the whole feed as
    fast as they can; one follower per filter must see every object of its types."""
    start = head(api, reader_key)
    created = {"cluster": set(), "company": set(), "partner": set()}
    lock = threading.Lock()
    errors = []
    settled = threading.Event()  # the unfiltered feed has shown every object created

    def writer(n):
        rnd = random.Random(f"{run}-{n}")
        try:
            for step in range(60):
                roll = rnd.random()
                if roll < 0.5:
                    t, path, body = "cluster", "/v1/clusters", {"name": f"Race {n} {step} {unique_word()}",
                                                                "kind": "cluster"}
                elif roll < 0.85:
                    t, path, body = "company", "/v1/companies", {"name": f"Race {n} {step} {unique_word()}",
                                                                  "siret": new_siret()}
                else:
                    t, path, body = "partner", "/v1/partners", {"name": f"Race {n} {step} {unique_word()}",
                                                                 "kind": "other"}
                r = api.post(path, body, key=admin_key)
                assert r.status_code == 201, r.text
                with lock:
                    created[t].add(r.json()["id"])
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    unfiltered_seen = set()

    def poller():
        pos = start
        try:
            while not settled.is_set():
                body = feed(api, reader_key, since=pos, limit=200)
                with lock:
                    unfiltered_seen.update(i["id"] for i in body["items"])
                pos = body["next"]
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    followed = {f: set() for f in _FILTERED}

    def follower(f):
        types = f.split("=", 1)[1]
        pos = start
        try:
            # one more drain after `settled`: it numbers at least what the pollers saw
            while True:
                last_round = settled.is_set()
                body = feed(api, reader_key, since=pos, types=types, limit=50)
                assert {i["type"] for i in body["items"]} <= set(types.split(","))
                followed[f].update(i["id"] for i in body["items"])
                pos = body["next"]
                if last_round and not body["items"]:
                    return
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    readers = [threading.Thread(target=poller) for _ in range(2)]
    readers += [threading.Thread(target=follower, args=(f,)) for f in _FILTERED]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(timeout=120)
    # changes are numbered once every older transaction has finished (any transaction of the
    # PostgreSQL server): wait until the unfiltered feed shows them all
    deadline = time.monotonic() + 60
    every = set().union(*created.values())
    while time.monotonic() < deadline and not errors:
        with lock:
            if every <= unfiltered_seen:
                break
        time.sleep(0.05)
    settled.set()
    for t in readers:
        t.join(timeout=120)
    if errors:
        raise errors[0]
    assert every <= unfiltered_seen, "the unfiltered feed never showed some objects"
    for f, kinds in _FILTERED.items():
        want = set().union(*(created[k] for k in kinds))
        missed = want - followed[f]
        assert not missed, f"the follower of {f} never saw {len(missed)} of {len(want)} objects: {sorted(missed)[:5]}"
    for t, ids in created.items():
        for oid in ids:
            api.delete(f"/v1/{'companies' if t == 'company' else t + 's'}/{oid}", key=admin_key)


def test_a_backlog_is_numbered_in_steps(api, reader_key, sql):
    """Changes nobody numbered (a large import nobody followed) are numbered 20,000 at a time,
    in commit order: no reader's call outlasts the statement timeout, and the head moves on
    at each call until the backlog is gone (migration 0022)."""
    head = api.get("/v1/changes?since=now", key=reader_key).json()["next"]
    sql("INSERT INTO changes (type, object_id, op) SELECT 'company', gen_random_uuid(), 'upsert' "
        "FROM generate_series(1, 45000)")
    steps = []
    for _ in range(4):
        before = int(sql("SELECT last_seq FROM changes_counter"))
        assert api.get("/v1/changes?since=now", key=reader_key).status_code == 200
        steps.append(int(sql("SELECT last_seq FROM changes_counter")) - before)
    assert steps[:3] == [20000, 20000, 5000] and steps[3] == 0, steps
    assert sql("SELECT count(*) FROM changes WHERE seq IS NULL") == "0"
    # numbered in (xid, id) order, with no hole
    assert sql("SELECT count(*) FROM (SELECT seq - lag(seq) OVER (ORDER BY id) AS d FROM changes "
               "WHERE seq IS NOT NULL ORDER BY id DESC LIMIT 45000) x WHERE d <> 1") == "0"
    page = api.get(f"/v1/changes?since={head}&limit=1000&types=company", key=reader_key).json()
    assert len(page["items"]) == 1000
