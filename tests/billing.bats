#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# devpay-bill: the customer's bill and the owner's report, from the DevPay
# guide's worked example and the rules of devpay-bill(1).
bats_require_minimum_version 1.5.0
load helpers

setup() { fresh_store; }

A() { AWS_ACCESS_KEY=AKCUSTA000000000001 AWS_SECRET_KEY=a-secret "$@"; }
B() { AWS_ACCESS_KEY=AKCUSTB000000000001 AWS_SECRET_KEY=b-secret "$@"; }
C() { AWS_ACCESS_KEY=AKCUSTC000000000001 AWS_SECRET_KEY=c-secret "$@"; }

# Records with '|' for TAB, account ids and the product code masked, so a
# whole bill compares as text.
mask() {
	sed -E -e 's/\b[0-9]{12}\b/ACCOUNT/g' -e "s/${CODE:-NOCODE}/CODE/g" | tr '\t' '|'
}

# The guide's product: $20 a month, small/large/xlarge at 0.20/0.50/0.90.
guide_product() {
	CODE=$(at 2008-06-01T08:00:00Z as_owner devpay-register-product --name "ABC AMI" \
		--platform linux --instance-type m1.small=0.20 --instance-type m1.large=0.50 \
		--instance-type m1.xlarge=0.90 --monthly-fee 20 "$@" | code_of)
}

# who TIME: the party's own AMI carrying CODE, in AMI.
supported_ami() {
	local who=$1 t=$2
	AMI=$(at "$t" "$who" ec2-register "img-$RANDOM" --platform linux | ami_of)
	at "$t" "$who" ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
}

# who FROM TO TYPE: an instance of AMI running from FROM to TO.
ran() {
	local who=$1 from=$2 to=$3 type=$4 id
	id=$(at "$from" "$who" ec2-run-instances "$AMI" -t "$type" | inst_of)
	[ -n "$id" ] || fail "no instance launched"
	at "$to" "$who" ec2-terminate-instances "$id" >/dev/null
}

june_example() {
	guide_product
	local who
	for who in A B C; do
		supported_ami $who 2008-06-01T09:00:00Z
		eval "AMI_$who=$AMI"
	done
	at 2008-06-03T09:00:00Z A devpay-purchase-product "$CODE" >/dev/null
	at 2008-06-04T15:00:00Z B devpay-purchase-product "$CODE" >/dev/null
	at 2008-06-05T23:00:00Z C devpay-purchase-product "$CODE" >/dev/null
	AMI=$AMI_A ran A 2008-06-06T10:00:00Z 2008-06-06T12:30:00Z m1.large
	AMI=$AMI_A ran A 2008-06-07T08:00:00Z 2008-06-07T13:00:00Z m1.xlarge
	AMI=$AMI_B ran B 2008-06-08T00:00:00Z 2008-06-08T07:10:00Z m1.small
}

@test "guide example: customer A's June bill (whole output)" {
	june_example
	run --separate-stderr at 2008-07-01T00:00:00Z A devpay-bill --period 2008-06
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"BILL|ACCOUNT|2008-06|2008-06-01T00:00:00+0000|2008-07-01T00:00:00+0000|customer|
CHARGE|CODE|monthly|sign-up 2008-06-03, 28 of 30 days|28/30|20.00|18.67
CHARGE|CODE|usage|us-east-1 Linux/UNIX m1.large|3|0.50|1.50
CHARGE|CODE|usage|us-east-1 Linux/UNIX m1.xlarge|5|0.90|4.50
TOTAL|CODE|ABC AMI|24.67
TOTAL|ALL|total|24.67"
}

@test "guide example: customers B and C (whole outputs)" {
	june_example
	run at 2008-07-01T00:00:00Z B devpay-bill --period 2008-06
	assert_success
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"BILL|ACCOUNT|2008-06|2008-06-01T00:00:00+0000|2008-07-01T00:00:00+0000|customer|
CHARGE|CODE|monthly|sign-up 2008-06-04, 27 of 30 days|27/30|20.00|18.00
CHARGE|CODE|usage|us-east-1 Linux/UNIX m1.small|8|0.20|1.60
TOTAL|CODE|ABC AMI|19.60
TOTAL|ALL|total|19.60"
	run at 2008-07-01T00:00:00Z C devpay-bill --period 2008-06
	assert_success
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"BILL|ACCOUNT|2008-06|2008-06-01T00:00:00+0000|2008-07-01T00:00:00+0000|customer|
CHARGE|CODE|monthly|sign-up 2008-06-05, 26 of 30 days|26/30|20.00|17.33
TOTAL|CODE|ABC AMI|17.33
TOTAL|ALL|total|17.33"
}

@test "guide example: the owner's report per customer and in total (whole output)" {
	june_example
	local a b c
	a=$(at 2008-07-01T00:00:00Z A devpay-bill --period 2008-06 | field_of BILL 2)
	b=$(at 2008-07-01T00:00:00Z B devpay-bill --period 2008-06 | field_of BILL 2)
	c=$(at 2008-07-01T00:00:00Z C devpay-bill --period 2008-06 | field_of BILL 2)
	run --separate-stderr at 2008-07-01T00:00:00Z as_owner devpay-bill --period 2008-06 --product "$CODE"
	assert_success
	assert_equal "$stderr" ""
	# customers in account order; each line: revenue, AWS cost, value-add,
	# 3% + $0.30 fee, net
	local expect sorted
	sorted=$(printf '%s\n' \
		"CUSTOMER|CODE|$a|0.00|18.67|6.00|24.67|5.20|19.47|0.88|18.59|0.00" \
		"CUSTOMER|CODE|$b|0.00|18.00|1.60|19.60|0.80|18.80|0.86|17.94|0.00" \
		"CUSTOMER|CODE|$c|0.00|17.33|0.00|17.33|0.00|17.33|0.82|16.51|0.00" | sort -t'|' -k3,3)
	expect="BILL|OWNER|2008-06|2008-06-01T00:00:00+0000|2008-07-01T00:00:00+0000|owner|CODE
$sorted
TOTAL|CODE|one-time|0.00
TOTAL|CODE|monthly|54.00
TOTAL|CODE|usage|7.60
TOTAL|CODE|revenue|61.60
TOTAL|CODE|aws-cost|6.00
TOTAL|CODE|value-add|55.60
TOTAL|CODE|devpay-fee|2.56
TOTAL|CODE|net|53.04
TOTAL|CODE|owner-pays|0.00"
	local owner
	owner=$(printf '%s\n' "$output" | field_of BILL 2)
	assert_equal "$(printf '%s\n' "$output" | sed "s/$owner/OWNER/" | sed -E "s/$CODE/CODE/g" | tr '\t' '|')" \
		"$expect"
}

@test "owner report: -H prints one header line, the BILL record's" {
	june_example
	run at 2008-07-01T00:00:00Z as_owner devpay-bill --period 2008-06 --product "$CODE" -H
	assert_success
	assert_line --index 0 "$(printf 'Type\tAccount\tPeriod\tFrom\tTo\tRole\tProductCode')"
	assert_line --index 1 --regexp '^BILL'
	assert_equal "$(grep -c '^Type' <<<"$output")" 1
}

@test "owner report: refused to a customer, to anyone else, and for an unknown code" {
	june_example
	refused 1 AuthFailure at 2008-07-01T00:00:00Z A devpay-bill --period 2008-06 --product "$CODE"
	refused 1 AuthFailure at 2008-07-01T00:00:00Z as_other devpay-bill --period 2008-06 --product "$CODE"
	refused 1 InvalidProductCode.NotFound at 2008-07-01T00:00:00Z as_owner devpay-bill --product 0000ABCD
}

@test "owner report: a negative value-add is paid by the owner" {
	CODE=$(at 2008-06-01T00:00:00Z as_owner devpay-register-product --name Cheap --platform linux \
		--instance-type m1.xlarge=0.50 | code_of)
	supported_ami as_customer 2008-06-01T00:00:00Z
	at 2008-06-01T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	ran as_customer 2008-06-02T00:00:00Z 2008-06-02T10:00:00Z m1.xlarge
	run at 2008-07-01T00:00:00Z as_owner devpay-bill --period 2008-06 --product "$CODE"
	assert_success
	# revenue 10 x 0.50 = 5.00, AWS cost 10 x 0.80 = 8.00, value-add -3.00,
	# fee 0.30 only, net -3.30: the owner pays 3.30
	assert_equal "$(printf '%s\n' "$output" | grep '^CUSTOMER' | mask)" \
		"CUSTOMER|CODE|ACCOUNT|0.00|0.00|5.00|5.00|8.00|-3.00|0.30|-3.30|3.30"
	assert_line "$(printf 'TOTAL\t%s\towner-pays\t3.30' "$CODE")"
	assert_line "$(printf 'TOTAL\t%s\tvalue-add\t-3.00' "$CODE")"
}

@test "partial hours count as full hours, per instance" {
	guide_product
	supported_ami as_customer 2008-06-01T09:00:00Z
	at 2008-06-01T09:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	ran as_customer 2008-06-02T00:00:00Z 2008-06-02T00:00:01Z m1.small   # 1 s -> 1 h
	ran as_customer 2008-06-02T01:00:00Z 2008-06-02T02:01:00Z m1.small   # 61 min -> 2 h
	ran as_customer 2008-06-02T03:00:00Z 2008-06-02T05:00:00Z m1.small   # 2 h exactly -> 2 h
	ran as_customer 2008-06-02T06:00:00Z 2008-06-02T06:00:00Z m1.small   # launched and stopped at once -> 1 h
	run at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06
	assert_success
	assert_line "$(printf 'CHARGE\t%s\tusage\tus-east-1 Linux/UNIX m1.small\t6\t0.20\t1.20' "$CODE")"
}

@test "an instance across a month boundary bills each hour in the month it started" {
	guide_product
	supported_ami as_customer 2008-06-01T09:00:00Z
	at 2008-06-01T09:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	# hours start 22:30, 23:30 (June) and 00:30 (July); it stops at 01:10
	ran as_customer 2008-06-30T22:30:00Z 2008-07-01T01:10:00Z m1.large
	run at 2008-07-02T00:00:00Z as_customer devpay-bill --period 2008-06
	assert_line "$(printf 'CHARGE\t%s\tusage\tus-east-1 Linux/UNIX m1.large\t2\t0.50\t1.00' "$CODE")"
	run at 2008-07-02T00:00:00Z as_customer devpay-bill --period 2008-07
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"BILL|ACCOUNT|2008-07|2008-07-01T00:00:00+0000|2008-07-02T00:00:00+0000|customer|
CHARGE|CODE|monthly|2008-07|1|20.00|20.00
CHARGE|CODE|usage|us-east-1 Linux/UNIX m1.large|1|0.50|0.50
TOTAL|CODE|ABC AMI|20.50
TOTAL|ALL|total|20.50"
}

@test "month to date: the default period, a running instance billed up to now" {
	guide_product
	supported_ami as_customer 2008-06-01T09:00:00Z
	at 2008-06-01T09:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	at 2008-06-10T10:30:00Z as_customer ec2-run-instances "$AMI" -t m1.small >/dev/null
	run at 2008-06-10T12:00:00Z as_customer devpay-bill   # hours of 10:30 and 11:30
	assert_success
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"BILL|ACCOUNT|2008-06|2008-06-01T00:00:00+0000|2008-06-10T12:00:00+0000|customer|
CHARGE|CODE|monthly|sign-up 2008-06-01, 30 of 30 days|30/30|20.00|20.00
CHARGE|CODE|usage|us-east-1 Linux/UNIX m1.small|2|0.20|0.40
TOTAL|CODE|ABC AMI|20.40
TOTAL|ALL|total|20.40"
	# still running: at 01:00 on July 1st, July has its hour of 00:30 so far
	run at 2008-07-01T01:00:00Z as_customer devpay-bill
	assert_line "$(printf 'CHARGE\t%s\tusage\tus-east-1 Linux/UNIX m1.small\t1\t0.20\t0.20' "$CODE")"
}

@test "February: 29 days in 2008, 28 in 2009" {
	guide_product
	supported_ami as_customer 2008-06-01T09:00:00Z
	at 2008-02-10T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	run at 2008-03-01T00:00:00Z as_customer devpay-bill --period 2008-02
	assert_line "$(printf 'CHARGE\t%s\tmonthly\tsign-up 2008-02-10, 20 of 29 days\t20/29\t20.00\t13.79' "$CODE")"
	at 2009-02-01T00:00:00Z as_customer devpay-cancel-subscription "$CODE" >/dev/null
	at 2009-02-10T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	run at 2009-03-01T00:00:00Z as_customer devpay-bill --period 2009-02
	assert_equal "$(printf '%s\n' "$output" | grep '^CHARGE' | mask)" \
		"CHARGE|CODE|monthly|sign-up 2009-02-10, 19 of 28 days|19/28|20.00|13.57"
	# the month after a February sign-up is billed in full
	run at 2009-03-02T00:00:00Z as_customer devpay-bill
	assert_line "$(printf 'CHARGE\t%s\tmonthly\t2009-03\t1\t20.00\t20.00' "$CODE")"
}

@test "one-time fee: charged at every sign-up, never refunded" {
	CODE=$(at 2009-03-01T00:00:00Z as_owner devpay-register-product --name Once --platform linux \
		--instance-type m1.small=0.15 --one-time-fee 5 | code_of)
	at 2009-03-02T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	at 2009-03-03T00:00:00Z as_customer devpay-cancel-subscription "$CODE" >/dev/null
	at 2009-03-04T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	run at 2009-04-01T00:00:00Z as_customer devpay-bill --period 2009-03
	assert_success
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"BILL|ACCOUNT|2009-03|2009-03-01T00:00:00+0000|2009-04-01T00:00:00+0000|customer|
CHARGE|CODE|one-time|sign-up 2009-03-02|1|5.00|5.00
CHARGE|CODE|one-time|sign-up 2009-03-04|1|5.00|5.00
TOTAL|CODE|Once|10.00
TOTAL|ALL|total|10.00"
}

@test "cancellation refunds the unused days and stops usage at once" {
	guide_product
	supported_ami as_customer 2008-06-01T09:00:00Z
	at 2008-06-03T09:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	at 2008-06-16T08:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small >/dev/null
	# cancelled at 10:30: the instance is terminated with it (3 hours)
	at 2008-06-16T10:30:00Z as_customer devpay-cancel-subscription "$CODE" >/dev/null
	run at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"BILL|ACCOUNT|2008-06|2008-06-01T00:00:00+0000|2008-07-01T00:00:00+0000|customer|
CHARGE|CODE|monthly|sign-up 2008-06-03, 28 of 30 days|28/30|20.00|18.67
CHARGE|CODE|refund|cancelled 2008-06-16, 15 of 30 days unused|15/30|20.00|-10.00
CHARGE|CODE|usage|us-east-1 Linux/UNIX m1.small|3|0.20|0.60
TOTAL|CODE|ABC AMI|9.27
TOTAL|ALL|total|9.27"
	# nothing in July
	run at 2008-08-01T00:00:00Z as_customer devpay-bill --period 2008-07
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"BILL|ACCOUNT|2008-07|2008-07-01T00:00:00+0000|2008-08-01T00:00:00+0000|customer|
TOTAL|ALL|total|0.00"
}

@test "cancellation in a later month refunds from the full monthly charge" {
	guide_product
	at 2008-05-20T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	at 2008-06-21T12:00:00Z as_customer devpay-cancel-subscription "$CODE" >/dev/null
	run at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06
	assert_equal "$(printf '%s\n' "$output" | grep -E '^(CHARGE|TOTAL)' | mask)" \
"CHARGE|CODE|monthly|2008-06|1|20.00|20.00
CHARGE|CODE|refund|cancelled 2008-06-21, 10 of 30 days unused|10/30|20.00|-6.67
TOTAL|CODE|ABC AMI|13.33
TOTAL|ALL|total|13.33"
}

@test "a price change mid-month: hours before and after priced differently" {
	guide_product
	supported_ami as_customer 2008-06-01T09:00:00Z
	at 2008-06-01T09:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	at 2008-06-10T00:00:00Z as_owner devpay-modify-product "$CODE" --instance-type m1.small=0.30 \
		--effective 2008-06-15 >/dev/null
	# hours start 22:00 and 23:00 on the 14th (old price), 00:00 and 01:00 (new)
	ran as_customer 2008-06-14T22:00:00Z 2008-06-15T01:30:00Z m1.small
	run at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06
	assert_equal "$(printf '%s\n' "$output" | grep -E '^(CHARGE|TOTAL)' | mask)" \
"CHARGE|CODE|monthly|sign-up 2008-06-01, 30 of 30 days|30/30|20.00|20.00
CHARGE|CODE|usage|us-east-1 Linux/UNIX m1.small|2|0.20|0.40
CHARGE|CODE|usage|us-east-1 Linux/UNIX m1.small|2|0.30|0.60
TOTAL|CODE|ABC AMI|21.00
TOTAL|ALL|total|21.00"
}

@test "a monthly fee change applies from the next 1st for existing customers" {
	guide_product
	at 2008-06-01T09:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	at 2008-06-10T00:00:00Z as_owner devpay-modify-product "$CODE" --monthly-fee 30 \
		--effective 2008-06-15 >/dev/null
	run at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06
	assert_line "$(printf 'TOTAL\t%s\tABC AMI\t20.00' "$CODE")"
	run at 2008-07-02T00:00:00Z as_customer devpay-bill --period 2008-07
	assert_line "$(printf 'CHARGE\t%s\tmonthly\t2008-07\t1\t30.00\t30.00' "$CODE")"
}

@test "an account with nothing to pay gets an empty bill" {
	run --separate-stderr at 2008-07-01T00:00:00Z as_other devpay-bill --period 2008-06
	assert_success
	assert_equal "$(printf '%s\n' "$output" | mask)" \
"BILL|ACCOUNT|2008-06|2008-06-01T00:00:00+0000|2008-07-01T00:00:00+0000|customer|
TOTAL|ALL|total|0.00"
}

@test "bad input: period shape and a period not begun; the store unchanged" {
	guide_product
	at 2008-06-10T00:00:00Z as_customer devpay-bill >/dev/null   # the account exists
	local before
	before=$(store_sum)
	usage_refused as_customer devpay-bill --period 2008-13
	usage_refused as_customer devpay-bill --period June
	refused 1 InvalidParameterValue as_customer devpay-bill --product abc
	usage_refused as_customer devpay-bill extra
	refused 1 InvalidParameterValue at 2008-06-10T00:00:00Z as_customer devpay-bill --period 2008-07
	assert_equal "$(store_sum)" "$before"
}

@test "EC2 reference rates: every type on both platforms at DOMAIN.md's on-demand rate" {
	local lin win t i ids=()
	lin=$(as_customer ec2-register lin --platform linux | ami_of)
	win=$(as_customer ec2-register win --platform windows | ami_of)
	for t in m1.small c1.medium m1.large m1.xlarge c1.xlarge m2.xlarge t1.micro; do
		for i in "$lin" "$win"; do
			ids+=("$(at 2010-01-10T00:00:00Z as_customer ec2-run-instances "$i" -t $t | inst_of)")
		done
	done
	at 2010-01-10T01:00:00Z as_customer ec2-terminate-instances "${ids[@]}" >/dev/null
	run --separate-stderr at 2010-02-01T00:00:00Z as_customer devpay-bill --period 2010-01
	assert_success
	assert_equal "$(printf '%s\n' "$output" | grep '^CHARGE' | mask | sort)" "$(sort <<'RATES'
CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX m1.small on-demand|1|0.10|0.10
CHARGE|EC2|ec2-usage|us-east-1 Windows m1.small on-demand|1|0.125|0.13
CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX c1.medium on-demand|1|0.20|0.20
CHARGE|EC2|ec2-usage|us-east-1 Windows c1.medium on-demand|1|0.30|0.30
CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX m1.large on-demand|1|0.40|0.40
CHARGE|EC2|ec2-usage|us-east-1 Windows m1.large on-demand|1|0.50|0.50
CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX m1.xlarge on-demand|1|0.80|0.80
CHARGE|EC2|ec2-usage|us-east-1 Windows m1.xlarge on-demand|1|1.00|1.00
CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX c1.xlarge on-demand|1|0.80|0.80
CHARGE|EC2|ec2-usage|us-east-1 Windows c1.xlarge on-demand|1|1.20|1.20
CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX m2.xlarge on-demand|1|0.50|0.50
CHARGE|EC2|ec2-usage|us-east-1 Windows m2.xlarge on-demand|1|0.62|0.62
CHARGE|EC2|ec2-usage|us-east-1 Linux/UNIX t1.micro on-demand|1|0.02|0.02
CHARGE|EC2|ec2-usage|us-east-1 Windows t1.micro on-demand|1|0.03|0.03
RATES
)"
}

@test "the owner's AWS cost of Windows usage is at the Windows rate" {
	CODE=$(at 2010-01-01T00:00:00Z as_owner devpay-register-product --name W --platform windows \
		--instance-type m1.large=0.70 | code_of)
	AMI=$(at 2010-01-01T00:00:00Z as_customer ec2-register w --platform windows | ami_of)
	at 2010-01-01T00:00:00Z as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	at 2010-01-01T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	ran as_customer 2010-01-02T00:00:00Z 2010-01-02T02:00:00Z m1.large
	run --separate-stderr at 2010-02-01T00:00:00Z as_owner devpay-bill --period 2010-01 --product "$CODE"
	assert_success
	# revenue 2 x 0.70 = 1.40; AWS cost 2 x 0.50 (Windows m1.large) = 1.00; fee 3% of 0.40 + 0.30
	assert_equal "$(printf '%s\n' "$output" | grep '^CUSTOMER' | mask)" \
		"CUSTOMER|CODE|ACCOUNT|0.00|0.00|1.40|1.40|1.00|0.40|0.31|0.09|0.00"
}

@test "data transfer and tiered prices are not modelled, as devpay-bill(1) and devpay(7) say" {
	grep -qi 'data transfer' "$ROOT/man/man1/devpay-bill.1"
	grep -qi 'tiered' "$ROOT/man/man1/devpay-bill.1"
	grep -qi 'data transfer' "$ROOT/man/man7/devpay.7"
	grep -qi 'tiered' "$ROOT/man/man7/devpay.7"
	# no option prices them
	usage_refused as_owner devpay-register-product --name P --platform linux \
		--instance-type m1.small=1 --data-transfer-out 0.10
}

@test "devpay-bill: --help, unknown option" {
	run --separate-stderr devpay-bill --help
	assert_success
	assert_equal "$stderr" ""
	assert_output --partial "--period"
	usage_refused devpay-bill --bogus
}

@test "billing and reservation commands: every long option in the man page and the completion" {
	local c o
	for c in devpay-bill devpay-modify-product ec2-describe-reserved-instances-offerings \
		ec2-purchase-reserved-instances-offering ec2-describe-reserved-instances; do
		run mandoc -Tlint -Wwarning "$ROOT/man/man1/$c.1"
		assert_output ""
		bash -n "$ROOT/completions/$c" || fail "completion of $c"
		grep -q "^complete -F _[a-z0-9_]* $c\$" "$ROOT/completions/$c" || fail "complete line of $c"
		for o in $("$c" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
			grep -qF -- "Fl \\${o#-}" "$ROOT/man/man1/$c.1" || fail "$c: $o not in its man page"
			grep -qE -- "(^|[[:space:]'|])$o([[:space:]'|)]|\$)" "$ROOT/completions/$c" || fail "$c: $o not in its completion"
		done
	done
}

# A product in us-east-1 and eu-west-1 at $0.20, used 10 hours in each
# region in May 2026.
two_regions() {
	CODE=$(at 2026-05-01T00:00:00Z as_owner devpay-register-product --name R --platform linux \
		--instance-type m1.small=0.20 --region us-east-1 --region eu-west-1 | code_of)
	at 2026-05-01T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	local r id
	for r in "$@"; do
		AMI=$(at 2026-05-01T00:00:00Z as_customer ec2-register "img-$r" --platform linux --region "$r" | ami_of)
		at 2026-05-01T00:00:00Z as_customer ec2-associate-product-code "$AMI" -p "$CODE" --region "$r" >/dev/null
		id=$(at 2026-05-02T00:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small --region "$r" | inst_of)
		[ -n "$id" ] || fail "no instance launched in $r"
		at 2026-05-02T10:00:00Z as_customer ec2-terminate-instances "$id" --region "$r" >/dev/null
	done
}

@test "owner report: AWS cost at the rate of the instance's region (data/rates)" {
	# m1.small Linux since 2014-04-01: us-east-1 0.044, eu-west-1 0.048
	two_regions us-east-1
	run at 2026-06-01T00:00:00Z as_owner devpay-bill --period 2026-05 --product "$CODE"
	assert_success
	assert_line "$(printf 'TOTAL\t%s\taws-cost\t0.44' "$CODE")"
	two_regions eu-west-1
	run at 2026-06-01T00:00:00Z as_owner devpay-bill --period 2026-05 --product "$CODE"
	assert_success
	assert_line "$(printf 'TOTAL\t%s\taws-cost\t0.48' "$CODE")"
	# 2.00 revenue - 0.48 = 1.52 value-add; fee 0.30 + 0.0456 = 0.35; net 1.17
	assert_line "$(printf 'TOTAL\t%s\tvalue-add\t1.52' "$CODE")"
}

@test "owner report: DEVPAY_RATES overrides a rate; a malformed file is refused naming its line" {
	local_only
	two_regions us-east-1
	printf '# mine\nus-east-1 linux m1.small 2026-01-01 0.10\n' >"$BATS_TEST_TMPDIR/my.rates"
	run env DEVPAY_RATES="$BATS_TEST_TMPDIR/my.rates" DEVPAY_NOW=2026-06-01T00:00:00Z \
		AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET devpay-bill --period 2026-05 --product "$CODE"
	assert_success
	assert_line "$(printf 'TOTAL\t%s\taws-cost\t1.00' "$CODE")"
	printf 'us-east-1 linux m1.small 2026-01-01 0.10\nus-east-1 linux m1.small 2026-13-01 0.10\n' \
		>"$BATS_TEST_TMPDIR/bad.rates"
	run env DEVPAY_RATES="$BATS_TEST_TMPDIR/bad.rates" DEVPAY_NOW=2026-06-01T00:00:00Z \
		AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET devpay-bill --period 2026-05 --product "$CODE"
	assert_failure 2
	assert_output --partial "bad.rates:2: invalid date '2026-13-01': expected YYYY-MM-DD"
	assert_equal "$(grep -c . <<<"$output")" 2  # the line, and "Try --help"
}

@test "devpayd --rates: a malformed file is a usage error naming file:line" {
	printf 'us-east-1 linux m1.small 2026-01-01\n' >"$BATS_TEST_TMPDIR/bad.rates"
	run devpayd --rates "$BATS_TEST_TMPDIR/bad.rates" --store "$BATS_TEST_TMPDIR/x.db" --listen 127.0.0.1:1
	assert_failure 2
	assert_line --index 0 --partial "bad.rates:1: expected 5 fields"
	run devpayd --rates "$BATS_TEST_TMPDIR/none.rates" --store "$BATS_TEST_TMPDIR/x.db" --listen 127.0.0.1:1
	assert_failure 2
	assert_line --index 0 --partial "none.rates: No such file or directory"
}

# every instance id of a launch's records, in order
all_inst() { grep '^INSTANCE' | grep -oE '\bi-[0-9a-f]{8,17}\b'; }

@test "alike instances of one launch bill as one times their count; each ended apart counts its own hours" {
	guide_product
	supported_ami as_customer 2008-06-01T09:00:00Z
	at 2008-06-01T09:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	run at 2008-06-02T00:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small -n 5
	assert_success
	local ids
	mapfile -t ids < <(printf '%s\n' "$output" | all_inst)
	[ "${#ids[@]}" -eq 5 ]
	# two end after 90 minutes (2 h each), one after 3 h 10 (4 h); ending
	# one again changes nothing; the other two run to the cancellation
	at 2008-06-02T01:30:00Z as_customer ec2-terminate-instances "${ids[0]}" "${ids[1]}" >/dev/null
	at 2008-06-02T03:10:00Z as_customer ec2-terminate-instances "${ids[2]}" >/dev/null
	at 2008-06-02T05:00:00Z as_customer ec2-terminate-instances "${ids[2]}" >/dev/null
	# cancelled at 10:30 on the 2nd: the two left ran 11 h each
	at 2008-06-02T10:30:00Z as_customer devpay-cancel-subscription "$CODE" >/dev/null
	run at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06
	assert_success
	# 2 + 2 + 4 + 11 + 11 = 30 hours
	assert_line "$(printf 'CHARGE\t%s\tusage\tus-east-1 Linux/UNIX m1.small\t30\t0.20\t6.00' "$CODE")"
	run at 2008-07-01T00:00:00Z as_owner devpay-bill --period 2008-06 --product "$CODE"
	assert_success
	# usage 30 h at 0.20, AWS cost 30 h at EC2's 0.10
	assert_line --regexp "^CUSTOMER	$CODE	[0-9]{12}	0\.00	0\.67	6\.00	6\.67	3\.00	3\.67	"
}


# What the bills read (service/usage.c) against what it rolls up.
usage_rollup()   { sqlite3 "$DEVPAY_STORE" "SELECT owner, product_code, terminated, launched, region, platform, type, n FROM instance_usage ORDER BY 1, 2, 3, 4, 5, 6, 7"; }
usage_expected() { sqlite3 "$DEVPAY_STORE" "SELECT owner, coalesce(product_code, ''), coalesce(terminated, 9223372036854775807), launched, region, platform, type, count(*) FROM instances GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7"; }

@test "the billing roll-up follows launches, terminations and cancellations exactly; a store made before it is filled on upgrade" {
	local_only
	guide_product
	supported_ami as_customer 2008-06-01T09:00:00Z
	at 2008-06-01T09:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	local plain ids
	plain=$(at 2008-06-01T09:00:00Z as_customer ec2-register plain --platform linux | ami_of)
	mapfile -t ids < <(at 2008-06-02T00:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small -n 4 | all_inst)
	at 2008-06-02T00:00:00Z as_customer ec2-run-instances "$AMI" -t m1.large -n 2 >/dev/null
	at 2008-06-02T00:00:00Z as_customer ec2-run-instances "$plain" -t m1.small -n 3 >/dev/null
	at 2008-06-02T00:00:07Z as_customer ec2-run-instances "$AMI" -t m1.small -n 2 >/dev/null
	at 2008-06-02T02:00:00Z as_customer ec2-terminate-instances "${ids[0]}" "${ids[1]}" >/dev/null
	at 2008-06-02T02:00:00Z as_customer ec2-terminate-instances "${ids[0]}" >/dev/null
	at 2008-06-02T03:00:00Z as_customer ec2-terminate-instances "${ids[2]}" >/dev/null
	assert_equal "$(usage_rollup)" "$(usage_expected)"
	# 11 instances in 6 groups: two ended at 02:00, one at 03:00, and the
	# running small, large, plain and 00:00:07 launches
	[ "$(sqlite3 "$DEVPAY_STORE" 'SELECT count(*) FROM instance_usage')" -eq 6 ]
	at 2008-06-02T04:00:00Z as_customer devpay-cancel-subscription "$CODE" >/dev/null
	assert_equal "$(usage_rollup)" "$(usage_expected)"
	# no group of ended instances stays counted as running
	assert_equal "$(sqlite3 "$DEVPAY_STORE" "SELECT count(*) FROM instance_usage WHERE product_code <> '' AND terminated = 9223372036854775807")" 0
	run at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06
	assert_success
	local bill=$output
	# a store of schema 11 (no roll-up) is filled from its instances when opened
	sqlite3 "$DEVPAY_STORE" "DROP TABLE instance_usage; PRAGMA user_version = 11"
	run at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06
	assert_success
	assert_equal "$output" "$bill"
	assert_equal "$(usage_rollup)" "$(usage_expected)"
}

@test "report: each customer once, in the order of their ids, whether subscribed, with instances alive, or both (300 customers)" {
	local_only
	guide_product
	# written straight into the store: 310 accounts; 000-199 subscribed
	# through June; 100-299 with instances alive in June, each in four
	# roll-up rows (launches at different seconds: running, ended in June,
	# ended before it, ended after it), so 100-199 are both; 300-309 only
	# with instances that ended before June, not customers of June; the
	# product's owner, running his own product, never is
	local jun jul owner
	jun=$(date -u -d 2008-06-01 +%s) jul=$(date -u -d 2008-07-01 +%s)
	owner=$(sqlite3 "$DEVPAY_STORE" "SELECT owner FROM products WHERE code = '$CODE'")
	sqlite3 "$DEVPAY_STORE" <<SQL
BEGIN;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 309)
INSERT INTO accounts(id, access_key, secret, created)
  SELECT printf('7%011d', (k * 7919) % 310), printf('AKFILL%014d', k), 'fill-secret', 0 FROM n;
INSERT INTO subscriptions(code, account, started)
  SELECT '$CODE', id, $jun - 86400 FROM accounts
  WHERE access_key LIKE 'AKFILL%' AND CAST(substr(id, 2) AS INTEGER) < 200;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 799)
INSERT INTO instance_usage(owner, product_code, terminated, launched, region, platform, type, batch, n)
  SELECT printf('7%011d', 100 + k % 200), '$CODE',
         CASE k / 200 WHEN 0 THEN 9223372036854775807 WHEN 1 THEN $jun + 3600 + k
                      WHEN 2 THEN $jun - 3600 ELSE $jul + 60 END,
         $jun - 86400 + k, 'us-east-1', 0, 'm1.small', '', 1 + k % 3 FROM n;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 9)
INSERT INTO instance_usage(owner, product_code, terminated, launched, region, platform, type, batch, n)
  SELECT printf('7%011d', 300 + k), '$CODE', $jun - 60, $jun - 86400, 'us-east-1', 0, 'm1.small', '', 1 FROM n;
INSERT INTO instance_usage(owner, product_code, terminated, launched, region, platform, type, batch, n)
  VALUES ('$owner', '$CODE', 9223372036854775807, $jun, 'us-east-1', 0, 'm1.small', '', 1);
COMMIT;
SQL
	run at 2008-07-01T00:00:00Z as_owner devpay-bill --period 2008-06 --product "$CODE"
	assert_success
	local want
	want=$(sqlite3 "$DEVPAY_STORE" "SELECT id FROM accounts WHERE access_key LIKE 'AKFILL%'
		AND CAST(substr(id, 2) AS INTEGER) < 300 ORDER BY id")
	assert_equal "$(awk -F'\t' '$1 == "CUSTOMER" { print $3 }' <<<"$output")" "$want"
	assert_equal "$(grep -c '^CUSTOMER' <<<"$output")" 300
	refute_line --regexp "^CUSTOMER	$CODE	$owner	"
}
