// Grappe cluster editor: OpenID Connect sign-in (authorization code flow with PKCE S256,
// public client) and one cluster edited through the API with JSON Merge Patch and If-Match.
//
// Settings come from config.json next to this page (see config.example.json):
//   api         the API's base URL (its GRAPPE_CORS_ORIGINS must hold this page's origin)
//   issuer      the OpenID Connect issuer; its discovery document gives the endpoints
//   client_id   a public client of that issuer whose redirect URI is this page's URL
//   scope       what to ask for (e.g. "openid grappe-api"); the access token's aud must
//               be the API's GRAPPE_OIDC_AUDIENCE
//   resource    optional RFC 8707 resource indicator, sent when not empty
//   cluster_id  the cluster to edit
//   redirect_uri  optional; default: this page's URL without its query
//
// The access token lives in this script's memory only: a reload signs you in again
// (the provider's own session usually makes that one click). Only what must survive the
// round trip to the provider (state, nonce, PKCE verifier) goes to sessionStorage, and is
// removed as soon as the provider has answered.
"use strict";

const PENDING = "grappe-cluster-editor:pending";
const $ = (id) => document.getElementById(id);

let config = null;     // config.json
let provider = null;   // the issuer's discovery document
let accessToken = null;
let etag = null;       // ETag of the cluster as last read or written

function show(id, visible) { $(id).hidden = !visible; }
function status(text) { $("status").textContent = text; }

function clearProblem() {
  show("problem", false);
  $("problem-text").textContent = "";
  $("problem-errors").replaceChildren();
}

// Shows an error: a sentence, and the items of a problem+json's errors[] if any.
function showProblem(text, errors) {
  $("problem-text").textContent = text;
  $("problem-errors").replaceChildren(...(errors || []).map((e) => {
    const li = document.createElement("li");
    li.textContent = (e.field ? e.field + ": " : "") + (e.message || e.code || "");
    return li;
  }));
  show("problem", true);
}

function base64url(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

function redirectUri() {
  return config.redirect_uri || location.origin + location.pathname;
}

// The claims of a JWT, unverified: only used for the ID token that the token endpoint
// itself just handed us (OpenID Connect Core 3.1.3.7), to check its nonce and show a name.
function jwtClaims(jwt) {
  const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(part + "=".repeat((4 - (part.length % 4)) % 4));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
}

// fetch() on the provider; a network or CORS failure says where to look.
async function providerFetch(url, init) {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw new Error("The identity provider could not be reached at " + url + ": it is down, " +
                    "or it does not allow this page's origin " + location.origin + " (CORS).");
  }
}

async function loadSettings() {
  const r = await fetch("config.json", { cache: "no-store" });
  if (!r.ok) throw new Error("config.json could not be read (HTTP " + r.status + ").");
  config = await r.json();
  for (const k of ["api", "issuer", "client_id", "scope", "cluster_id"]) {
    if (!config[k]) throw new Error("config.json lacks \"" + k + "\".");
  }
  config.api = config.api.replace(/\/+$/, "");
  const issuer = config.issuer.replace(/\/+$/, "");
  const d = await providerFetch(issuer + "/.well-known/openid-configuration");
  if (!d.ok) throw new Error("The provider's discovery document is unreachable (HTTP " + d.status + ").");
  provider = await d.json();
  if (provider.issuer !== config.issuer) throw new Error("The discovery document names another issuer.");
}

async function signIn() {
  const verifier = randomString();
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const pending = { state: randomString(), nonce: randomString(), verifier };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const q = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: redirectUri(),
    scope: config.scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  if (config.resource) q.set("resource", config.resource);
  location.assign(provider.authorization_endpoint + "?" + q);
}

// Back from the provider with ?code=…&state=… (or ?error=…): checks the state, trades
// the code and the PKCE verifier for tokens, checks the ID token's nonce.
async function finishSignIn(params) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", location.pathname); // the code is single-use: out of the URL
  if (!pending || params.get("state") !== pending.state) {
    throw new Error("The answer from the identity provider does not match a sign-in started here (state). Sign in again.");
  }
  if (params.has("error")) {
    throw new Error("The identity provider refused the sign-in: " +
                    (params.get("error_description") || params.get("error")) + ".");
  }
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: params.get("code"),
    redirect_uri: redirectUri(),
    client_id: config.client_id,
    code_verifier: pending.verifier,
  });
  if (config.resource) body.set("resource", config.resource);
  const r = await providerFetch(provider.token_endpoint, { method: "POST", body });
  const tokens = await r.json().catch(() => ({}));
  if (!r.ok || !tokens.access_token) {
    throw new Error("The identity provider gave no token: " +
                    (tokens.error_description || tokens.error || "HTTP " + r.status) + ".");
  }
  let who = "";
  if (tokens.id_token) {
    const id = jwtClaims(tokens.id_token);
    const aud = [].concat(id.aud);
    if (id.nonce !== pending.nonce || id.iss !== config.issuer || !aud.includes(config.client_id)) {
      throw new Error("The ID token is not the answer to this sign-in (nonce, iss or aud).");
    }
    who = id.preferred_username || id.name || id.email || "";
  }
  accessToken = tokens.access_token;
  $("who").textContent = who ? " as " + who : "";
}

function signOut() {
  accessToken = null;
  etag = null;
  $("cluster-form").reset();
  clearProblem();
  show("signed-in", false);
  show("signed-out", true);
  status("Signed out. (Your session at the identity provider stays open: close it there.)");
}

// A failed API answer: its problem+json (detail and errors[]) when it has one.
async function apiProblem(r, what) {
  let p = {};
  if ((r.headers.get("Content-Type") || "").includes("json")) p = await r.json().catch(() => ({}));
  if (r.status === 412) {
    showProblem("Not saved: someone changed this cluster since you loaded it. " +
                "Reload it to see their version, then make your change again.");
  } else if (r.status === 401) {
    showProblem(what + " failed: your sign-in is no longer accepted (" + (p.detail || "401") +
                "). Sign out and sign in again.");
  } else {
    showProblem(what + " failed: " + (p.detail || p.title || "HTTP " + r.status), p.errors);
  }
}

// fetch() on the API; a network or CORS failure gets a sentence that says where to look.
async function apiFetch(url, init) {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw new Error("The API at " + config.api + " could not be reached: it is down, or this " +
                    "page's origin " + location.origin + " is not in its GRAPPE_CORS_ORIGINS.");
  }
}

function apiUrl() {
  return config.api + "/v1/clusters/" + encodeURIComponent(config.cluster_id);
}

function fill(cluster) {
  $("cluster-heading").textContent = cluster.name;
  $("description").value = cluster.description || "";
  $("website").value = cluster.website || "";
}

async function loadCluster() {
  clearProblem();
  status("Loading the cluster…");
  const r = await apiFetch(apiUrl(), {
    headers: { Authorization: "Bearer " + accessToken, Accept: "application/json" },
    cache: "no-store",
  });
  if (!r.ok) { status(""); return apiProblem(r, "Loading the cluster"); }
  etag = r.headers.get("ETag");
  fill(await r.json());
  status("Cluster loaded.");
}

async function save(event) {
  event.preventDefault();
  clearProblem();
  status("Saving…");
  // JSON Merge Patch: only these two members change; an empty website removes it.
  const patch = {
    description: $("description").value,
    website: $("website").value.trim() || null,
  };
  const headers = {
    Authorization: "Bearer " + accessToken,
    "Content-Type": "application/merge-patch+json",
    Accept: "application/json",
  };
  if (etag) headers["If-Match"] = etag;
  const r = await apiFetch(apiUrl(), { method: "PATCH", headers, body: JSON.stringify(patch) });
  if (!r.ok) { status(""); return apiProblem(r, "Saving"); }
  etag = r.headers.get("ETag") || etag;
  fill(await r.json());
  status("Saved.");
}

async function start() {
  $("sign-in").addEventListener("click", () => signIn().catch((e) => showProblem(e.message)));
  $("sign-out").addEventListener("click", signOut);
  $("reload").addEventListener("click", () => loadCluster().catch((e) => {
    status("");
    showProblem(e.message);
  }));
  $("cluster-form").addEventListener("submit", (e) => save(e).catch((err) => {
    status("");
    showProblem("Not saved. " + err.message);
  }));
  try {
    await loadSettings();
    const params = new URLSearchParams(location.search);
    if (params.has("code") || params.has("error")) {
      status("Signing in…");
      await finishSignIn(params);
      show("signed-in", true);
      await loadCluster();
    } else {
      show("signed-out", true);
      status("Not signed in.");
    }
  } catch (e) {
    status("");
    show("signed-out", true);
    showProblem(e.message);
  }
}

start();
