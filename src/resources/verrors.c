/* Validation errors, collected as the `errors` items of a problem+json answer. Pure (jansson
   only), so that the CSV line converter and the unit tests reach it without the resources. */
#include <stdarg.h>
#include <stdio.h>

#include "resource.h"
#include "text.h"

void verr_add(struct verrors *e, const char *field, const char *code, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  utf8_vformat(msg, sizeof msg, fmt, ap);
  va_end(ap);
  char path[300];
  snprintf(path, sizeof path, "%s", field);
  utf8_trim(path); /* a key cut short by a path buffer */
  if (!e->items) e->items = json_array();
  json_array_append_new(e->items,
                        json_pack("{s:s,s:s,s:s}", "field", path, "code", code, "message", msg));
}
