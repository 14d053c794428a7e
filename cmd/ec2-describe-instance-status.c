/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-instance-status: the status checks of the caller's instances
 * (Action DescribeInstanceStatus), every page of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "client/client.h"

static const struct cli_option opts[] = {
	{ "include-all-instances", 'A', CLI_NOARG, NULL,
	  "every instance, not only the running ones" },
	CLI_OPT_FILTER,
	{ 0 },
};

static void print_details(const struct dp_config *cfg, const struct record_layout *l,
			  const xmlNode *summary)
{
	xml_foreach(d, xml_child(summary, "details"), "item")
	{
		const char *f[] = { xml_text(d, "name"), xml_text(d, "status"),
				    client_time(xml_text(d, "impairedSince")) };
		out_record(cfg, l, f);
	}
}

/* The INSTANCE record, then SYSTEMSTATUS and INSTANCESTATUS records per
 * check, as ec2-api-tools prints them. */
static void print_status(const struct dp_config *cfg, const xmlNode *it)
{
	/* a scheduled event makes an instance retiring, from the first event's start */
	const char *retiring = "active", *date = "";
	const xmlNode *ev = xml_child(xml_child(it, "eventsSet"), "item");
	if (ev) {
		retiring = "retiring";
		date = xml_text(ev, "notBefore");
	}
	char when[40];
	snprintf(when, sizeof when, "%s", client_time(date));
	const char *f[] = { xml_text(it, "instanceId"), xml_text(it, "availabilityZone"),
			    xml_text(it, "instanceState/name"), xml_text(it, "instanceState/code"),
			    xml_text(it, "instanceStatus/status"), xml_text(it, "systemStatus/status"),
			    retiring, when };
	out_record(cfg, &REC_INSTANCE_STATUS, f);
	print_details(cfg, &REC_SYSTEMSTATUS, xml_child(it, "systemStatus"));
	print_details(cfg, &REC_INSTANCESTATUS, xml_child(it, "instanceStatus"));
}

int main(int argc, char **argv)
{
	struct cli c;
	const char *arg;
	int all = 0;
	cli_init(&c, "ec2-describe-instance-status",
		 "Describe the status checks of the caller's instances, or of the instances named.",
		 "[INSTANCE]... [-A] [-F NAME=VALUE]...", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;)
		if (k == 'A')
			all = 1;
	cli_finish(&c);
	/* every page: a NextToken is followed until the service gives none */
	char *token = NULL;
	do {
		struct query q = QUERY_INIT;
		for (int i = 0; i < cli_argc(&c); i++)
			query_add_list(&q, "InstanceId", i + 1, cli_argv(&c)[i]);
		if (all)
			query_add(&q, "IncludeAllInstances", "true");
		if (token)
			query_add(&q, "NextToken", token);
		struct response r;
		client_call_or_die(&c, "DescribeInstanceStatus", &q, &r);
		xml_foreach(it, xml_child(r.root, "instanceStatusSet"), "item")
			print_status(&c.cfg, it);
		const char *next = xml_text(r.root, "nextToken");
		if (token && !strcmp(token, next) && *next)
			cli_fatal(&c, DP_ERR_BADXML, "the endpoint gave the same NextToken again: %s", next);
		free(token);
		token = *next ? xstrdup(next) : NULL;
		response_release(&r);
		query_release(&q);
	} while (token);
	return 0;
}
