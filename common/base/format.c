/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include "base/format.h"

int out_format_parse(const char *s, enum out_format *f)
{
	static const char *const names[] = { "text", "json", "csv" };
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*f = (enum out_format)i;
			return 0;
		}
	return -1;
}

size_t out_ncols(const struct record_layout *l)
{
	size_t n = 0;
	while (l->cols[n])
		n++;
	return n;
}

const char *out_col_name(const struct record_layout *l, size_t i, size_t *len)
{
	if (l->header) {
		const char *p = l->header;
		/* the header's first word is "Type" when the layout has a type */
		for (size_t skip = i + (l->type ? 1 : 0); skip && p; skip--) {
			p = strchr(p, '\t');
			p = p ? p + 1 : NULL;
		}
		if (p) {
			*len = strcspn(p, "\t");
			return p;
		}
	}
	*len = strlen(l->cols[i]);
	return l->cols[i];
}

/* text: tabs and line breaks become spaces, so a record stays one line */
static void text_field(struct buf *b, const char *s, int show_empty)
{
	if (!s || !*s) {
		if (show_empty)
			buf_adds(b, "(nil)");
		return;
	}
	for (; *s; s++)
		buf_addc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void text_record(struct buf *b, struct out_writer *w, const struct record_layout *l,
			const char *const *fields, size_t n)
{
	if (w->headers && !w->header_done) {
		w->header_done = 1;
		if (l->header)
			buf_adds(b, l->header);
		else {
			if (l->type)
				buf_adds(b, "Type");
			for (size_t c = 0; c < n; c++)
				buf_addf(b, "%s%s", c || l->type ? "\t" : "", l->cols[c]);
		}
		buf_addc(b, '\n');
	}
	if (l->type)
		buf_adds(b, l->type);
	for (size_t c = 0; c < n; c++) {
		if (c || l->type)
			buf_addc(b, '\t');
		text_field(b, fields[c], w->show_empty);
	}
	buf_addc(b, '\n');
}

/* The length of the UTF-8 sequence at s (1 to 4), 0 when it is not one
 * (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
		 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) ||
	    (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
		return 0;
	return n;
}

/* A JSON string (RFC 8259): quote, backslash and the controls escaped,
 * UTF-8 as it is; a byte that is not UTF-8 becomes U+FFFD. */
static void json_string(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	buf_addc(b, '"');
	while (p < end) {
		unsigned c = *p;
		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
			p++;
		} else if (c < 0x20 || c == 0x7F) {
			switch (c) {
			case '\n': buf_adds(b, "\\n"); break;
			case '\r': buf_adds(b, "\\r"); break;
			case '\t': buf_adds(b, "\\t"); break;
			default: buf_addf(b, "\\u%04x", c); break;
			}
			p++;
		} else {
			size_t n = utf8_len(p);
			if (!n || (size_t)(end - p) < n) {
				buf_adds(b, "\\ufffd");
				p++;
			} else {
				buf_add(b, p, n);
				p += n;
			}
		}
	}
	buf_addc(b, '"');
}

static void json_record(struct buf *b, struct out_writer *w, const struct record_layout *l,
			const char *const *fields, size_t n)
{
	buf_adds(b, w->nrecords ? ",\n{" : "[\n{");
	buf_adds(b, "\"Type\":");
	json_string(b, l->type ? l->type : "", l->type ? strlen(l->type) : 0);
	for (size_t c = 0; c < n; c++) {
		size_t klen;
		const char *k = out_col_name(l, c, &klen);
		buf_addc(b, ',');
		json_string(b, k, klen);
		buf_addc(b, ':');
		json_string(b, fields[c] ? fields[c] : "", fields[c] ? strlen(fields[c]) : 0);
	}
	buf_addc(b, '}');
}

/* A CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF,
 * its quotes doubled. */
static void csv_field(struct buf *b, const char *s, size_t len)
{
	if (!s)
		return;
	if (!memchr(s, ',', len) && !memchr(s, '"', len) && !memchr(s, '\r', len) &&
	    !memchr(s, '\n', len)) {
		buf_add(b, s, len);
		return;
	}
	buf_addc(b, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			buf_addc(b, '"');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}

/* A header row before the first record of each type, and again when a
 * type's record comes in another layout (PERMISSION's three): a row's
 * columns are those of the last header row of its type. */
static void csv_header(struct buf *b, struct out_writer *w, const struct record_layout *l,
		       size_t n)
{
	const char *type = l->type ? l->type : "";
	size_t i;
	for (i = 0; i < w->nseen; i++)
		if (!strcmp(w->seen[i].type, type))
			break;
	if (i < w->nseen && w->seen[i].l == l)
		return;
	if (i == w->nseen && w->nseen < OUT_TYPES_MAX)
		w->seen[w->nseen++].type = type;
	if (i < w->nseen)
		w->seen[i].l = l;
	buf_adds(b, "Type");
	for (size_t c = 0; c < n; c++) {
		size_t klen;
		const char *k = out_col_name(l, c, &klen);
		buf_addc(b, ',');
		csv_field(b, k, klen);
	}
	buf_adds(b, "\r\n");
}

static void csv_record(struct buf *b, struct out_writer *w, const struct record_layout *l,
		       const char *const *fields, size_t n)
{
	csv_header(b, w, l, n);
	if (l->type)
		csv_field(b, l->type, strlen(l->type));
	for (size_t c = 0; c < n; c++) {
		buf_addc(b, ',');
		csv_field(b, fields[c], fields[c] ? strlen(fields[c]) : 0);
	}
	buf_adds(b, "\r\n");
}

void out_write_record(struct buf *b, struct out_writer *w, const struct record_layout *l,
		      const char *const *fields)
{
	size_t n = out_ncols(l);
	switch (w->fmt) {
	case OUT_TEXT: text_record(b, w, l, fields, n); break;
	case OUT_JSON: json_record(b, w, l, fields, n); break;
	case OUT_CSV: csv_record(b, w, l, fields, n); break;
	}
	w->nrecords++;
}

void out_write_end(struct buf *b, struct out_writer *w)
{
	if (w->fmt == OUT_JSON)
		buf_adds(b, w->nrecords ? "\n]\n" : "[]\n");
}
