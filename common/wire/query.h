/* SPDX-License-Identifier: Apache-2.0 */
/* An EC2 Query request: ordered name/value parameters, form-encoded on the
 * wire. The same structure carries a request through the local transport,
 * over HTTP and into devpayd's service call. */
#ifndef DP_QUERY_H
#define DP_QUERY_H
#include <stddef.h>
#include "base/buf.h"

struct query_param {
	char *name, *value;
};

struct query {
	struct query_param *v;
	size_t n, cap;
};
#define QUERY_INIT { 0, 0, 0 }

void query_add(struct query *q, const char *name, const char *value);
void query_addf(struct query *q, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Name.1, Name.2, ... for list parameters; returns the next free index. */
int query_add_list(struct query *q, const char *prefix, int index, const char *value);
/* Replaces an existing value, or adds it. */
void query_set(struct query *q, const char *name, const char *value);
const char *query_get(const struct query *q, const char *name);
/* Value of PREFIX.N (or PREFIX.N.SUFFIX when suffix is non-NULL). */
const char *query_get_nth(const struct query *q, const char *prefix, int n, const char *suffix);
void query_release(struct query *q);

/* Form body "a=b&c=d" in the given order, RFC 3986 percent-encoding as AWS
 * signs it; with sorted=1, in byte order of the encoded names (SigV4/V2
 * canonical query string). Parameters named in skip are left out. */
void query_encode(const struct query *q, int sorted, const char *skip, struct buf *out);
/* Percent-encodes s (unreserved characters kept) onto out. */
void query_escape(const char *s, size_t len, struct buf *out);
/* Parses a form body; '+' is a space. Returns 0, or -1 on bad encoding. */
int query_parse(struct query *q, const char *body, size_t len);

#endif
