#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# devpayd under abuse: idle and slow connections, limits, malformed HTTP,
# requests whose signature does not cover what is sent, wrong credential
# scopes and signing times. Every refusal is an EC2 error document, and the
# server keeps serving a well-behaved client afterwards. Loopback only.
bats_require_minimum_version 1.5.0
load helpers

RAW="$BATS_TEST_DIRNAME/raw_client.py"
PARAMS='Action=DescribeImages&Version=2016-11-15'

# raw ARGS...: a request signed by the customer, broken as ARGS say.
raw() { python3 "$RAW" "$URL/" "$CUSTOMER_KEY" "$CUSTOMER_SECRET" "$@"; }

# still_serves: a well-behaved client is served (the server did not die or hang).
still_serves() {
	run --separate-stderr env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET \
		ec2-describe-images --request-timeout 20
	assert_success
	kill -0 "$DEVPAYD_PID"
}

# error_doc STATUS CODE: the output of raw is that status and an EC2 error
# document with that code and a request id.
error_doc() {
	assert_line --index 0 "$1"
	assert_line --index 2 --regexp "^<Response><Errors><Error><Code>$2</Code><Message>[^<]+</Message></Error></Errors><RequestID>[0-9a-f-]{36}</RequestID></Response>$"
}

@test "abuse: the raw client's well-signed requests are served (SigV4 and SigV2, POST and GET)" {
	serve_accounts
	for how in "" --get --v2 "--v2 --get"; do
		# shellcheck disable=SC2086
		run raw "$PARAMS" $how
		assert_line --index 0 200
		assert_line --index 2 --partial '<DescribeImagesResponse'
	done
}

@test "abuse: a request signed for one body and sent with another is refused (SignatureDoesNotMatch)" {
	serve_accounts
	as_customer ec2-register base >/dev/null
	local before
	before=$(store_sum)
	run raw 'Action=DescribeImages&Version=2016-11-15' --send 'Action=RegisterImage&Version=2016-11-15&ImageLocation=x/evil'
	error_doc 403 SignatureDoesNotMatch
	run raw "$PARAMS" --v2 --send 'Action=RegisterImage&Version=2016-11-15&ImageLocation=x/evil'
	assert_line --index 0 401
	assert_equal "$(store_sum)" "$before"
	still_serves
}

@test "abuse: a request signed for one Host and sent to another is refused (SignatureDoesNotMatch)" {
	serve_accounts
	run raw "$PARAMS" --send-host evil.example
	error_doc 403 SignatureDoesNotMatch
	run raw "$PARAMS" --get --v2 --send-host evil.example
	error_doc 403 SignatureDoesNotMatch
	still_serves
}

@test "abuse: a credential scope for another service or a region that does not exist is refused" {
	serve_accounts
	run raw "$PARAMS" --service s3
	error_doc 403 SignatureDoesNotMatch
	assert_line --index 2 --partial "scoped to correct service: 'ec2'"
	run raw "$PARAMS" --get --region xx-nowhere-1
	error_doc 400 InvalidRegion
	assert_line --index 2 --partial "signed for region 'xx-nowhere-1', which this service does not serve"
	run raw "$PARAMS" --region 'US EAST'
	error_doc 400 IncompleteSignature
	# a real region of the suite is the request's region
	run raw "$PARAMS" --region eu-west-1
	assert_line --index 0 200
	still_serves
}

@test "abuse: expired and future signing times are refused (RequestExpired), SigV4 and SigV2, GET and POST" {
	serve_accounts
	local skew how
	for skew in -3600 3600; do
		for how in "" --get --v2 "--v2 --get"; do
			# shellcheck disable=SC2086
			run raw "$PARAMS" --skew "$skew" $how
			error_doc 400 RequestExpired
		done
	done
	# within the 15 minutes, both ways
	run raw "$PARAMS" --skew -600
	assert_line --index 0 200
	run raw "$PARAMS" --skew 600 --v2
	assert_line --index 0 200
	still_serves
}

@test "abuse: SigV2 with both Timestamp and Expires is refused (InvalidParameterCombination), whatever Expires says" {
	serve_accounts
	local before when how
	as_customer ec2-register base >/dev/null
	before=$(store_sum)
	for when in "$(date -u -d '+10 min' +%Y-%m-%dT%H:%M:%SZ)" "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)" \
		"$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)" not-a-time; do
		for how in --v2 "--v2 --get"; do
			# shellcheck disable=SC2086
			run raw "Action=RegisterImage&Version=2016-11-15&ImageLocation=bkt/both.manifest.xml&Expires=$when" $how
			error_doc 400 InvalidParameterCombination
			assert_line --index 2 --partial "carries Timestamp or Expires, not both"
		done
	done
	assert_equal "$(store_sum)" "$before"
	# one of them alone is served (Expires alone: hostile.bats)
	run raw "$PARAMS" --v2
	assert_line --index 0 200
	still_serves
}

@test "abuse: a session token is refused (403 InvalidClientTokenId): SigV4 header or query, SigV2 parameter" {
	serve_accounts
	local before
	as_customer ec2-register base >/dev/null
	before=$(store_sum)
	local reg='Action=RegisterImage&Version=2016-11-15&ImageLocation=bkt/token.manifest.xml'
	# correctly signed, the token among the signed headers or parameters
	run raw "$reg" --header 'X-Amz-Security-Token: garbage'
	error_doc 403 InvalidClientTokenId
	assert_line --index 2 --partial "<Message>The security token included in the request is invalid.</Message>"
	run raw "$reg&X-Amz-Security-Token=garbage" --get
	error_doc 403 InvalidClientTokenId
	run raw "$reg&SecurityToken=garbage" --v2
	error_doc 403 InvalidClientTokenId
	run raw "$reg&SecurityToken=garbage" --v2 --get
	error_doc 403 InvalidClientTokenId
	run raw "$reg&X-Amz-Security-Token=garbage" --v2
	error_doc 403 InvalidClientTokenId
	# an empty token is a token too
	run raw "$reg" --header 'X-Amz-Security-Token:'
	error_doc 403 InvalidClientTokenId
	assert_equal "$(store_sum)" "$before"
	# without one, the same requests are served
	run raw "$PARAMS"
	assert_line --index 0 200
	run raw "$PARAMS" --v2
	assert_line --index 0 200
	# the suite's own client sends the token it is given (AWS_SESSION_TOKEN,
	# -T, aws_session_token), and devpayd's refusal is its one line, exit 1
	run --separate-stderr env EC2_URL="$URL" AWS_SESSION_TOKEN=tok/123+= AWS_ACCESS_KEY=$CUSTOMER_KEY \
		AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_failure 1
	assert_equal "$stderr" "Client.InvalidClientTokenId: The security token included in the request is invalid."
	run --separate-stderr env EC2_URL="$URL" EC2_SIGNATURE_VERSION=2 AWS_ACCESS_KEY=$CUSTOMER_KEY \
		AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images -T tok/123+=
	assert_failure 1
	assert_equal "$stderr" "Client.InvalidClientTokenId: The security token included in the request is invalid."
	# local mode refuses it alike, nothing created
	run --separate-stderr env AWS_SESSION_TOKEN=tok AWS_ACCESS_KEY=AKTOKEN000000000001 AWS_SECRET_KEY=s \
		ec2-describe-images
	assert_failure 1
	assert_equal "$stderr" "Client.InvalidClientTokenId: The security token included in the request is invalid."
	assert_equal "$(store_sum)" "$before"
	still_serves
}

@test "abuse: two Content-Length headers, or Content-Length with Transfer-Encoding, are answered 400 unprocessed" {
	serve_accounts
	local before
	as_customer ec2-register base >/dev/null
	before=$(store_sum)
	# a well-signed RegisterImage, framed ambiguously: never run
	local body
	body=$(python3 - "$URL" "$CUSTOMER_KEY" "$CUSTOMER_SECRET" <<'PY'
import base64, hashlib, hmac, sys, time, urllib.parse
url, key, secret = sys.argv[1:]
host = urllib.parse.urlsplit(url).netloc
p = [("Action", "RegisterImage"), ("Version", "2016-11-15"), ("ImageLocation", "bkt/smuggled.manifest.xml"),
     ("AWSAccessKeyId", key), ("SignatureMethod", "HmacSHA256"), ("SignatureVersion", "2"),
     ("Timestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))]
q = lambda s: urllib.parse.quote(s, safe="-_.~")
c = "&".join(q(k) + "=" + q(v) for k, v in sorted(p))
sig = base64.b64encode(hmac.new(secret.encode(), f"POST\n{host}\n/\n{c}".encode(), hashlib.sha256).digest()).decode()
print(c + "&Signature=" + q(sig))
PY
)
	run python3 - "$DEVPAYD_PORT" "$body" <<'PY'
import socket, sys
port, body = int(sys.argv[1]), sys.argv[2].encode()
n = len(body)
for head in (f"Content-Length: {n}\r\nContent-Length: {n - 10}", f"Content-Length: {n}\r\nContent-Length: {n}",
             f"Content-Length: {n - 10}\r\nContent-Length: {n}", f"Content-Length: {n}\r\nTransfer-Encoding: chunked",
             f"Transfer-Encoding: chunked\r\nContent-Length: {n}", f"content-length: {n}\r\nContent-Length: {n}"):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/x-www-form-urlencoded\r\n" % port
               + head + "\r\n\r\n").encode() + body)
    data = b""
    try:
        while True:
            c = s.recv(4096)
            if not c:
                break
            data += c
    except OSError:
        pass
    print(data.split(b"\r\n", 1)[0].decode("latin-1") or "closed", data.count(b"HTTP/1.1"))
PY
	assert_success
	echo "$output"
	[ "${#lines[@]}" -eq 6 ]
	for l in "${lines[@]}"; do
		# one answer, 400, and the connection closed (nothing smuggled after it)
		[[ "$l" =~ ^HTTP/1\.1\ 400\ .*\ 1$ ]] || fail "answer: $l"
	done
	assert_equal "$(store_sum)" "$before"
	# one Content-Length: the same request is served
	run python3 - "$DEVPAYD_PORT" "$body" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
c.request("POST", "/", sys.argv[2], {"Content-Type": "application/x-www-form-urlencoded"})
r = c.getresponse(); print(r.status); print(r.read().decode())
PY
	echo "$output"
	assert_line --index 0 200
	still_serves
}

@test "abuse: more than 1000 parameters are refused (InvalidParameterValue); 1000 are not" {
	serve_accounts
	local many
	many=$(python3 -c 'print("&".join("Filter.%d.Name=x" % i for i in range(1, 1000)))')
	run raw "$PARAMS&$many&One=more"
	error_doc 400 InvalidParameterValue
	assert_line --index 2 --partial "parameters; at most 1000 are accepted"
	run raw "$PARAMS&${many#*&}"
	refute_output --partial 'at most 1000'
	still_serves
}

@test "abuse: malformed HTTP is answered 400 and the connection closed; devpayd keeps serving" {
	serve_accounts --idle-timeout 2
	run python3 - "$DEVPAYD_PORT" <<'PY'
import socket, sys
for junk in (b"\x00\x01\x02 garbage\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
             b"POST / HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * 100000 + b"\r\n\r\n"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
    try:
        s.sendall(junk)
    except OSError:
        pass
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    print(data.split(b"\r\n", 1)[0].decode("latin-1") or "closed")
PY
	assert_success
	echo "$output"
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^HTTP/1\.[01]\ (400|413|414|431|505)\  || "$l" == closed ]] || fail "answer: $l"
	done
	still_serves
}

@test "abuse: header fields up to about 14 KiB together are served; more is answered 431 and devpayd keeps serving" {
	serve_accounts
	# hdr BYTES: the status of a signed request carrying an X-Pad header of BYTES
	hdr() {
		curl -s -o /dev/null -w '%{http_code}' -H "X-Pad: $(head -c "$1" /dev/zero | tr '\0' a)" \
			--aws-sigv4 aws:amz:us-east-1:ec2 --user "$CUSTOMER_KEY:$CUSTOMER_SECRET" \
			-d "$PARAMS" "$URL/"
	}
	assert_equal "$(hdr 12000)" 200
	assert_equal "$(hdr 20000)" 431
	still_serves
}

@test "abuse: an idle or slow connection is closed after --idle-timeout" {
	serve_accounts --idle-timeout 1
	run python3 - "$DEVPAYD_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")   # never finished
print("closed" if s.recv(100) == b"" else "answered")
PY
	assert_success
	assert_output closed
	still_serves
}

@test "abuse: 300 idle connections do not keep a client from being served" {
	serve_accounts
	python3 - "$DEVPAYD_PORT" "$BATS_TEST_TMPDIR/held" <<'PY' 3>&- &
import socket, sys, time
socks = []
for k in range(300):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    s.send(b"POST / HTTP/1.1\r\nHost: x\r\n")
    socks.append(s)
open(sys.argv[2], "w").write(str(len(socks)))
time.sleep(30)
PY
	local slow=$!
	for _ in $(seq 200); do [ -s "$BATS_TEST_TMPDIR/held" ] && break; sleep 0.05; done
	assert_equal "$(cat "$BATS_TEST_TMPDIR/held")" 300
	still_serves
	kill "$slow"
}

@test "abuse: at --max-connections a new client waits for a place, then is served" {
	serve_accounts --max-connections 4 --threads 1 --idle-timeout 1
	python3 - "$DEVPAYD_PORT" <<'PY' 3>&- &
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for k in range(4)]
time.sleep(20)
PY
	local hold=$!
	still_serves
	kill "$hold"
}

@test "abuse: --max-connections and --idle-timeout take whole numbers in range, anything else is a usage error" {
	usage_refused devpayd --max-connections 0
	usage_refused devpayd --max-connections 100001
	usage_refused devpayd --max-connections ten
	usage_refused devpayd --idle-timeout 0
	usage_refused devpayd --idle-timeout 3601
	usage_refused devpayd --idle-timeout 1.5
}

@test "abuse: a Version that is not a date is answered in the default namespace; one not UTF-8 is refused, well-formed (fuzz finding)" {
	serve_accounts
	run raw "Action=DescribeImages&Version=2016-11-15%3C%2F"
	assert_line --index 0 200
	printf '%s\n' "${lines[@]:1}" | python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'
	assert_line --index 2 --partial 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'
	run raw "Action=DescribeImages&Version=%CE%CF%CE%C9%D2%CE%CE%CB15"
	error_doc 400 InvalidParameterValue
	printf '%s\n' "${lines[@]:1}" | python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'
	assert_line --index 2 --partial 'Value for parameter Version is invalid: it is not valid UTF-8'
	still_serves
}

@test "abuse: an Action that is not UTF-8, or holds control characters, is refused in a well-formed document; UTF-8 is kept (fuzz finding)" {
	serve_accounts
	local bad
	for bad in 'Describe%FF%FEImages' 'Describe%01%1BImages' 'Describe%F6%BE%9C%8BImages' 'Describe%ED%A0%80Images'; do
		run raw "Action=$bad&Version=2016-11-15"
		error_doc 400 InvalidParameterValue
		printf '%s\n' "${lines[@]:1}" | python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'
		assert_line --index 2 --partial "Value for parameter Action is invalid"
	done
	run raw "Action=Describe%C3%A9Images&Version=2016-11-15"
	error_doc 400 InvalidAction
	assert_line --index 2 --partial "The action Describe$(printf '\u00e9')Images is not valid"
	still_serves
}

@test "abuse: stored text XML cannot carry is answered as U+FFFD, the document well-formed (fuzz finding)" {
	serve_accounts
	EC2_URL=$URL as_customer ec2-register plain >/dev/null
	sqlite3 "$DEVPAY_STORE" "UPDATE images SET description = CAST(X'41FF0142C3A9' AS TEXT)"
	run raw "$PARAMS"
	assert_line --index 0 200
	printf '%s\n' "${lines[@]:1}" | python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'
	assert_line --index 2 --partial "<description>A$(printf '\ufffd\ufffd')B$(printf '\u00e9')</description>"
	run --separate-stderr env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_success
}
