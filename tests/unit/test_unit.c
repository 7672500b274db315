/* Unit tests of the pure parts: validators, query parsing, cursors, merge patch,
   negotiation, text helpers. Prints one line per check and a summary line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "csv.h"
#include "csvin.h"
#include "csvline.h"
#include "cursor.h"
#include "ics.h"
#include "keycache.h"
#include "rowcache.h"
#include "mergepatch.h"
#include "negotiate.h"
#include "netaddr.h"
#include "webhook.h"
#include "query.h"
#include "resource.h"
#include "reltime.h"
#include "searchtext.h"
#include "sqlb.h"
#include "strv.h"
#include "text.h"
#include "validate.h"

static int passed, failed;

#define CHECK(name, cond)                                    \
  do {                                                       \
    if (cond) {                                              \
      passed++;                                              \
    } else {                                                 \
      failed++;                                              \
      printf("FAIL %s (%s:%d)\n", name, __FILE__, __LINE__); \
    }                                                        \
  } while (0)

static void test_validators(void) {
  CHECK("siren_luhn_valid", siren_valid("732829320"));
  CHECK("siren_luhn_invalid", !siren_valid("732829321"));
  CHECK("siren_wrong_length", !siren_valid("73282932"));
  CHECK("siren_letters", !siren_valid("73282932A"));
  CHECK("siret_valid", siret_valid("73282932000074"));
  CHECK("siret_invalid_key", !siret_valid("73282932000075"));
  /* found by fuzz_body: 14 digits that pass Luhn while their SIREN does not */
  CHECK("siret_needs_a_valid_siren", !siret_valid("73282932100007"));
  CHECK("siret_la_poste_digit_sum", siret_valid("35600000000048") || siret_valid("35600000049837"));
  CHECK("date_valid", date_valid("2024-02-29"));
  CHECK("date_not_leap", !date_valid("2023-02-29"));
  CHECK("date_bad_month", !date_valid("2023-13-01"));
  CHECK("date_garbage", !date_valid("2023-1-01"));
  CHECK("datetime_z", datetime_valid("2026-11-26T15:24:13Z"));
  CHECK("datetime_frac_offset", datetime_valid("2026-11-26T15:24:13.123+01:00"));
  CHECK("datetime_offset_beyond_postgres", !datetime_valid("2026-01-01T00:00:00+23:59"));
  CHECK("datetime_no_zone", !datetime_valid("2026-11-26T15:24:13"));
  CHECK("email_ok", email_valid("contact@mbi.example"));
  CHECK("email_no_at", !email_valid("contact.mbi.example"));
  CHECK("email_space", !email_valid("a b@c.fr"));
  CHECK("url_ok", url_valid("https://www.mbi.example/about"));
  CHECK("url_ftp", !url_valid("ftp://x.example"));
  CHECK("url_no_host", !url_valid("https://"));
  CHECK("phone_ok", phone_valid("+33 4 50 00 00 00"));
  CHECK("phone_letters", !phone_valid("call me"));
  CHECK("postal_ok", postal_code_valid("74300"));
  CHECK("postal_bad", !postal_code_valid("7430"));
  CHECK("commune_corsica", commune_code_valid("2A004"));
  CHECK("commune_bad", !commune_code_valid("2C004"));
  CHECK("naf_ok", naf_code_valid("25.62B"));
  CHECK("naf_bad", !naf_code_valid("2562B"));
  CHECK("uuid_ok", uuid_valid("c1000000-0000-4000-8000-000000000001"));
  CHECK("uuid_bad", !uuid_valid("c1000000-0000-4000-8000-00000000000g"));
  long n;
  CHECK("parse_long_ok", long_valid("500", 1, 500, &n) && n == 500);
  CHECK("parse_long_range", !long_valid("501", 1, 500, &n));
  CHECK("parse_long_trailing", !long_valid("5x", 1, 500, &n));
  CHECK("parse_long_empty", !long_valid("", 1, 500, &n));
}

static void test_query(void) {
  struct query q;
  const char *bad;
  char *bad_key;
  CHECK("query_basic", query_parse("kind=cluster&limit=5", &q, &bad, &bad_key) && q.n == 2 &&
                         strcmp(query_get(&q, "kind"), "cluster") == 0);
  query_free(&q);
  CHECK("query_decode", query_parse("q=d%C3%A9colletage+arve", &q, &bad, &bad_key) &&
                          strcmp(query_get(&q, "q"), "d\xc3\xa9"
                                                     "colletage arve") == 0);
  query_free(&q);
  CHECK("query_repeat_joins", query_parse("kind=a&kind=b", &q, &bad, &bad_key) &&
                                strcmp(query_get(&q, "kind"), "a,b") == 0);
  query_free(&q);
  CHECK("query_nul_refused", !query_parse("q=a%00b", &q, &bad, &bad_key));
  free(bad_key);
  CHECK("query_bad_utf8_refused", !query_parse("q=%C3%28", &q, &bad, &bad_key));
  free(bad_key);
  CHECK("query_bad_percent_refused", !query_parse("q=%G1", &q, &bad, &bad_key));
  free(bad_key);
  CHECK("query_truncated_percent_refused", !query_parse("q=%4", &q, &bad, &bad_key));
  free(bad_key);
  CHECK("query_empty_ok", query_parse("", &q, &bad, &bad_key) && q.n == 0);
  CHECK("query_null_ok", query_parse(NULL, &q, &bad, &bad_key) && q.n == 0);
  CHECK("query_flag_without_value",
        query_parse("count", &q, &bad, &bad_key) && strcmp(query_get(&q, "count"), "") == 0);
  query_free(&q);
  char **v = split_commas("a, b,,c");
  CHECK("split_commas", strv_len(v) == 3 && strcmp(v[1], "b") == 0 && strcmp(v[2], "c") == 0);
  strv_free(v);
}

static void test_cursor(void) {
  unsigned char secret[32] = {1, 2, 3};
  json_t *p = json_pack("{s:s,s:s}", "r", "clusters", "k", "c1000000-0000-4000-8000-000000000001");
  char *cur = cursor_encode(secret, sizeof secret, p);
  json_t *back = cursor_decode(secret, sizeof secret, cur);
  CHECK("cursor_roundtrip", back && json_equal(back, p));
  json_decref(back);
  unsigned char other[32] = {9};
  CHECK("cursor_foreign_secret", !cursor_decode(other, sizeof other, cur));
  /* found by fuzz_cursor: the unused low bits of the signature's last character */
  char *respelled = strdup(cur);
  char *last = respelled + strlen(respelled) - 1;
  *last = *last == 'A'   ? 'B'
          : *last == 'g' ? 'h'
          : *last == 'Q' ? 'R'
          : *last == 'w' ? 'x'
                         : (char)(*last ^ 1);
  CHECK("cursor_one_spelling", !cursor_decode(secret, sizeof secret, respelled));
  free(respelled);
  cur[2] = cur[2] == 'A' ? 'B' : 'A';
  CHECK("cursor_tampered", !cursor_decode(secret, sizeof secret, cur));
  CHECK("cursor_garbage", !cursor_decode(secret, sizeof secret, "not-a-cursor"));
  CHECK("cursor_empty_sig", !cursor_decode(secret, sizeof secret, "abc."));
  free(cur);
  json_decref(p);
}

static void test_merge_patch(void) {
  /* RFC 7396 appendix A, a few of its cases. */
  static const char *const cases[][3] = {
    {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
    {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
    {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
    {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
    {"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
    {"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *t = json_loads(cases[i][0], 0, NULL), *p = json_loads(cases[i][1], 0, NULL),
           *want = json_loads(cases[i][2], 0, NULL);
    json_t *got = merge_patch(t, p);
    char name[32];
    snprintf(name, sizeof name, "merge_patch_rfc7396_%zu", i);
    CHECK(name, json_equal(got, want));
    json_decref(t);
    json_decref(p);
    json_decref(want);
    json_decref(got);
  }
  CHECK("depth_flat", json_text_depth("{\"a\":[1,2]}", 11, 32) == 2);
  CHECK("depth_string_brackets_ignored", json_text_depth("{\"a\":\"[[[[\"}", 12, 32) == 1);
  char deep[100];
  memset(deep, '[', 40);
  CHECK("depth_over_limit", json_text_depth(deep, 40, 32) == 33);
}

static void test_negotiate(void) {
  unsigned all = FMT_JSON | FMT_CSV | FMT_GEOJSON | FMT_NDJSON;
  CHECK("neg_default_json", fmt_negotiate(NULL, NULL, all) == FMT_JSON);
  CHECK("neg_star", fmt_negotiate("*/*", NULL, all) == FMT_JSON);
  CHECK("neg_csv", fmt_negotiate("text/csv", NULL, all) == FMT_CSV);
  CHECK("neg_q", fmt_negotiate("text/csv;q=0.5, application/geo+json", NULL, all) == FMT_GEOJSON);
  CHECK("neg_q_zero_excludes", fmt_negotiate("application/json;q=0, */*", NULL, all) == FMT_CSV);
  CHECK("neg_xml_406", fmt_negotiate("application/xml", NULL, all) == 0);
  CHECK("neg_param_wins", fmt_negotiate("text/csv", "ndjson", all) == FMT_NDJSON);
  CHECK("neg_param_unknown", fmt_negotiate(NULL, "xml", all) == 0);
  CHECK("neg_param_not_allowed", fmt_negotiate(NULL, "geojson", FMT_JSON) == 0);
  CHECK("neg_problem_json", fmt_negotiate("application/problem+json", NULL, FMT_JSON) == FMT_JSON);
}

static void test_text(void) {
  CHECK("utf8_ok", utf8_valid("d\xc3\xa9j\xc3\xa0", 6));
  CHECK("utf8_overlong", !utf8_valid("\xc0\xaf", 2));
  CHECK("utf8_surrogate", !utf8_valid("\xed\xa0\x80", 3));
  CHECK("utf8_truncated", !utf8_valid("\xe2\x82", 2));
  char cut[] = "ab\xc3";
  utf8_trim(cut);
  CHECK("utf8_trim_cut_sequence", strcmp(cut, "ab") == 0);
  /* "é" is 2 bytes, "€" 3, "😀" 4: a cut never lands inside one */
  const char *fr = "d\xc3\xa9j\xc3\xa0 vu";
  CHECK("utf8_cut_ascii_and_whole",
        utf8_cut("abcdef", 3) == 3 && utf8_cut("abc", 10) == 3 && utf8_cut("", 5) == 0);
  CHECK("utf8_cut_before_split_char",
        utf8_cut(fr, 2) == 1 && utf8_cut(fr, 3) == 3 && utf8_cut(fr, 5) == 4);
  CHECK("utf8_cut_euro",
        utf8_cut("\xe2\x82\xac\xe2\x82\xac", 4) == 3 && utf8_cut("\xe2\x82\xac", 2) == 0);
  CHECK("utf8_cut_emoji",
        utf8_cut("a\xf0\x9f\x98\x80", 4) == 1 && utf8_cut("a\xf0\x9f\x98\x80", 5) == 5);
  CHECK("utf8_cut_zero", utf8_cut("abc", 0) == 0);
  int all_valid = 1;
  const char *mixed = "x\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80y\xc3\xa9";
  for (size_t max = 0; max <= strlen(mixed) + 1; max++)
    all_valid &= utf8_valid(mixed, (size_t)utf8_cut(mixed, max));
  CHECK("utf8_cut_every_length_valid", all_valid);
  CHECK("utf8_chars_counts_characters", utf8_chars("") == 0 && utf8_chars("abc") == 3 &&
                                          utf8_chars("d\xc3\xa9j\xc3\xa0") == 4 &&
                                          utf8_chars("\xe2\x82\xac\xf0\x9f\x98\x80") == 2);
  char hex[65];
  sha256_hex("abc", 3, hex);
  CHECK("sha256_abc",
        strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
  struct buf b;
  buf_init(&b);
  buf_add_json_string(&b, "a\"\n\x01");
  CHECK("json_string_escape", strcmp(b.data, "\"a\\\"\\n\\u0001\"") == 0);
  buf_free(&b);
  static const char *const ts[][2] = {
    {"2026-11-27 04:27:10.177365+00", "\"2026-11-27T04:27:10.177365Z\""},
    {"2026-11-27 04:27:10.5+00", "\"2026-11-27T04:27:10.500000Z\""},
    {"2026-11-27 04:27:10+00", "\"2026-11-27T04:27:10.000000Z\""},
    /* another session time zone still gives UTC */
    {"2026-11-27 04:27:10+05:30", "\"2026-11-26T22:57:10.000000Z\""},
    {"2026-12-31 22:27:10.25-03", "\"2027-01-01T01:27:10.250000Z\""},
    {"2024-03-01 00:10:00+01", "\"2024-02-29T23:10:00.000000Z\""},
    {"1900-03-01 00:00:00+00:00:30", "\"1900-02-28T23:59:30.000000Z\""},
    {"9999-12-31 23:59:59-15:59", "\"10000-01-01T15:58:59.000000Z\""},
    {"10000-01-01 00:00:00+00", "\"10000-01-01T00:00:00.000000Z\""},
    {"infinity", "null"},
    {"-infinity", "null"},
    {"0044-03-15 12:00:00+00 BC", "\"0044-03-15 12:00:00+00 BC\""},
    {"2026-11-27 04:27:10.1234567+00", "\"2026-11-27 04:27:10.1234567+00\""},
    {"11/27/2026 04:27:10 UTC", "\"11/27/2026 04:27:10 UTC\""},
  };
  for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
    buf_init(&b);
    buf_add_pg_timestamp(&b, ts[i][0]);
    CHECK(ts[i][0], strcmp(b.data, ts[i][1]) == 0);
    buf_free(&b);
  }
  buf_init(&b);
  buf_add_json_string(&b, "long run \xc3\xa9t\xc3\xa9 \"q\" \\ end\x1f");
  CHECK("json_string_runs",
        strcmp(b.data, "\"long run \xc3\xa9t\xc3\xa9 \\\"q\\\" \\\\ end\\u001f\"") == 0);
  buf_free(&b);
  /* The word-at-a-time scan against a byte-at-a-time reference: every byte value, at every
     position of strings of every length up to 40 (so at every alignment of a word). */
  {
    bool same = true;
    char text[41], want[41 * 6 + 3];
    for (int len = 1; len <= 40 && same; len++)
      for (int at = 0; at < len && same; at++)
        for (int v = 1; v < 256 && same; v++) {
          for (int i = 0; i < len; i++) text[i] = (char)('a' + i % 26);
          text[at] = (char)v;
          text[len] = '\0';
          size_t w = 0;
          want[w++] = '"';
          for (int i = 0; i < len; i++) {
            unsigned char ch = (unsigned char)text[i];
            if (ch == '"' || ch == '\\') w += (size_t)sprintf(want + w, "\\%c", ch);
            else if (ch == '\n') w += (size_t)sprintf(want + w, "\\n");
            else if (ch == '\r') w += (size_t)sprintf(want + w, "\\r");
            else if (ch == '\t') w += (size_t)sprintf(want + w, "\\t");
            else if (ch < 0x20) w += (size_t)sprintf(want + w, "\\u%04x", ch);
            else want[w++] = (char)ch;
          }
          want[w++] = '"';
          want[w] = '\0';
          buf_init(&b);
          buf_add_json_string(&b, text);
          same = strcmp(b.data, want) == 0 && b.len == w;
          buf_free(&b);
        }
    CHECK("json_string_every_byte_every_alignment", same);
  }
  char u[37];
  CHECK("uuid_v4", uuid_v4(u) && uuid_valid(u) && u[14] == '4');
  size_t n;
  unsigned char *d = b64url_decode("aGVsbG8", 7, &n);
  CHECK("b64url_decode", d && n == 5 && memcmp(d, "hello", 5) == 0);
  free(d);
  CHECK("b64url_reject_padding", !b64url_decode("aGVsbG8=", 8, &n));
}

static void test_ics(void) {
  struct buf b;
  buf_init(&b);
  ics_line(&b, "SUMMARY", "a\\b;c,d\ne", 1);
  CHECK("ics_escape", strcmp(b.data, "SUMMARY:a\\\\b\\;c\\,d\\ne\r\n") == 0);
  /* found by fuzz_ics: a UTF-8 lead byte without its continuation bytes must not carry a
     line break or a separator out unescaped */
  buf_reset(&b);
  ics_line(&b, "SUMMARY", "Atelier \xC3\nATTENDEE:x;y", 1);
  CHECK("ics_lead_byte_then_newline",
        strcmp(b.data, "SUMMARY:Atelier \xC3\\nATTENDEE:x\\;y\r\n") == 0);
  buf_reset(&b);
  char long_text[400];
  for (int i = 0; i < 100; i++) memcpy(long_text + 2 * i, "\xc3\xa9", 2); /* 100 x e-acute */
  long_text[200] = '\0';
  ics_line(&b, "DESCRIPTION", long_text, 1);
  bool lines_ok = true, utf8_ok = true;
  for (char *line = b.data, *end; *line; line = end + 2) {
    end = strstr(line, "\r\n");
    if (!end) {
      lines_ok = false;
      break;
    }
    if (end - line > 75) lines_ok = false;
    if (!utf8_valid(line, (size_t)(end - line))) utf8_ok = false;
  }
  CHECK("ics_fold_75_octets", lines_ok);
  CHECK("ics_fold_keeps_utf8", utf8_ok);
  buf_reset(&b);
  ics_utc(&b, "DTSTART", "2027-02-11T08:30:00.000000Z");
  CHECK("ics_utc", strcmp(b.data, "DTSTART:20270211T083000Z\r\n") == 0);
  buf_free(&b);
  CHECK("datetime_usec_epoch", datetime_usec("1970-01-01T00:00:00Z") == 0);
  CHECK("datetime_usec_offset",
        datetime_usec("2027-02-11T10:00:00+02:00") == datetime_usec("2027-02-11T08:00:00Z"));
  CHECK("datetime_usec_fraction",
        datetime_usec("2027-02-11T08:00:00.5Z") - datetime_usec("2027-02-11T08:00:00Z") == 500000);
}

/* The CSV text cell of s in dialect d, compared with want. */
static int csv_text_is(const char *s, enum csv_dialect d, const char *want) {
  struct buf b;
  buf_init(&b);
  csv_text(&b, s, d);
  int ok = strcmp(b.data ? b.data : "", want) == 0;
  if (!ok) printf("  csv_text(\"%s\") = \"%s\", want \"%s\"\n", s, b.data ? b.data : "", want);
  buf_free(&b);
  return ok;
}

static int csv_number_is(const char *s, enum csv_dialect d, const char *want) {
  struct buf b;
  buf_init(&b);
  csv_number(&b, s, d);
  int ok = strcmp(b.data ? b.data : "", want) == 0;
  buf_free(&b);
  return ok;
}

static void test_csv(void) {
  CHECK("csv_plain_text_as_is",
        csv_text_is("Mont-Blanc Industries", CSV_RFC4180, "Mont-Blanc Industries"));
  CHECK("csv_quotes_comma_and_doubles_quotes",
        csv_text_is("a,\"b\"", CSV_RFC4180, "\"a,\"\"b\"\"\""));
  CHECK("csv_quotes_cr_and_lf", csv_text_is("a\nb", CSV_RFC4180, "\"a\nb\"") &&
                                  csv_text_is("a\r\nb", CSV_RFC4180, "\"a\r\nb\""));
  CHECK("csv_semicolon_unquoted_in_rfc4180", csv_text_is("a;b", CSV_RFC4180, "a;b"));
  CHECK("csv_excel_quotes_semicolon_not_comma",
        csv_text_is("a;b", CSV_EXCEL, "\"a;b\"") && csv_text_is("a,b", CSV_EXCEL, "a,b"));
  /* OWASP CSV injection: each leading character, in both dialects */
  static const char *const leading[][2] = {
    {"=1+1", "'=1+1"},         {"+33 4 50", "'+33 4 50"}, {"-2", "'-2"},
    {"@SUM(A1)", "'@SUM(A1)"}, {"\tx", "'\tx"},           {"\rx", "\"'\rx\""},
  };
  for (size_t i = 0; i < sizeof leading / sizeof leading[0]; i++) {
    CHECK("csv_formula_prefixed", csv_text_is(leading[i][0], CSV_RFC4180, leading[i][1]));
    CHECK("csv_formula_prefixed_excel", csv_text_is(leading[i][0], CSV_EXCEL, leading[i][1]));
  }
  CHECK("csv_formula_quoted_inside", csv_text_is("=HYPERLINK(\"http://x\",\"y\")", CSV_RFC4180,
                                                 "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""));
  CHECK("csv_formula_quoted_inside_excel", csv_text_is("=A1;B1", CSV_EXCEL, "\"'=A1;B1\""));
  CHECK("csv_formula_only_when_leading",
        csv_text_is("a=b", CSV_RFC4180, "a=b") && csv_text_is(" =1", CSV_RFC4180, " =1") &&
          csv_text_is("\n=1", CSV_RFC4180, "\"\n=1\"") && csv_text_is("", CSV_RFC4180, ""));
  CHECK("csv_formula_like", csv_formula_like("=") && csv_formula_like("@") &&
                              !csv_formula_like("") && !csv_formula_like("'="));
  CHECK("csv_number_as_is",
        csv_number_is("-12.5", CSV_RFC4180, "-12.5") && csv_number_is("-3", CSV_RFC4180, "-3"));
  CHECK("csv_number_decimal_comma_in_excel",
        csv_number_is("-12.5", CSV_EXCEL, "-12,5") && csv_number_is("46", CSV_EXCEL, "46") &&
          csv_number_is("1.5e-05", CSV_EXCEL, "1,5e-05") && csv_number_is("", CSV_EXCEL, ""));
  enum csv_dialect d = CSV_EXCEL;
  CHECK("csv_dialect_default", csv_dialect_parse(NULL, &d) && d == CSV_RFC4180);
  CHECK("csv_dialect_excel", csv_dialect_parse("excel", &d) && d == CSV_EXCEL);
  CHECK("csv_dialect_unknown", !csv_dialect_parse("Excel", &d) && !csv_dialect_parse("", &d) &&
                                 !csv_dialect_parse("tsv", &d));

  /* Rows: the field's type decides, not the content. */
  static const struct field sub[] = {
    {.name = "city", .type = F_TEXT}, {.name = "lat", .type = F_DECIMAL}, {.name = NULL}};
  static const struct field fields[] = {
    {.name = "name", .type = F_TEXT},           {.name = "phone", .type = F_TEXT},
    {.name = "employees", .type = F_INT},       {.name = "balance", .type = F_DECIMAL},
    {.name = "tags", .type = F_TEXT_ARRAY},     {.name = "address", .type = F_OBJECT, .sub = sub},
    {.name = "labels", .type = F_OBJECT_ARRAY}, {.name = "active", .type = F_BOOL},
    {.name = "note", .type = F_TEXT},           {.name = NULL},
  };
  json_t *item =
    json_pack("{s:s,s:s,s:i,s:f,s:[s,s],s:{s:s,s:f},s:[{s:s}],s:b,s:n}", "name", "-minus", "phone",
              "+33 4", "employees", -7, "balance", -0.25, "tags", "@a", "b;c", "address", "city",
              "=Cluses", "lat", 46.06, "labels", "scheme", "esca", "active", 1, "note");
  struct buf b;
  buf_init(&b);
  csv_begin(&b, CSV_RFC4180);
  csv_header(&b, fields, CSV_RFC4180);
  csv_row(&b, fields, item, CSV_RFC4180);
  CHECK(
    "csv_rows_rfc4180",
    strcmp(
      b.data,
      "name,phone,employees,balance,tags,address.city,address.lat,labels,active,note\r\n"
      "'-minus,'+33 4,-7,-0.25,'@a;b;c,'=Cluses,46.06,\"[{\"\"scheme\"\":\"\"esca\"\"}]\",true,\r\n") ==
      0);
  buf_reset(&b);
  csv_begin(&b, CSV_EXCEL);
  csv_header(&b, fields, CSV_EXCEL);
  csv_row(&b, fields, item, CSV_EXCEL);
  CHECK(
    "csv_rows_excel",
    strcmp(
      b.data,
      "\xEF\xBB\xBFname;phone;employees;balance;tags;address.city;address.lat;labels;active;note\r\n"
      "'-minus;'+33 4;-7;-0,25;\"'@a;b;c\";'=Cluses;46,06;\"[{\"\"scheme\"\":\"\"esca\"\"}]\";true;\r\n") ==
      0);
  if (b.data && !strstr(b.data, "\xEF\xBB\xBFname")) printf("  %s\n", b.data);
  buf_free(&b);
  json_decref(item);
}

static void test_search_text(void) {
  char **w = search_words("  L\u2019industrie du  d\xc3\xa9"
                          "colletage, 3D-print\xc2\xa0! ",
                          16);
  CHECK("search_words_split", w && w[0] && strcmp(w[0], "L") == 0 &&
                                strcmp(w[1], "industrie") == 0 && strcmp(w[2], "du") == 0 &&
                                strcmp(w[3], "d\xc3\xa9"
                                             "colletage") == 0 &&
                                strcmp(w[4], "3D") == 0 && strcmp(w[5], "print") == 0 &&
                                w[6] == NULL);
  strv_free(w);
  w = search_words("!!! ... \xc2\xab \xc2\xbb", 16);
  CHECK("search_words_punctuation_only", w && w[0] == NULL);
  strv_free(w);
  w = search_words("a b c d e", 3);
  CHECK("search_words_capped", w && w[2] && strcmp(w[2], "c") == 0 && w[3] == NULL);
  strv_free(w);
  CHECK("search_words_invalid_utf8", search_words("caf\xc3", 4) == NULL);
  struct buf b;
  buf_init(&b);
  html_marked(&b,
              "<script>\x01Scierie\x02 & \"Fils\" l'an \x03"
              "b\x04\x01",
              '\x01', '\x02');
  CHECK(
    "html_marked",
    strcmp(
      b.data,
      "&lt;script&gt;<mark>Scierie</mark> &amp; &quot;Fils&quot; l&#39;an &lt;b&gt;<mark></mark>") ==
      0);
  buf_free(&b);
  long y = 0;
  CHECK("year_valid", year_valid("2025", &y) && y == 2025);
  CHECK("year_too_early", !year_valid("1989", NULL));
  CHECK("year_not_digits",
        !year_valid("20a5", NULL) && !year_valid("202", NULL) && !year_valid("+2025", NULL));
}

static bool resolves(const char *s, long long now_us, bool date_only, const char *want) {
  char out[RELTIME_TEXT];
  return reltime_resolve(s, now_us, date_only, out) && strcmp(out, want) == 0;
}

static void test_reltime(void) {
  long long off = 1;
  CHECK("reltime_now", reltime_parse("now", &off) && off == 0);
  CHECK("reltime_minus_days", reltime_parse("now-7d", &off) && off == -7 * 86400);
  CHECK("reltime_plus_hours", reltime_parse("now+2h", &off) && off == 2 * 3600);
  CHECK("reltime_space_is_a_decoded_plus", reltime_parse("now 2h", &off) && off == 2 * 3600);
  CHECK("reltime_minutes_and_seconds", reltime_parse("now-90m", &off) && off == -5400 &&
                                         reltime_parse("now+45s", &off) && off == 45);
  CHECK("reltime_weeks", reltime_parse("now+2w", &off) && off == 14 * 86400);
  CHECK("reltime_zero", reltime_parse("now-0d", &off) && off == 0);
  CHECK("reltime_six_digits", reltime_parse("now-999999s", &off) && off == -999999);
  CHECK("reltime_seven_digits", !reltime_parse("now-1000000s", &off));
  CHECK("reltime_100_years",
        reltime_parse("now+5217w", &off) && !reltime_parse("now+5218w", &off) &&
          reltime_parse("now-36525d", &off) && !reltime_parse("now-36526d", &off));
  const char *bad[] = {"",         "no",         "NOW",      "Now",     "now-",       "now+",
                       "now-7",    "now-d",      "now-7D",   "now-7y",  "now-7dd",    "now--7d",
                       "now-+7d",  "now- 7d",    "now-7 d",  "now-7d ", " now",       "now ",
                       "now-1.5h", "now-0x10s",  "now+-1d",  "nowish",  "now-7d,now", "now\t1d",
                       "today",    "2026-12-05", "now-7d\n", NULL};
  bool refused = true;
  for (const char **b = bad; *b; b++)
    if (reltime_parse(*b, &off)) {
      refused = false;
      printf("  accepted %s\n", *b);
    }
  CHECK("reltime_refuses_malformed", refused);
  CHECK("reltime_null", !reltime_parse(NULL, &off));

  long long t = 1796542200123456LL; /* 2026-12-06T07:30:00.123456Z */
  CHECK("reltime_resolve_now", resolves("now", t, false, "2026-12-06T07:30:00.123456Z"));
  CHECK("reltime_resolve_minus_7d", resolves("now-7d", t, false, "2026-11-29T07:30:00.123456Z"));
  CHECK("reltime_resolve_over_new_year",
        resolves("now+4w", t, false, "2027-01-03T07:30:00.123456Z"));
  CHECK("reltime_resolve_leap_day",
        resolves("now-281d", t, false, "2026-02-28T07:30:00.123456Z") &&
          resolves("now-1011d", t, false, "2024-02-29T07:30:00.123456Z"));
  CHECK("reltime_resolve_date",
        resolves("now", t, true, "2026-12-06") && resolves("now-8h", t, true, "2026-12-05"));
  CHECK("reltime_resolve_before_1970",
        resolves("now-1s", 0, false, "1969-12-31T23:59:59.000000Z") &&
          resolves("now", -1, false, "1969-12-31T23:59:59.999999Z"));
  char out[RELTIME_TEXT];
  CHECK("reltime_resolve_refuses_malformed", !reltime_resolve("now-7x", t, false, out));
  CHECK("reltime_resolve_year_range",
        !reltime_resolve("now+1d", 253402300799LL * 1000000, false, out) &&
          resolves("now", 253402300799LL * 1000000, false, "9999-12-31T23:59:59.000000Z"));
}

static bool client_is(const struct cidr *t, int n, const char *peer, const char *xff,
                      const char *want) {
  struct ipaddr p;
  if (!ip_parse(peer, strlen(peer), &p)) return false;
  struct ipaddr got = netaddr_forwarded_client(t, n < 0 ? 0 : (size_t)n, &p, xff);
  char text[64];
  ip_format(&got, text, sizeof text);
  if (strcmp(text, want) != 0)
    printf("  client of %s + '%s': %s, not %s\n", peer, xff ? xff : "(none)", text, want);
  return strcmp(text, want) == 0;
}

static void test_netaddr(void) {
  struct ipaddr a;
  char text[64];
  CHECK("ip_v4", ip_parse("192.0.2.7", 9, &a) && a.family == AF_INET && a.b[3] == 7);
  CHECK("ip_v6", ip_parse(" 2001:db8::1 ", 13, &a) && a.family == AF_INET6 && a.b[15] == 1);
  ip_parse("::ffff:192.0.2.7", 16, &a);
  ip_format(&a, text, sizeof text);
  CHECK("ip_v4_mapped_is_v4", a.family == AF_INET && strcmp(text, "192.0.2.7") == 0);
  CHECK("ip_ports", ip_parse("[2001:db8::1]:443", 17, &a) && ip_parse("[::1]", 5, &a) &&
                      ip_parse("192.0.2.7:8080", 14, &a) &&
                      strcmp((ip_format(&a, text, sizeof text), text), "192.0.2.7") == 0);
  const char *bad[] = {"",       " ",          "192.0.2",          "192.0.2.256",      "1.2.3.4.5",
                       "::g",    "unknown",    "[192.0.2.7]",      "2001:db8::1:443x", "[::1]:",
                       "[::1]x", "192.0.2.7:", "192.0.2.7:99999x", "1.2.3.4/8",        "_hidden"};
  bool none = true;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    none &= !ip_parse(bad[i], strlen(bad[i]), &a);
  CHECK("ip_invalid", none);

  struct cidr *t = NULL;
  char err[128];
  CHECK("cidr_empty", cidr_list_parse("", &t, err, sizeof err) == 0 && !t);
  CHECK("cidr_blank", cidr_list_parse("  ", &t, err, sizeof err) == 0 && !t);
  int n = cidr_list_parse("10.0.0.0/8, 192.0.2.1,2001:db8::/32 ,::ffff:172.16.0.0/108", &t, err,
                          sizeof err);
  CHECK("cidr_list", n == 4 && t[1].bits == 32 && t[2].bits == 32 && t[3].bits == 12 &&
                       t[3].net.family == AF_INET);
  struct ipaddr x;
  CHECK("cidr_contains_v4", ip_parse("10.200.3.4", 10, &x) && cidr_list_contains(t, (size_t)n, &x));
  CHECK("cidr_contains_mapped",
        ip_parse("::ffff:172.31.0.1", 17, &x) && cidr_list_contains(t, (size_t)n, &x));
  CHECK("cidr_not_next_block",
        ip_parse("172.32.0.1", 10, &x) && !cidr_list_contains(t, (size_t)n, &x));
  CHECK("cidr_contains_v6",
        ip_parse("2001:db8:ffff::9", 16, &x) && cidr_list_contains(t, (size_t)n, &x));
  CHECK("cidr_not_v6", ip_parse("2001:db9::9", 11, &x) && !cidr_list_contains(t, (size_t)n, &x));
  CHECK("cidr_single", ip_parse("192.0.2.1", 9, &x) && cidr_list_contains(t, (size_t)n, &x) &&
                         ip_parse("192.0.2.2", 9, &x) && !cidr_list_contains(t, (size_t)n, &x));
  /* the client behind trusted proxies */
  CHECK("xff_untrusted_peer_ignored",
        client_is(t, n, "203.0.113.9", "198.51.100.1", "203.0.113.9"));
  CHECK("xff_absent", client_is(t, n, "10.0.0.1", NULL, "10.0.0.1"));
  CHECK("xff_one_hop", client_is(t, n, "10.0.0.1", "198.51.100.1", "198.51.100.1"));
  CHECK("xff_spoofed_left_ignored",
        client_is(t, n, "10.0.0.1", "1.1.1.1, 2.2.2.2, 198.51.100.1", "198.51.100.1"));
  CHECK("xff_chain_of_proxies",
        client_is(t, n, "10.0.0.1", "6.6.6.6,198.51.100.1, 10.9.9.9 ,192.0.2.1", "198.51.100.1"));
  CHECK("xff_all_trusted_left_most", client_is(t, n, "10.0.0.1", "10.1.1.1, 10.2.2.2", "10.1.1.1"));
  CHECK("xff_garbage_stops_at_its_proxy",
        client_is(t, n, "10.0.0.1", "198.51.100.1, evil, 10.3.3.3", "10.3.3.3"));
  CHECK("xff_garbage_right_most", client_is(t, n, "10.0.0.1", "198.51.100.1, evil", "10.0.0.1"));
  CHECK("xff_empty_items_skipped", client_is(t, n, "10.0.0.1", " , 198.51.100.1,", "198.51.100.1"));
  CHECK("xff_v6_and_ports",
        client_is(t, n, "::ffff:10.0.0.1", "[2001:db9::5]:5000, 192.0.2.1:80", "2001:db9::5"));
  CHECK("xff_no_trusted_blocks", client_is(t, 0, "10.0.0.1", "198.51.100.1", "10.0.0.1"));
  free(t);
  const char *invalid[] = {"10.0.0.0/33",        "2001:db8::/129", "10.0.0.0/",   "10.0.0/8",
                           "10.0.0.0/8,,::1",    "localhost",      "10.0.0.0/-1", "10.0.0.0/8x",
                           "::ffff:10.0.0.0/90", "10.0.0.0/1000"};
  bool refused = true;
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
    t = NULL;
    bool r = cidr_list_parse(invalid[i], &t, err, sizeof err) == -1 && !t && err[0];
    if (!r) printf("  accepted '%s'\n", invalid[i]);
    refused &= r;
    free(t);
  }
  CHECK("cidr_invalid_refused", refused);
  cidr_list_parse("10.1.2.3/8", &t, err, sizeof err);
  CHECK("cidr_host_bits_ignored", t && ip_parse("10.9.9.9", 8, &x) && cidr_list_contains(t, 1, &x));
  free(t);
}

/* The SQL builder numbers parameters itself and fills condition templates. */
static void test_sqlb(void) {
  struct sqlb q;
  sqlb_init(&q);
  sqlb_add(&q, "SELECT 1 FROM t WHERE a = ");
  int n1 = sqlb_param(&q, strdup("x"), "uuid");
  int n2 = sqlb_bind_copy(&q, NULL);
  char ref[SQLB_REF_SIZE], any[SQLB_REF_SIZE];
  sqlb_ref_text(ref, n2, NULL, false);
  sqlb_ref_text(any, sqlb_bind_copy(&q, "{a,b}"), "text", true);
  const char *refs[] = {ref, any};
  sqlb_add(&q, " AND ");
  sqlb_template(&q, "(b = $1 OR c = $2 OR d = $12 OR e = $3 OR f = '$')", refs, 2);
  CHECK("sqlb numbers from 1", n1 == 1 && n2 == 2 && q.n == 3);
  CHECK("sqlb text",
        strcmp(q.text.data,
               "SELECT 1 FROM t WHERE a = $1::uuid AND (b = $2 OR c = ANY($3::text[]) OR "
               "d = $12 OR e = $3 OR f = '$')") == 0);
  CHECK("sqlb values", strcmp(sqlb_values(&q)[0], "x") == 0 && !sqlb_values(&q)[1] &&
                         strcmp(sqlb_values(&q)[2], "{a,b}") == 0);
  for (int i = 0; i < 40; i++) sqlb_bind_copy(&q, "v"); /* grows past its first capacity */
  CHECK("sqlb grows", q.n == 43 && strcmp(q.values[42], "v") == 0);
  sqlb_free(&q);
  char *items[] = {"a\"b", "c\\d", "", NULL};
  char *lit = sqlb_array(items);
  CHECK("sqlb array literal", strcmp(lit, "{\"a\\\"b\",\"c\\\\d\",\"\"}") == 0);
  free(lit);
  lit = sqlb_array(NULL);
  CHECK("sqlb empty array", strcmp(lit, "{}") == 0);
  free(lit);
}

/* A hash whose first two bytes choose the set and whose last byte tells keys apart. */
static void kc_hash(unsigned char h[32], unsigned set, unsigned char n) {
  memset(h, 0, 32);
  h[0] = (unsigned char)(set >> 8);
  h[1] = (unsigned char)set;
  h[31] = n;
}

static struct keycache_value kc_value(const char *id, char **clusters, double expires_at) {
  struct keycache_value v = {.clusters = clusters, .expires_at = expires_at};
  snprintf(v.id, sizeof v.id, "%s", id);
  snprintf(v.role, sizeof v.role, "%s", clusters ? "manager" : "reader");
  return v;
}

/* Puts key n of set at monotonic time t, with a ticket taken then. */
static void kc_put(struct keycache *kc, unsigned set, unsigned char n, double t, double expires) {
  unsigned char h[32];
  kc_hash(h, set, n);
  struct keycache_ticket ticket;
  keycache_ticket(kc, t, &ticket);
  char id[8];
  snprintf(id, sizeof id, "k%u", n);
  struct keycache_value v = kc_value(id, NULL, expires);
  keycache_put(kc, h, &v, &ticket);
}

static bool kc_has(struct keycache *kc, unsigned set, unsigned char n, double now, double wall) {
  unsigned char h[32];
  kc_hash(h, set, n);
  struct keycache_value out;
  if (!keycache_get(kc, h, now, wall, &out)) return false;
  strv_free(out.clusters);
  return true;
}

static void test_keycache(void) {
  const double wall = 1.8e9;
  struct keycache *kc = keycache_new();
  unsigned char h[32];
  kc_hash(h, 7, 1);
  struct keycache_value out;
  CHECK("keycache_empty_misses", !keycache_get(kc, h, 100, wall, &out));

  /* a manager's clusters are copied in and out */
  char **clusters = split_commas("c1,c2");
  struct keycache_ticket t;
  keycache_ticket(kc, 100, &t);
  struct keycache_value v = kc_value("k1", clusters, 0);
  keycache_put(kc, h, &v, &t);
  strv_free(clusters);
  bool hit = keycache_get(kc, h, 100.1, wall, &out);
  CHECK("keycache_hit", hit && strcmp(out.id, "k1") == 0 && strcmp(out.role, "manager") == 0 &&
                          strv_len(out.clusters) == 2 && strcmp(out.clusters[1], "c2") == 0);
  if (hit) strv_free(out.clusters);

  /* nobody heard: the short lifetime, counted from the ticket */
  CHECK("keycache_short_ttl_alive", kc_has(kc, 7, 1, 100 + KEYCACHE_SHORT_TTL - 0.01, wall));
  CHECK("keycache_short_ttl_over", !kc_has(kc, 7, 1, 100 + KEYCACHE_SHORT_TTL, wall));

  /* heard: the long lifetime, while pings keep coming back */
  keycache_new_epoch(kc, 200);
  keycache_heard(kc, 199); /* a ping from before the epoch proves nothing */
  kc_put(kc, 7, 1, 200.1, 0);
  CHECK("keycache_ping_before_epoch_ignored", !kc_has(kc, 7, 1, 200.7, wall));
  kc_put(kc, 7, 1, 200.1, 0);
  keycache_heard(kc, 200.2);
  CHECK("keycache_heard_long_ttl", kc_has(kc, 7, 1, 200.9, wall));
  CHECK("keycache_unheard_for_too_long", !kc_has(kc, 7, 1, 200.2 + KEYCACHE_HEARD_WITHIN, wall));
  kc_put(kc, 7, 1, 210, 0);
  keycache_heard(kc, 250);
  CHECK("keycache_still_heard", kc_has(kc, 7, 1, 250.5, wall));
  keycache_heard(kc, 269.5);
  CHECK("keycache_long_ttl_over", !kc_has(kc, 7, 1, 210 + KEYCACHE_LONG_TTL, wall));

  /* the key's own expiry, on the wall clock, whatever else */
  kc_put(kc, 7, 2, 300, wall + 1);
  keycache_heard(kc, 300);
  CHECK("keycache_before_expiry", kc_has(kc, 7, 2, 300.1, wall + 0.99));
  CHECK("keycache_at_expiry", !kc_has(kc, 7, 2, 300.1, wall + 1));

  /* a change heard drops the key; an answer read before it is not kept */
  kc_put(kc, 7, 3, 300, 0);
  kc_hash(h, 7, 3);
  keycache_ticket(kc, 300.1, &t);
  keycache_forget(kc, h);
  CHECK("keycache_forget", !kc_has(kc, 7, 3, 300.2, wall));
  v = kc_value("k3", NULL, 0);
  keycache_put(kc, h, &v, &t);
  CHECK("keycache_stale_answer_not_kept", !kc_has(kc, 7, 3, 300.2, wall));
  kc_put(kc, 7, 3, 300.2, 0);
  kc_put(kc, 9, 1, 300.2, 0);
  keycache_forget_all(kc);
  CHECK("keycache_forget_all", !kc_has(kc, 7, 3, 300.3, wall) && !kc_has(kc, 9, 1, 300.3, wall));
  kc_put(kc, 9, 1, 300.3, 0);
  keycache_new_epoch(kc, 300.4);
  CHECK("keycache_new_epoch_empties", !kc_has(kc, 9, 1, 300.45, wall));

  /* bounded: a fifth key of a full set takes the oldest one's place */
  for (unsigned char n = 1; n <= 5; n++) kc_put(kc, 11, n, 400 + n * 0.01, 0);
  CHECK("keycache_set_evicts_the_oldest", !kc_has(kc, 11, 1, 400.1, wall) &&
                                            kc_has(kc, 11, 2, 400.1, wall) &&
                                            kc_has(kc, 11, 5, 400.1, wall));
  for (unsigned set = 0; set < 2 * KEYCACHE_CAPACITY; set++) kc_put(kc, set, 0, 500, 0);
  struct keycache_stats st;
  keycache_stats(kc, 500, &st);
  CHECK("keycache_bounded", st.entries <= KEYCACHE_CAPACITY && st.entries > KEYCACHE_CAPACITY / 2);
  CHECK("keycache_counts", st.hits > 5 && st.misses > 5 && !st.healthy);
  keycache_heard(kc, 500);
  keycache_stats(kc, 500.1, &st);
  CHECK("keycache_healthy", st.healthy);
  keycache_free(kc);
}

static bool rc_is(struct rowcache *rc, const char *id, const char *tag, double now,
                  const char *want) {
  struct buf b;
  buf_init(&b);
  buf_adds(&b, "[");
  bool hit = rowcache_append(rc, 1, id, tag, now, &b);
  bool ok = want ? hit && strcmp(b.data + 1, want) == 0 : !hit && strcmp(b.data, "[") == 0;
  buf_free(&b);
  return ok;
}

static void rc_put(struct rowcache *rc, const char *id, const char *tag, const char *text,
                   double now) {
  rowcache_put(rc, 1, id, tag, text, strlen(text), now);
}

static void test_rowcache(void) {
  CHECK("rowcache_zero_is_none", rowcache_new(0) == NULL && rc_is(NULL, "a", "1:1", 0, NULL));
  rowcache_put(NULL, 1, "a", "1:1", "{}", 2, 0); /* a NULL cache takes nothing, and survives */
  struct rowcache *rc = rowcache_new(4u << 20);
  CHECK("rowcache_empty_misses", rc_is(rc, "a", "1:1", 10, NULL));
  rc_put(rc, "a", "100:1", "{\"v\":1}", 10);
  CHECK("rowcache_hit_appends", rc_is(rc, "a", "100:1", 11, "{\"v\":1}"));
  CHECK("rowcache_other_tag_misses", rc_is(rc, "a", "101:2", 11, NULL));
  CHECK("rowcache_other_kind_misses", !rowcache_append(rc, 2, "a", "100:1", 11, &(struct buf){0}));
  rc_put(rc, "a", "101:2", "{\"v\":2}", 12);
  CHECK("rowcache_replaced",
        rc_is(rc, "a", "101:2", 12, "{\"v\":2}") && rc_is(rc, "a", "100:1", 12, NULL));
  CHECK("rowcache_max_age", rc_is(rc, "a", "101:2", 12 + ROWCACHE_MAX_AGE - 1, "{\"v\":2}") &&
                              rc_is(rc, "a", "101:2", 12 + ROWCACHE_MAX_AGE, NULL) &&
                              rc_is(rc, "a", "101:2", 11, NULL));
  char long_id[ROWCACHE_KEY_MAX + 2];
  memset(long_id, 'x', sizeof long_id - 1);
  long_id[sizeof long_id - 1] = '\0';
  rc_put(rc, long_id, "1:1", "{}", 20);
  CHECK("rowcache_long_id_not_kept", rc_is(rc, long_id, "1:1", 20, NULL));
  struct rowcache_stats st;
  rowcache_tally(rc, 3, 7);
  rowcache_tally(NULL, 1, 1);
  rowcache_stats(rc, &st);
  CHECK("rowcache_counts", st.hits == 3 && st.misses == 7 && st.entries == 1 && st.bytes > 8);
  rowcache_free(rc);

  /* 64 KiB: 1 KiB a shard, a few entries of 300 bytes each. Filling it far beyond keeps its
     bytes within the budget, and a row read since the hand passed outlives one that was not. */
  rc = rowcache_new(64u << 10);
  char text[2001], id[40]; /* rows of 300 bytes, and one of 2,000 */
  memset(text, 'j', 2000);
  text[2000] = '\0';
  text[300] = '\0';
  for (int i = 0; i < 5000; i++) {
    snprintf(id, sizeof id, "row-%d", i);
    rc_put(rc, id, "7:1", text, 30);
  }
  rowcache_stats(rc, &st);
  CHECK("rowcache_bounded", st.bytes <= 64u << 10 && st.entries > 0 && st.entries < 5000);
  rowcache_free(rc);

  rc = rowcache_new((size_t)ROWCACHE_SHARDS * 1024); /* 1 KiB a shard: two 300-byte rows at most */
  int kept_read = 0, kept_unread = 0, rounds = 0;
  for (int i = 0; i < 2000; i += 3, rounds++) {
    char a[40], b[40], c[40];
    snprintf(a, sizeof a, "r%d", i);
    snprintf(b, sizeof b, "r%d", i + 1);
    snprintf(c, sizeof c, "r%d", i + 2);
    rc_put(rc, a, "1:1", text, 40);
    rc_put(rc, b, "1:1", text, 40);
    bool a_in = rc_is(rc, a, "1:1", 40, text); /* a read: its bit is set (b may share no shard) */
    rc_put(rc, c, "1:1", text, 40);
    kept_read += a_in && rc_is(rc, a, "1:1", 40, text);
    kept_unread += rc_is(rc, b, "1:1", 40, text);
  }
  CHECK("rowcache_clock_spares_read_rows", kept_read > kept_unread);
  text[300] = 'j';
  rowcache_put(rc, 1, "huge", "1:1", text, 2000, 40); /* larger than a shard: not kept */
  CHECK("rowcache_too_large_not_kept", rc_is(rc, "huge", "1:1", 40, NULL));
  rowcache_free(rc);

  char lit[SQLB_REF_SIZE] = "";
  CHECK("sqlb_literal_code",
        sqlb_literal_text(lit, "84", "text") && strcmp(lit, "'84'::text") == 0);
  CHECK("sqlb_literal_refuses",
        !sqlb_literal_text(lit, "8'4", "text") && !sqlb_literal_text(lit, "", "text") &&
          !sqlb_literal_text(lit, "a b", "text") &&
          !sqlb_literal_text(lit, "abcdefghijklmnopq", "text") &&
          !sqlb_literal_text(lit, "84", NULL) && strcmp(lit, "'84'::text") == 0);
}

static bool public_ip(const char *s) {
  struct ipaddr a;
  return ip_parse(s, strlen(s), &a) && ip_is_public(&a);
}

static void test_webhook(void) {
  /* the example of the Standard Webhooks libraries (svix) */
  char sig[64];
  const char *body = "{\"test\": 2432232314}";
  CHECK("webhook_sign_vector",
        webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                     1614265330, body, strlen(body), sig, sizeof sig) &&
          strcmp(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") == 0);
  unsigned char key[64];
  CHECK("webhook_secret_refuses",
        webhook_secret_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key, sizeof key) < 0 &&
          webhook_secret_key("whsec_", key, sizeof key) < 0 &&
          webhook_secret_key("whsec_c2hvcnQ=", key, sizeof key) < 0 &&
          webhook_secret_key("whsec_MfKQ9r8GKYqrTwjUPD8I-PZIo2LaLaSw", key, sizeof key) < 0);
  char *s1 = webhook_secret_new(), *s2 = webhook_secret_new();
  CHECK("webhook_secret_new", s1 && s2 && strncmp(s1, "whsec_", 6) == 0 && strcmp(s1, s2) != 0 &&
                                webhook_secret_key(s1, key, sizeof key) == 32);
  free(s1);
  free(s2);

  const char *tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  char child[56];
  CHECK("traceparent_valid",
        traceparent_valid(tp) &&
          !traceparent_valid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x") &&
          !traceparent_valid("00-00000000000000000000000000000000-00f067aa0ba902b7-01") &&
          !traceparent_valid("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01") &&
          !traceparent_valid("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") &&
          !traceparent_valid("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01") &&
          traceparent_valid("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later") &&
          !traceparent_valid(NULL) && !traceparent_valid(""));
  CHECK("traceparent_child", traceparent_child(tp, child) && strlen(child) == 55 &&
                               strncmp(child, tp, 36) == 0 && strcmp(child + 52, "-01") == 0 &&
                               strncmp(child + 36, tp + 36, 16) != 0 && traceparent_valid(child));

  CHECK("webhook_backoff_first",
        webhook_backoff(1, 10, 3600, 0) == 5 && webhook_backoff(1, 10, 3600, 0.99999) < 10);
  CHECK("webhook_backoff_grows", webhook_backoff(3, 10, 3600, 0) == 20 &&
                                   webhook_backoff(30, 10, 3600, 0) == 1800 &&
                                   webhook_backoff(1000, 10, 3600, 0.5) == 2700);

  struct webhook_target t;
  const char *why;
  CHECK("webhook_url_https", webhook_url_parse("https://hooks.example.org/grappe?x=1", &t, &why) &&
                               t.https && t.port == 443 &&
                               strcmp(t.host, "hooks.example.org") == 0);
  CHECK("webhook_url_v6", webhook_url_parse("http://[2001:db8::1]:8080/h", &t, &why) && !t.https &&
                            t.port == 8080 && strcmp(t.host, "2001:db8::1") == 0);
  CHECK("webhook_url_refuses", !webhook_url_parse("ftp://example.org/", &t, &why) &&
                                 !webhook_url_parse("https://u:p@example.org/", &t, &why) &&
                                 !webhook_url_parse("https://example.org/#frag", &t, &why) &&
                                 !webhook_url_parse("example.org/hook", &t, &why) &&
                                 !webhook_url_parse("https://exa mple.org/", &t, &why) &&
                                 !webhook_url_parse("", &t, &why) && why);

  CHECK("ip_is_public_refuses",
        !public_ip("127.0.0.1") && !public_ip("10.1.2.3") && !public_ip("172.31.0.1") &&
          !public_ip("192.168.1.1") && !public_ip("169.254.169.254") && !public_ip("0.0.0.0") &&
          !public_ip("224.0.0.1") && !public_ip("255.255.255.255") && !public_ip("100.64.0.1") &&
          !public_ip("::1") && !public_ip("::") && !public_ip("fe80::1") && !public_ip("fd00::1") &&
          !public_ip("ff02::1") && !public_ip("::ffff:127.0.0.1") && !public_ip("64:ff9b::a00:1") &&
          !public_ip("2002:c0a8:101::1"));
  CHECK("ip_is_public_accepts", public_ip("93.184.216.34") && public_ip("2a00:1450:4007::1") &&
                                  public_ip("172.32.0.1") && public_ip("64:ff9b::5db8:d822"));
}

/* Every record of data as "line:cell|cell" (an error as "line:!message"), one per line. */
static char *csvin_dump(const char *data, size_t len, enum csvin_charset cs) {
  struct csvin *r = csvin_open(data, len, cs);
  struct buf out;
  buf_init(&out);
  char **cells, err[128];
  size_t n;
  long line;
  int rc;
  while ((rc = csvin_next(r, &cells, &n, &line, err, sizeof err)) != 0) {
    buf_addf(&out, "%ld:", line);
    if (rc < 0) buf_addf(&out, "!%s", err);
    for (size_t i = 0; rc > 0 && i < n; i++) buf_addf(&out, "%s%s", i ? "|" : "", cells[i]);
    buf_addc(&out, '\n');
  }
  csvin_close(r);
  return out.data ? buf_steal(&out) : strdup("");
}

static bool csvin_is(const char *data, size_t len, enum csvin_charset cs, const char *want) {
  char *got = csvin_dump(data, len, cs);
  bool ok = strcmp(got, want) == 0;
  if (!ok) printf("  csvin: got \"%s\", want \"%s\"\n", got, want);
  free(got);
  return ok;
}
#define CSVIN_IS(data, want) csvin_is(data, sizeof data - 1, CSVIN_UTF8, want)
#define CSVIN_1252_IS(data, want) csvin_is(data, sizeof data - 1, CSVIN_WINDOWS_1252, want)

static char csvin_delim_of(const char *data) {
  struct csvin *r = csvin_open(data, strlen(data), CSVIN_UTF8);
  char d = csvin_delimiter(r);
  csvin_close(r);
  return d;
}

static void test_csvin(void) {
  CHECK("csvin_delimiter_comma", csvin_delim_of("a,b,c;d\n1;2;3;4;5\n") == ',');
  CHECK("csvin_delimiter_semicolon", csvin_delim_of("a;b;c,d\n1,2,3,4,5\n") == ';');
  CHECK("csvin_delimiter_tie_is_comma",
        csvin_delim_of("a,b;c\n") == ',' && csvin_delim_of("") == ',');
  CHECK("csvin_delimiter_outside_quotes_only", csvin_delim_of("\"a,b,c\";d;e,f\n") == ';');
  CHECK("csvin_delimiter_after_blank_lines", csvin_delim_of("\r\n\na;b\n") == ';');
  CHECK("csvin_bom_skipped", CSVIN_IS("\xEF\xBB\xBFname;city\nA;B\n", "1:name|city\n2:A|B\n"));
  CHECK("csvin_crlf_lf_and_final_line", CSVIN_IS("a,b\r\nc,d\ne,f", "1:a|b\n2:c|d\n3:e|f\n") &&
                                          CSVIN_IS("a,b\r\nc,d\r", "1:a|b\n2:c|d\n"));
  CHECK("csvin_empty_cells_and_spaces_kept", CSVIN_IS("a,,b \n, ,\n", "1:a||b \n2:| |\n"));
  CHECK("csvin_cr_inside_a_cell_kept", CSVIN_IS("a\rb,c\n", "1:a\rb|c\n"));
  CHECK("csvin_quoted_cells",
        CSVIN_IS("\"a,b\",\"say \"\"hi\"\"\",\"\"\n\"x\"\r\n", "1:a,b|say \"hi\"|\n2:x\n"));
  CHECK("csvin_quoted_newlines_count_lines",
        CSVIN_IS("h1,h2\n\"one\ntwo\r\nthree\",x\nnext,y\n",
                 "1:h1|h2\n2:one\ntwo\r\nthree|x\n5:next|y\n"));
  CHECK("csvin_blank_lines_skipped_but_counted",
        CSVIN_IS("\na,b\n\r\n\nc,d\n\n", "2:a|b\n5:c|d\n") && CSVIN_IS("", "") &&
          CSVIN_IS("\r\n\r", ""));
  /* windows-1252: "Société;Énergie", the euro sign (0x80) and "œ" (0x9C) */
  CHECK("csvin_windows_1252",
        CSVIN_1252_IS("Soci\xe9t\xe9;\xc9nergie\n\x80 5;c\x9cur\n",
                      "1:Soci\xc3\xa9t\xc3\xa9|\xc3\x89nergie\n2:\xe2\x82\xac 5|c\xc5\x93ur\n"));
  CHECK("csvin_windows_1252_undefined_byte",
        CSVIN_1252_IS("a;b\nx;y\x81z\nc;d\n",
                      "1:a|b\n2:!byte 0x81 in cell 2 is not a windows-1252 character\n3:c|d\n"));
  CHECK("csvin_invalid_utf8",
        CSVIN_IS("a,b\nx,\xc3(\n\xed\xa0\x80,y\n\xc0\xaf,z\nok,\xc3\xa9\n",
                 "1:a|b\n2:!invalid UTF-8 in cell 2\n3:!invalid UTF-8 in cell 1\n"
                 "4:!invalid UTF-8 in cell 1\n5:ok|\xc3\xa9\n"));
  CHECK("csvin_nul_refused",
        CSVIN_IS("a,b\nx,y\0z\n\"p\0\nq\",r\nc,d\n",
                 "1:a|b\n2:!NUL byte in cell 2\n3:!NUL byte in cell 1\n5:c|d\n"));
  CHECK("csvin_quote_inside_unquoted_cell_resumes_next_line",
        CSVIN_IS("a,b\nx,y\"z\nc,d\n\"q\"x,1\ne,f\n",
                 "1:a|b\n2:!a quote inside an unquoted cell (cell 2)\n3:c|d\n"
                 "4:!text after the closing quote of cell 1\n5:e|f\n"));
  CHECK("csvin_unterminated_quote_ends_the_file",
        CSVIN_IS("a,b\nc,\"d\ne,f\n", "1:a|b\n2:!unterminated quoted cell (cell 2)\n"));

  struct buf big;
  buf_init(&big);
  buf_adds(&big, "h\n");
  for (int i = 0; i < CSVIN_MAX_CELLS; i++) buf_adds(&big, "x,");
  buf_adds(&big, "x\nlast\n");
  char *got = csvin_dump(big.data, big.len, CSVIN_UTF8);
  CHECK("csvin_too_many_cells_then_resumes",
        strcmp(got, "1:h\n2:!more than 1000 cells\n3:last\n") == 0);
  free(got);
  buf_reset(&big);
  buf_adds(&big, "h\n\"");
  for (int i = 0; i < 70000; i++) buf_adds(&big, "0123456789abcdef");
  buf_adds(&big, "\"\nlast\n");
  got = csvin_dump(big.data, big.len, CSVIN_UTF8);
  CHECK("csvin_record_over_1_mib_then_resumes",
        strcmp(got, "1:h\n2:!a record longer than 1 MiB\n3:last\n") == 0);
  free(got);
  buf_free(&big);

  /* The count from the current position: records, bad ones included, blank lines not. */
  const char count_me[] = "h;i\n\na;\"b\nc\"\n\nx\"y;z\r\n\"open\n";
  struct csvin *r = csvin_open(count_me, sizeof count_me - 1, CSVIN_UTF8);
  CHECK("csvin_count_records_all", csvin_count_records(r) == 4);
  char **cells, err[128];
  size_t n;
  long line;
  CHECK("csvin_count_header", csvin_next(r, &cells, &n, &line, err, sizeof err) == 1 && n == 2);
  CHECK("csvin_count_records_after_header", csvin_count_records(r) == 3);
  CHECK("csvin_count_then_read_on", csvin_next(r, &cells, &n, &line, err, sizeof err) == 1 &&
                                      line == 3 && strcmp(cells[1], "b\nc") == 0 &&
                                      csvin_count_records(r) == 2);
  CHECK("csvin_count_after_the_end",
        csvin_next(r, &cells, &n, &line, err, sizeof err) == -1 && line == 6 &&
          csvin_next(r, &cells, &n, &line, err, sizeof err) == -1 && line == 7 &&
          csvin_count_records(r) == 0 && csvin_next(r, &cells, &n, &line, err, sizeof err) == 0);
  csvin_close(r);
}

/* The fields of the csvline tests: their own, not a resource's, which may change. */
static const struct field csvline_sub[] = {
  {.name = "city", .type = F_TEXT}, {.name = "lat", .type = F_DECIMAL}, {.name = NULL}};
static const struct field csvline_fields[] = {
  {.name = "name", .type = F_TEXT},
  {.name = "employees", .type = F_INT},
  {.name = "revenue", .type = F_DECIMAL},
  {.name = "active", .type = F_BOOL},
  {.name = "tags", .type = F_TEXT_ARRAY},
  {.name = "address", .type = F_OBJECT, .sub = csvline_sub},
  {.name = "external_ids", .type = F_MAP},
  {.name = "labels", .type = F_OBJECT_ARRAY},
  {.name = "created_at", .type = F_TIMESTAMP, .readonly = true},
  {.name = NULL},
};

/* The columns of a header written as one string, cells split on ','. */
static struct csv_columns *csvline_columns(const char *header, struct verrors *e) {
  char *copy = strdup(header), *cells[32];
  size_t n = 0;
  for (char *p = copy, *c; n < 32 && (c = strsep(&p, ",")) != NULL;) cells[n++] = c;
  struct csv_columns *m = csv_columns_new(csvline_fields, cells, n, e);
  free(copy);
  return m;
}

/* The JSON of one line (cells split on ';') under a header, or its errors as JSON. */
static bool csvline_is(const char *header, const char *line, const char *want) {
  struct verrors e = {NULL};
  struct csv_columns *m = csvline_columns(header, &e);
  json_t *got = NULL;
  if (m) {
    char *copy = strdup(line), *cells[32];
    size_t n = 0;
    for (char *p = copy, *c; n < 32 && (c = strsep(&p, ";")) != NULL;) cells[n++] = c;
    got = csv_columns_line(m, cells, n, &e);
    free(copy);
  }
  char *text =
    json_dumps(got ? got : e.items, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
  bool ok = text && strcmp(text, want) == 0 && (got == NULL) == (e.items != NULL);
  if (!ok) printf("  csvline: got %s, want %s\n", text ? text : "(null)", want);
  free(text);
  json_decref(got);
  json_decref(e.items);
  csv_columns_free(m);
  return ok;
}

static void test_csvline(void) {
  CHECK("csvline_types",
        csvline_is("name,employees,revenue,active,tags", " Mont-Blanc ;1 200;46,06;Oui;a | b||c ",
                   "{\"active\":true,\"employees\":1200,\"name\":\"Mont-Blanc\","
                   "\"revenue\":46.06,\"tags\":[\"a\",\"b\",\"c\"]}"));
  CHECK("csvline_numbers",
        csvline_is("employees,revenue",
                   "-12;1\xc2\xa0"
                   "234\xe2\x80\xaf"
                   "567.5",
                   "{\"employees\":-12,\"revenue\":1234567.5}") &&
          csvline_is("employees,revenue", "+7;1,5e-05", "{\"employees\":7,\"revenue\":1.5e-5}") &&
          csvline_is("revenue", "3", "{\"revenue\":3}"));
  CHECK("csvline_booleans", csvline_is("active", "FALSE", "{\"active\":false}") &&
                              csvline_is("active", "vrai", "{\"active\":true}") &&
                              csvline_is("active", "0", "{\"active\":false}") &&
                              csvline_is("active", "No", "{\"active\":false}") &&
                              csvline_is("active", "non", "{\"active\":false}"));
  CHECK("csvline_empty_cells_absent",
        csvline_is("name,employees,address.city,address.lat,external_ids.siret,tags", " ;;;  ;;",
                   "{}"));
  CHECK("csvline_nested_object",
        csvline_is("address.city, address.lat ", "Cluses;46,06",
                   "{\"address\":{\"city\":\"Cluses\",\"lat\":46.06}}") &&
          csvline_is("address.city,address.lat", ";45.9", "{\"address\":{\"lat\":45.9}}"));
  CHECK("csvline_external_ids",
        csvline_is("external_ids.siret,external_ids.Sirene_V3,name", "732829320;x 1;A",
                   "{\"external_ids\":{\"Sirene_V3\":\"x 1\",\"siret\":\"732829320\"},"
                   "\"name\":\"A\"}"));
  CHECK("csvline_json_cells",
        csvline_is("external_ids,labels,address",
                   "{\"a\":\"1\"};[{\"s\":\"esca\"}];{\"city\":\"X\"}",
                   "{\"address\":{\"city\":\"X\"},\"external_ids\":{\"a\":\"1\"},"
                   "\"labels\":[{\"s\":\"esca\"}]}"));
  CHECK("csvline_json_cell_of_the_wrong_kind",
        csvline_is("labels", "{\"s\":1}",
                   "[{\"code\":\"invalid_value\",\"field\":\"labels\",\"message\":\"must be JSON "
                   "text of an array; found \\\"{\\\"s\\\":1}\\\"\"}]"));
  CHECK("csvline_id_and_readonly_columns",
        csvline_is("id,created_at", "c1000000-0000-4000-8000-000000000001;2026-01-01T00:00:00Z",
                   "{\"created_at\":\"2026-01-01T00:00:00Z\","
                   "\"id\":\"c1000000-0000-4000-8000-000000000001\"}"));
  CHECK("csvline_bad_integer_names_the_column",
        csvline_is("name, employees,revenue", "A;12a;1,2.3",
                   "[{\"code\":\"invalid_value\",\"field\":\"employees\",\"message\":\"must be an "
                   "integer; found \\\"12a\\\"\"},{\"code\":\"invalid_value\",\"field\":"
                   "\"revenue\",\"message\":\"must be a number (decimal mark '.' or ','); found "
                   "\\\"1,2.3\\\"\"}]"));
  CHECK(
    "csvline_found_cut_to_40_characters",
    csvline_is("active",
               "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
               "0123456789012345678901234567890123456789",
               "[{\"code\":\"invalid_value\",\"field\":\"active\",\"message\":\"must be true or "
               "false (also 1/0, yes/no, oui/non, vrai/faux); found \\\"\xc3\xa9\xc3\xa9\xc3\xa9"
               "\xc3\xa9\xc3\xa9"
               "01234567890123456789012345678901234...\\\"\"}]"));
  CHECK("csvline_integer_overflow",
        csvline_is("employees", "99999999999999999999",
                   "[{\"code\":\"invalid_value\",\"field\":"
                   "\"employees\",\"message\":\"must be a 64-bit integer; found "
                   "\\\"99999999999999999999\\\"\"}]"));
  CHECK("csvline_wrong_cell_count",
        csvline_is("name,employees", "A;1;2",
                   "[{\"code\":\"malformed\",\"field\":\"\",\"message\":\"the line has 3 cells; "
                   "the header has 2\"}]"));
  CHECK("csvline_unknown_duplicate_and_empty_columns",
        csvline_is("name,nope,address.nope,name , name,,labels.x", "",
                   "[{\"code\":\"unknown_column\",\"field\":\"nope\",\"message\":\"is not a column "
                   "of this resource (a field, <object>.<subfield> or <map>.<key>)\"},"
                   "{\"code\":\"unknown_column\",\"field\":\"address.nope\",\"message\":\"is not "
                   "a column of this resource (a field, <object>.<subfield> or <map>.<key>)\"},"
                   "{\"code\":\"duplicate_column\",\"field\":\"name \",\"message\":\"sets the "
                   "same value as column 1 (name)\"},{\"code\":\"duplicate_column\",\"field\":"
                   "\" name\",\"message\":\"sets the same value as column 1 (name)\"},"
                   "{\"code\":\"empty_column\",\"field\":\"\",\"message\":\"column 6 has no "
                   "name\"},{\"code\":\"unknown_column\",\"field\":\"labels.x\",\"message\":\"is "
                   "not a column of this resource (a field, <object>.<subfield> or "
                   "<map>.<key>)\"}]"));
  CHECK("csvline_whole_and_parts_clash",
        csvline_is("address,address.city", "",
                   "[{\"code\":\"duplicate_column\",\"field\":\"address.city\",\"message\":\"sets "
                   "the same value as column 1 (address)\"}]"));
  CHECK("csvline_bare_id_unknown_when_not_id",
        csvline_is("ids", "",
                   "[{\"code\":\"unknown_column\","
                   "\"field\":\"ids\",\"message\":\"is not a column of this resource (a field, "
                   "<object>.<subfield> or <map>.<key>)\"}]"));
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* keep the summary even if LeakSanitizer exits early */
  test_validators();
  test_query();
  test_cursor();
  test_merge_patch();
  test_negotiate();
  test_text();
  test_ics();
  test_search_text();
  test_csv();
  test_csvin();
  test_csvline();
  test_reltime();
  test_netaddr();
  test_sqlb();
  test_keycache();
  test_rowcache();
  test_webhook();
  printf("unit: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
