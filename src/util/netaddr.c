/* Client addresses behind reverse proxies (include/netaddr.h). Pure: no Ulfius, no libpq. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "validate.h"

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool parse_exact(const char *s, size_t n, struct ipaddr *out) {
  char text[64];
  if (n == 0 || n >= sizeof text) return false;
  memcpy(text, s, n);
  text[n] = '\0';
  memset(out, 0, sizeof *out);
  if (inet_pton(AF_INET, text, out->b) == 1) {
    out->family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text, out->b) != 1) return false;
  out->family = AF_INET6;
  if (memcmp(out->b, v4_mapped, sizeof v4_mapped) == 0) {
    memmove(out->b, out->b + 12, 4);
    memset(out->b + 4, 0, 12);
    out->family = AF_INET;
  }
  return true;
}

/* A port: 1 to 5 digits. */
static bool port_valid(const char *s, size_t n) { return n > 0 && n <= 5 && digits_valid(s, n); }

bool ip_parse(const char *s, size_t n, struct ipaddr *out) {
  while (n && (*s == ' ' || *s == '\t')) {
    s++;
    n--;
  }
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  if (n && s[0] == '[') { /* [v6] or [v6]:port */
    const char *close = memchr(s, ']', n);
    if (!close) return false;
    size_t rest = n - (size_t)(close - s) - 1;
    if (rest && (close[1] != ':' || !port_valid(close + 2, rest - 1))) return false;
    return parse_exact(s + 1, (size_t)(close - s) - 1, out) && out->family == AF_INET6;
  }
  if (parse_exact(s, n, out)) return true;
  /* v4:port (one colon only: more is IPv6, which must then be bracketed to carry a port) */
  const char *colon = memchr(s, ':', n);
  if (!colon || memchr(colon + 1, ':', n - (size_t)(colon - s) - 1)) return false;
  size_t host = (size_t)(colon - s);
  return port_valid(colon + 1, n - host - 1) && parse_exact(s, host, out) && out->family == AF_INET;
}

void ip_format(const struct ipaddr *a, char *out, size_t n) {
  if (n == 0) return;
  out[0] = '\0';
  if (a->family == AF_INET || a->family == AF_INET6) inet_ntop(a->family, a->b, out, (socklen_t)n);
}

static int width(const struct ipaddr *a) { return a->family == AF_INET ? 32 : 128; }

static bool prefix_equal(const unsigned char *x, const unsigned char *y, int bits) {
  int whole = bits / 8, rest = bits % 8;
  if (memcmp(x, y, (size_t)whole) != 0) return false;
  if (!rest) return true;
  unsigned char mask = (unsigned char)(0xFF << (8 - rest));
  return (x[whole] & mask) == (y[whole] & mask);
}

static bool cidr_parse(const char *s, size_t n, struct cidr *out, char *err, size_t errn) {
  while (n && (*s == ' ' || *s == '\t')) {
    s++;
    n--;
  }
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  const char *slash = memchr(s, '/', n);
  size_t host = slash ? (size_t)(slash - s) : n;
  if (!parse_exact(s, host, &out->net)) {
    snprintf(err, errn, "'%.*s' is not an IPv4 or IPv6 address", (int)(host > 60 ? 60 : host), s);
    return false;
  }
  /* ::ffff:10.0.0.0/104 names IPv4 addresses: its prefix counts in IPv6 bits */
  bool mapped = out->net.family == AF_INET && memchr(s, ':', host);
  int max = mapped ? 128 : width(&out->net);
  out->bits = width(&out->net);
  if (slash) {
    size_t len = n - host - 1;
    long bits = 0;
    bool ok = len > 0 && len <= 3;
    for (size_t i = 0; ok && i < len; i++) {
      ok = slash[1 + i] >= '0' && slash[1 + i] <= '9';
      bits = bits * 10 + (slash[1 + i] - '0');
    }
    if (!ok || bits > max || (mapped && bits < 96)) {
      snprintf(err, errn, "'%.*s' has no valid prefix length (/0 to /%d)", (int)(n > 60 ? 60 : n),
               s, max);
      return false;
    }
    out->bits = mapped ? (int)bits - 96 : (int)bits;
  }
  /* host bits past the prefix are ignored, as the block 10.1.2.3/8 means 10.0.0.0/8 */
  int b = out->bits;
  for (int i = 0; i < 16; i++, b -= 8)
    out->net.b[i] &= b >= 8 ? 0xFF : b <= 0 ? 0 : (unsigned char)(0xFF << (8 - b));
  return true;
}

int cidr_list_parse(const char *list, struct cidr **out, char *err, size_t errn) {
  *out = NULL;
  if (!list) return 0;
  size_t cap = 1;
  for (const char *p = list; *p; p++) cap += *p == ',';
  struct cidr *blocks = xcalloc(cap, sizeof *blocks);
  int n = 0;
  for (const char *p = list;;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    size_t blank = 0;
    while (blank < len && (p[blank] == ' ' || p[blank] == '\t')) blank++;
    if (blank < len) {
      if (!cidr_parse(p, len, &blocks[n], err, errn)) {
        free(blocks);
        return -1;
      }
      n++;
    } else if (end) {
      snprintf(err, errn, "an item of the list is empty");
      free(blocks);
      return -1;
    }
    if (!end) break;
    p = end + 1;
  }
  if (n == 0) {
    free(blocks);
    return 0;
  }
  *out = blocks;
  return n;
}

bool cidr_list_contains(const struct cidr *list, size_t n, const struct ipaddr *a) {
  for (size_t i = 0; i < n; i++)
    if (list[i].net.family == a->family && prefix_equal(list[i].net.b, a->b, list[i].bits))
      return true;
  return false;
}

struct ipaddr netaddr_forwarded_client(const struct cidr *trusted, size_t n,
                                       const struct ipaddr *peer, const char *xff) {
  struct ipaddr client = *peer;
  if (!n || !xff || !cidr_list_contains(trusted, n, peer)) return client;
  /* client is the last address we trust to have seen the request's sender */
  size_t end = strlen(xff);
  while (end > 0) {
    size_t start = end;
    while (start > 0 && xff[start - 1] != ',') start--;
    struct ipaddr entry;
    if (!ip_parse(xff + start, end - start, &entry)) {
      bool blank = true;
      for (size_t i = start; i < end && blank; i++) blank = xff[i] == ' ' || xff[i] == '\t';
      if (!blank) return client; /* not an address: nothing to its left can be believed */
    } else {
      client = entry;
      if (!cidr_list_contains(trusted, n, &entry)) return client;
    }
    end = start ? start - 1 : 0;
  }
  return client; /* every entry trusted: the left-most */
}

/* Blocks no webhook goes to (ip_is_public). */
static const char refused_blocks[] =
  "0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, "
  "192.0.0.0/24, 192.0.2.0/24, 192.168.0.0/16, 198.18.0.0/15, 198.51.100.0/24, "
  "203.0.113.0/24, 224.0.0.0/4, 240.0.0.0/4, ::/96, 100::/64, 2001:db8::/32, fc00::/7, "
  "fe80::/10, fec0::/10, ff00::/8";
static struct cidr *refused;
static int nrefused;
static pthread_once_t refused_once = PTHREAD_ONCE_INIT;

static void refused_load(void) {
  char err[128];
  nrefused = cidr_list_parse(refused_blocks, &refused, err, sizeof err);
}

bool ip_is_public(const struct ipaddr *a) {
  pthread_once(&refused_once, refused_load);
  if (nrefused <= 0) return false; /* cannot happen: the list above parses */
  if (cidr_list_contains(refused, (size_t)nrefused, a)) return false;
  if (a->family == AF_INET6) {
    /* an IPv4 address inside: NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::) */
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    struct ipaddr v4 = {.family = AF_INET};
    if (memcmp(a->b, nat64, sizeof nat64) == 0) {
      memcpy(v4.b, a->b + 12, 4);
      return ip_is_public(&v4);
    }
    if (a->b[0] == 0x20 && a->b[1] == 0x02) {
      memcpy(v4.b, a->b + 2, 4);
      return ip_is_public(&v4);
    }
  }
  return true;
}
