/* iCalendar (RFC 5545) text: escaping and line folding. Pure, for unit tests and fuzzing. */
#ifndef GRAPPE_ICS_H
#define GRAPPE_ICS_H
#include "buf.h"

/* Appends "NAME:value" as one content line: TEXT escaping (\ ; , newline) when escape is set,
   folded at 75 octets without splitting a UTF-8 character, ended by CRLF. */
void ics_line(struct buf *b, const char *name, const char *value, int escape);
/* Appends an RFC 3339 UTC timestamp (2026-11-26T15:24:13.123456Z) as 20261126T152413Z. */
void ics_utc(struct buf *b, const char *name, const char *rfc3339);
#endif
