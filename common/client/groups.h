/* SPDX-License-Identifier: Apache-2.0 */
/* Security groups on the client side: the GROUP and PERMISSION records of
 * ec2-describe-group, and ec2-authorize and ec2-revoke, which take the same
 * options and print the same records. */
#ifndef DP_GROUPS_H
#define DP_GROUPS_H
#include "client/client.h"

/* A GROUP record per group of a <securityGroupInfo>, each followed by a
 * PERMISSION record per source of each of its rules. */
void print_security_groups(const struct dp_config *cfg, const xmlNode *info);
/* Adds GROUP as GroupName, or as GroupId when it starts with "sg-"; name is
 * "GroupName" or a prefix such as "SecurityGroup" (then NAME.index). */
void group_param(struct query *q, const char *name_param, const char *id_param, int index,
		 const char *group);
/* The whole of ec2-authorize (action AuthorizeSecurityGroupIngress) and
 * ec2-revoke (RevokeSecurityGroupIngress). */
int group_rule_main(int argc, char **argv, const char *prog, const char *action,
		    const char *summary);

#endif
