"""A soak run: a mix of reads, writes, errors and exports from 8 clients for
GRAPPE_SOAK_SECONDS (20 in scripts/test; `GRAPPE_SOAK_SECONDS=600 scripts/test -k soak` for a
long one), sampling the server's resident memory. After a warm-up (the first third), the
resident size must stay flat: no more than max(4 MiB, 10 %) above the warm-up's peak. Under
the sanitizers (whose quarantine holds freed memory on purpose) only errors are judged; their
LeakSanitizer report at exit judges leaks."""
import os
import threading
import time
import uuid
from pathlib import Path

import requests

from conftest import DEMO_01, start_extra_server, stop_extra_server


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_memory_stays_flat_under_a_mixed_load(grappe_bin, database_url, tmp_path, admin_key):
    seconds = float(os.environ.get("GRAPPE_SOAK_SECONDS", "20"))
    srv = start_extra_server(grappe_bin, database_url, tmp_path / "soak.log", GRAPPE_EXPORT_CONCURRENCY=8,
                             GRAPPE_EXPORT_PER_CALLER=8)
    auth = {"Authorization": f"Bearer {admin_key}"}
    stop = threading.Event()
    bad, counts = [], {"n": 0}

    def client(n):
        s = requests.Session()
        i = 0
        while not stop.is_set():
            i += 1
            k = (i + n) % 10
            if k == 0:
                r = s.get(f"{srv.base_url}/v1/clusters/{DEMO_01}", timeout=30)
            elif k == 1:
                r = s.get(f"{srv.base_url}/v1/companies?region=84&size=pme&limit=50", timeout=30)
            elif k == 2:
                r = s.get(f"{srv.base_url}/v1/search?q=decol&limit=5", timeout=30)
            elif k == 3:
                r = s.get(f"{srv.base_url}/v1/stats", timeout=30)
            elif k == 4:
                r = s.get(f"{srv.base_url}/v1/clusters?format=ndjson", timeout=30)
            elif k == 5:
                r = s.post(f"{srv.base_url}/v1/partners", headers=dict(auth, **{"Idempotency-Key": uuid.uuid4().hex}),
                           json={"name": f"Soak partner {n} {i}", "kind": "other"}, timeout=30)
                if r.status_code == 201:
                    r = s.delete(f"{srv.base_url}/v1/partners/{r.json()['id']}", headers=auth, timeout=30)
            elif k == 6:
                r = s.get(f"{srv.base_url}/v1/companies?size=nope", timeout=30)  # 400
                r.status_code = 200 if r.status_code == 400 else r.status_code
            elif k == 7:
                r = s.post(f"{srv.base_url}/v1/partners", data=b'{"name": ', headers=dict(auth, **{
                    "Content-Type": "application/json"}), timeout=30)  # 400
                r.status_code = 200 if r.status_code == 400 else r.status_code
            elif k == 8:
                r = s.get(f"{srv.base_url}/v1/events?format=ics", timeout=30)
            else:
                r = s.get(f"{srv.base_url}/v1/companies?format=csv&limit=100", headers=auth, timeout=30)
            counts["n"] += 1
            if r.status_code >= 300:
                bad.append((k, r.status_code, r.text[:300]))

    samples = []
    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    try:
        for t in threads:
            t.start()
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            samples.append((time.monotonic() - t0, rss_kib(srv.proc.pid)))
            time.sleep(0.25)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        stop_extra_server(srv)
    assert not bad, bad[:5]
    warm = max(kib for t, kib in samples if t < seconds / 3)
    late = max(kib for t, kib in samples if t >= seconds / 3)
    print(f"soak: {counts['n']} requests in {seconds:.0f} s; RSS after warm-up {warm / 1024:.1f} MiB, "
          f"peak after {late / 1024:.1f} MiB")
    if "ASAN_OPTIONS" not in os.environ:
        assert late <= warm + max(4096, warm // 10), f"RSS grew from {warm} KiB to {late} KiB"
