/* SPDX-License-Identifier: Apache-2.0 */
/* The one writer of records, in the three forms of --output: text (tab-
 * separated, as ec2-api-tools), json (one array of objects) and csv (RFC
 * 4180). Pure: it appends to a buffer, so tests/unit/format.c tests it
 * without a command; common/client/output.c prints what it writes. */
#ifndef DP_BASE_FORMAT_H
#define DP_BASE_FORMAT_H
#include <stddef.h>
#include "base/buf.h"

struct record_layout {
	const char *type;          /* first field; NULL for records without one */
	const char *const *cols;   /* NULL-terminated column names after the type */
	/* The -H line when it is not "Type" and cols: ec2-api-tools 1.6.7.1's
	 * own header (RESERVATION's names a Platform column it never fills).
	 * JSON keys and CSV header rows take their names from it too. */
	const char *header;
};

enum out_format { OUT_TEXT, OUT_JSON, OUT_CSV };
#define OUT_FORMAT_NAMES "text, json, csv"
/* "text", "json" or "csv": 0 and *f set; anything else -1. */
int out_format_parse(const char *s, enum out_format *f);

/* The state of one output stream: what has been written so far. */
#define OUT_TYPES_MAX 64
struct out_writer {
	enum out_format fmt;
	int headers, show_empty;   /* -H and --show-empty-fields (text only) */
	size_t nrecords;
	int header_done;           /* text: the one -H line is written */
	/* csv: for each record type, the layout of its last header row */
	struct { const char *type; const struct record_layout *l; } seen[OUT_TYPES_MAX];
	size_t nseen;
};

size_t out_ncols(const struct record_layout *l);
/* The name of column i (0-based, after the type): the header's word when
 * the layout has its own header, else cols[i]. Sets *len. */
const char *out_col_name(const struct record_layout *l, size_t i, size_t *len);
/* Appends one record (fields: out_ncols(l) strings, NULL or "" empty). */
void out_write_record(struct buf *b, struct out_writer *w, const struct record_layout *l,
		      const char *const *fields);
/* Appends what ends the stream: json "]" (or "[]" when no record was
 * written); nothing for text and csv. */
void out_write_end(struct buf *b, struct out_writer *w);

#endif
