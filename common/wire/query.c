/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/curl_dl.h"
#include "wire/query.h"

/* name and value (malloc'd) become q's */
static void query_take(struct query *q, char *name, char *value)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->v = xrealloc(q->v, q->cap * sizeof *q->v);
	}
	q->v[q->n].name = name;
	q->v[q->n].value = value;
	q->n++;
}

void query_add(struct query *q, const char *name, const char *value)
{
	query_take(q, xstrdup(name), xstrdup(value ? value : ""));
}

void query_addf(struct query *q, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	query_add(q, name, s ? s : "");
	free(s);
}

int query_add_list(struct query *q, const char *prefix, int index, const char *value)
{
	char name[256];
	snprintf(name, sizeof name, "%s.%d", prefix, index);
	query_add(q, name, value);
	return index + 1;
}

void query_set(struct query *q, const char *name, const char *value)
{
	for (size_t i = 0; i < q->n; i++)
		if (!strcmp(q->v[i].name, name)) {
			free(q->v[i].value);
			q->v[i].value = xstrdup(value);
			return;
		}
	query_add(q, name, value);
}

const char *query_get(const struct query *q, const char *name)
{
	for (size_t i = 0; i < q->n; i++)
		if (!strcmp(q->v[i].name, name))
			return q->v[i].value;
	return NULL;
}

const char *query_get_nth(const struct query *q, const char *prefix, int n, const char *suffix)
{
	char name[256];
	if (suffix)
		snprintf(name, sizeof name, "%s.%d.%s", prefix, n, suffix);
	else
		snprintf(name, sizeof name, "%s.%d", prefix, n);
	return query_get(q, name);
}

void query_release(struct query *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->v[i].name);
		free(q->v[i].value);
	}
	free(q->v);
	q->v = NULL;
	q->n = q->cap = 0;
}

void query_escape(const char *s, size_t len, struct buf *out)
{
	/* curl keeps exactly RFC 3986's unreserved set, which is what AWS signs */
	char *e = curl_easy_escape(NULL, s, (int)len);
	if (!e) {
		fputs("fatal: out of memory\n", stderr);
		abort();
	}
	buf_adds(out, e);
	curl_free(e);
}

struct enc {
	char *name, *value;
};

static int cmp_enc(const void *a, const void *b)
{
	const struct enc *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

static int skipped(const char *skip, const char *name)
{
	return skip && !strcmp(skip, name);
}

void query_encode(const struct query *q, int sorted, const char *skip, struct buf *out)
{
	struct enc *e = xcalloc(q->n, sizeof *e);
	size_t n = 0;
	for (size_t i = 0; i < q->n; i++) {
		if (skipped(skip, q->v[i].name))
			continue;
		struct buf b = BUF_INIT;
		query_escape(q->v[i].name, strlen(q->v[i].name), &b);
		e[n].name = buf_detach(&b);
		query_escape(q->v[i].value, strlen(q->v[i].value), &b);
		e[n].value = buf_detach(&b);
		n++;
	}
	if (sorted)
		qsort(e, n, sizeof *e, cmp_enc);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(out, '&');
		buf_adds(out, e[i].name);
		buf_addc(out, '=');
		buf_adds(out, e[i].value);
		free(e[i].name);
		free(e[i].value);
	}
	free(e);
}

static char *unescape(const char *s, size_t len, int *ok)
{
	char *plus = xstrndup(s, len);
	if (!memchr(s, '%', len)) {
		/* nothing encoded but spaces: the text itself (nearly every
		 * parameter) */
		for (char *p = plus; *p; p++)
			if (*p == '+')
				*p = ' ';
		return plus;
	}
	for (char *p = plus; *p; p++) {
		if (*p == '+')
			*p = ' ';
		else if (*p == '%' && !(p[1] && p[2] && strchr("0123456789abcdefABCDEF", p[1]) &&
					strchr("0123456789abcdefABCDEF", p[2])))
			*ok = 0;
	}
	int outlen = 0;
	char *u = curl_easy_unescape(NULL, plus, 0, &outlen);
	free(plus);
	if (!u) {
		*ok = 0;
		return xstrdup("");
	}
	if ((size_t)outlen != strlen(u))
		*ok = 0; /* an encoded NUL byte */
	char *r = xstrdup(u);
	curl_free(u);
	return r;
}

int query_parse(struct query *q, const char *body, size_t len)
{
	/* a raw NUL would cut a name or value short without a word */
	int ok = !memchr(body, '\0', len);
	const char *p = body, *end = body + len;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		if (stop > p) {
			const char *eq = memchr(p, '=', (size_t)(stop - p));
			const char *nend = eq ? eq : stop;
			char *name = unescape(p, (size_t)(nend - p), &ok);
			char *value = eq ? unescape(eq + 1, (size_t)(stop - eq - 1), &ok) : xstrdup("");
			query_take(q, name, value);
		}
		p = stop + 1;
	}
	return ok ? 0 : -1;
}
