/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-reserved-instances: the caller's Reserved Instances
 * (Action DescribeReservedInstances). */
#include "client/print_reserved.h"

static const struct cli_option opts[] = {
	CLI_OPT_FILTER,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "ec2-describe-reserved-instances",
		 "Describe the caller's Reserved Instances, or the ones named.",
		 "[RESERVATION_ID]...", opts, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	for (int i = 0; i < cli_argc(&c); i++)
		query_add_list(&q, "ReservedInstancesId", i + 1, cli_argv(&c)[i]);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DescribeReservedInstances", &q, &r);
	print_reserved(&c.cfg, xml_child(r.root, "reservedInstancesSet"));
	response_release(&r);
	query_release(&q);
	return 0;
}
