/* Bearer JWTs from the OpenID Connect issuers of GRAPPE_OIDC_ISSUERS (src/http/oidc.c):
   people sign in to a front end at the network's identity provider and call the API with
   the access token it gave them, instead of a key.

   A token is verified with Rhonabwy against its issuer's keys: the discovery document
   (<issuer>/.well-known/openid-configuration) names the JWKS, both fetched at the first
   token of that issuer and kept; a token whose `kid` the kept keys lack makes the keys
   fetched again, at most once a minute an issuer. RS256, ES256 and EdDSA only; the key is
   always the issuer's (never one the token names or carries); `iss` exactly, `aud` the
   audience (a string or one of an array), `exp` and `nbf` with 60 s of leeway, a `sub`.
   The role and the clusters come from two claims (GRAPPE_OIDC_ROLE_CLAIM, default
   grappe_role: admin, manager or reader; GRAPPE_OIDC_CLUSTERS_CLAIM, default
   grappe_clusters: an array of cluster ids, or one string of them separated by commas or
   spaces, as some providers flatten lists). A token never reaches a log. */
#ifndef GRAPPE_OIDC_H
#define GRAPPE_OIDC_H
#include <stdbool.h>
#include <stddef.h>

#define OIDC_LEEWAY_S 60
#define OIDC_REFRESH_S 60 /* an issuer's keys are fetched again at most this often */
#define OIDC_FETCH_TIMEOUT_S 5

struct oidc;

/* The person a valid token names. */
struct oidc_principal {
  char id[37];     /* a UUID derived from the issuer and `sub`: the same person, the same id */
  char role[8];    /* admin, manager or reader */
  char **clusters; /* a manager's clusters, a strv (strv.h) to free; NULL for other roles */
};

/* NULL when issuers is NULL or empty (no sign-in by token). issuers: URLs separated by
   commas. */
struct oidc *oidc_new(const char *issuers, const char *audience, const char *role_claim,
                      const char *clusters_claim);
void oidc_free(struct oidc *o);
/* Is an issuer URL acceptable (https://, or http:// on a loopback host)? */
bool oidc_issuer_valid(const char *url);

enum oidc_result { OIDC_OK, OIDC_INVALID, OIDC_UNAVAILABLE };
/* Verifies token; OIDC_OK fills *out. Otherwise why (a sentence for the caller, never the
   token) says what was wrong: OIDC_INVALID for the token, OIDC_UNAVAILABLE when its
   issuer's keys could not be had. */
enum oidc_result oidc_verify(struct oidc *o, const char *token, struct oidc_principal *out,
                             char *why, size_t why_size);
/* How many times the issuers' keys were fetched (0 with o NULL): /metrics. */
unsigned long long oidc_key_fetches(struct oidc *o);
/* Does this bearer credential look like a JWT (three base64url parts)? */
bool oidc_looks_like_jwt(const char *token);
#endif
