#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# What a seller runs a business on: prices per platform and region, its
# customers (devpay-describe-subscriptions), a report on all its products,
# money that never wraps, and an instance's own metadata (devpay-metadata).
# A workflow file: `make check` runs it locally and through devpayd.
bats_require_minimum_version 1.5.0
load helpers
load checks

setup() { fresh_store; }
teardown() {
	[ -z "${MD_PID:-}" ] || { kill "$MD_PID" 2>/dev/null; wait "$MD_PID" 2>/dev/null; }
	devpayd_stop
}

# Records with '|' for TAB and the code and accounts masked.
mask() {
	sed -E -e 's/\b[0-9]{12}\b/ACCOUNT/g' -e "s/${CODE:-NOCODE}/CODE/g" | tr '\t' '|'
}

# who PLATFORM TIME [REGION]: the party's own AMI of PLATFORM carrying CODE,
# registered in REGION (an AMI belongs to one region), in AMI.
supported_ami() {
	local who=$1 platform=$2 t=$3 region=${4:-us-east-1}
	AMI=$(EC2_REGION=$region at "$t" "$who" ec2-register "img-$RANDOM$RANDOM" --platform "$platform" | ami_of)
	EC2_REGION=$region at "$t" "$who" ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
}

# who FROM TO TYPE [REGION]: an instance of AMI running from FROM to TO.
ran() {
	local who=$1 from=$2 to=$3 type=$4 region=${5:-us-east-1} id
	id=$(EC2_REGION=$region at "$from" "$who" ec2-run-instances "$AMI" -t "$type" | inst_of)
	[ -n "$id" ] || fail "no instance launched"
	EC2_REGION=$region at "$to" "$who" ec2-terminate-instances "$id" >/dev/null
}

# Both platforms, m1.small at 0.20 with Windows at 0.30.
both_product() {
	CODE=$(at 2010-03-01T00:00:00Z as_owner devpay-register-product --name Both --platform linux \
		--platform windows --instance-type m1.small=0.20 --price windows:m1.small=0.30 "$@" | code_of)
	[ -n "$CODE" ] || fail "not registered"
}

# --- prices per platform and region -----------------------------------------

@test "prices: one PRICE record per region, platform and type, the most specific price winning (whole output)" {
	run --separate-stderr at 2010-03-01T00:00:00Z as_owner devpay-register-product --name P \
		--platform linux --platform windows --region us-east-1 --region eu-west-1 \
		--instance-type m1.small=0.20 --instance-type m1.large=0.50 \
		--price windows:m1.small=0.30 --price eu-west-1:windows:m1.small=0.33 \
		--price eu-west-1:linux:m1.large=0.55
	assert_success
	assert_equal "$stderr" ""
	CODE=$(code_of <<<"$output")
	assert_equal "$(grep '^PRICE' <<<"$output" | mask)" \
"PRICE|CODE|m1.small|0.20|2010-03-01T00:00:00+0000|linux|eu-west-1
PRICE|CODE|m1.large|0.55|2010-03-01T00:00:00+0000|linux|eu-west-1
PRICE|CODE|m1.small|0.33|2010-03-01T00:00:00+0000|windows|eu-west-1
PRICE|CODE|m1.large|0.50|2010-03-01T00:00:00+0000|windows|eu-west-1
PRICE|CODE|m1.small|0.20|2010-03-01T00:00:00+0000|linux|us-east-1
PRICE|CODE|m1.large|0.50|2010-03-01T00:00:00+0000|linux|us-east-1
PRICE|CODE|m1.small|0.30|2010-03-01T00:00:00+0000|windows|us-east-1
PRICE|CODE|m1.large|0.50|2010-03-01T00:00:00+0000|windows|us-east-1"
	# a customer sees the same prices
	run as_customer devpay-describe-products "$CODE"
	assert_line "$(printf 'PRICE\t%s\tm1.small\t0.33\t2010-03-01T00:00:00+0000\twindows\teu-west-1' "$CODE")"
	# -H: one header line, the first record's (as ec2-api-tools prints it)
	run as_owner devpay-describe-products -H "$CODE"
	assert_equal "$(grep -c '^Type' <<<"$output")" 1
	assert_line --index 0 --partial "$(printf 'Type\tProductCode\tName\t')"
}

@test "prices: --price alone, per platform, prices a product with no --instance-type" {
	run as_owner devpay-register-product --name P --platform linux --platform windows \
		--price linux:c1.medium=0.25 --price Windows:c1.medium=0.40
	assert_success
	CODE=$(code_of <<<"$output")
	assert_equal "$(grep '^PRICE' <<<"$output" | cut -f3,4,6,7)" "c1.medium${T}0.25${T}linux${T}us-east-1
c1.medium${T}0.40${T}windows${T}us-east-1"
}

@test "prices: a covered combination without a price is refused, nothing registered" {
	enrol as_owner
	refused_same 1 InvalidParameterCombination "No price for m1.small on linux in us-east-1" \
		as_owner devpay-register-product --name P --platform linux --platform windows \
		--price windows:m1.small=0.30
	refused_same 1 InvalidParameterCombination "No price for m1.small on windows in eu-west-1" \
		as_owner devpay-register-product --name P --platform linux --platform windows \
		--region us-east-1 --region eu-west-1 --instance-type m1.large=1 \
		--price linux:m1.small=0.20 --price us-east-1:windows:m1.small=0.30
}

@test "prices: a price for a platform or region the product does not cover is refused" {
	enrol as_owner
	refused_same 1 InvalidParameterCombination "does not cover windows" \
		as_owner devpay-register-product --name P --platform linux --instance-type m1.small=0.20 \
		--price windows:m1.small=0.30
	refused_same 1 InvalidParameterCombination "does not cover eu-west-1" \
		as_owner devpay-register-product --name P --platform linux --instance-type m1.small=0.20 \
		--price eu-west-1:linux:m1.small=0.30
}

@test "prices: the same combination priced twice is refused" {
	enrol as_owner
	refused_same 1 InvalidParameterValue "'m1.small on windows' is priced twice" \
		as_owner devpay-register-product --name P --platform windows \
		--price windows:m1.small=0.30 --price windows:m1.small=0.40
	refused_same 1 InvalidParameterValue "'m1.small on linux in eu-west-1' is priced twice" \
		as_owner devpay-register-product --name P --platform linux --region eu-west-1 \
		--price eu-west-1:linux:m1.small=0.30 --price eu-west-1:Linux/UNIX:m1.small=0.40
}

@test "prices: a malformed --price is a usage error, nothing sent" {
	enrol as_owner
	local p
	for p in m1.small=0.3 windows:m1.small linux:m9.huge=1 solaris:m1.small=1 mars-1:linux:m1.small=1 \
		a:b:c:d=1 linux::m1.small=1; do
		bad_input "--price '$p'" as_owner devpay-register-product --name X --platform linux \
			--instance-type m1.small=1 --price "$p"
	done
	for p in -1 1000000001 1e2 ''; do
		bad_input "invalid price '$p'" as_owner devpay-register-product --name X --platform linux \
			--instance-type m1.small=1 --price "windows:m1.small=$p"
	done
	bad_input "missing --instance-type or --price" as_owner devpay-register-product --name X --platform linux
}

@test "prices: modify replaces the price list; prices of a dropped platform go, a new platform needs one" {
	both_product
	run at 2010-03-02 as_owner devpay-modify-product "$CODE" --instance-type m1.small=0.25 \
		--price windows:m1.small=0.35 --effective 2010-04-01
	assert_success
	assert_line "$(printf 'PRICE\t%s\tm1.small\t0.35\t2010-04-01T00:00:00+0000\twindows\tus-east-1' "$CODE")"
	at 2010-03-02 as_owner devpay-modify-product "$CODE" --withdraw >/dev/null
	# narrowing to Linux drops the Windows price
	run at 2010-03-02 as_owner devpay-modify-product "$CODE" --platform linux --effective 2010-04-01
	assert_success
	assert_equal "$(sed -n '/^PENDING/,$p' <<<"$output" | grep '^PRICE' | cut -f3,4,6)" "m1.small${T}0.20${T}linux"
	at 2010-03-02 as_owner devpay-modify-product "$CODE" --withdraw >/dev/null
	# a platform added without a price for it: refused, nothing pending
	CODE=$(at 2010-03-01 as_owner devpay-register-product --name L --platform linux \
		--price linux:m1.small=0.2 | code_of)
	refused_same 1 InvalidParameterCombination "No price for m1.small on windows in us-east-1" \
		at 2010-03-02 as_owner devpay-modify-product "$CODE" --platform linux --platform windows \
		--effective 2010-04-01
	run at 2010-03-02 as_owner devpay-describe-products "$CODE"
	refute_line --regexp '^PENDING'
}

@test "bill: Linux and Windows m1.small in one bill, each at its own price (checked by hand)" {
	both_product
	at 2010-03-01T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	supported_ami as_customer linux 2010-03-01T00:00:00Z
	ran as_customer 2010-03-02T00:00:00Z 2010-03-02T02:30:00Z m1.small   # 3 h
	supported_ami as_customer windows 2010-03-01T00:00:00Z
	ran as_customer 2010-03-03T00:00:00Z 2010-03-03T04:00:00Z m1.small   # 4 h
	run --separate-stderr at 2010-04-01T00:00:00Z as_customer devpay-bill --period 2010-03
	assert_success
	# 3 x 0.20 = 0.60; 4 x 0.30 = 1.20; total 1.80
	assert_equal "$(grep -v '^BILL' <<<"$output" | mask)" \
"CHARGE|CODE|usage|us-east-1 Linux/UNIX m1.small|3|0.20|0.60
CHARGE|CODE|usage|us-east-1 Windows m1.small|4|0.30|1.20
TOTAL|CODE|Both|1.80
TOTAL|ALL|total|1.80"
	# the owner: revenue 1.80; AWS cost 3 x 0.10 + 4 x 0.125 = 0.80; value-add
	# 1.00; fee 0.30 + 3% = 0.33; net 0.67
	run at 2010-04-01T00:00:00Z as_owner devpay-bill --period 2010-03 --product "$CODE"
	assert_success
	assert_equal "$(grep '^CUSTOMER' <<<"$output" | mask)" \
		"CUSTOMER|CODE|ACCOUNT|0.00|0.00|1.80|1.80|0.80|1.00|0.33|0.67|0.00"
}

@test "bill: an instance in a region with its own price pays that price" {
	CODE=$(at 2010-03-01T00:00:00Z as_owner devpay-register-product --name R --platform linux \
		--region us-east-1 --region eu-west-1 --instance-type m1.small=0.20 \
		--price eu-west-1:linux:m1.small=0.22 | code_of)
	at 2010-03-01T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	supported_ami as_customer linux 2010-03-01T00:00:00Z eu-west-1
	ran as_customer 2010-03-02T00:00:00Z 2010-03-02T01:00:00Z m1.small eu-west-1
	supported_ami as_customer linux 2010-03-01T00:00:00Z us-east-1
	ran as_customer 2010-03-02T00:00:00Z 2010-03-02T01:00:00Z m1.small us-east-1
	run at 2010-04-01T00:00:00Z as_customer devpay-bill --period 2010-03
	assert_success
	assert_line "$(printf 'CHARGE\t%s\tusage\teu-west-1 Linux/UNIX m1.small\t1\t0.22\t0.22' "$CODE")"
	assert_line "$(printf 'CHARGE\t%s\tusage\tus-east-1 Linux/UNIX m1.small\t1\t0.20\t0.20' "$CODE")"
}

# --- money -------------------------------------------------------------------

@test "money: a prorated monthly fee is rounded once, half up, to the cent" {
	# 0.149999 x 1/30 = 0.004999966...: once to the cent 0.00 (rounding
	# first to the micro-dollar, 0.005000, would make it 0.01)
	CODE=$(at 2010-06-01 as_owner devpay-register-product --name F --platform linux \
		--instance-type m1.small=1 --monthly-fee 0.149999 | code_of)
	at 2010-06-30T12:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	run at 2010-07-01T00:00:00Z as_customer devpay-bill --period 2010-06
	assert_success
	assert_line "$(printf 'CHARGE\t%s\tmonthly\tsign-up 2010-06-30, 1 of 30 days\t1/30\t0.149999\t0.00' "$CODE")"
	# 20 x 28/30 = 18.6666...: 18.67
	CODE=$(at 2010-06-01 as_owner devpay-register-product --name G --platform linux \
		--instance-type m1.small=1 --monthly-fee 20 | code_of)
	at 2010-06-03T00:00:00Z as_other devpay-purchase-product "$CODE" >/dev/null
	run at 2010-07-01T00:00:00Z as_other devpay-bill --period 2010-06
	assert_line "$(printf 'TOTAL\tALL\ttotal\t18.67')"
}

@test "money: the largest price and fee are accepted, one more refused" {
	run as_owner devpay-register-product --name Big --platform linux \
		--instance-type m1.small=1000000000 --monthly-fee 1000000000 --one-time-fee 1000000000
	assert_success
	bad_input "at most 1000000000" as_owner devpay-register-product --name X --platform linux \
		--instance-type m1.small=1 --monthly-fee 1000000000.01
	bad_input "at most 1000000000" as_owner devpay-register-product --name X --platform linux \
		--price linux:m1.small=1000000001
}

@test "money: a bill beyond the largest amount is refused (AmountOutOfRange), never printed wrapped" {
	CODE=$(at 2026-05-01T00:00:00Z as_owner devpay-register-product --name Big --platform linux \
		--instance-type m1.small=999999999 --monthly-fee 999999999 | code_of)
	at 2026-05-01T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	supported_ami as_customer linux 2026-05-01T00:00:00Z
	local k
	for k in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
		at 2026-05-01T00:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small -n 1 >/dev/null
	done
	# 13 instances x 744 hours x $999,999,999 > 9.2e12 dollars
	refused 1 AmountOutOfRange at 2026-06-01T00:00:00Z as_customer devpay-bill --period 2026-05
	refused 1 AmountOutOfRange at 2026-06-01T00:00:00Z as_owner devpay-bill --period 2026-05 --product "$CODE"
	refused 1 AmountOutOfRange at 2026-06-01T00:00:00Z as_owner devpay-bill --period 2026-05
}

@test "money: the largest bill that fits is exact" {
	# 12 instances fit: 12 x 744 x 999999999 = 8927999991072.00
	CODE=$(at 2026-05-01T00:00:00Z as_owner devpay-register-product --name Big --platform linux \
		--instance-type m1.small=999999999 | code_of)
	at 2026-05-01T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	supported_ami as_customer linux 2026-05-01T00:00:00Z
	at 2026-05-01T00:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small -n 12 >/dev/null
	run at 2026-06-01T00:00:00Z as_customer devpay-bill --period 2026-05
	assert_success
	assert_line "$(printf 'CHARGE\t%s\tusage\tus-east-1 Linux/UNIX m1.small\t8928\t999999999.00\t8927999991072.00' "$CODE")"
}

# --- subscriptions -------------------------------------------------------------

# CODE with the customer (2 instances running, one terminated) and another
# account that subscribed and cancelled.
customers() {
	both_product
	at 2010-03-02T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	supported_ami as_customer linux 2010-03-02T00:00:00Z
	at 2010-03-02T00:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small -n 2 >/dev/null
	ran as_customer 2010-03-02T00:00:00Z 2010-03-02T01:00:00Z m1.small
	at 2010-03-03T00:00:00Z as_other devpay-purchase-product "$CODE" >/dev/null
	at 2010-03-04T00:00:00Z as_other devpay-cancel-subscription "$CODE" >/dev/null
	CUST=$(as_customer devpay-describe-subscriptions | field_of SUBSCRIPTION 3)
	OTHER=$(as_other devpay-describe-subscriptions | field_of SUBSCRIPTION 3)
}

@test "subscriptions: a customer sees its own, active and cancelled (whole output)" {
	customers
	run --separate-stderr at 2010-03-05 as_customer devpay-describe-subscriptions
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$output" "SUBSCRIPTION${T}$CODE${T}$CUST${T}active${T}2010-03-02T00:00:00+0000${T}${T}2"
	run at 2010-03-05 as_other devpay-describe-subscriptions -H
	assert_equal "$output" "Type${T}ProductCode${T}Account${T}State${T}Start${T}End${T}RunningInstances
SUBSCRIPTION${T}$CODE${T}$OTHER${T}cancelled${T}2010-03-03T00:00:00+0000${T}2010-03-04T00:00:00+0000${T}0"
	# the owner has no subscription of its own
	run as_owner devpay-describe-subscriptions
	assert_success
	assert_output ""
}

@test "subscriptions: the owner lists every customer of a product with its running instances" {
	customers
	run --separate-stderr at 2010-03-05 as_owner devpay-describe-subscriptions --product "$CODE"
	assert_success
	assert_equal "$output" "$(printf '%s\n' \
		"SUBSCRIPTION${T}$CODE${T}$CUST${T}active${T}2010-03-02T00:00:00+0000${T}${T}2" \
		"SUBSCRIPTION${T}$CODE${T}$OTHER${T}cancelled${T}2010-03-03T00:00:00+0000${T}2010-03-04T00:00:00+0000${T}0" |
		sort -t"$T" -k3,3)"
	# a re-subscription shows as the latest one
	at 2010-03-06T00:00:00Z as_other devpay-purchase-product "$CODE" >/dev/null
	run as_owner devpay-describe-subscriptions --product "$CODE"
	assert_line "SUBSCRIPTION${T}$CODE${T}$OTHER${T}active${T}2010-03-06T00:00:00+0000${T}${T}0"
	assert_equal "${#lines[@]}" 2
}

@test "subscriptions: the owner verifies one customer: active, cancelled, never subscribed" {
	customers
	run as_owner devpay-describe-subscriptions --product "$CODE" --customer "$CUST"
	assert_success
	assert_equal "$output" "SUBSCRIPTION${T}$CODE${T}$CUST${T}active${T}2010-03-02T00:00:00+0000${T}${T}2"
	run as_owner devpay-describe-subscriptions --product "$CODE" --customer "$OTHER"
	assert_equal "$(cut -f4 <<<"$output")" cancelled
	run as_owner devpay-describe-subscriptions --product "$CODE" --customer 123456789012
	assert_success
	assert_equal "$output" "SUBSCRIPTION${T}$CODE${T}123456789012${T}none${T}${T}${T}0"
}

@test "subscriptions: nobody else sees another account's subscriptions" {
	customers
	# a non-owner's --product shows only its own subscription to it
	run as_other devpay-describe-subscriptions --product "$CODE"
	assert_success
	assert_equal "$(cut -f3 <<<"$output")" "$OTHER"
	refute_output --partial "$CUST"
	# and asking for a customer is refused
	refused 1 AuthFailure as_other devpay-describe-subscriptions --product "$CODE" --customer "$CUST"
	refused 1 AuthFailure as_customer devpay-describe-subscriptions --product "$CODE" --customer "$OTHER"
	# its own state it may ask for
	run as_customer devpay-describe-subscriptions --product "$CODE" --customer "$CUST"
	assert_success
	assert_equal "$(cut -f4 <<<"$output")" active
}

@test "subscriptions: bad input is a usage error; an unknown product is refused" {
	enrol as_owner
	bad_input "--customer needs --product" as_owner devpay-describe-subscriptions --customer 123456789012
	# codes and account ids are sent as given: the service judges them
	refused_same 1 InvalidParameterValue "Invalid customer '12345': expected a 12-digit account id" \
		as_owner devpay-describe-subscriptions --product 0000ABCD --customer 12345
	refused_same 1 InvalidParameterValue "Invalid product code 'abc'" \
		as_owner devpay-describe-subscriptions --product abc
	bad_input "unexpected argument" as_owner devpay-describe-subscriptions 0000ABCD
	refused 1 InvalidProductCode.NotFound as_owner devpay-describe-subscriptions --product 0000ABCD
}

# --- the owner's report on all products ----------------------------------------

@test "devpay-bill: an owner without --product gets every product, one block each, and grand totals (whole output)" {
	both_product
	local first=$CODE second
	second=$(at 2010-03-01T00:00:01Z as_owner devpay-register-product --name Second --platform linux \
		--instance-type m1.large=0.50 --one-time-fee 2 | code_of)
	at 2010-03-02T00:00:00Z as_customer devpay-purchase-product "$first" >/dev/null
	supported_ami as_customer windows 2010-03-02T00:00:00Z
	ran as_customer 2010-03-02T00:00:00Z 2010-03-02T10:00:00Z m1.small      # 10 x 0.30
	at 2010-03-05T00:00:00Z as_other devpay-purchase-product "$second" >/dev/null
	run --separate-stderr at 2010-04-01T00:00:00Z as_owner devpay-bill --period 2010-03
	assert_success
	assert_equal "$stderr" ""
	# first: revenue 3.00, AWS 10 x 0.125 = 1.25, value-add 1.75, fee 0.30 +
	# 0.0525 = 0.35, net 1.40; second: revenue 2.00, fee 0.36, net 1.64
	assert_equal "$(sed -E -e 's/\b[0-9]{12}\b/ACCOUNT/g' -e "s/$first/FIRST/g" -e "s/$second/SECOND/g" <<<"$output" | tr '\t' '|')" \
"BILL|ACCOUNT|2010-03|2010-03-01T00:00:00+0000|2010-04-01T00:00:00+0000|owner|
CUSTOMER|FIRST|ACCOUNT|0.00|0.00|3.00|3.00|1.25|1.75|0.35|1.40|0.00
TOTAL|FIRST|one-time|0.00
TOTAL|FIRST|monthly|0.00
TOTAL|FIRST|usage|3.00
TOTAL|FIRST|revenue|3.00
TOTAL|FIRST|aws-cost|1.25
TOTAL|FIRST|value-add|1.75
TOTAL|FIRST|devpay-fee|0.35
TOTAL|FIRST|net|1.40
TOTAL|FIRST|owner-pays|0.00
CUSTOMER|SECOND|ACCOUNT|2.00|0.00|0.00|2.00|0.00|2.00|0.36|1.64|0.00
TOTAL|SECOND|one-time|2.00
TOTAL|SECOND|monthly|0.00
TOTAL|SECOND|usage|0.00
TOTAL|SECOND|revenue|2.00
TOTAL|SECOND|aws-cost|0.00
TOTAL|SECOND|value-add|2.00
TOTAL|SECOND|devpay-fee|0.36
TOTAL|SECOND|net|1.64
TOTAL|SECOND|owner-pays|0.00
TOTAL|ALL|one-time|2.00
TOTAL|ALL|monthly|0.00
TOTAL|ALL|usage|3.00
TOTAL|ALL|revenue|5.00
TOTAL|ALL|aws-cost|1.25
TOTAL|ALL|value-add|3.75
TOTAL|ALL|devpay-fee|0.71
TOTAL|ALL|net|3.04
TOTAL|ALL|owner-pays|0.00"
}

@test "devpay-bill: an owner's own launches of his product are EC2 usage at EC2 rates; he is never his own customer" {
	both_product
	supported_ami as_owner linux 2010-03-02T00:00:00Z
	ran as_owner 2010-03-02T00:00:00Z 2010-03-02T01:00:00Z m1.small
	run at 2010-04-01T00:00:00Z as_owner devpay-bill --period 2010-03
	assert_success
	assert_line --index 0 --regexp "^BILL.*${T}owner${T}\$"
	assert_line --index 1 "$(printf 'CHARGE\tEC2\tec2-usage\tus-east-1 Linux/UNIX m1.small on-demand\t1\t0.10\t0.10')"
	assert_line --index 2 "$(printf 'TOTAL\tEC2\tAmazon EC2\t0.10')"
	assert_line --index 3 "$(printf 'TOTAL\tALL\ttotal\t0.10')"
	refute_line --regexp "^CUSTOMER"
	refute_line --regexp "^CHARGE${T}$CODE"
	assert_line "$(printf 'TOTAL\tALL\trevenue\t0.00')"
	assert_line "$(printf 'TOTAL\tALL\tdevpay-fee\t0.00')"
	# a customer's launch of the same product is the product's price
	supported_ami as_customer linux 2010-03-02T00:00:00Z
	at 2010-03-02T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	ran as_customer 2010-03-03T00:00:00Z 2010-03-03T01:00:00Z m1.small
	run at 2010-04-01T00:00:00Z as_owner devpay-bill --period 2010-03 --product "$CODE"
	assert_equal "$(grep -c '^CUSTOMER' <<<"$output")" 1
	run at 2010-04-01T00:00:00Z as_customer devpay-bill --period 2010-03
	assert_line "$(printf 'CHARGE\t%s\tusage\tus-east-1 Linux/UNIX m1.small\t1\t0.20\t0.20' "$CODE")"
}

@test "devpay-fee: \$0.30 only for a bill DevPay collects (above 0.00): not for a free product's usage, not for a sign-up refunded the same day" {
	local before
	# a free product used for an hour: a bill of 0.00, no fee at all
	CODE=$(at 2010-03-01T00:00:00Z as_owner devpay-register-product --name Free --platform linux \
		--instance-type m1.small=0 | code_of)
	at 2010-03-01T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	supported_ami as_customer linux 2010-03-01T00:00:00Z
	ran as_customer 2010-03-02T00:00:00Z 2010-03-02T01:00:00Z m1.small
	run at 2010-04-01T00:00:00Z as_owner devpay-bill --period 2010-03 --product "$CODE"
	assert_success
	# revenue 0.00, AWS cost 0.10: value-add -0.10, no 3%, no 0.30; the owner pays 0.10
	assert_equal "$(grep '^CUSTOMER' <<<"$output" | mask)" \
		"CUSTOMER|CODE|ACCOUNT|0.00|0.00|0.00|0.00|0.10|-0.10|0.00|-0.10|0.10"
	# $20 a month, signed up and cancelled the same day: 0.00 collected, no fee
	CODE=$(at 2010-03-01T00:00:00Z as_owner devpay-register-product --name Monthly --platform linux \
		--instance-type m1.small=0.20 --monthly-fee 20 | code_of)
	at 2010-03-10T08:00:00Z as_other devpay-purchase-product "$CODE" >/dev/null
	at 2010-03-10T09:00:00Z as_other devpay-cancel-subscription "$CODE" >/dev/null
	run at 2010-04-01T00:00:00Z as_owner devpay-bill --period 2010-03 --product "$CODE"
	assert_success
	assert_equal "$(grep '^CUSTOMER' <<<"$output" | mask)" \
		"CUSTOMER|CODE|ACCOUNT|0.00|0.00|0.00|0.00|0.00|0.00|0.00|0.00|0.00"
	# signed up again on the 11th and kept: 20 x 21/31 = 13.55 collected, 0.30 + 3% (0.41) = 0.71
	at 2010-03-11T08:00:00Z as_other devpay-purchase-product "$CODE" >/dev/null
	run at 2010-04-01T00:00:00Z as_owner devpay-bill --period 2010-03 --product "$CODE"
	assert_equal "$(grep '^CUSTOMER' <<<"$output" | mask)" \
		"CUSTOMER|CODE|ACCOUNT|0.00|13.55|0.00|13.55|0.00|13.55|0.71|12.84|0.00"
}

@test "purchase: an owner does not subscribe to his own product (refused, nothing stored)" {
	local before
	both_product
	before=$(store_sum)
	refused 1 OperationNotPermitted as_owner devpay-purchase-product "$CODE"
	[[ "$stderr" == "Client.OperationNotPermitted: Account "*" owns product $CODE: an owner does not subscribe to his own product"* ]] || fail "$stderr"
	assert_equal "$(store_sum)" "$before"
}

# --- the instance's own metadata -------------------------------------------------

# md_start INSTANCE [options]: devpay-metadata as the customer on a free
# port; sets MD (its base URL) and MD_PID.
md_start() {
	local id=$1 port
	shift
	port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
	# the program itself in the background (not a function's subshell), so
	# that teardown's kill reaches it
	AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET \
		devpay-metadata --instance "$id" --listen "127.0.0.1:$port" "$@" </dev/null >"$BATS_TEST_TMPDIR/md.out" 2>"$BATS_TEST_TMPDIR/md.err" 3>&- &
	MD_PID=$!
	MD="http://127.0.0.1:$port"
	local i
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		kill -0 "$MD_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$BATS_TEST_TMPDIR/md.err" >&2
	fail "devpay-metadata did not start"
}

# A running Linux instance of the product: INST, RES, AMI.
md_instance() {
	both_product
	at 2010-03-02T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	supported_ami as_customer linux 2010-03-02T00:00:00Z
	local out
	out=$(at 2010-03-02T10:20:30Z as_customer ec2-run-instances "$AMI" -t m1.small)
	INST=$(inst_of <<<"$out")
	RES=$(field_of RESERVATION 2 <<<"$out")
	CUST=$(field_of RESERVATION 3 <<<"$out")
}

@test "metadata: the instance's view, read with curl" {
	need curl
	md_instance
	md_start "$INST"
	assert_equal "$(curl -sf "$MD/latest/meta-data/instance-id")" "$INST"
	assert_equal "$(curl -sf "$MD/latest/meta-data/ami-id")" "$AMI"
	assert_equal "$(curl -sf "$MD/latest/meta-data/instance-type")" m1.small
	assert_equal "$(curl -sf "$MD/latest/meta-data/product-codes")" "$CODE"
	assert_equal "$(curl -sf "$MD/latest/meta-data/placement/availability-zone")" us-east-1a
	assert_equal "$(curl -sf "$MD/latest/meta-data/reservation-id")" "$RES"
	run curl -sf "$MD/latest/meta-data/"
	assert_line product-codes
	assert_line placement/
}

@test "metadata: the instance identity document carries devpayProductCodes" {
	need curl
	md_instance
	md_start "$INST"
	run curl -sf "$MD/latest/dynamic/instance-identity/document"
	assert_success
	run python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(" ".join(str(d[k]) for k in ("devpayProductCodes","instanceId","imageId","accountId","region","availabilityZone","instanceType","pendingTime")))' "$output"
	assert_success
	assert_output "['$CODE'] $INST $AMI $CUST us-east-1 us-east-1a m1.small 2010-03-02T10:20:30Z"
}

@test "metadata: an instance without a product code has no product-codes, null in the document" {
	need curl
	local ami id
	ami=$(as_customer ec2-register plain --platform linux | ami_of)
	id=$(as_customer ec2-run-instances "$ami" -t m1.small | inst_of)
	md_start "$id"
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' "$MD/latest/meta-data/product-codes")" 404
	run curl -sf "$MD/latest/dynamic/instance-identity/document"
	python3 -c 'import json,sys; sys.exit(json.loads(sys.argv[1])["devpayProductCodes"] is not None)' "$output"
}

@test "metadata: IMDSv2 tokens are accepted; a bad token, a missing TTL or a forwarded PUT refused" {
	need curl
	md_instance
	md_start "$INST"
	local t
	t=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600' "$MD/latest/api/token")
	[ -n "$t" ]
	assert_equal "$(curl -sf -H "X-aws-ec2-metadata-token: $t" "$MD/latest/meta-data/instance-id")" "$INST"
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-aws-ec2-metadata-token: forged' "$MD/latest/meta-data/instance-id")" 401
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$MD/latest/api/token")" 400
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 21601' "$MD/latest/api/token")" 400
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' -H 'X-Forwarded-For: 1.2.3.4' "$MD/latest/api/token")" 403
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$MD/latest/meta-data/instance-id")" 405
}

@test "metadata: a token PUT's TTL header given twice, signed or not plain digits, or a Forwarded header, is refused" {
	need curl
	md_instance
	md_start "$INST"
	local code ttl h=X-aws-ec2-metadata-token-ttl-seconds
	code() { curl -s -o /dev/null -w '%{http_code}' -X PUT "$@" "$MD/latest/api/token"; }
	# the allowed side: one header, plain digits from 1 to 21600
	for ttl in 1 60 21600; do
		assert_equal "$(code -H "$h: $ttl")" 200
	done
	# twice, whichever order, even equal values
	assert_equal "$(code -H "$h: 5" -H "$h: 21601")" 400
	assert_equal "$(code -H "$h: 21601" -H "$h: 5")" 400
	assert_equal "$(code -H "$h: 60" -H "$h: 60")" 400
	# a sign, a space, a fraction, hex, out of range
	for ttl in +5 -5 5x '5 5' 5.0 0x10 0 21601 999999999999999999999; do
		assert_equal "$(code -H "$h: $ttl")" 400
	done
	run curl -s -X PUT -H "$h: 60" -H "$h: 60" "$MD/latest/api/token"
	assert_output "Bad Request: X-aws-ec2-metadata-token-ttl-seconds is given more than once"
	# through a proxy: X-Forwarded-For or Forwarded (RFC 7239), no token
	assert_equal "$(code -H "$h: 60" -H 'X-Forwarded-For: 1.2.3.4')" 403
	assert_equal "$(code -H "$h: 60" -H 'Forwarded: for=1.2.3.4')" 403
	assert_equal "$(code -H "$h: 60" -H 'forwarded: for=192.0.2.60;proto=http')" 403
	# ambiguous framing is refused before any route (the front of devpayd too)
	run python3 - "${MD##*:}" <<'PY'
import socket, sys
for head in ("Content-Length: 0\r\nContent-Length: 0", "Content-Length: 0\r\nTransfer-Encoding: chunked"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    s.sendall(("PUT /latest/api/token HTTP/1.1\r\nHost: x\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\n"
               + head + "\r\n\r\n").encode())
    data = b""
    while True:
        c = s.recv(4096)
        if not c:
            break
        data += c
    print(data.split(b"\r\n", 1)[0].decode())
PY
	assert_success
	assert_line --index 0 --regexp '^HTTP/1\.1 400 '
	assert_line --index 1 --regexp '^HTTP/1\.1 400 '
}

@test "metadata: --http-tokens required refuses a request without a token" {
	need curl
	md_instance
	md_start "$INST" --http-tokens required
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' "$MD/latest/meta-data/instance-id")" 401
	local t
	t=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$MD/latest/api/token")
	assert_equal "$(curl -sf -H "X-aws-ec2-metadata-token: $t" "$MD/latest/meta-data/instance-id")" "$INST"
}

@test "metadata: 404 for other paths, and for every path once the instance is terminated" {
	need curl
	md_instance
	md_start "$INST"
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' "$MD/latest/meta-data/no-such")" 404
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' "$MD/latest/user-data")" 404
	as_customer ec2-terminate-instances "$INST" >/dev/null
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' "$MD/latest/meta-data/instance-id")" 404
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' "$MD/latest/dynamic/instance-identity/document")" 404
	assert_equal "$(curl -s "$MD/latest/meta-data/product-codes")" ""
}

@test "metadata: only the instance's owner can serve its view; a terminated one has none" {
	md_instance
	refused 1 InvalidInstanceID.NotFound as_owner devpay-metadata --instance "$INST" --listen 127.0.0.1:0
	refused 1 InvalidInstanceID.NotFound as_other devpay-metadata --instance "$INST" --listen 127.0.0.1:0
	as_customer ec2-terminate-instances "$INST" >/dev/null
	refused 1 IncorrectInstanceState as_customer devpay-metadata --instance "$INST" --listen 127.0.0.1:0
}

@test "metadata: usage errors" {
	enrol as_customer
	bad_input "missing --instance" as_customer devpay-metadata --listen 127.0.0.1:0
	bad_input "missing --listen" as_customer devpay-metadata --instance i-0123456789abcdef0
	bad_input "invalid --listen 'nowhere'" as_customer devpay-metadata --instance i-0123456789abcdef0 --listen nowhere
	bad_input "port must be a number" as_customer devpay-metadata --instance i-0123456789abcdef0 --listen 127.0.0.1:99999
	bad_input "invalid --http-tokens 'maybe'" as_customer devpay-metadata --instance i-0123456789abcdef0 \
		--listen 127.0.0.1:0 --http-tokens maybe
}
