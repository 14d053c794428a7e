#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Honest answers on the wire (issue 8): DryRun, filters, unknown parameters,
# ids judged by the service, --region, usage errors. Runs locally and, by
# `make check`, through devpayd (DEVPAY_TEST_MODE=devpayd).
bats_require_minimum_version 1.5.0
load helpers
load checks

T=$'\t'
DRY="Client.DryRunOperation: Request would have succeeded, but DryRun flag is set."

setup() {
	fresh_store
	export DEVPAY_NOW=2026-05-01T00:00:00Z
}

teardown() {
	devpayd_stop
	[ -z "${FAKE_PID:-}" ] || kill "$FAKE_PID" 2>/dev/null || true
}

# fake MODE...: the scripted endpoint (tests/fake_endpoint.py); sets FAKE_URL, FAKE_LOG.
fake() {
	local i portfile="$BATS_TEST_TMPDIR/fake.port"
	FAKE_LOG="$BATS_TEST_TMPDIR/fake.log"
	: >"$FAKE_LOG"
	python3 "$BATS_TEST_DIRNAME/fake_endpoint.py" "$portfile" "$FAKE_LOG" "$@" </dev/null >/dev/null 2>&1 3>&- &
	FAKE_PID=$!
	for i in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.05; done
	FAKE_URL="http://127.0.0.1:$(cat "$portfile")"
}

# An image of the customer's, plain (no product code): AMI.
plain_image() { AMI=$(as_customer ec2-register base --platform linux | ami_of); }
# A paid image: the owner's product, the customer subscribed: CODE, AMI.
paid_image() {
	CODE=$(as_owner devpay-register-product --name P --platform linux --instance-type m1.small=0.20 \
		--instance-type m1.large=0.50 | code_of)
	as_customer devpay-purchase-product "$CODE" >/dev/null
	AMI=$(as_customer ec2-register paid --platform linux | ami_of)
	as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
}
instances() { as_customer ec2-describe-instances | grep -c '^INSTANCE' || true; }

# --- DryRun -------------------------------------------------------------------

@test "run-instances --dry-run: DryRunOperation, exit 1, nothing launched" {
	paid_image
	local before; before=$(store_sum)
	refused 1 DryRunOperation as_customer ec2-run-instances "$AMI" -n 2 --dry-run
	assert_equal "$stderr" "$DRY"
	assert_equal "$(store_sum)" "$before"
	assert_equal "$(instances)" 0
	# without it, the launch happens
	run --separate-stderr as_customer ec2-run-instances "$AMI"
	assert_success
	assert_equal "$(instances)" 1
}

@test "--dry-run answers the real refusal when the request would fail, and still changes nothing" {
	paid_image
	local inst before
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	before=$(store_sum)
	refused_same 1 InvalidAMIID.NotFound "does not exist" as_customer ec2-run-instances ami-0123456789abcdef0 --dry-run
	refused_same 1 InvalidAMIID.Malformed 'Invalid id: "ami-XYZ"' as_customer ec2-run-instances ami-XYZ --dry-run
	enrol as_other
	before=$(store_sum)
	refused_same 1 InvalidAMIID.NotFound "$AMI" as_other ec2-run-instances "$AMI" --dry-run
	refused_same 1 InvalidInstanceID.NotFound "$inst" as_other ec2-terminate-instances "$inst" --dry-run
	as_customer devpay-cancel-subscription "$CODE" >/dev/null
	before=$(store_sum)
	refused_same 1 AuthFailure "Subscription to ProductCode $CODE required" \
		as_customer ec2-run-instances "$AMI" --dry-run
	assert_equal "$(store_sum)" "$before"
}

@test "terminate-instances --dry-run terminates nothing" {
	paid_image
	local inst before
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	before=$(store_sum)
	refused 1 DryRunOperation at 2026-05-01T01:00:00Z as_customer ec2-terminate-instances "$inst" --dry-run
	assert_equal "$stderr" "$DRY"
	assert_equal "$(store_sum)" "$before"
	run at 2026-05-01T01:00:00Z as_customer ec2-describe-instances "$inst"
	assert_equal "$(field_of INSTANCE 6 <<<"$output")" running
}

@test "--dry-run on every command that changes something; the store unchanged" {
	paid_image
	local inst offering before
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	offering=$(as_customer ec2-describe-reserved-instances-offerings -t m1.small -z us-east-1a -d Linux/UNIX | field_of OFFERING 2)
	local plain; plain=$(as_customer ec2-register other | ami_of)
	enrol as_other
	before=$(store_sum)
	refused_same 1 DryRunOperation "" as_customer ec2-register another --dry-run
	refused_same 1 DryRunOperation "" as_customer ec2-associate-product-code "$plain" -p "$CODE" --dry-run
	refused_same 1 DryRunOperation "" as_customer ec2-purchase-reserved-instances-offering -o "$offering" -c 1 --dry-run
	refused_same 1 DryRunOperation "" as_owner devpay-register-product --name Q --platform linux \
		--instance-type m1.small=0.30 --dry-run
	refused_same 1 DryRunOperation "" as_owner devpay-modify-product "$CODE" --monthly-fee 1 \
		--effective 2026-06-01 --dry-run
	refused_same 1 DryRunOperation "" as_other devpay-purchase-product "$CODE" --dry-run
	refused_same 1 DryRunOperation "" as_customer devpay-cancel-subscription "$CODE" --dry-run
	refused_same 1 DryRunOperation "" as_customer ec2-terminate-instances "$inst" --dry-run
	assert_equal "$(store_sum)" "$before"
	# a describe command does not take --dry-run (it changes nothing)
	usage_refused as_customer ec2-describe-instances --dry-run
	assert_equal "${stderr%%$'\n'*}" "ec2-describe-instances: unrecognized option '--dry-run'"
}

@test "DryRun on the wire: every EC2 Action takes it (412), DevPay describes do not, other values refused" {
	paid_image
	serve_signed
	SHOW_STATUS=1 run --separate-stderr as_customer signed us-east-1 Action=DescribeInstances \
		Version=2016-11-15 DryRun=true
	assert_equal "$status" 1
	assert_equal "$stderr" "$DRY
HTTP 412"
	refused 1 DryRunOperation as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 DryRun=true
	local inst; inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	refused 1 DryRunOperation as_owner signed us-east-1 Action=ConfirmProductInstance Version=2016-11-15 \
		DryRun=true ProductCode="$CODE" InstanceId="$inst"
	refused 1 'InvalidInstanceID\.NotFound' as_owner signed us-east-1 Action=ConfirmProductInstance \
		Version=2016-11-15 DryRun=true ProductCode="$CODE" InstanceId=i-0123456789abcdef0
	refused 1 DryRunOperation as_customer signed us-east-1 Action=DescribeReservedInstancesOfferings \
		Version=2016-11-15 DryRun=true
	# DryRun=false is an ordinary request
	run --separate-stderr as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 DryRun=false
	assert_success
	assert_output --partial "<imageId>$AMI</imageId>"
	refused 1 InvalidParameterValue as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 DryRun=yes
	refused 1 UnknownParameter as_customer signed us-east-1 Action=DescribeProducts Version=2007-12-15 DryRun=true
	refused 1 UnknownParameter as_customer signed us-east-1 Action=GetBill Version=2007-12-15 DryRun=true
	refused 1 SubscriptionAlreadyExists as_customer signed us-east-1 Action=PurchaseProduct \
		Version=2007-12-15 DryRun=true ProductCode="$CODE"
	refused 1 DryRunOperation as_other signed us-east-1 Action=PurchaseProduct Version=2007-12-15 \
		DryRun=true ProductCode="$CODE"
}

# --- filters --------------------------------------------------------------------

@test "describe-instances -F: by state, type (wildcards), ORed values, ANDed filters" {
	paid_image
	local a b c
	a=$(as_customer ec2-run-instances "$AMI" -t m1.small | inst_of)
	b=$(as_customer ec2-run-instances "$AMI" -t m1.large -z us-east-1b | inst_of)
	c=$(as_customer ec2-run-instances "$AMI" -t m1.small | inst_of)
	at 2026-05-01T00:30:00Z as_customer ec2-terminate-instances "$c" >/dev/null
	ids() { grep '^INSTANCE' | cut -f2 | sort | tr '\n' ' '; }
	sorted() { printf '%s\n' "$@" | sort | tr '\n' ' '; }
	local t=2026-05-01T02:00:00Z
	assert_equal "$(at $t as_customer ec2-describe-instances -F instance-state-name=running | ids)" "$(sorted $a $b)"
	assert_equal "$(at $t as_customer ec2-describe-instances --filter instance-state-name=terminated | ids)" "$c "
	assert_equal "$(at $t as_customer ec2-describe-instances -F instance-state-name=stopped | ids)" ""
	assert_equal "$(at $t as_customer ec2-describe-instances -F 'instance-type=m1.l*' | ids)" "$b "
	assert_equal "$(at $t as_customer ec2-describe-instances -F 'instance-type=m?.small' | ids)" "$(sorted $a $c)"
	# two values of one name: either; two names: both
	assert_equal "$(at $t as_customer ec2-describe-instances -F availability-zone=us-east-1b -F availability-zone=us-east-1a | ids)" "$(sorted $a $b $c)"
	assert_equal "$(at $t as_customer ec2-describe-instances -F instance-type=m1.small -F instance-state-name=running | ids)" "$a "
	assert_equal "$(at $t as_customer ec2-describe-instances -F product-code="$CODE" -F product-code.type=devpay -F image-id="$AMI" | ids)" "$(sorted $a $b $c)"
	assert_equal "$(at $t as_customer ec2-describe-instances -F instance-id="$b" | ids)" "$b "
	assert_equal "$(at $t as_customer ec2-describe-instances -F "launch-time=2026-05-01T*" | ids)" "$(sorted $a $b $c)"
	assert_equal "$(at $t as_customer ec2-describe-instances -F "owner-id=000000000000" | ids)" ""
	# with ids and a filter, the named instances that match
	assert_equal "$(at $t as_customer ec2-describe-instances "$a" "$c" -F instance-state-name=running | ids)" "$a "
	# the RESERVATION record goes with the instances shown, and only with them
	run at $t as_customer ec2-describe-instances -F instance-id="$b"
	assert_equal "$(grep -c '^RESERVATION' <<<"$output")" 1
}

@test "filters: an unknown name is refused by the service, a filter without a value by the client" {
	plain_image
	as_customer ec2-describe-instances >/dev/null
	refused_same 1 InvalidParameterValue "The filter 'no-such-filter' is invalid" \
		as_customer ec2-describe-instances -F no-such-filter=1
	refused_same 1 InvalidParameterValue "The filter 'instance-state' is invalid" \
		as_customer ec2-describe-images -F instance-state=running
	bad_input "invalid filter 'instance-type': expected NAME=VALUE" as_customer ec2-describe-instances -F instance-type
	bad_input "invalid filter '=x'" as_customer ec2-describe-instances -F =x
	# a command that does not describe has no -F
	usage_refused as_customer ec2-run-instances "$AMI" -F instance-type=m1.small
	assert_equal "${stderr%%$'\n'*}" "ec2-run-instances: unrecognized option '-F'"
	# on the wire, a filter with no name or no value is refused
	serve_signed
	refused 1 MissingParameter as_customer signed us-east-1 Action=DescribeInstances Version=2016-11-15 \
		Filter.1.Value.1=running
	refused 1 MissingParameter as_customer signed us-east-1 Action=DescribeInstances Version=2016-11-15 \
		Filter.1.Name=instance-state-name
}

@test "describe-images -F: name, platform, product-code, root-device-type, state, is-public" {
	paid_image
	local lin win ebs
	lin=$(as_customer ec2-register web-lin --platform linux | ami_of)
	win=$(as_customer ec2-register web-win --platform windows | ami_of)
	ebs=$(as_customer ec2-register db --root-device-type ebs | ami_of)
	ids() { grep '^IMAGE' | cut -f2 | sort | tr '\n' ' '; }
	sorted() { printf '%s\n' "$@" | sort | tr '\n' ' '; }
	assert_equal "$(as_customer ec2-describe-images -F 'name=web-*' | ids)" "$(sorted $lin $win)"
	assert_equal "$(as_customer ec2-describe-images -F platform=windows | ids)" "$win "
	assert_equal "$(as_customer ec2-describe-images -F product-code="$CODE" | ids)" "$AMI "
	assert_equal "$(as_customer ec2-describe-images -F product-code.type=devpay | ids)" "$AMI "
	assert_equal "$(as_customer ec2-describe-images -F root-device-type=ebs | ids)" "$ebs "
	assert_equal "$(as_customer ec2-describe-images -F state=available -F image-id="$lin" -F image-id="$ebs" | ids)" "$(sorted $lin $ebs)"
	assert_equal "$(as_customer ec2-describe-images -F is-public=true | ids)" ""
	assert_equal "$(as_customer ec2-describe-images -F is-public=false -F 'name=db' | ids)" "$ebs "
	local acct; acct=$(as_customer ec2-describe-images "$lin" | field_of IMAGE 4)
	assert_equal "$(as_customer ec2-describe-images -F owner-id="$acct" -F name=paid | ids)" "$AMI "
}

@test "describe-reserved-instances(-offerings) -F" {
	local n
	n=$(as_customer ec2-describe-reserved-instances-offerings -F instance-type=m1.small -F availability-zone=us-east-1b | grep -c '^OFFERING')
	assert_equal "$n" 2	# Linux/UNIX and Windows
	run as_customer ec2-describe-reserved-instances-offerings -F instance-type=m1.small \
		-F availability-zone=us-east-1b -F product-description=Windows
	assert_equal "$(grep -c '^OFFERING' <<<"$output")" 1
	local id; id=$(field_of OFFERING 2 <<<"$output")
	as_customer ec2-purchase-reserved-instances-offering -o "$id" -c 1 >/dev/null
	assert_equal "$(as_customer ec2-describe-reserved-instances -F state=active | grep -c '^RESERVEDINSTANCES')" 1
	assert_equal "$(as_customer ec2-describe-reserved-instances -F state=retired | grep -c '^RESERVEDINSTANCES')" 0
	assert_equal "$(as_customer ec2-describe-reserved-instances -F instance-type=m1.* -F product-description=Windows | grep -c '^RESERVEDINSTANCES')" 1
	refused 1 InvalidParameterValue as_customer ec2-describe-reserved-instances -F instance-state-name=running
}

# --- unknown parameters -----------------------------------------------------------

@test "a parameter an Action does not take is refused (UnknownParameter, 400), never ignored" {
	plain_image
	serve_signed
	local before; before=$(store_sum)
	SHOW_STATUS=1 run --separate-stderr as_customer signed us-east-1 Action=DescribeInstances \
		Version=2016-11-15 NoSuchParameter=1
	assert_equal "$status" 1
	assert_equal "$stderr" "Client.UnknownParameter: The parameter NoSuchParameter is not recognized
HTTP 400"
	# misspelled on purpose: InstanceID for InstanceId, Imageid for ImageId
	refused 1 UnknownParameter as_customer signed us-east-1 Action=DescribeInstances Version=2016-11-15 \
		InstanceID.1=i-0123456789abcdef0
	assert_equal "$stderr" "Client.UnknownParameter: The parameter InstanceID.1 is not recognized"
	refused 1 UnknownParameter as_customer signed us-east-1 Action=RunInstances Version=2016-11-15 \
		Imageid="$AMI" MinCount=1 MaxCount=1
	# a parameter EC2 has but this service does not read is refused as well
	refused 1 UnknownParameter as_customer signed us-east-1 Action=RunInstances Version=2016-11-15 \
		ImageId="$AMI" MinCount=1 MaxCount=1 InstanceMarketOptions.MarketType=spot
	assert_equal "$stderr" "Client.UnknownParameter: The parameter InstanceMarketOptions.MarketType is not recognized"
	refused 1 UnknownParameter as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 \
		Architecture=x86_64
	# a list index is a number from 1
	refused 1 UnknownParameter as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 \
		ImageId.0="$AMI"
	refused 1 UnknownParameter as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 \
		ImageId.x="$AMI"
	# a list member after a gap, or a parameter given twice, would be dropped: refused
	refused 1 InvalidParameterValue as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 \
		ImageId.1="$AMI" ImageId.3="$AMI"
	assert_equal "$stderr" "Client.InvalidParameterValue: The parameter ImageId.3 is given without ImageId.2: list indexes run from 1 without gaps"
	refused 1 InvalidParameterValue as_customer signed us-east-1 Action=RunInstances Version=2016-11-15 \
		ImageId="$AMI" ImageId=ami-0123456789abcdef0 MinCount=1 MaxCount=1
	assert_equal "$stderr" "Client.InvalidParameterValue: The parameter ImageId is given more than once"
	assert_equal "$(store_sum)" "$before"
	# the allowed side: the same Actions with only what they take
	run --separate-stderr as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 \
		ImageId.1="$AMI" Filter.1.Name=name Filter.1.Value.1=base Filter.1.Value.2=x
	assert_success
	assert_output --partial "<imageId>$AMI</imageId>"
	# filters may be numbered with gaps, as EC2 allows: each is read
	run --separate-stderr as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 \
		Filter.2.Name=name Filter.2.Value.3=nothing Filter.7.Name=state Filter.7.Value.1=available
	assert_success
	refute_output --partial "<imageId>"
	run --separate-stderr as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 \
		Filter.2.Name=name Filter.2.Value.3=base Filter.2.Value.1=x
	assert_success
	assert_output --partial "<imageId>$AMI</imageId>"
}

@test "the suite's own requests pass the check, SigV4 and SigV2, in every command" {
	paid_image
	local inst
	inst=$(as_customer ec2-run-instances "$AMI" -n 1 -t m1.small -z us-east-1a --client-token tok-1 | inst_of)
	as_customer ec2-describe-instances "$inst" -F instance-type=m1.small >/dev/null
	as_owner ec2-confirm-product-instance "$CODE" -i "$inst" >/dev/null
	as_customer ec2-describe-images "$AMI" -F name=paid >/dev/null
	EC2_SIGNATURE_VERSION=2 as_customer ec2-describe-images "$AMI" >/dev/null
	as_customer ec2-describe-reserved-instances-offerings -t m1.small -z us-east-1a -d Windows >/dev/null
	as_customer ec2-describe-reserved-instances >/dev/null
	as_owner devpay-describe-products "$CODE" >/dev/null
	as_owner devpay-bill --product "$CODE" >/dev/null
	as_customer devpay-bill --period 2026-05 >/dev/null
	as_owner devpay-modify-product "$CODE" --instance-type m1.small=0.30 --platform linux \
		--region us-east-1 --monthly-fee 1 --one-time-fee 2 --effective 2026-06-01 >/dev/null
	as_customer ec2-terminate-instances "$inst" >/dev/null
}

# --- ids judged by the service -----------------------------------------------------

@test "ids are sent exactly as given: upper case and emi- reach the endpoint unchanged" {
	fake ok
	EC2_URL=$FAKE_URL as_customer ec2-terminate-instances i-4DE2086E >/dev/null
	EC2_URL=$FAKE_URL as_customer ec2-describe-images emi-3F2A1B0C >/dev/null
	EC2_URL=$FAKE_URL as_customer ec2-run-instances emi-3F2A1B0C >/dev/null || true
	EC2_URL=$FAKE_URL as_owner ec2-confirm-product-instance abc -i i-4DE2086E >/dev/null || true
	grep -q 'InstanceId.1=i-4DE2086E' "$FAKE_LOG" || fail "i-4DE2086E not sent as given: $(cat "$FAKE_LOG")"
	grep -q 'ImageId.1=emi-3F2A1B0C' "$FAKE_LOG" || fail "emi-3F2A1B0C not sent as given"
	grep -q 'ImageId=emi-3F2A1B0C' "$FAKE_LOG" || fail "run-instances changed the id"
	grep -q 'ProductCode=abc&InstanceId=i-4DE2086E' "$FAKE_LOG" || fail "confirm changed the code or id"
}

@test "a malformed id is answered by the service: Malformed, exit 1, one Client. line" {
	plain_image
	as_customer ec2-describe-instances >/dev/null
	refused_same 1 InvalidInstanceID.Malformed 'Invalid id: "i-NOTHEX" (expecting "i-...")' \
		as_customer ec2-terminate-instances i-NOTHEX
	refused_same 1 InvalidInstanceID.Malformed 'Invalid id: "i-4DE2086E"' \
		as_customer ec2-describe-instances i-4DE2086E
	refused_same 1 InvalidAMIID.Malformed 'Invalid id: "emi-3F2A1B0C" (expecting "ami-...")' \
		as_customer ec2-run-instances emi-3F2A1B0C
	refused_same 1 InvalidAMIID.Malformed 'Invalid id: "emi-3F2A1B0C"' \
		as_customer ec2-describe-images emi-3F2A1B0C
	# the allowed side: a well-formed id that is not there is NotFound
	refused_same 1 InvalidInstanceID.NotFound "" as_customer ec2-terminate-instances i-4de2086e
}

# --- --region and usage errors ------------------------------------------------------

@test "--region: a known region is used, an unknown one refused (exit 2) before anything is sent" {
	fake ok
	local c before
	as_customer ec2-describe-instances >/dev/null
	before=$(store_sum)
	for c in ec2-describe-instances ec2-describe-images ec2-describe-reserved-instances \
		ec2-describe-reserved-instances-offerings devpay-describe-products devpay-bill; do
		bad_input "unknown region 'mars-1'" as_customer "$c" --region mars-1
		EC2_URL=$FAKE_URL bad_input "unknown region 'us-east-9'" as_customer "$c" --region us-east-9
		EC2_URL=$FAKE_URL EC2_REGION=Moon-1 bad_input "unknown region 'Moon-1'" as_customer "$c"
	done
	bad_input "unknown region 'mars-1'" as_customer ec2-run-instances ami-0123456789abcdef0 --region mars-1
	bad_input "unknown region 'mars-1'" as_customer ec2-terminate-instances i-0123456789abcdef0 --region mars-1
	assert_equal "$(store_sum)" "$before"
	[ ! -s "$FAKE_LOG" ] || fail "a request was sent: $(cat "$FAKE_LOG")"
	run --separate-stderr as_customer ec2-describe-instances --region eu-west-1
	assert_success
}

@test "usage errors name the word that is wrong, on one line plus the --help hint" {
	plain_image
	local before; before=$(store_sum)
	bad_input "unrecognized option '--bogus'" as_customer ec2-run-instances "$AMI" --bogus
	assert_equal "$stderr" "ec2-run-instances: unrecognized option '--bogus'
Try 'ec2-run-instances --help' for more information."
	bad_input "unrecognized option '--nope'" as_customer ec2-terminate-instances i-0123456789abcdef0 i-0123456789abcdef1 --nope
	bad_input "unrecognized option '-q'" as_customer ec2-describe-images "$AMI" -q
	bad_input "unrecognized option '--dry-runn'" as_customer ec2-register x --dry-runn
	assert_equal "$(store_sum)" "$before"
}

@test "--help fits 80 columns and lists --dry-run or -F where they apply" {
	local c
	for c in "$BIN"/*; do
		c=${c##*/}
		[ "$c" != devpayd ] || continue
		run "$c" --help
		assert_success
		local long; long=$(awk 'length > 80' <<<"$output")
		[ -z "$long" ] || fail "$c --help has lines over 80 columns: $long"
	done
	for c in ec2-run-instances ec2-terminate-instances ec2-register ec2-associate-product-code \
		ec2-purchase-reserved-instances-offering devpay-register-product devpay-modify-product \
		devpay-purchase-product devpay-cancel-subscription; do
		"$c" --help | grep -q -- '--dry-run' || fail "$c --help does not list --dry-run"
	done
	for c in ec2-describe-instances ec2-describe-images ec2-describe-reserved-instances \
		ec2-describe-reserved-instances-offerings; do
		"$c" --help | grep -q -- '-F, --filter NAME=VALUE' || fail "$c --help does not list -F"
	done
}
