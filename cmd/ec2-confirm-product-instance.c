/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-confirm-product-instance: may this instance run the product?
 * (Action ConfirmProductInstance; for the product code's owner). */
#include <string.h>
#include "client/client.h"

static const struct cli_option opts[] = {
	{ "instance", 'i', CLI_ARG, "INSTANCE", "the instance to confirm (required)" },
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *instance = NULL;
	cli_init(&c, "ec2-confirm-product-instance",
		 "Confirm that an instance runs with the caller's product code.", "CODE -i INSTANCE",
		 opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;)
		if (k == 'i')
			instance = arg;
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing CODE");
	if (!instance)
		cli_usage_error(&c, "missing -i INSTANCE");
	const char *code = cli_argv(&c)[0];
	query_add(&q, "ProductCode", code);
	query_add(&q, "InstanceId", instance);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "ConfirmProductInstance", &q, &r);
	/* API versions before 2008 named the answer <result>. */
	const xmlNode *ret = xml_child(r.root, "return");
	if (!ret)
		ret = xml_child(r.root, "result");
	const char *yes = ret ? xml_text(ret, "") : "";
	const char *f[] = { code, instance, yes, !strcmp(yes, "true") ? xml_text(r.root, "ownerId") : "" };
	out_record(&c.cfg, &REC_CONFIRM, f);
	response_release(&r);
	query_release(&q);
	return 0;
}
