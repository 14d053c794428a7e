/* devpay-modify-product: schedule a price or configuration change of a
 * product, or withdraw the pending one (Action ModifyProduct). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "clock.h"
#include "money.h"
#include "print.h"
#include "rates.h"

enum { OPT_PLATFORM = CLI_LONG(0), OPT_REGION_CONF, OPT_TYPE, OPT_ONE_TIME, OPT_MONTHLY,
       OPT_EFFECTIVE, OPT_WITHDRAW };

static const struct cli_option opts[] = {
	{ "instance-type", OPT_TYPE, CLI_ARG, "TYPE=PRICE", "hourly price of an instance type (repeatable; the list replaces the current one)" },
	{ "platform", OPT_PLATFORM, CLI_ARG, "linux|windows", "platform the product covers (repeatable; replaces)" },
	{ "region", OPT_REGION_CONF, CLI_ARG, "REGION", "region the product covers (repeatable; replaces)" },
	{ "monthly-fee", OPT_MONTHLY, CLI_ARG, "AMOUNT", "new monthly charge" },
	{ "one-time-fee", OPT_ONE_TIME, CLI_ARG, "AMOUNT", "new charge at every sign-up" },
	{ "effective", OPT_EFFECTIVE, CLI_ARG, "YYYY-MM-DD", "the change takes effect at 00:00 UTC of this future date" },
	{ "withdraw", OPT_WITHDRAW, CLI_NOARG, NULL, "withdraw the pending change" },
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
	int np = 1, nr = 1, nt = 1, changes = 0, withdraw = 0;
	const char *arg, *effective = NULL;
	cli_init(&c, "devpay-modify-product",
		 "Change a product's prices or configuration from a future date, or withdraw the pending change.",
		 "CODE [--instance-type TYPE=PRICE]... [--platform P]... [--region R]... [--monthly-fee A] [--one-time-fee A] --effective YYYY-MM-DD\n"
		 "       devpay-modify-product CODE --withdraw",
		 opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		changes += k != OPT_EFFECTIVE && k != OPT_WITHDRAW;
		switch (k) {
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
	client_check_code(&c, code);
	if (withdraw && (changes || effective))
		cli_usage_error(&c, "--withdraw cannot be combined with a change");
	if (!withdraw && !effective)
		cli_usage_error(&c, "missing --effective");
	if (!withdraw && !changes)
		cli_usage_error(&c, "nothing to change: give --instance-type, --platform, --region, --monthly-fee or --one-time-fee");
	query_set(&q, "ProductCode", code);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "ModifyProduct", &q, &r);
	print_products(&c.cfg, xml_child(r.root, "productSet"));
	response_release(&r);
	query_release(&q);
	return 0;
}
