/* Security groups, EC2-Classic (no VPC): CreateSecurityGroup,
 * DescribeSecurityGroups, DeleteSecurityGroup, AuthorizeSecurityGroupIngress,
 * RevokeSecurityGroupIngress, and the groups of a launch (RunInstances,
 * DescribeInstances).
 *
 * An account's groups live per region. Each has ingress rules only (EC2-Classic
 * has no egress rules): a protocol (tcp, udp, icmp, or -1 for all), a port
 * range (an ICMP type and code), and a source, either a CIDR range or a
 * group (its owner and name, stored as its id). The groups of an instance are
 * those of its launch (reservation_groups), chosen at RunInstances and never
 * changed.
 *
 * The 'default' group: every account has one in every region. It is stored on
 * its first use by an Action that writes (a launch, a rule naming it, ...),
 * with the three rules EC2-Classic gave it (all of TCP, UDP and ICMP from the
 * group itself). Its id is derived from the account and the region
 * (default_id), so DescribeSecurityGroups, which only reads, shows it before
 * it is stored with the same id it keeps after; a reservation without rows
 * here (launched before groups existed) has it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ids.h"
#include "service/svc.h"

#define GROUPS_MAX 500          /* groups of an account in a region (EC2-Classic's) */
#define RULES_MAX 100           /* ingress rules of a group (EC2-Classic's) */
#define NAME_MAX_LEN 255        /* bytes of a name or description (ASCII) */
#define DEFAULT_DESCRIPTION "default group"

/* ---- ids, names, lookups ---- */

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* "sg-" and 17 hex digits, the same for the same account and region. */
static void default_id(const char *account, const char *region, char out[32])
{
	uint64_t a = fnv1a(fnv1a(14695981039346656037ull, account), region);
	uint64_t b = fnv1a(fnv1a(a ^ 0x9e3779b97f4a7c15ull, region), account);
	snprintf(out, 32, "sg-%016llx%x", (unsigned long long)a, (unsigned)(b & 0xf));
}

struct sg {
	char id[32], owner[16], name[NAME_MAX_LEN + 1];
};

/* The default group of owner in the caller's region, stored (with its three
 * rules) when it is not yet: 0, or -1 refused. Only in an Action that writes. */
static int ensure_default(struct svc *x, const char *owner, struct sg *g)
{
	default_id(owner, x->region, g->id);
	snprintf(g->owner, sizeof g->owner, "%s", owner);
	snprintf(g->name, sizeof g->name, "default");
	struct store_rows *s = store_query(x->st, "SELECT 1 FROM security_groups WHERE id = ?", "s", g->id);
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s);
	store_done(s);
	if (rc == STORE_ROW)
		return 0;
	if (rc != STORE_DONE)
		return svc_fail_store(x);
	if (store_exec(x->st, "INSERT OR IGNORE INTO security_groups(id, owner, region, name, description,"
		       " created) VALUES (?, ?, ?, 'default', '" DEFAULT_DESCRIPTION "', ?)", "sssi", g->id,
		       owner, x->region, x->now))
		return svc_fail_store(x);
	static const struct { const char *proto; int from, to; } rules[] = {
		{ "tcp", 0, 65535 }, { "udp", 0, 65535 }, { "icmp", -1, -1 } };
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (store_exec(x->st, "INSERT OR IGNORE INTO group_rules(grp, protocol, from_port, to_port,"
			       " cidr, source, created) VALUES (?, ?, ?, ?, '', ?, ?)", "ssddsi", g->id,
			       rules[i].proto, rules[i].from, rules[i].to, g->id, x->now))
			return svc_fail_store(x);
	return 0;
}

/* One group row into g: 1, 0 none, -1 refused (store). */
static int one_group(struct svc *x, struct store_rows *s, struct sg *g)
{
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s), r = 0;
	if (rc == STORE_ROW) {
		snprintf(g->id, sizeof g->id, "%s", store_text(s, 0));
		snprintf(g->owner, sizeof g->owner, "%s", store_text(s, 1));
		snprintf(g->name, sizeof g->name, "%s", store_text(s, 2));
		r = 1;
	} else if (rc != STORE_DONE)
		r = svc_fail_store(x);
	store_done(s);
	return r;
}

/* 1 when account exists, 0 not, -1 refused. */
static int account_exists(struct svc *x, const char *account)
{
	struct store_rows *s = store_query(x->st, "SELECT 1 FROM accounts WHERE id = ?", "s", account);
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s);
	store_done(s);
	return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : svc_fail_store(x);
}

/* A group of owner in the caller's region, by name or by id (one of them
 * non-NULL); the default group is stored on the way when it is not yet.
 * 1 found, 0 not, -1 refused. Only in an Action that writes. */
static int find_group(struct svc *x, const char *owner, const char *name, const char *id, struct sg *g)
{
	int r = id ? one_group(x, store_query(x->st, "SELECT id, owner, name FROM security_groups"
					      " WHERE id = ? AND owner = ? AND region = ?", "sss", id,
					      owner, x->region), g)
		   : one_group(x, store_query(x->st, "SELECT id, owner, name FROM security_groups"
					      " WHERE owner = ? AND region = ? AND name = ?", "sss", owner,
					      x->region, name), g);
	if (r)
		return r;
	char did[32];
	default_id(owner, x->region, did);
	if (id ? strcmp(id, did) : strcmp(name, "default"))
		return 0;
	if (strcmp(owner, x->account)) {
		int e = account_exists(x, owner);
		if (e <= 0)
			return e;
	}
	return ensure_default(x, owner, g) ? -1 : 1;
}

static int not_found(struct svc *x, const char *what)
{
	return svc_fail(x, 400, "InvalidGroup.NotFound", "The security group '%s' does not exist", what);
}

static int malformed_id(struct svc *x, const char *id)
{
	return svc_fail(x, 400, "InvalidGroupId.Malformed", "Invalid id: \"%s\" (expecting \"sg-...\")", id);
}

/* The group an Action acts on: GroupName or GroupId, the caller's. */
static int target_group(struct svc *x, struct sg *g)
{
	const char *name = svc_param(x, "GroupName"), *id = svc_param(x, "GroupId");
	if (name && !*name)
		name = NULL;
	if (id && !*id)
		id = NULL;
	if (name && id)
		return svc_fail(x, 400, "InvalidParameterCombination",
				"GroupName and GroupId cannot both be given: name the group once");
	if (!name && !id)
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter GroupName or GroupId");
	if (id && !svc_valid_id(id, "sg-"))
		return malformed_id(x, id);
	int r = find_group(x, x->account, name, id, g);
	if (r < 0)
		return -1;
	return r ? 0 : not_found(x, id ? id : name);
}

/* EC2-Classic: a name or description is 1 to 255 ASCII characters. */
static int check_ascii(struct svc *x, const char *param, const char *v)
{
	if (strlen(v) > NAME_MAX_LEN)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Value for %s is longer than %d characters", param, NAME_MAX_LEN);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid value for %s: only ASCII characters are allowed (EC2-Classic)",
					param);
	return 0;
}

/* ---- CreateSecurityGroup, DeleteSecurityGroup ---- */

int svc_create_security_group(struct svc *x)
{
	const char *name, *desc, *vpc = svc_param(x, "VpcId");
	if (vpc && *vpc)
		return svc_fail(x, 400, "Unsupported",
				"VpcId is not supported: this service has only EC2-Classic networking");
	if (svc_need(x, "GroupName", &name) || svc_need(x, "GroupDescription", &desc) ||
	    check_ascii(x, "GroupName", name) || check_ascii(x, "GroupDescription", desc))
		return -1;
	if (!strncmp(name, "sg-", 3))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Group names may not be in the format sg-*");
	if (!strcmp(name, "default"))
		return svc_fail(x, 400, "InvalidGroup.Reserved",
				"The security group 'default' is reserved");
	struct store_rows *s = store_query(x->st, "SELECT count(*) FROM security_groups WHERE owner = ?"
				      " AND region = ?", "ss", x->account, x->region);
	if (!s || store_step(s) != STORE_ROW) {
		store_done(s);
		return svc_fail_store(x);
	}
	int64_t have = store_int64(s, 0);
	store_done(s);
	if (have >= GROUPS_MAX)
		return svc_fail(x, 400, "SecurityGroupLimitExceeded",
				"You have reached the limit of %d security groups in %s", GROUPS_MAX, x->region);
	char id[32];
	for (int tries = 0;; tries++) {
		id_new(id, sizeof id, "sg-", 17);
		int r = store_exec(x->st, "INSERT INTO security_groups(id, owner, region, name, description,"
				   " created) VALUES (?, ?, ?, ?, ?, ?)", "sssssi", id, x->account, x->region,
				   name, desc, x->now);
		if (r == 0)
			break;
		if (r == -1 || tries == 20)
			return svc_fail_store(x);
		struct sg g;
		int dup = one_group(x, store_query(x->st, "SELECT id, owner, name FROM security_groups"
						   " WHERE owner = ? AND region = ? AND name = ?", "sss",
						   x->account, x->region, name), &g);
		if (dup < 0)
			return -1;
		if (dup)
			return svc_fail(x, 400, "InvalidGroup.Duplicate",
					"The security group '%s' already exists", name);
	}
	svc_elem(x, "return", "true");
	svc_elem(x, "groupId", id);
	return 0;
}

int svc_delete_security_group(struct svc *x)
{
	const char *name = svc_param(x, "GroupName"), *id = svc_param(x, "GroupId");
	char did[32];
	default_id(x->account, x->region, did);
	if ((name && !strcmp(name, "default")) || (id && !strcmp(id, did)))
		return svc_fail(x, 400, "CannotDelete",
				"the specified group: \"%s\" name: \"default\" cannot be deleted by a user",
				did);
	struct sg g;
	if (target_group(x, &g))
		return -1;
	/* an instance not yet terminated holds its groups */
	struct store_rows *s = store_query(x->st, "SELECT i.id FROM reservation_groups rg"
				      " JOIN instances i ON i.reservation = rg.reservation WHERE rg.grp = ?"
				      " AND (i.terminated IS NULL OR i.terminated > ?) LIMIT 1", "si", g.id,
				      x->now - SVC_SHUTDOWN_SECONDS);
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s);
	store_done(s);
	if (rc == STORE_ROW)
		return svc_fail(x, 400, "InvalidGroup.InUse",
				"There are active instances using security group '%s'", g.name);
	if (rc != STORE_DONE)
		return svc_fail_store(x);
	/* a rule of another group naming it as its source */
	s = store_query(x->st, "SELECT DISTINCT grp FROM group_rules WHERE source = ? AND grp != ?"
			" ORDER BY grp LIMIT 5", "ss", g.id, g.id);
	if (!s)
		return svc_fail_store(x);
	struct buf users = BUF_INIT;
	while ((rc = store_step(s)) == STORE_ROW)
		buf_addf(&users, "%s%s", users.len ? ", " : "", store_text(s, 0));
	store_done(s);
	if (rc != STORE_DONE) {
		buf_release(&users);
		return svc_fail_store(x);
	}
	if (users.len) {
		svc_fail(x, 400, "InvalidGroup.InUse", "Group %s is used by groups: %s", g.id,
			 buf_str(&users));
		buf_release(&users);
		return -1;
	}
	if (store_exec(x->st, "DELETE FROM group_rules WHERE grp = ?", "s", g.id) ||
	    store_exec(x->st, "DELETE FROM security_groups WHERE id = ?", "s", g.id))
		return svc_fail_store(x);
	svc_elem(x, "return", "true");
	return 0;
}

/* ---- rules: Authorize and Revoke ---- */

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

/* A whole number in [min, max] from text: 0, or -1. */
static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	long v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
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
		if ((from && *from && parse_int(from, -1, 255, &r->from)) ||
		    (to && *to && parse_int(to, -1, 255, &r->to)))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid ICMP type or code '%s:%s': each is -1 (all) or 0 to 255",
					from ? from : "", to ? to : "");
		return 0;
	}
	if (!from || !*from || !to || !*to)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid port range: %s rules need both FromPort and ToPort", proto);
	if (parse_int(from, -1, 65535, &r->from) || parse_int(to, -1, 65535, &r->to) ||
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
		return malformed_id(x, id);
	struct rule *r = rule_add(rs);
	*r = *proto;
	int f = find_group(x, owner, name, id, &r->src);
	if (f < 0)
		return -1;
	if (f == 0)
		return !strcmp(owner, x->account) ? not_found(x, id ? id : name)
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
	if (target_group(x, &g) || parse_rules(x, &rs))
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

/* ---- DescribeSecurityGroups ---- */

struct drule {
	char proto[8];
	int from, to;
	char *cidr, *src_id, *src_owner, *src_name;   /* NULL when absent */
};

struct dgroup {
	char id[32];
	char *name, *desc;
	struct drule *r;
	int nr;
};

struct dgroups {
	struct dgroup *g;
	int n;
};

static void dgroups_release(struct dgroups *d)
{
	for (int i = 0; i < d->n; i++) {
		for (int k = 0; k < d->g[i].nr; k++) {
			free(d->g[i].r[k].cidr);
			free(d->g[i].r[k].src_id);
			free(d->g[i].r[k].src_owner);
			free(d->g[i].r[k].src_name);
		}
		free(d->g[i].r);
		free(d->g[i].name);
		free(d->g[i].desc);
	}
	free(d->g);
}

static struct drule *drule_add(struct dgroup *g, const char *proto, int from, int to)
{
	g->r = xrealloc(g->r, (size_t)(g->nr + 1) * sizeof *g->r);
	struct drule *r = &g->r[g->nr++];
	memset(r, 0, sizeof *r);
	snprintf(r->proto, sizeof r->proto, "%s", proto);
	r->from = from;
	r->to = to;
	return r;
}

static struct dgroup *dgroup_find(struct dgroups *d, const char *id)
{
	for (int i = 0; i < d->n; i++)
		if (!strcmp(d->g[i].id, id))
			return &d->g[i];
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dgroup *)a)->name, ((const struct dgroup *)b)->name);
}

/* The caller's groups of its region, their rules, and the default group
 * when it is not stored yet, in name order. */
static int load_groups(struct svc *x, struct dgroups *d)
{
	struct store_rows *s = store_query(x->st, "SELECT id, name, description FROM security_groups"
				      " WHERE owner = ? AND region = ? ORDER BY name", "ss", x->account,
				      x->region);
	if (!s)
		return svc_fail_store(x);
	int rc;
	while ((rc = store_step(s)) == STORE_ROW) {
		d->g = xrealloc(d->g, (size_t)(d->n + 1) * sizeof *d->g);
		struct dgroup *g = &d->g[d->n++];
		memset(g, 0, sizeof *g);
		snprintf(g->id, sizeof g->id, "%s", store_text(s, 0));
		g->name = xstrdup(store_text(s, 1));
		g->desc = xstrdup(store_text(s, 2));
	}
	store_done(s);
	if (rc != STORE_DONE)
		return svc_fail_store(x);
	s = store_query(x->st, "SELECT r.grp, r.protocol, r.from_port, r.to_port, r.cidr, r.source,"
			" coalesce(s.owner, ''), coalesce(s.name, '') FROM group_rules r"
			" JOIN security_groups g ON g.id = r.grp"
			" LEFT JOIN security_groups s ON s.id = r.source"
			" WHERE g.owner = ? AND g.region = ?"
			" ORDER BY r.grp, CASE r.protocol WHEN 'tcp' THEN 0 WHEN 'udp' THEN 1"
			" WHEN 'icmp' THEN 2 ELSE 3 END, r.from_port, r.to_port, r.source, r.cidr", "ss",
			x->account, x->region);
	if (!s)
		return svc_fail_store(x);
	struct dgroup *g = NULL;
	while ((rc = store_step(s)) == STORE_ROW) {
		if (!g || strcmp(g->id, store_text(s, 0)))
			g = dgroup_find(d, store_text(s, 0));
		if (!g)
			continue;
		struct drule *r = drule_add(g, store_text(s, 1), store_int(s, 2), store_int(s, 3));
		if (*store_text(s, 4))
			r->cidr = xstrdup(store_text(s, 4));
		else {
			r->src_id = xstrdup(store_text(s, 5));
			r->src_owner = xstrdup(store_text(s, 6));
			r->src_name = xstrdup(store_text(s, 7));
		}
	}
	store_done(s);
	if (rc != STORE_DONE)
		return svc_fail_store(x);
	char did[32];
	default_id(x->account, x->region, did);
	if (!dgroup_find(d, did)) {
		d->g = xrealloc(d->g, (size_t)(d->n + 1) * sizeof *d->g);
		g = &d->g[d->n++];
		memset(g, 0, sizeof *g);
		snprintf(g->id, sizeof g->id, "%s", did);
		g->name = xstrdup("default");
		g->desc = xstrdup(DEFAULT_DESCRIPTION);
		static const struct { const char *p; int from, to; } all[] = {
			{ "tcp", 0, 65535 }, { "udp", 0, 65535 }, { "icmp", -1, -1 } };
		for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
			struct drule *r = drule_add(g, all[i].p, all[i].from, all[i].to);
			r->src_id = xstrdup(did);
			r->src_owner = xstrdup(x->account);
			r->src_name = xstrdup("default");
		}
		qsort(d->g, (size_t)d->n, sizeof *d->g, by_name);
	}
	return 0;
}

/* DescribeSecurityGroups' filters: EC2's names. Those about what EC2-Classic
 * groups here do not have (egress rules, VPCs, IPv6, prefix lists, tags)
 * are accepted and match nothing. */
static const char *const group_filters[] = { "description", "group-id", "group-name", "owner-id",
	"ip-permission.protocol", "ip-permission.from-port", "ip-permission.to-port",
	"ip-permission.cidr", "ip-permission.group-id", "ip-permission.group-name",
	"ip-permission.user-id", "ip-permission.ipv6-cidr", "ip-permission.prefix-list-id",
	"egress.ip-permission.protocol", "egress.ip-permission.from-port",
	"egress.ip-permission.to-port", "egress.ip-permission.cidr",
	"egress.ip-permission.group-id", "egress.ip-permission.group-name",
	"egress.ip-permission.user-id", "egress.ip-permission.ipv6-cidr",
	"egress.ip-permission.prefix-list-id", "vpc-id", "tag-key", "tag-value", NULL };

/* 1 when one of the group's values for f matches one of f's values. */
static int filter_hit(struct svc *x, const struct dgroup *g, const struct filter *f)
{
	const char *name = f->name;
	char num[16];
	const char *one = NULL;
	if (!strcmp(name, "description")) one = g->desc;
	else if (!strcmp(name, "group-id")) one = g->id;
	else if (!strcmp(name, "group-name")) one = g->name;
	else if (!strcmp(name, "owner-id")) one = x->account;
	if (one) {
		for (int v = 0; v < f->nvalues; v++)
			if (filter_glob(f->values[v], one))
				return 1;
		return 0;
	}
	if (strncmp(name, "ip-permission.", 14))
		return 0;
	name += 14;
	for (int k = 0; k < g->nr; k++) {
		const struct drule *r = &g->r[k];
		const char *val = NULL;
		int ports = strcmp(r->proto, "-1") != 0;
		if (!strcmp(name, "protocol")) val = r->proto;
		else if (!strcmp(name, "from-port") && ports) snprintf(num, sizeof num, "%d", r->from), val = num;
		else if (!strcmp(name, "to-port") && ports) snprintf(num, sizeof num, "%d", r->to), val = num;
		else if (!strcmp(name, "cidr")) val = r->cidr;
		else if (!strcmp(name, "group-id")) val = r->src_id;
		else if (!strcmp(name, "group-name")) val = r->src_name;
		else if (!strcmp(name, "user-id")) val = r->src_owner;
		for (int v = 0; val && v < f->nvalues; v++)
			if (filter_glob(f->values[v], val))
				return 1;
	}
	return 0;
}

static void write_group(struct svc *x, const struct dgroup *g)
{
	svc_open(x, "item");
	svc_elem(x, "ownerId", x->account);
	svc_elem(x, "groupId", g->id);
	svc_elem(x, "groupName", g->name);
	svc_elem(x, "groupDescription", g->desc);
	svc_open(x, "ipPermissions");
	/* one item per protocol and port range, its sources beneath */
	for (int k = 0; k < g->nr;) {
		const struct drule *r = &g->r[k];
		int end = k;
		while (end < g->nr && !strcmp(g->r[end].proto, r->proto) && g->r[end].from == r->from &&
		       g->r[end].to == r->to)
			end++;
		svc_open(x, "item");
		svc_elem(x, "ipProtocol", r->proto);
		if (strcmp(r->proto, "-1")) {
			svc_elemf(x, "fromPort", "%d", r->from);
			svc_elemf(x, "toPort", "%d", r->to);
		}
		svc_open(x, "groups");
		for (int i = k; i < end; i++)
			if (g->r[i].src_id) {
				svc_open(x, "item");
				svc_elem(x, "userId", g->r[i].src_owner);
				svc_elem(x, "groupId", g->r[i].src_id);
				svc_elem(x, "groupName", g->r[i].src_name);
				svc_close(x);
			}
		svc_close(x);
		svc_open(x, "ipRanges");
		for (int i = k; i < end; i++)
			if (g->r[i].cidr) {
				svc_open(x, "item");
				svc_elem(x, "cidrIp", g->r[i].cidr);
				svc_close(x);
			}
		svc_close(x);
		svc_open(x, "ipv6Ranges");
		svc_close(x);
		svc_open(x, "prefixListIds");
		svc_close(x);
		svc_close(x);
		k = end;
	}
	svc_close(x);
	svc_open(x, "ipPermissionsEgress");
	svc_close(x);
	svc_close(x);
}

/* NextToken: the hex of the last name of the page before. */
static void token_of(const char *name, char *out)
{
	for (; *name; name++, out += 2)
		sprintf(out, "%02x", (unsigned char)*name);
	*out = '\0';
}

static int token_parse(const char *t, char *name, size_t n)
{
	size_t len = strlen(t);
	if (!len || len % 2 || len / 2 >= n)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		unsigned v;
		if (!strchr("0123456789abcdef", t[i]) || !strchr("0123456789abcdef", t[i + 1]) ||
		    sscanf(t + i, "%2x", &v) != 1 || v < 0x20 || v > 0x7e)
			return -1;
		name[i / 2] = (char)v;
	}
	name[len / 2] = '\0';
	return 0;
}

int svc_describe_security_groups(struct svc *x)
{
	struct filter_set fs = FILTER_SET_INIT;
	struct dgroups d = { NULL, 0 };
	const char **names = NULL, **ids = NULL;
	size_t nn = 0, ni = 0;
	int rc = -1, max = 0;
	char after[NAME_MAX_LEN + 1] = "";
	const char *mr = svc_param(x, "MaxResults"), *tok = svc_param(x, "NextToken");
	if (svc_filters(x, group_filters, &fs))
		return -1;
	if (mr && parse_int(mr, 5, 1000, &max)) {
		svc_fail(x, 400, "InvalidParameterValue",
			 "Invalid value '%s' for MaxResults: expected 5 to 1000", mr);
		goto out;
	}
	if (tok && token_parse(tok, after, sizeof after)) {
		svc_fail(x, 400, "InvalidNextToken", "The specified NextToken is not valid");
		goto out;
	}
	nn = svc_list(x, "GroupName", &names);
	ni = svc_list(x, "GroupId", &ids);
	for (size_t i = 0; i < ni; i++)
		if (!svc_valid_id(ids[i], "sg-")) {
			malformed_id(x, ids[i]);
			goto out;
		}
	if (load_groups(x, &d))
		goto out;
	/* every group named must exist */
	for (size_t i = 0; i < nn + ni; i++) {
		const char *want = i < nn ? names[i] : ids[i - nn];
		int found = 0;
		for (int k = 0; k < d.n && !found; k++)
			found = !strcmp(i < nn ? d.g[k].name : d.g[k].id, want);
		if (!found) {
			not_found(x, want);
			goto out;
		}
	}
	int written = 0;
	svc_open(x, "securityGroupInfo");
	for (int k = 0; k < d.n; k++) {
		const struct dgroup *g = &d.g[k];
		if ((nn || ni) && !svc_list_has(names, nn, g->name) && !svc_list_has(ids, ni, g->id))
			continue;
		int pass = 1;
		for (int f = 0; f < fs.n && pass; f++)
			pass = filter_hit(x, g, &fs.f[f]);
		if (!pass || (*after && strcmp(g->name, after) <= 0))
			continue;
		if (max && written == max) {
			/* more to come: the next page starts after the last name written */
			char t[2 * NAME_MAX_LEN + 1];
			token_of(after, t);
			svc_close(x);
			svc_elem(x, "nextToken", t);
			rc = 0;
			goto out;
		}
		write_group(x, g);
		snprintf(after, sizeof after, "%s", g->name);
		written++;
	}
	svc_close(x);
	rc = 0;
out:
	free(names);
	free(ids);
	dgroups_release(&d);
	filter_release(&fs);
	return rc;
}

/* ---- the groups of a launch ---- */

int svc_launch_groups(struct svc *x, struct svc_groups *out)
{
	memset(out, 0, sizeof *out);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 1;; i++) {
			const char *v = query_get_nth(x->q, pass ? "SecurityGroupId" : "SecurityGroup", i, NULL);
			if (!v)
				break;
			if (pass && !svc_valid_id(v, "sg-"))
				return malformed_id(x, v);
			struct sg g;
			int r = find_group(x, x->account, pass ? NULL : v, pass ? v : NULL, &g);
			if (r < 0)
				return -1;
			if (r == 0)
				return not_found(x, v);
			int dup = 0;
			for (int k = 0; k < out->n && !dup; k++)
				dup = !strcmp(out->id[k], g.id);
			if (dup)
				continue;
			if (out->n == SVC_GROUPS_MAX)
				return svc_fail(x, 400, "SecurityGroupsPerInstanceLimitExceeded",
						"At most %d security groups may be given to a launch",
						SVC_GROUPS_MAX);
			snprintf(out->id[out->n], sizeof out->id[0], "%s", g.id);
			snprintf(out->name[out->n], sizeof out->name[0], "%s", g.name);
			out->n++;
		}
	}
	out->given = out->n > 0;
	if (!out->n) {
		struct sg g;
		if (ensure_default(x, x->account, &g))
			return -1;
		snprintf(out->id[0], sizeof out->id[0], "%s", g.id);
		snprintf(out->name[0], sizeof out->name[0], "default");
		out->n = 1;
	}
	return 0;
}

void svc_groups_key(const struct svc_groups *g, struct buf *out)
{
	if (!g->given)
		return;
	buf_adds(out, "&groups=");
	for (int i = 0; i < g->n; i++)
		buf_addf(out, "%s%s", i ? "," : "", g->id[i]);
}

int svc_store_launch_groups(struct svc *x, const char *rid, const struct svc_groups *g)
{
	for (int i = 0; i < g->n; i++)
		if (store_exec(x->st, "INSERT INTO reservation_groups(reservation, pos, grp, name)"
			       " VALUES (?, ?, ?, ?)", "sdss", rid, i, g->id[i], g->name[i]))
			return svc_fail_store(x);
	return 0;
}

int svc_reservation_groups(struct svc *x, const char *rid, const char *owner, struct svc_groups *g)
{
	memset(g, 0, sizeof *g);
	struct store_rows *s = store_query(x->st, "SELECT grp, name FROM reservation_groups"
				      " WHERE reservation = ? ORDER BY pos", "s", rid);
	if (!s)
		return svc_fail_store(x);
	int rc;
	while ((rc = store_step(s)) == STORE_ROW)
		if (g->n < SVC_GROUPS_MAX) {
			snprintf(g->id[g->n], sizeof g->id[0], "%s", store_text(s, 0));
			snprintf(g->name[g->n], sizeof g->name[0], "%s", store_text(s, 1));
			g->n++;
		}
	store_done(s);
	if (rc != STORE_DONE)
		return svc_fail_store(x);
	if (!g->n) { /* launched before groups were stored: the default group */
		default_id(owner, x->region, g->id[0]);
		snprintf(g->name[0], sizeof g->name[0], "default");
		g->n = 1;
	}
	return 0;
}

void svc_write_group_set(struct svc *x, const struct svc_groups *g)
{
	svc_open(x, "groupSet");
	for (int i = 0; i < g->n; i++) {
		svc_open(x, "item");
		svc_elem(x, "groupId", g->id[i]);
		svc_elem(x, "groupName", g->name[i]);
		svc_close(x);
	}
	svc_close(x);
}

int svc_group_filter_values(const struct svc_groups *g, const char *name, const char **out, int max)
{
	int ids = !strcmp(name, "group-id") || !strcmp(name, "instance.group-id");
	if (!ids && strcmp(name, "group-name") && strcmp(name, "instance.group-name"))
		return -1;
	int n = 0;
	for (int i = 0; i < g->n && n < max; i++)
		out[n++] = ids ? g->id[i] : g->name[i];
	return n;
}
