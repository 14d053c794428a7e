/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-deregister: deregister an AMI the caller owns (Action
 * DeregisterImage). Its instances keep running. */
#include "client/client.h"

static const char *const image_id_cols[] = { "ImageId", NULL };
static const struct record_layout image_id = { "IMAGE", image_id_cols };

static const struct cli_option opts[] = {
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "ec2-deregister",
		 "Deregister an AMI the caller owns; running instances of it keep running.", "IMAGE",
		 opts, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing IMAGE");
	const char *image = cli_argv(&c)[0];
	query_add(&q, "ImageId", image);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DeregisterImage", &q, &r);
	const char *f[] = { image };
	out_record(&c.cfg, &image_id, f);
	response_release(&r);
	query_release(&q);
	return 0;
}
