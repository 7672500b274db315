"""Registrations for events: confirmed or waitlisted, every reason for a 409, capacity under
200 concurrent registrations, cancellation (token, organiser, admin) and promotion from the
waitlist, capacity changes, who reads the personal data, and the anonymous rate limit."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import Api, DEMO_01, problem, start_extra_server, stop_extra_server, unique_word, utc_in

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MISSING = "00000000-0000-4000-8000-000000000000"


def invalid(r):
    body = problem(r, 422, "validation_failed")
    return {e["field"]: e["code"] for e in body.get("errors") or []}


def email(tag="p"):
    return f"{tag}.{unique_word('')}@example.org"


def register(api, eid, mail=None, name="Camille Perrin", key=None, **extra):
    body = {"name": name, "email": email() if mail is None else mail}
    body.update(extra)
    return api.post(f"/v1/events/{eid}/registrations", body, key=key)


def registered(api, eid, mail=None, **kw):
    """register() with 201 asserted; returns the body."""
    r = register(api, eid, mail, **kw)
    assert r.status_code == 201, r.text
    return r.json()


def event(api, eid, key=None):
    r = api.get(f"/v1/events/{eid}", key=key)
    assert r.status_code == 200, r.text
    return r.json()


def counts(api, eid):
    e = event(api, eid)
    return e["registered_count"], e["waitlist_count"], e["remaining"]


def regs(api, eid, key, **params):
    """Every registration of the event the key may list, by id."""
    params.setdefault("limit", 500)
    out, cursor = {}, None
    while True:
        if cursor:
            params["cursor"] = cursor
        r = api.get(f"/v1/events/{eid}/registrations", params=params, key=key)
        assert r.status_code == 200, r.text
        body = r.json()
        out.update({i["id"]: i for i in body["items"]})
        cursor = body["next"]
        if not cursor:
            return out


def cancel(api, eid, rid, token=None, key=None):
    headers = {"X-Cancel-Token": token} if token is not None else {}
    return api.delete(f"/v1/events/{eid}/registrations/{rid}", headers=headers, key=key)


# ---- registering ----

def test_anonymous_registration_is_confirmed_with_a_cancel_token(api, make_event):
    e = make_event(capacity=5)
    mail = email("Camille")
    r = register(api, e["id"], mail, name="Camille Pérrin")
    assert r.status_code == 201, r.text
    g = r.json()
    assert UUID_RE.match(g["id"])
    assert g["event_id"] == e["id"]
    assert g["name"] == "Camille Pérrin" and g["email"] == mail
    assert g["company_id"] is None
    assert g["status"] == "confirmed"
    assert g["position"] is None
    assert TOKEN_RE.match(g["cancel_token"])
    assert g["created_at"].endswith("Z")
    for h in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
        assert h in r.headers, h


def test_registration_answer_has_a_location(api, make_event):
    # SPEC: POST creates (201 + Location + body); OpenAPI documents the registration's path.
    e = make_event()
    r = register(api, e["id"])
    assert r.status_code == 201, r.text
    assert r.headers.get("Location") == f"/v1/events/{e['id']}/registrations/{r.json()['id']}"


def test_cancel_tokens_are_distinct(api, make_event):
    e = make_event()
    tokens = {registered(api, e["id"])["cancel_token"] for _ in range(5)}
    assert len(tokens) == 5


def test_counts_follow_registrations(api, make_event):
    e = make_event(capacity=3)
    assert counts(api, e["id"]) == (0, 0, 3)
    registered(api, e["id"])
    assert counts(api, e["id"]) == (1, 0, 2)
    registered(api, e["id"])
    assert counts(api, e["id"]) == (2, 0, 1)


def test_full_event_waitlists_with_increasing_positions(api, make_event):
    e = make_event(capacity=2)
    got = [registered(api, e["id"]) for _ in range(5)]
    assert [g["status"] for g in got] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [g["position"] for g in got] == [None, None, 1, 2, 3]
    assert all(TOKEN_RE.match(g["cancel_token"]) for g in got)
    assert counts(api, e["id"]) == (2, 3, 0)


def test_unlimited_event_confirms_everyone(api, make_event):
    e = make_event(capacity=None)
    got = [registered(api, e["id"]) for _ in range(4)]
    assert {g["status"] for g in got} == {"confirmed"}
    assert counts(api, e["id"]) == (4, 0, None)


def test_full_event_without_waitlist_is_409(api, make_event):
    e = make_event(capacity=1, waitlist=False)
    registered(api, e["id"])
    problem(register(api, e["id"]), 409, "conflict")
    assert counts(api, e["id"]) == (1, 0, 0)


@pytest.mark.parametrize("second", ["same", "upper", "mixed"])
def test_same_email_twice_is_409_case_insensitive(api, make_event, second):
    e = make_event(capacity=10)
    mail = email("dup")
    registered(api, e["id"], mail)
    again = {"same": mail, "upper": mail.upper(), "mixed": mail[0].upper() + mail[1:]}[second]
    problem(register(api, e["id"], again, name="Someone else"), 409, "conflict")
    assert counts(api, e["id"]) == (1, 0, 9)


def test_same_email_on_a_waitlist_is_409(api, make_event):
    e = make_event(capacity=1)
    registered(api, e["id"])
    mail = email("wl")
    assert registered(api, e["id"], mail)["status"] == "waitlisted"
    problem(register(api, e["id"], mail.upper()), 409, "conflict")
    assert counts(api, e["id"]) == (1, 1, 0)


def test_same_email_on_two_events_is_fine(api, make_event):
    a, b = make_event(), make_event()
    mail = email("two")
    registered(api, a["id"], mail)
    registered(api, b["id"], mail)


@pytest.mark.parametrize("bad", ["not-an-email", "a@b", "@example.org", "a b@example.org", "a@@example.org",
                                 "a@example.", "", "x" * 250 + "@example.org"])
def test_invalid_email_is_422(api, make_event, bad):
    e = make_event()
    assert "email" in invalid(register(api, e["id"], bad))
    assert counts(api, e["id"])[0] == 0


@pytest.mark.parametrize("body,field,code", [
    ({"email": "a@example.org"}, "name", "required"),
    ({"name": "A"}, "email", "required"),
    ({"name": "", "email": "a@example.org"}, "name", None),
    ({"name": "A", "email": "a@example.org", "status": "confirmed"}, "status", "read_only"),
    ({"name": "A", "email": "a@example.org", "position": 1}, "position", "read_only"),
    ({"name": "A", "email": "a@example.org", "cancel_token": "x"}, "cancel_token", None),
    ({"name": "A", "email": "a@example.org", "phone": "x"}, "phone", "unknown_field"),
])
def test_invalid_registration_body_is_422(api, make_event, body, field, code):
    e = make_event()
    errors = invalid(api.post(f"/v1/events/{e['id']}/registrations", body))
    assert field in errors
    if code:
        assert errors[field] == code


def test_known_company_is_kept(api, make_event, make_company):
    e = make_event()
    k = make_company()
    g = registered(api, e["id"], company_id=k["id"])
    assert g["company_id"] == k["id"]


def test_unknown_company_is_422(api, make_event):
    e = make_event()
    assert invalid(register(api, e["id"], company_id=MISSING)) == {"company_id": "unknown_reference"}
    assert counts(api, e["id"])[0] == 0


def test_cancelled_event_is_409(api, admin_key, make_event):
    e = make_event(capacity=10)
    registered(api, e["id"])
    r = api.patch(f"/v1/events/{e['id']}", {"status": "cancelled"}, key=admin_key)
    assert r.status_code == 200, r.text
    problem(register(api, e["id"]), 409, "conflict")
    assert counts(api, e["id"]) == (1, 0, 9)


@pytest.mark.parametrize("starts,ends", [(dict(hours=-1), dict(hours=1)), (dict(days=-2), dict(days=-1))],
                         ids=["started", "past"])
def test_started_or_past_event_is_409(api, make_event, starts, ends):
    e = make_event(starts_at=utc_in(**starts), ends_at=utc_in(**ends))
    problem(register(api, e["id"]), 409, "conflict")
    assert counts(api, e["id"])[0] == 0


def test_closed_registrations_are_409(api, make_event):
    e = make_event(registration_closes_at=utc_in(minutes=-1))
    problem(register(api, e["id"]), 409, "conflict")
    assert counts(api, e["id"])[0] == 0


def test_registrations_open_until_closing_time(api, make_event):
    e = make_event(registration_closes_at=utc_in(days=1))
    assert registered(api, e["id"])["status"] == "confirmed"


def test_unknown_event_is_404(api):
    problem(register(api, MISSING), 404, "not_found")
    problem(register(api, "not-a-uuid"), 404, "not_found")


def test_non_public_event_is_404_anonymously(api, reader_key, make_event):
    e = make_event(public=False)
    problem(register(api, e["id"]), 404, "not_found")
    assert event(api, e["id"], key=reader_key)["registered_count"] == 0


def test_registration_with_a_key(api, reader_key, make_event):
    e = make_event(public=False, capacity=3)
    g = registered(api, e["id"], key=reader_key)
    assert g["status"] == "confirmed"
    assert event(api, e["id"], key=reader_key)["registered_count"] == 1


def test_registration_with_a_bad_key_is_401(api, make_event):
    e = make_event()
    problem(register(api, e["id"], key="grappe_" + "A" * 43), 401, "unauthorized")
    assert counts(api, e["id"])[0] == 0


# ---- concurrency ----

def _storm(api, eid, n):
    barrier = threading.Barrier(n)
    word = unique_word("")

    def one(i):
        barrier.wait(timeout=60)
        r = api.post(f"/v1/events/{eid}/registrations", {"name": f"Person {i}", "email": f"p{i}.{word}@example.org"})
        return r.status_code, r.json()

    with ThreadPoolExecutor(n) as ex:
        return list(ex.map(one, range(n)))


def test_200_concurrent_registrations_never_exceed_capacity(api, reader_key, make_event):
    e = make_event(capacity=10)
    results = _storm(api, e["id"], 200)
    assert sorted({s for s, _ in results}) == [201], sorted(s for s, _ in results)
    bodies = [b for _, b in results]
    confirmed = [b for b in bodies if b["status"] == "confirmed"]
    waitlisted = [b for b in bodies if b["status"] == "waitlisted"]
    assert len(confirmed) == 10
    assert len(waitlisted) == 190
    assert all(b["position"] is None for b in confirmed)
    positions = [b["position"] for b in waitlisted]
    assert len(set(positions)) == 190
    assert all(isinstance(p, int) and p >= 1 for p in positions)
    assert counts(api, e["id"]) == (10, 190, 0)
    listed = regs(api, e["id"], reader_key)
    assert len(listed) == 200
    assert sorted(r["id"] for r in listed.values() if r["status"] == "confirmed") == sorted(b["id"] for b in confirmed)
    assert {r["id"]: r["position"] for r in listed.values() if r["status"] == "waitlisted"} == \
        {b["id"]: b["position"] for b in waitlisted}


def test_200_concurrent_registrations_without_waitlist(api, reader_key, make_event):
    e = make_event(capacity=10, waitlist=False)
    results = _storm(api, e["id"], 200)
    statuses = [s for s, _ in results]
    assert statuses.count(201) == 10, sorted(statuses)
    assert statuses.count(409) == 190, sorted(statuses)
    assert all(b["code"] == "conflict" for s, b in results if s == 409)
    assert all(b["status"] == "confirmed" for s, b in results if s == 201)
    assert counts(api, e["id"]) == (10, 0, 0)
    assert len(regs(api, e["id"], reader_key)) == 10


# ---- cancellation ----

@pytest.fixture
def full_event(api, make_event):
    """An event of demo cluster 01 with capacity 2: two confirmed (c1, c2) and three
    waitlisted (w1, w2, w3 at positions 1, 2, 3)."""
    e = make_event(capacity=2)
    people = {name: registered(api, e["id"], email(name)) for name in ("c1", "c2", "w1", "w2", "w3")}
    assert [people[n]["position"] for n in ("w1", "w2", "w3")] == [1, 2, 3]
    return e, people


def test_cancel_with_token_confirms_the_lowest_waitlisted(api, reader_key, full_event):
    e, p = full_event
    eid = e["id"]
    # a waitlisted one leaves first: nobody is promoted
    r = cancel(api, eid, p["w1"]["id"], p["w1"]["cancel_token"])
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert counts(api, eid) == (2, 2, 0)
    # a confirmed one leaves: w2 (lowest remaining position) takes the seat
    assert cancel(api, eid, p["c1"]["id"], p["c1"]["cancel_token"]).status_code == 204
    assert counts(api, eid) == (2, 1, 0)
    listed = regs(api, eid, reader_key, status="active,cancelled")
    assert listed[p["w2"]["id"]]["status"] == "confirmed" and listed[p["w2"]["id"]]["position"] is None
    assert listed[p["w3"]["id"]]["status"] == "waitlisted" and listed[p["w3"]["id"]]["position"] == 3
    assert listed[p["c2"]["id"]]["status"] == "confirmed"
    for n in ("c1", "w1"):
        assert listed[p[n]["id"]]["status"] == "cancelled"
        assert listed[p[n]["id"]]["cancelled_at"] is not None
    assert listed[p["c2"]["id"]]["cancelled_at"] is None


def test_cancel_again_is_404(api, full_event):
    e, p = full_event
    assert cancel(api, e["id"], p["c1"]["id"], p["c1"]["cancel_token"]).status_code == 204
    problem(cancel(api, e["id"], p["c1"]["id"], p["c1"]["cancel_token"]), 404, "not_found")
    assert counts(api, e["id"]) == (2, 2, 0)


@pytest.mark.parametrize("which", ["random", "another_registrations", "empty"])
def test_wrong_token_is_403_and_nothing_changes(api, reader_key, full_event, which):
    e, p = full_event
    before = regs(api, e["id"], reader_key)
    token = {"random": "A" * 43, "another_registrations": p["c2"]["cancel_token"], "empty": ""}[which]
    problem(cancel(api, e["id"], p["c1"]["id"], token), 403, "forbidden")
    assert regs(api, e["id"], reader_key) == before
    assert counts(api, e["id"]) == (2, 3, 0)


def test_no_token_anonymously_is_401(api, reader_key, full_event):
    e, p = full_event
    r = cancel(api, e["id"], p["c1"]["id"])
    problem(r, 401, "unauthorized")
    assert counts(api, e["id"]) == (2, 3, 0)


def test_reader_without_token_is_403(api, reader_key, full_event):
    # A key that may not cancel without a token: authenticated, not allowed (401 is for a
    # caller without a key).
    e, p = full_event
    problem(cancel(api, e["id"], p["c1"]["id"], key=reader_key), 403, "forbidden")
    assert counts(api, e["id"]) == (2, 3, 0)


def test_organisers_manager_cancels_without_token(api, manager_key, full_event):
    e, p = full_event
    assert cancel(api, e["id"], p["c2"]["id"], key=manager_key).status_code == 204
    assert counts(api, e["id"]) == (2, 2, 0)


def test_admin_cancels_without_token(api, admin_key, full_event):
    e, p = full_event
    assert cancel(api, e["id"], p["w3"]["id"], key=admin_key).status_code == 204
    assert cancel(api, e["id"], p["c1"]["id"], key=admin_key).status_code == 204
    assert counts(api, e["id"]) == (2, 1, 0)


def test_manager_of_another_cluster_cannot_cancel(api, reader_key, manager02_key, full_event):
    e, p = full_event
    before = regs(api, e["id"], reader_key)
    problem(cancel(api, e["id"], p["c1"]["id"], key=manager02_key), 403, "forbidden")
    assert regs(api, e["id"], reader_key) == before


def test_registrant_cancels_with_token_even_with_a_key(api, manager02_key, full_event):
    e, p = full_event
    assert cancel(api, e["id"], p["c1"]["id"], p["c1"]["cancel_token"], key=manager02_key).status_code == 204


def test_cancel_unknown_registration_is_404(api, admin_key, full_event, make_event):
    e, p = full_event
    problem(cancel(api, e["id"], MISSING, key=admin_key), 404, "not_found")
    problem(cancel(api, e["id"], "not-a-uuid", key=admin_key), 404, "not_found")
    problem(cancel(api, MISSING, p["c1"]["id"], p["c1"]["cancel_token"]), 404, "not_found")
    other = make_event()
    problem(cancel(api, other["id"], p["c1"]["id"], p["c1"]["cancel_token"]), 404, "not_found")
    assert counts(api, e["id"]) == (2, 3, 0)


def test_cancelled_registrant_can_register_again(api, make_event):
    e = make_event(capacity=5)
    mail = email("back")
    first = registered(api, e["id"], mail)
    assert cancel(api, e["id"], first["id"], first["cancel_token"]).status_code == 204
    again = registered(api, e["id"], mail.upper())
    assert again["id"] != first["id"]
    assert again["status"] == "confirmed"
    assert again["cancel_token"] != first["cancel_token"]
    assert counts(api, e["id"]) == (1, 0, 4)


def test_waitlist_positions_are_never_reused(api, full_event):
    e, p = full_event
    assert cancel(api, e["id"], p["w3"]["id"], p["w3"]["cancel_token"]).status_code == 204
    assert registered(api, e["id"])["position"] == 4


# ---- capacity changes ----

def test_lowering_capacity_below_confirmed_is_409_and_unchanged(api, admin_key, make_event):
    e = make_event(capacity=3)
    for _ in range(3):
        registered(api, e["id"])
    before = event(api, e["id"])
    problem(api.patch(f"/v1/events/{e['id']}", {"capacity": 2}, key=admin_key), 409, "conflict")
    assert event(api, e["id"]) == before


def test_lowering_capacity_to_confirmed_count_is_allowed(api, admin_key, make_event):
    e = make_event(capacity=5)
    for _ in range(3):
        registered(api, e["id"])
    r = api.patch(f"/v1/events/{e['id']}", {"capacity": 3}, key=admin_key)
    assert r.status_code == 200, r.text
    assert (r.json()["registered_count"], r.json()["remaining"]) == (3, 0)
    assert registered(api, e["id"])["status"] == "waitlisted"


def test_raising_capacity_confirms_waitlisted_in_order(api, admin_key, reader_key, make_event):
    e = make_event(capacity=1)
    first = registered(api, e["id"])
    wl = [registered(api, e["id"]) for _ in range(4)]
    assert [w["position"] for w in wl] == [1, 2, 3, 4]
    r = api.patch(f"/v1/events/{e['id']}", {"capacity": 3}, key=admin_key)
    assert r.status_code == 200, r.text
    u = r.json()
    assert (u["capacity"], u["registered_count"], u["waitlist_count"], u["remaining"]) == (3, 3, 2, 0)
    assert u == event(api, e["id"])
    listed = regs(api, e["id"], reader_key)
    assert listed[first["id"]]["status"] == "confirmed"
    assert [listed[w["id"]]["status"] for w in wl] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [listed[w["id"]]["position"] for w in wl] == [None, None, 3, 4]


def test_unlimited_capacity_confirms_the_whole_waitlist(api, admin_key, make_event):
    e = make_event(capacity=1)
    for _ in range(4):
        registered(api, e["id"])
    r = api.patch(f"/v1/events/{e['id']}", {"capacity": None}, key=admin_key)
    assert r.status_code == 200, r.text
    u = r.json()
    assert (u["capacity"], u["registered_count"], u["waitlist_count"], u["remaining"]) == (None, 4, 0, None)


# ---- personal data ----

@pytest.fixture
def mixed_event(api, make_event):
    """An event of demo cluster 01, capacity 1: a confirmed, b waitlisted, c cancelled."""
    e = make_event(capacity=1)
    a = registered(api, e["id"], email("a"), name="Anne")
    b = registered(api, e["id"], email("b"), name="Bruno")
    c = registered(api, e["id"], email("c"), name="Chloé")
    assert cancel(api, e["id"], c["id"], c["cancel_token"]).status_code == 204
    return e, a, b, c


def test_registrations_are_not_for_anonymous_callers(api, mixed_event):
    e, *_ = mixed_event
    r = api.get(f"/v1/events/{e['id']}/registrations")
    problem(r, 401, "unauthorized")
    assert "@" not in r.text


def test_manager_of_another_cluster_cannot_read_registrations(api, manager02_key, mixed_event):
    e, a, *_ = mixed_event
    r = api.get(f"/v1/events/{e['id']}/registrations", key=manager02_key)
    problem(r, 403, "forbidden")
    assert a["email"] not in r.text


def test_manager_cannot_read_registrations_of_network_wide_event(api, manager_key, make_event):
    e = make_event(organizer_cluster_id=None)
    mail = email("nw")
    registered(api, e["id"], mail)
    r = api.get(f"/v1/events/{e['id']}/registrations", key=manager_key)
    problem(r, 403, "forbidden")
    assert mail not in r.text


@pytest.mark.parametrize("who", ["reader", "admin", "manager"])
def test_reader_admin_and_organisers_manager_read_registrations(api, request, mixed_event, who):
    key = request.getfixturevalue(f"{who}_key")
    e, a, b, c = mixed_event
    r = api.get(f"/v1/events/{e['id']}/registrations", key=key)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["id"] for i in items] == [a["id"], b["id"]]
    ia, ib = items
    assert (ia["name"], ia["email"], ia["status"], ia["position"]) == ("Anne", a["email"], "confirmed", None)
    assert (ib["name"], ib["email"], ib["status"], ib["position"]) == ("Bruno", b["email"], "waitlisted", 1)
    assert ia["event_id"] == e["id"] and ia["cancelled_at"] is None
    for i in items:
        assert not any("token" in k or "hash" in k for k in i), i.keys()
    for g in (a, b, c):
        assert g["cancel_token"] not in r.text
    assert "cancel_token" not in r.text


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_registration_exports_carry_no_tokens(api, reader_key, mixed_event, fmt):
    e, a, b, c = mixed_event
    for status, people in (("active", (a, b)), ("cancelled", (c,))):
        r = api.get(f"/v1/events/{e['id']}/registrations", params={"format": fmt, "status": status}, key=reader_key)
        assert r.status_code == 200, r.text
        for g in people:
            assert g["email"] in r.text
        for g in (a, b, c):
            assert g["cancel_token"] not in r.text
        assert "token" not in r.text and "hash" not in r.text


@pytest.mark.parametrize("status,expected", [(None, "ab"), ("active", "ab"), ("confirmed", "a"),
                                             ("waitlisted", "b"), ("cancelled", "c"), ("active,cancelled", "abc"),
                                             ("confirmed,cancelled", "ac"), ("waitlisted,confirmed", "ab")])
def test_registrations_status_filter(api, reader_key, mixed_event, status, expected):
    e, a, b, c = mixed_event
    params = {"status": status} if status else {}
    r = api.get(f"/v1/events/{e['id']}/registrations", params=params, key=reader_key)
    assert r.status_code == 200, r.text
    by = {a["id"]: "a", b["id"]: "b", c["id"]: "c"}
    assert "".join(sorted(by[i["id"]] for i in r.json()["items"])) == expected
    if status == "cancelled":
        assert r.json()["items"][0]["cancelled_at"] is not None


def test_bad_registrations_status_is_400(api, reader_key, mixed_event):
    e, *_ = mixed_event
    # OpenAPI (RegistrationStatus): active, confirmed, waitlisted, cancelled, comma-separated.
    for bad in ("gone", "all", "Confirmed", "active,gone"):
        problem(api.get(f"/v1/events/{e['id']}/registrations", params={"status": bad}, key=reader_key), 400,
                "invalid_query")


def test_registrations_of_unknown_event_is_404(api, reader_key):
    problem(api.get(f"/v1/events/{MISSING}/registrations", key=reader_key), 404, "not_found")


def test_event_representations_never_show_registrant_emails(api, reader_key, mixed_event):
    e, a, b, c = mixed_event
    mails = [g["email"].lower() for g in (a, b, c)]
    word_params = {"cluster": DEMO_01, "limit": 500}
    bodies = [api.get(f"/v1/events/{e['id']}"), api.get(f"/v1/events/{e['id']}", key=reader_key),
              api.get(f"/v1/events/{e['id']}", headers={"Accept": "text/calendar"}, key=reader_key)]
    for fmt in ("json", "csv", "geojson", "ndjson", "ics"):
        bodies.append(api.get("/v1/events", params={**word_params, "format": fmt}))
        bodies.append(api.get("/v1/events", params={**word_params, "format": fmt}, key=reader_key))
    for r in bodies:
        assert r.status_code == 200, r.text
        text = r.content.decode("utf-8").lower()
        for m in mails:
            assert m not in text
        assert "cancel_token" not in text
    assert e["id"] in api.get("/v1/events", params={**word_params, "format": "ndjson"}).text


# ---- rate limit ----

@pytest.fixture(scope="module")
def limited_api(grappe_bin, database_url, checker, tmp_path_factory):
    """A second server with GRAPPE_REGISTRATION_RATE=3, for this module only."""
    log = tmp_path_factory.mktemp("grappe-limited") / "grappe.log"
    srv = start_extra_server(grappe_bin, database_url, log, GRAPPE_REGISTRATION_RATE=3)
    yield Api(srv.base_url, checker)
    stop_extra_server(srv)


def _fresh_window(margin=8):
    """Waits, if need be, so that the next `margin` seconds stay in one minute window."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.2)


def test_anonymous_registrations_past_the_limit_are_429(api, limited_api, admin_key, reader_key, make_event):
    e = make_event(capacity=50)
    _fresh_window()
    remaining = []
    for i in range(3):
        r = register(limited_api, e["id"])
        assert r.status_code == 201, r.text
        assert r.headers["RateLimit-Limit"] == "3"
        remaining.append(int(r.headers["RateLimit-Remaining"]))
        assert 0 < int(r.headers["RateLimit-Reset"]) <= 60
    assert remaining == [2, 1, 0]
    r = register(limited_api, e["id"])
    problem(r, 429, "too_many_requests")
    assert r.headers["RateLimit-Limit"] == "3"
    assert r.headers["RateLimit-Remaining"] == "0"
    reset = int(r.headers["RateLimit-Reset"])
    assert 0 < reset <= 60
    assert 0 < int(r.headers["Retry-After"]) <= 60
    assert counts(api, e["id"])[0] == 3
    # the limit is per client address and route, not per event
    other = make_event()
    problem(register(limited_api, other["id"]), 429, "too_many_requests")
    assert counts(api, other["id"])[0] == 0
    # reads are not limited
    assert limited_api.get(f"/v1/events/{e['id']}").status_code == 200


def test_registrations_with_a_key_are_not_limited(api, limited_api, reader_key, make_event):
    e = make_event(capacity=50)
    _fresh_window()
    anonymous = [register(limited_api, e["id"]).status_code for _ in range(4)]  # exhaust the anonymous budget
    assert anonymous[-1] == 429, anonymous
    for _ in range(5):
        r = register(limited_api, e["id"], key=reader_key)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "confirmed"
    assert counts(api, e["id"])[0] == anonymous.count(201) + 5
