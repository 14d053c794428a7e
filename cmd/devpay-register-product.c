/* SPDX-License-Identifier: Apache-2.0 */
/* devpay-register-product: register a DevPay product (Action RegisterProduct). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "client/print.h"
#include "client/product_opts.h"

enum { OPT_NAME = CLI_LONG(0), OPT_DESCRIPTION };

static const struct cli_option opts[] = {
	{ "name", OPT_NAME, CLI_ARG, "NAME", "product name (required)" },
	{ "description", OPT_DESCRIPTION, CLI_ARG, "TEXT", "product description" },
	{ "platform", PRODUCT_OPT_PLATFORM, CLI_ARG, "linux|windows", "platform the product covers (repeatable, required)" },
	{ "region", PRODUCT_OPT_REGION, CLI_ARG, "REGION", "region the product covers (repeatable; default the caller's)" },
	{ "instance-type", PRODUCT_OPT_TYPE, CLI_ARG, "TYPE=PRICE", "hourly price of an instance type (repeatable, required)" },
	{ "price", PRODUCT_OPT_PRICE, CLI_ARG, "[REGION:]PLATFORM:TYPE=PRICE", "hourly price on one platform, or on one platform in one region (repeatable; the most specific price wins)" },
	{ "one-time-fee", PRODUCT_OPT_ONE_TIME, CLI_ARG, "AMOUNT", "charge at every sign-up" },
	{ "monthly-fee", PRODUCT_OPT_MONTHLY, CLI_ARG, "AMOUNT", "monthly charge, prorated in the month of sign-up" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	struct product_opts po = { 0 };
	const char *arg, *name = NULL;
	cli_init(&c, "devpay-register-product", "Register a DevPay product and print its code, token and purchase URL.",
		 "--name NAME --platform linux|windows ... --instance-type TYPE=PRICE ... [--price [REGION:]PLATFORM:TYPE=PRICE]... [OPTION]...",
		 opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		if (product_opt(&c, &po, k, arg, &q))
			continue;
		switch (k) {
		case OPT_NAME: name = arg; query_set(&q, "Name", arg); break;
		case OPT_DESCRIPTION: query_set(&q, "Description", arg); break;
		}
	}
	if (cli_argc(&c))
		cli_usage_error(&c, "unexpected argument '%s'", cli_argv(&c)[0]);
	if (!name || !*name)
		cli_usage_error(&c, "missing --name");
	if (!po.platforms)
		cli_usage_error(&c, "missing --platform");
	if (!po.types && !po.prices)
		cli_usage_error(&c, "missing --instance-type or --price");
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "RegisterProduct", &q, &r);
	print_products(&c.cfg, xml_child(r.root, "productSet"));
	response_release(&r);
	query_release(&q);
	return 0;
}
