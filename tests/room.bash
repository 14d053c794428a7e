# SPDX-License-Identifier: Apache-2.0
# The trickling clients and socket helpers of the connection room's tests
# (tests/trickle.bats; tests/postgresql.bats, where devpayd's acceptor
# keeps the room).

TRICKLE="$BATS_TEST_DIRNAME/trickle.py"

# trickle COUNT SECONDS: COUNT connections from 127.0.0.1, each sending one
# header line a second for SECONDS, never finishing; returns once they are
# open (TRICKLE_PID, the count opened in $BATS_TEST_TMPDIR/opened).
trickle() {
	python3 "$TRICKLE" "$DEVPAYD_PORT" "$1" "$2" "$BATS_TEST_TMPDIR/opened" \
		>"$BATS_TEST_TMPDIR/alive" 2>&1 3>&- &
	TRICKLE_PID=$!
	local i
	for i in $(seq 300); do [ -s "$BATS_TEST_TMPDIR/opened" ] && break; sleep 0.05; done
	cat "$BATS_TEST_TMPDIR/opened"
	grep -q "^opened $1\$" "$BATS_TEST_TMPDIR/opened"
}

# honest_within_2s: ec2-describe-regions through devpayd succeeds in under 2 s.
honest_within_2s() {
	local t0 ms
	t0=$(date +%s%N)
	run --separate-stderr env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET \
		ec2-describe-regions --request-timeout 5
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	echo "honest client: exit $status in ${ms} ms"
	assert_success
	assert_output --partial REGION
	[ "$ms" -lt 2000 ] || fail "served in $ms ms, not under 2 s"
}

# conns PORT SCRIPT: a Python helper with socket helpers: opened(n) opens n
# connections that each send an unfinished request; closed(s, wait) is 1 if
# the server closed s within wait seconds without answering.
conns() {
	local port=$1 script=$2
	python3 - "$port" <<PY
import socket, sys, time
port = int(sys.argv[1])
def opened(n, sleep=0.05):
    out = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        out.append(s)
        time.sleep(sleep)
    return out
def closed(s, wait):
    s.settimeout(wait)
    try:
        data = s.recv(100)
    except socket.timeout:
        return 0
    except OSError:
        return 1
    if data:
        raise SystemExit("answered: %r" % data[:40])
    return 1
$script
PY
}

# oldest_closed_for_new: at the devpayd on DEVPAYD_PORT, with room for 8
# connections, 7 waiting for a request are kept; an 8th closes the one
# waiting longest and the others stay.
oldest_closed_for_new() {
	run conns "$DEVPAYD_PORT" '
socks = opened(7)
first = [closed(s, 0.3) for s in socks]
socks += opened(1)
print(first, closed(socks[0], 3), [closed(s, 0.2) for s in socks[1:]])'
	assert_success
	assert_output "[0, 0, 0, 0, 0, 0, 0] 1 [0, 0, 0, 0, 0, 0, 0]"
}
