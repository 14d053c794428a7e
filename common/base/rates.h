/* SPDX-License-Identifier: Apache-2.0 */
/* EC2's own prices. On-demand hourly rates are data: per region, platform,
 * instance type and effective date, from data/rates/ec2-on-demand.rates
 * (compiled in, parsed once on first use) and any operator's file of the
 * same format (rates_load: devpayd --rates, DEVPAY_RATES). The 1-year
 * Reserved Instance terms of the seven reference types stay in code. */
#ifndef DP_RATES_H
#define DP_RATES_H
#include <stddef.h>
#include <stdint.h>

enum platform { PLATFORM_LINUX, PLATFORM_WINDOWS };
#define PLATFORM_COUNT 2

/* The on-demand rate (micro-dollars per hour) of an hour starting at `at`
 * in region ("" or NULL: us-east-1): the rate in force then, or the
 * earliest one when `at` is before its first date. -1 when the type has no
 * rate for that region and platform. */
int64_t rate_hourly(const char *region, enum platform p, const char *type, int64_t at);
/* The same, and *next the time the following rate takes effect (INT64_MAX
 * when none), so a run of hours is costed a rate at a time. */
int64_t rate_hourly_next(const char *region, enum platform p, const char *type, int64_t at,
			 int64_t *next);
/* 1 when type has a rate in region for platform p (at any date). */
int rate_offered(const char *region, enum platform p, const char *type);
/* 1 when type has a rate in region for some platform. */
int rate_in_region(const char *region, const char *type);
/* 1 when type has a rate somewhere: an instance type EC2 knows. */
int rate_type_known(const char *type);

/* Adds or overrides rates from a file of the data file's format (a line of
 * the same region, platform, type and date replaces the figure). 0, or -1
 * with err set to "FILE:LINE: what is wrong" and the rates untouched. */
int rates_load(const char *path, char *err, size_t errlen);
/* The same from text in memory, name naming it in errors (tests). */
int rates_load_text(const char *name, const char *text, char *err, size_t errlen);

/* The 1-year Reserved Instance terms (2009-2010 published prices). */
struct ri_term {
	const char *type;
	int64_t fixed;                 /* up-front price */
	int64_t hourly[PLATFORM_COUNT];/* hourly price */
};
extern const struct ri_term ri_terms[];
extern const unsigned ri_terms_count;
const struct ri_term *ri_find(const char *type);

/* "linux"/"Linux/UNIX" <-> PLATFORM_LINUX; "windows"/"Windows". -1 unknown. */
int platform_parse(const char *s);
const char *platform_name(enum platform p);       /* "linux", "windows" */
const char *platform_description(enum platform p); /* "Linux/UNIX", "Windows" */

/* Regions the suite accepts, and their zones: the region's name followed
 * by one of ZONE_LETTERS (us-east-1a ... us-east-1e). */
extern const char *const regions[];
int region_valid(const char *r);
#define ZONE_LETTERS "abcde"
/* 1 when zone is one of region's zones. */
int zone_valid(const char *region, const char *zone);

#define RI_TERM_SECONDS (365 * 86400)

#endif
