/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-terminate-instances: shut down the caller's instances
 * (Action TerminateInstances). */
#include "client/client.h"

static const struct cli_option opts[] = {
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "ec2-terminate-instances", "Terminate instances the caller owns.",
		 "INSTANCE...", opts, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	if (!cli_argc(&c))
		cli_usage_error(&c, "missing INSTANCE");
	for (int i = 0; i < cli_argc(&c); i++) {
		query_add_list(&q, "InstanceId", i + 1, cli_argv(&c)[i]);
	}
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "TerminateInstances", &q, &r);
	xml_foreach(it, xml_child(r.root, "instancesSet"), "item")
	{
		const char *f[] = { xml_text(it, "instanceId"), xml_text(it, "previousState/name"),
				    xml_text(it, "currentState/name") };
		out_record(&c.cfg, &REC_TERMINATE, f);
	}
	response_release(&r);
	query_release(&q);
	return 0;
}
