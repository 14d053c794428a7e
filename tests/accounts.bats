#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Every Action tried across accounts, through devpayd (the shared store is
# where one account meets another): no account reads or changes another's
# images, instances, products, subscriptions or bills except as the rules
# allow. One test per row of tests/RULES.md's cross-account table. The owner
# sells a product, the customer subscribes and runs the product's AMI; the
# other account tries.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	fresh_store
	export DEVPAY_NOW=2010-03-01T10:00:00Z
	serve_accounts --trust-client-clock
	export EC2_URL=$URL
	CODE=$(as_owner devpay-register-product --name sold --platform linux --instance-type m1.small=0.10 \
		--monthly-fee 5 | code_of)
	as_customer devpay-purchase-product "$CODE" >/dev/null
	AMI=$(as_customer ec2-register mine | ami_of)
	as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	INST=$(as_customer ec2-run-instances "$AMI" --client-token shared-token | inst_of)
	[ -n "$CODE" ] && [ -n "$AMI" ] && [ -n "$INST" ]
}

# raw_as KEY SECRET PARAMS: a signed request of an action that has no command here.
raw_as() { python3 "$BATS_TEST_DIRNAME/raw_client.py" "$URL/" "$@"; }

@test "accounts: RegisterProduct adds a product to the caller only" {
	local mine
	mine=$(as_other devpay-register-product --name theirs --platform linux --instance-type m1.small=1 | code_of)
	run as_owner devpay-describe-products
	assert_success
	assert_output --partial "$CODE"
	refute_output --partial "$mine"
	run as_other devpay-describe-products
	assert_output --partial "$mine"
	refute_output --partial "$CODE"
}

@test "accounts: DescribeProducts by code shows anyone the product, the token only to its owner" {
	run as_owner devpay-describe-products "$CODE"
	assert_output --partial '{ProductToken}'
	run -0 as_other devpay-describe-products "$CODE"
	assert_output --partial "$CODE"
	refute_output --partial '{ProductToken}'
}

@test "accounts: ModifyProduct by another account is refused, the product unchanged" {
	local before; before=$(store_sum)
	refused 1 AuthFailure as_other devpay-modify-product "$CODE" --monthly-fee 1 --effective 2010-04-01
	refused 1 AuthFailure as_customer devpay-modify-product "$CODE" --monthly-fee 1 --effective 2010-04-01
	assert_equal "$(store_sum)" "$before"
	run as_owner devpay-modify-product "$CODE" --monthly-fee 1 --effective 2010-04-01
	assert_success
}

@test "accounts: PurchaseProduct subscribes the caller only; another's subscription is untouched" {
	run as_other devpay-purchase-product "$CODE"
	assert_success
	run sqlite3 "$DEVPAY_STORE" "SELECT count(*) FROM subscriptions WHERE code = '$CODE' AND ended IS NULL"
	assert_output 2
	# the customer's subscription still launches; the other's is its own
	run as_customer ec2-run-instances "$AMI"
	assert_success
}

@test "accounts: CancelSubscription cancels only the caller's subscription" {
	local before; before=$(store_sum)
	refused 1 SubscriptionNotFound as_other devpay-cancel-subscription "$CODE"
	assert_equal "$(store_sum)" "$before"
	run as_customer ec2-run-instances "$AMI"
	assert_success
}

@test "accounts: RegisterImage names are per account; another's image is untouched" {
	run as_other ec2-register mine
	assert_success
	local theirs; theirs=$(printf '%s\n' "$output" | ami_of)
	[ "$theirs" != "$AMI" ]
	run as_customer ec2-describe-images
	assert_output --partial "$AMI"
	refute_output --partial "$theirs"
}

@test "accounts: DescribeImages never shows another account's image" {
	run -0 as_other ec2-describe-images
	refute_output --partial "$AMI"
	refused 1 'InvalidAMIID\.NotFound' as_other ec2-describe-images "$AMI"
	refused 1 'InvalidAMIID\.NotFound' as_owner ec2-describe-images "$AMI"
}

@test "accounts: ModifyImageAttribute (associate) on another's image is refused" {
	local code2 img before
	code2=$(as_other devpay-register-product --name o --platform linux --instance-type m1.small=1 | code_of)
	before=$(store_sum)
	# another account's private image does not exist for the caller
	refused 1 'InvalidAMIID\.NotFound' as_other ec2-associate-product-code "$AMI" -p "$code2"
	refused 1 'InvalidAMIID\.NotFound' as_owner ec2-associate-product-code "$AMI" -p "$CODE"
	assert_equal "$(store_sum)" "$before"
	img=$(as_other ec2-register plain | ami_of)
	run as_other ec2-associate-product-code "$img" -p "$CODE"
	assert_success
}

@test "accounts: DescribeImageAttribute of another's image is refused" {
	run raw_as "$OTHER_KEY" "$OTHER_SECRET" "Action=DescribeImageAttribute&Version=2016-11-15&ImageId=$AMI&Attribute=productCodes"
	assert_line --index 0 400
	assert_line --index 2 --partial '<Code>InvalidAMIID.NotFound</Code>'
	run raw_as "$CUSTOMER_KEY" "$CUSTOMER_SECRET" "Action=DescribeImageAttribute&Version=2016-11-15&ImageId=$AMI&Attribute=productCodes"
	assert_line --index 0 200
	assert_line --index 2 --partial "$CODE"
}

@test "accounts: RunInstances of another's image is refused; a client token is the caller's own" {
	local before; before=$(store_sum)
	refused 1 'InvalidAMIID\.NotFound' as_other ec2-run-instances "$AMI"
	refused 1 'InvalidAMIID\.NotFound' as_owner ec2-run-instances "$AMI"
	assert_equal "$(store_sum)" "$before"
	# the customer's client token, used by another account, never answers with the customer's reservation
	local img
	img=$(as_other ec2-register plain | ami_of)
	run as_other ec2-run-instances "$img" --client-token shared-token
	assert_success
	refute_output --partial "$INST"
}

@test "accounts: DescribeInstances never shows another account's instance" {
	run -0 as_other ec2-describe-instances
	refute_output --partial "$INST"
	run -0 as_owner ec2-describe-instances
	refute_output --partial "$INST"
	refused 1 'InvalidInstanceID\.NotFound' as_other ec2-describe-instances "$INST"
}

@test "accounts: TerminateInstances of another's instance is refused, the instance runs on" {
	local before; before=$(store_sum)
	refused 1 'InvalidInstanceID\.NotFound' as_other ec2-terminate-instances "$INST"
	refused 1 'InvalidInstanceID\.NotFound' as_owner ec2-terminate-instances "$INST"
	assert_equal "$(store_sum)" "$before"
	run as_customer ec2-describe-instances "$INST"
	assert_output --regexp $'\t(pending|running)\t'
}

@test "accounts: ConfirmProductInstance is true only for the code's owner" {
	run -0 as_owner ec2-confirm-product-instance "$CODE" -i "$INST"
	assert_output --partial true
	run as_other ec2-confirm-product-instance "$CODE" -i "$INST"
	refute_output --partial true
	run as_customer ec2-confirm-product-instance "$CODE" -i "$INST"
	refute_output --partial true
}

@test "accounts: GetBill shows the caller's own charges; a product's report only to its owner" {
	refused 1 AuthFailure as_other devpay-bill --product "$CODE" --period 2010-03
	refused 1 AuthFailure as_customer devpay-bill --product "$CODE" --period 2010-03
	run -0 as_owner devpay-bill --product "$CODE" --period 2010-03
	run -0 as_other devpay-bill --period 2010-03
	refute_output --partial "$CODE"
	run -0 as_customer devpay-bill --period 2010-03
	assert_output --partial "$CODE"
}

@test "accounts: DescribeReservedInstancesOfferings is the same public list for every account" {
	assert_equal "$(as_other ec2-describe-reserved-instances-offerings -t m1.small | cut -f2- | md5sum)" \
		"$(as_customer ec2-describe-reserved-instances-offerings -t m1.small | cut -f2- | md5sum)"
}

@test "accounts: PurchaseReservedInstancesOffering and DescribeReservedInstances are the caller's own" {
	local off
	off=$(as_customer ec2-describe-reserved-instances-offerings -t m1.small | awk -F'\t' '{print $2; exit}')
	run as_customer ec2-purchase-reserved-instances-offering -o "$off" -c 1
	assert_success
	run -0 as_customer ec2-describe-reserved-instances
	assert_output --partial m1.small
	run -0 as_other ec2-describe-reserved-instances
	assert_output ""
	run -0 as_owner ec2-describe-reserved-instances
	assert_output ""
}
