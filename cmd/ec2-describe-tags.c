/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-tags: the caller's tags (Action DescribeTags), every page of
 * them, a TAG record each. */
#include <stdlib.h>
#include "client/client.h"

/* the largest page EC2 answers */
#define PAGE "1000"

static const struct cli_option opts[] = {
	CLI_OPT_FILTER,
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	const char *arg;
	cli_init(&c, "ec2-describe-tags", "Describe the caller's tags.", "[-F NAME=VALUE]...", opts,
		 argc, argv);
	while (cli_next(&c, &arg) != -1)
		;
	if (cli_argc(&c))
		cli_usage_error(&c, "unexpected argument '%s' (select tags with -F resource-id=ID)",
				cli_argv(&c)[0]);
	cli_finish(&c);
	char *token = NULL;
	do {
		struct query q = QUERY_INIT;
		struct response r;
		query_add(&q, "MaxResults", PAGE);
		if (token)
			query_add(&q, "NextToken", token);
		client_call_or_die(&c, "DescribeTags", &q, &r);
		xml_foreach(t, xml_child(r.root, "tagSet"), "item")
		{
			const char *f[] = { xml_text(t, "resourceType"), xml_text(t, "resourceId"),
					    xml_text(t, "key"), xml_text(t, "value") };
			out_record(&c.cfg, &REC_TAG, f);
		}
		free(token);
		const char *next = xml_text(r.root, "nextToken");
		token = *next ? xstrdup(next) : NULL;
		response_release(&r);
		query_release(&q);
	} while (token);
	return 0;
}
