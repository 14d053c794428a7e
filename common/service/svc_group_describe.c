/* SPDX-License-Identifier: Apache-2.0 */
/* DescribeSecurityGroups: the caller's groups of its region with their
 * rules, read into memory (at most 500 groups of 100 rules), the default
 * group added when it is not stored yet; filters and pages over them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "service/svc_groups_int.h"

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
	sg_default_id(x->account, x->region, did);
	if (!dgroup_find(d, did)) {
		d->g = xrealloc(d->g, (size_t)(d->n + 1) * sizeof *d->g);
		g = &d->g[d->n++];
		memset(g, 0, sizeof *g);
		snprintf(g->id, sizeof g->id, "%s", did);
		g->name = xstrdup("default");
		g->desc = xstrdup(SG_DEFAULT_DESCRIPTION);
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

/* The groups named (all when none is), that pass the filters, in name order
 * after the name `after` (the page before's last): at most max of them (0:
 * all), and a nextToken when more follow. */
static void write_page(struct svc *x, const struct dgroups *d, const char **names, size_t nn,
		       const char **ids, size_t ni, const struct filter_set *fs, char *after, int max)
{
	int written = 0;
	svc_open(x, "securityGroupInfo");
	for (int k = 0; k < d->n; k++) {
		const struct dgroup *g = &d->g[k];
		if ((nn || ni) && !svc_list_has(names, nn, g->name) && !svc_list_has(ids, ni, g->id))
			continue;
		int pass = 1;
		for (int f = 0; f < fs->n && pass; f++)
			pass = filter_hit(x, g, &fs->f[f]);
		if (!pass || (*after && strcmp(g->name, after) <= 0))
			continue;
		if (max && written == max) {
			char t[2 * SG_NAME_MAX + 1];
			token_of(after, t);
			svc_close(x);
			svc_elem(x, "nextToken", t);
			return;
		}
		write_group(x, g);
		snprintf(after, SG_NAME_MAX + 1, "%s", g->name);
		written++;
	}
	svc_close(x);
}

int svc_describe_security_groups(struct svc *x)
{
	struct filter_set fs = FILTER_SET_INIT;
	struct dgroups d = { NULL, 0 };
	const char **names = NULL, **ids = NULL;
	size_t nn = 0, ni = 0;
	int rc = -1, max = 0;
	char after[SG_NAME_MAX + 1] = "";
	const char *mr = svc_param(x, "MaxResults"), *tok = svc_param(x, "NextToken");
	if (svc_filters(x, group_filters, &fs))
		return -1;
	if (mr && sg_parse_int(mr, 5, 1000, &max)) {
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
			sg_malformed_id(x, ids[i]);
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
			sg_not_found(x, want);
			goto out;
		}
	}
	write_page(x, &d, names, nn, ids, ni, &fs, after, max);
	rc = 0;
out:
	free(names);
	free(ids);
	dgroups_release(&d);
	filter_release(&fs);
	return rc;
}
