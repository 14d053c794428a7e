/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-modify-image-attribute: put a product code on an AMI, or grant and
 * revoke its launch permissions (Action ModifyImageAttribute). */
#include <string.h>
#include "client/client.h"

static const struct cli_option opts[] = {
	CLI_OPT_DRY_RUN,
	{ "product-code", 'p', CLI_ARG, "CODE", "associate a DevPay product code (permanent)" },
	{ "launch-permission", 'l', CLI_NOARG, NULL, "modify the launch permissions (with -a, -r)" },
	{ "add", 'a', CLI_ARG, "ACCOUNT|all", "grant ACCOUNT (or everyone: all) leave to launch" },
	{ "remove", 'r', CLI_ARG, "ACCOUNT|all", "revoke that grant" },
	{ 0 },
};

#define MAX_ENTITIES 100

/* LaunchPermission.Add.N.UserId, or .Group for "all". */
static void add_entity(struct query *q, const char *op, int n, const char *who)
{
	char name[64];
	snprintf(name, sizeof name, "LaunchPermission.%s.%d.%s", op, n,
		 strcmp(who, "all") ? "UserId" : "Group");
	query_add(q, name, who);
}

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *code = NULL, *adds[MAX_ENTITIES], *removes[MAX_ENTITIES];
	int lp = 0, nadd = 0, nremove = 0;
	cli_init(&c, "ec2-modify-image-attribute",
		 "Associate a product code with an AMI the caller owns, or change who may launch it.",
		 "IMAGE -p CODE | IMAGE -l (-a ACCOUNT|all | -r ACCOUNT|all)...", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		case 'p':
			if (code && strcmp(code, arg))
				cli_usage_error(&c, "more than one product code: an AMI carries only one");
			code = arg;
			break;
		case 'l': lp = 1; break;
		case 'a':
		case 'r':
			if (nadd + nremove == MAX_ENTITIES)
				cli_usage_error(&c, "more than %d -a and -r in one command", MAX_ENTITIES);
			if (!*arg)
				cli_usage_error(&c, "-%c needs an account id or all", k);
			if (k == 'a')
				adds[nadd++] = arg;
			else
				removes[nremove++] = arg;
			break;
		}
	}
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing IMAGE");
	if (code && (lp || nadd || nremove))
		cli_usage_error(&c, "one attribute at a time: -p CODE, or -l with -a and -r");
	if ((nadd || nremove) && !lp)
		cli_usage_error(&c, "-a and -r change launch permissions: give -l too");
	if (lp && !nadd && !nremove)
		cli_usage_error(&c, "-l needs -a ACCOUNT|all or -r ACCOUNT|all");
	if (!code && !lp)
		cli_usage_error(&c, "nothing to modify: give -p CODE, or -l with -a or -r");
	const char *image = cli_argv(&c)[0];
	query_add(&q, "ImageId", image);
	if (code) {
		query_add(&q, "ProductCode.1", code);
	} else {
		for (int i = 0; i < nadd; i++)
			add_entity(&q, "Add", i + 1, adds[i]);
		for (int i = 0; i < nremove; i++)
			add_entity(&q, "Remove", i + 1, removes[i]);
	}
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "ModifyImageAttribute", &q, &r);
	if (code) {
		const char *f[] = { image, "", "productCode", code };
		out_record(&c.cfg, &REC_PC_MODIFY, f);
	}
	for (int i = 0; i < nadd; i++) {
		const char *f[] = { image, "ADD", strcmp(adds[i], "all") ? "userId" : "group", adds[i] };
		out_record(&c.cfg, &REC_LP_MODIFY, f);
	}
	for (int i = 0; i < nremove; i++) {
		const char *f[] = { image, "REMOVE", strcmp(removes[i], "all") ? "userId" : "group",
				    removes[i] };
		out_record(&c.cfg, &REC_LP_MODIFY, f);
	}
	response_release(&r);
	query_release(&q);
	return 0;
}
