#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The local store (where it is, what it refuses to touch, many writers at
# once) and the accounts it creates on first use of an access key.
bats_require_minimum_version 1.5.0
load helpers
load checks

setup() {
	fresh_store
	# these tests are about the local store itself
	[ "${DEVPAY_TEST_MODE:-local}" = local ] || skip "local store only"
}

# unreachable TEXT CMD...: exit 3, nothing on stdout, one "PROG: ..." line naming TEXT.
unreachable() {
	local text=$1
	shift
	run --separate-stderr "$@"
	assert_equal "$status" 3
	assert_equal "$output" ""
	[[ "$stderr" =~ ^(devpay|ec2)-[a-z-]+:\ [^$'\n']+$ ]] || fail "not one 'PROG: message' line: $stderr"
	[[ "$stderr" == *"$text"* ]] || fail "the message does not name '$text': $stderr"
}

# --- where the store is, how it is made ---------------------------------------

@test "store: created mode 0600, and its WAL files too" {
	[ ! -e "$DEVPAY_STORE" ]
	run as_owner devpay-register-product --name P --platform linux --instance-type m1.small=1
	assert_success
	assert_equal "$(stat -c %a "$DEVPAY_STORE")" 600
	local f
	for f in "$DEVPAY_STORE"-wal "$DEVPAY_STORE"-shm; do
		[ ! -e "$f" ] || assert_equal "$(stat -c %a "$f")" 600
	done
}

@test "store: an empty file is made a store, mode 0600" {
	: >"$DEVPAY_STORE"
	chmod 644 "$DEVPAY_STORE"
	run as_owner devpay-describe-products
	assert_success
	assert_equal "$(stat -c %a "$DEVPAY_STORE")" 600
	assert_equal "$(head -c 15 "$DEVPAY_STORE")" "SQLite format 3"
}

@test "store: what one command writes, the next one reads" {
	local code
	code=$(new_product P)
	run as_customer devpay-describe-products "$code"
	assert_success
	assert_equal "$(code_of <<<"$output")" "$code"
}

@test "store: a file that is not SQLite is refused (exit 3) and left byte for byte" {
	printf 'my notes\nnot a database\n' >"$DEVPAY_STORE"
	cp "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/orig"
	unreachable "not a devpay store" as_owner devpay-describe-products
	[[ "$stderr" == *"$DEVPAY_STORE"* ]]
	cmp "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/orig"
	[ ! -e "$DEVPAY_STORE-wal" ] && [ ! -e "$DEVPAY_STORE-shm" ] && [ ! -e "$DEVPAY_STORE-journal" ]
	# a writer is refused the same way
	unreachable "not a devpay store" as_owner devpay-register-product --name P --platform linux --instance-type m1.small=1
	cmp "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/orig"
}

@test "store: a SQLite file with a SQLite header but garbage after it is refused and left as it was" {
	{ printf 'SQLite format 3\0'; head -c 4096 /dev/zero | tr '\0' x; } >"$DEVPAY_STORE"
	cp "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/orig"
	unreachable "$DEVPAY_STORE" as_owner devpay-describe-products
	cmp "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/orig"
}

@test "store: a SQLite file that is not ours is refused (exit 3) and left byte for byte" {
	sqlite3 "$DEVPAY_STORE" 'create table t(x); insert into t values (1)'
	cp "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/orig"
	unreachable "is a SQLite file but not a devpay store" as_owner devpay-register-product \
		--name P --platform linux --instance-type m1.small=1
	cmp "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/orig"
	[ ! -e "$DEVPAY_STORE-wal" ] && [ ! -e "$DEVPAY_STORE-shm" ] && [ ! -e "$DEVPAY_STORE-journal" ]
	assert_equal "$(sqlite3 "$DEVPAY_STORE" 'select x from t')" 1
}

@test "store: a SQLite file with another program's schema version is refused and left as it was" {
	sqlite3 "$DEVPAY_STORE" 'PRAGMA user_version=7'
	cp "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/orig"
	unreachable "not a devpay store" as_owner devpay-describe-products
	cmp "$DEVPAY_STORE" "$BATS_TEST_TMPDIR/orig"
}

@test "store: a store of a newer schema than this program knows is refused" {
	as_owner devpay-describe-products >/dev/null
	sqlite3 "$DEVPAY_STORE" 'PRAGMA user_version=999'
	local before
	before=$(store_sum)
	unreachable "newer than this program" as_owner devpay-describe-products
	assert_equal "$(store_sum)" "$before"
}

@test "store: schema 12's index of every instance by product becomes one of the running instances (13), the answers the same" {
	local code ami kept
	code=$(as_owner devpay-register-product --name P --platform linux --instance-type m1.small=0.1 | code_of)
	as_customer devpay-purchase-product "$code" >/dev/null
	ami=$(as_customer ec2-register img --platform linux | ami_of)
	as_customer ec2-associate-product-code "$ami" -p "$code" >/dev/null
	as_customer ec2-run-instances "$ami" -n 2 >/dev/null
	kept=$(as_customer ec2-run-instances "$ami" | inst_of)
	as_customer ec2-terminate-instances "$kept" >/dev/null
	# the store as schema 12 left it
	sqlite3 "$DEVPAY_STORE" "DROP INDEX instances_running;
		CREATE INDEX instances_product ON instances(product_code, owner, launched);
		PRAGMA user_version = 12"
	run --separate-stderr as_customer devpay-describe-subscriptions
	assert_success
	[ "$(echo "$output" | cut -f7)" = 2 ] || fail "running count: $output"
	assert_equal "$(sqlite3 "$DEVPAY_STORE" 'PRAGMA user_version')" 13
	assert_equal "$(sqlite3 "$DEVPAY_STORE" "SELECT name FROM sqlite_master WHERE name LIKE 'instances_%' ORDER BY 1" | tr '\n' ' ')" \
		"instances_owner instances_reservation instances_running "
	# the index holds the running instances alone, and the running count and
	# a cancellation's terminations read it
	assert_equal "$(sqlite3 "$DEVPAY_STORE" "SELECT count(*) FROM instances INDEXED BY instances_running WHERE owner <> '' AND terminated IS NULL")" 2
	sqlite3 "$DEVPAY_STORE" "EXPLAIN QUERY PLAN UPDATE instances SET terminated = 1 WHERE owner = 'a' AND product_code = 'b' AND terminated IS NULL" |
		grep -q 'USING INDEX instances_running' || fail "the cancellation does not read the index"
	as_customer devpay-cancel-subscription "$code" >/dev/null
	run as_customer ec2-describe-instances
	assert_success
	assert_equal "$(echo "$output" | grep -c '^INSTANCE')" 3
	assert_equal "$(echo "$output" | grep -c $'\trunning\t')" 0
	assert_equal "$(sqlite3 "$DEVPAY_STORE" "SELECT count(*) FROM instances WHERE terminated IS NULL")" 0
}

@test "store: DEVPAY_STORE in a missing directory is exit 3, nothing created" {
	export DEVPAY_STORE="$BATS_TEST_TMPDIR/no/such/dir/store.db"
	unreachable "cannot create store '$DEVPAY_STORE'" as_owner devpay-describe-products
	[ ! -e "$BATS_TEST_TMPDIR/no" ]
}

@test "store: a directory where the store cannot be created is exit 3" {
	local dir
	if [ "$(id -u)" != 0 ]; then
		dir="$BATS_TEST_TMPDIR/ro"
		mkdir "$dir"
		chmod 555 "$dir"
	else
		# chmod does not stop root: take a folder of a file system that refuses new files
		for dir in /sys /proc/self; do
			[ -d "$dir" ] && ! touch "$dir/devpay-probe" 2>/dev/null && break
			dir=
		done
		[ -n "$dir" ] || skip "no folder here refuses root"
	fi
	export DEVPAY_STORE="$dir/store.db"
	unreachable "cannot create store '$DEVPAY_STORE'" as_owner devpay-describe-products
	[ ! -e "$DEVPAY_STORE" ]
}

@test "store: a directory given as the store is exit 3" {
	export DEVPAY_STORE="$BATS_TEST_TMPDIR"
	unreachable "not a regular file" as_owner devpay-describe-products
}

@test "store: default location under XDG_DATA_HOME or ~/.local/share, folder created 0700" {
	unset DEVPAY_STORE XDG_DATA_HOME
	export HOME="$BATS_TEST_TMPDIR/home"
	run as_owner devpay-register-product --name P --platform linux --instance-type m1.small=1
	assert_success
	local store="$HOME/.local/share/devpay/store.db"
	[ -f "$store" ]
	assert_equal "$(stat -c %a "$HOME/.local/share/devpay")" 700
	assert_equal "$(stat -c %a "$store")" 600
	assert_equal "$(as_owner devpay-describe-products | grep -c '^PRODUCT')" 1

	export XDG_DATA_HOME="$BATS_TEST_TMPDIR/xdg"
	run as_owner devpay-describe-products
	assert_success
	assert_equal "$output" ""
	[ -f "$XDG_DATA_HOME/devpay/store.db" ]
	assert_equal "$(stat -c %a "$XDG_DATA_HOME/devpay")" 700
}

@test "store: the default folder that cannot be created is exit 3" {
	unset DEVPAY_STORE XDG_DATA_HOME
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	: >"$HOME/.local" # a file where the folder should go
	unreachable "cannot create store folder" as_owner devpay-describe-products
}

@test "store: file:///abs/path through -U and through EC2_URL, ahead of DEVPAY_STORE" {
	local u="$BATS_TEST_TMPDIR/by-url.db" e="$BATS_TEST_TMPDIR/by-env.db" code
	code=$(new_product P -U "file://$u")
	[ -f "$u" ] && [ ! -e "$DEVPAY_STORE" ]
	assert_equal "$(stat -c %a "$u")" 600
	run as_owner devpay-describe-products -U "file://$u"
	assert_equal "$(code_of <<<"$output")" "$code"

	EC2_URL="file://$e" run as_owner devpay-describe-products
	assert_success
	assert_equal "$output" ""
	[ -f "$e" ] && [ ! -e "$DEVPAY_STORE" ]
	# -U wins over EC2_URL; file://localhost/ is the same path
	EC2_URL="file://$e" run as_owner devpay-describe-products -U "file://localhost$u"
	assert_equal "$(code_of <<<"$output")" "$code"
}

@test "store: a file:// URL without an absolute path is bad input" {
	run --separate-stderr as_owner devpay-describe-products -U file://relative.db
	assert_equal "$status" 2
	assert_equal "$output" ""
	[[ "$stderr" == *"needs an absolute path"* ]]
	[ ! -e relative.db ] && [ ! -e "$DEVPAY_STORE" ]
}

@test "store: an endpoint that is neither http(s) nor file is a usage error" {
	usage_refused as_owner devpay-describe-products -U ftp://example.com
	[[ "$stderr" == *"invalid endpoint 'ftp://example.com' (--url)"* ]] || fail "stderr: $stderr"
	[ ! -e "$DEVPAY_STORE" ]
}

# --- accounts ------------------------------------------------------------

@test "accounts: an unknown access key gets a 12-digit account on first use, the same one after" {
	local a1 a2 c1
	a1=$(as_owner devpay-register-product --name P --platform linux --instance-type m1.small=1 | field_of PRODUCT 4)
	[[ "$a1" =~ ^[1-9][0-9]{11}$ ]] || fail "account '$a1'"
	a2=$(as_owner devpay-register-product --name Q --platform linux --instance-type m1.small=1 | field_of PRODUCT 4)
	assert_equal "$a2" "$a1"
	c1=$(as_customer devpay-purchase-product "$(as_owner devpay-describe-products | code_of)" | field_of SUBSCRIPTION 3)
	[[ "$c1" =~ ^[1-9][0-9]{11}$ ]] || fail "account '$c1'"
	[ "$c1" != "$a1" ]
	# the options -O/-W name the same account as the environment
	run devpay-describe-products -O "$OWNER_KEY" -W "$OWNER_SECRET"
	assert_success
	assert_equal "$(field_of PRODUCT 4 <<<"$output")" "$a1"
	# and so do AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
	AWS_ACCESS_KEY_ID=$OWNER_KEY AWS_SECRET_ACCESS_KEY=$OWNER_SECRET run devpay-describe-products
	assert_success
	assert_equal "$(field_of PRODUCT 4 <<<"$output")" "$a1"
}

@test "accounts: a known key with another secret is refused (AuthFailure), the store unchanged" {
	enrol as_owner
	local before
	before=$(store_sum)
	refused 1 AuthFailure env AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=not-the-secret \
		devpay-register-product --name P --platform linux --instance-type m1.small=1
	[[ "$stderr" == "Client.AuthFailure: "* ]]
	[[ "$stderr" != *not-the-secret* && "$stderr" != *"$OWNER_SECRET"* ]]
	assert_equal "$(store_sum)" "$before"
	# the pinned secret still works
	run as_owner devpay-describe-products
	assert_success
}

@test "accounts: missing credentials are a usage error (exit 2)" {
	run --separate-stderr env -u AWS_ACCESS_KEY -u AWS_SECRET_KEY devpay-describe-products
	assert_equal "$status" 2
	assert_equal "$output" ""
	[[ "$stderr" == *"no access key"* ]]
	run --separate-stderr env AWS_ACCESS_KEY=$OWNER_KEY devpay-describe-products
	assert_equal "$status" 2
	[[ "$stderr" == *"no secret key"* ]]
	run --separate-stderr env AWS_SECRET_KEY=$OWNER_SECRET ec2-describe-images
	assert_equal "$status" 2
	[[ "$stderr" == *"no access key"* ]]
	[ ! -e "$DEVPAY_STORE" ]
}

@test "accounts: the secret never shows, not even with --debug" {
	local out
	out=$(devpay-register-product -O AKDEBUG00000000001 -W 'sEcReT-do-not-print' --debug -v \
		--name P --platform linux --instance-type m1.small=1 2>&1)
	[[ "$out" == *PRODUCT* ]]
	[[ "$out" != *sEcReT-do-not-print* ]] || fail "secret printed: $out"
	out=$(devpay-describe-products -O AKDEBUG00000000001 -W 'wrong-sEcReT' --debug 2>&1) || true
	[[ "$out" == *AuthFailure* ]]
	[[ "$out" != *sEcReT* ]] || fail "secret printed: $out"
}

# --- common options and environment -------------------------------------------

# The account a set of credentials names (devpay-bill's BILL record carries it).
account_of() { devpay-bill | field_of BILL 2; }

@test "credentials: -O/-W, then AWS_ACCESS_KEY/AWS_SECRET_KEY, then AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY" {
	local owner customer
	owner=$(as_owner account_of)
	customer=$(as_customer account_of)
	[ "$owner" != "$customer" ]
	# AWS_ACCESS_KEY comes before AWS_ACCESS_KEY_ID
	run env AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET \
		AWS_ACCESS_KEY_ID=$CUSTOMER_KEY AWS_SECRET_ACCESS_KEY=$CUSTOMER_SECRET devpay-bill
	assert_success
	assert_equal "$(field_of BILL 2 <<<"$output")" "$owner"
	# AWS_ACCESS_KEY_ID alone is used
	run env AWS_ACCESS_KEY_ID=$CUSTOMER_KEY AWS_SECRET_ACCESS_KEY=$CUSTOMER_SECRET devpay-bill
	assert_success
	assert_equal "$(field_of BILL 2 <<<"$output")" "$customer"
	# -O/-W come before the environment
	run env AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET \
		devpay-bill -O "$CUSTOMER_KEY" -W "$CUSTOMER_SECRET"
	assert_success
	assert_equal "$(field_of BILL 2 <<<"$output")" "$customer"
	# refused side: the first key found is the one checked, no fallback to the next
	local before
	before=$(store_sum)
	refused 1 AuthFailure env AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=wrong \
		AWS_ACCESS_KEY_ID=$OWNER_KEY AWS_SECRET_ACCESS_KEY=$OWNER_SECRET devpay-bill
	refused 1 AuthFailure env AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET \
		devpay-bill -O "$OWNER_KEY" -W wrong
	assert_equal "$(store_sum)" "$before"
}

@test "EC2_SIGNATURE_VERSION: 4 (the default) and 2 accepted, anything else a usage error" {
	enrol as_owner
	run env EC2_SIGNATURE_VERSION=4 AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET devpay-describe-products
	assert_success
	run env EC2_SIGNATURE_VERSION=2 AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET devpay-describe-products
	assert_success
	local v
	for v in 3 1 v4; do
		EC2_SIGNATURE_VERSION=$v bad_input "EC2_SIGNATURE_VERSION '$v'" as_owner \
			devpay-register-product --name P --platform linux --instance-type m1.small=1
	done
}

@test "--connection-timeout and --request-timeout: whole seconds accepted, anything else a usage error" {
	enrol as_owner
	run as_owner devpay-describe-products --connection-timeout 5 --request-timeout 30
	assert_success
	local o v
	for o in --connection-timeout --request-timeout; do
		for v in 0 -1 abc 1.5 ''; do
			bad_input "$o" as_owner devpay-register-product "$o" "$v" \
				--name P --platform linux --instance-type m1.small=1
		done
	done
	bad_input "--connection-timeout" as_owner devpay-describe-products --connection-timeout 3601
	bad_input "--request-timeout" as_owner devpay-describe-products --request-timeout 86401
}

# --- many writers at once --------------------------------------------------

@test "concurrency: 4 writers x 50 registrations on one store, all 200 there, codes distinct" {
	local w
	for w in 1 2 3 4; do
		(
			for i in $(seq 50); do
				as_owner devpay-register-product --name "w$w-$i" --platform linux \
					--instance-type m1.small=0.20 >/dev/null ||
					echo "writer $w registration $i failed" >>"$BATS_TEST_TMPDIR/failures"
			done
		) &
	done
	wait
	[ ! -s "$BATS_TEST_TMPDIR/failures" ] || fail "$(cat "$BATS_TEST_TMPDIR/failures")"
	run as_owner devpay-describe-products
	assert_success
	assert_equal "$(grep -c '^PRODUCT' <<<"$output")" 200
	assert_equal "$(grep '^PRODUCT' <<<"$output" | cut -f2 | sort -u | wc -l)" 200
	assert_equal "$(grep '^PRODUCT' <<<"$output" | cut -f3 | sort -u | wc -l)" 200
	assert_equal "$(grep -c '^PRICE' <<<"$output")" 200
	assert_equal "$(sqlite3 "$DEVPAY_STORE" 'select count(*) from accounts')" 1
}

@test "concurrency: 8 processes setting up one new store at once all succeed" {
	local round w
	for round in $(seq 10); do
		export DEVPAY_STORE="$BATS_TEST_TMPDIR/new-$round.db"
		for w in 1 2 3 4 5 6 7 8; do
			AWS_ACCESS_KEY="AKSETUP$((w % 3))" AWS_SECRET_KEY=s devpay-register-product \
				--name "p$w" --platform linux --instance-type m1.small=1 >/dev/null \
				2>>"$BATS_TEST_TMPDIR/errors" &
		done
		wait
		[ ! -s "$BATS_TEST_TMPDIR/errors" ] || fail "round $round: $(cat "$BATS_TEST_TMPDIR/errors")"
		assert_equal "$(sqlite3 "$DEVPAY_STORE" 'select count(*) from products')" 8
		assert_equal "$(sqlite3 "$DEVPAY_STORE" 'select count(*) from accounts')" 3
		assert_equal "$(sqlite3 "$DEVPAY_STORE" 'PRAGMA journal_mode')" wal
	done
}
