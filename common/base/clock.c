/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/clock.h"

enum dp_err clock_now(int64_t *now)
{
	const char *fixed = getenv("DEVPAY_NOW");
	if (fixed && *fixed) {
		if (clock_parse(fixed, now) < 0) {
			dp_err_set("DEVPAY_NOW '%s' is not an ISO 8601 UTC time", fixed);
			return DP_ERR_USAGE;
		}
		return DP_OK;
	}
	*now = (int64_t)time(NULL);
	return DP_OK;
}

static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int clock_days_in_month(int year, int month)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 29;
	return d[month - 1];
}

int64_t clock_from_ymd(int year, int month, int day)
{
	struct tm tm = { 0 };
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	return (int64_t)timegm(&tm);
}

void clock_to_ymd(int64_t t, int *year, int *month, int *day)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	*year = tm.tm_year + 1900;
	*month = tm.tm_mon + 1;
	*day = tm.tm_mday;
}

int clock_parse(const char *s, int64_t *t)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	const char *p = s + 10;
	if (*p == 'T' || *p == ' ') {
		if (digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi) || p[6] != ':' ||
		    digits(p + 7, 2, &se))
			return -1;
		p += 9;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == 'Z')
			p++;
		else if (!strcmp(p, "+0000") || !strcmp(p, "+00:00"))
			p += strlen(p);
		else
			return -1;
	}
	if (*p)
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > clock_days_in_month(y, mo) || h > 23 ||
	    mi > 59 || se > 59)
		return -1;
	*t = clock_from_ymd(y, mo, d) + h * 3600 + mi * 60 + se;
	return 0;
}

static void fmt(int64_t t, char out[32], const char *f)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, f, &tm);
}

static void two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* YYYY-MM-DDTHH:MM:SS then tail, for 1970 to 9999 without gmtime and
 * strftime (devpayd writes one a row); other times through them. The
 * date from the days since the epoch (H. Hinnant, "chrono-compatible
 * low-level date algorithms", civil_from_days). */
static void format_fast(int64_t t, char out[32], const char *tail, const char *f)
{
	if (t < 0 || t >= 253402300800LL) {
		fmt(t, out, f);
		return;
	}
	int64_t days = t / 86400, secs = t % 86400;
	int64_t z = days + 719468, era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int y = (int)(yoe + era * 400 + (m <= 2));
	two(out, y / 100);
	two(out + 2, y % 100);
	out[4] = '-';
	two(out + 5, m);
	out[7] = '-';
	two(out + 8, d);
	out[10] = 'T';
	two(out + 11, (int)(secs / 3600));
	out[13] = ':';
	two(out + 14, (int)(secs / 60 % 60));
	out[16] = ':';
	two(out + 17, (int)(secs % 60));
	strcpy(out + 19, tail);
}

void clock_format_wire(int64_t t, char out[32])
{
	format_fast(t, out, ".000Z", "%Y-%m-%dT%H:%M:%S.000Z");
}

void clock_format_print(int64_t t, char out[32])
{
	format_fast(t, out, "+0000", "%Y-%m-%dT%H:%M:%S+0000");
}

int clock_parse_period(const char *s, int *year, int *month)
{
	if (strlen(s) != 7 || digits(s, 4, year) || s[4] != '-' || digits(s + 5, 2, month) ||
	    *month < 1 || *month > 12 || *year < 1970)
		return -1;
	return 0;
}
