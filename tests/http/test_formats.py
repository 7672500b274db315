"""List formats: CSV (RFC 4180), GeoJSON (RFC 7946), NDJSON (full export), negotiation."""

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

DEMO_01 = "c1000000-0000-4000-8000-000000000001"


def parse_csv(r):
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0].strip() == "text/csv"
    text = r.content.decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def link_next(r):
    link = r.headers.get("Link")
    if not link:
        return None
    url, _, rel = link.partition(";")
    assert 'rel="next"' in rel
    return url.strip()[1:-1]


def csv_all(api, params):
    """Every CSV row of a list, following the Link header; returns (header, rows)."""
    r = api.get("/v1/clusters", params=params)
    rows = parse_csv(r)
    header, data = rows[0], rows[1:]
    url = link_next(r)
    while url:
        r = api.get(url)
        more = parse_csv(r)
        assert more[0] == header
        data.extend(more[1:])
        url = link_next(r)
    return header, data


def ndjson(r):
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0].strip() == "application/x-ndjson"
    assert r.text == "" or r.text.endswith("\n")
    return [json.loads(line) for line in r.text.split("\n") if line]


# ---- CSV ----

@pytest.mark.parametrize("how", ["format", "accept"])
def test_csv_has_header_and_one_row_per_item(api, how):
    params = {"limit": 500}
    headers = {}
    if how == "format":
        params["format"] = "csv"
    else:
        headers["Accept"] = "text/csv"
    r = api.get("/v1/clusters", params=params, headers=headers)
    rows = parse_csv(r)
    header = rows[0]
    assert header[:2] == ["id", "name"]
    for col in ("kind", "sectors", "address.street", "address.postal_code", "address.city", "address.commune_code",
                "location.lat", "location.lon", "staff_fte", "labels", "created_at", "updated_at", "version"):
        assert col in header, col
    assert "address" not in header and "location" not in header
    assert len(set(header)) == len(header)
    items = api.get("/v1/clusters", params={"limit": 500}).json()["items"]
    assert [row[0] for row in rows[1:]] == [i["id"] for i in items]
    for row in rows[1:]:
        assert len(row) == len(header)


def test_csv_lines_end_with_crlf(api):
    r = api.get("/v1/clusters", params={"format": "csv", "limit": 3})
    assert r.content.endswith(b"\r\n")
    lines = r.content.split(b"\r\n")
    assert len(lines) == 5  # header, 3 rows, empty after the last CRLF (no newline inside these rows)
    assert b"\n" not in b"".join(lines[:1])


def test_csv_values_of_demo_cluster(api):
    header, rows = csv_all(api, {"format": "csv", "limit": 500})
    row = dict(zip(header, next(r for r in rows if r[0] == DEMO_01)))
    item = api.get(f"/v1/clusters/{DEMO_01}").json()
    assert row["name"] == "Mont-Blanc Industries"
    assert row["address.city"] == "Cluses"
    assert row["address.postal_code"] == "74300"
    assert float(row["location.lat"]) == item["location"]["lat"]
    assert float(row["location.lon"]) == item["location"]["lon"]
    assert row["sectors"] == ";".join(item["sectors"])
    assert row["region_codes"] == ";".join(item["region_codes"])
    assert json.loads(row["labels"]) == item["labels"]
    assert float(row["staff_fte"]) == item["staff_fte"]
    assert int(row["version"]) == item["version"]
    assert row["created_at"] == item["created_at"]


def test_csv_round_trips_commas_quotes_and_newlines(api, make_cluster, unique):
    description = 'Commas, "double quotes", \'single\'\nnew line\r\nand CRLF; semicolons, é à ç'
    name = f'Grappe "{unique()}", Cie'
    c = make_cluster(name=name, description=description, address={"street": "1, rue \"Haute\"", "city": "Eu"})
    header, rows = csv_all(api, {"format": "csv", "limit": 500})
    row = dict(zip(header, next(r for r in rows if r[0] == c["id"])))
    assert row["name"] == name
    assert row["description"] == description
    assert row["address.street"] == '1, rue "Haute"'
    assert row["address.commune_code"] == ""
    assert row["location.lat"] == ""


def test_csv_respects_filters_and_pages(api):
    header, rows = csv_all(api, {"format": "csv", "kind": "spl", "limit": 1})
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))
    json_ids = [i["id"] for i in api.get("/v1/clusters", params={"kind": "spl", "limit": 500}).json()["items"]]
    assert ids == json_ids


# ---- GeoJSON ----

@pytest.mark.parametrize("how", ["format", "accept"])
def test_geojson_is_a_feature_collection_of_points(api, how):
    params = {"limit": 500}
    headers = {}
    if how == "format":
        params["format"] = "geojson"
    else:
        headers["Accept"] = "application/geo+json"
    r = api.get("/v1/clusters", params=params, headers=headers)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == "application/geo+json"
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    items = {i["id"]: i for i in api.get("/v1/clusters", params={"limit": 500}).json()["items"]}
    assert [f["id"] for f in fc["features"]] == list(items)
    for f in fc["features"]:
        item = items[f["id"]]
        assert f["type"] == "Feature"
        assert "location" not in f["properties"]
        expected = dict(item)
        loc = expected.pop("location")
        assert f["properties"] == expected
        if loc is None:
            assert f["geometry"] is None
        else:
            assert f["geometry"] == {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]}


def test_geojson_of_demo_cluster_is_lon_lat(api):
    fc = api.get("/v1/clusters", params={"format": "geojson", "department": "74"}).json()
    f = next(f for f in fc["features"] if f["id"] == DEMO_01)
    lon, lat = f["geometry"]["coordinates"]
    assert 6 < lon < 7 and 45 < lat < 47  # Cluses, Haute-Savoie


def test_geojson_has_null_geometry_without_location(api, make_cluster, unique):
    w = unique()
    c = make_cluster(name=f"Sans lieu {w}")
    fc = api.get("/v1/clusters", params={"format": "geojson", "q": w}).json()
    assert [f["id"] for f in fc["features"]] == [c["id"]]
    assert fc["features"][0]["geometry"] is None


def test_geojson_pages_and_counts(api):
    fc = api.get("/v1/clusters", params={"format": "geojson", "limit": 2, "count": "true"}).json()
    assert len(fc["features"]) == 2
    assert fc["next"]
    assert fc["total"] >= 17
    nxt = api.get("/v1/clusters", params={"format": "geojson", "limit": 2, "count": "true", "cursor": fc["next"]})
    assert nxt.status_code == 200
    assert not {f["id"] for f in nxt.json()["features"]} & {f["id"] for f in fc["features"]}


# ---- NDJSON ----

@pytest.mark.parametrize("how", ["format", "accept"])
def test_ndjson_streams_every_row_and_ignores_limit(api, list_all, how):
    params = {"limit": 1}
    headers = {}
    if how == "format":
        params["format"] = "ndjson"
    else:
        headers["Accept"] = "application/x-ndjson"
    rows = ndjson(api.get("/v1/clusters", params=params, headers=headers))
    total = api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"]
    assert len(rows) == total
    items, _ = list_all("/v1/clusters", {"limit": 500})
    assert rows == items


def test_ndjson_applies_filters_and_sort(api, list_all):
    params = {"kind": "cluster,spl", "sort": "-founded_on"}
    rows = ndjson(api.get("/v1/clusters", params=dict(params, format="ndjson")))
    items, _ = list_all("/v1/clusters", params)
    assert [r["id"] for r in rows] == [i["id"] for i in items]
    total = api.get("/v1/clusters", params=dict(params, count="true")).json()["total"]
    assert len(rows) == total


def test_ndjson_empty_result_is_empty(api):
    r = api.get("/v1/clusters", params={"format": "ndjson", "q": "zzqqxxyy"})
    assert ndjson(r) == []


def test_ndjson_streams_more_than_one_batch(api, admin_key, unique):
    # the export is read from the database in batches: cross a few batch boundaries
    tag = "bulk-" + unique("")
    n = 1234
    created = []

    def create(i):
        r = api.post("/v1/clusters", {"name": f"Bulk {tag} {i:05d}", "kind": "other", "sectors": [tag]},
                     key=admin_key)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    try:
        with ThreadPoolExecutor(8) as ex:
            created.extend(ex.map(create, range(n)))
        rows = ndjson(api.get("/v1/clusters", params={"format": "ndjson", "sector": tag}))
        assert len(rows) == n
        assert len({r["id"] for r in rows}) == n
        assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
        everything = ndjson(api.get("/v1/clusters", params={"format": "ndjson"}))
        total = api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"]
        assert len(everything) == total
        assert len({r["id"] for r in everything}) == total
    finally:
        with ThreadPoolExecutor(8) as ex:
            list(ex.map(lambda cid: api.delete(f"/v1/clusters/{cid}", key=admin_key), created))


# ---- negotiation ----

@pytest.mark.parametrize("accept,expected", [
    ("text/csv;q=0.5, application/x-ndjson;q=0.9", "application/x-ndjson"),
    ("application/json;q=0.1, text/csv", "text/csv"),
    ("application/geo+json, application/json;q=0.5", "application/geo+json"),
    ("application/xml, */*;q=0.1", "application/json"),
    ("*/*", "application/json"),
    ("text/*", "text/csv"),
    ("application/*", "application/json"),
    ("text/csv; q=0.2, application/geo+json; q=0.3", "application/geo+json"),
    ("TEXT/CSV", "text/csv"),
    ("text/csv;q=1.0,application/json;q=0.99", "text/csv"),
    ("application/json, text/csv;q=0", "application/json"),
])
def test_accept_with_q_values_picks_the_best(api, accept, expected):
    r = api.get("/v1/clusters", headers={"Accept": accept}, params={"limit": 2})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0].strip() == expected


@pytest.mark.parametrize("accept", ["text/csv;q=0", "application/xml", "image/png, text/html"])
def test_accept_with_nothing_acceptable_is_406(api, accept):
    r = api.get("/v1/clusters", headers={"Accept": accept})
    assert r.status_code == 406
    assert r.json()["code"] == "not_acceptable"


def test_format_parameter_wins_over_accept(api):
    r = api.get("/v1/clusters", params={"format": "csv", "limit": 1}, headers={"Accept": "application/json"})
    assert r.headers["Content-Type"].split(";")[0] == "text/csv"
    r = api.get("/v1/clusters", params={"format": "json", "limit": 1}, headers={"Accept": "text/csv"})
    assert r.headers["Content-Type"].split(";")[0] == "application/json"


def test_csv_count_gives_x_total_count(api):
    r = api.get("/v1/clusters", params={"format": "csv", "count": "true", "limit": 1, "kind": "spl"})
    total = api.get("/v1/clusters", params={"count": "true", "limit": 1, "kind": "spl"}).json()["total"]
    assert int(r.headers["X-Total-Count"]) == total


def test_head_on_ndjson_export(api):
    r = api.head("/v1/clusters", params={"format": "ndjson"})
    assert r.status_code == 200
    assert r.content == b""
    assert api.get("/health").status_code == 200


def test_ndjson_with_bad_cursor_is_400(api):
    r = api.get("/v1/clusters", params={"format": "ndjson", "cursor": "abc.def"})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_cursor"


def test_ndjson_with_bad_filter_is_400(api):
    r = api.get("/v1/clusters", params={"format": "ndjson", "kind": "bogus"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "kind"


def test_item_in_ndjson_is_406(api):
    r = api.get(f"/v1/clusters/{DEMO_01}", headers={"Accept": "application/x-ndjson"})
    assert r.status_code == 406


def test_ndjson_from_a_cursor_streams_the_rest(api, list_all):
    first = api.get("/v1/clusters", params={"limit": 3}).json()
    rows = ndjson(api.get("/v1/clusters", params={"format": "ndjson", "cursor": first["next"]}))
    items, _ = list_all("/v1/clusters", {"limit": 500})
    assert [r["id"] for r in rows] == [i["id"] for i in items[3:]]
