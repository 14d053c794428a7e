/* SPDX-License-Identifier: Apache-2.0 */
/* devpay-describe-subscriptions: the caller's subscriptions, or a product
 * owner's customers (Action DescribeSubscriptions). */
#include "client/print.h"

enum { OPT_PRODUCT = CLI_LONG(0), OPT_CUSTOMER };

static const struct cli_option opts[] = {
	{ "product", OPT_PRODUCT, CLI_ARG, "CODE", "one product: its owner sees every customer, anyone else its own subscription" },
	{ "customer", OPT_CUSTOMER, CLI_ARG, "ACCOUNT", "one customer's state (with --product; the product's owner only)" },
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *code = NULL, *customer = NULL;
	cli_init(&c, "devpay-describe-subscriptions",
		 "List the caller's subscriptions, a product's customers (its owner), or verify one customer.",
		 "[--product CODE [--customer ACCOUNT]]", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		/* sent as given: the service judges codes and account ids */
		case OPT_PRODUCT: code = arg; break;
		case OPT_CUSTOMER: customer = arg; break;
		}
	}
	if (cli_argc(&c))
		cli_usage_error(&c, "unexpected argument '%s'", cli_argv(&c)[0]);
	if (customer && !code)
		cli_usage_error(&c, "--customer needs --product");
	if (code)
		query_set(&q, "ProductCode", code);
	if (customer)
		query_set(&q, "CustomerId", customer);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DescribeSubscriptions", &q, &r);
	xml_foreach(it, xml_child(r.root, "subscriptionSet"), "item")
	{
		char start[32];
		snprintf(start, sizeof start, "%s", client_time(xml_text(it, "startTime")));
		const char *f[] = { xml_text(it, "productCode"), xml_text(it, "accountId"),
				    xml_text(it, "state"), start, client_time(xml_text(it, "endTime")),
				    xml_text(it, "runningInstanceCount") };
		out_record(&c.cfg, &REC_SUBSCRIPTION_INFO, f);
	}
	response_release(&r);
	query_release(&q);
	return 0;
}
