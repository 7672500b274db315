"""The README's examples work when pasted in order on a fresh `scripts/serve`, on any day
(issue 15): every ```sh block of its "Using the API" part runs, in order, in one bash with
`set -euo pipefail`, against a server of its own on a new database with the demo data (loaded
today, as scripts/serve does) and the environment scripts/serve gives (CORS `*`, the default
rate limits). So do the example commands that scripts/serve prints.

Each curl goes through a bash function that records its HTTP status. A curl must answer 2xx,
or exactly the status written as a trailing comment on its command (`... # 412`), the way the
README shows an expected 304, 412 or 204. The README's placeholders are filled in: the admin
key and the database URL that scripts/serve prints, the address, and KEY_ID (the id of the
reader key made just before). The commands run in a directory of their own (the README
writes new.json and the like), where build/grappe is the binary under test.

Not run: the Quick start (scripts/serve and scripts/test themselves) and the Docker section
(no Docker engine here; docker/ has a test of its own), which are outside "Using the API"."""

import json
import os
import re
import subprocess
import time

import pytest

from conftest import REPO, _free_port, key_in, psql_at, scratch_database, start_extra_server, stop_extra_server

README = REPO / "README.md"
SERVE = REPO / "scripts" / "serve"

# placeholder in the README -> what the test runs instead ({...} from the test's environment)
PLACEHOLDERS = {
    "export GRAPPE_ADMIN_KEY=grappe_…": "export GRAPPE_ADMIN_KEY={admin_key}",
    "api=http://127.0.0.1:8080": "api={base}",
    "export GRAPPE_DATABASE_URL=postgresql://grappe@127.0.0.1:…/grappe": "export GRAPPE_DATABASE_URL={database_url}",
    "hook_port=8099": "hook_port={hook_port}",
    "KEY_ID": "\"$(build/grappe keys list | awk '$2 == \"reader\" && /regional sync$/ {{print $1; exit}}')\"",
}

# The curl of the README, with its status recorded in a side file ($README_STATUS).
PRELUDE = r"""
set -euo pipefail
curl() {
  local rc=0
  command curl -w '%{stderr}@@status %{http_code} %{time_total}\n' "$@" 2>>"$README_STATUS" || rc=$?
  printf '@@exit %s\n' "$rc" >>"$README_STATUS"
  return "$rc"
}
block() { printf '@@block %s\n' "$1" >>"$README_STATUS"; }
"""

CURL = re.compile(r"(?<![\w./-])curl\s")
TRAILING_STATUS = re.compile(r"^\s*[^\s#].*\s#\s*([1-5]\d\d)\b")


def using_the_api():
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Using the API\n")
    end = text.index("\n## ", start + 1)
    return re.findall(r"^```sh\n(.*?)^```", text[start:end], re.S | re.M)


def expected_statuses(block):
    """The status each curl of the block must answer, in order: a number, or None for 2xx."""
    marks = []  # (offset, expected) of each curl
    offset = 0
    for line in block.splitlines(keepends=True):
        if not line.lstrip().startswith("#"):
            code = line.split(" #", 1)[0]
            for m in CURL.finditer(code):
                marks.append([offset + m.start(), None])
            t = TRAILING_STATUS.match(line)
            if t and marks:
                marks[-1][1] = int(t.group(1))  # the curl this line belongs to
        offset += len(line)
    return [e for _, e in marks]


def fill(block, values):
    for placeholder, value in PLACEHOLDERS.items():
        block = block.replace(placeholder, value.format(**values))
    return block


def run_script(script, workdir, status_path, timeout=300):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir), "LANG": "C.UTF-8",
           "README_STATUS": str(status_path)}
    return subprocess.run(["bash", "-c", PRELUDE + script], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=timeout)


def recorded(status_path):
    """[(block, [(status, curl exit), ...]), ...] from the side file."""
    blocks = []
    status = None
    for line in status_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("@@block "):
            blocks.append((int(line.split()[1]), []))
        elif line.startswith("@@status "):
            status = int(line.split()[1])
        elif line.startswith("@@exit "):
            blocks[-1][1].append((status, int(line.split()[1])))
            status = None
    return blocks


@pytest.fixture(scope="module")
def fresh(database_url, grappe_bin, sql, tmp_path_factory):
    """A server as scripts/serve starts it: a new migrated database with the demo, an admin
    key, CORS *, the default rate limits; and a work directory where build/grappe is ours."""
    with scratch_database(database_url, grappe_bin, sql, "readme") as url:
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(REPO / "sql" / "demo.sql"), url],
                       check=True, capture_output=True, timeout=120)
        admin = key_in(grappe_bin, url, "admin", "scripts/serve")
        work = tmp_path_factory.mktemp("readme")
        (work / "build").mkdir()
        (work / "build" / "grappe").symlink_to(grappe_bin)
        srv = start_extra_server(grappe_bin, url, work / "grappe.log", GRAPPE_CORS_ORIGINS="*",
                                 GRAPPE_RATE_ANONYMOUS=600, GRAPPE_RATE_KEY=6000, GRAPPE_REGISTRATION_RATE=10,
                                 GRAPPE_WEBHOOK_WORKERS=4, GRAPPE_WEBHOOK_ALLOW_PRIVATE=1)
        try:
            yield {"url": url, "admin_key": admin, "base": srv.base_url, "work": work, "server": srv}
        finally:
            stop_extra_server(srv)


def test_readme_placeholders_are_all_there():
    text = "".join(using_the_api())
    for placeholder in PLACEHOLDERS:
        assert placeholder in text, f"the README no longer has {placeholder!r}: update PLACEHOLDERS"


def test_every_readme_curl_works_in_order_on_a_fresh_server(fresh):
    blocks = using_the_api()
    assert len(blocks) >= 10
    values = {"admin_key": fresh["admin_key"], "base": fresh["base"], "database_url": fresh["url"],
              "hook_port": _free_port()}
    script = "".join(f"block {i}\n{fill(b, values)}\n" for i, b in enumerate(blocks))
    status_path = fresh["work"] / "statuses"
    started = time.time()
    cp = run_script(script, fresh["work"], status_path)
    log = f"--- stdout\n{cp.stdout[-3000:]}\n--- stderr\n{cp.stderr[-3000:]}"
    got = recorded(status_path)
    assert cp.returncode == 0, f"the README's commands stopped (exit {cp.returncode}) in block " \
                               f"{got[-1][0] if got else '?'}:\n{blocks[got[-1][0]] if got else ''}\n{log}"
    assert [b for b, _ in got] == list(range(len(blocks)))
    wrong = []
    for (i, calls), block in zip(got, blocks):
        want = expected_statuses(block)
        assert len(calls) == len(want), f"block {i}: {len(calls)} curl calls ran, {len(want)} written:\n{block}"
        for n, ((status, rc), expected) in enumerate(zip(calls, want)):
            if rc != 0 or (status != expected if expected else not 200 <= status < 300):
                wrong.append(f"block {i}, curl {n + 1}: status {status} (curl exit {rc}), "
                             f"expected {expected or '2xx'}\n{block}")
    assert not wrong, "\n".join(wrong) + "\n" + log[-3000:]

    # what the events part promised: a registration confirmed on an event still to come
    registration = json.loads((fresh["work"] / "registration.json").read_text(encoding="utf-8"))
    assert registration["status"] == "confirmed", registration
    starts = psql_at(fresh["url"], "SELECT extract(epoch FROM starts_at) FROM events "
                                   f"WHERE id = '{registration['event_id']}'")
    assert float(starts) > started
    # the webhook example's receiver verified a delivery with the secret it was given
    assert "verified" in (fresh["work"] / "deliveries.txt").read_text(encoding="utf-8")
    # the reader key of the keys part was revoked by its id
    assert psql_at(fresh["url"], "SELECT count(*) FROM api_keys WHERE name = 'regional sync' "
                                 "AND revoked_at IS NOT NULL") == "1"


def serve_examples(values):
    """The example commands scripts/serve prints after 'Try:', rendered as it renders them."""
    text = SERVE.read_text(encoding="utf-8")
    heredoc = re.search(r"^cat <<EOF\n(.*?)^EOF$", text, re.S | re.M).group(1)
    rendered = subprocess.run(
        ["bash", "-c", f"base={values['base']}; admin_key={values['admin_key']}; pg_started=0; "
                       f"GRAPPE_DATABASE_URL={values['database_url']}; cat <<EOF\n{heredoc}EOF\n"],
        capture_output=True, text=True, check=True).stdout
    tried = rendered.split("Try:\n", 1)[1].split("Documentation:", 1)[0]
    return tried


def test_the_examples_scripts_serve_prints_work(fresh):
    values = {"admin_key": fresh["admin_key"], "base": fresh["base"], "database_url": fresh["url"]}
    examples = serve_examples(values)
    want = expected_statuses(examples)
    assert len(want) >= 4, examples
    status_path = fresh["work"] / "serve-statuses"
    cp = run_script("block 0\n" + examples, fresh["work"], status_path)
    assert cp.returncode == 0, f"{examples}\n{cp.stdout[-3000:]}\n{cp.stderr[-3000:]}"
    [(_, calls)] = recorded(status_path)
    assert len(calls) == len(want), examples
    for (status, rc), expected in zip(calls, want):
        assert rc == 0 and (status == expected if expected else 200 <= status < 300), (status, examples, cp.stdout)
