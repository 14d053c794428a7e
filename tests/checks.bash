# SPDX-License-Identifier: Apache-2.0
# Checks shared by products.bats, images.bats and store.bats, on top of
# helpers.bash: bad input that must leave the store as it was, refusals
# that must too, and a few builders.

T=$'\t'
PURCHASE_URL='https://aws-portal.amazon.com/gp/aws/user/subscription/index.html?offeringCode='

# bad_input TEXT CMD...: exit 2, nothing on stdout, one "PROG: message" line
# containing TEXT (followed at most by the "Try 'PROG --help'" hint), and the
# store exactly as it was.
bad_input() {
	local text=$1 before
	shift
	before=$(store_sum)
	run --separate-stderr "$@"
	assert_equal "$status" 2
	assert_equal "$output" ""
	local first=${stderr%%$'\n'*} rest=
	[[ "$stderr" == *$'\n'* ]] && rest=${stderr#*$'\n'}
	[[ "$first" =~ ^(devpay|ec2)-[a-z-]+:\ . ]] || fail "stderr does not start with 'PROG: ': $stderr"
	[[ "$first" == *"$text"* ]] || fail "the message does not name '$text': $first"
	[[ -z "$rest" || "$rest" =~ ^Try\ \'[a-z0-9-]+\ --help\'\ for\ more\ information\.$ ]] ||
		fail "more than the message and the --help hint on stderr: $stderr"
	assert_equal "$(store_sum)" "$before"
}

# refused_same STATUS CODE TEXT CMD...: refused as helpers.bash's refused
# checks, with "Client.CODE: " and TEXT in the message, and the store as it was
# (the caller must be known already: a first use creates its account).
refused_same() {
	local want=$1 code=$2 text=$3 before
	shift 3
	before=$(store_sum)
	refused "$want" "$code" "$@"
	[[ "$stderr" == "Client.$code: "*"$text"* ]] || fail "expected Client.$code: ...$text...: $stderr"
	assert_equal "$(store_sum)" "$before"
}

# The owner's Linux product priced m1.small=0.20 (more options may follow the name); prints its code.
new_product() {
	local name=$1
	shift
	as_owner devpay-register-product --name "$name" --platform linux \
		--instance-type m1.small=0.20 "$@" | code_of
}


# enrol as_customer...: makes the parties known (their first use creates the
# account), so a later refusal can be shown to leave the store as it was.
enrol() {
	local p
	for p; do
		"$p" devpay-describe-products >/dev/null
	done
}
