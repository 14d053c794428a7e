/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-delete-keypair: delete a key pair (Action DeleteKeyPair); one that
 * does not exist is not an error, as in EC2. Instances launched with it keep
 * its name. */
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
	cli_init(&c, "ec2-delete-keypair", "Delete a key pair of the caller's region.", "NAME", opts,
		 argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing NAME");
	const char *name = cli_argv(&c)[0];
	query_add(&q, "KeyName", name);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DeleteKeyPair", &q, &r);
	const char *f[] = { name };
	out_record(&c.cfg, &REC_KEYPAIR_NAME, f);
	response_release(&r);
	query_release(&q);
	return 0;
}
