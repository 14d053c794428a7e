/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-add-group: create a security group (Action CreateSecurityGroup). */
#include "client/client.h"

static const struct cli_option opts[] = {
	{ "description", 'd', CLI_ARG, "DESCRIPTION", "what the group is for (required)" },
	{ "vpc", 'c', CLI_ARG, "VPC", "refused by this service: EC2-Classic only" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *desc = NULL;
	cli_init(&c, "ec2-add-group", "Create a security group.", "GROUP -d DESCRIPTION", opts,
		 argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		case 'd': desc = arg; break;
		case 'c': query_set(&q, "VpcId", arg); break;
		}
	}
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing GROUP");
	if (!desc)
		cli_usage_error(&c, "missing -d DESCRIPTION");
	const char *name = cli_argv(&c)[0];
	query_add(&q, "GroupName", name);
	query_add(&q, "GroupDescription", desc);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "CreateSecurityGroup", &q, &r);
	const char *f[] = { xml_text(r.root, "groupId"), name, desc };
	out_record(&c.cfg, &REC_GROUP_ADD, f);
	response_release(&r);
	query_release(&q);
	return 0;
}
