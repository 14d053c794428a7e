/* SPDX-License-Identifier: Apache-2.0 */
/* devpay-modify-product: schedule a price or configuration change of a
 * product, or withdraw the pending one (Action ModifyProduct). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "client/print.h"
#include "client/product_opts.h"

enum { OPT_EFFECTIVE = CLI_LONG(0), OPT_WITHDRAW };

static const struct cli_option opts[] = {
	{ "instance-type", PRODUCT_OPT_TYPE, CLI_ARG, "TYPE=PRICE", "hourly price of an instance type (repeatable; the list replaces the current one)" },
	{ "price", PRODUCT_OPT_PRICE, CLI_ARG, "[REGION:]PLATFORM:TYPE=PRICE", "hourly price on one platform, or one platform in one region (repeatable; with --instance-type, replaces the price list)" },
	{ "platform", PRODUCT_OPT_PLATFORM, CLI_ARG, "linux|windows", "platform the product covers (repeatable; replaces)" },
	{ "region", PRODUCT_OPT_REGION, CLI_ARG, "REGION", "region the product covers (repeatable; replaces)" },
	{ "monthly-fee", PRODUCT_OPT_MONTHLY, CLI_ARG, "AMOUNT", "new monthly charge" },
	{ "one-time-fee", PRODUCT_OPT_ONE_TIME, CLI_ARG, "AMOUNT", "new charge at every sign-up" },
	{ "effective", OPT_EFFECTIVE, CLI_ARG, "YYYY-MM-DD", "the change takes effect at 00:00 UTC of this future date" },
	{ "withdraw", OPT_WITHDRAW, CLI_NOARG, NULL, "withdraw the pending change" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	struct product_opts po = { 0 };
	int changes = 0, withdraw = 0;
	const char *arg, *effective = NULL;
	cli_init(&c, "devpay-modify-product",
		 "Change a product's prices or configuration from a future date, or withdraw the pending change.",
		 "CODE [--instance-type TYPE=PRICE]... [--price [REGION:]PLATFORM:TYPE=PRICE]... [--platform P]... [--region R]... [--monthly-fee A] [--one-time-fee A] --effective YYYY-MM-DD\n"
		 "       devpay-modify-product CODE --withdraw",
		 opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		if (product_opt(&c, &po, k, arg, &q)) {
			changes++;
			continue;
		}
		switch (k) {
		case OPT_EFFECTIVE: {
			int64_t t;
			if (strlen(arg) != 10 || clock_parse(arg, &t))
				cli_usage_error(&c, "invalid --effective '%s': expected a date YYYY-MM-DD", arg);
			effective = arg;
			query_set(&q, "Effective", arg);
			break;
		}
		case OPT_WITHDRAW: withdraw = 1; query_set(&q, "Withdraw", "true"); break;
		}
	}
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing product code");
	const char *code = cli_argv(&c)[0];
	if (withdraw && (changes || effective))
		cli_usage_error(&c, "--withdraw cannot be combined with a change");
	if (!withdraw && !effective)
		cli_usage_error(&c, "missing --effective");
	if (!withdraw && !changes)
		cli_usage_error(&c, "nothing to change: give --instance-type, --price, --platform, --region, --monthly-fee or --one-time-fee");
	query_set(&q, "ProductCode", code);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "ModifyProduct", &q, &r);
	print_products(&c.cfg, xml_child(r.root, "productSet"));
	response_release(&r);
	query_release(&q);
	return 0;
}
