/* ec2-run-instances: launch instances of an AMI as one reservation
 * (Action RunInstances). */
#include <stdlib.h>
#include <string.h>
#include "client/client.h"
#include "client/print.h"

enum { OPT_TOKEN = CLI_LONG(0), OPT_TAG = CLI_LONG(1) };

static const struct cli_option opts[] = {
	{ "instance-count", 'n', CLI_ARG, "COUNT|MIN-MAX", "how many instances (default 1)" },
	{ "instance-type", 't', CLI_ARG, "TYPE", "instance type (default m1.small)" },
	{ "client-token", OPT_TOKEN, CLI_ARG, "TOKEN", "make the launch idempotent" },
	{ "availability-zone", 'z', CLI_ARG, "ZONE", "zone of the region (default REGIONa)" },
	{ "tag", OPT_TAG, CLI_ARG, "KEY[=VALUE]", "a tag for each instance launched (repeatable)" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

static long count_or_err(const struct cli *c, const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (end == s || *end || *s == '-' || *s == '+' || n < 1 || n > 1000000)
		cli_usage_error(c, "invalid instance count '%s': expected COUNT or MIN-MAX", s);
	return n;
}

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *count = "1";
	int ntags = 0;
	cli_init(&c, "ec2-run-instances", "Launch instances of an AMI the caller owns.",
		 "IMAGE [-n COUNT|MIN-MAX] [-t TYPE] [--client-token TOKEN] [-z ZONE]"
		 " [--tag KEY[=VALUE]]...", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		case 'n': count = arg; break;
		case 't': query_set(&q, "InstanceType", arg); break;
		case 'z': query_set(&q, "Placement.AvailabilityZone", arg); break;
		case OPT_TOKEN: query_set(&q, "ClientToken", arg); break;
		case OPT_TAG: {
			/* the instances' TagSpecification, as the AWS CLI sends it */
			const char *eq = strchr(arg, '=');
			char name[48];
			if (!ntags++)
				query_add(&q, "TagSpecification.1.ResourceType", "instance");
			snprintf(name, sizeof name, "TagSpecification.1.Tag.%d.Key", ntags);
			query_addf(&q, name, "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
			snprintf(name, sizeof name, "TagSpecification.1.Tag.%d.Value", ntags);
			query_add(&q, name, eq ? eq + 1 : "");
			break;
		}
		}
	}
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing IMAGE");
	char min[24], max[24];
	const char *dash = strchr(count, '-');
	if (dash && dash != count) {
		snprintf(min, sizeof min, "%.*s", (int)(dash - count), count);
		snprintf(max, sizeof max, "%s", dash + 1);
	} else {
		snprintf(min, sizeof min, "%s", count);
		snprintf(max, sizeof max, "%s", count);
	}
	if (count_or_err(&c, min) > count_or_err(&c, max))
		cli_usage_error(&c, "invalid instance count '%s': MIN is greater than MAX", count);
	query_add(&q, "ImageId", cli_argv(&c)[0]);
	query_add(&q, "MinCount", min);
	query_add(&q, "MaxCount", max);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "RunInstances", &q, &r);
	char hint[400];
	snprintf(hint, sizeof hint, "the instances were launched; list them with "
		 "ec2-describe-instances, or run this command again with --client-token %s, "
		 "which launches nothing new and prints them", query_get(&q, "ClientToken"));
	cli_on_write_error(hint);
	print_reservation(&c.cfg, r.root);
	response_release(&r);
	query_release(&q);
	return 0;
}
