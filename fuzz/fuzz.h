/* Shared by the libFuzzer targets: an invariant check that crashes (so that libFuzzer
   keeps the input as a reproducer) and a NUL-terminated copy of the input. */
#ifndef GRAPPE_FUZZ_H
#define GRAPPE_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort(), not a return value: libFuzzer only reports crashes. */
#define FUZZ_CHECK(cond)                                                                   \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      fprintf(stderr, "fuzz: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                             \
    }                                                                                      \
  } while (0)

/* The input as a C string (it stops at the first NUL byte, as a C caller would); caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) abort();
  if (size) memcpy(s, data, size);
  s[size] = '\0';
  return s;
}
#endif
