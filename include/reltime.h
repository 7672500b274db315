/* Relative times in query filters (SPEC, Lists): from=now, from=now-7d, updated_since=now-1h. */
#ifndef GRAPPE_RELTIME_H
#define GRAPPE_RELTIME_H
#include <stdbool.h>

/* Room for what reltime_resolve writes: "2026-12-05T09:30:00.123456Z" or "2026-12-05". */
#define RELTIME_TEXT 32
/* The largest offset: 100 years of 365.25 days, in seconds. */
#define RELTIME_MAX_OFFSET 3155760000LL

/* Reads a relative time: "now", or "now" followed by a sign, 1 to 6 digits and a unit,
   s (seconds), m (minutes), h (hours), d (days of 24 h) or w (weeks): "now-7d", "now+90m".
   The sign is '+' or '-', or a space, which is what a '+' typed as such in a URL query
   becomes once decoded. On success stores the offset in seconds (at most
   RELTIME_MAX_OFFSET either way) and returns true; anything else is false. */
bool reltime_parse(const char *s, long long *offset_s);

/* Resolves s, a relative time, against now_us (microseconds since 1970-01-01T00:00:00Z):
   writes the instant as RFC 3339 UTC with microseconds ("2026-12-05T09:30:00.123456Z"), or
   with date_only its UTC date ("2026-12-05"), into out. False when s is not a relative time
   or the instant falls outside the years 1000..9999. */
bool reltime_resolve(const char *s, long long now_us, bool date_only, char out[RELTIME_TEXT]);
#endif
