#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "money.h"
#include "product_opts.h"
#include "rates.h"

static void check_money(const struct cli *c, const char *what, const char *v)
{
	int64_t m;
	if (money_parse(v, &m))
		cli_usage_error(c, "invalid %s '%s': expected a non-negative amount in dollars, at most 6 decimal places",
				what, v);
}

int product_opt(const struct cli *c, struct product_opts *po, int key, const char *arg,
		struct query *q)
{
	switch (key) {
	case PRODUCT_OPT_PLATFORM:
		if (platform_parse(arg) < 0)
			cli_usage_error(c, "invalid platform '%s': expected linux or windows", arg);
		query_add_list(q, "Platform", ++po->platforms, arg);
		return 1;
	case PRODUCT_OPT_REGION:
		if (!region_valid(arg))
			cli_usage_error(c, "invalid region '%s'", arg);
		query_add_list(q, "Region", ++po->regions, arg);
		return 1;
	case PRODUCT_OPT_TYPE: {
		const char *eq = strchr(arg, '=');
		if (!eq)
			cli_usage_error(c, "invalid --instance-type '%s': expected TYPE=PRICE", arg);
		char *type = xstrndup(arg, (size_t)(eq - arg));
		if (!rate_find(type))
			cli_usage_error(c, "invalid instance type '%s'", type);
		check_money(c, "price", eq + 1);
		char key_name[64];
		po->types++;
		snprintf(key_name, sizeof key_name, "InstanceType.%d.Name", po->types);
		query_add(q, key_name, type);
		snprintf(key_name, sizeof key_name, "InstanceType.%d.Price", po->types);
		query_add(q, key_name, eq + 1);
		free(type);
		return 1;
	}
	case PRODUCT_OPT_ONE_TIME:
		check_money(c, "--one-time-fee", arg);
		query_set(q, "OneTimeFee", arg);
		return 1;
	case PRODUCT_OPT_MONTHLY:
		check_money(c, "--monthly-fee", arg);
		query_set(q, "MonthlyFee", arg);
		return 1;
	}
	return 0;
}
