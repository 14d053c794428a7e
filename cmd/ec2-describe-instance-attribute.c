/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-instance-attribute: one attribute of an instance (Action
 * DescribeInstanceAttribute): its type, user data, kernel, ramdisk, ... */
#include <string.h>
#include "base/base64.h"
#include "client/client.h"

enum { OPT_USER_DATA = CLI_LONG(0), OPT_DISABLE_API_TERMINATION, OPT_SHUTDOWN_BEHAVIOR,
       OPT_ROOT_DEVICE_NAME, OPT_EBS_OPTIMIZED, OPT_SOURCE_DEST_CHECK };

static const struct cli_option opts[] = {
	{ "instance-type", 't', CLI_NOARG, NULL, "the instance type" },
	{ "user-data", OPT_USER_DATA, CLI_NOARG, NULL, "the user data, decoded" },
	{ "kernel", 'k', CLI_NOARG, NULL, "the kernel id (none here)" },
	{ "ramdisk", 'r', CLI_NOARG, NULL, "the ramdisk id (none here)" },
	{ "disable-api-termination", OPT_DISABLE_API_TERMINATION, CLI_NOARG, NULL,
	  "whether termination is disabled (false)" },
	{ "instance-initiated-shutdown-behavior", OPT_SHUTDOWN_BEHAVIOR, CLI_NOARG, NULL,
	  "what a shutdown from inside does (terminate for instance store)" },
	{ "root-device-name", OPT_ROOT_DEVICE_NAME, CLI_NOARG, NULL, "the root device's name" },
	{ "block-device-mapping", 'b', CLI_NOARG, NULL, "the block device mapping" },
	{ "product-code", 'p', CLI_NOARG, NULL, "the product codes" },
	{ "ebs-optimized", OPT_EBS_OPTIMIZED, CLI_NOARG, NULL, "whether it is EBS-optimized (false)" },
	{ "source-dest-check", OPT_SOURCE_DEST_CHECK, CLI_NOARG, NULL,
	  "source/destination checking (VPC only: refused by the service)" },
	{ 0 },
};

static const char *attribute_of(int key)
{
	switch (key) {
	case 't': return "instanceType";
	case OPT_USER_DATA: return "userData";
	case 'k': return "kernel";
	case 'r': return "ramdisk";
	case OPT_DISABLE_API_TERMINATION: return "disableApiTermination";
	case OPT_SHUTDOWN_BEHAVIOR: return "instanceInitiatedShutdownBehavior";
	case OPT_ROOT_DEVICE_NAME: return "rootDeviceName";
	case 'b': return "blockDeviceMapping";
	case 'p': return "productCodes";
	case OPT_EBS_OPTIMIZED: return "ebsOptimized";
	default: return "sourceDestCheck";
	}
}

/* The user data as the real tool prints it: decoded. Data that is not
 * text a record can carry (a NUL byte), or that is not base64, is printed
 * as received. */
static void user_data_text(const char *b64, struct buf *out)
{
	struct buf raw = BUF_INIT;
	if (!base64_decode(b64, strlen(b64), (size_t)-1 / 2, &raw) &&
	    (!raw.len || !memchr(raw.p, 0, raw.len)))
		buf_add(out, raw.len ? raw.p : "", raw.len);
	else
		buf_adds(out, b64);
	buf_release(&raw);
}

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *attr = NULL;
	cli_init(&c, "ec2-describe-instance-attribute",
		 "Describe one attribute of an instance: its type, user data, kernel, ramdisk, ...",
		 "INSTANCE (-t | --user-data | -k | -r | --disable-api-termination | -b | -p | ...)",
		 opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		const char *a = attribute_of(k);
		if (attr && strcmp(attr, a))
			cli_usage_error(&c, "one attribute at a time");
		attr = a;
	}
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing INSTANCE");
	if (!attr)
		cli_usage_error(&c, "which attribute? give one of -t, --user-data, -k, -r, "
				    "--disable-api-termination, --instance-initiated-shutdown-behavior, "
				    "--root-device-name, -b, -p, --ebs-optimized");
	const char *instance = cli_argv(&c)[0];
	query_add(&q, "InstanceId", instance);
	query_add(&q, "Attribute", attr);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DescribeInstanceAttribute", &q, &r);
	const char *id = *xml_text(r.root, "instanceId") ? xml_text(r.root, "instanceId") : instance;
	if (!strcmp(attr, "productCodes")) {
		xml_foreach(it, xml_child(r.root, "productCodes"), "item")
		{
			struct buf v = BUF_INIT;
			const char *type = xml_text(it, "type");
			buf_addf(&v, "[%s: %s]", *type ? type : "devpay", xml_text(it, "productCode"));
			const char *f[] = { attr, id, buf_str(&v) };
			out_record(&c.cfg, &REC_INSTANCE_ATTR, f);
			buf_release(&v);
		}
	} else if (!strcmp(attr, "blockDeviceMapping")) {
		xml_foreach(it, xml_child(r.root, "blockDeviceMapping"), "item")
		{
			const char *f[] = { xml_text(it, "deviceName"), xml_text(it, "ebs/volumeId"),
					    client_time(xml_text(it, "ebs/attachTime")),
					    xml_text(it, "ebs/deleteOnTermination") };
			out_record(&c.cfg, &REC_BLOCKDEVICE, f);
		}
	} else {
		const xmlNode *el = xml_child(r.root, attr);
		const char *value = xml_text(el, "value");
		struct buf v = BUF_INIT;
		if (!strcmp(attr, "userData"))
			user_data_text(value, &v);
		else
			buf_adds(&v, value);
		const char *f[] = { attr, id, buf_str(&v) };
		out_record(&c.cfg, &REC_INSTANCE_ATTR, f);
		buf_release(&v);
	}
	response_release(&r);
	query_release(&q);
	return 0;
}
