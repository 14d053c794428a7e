#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# devpayd replicas on one PostgreSQL database (issue 14): a throwaway cluster
# (tests/pg-cluster) for this file, a fresh database per test, two devpayd
# serving it. The workflow files also run through devpayd on PostgreSQL
# under `make check` (DEVPAY_TEST_PG); this file checks what only replicas
# and a shared database show.
bats_require_minimum_version 1.5.0
load helpers
load devpayd
load checks
load copy
load room

# the tests stop and start the cluster: one at a time
BATS_NO_PARALLELIZE_WITHIN_FILE=true

setup_file() {
	PGDIR=$(mktemp -d /tmp/devpay-pg.XXXXXX)
	chmod 755 "$PGDIR"
	export PGDIR
	# PostgreSQL missing: the tests fail (tools/deps test installs it)
	PG_BASE=$("$BATS_TEST_DIRNAME/pg-cluster" start "$PGDIR/cluster")
	export PG_BASE
}

teardown_file() {
	"$BATS_TEST_DIRNAME/pg-cluster" stop "$PGDIR/cluster" 2>/dev/null
	rm -rf "$PGDIR"
}

setup() {
	fresh_store
	local db="r${BATS_TEST_NUMBER}_$RANDOM"
	psql -X -q "$PG_BASE/postgres" -c "CREATE DATABASE $db" >/dev/null
	export DEVPAY_STORE="$PG_BASE/$db"
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	"$BATS_TEST_DIRNAME/pg-cluster" restart "$PGDIR/cluster" 2>/dev/null || true
}

# replica N: a devpayd on the test's database; sets R1/R2 (its URL).
replica() {
	devpayd_serve || return 1
	PIDS+=("$DEVPAYD_PID")
	printf -v "R$1" 'http://127.0.0.1:%s/' "$DEVPAYD_PORT"
}

two_replicas() {
	local k
	for k in "$OWNER_KEY $OWNER_SECRET" "$CUSTOMER_KEY $CUSTOMER_SECRET" "$OTHER_KEY $OTHER_SECRET"; do
		printf '%s\n' "${k#* }" | devpayd --store "$DEVPAY_STORE" --add-account "${k%% *}" >/dev/null
	done
	replica 1 && replica 2
}

# A customer's AMI carrying the owner's product, registered through R1/R2.
product_ami() {
	CODE=$(EC2_URL=$R1 as_owner devpay-register-product --name PG --platform linux --instance-type m1.small=0.20 | code_of)
	EC2_URL=$R2 as_customer devpay-purchase-product "$CODE" >/dev/null
	AMI=$(EC2_URL=$R1 as_customer ec2-register b --platform linux --root-device-type instance-store | ami_of)
	EC2_URL=$R2 as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	[ -n "$CODE" ] && [ -n "$AMI" ]
}

@test "postgresql: a launch through one replica is seen and confirmed through the other" {
	two_replicas
	product_ami
	local i
	i=$(EC2_URL=$R1 as_customer ec2-run-instances "$AMI" -t m1.small | inst_of)
	run env EC2_URL="$R2" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-instances "$i"
	assert_success
	assert_output --partial "[devpay: $CODE]"
	run env EC2_URL="$R2" AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET ec2-confirm-product-instance "$CODE" -i "$i"
	assert_output --partial "$(printf '\ttrue\t')"
	# the bill through either replica is the same
	assert_equal "$(EC2_URL=$R1 as_customer devpay-bill | grep -v '^BILL')" "$(EC2_URL=$R2 as_customer devpay-bill | grep -v '^BILL')"
}

@test "postgresql: 8 writers over both replicas: every launch lands once, nothing duplicated" {
	two_replicas
	product_ami
	local w pids=()
	for w in 1 2 3 4 5 6 7 8; do
		(
			u=$R1
			[ $((w % 2)) = 0 ] || u=$R2
			for _ in 1 2 3 4 5; do
				EC2_URL=$u as_customer ec2-run-instances "$AMI" -t m1.small -n 2 >/dev/null ||
					echo "writer $w failed" >>"$BATS_TEST_TMPDIR/errors"
			done
		) &
		pids+=($!)
	done
	# (not a bare wait: the servers are this shell's children too)
	wait "${pids[@]}"
	[ ! -s "$BATS_TEST_TMPDIR/errors" ] || fail "$(cat "$BATS_TEST_TMPDIR/errors")"
	assert_equal "$(store_sql "SELECT count(*) FROM instances")" 80
	assert_equal "$(store_sql "SELECT count(*) FROM reservations")" 40
	assert_equal "$(store_sql "SELECT count(*) FROM (SELECT reservation FROM instances GROUP BY reservation HAVING count(*) <> 2) x")" 0
	assert_equal "$(EC2_URL=$R1 as_customer ec2-describe-instances | grep -c '^INSTANCE')" 80
}

@test "postgresql: 10,000 contended launches from raw clients (8 connections, no retries of theirs): never a 500" {
	two_replicas
	product_ami
	# the suite's client retries a 5xx; a raw API client does not: every
	# serialization failure must be retried inside devpayd
	run env AWS_ACCESS_KEY="$CUSTOMER_KEY" AWS_SECRET_KEY="$CUSTOMER_SECRET" \
		python3 "$BATS_TEST_DIRNAME/pg_contend.py" 8 1250 "$AMI" "$R1" "$R2"
	assert_success
	assert_output "$(printf '200 10000\nlaunched 10000')"
	assert_equal "$(store_sql "SELECT count(*) FROM instances")" 10000
	# the billing roll-up (service/usage.c) counted each, one group a launch
	assert_equal "$(store_sql "SELECT sum(n), count(DISTINCT batch) FROM instance_usage")" \
		"$(store_sql "SELECT count(*), count(DISTINCT reservation) FROM instances")"
}

@test "postgresql: one client token sent to both replicas at once gives one reservation" {
	two_replicas
	product_ami
	local n a
	for n in 1 2 3; do
		(EC2_URL=$R1 as_customer ec2-run-instances "$AMI" -t m1.small --client-token "same-$n" >"$BATS_TEST_TMPDIR/t1.$n" 2>&1) &
		a=$!
		(EC2_URL=$R2 as_customer ec2-run-instances "$AMI" -t m1.small --client-token "same-$n" >"$BATS_TEST_TMPDIR/t2.$n" 2>&1) &
		wait "$a" $!
		assert_equal "$(grep -h '^RESERVATION' "$BATS_TEST_TMPDIR/t1.$n" "$BATS_TEST_TMPDIR/t2.$n" | cut -f2 | sort -u | wc -l)" 1
	done
	assert_equal "$(store_sql "SELECT count(*) FROM reservations")" 3
	assert_equal "$(store_sql "SELECT count(*) FROM instances")" 3
}

@test "postgresql: a launch's writes go with its commit: a refusal by a key runs it again (503 when it never passes), any other fails it (500); nothing of it stays" {
	two_replicas
	product_ami
	local sums="SELECT (SELECT count(*) FROM reservations) || ' ' || (SELECT count(*) FROM instances)
		|| ' ' || (SELECT coalesce(sum(n), 0) FROM instance_usage)" before
	before=$(store_sql "$sums")
	# every new instance refused as if its fresh id were another launch's;
	# a sequence (outside the transactions) counts the tries
	store_sql "CREATE SEQUENCE tries; CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
		\$\$ BEGIN PERFORM nextval('tries'); RAISE unique_violation USING MESSAGE = 'taken'; END \$\$;
		CREATE TRIGGER refuse BEFORE INSERT ON instances FOR EACH ROW EXECUTE FUNCTION refuse()" >/dev/null
	# one request each (signed: no retries of a client's), to the second replica
	run --separate-stderr as_customer signed us-east-1 Action=RunInstances Version=2016-11-15 \
		ImageId="$AMI" MinCount=2 MaxCount=2
	assert_failure
	[[ "$stderr" == Service.ServiceUnavailable:* ]] || fail "stderr: $stderr"
	assert_equal "$(store_sql "SELECT last_value > 1 FROM tries")" t
	assert_equal "$(store_sql "$sums")" "$before"
	# any other refusal: the store's failure, tried once, and nothing written
	store_sql "ALTER SEQUENCE tries RESTART; CREATE OR REPLACE FUNCTION refuse() RETURNS trigger
		LANGUAGE plpgsql AS \$\$ BEGIN PERFORM nextval('tries'); RAISE data_exception USING MESSAGE = 'no'; END \$\$" >/dev/null
	run --separate-stderr as_customer signed us-east-1 Action=RunInstances Version=2016-11-15 \
		ImageId="$AMI" MinCount=1 MaxCount=1
	assert_failure
	[[ "$stderr" == Service.InternalError:* ]] || fail "stderr: $stderr"
	assert_equal "$(store_sql "SELECT last_value FROM tries")" 1
	assert_equal "$(store_sql "$sums")" "$before"
	store_sql "DROP TRIGGER refuse ON instances" >/dev/null
	run env EC2_URL="$R1" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-run-instances "$AMI" -n 2
	assert_success
	assert_equal "$(grep -c '^INSTANCE' <<<"$output")" 2
}

@test "postgresql: a read asked ahead is run once and taken by the query asking the same; a write between forgets it; a write sent ahead fails the next statement or the commit, a retry when a key refused it; INSERTs sent ahead go as one statement" {
	local st="$ROOT/build/tests/storetest" db=${DEVPAY_STORE##*/} log="$PGDIR/cluster/log"
	local q1="SELECT v /* ahead-1 */ FROM t WHERE k = ?" q2="SELECT v /* ahead-2 */ FROM t WHERE k = ?"
	[ -x "$st" ] || fail "build/tests/storetest is missing: run make"
	"$st" "$DEVPAY_STORE" begin exec 0 "CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT NOT NULL)" \
		exec 2 "INSERT INTO t VALUES (?, ?)" a 1 commit >/dev/null
	store_sql "ALTER DATABASE $db SET log_statement = 'all'"
	run "$st" "$DEVPAY_STORE" begin prefetch 1 "$q1" a prefetch 1 "$q1" b query 1 "$q1" a \
		prefetch 1 "$q2" a later 2 "UPDATE t SET v = ? WHERE k = ?" 2 a query 1 "$q2" a commit
	assert_success
	assert_output "$(printf '1\nrows 1\nlater 0\n2\nrows 1\ncommit 0')"
	# each read sent once (b's never asked for: sent, dropped); the one a
	# write came after, again
	assert_equal "$(grep -c 'ahead-1 .* = \$1' "$log")" 2
	assert_equal "$(grep -c 'ahead-2 .* = \$1' "$log")" 2
	# a key taken: the next statement fails, the Action is to run again;
	# nothing of the transaction stays
	run "$st" "$DEVPAY_STORE" begin later 2 "UPDATE t SET v = ? WHERE k = ?" 3 a \
		later 2 "INSERT INTO t VALUES (?, ?)" a 4 query 1 "$q1" a rollback read query 1 "$q1" a commit
	assert_output "$(printf 'later 0\nlater 0\nquery failed retry=1\n2\nrows 1\ncommit 0')"
	# at the commit, the same; another refusal (NOT NULL) is no retry
	run "$st" "$DEVPAY_STORE" begin later 2 "INSERT INTO t VALUES (?, ?)" a 5 commit \
		begin later 1 "INSERT INTO t(k) VALUES (?)" c commit read query 0 "SELECT count(*) FROM t" commit
	assert_output "$(printf 'later 0\ncommit failed retry=1\nlater 0\ncommit failed retry=0\n1\nrows 1\ncommit 0')"
	# INSERTs sent later go as one statement (WITH), an UPDATE after them on
	# its own, seeing them; a key refused in the joined statement refuses all
	run "$st" "$DEVPAY_STORE" begin later 2 "INSERT INTO t VALUES (?, ?) /* joined */" d 6 \
		later 2 "INSERT INTO t VALUES (?, ?) /* joined */" e 7 later 2 "UPDATE t SET v = ? WHERE k = ?" 8 e commit \
		begin later 2 "INSERT INTO t VALUES (?, ?) /* joined */" f 9 later 2 "INSERT INTO t VALUES (?, ?) /* joined */" a 9 \
		commit read query 0 "SELECT string_agg(k || v, ',' ORDER BY k) FROM t" commit
	assert_output "$(printf 'later 0\nlater 0\nlater 0\ncommit 0\nlater 0\nlater 0\ncommit failed retry=1\na2,d6,e8\nrows 1\ncommit 0')"
	assert_equal "$(grep -c 'execute .*: WITH w0 AS (INSERT INTO t VALUES (\$1, \$2) /\* joined \*/) INSERT INTO t VALUES (\$3, \$4)' "$log")" 2
	# SQLite: the same steps run at once (a refusal is store_exec's -2)
	local lite="$BATS_TEST_TMPDIR/lite.db"
	"$st" "$lite" begin exec 0 "CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT NOT NULL)" \
		exec 2 "INSERT INTO t VALUES (?, ?)" a 1 commit >/dev/null
	run "$st" "$lite" begin prefetch 1 "$q1" a query 1 "$q1" a prefetch 1 "$q2" a \
		later 2 "UPDATE t SET v = ? WHERE k = ?" 2 a query 1 "$q2" a later 2 "INSERT INTO t VALUES (?, ?)" a 4 commit
	assert_output "$(printf '1\nrows 1\nlater 0\n2\nrows 1\nlater -2\ncommit 0')"
}

@test "postgresql: the database stopped answers 503 (the client says Unavailable); started again, served" {
	two_replicas
	product_ami
	"$BATS_TEST_DIRNAME/pg-cluster" stop "$PGDIR/cluster"
	run --separate-stderr env EC2_URL="$R1" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET \
		ec2-describe-images --request-timeout 3
	assert_failure
	[[ "$stderr" == *Unavailable* ]] || fail "stderr: $stderr"
	"$BATS_TEST_DIRNAME/pg-cluster" restart "$PGDIR/cluster"
	local u
	for u in "$R1" "$R2"; do
		run env EC2_URL="$u" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
		assert_success
		assert_output --partial "$AMI"
	done
}

@test "postgresql: /healthz is 200, 503 while the database is stopped, 200 from the restart on (no stale connection answers); /metrics counts the store errors" {
	two_replicas
	run curl -s -w '\n%{http_code}' "${R1}healthz"
	assert_line --index 0 ok
	assert_line --index 1 200
	"$BATS_TEST_DIRNAME/pg-cluster" stop "$PGDIR/cluster"
	run curl -s -o /dev/null -w '%{http_code}' --max-time 10 "${R1}healthz"
	assert_output 503
	"$BATS_TEST_DIRNAME/pg-cluster" restart "$PGDIR/cluster"
	# back as soon as the database accepts connections again: every worker
	# finds its old connection closed on its first request after the
	# restart and opens a new one for that very request, so no answer is a
	# 503 (the workers: four a core, at most 64)
	local i workers
	workers=$(( $(nproc) * 4 > 64 ? 64 : $(nproc) * 4 ))
	for i in $(seq $((2 * workers))); do
		run curl -s -o /dev/null -w '%{http_code}' "${R1}healthz"
		assert_output 200
	done
	# the same for the API, on the other replica, one try each
	for i in $(seq $((2 * workers))); do
		run env EC2_URL="$R2" AWS_MAX_ATTEMPTS=1 AWS_ACCESS_KEY=$CUSTOMER_KEY \
			AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
		assert_success
	done
	run curl -s -o /dev/null -w '%{http_code}' "${R1}healthz"
	assert_output 200
	run curl -s "${R1}metrics"
	assert_line --regexp '^devpayd_store_errors_total [1-9][0-9]*$'
}

@test "postgresql: a read asked ahead again is answered from its last answer, the database checking it in the transaction: a change fails it for a retry, asked anew" {
	local st="$ROOT/build/tests/storetest" db=${DEVPAY_STORE##*/} log="$PGDIR/cluster/log"
	local q="SELECT v /* known-1 */ FROM t WHERE k = ?" still="SELECT 1 FROM t WHERE k = ? AND v = ?"
	[ -x "$st" ] || fail "build/tests/storetest is missing: run make"
	"$st" "$DEVPAY_STORE" begin exec 0 "CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT NOT NULL)" \
		exec 2 "INSERT INTO t VALUES (?, ?)" a 1 commit >/dev/null
	store_sql "ALTER DATABASE $db SET log_statement = 'all'"
	# one connection: a's row read, changed, read from what was kept (the
	# guard fails the commit: a retry, 2: at once), read anew; a row missing (zz) makes
	# another one taken as missing too (yy: right; xx, inserted: a retry)
	run "$st" "$DEVPAY_STORE" read prefetch 1 "$q" a query 1 "$q" a commit \
		begin exec 2 "UPDATE t SET v = ? WHERE k = ?" 2 a commit \
		read prefetch 1 "$q" a query 1 "$q" a commit read prefetch 1 "$q" a query 1 "$q" a commit \
		read prefetch 1 "$q" a query 1 "$q" a commit \
		read prefetch 1 "$q" zz query 1 "$q" zz commit read prefetch 1 "$q" yy query 1 "$q" yy commit \
		begin exec 2 "INSERT INTO t VALUES (?, ?)" xx 3 commit \
		read prefetch 1 "$q" xx query 1 "$q" xx commit read prefetch 1 "$q" xx query 1 "$q" xx commit
	assert_success
	assert_output "$(printf '%s\n' 1 'rows 1' 'commit 0' 'exec 0' 'commit 0' 1 'rows 1' 'commit failed retry=2' \
		2 'rows 1' 'commit 0' 2 'rows 1' 'commit 0' 'rows 0' 'commit 0' 'rows 0' 'commit 0' 'exec 0' 'commit 0' \
		'rows 0' 'commit failed retry=2' 3 'rows 1' 'commit 0')"
	# the reads sent: a's first and after its guard failed, zz's (nothing
	# known), xx's after its guard failed; guards in place of the other four
	assert_equal "$(grep -c 'execute .*: SELECT v /\* known-1 \*/' "$log")" 4
	assert_equal "$(grep -c 'execute .*devpay_guard.*known-1' "$log")" 4
	# store_expect: a row that is there passes; one that is not fails the
	# transaction's next statement and its commit, said apart from a retry
	run "$st" "$DEVPAY_STORE" read expect 2 "$still" a 2 query 1 "$q" a commit \
		read expect 2 "$still" a 1 query 1 "$q" a commit begin expect 2 "$still" a 1 commit
	assert_output "$(printf '%s\n' 'expect 0' 2 'rows 1' 'commit 0' 'expect 0' 'query failed retry=0' \
		'commit failed retry=0 expect' 'expect 0' 'commit failed retry=0 expect')"
	# a transaction's checks and kept answers go as one statement: the
	# check holds and the answer changed (a retry), and the other way round
	local guards
	guards=$(grep -c 'execute .*devpay_guard' "$log")
	run "$st" "$DEVPAY_STORE" read prefetch 1 "$q" a query 1 "$q" a commit \
		begin exec 2 "UPDATE t SET v = ? WHERE k = ?" 5 a commit \
		read expect 2 "$still" a 5 prefetch 1 "$q" a query 1 "$q" a commit \
		read prefetch 1 "$q" a query 1 "$q" a commit read expect 2 "$still" a 4 prefetch 1 "$q" a commit
	assert_output "$(printf '%s\n' 2 'rows 1' 'commit 0' 'exec 0' 'commit 0' 'expect 0' 2 'rows 1' \
		'commit failed retry=2' 5 'rows 1' 'commit 0' 'expect 0' 'commit failed retry=0 expect')"
	assert_equal "$(grep -c 'execute .*devpay_guard' "$log")" $((guards + 2))
	assert_equal "$(grep -c 'execute .*EXISTS.*known-1.*devpay_guard' "$log")" 2
	# SQLite: nothing kept (a read costs no round trip); store_expect reads now
	local lite="$BATS_TEST_TMPDIR/lite.db"
	"$st" "$lite" begin exec 0 "CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT NOT NULL)" \
		exec 2 "INSERT INTO t VALUES (?, ?)" a 1 commit >/dev/null
	run "$st" "$lite" read prefetch 1 "$q" a query 1 "$q" a commit begin exec 2 "UPDATE t SET v = ? WHERE k = ?" 2 a \
		commit read prefetch 1 "$q" a query 1 "$q" a expect 2 "$still" a 2 expect 2 "$still" a 1 commit
	assert_output "$(printf '%s\n' 1 'rows 1' 'commit 0' 'exec 0' 'commit 0' 2 'rows 1' 'expect 0' 'expect 1' 'commit 0')"
}

@test "postgresql: a worker's launches in one round trip from what it read before; a change by another replica (image, subscription, key pair, client token) is seen at once" {
	two_replicas
	product_ami
	store_sql "ALTER DATABASE ${DEVPAY_STORE##*/} SET log_statement = 'all'"
	# R3: one worker, whose every request meets what it kept from the last
	devpayd_serve --threads 1 || fail "no third devpayd"
	PIDS+=("$DEVPAYD_PID")
	local R3="http://127.0.0.1:$DEVPAYD_PORT/" i
	EC2_URL=$R1 as_customer ec2-add-keypair k1 >/dev/null
	for i in 1 2 3; do
		EC2_URL=$R3 run -0 as_customer ec2-run-instances "$AMI" -k k1
	done
	# the key pair deleted through R1: R3's next launch is refused as EC2 does
	EC2_URL=$R1 as_customer ec2-delete-keypair k1 >/dev/null
	EC2_URL=$R3 refused_same 1 InvalidKeyPair.NotFound "k1" as_customer ec2-run-instances "$AMI" -k k1
	EC2_URL=$R1 as_customer ec2-add-keypair k1 >/dev/null
	EC2_URL=$R3 run -0 as_customer ec2-run-instances "$AMI" -k k1
	# the subscription cancelled through R2: refused; bought again: launched
	EC2_URL=$R2 as_customer devpay-cancel-subscription "$CODE" >/dev/null
	EC2_URL=$R3 refused_same 1 AuthFailure "Subscription to ProductCode $CODE required" \
		as_customer ec2-run-instances "$AMI" -k k1
	EC2_URL=$R2 as_customer devpay-purchase-product "$CODE" >/dev/null
	EC2_URL=$R3 run -0 as_customer ec2-run-instances "$AMI" -k k1
	# a client token used through R1 replays on R3, which took new ones as unused
	local first
	first=$(EC2_URL=$R1 as_customer ec2-run-instances "$AMI" --client-token pg-token-1 | grep -oE 'r-[0-9a-f]+')
	assert_equal "$(EC2_URL=$R3 as_customer ec2-run-instances "$AMI" --client-token pg-token-1 | grep -oE 'r-[0-9a-f]+')" "$first"
	# the image deregistered through R2: not found on R3
	EC2_URL=$R2 as_customer ec2-deregister "$AMI" >/dev/null
	EC2_URL=$R3 refused_same 1 InvalidAMIID.NotFound "$AMI" as_customer ec2-run-instances "$AMI"
	assert_equal "$(store_sql "SELECT count(*) FROM instances")" 6
	# R3 answered from what it had read: the database saw its guards
	[ "$(grep -c 'execute .*devpay_guard' "$PGDIR/cluster/log")" -gt 10 ] || fail "no guards in the log"
}

@test "postgresql: connections opened together go to different workers; one waiting on the database holds up no other" {
	two_replicas
	# R3: four workers, four connections opened at once; the first one's
	# CreateKeyPair waits on a lock psql holds, the other three read
	devpayd_serve --threads 4 || fail "no third devpayd"
	PIDS+=("$DEVPAYD_PID")
	run -0 python3 "$BATS_TEST_DIRNAME/spread.py" "$DEVPAYD_PORT" "$DEVPAY_STORE" "$CUSTOMER_KEY" "$CUSTOMER_SECRET" 4
	assert_output "the other 3 connections answered while the first waited"
	# the waiting request was answered once the lock was let go, once
	assert_equal "$(store_sql "SELECT count(*) FROM key_pairs WHERE name = 'spread-first'")" 1
}

@test "postgresql: the room kept by the acceptor: a full room closes the connection waiting longest (an honest client served within 2 s); at --max-connections the oldest waiting one is closed for a new one" {
	serve_accounts --max-connections 400 --max-connections-per-ip 100000 --request-deadline 3600 --idle-timeout 3600
	PIDS+=("$DEVPAYD_PID")
	trickle 700 8
	sleep 1
	honest_within_2s
	wait "$TRICKLE_PID"
	local alive
	alive=$(awk '{print $2}' "$BATS_TEST_TMPDIR/alive")
	[ "$alive" -le 400 ] && [ "$alive" -ge 300 ] || fail "alive: $alive"
	kill -0 "$DEVPAYD_PID"
	devpayd_serve --max-connections 8 --threads 1 --idle-timeout 60 || fail "no second devpayd"
	PIDS+=("$DEVPAYD_PID")
	oldest_closed_for_new
}

@test "postgresql: a key a worker has checked before: a removal, a new secret and a rotation by another process count from the next request, for reads and launches" {
	two_replicas
	product_ami
	devpayd_serve --threads 1 || fail "no third devpayd"
	PIDS+=("$DEVPAYD_PID")
	local R3="http://127.0.0.1:$DEVPAYD_PORT/" before
	local launch="Action=RunInstances&Version=2016-11-15&ImageId=$AMI&MinCount=1&MaxCount=1"
	assert_equal "$(signed_status "$R3" "$CUSTOMER_KEY" "$CUSTOMER_SECRET")" 200
	assert_equal "$(signed_status "$R3" "$CUSTOMER_KEY" "$CUSTOMER_SECRET" "$launch")" 200
	assert_equal "$(signed_status "$R3" "$CUSTOMER_KEY" "$CUSTOMER_SECRET" "$launch")" 200
	run -0 devpayd --store "$DEVPAY_STORE" --remove-account "$CUSTOMER_KEY"
	before=$(store_sum)
	assert_equal "$(signed_status "$R3" "$CUSTOMER_KEY" "$CUSTOMER_SECRET" "$launch")" 401
	assert_equal "$(store_sum)" "$before"
	key_changes "$R3"
	assert_equal "$(store_sql "SELECT count(*) FROM instances")" 2
}

@test "postgresql: --list-accounts, --rotate-key and --remove-account on a database; replicas follow" {
	two_replicas
	run -0 devpayd --store "$DEVPAY_STORE" --list-accounts
	assert_equal "${#lines[@]}" 3
	assert_line --regexp "^$CUSTOMER_KEY"$'\t'"[0-9]{12}"$'\t'"operator"$'\t'
	refute_output --partial secret
	local id
	id=$(devpayd --store "$DEVPAY_STORE" --rotate-key "$CUSTOMER_KEY" --new-key AKPGNEW000000000001 \
		--old-key-expires 3600 <<<"pg-new-secret" 2>/dev/null)
	[[ "$id" =~ ^[0-9]{12}$ ]] || fail "id: $id"
	run -0 env EC2_URL="$R1" AWS_ACCESS_KEY=AKPGNEW000000000001 AWS_SECRET_KEY=pg-new-secret ec2-describe-images
	run -0 env EC2_URL="$R2" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	run -0 devpayd --store "$DEVPAY_STORE" --list-accounts
	assert_line --regexp "^$CUSTOMER_KEY"$'\t'"$id"$'\t'".*Z\$"
	# the old key stops at once when removed; then the account's new key too
	run -0 devpayd --store "$DEVPAY_STORE" --remove-account "$CUSTOMER_KEY"
	refused 1 AuthFailure env EC2_URL="$R2" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	run -0 devpayd --store "$DEVPAY_STORE" --remove-account AKPGNEW000000000001
	assert_output "$id"
	refused 1 AuthFailure env EC2_URL="$R1" AWS_ACCESS_KEY=AKPGNEW000000000001 AWS_SECRET_KEY=pg-new-secret ec2-describe-images
	assert_equal "$(store_sql "SELECT count(*) FROM accounts WHERE id = '$id'")" 1
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --remove-account AKPGNEW000000000001
	assert_failure 1
	assert_equal "$stderr" "devpayd: access key 'AKPGNEW000000000001' has no account in '$DEVPAY_STORE'"
	run -0 devpayd --store "$DEVPAY_STORE" --list-accounts
	assert_equal "${#lines[@]}" 2
}

@test "postgresql: a database that is not ours is refused and left as it was; the schema is versioned" {
	psql -X -q "$DEVPAY_STORE" -c "CREATE TABLE theirs (x int); INSERT INTO theirs VALUES (1)"
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY" <<<"$OWNER_SECRET"
	assert_failure 3
	[[ "$stderr" == *"not a devpay store"* ]] || fail "stderr: $stderr"
	assert_equal "$(store_sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 1
	# ours: the schema's version and mark; a newer one is refused
	psql -X -q "$DEVPAY_STORE" -c "DROP TABLE theirs"
	printf '%s\n' "$OWNER_SECRET" | devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY" >/dev/null
	# the version this program writes: a new SQLite store's
	local known
	printf '%s\n' "$OWNER_SECRET" | devpayd --store "$BATS_TEST_TMPDIR/v.db" --add-account "$OWNER_KEY" >/dev/null
	known=$(sqlite3 "$BATS_TEST_TMPDIR/v.db" 'PRAGMA user_version')
	[ "$known" -ge 6 ] || fail "schema version $known"
	assert_equal "$(store_sql "SELECT app, version FROM devpay_schema")" "devpay|$known"
	psql -X -q "$DEVPAY_STORE" -c "UPDATE devpay_schema SET version = 99"
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account "$CUSTOMER_KEY" <<<"$CUSTOMER_SECRET"
	assert_failure 3
	[[ "$stderr" == *"schema version 99, newer than this program's $known"* ]] || fail "stderr: $stderr"
}

@test "postgresql: --add-account on a database; a password in the URI is refused, never shown" {
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY" <<<"$OWNER_SECRET"
	assert_success
	[[ "$output" =~ ^[0-9]{12}$ ]]
	run --separate-stderr devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY" <<<"$OWNER_SECRET"
	assert_failure 1
	[[ "$stderr" == *"already has an account"* ]]
	local withpw=${DEVPAY_STORE/postgres@/postgres:hunter2@}
	run --separate-stderr devpayd --store "$withpw" --add-account "$CUSTOMER_KEY" <<<"$CUSTOMER_SECRET"
	assert_failure 2
	[[ "$stderr" == *"PGPASSWORD or ~/.pgpass"* ]] || fail "stderr: $stderr"
	[[ "$stderr" != *hunter2* ]] || fail "the password was shown"
}

@test "postgresql: the client commands refuse a postgresql:// endpoint; local mode stays SQLite" {
	run --separate-stderr env EC2_URL="$DEVPAY_STORE" AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET ec2-describe-images
	assert_failure
	[ "$status" -ge 2 ]
	assert_equal "$(store_sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
}

via() { # via URL: DevPay's purchase URLs as devpayd at URL gives them
	sed "s|https://aws-portal.amazon.com/gp/aws/user/subscription/index.html?offeringCode=\([0-9A-F]*\)|${1}purchase/\1|g"
}

@test "postgresql: --copy-store moves a SQLite store into the database and back; replicas serve it as SQLite did" {
	local lite="$BATS_TEST_TMPDIR/lite.db" back="$BATS_TEST_TMPDIR/back.db" before after
	DEVPAY_STORE=$lite shop
	before=$(DEVPAY_STORE=$lite views)
	run --separate-stderr devpayd --copy-store "$lite" "$DEVPAY_STORE"
	assert_success
	assert_equal "$stderr" ""
	assert_line "$(printf 'instances\t4')"
	assert_line "$(printf 'subscriptions\t1')"
	# the local accounts' sealed secrets, opened with lite.db.key, are kept
	# as --add-account keeps an operator's (a database has no key file)
	assert_equal "$(store_sql "SELECT count(*) FROM accounts WHERE secret <> '' AND secret_sealed = ''")" 2
	devpayd_serve --trust-client-clock
	PIDS+=("$DEVPAYD_PID")
	R1=http://127.0.0.1:$DEVPAYD_PORT/
	devpayd_serve --trust-client-clock
	PIDS+=("$DEVPAYD_PID")
	R2=http://127.0.0.1:$DEVPAYD_PORT/
	# (through devpayd a product's purchase URL is its page there)
	assert_equal "$(EC2_URL=$R1 views)" "$(via "$R1" <<<"$before")"
	assert_equal "$(EC2_URL=$R2 views)" "$(via "$R2" <<<"$before")"
	# the billing roll-up came with its SQLite batches: an instance copied
	# running ends in it (service/usage.c), nothing counted twice
	local i rollup="SELECT (SELECT count(*) FROM instances WHERE terminated IS NULL) = (SELECT coalesce(sum(n), 0) FROM instance_usage WHERE terminated = 9223372036854775807) AND (SELECT count(*) FROM instances WHERE terminated IS NOT NULL) = (SELECT coalesce(sum(n), 0) FROM instance_usage WHERE terminated <> 9223372036854775807)"
	i=$(store_sql "SELECT i.id FROM instances i JOIN accounts a ON a.id = i.owner WHERE i.terminated IS NULL AND a.access_key = '$CUSTOMER_KEY' LIMIT 1")
	[ -n "$i" ]
	EC2_URL=$R1 as_customer ec2-terminate-instances "$i" >/dev/null
	assert_equal "$(store_sql "SELECT count(*) FROM instances WHERE id = '$i' AND terminated IS NOT NULL")" 1
	assert_equal "$(store_sql "$rollup")" t
	# new rows take keys after the copied ones (the identity sequences follow)
	EC2_URL=$R1 as_customer devpay-cancel-subscription "$CODE" >/dev/null
	EC2_URL=$R2 as_customer devpay-purchase-product "$CODE" >/dev/null
	EC2_URL=$R1 as_owner devpay-register-product --name Next --platform linux --instance-type m1.small=0.10 >/dev/null
	assert_equal "$(store_sql "SELECT count(DISTINCT id) FROM subscriptions")" 2
	assert_equal "$(store_sql "SELECT count(DISTINCT id) FROM product_versions")" 3
	after=$(EC2_URL=$R1 views)
	# and back into a SQLite file, which local mode and devpayd serve the same
	run --separate-stderr devpayd --copy-store "$DEVPAY_STORE" "$back"
	assert_success
	assert_line "$(printf 'subscriptions\t2')"
	assert_equal "$(DEVPAY_STORE=$back views | via "$R1")" "$after"
	assert_equal "$(sqlite3 "$back" "SELECT id FROM instances ORDER BY rowid")" \
		"$(sqlite3 "$lite" "SELECT id FROM instances ORDER BY rowid")"
	assert_equal "$(sqlite3 "$back" "$rollup")" 1
}

@test "postgresql: --copy-store streams rows with COPY: the foreign keys and indexes are there after it; a missing reference or a duplicate fails the whole copy" {
	local lite="$BATS_TEST_TMPDIR/lite.db" keys
	DEVPAY_STORE=$lite shop
	run --separate-stderr devpayd --copy-store "$lite" "$DEVPAY_STORE"
	assert_success
	# every foreign key of the schema (migrations: 21 today, less the three
	# of a launch that PostgreSQL's keeps without one: store_pg.c) is back
	keys=$(store_sql "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")
	[ "$keys" -ge 18 ] || fail "$keys foreign keys"
	assert_equal "$(store_sql "SELECT count(*) FROM instances")" "$(sqlite3 "$lite" "SELECT count(*) FROM instances")"
	# a source whose instance names a reservation it does not hold (written
	# with SQLite's checks off): refused whole, the database left empty
	local bad="$BATS_TEST_TMPDIR/bad.db" db2
	cp "$lite" "$bad"
	[ ! -e "$lite.key" ] || cp "$lite.key" "$bad.key"
	sqlite3 "$bad" "PRAGMA foreign_keys = OFF; UPDATE instances SET reservation = 'r-00000000000000000' WHERE rowid = (SELECT max(rowid) FROM instances)"
	db2=devpay_bad_$$
	psql -X -q "$PG_BASE/postgres" -c "CREATE DATABASE $db2"
	run --separate-stderr devpayd --copy-store "$bad" "$PG_BASE/$db2"
	assert_failure 1
	[[ "$stderr" == *"table instances"*"foreign key"* ]] || fail "stderr: $stderr"
	assert_equal "$(psql -X -q -t -A "$PG_BASE/$db2" -c "SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM instances)")" 0
	assert_equal "$(psql -X -q -t -A "$PG_BASE/$db2" -c "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")" "$keys"
	# the same for an image it does not hold, a reference the schema keeps
	# without a foreign key (a launch's): checked after the rows, as the keys
	cp "$lite" "$bad"
	[ ! -e "$lite.key" ] || cp "$lite.key" "$bad.key"
	sqlite3 "$bad" "PRAGMA foreign_keys = OFF; UPDATE instances SET image = 'ami-00000000000000000' WHERE rowid = (SELECT max(rowid) FROM instances)"
	run --separate-stderr devpayd --copy-store "$bad" "$PG_BASE/$db2"
	assert_failure 1
	[[ "$stderr" == *"table instances"*"names image ami-00000000000000000, which is not there (a foreign key of the schema)"* ]] || fail "stderr: $stderr"
	assert_equal "$(psql -X -q -t -A "$PG_BASE/$db2" -c "SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM instances)")" 0
	# the indexes are the schema's (the refused copy's database, rolled
	# back, has the schema alone)
	local defs="SELECT string_agg(indexdef, E'\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'"
	assert_equal "$(store_sql "$defs")" "$(psql -X -q -t -A "$PG_BASE/$db2" -c "$defs")"
	[[ "$(store_sql "$defs")" == *"CREATE UNIQUE INDEX reservations_token"* ]]
	# a row that breaks a unique index (two launches of one owner under one
	# client token, the source's own index dropped): refused whole
	cp "$lite" "$bad"
	[ ! -e "$lite.key" ] || cp "$lite.key" "$bad.key"
	sqlite3 "$bad" "DROP INDEX reservations_token; UPDATE reservations SET client_token = 'same' WHERE owner = (SELECT owner FROM reservations LIMIT 1)"
	[ "$(sqlite3 "$bad" "SELECT count(*) FROM reservations WHERE client_token = 'same'")" -ge 2 ] || skip "one launch in the shop"
	db2=devpay_dup_$$
	psql -X -q "$PG_BASE/postgres" -c "CREATE DATABASE $db2"
	run --separate-stderr devpayd --copy-store "$bad" "$PG_BASE/$db2"
	assert_failure 1
	[[ "$stderr" == *"reservations_token"* ]] || fail "stderr: $stderr"
	assert_equal "$(psql -X -q -t -A "$PG_BASE/$db2" -c "SELECT count(*) FROM reservations")" 0
}

@test "postgresql: a launch locks neither its account's row nor its image's; a change to accounts or images that would leave instances or reservations without theirs is refused, any other is not" {
	two_replicas
	product_ami
	local cust holder t0
	cust=$(store_sql "SELECT id FROM accounts WHERE access_key = '$CUSTOMER_KEY'")
	EC2_URL=$R1 as_customer ec2-run-instances "$AMI" -t m1.small >/dev/null
	# another session holds both rows FOR UPDATE for 20 s: launches go on
	psql -X -q "$DEVPAY_STORE" -c "BEGIN" -c "SELECT 1 FROM accounts WHERE id = '$cust' FOR UPDATE" \
		-c "SELECT 1 FROM images WHERE id = '$AMI' FOR UPDATE" -c "SELECT pg_sleep(20)" -c "COMMIT" >/dev/null &
	holder=$!
	PIDS+=("$holder")
	for _ in $(seq 100); do
		[ "$(store_sql "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()")" = 1 ] && break
		sleep 0.1
	done
	t0=$SECONDS
	run -0 timeout 8 env EC2_URL="$R2" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET \
		ec2-run-instances "$AMI" -t m1.small -n 2
	[ $((SECONDS - t0)) -lt 8 ] || fail "the launch waited on the rows' lock"
	kill -0 "$holder" || fail "the lock was let go before the launch"
	kill "$holder"
	assert_equal "$(store_sql "SELECT count(*) FROM instances WHERE owner = '$cust'")" 3
	# refused: an image, or an account, that instances and reservations name
	run --separate-stderr psql -X -q -v ON_ERROR_STOP=1 "$DEVPAY_STORE" -c "UPDATE images SET id = 'ami-0' WHERE id = '$AMI'"
	assert_failure
	[[ "$stderr" == *'update on table "images" leaves rows of table "instances" without theirs'* ]] || fail "stderr: $stderr"
	store_sql "INSERT INTO accounts(id, access_key, secret, created) VALUES ('100000000001', 'AKBARE', '', 0);
		INSERT INTO reservations(id, owner, region, request, created) VALUES ('r-0', '100000000001', 'us-east-1', '', 0)" >/dev/null
	run --separate-stderr psql -X -q -v ON_ERROR_STOP=1 "$DEVPAY_STORE" -c "DELETE FROM accounts WHERE id = '100000000001'"
	assert_failure
	[[ "$stderr" == *'delete on table "accounts" leaves rows of table "reservations" without theirs'* ]] || fail "stderr: $stderr"
	assert_equal "$(store_sql "SELECT count(*) FROM accounts WHERE id = '100000000001'")" 1
	# a TRUNCATE that leaves them (CASCADE follows the foreign keys alone),
	# and one from a session whose search_path does not name the store's
	run --separate-stderr psql -X -q -v ON_ERROR_STOP=1 "$DEVPAY_STORE" -c "SET search_path = pg_catalog" \
		-c "TRUNCATE $(store_sql "SELECT current_schema()").images CASCADE"
	assert_failure
	[[ "$stderr" == *'truncate on table "images" leaves rows of table "instances" without theirs'* ]] || fail "stderr: $stderr"
	assert_equal "$(store_sql "SELECT count(*) FROM images WHERE id = '$AMI'")" 1
	# allowed: what nothing names, and changes that keep the ids
	store_sql "DELETE FROM reservations WHERE id = 'r-0'; DELETE FROM accounts WHERE id = '100000000001';
		UPDATE accounts SET created = created + 1 WHERE id = '$cust'; UPDATE images SET name = 'renamed' WHERE id = '$AMI'" >/dev/null
	assert_equal "$(store_sql "SELECT count(*) FROM accounts WHERE id = '100000000001'")" 0
	assert_equal "$(store_sql "SELECT name FROM images WHERE id = '$AMI'")" renamed
}

@test "postgresql: --copy-store builds a table's indexes and keys after its rows from 10,000 rows on; they are the schema's, a smaller table keeps its own" {
	local lite="$BATS_TEST_TMPDIR/lite.db" bad="$BATS_TEST_TMPDIR/bad.db" db2 defs cons
	DEVPAY_STORE=$lite shop
	# 100,000 more instances of the shop's first one (SQLite's own insert)
	sqlite3 "$lite" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
		INSERT INTO instances(id, reservation, owner, image, type, region, zone, platform, product_code, launch_index, launched)
		SELECT printf('i-%017x', i), reservation, owner, image, type, region, zone, platform, product_code, launch_index, launched
		FROM n, (SELECT * FROM instances ORDER BY rowid LIMIT 1)"
	run --separate-stderr devpayd --copy-store "$lite" "$DEVPAY_STORE"
	assert_success
	assert_equal "$(store_sql "SELECT count(*) FROM instances")" "$(sqlite3 "$lite" "SELECT count(*) FROM instances")"
	# the same indexes as a database with the schema alone
	db2=devpay_schema_$$
	psql -X -q "$PG_BASE/postgres" -c "CREATE DATABASE $db2"
	devpayd --store "$PG_BASE/$db2" --list-accounts >/dev/null
	defs="SELECT string_agg(indexdef, E'\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'"
	assert_equal "$(store_sql "$defs")" "$(psql -X -q -t -A "$PG_BASE/$db2" -c "$defs")"
	[[ "$(store_sql "$defs")" == *"CREATE INDEX instances_owner ON public.instances"* ]]
	# the same constraints (primary keys, unique, foreign keys)
	cons="SELECT string_agg(conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated, E'\n' ORDER BY conname)
		FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
	assert_equal "$(store_sql "$cons")" "$(psql -X -q -t -A "$PG_BASE/$db2" -c "$cons")"
	[[ "$(store_sql "$cons")" == *"instances instances_pkey PRIMARY KEY (id) t"* ]]
	# rebuilt: the large table's indexes and primary key know its size; a
	# small table's were not built again (what PostgreSQL knows of it is
	# what the schema left)
	local tuples="SELECT reltuples FROM pg_class WHERE relname = 'products_owner'"
	[ "$(store_sql "SELECT reltuples FROM pg_class WHERE relname = 'instances_owner'")" -ge 100000 ]
	[ "$(store_sql "SELECT reltuples FROM pg_class WHERE relname = 'instances_pkey'")" -ge 100000 ]
	assert_equal "$(store_sql "$tuples")" "$(psql -X -q -t -A "$PG_BASE/$db2" -c "$tuples")"
	# a big table's unique index built after its rows still refuses a
	# duplicate: 10,000 launches of one owner under one client token, the
	# source's own index dropped; nothing is copied
	cp "$lite" "$bad"
	[ ! -e "$lite.key" ] || cp "$lite.key" "$bad.key"
	sqlite3 "$bad" "DROP INDEX reservations_token;
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
		INSERT INTO reservations(id, owner, region, client_token, request, created)
		SELECT printf('r-%017x', i), owner, region, 'same', request, created
		FROM n, (SELECT * FROM reservations ORDER BY rowid LIMIT 1)"
	db2=devpay_dup_$$
	psql -X -q "$PG_BASE/postgres" -c "CREATE DATABASE $db2"
	run --separate-stderr devpayd --copy-store "$bad" "$PG_BASE/$db2"
	assert_failure 1
	[[ "$stderr" == *"reservations_token"* ]] || fail "stderr: $stderr"
	assert_equal "$(psql -X -q -t -A "$PG_BASE/$db2" -c "SELECT count(*) FROM instances")" 0
	# and it serves them
	devpayd_serve
	PIDS+=("$DEVPAYD_PID")
	run -0 env EC2_URL="http://127.0.0.1:$DEVPAYD_PORT/" AWS_ACCESS_KEY=$CUSTOMER_KEY \
		AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-instances i-000000000000186a0
	assert_equal "$(grep '^INSTANCE' <<<"$output" | cut -f2)" i-000000000000186a0
}

@test "postgresql: --copy-store refuses a database with rows; a copy that fails half-way leaves the target as it was" {
	local lite="$BATS_TEST_TMPDIR/lite.db" back="$BATS_TEST_TMPDIR/back.db" before
	DEVPAY_STORE=$lite shop
	printf '%s\n' "$OTHER_SECRET" | devpayd --store "$DEVPAY_STORE" --add-account "$OTHER_KEY" >/dev/null
	before=$(store_sum)
	run --separate-stderr devpayd --copy-store "$lite" "$DEVPAY_STORE"
	assert_failure 1
	[[ "$stderr" == *"is not empty (its table accounts has rows)"*"nothing was copied" ]] || fail "stderr: $stderr"
	assert_equal "$(store_sum)" "$before"
	# a row refused half-way (a trigger of the database's): none of the copy stays
	psql -X -q "$DEVPAY_STORE" -c "DELETE FROM accounts" \
		-c 'CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION '"'no instances here'"'; END$$' \
		-c "CREATE TRIGGER refuse BEFORE INSERT ON instances FOR EACH ROW EXECUTE FUNCTION refuse()"
	run --separate-stderr devpayd --copy-store "$lite" "$DEVPAY_STORE"
	assert_failure 1
	[[ "$stderr" == *"table instances"*"no instances here"* ]] || fail "stderr: $stderr"
	assert_equal "$(store_sql "SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM products) + (SELECT count(*) FROM reservations)")" 0
	# from the database into a new SQLite file that refuses a row: the file is removed
	psql -X -q "$DEVPAY_STORE" -c "DROP TRIGGER refuse ON instances"
	devpayd --copy-store "$lite" "$DEVPAY_STORE" >/dev/null
	psql -X -q "$DEVPAY_STORE" -c "ALTER TABLE instances ADD COLUMN extra text"
	run --separate-stderr devpayd --copy-store "$DEVPAY_STORE" "$back"
	assert_failure 1
	[[ "$stderr" == *"table instances"* ]] || fail "stderr: $stderr"
	[ ! -e "$back" ] && [ ! -e "$back-wal" ] && [ ! -e "$back.key" ]
}
