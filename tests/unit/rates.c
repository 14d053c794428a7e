/* SPDX-License-Identifier: Apache-2.0 */
/* common/base/rates.c, rates_od.c: EC2 on-demand rates as data, RI terms. */
#include "base/rates.h"
#include "tap.h"

#include <string.h>
#include "base/clock.h"

static int64_t day(const char *ymd)
{
	int64_t t = 0;
	clock_parse(ymd, &t);
	return t;
}

/* DOMAIN.md's table: us-east-1 in June 2008 and in 2010. */
static void rate(const char *type, int64_t linux_, int64_t windows)
{
	const char *when[] = { "2008-06-15", "2010-12-31" };
	for (int i = 0; i < 2; i++) {
		int64_t t = day(when[i]) + (strcmp(type, "t1.micro") && strcmp(type, "m2.xlarge") ? 0 :
					      i ? 0 : day("2010-10-01") - day("2008-06-15"));
		is_int(rate_hourly("us-east-1", PLATFORM_LINUX, type, t), linux_,
		       "%s Linux/UNIX on-demand rate in %s", type, when[i]);
		is_int(rate_hourly("us-east-1", PLATFORM_WINDOWS, type, t), windows,
		       "%s Windows on-demand rate in %s", type, when[i]);
	}
}

static int load(const char *text, char *err, size_t n)
{
	err[0] = '\0';
	return rates_load_text("op.rates", text, err, n);
}

int main(void)
{
	char err[256];
	ok(ri_terms_count >= 7, "the RI terms have the seven types of DOMAIN.md");
	for (unsigned i = 0; i < ri_terms_count; i++) {
		ok(ri_find(ri_terms[i].type) == &ri_terms[i], "ri_find finds %s", ri_terms[i].type);
		ok(rate_in_region("us-east-1", ri_terms[i].type), "%s has an on-demand rate", ri_terms[i].type);
	}
	rate("m1.small", 100000, 125000);
	rate("c1.medium", 200000, 300000);
	rate("m1.large", 400000, 500000);
	rate("m1.xlarge", 800000, 1000000);
	rate("c1.xlarge", 800000, 1200000);
	rate("m2.xlarge", 500000, 620000);
	rate("t1.micro", 20000, 30000);
	const struct ri_term *s = ri_find("m1.small");
	ok(s && s->fixed == 227500000 && s->hourly[PLATFORM_LINUX] == 30000,
	   "a 1-year m1.small Linux RI is $227.50 + $0.03/h");

	/* regions, dates, the rule before the first date */
	is_int(rate_hourly("eu-west-1", PLATFORM_LINUX, "m1.small", day("2008-12-15")), 110000,
	       "eu-west-1 m1.small Linux is $0.11 in 2008");
	is_int(rate_hourly("eu-west-1", PLATFORM_LINUX, "m1.small", day("2008-01-01")), 110000,
	       "before a region's first date its earliest rate applies");
	is_int(rate_hourly("", PLATFORM_LINUX, "m1.small", day("2008-06-15")), 100000,
	       "usage without a region is costed at us-east-1's rate");
	is_int(rate_hourly("us-east-1", PLATFORM_LINUX, "t2.micro", day("2014-07-01")), 13000,
	       "t2.micro is $0.013 from 2014-07-01");
	ok(rate_offered("eu-central-1", PLATFORM_LINUX, "t2.micro"), "t2.micro is offered in eu-central-1");
	ok(!rate_in_region("eu-central-1", "m1.small"), "m1.small is not offered in eu-central-1");
	ok(!rate_in_region("sa-east-1", "cc1.4xlarge"), "cc1.4xlarge is not offered in sa-east-1");
	ok(rate_type_known("cc1.4xlarge"), "cc1.4xlarge is a known type");
	int64_t next, r1 = rate_hourly_next("us-east-1", PLATFORM_LINUX, "m1.small", day("2013-06-01"), &next);
	is_int(r1, 60000, "m1.small in 2013");
	is_int(next, day("2014-04-01"), "the next m1.small rate takes effect on 2014-04-01");
	is_int(rate_hourly("us-east-1", PLATFORM_LINUX, "m1.small", day("2014-04-01")), 44000,
	       "the new rate from its first second");
	is_int(rate_hourly("us-east-1", PLATFORM_LINUX, "m1.small", day("2014-04-01") - 1), 60000,
	       "the old rate until its last second");
	rate_hourly_next("us-east-1", PLATFORM_LINUX, "m1.small", day("2026-01-01"), &next);
	is_int(next, INT64_MAX, "no later rate after the last one");
	is_int(rate_hourly("us-east-1", PLATFORM_LINUX, "m1.tiny", 0), -1, "an unknown type has no rate");
	is_int(rate_hourly("us-east-1", PLATFORM_LINUX, "", 0), -1, "\"\" has no rate");
	is_int(rate_hourly("us-east-1", PLATFORM_LINUX, "M1.SMALL", 0), -1, "types are case-sensitive like EC2");
	ok(!rate_type_known("m1.tiny"), "m1.tiny is not a known type");

	/* an operator's file: overrides and additions; malformed ones change nothing */
	is_int(load("# mine\n\nus-east-1 linux m1.small 2026-01-01 0.5 # dearer\n"
		    "eu-central-1 linux m1.small 2015-01-01 0.07\n"
		    "us-east-1 windows m1.small 2008-10-23 0.2\n", err, sizeof err), 0,
	       "a good file loads");
	is_int(rate_hourly("us-east-1", PLATFORM_LINUX, "m1.small", day("2026-02-01")), 500000,
	       "an added date overrides from then on");
	is_int(rate_hourly("us-east-1", PLATFORM_LINUX, "m1.small", day("2025-12-31")), 44000,
	       "and not before");
	is_int(rate_hourly("us-east-1", PLATFORM_WINDOWS, "m1.small", day("2009-01-01")), 200000,
	       "a line of the same date replaces the figure");
	ok(rate_in_region("eu-central-1", "m1.small"), "an added region makes the type offered there");
	const char *bad[][2] = {
		{ "us-east-1 linux m1.small 2026-01-01\n", "op.rates:1: expected 5 fields" },
		{ "\nus-east-1 linux m1.small 2026-01-01 0.5 x\n", "op.rates:2: expected 5 fields" },
		{ "mars-1 linux m1.small 2026-01-01 0.5\n", "op.rates:1: unknown region 'mars-1'" },
		{ "us-east-1 solaris m1.small 2026-01-01 0.5\n", "op.rates:1: invalid platform 'solaris'" },
		{ "us-east-1 linux M1 2026-01-01 0.5\n", "op.rates:1: invalid instance type 'M1'" },
		{ "us-east-1 linux m1.small 2026-02-30 0.5\n", "op.rates:1: invalid date '2026-02-30'" },
		{ "us-east-1 linux m1.small 2026-1-01 0.5\n", "op.rates:1: invalid date '2026-1-01'" },
		{ "us-east-1 linux m1.small 2026-01-01 -1\n", "op.rates:1: invalid rate '-1'" },
		{ "us-east-1 linux m1.small 2026-01-01 0.1234567\n", "op.rates:1: invalid rate '0.1234567'" },
		{ "us-east-1 linux m1.small 2027-01-01 1\nus-east-1 linux m1.small 2027-01-01 2\n",
		  "op.rates:2: rate given twice (also line 1)" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ok(load(bad[i][0], err, sizeof err) == -1 && !strncmp(err, bad[i][1], strlen(bad[i][1])),
		   "refused: %s (%s)", bad[i][1], err);
	}
	is_int(rate_hourly("us-east-1", PLATFORM_LINUX, "m1.small", day("2027-06-01")), 500000,
	       "a refused file changes nothing");
	ok(rates_load("/nonexistent/x.rates", err, sizeof err) == -1 &&
	   strstr(err, "/nonexistent/x.rates") != NULL, "a missing file is named (%s)", err);

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
	ok(region_valid("eu-central-1"), "eu-central-1 is a region");
	ok(region_valid("ap-southeast-2"), "ap-southeast-2 is a region");
	ok(!region_valid("us-east-9"), "us-east-9 is not");
	ok(!region_valid(""), "\"\" is not");
	return tap_done();
}
