#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# devpayd --copy-store between SQLite stores: what it copies, the sealed
# secrets it carries over, and what it refuses. SQLite to PostgreSQL and
# back is in tests/postgresql.bats.
bats_require_minimum_version 1.5.0
load helpers
load checks
load copy

setup() {
	fresh_store
	[ "${DEVPAY_TEST_MODE:-local}" = local ] || skip "devpayd --copy-store itself"
	FROM=$DEVPAY_STORE
	TO="$BATS_TEST_TMPDIR/copy.db"
}

teardown() {
	devpayd_stop
}

# rows TABLE STORE: every row of TABLE, in the order written.
rows() {
	sqlite3 "$2" "SELECT * FROM $1 ORDER BY $(sqlite3 "$2" "SELECT CASE wr WHEN 1 THEN '1' ELSE 'rowid' END FROM pragma_table_list WHERE name = '$1'")"
}

@test "copy-store: every row of every table, in order; each table and its count on stdout" {
	shop
	run --separate-stderr devpayd --copy-store "$FROM" "$TO"
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 "$(printf 'accounts\t2')"
	assert_line "$(printf 'instances\t4')"
	assert_line "$(printf 'reservations\t2')"
	assert_line "$(printf 'product_versions\t2')"
	assert_line "$(printf 'launch_permissions\t1')"
	assert_line "$(printf 'reserved_instances\t1')"
	assert_equal "${#lines[@]}" "$(sqlite3 "$FROM" "SELECT count(*) FROM sqlite_master WHERE type = 'table'")"
	local t
	for t in $(printf '%s\n' "${lines[@]}" | cut -f1); do
		[ "$t" = accounts ] && continue
		assert_equal "$(rows "$t" "$TO")" "$(rows "$t" "$FROM")"
	done
	# the secrets: the same hashes; sealed again with a key file of the copy's own
	assert_equal "$(sqlite3 "$TO" "SELECT id, access_key, secret, secret_hash, created FROM accounts ORDER BY rowid")" \
		"$(sqlite3 "$FROM" "SELECT id, access_key, secret, secret_hash, created FROM accounts ORDER BY rowid")"
	assert_equal "$(stat -c '%a %s' "$TO.key")" "600 32"
	! cmp -s "$TO.key" "$FROM.key"
	assert_equal "$(stat -c %a "$TO")" 600
}

@test "copy-store: the copy serves what the original served, locally and through devpayd" {
	shop
	local before
	before=$(views)
	devpayd --copy-store "$FROM" "$TO" >/dev/null
	DEVPAY_STORE=$TO
	assert_equal "$(views)" "$before"
	# devpayd opens the local accounts' sealed secrets with the copy's key file
	devpayd_serve --trust-client-clock
	# (the purchase URL through devpayd is its own page, /purchase/CODE)
	assert_equal "$(EC2_URL=http://127.0.0.1:$DEVPAYD_PORT/ views)" \
		"${before//https:\/\/aws-portal.amazon.com\/gp\/aws\/user\/subscription\/index.html?offeringCode=$CODE/http:\/\/127.0.0.1:$DEVPAYD_PORT\/purchase\/$CODE}"
	# new rows take keys after the copied ones
	run as_customer devpay-cancel-subscription "$CODE"
	assert_success
	run as_owner devpay-register-product --name Next --platform linux --instance-type m1.small=0.10
	assert_success
	assert_equal "$(sqlite3 "$TO" "SELECT count(DISTINCT id) FROM product_versions")" 3
}

@test "copy-store: a sealed secret without its key file is copied as it is, and said so" {
	shop
	mv "$FROM.key" "$BATS_TEST_TMPDIR/away.key"
	run --separate-stderr devpayd --copy-store "$FROM" "$TO"
	assert_success
	[[ "$stderr" == *"2 account(s) have secrets sealed with a key file that is not beside '$FROM'"* ]] ||
		fail "stderr: $stderr"
	assert_equal "$(sqlite3 "$TO" "SELECT secret_sealed FROM accounts ORDER BY rowid")" \
		"$(sqlite3 "$FROM" "SELECT secret_sealed FROM accounts ORDER BY rowid")"
	[ ! -e "$TO.key" ]
	# local mode still knows them (the hashes came along)
	DEVPAY_STORE=$TO run as_customer ec2-describe-images -x all
	assert_success
	assert_output --partial "$AMI"
}

@test "copy-store: a store with rows is refused (exit 1) and left as it was" {
	shop
	DEVPAY_STORE=$TO enrol as_other
	local before
	before=$(DEVPAY_STORE=$TO store_sum)
	run --separate-stderr devpayd --copy-store "$FROM" "$TO"
	assert_failure 1
	assert_equal "$output" ""
	assert_equal "$stderr" "devpayd: '$TO' is not empty (its table accounts has rows): a store is copied only into an empty one; nothing was copied"
	assert_equal "$(DEVPAY_STORE=$TO store_sum)" "$before"
	# an empty store of ours is a target like a new file
	sqlite3 "$TO" "DELETE FROM accounts"
	run devpayd --copy-store "$FROM" "$TO"
	assert_success
}

@test "copy-store: a file that is not a store, or a key file not ours, is never written; a missing source creates nothing" {
	shop
	printf 'my notes\n' >"$TO"
	run --separate-stderr devpayd --copy-store "$FROM" "$TO"
	assert_failure 3
	[[ "$stderr" == *"not a devpay store"* ]] || fail "stderr: $stderr"
	assert_equal "$(cat "$TO")" "my notes"
	[ ! -e "$TO.key" ]
	rm "$TO"
	# nor a key file beside the target that is not ours
	printf 'my key\n' >"$TO.key"
	run --separate-stderr devpayd --copy-store "$FROM" "$TO"
	assert_failure 3
	[[ "$stderr" == *"'$TO.key' is not a key file of ours"* ]] || fail "stderr: $stderr"
	assert_equal "$(cat "$TO.key")" "my key"
	[ ! -e "$TO" ]
	rm "$TO.key"
	run --separate-stderr devpayd --copy-store "$BATS_TEST_TMPDIR/none.db" "$TO"
	assert_failure 3
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/none.db"* ]] || fail "stderr: $stderr"
	[ ! -e "$TO" ] && [ ! -e "$BATS_TEST_TMPDIR/none.db" ]
}

@test "copy-store: usage errors (exit 2): no target, one too many, with --store, the same store" {
	shop
	usage_refused devpayd --copy-store "$FROM"
	[[ "$stderr" == *"TO"*"missing"* ]] || fail "stderr: $stderr"
	usage_refused devpayd --copy-store "$FROM" "$TO" extra
	[[ "$stderr" == *"'extra'"* ]] || fail "stderr: $stderr"
	usage_refused devpayd --store "$FROM" --copy-store "$FROM" "$TO"
	[[ "$stderr" == *"--store"* ]] || fail "stderr: $stderr"
	usage_refused devpayd --copy-store "$FROM" ""
	ln -s "$FROM" "$BATS_TEST_TMPDIR/alias.db"
	usage_refused devpayd --copy-store "$FROM" "$BATS_TEST_TMPDIR/alias.db"
	[[ "$stderr" == *"the same store"* ]] || fail "stderr: $stderr"
	usage_refused devpayd --copy-store "$FROM" "postgresql://u:hunter2@127.0.0.1:1/db"
	[[ "$stderr" != *hunter2* ]] || fail "the password was shown"
	[ ! -e "$TO" ]
}
