#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# TLS: devpayd serves HTTPS itself (--tls-cert/--tls-key); the client verifies
# the certificate against the system store or --ca-bundle/AWS_CA_BUNDLE and
# refuses one that does not verify (exit 3). The tests make their own CA and
# certificates with openssl. Loopback only.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	local d="$BATS_FILE_TMPDIR"
	# a CA, a server certificate it signs for localhost and 127.0.0.1, and
	# one signed by another CA
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 \
		-subj /CN=devpay-test-ca 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/other-ca.key" -out "$d/other-ca.pem" -days 2 \
		-subj /CN=another-ca 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$d/srv.key" -out "$d/srv.csr" -subj /CN=localhost 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-out "$d/srv.pem" -days 2 -extfile "$d/ext" 2>/dev/null
	# the same key, certified for another name only
	printf 'subjectAltName=DNS:elsewhere.example\n' >"$d/ext2"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-out "$d/wrong-name.pem" -days 2 -extfile "$d/ext2" 2>/dev/null
}

# serve_tls CERT: devpayd on HTTPS with CERT and the server key; sets URL.
serve_tls() {
	serve_accounts --tls-cert "$BATS_FILE_TMPDIR/$1" --tls-key "$BATS_FILE_TMPDIR/srv.key" || return 1
	URL="https://localhost:$DEVPAYD_PORT/"
}

requests_logged() { grep -c ' AKCUSTOMER000000001 ' "$DEVPAYD_LOG" || true; }

@test "tls: devpayd serves HTTPS; the client verifies it with --ca-bundle or AWS_CA_BUNDLE" {
	serve_tls srv.pem
	# the start line follows the listening socket: wait for it
	local n
	for n in $(seq 50); do grep -q 'https), store' "$DEVPAYD_LOG" && break; sleep 0.1; done
	grep -q 'https), store' "$DEVPAYD_LOG"
	run --separate-stderr env EC2_URL="$URL" AWS_CA_BUNDLE="$BATS_FILE_TMPDIR/ca.pem" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-register over-tls
	assert_success
	[[ "$output" =~ ^IMAGE$'\t'ami- ]]
	run --separate-stderr env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images --ca-bundle "$BATS_FILE_TMPDIR/ca.pem"
	assert_success
	assert_output --partial over-tls
	# by address too: the certificate names 127.0.0.1
	run --separate-stderr env EC2_URL="https://127.0.0.1:$DEVPAYD_PORT/" AWS_CA_BUNDLE="$BATS_FILE_TMPDIR/ca.pem" \
		AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_success
	assert_output --partial over-tls
	# --ca-bundle wins over AWS_CA_BUNDLE
	run --separate-stderr env EC2_URL="$URL" AWS_CA_BUNDLE="$BATS_FILE_TMPDIR/other-ca.pem" \
		AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images --ca-bundle "$BATS_FILE_TMPDIR/ca.pem"
	assert_success
}

@test "tls: a certificate the system store does not know is refused (exit 3), nothing is sent" {
	serve_tls srv.pem
	run --separate-stderr env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-register never-sent
	assert_failure 3
	assert_output ""
	[[ "$stderr" == "ec2-register: cannot reach endpoint '$URL': its TLS certificate does not verify ("*"); name the CA that signed it with --ca-bundle or AWS_CA_BUNDLE" ]] ||
		fail "stderr: $stderr"
	assert_equal "$(requests_logged)" 0
}

@test "tls: a certificate of another CA, or for another name, is refused (exit 3)" {
	serve_tls srv.pem
	run --separate-stderr env EC2_URL="$URL" AWS_CA_BUNDLE="$BATS_FILE_TMPDIR/other-ca.pem" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_failure 3
	[[ "$stderr" == *"TLS certificate does not verify"* ]] || fail "stderr: $stderr"
	devpayd_stop
	devpayd_serve --tls-cert "$BATS_FILE_TMPDIR/wrong-name.pem" --tls-key "$BATS_FILE_TMPDIR/srv.key"
	URL="https://localhost:$DEVPAYD_PORT/"
	run --separate-stderr env EC2_URL="$URL" AWS_CA_BUNDLE="$BATS_FILE_TMPDIR/ca.pem" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_failure 3
	[[ "$stderr" == *"TLS certificate does not verify"* ]] || fail "stderr: $stderr"
	assert_equal "$(requests_logged)" 0
}

@test "tls: a CA bundle that cannot be read is a usage error naming it (exit 2), nothing sent" {
	serve_tls srv.pem
	run --separate-stderr env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images --ca-bundle "$BATS_TEST_TMPDIR/missing.pem"
	assert_failure 2
	[[ "$stderr" == *"cannot read the CA bundle '$BATS_TEST_TMPDIR/missing.pem'"* ]] || fail "stderr: $stderr"
	run --separate-stderr env EC2_URL="$URL" AWS_CA_BUNDLE="$BATS_TEST_TMPDIR" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	[ "$status" -eq 2 ] || [ "$status" -eq 3 ] || fail "status $status"
	[ -n "$stderr" ]
	assert_equal "$(requests_logged)" 0
}

@test "tls: plain HTTP to the HTTPS port is not served (exit 3); devpayd keeps serving HTTPS" {
	serve_tls srv.pem
	run --separate-stderr env EC2_URL="http://127.0.0.1:$DEVPAYD_PORT/" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_failure 3
	assert_equal "$(requests_logged)" 0
	run --separate-stderr env EC2_URL="$URL" AWS_CA_BUNDLE="$BATS_FILE_TMPDIR/ca.pem" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_success
}

@test "tls: devpayd refuses a certificate or key it cannot use, naming the file (exit 1 or 2)" {
	local d=$BATS_FILE_TMPDIR
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --tls-cert "$d/srv.pem"
	assert_failure 2
	[[ "$stderr" == *"--tls-cert and --tls-key go together"* ]]
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --tls-cert "$d/nothere.pem" --tls-key "$d/srv.key"
	assert_failure 1
	[[ "$stderr" == *"cannot read certificate '$d/nothere.pem'"* ]]
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --tls-cert "$d/srv.key" --tls-key "$d/srv.key"
	assert_failure 1
	[[ "$stderr" == *"holds no PEM certificate"* ]]
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --tls-cert "$d/srv.pem" --tls-key "$d/srv.pem"
	assert_failure 1
	[[ "$stderr" == *"holds no PEM private key"* ]]
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --tls-cert "$d/srv.pem" --tls-key "$d/ca.key"
	assert_failure 1
	[[ "$stderr" == *"is not the key of the certificate"* ]]
	# and the key is never printed
	refute_output --partial PRIVATE
	[[ "$stderr" != *PRIVATE* ]]
}
