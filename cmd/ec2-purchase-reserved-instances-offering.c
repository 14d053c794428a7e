/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-purchase-reserved-instances-offering: buy Reserved Instances
 * (Action PurchaseReservedInstancesOffering), then show what was bought. */
#include <stdio.h>
#include "client/print_reserved.h"

static const struct cli_option opts[] = {
	{ "offering", 'o', CLI_ARG, "OFFERING", "the offering to buy (required)" },
	{ "instance-count", 'c', CLI_ARG, "COUNT", "how many instances to reserve, 1 to 20 (required)" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *offering = NULL;
	long count = 0;
	cli_init(&c, "ec2-purchase-reserved-instances-offering",
		 "Purchase Reserved Instances of an offering; the up-front price is billed at once.",
		 "-o OFFERING -c COUNT", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		case 'o': offering = arg; break;
		case 'c': count = cli_long_or_err(&c, "--instance-count", arg, 1, 20); break;
		}
	}
	if (cli_argc(&c))
		cli_usage_error(&c, "unexpected argument '%s'", cli_argv(&c)[0]);
	if (!offering || !*offering)
		cli_usage_error(&c, "missing -o OFFERING");
	if (!count)
		cli_usage_error(&c, "missing -c COUNT");
	query_set(&q, "ReservedInstancesOfferingId", offering);
	query_addf(&q, "InstanceCount", "%ld", count);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "PurchaseReservedInstancesOffering", &q, &r);
	struct query d = QUERY_INIT;
	query_add(&d, "ReservedInstancesId.1", xml_text(r.root, "reservedInstancesId"));
	response_release(&r);
	client_call_or_die(&c, "DescribeReservedInstances", &d, &r);
	print_reserved(&c.cfg, xml_child(r.root, "reservedInstancesSet"));
	response_release(&r);
	query_release(&d);
	query_release(&q);
	return 0;
}
