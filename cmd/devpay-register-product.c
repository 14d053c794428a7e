/* devpay-register-product: register a DevPay product (Action RegisterProduct). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "money.h"
#include "print.h"
#include "rates.h"

enum { OPT_NAME = CLI_LONG(0), OPT_DESCRIPTION, OPT_PLATFORM, OPT_REGION_CONF, OPT_TYPE,
       OPT_ONE_TIME, OPT_MONTHLY };

static const struct cli_option opts[] = {
	{ "name", OPT_NAME, CLI_ARG, "NAME", "product name (required)" },
	{ "description", OPT_DESCRIPTION, CLI_ARG, "TEXT", "product description" },
	{ "platform", OPT_PLATFORM, CLI_ARG, "linux|windows", "platform the product covers (repeatable, required)" },
	{ "region", OPT_REGION_CONF, CLI_ARG, "REGION", "region the product covers (repeatable; default the caller's)" },
	{ "instance-type", OPT_TYPE, CLI_ARG, "TYPE=PRICE", "hourly price of an instance type (repeatable, required)" },
	{ "one-time-fee", OPT_ONE_TIME, CLI_ARG, "AMOUNT", "charge at every sign-up" },
	{ "monthly-fee", OPT_MONTHLY, CLI_ARG, "AMOUNT", "monthly charge, prorated in the month of sign-up" },
	{ 0 },
};

static void check_money(struct cli *c, const char *what, const char *v)
{
	int64_t m;
	if (money_parse(v, &m))
		cli_usage_error(c, "invalid %s '%s': expected a non-negative amount in dollars, at most 6 decimal places", what, v);
}

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	int np = 1, nr = 1, nt = 1;
	const char *arg, *name = NULL;
	cli_init(&c, "devpay-register-product", "Register a DevPay product and print its code, token and purchase URL.",
		 "--name NAME --platform linux|windows ... --instance-type TYPE=PRICE ... [OPTION]...",
		 opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		case OPT_NAME: name = arg; query_set(&q, "Name", arg); break;
		case OPT_DESCRIPTION: query_set(&q, "Description", arg); break;
		case OPT_PLATFORM:
			if (platform_parse(arg) < 0)
				cli_usage_error(&c, "invalid platform '%s': expected linux or windows", arg);
			np = query_add_list(&q, "Platform", np, arg);
			break;
		case OPT_REGION_CONF:
			if (!region_valid(arg))
				cli_usage_error(&c, "invalid region '%s'", arg);
			nr = query_add_list(&q, "Region", nr, arg);
			break;
		case OPT_TYPE: {
			const char *eq = strchr(arg, '=');
			if (!eq)
				cli_usage_error(&c, "invalid --instance-type '%s': expected TYPE=PRICE", arg);
			char *type = xstrndup(arg, (size_t)(eq - arg));
			if (!rate_find(type))
				cli_usage_error(&c, "invalid instance type '%s'", type);
			check_money(&c, "price", eq + 1);
			char key[64];
			snprintf(key, sizeof key, "InstanceType.%d.Name", nt);
			query_add(&q, key, type);
			snprintf(key, sizeof key, "InstanceType.%d.Price", nt++);
			query_add(&q, key, eq + 1);
			free(type);
			break;
		}
		case OPT_ONE_TIME: check_money(&c, "--one-time-fee", arg); query_set(&q, "OneTimeFee", arg); break;
		case OPT_MONTHLY: check_money(&c, "--monthly-fee", arg); query_set(&q, "MonthlyFee", arg); break;
		}
	}
	if (cli_argc(&c))
		cli_usage_error(&c, "unexpected argument '%s'", cli_argv(&c)[0]);
	if (!name || !*name)
		cli_usage_error(&c, "missing --name");
	if (np == 1)
		cli_usage_error(&c, "missing --platform");
	if (nt == 1)
		cli_usage_error(&c, "missing --instance-type");
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "RegisterProduct", &q, &r);
	print_products(&c.cfg, xml_child(r.root, "productSet"));
	response_release(&r);
	query_release(&q);
	return 0;
}
