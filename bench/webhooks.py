"""Webhook deliveries under load (issue 18), for bench/measure.py.

A release `grappe serve` (GRAPPE_WEBHOOK_WORKERS as configured, 4 by default) delivers to
the Node.js receiver of the tests (tests/http/webhook_receiver.js), which verifies every
delivery with the npm `standardwebhooks` library, on loopback. Three scenarios:

- commit to delivery: one subscription; writes one after another (PATCH of a cluster, 20 a
  second); for each, from the moment its 200 came back (its transaction had committed) to
  the moment the receiver had the delivery;
- throughput: SUBSCRIPTIONS subscriptions of 10 keys (one key's subscriptions hold at most
  2 workers), then one transaction that changes CHANGES companies: every subscription gets
  every change; deliveries per second from that commit to the last delivery;
- a receiver down for an hour: it answers 503 while CHANGES changes are written; the
  subscription's failing_since is then moved back an hour (the server believes it has been
  failing that long; waiting an hour is not a benchmark), the receiver comes back, and all
  must arrive, in order. The server runs with GRAPPE_WEBHOOK_RETRY_MAX_MS=2000 here, so
  that the retry after the comeback is not up to an hour away (the default).
"""
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STANDARDWEBHOOKS = "standardwebhooks@1.3.0"
SUBSCRIPTIONS = 50
KEYS = 10


def _get(url, key=None, method="GET", body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


class Receiver:
    def __init__(self, port):
        node, npm = shutil.which("node"), shutil.which("npm")
        if not node or not npm:
            raise SystemExit("bench: the webhook scenarios need node and npm (apt-get install nodejs npm)")
        tools = Path(os.environ.get("GRAPPE_WEBHOOK_TOOLS_DIR") or REPO / "var" / "tools-webhooks")
        pkg = tools / "node_modules" / "standardwebhooks" / "package.json"
        if not pkg.exists() or json.loads(pkg.read_text())["version"] != STANDARDWEBHOOKS.split("@")[1]:
            tools.mkdir(parents=True, exist_ok=True)
            subprocess.run([npm, "install", "--prefix", str(tools), "--no-audit", "--no-fund", "--no-save",
                            "--loglevel=error", STANDARDWEBHOOKS], check=True, timeout=300, stdout=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([node, str(REPO / "tests" / "http" / "webhook_receiver.js"), str(port)],
                                     env=dict(os.environ, NODE_PATH=str(tools / "node_modules")),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit("bench: the webhook receiver did not start")

    def url(self, name):
        return f"{self.base}/hook/{name}"

    def set(self, name, **settings):
        _get(f"{self.base}/_control/{name}", method="PUT", body=settings)

    def received(self, name):
        return _get(f"{self.base}/_control/{name}")

    def summary(self):
        return _get(f"{self.base}/_summary")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def _pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")


def run(server_cls, grappe, url, psql, log, free_port, scale_changes):
    """The three scenarios; returns (Markdown lines, targets [(label, value text, met)])."""
    recv = Receiver(free_port())
    env_before = {k: os.environ.get(k) for k in ("GRAPPE_WEBHOOK_ALLOW_PRIVATE", "GRAPPE_WEBHOOK_RETRY_MAX_MS",
                                                   "GRAPPE_WEBHOOK_RETRY_BASE_MS")}
    os.environ.update(GRAPPE_WEBHOOK_ALLOW_PRIVATE="1", GRAPPE_WEBHOOK_RETRY_MAX_MS="2000",
                      GRAPPE_WEBHOOK_RETRY_BASE_MS="1000")
    psql(url, "DELETE FROM webhooks")
    # The feed numbered to its end first: a seeded database holds changes nobody numbered,
    # which a new subscription would otherwise receive as they are numbered after it starts.
    log("webhooks: numbering the feed's backlog")
    numbered = False
    while psql(url, "SELECT EXISTS (SELECT 1 FROM changes WHERE seq IS NULL)") == "t":
        psql(url, "SELECT number_changes()")
        numbered = True
    if numbered:  # and its dead rows gone, before autovacuum takes the machine mid-measure
        psql(url, "VACUUM ANALYZE changes")
    workers = int(os.environ.get("GRAPPE_WEBHOOK_WORKERS", 4))
    srv = server_cls(grappe, url, int(os.environ.get("GRAPPE_THREADS", 8)), webhook_workers=workers)
    keys = []
    for i in range(KEYS):
        out = subprocess.run([grappe, "keys", "create", "--role", "reader", "--name", f"bench-webhooks-{i}"],
                             env=dict(os.environ, GRAPPE_DATABASE_URL=url), capture_output=True, text=True,
                             check=True).stdout
        keys.append(out.strip().splitlines()[-1])
    admin = subprocess.run([grappe, "keys", "create", "--role", "admin", "--name", "bench-webhooks"],
                           env=dict(os.environ, GRAPPE_DATABASE_URL=url), capture_output=True, text=True,
                           check=True).stdout.strip().splitlines()[-1]
    lines, targets = [], []
    try:
        def subscribe(key, name, **fields):
            w = _get(srv.base + "/v1/webhooks", key, "POST", {"url": recv.url(name), **fields})
            recv.set(name, secrets=[w["secret"]])
            return w

        def wait_for(name_counts, timeout):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                s = recv.summary()
                if all(s.get(n, {}).get("n", 0) >= c for n, c in name_counts.items()):
                    return s
                time.sleep(0.05)
            return recv.summary()

        # 1. commit to delivery
        cluster = psql(url, "SELECT id FROM clusters ORDER BY id LIMIT 1")
        subscribe(keys[0], "latency", types=["cluster"], cluster_ids=[cluster])
        writes = 200
        log(f"webhooks: commit to delivery, {writes} writes")
        committed = []
        for i in range(writes):
            _get(f"{srv.base}/v1/clusters/{cluster}", admin, "PATCH", {"staff_fte": 1 + (i % 50) / 10 + 0.01})
            committed.append(time.time() * 1000)
            time.sleep(0.05)
        wait_for({"latency": writes}, 30)
        got = recv.received("latency")
        lat = [m["at_ms"] - c for m, c in zip(got, committed)]
        verified = sum(1 for m in got if m["verified"])
        p50, p95, p99 = _pct(lat, 50), _pct(lat, 95), _pct(lat, 99)
        lines += [f"Commit to delivery, one subscription, {writes} writes 50 ms apart: {len(got)} delivered "
                  f"({verified} verified by `standardwebhooks`); p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
                  f"p99 {p99:.0f} ms, max {max(lat) if lat else float('nan'):.0f} ms."]
        targets.append(("Commit to delivery p95 < 500 ms", f"{p95:.0f} ms", len(got) == writes and p95 < 500))

        # 2. throughput across subscriptions
        changes = scale_changes
        names = [f"t{i}" for i in range(SUBSCRIPTIONS)]
        for i, n in enumerate(names):
            subscribe(keys[i % KEYS], n, types=["company"])
        ids = psql(url, f"SELECT string_agg(id::text, ',') FROM (SELECT id FROM companies ORDER BY id LIMIT {changes}) x")
        log(f"webhooks: {SUBSCRIPTIONS} subscriptions × {changes} changes")
        time.sleep(0.5)
        t0 = time.time() * 1000
        psql(url, f"UPDATE companies SET description = 'Bench webhooks ' || clock_timestamp() "
                  f"WHERE id = ANY('{{{ids}}}'::uuid[])")
        total = SUBSCRIPTIONS * changes
        s = wait_for({n: changes for n in names}, 600)
        delivered = sum(s.get(n, {}).get("n", 0) for n in names)
        last = max(s[n]["last_at_ms"] for n in names if s.get(n, {}).get("last_at_ms"))
        secs = (last - t0) / 1000
        ordered = all(s[n]["in_order"] and s[n]["unique_ids"] == s[n]["n"] for n in names if n in s)
        ver = sum(s.get(n, {}).get("verified", 0) for n in names)
        rate = delivered / secs if secs > 0 else float("nan")
        lines += [f"Throughput: {SUBSCRIPTIONS} subscriptions of {KEYS} keys, one transaction changing {changes} "
                  f"companies: {delivered:,} of {total:,} deliveries ({ver:,} verified) in {secs:.2f} s from the "
                  f"commit, {rate:,.0f} deliveries/s; each subscription in feed order, each message once: "
                  f"{'yes' if ordered else 'no'}. {workers} workers in one process."]
        targets.append(("≥ 1,000 deliveries/s across subscriptions", f"{rate:,.0f}/s",
                        delivered == total and ordered and rate >= 1000))
        psql(url, "UPDATE webhooks SET active = false")

        # 3. a receiver down for an hour
        down = min(changes, 1000)
        w = subscribe(keys[0], "down", types=["company"])
        recv.set("down", status=503, reply="down")
        ids = psql(url, f"SELECT string_agg(id::text, ',') FROM (SELECT id FROM companies ORDER BY id DESC LIMIT {down}) x")
        log(f"webhooks: a receiver down, {down} changes")
        psql(url, f"UPDATE companies SET description = 'Bench webhooks ' || clock_timestamp() "
                  f"WHERE id = ANY('{{{ids}}}'::uuid[])")
        wait_for({"down": 2}, 30)
        psql(url, f"UPDATE webhooks SET failing_since = now() - interval '1 hour' WHERE id = '{w['id']}'")
        state = _get(f"{srv.base}/v1/webhooks/{w['id']}", admin)
        failed_attempts = len(recv.received("down"))
        recv.set("down", status=200, reply="ok")
        back = time.time() * 1000
        s = wait_for({"down": failed_attempts + down}, 120)["down"]
        got = [m for m in recv.received("down")][failed_attempts:]
        seqs = [m["body"]["data"]["seq"] for m in got]
        complete = len(got) >= down and len({m["id"] for m in got}) == down and seqs == sorted(seqs)
        took = (s["last_at_ms"] - back) / 1000
        lines += [f"A receiver down (503) for an hour (failing_since moved back an hour; {failed_attempts} failed "
                  f"attempts, still active: {state['active']}): {down} changes written meanwhile; after it came "
                  f"back, {len(got)} delivered in {took:.1f} s, in feed order, none missing: "
                  f"{'yes' if complete else 'no'}."]
        targets.append(("A receiver down for an hour gets every change afterwards, in order",
                        f"{len(got)} of {down}", complete and state["active"]))
    finally:
        srv.stop()
        recv.stop()
        psql(url, "DELETE FROM webhooks")
        for k, v in env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return lines, targets
