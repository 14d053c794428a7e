#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Soak: devpayd at RATE signed requests a second (reads and writes mixed)
# for DURATION seconds, its memory and open descriptors sampled every 10 s.
# The issue's figure is 1,000 a second for 30 minutes (the defaults).
#
# usage: bench/soak.sh [--duration SECONDS] [--rate N] [--threads N] [--server-threads N]
set -eu
# the accounts these scripts make are meant: no notice for each
export DEVPAY_NO_ACCOUNT_NOTICE=1
cd "$(dirname "$0")/.."
duration=1800 rate=1000 threads=8 sthreads=4
while [ $# -gt 0 ]; do
	case $1 in
	--duration) duration=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--server-threads) sthreads=$2; shift 2 ;;
	*) echo "usage: bench/soak.sh [--duration SECONDS] [--rate N] [--threads N] [--server-threads N]" >&2; exit 2 ;;
	esac
done
BIN=$PWD/build/bin
work=$(mktemp -d /tmp/devpay-soak.XXXXXX)
trap 'kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; rm -rf "$work"' EXIT
export DEVPAY_STORE=$work/store.db
key=AKSOAK00000000000001 secret=soak-secret
echo "$secret" | "$BIN/devpayd" --add-account "$key" >/dev/null
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$BIN/devpayd" --listen "127.0.0.1:$port" --threads "$sthreads" --log "$work/access.log" &
dpid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
export EC2_URL="http://127.0.0.1:$port/" AWS_ACCESS_KEY=$key AWS_SECRET_KEY=$secret
ami=$("$BIN/ec2-register" soak | grep -oE 'ami-[0-9a-f]+')
echo "soak: $rate requests/s for $duration s, $threads client threads, devpayd --threads $sthreads;" \
	"$(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
rc=0
python3 bench/soak_load.py "$EC2_URL" "$key" "$secret" "$ami" "$dpid" "$duration" "$rate" "$threads" || rc=$?
echo "5xx in the access log: $(awk '$5 >= 500' "$work/access.log" | wc -l)"
kill -0 "$dpid" && echo "devpayd still running"
exit "$rc"
