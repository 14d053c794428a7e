#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Endpoint mode: the client's HTTP transport and devpayd, on loopback only.
bats_require_minimum_version 1.5.0
load helpers

teardown() {
	devpayd_stop
	[ -z "${FAKE_PID:-}" ] || kill "$FAKE_PID" 2>/dev/null
	answers_checked
}

serve() { serve_accounts "$@"; }

# fake MODE...: the scripted endpoint (tests/fake_endpoint.py); sets FAKE_URL, FAKE_LOG.
fake() {
	local i portfile="$BATS_TEST_TMPDIR/fake.port"
	# its scripted answers (some deliberately not XML) are not the service's
	unset DEVPAY_CHECK_XML
	FAKE_LOG="$BATS_TEST_TMPDIR/fake.log"
	: >"$FAKE_LOG"
	rm -f "$portfile"
	python3 "$BATS_TEST_DIRNAME/fake_endpoint.py" "$portfile" "$FAKE_LOG" "$@" </dev/null >/dev/null 2>&1 3>&- &
	FAKE_PID=$!
	for i in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.05; done
	FAKE_URL="$(case "$1" in tls:*) echo https ;; *) echo http ;; esac)://127.0.0.1:$(cat "$portfile")"
}

accounts() { sqlite3 "$DEVPAY_STORE" 'SELECT access_key FROM accounts ORDER BY access_key'; }

# --- devpayd's command line -------------------------------------------------

@test "devpayd --help prints usage on stdout and exits 0; --version too" {
	run --separate-stderr devpayd --help
	assert_success
	assert_equal "$stderr" ""
	assert_line --partial "Usage: devpayd"
	assert_line --partial "--add-account ACCESS_KEY"
	run --separate-stderr devpayd --version
	assert_success
	assert_output --regexp '^devpayd [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "devpayd refuses unknown options, bad values and stray arguments (exit 2)" {
	usage_refused devpayd --bogus
	assert_equal "$stderr" "devpayd: unrecognized option '--bogus'
Try 'devpayd --help' for more information."
	usage_refused devpayd --threads 0
	usage_refused devpayd --threads many
	usage_refused devpayd --listen nowhere
	usage_refused devpayd --listen 127.0.0.1:99999
	usage_refused devpayd --region 'EU WEST'
	usage_refused devpayd --store "$DEVPAY_STORE" extra
	usage_refused devpayd --listen
}

@test "devpayd man page: mandoc clean, every long option documented" {
	local page="$ROOT/man/man8/devpayd.8" o
	[ -f "$page" ]
	run mandoc -Tlint -Wwarning "$page"
	assert_success
	assert_output ""
	local text
	text=$(mandoc -Tascii "$page" | col -bx)
	for o in $(devpayd --help | grep -oE -- '--[a-z-]+' | sort -u); do
		grep -q -- "$o" <<<"$text" || fail "$o is not in devpayd.8"
	done
}

@test "devpayd completion: valid bash, every long option offered" {
	local comp="$ROOT/completions/devpayd" o
	bash -n "$comp"
	grep -q '^complete -F _devpayd devpayd$' "$comp"
	for o in $(devpayd --help | grep -oE -- '--[a-z-]+' | sort -u); do
		grep -qE -- "(^|[[:space:]'|])$o([[:space:]'|)]|\$)" "$comp" || fail "$o is not in completions/devpayd"
	done
	run bash -c ". '$comp'; COMP_WORDS=(devpayd --tr); COMP_CWORD=1; _devpayd; echo \"\${COMPREPLY[*]}\""
	assert_equal "$output" "--trust-client-clock --trusted-proxy"
}

# --- accounts ----------------------------------------------------------------

@test "--add-account reads the secret from stdin, prints the 12-digit account id, never the secret" {
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account AKNEW00000000000001 <<<"new-secret"
	assert_success
	assert_output --regexp '^[1-9][0-9]{11}$'
	assert_equal "$stderr" ""
	assert_equal "$(sqlite3 "$DEVPAY_STORE" "SELECT id || ' ' || secret FROM accounts WHERE access_key = 'AKNEW00000000000001'")" "$output new-secret"
}

@test "--add-account refuses a key that has an account, and an empty secret; the store is unchanged" {
	devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY" <<<"$OWNER_SECRET" >/dev/null
	local before
	before=$(store_sum)
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY" <<<"other"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "devpayd: access key '$OWNER_KEY' already has an account in '$DEVPAY_STORE'"
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account AKEMPTY <<<""
	assert_failure 1
	[[ "$stderr" == *"empty secret"* ]]
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account AKNONE </dev/null
	assert_failure 1
	usage_refused devpayd --store "$DEVPAY_STORE" --add-account "bad key" <<<"s"
	assert_equal "$(store_sum)" "$before"
}

@test "devpayd serves the accounts local mode created: their sealed secrets open with the store's key file" {
	as_customer ec2-register local-made >/dev/null
	local id
	id=$(sqlite3 "$DEVPAY_STORE" "SELECT id FROM accounts WHERE access_key = '$CUSTOMER_KEY'")
	# the store holds neither the secret nor the key
	assert_equal "$(sqlite3 "$DEVPAY_STORE" "SELECT secret, substr(secret_sealed, 1, 10) FROM accounts WHERE id = '$id'")" "|aes256gcm\$"
	devpayd_serve
	for v in 4 2; do
		run --separate-stderr env EC2_URL="http://127.0.0.1:$DEVPAYD_PORT" EC2_SIGNATURE_VERSION=$v \
			AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
		assert_success
		assert_output --partial "$id/local-made"
		EC2_URL="http://127.0.0.1:$DEVPAYD_PORT" EC2_SIGNATURE_VERSION=$v refused 1 SignatureDoesNotMatch \
			env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=wrong ec2-describe-images
	done
}

@test "a local account whose sealed secret devpayd cannot open (no key file) is refused, telling the operator to add it" {
	as_customer ec2-register local-made >/dev/null
	# the store copied to another place without its key file
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	sqlite3 "$DEVPAY_STORE" "VACUUM INTO '$BATS_TEST_TMPDIR/elsewhere/store.db'"
	export DEVPAY_STORE=$BATS_TEST_TMPDIR/elsewhere/store.db
	[ ! -e "$DEVPAY_STORE.key" ]
	local before
	devpayd_serve
	before=$(store_sum)
	for v in 4 2; do
		EC2_URL="http://127.0.0.1:$DEVPAYD_PORT" EC2_SIGNATURE_VERSION=$v refused 1 AuthFailure as_customer ec2-describe-images
		[[ "$stderr" == *"access key $CUSTOMER_KEY has a local account"*"an operator must add it (devpayd --add-account $CUSTOMER_KEY"* ]] ||
			fail "stderr: $stderr"
	done
	assert_equal "$(store_sum)" "$before"
}

@test "devpayd --add-account on a local account keeps the account and its data; then it is served" {
	as_customer ec2-register local-made >/dev/null
	local id
	id=$(sqlite3 "$DEVPAY_STORE" "SELECT id FROM accounts WHERE access_key = '$CUSTOMER_KEY'")
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account "$CUSTOMER_KEY" <<<"$CUSTOMER_SECRET"
	assert_success
	assert_output "$id"
	[[ "$stderr" == *"had a local account"* ]]
	devpayd_serve
	run --separate-stderr env EC2_URL="http://127.0.0.1:$DEVPAYD_PORT" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_success
	assert_output --partial "$id/local-made"
	# an operator's account cannot be added twice
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account "$CUSTOMER_KEY" <<<"$CUSTOMER_SECRET"
	assert_failure 1
	[[ "$stderr" == *"already has an account"* ]]
	# local mode still takes it, with the same secret
	run as_customer ec2-describe-images
	assert_success
	assert_output --partial "/local-made"
}

@test "an unknown access key is refused (AuthFailure) and no account is created" {
	serve
	local before
	before=$(store_sum)
	EC2_URL=$URL refused 1 AuthFailure env AWS_ACCESS_KEY=AKNEVERSEEN00000001 AWS_SECRET_KEY=whatever ec2-describe-images
	EC2_URL=$URL refused 1 AuthFailure env AWS_ACCESS_KEY=AKNEVERSEEN00000001 AWS_SECRET_KEY=whatever ec2-register x
	EC2_URL=$URL EC2_SIGNATURE_VERSION=2 refused 1 AuthFailure env AWS_ACCESS_KEY=AKNEVERSEEN00000001 AWS_SECRET_KEY=x ec2-describe-images
	assert_equal "$(store_sum)" "$before"
	assert_equal "$(accounts | grep -c NEVERSEEN)" 0
}

@test "a wrong secret is refused (SignatureDoesNotMatch), SigV4 and SigV2; the store is unchanged" {
	serve
	local before
	before=$(store_sum)
	EC2_URL=$URL refused 1 SignatureDoesNotMatch env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=wrong ec2-register x
	EC2_URL=$URL EC2_SIGNATURE_VERSION=2 refused 1 SignatureDoesNotMatch env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=wrong ec2-register x
	# another account's secret is as wrong
	EC2_URL=$URL refused 1 SignatureDoesNotMatch env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$OWNER_SECRET ec2-describe-images
	assert_equal "$(store_sum)" "$before"
}

# --- the same service in both modes ------------------------------------------

@test "a command's output is the same through devpayd as on the local store (SigV4 and SigV2)" {
	serve
	local code ami local_out
	code=$(as_owner devpay-register-product --name Same --platform linux --instance-type m1.small=0.20 | code_of)
	ami=$(as_customer ec2-register same1 | ami_of)
	as_customer ec2-associate-product-code "$ami" -p "$code" >/dev/null
	local_out=$(as_customer ec2-describe-images -H)
	run --separate-stderr env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images -H
	assert_success
	assert_output "$local_out"
	assert_equal "$stderr" ""
	run --separate-stderr env EC2_URL=$URL EC2_SIGNATURE_VERSION=2 AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images -H
	assert_success
	assert_output "$local_out"
	# the same, but for the purchase URL: devpayd's own page (/purchase/CODE)
	local_out=$(as_owner devpay-describe-products)
	run env EC2_URL=$URL AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET devpay-describe-products
	assert_success
	assert_output "${local_out//https:\/\/aws-portal.amazon.com\/gp\/aws\/user\/subscription\/index.html?offeringCode=$code/$URL/purchase/$code}"
}

@test "a refusal by the service reads the same through devpayd as locally" {
	serve
	local local_err
	local_err=$(as_customer ec2-describe-images ami-0000000000000000f 2>&1 >/dev/null) || true
	[ -n "$local_err" ] || skip "describing a missing image is not refused"
	EC2_URL=$URL refused 1 '[A-Za-z.]+' env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images ami-0000000000000000f
	assert_equal "$stderr" "$local_err"
}

@test "the region of the credential scope is the request's region" {
	serve
	local local_out
	local_out=$(EC2_REGION=eu-west-1 as_owner devpay-register-product --name R --platform linux --instance-type m1.small=1 | grep '^PRODUCT' | cut -f3-6)
	run env EC2_URL=$URL EC2_REGION=eu-west-1 AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET devpay-register-product --name R2 --platform linux --instance-type m1.small=1
	assert_success
	assert_equal "$(grep '^PRODUCT' <<<"$output" | cut -f3-6)" "$(sed 's/^R\t/R2\t/' <<<"$local_out")"
	[[ "$output" == *$'\teu-west-1\t'* ]]
}

@test "a session token is signed and sent (SigV4 header, SigV2 parameter); devpayd, which issues none, refuses it" {
	serve
	local refusal="Client.InvalidClientTokenId: The security token included in the request is invalid."
	run --separate-stderr env EC2_URL=$URL AWS_SESSION_TOKEN=tok/123+= AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images --debug
	assert_failure 1
	# among the signed headers, its value redacted
	[[ "$stderr" == *$'\n  x-amz-security-token:<redacted>\n'* ]] || fail "stderr: $stderr"
	[[ "$stderr" == *$'\n  content-type;host;x-amz-date;x-amz-security-token\n'* ]] || fail "stderr: $stderr"
	[[ "$stderr" == *"< HTTP/1.1 403"* ]]
	assert_equal "${stderr##*$'\n'}" "$refusal"
	run --separate-stderr env EC2_URL=$URL EC2_SIGNATURE_VERSION=2 AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images -T tok/123+=
	assert_failure 1
	assert_equal "$stderr" "$refusal"
	# SigV2 sends it as the SecurityToken parameter, encoded
	fake ok
	run env EC2_URL=$FAKE_URL EC2_SIGNATURE_VERSION=2 AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images -T tok/123+=
	assert_success
	grep -q '&SecurityToken=tok%2F123%2B%3D&' "$FAKE_LOG" || fail "log: $(cat "$FAKE_LOG")"
	# without one, the same requests are served
	run env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_success
}

# --- clocks --------------------------------------------------------------------

ago() { date -u -d "@$(($(date +%s) - $1))" +%Y-%m-%dT%H:%M:%SZ; }

@test "a request signed more than 15 minutes away from the real clock is refused (RequestExpired)" {
	serve
	local before
	before=$(store_sum)
	DEVPAY_SIGNING_TIME=$(ago 1200) EC2_URL=$URL refused 1 RequestExpired as_customer ec2-register late
	DEVPAY_SIGNING_TIME=$(ago -1200) EC2_URL=$URL refused 1 RequestExpired as_customer ec2-register early
	DEVPAY_SIGNING_TIME=$(ago 1200) EC2_SIGNATURE_VERSION=2 EC2_URL=$URL refused 1 RequestExpired as_customer ec2-register late
	assert_equal "$(store_sum)" "$before"
	DEVPAY_SIGNING_TIME=$(ago 600) EC2_URL=$URL run as_customer ec2-register in-time
	assert_success
	# DEVPAY_NOW is the service's clock, not the signing time
	DEVPAY_NOW=2009-06-01 EC2_URL=$URL run as_customer ec2-describe-images
	assert_success
}

@test "a DEVPAY_SIGNING_TIME that is not a time: exit 2, one line naming it, nothing sent" {
	serve
	local before
	before=$(store_sum)
	DEVPAY_SIGNING_TIME=garbage EC2_URL=$URL run --separate-stderr as_customer ec2-register bad
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "ec2-register: DEVPAY_SIGNING_TIME 'garbage' is not an ISO 8601 UTC time"
	assert_equal "$(store_sum)" "$before"
}

@test "X-Devpay-Now is honoured only under --trust-client-clock" {
	serve
	run env EC2_URL=$URL DEVPAY_NOW=2009-06-01T00:00:00Z AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET \
		devpay-register-product --name P --platform linux --instance-type m1.small=1
	assert_success
	refute_output --partial "2009-06-01T00:00:00+0000"
	devpayd_stop
	devpayd_serve --trust-client-clock
	run env EC2_URL="http://127.0.0.1:$DEVPAYD_PORT" DEVPAY_NOW=2009-06-01T00:00:00Z AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET \
		devpay-register-product --name Q --platform linux --instance-type m1.small=1
	assert_success
	assert_output --partial "2009-06-01T00:00:00+0000"
	run env EC2_URL="http://127.0.0.1:$DEVPAYD_PORT" DEVPAY_NOW=yesterday AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET \
		devpay-describe-products
	assert_failure
}

# --- the wire ---------------------------------------------------------------------

@test "requests without a valid signature get an EC2 error document with a request id" {
	serve
	run curl -s -w '\n%{http_code}' -d 'Action=DescribeImages&Version=2016-11-15' "$URL/"
	assert_line --index 1 --regexp '<Response><Errors><Error><Code>MissingAuthenticationToken</Code>.*<RequestID>[0-9a-f-]{36}</RequestID></Response>'
	assert_line --index 2 401
	run curl -s -w '\n%{http_code}' -H 'Authorization: AWS4-HMAC-SHA256 nonsense' -d 'Action=DescribeImages' "$URL/"
	assert_line --index 1 --partial '<Code>IncompleteSignature</Code>'
	assert_line --index 2 400
	run curl -s -w '\n%{http_code}' -d 'Action=DescribeImages&Bad=%zz' "$URL/"
	assert_line --index 1 --partial '<Code>MalformedQueryString</Code>'
	assert_line --index 2 400
	run curl -s -w '\n%{http_code}' -X PUT -d 'x' "$URL/"
	assert_line --index 1 --partial '<Code>InvalidHttpRequest</Code>'
	assert_line --index 2 405
}

@test "a body over 1 MiB is refused with 413 and an EC2 error document" {
	serve
	head -c 1100000 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
	run curl -s -w '\n%{http_code}' --data-binary @"$BATS_TEST_TMPDIR/big" "$URL/"
	assert_line --index 1 --partial '<Code>RequestEntityTooLarge</Code>'
	assert_line --index 2 413
	run curl -s -w '\n%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary @"$BATS_TEST_TMPDIR/big" "$URL/"
	assert_line --index 1 --partial '<Code>RequestEntityTooLarge</Code>'
	assert_line --index 2 413
}

@test "a GET query string signed by another SigV4 client (curl --aws-sigv4) is served" {
	serve
	as_customer ec2-register by-get >/dev/null 2>&1 || true
	run curl -s -w '\n%{http_code}' --aws-sigv4 aws:amz:us-east-1:ec2 --user "$CUSTOMER_KEY:$CUSTOMER_SECRET" \
		"$URL/?Action=DescribeImages&Version=2016-11-15"
	assert_line --index 1 --partial '<DescribeImagesResponse'
	assert_line --index 1 --partial '/by-get</imageLocation>'
	assert_line --index 2 200
	run curl -s -w '\n%{http_code}' --aws-sigv4 aws:amz:us-east-1:ec2 --user "$CUSTOMER_KEY:wrong" \
		"$URL/?Action=DescribeImages&Version=2016-11-15"
	assert_line --index 1 --partial '<Code>SignatureDoesNotMatch</Code>'
	assert_line --index 2 403
}

@test "a signed header received twice is checked as its values joined by commas, as SigV4 says; another value is refused" {
	serve
	# signed by hand (hashlib, hmac): the canonical header joins both values
	# in their order, each trimmed and its blanks made one space
	cat >"$BATS_TEST_TMPDIR/twice.py" <<'PY'
import datetime, hashlib, hmac, http.client, sys, urllib.parse
url, key, secret, second = sys.argv[1:5]
u = urllib.parse.urlsplit(url)
body = b"Action=DescribeImages&Version=2016-11-15&Owner.1=self"
amz = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
vals = ["  one   two ", "three"]
canon = (f"content-type:application/x-www-form-urlencoded\nhost:{u.netloc}\n"
         f"x-amz-date:{amz}\nx-extra:one two,three\n")
names = "content-type;host;x-amz-date;x-extra"
creq = "\n".join(["POST", "/", "", canon, names, hashlib.sha256(body).hexdigest()])
scope = f"{amz[:8]}/us-east-1/ec2/aws4_request"
sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(creq.encode()).hexdigest()])
k = ("AWS4" + secret).encode()
for m in (amz[:8], "us-east-1", "ec2", "aws4_request"):
    k = hmac.new(k, m.encode(), hashlib.sha256).digest()
sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
c = http.client.HTTPConnection(u.hostname, u.port)
c.putrequest("POST", "/", skip_host=True, skip_accept_encoding=True)
c.putheader("Host", u.netloc)
c.putheader("Content-Type", "application/x-www-form-urlencoded")
c.putheader("X-Amz-Date", amz)
c.putheader("X-Extra", vals[0])
c.putheader("X-Extra", second)
c.putheader("Authorization", f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={names}, Signature={sig}")
c.putheader("Content-Length", str(len(body)))
c.endheaders(body)
r = c.getresponse()
print(r.status, r.read().decode())
PY
	run python3 "$BATS_TEST_TMPDIR/twice.py" "$URL" "$CUSTOMER_KEY" "$CUSTOMER_SECRET" three
	assert_success
	assert_line --index 0 --partial '200 '
	assert_output --partial '<DescribeImagesResponse'
	run python3 "$BATS_TEST_TMPDIR/twice.py" "$URL" "$CUSTOMER_KEY" "$CUSTOMER_SECRET" four
	assert_success
	assert_line --index 0 --partial '403 '
	assert_output --partial '<Code>SignatureDoesNotMatch</Code>'
}

@test "one access-log line per request: time, client, request id, method, path, action, key, status, bytes, duration; no secret" {
	serve
	EC2_URL=$URL as_customer ec2-describe-images >/dev/null
	EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=wrong-secret ec2-describe-images 2>/dev/null || true
	run grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+\.[0-9]{3}Z 127\.0\.0\.1:[0-9]+ ' "$DEVPAYD_LOG"
	assert_equal "${#lines[@]}" 2
	local rid='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
	assert_line --index 0 --regexp " $rid POST / DescribeImages $CUSTOMER_KEY 200 [0-9]+ [0-9]+ms$"
	assert_line --index 1 --regexp " $rid POST / DescribeImages $CUSTOMER_KEY 403 [0-9]+ [0-9]+ms$"
	run grep -c -e "$CUSTOMER_SECRET" -e wrong-secret "$DEVPAYD_LOG"
	assert_output 0
}

@test "a burst's access-log lines are all written, whole, within moments; those pending at SIGTERM before the stop" {
	serve --threads 4
	# 4 keep-alive connections, 400 signed requests each, as fast as they go
	cat >"$BATS_TEST_TMPDIR/burst.py" <<'PY'
import http.client, sys, threading, urllib.parse
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, key, secret = sys.argv[1:4]
body = "Action=DescribeImages&Version=2016-11-15&Owner.1=self"
req = AWSRequest(method="POST", url=url + "/", data=body.encode(),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
SigV4Auth(Credentials(key, secret), "ec2", "us-east-1").add_auth(req)
u = urllib.parse.urlsplit(url)
bad = []
def run():
    c = http.client.HTTPConnection(u.hostname, u.port)
    for _ in range(400):
        c.request("POST", "/", body=body, headers=dict(req.headers))
        r = c.getresponse(); r.read()
        if r.status != 200: bad.append(r.status)
threads = [threading.Thread(target=run) for _ in range(4)]
[t.start() for t in threads]; [t.join() for t in threads]
print(len(bad))
PY
	local line='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+\.[0-9]{3}Z 127\.0\.0\.1:[0-9]+ [0-9a-f-]{36} POST / DescribeImages '"$CUSTOMER_KEY"' 200 [0-9]+ [0-9]+ms$'
	run -0 python3 "$BATS_TEST_TMPDIR/burst.py" "$URL" "$CUSTOMER_KEY" "$CUSTOMER_SECRET"
	assert_output 0
	sleep 0.2
	assert_equal "$(grep -cE "$line" "$DEVPAYD_LOG")" 1600
	# a burst, then SIGTERM at once: every line is in the log after the stop
	run -0 python3 "$BATS_TEST_TMPDIR/burst.py" "$URL" "$CUSTOMER_KEY" "$CUSTOMER_SECRET"
	kill -TERM "$DEVPAYD_PID"
	wait "$DEVPAYD_PID"
	DEVPAYD_PID=
	assert_equal "$(grep -cE "$line" "$DEVPAYD_LOG")" 3200
	assert_equal "$(grep -cvE "$line|devpayd" "$DEVPAYD_LOG")" 0
}

@test "many concurrent clients on one store: every write lands, no 5xx" {
	serve --threads 4
	local i pids=()
	for i in $(seq 24); do
		EC2_URL=$URL as_customer ec2-register "c$i" >"$BATS_TEST_TMPDIR/out.$i" 2>&1 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in $(seq 24); do grep -q '^IMAGE' "$BATS_TEST_TMPDIR/out.$i" || fail "client $i: $(cat "$BATS_TEST_TMPDIR/out.$i")"; done
	assert_equal "$(EC2_URL=$URL as_customer ec2-describe-images | grep -c '^IMAGE')" 24
	# then 8 clients launch and terminate at once, 3 times each, on 4 threads:
	# every write lands, none is answered with a 5xx
	local ami
	ami=$(EC2_URL=$URL as_customer ec2-describe-images | awk -F'\t' '$1 == "IMAGE" { print $2; exit }')
	pids=()
	for i in $(seq 8); do
		(for j in 1 2 3; do
			id=$(EC2_URL=$URL as_customer ec2-run-instances "$ami" | awk -F'\t' '$1 == "INSTANCE" { print $2 }')
			[ -n "$id" ] && echo "$id" >>"$BATS_TEST_TMPDIR/ids.$i" &&
				EC2_URL=$URL as_customer ec2-terminate-instances "$id" >/dev/null || echo "client $i, round $j failed"
		done) >"$BATS_TEST_TMPDIR/run.$i" 2>&1 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in $(seq 8); do
		[ ! -s "$BATS_TEST_TMPDIR/run.$i" ] || fail "$(cat "$BATS_TEST_TMPDIR/run.$i")"
	done
	assert_equal "$(cat "$BATS_TEST_TMPDIR"/ids.* | sort -u | wc -l)" 24
	run -0 env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-instances
	assert_equal "$(printf '%s\n' "$output" | awk -F'\t' '$1 == "INSTANCE" && ($6 == "shutting-down" || $6 == "terminated")' | wc -l)" 24
	assert_equal "$(awk '$10 ~ /ms$/ && $8 >= 500' "$DEVPAYD_LOG")" ""
}

@test "devpayd killed with SIGKILL loses no acknowledged launch; the store stays sound" {
	serve
	local ami i ids=()
	ami=$(EC2_URL=$URL as_customer ec2-register k | cut -f2)
	for i in $(seq 12); do
		ids+=("$(EC2_URL=$URL as_customer ec2-run-instances "$ami" | awk -F'\t' '$1 == "INSTANCE" { print $2 }')")
	done
	kill -KILL "$DEVPAYD_PID"
	wait "$DEVPAYD_PID" 2>/dev/null || true
	DEVPAYD_PID=
	assert_equal "$(sqlite3 "$DEVPAY_STORE" 'PRAGMA integrity_check')" ok
	for i in "${ids[@]}"; do
		[[ "$i" =~ ^i-[0-9a-f]{17}$ ]] || fail "a launch was not acknowledged: '$i'"
		assert_equal "$(sqlite3 "$DEVPAY_STORE" "SELECT count(*) FROM instances WHERE id = '$i'")" 1
	done
	# and the next server serves them
	devpayd_serve
	URL="http://127.0.0.1:$DEVPAYD_PORT"
	assert_equal "$(EC2_URL=$URL as_customer ec2-describe-instances | grep -c '^INSTANCE')" 12
}

@test "devpayd keeps its store connections, but never serves another file put in the store's place" {
	serve --threads 1
	EC2_URL=$URL as_customer ec2-register first >/dev/null
	# another store, made aside, moved over the served one (the original kept aside)
	local other=$BATS_TEST_TMPDIR/other.db
	printf '%s\n' "$CUSTOMER_SECRET" | devpayd --store "$other" --add-account "$CUSTOMER_KEY" >/dev/null
	DEVPAY_STORE=$other as_customer ec2-register second >/dev/null
	sqlite3 "$other" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	mv "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/original.db"
	mv "$other" "$DEVPAY_STORE"
	run env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_failure
	assert_output --partial 'ServiceUnavailable'
	# the original back in its place: served again, by the connection kept
	mv "$BATS_TEST_TMPDIR/original.db" "$DEVPAY_STORE"
	run -0 env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_equal "$(printf '%s\n' "$output" | awk -F'\t' '$1 == "IMAGE" { sub(/^[0-9]+\//, "", $3); print $3 }')" first
}

@test "an answer asked again is the same bytes with its own request id; a change since, by devpayd or by another process, and the clock are seen at once" {
	# one worker: every request on the connection whose answers are kept
	serve --threads 1 --trust-client-clock
	local ami a b c id rid1 rid2
	ami=$(EC2_URL=$URL as_customer ec2-register kept | ami_of)
	# ask [NOW]: DescribeInstances, signed by curl, at the service clock NOW
	ask() {
		curl -s --aws-sigv4 aws:amz:us-east-1:ec2 --user "$CUSTOMER_KEY:$CUSTOMER_SECRET" \
			${1:+-H "X-Devpay-Now: $1"} -d 'Action=DescribeInstances&Version=2016-11-15' "$URL/"
	}
	rid() { sed -n 's|.*<requestId>\([^<]*\)</requestId>.*|\1|p' <<<"$1"; }
	a=$(ask 2026-05-01T00:00:00Z)
	b=$(ask 2026-05-01T00:00:00Z)
	rid1=$(rid "$a") rid2=$(rid "$b")
	[ -n "$rid1" ] && [ "$rid1" != "$rid2" ]
	assert_equal "${b/$rid2/$rid1}" "$a"
	# a launch by another process (a local command on the same file)
	id=$(DEVPAY_NOW=2026-05-01T00:00:00Z as_customer ec2-run-instances "$ami" | inst_of)
	c=$(ask 2026-05-01T00:00:00Z)
	assert_equal "$(grep -o "<instanceId>$id</instanceId>" <<<"$c")" "<instanceId>$id</instanceId>"
	assert_equal "$(grep -o '<name>[a-z-]*</name>' <<<"$c")" "<name>pending</name>"
	# the same request at a later second: that second's state
	c=$(ask 2026-05-01T01:00:00Z)
	assert_equal "$(grep -o '<name>[a-z-]*</name>' <<<"$c")" "<name>running</name>"
	# a termination through devpayd itself
	DEVPAY_NOW=2026-05-01T01:00:00Z EC2_URL=$URL as_customer ec2-terminate-instances "$id" >/dev/null
	c=$(ask 2026-05-01T01:00:00Z)
	assert_equal "$(grep -o '<name>[a-z-]*</name>' <<<"$c" | head -1)" "<name>shutting-down</name>"
	# the first second again: what the store holds now, not what was answered then
	c=$(ask 2026-05-01T00:00:00Z)
	assert_equal "$(grep -o '<name>[a-z-]*</name>' <<<"$c")" "<name>pending</name>"
	# each answer is logged, kept or not
	assert_equal "$(grep -c ' DescribeInstances ' "$DEVPAYD_LOG")" 6
}

@test "SIGTERM stops devpayd cleanly (exit 0)" {
	serve
	EC2_URL=$URL as_customer ec2-describe-images >/dev/null
	kill -TERM "$DEVPAYD_PID"
	local rc=0
	wait "$DEVPAYD_PID" || rc=$?
	assert_equal "$rc" 0
	DEVPAYD_PID=
	grep -q 'stopped on SIGTERM' "$DEVPAYD_LOG"
}

# --- the client's transport -----------------------------------------------------------

@test "no connection: exit 3 and a message naming the endpoint" {
	run --separate-stderr env EC2_URL=http://127.0.0.1:1 AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	assert_failure 3
	assert_output ""
	[[ "$stderr" == "ec2-describe-images: cannot reach endpoint 'http://127.0.0.1:1': "* ]]
}

@test "an HTTP error with a body that is not EC2 XML (a proxy's or web server's page) is an endpoint problem, exit 3" {
	fake html
	run --separate-stderr env EC2_URL="$FAKE_URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	assert_failure 3
	assert_output ""
	assert_equal "$stderr" "ec2-describe-images: the endpoint '$FAKE_URL' answered HTTP 502 with a body that is not an EC2 XML document: is it an EC2 endpoint?"
	kill "$FAKE_PID"
	# a web server's 404 (a URL that is not an EC2 endpoint): not retried
	fake html:404
	run --separate-stderr env EC2_URL="$FAKE_URL/wrong/path" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	assert_failure 3
	assert_equal "$stderr" "ec2-describe-images: the endpoint '$FAKE_URL/wrong/path' answered HTTP 404 with a body that is not an EC2 XML document: is it an EC2 endpoint?"
	assert_equal "$(wc -l <"$FAKE_LOG")" 1
	kill "$FAKE_PID"
	# the service's own refusal, an EC2 error document, stays exit 1
	fake 404:InvalidAction
	EC2_URL="$FAKE_URL" refused 1 InvalidAction env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	kill "$FAKE_PID"
	# and so does a 200 whose body is not EC2 XML (an answer that cannot be read)
	printf 'not xml' >"$BATS_TEST_TMPDIR/junk"
	fake "body:$BATS_TEST_TMPDIR/junk"
	run --separate-stderr env EC2_URL="$FAKE_URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	assert_failure 1
	assert_equal "$stderr" "ec2-describe-images: the endpoint's answer (HTTP 200) is not an EC2 XML document"
}

@test "AWS CLI v2 endpoints: AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, then the profile's, each as EC2_URL; EC2_URL and -U first" {
	local other
	fake ok
	other=http://127.0.0.1:1/
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x
	# each alone reaches the endpoint it names
	run env AWS_ENDPOINT_URL_EC2="$FAKE_URL" ec2-describe-images
	assert_success
	run env AWS_ENDPOINT_URL="$FAKE_URL" ec2-describe-images
	assert_success
	assert_equal "$(wc -l <"$FAKE_LOG")" 2
	# an unreachable one is exit 3, never a silent write to the local store
	run --separate-stderr env AWS_ENDPOINT_URL_EC2=$other ec2-describe-regions --connection-timeout 2
	assert_failure 3
	[[ "$stderr" == "ec2-describe-regions: cannot reach endpoint '$other'"* ]] || fail "stderr: $stderr"
	[ ! -e "$DEVPAY_STORE" ]
	# the order: EC2's own variable before the general one
	: >"$FAKE_LOG"
	run env AWS_ENDPOINT_URL_EC2="$FAKE_URL" AWS_ENDPOINT_URL=$other ec2-describe-images
	assert_success
	run env AWS_ENDPOINT_URL_EC2=$other AWS_ENDPOINT_URL="$FAKE_URL" ec2-describe-images
	assert_failure 3
	# EC2_URL and -U come first (file://: the local store)
	run env EC2_URL="file://$DEVPAY_STORE" AWS_ENDPOINT_URL_EC2=$other ec2-describe-images
	assert_success
	run env AWS_ENDPOINT_URL_EC2=$other ec2-describe-images -U "$FAKE_URL"
	assert_success
	assert_equal "$(wc -l <"$FAKE_LOG")" 2
	# the profile's endpoint_url, and the ec2 one of the [services] section it names before it
	mkdir -p "$HOME/.aws"
	printf '[default]\nregion = us-east-1\nendpoint_url = %s\n' "$FAKE_URL" >"$HOME/.aws/config"
	run ec2-describe-images
	assert_success
	assert_equal "$(wc -l <"$FAKE_LOG")" 3
	printf '[default]\nendpoint_url = %s\nservices = mine\n[services other]\nec2 =\n  endpoint_url = %s\n[services mine]\ns3 =\n  endpoint_url = %s\nec2 =\n  endpoint_url = %s\n' \
		"$other" "$other" "$other" "$FAKE_URL" >"$HOME/.aws/config"
	run ec2-describe-images
	assert_success
	assert_equal "$(wc -l <"$FAKE_LOG")" 4
	# a named profile's, and the variables before the files
	printf '[profile p]\nendpoint_url = %s\n' "$other" >"$HOME/.aws/config"
	run ec2-describe-images --profile p -O $CUSTOMER_KEY -W x --connection-timeout 2
	assert_failure 3
	run env AWS_PROFILE=p AWS_ENDPOINT_URL="$FAKE_URL" ec2-describe-images
	assert_success
	assert_equal "$(wc -l <"$FAKE_LOG")" 5
	run env AWS_PROFILE=p EC2_URL="file://$DEVPAY_STORE" ec2-describe-images
	assert_success
	assert_equal "$(wc -l <"$FAKE_LOG")" 5
}

@test "an endpoint whose scheme is not http, https or file, or that cannot be parsed, is a usage error (exit 2) wherever it comes from" {
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x
	usage_refused env EC2_URL=htp://x ec2-describe-regions
	assert_equal "${stderr%%$'\n'*}" "ec2-describe-regions: invalid endpoint 'htp://x' (EC2_URL): expected http://, https:// or file://"
	usage_refused ec2-describe-regions -U ftp://example.com
	[[ "$stderr" == *"(--url)"* ]] || fail "stderr: $stderr"
	usage_refused env AWS_ENDPOINT_URL_EC2=127.0.0.1:8773 ec2-describe-regions
	[[ "$stderr" == *"(AWS_ENDPOINT_URL_EC2)"* ]] || fail "stderr: $stderr"
	usage_refused env AWS_ENDPOINT_URL=htps://127.0.0.1 ec2-describe-regions
	[[ "$stderr" == *"(AWS_ENDPOINT_URL)"* ]] || fail "stderr: $stderr"
	mkdir -p "$HOME/.aws"
	printf '[default]\nendpoint_url = gopher://127.0.0.1/\n' >"$HOME/.aws/config"
	usage_refused ec2-describe-regions
	[[ "$stderr" == *"(the endpoint_url of profile 'default')"* ]] || fail "stderr: $stderr"
	rm "$HOME/.aws/config"
	# an http URL that cannot be parsed
	run --separate-stderr env EC2_URL='http://exa mple/' ec2-describe-regions
	assert_failure 2
	assert_equal "$stderr" "ec2-describe-regions: invalid endpoint URL 'http://exa mple/'"
	# nothing was written anywhere
	[ ! -e "$DEVPAY_STORE" ]
}

@test "AWS_MAX_ATTEMPTS, then the profile's max_attempts, set the tries of a request (the first included); bad values are usage errors" {
	fake 503:Unavailable
	export EC2_URL="$FAKE_URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x
	run env AWS_MAX_ATTEMPTS=2 ec2-describe-images
	assert_failure 1
	assert_equal "$(wc -l <"$FAKE_LOG")" 2
	: >"$FAKE_LOG"
	run env AWS_MAX_ATTEMPTS=1 ec2-describe-images
	assert_failure 1
	assert_equal "$(wc -l <"$FAKE_LOG")" 1
	mkdir -p "$HOME/.aws"
	printf '[default]\nmax_attempts = 1\n' >"$HOME/.aws/config"
	: >"$FAKE_LOG"
	run ec2-describe-images
	assert_failure 1
	assert_equal "$(wc -l <"$FAKE_LOG")" 1
	# the variable wins over the profile
	: >"$FAKE_LOG"
	run env AWS_MAX_ATTEMPTS=3 ec2-describe-images
	assert_equal "$(wc -l <"$FAKE_LOG")" 3
	# bad values: nothing is sent
	: >"$FAKE_LOG"
	local v
	for v in 0 21 -1 x 2.5 ''; do
		[ -n "$v" ] || continue
		usage_refused env AWS_MAX_ATTEMPTS="$v" ec2-describe-images
		assert_equal "${stderr%%$'\n'*}" "ec2-describe-images: invalid AWS_MAX_ATTEMPTS '$v': expected a whole number from 1 to 20"
	done
	printf '[default]\nmax_attempts = many\n' >"$HOME/.aws/config"
	usage_refused ec2-describe-images
	[[ "$stderr" == *"max_attempts of profile 'default' 'many'"* ]] || fail "stderr: $stderr"
	assert_equal "$(wc -l <"$FAKE_LOG")" 0
}

@test "5xx and throttling are retried with backoff, at most 4 tries by default; other refusals are not" {
	fake 503:Unavailable 500:InternalError ok
	run env EC2_URL="$FAKE_URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	assert_success
	assert_equal "$(wc -l <"$FAKE_LOG")" 3
	kill "$FAKE_PID"
	fake 400:RequestLimitExceeded 400:Throttling ok
	run env EC2_URL="$FAKE_URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	assert_success
	assert_equal "$(wc -l <"$FAKE_LOG")" 3
	kill "$FAKE_PID"
	fake 503:Unavailable
	EC2_URL="$FAKE_URL" refused 1 Unavailable env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	assert_equal "$stderr" "Service.Unavailable: scripted Unavailable"
	assert_equal "$(wc -l <"$FAKE_LOG")" 4
	kill "$FAKE_PID"
	fake 400:InvalidAMIID.NotFound
	EC2_URL="$FAKE_URL" refused 1 InvalidAMIID.NotFound env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	assert_equal "$stderr" "Client.InvalidAMIID.NotFound: scripted InvalidAMIID.NotFound"
	assert_equal "$(wc -l <"$FAKE_LOG")" 1
}

@test "RunInstances is retried only under one client token, generated when none is given" {
	[ -x "$BIN/ec2-run-instances" ] || skip "ec2-run-instances is not built yet"
	fake 503:Unavailable ok
	EC2_URL="$FAKE_URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-run-instances ami-12345678 || true
	assert_equal "$(wc -l <"$FAKE_LOG")" 2
	run grep -o 'ClientToken=[^&]*' "$FAKE_LOG"
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[0]}" "${lines[1]}"
	[ "${lines[0]}" != "ClientToken=" ]
	: >"$FAKE_LOG"
	EC2_URL="$FAKE_URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-run-instances ami-12345678 --client-token mine || true
	run grep -o 'ClientToken=[^&]*' "$FAKE_LOG"
	assert_output "ClientToken=mine"
}

@test "responses of an older EC2 API version are understood" {
	fake ok
	run --separate-stderr env EC2_URL="$FAKE_URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images -v
	assert_success
	assert_output ""
	assert_equal "$stderr" "RequestId: fake-1"
	grep -q 'Action=DescribeImages&Version=2016-11-15' "$FAKE_LOG"
}

@test "TLS certificates are verified: a self-signed endpoint is unreachable (exit 3)" {
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
		-keyout "$BATS_TEST_TMPDIR/k.pem" -out "$BATS_TEST_TMPDIR/c.pem" 2>/dev/null
	fake "tls:$BATS_TEST_TMPDIR/c.pem:$BATS_TEST_TMPDIR/k.pem" ok
	run --separate-stderr env EC2_URL="$FAKE_URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=x ec2-describe-images
	assert_failure 3
	[[ "$stderr" == *"cannot reach endpoint '$FAKE_URL'"* ]]
	assert_equal "$(wc -c <"$FAKE_LOG")" 0
}

@test "--debug shows the canonical request, string to sign and exchange, secrets redacted" {
	serve
	# devpayd refuses the token (it issues none), after the whole exchange
	run --separate-stderr env EC2_URL=$URL AWS_SESSION_TOKEN=the-token AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images --debug
	assert_failure 1
	[[ "$stderr" == *"canonical request (SigV4):"* ]]
	[[ "$stderr" == *"string to sign (SigV4):"* ]]
	[[ "$stderr" == *"> Authorization: AWS4-HMAC-SHA256 Credential=$CUSTOMER_KEY/"*", Signature=<redacted>"* ]]
	[[ "$stderr" == *"> Action=DescribeImages&Version=2016-11-15"* ]]
	[[ "$stderr" == *"< HTTP/1.1 403"* ]]
	[[ "$stderr" != *"$CUSTOMER_SECRET"* ]]
	[[ "$stderr" != *"the-token"* ]]
	grep -vq 'Signature=[0-9a-f]\{64\}' <<<"$stderr"
	run --separate-stderr env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images --debug
	assert_success
	[[ "$stderr" == *"< HTTP/1.1 200"* ]]
	[[ "$stderr" != *"$CUSTOMER_SECRET"* ]]
	run --separate-stderr env EC2_URL=$URL EC2_SIGNATURE_VERSION=2 AWS_SESSION_TOKEN=the-token AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images --debug
	assert_failure 1
	[[ "$stderr" == *"string to sign (SigV2):"* ]]
	[[ "$stderr" == *"&Signature=<redacted>"* ]]
	[[ "$stderr" != *"$CUSTOMER_SECRET"* ]]
	[[ "$stderr" != *"the-token"* ]]
}

@test "-v prints the request id through devpayd" {
	serve
	run --separate-stderr env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images -v
	assert_success
	assert_equal "$stderr" "$(printf 'RequestId: %s' "${stderr#RequestId: }")"
	[[ "$stderr" =~ ^RequestId:\ [0-9a-f-]{36}$ ]]
}

@test "ConfirmProductInstance answers of old API versions (<result>) are understood" {
	cat >"$BATS_TEST_TMPDIR/old.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<ConfirmProductInstanceResponse xmlns="http://ec2.amazonaws.com/doc/2007-03-01/">
  <result>true</result>
  <ownerId>254933287430</ownerId>
</ConfirmProductInstanceResponse>
XML
	fake "body:$BATS_TEST_TMPDIR/old.xml"
	run --separate-stderr env EC2_URL="$FAKE_URL" AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=x \
		ec2-confirm-product-instance 774F4FF8 -i i-10a64379
	assert_success
	assert_output "$(printf '774F4FF8\ti-10a64379\ttrue\t254933287430')"
	grep -q 'Action=ConfirmProductInstance' "$FAKE_LOG"
}
