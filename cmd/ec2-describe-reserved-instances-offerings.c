/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-reserved-instances-offerings: the Reserved Instances on sale
 * in the caller's region (Action DescribeReservedInstancesOfferings). */
#include "client/print_reserved.h"
#include "base/rates.h"

static const struct cli_option opts[] = {
	{ "type", 't', CLI_ARG, "TYPE", "only offerings of this instance type" },
	{ "availability-zone", 'z', CLI_ARG, "ZONE", "only offerings in this zone" },
	{ "description", 'd', CLI_ARG, "Linux/UNIX|Windows", "only offerings for this platform" },
	{ "offering", 'o', CLI_ARG, "OFFERING", "only this offering (repeatable)" },
	CLI_OPT_FILTER,
	{ 0 },
};

/* One answer's offerings (the service may answer in pages). */
static void print_page(struct cli *c, const xmlNode *root, void *cls)
{
	(void)cls;
	print_offerings(&c->cfg, xml_child(root, "reservedInstancesOfferingsSet"));
}

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	int n = 1;
	cli_init(&c, "ec2-describe-reserved-instances-offerings",
		 "Describe the Reserved Instances offerings of the region: term, up-front and hourly price.",
		 "[-t TYPE] [-z ZONE] [-d Linux/UNIX|Windows] [-o OFFERING]...", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		case 't':
			if (!rate_type_known(arg))
				cli_usage_error(&c, "invalid instance type '%s'", arg);
			query_set(&q, "InstanceType", arg);
			break;
		case 'z': query_set(&q, "AvailabilityZone", arg); break;
		case 'd':
			if (platform_parse(arg) < 0)
				cli_usage_error(&c, "invalid description '%s': expected Linux/UNIX or Windows", arg);
			query_set(&q, "ProductDescription", platform_description((enum platform)platform_parse(arg)));
			break;
		case 'o': n = query_add_list(&q, "ReservedInstancesOfferingId", n, arg); break;
		}
	}
	if (cli_argc(&c))
		cli_usage_error(&c, "unexpected argument '%s'", cli_argv(&c)[0]);
	cli_finish(&c);
	client_pages_or_die(&c, "DescribeReservedInstancesOfferings", &q, print_page, NULL);
	query_release(&q);
	return 0;
}
