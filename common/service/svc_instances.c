/* SPDX-License-Identifier: Apache-2.0 */
/* Instances: launching, describing, terminating and confirming them.
 *
 * An instance's state is never stored: it follows from its launch and
 * termination times and the one clock, so a scenario replayed at fixed
 * DEVPAY_NOW times gives the same answers. The columns launched and
 * terminated are what billing counts instance-hours from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "base/ids.h"
#include "service/svc.h"
#include "service/svc_instances_int.h"

/* Seconds an instance stays pending after launch, and shutting-down after
 * termination was asked for. */
#define BOOT_SECONDS 10
#define SHUTDOWN_SECONDS SVC_SHUTDOWN_SECONDS
/* Instances one RunInstances call may start. */
#define RUN_LIMIT 20

const struct inst_state inst_states[] = {
	[ST_PENDING] = { 0, "pending" },
	[ST_RUNNING] = { 16, "running" },
	[ST_SHUTTING_DOWN] = { 32, "shutting-down" },
	[ST_TERMINATED] = { 48, "terminated" },
};

enum istate inst_state_at(int64_t launched, int64_t terminated, int64_t now)
{
	if (terminated > 0 && now >= terminated)
		return now < terminated + SHUTDOWN_SECONDS ? ST_SHUTTING_DOWN : ST_TERMINATED;
	return now < launched + BOOT_SECONDS ? ST_PENDING : ST_RUNNING;
}

static void write_state(struct svc *x, const char *name, enum istate s)
{
	svc_open(x, name);
	svc_elem_int(x, "code", inst_states[s].code);
	svc_elem(x, "name", inst_states[s].name);
	svc_close(x);
}

/* A private address in 10/8 derived from the instance id, so it is stable
 * without being stored. */
void inst_private_ip(const char *id, int ip[3])
{
	unsigned h = 2166136261u;
	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	ip[0] = (int)(h >> 24 & 0xff);
	ip[1] = (int)(h >> 16 & 0xff);
	ip[2] = 1 + (int)((h & 0xffff) % 254);
}

/* "10.a.b.c" (sep '.') or "10-a-b-c" (sep '-') at p; the end returned */
static char *ip_text(char *p, const int ip[3], char sep)
{
	*p++ = '1';
	*p++ = '0';
	for (int i = 0; i < 3; i++) {
		*p++ = sep;
		if (ip[i] >= 100)
			*p++ = (char)('0' + ip[i] / 100);
		if (ip[i] >= 10)
			*p++ = (char)('0' + ip[i] / 10 % 10);
		*p++ = (char)('0' + ip[i] % 10);
	}
	*p = '\0';
	return p;
}

void inst_write_row(struct svc *x, const struct inst_row *r, const struct svc_groups *g)
{
	enum istate st = inst_state_at(r->launched, r->terminated, x->now);
	int ip[3];
	inst_private_ip(r->id, ip);
	svc_open(x, "item");
	svc_elem(x, "instanceId", r->id);
	svc_elem(x, "imageId", r->image);
	write_state(x, "instanceState", st);
	if (st == ST_TERMINATED) {
		svc_elem(x, "privateDnsName", "");
		svc_elem(x, "dnsName", "");
	} else {
		char dns[48] = "ip-";
		strcpy(ip_text(dns + 3, ip, '-'), ".ec2.internal");
		svc_elem(x, "privateDnsName", dns);
		svc_elem(x, "dnsName", "");
	}
	svc_elem(x, "reason", "");
	if (*r->key)
		svc_elem(x, "keyName", r->key);
	svc_elem_int(x, "amiLaunchIndex", r->launch_index);
	svc_product_codes(x, r->code);
	svc_elem(x, "instanceType", r->type);
	svc_elem_time(x, "launchTime", r->launched);
	svc_open(x, "placement");
	svc_elem(x, "availabilityZone", r->zone);
	svc_elem(x, "groupName", "");
	svc_elem(x, "tenancy", "default");
	svc_close(x);
	svc_write_group_set(x, g);
	if (r->platform == PLATFORM_WINDOWS)
		svc_elem(x, "platform", "windows");
	svc_open(x, "monitoring");
	svc_elem(x, "state", "disabled");
	svc_close(x);
	if (st != ST_TERMINATED) {
		char addr[16];
		ip_text(addr, ip, '.');
		svc_elem(x, "privateIpAddress", addr);
	}
	svc_elem(x, "architecture", "x86_64");
	svc_elem(x, "rootDeviceType", r->root);
	svc_elem(x, "rootDeviceName", !strcmp(r->root, "ebs") ? "/dev/xvda" : "/dev/sda1");
	svc_elem(x, "virtualizationType", "paravirtual");
	svc_elem(x, "clientToken", r->client_token);
	svc_elem(x, "hypervisor", "xen");
	svc_elem(x, "ebsOptimized", "false");
	svc_write_tag_set(x, r->tags);
	svc_close(x);
}

void inst_write(struct svc *x, struct store_rows *s, const struct svc_groups *g)
{
	const struct inst_row r = {
		.id = store_text(s, 0), .image = store_text(s, 3), .type = store_text(s, 4),
		.zone = store_text(s, 5), .code = store_text(s, 7), .client_token = store_text(s, 11),
		.root = store_text(s, 12), .key = store_text(s, 13), .tags = store_text(s, COL_TAGS),
		.platform = store_int(s, 6), .launch_index = store_int(s, 8),
		.launched = store_int64(s, 9), .terminated = store_int64(s, 10),
	};
	inst_write_row(x, &r, g);
}

/* The reservation's own elements (not its instancesSet). */
void inst_write_reservation_head(struct svc *x, const char *id, const char *owner,
				   const struct svc_groups *g)
{
	svc_elem(x, "reservationId", id);
	svc_elem(x, "ownerId", owner);
	svc_write_group_set(x, g);
}

/* RunInstancesResponse is itself a Reservation: that of a launch replayed
 * (its client token's), read back. */
static int write_run_answer(struct svc *x, const char *rid)
{
	struct store_rows *s = store_query(x->st, "SELECT " INSTANCE_COLS INSTANCE_FROM
				      " WHERE i.reservation = ? ORDER BY i.launch_index", "s", rid);
	struct svc_groups g;
	if (!s || svc_reservation_groups(x, rid, x->account, &g)) {
		store_done(s);
		return s ? -1 : svc_fail_store(x);
	}
	inst_write_reservation_head(x, rid, x->account, &g);
	svc_open(x, "instancesSet");
	int rc;
	while ((rc = store_step(s)) == STORE_ROW)
		inst_write(x, s, &g);
	svc_close(x);
	store_done(s);
	return rc == STORE_DONE ? 0 : svc_fail_store(x);
}

struct run_request {
	const char *image, *type, *token;
	char zone[40];
	long min, max;
};

static int parse_count(struct svc *x, const char *name, long *out)
{
	const char *v;
	if (svc_need(x, name, &v))
		return -1;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end || end == v || n < 1 || n > 1000000)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%s' for %s: expected a positive integer", v, name);
	*out = n;
	return 0;
}

/* What the real tools send with their defaults is accepted; what would
 * ask for a feature this service does not have is refused, naming it. */
static int run_defaults(struct svc *x)
{
	static const char *const vpc[] = { "SubnetId", "PrivateIpAddress", "Ipv6AddressCount",
		"Ipv6Address.N.Ipv6Address", "NetworkInterface.N.DeviceIndex",
		"NetworkInterface.N.SubnetId", "NetworkInterface.N.AssociatePublicIpAddress",
		"NetworkInterface.N.NetworkInterfaceId", "NetworkInterface.N.PrivateIpAddress",
		"NetworkInterface.N.SecurityGroupId.N", "NetworkInterface.N.DeleteOnTermination",
		NULL };
	static const char *const kernel[] = { "KernelId", "RamdiskId", NULL };
	static const char *const iam[] = { "IamInstanceProfile.Name", "IamInstanceProfile.Arn", NULL };
	static const char *const ebs[] = { "BlockDeviceMapping.N.Ebs.SnapshotId",
		"BlockDeviceMapping.N.Ebs.VolumeSize", "BlockDeviceMapping.N.Ebs.DeleteOnTermination",
		"BlockDeviceMapping.N.Ebs.VolumeType", "BlockDeviceMapping.N.Ebs.Iops", NULL };
	if (svc_unsupported(x, vpc, "only EC2-Classic networking (no VPC, subnets or network interfaces)") ||
	    svc_unsupported(x, kernel, "the image's own kernel and ramdisk are used") ||
	    svc_unsupported(x, iam, "no IAM instance profiles") ||
	    svc_unsupported(x, ebs, "no EBS volumes at launch (only the image's own root device)") ||
	    svc_only_value(x, "EbsOptimized", "false|true", "no EBS-optimized instances") ||
	    svc_only_value(x, "DisableApiTermination", "false|true", "no termination protection") ||
	    svc_only_value(x, "Monitoring.Enabled", "false|true",
			   "no detailed monitoring (basic monitoring only)") ||
	    svc_only_value(x, "Placement.Tenancy", "default|dedicated|host", "only default tenancy"))
		return -1;
	const char *g = svc_param(x, "Placement.GroupName");
	if (g && *g)
		return svc_fail(x, 400, "Unsupported", "Placement.GroupName is not supported: no placement groups");
	for (int i = 1;; i++) {
		const char *d = query_get_nth(x->q, "BlockDeviceMapping", i, "DeviceName");
		const char *v = query_get_nth(x->q, "BlockDeviceMapping", i, "VirtualName");
		const char *no = query_get_nth(x->q, "BlockDeviceMapping", i, "NoDevice");
		if (!d && !v && !no)
			break;
		/* the instance store's own disks (ephemeral0..3), as -b sends them */
		if (!d || !*d)
			return svc_fail(x, 400, "MissingParameter",
					"BlockDeviceMapping.%d.DeviceName is required", i);
		if (v && (strncmp(v, "ephemeral", 9) || v[9] < '0' || v[9] > '3' || v[10]))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid value '%s' for BlockDeviceMapping.%d.VirtualName: expected ephemeral0 to ephemeral3",
					v, i);
	}
	return 0;
}

static int parse_run(struct svc *x, struct run_request *rq)
{
	if (run_defaults(x))
		return -1;
	if (svc_need(x, "ImageId", &rq->image))
		return -1;
	if (!svc_valid_id(rq->image, "ami-"))
		return svc_fail(x, 400, "InvalidAMIID.Malformed",
				"Invalid id: \"%s\" (expecting \"ami-...\")", rq->image);
	if (parse_count(x, "MinCount", &rq->min) || parse_count(x, "MaxCount", &rq->max))
		return -1;
	if (rq->min > rq->max)
		return svc_fail(x, 400, "InvalidParameterValue",
				"MinCount (%ld) must not be greater than MaxCount (%ld)", rq->min, rq->max);
	if (rq->min > RUN_LIMIT)
		return svc_fail(x, 400, "InstanceLimitExceeded",
				"Your quota allows for %d more running instance(s). You requested at least %ld",
				RUN_LIMIT, rq->min);
	rq->type = svc_param(x, "InstanceType");
	if (!rq->type || !*rq->type)
		rq->type = "m1.small";
	if (!rate_type_known(rq->type))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%s' for InstanceType", rq->type);
	if (!region_valid(x->region))
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid region '%s'", x->region);
	if (!rate_in_region(x->region, rq->type))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid value '%s' for InstanceType: not offered in %s", rq->type,
				x->region);
	const char *zone = svc_param(x, "Placement.AvailabilityZone");
	if (!zone || !*zone)
		snprintf(rq->zone, sizeof rq->zone, "%sa", x->region);
	else if (!zone_valid(x->region, zone))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid availability zone: [%s] (the zones of %s are %sa to %se)", zone,
				x->region, x->region, x->region);
	else
		snprintf(rq->zone, sizeof rq->zone, "%s", zone);
	rq->token = svc_param(x, "ClientToken");
	if (rq->token && !*rq->token)
		rq->token = NULL;
	if (rq->token) {
		if (strlen(rq->token) > 64)
			return svc_fail(x, 400, "InvalidParameterValue",
					"Client token is longer than 64 characters");
		for (const char *p = rq->token; *p; p++)
			if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
				return svc_fail(x, 400, "InvalidParameterValue",
						"Client token must be printable ASCII without spaces");
	}
	return 0;
}

/* The image's product code, when it carries one, decides who may launch it
 * and which types, platforms and regions are allowed. */
static int check_product(struct svc *x, const char *image, const char *code, int platform,
			 const char *type)
{
	struct product_launch v;
	int r = svc_product_launch(x, image, type, &v);
	if (r < 0)
		return svc_fail_store(x);
	if (r == 0)
		return svc_fail(x, 400, "InvalidProductCode.NotFound",
				"The product code '%s' does not exist", code);
	if (strcmp(v.owner, x->account) && !v.subscribed)
		return svc_fail(x, 401, "AuthFailure", "Subscription to ProductCode %s required.", code);
	if (!(v.platforms & (1u << platform)))
		return svc_fail(x, 400, "Unsupported", "Product %s is not configured for %s instances",
				code, platform_description((enum platform)platform));
	if (!v.in_region)
		return svc_fail(x, 400, "Unsupported", "Product %s is not offered in region %s",
				code, x->region);
	if (!v.has_type)
		return svc_fail(x, 400, "Unsupported", "Product %s does not cover instance type %s",
				code, type);
	return 0;
}

static const char by_token[] = "SELECT id, request FROM reservations WHERE owner = ? AND client_token = ?";

/* A reservation already made with this client token: 1 and its id, 0 none. */
static int replay(struct svc *x, const char *token, const char *request, char rid[32])
{
	struct store_rows *s = store_query(x->st, by_token, "ss", x->account, token);
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s), r = 0;
	if (rc == STORE_ROW) {
		if (strcmp(store_text(s, 1), request))
			r = svc_fail(x, 400, "IdempotentParameterMismatch",
				     "Client token %s was already used with other parameters", token);
		else {
			snprintf(rid, 32, "%s", store_text(s, 0));
			r = 1;
		}
	} else if (rc != STORE_DONE)
		r = svc_fail_store(x);
	store_done(s);
	return r;
}

/* The launch of a request (its text for the client token's replay). */
static int run_instances(struct svc *x, struct run_request rq, const char *request,
			 const struct svc_tag_list *tags, const struct svc_user_data *ud,
			 const struct svc_groups *groups)
{
	char rid[32];
	const char *key = svc_param(x, "KeyName");
	if (rq.token) {
		int r = replay(x, rq.token, request, rid);
		if (r)
			return r < 0 ? -1 : write_run_answer(x, rid);
	}
	/* another account's image launches only when public or granted to the
	 * caller; to anyone else it does not exist */
	struct svc_image im;
	int found = svc_find_image(x, rq.image, &im);
	if (found < 0)
		return svc_fail_store(x);
	if (found == 0)
		return svc_image_not_found(x, rq.image);
	const char *sb = svc_param(x, "InstanceInitiatedShutdownBehavior");
	if (sb && strcmp(sb, "terminate")) {
		if (strcmp(sb, "stop"))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid value '%s' for InstanceInitiatedShutdownBehavior: expected stop or terminate", sb);
		if (strcmp(im.root, "ebs"))
			return svc_fail(x, 400, "UnsupportedInstanceAttribute",
					"The attribute instanceInitiatedShutdownBehavior 'stop' is not supported for instance-store root devices (image %s)",
					rq.image);
		return svc_fail(x, 400, "Unsupported",
				"InstanceInitiatedShutdownBehavior=stop is not supported: instances here are never stopped, only terminated");
	}
	int platform = im.platform;
	const char *code = im.code;
	if (*code && check_product(x, rq.image, code, platform, rq.type))
		return -1;
	if (svc_launch_key(x, &key))
		return -1;
	long n = rq.max < RUN_LIMIT ? rq.max : RUN_LIMIT;
	/* The reservation and every instance are written in this one
	 * transaction: a failure anywhere rolls all of them back. On
	 * PostgreSQL the writes go with the commit, in its round trip
	 * (store_exec_later): a fresh id another launch took at the same
	 * moment runs the launch again, with new ids. */
	for (int tries = 0;; tries++) {
		id_new(rid, sizeof rid, "r-", 17);
		int r = store_exec_later(x->st, "INSERT INTO reservations(id, owner, region,"
					 " client_token, request, created, key_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
					 "sssssis", rid, x->account, x->region, rq.token, request, x->now, key);
		if (r == 0)
			break;
		if (r == -1 || tries == 20)
			return svc_fail_store(x);
	}
	if (svc_user_data_store(x, rid, ud) || svc_store_launch_groups(x, rid, groups))
		return -1;
	char iids[RUN_LIMIT][32];
	for (long i = 0; i < n; i++) {
		char *iid = iids[i];
		for (int tries = 0;; tries++) {
			id_new(iid, sizeof iids[i], "i-", 17);
			int r = store_exec_later(x->st, "INSERT INTO instances(id, reservation, owner,"
						 " image, type, region, zone, platform, product_code, launch_index,"
						 " launched) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "sssssssdsdi",
						 iid, rid, x->account, rq.image, rq.type, x->region, rq.zone,
						 platform, *code ? code : NULL, (int)i, x->now);
			if (r == 0)
				break;
			if (r == -1 || tries == 20)
				return svc_fail_store(x);
		}
		if (svc_launch_tags_put(x, iid, tags))
			return -1;
	}
	const struct svc_usage_key uk = { x->account, code, x->region, rq.type, platform, x->now, rid };
	if (svc_usage_launch(x, &uk, n))
		return svc_fail_store(x);
	if (tags->n) /* the tags as the store lists them */
		return write_run_answer(x, rid);
	/* the answer from what was written, as write_run_answer would read it
	 * back (byte for byte): no round trip before the commit */
	inst_write_reservation_head(x, rid, x->account, groups);
	svc_open(x, "instancesSet");
	for (long i = 0; i < n; i++) {
		const struct inst_row row = {
			.id = iids[i], .image = rq.image, .type = rq.type, .zone = rq.zone, .code = code,
			.client_token = rq.token ? rq.token : "", .root = im.root, .key = key ? key : "",
			.tags = "", .platform = platform, .launch_index = (int)i, .launched = x->now,
		};
		inst_write_row(x, &row, groups);
	}
	svc_close(x);
	return 0;
}

int svc_run_instances(struct svc *x)
{
	struct run_request rq;
	struct svc_user_data ud;
	struct svc_groups groups;
	struct svc_tag_list tags;
	if (parse_run(x, &rq) || svc_user_data_parse(x, &ud))
		return -1;
	/* every read of the launch asked at once, in one round trip on
	 * PostgreSQL (the product's terms by the image: its code is not known
	 * yet), the writes then going with the commit */
	svc_launch_groups_ahead(x);
	if (rq.token)
		store_prefetch(x->st, by_token, "ss", x->account, rq.token);
	svc_find_image_ahead(x, rq.image);
	svc_product_launch_ahead(x, rq.image, rq.type);
	svc_launch_key_ahead(x);
	if (svc_launch_groups(x, &groups))
		return -1;
	if (svc_launch_tags(x, &tags)) {
		svc_tag_list_release(&tags);
		return -1;
	}
	/* the text a client token stands for: the key, the user data's digest,
	 * the groups and the tags only when given, so that a launch stored
	 * before they existed still matches its replay */
	const char *key = svc_param(x, "KeyName");
	char gkey[SVC_GROUPS_KEY];
	svc_groups_key(&groups, gkey);
	struct buf request = BUF_INIT;
	buf_addf(&request, "image=%s&type=%s&min=%ld&max=%ld&region=%s&zone=%s", rq.image, rq.type,
		 rq.min, rq.max, x->region, rq.zone);
	if (key && *key)
		buf_addf(&request, "&key=%.300s", key);
	if (ud.b64)
		buf_addf(&request, "&userdata=%s", ud.digest);
	buf_adds(&request, gkey);
	svc_launch_tags_request(&tags, &request);
	int rc = run_instances(x, rq, buf_str(&request), &tags, &ud, &groups);
	buf_release(&request);
	svc_tag_list_release(&tags);
	return rc;
}

/* The ids of InstanceId.1, .2, ... as a JSON array for json_each(), after
 * checking their shape (so they need no escaping). 0, or -1 refused. */
int inst_id_list(struct svc *x, struct buf *json, int *count)
{
	*count = 0;
	buf_adds(json, "[");
	for (int i = 1;; i++) {
		const char *id = query_get_nth(x->q, "InstanceId", i, NULL);
		if (!id)
			break;
		if (!svc_valid_id(id, "i-"))
			return svc_fail(x, 400, "InvalidInstanceID.Malformed",
					"Invalid id: \"%s\" (expecting \"i-...\")", id);
		buf_addf(json, "%s\"%s\"", i > 1 ? "," : "", id);
		(*count)++;
	}
	buf_adds(json, "]");
	return 0;
}

/* Refuses the first id of the list that is not one of the caller's
 * instances in the caller's region: as in EC2, another account's instance,
 * or one of another region, does not exist for the caller. */
int inst_all_mine(struct svc *x, const char *json)
{
	struct store_rows *s = store_query(x->st, "SELECT j.value FROM json_each(?) j"
				      " LEFT JOIN instances i ON i.id = j.value AND i.owner = ? AND i.region = ?"
				      " WHERE i.id IS NULL ORDER BY j.key LIMIT 1", "sss", json, x->account,
				      x->region);
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s), r = 0;
	if (rc == STORE_ROW)
		r = svc_fail(x, 400, "InvalidInstanceID.NotFound",
			     "The instance ID '%s' does not exist", store_text(s, 0));
	else if (rc != STORE_DONE)
		r = svc_fail_store(x);
	store_done(s);
	return r;
}

/* For the other instance files (svc_instance_status.c): an instance's
 * state at now (its name, its code in *code), and the InstanceId.N list
 * checked as DescribeInstances checks it. */
const char *svc_instance_state(int64_t launched, int64_t terminated, int64_t now, int *code)
{
	enum istate st = inst_state_at(launched, terminated, now);
	*code = inst_states[st].code;
	return inst_states[st].name;
}

int svc_instance_ids(struct svc *x, struct buf *json, int *count)
{
	return inst_id_list(x, json, count) || (*count && inst_all_mine(x, buf_str(json))) ? -1 : 0;
}

/* The caller's own instances only; one id that is not the caller's refuses
 * the whole request. Terminating an instance that is already shutting down
 * or terminated changes nothing and answers its state twice. */
int svc_terminate_instances(struct svc *x)
{
	struct buf json = BUF_INIT;
	int count;
	if (inst_id_list(x, &json, &count) || (count && inst_all_mine(x, buf_str(&json)))) {
		buf_release(&json);
		return -1;
	}
	buf_release(&json);
	if (!count)
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter InstanceId.1");
	svc_open(x, "instancesSet");
	for (int i = 1; i <= count; i++) {
		const char *id = query_get_nth(x->q, "InstanceId", i, NULL);
		struct store_rows *s = store_query(x->st, "SELECT launched, ifnull(terminated, 0), owner,"
					      " ifnull(product_code, ''), region, platform, type, reservation"
					      " FROM instances WHERE id = ?", "s", id);
		if (!s || store_step(s) != STORE_ROW) {
			store_done(s);
			return svc_fail_store(x);
		}
		int64_t launched = store_int64(s, 0), ended = store_int64(s, 1);
		enum istate before = inst_state_at(launched, ended, x->now);
		if (before == ST_PENDING || before == ST_RUNNING) {
			/* never before the launch: billing counts from one to the other */
			ended = x->now > launched ? x->now : launched;
			char owner[13], code[9], region[24], type[16], rid[32];
			snprintf(owner, sizeof owner, "%s", store_text(s, 2));
			snprintf(code, sizeof code, "%s", store_text(s, 3));
			snprintf(region, sizeof region, "%s", store_text(s, 4));
			snprintf(type, sizeof type, "%s", store_text(s, 6));
			snprintf(rid, sizeof rid, "%s", store_text(s, 7));
			const struct svc_usage_key uk = { owner, code, region, type, store_int(s, 5), launched,
							  rid };
			store_done(s);
			if (store_exec(x->st, "UPDATE instances SET terminated = ? WHERE id = ?", "is",
				       ended, id) || svc_usage_end(x, &uk, ended))
				return svc_fail_store(x);
		} else
			store_done(s);
		svc_open(x, "item");
		svc_elem(x, "instanceId", id);
		write_state(x, "currentState", inst_state_at(launched, ended, x->now));
		write_state(x, "previousState", before);
		svc_close(x);
	}
	svc_close(x);
	return 0;
}

/* Only the product code's owner learns anything: for anyone else the answer
 * is false whatever the instance, so it tells nothing about other accounts'
 * instances. */
int svc_confirm_product_instance(struct svc *x)
{
	const char *code, *id;
	if (svc_need(x, "ProductCode", &code) || svc_need(x, "InstanceId", &id))
		return -1;
	if (!svc_valid_code(code))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid product code '%s': expected 8 hexadecimal digits", code);
	if (!svc_valid_id(id, "i-"))
		return svc_fail(x, 400, "InvalidInstanceID.Malformed",
				"Invalid id: \"%s\" (expecting \"i-...\")", id);
	struct store_rows *s = store_query(x->st, "SELECT owner FROM products WHERE code = ?", "s", code);
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s);
	int owner = rc == STORE_ROW && !strcmp(store_text(s, 0), x->account);
	store_done(s);
	if (rc == STORE_DONE)
		return svc_fail(x, 400, "InvalidProductCode.NotFound",
				"The product code '%s' does not exist", code);
	if (rc != STORE_ROW)
		return svc_fail_store(x);
	if (!owner) {
		svc_elem(x, "return", "false");
		return 0;
	}
	s = store_query(x->st, "SELECT owner, ifnull(product_code, ''), launched,"
			" ifnull(terminated, 0) FROM instances WHERE id = ? AND region = ?", "ss", id,
			x->region);
	if (!s)
		return svc_fail_store(x);
	rc = store_step(s);
	if (rc != STORE_ROW) {
		store_done(s);
		return rc == STORE_DONE
			? svc_fail(x, 400, "InvalidInstanceID.NotFound",
				   "The instance ID '%s' does not exist", id)
			: svc_fail_store(x);
	}
	enum istate st = inst_state_at(store_int64(s, 2), store_int64(s, 3), x->now);
	int yes = !strcmp(store_text(s, 1), code) && (st == ST_PENDING || st == ST_RUNNING);
	svc_elem(x, "return", yes ? "true" : "false");
	if (yes)
		svc_elem(x, "ownerId", store_text(s, 0));
	store_done(s);
	return 0;
}
