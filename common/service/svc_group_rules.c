/* SPDX-License-Identifier: Apache-2.0 */
/* The ingress rules of a security group: AuthorizeSecurityGroupIngress and
 * RevokeSecurityGroupIngress, in EC2's IpPermissions.N form (the AWS CLI's)
 * and the older flat one (IpProtocol, CidrIp, SourceSecurityGroupName, ...).
 * A rule row is (group, protocol, from, to, cidr, source): a CIDR source has
 * source '', a group source cidr ''. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "service/svc_groups_int.h"

#define RULES_MAX 100           /* ingress rules of a group (EC2-Classic's) */

struct rule {
	char proto[8];
	int from, to;
	char cidr[20];            /* "" for a group source */
	struct sg src;            /* src.id "" for a CIDR source */
};

struct rules {
	struct rule *r;
	int n;
};

static struct rule *rule_add(struct rules *rs)
{
	rs->r = xrealloc(rs->r, (size_t)(rs->n + 1) * sizeof *rs->r);
	struct rule *r = &rs->r[rs->n++];
	memset(r, 0, sizeof *r);
	return r;
}

/* tcp, udp, icmp, -1 (all), by name (any case) or number. */
static const char *protocol_of(const char *p)
{
	static const char *const names[][2] = { { "tcp", "6" }, { "udp", "17" }, { "icmp", "1" },
		{ "-1", "-1" } };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcasecmp(p, names[i][0]) || !strcmp(p, names[i][1]))
			return names[i][0];
	return NULL;
}


/* The protocol and ports of one permission (PREFIX "" for the flat form,
 * "IpPermissions.N." otherwise) into r. */
static int parse_ports(struct svc *x, const char *prefix, struct rule *r)
{
	char n[96];
	snprintf(n, sizeof n, "%sIpProtocol", prefix);
	const char *p = svc_param(x, n);
	if (!p || !*p)
		return svc_fail(x, 400, "MissingParameter", "The request must contain the parameter %s", n);
	const char *proto = protocol_of(p);
	if (!proto)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%s' for IP protocol: expected tcp, udp, icmp or -1", p);
	snprintf(r->proto, sizeof r->proto, "%s", proto);
	snprintf(n, sizeof n, "%sFromPort", prefix);
	const char *from = svc_param(x, n);
	snprintf(n, sizeof n, "%sToPort", prefix);
	const char *to = svc_param(x, n);
	if (!strcmp(proto, "-1")) {
		r->from = r->to = -1;
		return 0;
	}
	if (!strcmp(proto, "icmp")) {
		r->from = r->to = -1;
		if ((from && *from && sg_parse_int(from, -1, 255, &r->from)) ||
		    (to && *to && sg_parse_int(to, -1, 255, &r->to)))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid ICMP type or code '%s:%s': each is -1 (all) or 0 to 255",
					from ? from : "", to ? to : "");
		return 0;
	}
	if (!from || !*from || !to || !*to)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid port range: %s rules need both FromPort and ToPort", proto);
	if (sg_parse_int(from, -1, 65535, &r->from) || sg_parse_int(to, -1, 65535, &r->to) ||
	    (r->from == -1) != (r->to == -1) || r->from > r->to)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid port range %s-%s: ports run from 0 to 65535, FromPort not above ToPort",
				from, to);
	if (r->from == -1) { /* all ports, as the AWS CLI's --port all sends it */
		r->from = 0;
		r->to = 65535;
	}
	return 0;
}

/* a.b.c.d/n, decimal without leading zeros */
static int valid_cidr(const char *s)
{
	int parts[5], k = 0;
	const char *p = s;
	for (; k < 5; k++) {
		if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
			return 0;
		long v = 0;
		int digits = 0;
		for (; *p >= '0' && *p <= '9' && digits < 4; p++, digits++)
			v = v * 10 + (*p - '0');
		parts[k] = (int)v;
		char want = k < 3 ? '.' : k == 3 ? '/' : '\0';
		if (*p != want)
			return 0;
		if (want)
			p++;
	}
	for (k = 0; k < 4; k++)
		if (parts[k] > 255)
			return 0;
	return parts[4] <= 32;
}

static int add_cidr(struct svc *x, struct rules *rs, const struct rule *proto, const char *cidr)
{
	if (!valid_cidr(cidr))
		return svc_fail(x, 400, "InvalidParameterValue",
				"CIDR block '%s' is malformed: expected a.b.c.d/n", cidr);
	struct rule *r = rule_add(rs);
	*r = *proto;
	snprintf(r->cidr, sizeof r->cidr, "%s", cidr);
	return 0;
}

/* A source group: by id, or by name of user (the caller when NULL). */
static int add_group(struct svc *x, struct rules *rs, const struct rule *proto, const char *user,
		     const char *name, const char *id)
{
	char owner[16];
	if (user && *user) {
		/* an account id may be written 1234-5678-9012 */
		size_t k = 0;
		for (const char *p = user; *p && k < sizeof owner - 1; p++)
			if (*p != '-')
				owner[k++] = *p;
		owner[k] = '\0';
		if (k != 12 || strspn(owner, "0123456789") != 12)
			return svc_fail(x, 400, "InvalidUserID.Malformed",
					"Invalid user id: \"%s\" (expecting 12 digits)", user);
	} else
		snprintf(owner, sizeof owner, "%s", x->account);
	if (id && !svc_valid_id(id, "sg-"))
		return sg_malformed_id(x, id);
	struct rule *r = rule_add(rs);
	*r = *proto;
	int f = sg_find(x, owner, name, id, &r->src);
	if (f < 0)
		return -1;
	if (f == 0)
		return !strcmp(owner, x->account) ? sg_not_found(x, id ? id : name)
			: svc_fail(x, 400, "InvalidGroup.NotFound",
				   "The security group '%s' of account %s does not exist", id ? id : name,
				   owner);
	return 0;
}

/* The highest N of PREFIX.N... among the request's parameters, 0 when none. */
static int max_index(struct svc *x, const char *prefix)
{
	size_t pl = strlen(prefix);
	int max = 0;
	for (size_t i = 0; i < x->q->n; i++) {
		const char *n = x->q->v[i].name;
		if (strncmp(n, prefix, pl) || n[pl] < '1' || n[pl] > '9')
			continue;
		long k = strtol(n + pl, NULL, 10);
		if (k > max && k <= 100000)
			max = (int)k;
	}
	return max;
}

static int has_prefix_param(struct svc *x, const char *prefix)
{
	size_t pl = strlen(prefix);
	for (size_t i = 0; i < x->q->n; i++)
		if (!strncmp(x->q->v[i].name, prefix, pl))
			return 1;
	return 0;
}

/* The rules a request names: the flat form (IpProtocol, FromPort, ToPort,
 * CidrIp, SourceSecurityGroupName, SourceSecurityGroupOwnerId) or
 * IpPermissions.N.*, each source one rule. */
static int parse_rules(struct svc *x, struct rules *rs)
{
	static const char *const flat[] = { "IpProtocol", "FromPort", "ToPort", "CidrIp",
		"SourceSecurityGroupName", "SourceSecurityGroupOwnerId", NULL };
	int has_flat = 0;
	for (int i = 0; flat[i]; i++)
		has_flat |= svc_param(x, flat[i]) != NULL;
	int n = max_index(x, "IpPermissions.");
	if (has_flat && n)
		return svc_fail(x, 400, "InvalidParameterCombination",
				"IpPermissions cannot be given with IpProtocol, FromPort, ToPort, CidrIp or SourceSecurityGroup*");
	if (!has_flat && !n)
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter IpPermissions");
	if (has_flat) {
		const char *cidr = svc_param(x, "CidrIp"), *sname = svc_param(x, "SourceSecurityGroupName");
		const char *suser = svc_param(x, "SourceSecurityGroupOwnerId");
		struct rule proto = { .from = -1, .to = -1 };
		if (sname && *sname) {
			if (cidr)
				return svc_fail(x, 400, "InvalidParameterCombination",
						"CidrIp cannot be given with SourceSecurityGroupName");
			if (svc_param(x, "IpProtocol")) {
				if (parse_ports(x, "", &proto))
					return -1;
				return add_group(x, rs, &proto, suser, sname, NULL);
			}
			/* a group alone: all of TCP, UDP and ICMP from it */
			static const struct { const char *p; int from, to; } all[] = {
				{ "tcp", 0, 65535 }, { "udp", 0, 65535 }, { "icmp", -1, -1 } };
			for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
				snprintf(proto.proto, sizeof proto.proto, "%s", all[i].p);
				proto.from = all[i].from;
				proto.to = all[i].to;
				if (add_group(x, rs, &proto, suser, sname, NULL))
					return -1;
			}
			return 0;
		}
		if (suser)
			return svc_fail(x, 400, "MissingParameter",
					"The request must contain the parameter SourceSecurityGroupName");
		if (parse_ports(x, "", &proto))
			return -1;
		if (!cidr || !*cidr)
			return svc_fail(x, 400, "MissingParameter",
					"The request must contain the parameter CidrIp or SourceSecurityGroupName");
		return add_cidr(x, rs, &proto, cidr);
	}
	for (int i = 1; i <= n; i++) {
		char pre[48], name[96];
		snprintf(pre, sizeof pre, "IpPermissions.%d.", i);
		snprintf(name, sizeof name, "%sIpv6Ranges.", pre);
		int v6 = has_prefix_param(x, name);
		snprintf(name, sizeof name, "%sPrefixListIds.", pre);
		if (v6 || has_prefix_param(x, name))
			return svc_fail(x, 400, "Unsupported",
					"%s are not supported: this service has only EC2-Classic networking (IPv4 CIDR ranges and groups)",
					v6 ? "IPv6 ranges" : "Prefix lists");
		struct rule proto = { .from = -1, .to = -1 };
		if (parse_ports(x, pre, &proto))
			return -1;
		int before = rs->n;
		snprintf(name, sizeof name, "%sIpRanges.", pre);
		int m = max_index(x, name);
		for (int k = 1; k <= m; k++) {
			snprintf(name, sizeof name, "%sIpRanges.%d.CidrIp", pre, k);
			const char *cidr = svc_param(x, name);
			if (!cidr || !*cidr)
				return svc_fail(x, 400, "MissingParameter",
						"The request must contain the parameter %s", name);
			if (add_cidr(x, rs, &proto, cidr))
				return -1;
		}
		snprintf(name, sizeof name, "%sGroups.", pre);
		m = max_index(x, name);
		for (int k = 1; k <= m; k++) {
			char gn[3][112];
			static const char *const field[] = { "UserId", "GroupName", "GroupId" };
			const char *v[3];
			for (int f = 0; f < 3; f++) {
				snprintf(gn[f], sizeof gn[f], "%sGroups.%d.%s", pre, k, field[f]);
				v[f] = svc_param(x, gn[f]);
				if (v[f] && !*v[f])
					v[f] = NULL;
			}
			if (!v[1] && !v[2])
				return svc_fail(x, 400, "MissingParameter",
						"The request must contain the parameter %sGroups.%d.GroupName or GroupId",
						pre, k);
			if (add_group(x, rs, &proto, v[0], v[2] ? NULL : v[1], v[2]))
				return -1;
		}
		if (rs->n == before)
			return svc_fail(x, 400, "MissingParameter",
					"The request must contain the parameter %sIpRanges.1.CidrIp or %sGroups.1.GroupName",
					pre, pre);
	}
	return 0;
}

/* The rule as EC2 names it in its messages. */
static void rule_text(const struct rule *r, char *out, size_t n)
{
	char up[8];
	size_t i = 0;
	for (; r->proto[i] && i < sizeof up - 1; i++)
		up[i] = (char)(r->proto[i] >= 'a' && r->proto[i] <= 'z' ? r->proto[i] - 32 : r->proto[i]);
	up[i] = '\0';
	snprintf(out, n, "peer: %s, %s, from port: %d, to port: %d, ALLOW", *r->cidr ? r->cidr : r->src.id,
		 !strcmp(r->proto, "-1") ? "ALL" : up, r->from, r->to);
}

static int rule_exists(struct svc *x, const char *grp, const struct rule *r)
{
	struct store_rows *s = store_query(x->st, "SELECT 1 FROM group_rules WHERE grp = ? AND protocol = ?"
				      " AND from_port = ? AND to_port = ? AND cidr = ? AND source = ?",
				      "ssddss", grp, r->proto, r->from, r->to, r->cidr, r->src.id);
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s);
	store_done(s);
	return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : svc_fail_store(x);
}

static int change_rules(struct svc *x, int add)
{
	struct sg g;
	struct rules rs = { NULL, 0 };
	int rc = -1;
	if (sg_target(x, &g) || parse_rules(x, &rs))
		goto out;
	for (int i = 0; i < rs.n; i++) {
		const struct rule *r = &rs.r[i];
		char text[160];
		int e = rule_exists(x, g.id, r);
		if (e < 0)
			goto out;
		rule_text(r, text, sizeof text);
		if (add && e) {
			svc_fail(x, 400, "InvalidPermission.Duplicate",
				 "the specified rule \"%s\" already exists", text);
			goto out;
		}
		if (!add && !e) {
			svc_fail(x, 400, "InvalidPermission.NotFound",
				 "The specified rule \"%s\" does not exist in this security group.", text);
			goto out;
		}
		if (add ? store_exec(x->st, "INSERT INTO group_rules(grp, protocol, from_port, to_port, cidr,"
				     " source, created) VALUES (?, ?, ?, ?, ?, ?, ?)", "ssddssi", g.id,
				     r->proto, r->from, r->to, r->cidr, r->src.id, x->now)
			: store_exec(x->st, "DELETE FROM group_rules WHERE grp = ? AND protocol = ?"
				     " AND from_port = ? AND to_port = ? AND cidr = ? AND source = ?",
				     "ssddss", g.id, r->proto, r->from, r->to, r->cidr, r->src.id)) {
			svc_fail_store(x);
			goto out;
		}
	}
	if (add) {
		struct store_rows *s = store_query(x->st, "SELECT count(*) FROM group_rules WHERE grp = ?",
					      "s", g.id);
		if (!s || store_step(s) != STORE_ROW) {
			store_done(s);
			svc_fail_store(x);
			goto out;
		}
		int64_t n = store_int64(s, 0);
		store_done(s);
		if (n > RULES_MAX) {
			svc_fail(x, 400, "RulesPerSecurityGroupLimitExceeded",
				 "The maximum number of rules per security group (%d) has been reached.",
				 RULES_MAX);
			goto out;
		}
	}
	svc_elem(x, "return", "true");
	rc = 0;
out:
	free(rs.r);
	return rc;
}

int svc_authorize_ingress(struct svc *x)
{
	return change_rules(x, 1);
}

int svc_revoke_ingress(struct svc *x)
{
	return change_rules(x, 0);
}
