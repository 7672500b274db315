"""Cooperation projects: create with defaults and derived funding totals, validation (dates,
code lists, amounts, references named by their field path), the lifecycle guarded by a
trigger (409 naming the allowed transitions), who may write which projects (admin, manager of
the lead cluster), list filters, sorts and formats, merge patch replacing arrays whole, and
what deleting a cluster, company or partner does to the projects."""

import csv
import datetime
import io
import json
import re
import time
import uuid

import pytest

from conftest import DEMO_01, DEMO_02, problem, unique_word

ETAG_RE = re.compile(r'^"[0-9a-f]{32}"$')
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MISSING = "00000000-0000-4000-8000-000000000000"
STATUSES = ["idea", "proof_of_concept", "running", "completed", "abandoned"]
ALLOWED = {
    "idea": {"proof_of_concept", "abandoned"},
    "proof_of_concept": {"running", "abandoned"},
    "running": {"completed", "abandoned"},
    "completed": set(),
    "abandoned": set(),
}


def cl(n):
    return f"c1000000-0000-4000-8000-{n:012d}"


def co(n):
    return f"c2000000-0000-4000-8000-{n:012d}"


def pa(n):
    return f"c3000000-0000-4000-8000-{n:012d}"


def invalid(r):
    """The {field: code} map of a 422."""
    body = problem(r, 422, "validation_failed")
    return {e["field"]: e["code"] for e in body.get("errors") or []}


def instant(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def get_project(api, pid):
    r = api.get(f"/v1/projects/{pid}")
    assert r.status_code == 200, r.text
    return r.json()


def count_matching(api, word):
    r = api.get("/v1/projects", params={"q": word, "count": "true", "limit": 1})
    assert r.status_code == 200, r.text
    return r.json()["total"]


def payload(**over):
    body = {"title": f"Test project {unique_word()}", "category": "innovation", "lead_cluster_id": DEMO_01}
    body.update(over)
    return body


def patch(api, key, pid, body, **kw):
    return api.patch(f"/v1/projects/{pid}", body, key=key, **kw)


# ---- create ----

def test_create_answers_201_with_location_etag_and_defaults(api, admin_key):
    body = payload()
    r = api.post("/v1/projects", body, key=admin_key)
    assert r.status_code == 201, r.text
    p = r.json()
    try:
        assert UUID_RE.match(p["id"])
        assert r.headers["Location"] == f"/v1/projects/{p['id']}"
        assert ETAG_RE.match(r.headers["ETag"])
        assert p["title"] == body["title"] and p["category"] == "innovation"
        assert p["lead_cluster_id"] == DEMO_01
        assert p["status"] == "idea"
        assert p["cluster_ids"] == [] and p["companies"] == [] and p["partners"] == [] and p["funding"] == []
        assert p["funding_totals"] == {"requested": 0, "granted": 0, "paid": 0, "total": 0}
        assert p["summary"] is None and p["budget_eur"] is None
        assert p["starts_on"] is None and p["ends_on"] is None
        assert p["version"] == 1
        assert p["created_at"] == p["updated_at"]
        again = api.get(r.headers["Location"])
        assert again.status_code == 200
        assert again.json() == p
        assert again.headers["ETag"] == r.headers["ETag"]
    finally:
        api.delete(f"/v1/projects/{p['id']}", key=admin_key)


def test_every_field_round_trips(api, make_project):
    fields = {
        "title": f"Mutualisation export {unique_word()}",
        "summary": "Stand commun au salon Global Industrie, achats groupés de décolletage.",
        "category": "international",
        "status": "running",
        "lead_cluster_id": DEMO_01,
        "cluster_ids": [DEMO_02, cl(5)],
        "companies": [{"company_id": co(1), "role": "lead"}, {"company_id": co(10), "role": "partner"},
                      {"company_id": co(25), "role": "subcontractor"}],
        "partners": [{"partner_id": pa(5), "role": "funder"}, {"partner_id": pa(3), "role": "support"},
                     {"partner_id": pa(1), "role": "academic"}, {"partner_id": pa(2), "role": "other"}],
        "funding": [{"source": "eu", "program": "FEDER", "amount_eur": 120000.5, "status": "granted"},
                    {"source": "bpifrance", "program": None, "amount_eur": 30000, "status": "requested"}],
        "budget_eur": 450000.25,
        "starts_on": "2030-03-01",
        "ends_on": "2031-02-28",
    }
    p = make_project(**fields)
    for k, v in fields.items():
        assert p[k] == v, k
    assert p["funding_totals"] == {"requested": 30000, "granted": 120000.5, "paid": 0, "total": 150000.5}
    assert get_project(api, p["id"]) == p


def test_funding_totals_sum_by_status_and_total(api, make_project):
    p = make_project(funding=[
        {"source": "eu", "program": "FEDER", "amount_eur": 100.10, "status": "requested"},
        {"source": "state", "program": "France 2030", "amount_eur": 50, "status": "requested"},
        {"source": "region", "amount_eur": 1000.5, "status": "granted"},
        {"source": "local_authority", "amount_eur": 200.25, "status": "paid"},
        {"source": "private", "amount_eur": 0.15, "status": "paid"},
        {"source": "members", "amount_eur": 0, "status": "granted"},
    ])
    assert p["funding_totals"] == {"requested": 150.1, "granted": 1000.5, "paid": 200.4, "total": 1351.0}
    assert len(p["funding"]) == 6
    assert p["funding"][2]["program"] is None
    listed = api.get("/v1/projects", params={"q": p["title"].split()[-1]}).json()["items"]
    assert [i["funding_totals"] for i in listed] == [p["funding_totals"]]


def test_upper_case_uuids_are_returned_in_lower_case(api, make_project):
    p = make_project(lead_cluster_id=DEMO_01.upper(), cluster_ids=[DEMO_02.upper()],
                     companies=[{"company_id": co(3).upper(), "role": "lead"}],
                     partners=[{"partner_id": pa(4).upper(), "role": "support"}])
    assert p["lead_cluster_id"] == DEMO_01
    assert p["cluster_ids"] == [DEMO_02]
    assert p["companies"] == [{"company_id": co(3), "role": "lead"}]
    assert p["partners"] == [{"partner_id": pa(4), "role": "support"}]
    # Stored in lower case, so that the filters find them.
    word = p["title"].split()[-1]
    for param, value in (("cluster", DEMO_02), ("company", co(3)), ("partner", pa(4))):
        items = api.get("/v1/projects", params={"q": word, param: value}).json()["items"]
        assert [i["id"] for i in items] == [p["id"]], param


def test_ends_on_equal_to_starts_on_is_accepted(make_project):
    p = make_project(starts_on="2030-05-04", ends_on="2030-05-04")
    assert p["starts_on"] == p["ends_on"] == "2030-05-04"


def test_ends_on_before_starts_on_is_422(api, admin_key):
    word = unique_word()
    r = api.post("/v1/projects", payload(title=f"Bad dates {word}", starts_on="2030-05-04", ends_on="2030-05-03"),
                 key=admin_key)
    assert invalid(r) == {"ends_on": "out_of_range"}
    assert count_matching(api, word) == 0


def test_patch_making_ends_on_before_starts_on_is_422_and_unchanged(api, admin_key, make_project):
    p = make_project(starts_on="2030-05-04", ends_on="2030-06-01")
    assert invalid(patch(api, admin_key, p["id"], {"starts_on": "2030-07-01"})) == {"ends_on": "out_of_range"}
    assert get_project(api, p["id"]) == p


@pytest.mark.parametrize("field,value,path", [
    ("category", "research", "category"),
    ("category", "Innovation", "category"),
    ("status", "draft", "status"),
    ("companies", [{"company_id": co(1), "role": "owner"}], "companies[0].role"),
    ("partners", [{"partner_id": pa(1), "role": "sponsor"}], "partners[0].role"),
    ("funding", [{"source": "feder", "amount_eur": 10, "status": "granted"}], "funding[0].source"),
    ("funding", [{"source": "eu", "amount_eur": 10, "status": "promised"}], "funding[0].status"),
])
def test_bad_code_list_values_are_422(api, admin_key, field, value, path):
    word = unique_word()
    r = api.post("/v1/projects", payload(title=f"Bad code {word}", **{field: value}), key=admin_key)
    assert invalid(r) == {path: "invalid_value"}
    assert count_matching(api, word) == 0


@pytest.mark.parametrize("amount,code", [(10.125, "invalid_format"), (0.001, "invalid_format"),
                                         (-1, "out_of_range"), (-0.01, "out_of_range")])
def test_bad_funding_amount_is_422(api, admin_key, amount, code):
    word = unique_word()
    r = api.post("/v1/projects", payload(title=f"Bad amount {word}", funding=[
        {"source": "eu", "amount_eur": 10, "status": "granted"},
        {"source": "region", "amount_eur": amount, "status": "paid"}]), key=admin_key)
    assert invalid(r) == {"funding[1].amount_eur": code}
    assert count_matching(api, word) == 0


@pytest.mark.parametrize("field,value,path,code", [
    ("companies", [{"company_id": co(1)}], "companies[0].role", "required"),
    ("companies", [{"role": "lead"}], "companies[0].company_id", "required"),
    ("partners", [{"partner_id": pa(1)}], "partners[0].role", "required"),
    ("funding", [{"source": "eu", "status": "paid"}], "funding[0].amount_eur", "required"),
    ("funding", [{"source": "eu", "amount_eur": 1, "status": "paid", "program": "x" * 201}], "funding[0].program",
     "too_long"),
    ("funding", [{"source": "eu", "amount_eur": "10", "status": "paid"}], "funding[0].amount_eur", "invalid_type"),
    ("budget_eur", -5, "budget_eur", "out_of_range"),
    ("budget_eur", 1.005, "budget_eur", "invalid_format"),
    ("starts_on", "2030-02-30", "starts_on", "invalid_format"),
])
def test_invalid_nested_and_scalar_values_are_422(api, admin_key, field, value, path, code):
    assert invalid(api.post("/v1/projects", payload(**{field: value}), key=admin_key)) == {path: code}


def test_unknown_field_in_a_participant_is_422(api, admin_key):
    r = api.post("/v1/projects", payload(companies=[{"company_id": co(1), "role": "lead", "share": 50}]),
                 key=admin_key)
    assert list(invalid(r)) == ["companies[0].share"]


@pytest.mark.parametrize("field", ["title", "category", "lead_cluster_id"])
def test_missing_required_field_is_422(api, admin_key, field):
    body = payload()
    del body[field]
    assert invalid(api.post("/v1/projects", body, key=admin_key)) == {field: "required"}


@pytest.mark.parametrize("field,value", [("id", MISSING), ("version", 1), ("created_at", "2030-01-01T00:00:00Z"),
                                         ("funding_totals", {"requested": 0, "granted": 0, "paid": 0, "total": 0})])
def test_read_only_fields_are_422(api, admin_key, field, value):
    assert invalid(api.post("/v1/projects", payload(**{field: value}), key=admin_key)) == {field: "read_only"}


def test_unknown_lead_cluster_is_422_unknown_reference(api, admin_key):
    word = unique_word()
    r = api.post("/v1/projects", payload(title=f"Orphan {word}", lead_cluster_id=MISSING), key=admin_key)
    assert invalid(r) == {"lead_cluster_id": "unknown_reference"}
    assert count_matching(api, word) == 0


def test_unknown_participant_cluster_is_422_naming_its_index(api, admin_key):
    r = api.post("/v1/projects", payload(cluster_ids=[MISSING, DEMO_02]), key=admin_key)
    assert invalid(r) == {"cluster_ids[0]": "unknown_reference"}


def test_unknown_company_is_422_naming_its_path(api, admin_key):
    r = api.post("/v1/projects", payload(companies=[{"company_id": co(1), "role": "lead"},
                                                    {"company_id": MISSING, "role": "partner"}]), key=admin_key)
    assert invalid(r) == {"companies[1].company_id": "unknown_reference"}


def test_unknown_partner_is_422_naming_its_path(api, admin_key):
    r = api.post("/v1/projects", payload(partners=[{"partner_id": MISSING, "role": "funder"},
                                                   {"partner_id": pa(1), "role": "academic"}]), key=admin_key)
    assert invalid(r) == {"partners[0].partner_id": "unknown_reference"}


def test_a_company_id_is_not_a_cluster_id(api, admin_key):
    # A partner's id given as a company: the reference is checked against the right table.
    r = api.post("/v1/projects", payload(companies=[{"company_id": pa(1), "role": "lead"}]), key=admin_key)
    assert invalid(r) == {"companies[0].company_id": "unknown_reference"}


def test_too_many_participant_clusters_is_422(api, admin_key):
    ids = [str(uuid.uuid4()) for _ in range(101)]
    assert invalid(api.post("/v1/projects", payload(cluster_ids=ids), key=admin_key)) == {"cluster_ids": "too_long"}


def test_malformed_participant_id_is_422(api, admin_key):
    assert "cluster_ids[0]" in invalid(api.post("/v1/projects", payload(cluster_ids=["not-a-uuid"]), key=admin_key))


def test_unknown_or_malformed_project_id_is_404(api):
    problem(api.get(f"/v1/projects/{MISSING}"), 404, "not_found")
    problem(api.get("/v1/projects/not-a-uuid"), 404, "not_found")


def test_get_with_if_none_match_is_304(api, make_project):
    p = make_project()
    r = api.get(f"/v1/projects/{p['id']}")
    r2 = api.get(f"/v1/projects/{p['id']}", headers={"If-None-Match": r.headers["ETag"]})
    assert r2.status_code == 304
    assert r2.content == b""


def test_patch_with_stale_if_match_is_412(api, admin_key, make_project):
    p = make_project()
    etag = api.get(f"/v1/projects/{p['id']}").headers["ETag"]
    assert patch(api, admin_key, p["id"], {"title": "First"}, headers={"If-Match": etag}).status_code == 200
    problem(patch(api, admin_key, p["id"], {"title": "Second"}, headers={"If-Match": etag}), 412,
            "precondition_failed")
    assert get_project(api, p["id"])["title"] == "First"


# ---- lifecycle ----

def test_forward_lifecycle_each_step_is_200(api, admin_key, make_project):
    p = make_project()
    version = p["version"]
    for status in ("proof_of_concept", "running", "completed"):
        r = patch(api, admin_key, p["id"], {"status": status})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status
        assert r.json()["version"] == version + 1
        version += 1
        assert ETAG_RE.match(r.headers["ETag"])
        assert get_project(api, p["id"]) == r.json()


def test_idea_to_running_is_409_naming_the_allowed_transitions(api, admin_key, make_project):
    p = make_project()
    body = problem(patch(api, admin_key, p["id"], {"status": "running"}), 409, "conflict")
    assert "proof_of_concept" in body["detail"] and "abandoned" in body["detail"]
    assert "completed" not in body["detail"]
    assert get_project(api, p["id"])["status"] == "idea"


@pytest.mark.parametrize("closed,target", [(a, b) for a in ("completed", "abandoned") for b in STATUSES if b != a])
def test_a_closed_project_cannot_change_status(api, admin_key, make_project, closed, target):
    p = make_project(status=closed)
    problem(patch(api, admin_key, p["id"], {"status": target}), 409, "conflict")
    assert get_project(api, p["id"]) == p


@pytest.mark.parametrize("start", ["idea", "proof_of_concept", "running"])
def test_each_open_state_may_be_abandoned(api, admin_key, make_project, start):
    p = make_project(status=start)
    r = patch(api, admin_key, p["id"], {"status": "abandoned"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "abandoned" and r.json()["version"] == p["version"] + 1


@pytest.mark.parametrize("start,target", [(a, b) for a in ("idea", "proof_of_concept", "running")
                                          for b in STATUSES if b != a and b not in ALLOWED[a]])
def test_other_transitions_from_open_states_are_409(api, admin_key, make_project, start, target):
    p = make_project(status=start)
    body = problem(patch(api, admin_key, p["id"], {"status": target}), 409, "conflict")
    for allowed in ALLOWED[start]:
        assert allowed in body["detail"], body["detail"]
    assert get_project(api, p["id"]) == p


def test_refused_transition_changes_nothing(api, admin_key, make_project):
    p = make_project(status="proof_of_concept")
    before = api.get(f"/v1/projects/{p['id']}")
    problem(patch(api, admin_key, p["id"], {"status": "completed", "title": "Should not stick"}), 409, "conflict")
    after = api.get(f"/v1/projects/{p['id']}")
    assert after.json() == before.json() == p
    assert after.json()["version"] == p["version"]
    assert after.headers["ETag"] == before.headers["ETag"]


@pytest.mark.parametrize("status", STATUSES)
def test_same_status_again_is_200_and_unchanged(api, admin_key, make_project, status):
    p = make_project(status=status)
    etag = api.get(f"/v1/projects/{p['id']}").headers["ETag"]
    r = patch(api, admin_key, p["id"], {"status": status})
    assert r.status_code == 200, r.text
    assert r.json() == p
    assert r.json()["version"] == p["version"]
    assert r.headers["ETag"] == etag
    assert get_project(api, p["id"]) == p


def test_creation_takes_any_status(make_project):
    for status in STATUSES:
        assert make_project(status=status)["status"] == status


# ---- who writes which projects ----

def test_anonymous_cannot_write(api, make_project):
    p = make_project()
    r = api.post("/v1/projects", payload())
    problem(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    problem(api.patch(f"/v1/projects/{p['id']}", {"title": "x"}), 401, "unauthorized")
    problem(api.delete(f"/v1/projects/{p['id']}"), 401, "unauthorized")
    assert get_project(api, p["id"]) == p


def test_reader_cannot_write(api, reader_key, make_project):
    p = make_project()
    word = unique_word()
    problem(api.post("/v1/projects", payload(title=f"Reader {word}"), key=reader_key), 403, "forbidden")
    problem(patch(api, reader_key, p["id"], {"title": "x"}), 403, "forbidden")
    problem(api.delete(f"/v1/projects/{p['id']}", key=reader_key), 403, "forbidden")
    assert get_project(api, p["id"]) == p
    assert count_matching(api, word) == 0


def test_anyone_reads_projects(api, make_project):
    p = make_project()
    assert get_project(api, p["id"]) == p


def test_manager_creates_a_project_led_by_its_cluster(make_project, manager_key):
    p = make_project(key=manager_key, cluster_ids=[DEMO_02])
    assert p["lead_cluster_id"] == DEMO_01 and p["cluster_ids"] == [DEMO_02]


def test_manager_may_name_its_lead_cluster_in_upper_case(api, manager_key, make_project):
    p = make_project(key=manager_key, lead_cluster_id=DEMO_01.upper())
    assert p["lead_cluster_id"] == DEMO_01
    r = patch(api, manager_key, p["id"], {"lead_cluster_id": DEMO_01.upper(), "title": "Same lead, upper case"})
    assert r.status_code == 200, r.text
    assert r.json()["lead_cluster_id"] == DEMO_01


def test_manager_cannot_create_a_project_led_by_another_cluster(api, manager_key):
    word = unique_word()
    r = api.post("/v1/projects", payload(title=f"Other lead {word}", lead_cluster_id=DEMO_02), key=manager_key)
    problem(r, 403, "forbidden")
    assert count_matching(api, word) == 0


def test_manager_patches_its_project(api, manager_key, make_project):
    p = make_project(key=manager_key)
    r = patch(api, manager_key, p["id"], {"title": "Renamed by its manager", "budget_eur": 1200})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["title"] == "Renamed by its manager" and u["budget_eur"] == 1200
    assert u["version"] == p["version"] + 1
    assert get_project(api, p["id"]) == u


def test_manager_cannot_patch_a_project_led_by_another_cluster(api, manager_key, make_project):
    p = make_project(lead_cluster_id=DEMO_02, cluster_ids=[DEMO_01])
    # Taking part (cluster_ids) gives no right to write: only the lead's managers write.
    problem(patch(api, manager_key, p["id"], {"title": "Hijacked"}), 403, "forbidden")
    assert get_project(api, p["id"]) == p


def test_manager_cannot_move_the_lead_out_of_its_scope(api, manager_key, make_project):
    p = make_project(key=manager_key)
    problem(patch(api, manager_key, p["id"], {"lead_cluster_id": DEMO_02}), 403, "forbidden")
    assert get_project(api, p["id"]) == p


def test_admin_writes_any_project(api, admin_key, make_project):
    p = make_project(lead_cluster_id=DEMO_02)
    r = patch(api, admin_key, p["id"], {"lead_cluster_id": cl(3), "title": "Moved by admin"})
    assert r.status_code == 200, r.text
    assert r.json()["lead_cluster_id"] == cl(3) and r.json()["title"] == "Moved by admin"
    r = api.delete(f"/v1/projects/{p['id']}", key=admin_key)
    assert r.status_code == 204, r.text
    assert r.content == b""
    problem(api.get(f"/v1/projects/{p['id']}"), 404, "not_found")


def test_manager_of_the_lead_deletes_its_project(api, manager_key, make_project):
    p = make_project(key=manager_key)
    r = api.delete(f"/v1/projects/{p['id']}", key=manager_key)
    assert r.status_code == 204, r.text
    problem(api.get(f"/v1/projects/{p['id']}"), 404, "not_found")


def test_other_manager_cannot_delete(api, manager02_key, make_project):
    p = make_project(cluster_ids=[DEMO_02])
    problem(api.delete(f"/v1/projects/{p['id']}", key=manager02_key), 403, "forbidden")
    assert get_project(api, p["id"]) == p


# ---- clusters invited by a manager who does not manage them ----
#
# A manager of the lead cluster lists another cluster: that cluster is invited
# (cluster_invitations), and the project counts nowhere for it until one of its managers or
# an admin accepts with PUT /v1/projects/{id}/clusters/{cluster_id}.

def participation(api, key, pid, cid, method="PUT", **kw):
    return api.request(method, f"/v1/projects/{pid}/clusters/{cid}", key=key, **kw)


def listed_ids(api, **params):
    r = api.get("/v1/projects", params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return {p["id"] for p in r.json()["items"]}


def started(api, admin_key, cid, year):
    """The cluster's computed projects_started of a year (declaring that year if needed)."""
    r = api.put(f"/v1/clusters/{cid}/indicators/{year}", {}, key=admin_key)
    assert r.status_code in (200, 201), r.text
    return r.json()["computed"]["projects_started"]


def stats_projects(api, region):
    r = api.get("/v1/stats", params={"region": region})
    assert r.status_code == 200, r.text
    return r.json()["projects"]["total"]


@pytest.fixture
def invited(api, admin_key, make_key, make_cluster, make_project, manager_key):
    """A cluster B (region 53, which the lead does not cover) with a manager key of its own,
    and a project that the manager of DEMO_01 leads and lists B in: B is invited."""
    b = make_cluster(region_codes=["53"])
    b_key = make_key("manager", f"t-manager-{unique_word('')}", clusters=[b["id"]])[1]
    p = make_project(key=manager_key, title=f"Invitation {unique_word()}", cluster_ids=[b["id"]],
                     starts_on="2011-03-01")
    return b["id"], b_key, p


def test_cluster_listed_by_a_manager_who_does_not_manage_it_is_invited(invited):
    b, _, p = invited
    assert p["cluster_ids"] == [b] and p["cluster_invitations"] == [b]


def test_invitation_counts_nowhere_for_the_invited_cluster(api, admin_key, invited):
    b, _, p = invited
    assert p["id"] not in listed_ids(api, cluster=b)
    assert p["id"] not in listed_ids(api, region="53", q=p["title"].split()[-1])
    assert p["id"] in listed_ids(api, invited_cluster=b)
    assert p["id"] in listed_ids(api, cluster=DEMO_01, q=p["title"].split()[-1])  # the lead's, as always
    assert started(api, admin_key, b, 2011) == 0


def test_invitation_accepted_by_the_clusters_manager_then_counts(api, admin_key, reader_key, invited):
    b, b_key, p = invited
    total = stats_projects(api, "53")
    _, pos = drain_projects(api, reader_key)
    r = participation(api, b_key, p["id"], b)
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["cluster_ids"] == [b] and u["cluster_invitations"] == []
    assert u["version"] == p["version"] + 1 and ETAG_RE.match(r.headers["ETag"])
    assert get_project(api, p["id"]) == u
    assert p["id"] in listed_ids(api, cluster=b)
    assert p["id"] in listed_ids(api, region="53", q=p["title"].split()[-1])
    assert p["id"] not in listed_ids(api, invited_cluster=b)
    assert started(api, admin_key, b, 2011) == 1
    assert stats_projects(api, "53") == total + 1
    # the acceptance reaches the change feed, as an update of the project (the feed numbers a
    # change once every transaction older than it has ended: other databases' too, hence a wait)
    mine = []
    for _ in range(100):
        items, pos = drain_projects(api, reader_key, pos, include="object")
        mine += [i for i in items if i["id"] == p["id"]]
        if mine:
            break
        time.sleep(0.1)
    assert [i["op"] for i in mine] == ["upsert"] and mine[0]["object"]["cluster_invitations"] == []


def test_accepting_again_is_200_and_changes_nothing(api, invited):
    b, b_key, p = invited
    first = participation(api, b_key, p["id"], b)
    assert first.status_code == 200, first.text
    again = participation(api, b_key, p["id"].upper(), b.upper())
    assert again.status_code == 200, again.text
    assert again.json() == first.json() and again.headers["ETag"] == first.headers["ETag"]


def test_the_lead_cluster_accepting_for_itself_is_200(api, manager_key, invited):
    _, _, p = invited
    r = participation(api, manager_key, p["id"], DEMO_01)
    assert r.status_code == 200, r.text
    assert r.json() == p


def test_manager_of_the_lead_cannot_accept_for_the_invited_cluster(api, manager_key, manager02_key, invited):
    b, _, p = invited
    for key in (manager_key, manager02_key):
        problem(participation(api, key, p["id"], b), 403, "forbidden")
    assert get_project(api, p["id"]) == p
    assert p["id"] not in listed_ids(api, cluster=b)


def test_admin_accepts_an_invitation(api, admin_key, invited):
    b, _, p = invited
    r = participation(api, admin_key, p["id"], b)
    assert r.status_code == 200, r.text
    assert r.json()["cluster_invitations"] == []
    assert p["id"] in listed_ids(api, cluster=b)


def test_accepting_needs_a_key_with_write_rights(api, reader_key, invited):
    b, _, p = invited
    problem(participation(api, None, p["id"], b), 401, "unauthorized")
    problem(participation(api, reader_key, p["id"], b), 403, "forbidden")
    assert get_project(api, p["id"]) == p


def test_accepting_a_cluster_the_project_does_not_list_is_404(api, admin_key, make_cluster, invited):
    b, _, p = invited
    other = make_cluster()["id"]
    problem(participation(api, admin_key, p["id"], other), 404, "not_found")
    problem(participation(api, admin_key, MISSING, b), 404, "not_found")
    problem(participation(api, admin_key, "not-a-uuid", b), 404, "not_found")
    problem(participation(api, admin_key, p["id"], "not-a-uuid"), 404, "not_found")
    assert get_project(api, p["id"]) == p


def test_accepting_with_a_stale_if_match_is_412(api, invited):
    b, b_key, p = invited
    problem(participation(api, b_key, p["id"], b, headers={"If-Match": '"00000000000000000000000000000000"'}),
            412, "precondition_failed")
    assert get_project(api, p["id"]) == p
    etag = api.get(f"/v1/projects/{p['id']}").headers["ETag"]
    r = participation(api, b_key, p["id"], b, headers={"If-Match": etag})
    assert r.status_code == 200, r.text


def test_declining_with_a_stale_if_match_is_412_and_another_manager_gets_403_first(api, manager02_key, invited):
    b, b_key, p = invited
    stale = {"If-Match": '"00000000000000000000000000000000"'}
    problem(participation(api, manager02_key, p["id"], b, method="DELETE", headers=stale), 403, "forbidden")
    problem(participation(api, b_key, p["id"], b, method="DELETE", headers=stale), 412, "precondition_failed")
    assert get_project(api, p["id"]) == p
    etag = api.get(f"/v1/projects/{p['id']}").headers["ETag"]
    assert participation(api, b_key, p["id"], b, method="DELETE", headers={"If-Match": etag}).status_code == 204


def test_admin_and_own_cluster_listings_are_accepted_at_once(api, make_key, make_cluster, make_project):
    b = make_cluster()["id"]
    p = make_project(cluster_ids=[b, DEMO_02])  # admin
    assert p["cluster_invitations"] == []
    both = make_key("manager", f"t-manager-{unique_word('')}", clusters=[DEMO_01, b])[1]
    p = make_project(key=both, cluster_ids=[b, DEMO_02])
    assert p["cluster_ids"] == [b, DEMO_02] and p["cluster_invitations"] == [DEMO_02]
    assert p["id"] in listed_ids(api, cluster=b)
    assert p["id"] not in listed_ids(api, cluster=DEMO_02, q=p["title"].split()[-1])


def test_replacing_cluster_ids_keeps_each_clusters_state(api, admin_key, manager_key, make_cluster, invited):
    b, b_key, p = invited
    assert participation(api, b_key, p["id"], b).status_code == 200
    c = make_cluster()["id"]
    r = patch(api, manager_key, p["id"], {"cluster_ids": [c, b]})
    assert r.status_code == 200, r.text
    assert r.json()["cluster_ids"] == [c, b] and r.json()["cluster_invitations"] == [c]  # b stays accepted
    r = patch(api, admin_key, p["id"], {"title": f"Renamed {unique_word()}"})
    assert r.status_code == 200, r.text
    assert r.json()["cluster_invitations"] == [c]  # an admin's write does not accept for c
    r = patch(api, manager_key, p["id"], {"cluster_ids": [c]})
    assert r.json()["cluster_invitations"] == [c]
    r = patch(api, manager_key, p["id"], {"cluster_ids": [c, b]})  # listed anew: invited again
    assert r.json()["cluster_invitations"] == [c, b]
    assert p["id"] not in listed_ids(api, cluster=b)
    r = patch(api, admin_key, p["id"], {"cluster_ids": [c, b, DEMO_02]})
    assert r.json()["cluster_invitations"] == [c, b]  # the admin lists DEMO_02 as accepted


def test_cluster_invitations_is_read_only(api, manager_key, invited):
    b, _, p = invited
    r = patch(api, manager_key, p["id"], {"cluster_invitations": []})
    assert invalid(r) == {"cluster_invitations": "read_only"}
    assert get_project(api, p["id"]) == p


def test_invited_cluster_declines(api, invited):
    b, b_key, p = invited
    r = participation(api, b_key, p["id"], b, method="DELETE")
    assert r.status_code == 204, r.text
    u = get_project(api, p["id"])
    assert u["cluster_ids"] == [] and u["cluster_invitations"] == []
    problem(participation(api, b_key, p["id"], b, method="DELETE"), 404, "not_found")
    problem(participation(api, b_key, p["id"], b), 404, "not_found")


def test_lead_withdraws_a_cluster_and_others_cannot(api, manager_key, manager02_key, reader_key, invited):
    b, b_key, p = invited
    assert participation(api, b_key, p["id"], b).status_code == 200
    accepted = get_project(api, p["id"])
    problem(participation(api, manager02_key, p["id"], b, method="DELETE"), 403, "forbidden")
    problem(participation(api, reader_key, p["id"], b, method="DELETE"), 403, "forbidden")
    problem(participation(api, None, p["id"], b, method="DELETE"), 401, "unauthorized")
    assert get_project(api, p["id"]) == accepted
    r = participation(api, manager_key, p["id"], b, method="DELETE")
    assert r.status_code == 204, r.text
    assert get_project(api, p["id"])["cluster_ids"] == []
    assert p["id"] not in listed_ids(api, cluster=b)


def test_deleting_an_invited_cluster_removes_its_invitation(api, admin_key, invited):
    b, _, p = invited
    assert api.delete(f"/v1/clusters/{b}", key=admin_key).status_code == 204
    u = get_project(api, p["id"])
    assert u["cluster_ids"] == [] and u["cluster_invitations"] == []


def drain_projects(api, key, since=None, **params):
    """Every project change of the feed after `since` -> (items, next)."""
    items, pos = [], since
    for _ in range(1000):
        q = {"types": "project", "limit": 1000, **params}
        if pos:
            q["since"] = pos
        r = api.get("/v1/changes", params=q, key=key)
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        pos = body["next"]
        if not body["items"]:
            return items, pos
    raise AssertionError("the feed does not end")


# ---- merge patch ----

def test_merge_patch_replaces_arrays_whole(api, admin_key, make_project):
    p = make_project(cluster_ids=[DEMO_02, cl(3)],
                     companies=[{"company_id": co(1), "role": "lead"}, {"company_id": co(2), "role": "partner"}],
                     partners=[{"partner_id": pa(1), "role": "funder"}],
                     funding=[{"source": "eu", "amount_eur": 100, "status": "granted"},
                              {"source": "region", "amount_eur": 50, "status": "paid"}])
    r = patch(api, admin_key, p["id"], {"companies": [{"company_id": co(3), "role": "subcontractor"}]})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["companies"] == [{"company_id": co(3), "role": "subcontractor"}]
    assert u["cluster_ids"] == p["cluster_ids"] and u["partners"] == p["partners"] and u["funding"] == p["funding"]
    r = patch(api, admin_key, p["id"], {"funding": [{"source": "state", "amount_eur": 7.5, "status": "requested"}],
                                         "cluster_ids": [cl(4)]})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["funding"] == [{"source": "state", "program": None, "amount_eur": 7.5, "status": "requested"}]
    assert u["funding_totals"] == {"requested": 7.5, "granted": 0, "paid": 0, "total": 7.5}
    assert u["cluster_ids"] == [cl(4)]
    r = patch(api, admin_key, p["id"], {"partners": []})
    assert r.status_code == 200, r.text
    assert r.json()["partners"] == []
    assert get_project(api, p["id"]) == r.json()


def test_patch_with_unknown_reference_is_422_and_unchanged(api, admin_key, make_project):
    p = make_project(companies=[{"company_id": co(1), "role": "lead"}])
    r = patch(api, admin_key, p["id"], {"companies": [{"company_id": co(1), "role": "lead"},
                                                      {"company_id": co(2), "role": "partner"},
                                                      {"company_id": MISSING, "role": "partner"}]})
    assert invalid(r) == {"companies[2].company_id": "unknown_reference"}
    assert get_project(api, p["id"]) == p


# ---- filters, sorts, formats ----

@pytest.fixture(scope="module")
def trio(api, admin_key):
    """Three projects sharing a unique word:
    A: lead 01 (region 84), pooling, idea, company co1, starts 2030-01-10, budget 30 000, décolletage;
    B: lead 03 (region 75) with participant 10 (region 11), innovation, running, companies co1 and
       co15, partner p1, starts 2030-06-01, budget 1 500 000;
    C: lead 02 (regions 27, 84), international, completed, company co10, partners p3 and p1,
       starts 2031-03-15, budget 250 000."""
    word = unique_word()
    specs = {
        "A": dict(title=f"Alpha {word}", category="pooling", status="idea", lead_cluster_id=DEMO_01,
                  companies=[{"company_id": co(1), "role": "lead"}], starts_on="2030-01-10", budget_eur=30000,
                  summary="Achats groupés d'acier pour le décolletage"),
        "B": dict(title=f"Bravo {word}", category="innovation", status="running", lead_cluster_id=cl(3),
                  cluster_ids=[cl(10)], companies=[{"company_id": co(1), "role": "partner"},
                                                   {"company_id": co(15), "role": "lead"}],
                  partners=[{"partner_id": pa(1), "role": "funder"}], starts_on="2030-06-01",
                  budget_eur=1500000),
        "C": dict(title=f"Charlie {word}", category="international", status="completed", lead_cluster_id=DEMO_02,
                  companies=[{"company_id": co(10), "role": "lead"}],
                  partners=[{"partner_id": pa(3), "role": "support"}, {"partner_id": pa(1), "role": "academic"}],
                  starts_on="2031-03-15", budget_eur=250000),
    }
    out = {"word": word}
    try:
        for k, spec in specs.items():
            r = api.post("/v1/projects", spec, key=admin_key)
            assert r.status_code == 201, r.text
            out[k] = r.json()
        yield out
    finally:
        for k in "ABC":
            if k in out:
                api.delete(f"/v1/projects/{out[k]['id']}", key=admin_key)


def names(trio, items):
    by_id = {trio[k]["id"]: k for k in "ABC"}
    return "".join(by_id.get(i["id"], "?") for i in items)


def listed(api, trio, **params):
    params.setdefault("q", trio["word"])
    r = api.get("/v1/projects", params=params)
    assert r.status_code == 200, r.text
    return names(trio, r.json()["items"])


def test_default_sort_is_title(api, trio):
    assert listed(api, trio) == "ABC"


@pytest.mark.parametrize("q", ["decolletage", "décolletage", "DÉCOLLETAGE", "Decolletage"])
def test_full_text_ignores_accents(api, trio, q):
    assert listed(api, trio, q=f"{q} {trio['word']}") == "A"


def test_full_text_matches_titles(api, trio):
    assert listed(api, trio, q=f"charlie {trio['word']}") == "C"


def test_category_filter(api, trio):
    assert listed(api, trio, category="innovation") == "B"
    assert listed(api, trio, category="pooling,international") == "AC"
    assert listed(api, trio, category="communication") == ""


def test_status_filter_takes_a_comma_list(api, trio):
    assert listed(api, trio, status="idea") == "A"
    assert listed(api, trio, status="idea,completed") == "AC"
    assert listed(api, trio, status="running,abandoned") == "B"


def test_cluster_filter_matches_the_lead_and_the_participants(api, trio):
    assert listed(api, trio, cluster=DEMO_01) == "A"
    assert listed(api, trio, cluster=cl(3)) == "B"       # lead
    assert listed(api, trio, cluster=cl(10)) == "B"      # participant only
    assert listed(api, trio, cluster=f"{DEMO_01},{DEMO_02}") == "AC"
    assert listed(api, trio, cluster=cl(4)) == ""


def test_company_filter(api, trio):
    assert listed(api, trio, company=co(1)) == "AB"
    assert listed(api, trio, company=co(15)) == "B"
    assert listed(api, trio, company=f"{co(10)},{co(15)}") == "BC"
    assert listed(api, trio, company=co(2)) == ""


def test_partner_filter(api, trio):
    assert listed(api, trio, partner=pa(1)) == "BC"
    assert listed(api, trio, partner=pa(3)) == "C"
    assert listed(api, trio, partner=pa(2)) == ""


def test_region_filter_matches_the_lead_or_a_participant(api, trio):
    assert listed(api, trio, region="75") == "B"   # lead 03
    assert listed(api, trio, region="11") == "B"   # participant 10
    assert listed(api, trio, region="27") == "C"   # lead 02
    assert listed(api, trio, region="84") == "AC"
    assert listed(api, trio, region="11,27") == "BC"
    assert listed(api, trio, region="93") == ""


def test_starts_after_and_before_are_inclusive(api, trio):
    assert listed(api, trio, starts_after="2030-06-01") == "BC"
    assert listed(api, trio, starts_after="2030-06-02") == "C"
    assert listed(api, trio, starts_before="2030-06-01") == "AB"
    assert listed(api, trio, starts_before="2030-05-31") == "A"
    assert listed(api, trio, starts_after="2030-02-01", starts_before="2031-01-01") == "B"


@pytest.mark.parametrize("sort,expected", [("title", "ABC"), ("-title", "CBA"), ("starts_on", "ABC"),
                                           ("-starts_on", "CBA"), ("budget_eur", "ACB"), ("-budget_eur", "BCA")])
def test_sorts(api, trio, sort, expected):
    assert listed(api, trio, sort=sort) == expected


def test_walk_with_limit_1(api, trio, list_all):
    items, pages = list_all("/v1/projects", {"q": trio["word"], "limit": 1, "sort": "budget_eur"})
    assert names(trio, items) == "ACB"
    assert pages == 3


def test_count_true_gives_the_total(api, trio):
    r = api.get("/v1/projects", params={"q": trio["word"], "count": "true", "limit": 1})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 3
    assert len(r.json()["items"]) == 1
    r = api.get("/v1/projects", params={"q": trio["word"], "count": "true", "status": "idea,running"})
    assert r.json()["total"] == 2


@pytest.mark.parametrize("param,value", [("starts_after", "2030-02-30"), ("starts_after", "tomorrow"),
                                         ("starts_before", "2030-13-01"), ("starts_before", "01/06/2030"),
                                         ("category", "research"), ("status", "draft"), ("status", "idea,draft"),
                                         ("cluster", "not-a-uuid"), ("company", "x"), ("partner", "1"),
                                         ("region", "8"), ("updated_since", "yesterday"), ("sort", "summary"),
                                         ("sort", "status"), ("bogus", "1")])
def test_bad_list_parameters_are_400(api, param, value):
    problem(api.get("/v1/projects", params={param: value}), 400, "invalid_query")


def test_csv_list_is_complete(api, trio):
    r = api.get("/v1/projects", params={"q": trio["word"], "format": "csv", "count": "true"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "text/csv"
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"), newline="")))
    header = rows[0]
    for col in ("id", "title", "category", "status", "lead_cluster_id", "budget_eur", "starts_on", "ends_on"):
        assert col in header, col
    assert [row[header.index("id")] for row in rows[1:]] == [trio[k]["id"] for k in "ABC"]
    assert [row[header.index("status")] for row in rows[1:]] == ["idea", "running", "completed"]
    assert [row[header.index("lead_cluster_id")] for row in rows[1:]] == [DEMO_01, cl(3), DEMO_02]
    assert r.headers["X-Total-Count"] == "3" == str(len(rows) - 1)
    assert r.content.endswith(b"\r\n")
    r2 = api.get("/v1/projects", params={"q": trio["word"], "count": "true"}, headers={"Accept": "text/csv"})
    assert r2.content == r.content


def test_ndjson_list_is_the_whole_result(api, trio):
    total = api.get("/v1/projects", params={"q": trio["word"], "count": "true", "limit": 1}).json()["total"]
    for r in (api.get("/v1/projects", params={"q": trio["word"], "format": "ndjson", "limit": 1}),
              api.get("/v1/projects", params={"q": trio["word"], "limit": 1},
                      headers={"Accept": "application/x-ndjson"})):
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].split(";")[0] == "application/x-ndjson"
        lines = [json.loads(l) for l in r.text.split("\n") if l]
        assert [p["id"] for p in lines] == [trio[k]["id"] for k in "ABC"]
        assert len(lines) == total == 3
        assert lines[1] == get_project(api, trio["B"]["id"])


def test_geojson_is_406_projects_have_no_location(api):
    body = problem(api.get("/v1/projects", params={"format": "geojson"}), 406, "not_acceptable")
    assert "geo+json" not in body["detail"]
    problem(api.get("/v1/projects", headers={"Accept": "application/geo+json"}), 406, "not_acceptable")
    problem(api.get("/v1/projects", params={"format": "ics"}), 406, "not_acceptable")
    problem(api.get(f"/v1/projects/{MISSING}", headers={"Accept": "text/csv"}), 406, "not_acceptable")


def test_updated_since(api, admin_key, make_project):
    word = unique_word()
    a = make_project(title=f"Alpha {word}")
    b = make_project(title=f"Bravo {word}")
    ids = lambda **p: [i["id"] for i in api.get("/v1/projects", params={"q": word, **p}).json()["items"]]
    assert ids(updated_since=a["updated_at"]) == [a["id"], b["id"]]
    assert ids(updated_since=b["updated_at"]) == [b["id"]]
    later = (instant(b["updated_at"]) + datetime.timedelta(microseconds=1)).isoformat()
    assert ids(updated_since=later) == []
    r = patch(api, admin_key, a["id"], {"budget_eur": 10})
    assert r.status_code == 200, r.text
    assert ids(updated_since=later) == [a["id"]]


# ---- what deletions leave behind ----

def test_deleting_a_company_removes_it_from_projects(api, admin_key, make_company, make_project):
    gone = make_company()
    p = make_project(companies=[{"company_id": co(1), "role": "lead"}, {"company_id": gone["id"], "role": "partner"}])
    assert api.delete(f"/v1/companies/{gone['id']}", key=admin_key).status_code == 204
    assert get_project(api, p["id"])["companies"] == [{"company_id": co(1), "role": "lead"}]
    assert api.get("/v1/projects", params={"company": gone["id"]}).json()["items"] == []


def test_deleting_a_partner_removes_it_from_projects(api, admin_key, make_partner, make_project):
    gone = make_partner()
    p = make_project(partners=[{"partner_id": gone["id"], "role": "funder"}, {"partner_id": pa(1), "role": "academic"}])
    assert api.delete(f"/v1/partners/{gone['id']}", key=admin_key).status_code == 204
    assert get_project(api, p["id"])["partners"] == [{"partner_id": pa(1), "role": "academic"}]
    assert api.get("/v1/projects", params={"partner": gone["id"]}).json()["items"] == []


def test_deleting_a_participant_cluster_removes_it_from_cluster_ids(api, admin_key, make_cluster, make_project):
    gone = make_cluster()
    p = make_project(cluster_ids=[DEMO_02, gone["id"]])
    assert api.delete(f"/v1/clusters/{gone['id']}", key=admin_key).status_code == 204
    assert get_project(api, p["id"])["cluster_ids"] == [DEMO_02]


def test_deleting_the_lead_cluster_deletes_the_project(api, admin_key, make_cluster, make_project):
    lead = make_cluster()
    p = make_project(lead_cluster_id=lead["id"], cluster_ids=[DEMO_01])
    assert api.delete(f"/v1/clusters/{lead['id']}", key=admin_key).status_code == 204
    problem(api.get(f"/v1/projects/{p['id']}"), 404, "not_found")
    assert api.get("/v1/projects", params={"cluster": DEMO_01, "q": p["title"].split()[-1]}).json()["items"] == []
