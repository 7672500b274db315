/* Pure helpers of the search box: words of a query, and highlighted snippets as safe HTML. */
#ifndef GRAPPE_SEARCHTEXT_H
#define GRAPPE_SEARCHTEXT_H
#include <stddef.h>

struct buf;
/* The words of a query (runs of letters and digits; ASCII punctuation, Latin-1 symbols and
   the General Punctuation block separate them), at most max_words, NULL-terminated; caller
   frees with strv_free. NULL when s is not valid UTF-8. */
char **search_words(const char *s, size_t max_words);
/* Appends text HTML-escaped, with the byte start turned into <mark> and stop into </mark>
   (unbalanced marks are balanced); the bytes 0x03 and 0x04 stand for < and > (escaped). */
void html_marked(struct buf *out, const char *text, char start, char stop);
#endif
