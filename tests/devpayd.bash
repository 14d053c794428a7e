# SPDX-License-Identifier: Apache-2.0
# Runs the workflow tests through a devpayd (DEVPAY_TEST_MODE=devpayd):
# fresh_store calls devpayd_start, which adds the three test accounts to the
# test's store, serves that store on a free loopback port and points EC2_URL
# at it. The server is stopped by devpayd_stop (teardown), or by a watchdog
# when the test's process ends, whichever comes first.

# A free loopback port, as the kernel hands one out.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (5 s at most).
wait_port() {
	local i
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# devpayd_serve [ARGS...]: starts devpayd on the test's store at a free port
# with the extra ARGS; sets DEVPAYD_PID, DEVPAYD_PORT and DEVPAYD_LOG.
devpayd_serve() {
	local tries owner=$BASHPID
	DEVPAYD_LOG="$BATS_TEST_TMPDIR/devpayd.log"
	for tries in 1 2 3; do
		DEVPAYD_PORT=$(free_port)
		devpayd --listen "127.0.0.1:$DEVPAYD_PORT" --store "$DEVPAY_STORE" --log "$DEVPAYD_LOG" \
			"$@" </dev/null >/dev/null 2>>"$DEVPAYD_LOG" 3>&- &
		DEVPAYD_PID=$!
		if wait_port "$DEVPAYD_PORT" && kill -0 "$DEVPAYD_PID" 2>/dev/null; then
			# the watchdog: no server outlives its test
			(while kill -0 "$owner" && kill -0 "$DEVPAYD_PID"; do sleep 0.5; done
			 kill -TERM "$DEVPAYD_PID") >/dev/null 2>&1 </dev/null 3>&- &
			return 0
		fi
		kill "$DEVPAYD_PID" 2>/dev/null
	done
	echo "devpayd did not start:" >&2
	cat "$DEVPAYD_LOG" >&2
	return 1
}

# The local store creates an account on the first use of a key; devpayd never
# does. So that a workflow test may use any key in both modes, the client
# commands run through shims that first add the caller's account, as an
# operator would (a key that has one already is left as it is).
devpayd_shims() {
	local dir="$BATS_RUN_TMPDIR/devpayd-shims" tmp cmd
	if [ ! -d "$dir" ]; then
		tmp=$(mktemp -d "$dir.XXXXXX")
		for cmd in "$BIN"/*; do
			[ "${cmd##*/}" = devpayd ] || ln -s "$BATS_TEST_DIRNAME/devpayd-shim" "$tmp/${cmd##*/}"
		done
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	fi
	echo "$dir"
}

devpayd_start() {
	serve_accounts --trust-client-clock || return 1
	export EC2_URL="$URL" DEVPAYD_URL="$URL" DEVPAYD_BIN="$BIN"
	# a product registered through devpayd names devpayd's own purchase page
	PURCHASE_URL="$URL/purchase/"
	PATH="$(devpayd_shims):$PATH"
	export PATH
}

# Stops the server (SIGTERM: requests in flight finish) and waits for it.
devpayd_stop() {
	[ -n "${DEVPAYD_PID:-}" ] || return 0
	kill -TERM "$DEVPAYD_PID" 2>/dev/null
	wait "$DEVPAYD_PID" 2>/dev/null
	DEVPAYD_PID=
}

# need PROGRAM...: skips a test whose third-party tool is missing, but fails
# it when CI=true, where every tool must be present.
need() {
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 && continue
		[ "${CI:-}" != true ] || fail "$p is not installed (required when CI=true)"
		skip "$p is not installed"
	done
}

# signed_status URL KEY SECRET [BODY]: the HTTP status of a request signed
# by curl (BODY: DescribeImages of the caller's own by default).
signed_status() {
	curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 aws:amz:us-east-1:ec2 --user "$2:$3" \
		-d "${4:-Action=DescribeImages&Version=2016-11-15&Owner.1=self}" "$1"
}

# key_changes URL: the customer's key, removed by another process while
# URL's one worker kept it, added again with another secret, then rotated:
# each change counts from the next request.
key_changes() {
	local u=$1
	assert_equal "$(signed_status "$u" "$CUSTOMER_KEY" "$CUSTOMER_SECRET")" 401
	# added again with another secret: the old one no longer signs
	run -0 devpayd --store "$DEVPAY_STORE" --add-account "$CUSTOMER_KEY" <<<"another-secret"
	assert_equal "$(signed_status "$u" "$CUSTOMER_KEY" another-secret)" 200
	assert_equal "$(signed_status "$u" "$CUSTOMER_KEY" another-secret)" 200
	assert_equal "$(signed_status "$u" "$CUSTOMER_KEY" "$CUSTOMER_SECRET")" 403
	# rotated with the old key stopping at once
	run -0 devpayd --store "$DEVPAY_STORE" --rotate-key "$CUSTOMER_KEY" --new-key AKROTATED0000000001 \
		--old-key-expires 0 <<<"rotated-secret"
	assert_equal "$(signed_status "$u" "$CUSTOMER_KEY" another-secret)" 401
	assert_equal "$(signed_status "$u" AKROTATED0000000001 rotated-secret)" 200
	# the others as before
	assert_equal "$(signed_status "$u" "$OWNER_KEY" "$OWNER_SECRET")" 200
}

# serve_accounts [ARGS...]: the three test accounts added, devpayd started on
# the test's store (ARGS passed on); sets URL.
serve_accounts() {
	local k
	for k in "$OWNER_KEY $OWNER_SECRET" "$CUSTOMER_KEY $CUSTOMER_SECRET" "$OTHER_KEY $OTHER_SECRET"; do
		printf '%s\n' "${k#* }" | devpayd --store "$DEVPAY_STORE" --add-account "${k%% *}" >/dev/null ||
			return 1
	done
	devpayd_serve "$@" || return 1
	URL="http://127.0.0.1:$DEVPAYD_PORT"
	# the shims need not add these again (a process and, on PostgreSQL, a
	# connection saved on every command)
	export DEVPAYD_ADDED=" $OWNER_KEY $CUSTOMER_KEY $OTHER_KEY "
}
