/* SPDX-License-Identifier: Apache-2.0 */
/* User data and an instance's attributes: UserData at launch (checked and
 * kept with the reservation, as EC2-Classic keeps it with the launch), and
 * DescribeInstanceAttribute.
 *
 * User data travels in base64 as EC2 takes it. It is kept as the text the
 * caller sent, once it is known to be canonical base64 of at most 16384
 * bytes, and answered as it was sent. */
#include <stdio.h>
#include <string.h>
#include <openssl/sha.h>
#include "base/base64.h"
#include "base/crypto_dl.h"
#include "service/svc.h"

int svc_user_data_parse(struct svc *x, struct svc_user_data *ud)
{
	memset(ud, 0, sizeof *ud);
	const char *v = svc_param(x, "UserData");
	if (!v || !*v)
		return 0;
	size_t n = strlen(v);
	/* base64 of more than 16384 bytes is longer than 21848 characters:
	 * refused before anything is decoded */
	if (n > SVC_USER_DATA_B64_MAX)
		return svc_fail(x, 400, "InvalidParameterValue", "User data is limited to %d bytes",
				SVC_USER_DATA_MAX);
	struct buf raw = BUF_INIT;
	int r = base64_decode(v, n, SVC_USER_DATA_MAX, &raw);
	if (r == -2)
		r = svc_fail(x, 400, "InvalidParameterValue", "User data is limited to %d bytes",
			     SVC_USER_DATA_MAX);
	else if (r)
		r = svc_fail(x, 400, "InvalidParameterValue", "Invalid BASE64 encoding of user data");
	else {
		unsigned char md[SHA256_DIGEST_LENGTH];
		SHA256((const unsigned char *)raw.p, raw.len, md);
		for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
			snprintf(ud->digest + 2 * i, 3, "%02x", md[i]);
		ud->b64 = v;
	}
	buf_release(&raw);
	return r;
}

int svc_user_data_store(struct svc *x, const char *reservation, const struct svc_user_data *ud)
{
	if (!ud->b64)
		return 0;
	if (store_exec_later(x->st, "UPDATE reservations SET user_data = ? WHERE id = ?", "ss",
			     ud->b64, reservation))
		return svc_fail_store(x);
	return 0;
}

/* DescribeInstanceAttribute's attributes: those an EC2-Classic instance
 * here has, and those of EC2 it has not (answered UnsupportedOperation). */
static const char *const attributes[] = { "instanceType", "kernel", "ramdisk", "userData",
	"disableApiTermination", "instanceInitiatedShutdownBehavior", "rootDeviceName",
	"blockDeviceMapping", "productCodes", "ebsOptimized", NULL };
static const char *const unsupported[] = { "sourceDestCheck", "groupSet", "sriovNetSupport",
	"enaSupport", "enclaveOptions", "disableApiStop", NULL };

static int listed(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* <NAME><value>VALUE</value></NAME>, or <NAME/> when value is NULL. */
static void attr_value(struct svc *x, const char *name, const char *value)
{
	svc_open(x, name);
	if (value)
		svc_elem(x, "value", value);
	svc_close(x);
}

int svc_describe_instance_attribute(struct svc *x)
{
	const char *id, *attr;
	if (svc_need(x, "InstanceId", &id) || svc_need(x, "Attribute", &attr))
		return -1;
	if (!svc_valid_id(id, "i-"))
		return svc_fail(x, 400, "InvalidInstanceID.Malformed",
				"Invalid id: \"%s\" (expecting \"i-...\")", id);
	if (listed(unsupported, attr))
		return svc_fail(x, 400, "UnsupportedOperation",
				"The attribute %s is not supported: this service has EC2-Classic instances only (no VPC, no enhanced networking)",
				attr);
	if (!listed(attributes, attr))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Value (%s) for parameter attribute is invalid. Unknown attribute.", attr);
	/* as everywhere, another account's instance, or one of another
	 * region, does not exist for the caller */
	struct store_rows *s = store_query(x->st, "SELECT i.type, coalesce(i.product_code, ''),"
				      " coalesce(m.root_device, 'instance-store'), coalesce(r.user_data, '')"
				      " FROM instances i JOIN reservations r ON r.id = i.reservation"
				      " LEFT JOIN images m ON m.id = i.image"
				      " WHERE i.id = ? AND i.owner = ? AND i.region = ?",
				      "sss", id, x->account, x->region);
	if (!s)
		return svc_fail_store(x);
	int rc = store_step(s);
	if (rc != STORE_ROW) {
		store_done(s);
		return rc == STORE_DONE ? svc_fail(x, 400, "InvalidInstanceID.NotFound",
						   "The instance ID '%s' does not exist", id)
					: svc_fail_store(x);
	}
	const char *type = store_text(s, 0), *code = store_text(s, 1), *root = store_text(s, 2);
	const char *ud = store_text(s, 3);
	int ebs = !strcmp(root, "ebs");
	svc_elem(x, "instanceId", id);
	if (!strcmp(attr, "instanceType"))
		attr_value(x, "instanceType", type);
	else if (!strcmp(attr, "kernel") || !strcmp(attr, "ramdisk"))
		attr_value(x, attr, NULL);
	else if (!strcmp(attr, "userData"))
		attr_value(x, "userData", *ud ? ud : NULL);
	else if (!strcmp(attr, "disableApiTermination") || !strcmp(attr, "ebsOptimized"))
		attr_value(x, attr, "false");
	else if (!strcmp(attr, "instanceInitiatedShutdownBehavior"))
		/* an instance-store root cannot stop: it terminates */
		attr_value(x, attr, ebs ? "stop" : "terminate");
	else if (!strcmp(attr, "rootDeviceName"))
		attr_value(x, attr, ebs ? "/dev/xvda" : "/dev/sda1");
	else if (!strcmp(attr, "blockDeviceMapping")) {
		svc_open(x, "blockDeviceMapping");
		svc_close(x);
	} else
		svc_product_codes(x, code);
	store_done(s);
	return 0;
}
