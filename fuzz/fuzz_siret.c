/* SIREN and SIRET checks (src/util/validate.c) against a straightforward reimplementation
   of the rule in SPEC.md: 9 or 14 digits with a valid Luhn key, a SIRET's first nine
   digits being a valid SIREN; La Poste's SIRETs (356000000...) may instead have a digit
   sum divisible by 5.
   The input is checked as given, then turned into digits to build identifiers whose key is
   right (and wrong), so that the accepting paths are reached on every run. */
#include <stdbool.h>

#include "fuzz.h"
#include "validate.h"

static bool ref_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

/* Luhn: from the right, every second digit is doubled and the digits of the product added. */
static int ref_luhn_sum(const char *s, size_t n, bool double_last) {
  int total = 0;
  bool twice = double_last;
  for (size_t k = n; k-- > 0;) {
    int d = s[k] - '0';
    if (twice) {
      d *= 2;
      d = d / 10 + d % 10;
    }
    total += d;
    twice = !twice;
  }
  return total;
}

static bool ref_luhn(const char *s, size_t n) { return ref_luhn_sum(s, n, false) % 10 == 0; }

static bool ref_siren(const char *s) {
  return strlen(s) == 9 && ref_digits(s, 9) && ref_luhn(s, 9);
}

static bool ref_siret(const char *s) {
  if (strlen(s) != 14 || !ref_digits(s, 14)) return false;
  char head[10];
  memcpy(head, s, 9);
  head[9] = '\0';
  if (!ref_siren(head)) return false;
  if (ref_luhn(s, 14)) return true;
  if (memcmp(s, "356000000", 9) != 0) return false;
  int sum = 0;
  for (int i = 0; i < 14; i++) sum += s[i] - '0';
  return sum % 5 == 0;
}

/* Fills id[0..n-2] with digits from the input and id[n-1] with the Luhn key, plus `shift`
   (mod 10): shift 0 gives a valid identifier. */
static void make_id(char *id, size_t n, const uint8_t *data, size_t size, int shift) {
  for (size_t i = 0; i + 1 < n; i++) id[i] = (char)('0' + (i < size ? data[i] % 10 : 0));
  int key = (10 - ref_luhn_sum(id, n - 1, true) % 10) % 10;
  id[n - 1] = (char)('0' + (key + shift) % 10);
  id[n] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = fuzz_cstr(data, size);
  size_t n = strlen(s);
  FUZZ_CHECK(siren_valid(s) == ref_siren(s));
  FUZZ_CHECK(siret_valid(s) == ref_siret(s));
  if (ref_digits(s, n)) FUZZ_CHECK(luhn_valid(s, n) == ref_luhn(s, n));
  free(s);

  char siren[10], siret[15];
  int shift = size ? data[size - 1] % 10 : 0;
  make_id(siren, 9, data, size, 0);
  FUZZ_CHECK(siren_valid(siren));
  make_id(siren, 9, data, size, shift);
  FUZZ_CHECK(siren_valid(siren) == (shift == 0));
  make_id(siret, 14, data, size, 0);
  FUZZ_CHECK(siret_valid(siret) == ref_siret(siret));
  /* a valid SIREN, then establishment digits from the input, then the key */
  make_id(siren, 9, data, size, 0);
  memcpy(siret, siren, 9);
  for (size_t i = 9; i < 13; i++) siret[i] = (char)('0' + (i < size ? data[i] % 10 : 0));
  siret[13] = '0';
  siret[14] = '\0';
  int key = (10 - ref_luhn_sum(siret, 13, true) % 10) % 10;
  siret[13] = (char)('0' + key);
  FUZZ_CHECK(siret_valid(siret));
  siret[13] = (char)('0' + (key + shift) % 10);
  FUZZ_CHECK(siret_valid(siret) == ref_siret(siret));
  if (shift != 0 && memcmp(siret, "356000000", 9) != 0) FUZZ_CHECK(!siret_valid(siret));
  /* La Poste: the same with SIREN 356000000 in front. */
  memcpy(siret, "356000000", 9);
  FUZZ_CHECK(siret_valid(siret) == ref_siret(siret));
  return 0;
}
