/* The SQL builder: see include/sqlb.h. */
#include "mem.h"
#include "sqlb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sqlb_init(struct sqlb *q) {
  memset(q, 0, sizeof *q);
  buf_init(&q->text);
}

void sqlb_free(struct sqlb *q) {
  for (int i = 0; i < q->n; i++) free(q->values[i]);
  free(q->values);
  buf_free(&q->text);
  memset(q, 0, sizeof *q);
}

void sqlb_add(struct sqlb *q, const char *text) { buf_adds(&q->text, text); }

void sqlb_addf(struct sqlb *q, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vaddf(&q->text, fmt, ap);
  va_end(ap);
}

int sqlb_bind(struct sqlb *q, char *owned) {
  if (q->n == q->cap) {
    int cap = q->cap ? q->cap * 2 : 16;
    q->values = xrealloc(q->values, (size_t)cap * sizeof *q->values);
    q->cap = cap;
  }
  q->values[q->n++] = owned;
  return q->n;
}

int sqlb_bind_copy(struct sqlb *q, const char *value) {
  return sqlb_bind(q, value ? xstrdup(value) : NULL);
}

void sqlb_ref(struct sqlb *q, int n, const char *type) {
  if (type) buf_addf(&q->text, "$%d::%s", n, type);
  else buf_addf(&q->text, "$%d", n);
}

int sqlb_param(struct sqlb *q, char *owned, const char *type) {
  int n = sqlb_bind(q, owned);
  sqlb_ref(q, n, type);
  return n;
}

void sqlb_ref_text(char *out, int n, const char *type, bool any) {
  if (!type) snprintf(out, SQLB_REF_SIZE, "$%d", n);
  else if (any) snprintf(out, SQLB_REF_SIZE, "ANY($%d::%.40s[])", n, type);
  else snprintf(out, SQLB_REF_SIZE, "$%d::%.40s", n, type);
}

bool sqlb_literal_text(char *out, const char *value, const char *type) {
  size_t n = strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");
  if (n == 0 || n > 16 || value[n] != '\0' || !type || strlen(type) > 40) return false;
  snprintf(out, SQLB_REF_SIZE, "'%s'::%s", value, type);
  return true;
}

void sqlb_template(struct sqlb *q, const char *tmpl, const char *const *refs, int nrefs) {
  const char *p = tmpl;
  while (*p) {
    const char *dollar = strchr(p, '$');
    if (!dollar) {
      buf_adds(&q->text, p);
      break;
    }
    buf_add(&q->text, p, (size_t)(dollar - p));
    int k = dollar[1] - '0';
    if (k >= 1 && k <= 9 && k <= nrefs && !(dollar[2] >= '0' && dollar[2] <= '9')) {
      buf_adds(&q->text, refs[k - 1]);
      p = dollar + 2;
    } else {
      buf_addc(&q->text, '$');
      p = dollar + 1;
    }
  }
}

char *sqlb_array(char *const *items) {
  struct buf b;
  buf_init(&b);
  buf_addc(&b, '{');
  for (char *const *it = items; it && *it; it++) {
    if (it != items) buf_addc(&b, ',');
    buf_addc(&b, '"');
    for (const char *s = *it; *s; s++) {
      if (*s == '"' || *s == '\\') buf_addc(&b, '\\');
      buf_addc(&b, *s);
    }
    buf_addc(&b, '"');
  }
  buf_addc(&b, '}');
  return buf_steal(&b);
}
