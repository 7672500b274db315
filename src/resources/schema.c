/* Input validation driven by the field tables: types, code lists, formats, ranges,
   nested objects. Every problem found is reported, not only the first. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resource.h"
#include "text.h"
#include "validate.h"

#define TAG_MAX 60 /* characters of one item of a F_TEXT_ARRAY */

static const char *check_name(enum fcheck c) {
  switch (c) {
  case C_SIREN: return "a SIREN (9 digits with a valid Luhn key)";
  case C_SIRET: return "a SIRET (14 digits with a valid Luhn key)";
  case C_EMAIL: return "an e-mail address";
  case C_URL: return "an http:// or https:// URL";
  case C_PHONE: return "a phone number (digits, spaces, + ( ) . -)";
  case C_POSTAL: return "a French postal code (5 digits)";
  case C_COMMUNE: return "an INSEE commune code (5 characters, e.g. 74081 or 2A004)";
  case C_NAF: return "a NAF code (NN.NNL, e.g. 25.62B)";
  case C_REGION: return "an INSEE region code (see /v1/regions)";
  case C_DEPARTMENT: return "an INSEE department code (see /v1/departments)";
  case C_UUID: return "a UUID";
  case C_DATE: return "a date (YYYY-MM-DD)";
  case C_YEAR: return "a year from 1990 to 2200";
  case C_EXTERNAL_REF: return "an external id as namespace:value (namespace: a-z, 0-9, _ . -)";
  default: return "valid";
  }
}

/* Checks a string against a format; reports and returns false when it fails. */
static bool check_string(enum fcheck c, const char *s, const char *path, struct verrors *e) {
  bool ok = true, ref = false;
  switch (c) {
  case C_NONE: return true;
  case C_SIREN: ok = siren_valid(s); break;
  case C_SIRET: ok = siret_valid(s); break;
  case C_EMAIL: ok = email_valid(s); break;
  case C_URL: ok = url_valid(s); break;
  case C_PHONE: ok = phone_valid(s); break;
  case C_POSTAL: ok = postal_code_valid(s); break;
  case C_COMMUNE: ok = commune_code_valid(s); break;
  case C_NAF: ok = naf_code_valid(s); break;
  case C_REGION:
    ok = reference_has_region(s);
    ref = true;
    break;
  case C_DEPARTMENT:
    ok = reference_has_department(s);
    ref = true;
    break;
  case C_UUID: ok = uuid_valid(s); break;
  case C_DATE: ok = date_valid(s); break;
  case C_YEAR: ok = year_valid(s, NULL); break;
  case C_EXTERNAL_REF: ok = external_ref_valid(s); break;
  }
  if (!ok)
    verr_add(e, path, ref ? "unknown_reference" : "invalid_format", "'%s' is not %s", s,
             check_name(c));
  return ok;
}

static bool in_list(const char *const *values, const char *s) {
  for (const char *const *v = values; v && *v; v++)
    if (strcmp(*v, s) == 0) return true;
  return false;
}

static void list_values(const char *const *values, char *out, size_t n) {
  size_t used = 0;
  out[0] = '\0';
  for (const char *const *v = values; v && *v && used < n; v++)
    used += (size_t)snprintf(out + used, n - used, "%s%s", v == values ? "" : ", ", *v);
}

static json_t *validate_fields(const struct field *fields, const json_t *input, bool create,
                               const char *prefix, struct verrors *e);

/* External ids: {"<namespace>": "<value>"}, at most f->max namespaces. */
static json_t *validate_map(const struct field *f, json_t *v, const char *path, struct verrors *e) {
  if (!json_is_object(v)) {
    verr_add(e, path, "invalid_type", "must be an object of namespace: id");
    return NULL;
  }
  if (f->max && json_object_size(v) > (size_t)f->max) {
    verr_add(e, path, "too_long", "must have at most %d namespaces", f->max);
    return NULL;
  }
  bool ok = true;
  const char *key;
  json_t *item;
  json_object_foreach(v, key, item) {
    char kpath[300];
    snprintf(kpath, sizeof kpath, "%.200s.%.*s", path, utf8_cut(key, 40), key);
    if (!external_ns_valid(key, strlen(key))) {
      verr_add(e, kpath, "invalid_format",
               "a namespace is 1 to 40 characters: a-z, 0-9, then also _ . -");
      ok = false;
    } else if (!json_is_string(item)) {
      verr_add(e, kpath, "invalid_type", "must be a string");
      ok = false;
    } else if (!external_value_valid(json_string_value(item))) {
      verr_add(e, kpath, "invalid_format",
               "must be 1 to 200 characters, without control characters");
      ok = false;
    }
  }
  return ok ? json_incref(v) : NULL;
}

/* Validates one non-null value; returns a new reference to its normalised form or NULL. */
static json_t *validate_value(const struct field *f, json_t *v, const char *path,
                              struct verrors *e) {
  char allowed[512];
  switch (f->type) {
  case F_TEXT:
  case F_ENUM:
  case F_UUID:
  case F_DATE:
  case F_TIMESTAMP: {
    if (!json_is_string(v)) {
      verr_add(e, path, "invalid_type", "must be a string");
      return NULL;
    }
    const char *s = json_string_value(v);
    if (f->type == F_ENUM) {
      if (!in_list(f->values, s)) {
        list_values(f->values, allowed, sizeof allowed);
        verr_add(e, path, "invalid_value", "must be one of: %s", allowed);
        return NULL;
      }
    } else if (f->type == F_UUID && !uuid_valid(s)) {
      verr_add(e, path, "invalid_format", "must be a UUID");
      return NULL;
    } else if (f->type == F_DATE && !date_valid(s)) {
      verr_add(e, path, "invalid_format", "must be a date as YYYY-MM-DD");
      return NULL;
    } else if (f->type == F_TIMESTAMP && !datetime_valid(s)) {
      verr_add(e, path, "invalid_format",
               "must be an RFC 3339 date-time such as 2026-05-04T09:30:00Z");
      return NULL;
    } else if (f->type == F_TEXT) {
      size_t n = utf8_chars(s);
      if (n == 0 || strspn(s, " \t\r\n") == strlen(s)) {
        verr_add(e, path, "too_short", "must not be empty or blank");
        return NULL;
      }
      if (f->max && n > (size_t)f->max) {
        verr_add(e, path, "too_long", "must be at most %d characters (got %zu)", f->max, n);
        return NULL;
      }
      if (!check_string(f->check, s, path, e)) return NULL;
    }
    return json_incref(v);
  }
  case F_INT:
  case F_DECIMAL: {
    if (f->type == F_INT ? !json_is_integer(v) : !json_is_number(v)) {
      verr_add(e, path, "invalid_type",
               f->type == F_INT ? "must be an integer" : "must be a number");
      return NULL;
    }
    double d = json_number_value(v);
    if (f->has_range && (d < f->min || d > f->max_num)) {
      verr_add(e, path, "out_of_range", "must be between %g and %g", f->min, f->max_num);
      return NULL;
    }
    double scale = pow(10, f->decimals);
    if (f->type == F_DECIMAL && f->decimals && fabs(d * scale - round(d * scale)) > 1e-6) {
      verr_add(e, path, "invalid_format", "must have at most %d decimals", f->decimals);
      return NULL;
    }
    return json_incref(v);
  }
  case F_BOOL:
    if (!json_is_boolean(v)) {
      verr_add(e, path, "invalid_type", "must be true or false");
      return NULL;
    }
    return json_incref(v);
  case F_TEXT_ARRAY:
  case F_CODE_ARRAY:
  case F_OBJECT_ARRAY: {
    if (!json_is_array(v)) {
      verr_add(e, path, "invalid_type", "must be an array");
      return NULL;
    }
    if (f->max && json_array_size(v) > (size_t)f->max) {
      verr_add(e, path, "too_long", "must have at most %d items", f->max);
      return NULL;
    }
    json_t *out = json_array();
    bool ok = true;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
      char ipath[300];
      snprintf(ipath, sizeof ipath, "%.250s[%zu]", path, i);
      if (f->type == F_OBJECT_ARRAY) {
        if (!json_is_object(item)) {
          verr_add(e, ipath, "invalid_type", "must be an object");
          ok = false;
          continue;
        }
        json_t *o = validate_fields(f->sub, item, true, ipath, e);
        if (o) json_array_append_new(out, o);
        else ok = false;
        continue;
      }
      if (!json_is_string(item)) {
        verr_add(e, ipath, "invalid_type", "must be a string");
        ok = false;
        continue;
      }
      const char *s = json_string_value(item);
      size_t n = utf8_chars(s);
      if (f->type == F_TEXT_ARRAY && (n == 0 || n > TAG_MAX)) {
        verr_add(e, ipath, n ? "too_long" : "too_short", "must be 1 to %d characters", TAG_MAX);
        ok = false;
      } else if (f->values && !in_list(f->values, s)) {
        list_values(f->values, allowed, sizeof allowed);
        verr_add(e, ipath, "invalid_value", "must be one of: %s", allowed);
        ok = false;
      } else if (!check_string(f->check, s, ipath, e)) {
        ok = false;
      } else {
        json_array_append(out, item);
      }
    }
    if (!ok) {
      json_decref(out);
      return NULL;
    }
    return out;
  }
  case F_OBJECT:
    if (!json_is_object(v)) {
      verr_add(e, path, "invalid_type", "must be an object");
      return NULL;
    }
    return validate_fields(f->sub, v, true, path, e);
  case F_MAP: return validate_map(f, v, path, e);
  }
  return NULL;
}

static bool is_writable(const struct field *f) { return !f->readonly && !f->expr; }

static json_t *validate_fields(const struct field *fields, const json_t *input, bool create,
                               const char *prefix, struct verrors *e) {
  size_t before = e->items ? json_array_size(e->items) : 0;
  bool nested = *prefix != '\0';
  json_t *out = json_object();
  char path[300];
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)input, key, value) {
    snprintf(path, sizeof path, "%.250s%s%.*s", prefix, nested ? "." : "", utf8_cut(key, 40), key);
    const struct field *f = NULL;
    for (const struct field *g = fields; g->name && !f; g++)
      if (strcmp(g->name, key) == 0) f = g;
    if (!f) verr_add(e, path, "unknown_field", "is not a field of this resource");
    else if (!is_writable(f)) verr_add(e, path, "read_only", "is read-only");
  }
  for (const struct field *f = fields; f->name; f++) {
    if (!is_writable(f)) continue;
    snprintf(path, sizeof path, "%.250s%s%.40s", prefix, nested ? "." : "", f->name);
    json_t *v = json_object_get(input, f->name);
    if (!v || json_is_null(v)) {
      if (f->required) {
        verr_add(e, path, "required", "is required");
      } else if (v && !f->nullable) {
        verr_add(e, path, "invalid_type", "cannot be null");
      } else if (!v && !create && !f->nullable) {
        verr_add(e, path, "invalid_type", "cannot be removed");
      } else if (nested || !create || v) {
        /* Objects carry every subfield; a replacement sets absent fields to null. */
        json_object_set_new(out, f->name, json_null());
      }
      continue;
    }
    json_t *norm = validate_value(f, v, path, e);
    if (norm) json_object_set_new(out, f->name, norm);
  }
  /* Ordered pairs such as awarded_on <= valid_until (ISO dates compare as text). */
  for (const struct field *f = fields; f->name; f++) {
    if (!f->not_before) continue;
    const char *a = json_string_value(json_object_get(out, f->not_before));
    const char *b = json_string_value(json_object_get(out, f->name));
    if (a && b && strcmp(b, a) < 0) {
      snprintf(path, sizeof path, "%.250s%s%.40s", prefix, nested ? "." : "", f->name);
      verr_add(e, path, "out_of_range", "must not be before %s", f->not_before);
    }
  }
  if (e->items && json_array_size(e->items) > before) {
    json_decref(out);
    return NULL;
  }
  return out;
}

json_t *schema_validate(const struct field *fields, const json_t *input, bool create,
                        struct verrors *e) {
  return validate_fields(fields, input, create, "", e);
}

void schema_check_keys(const struct field *fields, const json_t *patch, struct verrors *e) {
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)patch, key, value) {
    const struct field *f = NULL;
    for (const struct field *g = fields; g->name && !f; g++)
      if (strcmp(g->name, key) == 0) f = g;
    if (!f) verr_add(e, key, "unknown_field", "is not a field of this resource");
    else if (!is_writable(f)) verr_add(e, key, "read_only", "is read-only");
  }
}
