/* SPDX-License-Identifier: Apache-2.0 */
/* common/service/svc_products.c: svc_price_lookup, the one price lookup: the most
 * specific of a product version's price rules wins. */
#include <string.h>
#include "service/svc.h"
#include "tap.h"

static struct price_rule rule(const char *region, int platform, const char *type, int64_t hourly)
{
	struct price_rule r = { .platform = platform, .hourly = hourly };
	strcpy(r.region, region);
	strcpy(r.type, type);
	return r;
}

static void price(const struct price_rule *r, int n, const char *region, int platform,
		  const char *type, int64_t want)
{
	is_int(svc_price_lookup(r, n, region, platform, type), want, "%s %s %s", region,
	       platform_name((enum platform)platform), type);
}

int main(void)
{
	/* listed least specific last, so order cannot be what decides */
	struct price_rule r[] = {
		rule("eu-west-1", PLATFORM_WINDOWS, "m1.small", 330000),
		rule("", PLATFORM_WINDOWS, "m1.small", 300000),
		rule("eu-west-1", PLATFORM_LINUX, "m1.large", 550000),
		rule("", -1, "m1.small", 200000),
		rule("", -1, "m1.large", 500000),
	};
	int n = (int)(sizeof r / sizeof r[0]);
	price(r, n, "us-east-1", PLATFORM_LINUX, "m1.small", 200000);
	price(r, n, "us-east-1", PLATFORM_WINDOWS, "m1.small", 300000);
	price(r, n, "eu-west-1", PLATFORM_WINDOWS, "m1.small", 330000);
	price(r, n, "eu-west-1", PLATFORM_LINUX, "m1.small", 200000);
	price(r, n, "eu-west-1", PLATFORM_LINUX, "m1.large", 550000);
	price(r, n, "eu-west-1", PLATFORM_WINDOWS, "m1.large", 500000);
	price(r, n, "us-east-1", PLATFORM_LINUX, "m1.large", 500000);
	price(r, n, "us-east-1", PLATFORM_LINUX, "c1.medium", -1);
	/* a platform price alone covers only its platform */
	struct price_rule w[] = { rule("", PLATFORM_WINDOWS, "t1.micro", 30000) };
	price(w, 1, "us-east-1", PLATFORM_WINDOWS, "t1.micro", 30000);
	price(w, 1, "us-east-1", PLATFORM_LINUX, "t1.micro", -1);
	/* a region and platform price alone covers only that region */
	struct price_rule g[] = { rule("sa-east-1", PLATFORM_LINUX, "t1.micro", 40000) };
	price(g, 1, "sa-east-1", PLATFORM_LINUX, "t1.micro", 40000);
	price(g, 1, "us-east-1", PLATFORM_LINUX, "t1.micro", -1);
	/* a free price is a price */
	struct price_rule z[] = { rule("", -1, "m1.small", 0) };
	price(z, 1, "us-east-1", PLATFORM_LINUX, "m1.small", 0);
	price(z, 0, "us-east-1", PLATFORM_LINUX, "m1.small", -1);
	return tap_done();
}
