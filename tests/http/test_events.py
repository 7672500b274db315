"""Events: create with defaults, validation (ends_at after starts_at as instants, code
lists), who may write which events (organiser's manager, network-wide events for admins),
visibility of non-public events, list filters, sorts and formats."""

import csv
import datetime
import io
import json
import re

import pytest

from conftest import DEMO_01, DEMO_02, problem, utc_in

ETAG_RE = re.compile(r'^"[0-9a-f]{32}"$')
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
MISSING = "00000000-0000-4000-8000-000000000000"


def invalid(r):
    """The {field: code} map of a 422."""
    body = problem(r, 422, "validation_failed")
    return {e["field"]: e["code"] for e in body.get("errors") or []}


def instant(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def get_event(api, eid, key=None):
    r = api.get(f"/v1/events/{eid}", key=key)
    assert r.status_code == 200, r.text
    return r.json()


def titles_matching(api, admin_key, word):
    """Titles of every event whose text matches word (admin: non-public ones too)."""
    r = api.get("/v1/events", params={"q": word, "limit": 500}, key=admin_key)
    assert r.status_code == 200, r.text
    return [e["title"] for e in r.json()["items"]]


# ---- create ----

def test_create_answers_201_with_location_etag_and_defaults(api, admin_key, event_payload):
    body = event_payload(capacity=25, description="Atelier décolletage",
                         venue={"name": "Maison du décolletage", "city": "Cluses", "postal_code": "74300"},
                         location={"lat": 46.0606, "lon": 6.5797})
    r = api.post("/v1/events", body, key=admin_key)
    assert r.status_code == 201, r.text
    e = r.json()
    try:
        assert UUID_RE.match(e["id"])
        assert r.headers["Location"] == f"/v1/events/{e['id']}"
        assert ETAG_RE.match(r.headers["ETag"])
        assert e["title"] == body["title"] and e["kind"] == "training"
        assert e["organizer_cluster_id"] == DEMO_01
        assert e["mode"] == "in_person"
        assert e["waitlist"] is True
        assert e["status"] == "scheduled"
        assert e["public"] is True
        assert e["capacity"] == 25
        assert e["remaining"] == 25
        assert e["registered_count"] == 0
        assert e["waitlist_count"] == 0
        assert e["online_url"] is None and e["registration_closes_at"] is None
        assert e["venue"]["city"] == "Cluses" and e["venue"]["name"] == "Maison du décolletage"
        assert e["location"] == {"lat": 46.0606, "lon": 6.5797}
        assert e["version"] == 1
        assert UTC_RE.match(e["starts_at"]) and UTC_RE.match(e["ends_at"])
        assert instant(e["starts_at"]) == instant(body["starts_at"])
        assert instant(e["ends_at"]) == instant(body["ends_at"])
        again = api.get(r.headers["Location"])
        assert again.status_code == 200
        assert again.json() == e
        assert again.headers["ETag"] == r.headers["ETag"]
    finally:
        api.delete(f"/v1/events/{e['id']}", key=admin_key)


def test_event_without_capacity_has_null_remaining(make_event):
    e = make_event()
    assert e["capacity"] is None
    assert e["remaining"] is None
    assert e["registered_count"] == 0 and e["waitlist_count"] == 0


def test_get_with_if_none_match_is_304(api, make_event):
    e = make_event()
    r = api.get(f"/v1/events/{e['id']}")
    r2 = api.get(f"/v1/events/{e['id']}", headers={"If-None-Match": r.headers["ETag"]})
    assert r2.status_code == 304
    assert r2.content == b""


def test_unknown_or_malformed_event_id_is_404(api):
    problem(api.get(f"/v1/events/{MISSING}"), 404, "not_found")
    problem(api.get("/v1/events/not-a-uuid"), 404, "not_found")


@pytest.mark.parametrize("ends", ["2031-05-04T10:00:00Z", "2031-05-04T09:59:59Z", "2031-05-03T12:00:00Z"])
def test_ends_at_not_after_starts_at_is_422(api, admin_key, event_payload, unique, ends):
    word = unique()
    r = api.post("/v1/events", event_payload(title=f"Bad {word}", starts_at="2031-05-04T10:00:00Z", ends_at=ends),
                 key=admin_key)
    assert invalid(r) == {"ends_at": "out_of_range"}
    assert titles_matching(api, admin_key, word) == []


def test_ends_at_is_compared_as_an_instant_across_offsets(make_event):
    # 10:00+02:00 is 08:00Z, so 09:30Z is after it although "09:30" < "10:00".
    e = make_event(starts_at="2031-05-04T10:00:00+02:00", ends_at="2031-05-04T09:30:00Z")
    assert instant(e["starts_at"]) == datetime.datetime(2031, 5, 4, 8, 0, tzinfo=datetime.timezone.utc)
    assert instant(e["ends_at"]) == datetime.datetime(2031, 5, 4, 9, 30, tzinfo=datetime.timezone.utc)
    assert e["starts_at"].endswith("Z") and e["starts_at"].startswith("2031-05-04T08:00:00")


def test_ends_before_start_across_offsets_is_422(api, admin_key, event_payload):
    # 10:00+02:00 is 08:00Z: 07:30Z is before it although "07:30Z" looks fine next to "10:00".
    r = api.post("/v1/events", event_payload(starts_at="2031-05-04T10:00:00+02:00", ends_at="2031-05-04T07:30:00Z"),
                 key=admin_key)
    assert invalid(r) == {"ends_at": "out_of_range"}


@pytest.mark.parametrize("field,value", [("kind", "party"), ("kind", "Training"), ("kind", ""),
                                         ("mode", "remote"), ("mode", "IN_PERSON"), ("status", "postponed")])
def test_bad_code_list_values_are_422(api, admin_key, event_payload, field, value):
    r = api.post("/v1/events", event_payload(**{field: value}), key=admin_key)
    assert invalid(r) == {field: "invalid_value"}


@pytest.mark.parametrize("field", ["title", "kind", "starts_at", "ends_at"])
def test_missing_required_field_is_422(api, admin_key, event_payload, field):
    body = event_payload()
    del body[field]
    assert invalid(api.post("/v1/events", body, key=admin_key)).get(field) == "required"


@pytest.mark.parametrize("field,value", [("registered_count", 0), ("waitlist_count", 0), ("remaining", 5),
                                         ("id", MISSING), ("version", 1)])
def test_read_only_fields_are_422(api, admin_key, event_payload, field, value):
    assert invalid(api.post("/v1/events", event_payload(**{field: value}), key=admin_key)) == {field: "read_only"}


@pytest.mark.parametrize("field,value", [("capacity", 0), ("capacity", -3), ("capacity", "ten"),
                                         ("online_url", "ftp://x.example"), ("waitlist", "yes"),
                                         ("public", None), ("starts_at", "2031-13-01T00:00:00Z"), ("bogus", 1)])
def test_invalid_values_are_422(api, admin_key, event_payload, field, value):
    assert field in invalid(api.post("/v1/events", event_payload(**{field: value}), key=admin_key))


def test_unknown_organizer_is_422_unknown_reference(api, admin_key, event_payload):
    # OpenAPI (createEvent): "an unknown organising cluster (unknown_reference)".
    r = api.post("/v1/events", event_payload(organizer_cluster_id=MISSING), key=admin_key)
    assert invalid(r) == {"organizer_cluster_id": "unknown_reference"}


# ---- who writes which events ----

@pytest.mark.parametrize("how", ["null", "absent"])
def test_admin_creates_network_wide_event(api, admin_key, event_payload, how):
    body = event_payload()
    if how == "null":
        body["organizer_cluster_id"] = None
    else:
        del body["organizer_cluster_id"]
    r = api.post("/v1/events", body, key=admin_key)
    assert r.status_code == 201, r.text
    e = r.json()
    api.delete(f"/v1/events/{e['id']}", key=admin_key)
    assert e["organizer_cluster_id"] is None


def test_manager_creates_events_of_its_cluster(api, manager_key, make_event):
    e = make_event(key=manager_key)
    assert e["organizer_cluster_id"] == DEMO_01


def test_manager_cannot_create_events_of_another_cluster(api, admin_key, manager_key, event_payload, unique):
    word = unique()
    r = api.post("/v1/events", event_payload(title=f"Other {word}", organizer_cluster_id=DEMO_02), key=manager_key)
    problem(r, 403, "forbidden")
    assert titles_matching(api, admin_key, word) == []


@pytest.mark.parametrize("how", ["null", "absent"])
def test_manager_cannot_create_network_wide_event(api, admin_key, manager_key, event_payload, unique, how):
    word = unique()
    body = event_payload(title=f"Network {word}")
    if how == "null":
        body["organizer_cluster_id"] = None
    else:
        del body["organizer_cluster_id"]
    problem(api.post("/v1/events", body, key=manager_key), 403, "forbidden")
    assert titles_matching(api, admin_key, word) == []


def test_reader_cannot_create_event(api, reader_key, event_payload):
    problem(api.post("/v1/events", event_payload(), key=reader_key), 403, "forbidden")


def test_anonymous_cannot_create_event(api, event_payload):
    r = api.post("/v1/events", event_payload())
    problem(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_manager_patches_its_event(api, manager_key, make_event):
    e = make_event(key=manager_key, capacity=10)
    r = api.patch(f"/v1/events/{e['id']}", {"title": "Renamed by its manager", "capacity": 12}, key=manager_key)
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["title"] == "Renamed by its manager" and u["capacity"] == 12 and u["remaining"] == 12
    assert u["version"] == e["version"] + 1
    assert ETAG_RE.match(r.headers["ETag"])
    assert get_event(api, e["id"]) == u


def test_manager_cannot_patch_another_clusters_event(api, manager_key, make_event):
    e = make_event(organizer_cluster_id=DEMO_02)
    problem(api.patch(f"/v1/events/{e['id']}", {"title": "Hijacked"}, key=manager_key), 403, "forbidden")
    assert get_event(api, e["id"]) == e


def test_manager_cannot_patch_network_wide_event(api, manager_key, make_event):
    e = make_event(organizer_cluster_id=None)
    problem(api.patch(f"/v1/events/{e['id']}", {"title": "Hijacked"}, key=manager_key), 403, "forbidden")
    assert get_event(api, e["id"]) == e


@pytest.mark.parametrize("target", [DEMO_02, None])
def test_manager_cannot_move_its_event_out_of_its_scope(api, manager_key, make_event, target):
    e = make_event(key=manager_key)
    r = api.patch(f"/v1/events/{e['id']}", {"organizer_cluster_id": target}, key=manager_key)
    problem(r, 403, "forbidden")
    assert get_event(api, e["id"]) == e


def test_admin_moves_an_event_to_another_cluster(api, admin_key, make_event):
    e = make_event()
    r = api.patch(f"/v1/events/{e['id']}", {"organizer_cluster_id": DEMO_02}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["organizer_cluster_id"] == DEMO_02


def test_reader_and_anonymous_cannot_patch_or_delete(api, reader_key, make_event):
    e = make_event()
    path = f"/v1/events/{e['id']}"
    problem(api.patch(path, {"title": "x"}, key=reader_key), 403, "forbidden")
    problem(api.patch(path, {"title": "x"}), 401, "unauthorized")
    problem(api.delete(path, key=reader_key), 403, "forbidden")
    problem(api.delete(path), 401, "unauthorized")
    assert get_event(api, e["id"]) == e


def test_manager_deletes_its_event_but_not_another_clusters(api, manager_key, make_event):
    mine = make_event(key=manager_key)
    theirs = make_event(organizer_cluster_id=DEMO_02)
    problem(api.delete(f"/v1/events/{theirs['id']}", key=manager_key), 403, "forbidden")
    assert get_event(api, theirs["id"]) == theirs
    r = api.delete(f"/v1/events/{mine['id']}", key=manager_key)
    assert r.status_code == 204, r.text
    problem(api.get(f"/v1/events/{mine['id']}"), 404, "not_found")


def test_patch_making_ends_at_before_starts_at_is_422_and_unchanged(api, admin_key, make_event):
    e = make_event(starts_at="2031-06-01T08:00:00Z", ends_at="2031-06-01T12:00:00Z")
    r = api.patch(f"/v1/events/{e['id']}", {"starts_at": "2031-06-01T13:00:00Z"}, key=admin_key)
    assert invalid(r) == {"ends_at": "out_of_range"}
    assert get_event(api, e["id"]) == e


def test_patch_with_stale_if_match_is_412(api, admin_key, make_event):
    e = make_event()
    path = f"/v1/events/{e['id']}"
    etag = api.get(path).headers["ETag"]
    assert api.patch(path, {"title": "First"}, key=admin_key, headers={"If-Match": etag}).status_code == 200
    problem(api.patch(path, {"title": "Second"}, key=admin_key, headers={"If-Match": etag}), 412,
            "precondition_failed")
    assert get_event(api, e["id"])["title"] == "First"


def test_patch_merges_venue(api, admin_key, make_event):
    e = make_event(venue={"name": "Salle A", "city": "Cluses"})
    r = api.patch(f"/v1/events/{e['id']}", {"venue": {"name": "Salle B"}}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["venue"]["name"] == "Salle B" and r.json()["venue"]["city"] == "Cluses"


# ---- visibility ----

def test_non_public_event_is_hidden_from_anonymous_callers(api, reader_key, make_event, unique):
    word = unique()
    hidden = make_event(title=f"Hidden {word}", public=False)
    shown = make_event(title=f"Shown {word}")
    assert hidden["public"] is False
    anon = api.get("/v1/events", params={"q": word}).json()["items"]
    assert [e["id"] for e in anon] == [shown["id"]]
    problem(api.get(f"/v1/events/{hidden['id']}"), 404, "not_found")
    assert api.get("/v1/events", params={"q": word, "count": "true"}).json()["total"] == 1
    nd = api.get("/v1/events", params={"q": word, "format": "ndjson"})
    assert hidden["id"] not in nd.text
    csv_text = api.get("/v1/events", params={"q": word, "format": "csv"}).text
    assert hidden["id"] not in csv_text


def test_non_public_event_is_visible_with_a_reader_key(api, reader_key, make_event, unique):
    word = unique()
    hidden = make_event(title=f"Hidden {word}", public=False)
    r = api.get(f"/v1/events/{hidden['id']}", key=reader_key)
    assert r.status_code == 200, r.text
    assert r.json() == hidden
    listed = api.get("/v1/events", params={"q": word}, key=reader_key).json()["items"]
    assert [e["id"] for e in listed] == [hidden["id"]]


# ---- filters and sorts ----

@pytest.fixture
def trio(make_event, make_cluster, unique):
    """Three events sharing a unique word: A (demo 01, region 84, training, in 10 days,
    décolletage), B (a new cluster of region 75, workshop, cancelled, in 20 days) and C
    (network-wide, conference, in 30 days)."""
    word = unique()
    other = make_cluster(region_codes=["75"])
    a = make_event(title=f"Alpha {word}", kind="training", organizer_cluster_id=DEMO_01,
                   starts_at=utc_in(days=10), ends_at=utc_in(days=10, hours=2),
                   description="Journée technique décolletage et usinage",
                   location={"lat": 46.06, "lon": 6.58})
    b = make_event(title=f"Bravo {word}", kind="workshop", organizer_cluster_id=other["id"],
                   starts_at=utc_in(days=20), ends_at=utc_in(days=20, hours=2), status="cancelled")
    c = make_event(title=f"Charlie {word}", kind="conference", organizer_cluster_id=None,
                   starts_at=utc_in(days=30), ends_at=utc_in(days=30, hours=2))
    return {"word": word, "A": a, "B": b, "C": c, "cluster": other["id"]}


def names(trio, items):
    by_id = {trio[k]["id"]: k for k in "ABC"}
    return [by_id.get(i["id"], "?") for i in items]


def listed(api, trio, **params):
    params.setdefault("q", trio["word"])
    r = api.get("/v1/events", params=params)
    assert r.status_code == 200, r.text
    return names(trio, r.json()["items"])


def test_from_keeps_events_ending_at_or_after_it(api, trio):
    assert listed(api, trio, **{"from": trio["B"]["ends_at"]}) == ["B", "C"]
    assert listed(api, trio, **{"from": utc_in(days=25)}) == ["C"]


def test_to_keeps_events_starting_at_or_before_it(api, trio):
    assert listed(api, trio, to=trio["B"]["starts_at"]) == ["A", "B"]
    assert listed(api, trio, to=utc_in(days=15)) == ["A"]


def test_from_and_to_combine(api, trio):
    assert listed(api, trio, **{"from": utc_in(days=15), "to": utc_in(days=25)}) == ["B"]


def test_from_accepts_offsets(api, trio):
    # B ends 20 days from now; the same instant written with +02:00.
    t = instant(trio["B"]["ends_at"]).astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert listed(api, trio, **{"from": t.isoformat()}) == ["B", "C"]


# ---- relative times (SPEC, Lists: from=now, from=now-7d) ----

@pytest.fixture
def timeline(make_event, unique):
    """Four events sharing a unique word around now: P ended 3 days ago, U is under way (began
    an hour ago, ends in an hour), S starts in 2 days, L in 5 weeks."""
    word = unique()

    def event(name, starts_at, ends_at):
        return make_event(title=f"{name} {word}", starts_at=starts_at, ends_at=ends_at)
    return {"word": word,
            "P": event("Past", utc_in(days=-3, hours=-2), utc_in(days=-3)),
            "U": event("Underway", utc_in(hours=-1), utc_in(hours=1)),
            "S": event("Soon", utc_in(days=2), utc_in(days=2, hours=3)),
            "L": event("Later", utc_in(weeks=5), utc_in(weeks=5, hours=3))}


def on_timeline(api, t, **params):
    r = api.get("/v1/events", params={"q": t["word"], **params})
    assert r.status_code == 200, r.text
    by_id = {t[k]["id"]: k for k in "PUSL"}
    return "".join(by_id.get(i["id"], "?") for i in r.json()["items"])


def test_from_now_keeps_the_events_to_come_and_under_way(api, timeline):
    assert on_timeline(api, timeline, **{"from": "now"}) == "USL"


def test_from_now_minus_days_reaches_back(api, timeline):
    assert on_timeline(api, timeline, **{"from": "now-7d"}) == "PUSL"
    assert on_timeline(api, timeline, **{"from": "now-2d"}) == "USL"
    assert on_timeline(api, timeline, **{"from": "now+2h"}) == "SL"


def test_to_takes_a_relative_time(api, timeline):
    assert on_timeline(api, timeline, to="now") == "PU"
    assert on_timeline(api, timeline, to="now+3d") == "PUS"
    assert on_timeline(api, timeline, **{"from": "now", "to": "now+1w"}) == "US"


@pytest.mark.parametrize("value,expected", [
    ("now-300000s", "PUSL"), ("now-250000s", "USL"),  # P ended 259,200 s ago
    ("now-5000m", "PUSL"), ("now-4000m", "USL"),
    ("now-80h", "PUSL"), ("now-70h", "USL"),
    ("now-1w", "PUSL"), ("now-0w", "USL"), ("now+0d", "USL"),
    ("now+34d", "L"), ("now+6w", ""),
])
def test_relative_time_units(api, timeline, value, expected):
    assert on_timeline(api, timeline, **{"from": value}) == expected


def test_a_plus_typed_in_the_url_is_a_plus(api, timeline):
    # '+' in a query string decodes to a space: now+3d typed as such means now%2B3d
    for to in ("now+3d", "now%2B3d", "now%203d"):
        r = api.raw("GET", f"/v1/events?q={timeline['word']}&to={to}")
        assert r.status_code == 200, r.text
        assert [i["id"] for i in r.json()["items"]] == [timeline[k]["id"] for k in "PUS"], to


def test_walking_pages_with_a_relative_time(api, timeline, list_all):
    items, pages = list_all("/v1/events", {"q": timeline["word"], "from": "now", "limit": 1})
    assert [i["id"] for i in items] == [timeline[k]["id"] for k in "USL"]
    assert pages == 3


def test_relative_time_in_the_calendar_feed(api, timeline):
    r = api.get("/v1/events", params={"q": timeline["word"], "from": "now", "format": "ics"})
    assert r.status_code == 200, r.text
    assert r.text.count("BEGIN:VEVENT") == 3


@pytest.mark.parametrize("param", ["from", "to", "updated_since"])
@pytest.mark.parametrize("value", ["now-7", "now-d", "now-7y", "now-7D", "NOW", "Now", "now--1d", "now-1.5d",
                                   "now - 1d", "now-1d ", "now+1000000s", "now-5218w", "nowish", "now-7d,now",
                                   "now-", "today", "yesterday"])
def test_malformed_relative_time_is_400(api, param, value):
    body = problem(api.get("/v1/events", params={param: value}), 400, "invalid_query")
    assert body["errors"][0]["field"] == param
    assert param in body["detail"]


def test_repeated_relative_times_are_400(api):
    r = api.raw("GET", "/v1/events?from=now&from=now-1d")
    problem(r, 400, "invalid_query")


def test_kind_filter(api, trio):
    assert listed(api, trio, kind="training,conference") == ["A", "C"]
    assert listed(api, trio, kind="workshop") == ["B"]
    assert listed(api, trio, kind="webinar") == []


def test_cluster_filter_matches_the_organiser(api, trio):
    assert listed(api, trio, cluster=DEMO_01) == ["A"]
    assert listed(api, trio, cluster=f"{DEMO_01},{trio['cluster']}") == ["A", "B"]
    assert listed(api, trio, cluster=DEMO_02) == []


def test_region_filter_matches_the_organisers_regions(api, trio):
    assert listed(api, trio, region="84") == ["A"]
    assert listed(api, trio, region="75") == ["B"]
    assert listed(api, trio, region="75,84") == ["A", "B"]
    assert listed(api, trio, region="11") == []


def test_status_filter(api, trio):
    assert listed(api, trio, status="cancelled") == ["B"]
    assert listed(api, trio, status="scheduled") == ["A", "C"]


@pytest.mark.parametrize("q", ["decolletage", "décolletage", "DÉCOLLETAGE", "Décolletage"])
def test_full_text_ignores_accents(api, trio, q):
    assert listed(api, trio, q=f"{q} {trio['word']}") == ["A"]


def test_full_text_matches_titles(api, trio):
    assert listed(api, trio, q=f"bravo {trio['word']}") == ["B"]


def test_updated_since(api, admin_key, trio):
    c = trio["C"]
    assert listed(api, trio, updated_since=c["updated_at"]) == ["C"]
    later = (instant(c["updated_at"]) + datetime.timedelta(microseconds=1)).isoformat()
    assert listed(api, trio, updated_since=later) == []
    r = api.patch(f"/v1/events/{trio['A']['id']}", {"capacity": 30}, key=admin_key)
    assert r.status_code == 200, r.text
    assert listed(api, trio, updated_since=later) == ["A"]


def test_default_sort_is_starts_at(api, trio):
    assert listed(api, trio) == ["A", "B", "C"]


@pytest.mark.parametrize("sort,expected", [("starts_at", "ABC"), ("-starts_at", "CBA"), ("title", "ABC"),
                                           ("-title", "CBA")])
def test_sorts(api, trio, sort, expected):
    assert listed(api, trio, sort=sort) == list(expected)


def test_title_sort_differs_from_starts_at(api, make_event, unique):
    word = unique()
    late = make_event(title=f"Aaa {word}", starts_at=utc_in(days=40), ends_at=utc_in(days=40, hours=1))
    early = make_event(title=f"Zzz {word}", starts_at=utc_in(days=5), ends_at=utc_in(days=5, hours=1))
    ids = lambda **p: [e["id"] for e in api.get("/v1/events", params={"q": word, **p}).json()["items"]]
    assert ids() == [early["id"], late["id"]]
    assert ids(sort="title") == [late["id"], early["id"]]
    assert ids(sort="-starts_at") == [late["id"], early["id"]]


def test_walk_with_limit_1(api, trio, list_all):
    items, pages = list_all("/v1/events", {"q": trio["word"], "limit": 1})
    assert names(trio, items) == ["A", "B", "C"]
    assert pages == 3


@pytest.mark.parametrize("param,value", [("kind", "party"), ("status", "postponed"), ("region", "8"),
                                         ("cluster", "not-a-uuid"), ("from", "tomorrow"), ("to", "2031-02-30T00:00:00Z"),
                                         ("updated_since", "x"), ("sort", "location"), ("sort", "capacity"),
                                         ("format", "xml"), ("bogus", "1")])
def test_bad_list_parameters_are_400(api, param, value):
    r = api.get("/v1/events", params={param: value})
    assert r.status_code in (400, 406), r.text
    if param == "format":
        problem(r, 406, "not_acceptable")
    else:
        problem(r, 400, "invalid_query")


# ---- formats ----

def test_csv_list(api, trio):
    r = api.get("/v1/events", params={"q": trio["word"], "format": "csv"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "text/csv"
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    header = rows[0]
    for col in ("id", "title", "kind", "organizer_cluster_id", "starts_at", "ends_at", "venue.city",
                "location.lat", "location.lon", "capacity", "registered_count", "waitlist_count", "remaining"):
        assert col in header, col
    assert "venue" not in header and "location" not in header
    assert [row[header.index("id")] for row in rows[1:]] == [trio[k]["id"] for k in "ABC"]
    assert r.content.endswith(b"\r\n")
    r2 = api.get("/v1/events", params={"q": trio["word"]}, headers={"Accept": "text/csv"})
    assert r2.content == r.content


def test_geojson_list(api, trio):
    r = api.get("/v1/events", params={"q": trio["word"], "format": "geojson"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "application/geo+json"
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    feats = fc["features"]
    assert [f["id"] for f in feats] == [trio[k]["id"] for k in "ABC"]
    assert feats[0]["geometry"] == {"type": "Point", "coordinates": [6.58, 46.06]}
    assert feats[1]["geometry"] is None and feats[2]["geometry"] is None
    assert "location" not in feats[0]["properties"]
    assert feats[0]["properties"]["title"] == trio["A"]["title"]
    r2 = api.get("/v1/events", params={"q": trio["word"]}, headers={"Accept": "application/geo+json"})
    assert r2.json()["features"] == feats


def test_ndjson_list_is_the_whole_result(api, trio):
    r = api.get("/v1/events", params={"q": trio["word"], "format": "ndjson", "limit": 1})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "application/x-ndjson"
    lines = [json.loads(l) for l in r.text.split("\n") if l]
    assert [e["id"] for e in lines] == [trio[k]["id"] for k in "ABC"]
    assert lines[0] == get_event(api, trio["A"]["id"])


def test_ics_list_format(api, trio):
    for r in (api.get("/v1/events", params={"q": trio["word"], "format": "ics"}),
              api.get("/v1/events", params={"q": trio["word"]}, headers={"Accept": "text/calendar"})):
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].split(";")[0] == "text/calendar"
        assert r.text.count("BEGIN:VEVENT") == 3
        for k in "ABC":
            assert f"UID:{trio[k]['id']}@grappe" in r.text


def test_unsupported_accept_is_406(api):
    problem(api.get("/v1/events", headers={"Accept": "application/xml"}), 406, "not_acceptable")
    problem(api.get(f"/v1/events/{MISSING}", headers={"Accept": "text/csv"}), 406, "not_acceptable")
