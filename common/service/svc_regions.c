/* SPDX-License-Identifier: Apache-2.0 */
/* DescribeRegions and DescribeAvailabilityZones: the regions and zones of
 * rates.h, answered to a caller without an account too (service_handle). */
#include <stdio.h>
#include <string.h>
#include "service/svc.h"

/* Every region the suite knows (or those of RegionName.N); each is served
 * at the endpoint this request came through: devpayd's URL, or the local
 * store's. */
int svc_describe_regions(struct svc *x)
{
	for (int i = 1;; i++) {
		const char *r = query_get_nth(x->q, "RegionName", i, NULL);
		if (!r)
			break;
		if (!region_valid(r))
			return svc_fail(x, 400, "InvalidParameterValue", "Invalid region: %s", r);
	}
	int named = query_get_nth(x->q, "RegionName", 1, NULL) != NULL;
	const char *endpoint = x->call && x->call->endpoint ? x->call->endpoint : "";
	svc_open(x, "regionInfo");
	for (int k = 0; regions[k]; k++) {
		int want = !named;
		for (int i = 1; !want; i++) {
			const char *r = query_get_nth(x->q, "RegionName", i, NULL);
			if (!r)
				break;
			want = !strcmp(r, regions[k]);
		}
		if (!want)
			continue;
		svc_open(x, "item");
		svc_elem(x, "regionName", regions[k]);
		svc_elem(x, "regionEndpoint", endpoint);
		svc_close(x);
	}
	svc_close(x);
	return 0;
}

/* The zones of the request's region (or those of ZoneName.N), the ones
 * RunInstances accepts: all available. */
int svc_describe_availability_zones(struct svc *x)
{
	if (!region_valid(x->region))
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid region '%s'", x->region);
	for (int i = 1;; i++) {
		const char *z = query_get_nth(x->q, "ZoneName", i, NULL);
		if (!z)
			break;
		if (!zone_valid(x->region, z))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid availability zone: [%s] (the zones of %s are %s%c to %s%c)", z,
					x->region, x->region, ZONE_LETTERS[0], x->region,
					ZONE_LETTERS[sizeof ZONE_LETTERS - 2]);
	}
	int named = query_get_nth(x->q, "ZoneName", 1, NULL) != NULL;
	svc_open(x, "availabilityZoneInfo");
	for (const char *l = ZONE_LETTERS; *l; l++) {
		char zone[48];
		snprintf(zone, sizeof zone, "%s%c", x->region, *l);
		int want = !named;
		for (int i = 1; !want; i++) {
			const char *z = query_get_nth(x->q, "ZoneName", i, NULL);
			if (!z)
				break;
			want = !strcmp(z, zone);
		}
		if (!want)
			continue;
		svc_open(x, "item");
		svc_elem(x, "zoneName", zone);
		svc_elem(x, "zoneState", "available");
		svc_elem(x, "regionName", x->region);
		svc_open(x, "messageSet");
		svc_close(x);
		svc_close(x);
	}
	svc_close(x);
	return 0;
}
