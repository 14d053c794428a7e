/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-image-attribute: an AMI's product codes or launch
 * permissions (Action DescribeImageAttribute). */
#include <string.h>
#include "client/client.h"

static const struct cli_option opts[] = {
	{ "product-code", 'p', CLI_NOARG, NULL, "the product codes" },
	{ "launch-permission", 'l', CLI_NOARG, NULL, "the launch permissions (the owner's only)" },
	{ 0 },
};

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg, *attr = NULL;
	cli_init(&c, "ec2-describe-image-attribute",
		 "Describe one attribute of an AMI: its product codes or its launch permissions.",
		 "IMAGE -p | IMAGE -l", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		const char *a = k == 'p' ? "productCodes" : "launchPermission";
		if (attr && strcmp(attr, a))
			cli_usage_error(&c, "one attribute at a time: -p or -l");
		attr = a;
	}
	if (cli_argc(&c) != 1)
		cli_usage_error(&c, cli_argc(&c) ? "too many arguments" : "missing IMAGE");
	if (!attr)
		cli_usage_error(&c, "which attribute? give -p (product codes) or -l (launch permissions)");
	const char *image = cli_argv(&c)[0];
	query_add(&q, "ImageId", image);
	query_add(&q, "Attribute", attr);
	cli_finish(&c);
	struct response r;
	client_call_or_die(&c, "DescribeImageAttribute", &q, &r);
	const char *id = *xml_text(r.root, "imageId") ? xml_text(r.root, "imageId") : image;
	if (!strcmp(attr, "productCodes")) {
		xml_foreach(it, xml_child(r.root, "productCodes"), "item")
		{
			struct buf v = BUF_INIT;
			const char *type = xml_text(it, "type");
			buf_addf(&v, "[%s: %s]", *type ? type : "devpay", xml_text(it, "productCode"));
			const char *f[] = { id, "productCode", buf_str(&v) };
			out_record(&c.cfg, &REC_IMAGE_ATTR, f);
			buf_release(&v);
		}
	} else {
		/* the public group first, as the real tool prints it */
		for (int pass = 0; pass < 2; pass++)
			xml_foreach(it, xml_child(r.root, "launchPermission"), "item")
			{
				const char *g = xml_text(it, "group"), *u = xml_text(it, "userId");
				if (pass == 0 && *g) {
					const char *f[] = { id, "group", g };
					out_record(&c.cfg, &REC_LP, f);
				} else if (pass == 1 && !*g && *u) {
					const char *f[] = { id, "userId", u };
					out_record(&c.cfg, &REC_LP, f);
				}
			}
	}
	response_release(&r);
	query_release(&q);
	return 0;
}
