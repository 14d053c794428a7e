#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What one command costs, end to end (process start, libraries loaded, store
# opened, one transaction, answer printed), against its floors measured in
# the same run: /bin/true for a local command, curl --aws-sigv4 sending the
# same request to the same devpayd for a remote one. And what each library
# would cost a process that links it: an empty C program linked with it.
# Medians of N runs, in milliseconds.
#   bench/commands.sh [N]     (from the project root, after make)
set -eu
# the accounts these scripts make are meant: no notice for each
export DEVPAY_NO_ACCOUNT_NOTICE=1
N=${1:-101}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
WORK=$(mktemp -d /tmp/devpay-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
unset EC2_URL EC2_REGION AWS_DEFAULT_REGION DEVPAY_NOW
export DEVPAY_STORE=$WORK/store.db
export AWS_ACCESS_KEY=AKOWNER000000000001 AWS_SECRET_KEY=owner-secret
code=$("$BIN/devpay-register-product" --name Bench --platform linux --instance-type m1.small=0.2 |
	awk -F'\t' '$1 == "PRODUCT" { print $2 }')
ami=$("$BIN/ec2-register" bench | cut -f2)
"$BIN/ec2-associate-product-code" "$ami" -p "$code" >/dev/null
inst=$("$BIN/ec2-run-instances" "$ami" -n 3 | awk -F'\t' '$1 == "INSTANCE" { print $2; exit }')

# empty programs: none, and each library the commands use
printf 'int main(void){return 0;}\n' >"$WORK/empty.c"
cc -O2 -o "$WORK/empty" "$WORK/empty.c"
for l in xml2 sqlite3 crypto curl; do
	cc -O2 -o "$WORK/empty-$l" "$WORK/empty.c" -Wl,--no-as-needed -l$l
done
cc -O2 -o "$WORK/empty-3" "$WORK/empty.c" -Wl,--no-as-needed -lxml2 -lcrypto -lsqlite3
# SQLite alone reading the store as the commands link it (statically)
cc -O2 -o "$WORK/sqlite-floor" "$ROOT/bench/sqlite-floor.c" -Wl,-Bstatic -lsqlite3 -Wl,-Bdynamic -lm

port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$BIN/devpayd" --listen "127.0.0.1:$port" --store "$DEVPAY_STORE" --log "$WORK/devpayd.log" &
pids+=($!)
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
URL=http://127.0.0.1:$port/
body="Action=ConfirmProductInstance&Version=2016-11-15&ProductCode=$code&InstanceId=$inst"

# Every command runs N times, the commands interleaved, so that the load of
# the machine weighs on all alike; medians.
python3 - "$N" "$WORK" "$BIN" "$code" "$inst" "$URL" "$body" <<'PY'
import os, subprocess, sys, time
n, work, bin_, code, inst, url, body = sys.argv[1:8]
n = int(n)
conf = [f"{bin_}/ec2-confirm-product-instance", code, "-i", inst]
remote_env = dict(os.environ, EC2_URL=url)
rows = [
    ("/bin/true", ["/bin/true"], None),
    ("empty C program", [f"{work}/empty"], None),
    ("empty C program + libxml2", [f"{work}/empty-xml2"], None),
    ("empty C program + libsqlite3", [f"{work}/empty-sqlite3"], None),
    ("empty C program + libcrypto", [f"{work}/empty-crypto"], None),
    ("empty C program + libcurl", [f"{work}/empty-curl"], None),
    ("empty C program + libxml2 libcrypto libsqlite3", [f"{work}/empty-3"], None),
    ("ec2-describe-images --help (no store)", [f"{bin_}/ec2-describe-images", "--help"], None),
    ("SQLite alone: open the store, one SELECT", [f"{work}/sqlite-floor", os.environ["DEVPAY_STORE"], inst], None),
    ("local: ec2-confirm-product-instance", conf, None),
    ("local: ec2-describe-instances", [f"{bin_}/ec2-describe-instances"], None),
    ("curl --aws-sigv4 (the same request)", ["curl", "-sf", "--aws-sigv4", "aws:amz:us-east-1:ec2",
        "--user", f"{os.environ['AWS_ACCESS_KEY']}:{os.environ['AWS_SECRET_KEY']}", "-d", body, url], None),
    ("remote: ec2-confirm-product-instance", conf, remote_env),
]
times = {r[0]: [] for r in rows}
for _ in range(n):
    for label, cmd, env in rows:
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times[label].append(time.perf_counter() - t)
        if r.returncode:
            sys.exit(f"{label}: exit {r.returncode}")
med = {k: sorted(v)[len(v) // 2] * 1000 for k, v in times.items()}
true, curl = med["/bin/true"], med["curl --aws-sigv4 (the same request)"]
print(f"# medians of {n} runs, interleaved")
print(f"{'command':<48} {'ms':>7} {'x true':>7} {'x curl':>7}")
for label, _, _ in rows:
    xc = f"{med[label] / curl:7.2f}" if label.startswith(("remote", "curl")) else ""
    print(f"{label:<48} {med[label]:7.3f} {med[label] / true:7.2f} {xc:>7}")
summary = os.environ.get("BENCH_SUMMARY")
if summary:
    loc, rem = med["local: ec2-confirm-product-instance"], med["remote: ec2-confirm-product-instance"]
    floor = med["SQLite alone: open the store, one SELECT"]
    with open(summary, "a") as f:
        f.write(f"summary\tlocal ec2-confirm-product-instance\t{loc:.2f} ms = {loc / true:.1f}x true"
                f" (SQLite alone {floor / true:.1f}x)\t<= 3x true\n")
        f.write(f"summary\tremote ec2-confirm-product-instance\t{rem:.2f} ms = {rem / curl:.2f}x curl\t<= 1.1x curl --aws-sigv4\n")
PY
