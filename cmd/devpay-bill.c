/* SPDX-License-Identifier: Apache-2.0 */
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

static void print_record(void *cls, const struct record_layout *l, const char *const *fields)
{
	out_record(cls, l, fields);
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
	bill_records(xml_child(r.root, "bill"), print_record, &c.cfg);
	response_release(&r);
	query_release(&q);
	return 0;
}
