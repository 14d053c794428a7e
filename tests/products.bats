#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Products and subscriptions: devpay-register-product, devpay-describe-products,
# devpay-purchase-product, devpay-cancel-subscription.
bats_require_minimum_version 1.5.0
load helpers
load checks

# --- devpay-register-product ------------------------------------------------

@test "register-product: a PRODUCT record then one PRICE record per region, platform and type, whole output" {
	run --separate-stderr at 2009-06-03T10:00:00Z as_owner devpay-register-product \
		--name "ABC AMI" --description "Supported AMI for ABC" \
		--platform linux --platform windows --region eu-west-1 --region us-east-1 \
		--instance-type m1.small=0.20 --instance-type m1.large=0.5 --instance-type c1.xlarge=0.125 \
		--one-time-fee 1.5 --monthly-fee '$20'
	assert_success
	assert_equal "$stderr" ""
	local code acct token
	code=$(field_of PRODUCT 2 <<<"$output")
	acct=$(field_of PRODUCT 4 <<<"$output")
	token=$(field_of PRODUCT 9 <<<"$output")
	[[ "$code" =~ ^[0-9A-F]{8}$ ]] || fail "code '$code' is not 8 upper-case hex digits"
	[[ "$acct" =~ ^[1-9][0-9]{11}$ ]] || fail "owner '$acct' is not a 12-digit account"
	[[ "$token" =~ ^\{ProductToken\}[A-Za-z0-9+/=]{16,}$ ]] || fail "token '$token'"
	assert_equal "$output" "PRODUCT${T}$code${T}ABC AMI${T}$acct${T}linux,windows${T}eu-west-1,us-east-1${T}1.50${T}20.00${T}$token${T}$PURCHASE_URL$code${T}Supported AMI for ABC
PRICE${T}$code${T}c1.xlarge${T}0.125${T}2009-06-03T10:00:00+0000${T}linux${T}eu-west-1
PRICE${T}$code${T}m1.small${T}0.20${T}2009-06-03T10:00:00+0000${T}linux${T}eu-west-1
PRICE${T}$code${T}m1.large${T}0.50${T}2009-06-03T10:00:00+0000${T}linux${T}eu-west-1
PRICE${T}$code${T}c1.xlarge${T}0.125${T}2009-06-03T10:00:00+0000${T}windows${T}eu-west-1
PRICE${T}$code${T}m1.small${T}0.20${T}2009-06-03T10:00:00+0000${T}windows${T}eu-west-1
PRICE${T}$code${T}m1.large${T}0.50${T}2009-06-03T10:00:00+0000${T}windows${T}eu-west-1
PRICE${T}$code${T}c1.xlarge${T}0.125${T}2009-06-03T10:00:00+0000${T}linux${T}us-east-1
PRICE${T}$code${T}m1.small${T}0.20${T}2009-06-03T10:00:00+0000${T}linux${T}us-east-1
PRICE${T}$code${T}m1.large${T}0.50${T}2009-06-03T10:00:00+0000${T}linux${T}us-east-1
PRICE${T}$code${T}c1.xlarge${T}0.125${T}2009-06-03T10:00:00+0000${T}windows${T}us-east-1
PRICE${T}$code${T}m1.small${T}0.20${T}2009-06-03T10:00:00+0000${T}windows${T}us-east-1
PRICE${T}$code${T}m1.large${T}0.50${T}2009-06-03T10:00:00+0000${T}windows${T}us-east-1"
}

@test "register-product: defaults are no fees, no description, the caller's region" {
	run --separate-stderr at 2010-01-01 as_owner devpay-register-product --name Plain \
		--platform linux --instance-type t1.micro=0.03
	assert_success
	local code acct token
	code=$(code_of <<<"$output")
	acct=$(field_of PRODUCT 4 <<<"$output")
	token=$(field_of PRODUCT 9 <<<"$output")
	assert_equal "$output" "PRODUCT${T}$code${T}Plain${T}$acct${T}linux${T}us-east-1${T}0.00${T}0.00${T}$token${T}$PURCHASE_URL$code${T}
PRICE${T}$code${T}t1.micro${T}0.03${T}2010-01-01T00:00:00+0000${T}linux${T}us-east-1"
}

@test "register-product: the caller's region comes from EC2_REGION, then AWS_DEFAULT_REGION" {
	run env EC2_REGION=eu-west-1 AWS_DEFAULT_REGION=sa-east-1 \
		AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET \
		devpay-register-product --name R1 --platform linux --instance-type m1.small=1
	assert_success
	assert_equal "$(field_of PRODUCT 6 <<<"$output")" eu-west-1
	run env AWS_DEFAULT_REGION=sa-east-1 AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET \
		devpay-register-product --name R2 --platform linux --instance-type m1.small=1
	assert_success
	assert_equal "$(field_of PRODUCT 6 <<<"$output")" sa-east-1
}

@test "register-product: its own repeatable --region is the product's regions, not the caller's" {
	EC2_REGION=eu-west-1 run as_owner devpay-register-product --name R --platform linux \
		--instance-type m1.small=1 --region us-west-2 --region ap-northeast-1 --region us-west-2
	assert_success
	assert_equal "$(field_of PRODUCT 6 <<<"$output")" ap-northeast-1,us-west-2
}

@test "register-product: codes are unique over many registrations, each URL carries its code" {
	local codes=() i out code
	for i in $(seq 40); do
		out=$(as_owner devpay-register-product --name "P$i" --platform linux --instance-type m1.small=0.2)
		code=$(code_of <<<"$out")
		[[ "$code" =~ ^[0-9A-F]{8}$ ]] || fail "registration $i: code '$code'"
		[[ "$(field_of PRODUCT 10 <<<"$out")" == "$PURCHASE_URL$code" ]] || fail "URL of $code"
		[[ "$(field_of PRODUCT 9 <<<"$out")" == "{ProductToken}"?* ]] || fail "token of $code"
		codes+=("$code")
	done
	assert_equal "$(printf '%s\n' "${codes[@]}" | sort -u | wc -l)" 40
	assert_equal "$(as_owner devpay-describe-products | grep -c '^PRODUCT')" 40
}

@test "register-product: tokens differ from product to product" {
	local a b
	a=$(as_owner devpay-register-product --name A --platform linux --instance-type m1.small=1 | field_of PRODUCT 9)
	b=$(as_owner devpay-register-product --name B --platform linux --instance-type m1.small=1 | field_of PRODUCT 9)
	[ "$a" != "$b" ]
}

@test "register-product: prices with up to 6 decimals, zero, and a leading \$ are accepted" {
	run as_owner devpay-register-product --name Exact --platform linux \
		--instance-type m1.small=0 --instance-type t1.micro=0.000001 --instance-type m1.xlarge='$1000000000'
	assert_success
	assert_equal "$(grep '^PRICE' <<<"$output" | cut -f3,4)" "m1.small${T}0.00
t1.micro${T}0.000001
m1.xlarge${T}1000000000.00"
}

@test "register-product: a malformed price is bad input" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	local p
	for p in abc 1.2.3 1,5 1. .5 '' 1e3 ' 1' 0x10 1000000001; do
		bad_input "invalid price '$p'" as_owner devpay-register-product --name X --platform linux \
			--instance-type "m1.small=$p"
	done
}

@test "register-product: a negative price is bad input" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	bad_input "invalid price '-0.20'" as_owner devpay-register-product --name X --platform linux \
		--instance-type m1.small=-0.20
	bad_input "invalid --monthly-fee '-1'" as_owner devpay-register-product --name X --platform linux \
		--instance-type m1.small=1 --monthly-fee -1
}

@test "register-product: more than 6 decimal places is bad input" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	bad_input "invalid price '0.1234567'" as_owner devpay-register-product --name X --platform linux \
		--instance-type m1.small=0.1234567
	bad_input "invalid --one-time-fee '1.0000001'" as_owner devpay-register-product --name X \
		--platform linux --instance-type m1.small=1 --one-time-fee 1.0000001
}

@test "register-product: TYPE without =PRICE is bad input" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	bad_input "expected TYPE=PRICE" as_owner devpay-register-product --name X --platform linux \
		--instance-type m1.small
}

@test "register-product: an unknown instance type is bad input" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	bad_input "invalid instance type 'm9.huge'" as_owner devpay-register-product --name X \
		--platform linux --instance-type m9.huge=1
	bad_input "invalid instance type ''" as_owner devpay-register-product --name X \
		--platform linux --instance-type =1
}

@test "register-product: an unknown platform is bad input" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	bad_input "invalid platform 'solaris'" as_owner devpay-register-product --name X \
		--platform solaris --instance-type m1.small=1
}

@test "register-product: an unknown region is bad input" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	bad_input "invalid region 'mars-1'" as_owner devpay-register-product --name X \
		--platform linux --instance-type m1.small=1 --region mars-1
}

@test "register-product: --name, --platform and --instance-type are required" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	bad_input "missing --name" as_owner devpay-register-product --platform linux --instance-type m1.small=1
	bad_input "missing --name" as_owner devpay-register-product --name "" --platform linux --instance-type m1.small=1
	bad_input "missing --platform" as_owner devpay-register-product --name X --instance-type m1.small=1
	bad_input "missing --instance-type" as_owner devpay-register-product --name X --platform linux
	bad_input "unexpected argument 'extra'" as_owner devpay-register-product --name X \
		--platform linux --instance-type m1.small=1 extra
}

@test "register-product: a type priced twice is refused, nothing registered" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	refused_same 1 InvalidParameterValue "'m1.small' is priced twice" \
		as_owner devpay-register-product --name X --platform linux \
		--instance-type m1.small=1 --instance-type m1.small=2
}

@test "register-product: a name over 256 characters is refused, nothing registered" {
	as_owner devpay-register-product --name Seed --platform linux --instance-type m1.small=1 >/dev/null
	refused_same 1 InvalidParameterValue "longer than 256" as_owner devpay-register-product \
		--name "$(printf 'n%.0s' $(seq 257))" --platform linux --instance-type m1.small=1
	run as_owner devpay-register-product --name "$(printf 'n%.0s' $(seq 256))" --platform linux \
		--instance-type m1.small=1
	assert_success
}

@test "register-product: a tab or newline in a name or description is refused, nothing stored" {
	as_owner devpay-describe-products >/dev/null
	local before; before=$(store_sum)
	refused 1 InvalidParameterValue as_owner devpay-register-product --name "a${T}b" \
		--platform linux --instance-type m1.small=1
	[[ "$stderr" == *"parameter Name is invalid: it contains the control character U+0009"* ]] || fail "$stderr"
	refused 1 InvalidParameterValue as_owner devpay-register-product --name ab \
		--description $'line 1\nline 2' --platform linux --instance-type m1.small=1
	[[ "$stderr" == *"parameter Description is invalid: it contains the control character U+000A"* ]] || fail "$stderr"
	assert_equal "$(store_sum)" "$before"
	# spaces and any printable Unicode are text
	run as_owner devpay-register-product --name "a b é 製品" --description "line 1 line 2" \
		--platform linux --instance-type m1.small=1
	assert_success
	assert_equal "$(field_of PRODUCT 3 <<<"$output")" "a b é 製品"
	assert_equal "$(field_of PRODUCT 11 <<<"$output")" "line 1 line 2"
}

# --- devpay-describe-products -----------------------------------------------

@test "describe-products: without arguments, the caller's own products in registration order" {
	local a b o
	a=$(at 2009-06-01 new_product First)
	b=$(at 2009-06-02 new_product Second)
	o=$(as_other devpay-register-product --name Theirs --platform linux --instance-type m1.small=1 | code_of)
	run --separate-stderr at 2009-07-01 as_owner devpay-describe-products
	assert_success
	assert_equal "$(grep '^PRODUCT' <<<"$output" | cut -f2,3)" "$a${T}First
$b${T}Second"
	assert_equal "$(grep '^PRICE' <<<"$output" | cut -f2-)" "$a${T}m1.small${T}0.20${T}2009-06-01T00:00:00+0000${T}linux${T}us-east-1
$b${T}m1.small${T}0.20${T}2009-06-02T00:00:00+0000${T}linux${T}us-east-1"
	run as_other devpay-describe-products
	assert_success
	assert_equal "$(grep '^PRODUCT' <<<"$output" | cut -f2)" "$o"
	run --separate-stderr as_customer devpay-describe-products
	assert_success
	assert_equal "$output" ""
	assert_equal "$stderr" ""
}

@test "describe-products: the owner sees the registration record again, token included" {
	local reg
	reg=$(at 2009-06-01 as_owner devpay-register-product --name P --description D --platform linux \
		--instance-type m1.small=0.20 --monthly-fee 20)
	run at 2009-07-01 as_owner devpay-describe-products "$(code_of <<<"$reg")"
	assert_success
	assert_equal "$output" "$reg"
}

@test "describe-products: anyone may describe a product by code; the token is hidden from them" {
	local reg code
	reg=$(at 2009-06-01 as_owner devpay-register-product --name P --platform linux --platform windows \
		--instance-type m1.small=0.20 --one-time-fee 5)
	code=$(code_of <<<"$reg")
	run --separate-stderr at 2009-07-01 as_customer devpay-describe-products "$code"
	assert_success
	assert_equal "$stderr" ""
	# the same record with field 9 (the token) empty
	assert_equal "$output" "$(awk -F'\t' -v OFS='\t' '$1 == "PRODUCT" { $9 = "" } { print }' <<<"$reg")"
	[[ "$output" != *"{ProductToken}"* ]]
}

@test "describe-products: several codes print in the order given" {
	local a b
	a=$(new_product A)
	b=$(new_product B)
	run as_customer devpay-describe-products "$b" "$a"
	assert_success
	assert_equal "$(grep '^PRODUCT' <<<"$output" | cut -f2)" "$b
$a"
}

@test "describe-products: an unknown code is refused" {
	new_product A >/dev/null
	enrol as_customer
	refused_same 1 InvalidProductCode.NotFound "'0BADC0DE' does not exist" \
		as_customer devpay-describe-products 0BADC0DE
	local a
	a=$(new_product B)
	refused_same 1 InvalidProductCode.NotFound "'0BADC0DE'" \
		as_customer devpay-describe-products "$a" 0BADC0DE
}

@test "describe-products: a malformed code is refused by the service" {
	new_product A >/dev/null
	enrol as_customer
	local c
	for c in abc 774f4ff8 774F4FF 774F4FF80 774G4FF8 ''; do
		refused_same 1 InvalidParameterValue "Invalid product code '$c'" as_customer devpay-describe-products "$c"
	done
}

# --- devpay-purchase-product, devpay-cancel-subscription --------------------

@test "purchase: by code, a SUBSCRIPTION record, whole output" {
	local code acct
	code=$(new_product P)
	run --separate-stderr at 2009-06-03T10:00:00Z as_customer devpay-purchase-product "$code"
	assert_success
	assert_equal "$stderr" ""
	acct=$(field_of SUBSCRIPTION 3 <<<"$output")
	[[ "$acct" =~ ^[1-9][0-9]{11}$ ]] || fail "account '$acct'"
	assert_equal "$output" "SUBSCRIPTION${T}$code${T}$acct${T}active${T}2009-06-03T10:00:00+0000${T}"
}

@test "purchase: by the purchase URL the product record gives" {
	local url code
	url=$(as_owner devpay-register-product --name P --platform linux --instance-type m1.small=1 | field_of PRODUCT 10)
	code=${url##*[=/]} # DevPay's URL (offeringCode=), or devpayd's page (/purchase/CODE)
	run at 2009-06-03 as_customer devpay-purchase-product "$url"
	assert_success
	assert_equal "$(cut -f1,2,4,5 <<<"$output")" "SUBSCRIPTION${T}$code${T}active${T}2009-06-03T00:00:00+0000"
	# extra URL parameters around the code do not matter
	run as_other devpay-purchase-product "${url%%\?*}?ref=x&offeringCode=$code#top"
	assert_success
	assert_equal "$(field_of SUBSCRIPTION 2 <<<"$output")" "$code"
}

@test "purchase: already subscribed is refused, by code or by URL" {
	local code
	code=$(new_product P)
	as_customer devpay-purchase-product "$code" >/dev/null
	refused_same 1 SubscriptionAlreadyExists "already subscribed to product $code" \
		as_customer devpay-purchase-product "$code"
	refused_same 1 SubscriptionAlreadyExists "already subscribed" \
		as_customer devpay-purchase-product "$PURCHASE_URL$code"
}

@test "purchase: allowed again after a cancel; cancel prints start and end" {
	local code acct
	code=$(new_product P)
	at 2009-06-03 as_customer devpay-purchase-product "$code" >/dev/null
	run at 2009-06-10T12:00:00Z as_customer devpay-cancel-subscription "$code"
	assert_success
	acct=$(field_of SUBSCRIPTION 3 <<<"$output")
	assert_equal "$output" "SUBSCRIPTION${T}$code${T}$acct${T}cancelled${T}2009-06-03T00:00:00+0000${T}2009-06-10T12:00:00+0000"
	run at 2009-06-20 as_customer devpay-purchase-product "$code"
	assert_success
	assert_equal "$output" "SUBSCRIPTION${T}$code${T}$acct${T}active${T}2009-06-20T00:00:00+0000${T}"
	refused_same 1 SubscriptionAlreadyExists "" as_customer devpay-purchase-product "$code"
}

@test "purchase: subscriptions are per account" {
	local code
	code=$(new_product P)
	as_customer devpay-purchase-product "$code" >/dev/null
	run as_other devpay-purchase-product "$code"
	assert_success
	# the owner is never a customer of his own product
	refused 1 OperationNotPermitted as_owner devpay-purchase-product "$code"
}

@test "purchase: an unknown code is refused" {
	new_product P >/dev/null
	enrol as_customer
	refused_same 1 InvalidProductCode.NotFound "'0BADC0DE' does not exist" \
		as_customer devpay-purchase-product 0BADC0DE
	refused_same 1 InvalidProductCode.NotFound "'0BADC0DE' does not exist" \
		as_customer devpay-purchase-product "${PURCHASE_URL}0BADC0DE"
}

@test "purchase: a malformed code or URL is refused by the service, a wrong argument count is bad input" {
	new_product P >/dev/null
	enrol as_customer
	refused_same 1 InvalidParameterValue "Invalid product code 'abc'" as_customer devpay-purchase-product abc
	refused_same 1 InvalidParameterValue "Invalid product code 'ZZZ'" as_customer devpay-purchase-product "${PURCHASE_URL}ZZZ"
	refused_same 1 InvalidParameterValue "Invalid product code 'https://example.com/'" as_customer devpay-purchase-product https://example.com/
	bad_input "missing product code" as_customer devpay-purchase-product
	bad_input "too many arguments" as_customer devpay-purchase-product 774F4FF8 774F4FF8
}

@test "cancel: not subscribed is refused" {
	local code
	code=$(new_product P)
	enrol as_customer
	refused_same 1 SubscriptionNotFound "no active subscription to product $code" \
		as_customer devpay-cancel-subscription "$code"
	# another account's subscription is not the caller's
	as_other devpay-purchase-product "$code" >/dev/null
	refused_same 1 SubscriptionNotFound "" as_customer devpay-cancel-subscription "$code"
	# nor is one already cancelled
	as_customer devpay-purchase-product "$code" >/dev/null
	as_customer devpay-cancel-subscription "$code" >/dev/null
	refused_same 1 SubscriptionNotFound "" as_customer devpay-cancel-subscription "$code"
}

@test "cancel: an unknown code is refused, a malformed one too (by the service)" {
	new_product P >/dev/null
	enrol as_customer
	refused_same 1 InvalidProductCode.NotFound "'0BADC0DE' does not exist" \
		as_customer devpay-cancel-subscription 0BADC0DE
	refused_same 1 InvalidParameterValue "Invalid product code 'abc'" as_customer devpay-cancel-subscription abc
	bad_input "missing product code" as_customer devpay-cancel-subscription
	bad_input "too many arguments" as_customer devpay-cancel-subscription 0BADC0DE 0BADC0DE
}

# --- -H and --show-empty-fields ---------------------------------------------

@test "-H prints one header line, the first record's, as ec2-api-tools does" {
	run at 2009-06-01 as_owner devpay-register-product -H --name P --platform linux \
		--instance-type m1.small=0.20 --instance-type m1.large=0.50
	assert_success
	local code acct token
	code=$(code_of <<<"$output")
	acct=$(field_of PRODUCT 4 <<<"$output")
	token=$(field_of PRODUCT 9 <<<"$output")
	assert_equal "$output" "Type${T}ProductCode${T}Name${T}Owner${T}Platforms${T}Regions${T}OneTimeFee${T}MonthlyFee${T}ProductToken${T}PurchaseUrl${T}Description
PRODUCT${T}$code${T}P${T}$acct${T}linux${T}us-east-1${T}0.00${T}0.00${T}$token${T}$PURCHASE_URL$code${T}
PRICE${T}$code${T}m1.small${T}0.20${T}2009-06-01T00:00:00+0000${T}linux${T}us-east-1
PRICE${T}$code${T}m1.large${T}0.50${T}2009-06-01T00:00:00+0000${T}linux${T}us-east-1"
	run at 2009-06-02 as_customer devpay-purchase-product -H "$code"
	assert_success
	assert_equal "$(head -n 1 <<<"$output")" "Type${T}ProductCode${T}Account${T}State${T}Start${T}End"
	assert_equal "$(wc -l <<<"$output")" 2
}

@test "--show-empty-fields prints empty fields as (nil)" {
	local code
	code=$(at 2009-06-01 new_product P)
	run at 2009-06-02 as_customer devpay-describe-products --show-empty-fields "$code"
	assert_success
	# no token for a customer, no description
	assert_equal "$(field_of PRODUCT 9 <<<"$output")" "(nil)"
	assert_equal "$(field_of PRODUCT 11 <<<"$output")" "(nil)"
	run at 2009-06-02 as_customer devpay-purchase-product --show-empty-fields "$code"
	assert_success
	assert_equal "$(cut -f1,2,4- <<<"$output")" "SUBSCRIPTION${T}$code${T}active${T}2009-06-02T00:00:00+0000${T}(nil)"
}

@test "describe-products: a product registered at a later clock reading shows as pending" {
	local code
	code=$(at 2030-01-01 new_product Future)
	run --separate-stderr at 2029-06-01 as_customer devpay-describe-products "$code"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(field_of PRODUCT 2 <<<"$output")" "$code"
	assert_equal "$(grep '^PENDING' <<<"$output" | cut -f2-4)" "$code${T}2030-01-01T00:00:00+0000${T}linux"
	assert_equal "$(grep '^PRICE' <<<"$output" | cut -f2-)" "$code${T}m1.small${T}0.20${T}2030-01-01T00:00:00+0000${T}linux${T}us-east-1"
}

@test "register: a type is offered only where it has an EC2 rate (data/rates)" {
	run --separate-stderr as_owner devpay-register-product --name T --platform linux \
		--instance-type t2.micro=0.05 --region eu-central-1 --dry-run
	assert_failure 1
	[[ "$stderr" == *DryRunOperation* ]] || fail "stderr was: $stderr"
	CODE=$(as_owner devpay-register-product --name T --platform linux \
		--instance-type t2.micro=0.05 --region eu-central-1 | code_of)
	[ -n "$CODE" ] || fail "t2.micro in eu-central-1 was refused"
	# m1.small was never offered in eu-central-1; cc1.4xlarge only in us-east-1
	refused 1 InvalidParameterValue as_owner devpay-register-product --name U --platform linux \
		--instance-type m1.small=0.05 --region us-east-1 --region eu-central-1
	[[ "$stderr" == *"'m1.small'"*"eu-central-1"* ]] || fail "stderr was: $stderr"
	refused 1 InvalidParameterValue as_owner devpay-modify-product "$CODE" --effective 2030-01-01 --region sa-east-1 \
		--instance-type cc1.4xlarge=3
	[[ "$stderr" == *"'cc1.4xlarge'"*"sa-east-1"* ]] || fail "stderr was: $stderr"
	assert_equal "$(as_owner devpay-describe-products | grep -c '^PRODUCT')" 1
}
