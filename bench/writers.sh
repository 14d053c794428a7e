#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Many writers: W processes x N mixed operations (tests/writer.sh: launch 1-3
# instances, terminate, purchase and cancel, register and associate), on one
# local store, then the same through one devpayd. Afterwards every
# acknowledged change is counted in the store (tests/writers_check.py).
#
# usage: bench/writers.sh [WRITERS [OPERATIONS]]   (default 8 x 1000)
set -u
# the accounts these scripts make are meant: no notice for each
export DEVPAY_NO_ACCOUNT_NOTICE=1
cd "$(dirname "$0")/.."
w=${1:-8} n=${2:-1000}
PATH=$PWD/build/bin:$PATH
work=$(mktemp -d /tmp/devpay-writers.XXXXXX)
dpid=
trap '[ -z "$dpid" ] || kill "$dpid" 2>/dev/null; rm -rf "$work"' EXIT
status=0

run() { # run MODE: the writers, then the count
	local mode=$1 out="$work/$1" i pids=() t0 t1 code
	mkdir -p "$out"
	export DEVPAY_STORE="$work/$mode.db"
	unset EC2_URL
	if [ "$mode" = devpayd ]; then
		for k in "AKOWNER000000000001 owner-secret" $(for ((i = 1; i <= w; i++)); do printf 'AKWRITER%012d:writer-secret-%d ' "$i" "$i"; done); do
			k=${k/:/ }
			echo "${k#* }" | devpayd --add-account "${k%% *}" >/dev/null
		done
		port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
		devpayd --listen "127.0.0.1:$port" --log "$work/access.log" &
		dpid=$!
		for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
		export EC2_URL="http://127.0.0.1:$port/"
	fi
	code=$(AWS_ACCESS_KEY=AKOWNER000000000001 AWS_SECRET_KEY=owner-secret devpay-register-product \
		--name bench --platform linux --instance-type m1.small=0.10 | awk -F'\t' '$1 == "PRODUCT" {print $2}')
	t0=$(date +%s.%N)
	for ((i = 1; i <= w; i++)); do
		tests/writer.sh "$i" "$n" "$code" "$out" &
		pids+=($!)
	done
	wait "${pids[@]}"
	t1=$(date +%s.%N)
	local failed
	failed=$(cat "$out"/*.errors | grep -c '^FAILED' || true)
	echo "$mode: $w writers x $n operations in $(echo "$t1 - $t0" | bc) s; refused or failed: $failed"
	cat "$out"/*.errors | grep -v '^FAILED' | sort | uniq -c | sort -rn | head -5
	python3 tests/writers_check.py "$DEVPAY_STORE" "$out" || status=1
	[ "$failed" -eq 0 ] || status=1
	if [ "$mode" = devpayd ]; then
		echo "devpayd: $(wc -l <"$work/access.log") log lines, $(awk '$5 >= 500' "$work/access.log" | wc -l) answered 5xx"
		kill "$dpid"; wait "$dpid" 2>/dev/null; dpid=
	fi
}
run local
run devpayd
exit $status
