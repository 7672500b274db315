"""Every Unicode query is a 200 or a 400, never a 500 (issue 15, item 9).

`GET /v1/search?q=l%CA%BCa` (U+02BC) and `q=%E2%88%96` (U+2216) were 500: the last word's
"as typed" prefix query applied grappe_unaccent to text that was already tsquery syntax, and
unaccent turned those letters into `'` and `\\`, which to_tsquery then read as a quote and an
escape. Here every character that PostgreSQL's unaccent.rules maps to something other than
letters and digits (unaccent_chars.py) goes through every path that builds a tsquery from
`q` (the search, and the q= filter of each list): alone, inside a word, starting and ending
the last (prefix) word, doubled."""

import glob
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import problem, unique_word
from unaccent_chars import UNACCENT_CHARS, UNACCENT_NON_ALNUM

SEARCH_PATHS = ["/v1/search", "/v1/clusters", "/v1/companies", "/v1/partners", "/v1/events", "/v1/projects"]


def variants(ch):
    return {
        "alone": ch,
        "inside a word": f"usin{ch}age",
        "ends the prefix word": f"usinage zq{ch}",
        "starts the prefix word": f"usinage {ch}zq",
        "doubled": ch * 2,
        "between words": f"zq {ch} usinage",
    }


def get_all(api, path, queries, key=None):
    """GET path?q=... for each query, four at a time; [(q, response)]."""
    def one(q):
        return q, api.get(path, params={"q": q, "limit": 1}, key=key)

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, queries))


def test_the_reported_characters_are_200_on_search(api):
    for q in ("l\u02bca", "\u2216", "a\u2216", "l\u02bc", "\u02bc"):
        r = api.get("/v1/search", params={"q": q})
        assert r.status_code == 200, (q, r.text)
        assert r.json()["q"] == q


@pytest.mark.parametrize("path", SEARCH_PATHS)
def test_every_unaccent_punctuation_character_is_never_a_500(api, path):
    queries = [q for ch in UNACCENT_CHARS for q in variants(ch).values()]
    failures = []
    for q, r in get_all(api, path, queries):
        if r.status_code == 400:
            problem(r, 400, "invalid_query")
        elif r.status_code != 200:
            failures.append((q, hex(ord(q[-1])), r.status_code, r.text[:200]))
    assert not failures, f"{len(failures)} of {len(queries)} queries failed on {path}, e.g. {failures[:5]}"


def test_a_name_with_a_modifier_apostrophe_is_found_by_it(api, make_cluster):
    """Beyond not failing: U+02BC, a letter for PostgreSQL's parser, is indexed as "'" after
    unaccent; typed in full or as a prefix, it finds the name."""
    w = unique_word()
    c = make_cluster(name=f"Atelier {w} l\u02bcavenir")
    for q in (f"{w} l\u02bcavenir", f"{w} l\u02bcav", f"{w} l\u02bc"):
        items = api.get("/v1/search", params={"q": q}).json()["items"]
        assert c["id"] in [i["id"] for i in items], q
    r = api.get("/v1/clusters", params={"q": f"{w} l\u02bcavenir"})
    assert [i["id"] for i in r.json()["items"]] == [c["id"]]


def test_a_name_with_a_set_minus_is_found_around_it(api, make_cluster):
    w = unique_word()
    c = make_cluster(name=f"Forge {w}\u2216inox")
    for q in (f"{w}\u2216inox", f"{w}\u2216", f"{w}\u2216in", f"{w} \u2216"):
        r = api.get("/v1/search", params={"q": q})
        assert r.status_code == 200, (q, r.text)
        assert c["id"] in [i["id"] for i in r.json()["items"]], q


def test_the_list_matches_the_installed_unaccent_rules():
    """unaccent_chars.py is complete for the PostgreSQL installed here (skipped without it)."""
    files = sorted(glob.glob("/usr/share/postgresql/*/tsearch_data/unaccent.rules"))
    if not files:
        pytest.skip("no unaccent.rules under /usr/share/postgresql")
    found = {}
    with open(files[-1], encoding="utf-8") as f:
        for line in f:
            src, _, dst = line.rstrip("\n").partition("\t")
            if not dst or not all(ch.isalnum() for ch in dst):
                found[src] = dst
    assert found == dict(UNACCENT_NON_ALNUM)
