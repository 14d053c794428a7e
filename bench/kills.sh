#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Crashes: ROUNDS rounds of 3 writers (tests/writer.sh) killed with SIGKILL at
# a random moment (50-800 ms in). After each round: PRAGMA integrity_check is
# ok; at the end, no reservation is partial and no acknowledged change is
# missing (tests/writers_check.py --partial).
#
# usage: bench/kills.sh [ROUNDS]   (default 100)
set -u
# the accounts these scripts make are meant: no notice for each
export DEVPAY_NO_ACCOUNT_NOTICE=1
cd "$(dirname "$0")/.."
rounds=${1:-100}
PATH=$PWD/build/bin:$PATH
work=$(mktemp -d /tmp/devpay-kills.XXXXXX)
trap 'rm -rf "$work"' EXIT
export DEVPAY_STORE="$work/store.db"
mkdir -p "$work/out"
code=$(AWS_ACCESS_KEY=AKOWNER000000000001 AWS_SECRET_KEY=owner-secret devpay-register-product \
	--name kills --platform linux --instance-type m1.small=0.10 | awk -F'\t' '$1 == "PRODUCT" {print $2}')
bad=0
for ((r = 1; r <= rounds; r++)); do
	pids=()
	for p in 1 2 3; do
		setsid tests/writer.sh "$((r * 10 + p))" 200 "$code" "$work/out" &
		pids+=($!)
	done
	sleep "$(printf '0.%03d' $((RANDOM % 750 + 50)))"
	for p in "${pids[@]}"; do kill -9 -- "-$p" 2>/dev/null; done
	wait "${pids[@]}" 2>/dev/null
	ok=$(sqlite3 "$DEVPAY_STORE" 'PRAGMA integrity_check')
	[ "$ok" = ok ] || { echo "round $r: integrity_check: $ok"; bad=1; }
done
echo "kills: $rounds rounds of 3 writers killed with SIGKILL; integrity_check ok after every round: $([ $bad = 0 ] && echo yes || echo NO)"
python3 tests/writers_check.py "$DEVPAY_STORE" "$work/out" --partial || bad=1
exit $bad
