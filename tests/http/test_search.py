"""GET /v1/search (issue 6): one ranked list over clusters, companies, partners, events and
projects. French stemming, accents and case ignored, prefix on the last word, every word
must match; an exact name first, then names starting with the query, then text rank; safe
snippets with <mark>; types, limit; non-public events hidden from anonymous callers.

Every name carries a word made for the test (unique_word), so that no demo row and no other
test's row can match."""

import re

import pytest

from conftest import problem, unique_word, utc_in

SEARCH = "/v1/search"
PLURAL = {"cluster": "clusters", "company": "companies", "partner": "partners", "event": "events",
          "project": "projects"}


def search(api, q, key=None, **params):
    r = api.get(SEARCH, params=dict(params, q=q), key=key)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "application/json"
    body = r.json()
    assert body["q"] == q
    items = body["items"]
    for i in items:
        assert set(i) == {"type", "id", "name", "snippet", "url", "score"}, i
        assert i["url"] == f"/v1/{PLURAL[i['type']]}/{i['id']}"
        assert isinstance(i["score"], (int, float))
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True), scores
    return items


def ids(items):
    return [i["id"] for i in items]


# ---- ranking ----

def test_an_exact_name_comes_first(api, make_cluster):
    w = unique_word()
    longer = make_cluster(name=f"{w} Mécanique Alpine")   # created first
    exact = make_cluster(name=f"{w} Mécanique")
    other = make_cluster(name=f"Pôle {w}", description="Sous-traitance mécanique et usinage de précision.")
    for q in (f"{w} Mécanique", f"{w} mécanique", f"{w.upper()} MECANIQUE", f"{w} mecanique"):
        items = search(api, q)
        assert ids(items) == [exact["id"], longer["id"], other["id"]], q
        assert items[0]["type"] == "cluster" and items[0]["name"] == exact["name"]
        assert items[0]["score"] > items[1]["score"] > items[2]["score"]


def test_a_name_starting_with_the_query_beats_text_rank(api, make_cluster, make_company):
    w = unique_word()
    starts = make_cluster(name=f"{w} Forge et Fonderie")
    inside = make_company(name=f"Ateliers {w} forge", description=f"{w} forge {w} forge {w} forge")
    items = search(api, f"{w} forge")
    assert ids(items) == [starts["id"], inside["id"]]


def test_an_exact_name_wins_across_types(api, make_cluster, make_company):
    w = unique_word()
    cl = make_cluster(name=f"{w} Forge et Fonderie")
    co = make_company(name=f"{w} Forge")
    items = search(api, f"{w} forge")
    assert ids(items) == [co["id"], cl["id"]]
    assert [i["type"] for i in items] == ["company", "cluster"]


def test_a_clusters_acronym_counts_as_its_name(api, make_cluster):
    w = unique_word()
    named = make_cluster(name=f"{w} Industries du Jura")
    acronym = make_cluster(name=f"Association des industriels {w} du Doubs", acronym=w.upper()[:30])
    items = search(api, w)
    assert ids(items) == [acronym["id"], named["id"]]


# ---- language ----

@pytest.mark.parametrize("q", ["decolletage", "DECOLLETAGE", "Décolletage", "décolletage", "DÉCOLLETAGE"])
def test_accents_and_case_are_ignored(api, make_cluster, q):
    w = unique_word()
    c = make_cluster(name=f"Décolletage {w}")
    items = search(api, f"{q} {w}")
    assert ids(items) == [c["id"]]
    items = search(api, f"{w} {q}")
    assert ids(items) == [c["id"]]


@pytest.mark.parametrize("prefix", ["decol", "Décol", "DECOLLET", "d"])
def test_the_last_word_is_a_prefix(api, make_cluster, prefix):
    w = unique_word()
    c = make_cluster(name=f"Décolletage {w}")
    assert ids(search(api, f"{w} {prefix}")) == [c["id"]]


def test_a_prefix_of_the_unique_word_alone(api, make_cluster, make_partner):
    w = unique_word()
    c = make_cluster(name=f"Scierie {w}")
    p = make_partner(name=f"Agence {w}")
    assert set(ids(search(api, w[:9]))) == {c["id"], p["id"]}


def test_only_the_last_word_is_a_prefix(api, make_cluster):
    w = unique_word()
    make_cluster(name=f"Décolletage {w}")
    assert search(api, f"decol {w}") == []
    assert search(api, f"{w[:9]} décolletage") == []


def test_stemming(api, make_cluster, make_company):
    w = unique_word()
    c = make_cluster(name=f"Scierie {w}")
    k = make_company(name=f"{w} Menuiseries", description="Fabrication de fenêtres en bois.")
    assert ids(search(api, f"scieries {w}")) == [c["id"]]
    assert ids(search(api, f"{w} scieries")) == [c["id"]]
    assert ids(search(api, f"menuiserie {w}")) == [k["id"]]
    assert ids(search(api, f"fenêtre {w}")) == [k["id"]]
    assert ids(search(api, f"{w} fenetres")) == [k["id"]]


def test_every_word_must_match(api, make_cluster):
    w = unique_word()
    c = make_cluster(name=f"Scierie {w}")
    assert search(api, f"{w} plasturgie") == []
    assert search(api, f"plasturgie {w}") == []
    assert ids(search(api, f"scierie {w}")) == [c["id"]]


def test_descriptions_and_summaries_are_searched(api, make_cluster, make_project, make_event):
    w, other = unique_word(), unique_word()
    c = make_cluster(name=f"Grappe {other}", description=f"Le réseau {w} des fabricants.")
    p = make_project(title=f"Projet {other}", summary=f"Achats groupés {w} pour les membres.")
    e = make_event(title=f"Atelier {other}", description=f"Journée {w} sur le lean.")
    items = search(api, w)
    assert {(i["type"], i["id"]) for i in items} == {("cluster", c["id"]), ("project", p["id"]), ("event", e["id"])}
    names = {i["id"]: i["name"] for i in items}
    assert names[p["id"]] == f"Projet {other}" and names[e["id"]] == f"Atelier {other}"
    assert names[c["id"]] == f"Grappe {other}"


def test_punctuation_and_quotes_in_q(api, make_cluster):
    w = unique_word()
    c = make_cluster(name=f"Décolletage {w}")
    for q in (f'"{w}"', f"{w}!", f"({w})", f"{w}'", f"l'{w}", f"{w} & décolletage", f"{w} | x", f"-{w}",
              f"{w}:*", f"{w} \\", f"{w};"):
        r = api.get(SEARCH, params={"q": q})
        assert r.status_code == 200, (q, r.text)
    assert ids(search(api, f"l'{w}")) == [c["id"]]
    assert ids(search(api, f"{w}, décolletage.")) == [c["id"]]


def test_search_follows_renames_and_deletes(api, admin_key, make_cluster):
    w, w2 = unique_word(), unique_word()
    c = make_cluster(name=f"Plasturgie {w}")
    assert ids(search(api, w)) == [c["id"]]
    r = api.patch(f"/v1/clusters/{c['id']}", {"name": f"Plasturgie {w2}"}, key=admin_key)
    assert r.status_code == 200, r.text
    assert search(api, w) == []
    items = search(api, w2)
    assert ids(items) == [c["id"]] and items[0]["name"] == f"Plasturgie {w2}"
    assert api.delete(f"/v1/clusters/{c['id']}", key=admin_key).status_code == 204
    assert search(api, w2) == []


# ---- types and limit ----

@pytest.fixture
def five(make_cluster, make_company, make_partner, make_event, make_project):
    w = unique_word()
    return {
        "word": w,
        "cluster": make_cluster(name=f"Cluster {w}"),
        "company": make_company(name=f"Société {w}"),
        "partner": make_partner(name=f"Agence {w}"),
        "event": make_event(title=f"Atelier {w}"),
        "project": make_project(title=f"Projet {w}"),
    }


def test_all_five_types_by_default(api, five):
    items = search(api, five["word"])
    got = {i["type"]: i for i in items}
    assert set(got) == set(PLURAL) and len(items) == 5
    for t in PLURAL:
        obj = five[t]
        assert got[t]["id"] == obj["id"]
        assert got[t]["name"] == obj.get("name", obj.get("title"))
        assert got[t]["url"] == f"/v1/{PLURAL[t]}/{obj['id']}"
        # no description: the snippet is the name, the word marked
        assert "<mark>" in got[t]["snippet"]
        assert re.sub(r"</?mark>", "", got[t]["snippet"]) == got[t]["name"]


@pytest.mark.parametrize("types", ["company", "cluster,event", "partner,project,company", "event",
                                   "cluster,company,partner,event,project"])
def test_types_filter(api, five, types):
    items = search(api, five["word"], types=types)
    wanted = types.split(",")
    assert sorted(i["type"] for i in items) == sorted(wanted)
    assert {i["id"] for i in items} == {five[t]["id"] for t in wanted}


@pytest.mark.parametrize("types", ["widget", "cluster,widget", "clusters", "Cluster", ""])
def test_bad_types_are_400(api, types):
    body = problem(api.get(SEARCH, params={"q": "grappe", "types": types}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "types"


def test_limit(api, five):
    w = five["word"]
    assert len(search(api, w, limit=2)) == 2
    assert len(search(api, w, limit=1)) == 1
    assert len(search(api, w, limit=50)) == 5
    everything = search(api, w)
    assert ids(search(api, w, limit=3)) == ids(everything)[:3]


def test_default_limit_is_20(api, make_partner):
    w = unique_word()
    made = [make_partner(name=f"Agence {w} numéro {i}") for i in range(22)]
    assert len(search(api, w)) == 20
    assert len(search(api, w, limit=50)) == 22
    assert set(ids(search(api, w, limit=50))) == {p["id"] for p in made}


@pytest.mark.parametrize("limit", ["0", "51", "-1", "abc", "", "2.5", "1000"])
def test_bad_limit_is_400(api, limit):
    body = problem(api.get(SEARCH, params={"q": "grappe", "limit": limit}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "limit"


# ---- snippets ----

def test_snippet_marks_and_is_safe(api, make_cluster):
    w = unique_word()
    c = make_cluster(name=f"Vitrine {w}",
                     description=f"Une <script>alert('x')</script> vitrine pour {w} & co, <b>gras</b> \"cité\".")
    items = search(api, w)
    assert ids(items) == [c["id"]]
    snippet = items[0]["snippet"]
    assert f"<mark>{w}</mark>" in snippet
    assert "<script" not in snippet and "</script" not in snippet and "<b>" not in snippet
    assert "&amp;" in snippet
    assert "vitrine pour" in snippet
    # no tag but <mark> and </mark>
    assert "<" not in re.sub(r"</?mark>", "", snippet)
    assert ">" not in re.sub(r"</?mark>", "", snippet)


def test_snippet_escapes_the_text_of_tags_rather_than_dropping_it(api, make_cluster):
    # API.md: the snippet is the description, HTML-escaped: "<script>" shows as "&lt;script&gt;".
    w = unique_word()
    c = make_cluster(name=f"Vitrine {w}", description=f"Une <script>alert(1)</script> vitrine pour {w}, <b>gras</b>.")
    items = search(api, w)
    assert ids(items) == [c["id"]]
    snippet = items[0]["snippet"]
    assert f"<mark>{w}</mark>" in snippet
    assert "&lt;script&gt;" in snippet and "&lt;/script&gt;" in snippet
    assert "&lt;b&gt;gras&lt;/b&gt;" in snippet


def test_snippet_of_a_project_is_cut_from_its_summary(api, make_project):
    w = unique_word()
    p = make_project(title=f"Achats groupés {w}", summary=f"Mutualiser les achats d'acier entre membres {w}.")
    items = search(api, w)
    assert ids(items) == [p["id"]]
    assert "acier" in items[0]["snippet"]
    assert f"<mark>{w}</mark>" in items[0]["snippet"]


def test_snippet_marks_accented_and_stemmed_words(api, make_cluster):
    w = unique_word()
    make_cluster(name=f"Pôle {w}", description=f"Le décolletage de la vallée de l'Arve, avec {w}.")
    items = search(api, f"decolletage {w}")
    marked = [m.lower() for m in re.findall(r"<mark>(.*?)</mark>", items[0]["snippet"])]
    assert "décolletage" in marked and w in marked


# ---- visibility ----

def test_anonymous_callers_do_not_see_non_public_events(api, reader_key, admin_key, manager_key, manager02_key,
                                                        make_event):
    w = unique_word()
    public = make_event(title=f"Atelier {w} ouvert")
    hidden = make_event(title=f"Atelier {w} réservé", public=False)
    assert ids(search(api, w)) == [public["id"]]
    assert ids(search(api, w, types="event")) == [public["id"]]
    assert search(api, f"{w} réservé") == []
    for key in (reader_key, admin_key, manager_key, manager02_key):
        assert set(ids(search(api, w, key=key))) == {public["id"], hidden["id"]}
        assert ids(search(api, f"{w} réservé", key=key)) == [hidden["id"]]


def test_public_and_the_same_for_every_key(api, reader_key, admin_key, five):
    anonymous = search(api, five["word"])
    for key in (reader_key, admin_key):
        assert search(api, five["word"], key=key) == anonymous


# ---- q ----

@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "\t"}],
                         ids=["missing", "empty", "spaces", "tab"])
def test_q_is_required(api, params):
    body = problem(api.get(SEARCH, params=params), 400, "invalid_query")
    assert body["errors"][0]["field"] == "q"


def test_q_of_more_than_200_characters_is_400(api):
    body = problem(api.get(SEARCH, params={"q": "z" * 201}), 400, "invalid_query")
    assert body["errors"][0]["field"] == "q"
    body = problem(api.get(SEARCH, params={"q": "é" * 201}), 400, "invalid_query")
    assert search(api, "zq" * 100) == []
    assert search(api, "é" * 200) == []


@pytest.mark.parametrize("q", ["le la du", "de", "Le de la des du", "et ou", "la DE", "!!!", "...", "  ,;  ", "« »",
                               "le !"])
def test_stop_words_or_punctuation_only_answer_no_items(api, q):
    r = api.get(SEARCH, params={"q": q})
    assert r.status_code == 200, r.text
    assert r.json() == {"q": q, "items": []}


def test_q_is_echoed_as_given(api, make_cluster):
    w = unique_word()
    c = make_cluster(name=f"Décolletage {w}")
    q = f"  DÉCOLLETAGE  {w.upper()} "
    r = api.get(SEARCH, params={"q": q})
    assert r.status_code == 200, r.text
    assert r.json()["q"] == q
    assert ids(r.json()["items"]) == [c["id"]]


def test_a_word_found_nowhere(api):
    assert search(api, unique_word()) == []


# ---- protocol ----

@pytest.mark.parametrize("params", [{"q": "grappe", "colour": "red"}, {"q": "grappe", "format": "csv"},
                                    {"q": "grappe", "sort": "name"}, {"q": "grappe", "cursor": "abc"}],
                         ids=["colour", "format", "sort", "cursor"])
def test_unknown_parameters_are_400(api, params):
    problem(api.get(SEARCH, params=params), 400, "invalid_query")


@pytest.mark.parametrize("accept", ["text/csv", "application/xml", "application/x-ndjson"])
def test_json_only(api, accept):
    problem(api.get(SEARCH, params={"q": "grappe"}, headers={"Accept": accept}), 406, "not_acceptable")


def test_demo_data_is_found(api):
    items = search(api, "décolletage", limit=50)
    assert any(i["type"] == "company" and i["name"] == "Décolletage du Giffre" for i in items)
    items = search(api, "Décolletage du Giffre")
    assert items[0]["name"] == "Décolletage du Giffre" and items[0]["type"] == "company"


def test_an_upcoming_and_a_past_event_are_both_found(api, make_event):
    w = unique_word()
    a = make_event(title=f"Salon {w}", starts_at=utc_in(days=-40), ends_at=utc_in(days=-40, hours=3))
    b = make_event(title=f"Salon {w} bis", starts_at=utc_in(days=40), ends_at=utc_in(days=40, hours=3))
    assert set(ids(search(api, w))) == {a["id"], b["id"]}
