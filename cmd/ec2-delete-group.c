/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-delete-group: delete a security group (Action DeleteSecurityGroup). */
#include "client/groups.h"

static const struct cli_option opts[] = {
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "ec2-delete-group", "Delete a security group no instance uses.", "GROUP", opts,
		 argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing GROUP");
	group_param(&q, "GroupName", "GroupId", 0, cli_argv(&c)[0]);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DeleteSecurityGroup", &q, &r);
	const char *f[] = { xml_text(r.root, "return") };
	out_record(&c.cfg, &REC_RETURN, f);
	response_release(&r);
	query_release(&q);
	return 0;
}
