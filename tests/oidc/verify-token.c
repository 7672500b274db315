/*
 * verify-token.c - prototype of the Bearer JWT check Grappe needs, with
 * Rhonabwy 1.1.11 (Debian 12 librhonabwy-dev).
 *
 *   verify-token [-i] [-l LEEWAY] JWKS ISSUER AUDIENCE [TOKEN]
 *
 *   JWKS      a file holding the provider's JWKS JSON, or an http(s):// URL
 *             (jwks_uri from the discovery document)
 *   ISSUER    expected "iss"
 *   AUDIENCE  expected "aud" (string equal, or member of an aud array)
 *   TOKEN     the compact JWS; read from stdin when absent
 *   -i        print r_library_info_json_str() (algorithms supported) first
 *   -l N      clock leeway in seconds for exp/nbf/iat (default 0)
 *
 * Prints a JSON summary on stdout; exit 0 if the token is valid, 1 otherwise.
 *
 * Build: cc -Wall -Wextra -o verify-token verify-token.c \
 *          $(pkg-config --cflags --libs librhonabwy) -ljansson
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <rhonabwy.h>

static char *read_all(FILE *f) {
  size_t cap = 4096, len = 0, n;
  char *buf = malloc(cap);
  if (buf == NULL) return NULL;
  while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len - 1 == 0) {
      char *nb = realloc(buf, cap *= 2);
      if (nb == NULL) { free(buf); return NULL; }
      buf = nb;
    }
  }
  buf[len] = '\0';
  while (len > 0 && isspace((unsigned char)buf[len - 1])) buf[--len] = '\0';
  return buf;
}

static int is_uuid(const char *s) {
  static const int dash[] = {8, 13, 18, 23};
  if (s == NULL || strlen(s) != 36) return 0;
  for (int i = 0, d = 0; i < 36; i++) {
    if (d < 4 && i == dash[d]) { if (s[i] != '-') return 0; d++; }
    else if (!isxdigit((unsigned char)s[i])) return 0;
  }
  return 1;
}

/* aud may be a string or an array of strings (RFC 7519 4.1.3).
 * r_jwt_validate_claims(R_JWT_CLAIM_AUD, ...) only handles the string form. */
static int aud_matches(json_t *aud, const char *expected) {
  size_t i;
  json_t *v;
  if (json_is_string(aud)) return strcmp(json_string_value(aud), expected) == 0;
  if (json_is_array(aud)) {
    json_array_foreach(aud, i, v) {
      if (json_is_string(v) && strcmp(json_string_value(v), expected) == 0) return 1;
    }
  }
  return 0;
}

/* grappe_clusters: JSON array in Glewlwyd id_tokens/userinfo, but a
 * comma-joined string in Glewlwyd access tokens ("additional-parameters"
 * flattens multi-valued user properties). Accept both, return an array. */
static json_t *clusters_as_array(json_t *c) {
  json_t *out = json_array(), *v;
  size_t i;
  if (json_is_array(c)) {
    json_array_foreach(c, i, v) {
      if (!json_is_string(v)) { json_decref(out); return NULL; }
      json_array_append(out, v);
    }
  } else if (json_is_string(c)) {
    char *dup = strdup(json_string_value(c)), *save = NULL, *tok;
    for (tok = strtok_r(dup, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
      json_array_append_new(out, json_string(tok));
    }
    free(dup);
  } else {
    json_decref(out);
    return NULL;
  }
  json_array_foreach(out, i, v) {
    if (!is_uuid(json_string_value(v))) { json_decref(out); return NULL; }
  }
  return out;
}

int main(int argc, char **argv) {
  int opt, show_info = 0, leeway = 0, ret = 1, res;
  const char *jwks_src, *issuer, *audience, *kid, *key_alg, *typ;
  char *token = NULL, *jwks_str = NULL, *claims_str = NULL;
  jwks_t *jwks = NULL;
  jwk_t *jwk = NULL;
  jwt_t *jwt = NULL;
  jwa_alg alg;
  json_t *j_out = json_object(), *j_tmp, *j_clusters;
  time_t now;

  while ((opt = getopt(argc, argv, "il:")) != -1) {
    if (opt == 'i') show_info = 1;
    else if (opt == 'l') leeway = atoi(optarg);
    else { fprintf(stderr, "usage: %s [-i] [-l LEEWAY] JWKS ISSUER AUDIENCE [TOKEN]\n", argv[0]); return 2; }
  }
  if (argc - optind < 3) { fprintf(stderr, "usage: %s [-i] [-l LEEWAY] JWKS ISSUER AUDIENCE [TOKEN]\n", argv[0]); return 2; }
  jwks_src = argv[optind]; issuer = argv[optind + 1]; audience = argv[optind + 2];
  token = (argc - optind > 3) ? strdup(argv[optind + 3]) : read_all(stdin);

  if (r_global_init() != RHN_OK) { fprintf(stderr, "r_global_init failed\n"); return 2; }
  if (show_info) {
    char *info = r_library_info_json_str();
    printf("%s\n", info);
    r_free(info);
  }

#define FAIL(msg) do { json_object_set_new(j_out, "error", json_string(msg)); goto end; } while (0)

  /* 1. JWKS: from URL (Rhonabwy fetches it with libcurl) or from a file */
  if (r_jwks_init(&jwks) != RHN_OK) FAIL("r_jwks_init");
  if (strncmp(jwks_src, "http://", 7) == 0 || strncmp(jwks_src, "https://", 8) == 0) {
    res = r_jwks_import_from_uri(jwks, jwks_src, R_FLAG_FOLLOW_REDIRECT);
  } else {
    FILE *f = fopen(jwks_src, "r");
    if (f == NULL) FAIL("cannot open JWKS file");
    jwks_str = read_all(f);
    fclose(f);
    res = r_jwks_import_from_json_str(jwks, jwks_str);
  }
  /* a key Rhonabwy cannot parse makes the import return RHN_ERROR_PARAM but
   * the valid ones are still imported: only fail when nothing was imported */
  json_object_set_new(j_out, "jwks_import", json_integer(res));
  json_object_set_new(j_out, "jwks_keys", json_integer((json_int_t)r_jwks_size(jwks)));
  if (r_jwks_size(jwks) == 0) FAIL("no usable key in JWKS");

  /* 2. parse WITHOUT honouring jwk/jku/x5c/x5u header parameters and without
   *    accepting alg "none": r_jwt_parse() would use R_PARSE_HEADER_ALL, i.e.
   *    import a key the token itself carries and fetch jku/x5u URLs. */
  if (r_jwt_init(&jwt) != RHN_OK) FAIL("r_jwt_init");
  if (token == NULL || r_jwt_advanced_parse(jwt, token, R_PARSE_NONE, 0) != RHN_OK) FAIL("not a parsable JWT");
  if (r_jwt_get_type(jwt) != R_JWT_TYPE_SIGN) FAIL("not a signed (JWS) JWT");

  /* 3. header: alg, kid, typ */
  alg = r_jwt_get_sign_alg(jwt);
  kid = r_jwt_get_header_str_value(jwt, "kid");
  typ = r_jwt_get_header_str_value(jwt, "typ");
  json_object_set_new(j_out, "alg", json_string(r_jwa_alg_to_str(alg)));
  json_object_set_new(j_out, "kid", kid ? json_string(kid) : json_null());
  json_object_set_new(j_out, "typ", typ ? json_string(typ) : json_null());
  if (alg != R_JWA_ALG_RS256 && alg != R_JWA_ALG_ES256 && alg != R_JWA_ALG_EDDSA) FAIL("alg not allowed");

  /* 4. key selection by kid (or the only key when no kid) */
  if (kid != NULL) jwk = r_jwks_get_by_kid(jwks, kid);
  else if (r_jwks_size(jwks) == 1) jwk = r_jwks_get_at(jwks, 0);
  if (jwk == NULL) FAIL("no key for this kid (refetch the JWKS once on a miss: key rotation)");
  /* Rhonabwy checks that the key TYPE fits the alg family (no HS256-with-RSA-key
   * confusion) but not the key's own "alg": do it here. */
  key_alg = r_jwk_get_property_str(jwk, "alg");
  if (key_alg != NULL && r_str_to_jwa_alg(key_alg) != alg) FAIL("token alg differs from the key's alg");

  /* 5. signature */
  if (r_jwt_verify_signature(jwt, jwk, 0) != RHN_OK) FAIL("bad signature");

  now = time(NULL); /* after reading the token: in `get-token | verify-token` we start first */
  /* 6. registered claims. Rhonabwy: exp is rejected when exp < value (so valid
   *    AT exp), nbf/iat when > value; missing exp/nbf/iat fail when asked for.
   *    Values are C int varargs: cast. nbf is absent from Glewlwyd id_tokens. */
  if (r_jwt_validate_claims(jwt,
                            R_JWT_CLAIM_ISS, issuer,
                            R_JWT_CLAIM_SUB, NULL,
                            R_JWT_CLAIM_EXP, (int)(now - leeway),
                            R_JWT_CLAIM_IAT, (int)(now + leeway),
                            R_JWT_CLAIM_NOP) != RHN_OK) FAIL("iss/sub/exp/iat invalid");
  j_tmp = r_jwt_get_claim_json_t_value(jwt, "nbf");
  if (j_tmp != NULL) {
    json_decref(j_tmp);
    if (r_jwt_validate_claims(jwt, R_JWT_CLAIM_NBF, (int)(now + leeway), R_JWT_CLAIM_NOP) != RHN_OK) FAIL("nbf in the future");
  }
  j_tmp = r_jwt_get_claim_json_t_value(jwt, "aud");     /* returns a new reference */
  res = aud_matches(j_tmp, audience);
  json_object_set_new(j_out, "aud", j_tmp ? j_tmp : json_null());
  if (!res) FAIL("aud mismatch");

  /* 7. Grappe claims */
  json_object_set_new(j_out, "iss", json_string(r_jwt_get_claim_str_value(jwt, "iss")));
  json_object_set_new(j_out, "sub", json_string(r_jwt_get_claim_str_value(jwt, "sub")));
  json_object_set_new(j_out, "exp", json_integer(r_jwt_get_claim_int_value(jwt, "exp")));
  if (r_jwt_get_claim_str_value(jwt, "grappe_role") == NULL) FAIL("grappe_role missing or not a string");
  json_object_set_new(j_out, "grappe_role", json_string(r_jwt_get_claim_str_value(jwt, "grappe_role")));
  j_tmp = r_jwt_get_claim_json_t_value(jwt, "grappe_clusters");
  json_object_set_new(j_out, "grappe_clusters_raw", j_tmp ? j_tmp : json_null());
  if ((j_clusters = clusters_as_array(j_tmp)) == NULL) FAIL("grappe_clusters missing or not UUIDs");
  json_object_set_new(j_out, "grappe_clusters", j_clusters);
  ret = 0;

end:
  json_object_set_new(j_out, "valid", json_boolean(ret == 0));
  claims_str = json_dumps(j_out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  printf("%s\n", claims_str);
  free(claims_str);
  json_decref(j_out);
  r_jwt_free(jwt);
  r_jwk_free(jwk);
  r_jwks_free(jwks);
  free(jwks_str);
  free(token);
  r_global_close();
  return ret;
}
