#!/usr/bin/env bash
# get-token.sh DIR [options]   -> prints one signed JWT on stdout
#
# DIR is the directory given to start-glewlwyd.sh (reads DIR/oidc.env).
#   -a rs256|es256|eddsa   signing key, i.e. client grappe-test-<a>   (default rs256)
#   -c CLIENT_ID           explicit client (secret = secret-<CLIENT_ID>)
#   -t access|id           which token to print                        (default access)
#   -f password|code|client_credentials   grant used                   (default password)
#   -u USER -p PASSWORD    user credentials                            (default from oidc.env)
#   -r                     send resource=$OIDC_RESOURCE (RFC 8707; code and
#                          client_credentials only; start with GRAPPE_OIDC_RESOURCE)
#   -d                     also print decoded header and claims on stderr
#
# Access tokens are requested with scope "$OIDC_AUDIENCE" only: Glewlwyd puts the
# granted scope list in "aud", so aud == "$OIDC_AUDIENCE". ID tokens need scope
# "openid $OIDC_AUDIENCE"; their aud is the client_id (default client for -t id is
# the client named "$OIDC_AUDIENCE", so aud == audience there too).
set -euo pipefail
die() { echo "get-token: $*" >&2; exit 1; }

DIR=${1:?usage: get-token.sh DIR [-a rs256|es256|eddsa] [-c client] [-t access|id] [-f password|code|client_credentials] [-u user -p pass] [-d]}
shift
[ -r "$DIR/oidc.env" ] || die "no $DIR/oidc.env (start-glewlwyd.sh not run?)"
# shellcheck disable=SC1091
. "$DIR/oidc.env"

ALG= CLIENT= TYPE=access FLOW=password USER_=$OIDC_USER PASS_=$OIDC_PASSWORD DECODE=0 RES=()
while getopts "a:c:t:f:u:p:rd" o; do
  case $o in
    a) ALG=$OPTARG ;; c) CLIENT=$OPTARG ;; t) TYPE=$OPTARG ;; f) FLOW=$OPTARG ;;
    u) USER_=$OPTARG ;; p) PASS_=$OPTARG ;; d) DECODE=1 ;;
    r) [ -n "${OIDC_RESOURCE:-}" ] || die "-r: provider started without GRAPPE_OIDC_RESOURCE"
       RES=(--data-urlencode "resource=$OIDC_RESOURCE") ;;
    *) die "bad option" ;;
  esac
done
case $TYPE in access|id) ;; *) die "-t access|id" ;; esac
if [ -z "$CLIENT" ]; then
  if [ -n "$ALG" ]; then CLIENT="grappe-test-$ALG"
  elif [ "$TYPE" = id ]; then CLIENT=$OIDC_AUDIENCE
  else CLIENT=grappe-test-rs256; fi
fi
SECRET="secret-$CLIENT"
if [ "$TYPE" = id ]; then SCOPE="openid $OIDC_AUDIENCE"; else SCOPE=$OIDC_AUDIENCE; fi
REDIRECT=http://127.0.0.1/callback

case $FLOW in
  password)
    [ ${#RES[@]} = 0 ] || die "-r: Glewlwyd ignores resource in the password grant"
    RESP=$(curl -sS -u "$CLIENT:$SECRET" -d grant_type=password \
            --data-urlencode "username=$USER_" --data-urlencode "password=$PASS_" \
            --data-urlencode "scope=$SCOPE" "$OIDC_TOKEN_ENDPOINT") ;;
  client_credentials)
    [ "$TYPE" = access ] || die "client_credentials gives no id_token"
    RESP=$(curl -sS -u "$CLIENT:$SECRET" -d grant_type=client_credentials \
            --data-urlencode "scope=$SCOPE" "${RES[@]}" "$OIDC_TOKEN_ENDPOINT") ;;
  code)
    # Authorization code flow driven with curl: user session cookie, consent
    # (PUT /api/auth/grant/{client_id}/, scope list SPACE separated), then
    # /auth with g_continue (skips the login page), then /token.
    JAR=$(mktemp); trap 'rm -f "$JAR"' EXIT
    curl -sSf -o /dev/null -c "$JAR" -b "$JAR" -H 'Content-Type: application/json' \
      -d "$(jq -nc --arg u "$USER_" --arg p "$PASS_" '{username:$u,password:$p}')" \
      "$GLEWLWYD_BASE/api/auth/" || die "user login failed"
    curl -sSf -o /dev/null -c "$JAR" -b "$JAR" -X PUT -H 'Content-Type: application/json' \
      -d "$(jq -nc --arg s "$SCOPE" '{scope:$s}')" "$GLEWLWYD_BASE/api/auth/grant/$CLIENT/" \
      || die "consent (grant) failed"
    STATE=$(openssl rand -hex 8); NONCE=$(openssl rand -hex 8)
    LOC=$(curl -sS -o /dev/null -w '%{redirect_url}' -c "$JAR" -b "$JAR" -G \
      --data-urlencode response_type=code --data-urlencode "client_id=$CLIENT" \
      --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode "scope=$SCOPE" \
      --data-urlencode "state=$STATE" --data-urlencode "nonce=$NONCE" \
      --data-urlencode g_continue= "${RES[@]}" "$OIDC_ISSUER/auth")
    CODE=$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$LOC")
    [ -n "$CODE" ] || die "no code in redirect: $LOC"
    RESP=$(curl -sS -u "$CLIENT:$SECRET" -d grant_type=authorization_code \
            --data-urlencode "code=$CODE" --data-urlencode "redirect_uri=$REDIRECT" \
            "${RES[@]}" "$OIDC_TOKEN_ENDPOINT") ;;
  *) die "-f password|code|client_credentials" ;;
esac

if [ "$TYPE" = id ]; then FIELD=id_token; else FIELD=access_token; fi
TOKEN=$(jq -r --arg f "$FIELD" '.[$f] // empty' <<<"$RESP" 2>/dev/null || true)
[ -n "$TOKEN" ] || die "no $FIELD in response: $RESP"

if [ "$DECODE" = 1 ]; then
  b64url() { local s; s=$(tr '_-' '/+' <<<"$1"); while [ $(( ${#s} % 4 )) != 0 ]; do s="$s="; done; base64 -d <<<"$s"; }
  { echo "header: $(b64url "$(cut -d. -f1 <<<"$TOKEN")")"
    echo "claims: $(b64url "$(cut -d. -f2 <<<"$TOKEN")" | jq -c .)"; } >&2
fi
echo "$TOKEN"
