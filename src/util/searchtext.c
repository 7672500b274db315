#include "searchtext.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "strv.h"
#include "text.h"

/* Length of the separator at p (0 when p starts a word character). */
static size_t separator_len(const unsigned char *p) {
  if (p[0] < 0x80) {
    bool alnum =
      (p[0] >= '0' && p[0] <= '9') || (p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z');
    return alnum ? 0 : 1;
  }
  if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0xBF) return 2;           /* U+0080..U+00BF */
  if (p[0] == 0xC3 && (p[1] == 0x97 || p[1] == 0xB7)) return 2;         /* × ÷ */
  if (p[0] == 0xE2 && (p[1] == 0x80 || p[1] == 0x81) && p[2]) return 3; /* U+2000..U+207F */
  return 0;
}

static size_t char_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

char **search_words(const char *s, size_t max_words) {
  if (!s || !utf8_valid(s, strlen(s))) return NULL;
  char **words = xcalloc(max_words + 1, sizeof *words);
  size_t n = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p && n < max_words) {
    size_t sep = separator_len(p);
    if (sep) {
      p += sep;
      continue;
    }
    const unsigned char *start = p;
    while (*p && !separator_len(p)) p += char_len(*p);
    words[n++] = xstrndup((const char *)start, (size_t)(p - start));
  }
  return words;
}

void html_marked(struct buf *out, const char *text, char start, char stop) {
  bool open = false;
  for (const char *p = text; p && *p; p++) {
    if (*p == start) {
      if (!open) buf_adds(out, "<mark>");
      open = true;
    } else if (*p == stop) {
      if (open) buf_adds(out, "</mark>");
      open = false;
    } else if (*p == '&') buf_adds(out, "&amp;");
    else if (*p == '<' || *p == '\x03') buf_adds(out, "&lt;");
    else if (*p == '>' || *p == '\x04') buf_adds(out, "&gt;");
    else if (*p == '"') buf_adds(out, "&quot;");
    else if (*p == '\'') buf_adds(out, "&#39;");
    else buf_addc(out, *p);
  }
  if (open) buf_adds(out, "</mark>");
}
