/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "client/output.h"

#define COLS(...) ((const char *const[]){ __VA_ARGS__, NULL })

const struct record_layout REC_PRODUCT = { "PRODUCT", COLS("ProductCode", "Name", "Owner",
	"Platforms", "Regions", "OneTimeFee", "MonthlyFee", "ProductToken", "PurchaseUrl",
	"Description") };
const struct record_layout REC_PRICE = { "PRICE", COLS("ProductCode", "InstanceType",
	"HourlyPrice", "Effective", "Platform", "Region") };
const struct record_layout REC_PENDING = { "PENDING", COLS("ProductCode", "Effective",
	"Platforms", "Regions", "OneTimeFee", "MonthlyFee") };
const struct record_layout REC_SUBSCRIPTION = { "SUBSCRIPTION", COLS("ProductCode",
	"Account", "State", "Start", "End") };
/* devpay-describe-subscriptions: the SUBSCRIPTION fields, then the
 * instances of the product the account runs now */
const struct record_layout REC_SUBSCRIPTION_INFO = { "SUBSCRIPTION", COLS("ProductCode",
	"Account", "State", "Start", "End", "RunningInstances") };
const struct record_layout REC_IMAGE = { "IMAGE", COLS("ImageId", "Location", "Owner",
	"State", "Visibility", "ProductCodes", "Architecture", "ImageType", "KernelId",
	"RamdiskId", "Platform", "RootDeviceType", "VirtualizationType", "Hypervisor"),
	"Type\tImageID\tName\tOwner\tState\tAccessibility\tProductCodes\tArchitecture"
	"\tImageType\tKernelId\tRamdiskId\tPlatform\tRootDeviceType\tVirtualizationType"
	"\tHypervisor" };
const struct record_layout REC_IMAGE_ATTR = { "productCodes", COLS("ImageId", "Attribute",
	"Value") };
const struct record_layout REC_PC_MODIFY = { "productCodes", COLS("ImageId", "Operation",
	"Attribute", "Value") };
const struct record_layout REC_LP_MODIFY = { "launchPermission", COLS("ImageId", "Operation",
	"Attribute", "Value") };
const struct record_layout REC_LP = { "launchPermission", COLS("ImageId", "Attribute",
	"Value") };
const struct record_layout REC_LP_RESET = { "launchPermission", COLS("ImageId", "Operation") };
const struct record_layout REC_REGION = { "REGION", COLS("Region", "Endpoint") };
const struct record_layout REC_ZONE = { "AVAILABILITYZONE", COLS("Zone", "State", "Region",
	"Messages") };
const struct record_layout REC_RESERVATION = { "RESERVATION", COLS("ReservationId",
	"Owner", "Groups"), "Type\tReservationID\tOwner\tGroups\tPlatform" };
const struct record_layout REC_INSTANCE = { "INSTANCE", COLS("InstanceId", "ImageId",
	"PublicDNS", "PrivateDNS", "State", "KeyName", "LaunchIndex", "ProductCodes",
	"InstanceType", "LaunchTime", "AvailabilityZone", "KernelId", "RamdiskId", "Platform",
	"Monitoring", "PublicIP", "PrivateIP", "VpcId", "SubnetId", "RootDeviceType",
	"Lifecycle", "SpotRequestId", "LicensePool", "PlacementGroup", "VirtualizationType",
	"Hypervisor", "ClientToken", "SecurityGroupIds", "Tenancy", "EbsOptimized",
	"IamProfile") };
const struct record_layout REC_TERMINATE = { "INSTANCE", COLS("InstanceId",
	"PreviousState", "CurrentState") };
const struct record_layout REC_CONFIRM = { NULL, COLS("ProductCode", "InstanceId",
	"Result", "Owner") };
const struct record_layout REC_OFFERING = { "OFFERING", COLS("OfferingId",
	"AvailabilityZone", "InstanceType", "Duration", "FixedPrice", "UsagePrice",
	"ProductDescription", "Currency", "Tenancy", "OfferingType"),
	"Type\tReservedInstancesOfferingId\tAvailabilityZone\tInstanceType\tDuration\tFixedPrice"
	"\tUsagePrice\tProductDescription\tCurrency\tInstanceTenancy\tOfferingType" };
const struct record_layout REC_RESERVED = { "RESERVEDINSTANCES", COLS("ReservedInstancesId",
	"AvailabilityZone", "InstanceType", "ProductDescription", "Duration", "FixedPrice",
	"UsagePrice", "InstanceCount", "Start", "State", "Currency", "Tenancy",
	"OfferingType"),
	"Type\tReservedInstancesId\tAvailabilityZone\tInstanceType\tProductDescription\tDuration"
	"\tFixedPrice\tUsagePrice\tInstanceCount\tStart\tState\tCurrency\tInstanceTenancy"
	"\tOfferingType" };
const struct record_layout REC_REQUEST = { "REQUEST", COLS("RequestId") };
/* key pairs: ec2-add-keypair, ec2-import-keypair, ec2-describe-keypairs;
 * ec2-delete-keypair prints the name alone */
const struct record_layout REC_KEYPAIR = { "KEYPAIR", COLS("KeyName", "Fingerprint") };
const struct record_layout REC_KEYPAIR_NAME = { "KEYPAIR", COLS("KeyName") };
/* ec2-add-keypair with --output json or csv: the private key is a field of
 * the record (text prints it on the lines after the record) */
const struct record_layout REC_KEYPAIR_MATERIAL = { "KEYPAIR", COLS("KeyName", "Fingerprint",
	"KeyMaterial") };
/* issue 20: ec2-describe-instance-attribute (the attribute's name leads:
 * "instanceType", "userData", ...) and ec2-describe-instance-status */
const struct record_layout REC_INSTANCE_ATTR = { NULL, COLS("Attribute", "InstanceId",
	"Value") };
const struct record_layout REC_BLOCKDEVICE = { "BLOCKDEVICE", COLS("DeviceName", "VolumeId",
	"AttachTime", "DeleteOnTermination") };
const struct record_layout REC_INSTANCE_STATUS = { "INSTANCE", COLS("InstanceId",
	"AvailabilityZone", "StateName", "StateCode", "InstanceStatus", "SystemStatus",
	"RetirementStatus", "RetirementDate") };
const struct record_layout REC_SYSTEMSTATUS = { "SYSTEMSTATUS", COLS("Name", "Status",
	"ImpairedSince") };
const struct record_layout REC_INSTANCESTATUS = { "INSTANCESTATUS", COLS("Name", "Status",
	"ImpairedSince") };
/* security groups: ec2-add-group's GROUP, ec2-describe-group's GROUP (and
 * ec2-authorize's, with what the command line named), PERMISSION from a
 * CIDR range or from a group (USER, owner, "NAME name", "ID sg-..."; one of
 * NAME and ID when the command line named only one), RETURN */
const struct record_layout REC_GROUP_ADD = { "GROUP", COLS("GroupId", "GroupName",
	"Description") };
const struct record_layout REC_GROUP = { "GROUP", COLS("GroupId", "Owner", "GroupName",
	"Description", "VpcId") };
const struct record_layout REC_PERMISSION_CIDR = { "PERMISSION", COLS("Owner", "GroupName",
	"Rule", "Protocol", "FromPort", "ToPort", "Direction", "SourceType", "Cidr", "Flow") };
const struct record_layout REC_PERMISSION_GROUP = { "PERMISSION", COLS("Owner", "GroupName",
	"Rule", "Protocol", "FromPort", "ToPort", "Direction", "SourceType", "UserId",
	"SourceGroupName", "SourceGroupId", "Flow") };
const struct record_layout REC_PERMISSION_GROUP1 = { "PERMISSION", COLS("Owner", "GroupName",
	"Rule", "Protocol", "FromPort", "ToPort", "Direction", "SourceType", "UserId",
	"SourceGroup", "Flow") };
const struct record_layout REC_RETURN = { "RETURN", COLS("Return") };
/* ec2-create-tags, ec2-delete-tags, ec2-describe-tags, and after each
 * INSTANCE and IMAGE record of the describe commands */
const struct record_layout REC_TAG = { "TAG", COLS("ResourceType", "ResourceId", "Key",
	"Value") };

static struct out_writer writer;
static int started, ended;

static void out_end(void)
{
	if (!started || ended)
		return;
	ended = 1;
	struct buf b = BUF_INIT;
	out_write_end(&b, &writer);
	fwrite(b.p ? b.p : "", 1, b.len, stdout);
	buf_release(&b);
}

void out_start(const struct dp_config *cfg)
{
	if (started)
		return;
	writer.fmt = cfg->output;
	writer.headers = cfg->headers;
	writer.show_empty = cfg->show_empty;
	started = 1;
	/* registered after cli_init's check of standard output, so it runs
	 * before it */
	atexit(out_end);
}

void out_usage_error(void)
{
	if (!writer.nrecords)
		ended = 1;
}

void out_no_records(void)
{
	ended = 1;
}

void out_record(const struct dp_config *cfg, const struct record_layout *l,
		const char *const *fields)
{
	out_start(cfg);
	struct buf b = BUF_INIT;
	out_write_record(&b, &writer, l, fields);
	fwrite(b.p, 1, b.len, stdout);
	buf_release(&b);
}
