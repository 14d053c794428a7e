/* SPDX-License-Identifier: Apache-2.0 */
/* Security groups, EC2-Classic (no VPC): the groups and their lookups,
 * CreateSecurityGroup, DeleteSecurityGroup, and the groups of a launch
 * (RunInstances, DescribeInstances). The rules are in svc_group_rules.c
 * (AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress), the answer
 * of DescribeSecurityGroups in svc_group_describe.c.
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
 * (sg_default_id), so DescribeSecurityGroups, which only reads, shows it
 * before it is stored with the same id it keeps after; a reservation without
 * rows here (launched before groups existed) has it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ids.h"
#include "service/svc_groups_int.h"

#define GROUPS_MAX 500          /* groups of an account in a region (EC2-Classic's) */

/* ---- ids, names, lookups ---- */

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* "sg-" and 17 hex digits, the same for the same account and region. */
void sg_default_id(const char *account, const char *region, char out[32])
{
	uint64_t a = fnv1a(fnv1a(14695981039346656037ull, account), region);
	uint64_t b = fnv1a(fnv1a(a ^ 0x9e3779b97f4a7c15ull, region), account);
	snprintf(out, 32, "sg-%016llx%x", (unsigned long long)a, (unsigned)(b & 0xf));
}

static const char group_exists[] = "SELECT 1 FROM security_groups WHERE id = ?";

/* The default group of owner in the caller's region, stored (with its three
 * rules) when it is not yet: 0, or -1 refused. Only in an Action that writes. */
int sg_ensure_default(struct svc *x, const char *owner, struct sg *g)
{
	sg_default_id(owner, x->region, g->id);
	snprintf(g->owner, sizeof g->owner, "%s", owner);
	snprintf(g->name, sizeof g->name, "default");
	struct store_rows *s = store_query(x->st, group_exists, "s", g->id);
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s);
	store_done(s);
	if (rc == STORE_ROW)
		return 0;
	if (rc != STORE_DONE)
		return svc_fail_store(x);
	if (store_exec(x->st, "INSERT OR IGNORE INTO security_groups(id, owner, region, name, description,"
		       " created) VALUES (?, ?, ?, 'default', '" SG_DEFAULT_DESCRIPTION "', ?)", "sssi", g->id,
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
int sg_find(struct svc *x, const char *owner, const char *name, const char *id, struct sg *g)
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
	sg_default_id(owner, x->region, did);
	if (id ? strcmp(id, did) : strcmp(name, "default"))
		return 0;
	if (strcmp(owner, x->account)) {
		int e = account_exists(x, owner);
		if (e <= 0)
			return e;
	}
	return sg_ensure_default(x, owner, g) ? -1 : 1;
}

int sg_not_found(struct svc *x, const char *what)
{
	return svc_fail(x, 400, "InvalidGroup.NotFound", "The security group '%s' does not exist", what);
}

int sg_malformed_id(struct svc *x, const char *id)
{
	return svc_fail(x, 400, "InvalidGroupId.Malformed", "Invalid id: \"%s\" (expecting \"sg-...\")", id);
}

/* The group an Action acts on: GroupName or GroupId, the caller's. */
int sg_target(struct svc *x, struct sg *g)
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
		return sg_malformed_id(x, id);
	int r = sg_find(x, x->account, name, id, g);
	if (r < 0)
		return -1;
	return r ? 0 : sg_not_found(x, id ? id : name);
}

/* EC2-Classic: a name or description is 1 to 255 ASCII characters. */
static int check_ascii(struct svc *x, const char *param, const char *v)
{
	if (strlen(v) > SG_NAME_MAX)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Value for %s is longer than %d characters", param, SG_NAME_MAX);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid value for %s: only ASCII characters are allowed (EC2-Classic)",
					param);
	return 0;
}

/* A whole number in [min, max] from text: 0, or -1. */
int sg_parse_int(const char *s, int min, int max, int *out)
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
	sg_default_id(x->account, x->region, did);
	if ((name && !strcmp(name, "default")) || (id && !strcmp(id, did)))
		return svc_fail(x, 400, "CannotDelete",
				"the specified group: \"%s\" name: \"default\" cannot be deleted by a user",
				did);
	struct sg g;
	if (sg_target(x, &g))
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
/* ---- the groups of a launch ---- */

void svc_launch_groups_ahead(struct svc *x)
{
	if (query_get_nth(x->q, "SecurityGroup", 1, NULL) || query_get_nth(x->q, "SecurityGroupId", 1, NULL))
		return;
	char id[32];
	sg_default_id(x->account, x->region, id);
	store_prefetch(x->st, group_exists, "s", id);
}

int svc_launch_groups(struct svc *x, struct svc_groups *out)
{
	memset(out, 0, sizeof *out);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 1;; i++) {
			const char *v = query_get_nth(x->q, pass ? "SecurityGroupId" : "SecurityGroup", i, NULL);
			if (!v)
				break;
			if (pass && !svc_valid_id(v, "sg-"))
				return sg_malformed_id(x, v);
			struct sg g;
			int r = sg_find(x, x->account, pass ? NULL : v, pass ? v : NULL, &g);
			if (r < 0)
				return -1;
			if (r == 0)
				return sg_not_found(x, v);
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
		if (sg_ensure_default(x, x->account, &g))
			return -1;
		snprintf(out->id[0], sizeof out->id[0], "%s", g.id);
		snprintf(out->name[0], sizeof out->name[0], "default");
		out->n = 1;
	}
	return 0;
}

void svc_groups_key(const struct svc_groups *g, char out[SVC_GROUPS_KEY])
{
	size_t at = 0;
	out[0] = '\0';
	for (int i = 0; g->given && i < g->n; i++)
		at += (size_t)snprintf(out + at, SVC_GROUPS_KEY - at, "%s%s", i ? "," : "&groups=",
				       g->id[i]);
}

int svc_store_launch_groups(struct svc *x, const char *rid, const struct svc_groups *g)
{
	for (int i = 0; i < g->n; i++)
		if (store_exec_later(x->st, "INSERT INTO reservation_groups(reservation, pos, grp, name)"
				     " VALUES (?, ?, ?, ?)", "sdss", rid, i, g->id[i], g->name[i]))
			return svc_fail_store(x);
	return 0;
}

int svc_reservation_groups(struct svc *x, const char *rid, const char *owner, struct svc_groups *g)
{
	struct store_rows *s = store_query(x->st, "SELECT " SVC_GROUPS_COL("?"), "s", rid);
	if (!s || store_step(s) != STORE_ROW) {
		store_done(s);
		return svc_fail_store(x);
	}
	svc_groups_unpack(x, store_text(s, 0), owner, g);
	store_done(s);
	return 0;
}

void svc_groups_unpack(struct svc *x, const char *packed, const char *owner, struct svc_groups *g)
{
	/* "pos\1grp\1name" for each group, joined by \1 in no set order
	 * (ids and names never hold a control character: service_check_text) */
	struct {
		long pos;
		const char *grp, *name;
		size_t glen, nlen;
	} v[SVC_GROUPS_MAX];
	int n = 0;
	memset(g, 0, sizeof *g);
	const char *p = packed;
	while (*p) {
		const char *f[3];
		size_t len[3];
		for (int i = 0; i < 3; i++) {
			const char *e = strchr(p, 1);
			if (!e)
				e = p + strlen(p);
			f[i] = p;
			len[i] = (size_t)(e - p);
			p = *e ? e + 1 : e;
		}
		long pos = strtol(f[0], NULL, 10);
		/* the SVC_GROUPS_MAX first by position */
		int at = n;
		while (at > 0 && v[at - 1].pos > pos)
			at--;
		if (at == SVC_GROUPS_MAX)
			continue;
		if (n == SVC_GROUPS_MAX)
			n--;
		memmove(&v[at + 1], &v[at], (size_t)(n - at) * sizeof v[0]);
		v[at].pos = pos;
		v[at].grp = f[1];
		v[at].glen = len[1];
		v[at].name = f[2];
		v[at].nlen = len[2];
		n++;
	}
	for (int i = 0; i < n; i++) {
		snprintf(g->id[i], sizeof g->id[0], "%.*s", (int)v[i].glen, v[i].grp);
		snprintf(g->name[i], sizeof g->name[0], "%.*s", (int)v[i].nlen, v[i].name);
	}
	g->n = n;
	if (!g->n) { /* launched before groups were stored: the default group */
		sg_default_id(owner, x->region, g->id[0]);
		snprintf(g->name[0], sizeof g->name[0], "default");
		g->n = 1;
	}
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
