/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-regions: the regions --region accepts, and the endpoint a
 * client of each uses (Action DescribeRegions). */
#include "client/client.h"

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "ec2-describe-regions", "Describe the regions and their endpoints.",
		 "[REGION]...", NULL, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	for (int i = 0; i < cli_argc(&c); i++)
		query_add_list(&q, "RegionName", i + 1, cli_argv(&c)[i]);
	c.cfg.anonymous = 1; /* the same answer for everyone */
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DescribeRegions", &q, &r);
	xml_foreach(it, xml_child(r.root, "regionInfo"), "item")
	{
		const char *f[] = { xml_text(it, "regionName"), xml_text(it, "regionEndpoint") };
		out_record(&c.cfg, &REC_REGION, f);
	}
	response_release(&r);
	query_release(&q);
	return 0;
}
