/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-keypairs: the caller's key pairs of its region, or those
 * named (Action DescribeKeyPairs): one KEYPAIR record each. */
#include "client/client.h"

static const struct cli_option opts[] = {
	CLI_OPT_FILTER,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "ec2-describe-keypairs", "Describe the caller's key pairs, or the ones named.",
		 "[NAME]...", opts, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	for (int i = 0; i < cli_argc(&c); i++)
		query_add_list(&q, "KeyName", i + 1, cli_argv(&c)[i]);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DescribeKeyPairs", &q, &r);
	xml_foreach(k, xml_child(r.root, "keySet"), "item")
	{
		const char *f[] = { xml_text(k, "keyName"), xml_text(k, "keyFingerprint") };
		out_record(&c.cfg, &REC_KEYPAIR, f);
	}
	response_release(&r);
	query_release(&q);
	return 0;
}
