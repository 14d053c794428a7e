#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Faults and load, sized to seconds (bench/ runs the big versions): many
# writers on one store, locally and through devpayd; writers killed with
# SIGKILL at random moments; a full disk and I/O errors; read-only stores and
# folders; symlinks to files that are not ours.
bats_require_minimum_version 1.5.0
load helpers

WRITER="$BATS_TEST_DIRNAME/writer.sh"
CHECK="$BATS_TEST_DIRNAME/writers_check.py"

# product: the owner's product, its code in CODE.
product() {
	CODE=$(as_owner devpay-register-product --name faults --platform linux \
		--instance-type m1.small=0.10 | code_of)
	[ -n "$CODE" ]
}

# writers N OPS: N writers of OPS operations each, at once, into $OUT.
writers() {
	local i pids=()
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT"
	for ((i = 1; i <= $1; i++)); do
		"$WRITER" "$i" "$2" "$CODE" "$OUT" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
}

# no_failures: no writer was refused anything.
no_failures() {
	local f
	for f in "$OUT"/*.errors; do
		[ ! -s "$f" ] || fail "$(head -20 "$f")"
	done
}

# add_writers N: devpayd accounts for writers 1..N (local mode creates them on first use).
add_writers() {
	local i
	for ((i = 1; i <= $1; i++)); do
		echo "writer-secret-$i" | devpayd --store "$DEVPAY_STORE" --add-account "$(printf 'AKWRITER%012d' "$i")" >/dev/null
	done
}

@test "faults: 8 writers of mixed operations on one local store: all succeed, every change there exactly once" {
	product
	writers 8 12
	no_failures
	run python3 "$CHECK" "$DEVPAY_STORE" "$OUT"
	assert_success
	assert_output --regexp '^24 launches \(48 instances\), 24 terminations, 24 purchases, 24 cancels, 32 registrations, 24 associations'
}

@test "faults: 8 writers of mixed operations through one devpayd: all succeed, every change there exactly once" {
	serve_accounts --threads 4
	product
	add_writers 8
	EC2_URL=$URL writers 8 12
	no_failures
	run python3 "$CHECK" "$DEVPAY_STORE" "$OUT"
	assert_success
	assert_output --regexp '^24 launches \(48 instances\), 24 terminations, 24 purchases, 24 cancels, 32 registrations, 24 associations'
	# nothing was answered with a 5xx
	assert_equal "$(awk '$10 ~ /ms$/ && $8 >= 500' "$DEVPAYD_LOG")" ""
}

@test "faults: writers killed with SIGKILL at random moments: the store is sound, launches whole, no acknowledged change lost" {
	product
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT"
	local round pids p
	for round in $(seq 10); do
		pids=()
		for p in 1 2 3; do
			setsid "$WRITER" "$((round * 10 + p))" 40 "$CODE" "$OUT" 3>&- &
			pids+=($!)
		done
		sleep "0.$((RANDOM % 6 + 2))"
		# the whole process group: the script and the command it is running
		for p in "${pids[@]}"; do kill -9 -- "-$p" 2>/dev/null || true; done
		wait "${pids[@]}" 2>/dev/null || true
		run sqlite3 "$DEVPAY_STORE" 'PRAGMA integrity_check'
		assert_output ok
	done
	run python3 "$CHECK" "$DEVPAY_STORE" "$OUT" --partial
	assert_success
	# and the store is still usable by everyone
	run as_customer ec2-register after-the-kills
	assert_success
}

# in_small_fs CMD...: CMD in a private mount namespace with a 512 KiB tmpfs
# on $SMALL (unprivileged through a user namespace). Skips where the system
# allows neither.
in_small_fs() {
	SMALL="$BATS_TEST_TMPDIR/small"
	mkdir -p "$SMALL"
	unshare -rm true 2>/dev/null || skip "no user and mount namespaces here (unshare -rm)"
	unshare -rm sh -c 'mount -t tmpfs -o size=512k tmpfs "$1" && shift && exec "$@"' sh "$SMALL" "$@"
}

@test "faults: a full disk (small tmpfs): exit 3 and a clear message; the store opens and keeps every acknowledged launch" {
	local script="$BATS_TEST_TMPDIR/fill.sh"
	cat >"$script" <<'SH'
set -u
export DEVPAY_STORE="$SMALL/store.db"
ami=$(ec2-register full | grep -oE 'ami-[0-9a-f]+') || exit 90
acked=0
for i in $(seq 400); do
	if ec2-run-instances "$ami" -n 3 >/dev/null 2>"$SMALL.err"; then
		acked=$((acked + 3))
	else
		echo "status $?"; cat "$SMALL.err"; break
	fi
done
echo "acked $acked"
echo "stored $(ec2-describe-instances | grep -c '^INSTANCE')"
echo "integrity $(sqlite3 "$DEVPAY_STORE" 'PRAGMA integrity_check')"
ec2-describe-images >/dev/null && echo "reads after: ok"
SH
	run in_small_fs env SMALL="$BATS_TEST_TMPDIR/small" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET bash "$script"
	assert_success
	assert_line --index 0 'status 3'
	assert_line --index 1 --regexp "^ec2-run-instances: store '.*/small/store.db': (the disk is full|disk I/O error|database or disk is full); nothing was changed$"
	local acked stored
	acked=$(printf '%s\n' "$output" | awk '$1 == "acked" { print $2 }')
	stored=$(printf '%s\n' "$output" | awk '$1 == "stored" { print $2 }')
	[ "$acked" -gt 0 ]
	assert_equal "$stored" "$acked"
	assert_line 'integrity ok'
	assert_line 'reads after: ok'
}

@test "faults: a write error mid-transaction (file size limit): exit 3, nothing partial, earlier launches intact" {
	local ami i acked=0 rc=0
	ami=$(as_customer ec2-register big | ami_of)
	# SIGXFSZ ignored: a write past the limit fails with EFBIG instead of killing
	for i in $(seq 400); do
		rc=0
		(trap '' XFSZ; ulimit -f 400; as_customer ec2-run-instances "$ami" -n 3 >/dev/null 2>"$BATS_TEST_TMPDIR/err") || rc=$?
		[ "$rc" -eq 0 ] || break
		acked=$((acked + 3))
	done
	assert_equal "$rc" 3
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --regexp "^ec2-run-instances: store '.*': [a-zA-Z /]+; nothing was changed$"
	[ "$acked" -gt 0 ]
	assert_equal "$(sqlite3 "$DEVPAY_STORE" 'PRAGMA integrity_check')" ok
	assert_equal "$(as_customer ec2-describe-instances | grep -c '^INSTANCE')" "$acked"
	run sqlite3 "$DEVPAY_STORE" 'SELECT count(*) FROM reservations r WHERE (SELECT count(*) FROM instances i WHERE i.reservation = r.id) != 3'
	assert_output 0
}

@test "faults: a read-only store, or a store in a read-only folder: writes refused (exit 3), the file left as it was" {
	local script="$BATS_TEST_TMPDIR/ro.sh"
	cat >"$script" <<'SH'
set -u
export DEVPAY_STORE="$SMALL/store.db"
ec2-register before >/dev/null || exit 90
sum() { md5sum "$SMALL"/store.db* | md5sum; }
before=$(sum)
mount -o remount,ro "$SMALL" || exit 91
ec2-register after >/dev/null 2>"$SMALL.err"; echo "folder status $?"; cat "$SMALL.err"
[ "$(sum)" = "$before" ] && echo "folder unchanged"
SH
	run in_small_fs env SMALL="$BATS_TEST_TMPDIR/small" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET bash "$script"
	assert_success
	assert_line --index 0 'folder status 3'
	assert_line --index 1 --regexp "^ec2-register: .*store.db.*"
	assert_line 'folder unchanged'
	# a read-only file (where permissions bind: not for root)
	if [ "$(id -u)" != 0 ]; then
		as_customer ec2-register first >/dev/null
		chmod 0400 "$DEVPAY_STORE"
		local sum; sum=$(md5sum <"$DEVPAY_STORE")
		run --separate-stderr as_customer ec2-register second
		assert_failure 3
		[ -n "$stderr" ]
		assert_equal "$(md5sum <"$DEVPAY_STORE")" "$sum"
	fi
}

@test "faults: a symlink to a file that is not a devpay store is refused (exit 3), the file left as it was" {
	printf 'precious, not a store\n' >"$BATS_TEST_TMPDIR/precious.txt"
	sqlite3 "$BATS_TEST_TMPDIR/other.db" 'CREATE TABLE t(x); INSERT INTO t VALUES (1)'
	local f sum
	for f in precious.txt other.db; do
		ln -sf "$BATS_TEST_TMPDIR/$f" "$BATS_TEST_TMPDIR/link.db"
		sum=$(md5sum <"$BATS_TEST_TMPDIR/$f")
		run --separate-stderr env DEVPAY_STORE="$BATS_TEST_TMPDIR/link.db" \
			AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-register x
		assert_failure 3
		[[ "$stderr" == *"not a devpay store"* ]] || fail "stderr: $stderr"
		assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/$f")" "$sum"
		[ ! -e "$BATS_TEST_TMPDIR/$f-wal" ] && [ ! -e "$BATS_TEST_TMPDIR/link.db-wal" ]
	done
	# a symlink to nowhere: nothing is created where it points
	ln -sfn "$BATS_TEST_TMPDIR/nowhere/store.db" "$BATS_TEST_TMPDIR/dangling.db"
	run --separate-stderr env DEVPAY_STORE="$BATS_TEST_TMPDIR/dangling.db" \
		AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-register x
	assert_failure 3
	[ -n "$stderr" ]
	[ ! -e "$BATS_TEST_TMPDIR/nowhere" ]
}
