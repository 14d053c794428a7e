/* SPDX-License-Identifier: Apache-2.0 */
/* An image's attributes: its product code, launch permissions and
 * description (Modify/Describe/ResetImageAttribute). */
#include <stdio.h>
#include <string.h>
#include "service/svc.h"
#include "service/svc_images_int.h"

/* One change to an image's launch permissions. */
struct lp_change {
	int add;
	const char *grantee; /* an account id, or "all" */
};
#define LP_MAX 100

static int lp_item(struct svc *x, struct lp_change *v, int *n, int add, const char *user,
		   const char *group)
{
	if (*n == LP_MAX)
		return svc_fail(x, 400, "InvalidParameterValue",
				"Too many launch permission changes in one request (at most %d)", LP_MAX);
	if (user && group)
		return svc_fail(x, 400, "InvalidParameterCombination",
				"A launch permission names a UserId or a Group, not both");
	if (user && !svc_is_account_id(user))
		return svc_fail(x, 400, "InvalidAMIAttributeItemValue",
				"Invalid attribute item value \"%s\" for userId item type: expected a 12-digit account id",
				user);
	if (group && strcmp(group, "all"))
		return svc_fail(x, 400, "InvalidAMIAttributeItemValue",
				"Invalid attribute item value \"%s\" for group item type: expected all", group);
	v[(*n)++] = (struct lp_change){ add, user ? user : group };
	return 0;
}

/* LaunchPermission.Add.N.UserId|Group and LaunchPermission.Remove.N.*, or
 * the older OperationType=add|remove with UserId.N and UserGroup.N. */
static int parse_lp(struct svc *x, struct lp_change *v, int *n)
{
	static const char *const ops[] = { "LaunchPermission.Add", "LaunchPermission.Remove" };
	*n = 0;
	for (int o = 0; o < 2; o++)
		for (int i = 1;; i++) {
			const char *u = query_get_nth(x->q, ops[o], i, "UserId");
			const char *g = query_get_nth(x->q, ops[o], i, "Group");
			if (!u && !g)
				break;
			if (lp_item(x, v, n, o == 0, u, g))
				return -1;
		}
	const char *op = svc_param(x, "OperationType");
	int legacy = query_get_nth(x->q, "UserId", 1, NULL) || query_get_nth(x->q, "UserGroup", 1, NULL);
	if (!legacy && !(op && *op))
		return 0;
	if (*n)
		return svc_fail(x, 400, "InvalidParameterCombination",
				"Give LaunchPermission, or OperationType with UserId.N and UserGroup.N, not both");
	if (!op || (strcmp(op, "add") && strcmp(op, "remove")))
		return svc_fail(x, 400, "InvalidParameterValue",
				"OperationType must be add or remove (with UserId.N or UserGroup.N)");
	for (int i = 1;; i++) {
		const char *u = query_get_nth(x->q, "UserId", i, NULL);
		if (!u)
			break;
		if (lp_item(x, v, n, !strcmp(op, "add"), u, NULL))
			return -1;
	}
	for (int i = 1;; i++) {
		const char *g = query_get_nth(x->q, "UserGroup", i, NULL);
		if (!g)
			break;
		if (lp_item(x, v, n, !strcmp(op, "add"), NULL, g))
			return -1;
	}
	if (!*n)
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter UserId.1 or UserGroup.1");
	return 0;
}

/* ProductCode.1: the code's rules of DOMAIN.md, the same for a customer's
 * supported AMI and for the owner's own paid AMI. */
static int modify_code(struct svc *x, const char *id, const char *code)
{
	if (query_get_nth(x->q, "ProductCode", 2, NULL))
		return svc_fail(x, 400, "InvalidParameterValue", "An AMI can carry only one product code");
	if (!svc_valid_code(code))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid product code '%s': expected 8 hexadecimal digits", code);
	struct svc_image im;
	if (svc_own_image(x, id, &im, "to associate a product code with it"))
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

/* Grants and revocations, in the order given; adding a grant that exists
 * or removing one that does not changes nothing, as in EC2. */
static int modify_lp(struct svc *x, const char *id, const struct lp_change *v, int n)
{
	struct svc_image im;
	if (svc_own_image(x, id, &im, "to change its launch permissions"))
		return -1;
	for (int i = 0; i < n; i++) {
		int r = v[i].add
			? store_exec(x->st, "INSERT OR IGNORE INTO launch_permissions(image, grantee, created)"
				     " VALUES (?, ?, ?)", "ssi", id, v[i].grantee, x->now)
			: store_exec(x->st, "DELETE FROM launch_permissions WHERE image = ? AND grantee = ?",
				     "ss", id, v[i].grantee);
		if (r)
			return svc_fail_store(x);
	}
	svc_elem(x, "return", "true");
	return 0;
}

int svc_modify_image_attribute(struct svc *x)
{
	const char *id, *code = query_get_nth(x->q, "ProductCode", 1, NULL);
	if (svc_need(x, "ImageId", &id))
		return -1;
	const char *attr = svc_param(x, "Attribute");
	if (attr && !*attr)
		attr = NULL;
	if (attr && strcmp(attr, "productCodes") && strcmp(attr, "launchPermission"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid attribute '%s': expected productCodes or launchPermission", attr);
	struct lp_change v[LP_MAX];
	int n;
	if (parse_lp(x, v, &n))
		return -1;
	if (code && n)
		return svc_fail(x, 400, "InvalidParameterCombination",
				"Modify one attribute at a time: productCodes or launchPermission");
	if (attr && !strcmp(attr, "productCodes") && !code)
		return svc_fail(x, 400, "MissingParameter", "The request must contain the parameter ProductCode.1");
	if (attr && !strcmp(attr, "launchPermission") && !n)
		return svc_fail(x, 400, "MissingParameter",
				"The request must contain the parameter LaunchPermission.Add.1 or LaunchPermission.Remove.1");
	if (code)
		return modify_code(x, id, code);
	if (n)
		return modify_lp(x, id, v, n);
	return svc_fail(x, 400, "InvalidParameterCombination",
			"Nothing to modify: give ProductCode.1, or LaunchPermission.Add.N / LaunchPermission.Remove.N");
}

/* The public group first, then the accounts in the order they were granted. */
static int write_launch_permissions(struct svc *x, const char *id)
{
	struct store_rows *s = store_query(x->st, "SELECT grantee FROM launch_permissions WHERE image = ?"
				      " ORDER BY grantee <> 'all', rowid", "s", id);
	if (!s)
		return svc_fail_store(x);
	svc_open(x, "launchPermission");
	int rc;
	while ((rc = store_step(s)) == STORE_ROW) {
		const char *g = store_text(s, 0);
		svc_open(x, "item");
		svc_elem(x, strcmp(g, "all") ? "userId" : "group", g);
		svc_close(x);
	}
	svc_close(x);
	store_done(s);
	return rc == STORE_DONE ? 0 : svc_fail_store(x);
}

/* Whoever may launch an image may read its product code and description;
 * its launch permissions are its owner's business only. */
int svc_describe_image_attribute(struct svc *x)
{
	const char *id, *attr;
	if (svc_need(x, "ImageId", &id) || svc_need(x, "Attribute", &attr))
		return -1;
	if (strcmp(attr, "productCodes") && strcmp(attr, "launchPermission") && strcmp(attr, "description"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid attribute '%s': expected productCodes, launchPermission or description", attr);
	struct svc_image im;
	if (!strcmp(attr, "launchPermission") ? svc_own_image(x, id, &im, "to read its launch permissions")
					       : svc_visible_image(x, id, &im))
		return -1;
	svc_elem(x, "imageId", id);
	if (!strcmp(attr, "productCodes"))
		svc_product_codes(x, im.code);
	else if (!strcmp(attr, "launchPermission"))
		return write_launch_permissions(x, id);
	else {
		struct store_rows *s = store_query(x->st, "SELECT description FROM images WHERE id = ?", "s", id);
		if (!s || store_step(s) != STORE_ROW) {
			store_done(s);
			return svc_fail_store(x);
		}
		svc_open(x, "description");
		svc_elem(x, "value", store_text(s, 0));
		svc_close(x);
		store_done(s);
	}
	return 0;
}

/* Only launch permissions can be reset: the image becomes private again.
 * A product code stays for good, as in EC2. */
int svc_reset_image_attribute(struct svc *x)
{
	const char *id, *attr;
	if (svc_need(x, "ImageId", &id) || svc_need(x, "Attribute", &attr))
		return -1;
	if (!strcmp(attr, "productCodes"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"The productCodes attribute cannot be reset: a product code stays on its image for good");
	if (strcmp(attr, "launchPermission"))
		return svc_fail(x, 400, "InvalidParameterValue",
				"Invalid attribute '%s': only launchPermission can be reset", attr);
	struct svc_image im;
	if (svc_own_image(x, id, &im, "to reset its launch permissions"))
		return -1;
	if (store_exec(x->st, "DELETE FROM launch_permissions WHERE image = ?", "s", id))
		return svc_fail_store(x);
	svc_elem(x, "return", "true");
	return 0;
}
