#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Local accounts: a new key is announced, the store keeps only a salted hash
# of a local account's secret, and older stores are upgraded.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	local_only
	fresh_store
	unset DEVPAY_NO_ACCOUNT_NOTICE
}

account_of() { sqlite3 "$DEVPAY_STORE" "SELECT id FROM accounts WHERE access_key = '$1'"; }

@test "accounts: a new key creates an account with a one-line notice on stderr naming it; a known key none" {
	run --separate-stderr env AWS_ACCESS_KEY=AKTYPO0000000000001 AWS_SECRET_KEY=typo ec2-describe-images
	assert_success
	assert_output ""
	local id
	id=$(account_of AKTYPO0000000000001)
	[[ "$id" =~ ^[0-9]{12}$ ]]
	assert_equal "$stderr" "devpay: new local account $id for access key AKTYPO0000000000001 in $DEVPAY_STORE (DEVPAY_NO_ACCOUNT_NOTICE=1 silences this)"
	[[ "$stderr" != *typo\ * && "$stderr" != *"=typo"* ]]
	run --separate-stderr env AWS_ACCESS_KEY=AKTYPO0000000000001 AWS_SECRET_KEY=typo ec2-describe-images
	assert_success
	assert_equal "$stderr" ""
}

@test "accounts: DEVPAY_NO_ACCOUNT_NOTICE=1 silences the notice; any other value does not" {
	run --separate-stderr env DEVPAY_NO_ACCOUNT_NOTICE=1 AWS_ACCESS_KEY=AKQUIET000000000001 AWS_SECRET_KEY=q ec2-describe-images
	assert_success
	assert_equal "$stderr" ""
	[ -n "$(account_of AKQUIET000000000001)" ]
	run --separate-stderr env DEVPAY_NO_ACCOUNT_NOTICE=0 AWS_ACCESS_KEY=AKLOUD0000000000001 AWS_SECRET_KEY=l ec2-describe-images
	[[ "$stderr" == "devpay: new local account "* ]]
}

@test "accounts: the store keeps a salted SHA-256 hash of a local secret, never the secret" {
	as_customer ec2-register x >/dev/null 2>&1
	AWS_ACCESS_KEY=AKSAME0000000000001 AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images 2>/dev/null
	! sqlite3 "$DEVPAY_STORE" .dump | grep -q "$CUSTOMER_SECRET" || fail "the secret is in the store"
	# nor in the WAL or any other file of the store
	! grep -rqa "$CUSTOMER_SECRET" "$(dirname "$DEVPAY_STORE")" || fail "the secret is in a store file"
	run sqlite3 "$DEVPAY_STORE" "SELECT secret, secret_hash FROM accounts ORDER BY access_key"
	assert_line --index 0 --regexp '^\|sha256\$[0-9a-f]{32}\$[0-9a-f]{64}$'
	assert_line --index 1 --regexp '^\|sha256\$'
	# the same secret, another salt: another hash
	[ "$(sqlite3 "$DEVPAY_STORE" 'SELECT count(DISTINCT secret_hash) FROM accounts')" -eq 2 ]
	# the hash is what the secret is checked against
	run as_customer ec2-describe-images
	assert_success
	refused 1 AuthFailure env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY="${CUSTOMER_SECRET}x" ec2-describe-images
	refused 1 AuthFailure env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY="${CUSTOMER_SECRET%?}" ec2-describe-images
}

@test "accounts: a local secret is sealed with the key file beside the store (0600, 32 bytes), kept apart from it" {
	as_customer ec2-describe-images >/dev/null
	[ -f "$DEVPAY_STORE.key" ]
	assert_equal "$(stat -c '%a %s' "$DEVPAY_STORE.key")" "600 32"
	run sqlite3 "$DEVPAY_STORE" "SELECT secret_sealed FROM accounts"
	[[ "$output" =~ ^aes256gcm\$[0-9a-f]{24}\$[0-9a-f]+\$[0-9a-f]{32}$ ]] || fail "sealed: $output"
	! grep -qa "$CUSTOMER_SECRET" "$DEVPAY_STORE.key" || fail "the secret is in the key file"
	# the key stays the same for the next account
	local key
	key=$(od -An -tx1 "$DEVPAY_STORE.key")
	as_owner ec2-describe-images >/dev/null
	assert_equal "$(od -An -tx1 "$DEVPAY_STORE.key")" "$key"
}

@test "accounts: a key file that is not a valid key is never used, nor overwritten: a new account is refused (exit 3), nothing written" {
	# an account made while the key file was good
	as_customer ec2-describe-images >/dev/null
	local before bad
	before=$(store_sum)
	for bad in short "$(head -c 31 /dev/zero | tr '\0' k)" "$(head -c 33 /dev/zero | tr '\0' k)" ''; do
		printf '%s' "$bad" >"$DEVPAY_STORE.key"
		chmod 600 "$DEVPAY_STORE.key"
		run --separate-stderr env AWS_ACCESS_KEY=AKNEWCOMER000000001 AWS_SECRET_KEY=newcomer-secret ec2-describe-images
		assert_failure 3
		assert_equal "${#stderr_lines[@]}" 1
		[[ "$stderr" == "ec2-describe-images: the key file '$DEVPAY_STORE.key' is not a valid key"* ]] || fail "stderr: $stderr"
		[[ "$stderr" != *newcomer-secret* ]]
		assert_equal "$(store_sum)" "$before"
		assert_equal "$(sqlite3 "$DEVPAY_STORE" "SELECT count(*) FROM accounts WHERE access_key = 'AKNEWCOMER000000001'")" 0
		assert_equal "$(cat "$DEVPAY_STORE.key")" "$bad"
	done
	# 32 bytes others may read is not ours either
	head -c 32 /dev/urandom >"$DEVPAY_STORE.key"
	chmod 644 "$DEVPAY_STORE.key"
	run --separate-stderr env AWS_ACCESS_KEY=AKNEWCOMER000000001 AWS_SECRET_KEY=newcomer-secret ec2-describe-images
	assert_failure 3
	assert_equal "$(store_sum)" "$before"
	# an account that is there needs no sealing: it works all the same
	run as_customer ec2-describe-images
	assert_success
	# a valid key file again: the account is made, its secret sealed
	rm "$DEVPAY_STORE.key"
	run env AWS_ACCESS_KEY=AKNEWCOMER000000001 AWS_SECRET_KEY=newcomer-secret ec2-describe-images
	assert_success
	[[ "$(sqlite3 "$DEVPAY_STORE" "SELECT secret_sealed FROM accounts WHERE access_key = 'AKNEWCOMER000000001'")" == aes256gcm\$* ]]
}

@test "accounts: devpayd --add-account keeps the secret devpayd needs, and its hash" {
	printf '%s\n' "$OWNER_SECRET" | devpayd --store "$DEVPAY_STORE" --add-account "$OWNER_KEY" >/dev/null
	run sqlite3 "$DEVPAY_STORE" "SELECT secret, substr(secret_hash, 1, 7) FROM accounts"
	assert_output "$OWNER_SECRET|sha256\$"
	# local mode checks an operator's account too
	run as_owner ec2-describe-images
	assert_success
	refused 1 AuthFailure env AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=wrong ec2-describe-images
}

# old_store: a store of schema version 1 (secrets in the clear), made by
# taking the current schema back: the customer's account and an image.
old_store() {
	as_customer ec2-register before-upgrade >/dev/null 2>&1
	AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET ec2-describe-images >/dev/null 2>&1
	sqlite3 "$DEVPAY_STORE" "UPDATE accounts SET secret = CASE access_key WHEN '$CUSTOMER_KEY' THEN '$CUSTOMER_SECRET' ELSE '$OWNER_SECRET' END;
		ALTER TABLE accounts DROP COLUMN secret_hash; DROP TABLE launch_permissions;
		ALTER TABLE images DROP COLUMN deregistered; DROP TABLE version_platform_prices;
		ALTER TABLE accounts DROP COLUMN secret_sealed;
		ALTER TABLE reservations DROP COLUMN user_data; DROP TABLE key_pairs;
		ALTER TABLE reservations DROP COLUMN key_name; DROP TABLE reservation_groups;
		DROP TABLE group_rules; DROP TABLE security_groups; DROP TABLE tags;
		ALTER TABLE images DROP COLUMN region; DROP TABLE old_keys; DROP TABLE instance_usage;
		PRAGMA user_version = 1;"
	[ "$(sqlite3 "$DEVPAY_STORE" 'PRAGMA user_version')" = 1 ]
}

@test "accounts: an older store upgraded by a client command keeps only hashes; its accounts keep working" {
	old_store
	run --separate-stderr as_customer ec2-describe-images
	assert_success
	assert_equal "$stderr" ""
	assert_output --partial "/before-upgrade"
	! sqlite3 "$DEVPAY_STORE" .dump | grep -q "$CUSTOMER_SECRET\|$OWNER_SECRET" || fail "a secret is still in the store"
	refused 1 AuthFailure env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=wrong ec2-describe-images
	run as_owner ec2-describe-images
	assert_success
}

@test "accounts: an older store upgraded by devpayd keeps the secrets its accounts sign with" {
	old_store
	devpayd_serve
	run --separate-stderr env EC2_URL="http://127.0.0.1:$DEVPAYD_PORT" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-images
	assert_success
	assert_output --partial "/before-upgrade"
	run sqlite3 "$DEVPAY_STORE" "SELECT secret != '', secret_hash LIKE 'sha256\$%' FROM accounts"
	assert_output "1|1
1|1"
	devpayd_stop
	# and local mode checks them against the hash
	run as_customer ec2-describe-images
	assert_success
	refused 1 AuthFailure env AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=wrong ec2-describe-images
}
