/* GetBill: a customer's bill for a month, or a product owner's report.
 *
 * Every amount is computed in micro-dollars, each bill line is rounded to
 * the cent (half up) and totals are sums of rounded lines, so a bill adds up
 * on paper. The rules (devpay-bill(1) documents them for users):
 * - events count in the period when from <= t < to, where to is the end of
 *   the month or, for the current month, the present moment (month to date);
 * - an instance is billed by the hour: hour k starts at launch + k*3600 and
 *   is billed when it started before termination (the first hour always), in
 *   the month in which it started, at the price in force when it started;
 * - the monthly fee is charged at sign-up prorated by day, in full on the 1st
 *   of later months, and the unused days are refunded on cancellation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "service/svc.h"

#define HOUR 3600
#define FEE_FIXED INT64_C(300000) /* DevPay's $0.30 per customer bill */
#define FEE_PERCENT 3

struct period {
	int year, month, days;
	int64_t from, end, to;
};

struct line {
	char component[16], description[96], quantity[16];
	int64_t unit, amount; /* amount already rounded to the cent */
};

struct lines {
	struct line *v;
	size_t n, cap;
	int overflow; /* an amount did not fit: the bill is refused, never wrapped */
};

/* amount is exact, or already rounded to the cent */
static struct line *line_add(struct lines *l, const char *component, int64_t unit, int64_t amount)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	struct line *p = &l->v[l->n++];
	memset(p, 0, sizeof *p);
	snprintf(p->component, sizeof p->component, "%s", component);
	p->unit = unit;
	p->amount = money_round_cents(amount);
	return p;
}

/* A line of quantity x unit. */
static struct line *line_mul(struct lines *l, const char *component, int64_t unit, int64_t quantity)
{
	int64_t amount = 0;
	if (money_mul(quantity, unit, &amount))
		l->overflow = 1;
	return line_add(l, component, unit, amount);
}

/* Sums to *bad on overflow. */
static int64_t sum(int64_t a, int64_t b, int *bad)
{
	int64_t r;
	if (money_add(a, b, &r)) {
		*bad = 1;
		return 0;
	}
	return r;
}

static int64_t lines_sum(struct lines *l, const char *component)
{
	int64_t s = 0;
	for (size_t i = 0; i < l->n; i++)
		if (!component || !strcmp(l->v[i].component, component))
			s = sum(s, l->v[i].amount, &l->overflow);
	return s;
}

/* A product's price history, loaded once per bill. */
struct version {
	int64_t effective, one_time, monthly;
	int nprices;
	struct price_rule prices[PRICE_RULES_MAX];
};

struct history {
	struct version *v;
	int n;
};

static int history_load(struct svc *x, const char *code, struct history *h)
{
	h->v = NULL;
	h->n = 0;
	struct store_rows *s = store_query(x->st, "SELECT id, effective, one_time, monthly FROM"
				      " product_versions WHERE code = ? ORDER BY effective", "s", code);
	if (!s)
		return -1;
	while (store_step(s) == STORE_ROW) {
		h->v = xrealloc(h->v, (size_t)(h->n + 1) * sizeof *h->v);
		struct version *v = &h->v[h->n++];
		memset(v, 0, sizeof *v);
		v->effective = store_int64(s, 1);
		v->one_time = store_int64(s, 2);
		v->monthly = store_int64(s, 3);
		v->nprices = svc_price_rules(x, store_int64(s, 0), v->prices, PRICE_RULES_MAX);
		if (v->nprices < 0) {
			store_done(s);
			return -1;
		}
	}
	store_done(s);
	return 0;
}

/* The index of the version in force at t (the latest effective <= t); the
 * first one when t precedes them all, which only a back-dated clock can
 * produce. -1 when there is none. */
static int history_index(const struct history *h, int64_t t)
{
	int i = h->n ? 0 : -1;
	while (i + 1 < h->n && h->v[i + 1].effective <= t)
		i++;
	return i;
}

static const struct version *history_at(const struct history *h, int64_t t)
{
	int i = history_index(h, t);
	return i < 0 ? NULL : &h->v[i];
}

/* Up to when the version in force at t stays in force. */
static int64_t history_until(const struct history *h, int64_t t)
{
	int i = history_index(h, t);
	return i >= 0 && i + 1 < h->n ? h->v[i + 1].effective : INT64_MAX;
}

/* The product's price of an instance-hour of (region, platform, type) in
 * version v; -1 when v does not cover the type. */
static int64_t version_hourly(const struct version *v, const char *region, int platform,
			      const char *type)
{
	return v ? svc_price_lookup(v->prices, v->nprices, region, platform, type) : -1;
}

/* Hours [*k0, *k1) of an instance that start inside the period. */
static void instance_hours(const struct period *p, int64_t launched, int64_t terminated,
			   int has_end, int64_t *k0, int64_t *k1)
{
	int64_t total = INT64_MAX;
	if (has_end)
		total = terminated > launched ? (terminated - launched + HOUR - 1) / HOUR : 1;
	*k0 = launched >= p->from ? 0 : (p->from - launched + HOUR - 1) / HOUR;
	*k1 = p->to > launched ? (p->to - launched + HOUR - 1) / HOUR : 0;
	if (*k1 > total)
		*k1 = total;
	if (*k1 < *k0)
		*k1 = *k0;
}

/* Usage groups: hours of one (region, platform, type) at one unit price. */
struct usage {
	char region[24], type[16];
	int platform;
	int64_t unit, hours, first;
	int kind; /* plain EC2: 0 on-demand, 1 reserved */
};

struct usages {
	struct usage *v;
	size_t n, last;
};

/* Adds n hours of a group, the first of them starting at hour_start. The
 * groups are few (one per region, platform, type and price), so the last
 * one used is tried first and the others searched. */
static void usage_add(struct usages *u, const char *region, int platform, const char *type,
		      int64_t unit, int kind, int64_t hour_start, int64_t n)
{
	if (n <= 0)
		return;
	for (size_t k = 0; k < u->n; k++) {
		size_t i = (u->last + k) % u->n;
		struct usage *g = &u->v[i];
		if (g->platform == platform && g->unit == unit && g->kind == kind &&
		    !strcmp(g->type, type) && !strcmp(g->region, region)) {
			g->hours += n;
			if (hour_start < g->first)
				g->first = hour_start;
			u->last = i;
			return;
		}
	}
	u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
	struct usage *g = &u->v[u->n++];
	memset(g, 0, sizeof *g);
	snprintf(g->region, sizeof g->region, "%s", region);
	snprintf(g->type, sizeof g->type, "%s", type);
	g->platform = platform;
	g->unit = unit;
	g->kind = kind;
	g->hours = n;
	g->first = hour_start;
	u->last = u->n - 1;
}

static int usage_cmp(const void *a, const void *b)
{
	const struct usage *x = a, *y = b;
	int c = strcmp(x->region, y->region);
	if (!c)
		c = x->platform - y->platform;
	if (!c)
		c = strcmp(x->type, y->type);
	if (!c)
		c = x->kind - y->kind;
	if (!c)
		c = x->first < y->first ? -1 : x->first > y->first;
	if (!c) /* the same first hour at two prices: a type kept at its launch price */
		c = x->unit < y->unit ? -1 : x->unit > y->unit;
	return c;
}

static const char *plat(int p)
{
	return platform_description(p == PLATFORM_WINDOWS ? PLATFORM_WINDOWS : PLATFORM_LINUX);
}

static int64_t ec2_rate(const char *type, int platform)
{
	const struct rate *r = rate_find(type);
	return r ? r->hourly[platform == PLATFORM_WINDOWS] : 0;
}

static void usage_lines(struct usages *u, const char *component, struct lines *out)
{
	if (u->n > 1) /* u->v is NULL when there is nothing to sort */
		qsort(u->v, u->n, sizeof *u->v, usage_cmp);
	for (size_t i = 0; i < u->n; i++) {
		struct usage *g = &u->v[i];
		struct line *l = line_mul(out, component, g->unit, g->hours);
		snprintf(l->description, sizeof l->description, "%s %s %s%s", g->region,
			 plat(g->platform), g->type,
			 !strcmp(component, "ec2-usage") ? (g->kind ? " reserved" : " on-demand") : "");
		snprintf(l->quantity, sizeof l->quantity, "%lld", (long long)g->hours);
	}
	free(u->v);
	u->v = NULL;
	u->n = u->last = 0;
}

static void ymd(int64_t t, char out[16])
{
	int y, m, d;
	clock_to_ymd(t, &y, &m, &d);
	snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
}

/* One-time and monthly charges and refunds of one customer's subscriptions. */
static int subscription_lines(struct svc *x, const struct period *p, const struct history *h,
			      const char *code, const char *account, struct lines *out)
{
	struct store_rows *s = store_query(x->st, "SELECT started, ended FROM subscriptions WHERE code = ?"
				      " AND account = ? AND started < ? AND (ended IS NULL OR ended >= ?)"
				      " ORDER BY started, id", "ssii", code, account, p->to, p->from);
	if (!s)
		return -1;
	while (store_step(s) == STORE_ROW) {
		int64_t started = store_int64(s, 0);
		int ended_null = store_is_null(s, 1);
		int64_t ended = store_int64(s, 1);
		char date[16];
		int64_t monthly = 0;
		int y, m, d;
		if (started >= p->from) {
			const struct version *v = history_at(h, started);
			ymd(started, date);
			if (v && v->one_time) {
				struct line *l = line_add(out, "one-time", v->one_time, v->one_time);
				snprintf(l->description, sizeof l->description, "sign-up %s", date);
				snprintf(l->quantity, sizeof l->quantity, "1");
			}
			if (v && v->monthly) {
				clock_to_ymd(started, &y, &m, &d);
				int days = p->days - d + 1;
				monthly = v->monthly;
				int64_t part = 0;
				if (money_prorate_cents(monthly, days, p->days, &part))
					out->overflow = 1;
				struct line *l = line_add(out, "monthly", monthly, part);
				snprintf(l->description, sizeof l->description,
					 "sign-up %s, %d of %d days", date, days, p->days);
				snprintf(l->quantity, sizeof l->quantity, "%d/%d", days, p->days);
			}
		} else if (ended_null || ended > p->from) {
			const struct version *v = history_at(h, p->from);
			if (v && v->monthly) {
				monthly = v->monthly;
				struct line *l = line_add(out, "monthly", monthly, monthly);
				snprintf(l->description, sizeof l->description, "%04d-%02d", p->year,
					 p->month);
				snprintf(l->quantity, sizeof l->quantity, "1");
			}
		}
		if (monthly && !ended_null && ended < p->to) {
			clock_to_ymd(ended, &y, &m, &d);
			int days = p->days - d + 1;
			ymd(ended, date);
			int64_t part = 0;
			if (money_prorate_cents(monthly, days, p->days, &part))
				out->overflow = 1;
			struct line *l = line_add(out, "refund", monthly, -part);
			snprintf(l->description, sizeof l->description,
				 "cancelled %s, %d of %d days unused", date, days, p->days);
			snprintf(l->quantity, sizeof l->quantity, "%d/%d", days, p->days);
		}
	}
	store_done(s);
	return 0;
}

/* Usage of one customer's instances of a product at the product's price,
 * and (aws != NULL) the same hours at EC2's on-demand rates. */
static int product_usage_lines(struct svc *x, const struct period *p, const struct history *h,
			       const char *code, const char *account, struct lines *out,
			       struct lines *aws)
{
	/* in index order: the hours are summed, and the sums sorted below */
	struct store_rows *s = store_query(x->st, "SELECT region, platform, type, launched, terminated"
				      " FROM instances WHERE owner = ? AND product_code = ?"
				      " AND launched < ? AND (terminated IS NULL OR terminated >= ?)",
				      "ssii", account, code, p->to, p->from);
	if (!s)
		return -1;
	struct usages u = { 0 }, c = { 0 };
	while (store_step(s) == STORE_ROW) {
		const char *region = store_text(s, 0), *type = store_text(s, 2);
		int platform = store_int(s, 1);
		int64_t launched = store_int64(s, 3), k0, k1;
		instance_hours(p, launched, store_int64(s, 4),
			       !store_is_null(s, 4), &k0, &k1);
		/* a type a later change dropped keeps its price at launch */
		int64_t fallback = version_hourly(history_at(h, launched), region, platform, type);
		/* the hours are added a run at a time: the hours [k, kend) all
		 * start while one version is in force, so they have one price */
		for (int64_t k = k0, kend; k < k1; k = kend) {
			int64_t start = launched + k * HOUR;
			int64_t until = history_until(h, start);
			kend = until == INT64_MAX || until - launched >= k1 * HOUR
				? k1 : (until - launched + HOUR - 1) / HOUR;
			if (kend <= k)
				kend = k + 1;
			int64_t price = version_hourly(history_at(h, start), region, platform, type);
			usage_add(&u, region, platform, type, price < 0 ? (fallback < 0 ? 0 : fallback) : price,
				  0, start, kend - k);
			if (aws)
				usage_add(&c, region, platform, type, ec2_rate(type, platform), 0, start,
					  kend - k);
		}
	}
	store_done(s);
	usage_lines(&u, "usage", out);
	if (aws)
		usage_lines(&c, "aws-cost", aws);
	return 0;
}

static int history_lines(struct svc *x, const struct period *p, const struct history *h,
			 const char *code, const char *account, struct lines *out, struct lines *aws)
{
	int r = subscription_lines(x, p, h, code, account, out);
	if (!r)
		r = product_usage_lines(x, p, h, code, account, out, aws);
	return r;
}

static int product_lines(struct svc *x, const struct period *p, const char *code,
			 const char *account, struct lines *out, struct lines *aws)
{
	struct history h;
	int r = history_load(x, code, &h);
	if (!r)
		r = history_lines(x, p, &h, code, account, out, aws);
	free(h.v);
	return r;
}

/* Plain EC2: Reserved Instance fees bought in the period, and the hours of
 * instances without a product code. In each clock hour, up to the count of
 * the account's active Reserved Instances of an instance's type, platform
 * and region, the instance-hours that begin in that hour are billed at the
 * reserved rate, the rest on demand. Product instances never take part. */
struct reserved {
	char type[16], region[24];
	int platform;
	int64_t count, started, ends, hourly;
};

struct hour {
	int64_t start;
	int idx; /* instance group: index into the groups array */
};

static int hour_cmp(const void *a, const void *b)
{
	const struct hour *x = a, *y = b;
	if (x->idx != y->idx)
		return x->idx - y->idx;
	return x->start < y->start ? -1 : x->start > y->start;
}

struct group {
	char type[16], region[24];
	int platform;
};

/* Whether a Reserved Instance of the account may cover hours of group g:
 * only then are its hours counted one by one. */
static int reserved_group(const struct reserved *ri, size_t nri, const struct group *g)
{
	for (size_t r = 0; r < nri; r++)
		if (ri[r].platform == g->platform && !strcmp(ri[r].type, g->type) &&
		    !strcmp(ri[r].region, g->region))
			return 1;
	return 0;
}

static int ec2_lines(struct svc *x, const struct period *p, const char *account, struct lines *out)
{
	struct store_rows *s = store_query(x->st, "SELECT type, platform, region, zone, count, started,"
				      " ends, fixed, hourly FROM reserved_instances WHERE owner = ?"
				      " AND started < ? AND ends > ? ORDER BY started, id", "sii",
				      account, p->to, p->from);
	if (!s)
		return -1;
	struct reserved *ri = NULL;
	size_t nri = 0;
	while (store_step(s) == STORE_ROW) {
		ri = xrealloc(ri, (nri + 1) * sizeof *ri);
		struct reserved *r = &ri[nri++];
		snprintf(r->type, sizeof r->type, "%s", store_text(s, 0));
		r->platform = store_int(s, 1);
		snprintf(r->region, sizeof r->region, "%s", store_text(s, 2));
		r->count = store_int64(s, 4);
		r->started = store_int64(s, 5);
		r->ends = store_int64(s, 6);
		r->hourly = store_int64(s, 8);
		if (r->started >= p->from) {
			int64_t fixed = store_int64(s, 7);
			struct line *l = line_mul(out, "ri-fee", fixed, r->count);
			char date[16];
			ymd(r->started, date);
			snprintf(l->description, sizeof l->description, "%s %s %s 1-year, bought %s",
				 store_text(s, 3), plat(r->platform), r->type, date);
			snprintf(l->quantity, sizeof l->quantity, "%lld", (long long)r->count);
		}
	}
	store_done(s);

	s = store_query(x->st, "SELECT region, platform, type, launched, terminated FROM instances"
			" WHERE owner = ? AND (product_code IS NULL OR product_code = '')"
			" AND launched < ? AND (terminated IS NULL OR terminated >= ?)"
			" ORDER BY launched, id", "sii", account, p->to, p->from);
	if (!s) {
		free(ri);
		return -1;
	}
	struct group *groups = NULL;
	struct hour *hours = NULL;
	size_t ngroups = 0, nhours = 0;
	struct usages u = { 0 };
	while (store_step(s) == STORE_ROW) {
		const char *region = store_text(s, 0), *type = store_text(s, 2);
		int platform = store_int(s, 1);
		size_t g = 0;
		while (g < ngroups && (groups[g].platform != platform || strcmp(groups[g].type, type) ||
				       strcmp(groups[g].region, region)))
			g++;
		if (g == ngroups) {
			groups = xrealloc(groups, (ngroups + 1) * sizeof *groups);
			snprintf(groups[g].type, sizeof groups[g].type, "%s", type);
			snprintf(groups[g].region, sizeof groups[g].region, "%s", region);
			groups[g].platform = platform;
			ngroups++;
		}
		int64_t launched = store_int64(s, 3), k0, k1;
		instance_hours(p, launched, store_int64(s, 4),
			       !store_is_null(s, 4), &k0, &k1);
		if (!reserved_group(ri, nri, &groups[g])) {
			/* no Reserved Instance can cover these hours: on demand, all at once */
			usage_add(&u, region, platform, type, ec2_rate(type, platform), 0,
				  launched + k0 * HOUR, k1 - k0);
			continue;
		}
		hours = xrealloc(hours, (nhours + (size_t)(k1 - k0) + 1) * sizeof *hours);
		for (int64_t k = k0; k < k1; k++)
			hours[nhours++] = (struct hour){ launched + k * HOUR, (int)g };
	}
	store_done(s);
	if (nhours > 1) /* hours is NULL when no instance ran */
		qsort(hours, nhours, sizeof *hours, hour_cmp);
	int64_t bucket = -1, used = 0;
	int last = -1;
	for (size_t i = 0; i < nhours; i++) {
		const struct group *g = &groups[hours[i].idx];
		int64_t start = hours[i].start;
		if (hours[i].idx != last || start / HOUR != bucket) {
			last = hours[i].idx;
			bucket = start / HOUR;
			used = 0;
		}
		int64_t active = 0, rate = 0;
		for (size_t r = 0; r < nri; r++)
			if (ri[r].platform == g->platform && !strcmp(ri[r].type, g->type) &&
			    !strcmp(ri[r].region, g->region) && ri[r].started <= start &&
			    start < ri[r].ends) {
				active += ri[r].count;
				rate = ri[r].hourly;
			}
		if (used < active) {
			used++;
			usage_add(&u, g->region, g->platform, g->type, rate, 1, start, 1);
		} else
			usage_add(&u, g->region, g->platform, g->type, ec2_rate(g->type, g->platform), 0,
				  start, 1);
	}
	usage_lines(&u, "ec2-usage", out);
	free(hours);
	free(groups);
	free(ri);
	return 0;
}

static void write_lines(struct svc *x, const char *code, const struct lines *l)
{
	svc_open(x, "chargeSet");
	for (size_t i = 0; i < l->n; i++) {
		svc_open(x, "item");
		svc_elem(x, "productCode", code);
		svc_elem(x, "component", l->v[i].component);
		svc_elem(x, "description", l->v[i].description);
		svc_elem(x, "quantity", l->v[i].quantity);
		svc_elem_money(x, "unitPrice", l->v[i].unit);
		svc_elem_cents(x, "amount", l->v[i].amount);
		svc_close(x);
	}
	svc_close(x);
}

static void write_total(struct svc *x, const char *scope, const char *description, int64_t amount)
{
	svc_open(x, "item");
	svc_elem(x, "scope", scope);
	svc_elem(x, "description", description);
	svc_elem_cents(x, "amount", amount);
	svc_close(x);
}

static int product_name(struct svc *x, const char *code, char *name, size_t n)
{
	struct store_rows *s = store_query(x->st, "SELECT name FROM products WHERE code = ?", "s", code);
	if (!s)
		return -1;
	snprintf(name, n, "%s", store_step(s) == STORE_ROW ? store_text(s, 0) : "");
	store_done(s);
	return 0;
}

/* A bill with an amount beyond what an int64 of micro-dollars holds is
 * refused as a whole: it is never printed wrapped. */
static int too_large(struct svc *x, const struct period *p)
{
	return svc_fail(x, 400, "AmountOutOfRange",
			"The bill for %04d-%02d holds an amount beyond 9223372036854.77 dollars, the largest this service can represent",
			p->year, p->month);
}

/* The caller's charges as a customer, one section a product and one for
 * plain EC2: 0, -1 store error, -2 an amount out of range. */
static int customer_sections(struct svc *x, const struct period *p, int64_t *grand, int *any)
{
	struct store_rows *s = store_query(x->st,
		"SELECT code FROM subscriptions WHERE account = ?1 AND started < ?2"
		" AND (ended IS NULL OR ended >= ?3)"
		" UNION SELECT product_code FROM instances WHERE owner = ?1 AND product_code <> ''"
		" AND launched < ?2 AND (terminated IS NULL OR terminated >= ?3) ORDER BY 1",
		"sii", x->account, p->to, p->from);
	if (!s)
		return -1;
	int rc = 0, bad = 0;
	*grand = 0;
	*any = 0;
	svc_open(x, "sectionSet");
	while (!rc && store_step(s) == STORE_ROW) {
		char code[9], name[260];
		snprintf(code, sizeof code, "%s", store_text(s, 0));
		struct lines l = { 0 };
		rc = product_name(x, code, name, sizeof name) ||
		     product_lines(x, p, code, x->account, &l, NULL);
		if (!rc && l.n) {
			int64_t total = lines_sum(&l, NULL);
			bad |= l.overflow;
			*grand = sum(*grand, total, &bad);
			*any = 1;
			svc_open(x, "item");
			svc_elem(x, "productCode", code);
			svc_elem(x, "name", name);
			write_lines(x, code, &l);
			svc_elem_cents(x, "total", total);
			svc_close(x);
		}
		free(l.v);
	}
	store_done(s);
	struct lines l = { 0 };
	if (!rc)
		rc = ec2_lines(x, p, x->account, &l);
	if (!rc && l.n) {
		int64_t total = lines_sum(&l, NULL);
		bad |= l.overflow;
		*grand = sum(*grand, total, &bad);
		*any = 1;
		svc_open(x, "item");
		svc_elem(x, "productCode", "EC2");
		svc_elem(x, "name", "Amazon EC2");
		write_lines(x, "EC2", &l);
		svc_elem_cents(x, "total", total);
		svc_close(x);
	}
	free(l.v);
	svc_close(x);
	return rc ? -1 : bad ? -2 : 0;
}

/* What the owner earns from one customer's bill. */
struct earnings {
	int64_t one_time, monthly, usage, revenue, aws, value_add, fee, net, owner_pays;
};

static void earnings_of(struct lines *l, struct lines *aws, struct earnings *e, int *bad)
{
	e->one_time = lines_sum(l, "one-time");
	e->monthly = sum(lines_sum(l, "monthly"), lines_sum(l, "refund"), bad);
	e->usage = lines_sum(l, "usage");
	e->revenue = lines_sum(l, NULL);
	e->aws = lines_sum(aws, NULL);
	*bad |= l->overflow | aws->overflow;
	e->value_add = sum(e->revenue, -e->aws, bad);
	int64_t percent = 0;
	if (money_prorate_cents(e->value_add > 0 ? e->value_add : 0, FEE_PERCENT, 100, &percent))
		*bad = 1;
	e->fee = sum(FEE_FIXED, percent, bad);
	e->net = sum(e->value_add, -e->fee, bad);
	e->owner_pays = e->net < 0 ? -e->net : 0;
}

static void earnings_add(struct earnings *to, const struct earnings *e, int *bad)
{
	to->one_time = sum(to->one_time, e->one_time, bad);
	to->monthly = sum(to->monthly, e->monthly, bad);
	to->usage = sum(to->usage, e->usage, bad);
	to->revenue = sum(to->revenue, e->revenue, bad);
	to->aws = sum(to->aws, e->aws, bad);
	to->value_add = sum(to->value_add, e->value_add, bad);
	to->fee = sum(to->fee, e->fee, bad);
	to->net = sum(to->net, e->net, bad);
	to->owner_pays = sum(to->owner_pays, e->owner_pays, bad);
}

static void write_earnings(struct svc *x, const char *scope, const struct earnings *e)
{
	svc_open(x, "totalSet");
	write_total(x, scope, "one-time", e->one_time);
	write_total(x, scope, "monthly", e->monthly);
	write_total(x, scope, "usage", e->usage);
	write_total(x, scope, "revenue", e->revenue);
	write_total(x, scope, "aws-cost", e->aws);
	write_total(x, scope, "value-add", e->value_add);
	write_total(x, scope, "devpay-fee", e->fee);
	write_total(x, scope, "net", e->net);
	write_total(x, scope, "owner-pays", e->owner_pays);
	svc_close(x);
}

/* One product's report, a <customerSet> item per customer billed in the
 * period; *out its totals. 0, -1 store error, -2 out of range. */
static int product_report(struct svc *x, const struct period *p, const char *code,
			  struct earnings *out)
{
	struct store_rows *s = store_query(x->st,
		"SELECT account FROM subscriptions WHERE code = ?1 AND started < ?2"
		" AND (ended IS NULL OR ended >= ?3)"
		/* every owner who launched before the period's end, from the index
		 * alone; one whose instances all ended before it has no line and
		 * is left out below */
		" UNION SELECT owner FROM instances WHERE product_code = ?1"
		" AND launched < ?2 ORDER BY 1",
		"sii", code, p->to, p->from);
	if (!s)
		return -1;
	/* the price history once for all the customers */
	struct history h;
	int rc = history_load(x, code, &h), bad = 0;
	memset(out, 0, sizeof *out);
	svc_open(x, "customerSet");
	while (!rc && store_step(s) == STORE_ROW) {
		char account[13];
		snprintf(account, sizeof account, "%s", store_text(s, 0));
		struct lines l = { 0 }, aws = { 0 };
		rc = history_lines(x, p, &h, code, account, &l, &aws);
		if (!rc && l.n) {
			struct earnings e;
			earnings_of(&l, &aws, &e, &bad);
			svc_open(x, "item");
			svc_elem(x, "productCode", code);
			svc_elem(x, "accountId", account);
			svc_elem_cents(x, "oneTime", e.one_time);
			svc_elem_cents(x, "monthly", e.monthly);
			svc_elem_cents(x, "usage", e.usage);
			svc_elem_cents(x, "revenue", e.revenue);
			svc_elem_cents(x, "awsCost", e.aws);
			svc_elem_cents(x, "valueAdd", e.value_add);
			svc_elem_cents(x, "devpayFee", e.fee);
			svc_elem_cents(x, "net", e.net);
			svc_elem_cents(x, "ownerPays", e.owner_pays);
			svc_close(x);
			earnings_add(out, &e, &bad);
		}
		free(l.v);
		free(aws.v);
	}
	free(h.v);
	store_done(s);
	svc_close(x);
	return rc ? -1 : bad ? -2 : 0;
}

static int customer_bill(struct svc *x, const struct period *p)
{
	int64_t grand;
	int any;
	int r = customer_sections(x, p, &grand, &any);
	if (r)
		return r == -2 ? too_large(x, p) : svc_fail_store(x);
	svc_open(x, "totalSet");
	write_total(x, "ALL", "total", grand);
	svc_close(x);
	return 0;
}

static int owner_report(struct svc *x, const struct period *p, const char *code)
{
	struct store_rows *s = store_query(x->st, "SELECT owner FROM products WHERE code = ?", "s", code);
	if (!s)
		return svc_fail_store(x);
	int found = store_step(s) == STORE_ROW;
	int mine = found && !strcmp(store_text(s, 0), x->account);
	store_done(s);
	if (!found)
		return svc_fail(x, 400, "InvalidProductCode.NotFound",
				"The product code '%s' does not exist", code);
	if (!mine)
		return svc_fail(x, 403, "AuthFailure",
				"Only the owner of product %s can see its report", code);
	struct earnings sum_ = { 0 };
	int r = product_report(x, p, code, &sum_);
	if (r)
		return r == -2 ? too_large(x, p) : svc_fail_store(x);
	write_earnings(x, code, &sum_);
	return 0;
}

/* An owner's bill without a product: a block for each of its products (the
 * ones registered before the period ended), grand totals over them, and its
 * own charges as a customer when it has any. */
static int owner_all(struct svc *x, const struct period *p)
{
	int64_t paid;
	int any;
	int r = customer_sections(x, p, &paid, &any);
	if (r)
		return r == -2 ? too_large(x, p) : svc_fail_store(x);
	struct store_rows *s = store_query(x->st, "SELECT code, name FROM products WHERE owner = ?"
				      " AND created < ? ORDER BY created, code", "si", x->account, p->to);
	if (!s)
		return svc_fail_store(x);
	struct earnings all = { 0 };
	int bad = 0;
	svc_open(x, "productReportSet");
	while (!r && store_step(s) == STORE_ROW) {
		char code[9];
		snprintf(code, sizeof code, "%s", store_text(s, 0));
		struct earnings e;
		svc_open(x, "item");
		svc_elem(x, "productCode", code);
		svc_elem(x, "name", store_text(s, 1));
		r = product_report(x, p, code, &e);
		if (!r) {
			write_earnings(x, code, &e);
			earnings_add(&all, &e, &bad);
		}
		svc_close(x);
	}
		store_done(s);
	svc_close(x);
	if (!r && bad)
		r = -2;
	if (r)
		return r == -2 ? too_large(x, p) : svc_fail_store(x);
	svc_open(x, "totalSet");
	if (any)
		write_total(x, "ALL", "total", paid);
	svc_close(x);
	svc_open(x, "grandTotalSet");
	write_total(x, "ALL", "one-time", all.one_time);
	write_total(x, "ALL", "monthly", all.monthly);
	write_total(x, "ALL", "usage", all.usage);
	write_total(x, "ALL", "revenue", all.revenue);
	write_total(x, "ALL", "aws-cost", all.aws);
	write_total(x, "ALL", "value-add", all.value_add);
	write_total(x, "ALL", "devpay-fee", all.fee);
	write_total(x, "ALL", "net", all.net);
	write_total(x, "ALL", "owner-pays", all.owner_pays);
	svc_close(x);
	return 0;
}

/* 1 when the caller owns a product registered before the period ended. */
static int owns_products(struct svc *x, const struct period *p)
{
	struct store_rows *s = store_query(x->st, "SELECT 1 FROM products WHERE owner = ? AND created < ?"
				      " LIMIT 1", "si", x->account, p->to);
	if (!s)
		return -1;
	int rc = store_step(s);
	store_done(s);
	return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

int svc_get_bill(struct svc *x)
{
	struct period p;
	const char *period = svc_param(x, "Period");
	const char *code = svc_param(x, "ProductCode");
	int d;
	if (period && *period) {
		if (clock_parse_period(period, &p.year, &p.month))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid period '%s': expected YYYY-MM", period);
	} else
		clock_to_ymd(x->now, &p.year, &p.month, &d);
	if (code && !svc_valid_code(code))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid product code '%s': expected 8 hexadecimal digits", code);
	p.days = clock_days_in_month(p.year, p.month);
	p.from = clock_from_ymd(p.year, p.month, 1);
	p.end = p.from + (int64_t)p.days * 86400;
	if (p.from > x->now)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid period '%04d-%02d': it has not begun", p.year, p.month);
	/* month to date: events up to and including the present second */
	p.to = x->now < p.end ? x->now + 1 : p.end;
	int owner = code ? 1 : owns_products(x, &p);
	if (owner < 0)
		return svc_fail_store(x);
	svc_open(x, "bill");
	svc_elem(x, "accountId", x->account);
	svc_elemf(x, "period", "%04d-%02d", p.year, p.month);
	svc_elem_time(x, "startTime", p.from);
	svc_elem_time(x, "endTime", x->now < p.end ? x->now : p.end);
	svc_elem(x, "role", owner ? "owner" : "customer");
	if (code)
		svc_elem(x, "productCode", code);
	int r = code ? owner_report(x, &p, code) : owner ? owner_all(x, &p) : customer_bill(x, &p);
	svc_close(x);
	return r;
}
