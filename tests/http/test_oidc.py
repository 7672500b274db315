"""Sign-in by token (issue 20; SPEC, Auth: "Authorization: Bearer <JWT> from a configured
OpenID Connect issuer ... RS256, ES256 or EdDSA; exp/nbf with 60 s leeway; role and
clusters from claims").

A real provider: Glewlwyd (Debian's package), started headless by tests/oidc/start-glewlwyd.sh
with a user whose grappe_role is manager of demo cluster 01. Tokens come from its token
endpoint (password grant, tests/oidc/get-token.sh) for the three algorithms. The cases a
provider does not hand out (expired, not yet valid, another audience, claims missing or
wrong, alg none, a key the issuer does not have) are tokens signed here with PyJWT, with the
provider's own private keys (they are in its directory) or with keys of our own.

A server of its own, with GRAPPE_OIDC_ISSUERS naming the provider."""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from conftest import DEMO_01, REPO, Api, demo_id, problem, start_extra_server, stop_extra_server

jwt = pytest.importorskip("jwt")  # python3-jwt, installed by scripts/test
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402

OIDC = REPO / "tests" / "oidc"
AUDIENCE = "grappe-api"


@pytest.fixture(scope="module")
def provider():
    if not shutil.which("glewlwyd"):
        pytest.skip("glewlwyd is not installed (scripts/test installs it)")
    # the provider runs as an unprivileged user: its directory must be reachable by it,
    # which pytest's own (mode 0700) is not
    d = Path(tempfile.mkdtemp(prefix="grappe-oidc-"))
    os.chmod(d, 0o755)
    env = dict(os.environ, GRAPPE_OIDC_AUDIENCE=AUDIENCE, GRAPPE_OIDC_ROLE="manager",
               GRAPPE_OIDC_CLUSTERS=DEMO_01, GLEWLWYD_LOG_LEVEL="WARNING")
    cp = subprocess.run([str(OIDC / "start-glewlwyd.sh"), "auto", str(d / "p")], env=env,
                        capture_output=True, text=True, timeout=120)
    assert cp.returncode == 0, cp.stderr[-3000:]
    issuer = cp.stdout.strip()
    conf = dict(line.split("=", 1) for line in (d / "p" / "oidc.env").read_text().splitlines() if "=" in line)
    yield {"issuer": issuer, "dir": d / "p", "env": conf}
    subprocess.run([str(OIDC / "stop-glewlwyd.sh"), str(d / "p")], capture_output=True, timeout=60)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def srv(provider, grappe_bin, database_url, tmp_path_factory, checker):
    url = os.environ.get("GRAPPE_TEST_SERVER_DATABASE_URL") or database_url
    s = start_extra_server(grappe_bin, url, tmp_path_factory.mktemp("oidc") / "serve.log",
                           GRAPPE_OIDC_ISSUERS=provider["issuer"], GRAPPE_OIDC_AUDIENCE=AUDIENCE)
    s.api = Api(s.base_url, checker)
    yield s
    stop_extra_server(s)


def provider_token(provider, alg="rs256", kind="access"):
    cp = subprocess.run([str(OIDC / "get-token.sh"), str(provider["dir"]), "-a", alg, "-t", kind],
                        capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, cp.stderr[-2000:]
    return cp.stdout.strip()


def signed(provider, alg="es256", kid=None, headers=None, key=None, **claims):
    """A token signed with the provider's key of alg (or key), with these claims over a valid
    manager's."""
    now = int(time.time())
    body = {"iss": provider["issuer"], "aud": AUDIENCE, "sub": "signed-here", "iat": now,
            "exp": now + 300, "grappe_role": "manager", "grappe_clusters": [DEMO_01]}
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    if key is None:
        key = (provider["dir"] / "keys" / f"{alg}.pem").read_bytes()
    h = {"kid": kid or provider["env"][f"OIDC_KID_{alg.upper()}"]}
    h.update(headers or {})
    return jwt.encode(body, key, algorithm={"rs256": "RS256", "es256": "ES256", "eddsa": "EdDSA"}[alg], headers=h)


def oidc_looks_like_jwt(token):
    parts = token.split(".")
    return len(parts) == 3 and all(set(p) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for p in parts)


def refused(srv, token, detail=None, path=f"/v1/memberships?cluster={DEMO_01}"):
    r = srv.api.get(path, key=token)
    body = problem(r, 401, "unauthorized")
    if oidc_looks_like_jwt(token):
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="grappe", error="invalid_token"'
    if detail:
        assert detail in body["detail"], body
    assert token not in srv.log_text(), "a token reached the log"
    return body


@pytest.mark.parametrize("alg", ["rs256", "es256", "eddsa"])
def test_a_token_of_the_provider_signs_in(srv, provider, alg):
    token = provider_token(provider, alg)
    assert jwt.get_unverified_header(token)["alg"] == {"rs256": "RS256", "es256": "ES256", "eddsa": "EdDSA"}[alg]
    r = srv.api.get(f"/v1/memberships?cluster={DEMO_01}&limit=2", key=token)
    assert r.status_code == 200, r.text
    assert r.json()["items"]
    assert token not in srv.log_text()


def test_its_claims_make_a_manager_of_its_clusters(srv, provider):
    token = provider_token(provider, "es256")
    mine = srv.api.get(f"/v1/clusters/{DEMO_01}", key=token)
    assert mine.status_code == 200
    r = srv.api.patch(f"/v1/clusters/{DEMO_01}", {"website": "https://mont-blanc-industries.example"}, key=token,
                      headers={"If-Match": mine.headers["ETag"]})
    assert r.status_code == 200, r.text
    other = demo_id(2)
    theirs = srv.api.get(f"/v1/clusters/{other}", key=token)
    r = srv.api.patch(f"/v1/clusters/{other}", {"website": "https://other.example"}, key=token,
                      headers={"If-Match": theirs.headers["ETag"]})
    problem(r, 403, "forbidden")
    # a manager's list is narrowed to its clusters
    problem(srv.api.get(f"/v1/memberships?cluster={other}", key=token), 403, "forbidden")
    # and the keys are an admin's
    problem(srv.api.get("/v1/keys", key=token), 403, "forbidden")


def test_the_same_person_is_the_same_caller(srv, provider):
    """The person's id (issuer and sub) is what the change feed records as the origin."""
    token = provider_token(provider)
    sub = jwt.decode(token, options={"verify_signature": False})["sub"]
    expected = uuid.UUID(bytes=__import__("hashlib").sha256(f"{provider['issuer']}\n{sub}".encode()).digest()[:16])
    r = srv.api.get(f"/v1/clusters/{DEMO_01}", key=token)
    r = srv.api.patch(f"/v1/clusters/{DEMO_01}", {"website": f"https://mbi-{int(time.time())}.example"}, key=token,
                      headers={"If-Match": r.headers["ETag"]})
    assert r.status_code == 200
    assert str(expected)[:8] in srv.log_text()  # the access log names the caller, never the token


def test_roles_and_clusters_from_claims(srv, provider):
    admin = signed(provider, grappe_role="admin", grappe_clusters=None)
    assert srv.api.get("/v1/keys", key=admin).status_code == 200
    reader = signed(provider, "rs256", grappe_role="reader", grappe_clusters=None)
    assert srv.api.get(f"/v1/memberships?cluster={demo_id(2)}", key=reader).status_code == 200
    problem(srv.api.patch(f"/v1/clusters/{DEMO_01}", {"website": "https://x.example"}, key=reader,
                          headers={"If-Match": "*"}), 403, "forbidden")
    # Glewlwyd flattens a list into one string in access tokens: both forms are read
    flat = signed(provider, "eddsa", grappe_clusters=f"{DEMO_01},{demo_id(2)}")
    assert srv.api.get(f"/v1/memberships?cluster={demo_id(2)}", key=flat).status_code == 200
    refused(srv, signed(provider, grappe_role="owner"), "grappe_role")
    refused(srv, signed(provider, grappe_role=None), "grappe_role")
    refused(srv, signed(provider, grappe_clusters=None), "grappe_clusters")
    refused(srv, signed(provider, grappe_clusters=["not-a-uuid"]), "grappe_clusters")


def test_time_claims_have_a_minute_of_leeway(srv, provider):
    now = int(time.time())
    assert srv.api.get(f"/v1/clusters/{DEMO_01}", key=signed(provider, exp=now - 30)).status_code == 200
    refused(srv, signed(provider, exp=now - 90), "expired")
    refused(srv, signed(provider, exp=None), "exp")
    assert srv.api.get(f"/v1/clusters/{DEMO_01}", key=signed(provider, nbf=now + 30)).status_code == 200
    refused(srv, signed(provider, nbf=now + 120), "nbf")


def test_audience_issuer_and_subject(srv, provider):
    assert srv.api.get(f"/v1/clusters/{DEMO_01}", key=signed(provider, aud=["other-api", AUDIENCE])).status_code == 200
    refused(srv, signed(provider, aud="other-api"), "aud")
    refused(srv, signed(provider, aud=None), "aud")
    refused(srv, signed(provider, iss=provider["issuer"] + "/other"), "issuer")
    refused(srv, signed(provider, sub=None), "sub")
    # an ID token is meant for the client, not for the API... unless the client is the API:
    # Glewlwyd's client named after the audience gets aud == audience
    assert srv.api.get(f"/v1/clusters/{DEMO_01}", key=provider_token(provider, kind="id")).status_code in (200, 401)


def test_signatures_and_keys(srv, provider):
    good = signed(provider)
    head, body, sig = good.split(".")
    tampered_body = base64.urlsafe_b64encode(json.dumps(
        dict(json.loads(base64.urlsafe_b64decode(body + "==")), grappe_role="admin")).encode()).rstrip(b"=").decode()
    refused(srv, f"{head}.{tampered_body}.{sig}", "signature")
    # alg none, and HS256 keyed with something public
    none_head = base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": provider["env"]["OIDC_KID_ES256"]}).encode()).rstrip(b"=").decode()
    refused(srv, f"{none_head}.{body}.", None)
    refused(srv, jwt.encode({"iss": provider["issuer"], "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60,
                             "grappe_role": "admin"}, "secret", algorithm="HS256",
                            headers={"kid": provider["env"]["OIDC_KID_RS256"]}), "alg")
    # a key of our own under the issuer's kid, or under a kid it does not have, or carried by
    # the token itself
    mine = ec.generate_private_key(ec.SECP256R1())
    pem = mine.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    refused(srv, signed(provider, key=pem), "signature")
    refused(srv, signed(provider, key=pem, kid="not-a-kid-of-the-issuer"), "kid")
    pub = jwt.algorithms.ECAlgorithm.to_jwk(mine.public_key())
    refused(srv, signed(provider, key=pem, kid="embedded", headers={"jwk": json.loads(pub)}), "kid")
    # an RS256 token under the ES256 key's kid
    refused(srv, signed(provider, "rs256", kid=provider["env"]["OIDC_KID_ES256"]), None)
    # not a JWT at all
    refused(srv, "abc.def", None)


def key_fetches(srv, admin_key):
    r = srv.api.get("/metrics", key=admin_key)
    assert r.status_code == 200
    line = next(l for l in r.text.splitlines() if l.startswith("grappe_oidc_key_fetches_total "))
    return int(line.split()[1])


def test_an_unknown_kid_fetches_the_keys_at_most_once_a_minute(srv, provider, admin_key):
    """Unknown kids do not make the server hammer the provider: a burst of them costs at
    most one more fetch of the issuer's keys (grappe_oidc_key_fetches_total)."""
    assert srv.api.get(f"/v1/clusters/{DEMO_01}", key=provider_token(provider)).status_code == 200
    before = key_fetches(srv, admin_key)
    assert before >= 1
    rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = rogue.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    for i in range(5):
        refused(srv, signed(provider, "rs256", key=pem, kid=f"rogue-{i}"), "kid")
    assert key_fetches(srv, admin_key) - before <= 1
    # the issuer's own keys still work without a fetch
    assert srv.api.get(f"/v1/clusters/{DEMO_01}", key=signed(provider)).status_code == 200
    assert key_fetches(srv, admin_key) - before <= 1


def test_an_api_key_still_works_beside_tokens(srv, admin_key):
    assert srv.api.get("/v1/keys", key=admin_key).status_code == 200
    problem(srv.api.get("/v1/keys", key="grappe_" + "x" * 43), 401, "unauthorized")
