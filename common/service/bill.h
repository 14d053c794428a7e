/* SPDX-License-Identifier: Apache-2.0 */
/* What GetBill's reports (svc_bill.c) share with the computation of a
 * customer's charge lines (bill_lines.c): the billed month, the lines and a
 * product's price history. Only those two files include this. */
#ifndef DP_BILL_H
#define DP_BILL_H
#include <stddef.h>
#include <stdint.h>
#include "service/svc.h"

/* The billed month: events count when from <= t < to; end is the month's end. */
struct period {
	int year, month, days;
	int64_t from, end, to;
};

/* One line of a bill: a quantity of a component at a unit price. */
struct line {
	char component[16], description[96], quantity[16];
	int64_t unit, amount; /* amount already rounded to the cent */
};

/* A bill's lines, in the order they are written; v is malloc'd (free it). */
struct lines {
	struct line *v;
	size_t n, cap;
	int overflow; /* an amount did not fit: the bill is refused, never wrapped */
};

/* A product's price history, loaded once per bill. */
struct version {
	int64_t effective, one_time, monthly;
	int nprices;
	struct price_rule prices[PRICE_RULES_MAX];
};

/* The versions of a product, oldest first; v is malloc'd (free it). */
struct history {
	struct version *v;
	int n;
};

/* a + b, or 0 with *bad set when it does not fit. */
int64_t bill_sum(int64_t a, int64_t b, int *bad);
/* The sum of l's lines of component (every line when NULL); l->overflow set on overflow. */
int64_t bill_lines_sum(struct lines *l, const char *component);
/* Loads product code's price history into h: 0, -1 store error; free h->v either way. */
int bill_history_load(struct svc *x, const char *code, struct history *h);
/* A customer's lines of code, h its history; aws, unless NULL, the hours at EC2's rates. */
int bill_history_lines(struct svc *x, const struct period *p, const struct history *h,
		       const char *code, const char *account, struct lines *out, struct lines *aws);
/* bill_history_lines with the product's history loaded for this call alone. */
int bill_product_lines(struct svc *x, const struct period *p, const char *code,
		       const char *account, struct lines *out, struct lines *aws);
/* A customer's plain EC2 lines, Reserved Instances applied: 0, -1 store error. */
int bill_ec2_lines(struct svc *x, const struct period *p, const char *account, struct lines *out);

#endif
