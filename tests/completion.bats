#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Completion of ids and codes (completions/_devpay, shared by every
# completion file): from the describe commands of the current mode, cached a
# few seconds, never prompting or printing into the command line.
bats_require_minimum_version 1.5.0
load helpers

# complete CMD WORD...: the candidates bash offers for the last WORD, as
# bash-completion would (every completions/* file sourced, like the installed
# ones); stderr of the completion function is kept in $BATS_TEST_TMPDIR/err.
complete_words() {
	local cmd=$1
	shift
	bash -c '
		[ -f /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
		for f in "$ROOT"/completions/*; do . "$f"; done
		cmd=$1; shift
		fn=$(complete -p "$cmd" | sed -n "s/.*-F \([^ ]*\).*/\1/p")
		[ -n "$fn" ] || exit 1
		COMP_WORDS=("$cmd" "$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		"$fn" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>"$ERR"
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' _ "$cmd" "$@" </dev/null
}
export ROOT
export ERR="$BATS_TEST_TMPDIR/err"

# a product of the owner's, a customer image with its code, one instance
world() {
	CODE=$(as_owner devpay-register-product --name P --platform linux --instance-type m1.small=0.20 | code_of)
	as_customer devpay-purchase-product "$CODE" >/dev/null
	AMI=$(as_customer ec2-register mine --platform linux --root-device-type instance-store | ami_of)
	as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	INST=$(as_customer ec2-run-instances "$AMI" -t m1.small | inst_of)
	OTHER_AMI=$(as_other ec2-register others | ami_of)
}

@test "completion: instance ids for ec2-terminate-instances and ec2-describe-instances, the caller's only" {
	world
	local theirs
	theirs=$(as_other ec2-run-instances "$OTHER_AMI" | inst_of)
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET
	run complete_words ec2-terminate-instances ''
	assert_success
	assert_output "$INST"
	run complete_words ec2-terminate-instances "$INST" 'i-'
	assert_output "$INST"
	run complete_words ec2-describe-instances 'i-'
	assert_output "$INST"
	# a prefix no id has: nothing
	run complete_words ec2-terminate-instances 'i-zz'
	assert_output ""
	[ ! -s "$ERR" ]
	[[ "$theirs" != "$INST" ]]
}

@test "completion: image ids for ec2-run-instances, ec2-describe-images and ec2-associate-product-code" {
	world
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET
	run complete_words ec2-run-instances 'ami-'
	assert_output "$AMI"
	run complete_words ec2-describe-images ''
	assert_output "$AMI"
	run complete_words ec2-associate-product-code ''
	assert_output "$AMI"
	refute_output --partial "$OTHER_AMI"
}

@test "completion: product codes for confirm, cancel, associate -p, devpay-bill --product; instance ids after -i" {
	world
	run env AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET bash -c "$(declare -f complete_words); complete_words ec2-confirm-product-instance ''"
	assert_output "$CODE"
	run env AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET bash -c "$(declare -f complete_words); complete_words devpay-bill --product ''"
	assert_output "$CODE"
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET
	run complete_words devpay-cancel-subscription ''
	assert_output "$CODE"
	run complete_words ec2-associate-product-code "$AMI" -p ''
	assert_output "$CODE"
	run complete_words ec2-confirm-product-instance "$CODE" -i ''
	assert_output "$INST"
}

@test "completion: Reserved Instances offering ids after -o" {
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET
	local first
	first=$(ec2-describe-reserved-instances-offerings | field_of OFFERING 2)
	[ -n "$first" ]
	run complete_words ec2-purchase-reserved-instances-offering -o "${first:0:6}"
	assert_line "$first"
	run complete_words ec2-describe-reserved-instances-offerings --offering ''
	assert_line "$first"
}

@test "completion: the mode and caller typed on the command line are used (-U file://, -O/-W)" {
	world
	local other="$BATS_TEST_TMPDIR/other.db" ami2
	ami2=$(as_customer ec2-register elsewhere -U "file://$other" | ami_of)
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET
	run complete_words ec2-run-instances -U "file://$other" ''
	assert_output "$ami2"
	run complete_words ec2-run-instances -O "$OTHER_KEY" -W "$OTHER_SECRET" ''
	assert_output "$OTHER_AMI"
}

@test "completion: ids from a devpayd endpoint (EC2_URL)" {
	serve_accounts
	export EC2_URL=$URL
	world
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET
	run complete_words ec2-terminate-instances ''
	assert_output "$INST"
}

@test "completion: an unreachable endpoint or no credentials offer nothing and print nothing" {
	world
	local port
	port=$(free_port)	# nothing listens there
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET
	run --separate-stderr complete_words ec2-terminate-instances -U "http://127.0.0.1:$port/" ''
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	[ ! -s "$ERR" ]
	unset AWS_ACCESS_KEY AWS_SECRET_KEY
	run --separate-stderr complete_words ec2-terminate-instances ''
	assert_output ""
	assert_equal "$stderr" ""
	[ ! -s "$ERR" ]
}

@test "completion: ids are kept for DEVPAY_COMPLETE_CACHE seconds in the shell, then asked again" {
	world
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET
	# two completions in one shell, an instance launched between them
	run bash -c '
		. /usr/share/bash-completion/bash_completion
		for f in "$ROOT"/completions/*; do . "$f"; done
		c() { COMP_WORDS=(ec2-terminate-instances ""); COMP_CWORD=1; _ec2_terminate_instances; echo "${#COMPREPLY[@]}"; }
		DEVPAY_COMPLETE_CACHE=3600; c
		ec2-run-instances "$1" >/dev/null; c
		DEVPAY_COMPLETE_CACHE=0; c' _ "$AMI"
	assert_success
	assert_equal "$(echo $output)" "1 1 2"
}

@test "completion: profile names of the AWS shared files after --profile" {
	mkdir -p "$HOME/.aws"
	printf '[default]\n[ci]\n' >"$HOME/.aws/credentials"
	printf '[profile seller]\nregion = eu-west-1\n' >"$HOME/.aws/config"
	run complete_words ec2-describe-images --profile ''
	assert_equal "$(echo $output)" "ci default seller"
}

@test "completion: --output offers text, json and csv, in every client command" {
	run complete_words devpay-bill --output ''
	assert_equal "$(echo $output)" "text json csv"
	run complete_words ec2-describe-instances --output j
	assert_equal "$(echo $output)" "json"
	run complete_words ec2-create-tags --outp
	assert_equal "$(echo $output)" "--output"
}
