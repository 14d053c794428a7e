#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The suite's client against a third-party server: moto_server, with SigV4
# signatures checked (an IAM user's key; a wrong secret is refused).
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	if command -v moto_server >/dev/null 2>&1 && python3 -c 'import boto3' 2>/dev/null; then
		read -r MOTO_PORT MOTO_PID MOTO_KEY MOTO_SECRET MOTO_AMI \
			< <(python3 "$BATS_TEST_DIRNAME/moto_auth.py" 2>"$BATS_FILE_TMPDIR/moto.err")
		export MOTO_PORT MOTO_PID MOTO_KEY MOTO_SECRET MOTO_AMI
	fi
}

teardown_file() {
	[ -z "${MOTO_PID:-}" ] || kill "$MOTO_PID" 2>/dev/null || true
}

setup() {
	need moto_server python3
	[ -n "${MOTO_PORT:-}" ] || fail "moto_server did not start: $(cat "$BATS_FILE_TMPDIR/moto.err")"
	fresh_store
}

M() { EC2_URL="http://127.0.0.1:$MOTO_PORT" AWS_ACCESS_KEY=$MOTO_KEY AWS_SECRET_KEY=$MOTO_SECRET "$@"; }
instances_built() { [ -x "$BIN/ec2-run-instances" ] || skip "ec2-run-instances is not built yet"; }

@test "ec2-describe-images AMI against moto" {
	run --separate-stderr M ec2-describe-images "$MOTO_AMI"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(grep -c '^IMAGE' <<<"$output")" 1
	assert_equal "$(field_of IMAGE 2 <<<"$output")" "$MOTO_AMI"
	assert_equal "$(field_of IMAGE 5 <<<"$output")" available
}

@test "a wrong secret is refused by moto (exit 1, one Client. line)" {
	refused 1 AuthFailure env EC2_URL="http://127.0.0.1:$MOTO_PORT" AWS_ACCESS_KEY=$MOTO_KEY AWS_SECRET_KEY=wrong ec2-describe-images "$MOTO_AMI"
	assert_equal "$stderr" "Client.AuthFailure: AWS was not able to validate the provided access credentials"
}

@test "ec2-run-instances, ec2-describe-instances, ec2-terminate-instances against moto" {
	instances_built
	run --separate-stderr M ec2-run-instances "$MOTO_AMI" -t m1.small -n 2
	assert_success
	assert_equal "$(grep -c '^INSTANCE' <<<"$output")" 2
	assert_equal "$(grep -c '^RESERVATION' <<<"$output")" 1
	local id
	id=$(inst_of <<<"$output")
	run M ec2-describe-instances
	assert_success
	assert_output --partial "$id"
	run M ec2-terminate-instances "$id"
	assert_success
	assert_output --regexp "^INSTANCE	$id	[a-z-]+	(shutting-down|terminated)$"
}

@test "ec2-describe-instances with a wrong secret is refused by moto" {
	instances_built
	refused 1 AuthFailure env EC2_URL="http://127.0.0.1:$MOTO_PORT" AWS_ACCESS_KEY=$MOTO_KEY AWS_SECRET_KEY=wrong ec2-describe-instances
}
