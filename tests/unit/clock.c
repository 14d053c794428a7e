/* SPDX-License-Identifier: Apache-2.0 */
/* common/base/clock.c: the ISO 8601 forms accepted, calendar helpers, printing. */
#include <stdlib.h>
#include <time.h>
#include "base/clock.h"
#include "tap.h"

static void accepts(const char *s, int64_t want)
{
	int64_t t = -42;
	int r = clock_parse(s, &t);
	is_int(r, 0, "clock_parse accepts '%s'", s);
	is_int(t, want, "clock_parse '%s'", s);
}

static void refuses(const char *s)
{
	int64_t t = -42;
	int r = clock_parse(s, &t);
	is_int(r, -1, "clock_parse refuses '%s'", s);
	is_int(t, -42, "clock_parse '%s' leaves the result alone", s);
}

static void days(int y, int m, int want)
{
	is_int(clock_days_in_month(y, m), want, "clock_days_in_month(%d, %d)", y, m);
}

static void period(const char *s, int ok_, int wy, int wm)
{
	int y = -1, m = -1;
	int r = clock_parse_period(s, &y, &m);
	if (ok_) {
		is_int(r, 0, "clock_parse_period accepts '%s'", s);
		ok(y == wy && m == wm, "clock_parse_period '%s' is %d-%d (got %d-%d)", s, wy, wm, y, m);
	} else {
		is_int(r, -1, "clock_parse_period refuses '%s'", s);
	}
}

int main(void)
{
	const int64_t june8 = 1244419200; /* 2009-06-08T00:00:00Z */
	accepts("2009-06-08T00:00:00Z", june8);
	accepts("2009-06-08T00:00:00.000Z", june8);
	accepts("2009-06-08T00:00:00.5Z", june8);
	accepts("2009-06-08T00:00:00+0000", june8);
	accepts("2009-06-08T00:00:00+00:00", june8);
	accepts("2009-06-08", june8);
	accepts("2009-06-08T12:34:56Z", 1244464496);
	accepts("2009-06-08 12:34:56Z", 1244464496);
	accepts("2009-12-31T23:59:59Z", 1262303999);
	accepts("1970-01-01T00:00:00Z", 0);
	accepts("2008-02-29", 1204243200);
	accepts("2000-02-29", 951782400);
	accepts("2038-01-19T03:14:08Z", INT64_C(2147483648));
	accepts("2100-03-01", INT64_C(4107542400));

	refuses("");
	refuses("2009");
	refuses("2009-06");
	refuses("2009-6-08");
	refuses("2009/06/08");
	refuses("09-06-08T00:00:00Z");
	refuses("2009-02-29");
	refuses("1900-02-29");
	refuses("2009-04-31");
	refuses("2009-00-10");
	refuses("2009-13-01");
	refuses("2009-06-00");
	refuses("2009-06-32");
	refuses("1969-12-31T23:59:59Z");
	refuses("2009-06-08T24:00:00Z");
	refuses("2009-06-08T23:60:00Z");
	refuses("2009-06-08T23:59:60Z");
	refuses("2009-06-08T00:00:00");       /* no zone: not UTC for sure */
	refuses("2009-06-08T00:00Z");
	refuses("2009-06-08T0:00:00Z");
	refuses("2009-06-08T00:00:00.Z");
	refuses("2009-06-08T00:00:00+0100");
	refuses("2009-06-08T00:00:00-0000x");
	refuses("2009-06-08T00:00:00Zjunk");
	refuses("2009-06-08T00:00:00Z ");
	refuses("2009-06-08T00:00:00+0000 ");
	refuses("2009-06-08junk");
	refuses("2009-06-08 ");
	refuses("2009-06-08T");
	refuses("-2009-06-08");
	refuses("2009-06-08\n");

	days(2009, 1, 31);
	days(2009, 2, 28);
	days(2008, 2, 29);
	days(2000, 2, 29);
	days(1900, 2, 28);
	days(2100, 2, 28);
	days(2009, 4, 30);
	days(2009, 6, 30);
	days(2009, 12, 31);
	int total = 0;
	for (int m = 1; m <= 12; m++)
		total += clock_days_in_month(2009, m);
	is_int(total, 365, "2009 has 365 days");
	total = 0;
	for (int m = 1; m <= 12; m++)
		total += clock_days_in_month(2008, m);
	is_int(total, 366, "2008 has 366 days");

	is_int(clock_from_ymd(2009, 6, 8), june8, "clock_from_ymd(2009, 6, 8)");
	int y, m, d;
	clock_to_ymd(june8 + 86399, &y, &m, &d);
	ok(y == 2009 && m == 6 && d == 8, "clock_to_ymd of 2009-06-08T23:59:59 (got %d-%d-%d)", y, m, d);
	clock_to_ymd(june8 + 86400 * 23, &y, &m, &d);
	ok(y == 2009 && m == 7 && d == 1, "clock_to_ymd of 2009-07-01 (got %d-%d-%d)", y, m, d);

	char out[32];
	clock_format_wire(1244464496, out);
	is_str(out, "2009-06-08T12:34:56.000Z", "clock_format_wire");
	clock_format_print(1244464496, out);
	is_str(out, "2009-06-08T12:34:56+0000", "clock_format_print");
	clock_format_wire(0, out);
	is_str(out, "1970-01-01T00:00:00.000Z", "clock_format_wire of the epoch");
	/* the arithmetic of the fast path against gmtime and strftime: every
	 * day's first and last second from 1970 to 2100, and leap days */
	int same = 1;
	for (int64_t day = 0; day < 47482 && same; day++)
		for (int k = 0; k < 2 && same; k++) {
			int64_t u = day * 86400 + (k ? 86399 : 0);
			char want[32];
			time_t tt = (time_t)u;
			struct tm tm;
			gmtime_r(&tt, &tm);
			strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
			clock_format_wire(u, out);
			same = !strcmp(out, want);
			if (!same)
				printf("#   clock_format_wire(%lld): %s, gmtime %s\n", (long long)u, out, want);
		}
	ok(same, "clock_format_wire matches gmtime for each day of 1970-2100");
	clock_format_wire(253402300799LL, out);
	is_str(out, "9999-12-31T23:59:59.000Z", "clock_format_wire of the last second of 9999");
	clock_format_print(951782400, out);
	is_str(out, "2000-02-29T00:00:00+0000", "clock_format_print of a leap day");
	int64_t t = 0;
	clock_format_wire(1262303999, out);
	ok(clock_parse(out, &t) == 0 && t == 1262303999, "clock_parse reads clock_format_wire back");
	clock_format_print(1262303999, out);
	ok(clock_parse(out, &t) == 0 && t == 1262303999, "clock_parse reads clock_format_print back");

	period("2009-06", 1, 2009, 6);
	period("2008-12", 1, 2008, 12);
	period("1970-01", 1, 1970, 1);
	period("2009-13", 0, 0, 0);
	period("2009-00", 0, 0, 0);
	period("2009-6", 0, 0, 0);
	period("2009-06-01", 0, 0, 0);
	period("1969-12", 0, 0, 0);
	period("2009/06", 0, 0, 0);
	period("", 0, 0, 0);
	period("abcd-ef", 0, 0, 0);

	setenv("DEVPAY_NOW", "2009-06-08T12:34:56Z", 1);
	t = 0;
	is_int(clock_now(&t), DP_OK, "clock_now honours DEVPAY_NOW");
	is_int(t, 1244464496, "clock_now is DEVPAY_NOW");
	setenv("DEVPAY_NOW", "yesterday", 1);
	is_int(clock_now(&t), DP_ERR_USAGE, "clock_now refuses a bad DEVPAY_NOW");
	unsetenv("DEVPAY_NOW");
	ok(clock_now(&t) == DP_OK && t > 1244419200, "clock_now without DEVPAY_NOW is the system clock");
	return tap_done();
}
