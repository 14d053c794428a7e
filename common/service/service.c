/* SPDX-License-Identifier: Apache-2.0 */
/* The service: the Action table, one transaction per Action, the answer
 * writer and error documents, and the text rule at the boundary. Each
 * request's parameters are checked and read in params.c; accounts and their
 * keys are in accounts.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/clock.h"
#include "base/ids.h"
#include "service/answers.h"
#include "service/params.h"
#include "service/svc.h"
#include "base/text.h"
#include "base/version.h"

/* Each Action's allow-list: the parameter names it reads, as patterns of
 * filter_name_matches() ("InstanceId.N"). A parameter that is not on the
 * list, nor one of always_allowed[] (params.c), is refused with
 * UnknownParameter before the handler runs (svc_check_params), so no
 * parameter a client sends is silently dropped. An Action whose list holds
 * "DryRun" takes DryRun=true: the handler runs in its transaction as usual,
 * which is then rolled back, and the answer is DryRunOperation (412) when it
 * would have succeeded, its refusal when not. EC2 Actions all take DryRun;
 * DevPay Actions only when they change something. Describe Actions that
 * filter add FILTERS and call svc_filters() with their filter names. */
/* runs of one Action on a serialization failure (PostgreSQL), with a
 * jittered exponential backoff between them: a random pause of up to
 * 1 ms, 2 ms, ... at most 50 ms (at most about 0.8 s in all) */
#define STORE_RETRIES 20
#define RETRY_BASE_US 1000
#define RETRY_CAP_US 50000

#define PARAMS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define FILTERS "Filter.N.Name", "Filter.N.Value.N"
#define PAGES "MaxResults", "NextToken"
/* what real clients send with a launch, accepted with its default value and
 * otherwise refused as Unsupported naming the feature (svc_instances.c) */
#define RUN_DEFAULTS "EbsOptimized", "DisableApiTermination", "Monitoring.Enabled", \
	"Placement.Tenancy", "Placement.GroupName", "InstanceInitiatedShutdownBehavior", \
	"AdditionalInfo", "SubnetId", "PrivateIpAddress", "Ipv6AddressCount", \
	"Ipv6Address.N.Ipv6Address", "NetworkInterface.N.DeviceIndex", "NetworkInterface.N.SubnetId", \
	"NetworkInterface.N.AssociatePublicIpAddress", "NetworkInterface.N.NetworkInterfaceId", \
	"NetworkInterface.N.PrivateIpAddress", "NetworkInterface.N.SecurityGroupId.N", \
	"NetworkInterface.N.DeleteOnTermination", "KernelId", "RamdiskId", \
	"IamInstanceProfile.Name", "IamInstanceProfile.Arn", "BlockDeviceMapping.N.DeviceName", \
	"BlockDeviceMapping.N.VirtualName", "BlockDeviceMapping.N.NoDevice", \
	"BlockDeviceMapping.N.Ebs.SnapshotId", "BlockDeviceMapping.N.Ebs.VolumeSize", \
	"BlockDeviceMapping.N.Ebs.DeleteOnTermination", "BlockDeviceMapping.N.Ebs.VolumeType", \
	"BlockDeviceMapping.N.Ebs.Iops"
#define PRODUCT_CONFIG "OneTimeFee", "MonthlyFee", "Platform.N", "Region.N", \
	"InstanceType.N.Name", "InstanceType.N.Price", "Price.N.Region", "Price.N.Platform", \
	"Price.N.InstanceType", "Price.N.HourlyPrice"

/* the rules of AuthorizeSecurityGroupIngress and RevokeSecurityGroupIngress:
 * the flat form and IpPermissions.N (IPv6 ranges and prefix lists are
 * refused by the handler as EC2-VPC's) */
#define GROUP_RULES "GroupName", "GroupId", "IpProtocol", "FromPort", "ToPort", "CidrIp", \
	"SourceSecurityGroupName", "SourceSecurityGroupOwnerId", "IpPermissions.N.IpProtocol", \
	"IpPermissions.N.FromPort", "IpPermissions.N.ToPort", "IpPermissions.N.IpRanges.N.CidrIp", \
	"IpPermissions.N.Groups.N.GroupName", "IpPermissions.N.Groups.N.GroupId", \
	"IpPermissions.N.Groups.N.UserId", "IpPermissions.N.Ipv6Ranges.N.CidrIpv6", \
	"IpPermissions.N.PrefixListIds.N.PrefixListId"

static const struct action {
	const char *name;
	int write;
	svc_handler fn;
	const char *const *params;
} actions[] = {
	{ "RegisterProduct", 1, svc_register_product,
	  PARAMS("DryRun", "Name", "Description", PRODUCT_CONFIG) },
	{ "DescribeProducts", 0, svc_describe_products, PARAMS("ProductCode.N") },
	{ "PurchaseProduct", 1, svc_purchase_product, PARAMS("DryRun", "ProductCode") },
	{ "CancelSubscription", 1, svc_cancel_subscription, PARAMS("DryRun", "ProductCode") },
	{ "DescribeSubscriptions", 0, svc_describe_subscriptions, PARAMS("ProductCode", "CustomerId") },
	{ "RegisterImage", 1, svc_register_image,
	  PARAMS("DryRun", "Name", "Description", "Platform", "RootDeviceType",
		 "BlockDeviceMapping.1.Ebs.SnapshotId", "RootDeviceName", "ImageLocation",
		 "Architecture", "VirtualizationType", "KernelId", "RamdiskId",
		 "BlockDeviceMapping.N.DeviceName", "BlockDeviceMapping.N.VirtualName",
		 "BlockDeviceMapping.N.NoDevice", "BlockDeviceMapping.N.Ebs.VolumeSize",
		 "BlockDeviceMapping.N.Ebs.DeleteOnTermination", "BlockDeviceMapping.N.Ebs.VolumeType") },
	{ "DescribeImages", 0, svc_describe_images,
	  PARAMS("DryRun", "ImageId.N", "Owner.N", "ExecutableBy.N", FILTERS, PAGES,
		 "IncludeDeprecated", "IncludeDisabled") },
	{ "ModifyImageAttribute", 1, svc_modify_image_attribute,
	  PARAMS("DryRun", "ImageId", "Attribute", "ProductCode.N", "OperationType", "UserId.N",
		 "UserGroup.N", "LaunchPermission.Add.N.UserId", "LaunchPermission.Add.N.Group",
		 "LaunchPermission.Remove.N.UserId", "LaunchPermission.Remove.N.Group") },
	{ "DescribeImageAttribute", 0, svc_describe_image_attribute,
	  PARAMS("DryRun", "ImageId", "Attribute") },
	{ "ResetImageAttribute", 1, svc_reset_image_attribute, PARAMS("DryRun", "ImageId", "Attribute") },
	{ "DeregisterImage", 1, svc_deregister_image, PARAMS("DryRun", "ImageId") },
	{ "DescribeRegions", 0, svc_describe_regions, PARAMS("DryRun", "RegionName.N") },
	{ "DescribeAvailabilityZones", 0, svc_describe_availability_zones,
	  PARAMS("DryRun", "ZoneName.N") },
	/* instances */
	{ "RunInstances", 1, svc_run_instances,
	  PARAMS("DryRun", "ImageId", "MinCount", "MaxCount", "InstanceType",
		 "Placement.AvailabilityZone", "ClientToken", "KeyName", "UserData", "SecurityGroup.N",
		 "SecurityGroupId.N", "TagSpecification.N.ResourceType", "TagSpecification.N.Tag.N.Key",
		 "TagSpecification.N.Tag.N.Value", RUN_DEFAULTS) },
	{ "DescribeInstances", 0, svc_describe_instances,
	  PARAMS("DryRun", "InstanceId.N", FILTERS, PAGES) },
	{ "TerminateInstances", 1, svc_terminate_instances, PARAMS("DryRun", "InstanceId.N") },
	{ "ConfirmProductInstance", 0, svc_confirm_product_instance,
	  PARAMS("DryRun", "ProductCode", "InstanceId") },

	/* billing, price changes and reserved instances */
	{ "GetBill", 0, svc_get_bill, PARAMS("Period", "ProductCode") },
	{ "ModifyProduct", 1, svc_modify_product,
	  PARAMS("DryRun", "ProductCode", "Withdraw", "Effective", PRODUCT_CONFIG) },
	{ "DescribeReservedInstancesOfferings", 0, svc_describe_ri_offerings,
	  PARAMS("DryRun", "ReservedInstancesOfferingId.N", "InstanceType", "AvailabilityZone",
		 "ProductDescription", FILTERS, PAGES, "IncludeMarketplace", "InstanceTenancy",
		 "OfferingClass", "OfferingType", "MinDuration", "MaxDuration", "MaxInstanceCount") },
	{ "PurchaseReservedInstancesOffering", 1, svc_purchase_ri_offering,
	  PARAMS("DryRun", "ReservedInstancesOfferingId", "InstanceCount") },
	{ "DescribeReservedInstances", 0, svc_describe_reserved,
	  PARAMS("DryRun", "ReservedInstancesId.N", FILTERS) },
	/* key pairs (svc_keypairs.c) */
	{ "CreateKeyPair", 1, svc_create_key_pair, PARAMS("DryRun", "KeyName", "KeyType", "KeyFormat") },
	{ "ImportKeyPair", 1, svc_import_key_pair, PARAMS("DryRun", "KeyName", "PublicKeyMaterial") },
	{ "DescribeKeyPairs", 0, svc_describe_key_pairs,
	  PARAMS("DryRun", "KeyName.N", "KeyPairId.N", "IncludePublicKey", FILTERS) },
	{ "DeleteKeyPair", 1, svc_delete_key_pair, PARAMS("DryRun", "KeyName", "KeyPairId") },
	/* tags (svc_tags.c) */
	{ "CreateTags", 1, svc_create_tags,
	  PARAMS("DryRun", "ResourceId.N", "Tag.N.Key", "Tag.N.Value") },
	{ "DeleteTags", 1, svc_delete_tags,
	  PARAMS("DryRun", "ResourceId.N", "Tag.N.Key", "Tag.N.Value") },
	{ "DescribeTags", 0, svc_describe_tags,
	  PARAMS("DryRun", "MaxResults", "NextToken", FILTERS) },

	/* issue 20: user data, instance attributes and status (svc_userdata.c,
	 * svc_instance_status.c; RunInstances takes UserData above) */
	{ "DescribeInstanceAttribute", 0, svc_describe_instance_attribute,
	  PARAMS("DryRun", "InstanceId", "Attribute") },
	{ "DescribeInstanceStatus", 0, svc_describe_instance_status,
	  PARAMS("DryRun", "InstanceId.N", "IncludeAllInstances", "MaxResults", "NextToken", FILTERS) },

	/* security groups, EC2-Classic (svc_groups.c); DescribeSecurityGroups
	 * only reads: it shows the default group before it is stored */
	{ "CreateSecurityGroup", 1, svc_create_security_group,
	  PARAMS("DryRun", "GroupName", "GroupDescription", "VpcId") },
	{ "DescribeSecurityGroups", 0, svc_describe_security_groups,
	  PARAMS("DryRun", "GroupName.N", "GroupId.N", "MaxResults", "NextToken", FILTERS) },
	{ "DeleteSecurityGroup", 1, svc_delete_security_group, PARAMS("DryRun", "GroupName", "GroupId") },
	{ "AuthorizeSecurityGroupIngress", 1, svc_authorize_ingress, PARAMS("DryRun", GROUP_RULES) },
	{ "RevokeSecurityGroupIngress", 1, svc_revoke_ingress, PARAMS("DryRun", GROUP_RULES) },
};

int svc_fail(struct svc *x, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	x->status = status;
	snprintf(x->code, sizeof x->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(x->message, sizeof x->message, fmt, ap);
	va_end(ap);
	return -1;
}

int svc_fail_store(struct svc *x)
{
	if (x->call && x->call->internal) {
		buf_addf(x->call->internal, "%s%s", x->call->internal->len ? "; " : "", dp_err_detail());
		return svc_fail(x, 500, "InternalError", "An internal error has occurred");
	}
	return svc_fail(x, 500, "InternalError", "the store failed: %s", dp_err_detail());
}

int svc_image_not_found(struct svc *x, const char *id)
{
	return svc_fail(x, 400, "InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id);
}

/* The answer is written as libxml2's text writer wrote it (the tests
 * compare answers byte for byte): no indentation, an element without
 * content as <name/>, one with an empty value as <name></name>, text
 * escaped as xmlEncodeSpecialChars escapes it. */

/* Ends the last start tag, when it still waits for its '>'. */
static inline void tag_end(struct svc *x)
{
	if (x->tag_open) {
		buf_addc(x->out, '>');
		x->tag_open = 0;
	}
}

void svc_open(struct svc *x, const char *name)
{
	tag_end(x);
	if (x->depth == (int)(sizeof x->open / sizeof *x->open)) {
		x->werr = 1;
		return;
	}
	x->open[x->depth++] = name;
	buf_addc(x->out, '<');
	buf_adds(x->out, name);
	x->tag_open = 1;
}

void svc_close(struct svc *x)
{
	if (!x->depth) {
		x->werr = 1;
		return;
	}
	const char *name = x->open[--x->depth];
	if (x->tag_open) {
		buf_add(x->out, "/>", 2);
		x->tag_open = 0;
		return;
	}
	buf_add(x->out, "</", 2);
	buf_adds(x->out, name);
	buf_addc(x->out, '>');
}

/* s escaped as text: & < > " and CR as character references. */
static void text_escape(struct buf *b, const char *s, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		const char *ref;
		switch (s[i]) {
		case '&': ref = "&amp;"; break;
		case '<': ref = "&lt;"; break;
		case '>': ref = "&gt;"; break;
		case '"': ref = "&quot;"; break;
		case '\r': ref = "&#13;"; break;
		default: continue;
		}
		buf_add(b, s + start, i - start);
		buf_adds(b, ref);
		start = i + 1;
	}
	buf_add(b, s + start, len - start);
}

/* s escaped as text at p, which has room for 6 bytes a byte of s; the end
 * returned */
static char *escape_to(char *p, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		const char *ref;
		size_t rl;
		switch (s[i]) {
		case '&': ref = "&amp;", rl = 5; break;
		case '<': ref = "&lt;", rl = 4; break;
		case '>': ref = "&gt;", rl = 4; break;
		case '"': ref = "&quot;", rl = 6; break;
		case '\r': ref = "&#13;", rl = 5; break;
		default: *p++ = s[i]; continue;
		}
		memcpy(p, ref, rl);
		p += rl;
	}
	return p;
}

/* Every value of an answer: stored text that XML cannot carry is shown as
 * U+FFFD (text_clean). Printable ASCII, nearly every value, needs no
 * cleaning and is escaped as it goes in. */
void svc_elem(struct svc *x, const char *name, const char *value)
{
	value = value ? value : "";
	size_t len = 0;
	int plain = 1;
	for (const unsigned char *u = (const unsigned char *)value; u[len]; len++)
		if (u[len] < 0x20 || u[len] >= 0x7F)
			plain = 0;
	if (!plain) {
		buf_reset(&x->tmp);
		text_clean(value, len, &x->tmp);
		value = x->tmp.p;
		len = x->tmp.len;
	}
	/* one reservation, then the bytes in place: '>' ending the last
	 * start tag, <name>, the text (at most 6 bytes a byte), </name> */
	size_t nl = strlen(name);
	struct buf *b = x->out;
	buf_grow(b, 1 + 2 * nl + 5 + 6 * len);
	char *p = b->p + b->len;
	if (x->tag_open) {
		*p++ = '>';
		x->tag_open = 0;
	}
	*p++ = '<';
	memcpy(p, name, nl);
	p += nl;
	*p++ = '>';
	p = escape_to(p, value, len);
	*p++ = '<';
	*p++ = '/';
	memcpy(p, name, nl);
	p += nl;
	*p++ = '>';
	*p = '\0';
	b->len = (size_t)(p - b->p);
}

void svc_elem_raw(struct svc *x, const char *name, const char *raw)
{
	tag_end(x);
	buf_addc(x->out, '<');
	buf_adds(x->out, name);
	buf_addc(x->out, '>');
	buf_adds(x->out, raw);
	buf_add(x->out, "</", 2);
	buf_adds(x->out, name);
	buf_addc(x->out, '>');
}

void svc_elemf(struct svc *x, const char *name, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	svc_elem(x, name, s ? s : "");
	free(s);
}

/* v's decimal digits at the end of b[24]; the first of them returned */
static char *decimal(char b[24], long long v)
{
	char *p = b + 23;
	*p = '\0';
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	return p;
}

void svc_elem_int(struct svc *x, const char *name, long long v)
{
	char b[24];
	svc_elem(x, name, decimal(b, v));
}

void svc_elem_time(struct svc *x, const char *name, int64_t t)
{
	char b[32];
	clock_format_wire(t, b);
	svc_elem(x, name, b);
}

void svc_elem_money(struct svc *x, const char *name, int64_t micro)
{
	char b[32];
	money_format_exact(micro, b);
	svc_elem(x, name, b);
}

void svc_elem_cents(struct svc *x, const char *name, int64_t micro)
{
	char b[32];
	money_format_cents(micro, b);
	svc_elem(x, name, b);
}

void svc_product_codes(struct svc *x, const char *code)
{
	svc_open(x, "productCodes");
	if (*code) {
		svc_open(x, "item");
		svc_elem(x, "productCode", code);
		svc_elem(x, "type", "devpay");
		svc_close(x);
	}
	svc_close(x);
}

/* An error document, written as the answers are. */
static void write_error_doc(const char *code, const char *message, const char *rid,
			    struct buf *xml)
{
	struct svc x = { .out = xml, .tmp = BUF_INIT };
	buf_adds(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	svc_open(&x, "Response");
	svc_open(&x, "Errors");
	svc_open(&x, "Error");
	svc_elem(&x, "Code", code);
	svc_elem(&x, "Message", message);
	svc_close(&x);
	svc_close(&x);
	svc_elem(&x, "RequestID", rid);
	svc_close(&x);
	buf_addc(xml, '\n');
	buf_release(&x.tmp);
}

void service_error_doc(const char *code, const char *message, struct buf *xml)
{
	char rid[37];
	id_uuid(rid);
	write_error_doc(code, message, rid, xml);
}

const char *service_action_name(size_t i)
{
	return i < sizeof actions / sizeof actions[0] ? actions[i].name : NULL;
}

void service_error_doc_id(const char *code, const char *message, const char *rid, struct buf *xml)
{
	write_error_doc(code, message, rid, xml);
}

static void describe_problem(enum text_problem p, size_t at, unsigned cp, size_t max, struct buf *m)
{
	switch (p) {
	case TEXT_BAD_UTF8:
		buf_addf(m, "it is not valid UTF-8 (byte 0x%02X at offset %zu)", cp, at);
		break;
	case TEXT_CONTROL:
		buf_addf(m, "it contains the control character U+%04X at offset %zu", cp, at);
		break;
	case TEXT_TOO_LONG:
		buf_addf(m, "it is longer than %zu bytes", max);
		break;
	case TEXT_OK:
		break;
	}
}

int service_check_text(const struct query *q, struct buf *msg)
{
	if (q->n > TEXT_MAX_PARAMS) {
		buf_addf(msg, "The request has %zu parameters; at most %d are accepted", q->n,
			 TEXT_MAX_PARAMS);
		return -1;
	}
	for (size_t i = 0; i < q->n; i++) {
		const char *name = q->v[i].name, *value = q->v[i].value;
		size_t at;
		unsigned cp;
		enum text_problem p = text_check(name, strlen(name), TEXT_MAX_NAME, &at, &cp);
		if (p) {
			buf_adds(msg, "Parameter name ");
			text_quote(name, 64, msg);
			buf_adds(msg, " is invalid: ");
			describe_problem(p, at, cp, TEXT_MAX_NAME, msg);
			return -1;
		}
		/* user data has its own bound, and EC2's message for it, in its
		 * handler (svc_user_data_parse); the request body bounds it here */
		size_t vmax = strcmp(name, "UserData") ? TEXT_MAX_VALUE : (size_t)-1;
		p = text_check(value, strlen(value), vmax, &at, &cp);
		if (p) {
			buf_addf(msg, "Value for parameter %s is invalid: ", name);
			describe_problem(p, at, cp, TEXT_MAX_VALUE, msg);
			buf_adds(msg, "; text values are UTF-8 without control characters (tab and"
				 " newline included)");
			return -1;
		}
	}
	return 0;
}

/* The Action a, in one transaction, its answer (or error document) in xml;
 * its status, or 0 when the key kept is not the account's now. */
static int run_action(const struct service_call *c, const struct action *a, const char *ns,
		      const char *rid, struct buf *xml, size_t *rid_at)
{
	struct svc x = { .call = c, .st = c->st, .account = c->account, .region = c->region,
			 .q = c->q, .now = c->now, .out = xml, .tmp = BUF_INIT };
	char root[80];
	snprintf(root, sizeof root, "%sResponse", a->name);
	buf_reset(xml);
	buf_adds(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	svc_open(&x, root);
	buf_adds(xml, " xmlns=\"");
	text_escape(xml, ns, strlen(ns));
	buf_addc(xml, '"');
	svc_elem(&x, "requestId", rid);
	*rid_at = xml->len - strlen("</requestId>") - strlen(rid);

	/* The answer is complete before the commit: a writer that fails rolls
	 * the change back, so a refusal never follows a committed change. */
	int rc, dry = 0;
	if (x.werr)
		rc = svc_fail(&x, 500, "InternalError", "An internal error has occurred");
	else if (svc_check_params(&x, a->params, &dry))
		rc = -1;
	else if (store_begin(c->st, a->write))
		rc = svc_fail_store(&x);
	else if (c->kept_key && (rc = store_expect(c->st, service_key_still, "sss", c->kept_key,
						     c->account, c->kept_hash))) {
		/* the key kept is not the account's now (SQLite, or a check made
		 * at once): the caller looks it up again */
		store_rollback(c->st);
		if (rc > 0) {
			buf_release(&x.tmp);
			return 0;
		}
		rc = svc_fail_store(&x);
	} else {
		rc = a->fn(&x);
		/* a row the handler could not read: its answer would be short,
		 * or its refusal wrong (a read that failed looks like a row not
		 * found): the store's failure answers, whatever the handler said */
		if (store_step_failed(c->st))
			rc = svc_fail_store(&x);
		if (dry) {
			/* every check ran; nothing it did is kept */
			store_rollback(c->st);
			if (rc == 0)
				rc = svc_fail(&x, 412, "DryRunOperation",
					      "Request would have succeeded, but DryRun flag is set.");
		} else {
			if (rc == 0) {
				while (x.depth)
					svc_close(&x);
				buf_addc(xml, '\n');
			}
			if (rc == 0 && x.werr) {
				store_rollback(c->st);
				rc = svc_fail(&x, 500, "InternalError", "An internal error has occurred");
			} else if (rc == 0 && store_commit(c->st))
				rc = svc_fail_store(&x);
			else if (rc != 0)
				store_rollback(c->st);
		}
	}
	buf_release(&x.tmp);
	int status = 200;
	if (rc != 0) {
		buf_reset(xml);
		write_error_doc(x.code, x.message, rid, xml);
		status = x.status;
	}
	return status;
}

int service_handle(const struct service_call *c, struct buf *xml)
{
	char own[37];
	const char *rid = c->request_id;
	if (!rid || !*rid) {
		id_uuid(own);
		rid = own;
	}
	struct buf m = BUF_INIT;
	if (service_check_text(c->q, &m)) {
		write_error_doc("InvalidParameterValue", buf_str(&m), rid, xml);
		buf_release(&m);
		return 400;
	}
	buf_release(&m);
	const char *name = query_get(c->q, "Action");
	const struct action *a = NULL;
	for (size_t i = 0; name && i < sizeof actions / sizeof actions[0]; i++)
		if (!strcmp(actions[i].name, name))
			a = &actions[i];
	if (!a) {
		char msg[300];
		if (name && *name)
			snprintf(msg, sizeof msg, "The action %.100s is not valid for this web service.", name);
		else
			snprintf(msg, sizeof msg, "The request must contain the parameter Action");
		write_error_doc(name && *name ? "InvalidAction" : "MissingAction", msg, rid, xml);
		return 400;
	}
	/* only the answers that are the same for everyone go without an account */
	if (!c->account && strcmp(a->name, "DescribeRegions") &&
	    strcmp(a->name, "DescribeAvailabilityZones")) {
		write_error_doc("AuthFailure", "AWS was not able to validate the provided access credentials",
				rid, xml);
		return 401;
	}
	const char *version = query_get(c->q, "Version");
	char ns[128];
	/* only a version's shape (YYYY-MM-DD) goes into the namespace URI */
	int shaped = version && strlen(version) == 10 && strspn(version, "0123456789-") == 10 &&
		     version[4] == '-' && version[7] == '-';
	snprintf(ns, sizeof ns, "http://ec2.amazonaws.com/doc/%s/", shaped ? version : EC2_API_VERSION);

	/* a reading Action asked again of data unchanged since, in the same
	 * second: the answer kept (service/answers.h) */
	struct store_version data;
	struct answer_key key = ANSWER_KEY_INIT;
	int keep = !a->write && strspn(rid, "0123456789abcdef-") == strlen(rid) &&
		   !store_data_version(c->st, &data) && !answers_key(c, &data, &key);
	if (keep && !xml->len && answers_find(&key, rid, xml)) {
		answer_key_release(&key);
		return 200;
	}
	/* PostgreSQL: a transaction that meets a serialization failure or a
	 * deadlock runs again from the start (a fresh answer each time) after
	 * a random pause, so that the writers that met each other do not meet
	 * again; should they still, the answer is 503 (clients retry it), as is
	 * a lost database connection (a failover): never a 500, and never an
	 * answer a failed read made up (a subscription not found, a 4xx) —
	 * the transaction cannot have committed once the connection is down. */
	int status;
	for (int attempt = 1;; attempt++) {
		struct buf out = BUF_INIT;
		size_t rid_at = 0;
		status = run_action(c, a, ns, rid, &out, &rid_at);
		/* the key the request was checked with changed: its caller looks
		 * it up again and runs the Action anew (service_call.kept_key) */
		if (!status || (c->kept_key && store_expect_failed(c->st))) {
			buf_release(&out);
			answer_key_release(&key);
			return 0;
		}
		/* whatever the handler made of the failed statement (a read that
		 * failed may have looked like a row not found): the Action runs
		 * again */
		int conflict = store_retry(c->st);
		if (conflict && attempt < STORE_RETRIES) {
			buf_release(&out);
			if (c->internal)
				buf_reset(c->internal);
			uint32_t cap = RETRY_BASE_US << (attempt < 6 ? attempt - 1 : 6);
			if (conflict != STORE_RETRY_STALE)
				usleep(arc4random_uniform(cap < RETRY_CAP_US ? cap : RETRY_CAP_US) + 1);
			continue;
		}
		if (keep && status == 200 && !conflict)
			answers_keep(&key, &out, rid_at, strlen(rid));
		answer_key_release(&key);
		if (conflict || store_down(c->st)) {
			status = 503;
			write_error_doc("ServiceUnavailable", "The service is unavailable. Try again later.",
					rid, xml);
		} else if (!xml->len) {
			/* the answer itself, not a copy */
			buf_release(xml);
			*xml = out;
			out = (struct buf)BUF_INIT;
		} else
			buf_add(xml, out.p, out.len);
		buf_release(&out);
		return status;
	}
}
