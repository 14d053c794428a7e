#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# devpayd for operators (issue 22): /healthz and /metrics, the request id in
# a header, the access log line and its client behind trusted proxies, and
# the accounts an operator lists, removes and rotates.
bats_require_minimum_version 1.5.0
load helpers

T=$'\t'
RID='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

# sigv4 KEY:SECRET ARGS...: a Query request signed by curl.
sigv4() {
	local who=$1; shift
	curl -s --aws-sigv4 aws:amz:us-east-1:ec2 --user "$who" "$@"
}

# status_and_code PATH: an unsigned GET's status and error code.
status_and_code() {
	local out
	out=$(curl -s -w '\n%{http_code}' "$URL$1")
	printf '%s %s\n' "$(printf '%s\n' "$out" | tail -n 1)" \
		"$(printf '%s\n' "$out" | grep -o '<Code>[A-Za-z.]*</Code>')"
}

# --- /healthz, /metrics -------------------------------------------------------

@test "GET /healthz: 200 while the store answers, 503 once it has disappeared" {
	serve_accounts
	run curl -s -w '\n%{http_code}' "$URL/healthz"
	assert_line --index 0 ok
	assert_line --index 1 200
	mv "$DEVPAY_STORE" "$DEVPAY_STORE.away"
	run curl -s -o /dev/null -w '%{http_code}' "$URL/healthz"
	assert_output 503
	mv "$DEVPAY_STORE.away" "$DEVPAY_STORE"
	run curl -s -o /dev/null -w '%{http_code}' "$URL/healthz"
	assert_output 200
}

@test "--no-healthz, --no-metrics: both paths answer as any unknown unsigned request" {
	serve_accounts --no-healthz --no-metrics
	local other
	other=$(status_and_code /nothing-here)
	[ -n "$other" ]
	assert_equal "$(status_and_code /healthz)" "$other"
	assert_equal "$(status_and_code /metrics)" "$other"
	run curl -s "$URL/metrics"
	refute_output --partial '# TYPE'
}

@test "GET /metrics: requests by action and status, a latency histogram, store errors, open connections" {
	serve_accounts
	EC2_URL=$URL as_customer ec2-describe-regions >/dev/null
	EC2_URL=$URL as_customer ec2-describe-images >/dev/null
	EC2_URL=$URL AWS_ACCESS_KEY=AKNOBODY00000000001 AWS_SECRET_KEY=x ec2-describe-images 2>/dev/null || true
	run curl -s -D "$BATS_TEST_TMPDIR/h" "$URL/metrics"
	assert_success
	grep -qi '^content-type: text/plain; version=0.0.4' "$BATS_TEST_TMPDIR/h"
	local m
	for m in devpayd_requests_total:counter devpayd_request_duration_seconds:histogram \
		 devpayd_store_errors_total:counter devpayd_open_connections:gauge; do
		assert_line "# TYPE ${m%%:*} ${m#*:}"
		assert_line --regexp "^# HELP ${m%%:*} .+"
	done
	assert_line 'devpayd_requests_total{action="DescribeRegions",status="200"} 1'
	assert_line 'devpayd_requests_total{action="DescribeImages",status="200"} 1'
	assert_line 'devpayd_requests_total{action="DescribeImages",status="401"} 1'
	assert_line 'devpayd_request_duration_seconds_bucket{le="+Inf"} 3'
	assert_line 'devpayd_request_duration_seconds_count 3'
	assert_line --regexp '^devpayd_request_duration_seconds_bucket\{le="0.005"\} [0-3]$'
	assert_line --regexp '^devpayd_request_duration_seconds_sum [0-9]+\.[0-9]{6}$'
	assert_line 'devpayd_store_errors_total 0'
	# this request's own connection is open
	assert_line --regexp '^devpayd_open_connections [1-9][0-9]*$'
	# every sample line is a metric name, labels perhaps, and a number
	run grep -vE '^(# (HELP|TYPE) .+|[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? [0-9.]+)$' <<<"$output"
	assert_output ""
	# a request on a vanished store counts as a store error
	mv "$DEVPAY_STORE" "$DEVPAY_STORE.away"
	EC2_URL=$URL as_customer ec2-describe-images >/dev/null 2>&1 || true
	mv "$DEVPAY_STORE.away" "$DEVPAY_STORE"
	run curl -s "$URL/metrics"
	assert_line --regexp '^devpayd_store_errors_total [1-9][0-9]*$'
	assert_line --regexp '^devpayd_requests_total\{action="DescribeImages",status="503"\} [1-9]'
}

# --- the request id -------------------------------------------------------------

@test "every answer carries x-amzn-RequestId, the requestId of its body (RequestID of an error)" {
	serve_accounts
	run sigv4 "$CUSTOMER_KEY:$CUSTOMER_SECRET" -D - -d 'Action=DescribeRegions&Version=2016-11-15' "$URL/"
	local h b
	h=$(printf '%s\n' "$output" | tr -d '\r' | sed -n 's/^x-amzn-RequestId: //Ip')
	b=$(printf '%s\n' "$output" | grep -oE '<requestId>[^<]+</requestId>' | sed 's/<[^>]*>//g')
	[[ "$h" =~ ^$RID$ ]] || fail "header: $h"
	assert_equal "$b" "$h"
	# an error: the RequestID of the error document
	run sigv4 "$CUSTOMER_KEY:wrong" -D - -d 'Action=DescribeImages&Version=2016-11-15' "$URL/"
	h=$(printf '%s\n' "$output" | tr -d '\r' | sed -n 's/^x-amzn-RequestId: //Ip')
	b=$(printf '%s\n' "$output" | grep -oE '<RequestID>[^<]+</RequestID>' | sed 's/<[^>]*>//g')
	[[ "$h" =~ ^$RID$ ]] || fail "header: $h"
	assert_equal "$b" "$h"
	# an unsigned request, a page and /healthz carry one too, each its own
	local a c
	a=$(curl -s -D - -o /dev/null "$URL/?Action=DescribeImages" | tr -d '\r' | sed -n 's/^x-amzn-RequestId: //Ip')
	c=$(curl -s -D - -o /dev/null "$URL/healthz" | tr -d '\r' | sed -n 's/^x-amzn-RequestId: //Ip')
	[[ "$a" =~ ^$RID$ && "$c" =~ ^$RID$ && "$a" != "$c" ]] || fail "ids: $a $c"
	# the access log names the same id
	grep -q " $h POST / DescribeImages $CUSTOMER_KEY 403 " "$DEVPAYD_LOG"
}

# --- the access log ---------------------------------------------------------------

@test "access log: milliseconds, request id, method, path, action, key, status, bytes, client; no secret" {
	serve_accounts
	local i
	for i in 1 2 3 4 5 6; do EC2_URL=$URL as_customer ec2-describe-regions >/dev/null; done
	curl -s -o /dev/null "$URL/healthz"
	run grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z 127\.0\.0\.1:[0-9]+ $RID POST / DescribeRegions $CUSTOMER_KEY 200 [0-9]+ [0-9]+ms$" "$DEVPAYD_LOG"
	assert_equal "${#lines[@]}" 6
	# the milliseconds are the clock's, not always .000
	run grep -vE '^[0-9T:-]+\.000Z ' <<<"$output"
	[ "${#lines[@]}" -gt 0 ] || fail "every line at .000"
	grep -qE "\.[0-9]{3}Z 127\.0\.0\.1:[0-9]+ $RID GET /healthz - - 200 3 [0-9]+ms$" "$DEVPAYD_LOG"
	# the bytes are the body's: DescribeRegions' answer
	local bytes
	bytes=$(curl -s --aws-sigv4 aws:amz:us-east-1:ec2 --user "$CUSTOMER_KEY:$CUSTOMER_SECRET" \
		-d 'Action=DescribeRegions&Version=2016-11-15' "$URL/" | wc -c)
	grep -qE " DescribeRegions $CUSTOMER_KEY 200 $bytes [0-9]+ms$" "$DEVPAYD_LOG"
	run grep -c -e "$CUSTOMER_SECRET" "$DEVPAYD_LOG"
	assert_output 0
}

@test "access log: X-Forwarded-For is the client only from a --trusted-proxy peer, its last untrusted hop" {
	serve_accounts --trusted-proxy 127.0.0.0/8 --trusted-proxy 10.0.0.0/8
	sigv4 "$CUSTOMER_KEY:$CUSTOMER_SECRET" -H 'X-Forwarded-For: 198.51.100.1, 203.0.113.7, 10.1.2.3' \
		-d 'Action=DescribeRegions&Version=2016-11-15' "$URL/" >/dev/null
	grep -qE "Z 203\.0\.113\.7 $RID POST / DescribeRegions " "$DEVPAYD_LOG"
	# every hop trusted: the first one
	curl -s -o /dev/null -H 'X-Forwarded-For: 10.9.9.9' "$URL/healthz"
	grep -qE "Z 10\.9\.9\.9 $RID GET /healthz " "$DEVPAYD_LOG"
	# a hop that is not an address ends the walk: the trusted hop after it
	curl -s -o /dev/null -H 'X-Forwarded-For: 192.0.2.1, junk, 10.7.7.7' "$URL/metrics"
	grep -qE "Z 10\.7\.7\.7 $RID GET /metrics " "$DEVPAYD_LOG"
	# IPv6 hops
	curl -s -o /dev/null -H 'X-Forwarded-For: 2001:db8::5' "$URL/healthz"
	grep -qE "Z 2001:db8::5 $RID GET /healthz " "$DEVPAYD_LOG"
	# a long header: its right end counts
	curl -s -o /dev/null -H "X-Forwarded-For: $(printf '192.0.2.1, %.0s' $(seq 300))203.0.113.50" "$URL/healthz"
	grep -qE "Z 203\.0\.113\.50 $RID GET /healthz " "$DEVPAYD_LOG"
	devpayd_stop
	# the peer is not a trusted proxy: the header is ignored
	devpayd_serve --trusted-proxy 192.0.2.0/24 --trusted-proxy 2001:db8::/32
	curl -s -o /dev/null -H 'X-Forwarded-For: 203.0.113.9' "http://127.0.0.1:$DEVPAYD_PORT/healthz"
	grep -qE "Z 127\.0\.0\.1:[0-9]+ $RID GET /healthz " "$DEVPAYD_LOG"
	! grep -q '203\.0\.113\.9' "$DEVPAYD_LOG"
	devpayd_stop
	# and without --trusted-proxy, never
	devpayd_serve
	curl -s -o /dev/null -H 'X-Forwarded-For: 203.0.113.10' "http://127.0.0.1:$DEVPAYD_PORT/healthz"
	! grep -q '203\.0\.113\.10' "$DEVPAYD_LOG"
}

@test "access log: an IPv6 peer inside a --trusted-proxy network" {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null ||
		skip "no IPv6 loopback here"
	local port
	port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); print(s.getsockname()[1])')
	devpayd --listen "[::1]:$port" --store "$DEVPAY_STORE" --log "$BATS_TEST_TMPDIR/6.log" \
		--trusted-proxy ::1/128 </dev/null >/dev/null 2>&1 3>&- &
	DEVPAYD_PID=$!
	for _ in $(seq 100); do curl -s -o /dev/null -g "http://[::1]:$port/healthz" && break; sleep 0.05; done
	curl -s -o /dev/null -g -H 'X-Forwarded-For: 198.51.100.20' "http://[::1]:$port/healthz"
	grep -qE "Z 198\.51\.100\.20 $RID GET /healthz " "$BATS_TEST_TMPDIR/6.log"
}

@test "--trusted-proxy: a value that is not an address or network is a usage error" {
	local v
	for v in 10.0.0.0/33 ::/129 example.com 10.0.0.0/ 10.0.0/8 ''; do
		usage_refused devpayd --store "$DEVPAY_STORE" --trusted-proxy "$v"
		assert_equal "$(printf '%s\n' "$stderr" | head -n 1)" "devpayd: invalid --trusted-proxy '$v': expected an IPv4 or IPv6 address or network (ADDRESS or ADDRESS/BITS)"
	done
}

# --- accounts ----------------------------------------------------------------------

@test "--list-accounts: one line per key (key, account, kind, created, expires), never a secret" {
	local owner customer
	owner=$(echo "$OWNER_SECRET" | devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY")
	customer=$(echo "$CUSTOMER_SECRET" | devpayd --store "$DEVPAY_STORE" --add-account "$CUSTOMER_KEY")
	# a local account (first use by a client command)
	as_other ec2-describe-images >/dev/null
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --list-accounts
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 3
	assert_line --regexp "^$OWNER_KEY$T$owner${T}operator$T[0-9T:.-]+Z$T-\$"
	assert_line --regexp "^$CUSTOMER_KEY$T$customer${T}operator$T[0-9T:.-]+Z$T-\$"
	assert_line --regexp "^$OTHER_KEY$T[0-9]{12}${T}local$T[0-9T:.-]+Z$T-\$"
	refute_output --partial secret
	# an empty store: nothing, success
	run -0 devpayd --store "$BATS_TEST_TMPDIR/empty.db" --list-accounts
	assert_output ""
	# a store that cannot be opened: 3
	mkdir "$BATS_TEST_TMPDIR/dir"
	run --separate-stderr devpayd --store "$BATS_TEST_TMPDIR/dir" --list-accounts
	assert_equal "$status" 3
	# it goes alone
	usage_refused devpayd --store "$DEVPAY_STORE" --list-accounts --remove-account "$OWNER_KEY"
}

@test "--remove-account: the key is refused as an unknown key is; the account's data stays" {
	serve_accounts
	EC2_URL=$URL as_customer ec2-register kept --platform linux --root-device-type instance-store >/dev/null
	local before
	before=$(store_sql "SELECT count(*) FROM images")
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --remove-account "$CUSTOMER_KEY"
	assert_success
	assert_output --regexp '^[0-9]{12}$'
	local id=$output
	refused 1 AuthFailure env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	local removed=$stderr
	refused 1 AuthFailure env EC2_URL="$URL" AWS_ACCESS_KEY=AKNOBODY00000000001 AWS_SECRET_KEY=x ec2-describe-images
	assert_equal "$removed" "$stderr"
	assert_equal "$(store_sql "SELECT count(*) FROM images")" "$before"
	assert_equal "$(store_sql "SELECT count(*) FROM images WHERE owner = '$id'")" 1
	run devpayd --store "$DEVPAY_STORE" --list-accounts
	refute_output --partial "$CUSTOMER_KEY"
	refute_output --partial "$id"
	# the others are served as before
	EC2_URL=$URL as_owner ec2-describe-images >/dev/null
	# an unknown key (the removed one included): exit 1, one line, the store unchanged
	local sum
	sum=$(store_sum)
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --remove-account "$CUSTOMER_KEY"
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_equal "$stderr" "devpayd: access key '$CUSTOMER_KEY' has no account in '$DEVPAY_STORE'"
	assert_equal "$(store_sum)" "$sum"
	# the key may be added again: a new, empty account
	run -0 devpayd --store "$DEVPAY_STORE" --add-account "$CUSTOMER_KEY" <<<"$CUSTOMER_SECRET"
	[ "$output" != "$id" ]
	run -0 env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images -o self
	refute_output --partial kept
}

@test "a key a worker has checked before: a removal, a new secret and a rotation by another process count from the next request" {
	# one worker: each request meets the keys it kept from the one before
	serve_accounts --threads 1
	assert_equal "$(signed_status "$URL/" "$CUSTOMER_KEY" "$CUSTOMER_SECRET")" 200
	assert_equal "$(signed_status "$URL/" "$CUSTOMER_KEY" "$CUSTOMER_SECRET")" 200
	run -0 devpayd --store "$DEVPAY_STORE" --remove-account "$CUSTOMER_KEY"
	key_changes "$URL/"
}

@test "--rotate-key: the new key signs; the old one until --old-key-expires, then refused" {
	serve_accounts
	EC2_URL=$URL as_customer ec2-register mine --platform linux --root-device-type instance-store >/dev/null
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --rotate-key "$CUSTOMER_KEY" \
		--new-key AKNEWCUSTOMER000001 --old-key-expires 3 <<<"new-secret"
	assert_success
	assert_output --regexp '^[0-9]{12}$'
	assert_equal "$stderr" "devpayd: access key '$CUSTOMER_KEY' signs until $(sed -n 's/.* signs until //p' <<<"$stderr")"
	# both sign for the same account, seeing its image
	run -0 env EC2_URL="$URL" AWS_ACCESS_KEY=AKNEWCUSTOMER000001 AWS_SECRET_KEY=new-secret ec2-describe-images -o self
	assert_output --partial mine
	run -0 env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images -o self
	assert_output --partial mine
	run -0 devpayd --store "$DEVPAY_STORE" --list-accounts
	assert_line --regexp "^AKNEWCUSTOMER000001$T[0-9]{12}${T}operator$T[^$T]+$T-\$"
	assert_line --regexp "^$CUSTOMER_KEY$T[0-9]{12}${T}operator$T[^$T]+$T[0-9T:.-]+Z\$"
	# the old secret does not sign for the new key
	refused 1 SignatureDoesNotMatch env EC2_URL="$URL" AWS_ACCESS_KEY=AKNEWCUSTOMER000001 AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	sleep 4
	refused 1 AuthFailure env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	run -0 devpayd --store "$DEVPAY_STORE" --list-accounts
	refute_output --partial "$CUSTOMER_KEY"
	# rotated again, with the old key stopping at once (0)
	run -0 devpayd --store "$DEVPAY_STORE" --rotate-key AKNEWCUSTOMER000001 --new-key AKNEWER000000000001 \
		--old-key-expires 0 <<<"newer-secret"
	refused 1 AuthFailure env EC2_URL="$URL" AWS_ACCESS_KEY=AKNEWCUSTOMER000001 AWS_SECRET_KEY=new-secret ec2-describe-images
	run -0 env EC2_URL="$URL" AWS_ACCESS_KEY=AKNEWER000000000001 AWS_SECRET_KEY=newer-secret ec2-describe-images -o self
	assert_output --partial mine
}

@test "--rotate-key: an ISO 8601 expiry; refusals leave the store unchanged" {
	local sum
	echo "$OWNER_SECRET" | devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY" >/dev/null
	echo "$CUSTOMER_SECRET" | devpayd --store "$DEVPAY_STORE" --add-account "$CUSTOMER_KEY" >/dev/null
	run -0 devpayd --store "$DEVPAY_STORE" --rotate-key "$OWNER_KEY" --new-key AKOWNER2 \
		--old-key-expires 2099-01-01T00:00:00Z <<<"s2"
	run -0 devpayd --store "$DEVPAY_STORE" --list-accounts
	assert_line --regexp "^$OWNER_KEY$T.*${T}2099-01-01T00:00:00.000Z\$"
	sum=$(store_sum)
	# unknown old key; a new key that is a key already (current or rotated out);
	# a key rotated out rotated again
	local args
	for args in "AKNOBODY AKX" "$OWNER_KEY AKX" "AKOWNER2 $CUSTOMER_KEY" "AKOWNER2 $OWNER_KEY"; do
		run --separate-stderr devpayd --store "$DEVPAY_STORE" --rotate-key "${args% *}" --new-key "${args#* }" <<<"s3"
		assert_equal "$status" 1
		assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
		assert_equal "$(store_sum)" "$sum"
	done
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --rotate-key AKNOBODY --new-key AKX <<<"s3"
	assert_equal "$stderr" "devpayd: access key 'AKNOBODY' has no account in '$DEVPAY_STORE'"
	# usage: no --new-key, a bad expiry, --new-key alone, the same key, no secret
	usage_refused devpayd --store "$DEVPAY_STORE" --rotate-key AKOWNER2 <<<"s3"
	usage_refused devpayd --store "$DEVPAY_STORE" --rotate-key AKOWNER2 --new-key AKY --old-key-expires tomorrow <<<"s3"
	usage_refused devpayd --store "$DEVPAY_STORE" --new-key AKY
	usage_refused devpayd --store "$DEVPAY_STORE" --rotate-key AKOWNER2 --new-key AKOWNER2 <<<"s3"
	usage_refused devpayd --store "$DEVPAY_STORE" --rotate-key AKOWNER2 --new-key 'A K' <<<"s3"
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --rotate-key AKOWNER2 --new-key AKY </dev/null
	assert_equal "$status" 1
	assert_equal "$(store_sum)" "$sum"
	# --add-account of a key rotated out that still signs: refused
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY" <<<"x"
	assert_equal "$status" 1
	assert_equal "$(store_sum)" "$sum"
	# --remove-account of a key rotated out: it alone stops
	run -0 devpayd --store "$DEVPAY_STORE" --remove-account "$OWNER_KEY"
	run -0 devpayd --store "$DEVPAY_STORE" --list-accounts
	refute_output --partial "$OWNER_KEY$T"
	assert_output --partial "AKOWNER2$T"
}

@test "--copy-store keeps the keys rotated out: their expiry, and their secrets (a local account's resealed)" {
	echo "$OWNER_SECRET" | devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY" >/dev/null
	# a local account: its secret sealed with the key file beside the store
	as_other ec2-describe-images >/dev/null
	run -0 devpayd --store "$DEVPAY_STORE" --rotate-key "$OWNER_KEY" --new-key AKOWNERNEW <<<"s-owner"
	run -0 devpayd --store "$DEVPAY_STORE" --rotate-key "$OTHER_KEY" --new-key AKOTHERNEW <<<"s-other"
	local before
	before=$(devpayd --store "$DEVPAY_STORE" --list-accounts)
	assert_equal "$(grep -c . <<<"$before")" 4
	# the old key keeps its kind; the new one is the operator's
	grep -qE "^$OTHER_KEY$T[0-9]{12}${T}local$T" <<<"$before"
	grep -qE "^AKOTHERNEW$T[0-9]{12}${T}operator$T" <<<"$before"
	run -0 devpayd --copy-store "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/copy.db"
	assert_line "old_keys${T}2"
	export DEVPAY_STORE=$BATS_TEST_TMPDIR/copy.db
	assert_equal "$(devpayd --store "$DEVPAY_STORE" --list-accounts)" "$before"
	devpayd_serve
	local u="http://127.0.0.1:$DEVPAYD_PORT"
	run -0 env EC2_URL="$u" AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET ec2-describe-images
	run -0 env EC2_URL="$u" AWS_ACCESS_KEY=$OTHER_KEY AWS_SECRET_KEY=$OTHER_SECRET ec2-describe-images
	run -0 env EC2_URL="$u" AWS_ACCESS_KEY=AKOTHERNEW AWS_SECRET_KEY=s-other ec2-describe-images
}
