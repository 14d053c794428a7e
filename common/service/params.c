/* SPDX-License-Identifier: Apache-2.0 */
/* The request's parameters: each Action's allow-list, checked before its
 * handler runs (svc_check_params), and how the handlers read them
 * (svc_param, svc_list, svc_need, svc_filters, the shapes of codes and ids). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "service/params.h"
#include "service/svc.h"

/* Taken by every Action: its name and version, and the fields of a
 * Signature Version 2 request and of a presigned Signature Version 4 one. */
static const char *const always_allowed[] = { "Action", "Version", "AWSAccessKeyId",
	"SignatureVersion", "SignatureMethod", "Signature", "Timestamp", "Expires",
	"SecurityToken", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token", NULL };

static int allowed(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (filter_name_matches(*list, name))
			return 1;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* For a list member "Name.K..." with K > 1, the name of its predecessor
 * ("Name.K-1..."), at the last index of the name: 0 and prev filled, or -1
 * when the name has no such index. Handlers read lists from index 1 until
 * the first gap, so a member after a gap would be dropped: it is refused. */
static int list_predecessor(const char *n, char *prev, size_t sz)
{
	const char *last = NULL;
	for (const char *p = n; *p; p++)
		if (*p == '.' && p[1] >= '1' && p[1] <= '9')
			last = p + 1;
	if (!last)
		return -1;
	char *end;
	long k = strtol(last, &end, 10);
	if ((*end && *end != '.') || k < 2 || k > 1000000)
		return -1;
	snprintf(prev, sz, "%.*s%ld%s", (int)(last - n), n, k - 1, end);
	return 0;
}

/* For "Name.K.Field" (K > 1, the last index followed by a field), the
 * prefix "Name.K-1." of its predecessor member: 1 and member filled, else 0. */
static int list_member_prefix(const char *n, char *member, size_t sz)
{
	const char *last = NULL;
	for (const char *p = n; *p; p++)
		if (*p == '.' && p[1] >= '1' && p[1] <= '9')
			last = p + 1;
	if (!last)
		return 0;
	char *end;
	long k = strtol(last, &end, 10);
	if (*end != '.' || k < 2 || k > 1000000)
		return 0;
	snprintf(member, sz, "%.*s%ld.", (int)(last - n), n, k - 1);
	return 1;
}

/* 1 when a name in sorted[] (in strcmp order) starts with prefix. */
static int has_prefix(const char *const *sorted, size_t nn, const char *prefix)
{
	size_t lo = 0, hi = nn, len = strlen(prefix);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(sorted[mid], prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nn && !strncmp(sorted[lo], prefix, len);
}

/* UnknownParameter for the first parameter the Action does not take; a
 * parameter given twice, or a list member after a gap, refused (either would
 * be dropped); DryRun's value checked. *dry set when DryRun=true. */
int svc_check_params(struct svc *x, const char *const *params, int *dry)
{
	*dry = 0;
	for (size_t i = 0; i < x->q->n; i++) {
		const char *n = x->q->v[i].name;
		if (!allowed(always_allowed, n) && !allowed(params, n))
			return svc_fail(x, 400, "UnknownParameter",
					"The parameter %.200s is not recognized", n);
	}
	/* in name order, so that both checks stay O(n log n) on a large body */
	size_t nn = x->q->n;
	const char **sorted = xcalloc(nn ? nn : 1, sizeof *sorted);
	for (size_t i = 0; i < nn; i++)
		sorted[i] = x->q->v[i].name;
	qsort(sorted, nn, sizeof *sorted, by_name);
	int rc = 0;
	for (size_t i = 0; i < nn && !rc; i++) {
		const char *n = sorted[i];
		char prev[256];
		const char *key = prev;
		if (i + 1 < nn && !strcmp(sorted[i + 1], n))
			rc = svc_fail(x, 400, "InvalidParameterValue",
				      "The parameter %.200s is given more than once", n);
		else if (strncmp(n, "Filter.", 7) && !list_predecessor(n, prev, sizeof prev) &&
			 !bsearch(&key, sorted, nn, sizeof *sorted, by_name)) {
			/* a member of a list of structures (Name.K.Field) needs
			 * member K-1, whichever of its fields it has */
			char member[256];
			if (!list_member_prefix(n, member, sizeof member) ||
			    !has_prefix(sorted, nn, member))
				rc = svc_fail(x, 400, "InvalidParameterValue",
					      "The parameter %.200s is given without %.200s: list indexes run from 1 without gaps",
					      n, prev);
		}
	}
	free(sorted);
	if (rc)
		return rc;
	const char *d = query_get(x->q, "DryRun");
	if (d && strcmp(d, "true") && strcmp(d, "false"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%.100s' for DryRun: expected true or false", d);
	*dry = d && !strcmp(d, "true");
	return 0;
}

int svc_filters(struct svc *x, const char *const *names, struct filter_set *fs)
{
	char code[64], msg[300];
	if (filter_parse(x->q, names, fs, code, msg, sizeof msg)) {
		filter_release(fs);
		return svc_fail(x, 400, code, "%s", msg);
	}
	return 0;
}

int svc_filters_absent(struct svc *x, const char *const *names, const char *const *absent,
		       struct filter_set *fs)
{
	size_t n = 0, m = 0;
	while (names[n])
		n++;
	while (absent[m])
		m++;
	const char **all = malloc((n + m + 1) * sizeof *all);
	if (!all)
		return svc_fail(x, 500, "InternalError", "out of memory");
	memcpy(all, names, n * sizeof *all);
	memcpy(all + n, absent, (m + 1) * sizeof *all);
	int r = svc_filters(x, all, fs);
	free(all);
	return r;
}

int svc_only_value(struct svc *x, const char *name, const char *values, const char *feature)
{
	const char *v = svc_param(x, name);
	if (!v)
		return 0;
	size_t n = strlen(v);
	for (const char *p = values, *bar; *p; p = bar ? bar + 1 : p + strlen(p)) {
		bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && !strncmp(p, v, n)) {
			if (p == values)
				return 0;
			return svc_fail(x, 400, "Unsupported", "%s=%s is not supported: %s", name, v,
					feature);
		}
		if (!bar)
			break;
	}
	char list[200];
	snprintf(list, sizeof list, "%s", values);
	for (char *c = list; (c = strchr(c, '|'));)
		*c = '/';
	return svc_fail(x, 400, "InvalidParameterValue", "Invalid value '%.80s' for %s: expected %s",
			v, name, list);
}

int svc_unsupported(struct svc *x, const char *const *names, const char *feature)
{
	for (size_t i = 0; i < x->q->n; i++)
		for (int k = 0; names[k]; k++)
			if (filter_name_matches(names[k], x->q->v[i].name))
				return svc_fail(x, 400, "Unsupported", "%s is not supported: %s",
						x->q->v[i].name, feature);
	return 0;
}

/* A token is "kind:position" in hexadecimal: opaque to a client, and
 * checked whole when it comes back. */
int svc_page_parse(struct svc *x, const char *kind, long lo, long hi, long cap,
		   struct svc_page *p)
{
	const char *m = svc_param(x, "MaxResults"), *t = svc_param(x, "NextToken");
	p->max = cap;
	p->asked = 0;
	p->after[0] = 0;
	if (m) {
		char *end;
		long v = strtol(m, &end, 10);
		if (!*m || *end || v < lo || v > hi)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Value ( %.40s ) for parameter maxResults is invalid. "
					"Expecting a value between %ld and %ld.", m, lo, hi);
		p->max = v;
		p->asked = 1;
	}
	if (t && *t) {
		char plain[sizeof p->after + 40];
		size_t n = strlen(t), k = strlen(kind), i;
		int ok = n % 2 == 0 && n / 2 < sizeof plain;
		for (i = 0; ok && i < n / 2; i++) {
			unsigned v;
			ok = sscanf(t + 2 * i, "%2x", &v) == 1 && isxdigit((unsigned char)t[2 * i]) &&
			     isxdigit((unsigned char)t[2 * i + 1]) && v >= 0x20 && v < 0x7f;
			plain[i] = (char)v;
		}
		plain[ok ? i : 0] = 0;
		if (!ok || strncmp(plain, kind, k) || plain[k] != ':' || !plain[k + 1] ||
		    strlen(plain + k + 1) >= sizeof p->after)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid value '%.80s' for nextToken", t);
		snprintf(p->after, sizeof p->after, "%s", plain + k + 1);
	}
	return 0;
}

void svc_page_token(struct svc *x, const char *kind, const char *key)
{
	char plain[200], hex[400];
	int n = snprintf(plain, sizeof plain, "%s:%s", kind, key);
	for (int i = 0; i < n && i < (int)sizeof plain - 1; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)plain[i]);
	hex[2 * (n < (int)sizeof plain ? n : (int)sizeof plain - 1)] = 0;
	svc_elem(x, "nextToken", hex);
}

const char *svc_param(struct svc *x, const char *name)
{
	return query_get(x->q, name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t svc_list(struct svc *x, const char *prefix, const char ***out)
{
	size_t pl = strlen(prefix), n = 0;
	*out = NULL;
	for (size_t i = 0; i < x->q->n; i++) {
		const char *name = x->q->v[i].name;
		if (strncmp(name, prefix, pl) || name[pl] != '.' || !name[pl + 1] ||
		    strspn(name + pl + 1, "0123456789") != strlen(name + pl + 1))
			continue;
		if (!*out)
			*out = xcalloc(x->q->n, sizeof **out);
		(*out)[n++] = x->q->v[i].value;
	}
	if (n)
		qsort(*out, n, sizeof **out, cmp_str);
	return n;
}

int svc_list_has(const char **list, size_t n, const char *value)
{
	return n && bsearch(&value, list, n, sizeof *list, cmp_str) != NULL;
}

int svc_need(struct svc *x, const char *name, const char **value)
{
	*value = query_get(x->q, name);
	if (!*value || !**value)
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter %s", name);
	return 0;
}

static int all_hex(const char *s, size_t n, int upper)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (upper ? (c >= 'A' && c <= 'F') : (c >= 'a' && c <= 'f'))))
			return 0;
	}
	return 1;
}

int svc_valid_code(const char *code)
{
	return strlen(code) == 8 && all_hex(code, 8, 1);
}

int svc_valid_id(const char *id, const char *prefix)
{
	size_t pl = strlen(prefix), n = strlen(id);
	return n >= pl + 8 && n <= pl + 17 && !strncmp(id, prefix, pl) && all_hex(id + pl, n - pl, 0);
}
