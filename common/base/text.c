/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include "base/text.h"

/* The code point at s (len > 0 bytes left) and its length, or 0 when the
 * bytes there are not a valid UTF-8 sequence. */
static size_t decode(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned c = s[0];
	size_t n;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		n = 2, min = 0x80, c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3, min = 0x800, c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4, min = 0x10000, c &= 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Refused as control characters too: the line and paragraph separators
 * (U+2028, U+2029: a line break to JavaScript and to some terminals) and the
 * bidirectional controls (U+061C, U+200E, U+200F, U+202A..U+202E,
 * U+2066..U+2069), which make a name show as another one. */
static int control(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF ||
	       cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

enum text_problem text_check(const char *s, size_t len, size_t max, size_t *at, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (len > max) {
		*at = max;
		*cp = 0;
		return TEXT_TOO_LONG;
	}
	for (size_t i = 0; i < len;) {
		/* printable ASCII, most of what a request carries, at a glance */
		if (u[i] >= 0x20 && u[i] < 0x7F) {
			i++;
			continue;
		}
		unsigned c;
		size_t n = decode(u + i, len - i, &c);
		*at = i;
		if (!n) {
			*cp = u[i];
			return TEXT_BAD_UTF8;
		}
		if (control(c)) {
			*cp = c;
			return TEXT_CONTROL;
		}
		i += n;
	}
	return TEXT_OK;
}

void text_clean(const char *s, size_t len, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = 0;
	for (size_t i = 0; i < len;) {
		unsigned c;
		size_t n = decode(u + i, len - i, &c);
		if (n && !control(c)) {
			i += n;
			continue;
		}
		buf_add(out, s + start, i - start);
		buf_adds(out, "\xEF\xBF\xBD");
		i += n ? n : 1;
		start = i;
	}
	buf_add(out, s + start, len - start);
}

void text_quote(const char *s, size_t max, struct buf *out)
{
	size_t i = 0;
	for (; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7F && c != '\\')
			buf_addc(out, (char)c);
		else
			buf_addf(out, "\\x%02X", c);
	}
	if (s[i])
		buf_adds(out, "...");
}
