/* Query strings (src/http/query.c), split_commas (src/util/strv.c) and percent-decoding
   (src/util/text.c). The input is the raw part after '?'. Invariants: a refused query leaves
   nothing behind; an accepted one holds distinct non-empty UTF-8 keys and UTF-8 values, and
   survives a round trip through percent_encode; split_commas yields non-empty trimmed items;
   a value that reltime_parse accepts resolves to a valid date-time exactly its offset away. */
#include <stdbool.h>

#include "buf.h"
#include "fuzz.h"
#include "query.h"
#include "reltime.h"
#include "strv.h"
#include "text.h"
#include "validate.h"

static void check_split(const char *value) {
  char **v = split_commas(value);
  FUZZ_CHECK(v != NULL);
  size_t commas = 0;
  for (const char *p = value; *p; p++) commas += *p == ',';
  size_t n = strv_len(v);
  FUZZ_CHECK(n <= commas + 1);
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(v[i]);
    FUZZ_CHECK(len > 0);
    FUZZ_CHECK(!strchr(v[i], ','));
    FUZZ_CHECK(v[i][0] != ' ' && v[i][len - 1] != ' ');
    FUZZ_CHECK(strstr(value, v[i]) != NULL);
  }
  strv_free(v);
}

/* Relative times (from=now-7d): what parses resolves, to an instant exactly that far away. */
static void check_reltime(const char *value) {
  long long offset;
  char out[RELTIME_TEXT];
  const long long now_us = 1796542200123456LL; /* 2026-12-06T07:30:00.123456Z */
  if (!reltime_parse(value, &offset)) {
    FUZZ_CHECK(!reltime_resolve(value, now_us, false, out));
    return;
  }
  FUZZ_CHECK(offset >= -RELTIME_MAX_OFFSET && offset <= RELTIME_MAX_OFFSET);
  FUZZ_CHECK(reltime_resolve(value, now_us, false, out));
  FUZZ_CHECK(datetime_valid(out));
  FUZZ_CHECK(datetime_usec(out) == now_us + offset * 1000000);
  FUZZ_CHECK(reltime_resolve(value, now_us, true, out) && date_valid(out));
}

/* Percent-decoding of arbitrary bytes (NUL included), and encode-then-decode identity. */
static void check_percent(const uint8_t *data, size_t size) {
  bool plus = size && (data[0] & 1);
  char *d = percent_decode((const char *)data, size, plus);
  if (!d) return;
  size_t n = strlen(d);
  FUZZ_CHECK(n <= size);
  FUZZ_CHECK(utf8_valid(d, n));
  struct buf b;
  buf_init(&b);
  percent_encode(&b, d);
  char *again = percent_decode(b.data ? b.data : "", b.len, false);
  FUZZ_CHECK(again && strcmp(again, d) == 0);
  free(again);
  buf_free(&b);
  free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_percent(data, size);

  char *raw = fuzz_cstr(data, size);
  struct query q;
  const char *bad = NULL;
  char *bad_key = NULL;
  if (!query_parse(raw, &q, &bad, &bad_key)) {
    FUZZ_CHECK(bad != NULL);
    FUZZ_CHECK(q.n == 0);
    if (bad_key) FUZZ_CHECK(*bad_key && utf8_valid(bad_key, strlen(bad_key)));
    free(bad_key);
    free(raw);
    return 0;
  }
  FUZZ_CHECK(bad == NULL && bad_key == NULL);
  FUZZ_CHECK(q.n <= QUERY_MAX_PARAMS);
  struct buf again;
  buf_init(&again);
  for (size_t i = 0; i < q.n; i++) {
    FUZZ_CHECK(q.keys[i] && *q.keys[i] && q.values[i]);
    FUZZ_CHECK(utf8_valid(q.keys[i], strlen(q.keys[i])));
    FUZZ_CHECK(utf8_valid(q.values[i], strlen(q.values[i])));
    FUZZ_CHECK(query_get(&q, q.keys[i]) == q.values[i]); /* keys are distinct */
    check_split(q.values[i]);
    check_reltime(q.values[i]);
    if (i) buf_addc(&again, '&');
    percent_encode(&again, q.keys[i]);
    buf_addc(&again, '=');
    percent_encode(&again, q.values[i]);
  }
  /* What was parsed, written back canonically, parses to the same pairs in the same order. */
  struct query q2;
  FUZZ_CHECK(query_parse(again.data ? again.data : "", &q2, &bad, NULL));
  FUZZ_CHECK(q2.n == q.n);
  for (size_t i = 0; i < q.n; i++)
    FUZZ_CHECK(strcmp(q2.keys[i], q.keys[i]) == 0 && strcmp(q2.values[i], q.values[i]) == 0);
  query_free(&q2);
  buf_free(&again);
  query_free(&q);
  free(raw);
  return 0;
}
