/* SPDX-License-Identifier: Apache-2.0 */
/* Machine images: registering, describing, deregistering (their attributes
 * are in svc_image_attrs.c). */
#include <stdio.h>
#include <string.h>
#include "base/clock.h"
#include "base/ids.h"
#include "service/svc.h"
#include "service/svc_images_int.h"

/* Who may see and launch an image: its owner, and the accounts its launch
 * permissions name ('all': everyone). To anyone else the image does not
 * exist: every Action answers InvalidAMIID.NotFound, exactly as for an id
 * never registered, so another account's private images cannot be probed.
 * A deregistered image does not exist for anyone. An image belongs to the
 * region it was registered in (as in EC2): in any other it does not exist,
 * except that an image carrying a product code is also in each region its
 * product is offered in (DevPay's product covers its regions: the seller's
 * bundle, or the customer's supported AMI, is there too). */
#define IMAGE_VISIBLE_TO(acct, region) \
	"(images.deregistered IS NULL AND (images.region = " region \
	" OR EXISTS (SELECT 1 FROM product_versions pv JOIN version_regions vr" \
	"  ON vr.version = pv.id WHERE pv.code = images.product_code AND vr.region = " region "))" \
	" AND (images.owner = " acct " OR EXISTS (SELECT 1 FROM" \
	" launch_permissions lp WHERE lp.image = images.id AND lp.grantee IN ('all', " acct "))))"
#define IMAGE_PUBLIC \
	"EXISTS (SELECT 1 FROM launch_permissions lp WHERE lp.image = images.id AND lp.grantee = 'all')"

static int malformed_image(struct svc *x, const char *id)
{
	return svc_fail(x, 400, "InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id);
}

static const char find_image[] = "SELECT owner, platform, root_device, ifnull(product_code, ''), "
	IMAGE_PUBLIC " FROM images WHERE id = ?1 AND " IMAGE_VISIBLE_TO("?2", "?3");

void svc_find_image_ahead(struct svc *x, const char *id)
{
	store_prefetch(x->st, find_image, "sss", id, x->account, x->region);
}

int svc_find_image(struct svc *x, const char *id, struct svc_image *im)
{
	struct store_rows *s = store_query(x->st, find_image, "sss", id, x->account, x->region);
	if (!s)
		return -1;
	int rc = store_step(s), r = rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
	if (r == 1) {
		snprintf(im->id, sizeof im->id, "%s", id);
		snprintf(im->owner, sizeof im->owner, "%s", store_text(s, 0));
		im->platform = store_int(s, 1);
		snprintf(im->root, sizeof im->root, "%s", store_text(s, 2));
		snprintf(im->code, sizeof im->code, "%s", store_text(s, 3));
		im->public = store_int(s, 4);
	}
	store_done(s);
	return r;
}

/* An image the caller may see, or a refusal naming what is wrong with the id. */
int svc_visible_image(struct svc *x, const char *id, struct svc_image *im)
{
	if (!svc_valid_id(id, "ami-"))
		return malformed_image(x, id);
	int r = svc_find_image(x, id, im);
	if (r < 0)
		return svc_fail_store(x);
	if (r == 0)
		return svc_image_not_found(x, id);
	return 0;
}

/* The caller's own image: one it may only see (shared with it, or public)
 * is refused with AuthFailure, one it may not see does not exist. */
int svc_own_image(struct svc *x, const char *id, struct svc_image *im, const char *why)
{
	if (svc_visible_image(x, id, im))
		return -1;
	if (strcmp(im->owner, x->account))
		return svc_fail(x, 403, "AuthFailure", "You must own image %s %s", id, why);
	return 0;
}

/* What the real ec2-register sends: RootDeviceName always, ImageLocation
 * for a bundle's manifest (an instance-store image whose name, when none
 * is given, is the manifest's file name without .manifest.xml), and the
 * -b mappings. Accepted when they describe what an image here is. */
static int register_defaults(struct svc *x, const char **name, char *derived, size_t dsz)
{
	static const char *const kernel[] = { "KernelId", "RamdiskId", NULL };
	if (svc_unsupported(x, kernel, "the image's own kernel and ramdisk are used") ||
	    svc_only_value(x, "Architecture", "x86_64|i386|arm64", "only x86_64 images") ||
	    svc_only_value(x, "VirtualizationType", "paravirtual|hvm", "only paravirtual images"))
		return -1;
	/* the root device answered for an image: /dev/sda1, or /dev/xvda for EBS */
	const char *rdn = svc_param(x, "RootDeviceName");
	if (rdn && strcmp(rdn, "/dev/sda1") && strcmp(rdn, "/dev/xvda"))
		return svc_fail(x, 400, "Unsupported",
				"RootDeviceName=%.100s is not supported: the root device is /dev/sda1 (or /dev/xvda for EBS)", rdn);
	const char *loc = svc_param(x, "ImageLocation");
	if (loc) {
		const char *rt = svc_param(x, "RootDeviceType");
		if (rt && strcmp(rt, "instance-store"))
			return svc_fail(x, 400, "InvalidParameterCombination",
					"ImageLocation registers an instance-store image; RootDeviceType is '%s'", rt);
		size_t n = strlen(loc);
		if (!n || n > 1024 || loc[0] == '/' || n < 13 || strcmp(loc + n - 13, ".manifest.xml"))
			return svc_fail(x, 400, "InvalidManifest",
					"Invalid ImageLocation '%.200s': expected BUCKET/PREFIX.manifest.xml", loc);
		if (!*name || !**name) {
			const char *base = strrchr(loc, '/');
			base = base ? base + 1 : loc;
			snprintf(derived, dsz, "%.*s", (int)(strlen(base) - 13), base);
			if (!*derived)
				return svc_fail(x, 400, "InvalidManifest", "Invalid ImageLocation '%.200s'", loc);
			*name = derived;
		}
	}
	for (int i = 1;; i++) {
		const char *d = query_get_nth(x->q, "BlockDeviceMapping", i, "DeviceName");
		const char *v = query_get_nth(x->q, "BlockDeviceMapping", i, "VirtualName");
		if (!d && !v && !query_get_nth(x->q, "BlockDeviceMapping", i, "Ebs.SnapshotId") &&
		    !query_get_nth(x->q, "BlockDeviceMapping", i, "NoDevice"))
			break;
		if (v && (strncmp(v, "ephemeral", 9) || v[9] < '0' || v[9] > '3' || v[10]))
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid value '%s' for BlockDeviceMapping.%d.VirtualName: expected ephemeral0 to ephemeral3",
					v, i);
	}
	return 0;
}

int svc_register_image(struct svc *x)
{
	const char *name = svc_param(x, "Name");
	char derived[130];
	if (register_defaults(x, &name, derived, sizeof derived))
		return -1;
	if (!name && svc_need(x, "Name", &name))
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
				   " root_device, created, region) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				   "ssssdsis", id, x->account, name, desc ? desc : "", platform, root,
				   x->now, x->region);
		if (r == 0)
			break;
		if (r == -1 || tries == 20)
			return svc_fail_store(x);
		struct store_rows *s = store_query(x->st, "SELECT 1 FROM images WHERE owner = ? AND name = ?",
					      "ss", x->account, name);
		int dup = s && store_step(s) == STORE_ROW;
		store_done(s);
		if (dup)
			return svc_fail(x, 400, "InvalidAMIName.Duplicate",
					"AMI name %s is already in use by an AMI you own", name);
	}
	svc_elem(x, "imageId", id);
	return 0;
}

/* the caller's tags, a column of IMAGE_COLS */
#define COL_TAGS 9

static void write_image(struct svc *x, struct store_rows *s)
{
	/* columns: id, owner, name, description, platform, root_device, code, public, tags */
	const char *root = store_text(s, 5);
	svc_open(x, "item");
	svc_elem(x, "imageId", store_text(s, 0));
	svc_elemf(x, "imageLocation", "%s/%s", store_text(s, 1), store_text(s, 2));
	svc_elem(x, "imageState", "available");
	svc_elem(x, "imageOwnerId", store_text(s, 1));
	svc_elem(x, "isPublic", store_int(s, 7) ? "true" : "false");
	svc_product_codes(x, store_text(s, 6));
	svc_elem(x, "architecture", "x86_64");
	svc_elem(x, "imageType", "machine");
	if (store_int(s, 4) == PLATFORM_WINDOWS)
		svc_elem(x, "platform", "windows");
	svc_elem(x, "name", store_text(s, 2));
	if (*store_text(s, 3))
		svc_elem(x, "description", store_text(s, 3));
	svc_elem(x, "rootDeviceType", root);
	svc_elem(x, "rootDeviceName", !strcmp(root, "ebs") ? "/dev/xvda" : "/dev/sda1");
	svc_elem(x, "virtualizationType", "paravirtual");
	svc_elem(x, "hypervisor", "xen");
	svc_write_tag_set(x, store_text(s, COL_TAGS));
	svc_close(x);
}

#define IMAGE_COLS "id, owner, name, description, platform, root_device," \
	" ifnull(product_code, ''), " IMAGE_PUBLIC ", created, " SVC_TAGS_COL("?1", "images.id")
#define IMAGE_CREATED 8

/* DescribeImages' filters: EC2's names for what an image here has. */
static const char *const image_filters[] = { "image-id", "name", "owner-id", "platform",
	"product-code", "product-code.type", "root-device-type", "root-device-name", "state",
	"is-public", "architecture", "image-type", "virtualization-type", "hypervisor",
	"description", "manifest-location", "creation-date", "tag-key", "tag-value", "tag:", NULL };

struct image_row {
	struct store_rows *s;
	char location[200], created[32];
	struct svc_tags tags;
};

static int image_values(void *rec, const char *name, const char **out, int max)
{
	struct image_row *r = rec;
	struct store_rows *s = r->s;
	const char *root = store_text(s, 5), *code = store_text(s, 6), *v = NULL;
	int tags = svc_tag_values(&r->tags, store_text(s, COL_TAGS), name, out, max);
	if (tags >= 0)
		return tags;
	if (!strcmp(name, "image-id")) v = store_text(s, 0);
	else if (!strcmp(name, "name")) v = store_text(s, 2);
	else if (!strcmp(name, "owner-id")) v = store_text(s, 1);
	else if (!strcmp(name, "platform"))
		v = store_int(s, 4) == PLATFORM_WINDOWS ? "windows" : NULL;
	else if (!strcmp(name, "product-code")) v = *code ? code : NULL;
	else if (!strcmp(name, "product-code.type")) v = *code ? "devpay" : NULL;
	else if (!strcmp(name, "root-device-type")) v = root;
	else if (!strcmp(name, "root-device-name")) v = !strcmp(root, "ebs") ? "/dev/xvda" : "/dev/sda1";
	else if (!strcmp(name, "state")) v = "available";
	else if (!strcmp(name, "is-public")) v = store_int(s, 7) ? "true" : "false";
	else if (!strcmp(name, "architecture")) v = "x86_64";
	else if (!strcmp(name, "image-type")) v = "machine";
	else if (!strcmp(name, "virtualization-type")) v = "paravirtual";
	else if (!strcmp(name, "hypervisor")) v = "xen";
	else if (!strcmp(name, "description")) v = store_text(s, 3);
	else if (!strcmp(name, "creation-date"))
		clock_format_wire(store_int64(s, IMAGE_CREATED), r->created), v = r->created;
	else if (!strcmp(name, "manifest-location")) {
		snprintf(r->location, sizeof r->location, "%s/%s", store_text(s, 1), store_text(s, 2));
		v = r->location;
	}
	if (!v)
		return 0;
	out[0] = v;
	return 1;
}

/* An account id as EC2 writes it: twelve digits. */
int svc_is_account_id(const char *s)
{
	if (strlen(s) != 12)
		return 0;
	for (size_t i = 0; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Owner.N and ExecutableBy.N: each list a JSON array of account ids for
 * json_each() (the values checked first, so they need no escaping). */
struct image_scope {
	struct buf owners, exec;
	int n_owners, n_exec, exec_self, exec_all;
};

static int parse_scope(struct svc *x, struct image_scope *sc)
{
	buf_adds(&sc->owners, "[");
	buf_adds(&sc->exec, "[");
	for (int i = 1;; i++) {
		const char *o = query_get_nth(x->q, "Owner", i, NULL);
		if (!o)
			break;
		/* Amazon's own aliases name accounts that own nothing here */
		if (strcmp(o, "self") && strcmp(o, "amazon") && strcmp(o, "aws-marketplace") &&
		    strcmp(o, "microsoft") && !svc_is_account_id(o))
			return svc_fail(x, 400, "InvalidUserID.Malformed",
					"Invalid user id: \"%s\" (expecting self, amazon or a 12-digit account id)", o);
		buf_addf(&sc->owners, "%s\"%s\"", sc->n_owners++ ? "," : "",
			 strcmp(o, "self") ? o : x->account);
	}
	for (int i = 1;; i++) {
		const char *e = query_get_nth(x->q, "ExecutableBy", i, NULL);
		if (!e)
			break;
		sc->n_exec++;
		if (!strcmp(e, "self") || !strcmp(e, x->account))
			sc->exec_self = 1;
		else if (!strcmp(e, "all"))
			sc->exec_all = 1;
		else if (svc_is_account_id(e))
			buf_addf(&sc->exec, "%s\"%s\"", buf_str(&sc->exec)[1] ? "," : "", e);
		else
			return svc_fail(x, 400, "InvalidUserID.Malformed",
					"Invalid user id: \"%s\" (expecting self, all or a 12-digit account id)", e);
	}
	buf_adds(&sc->owners, "]");
	buf_adds(&sc->exec, "]");
	return 0;
}

/* The images the caller may see, narrowed by the scope (and to one id when
 * id is not NULL): an owner list keeps those images' owners; an executable
 * list keeps, for self, the caller's images and those granted to it, for
 * all, the public ones, for an account, the caller's images granted to it. */
static struct store_rows *scope_query(struct svc *x, const struct image_scope *sc, const char *id,
				      const char *after_time, const char *after_id)
{
	return store_query(x->st, "SELECT " IMAGE_COLS " FROM images WHERE " IMAGE_VISIBLE_TO("?1", "?11")
			   " AND (?2 = 0 OR images.owner IN (SELECT value FROM json_each(?3)))"
			   " AND (?4 = 0"
			   "  OR (?5 AND (images.owner = ?1 OR EXISTS (SELECT 1 FROM launch_permissions lp"
			   "      WHERE lp.image = images.id AND lp.grantee = ?1)))"
			   "  OR (?6 AND " IMAGE_PUBLIC ")"
			   "  OR (images.owner = ?1 AND EXISTS (SELECT 1 FROM launch_permissions lp"
			   "      WHERE lp.image = images.id AND lp.grantee IN (SELECT value FROM json_each(?7)))))"
			   " AND (?8 IS NULL OR images.id = ?8)"
			   " AND (?9 IS NULL OR images.created > CAST(?9 AS BIGINT)"
			   "  OR (images.created = CAST(?9 AS BIGINT) AND images.id > ?10))"
			   " ORDER BY images.created, images.id",
			   "sdsdddsssss", x->account, sc->n_owners, buf_str(&sc->owners), sc->n_exec,
			   sc->exec_self, sc->exec_all, buf_str(&sc->exec), id, after_time, after_id,
			   x->region);
}

/* A page's position: the last image written (creation time, id). */
static int parse_after(const char *after, char *t, size_t tsz, char *id, size_t isz)
{
	long long v;
	int n = 0;
	char i[40];
	if (sscanf(after, "%lld/%39[a-z0-9-]%n", &v, i, &n) != 2 || after[n] || v < 0 ||
	    !svc_valid_id(i, "ami-"))
		return -1;
	snprintf(t, tsz, "%lld", v);
	snprintf(id, isz, "%s", i);
	return 0;
}

static int write_scope(struct svc *x, const struct image_scope *sc, const char *id,
		       const struct filter_set *fs, const struct svc_page *page)
{
	char t[24], after[40];
	if (*page->after && parse_after(page->after, t, sizeof t, after, sizeof after))
		return svc_fail(x, 400, "InvalidParameterValue", "Invalid value '%s' for nextToken",
				svc_param(x, "NextToken"));
	struct store_rows *s = scope_query(x, sc, id, *page->after ? t : NULL,
					   *page->after ? after : NULL);
	if (!s)
		return svc_fail_store(x);
	int rc;
	long written = 0;
	char last[80] = "";
	while ((rc = store_step(s)) == STORE_ROW) {
		struct image_row r = { .s = s };
		int match = filter_match(fs, image_values, &r);
		svc_tags_release(&r.tags);
		if (!match)
			continue;
		if (page->max && written == page->max)
			break;
		write_image(x, s);
		written++;
		snprintf(last, sizeof last, "%lld/%s", (long long)store_int64(s, IMAGE_CREATED),
			 store_text(s, 0));
	}
	store_done(s);
	if (rc == STORE_ROW) {
		svc_close(x); /* imagesSet */
		svc_page_token(x, "images", last);
		return 1;
	}
	return rc == STORE_DONE ? 0 : svc_fail_store(x);
}

/* Without ids, every image the caller may see, within the scope; with ids,
 * each must be one the caller may see (another account's private image
 * does not exist for it), and those within the scope are answered. */
int svc_describe_images(struct svc *x)
{
	struct filter_set fs = FILTER_SET_INIT;
	struct svc_page page, whole = { 0, 0, "" };
	if (svc_filters_absent(x, image_filters, image_filters_absent, &fs))
		return -1;
	if (svc_page_parse(x, "images", 1, 1000, SVC_PAGE_CAP, &page)) {
		filter_release(&fs);
		return -1;
	}
	if (query_get_nth(x->q, "ImageId", 1, NULL) && (page.asked || *page.after)) {
		filter_release(&fs);
		return svc_fail(x, 400, "InvalidParameterCombination",
				"The parameter ImageId cannot be used with the parameter %s",
				page.asked ? "MaxResults" : "NextToken");
	}
	static const char *const flags[] = { "IncludeDeprecated", "IncludeDisabled" };
	for (int i = 0; i < 2; i++) {
		/* no image here is deprecated or disabled: either way, the same */
		const char *v = svc_param(x, flags[i]);
		if (v && strcmp(v, "true") && strcmp(v, "false")) {
			filter_release(&fs);
			return svc_fail(x, 400, "InvalidParameterValue",
					"Invalid value '%.80s' for %s: expected true or false", v, flags[i]);
		}
	}
	struct image_scope sc = { BUF_INIT, BUF_INIT, 0, 0, 0, 0 };
	int r = parse_scope(x, &sc), paged = 0;
	svc_open(x, "imagesSet");
	for (int i = 1; r == 0; i++) {
		const char *id = query_get_nth(x->q, "ImageId", i, NULL);
		if (!id) {
			if (i == 1) {
				r = write_scope(x, &sc, NULL, &fs, &page);
				paged = r == 1;
				r = r == 1 ? 0 : r;
			}
			break;
		}
		struct svc_image im;
		r = svc_visible_image(x, id, &im);
		if (r == 0)
			r = write_scope(x, &sc, id, &fs, &whole);
	}
	if (!paged)
		svc_close(x);
	buf_release(&sc.owners);
	buf_release(&sc.exec);
	filter_release(&fs);
	return r;
}

/* The owner's only. The row stays, so that instances still name their
 * image and the id is never handed out again; the name is freed for the
 * owner's next registration. Instances keep running with their product
 * code, subscriptions and bills are untouched. */
int svc_deregister_image(struct svc *x)
{
	const char *id;
	if (svc_need(x, "ImageId", &id))
		return -1;
	struct svc_image im;
	if (svc_own_image(x, id, &im, "to deregister it"))
		return -1;
	/* its tags, every account's, go with it */
	if (store_exec(x->st, "UPDATE images SET deregistered = ?, name = char(1) || id || char(1) || name"
		       " WHERE id = ?", "is", x->now, id) ||
	    store_exec(x->st, "DELETE FROM tags WHERE resource = ?", "s", id))
		return svc_fail_store(x);
	svc_elem(x, "return", "true");
	return 0;
}
