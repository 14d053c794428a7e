/* SPDX-License-Identifier: Apache-2.0 */
/* What the security group files share (svc_groups.c: the groups, their
 * lookups and the default group; svc_group_rules.c: Authorize and Revoke;
 * svc_group_describe.c: DescribeSecurityGroups). Private to them. */
#ifndef DP_SVC_GROUPS_INT_H
#define DP_SVC_GROUPS_INT_H
#include "service/svc.h"

#define SG_NAME_MAX 255         /* bytes of a name or description (ASCII) */
#define SG_DEFAULT_DESCRIPTION "default group"

/* A group: its id, owner and name. */
struct sg {
	char id[32], owner[16], name[SG_NAME_MAX + 1];
};

/* The default group's id of account in region: "sg-" and 17 hex digits,
 * always the same for them. */
void sg_default_id(const char *account, const char *region, char out[32]);
/* The default group of owner in the caller's region, stored (with its three
 * rules) when it is not yet: 0, or -1 refused. Only in an Action that writes. */
int sg_ensure_default(struct svc *x, const char *owner, struct sg *g);
/* A group of owner in the caller's region, by name or by id (one of them
 * non-NULL); the default group is stored on the way when it is not yet.
 * 1 found, 0 not, -1 refused. Only in an Action that writes. */
int sg_find(struct svc *x, const char *owner, const char *name, const char *id, struct sg *g);
/* The group an Action acts on: GroupName or GroupId, the caller's: 0, or -1
 * refused (MissingParameter, InvalidGroup.NotFound, ...). */
int sg_target(struct svc *x, struct sg *g);
/* InvalidGroup.NotFound for what the request named; InvalidGroupId.Malformed. */
int sg_not_found(struct svc *x, const char *what);
int sg_malformed_id(struct svc *x, const char *id);
/* A whole number in [min, max] from text: 0, or -1. */
int sg_parse_int(const char *s, int min, int max, int *out);

#endif
