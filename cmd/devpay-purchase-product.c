/* SPDX-License-Identifier: Apache-2.0 */
/* devpay-purchase-product: subscribe the caller to a product. */
#include <stdlib.h>
#include <string.h>
#include "client/print.h"

/* A purchase URL carries the code as offeringCode=... (DevPay's) or as
 * .../purchase/CODE (devpayd's purchase page); a bare code is itself. The
 * code is added to q (which copies it). */
static void add_code(struct query *q, const char *arg)
{
	const char *p = strstr(arg, "offeringCode=");
	const char *page = strstr(arg, "://") ? strstr(arg, "/purchase/") : NULL;
	if (!p && page) {
		p = page + strlen("/purchase/");
		char *code = xstrndup(p, strcspn(p, "?#/"));
		query_add(q, "ProductCode", code);
		free(code);
		return;
	}
	if (!p) {
		query_add(q, "ProductCode", arg);
		return;
	}
	p += strlen("offeringCode=");
	char *code = xstrndup(p, strcspn(p, "&#"));
	query_add(q, "ProductCode", code);
	free(code);
}

static const struct cli_option opts[] = {
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "devpay-purchase-product", "Sign the caller up for a DevPay product.",
		 "CODE|PURCHASE_URL", opts, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing product code or purchase URL");
	add_code(&q, cli_argv(&c)[0]);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "PurchaseProduct", &q, &r);
	print_subscription(&c.cfg, xml_child(r.root, "subscription"));
	response_release(&r);
	query_release(&q);
	return 0;
}
