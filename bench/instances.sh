#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Instance commands on stores holding 1,000, 100,000 and 1,000,000 instances:
# every query is indexed, so they should cost about the same.
#   bench/instances.sh [RUNS]     (from the project root, after make)
# The stores are filled with sqlite3 INSERTs that mirror the schema
# (launching 100,000 instances through the commands would take too long);
# the instances measured are launched through the real commands.
set -eu
# the accounts these scripts make are meant: no notice for each
export DEVPAY_NO_ACCOUNT_NOTICE=1
RUNS=${1:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATH="$ROOT/build/bin:$PATH"
WORK=$(mktemp -d /tmp/devpay-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export DEVPAY_NOW=2026-03-02T10:00:00Z
unset EC2_URL EC2_REGION AWS_DEFAULT_REGION
as_owner()    { AWS_ACCESS_KEY=AKOWNER000000000001 AWS_SECRET_KEY=owner-secret "$@"; }
as_customer() { AWS_ACCESS_KEY=AKCUSTOMER000000001 AWS_SECRET_KEY=customer-secret "$@"; }

# The same scenario in the base store: a product, a customer's supported AMI.
export DEVPAY_STORE=$WORK/base.db
CODE=$(as_owner devpay-register-product --name Bench --platform linux \
	--instance-type m1.small=0.20 | awk -F'\t' '$1 == "PRODUCT" { print $2 }')
AMI=$(as_customer ec2-register bench | cut -f2)
as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
as_customer devpay-purchase-product "$CODE" >/dev/null

# N instances of 1,000 other accounts, in N/2 reservations (half of them
# with a client token); half carry the product code, a third are terminated.
fill() { # fill STORE N
	sqlite3 "$WORK/base.db" ".backup '$1'"  # the store and its WAL, as one copy
	sqlite3 "$1" <<SQL
BEGIN;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 999)
INSERT INTO accounts(id, access_key, secret, created)
  SELECT printf('9%011d', k), printf('AKFILL%014d', k), 'fill-secret', 0 FROM n;
INSERT INTO images(id, owner, name, description, platform, root_device, product_code, created)
  SELECT printf('ami-f%016x', rowid), id, 'fill', '', 0, 'instance-store', '$CODE', 0
  FROM accounts WHERE access_key LIKE 'AKFILL%';
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < $2 / 2 - 1)
INSERT INTO reservations(id, owner, region, client_token, request, created)
  SELECT printf('r-f%016x', k), printf('9%011d', k % 1000), 'us-east-1',
         CASE WHEN k % 2 THEN printf('fill-%d', k) END, 'fill', 1767225600 + k * 60 FROM n;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < $2 - 1)
INSERT INTO instances(id, reservation, owner, image, type, region, zone, platform,
                      product_code, launch_index, launched, terminated)
  SELECT printf('i-f%016x', k), printf('r-f%016x', k / 2), printf('9%011d', (k / 2) % 1000),
         (SELECT id FROM images WHERE owner = printf('9%011d', (k / 2) % 1000)),
         'm1.small', 'us-east-1', 'us-east-1a', 0,
         CASE WHEN k % 4 < 2 THEN '$CODE' END, k % 2, 1767225600 + (k / 2) * 60,
         CASE WHEN k % 3 = 0 THEN 1767225600 + (k / 2) * 60 + 3600 END FROM n;
-- the billing roll-up the commands keep (service/usage.c)
INSERT INTO instance_usage(owner, product_code, terminated, launched, region, platform, type, batch, n)
  SELECT owner, coalesce(product_code, ''), coalesce(terminated, 9223372036854775807), launched,
         region, platform, type, '', count(*) FROM instances WHERE id LIKE 'i-f%'
  GROUP BY 1, 2, 3, 4, 5, 6, 7;
COMMIT;
SQL
}
STORES=(1k 100k 1m)
fill "$WORK/1k.db" 1000
fill "$WORK/100k.db" 100000
fill "$WORK/1m.db" 1000000

# Each store gets the caller's own instances through the real commands: a
# reservation of 3 to describe and confirm, one made with a client token to
# replay, and one instance per terminate run.
declare -A INST VICTIMS
prepare() {
	export DEVPAY_STORE=$WORK/$1.db
	INST[$1]=$(as_customer ec2-run-instances "$AMI" -n 3 | awk -F'\t' '$1 == "INSTANCE" { print $2; exit }')
	as_customer ec2-run-instances "$AMI" --client-token replay >/dev/null
	VICTIMS[$1]=$(for _ in $(seq "$RUNS"); do as_customer ec2-run-instances "$AMI"; done |
		awk -F'\t' '$1 == "INSTANCE" { print $2 }')
	[ "$(echo "${VICTIMS[$1]}" | wc -l)" -eq "$RUNS" ] || { echo "launching failed" >&2; exit 1; }
	echo "# $1 store: $(sqlite3 "$DEVPAY_STORE" 'SELECT count(*) FROM instances') instances"
}

# measure LABEL CMD...: mean microseconds of RUNS calls on each store. The
# calls alternate between the stores, so a busy machine slows all alike.
# In CMD, @INST@ is the store's instance and @VICTIM@ a fresh one per call.
declare -A SUM
measure() {
	local label=$1 st t0 t1 k; shift
	for st in "${STORES[@]}"; do SUM[$st]=0; done
	for k in $(seq "$RUNS"); do
		for st in "${STORES[@]}"; do
			local args=() a victim
			victim=$(echo "${VICTIMS[$st]}" | sed -n "${k}p")
			for a in "$@"; do
				a=${a//@INST@/${INST[$st]}}
				args+=("${a//@VICTIM@/$victim}")
			done
			t0=$(date +%s%N)
			DEVPAY_STORE=$WORK/$st.db "${args[@]}" >/dev/null
			t1=$(date +%s%N)
			SUM[$st]=$(( SUM[$st] + (t1 - t0) / 1000 ))
		done
	done
	printf '%-13s' "$label"
	for st in "${STORES[@]}"; do printf ' %8d' $(( SUM[$st] / RUNS )); done
	printf '\n'
	printf 'summary\t%s\t%s\t%s\n' "$label: 1k / 100k / 1m instances" \
		"$(for st in "${STORES[@]}"; do printf '%d ' $(( SUM[$st] / RUNS )); done)us" "flat" \
		>>"${BENCH_SUMMARY:-/dev/null}"
}

for st in "${STORES[@]}"; do prepare "$st"; done
echo "# microseconds per command, mean of $RUNS runs on each store"
printf '%-13s %8s %8s %8s\n' command "${STORES[@]}"
measure describe-all as_customer ec2-describe-instances
measure describe-one as_customer ec2-describe-instances @INST@
measure run as_customer ec2-run-instances "$AMI"
measure run-replay as_customer ec2-run-instances "$AMI" --client-token replay
measure terminate as_customer ec2-terminate-instances @VICTIM@
measure confirm as_owner ec2-confirm-product-instance "$CODE" -i @INST@
