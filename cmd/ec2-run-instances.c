/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-run-instances: launch instances of an AMI as one reservation
 * (Action RunInstances). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/base64.h"
#include "client/client.h"
#include "client/print.h"

/* EC2 takes at most 16384 bytes of user data; one byte more is read from a
 * file, so that a longer one is sent as too long and the service refuses
 * it, with EC2's message, rather than the file being cut silently. */
#define USER_DATA_READ (16384 + 1)

enum { OPT_TOKEN = CLI_LONG(0), OPT_TAG = CLI_LONG(1) };

static const struct cli_option opts[] = {
	{ "instance-count", 'n', CLI_ARG, "COUNT|MIN-MAX", "how many instances (default 1)" },
	{ "instance-type", 't', CLI_ARG, "TYPE", "instance type (default m1.small)" },
	{ "client-token", OPT_TOKEN, CLI_ARG, "TOKEN", "make the launch idempotent" },
	{ "availability-zone", 'z', CLI_ARG, "ZONE", "zone of the region (default REGIONa)" },
	{ "key", 'k', CLI_ARG, "KEYPAIR", "the key pair the instances are launched with" },
	{ "user-data", 'd', CLI_ARG, "DATA", "user data for the instances (sent base64-encoded)" },
	{ "user-data-file", 'f', CLI_ARG, "FILE", "user data read from FILE (sent base64-encoded)" },
	{ "group", 'g', CLI_ARG, "GROUP", "security group, name or sg- id (repeatable; default: default)" },
	{ "tag", OPT_TAG, CLI_ARG, "KEY[=VALUE]", "a tag for each instance launched (repeatable)" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

/* The bytes of FILE, at most USER_DATA_READ of them, into out. */
static void read_user_data(const struct cli *c, const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		cli_usage_error(c, "cannot read the user data file '%s': %s", path, strerror(errno));
	char chunk[4096];
	size_t n;
	while (out->len < USER_DATA_READ &&
	       (n = fread(chunk, 1, USER_DATA_READ - out->len < sizeof chunk
					? USER_DATA_READ - out->len : sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		cli_usage_error(c, "cannot read the user data file '%s'", path);
}

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
	const char *arg, *count = "1", *data = NULL, *file = NULL;
	int names = 0, ids = 0, ntags = 0;
	cli_init(&c, "ec2-run-instances", "Launch instances of an AMI the caller owns.",
		 "IMAGE [-n COUNT|MIN-MAX] [-t TYPE] [-k KEYPAIR] [--client-token TOKEN] [-z ZONE]\n"
		 "       [-g GROUP]... [-d DATA | -f FILE] [--tag KEY[=VALUE]]...", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		case 'n': count = arg; break;
		case 't': query_set(&q, "InstanceType", arg); break;
		case 'z': query_set(&q, "Placement.AvailabilityZone", arg); break;
		case 'k': query_set(&q, "KeyName", arg); break;
		case OPT_TOKEN: query_set(&q, "ClientToken", arg); break;
		case 'd': data = arg; break;
		case 'f': file = arg; break;
		case 'g':
			if (!strncmp(arg, "sg-", 3))
				query_add_list(&q, "SecurityGroupId", ++ids, arg);
			else
				query_add_list(&q, "SecurityGroup", ++names, arg);
			break;
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
	if (data && file)
		cli_usage_error(&c, "give the user data once: -d DATA or -f FILE");
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
	if (data || file) {
		struct buf raw = BUF_INIT, b64 = BUF_INIT;
		if (file)
			read_user_data(&c, file, &raw);
		else
			buf_adds(&raw, data);
		base64_encode(raw.p, raw.len, &b64);
		/* empty user data is none, as EC2 takes it */
		if (b64.len)
			query_add(&q, "UserData", buf_str(&b64));
		buf_release(&raw);
		buf_release(&b64);
	}
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
