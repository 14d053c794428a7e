#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Launching, describing, terminating and confirming instances.
bats_require_minimum_version 1.5.0
load helpers

T0=2026-03-02T10:00:00Z

setup() {
	fresh_store
	export DEVPAY_NOW=$T0
}

# The product (Linux/UNIX, us-east-1, m1.small and c1.medium), the customer's
# AMI carrying its code, and the customer's subscription.
supported() {
	CODE=$(as_owner devpay-register-product --name Sup --platform linux \
		--instance-type m1.small=0.20 --instance-type c1.medium=0.40 | code_of)
	AMI=$(as_customer ec2-register sup --platform linux | ami_of)
	as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	as_customer devpay-purchase-product "$CODE" >/dev/null
	OWNER_ID=$(as_owner devpay-describe-products "$CODE" | field_of PRODUCT 4)
}

# Ids and addresses vary from run to run; the layout must not.
mask() {
	# the tokens first: a UUID's last group may be 12 digits, an account's shape
	sed -E -e 's/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/TOKEN/g' \
		-e 's/\bi-[0-9a-f]{17}\b/i-ID/g' -e 's/\br-[0-9a-f]{17}\b/r-ID/g' \
		-e 's/\bami-[0-9a-f]{17}\b/ami-ID/g' -e 's/\bsg-[0-9a-f]{17}\b/sg-ID/g' \
		-e 's/\b[0-9]{12}\b/ACCOUNT/g' \
		-e 's/\bip-10-[0-9]+-[0-9]+-[0-9]+\.ec2\.internal\b/ip-10-X.ec2.internal/g' \
		-e 's/\b10\.[0-9]+\.[0-9]+\.[0-9]+\b/10.X/g' -e "s/${CODE:-NOCODE}/CODE/g"
}

instances_of() { grep '^INSTANCE' | cut -f2; }

# --- ec2-run-instances -------------------------------------------------------

@test "run: a subscribed customer launches a supported AMI (whole output)" {
	supported
	run --separate-stderr as_customer ec2-run-instances "$AMI" -t m1.small --client-token t-1
	assert_success
	assert_equal "$stderr" ""
	local tab=$'\t'
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"RESERVATION${tab}r-ID${tab}ACCOUNT${tab}default
INSTANCE${tab}i-ID${tab}ami-ID${tab}${tab}ip-10-X.ec2.internal${tab}pending${tab}${tab}0${tab}[devpay: CODE]${tab}m1.small${tab}2026-03-02T10:00:00+0000${tab}us-east-1a${tab}${tab}${tab}${tab}monitoring-disabled${tab}${tab}10.X${tab}${tab}${tab}instance-store${tab}${tab}${tab}${tab}${tab}paravirtual${tab}xen${tab}t-1${tab}sg-ID${tab}default${tab}false${tab}"
	# 32 fields, image in $3, type in $10, the customer's account as owner
	run sh -c "printf '%s\n' '$output' | awk -F'\t' '\$1==\"INSTANCE\" {print NF, \$3, \$10}'"
	assert_output "32 $AMI m1.small"
	local cust
	cust=$(printf '%s\n' "${lines[@]}" | field_of RESERVATION 3)
	run as_customer ec2-describe-instances
	assert_equal "$(printf '%s\n' "$output" | field_of RESERVATION 3)" "$(as_customer ec2-describe-instances | field_of RESERVATION 3)"
	[ "$cust" != "$OWNER_ID" ] || fail "owner and customer share an account"
}

@test "run and describe: -H prints one header line, ec2-api-tools 1.6.7.1's, and none for INSTANCE" {
	supported
	run as_customer ec2-run-instances "$AMI" -H -n 2
	assert_success
	assert_line --index 0 "$(printf 'Type\tReservationID\tOwner\tGroups\tPlatform')"
	assert_equal "$(grep -c '^Type' <<<"$output")" 1
	assert_equal "${#lines[@]}" 4
	assert_line --index 1 --regexp '^RESERVATION'
	assert_line --index 2 --regexp '^INSTANCE'
	run as_customer ec2-describe-instances -H
	assert_success
	assert_line --index 0 "$(printf 'Type\tReservationID\tOwner\tGroups\tPlatform')"
	assert_equal "$(grep -c '^Type' <<<"$output")" 1
	# without -H, no header at all
	run as_customer ec2-describe-instances
	assert_equal "$(grep -c '^Type' <<<"$output")" 0
}

@test "run: an unsubscribed customer is refused and nothing is launched" {
	supported
	as_customer devpay-cancel-subscription "$CODE" >/dev/null
	local before; before=$(store_sum)
	refused 1 AuthFailure as_customer ec2-run-instances "$AMI"
	assert_equal "$stderr" "Client.AuthFailure: Subscription to ProductCode $CODE required."
	assert_equal "$(store_sum)" "$before"
}

@test "run: a customer who never subscribed is refused" {
	CODE=$(as_owner devpay-register-product --name Sup --platform linux --instance-type m1.small=0.20 | code_of)
	AMI=$(as_customer ec2-register sup | ami_of)
	as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	refused 1 AuthFailure as_customer ec2-run-instances "$AMI"
	assert_equal "$stderr" "Client.AuthFailure: Subscription to ProductCode $CODE required."
	# another account's private AMI does not exist for it
	refused 1 'InvalidAMIID\.NotFound' as_other ec2-run-instances "$AMI"
}

@test "run: the product's owner needs no subscription" {
	CODE=$(as_owner devpay-register-product --name Sup --platform linux --instance-type m1.small=0.20 | code_of)
	AMI=$(as_owner ec2-register paid | ami_of)
	as_owner ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	run as_owner ec2-run-instances "$AMI"
	assert_success
	assert_line --partial "[devpay: $CODE]"
}

@test "run: a type the product does not cover is refused, for the owner too" {
	supported
	local before; before=$(store_sum)
	refused 1 Unsupported as_customer ec2-run-instances "$AMI" -t m1.large
	assert_equal "$stderr" "Client.Unsupported: Product $CODE does not cover instance type m1.large"
	assert_equal "$(store_sum)" "$before"
	OAMI=$(as_owner ec2-register paid | ami_of)
	as_owner ec2-associate-product-code "$OAMI" -p "$CODE" >/dev/null
	refused 1 Unsupported as_owner ec2-run-instances "$OAMI" -t m1.large
	run as_customer ec2-run-instances "$AMI" -t c1.medium
	assert_success
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 10)" c1.medium
}

@test "run: a region the product does not cover is refused, for the owner too" {
	supported
	# the customer's image of eu-west-1 (an AMI belongs to one region)
	AMI=$(EC2_REGION=eu-west-1 as_customer ec2-register sup-eu | ami_of)
	EC2_REGION=eu-west-1 as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	refused 1 Unsupported as_customer ec2-run-instances "$AMI" --region eu-west-1
	assert_equal "$stderr" "Client.Unsupported: Product $CODE is not offered in region eu-west-1"
	OAMI=$(EC2_REGION=eu-west-1 as_owner ec2-register paid | ami_of)
	EC2_REGION=eu-west-1 as_owner ec2-associate-product-code "$OAMI" -p "$CODE" >/dev/null
	EC2_REGION=eu-west-1 refused 1 Unsupported as_owner ec2-run-instances "$OAMI"
}

@test "run: a product covering a region launches there (its AMI is found there too), zone default REGIONa" {
	CODE=$(as_owner devpay-register-product --name Eu --platform linux --region us-east-1 \
		--region eu-west-1 --instance-type m1.small=0.20 | code_of)
	# an image of us-east-1: its product code makes it an image of eu-west-1 too
	AMI=$(as_customer ec2-register eu | ami_of)
	as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	as_customer devpay-purchase-product "$CODE" >/dev/null
	run env EC2_REGION=eu-west-1 AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET \
		ec2-run-instances "$AMI"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 12)" eu-west-1a
	run store_sql "SELECT region, zone FROM instances"
	assert_output "eu-west-1|eu-west-1a"
}

@test "run: a platform the product does not cover is refused, for the owner too" {
	CODE=$(as_owner devpay-register-product --name Lin --platform linux --instance-type m1.small=0.20 | code_of)
	WAMI=$(as_owner ec2-register win --platform windows | ami_of)
	as_owner ec2-associate-product-code "$WAMI" -p "$CODE" >/dev/null
	refused 1 Unsupported as_owner ec2-run-instances "$WAMI"
	assert_equal "$stderr" "Client.Unsupported: Product $CODE is not configured for Windows instances"
}

@test "run: a Windows product launches Windows instances" {
	CODE=$(as_owner devpay-register-product --name Win --platform windows --instance-type m1.small=0.30 | code_of)
	AMI=$(as_customer ec2-register win --platform windows | ami_of)
	as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	as_customer devpay-purchase-product "$CODE" >/dev/null
	run as_customer ec2-run-instances "$AMI"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 15)" windows
}

@test "run: an image without a product code launches any type, with no code" {
	AMI=$(as_customer ec2-register plain --region ap-northeast-1 | ami_of)
	run as_customer ec2-run-instances "$AMI" -t m1.xlarge --region ap-northeast-1
	assert_success
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 9)" ""
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 10)" m1.xlarge
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 12)" ap-northeast-1a
}

@test "run: the root device type comes from the image" {
	AMI=$(as_customer ec2-register boot --root-device-type ebs | ami_of)
	run as_customer ec2-run-instances "$AMI"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 21)" ebs
}

@test "run: only the image's owner launches it; another's image answers as an unknown one" {
	supported
	as_other ec2-describe-instances >/dev/null
	local before; before=$(store_sum)
	refused 1 'InvalidAMIID\.NotFound' as_customer ec2-run-instances ami-0123456789abcdef0
	local missing=${stderr/ami-0123456789abcdef0/$AMI}
	# the same status, code and message shape as the missing image
	refused 1 'InvalidAMIID\.NotFound' as_other ec2-run-instances "$AMI"
	assert_equal "$stderr" "$missing"
	refused 1 'InvalidAMIID\.NotFound' as_owner ec2-run-instances "$AMI"
	assert_equal "$stderr" "$missing"
	assert_equal "$(store_sum)" "$before"
}

@test "run: a zone of the region is accepted, another region's refused" {
	supported
	run as_customer ec2-run-instances "$AMI" -z us-east-1c
	assert_success
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 12)" us-east-1c
	local before; before=$(store_sum)
	refused 1 InvalidParameterValue as_customer ec2-run-instances "$AMI" -z eu-west-1a
	refused 1 InvalidParameterValue as_customer ec2-run-instances "$AMI" -z us-east-1z
	assert_equal "$(store_sum)" "$before"
}

@test "run: an unknown instance type is refused" {
	supported
	local before; before=$(store_sum)
	refused 1 InvalidParameterValue as_customer ec2-run-instances "$AMI" -t m9.huge
	assert_equal "$stderr" "Client.InvalidParameterValue: Invalid value 'm9.huge' for InstanceType"
	assert_equal "$(store_sum)" "$before"
}

@test "run: -n COUNT and -n MIN-MAX form one reservation with launch indexes" {
	supported
	run as_customer ec2-run-instances "$AMI" -n 2
	assert_success
	assert_equal "$(printf '%s\n' "$output" | grep -c '^RESERVATION')" 1
	assert_equal "$(printf '%s\n' "$output" | grep -c '^INSTANCE')" 2
	run as_customer ec2-run-instances "$AMI" -n 2-3
	assert_success
	assert_equal "$(printf '%s\n' "$output" | grep -c '^RESERVATION')" 1
	assert_equal "$(printf '%s\n' "$output" | awk -F'\t' '$1=="INSTANCE" {printf "%s ", $8}')" "0 1 2 "
	run store_sql "SELECT count(DISTINCT reservation), count(*) FROM instances"
	assert_output "2|5"
}

@test "run: at most 20 instances a call" {
	supported
	run as_customer ec2-run-instances "$AMI" -n 5-30
	assert_success
	assert_equal "$(printf '%s\n' "$output" | grep -c '^INSTANCE')" 20
	local before; before=$(store_sum)
	refused 1 InstanceLimitExceeded as_customer ec2-run-instances "$AMI" -n 21-30
	assert_equal "$(store_sum)" "$before"
}

@test "run: a failed launch of several leaves no instance behind" {
	supported
	local before; before=$(store_sum)
	refused 1 Unsupported as_customer ec2-run-instances "$AMI" -n 3 -t m1.large
	assert_equal "$(store_sum)" "$before"
	run store_sql "SELECT count(*) FROM instances UNION ALL SELECT count(*) FROM reservations"
	assert_output "0
0"
}

@test "run: a store failure at the third instance rolls the whole launch back" {
	sqlite_only
	supported
	# a trigger makes the store refuse the instance of launch index 2
	sqlite3 "$DEVPAY_STORE" "CREATE TRIGGER fail_third BEFORE INSERT ON instances
		WHEN NEW.launch_index = 2 BEGIN SELECT RAISE(ABORT, 'disk full'); END"
	local before; before=$(store_sum)
	refused 1 InternalError as_customer ec2-run-instances "$AMI" -n 3
	assert_equal "$(store_sum)" "$before"
	run sqlite3 "$DEVPAY_STORE" "SELECT (SELECT count(*) FROM instances), (SELECT count(*) FROM reservations)"
	assert_output "0|0"
	run as_customer ec2-run-instances "$AMI" -n 2
	assert_success
}

# The XML of an answer without its requestId; `instances` keeps only its
# instancesSet (a RunInstances answer, or DescribeInstances' one reservation).
answer_xml() {
	python3 -c 'import re, sys
x = re.sub(r"<requestId>[^<]*</requestId>", "", sys.stdin.read())
if sys.argv[1:] == ["instances"]:
    m = re.findall(r"<instancesSet>.*</instancesSet>", x, re.S)
    x = m[0] if len(m) == 1 else "no one instancesSet"
print(x)' "$@"
}

@test "run: a launch's answer is its replay's and DescribeInstances' (key, groups, user data, product code), byte for byte" {
	supported
	serve_signed
	as_customer ec2-add-keypair k1 >/dev/null
	as_customer ec2-add-group web -d web >/dev/null
	local t=2026-03-02T10:00:00Z p=(Action=RunInstances Version=2016-11-15 ImageId="$AMI" MinCount=2
		MaxCount=3 KeyName=k1 SecurityGroup.1=web SecurityGroup.2=default UserData=aGVsbG8=
		Placement.AvailabilityZone=us-east-1c ClientToken=same-xml)
	local first again described rid
	first=$(DEVPAY_NOW=$t as_customer signed us-east-1 "${p[@]}" | answer_xml)
	again=$(DEVPAY_NOW=$t as_customer signed us-east-1 "${p[@]}" | answer_xml)
	assert_equal "$again" "$first"
	[[ "$first" == *"<keyName>k1</keyName>"*"<groupName>web</groupName>"* ]] || fail "$first"
	[[ "$first" == *"<productCode>$CODE</productCode>"* ]] || fail "$first"
	[[ "$first" == *"<amiLaunchIndex>2</amiLaunchIndex>"* ]] || fail "$first"
	rid=$(printf '%s' "$first" | grep -oE 'r-[0-9a-f]{17}' | head -n 1)
	described=$(DEVPAY_NOW=$t as_customer signed us-east-1 Action=DescribeInstances Version=2016-11-15 \
		Filter.1.Name=reservation-id Filter.1.Value.1="$rid" | answer_xml instances)
	assert_equal "$described" "$(printf '%s' "$first" | answer_xml instances)"
	# and without a key, groups or token, on an image without a product
	local plain
	plain=$(as_customer ec2-register plain | ami_of)
	first=$(DEVPAY_NOW=$t as_customer signed us-east-1 Action=RunInstances Version=2016-11-15 \
		ImageId="$plain" MinCount=1 MaxCount=1 | answer_xml)
	rid=$(printf '%s' "$first" | grep -oE 'r-[0-9a-f]{17}' | head -n 1)
	described=$(DEVPAY_NOW=$t as_customer signed us-east-1 Action=DescribeInstances Version=2016-11-15 \
		Filter.1.Name=reservation-id Filter.1.Value.1="$rid" | answer_xml instances)
	assert_equal "$described" "$(printf '%s' "$first" | answer_xml instances)"
	[[ "$first" != *"<keyName>"* && "$first" != *"<productCode>"* ]] || fail "$first"
}

@test "run: the same client token and parameters give the first reservation again" {
	supported
	first=$(as_customer ec2-run-instances "$AMI" -n 2 --client-token tok-1)
	local before; before=$(store_sum)
	second=$(at 2026-03-02T10:05:00Z as_customer ec2-run-instances "$AMI" -n 2 -t m1.small --client-token tok-1)
	assert_equal "$(store_sum)" "$before"
	assert_equal "$(printf '%s\n' "$second" | field_of RESERVATION 2)" "$(printf '%s\n' "$first" | field_of RESERVATION 2)"
	assert_equal "$(printf '%s\n' "$second" | instances_of)" "$(printf '%s\n' "$first" | instances_of)"
	# the replay shows the instances as they are now
	assert_equal "$(printf '%s\n' "$second" | field_of INSTANCE 6)" running
}

@test "run: the same client token with other parameters is refused" {
	supported
	as_customer ec2-run-instances "$AMI" --client-token tok-1 >/dev/null
	local before; before=$(store_sum)
	refused 1 IdempotentParameterMismatch as_customer ec2-run-instances "$AMI" -n 2 --client-token tok-1
	refused 1 IdempotentParameterMismatch as_customer ec2-run-instances "$AMI" -t c1.medium --client-token tok-1
	refused 1 IdempotentParameterMismatch as_customer ec2-run-instances "$AMI" -z us-east-1b --client-token tok-1
	assert_equal "$(store_sum)" "$before"
}

@test "run: a client token is the caller's own" {
	AMI=$(as_customer ec2-register a | ami_of)
	OAMI=$(as_other ec2-register b | ami_of)
	a=$(as_customer ec2-run-instances "$AMI" --client-token shared | inst_of)
	b=$(as_other ec2-run-instances "$OAMI" --client-token shared | inst_of)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
}

@test "run: a cancelled subscription cannot launch, and its instances shut down" {
	supported
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	at 2026-03-02T11:00:00Z as_customer devpay-cancel-subscription "$CODE" >/dev/null
	at 2026-03-02T11:00:10Z refused 1 AuthFailure as_customer ec2-run-instances "$AMI"
	run at 2026-03-02T11:00:10Z as_customer ec2-describe-instances "$inst"
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 6)" shutting-down
}

@test "run: each instance keeps launch and termination time, region, platform, type and code" {
	supported
	inst=$(as_customer ec2-run-instances "$AMI" -t c1.medium | inst_of)
	at 2026-03-02T12:30:00Z as_customer ec2-terminate-instances "$inst" >/dev/null
	run store_sql "SELECT launched, terminated, region, platform, type, product_code FROM instances WHERE id = '$inst'"
	assert_output "$(date -u -d 2026-03-02T10:00:00Z +%s)|$(date -u -d 2026-03-02T12:30:00Z +%s)|us-east-1|0|c1.medium|$CODE"
}

@test "run: usage errors are caught before anything is sent" {
	supported
	local before; before=$(store_sum)
	usage_refused as_customer ec2-run-instances
	usage_refused as_customer ec2-run-instances "$AMI" extra
	refused 1 'InvalidAMIID\.Malformed' as_customer ec2-run-instances ami-xyz
	usage_refused as_customer ec2-run-instances "$AMI" -n 0
	usage_refused as_customer ec2-run-instances "$AMI" -n 3-2
	usage_refused as_customer ec2-run-instances "$AMI" -n two
	usage_refused as_customer ec2-run-instances "$AMI" --bogus
	assert_equal "$(store_sum)" "$before"
}

# --- ec2-describe-instances --------------------------------------------------

@test "describe: the caller's instances grouped by reservation (whole output)" {
	supported
	as_customer ec2-run-instances "$AMI" -n 2 >/dev/null
	at 2026-03-02T10:00:30Z as_customer ec2-run-instances "$AMI" -t c1.medium -z us-east-1b >/dev/null
	run --separate-stderr at 2026-03-02T10:00:35Z as_customer ec2-describe-instances
	assert_success
	local tab=$'\t' tail
	tail="${tab}${tab}${tab}${tab}monitoring-disabled${tab}${tab}10.X${tab}${tab}${tab}instance-store${tab}${tab}${tab}${tab}${tab}paravirtual${tab}xen${tab}TOKEN${tab}sg-ID${tab}default${tab}false${tab}"
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"RESERVATION${tab}r-ID${tab}ACCOUNT${tab}default
INSTANCE${tab}i-ID${tab}ami-ID${tab}${tab}ip-10-X.ec2.internal${tab}running${tab}${tab}0${tab}[devpay: CODE]${tab}m1.small${tab}2026-03-02T10:00:00+0000${tab}us-east-1a${tail}
INSTANCE${tab}i-ID${tab}ami-ID${tab}${tab}ip-10-X.ec2.internal${tab}running${tab}${tab}1${tab}[devpay: CODE]${tab}m1.small${tab}2026-03-02T10:00:00+0000${tab}us-east-1a${tail}
RESERVATION${tab}r-ID${tab}ACCOUNT${tab}default
INSTANCE${tab}i-ID${tab}ami-ID${tab}${tab}ip-10-X.ec2.internal${tab}pending${tab}${tab}0${tab}[devpay: CODE]${tab}c1.medium${tab}2026-03-02T10:00:30+0000${tab}us-east-1b${tail}"
}

@test "describe: the same records as the launch printed" {
	supported
	launched=$(as_customer ec2-run-instances "$AMI" -n 2 --client-token same)
	run as_customer ec2-describe-instances
	assert_output "$launched"
	inst=$(printf '%s\n' "$launched" | inst_of)
	run as_customer ec2-describe-instances "$inst"
	assert_output "$(printf '%s\n' "$launched" | head -2)"
}

@test "describe: another account sees none of the caller's instances" {
	supported
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	run --separate-stderr as_other ec2-describe-instances
	assert_success
	assert_output ""
	run --separate-stderr as_owner ec2-describe-instances
	assert_success
	assert_output ""
	refused 1 'InvalidInstanceID\.NotFound' as_other ec2-describe-instances "$inst"
	assert_equal "$stderr" "Client.InvalidInstanceID.NotFound: The instance ID '$inst' does not exist"
	refused 1 'InvalidInstanceID\.NotFound' as_customer ec2-describe-instances i-0123456789abcdef0
	refused 1 'InvalidInstanceID\.Malformed' as_customer ec2-describe-instances not-an-id
}

@test "describe: with no instances, nothing" {
	run --separate-stderr as_customer ec2-describe-instances
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
}

@test "describe: states follow the clock (pending, running, shutting-down, terminated)" {
	supported
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	state() { at "$1" as_customer ec2-describe-instances "$inst" | field_of INSTANCE 6; }
	assert_equal "$(state 2026-03-02T10:00:09Z)" pending
	assert_equal "$(state 2026-03-02T10:00:10Z)" running
	at 2026-03-02T11:00:00Z as_customer ec2-terminate-instances "$inst" >/dev/null
	assert_equal "$(state 2026-03-02T11:00:59Z)" shutting-down
	assert_equal "$(state 2026-03-02T11:01:00Z)" terminated
	run at 2026-03-02T12:00:00Z as_customer ec2-describe-instances "$inst"
	# a terminated instance keeps no address
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 5)" ""
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 18)" ""
}

@test "describe, terminate and confirm see the instances of the caller's region only" {
	supported
	PLAIN=$(as_customer ec2-register plain --region ap-northeast-1 | ami_of)
	east=$(as_customer ec2-run-instances "$AMI" | inst_of)
	tokyo=$(as_customer ec2-run-instances "$PLAIN" --region ap-northeast-1 | inst_of)
	run as_customer ec2-describe-instances
	assert_equal "$(printf '%s\n' "$output" | instances_of)" "$east"
	run as_customer ec2-describe-instances --region ap-northeast-1
	assert_equal "$(printf '%s\n' "$output" | instances_of)" "$tokyo"
	local before; before=$(store_sum)
	refused 1 'InvalidInstanceID\.NotFound' as_customer ec2-describe-instances "$tokyo"
	refused 1 'InvalidInstanceID\.NotFound' as_customer ec2-terminate-instances "$east" --region ap-northeast-1
	refused 1 'InvalidInstanceID\.NotFound' as_owner ec2-confirm-product-instance "$CODE" -i "$east" --region eu-west-1
	assert_equal "$(store_sum)" "$before"
}

@test "--region comes before EC2_REGION, which comes before AWS_DEFAULT_REGION" {
	PLAIN=$(as_customer ec2-register plain | ami_of)
	tokyo=$(as_customer ec2-run-instances "$PLAIN" --region ap-northeast-1 | inst_of)
	eu=$(as_customer ec2-run-instances "$PLAIN" --region eu-west-1 | inst_of)
	run env EC2_REGION=eu-west-1 AWS_DEFAULT_REGION=sa-east-1 AWS_ACCESS_KEY=$CUSTOMER_KEY \
		AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-instances --region ap-northeast-1
	assert_success
	assert_equal "$(printf '%s\n' "$output" | instances_of)" "$tokyo"
	run env EC2_REGION=eu-west-1 AWS_DEFAULT_REGION=ap-northeast-1 AWS_ACCESS_KEY=$CUSTOMER_KEY \
		AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-instances
	assert_equal "$(printf '%s\n' "$output" | instances_of)" "$eu"
	run env AWS_DEFAULT_REGION=ap-northeast-1 AWS_ACCESS_KEY=$CUSTOMER_KEY \
		AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-instances
	assert_equal "$(printf '%s\n' "$output" | instances_of)" "$tokyo"
	# neither set: us-east-1, where nothing runs
	run as_customer ec2-describe-instances
	assert_success
	assert_output ""
}

# --- ec2-terminate-instances -------------------------------------------------

@test "terminate: the caller's instances, previous and current state" {
	supported
	ids=$(as_customer ec2-run-instances "$AMI" -n 2 | instances_of)
	set -- $ids
	run --separate-stderr at 2026-03-02T10:00:05Z as_customer ec2-terminate-instances "$1"
	assert_success
	assert_output "$(printf 'INSTANCE\t%s\tpending\tshutting-down' "$1")"
	run at 2026-03-02T10:05:00Z as_customer ec2-terminate-instances "$2" "$1"
	assert_success
	assert_output "$(printf 'INSTANCE\t%s\trunning\tshutting-down\nINSTANCE\t%s\tterminated\tterminated' "$2" "$1")"
}

@test "terminate: terminating again changes nothing" {
	supported
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	at 2026-03-02T11:00:00Z as_customer ec2-terminate-instances "$inst" >/dev/null
	local before; before=$(store_sum)
	run at 2026-03-02T11:00:30Z as_customer ec2-terminate-instances "$inst"
	assert_output "$(printf 'INSTANCE\t%s\tshutting-down\tshutting-down' "$inst")"
	assert_equal "$(store_sum)" "$before"
	run at 2026-03-02T13:00:00Z as_customer ec2-describe-instances "$inst"
	assert_line --partial "$(printf '\tterminated\t')"
}

@test "terminate: another account's instance is refused and nothing changes" {
	supported
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	OAMI=$(as_other ec2-register mine | ami_of)
	o=$(as_other ec2-run-instances "$OAMI" | inst_of)
	local before; before=$(store_sum)
	refused 1 'InvalidInstanceID\.NotFound' as_other ec2-terminate-instances "$inst"
	assert_equal "$stderr" "Client.InvalidInstanceID.NotFound: The instance ID '$inst' does not exist"
	refused 1 'InvalidInstanceID\.NotFound' as_owner ec2-terminate-instances "$inst"
	# one foreign id refuses the whole request: the caller's own is not terminated
	refused 1 'InvalidInstanceID\.NotFound' as_other ec2-terminate-instances "$o" "$inst"
	refused 1 'InvalidInstanceID\.NotFound' as_other ec2-terminate-instances i-0123456789abcdef0
	assert_equal "$(store_sum)" "$before"
	run at 2026-03-02T10:05:00Z as_customer ec2-describe-instances "$inst"
	assert_equal "$(printf '%s\n' "$output" | field_of INSTANCE 6)" running
}

@test "terminate: usage errors" {
	usage_refused as_customer ec2-terminate-instances
	refused 1 'InvalidInstanceID\.Malformed' as_customer ec2-terminate-instances ami-0123456789abcdef0
	assert_equal "$stderr" 'Client.InvalidInstanceID.Malformed: Invalid id: "ami-0123456789abcdef0" (expecting "i-...")'
	usage_refused as_customer ec2-terminate-instances --bogus i-0123456789abcdef0
}

# --- ec2-confirm-product-instance --------------------------------------------

@test "confirm: the product's owner gets true and the instance owner's account" {
	supported
	out=$(as_customer ec2-run-instances "$AMI")
	inst=$(printf '%s\n' "$out" | inst_of)
	cust=$(printf '%s\n' "$out" | field_of RESERVATION 3)
	run --separate-stderr as_owner ec2-confirm-product-instance "$CODE" -i "$inst"
	assert_success
	assert_output "$(printf '%s\t%s\ttrue\t%s' "$CODE" "$inst" "$cust")"
	run at 2026-03-02T10:30:00Z as_owner ec2-confirm-product-instance "$CODE" --instance "$inst"
	assert_output "$(printf '%s\t%s\ttrue\t%s' "$CODE" "$inst" "$cust")"
}

@test "confirm: the customer and a third account never get true" {
	supported
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	run --separate-stderr as_customer ec2-confirm-product-instance "$CODE" -i "$inst"
	assert_success
	assert_output "$(printf '%s\t%s\tfalse\t' "$CODE" "$inst")"
	run --separate-stderr as_other ec2-confirm-product-instance "$CODE" -i "$inst"
	assert_success
	assert_output "$(printf '%s\t%s\tfalse\t' "$CODE" "$inst")"
	# nor do they learn whether an instance exists
	run as_other ec2-confirm-product-instance "$CODE" -i i-0123456789abcdef0
	assert_output "$(printf '%s\t%s\tfalse\t' "$CODE" i-0123456789abcdef0)"
}

@test "confirm: false once the instance is shutting down or terminated" {
	supported
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	at 2026-03-02T11:00:00Z as_customer ec2-terminate-instances "$inst" >/dev/null
	run at 2026-03-02T11:00:30Z as_owner ec2-confirm-product-instance "$CODE" -i "$inst"
	assert_output "$(printf '%s\t%s\tfalse\t' "$CODE" "$inst")"
	run at 2026-03-02T12:00:00Z as_owner ec2-confirm-product-instance "$CODE" -i "$inst"
	assert_output "$(printf '%s\t%s\tfalse\t' "$CODE" "$inst")"
	# true while it was running
	run at 2026-03-02T10:59:59Z as_owner ec2-confirm-product-instance "$CODE" -i "$inst"
	assert_output --partial "$(printf '\ttrue\t')"
}

@test "confirm: false for an instance without the code, or with another code" {
	supported
	PLAIN=$(as_customer ec2-register plain | ami_of)
	p=$(as_customer ec2-run-instances "$PLAIN" | inst_of)
	run as_owner ec2-confirm-product-instance "$CODE" -i "$p"
	assert_success
	assert_output "$(printf '%s\t%s\tfalse\t' "$CODE" "$p")"
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	CODE2=$(as_owner devpay-register-product --name Other --platform linux --instance-type m1.small=0.20 | code_of)
	run as_owner ec2-confirm-product-instance "$CODE2" -i "$inst"
	assert_output "$(printf '%s\t%s\tfalse\t' "$CODE2" "$inst")"
}

@test "confirm: unknown code or instance, and usage errors" {
	supported
	refused 1 'InvalidProductCode\.NotFound' as_owner ec2-confirm-product-instance 0123ABCD -i i-0123456789abcdef0
	refused 1 'InvalidInstanceID\.NotFound' as_owner ec2-confirm-product-instance "$CODE" -i i-0123456789abcdef0
	usage_refused as_owner ec2-confirm-product-instance "$CODE"
	usage_refused as_owner ec2-confirm-product-instance -i i-0123456789abcdef0
	refused 1 InvalidParameterValue as_owner ec2-confirm-product-instance abc -i i-0123456789abcdef0
	refused 1 'InvalidInstanceID\.Malformed' as_owner ec2-confirm-product-instance "$CODE" -i bogus
	usage_refused as_owner ec2-confirm-product-instance "$CODE" "$CODE" -i i-0123456789abcdef0
}

@test "confirm: --show-empty-fields prints the missing owner as (nil)" {
	supported
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	run as_other ec2-confirm-product-instance "$CODE" -i "$inst" --show-empty-fields
	assert_output "$(printf '%s\t%s\tfalse\t(nil)' "$CODE" "$inst")"
}

# --- every command -----------------------------------------------------------

@test "--help and unknown options, for each command" {
	for c in ec2-run-instances ec2-describe-instances ec2-terminate-instances ec2-confirm-product-instance; do
		run --separate-stderr "$c" --help
		assert_success
		assert_equal "$stderr" ""
		assert_line --index 0 --partial "Usage: $c"
		usage_refused "$c" --bogus
	done
}

@test "man pages and completions name every long option" {
	for c in ec2-run-instances ec2-describe-instances ec2-terminate-instances ec2-confirm-product-instance; do
		[ -z "$(mandoc -Tlint -Wwarning "$ROOT/man/man1/$c.1" 2>&1)" ] || fail "$c.1 lint"
		for o in $("$c" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
			grep -q -- "${o#--}" "$ROOT/man/man1/$c.1" || fail "$c.1 lacks $o"
			grep -qw -- "$o" "$ROOT/completions/$c" || fail "completions/$c lacks $o"
		done
	done
}

@test "run: without --client-token a token is made up per invocation and printed" {
	supported
	run --separate-stderr as_customer ec2-run-instances "$AMI"
	assert_success
	local t1 t2
	t1=$(printf '%s\n' "$output" | awk -F'\t' '$1 == "INSTANCE" { print $28 }')
	[[ $t1 =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || fail "token '$t1'"
	t2=$(as_customer ec2-run-instances "$AMI" | awk -F'\t' '$1 == "INSTANCE" { print $28 }')
	[ "$t1" != "$t2" ] || fail "the same token twice: $t1"
}

@test "run: a type with an EC2 rate in the region launches; one without is refused as EC2 does" {
	AMI=$(as_customer ec2-register plain --platform linux --region eu-central-1 | ami_of)
	run --separate-stderr as_customer ec2-run-instances "$AMI" -t t2.micro --region eu-central-1
	assert_success
	assert_line --regexp '^INSTANCE.*t2\.micro'
	# eu-central-1 (2014) opened with the current generation only
	refused 1 InvalidParameterValue as_customer ec2-run-instances "$AMI" -t m1.small --region eu-central-1
	[[ "$stderr" == *"'m1.small'"*"eu-central-1"* ]] || fail "stderr was: $stderr"
	assert_equal "$(as_customer ec2-describe-instances --region eu-central-1 | grep -c '^INSTANCE')" 1
}
