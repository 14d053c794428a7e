/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-register: register an AMI (Action RegisterImage). */
#include <string.h>
#include "client/client.h"
#include "base/rates.h"

enum { OPT_PLATFORM = CLI_LONG(0), OPT_ROOT };

static const struct cli_option opts[] = {
	{ "platform", OPT_PLATFORM, CLI_ARG, "linux|windows", "the image's platform (default linux)" },
	{ "root-device-type", OPT_ROOT, CLI_ARG, "instance-store|ebs", "how the image is backed (default instance-store)" },
	{ "description", 'd', CLI_ARG, "TEXT", "image description" },
	{ "name", 'n', CLI_ARG, "NAME", "image name (instead of the NAME argument)" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

static const char *const image_id_cols[] = { "ImageID", NULL };
static const struct record_layout image_id = { "IMAGE", image_id_cols };

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *name = NULL;
	cli_init(&c, "ec2-register", "Register a machine image and print its id.",
		 "NAME [--platform linux|windows] [--root-device-type instance-store|ebs] [-d DESCRIPTION]",
		 opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		case OPT_PLATFORM:
			if (platform_parse(arg) < 0)
				cli_usage_error(&c, "invalid platform '%s': expected linux or windows", arg);
			query_set(&q, "Platform", arg);
			break;
		case OPT_ROOT:
			if (strcmp(arg, "instance-store") && strcmp(arg, "ebs"))
				cli_usage_error(&c, "invalid root device type '%s': expected instance-store or ebs", arg);
			query_set(&q, "RootDeviceType", arg);
			break;
		case 'd': query_set(&q, "Description", arg); break;
		case 'n': name = arg; break;
		}
	}
	if (cli_argc(&c) > 1 || (name && cli_argc(&c)))
		cli_usage_error(&c, "too many arguments");
	if (!name)
		name = cli_argc(&c) ? cli_argv(&c)[0] : NULL;
	if (!name || !*name)
		cli_usage_error(&c, "missing image NAME");
	query_set(&q, "Name", name);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "RegisterImage", &q, &r);
	const char *f[] = { xml_text(r.root, "imageId") };
	out_record(&c.cfg, &image_id, f);
	response_release(&r);
	query_release(&q);
	return 0;
}
