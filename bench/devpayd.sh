#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# devpayd against the machine's HTTP ceiling, in one run:
# - the ceiling: libmicrohttpd answering a fixed body (bench/mhd-static.c);
# - signed DescribeInstances (the caller owns 10 instances) and signed
#   ConfirmProductInstance, wrk -t2 -c64 (wrk shares the machine's cores);
# - signed RunInstances from 8 concurrent connections: every 200 is counted
#   and the launches are counted in the store afterwards (nothing lost);
# - the same, with devpayd killed (-9) in the middle of the run: every
#   acknowledged launch must be in the store when it is opened again.
#   bench/devpayd.sh [SECONDS]   (from the project root, after make; needs wrk)
set -eu
# the accounts these scripts make are meant: no notice for each
export DEVPAY_NO_ACCOUNT_NOTICE=1
SECS=${1:-8}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
command -v wrk >/dev/null || { echo "wrk is missing: sh tools/deps bench" >&2; exit 1; }
WORK=$(mktemp -d /tmp/devpay-bench.XXXXXX)
pids=()
cleanup() {  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
. "$ROOT/bench/shop.bash"
cc -O2 -o "$WORK/mhd-static" "$ROOT/bench/mhd-static.c" -lmicrohttpd

start_devpayd() {
	port=$(freeport)
	"$BIN/devpayd" --listen "127.0.0.1:$port" --store "$DEVPAY_STORE" --log "$WORK/devpayd.log" &
	dpid=$!
	pids+=("$dpid")
	waitport "$port"
	URL=http://127.0.0.1:$port
}
start_devpayd
sport=$(freeport)
"$WORK/mhd-static" "$sport" &
pids+=($!)
waitport "$sport"

sign() { python3 "$ROOT/bench/wrk-signed.py" "$@"; }
sign "http://127.0.0.1:$sport" "$OK" "$OS" "Action=DescribeInstances&Version=2016-11-15" >"$WORK/static.lua"
sign "$URL" "$CK" "$CS" "Action=DescribeInstances&Version=2016-11-15" >"$WORK/describe.lua"
sign "$URL" "$OK" "$OS" "Action=ConfirmProductInstance&Version=2016-11-15&ProductCode=$code&InstanceId=$inst" >"$WORK/confirm.lua"
sign "$URL" "$CK" "$CS" "Action=RunInstances&Version=2016-11-15&ImageId=$ami&MinCount=1&MaxCount=1&InstanceType=m1.small" --count >"$WORK/run.lua"

# row LABEL URL SCRIPT CONNECTIONS: requests/s, p99 latency, errors
row() {
	local out
	out=$(wrk -t2 -c"$4" -d"${SECS}s" --latency -s "$3" "$2/")
	echo "$out" >>"$WORK/wrk.out"
	local rps p99 errs n2xx
	rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%d", $2 }')
	p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
	errs=$(echo "$out" | awk '/Non-2xx/ { n += $NF } /Socket errors/ { for (i = 4; i <= NF; i += 2) n += $i } END { print n + 0 }' | tr -d ',')
	printf '%-44s %9s %9s %7s\n' "$1" "$rps" "$p99" "$errs"
	LAST_OUT=$out LAST_RPS=$rps LAST_P99=$p99 LAST_ERRS=$errs
}
count() { sqlite3 -cmd '.timeout 30000' "$DEVPAY_STORE" 'SELECT count(*) FROM instances'; }

echo "# wrk -t2 -c64 -d${SECS}s unless noted; one run, $(nproc) cores shared with wrk"
printf '%-44s %9s %9s %7s\n' "server / request" "req/s" "p99" "errors"
row "ceiling: libmicrohttpd, fixed body" "http://127.0.0.1:$sport" "$WORK/static.lua" 64
ceiling=$LAST_RPS
summary() { printf 'summary\t%s\t%s\t%s\n' "$1" "$2" "$3" >>"${BENCH_SUMMARY:-/dev/null}"; }
row "devpayd DescribeInstances (10 instances)" "$URL" "$WORK/describe.lua" 64
summary "devpayd DescribeInstances, wrk -t2 -c64" "$LAST_RPS/s ($((100 * LAST_RPS / ceiling))% of $ceiling), p99 $LAST_P99, $LAST_ERRS errors" ">= 40% of the static reply, p99 < 10ms, 0 errors"
row "devpayd ConfirmProductInstance" "$URL" "$WORK/confirm.lua" 64
summary "devpayd ConfirmProductInstance, wrk -t2 -c64" "$LAST_RPS/s ($((100 * LAST_RPS / ceiling))% of $ceiling), p99 $LAST_P99, $LAST_ERRS errors" ">= 50% of the static reply, p99 < 10ms, 0 errors"
before=$(count)
row "devpayd RunInstances, 8 connections" "$URL" "$WORK/run.lua" 8
acked=$(echo "$LAST_OUT" | awk '/^acknowledged/ { print $2 }')
after=$(count)
echo "# RunInstances: $acked acknowledged, $((after - before)) launched in the store"
summary "devpayd RunInstances, 8 connections" "$LAST_RPS/s, $acked acknowledged, $((after - before)) launched" ">= 500/s, none lost"
[ "$((after - before))" -ge "$acked" ] || { echo "acknowledged launches lost: ${KEEP:+$(sleep 1; kill "$dpid"; sleep 1; count)}" >&2; [ -n "${KEEP:-}" ] && cp -r "$WORK" /tmp/perfw/keep; exit 1; }

# kill -9 in the middle of a write run: no acknowledged launch is lost
before=$(count)
wrk -t2 -c8 -d4s -s "$WORK/run.lua" "$URL/" >"$WORK/kill.out" 2>&1 &
wpid=$!
sleep 2
kill -9 "$dpid"
wait "$wpid" || true
acked=$(awk '/^acknowledged/ { print $2 }' "$WORK/kill.out")
after=$(count)
echo "# kill -9 mid-run: $acked acknowledged, $((after - before)) in the store after the kill"
summary "devpayd kill -9 during RunInstances" "$acked acknowledged, $((after - before)) in the store" "none lost"
[ "$((after - before))" -ge "$acked" ] || { echo "acknowledged launches lost" >&2; exit 1; }
[ "$(sqlite3 "$DEVPAY_STORE" 'PRAGMA integrity_check')" = ok ] || { echo "the store is damaged" >&2; exit 1; }
