/* One SQL statement being built: its text and its parameters, numbered as they are bound.
   Text comes only from the resources' static tables (identifiers, conditions, casts);
   every value from a request is a parameter. Pure: no libpq, no Ulfius (unit-tested). */
#ifndef GRAPPE_SQLB_H
#define GRAPPE_SQLB_H
#include <stdbool.h>

#include "buf.h"

struct sqlb {
  struct buf text;
  int n; /* parameters bound: $1 to $n */
  int cap;
  char **values; /* their text forms, owned; NULL is SQL NULL */
};

void sqlb_init(struct sqlb *q);
void sqlb_free(struct sqlb *q);
/* Appends SQL text from the static tables. */
void sqlb_add(struct sqlb *q, const char *text);
/* Appends SQL text built from static pieces (identifiers, numbers) with printf. */
void sqlb_addf(struct sqlb *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Binds a value (taken: freed with q; NULL is SQL NULL) and returns its number; appends nothing. */
int sqlb_bind(struct sqlb *q, char *owned);
/* The same with a copy of value (NULL stays NULL). */
int sqlb_bind_copy(struct sqlb *q, const char *value);
/* Appends the reference to parameter n: "$n", or "$n::type" when type is not NULL. */
void sqlb_ref(struct sqlb *q, int n, const char *type);
/* Binds a value (taken) and appends its reference; returns its number. */
int sqlb_param(struct sqlb *q, char *owned, const char *type);
/* Appends a condition template of the tables in which $1 to $9 stand for the template's own
   values: $k becomes the text refs[k-1] (k <= nrefs), a reference such as "$7::uuid" or
   "ANY($7::uuid[])" made by sqlb_ref_text; other text is copied. */
void sqlb_template(struct sqlb *q, const char *tmpl, const char *const *refs, int nrefs);
/* The text of a reference to parameter n ("$n::type", or "ANY($n::type[])" with any), in
   out (at least SQLB_REF_SIZE bytes). */
#define SQLB_REF_SIZE 64
void sqlb_ref_text(char *out, int n, const char *type, bool any);
/* The text of value as a literal of type ("'84'::text") in out (SQLB_REF_SIZE bytes), for an
   entry of a closed code list (the program's own constant, never a request's bytes) that the
   statement carries instead of a parameter: false, leaving out as it was, unless value is 1
   to 16 characters of [A-Za-z0-9_.-]. */
bool sqlb_literal_text(char *out, const char *value, const char *type);
/* A PostgreSQL array literal of text values, each quoted and escaped (malloc'd): the one
   parameter that carries a list ("{"a","b"}"). items is NULL-terminated; NULL is {}. */
char *sqlb_array(char *const *items);
/* The parameters as db_exec takes them. */
static inline const char *const *sqlb_values(const struct sqlb *q) {
  return (const char *const *)q->values;
}
#endif
