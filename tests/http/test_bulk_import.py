"""The bulk engine beyond companies' NDJSON (issue 19): CSV bodies (separators, BOM,
windows-1252, nested and array columns, external ids, per-cell errors), the bulk endpoints of
clusters, partners, projects and events (by id or external id) and of memberships (by their
two ends), with dry runs, atomic imports, managers and limits."""

import json

import pytest

from conftest import DEMO_01, DEMO_02, new_siret, problem, unique_word

CSV = "text/csv"


def bulk(api, key, path, body, content_type=CSV, **params):
    if isinstance(body, str):
        body = body.encode()
    return api.post(f"/v1/{path}/bulk", body, content_type=content_type, key=key, params=params or None)


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def statuses(body):
    return [(x["line"], x["status"]) for x in body["results"]]


def errors_of(body, line):
    return [x for x in body["results"] if x["line"] == line][0]["errors"]


def by_external(api, resource, ns, value, key=None):
    r = api.get(f"/v1/{resource}/external/{ns}/{value}", key=key)
    return r.json() if r.status_code == 200 else None


@pytest.fixture
def cleanup(api, admin_key):
    """cleanup(resource, id): deleted after the test."""
    made = []
    yield lambda resource, oid: made.append((resource, oid))
    for resource, oid in reversed(made):
        api.delete(f"/v1/{resource}/{oid}", key=admin_key)


# ---- CSV ----

def test_csv_from_french_excel_windows_1252_with_semicolons(api, admin_key, cleanup):
    ns, a, b = f"t{unique_word()}", new_siret(), new_siret()
    text = ("siret;name;employees;address.city;location.lat;location.lon;external_ids.%s\r\n"
            "%s;Décolletage Énergie;1 200;Cluses;46,06;6,58;A-1\r\n"
            "%s;Société Œuvre;;Annecy;;;A-2\r\n" % (ns, a, b))
    r = bulk(api, admin_key, "companies", text.encode("cp1252"), content_type="text/csv; charset=windows-1252")
    body = ok(r)
    assert statuses(body) == [(2, "created"), (3, "created")], body
    for x in body["results"]:
        cleanup("companies", x["id"])
    c = by_external(api, "companies", ns, "A-1")
    assert c["name"] == "Décolletage Énergie" and c["siret"] == a
    assert c["employees"] == 1200 and c["address"]["city"] == "Cluses"
    assert c["location"] == {"lat": 46.06, "lon": 6.58} or (c["location"]["lat"], c["location"]["lon"]) == (46.06, 6.58)
    assert c["external_ids"] == {ns: "A-1"}
    d = by_external(api, "companies", ns, "A-2")
    assert d["name"] == "Société Œuvre" and d["employees"] is None  # an empty cell is no value
    # the same file again changes nothing
    assert statuses(ok(bulk(api, admin_key, "companies", text.encode("cp1252"),
                            content_type="text/csv; charset=windows-1252"))) == [(2, "unchanged"), (3, "unchanged")]


def test_csv_utf8_with_bom_commas_and_quoted_cells(api, admin_key, cleanup):
    a, b = new_siret(), new_siret()
    text = ("\ufeffsiret,name,description\n"
            f'{a},"Forge, et fils","ligne un\nligne deux ""citée"""\n'
            "\n"
            f"{b},Atelier,\n")
    body = ok(bulk(api, admin_key, "companies", text))
    # a quoted cell over lines 2 and 3; the blank line 4 is skipped; the next record is line 5
    assert statuses(body) == [(2, "created"), (5, "created")], body
    for x in body["results"]:
        cleanup("companies", x["id"])
    c = api.get(f"/v1/companies/{body['results'][0]['id']}").json()
    assert c["name"] == "Forge, et fils"
    assert c["description"] == 'ligne un\nligne deux "citée"'


def test_csv_bad_cells_are_line_errors_naming_their_column(api, admin_key, cleanup):
    a, b, c = new_siret(), new_siret(), new_siret()
    text = ("siret;name;employees;founded_on\n"
            f"{a};Bon;12;2001-02-03\n"
            f"{b};Mauvais;douze;2001-02-03\n"
            f"{c};Mauvaise date;3;03/02/2001\n"
            f"{new_siret()};Trop;1;2001-01-01;extra\n")
    body = ok(bulk(api, admin_key, "companies", text))
    assert statuses(body) == [(2, "created"), (3, "error"), (4, "error"), (5, "error")]
    cleanup("companies", body["results"][0]["id"])
    assert errors_of(body, 3)[0]["field"] == "employees"
    assert errors_of(body, 4)[0]["field"] == "founded_on"
    assert errors_of(body, 5)[0]["code"] == "malformed"
    assert api.get("/v1/companies", params={"siret": b}).json()["items"] == []


def test_csv_bytes_that_are_not_utf8_or_nul_are_line_errors(api, admin_key, cleanup):
    a = new_siret()
    raw = (b"siret,name\n" + f"{new_siret()},Caf\xe9\n".encode("latin-1") + f"{new_siret()},A\x00B\n".encode()
           + f"{a},Bien\n".encode())
    body = ok(bulk(api, admin_key, "companies", raw))
    assert statuses(body) == [(2, "error"), (3, "error"), (4, "created")], body
    cleanup("companies", body["results"][2]["id"])
    assert "UTF-8" in errors_of(body, 2)[0]["message"]
    assert "NUL" in errors_of(body, 3)[0]["message"]


@pytest.mark.parametrize("header,code", [("siret,name,colour", "unknown_column"),
                                         ("siret,name,name", "duplicate_column"),
                                         ("siret,,name", "empty_column")])
def test_csv_header_errors_are_400_and_write_nothing(api, admin_key, header, code):
    s = new_siret()
    r = bulk(api, admin_key, "companies", f"{header}\n{s},X,Y\n")
    problem(r, 400, "malformed_request")
    assert r.json()["errors"][0]["code"] == code
    assert api.get("/v1/companies", params={"siret": s}).json()["items"] == []


def test_csv_unknown_charset_is_415(api, admin_key):
    problem(bulk(api, admin_key, "companies", "siret,name\n", content_type="text/csv; charset=utf-16"),
            415, "unsupported_media_type")


def test_csv_over_100000_lines_is_413_before_writing(api, admin_key):
    s = new_siret()
    text = "siret,name\n" + f"{s},X\n" + "".join(f"{i},n\n" for i in range(100000))
    problem(bulk(api, admin_key, "companies", text), 413, "payload_too_large")
    assert api.get("/v1/companies", params={"siret": s}).json()["items"] == []


def test_csv_dry_run_and_atomic(api, admin_key, cleanup):
    a, b = new_siret(), new_siret()
    text = f"siret,name,employees\n{a},Un,1\n{b},Deux,deux\n"
    body = ok(bulk(api, admin_key, "companies", text, dry_run="true"))
    assert body["committed"] is False and statuses(body) == [(2, "created"), (3, "error")]
    body = ok(bulk(api, admin_key, "companies", text, atomic="true"))
    assert body["committed"] is False
    assert api.get("/v1/companies", params={"siret": a}).json()["items"] == []
    body = ok(bulk(api, admin_key, "companies", f"siret,name\n{a},Un\n", atomic="true"))
    assert body["committed"] is True
    cleanup("companies", body["results"][0]["id"])


# ---- clusters, partners, projects, events ----

def test_clusters_by_external_id_create_then_unchanged_then_updated(api, admin_key, cleanup):
    ns = f"r{unique_word()}"
    word = unique_word()
    lines = [{"name": f"Grappe {word} A", "kind": "cluster", "external_ids": {ns: "C1"}},
             {"name": f"Grappe {word} B", "kind": "spl", "external_ids": {ns: "C2"}}]
    nd = "".join(json.dumps(l) + "\n" for l in lines)
    body = ok(bulk(api, admin_key, "clusters", nd, content_type="application/x-ndjson"))
    assert statuses(body) == [(1, "created"), (2, "created")], body
    for x in body["results"]:
        cleanup("clusters", x["id"])
    assert statuses(ok(bulk(api, admin_key, "clusters", nd, content_type="application/x-ndjson"))) == \
        [(1, "unchanged"), (2, "unchanged")]
    text = (f"name,kind,external_ids.{ns},description,sectors,region_codes\n"
            f"Grappe {word} A,cluster,C1,Nouvelle description,mécanique | textile|,84|11\n")
    body2 = ok(bulk(api, admin_key, "clusters", text))
    assert statuses(body2) == [(2, "updated")] and body2["results"][0]["id"] == body["results"][0]["id"]
    got = by_external(api, "clusters", ns, "C1")
    assert got["description"] == "Nouvelle description"
    assert got["sectors"] == ["mécanique", "textile"] and got["region_codes"] == ["84", "11"]


def test_rows_by_id_and_the_lines_that_name_nothing(api, admin_key, make_partner):
    p = make_partner()
    ns = f"p{unique_word()}"
    other = make_partner(external_ids={ns: "X"})
    third = make_partner(external_ids={ns: "Y"})
    lines = [{"id": p["id"], "name": "Renamed", "kind": "other"},
             {"id": "00000000-0000-4000-8000-000000000000", "name": "Nobody", "kind": "other"},
             {"name": "No key", "kind": "other"},
             {"name": "Two rows", "kind": "other", "external_ids": {ns: "X", ns + "b": "Z"}},
             {"id": "nope", "name": "Bad id", "kind": "other"},
             {"name": "Both", "kind": "other", "external_ids": {ns: "X"}, "id": third["id"]}]
    body = ok(bulk(api, admin_key, "partners", json.dumps(lines), content_type="application/json"))
    assert statuses(body)[:3] == [(1, "updated"), (2, "error"), (3, "error")], body
    assert errors_of(body, 2)[0]["code"] == "not_found"
    assert errors_of(body, 3)[0]["code"] == "required"
    assert statuses(body)[3] == (4, "updated")  # one namespace names `other`, the new one joins it
    assert errors_of(body, 5)[0]["code"] == "invalid_format"
    assert errors_of(body, 6)[0]["code"] == "conflict"  # X is held by `other`, not by `third`
    assert api.get(f"/v1/partners/{p['id']}").json()["name"] == "Renamed"
    got = api.get(f"/v1/partners/{other['id']}").json()
    assert got["external_ids"] == {ns: "X", ns + "b": "Z"}
    assert api.get(f"/v1/partners/{third['id']}").json()["external_ids"] == {ns: "Y"}


def test_projects_and_events_for_a_manager(api, admin_key, manager_key, cleanup):
    ns = f"m{unique_word()}"
    projects = [{"title": f"P {unique_word()}", "category": "innovation", "lead_cluster_id": DEMO_01,
                 "external_ids": {ns: "P1"}},
                {"title": f"P {unique_word()}", "category": "innovation", "lead_cluster_id": DEMO_02,
                 "external_ids": {ns: "P2"}}]
    body = ok(bulk(api, manager_key, "projects", json.dumps(projects), content_type="application/json"))
    assert statuses(body) == [(1, "created"), (2, "error")], body
    cleanup("projects", body["results"][0]["id"])
    assert errors_of(body, 2)[0]["code"] == "forbidden"
    events = [{"title": f"E {unique_word()}", "kind": "training", "organizer_cluster_id": DEMO_01,
               "starts_at": "2031-03-01T09:00:00Z", "ends_at": "2031-03-01T17:00:00Z", "external_ids": {ns: "E1"}}]
    body = ok(bulk(api, manager_key, "events", json.dumps(events), content_type="application/json"))
    assert statuses(body) == [(1, "created")], body
    cleanup("events", body["results"][0]["id"])
    # an admin's event of another cluster is outside the manager's scope
    e2 = dict(events[0], organizer_cluster_id=DEMO_02, external_ids={ns: "E2"}, title=f"E {unique_word()}")
    body = ok(bulk(api, admin_key, "events", json.dumps([e2]), content_type="application/json"))
    cleanup("events", body["results"][0]["id"])
    e2["title"] = "Changed by a manager"
    body = ok(bulk(api, manager_key, "events", json.dumps([e2]), content_type="application/json"))
    assert statuses(body) == [(1, "error")] and errors_of(body, 1)[0]["code"] == "forbidden"


@pytest.mark.parametrize("path,role,status", [("partners", "manager", 403), ("clusters", "reader", 403),
                                              ("memberships", None, 401), ("events", "reader", 403)])
def test_who_may_import(api, make_key, path, role, status):
    key = make_key(role, clusters=[DEMO_01] if role == "manager" else ())[1] if role else None
    problem(bulk(api, key, path, "name\nX\n"), status, "unauthorized" if status == 401 else "forbidden")


def test_a_manager_cannot_create_clusters_but_updates_its_own(api, admin_key, manager_key):
    ns = f"k{unique_word()}"
    cur = api.get(f"/v1/clusters/{DEMO_01}").json()
    r = api.patch(f"/v1/clusters/{DEMO_01}", {"external_ids": {ns: "MINE"}}, key=admin_key)
    assert r.status_code == 200, r.text
    try:
        text = f"name,kind,external_ids.{ns}\nNouvelle grappe {unique_word()},cluster,NEW\n{cur['name']},{cur['kind']},MINE\n"
        body = ok(bulk(api, manager_key, "clusters", text, dry_run="true"))
        assert statuses(body)[0] == (2, "error") and errors_of(body, 2)[0]["code"] == "forbidden"
        assert statuses(body)[1][0] == 3 and statuses(body)[1][1] in ("updated", "unchanged")
    finally:
        api.patch(f"/v1/clusters/{DEMO_01}", {"external_ids": {ns: None}}, key=admin_key)


# ---- memberships ----

def test_memberships_by_siret_external_id_and_id(api, admin_key, make_cluster, make_company):
    ns = f"g{unique_word()}"
    cl = make_cluster(external_ids={ns: "CL"})
    a, b, c = make_company(), make_company(external_ids={ns: "CO-B"}), make_company()
    text = ("cluster_external_id;company_siret;company_external_id;company_id;role;college;joined_on;left_on\n"
            f"{ns}:CL;{a['siret']};;;member;pme;2020-01-01;\n"
            f"{ns}:CL;;{ns}:CO-B;;board_member;;;\n"
            f"{ns}:CL;;;{c['id']};;;;\n"
            f"{ns}:CL;{a['siret']};;;founding_member;;;\n"
            f"{ns}:NONE;{a['siret']};;;;;;\n"
            f"{ns}:CL;{new_siret()};;;;;;\n"
            f"{ns}:CL;{a['siret']};{ns}:CO-B;;;;;\n")
    body = ok(bulk(api, admin_key, "memberships", text))
    assert statuses(body) == [(2, "created"), (3, "created"), (4, "created"), (5, "error"), (6, "error"),
                              (7, "error"), (8, "error")], body
    assert errors_of(body, 5)[0]["code"] == "duplicate" and "line 2" in errors_of(body, 5)[0]["message"]
    assert errors_of(body, 6)[0] == {"field": "cluster_external_id", "code": "unknown_reference",
                                     "message": errors_of(body, 6)[0]["message"]}
    assert errors_of(body, 7)[0]["field"] == "company_siret"
    assert errors_of(body, 8)[0]["field"] == "company_id"  # named twice
    members = api.get(f"/v1/clusters/{cl['id']}/members", key=admin_key).json()["items"]
    assert sorted(m["company_id"] for m in members) == sorted([a["id"], b["id"], c["id"]])
    role = {m["company_id"]: m for m in members}
    assert role[a["id"]]["college"] == "pme" and role[a["id"]]["joined_on"] == "2020-01-01"
    assert role[b["id"]]["role"] == "board_member"
    assert api.get(f"/v1/clusters/{cl['id']}").json()["member_count"] == 3
    # again: unchanged; then one ended and one changed
    assert [s for _, s in statuses(ok(bulk(api, admin_key, "memberships", text)))][:3] == ["unchanged"] * 3
    text2 = ("cluster_id,company_id,role,left_on\n"
             f"{cl['id']},{a['id']},member,2030-01-01\n"
             f"{cl['id']},{b['id']},member,\n")
    body = ok(bulk(api, admin_key, "memberships", text2))
    assert statuses(body) == [(2, "updated"), (3, "updated")], body
    assert api.get(f"/v1/clusters/{cl['id']}").json()["member_count"] == 2
    members = api.get(f"/v1/clusters/{cl['id']}/members", key=admin_key).json()["items"]
    assert {m["company_id"]: m["role"] for m in members}[b["id"]] == "member"
    # joined_on was kept (absent from the line)
    hist = api.get(f"/v1/clusters/{cl['id']}/members", params={"status": "all"}, key=admin_key).json()["items"]
    ended = [m for m in hist if m["company_id"] == a["id"]][0]
    assert ended["left_on"] == "2030-01-01" and ended["joined_on"] == "2020-01-01"


def test_memberships_for_a_manager_and_as_ndjson(api, manager_key, make_company, admin_key):
    a = make_company()
    lines = [{"cluster_id": DEMO_01, "company_siret": a["siret"]},
             {"cluster_id": DEMO_02, "company_siret": a["siret"]},
             {"company_siret": a["siret"]}]
    body = ok(bulk(api, manager_key, "memberships", "".join(json.dumps(l) + "\n" for l in lines),
                   content_type="application/x-ndjson"))
    assert statuses(body) == [(1, "created"), (2, "error"), (3, "error")], body
    assert errors_of(body, 2)[0]["code"] == "forbidden"
    assert errors_of(body, 3)[0]["code"] == "required"
    api.delete(f"/v1/clusters/{DEMO_01}/members/{a['id']}", key=admin_key)


def test_bulk_with_an_idempotency_key_replays(api, admin_key, cleanup):
    ns = f"i{unique_word()}"
    text = f"name,kind,external_ids.{ns}\nIdem {unique_word()},other,I1\n"
    key = f"k-{unique_word()}"
    r1 = api.post("/v1/partners/bulk", text.encode(), content_type=CSV, key=admin_key,
                  headers={"Idempotency-Key": key})
    body = ok(r1)
    cleanup("partners", body["results"][0]["id"])
    r2 = api.post("/v1/partners/bulk", text.encode(), content_type=CSV, key=admin_key,
                  headers={"Idempotency-Key": key})
    assert r2.status_code == 200 and r2.json() == body  # replayed: still "created"
