/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-availability-zones: the zones of the region, those -z
 * accepts (Action DescribeAvailabilityZones). */
#include "client/client.h"

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	cli_init(&c, "ec2-describe-availability-zones",
		 "Describe the availability zones of the region.", "[ZONE]...", NULL, argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	for (int i = 0; i < cli_argc(&c); i++)
		query_add_list(&q, "ZoneName", i + 1, cli_argv(&c)[i]);
	c.cfg.anonymous = 1; /* the same answer for everyone */
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DescribeAvailabilityZones", &q, &r);
	xml_foreach(it, xml_child(r.root, "availabilityZoneInfo"), "item")
	{
		struct buf msg = BUF_INIT;
		int n = 0;
		xml_foreach(m, xml_child(it, "messageSet"), "item")
			buf_addf(&msg, "%s%s", n++ ? ", " : "", xml_text(m, "message"));
		const char *f[] = { xml_text(it, "zoneName"), xml_text(it, "zoneState"),
				    xml_text(it, "regionName"), buf_str(&msg) };
		out_record(&c.cfg, &REC_ZONE, f);
		buf_release(&msg);
	}
	response_release(&r);
	query_release(&q);
	return 0;
}
