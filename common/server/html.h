/* SPDX-License-Identifier: Apache-2.0 */
/* The pages' HTML: text escaped for element content and attribute values,
 * and the frame every page shares (a viewport for phones, a little inline
 * CSS, the navigation). No script anywhere. */
#ifndef DP_SERVER_HTML_H
#define DP_SERVER_HTML_H
#include "base/buf.h"

/* s with & < > " ' written as character references. */
void html_esc(struct buf *b, const char *s);
/* printf into b, every %s argument escaped (only %s, %d, %02d, %ld, %lld, %zu
 * and %% are understood). */
void html_addf(struct buf *b, const char *fmt, ...);

/* The top of a page: title (escaped); signed_in with csrf shows the
 * sign-out form, otherwise a sign-in link. */
void html_head(struct buf *b, const char *title, int signed_in, const char *csrf);
void html_foot(struct buf *b);

/* The security headers of every page (Content-Security-Policy allowing no
 * script, nosniff, no caching, no framing), as (name, value) pairs ending in
 * NULL. */
extern const char *const html_headers[][2];

#endif
