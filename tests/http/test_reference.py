"""Reference lists: INSEE regions and departments."""

import json

import pytest

ARA = ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]


def test_there_are_18_regions(api, list_all):
    body = api.get("/v1/regions", params={"count": "true"}).json()
    assert body["total"] == 18
    items, _ = list_all("/v1/regions", {"limit": 5})
    assert len(items) == 18
    codes = [i["code"] for i in items]
    assert codes == sorted(codes)
    assert {"code": "84", "name": "Auvergne-Rhône-Alpes"} in items
    assert {"code": "94", "name": "Corse"} in items


def test_there_are_101_departments_across_pages(api, list_all):
    items, pages = list_all("/v1/departments", {})
    assert len(items) == 101
    assert pages == 3  # default limit 50
    codes = [i["code"] for i in items]
    assert len(set(codes)) == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(codes)
    assert "20" not in codes and "975" not in codes
    assert api.get("/v1/departments", params={"count": "true", "limit": 1}).json()["total"] == 101


def test_departments_of_a_region(api, list_all):
    items, _ = list_all("/v1/departments", {"region": "84"})
    assert [i["code"] for i in items] == ARA
    assert all(i["region_code"] == "84" for i in items)
    assert {"code": "74", "name": "Haute-Savoie", "region_code": "84"} in items


def test_departments_of_several_regions(api, list_all):
    items, _ = list_all("/v1/departments", {"region": "84,94"})
    assert [i["code"] for i in items] == sorted(ARA + ["2A", "2B"])


def test_departments_of_unknown_region_is_400(api):
    r = api.get("/v1/departments", params={"region": "99"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "region"


def test_region_item(api):
    r = api.get("/v1/regions/84")
    assert r.status_code == 200
    assert r.json() == {"code": "84", "name": "Auvergne-Rhône-Alpes"}
    etag = r.headers["ETag"]
    assert api.get("/v1/regions/84", headers={"If-None-Match": etag}).status_code == 304


def test_department_item_of_corsica(api):
    r = api.get("/v1/departments/2A")
    assert r.status_code == 200
    assert r.json() == {"code": "2A", "name": "Corse-du-Sud", "region_code": "94"}


@pytest.mark.parametrize("path", ["/v1/regions/99", "/v1/regions/8", "/v1/regions/840", "/v1/regions/ab",
                                  "/v1/departments/975", "/v1/departments/2C", "/v1/departments/20"])
def test_unknown_reference_item_is_404(api, path):
    r = api.get(path)
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_regions_sort_by_name_the_french_way(api, list_all):
    items, _ = list_all("/v1/regions", {"sort": "name", "limit": 500})
    names = [i["name"] for i in items]
    # accents are secondary: Île-de-France among the I, before La Réunion
    assert names.index("Hauts-de-France") < names.index("Île-de-France") < names.index("La Réunion")
    desc, _ = list_all("/v1/regions", {"sort": "-name", "limit": 500})
    assert [i["name"] for i in desc] == names[::-1]


def test_regions_sort_by_code_desc(api, list_all):
    items, _ = list_all("/v1/regions", {"sort": "-code", "limit": 4})
    codes = [i["code"] for i in items]
    assert codes == sorted(codes, reverse=True)


def test_reference_lists_refuse_unknown_sort_and_parameters(api):
    r = api.get("/v1/regions", params={"sort": "population"})
    assert r.status_code == 400
    r = api.get("/v1/regions", params={"region": "84"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "region"


def test_regions_in_csv_and_ndjson(api):
    r = api.get("/v1/regions", params={"format": "csv", "limit": 500})
    assert r.status_code == 200
    lines = r.content.decode().split("\r\n")
    assert lines[0] == "code,name"
    assert "84,Auvergne-Rhône-Alpes" in lines
    assert len([l for l in lines[1:] if l]) == 18
    r = api.get("/v1/regions", params={"format": "ndjson"})
    rows = [json.loads(l) for l in r.text.splitlines() if l]
    assert len(rows) == 18


def test_reference_data_is_read_only(api, admin_key):
    assert api.post("/v1/regions", {"code": "99", "name": "X"}, key=admin_key).status_code == 405
    assert api.patch("/v1/regions/84", {"name": "X"}, key=admin_key).status_code == 405
    assert api.delete("/v1/departments/74", key=admin_key).status_code == 405
