#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Machine images and their product code: ec2-register, ec2-describe-images,
# ec2-associate-product-code (the rules of DOMAIN.md).
bats_require_minimum_version 1.5.0
load helpers
load checks

# image_line AMI ACCOUNT NAME CODES PLATFORM ROOT: the IMAGE record expected for it.
image_line() {
	printf 'IMAGE\t%s\t%s/%s\t%s\tavailable\tprivate\t%s\tx86_64\tmachine\t\t\t%s\t%s\tparavirtual\txen' \
		"$1" "$2" "$3" "$2" "$4" "$5" "$6"
}

# An image of the party: register PARTY NAME [options]; prints its id.
register() {
	local party=$1
	shift
	"$party" ec2-register "$@" | ami_of
}

# --- ec2-register / ec2-describe-images ---------------------------------------

@test "ec2-register: prints IMAGE and the new id, nothing else" {
	run --separate-stderr as_customer ec2-register my-linux
	assert_success
	assert_equal "$stderr" ""
	[[ "$output" =~ ^IMAGE$'\t'ami-[0-9a-f]{17}$ ]] || fail "output: $output"
}

@test "describe-images: an IMAGE record of 15 fields in ec2-api-tools order" {
	local ami acct
	ami=$(register as_customer my-linux)
	run --separate-stderr as_customer ec2-describe-images "$ami"
	assert_success
	assert_equal "$stderr" ""
	acct=$(field_of IMAGE 4 <<<"$output")
	[[ "$acct" =~ ^[1-9][0-9]{11}$ ]] || fail "owner '$acct'"
	assert_equal "$(awk -F'\t' '{ print NF }' <<<"$output")" 15
	assert_equal "$output" "$(image_line "$ami" "$acct" my-linux "" "" instance-store)"
}

@test "describe-images: platform and root device type as registered; defaults linux, instance-store" {
	local lin win ebs named acct
	lin=$(register as_customer lin)
	win=$(register as_customer win --platform windows --root-device-type instance-store)
	ebs=$(register as_customer ebs --platform linux --root-device-type ebs)
	named=$(register as_customer -n by-option -d "a description")
	acct=$(as_customer ec2-describe-images "$lin" | field_of IMAGE 4)
	run as_customer ec2-describe-images "$lin" "$win" "$ebs" "$named"
	assert_success
	assert_equal "$output" "$(image_line "$lin" "$acct" lin "" "" instance-store)
$(image_line "$win" "$acct" win "" windows instance-store)
$(image_line "$ebs" "$acct" ebs "" "" ebs)
$(image_line "$named" "$acct" by-option "" "" instance-store)"
}

@test "describe-images: without arguments, all of the caller's images and only them" {
	local a b
	a=$(register as_customer a)
	b=$(register as_customer b)
	register as_other theirs >/dev/null
	run as_customer ec2-describe-images
	assert_success
	assert_equal "$(cut -f2 <<<"$output" | sort)" "$(printf '%s\n' "$a" "$b" | sort)"
	run --separate-stderr as_owner ec2-describe-images
	assert_success
	assert_equal "$output" ""
	assert_equal "$stderr" ""
}

@test "describe-images: another account cannot see my image" {
	local ami
	ami=$(register as_customer mine)
	enrol as_other
	refused_same 1 InvalidAMIID.NotFound "'[$ami]' does not exist" as_other ec2-describe-images "$ami"
	run as_other ec2-describe-images
	assert_success
	assert_equal "$output" ""
}

@test "an AMI belongs to the region it was registered in: seen, launched and changed there only" {
	local ami before
	ami=$(as_customer ec2-register regional --region eu-west-1 | ami_of)
	run as_customer ec2-describe-images --region eu-west-1
	assert_success
	assert_line --index 0 --regexp "^IMAGE${T}$ami${T}"
	run as_customer ec2-describe-images
	assert_equal "$output" ""
	before=$(store_sum)
	refused_same 1 InvalidAMIID.NotFound "'[$ami]' does not exist" as_customer ec2-describe-images "$ami" --region us-east-1
	refused 1 InvalidAMIID.NotFound as_customer ec2-run-instances "$ami" --region us-east-1
	refused 1 InvalidAMIID.NotFound as_customer ec2-modify-image-attribute "$ami" -l -a all --region us-west-1
	refused 1 InvalidAMIID.NotFound as_customer ec2-deregister "$ami" --region ap-northeast-1
	assert_equal "$(store_sum)" "$before"
	run as_customer ec2-run-instances "$ami" --region eu-west-1
	assert_success
	assert_line --index 1 --regexp "^INSTANCE${T}i-[0-9a-f]+${T}$ami${T}"
}

@test "describe-images: an unknown id is refused, a malformed one is judged by the service" {
	register as_customer a >/dev/null
	refused_same 1 InvalidAMIID.NotFound "does not exist" as_customer ec2-describe-images ami-0123456789abcdef0
	refused_same 1 InvalidAMIID.Malformed 'Invalid id: "bogus"' as_customer ec2-describe-images bogus
	refused_same 1 InvalidAMIID.Malformed 'Invalid id: "ami-XYZ12345"' as_customer ec2-describe-images ami-XYZ12345
}

@test "ec2-register: a bad platform or root device type is bad input" {
	register as_customer seed >/dev/null
	bad_input "invalid platform 'solaris'" as_customer ec2-register x --platform solaris
	bad_input "invalid root device type 'nfs'" as_customer ec2-register x --root-device-type nfs
	bad_input "missing image NAME" as_customer ec2-register
	bad_input "too many arguments" as_customer ec2-register x y
	bad_input "too many arguments" as_customer ec2-register x -n y
}

@test "ec2-register: a name the owner already uses is refused; another owner may use it" {
	register as_customer web >/dev/null
	refused_same 1 InvalidAMIName.Duplicate "AMI name web is already in use" as_customer ec2-register web
	refused_same 1 InvalidAMIName.Duplicate "" as_customer ec2-register -n web --platform windows
	run as_other ec2-register web
	assert_success
}

@test "ec2-register: a name with a control character or over 128 characters is refused" {
	register as_customer seed >/dev/null
	refused_same 1 InvalidParameterValue "Value for parameter Name is invalid: it contains the control character U+0009" \
		as_customer ec2-register $'a\tb'
	refused_same 1 InvalidAMIName.Malformed "longer than 128" \
		as_customer ec2-register "$(printf 'n%.0s' $(seq 129))"
	run as_customer ec2-register "$(printf 'n%.0s' $(seq 128))"
	assert_success
}

# --- ec2-associate-product-code ---------------------------------------------

@test "associate: prints productCodes, image, productCode, code exactly; the image shows it" {
	local code ami acct
	code=$(new_product P)
	ami=$(register as_customer lin)
	run --separate-stderr as_customer ec2-associate-product-code "$ami" -p "$code"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$output" "productCodes${T}$ami${T}productCode${T}$code"
	acct=$(as_customer ec2-describe-images "$ami" | field_of IMAGE 4)
	run as_customer ec2-describe-images "$ami"
	assert_equal "$output" "$(image_line "$ami" "$acct" lin "[devpay: $code]" "" instance-store)"
	# the long option too
	ami=$(register as_customer lin2)
	run as_customer ec2-associate-product-code "$ami" --product-code "$code"
	assert_equal "$output" "productCodes${T}$ami${T}productCode${T}$code"
}

@test "associate: needs no subscription (the subscription gates launches)" {
	local code ami
	code=$(new_product P)
	ami=$(register as_customer lin)
	run as_customer ec2-associate-product-code "$ami" -p "$code"
	assert_success
}

@test "associate: the caller must own the image; another's answers as a missing one" {
	local code ami before
	code=$(new_product P)
	ami=$(register as_customer lin)
	enrol as_other
	# another account's private image does not exist for it
	refused_same 1 InvalidAMIID.NotFound "The image id '[$ami]' does not exist" \
		as_other ec2-associate-product-code "$ami" -p "$code"
	# not the product owner either
	refused_same 1 InvalidAMIID.NotFound "The image id '[$ami]' does not exist" \
		as_owner ec2-associate-product-code "$ami" -p "$code"
	# an image shared with the caller is visible, but still not the caller's
	as_customer ec2-modify-image-attribute "$ami" -l -a all >/dev/null
	refused_same 1 AuthFailure "You must own image $ami" as_other ec2-associate-product-code "$ami" -p "$code"
	run as_customer ec2-describe-images "$ami"
	assert_equal "$(field_of IMAGE 7 <<<"$output")" ""
}

@test "associate: a customer is refused on a platform the product does not cover" {
	local code ami
	code=$(new_product LinuxOnly)
	ami=$(register as_customer win --platform windows)
	refused_same 1 OperationNotPermitted "Product $code is not configured for Windows AMIs" \
		as_customer ec2-associate-product-code "$ami" -p "$code"
	# a product for Windows only: refused on a Linux AMI, allowed on a Windows one
	local wcode lin
	wcode=$(as_owner devpay-register-product --name WinOnly --platform windows --instance-type m1.small=1 | code_of)
	lin=$(register as_customer lin)
	refused_same 1 OperationNotPermitted "not configured for Linux/UNIX AMIs" \
		as_customer ec2-associate-product-code "$lin" -p "$wcode"
	run as_customer ec2-associate-product-code "$ami" -p "$wcode"
	assert_success
}

@test "associate: the product owner may associate on a platform the product does not cover" {
	local code ami
	code=$(new_product LinuxOnly)
	ami=$(register as_owner owner-win --platform windows)
	run as_owner ec2-associate-product-code "$ami" -p "$code"
	assert_success
	assert_equal "$output" "productCodes${T}$ami${T}productCode${T}$code"
	assert_equal "$(as_owner ec2-describe-images "$ami" | cut -f7,12)" "[devpay: $code]${T}windows"
}

@test "associate: an EBS-backed image is refused, for the owner too" {
	local code ebs oebs
	code=$(new_product P)
	ebs=$(register as_customer ebs --root-device-type ebs)
	oebs=$(register as_owner ebs --root-device-type ebs)
	refused_same 1 UnsupportedOperation "Image $ebs is EBS-backed" \
		as_customer ec2-associate-product-code "$ebs" -p "$code"
	refused_same 1 UnsupportedOperation "instance store-backed" \
		as_owner ec2-associate-product-code "$oebs" -p "$code"
}

@test "associate: write-once; another code is refused and the image is unchanged" {
	local code code2 ami before_line
	code=$(new_product First)
	code2=$(new_product Second)
	ami=$(register as_customer lin)
	as_customer ec2-associate-product-code "$ami" -p "$code" >/dev/null
	before_line=$(as_customer ec2-describe-images "$ami")
	refused_same 1 OperationNotPermitted "already carries product code $code" \
		as_customer ec2-associate-product-code "$ami" -p "$code2"
	assert_equal "$(as_customer ec2-describe-images "$ami")" "$before_line"
	# the same code again is accepted, and changes nothing
	local sum
	sum=$(store_sum)
	run --separate-stderr as_customer ec2-associate-product-code "$ami" -p "$code"
	assert_success
	assert_equal "$output" "productCodes${T}$ami${T}productCode${T}$code"
	assert_equal "$(store_sum)" "$sum"
	assert_equal "$(as_customer ec2-describe-images "$ami")" "$before_line"
}

@test "associate: a Windows AMI's code is permanent, for the code's owner too" {
	local wcode other ami line
	wcode=$(as_owner devpay-register-product --name Win --platform windows --instance-type m1.small=1 | code_of)
	other=$(as_owner devpay-register-product --name Win2 --platform windows --instance-type m1.small=1 | code_of)
	ami=$(register as_owner win --platform windows)
	run as_owner ec2-associate-product-code "$ami" -p "$wcode"
	assert_success
	line=$(as_owner ec2-describe-images "$ami")
	assert_equal "$(cut -f7,12 <<<"$line")" "[devpay: $wcode]${T}windows"
	refused_same 1 OperationNotPermitted "already carries product code $wcode" \
		as_owner ec2-associate-product-code "$ami" -p "$other"
	assert_equal "$(as_owner ec2-describe-images "$ami")" "$line"
}

@test "associate: one product code per AMI; two different -p are bad input" {
	local a b ami
	a=$(new_product A)
	b=$(new_product B)
	ami=$(register as_customer lin)
	bad_input "more than one product code" as_customer ec2-associate-product-code "$ami" -p "$a" -p "$b"
	# the same code twice is one code
	run as_customer ec2-associate-product-code "$ami" -p "$a" -p "$a"
	assert_success
	assert_equal "$(as_customer ec2-describe-images "$ami" | field_of IMAGE 7)" "[devpay: $a]"
}

@test "associate: an unknown code or image is refused" {
	local code ami
	code=$(new_product P)
	ami=$(register as_customer lin)
	refused_same 1 InvalidProductCode.NotFound "'0BADC0DE' does not exist" \
		as_customer ec2-associate-product-code "$ami" -p 0BADC0DE
	refused_same 1 InvalidAMIID.NotFound "does not exist" \
		as_customer ec2-associate-product-code ami-0123456789abcdef0 -p "$code"
	# the image is still free for a real code
	run as_customer ec2-associate-product-code "$ami" -p "$code"
	assert_success
}

@test "associate: missing arguments are bad input, malformed ones refused by the service" {
	local code ami
	code=$(new_product P)
	ami=$(register as_customer lin)
	# ids and codes are judged by the service, not the client
	refused_same 1 InvalidParameterValue "Invalid product code 'abc'" as_customer ec2-associate-product-code "$ami" -p abc
	refused_same 1 InvalidParameterValue "Invalid product code '774f4ff8'" as_customer ec2-associate-product-code "$ami" -p 774f4ff8
	refused_same 1 InvalidAMIID.Malformed 'Invalid id: "ami-zz"' as_customer ec2-associate-product-code ami-zz -p "$code"
	bad_input "missing -p CODE" as_customer ec2-associate-product-code "$ami"
	bad_input "missing IMAGE" as_customer ec2-associate-product-code -p "$code"
	bad_input "too many arguments" as_customer ec2-associate-product-code "$ami" "$ami" -p "$code"
	bad_input "requires an argument" as_customer ec2-associate-product-code "$ami" -p
}

# --- -H and --show-empty-fields ---------------------------------------------

@test "-H prints the IMAGE header line of ec2-api-tools 1.6.7.1" {
	local ami acct
	ami=$(register as_customer lin)
	run as_customer ec2-describe-images -H
	assert_success
	acct=$(field_of IMAGE 4 <<<"$output")
	assert_equal "$output" "Type${T}ImageID${T}Name${T}Owner${T}State${T}Accessibility${T}ProductCodes${T}Architecture${T}ImageType${T}KernelId${T}RamdiskId${T}Platform${T}RootDeviceType${T}VirtualizationType${T}Hypervisor
$(image_line "$ami" "$acct" lin "" "" instance-store)"
	run as_customer ec2-register -H other
	assert_equal "$(head -n 1 <<<"$output")" "Type${T}ImageID"
	local code
	code=$(new_product P)
	run as_customer ec2-associate-product-code -H "$ami" -p "$code"
	assert_equal "$output" "Type${T}ImageId${T}Attribute${T}Value
productCodes${T}$ami${T}productCode${T}$code"
}

@test "--show-empty-fields prints (nil) for the empty IMAGE fields" {
	local ami acct
	ami=$(register as_customer lin)
	run as_customer ec2-describe-images --show-empty-fields "$ami"
	assert_success
	acct=$(field_of IMAGE 4 <<<"$output")
	assert_equal "$output" "IMAGE${T}$ami${T}$acct/lin${T}$acct${T}available${T}private${T}(nil)${T}x86_64${T}machine${T}(nil)${T}(nil)${T}(nil)${T}instance-store${T}paravirtual${T}xen"
}
