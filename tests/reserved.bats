#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Reserved Instances: offerings, purchases, and the discount they give on the
# bill: plain EC2 instances only, never an instance of a supported AMI.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	fresh_store
	export DEVPAY_NOW=2010-01-01T00:00:00Z
}

mask() {
	# the UUIDs first: one's last group may be 12 digits, an account's shape
	sed -E -e 's/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/UUID/g' \
		-e 's/\b[0-9]{12}\b/ACCOUNT/g' -e "s/${CODE:-NOCODE}/CODE/g" | tr '\t' '|'
}

offering() { # offering TYPE PLATFORM-WORD: the first offering id that matches
	as_customer ec2-describe-reserved-instances-offerings -t "$1" |
		awk -F'\t' -v p="$2" 'tolower($0) ~ p {print $2; exit}'
}

@test "offerings: one per type, platform and zone of the region, from the rate table" {
	run --separate-stderr as_customer ec2-describe-reserved-instances-offerings -t m1.small
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 10
	assert_equal "$(printf '%s\n' "${lines[0]}" | mask)" \
		"OFFERING|UUID|us-east-1a|m1.small|1y|227.50|0.03|Linux/UNIX|USD|default|Medium Utilization"
	assert_equal "$(printf '%s\n' "${lines[5]}" | mask)" \
		"OFFERING|UUID|us-east-1a|m1.small|1y|227.50|0.05|Windows|USD|default|Medium Utilization"
	run as_customer ec2-describe-reserved-instances-offerings
	assert_equal "${#lines[@]}" 70
	run as_customer ec2-describe-reserved-instances-offerings -t m1.large -d windows -z us-east-1c
	assert_equal "$(printf '%s\n' "$output" | mask)" \
		"OFFERING|UUID|us-east-1c|m1.large|1y|910.00|0.20|Windows|USD|default|Medium Utilization"
}

@test "offerings: ids are the same in every store and select one offering" {
	local id
	id=$(offering m1.small linux)
	[ -n "$id" ]
	export DEVPAY_STORE="$BATS_TEST_TMPDIR/other.db"
	assert_equal "$(offering m1.small linux)" "$id"
	run as_other ec2-describe-reserved-instances-offerings -o "$id"
	assert_equal "${#lines[@]}" 1
	assert_equal "$(printf '%s\n' "$output" | cut -f2-4)" "$(printf '%s\tus-east-1a\tm1.small' "$id")"
	# another region has other ids
	run as_other ec2-describe-reserved-instances-offerings -t m1.small --region eu-west-1
	refute_output --partial "$id"
	assert_line --index 0 --partial "eu-west-1a"
}

@test "offerings: bad filters are usage errors" {
	usage_refused as_customer ec2-describe-reserved-instances-offerings -t m9.huge
	usage_refused as_customer ec2-describe-reserved-instances-offerings -d solaris
	usage_refused as_customer ec2-describe-reserved-instances-offerings extra
	usage_refused as_customer ec2-describe-reserved-instances-offerings --bogus
}

@test "offerings and purchases in a region that does not exist are refused, store unchanged" {
	local id before
	id=$(offering m1.small linux)
	as_customer ec2-describe-instances >/dev/null	# the customer's account exists
	before=$(store_sum)
	# the client refuses a region it does not know before sending anything
	usage_refused as_customer ec2-describe-reserved-instances-offerings --region mars-1
	assert_equal "${stderr%%$'\n'*}" "ec2-describe-reserved-instances-offerings: unknown region 'mars-1': expected one of us-east-1, us-west-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1"
	usage_refused as_customer ec2-purchase-reserved-instances-offering --region mars-1 -o "$id" -c 1
	# devpayd refuses a request signed for it anyway, as EC2 does, before
	# the service sees it
	assert_equal "$(store_sum)" "$before"
	serve_signed
	before=$(store_sum)
	# (named as a region it does not serve, not as a wrong secret)
	refused 1 InvalidRegion as_customer signed mars-1 \
		Action=DescribeReservedInstancesOfferings Version=2016-11-15
	assert_equal "$stderr" "Client.InvalidRegion: The request is signed for region 'mars-1', which this service does not serve; it serves us-east-1, us-west-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1"
	refused 1 InvalidRegion as_customer signed mars-1 \
		Action=PurchaseReservedInstancesOffering Version=2016-11-15 \
		ReservedInstancesOfferingId="$id" InstanceCount=1
	assert_equal "$(store_sum)" "$before"
}

@test "purchase: prints the reservation; describe lists it, active then retired" {
	local id
	id=$(offering m1.small linux)
	run --separate-stderr as_customer ec2-purchase-reserved-instances-offering -o "$id" -c 2
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(printf '%s\n' "$output" | mask)" \
		"RESERVEDINSTANCES|UUID|us-east-1a|m1.small|Linux/UNIX|1y|227.50|0.03|2|2010-01-01T00:00:00+0000|active|USD|default|Medium Utilization"
	local rid
	rid=$(printf '%s\n' "$output" | cut -f2)
	run as_customer ec2-describe-reserved-instances
	assert_equal "$(printf '%s\n' "$output" | cut -f2)" "$rid"
	run as_customer ec2-describe-reserved-instances "$rid"
	assert_equal "${#lines[@]}" 1
	run as_customer ec2-describe-reserved-instances 00000000-0000-0000-0000-000000000000
	assert_output ""
	# one year later the term is over
	run at 2011-01-01T00:00:00Z as_customer ec2-describe-reserved-instances
	assert_equal "$(printf '%s\n' "$output" | cut -f11)" retired
	# nobody else sees it
	run as_other ec2-describe-reserved-instances
	assert_output ""
}

@test "purchase: unknown offering refused, counts checked, store unchanged" {
	as_customer ec2-describe-reserved-instances >/dev/null
	local before id
	before=$(store_sum)
	id=$(offering m1.small linux)
	refused 1 InvalidReservedInstancesOfferingId as_customer ec2-purchase-reserved-instances-offering \
		-o 00000000-0000-0000-0000-000000000000 -c 1
	# an offering of another region is not for sale here
	refused 1 InvalidReservedInstancesOfferingId as_customer ec2-purchase-reserved-instances-offering \
		-o "$id" -c 1 --region eu-west-1
	usage_refused as_customer ec2-purchase-reserved-instances-offering -o "$id" -c 0
	usage_refused as_customer ec2-purchase-reserved-instances-offering -o "$id" -c 21
	usage_refused as_customer ec2-purchase-reserved-instances-offering -o "$id"
	usage_refused as_customer ec2-purchase-reserved-instances-offering -c 1
	assert_equal "$(store_sum)" "$before"
}

@test "a Reserved Instance discounts a plain instance, never a supported AMI's" {
	CODE=$(as_owner devpay-register-product --name RI --platform linux --instance-type m1.small=0.20 | code_of)
	local sup plain i j k
	sup=$(as_customer ec2-register sup --platform linux | ami_of)
	as_customer ec2-associate-product-code "$sup" -p "$CODE" >/dev/null
	as_customer devpay-purchase-product "$CODE" >/dev/null
	plain=$(as_customer ec2-register plain --platform linux | ami_of)
	as_customer ec2-purchase-reserved-instances-offering -o "$(offering m1.small linux)" -c 1 >/dev/null
	# at the same hours: the supported AMI, and two plain instances of which
	# one fits the reservation
	i=$(at 2010-01-10T00:00:00Z as_customer ec2-run-instances "$sup" -t m1.small | inst_of)
	j=$(at 2010-01-10T00:00:00Z as_customer ec2-run-instances "$plain" -t m1.small | inst_of)
	k=$(at 2010-01-10T00:10:00Z as_customer ec2-run-instances "$plain" -t m1.small | inst_of)
	at 2010-01-10T10:00:00Z as_customer ec2-terminate-instances "$i" "$j" >/dev/null
	at 2010-01-10T04:00:00Z as_customer ec2-terminate-instances "$k" >/dev/null
	run --separate-stderr at 2010-02-01T00:00:00Z as_customer devpay-bill --period 2010-01
	assert_success
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"BILL|ACCOUNT|2010-01|2010-01-01T00:00:00+0000|2010-02-01T00:00:00+0000|customer|
CHARGE|CODE|usage|us-east-1 Linux/UNIX m1.small|10|0.20|2.00
TOTAL|CODE|RI|2.00
CHARGE|EC2|ri-fee|us-east-1a Linux/UNIX m1.small 1-year, bought 2010-01-01|1|227.50|227.50
CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX m1.small on-demand|4|0.10|0.40
CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX m1.small reserved|10|0.03|0.30
TOTAL|EC2|Amazon EC2|228.20
TOTAL|ALL|total|230.20"
	# February: no fee again, the reservation still applies
	j=$(at 2010-02-02T00:00:00Z as_customer ec2-run-instances "$plain" -t m1.small | inst_of)
	at 2010-02-02T01:00:00Z as_customer ec2-terminate-instances "$j" >/dev/null
	run at 2010-03-01T00:00:00Z as_customer devpay-bill --period 2010-02
	assert_equal "$(printf '%s\n' "$output" | grep '^CHARGE' | mask)" \
		"CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX m1.small reserved|1|0.03|0.03"
}

@test "a Reserved Instance does not cover another type or platform" {
	local lin win
	lin=$(as_customer ec2-register lin --platform linux | ami_of)
	win=$(as_customer ec2-register win --platform windows | ami_of)
	as_customer ec2-purchase-reserved-instances-offering -o "$(offering m1.small windows)" -c 1 >/dev/null
	local i j
	i=$(at 2010-01-10T00:00:00Z as_customer ec2-run-instances "$lin" -t m1.small | inst_of)
	j=$(at 2010-01-10T00:00:00Z as_customer ec2-run-instances "$win" -t m1.large | inst_of)
	at 2010-01-10T01:00:00Z as_customer ec2-terminate-instances "$i" "$j" >/dev/null
	run at 2010-02-01T00:00:00Z as_customer devpay-bill --period 2010-01
	assert_equal "$(printf '%s\n' "$output" | grep '^CHARGE' | grep ec2-usage | mask)" \
"CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX m1.small on-demand|1|0.10|0.10
CHARGE|EC2|ec2-usage|us-east-1 Windows m1.large on-demand|1|0.50|0.50"
}

@test "reserved commands: --help and unknown options" {
	local c
	for c in ec2-describe-reserved-instances-offerings ec2-purchase-reserved-instances-offering \
		ec2-describe-reserved-instances; do
		run --separate-stderr "$c" --help
		assert_success
		assert_equal "$stderr" ""
		usage_refused "$c" --bogus
	done
}

@test "Reserved Instances cover that many of the alike instances of one launch, each clock hour" {
	local plain
	plain=$(as_customer ec2-register plain --platform linux | ami_of)
	as_customer ec2-purchase-reserved-instances-offering -o "$(offering m1.small linux)" -c 3 >/dev/null
	# five alike instances for 2 hours, and one more in the second hour
	run at 2010-01-10T00:00:00Z as_customer ec2-run-instances "$plain" -t m1.small -n 5
	assert_success
	local ids one
	ids=$(printf '%s\n' "$output" | grep '^INSTANCE' | grep -oE '\bi-[0-9a-f]{8,17}\b' | tr '\n' ' ')
	one=$(at 2010-01-10T01:00:00Z as_customer ec2-run-instances "$plain" -t m1.small | inst_of)
	# shellcheck disable=SC2086 # the ids are words
	at 2010-01-10T02:00:00Z as_customer ec2-terminate-instances $ids "$one" >/dev/null
	run at 2010-02-01T00:00:00Z as_customer devpay-bill --period 2010-01
	assert_success
	# each hour 3 of the instances running are reserved: 6 hours, the
	# other 2 + 3 on demand
	assert_equal "$(printf '%s\n' "$output" | grep ec2-usage | mask)" \
"CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX m1.small on-demand|5|0.10|0.50
CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX m1.small reserved|6|0.03|0.18"
}
