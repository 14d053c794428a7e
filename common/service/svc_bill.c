/* SPDX-License-Identifier: Apache-2.0 */
/* GetBill: a customer's bill for a month, or a product owner's report.
 *
 * Every amount is computed in micro-dollars, each bill line is rounded to
 * the cent (half up) and totals are sums of rounded lines, so a bill adds up
 * on paper. The lines and the rules they follow are bill_lines.c's; this
 * file writes them, totals them and makes an owner's reports of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "service/bill.h"
#include "base/clock.h"
#include "service/svc.h"

#define FEE_FIXED INT64_C(300000) /* DevPay's $0.30 per customer bill */
#define FEE_PERCENT 3

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
		" AND code NOT IN (SELECT code FROM products WHERE owner = ?1)"
		" UNION SELECT product_code FROM instance_usage WHERE owner = ?1 AND product_code <> ''"
		" AND terminated >= ?3 AND launched < ?2"
		" AND product_code NOT IN (SELECT code FROM products WHERE owner = ?1) ORDER BY 1",
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
		     bill_product_lines(x, p, code, x->account, &l, NULL);
		if (!rc && l.n) {
			int64_t total = bill_lines_sum(&l, NULL);
			bad |= l.overflow;
			*grand = bill_sum(*grand, total, &bad);
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
		rc = bill_ec2_lines(x, p, x->account, &l);
	if (!rc && l.n) {
		int64_t total = bill_lines_sum(&l, NULL);
		bad |= l.overflow;
		*grand = bill_sum(*grand, total, &bad);
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
	e->one_time = bill_lines_sum(l, "one-time");
	e->monthly = bill_sum(bill_lines_sum(l, "monthly"), bill_lines_sum(l, "refund"), bad);
	e->usage = bill_lines_sum(l, "usage");
	e->revenue = bill_lines_sum(l, NULL);
	e->aws = bill_lines_sum(aws, NULL);
	*bad |= l->overflow | aws->overflow;
	e->value_add = bill_sum(e->revenue, -e->aws, bad);
	int64_t percent = 0;
	if (money_prorate_cents(e->value_add > 0 ? e->value_add : 0, FEE_PERCENT, 100, &percent))
		*bad = 1;
	/* $0.30 for each customer bill DevPay collects: a month's bill of 0.00
	 * or less (a free product, a sign-up refunded the same day) is never
	 * collected and carries none */
	e->fee = bill_sum(e->revenue > 0 ? FEE_FIXED : 0, percent, bad);
	e->net = bill_sum(e->value_add, -e->fee, bad);
	e->owner_pays = e->net < 0 ? -e->net : 0;
}

static void earnings_add(struct earnings *to, const struct earnings *e, int *bad)
{
	to->one_time = bill_sum(to->one_time, e->one_time, bad);
	to->monthly = bill_sum(to->monthly, e->monthly, bad);
	to->usage = bill_sum(to->usage, e->usage, bad);
	to->revenue = bill_sum(to->revenue, e->revenue, bad);
	to->aws = bill_sum(to->aws, e->aws, bad);
	to->value_add = bill_sum(to->value_add, e->value_add, bad);
	to->fee = bill_sum(to->fee, e->fee, bad);
	to->net = bill_sum(to->net, e->net, bad);
	to->owner_pays = bill_sum(to->owner_pays, e->owner_pays, bad);
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

/* A set of account ids (12 digits), each once, in the order they came
 * (qsort with id_cmp puts them in the order of their ids). */
struct customers {
	char (*id)[13];
	size_t n, cap;
	size_t *slot; /* open addressing: index + 1 into id, 0 free */
	size_t nslots;
};

static size_t id_hash(const char *s)
{
	size_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void customers_add(struct customers *c, const char *id)
{
	if (2 * (c->n + 1) > c->nslots) {
		size_t m = c->nslots ? 2 * c->nslots : 256;
		free(c->slot);
		c->slot = xcalloc(m, sizeof *c->slot);
		c->nslots = m;
		for (size_t i = 0; i < c->n; i++) {
			size_t k = id_hash(c->id[i]) & (m - 1);
			while (c->slot[k])
				k = (k + 1) & (m - 1);
			c->slot[k] = i + 1;
		}
	}
	size_t k = id_hash(id) & (c->nslots - 1);
	for (; c->slot[k]; k = (k + 1) & (c->nslots - 1))
		if (!strcmp(c->id[c->slot[k] - 1], id))
			return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->id = xrealloc(c->id, c->cap * sizeof *c->id);
	}
	snprintf(c->id[c->n], sizeof c->id[0], "%s", id);
	c->slot[k] = ++c->n;
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void customers_release(struct customers *c)
{
	free(c->id);
	free(c->slot);
}

/* Adds each account a query answers (its first column): 0, or -1. */
static int customers_read(struct store_rows *s, struct customers *c)
{
	if (!s)
		return -1;
	int rc;
	while ((rc = store_step(s)) == STORE_ROW)
		customers_add(c, store_text(s, 0));
	store_done(s);
	return rc == STORE_DONE ? 0 : -1;
}

/* One product's report, a <customerSet> item per customer billed in the
 * period; *out its totals. 0, -1 store error, -2 out of range. */
static int product_report(struct svc *x, const struct period *p, const char *code,
			  struct earnings *out)
{
	/* The product's customers in the period, in the order of their ids:
	 * those subscribed in it, and every owner with instances alive in it
	 * (the roll-up's index, usage.c; an owner's alike instances are one
	 * row, but every launch second its own). The product's own owner is
	 * never its customer: his launches of it are plain EC2 on his own
	 * bill. The owners are made unique here, not by the query: a UNION
	 * sorted the roll-up's rows of the month, half of the report's time
	 * over 100,000 instances launched each at its own second. */
	struct customers c = { 0 };
	if (customers_read(store_query(x->st, "SELECT account FROM subscriptions WHERE code = ?1"
				       " AND started < ?2 AND (ended IS NULL OR ended >= ?3)"
				       " AND account NOT IN (SELECT owner FROM products WHERE code = ?1)",
				       "sii", code, p->to, p->from), &c) ||
	    customers_read(store_query(x->st, "SELECT owner FROM instance_usage WHERE product_code = ?1"
				       " AND terminated >= ?3 AND launched < ?2"
				       " AND owner NOT IN (SELECT owner FROM products WHERE code = ?1)",
				       "sii", code, p->to, p->from), &c)) {
		customers_release(&c);
		return -1;
	}
	if (c.n > 1)
		qsort(c.id, c.n, sizeof *c.id, id_cmp);
	/* the price history once for all the customers */
	struct history h;
	int rc = bill_history_load(x, code, &h), bad = 0;
	memset(out, 0, sizeof *out);
	svc_open(x, "customerSet");
	for (size_t i = 0; !rc && i < c.n; i++) {
		const char *account = c.id[i];
		struct lines l = { 0 }, aws = { 0 };
		rc = bill_history_lines(x, p, &h, code, account, &l, &aws);
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
	customers_release(&c);
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
