/* SPDX-License-Identifier: Apache-2.0 */
/* Security groups on the client side (groups.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "client/groups.h"

void group_param(struct query *q, const char *name_param, const char *id_param, int index,
		 const char *group)
{
	const char *p = !strncmp(group, "sg-", 3) ? id_param : name_param;
	if (index)
		query_add_list(q, p, index, group);
	else
		query_add(q, p, group);
}

void print_security_groups(const struct dp_config *cfg, const xmlNode *info)
{
	xml_foreach(g, info, "item")
	{
		const char *owner = xml_text(g, "ownerId"), *name = xml_text(g, "groupName");
		const char *f[] = { xml_text(g, "groupId"), owner, name, xml_text(g, "groupDescription"),
				    xml_text(g, "vpcId") };
		out_record(cfg, &REC_GROUP, f);
		xml_foreach(p, xml_child(g, "ipPermissions"), "item")
		{
			const char *proto = xml_text(p, "ipProtocol"), *from = xml_text(p, "fromPort");
			const char *to = xml_text(p, "toPort");
			xml_foreach(src, xml_child(p, "groups"), "item")
			{
				char sname[300], sid[64];
				snprintf(sname, sizeof sname, "NAME %s", xml_text(src, "groupName"));
				snprintf(sid, sizeof sid, "ID %s", xml_text(src, "groupId"));
				int has_name = *xml_text(src, "groupName"), has_id = *xml_text(src, "groupId");
				if (has_name && has_id) {
					const char *r[] = { owner, name, "ALLOWS", proto, from, to, "FROM",
							    "USER", xml_text(src, "userId"), sname, sid,
							    "ingress" };
					out_record(cfg, &REC_PERMISSION_GROUP, r);
				} else {
					const char *r[] = { owner, name, "ALLOWS", proto, from, to, "FROM",
							    "USER", xml_text(src, "userId"),
							    has_name ? sname : sid, "ingress" };
					out_record(cfg, &REC_PERMISSION_GROUP1, r);
				}
			}
			xml_foreach(range, xml_child(p, "ipRanges"), "item")
			{
				const char *r[] = { owner, name, "ALLOWS", proto, from, to, "FROM", "CIDR",
						    xml_text(range, "cidrIp"), "ingress" };
				out_record(cfg, &REC_PERMISSION_CIDR, r);
			}
		}
	}
}

static const struct cli_option rule_opts[] = {
	{ "protocol", 'P', CLI_ARG, "PROTOCOL", "tcp (the default), udp, icmp, all, or a number" },
	{ "port-range", 'p', CLI_ARG, "PORT[-PORT]", "ports of a tcp or udp rule" },
	{ "icmp-type-code", 't', CLI_ARG, "TYPE:CODE", "ICMP type and code (default -1:-1, all)" },
	{ "cidr", 's', CLI_ARG, "CIDR", "source range (repeatable; default 0.0.0.0/0)" },
	{ "source-group", 'o', CLI_ARG, "GROUP", "source group, name or id (repeatable)" },
	{ "source-group-user", 'u', CLI_ARG, "ACCOUNT", "owner of the -o group at the same position" },
	CLI_OPT_DRY_RUN,
	{ 0 },
};

/* A whole number of an option's value, or a usage error. */
static int int_or_err(const struct cli *c, const char *opt, const char *s, const char *v)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (end == s || *end || n < -1000000 || n > 1000000)
		cli_usage_error(c, "invalid %s '%s': expected %s", opt, v,
				opt[1] == 't' ? "TYPE:CODE, whole numbers" : "PORT or PORT-PORT, whole numbers");
	return (int)n;
}

#define MAX_SOURCES 64

int group_rule_main(int argc, char **argv, const char *prog, const char *action,
		    const char *summary)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *proto = NULL, *ports = NULL, *icmp = NULL;
	const char *cidrs[MAX_SOURCES], *groups[MAX_SOURCES], *users[MAX_SOURCES];
	int ncidr = 0, ngroup = 0, nuser = 0;
	cli_init(&c, prog, summary,
		 "GROUP [-P PROTOCOL] [-p PORT[-PORT] | -t TYPE:CODE] [-s CIDR]... [-o GROUP [-u ACCOUNT]]...",
		 rule_opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		case 'P': proto = arg; break;
		case 'p': ports = arg; break;
		case 't': icmp = arg; break;
		case 's':
		case 'o':
		case 'u': {
			int *n = k == 's' ? &ncidr : k == 'o' ? &ngroup : &nuser;
			if (*n == MAX_SOURCES)
				cli_usage_error(&c, "at most %d of -%c", MAX_SOURCES, k);
			(k == 's' ? cidrs : k == 'o' ? groups : users)[(*n)++] = arg;
			break;
		}
		}
	}
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing GROUP");
	if (nuser > ngroup)
		cli_usage_error(&c, "-u names the owner of a -o group: %d -u for %d -o", nuser, ngroup);
	const char *target = cli_argv(&c)[0];
	group_param(&q, "GroupName", "GroupId", 0, target);
	if (!ncidr && !ngroup)
		cidrs[ncidr++] = "0.0.0.0/0";

	/* the rules: one protocol and range, or with groups alone and nothing
	 * else, all of TCP, UDP and ICMP from them (as EC2-Classic grants it) */
	struct { const char *proto; char from[8], to[8]; } rules[3];
	int nrules = 1;
	if (!proto && !ports && !icmp && ngroup && !ncidr) {
		static const char *const all[] = { "tcp", "udp", "icmp" };
		nrules = 3;
		for (int i = 0; i < 3; i++) {
			rules[i].proto = all[i];
			snprintf(rules[i].from, sizeof rules[i].from, "%s", i < 2 ? "0" : "-1");
			snprintf(rules[i].to, sizeof rules[i].to, "%s", i < 2 ? "65535" : "-1");
		}
	} else {
		const char *pr = proto ? proto : "tcp";
		if (!strcasecmp(pr, "all"))
			pr = "-1";
		rules[0].proto = pr;
		rules[0].from[0] = rules[0].to[0] = '\0';
		int is_icmp = !strcasecmp(pr, "icmp") || !strcmp(pr, "1");
		int is_all = !strcmp(pr, "-1");
		if (icmp && !is_icmp)
			cli_usage_error(&c, "-t TYPE:CODE is for the icmp protocol, not '%s'", pr);
		if (ports && (is_icmp || is_all))
			cli_usage_error(&c, "-p PORT[-PORT] is not for the %s protocol%s", pr,
					is_icmp ? ": use -t TYPE:CODE" : "");
		if (is_icmp) {
			char tc[32];
			snprintf(tc, sizeof tc, "%s", icmp ? icmp : "-1:-1");
			char *colon = strchr(tc, ':');
			if (!colon)
				cli_usage_error(&c, "invalid -t '%s': expected TYPE:CODE", icmp);
			*colon = '\0';
			snprintf(rules[0].from, sizeof rules[0].from, "%d", int_or_err(&c, "-t", tc, icmp));
			snprintf(rules[0].to, sizeof rules[0].to, "%d", int_or_err(&c, "-t", colon + 1, icmp));
		} else if (!is_all) {
			if (!ports)
				cli_usage_error(&c, "-p PORT[-PORT] is required for the %s protocol", pr);
			char a[32];
			snprintf(a, sizeof a, "%s", ports);
			/* "-1" is every port; else PORT or PORT-PORT */
			char *dash = strcmp(a, "-1") ? strchr(a + 1, '-') : NULL;
			const char *hi = dash ? dash + 1 : a;
			if (dash)
				*dash = '\0';
			snprintf(rules[0].from, sizeof rules[0].from, "%d", int_or_err(&c, "-p", a, ports));
			snprintf(rules[0].to, sizeof rules[0].to, "%d", int_or_err(&c, "-p", hi, ports));
		}
	}
	for (int i = 0; i < nrules; i++) {
		char n[64];
		snprintf(n, sizeof n, "IpPermissions.%d.IpProtocol", i + 1);
		query_add(&q, n, rules[i].proto);
		if (*rules[i].from) {
			snprintf(n, sizeof n, "IpPermissions.%d.FromPort", i + 1);
			query_add(&q, n, rules[i].from);
			snprintf(n, sizeof n, "IpPermissions.%d.ToPort", i + 1);
			query_add(&q, n, rules[i].to);
		}
		for (int k = 0; k < ncidr; k++) {
			snprintf(n, sizeof n, "IpPermissions.%d.IpRanges.%d.CidrIp", i + 1, k + 1);
			query_add(&q, n, cidrs[k]);
		}
		for (int k = 0; k < ngroup; k++) {
			snprintf(n, sizeof n, "IpPermissions.%d.Groups.%d.%s", i + 1, k + 1,
				 strncmp(groups[k], "sg-", 3) ? "GroupName" : "GroupId");
			query_add(&q, n, groups[k]);
			if (k < nuser) {
				snprintf(n, sizeof n, "IpPermissions.%d.Groups.%d.UserId", i + 1, k + 1);
				query_add(&q, n, users[k]);
			}
		}
	}
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, action, &q, &r);
	/* as ec2-api-tools: the group and the rules as the command line named them */
	int by_id = !strncmp(target, "sg-", 3);
	const char *g[] = { by_id ? target : "", "", by_id ? "" : target, "", "" };
	out_record(&c.cfg, &REC_GROUP, g);
	for (int i = 0; i < nrules; i++) {
		for (int k = 0; k < ngroup; k++) {
			char src[300];
			snprintf(src, sizeof src, "%s %s", strncmp(groups[k], "sg-", 3) ? "NAME" : "ID",
				 groups[k]);
			const char *f[] = { "", target, "ALLOWS", rules[i].proto, rules[i].from,
					    rules[i].to, "FROM", "USER", k < nuser ? users[k] : "", src,
					    "ingress" };
			out_record(&c.cfg, &REC_PERMISSION_GROUP1, f);
		}
		for (int k = 0; k < ncidr; k++) {
			const char *f[] = { "", target, "ALLOWS", rules[i].proto, rules[i].from,
					    rules[i].to, "FROM", "CIDR", cidrs[k], "ingress" };
			out_record(&c.cfg, &REC_PERMISSION_CIDR, f);
		}
	}
	response_release(&r);
	query_release(&q);
	return 0;
}
