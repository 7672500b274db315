"""Search takes the first matches a scan finds as a type's candidates. On a table larger than a
quarter of shared_buffers, PostgreSQL would start each sequential scan where the last one got
to (synchronized scans), so the same query would rank other candidates, and answer other
results, from one call to the next. Grappe's sessions turn synchronize_seqscans off."""
import requests

from conftest import psql_at as psql, scratch_database, start_extra_server, stop_extra_server


def test_the_same_query_gives_the_same_results_on_a_large_table(database_url, grappe_bin, sql, tmp_path):
    with scratch_database(database_url, grappe_bin, sql, "scans") as url:
        buffers = int(psql(url, "SELECT setting FROM pg_settings WHERE name = 'shared_buffers'"))  # 8 kB pages
        # rows of some 1.5 kB (kept in the heap, not TOASTed), five to a page: past a quarter
        # of shared_buffers with room to spare
        rows = (buffers // 4 + 2000) * 5
        psql(url, "INSERT INTO companies (name, description) SELECT 'Atelier ' || i, "
                  f"repeat('Atelier de mécanique de précision et de chaudronnerie. ', 27) FROM generate_series(1, {rows}) i; "
                  "ANALYZE companies")
        pages = int(psql(url, "SELECT pg_relation_size('companies') / 8192"))
        assert pages > buffers // 4, "the table must be past the synchronized-scan threshold"
        srv = start_extra_server(grappe_bin, url, tmp_path / "scans.log")
        try:
            answers = []
            for _ in range(12):
                r = requests.get(srv.base_url + "/v1/search", params={"q": "mecanique", "types": "company"},
                                 timeout=60)
                assert r.status_code == 200, r.text
                answers.append([it["id"] for it in r.json()["items"]])
            assert len(answers[0]) == 20
            assert all(a == answers[0] for a in answers), "the same search answered other companies"
        finally:
            stop_extra_server(srv)
