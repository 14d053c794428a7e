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

/* The caller's image, or a refusal naming what is wrong with the id. Another
 * account's private image is answered exactly as a missing one: the answer
 * must not tell an outsider that it exists. */
static int own_image(struct svc *x, const char *id, struct image *im)
{
	if (!svc_valid_id(id, "ami-"))
		return svc_fail(x, 400, "InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id);
	int r = find_image(x, id, im);
	if (r < 0)
		return svc_fail_store(x);
	if (r == 0 || strcmp(im->owner, x->account))
		return svc_image_not_found(x, id);
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

/* DescribeImages' filters: EC2's names for what an image here has. */
static const char *const image_filters[] = { "image-id", "name", "owner-id", "platform",
	"product-code", "product-code.type", "root-device-type", "root-device-name", "state",
	"is-public", "architecture", "image-type", "virtualization-type", "hypervisor",
	"description", "manifest-location", NULL };

struct image_row {
	sqlite3_stmt *s;
	char location[200];
};

static int image_values(void *rec, const char *name, const char **out, int max)
{
	struct image_row *r = rec;
	sqlite3_stmt *s = r->s;
	const char *root = store_text(s, 5), *code = store_text(s, 6), *v = NULL;
	(void)max;
	if (!strcmp(name, "image-id")) v = store_text(s, 0);
	else if (!strcmp(name, "name")) v = store_text(s, 2);
	else if (!strcmp(name, "owner-id")) v = store_text(s, 1);
	else if (!strcmp(name, "platform"))
		v = sqlite3_column_int(s, 4) == PLATFORM_WINDOWS ? "windows" : NULL;
	else if (!strcmp(name, "product-code")) v = *code ? code : NULL;
	else if (!strcmp(name, "product-code.type")) v = *code ? "devpay" : NULL;
	else if (!strcmp(name, "root-device-type")) v = root;
	else if (!strcmp(name, "root-device-name")) v = !strcmp(root, "ebs") ? "/dev/xvda" : "/dev/sda1";
	else if (!strcmp(name, "state")) v = "available";
	else if (!strcmp(name, "is-public")) v = "false";
	else if (!strcmp(name, "architecture")) v = "x86_64";
	else if (!strcmp(name, "image-type")) v = "machine";
	else if (!strcmp(name, "virtualization-type")) v = "paravirtual";
	else if (!strcmp(name, "hypervisor")) v = "xen";
	else if (!strcmp(name, "description")) v = store_text(s, 3);
	else if (!strcmp(name, "manifest-location")) {
		snprintf(r->location, sizeof r->location, "%s/%s", store_text(s, 1), store_text(s, 2));
		v = r->location;
	}
	if (!v)
		return 0;
	out[0] = v;
	return 1;
}

static void write_if(struct svc *x, sqlite3_stmt *s, const struct filter_set *fs)
{
	struct image_row r = { .s = s };
	if (filter_match(fs, image_values, &r))
		write_image(x, s);
}

/* Images are private to their owner: without ids the caller's own, with ids
 * each must be the caller's (another account's image does not exist for it).
 * Filters then keep the images that match them. */
int svc_describe_images(struct svc *x)
{
	struct filter_set fs = FILTER_SET_INIT;
	if (svc_filters(x, image_filters, &fs))
		return -1;
	int rc = 0;
	svc_open(x, "imagesSet");
	if (query_get_nth(x->q, "ImageId", 1, NULL)) {
		for (int i = 1; rc == 0; i++) {
			const char *id = query_get_nth(x->q, "ImageId", i, NULL);
			if (!id)
				break;
			if (!svc_valid_id(id, "ami-")) {
				rc = svc_fail(x, 400, "InvalidAMIID.Malformed",
					      "Invalid id: \"%s\" (expecting \"ami-...\")", id);
				break;
			}
			sqlite3_stmt *s = store_query(x->st, "SELECT " IMAGE_COLS " FROM images"
						      " WHERE id = ? AND owner = ?", "ss", id, x->account);
			if (!s)
				rc = svc_fail_store(x);
			else if (sqlite3_step(s) != SQLITE_ROW)
				rc = svc_image_not_found(x, id);
			else
				write_if(x, s, &fs);
			store_done(s);
		}
	} else {
		sqlite3_stmt *s = store_query(x->st, "SELECT " IMAGE_COLS " FROM images"
					      " WHERE owner = ? ORDER BY created, id", "s", x->account);
		if (!s)
			rc = svc_fail_store(x);
		else
			while (sqlite3_step(s) == SQLITE_ROW)
				write_if(x, s, &fs);
		store_done(s);
	}
	svc_close(x);
	filter_release(&fs);
	return rc;
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
	if (own_image(x, id, &im))
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
	if (own_image(x, id, &im))
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
