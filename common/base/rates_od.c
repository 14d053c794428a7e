/* SPDX-License-Identifier: Apache-2.0 */
/* The on-demand rates: data/rates/ec2-on-demand.rates, compiled in as the
 * string rates_builtin (build/gen/rates_data.c, made by the Makefile),
 * parsed once on first use; rates_load adds an operator's file. The rates
 * are kept sorted by (region, platform, type, date) and searched. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/clock.h"
#include "base/money.h"
#include "base/rates.h"

extern const char rates_builtin[];

struct od {
	char region[16], type[16];
	int platform;
	int64_t from, hourly;
	unsigned line;
};

struct table {
	struct od *v;
	size_t n;
};

static struct table rates_table;
static pthread_once_t rates_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t rates_lock = PTHREAD_MUTEX_INITIALIZER;
/* changed by each rates_load_text: what each thread kept of the table
 * before (rate_hourly_next) is not used after */
static unsigned rates_generation = 1;

static int key_cmp(const struct od *x, const char *region, int platform, const char *type)
{
	int c = strcmp(x->region, region);
	if (!c)
		c = x->platform - platform;
	if (!c)
		c = strcmp(x->type, type);
	return c;
}

static int od_cmp(const void *a, const void *b)
{
	const struct od *x = a, *y = b;
	int c = key_cmp(x, y->region, y->platform, y->type);
	if (!c)
		c = x->from < y->from ? -1 : x->from > y->from;
	return c;
}

static int fail(char *err, size_t n, const char *name, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(err, n, "%s:%u: ", name, line);
	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < n)
		vsnprintf(err + k, n - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_date(const char *s, int64_t *t)
{
	int y, m, d;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1970 || m < 1 || m > 12 || d < 1 ||
	    d > clock_days_in_month(y, m))
		return -1;
	*t = clock_from_ymd(y, m, d);
	return 0;
}

static int type_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n >= sizeof ((struct od *)0)->type || !strchr(s, '.'))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '.' && *s != '-')
			return 0;
	return 1;
}

/* One line's fields into *r: 1 a rate, 0 blank or comment only, -1 wrong. */
static int parse_line(char *line, const char *name, unsigned no, struct od *r, char *err, size_t n)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	char *f[6];
	int k = 0;
	for (char *save = NULL, *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save))
		if (k < 6)
			f[k++] = t;
		else
			k = 7;
	if (!k)
		return 0;
	if (k != 5)
		return fail(err, n, name, no,
			    "expected 5 fields (REGION PLATFORM TYPE YYYY-MM-DD USD-PER-HOUR), found %s",
			    k > 5 ? "more" : k == 4 ? "4" : k == 3 ? "3" : k == 2 ? "2" : "1");
	memset(r, 0, sizeof *r);
	r->line = no;
	if (!region_valid(f[0]))
		return fail(err, n, name, no, "unknown region '%s'", f[0]);
	snprintf(r->region, sizeof r->region, "%s", f[0]);
	if ((r->platform = platform_parse(f[1])) < 0)
		return fail(err, n, name, no, "invalid platform '%s': expected linux or windows", f[1]);
	if (!type_ok(f[2]))
		return fail(err, n, name, no, "invalid instance type '%s'", f[2]);
	snprintf(r->type, sizeof r->type, "%s", f[2]);
	if (parse_date(f[3], &r->from))
		return fail(err, n, name, no, "invalid date '%s': expected YYYY-MM-DD", f[3]);
	if (money_parse(f[4], &r->hourly))
		return fail(err, n, name, no,
			    "invalid rate '%s': expected a non-negative amount in dollars with at most 6 decimal places",
			    f[4]);
	return 1;
}

/* text's rates, sorted, into *t; a rate given twice is refused. */
static int parse_text(const char *name, const char *text, struct table *t, char *err, size_t n)
{
	t->v = NULL;
	t->n = 0;
	unsigned no = 0;
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = xstrndup(p, len);
		struct od r;
		no++;
		int rc = parse_line(line, name, no, &r, err, n);
		free(line);
		if (rc < 0) {
			free(t->v);
			t->v = NULL;
			return -1;
		}
		if (rc) {
			t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
			t->v[t->n++] = r;
		}
		p += len + (eol != NULL);
	}
	if (t->n > 1)
		qsort(t->v, t->n, sizeof *t->v, od_cmp);
	for (size_t i = 1; i < t->n; i++)
		if (!od_cmp(&t->v[i - 1], &t->v[i])) {
			unsigned a = t->v[i - 1].line, b = t->v[i].line;
			free(t->v);
			t->v = NULL;
			return fail(err, n, name, a > b ? a : b, "rate given twice (also line %u)",
				    a > b ? b : a);
		}
	return 0;
}

static void load_builtin(void)
{
	char err[256];
	if (parse_text("ec2-on-demand.rates", rates_builtin, &rates_table, err, sizeof err)) {
		/* the shipped file is checked by tests/unit/rates.c: never here */
		fprintf(stderr, "devpay: built-in rates: %s\n", err);
		abort();
	}
}

static const struct table *table(void)
{
	pthread_once(&rates_once, load_builtin);
	return &rates_table;
}

int rates_load_text(const char *name, const char *text, char *err, size_t errlen)
{
	struct table add;
	table();
	if (parse_text(name, text, &add, err, errlen))
		return -1;
	pthread_mutex_lock(&rates_lock);
	struct table *t = &rates_table;
	size_t n0 = t->n;
	for (size_t i = 0; i < add.n; i++) {
		struct od *hit = n0 ? bsearch(&add.v[i], t->v, n0, sizeof *t->v, od_cmp) : NULL;
		if (hit) {
			hit->hourly = add.v[i].hourly;
			continue;
		}
		t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
		t->v[t->n++] = add.v[i];
	}
	if (t->n > 1)
		qsort(t->v, t->n, sizeof *t->v, od_cmp);
	rates_generation++;
	pthread_mutex_unlock(&rates_lock);
	free(add.v);
	return 0;
}

int rates_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, k);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error", path);
		buf_release(&b);
		return -1;
	}
	const char *text = buf_str(&b);
	if (strlen(text) != b.len) {
		unsigned line = 1;
		for (const char *p = text; *p; p++)
			line += *p == '\n';
		snprintf(err, errlen, "%s:%u: a NUL byte: not a text file", path, line);
		buf_release(&b);
		return -1;
	}
	int rc = rates_load_text(path, text, err, errlen);
	buf_release(&b);
	return rc;
}

/* The first rate of (region, platform, type), or NULL. */
static const struct od *first_of(const struct table *t, const char *region, int platform,
				 const char *type, size_t *at)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(&t->v[mid], region, platform, type) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->n || key_cmp(&t->v[lo], region, platform, type))
		return NULL;
	*at = lo;
	return &t->v[lo];
}

/* Each thread's last answer of rate_hourly_next: a bill asks for the
 * rates of a few types, instance after instance (the table's search and
 * its string comparisons were a sixth of a seller's report). */
static _Thread_local struct {
	unsigned generation;    /* of the table it was read from, 0: none */
	int platform;
	char region[32], type[32];
	int64_t from, until, hourly; /* the rate in force in [from, until) */
} last;

int64_t rate_hourly_next(const char *region, enum platform p, const char *type, int64_t at,
			 int64_t *next)
{
	const struct table *t = table();
	size_t i;
	*next = INT64_MAX;
	if (!region || !*region)
		region = "us-east-1";
	if (!type)
		return -1;
	if (last.generation == rates_generation && last.platform == (int)p && at >= last.from &&
	    at < last.until && !strcmp(last.type, type) && !strcmp(last.region, region)) {
		*next = last.until;
		return last.hourly;
	}
	if (!first_of(t, region, (int)p, type, &i))
		return -1;
	size_t first = i;
	while (i + 1 < t->n && !key_cmp(&t->v[i + 1], region, (int)p, type) && t->v[i + 1].from <= at)
		i++;
	if (i + 1 < t->n && !key_cmp(&t->v[i + 1], region, (int)p, type))
		*next = t->v[i + 1].from;
	if (strlen(region) < sizeof last.region && strlen(type) < sizeof last.type) {
		last.generation = rates_generation;
		last.platform = (int)p;
		strcpy(last.region, region);
		strcpy(last.type, type);
		/* the first rate answers for any earlier time too */
		last.from = i == first ? INT64_MIN : t->v[i].from;
		last.until = *next;
		last.hourly = t->v[i].hourly;
	}
	return t->v[i].hourly;
}

int64_t rate_hourly(const char *region, enum platform p, const char *type, int64_t at)
{
	int64_t next;
	return rate_hourly_next(region, p, type, at, &next);
}

int rate_offered(const char *region, enum platform p, const char *type)
{
	return rate_hourly(region, p, type, 0) >= 0;
}

int rate_in_region(const char *region, const char *type)
{
	for (int p = 0; p < PLATFORM_COUNT; p++)
		if (rate_offered(region, (enum platform)p, type))
			return 1;
	return 0;
}

int rate_type_known(const char *type)
{
	for (int r = 0; regions[r]; r++)
		if (rate_in_region(regions[r], type))
			return 1;
	return 0;
}
