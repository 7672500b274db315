"""The change feed narrowed and attributed (issue 18; SPEC, Change feed): since=now, cluster=
and region=, a manager's feed narrowed to its clusters, each change's origin (the key that
wrote it, null for psql and the command line) and exclude_origin=self.

Each change records what it concerns and who wrote it when it is written (migration 0021);
these tests write their own objects and look only at them."""
import json

import pytest

from conftest import DEMO_01, problem, unique_word
from test_changes import feed

CHANGES = "/v1/changes"


def now(api, key, **params):
    body = feed(api, key, since="now", **params)
    assert body["items"] == []
    return body["next"]


def drain(api, key, since, **params):
    items, pos = [], since
    for _ in range(200):
        body = feed(api, key, since=pos, limit=1000, **params)
        items.extend(body["items"])
        if not body["items"]:
            return items, body["next"]
        pos = body["next"]
    raise AssertionError("the feed did not end")


def seen(items, ids):
    return [(i["type"], i["id"], i["op"]) for i in items if i["id"] in ids]


@pytest.fixture(scope="module")
def writer_a(make_key):
    return make_key("admin", "t-origin-a")


@pytest.fixture(scope="module")
def writer_b(make_key):
    return make_key("admin", "t-origin-b")


def test_since_now_is_the_head(api, reader_key, make_cluster):
    make_cluster()
    head = now(api, reader_key)
    assert feed(api, reader_key, since=head)["items"] == []  # nothing after the head yet
    c = make_cluster()
    items, _ = drain(api, reader_key, head)
    assert seen(items, {c["id"]}) == [("cluster", c["id"], "upsert")]
    assert all(i["seq"] > 0 for i in items)
    # narrowed, since=now is the head too: the next write of that scope comes first
    head = now(api, reader_key, types="company")
    assert isinstance(head, str)


def test_each_change_names_its_origin(api, reader_key, admin_key, manager_key, writer_a, writer_b, sql,
                                      make_cluster, make_company):
    a_id, a_key = writer_a
    b_id, b_key = writer_b
    head = now(api, reader_key)
    mine = make_cluster(key=a_key)
    sql(f"UPDATE clusters SET description = 'by psql' WHERE id = '{mine['id']}'")
    r = api.patch(f"/v1/clusters/{mine['id']}", {"acronym": "ORG"}, key=b_key)
    assert r.status_code == 200, r.text
    company = make_company()
    r = api.put(f"/v1/clusters/{mine['id']}/members/{company['id']}", {}, key=a_key,
                headers={"Idempotency-Key": unique_word("idem")})
    assert r.status_code == 201, r.text
    membership = r.json()["id"]
    line = json.dumps({"siret": company["siret"], "name": company["name"], "employees": 9})
    r = api.post("/v1/companies/bulk", line + "\n",
                 content_type="application/x-ndjson", key=b_key)
    assert r.status_code == 200, r.text
    items, _ = drain(api, reader_key, head)
    got = [(i["op"], i["origin"]) for i in items if i["id"] == mine["id"]]
    assert got == [("upsert", a_id), ("upsert", None), ("upsert", b_id)], got
    assert [i["origin"] for i in items if i["id"] == membership] == [a_id]
    assert [i["origin"] for i in items if i["id"] == company["id"]][-1] == b_id
    # admins see it too; a manager's feed names no origin
    items, _ = drain(api, admin_key, head)
    assert [i["origin"] for i in items if i["id"] == mine["id"]] == [a_id, None, b_id]


def test_exclude_origin_self_leaves_out_the_callers_own_writes(api, reader_key, writer_a, writer_b,
                                                               make_cluster):
    a_id, a_key = writer_a
    b_id, b_key = writer_b
    head = now(api, reader_key)
    by_a = make_cluster(key=a_key)
    by_b = make_cluster(key=b_key)
    ids = {by_a["id"], by_b["id"]}
    items, _ = drain(api, a_key, head, exclude_origin="self")
    assert seen(items, ids) == [("cluster", by_b["id"], "upsert")]
    items, _ = drain(api, b_key, head, exclude_origin="self")
    assert seen(items, ids) == [("cluster", by_a["id"], "upsert")]
    items, _ = drain(api, reader_key, head, exclude_origin="self")  # a reader wrote none of them
    assert len(seen(items, ids)) == 2


def test_cluster_and_region_narrow_the_feed(api, reader_key, admin_key, make_cluster, make_company, make_partner,
                                            make_project, make_event):
    head = now(api, reader_key)
    x = make_cluster(region_codes=["84"])
    y = make_cluster(region_codes=["11"])
    in_x = make_company(region_code="84")
    elsewhere = make_company(region_code="53")
    partner = make_partner(region_code="53")
    r = api.put(f"/v1/clusters/{x['id']}/members/{in_x['id']}", {}, key=admin_key)
    assert r.status_code == 201, r.text
    membership = r.json()
    r = api.put(f"/v1/clusters/{x['id']}/partners/{partner['id']}", {}, key=admin_key)
    assert r.status_code == 201, r.text
    link = r.json()
    # joining changes no company (the membership is the change); its next change concerns x
    r = api.patch(f"/v1/companies/{in_x['id']}", {"employees": 31}, key=admin_key)
    assert r.status_code == 200, r.text
    r = api.put(f"/v1/clusters/{x['id']}/indicators/2024", {"members": 12}, key=admin_key)
    assert r.status_code == 201, r.text
    indicator = r.json()
    event = make_event(organizer_cluster_id=x["id"])
    project = make_project(lead_cluster_id=y["id"], cluster_ids=[x["id"]])
    y_only = make_project(lead_cluster_id=y["id"])
    ids = {o["id"] for o in (x, y, in_x, elsewhere, partner, membership, link, indicator, event, project, y_only)}

    items, _ = drain(api, reader_key, head, cluster=x["id"])
    got = {(t, i) for t, i, _ in seen(items, ids)}
    assert got == {("cluster", x["id"]), ("membership", membership["id"]), ("company", in_x["id"]),
                   ("cluster_partner", link["id"]), ("indicator", indicator["id"]), ("event", event["id"]),
                   ("project", project["id"])}, got

    items, _ = drain(api, reader_key, head, cluster=f"{x['id']},{y['id']}", types="project")
    assert {i for _, i, _ in seen(items, ids)} == {project["id"], y_only["id"]}

    # 84: the cluster x and what concerns it, the company of the region
    items, _ = drain(api, reader_key, head, region="84")
    got = {i for _, i, _ in seen(items, ids)}
    assert {x["id"], in_x["id"], membership["id"], indicator["id"], event["id"], project["id"]} <= got
    assert not got & {y["id"], elsewhere["id"], y_only["id"]}
    # 53: the company and the partner of the region, and the link of that partner
    items, _ = drain(api, reader_key, head, region="53")
    got = {i for _, i, _ in seen(items, ids)}
    assert {elsewhere["id"], partner["id"], link["id"]} <= got and x["id"] not in got

    # a deletion keeps what it concerned
    assert api.delete(f"/v1/clusters/{x['id']}/partners/{partner['id']}", key=admin_key).status_code == 204
    items, _ = drain(api, reader_key, head, cluster=x["id"], types="cluster_partner")
    assert [op for _, i, op in seen(items, ids) if i == link["id"]] == ["upsert", "delete"]
    items, _ = drain(api, reader_key, head, region="53", types="cluster_partner")
    assert [op for _, i, op in seen(items, ids) if i == link["id"]] == ["upsert", "delete"]


def test_leaving_and_deleting_reach_the_followers_of_what_was_left(api, reader_key, admin_key, make_cluster,
                                                                    make_partner, make_project):
    """An update concerns what the row was and what it is; a deletion, what it concerned
    just before (a partner's links, which its deletion cascades to)."""
    x = make_cluster(region_codes=["84"])
    y = make_cluster(region_codes=["11"])
    partner = make_partner(region_code="53")
    assert api.put(f"/v1/clusters/{x['id']}/partners/{partner['id']}", {}, key=admin_key).status_code == 201
    project = make_project(lead_cluster_id=y["id"], cluster_ids=[x["id"]])
    head = now(api, reader_key)
    r = api.patch(f"/v1/projects/{project['id']}", {"cluster_ids": []}, key=admin_key)
    assert r.status_code == 200, r.text
    r = api.patch(f"/v1/partners/{partner['id']}", {"region_code": "11"}, key=admin_key)
    assert r.status_code == 200, r.text
    assert api.delete(f"/v1/partners/{partner['id']}", key=admin_key).status_code == 204
    items, _ = drain(api, reader_key, head, cluster=x["id"])
    got = seen(items, {project["id"], partner["id"]})
    assert ("project", project["id"], "upsert") in got  # it left x: x's followers hear it
    assert ("partner", partner["id"], "delete") in got  # it was linked to x until deleted
    items, _ = drain(api, reader_key, head, region="53", types="partner")
    assert [op for _, i, op in seen(items, {partner["id"]})] == ["upsert"]  # it left region 53


def test_a_managers_feed_is_narrowed_to_its_clusters(api, admin_key, manager_key, manager02_key, make_company,
                                                    make_cluster):
    head = now(api, manager_key)
    other = make_cluster()
    company = make_company()
    r = api.put(f"/v1/clusters/{DEMO_01}/members/{company['id']}", {}, key=admin_key)
    assert r.status_code == 201, r.text
    membership = r.json()
    r = api.patch(f"/v1/companies/{company['id']}", {"employees": 8}, key=admin_key)
    assert r.status_code == 200, r.text
    ids = {other["id"], company["id"], membership["id"]}
    items, _ = drain(api, manager_key, head)
    got = seen(items, ids)
    assert ("membership", membership["id"], "upsert") in got
    assert ("company", company["id"], "upsert") in got  # now one of its members
    assert all(i != other["id"] for _, i, _ in got)
    assert all("origin" not in i for i in items)
    # the other cluster's manager sees none of it
    items, _ = drain(api, manager02_key, head)
    assert not seen(items, {membership["id"]})
    # cluster= within its own clusters only
    assert feed(api, manager_key, since=head, cluster=DEMO_01)["items"] == items_of(api, manager_key, head)
    problem(api.get(CHANGES, params={"cluster": other["id"]}, key=manager_key), 403, "forbidden")


def items_of(api, key, head):
    return drain(api, key, head)[0][:100]


def test_a_narrowed_empty_page_moves_on(api, reader_key, make_cluster):
    head = now(api, reader_key)
    make_cluster(region_codes=["11"])
    nobody = "00000000-0000-4000-8000-00000000dead"
    body = feed(api, reader_key, since=head, cluster=nobody)
    assert body["items"] == [] and body["next"] != head
    # and what commits next is still found from there
    c = make_cluster()
    items, _ = drain(api, reader_key, body["next"])
    assert seen(items, {c["id"]}) == [("cluster", c["id"], "upsert")]


@pytest.mark.parametrize("params,field", [
    ({"cluster": "not-a-uuid"}, "cluster"),
    ({"cluster": ""}, "cluster"),
    ({"region": "99"}, "region"),
    ({"exclude_origin": "everyone"}, "exclude_origin"),
], ids=["cluster", "cluster-empty", "region", "exclude"])
def test_bad_narrowing_is_400(api, reader_key, params, field):
    body = problem(api.get(CHANGES, params=params, key=reader_key), 400, "invalid_query")
    assert field in [e["field"] for e in body.get("errors", [])] or field in body["detail"]
