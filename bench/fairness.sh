#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fairness under hostile load: another account's DescribeImages latency while
# one account sends the largest accepted requests back to back (4 at a time)
# to a devpayd with its default 4 threads. See bench/fairness.py.
set -eu
# the accounts these scripts make are meant: no notice for each
export DEVPAY_NO_ACCOUNT_NOTICE=1
cd "$(dirname "$0")/.."
BIN=$PWD/build/bin
tmp=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export DEVPAY_STORE=$tmp/store.db
echo heavy-secret | "$BIN/devpayd" --add-account AKHEAVY000000000001 >/dev/null
echo light-secret | "$BIN/devpayd" --add-account AKLIGHT000000000001 >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/devpayd" --listen "127.0.0.1:$port" --log "$tmp/log" &
pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
for i in $(seq 20); do
	EC2_URL=http://127.0.0.1:$port AWS_ACCESS_KEY=AKLIGHT000000000001 AWS_SECRET_KEY=light-secret \
		"$BIN/ec2-register" "light-$i" >/dev/null
done
python3 bench/fairness.py "$port" AKHEAVY000000000001 heavy-secret AKLIGHT000000000001 light-secret "${SAMPLES:-200}"
