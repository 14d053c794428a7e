/* SPDX-License-Identifier: Apache-2.0 */
/* A customer's charge lines for a month, for GetBill (svc_bill.c): a
 * product's one-time, monthly and usage lines at the prices of its history,
 * and plain EC2's with Reserved Instances. Each line is rounded to the cent
 * (half up). The rules (devpay-bill(1) documents them for users):
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
#include "service/bill.h"
#include "base/clock.h"
#include "service/svc.h"

#define HOUR 3600

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
int64_t bill_sum(int64_t a, int64_t b, int *bad)
{
	int64_t r;
	if (money_add(a, b, &r)) {
		*bad = 1;
		return 0;
	}
	return r;
}

int64_t bill_lines_sum(struct lines *l, const char *component)
{
	int64_t s = 0;
	for (size_t i = 0; i < l->n; i++)
		if (!component || !strcmp(l->v[i].component, component))
			s = bill_sum(s, l->v[i].amount, &l->overflow);
	return s;
}

int bill_history_load(struct svc *x, const char *code, struct history *h)
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

/* Adds n on-demand hours of region, platform and type, the first starting
 * at start, each at the EC2 rate in force when it starts (none: 0), for each
 * of m instances alike. */
static void ec2_add(struct usages *u, const char *region, int platform, const char *type,
		    int kind, int64_t start, int64_t n, int64_t m)
{
	enum platform p = platform == PLATFORM_WINDOWS ? PLATFORM_WINDOWS : PLATFORM_LINUX;
	while (n > 0) {
		int64_t next, rate = rate_hourly_next(region, p, type, start, &next);
		/* the hours starting before the next rate takes effect */
		int64_t k = next == INT64_MAX || next - start >= n * HOUR ? n : (next - start + HOUR - 1) / HOUR;
		if (k < 1)
			k = 1;
		usage_add(u, region, platform, type, rate < 0 ? 0 : rate, kind, start, k * m);
		start += k * HOUR;
		n -= k;
	}
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
	/* the groups of alike instances alive in the period (usage.c), in
	 * index order: the hours are summed, and the sums sorted below */
	struct store_rows *s = store_query(x->st, "SELECT region, platform, type, launched, terminated, n"
				      " FROM instance_usage WHERE owner = ? AND product_code = ?"
				      " AND terminated >= ? AND launched < ?",
				      "ssii", account, code, p->from, p->to);
	if (!s)
		return -1;
	struct usages u = { 0 }, c = { 0 };
	while (store_step(s) == STORE_ROW) {
		const char *region = store_text(s, 0), *type = store_text(s, 2);
		int platform = store_int(s, 1);
		int64_t launched = store_int64(s, 3), ended = store_int64(s, 4), m = store_int64(s, 5), k0, k1;
		instance_hours(p, launched, ended, ended != USAGE_RUNNING, &k0, &k1);
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
				  0, start, (kend - k) * m);
			if (aws)
				ec2_add(&c, region, platform, type, 0, start, kend - k, m);
		}
	}
	store_done(s);
	usage_lines(&u, "usage", out);
	if (aws)
		usage_lines(&c, "aws-cost", aws);
	return 0;
}

int bill_history_lines(struct svc *x, const struct period *p, const struct history *h,
		       const char *code, const char *account, struct lines *out, struct lines *aws)
{
	int r = subscription_lines(x, p, h, code, account, out);
	if (!r)
		r = product_usage_lines(x, p, h, code, account, out, aws);
	return r;
}

int bill_product_lines(struct svc *x, const struct period *p, const char *code,
		       const char *account, struct lines *out, struct lines *aws)
{
	struct history h;
	int r = bill_history_load(x, code, &h);
	if (!r)
		r = bill_history_lines(x, p, &h, code, account, out, aws);
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
	int64_t start, n; /* n instances' hours starting at start */
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

int bill_ec2_lines(struct svc *x, const struct period *p, const char *account, struct lines *out)
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

	/* the groups of alike instances alive in the period (usage.c) */
	s = store_query(x->st, "SELECT region, platform, type, launched, terminated, n FROM instance_usage"
			" WHERE owner = ?1 AND product_code IN (SELECT ''"
			/* an owner's launches of his own product are his at EC2's rates */
			"  UNION ALL SELECT code FROM products WHERE owner = ?1)"
			" AND terminated >= ?3 AND launched < ?2", "sii", account, p->to, p->from);
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
		int64_t launched = store_int64(s, 3), ended = store_int64(s, 4), m = store_int64(s, 5), k0, k1;
		instance_hours(p, launched, ended, ended != USAGE_RUNNING, &k0, &k1);
		if (!reserved_group(ri, nri, &groups[g])) {
			/* no Reserved Instance can cover these hours: on demand, all at once */
			ec2_add(&u, region, platform, type, 0, launched + k0 * HOUR, k1 - k0, m);
			continue;
		}
		hours = xrealloc(hours, (nhours + (size_t)(k1 - k0) + 1) * sizeof *hours);
		for (int64_t k = k0; k < k1; k++)
			hours[nhours++] = (struct hour){ launched + k * HOUR, m, (int)g };
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
		/* the first hours of the clock hour reserved, the rest on demand */
		int64_t reserved = active - used < hours[i].n ? active - used : hours[i].n;
		if (reserved > 0) {
			used += reserved;
			usage_add(&u, g->region, g->platform, g->type, rate, 1, start, reserved);
		}
		if (hours[i].n > reserved)
			ec2_add(&u, g->region, g->platform, g->type, 0, start, 1, hours[i].n - reserved);
	}
	usage_lines(&u, "ec2-usage", out);
	free(hours);
	free(groups);
	free(ri);
	return 0;
}
