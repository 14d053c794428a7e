/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-revoke: remove ingress rules from a security group (Action
 * RevokeSecurityGroupIngress); the options and records are ec2-authorize's
 * (common/client/groups.c). */
#include "client/groups.h"

int main(int argc, char **argv)
{
	return group_rule_main(argc, argv, "ec2-revoke", "RevokeSecurityGroupIngress",
			       "Remove rules of a security group that ec2-authorize added.");
}
