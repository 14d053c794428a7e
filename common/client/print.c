/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>
#include "client/print.h"

static void join_items(const xmlNode *set, const char *field, struct buf *out)
{
	int n = 0;
	xml_foreach(it, set, "item")
		buf_addf(out, "%s%s", n++ ? "," : "", xml_text(it, field));
}

static void print_prices(const struct dp_config *cfg, const char *code, const xmlNode *conf)
{
	const char *eff = client_time(xml_text(conf, "effectiveDate"));
	char effective[32];
	strncpy(effective, eff, sizeof effective - 1);
	effective[sizeof effective - 1] = '\0';
	xml_foreach(it, xml_child(conf, "instanceTypeSet"), "item")
	{
		const char *f[] = { code, xml_text(it, "instanceType"), xml_text(it, "hourlyPrice"),
				    effective, xml_text(it, "platform"), xml_text(it, "regionName") };
		out_record(cfg, &REC_PRICE, f);
	}
}

void print_products(const struct dp_config *cfg, const xmlNode *set)
{
	xml_foreach(p, set, "item")
	{
		struct buf pl = BUF_INIT, rg = BUF_INIT;
		const char *code = xml_text(p, "productCode");
		join_items(xml_child(p, "platformSet"), "platform", &pl);
		join_items(xml_child(p, "regionSet"), "regionName", &rg);
		const char *f[] = { code, xml_text(p, "name"), xml_text(p, "ownerId"), buf_str(&pl),
				    buf_str(&rg), xml_text(p, "oneTimeFee"), xml_text(p, "monthlyFee"),
				    xml_text(p, "productToken"), xml_text(p, "purchaseUrl"),
				    xml_text(p, "description") };
		out_record(cfg, &REC_PRODUCT, f);
		print_prices(cfg, code, p);
		const xmlNode *pend = xml_child(p, "pendingChange");
		if (pend) {
			buf_reset(&pl);
			buf_reset(&rg);
			join_items(xml_child(pend, "platformSet"), "platform", &pl);
			join_items(xml_child(pend, "regionSet"), "regionName", &rg);
			const char *g[] = { code, client_time(xml_text(pend, "effectiveDate")),
					    buf_str(&pl), buf_str(&rg), xml_text(pend, "oneTimeFee"),
					    xml_text(pend, "monthlyFee") };
			out_record(cfg, &REC_PENDING, g);
			print_prices(cfg, code, pend);
		}
		buf_release(&pl);
		buf_release(&rg);
	}
}

void print_subscription(const struct dp_config *cfg, const xmlNode *sub)
{
	char start[32];
	strncpy(start, client_time(xml_text(sub, "startTime")), sizeof start - 1);
	start[sizeof start - 1] = '\0';
	const char *f[] = { xml_text(sub, "productCode"), xml_text(sub, "accountId"),
			    xml_text(sub, "state"), start, client_time(xml_text(sub, "endTime")) };
	out_record(cfg, &REC_SUBSCRIPTION, f);
}

void print_tag_set(const struct dp_config *cfg, const char *type, const char *id,
		   const xmlNode *set)
{
	xml_foreach(t, set, "item")
	{
		const char *f[] = { type, id, xml_text(t, "key"), xml_text(t, "value") };
		out_record(cfg, &REC_TAG, f);
	}
}

const char *print_resource_type(const char *id)
{
	/* EC2's taggable resources of the 2016 API by their id prefixes, so
	 * that the records name them against any endpoint */
	static const struct { const char *prefix, *type; } kinds[] = {
		{ "i-", "instance" }, { "ami-", "image" }, { "r-", "reservation" },
		{ "vol-", "volume" }, { "snap-", "snapshot" }, { "sg-", "security-group" },
		{ "eni-", "network-interface" }, { "vpc-", "vpc" }, { "subnet-", "subnet" },
		{ "igw-", "internet-gateway" }, { "rtb-", "route-table" }, { "acl-", "network-acl" },
		{ "dopt-", "dhcp-options" }, { "cgw-", "customer-gateway" },
		{ "vgw-", "vpn-gateway" }, { "vpn-", "vpn-connection" },
		{ "sir-", "spot-instances-request" }, { "aki-", "image" }, { "ari-", "image" },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strncmp(id, kinds[i].prefix, strlen(kinds[i].prefix)))
			return kinds[i].type;
	return "";
}

/* One INSTANCE record, ec2-api-tools 1.6 field order, and its TAG records. */
static void print_instance(const struct dp_config *cfg, const xmlNode *it)
{
	struct buf codes = BUF_INIT, mon = BUF_INIT, groups = BUF_INIT;
	const char *m = xml_text(it, "monitoring/state");
	client_product_codes(xml_child(it, "productCodes"), &codes);
	if (*m)
		buf_addf(&mon, "monitoring-%s", m);
	int n = 0;
	xml_foreach(g, xml_child(it, "groupSet"), "item")
		buf_addf(&groups, "%s%s", n++ ? "," : "", xml_text(g, "groupId"));
	const char *f[] = { xml_text(it, "instanceId"), xml_text(it, "imageId"),
			    xml_text(it, "dnsName"), xml_text(it, "privateDnsName"),
			    xml_text(it, "instanceState/name"), xml_text(it, "keyName"),
			    xml_text(it, "amiLaunchIndex"), buf_str(&codes),
			    xml_text(it, "instanceType"), client_time(xml_text(it, "launchTime")),
			    xml_text(it, "placement/availabilityZone"), xml_text(it, "kernelId"),
			    xml_text(it, "ramdiskId"), xml_text(it, "platform"), buf_str(&mon),
			    xml_text(it, "ipAddress"), xml_text(it, "privateIpAddress"),
			    xml_text(it, "vpcId"), xml_text(it, "subnetId"),
			    xml_text(it, "rootDeviceType"), xml_text(it, "instanceLifecycle"),
			    xml_text(it, "spotInstanceRequestId"), xml_text(it, "license/pool"),
			    xml_text(it, "placement/groupName"), xml_text(it, "virtualizationType"),
			    xml_text(it, "hypervisor"), xml_text(it, "clientToken"), buf_str(&groups),
			    xml_text(it, "placement/tenancy"), xml_text(it, "ebsOptimized"),
			    xml_text(it, "iamInstanceProfile/arn") };
	out_record(cfg, &REC_INSTANCE, f);
	print_tag_set(cfg, "instance", xml_text(it, "instanceId"), xml_child(it, "tagSet"));
	buf_release(&codes);
	buf_release(&mon);
	buf_release(&groups);
}

void print_reservation(const struct dp_config *cfg, const xmlNode *res)
{
	struct buf groups = BUF_INIT;
	int n = 0;
	xml_foreach(g, xml_child(res, "groupSet"), "item")
	{
		const char *name = xml_text(g, "groupName");
		buf_addf(&groups, "%s%s", n++ ? "," : "", *name ? name : xml_text(g, "groupId"));
	}
	const char *f[] = { xml_text(res, "reservationId"), xml_text(res, "ownerId"),
			    buf_str(&groups) };
	out_record(cfg, &REC_RESERVATION, f);
	buf_release(&groups);
	xml_foreach(it, xml_child(res, "instancesSet"), "item")
		print_instance(cfg, it);
}
