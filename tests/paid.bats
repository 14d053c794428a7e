#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Paid AMIs: the owner's own AMI carrying his own product code, shared with
# customers through launch permissions; the image attribute commands
# (ec2-modify-image-attribute, ec2-describe-image-attribute,
# ec2-reset-image-attribute), ec2-deregister, ec2-describe-images -o/-x/-a,
# and the regions and zones (ec2-describe-regions,
# ec2-describe-availability-zones). A workflow file: it runs on a local store
# and again through devpayd.
bats_require_minimum_version 1.5.0
load helpers
load checks

# The owner's product (Linux, m1.small at $0.25, us-east-1) and his own
# image carrying its code, private: sets CODE and AMI.
paid_ami() {
	CODE=$(as_owner devpay-register-product --name Paid --platform linux \
		--instance-type m1.small=0.25 "$@" | code_of)
	AMI=$(as_owner ec2-register paid --platform linux --root-device-type instance-store | ami_of)
	as_owner ec2-modify-image-attribute "$AMI" -p "$CODE" >/dev/null
}

# account_of PARTY: the party's 12-digit account id (it registers an image).
account_of() {
	local ami
	ami=$("$1" ec2-register "whoami-$RANDOM$RANDOM" | ami_of)
	"$1" ec2-describe-images "$ami" | field_of IMAGE 4
}

# lp_line IMAGE OP KIND VALUE: a launchPermission record of modify.
lp_line() { printf 'launchPermission\t%s\t%s\t%s\t%s' "$@"; }

# --- ec2-modify-image-attribute -p --------------------------------------------

@test "modify -p: productCodes, image, an empty field, productCode, code; the image shows it" {
	CODE=$(as_owner devpay-register-product --name Paid --platform linux --instance-type m1.small=0.25 | code_of)
	AMI=$(as_owner ec2-register paid | ami_of)
	run --separate-stderr as_owner ec2-modify-image-attribute "$AMI" -p "$CODE"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$output" "productCodes${T}$AMI${T}${T}productCode${T}$CODE"
	assert_equal "$(as_owner ec2-describe-images "$AMI" | field_of IMAGE 7)" "[devpay: $CODE]"
	run as_owner ec2-modify-image-attribute -H "$AMI" --product-code "$CODE"
	assert_equal "$output" "Type${T}ImageId${T}Operation${T}Attribute${T}Value
productCodes${T}$AMI${T}${T}productCode${T}$CODE"
}

@test "modify -p: the rules of ec2-associate-product-code (EBS, write-once, unknown code)" {
	local ebs other
	paid_ami
	other=$(as_owner devpay-register-product --name Other --platform linux --instance-type m1.small=1 | code_of)
	refused_same 1 OperationNotPermitted "already carries product code $CODE" \
		as_owner ec2-modify-image-attribute "$AMI" -p "$other"
	ebs=$(as_owner ec2-register ebs --root-device-type ebs | ami_of)
	refused_same 1 UnsupportedOperation "is EBS-backed" as_owner ec2-modify-image-attribute "$ebs" -p "$CODE"
	refused_same 1 InvalidProductCode.NotFound "'0BADC0DE' does not exist" \
		as_owner ec2-modify-image-attribute "$ebs" -p 0BADC0DE
	refused_same 1 InvalidParameterValue "Invalid product code 'abc'" \
		as_owner ec2-modify-image-attribute "$ebs" -p abc
}

# --- ec2-modify-image-attribute -l --------------------------------------------

@test "modify -l -a / -r: one ADD or REMOVE record per account, userId or group" {
	local cust
	paid_ami
	cust=$(account_of as_customer)
	run --separate-stderr as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$output" "$(lp_line "$AMI" ADD userId "$cust")"
	run as_owner ec2-modify-image-attribute "$AMI" --launch-permission --add all --remove "$cust"
	assert_success
	assert_equal "$output" "$(lp_line "$AMI" ADD group all)
$(lp_line "$AMI" REMOVE userId "$cust")"
	run as_owner ec2-modify-image-attribute "$AMI" -l -r all
	assert_equal "$output" "$(lp_line "$AMI" REMOVE group all)"
	run --separate-stderr as_owner ec2-describe-image-attribute "$AMI" -l
	assert_success
	assert_equal "$output" ""
}

@test "modify -l: granting twice or revoking what is not granted changes nothing" {
	local cust sum
	paid_ami
	cust=$(account_of as_customer)
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	sum=$(store_sum)
	run as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust"
	assert_success
	run as_owner ec2-modify-image-attribute "$AMI" -l -r 111122223333
	assert_success
	assert_equal "$(store_sum)" "$sum"
}

@test "modify: bad combinations are usage errors; the store is unchanged" {
	paid_ami
	bad_input "one attribute at a time" as_owner ec2-modify-image-attribute "$AMI" -p "$CODE" -l -a all
	bad_input "give -l too" as_owner ec2-modify-image-attribute "$AMI" -a all
	bad_input "-l needs -a" as_owner ec2-modify-image-attribute "$AMI" -l
	bad_input "nothing to modify" as_owner ec2-modify-image-attribute "$AMI"
	bad_input "missing IMAGE" as_owner ec2-modify-image-attribute -l -a all
	bad_input "too many arguments" as_owner ec2-modify-image-attribute "$AMI" "$AMI" -l -a all
	bad_input "more than one product code" as_owner ec2-modify-image-attribute "$AMI" -p "$CODE" -p 0A1B2C3D
}

@test "modify -l: an account that is not 12 digits is refused; the store is unchanged" {
	paid_ami
	refused_same 1 InvalidAMIAttributeItemValue 'Invalid attribute item value "12345" for userId item type' \
		as_owner ec2-modify-image-attribute "$AMI" -l -a 12345
	refused_same 1 InvalidAMIAttributeItemValue '"everyone"' \
		as_owner ec2-modify-image-attribute "$AMI" -l -a everyone
	assert_equal "$(as_owner ec2-describe-image-attribute "$AMI" -l)" ""
}

@test "modify: only the owner; a granted account is refused, another does not see the image" {
	local cust before
	paid_ami
	cust=$(account_of as_customer)
	enrol as_other
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	refused_same 1 AuthFailure "You must own image $AMI to change its launch permissions" \
		as_customer ec2-modify-image-attribute "$AMI" -l -a all
	refused_same 1 AuthFailure "You must own image $AMI" \
		as_customer ec2-modify-image-attribute "$AMI" -p "$CODE"
	refused_same 1 InvalidAMIID.NotFound "The image id '[$AMI]' does not exist" \
		as_other ec2-modify-image-attribute "$AMI" -l -a all
	refused_same 1 InvalidAMIID.Malformed 'Invalid id: "bogus"' \
		as_owner ec2-modify-image-attribute bogus -l -a all
}

# --- visibility: private, granted, public -------------------------------------

@test "a private image does not exist for another account, on every image action" {
	local msg
	paid_ami
	enrol as_customer
	as_customer devpay-purchase-product "$CODE" >/dev/null
	msg="The image id '[$AMI]' does not exist"
	refused_same 1 InvalidAMIID.NotFound "$msg" as_customer ec2-describe-images "$AMI"
	refused_same 1 InvalidAMIID.NotFound "$msg" as_customer ec2-describe-image-attribute "$AMI" -p
	refused_same 1 InvalidAMIID.NotFound "$msg" as_customer ec2-describe-image-attribute "$AMI" -l
	refused_same 1 InvalidAMIID.NotFound "$msg" as_customer ec2-run-instances "$AMI"
	refused_same 1 InvalidAMIID.NotFound "$msg" as_customer ec2-reset-image-attribute "$AMI" -l
	refused_same 1 InvalidAMIID.NotFound "$msg" as_customer ec2-deregister "$AMI"
	refused_same 1 InvalidAMIID.NotFound "$msg" as_customer ec2-associate-product-code "$AMI" -p "$CODE"
	run as_customer ec2-describe-images -a
	refute_output --partial "$AMI"
}

@test "a granted account sees the image and its code, not its launch permissions" {
	local cust owner
	paid_ami
	cust=$(account_of as_customer)
	owner=$(account_of as_owner)
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	run --separate-stderr as_customer ec2-describe-images "$AMI"
	assert_success
	assert_equal "$output" "$(printf 'IMAGE\t%s\t%s/paid\t%s\tavailable\tprivate\t[devpay: %s]\tx86_64\tmachine\t\t\t\tinstance-store\tparavirtual\txen' \
		"$AMI" "$owner" "$owner" "$CODE")"
	# listed by default (explicitly granted), not among its own
	run as_customer ec2-describe-images
	assert_output --partial "$AMI"
	run as_customer ec2-describe-images -o self
	refute_output --partial "$AMI"
	run as_customer ec2-describe-images -o "$owner"
	assert_output --partial "$AMI"
	run --separate-stderr as_customer ec2-describe-image-attribute "$AMI" -p
	assert_success
	assert_equal "$output" "productCodes${T}$AMI${T}productCode${T}[devpay: $CODE]"
	refused_same 1 AuthFailure "You must own image $AMI to read its launch permissions" \
		as_customer ec2-describe-image-attribute "$AMI" -l
	# the third account still sees nothing
	enrol as_other
	refused_same 1 InvalidAMIID.NotFound "does not exist" as_other ec2-describe-images "$AMI"
}

@test "describe-image-attribute -l: the owner's list, group all first, then accounts as granted" {
	local cust other
	paid_ami
	cust=$(account_of as_customer)
	other=$(account_of as_other)
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$other" -a "$cust" >/dev/null
	as_owner ec2-modify-image-attribute "$AMI" -l -a all >/dev/null
	run --separate-stderr as_owner ec2-describe-image-attribute "$AMI" -l
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$output" "launchPermission${T}$AMI${T}group${T}all
launchPermission${T}$AMI${T}userId${T}$other
launchPermission${T}$AMI${T}userId${T}$cust"
	run as_owner ec2-describe-image-attribute -H "$AMI" --launch-permission
	assert_equal "${lines[0]}" "Type${T}ImageId${T}Attribute${T}Value"
	bad_input "one attribute at a time" as_owner ec2-describe-image-attribute "$AMI" -l -p
	bad_input "which attribute" as_owner ec2-describe-image-attribute "$AMI"
	bad_input "missing IMAGE" as_owner ec2-describe-image-attribute -p
}

@test "a public image: everyone sees it as public; -x all and -a list it, the default does not" {
	local owner
	paid_ami
	owner=$(account_of as_owner)
	enrol as_other
	as_owner ec2-modify-image-attribute "$AMI" -l -a all >/dev/null
	assert_equal "$(as_owner ec2-describe-images "$AMI" | field_of IMAGE 6)" public
	assert_equal "$(as_other ec2-describe-images "$AMI" | field_of IMAGE 6)" public
	run as_other ec2-describe-images -x all
	assert_output --partial "$AMI"
	run as_other ec2-describe-images -a
	assert_output --partial "$AMI"
	run --separate-stderr as_other ec2-describe-images
	assert_success
	refute_output --partial "$AMI"
	run as_other ec2-describe-images -x self
	refute_output --partial "$AMI"
	run as_other ec2-describe-image-attribute "$AMI" -p
	assert_output "productCodes${T}$AMI${T}productCode${T}[devpay: $CODE]"
}

@test "describe-images -x ACCOUNT: the caller's images granted to it; -o/-x values are checked" {
	local cust plain
	paid_ami
	cust=$(account_of as_customer)
	plain=$(as_owner ec2-register plain | ami_of)
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	run as_owner ec2-describe-images -x "$cust"
	assert_success
	assert_equal "$(cut -f2 <<<"$output")" "$AMI"
	run as_owner ec2-describe-images -o self
	assert_output --partial "$plain"
	assert_output --partial "$AMI"
	run as_owner ec2-describe-images -o amazon
	assert_success
	assert_output ""
	# the customer does not learn whom else the owner granted
	run as_customer ec2-describe-images -x 111122223333
	assert_output ""
	refused_same 1 InvalidUserID.Malformed '"bogus"' as_owner ec2-describe-images -o bogus
	refused_same 1 InvalidUserID.Malformed '"12"' as_owner ec2-describe-images -x 12
}

# --- launching a paid AMI -----------------------------------------------------

@test "paid launch: a granted, subscribed customer launches; the instance carries the code" {
	local cust
	paid_ami
	cust=$(as_customer devpay-purchase-product "$CODE" | field_of SUBSCRIPTION 3)
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	run --separate-stderr as_customer ec2-run-instances "$AMI" -t m1.small
	assert_success
	assert_equal "$(field_of RESERVATION 3 <<<"$output")" "$cust"
	assert_equal "$(field_of INSTANCE 3 <<<"$output")" "$AMI"
	assert_equal "$(field_of INSTANCE 9 <<<"$output")" "[devpay: $CODE]"
	assert_equal "$(as_customer ec2-describe-instances | grep -c '^INSTANCE')" 1
	# the seller's confirmation
	run as_owner ec2-confirm-product-instance "$CODE" -i "$(inst_of <<<"$output")"
	assert_success
	assert_output --regexp "^$CODE${T}i-[0-9a-f]+${T}true${T}$cust\$"
}

@test "paid launch: without a subscription refused, even when the image is public" {
	local cust before
	paid_ami
	cust=$(account_of as_customer)
	enrol as_other
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	before=$(store_sum)
	refused 1 AuthFailure as_customer ec2-run-instances "$AMI"
	assert_equal "$stderr" "Client.AuthFailure: Subscription to ProductCode $CODE required."
	as_owner ec2-modify-image-attribute "$AMI" -l -a all >/dev/null
	refused 1 AuthFailure as_other ec2-run-instances "$AMI"
	assert_equal "$stderr" "Client.AuthFailure: Subscription to ProductCode $CODE required."
	# the owner needs none
	run as_owner ec2-run-instances "$AMI"
	assert_success
}

@test "paid launch: only the product's types and regions" {
	local cust before
	paid_ami
	cust=$(as_customer devpay-purchase-product "$CODE" | field_of SUBSCRIPTION 3)
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	before=$(store_sum)
	refused 1 Unsupported as_customer ec2-run-instances "$AMI" -t m1.large
	assert_equal "$stderr" "Client.Unsupported: Product $CODE does not cover instance type m1.large"
	# an AMI belongs to its region: elsewhere it does not exist
	refused 1 InvalidAMIID.NotFound as_customer ec2-run-instances "$AMI" --region eu-west-1
	# the same product on an image of eu-west-1: a region the product lacks
	local eu
	eu=$(as_owner ec2-register paid-eu --platform linux --root-device-type instance-store \
		--region eu-west-1 | ami_of)
	as_owner ec2-modify-image-attribute "$eu" -p "$CODE" --region eu-west-1 >/dev/null
	as_owner ec2-modify-image-attribute "$eu" -l -a "$cust" --region eu-west-1 >/dev/null
	before=$(store_sum)
	refused 1 Unsupported as_customer ec2-run-instances "$eu" --region eu-west-1
	assert_equal "$stderr" "Client.Unsupported: Product $CODE is not offered in region eu-west-1"
	assert_equal "$(store_sum)" "$before"
}

@test "paid launch: the customer pays the product's price, no RI discount; the seller's report counts it" {
	local cust inst offering
	at 2010-01-01T00:00:00Z paid_ami
	cust=$(at 2010-01-01T00:00:00Z as_customer devpay-purchase-product "$CODE" | field_of SUBSCRIPTION 3)
	at 2010-01-01T00:00:00Z as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	# a Reserved Instance that would fit the instance
	offering=$(at 2010-01-01T00:00:00Z as_customer ec2-describe-reserved-instances-offerings -t m1.small |
		awk -F'\t' 'tolower($0) ~ /linux/ && $3 == "us-east-1a" { print $2; exit }')
	at 2010-01-01T00:00:00Z as_customer ec2-purchase-reserved-instances-offering -o "$offering" -c 1 >/dev/null
	inst=$(at 2010-01-05T10:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small | inst_of)
	at 2010-01-05T12:30:00Z as_customer ec2-terminate-instances "$inst" >/dev/null
	run at 2010-02-01T00:00:00Z as_customer devpay-bill --period 2010-01
	assert_success
	assert_line "$(printf 'CHARGE\t%s\tusage\tus-east-1 Linux/UNIX m1.small\t3\t0.25\t0.75' "$CODE")"
	run --separate-stderr at 2010-02-01T00:00:00Z as_owner devpay-bill --period 2010-01 --product "$CODE"
	assert_success
	assert_line --regexp "^CUSTOMER${T}$CODE${T}$cust${T}0\.00${T}0\.00${T}0\.75${T}0\.75${T}"
}

# --- ec2-reset-image-attribute ------------------------------------------------

@test "reset -l: launchPermission, image, RESET; the image is private again" {
	local cust inst
	paid_ami
	cust=$(as_customer devpay-purchase-product "$CODE" | field_of SUBSCRIPTION 3)
	enrol as_other
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" -a all >/dev/null
	inst=$(as_customer ec2-run-instances "$AMI" | inst_of)
	run --separate-stderr as_owner ec2-reset-image-attribute "$AMI" -l
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$output" "launchPermission${T}$AMI${T}RESET"
	assert_equal "$(as_owner ec2-describe-image-attribute "$AMI" -l)" ""
	assert_equal "$(as_owner ec2-describe-images "$AMI" | field_of IMAGE 6)" private
	refused_same 1 InvalidAMIID.NotFound "does not exist" as_other ec2-describe-images "$AMI"
	refused_same 1 InvalidAMIID.NotFound "does not exist" as_customer ec2-run-instances "$AMI"
	# the running instance is untouched, and the code stays on the image
	assert_equal "$(as_customer ec2-describe-instances "$inst" | field_of INSTANCE 9)" "[devpay: $CODE]"
	assert_equal "$(as_owner ec2-describe-images "$AMI" | field_of IMAGE 7)" "[devpay: $CODE]"
}

@test "reset: only the owner, only -l" {
	local cust
	paid_ami
	cust=$(account_of as_customer)
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	refused_same 1 AuthFailure "You must own image $AMI to reset its launch permissions" \
		as_customer ec2-reset-image-attribute "$AMI" -l
	bad_input "missing -l" as_owner ec2-reset-image-attribute "$AMI"
	bad_input "unrecognized option '-p'" as_owner ec2-reset-image-attribute "$AMI" -p
	bad_input "missing IMAGE" as_owner ec2-reset-image-attribute -l
}

# --- ec2-deregister -------------------------------------------------------------

@test "deregister: IMAGE and the id; the image is gone from every describe" {
	local cust
	paid_ami
	cust=$(account_of as_customer)
	as_owner ec2-modify-image-attribute "$AMI" -l -a all >/dev/null
	run --separate-stderr as_owner ec2-deregister "$AMI"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$output" "IMAGE${T}$AMI"
	run as_owner ec2-describe-images
	refute_output --partial "$AMI"
	run as_customer ec2-describe-images -a
	refute_output --partial "$AMI"
	refused_same 1 InvalidAMIID.NotFound "The image id '[$AMI]' does not exist" as_owner ec2-describe-images "$AMI"
	refused_same 1 InvalidAMIID.NotFound "does not exist" as_owner ec2-run-instances "$AMI"
	refused_same 1 InvalidAMIID.NotFound "does not exist" as_owner ec2-describe-image-attribute "$AMI" -p
	refused_same 1 InvalidAMIID.NotFound "does not exist" as_owner ec2-modify-image-attribute "$AMI" -l -a all
	refused_same 1 InvalidAMIID.NotFound "does not exist" as_owner ec2-deregister "$AMI"
	# the name is free again; a new image gets a new id
	run as_owner ec2-register paid
	assert_success
	[ "$(ami_of <<<"$output")" != "$AMI" ]
}

@test "deregister: only the owner; a granted account is refused, another does not see it" {
	local cust
	paid_ami
	cust=$(account_of as_customer)
	enrol as_other
	as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	refused_same 1 AuthFailure "You must own image $AMI to deregister it" as_customer ec2-deregister "$AMI"
	refused_same 1 InvalidAMIID.NotFound "does not exist" as_other ec2-deregister "$AMI"
	bad_input "missing IMAGE" as_owner ec2-deregister
	bad_input "too many arguments" as_owner ec2-deregister "$AMI" "$AMI"
	assert_equal "$(as_customer ec2-describe-images "$AMI" | field_of IMAGE 2)" "$AMI"
}

@test "deregister: running instances keep running, their code, their bill and the subscription" {
	local cust inst
	at 2010-03-01T00:00:00Z paid_ami
	cust=$(at 2010-03-01T00:00:00Z as_customer devpay-purchase-product "$CODE" | field_of SUBSCRIPTION 3)
	at 2010-03-01T00:00:00Z as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	inst=$(at 2010-03-02T00:00:00Z as_customer ec2-run-instances "$AMI" | inst_of)
	at 2010-03-02T01:00:00Z as_owner ec2-deregister "$AMI" >/dev/null
	run at 2010-03-02T02:00:00Z as_customer ec2-describe-instances "$inst"
	assert_success
	assert_equal "$(field_of INSTANCE 6 <<<"$output")" running
	assert_equal "$(field_of INSTANCE 9 <<<"$output")" "[devpay: $CODE]"
	run at 2010-03-02T02:00:00Z as_owner ec2-confirm-product-instance "$CODE" -i "$inst"
	assert_output "$CODE${T}$inst${T}true${T}$cust"
	at 2010-03-02T03:30:00Z as_customer ec2-terminate-instances "$inst" >/dev/null
	run at 2010-04-01T00:00:00Z as_customer devpay-bill --period 2010-03
	assert_line "$(printf 'CHARGE\t%s\tusage\tus-east-1 Linux/UNIX m1.small\t4\t0.25\t1.00' "$CODE")"
	refute_output --partial refund
	# still subscribed: a second purchase is refused
	refused 1 '[A-Za-z.]+' at 2010-04-01T00:00:00Z as_customer devpay-purchase-product "$CODE"
	[[ "$stderr" == *"already"* ]] || fail "$stderr"
}

@test "deregister: the image's row is kept, so its id is never handed out again" {
	local_only
	paid_ami
	as_owner ec2-deregister "$AMI" >/dev/null
	assert_equal "$(store_sql "SELECT count(*) FROM images WHERE id = '$AMI' AND deregistered IS NOT NULL")" 1
}

# --- regions and zones --------------------------------------------------------

# The endpoint a client of this test reaches the service at.
endpoint() {
	if [ -n "${EC2_URL:-}" ]; then
		echo "${EC2_URL%/}/"
	else
		echo "file://$(realpath "$DEVPAY_STORE")"
	fi
}

@test "describe-regions: every region the suite knows, with the endpoint the client uses" {
	local e
	run --separate-stderr as_customer ec2-describe-regions
	assert_success
	assert_equal "$stderr" ""
	e=$(endpoint)
	assert_equal "$output" "$(for r in us-east-1 us-west-1 us-west-2 eu-west-1 eu-central-1 ap-southeast-1 ap-southeast-2 ap-northeast-1 sa-east-1; do
		printf 'REGION\t%s\t%s\n' "$r" "$e"; done)"
	run as_customer ec2-describe-regions -H eu-west-1 us-east-1
	assert_equal "$output" "Type${T}Region${T}Endpoint
REGION${T}us-east-1${T}$e
REGION${T}eu-west-1${T}$e"
	refused 1 InvalidParameterValue as_customer ec2-describe-regions mars-north-1
	assert_equal "$stderr" "Client.InvalidParameterValue: Invalid region: mars-north-1"
}

@test "describe-regions and zones: no credentials needed on the local store, an endpoint needs them" {
	if [ "${DEVPAY_TEST_MODE:-local}" = devpayd ]; then
		usage_refused ec2-describe-regions
		[[ "$stderr" == *"no access key"* ]] || fail "$stderr"
	else
		run --separate-stderr ec2-describe-regions us-east-1
		assert_success
		assert_output "REGION${T}us-east-1${T}$(endpoint)"
		run ec2-describe-availability-zones us-east-1b
		assert_success
		assert_output "AVAILABILITYZONE${T}us-east-1b${T}available${T}us-east-1${T}"
		# and no other command does
		usage_refused ec2-describe-images
	fi
}

@test "describe-availability-zones: the region's five zones, available, messages empty" {
	run --separate-stderr as_customer ec2-describe-availability-zones
	assert_success
	assert_equal "$output" "$(for z in a b c d e; do
		printf 'AVAILABILITYZONE\tus-east-1%s\tavailable\tus-east-1\t\n' "$z"; done)"
	run as_customer ec2-describe-availability-zones --region ap-northeast-1 ap-northeast-1c
	assert_equal "$output" "AVAILABILITYZONE${T}ap-northeast-1c${T}available${T}ap-northeast-1${T}"
	run as_customer ec2-describe-availability-zones -H us-east-1a
	assert_equal "${lines[0]}" "Type${T}Zone${T}State${T}Region${T}Messages"
	refused 1 InvalidParameterValue as_customer ec2-describe-availability-zones eu-west-1a
	[[ "$stderr" == "Client.InvalidParameterValue: Invalid availability zone: [eu-west-1a]"* ]] || fail "$stderr"
	refused 1 InvalidParameterValue as_customer ec2-describe-availability-zones us-east-1f
}

@test "the regions and zones listed are those --region and -z accept, and completion offers" {
	local r z ami listed comp
	listed=$(as_customer ec2-describe-regions | cut -f2)
	for r in $listed; do
		ami=$(as_customer ec2-register "plain-$r" --region "$r" | ami_of)
		for z in $(as_customer ec2-describe-availability-zones --region "$r" | cut -f2); do
			run as_customer ec2-run-instances "$ami" -t t2.micro --region "$r" -z "$z"
			assert_success
		done
	done
	refused 1 InvalidParameterValue as_customer ec2-run-instances "$ami" -z us-east-1f
	usage_refused as_customer ec2-describe-regions --region 'Not A Region'
	# completion: the same regions for --region, the same zones for -z
	comp=$(bash -c '. "$1"; COMP_WORDS=(ec2-run-instances --region ""); COMP_CWORD=2
		_ec2_run_instances; printf "%s\n" "${COMPREPLY[@]}"' _ "$ROOT/completions/ec2-run-instances")
	assert_equal "$comp" "$listed"
	comp=$(bash -c '. "$1"; COMP_WORDS=(ec2-run-instances --region eu-west-1 -z ""); COMP_CWORD=4
		_ec2_run_instances; printf "%s\n" "${COMPREPLY[@]}"' _ "$ROOT/completions/ec2-run-instances")
	assert_equal "$comp" "$(as_customer ec2-describe-availability-zones --region eu-west-1 | cut -f2)"
	comp=$(bash -c '. "$1"; COMP_WORDS=(ec2-describe-availability-zones --region sa-east-1 ""); COMP_CWORD=3
		_ec2_describe_availability_zones; printf "%s\n" "${COMPREPLY[@]}"' _ "$ROOT/completions/ec2-describe-availability-zones")
	assert_equal "$comp" "$(as_customer ec2-describe-availability-zones --region sa-east-1 | cut -f2)"
}

# --- the README's walk --------------------------------------------------------

@test "the README's paid-AMI walk gives the README's bill and report" {
	local section cust inst want got
	section=$(awk '/^## Selling a paid AMI/ { on = 1; next } /^## / { on = 0 } on' "$ROOT/README.md")
	# the commands of the section, as the seller and the customer run them
	CODE=$(at 2008-07-01T08:00:00Z as_owner devpay-register-product --name "ABC Server" --platform linux \
		--instance-type m1.small=0.25 | code_of)
	AMI=$(at 2008-07-01T08:05:00Z as_owner ec2-register abc-server --platform linux \
		--root-device-type instance-store | ami_of)
	at 2008-07-01T08:10:00Z as_owner ec2-modify-image-attribute "$AMI" -p "$CODE" >/dev/null
	cust=$(at 2008-07-02T09:00:00Z as_customer devpay-purchase-product "$CODE" | field_of SUBSCRIPTION 3)
	at 2008-07-02T09:05:00Z as_owner ec2-modify-image-attribute "$AMI" -l -a "$cust" >/dev/null
	inst=$(at 2008-07-02T10:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small | inst_of)
	at 2008-07-02T15:30:00Z as_customer ec2-terminate-instances "$inst" >/dev/null
	# the README's lines, its sample ids replaced by this run's
	want=$(grep -E '^    (CHARGE|CUSTOMER) ' <<<"$section" | sed -E -e 's/^    //' -e 's/  +/\t/g' \
		-e "s/985493F3/$CODE/g" -e "s/210987654321/$cust/g")
	[ "$(wc -l <<<"$want")" -eq 2 ] || fail "the README's section lacks its CHARGE and CUSTOMER lines: $want"
	got=$( (at 2008-08-01T00:00:00Z as_customer devpay-bill --period 2008-07
		at 2008-08-01T00:00:00Z as_owner devpay-bill --period 2008-07 --product "$CODE") |
		grep -E '^(CHARGE|CUSTOMER)')
	assert_equal "$got" "$want"
	# and the README shows these commands
	for c in "ec2-modify-image-attribute ami-0e5b1c9d2f7a3e4b6 -p 985493F3" \
		"ec2-modify-image-attribute ami-0e5b1c9d2f7a3e4b6 -l -a 210987654321" \
		"ec2-run-instances ami-0e5b1c9d2f7a3e4b6 -t m1.small" "devpay-bill --period 2008-07 --product 985493F3"; do
		[[ "$section" == *"\$ $c"* ]] || fail "the README does not show: $c"
	done
}
