/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-reset-image-attribute: make an AMI private again, dropping every
 * launch permission (Action ResetImageAttribute). Product codes cannot be
 * reset. */
#include "client/client.h"

static const struct cli_option opts[] = {
	CLI_OPT_DRY_RUN,
	{ "launch-permission", 'l', CLI_NOARG, NULL, "reset the launch permissions (required)" },
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	int lp = 0;
	cli_init(&c, "ec2-reset-image-attribute",
		 "Reset an AMI's launch permissions: the image becomes private again.", "IMAGE -l",
		 opts, argc, argv);
	while (cli_next(&c, &arg) != -1)
		lp = 1;
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing IMAGE");
	if (!lp)
		cli_usage_error(&c, "missing -l: only launch permissions can be reset");
	const char *image = cli_argv(&c)[0];
	query_add(&q, "ImageId", image);
	query_add(&q, "Attribute", "launchPermission");
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "ResetImageAttribute", &q, &r);
	const char *f[] = { image, "RESET" };
	out_record(&c.cfg, &REC_LP_RESET, f);
	response_release(&r);
	query_release(&q);
	return 0;
}
