/* SPDX-License-Identifier: Apache-2.0 */
/* Text values: what the service accepts in a request, and what it writes
 * into an XML answer. One rule for both: valid UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF) without control characters (U+0000 to
 * U+001F, tab and newline included, since records are TAB- and
 * line-separated; U+007F to U+009F), without U+FFFE and U+FFFF, which
 * XML 1.0 does not allow, and without the line and paragraph separators
 * (U+2028, U+2029) and the bidirectional controls (U+061C, U+200E, U+200F,
 * U+202A to U+202E, U+2066 to U+2069), refused as control characters. */
#ifndef DP_TEXT_H
#define DP_TEXT_H
#include <stddef.h>
#include "base/buf.h"

/* Limits of a request, checked at the service boundary (service_handle). */
#define TEXT_MAX_NAME   128   /* bytes of a parameter's name */
#define TEXT_MAX_VALUE  4096  /* bytes of a parameter's value */
#define TEXT_MAX_PARAMS 1000  /* parameters in one request */

enum text_problem {
	TEXT_OK = 0,
	TEXT_BAD_UTF8,  /* a byte sequence that is not UTF-8 */
	TEXT_CONTROL,   /* a control character (or U+FFFE/U+FFFF, a separator, a bidi control) */
	TEXT_TOO_LONG,  /* longer than max bytes */
};

/* Checks s[0..len); on a problem, *at is the byte offset and *cp the code
 * point (TEXT_CONTROL) or the offending byte (TEXT_BAD_UTF8). */
enum text_problem text_check(const char *s, size_t len, size_t max, size_t *at, unsigned *cp);

/* Appends s to out with every byte sequence text_check would refuse
 * replaced by U+FFFD: the result is always an acceptable text value. */
void text_clean(const char *s, size_t len, struct buf *out);

/* A printable ASCII rendering of s for messages: bytes outside 0x20..0x7E
 * as \xHH, cut at max bytes of input with "...". */
void text_quote(const char *s, size_t max, struct buf *out);

#endif
