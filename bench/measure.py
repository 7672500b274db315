#!/usr/bin/env python3
"""The measuring half of bench/run (which builds, starts PostgreSQL and calls this).

For each scenario: wrk against a release `grappe serve` on loopback (requests/s, p50, p99,
errors), and for the read scenarios two ceilings, pgbench with as many connections as the
API's database pool, in rounds that alternate with the API's: the statements the API sent
for one such request (captured from PostgreSQL's log with their parameters), and, for items
and lists, a plain SELECT of the same columns of the same rows (ROW_SQL: no JSON, no key
lookup, the least any REST layer must ask PostgreSQL). With --peer, a generic PostgreSQL
REST layer (bench/peer) serves the same company reads in the same rounds. Peak RSS of the
server per scenario (VmHWM, reset between scenarios), start-up time, the NDJSON export of
every company, and the targets of issue 17. Then the webhook scenarios (bench/webhooks.py) and
the bulk imports and lookups by external id (bench/bulk.py), each with servers of its own.
"""
import argparse
import datetime
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
import urllib.error
import urllib.request
from pathlib import Path

import bulk
import webhooks

SCALES = {
    # clusters, companies, projects, events; seconds, wrk connections, rounds of each ratio;
    # changes of the webhook scenarios, lines of each bulk import
    "quick": dict(clusters=20, companies=2000, projects=50, events=100, duration=2, connections=8, rounds=3,
                  hook_changes=100, bulk_lines=2000),
    "national": dict(clusters=400, companies=80000, projects=2000, events=8000, duration=10, connections=64,
                     rounds=5, hook_changes=400, bulk_lines=100000),
    "registry": dict(clusters=400, companies=3000000, projects=2000, events=8000, duration=10, connections=64,
                     rounds=5, hook_changes=400, bulk_lines=100000),
}


class Done(Exception):
    """GRAPPE_BENCH_ONLY: the chosen reads are measured, skip the rest."""


T0 = time.monotonic()


def log(msg):
    print(f"bench: {time.monotonic() - T0:4.0f} s: {msg}", file=sys.stderr, flush=True)


def psql(url, sql):
    cp = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                        capture_output=True, text=True)
    if cp.returncode != 0:
        raise SystemExit(f"bench: psql failed: {cp.stderr}")
    return cp.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, grappe, url, threads, webhook_workers=0):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # No webhook workers unless asked (bench/webhooks.py): their ticker's statements would
        # land in the PostgreSQL log that capture() reads a request's statements from.
        env = dict(os.environ, GRAPPE_DATABASE_URL=url, GRAPPE_PORT=str(self.port), GRAPPE_BIND="127.0.0.1",
                   GRAPPE_THREADS=str(threads), GRAPPE_LOG_LEVEL="warning",
                   GRAPPE_WEBHOOK_WORKERS=str(webhook_workers),
                   # wrk is one address and one key: the limiter runs, but does not refuse
                   GRAPPE_RATE_ANONYMOUS="100000000", GRAPPE_RATE_KEY="100000000")
        self.log = tempfile.NamedTemporaryFile(prefix="grappe-bench-", suffix=".log", delete=False)
        t0 = time.monotonic()
        self.proc = subprocess.Popen([grappe, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        while True:
            try:
                with urllib.request.urlopen(self.base + "/ready", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() - t0 > 30:
                raise SystemExit("bench: grappe serve did not come up:\n" + Path(self.log.name).read_text())
            time.sleep(0.002)
        self.startup_ms = (time.monotonic() - t0) * 1000

    def reset_peak(self):
        Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")

    def peak_rss_mib(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


class Peer:
    """bench/peer: a generic PostgreSQL REST layer (Platformatic DB's sql-mapper and
    sql-openapi on fastify, one Node process) on the same database, with as many database
    connections as Grappe's pool."""

    def __init__(self, peer_dir, url, pool):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=url, PORT=str(self.port), HOST="127.0.0.1", POOL=str(pool),
                   NODE_ENV="production")
        self.log = tempfile.NamedTemporaryFile(prefix="grappe-bench-peer-", suffix=".log", delete=False)
        t0 = time.monotonic()
        self.proc = subprocess.Popen(["node", "server.js"], cwd=peer_dir, env=env, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        line = self.proc.stdout.readline()  # "listening", or nothing if it died
        if line.strip() != "listening":
            self.proc.kill()
            raise SystemExit("bench: the peer did not come up:\n" + Path(self.log.name).read_text())
        self.startup_ms = (time.monotonic() - t0) * 1000

    def reset_peak(self):
        Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")

    def peak_rss_mib(self):
        return Server.peak_rss_mib(self)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def admin_key(grappe, url):
    env = dict(os.environ, GRAPPE_DATABASE_URL=url)
    out = subprocess.run([grappe, "keys", "create", "--role", "admin", "--name", "bench"], env=env,
                         capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1]


LUA_COMMON = r'''
local lines = {}
local counter = 0
local made = 0
-- setup runs in the main state; thread:set makes the global tid of each thread's own state
setup = function(thread)
  made = made + 1
  thread:set("tid", made)
end
init = function(args)
  for line in io.lines(os.getenv("BENCH_LINES")) do lines[#lines + 1] = line end
  math.randomseed(os.time() * 1000 + tid)
end
local function pick() return lines[math.random(#lines)] end
-- BENCH_AUTH: the key of a keyed read (Authorization: Bearer); nil: wrk's own headers
local auth = os.getenv("BENCH_AUTH")
local headers = (auth and auth ~= "") and {["Authorization"] = "Bearer " .. auth} or nil
local prefix = os.getenv("BENCH_PREFIX") or ""
-- wrk --latency prints 50/75/90/99: the 95th too, in microseconds
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\n", latency:percentile(95)))
end
'''

LUA = {
    "get": LUA_COMMON + r'''
request = function() return wrk.format("GET", prefix .. pick(), headers) end
''',
    "fixed": LUA_COMMON + r'''
request = function() return wrk.format("GET", pick(), headers) end
''',
    "upsert": LUA_COMMON + r'''
request = function()
  local siret, name, dep = pick():match("([^\t]+)\t([^\t]+)\t([^\t]+)")
  local body = string.format('{"name":"%s","employees":%d,"department_code":"%s"}', name, math.random(0, 400), dep)
  return wrk.format("PUT", "/v1/companies/siret/" .. siret,
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")}, body)
end
''',
    "register": LUA_COMMON + r'''
request = function()
  counter = counter + 1
  local body = string.format('{"name":"Bench %d","email":"b%d-%d-%d@bench.example"}', counter, tid, counter,
    math.random(1, 1000000000))
  return wrk.format("POST", "/v1/events/" .. pick() .. "/registrations",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")}, body)
end
''',
}


def wrk(server, kind, lines, duration, connections, extra_env=None):
    with tempfile.TemporaryDirectory() as d:
        script = Path(d) / "s.lua"
        script.write_text(LUA[kind])
        data = Path(d) / "lines"
        data.write_text("\n".join(lines) + "\n")
        env = dict(os.environ, BENCH_LINES=str(data), **(extra_env or {}))
        server.reset_peak()
        cp = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency", "-s", str(script),
                             server.base], capture_output=True, text=True, env=env)
    out = cp.stdout
    if cp.returncode != 0:
        raise SystemExit(f"bench: wrk failed: {cp.stderr}{out}")

    def ms(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    p95 = re.search(r"^P95_US (\d+)$", out, re.M)
    return dict(rps=rps, p50=ms(50), p95=int(p95.group(1)) / 1000 if p95 else float("nan"), p99=ms(99),
                errors=errors, rss=server.peak_rss_mib())


# ---- the ceiling: the API's own statements under pgbench ----

def wait_idle(url):
    """Until no other session of the database runs a statement (requests that wrk left
    queued in the server finish after wrk stops): three looks in a row, 0.1 s apart, in one
    session (a psql per look cost more than the wait itself, some 250 times a run)."""
    psql(url, "DO $$ DECLARE quiet int := 0; deadline timestamptz := clock_timestamp() + interval '120 s'; "
              "BEGIN WHILE quiet < 3 AND clock_timestamp() < deadline LOOP "
              "PERFORM pg_stat_clear_snapshot(); "  # pg_stat_activity is otherwise read once a transaction
              "IF EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
              "AND state <> 'idle' AND pid <> pg_backend_pid()) THEN quiet := 0; ELSE quiet := quiet + 1; END IF; "
              "PERFORM pg_sleep(0.1); END LOOP; END $$")


def capture(url, pg_log, server, path, key=None):
    """The statements (with parameters inlined) that one GET of path (with key: as that
    key's caller) sends to PostgreSQL."""
    wait_idle(url)
    psql(url, "ALTER SYSTEM SET log_min_duration_statement = 0")
    psql(url, "ALTER SYSTEM SET log_parameter_max_length = -1")
    psql(url, "SELECT pg_reload_conf()")
    time.sleep(0.3)
    start = Path(pg_log).stat().st_size
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    urllib.request.urlopen(urllib.request.Request(server.base + path, headers=headers), timeout=30).read()
    time.sleep(0.3)
    psql(url, "ALTER SYSTEM RESET log_min_duration_statement")
    psql(url, "ALTER SYSTEM RESET log_parameter_max_length")
    psql(url, "SELECT pg_reload_conf()")
    with open(pg_log, encoding="utf-8", errors="replace") as f:
        f.seek(start)
        text = f.read()
    stmts = []
    # "LOG:  duration: 0.1 ms  execute <unnamed>: SQL" then "DETAIL:  parameters: $1 = '...', ..."
    entries = re.split(r"\n(?=\S[^\n]*LOG:  )", text)
    for e in entries:
        m = re.search(r"LOG:  duration: [\d.]+ ms  (?:execute [^:]*|statement): (.*?)(?:\n\S[^\n]*DETAIL:  parameters: (.*))?$",
                      e, re.S)
        if not m:
            continue
        sql = m.group(1).strip()
        if "pg_reload_conf" in sql or "ALTER SYSTEM" in sql or sql.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SET ")):
            continue
        # the server's own session (src/db/keylisten.c) pings and folds on its own clock,
        # not for the request
        if "pg_notify(" in sql or "grappe_fold_deltas()" in sql or sql.startswith(("LISTEN", "SELECT pg_backend_pid()")):
            continue
        params = {}
        if m.group(2):
            for pm in re.finditer(r"\$(\d+) = (NULL|'(?:[^']|'')*')", m.group(2)):
                params[int(pm.group(1))] = pm.group(2)
        for n in sorted(params, reverse=True):
            sql = sql.replace(f"${n}", params[n])
        stmts.append(sql)
    if not stmts:
        raise SystemExit(f"bench: no statement of GET {path} in {pg_log}")
    return stmts


def pgbench(url, statements, connections, duration, id_table=None, sample_id=None):
    """tps of the statements as one transaction. With id_table, the sampled id in them is
    replaced by a random one of that table, as wrk picks a random one per request."""
    lines = []
    if id_table:
        n = int(psql(url, f"SELECT count(*) FROM {id_table}"))
        lines.append(f"\\set n random(1, {n})")
    for s in statements:
        if id_table:
            s = s.replace(f"'{sample_id}'", f"(SELECT id FROM {id_table} WHERE n = :n)")
        lines.append(s.replace("\n", " ") + ";")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write("\n".join(lines) + "\n")
    cp = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", str(connections), "-j", "2", "-T", str(duration),
                         "-f", f.name, url], capture_output=True, text=True)
    os.unlink(f.name)
    if cp.returncode != 0:
        raise SystemExit(f"bench: pgbench failed: {cp.stderr}\n{cp.stdout}")
    return float(re.search(r"tps = ([\d.]+)", cp.stdout).group(1))


# The latency targets of issue 7, swept by number of callers for the scenarios marked sweep.
LIST_TARGET = ("p99 < 10 ms", 99, 10.0)
SEARCH_TARGET = ("p95 < 50 ms", 95, 50.0)
SWEEP_CALLERS = (1, 2, 4, 8, 16)

# The row ceilings: the same columns of the same rows as the API returns, in a plain SELECT
# (PostgreSQL sends them in its text form, builds no JSON and checks no key). Written out by
# hand from the field tables (src/resources/companies.c, clusters.c); main() warns when the
# statements the API sends read a column these do not (update them then). {id} is the item's
# id: pgbench draws it at random from bench_<table>, as wrk does. A list's limit is what the
# API returns (it asks for one row more, to know whether a next page exists).
COMPANY_COLS = ("t.id, t.name, t.legal_name, t.siren, t.siret, t.naf_code, t.employees, t.size, t.founded_on, "
                "t.website, t.email, t.phone, t.address, t.department_code, t.region_code, t.location, "
                "t.description, t.current_clusters, t.version, t.created_at, t.updated_at")
# member_count and jobs are kept as deltas beside the row (cluster_totals, migration 0020):
# the least a read can do is sum them, as the API does.
CLUSTER_COLS = ("t.id, t.name, t.acronym, t.kind, t.description, t.sectors, t.siren, t.founded_on, t.website, "
                "t.email, t.phone, t.address, t.region_codes, t.department_codes, t.location, t.staff_fte, "
                "t.maturity, t.status, t.labels, t.version, t.created_at, t.updated_at, "
                "(SELECT sum(k.members) FROM cluster_totals k WHERE k.cluster_id = t.id), "
                "(SELECT sum(k.jobs) FROM cluster_totals k WHERE k.cluster_id = t.id)")
ROW_SQL = {
    "cluster": f"SELECT {CLUSTER_COLS} FROM clusters t WHERE t.id = {{id}}",
    "company": f"SELECT {COMPANY_COLS} FROM companies t WHERE t.id = {{id}}",
    "companies of a region": f"SELECT {COMPANY_COLS} FROM companies t WHERE t.region_code = '84' AND t.size = 'pme' "
                             "ORDER BY t.name, t.id LIMIT 50",
    "clusters": f"SELECT {CLUSTER_COLS} FROM clusters t ORDER BY t.name, t.id LIMIT 50",
}
# The peer's routes for the same reads (bench/peer/server.js): prefix or path.
PEER_COMPANY = "/companies/"
PEER_LIST = "/companies?where.regionCode.eq=84&where.size.eq=pme&orderby.name=asc&orderby.id=asc&limit=50"


def row_columns(sql):
    """The columns of the row (t.<name>) that a statement reads; xmin, the row version's tag
    that a list reads to take its rows from the row cache (include/rowcache.h), is not one."""
    return set(re.findall(r"\bt\.([a-z_]+)\b", sql)) - {"xmin"}


def pct(v, lo, hi):
    """A ratio and its range as percentages."""
    return f"{100 * v:.0f} % ({100 * lo:.0f}–{100 * hi:.0f})"


def median_of(pairs):
    """(median, its companion value, lowest, highest) of (ratio, value) pairs."""
    pairs = sorted(pairs)
    return pairs[len(pairs) // 2] + (pairs[0][0], pairs[-1][0])


def main():
    t_start = time.monotonic()
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=SCALES, default="national")
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--grappe", required=True)
    ap.add_argument("--pg-log", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--peer", help="bench/peer, installed (npm ci): measure it beside Grappe")
    ap.add_argument("--webhooks-only", action="store_true", help="only the webhook scenarios (bench/webhooks.py)")
    ap.add_argument("--bulk-only", action="store_true", help="only the bulk import scenarios (bench/bulk.py)")
    a = ap.parse_args()
    sc = SCALES[a.scale]
    duration = int(os.environ.get("GRAPPE_BENCH_DURATION", sc["duration"]))
    connections = int(os.environ.get("GRAPPE_BENCH_CONNECTIONS", sc["connections"]))
    threads = int(os.environ.get("GRAPPE_THREADS", 8))
    round_s = max(1, duration // 3)
    # Rounds of (Grappe, the peer, pgbench of the statements, pgbench of the rows) for each
    # read scenario's ratios.
    rounds = int(os.environ.get("GRAPPE_BENCH_ROUNDS", sc["rounds"]))
    # One database per scale, kept between runs.
    base = a.database_url.rsplit("/", 1)[0]
    dbname = f"bench_{a.scale}"
    url = f"{base}/{dbname}"
    if psql(a.database_url, f"SELECT count(*) FROM pg_database WHERE datname = '{dbname}'") == "0":
        psql(a.database_url, f"CREATE DATABASE {dbname}")
    env = dict(os.environ, GRAPPE_DATABASE_URL=url)
    subprocess.run([a.grappe, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    have = int(psql(url, "SELECT count(*) FROM companies"))
    if have < sc["companies"]:
        log(f"seeding {dbname} (once; it is kept in the bench directory)")
        t0 = time.monotonic()
        subprocess.run([a.grappe, "seed", "--clusters", str(sc["clusters"]), "--companies", str(sc["companies"]),
                        "--projects", str(sc["projects"]), "--events", str(sc["events"]), "--random-seed", "2026"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        t_start += time.monotonic() - t0  # the run's time is the measuring's
        log(f"seeded in {time.monotonic() - t0:.0f} s")
    psql(url, "VACUUM ANALYZE")
    # Ids for wrk (lines) and for pgbench (tables with a dense integer key).
    for res in ("clusters", "companies"):
        psql(url, f"DROP TABLE IF EXISTS bench_{res}; CREATE TABLE bench_{res} AS "
                  f"SELECT row_number() OVER (ORDER BY id)::int AS n, id FROM {res}; "
                  f"ALTER TABLE bench_{res} ADD PRIMARY KEY (n)")
    cluster_ids = psql(url, "SELECT id FROM bench_clusters").split()
    company_ids = psql(url, "SELECT id FROM companies ORDER BY random() LIMIT 20000").split()
    key = admin_key(a.grappe, url)
    # what bench/bulk.py measures with
    tools = types.SimpleNamespace(Server=Server, grappe=a.grappe, url=url, pg_log=a.pg_log, psql=psql, log=log,
                                  wrk=wrk, pgbench=pgbench, capture=capture, wait_idle=wait_idle, threads=threads,
                                  connections=connections, round_s=round_s, rounds=rounds,
                                  row_sql=ROW_SQL["company"])

    if a.webhooks_only:
        return webhooks_only(a, sc, url, t_start)
    if a.bulk_only:
        return bulk_only(a, sc, tools, t_start)
    srv = Server(a.grappe, url, threads)
    log(f"grappe serve ready in {srv.startup_ms:.0f} ms (port {srv.port}, {threads} threads)")
    peer = None
    if a.peer:
        try:
            peer = Peer(a.peer, url, threads)
        except SystemExit:
            srv.stop()
            raise
        log(f"the peer (bench/peer) ready in {peer.startup_ms:.0f} ms (port {peer.port}, "
            f"{threads} database connections)")
    rows, sweep = [], []
    try:
        company_get = dict(kind="get", lines=company_ids, extra={"BENCH_PREFIX": "/v1/companies/"})
        keyed = {"BENCH_AUTH": key}
        list_path = "/v1/companies?region=84&size=pme&limit=50"
        reads = [
            dict(name="Item GET: cluster", kind="get", lines=cluster_ids, extra={"BENCH_PREFIX": "/v1/clusters/"},
                 id_table="bench_clusters", row="cluster", companion=company_get),
            dict(name="Item GET: company", **company_get, id_table="bench_companies", row="company",
                 peer=dict(kind="get", lines=company_ids, extra={"BENCH_PREFIX": PEER_COMPANY})),
            dict(name="Item GET: company, admin key", kind="get", lines=company_ids,
                 extra={"BENCH_PREFIX": "/v1/companies/", **keyed}, id_table="bench_companies", row="company",
                 peer=dict(kind="get", lines=company_ids, extra={"BENCH_PREFIX": PEER_COMPANY, **keyed}), some=False),
            dict(name="List: companies by region and size, 50 a page", kind="fixed", lines=[list_path],
                 extra={}, row="companies of a region", sweep=LIST_TARGET,
                 peer=dict(kind="fixed", lines=[PEER_LIST], extra={})),
            dict(name="List: companies by region and size, 50 a page, admin key", kind="fixed", lines=[list_path],
                 extra=dict(keyed), row="companies of a region",
                 peer=dict(kind="fixed", lines=[PEER_LIST], extra=dict(keyed)), some=False),
            dict(name="List: clusters, 50 a page", kind="fixed", lines=["/v1/clusters?limit=50"], extra={},
                 row="clusters"),
            dict(name="Search: q=mecanique", kind="fixed", lines=["/v1/search?q=mecanique"], extra={},
                 sweep=SEARCH_TARGET),
            dict(name="Search as you type: q=plast", kind="fixed", lines=["/v1/search?q=plast"], extra={},
                 sweep=SEARCH_TARGET),
            dict(name="Stats", kind="fixed", lines=["/v1/stats"], extra={}),
            dict(name="Benchmark of one year", kind="fixed", lines=["/v1/benchmark"], extra={}),
        ]
        if a.scale == "registry":
            # The seed gives every company memberships (3.4 million at this scale, where the
            # real network has some 100,000): the benchmark's SME share, a join of every
            # membership of a peer group, is measured at the national scale only.
            reads = [x for x in reads if not x["name"].startswith("Benchmark")]
        only = re.compile(os.environ.get("GRAPPE_BENCH_ONLY", ""), re.I)
        reads = [x for x in reads if only.search(x["name"])]
        for sc_ in reads:
            name, kind, lines, extra = sc_["name"], sc_["kind"], sc_["lines"], sc_["extra"]
            id_table = sc_.get("id_table")
            try:
                wait_idle(url)
                log(f"{name}: wrk {duration} s, {connections} connections")
                r = wrk(srv, kind, lines, duration, connections, extra)
                wait_idle(url)
                alone = wrk(srv, kind, lines, max(2, duration // 2), 1, extra)
                r["p50_1"], r["p99_1"] = alone["p50"], alone["p99"]
                r["errors"] += alone["errors"]
                # as many callers as workers: latency without queueing behind the workers
                # (once per request: not again for its keyed twin)
                if sc_.get("some", True):
                    wait_idle(url)
                    some = wrk(srv, kind, lines, max(2, duration // 2), threads, extra)
                    r["p95_w"], r["p99_w"] = some["p95"], some["p99"]
                    r["errors"] += some["errors"]
                path = extra.get("BENCH_PREFIX", "") + lines[0]
                stmts = capture(url, a.pg_log, srv, path, extra.get("BENCH_AUTH"))
                sample = lines[0] if id_table else None
                row_sql = None
                if sc_.get("row"):
                    row_sql = ROW_SQL[sc_["row"]].format(id=f"'{sample}'::uuid")
                    missing = set().union(*map(row_columns, stmts)) - row_columns(row_sql)
                    if missing:
                        log(f"{name}: the API reads {', '.join(sorted(missing))}, which ROW_SQL['{sc_['row']}'] "
                            f"does not: update it")
                peer_sc = sc_.get("peer") if peer else None
                if peer_sc:
                    # Node compiles its hot paths as they run: warm it as Grappe's runs above
                    # warmed the server's caches (not reported)
                    wait_idle(url)
                    warm = wrk(peer, peer_sc["kind"], peer_sc["lines"], max(5, duration // 2), connections,
                               peer_sc["extra"])
                    log(f"{name}: the peer warmed up: {warm['rps']:.0f} req/s")
                companion = sc_.get("companion")
                # The ratios from rounds that alternate the API, the peer and pgbench, each
                # round's runs a few seconds apart: on a shared (virtual) machine the
                # throughput of all drifts by a quarter from one minute to the next, and a
                # ceiling measured a minute after the API would judge the machine, not the API.
                log(f"{name}: {rounds} round(s) of wrk{' then the peer' if peer_sc else ''} then pgbench of "
                    f"{len(stmts)} statement(s){' then of the rows' if row_sql else ''}, "
                    f"{connections} and {threads} connections")
                pairs, row_pairs, peer_pairs, comp_pairs = [], [], [], []
                for _ in range(rounds):
                    wait_idle(url)
                    api = wrk(srv, kind, lines, round_s, connections, extra)
                    r["errors"] += api["errors"]
                    msg = f"{name}: {api['rps']:.0f} req/s"
                    if peer_sc:
                        wait_idle(url)
                        pr = wrk(peer, peer_sc["kind"], peer_sc["lines"], round_s, connections, peer_sc["extra"])
                        r["peer_errors"] = r.get("peer_errors", 0) + pr["errors"]
                        peer_pairs.append((api["rps"] / pr["rps"], pr["rps"]))
                        msg += f", peer {pr['rps']:.0f} req/s"
                    wait_idle(url)
                    tps = pgbench(url, stmts, threads, round_s, id_table, sample)
                    pairs.append((api["rps"] / tps, tps))
                    msg += f", pgbench {tps:.0f} tps: {100 * pairs[-1][0]:.0f} %"
                    if row_sql:
                        wait_idle(url)
                        rtps = pgbench(url, [row_sql], threads, round_s, id_table, sample)
                        row_pairs.append((api["rps"] / rtps, rtps))
                        msg += f", rows {rtps:.0f} tps: {100 * row_pairs[-1][0]:.0f} %"
                    if companion:
                        wait_idle(url)
                        cr = wrk(srv, companion["kind"], companion["lines"], round_s, connections, companion["extra"])
                        r["errors"] += cr["errors"]
                        comp_pairs.append((api["rps"] / cr["rps"], cr["rps"]))
                        msg += f", company GET {cr['rps']:.0f} req/s"
                    log(msg)
                r["ratio"], r["ceiling"], *r["ratio_range"] = median_of(pairs)
                if row_pairs:
                    r["row_ratio"], r["row_ceiling"], *r["row_range"] = median_of(row_pairs)
                if peer_pairs:
                    r["peer_ratio"], r["peer_rps"], *r["peer_range"] = median_of(peer_pairs)
                if comp_pairs:
                    r["companion_ratio"], _, *r["companion_range"] = median_of(comp_pairs)
                r["name"] = name
                rows.append(r)
            except (SystemExit, urllib.error.URLError) as e:  # one scenario failing loses not the others
                log(f"{name}: failed: {e}")
                nan = float("nan")
                rows.append(dict(name=f"{name} (failed: {str(e)[:60]})", rps=nan, p50=nan, p99=nan, errors=1, rss=nan))

        # The latency targets of issue 7 by number of concurrent callers: on a machine whose
        # cores wrk, the server and PostgreSQL share, a target holds up to some number of
        # callers, beyond which requests wait in line for a core.
        for sc_ in reads:
            if not sc_.get("sweep"):
                continue
            name = sc_["name"]
            for callers in SWEEP_CALLERS:
                wait_idle(url)
                r = wrk(srv, sc_["kind"], sc_["lines"], max(2, duration // 2), callers, sc_["extra"])
                sweep.append(dict(name=name, target=sc_["sweep"], callers=callers, **r))
            log(f"{name}: latency by callers: " + ", ".join(
                f"{x['callers']}: p95 {x['p95']:.1f} p99 {x['p99']:.1f}" for x in sweep if x["name"] == name))

        # 256 connections: memory
        if os.environ.get("GRAPPE_BENCH_ONLY"):
            raise Done()
        wait_idle(url)
        log("256 connections on item GETs (memory)")
        r = wrk(srv, "get", company_ids, duration, 256, {"BENCH_PREFIX": "/v1/companies/"})
        r["name"] = "Item GET: company, 256 connections"
        rows.append(r)
        # 100 callers waiting on the change feed (issue 18): they hold no worker thread
        log(f"Item GET with and without {LONG_POLLS} long polls of the change feed open")
        alone, polled, ratio, lo, hi = long_poll_rounds(srv, url, key, company_ids, {"BENCH_PREFIX": "/v1/companies/"},
                                                        max(3, duration // 2), connections)
        polled["name"] = f"Item GET: company, {LONG_POLLS} long polls open"
        polled["long_poll"] = dict(alone_p99=alone["p99"], alone_p50=alone["p50"], alone_rps=alone["rps"],
                                   ratio=ratio, lo=lo, hi=hi)
        rows.append(polled)
        # NDJSON export of every company, on the settled database: right after the writes
        # below, PostgreSQL would also be pruning the pages the upserts left (2.08 s instead
        # of 1.3 to 1.8 s at the national scale)
        wait_idle(url)
        srv.reset_peak()
        t0 = time.monotonic()
        n = 0
        with urllib.request.urlopen(srv.base + "/v1/companies?format=ndjson", timeout=600) as resp:
            for _ in resp:
                n += 1
        export_s = time.monotonic() - t0
        export_rss = srv.peak_rss_mib()
        # Writes (after the reads: they change the data)
        upserts = psql(url, "SELECT siret || E'\\t' || name || E'\\t' || department_code FROM companies "
                            "WHERE siret IS NOT NULL AND department_code IS NOT NULL ORDER BY random() LIMIT 20000").splitlines()
        wait_idle(url)
        log("Upsert by SIRET")
        r = wrk(srv, "upsert", upserts, duration, connections, {"BENCH_KEY": key})
        r["name"] = "Upsert: PUT /v1/companies/siret/{siret}"
        rows.append(r)
        events = psql(url, "SELECT id FROM events WHERE status = 'scheduled' AND starts_at > now() + interval '1 day' "
                           "AND (capacity IS NULL) AND (registration_closes_at IS NULL OR registration_closes_at > now() "
                           "+ interval '1 day')").split()
        log(f"Registration ({len(events)} open events without a capacity limit)")
        r = wrk(srv, "register", events, duration, connections, {"BENCH_KEY": key})
        r["name"] = "Registration: POST /v1/events/{id}/registrations"
        rows.append(r)
    except Done:
        n, export_s, export_rss = 0, float("nan"), float("nan")
    finally:
        srv.stop()
        if peer:
            peer.stop()
    # Webhooks, with servers of their own (after the others stopped: their workers would
    # share the deliveries)
    hook_lines, hook_targets = ([], []) if os.environ.get("GRAPPE_BENCH_ONLY") else \
        webhooks.run(Server, a.grappe, url, psql, log, free_port, sc["hook_changes"])
    # Bulk imports and lookups by external id (servers of their own too)
    bulk_md, bulk_targets, bulk_failures = ("", [], 0) if os.environ.get("GRAPPE_BENCH_ONLY") else \
        bulk.run(tools, sc["bulk_lines"])

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    mem = int(next(l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))) // 1024
    pgv = psql(url, "SHOW server_version")
    flags = "".join(f" --{x}" for x in ([a.scale] if a.scale != "national" else []) + (["peer"] if peer else []))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() if peer else ""
    out = [f"## bench/run{flags}: {when}", "",
           f"Machine: {os.cpu_count()} × {cpu}, {mem // 1024} GiB; Linux {platform.release()}; PostgreSQL {pgv}. "
           f"Data: {sc['clusters']} clusters, {sc['companies']:,} companies, {sc['projects']:,} projects, "
           f"{sc['events']:,} events. wrk -t2 -c{connections} -d{duration}s on loopback; grappe serve with "
           f"{threads} threads and {threads} database connections; pgbench -M prepared -c {threads} -j 2. "
           f"Two ceilings: pgbench running the API's own statements (captured from PostgreSQL's log), and "
           f"pgbench fetching the same columns of the same rows in a plain SELECT (no JSON, no key lookup; "
           f"items and lists only). Each ratio is the median of {rounds} rounds of wrk ({round_s} s)"
           f"{', then the peer' if peer else ''}, then pgbench of the statements, then of the rows "
           f"({round_s} s each), each round's API req/s over its own tps (the lowest and highest round in "
           f"brackets); the tps shown are the median round's.", ""]
    if peer:
        out += [f"Peer: a generic PostgreSQL REST layer, Platformatic DB's @platformatic/sql-mapper and "
                f"@platformatic/sql-openapi on fastify (bench/peer, one Node {node} process, {threads} database "
                f"connections), same wrk settings, same database, in the same rounds: GET {PEER_COMPANY}{{id}} "
                f"and GET {PEER_LIST}; with a key, a fastify hook looks its SHA-256 up in api_keys on every "
                f"request (as Grappe without a key cache). Grappe / peer is the median round's ratio.", ""]
    head = ["Scenario", "req/s", "p50 ms", "p99 ms", "errors", "peak RSS MiB", "statements tps", "API / statements",
            "rows tps", "API / rows"]
    if peer:
        head += ["peer req/s", "Grappe / peer"]
    head += ["p50 / p99 ms, 1 connection", f"p95 / p99 ms, {threads} connections"]
    out += ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for r in rows:
        cells = [r["name"], f"{r['rps']:.0f}", f"{r['p50']:.2f}", f"{r['p99']:.2f}", str(r["errors"]),
                 f"{r['rss']:.1f}"]
        cells += [f"{r['ceiling']:.0f}", pct(r["ratio"], *r["ratio_range"])] if "ceiling" in r else ["–", "–"]
        cells += ([f"{r['row_ceiling']:.0f}", pct(r["row_ratio"], *r["row_range"])] if "row_ceiling" in r
                  else ["–", "–"])
        if peer:
            errs = f" ({r['peer_errors']} errors)" if r.get("peer_errors") else ""
            lo, hi = r.get("peer_range", (0, 0))
            cells += ([f"{r['peer_rps']:.0f}{errs}", f"{r['peer_ratio']:.2f} ({lo:.2f}–{hi:.2f})"]
                      if "peer_rps" in r else ["–", "–"])
        cells.append(f"{r['p50_1']:.2f} / {r['p99_1']:.2f}" if "p50_1" in r else "–")
        cells.append(f"{r['p95_w']:.2f} / {r['p99_w']:.2f}" if "p95_w" in r else "–")
        out.append("| " + " | ".join(cells) + " |")
    if sweep:
        out += ["", "Latency by number of concurrent callers (wrk -t1 or -t2, one request at a time per "
                    "connection), against the targets of issue 7:", "",
                "| Scenario | target | callers | req/s | p50 ms | p95 ms | p99 ms | target met |",
                "|---|---|---:|---:|---:|---:|---:|---|"]
        for x in sweep:
            label, pctl, limit = x["target"]
            val = x["p95"] if pctl == 95 else x["p99"]
            out.append(f"| {x['name']} | {label} | {x['callers']} | {x['rps']:.0f} | {x['p50']:.2f} | {x['p95']:.2f} | "
                       f"{x['p99']:.2f} | {'yes' if val < limit else 'no'} |")
    lp = next((r for r in rows if "long_poll" in r), None)
    if lp:
        x = lp["long_poll"]
        out += ["", f"Item GET (company, {connections} connections) with {LONG_POLLS} long polls of the change feed "
                    f"open (`wait=60`, parked): p99 {lp['p99']:.2f} ms, p50 {lp['p50']:.2f} ms, {lp['rps']:.0f} req/s; "
                    f"without them, in the round before: p99 {x['alone_p99']:.2f} ms, p50 {x['alone_p50']:.2f} ms, "
                    f"{x['alone_rps']:.0f} req/s. p99 with / without: {x['ratio']:.2f} (median of 3 pairs of rounds; "
                    f"{x['lo']:.2f}–{x['hi']:.2f})."]
    out += ["", targets(rows, a.scale, peer is not None)]
    if hook_targets:
        out += ["", webhook_report(hook_lines, hook_targets, a.scale)]
    if bulk_targets:
        out += ["", bulk_report(bulk_md, bulk_targets, a.scale)]
    elapsed = time.monotonic() - t_start
    out += ["", f"NDJSON export of {n:,} companies: {export_s:.2f} s, peak RSS {export_rss:.1f} MiB. "
                f"Start-up (exec to /ready answering 200): {srv.startup_ms:.0f} ms. "
                f"Measured in {elapsed / 60:.1f} min (seeding excluded).", ""]
    report = "\n".join(out)
    Path(a.out).write_text(report)
    print(report)
    errors = sum(r["errors"] + r.get("peer_errors", 0) for r in rows) + sum(x["errors"] for x in sweep) \
        + bulk_failures
    if errors:
        log(f"{errors} errors")
        return 1
    return 0


def webhook_report(lines, checks, scale):
    scale_note = "" if scale == "national" else f" (this run: --{scale})"
    out = ["### Webhooks (issue 18)" + scale_note, "",
           "A release `grappe serve` with the default GRAPPE_WEBHOOK_WORKERS (4) delivers to the Node.js "
           "receiver of the tests (tests/http/webhook_receiver.js: every delivery verified with the npm "
           "`standardwebhooks` library), on loopback, each attempt a new connection (Ulfius's client).", ""]
    out += [f"- {x}" for x in lines]
    out += ["", "| Target | measured | met |", "|---|---:|---|"]
    out += [f"| {label} | {value} | {'yes' if ok else 'no'} |" for label, value, ok in checks]
    return "\n".join(out)


def webhooks_only(a, sc, url, t_start):
    lines, checks = webhooks.run(Server, a.grappe, url, psql, log, free_port, sc["hook_changes"])
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    report = "\n".join([f"## bench/run --webhooks{'' if a.scale == 'national' else ' --' + a.scale}: {when}", "",
                        f"Machine: {os.cpu_count()} × {cpu}; PostgreSQL {psql(url, 'SHOW server_version')}.", "",
                        webhook_report(lines, checks, a.scale), "",
                        f"Measured in {(time.monotonic() - t_start) / 60:.1f} min.", ""])
    Path(a.out).write_text(report)
    print(report)
    return 0 if all(ok for _, _, ok in checks) else 1


def bulk_report(md, checks, scale):
    scale_note = "" if scale == "national" else f" (this run: --{scale}; the targets are set for 100,000 lines)"
    out = ["### Bulk imports and lookups by external id (issue 19)" + scale_note, "", md, "",
           "| Target | measured | met |", "|---|---:|---|"]
    out += [f"| {label} | {value} | {'yes' if ok else 'no'} |" for label, value, ok in checks]
    return "\n".join(out)


def bulk_only(a, sc, tools, t_start):
    md, checks, failures = bulk.run(tools, sc["bulk_lines"])
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    mem = int(next(l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))) // 1024
    report = "\n".join([f"## bench/run --bulk{'' if a.scale == 'national' else ' --' + a.scale}: {when}", "",
                        f"Machine: {os.cpu_count()} × {cpu}, {mem // 1024} GiB; Linux {platform.release()}; "
                        f"PostgreSQL {psql(tools.url, 'SHOW server_version')}. Data: {sc['clusters']} clusters, "
                        f"{sc['companies']:,} companies.", "",
                        bulk_report(md, checks, a.scale), "",
                        f"Measured in {(time.monotonic() - t_start) / 60:.1f} min.", ""])
    Path(a.out).write_text(report)
    print(report)
    # errors fail the run (not speed: --quick runs in CI, where no timing is judged)
    return 1 if failures else 0


LONG_POLLS = 100
NOBODY = "00000000-0000-4000-8000-000000000000"  # a cluster no change concerns: polls never end


def open_long_polls(srv, key, n):
    """n connections waiting on the change feed (wait=60, narrowed to a cluster that no change
    concerns), as raw sockets; the server's /metrics says when all of them are parked."""
    req = urllib.request.Request(srv.base + "/v1/changes?since=now", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        head = re.search(r'"next":"([^"]+)"', resp.read().decode()).group(1)
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=90)
        s.sendall(f"GET /v1/changes?since={head}&wait=60&cluster={NOBODY} HTTP/1.1\r\nHost: bench\r\n"
                  f"Authorization: Bearer {key}\r\n\r\n".encode())
        socks.append(s)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        req = urllib.request.Request(srv.base + "/metrics", headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            m = re.search(r"^grappe_changes_waiting (\d+)", resp.read().decode(), re.M)
        if m and int(m.group(1)) >= n:
            return socks
        time.sleep(0.1)
    for s in socks:
        s.close()
    raise RuntimeError(f"{n} long polls did not all wait")


def long_poll_rounds(srv, url, key, lines, extra, duration, connections, rounds=3):
    """Item GETs alone, then with LONG_POLLS long polls open, in alternating rounds: the
    median round's p50, p99 and req/s of each, and the p99 ratio of each pair of rounds."""
    alone, polled, ratios = [], [], []
    for _ in range(rounds):
        wait_idle(url)
        a = wrk(srv, "get", lines, duration, connections, extra)
        socks = open_long_polls(srv, key, LONG_POLLS)
        try:
            wait_idle(url)
            b = wrk(srv, "get", lines, duration, connections, extra)
        finally:
            for s in socks:
                s.close()
        alone.append(a)
        polled.append(b)
        ratios.append(b["p99"] / a["p99"] if a["p99"] else float("nan"))
    mid = sorted(range(rounds), key=lambda i: ratios[i])[rounds // 2]
    return alone[mid], polled[mid], ratios[mid], min(ratios), max(ratios)


def targets(rows, scale, with_peer):
    """The table of issue 17's targets: each, the value measured in this run, met or not."""
    by = {r["name"]: r for r in rows}

    def get(name, field):
        v = by.get(name, {}).get(field)
        return None if v is None or v != v else v  # absent, or NaN (a failed scenario)

    key_get, key_list = "Item GET: company, admin key", "List: companies by region and size, 50 a page, admin key"
    checks = [
        ("Company GET with a key ≥ 0.5 of the row ceiling", get(key_get, "row_ratio"), lambda v: v >= 0.5,
         lambda v: f"{v:.2f}"),
        ("Company GET with a key ≥ 3.5 × the peer", get(key_get, "peer_ratio") if with_peer else None,
         lambda v: v >= 3.5, lambda v: f"{v:.2f} ×"),
        ("Company list of 50 with a key ≥ 0.5 of its row ceiling", get(key_list, "row_ratio"), lambda v: v >= 0.5,
         lambda v: f"{v:.2f}"),
        ("`GET /v1/clusters?limit=50` p50 < 2 ms, 1 caller", get("List: clusters, 50 a page", "p50_1"),
         lambda v: v < 2.0, lambda v: f"{v:.2f} ms"),
        ("Cluster GET within 25 % of company GET throughput (cluster / company req/s, paired rounds, ≥ 0.75)",
         get("Item GET: cluster", "companion_ratio"), lambda v: v >= 0.75, lambda v: f"{v:.2f}"),
        ("`GET /v1/benchmark` p50 < 20 ms, 1 caller", get("Benchmark of one year", "p50_1"), lambda v: v < 20.0,
         lambda v: f"{v:.2f} ms"),
    ]
    scale_note = "" if scale == "national" else f" (this run: --{scale}; the targets are set for the national scale)"
    out = [f"Targets of issue 17{scale_note}:", "", "| Target | measured | met |", "|---|---:|---|"]
    for label, value, ok, fmt in checks:
        if value is None:
            why = "not measured: run with --peer" if "peer" in label and not with_peer else "not measured"
            out.append(f"| {label} | – | {why} |")
        else:
            out.append(f"| {label} | {fmt(value)} | {'yes' if ok(value) else 'no'} |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
