/* Machine images and their product code attribute. */
#include <stdio.h>
#include <string.h>
#include "ids.h"
#include "svc.h"

struct image {
	char id[32], owner[13], code[9];
	int platform;
	char root[16];
};

/* 1 found, 0 not, -1 store error. */
static int find_image(struct svc *x, const char *id, struct image *im)
{
	sqlite3_stmt *s = store_query(x->st, "SELECT owner, platform, root_device,"
				      " ifnull(product_code, '') FROM images WHERE id = ?", "s", id);
	if (!s)
		return -1;
	int rc = sqlite3_step(s), r = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
	if (r == 1) {
		snprintf(im->id, sizeof im->id, "%s", id);
		snprintf(im->owner, sizeof im->owner, "%s", store_text(s, 0));
		im->platform = sqlite3_column_int(s, 1);
		snprintf(im->root, sizeof im->root, "%s", store_text(s, 2));
		snprintf(im->code, sizeof im->code, "%s", store_text(s, 3));
	}
	store_done(s);
	return r;
}

/* The caller's image, or a refusal naming what is wrong with the id. */
static int own_image(struct svc *x, const char *id, struct image *im, const char *why)
{
	if (!svc_valid_id(id, "ami-"))
		return svc_fail(x, 400, "InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id);
	int r = find_image(x, id, im);
	if (r < 0)
		return svc_fail_store(x);
	if (r == 0)
		return svc_fail(x, 400, "InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id);
	if (strcmp(im->owner, x->account))
		return svc_fail(x, 403, "AuthFailure", "You must own image %s %s", id, why);
	return 0;
}

int svc_register_image(struct svc *x)
{
	const char *name;
	if (svc_need(x, "Name", &name))
		return -1;
	if (strlen(name) > 128)
		return svc_fail(x, 400, "InvalidAMIName.Malformed", "AMI name is longer than 128 characters");
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20)
			return svc_fail(x, 400, "InvalidAMIName.Malformed", "AMI name contains a control character");
	const char *pl = svc_param(x, "Platform");
	int platform = pl && *pl ? platform_parse(pl) : PLATFORM_LINUX;
	if (platform < 0)
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid platform '%s': expected linux or windows", pl);
	const char *root = svc_param(x, "RootDeviceType");
	if (!root || !*root)
		root = query_get(x->q, "BlockDeviceMapping.1.Ebs.SnapshotId") ? "ebs" : "instance-store";
	if (strcmp(root, "ebs") && strcmp(root, "instance-store"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid root device type '%s': expected instance-store or ebs", root);
	const char *desc = svc_param(x, "Description");
	char id[32];
	for (int tries = 0;; tries++) {
		id_new(id, sizeof id, "ami-", 17);
		int r = store_exec(x->st, "INSERT INTO images(id, owner, name, description, platform,"
				   " root_device, created) VALUES (?, ?, ?, ?, ?, ?, ?)", "ssssdsi", id,
				   x->account, name, desc ? desc : "", platform, root, x->now);
		if (r == 0)
			break;
		if (r == -1 || tries == 20)
			return svc_fail_store(x);
		sqlite3_stmt *s = store_query(x->st, "SELECT 1 FROM images WHERE owner = ? AND name = ?",
					      "ss", x->account, name);
		int dup = s && sqlite3_step(s) == SQLITE_ROW;
		store_done(s);
		if (dup)
			return svc_fail(x, 400, "InvalidAMIName.Duplicate",
					"AMI name %s is already in use by an AMI you own", name);
	}
	svc_elem(x, "imageId", id);
	return 0;
}

static void write_image(struct svc *x, sqlite3_stmt *s)
{
	/* columns: id, owner, name, description, platform, root_device, code */
	const char *root = store_text(s, 5);
	svc_open(x, "item");
	svc_elem(x, "imageId", store_text(s, 0));
	svc_elemf(x, "imageLocation", "%s/%s", store_text(s, 1), store_text(s, 2));
	svc_elem(x, "imageState", "available");
	svc_elem(x, "imageOwnerId", store_text(s, 1));
	svc_elem(x, "isPublic", "false");
	svc_product_codes(x, store_text(s, 6));
	svc_elem(x, "architecture", "x86_64");
	svc_elem(x, "imageType", "machine");
	if (sqlite3_column_int(s, 4) == PLATFORM_WINDOWS)
		svc_elem(x, "platform", "windows");
	svc_elem(x, "name", store_text(s, 2));
	if (*store_text(s, 3))
		svc_elem(x, "description", store_text(s, 3));
	svc_elem(x, "rootDeviceType", root);
	svc_elem(x, "rootDeviceName", !strcmp(root, "ebs") ? "/dev/xvda" : "/dev/sda1");
	svc_elem(x, "virtualizationType", "paravirtual");
	svc_elem(x, "hypervisor", "xen");
	svc_close(x);
}

#define IMAGE_COLS "id, owner, name, description, platform, root_device, ifnull(product_code, '')"

/* Images are private to their owner: without ids the caller's own, with ids
 * each must be the caller's (another account's image does not exist for it). */
int svc_describe_images(struct svc *x)
{
	svc_open(x, "imagesSet");
	if (query_get_nth(x->q, "ImageId", 1, NULL)) {
		for (int i = 1;; i++) {
			const char *id = query_get_nth(x->q, "ImageId", i, NULL);
			if (!id)
				break;
			if (!svc_valid_id(id, "ami-"))
				return svc_fail(x, 400, "InvalidAMIID.Malformed",
						"Invalid id: \"%s\" (expecting \"ami-...\")", id);
			sqlite3_stmt *s = store_query(x->st, "SELECT " IMAGE_COLS " FROM images"
						      " WHERE id = ? AND owner = ?", "ss", id, x->account);
			if (!s)
				return svc_fail_store(x);
			if (sqlite3_step(s) != SQLITE_ROW) {
				store_done(s);
				return svc_fail(x, 400, "InvalidAMIID.NotFound",
						"The image id '[%s]' does not exist", id);
			}
			write_image(x, s);
			store_done(s);
		}
	} else {
		sqlite3_stmt *s = store_query(x->st, "SELECT " IMAGE_COLS " FROM images"
					      " WHERE owner = ? ORDER BY created, id", "s", x->account);
		if (!s)
			return svc_fail_store(x);
		while (sqlite3_step(s) == SQLITE_ROW)
			write_image(x, s);
		store_done(s);
	}
	svc_close(x);
	return 0;
}

int svc_modify_image_attribute(struct svc *x)
{
	const char *id, *code = query_get_nth(x->q, "ProductCode", 1, NULL);
	if (svc_need(x, "ImageId", &id))
		return -1;
	const char *attr = svc_param(x, "Attribute");
	if (!code || (attr && *attr && strcmp(attr, "productCodes")))
		return svc_fail(x, 400, "InvalidParameterCombination",
				"Only the productCodes attribute can be modified: give ProductCode.1");
	if (query_get_nth(x->q, "ProductCode", 2, NULL))
		return svc_fail(x, 400, "InvalidParameterValue", "An AMI can carry only one product code");
	if (!svc_valid_code(code))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid product code '%s': expected 8 hexadecimal digits", code);
	struct image im;
	if (own_image(x, id, &im, "to associate a product code with it"))
		return -1;
	struct product_version v;
	int r = svc_product_at(x, code, x->now, &v);
	if (r < 0)
		return svc_fail_store(x);
	if (r == 0)
		return svc_fail(x, 400, "InvalidProductCode.NotFound", "The product code '%s' does not exist", code);
	if (*im.code) {
		if (!strcmp(im.code, code)) {
			svc_elem(x, "return", "true");
			return 0;
		}
		return svc_fail(x, 400, "OperationNotPermitted",
				"Image %s already carries product code %s; a product code cannot be changed or removed (register the image again to drop it)",
				id, im.code);
	}
	if (strcmp(im.root, "instance-store"))
		return svc_fail(x, 400, "UnsupportedOperation",
				"Image %s is EBS-backed; a product code can be associated only with an instance store-backed AMI", id);
	if (strcmp(v.owner, x->account) && !(v.platforms & (1u << im.platform)))
		return svc_fail(x, 400, "OperationNotPermitted",
				"Product %s is not configured for %s AMIs", code,
				platform_description((enum platform)im.platform));
	if (store_exec(x->st, "UPDATE images SET product_code = ? WHERE id = ?", "ss", code, id))
		return svc_fail_store(x);
	svc_elem(x, "return", "true");
	return 0;
}

int svc_describe_image_attribute(struct svc *x)
{
	const char *id, *attr;
	if (svc_need(x, "ImageId", &id) || svc_need(x, "Attribute", &attr))
		return -1;
	struct image im;
	if (own_image(x, id, &im, "to read its attributes"))
		return -1;
	svc_elem(x, "imageId", id);
	if (!strcmp(attr, "productCodes"))
		svc_product_codes(x, im.code);
	else if (!strcmp(attr, "description")) {
		sqlite3_stmt *s = store_query(x->st, "SELECT description FROM images WHERE id = ?", "s", id);
		svc_open(x, "description");
		svc_elem(x, "value", s && sqlite3_step(s) == SQLITE_ROW ? store_text(s, 0) : "");
		svc_close(x);
		store_done(s);
	} else
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid attribute '%s': expected productCodes or description", attr);
	return 0;
}
