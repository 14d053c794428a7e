#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# devpayd on PostgreSQL beside devpayd on SQLite, under the loads of
# bench/devpayd.sh: signed DescribeInstances (the caller owns 10 instances),
# signed ConfirmProductInstance, and signed RunInstances from 8 connections
# (another account's launches; every 200 counted, every launch counted in
# the database afterwards).
# The same store is served three ways: one devpayd on the SQLite file, one
# devpayd on a PostgreSQL database it was copied into (devpayd
# --copy-store), and two devpayd replicas on that database, the load split
# evenly between them (two wrk at once). PostgreSQL runs with its defaults
# (fsync and synchronous_commit on), then the write load once more with
# synchronous_commit off, SQLite's own trade (a crash of the machine may
# lose the last acknowledged writes, never damage the store).
#   bench/postgresql.sh [SECONDS]   (from the project root, after make; needs
#   wrk and Debian's postgresql: sh tools/deps bench)
set -eu
export DEVPAY_NO_ACCOUNT_NOTICE=1
SECS=${1:-8}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
command -v wrk >/dev/null || { echo "wrk is missing: sh tools/deps bench" >&2; exit 1; }
WORK=$(mktemp -d /tmp/devpay-bench-pg.XXXXXX)
chmod 755 "$WORK"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	"$ROOT/tests/pg-cluster" stop "$WORK/cluster" 2>/dev/null || true
	[ -n "${KEEP:-}" ] && cp -r "$WORK" /tmp/pgbench-keep 2>/dev/null; rm -rf "$WORK"
}
trap cleanup EXIT
. "$ROOT/bench/shop.bash"
# the launches are a third account's, on an AMI of its own carrying the
# product: the customer's DescribeInstances stays 10 instances throughout
LK=AKLAUNCHER0000000001 LS=launcher-secret
as_launcher() { AWS_ACCESS_KEY=$LK AWS_SECRET_KEY=$LS "$@"; }
as_launcher "$BIN/devpay-purchase-product" "$code" >/dev/null
lami=$(as_launcher "$BIN/ec2-register" launches | cut -f2)
as_launcher "$BIN/ec2-associate-product-code" "$lami" -p "$code" >/dev/null

# the cluster: PostgreSQL's defaults (tests/pg-cluster turns fsync off)
base=$(PG_CLUSTER_OPTS= "$ROOT/tests/pg-cluster" start "$WORK/cluster")
psql -X -q "$base/postgres" -c "CREATE DATABASE bench"
PG=$base/bench
# the local store, as it is, into the database: the launch path of issue 14
"$BIN/devpayd" --copy-store "$DEVPAY_STORE" "$PG" >/dev/null

# serve STORE: one more devpayd on STORE; its URL appended to URLS
URLS=()
serve() {
	local port
	port=$(freeport)
	"$BIN/devpayd" --listen "127.0.0.1:$port" --store "$1" --log "$WORK/devpayd.log" &
	pids+=($!)
	waitport "$port"
	URLS+=("http://127.0.0.1:$port")
}
stop_all() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	pids=()
	URLS=()
}
sign() { python3 "$ROOT/bench/wrk-signed.py" "$@"; }
# scripts for every server now up: WORK/{describe,confirm,run}.N.lua
scripts() {
	local i=0 u
	for u in "${URLS[@]}"; do
		sign "$u" "$CK" "$CS" "Action=DescribeInstances&Version=2016-11-15" >"$WORK/describe.$i.lua"
		sign "$u" "$OK" "$OS" "Action=ConfirmProductInstance&Version=2016-11-15&ProductCode=$code&InstanceId=$inst" >"$WORK/confirm.$i.lua"
		sign "$u" "$LK" "$LS" "Action=RunInstances&Version=2016-11-15&ImageId=$lami&MinCount=1&MaxCount=1&InstanceType=m1.small" --count >"$WORK/run.$i.lua"
		i=$((i + 1))
	done
}
# row LABEL LOAD CONNECTIONS: the load over every server up, the
# connections split evenly: requests/s (summed), the worst p99, errors,
# and for a write load the 200s counted
row() {
	local n=${#URLS[@]} i out rps=0 p99 worst=0 errs=0 acked=0 w=()
	for i in $(seq 0 $((n - 1))); do
		wrk -t$((2 / n > 0 ? 2 / n : 1)) -c$(($3 / n)) -d"${SECS}s" --latency -s "$WORK/$2.$i.lua" \
			"${URLS[$i]}/" >"$WORK/wrk.$i.out" 2>&1 &
		w+=($!)
	done
	wait "${w[@]}" || true
	for i in $(seq 0 $((n - 1))); do
		out=$(cat "$WORK/wrk.$i.out")
		rps=$((rps + $(echo "$out" | awk '/Requests\/sec/ { printf "%d", $2 }')))
		p99=$(echo "$out" | awk '$1 == "99%" { v = $2; if (v ~ /us$/) v /= 1000; else if (v ~ /ms$/) v += 0; else v *= 1000; printf "%.2f", v }')
		worst=$(awk -v a="$worst" -v b="$p99" 'BEGIN { print (b > a ? b : a) }')
		errs=$((errs + $(echo "$out" | awk '/Non-2xx/ { n += $NF } /Socket errors/ { for (i = 4; i <= NF; i += 2) n += $i } END { print n + 0 }' | tr -d ',')))
		acked=$((acked + $(echo "$out" | awk '/^acknowledged/ { print $2; f = 1 } END { if (!f) print 0 }')))
	done
	printf '%-52s %9s %9s %7s\n' "$1" "$rps" "${worst}ms" "$errs"
	LAST_RPS=$rps LAST_P99=${worst}ms LAST_ERRS=$errs LAST_ACKED=$acked
}
summary() { printf 'summary\t%s\t%s\t%s\n' "$1" "$2" "$3" >>"${BENCH_SUMMARY:-/dev/null}"; }
count_lite() { sqlite3 -cmd '.timeout 30000' "$DEVPAY_STORE" 'SELECT count(*) FROM instances'; }
count_pg() { psql -X -At "$PG" -c 'SELECT count(*) FROM instances'; }
# writes LABEL COUNTER: the launch load, and the launches counted afterwards
writes() {
	local before after
	before=$($2)
	row "$1" run 8
	after=$($2)
	echo "#   $LAST_ACKED acknowledged, $((after - before)) launched in the store"
	[ "$((after - before))" -ge "$LAST_ACKED" ] || { echo "acknowledged launches lost" >&2; exit 1; }
}

echo "# wrk -d${SECS}s, 64 connections (reads) or 8 (launches) split over the servers;"
echo "# one run, $(nproc) cores shared by wrk, devpayd and PostgreSQL $(psql -X -At "$PG" -c 'SHOW server_version')"
printf '%-52s %9s %9s %7s\n' "backend / request" "req/s" "p99" "errors"
for setup in sqlite pg1 pg2; do
	case $setup in
	sqlite) serve "$DEVPAY_STORE"; label="SQLite, 1 devpayd"; counter=count_lite ;;
	pg1) serve "$PG"; label="PostgreSQL, 1 devpayd"; counter=count_pg ;;
	pg2) serve "$PG"; serve "$PG"; label="PostgreSQL, 2 replicas"; counter=count_pg ;;
	esac
	scripts
	row "$label: DescribeInstances" describe 64
	summary "$label: DescribeInstances" "$LAST_RPS/s, p99 $LAST_P99, $LAST_ERRS errors" "0 errors"
	row "$label: ConfirmProductInstance" confirm 64
	summary "$label: ConfirmProductInstance" "$LAST_RPS/s, p99 $LAST_P99, $LAST_ERRS errors" "0 errors"
	writes "$label: RunInstances" $counter
	if [ "$setup" = sqlite ]; then
		LITE_RUN=$LAST_RPS
		summary "$label: RunInstances, 8 connections" "$LAST_RPS/s, p99 $LAST_P99, $LAST_ERRS errors" "none lost"
	else
		# the issue's target: a launch on PostgreSQL (synchronous_commit on)
		# at SQLite's rate at least, measured minutes apart in one run
		summary "$label: RunInstances, 8 connections" \
			"$LAST_RPS/s = $(awk -v a="$LAST_RPS" -v b="$LITE_RUN" 'BEGIN { printf "%.2f", a / (b ? b : 1) }')x SQLite, p99 $LAST_P99, $LAST_ERRS errors" \
			"$([ "$setup" = pg1 ] && echo ">= 1x SQLite, ")none lost"
	fi
	if [ "$setup" != sqlite ]; then
		# SQLite's durability trade (WAL, synchronous=NORMAL), on PostgreSQL
		psql -X -q "$PG" -c "ALTER DATABASE bench SET synchronous_commit = off"
		stop_all
		serve "$PG"
		[ "$setup" = pg1 ] || serve "$PG"
		scripts
		writes "$label, synchronous_commit off: RunInstances" $counter
		summary "$label, synchronous_commit off: RunInstances" "$LAST_RPS/s, p99 $LAST_P99, $LAST_ERRS errors" "none lost"
		psql -X -q "$PG" -c "ALTER DATABASE bench RESET synchronous_commit"
	fi
	stop_all
done
