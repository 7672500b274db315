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
