#!/usr/bin/env bash
# tests/browser/run.sh: examples/cluster-editor in headless Chromium, against a real
# OpenID Connect provider and a real server.
#
#   GRAPPE_BIN=build/grappe GRAPPE_DATABASE_URL=postgresql://… tests/browser/run.sh
#
# The database must be migrated, with sql/demo.sql loaded (the test edits the demo
# cluster c1000000-0000-4000-8000-000000000001 and changes its description and website).
# It starts, each on a free 127.0.0.1 port, and stops at the end (by pid, on failure too):
#   - the page: a copy of examples/ with a config.json of its own, served by
#     python3 -m http.server (origin http://127.0.0.1:PAGE_PORT)
#   - Glewlwyd (tests/oidc/start-glewlwyd.sh): alice, manager of the demo cluster; a public
#     client whose redirect URI is the page; the page's origin allowed (CORS); the API's
#     URL as an RFC 8707 resource, so that the access token's aud is that URL although the
#     page asks for "openid grappe-api" (Glewlwyd otherwise puts the scope list in aud)
#   - $GRAPPE_BIN serve, with GRAPPE_OIDC_ISSUERS, GRAPPE_OIDC_AUDIENCE (the API's URL)
#     and GRAPPE_CORS_ORIGINS (the page's origin)
# then runs cluster-editor.test.mjs (node --test; playwright-core drives /usr/bin/chromium,
# or $CHROMIUM), after `npm ci` here when node_modules is missing or the lock changed.
# An admin key made for the check is revoked at the end. Exit status: the test's.
# GRAPPE_BROWSER_KEEP=1 keeps the work directory (logs) after a success too.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/../.." && pwd)
export GRAPPE_SCRIPT_NAME=tests/browser/run.sh
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"

: "${GRAPPE_BIN:?GRAPPE_BIN: the grappe binary to test}"
: "${GRAPPE_DATABASE_URL:?GRAPPE_DATABASE_URL: a migrated database with sql/demo.sql}"
case $GRAPPE_BIN in /*) ;; *) GRAPPE_BIN=$PWD/$GRAPPE_BIN ;; esac
[ -x "$GRAPPE_BIN" ] || grappe_die "$GRAPPE_BIN is not an executable"
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || grappe_die "no Chromium at $chromium (apt-get install -y chromium)"
for b in node npm python3 curl jq; do
  command -v "$b" >/dev/null || grappe_die "'$b' is needed"
done
cluster=c1000000-0000-4000-8000-000000000001
client_id=grappe-cluster-editor

# playwright-core from the committed lock (no browser download: it has no install script,
# and Debian's Chromium is used); again only when the lock changed.
stamp=$here/node_modules/.grappe-lock
if ! cmp -s "$here/package-lock.json" "$stamp" 2>/dev/null; then
  grappe_log "npm ci in tests/browser"
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 \
    || grappe_die "npm ci in tests/browser failed"
  cp "$here/package-lock.json" "$stamp"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/grappe-browser.XXXXXX")
chmod 755 "$work" # Glewlwyd runs as another user when we are root
page_pid='' api_pid='' key_id='' ok=0
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  trap - EXIT INT TERM
  set +e # every step of the cleanup runs (wait returns 143 for a process it stopped)
  [ -n "$key_id" ] && "$GRAPPE_BIN" keys revoke "$key_id" >/dev/null 2>&1
  for pid in $api_pid $page_pid; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  [ -f "$work/glewlwyd/glewlwyd.pid" ] && "$root/tests/oidc/stop-glewlwyd.sh" "$work/glewlwyd" >/dev/null 2>&1
  if [ "$ok" = 1 ] && [ "${GRAPPE_BROWSER_KEEP:-0}" != 1 ]; then
    rm -rf "$work"
  else
    for f in "$work/grappe.log" "$work/page.log" "$work/glewlwyd/glewlwyd.log"; do
      [ -s "$f" ] && { printf -- '--- %s (last lines)\n' "$f" >&2; tail -n 15 "$f" >&2; }
    done
    grappe_log "logs kept in $work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_http URL: until it answers (any HTTP status), 10 s at most.
wait_http() {
  local _
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  return 1
}

# The page, served from a copy of examples/ (its config.json is written below).
mkdir -p "$work/site"
cp -R "$root/examples/." "$work/site/"
page_port=$(grappe_free_port)
origin=http://127.0.0.1:$page_port
page_url=$origin/cluster-editor/
python3 -m http.server --bind 127.0.0.1 --directory "$work/site" "$page_port" >"$work/page.log" 2>&1 &
page_pid=$!
wait_http "$page_url" || grappe_die "the static server did not start on port $page_port"

api_port=$(grappe_free_port)
api=http://127.0.0.1:$api_port

issuer=$(GRAPPE_OIDC_ROLE=manager GRAPPE_OIDC_CLUSTERS=$cluster \
  GRAPPE_OIDC_PUBLIC_CLIENT=$client_id GRAPPE_OIDC_REDIRECT_URI=$page_url \
  GRAPPE_OIDC_ALLOW_ORIGIN=$origin GRAPPE_OIDC_RESOURCE=$api GLEWLWYD_LOG_LEVEL=WARNING \
  "$root/tests/oidc/start-glewlwyd.sh" auto "$work/glewlwyd") \
  || grappe_die "Glewlwyd did not start (tests/oidc/start-glewlwyd.sh)"
# shellcheck disable=SC1091
. "$work/glewlwyd/oidc.env"

GRAPPE_PORT=$api_port GRAPPE_OIDC_ISSUERS=$issuer GRAPPE_OIDC_AUDIENCE=$api \
  GRAPPE_CORS_ORIGINS=$origin "$GRAPPE_BIN" serve >"$work/grappe.log" 2>&1 &
api_pid=$!
wait_http "$api/health" || grappe_die "grappe serve did not start on port $api_port"

out=$("$GRAPPE_BIN" keys create --role admin --name "tests/browser (revoked at the end)")
key_id=$(sed -n 's/^id: //p' <<<"$out")
admin_key=$(tail -n 1 <<<"$out")

jq -n --arg api "$api" --arg iss "$issuer" --arg c "$client_id" --arg aud "$OIDC_AUDIENCE" \
  --arg res "$api" --arg id "$cluster" \
  '{api: $api, issuer: $iss, client_id: $c, scope: ("openid " + $aud), resource: $res, cluster_id: $id}' \
  >"$work/site/cluster-editor/config.json"

grappe_log "page $page_url, provider $issuer, API $api"
EDITOR_URL=$page_url GRAPPE_API=$api GRAPPE_ADMIN_KEY=$admin_key CLUSTER_ID=$cluster \
  OIDC_USER=$OIDC_USER OIDC_PASSWORD=$OIDC_PASSWORD CHROMIUM=$chromium \
  SCREENSHOT_DIR=$work timeout -k 10 120 node --test "$here/cluster-editor.test.mjs"
ok=1
