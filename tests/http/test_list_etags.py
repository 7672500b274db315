"""Lists carry a weak ETag; If-None-Match -> 304 (issue 20; SPEC, Lists: "Lists carry a weak
ETag; If-None-Match -> 304"). The tag is a hash of the page as answered, so it changes with
any row on the page, the format, the cursor or the count, and a client polling a page pays
no body while nothing it shows has changed."""
import re

from conftest import DEMO_01


def etag_of(r):
    tag = r.headers.get("ETag")
    assert tag and re.fullmatch(r'W/"[0-9a-f]{32}"', tag), tag
    return tag


def test_a_page_answers_304_while_unchanged(api):
    r = api.get("/v1/clusters?limit=5")
    assert r.status_code == 200
    tag = etag_of(r)
    again = api.get("/v1/clusters?limit=5", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == tag
    # the strong form of the same tag, a list of tags and * match too (weak comparison)
    assert api.get("/v1/clusters?limit=5", headers={"If-None-Match": tag[2:]}).status_code == 304
    assert api.get("/v1/clusters?limit=5", headers={"If-None-Match": f'"nope", {tag}'}).status_code == 304
    assert api.get("/v1/clusters?limit=5", headers={"If-None-Match": "*"}).status_code == 304
    assert api.get("/v1/clusters?limit=5", headers={"If-None-Match": 'W/"0000"'}).status_code == 200


def test_the_tag_follows_what_the_page_shows(api, admin_key, make_cluster):
    path = "/v1/clusters?sort=-created_at&limit=3"
    before = etag_of(api.get(path, key=admin_key))
    make_cluster()
    after = api.get(path, key=admin_key, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert etag_of(after) != before
    # format, page and count make other pages
    csv = api.get(path, key=admin_key, headers={"Accept": "text/csv"})
    assert etag_of(csv) != etag_of(after)
    assert api.get(path, key=admin_key, headers={"Accept": "text/csv", "If-None-Match": etag_of(csv)}).status_code == 304
    counted = api.get(path + "&count=true", key=admin_key)
    assert etag_of(counted) != etag_of(after)
    nxt = api.get(after.json()["next"] and path + "&cursor=" + after.json()["next"], key=admin_key)
    assert etag_of(nxt) != etag_of(after)


def test_every_engine_list_has_one(api, reader_key):
    for path in ["/v1/regions", "/v1/departments", "/v1/companies?limit=2", "/v1/partners?limit=2",
                 "/v1/events?limit=2", "/v1/projects?limit=2", f"/v1/clusters/{DEMO_01}/members?limit=2",
                 f"/v1/clusters/{DEMO_01}/partners?limit=2", "/v1/memberships?limit=2",
                 "/v1/cluster-partners?limit=2", "/v1/indicators?limit=2"]:
        r = api.get(path, key=reader_key)
        assert r.status_code == 200, path
        assert api.get(path, key=reader_key, headers={"If-None-Match": etag_of(r)}).status_code == 304, path


def test_a_streamed_export_has_none(api, reader_key):
    r = api.get("/v1/clusters", key=reader_key, headers={"Accept": "application/x-ndjson"})
    assert r.status_code == 200
    assert "ETag" not in r.headers
