#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# devpay-modify-product: a price or configuration change from a future date,
# one pending at a time, withdrawable, for the owner only.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	fresh_store
	export DEVPAY_NOW=2010-01-10T12:00:00Z
	CODE=$(as_owner devpay-register-product --name Prod --platform linux \
		--instance-type m1.small=0.20 --instance-type m1.large=0.50 --monthly-fee 5 | code_of)
}

mask() {
	sed -E -e 's/\b[0-9]{12}\b/ACCOUNT/g' -e "s/${CODE:-NOCODE}/CODE/g" \
		-e 's/\{ProductToken\}[^\t]*/TOKEN/' -e 's/offeringCode=[0-9A-F]{8}/offeringCode=CODE/' | tr '\t' '|'
}

@test "the owner schedules a change: the product shows it pending (whole output)" {
	run --separate-stderr as_owner devpay-modify-product "$CODE" --instance-type m1.small=0.25 \
		--instance-type c1.medium=0.45 --monthly-fee 7.50 --effective 2010-02-01
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"PRODUCT|CODE|Prod|ACCOUNT|linux|us-east-1|0.00|5.00|TOKEN|https://aws-portal.amazon.com/gp/aws/user/subscription/index.html?offeringCode=CODE|
PRICE|CODE|m1.small|0.20|2010-01-10T12:00:00+0000|linux|us-east-1
PRICE|CODE|m1.large|0.50|2010-01-10T12:00:00+0000|linux|us-east-1
PENDING|CODE|2010-02-01T00:00:00+0000|linux|us-east-1|0.00|7.50
PRICE|CODE|m1.small|0.25|2010-02-01T00:00:00+0000|linux|us-east-1
PRICE|CODE|c1.medium|0.45|2010-02-01T00:00:00+0000|linux|us-east-1"
	# customers see it too
	run as_customer devpay-describe-products "$CODE"
	assert_line --partial "$(printf 'PENDING\t%s\t2010-02-01T00:00:00+0000' "$CODE")"
	# once in force it is the configuration, nothing pending
	run at 2010-02-01T00:00:00Z as_customer devpay-describe-products "$CODE"
	assert_equal "$(printf '%s\n' "$output" | mask | cut -d'|' -f1-8)" \
"PRODUCT|CODE|Prod|ACCOUNT|linux|us-east-1|0.00|7.50
PRICE|CODE|m1.small|0.25|2010-02-01T00:00:00+0000|linux|us-east-1
PRICE|CODE|c1.medium|0.45|2010-02-01T00:00:00+0000|linux|us-east-1"
}

@test "unspecified parts carry over from the current version" {
	run as_owner devpay-modify-product "$CODE" --region eu-west-1 --region us-east-1 --effective 2010-02-01
	assert_success
	assert_line "$(printf 'PENDING\t%s\t2010-02-01T00:00:00+0000\tlinux\teu-west-1,us-east-1\t0.00\t5.00' "$CODE")"
	assert_line "$(printf 'PRICE\t%s\tm1.small\t0.20\t2010-02-01T00:00:00+0000\tlinux\teu-west-1' "$CODE")"
	assert_line "$(printf 'PRICE\t%s\tm1.large\t0.50\t2010-02-01T00:00:00+0000\tlinux\tus-east-1' "$CODE")"
}

@test "launches after the change obey the new configuration" {
	as_owner devpay-modify-product "$CODE" --instance-type m1.large=0.60 --effective 2010-02-01 >/dev/null
	local ami
	ami=$(as_customer ec2-register img --platform linux | ami_of)
	as_customer ec2-associate-product-code "$ami" -p "$CODE" >/dev/null
	as_customer devpay-purchase-product "$CODE" >/dev/null
	run at 2010-01-31T23:59:59Z as_customer ec2-run-instances "$ami" -t m1.small
	assert_success
	refused 1 Unsupported at 2010-02-01T00:00:00Z as_customer ec2-run-instances "$ami" -t m1.small
	run at 2010-02-01T00:00:00Z as_customer ec2-run-instances "$ami" -t m1.large
	assert_success
}

@test "only the owner may change a product; the store unchanged" {
	as_customer devpay-describe-products >/dev/null
	as_other devpay-describe-products >/dev/null
	local before
	before=$(store_sum)
	refused 1 AuthFailure as_customer devpay-modify-product "$CODE" --monthly-fee 1 --effective 2010-02-01
	refused 1 AuthFailure as_other devpay-modify-product "$CODE" --withdraw
	refused 1 InvalidProductCode.NotFound as_owner devpay-modify-product 0000ABCD --monthly-fee 1 --effective 2010-02-01
	assert_equal "$(store_sum)" "$before"
}

@test "one change pending at a time; withdraw it, then another may follow" {
	as_owner devpay-modify-product "$CODE" --monthly-fee 6 --effective 2010-02-01 >/dev/null
	local before
	before=$(store_sum)
	refused 1 PendingChangeExists as_owner devpay-modify-product "$CODE" --monthly-fee 7 --effective 2010-03-01
	assert_equal "$(store_sum)" "$before"
	run as_owner devpay-modify-product "$CODE" --withdraw
	assert_success
	refute_line --partial PENDING
	run as_owner devpay-modify-product "$CODE" --monthly-fee 7 --effective 2010-03-01
	assert_success
	assert_line --partial "$(printf 'PENDING\t%s\t2010-03-01T00:00:00+0000' "$CODE")"
	# once the change took effect, a new one may be scheduled
	run at 2010-03-01T00:00:00Z as_owner devpay-modify-product "$CODE" --monthly-fee 8 --effective 2010-04-01
	assert_success
}

@test "withdraw with nothing pending is refused" {
	refused 1 PendingChangeNotFound as_owner devpay-modify-product "$CODE" --withdraw
}

@test "the effective date must be in the future; the store unchanged" {
	local before
	before=$(store_sum)
	refused 1 InvalidParameterValue as_owner devpay-modify-product "$CODE" --monthly-fee 1 --effective 2010-01-10
	refused 1 InvalidParameterValue as_owner devpay-modify-product "$CODE" --monthly-fee 1 --effective 2009-12-31
	assert_equal "$(store_sum)" "$before"
	# midnight exactly is not the future either
	refused 1 InvalidParameterValue at 2010-01-11T00:00:00Z as_owner devpay-modify-product "$CODE" \
		--monthly-fee 1 --effective 2010-01-11
	run at 2010-01-10T23:59:59Z as_owner devpay-modify-product "$CODE" --monthly-fee 1 --effective 2010-01-11
	assert_success
}

@test "bad input is a usage error naming it; the store unchanged" {
	local before
	before=$(store_sum)
	usage_refused as_owner devpay-modify-product "$CODE" --monthly-fee 1
	usage_refused as_owner devpay-modify-product "$CODE" --effective 2010-02-01
	usage_refused as_owner devpay-modify-product "$CODE" --monthly-fee -1 --effective 2010-02-01
	usage_refused as_owner devpay-modify-product "$CODE" --monthly-fee 1 --effective 2010-02-30
	usage_refused as_owner devpay-modify-product "$CODE" --monthly-fee 1 --effective 2010-02-01T00:00:00Z
	usage_refused as_owner devpay-modify-product "$CODE" --instance-type m9.huge=1 --effective 2010-02-01
	usage_refused as_owner devpay-modify-product "$CODE" --instance-type m1.small --effective 2010-02-01
	usage_refused as_owner devpay-modify-product "$CODE" --instance-type m1.small=abc --effective 2010-02-01
	usage_refused as_owner devpay-modify-product "$CODE" --platform beos --effective 2010-02-01
	usage_refused as_owner devpay-modify-product "$CODE" --region mars-1 --effective 2010-02-01
	usage_refused as_owner devpay-modify-product "$CODE" --withdraw --monthly-fee 1
	usage_refused as_owner devpay-modify-product --monthly-fee 1 --effective 2010-02-01
	assert_equal "$(store_sum)" "$before"
	refused 1 InvalidParameterValue as_owner devpay-modify-product abc --monthly-fee 1 --effective 2010-02-01
	run --separate-stderr as_owner devpay-modify-product "$CODE" --monthly-fee 1
	assert_equal "$stderr" "$(printf '%s\n' "devpay-modify-product: missing --effective" "Try 'devpay-modify-product --help' for more information.")"
	assert_equal "$(store_sum)" "$before"
}

@test "the service checks the same input for other clients; the store unchanged" {
	# a type priced twice passes the command's own checks; the service refuses it
	local before
	before=$(store_sum)
	refused 1 InvalidParameterValue as_owner devpay-modify-product "$CODE" \
		--instance-type m1.small=1 --instance-type m1.small=2 --effective 2010-02-01
	assert_equal "$(store_sum)" "$before"
}

@test "devpay-modify-product: --help, unknown option" {
	run --separate-stderr devpay-modify-product --help
	assert_success
	assert_equal "$stderr" ""
	assert_output --partial "--withdraw"
	usage_refused devpay-modify-product --bogus
}
