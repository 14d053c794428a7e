/* ec2-describe-instances: the caller's instances, grouped by reservation
 * (Action DescribeInstances). */
#include "client/client.h"
#include "client/print.h"

static const struct cli_option opts[] = {
	CLI_OPT_FILTER,
	{ 0 },
};

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
	struct response r;
	client_call_or_die(&c, "DescribeInstances", &q, &r);
	xml_foreach(res, xml_child(r.root, "reservationSet"), "item")
		print_reservation(&c.cfg, res);
	response_release(&r);
	query_release(&q);
	return 0;
}
