/* Content negotiation for list and item formats. */
#ifndef GRAPPE_NEGOTIATE_H
#define GRAPPE_NEGOTIATE_H

enum format {
  FMT_JSON = 1 << 0,
  FMT_CSV = 1 << 1,
  FMT_GEOJSON = 1 << 2,
  FMT_NDJSON = 1 << 3,
  FMT_ICS = 1 << 4,
};

const char *fmt_media_type(enum format f);
/* Picks a format among `allowed` (a mask) from ?format= (wins when present) or Accept.
   Returns 0 when nothing acceptable (406). A missing Accept means JSON. */
enum format fmt_negotiate(const char *accept, const char *format_param, unsigned allowed);
#endif
