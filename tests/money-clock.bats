#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Money (int64 micro-dollars, parsed and printed as decimal strings) and the
# one clock (DEVPAY_NOW), through the commands that show them.
bats_require_minimum_version 1.5.0
load helpers
load checks

# price_of AMOUNT: the hourly price as a PRICE record prints it.
price_of() {
	as_owner devpay-register-product --name "p$RANDOM" --platform linux \
		--instance-type "m1.small=$1" | field_of PRICE 4
}

@test "money: whole, cents, sub-cent and the largest amount keep their value" {
	assert_equal "$(price_of 0)" 0.00
	assert_equal "$(price_of 7)" 7.00
	assert_equal "$(price_of 0.2)" 0.20
	assert_equal "$(price_of 0.125)" 0.125
	assert_equal "$(price_of 0.000001)" 0.000001
	assert_equal "$(price_of 12.345678)" 12.345678
	assert_equal "$(price_of 0010.50)" 10.50
	assert_equal "$(price_of '$3')" 3.00
	assert_equal "$(price_of 1000000000)" 1000000000.00
	assert_equal "$(price_of 999999999.999999)" 999999999.999999
	assert_equal "$(price_of 1000000000.000000)" 1000000000.00
}

@test "money: fees print the same way" {
	run as_owner devpay-register-product --name P --platform linux --instance-type m1.small=1 \
		--one-time-fee 0.5 --monthly-fee 19.999
	assert_success
	assert_equal "$(field_of PRODUCT 7 <<<"$output")${T}$(field_of PRODUCT 8 <<<"$output")" "0.50${T}19.999"
}

@test "money: over a billion dollars, signs, exponents and locales are bad input" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	local p
	for p in 1000000000.000001 1000000001 9999999999999999999999 +1 -0 1e2 1,50 '1 000' 'USD1' '$-1' '$'; do
		bad_input "invalid price '$p'" as_owner devpay-register-product --name X --platform linux \
			--instance-type "m1.small=$p"
	done
}

@test "clock: DEVPAY_NOW in each accepted ISO 8601 UTC form" {
	local in out
	while IFS=' ' read -r in out; do
		run at "$in" as_owner devpay-register-product --name "t$RANDOM" --platform linux --instance-type m1.small=1
		assert_success
		assert_equal "$(field_of PRICE 5 <<<"$output")" "$out"
	done <<-EOF
		2009-06-08 2009-06-08T00:00:00+0000
		2009-06-08T01:02:03Z 2009-06-08T01:02:03+0000
		2009-06-08T01:02:03.456Z 2009-06-08T01:02:03+0000
		2009-06-08T01:02:03+0000 2009-06-08T01:02:03+0000
		2009-06-08T01:02:03+00:00 2009-06-08T01:02:03+0000
		2008-02-29T23:59:59Z 2008-02-29T23:59:59+0000
		1970-01-01 1970-01-01T00:00:00+0000
		2038-01-19T03:14:08Z 2038-01-19T03:14:08+0000
		EOF
}

@test "clock: a DEVPAY_NOW that is not an ISO 8601 UTC time is a usage error, nothing written" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	local t
	for t in yesterday 2009-02-29 2009-13-01 2009-06-31 2009-06-08T24:00:00Z 2009-06-08T01:02:03+0100 \
		1969-12-31 2009-6-8 2009-06-08T01:02Z; do
		DEVPAY_NOW=$t bad_input "DEVPAY_NOW '$t' is not an ISO 8601 UTC time" \
			as_owner devpay-register-product --name X --platform linux --instance-type m1.small=1
	done
}

@test "clock: without DEVPAY_NOW the real clock is used" {
	local before after t
	before=$(date -u +%s)
	t=$(as_owner devpay-register-product --name P --platform linux --instance-type m1.small=1 | field_of PRICE 5)
	after=$(date -u +%s)
	t=$(date -u -d "${t/+0000/Z}" +%s)
	[ "$t" -ge "$before" ] && [ "$t" -le "$after" ]
}
