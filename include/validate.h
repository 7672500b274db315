/* Pure validators for French identifiers and common formats. */
#ifndef GRAPPE_VALIDATE_H
#define GRAPPE_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>

bool luhn_valid(const char *digits, size_t n);
/* Are the n bytes of s all ASCII digits? */
bool digits_valid(const char *s, size_t n);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
long long date_days(long long y, int m, int d);
bool siren_valid(const char *s); /* 9 digits, Luhn */
bool siret_valid(const char *s); /* 14 digits, Luhn; La Poste (356000000…): digit sum % 5 */
bool uuid_valid(const char *s);  /* canonical 8-4-4-4-12 hex, any case */
/* A year of indicators: four digits, 1990 to 2200; its value in *out when out is not NULL. */
bool year_valid(const char *s, long *out);
bool date_valid(const char *s);     /* YYYY-MM-DD, a real calendar date, years 1000..9999 */
bool datetime_valid(const char *s); /* RFC 3339 date-time with Z or ±hh:mm offset */
/* Microseconds since 1970-01-01T00:00:00Z of a valid RFC 3339 date-time (leap seconds as :59). */
long long datetime_usec(const char *s);
bool email_valid(const char *s);
bool url_valid(const char *s);          /* http:// or https:// with a host, no spaces */
bool phone_valid(const char *s);        /* digits, spaces and + ( ) . - with 6..20 digits */
bool postal_code_valid(const char *s);  /* 5 digits */
bool commune_code_valid(const char *s); /* INSEE: 5 digits, or 2A/2B + 3 digits */
bool naf_code_valid(const char *s);     /* NN.NNL */
/* An external id's namespace: ^[a-z0-9][a-z0-9_.-]{0,39}$ */
bool external_ns_valid(const char *s, size_t n);
/* An external id's value: 1 to 200 characters, valid UTF-8, no control characters. */
bool external_value_valid(const char *s);
/* "ns:value", as the external_id filter and the bulk lines name a row. */
bool external_ref_valid(const char *s);
/* Parses a decimal integer in [min, max] with nothing after it. */
bool long_valid(const char *s, long min, long max, long *out);
#endif
