/* The one table of EC2 reference rates (us-east-1, 2008-2010): on-demand
 * hourly prices, and the 1-year Reserved Instance terms. Every price the
 * suite knows of EC2 itself comes from here. */
#ifndef DP_RATES_H
#define DP_RATES_H
#include <stdint.h>

enum platform { PLATFORM_LINUX, PLATFORM_WINDOWS };
#define PLATFORM_COUNT 2

struct rate {
	const char *type;
	int64_t hourly[PLATFORM_COUNT];   /* on-demand, micro-dollars */
	int64_t ri_fixed;                 /* 1-year RI up-front price */
	int64_t ri_hourly[PLATFORM_COUNT];/* 1-year RI hourly price */
};

extern const struct rate rates[];
extern const unsigned rates_count;
const struct rate *rate_find(const char *type);

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
