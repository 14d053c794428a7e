/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "wire/filter.h"

int filter_glob(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*p == '*') {
			star = ++p;
			resume = s;
			continue;
		}
		int any = *p == '?';
		const char *lit = p;
		if (*p == '\\' && p[1])
			lit = p + 1;
		if (*p && (any || *lit == *s)) {
			p = lit + 1;
			s++;
			continue;
		}
		if (!star)
			return 0;
		p = star;
		s = ++resume;
	}
	while (*p == '*')
		p++;
	return !*p;
}

int filter_name_matches(const char *pattern, const char *s)
{
	for (const char *p = pattern; *p;) {
		if (*p == 'N' && (p[1] == '.' || !p[1]) && p > pattern && p[-1] == '.') {
			if (*s < '1' || *s > '9')
				return 0;
			while (*s >= '0' && *s <= '9')
				s++;
			p++;
			continue;
		}
		if (*p++ != *s++)
			return 0;
	}
	return !*s;
}

/* N of "Filter.N." at the start of name, and the rest after it; 0 if none. */
static int filter_index(const char *name, const char **rest)
{
	if (strncmp(name, "Filter.", 7))
		return 0;
	char *end;
	long n = strtol(name + 7, &end, 10);
	if (name[7] < '1' || name[7] > '9' || *end != '.' || n < 1 || n > 1000000)
		return 0;
	*rest = end + 1;
	return (int)n;
}

static struct filter *slot(struct filter_set *fs, int index)
{
	for (int i = 0; i < fs->n; i++)
		if (fs->f[i].index == index)
			return &fs->f[i];
	fs->f = xrealloc(fs->f, (size_t)(fs->n + 1) * sizeof *fs->f);
	struct filter *f = &fs->f[fs->n++];
	memset(f, 0, sizeof *f);
	f->index = index;
	return f;
}

static int by_index(const void *a, const void *b)
{
	const struct filter *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

int filter_parse(const struct query *q, const char *const *names, struct filter_set *fs,
		 char code[64], char *msg, size_t msgsz)
{
	fs->f = NULL;
	fs->n = 0;
	for (size_t i = 0; i < q->n; i++) {
		const char *rest;
		int n = filter_index(q->v[i].name, &rest);
		if (!n)
			continue;
		struct filter *f = slot(fs, n);
		if (!strcmp(rest, "Name")) {
			free(f->name);
			f->name = xstrdup(q->v[i].value);
		} else if (!strncmp(rest, "Value.", 6)) {
			f->values = xrealloc(f->values, (size_t)(f->nvalues + 1) * sizeof *f->values);
			f->values[f->nvalues++] = q->v[i].value;
		}
	}
	if (fs->n > 1)
		qsort(fs->f, (size_t)fs->n, sizeof *fs->f, by_index);
	for (int i = 0; i < fs->n; i++) {
		struct filter *f = &fs->f[i];
		if (!f->name || !*f->name) {
			snprintf(code, 64, "MissingParameter");
			snprintf(msg, msgsz, "The request must contain the parameter Filter.%d.Name", f->index);
			return -1;
		}
		int known = 0;
		for (int k = 0; names && names[k] && !known; k++) {
			size_t len = strlen(names[k]);
			known = len && names[k][len - 1] == ':'
				? !strncmp(names[k], f->name, len) && f->name[len]
				: !strcmp(names[k], f->name);
		}
		if (!known) {
			snprintf(code, 64, "InvalidParameterValue");
			snprintf(msg, msgsz, "The filter '%.200s' is invalid", f->name);
			return -1;
		}
		if (!f->nvalues) {
			snprintf(code, 64, "MissingParameter");
			snprintf(msg, msgsz, "The request must contain the parameter Filter.%d.Value.1",
				 f->index);
			return -1;
		}
	}
	return 0;
}

void filter_release(struct filter_set *fs)
{
	for (int i = 0; i < fs->n; i++) {
		free(fs->f[i].name);
		free(fs->f[i].values);
	}
	free(fs->f);
	fs->f = NULL;
	fs->n = 0;
}

int filter_match(const struct filter_set *fs, filter_values_fn values, void *rec)
{
	for (int i = 0; i < fs->n; i++) {
		const struct filter *f = &fs->f[i];
		const char *have[FILTER_VALUES_MAX];
		int n = values(rec, f->name, have, FILTER_VALUES_MAX), hit = 0;
		for (int k = 0; k < n && !hit; k++)
			for (int v = 0; v < f->nvalues && !hit; v++)
				hit = filter_glob(f->values[v], have[k] ? have[k] : "");
		if (!hit)
			return 0;
	}
	return 1;
}
