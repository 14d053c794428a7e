#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# One account's bytes never break another's: text values checked at the
# service boundary, well-formed answers whatever a store holds, no existence
# leak, and devpayd's behaviour under signals, far-future SigV2 Expires and a
# vanished store. Runs in both modes (make check runs it through devpayd
# too); the tests of devpayd itself start their own server and run once.
bats_require_minimum_version 1.5.0
load helpers
load checks

T=$'\t'

teardown() {
	devpayd_stop
	[ -z "${FAKE_PID:-}" ] || kill "$FAKE_PID" 2>/dev/null
	answers_checked
}

# A test of devpayd's own behaviour: once, with a server of its own.
server_test() {
	[ "${DEVPAY_TEST_MODE:-local}" = local ] || skip "devpayd's own behaviour: tested once, in local mode"
	serve_accounts "$@"
}
v2() { python3 "$BATS_TEST_DIRNAME/v2request.py" "$DEVPAYD_PORT" "$@"; }

# The bad values every text parameter is tried with.
BAD_VALUES=($'a\001b' $'img\377' $'a\tb' $'line\nline' $'\302\205' $'\355\240\200')

@test "a control character or bad UTF-8 in any text parameter is refused, the store unchanged" {
	local code before v
	code=$(new_product Good)
	ami=$(as_customer ec2-register mine | ami_of)
	before=$(store_sum)
	for v in "${BAD_VALUES[@]}"; do
		refused 1 InvalidParameterValue as_owner devpay-register-product --name "$v" --platform linux --instance-type m1.small=1
		[[ "$stderr" == *"Value for parameter Name is invalid"* ]] || fail "$stderr"
		refused 1 InvalidParameterValue as_owner devpay-register-product --name ok --description "$v" --platform linux --instance-type m1.small=1
		[[ "$stderr" == *"parameter Description"* ]] || fail "$stderr"
		refused 1 InvalidParameterValue as_customer ec2-register "$v"
		refused 1 InvalidParameterValue as_customer ec2-register ok --description "$v"
		refused 1 InvalidParameterValue as_customer ec2-run-instances "$ami" --client-token "tok$v"
		[[ "$stderr" == *"parameter ClientToken"* ]] || fail "$stderr"
	done
	assert_equal "$(store_sum)" "$before"
}

@test "line separators and bidirectional controls are refused as control characters, the store unchanged" {
	local before c cp ami
	new_product Good >/dev/null
	ami=$(as_customer ec2-register mine | ami_of)
	before=$(store_sum)
	# U+2028, U+2029, U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C
	for cp in 2028 2029 202A 202B 202C 202D 202E 2066 2067 2068 2069 200E 200F 061C; do
		c=$(python3 -c "print(chr(0x$cp), end='')")
		refused 1 InvalidParameterValue as_owner devpay-register-product --name "a${c}b" --platform linux --instance-type m1.small=1
		assert_equal "$stderr" "Client.InvalidParameterValue: Value for parameter Name is invalid: it contains the control character U+$cp at offset 1; text values are UTF-8 without control characters (tab and newline included)"
		refused 1 InvalidParameterValue as_owner devpay-register-product --name ok --description "x${c}" --platform linux --instance-type m1.small=1
		refused 1 InvalidParameterValue as_customer ec2-register "img${c}"
		refused 1 InvalidParameterValue as_customer ec2-create-tags "$ami" --tag "Name=a${c}b"
		refused 1 InvalidParameterValue as_customer ec2-add-keypair "key${c}"
	done
	assert_equal "$(store_sum)" "$before"
	# their neighbours are ordinary text: U+2027, U+2030, U+2065, U+206A, U+200D, U+061B
	for cp in 2027 2030 2065 206A 200D 061B; do
		c=$(python3 -c "print(chr(0x$cp), end='')")
		run as_customer ec2-register "img${c}$cp"
		assert_success
	done
}

@test "the refusal never echoes the bad bytes; it names the parameter, the character and where" {
	new_product Good >/dev/null
	refused 1 InvalidParameterValue as_owner devpay-register-product --name $'a\001b' --platform linux --instance-type m1.small=1
	assert_equal "$stderr" "Client.InvalidParameterValue: Value for parameter Name is invalid: it contains the control character U+0001 at offset 1; text values are UTF-8 without control characters (tab and newline included)"
	refused 1 InvalidParameterValue as_customer ec2-register $'img\377'
	assert_equal "$stderr" "Client.InvalidParameterValue: Value for parameter Name is invalid: it is not valid UTF-8 (byte 0xFF at offset 3); text values are UTF-8 without control characters (tab and newline included)"
}

@test "a value over 4096 bytes is refused; printable Unicode up to the limits is accepted" {
	local long desc
	long=$(head -c 4097 /dev/zero | tr '\0' x)
	refused 1 InvalidParameterValue as_customer ec2-register ok --description "$long"
	[[ "$stderr" == *"longer than 4096 bytes"* ]] || fail "$stderr"
	desc="${long:0:4096}"
	run as_customer ec2-register "zoë's AMI 製品 ☃" --description "$desc"
	assert_success
	run as_customer ec2-describe-images
	assert_success
	assert_equal "$(field_of IMAGE 3 <<<"$output" | cut -d/ -f2)" "zoë's AMI 製品 ☃"
}

@test "after a refused value, another customer's bill and describe still work" {
	local code
	code=$(at 2026-05-01T00:00:00Z new_product Good --monthly-fee 5)
	at 2026-05-01T00:00:00Z as_customer devpay-purchase-product "$code" >/dev/null
	refused 1 InvalidParameterValue at 2026-05-02T00:00:00Z as_owner devpay-register-product --name $'Good\001' --description $'bad\377' --platform linux --instance-type m1.small=1
	run at 2026-06-01T00:00:00Z as_customer devpay-bill --period 2026-05
	assert_success
	assert_output --partial "$code"
	run as_customer devpay-describe-products "$code"
	assert_success
	assert_output --partial Good
}

@test "a store written before the check (bad bytes in it) still gives well-formed answers" {
	sqlite_only
	local code ami
	code=$(new_product Good)
	ami=$(as_customer ec2-register mine | ami_of)
	as_customer devpay-purchase-product "$code" >/dev/null
	sqlite3 "$DEVPAY_STORE" "UPDATE products SET name = 'a' || char(1) || 'b' || cast(x'ff' AS text), description = 'x' || char(9) || 'y';
	  UPDATE images SET name = 'img' || cast(x'ff' AS text), description = char(27) || '[31m'"
	run as_owner devpay-describe-products "$code"
	assert_success
	assert_equal "$(field_of PRODUCT 3 <<<"$output")" "a�b�"
	assert_equal "$(field_of PRODUCT 11 <<<"$output")" "x�y"
	run as_customer ec2-describe-images
	assert_success
	assert_equal "$(field_of IMAGE 3 <<<"$output" | cut -d/ -f2)" "img�"
	run at 2026-06-01T00:00:00Z as_customer devpay-bill
	assert_success
}

@test "a request of more than 1000 parameters is refused; 1000 offering ids are answered" {
	local args=() i
	for i in $(seq 995); do args+=(-o "id-$i"); done
	run --separate-stderr as_customer ec2-describe-reserved-instances-offerings "${args[@]}"
	assert_success
	for i in $(seq 996 1010); do args+=(-o "id-$i"); done
	refused 1 InvalidParameterValue as_customer ec2-describe-reserved-instances-offerings "${args[@]}"
	[[ "$stderr" == *"at most 1000 are accepted"* ]] || fail "$stderr"
}

@test "another account's private image answers exactly as a missing one" {
	local code ami missing
	code=$(new_product P)
	ami=$(as_customer ec2-register mine | ami_of)
	as_other ec2-describe-images >/dev/null
	for cmd in "ec2-run-instances" "ec2-associate-product-code -p $code" "ec2-describe-images"; do
		refused 1 'InvalidAMIID\.NotFound' as_other $cmd ami-0123456789abcdef0
		missing=${stderr/ami-0123456789abcdef0/$ami}
		refused 1 'InvalidAMIID\.NotFound' as_other $cmd "$ami"
		assert_equal "$stderr" "$missing"
	done
	# the owner's own image is there
	run as_customer ec2-run-instances "$ami"
	assert_success
}

# --- devpayd ------------------------------------------------------------------

@test "devpayd: DescribeImageAttribute and ModifyImageAttribute on another's image: 400 NotFound, as a missing one" {
	server_test
	local ami
	ami=$(EC2_URL=$URL as_customer ec2-register mine | ami_of)
	for action in "Action=DescribeImageAttribute Attribute=productCodes" "Action=ModifyImageAttribute ProductCode.1=774F4FF8"; do
		run v2 "$OTHER_KEY" "$OTHER_SECRET" $action ImageId="$ami"
		assert_line --index 0 400
		assert_output --partial "<Code>InvalidAMIID.NotFound</Code><Message>The image id '[$ami]' does not exist</Message>"
		run v2 "$OTHER_KEY" "$OTHER_SECRET" $action ImageId=ami-0123456789abcdef0
		assert_line --index 0 400
		assert_output --partial "<Code>InvalidAMIID.NotFound</Code><Message>The image id '[ami-0123456789abcdef0]' does not exist</Message>"
	done
}

@test "devpayd: any parameter's bad bytes (a filter value, an unknown name) refused, answer well-formed" {
	server_test
	local before
	before=$(store_sum)
	run v2 "$CUSTOMER_KEY" "$CUSTOMER_SECRET" Action=DescribeImages Filter.1.Name=name $'Filter.1.Value.1=a\001'
	assert_line --index 0 400
	assert_output --partial "<Code>InvalidParameterValue</Code><Message>Value for parameter Filter.1.Value.1 is invalid"
	run v2 "$CUSTOMER_KEY" "$CUSTOMER_SECRET" Action=RegisterImage Name=ok $'X\377=1'
	assert_line --index 0 400
	assert_output --partial 'Parameter name X\xFF is invalid'
	printf '%s\n' "${lines[@]:1}" | python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'
	assert_equal "$(store_sum)" "$before"
}

@test "devpayd: SigV2 Expires more than 15 minutes ahead is refused (RequestExpired); 10 minutes is accepted" {
	server_test
	run v2 "$CUSTOMER_KEY" "$CUSTOMER_SECRET" Action=DescribeImages --expires 2099-01-01T00:00:00Z
	assert_line --index 0 400
	assert_output --partial "<Code>RequestExpired</Code>"
	run v2 "$CUSTOMER_KEY" "$CUSTOMER_SECRET" Action=DescribeImages --expires-in 1200
	assert_line --index 0 400
	assert_output --partial "<Code>RequestExpired</Code>"
	run v2 "$CUSTOMER_KEY" "$CUSTOMER_SECRET" Action=DescribeImages --expires-in 600
	assert_line --index 0 200
	run v2 "$CUSTOMER_KEY" "$CUSTOMER_SECRET" Action=DescribeImages --expires-in -60
	assert_line --index 0 400
	assert_output --partial "<Code>RequestExpired</Code>"
}

@test "devpayd: SIGHUP reopens the access log and keeps serving; logged" {
	server_test
	EC2_URL=$URL as_customer ec2-describe-images >/dev/null
	mv "$DEVPAYD_LOG" "$DEVPAYD_LOG.1"
	kill -HUP "$DEVPAYD_PID"
	# the reopened log appears with its line; the server still answers
	for _ in $(seq 100); do grep -q 'SIGHUP: log .* reopened' "$DEVPAYD_LOG" 2>/dev/null && break; sleep 0.05; done
	grep -q 'SIGHUP: log .* reopened' "$DEVPAYD_LOG"
	run env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_success
	kill -0 "$DEVPAYD_PID"
	grep -q "DescribeImages $CUSTOMER_KEY 200" "$DEVPAYD_LOG"
	grep -q "DescribeImages $CUSTOMER_KEY 200" "$DEVPAYD_LOG.1"
}

@test "devpayd: SIGTERM answers every request already accepted, then exits 0" {
	server_test --threads 2
	local pid=$DEVPAYD_PID
	run v2 "$CUSTOMER_KEY" "$CUSTOMER_SECRET" --conns 20 --signal "$pid" Action=RegisterImage Name=img
	assert_success
	# one image registered (the name is the same), 19 duplicates refused: all answered
	printf "%s\n" "$output" >&2
	assert_equal "$(grep -c '^200$' <<<"$output")" 1
	assert_equal "$(grep -c '^400$' <<<"$output")" 19
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	DEVPAYD_PID=
	grep -q 'SIGTERM: stopped accepting' "$DEVPAYD_LOG"
	grep -q 'stopped on SIGTERM' "$DEVPAYD_LOG"
	# and it accepts nothing more
	run env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_failure 3
}

@test "devpayd: SIGINT stops it as SIGTERM does (exit 0, logged)" {
	server_test
	EC2_URL=$URL as_customer ec2-describe-images >/dev/null
	kill -INT "$DEVPAYD_PID"
	local rc=0
	wait "$DEVPAYD_PID" || rc=$?
	assert_equal "$rc" 0
	DEVPAYD_PID=
	grep -q 'stopped on SIGINT' "$DEVPAYD_LOG"
}

@test "devpayd: a store moved away or replaced answers 503 and is never re-created; back, it is served" {
	server_test
	EC2_URL=$URL as_customer ec2-register mine >/dev/null
	mv "$DEVPAY_STORE" "$DEVPAY_STORE.away"
	refused 1 ServiceUnavailable env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET \
		ec2-describe-images
	[ ! -e "$DEVPAY_STORE" ] || fail "a new store was created"
	grep -q "the store '$DEVPAY_STORE' has disappeared" "$DEVPAYD_LOG"
	# another file in its place is not the store either
	cp "$DEVPAY_STORE.away" "$DEVPAY_STORE"
	refused 1 ServiceUnavailable env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	rm "$DEVPAY_STORE"
	mv "$DEVPAY_STORE.away" "$DEVPAY_STORE"
	run env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_success
	assert_output --partial mine
	grep -q "is back" "$DEVPAYD_LOG"
}

@test "devpayd: a store failure's details go to its log, never to the client; locally they are shown" {
	server_test
	EC2_URL=$URL as_customer ec2-describe-reserved-instances >/dev/null
	sqlite3 "$DEVPAY_STORE" 'DROP TABLE reserved_instances'
	refused 1 InternalError env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-reserved-instances
	assert_equal "$stderr" "Service.InternalError: An internal error has occurred"
	grep -q 'DescribeReservedInstances: internal error: .*no such table' "$DEVPAYD_LOG"
	refused 1 InternalError as_customer ec2-describe-reserved-instances
	[[ "$stderr" == *"no such table"* ]] || fail "$stderr"
}

@test "DEVPAY_CHECK_XML: a malformed answer fails the command (exit 70) and is noted" {
	[ "${DEVPAY_TEST_MODE:-local}" = local ] || skip "tested once"
	local port note="$BATS_TEST_TMPDIR/noted"
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeImagesResponse><imagesSet><item><name>a\001b</name></item></imagesSet></DescribeImagesResponse>\n' >"$BATS_TEST_TMPDIR/bad.xml"
	port=$(free_port)
	python3 -c '
import http.server, sys
body = open(sys.argv[2], "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$port" "$BATS_TEST_TMPDIR/bad.xml" 3>&- &
	FAKE_PID=$!
	wait_port "$port"
	run --separate-stderr env DEVPAY_CHECK_XML="$note" EC2_URL=http://127.0.0.1:$port \
		AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	assert_equal "$status" 70
	[[ "$stderr" == *"DEVPAY_CHECK_XML: the answer to DescribeImages (HTTP 200) is not well-formed XML: line 2: PCDATA invalid Char value 1"* ]] || fail "$stderr"
	grep -q 'ec2-describe-images DescribeImages HTTP 200' "$note"
	kill "$FAKE_PID"
}
