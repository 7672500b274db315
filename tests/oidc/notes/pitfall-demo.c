/* pitfall-demo TOKEN [JWKS_FILE KID]: shows Rhonabwy 1.1.11 behaviour that matters for Grappe.
 * cc -o pitfall-demo pitfall-demo.c $(pkg-config --cflags --libs librhonabwy) -ljansson */
#include <stdio.h>
#include <stdlib.h>
#include <rhonabwy.h>
static char *slurp(const char *p) { FILE *f = fopen(p, "r"); static char b[65536]; size_t n = fread(b, 1, sizeof b - 1, f); b[n] = 0; fclose(f); return b; }
int main(int argc, char **argv) {
  jwt_t *jwt; jwks_t *jwks; jwk_t *jwk = NULL;
  r_global_init();
  r_jwt_init(&jwt);
  int p1 = r_jwt_parse(jwt, argv[1], 0);                          /* = R_PARSE_HEADER_ALL */
  int v1 = r_jwt_verify_signature(jwt, NULL, 0);                  /* NULL: keys found in the token header */
  printf("r_jwt_parse=%d  verify(NULL key)=%d  (0 = RHN_OK)\n", p1, v1);
  r_jwt_free(jwt);
  r_jwt_init(&jwt);
  int p2 = r_jwt_advanced_parse(jwt, argv[1], R_PARSE_NONE, 0);
  int v2 = r_jwt_verify_signature(jwt, NULL, 0);
  printf("r_jwt_advanced_parse(R_PARSE_NONE)=%d  verify(NULL key)=%d\n", p2, v2);
  if (argc > 3) {
    r_jwks_init(&jwks); r_jwks_import_from_json_str(jwks, slurp(argv[2]));
    jwk = r_jwks_get_by_kid(jwks, argv[3]);
    printf("verify(explicit key %s)=%d\n", argv[3], r_jwt_verify_signature(jwt, jwk, 0));
    r_jwk_free(jwk); r_jwks_free(jwks);
  }
  r_jwt_free(jwt);
  r_global_close();
  return 0;
}
