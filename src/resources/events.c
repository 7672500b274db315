/* Events and registrations. An event's capacity holds under any concurrency because every
   registration, cancellation and capacity change locks the event's row first (SELECT ...
   FOR UPDATE); counts are computed from the registrations, never kept beside them. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codelists.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "ics.h"
#include "negotiate.h"
#include "resource.h"
#include "text.h"
#include "validate.h"

static const struct field venue_fields[] = {
  {"name", F_TEXT, .nullable = true, .max = 200},
  {"street", F_TEXT, .nullable = true, .max = 200},
  {"postal_code", F_TEXT, .nullable = true, .check = C_POSTAL},
  {"city", F_TEXT, .nullable = true, .max = 100},
  {"commune_code", F_TEXT, .nullable = true, .check = C_COMMUNE},
  {NULL},
};

#define CONFIRMED \
  "(SELECT count(*) FROM registrations r WHERE r.event_id = t.id AND r.status = 'confirmed')"

static const struct field event_fields[] = {
  {"id", F_UUID, .readonly = true},
  {"title", F_TEXT, .required = true, .max = 200, .sort = true},
  {"description", F_TEXT, .nullable = true, .max = 10000},
  {"kind", F_ENUM, .required = true, .values = codelist_event_kind},
  {"organizer_cluster_id", F_UUID, .nullable = true,
   .ref_sql = "SELECT 1 FROM clusters WHERE id = $1::uuid"},
  {"starts_at", F_TIMESTAMP, .required = true, .sort = true},
  {"ends_at", F_TIMESTAMP, .required = true},
  {"mode", F_ENUM, .values = codelist_event_mode},
  {"venue", F_OBJECT, .nullable = true, .sub = venue_fields},
  {"location", F_OBJECT, .nullable = true, .sub = location_fields},
  {"online_url", F_TEXT, .nullable = true, .max = 500, .check = C_URL},
  {"capacity", F_INT, .nullable = true, .has_range = true, .min = 1, .max_num = 1000000},
  {"waitlist", F_BOOL, .nullable = false},
  {"registration_closes_at", F_TIMESTAMP, .nullable = true},
  {"status", F_ENUM, .values = codelist_event_status},
  {"public", F_BOOL, .nullable = false},
  {"registered_count", F_INT,
   .expr =
     "SELECT count(*) FROM registrations r WHERE r.event_id = t.id AND r.status = 'confirmed'"},
  {"waitlist_count", F_INT,
   .expr =
     "SELECT count(*) FROM registrations r WHERE r.event_id = t.id AND r.status = 'waitlisted'"},
  {"remaining", F_INT,
   .expr =
     "CASE WHEN t.capacity IS NULL THEN NULL ELSE greatest(t.capacity - " CONFIRMED ", 0) END"},
  {"external_ids", F_MAP, .nullable = true, .max = 20},
  {"version", F_INT, .readonly = true},
  {"created_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {"updated_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {NULL},
};

static const struct filter event_filters[] = {
  {"q", V_SEARCH, "t.search @@ websearch_to_tsquery('grappe_fr', $1)", .values = NULL},
  {"kind", V_IN, "t.kind = $1", .type = "text", .values = codelist_event_kind, .literal = true},
  {"status", V_IN, "t.status = $1", .type = "text", .values = codelist_event_status,
   .literal = true},
  {"cluster", V_IN, "t.organizer_cluster_id = $1", .type = "uuid", .check = C_UUID},
  {"region", V_LIST,
   "EXISTS (SELECT 1 FROM clusters cl WHERE cl.id = t.organizer_cluster_id AND cl.region_codes && $1::text[])",
   .check = C_REGION},
  {"from", V_TIMESTAMP, "t.ends_at >= $1::timestamptz", .values = NULL},
  {"to", V_TIMESTAMP, "t.starts_at <= $1::timestamptz", .values = NULL},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {"external_id", V_TEXT,
   "t.id = (SELECT e.id FROM external_ids e WHERE e.kind = 'event' AND "
   "e.ns = split_part($1, ':', 1) AND e.value = substr($1, strpos($1, ':') + 1))",
   .check = C_EXTERNAL_REF},
  {NULL},
};

/* Anyone reads (public events); admins write; a manager writes the events its clusters
   organise (owner_field checks the organiser it sends). */
static int authorize_event(const struct principal *who, enum op op, const char *id) {
  (void)id;
  if (op == OP_READ || who->role == ROLE_ADMIN) return 0;
  if (who->role == ROLE_ANONYMOUS) return 401;
  if (who->role != ROLE_MANAGER) return 403;
  return op == OP_CREATE ? 0 : AUTH_SCOPED;
}

/* One VEVENT (RFC 5545 3.6.1). */
static void event_ics(struct buf *b, json_t *e) {
  const char *s;
  char uid[64];
  buf_adds(b, "BEGIN:VEVENT\r\n");
  snprintf(uid, sizeof uid, "%s@grappe", json_string_value(json_object_get(e, "id")));
  ics_line(b, "UID", uid, 1);
  ics_utc(b, "DTSTAMP", json_string_value(json_object_get(e, "updated_at")));
  ics_utc(b, "DTSTART", json_string_value(json_object_get(e, "starts_at")));
  ics_utc(b, "DTEND", json_string_value(json_object_get(e, "ends_at")));
  ics_line(b, "SUMMARY", json_string_value(json_object_get(e, "title")), 1);
  if ((s = json_string_value(json_object_get(e, "description")))) ics_line(b, "DESCRIPTION", s, 1);
  json_t *venue = json_object_get(e, "venue");
  if (json_is_object(venue)) {
    struct buf where;
    buf_init(&where);
    static const char *const parts[] = {"name", "street", "postal_code", "city", NULL};
    for (const char *const *p = parts; *p; p++) {
      const char *v = json_string_value(json_object_get(venue, *p));
      if (!v) continue;
      buf_adds(&where, where.len ? (strcmp(*p, "city") == 0 && where.len ? " " : ", ") : "");
      buf_adds(&where, v);
    }
    if (where.len) ics_line(b, "LOCATION", where.data, 1);
    buf_free(&where);
  }
  json_t *loc = json_object_get(e, "location");
  if (json_is_object(loc)) {
    char geo[64];
    snprintf(geo, sizeof geo, "%.6f;%.6f", json_number_value(json_object_get(loc, "lat")),
             json_number_value(json_object_get(loc, "lon")));
    ics_line(b, "GEO", geo, 0);
  }
  if ((s = json_string_value(json_object_get(e, "online_url")))) ics_line(b, "URL", s, 0);
  ics_line(b, "STATUS",
           strcmp(json_string_value(json_object_get(e, "status")), "cancelled") == 0 ? "CANCELLED"
                                                                                     : "CONFIRMED",
           0);
  buf_adds(b, "END:VEVENT\r\n");
}

/* ends_at after starts_at, compared as instants (offsets may differ). */
static void normalize_event(json_t *obj, const json_t *given, struct verrors *e) {
  (void)given;
  const char *a = json_string_value(json_object_get(obj, "starts_at"));
  const char *b = json_string_value(json_object_get(obj, "ends_at"));
  if (a && b && datetime_usec(b) <= datetime_usec(a))
    verr_add(e, "ends_at", "out_of_range", "must be after starts_at");
}

struct resource resource_events = {
  .name = "events",
  .item = "event",
  .external_kind = "event",
  .table = "events",
  .path = "/v1/events",
  .key = "id",
  .key_is_uuid = true,
  .fields = event_fields,
  .filters = event_filters,
  .default_sort = "starts_at",
  .formats = FMT_JSON | FMT_CSV | FMT_GEOJSON | FMT_NDJSON | FMT_ICS,
  .authorize = authorize_event,
  .scope_sql = "t.organizer_cluster_id = ANY($1::uuid[])",
  .owner_field = "organizer_cluster_id",
  .public_sql = "t.public",
  .ics = event_ics,
  .normalize = normalize_event,
  .reread = true,
};

/* ---- Registrations ---- */

static const char *const REG_STATUSES[] = {"active", "confirmed", "waitlisted", "cancelled", NULL};
static const char *const REG_STATUS_SQL[] = {"t.status <> 'cancelled'", "t.status = 'confirmed'",
                                             "t.status = 'waitlisted'", "t.status = 'cancelled'",
                                             NULL};

static const struct field registration_fields[] = {
  {"id", F_UUID, .readonly = true},
  {"event_id", F_UUID, .readonly = true},
  {"name", F_TEXT, .required = true, .max = 200},
  {"email", F_TEXT, .required = true, .max = 254, .check = C_EMAIL},
  {"company_id", F_UUID, .nullable = true},
  {"status", F_ENUM, .readonly = true},
  {"position", F_INT, .readonly = true, .sort = true},
  {"version", F_INT, .readonly = true},
  {"created_at", F_TIMESTAMP, .readonly = true, .sort = true},
  {"updated_at", F_TIMESTAMP, .readonly = true},
  {"cancelled_at", F_TIMESTAMP, .readonly = true},
  {NULL},
};

static const struct filter registration_filters[] = {
  {"status", V_CHOICE, NULL, .values = REG_STATUSES, .choice_sql = REG_STATUS_SQL,
   .dflt = "active"},
  {"updated_since", V_TIMESTAMP, "t.updated_at >= $1::timestamptz", .values = NULL},
  {NULL},
};

static const struct parent of_event = {
  "t.event_id = $1::uuid", "SELECT 1 FROM events WHERE id = $1::uuid", "event",
  "SELECT 1 FROM events WHERE id = $1::uuid AND organizer_cluster_id = ANY($2::uuid[])"};

/* Registrations are personal data: readers, admins, and managers of the organiser. */
struct resource resource_registrations = {
  .name = "registrations",
  .item = "registration",
  .table = "registrations",
  .path = "/v1/events",
  .key = "id",
  .key_is_uuid = true,
  .fields = registration_fields,
  .filters = registration_filters,
  .default_sort = "created_at",
  .formats = FMT_JSON | FMT_CSV | FMT_NDJSON,
  .authorize = res_authorize_scoped_read,
  .parent = &of_event,
};

static const char *const REGISTRATION_JSON =
  "json_build_object('id', r.id, 'event_id', r.event_id, 'name', r.name, 'email', r.email, 'company_id', r.company_id, "
  "'status', r.status, 'position', r.position, 'cancel_token', $7::text, 'created_at', rfc3339(r.created_at))::text";

void registration_create(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !ctx_auth(c)) return;
  if (c->who.role == ROLE_ANONYMOUS &&
      !ctx_rate_limit(c, "registrations", app.cfg->registration_rate))
    return;
  if (!uuid_valid(c->params[0])) {
    http_problem(c, 404, "not_found", NULL, "No event with this id.");
    return;
  }
  if (!fmt_negotiate(ctx_header(c, "Accept"), NULL, FMT_JSON)) {
    http_problem(c, 406, "not_acceptable", NULL, "Registrations are answered as application/json.");
    return;
  }
  if (!ctx_read_json(c, false)) return;
  struct verrors e = {0};
  json_t *obj = schema_validate(registration_fields, c->body, true, &e);
  if (!obj) {
    res_respond_invalid(c, &e);
    return;
  }
  struct dbconn *db = ctx_db(c);
  PGresult *ev = NULL, *r = NULL;
  char *token = NULL;
  if (!db) goto done;
  const char *company = json_string_value(json_object_get(obj, "company_id"));
  if (company) {
    const char *p[] = {company};
    PGresult *k = db_exec(db, "SELECT 1 FROM companies WHERE id = $1::uuid", 1, p);
    if (!k) {
      http_problem_db(c);
      goto done;
    }
    bool found = PQntuples(k) > 0;
    PQclear(k);
    if (!found) {
      verr_add(&e, "company_id", "unknown_reference", "names no company");
      res_respond_invalid(c, &e);
      goto done;
    }
  }
  unsigned char raw[32];
  if (!random_bytes(raw, sizeof raw)) {
    http_problem(c, 500, "internal_error", NULL, "No randomness available.");
    goto done;
  }
  token = b64url_encode(raw, sizeof raw);
  char hash_hex[67];
  sha256_bytea(token, hash_hex);

  if (!db_begin(db)) {
    http_problem_db(c);
    goto done;
  }
  /* The lock that makes capacity hold: registrations of one event go one at a time. The
     count comes from a second statement: in READ COMMITTED each statement takes a new
     snapshot, and only one taken after the lock sees the registrations committed while we
     waited for it (a subquery of the locking statement would count from before the wait). */
  const char *ep[] = {c->params[0]};
  PGresult *lock = db_exec(db, "SELECT 1 FROM events WHERE id = $1::uuid FOR UPDATE", 1, ep);
  if (!lock) {
    http_problem_db(c);
    goto rollback;
  }
  PQclear(lock);
  ev = db_exec(
    db,
    "SELECT e.status, e.starts_at <= now(), coalesce(e.registration_closes_at <= now(), false), e.public, "
    "e.capacity IS NULL OR (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') < e.capacity, "
    "e.waitlist FROM events e WHERE e.id = $1::uuid",
    1, ep);
  if (!ev) {
    http_problem_db(c);
    goto rollback;
  }
  if (PQntuples(ev) == 0 ||
      (c->who.role == ROLE_ANONYMOUS && strcmp(PQgetvalue(ev, 0, 3), "t") != 0)) {
    http_problem(c, 404, "not_found", NULL, "No event with this id.");
    goto rollback;
  }
  const char *why = strcmp(PQgetvalue(ev, 0, 0), "cancelled") == 0 ? "The event is cancelled."
                    : strcmp(PQgetvalue(ev, 0, 1), "t") == 0 ? "The event has started or is over."
                    : strcmp(PQgetvalue(ev, 0, 2), "t") == 0
                      ? "Registrations for this event are closed."
                      : NULL;
  bool seat = strcmp(PQgetvalue(ev, 0, 4), "t") == 0,
       waitlist = strcmp(PQgetvalue(ev, 0, 5), "t") == 0;
  if (!why && !seat && !waitlist) why = "The event is full and has no waitlist.";
  if (why) {
    http_problem(c, 409, "conflict", NULL, "%s", why);
    goto rollback;
  }
  char *email =
    res_param_text(res_field(&resource_registrations, "email"), json_object_get(obj, "email"));
  char *name =
    res_param_text(res_field(&resource_registrations, "name"), json_object_get(obj, "name"));
  const char *params[] = {c->params[0], name, email, company, seat ? "confirmed" : "waitlisted",
                          hash_hex,     token};
  struct buf sql;
  buf_init(&sql);
  buf_addf(
    &sql,
    "WITH seq AS (UPDATE events SET waitlist_seq = waitlist_seq + 1 WHERE id = $1::uuid AND $5 = 'waitlisted' "
    "RETURNING waitlist_seq) "
    "INSERT INTO registrations AS r (event_id, name, email, company_id, status, position, cancel_token_hash) "
    "VALUES ($1::uuid, $2, $3, $4::uuid, $5, (SELECT waitlist_seq FROM seq), $6::bytea) RETURNING %s",
    REGISTRATION_JSON);
  r = db_exec(db, sql.data, 7, params);
  buf_free(&sql);
  free(email);
  free(name);
  if (!r) {
    if (strcmp(db_last_sqlstate(), "23505") == 0)
      http_problem(c, 409, "conflict", NULL,
                   "This e-mail address is already registered to this event.");
    else http_problem_db(c);
    goto rollback;
  }
  if (!db_commit(db)) {
    http_problem_db(c);
    goto rollback;
  }
  char location[160];
  json_t *made = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
  snprintf(location, sizeof location, "%s/%s/registrations/%s", resource_events.path, c->params[0],
           json_string_value(json_object_get(made, "id")));
  json_decref(made);
  http_set_header(c, "Location", location);
  http_respond_json(c, 201, PQgetvalue(r, 0, 0));
  goto done;
rollback:
  db_rollback(db);
done:
  PQclear(ev);
  PQclear(r);
  free(token);
  json_decref(obj);
}

void registration_delete(struct ctx *c) {
  if (!ctx_allow_params(c, NULL, NULL) || !ctx_auth(c)) return;
  if (!uuid_valid(c->params[0]) || !uuid_valid(c->params[1])) {
    http_problem(c, 404, "not_found", NULL, "No such registration.");
    return;
  }
  const char *token = ctx_header(c, "X-Cancel-Token");
  if (!token && c->who.role != ROLE_ADMIN && c->who.role != ROLE_MANAGER) {
    ctx_deny(c, 403,
             "Send the X-Cancel-Token given at registration, or use an admin or organiser's key.");
    return;
  }
  char hash_hex[67] = "";
  if (token) sha256_bytea(token, hash_hex);
  struct dbconn *db = ctx_db(c);
  if (!db || !db_begin(db)) {
    if (db) http_problem_db(c);
    return;
  }
  PGresult *r = NULL;
  const char *params[] = {c->params[0], c->params[1], token ? hash_hex : NULL};
  r = db_exec(
    db,
    "SELECT e.organizer_cluster_id::text, r.status, coalesce(r.cancel_token_hash = $3::bytea, false) "
    "FROM events e JOIN registrations r ON r.event_id = e.id "
    "WHERE e.id = $1::uuid AND r.id = $2::uuid FOR UPDATE OF e, r",
    3, params);
  if (!r) {
    http_problem_db(c);
    goto rollback;
  }
  if (PQntuples(r) == 0 || strcmp(PQgetvalue(r, 0, 1), "cancelled") == 0) {
    http_problem(c, 404, "not_found", NULL, "No active registration with this id for this event.");
    goto rollback;
  }
  bool privileged = c->who.role == ROLE_ADMIN ||
                    (!PQgetisnull(r, 0, 0) && http_principal_manages(&c->who, PQgetvalue(r, 0, 0)));
  bool token_ok = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
  if (!privileged && !token_ok) {
    http_problem(
      c, 403, "forbidden", NULL,
      token
        ? "This cancel token does not belong to this registration."
        : "Only an admin, the organiser's manager or the registrant (X-Cancel-Token) may cancel.");
    goto rollback;
  }
  bool was_confirmed = strcmp(PQgetvalue(r, 0, 1), "confirmed") == 0;
  PQclear(r);
  r = db_exec(
    db,
    "UPDATE registrations SET status = 'cancelled', cancelled_at = clock_timestamp() WHERE id = $2::uuid "
    "AND event_id = $1::uuid",
    2, params);
  if (!r) {
    http_problem_db(c);
    goto rollback;
  }
  if (was_confirmed) {
    PQclear(r);
    r = db_exec(db, "SELECT promote_waitlist($1::uuid)", 1, params);
    if (!r) {
      http_problem_db(c);
      goto rollback;
    }
  }
  if (!db_commit(db)) {
    http_problem_db(c);
    goto rollback;
  }
  http_respond_empty(c, 204);
  PQclear(r);
  return;
rollback:
  db_rollback(db);
  PQclear(r);
}
