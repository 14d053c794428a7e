/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-associate-product-code: attach a DevPay product code to an AMI
 * (Action ModifyImageAttribute, ProductCode.1). */
#include <string.h>
#include "client/client.h"

static const struct cli_option opts[] = {
	{ "product-code", 'p', CLI_ARG, "CODE", "the product code to associate (required)" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *code = NULL;
	cli_init(&c, "ec2-associate-product-code",
		 "Associate a DevPay product code with an AMI the caller owns; the association is permanent.",
		 "IMAGE -p CODE", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;)
		if (k == 'p') {
			if (code && strcmp(code, arg))
				cli_usage_error(&c, "more than one product code: an AMI carries only one");
			code = arg;
		}
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing IMAGE");
	if (!code)
		cli_usage_error(&c, "missing -p CODE");
	const char *image = cli_argv(&c)[0];
	query_add(&q, "ImageId", image);
	query_add(&q, "Attribute", "productCodes");
	query_add(&q, "ProductCode.1", code);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "ModifyImageAttribute", &q, &r);
	const char *f[] = { image, "productCode", code };
	out_record(&c.cfg, &REC_IMAGE_ATTR, f);
	response_release(&r);
	query_release(&q);
	return 0;
}
