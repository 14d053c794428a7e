#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The habits of new users and AWS users: credentials from the AWS CLI's
# shared files, standard output errors, timeouts of a silent endpoint.
bats_require_minimum_version 1.5.0
load helpers

teardown() {
	[ -z "${SILENT_PID:-}" ] || kill $SILENT_PID 2>/dev/null || true
}

# aws_files: ~/.aws/credentials with the customer as [default] and the owner
# as [seller]; ~/.aws/config with a region for [profile seller].
aws_files() {
	mkdir -p "$HOME/.aws"
	cat >"$HOME/.aws/credentials" <<-EOT
	# the AWS CLI's file
	[default]
	aws_access_key_id = $CUSTOMER_KEY
	aws_secret_access_key = $CUSTOMER_SECRET

	[seller]
	AWS_ACCESS_KEY_ID=$OWNER_KEY
	aws_secret_access_key: $OWNER_SECRET
	EOT
	cat >"$HOME/.aws/config" <<-EOT
	[default]
	region = us-east-1
	[profile seller]
	region = eu-west-1
	s3 =
	    max_concurrent_requests = 10
	EOT
}

@test "credentials: the [default] profile of ~/.aws/credentials when no option or variable is set" {
	aws_files
	local ami
	ami=$(as_customer ec2-register mine | ami_of)
	run --separate-stderr ec2-describe-images "$ami"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(field_of IMAGE 2 <<<"$output")" "$ami"
}

@test "credentials: AWS_PROFILE and --profile pick a profile; its region comes from ~/.aws/config" {
	aws_files
	local c o
	# the seller's image of eu-west-1, the region of his profile (AMIs are regional)
	c=$(as_customer ec2-register mine --region eu-west-1 | ami_of)
	o=$(as_owner ec2-register theirs --region eu-west-1 | ami_of)
	run --separate-stderr env AWS_PROFILE=seller ec2-describe-images
	assert_success
	assert_output --partial "$o"
	refute_output --partial "$c"
	run --separate-stderr ec2-describe-images --profile seller
	assert_success
	assert_output --partial "$o"
	# the region of the profile is the caller's region in the service
	run --separate-stderr ec2-run-instances "$o" --profile seller
	assert_success
	assert_equal "$(field_of INSTANCE 12 <<<"$output")" eu-west-1a
	# a region given as a variable beats the file's
	o=$(as_owner ec2-register theirs-w2 --region us-west-2 | ami_of)
	run --separate-stderr env AWS_DEFAULT_REGION=us-west-2 ec2-run-instances "$o" --profile seller
	assert_success
	assert_equal "$(field_of INSTANCE 12 <<<"$output")" us-west-2a
}

@test "credentials: precedence is options, then AWS_ACCESS_KEY, then AWS_ACCESS_KEY_ID, then the files" {
	aws_files
	local c o other
	c=$(as_customer ec2-register mine | ami_of)
	o=$(as_owner ec2-register theirs | ami_of)
	other=$(as_other ec2-register others | ami_of)
	# AWS_ACCESS_KEY_ID beats the files
	run env AWS_ACCESS_KEY_ID=$OWNER_KEY AWS_SECRET_ACCESS_KEY=$OWNER_SECRET ec2-describe-images
	assert_output --partial "$o"
	refute_output --partial "$c"
	# AWS_ACCESS_KEY beats AWS_ACCESS_KEY_ID
	run env AWS_ACCESS_KEY_ID=$OWNER_KEY AWS_SECRET_ACCESS_KEY=$OWNER_SECRET \
		AWS_ACCESS_KEY=$OTHER_KEY AWS_SECRET_KEY=$OTHER_SECRET ec2-describe-images
	assert_output --partial "$other"
	refute_output --partial "$o"
	# -O/-W beat all of them; --profile beats the variables
	run env AWS_ACCESS_KEY=$OTHER_KEY AWS_SECRET_KEY=$OTHER_SECRET ec2-describe-images -O $OWNER_KEY -W $OWNER_SECRET
	assert_output --partial "$o"
	run env AWS_ACCESS_KEY=$OTHER_KEY AWS_SECRET_KEY=$OTHER_SECRET ec2-describe-images --profile seller --region us-east-1
	assert_output --partial "$o"
	refute_output --partial "$other"
}

@test "credentials: AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE name other files; a session token is read" {
	local o
	o=$(as_owner ec2-register theirs --region ap-southeast-1 | ami_of)
	printf '[ci]\naws_access_key_id=%s\naws_secret_access_key=%s\naws_session_token=%s\n' \
		"$OWNER_KEY" "$OWNER_SECRET" "$(printf 'T%.0s' $(seq 900))" >"$BATS_TEST_TMPDIR/creds"
	printf '[profile ci]\nregion = ap-southeast-1\n' >"$BATS_TEST_TMPDIR/config"
	# the service issues no session tokens: the store refuses the one read
	# (as devpayd does), nothing launched
	local before
	before=$(store_sum)
	run --separate-stderr env AWS_SHARED_CREDENTIALS_FILE="$BATS_TEST_TMPDIR/creds" \
		AWS_CONFIG_FILE="$BATS_TEST_TMPDIR/config" AWS_PROFILE=ci ec2-run-instances "$o"
	assert_failure 1
	assert_equal "$stderr" "Client.InvalidClientTokenId: The security token included in the request is invalid."
	assert_equal "$(store_sum)" "$before"
	# the same profile without it: its key, and the config file's region
	sed -i '/^aws_session_token=/d' "$BATS_TEST_TMPDIR/creds"
	run --separate-stderr env AWS_SHARED_CREDENTIALS_FILE="$BATS_TEST_TMPDIR/creds" \
		AWS_CONFIG_FILE="$BATS_TEST_TMPDIR/config" AWS_PROFILE=ci ec2-run-instances "$o"
	assert_success
	assert_equal "$(field_of INSTANCE 12 <<<"$output")" ap-southeast-1a
	printf 'aws_session_token=%s\n' "$(printf 'T%.0s' $(seq 900))" >>"$BATS_TEST_TMPDIR/creds"
	# the 900-character token reaches the request whole (SigV2 puts it in the body)
	fake_ok
	run --separate-stderr env AWS_SHARED_CREDENTIALS_FILE="$BATS_TEST_TMPDIR/creds" AWS_PROFILE=ci \
		EC2_URL="$FAKE_URL" EC2_SIGNATURE_VERSION=2 ec2-describe-images
	assert_success
	grep -q "SecurityToken=$(printf 'T%.0s' $(seq 900))&" "$BATS_TEST_TMPDIR/fake.log" ||
		fail "token not sent whole: $(cat "$BATS_TEST_TMPDIR/fake.log")"
}

@test "credentials: a profile in neither file is a usage error naming it; no profile, no key: a usage error" {
	aws_files
	usage_refused ec2-describe-images --profile nosuch
	[[ "$stderr" == *"profile 'nosuch'"* ]] || fail "stderr: $stderr"
	usage_refused env AWS_PROFILE=nosuch ec2-describe-images
	[[ "$stderr" == *"profile 'nosuch'"* ]] || fail "stderr: $stderr"
	rm -r "$HOME/.aws"
	usage_refused ec2-describe-images
	[[ "$stderr" == *"no access key"*"~/.aws/credentials"* ]] || fail "stderr: $stderr"
	usage_refused ec2-describe-images --profile ''
}

@test "credentials: a profile with a key but no secret is a usage error, not a request" {
	mkdir -p "$HOME/.aws"
	printf '[default]\naws_access_key_id = %s\n' "$CUSTOMER_KEY" >"$HOME/.aws/credentials"
	usage_refused ec2-describe-images
	[[ "$stderr" == *"no secret key"* ]] || fail "stderr: $stderr"
	[ ! -e "$DEVPAY_STORE" ] || [ -z "$(sqlite3 "$DEVPAY_STORE" 'SELECT 1 FROM accounts')" ]
}

# keys_process NAME JSON: a credential_process script printing JSON (exit
# status $3, default 0); prints its command line.
keys_process() {
	local f="$BATS_TEST_TMPDIR/$1.sh"
	printf '#!/bin/sh\ncat <<"EOF"\n%s\nEOF\nexit %s\n' "$2" "${3:-0}" >"$f"
	chmod +x "$f"
	echo "'$f' --ignored-argument"
}

@test "credentials: a profile's credential_process gives the keys, after the profile's own keys and the variables" {
	local c o cmd
	c=$(as_customer ec2-register mine | ami_of)
	o=$(as_owner ec2-register theirs | ami_of)
	mkdir -p "$HOME/.aws"
	cmd=$(keys_process owner "{\"Version\": 1, \"AccessKeyId\": \"$OWNER_KEY\", \"SecretAccessKey\": \"$OWNER_SECRET\", \"Expiration\": \"2999-01-01T00:00:00Z\"}")
	printf '[default]\nregion = us-east-1\ncredential_process = %s\n' "$cmd" >"$HOME/.aws/config"
	run --separate-stderr ec2-describe-images
	assert_success
	assert_equal "$stderr" ""
	assert_output --partial "$o"
	refute_output --partial "$c"
	# as the AWS CLI runs it: a shell command line (the acceptance's printf)
	printf '[profile p]\ncredential_process = printf {\\"Version\\":1,\\"AccessKeyId\\":\\"%s\\",\\"SecretAccessKey\\":\\"%s\\"}\n' \
		"$OWNER_KEY" "$OWNER_SECRET" >>"$HOME/.aws/config"
	run --separate-stderr ec2-describe-images --profile p
	assert_success
	assert_output --partial "$o"
	# the variables come first, then the profile's own keys
	run --separate-stderr as_customer ec2-describe-images
	assert_output --partial "$c"
	refute_output --partial "$o"
	printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$CUSTOMER_KEY" \
		"$CUSTOMER_SECRET" >"$HOME/.aws/credentials"
	run --separate-stderr ec2-describe-images
	assert_success
	assert_output --partial "$c"
	refute_output --partial "$o"
	# its session token is sent
	cmd=$(keys_process token "{\"Version\": 1, \"AccessKeyId\": \"$OWNER_KEY\", \"SecretAccessKey\": \"$OWNER_SECRET\", \"SessionToken\": \"PROCESS-TOKEN\"}")
	printf '[profile t]\ncredential_process = %s\n' "$cmd" >"$HOME/.aws/config"
	fake_ok
	run --separate-stderr env EC2_URL="$FAKE_URL" EC2_SIGNATURE_VERSION=2 ec2-describe-images --profile t
	assert_success
	grep -q "SecurityToken=PROCESS-TOKEN&" "$BATS_TEST_TMPDIR/fake.log" || fail "token not sent"
}

@test "credentials: a credential_process that fails, answers badly or gave expired keys is a one-line error naming the profile, never the secret" {
	local cmd before
	as_owner ec2-describe-images >/dev/null
	before=$(store_sum)
	mkdir -p "$HOME/.aws"
	# each: the answer, the exit status, what the message says
	while IFS='|' read -r json rc why; do
		cmd=$(keys_process bad "$json" "$rc")
		printf '[profile cp]\ncredential_process = %s\n' "$cmd" >"$HOME/.aws/config"
		run --separate-stderr ec2-describe-images --profile cp
		assert_equal "$status" 2
		assert_output ""
		# (WHY may end in * where the JSON library's column may differ)
		[[ "$stderr" == "ec2-describe-images: profile 'cp': credential_process: "$why ]] ||
			fail "for '$json': $stderr"
		[[ "$stderr" != *NEVER-SHOWN* ]] || fail "the secret is printed: $stderr"
	done <<-EOF
	{"Version": 1, "AccessKeyId": "AKPROC0000000000001", "SecretAccessKey": "NEVER-SHOWN"}|3|it exited with status 3
	AccessKeyId=AKPROC0000000000001 SecretAccessKey=NEVER-SHOWN|0|its answer is not JSON (line 1, column *)
	["NEVER-SHOWN"]|0|its answer is not a JSON object
	{"AccessKeyId": "AKPROC0000000000001", "SecretAccessKey": "NEVER-SHOWN"}|0|its answer has no Version
	{"Version": 2, "AccessKeyId": "AKPROC0000000000001", "SecretAccessKey": "NEVER-SHOWN"}|0|its answer's Version is not 1
	{"Version": 1, "SecretAccessKey": "NEVER-SHOWN"}|0|its answer has no AccessKeyId
	{"Version": 1, "AccessKeyId": "AKPROC0000000000001"}|0|its answer has no SecretAccessKey
	{"Version": 1, "AccessKeyId": "AKPROC0000000000001", "SecretAccessKey": 7}|0|its answer has no usable SecretAccessKey
	{"Version": 1, "AccessKeyId": "AKPROC0000000000001", "SecretAccessKey": "NEVER-SHOWN", "Expiration": "2001-01-01T00:00:00Z"}|0|the keys it gave expired at 2001-01-01T00:00:00Z
	{"Version": 1, "AccessKeyId": "AKPROC0000000000001", "SecretAccessKey": "NEVER-SHOWN", "Expiration": "soon"}|0|its answer's Expiration 'soon' is not an ISO 8601 UTC time
	EOF
	# no account was made for any of them
	assert_equal "$(store_sum)" "$before"
}

@test "credentials: a profile that assumes a role, uses SSO or a web identity is refused naming the setting (exit 2)" {
	local setting
	mkdir -p "$HOME/.aws"
	for setting in "role_arn = arn:aws:iam::123456789012:role/r" "sso_start_url = https://example.invalid/start" \
		"web_identity_token_file = /tmp/token" "credential_source = Environment"; do
		printf '[profile x]\n%s\nsource_profile = default\n' "$setting" >"$HOME/.aws/config"
		usage_refused ec2-describe-images --profile x
		assert_equal "$stderr" "ec2-describe-images: profile 'x' uses ${setting%% *}, which devpay commands do not support; give keys (aws_access_key_id, aws_secret_access_key) or credential_process"
	done
	# with keys of its own too: the AWS CLI would assume the role, so no silent use of the keys
	printf '[profile x]\nrole_arn = arn:aws:iam::123456789012:role/r\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
		"$OWNER_KEY" "$OWNER_SECRET" >"$HOME/.aws/config"
	usage_refused ec2-describe-images --profile x
	[[ "$stderr" == *"profile 'x' uses role_arn"* ]] || fail "stderr: $stderr"
	# keys given otherwise: the profile's way of getting keys does not matter
	run --separate-stderr as_owner env AWS_PROFILE=x ec2-describe-images
	assert_success
	# a plain profile is not refused
	printf '[profile x]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$OWNER_KEY" "$OWNER_SECRET" >"$HOME/.aws/config"
	run --separate-stderr ec2-describe-images --profile x
	assert_success
}

@test "region: --region, EC2_REGION, AWS_REGION, AWS_DEFAULT_REGION, then the profile's, as the AWS CLI v2 reads them" {
	mkdir -p "$HOME/.aws"
	printf '[default]\nregion = ap-southeast-2\n' >"$HOME/.aws/config"
	zone() { as_customer env "$@" ec2-describe-availability-zones | field_of AVAILABILITYZONE 2 | head -n 1; }
	assert_equal "$(zone AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=us-west-1)" eu-west-1a
	assert_equal "$(zone AWS_DEFAULT_REGION=us-west-1)" us-west-1a
	assert_equal "$(zone AWS_REGION=eu-west-1)" eu-west-1a
	assert_equal "$(zone EC2_REGION=sa-east-1 AWS_REGION=eu-west-1)" sa-east-1a
	assert_equal "$(as_customer env AWS_REGION=eu-west-1 ec2-describe-availability-zones --region us-west-2 | field_of AVAILABILITYZONE 2 | head -n 1)" us-west-2a
	assert_equal "$(zone X=1)" ap-southeast-2a
	# an unknown one is refused wherever it comes from
	usage_refused as_customer env AWS_REGION=mars-1 AWS_DEFAULT_REGION=us-west-1 ec2-describe-availability-zones
	[[ "$stderr" == *"unknown region 'mars-1'"* ]] || fail "stderr: $stderr"
}

# --- standard output ---------------------------------------------------------

@test "stdout: a write error is an error (exit 1, a message on stderr)" {
	local ami
	ami=$(as_customer ec2-register mine | ami_of)
	# nothing to write is no error
	AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET run --separate-stderr bash -c 'ec2-describe-images >/dev/full'
	assert_success
	AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET run --separate-stderr bash -c 'ec2-describe-images "$1" >/dev/full' _ "$ami"
	assert_equal "$status" 1
	[[ "$stderr" == "ec2-describe-images: cannot write to standard output: No space left on device" ]] ||
		fail "stderr: $stderr"
	# --help too
	run --separate-stderr bash -c 'ec2-describe-images --help >/dev/full'
	assert_equal "$status" 1
}

@test "stdout: a launch whose output is lost says the instances were launched and how to get them back" {
	local ami token
	ami=$(as_customer ec2-register mine | ami_of)
	AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET run --separate-stderr bash -c 'ec2-run-instances "$1" -n 2 >/dev/full' _ "$ami"
	assert_equal "$status" 1
	[[ "$stderr" == *"cannot write to standard output"*"instances were launched"*"ec2-describe-instances"*"--client-token "* ]] ||
		fail "stderr: $stderr"
	token=$(sed -n 's/.*--client-token \([0-9a-f-]*\),.*/\1/p' <<<"$stderr")
	[ -n "$token" ] || fail "no client token in: $stderr"
	# the hint works: the same token prints the two instances and launches nothing new
	run --separate-stderr as_customer ec2-run-instances "$ami" -n 2 --client-token "$token"
	assert_success
	assert_equal "$(grep -c '^INSTANCE' <<<"$output")" 2
	run as_customer ec2-describe-instances
	assert_equal "$(grep -c '^INSTANCE' <<<"$output")" 2
}

# --- timeouts ----------------------------------------------------------------

# silent: an endpoint that accepts connections and never answers; sets SILENT_URL.
silent() {
	local portfile="$BATS_TEST_TMPDIR/silent.port" i
	python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
s.settimeout(0.5)
end = time.time() + 60
while time.time() < end:
    try: conns.append(s.accept()[0])
    except OSError: pass
' "$portfile" </dev/null >/dev/null 2>&1 3>&- &
	SILENT_PID=$!
	for i in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.05; done
	SILENT_URL="http://127.0.0.1:$(cat "$portfile")/"
}

@test "timeouts: by default 10 s to connect and 60 s for the whole request (as the AWS CLI)" {
	silent
	# --debug names the timeouts in force before sending; the silent endpoint
	# is not waited for (a 1 s budget)
	run --separate-stderr as_customer env EC2_URL="$SILENT_URL" ec2-describe-images --debug --request-timeout 1
	[[ "$stderr" == *"* timeouts: 10 s to connect, 1 s for the whole request, retries included"* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr as_customer env EC2_URL="$SILENT_URL" ec2-describe-images --debug --connection-timeout 3 --request-timeout 1
	[[ "$stderr" == *"* timeouts: 3 s to connect, 1 s for the whole request"* ]] || fail "stderr: $stderr"
	fake_ok
	run --separate-stderr as_customer env EC2_URL="$FAKE_URL" ec2-describe-images --debug
	assert_success
	[[ "$stderr" == *"* timeouts: 10 s to connect, 60 s for the whole request, retries included"* ]] ||
		fail "stderr: $stderr"
}

# fake_ok: the scripted endpoint of tests/fake_endpoint.py answering "ok"; sets FAKE_URL.
fake_ok() {
	local i portfile="$BATS_TEST_TMPDIR/fake.port"
	python3 "$BATS_TEST_DIRNAME/fake_endpoint.py" "$portfile" "$BATS_TEST_TMPDIR/fake.log" ok </dev/null >/dev/null 2>&1 3>&- &
	SILENT_PID="${SILENT_PID:-} $!"
	for i in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.05; done
	FAKE_URL="http://127.0.0.1:$(cat "$portfile")/"
}

@test "timeouts: --request-timeout bounds the whole call: no new try once it is spent (exit 3, named)" {
	silent
	run --separate-stderr as_customer env EC2_URL="$SILENT_URL" ec2-describe-images --debug --request-timeout 1
	assert_equal "$status" 3
	assert_equal "$output" ""
	# one try, cut at the budget; none after it
	[[ "$stderr" != *"try 2 of"* ]] || fail "tried again after the budget was spent: $stderr"
	[[ "$stderr" == *"--request-timeout"* ]] || fail "the message does not name --request-timeout: $stderr"
}
