/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/money.h"
#include "client/product_opts.h"
#include "base/rates.h"

static void check_money(const struct cli *c, const char *what, const char *v)
{
	int64_t m;
	if (money_parse(v, &m))
		cli_usage_error(c, "invalid %s '%s': expected a non-negative amount in dollars, at most 6 decimal places and at most 1000000000",
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
		if (!rate_type_known(type))
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
	case PRODUCT_OPT_PRICE: {
		/* [REGION:]PLATFORM:TYPE=PRICE */
		const char *eq = strchr(arg, '=');
		char *spec = xstrndup(arg, eq ? (size_t)(eq - arg) : strlen(arg));
		char *part[4] = { 0 };
		int n = 0;
		for (char *p = spec, *colon; n < 4; p = colon + 1) {
			part[n++] = p;
			if (!(colon = strchr(p, ':')))
				break;
			*colon = '\0';
		}
		if (!eq || n < 2 || n > 3 || strchr(part[n - 1], ':'))
			cli_usage_error(c, "invalid --price '%s': expected [REGION:]PLATFORM:TYPE=PRICE", arg);
		const char *region = n == 3 ? part[0] : NULL, *platform = part[n - 2], *type = part[n - 1];
		if (region && !region_valid(region))
			cli_usage_error(c, "invalid region '%s' in --price '%s'", region, arg);
		if (platform_parse(platform) < 0)
			cli_usage_error(c, "invalid platform '%s' in --price '%s': expected linux or windows",
					platform, arg);
		if (!rate_type_known(type))
			cli_usage_error(c, "invalid instance type '%s' in --price '%s'", type, arg);
		check_money(c, "price", eq + 1);
		char key_name[64];
		po->prices++;
		/* always sent, empty for every region, so that the members of the
		 * list have the same fields (no Price.2.Region after a Price.1 without) */
		snprintf(key_name, sizeof key_name, "Price.%d.Region", po->prices);
		query_add(q, key_name, region ? region : "");
		snprintf(key_name, sizeof key_name, "Price.%d.Platform", po->prices);
		query_add(q, key_name, platform);
		snprintf(key_name, sizeof key_name, "Price.%d.InstanceType", po->prices);
		query_add(q, key_name, type);
		snprintf(key_name, sizeof key_name, "Price.%d.HourlyPrice", po->prices);
		query_add(q, key_name, eq + 1);
		free(spec);
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
