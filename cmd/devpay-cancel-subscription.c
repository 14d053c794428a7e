/* SPDX-License-Identifier: Apache-2.0 */
/* devpay-cancel-subscription: end the caller's subscription to a product. */
#include <string.h>
#include "client/print.h"

static const struct cli_option opts[] = {
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "devpay-cancel-subscription",
		 "Cancel the caller's subscription: access stops at once, running instances of the product are terminated.",
		 "CODE", opts, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing product code");
	const char *code = cli_argv(&c)[0];
	query_add(&q, "ProductCode", code);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "CancelSubscription", &q, &r);
	print_subscription(&c.cfg, xml_child(r.root, "subscription"));
	response_release(&r);
	query_release(&q);
	return 0;
}
