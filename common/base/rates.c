/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include <strings.h>
#include "base/rates.h"

#define USD(d, c) ((int64_t)(d) * 1000000 + (int64_t)(c))

/* The 1-year Reserved Instance terms: the published prices of 2009-2010
 * (m1.small Linux $227.50 + $0.03/h as DOMAIN.md states). */
const struct ri_term ri_terms[] = {
	{ "t1.micro",  USD(54, 0),       { USD(0, 7000),   USD(0, 13000) } },
	{ "m1.small",  USD(227, 500000), { USD(0, 30000),  USD(0, 50000) } },
	{ "c1.medium", USD(455, 0),      { USD(0, 60000),  USD(0, 125000) } },
	{ "m1.large",  USD(910, 0),      { USD(0, 120000), USD(0, 200000) } },
	{ "m2.xlarge", USD(1325, 0),     { USD(0, 170000), USD(0, 240000) } },
	{ "m1.xlarge", USD(1820, 0),     { USD(0, 240000), USD(0, 400000) } },
	{ "c1.xlarge", USD(1820, 0),     { USD(0, 240000), USD(0, 500000) } },
};
const unsigned ri_terms_count = sizeof ri_terms / sizeof ri_terms[0];

const struct ri_term *ri_find(const char *type)
{
	for (unsigned i = 0; i < ri_terms_count; i++)
		if (!strcmp(ri_terms[i].type, type))
			return &ri_terms[i];
	return NULL;
}

int platform_parse(const char *s)
{
	if (!strcasecmp(s, "linux") || !strcasecmp(s, "Linux/UNIX") || !strcasecmp(s, "unix"))
		return PLATFORM_LINUX;
	if (!strcasecmp(s, "windows"))
		return PLATFORM_WINDOWS;
	return -1;
}

const char *platform_name(enum platform p)
{
	switch (p) {
	case PLATFORM_LINUX: return "linux";
	case PLATFORM_WINDOWS: return "windows";
	}
	return "linux";
}

const char *platform_description(enum platform p)
{
	switch (p) {
	case PLATFORM_LINUX: return "Linux/UNIX";
	case PLATFORM_WINDOWS: return "Windows";
	}
	return "Linux/UNIX";
}

const char *const regions[] = {
	"us-east-1", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1",
	"ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1", NULL,
};

int region_valid(const char *r)
{
	for (int i = 0; regions[i]; i++)
		if (!strcmp(regions[i], r))
			return 1;
	return 0;
}

int zone_valid(const char *region, const char *zone)
{
	size_t n = strlen(region);
	return region_valid(region) && strlen(zone) == n + 1 && !strncmp(zone, region, n) &&
	       zone[n] && strchr(ZONE_LETTERS, zone[n]);
}
