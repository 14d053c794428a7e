# SPDX-License-Identifier: Apache-2.0
# Shared set-up for the bats tests: real binaries from build/bin, a fresh
# store per test, and three parties with their own access keys.
# DEVPAY_TEST_MODE=devpayd runs the same tests through a devpayd on a free
# loopback port (see tests/devpayd.bash), once that server exists.
bats_load_library bats-support
bats_load_library bats-assert

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
BIN="$ROOT/build/bin"
PATH="$BIN:$PATH"
export PATH

# Every answer a command receives in a test is parsed strictly (libxml2, no
# recovery, no error or warning tolerated): a malformed one makes the command
# exit 70 and is noted in this file, which fails the test at teardown.
export DEVPAY_CHECK_XML="$BATS_TEST_TMPDIR/malformed-answers"
answers_checked() {
	if [ -s "$BATS_TEST_TMPDIR/malformed-answers" ]; then
		echo "malformed XML answers in this test:" >&2
		cat "$BATS_TEST_TMPDIR/malformed-answers" >&2
		return 1
	fi
}

OWNER_KEY=AKOWNER000000000001;    OWNER_SECRET=owner-secret
CUSTOMER_KEY=AKCUSTOMER000000001; CUSTOMER_SECRET=customer-secret
OTHER_KEY=AKOTHER0000000000001;   OTHER_SECRET=other-secret

as_owner()    { AWS_ACCESS_KEY=$OWNER_KEY AWS_SECRET_KEY=$OWNER_SECRET "$@"; }
as_customer() { AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET "$@"; }
as_other()    { AWS_ACCESS_KEY=$OTHER_KEY AWS_SECRET_KEY=$OTHER_SECRET "$@"; }
at()          { local t=$1; shift; DEVPAY_NOW=$t "$@"; }

if [ -f "$BATS_TEST_DIRNAME/devpayd.bash" ]; then
	# shellcheck source=devpayd.bash
	. "$BATS_TEST_DIRNAME/devpayd.bash"
else
	devpayd_stop() { :; }
fi

# Tests of the local store itself (its file, first-use accounts) skip when
# the workflow runs through devpayd.
local_only() {
	[ "${DEVPAY_TEST_MODE:-local}" != devpayd ] || skip "local store only (DEVPAY_TEST_MODE=devpayd)"
}
# The refusal a wrong secret meets: the local store compares secrets
# (AuthFailure); devpayd verifies the signature (SignatureDoesNotMatch).
if [ "${DEVPAY_TEST_MODE:-local}" = devpayd ]; then
	BAD_SECRET_CODE=SignatureDoesNotMatch
else
	BAD_SECRET_CODE=AuthFailure
fi

# A fresh store in the test's own temporary folder; no endpoint.
fresh_store() {
	unset EC2_URL AWS_ACCESS_KEY AWS_SECRET_KEY AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
		AWS_SESSION_TOKEN EC2_REGION AWS_DEFAULT_REGION DEVPAY_NOW EC2_SIGNATURE_VERSION \
		AWS_REGION AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE \
		AWS_ENDPOINT_URL AWS_ENDPOINT_URL_EC2 AWS_MAX_ATTEMPTS
	# the one-line notice of a new local account would be in every test's
	# stderr; tests/local-accounts.bats checks it with this unset
	export DEVPAY_NO_ACCOUNT_NOTICE=1
	export DEVPAY_STORE="$BATS_TEST_TMPDIR/store.db"
	# the workflow files' third run: devpayd on PostgreSQL, a schema of its
	# own a test (DEVPAY_TEST_PG is the cluster that make check started; a
	# schema costs a fifth of a database to make)
	if [ -n "${DEVPAY_TEST_PG:-}" ]; then
		local schema="t${BATS_SUITE_TEST_NUMBER:-0}_${BATS_TEST_NUMBER:-0}_$$_$RANDOM"
		psql -X -q "$DEVPAY_TEST_PG/postgres" -c "CREATE SCHEMA $schema" >/dev/null || return 1
		export DEVPAY_STORE="$DEVPAY_TEST_PG/postgres?options=-csearch_path%3D$schema"
	fi
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	if [ "${DEVPAY_TEST_MODE:-local}" = devpayd ] && declare -F devpayd_start >/dev/null; then
		devpayd_start
	fi
}

# Field N (1-based) of the first line starting with TYPE.
field_of() { # field_of TYPE N  < output
	awk -F'\t' -v t="$1" -v n="$2" '$1 == t { print $n; exit }'
}

# The ids a record carries.
code_of() { field_of PRODUCT 2; }
ami_of()  { grep -oE '\bami-[0-9a-f]{8,17}\b' | head -n 1; }
inst_of() { grep '^INSTANCE' | grep -oE '\bi-[0-9a-f]{8,17}\b' | head -n 1; }

# A checksum of the store's content, to prove a refused request left it as it was.
store_sum() {
	if [[ "$DEVPAY_STORE" == postgres*://* ]]; then
		# every table's name and rows, in a fixed order (sequences left
		# out: a rolled-back insert still advances one); one psql
		psql -X -q -At "$DEVPAY_STORE" <<-'SQL' | md5sum | cut -d' ' -f1
			SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables
			 WHERE schemaname = current_schema();
			SELECT format('SELECT %L, x::text FROM %I x ORDER BY 2', tablename, tablename)
			  FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename \gexec
		SQL
		return
	fi
	sqlite3 "$DEVPAY_STORE" .dump | md5sum | cut -d' ' -f1
}

# store_sql SQL: the rows of a query on the test's store, SQLite's or
# PostgreSQL's, fields joined by | (both tools' default).
store_sql() {
	if [[ "$DEVPAY_STORE" == postgres*://* ]]; then
		psql -X -q -At "$DEVPAY_STORE" -c "$1"
	else
		sqlite3 "$DEVPAY_STORE" "$1"
	fi
}

# sqlite_only: skips a test that works on the SQLite file itself (its own
# SQL, triggers, bytes PostgreSQL refuses) when the store is PostgreSQL.
sqlite_only() {
	[[ "${DEVPAY_STORE:-}" != postgres*://* ]] || skip "the SQLite store only (the test edits the file with SQLite's own SQL)"
}

# refused STATUS CODE CMD...: exits STATUS, nothing on stdout, and one
# "Client.CODE: ..." (or Service.) line on stderr.
refused() {
	local want=$1 code=$2; shift 2
	run --separate-stderr "$@"
	assert_equal "$status" "$want"
	assert_equal "$output" ""
	[[ "$stderr" =~ ^(Client|Service)\.$code:\ .+ ]] || fail "stderr was: $stderr"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail "more than one line on stderr: $stderr"
}

# usage_refused CMD...: exit 2, one message on stderr naming the problem.
usage_refused() {
	run --separate-stderr "$@"
	assert_equal "$status" 2
	assert_equal "$output" ""
	[ -n "$stderr" ] || fail "no message on stderr"
}

# bats-core defines a no-op setup() before it loads a test file: replace
# that one (but not a setup the file defined before loading us).
if ! declare -F setup >/dev/null ||
	[ "$(declare -f setup | tr -s ' \n' ' ')" = "setup () { return 0 } " ]; then
	setup() { fresh_store; }
fi
# The same for teardown: stop the devpayd a test may have started.
if ! declare -F teardown >/dev/null ||
	[ "$(declare -f teardown | tr -s ' \n' ' ')" = "teardown () { return 0 } " ]; then
	teardown() {
		devpayd_stop
		answers_checked
	}
fi

# signed REGION NAME=VALUE...: one request signed by botocore (not by the
# suite) and sent as given to the test's devpayd; answers like a client
# command. serve_signed first, outside `run`: it starts a devpayd on the
# test's store when the workflow runs locally.
serve_signed() {
	[ -n "${DEVPAYD_PORT:-}" ] && kill -0 "${DEVPAYD_PID:-0}" 2>/dev/null && return 0
	local k
	for k in "$OWNER_KEY $OWNER_SECRET" "$CUSTOMER_KEY $CUSTOMER_SECRET" "$OTHER_KEY $OTHER_SECRET"; do
		# a key the local store knows already keeps its account
		printf '%s\n' "${k#* }" | devpayd --store "$DEVPAY_STORE" --add-account "${k%% *}" \
			>/dev/null 2>&1 || true
	done
	devpayd_serve
}
signed() {
	local region=$1; shift
	python3 "$BATS_TEST_DIRNAME/signed_request.py" "http://127.0.0.1:$DEVPAYD_PORT/" "$region" "$@"
}
