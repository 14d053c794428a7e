/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-delete-tags: remove tags from resources (Action DeleteTags); a TAG
 * record per resource and tag named, as ec2-api-tools 1.6.7.1 prints them. */
#include <string.h>
#include "client/client.h"
#include "client/print.h"

static const struct cli_option opts[] = {
	{ "tag", 't', CLI_ARG, "KEY[=VALUE]",
	  "the tag to remove: KEY whatever its value, KEY=VALUE only with that value (repeatable; none: every tag)" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	int ntags = 0;
	cli_init(&c, "ec2-delete-tags", "Remove tags from instances, images and reservations.",
		 "RESOURCE... [-t KEY[=VALUE]]...", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		if (k != 't')
			continue;
		const char *eq = strchr(arg, '=');
		char name[32];
		snprintf(name, sizeof name, "Tag.%d.Key", ++ntags);
		query_addf(&q, name, "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
		if (eq) {
			snprintf(name, sizeof name, "Tag.%d.Value", ntags);
			query_add(&q, name, eq + 1);
		}
	}
	if (!cli_argc(&c))
		cli_usage_error(&c, "missing RESOURCE");
	for (int i = 0; i < cli_argc(&c); i++)
		query_add_list(&q, "ResourceId", i + 1, cli_argv(&c)[i]);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DeleteTags", &q, &r);
	for (int i = 0; i < cli_argc(&c); i++) {
		const char *id = cli_argv(&c)[i];
		for (int t = 1; t <= ntags; t++) {
			const char *f[] = { print_resource_type(id), id, query_get_nth(&q, "Tag", t, "Key"),
					    query_get_nth(&q, "Tag", t, "Value") };
			out_record(&c.cfg, &REC_TAG, f);
		}
	}
	response_release(&r);
	query_release(&q);
	return 0;
}
