#!/usr/bin/env bash
# demo.sh : end-to-end check of the prototype, as root, in a fresh temp dir.
#   start provider -> discovery + JWKS -> tokens (3 algs x password/code, access/id)
#   -> verify-token (Rhonabwy) -> negative cases -> stop provider.
# Ends with a line "N passed, M failed"; exit code 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")"
PASS=0 FAIL=0
ok()  { PASS=$((PASS+1)); echo "ok   - $*"; }
bad() { FAIL=$((FAIL+1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

[ -x verify-token ] || cc -Wall -Wextra -O2 -o verify-token verify-token.c \
    $(pkg-config --cflags --libs librhonabwy) -ljansson || exit 1

DIR=$(mktemp -d /tmp/grappe-oidc.XXXXXX)
DIR2=$(mktemp -d /tmp/grappe-oidc-ttl.XXXXXX)
trap './stop-glewlwyd.sh "$DIR"; ./stop-glewlwyd.sh "$DIR2"; rm -rf "$DIR" "$DIR2"' EXIT
T0=$(date +%s%N)
ISSUER=$(./start-glewlwyd.sh auto "$DIR") || { echo "start failed"; exit 1; }
echo "issuer: $ISSUER   (start-glewlwyd.sh took $(( ($(date +%s%N) - T0) / 1000000 )) ms)"
# shellcheck disable=SC1091
. "$DIR/oidc.env"
echo "daemon: $(ps -o pid=,user=,args= -p "$GLEWLWYD_PID")"

echo "--- discovery ($OIDC_DISCOVERY)"
DISC=$(curl -sf "$OIDC_DISCOVERY")
jq -c '{issuer, jwks_uri, token_endpoint, authorization_endpoint, id_token_signing_alg_values_supported}' <<<"$DISC"
check "discovery issuer == $ISSUER" test "$(jq -r .issuer <<<"$DISC")" = "$ISSUER"
check "discovery jwks_uri == $OIDC_JWKS_URI" test "$(jq -r .jwks_uri <<<"$DISC")" = "$OIDC_JWKS_URI"
echo "--- JWKS ($OIDC_JWKS_URI)"
curl -sf "$OIDC_JWKS_URI" > "$DIR/jwks.json"
jq -c '.keys[] | {kid, kty, alg, crv, private_part_present: has("d")}' "$DIR/jwks.json"
check "JWKS has RSA, EC P-256 and OKP Ed25519 public keys, no private part" \
  test "$(jq -c '[.keys[] | [.kty, (.crv // "-"), .alg, has("d")]] | sort' "$DIR/jwks.json")" = \
       '[["EC","P-256","ES256",false],["OKP","Ed25519","EdDSA",false],["RSA","-","RS256",false]]'

echo "--- tokens, verified by verify-token (Rhonabwy) against the JWKS"
for a in rs256 es256 eddsa; do
  for f in password code; do
    for t in access id; do
      if [ "$t" = id ]; then aud=grappe-test-$a; else aud=$OIDC_AUDIENCE; fi
      tok=$(./get-token.sh "$DIR" -a "$a" -f "$f" -t "$t") || { bad "get-token -a $a -f $f -t $t"; continue; }
      out=$(./verify-token "$DIR/jwks.json" "$OIDC_ISSUER" "$aud" "$tok")
      check "$a $f $t: $(jq -c '{alg,kid,aud,grappe_role,grappe_clusters_raw}' <<<"$out")" \
        test "$(jq -r .valid <<<"$out")" = true
    done
  done
done
tok=$(./get-token.sh "$DIR" -t id)
out=$(./verify-token "$OIDC_JWKS_URI" "$OIDC_ISSUER" "$OIDC_AUDIENCE" "$tok")
check "id_token of client '$OIDC_AUDIENCE', JWKS fetched from jwks_uri: $(jq -c '{aud,grappe_clusters}' <<<"$out")" \
  test "$(jq -r .valid <<<"$out")" = true

echo "--- one token decoded (get-token.sh -d)"
tok=$(./get-token.sh "$DIR" -a eddsa -d)

echo "--- negative cases"
b64u() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
b64d() { local s; s=$(tr '_-' '/+' <<<"$1"); while [ $(( ${#s} % 4 )) != 0 ]; do s="$s="; done; base64 -d <<<"$s"; }
T=$(./get-token.sh "$DIR" -a rs256)
H=$(cut -d. -f1 <<<"$T"); P=$(cut -d. -f2 <<<"$T"); S=$(cut -d. -f3 <<<"$T")
rejects() { # rejects LABEL ISSUER AUD TOKEN EXPECTED_ERROR_SUBSTRING
  local out; out=$(./verify-token "$DIR/jwks.json" "$2" "$3" "$4")
  check "$1 rejected ($(jq -r .error <<<"$out"))" \
    bash -c '[ "$(jq -r .valid <<<"$1")" = false ] && jq -r .error <<<"$1" | grep -q -- "$2"' _ "$out" "$5"
}
rejects "wrong audience" "$OIDC_ISSUER" other-api "$T" "aud mismatch"
rejects "wrong issuer" "http://127.0.0.1:1/api/oidc" "$OIDC_AUDIENCE" "$T" "iss"
P2=$(b64d "$P" | jq -c '.grappe_role="admin"' | b64u)
rejects "payload tampered (role=admin)" "$OIDC_ISSUER" "$OIDC_AUDIENCE" "$H.$P2.$S" "bad signature"
rejects "alg none" "$OIDC_ISSUER" "$OIDC_AUDIENCE" "$(printf '{"alg":"none"}' | b64u).$P." "not a parsable"
HH=$(jq -nc --arg k "$OIDC_KID_RS256" '{alg:"HS256",kid:$k}' | b64u)
SIG=$(printf '%s' "$HH.$P2" | openssl dgst -sha256 -hmac "$(jq -c '.keys[0]' "$DIR/jwks.json")" -binary | b64u)
rejects "HS256 keyed with the public JWK" "$OIDC_ISSUER" "$OIDC_AUDIENCE" "$HH.$P2.$SIG" "alg not allowed"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$DIR/evil.pem" 2>/dev/null
HR=$(jq -nc --arg k "$OIDC_KID_RS256" '{alg:"RS256",kid:$k}' | b64u)
SIG=$(printf '%s' "$HR.$P2" | openssl dgst -sha256 -sign "$DIR/evil.pem" -binary | b64u)
rejects "signed by a foreign key with the provider's kid" "$OIDC_ISSUER" "$OIDC_AUDIENCE" "$HR.$P2.$SIG" "bad signature"
openssl pkey -in "$DIR/evil.pem" -pubout -out "$DIR/evil.pub"
EJWK=$(rnbyc -j -n 0 -f "$DIR/evil.pub" -k evil | jq -c '.keys[0] | {kty,n,e}')
HJ=$(jq -nc --argjson k "$EJWK" '{alg:"RS256",jwk:$k}' | b64u)
SIG=$(printf '%s' "$HJ.$P2" | openssl dgst -sha256 -sign "$DIR/evil.pem" -binary | b64u)
rejects "token carrying its own jwk header" "$OIDC_ISSUER" "$OIDC_AUDIENCE" "$HJ.$P2.$SIG" "no key for this kid"
CC=$(./get-token.sh "$DIR" -f client_credentials)
rejects "client_credentials token (no user claims)" "$OIDC_ISSUER" "$OIDC_AUDIENCE" "$CC" "grappe_role missing"
code=$(curl -s -o /dev/null -w '%{http_code}' -u grappe-test-rs256:secret-grappe-test-rs256 -d grant_type=password \
       -d username="$OIDC_USER" -d password=wrong -d scope="$OIDC_AUDIENCE" "$OIDC_TOKEN_ENDPOINT")
check "wrong user password -> HTTP 403 at /token (got $code)" test "$code" = 403

echo "--- expiry: second provider in parallel, access tokens valid 2 s"
ISS2=$(GRAPPE_OIDC_TOKEN_TTL=2 ./start-glewlwyd.sh auto "$DIR2") || bad "second provider start"
T2=$(./get-token.sh "$DIR2" -a es256)
check "fresh 2-second token valid" test "$(./verify-token "$ISS2/jwks" "$ISS2" "$OIDC_AUDIENCE" "$T2" | jq -r .valid)" = true
rejects "token of provider 2 checked against provider 1's JWKS" "$ISS2" "$OIDC_AUDIENCE" "$T2" "no key for this kid"
sleep 3
out=$(./verify-token "$ISS2/jwks" "$ISS2" "$OIDC_AUDIENCE" "$T2")
check "expired token rejected ($(jq -r .error <<<"$out"))" test "$(jq -r .valid <<<"$out")" = false
check "expired token accepted with -l 60 leeway" test "$(./verify-token -l 60 "$ISS2/jwks" "$ISS2" "$OIDC_AUDIENCE" "$T2" | jq -r .valid)" = true

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
