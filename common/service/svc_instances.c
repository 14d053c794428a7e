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

/* Seconds an instance stays pending after launch, and shutting-down after
 * termination was asked for. */
#define BOOT_SECONDS 10
#define SHUTDOWN_SECONDS SVC_SHUTDOWN_SECONDS
/* Instances one RunInstances call may start. */
#define RUN_LIMIT 20

enum istate { ST_PENDING, ST_RUNNING, ST_SHUTTING_DOWN, ST_TERMINATED };
static const struct { int code; const char *name; } states[] = {
	[ST_PENDING] = { 0, "pending" },
	[ST_RUNNING] = { 16, "running" },
	[ST_SHUTTING_DOWN] = { 32, "shutting-down" },
	[ST_TERMINATED] = { 48, "terminated" },
};

/* terminated <= 0: not asked to terminate. */
static enum istate state_at(int64_t launched, int64_t terminated, int64_t now)
{
	if (terminated > 0 && now >= terminated)
		return now < terminated + SHUTDOWN_SECONDS ? ST_SHUTTING_DOWN : ST_TERMINATED;
	return now < launched + BOOT_SECONDS ? ST_PENDING : ST_RUNNING;
}

static void write_state(struct svc *x, const char *name, enum istate s)
{
	svc_open(x, name);
	svc_elemf(x, "code", "%d", states[s].code);
	svc_elem(x, "name", states[s].name);
	svc_close(x);
}

/* A private address in 10/8 derived from the instance id, so it is stable
 * without being stored. */
static void private_ip(const char *id, int ip[3])
{
	unsigned h = 2166136261u;
	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	ip[0] = (int)(h >> 24 & 0xff);
	ip[1] = (int)(h >> 16 & 0xff);
	ip[2] = 1 + (int)((h & 0xffff) % 254);
}

#define INSTANCE_COLS \
	"i.id, i.reservation, i.owner, i.image, i.type, i.zone, i.platform," \
	" ifnull(i.product_code, ''), i.launch_index, i.launched, ifnull(i.terminated, 0)," \
	" ifnull(r.client_token, ''), ifnull(m.root_device, 'instance-store')," \
	" coalesce(r.key_name, ''), " SVC_TAGS_COL("i.owner", "i.id")
/* the column of SVC_TAGS_COL */
#define COL_TAGS 14
#define INSTANCE_FROM \
	" FROM instances i JOIN reservations r ON r.id = i.reservation" \
	" LEFT JOIN images m ON m.id = i.image"

static void write_instance(struct svc *x, struct store_rows *s, const struct svc_groups *g)
{
	const char *id = store_text(s, 0), *code = store_text(s, 7);
	const char *root = store_text(s, 12);
	enum istate st = state_at(store_int64(s, 9), store_int64(s, 10), x->now);
	int ip[3];
	private_ip(id, ip);
	svc_open(x, "item");
	svc_elem(x, "instanceId", id);
	svc_elem(x, "imageId", store_text(s, 3));
	write_state(x, "instanceState", st);
	if (st == ST_TERMINATED) {
		svc_elem(x, "privateDnsName", "");
		svc_elem(x, "dnsName", "");
	} else {
		svc_elemf(x, "privateDnsName", "ip-10-%d-%d-%d.ec2.internal", ip[0], ip[1], ip[2]);
		svc_elem(x, "dnsName", "");
	}
	svc_elem(x, "reason", "");
	if (*store_text(s, 13))
		svc_elem(x, "keyName", store_text(s, 13));
	svc_elemf(x, "amiLaunchIndex", "%d", store_int(s, 8));
	svc_product_codes(x, code);
	svc_elem(x, "instanceType", store_text(s, 4));
	svc_elem_time(x, "launchTime", store_int64(s, 9));
	svc_open(x, "placement");
	svc_elem(x, "availabilityZone", store_text(s, 5));
	svc_elem(x, "groupName", "");
	svc_elem(x, "tenancy", "default");
	svc_close(x);
	svc_write_group_set(x, g);
	if (store_int(s, 6) == PLATFORM_WINDOWS)
		svc_elem(x, "platform", "windows");
	svc_open(x, "monitoring");
	svc_elem(x, "state", "disabled");
	svc_close(x);
	if (st != ST_TERMINATED)
		svc_elemf(x, "privateIpAddress", "10.%d.%d.%d", ip[0], ip[1], ip[2]);
	svc_elem(x, "architecture", "x86_64");
	svc_elem(x, "rootDeviceType", root);
	svc_elem(x, "rootDeviceName", !strcmp(root, "ebs") ? "/dev/xvda" : "/dev/sda1");
	svc_elem(x, "virtualizationType", "paravirtual");
	svc_elem(x, "clientToken", store_text(s, 11));
	svc_elem(x, "hypervisor", "xen");
	svc_elem(x, "ebsOptimized", "false");
	svc_write_tag_set(x, store_text(s, COL_TAGS));
	svc_close(x);
}

/* The reservation's own elements (not its instancesSet). */
static void write_reservation_head(struct svc *x, const char *id, const char *owner,
				   const struct svc_groups *g)
{
	svc_elem(x, "reservationId", id);
	svc_elem(x, "ownerId", owner);
	svc_write_group_set(x, g);
}

/* RunInstancesResponse is itself a Reservation. */
static int write_run_answer(struct svc *x, const char *rid)
{
	struct store_rows *s = store_query(x->st, "SELECT " INSTANCE_COLS INSTANCE_FROM
				      " WHERE i.reservation = ? ORDER BY i.launch_index", "s", rid);
	struct svc_groups g;
	if (!s || svc_reservation_groups(x, rid, x->account, &g)) {
		store_done(s);
		return s ? -1 : svc_fail_store(x);
	}
	write_reservation_head(x, rid, x->account, &g);
	svc_open(x, "instancesSet");
	int rc;
	while ((rc = store_step(s)) == STORE_ROW)
		write_instance(x, s, &g);
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
static int check_product(struct svc *x, const char *code, int platform, const char *type)
{
	struct product_version v;
	int r = svc_product_at(x, code, x->now, &v);
	if (r < 0)
		return svc_fail_store(x);
	if (r == 0)
		return svc_fail(x, 400, "InvalidProductCode.NotFound",
				"The product code '%s' does not exist", code);
	if (strcmp(v.owner, x->account) && !svc_subscribed(x, code, x->account))
		return svc_fail(x, 401, "AuthFailure", "Subscription to ProductCode %s required.", code);
	if (!(v.platforms & (1u << platform)))
		return svc_fail(x, 400, "Unsupported", "Product %s is not configured for %s instances",
				code, platform_description((enum platform)platform));
	if (!svc_version_region(x, v.id, x->region))
		return svc_fail(x, 400, "Unsupported", "Product %s is not offered in region %s",
				code, x->region);
	int has = svc_version_has_type(x, v.id, type);
	if (has < 0)
		return svc_fail_store(x);
	if (!has)
		return svc_fail(x, 400, "Unsupported", "Product %s does not cover instance type %s",
				code, type);
	return 0;
}

/* A reservation already made with this client token: 1 and its id, 0 none. */
static int replay(struct svc *x, const char *token, const char *request, char rid[32])
{
	struct store_rows *s = store_query(x->st, "SELECT id, request FROM reservations"
				      " WHERE owner = ? AND client_token = ?", "ss", x->account, token);
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
	if (*code && check_product(x, code, platform, rq.type))
		return -1;
	if (svc_launch_key(x, &key))
		return -1;
	long n = rq.max < RUN_LIMIT ? rq.max : RUN_LIMIT;
	/* The reservation and every instance are written in this one
	 * transaction: a failure anywhere rolls all of them back. */
	for (int tries = 0;; tries++) {
		id_new(rid, sizeof rid, "r-", 17);
		int r = store_exec(x->st, "INSERT INTO reservations(id, owner, region, client_token,"
				   " request, created, key_name) VALUES (?, ?, ?, ?, ?, ?, ?)", "sssssis", rid,
				   x->account, x->region, rq.token, request, x->now, key);
		if (r == 0)
			break;
		if (r == -1 || tries == 20)
			return svc_fail_store(x);
	}
	if (svc_user_data_store(x, rid, ud) || svc_store_launch_groups(x, rid, groups))
		return -1;
	for (long i = 0; i < n; i++) {
		char iid[32];
		for (int tries = 0;; tries++) {
			id_new(iid, sizeof iid, "i-", 17);
			int r = store_exec(x->st, "INSERT INTO instances(id, reservation, owner, image, type,"
					   " region, zone, platform, product_code, launch_index, launched)"
					   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "sssssssdsdi", iid, rid,
					   x->account, rq.image, rq.type, x->region, rq.zone, platform,
					   *code ? code : NULL, (int)i, x->now);
			if (r == 0)
				break;
			if (r == -1 || tries == 20)
				return svc_fail_store(x);
		}
		if (svc_launch_tags_put(x, iid, tags))
			return -1;
	}
	return write_run_answer(x, rid);
}

int svc_run_instances(struct svc *x)
{
	struct run_request rq;
	struct svc_user_data ud;
	struct svc_groups groups;
	struct svc_tag_list tags;
	if (parse_run(x, &rq) || svc_user_data_parse(x, &ud) || svc_launch_groups(x, &groups))
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
static int id_list(struct svc *x, struct buf *json, int *count)
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
static int all_mine(struct svc *x, const char *json)
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
	enum istate st = state_at(store_int64(s, 9), store_int64(s, 10), r->x->now);
	const char *root = store_text(s, 12), *code = store_text(s, 7);
	int ip[3];
	private_ip(store_text(s, 0), ip);
	const char *v = NULL;
	if (!strcmp(name, "instance-id")) v = store_text(s, 0);
	else if (!strcmp(name, "instance-state-name")) v = states[st].name;
	else if (!strcmp(name, "instance-state-code"))
		snprintf(r->buf[0], sizeof r->buf[0], "%d", states[st].code), v = r->buf[0];
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
	    id_list(x, &json, &count) || (count && all_mine(x, buf_str(&json)))) {
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
		? store_query(x->st, "SELECT " INSTANCE_COLS INSTANCE_FROM
			      " WHERE i.id IN (SELECT value FROM json_each(?)) AND +i.owner = ?"
			      " AND +i.region = ? ORDER BY i.launched, i.reservation, i.launch_index",
			      "sss", buf_str(&json), x->account, x->region)
		: *page.after
		? store_query(x->st, "SELECT " INSTANCE_COLS INSTANCE_FROM " WHERE i.owner = ?1"
			      " AND i.region = ?2 AND i.launched >= ?3 AND (i.launched > ?3"
			      " OR i.reservation > ?4 OR (i.reservation = ?4 AND i.launch_index > ?5))"
			      " ORDER BY i.launched, i.reservation, i.launch_index",
			      "ssisd", x->account, x->region, (int64_t)atoll(a_time), a_rid, atoi(a_idx))
		: store_query(x->st, "SELECT " INSTANCE_COLS INSTANCE_FROM " WHERE i.owner = ?"
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
		/* a reservation's instances come together: its groups read once */
		if (strcmp(rid, loaded)) {
			if (svc_reservation_groups(x, rid, store_text(s, 2), &groups)) {
				store_done(s);
				filter_release(&fs);
				svc_tags_release(&row.tags);
				return -1;
			}
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
			write_reservation_head(x, rid, store_text(s, 2), &groups);
			svc_open(x, "instancesSet");
		}
		write_instance(x, s, &groups);
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

/* For the other instance files (svc_instance_status.c): an instance's
 * state at now (its name, its code in *code), and the InstanceId.N list
 * checked as DescribeInstances checks it. */
const char *svc_instance_state(int64_t launched, int64_t terminated, int64_t now, int *code)
{
	enum istate st = state_at(launched, terminated, now);
	*code = states[st].code;
	return states[st].name;
}

int svc_instance_ids(struct svc *x, struct buf *json, int *count)
{
	return id_list(x, json, count) || (*count && all_mine(x, buf_str(json))) ? -1 : 0;
}

/* The caller's own instances only; one id that is not the caller's refuses
 * the whole request. Terminating an instance that is already shutting down
 * or terminated changes nothing and answers its state twice. */
int svc_terminate_instances(struct svc *x)
{
	struct buf json = BUF_INIT;
	int count;
	if (id_list(x, &json, &count) || (count && all_mine(x, buf_str(&json)))) {
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
		struct store_rows *s = store_query(x->st, "SELECT launched, ifnull(terminated, 0)"
					      " FROM instances WHERE id = ?", "s", id);
		if (!s || store_step(s) != STORE_ROW) {
			store_done(s);
			return svc_fail_store(x);
		}
		int64_t launched = store_int64(s, 0), ended = store_int64(s, 1);
		store_done(s);
		enum istate before = state_at(launched, ended, x->now);
		if (before == ST_PENDING || before == ST_RUNNING) {
			/* never before the launch: billing counts from one to the other */
			ended = x->now > launched ? x->now : launched;
			if (store_exec(x->st, "UPDATE instances SET terminated = ? WHERE id = ?", "is",
				       ended, id))
				return svc_fail_store(x);
		}
		svc_open(x, "item");
		svc_elem(x, "instanceId", id);
		write_state(x, "currentState", state_at(launched, ended, x->now));
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
	enum istate st = state_at(store_int64(s, 2), store_int64(s, 3), x->now);
	int yes = !strcmp(store_text(s, 1), code) && (st == ST_PENDING || st == ST_RUNNING);
	svc_elem(x, "return", yes ? "true" : "false");
	if (yes)
		svc_elem(x, "ownerId", store_text(s, 0));
	store_done(s);
	return 0;
}
