/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-instances: the caller's instances, grouped by reservation
 * (Action DescribeInstances). */
#include "client/client.h"
#include "client/print.h"

static const struct cli_option opts[] = {
	CLI_OPT_FILTER,
	{ 0 },
};

/* One answer's reservations (the service may answer in pages). */
static void print_page(struct cli *c, const xmlNode *root, void *cls)
{
	(void)cls;
	xml_foreach(res, xml_child(root, "reservationSet"), "item")
		print_reservation(&c->cfg, res);
}

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "ec2-describe-instances", "Describe the caller's instances, or the instances named.",
		 "[INSTANCE]...", opts, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	for (int i = 0; i < cli_argc(&c); i++) {
		query_add_list(&q, "InstanceId", i + 1, cli_argv(&c)[i]);
	}
	cli_finish(&c);
	client_pages_or_die(&c, "DescribeInstances", &q, print_page, NULL);
	query_release(&q);
	return 0;
}
