#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The seller's report and a customer's bill over stores of 10^6 and 10^7
# instances, next to /bin/true: their cost must follow the customers and
# the instances alive in the month, not the store's history.
#   bench/report.sh [RUNS] [SIZES]   (from the project root, after make;
#                                     SIZES defaults to "1000000 10000000")
# Each store: a product (m1.small and c1.medium, a price change on May
# 15th) and 1,000 customers, filled with sqlite3 INSERTs that mirror the
# schema and the billing roll-up the commands keep (service/usage.c).
# Launches are of 20 instances at once, as ec2-run-instances -n 20 makes
# them: 99% of the instances ran for 1 to 400 hours in the twelve months
# before May 2026, 1% run through May (launched in April and May, ended or
# not). The report is for May 2026. The 10^6 store is then copied into a
# PostgreSQL cluster of its own (devpayd --copy-store; NO_PG=1 skips it).
set -eu
export DEVPAY_NO_ACCOUNT_NOTICE=1
RUNS=${1:-5}
SIZES=${2:-1000000 10000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/devpay-report.XXXXXX")
chmod 755 "$WORK"  # the PostgreSQL cluster runs as the postgres user
trap '"$ROOT/tests/pg-cluster" stop "$WORK/cluster" 2>/dev/null || true; rm -rf "$WORK"' EXIT
unset EC2_URL EC2_REGION AWS_DEFAULT_REGION
export DEVPAY_STORE=$WORK/base.db DEVPAY_NOW=2025-04-20T00:00:00Z
as_owner()    { AWS_ACCESS_KEY=AKOWNER000000000001 AWS_SECRET_KEY=owner-secret "$@"; }
as_customer() { AWS_ACCESS_KEY=AKCUSTOMER000000001 AWS_SECRET_KEY=customer-secret "$@"; }
code=$(as_owner "$BIN/devpay-register-product" --name Bench --platform linux --monthly-fee 5 \
	--instance-type m1.small=0.20 --instance-type c1.medium=0.50 |
	awk -F'\t' '$1 == "PRODUCT" { print $2 }')
DEVPAY_NOW=2026-04-20T00:00:00Z as_owner "$BIN/devpay-modify-product" "$code" --effective 2026-05-15 \
	--instance-type m1.small=0.25 --instance-type c1.medium=0.60 >/dev/null
as_customer "$BIN/devpay-purchase-product" "$code" >/dev/null
may=$(date -u -d 2026-05-01 +%s)
year=$((may - 365 * 86400))

. "$ROOT/bench/median.bash"

fill() { # fill STORE N
	local launches=$(($2 / 20)) alive=$(($2 / 2000))
	sqlite3 "$WORK/base.db" ".backup '$1'"
	sqlite3 "$1" >/dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
BEGIN;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 999)
INSERT INTO accounts(id, access_key, secret, created)
  SELECT printf('9%011d', k), printf('AKFILL%014d', k), 'fill-secret', 0 FROM n;
INSERT INTO subscriptions(code, account, started)
  SELECT '$code', id, $year - 86400 FROM accounts WHERE access_key LIKE 'AKFILL%';
INSERT INTO images(id, owner, name, description, platform, root_device, product_code, created)
  SELECT printf('ami-f%016x', rowid), id, 'fill', '', 0, 'instance-store', '$code', 0
  FROM accounts WHERE access_key LIKE 'AKFILL%';
-- launch k: its owner k % 1000; the last $alive launches are the month's
CREATE TEMP TABLE l AS
  WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < $launches - 1)
  SELECT k, printf('r-f%016x', k) AS rid, printf('9%011d', k % 1000) AS owner,
         CASE WHEN k % 5 = 0 THEN 'c1.medium' ELSE 'm1.small' END AS type,
         CASE WHEN k < $launches - $alive
              THEN $year + (k * 31536000 / $launches) / 60 * 60 - 400 * 3600
              ELSE $may - 86400 * 10 + (k - ($launches - $alive)) * (86400 * 40 / $alive) END AS launched,
         CASE WHEN k < $launches - $alive THEN 3600 * (1 + k % 400)
              WHEN k % 3 = 0 THEN 3600 * (1 + k % 300) END AS ran
  FROM n;
INSERT INTO reservations(id, owner, region, client_token, request, created)
  SELECT rid, owner, 'us-east-1', NULL, 'fill', launched FROM l;
INSERT INTO instances(id, reservation, owner, image, type, region, zone, platform,
                      product_code, launch_index, launched, terminated)
  SELECT printf('i-f%016x', l.k * 20 + j.i), l.rid, l.owner,
         (SELECT id FROM images WHERE owner = l.owner), l.type, 'us-east-1', 'us-east-1a', 0,
         '$code', j.i, l.launched, l.launched + l.ran
  FROM l, (WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 19)
           SELECT i FROM m) j;
INSERT INTO instance_usage(owner, product_code, terminated, launched, region, platform, type, batch, n)
  SELECT owner, '$code', coalesce(launched + ran, 9223372036854775807), launched, 'us-east-1', 0,
         type, '', 20 FROM l;
COMMIT;
SQL
}

t_true=$(median_ms 41 /bin/true)
printf '%-60s %9s %9s\n' "command (median of $RUNS)" "ms" "x true"
printf '%-60s %9s %9s\n' "/bin/true" "$t_true" 1
export DEVPAY_NOW=2026-06-01T00:00:00Z
for n in $SIZES; do
	db=$WORK/$n.db
	t0=$(date +%s)
	fill "$db" "$n"
	t1=$(date +%s)
	echo "# $(sqlite3 "$db" "SELECT count(*) FROM instances") instances, $(sqlite3 "$db" \
		"SELECT count(*) FROM instances WHERE launched < $may + 31 * 86400 AND ifnull(terminated, $may) >= $may") alive in May;" \
		"$(du -m "$db" | cut -f1) MB, filled in $((t1 - t0)) s"
	cust=$(sqlite3 "$db" "SELECT owner FROM reservations WHERE id = (SELECT max(id) FROM reservations)")
	sqlite3 "$db" "UPDATE accounts SET access_key = 'AKCUSTFILL000000001', secret = 'cust-secret' WHERE id = '$cust'"
	t_report=$(DEVPAY_STORE=$db median_ms "$RUNS" env AWS_ACCESS_KEY=AKOWNER000000000001 \
		AWS_SECRET_KEY=owner-secret "$BIN/devpay-bill" --period 2026-05 --product "$code")
	t_cust=$(DEVPAY_STORE=$db median_ms "$RUNS" env AWS_ACCESS_KEY=AKCUSTFILL000000001 \
		AWS_SECRET_KEY=cust-secret "$BIN/devpay-bill" --period 2026-05)
	printf '%-60s %9s %9s\n' "devpay-bill --product, $n instances (1,000 customers)" "$t_report" \
		"$(python3 -c "print(round($t_report / $t_true))")"
	printf '%-60s %9s %9s\n' "devpay-bill, a customer of $n instances" "$t_cust" \
		"$(python3 -c "print(round($t_cust / $t_true))")"
	printf 'summary\t%s\t%s\t%s\n' "seller's report, $n instances" \
		"$t_report ms = $(python3 -c "print(round($t_report / $t_true))")x true" "<= 50x true" >>"${BENCH_SUMMARY:-/dev/null}"
	printf 'summary\t%s\t%s\t%s\n' "customer's bill, $n instances" \
		"$t_cust ms = $(python3 -c "print(round($t_cust / $t_true))")x true" "<= 50x true" >>"${BENCH_SUMMARY:-/dev/null}"
	# the 10^6 store into PostgreSQL (its defaults: fsync and
	# synchronous_commit on) with devpayd --copy-store, which sends rows by COPY
	if [ "$n" = 1000000 ] && [ -z "${NO_PG:-}" ] &&
	   pg=$(PG_CLUSTER_OPTS= "$ROOT/tests/pg-cluster" start "$WORK/cluster" 2>/dev/null); then
		psql -X -q "$pg/postgres" -c "CREATE DATABASE copied"
		# the fill's few hundred megabytes written out first, so that the
		# copy's time is its own, not the writeback of the step before it
		sync
		t0=$(date +%s.%N)
		rows=$("$BIN/devpayd" --copy-store "$db" "$pg/copied" | awk -F'\t' '{ n += $2 } END { print n }')
		t1=$(date +%s.%N)
		"$ROOT/tests/pg-cluster" stop "$WORK/cluster"
		rate=$(python3 -c "print(round($rows / ($t1 - $t0)))")
		printf '%-60s %9s %9s\n' "devpayd --copy-store into PostgreSQL: $rows rows" \
			"$(python3 -c "print(round(1000 * ($t1 - $t0)))")" "$rate/s"
		printf 'summary\t%s\t%s\t%s\n' "--copy-store into PostgreSQL, $n instances" \
			"$rows rows in $(python3 -c "print(round($t1 - $t0, 1))") s = $rate rows/s" \
			">= 200000 rows/s" >>"${BENCH_SUMMARY:-/dev/null}"
	fi
	[ -z "${KEEP_STORE:-}" ] || cp "$db" "$KEEP_STORE.$n"
	rm -f "$db"
done
