"""fields= on lists (issue 20; SPEC, Lists: "fields=a,b returns only those fields (id always),
in every format"): a front end asks for what its page shows. CSV's columns follow it, GeoJSON
keeps its geometry, NDJSON streams the same objects; iCalendar has the fields it needs."""
import csv
import io
import json

from conftest import DEMO_01, problem


def test_json_items_hold_the_fields_asked_and_the_id(api):
    r = api.get("/v1/clusters?fields=name,region_codes&limit=3")
    assert r.status_code == 200
    for item in r.json()["items"]:
        assert list(item) == ["id", "name", "region_codes"]
    # the order is the representation's, not the query's; a field named twice is once
    r = api.get("/v1/clusters?fields=region_codes,name,name&limit=1")
    assert list(r.json()["items"][0]) == ["id", "name", "region_codes"]
    # id alone
    assert list(api.get("/v1/clusters?fields=id&limit=1").json()["items"][0]) == ["id"]


def test_the_next_page_keeps_them(api):
    r = api.get("/v1/companies?fields=name&limit=2")
    nxt = r.links["next"]["url"]
    assert "fields=name" in nxt
    page = api.get(nxt[nxt.index("/v1/"):])
    assert all(list(i) == ["id", "name"] for i in page.json()["items"])


def test_csv_columns_follow(api):
    r = api.get("/v1/companies?fields=siret,name&limit=5", headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["id", "name", "siret"]
    assert len(rows) == 6 and all(len(x) == 3 for x in rows)


def test_ndjson_and_geojson(api, reader_key):
    r = api.get("/v1/clusters?fields=name", key=reader_key, headers={"Accept": "application/x-ndjson"})
    lines = [json.loads(l) for l in r.text.splitlines()]
    assert lines and all(list(o) == ["id", "name"] for o in lines)
    g = api.get("/v1/companies?fields=name&limit=3", headers={"Accept": "application/geo+json"}).json()
    for feat in g["features"]:
        assert feat["geometry"]["type"] == "Point"  # location is read for the geometry
        assert list(feat["properties"]) == ["id", "name"]


def test_members_of_a_cluster(api):
    r = api.get(f"/v1/clusters/{DEMO_01}/members?fields=company_id,role&limit=3")
    assert r.status_code == 200
    assert all(set(i) <= {"id", "company_id", "role"} for i in r.json()["items"])


def test_bad_fields_are_400(api):
    body = problem(api.get("/v1/clusters?fields=name,nope"), 400, "invalid_query")
    assert "nope" in body["detail"] and "region_codes" in body["detail"]
    problem(api.get("/v1/clusters?fields="), 400, "invalid_query")
    problem(api.get("/v1/clusters?fields=,"), 400, "invalid_query")
    problem(api.get("/v1/events?fields=title", headers={"Accept": "text/calendar"}), 400, "invalid_query")
