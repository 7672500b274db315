/* Request bodies, from the bytes to a validated object, without a database:
   the checks of ctx_read_json() (src/http/context.c: NUL bytes, nesting limit, jansson with
   duplicate keys refused), then the field tables of the real resources
   (src/resources/schema.c: types, code lists, formats, string lengths, nested objects) and
   each resource's normalize() callback: the parse stage of writes, parse_whole()
   (src/resources/parse.c), as res_create, PUT/bulk upserts and res_patch call it
   (src/resources/write.c, bulk.c).
   The first byte picks the resource (low 4 bits) and the operation (next 2 bits: create,
   replace, merge patch onto a valid stored object); the rest is the body.
   Invariants: no NUL byte and no invalid UTF-8 reaches a parsed string; the depth scan agrees
   with jansson; validation either accepts without an error or reports at least one; an
   accepted object has only writable fields, keeps every field given, and is accepted again
   unchanged (so what the server derives obeys its own rules); an accepted event renders as
   iCalendar without a bare CR or LF.
   Region and department codes come from the database: here every code is unknown. */
#include <stdbool.h>

#include "buf.h"
#include "engine.h"
#include "fuzz.h"
#include "mergepatch.h"
#include "resource.h"
#include "text.h"

#define DEPTH_LIMIT 32 /* as src/http/context.c and bulk.c */

/* A valid stored object per resource (every writable field), the target of merge patches. */
static const struct {
  struct resource *res;
  const char *stored;
} resources[] = {
  {&resource_clusters,
   "{\"name\":\"Mont-Blanc Industries\",\"acronym\":\"MBI\",\"kind\":\"pole_competitivite\","
   "\"description\":\"D\\u00e9colletage\",\"sectors\":[\"m\\u00e9canique\"],\"siren\":\"732829320\","
   "\"founded_on\":\"2005-07-12\",\"website\":\"https://www.mbi.example\",\"email\":\"contact@mbi.example\","
   "\"phone\":\"+33 4 50 00 00 00\",\"address\":{\"street\":\"1 rue du Lac\",\"postal_code\":\"74300\","
   "\"city\":\"Cluses\",\"commune_code\":\"74081\"},\"region_codes\":[],\"department_codes\":[],"
   "\"location\":{\"lat\":46.06,\"lon\":6.58},\"staff_fte\":12.5,\"maturity\":\"mature\",\"status\":\"active\","
   "\"labels\":[{\"scheme\":\"esca\",\"level\":\"gold\",\"awarded_on\":\"2020-01-01\",\"valid_until\":\"2024-01-01\"}]}"},
  {&resource_companies,
   "{\"name\":\"Scierie\",\"legal_name\":\"Scierie SAS\",\"siren\":\"732829320\",\"siret\":\"73282932000074\","
   "\"naf_code\":\"25.62B\",\"employees\":42,\"size\":\"pme\",\"founded_on\":\"1990-01-01\","
   "\"website\":\"https://scierie.example\",\"email\":\"a@scierie.example\",\"phone\":\"04 50 00 00 00\","
   "\"address\":{\"street\":null,\"postal_code\":\"74300\",\"city\":\"Cluses\",\"commune_code\":\"2A004\"},"
   "\"department_code\":null,\"region_code\":null,\"location\":{\"lat\":46,\"lon\":6},\"description\":\"x\"}"},
  {&resource_partners,
   "{\"name\":\"CCI\",\"kind\":\"chamber_of_commerce\",\"siren\":null,\"website\":null,\"email\":null,"
   "\"phone\":null,\"address\":null,\"region_code\":null,\"location\":null,\"description\":null}"},
  {&resource_events,
   "{\"title\":\"Atelier\",\"description\":\"Deux lignes\\nde texte; avec, tout\",\"kind\":\"workshop\","
   "\"organizer_cluster_id\":null,\"starts_at\":\"2027-02-11T08:30:00Z\",\"ends_at\":\"2027-02-11T10:00:00+01:00\","
   "\"mode\":\"in_person\",\"venue\":{\"name\":\"Salle\",\"street\":null,\"postal_code\":\"74300\","
   "\"city\":\"Cluses\",\"commune_code\":\"74081\"},\"location\":null,\"online_url\":null,\"capacity\":30,"
   "\"waitlist\":true,\"registration_closes_at\":null,\"status\":\"scheduled\",\"public\":true}"},
  {&resource_registrations, "{\"name\":\"Ada\",\"email\":\"ada@example.org\",\"company_id\":null}"},
  {&resource_projects,
   "{\"title\":\"Achats group\\u00e9s\",\"summary\":null,\"category\":\"pooling\",\"status\":\"idea\","
   "\"lead_cluster_id\":\"c1000000-0000-4000-8000-000000000001\","
   "\"cluster_ids\":[\"c1000000-0000-4000-8000-000000000002\"],"
   "\"companies\":[{\"company_id\":\"d1000000-0000-4000-8000-000000000001\",\"role\":\"lead\"}],\"partners\":[],"
   "\"funding\":[{\"source\":\"eu\",\"program\":\"FEDER\",\"amount_eur\":1000.5,\"status\":\"requested\"}],"
   "\"budget_eur\":20000,\"starts_on\":\"2026-01-01\",\"ends_on\":\"2026-12-31\"}"},
  {&resource_indicators,
   "{\"members\":10,\"staff_fte\":2.5,\"budget_eur\":100000,\"public_funding_eur\":50000,"
   "\"projects_started\":1,\"events_held\":3}"},
  {&resource_cluster_members,
   "{\"role\":\"member\",\"college\":\"pme\",\"joined_on\":\"2020-01-01\"}"},
  {&resource_company_clusters, "{\"role\":\"board_member\",\"college\":null,\"joined_on\":null}"},
  {&resource_cluster_partners, "{\"role\":\"funder\",\"since\":\"2021-01-01\"}"},
  {&resource_regions, "{}"},
  {&resource_departments, "{}"},
};
#define NRES (sizeof resources / sizeof resources[0])

enum mode { M_CREATE, M_REPLACE, M_PATCH };

static json_t *stored[NRES];

static bool writable(const struct field *f) { return !f->readonly && !f->expr; }

static const struct field *field_named(const struct field *fields, const char *name) {
  for (const struct field *f = fields; f->name; f++)
    if (strcmp(f->name, name) == 0) return f;
  return NULL;
}

/* Every string and key of a parsed document is UTF-8 without a NUL byte. */
static void check_strings(const json_t *v) {
  const char *k;
  json_t *x;
  size_t i;
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    json_object_foreach((json_t *)v, k, x) {
      FUZZ_CHECK(utf8_valid(k, strlen(k)));
      check_strings(x);
    }
    break;
  case JSON_ARRAY:
    json_array_foreach(v, i, x) check_strings(x);
    break;
  case JSON_STRING:
    FUZZ_CHECK(json_string_length(v) == strlen(json_string_value(v)));
    FUZZ_CHECK(utf8_valid(json_string_value(v), json_string_length(v)));
    break;
  default: break;
  }
}

static int tree_depth(const json_t *v) {
  int max = 0, d;
  const char *k;
  json_t *x;
  size_t i;
  if (json_is_object(v)) {
    json_object_foreach((json_t *)v, k, x)
      if ((d = tree_depth(x)) > max) max = d;
    return max + 1;
  }
  if (json_is_array(v)) {
    json_array_foreach(v, i, x)
      if ((d = tree_depth(x)) > max) max = d;
    return max + 1;
  }
  return 0;
}

/* The whole validation of one body, as the handlers chain it. Returns the object (or NULL)
   and the errors in *e; *validated is the document the field table saw. */
static json_t *validate(size_t r, enum mode m, const json_t *body, struct verrors *e,
                        json_t **validated) {
  const struct resource *res = resources[r].res;
  json_t *doc = NULL, *obj = NULL;
  if (m == M_PATCH) {
    schema_check_keys(res->fields, body, e);
    if (e->items) {
      *validated = NULL;
      return NULL;
    }
    doc = merge_patch(stored[r], body);
  } else {
    doc = json_incref((json_t *)body);
  }
  obj = parse_whole(res, doc, body, m == M_CREATE, e);
  *validated = doc;
  return obj;
}

static void check_errors(const struct verrors *e) {
  FUZZ_CHECK(json_is_array(e->items) && json_array_size(e->items) > 0);
  size_t i;
  json_t *item;
  json_array_foreach(e->items, i, item) {
    /* json_pack() refuses invalid UTF-8: an error that could not be built would be lost. */
    FUZZ_CHECK(json_is_string(json_object_get(item, "field")));
    FUZZ_CHECK(json_is_string(json_object_get(item, "code")));
    FUZZ_CHECK(json_is_string(json_object_get(item, "message")));
  }
}

static void check_ics(const json_t *obj) {
  json_t *item = json_deep_copy(obj);
  json_object_set_new(item, "id", json_string("e1000000-0000-4000-8000-000000000001"));
  json_object_set_new(item, "updated_at", json_string("2026-01-01T00:00:00.000000Z"));
  if (!json_is_string(json_object_get(item, "status")))
    json_object_set_new(item, "status", json_string("scheduled"));
  struct buf b;
  buf_init(&b);
  resource_events.ics(&b, item);
  for (size_t i = 0; i < b.len; i++) {
    if (b.data[i] == '\r') FUZZ_CHECK(i + 1 < b.len && b.data[i + 1] == '\n');
    if (b.data[i] == '\n') FUZZ_CHECK(i > 0 && b.data[i - 1] == '\r');
  }
  buf_free(&b);
  json_decref(item);
}

static void check_accepted(size_t r, const json_t *doc, json_t *obj) {
  const struct resource *res = resources[r].res;
  const char *k;
  json_t *v;
  FUZZ_CHECK(obj != NULL); /* no error reported, so there must be an object */
  json_object_foreach(obj, k, v) {
    const struct field *f = field_named(res->fields, k);
    FUZZ_CHECK(f && writable(f));
  }
  json_object_foreach((json_t *)doc, k, v) FUZZ_CHECK(json_object_get(obj, k) != NULL);
  char *text = json_dumps(obj, JSON_COMPACT);
  FUZZ_CHECK(text != NULL);
  free(text);
  /* What the server would store passes its own validation again, unchanged. */
  struct verrors e2 = {0};
  json_t *again = parse_whole(res, obj, obj, true, &e2);
  if (e2.items) {
    char *errs = json_dumps(e2.items, JSON_COMPACT), *o = json_dumps(obj, JSON_COMPACT);
    fprintf(stderr, "fuzz: %s: the accepted object\n  %s\nis refused when validated again:\n  %s\n",
            res->name, o, errs);
    free(errs);
    free(o);
  }
  FUZZ_CHECK(again && !e2.items);
  FUZZ_CHECK(json_equal(again, obj));
  json_decref(again);
  json_decref(e2.items);
  if (res == &resource_events) check_ics(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!stored[0]) {
    /* The stored objects must be valid themselves, or the patch mode tests nothing. */
    for (size_t r = 0; r < NRES; r++) {
      json_t *doc = json_loads(resources[r].stored, JSON_REJECT_DUPLICATES, NULL);
      struct verrors e = {0};
      stored[r] = doc ? schema_validate(resources[r].res->fields, doc, true, &e) : NULL;
      if (e.items) fprintf(stderr, "fuzz: stored %s is invalid\n", resources[r].res->name);
      FUZZ_CHECK(stored[r] && !e.items);
      json_decref(doc);
    }
  }
  if (size < 2) return 0;
  size_t r = (data[0] & 15) % NRES;
  enum mode m = (enum mode)(((data[0] >> 4) & 3) % 3);
  const char *body = (const char *)data + 1;
  size_t n = size - 1;

  /* ctx_read_json(): NUL bytes and the nesting limit are refused before jansson runs. */
  bool has_nul = memchr(body, '\0', n) != NULL;
  int depth = json_text_depth(body, n, DEPTH_LIMIT);
  json_error_t err;
  json_t *parsed = json_loadb(body, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
  if (parsed) {
    check_strings(parsed);
    int real = tree_depth(parsed);
    FUZZ_CHECK(depth == (real > DEPTH_LIMIT ? DEPTH_LIMIT + 1 : real));
  }
  if (has_nul || depth > DEPTH_LIMIT || !json_is_object(parsed)) {
    json_decref(parsed);
    return 0;
  }

  struct verrors e = {0};
  json_t *doc = NULL;
  json_t *obj = validate(r, m, parsed, &e, &doc);
  if (e.items) check_errors(&e);
  else check_accepted(r, doc, obj);
  json_decref(e.items);
  json_decref(obj);
  json_decref(doc);
  json_decref(parsed);
  return 0;
}
