"""External ids (SPEC "External ids"): the external_ids object of clusters, companies,
partners, projects and events, the external_id=ns:value filter, and GET and PUT
/v1/<resource>/external/{ns}/{value} (an upsert like the SIRET one), for each resource:
create and replace, namespaces kept and removed, uniqueness, validation, preconditions,
idempotency, authorization, concurrency, deletion and the change feed."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import DEMO_01, DEMO_02, new_siret, problem, unique_word, utc_in

RESOURCES = ["clusters", "companies", "partners", "projects", "events"]
TYPES = {"clusters": "cluster", "companies": "company", "partners": "partner", "projects": "project",
         "events": "event"}
# a text field each resource has, to change between two PUTs
TEXT = {"clusters": "description", "companies": "description", "partners": "description", "projects": "summary",
        "events": "description"}


def minimal(resource, word, owner=DEMO_01):
    """A new object with its required fields only (owner: the lead or organising cluster)."""
    return {
        "clusters": {"name": f"Ext cluster {word}", "kind": "cluster"},
        "companies": {"name": f"Ext company {word}", "siret": new_siret()},
        "partners": {"name": f"Ext partner {word}", "kind": "other"},
        "projects": {"title": f"Ext project {word}", "category": "innovation", "lead_cluster_id": owner},
        "events": {"title": f"Ext event {word}", "kind": "training", "organizer_cluster_id": owner,
                   "starts_at": utc_in(days=30), "ends_at": utc_in(days=30, hours=4)},
    }[resource]


def whole(resource, word, owner=DEMO_01, **over):
    """A whole object: the required fields and those that have a default (a PUT replaces the
    whole object)."""
    body = minimal(resource, word, owner)
    body.update({
        "clusters": {"sectors": [], "region_codes": [], "department_codes": [], "status": "active", "labels": []},
        "projects": {"status": "idea", "cluster_ids": [], "companies": [], "partners": [], "funding": []},
        "events": {"mode": "in_person", "waitlist": True, "status": "scheduled", "public": True},
    }.get(resource, {}))
    body.update(over)
    return body


def ext_path(resource, ns, value):
    return f"/v1/{resource}/external/{ns}/{value}"


def found(api, resource, ns, value, key=None):
    """The items of ?external_id=ns:value."""
    r = api.get(f"/v1/{resource}", params={"external_id": f"{ns}:{value}"}, key=key)
    assert r.status_code == 200, r.text
    return r.json()["items"]


@pytest.fixture
def cleanup(api, admin_key):
    """cleanup(resource, id): deleted (as admin) at the end of the test; also takes a 201."""
    made = []

    def add(resource, obj_or_id):
        oid = obj_or_id if isinstance(obj_or_id, str) else obj_or_id["id"]
        made.append((resource, oid))
        return obj_or_id
    yield add
    for resource, oid in reversed(made):
        api.delete(f"/v1/{resource}/{oid}", key=admin_key)


@pytest.fixture
def put(api, admin_key, cleanup):
    """put(resource, ns, value, body, key=admin, **kw) -> the response; a 201's object is
    deleted afterwards."""
    def run(resource, ns, value, body, key=admin_key, **kw):
        r = api.put(ext_path(resource, ns, value), body, key=key, **kw)
        if r.status_code == 201:
            cleanup(resource, r.json())
        return r
    return run


def ns_word():
    return unique_word("ns")


# ---- create, replace, read -------------------------------------------------------------

@pytest.mark.parametrize("resource", RESOURCES)
def test_put_creates_then_replaces_and_reads_back(api, put, resource):
    ns, value, word = ns_word(), f"V-{unique_word()}", unique_word()
    body = whole(resource, word)
    r1 = put(resource, ns, value, body)
    assert r1.status_code == 201, r1.text
    obj = r1.json()
    assert r1.headers["Location"] == f"/v1/{resource}/{obj['id']}"
    assert obj["external_ids"] == {ns: value}
    assert obj["version"] == 1

    r2 = put(resource, ns, value, dict(body, **{TEXT[resource]: f"Replaced {word}"}))
    assert r2.status_code == 200, r2.text
    assert "Location" not in r2.headers
    obj2 = r2.json()
    assert obj2["id"] == obj["id"] and obj2["version"] == 2
    assert obj2[TEXT[resource]] == f"Replaced {word}"
    assert obj2["external_ids"] == {ns: value}

    by_ext = api.get(ext_path(resource, ns, value))
    by_id = api.get(f"/v1/{resource}/{obj['id']}")
    assert by_ext.status_code == 200 and by_id.status_code == 200
    assert by_ext.json() == by_id.json() == obj2
    assert by_ext.headers["ETag"] == by_id.headers["ETag"] == r2.headers["ETag"]
    assert api.get(ext_path(resource, ns, value), headers={"If-None-Match": by_id.headers["ETag"]}).status_code == 304
    assert found(api, resource, ns, value) == [obj2]
    assert found(api, resource, ns, value + "x") == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_put_with_the_required_fields_only_clears_the_others(api, put, resource):
    """A PUT is the whole object: what it lacks is cleared (null, or the field's default),
    as the SIRET upsert does; a minimal body is a valid one."""
    ns, value = ns_word(), unique_word()
    r = put(resource, ns, value, minimal(resource, unique_word()))
    assert r.status_code == 201, r.text
    assert r.json()["external_ids"] == {ns: value}
    r = put(resource, ns, value, minimal(resource, unique_word()))
    assert r.status_code == 200, r.text


def test_put_value_is_a_path_segment(api, put):
    """Values with spaces, slashes and accents go percent-encoded in the path."""
    ns, word = ns_word(), unique_word()
    value = f"C 001/é {word}"
    r = put("partners", ns, f"C%20001%2F%C3%A9%20{word}", whole("partners", word))
    assert r.status_code == 201, r.text
    assert r.json()["external_ids"] == {ns: value}
    assert found(api, "partners", ns, value) == [r.json()]


@pytest.mark.parametrize("resource", RESOURCES)
def test_namespaces_not_named_are_kept_and_null_removes_one(api, admin_key, put, resource):
    ns1, ns2, ns3 = ns_word(), ns_word(), ns_word()
    v1, v2, v3 = unique_word(), unique_word(), unique_word()
    body = whole(resource, unique_word())
    obj = put(resource, ns1, v1, body).json()
    r = api.patch(f"/v1/{resource}/{obj['id']}", {"external_ids": {ns2: v2}}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["external_ids"] == {ns1: v1, ns2: v2}
    # a PUT that names only ns1 (in the path) keeps ns2
    r = put(resource, ns1, v1, body)
    assert r.status_code == 200, r.text
    assert r.json()["external_ids"] == {ns1: v1, ns2: v2}
    # one that names ns3 in the body adds it, and keeps ns2
    r = put(resource, ns1, v1, dict(body, external_ids={ns3: v3}))
    assert r.status_code == 200, r.text
    assert r.json()["external_ids"] == {ns1: v1, ns2: v2, ns3: v3}
    assert [i["id"] for i in found(api, resource, ns2, v2)] == [obj["id"]]
    # PATCH with null removes ns2 only
    r = api.patch(f"/v1/{resource}/{obj['id']}", {"external_ids": {ns2: None}}, key=admin_key)
    assert r.status_code == 200, r.text
    assert r.json()["external_ids"] == {ns1: v1, ns3: v3}
    problem(api.get(ext_path(resource, ns2, v2)), 404, "not_found")
    assert found(api, resource, ns2, v2) == []
    # and its value is free for another row
    r = put(resource, ns2, v2, whole(resource, unique_word()))
    assert r.status_code == 201, r.text
    assert r.json()["id"] != obj["id"]
    assert api.get(f"/v1/{resource}/{obj['id']}").json()["external_ids"] == {ns1: v1, ns3: v3}


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_value_held_by_another_row_is_409_and_changes_nothing(api, admin_key, put, resource):
    ns, other = ns_word(), ns_word()
    held = unique_word()
    x = put(resource, ns, unique_word(), whole(resource, unique_word(), external_ids={other: held})).json()
    y = put(resource, ns, unique_word(), whole(resource, unique_word())).json()
    # PUT creating a row with X's value
    new_value = unique_word()
    body = problem(put(resource, ns, new_value, whole(resource, unique_word(), external_ids={other: held})), 409,
                   "conflict")
    assert "external id" in body["detail"]
    assert found(api, resource, ns, new_value) == []
    # PUT replacing Y with X's value
    problem(put(resource, ns, y["external_ids"][ns], whole(resource, unique_word(), external_ids={other: held})),
            409, "conflict")
    # PATCH and POST
    problem(api.patch(f"/v1/{resource}/{y['id']}", {"external_ids": {other: held}}, key=admin_key), 409, "conflict")
    problem(api.post(f"/v1/{resource}", whole(resource, unique_word(), external_ids={other: held}), key=admin_key),
            409, "conflict")
    assert api.get(f"/v1/{resource}/{y['id']}").json() == y
    assert api.get(f"/v1/{resource}/{x['id']}").json() == x
    assert [i["id"] for i in found(api, resource, other, held)] == [x["id"]]


def test_the_same_value_in_two_resources_is_no_conflict(api, put):
    ns, value = ns_word(), unique_word()
    for resource in RESOURCES:
        r = put(resource, ns, value, whole(resource, unique_word()))
        assert r.status_code == 201, (resource, r.text)


# ---- validation --------------------------------------------------------------------------

@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("ns", ["Crm", "-crm", "_crm", "cr m", "c" * 41, "crm%3Ax", "%C3%A9"])
def test_malformed_namespace_in_the_path_is_404(api, admin_key, resource, ns):
    problem(api.get(f"/v1/{resource}/external/{ns}/x1"), 404, "not_found")
    r = api.put(f"/v1/{resource}/external/{ns}/x1", whole(resource, unique_word()), key=admin_key)
    problem(r, 404, "not_found")


@pytest.mark.parametrize("resource", RESOURCES)
def test_malformed_value_in_the_path_is_404(api, admin_key, resource):
    for value in ("x" * 201, "a%01b", "a%7Fb"):
        problem(api.get(f"/v1/{resource}/external/crm/{value}"), 404, "not_found")
        problem(api.put(f"/v1/{resource}/external/crm/{value}", whole(resource, unique_word()), key=admin_key),
                404, "not_found")


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("bad", ["nocolon", "CRM:x", ":x", "crm:", "-crm:x", "c" * 41 + ":x", "crm:" + "x" * 201,
                                 "crm:a\x01b"])
def test_malformed_external_id_filter_is_400(api, resource, bad):
    body = problem(api.get(f"/v1/{resource}", params={"external_id": bad}), 400, "invalid_query")
    assert "external_id" in str(body)


@pytest.mark.parametrize("resource", RESOURCES)
def test_body_contradicting_the_path_is_422(api, put, resource):
    ns, value, other = ns_word(), unique_word(), unique_word()
    r = put(resource, ns, value, whole(resource, unique_word(), external_ids={ns: other}))
    body = problem(r, 422, "validation_failed")
    assert "external_ids" in {e["field"] for e in body["errors"]}, body
    assert found(api, resource, ns, value) == [] and found(api, resource, ns, other) == []
    # the same value is fine
    r = put(resource, ns, value, whole(resource, unique_word(), external_ids={ns: value}))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("resource", RESOURCES)
def test_value_lengths_are_counted_in_characters(api, admin_key, put, resource):
    ns, other = ns_word(), ns_word()
    r = put(resource, ns, unique_word(), whole(resource, unique_word(), external_ids={other: "x" * 201}))
    body = problem(r, 422, "validation_failed")
    assert any(e["field"].startswith("external_ids") for e in body["errors"]), body
    problem(api.post(f"/v1/{resource}", whole(resource, unique_word(), external_ids={other: "é" * 201}),
                     key=admin_key), 422, "validation_failed")
    r = put(resource, ns, unique_word(), whole(resource, unique_word(), external_ids={other: "é" * 200}))
    assert r.status_code == 201, r.text
    assert r.json()["external_ids"][other] == "é" * 200


@pytest.mark.parametrize("resource", RESOURCES)
def test_the_filter_finds_a_value_of_200_characters(api, put, resource):
    """?external_id=ns:value takes every valid external id: a namespace of up to 40
    characters, then a value of up to 200."""
    ns = ("n" + unique_word())[:14] + "-" + "x" * 25  # 40 characters
    value = "v" * 190 + unique_word("")[:10]
    obj = put(resource, ns, value, whole(resource, unique_word())).json()
    assert [i["id"] for i in found(api, resource, ns, value)] == [obj["id"]]


@pytest.mark.parametrize("resource", RESOURCES)
def test_more_than_20_namespaces_is_422(api, admin_key, put, resource):
    ns, value = ns_word(), unique_word()
    twenty = {f"n{i:02d}-{value}"[:40]: f"v{i}" for i in range(20)}
    # the path's namespace makes 21
    problem(put(resource, ns, value, whole(resource, unique_word(), external_ids=twenty)), 422, "validation_failed")
    assert found(api, resource, ns, value) == []
    twenty_one = dict(twenty, **{ns: value})
    problem(api.post(f"/v1/{resource}", whole(resource, unique_word(), external_ids=twenty_one), key=admin_key),
            422, "validation_failed")
    nineteen = dict(list(twenty.items())[:19])
    r = put(resource, ns, value, whole(resource, unique_word(), external_ids=nineteen))
    assert r.status_code == 201, r.text
    assert len(r.json()["external_ids"]) == 20


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("ids", [{"Crm": "x"}, {"crm": ""}, {"crm": 42}, {"crm": None}, {"crm": "a\tb"}, ["crm"]],
                         ids=["upper-ns", "empty", "number", "null", "tab", "array"])
def test_invalid_external_ids_are_422(api, admin_key, put, resource, ids):
    ns, value = ns_word(), unique_word()
    problem(put(resource, ns, value, whole(resource, unique_word(), external_ids=ids)), 422, "validation_failed")
    problem(api.post(f"/v1/{resource}", whole(resource, unique_word(), external_ids=ids), key=admin_key), 422,
            "validation_failed")
    assert found(api, resource, ns, value) == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_nul_byte_in_a_value_writes_nothing(api, admin_key, resource):
    ns, other, value = ns_word(), ns_word(), unique_word()
    raw = ('{"external_ids": {"%s": "a\\u0000b"}, ' % other) + whole_json(resource)[1:]
    for r in (api.put(ext_path(resource, ns, value), raw.encode(), key=admin_key),
              api.post(f"/v1/{resource}", raw.encode(), key=admin_key)):
        assert r.status_code in (400, 422), r.text
        assert r.headers["Content-Type"].startswith("application/problem+json")
    assert found(api, resource, ns, value) == []
    assert found(api, resource, other, "a") == []


def whole_json(resource):
    return json.dumps(whole(resource, unique_word()), ensure_ascii=False)


# ---- preconditions and idempotency ---------------------------------------------------------

@pytest.mark.parametrize("resource", RESOURCES)
def test_stale_if_match_is_412_and_changes_nothing(api, put, resource):
    ns, value = ns_word(), unique_word()
    body = whole(resource, unique_word())
    r = put(resource, ns, value, body)
    etag = r.headers["ETag"]
    r2 = put(resource, ns, value, dict(body, **{TEXT[resource]: "one"}), headers={"If-Match": etag})
    assert r2.status_code == 200, r2.text
    problem(put(resource, ns, value, dict(body, **{TEXT[resource]: "two"}), headers={"If-Match": etag}), 412,
            "precondition_failed")
    now = api.get(ext_path(resource, ns, value)).json()
    assert now[TEXT[resource]] == "one" and now["version"] == 2
    # with no row, any If-Match fails
    other = unique_word()
    problem(put(resource, ns, other, body, headers={"If-Match": "*"}), 412, "precondition_failed")
    assert found(api, resource, ns, other) == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_if_none_match_star_creates_only(api, put, resource):
    ns, value = ns_word(), unique_word()
    body = whole(resource, unique_word())
    r = put(resource, ns, value, body, headers={"If-None-Match": "*"})
    assert r.status_code == 201, r.text
    problem(put(resource, ns, value, dict(body, **{TEXT[resource]: "changed"}), headers={"If-None-Match": "*"}),
            412, "precondition_failed")
    assert api.get(ext_path(resource, ns, value)).json() == r.json()


@pytest.mark.parametrize("resource", RESOURCES)
def test_idempotency_key_replays_the_first_answer(api, put, resource):
    """Idempotency-Key, as on every write: the same request again gets the first answer
    (Idempotent-Replayed: true) and writes nothing."""
    ns, value = ns_word(), unique_word()
    body = whole(resource, unique_word())
    key = f"ext-{unique_word()}"
    r1 = put(resource, ns, value, body, headers={"Idempotency-Key": key})
    assert r1.status_code == 201, r1.text
    r2 = put(resource, ns, value, body, headers={"Idempotency-Key": key})
    assert r2.status_code == 201, r2.text
    assert r2.headers.get("Idempotent-Replayed") == "true", dict(r2.headers)
    assert r2.json() == r1.json()
    # the same key with another request is 422
    problem(put(resource, ns, value, dict(body, **{TEXT[resource]: "other"}), headers={"Idempotency-Key": key}),
            422, "validation_failed")
    assert api.get(ext_path(resource, ns, value)).json() == r1.json()


# ---- authorization -----------------------------------------------------------------------

@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_and_reader_may_not_put(api, reader_key, put, resource):
    ns, value = ns_word(), unique_word()
    r = put(resource, ns, value, whole(resource, unique_word()), key=None)
    problem(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"].lower().startswith("bearer")
    problem(put(resource, ns, value, whole(resource, unique_word()), key=reader_key), 403, "forbidden")
    assert found(api, resource, ns, value) == []
    # reading is public
    obj = put(resource, ns, value, whole(resource, unique_word())).json()
    for key in (None, reader_key):
        assert api.get(ext_path(resource, ns, value), key=key).json() == obj


def test_anonymous_callers_do_not_see_a_non_public_event(api, reader_key, put):
    ns, value = ns_word(), unique_word()
    obj = put("events", ns, value, whole("events", unique_word(), public=False)).json()
    problem(api.get(ext_path("events", ns, value)), 404, "not_found")
    assert found(api, "events", ns, value) == []
    assert api.get(ext_path("events", ns, value), key=reader_key).json() == obj


@pytest.fixture
def own_cluster(make_cluster, make_key):
    """(cluster, manager key of that cluster only)."""
    c = make_cluster()
    return c, make_key("manager", clusters=[c["id"]])[1]


def test_manager_upserts_its_own_cluster_only_and_creates_none(api, admin_key, put, own_cluster, make_cluster):
    c, mgr = own_cluster
    ns, value = ns_word(), unique_word()
    r = api.patch(f"/v1/clusters/{c['id']}", {"external_ids": {ns: value}}, key=admin_key)
    assert r.status_code == 200, r.text
    r = put("clusters", ns, value, whole("clusters", unique_word(), name=c["name"], description="by its manager"),
            key=mgr)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == c["id"] and r.json()["description"] == "by its manager"
    # another cluster
    other = make_cluster()
    ov = unique_word()
    api.patch(f"/v1/clusters/{other['id']}", {"external_ids": {ns: ov}}, key=admin_key)
    before = api.get(f"/v1/clusters/{other['id']}").json()
    problem(put("clusters", ns, ov, whole("clusters", unique_word(), name=other["name"]), key=mgr), 403, "forbidden")
    assert api.get(f"/v1/clusters/{other['id']}").json() == before
    # a new cluster
    new = unique_word()
    problem(put("clusters", ns, new, whole("clusters", unique_word()), key=mgr), 403, "forbidden")
    assert found(api, "clusters", ns, new) == []


def test_manager_and_companies(api, admin_key, put, own_cluster, make_company):
    c, mgr = own_cluster
    ns = ns_word()
    # creates
    v_new = unique_word()
    r = put("companies", ns, v_new, whole("companies", unique_word()), key=mgr)
    assert r.status_code == 201, r.text
    # replaces a current member of its cluster
    member = make_company(external_ids={ns: unique_word()})
    assert api.put(f"/v1/clusters/{c['id']}/members/{member['id']}", {}, key=admin_key).status_code == 201
    r = put("companies", ns, member["external_ids"][ns], {"name": member["name"], "employees": 7}, key=mgr)
    assert r.status_code == 200, r.text
    assert r.json()["employees"] == 7 and r.json()["id"] == member["id"]
    # not a company outside its cluster
    outside = make_company(external_ids={ns: unique_word()})
    problem(put("companies", ns, outside["external_ids"][ns], {"name": "Taken over"}, key=mgr), 403, "forbidden")
    assert api.get(f"/v1/companies/{outside['id']}").json() == outside


@pytest.mark.parametrize("resource", ["projects", "events"])
def test_manager_and_projects_and_events(api, admin_key, put, own_cluster, resource):
    c, mgr = own_cluster
    ns = ns_word()
    # creates one of its cluster's
    v = unique_word()
    r = put(resource, ns, v, whole(resource, unique_word(), owner=c["id"]), key=mgr)
    assert r.status_code == 201, r.text
    # replaces it
    r = put(resource, ns, v, whole(resource, unique_word(), owner=c["id"]), key=mgr)
    assert r.status_code == 200, r.text
    # may not hand it to another cluster
    before = api.get(ext_path(resource, ns, v)).json()
    problem(put(resource, ns, v, whole(resource, unique_word(), owner=DEMO_02), key=mgr), 403, "forbidden")
    assert api.get(ext_path(resource, ns, v)).json() == before
    # may not create one of another cluster
    v2 = unique_word()
    problem(put(resource, ns, v2, whole(resource, unique_word(), owner=DEMO_02), key=mgr), 403, "forbidden")
    assert found(api, resource, ns, v2) == []
    # may not replace another cluster's, even naming its own cluster as the owner
    theirs = put(resource, ns, unique_word(), whole(resource, unique_word(), owner=DEMO_02)).json()
    problem(put(resource, ns, theirs["external_ids"][ns], whole(resource, unique_word(), owner=c["id"]), key=mgr),
            403, "forbidden")
    assert api.get(f"/v1/{resource}/{theirs['id']}").json() == theirs


def test_manager_may_not_write_partners(api, put, own_cluster):
    _, mgr = own_cluster
    ns, v = ns_word(), unique_word()
    problem(put("partners", ns, v, whole("partners", unique_word()), key=mgr), 403, "forbidden")
    obj = put("partners", ns, v, whole("partners", unique_word())).json()
    problem(put("partners", ns, v, whole("partners", unique_word()), key=mgr), 403, "forbidden")
    assert api.get(ext_path("partners", ns, v)).json() == obj


# ---- concurrency, deletion, the change feed ------------------------------------------------

@pytest.mark.parametrize("resource", RESOURCES)
def test_concurrent_puts_of_a_new_external_id_create_one_row(api, admin_key, cleanup, resource):
    ns, value = ns_word(), unique_word()
    body = whole(resource, unique_word())
    barrier = threading.Barrier(8)

    def one(_):
        barrier.wait()
        r = api.put(ext_path(resource, ns, value), body, key=admin_key)
        return r.status_code, r.json()

    with ThreadPoolExecutor(8) as ex:
        results = list(ex.map(one, range(8)))
    for status, obj in results:
        if status == 201:
            cleanup(resource, obj)
    statuses = sorted(s for s, _ in results)
    assert statuses.count(201) == 1 and statuses.count(200) == 7, statuses
    assert len({o["id"] for _, o in results}) == 1
    items = found(api, resource, ns, value)
    assert len(items) == 1 and items[0]["version"] == 1


@pytest.mark.parametrize("resource", RESOURCES)
def test_deleting_a_row_frees_its_external_ids(api, admin_key, put, resource):
    ns, other, value, v2 = ns_word(), ns_word(), unique_word(), unique_word()
    obj = put(resource, ns, value, whole(resource, unique_word(), external_ids={other: v2})).json()
    assert api.delete(f"/v1/{resource}/{obj['id']}", key=admin_key).status_code == 204
    problem(api.get(ext_path(resource, ns, value)), 404, "not_found")
    assert found(api, resource, other, v2) == []
    r = put(resource, ns, value, whole(resource, unique_word(), external_ids={other: v2}))
    assert r.status_code == 201, r.text
    assert r.json()["id"] != obj["id"]
    assert [i["id"] for i in found(api, resource, other, v2)] == [r.json()["id"]]


def test_the_change_feed_shows_the_external_ids(api, admin_key, reader_key, put):
    start = api.get("/v1/changes", params={"since": "now"}, key=reader_key).json()["next"]
    made = {}
    for resource in RESOURCES:
        ns, value = ns_word(), unique_word()
        made[put(resource, ns, value, whole(resource, unique_word())).json()["id"]] = (resource, {ns: value})
    seen = {}
    pos = start
    for _ in range(50):
        body = api.get("/v1/changes", params={"since": pos, "include": "object", "limit": 1000}, key=reader_key).json()
        for item in body["items"]:
            if item["id"] in made:
                seen[item["id"]] = item
        if not body["items"]:
            break
        pos = body["next"]
    assert set(seen) == set(made)
    for oid, (resource, ids) in made.items():
        assert seen[oid]["type"] == TYPES[resource] and seen[oid]["op"] == "upsert"
        assert seen[oid]["object"]["external_ids"] == ids
