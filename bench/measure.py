#!/usr/bin/env python3
"""The measuring half of bench/run (which builds, starts PostgreSQL and calls this).

For each scenario: wrk against a release `grappe serve` on loopback (requests/s, p50, p99,
errors), and for the read scenarios the ceiling: pgbench running the statements the API sent
for one such request (captured from PostgreSQL's log with their parameters) with as many
connections as the API's database pool, in rounds that alternate with the API's. Peak RSS
of the server per scenario (VmHWM, reset between scenarios), start-up time, and the NDJSON
export of every company.
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
import urllib.error
import urllib.request
from pathlib import Path

SCALES = {
    # clusters, companies, projects, events; seconds, wrk connections
    "quick": dict(clusters=20, companies=2000, projects=50, events=100, duration=2, connections=8),
    "national": dict(clusters=400, companies=80000, projects=2000, events=8000, duration=10, connections=64),
    "registry": dict(clusters=400, companies=3000000, projects=2000, events=8000, duration=10, connections=64),
}


class Done(Exception):
    """GRAPPE_BENCH_ONLY: the chosen reads are measured, skip the rest."""


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


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
    def __init__(self, grappe, url, threads):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, GRAPPE_DATABASE_URL=url, GRAPPE_PORT=str(self.port), GRAPPE_BIND="127.0.0.1",
                   GRAPPE_THREADS=str(threads), GRAPPE_LOG_LEVEL="warning",
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
-- wrk --latency prints 50/75/90/99: the 95th too, in microseconds
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\n", latency:percentile(95)))
end
'''

LUA = {
    "get": LUA_COMMON + r'''
request = function() return wrk.format("GET", os.getenv("BENCH_PREFIX") .. pick()) end
''',
    "fixed": LUA_COMMON + r'''
request = function() return wrk.format("GET", pick()) end
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
    queued in the server finish after wrk stops)."""
    quiet = 0
    deadline = time.monotonic() + 120
    while quiet < 3 and time.monotonic() < deadline:
        busy = psql(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND state <> 'idle' AND pid <> pg_backend_pid()")
        quiet = quiet + 1 if busy == "0" else 0
        time.sleep(0.1)


def capture(url, pg_log, server, path):
    """The statements (with parameters inlined) that one GET of path sends to PostgreSQL."""
    wait_idle(url)
    psql(url, "ALTER SYSTEM SET log_min_duration_statement = 0")
    psql(url, "ALTER SYSTEM SET log_parameter_max_length = -1")
    psql(url, "SELECT pg_reload_conf()")
    time.sleep(0.3)
    start = Path(pg_log).stat().st_size
    urllib.request.urlopen(server.base + path, timeout=30).read()
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


# Scenario name prefix -> (label, percentile, limit in ms): the latency targets of issue 7.
LATENCY_TARGETS = [("List:", ("p99 < 10 ms", 99, 10.0)), ("Search", ("p95 < 50 ms", 95, 50.0))]
SWEEP_CALLERS = (1, 2, 4, 8, 16)
# Rounds of (wrk, then pgbench) for each read scenario's ratio to its ceiling.
PAIRED_ROUNDS = 5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=SCALES, default="national")
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--grappe", required=True)
    ap.add_argument("--pg-log", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    sc = SCALES[a.scale]
    duration = int(os.environ.get("GRAPPE_BENCH_DURATION", sc["duration"]))
    connections = int(os.environ.get("GRAPPE_BENCH_CONNECTIONS", sc["connections"]))
    threads = int(os.environ.get("GRAPPE_THREADS", 8))
    round_s = max(1, duration // 3)

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

    srv = Server(a.grappe, url, threads)
    log(f"grappe serve ready in {srv.startup_ms:.0f} ms (port {srv.port}, {threads} threads)")
    rows, sweep = [], []
    try:
        reads = [
            ("Item GET: cluster", "get", cluster_ids, {"BENCH_PREFIX": "/v1/clusters/"}, "bench_clusters"),
            ("Item GET: company", "get", company_ids, {"BENCH_PREFIX": "/v1/companies/"}, "bench_companies"),
            ("List: companies by region and size, 50 a page", "fixed", ["/v1/companies?region=84&size=pme&limit=50"],
             {}, None),
            ("Search: q=mecanique", "fixed", ["/v1/search?q=mecanique"], {}, None),
            ("Search as you type: q=plast", "fixed", ["/v1/search?q=plast"], {}, None),
            ("Stats", "fixed", ["/v1/stats"], {}, None),
            ("Benchmark of one year", "fixed", ["/v1/benchmark"], {}, None),
        ]
        if a.scale == "registry":
            # The seed gives every company memberships (3.4 million at this scale, where the
            # real network has some 100,000): the benchmark's SME share, a join of every
            # membership of a peer group, is measured at the national scale only.
            reads = [x for x in reads if not x[0].startswith("Benchmark")]
        only = re.compile(os.environ.get("GRAPPE_BENCH_ONLY", ""), re.I)
        reads = [x for x in reads if only.search(x[0])]
        for name, kind, lines, extra, id_table in reads:
            try:
                wait_idle(url)
                log(f"{name}: wrk {duration} s, {connections} connections")
                r = wrk(srv, kind, lines, duration, connections, extra)
                wait_idle(url)
                alone = wrk(srv, kind, lines, max(2, duration // 2), 1, extra)
                r["p50_1"], r["p99_1"] = alone["p50"], alone["p99"]
                r["errors"] += alone["errors"]
                # as many callers as workers: latency without queueing behind the workers
                wait_idle(url)
                some = wrk(srv, kind, lines, max(2, duration // 2), threads, extra)
                r["p95_w"], r["p99_w"] = some["p95"], some["p99"]
                r["errors"] += some["errors"]
                path = (extra.get("BENCH_PREFIX", "") + lines[0])
                stmts = capture(url, a.pg_log, srv, path)
                # The ratio from rounds that alternate the API and pgbench, each round's
                # pair a few seconds apart: on a shared (virtual) machine the throughput of
                # both drifts by a quarter from one minute to the next, and a ceiling
                # measured a minute after the API would judge the machine, not the API.
                log(f"{name}: {PAIRED_ROUNDS} rounds of wrk then pgbench of {len(stmts)} statement(s), "
                    f"{connections} and {threads} connections")
                pairs = []
                for _ in range(PAIRED_ROUNDS):
                    wait_idle(url)
                    api = wrk(srv, kind, lines, round_s, connections, extra)
                    r["errors"] += api["errors"]
                    wait_idle(url)
                    tps = pgbench(url, stmts, threads, round_s, id_table, lines[0] if id_table else None)
                    pairs.append((api["rps"] / tps, tps))
                    log(f"{name}: {api['rps']:.0f} req/s, pgbench {tps:.0f} tps: {100 * pairs[-1][0]:.0f} %")
                pairs.sort()
                r["ratio"], r["ceiling"] = pairs[len(pairs) // 2]
                r["ratio_range"] = (pairs[0][0], pairs[-1][0])
                r["name"] = name
                rows.append(r)
            except (SystemExit, urllib.error.URLError) as e:  # one scenario failing loses not the others
                log(f"{name}: failed: {e}")
                nan = float("nan")
                rows.append(dict(name=f"{name} (failed: {str(e)[:60]})", rps=nan, p50=nan, p99=nan, errors=1, rss=nan))

        # The latency targets of issue 7 by number of concurrent callers: on a machine whose
        # cores wrk, the server and PostgreSQL share, a target holds up to some number of
        # callers, beyond which requests wait in line for a core.
        for name, kind, lines, extra, _ in reads:
            target = next((t for prefix, t in LATENCY_TARGETS if name.startswith(prefix)), None)
            if not target:
                continue
            for callers in SWEEP_CALLERS:
                wait_idle(url)
                r = wrk(srv, kind, lines, max(2, duration // 2), callers, extra)
                sweep.append(dict(name=name, target=target, callers=callers, **r))
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

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    mem = int(next(l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))) // 1024
    pgv = psql(url, "SHOW server_version")
    out = [f"## bench/run{' --' + a.scale if a.scale != 'national' else ''}: {when}", "",
           f"Machine: {os.cpu_count()} × {cpu}, {mem // 1024} GiB; Linux {platform.release()}; PostgreSQL {pgv}. "
           f"Data: {sc['clusters']} clusters, {sc['companies']:,} companies, {sc['projects']:,} projects, "
           f"{sc['events']:,} events. wrk -t2 -c{connections} -d{duration}s on loopback; grappe serve with "
           f"{threads} threads and {threads} database connections; pgbench -M prepared -c {threads} -j 2 "
           f"with the API's statements. API / ceiling: the median of {PAIRED_ROUNDS} rounds of wrk "
           f"({round_s} s) then pgbench ({round_s} s), each round's API req/s over its own pgbench tps "
           f"(the lowest and highest round in brackets); pgbench tps is the median round's.", "",
           f"| Scenario | req/s | p50 ms | p99 ms | errors | peak RSS MiB | pgbench tps | API / ceiling | "
           f"p50 / p99 ms, 1 connection | p95 / p99 ms, {threads} connections |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        ceil = r.get("ceiling")
        tps = f"{ceil:.0f}" if ceil else "–"
        ratio = (f"{100 * r['ratio']:.0f} % ({100 * r['ratio_range'][0]:.0f}–{100 * r['ratio_range'][1]:.0f})"
                 if ceil else "–")
        alone = f"{r['p50_1']:.2f} / {r['p99_1']:.2f}" if "p50_1" in r else "–"
        some = f"{r['p95_w']:.2f} / {r['p99_w']:.2f}" if "p95_w" in r else "–"
        out.append(f"| {r['name']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['errors']} | {r['rss']:.1f} | "
                   f"{tps} | {ratio} | {alone} | {some} |")
    if sweep:
        out += ["", "Latency by number of concurrent callers (wrk -t1 or -t2, one request at a time per "
                    "connection), against the targets of issue 7:", "",
                "| Scenario | target | callers | req/s | p50 ms | p95 ms | p99 ms | target met |",
                "|---|---|---:|---:|---:|---:|---:|---|"]
        for x in sweep:
            label, pct, limit = x["target"]
            val = x["p95"] if pct == 95 else x["p99"]
            out.append(f"| {x['name']} | {label} | {x['callers']} | {x['rps']:.0f} | {x['p50']:.2f} | {x['p95']:.2f} | "
                       f"{x['p99']:.2f} | {'yes' if val < limit else 'no'} |")
    out += ["", f"NDJSON export of {n:,} companies: {export_s:.2f} s, peak RSS {export_rss:.1f} MiB. "
                f"Start-up (exec to /ready answering 200): {srv.startup_ms:.0f} ms.", ""]
    report = "\n".join(out)
    Path(a.out).write_text(report)
    print(report)
    errors = sum(r["errors"] for r in rows) + sum(x["errors"] for x in sweep)
    if errors:
        log(f"{errors} errors")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
