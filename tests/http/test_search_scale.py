"""Search ranks a bounded number of full-text matches per type (bounded cost for broad
queries); names that start with the query are looked up apart and always found."""
from conftest import unique_word


def test_names_are_found_beyond_the_ranked_candidates(api, sql):
    word = unique_word()
    # 1,200 partners mention the word (more than the 200 ranked); one more is named after it and is not among the
    # first rows the full-text index returns (inserted last).
    sql(f"INSERT INTO partners (name, kind, description) SELECT 'Partenaire ' || g, 'other', "
        f"'Membre du réseau {word} numéro ' || g FROM generate_series(1, 1200) g")
    sql(f"INSERT INTO partners (name, kind) VALUES ('{word.capitalize()} Développement', 'development_agency')")
    try:
        r = api.get("/v1/search", params={"q": word, "types": "partner", "limit": "5"})
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert len(items) == 5
        assert items[0]["name"] == f"{word.capitalize()} Développement"
        # as the user types: a prefix of the name
        r = api.get("/v1/search", params={"q": word[:-1], "types": "partner", "limit": "3"})
        assert r.json()["items"][0]["name"] == f"{word.capitalize()} Développement"
    finally:
        sql(f"DELETE FROM partners WHERE description LIKE '%{word}%' OR name LIKE '{word.capitalize()}%'")
