#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# devpayd against trickling clients (slowloris), from the honest client's own
# address: a deadline for a whole request (--request-deadline), a cap on one
# address's connections (--max-connections-per-ip), and the connections
# waiting longest for a request closed when the room runs out. An honest
# client is served within 2 s throughout. Loopback only; each test is
# bounded (tests/trickle.py runs for a given time).
bats_require_minimum_version 1.5.0
load helpers
load room

@test "trickle: an honest client from the same address is served within 2 s under 1,500 trickling connections (the per-address cap)" {
	serve_accounts
	trickle 1500 9
	sleep 1
	honest_within_2s
	sleep 3
	honest_within_2s
	wait "$TRICKLE_PID"
	cat "$BATS_TEST_TMPDIR/alive"
	# the address's cap (1024 by default) held; the newest kept, the oldest closed
	local alive
	alive=$(awk '{print $2}' "$BATS_TEST_TMPDIR/alive")
	[ "$alive" -le 1024 ] && [ "$alive" -ge 900 ] || fail "alive: $alive"
	honest_within_2s
	kill -0 "$DEVPAYD_PID"
}

@test "trickle: a full room closes the connection waiting longest, so an honest client is served within 2 s" {
	serve_accounts --max-connections 400 --max-connections-per-ip 100000 --request-deadline 3600 --idle-timeout 3600
	trickle 700 8
	sleep 1
	honest_within_2s
	sleep 3
	honest_within_2s
	wait "$TRICKLE_PID"
	cat "$BATS_TEST_TMPDIR/alive"
	local alive
	alive=$(awk '{print $2}' "$BATS_TEST_TMPDIR/alive")
	[ "$alive" -le 400 ] && [ "$alive" -ge 300 ] || fail "alive: $alive"
	kill -0 "$DEVPAYD_PID"
}

@test "trickle: at --max-connections the oldest waiting connection is closed for a new one, the others kept" {
	serve_accounts --max-connections 8 --threads 1 --idle-timeout 60
	oldest_closed_for_new
}

@test "trickle: a request that trickles past --request-deadline is closed unanswered; one done in time is answered" {
	serve_accounts --request-deadline 2 --idle-timeout 30
	run conns "$DEVPAYD_PORT" '
# headers a line every 0.5 s, never finished
s = opened(1)[0]
t0 = time.time(); k = 0; gone = 0
while time.time() - t0 < 8 and not gone:
    time.sleep(0.5); k += 1
    try:
        s.sendall(b"X-Trickle-%d: x\r\n" % k)
    except OSError:
        gone = 1
    if not gone:
        gone = closed(s, 0.01)
headers = time.time() - t0
# a body trickled a byte every 0.5 s
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n")
t0 = time.time(); gone = 0
while time.time() - t0 < 8 and not gone:
    time.sleep(0.5)
    try:
        s.sendall(b"a")
    except OSError:
        gone = 1
    if not gone:
        gone = closed(s, 0.01)
body = time.time() - t0
# trickled for 1 s, then finished: answered; the next request on the same
# connection has its own 2 s from that answer
s = socket.create_connection(("127.0.0.1", port), timeout=5)
answers = []
for _ in range(2):
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    time.sleep(0.5); s.sendall(b"X-A: 1\r\n"); time.sleep(0.5); s.sendall(b"X-B: 2\r\n")
    time.sleep(0.5); s.sendall(b"\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    answers.append(data.split(b" ")[0].decode())
    head, _, rest = data.partition(b"\r\n\r\n")
    n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0])
    while len(rest) < n:
        rest += s.recv(4096)
# idle on keep-alive past the deadline: closed
t0 = time.time(); idle = closed(s, 6); idle_t = time.time() - t0
print("headers %d body %d" % (1.5 <= headers <= 4, 1.5 <= body <= 4), answers, "idle", idle, 1.5 <= idle_t <= 4)'
	assert_success
	assert_output "headers 1 body 1 ['HTTP/1.1', 'HTTP/1.1'] idle 1 True"
	still=$(env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-regions)
	[[ "$still" == *REGION* ]]
	# the log counts them (in a line every 10 s at most, the last when devpayd stops)
	devpayd_stop
	run sed -nE 's/.* devpayd: closed [0-9]+ waiting connection\(s\); ([0-9]+) with no complete request within 2 s$/\1/p' "$DEVPAYD_LOG"
	assert_equal "$(printf '%s\n' "${lines[@]}" | awk '{n += $1} END {print n}')" 3
}

@test "trickle: past --max-connections-per-ip a new connection closes its address's oldest waiting one" {
	serve_accounts --max-connections-per-ip 3 --idle-timeout 60
	run conns "$DEVPAYD_PORT" '
socks = opened(3)
first = [closed(s, 0.3) for s in socks]
socks += opened(1)
print(first, closed(socks[0], 3), [closed(s, 0.2) for s in socks[1:]])
# a client of the address that sends its request at once is answered
c = socket.create_connection(("127.0.0.1", port), timeout=5)
c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
print(c.recv(12).decode(), closed(socks[1], 3), [closed(s, 0.2) for s in socks[2:]])'
	assert_success
	assert_line --index 0 "[0, 0, 0] 1 [0, 0, 0]"
	assert_line --index 1 --regexp '^HTTP/1\.1 [0-9]{3} 1 \[0, 0\]$'
	honest_within_2s
	devpayd_stop
	grep -E 'devpayd: closed [0-9]+ waiting connection\(s\); .*[0-9]+ over the cap of 3 per address$' "$DEVPAYD_LOG"
}

@test "trickle: --request-deadline and --max-connections-per-ip take whole numbers in range, anything else is a usage error" {
	usage_refused devpayd --request-deadline 0
	[[ "$stderr" == *"invalid --request-deadline '0'"* ]] || fail "$stderr"
	usage_refused devpayd --request-deadline 3601
	usage_refused devpayd --request-deadline 1.5
	usage_refused devpayd --request-deadline ''
	usage_refused devpayd --max-connections-per-ip 0
	[[ "$stderr" == *"invalid --max-connections-per-ip '0'"* ]] || fail "$stderr"
	usage_refused devpayd --max-connections-per-ip 100001
	usage_refused devpayd --max-connections-per-ip ten
	usage_refused devpayd --max-connections-per-ip
}

@test "slow readers: answers nobody reads are held up to --max-answer-memory, the rest answered 503; memory stays bounded" {
	# an account with 5,000 instances: its DescribeInstances is about 5 MB,
	# more than the kernel's send buffer (4 MB at most) takes off devpayd's hands
	local ami
	ami=$(as_customer ec2-register big --platform linux --root-device-type instance-store | ami_of)
	for _ in $(seq 250); do as_customer ec2-run-instances "$ami" -n 20 >/dev/null; done
	serve_accounts --max-answer-memory 16 --idle-timeout 20 --threads 2
	local size base
	size=$(as_customer python3 "$BATS_TEST_DIRNAME/signed_request.py" "$URL/" us-east-1 \
		Action=DescribeInstances Version=2016-11-15 | wc -c)
	[ "$size" -gt 4500000 ] || fail "the answer is only $size bytes"
	base=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DEVPAYD_PID/status")
	# 30 clients ask for it and read nothing: without the cap about 30 x 5 MB
	run env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET python3 "$BATS_TEST_DIRNAME/slow_readers.py" \
		"$URL" "$DEVPAYD_PID" 30 8 Action=DescribeInstances Version=2016-11-15
	assert_success
	echo "baseline rss ${base} kB; answer $size bytes; $output"
	local rss ok busy closed
	rss=$(awk '$1 == "rss" { print $2 }' <<<"$output")
	ok=$(awk '$1 == "200" { print $2 }' <<<"$output")
	busy=$(awk '$1 == "503" { print $2 }' <<<"$output")
	closed=$(awk '$1 == "closed" { print $2 }' <<<"$output")
	[ "${ok:-0}" -ge 1 ] && [ "${busy:-0}" -ge 1 ] || fail "expected some 200 and some 503"
	# (requests two busy threads had not read within --request-deadline are
	# closed unanswered)
	[ $((ok + busy + ${closed:-0})) -eq 30 ] || fail "requests unaccounted for"
	# held: at most the cap (16 MiB) and the answers being made (2 threads,
	# each up to twice an answer while it grows); without the cap it grows
	# by about 190 MB here
	# (AddressSanitizer keeps freed memory in quarantine: the resident size
	# says nothing under SANITIZE=1, the counts above do)
	[ "$(cat "$ROOT/build/.flavour" 2>/dev/null)" = sanitize ] || [ $((rss - base)) -lt $((64 * 1024)) ] ||
		fail "devpayd grew by $((rss - base)) kB"
	[ $((ok * size)) -le $((24 * 1024 * 1024)) ] || fail "$ok answers of $size bytes held"
	# the server still answers a reader, and a refused one read the EC2 error
	run env EC2_URL=$URL AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-regions
	assert_success
}

@test "slow readers: --max-answer-memory takes whole MiB from 1 to 1048576" {
	local bad
	for bad in 0 -1 x 1048577 1.5 ''; do
		run --separate-stderr devpayd --store "$DEVPAY_STORE" --max-answer-memory "$bad"
		assert_failure 2
		[[ "$stderr" == *"invalid --max-answer-memory"* ]] || fail "$bad: $stderr"
	done
}
