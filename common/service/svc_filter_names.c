/* SPDX-License-Identifier: Apache-2.0 */
/* The filter names EC2 documents (API version 2016-11-15, as the AWS
 * CLI and the SDKs send them) about what this service does not have: VPC
 * networking, EBS volumes, IAM, spot, capacity reservations, ... A filter
 * on one of them is accepted, and no record matches it, as such a filter
 * matches nothing for an EC2-Classic instance. Names a handler knows are in
 * its own list, beside its values. */
#include <stddef.h>
#include "service/svc.h"

/* DescribeInstances */
const char *const instance_filters_absent[] = {
	"affinity", "availability-zone-id", "block-device-mapping.attach-time",
	"block-device-mapping.delete-on-termination", "block-device-mapping.device-name",
	"block-device-mapping.status", "block-device-mapping.volume-id", "boot-mode",
	"capacity-reservation-id",
	"capacity-reservation-specification.capacity-reservation-preference",
	"capacity-reservation-specification.capacity-reservation-target.capacity-reservation-id",
	"capacity-reservation-specification.capacity-reservation-target.capacity-reservation-resource-group-arn",
	"current-instance-boot-mode", "dns-name", "ena-support", "enclave-options.enabled",
	"hibernation-options.configured", "host-id", "iam-instance-profile.arn",
	"iam-instance-profile.id", "instance-lifecycle", "ip-address", "ipv6-address",
	"kernel-id", "maintenance-options.auto-recovery", "metadata-options.http-endpoint",
	"metadata-options.http-protocol-ipv4", "metadata-options.http-protocol-ipv6",
	"metadata-options.http-put-response-hop-limit", "metadata-options.http-tokens",
	"metadata-options.instance-metadata-tags", "metadata-options.state",
	"network-interface.addresses.association.allocation-id",
	"network-interface.addresses.association.association-id",
	"network-interface.addresses.association.carrier-ip",
	"network-interface.addresses.association.customer-owned-ip",
	"network-interface.addresses.association.ip-owner-id",
	"network-interface.addresses.association.public-dns-name",
	"network-interface.addresses.association.public-ip",
	"network-interface.addresses.primary", "network-interface.addresses.private-dns-name",
	"network-interface.addresses.private-ip-address",
	"network-interface.association.allocation-id",
	"network-interface.association.association-id",
	"network-interface.association.carrier-ip",
	"network-interface.association.customer-owned-ip",
	"network-interface.association.ip-owner-id",
	"network-interface.association.public-dns-name",
	"network-interface.association.public-ip", "network-interface.attachment.attach-time",
	"network-interface.attachment.attachment-id",
	"network-interface.attachment.delete-on-termination",
	"network-interface.attachment.device-index", "network-interface.attachment.instance-id",
	"network-interface.attachment.instance-owner-id",
	"network-interface.attachment.network-card-index",
	"network-interface.attachment.status", "network-interface.availability-zone",
	"network-interface.deny-all-igw-traffic", "network-interface.description",
	"network-interface.group-id", "network-interface.group-name",
	"network-interface.ipv4-prefixes.ipv4-prefix", "network-interface.ipv6-address",
	"network-interface.ipv6-addresses.ipv6-address",
	"network-interface.ipv6-addresses.is-primary-ipv6", "network-interface.ipv6-native",
	"network-interface.ipv6-prefixes.ipv6-prefix", "network-interface.mac-address",
	"network-interface.network-interface-id", "network-interface.operator.managed",
	"network-interface.operator.principal", "network-interface.outpost-arn",
	"network-interface.owner-id", "network-interface.private-dns-name",
	"network-interface.private-ip-address", "network-interface.public-dns-name",
	"network-interface.requester-id", "network-interface.requester-managed",
	"network-interface.status", "network-interface.source-dest-check",
	"network-interface.subnet-id", "network-interface.tag-key",
	"network-interface.tag-value", "network-interface.vpc-id",
	"network-performance-options.bandwidth-weighting", "operator.managed",
	"operator.principal", "outpost-arn", "placement-group-name",
	"placement-partition-number",
	"private-dns-name-options.enable-resource-name-dns-a-record",
	"private-dns-name-options.enable-resource-name-dns-aaaa-record",
	"private-dns-name-options.hostname-type", "ramdisk-id", "requester-id",
	"source-dest-check", "spot-instance-request-id", "state-reason-code",
	"state-reason-message", "subnet-id", "tpm-support", "usage-operation-update-time",
	"vpc-id", NULL };

/* DescribeImages */
const char *const image_filters_absent[] = {
	"block-device-mapping.delete-on-termination", "block-device-mapping.device-name",
	"block-device-mapping.snapshot-id", "block-device-mapping.volume-size",
	"block-device-mapping.volume-type", "block-device-mapping.encrypted", "ena-support",
	"free-tier-eligible", "image-allowed", "kernel-id", "owner-alias", "ramdisk-id",
	"source-image-id", "source-image-region", "source-instance-id", "state-reason-code",
	"state-reason-message", "sriov-net-support", NULL };
