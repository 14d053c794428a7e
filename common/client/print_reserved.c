/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "client/print_reserved.h"

/* ec2-api-tools print a term in years ("1y", "3y"); anything else in seconds. */
static const char *duration(const char *seconds, char out[32])
{
	char *end;
	long s = strtol(seconds, &end, 10);
	if (*seconds && !*end && s > 0 && s % (365L * 86400) == 0)
		snprintf(out, 32, "%ldy", s / (365L * 86400));
	else
		snprintf(out, 32, "%s", seconds);
	return out;
}

void print_offerings(const struct dp_config *cfg, const xmlNode *set)
{
	xml_foreach(it, set, "item")
	{
		char d[32];
		const char *f[] = { xml_text(it, "reservedInstancesOfferingId"),
				    xml_text(it, "availabilityZone"), xml_text(it, "instanceType"),
				    duration(xml_text(it, "duration"), d), xml_text(it, "fixedPrice"),
				    xml_text(it, "usagePrice"), xml_text(it, "productDescription"),
				    xml_text(it, "currencyCode"), xml_text(it, "instanceTenancy"),
				    xml_text(it, "offeringType") };
		out_record(cfg, &REC_OFFERING, f);
	}
}

void print_reserved(const struct dp_config *cfg, const xmlNode *set)
{
	xml_foreach(it, set, "item")
	{
		char d[32];
		const char *f[] = { xml_text(it, "reservedInstancesId"), xml_text(it, "availabilityZone"),
				    xml_text(it, "instanceType"), xml_text(it, "productDescription"),
				    duration(xml_text(it, "duration"), d), xml_text(it, "fixedPrice"),
				    xml_text(it, "usagePrice"), xml_text(it, "instanceCount"),
				    client_time(xml_text(it, "start")), xml_text(it, "state"),
				    xml_text(it, "currencyCode"), xml_text(it, "instanceTenancy"),
				    xml_text(it, "offeringType") };
		out_record(cfg, &REC_RESERVED, f);
	}
}
