#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Key pairs (issue 20): ec2-add-keypair, ec2-import-keypair,
# ec2-describe-keypairs, ec2-delete-keypair, ec2-run-instances -k, on the
# local store; then through devpayd with the AWS CLI and the suite's own
# commands, and the public key served by devpay-metadata.
bats_require_minimum_version 1.5.0
load helpers

T=$'\t'
FP_SHA1='([0-9a-f]{2}:){19}[0-9a-f]{2}'
FP_MD5='([0-9a-f]{2}:){15}[0-9a-f]{2}'

# EC2's fingerprints, by openssl: of a created key (SHA-1 of the DER PKCS#8
# private key) and of an imported one (MD5 of the DER public key)
fp_created()  { openssl pkcs8 -in "$1" -inform PEM -outform DER -topk8 -nocrypt | openssl sha1 -c | sed 's/.*= //'; }
fp_imported() { openssl rsa -in "$1" -pubout -outform DER 2>/dev/null | openssl md5 -c | sed 's/.*= //'; }

# ssh_pub PEM: "ssh-rsa BASE64" of an RSA private key (ssh-keygen, or built
# from openssl's modulus and exponent where there is no ssh-keygen)
ssh_pub() {
	if command -v ssh-keygen >/dev/null; then
		chmod 600 "$1"
		ssh-keygen -y -f "$1" | cut -d' ' -f1-2
	else
		ssh_pub_built "$1"
	fi
}
ssh_pub_built() {
	python3 - "$(openssl rsa -in "$1" -noout -modulus)" \
		"$(openssl rsa -in "$1" -noout -text | sed -n 's/^publicExponent: \([0-9]*\).*/\1/p')" <<-'PY'
		import base64, struct, sys
		n, e = int(sys.argv[1].split("=")[1], 16), int(sys.argv[2])
		def s(b): return struct.pack(">I", len(b)) + b
		def mp(x): return s(x.to_bytes((x.bit_length() + 8) // 8, "big"))
		print("ssh-rsa " + base64.b64encode(s(b"ssh-rsa") + mp(e) + mp(n)).decode())
	PY
}

# new_key FILE: a 2048-bit RSA key made elsewhere: FILE (PEM) and FILE.pub
# (OpenSSH), by ssh-keygen where there is one, else by openssl
new_key() {
	if command -v ssh-keygen >/dev/null; then
		ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C "me@laptop" -f "$1"
	else
		openssl genrsa -traditional -out "$1" 2048 2>/dev/null
		echo "$(ssh_pub "$1") me@laptop" >"$1.pub"
	fi
}

# rfc4716 OPENSSH_LINE: the same key as an RFC 4716 public key file
rfc4716() {
	echo "---- BEGIN SSH2 PUBLIC KEY ----"
	echo 'Comment: "2048-bit RSA, converted from OpenSSH"'
	cut -d' ' -f2 <<<"$1" | fold -w 70
	echo "---- END SSH2 PUBLIC KEY ----"
}

# the private key after ec2-add-keypair's KEYPAIR line, mode 0600
pem_of() { sed 1d; }

# A devpayd on the test's store (the one of DEVPAY_TEST_MODE=devpayd, or
# a new one): URL
serve() { [ -n "${URL:-}" ] || serve_accounts; }
awsc() {
	AWS_ACCESS_KEY_ID=$CUSTOMER_KEY AWS_SECRET_ACCESS_KEY=$CUSTOMER_SECRET AWS_DEFAULT_REGION=us-east-1 \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		aws --endpoint-url "$URL" --output json ec2 "$@"
}
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

# --- local store: the commands ---------------------------------------------------

@test "add-keypair: KEYPAIR, name, EC2's fingerprint, then a private key openssl checks; only the public half is kept" {
	run --separate-stderr as_customer ec2-add-keypair k1
	assert_success
	[[ "${lines[0]}" =~ ^KEYPAIR${T}k1${T}${FP_SHA1}$ ]] || fail "first line: ${lines[0]}"
	assert_equal "${lines[1]}" "-----BEGIN RSA PRIVATE KEY-----"
	assert_equal "${lines[-1]}" "-----END RSA PRIVATE KEY-----"
	printf '%s\n' "$output" | pem_of >"$BATS_TEST_TMPDIR/k1.pem"
	run openssl rsa -check -noout -in "$BATS_TEST_TMPDIR/k1.pem"
	assert_output "RSA key ok"
	openssl rsa -in "$BATS_TEST_TMPDIR/k1.pem" -noout -text | grep -q 'Private-Key: (2048 bit'
	local fp
	fp=$(as_customer ec2-describe-keypairs | field_of KEYPAIR 3)
	assert_equal "$fp" "$(fp_created "$BATS_TEST_TMPDIR/k1.pem")"
	# the store: the public key in OpenSSH's form, named; nothing of the private one
	assert_equal "$(store_sql "SELECT public_key FROM key_pairs WHERE name = 'k1'")" \
		"$(ssh_pub "$BATS_TEST_TMPDIR/k1.pem") k1"
	if [[ "$DEVPAY_STORE" != postgres*://* ]]; then
		local body
		body=$(sed -n 2p "$BATS_TEST_TMPDIR/k1.pem")
		! grep -qaF -- "$body" "$DEVPAY_STORE"* || fail "the private key is in the store"
	fi
}

@test "import-keypair: an OpenSSH key and the same key in RFC 4716 form; the fingerprint is EC2's (MD5 of the DER public key)" {
	new_key "$BATS_TEST_TMPDIR/laptop"
	local fp
	fp=$(fp_imported "$BATS_TEST_TMPDIR/laptop")
	run --separate-stderr as_customer ec2-import-keypair laptop -f "$BATS_TEST_TMPDIR/laptop.pub"
	assert_success
	assert_output "KEYPAIR${T}laptop${T}$fp"
	[[ "$fp" =~ ^${FP_MD5}$ ]]
	rfc4716 "$(cat "$BATS_TEST_TMPDIR/laptop.pub")" >"$BATS_TEST_TMPDIR/laptop.rfc"
	run --separate-stderr as_customer ec2-import-keypair --public-key-file "$BATS_TEST_TMPDIR/laptop.rfc" again
	assert_output "KEYPAIR${T}again${T}$fp"
	# kept without the file's comment: the name takes its place
	assert_equal "$(store_sql "SELECT public_key FROM key_pairs WHERE name = 'laptop'")" \
		"$(cut -d' ' -f1-2 "$BATS_TEST_TMPDIR/laptop.pub") laptop"
	run as_customer ec2-describe-keypairs
	assert_output "KEYPAIR${T}again${T}$fp
KEYPAIR${T}laptop${T}$fp"
}

@test "key pairs refused: a duplicate, a bad name, garbage, another key type, two keys, a short key; the store unchanged" {
	as_customer ec2-add-keypair k1 >/dev/null
	new_key "$BATS_TEST_TMPDIR/k"
	local d=$BATS_TEST_TMPDIR before
	before=$(store_sum)
	refused 1 InvalidKeyPair.Duplicate as_customer ec2-add-keypair k1
	assert_equal "$stderr" "Client.InvalidKeyPair.Duplicate: The keypair 'k1' already exists."
	refused 1 InvalidKeyPair.Duplicate as_customer ec2-import-keypair k1 -f "$d/k.pub"
	refused 1 InvalidParameterValue as_customer ec2-add-keypair "$(printf 'k%.0s' {1..256})"
	refused 1 InvalidParameterValue as_customer ec2-add-keypair "clé"
	echo "not a key at all" >"$d/garbage"
	refused 1 InvalidKeyPair.Format as_customer ec2-import-keypair g -f "$d/garbage"
	assert_equal "$stderr" "Client.InvalidKeyPair.Format: Key is not in valid OpenSSH public key format: it does not start with ssh-rsa"
	echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIj7azlDjVHAsSxgcpCRZ3oWnTm0nAFM64y9jd22ioI/ me" >"$d/ed"
	refused 1 InvalidKeyPair.Format as_customer ec2-import-keypair g -f "$d/ed"
	[[ "$stderr" == *"only ssh-rsa keys are accepted, not ssh-ed25519" ]] || fail "stderr: $stderr"
	cat "$d/k.pub" "$d/k.pub" >"$d/two"
	refused 1 InvalidKeyPair.Format as_customer ec2-import-keypair g -f "$d/two"
	echo "ssh-rsa AAAA!!!! x" >"$d/notb64"
	refused 1 InvalidKeyPair.Format as_customer ec2-import-keypair g -f "$d/notb64"
	# the key blob cut short, and a 512-bit key
	echo "ssh-rsa $(cut -d' ' -f2 "$d/k.pub" | cut -c1-200) x" >"$d/short"
	refused 1 InvalidKeyPair.Format as_customer ec2-import-keypair g -f "$d/short"
	openssl genrsa -out "$d/tiny" 512 2>/dev/null
	echo "$(ssh_pub_built "$d/tiny") tiny" >"$d/tiny.pub"
	refused 1 InvalidKeyPair.Format as_customer ec2-import-keypair g -f "$d/tiny.pub"
	[[ "$stderr" == *"the key has 512 bits; 1024 to 16384 are accepted" ]] || fail "stderr: $stderr"
	# bad input on the command line: exit 2, nothing sent
	usage_refused as_customer ec2-add-keypair
	usage_refused as_customer ec2-add-keypair a b
	usage_refused as_customer ec2-import-keypair g
	usage_refused as_customer ec2-import-keypair g -f "$d/missing"
	: >"$d/empty"
	usage_refused as_customer ec2-import-keypair g -f "$d/empty"
	head -c 4000 /dev/zero >"$d/big"
	usage_refused as_customer ec2-import-keypair g -f "$d/big"
	usage_refused as_customer ec2-delete-keypair
	assert_equal "$(store_sum)" "$before"
}

@test "describe and delete: names, filters, NotFound; deleting a missing key pair succeeds; --dry-run changes nothing" {
	local a b
	a=$(as_customer ec2-add-keypair alpha | field_of KEYPAIR 3)
	b=$(as_customer ec2-add-keypair beta | field_of KEYPAIR 3)
	run as_customer ec2-describe-keypairs beta
	assert_output "KEYPAIR${T}beta${T}$b"
	run as_customer ec2-describe-keypairs -F "fingerprint=$a"
	assert_output "KEYPAIR${T}alpha${T}$a"
	run as_customer ec2-describe-keypairs -F 'key-name=*a' -F key-type=rsa
	assert_output "KEYPAIR${T}alpha${T}$a
KEYPAIR${T}beta${T}$b"
	run as_customer ec2-describe-keypairs -F tag-key=Name
	assert_output ""
	refused 1 InvalidKeyPair.NotFound as_customer ec2-describe-keypairs alpha gamma
	assert_equal "$stderr" "Client.InvalidKeyPair.NotFound: The key pair 'gamma' does not exist"
	refused 1 InvalidParameterValue as_customer ec2-describe-keypairs -F no-such=1
	local before
	before=$(store_sum)
	refused 1 DryRunOperation as_customer ec2-add-keypair gamma --dry-run
	refused 1 DryRunOperation as_customer ec2-delete-keypair alpha --dry-run
	refused 1 InvalidKeyPair.Duplicate as_customer ec2-add-keypair alpha --dry-run
	assert_equal "$(store_sum)" "$before"
	run --separate-stderr as_customer ec2-delete-keypair alpha
	assert_success
	assert_output "KEYPAIR${T}alpha"
	run as_customer ec2-describe-keypairs
	assert_output "KEYPAIR${T}beta${T}$b"
	# as EC2: a key pair that does not exist is deleted without a word
	run --separate-stderr as_customer ec2-delete-keypair alpha
	assert_success
	assert_output "KEYPAIR${T}alpha"
	# the name is free again
	as_customer ec2-add-keypair alpha >/dev/null
}

@test "key pairs belong to an account and a region" {
	as_customer ec2-add-keypair shared >/dev/null
	run as_other ec2-describe-keypairs
	assert_output ""
	refused 1 InvalidKeyPair.NotFound as_other ec2-describe-keypairs shared
	refused 1 InvalidKeyPair.NotFound as_customer ec2-describe-keypairs shared --region us-west-1
	# the same name elsewhere is another key pair; another's delete touches nothing
	as_other ec2-add-keypair shared >/dev/null
	as_customer ec2-add-keypair shared --region us-west-1 >/dev/null
	as_other ec2-delete-keypair shared >/dev/null
	run as_customer ec2-describe-keypairs shared
	assert_output --regexp "^KEYPAIR${T}shared${T}"
	assert_equal "$(store_sql "SELECT count(*) FROM key_pairs WHERE name = 'shared'")" 2
}

@test "run-instances -k: the key name in the INSTANCE record and the key-name filter; an unknown key refused, nothing launched; a client token keeps its key" {
	local ami id out
	ami=$(as_customer ec2-register plain | ami_of)
	as_customer ec2-add-keypair k1 >/dev/null
	as_customer ec2-add-keypair k2 >/dev/null
	out=$(as_customer ec2-run-instances "$ami" -k k1 --client-token tok-1)
	id=$(inst_of <<<"$out")
	assert_equal "$(field_of INSTANCE 7 <<<"$out")" k1
	as_customer ec2-run-instances "$ami" >/dev/null
	run as_customer ec2-describe-instances "$id"
	assert_equal "$(field_of INSTANCE 7 <<<"$output")" k1
	run as_customer ec2-describe-instances -F key-name=k1
	assert_equal "$(grep -c '^INSTANCE' <<<"$output")" 1
	assert_equal "$(inst_of <<<"$output")" "$id"
	run as_customer ec2-describe-instances -F 'key-name=*'
	assert_equal "$(grep -c '^INSTANCE' <<<"$output")" 1
	# the same token: the same reservation; with another key, or none: a mismatch
	run as_customer ec2-run-instances "$ami" --key k1 --client-token tok-1
	assert_equal "$(inst_of <<<"$output")" "$id"
	local before
	before=$(store_sum)
	refused 1 IdempotentParameterMismatch as_customer ec2-run-instances "$ami" -k k2 --client-token tok-1
	refused 1 IdempotentParameterMismatch as_customer ec2-run-instances "$ami" --client-token tok-1
	refused 1 InvalidKeyPair.NotFound as_customer ec2-run-instances "$ami" -k missing-key
	assert_equal "$stderr" "Client.InvalidKeyPair.NotFound: The key pair 'missing-key' does not exist"
	assert_equal "$(store_sum)" "$before"
	# another account's key, or one of another region, does not exist for the caller
	as_other ec2-add-keypair theirs >/dev/null
	as_customer ec2-add-keypair west --region us-west-1 >/dev/null
	before=$(store_sum)
	refused 1 InvalidKeyPair.NotFound as_customer ec2-run-instances "$ami" -k theirs
	refused 1 InvalidKeyPair.NotFound as_customer ec2-run-instances "$ami" -k west
	assert_equal "$(store_sum)" "$before"
	# a deleted key pair: the instance keeps its name
	as_customer ec2-delete-keypair k1 >/dev/null
	run as_customer ec2-describe-instances "$id"
	assert_equal "$(field_of INSTANCE 7 <<<"$output")" k1
}

# --- through devpayd ----------------------------------------------------------------

@test "aws ec2 create-key-pair, describe-key-pairs --include-public-key, delete-key-pair" {
	need aws python3
	serve
	run --separate-stderr awsc create-key-pair --key-name k1
	assert_success
	local created=$output fp id
	json 'd["KeyMaterial"]' <<<"$created" >"$BATS_TEST_TMPDIR/k1.pem"
	fp=$(json 'd["KeyFingerprint"]' <<<"$created")
	id=$(json 'd["KeyPairId"]' <<<"$created")
	assert_equal "$(json 'd["KeyName"]' <<<"$created")" k1
	[[ "$id" =~ ^key-[0-9a-f]{17}$ ]] || fail "KeyPairId: $id"
	run openssl rsa -check -noout -in "$BATS_TEST_TMPDIR/k1.pem"
	assert_output "RSA key ok"
	assert_equal "$fp" "$(fp_created "$BATS_TEST_TMPDIR/k1.pem")"
	run awsc describe-key-pairs --key-pair-ids "$id" --include-public-key --filters Name=key-name,Values=k1
	assert_success
	assert_equal "$(json '[(k["KeyName"], k["KeyFingerprint"], k["KeyPairId"], k["KeyType"]) for k in d["KeyPairs"]]' <<<"$output")" \
		"[('k1', '$fp', '$id', 'rsa')]"
	assert_equal "$(json 'd["KeyPairs"][0]["PublicKey"]' <<<"$output")" "$(ssh_pub "$BATS_TEST_TMPDIR/k1.pem") k1"
	# the private key went to the caller only: not in the server's log
	! grep -qF "$(sed -n 2p "$BATS_TEST_TMPDIR/k1.pem")" "$DEVPAYD_LOG"
	run --separate-stderr awsc create-key-pair --key-name k1
	assert_failure
	[[ "$stderr" == *"(InvalidKeyPair.Duplicate)"* ]] || fail "stderr: $stderr"
	run --separate-stderr awsc describe-key-pairs --key-names nope
	[[ "$stderr" == *"(InvalidKeyPair.NotFound)"*"The key pair 'nope' does not exist"* ]] || fail "stderr: $stderr"
	run awsc delete-key-pair --key-name k1
	assert_success
	run awsc describe-key-pairs
	assert_equal "$(json 'd["KeyPairs"]' <<<"$output")" "[]"
}

@test "aws ec2 import-key-pair with fileb://; garbage refused with InvalidKeyPair.Format" {
	need aws python3
	serve
	new_key "$BATS_TEST_TMPDIR/laptop"
	run --separate-stderr awsc import-key-pair --key-name laptop --public-key-material "fileb://$BATS_TEST_TMPDIR/laptop.pub"
	assert_success
	assert_equal "$(json 'd["KeyFingerprint"]' <<<"$output")" "$(fp_imported "$BATS_TEST_TMPDIR/laptop")"
	# the suite sees what the AWS CLI imported
	echo "ssh-rsa garbage" >"$BATS_TEST_TMPDIR/bad.pub"
	run --separate-stderr awsc import-key-pair --key-name bad --public-key-material "fileb://$BATS_TEST_TMPDIR/bad.pub"
	assert_failure
	[[ "$stderr" == *"(InvalidKeyPair.Format)"* ]] || fail "stderr: $stderr"
	run --separate-stderr awsc import-key-pair --key-name bad --public-key-material "fileb://$BATS_TEST_TMPDIR/laptop.pub" --dry-run
	[[ "$stderr" == *"(DryRunOperation)"* ]] || fail "stderr: $stderr"
	run as_customer env EC2_URL="$URL" ec2-describe-keypairs
	assert_output "KEYPAIR${T}laptop${T}$(fp_imported "$BATS_TEST_TMPDIR/laptop")"
}

@test "aws ec2 run-instances --key-name: KeyName in describe-instances and its key-name filter; a missing key refused, nothing launched" {
	need aws python3
	serve
	local ami id
	ami=$(as_customer env EC2_URL="$URL" ec2-register plain | ami_of)
	as_customer env EC2_URL="$URL" ec2-add-keypair k1 >/dev/null
	id=$(awsc run-instances --image-id "$ami" --count 1 --key-name k1 | json 'd["Instances"][0]["InstanceId"]')
	as_customer env EC2_URL="$URL" ec2-run-instances "$ami" >/dev/null
	run awsc describe-instances --instance-ids "$id" --query 'Reservations[].Instances[].KeyName'
	assert_equal "$(json 'd' <<<"$output")" "['k1']"
	run awsc describe-instances --filters Name=key-name,Values=k1 --query 'Reservations[].Instances[].InstanceId'
	assert_equal "$(json 'd' <<<"$output")" "['$id']"
	run as_customer env EC2_URL="$URL" ec2-describe-instances "$id"
	assert_equal "$(field_of INSTANCE 7 <<<"$output")" k1
	run --separate-stderr awsc run-instances --image-id "$ami" --count 1 --key-name missing-key
	assert_failure
	[[ "$stderr" == *"(InvalidKeyPair.NotFound)"*"The key pair 'missing-key' does not exist"* ]] || fail "stderr: $stderr"
	run as_customer env EC2_URL="$URL" ec2-describe-instances
	assert_equal "$(grep -c '^INSTANCE' <<<"$output")" 2
}

# md_start INSTANCE: devpay-metadata as the customer through $URL on a free port; MD
md_start() {
	local port i
	port=$(free_port)
	AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET EC2_URL=$URL \
		devpay-metadata --instance "$1" --listen "127.0.0.1:$port" </dev/null \
		>/dev/null 2>"$BATS_TEST_TMPDIR/md.err" 3>&- &
	MD_PID=$!
	MD="http://127.0.0.1:$port/latest/meta-data"
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		kill -0 "$MD_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$BATS_TEST_TMPDIR/md.err" >&2
	fail "devpay-metadata did not start"
}

teardown() {
	[ -z "${MD_PID:-}" ] || kill "$MD_PID" 2>/dev/null || true
	devpayd_stop
	answers_checked
}

@test "devpay-metadata serves public-keys/0/openssh-key, the public half of the created key; none for an instance without a key" {
	need curl python3
	serve
	local ami id plain
	ami=$(as_customer env EC2_URL="$URL" ec2-register plain | ami_of)
	as_customer env EC2_URL="$URL" ec2-add-keypair k1 | pem_of >"$BATS_TEST_TMPDIR/k1.pem"
	id=$(as_customer env EC2_URL="$URL" ec2-run-instances "$ami" -k k1 | inst_of)
	md_start "$id"
	run curl -sf "$MD/"
	assert_line public-keys/
	assert_equal "$(curl -sf "$MD/public-keys/")" "0=k1"
	assert_equal "$(curl -sf "$MD/public-keys/0/")" "openssh-key"
	assert_equal "$(curl -sf "$MD/public-keys/0/openssh-key")" "$(ssh_pub "$BATS_TEST_TMPDIR/k1.pem") k1"
	# the key pair deleted: its public key is no longer served
	as_customer env EC2_URL="$URL" ec2-delete-keypair k1 >/dev/null
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' "$MD/public-keys/0/openssh-key")" 404
	kill "$MD_PID"
	wait "$MD_PID" 2>/dev/null || true
	plain=$(as_customer env EC2_URL="$URL" ec2-run-instances "$ami" | inst_of)
	md_start "$plain"
	run curl -sf "$MD/"
	refute_line public-keys/
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' "$MD/public-keys/")" 404
}

@test "signed requests: CreateKeyPair takes EC2's defaults KeyType=rsa KeyFormat=pem, refuses others; DescribeKeyPairs IncludePublicKey is true or false" {
	serve_signed
	run --separate-stderr as_customer signed us-east-1 Action=CreateKeyPair Version=2016-11-15 \
		KeyName=k1 KeyType=rsa KeyFormat=pem
	assert_success
	assert_output --partial "<keyMaterial>-----BEGIN RSA PRIVATE KEY-----"
	refused 1 InvalidParameterValue as_customer signed us-east-1 Action=CreateKeyPair Version=2016-11-15 \
		KeyName=k2 KeyFormat=ppk
	refused 1 InvalidParameterValue as_customer signed us-east-1 Action=DescribeKeyPairs Version=2016-11-15 \
		IncludePublicKey=yes
	refused 1 InvalidParameterValue as_customer signed us-east-1 Action=ImportKeyPair Version=2016-11-15 \
		KeyName=k3 PublicKeyMaterial='not base64!'
	run --separate-stderr as_customer signed us-east-1 Action=DescribeKeyPairs Version=2016-11-15 \
		IncludePublicKey=false
	assert_success
	assert_output --partial "<keyName>k1</keyName>"
	refute_output --partial "<publicKey>"
}
