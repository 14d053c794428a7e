#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# devpayd through a PostgreSQL failover (issue 24): a primary and its
# synchronous streaming standby (tests/pg-cluster), devpayd on a multi-host
# URI that asks for the read-write one, write load from raw clients; the
# primary dies, the standby is promoted, and devpayd serves the new primary
# without a restart, losing no acknowledged launch.
bats_require_minimum_version 1.5.0
load helpers
load devpayd

setup() {
	fresh_store
	PGDIR=$(mktemp -d /tmp/devpay-fo.XXXXXX)
	chmod 755 "$PGDIR"
	local base
	# PostgreSQL missing: the test fails (tools/deps test installs it)
	base=$("$BATS_TEST_DIRNAME/pg-cluster" start "$PGDIR/a")
	"$BATS_TEST_DIRNAME/pg-cluster" standby "$PGDIR/b" "$PGDIR/a" >/dev/null
	psql -X -q "$base/postgres" -c "CREATE DATABASE devpay" >/dev/null
	P1=$(cat "$PGDIR/a/port") P2=$(cat "$PGDIR/b/port")
	# (a synchronous commit is on the standby's disk; it may be applied a
	# moment later)
	local i
	for i in $(seq 100); do
		psql -X -q -At "postgresql://postgres@127.0.0.1:$P2/postgres" \
			-c "SELECT 1 FROM pg_database WHERE datname = 'devpay'" | grep -q 1 && break
		sleep 0.1
	done
	export DEVPAY_STORE="postgresql://postgres@127.0.0.1:$P1,127.0.0.1:$P2/devpay?target_session_attrs=read-write"
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	"$BATS_TEST_DIRNAME/pg-cluster" stop "$PGDIR/a" 2>/dev/null || true
	"$BATS_TEST_DIRNAME/pg-cluster" stop "$PGDIR/b" 2>/dev/null || true
	rm -rf "$PGDIR"
}

# which cluster answers the URI as the read-write one: its port
rw_port() { psql -X -q -At "$DEVPAY_STORE" -c "SHOW port"; }

# until_count N: until the store holds N instances or more (30 s at most)
until_count() {
	local i
	for i in $(seq 300); do
		[ "$(store_sql "SELECT count(*) FROM instances" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "the store has $(store_sql "SELECT count(*) FROM instances") instances, not $1"
}

@test "failover: the primary killed and the standby promoted under write load: 503 meanwhile, then served without a restart, no acknowledged launch lost" {
	local k
	for k in "$OWNER_KEY $OWNER_SECRET" "$CUSTOMER_KEY $CUSTOMER_SECRET"; do
		printf '%s\n' "${k#* }" | devpayd --store "$DEVPAY_STORE" --add-account "${k%% *}" >/dev/null
	done
	devpayd_serve
	PIDS+=("$DEVPAYD_PID")
	local R=http://127.0.0.1:$DEVPAYD_PORT/ pid=$DEVPAYD_PID code ami
	assert_equal "$(rw_port)" "$P1"
	code=$(EC2_URL=$R as_owner devpay-register-product --name HA --platform linux --instance-type m1.small=0.20 | code_of)
	EC2_URL=$R as_customer devpay-purchase-product "$code" >/dev/null
	ami=$(EC2_URL=$R as_customer ec2-register b --platform linux --root-device-type instance-store | ami_of)
	EC2_URL=$R as_customer ec2-associate-product-code "$ami" -p "$code" >/dev/null
	[ -n "$ami" ]

	# 4 raw clients (no retries of theirs, a 10 s timeout) launching all along
	local stop=$BATS_TEST_TMPDIR/stop out=$BATS_TEST_TMPDIR/answers
	AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET \
		python3 "$BATS_TEST_DIRNAME/pg_failover.py" 4 10 "$ami" "$R" "$stop" "$out" &
	local load=$!
	PIDS+=("$load")
	until_count 20
	"$BATS_TEST_DIRNAME/pg-cluster" kill "$PGDIR/a"
	# no primary yet: devpayd answers 503 (below); a new server cannot start
	sleep 1
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account "$OTHER_KEY" <<<"$OTHER_SECRET"
	assert_failure 3
	# one line, naming each host's refusal, the URI without a password
	[[ "$stderr" == *"port $P1 failed: Connection refused"*"; "*"port $P2 failed: session is read-only" ]] ||
		fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	local promoted before
	promoted=$(date +%s.%N)
	"$BATS_TEST_DIRNAME/pg-cluster" promote "$PGDIR/b"
	assert_equal "$(rw_port)" "$P2"
	before=$(store_sql "SELECT count(*) FROM instances")
	until_count $((before + 20))
	touch "$stop"
	wait "$load"

	# every answer came, in time: a 200, or a 503 ServiceUnavailable while
	# there was no primary; never a 500, a dropped connection or a timeout
	run grep -v -e '^200 [0-9.]* i-' -e '^503 [0-9.]* - ServiceUnavailable ' "$out"
	assert_output ""
	grep -q '^503 ' "$out" || fail "no 503 during the switch: $(sort "$out" | cut -c1-3 | uniq -c)"
	# launches acknowledged after the promotion, by the same server
	awk -v t="$promoted" '$1 == 200 && $2 > t { n++ } END { exit !(n >= 10) }' "$out" ||
		fail "no launches acknowledged after the promotion"
	kill -0 "$pid"
	# every acknowledged launch is in the promoted database
	awk '$1 == 200 { n = split($3, ids, ","); for (i = 1; i <= n; i++) print ids[i] }' "$out" | sort >"$BATS_TEST_TMPDIR/acked"
	store_sql "SELECT id FROM instances" | sort >"$BATS_TEST_TMPDIR/kept"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/acked")" -ge 40 ]
	run comm -23 "$BATS_TEST_TMPDIR/acked" "$BATS_TEST_TMPDIR/kept"
	assert_output ""
	# and the suite's client, through the same server
	run env EC2_URL="$R" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-run-instances "$ami" -t m1.small
	assert_success
	assert_output --partial "[devpay: $code]"
}

@test "failover: a multi-host URI goes to libpq as given: the read-write host is chosen whatever the order; a password in it is refused" {
	# the standby first: target_session_attrs=read-write skips it
	local uri="postgresql://postgres@127.0.0.1:$P2,127.0.0.1:$P1/devpay?target_session_attrs=read-write&application_name=ops@devpay"
	run --separate-stderr devpayd --store "$uri" --add-account "$OWNER_KEY" <<<"$OWNER_SECRET"
	assert_success
	[[ "$output" =~ ^[0-9]{12}$ ]]
	assert_equal "$(store_sql "SELECT count(*) FROM accounts")" 1
	# without it libpq takes the first host that answers, here the standby,
	# which refuses the write (nothing is written)
	run --separate-stderr devpayd --store "postgresql://postgres@127.0.0.1:$P2,127.0.0.1:$P1/devpay" \
		--add-account "$CUSTOMER_KEY" <<<"$CUSTOMER_SECRET"
	assert_failure
	[[ "$stderr" == *"in a hot standby"* ]] || fail "stderr: $stderr"
	assert_equal "$(store_sql "SELECT count(*) FROM accounts")" 1
	run --separate-stderr devpayd --store "postgresql://postgres:hunter2@127.0.0.1:$P2,127.0.0.1:$P1/devpay?target_session_attrs=read-write" \
		--add-account "$CUSTOMER_KEY" <<<"$CUSTOMER_SECRET"
	assert_failure 2
	[[ "$stderr" == *"PGPASSWORD or ~/.pgpass"* ]] || fail "stderr: $stderr"
	[[ "$stderr" != *hunter2* ]] || fail "the password was shown"
}
