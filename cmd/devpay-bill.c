/* devpay-bill: the caller's bill as a customer, or a product owner's report
 * (Action GetBill). */
#include <stdio.h>
#include "base/clock.h"
#include "client/print.h"

enum { OPT_PERIOD = CLI_LONG(0), OPT_PRODUCT };

static const struct cli_option opts[] = {
	{ "period", OPT_PERIOD, CLI_ARG, "YYYY-MM", "the month to bill (default: the current month, to date)" },
	{ "product", OPT_PRODUCT, CLI_ARG, "CODE", "the owner's report of one product, per customer (without it an owner gets every product's)" },
	{ 0 },
};

static void print_customers(const struct dp_config *cfg, const xmlNode *parent)
{
	xml_foreach(it, xml_child(parent, "customerSet"), "item")
	{
		const char *f[] = { xml_text(it, "productCode"), xml_text(it, "accountId"),
				    xml_text(it, "oneTime"), xml_text(it, "monthly"),
				    xml_text(it, "usage"), xml_text(it, "revenue"),
				    xml_text(it, "awsCost"), xml_text(it, "valueAdd"),
				    xml_text(it, "devpayFee"), xml_text(it, "net"),
				    xml_text(it, "ownerPays") };
		out_record(cfg, &REC_CUSTOMER, f);
	}
}

static void print_totals(const struct dp_config *cfg, const xmlNode *set)
{
	xml_foreach(it, set, "item")
	{
		const char *t[] = { xml_text(it, "scope"), xml_text(it, "description"),
				    xml_text(it, "amount") };
		out_record(cfg, &REC_TOTAL, t);
	}
}

static void print_bill(const struct dp_config *cfg, const xmlNode *bill)
{
	char from[32];
	snprintf(from, sizeof from, "%s", client_time(xml_text(bill, "startTime")));
	const char *b[] = { xml_text(bill, "accountId"), xml_text(bill, "period"), from,
			    client_time(xml_text(bill, "endTime")), xml_text(bill, "role"),
			    xml_text(bill, "productCode") };
	out_record(cfg, &REC_BILL, b);
	xml_foreach(sec, xml_child(bill, "sectionSet"), "item")
	{
		xml_foreach(it, xml_child(sec, "chargeSet"), "item")
		{
			const char *f[] = { xml_text(it, "productCode"), xml_text(it, "component"),
					    xml_text(it, "description"), xml_text(it, "quantity"),
					    xml_text(it, "unitPrice"), xml_text(it, "amount") };
			out_record(cfg, &REC_CHARGE, f);
		}
		const char *t[] = { xml_text(sec, "productCode"), xml_text(sec, "name"),
				    xml_text(sec, "total") };
		out_record(cfg, &REC_TOTAL, t);
	}
	print_customers(cfg, bill);
	print_totals(cfg, xml_child(bill, "totalSet"));
	/* an owner's bill without --product: a block for each product */
	xml_foreach(it, xml_child(bill, "productReportSet"), "item")
	{
		print_customers(cfg, it);
		print_totals(cfg, xml_child(it, "totalSet"));
	}
	print_totals(cfg, xml_child(bill, "grandTotalSet"));
}

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "devpay-bill",
		 "Show the caller's DevPay bill for a month, or with --product the owner's report.",
		 "[--period YYYY-MM] [--product CODE]", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		int y, m;
		switch (k) {
		case OPT_PERIOD:
			if (clock_parse_period(arg, &y, &m))
				cli_usage_error(&c, "invalid --period '%s': expected YYYY-MM", arg);
			query_set(&q, "Period", arg);
			break;
		case OPT_PRODUCT:
			query_set(&q, "ProductCode", arg);
			break;
		}
	}
	if (cli_argc(&c))
		cli_usage_error(&c, "unexpected argument '%s'", cli_argv(&c)[0]);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "GetBill", &q, &r);
	print_bill(&c.cfg, xml_child(r.root, "bill"));
	response_release(&r);
	query_release(&q);
	return 0;
}
