#!/usr/bin/env bash
# start-glewlwyd.sh [PORT|auto] [DIR]
#
# Starts a throw-away Glewlwyd 2.7 (Debian 12 package) OpenID Connect provider,
# headless, bound to 127.0.0.1, as an unprivileged user, with a private SQLite
# database under DIR, and configures it non-interactively:
#   - one OIDC plugin instance "oidc"  -> issuer http://127.0.0.1:PORT/api/oidc
#   - signing keys generated locally with openssl (RSA-2048/RS256, P-256/ES256,
#     Ed25519/EdDSA), converted to a JWKS with rnbyc, all in that one instance
#   - scope "$GRAPPE_OIDC_AUDIENCE" (the access token's aud is the granted scope list)
#   - user "$GRAPPE_OIDC_USER" with properties grappe_role / grappe_clusters
#   - confidential clients grappe-test-rs256 / -es256 / -eddsa (one per key,
#     chosen through the client property sign_kid) and one named $GRAPPE_OIDC_AUDIENCE
#   - optionally a public client (no secret, PKCE S256) for a browser page
#   - Glewlwyd's own login page (its webapp, from the glewlwyd-common package), served
#     by the daemon itself at http://127.0.0.1:PORT/login.html
# Prints the issuer URL on stdout (and nothing else). Writes DIR/glewlwyd.pid and
# DIR/oidc.env (sourced by get-token.sh). Stop with: stop-glewlwyd.sh DIR
#
# Needs: apt-get install -y glewlwyd rnbyc sqlite3 openssl curl jq
#
# Environment (all optional):
#   GRAPPE_OIDC_AUDIENCE   audience / scope name           (default grappe-api)
#   GRAPPE_OIDC_USER       test user name                   (default alice)
#   GRAPPE_OIDC_PASSWORD   test user password               (default alice-password)
#   GRAPPE_OIDC_ROLE       grappe_role of the user          (default manager)
#   GRAPPE_OIDC_CLUSTERS   grappe_clusters, space separated (default two fixed UUIDs)
#   GRAPPE_OIDC_TOKEN_TTL  access token lifetime, seconds   (default 3600)
#   GRAPPE_OIDC_RESOURCE   optional RFC 8707 resource URI (https://... or http://localhost...)
#                          allowed with the audience scope; code and client_credentials
#                          requests carrying resource=URI then get aud == URI
#   GRAPPE_OIDC_PUBLIC_CLIENT  client_id of a public client (browser page: no secret,
#                          code flow with PKCE S256 only); none when unset
#   GRAPPE_OIDC_REDIRECT_URI   its redirect URIs, space separated (required with it;
#                          Glewlwyd compares them exactly)
#   GRAPPE_OIDC_ALLOW_ORIGIN   Access-Control-Allow-Origin of every Glewlwyd answer
#                          (discovery, token endpoint...): one origin, or *  (default *)
#   GLEWLWYD_WEBAPP        directory of Glewlwyd's webapp (login page), or "none"
#                          (default /usr/share/glewlwyd/webapp)
#   GLEWLWYD_RUN_USER      unprivileged account             (default glewlwyd, else nobody)
#   GLEWLWYD_LOG_LEVEL     NONE|ERROR|WARNING|INFO|DEBUG    (default INFO)
set -euo pipefail

log() { echo "start-glewlwyd: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

PORT_ARG=${1:-auto}
DIR=${2:-}
AUD=${GRAPPE_OIDC_AUDIENCE:-grappe-api}
T_USER=${GRAPPE_OIDC_USER:-alice}
T_PASS=${GRAPPE_OIDC_PASSWORD:-alice-password}
T_ROLE=${GRAPPE_OIDC_ROLE:-manager}
T_CLUSTERS=${GRAPPE_OIDC_CLUSTERS:-"6f1c2b9a-1111-4a2b-8c3d-0000000000a1 6f1c2b9a-2222-4a2b-8c3d-0000000000b2"}
TTL=${GRAPPE_OIDC_TOKEN_TTL:-3600}
RESOURCE=${GRAPPE_OIDC_RESOURCE:-}
LOG_LEVEL=${GLEWLWYD_LOG_LEVEL:-INFO}
PUBLIC_CLIENT=${GRAPPE_OIDC_PUBLIC_CLIENT:-}
REDIRECT_URIS=${GRAPPE_OIDC_REDIRECT_URI:-}
ALLOW_ORIGIN=${GRAPPE_OIDC_ALLOW_ORIGIN:-*}
WEBAPP_SRC=${GLEWLWYD_WEBAPP:-/usr/share/glewlwyd/webapp}
[ -z "$PUBLIC_CLIENT" ] || [ -n "$REDIRECT_URIS" ] \
  || die "GRAPPE_OIDC_PUBLIC_CLIENT needs GRAPPE_OIDC_REDIRECT_URI"
case $ALLOW_ORIGIN in *\"*|*\\*) die "GRAPPE_OIDC_ALLOW_ORIGIN: no quotes or backslashes" ;; esac

for b in glewlwyd rnbyc sqlite3 openssl curl jq setpriv; do
  command -v "$b" >/dev/null || die "missing '$b' (apt-get install -y glewlwyd rnbyc sqlite3 openssl curl jq)"
done
# Schema + default data (admin/password, scopes g_admin/g_profile/openid, database user & client backends)
INIT_SQL=/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3
[ -r "$INIT_SQL" ] || INIT_SQL=/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz
[ -r "$INIT_SQL" ] || die "glewlwyd SQLite init script not found"

[ -n "$DIR" ] || DIR=$(mktemp -d /tmp/glewlwyd.XXXXXX)
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
[ -e "$DIR/glewlwyd.db" ] && die "$DIR already holds a glewlwyd.db; use an empty directory"

# --- who runs the daemon ----------------------------------------------------
if [ "$(id -u)" = 0 ]; then
  RUN_USER=${GLEWLWYD_RUN_USER:-}
  if [ -z "$RUN_USER" ]; then
    if id glewlwyd >/dev/null 2>&1; then RUN_USER=glewlwyd; else RUN_USER=nobody; fi
  fi
  RUN_UID=$(id -u "$RUN_USER"); RUN_GID=$(id -g "$RUN_USER")
  AS_USER=(setpriv --reuid="$RUN_UID" --regid="$RUN_GID" --clear-groups --)
else
  RUN_USER=$(id -un); AS_USER=()   # already unprivileged
fi

# --- port ---------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p i
  for i in $(seq 1 50); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    port_free "$p" && { echo "$p"; return 0; }
  done
  return 1
}

# --- keys (generated locally, never leave DIR) -------------------------------
# kids are unique per start, so a verifier that caches keys by kid cannot
# silently reuse a key of a previous provider instance.
KSFX=$(openssl rand -hex 3)
KID_RS256=grappe-rs256-$KSFX KID_ES256=grappe-es256-$KSFX KID_EDDSA=grappe-eddsa-$KSFX
mkdir -p "$DIR/keys"; chmod 700 "$DIR/keys"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$DIR/keys/rs256.pem" 2>/dev/null
openssl genpkey -algorithm EC  -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/keys/es256.pem"
openssl genpkey -algorithm ED25519 -out "$DIR/keys/eddsa.pem"
# rnbyc parses PEM into JWK and sets kid, but ignores -a when parsing: add alg with jq.
rnbyc -j -n 0 -o "$DIR/keys/raw.jwks" \
  -f "$DIR/keys/rs256.pem" -k "$KID_RS256" \
  -f "$DIR/keys/es256.pem" -k "$KID_ES256" \
  -f "$DIR/keys/eddsa.pem" -k "$KID_EDDSA"
jq -c '.keys |= map(. + {alg: ({"RSA":"RS256","EC":"ES256","OKP":"EdDSA"}[.kty])})' \
  "$DIR/keys/raw.jwks" > "$DIR/keys/private.jwks"
rm -f "$DIR/keys/raw.jwks"
chmod 600 "$DIR"/keys/*
[ "$(jq '.keys|length' "$DIR/keys/private.jwks")" = 3 ] || die "JWKS generation failed"

# --- database -----------------------------------------------------------------
# The user/client backend "data-format" must list every extra property, and an
# update through PUT /api/mod/user/{name} is only stored, not applied to the
# running instance (disable/enable of the 'database' user backend logs out the
# admin, who lives in it). So the data-format is written here, before start.
{
  echo "PRAGMA synchronous=OFF; BEGIN;"
  if [[ $INIT_SQL == *.gz ]]; then zcat "$INIT_SQL"; else cat "$INIT_SQL"; fi
  cat <<'SQL'
UPDATE g_user_module_instance
   SET gumi_parameters = json_set(gumi_parameters,
         '$."data-format".grappe_role',
         json('{"multiple":false,"read":true,"write":true,"profile-read":true,"profile-write":false}'),
         '$."data-format".grappe_clusters',
         json('{"multiple":true,"read":true,"write":true,"profile-read":true,"profile-write":false}'))
 WHERE gumi_name = 'database';
UPDATE g_client_module_instance
   SET gcmi_parameters = json_set(gcmi_parameters,
         '$."data-format".sign_kid', json('{"multiple":false,"read":true,"write":true}'))
 WHERE gcmi_name = 'database';
COMMIT;
PRAGMA journal_mode=WAL;
SQL
} | sqlite3 "$DIR/glewlwyd.db" >/dev/null   # (journal_mode prints "wal")

# --- start ---------------------------------------------------------------------
write_conf() {
cat > "$DIR/glewlwyd.conf" <<EOF
# generated by start-glewlwyd.sh
port=$PORT
bind_address="127.0.0.1"
external_url="http://127.0.0.1:$PORT"
login_url="login.html"
api_prefix="api"
allow_origin="$ALLOW_ORIGIN"
${STATIC_CONF}log_mode="file"
log_level="$LOG_LEVEL"
log_file="$DIR/glewlwyd.log"
cookie_secure=0
session_expiration=3600
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie,api_key"
profile_session_authentication="cookie"
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="/usr/lib/glewlwyd/user"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
# NB: do not write use_secure_connection=false: any use_secure_connection key
# makes glewlwyd demand secure_connection_key_file/pem_file and exit.
hash_algorithm="SHA512"
database =
{
  type = "sqlite3"
  path = "$DIR/glewlwyd.db"
};
EOF
}

# --- login page ----------------------------------------------------------------
# The browser's code flow goes through Glewlwyd's own login page (its webapp). The
# daemon serves it itself (static_files_path), but only files whose real path is
# under that directory, and the package's webapp/config.json is a link to /etc (a
# directory there, on Debian 12): so a copy goes to DIR/webapp, with a config.json
# of our own that points the page at this daemon ("./": same origin).
STATIC_CONF=
if [ "$WEBAPP_SRC" != none ] && [ -r "$WEBAPP_SRC/login.html" ]; then
  CONFIG_JSON=/usr/share/glewlwyd/templates/config.json
  [ -r "$CONFIG_JSON" ] || CONFIG_JSON=/etc/glewlwyd/config-2.7.json/config.json
  [ -r "$CONFIG_JSON" ] || die "the webapp's config.json template was not found"
  mkdir -p "$DIR/webapp"
  for f in "$WEBAPP_SRC"/*; do
    [ "$(basename "$f")" = config.json ] || cp -RL "$f" "$DIR/webapp/"
  done
  jq '.GlewlwydUrl = "./"' "$CONFIG_JSON" > "$DIR/webapp/config.json"
  STATIC_CONF="static_files_path=\"$DIR/webapp/\"
static_files_mime_types = (
  { extension = \".html\"  mime_type = \"text/html\" },
  { extension = \".css\"   mime_type = \"text/css\" },
  { extension = \".js\"    mime_type = \"application/javascript\" },
  { extension = \".json\"  mime_type = \"application/json\" },
  { extension = \".png\"   mime_type = \"image/png\" },
  { extension = \".ico\"   mime_type = \"image/x-icon\" },
  { extension = \".svg\"   mime_type = \"image/svg+xml\" },
  { extension = \".woff\"  mime_type = \"font/woff\" },
  { extension = \".woff2\" mime_type = \"font/woff2\" },
  { extension = \".ttf\"   mime_type = \"font/ttf\" },
  { extension = \".eot\"   mime_type = \"application/vnd.ms-fontobject\" }
);
"
elif [ "$WEBAPP_SRC" != none ]; then
  log "no Glewlwyd webapp in $WEBAPP_SRC (package glewlwyd-common): no login page"
fi

chmod 755 "$DIR"
if [ "$(id -u)" = 0 ]; then
  chown "$RUN_UID:$RUN_GID" "$DIR" "$DIR/glewlwyd.db"
  "${AS_USER[@]}" test -w "$DIR" -a -w "$DIR/glewlwyd.db" \
    || die "user $RUN_USER cannot write $DIR (a parent directory is not searchable?)"
fi

T0=$(date +%s%N)
PID=
READY=0
cleanup() { # do not leave a half-configured daemon behind
  if [ "$READY" != 1 ] && [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -f "$DIR/glewlwyd.pid"
    log "setup failed; daemon $PID stopped (logs in $DIR)"
  fi
}
trap cleanup EXIT
for attempt in 1 2 3 4 5; do
  if [ "$PORT_ARG" = auto ] || [ -z "$PORT_ARG" ]; then
    PORT=$(pick_port) || die "no free port found"
  else
    PORT=$PORT_ARG
    port_free "$PORT" || die "port $PORT is already in use"
  fi
  write_conf
  : > "$DIR/glewlwyd.log"; [ "$(id -u)" = 0 ] && chown "$RUN_UID:$RUN_GID" "$DIR/glewlwyd.log"
  "${AS_USER[@]}" glewlwyd --config-file="$DIR/glewlwyd.conf" \
      </dev/null >"$DIR/glewlwyd.stdout" 2>&1 &
  PID=$!
  disown "$PID" 2>/dev/null || true
  echo "$PID" > "$DIR/glewlwyd.pid"
  up=0
  for _ in $(seq 1 200); do      # up to ~10 s
    kill -0 "$PID" 2>/dev/null || break
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/config")" = 200 ]; then up=1; break; fi
    sleep 0.05
  done
  [ $up = 1 ] && break
  kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true
  log "glewlwyd did not come up on port $PORT (attempt $attempt):"
  tail -n 5 "$DIR/glewlwyd.stdout" "$DIR/glewlwyd.log" >&2 || true
  [ "$PORT_ARG" = auto ] || [ -z "$PORT_ARG" ] || die "giving up"
done
[ "${up:-0}" = 1 ] || die "glewlwyd failed to start"

BASE="http://127.0.0.1:$PORT"
API="$BASE/api"
ISSUER="$API/oidc"
CJ="$DIR/.admin-cookies"

# --- admin session ----------------------------------------------------------
api() { # api METHOD PATH [JSON] -> body on stdout, fails on HTTP >= 300
  local m=$1 p=$2 d=${3:-} out code
  out=$(mktemp)
  if [ -n "$d" ]; then
    code=$(curl -s -o "$out" -w '%{http_code}' -b "$CJ" -c "$CJ" -X "$m" \
           -H 'Content-Type: application/json' --data-binary "$d" "$API$p")
  else
    code=$(curl -s -o "$out" -w '%{http_code}' -b "$CJ" -c "$CJ" -X "$m" "$API$p")
  fi
  if [ "$code" -ge 300 ]; then log "$m $p -> HTTP $code: $(cat "$out")"; rm -f "$out"; return 1; fi
  cat "$out"; rm -f "$out"
}

api POST /auth/ '{"username":"admin","password":"password"}' >/dev/null \
  || die "admin login failed"

# Replace the well-known admin password by a random one.
ADMIN_PASS=$(openssl rand -hex 16)
api PUT /user/admin "$(api GET /user/admin | jq -c --arg p "$ADMIN_PASS" 'del(.source) + {password:$p}')" >/dev/null

# API key for later admin calls by tests (header "Authorization: token KEY").
API_KEY=$(api POST /key/ | jq -r .key)

# Scope named after the audience: Glewlwyd sets the access token "aud" to the
# granted scope list (or to the RFC 8707 "resource" in code/client_credentials flows).
api POST /scope/ "$(jq -nc --arg n "$AUD" '{name:$n, display_name:"Grappe API", description:"Grappe REST API", password_required:false, scheme:{}}')" >/dev/null

# OIDC plugin instance.
PLUGIN=$(jq -nc --arg iss "$ISSUER" --rawfile jwks "$DIR/keys/private.jwks" --argjson ttl "$TTL" \
             --arg aud "$AUD" --arg res "$RESOURCE" --arg kid "$KID_RS256" '{
  module: "oidc", name: "oidc", display_name: "OpenID Connect (Grappe tests)",
  parameters: ({
    "iss": $iss,
    "jwks-private": $jwks,
    "default-kid": $kid,
    "client-sign_kid-parameter": "sign_kid",
    "jwks-show": true,
    "subject-type": "public",
    "access-token-duration": $ttl,
    "refresh-token-duration": 1209600,
    "code-duration": 600,
    "refresh-token-rolling": false,
    "allow-non-oidc": true,
    "auth-type-code-enabled": true,
    "auth-type-token-enabled": false,
    "auth-type-id-token-enabled": true,
    "auth-type-password-enabled": true,
    "auth-type-client-enabled": true,
    "auth-type-refresh-enabled": true,
    "auth-type-device-enabled": false,
    "pkce-allowed": true,
    "pkce-method-plain-allowed": false,
    "pkce-required-public-client": true,
    "scope": [],
    "additional-parameters": [
      {"user-parameter": "grappe_role",     "token-parameter": "grappe_role"},
      {"user-parameter": "grappe_clusters", "token-parameter": "grappe_clusters"},
      {"user-parameter": "username",        "token-parameter": "preferred_username"}
    ],
    "claims": [
      {"name": "grappe_role",     "user-property": "grappe_role",     "type": "string", "mandatory": true, "on-demand": false, "scope": []},
      {"name": "grappe_clusters", "user-property": "grappe_clusters", "type": "string", "mandatory": true, "on-demand": false, "scope": []},
      {"name": "preferred_username", "user-property": "username",     "type": "string", "mandatory": true, "on-demand": false, "scope": []}
    ],
    "name-claim": "on-demand",
    "email-claim": "on-demand",
    "scope-claim": "no",
    "address-claim": {"type": "no"}
  } + (if $res == "" then {} else {"resource-allowed": true, "resource-scope": {($aud): [$res]}} end))}')
api POST /mod/plugin/ "$PLUGIN" >/dev/null

# Test user.
api POST /user/ "$(jq -nc --arg u "$T_USER" --arg p "$T_PASS" --arg r "$T_ROLE" --arg aud "$AUD" --arg c "$T_CLUSTERS" '{
  username: $u, name: "Grappe test user", email: ($u + "@example.test"), password: $p, enabled: true,
  scope: ["openid", $aud], grappe_role: $r, grappe_clusters: ($c | split(" ") | map(select(length > 0)))}')" >/dev/null

# Confidential clients: one per signing key (chosen by the client property named
# by the plugin's "client-sign_kid-parameter"), plus one whose client_id is the
# audience (RS256) so that its id_tokens carry aud == audience as well.
# Secret of client X is "secret-X". token_endpoint_auth_method is required:
# without it a confidential client is refused at /token with HTTP 500 and the log line
# "check_auth_type_resource_owner_pwd_cred - Error glewlwyd_callback_check_client_valid".
add_client() { # add_client CLIENT_ID KID
  api POST /client/ "$(jq -nc --arg c "$1" --arg k "$2" --arg aud "$AUD" '{
    client_id: $c, name: ("Grappe test client " + $c), confidential: true, enabled: true,
    client_secret: ("secret-" + $c),
    authorization_type: ["code", "password", "client_credentials", "refresh_token"],
    token_endpoint_auth_method: ["client_secret_basic", "client_secret_post"],
    redirect_uri: ["http://127.0.0.1/callback"],
    scope: [$aud], sign_kid: $k}')" >/dev/null
}
add_client grappe-test-rs256 "$KID_RS256"
add_client grappe-test-es256 "$KID_ES256"
add_client grappe-test-eddsa "$KID_EDDSA"
add_client "$AUD" "$KID_RS256"

# Public client (a page in a browser cannot keep a secret): the code flow only, which
# the plugin then refuses without PKCE ("pkce-required-public-client"); no secret, so
# token_endpoint_auth_method "none".
if [ -n "$PUBLIC_CLIENT" ]; then
  api POST /client/ "$(jq -nc --arg c "$PUBLIC_CLIENT" --arg r "$REDIRECT_URIS" --arg aud "$AUD" --arg k "$KID_RS256" '{
    client_id: $c, name: ("Grappe public client " + $c), confidential: false, enabled: true,
    authorization_type: ["code"], token_endpoint_auth_method: ["none"],
    redirect_uri: ($r | split(" ") | map(select(length > 0))),
    scope: ["openid", $aud], sign_kid: $k}')" >/dev/null
fi

# Sanity: discovery + JWKS.
curl -sf "$ISSUER/.well-known/openid-configuration" | jq -e --arg iss "$ISSUER" '.issuer == $iss' >/dev/null \
  || die "discovery document not served"
[ "$(curl -sf "$ISSUER/jwks" | jq '.keys|length')" = 3 ] || die "JWKS does not hold 3 keys"

rm -f "$CJ"
umask 077
{ # shell-quoted, for "source DIR/oidc.env"
  printf '%s=%q\n' GLEWLWYD_PID "$PID"
  printf '%s=%q\n' GLEWLWYD_PORT "$PORT"
  printf '%s=%q\n' GLEWLWYD_BASE "$BASE"
  printf '%s=%q\n' GLEWLWYD_ADMIN_PASSWORD "$ADMIN_PASS"
  printf '%s=%q\n' GLEWLWYD_ADMIN_API_KEY "$API_KEY"
  printf '%s=%q\n' OIDC_ISSUER "$ISSUER"
  printf '%s=%q\n' OIDC_DISCOVERY "$ISSUER/.well-known/openid-configuration"
  printf '%s=%q\n' OIDC_JWKS_URI "$ISSUER/jwks"
  printf '%s=%q\n' OIDC_TOKEN_ENDPOINT "$ISSUER/token"
  printf '%s=%q\n' OIDC_AUDIENCE "$AUD"
  printf '%s=%q\n' OIDC_USER "$T_USER"
  printf '%s=%q\n' OIDC_PASSWORD "$T_PASS"
  printf '%s=%q\n' OIDC_KID_RS256 "$KID_RS256"
  printf '%s=%q\n' OIDC_KID_ES256 "$KID_ES256"
  printf '%s=%q\n' OIDC_KID_EDDSA "$KID_EDDSA"
  printf '%s=%q\n' OIDC_CLIENT_RS256 "grappe-test-rs256"
  printf '%s=%q\n' OIDC_CLIENT_ES256 "grappe-test-es256"
  printf '%s=%q\n' OIDC_CLIENT_EDDSA "grappe-test-eddsa"
  printf '%s=%q\n' OIDC_CLIENT_AUDIENCE "$AUD"
  printf '%s=%q\n' OIDC_CLIENT_SECRET_PREFIX "secret-"
  printf '%s=%q\n' OIDC_RESOURCE "$RESOURCE"
  printf '%s=%q\n' OIDC_PUBLIC_CLIENT "$PUBLIC_CLIENT"
  printf '%s=%q\n' OIDC_REDIRECT_URI "$REDIRECT_URIS"
  printf '%s=%q\n' OIDC_ALLOW_ORIGIN "$ALLOW_ORIGIN"
  printf '%s=%q\n' GLEWLWYD_LOGIN_PAGE "$([ -n "$STATIC_CONF" ] && echo "$BASE/login.html")"
} > "$DIR/oidc.env"
READY=1
log "ready: pid $PID as $RUN_USER, port $PORT, dir $DIR, $(( ($(date +%s%N) - T0) / 1000000 )) ms after launch"
echo "$ISSUER"
