/* common/base/rates.c: the one EC2 rate table. */
#include "base/rates.h"
#include "tap.h"

static void rate(const char *type, int64_t linux_, int64_t windows)
{
	const struct rate *r = rate_find(type);
	ok(r != NULL, "rate_find('%s')", type);
	if (!r)
		return;
	is_int(r->hourly[PLATFORM_LINUX], linux_, "%s Linux/UNIX on-demand rate", type);
	is_int(r->hourly[PLATFORM_WINDOWS], windows, "%s Windows on-demand rate", type);
}

int main(void)
{
	ok(rates_count >= 7, "the table has the seven types of DOMAIN.md");
	for (unsigned i = 0; i < rates_count; i++) {
		const struct rate *r = &rates[i];
		ok(r->type && *r->type, "rate %u has a type", i);
		for (int p = 0; p < PLATFORM_COUNT; p++) {
			ok(r->hourly[p] > 0, "%s has an on-demand rate for %s", r->type, platform_name(p));
			ok(r->ri_hourly[p] > 0 && r->ri_hourly[p] < r->hourly[p],
			   "%s has a reserved rate below on-demand for %s", r->type, platform_name(p));
		}
		ok(r->hourly[PLATFORM_WINDOWS] >= r->hourly[PLATFORM_LINUX], "%s: Windows costs at least Linux", r->type);
		ok(r->ri_fixed > 0, "%s has a reserved up-front price", r->type);
		ok(rate_find(r->type) == r, "rate_find finds %s", r->type);
		for (unsigned j = 0; j < i; j++)
			ok(strcmp(rates[j].type, r->type), "%s is in the table once", r->type);
	}
	/* DOMAIN.md's table */
	rate("m1.small", 100000, 125000);
	rate("c1.medium", 200000, 300000);
	rate("m1.large", 400000, 500000);
	rate("m1.xlarge", 800000, 1000000);
	rate("c1.xlarge", 800000, 1200000);
	rate("m2.xlarge", 500000, 620000);
	rate("t1.micro", 20000, 30000);
	const struct rate *s = rate_find("m1.small");
	ok(s && s->ri_fixed == 227500000 && s->ri_hourly[PLATFORM_LINUX] == 30000,
	   "a 1-year m1.small Linux RI is $227.50 + $0.03/h");

	ok(rate_find("m1.tiny") == NULL, "rate_find of an unknown type is NULL");
	ok(rate_find("") == NULL, "rate_find of \"\" is NULL");
	ok(rate_find("M1.SMALL") == NULL, "rate_find is case-sensitive like EC2");

	is_int(platform_parse("linux"), PLATFORM_LINUX, "platform_parse linux");
	is_int(platform_parse("Linux/UNIX"), PLATFORM_LINUX, "platform_parse Linux/UNIX");
	is_int(platform_parse("windows"), PLATFORM_WINDOWS, "platform_parse windows");
	is_int(platform_parse("Windows"), PLATFORM_WINDOWS, "platform_parse Windows");
	is_int(platform_parse("solaris"), -1, "platform_parse of an unknown platform");
	is_int(platform_parse(""), -1, "platform_parse of \"\"");
	for (int p = 0; p < PLATFORM_COUNT; p++) {
		is_int(platform_parse(platform_name(p)), p, "platform_parse(platform_name(%d))", p);
		is_int(platform_parse(platform_description(p)), p, "platform_parse(platform_description(%d))", p);
	}
	is_str(platform_description(PLATFORM_LINUX), "Linux/UNIX", "Linux description");
	is_str(platform_description(PLATFORM_WINDOWS), "Windows", "Windows description");

	ok(region_valid("us-east-1"), "us-east-1 is a region");
	ok(region_valid("eu-west-1"), "eu-west-1 is a region");
	ok(!region_valid("us-east-9"), "us-east-9 is not");
	ok(!region_valid(""), "\"\" is not");
	return tap_done();
}
