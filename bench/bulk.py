"""Bulk imports and lookups by external id (issue 19), for bench/measure.py.

Targets: an import of 100,000 companies from CSV and from NDJSON, and of 100,000
memberships, each >= 20,000 lines/s with flat memory; a lookup by external id within 10 %
of a lookup by id. Four scenarios, against a release `grappe serve` (GRAPPE_THREADS workers,
webhook workers off) on loopback, an admin key, each import one POST:

1. companies, CSV: LINES new companies as a French Excel would write them (`;` between
   cells, windows-1252 with accented names, CRLF, decimal commas in location.lat/lon, an
   `external_ids.bench` column, nested fields as `address.city`), posted as
   `text/csv; charset=windows-1252` three times: all created, then the same file again (all
   unchanged), then with one line in ten changed (employees and street: updated).
2. companies, NDJSON: the same companies under other SIRETs, as NDJSON (UTF-8, numbers as
   JSON numbers), the same three imports.
3. memberships: LINES lines as CSV (`,`, UTF-8), one per company of scenario 1, named by
   company_siret, each in a seeded cluster named by cluster_id (round robin over all of
   them); created, then the same file again (unchanged).
4. lookup: wrk (measure.py's item GET script: a random row per request) on
   `GET /v1/companies/{id}` and on `GET /v1/companies/external/bench/{value}` over the same
   20,000 rows of scenario 1 (or all, when fewer), in ROUNDS pairs of rounds alternating
   which goes first; each pair gives the ratio external / id of req/s and of p99, the
   report gives the median pair's. Beside them, in the same rounds, the item ceilings of
   bench/measure.py, pgbench with as many connections as the server's pool: the statements
   each GET sent (captured from PostgreSQL's log) and the plain SELECT of the row's columns
   (ROW_SQL; for the external id, with the probe of external_ids that names the row).

Every SIRET is valid (Luhn keys of SIREN and SIRET) and taken from SIREN ranges the seed
never uses (`grappe seed` draws its SIRENs in 300000000..999999999): 190xxxxxx for
scenario 1, 191xxxxxx for scenario 2, 192xxxxxx for PostgreSQL alone; the run checks that
no company holds one before it starts (and deletes any that an interrupted run left).

How each number is measured:
- lines/s: the lines of the import over the wall time of its request, from sending the
  body to having read the whole answer (the per-line results), on loopback; the answer's
  summary is checked against what the import must do (errors fail the run).
- memory: the server's VmRSS before and after each import and its VmHWM (peak resident
  set) over the import, from /proc/<pid>/status; the peak is reset before each import
  (`echo 5 > /proc/<pid>/clear_refs`), and each scenario starts a fresh server, so the first
  import's peak is that of a server that had done nothing else. "Flat" is judged as: the
  peak grows by at most twice the body plus 32 MiB (the server holds the body, the
  per-line results and one batch of BULK_BATCH lines, never the whole import parsed; the
  32 MiB are a first request's fixed costs: connections, statements, thread heaps) and the
  peak of the scenario's last import is within 32 MiB of the peak of its first (nothing
  accumulates from one import to the next; the RSS right after an import says less: the
  allocator gives freed memory back to the system some seconds later). The load average before each import
  is reported too: the machine may be shared.
- PostgreSQL's share: during each import the server's statements are logged with their
  durations (log_min_duration_statement = 0, parameters not logged); the sum of those
  durations in the import's session (the log prefix's pid: the one that ran the batch
  statements; parse, bind and execute, BEGIN, SAVEPOINT, COMMIT...) is the time PostgreSQL
  spent on the import, the rest is the server (reading, converting, validating, encoding
  the batches, answering) and the client.
- PostgreSQL alone (the ceiling): the same companies (under the 192 range), their columns
  already typed and derived as the server derives them (siren, size, region_code), written
  to a TSV file, `\\copy` into an unlogged staging table, then `INSERT ... ON CONFLICT
  (siret) DO UPDATE ... WHERE (stored columns) IS DISTINCT FROM (new ones)` of 1,000 rows
  at a time, each committed (a DO block), the same three imports; like the API's
  statement, it leaves out of the INSERT the rows whose stored columns are those of their
  line (no generated search document, probe or row lock for an unchanged row); the memberships alike
  (`ON CONFLICT (cluster_id, company_id) WHERE left_on IS NULL DO UPDATE ... WHERE
  distinct`, the company found by siret). Its lines/s is lines over (COPY + INSERTs); the
  API's import is reported as a share of it. The triggers (change feed, external ids,
  search document, cluster counts) run on both sides. Before the first batch of each
  creation, EXPLAIN (ANALYZE, BUFFERS) of that batch, rolled back: the report shows its
  trigger lines, where PostgreSQL's time goes.
- Between imports (untimed): `VACUUM ANALYZE` of the tables written, so that each import
  starts on a settled database rather than beside autovacuum.

At the end (also after a failure) everything imported is deleted, memberships then
companies, in batches of 5,000, with the change-feed rows these writes added, the staging
tables dropped, and the tables vacuumed: the database is as it was found.
"""
import csv
import io
import json
import os
import random
import re
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_CSV, BASE_NDJSON, BASE_PG = 19000000, 19100000, 19200000  # 8-digit SIREN prefixes
TARGET_LPS = 20000
LOOKUP_ROWS = 20000

PREFIXES = ["Établissements", "Société", "Ateliers", "Forges", "Décolletage", "Mécanique de précision",
            "Plasturgie", "Électronique", "Fonderie", "Chaudronnerie", "Maison", "Compagnie"]
FAMILIES = ["Lefèvre", "Guérin", "Noël", "Bouvier", "Prévost", "Benoît", "Gérard", "Clément", "Perrière",
            "Hérault", "Müller", "Chênelière", "Lemaître", "Bérard", "Grégoire", "Thévenet", "Dupré", "Mégève"]
PLACES = ["du Léman", "des Alpes", "de l'Arve", "du Rhône", "de la Côte-d'Or", "du Cœur de Savoie",
          "des Écrins", "de Franche-Comté", "d’Annecy", "du Genevois", "de l'Étang", "des Bauges"]
STREETS = ["rue de l'Industrie", "avenue Jean Jaurès", "allée des Érables", "chemin du Lavoir", "place de l'Église",
           "ZI des Forges", "route de Genève", "boulevard Émile Zola", "impasse des Côteaux", "rue André-Marie Ampère"]
NAF = ["25.62B", "25.62A", "28.41Z", "22.29A", "26.11Z", "62.01Z", "72.19Z", "25.11Z", "33.12Z", "27.11Z"]
ROLES = ["member"] * 8 + ["board_member", "founding_member"]
COLLEGES = ["pme"] * 7 + ["eti_ge", "research_training", "other"]
COMPANY_COLS = ["name", "legal_name", "siren", "siret", "naf_code", "employees", "size", "founded_on", "website",
                "email", "phone", "address", "department_code", "region_code", "location", "description",
                "external_ids"]


# ---- data ----

DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]


def luhn_complete(prefix):
    """prefix + its Luhn key: from the right, the prefix's last digit is doubled, the next
    one not, and so on."""
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        total += DOUBLED[ord(ch) - 48] if i % 2 == 0 else ord(ch) - 48
    return prefix + str(-total % 10)


def siret_of(base8):
    """A valid SIRET: the SIREN base8 + its key, establishment 0001 + the SIRET's key."""
    return luhn_complete(luhn_complete(str(base8)) + "0001")


def size_of(employees):
    return "tpe" if employees < 10 else "pme" if employees < 250 else "eti" if employees < 5000 else "ge"


def company(i, base, deps, r):
    """Company i of the range base, as a JSON object (the fields a client sends)."""
    siret = siret_of(base + i)
    dep = deps[r.randrange(len(deps))][0]
    postal = (dep + "100")[:5] if dep.isdigit() and len(dep) == 2 else (dep + "10") if dep.isdigit() else "20000"
    fam, place = r.choice(FAMILIES), r.choice(PLACES)
    name = f"{r.choice(PREFIXES)} {fam} {place}"
    employees = r.randrange(0, 400)
    slug = f"bench-{siret}"
    return {
        "siret": siret,
        "name": name,
        "legal_name": f"{name.upper()} SAS",
        "naf_code": r.choice(NAF),
        "employees": employees,
        "founded_on": f"{r.randrange(1950, 2024)}-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}",
        "website": f"https://www.{slug}.example",
        "email": f"contact@{slug}.example",
        "phone": f"+33 4 50 {r.randrange(10, 100)} {r.randrange(10, 100)} {r.randrange(10, 100)}",
        "address": {"street": f"{r.randrange(1, 150)} {r.choice(STREETS)}",
                    "postal_code": postal, "city": f"Saint-Jean-{place.split()[-1]}"},
        "department_code": dep,
        "location": {"lat": round(42.5 + r.random() * 8, 5), "lon": round(-4 + r.random() * 11.5, 5)},
        "description": f"Sous-traitance {r.choice(['mécanique', 'plastique', 'électronique'])} à façon, "
                       f"séries de 10 à 10 000 pièces, certifiée ISO 9001.",
        "external_ids": {"bench": f"CRM-{base + i}"},
    }


def companies(n, base, deps):
    r = random.Random(base)
    return [company(i, base, deps, r) for i in range(n)]


def changed(rows, every=10):
    """rows with one in every changed (employees and street), as a sync would send them."""
    out = []
    for i, c in enumerate(rows):
        if i % every == 0:
            c = dict(c, employees=c["employees"] + 1, address=dict(c["address"], street=c["address"]["street"] + " bis"))
        out.append(c)
    return out


CSV_HEADER = ["siret", "name", "legal_name", "naf_code", "employees", "founded_on", "website", "email", "phone",
              "address.street", "address.postal_code", "address.city", "department_code", "location.lat",
              "location.lon", "description", "external_ids.bench"]


def french_csv(rows):
    """As a French Excel saves "CSV (separator: semicolon)": windows-1252, `;`, CRLF, decimal
    commas."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for c in rows:
        a, loc = c["address"], c["location"]
        w.writerow([c["siret"], c["name"], c["legal_name"], c["naf_code"], c["employees"], c["founded_on"],
                    c["website"], c["email"], c["phone"], a["street"], a["postal_code"], a["city"],
                    c["department_code"], f"{loc['lat']:.5f}".replace(".", ","),
                    f"{loc['lon']:.5f}".replace(".", ","), c["description"], c["external_ids"]["bench"]])
    return out.getvalue().encode("cp1252")


def ndjson(rows):
    return "".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n" for c in rows).encode()


def memberships(rows, clusters):
    """One membership per company, named by siret, in the clusters by turns."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["cluster_id", "company_siret", "role", "college", "joined_on"])
    for i, c in enumerate(rows):
        r = random.Random(i)
        w.writerow([clusters[i % len(clusters)], c["siret"], r.choice(ROLES), r.choice(COLLEGES),
                    f"{r.randrange(2005, 2026)}-{r.randrange(1, 13):02d}-01"])
    return out.getvalue().encode()


def tsv(values):
    """A line of COPY's text format (no value here holds a tab, newline or backslash)."""
    return "\t".join("\\N" if v is None else v if isinstance(v, str) else
                     json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else str(v) for v in values) + "\n"


# ---- measuring ----

def status_kib(pid):
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = int(line.split()[1])
    return out


class Imports:
    def __init__(self, t, srv, key):
        self.t, self.srv, self.key = t, srv, key

    def post(self, path, body, ctype, label, expect):
        """One import: its time, memory and PostgreSQL's share; checks the summary."""
        t, srv = self.t, self.srv
        t.wait_idle(t.url)
        before = status_kib(srv.proc.pid)["VmRSS"]
        srv.reset_peak()
        log_from = statements_on(t)
        req = urllib.request.Request(srv.base + path, data=body, method="POST",
                                     headers={"Content-Type": ctype, "Authorization": f"Bearer {self.key}"})
        load = os.getloadavg()[0]
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=900) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            statements_off(t)
            raise SystemExit(f"bench: {label}: {e.code} {e.read()[:500]!r}")
        secs = time.monotonic() - t0
        mem = status_kib(srv.proc.pid)
        db_s, batch_s, nstmts = statements_off(t, log_from)
        doc = json.loads(raw)
        summary = doc["summary"]
        errs = [r for r in doc["results"] if r["status"] == "error"]
        if errs:
            t.log(f"{label}: {len(errs)} lines in error, e.g. {json.dumps(errs[:3], ensure_ascii=False)[:600]}")
        lines = sum(summary.values())
        row = dict(label=label, lines=lines, body_mib=len(body) / 2**20, secs=secs, lps=lines / secs,
                   summary=summary, ok=summary == expect and doc["committed"] is True,
                   rss_before=before / 1024, rss_after=mem["VmRSS"] / 1024, hwm=mem["VmHWM"] / 1024,
                   db_s=db_s, batch_s=batch_s, nstmts=nstmts, expect=expect, load=load)
        t.log(f"{label}: {lines:,} lines in {secs:.2f} s, {row['lps']:,.0f} lines/s; PostgreSQL {db_s:.2f} s "
              f"({nstmts} statements); RSS {row['rss_before']:.0f} -> {row['rss_after']:.0f} MiB, peak "
              f"{row['hwm']:.0f} MiB; {summary}{'' if row['ok'] else ' (expected ' + str(expect) + ')'}")
        return row


def statements_on(t):
    t.psql(t.url, "ALTER SYSTEM SET log_min_duration_statement = 0")
    t.psql(t.url, "ALTER SYSTEM SET log_parameter_max_length = 0")
    t.psql(t.url, "SELECT pg_reload_conf()")
    time.sleep(0.3)
    return Path(t.pg_log).stat().st_size


def statements_off(t, start=None):
    """(seconds of the statements of the import's sessions logged since start, of its batch
    statements, how many were logged). The import's sessions are those that ran a batch
    statement (the log line's [pid]): the server's other session (folding the cluster
    counts, src/db/keylisten.c) runs beside them and is not the import's time."""
    t.psql(t.url, "ALTER SYSTEM RESET log_min_duration_statement")
    t.psql(t.url, "ALTER SYSTEM RESET log_parameter_max_length")
    t.psql(t.url, "SELECT pg_reload_conf()")
    if start is None:
        return 0.0, 0.0, 0
    with open(t.pg_log, encoding="utf-8", errors="replace") as f:
        f.seek(start)
        text = f.read()
    per_pid, counts, importers = {}, {}, set()
    batch = 0.0
    for m in re.finditer(r"\[(\d+)\] LOG:  duration: ([\d.]+) ms  ([^\n]*)", text):
        pid, ms, what = m.group(1), float(m.group(2)), m.group(3)
        per_pid[pid] = per_pid.get(pid, 0.0) + ms
        counts[pid] = counts.get(pid, 0) + 1
        if "WITH input AS MATERIALIZED" in what:
            importers.add(pid)
            batch += ms
    total = sum(per_pid[p] for p in importers)
    return total / 1000, batch / 1000, sum(counts[p] for p in importers)


def settle(t):
    t.psql(t.url, "VACUUM ANALYZE companies, memberships, external_ids, changes, cluster_totals")


def flat(rows):
    """The scenario's memory is flat: each peak at most twice its body (+ 32 MiB) above the
    RSS before, and the peak of the last import within 32 MiB of that of the first."""
    return all(r["hwm"] - r["rss_before"] <= 2 * r["body_mib"] + 32 for r in rows) and \
        rows[-1]["hwm"] - rows[0]["hwm"] <= 32


# ---- PostgreSQL alone ----

def pg_companies_sql():
    cols = ", ".join(COMPANY_COLS)
    sets = ", ".join(f"{c} = t.{c} || EXCLUDED.{c}" if c == "external_ids" else f"{c} = EXCLUDED.{c}"
                     for c in COMPANY_COLS)
    stored = ", ".join(f"t.{c}" for c in COMPANY_COLS)
    new = ", ".join(f"t.{c} || EXCLUDED.{c}" if c == "external_ids" else f"EXCLUDED.{c}" for c in COMPANY_COLS)
    staged = ", ".join(f"t.{c} || s.{c}" if c == "external_ids" else f"s.{c}" for c in COMPANY_COLS)
    # as the API's statement does: a row the same as its line is not sent to the INSERT
    return (f"INSERT INTO companies AS t ({cols}) SELECT {', '.join('s.' + c for c in COMPANY_COLS)} "
            f"FROM bench_bulk_stage s LEFT JOIN companies t ON t.siret = s.siret "
            f"WHERE s.n > {{lo}} AND s.n <= {{lo}} + 1000 AND (t.id IS NULL OR ({stored}) IS DISTINCT FROM ({staged})) "
            f"ORDER BY s.n ON CONFLICT (siret) DO UPDATE SET {sets} "
            f"WHERE ({stored}) IS DISTINCT FROM ({new})")


PG_MEMBERSHIPS_SQL = (
    "INSERT INTO memberships AS m (cluster_id, company_id, role, college, joined_on) "
    "SELECT s.cluster_id, c.id, s.role, s.college, s.joined_on FROM bench_bulk_mstage s "
    "JOIN companies c ON c.siret = s.company_siret WHERE s.n > {lo} AND s.n <= {lo} + 1000 ORDER BY s.n "
    "ON CONFLICT (cluster_id, company_id) WHERE left_on IS NULL DO UPDATE SET role = EXCLUDED.role, "
    "college = EXCLUDED.college, joined_on = EXCLUDED.joined_on "
    "WHERE (m.role, m.college, m.joined_on) IS DISTINCT FROM (EXCLUDED.role, EXCLUDED.college, EXCLUDED.joined_on)")


def batches(table, sql, step=1000):
    """sql run on the rows {lo} < n <= {lo} + step of table, for each step, each committed."""
    return (f"DO $$ DECLARE lo int := 0; hi int; BEGIN SELECT coalesce(max(n), 0) INTO hi FROM {table}; "
            f"WHILE lo < hi LOOP {sql.format(lo='lo')}; COMMIT; lo := lo + {step}; END LOOP; END $$")


def explain(t, sql):
    """EXPLAIN (ANALYZE, BUFFERS) of a write, rolled back: its trigger lines and times."""
    cp = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", t.url],
                        input=f"BEGIN;\nEXPLAIN (ANALYZE, BUFFERS) {sql};\nROLLBACK;\n", capture_output=True, text=True)
    if cp.returncode != 0:
        t.log(f"EXPLAIN failed: {cp.stderr[:300]}")
        return []
    lines = cp.stdout.splitlines()
    keep = [l.strip() for l in lines if re.match(r"\s*(Trigger|Planning Time|Execution Time|Insert on)", l)]
    top = next((l.strip() for l in lines if l.strip().startswith("Buffers")), None)  # the Insert's own
    return keep[:1] + ([top] if top else []) + keep[1:40]


def pg_alone(t, table, ddl, lines, insert, label, explained=None):
    """COPY of lines into table, then the batches: (row). With explained (a list), first the
    EXPLAIN ANALYZE of the first batch, rolled back, appended to it (its dead rows vacuumed)."""
    t.psql(t.url, f"DROP TABLE IF EXISTS {table}; CREATE UNLOGGED TABLE {table} ({ddl})")
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as f:
        f.write("".join(lines))
    t.wait_idle(t.url)
    t0 = time.monotonic()
    t.psql(t.url, f"\\copy {table} FROM '{f.name}'")
    copy_s = time.monotonic() - t0
    os.unlink(f.name)
    if explained is not None:
        explained += [f"{label}, the first 1,000 rows:"] + explain(t, insert.format(lo=0))
        settle(t)
        t.wait_idle(t.url)
    t0 = time.monotonic()
    t.psql(t.url, batches(table, insert))
    ins_s = time.monotonic() - t0
    n = len(lines)
    row = dict(label=label, lines=n, copy_s=copy_s, ins_s=ins_s, lps=n / (copy_s + ins_s))
    t.log(f"PostgreSQL alone, {label}: COPY {copy_s:.2f} s, INSERT ... ON CONFLICT {ins_s:.2f} s: "
          f"{row['lps']:,.0f} lines/s")
    return row


def pg_company_lines(rows, regions):
    out = []
    for n, c in enumerate(rows, 1):
        vals = dict(c, siren=c["siret"][:9], size=size_of(c["employees"]), region_code=regions[c["department_code"]])
        out.append(tsv([n] + [vals.get(k) for k in COMPANY_COLS]))
    return out


STAGE_DDL = ("n int PRIMARY KEY, name text, legal_name text, siren text, siret text, naf_code text, employees int, "
             "size text, founded_on date, website text, email text, phone text, address jsonb, "
             "department_code text, region_code text, location jsonb, description text, external_ids jsonb")
MSTAGE_DDL = "n int PRIMARY KEY, cluster_id uuid, company_siret text, role text, college text, joined_on date"


# ---- the run ----

def run(t, n):
    """The four scenarios with n lines per import. t: measure.py's tools (Server, grappe,
    url, pg_log, psql, log, wrk, pgbench, capture, wait_idle, threads, connections,
    round_s, rounds, row_sql). Returns (Markdown, targets [(label, value text, met)],
    failures)."""
    # a SIRET of range b: the SIREN b + i and its key, then 0001 and a key: >= 'b', < 'b + n'
    ranges = [(BASE_CSV, "CSV"), (BASE_NDJSON, "NDJSON"), (BASE_PG, "PostgreSQL alone")]
    in_ranges = " OR ".join(f"(siret >= '{b}' AND siret < '{b + n}')" for b, _ in ranges)
    cleanup(t, in_ranges, None, "left by an earlier run")
    t.psql(t.url, "DROP TABLE IF EXISTS bench_bulk_stage, bench_bulk_mstage, bench_bulk_byid, bench_bulk_byext")
    changes_from = int(t.psql(t.url, "SELECT coalesce(max(id), 0) FROM changes"))
    deps = [tuple(l.split("|")) for l in t.psql(t.url, "SELECT code, region_code FROM departments ORDER BY code").split()]
    regions = dict(deps)
    clusters = t.psql(t.url, "SELECT id FROM clusters ORDER BY id").split()
    key = subprocess.run([t.grappe, "keys", "create", "--role", "admin", "--name", "bench-bulk"],
                         env=dict(os.environ, GRAPPE_DATABASE_URL=t.url), capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    imports, alone, look, explained = [], [], None, []
    failures = 0
    try:
        t.log(f"bulk: generating {n:,} companies ×3 and {n:,} memberships")
        csv_rows = companies(n, BASE_CSV, deps)
        nd_rows = companies(n, BASE_NDJSON, deps)
        pg_rows = companies(n, BASE_PG, deps)
        csv_changed, nd_changed, pg_changed = changed(csv_rows), changed(nd_rows), changed(pg_rows)
        nchanged = sum(1 for i in range(n) if i % 10 == 0)
        created = dict(created=n, updated=0, unchanged=0, errors=0)
        same = dict(created=0, updated=0, unchanged=n, errors=0)
        upd = dict(created=0, updated=nchanged, unchanged=n - nchanged, errors=0)
        cp1252 = "text/csv; charset=windows-1252"
        mem_body = memberships(csv_rows, clusters)

        def scenario(name, posts):
            srv = t.Server(t.grappe, t.url, t.threads)
            try:
                imp = Imports(t, srv, key)
                rows = []
                for path, body, ctype, label, expect in posts:
                    rows.append(imp.post(path, body, ctype, label, expect))
                    settle(t)
                for r in rows:
                    r["scenario"] = name
                rows[0]["flat"] = flat(rows)
                rows[0]["n_in_scenario"] = len(rows)
                return rows
            finally:
                srv.stop()

        body = french_csv(csv_rows)
        imports += scenario("companies, CSV", [
            ("/v1/companies/bulk", body, cp1252, "companies CSV: create", created),
            ("/v1/companies/bulk", body, cp1252, "companies CSV: again, unchanged", same),
            ("/v1/companies/bulk", french_csv(csv_changed), cp1252, "companies CSV: 10 % changed", upd)])
        body = ndjson(nd_rows)
        imports += scenario("companies, NDJSON", [
            ("/v1/companies/bulk", body, "application/x-ndjson", "companies NDJSON: create", created),
            ("/v1/companies/bulk", body, "application/x-ndjson", "companies NDJSON: again, unchanged", same),
            ("/v1/companies/bulk", ndjson(nd_changed), "application/x-ndjson", "companies NDJSON: 10 % changed",
             upd)])
        imports += scenario("memberships, CSV", [
            ("/v1/memberships/bulk", mem_body, "text/csv", "memberships CSV: create", created),
            ("/v1/memberships/bulk", mem_body, "text/csv", "memberships CSV: again, unchanged", same)])
        failures += sum(1 for r in imports if not r["ok"])

        # PostgreSQL alone, the same writes
        ins = pg_companies_sql()
        alone.append(pg_alone(t, "bench_bulk_stage", STAGE_DDL, pg_company_lines(pg_rows, regions), ins,
                              "companies: create", explained))
        settle(t)
        alone.append(pg_alone(t, "bench_bulk_stage", STAGE_DDL, pg_company_lines(pg_rows, regions), ins,
                              "companies: again, unchanged"))
        settle(t)
        alone.append(pg_alone(t, "bench_bulk_stage", STAGE_DDL, pg_company_lines(pg_changed, regions), ins,
                              "companies: 10 % changed"))
        settle(t)
        mlines = [tsv([i + 1] + row) for i, row in
                  enumerate(list(csv.reader(io.StringIO(memberships(pg_rows, clusters).decode())))[1:])]
        alone.append(pg_alone(t, "bench_bulk_mstage", MSTAGE_DDL, mlines, PG_MEMBERSHIPS_SQL, "memberships: create",
                              explained))
        settle(t)
        alone.append(pg_alone(t, "bench_bulk_mstage", MSTAGE_DDL, mlines, PG_MEMBERSHIPS_SQL,
                              "memberships: again, unchanged"))
        settle(t)
        ceiling = {"companies CSV: create": 0, "companies CSV: again, unchanged": 1, "companies CSV: 10 % changed": 2,
                   "companies NDJSON: create": 0, "companies NDJSON: again, unchanged": 1,
                   "companies NDJSON: 10 % changed": 2, "memberships CSV: create": 3,
                   "memberships CSV: again, unchanged": 4}
        for r in imports:
            r["ceiling"] = alone[ceiling[r["label"]]]["lps"]

        look = lookup(t, n, key)
        failures += look["errors"]
    finally:
        cleanup(t, in_ranges, changes_from, "imported")
    md, checks = report(t, n, imports, alone, look, explained)
    return md, checks, failures


def lookup(t, n, key):
    """Scenario 4: paired rounds of wrk by id and by external id, with their ceilings."""
    t.psql(t.url, f"CREATE TABLE bench_bulk_byid AS SELECT row_number() OVER ()::int AS n, id, "
                  f"external_ids->>'bench' AS v FROM (SELECT id, external_ids FROM companies "
                  f"WHERE siret >= '{BASE_CSV}' AND siret < '{BASE_CSV + n}' ORDER BY random() "
                  f"LIMIT {LOOKUP_ROWS}) x; ALTER TABLE bench_bulk_byid ADD PRIMARY KEY (n); "
                  "CREATE TABLE bench_bulk_byext AS SELECT n, v AS id FROM bench_bulk_byid; "
                  "ALTER TABLE bench_bulk_byext ADD PRIMARY KEY (n); ANALYZE bench_bulk_byid, bench_bulk_byext")
    ids = t.psql(t.url, "SELECT id FROM bench_bulk_byid ORDER BY n").split()
    values = t.psql(t.url, "SELECT id FROM bench_bulk_byext ORDER BY n").split()
    by_id = {"BENCH_PREFIX": "/v1/companies/"}
    by_ext = {"BENCH_PREFIX": "/v1/companies/external/bench/"}
    srv = t.Server(t.grappe, t.url, t.threads)
    out = dict(rounds=[], errors=0, nrows=len(ids))
    try:
        t.wait_idle(t.url)
        # warm both (the row cache, PostgreSQL's buffers), untimed
        for lines, extra in ((ids, by_id), (values, by_ext)):
            t.wrk(srv, "get", lines, max(2, t.round_s), t.connections, extra)
        stmts_id = t.capture(t.url, t.pg_log, srv, "/v1/companies/" + ids[0])
        stmts_ext = t.capture(t.url, t.pg_log, srv, "/v1/companies/external/bench/" + values[0])
        out["stmts_id"], out["stmts_ext"] = stmts_id, stmts_ext
        row_id = t.row_sql.format(id=f"'{ids[0]}'::uuid")
        row_ext = t.row_sql.format(id=f"(SELECT e.id FROM external_ids e WHERE e.kind = 'company' AND e.ns = 'bench' "
                                      f"AND e.value = '{values[0]}')")
        t.log(f"lookup: {t.rounds} pairs of rounds, by id and by external id ({len(ids):,} rows), "
              f"{t.connections} connections, {t.round_s} s each, with their ceilings")
        for i in range(t.rounds):
            pair = {}
            order = [("id", ids, by_id), ("ext", values, by_ext)]
            for name, lines, extra in (order if i % 2 == 0 else order[::-1]):
                t.wait_idle(t.url)
                pair[name] = t.wrk(srv, "get", lines, t.round_s, t.connections, extra)
                out["errors"] += pair[name]["errors"]
            t.wait_idle(t.url)
            pair["stmts_id"] = t.pgbench(t.url, stmts_id, t.threads, t.round_s, "bench_bulk_byid", ids[0])
            t.wait_idle(t.url)
            pair["stmts_ext"] = t.pgbench(t.url, stmts_ext, t.threads, t.round_s, "bench_bulk_byext", values[0])
            t.wait_idle(t.url)
            pair["rows_id"] = t.pgbench(t.url, [row_id], t.threads, t.round_s, "bench_bulk_byid", ids[0])
            t.wait_idle(t.url)
            pair["rows_ext"] = t.pgbench(t.url, [row_ext], t.threads, t.round_s, "bench_bulk_byext", values[0])
            pair["rps_ratio"] = pair["ext"]["rps"] / pair["id"]["rps"]
            pair["p99_ratio"] = pair["ext"]["p99"] / pair["id"]["p99"] if pair["id"]["p99"] else float("nan")
            out["rounds"].append(pair)
            t.log(f"lookup round {i + 1}: by id {pair['id']['rps']:.0f} req/s p99 {pair['id']['p99']:.2f} ms, "
                  f"external {pair['ext']['rps']:.0f} req/s p99 {pair['ext']['p99']:.2f} ms: req/s "
                  f"{pair['rps_ratio']:.2f}, p99 {pair['p99_ratio']:.2f}; statements {pair['stmts_id']:.0f} / "
                  f"{pair['stmts_ext']:.0f} tps, rows {pair['rows_id']:.0f} / {pair['rows_ext']:.0f} tps")
    finally:
        srv.stop()
    return out


def cleanup(t, in_ranges, changes_from, what):
    """Deletes the companies of the bench's ranges (their memberships first), 5,000 at a
    time, and (changes_from) the change-feed rows added since, then vacuums."""
    t.psql(t.url, f"DROP TABLE IF EXISTS bench_bulk_gone; CREATE UNLOGGED TABLE bench_bulk_gone AS "
                  f"SELECT row_number() OVER ()::int AS n, id FROM companies WHERE {in_ranges}; "
                  f"ALTER TABLE bench_bulk_gone ADD PRIMARY KEY (n)")
    gone = int(t.psql(t.url, "SELECT count(*) FROM bench_bulk_gone"))
    if gone:
        t.log(f"bulk: deleting {gone:,} companies {what} (and their memberships)")
        t.psql(t.url, batches("bench_bulk_gone", "DELETE FROM memberships WHERE company_id IN (SELECT id FROM "
                                                 "bench_bulk_gone WHERE n > lo AND n <= lo + 5000); DELETE FROM "
                                                 "companies WHERE id IN (SELECT id FROM bench_bulk_gone WHERE n > lo "
                                                 "AND n <= lo + 5000)", step=5000))
    t.psql(t.url, "DROP TABLE bench_bulk_gone")
    if changes_from is not None:
        t.psql(t.url, "DROP TABLE IF EXISTS bench_bulk_stage, bench_bulk_mstage, bench_bulk_byid, bench_bulk_byext")
        t.psql(t.url, f"DELETE FROM changes WHERE id > {changes_from} AND type IN ('company', 'membership')")
        t.psql(t.url, "DELETE FROM api_keys WHERE name = 'bench-bulk'")
    if gone or changes_from is not None:
        settle(t)


def report(t, n, imports, alone, look, explained):
    out = [f"Each import {n:,} lines in one request (admin key, batches of 1,000 lines, each committed); "
           f"grappe serve with {t.threads} threads, a fresh one per scenario. PostgreSQL s: the durations of "
           "the statements the server sent during the import (from PostgreSQL's log); peak: VmHWM over the "
           "import (reset before it). Ceiling: PostgreSQL alone at the same writes (COPY into a staging table, "
           "then INSERT ... ON CONFLICT of 1,000 rows at a time, each committed).", "",
           "| Import | body MiB | s | lines/s | created / updated / unchanged / errors | PostgreSQL s (batches) "
           "| RSS before → after MiB | peak MiB | ceiling lines/s | API / ceiling | load before |",
           "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in imports:
        s = r["summary"]
        out.append(f"| {r['label']} | {r['body_mib']:.1f} | {r['secs']:.2f} | {r['lps']:,.0f} | "
                   f"{s['created']:,} / {s['updated']:,} / {s['unchanged']:,} / {s['errors']:,}"
                   f"{'' if r['ok'] else ' (not as expected)'} | {r['db_s']:.2f} ({r['batch_s']:.2f}) | "
                   f"{r['rss_before']:.0f} → {r['rss_after']:.0f} | {r['hwm']:.0f} | {r['ceiling']:,.0f} | "
                   f"{100 * r['lps'] / r['ceiling']:.0f} % | {r['load']:.1f} |")
    out += ["", "PostgreSQL alone (the ceiling), the same rows under other SIRETs:", "",
            "| Writes | COPY s | INSERT ... ON CONFLICT s | lines/s |", "|---|---:|---:|---:|"]
    out += [f"| {a['label']} | {a['copy_s']:.2f} | {a['ins_s']:.2f} | {a['lps']:,.0f} |" for a in alone]
    if explained:
        out += ["", "Where PostgreSQL's time goes: EXPLAIN (ANALYZE, BUFFERS) of the first batch of PostgreSQL alone, "
                    "rolled back (the node, its triggers, the totals):", "", "```"] + explained + ["```"]
    checks = []
    for r in imports:
        checks.append((f"{r['label']}: ≥ {TARGET_LPS:,} lines/s", f"{r['lps']:,.0f}/s", r["lps"] >= TARGET_LPS and r["ok"]))
    for r in imports:
        if "flat" in r:
            rows = [x for x in imports if x["scenario"] == r["scenario"]]
            growth = max(x["hwm"] - x["rss_before"] for x in rows)
            checks.append((f"{r['scenario']}: flat memory (peak ≤ RSS before + 2 × body + 32 MiB; the last "
                           f"import's peak within 32 MiB of the first's)",
                           f"peak +{growth:.0f} MiB for {rows[0]['body_mib']:.0f} MiB; peaks "
                           f"{rows[0]['hwm']:.0f} → {rows[-1]['hwm']:.0f} MiB", r["flat"]))
    if look and look["rounds"]:
        rounds = look["rounds"]
        mid = sorted(rounds, key=lambda p: p["rps_ratio"])[len(rounds) // 2]
        p99s = sorted(p["p99_ratio"] for p in rounds)
        out += ["", f"Lookup of a company by id and by external id (`GET /v1/companies/{{id}}`, "
                    f"`GET /v1/companies/external/bench/{{value}}`, anonymous), the same {look['nrows']:,} rows of "
                    f"the CSV import drawn at random, wrk -c{t.connections}, {len(rounds)} pairs of {t.round_s} s "
                    f"rounds (which goes first alternates), then in each round pgbench -c {t.threads} of the "
                    f"statements each sent ({len(look['stmts_id'])} and {len(look['stmts_ext'])}) and of the row "
                    f"(plain SELECT; by external id, through external_ids):", "",
                "| Round | by id req/s | p99 ms | by external id req/s | p99 ms | req/s ext / id | p99 ext / id "
                "| statements tps id / ext | rows tps id / ext |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for i, p in enumerate(rounds, 1):
            out.append(f"| {i} | {p['id']['rps']:.0f} | {p['id']['p99']:.2f} | {p['ext']['rps']:.0f} | "
                       f"{p['ext']['p99']:.2f} | {p['rps_ratio']:.2f} | {p['p99_ratio']:.2f} | "
                       f"{p['stmts_id']:.0f} / {p['stmts_ext']:.0f} | {p['rows_id']:.0f} / {p['rows_ext']:.0f} |")
        med_p99 = statistics.median(p99s)
        out += ["", f"Median pair (by req/s ratio): {mid['rps_ratio']:.2f} "
                    f"({min(p['rps_ratio'] for p in rounds):.2f}–{max(p['rps_ratio'] for p in rounds):.2f}); "
                    f"median p99 ratio {med_p99:.2f} ({p99s[0]:.2f}–{p99s[-1]:.2f}). By id, API / rows: "
                    f"{mid['id']['rps'] / mid['rows_id']:.2f}; by external id: {mid['ext']['rps'] / mid['rows_ext']:.2f}.",
                "", "The external GET's statements: " + "; ".join(f"`{s}`" for s in look["stmts_ext"])]
        checks.append(("Lookup by external id within 10 % of by id: req/s external / id ≥ 0.90 (median pair)",
                       f"{mid['rps_ratio']:.2f}", mid["rps_ratio"] >= 0.90 and look["errors"] == 0))
        checks.append(("Lookup by external id within 10 % of by id: p99 external / id ≤ 1.10 (median pair)",
                       f"{med_p99:.2f}", med_p99 <= 1.10 and look["errors"] == 0))
    return "\n".join(out), checks
