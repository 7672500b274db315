/* Validators for French identifiers and common formats: pure, no allocation. */
#include "text.h"
#include "validate.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool digits_valid(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool luhn_valid(const char *d, size_t n) {
  int sum = 0;
  for (size_t i = 0; i < n; i++) {
    int v = d[n - 1 - i] - '0';
    if (i % 2 == 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return sum % 10 == 0;
}

bool siren_valid(const char *s) {
  return s && strlen(s) == 9 && digits_valid(s, 9) && luhn_valid(s, 9);
}

bool siret_valid(const char *s) {
  if (!s || strlen(s) != 14 || !digits_valid(s, 14)) return false;
  /* its first nine digits are the company's SIREN, which must be valid on its own (the
     SIREN of a company created from a SIRET is taken from them) */
  if (!luhn_valid(s, 9)) return false;
  /* La Poste's establishments share SIREN 356000000 and do not follow Luhn: the sum of
     their digits is a multiple of 5 instead (the head office's SIRET is Luhn-valid). */
  if (strncmp(s, "356000000", 9) == 0) {
    int sum = 0;
    for (int i = 0; i < 14; i++) sum += s[i] - '0';
    if (sum % 5 == 0) return true;
  }
  return luhn_valid(s, 14);
}

bool uuid_valid(const char *s) {
  if (!s || strlen(s) != 36) return false;
  for (int i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!isxdigit((unsigned char)s[i])) {
      return false;
    }
  }
  return true;
}

static int num(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
  return v;
}

static bool ymd_valid(const char *s) {
  if (!digits_valid(s, 4) || s[4] != '-' || !digits_valid(s + 5, 2) || s[7] != '-' ||
      !digits_valid(s + 8, 2))
    return false;
  int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1000 || m < 1 || m > 12 || d < 1) return false;
  int max = mdays[m - 1];
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) max = 29;
  return d <= max;
}

bool year_valid(const char *s, long *out) {
  if (!s || strlen(s) != 4 || !digits_valid(s, 4)) return false;
  long y = num(s, 4);
  if (y < 1990 || y > 2200) return false;
  if (out) *out = y;
  return true;
}

bool date_valid(const char *s) { return s && strlen(s) == 10 && ymd_valid(s); }

bool datetime_valid(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n < 20 || !ymd_valid(s) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return false;
  const char *t = s + 11;
  if (!digits_valid(t, 2) || t[2] != ':' || !digits_valid(t + 3, 2) || t[5] != ':' ||
      !digits_valid(t + 6, 2))
    return false;
  if (num(t, 2) > 23 || num(t + 3, 2) > 59 || num(t + 6, 2) > 60) return false;
  const char *p = t + 8;
  if (*p == '.') {
    p++;
    if (!isdigit((unsigned char)*p)) return false;
    while (isdigit((unsigned char)*p)) p++;
  }
  if ((*p == 'Z' || *p == 'z') && p[1] == '\0') return true;
  if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits_valid(p + 1, 2) && p[3] == ':' &&
      digits_valid(p + 4, 2))
    return num(p + 1, 2) <= 15 &&
           num(p + 4, 2) <= 59; /* real offsets are -12..+14; PostgreSQL takes 15:59 */
  return false;
}

bool email_valid(const char *s) {
  if (!s) return false;
  size_t n = strlen(s);
  const char *at = strchr(s, '@');
  if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@')) return false;
  const char *dot = strrchr(at, '.');
  if (!dot || dot == at + 1 || dot[1] == '\0') return false;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == ';' || *p == '"')
      return false;
  return true;
}

bool url_valid(const char *s) {
  if (!s) return false;
  const char *host;
  if (strncmp(s, "https://", 8) == 0) host = s + 8;
  else if (strncmp(s, "http://", 7) == 0) host = s + 7;
  else return false;
  if (*host == '\0' || *host == '/' || *host == ':' || *host == '?' || *host == '#') return false;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\') return false;
  return true;
}

bool phone_valid(const char *s) {
  if (!s) return false;
  int digits = 0;
  for (const char *p = s; *p; p++) {
    if (isdigit((unsigned char)*p)) digits++;
    else if (!strchr(" +().-", *p)) return false;
  }
  return digits >= 6 && digits <= 20 && strlen(s) <= 30;
}

bool postal_code_valid(const char *s) { return s && strlen(s) == 5 && digits_valid(s, 5); }

bool commune_code_valid(const char *s) {
  if (!s || strlen(s) != 5) return false;
  if (s[0] == '2' && (s[1] == 'A' || s[1] == 'B')) return digits_valid(s + 2, 3);
  return digits_valid(s, 5);
}

bool naf_code_valid(const char *s) {
  return s && strlen(s) == 6 && digits_valid(s, 2) && s[2] == '.' && digits_valid(s + 3, 2) &&
         s[5] >= 'A' && s[5] <= 'Z';
}

bool external_ns_valid(const char *s, size_t n) {
  if (n < 1 || n > 40) return false;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              (i > 0 && (ch == '_' || ch == '.' || ch == '-'));
    if (!ok) return false;
  }
  return true;
}

bool external_value_valid(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || !utf8_valid(s, n)) return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f) return false;
  return utf8_chars(s) <= 200;
}

bool external_ref_valid(const char *s) {
  const char *colon = s ? strchr(s, ':') : NULL;
  return colon && external_ns_valid(s, (size_t)(colon - s)) && external_value_valid(colon + 1);
}

bool long_valid(const char *s, long min, long max, long *out) {
  if (!s || !*s || isspace((unsigned char)*s)) return false;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < min || v > max) return false;
  *out = v;
  return true;
}

/* Era arithmetic: 400-year cycles of 146,097 days (H. Hinnant's days_from_civil). */
long long date_days(long long y, int m, int d) {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  long long yoe = y - era * 400;
  long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

long long datetime_usec(const char *s) {
  long long days = date_days(num(s, 4), (int)num(s + 5, 2), (int)num(s + 8, 2));
  int sec = num(s + 17, 2);
  long long t = ((days * 24 + num(s + 11, 2)) * 60 + num(s + 14, 2)) * 60 + (sec > 59 ? 59 : sec);
  long long usec = 0;
  const char *p = s + 19;
  if (*p == '.') {
    int digits = 0;
    for (p++; isdigit((unsigned char)*p); p++)
      if (digits < 6) {
        usec = usec * 10 + (*p - '0');
        digits++;
      }
    while (digits++ < 6) usec *= 10;
  }
  if (*p == '+' || *p == '-') {
    long long off = (num(p + 1, 2) * 60LL + num(p + 4, 2)) * 60;
    t += *p == '+' ? -off : off;
  }
  return t * 1000000 + usec;
}
