/* SPDX-License-Identifier: Apache-2.0 */
/* The Application Billing page (a customer's bill, GetBill as devpay-bill
 * asks it) and the Activity page (an owner's report per product and
 * customer, with the month's daily revenue drawn as inline SVG). The figures
 * are the service's text, shown as devpay-bill prints them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "base/format.h"
#include "base/money.h"
#include "server/pages_int.h"
#include "wire/bill_records.h"

#define DAY 86400

/* The period asked for (YYYY-MM), or the service clock's month: 0, or -1
 * with an error page sent. */
static int period_of(struct page *pg, char out[16], int *y, int *m)
{
	const char *p = query_get(&pg->get, "period");
	int d;
	if (p && *p) {
		if (clock_parse_period(p, y, m)) {
			page_error(pg, 400, "Bad month", "The month must be given as YYYY-MM.");
			return -1;
		}
	} else
		clock_to_ymd(pg->now, y, m, &d);
	snprintf(out, 16, "%04d-%02d", *y, *m);
	return 0;
}

static void month_picker(struct buf *b, const char *action, const char *period, const char *product)
{
	html_addf(b, "<form method=\"get\" action=\"%s\">\n<label for=\"period\">Month</label>\n"
		     "<input type=\"month\" id=\"period\" name=\"period\" value=\"%s\" required>\n",
		  action, period);
	if (product && *product)
		html_addf(b, "<input type=\"hidden\" name=\"product\" value=\"%s\">\n", product);
	buf_adds(b, "<button type=\"submit\">Show</button>\n</form>\n");
}

static int get_bill(struct page *pg, const char *period, const char *product, struct response *r,
		    struct buf *msg)
{
	struct query q = QUERY_INIT;
	query_add(&q, "Action", "GetBill");
	query_add(&q, "Period", period);
	if (product && *product)
		query_add(&q, "ProductCode", product);
	int st = page_call(pg, &q, pg->s.account, r, msg);
	query_release(&q);
	return st;
}

/* 1 when the page is asked for as a CSV file (format=csv). */
static int want_csv(struct page *pg)
{
	const char *f = query_get(&pg->get, "format");
	return f && !strcmp(f, "csv");
}

static void csv_record(void *cls, const struct record_layout *l, const char *const *fields)
{
	struct page *pg = cls;
	out_write_record(&pg->rp->body, &pg->csv, l, fields);
}

/* The bill's records as devpay-bill --output csv prints them, as a file
 * to save: NAME-PERIOD[-PRODUCT].csv. */
static void send_csv(struct page *pg, const xmlNode *bill, const char *name, const char *period,
		     const char *product)
{
	char disp[160];
	pg->csv = (struct out_writer){ .fmt = OUT_CSV };
	buf_reset(&pg->rp->body);
	bill_records(bill, csv_record, pg);
	out_write_end(&pg->rp->body, &pg->csv);
	pg->rp->status = 200;
	pg->rp->type = "text/csv;charset=UTF-8;header=present";
	snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s%s%s.csv\"", name, period,
		 product && *product ? "-" : "", product && *product ? product : "");
	page_header(pg, "Content-Disposition", disp);
}

/* The link to this page's CSV file. */
static void csv_link(struct buf *b, const char *path, const char *period, const char *product)
{
	html_addf(b, "<p><a href=\"%s?period=%s", path, period);
	if (product && *product)
		html_addf(b, "&amp;product=%s", product);
	html_addf(b, "&amp;format=csv\" download>Download CSV</a></p>\n");
}

static void totals_table(struct buf *b, const xmlNode *set, const char *caption)
{
	if (!set || !xml_child(set, "item"))
		return;
	html_addf(b, "<table><caption>%s</caption><tbody>\n", caption);
	xml_foreach(t, set, "item")
		html_addf(b, "<tr><th scope=\"row\">%s %s</th><td class=\"n\">%s</td></tr>\n",
			  xml_text(t, "scope"), xml_text(t, "description"), xml_text(t, "amount"));
	buf_adds(b, "</tbody></table>\n");
}

void page_bill(struct page *pg)
{
	char period[16];
	int y, m;
	if (period_of(pg, period, &y, &m))
		return;
	struct response r = { 0 };
	struct buf msg = BUF_INIT, b = BUF_INIT;
	int st = get_bill(pg, period, NULL, &r, &msg);
	month_picker(&b, "/bill", period, NULL);
	if (st) {
		html_addf(&b, "<p class=\"error\" role=\"alert\">%s</p>\n", buf_str(&msg));
		page_send(pg, (unsigned)st, "Application Billing", &b);
		buf_release(&b);
		buf_release(&msg);
		return;
	}
	xmlNode *bill = xml_child(r.root, "bill");
	if (want_csv(pg)) {
		send_csv(pg, bill, "bill", period, NULL);
		goto done;
	}
	html_addf(&b, "<p>Account <code>%s</code>, %s, from %s to %s.</p>\n", xml_text(bill, "accountId"),
		  xml_text(bill, "period"), xml_text(bill, "startTime"), xml_text(bill, "endTime"));
	int any = 0;
	xml_foreach(sec, xml_child(bill, "sectionSet"), "item")
	{
		any = 1;
		const char *code = xml_text(sec, "productCode");
		html_addf(&b, "<section>\n<h2>%s", xml_text(sec, "name"));
		if (*code)
			html_addf(&b, " <small>(<code>%s</code>)</small>", code);
		buf_adds(&b, "</h2>\n<table><thead><tr><th scope=\"col\">Charge</th>"
			     "<th scope=\"col\">Description</th><th scope=\"col\" class=\"n\">Quantity</th>"
			     "<th scope=\"col\" class=\"n\">Unit price</th><th scope=\"col\" class=\"n\">Amount</th>"
			     "</tr></thead><tbody>\n");
		xml_foreach(it, xml_child(sec, "chargeSet"), "item")
			html_addf(&b, "<tr><td>%s</td><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
				      "<td class=\"n\">%s</td></tr>\n",
				  xml_text(it, "component"), xml_text(it, "description"),
				  xml_text(it, "quantity"), xml_text(it, "unitPrice"), xml_text(it, "amount"));
		html_addf(&b, "</tbody><tfoot><tr><th scope=\"row\" colspan=\"4\">Total</th>"
			      "<td class=\"n\">%s</td></tr></tfoot></table>\n</section>\n",
			  xml_text(sec, "total"));
	}
	if (!any)
		buf_adds(&b, "<p>No charges this month.</p>\n");
	totals_table(&b, xml_child(bill, "totalSet"), "Totals");
	csv_link(&b, "/bill", period, NULL);
	if (!strcmp(xml_text(bill, "role"), "owner"))
		html_addf(&b, "<p>You sell products: see their <a href=\"/activity?period=%s\">Activity</a>.</p>\n",
			  period);
	page_send(pg, 200, "Application Billing", &b);
done:
	buf_release(&b);
	buf_release(&msg);
	response_release(&r);
}

/* "-12.345678" as micro-dollars: 0, or -1. */
static int amount_of(const char *s, int64_t *out)
{
	int neg = *s == '-';
	s += neg;
	int64_t v = 0, frac = 0;
	int places = 0;
	if (!*s)
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > INT64_MAX / 10 / MICRO_PER_DOLLAR)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && places < 6; s++, places++)
			frac = frac * 10 + (*s - '0');
	if (*s)
		return -1;
	for (; places < 6; places++)
		frac *= 10;
	*out = (v * MICRO_PER_DOLLAR + frac) * (neg ? -1 : 1);
	return 0;
}

/* The revenue total of a report: the grand total, or the product's. */
static int revenue_of(const xmlNode *bill, int64_t *out)
{
	const xmlNode *set = xml_child(bill, "grandTotalSet");
	if (!set)
		set = xml_child(bill, "totalSet");
	xml_foreach(t, set, "item")
		if (!strcmp(xml_text(t, "description"), "revenue"))
			return amount_of(xml_text(t, "amount"), out);
	return -1;
}

/* The month's revenue day by day: the report month to date at each day's
 * end, less the day before's; drawn as bars. */
static void daily_chart(struct page *pg, struct buf *b, int y, int m, const char *period,
			const char *product)
{
	int days = clock_days_in_month(y, m);
	int64_t from = clock_from_ymd(y, m, 1), saved = pg->now, prev = 0, v[31], max = 0;
	int n = 0;
	for (; n < days && from + (int64_t)n * DAY <= saved; n++) {
		int64_t end = from + (int64_t)(n + 1) * DAY - 1, cum = 0;
		pg->now = end < saved ? end : saved;
		struct response r = { 0 };
		struct buf msg = BUF_INIT;
		int ok = !get_bill(pg, period, product, &r, &msg) && !revenue_of(xml_child(r.root, "bill"), &cum);
		if (!ok)
			cum = prev;
		response_release(&r);
		buf_release(&msg);
		v[n] = cum - prev;
		prev = cum;
		if (v[n] > max)
			max = v[n];
	}
	pg->now = saved;
	if (!n)
		return;
	const int w = 20, h = 160, top = 20;
	html_addf(b, "<h2>Daily revenue</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
		     "aria-labelledby=\"chart-title\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">\n"
		     "<title id=\"chart-title\">Revenue per day of %s</title>\n",
		  days * w + 10, h + top + 20, days * w + 10, h + top + 20, period);
	for (int d = 0; d < n; d++) {
		char amt[32];
		money_format_cents(v[d], amt);
		int64_t bar = max > 0 && v[d] > 0 ? v[d] * h / max : 0;
		html_addf(b, "<rect x=\"%d\" y=\"%lld\" width=\"%d\" height=\"%lld\" fill=\"#2a6ebb\">"
			     "<title>%s-%d: %s</title></rect>\n",
			  5 + d * w + 2, (long long)(top + h - bar), w - 4, (long long)bar, period, d + 1, amt);
		if ((d + 1) % 5 == 0 || d == 0)
			html_addf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%d</text>\n",
				  5 + d * w + w / 2, top + h + 14, d + 1);
	}
	char top_amt[32];
	money_format_cents(max, top_amt);
	html_addf(b, "<text x=\"5\" y=\"12\" font-size=\"10\">$%s</text>\n"
		     "<line x1=\"5\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n</svg>\n",
		  top_amt, top + h, 5 + days * w, top + h);
	buf_adds(b, "<details><summary>Daily revenue as a table</summary>\n<table><thead><tr>"
		    "<th scope=\"col\">Day</th><th scope=\"col\" class=\"n\">Revenue</th></tr></thead><tbody>\n");
	for (int d = 0; d < n; d++) {
		char amt[32];
		money_format_cents(v[d], amt);
		html_addf(b, "<tr><td>%s-%02d</td><td class=\"n\">%s</td></tr>\n", period, d + 1, amt);
	}
	buf_adds(b, "</tbody></table></details>\n");
}

static void customers_table(struct buf *b, const xmlNode *set)
{
	if (!set || !xml_child(set, "item")) {
		buf_adds(b, "<p>No customer was billed this month.</p>\n");
		return;
	}
	static const char *const cols[] = { "oneTime", "monthly", "usage", "revenue", "awsCost",
					    "valueAdd", "devpayFee", "net", "ownerPays" };
	buf_adds(b, "<table><thead><tr><th scope=\"col\">Customer</th><th scope=\"col\" class=\"n\">One-time</th>"
		    "<th scope=\"col\" class=\"n\">Monthly</th><th scope=\"col\" class=\"n\">Usage</th>"
		    "<th scope=\"col\" class=\"n\">Revenue</th><th scope=\"col\" class=\"n\">AWS cost</th>"
		    "<th scope=\"col\" class=\"n\">Value add</th><th scope=\"col\" class=\"n\">DevPay fee</th>"
		    "<th scope=\"col\" class=\"n\">Net</th><th scope=\"col\" class=\"n\">Owner pays</th>"
		    "</tr></thead><tbody>\n");
	xml_foreach(it, set, "item")
	{
		html_addf(b, "<tr><td><code>%s</code></td>", xml_text(it, "accountId"));
		for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
			html_addf(b, "<td class=\"n\">%s</td>", xml_text(it, cols[i]));
		buf_adds(b, "</tr>\n");
	}
	buf_adds(b, "</tbody></table>\n");
}

void page_activity(struct page *pg)
{
	char period[16];
	int y, m;
	if (period_of(pg, period, &y, &m))
		return;
	const char *product = query_get(&pg->get, "product");
	struct response r = { 0 };
	struct buf msg = BUF_INIT, b = BUF_INIT;
	int st = get_bill(pg, period, product, &r, &msg);
	month_picker(&b, "/activity", period, product);
	if (st) {
		html_addf(&b, "<p class=\"error\" role=\"alert\">%s</p>\n", buf_str(&msg));
		page_send(pg, (unsigned)st, "Activity", &b);
		buf_release(&b);
		buf_release(&msg);
		return;
	}
	xmlNode *bill = xml_child(r.root, "bill");
	if (!strcmp(xml_text(bill, "role"), "owner") && want_csv(pg)) {
		send_csv(pg, bill, "activity", period, xml_text(bill, "productCode"));
		goto done;
	}
	if (strcmp(xml_text(bill, "role"), "owner")) {
		buf_adds(&b, "<p>You own no product, so there is no activity to show.</p>\n");
		page_send(pg, 200, "Activity", &b);
		buf_release(&b);
		buf_release(&msg);
		response_release(&r);
		return;
	}
	html_addf(&b, "<p>Month to date: %s to %s.</p>\n", xml_text(bill, "startTime"), xml_text(bill, "endTime"));
	if (product && *product) {
		html_addf(&b, "<section>\n<h2><code>%s</code></h2>\n", xml_text(bill, "productCode"));
		customers_table(&b, xml_child(bill, "customerSet"));
		totals_table(&b, xml_child(bill, "totalSet"), "Totals");
		buf_adds(&b, "</section>\n");
	}
	xml_foreach(it, xml_child(bill, "productReportSet"), "item")
	{
		html_addf(&b, "<section>\n<h2>%s <small>(<a href=\"/activity?period=%s&amp;product=%s\">"
			      "<code>%s</code></a>)</small></h2>\n",
			  xml_text(it, "name"), period, xml_text(it, "productCode"), xml_text(it, "productCode"));
		customers_table(&b, xml_child(it, "customerSet"));
		totals_table(&b, xml_child(it, "totalSet"), "Totals");
		buf_adds(&b, "</section>\n");
	}
	totals_table(&b, xml_child(bill, "grandTotalSet"), "All products");
	csv_link(&b, "/activity", period, product);
	daily_chart(pg, &b, y, m, period, product);
	page_send(pg, 200, "Activity", &b);
done:
	buf_release(&b);
	buf_release(&msg);
	response_release(&r);
}
