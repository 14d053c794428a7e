/* SPDX-License-Identifier: Apache-2.0 */
/* DescribeInstances: the caller's instances in its region, by id, by filter
 * and a page at a time, grouped by reservation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "service/svc.h"
#include "service/svc_instances_int.h"

/* DescribeInstances' filters: EC2's names for what an instance here has. */
static const char *const instance_filters[] = { "instance-id", "instance-state-name",
	"instance-state-code", "instance-type", "image-id", "product-code", "product-code.type",
	"reservation-id", "availability-zone", "owner-id", "client-token", "launch-time",
	"platform", "root-device-type", "root-device-name", "private-ip-address",
	"private-dns-name", "architecture", "hypervisor", "virtualization-type", "tenancy",
	"monitoring-state", "ami-launch-index", "launch-index", "ebs-optimized", "reason",
	"platform-details", "usage-operation", "key-name", "group-id", "group-name",
	"instance.group-id", "instance.group-name", "tag-key", "tag-value", "tag:", NULL };

struct instance_row {
	struct svc *x;
	struct store_rows *s;
	const struct svc_groups *groups;  /* of the row's reservation */
	char buf[4][40];
	struct svc_tags tags;
};

static int instance_values(void *rec, const char *name, const char **out, int max)
{
	struct instance_row *r = rec;
	struct store_rows *s = r->s;
	int ng = svc_group_filter_values(r->groups, name, out, max);
	if (ng >= 0)
		return ng;
	int tags = svc_tag_values(&r->tags, store_text(s, COL_TAGS), name, out, max);
	if (tags >= 0)
		return tags;
	enum istate st = inst_state_at(store_int64(s, 9), store_int64(s, 10), r->x->now);
	const char *root = store_text(s, 12), *code = store_text(s, 7);
	int ip[3];
	inst_private_ip(store_text(s, 0), ip);
	const char *v = NULL;
	if (!strcmp(name, "instance-id")) v = store_text(s, 0);
	else if (!strcmp(name, "instance-state-name")) v = inst_states[st].name;
	else if (!strcmp(name, "instance-state-code"))
		snprintf(r->buf[0], sizeof r->buf[0], "%d", inst_states[st].code), v = r->buf[0];
	else if (!strcmp(name, "instance-type")) v = store_text(s, 4);
	else if (!strcmp(name, "image-id")) v = store_text(s, 3);
	else if (!strcmp(name, "product-code")) v = *code ? code : NULL;
	else if (!strcmp(name, "product-code.type")) v = *code ? "devpay" : NULL;
	else if (!strcmp(name, "reservation-id")) v = store_text(s, 1);
	else if (!strcmp(name, "availability-zone")) v = store_text(s, 5);
	else if (!strcmp(name, "owner-id")) v = store_text(s, 2);
	else if (!strcmp(name, "client-token")) v = store_text(s, 11);
	else if (!strcmp(name, "launch-time"))
		clock_format_wire(store_int64(s, 9), r->buf[1]), v = r->buf[1];
	else if (!strcmp(name, "platform"))
		v = store_int(s, 6) == PLATFORM_WINDOWS ? "windows" : NULL;
	else if (!strcmp(name, "root-device-type")) v = root;
	else if (!strcmp(name, "root-device-name")) v = !strcmp(root, "ebs") ? "/dev/xvda" : "/dev/sda1";
	else if (!strcmp(name, "private-ip-address")) {
		if (st != ST_TERMINATED)
			snprintf(r->buf[2], sizeof r->buf[2], "10.%d.%d.%d", ip[0], ip[1], ip[2]), v = r->buf[2];
	} else if (!strcmp(name, "private-dns-name")) {
		if (st != ST_TERMINATED)
			snprintf(r->buf[3], sizeof r->buf[3], "ip-10-%d-%d-%d.ec2.internal", ip[0], ip[1],
				 ip[2]), v = r->buf[3];
	} else if (!strcmp(name, "architecture")) v = "x86_64";
	else if (!strcmp(name, "hypervisor")) v = "xen";
	else if (!strcmp(name, "virtualization-type")) v = "paravirtual";
	else if (!strcmp(name, "tenancy")) v = "default";
	else if (!strcmp(name, "monitoring-state")) v = "disabled";
	else if (!strcmp(name, "ebs-optimized")) v = "false";
	else if (!strcmp(name, "reason")) v = "";
	else if (!strcmp(name, "platform-details"))
		v = platform_description((enum platform)store_int(s, 6));
	else if (!strcmp(name, "usage-operation"))
		v = store_int(s, 6) == PLATFORM_WINDOWS ? "RunInstances:0002" : "RunInstances";
	else if (!strcmp(name, "ami-launch-index") || !strcmp(name, "launch-index"))
		snprintf(r->buf[0], sizeof r->buf[0], "%d", store_int(s, 8)), v = r->buf[0];
	else if (!strcmp(name, "key-name")) v = *store_text(s, 13) ? store_text(s, 13) : NULL;
	if (!v)
		return 0;
	out[0] = v;
	return 1;
}

/* A page's position: the last instance written, in the answer's order
 * (launch time, reservation, launch index). */
static int parse_after(const char *after, char *launched, size_t lsz, char *rid, size_t rsz,
		       char *idx, size_t isz)
{
	long long t;
	int i, n = 0;
	char r[40];
	if (sscanf(after, "%lld/%39[a-z0-9-]/%d%n", &t, r, &i, &n) != 3 || after[n] || t < 0 ||
	    i < 0 || !svc_valid_id(r, "r-"))
		return -1;
	snprintf(launched, lsz, "%lld", t);
	snprintf(rid, rsz, "%s", r);
	snprintf(idx, isz, "%d", i);
	return 0;
}

int svc_describe_instances(struct svc *x)
{
	struct buf json = BUF_INIT;
	struct filter_set fs = FILTER_SET_INIT;
	struct svc_page page;
	int count;
	if (svc_filters_absent(x, instance_filters, instance_filters_absent, &fs))
		return -1;
	if (svc_page_parse(x, "instances", 1, 1000, SVC_PAGE_CAP, &page) ||
	    inst_id_list(x, &json, &count) || (count && inst_all_mine(x, buf_str(&json)))) {
		buf_release(&json);
		filter_release(&fs);
		return -1;
	}
	char a_time[24], a_rid[40], a_idx[16];
	if (count && (page.asked || *page.after)) {
		buf_release(&json);
		filter_release(&fs);
		return svc_fail(x, 400, "InvalidParameterCombination",
				"The parameter instancesSet cannot be used with the parameter %s",
				page.asked ? "maxResults" : "nextToken");
	}
	if (*page.after && parse_after(page.after, a_time, sizeof a_time, a_rid, sizeof a_rid,
				       a_idx, sizeof a_idx)) {
		buf_release(&json);
		filter_release(&fs);
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid value '%s' for nextToken",
				svc_param(x, "NextToken"));
	}
	/* "+i.owner": find the ids by key, not by scanning all the caller's
	 * instances through the owner index */
	struct store_rows *s = count
		? store_query(x->st, "SELECT " INSTANCE_COLS
			      ", " SVC_GROUPS_COL("i.reservation") INSTANCE_FROM
			      " WHERE i.id IN (SELECT value FROM json_each(?)) AND +i.owner = ?"
			      " AND +i.region = ? ORDER BY i.launched, i.reservation, i.launch_index",
			      "sss", buf_str(&json), x->account, x->region)
		: *page.after
		? store_query(x->st, "SELECT " INSTANCE_COLS ", " SVC_GROUPS_COL("i.reservation")
			      INSTANCE_FROM " WHERE i.owner = ?1"
			      " AND i.region = ?2 AND i.launched >= ?3 AND (i.launched > ?3"
			      " OR i.reservation > ?4 OR (i.reservation = ?4 AND i.launch_index > ?5))"
			      " ORDER BY i.launched, i.reservation, i.launch_index",
			      "ssisd", x->account, x->region, (int64_t)atoll(a_time), a_rid, atoi(a_idx))
		: store_query(x->st, "SELECT " INSTANCE_COLS ", " SVC_GROUPS_COL("i.reservation")
			      INSTANCE_FROM " WHERE i.owner = ?"
			      " AND i.region = ? ORDER BY i.launched, i.reservation, i.launch_index",
			      "ss", x->account, x->region);
	buf_release(&json);
	if (!s) {
		filter_release(&fs);
		return svc_fail_store(x);
	}
	char current[32] = "", loaded[32] = "", last[160] = "";
	int rc;
	long written = 0;
	struct svc_groups groups;
	struct instance_row row = { .x = x, .s = s, .groups = &groups };
	svc_open(x, "reservationSet");
	while ((rc = store_step(s)) == STORE_ROW) {
		const char *rid = store_text(s, 1);
		/* a reservation's instances come together: its groups unpacked once */
		if (strcmp(rid, loaded)) {
			svc_groups_unpack(x, store_text(s, COL_GROUPS), store_text(s, 2), &groups);
			snprintf(loaded, sizeof loaded, "%s", rid);
		}
		if (!filter_match(&fs, instance_values, &row))
			continue;
		if (page.max && written == page.max)
			break; /* one more than the page holds: a next page */
		if (strcmp(rid, current)) {
			if (*current) {
				svc_close(x); /* instancesSet */
				svc_close(x); /* item */
			}
			snprintf(current, sizeof current, "%s", rid);
			svc_open(x, "item");
			inst_write_reservation_head(x, rid, store_text(s, 2), &groups);
			svc_open(x, "instancesSet");
		}
		inst_write(x, s, &groups);
		written++;
		snprintf(last, sizeof last, "%lld/%s/%d", (long long)store_int64(s, 9), rid,
			 store_int(s, 8));
	}
	if (*current) {
		svc_close(x);
		svc_close(x);
	}
	svc_close(x);
	if (rc == STORE_ROW)
		svc_page_token(x, "instances", last);
	store_done(s);
	filter_release(&fs);
	svc_tags_release(&row.tags);
	return rc == STORE_DONE || rc == STORE_ROW ? 0 : svc_fail_store(x);
}

