/* SPDX-License-Identifier: Apache-2.0 */
/* devpay-describe-products: the caller's products, or any product by code. */
#include <string.h>
#include "client/print.h"

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "devpay-describe-products",
		 "Describe the caller's DevPay products, or any product by code (what its purchase page shows).",
		 "[CODE]...", NULL, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	for (int i = 0; i < cli_argc(&c); i++) {
		query_add_list(&q, "ProductCode", i + 1, cli_argv(&c)[i]);
	}
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DescribeProducts", &q, &r);
	print_products(&c.cfg, xml_child(r.root, "productSet"));
	response_release(&r);
	query_release(&q);
	return 0;
}
