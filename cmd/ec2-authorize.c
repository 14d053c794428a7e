/* SPDX-License-Identifier: Apache-2.0 */
/* ec2-authorize: add ingress rules to a security group (Action
 * AuthorizeSecurityGroupIngress); common/client/groups.c does the work it
 * shares with ec2-revoke. */
#include "client/groups.h"

int main(int argc, char **argv)
{
	return group_rule_main(argc, argv, "ec2-authorize", "AuthorizeSecurityGroupIngress",
			       "Allow traffic into the instances of a security group.");
}
