/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-describe-images: IMAGE records in ec2-api-tools 1.6 field order, each
 * followed by its TAG records. */
#include <string.h>
#include "client/client.h"
#include "client/print.h"

static const struct cli_option opts[] = {
	CLI_OPT_FILTER,
	{ "all", 'a', CLI_NOARG, NULL, "every image the caller may launch, public ones included" },
	{ "owner", 'o', CLI_ARG, "self|ACCOUNT|amazon", "only images of this owner (repeatable)" },
	{ "executable-by", 'x', CLI_ARG, "self|all|ACCOUNT", "only images this account may launch (repeatable)" },
	{ 0 },
};

/* One answer's images (the service may answer in pages). */
static void print_page(struct cli *c, const xmlNode *root, void *cls)
{
	(void)cls;
	xml_foreach(im, xml_child(root, "imagesSet"), "item")
	{
		struct buf loc = BUF_INIT, codes = BUF_INIT;
		const char *name = xml_text(im, "name"), *owner = xml_text(im, "imageOwnerId");
		const char *alias = xml_text(im, "imageOwnerAlias");
		if (*name)
			buf_addf(&loc, "%s/%s", *alias ? alias : owner, name);
		else
			buf_adds(&loc, xml_text(im, "imageLocation"));
		client_product_codes(xml_child(im, "productCodes"), &codes);
		const char *f[] = { xml_text(im, "imageId"), buf_str(&loc), *alias ? alias : owner,
				    xml_text(im, "imageState"),
				    !strcmp(xml_text(im, "isPublic"), "true") ? "public" : "private",
				    buf_str(&codes), xml_text(im, "architecture"), xml_text(im, "imageType"),
				    xml_text(im, "kernelId"), xml_text(im, "ramdiskId"), xml_text(im, "platform"),
				    xml_text(im, "rootDeviceType"), xml_text(im, "virtualizationType"),
				    xml_text(im, "hypervisor") };
		out_record(&c->cfg, &REC_IMAGE, f);
		print_tag_set(&c->cfg, "image", xml_text(im, "imageId"), xml_child(im, "tagSet"));
		buf_release(&loc);
		buf_release(&codes);
	}
}

int main(int argc, char **argv)
{
	struct cli c;
	struct query q = QUERY_INIT;
	const char *arg;
	int all = 0, owners = 0, execs = 0;
	cli_init(&c, "ec2-describe-images",
		 "Describe the caller's machine images and those shared with it, or the images named.",
		 "[IMAGE]... [-a] [-o OWNER]... [-x ACCOUNT]...", opts, argc, argv);
	for (int k; (k = cli_next(&c, &arg)) != -1;) {
		switch (k) {
		case 'a': all = 1; break;
		case 'o': owners = query_add_list(&q, "Owner", owners + 1, arg) - 1; break;
		case 'x': execs = query_add_list(&q, "ExecutableBy", execs + 1, arg) - 1; break;
		}
	}
	for (int i = 0; i < cli_argc(&c); i++) {
		query_add_list(&q, "ImageId", i + 1, cli_argv(&c)[i]);
	}
	/* as ec2-api-tools: with nothing named, the images the caller owns
	 * or was explicitly granted; -a adds the public ones */
	if (!all && !owners && !execs && !cli_argc(&c))
		query_add(&q, "ExecutableBy.1", "self");
	cli_finish(&c);
	client_pages_or_die(&c, "DescribeImages", &q, print_page, NULL);
	query_release(&q);
	return 0;
}
