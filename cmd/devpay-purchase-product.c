/* devpay-purchase-product: subscribe the caller to a product. */
#include <string.h>
#include "print.h"

/* A purchase URL carries the code as offeringCode=...; a bare code is itself. */
static const char *code_of(const char *arg)
{
	const char *p = strstr(arg, "offeringCode=");
	if (!p)
		return arg;
	p += strlen("offeringCode=");
	return xstrndup(p, strcspn(p, "&#"));
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
	const char *code = code_of(cli_argv(&c)[0]);
	query_add(&q, "ProductCode", code);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "PurchaseProduct", &q, &r);
	print_subscription(&c.cfg, xml_child(r.root, "subscription"));
	response_release(&r);
	query_release(&q);
	return 0;
}
