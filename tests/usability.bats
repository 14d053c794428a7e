#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# What a newcomer or a script meets that no other file covers: man pages
# that say exactly what the commands print.
bats_require_minimum_version 1.5.0
load helpers

setup() { fresh_store; }

# The text of a man page's section, as one line (roff rendered, spaces squeezed).
man_text() { # man_text PAGE SECTION
	mandoc -Tascii -Owidth=200 "$ROOT/man/man1/$1.1" | sed 's/.\x08//g' |
		awk -v s="$2" '$0 == s { on = 1; next } /^[A-Z]/ { on = 0 } on' | tr -s ' \n' '  '
}

@test "ec2-confirm-product-instance -H: the man page names the header line it prints" {
	local code ami inst header
	code=$(as_owner devpay-register-product --name P --platform linux --instance-type m1.small=0.20 | code_of)
	as_customer devpay-purchase-product "$code" >/dev/null
	ami=$(as_customer ec2-register img | ami_of)
	as_customer ec2-associate-product-code "$ami" -p "$code" >/dev/null
	inst=$(as_customer ec2-run-instances "$ami" | inst_of)
	run --separate-stderr as_owner ec2-confirm-product-instance -H "$code" -i "$inst"
	assert_success
	header=${lines[0]}
	assert_equal "$header" $'ProductCode\tInstanceId\tResult\tOwner'
	[[ "$(man_text ec2-confirm-product-instance OUTPUT)" == *"${header//$'\t'/ }"* ]] ||
		fail "OUTPUT does not name the header '$header'"
	[[ "$(man_text ec2-confirm-product-instance 'COMMON OPTIONS')" != *"starting with Type"* ]] ||
		fail "COMMON OPTIONS says the header starts with Type"
}

@test "a command whose own --region names product regions has no common --region in its man page" {
	local c bad=""
	for c in devpay-register-product devpay-modify-product; do
		# --help lists --region among the command's options, not the common ones
		"$c" --help | sed -n '/^Common options:/,$p' | grep -q -- '--region' &&
			fail "$c --help lists a common --region"
		man_text "$c" 'COMMON OPTIONS' | grep -qE -- '--region REGION Region' && bad="$bad $c"
		[[ "$(man_text "$c" 'ENVIRONMENT')" != *"The region, as --region"* ]] || bad="$bad $c(ENVIRONMENT)"
	done
	[ -z "$bad" ] || fail "COMMON OPTIONS or ENVIRONMENT describes --region as the request's region:$bad"
}

@test "ec2-run-instances(1) states the client token's rule the service applies: no spaces" {
	local ami
	ami=$(as_customer ec2-register img | ami_of)
	refused 1 InvalidParameterValue as_customer ec2-run-instances "$ami" --client-token "a b"
	assert_equal "$stderr" "Client.InvalidParameterValue: Client token must be printable ASCII without spaces"
	[[ "$(man_text ec2-run-instances DESCRIPTION)" == *"printable ASCII characters without spaces"* ]] ||
		fail "the man page does not say a token has no spaces"
}

@test "--help keeps every option apart from its description, long option names included" {
	local c bad=""
	for c in ec2-register ec2-run-instances ec2-describe-reserved-instances-offerings; do
		# an option line: the option, its one-word argument, then two spaces or more
		# before the description (or the description on the next line)
		bad+=$("$c" --help | awk -v c="$c" '/^  +-/ && !/^  (-[A-Za-z], |    )--[a-z-]+( [^ ]+)?(  +[^ ].*)?$/ {
			print "\n  " c ": " $0 }')
	done
	[ -z "$bad" ] || fail "option and description run together:$bad"
}

@test "an id in upper case is judged by the service (Malformed, exit 1), and the man pages say so" {
	local c
	as_customer ec2-describe-instances >/dev/null	# the account exists
	for c in ec2-describe-instances ec2-terminate-instances; do
		refused 1 'InvalidInstanceID\.Malformed' as_customer "$c" i-0123456789ABCDEF0
		assert_equal "$stderr" \
			'Client.InvalidInstanceID.Malformed: Invalid id: "i-0123456789ABCDEF0" (expecting "i-...")'
	done
	refused 1 'InvalidInstanceID\.Malformed' as_owner ec2-confirm-product-instance 0123ABCD -i i-0123456789ABCDEF0
	for c in ec2-describe-instances ec2-terminate-instances ec2-confirm-product-instance; do
		[[ "$(man_text "$c" DESCRIPTION)" == *"sent as given"* ]] ||
			fail "$c(1) does not say ids are sent as given"
	done
}
