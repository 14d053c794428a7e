/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-group: the caller's security groups and their rules (Action
 * DescribeSecurityGroups), GROUP and PERMISSION records. */
#include "client/groups.h"

static const struct cli_option opts[] = {
	CLI_OPT_FILTER,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "ec2-describe-group", "Describe the caller's security groups, or the groups named.",
		 "[GROUP]...", opts, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	int names = 0, ids = 0;
	for (int i = 0; i < cli_argc(&c); i++) {
		const char *g = cli_argv(&c)[i];
		int *n = g[0] == 's' && g[1] == 'g' && g[2] == '-' ? &ids : &names;
		group_param(&q, "GroupName", "GroupId", ++*n, g);
	}
	cli_finish(&c);
	/* no MaxResults is sent: the whole list comes in one answer */
	struct response r;
	client_call_or_die(&c, "DescribeSecurityGroups", &q, &r);
	print_security_groups(&c.cfg, xml_child(r.root, "securityGroupInfo"));
	response_release(&r);
	query_release(&q);
	return 0;
}
