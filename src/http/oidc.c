/* Bearer JWTs from configured OpenID Connect issuers: see include/oidc.h.

   Rhonabwy parses with R_PARSE_NONE (never a key or a URL from the token's header: with
   them, a token carrying its own key would verify) and checks the signature with the key
   of the issuer's JWKS that the token's kid names, whose type and alg must match the
   token's alg. The claims are read here, not by r_jwt_validate_claims (which compares
   `aud` as one string only). */
#include "oidc.h"

#include <jansson.h>
#include <pthread.h>
#include <rhonabwy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ulfius.h>
#include <yder.h>

#include "clock.h"
#include "mem.h"
#include "strv.h"
#include "text.h"
#include "validate.h"

struct issuer {
  char *url;
  pthread_mutex_t lock;
  jwks_t *keys;      /* NULL until fetched */
  double fetched_at; /* monotonic time of the last attempt, 0: none */
};

struct oidc {
  struct issuer *issuers;
  size_t nissuers;
  char *audience, *role_claim, *clusters_claim;
  _Atomic unsigned long long fetches;
};

unsigned long long oidc_key_fetches(struct oidc *o) { return o ? o->fetches : 0; }

bool oidc_issuer_valid(const char *url) {
  if (!url || strlen(url) > 400 || strpbrk(url, " \t\r\n\"'<>\\")) return false;
  if (strncmp(url, "https://", 8) == 0) return url[8] != '\0' && url[8] != '/';
  static const char *const loopback[] = {"http://127.0.0.1", "http://localhost", "http://[::1]"};
  for (size_t i = 0; i < sizeof loopback / sizeof *loopback; i++) {
    size_t n = strlen(loopback[i]);
    if (strncmp(url, loopback[i], n) == 0 && strchr(":/", url[n] ? url[n] : '/')) return true;
  }
  return false;
}

struct oidc *oidc_new(const char *issuers, const char *audience, const char *role_claim,
                      const char *clusters_claim) {
  if (!issuers || !*issuers) return NULL;
  static int initialised;
  if (!initialised++) r_global_init();
  struct oidc *o = xcalloc(1, sizeof *o);
  char **urls = split_commas(issuers);
  for (char **u = urls; u && *u; u++) o->nissuers++;
  o->issuers = xcalloc(o->nissuers ? o->nissuers : 1, sizeof *o->issuers);
  for (size_t i = 0; i < o->nissuers; i++) {
    size_t n = strlen(urls[i]);
    while (n > 0 && urls[i][n - 1] == '/') n--; /* the issuer as tokens spell it */
    o->issuers[i].url = xstrndup(urls[i], n);
    pthread_mutex_init(&o->issuers[i].lock, NULL);
  }
  strv_free(urls);
  o->audience = xstrdup(audience ? audience : "");
  o->role_claim = xstrdup(role_claim && *role_claim ? role_claim : "grappe_role");
  o->clusters_claim =
    xstrdup(clusters_claim && *clusters_claim ? clusters_claim : "grappe_clusters");
  return o;
}

void oidc_free(struct oidc *o) {
  if (!o) return;
  for (size_t i = 0; i < o->nissuers; i++) {
    free(o->issuers[i].url);
    r_jwks_free(o->issuers[i].keys);
    pthread_mutex_destroy(&o->issuers[i].lock);
  }
  free(o->issuers);
  free(o->audience);
  free(o->role_claim);
  free(o->clusters_claim);
  free(o);
}

bool oidc_looks_like_jwt(const char *t) {
  size_t dots = 0, n = 0;
  for (; t[n]; n++) {
    if (t[n] == '.') dots++;
    else if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", t[n]))
      return false;
  }
  return dots == 2 && n >= 5 && n <= 16384;
}

/* GET url as JSON (an object), within OIDC_FETCH_TIMEOUT_S; NULL on any failure. */
static json_t *fetch_json(const char *url) {
  struct _u_request req;
  struct _u_response resp;
  ulfius_init_request(&req);
  ulfius_init_response(&resp);
  req.http_verb = o_strdup("GET");
  req.http_url = o_strdup(url);
  req.timeout = OIDC_FETCH_TIMEOUT_S;
  req.follow_redirect = 0;
  u_map_put(req.map_header, "Accept", "application/json");
  json_t *out = NULL;
  if (ulfius_send_http_request(&req, &resp) == U_OK && resp.status == 200) {
    json_error_t err;
    out = json_loadb(resp.binary_body, resp.binary_body_length, 0, &err);
    if (!json_is_object(out)) {
      json_decref(out);
      out = NULL;
    }
  }
  ulfius_clean_request(&req);
  ulfius_clean_response(&resp);
  return out;
}

/* The issuer's keys fetched again (under its lock): its discovery document, then its JWKS.
   False when either could not be had (the keys kept before stay). */
static bool refresh(struct oidc *o, struct issuer *is) {
  o->fetches++;
  is->fetched_at = clock_mono();
  char url[512];
  snprintf(url, sizeof url, "%s/.well-known/openid-configuration", is->url);
  json_t *doc = fetch_json(url);
  const char *named = json_string_value(json_object_get(doc, "issuer"));
  const char *jwks_uri = json_string_value(json_object_get(doc, "jwks_uri"));
  bool ok = false;
  if (!named || strcmp(named, is->url) != 0) {
    y_log_message(Y_LOG_LEVEL_WARNING, "oidc - %s: no discovery document naming this issuer at %s",
                  is->url, url);
  } else if (!jwks_uri || !oidc_issuer_valid(jwks_uri)) {
    y_log_message(Y_LOG_LEVEL_WARNING, "oidc - %s: the discovery document has no usable jwks_uri",
                  is->url);
  } else {
    json_t *set = fetch_json(jwks_uri);
    jwks_t *keys = NULL;
    if (set && r_jwks_init(&keys) == RHN_OK) {
      r_jwks_import_from_json_t(keys, set); /* a key it cannot read is left out */
      if (r_jwks_size(keys) > 0) {
        r_jwks_free(is->keys);
        is->keys = keys;
        keys = NULL;
        ok = true;
      }
    }
    r_jwks_free(keys);
    json_decref(set);
    if (!ok)
      y_log_message(Y_LOG_LEVEL_WARNING, "oidc - %s: no usable key at %s", is->url, jwks_uri);
  }
  json_decref(doc);
  return ok;
}

/* A copy of the issuer's key named kid (r_jwk_free it), fetching the keys when there are
   none yet, or when kid is unknown and the last fetch is OIDC_REFRESH_S old. *unavailable:
   the issuer's keys could not be had at all. */
static jwk_t *key_for(struct oidc *o, struct issuer *is, const char *kid, bool *unavailable) {
  pthread_mutex_lock(&is->lock);
  jwk_t *k = is->keys && kid ? r_jwks_get_by_kid(is->keys, kid) : NULL;
  if (!k && (!is->keys || clock_mono() - is->fetched_at >= OIDC_REFRESH_S || is->fetched_at == 0)) {
    refresh(o, is);
    k = is->keys && kid ? r_jwks_get_by_kid(is->keys, kid) : NULL;
  }
  *unavailable = !is->keys;
  pthread_mutex_unlock(&is->lock);
  return k;
}

static bool aud_matches(json_t *aud, const char *audience) {
  if (json_is_string(aud)) return strcmp(json_string_value(aud), audience) == 0;
  size_t i;
  json_t *v;
  json_array_foreach(aud, i, v)
    if (json_is_string(v) && strcmp(json_string_value(v), audience) == 0) return true;
  return false;
}

/* The clusters claim as a strv of cluster ids: an array of strings, or one string of ids
   separated by commas or spaces. NULL when it is neither, or an item is not a UUID. */
static char **clusters_of(json_t *claim) {
  char **out = xcalloc(101, sizeof *out);
  size_t n = 0;
  bool ok = true;
  if (json_is_array(claim)) {
    size_t i;
    json_t *v;
    json_array_foreach(claim, i, v) {
      if (n == 100 || !json_is_string(v) || !uuid_valid(json_string_value(v))) {
        ok = false;
        break;
      }
      out[n++] = xstrdup(json_string_value(v));
    }
  } else if (json_is_string(claim)) {
    const char *p = json_string_value(claim);
    while (*p && ok) {
      p += strspn(p, ", ");
      size_t len = strcspn(p, ", ");
      if (!len) break;
      char *id = xstrndup(p, len);
      if (n == 100 || !uuid_valid(id)) {
        free(id);
        ok = false;
      } else {
        out[n++] = id;
      }
      p += len;
    }
  } else {
    ok = false;
  }
  if (!ok) {
    strv_free(out);
    return NULL;
  }
  return out;
}

/* A UUID-shaped id of the person: the first 16 bytes of SHA-256(issuer "\n" sub). */
static void person_id(const char *iss, const char *sub, char out[37]) {
  size_t n = strlen(iss) + strlen(sub) + 2;
  char *s = xmalloc(n);
  snprintf(s, n, "%s\n%s", iss, sub);
  unsigned char h[32];
  sha256_raw(s, strlen(s), h);
  free(s);
  h[6] = (unsigned char)((h[6] & 0x0f) | 0x50); /* version 5 (name-based) */
  h[8] = (unsigned char)((h[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0],
           h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14],
           h[15]);
}

#define FAIL(...)                         \
  do {                                    \
    snprintf(why, why_size, __VA_ARGS__); \
    goto done;                            \
  } while (0)

enum oidc_result oidc_verify(struct oidc *o, const char *token, struct oidc_principal *out,
                             char *why, size_t why_size) {
  enum oidc_result rc = OIDC_INVALID;
  jwt_t *jwt = NULL;
  jwk_t *key = NULL;
  json_t *claims = NULL;
  memset(out, 0, sizeof *out);
  if (!o) FAIL("Sign-in by token is not configured on this server.");
  if (r_jwt_init(&jwt) != RHN_OK) FAIL("The token could not be read.");
  if (r_jwt_advanced_parse(jwt, token, R_PARSE_NONE, 0) != RHN_OK ||
      r_jwt_get_type(jwt) != R_JWT_TYPE_SIGN)
    FAIL("The token is not a signed JWT.");
  jwa_alg alg = r_jwt_get_sign_alg(jwt);
  if (alg != R_JWA_ALG_RS256 && alg != R_JWA_ALG_ES256 && alg != R_JWA_ALG_EDDSA)
    FAIL("The token's alg must be RS256, ES256 or EdDSA.");
  claims = r_jwt_get_full_claims_json_t(jwt);
  const char *iss = json_string_value(json_object_get(claims, "iss"));
  struct issuer *is = NULL;
  for (size_t i = 0; iss && i < o->nissuers && !is; i++)
    if (strcmp(o->issuers[i].url, iss) == 0) is = &o->issuers[i];
  if (!is) FAIL("The token's issuer is not one this server trusts.");
  const char *kid = r_jwt_get_header_str_value(jwt, "kid");
  if (!kid || !*kid) FAIL("The token names no key (kid).");
  bool unavailable = false;
  key = key_for(o, is, kid, &unavailable);
  if (!key) {
    if (unavailable) {
      rc = OIDC_UNAVAILABLE;
      FAIL("The keys of the token's issuer cannot be fetched now; try again shortly.");
    }
    FAIL("The token's key (kid) is not one of its issuer's.");
  }
  const char *key_alg = r_jwk_get_property_str(key, "alg");
  if (key_alg && strcmp(key_alg, r_jwa_alg_to_str(alg)) != 0)
    FAIL("The token's alg is not its key's.");
  if (r_jwt_verify_signature(jwt, key, 0) != RHN_OK) FAIL("The token's signature is not valid.");
  if (!aud_matches(json_object_get(claims, "aud"), o->audience))
    FAIL("The token is not meant for this API (aud).");
  double now = (double)time(NULL);
  json_t *exp = json_object_get(claims, "exp"), *nbf = json_object_get(claims, "nbf");
  if (!json_is_number(exp)) FAIL("The token has no expiry (exp).");
  if (now > json_number_value(exp) + OIDC_LEEWAY_S) FAIL("The token has expired.");
  if (nbf && (!json_is_number(nbf) || now < json_number_value(nbf) - OIDC_LEEWAY_S))
    FAIL("The token is not valid yet (nbf).");
  const char *sub = json_string_value(json_object_get(claims, "sub"));
  if (!sub || !*sub) FAIL("The token names nobody (sub).");
  const char *role = json_string_value(json_object_get(claims, o->role_claim));
  if (!role ||
      (strcmp(role, "admin") != 0 && strcmp(role, "manager") != 0 && strcmp(role, "reader") != 0))
    FAIL("The token's %s claim must be admin, manager or reader.", o->role_claim);
  if (strcmp(role, "manager") == 0) {
    out->clusters = clusters_of(json_object_get(claims, o->clusters_claim));
    if (!out->clusters || !out->clusters[0])
      FAIL("A manager's token names its clusters in %s (cluster ids).", o->clusters_claim);
  }
  person_id(iss, sub, out->id);
  snprintf(out->role, sizeof out->role, "%s", role);
  rc = OIDC_OK;
done:
  if (rc != OIDC_OK) {
    strv_free(out->clusters);
    out->clusters = NULL;
  }
  json_decref(claims);
  r_jwk_free(key);
  r_jwt_free(jwt);
  return rc;
}
