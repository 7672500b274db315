/* Relative times ("now", "now-7d", "now+2h") for the time and date filters of lists: pure,
   no allocation; the caller passes the clock's reading. */
#include "reltime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

bool reltime_parse(const char *s, long long *offset_s) {
  if (!s || strncmp(s, "now", 3) != 0) return false;
  const char *p = s + 3;
  if (*p == '\0') {
    *offset_s = 0;
    return true;
  }
  int sign = *p == '-' ? -1 : 1;
  if (*p != '-' && *p != '+' && *p != ' ') return false;
  p++;
  long long n = 0;
  int digits = 0;
  while (*p >= '0' && *p <= '9') {
    if (++digits > 6) return false;
    n = n * 10 + (*p++ - '0');
  }
  if (!digits || p[0] == '\0' || p[1] != '\0') return false;
  long long unit;
  switch (*p) {
  case 's': unit = 1; break;
  case 'm': unit = 60; break;
  case 'h': unit = 3600; break;
  case 'd': unit = 86400; break;
  case 'w': unit = 7LL * 86400; break;
  default: return false;
  }
  if (n * unit > RELTIME_MAX_OFFSET) return false;
  *offset_s = sign * n * unit;
  return true;
}

bool reltime_resolve(const char *s, long long now_us, bool date_only, char out[RELTIME_TEXT]) {
  long long offset;
  if (!reltime_parse(s, &offset)) return false;
  /* floor division, so that an instant before 1970 keeps a fraction in [0, 1 s) */
  long long secs = now_us / 1000000, us = now_us % 1000000;
  if (us < 0) {
    us += 1000000;
    secs--;
  }
  if (secs > 253402300799LL || secs < -30610224000LL) return false; /* 9999-12-31, 1000-01-01 */
  secs += offset;
  time_t t = (time_t)secs;
  struct tm tm;
  if (!gmtime_r(&t, &tm)) return false;
  int year = tm.tm_year + 1900;
  if (year < 1000 || year > 9999) return false;
  size_t n = strftime(out, RELTIME_TEXT, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%S", &tm);
  if (!n) return false;
  if (!date_only) snprintf(out + n, RELTIME_TEXT - n, ".%06dZ", (int)us);
  return true;
}
