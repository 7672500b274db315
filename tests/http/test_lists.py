"""Lists of clusters: shape, limit, count, sorts, filters, keyset pagination and cursors."""

import json
import threading
import unicodedata
from urllib.parse import parse_qs, urlsplit

import pytest

DEMO_PREFIX = "c1000000-0000-4000-8000-"


def d(*ns):
    return {f"{DEMO_PREFIX}{n:012d}" for n in ns}


def demo_ids(items):
    return {i["id"] for i in items if i["id"].startswith(DEMO_PREFIX)}


def bad_query(r, field, code="invalid_query"):
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == code, body
    assert body["errors"][0]["field"] == field, body
    return body


def ndjson_ids(api, params=None):
    p = dict(params or {})
    p["format"] = "ndjson"
    r = api.get("/v1/clusters", params=p)
    assert r.status_code == 200
    return [json.loads(line)["id"] for line in r.text.splitlines() if line]


def link_next(r):
    link = r.headers.get("Link")
    if not link:
        return None
    for part in link.split(","):
        url, _, rel = part.partition(";")
        if 'rel="next"' in rel.replace(" ", ""):
            return url.strip()[1:-1]
    return None


# ---- shape, limit, count ----

def test_default_list_shape(api):
    r = api.get("/v1/clusters")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"items", "next"}
    assert isinstance(body["items"], list)
    assert body["next"] is None or isinstance(body["next"], str)
    assert len(body["items"]) <= 50


def test_default_limit_is_50(api, make_cluster):
    total = api.get("/v1/clusters", params={"count": "true", "limit": 1}).json()["total"]
    for _ in range(max(0, 51 - total)):
        make_cluster()
    body = api.get("/v1/clusters").json()
    assert len(body["items"]) == 50
    assert body["next"] is not None


@pytest.mark.parametrize("limit", [1, 2, 17, 500])
def test_limit_bounds_the_page(api, limit):
    body = api.get("/v1/clusters", params={"limit": limit, "count": "true"}).json()
    assert len(body["items"]) == min(limit, body["total"])
    assert (body["next"] is not None) == (body["total"] > limit)


@pytest.mark.parametrize("limit", ["0", "501", "abc", "-1", "1.5", "", "10x", " 5"])
def test_bad_limit_is_400(api, limit):
    bad_query(api.get("/v1/clusters", params={"limit": limit}), "limit")


def test_count_true_adds_total_equal_to_walked_items(api, list_all):
    body = api.get("/v1/clusters", params={"count": "true", "limit": 3}).json()
    items, pages = list_all("/v1/clusters", {"limit": 3})
    assert body["total"] == len(items)
    assert pages == -(-len(items) // 3)


def test_count_with_filters(api, list_all):
    body = api.get("/v1/clusters", params={"count": "true", "kind": "spl", "limit": 1}).json()
    items, _ = list_all("/v1/clusters", {"kind": "spl"})
    assert body["total"] == len(items)
    assert len(body["items"]) == 1


def test_count_false_has_no_total(api):
    assert "total" not in api.get("/v1/clusters", params={"count": "false"}).json()


def test_bad_count_is_400(api):
    bad_query(api.get("/v1/clusters", params={"count": "yes"}), "count")


# ---- sorts ----

def fold(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).casefold()


def collated_cmp(a, b):
    """-1/0/1 for a French collation, as far as it can be told without ICU: letters and
    digits by their unaccented, case-folded form, spaces and punctuation before them;
    0 when undecided (same letters, or two different punctuation marks)."""
    ka, kb = fold(a), fold(b)
    for ca, cb in zip(ka, kb):
        if ca == cb:
            continue
        if ca.isalnum() and cb.isalnum():
            return -1 if ca < cb else 1
        if ca.isalnum() != cb.isalnum():
            return 1 if ca.isalnum() else -1
        return 0
    return (len(ka) > len(kb)) - (len(ka) < len(kb))


def plain_cmp(a, b):
    return (a > b) - (a < b)


SORTS = {"name": collated_cmp, "acronym": collated_cmp, "founded_on": plain_cmp, "staff_fte": plain_cmp,
         "created_at": plain_cmp, "updated_at": plain_cmp}


def assert_sorted(items, field, desc):
    cmp = SORTS[field]
    values = [i[field] for i in items]
    first_null = next((k for k, v in enumerate(values) if v is None), len(values))
    assert all(v is None for v in values[first_null:]), f"nulls are not last: {values}"
    sign = -1 if desc else 1
    for a, b in zip(items, items[1:]):
        va, vb = a[field], b[field]
        if va is not None and vb is not None:
            c = cmp(va, vb) * sign
            assert c <= 0, f"{field} {'desc' if desc else 'asc'}: {va!r} before {vb!r}"
            if va == vb:  # ties are broken by id, in the same direction
                assert plain_cmp(a["id"], b["id"]) * sign < 0, (a["id"], b["id"])
        elif va is None and vb is None:
            assert plain_cmp(a["id"], b["id"]) * sign < 0, (a["id"], b["id"])


@pytest.fixture
def sort_data(make_cluster, unique):
    """Clusters with nulls and ties in every sortable field."""
    make_cluster(acronym=None, founded_on=None, staff_fte=None)
    make_cluster(acronym=None, founded_on=None, staff_fte=None)
    make_cluster(acronym="TIE", founded_on="2005-07-12", staff_fte=7.5)
    make_cluster(acronym="tie", founded_on="2005-07-12", staff_fte=7.5)
    make_cluster(name=f"Ébénistes de l'Est {unique()}", acronym="ÉBE", staff_fte=0)


@pytest.mark.parametrize("spec", [s for f in SORTS for s in (f, "-" + f)])
def test_sort_orders_every_page_with_nulls_last(api, sort_data, list_all, spec):
    field, desc = spec.lstrip("-"), spec.startswith("-")
    items, pages = list_all("/v1/clusters", {"sort": spec, "limit": 3})
    assert pages > 1
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), "a cluster appeared twice"
    assert set(ids) == set(ndjson_ids(api)), "the walk and the export differ"
    assert_sorted(items, field, desc)


def test_sort_by_name_is_french(api, make_cluster, list_all, unique):
    w = unique("")
    # accents are secondary: Éa sorts between Da and Fa, not after Z
    a = make_cluster(name=f"Da {w}")
    b = make_cluster(name=f"Éa {w}")
    c = make_cluster(name=f"Fa {w}")
    items, _ = list_all("/v1/clusters", {"sort": "name", "limit": 500})
    ids = [i["id"] for i in items]
    assert ids.index(a["id"]) < ids.index(b["id"]) < ids.index(c["id"])


def test_default_sort_is_name(api, list_all):
    items, _ = list_all("/v1/clusters", {"limit": 500})
    by_name, _ = list_all("/v1/clusters", {"limit": 500, "sort": "name"})
    assert [i["id"] for i in items] == [i["id"] for i in by_name]


@pytest.mark.parametrize("spec", ["bogus", "-bogus", "location", "description", "name,acronym", ""])
def test_unknown_sort_is_400(api, spec):
    bad_query(api.get("/v1/clusters", params={"sort": spec}), "sort")


# ---- filters ----

FILTERS = [
    ("kind", "spl", d(13, 14), lambda c: c["kind"] == "spl"),
    ("kind", "spl,other", d(13, 14, 17), lambda c: c["kind"] in ("spl", "other")),
    ("kind", "pole_competitivite", d(4, 6, 8, 10), lambda c: c["kind"] == "pole_competitivite"),
    ("region", "84", d(1, 2, 5, 11), lambda c: "84" in c["region_codes"]),
    ("region", "94,04", d(15, 16), lambda c: {"94", "04"} & set(c["region_codes"])),
    ("department", "74", d(1, 11), lambda c: "74" in c["department_codes"]),
    ("department", "2A", d(15), lambda c: "2A" in c["department_codes"]),
    ("department", "974", d(16), lambda c: "974" in c["department_codes"]),
    ("sector", "textile", d(7, 11), lambda c: "textile" in c["sectors"]),
    ("sector", "lunetterie,verre", d(2, 17), lambda c: {"lunetterie", "verre"} & set(c["sectors"])),
    ("label", "etat_pole", d(4, 6, 8, 10), lambda c: any(l["scheme"] == "etat_pole" for l in c["labels"])),
    ("label", "other", d(13), lambda c: any(l["scheme"] == "other" for l in c["labels"])),
    ("status", "dissolved", d(14), lambda c: c["status"] == "dissolved"),
    ("status", "dormant,dissolved", d(14, 15), lambda c: c["status"] in ("dormant", "dissolved")),
    ("maturity", "emerging", d(16), lambda c: c["maturity"] == "emerging"),
    ("maturity", "proof_of_concept,emerging", d(15, 16), lambda c: c["maturity"] in ("proof_of_concept", "emerging")),
]


@pytest.mark.parametrize("param,value,expected,pred", FILTERS, ids=[f"{f[0]}={f[1]}" for f in FILTERS])
def test_filter_keeps_matching_clusters_only(api, list_all, param, value, expected, pred):
    items, _ = list_all("/v1/clusters", {param: value, "limit": 500})
    assert demo_ids(items) == expected
    for c in items:
        assert pred(c), (param, value, c["id"])


@pytest.mark.parametrize("param,values", [("kind", ["spl", "other"]), ("status", ["dormant", "dissolved"]),
                                          ("region", ["94", "04"])])
def test_repeated_parameter_equals_comma_list(api, param, values):
    repeated = api.get("/v1/clusters", params={param: values, "count": "true"}).json()
    joined = api.get("/v1/clusters", params={param: ",".join(values), "count": "true"}).json()
    assert repeated["items"] == joined["items"]
    assert repeated["total"] == joined["total"]


def test_filters_combine_with_and(api, list_all):
    items, _ = list_all("/v1/clusters", {"kind": "cluster", "region": "84"})
    assert demo_ids(items) == d(1, 5)
    items, _ = list_all("/v1/clusters", {"status": "active", "department": "74", "label": "esca"})
    assert demo_ids(items) == d(1, 11)


def test_filter_on_sector_with_accents(api, make_cluster, list_all, unique):
    tag = "décolletage-" + unique("")
    c = make_cluster(sectors=[tag])
    items, _ = list_all("/v1/clusters", {"sector": tag})
    assert [i["id"] for i in items] == [c["id"]]


@pytest.mark.parametrize("q", ["decolletage", "décolletage", "DÉCOLLETAGE", "Décolletage"])
def test_full_text_ignores_accents(api, list_all, q):
    items, _ = list_all("/v1/clusters", {"q": q})
    assert d(1) <= demo_ids(items)
    assert "Mont-Blanc Industries" in {i["name"] for i in items}


def test_full_text_finds_the_jura_eyewear_cluster(api, list_all):
    items, _ = list_all("/v1/clusters", {"q": "lunetterie"})
    assert demo_ids(items) == d(2)
    assert items[0]["name"] == "Pôle Lunetier du Haut-Jura"


def test_full_text_uses_french_stemming(api, list_all):
    # "plasturgie" is a sector of 02 and 05; the plural form finds them too
    items, _ = list_all("/v1/clusters", {"q": "plasturgies"})
    assert d(2, 5) <= demo_ids(items)


def test_full_text_without_match_is_empty(api):
    body = api.get("/v1/clusters", params={"q": "zzqqxxyy", "count": "true"}).json()
    assert body == {"items": [], "next": None, "total": 0}


def test_full_text_finds_new_cluster_by_name(api, make_cluster, list_all, unique):
    w = unique()
    c = make_cluster(name=f"Grappe {w}")
    items, _ = list_all("/v1/clusters", {"q": w})
    assert [i["id"] for i in items] == [c["id"]]


def test_full_text_query_too_long_is_400(api):
    bad_query(api.get("/v1/clusters", params={"q": "a" * 201}), "q")


def test_updated_since_in_the_future_is_empty(api):
    body = api.get("/v1/clusters", params={"updated_since": "2999-01-01T00:00:00Z"}).json()
    assert body["items"] == []
    assert body["next"] is None


def test_updated_since_keeps_recent_changes(api, admin_key, make_cluster, list_all):
    c = make_cluster()
    items, _ = list_all("/v1/clusters", {"updated_since": c["updated_at"], "limit": 500})
    assert c["id"] in {i["id"] for i in items}
    for i in items:
        assert i["updated_at"] >= c["updated_at"]
    r = api.patch(f"/v1/clusters/{c['id']}", {"acronym": "UPD"}, key=admin_key)
    later = r.json()["updated_at"]
    items, _ = list_all("/v1/clusters", {"updated_since": later})
    assert c["id"] in {i["id"] for i in items}
    assert all(i["updated_at"] >= later for i in items)
    assert not d(*range(1, 18)) & {i["id"] for i in items}


# updated_since and the date filters take relative times too (SPEC, Lists: from=now-7d)
def test_updated_since_takes_a_relative_time(api, admin_key, make_cluster):
    c = make_cluster()
    ids = lambda v: {i["id"] for i in api.get("/v1/clusters", params={"updated_since": v, "limit": 500}).json()["items"]}
    assert c["id"] in ids("now-10m")
    assert c["id"] in ids("now-1h") and c["id"] in ids("now-1d")
    assert ids("now+1m") == set() and ids("now+1h") == set()


@pytest.mark.parametrize("path,key", [
    ("/v1/companies", None), ("/v1/partners", None), ("/v1/events", None), ("/v1/projects", None),
    (f"/v1/clusters/{DEMO_PREFIX}000000000001/members", None), (f"/v1/clusters/{DEMO_PREFIX}000000000001/partners", None),
    (f"/v1/clusters/{DEMO_PREFIX}000000000001/indicators", "admin"),
])
def test_every_updated_since_takes_a_relative_time(api, admin_key, path, key):
    k = admin_key if key else None
    r = api.get(path, params={"updated_since": "now+1h"}, key=k)
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []
    assert api.get(path, params={"updated_since": "now-1w"}, key=k).status_code == 200
    r = api.get(path, params={"updated_since": "now-1x"}, key=k)
    bad_query(r, "updated_since")


def test_project_dates_take_a_relative_time(api, make_project):
    import datetime
    day = lambda n: (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=n)).isoformat()
    p = make_project(starts_on=day(10), ends_on=day(40))
    listed = lambda **q: p["id"] in {i["id"] for i in api.get("/v1/projects", params={"limit": 500, **q}).json()["items"]}
    assert listed(starts_after="now+9d") and listed(starts_after="now+10d") and not listed(starts_after="now+11d")
    assert listed(starts_before="now+10d") and not listed(starts_before="now+9d")
    assert listed(starts_after="now", starts_before="now+2w") and not listed(starts_before="now")
    # on a date filter the relative time is a day: hours count only as far as they move it
    assert listed(starts_after="now+240h") and not listed(starts_after="now+2w")
    for bad in ("now-1y", "now+", "2027-01-01T00:00:00Z"):
        bad_query(api.get("/v1/projects", params={"starts_after": bad}), "starts_after")


def test_updated_since_accepts_offsets(api):
    r = api.get("/v1/clusters", params={"updated_since": "2999-01-01T02:00:00+02:00"})
    assert r.status_code == 200
    assert r.json()["items"] == []


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00Z", "1700000000",
                                   "2026-02-30T00:00:00Z"])
def test_bad_updated_since_is_400(api, value):
    bad_query(api.get("/v1/clusters", params={"updated_since": value}), "updated_since")


@pytest.mark.parametrize("param,value", [("kind", "association"), ("kind", "spl,bogus"), ("status", "asleep"),
                                         ("maturity", "old"), ("label", "iso9001"), ("region", "99"),
                                         ("department", "20"), ("department", "975")])
def test_unknown_filter_value_is_400(api, param, value):
    bad_query(api.get("/v1/clusters", params={param: value}), param)


# ---- pagination and cursors ----

def test_walk_with_limit_2_collects_every_cluster_once(api, list_all):
    items, pages = list_all("/v1/clusters", {"limit": 2})
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    export = ndjson_ids(api)
    assert sorted(ids) == sorted(export)
    assert pages == -(-len(ids) // 2)


def test_walk_is_stable_while_clusters_are_inserted(api, make_cluster, unique):
    start = set(ndjson_ids(api))
    seen = []
    params = {"limit": 2, "sort": "name"}
    pages = 0
    while True:
        body = api.get("/v1/clusters", params=params).json()
        seen.extend(i["id"] for i in body["items"])
        pages += 1
        assert pages < 200
        # new rows before and after the current position, and next to it
        make_cluster(name=f"A {unique()}")
        make_cluster(name=f"Zz {unique()}")
        if body["items"]:
            make_cluster(name=body["items"][-1]["name"] + " bis")
        if body["next"] is None:
            break
        params["cursor"] = body["next"]
    assert len(seen) == len(set(seen)), "a cluster appeared twice"
    assert start <= set(seen), f"missing: {start - set(seen)}"


def test_walk_is_stable_with_a_concurrent_writer(api, admin_key, list_all, unique):
    start = set(ndjson_ids(api))
    stop = threading.Event()
    created = []

    def writer():
        while not stop.is_set() and len(created) < 60:
            r = api.post("/v1/clusters", {"name": f"Concurrent {unique()}", "kind": "other"}, key=admin_key)
            if r.status_code == 201:
                created.append(r.json()["id"])

    t = threading.Thread(target=writer)
    t.start()
    try:
        items, _ = list_all("/v1/clusters", {"limit": 2, "sort": "-created_at"})
    finally:
        stop.set()
        t.join()
        for cid in created:
            api.delete(f"/v1/clusters/{cid}", key=admin_key)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    assert start <= set(ids)


def test_link_header_points_to_the_next_page(api):
    r = api.get("/v1/clusters", params={"limit": 5, "kind": "cluster,pole_competitivite", "sort": "-name"})
    body = r.json()
    assert body["next"]
    url = link_next(r)
    assert url, r.headers.get("Link")
    u = urlsplit(url)
    assert u.path == "/v1/clusters"
    q = parse_qs(u.query)
    assert q["cursor"] == [body["next"]]
    assert q["kind"] == ["cluster,pole_competitivite"]
    assert q["sort"] == ["-name"]
    assert q["limit"] == ["5"]
    followed = api.get(url)
    assert followed.status_code == 200
    by_cursor = api.get("/v1/clusters", params={"limit": 5, "kind": "cluster,pole_competitivite", "sort": "-name",
                                                "cursor": body["next"]})
    assert followed.json() == by_cursor.json()
    assert not {i["id"] for i in followed.json()["items"]} & {i["id"] for i in body["items"]}


def test_last_page_has_no_link_and_null_next(api):
    body = api.get("/v1/clusters", params={"limit": 500})
    assert body.json()["next"] is None
    assert link_next(body) is None


def test_following_links_walks_everything(api):
    url = "/v1/clusters?limit=4"
    ids = []
    while url:
        r = api.get(url)
        assert r.status_code == 200
        ids.extend(i["id"] for i in r.json()["items"])
        url = link_next(r)
    assert sorted(ids) == sorted(ndjson_ids(api))


def first_cursor(api, path="/v1/clusters", **params):
    params.setdefault("limit", 2)
    body = api.get(path, params=params).json()
    assert body["next"], body
    return body["next"]


def test_tampered_cursor_is_400(api):
    cur = first_cursor(api)
    payload, _, sig = cur.partition(".")
    i = len(payload) // 2
    flipped = payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1:] + "." + sig
    bad_query(api.get("/v1/clusters", params={"limit": 2, "cursor": flipped}), "cursor", "invalid_cursor")
    j = len(sig) // 2
    flipped = payload + "." + sig[:j] + ("A" if sig[j] != "A" else "B") + sig[j + 1:]
    bad_query(api.get("/v1/clusters", params={"limit": 2, "cursor": flipped}), "cursor", "invalid_cursor")


@pytest.mark.parametrize("cursor", ["abc", "", ".", "e30.", "e30.AAAAAAAAAAAAAAAAAAAAAA", "x" * 5000])
def test_garbage_cursor_is_400(api, cursor):
    r = api.get("/v1/clusters", params={"cursor": cursor})
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "invalid_cursor"


def test_cursor_of_another_list_is_400(api):
    cur = first_cursor(api, "/v1/regions", limit=5)
    bad_query(api.get("/v1/clusters", params={"cursor": cur, "limit": 5}), "cursor", "invalid_cursor")
    cur = first_cursor(api, "/v1/clusters", limit=5)
    bad_query(api.get("/v1/regions", params={"cursor": cur, "limit": 5}), "cursor", "invalid_cursor")


def test_cursor_with_another_sort_is_400(api):
    cur = first_cursor(api, sort="name")
    bad_query(api.get("/v1/clusters", params={"cursor": cur, "sort": "-name", "limit": 2}), "cursor",
              "invalid_cursor")
    bad_query(api.get("/v1/clusters", params={"cursor": cur, "sort": "acronym", "limit": 2}), "cursor",
              "invalid_cursor")


def test_cursor_with_other_filters_is_400(api):
    cur = first_cursor(api, kind="cluster")
    bad_query(api.get("/v1/clusters", params={"cursor": cur, "kind": "spl", "limit": 2}), "cursor",
              "invalid_cursor")
    bad_query(api.get("/v1/clusters", params={"cursor": cur, "limit": 2}), "cursor", "invalid_cursor")
    bad_query(api.get("/v1/clusters", params={"cursor": cur, "kind": "cluster", "region": "84", "limit": 2}),
              "cursor", "invalid_cursor")


def test_cursor_with_another_limit_is_fine(api):
    cur = first_cursor(api, limit=2)
    r = api.get("/v1/clusters", params={"cursor": cur, "limit": 7})
    assert r.status_code == 200
    assert len(r.json()["items"]) == 7


def test_link_keeps_encoded_filters(api):
    # commas, spaces and accents in the query survive the round trip through Link
    for params in ({"sector": "mecanique,textile", "limit": 1}, {"q": "vallée de", "limit": 1}):
        r = api.get("/v1/clusters", params=params)
        body = r.json()
        assert body["next"], body
        url = link_next(r)
        q = parse_qs(urlsplit(url).query)
        for k, v in params.items():
            assert q[k] == [str(v)]
        followed = api.get(url)
        assert followed.status_code == 200, followed.text
        again = api.get("/v1/clusters", params=dict(params, cursor=body["next"]))
        assert followed.json() == again.json()


def test_full_text_with_several_words(api, list_all):
    items, _ = list_all("/v1/clusters", {"q": "décolletage mécatronique"})
    assert d(1) <= demo_ids(items)


@pytest.mark.parametrize("q", ["'", "&|!()", "\\", "-", '"unterminated', "a:*", "or", "le la les", "<->", "é"])
def test_full_text_with_odd_input_is_not_an_error(api, q):
    r = api.get("/v1/clusters", params={"q": q})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("value", ['x"y', "x\\y", "{a}", "NULL", "a b", "'; drop table clusters; --"])
def test_sector_filter_with_odd_input_is_not_an_error(api, value):
    r = api.get("/v1/clusters", params={"sector": value})
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []


def test_updated_since_with_an_impossible_offset_is_400(api):
    bad_query(api.get("/v1/clusters", params={"updated_since": "2026-01-01T00:00:00+23:59"}), "updated_since")


def test_cursor_survives_the_deletion_of_its_row(api, admin_key, make_cluster):
    a = make_cluster()
    b = make_cluster()
    params = {"sort": "-created_at", "limit": 1}
    page1 = api.get("/v1/clusters", params=params).json()
    assert page1["items"][0]["id"] == b["id"]
    assert api.delete(f"/v1/clusters/{b['id']}", key=admin_key).status_code == 204
    page2 = api.get("/v1/clusters", params=dict(params, cursor=page1["next"]))
    assert page2.status_code == 200
    assert page2.json()["items"][0]["id"] == a["id"]


def test_cursor_works_across_formats(api):
    body = api.get("/v1/clusters", params={"limit": 2}).json()
    j = api.get("/v1/clusters", params={"limit": 2, "cursor": body["next"]}).json()
    g = api.get("/v1/clusters", params={"limit": 2, "cursor": body["next"], "format": "geojson"}).json()
    assert [f["id"] for f in g["features"]] == [i["id"] for i in j["items"]]
