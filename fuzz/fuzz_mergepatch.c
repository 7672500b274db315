/* JSON Merge Patch (src/util/mergepatch.c, RFC 7396) and the depth scan that runs before
   jansson parses a body. The input is "TARGET\0PATCH" (without a NUL byte: the whole input
   is the patch and the target is {}); both are JSON texts of any type.
   Invariants: neither argument is modified; the result is valid JSON; it obeys RFC 7396
   key by key; applying the same patch again changes nothing; the depth scan agrees with
   the parsed tree. */
#include <stdbool.h>

#include "fuzz.h"
#include "mergepatch.h"

#define PARSE_FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)

static int tree_depth(const json_t *v) {
  int max = 0;
  if (json_is_object(v)) {
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k, x) {
      int d = tree_depth(x);
      if (d > max) max = d;
    }
    return max + 1;
  }
  if (json_is_array(v)) {
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
      int d = tree_depth(x);
      if (d > max) max = d;
    }
    return max + 1;
  }
  return 0;
}

/* The text was parsed: the scan must see the same depth (capped at limit + 1). */
static void check_depth(const char *text, size_t n, const json_t *v) {
  int real = tree_depth(v);
  FUZZ_CHECK(json_text_depth(text, n, 4096) == real);
  FUZZ_CHECK(json_text_depth(text, n, 32) == (real > 32 ? 33 : real));
}

/* RFC 7396 section 2, checked on the result rather than recomputed. */
static void check_rfc(const json_t *target, const json_t *patch, const json_t *result) {
  if (!json_is_object(patch)) {
    FUZZ_CHECK(json_equal(result, patch));
    return;
  }
  FUZZ_CHECK(json_is_object(result));
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)patch, k, v) {
    json_t *r = json_object_get(result, k);
    if (json_is_null(v)) {
      FUZZ_CHECK(r == NULL);
    } else {
      FUZZ_CHECK(r != NULL);
      check_rfc(json_is_object(target) ? json_object_get(target, k) : NULL, v, r);
    }
  }
  json_object_foreach((json_t *)result, k, v) {
    if (json_object_get(patch, k)) continue;
    /* a member the patch does not name is the target's, untouched */
    FUZZ_CHECK(json_is_object(target) && json_equal(v, json_object_get(target, k)));
  }
}

static void check_valid_json(const json_t *v) {
  char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
  FUZZ_CHECK(text != NULL);
  json_t *back = json_loads(text, PARSE_FLAGS, NULL);
  FUZZ_CHECK(back && json_equal(back, v));
  json_decref(back);
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  const char *nul = memchr(text, '\0', size);
  const char *ptext = nul ? nul + 1 : text;
  size_t plen = nul ? size - (size_t)(ptext - text) : size;
  json_t *target = nul ? json_loadb(text, (size_t)(nul - text), PARSE_FLAGS, NULL) : json_object();
  json_t *patch = json_loadb(ptext, plen, PARSE_FLAGS, NULL);
  if (!target || !patch) goto cleanup;
  if (nul) check_depth(text, (size_t)(nul - text), target);
  check_depth(ptext, plen, patch);

  json_t *target_copy = json_deep_copy(target), *patch_copy = json_deep_copy(patch);
  json_t *result = merge_patch(target, patch);
  FUZZ_CHECK(result != NULL);
  FUZZ_CHECK(json_equal(target, target_copy) && json_equal(patch, patch_copy));
  check_valid_json(result);
  check_rfc(target, patch, result);
  json_t *twice = merge_patch(result, patch);
  FUZZ_CHECK(twice && json_equal(twice, result));
  json_decref(twice);
  json_decref(result);
  json_decref(target_copy);
  json_decref(patch_copy);
cleanup:
  json_decref(target);
  json_decref(patch);
  return 0;
}
