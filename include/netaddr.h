/* Pure helpers for client addresses behind reverse proxies: IPv4 and IPv6 addresses and
   CIDR blocks (parsed with inet_pton), and the client named by X-Forwarded-For. */
#ifndef GRAPPE_NETADDR_H
#define GRAPPE_NETADDR_H
#include <stdbool.h>
#include <stddef.h>

/* An address; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is held as the IPv4 one. */
struct ipaddr {
  int family;          /* AF_INET or AF_INET6 */
  unsigned char b[16]; /* network order; 4 bytes used for AF_INET */
};

struct cidr {
  struct ipaddr net; /* bits past the prefix are zero */
  int bits;          /* prefix length: 0..32 or 0..128 */
};

/* Parses one address: "192.0.2.7", "2001:db8::1", and as X-Forwarded-For entries may carry
   them, "[2001:db8::1]", "[2001:db8::1]:443" or "192.0.2.7:443"; spaces around it are
   ignored. n is the length of s. False when it is not an address. */
bool ip_parse(const char *s, size_t n, struct ipaddr *out);
/* The address as text (at most 45 characters and a NUL) in out. */
void ip_format(const struct ipaddr *a, char *out, size_t n);
/* Parses a comma-separated list of CIDR blocks ("10.0.0.0/8, 2001:db8::/32"; a bare address
   is a block of one). Returns the number of blocks and sets *out to a malloc'd array
   (caller frees; NULL for an empty list), or -1 with a message in err on an invalid item. */
int cidr_list_parse(const char *list, struct cidr **out, char *err, size_t errn);
/* Whether a lies in one of the n blocks. */
bool cidr_list_contains(const struct cidr *list, size_t n, const struct ipaddr *a);
/* The client of a request that came from peer with this X-Forwarded-For value (NULL when
   absent): when peer is in a trusted block, the right-most entry that is not trusted
   (walking from the right: the entries a trusted proxy appended; one it could not have
   written, not an address, ends the walk at the proxy that passed it on; if all are
   trusted, the left-most); otherwise, or without trusted blocks, the peer itself. */
struct ipaddr netaddr_forwarded_client(const struct cidr *trusted, size_t n,
                                       const struct ipaddr *peer, const char *xff);
/* Whether a webhook may be sent to a: false for the unspecified address, loopback, private
   (10/8, 172.16/12, 192.168/16, 100.64/10 shared, fc00::/7 unique local), link-local
   (169.254/16, fe80::/10), multicast (224/4, ff00::/8), broadcast and reserved blocks
   (0/8, 192.0.0/24, 198.18/15, 240/4, the documentation ranges), and for IPv6 addresses
   that carry an IPv4 one (NAT64 64:ff9b::/96, 6to4 2002::/16) when that one is refused. */
bool ip_is_public(const struct ipaddr *a);
#endif
