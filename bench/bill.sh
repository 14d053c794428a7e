#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The seller's report and a customer's bill over a month with 100,000
# instances of 1,000 customers (the report), next to /bin/true.
#   bench/bill.sh [RUNS]      (from the project root, after make)
# The product (m1.small and c1.medium, a price change on the 15th) and the
# customers' own launches go through the commands; the 100,000 instances are
# filled with sqlite3 INSERTs that mirror the schema: launched through May
# (some before it), a third of them terminated after 1 to 400 hours, so the
# month holds some 25 million instance-hours. One customer also has 2,000
# instances of its own, half of them plain EC2, for the customer's bill.
set -eu
# the accounts these scripts make are meant: no notice for each
export DEVPAY_NO_ACCOUNT_NOTICE=1
RUNS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
WORK=$(mktemp -d /tmp/devpay-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
unset EC2_URL EC2_REGION AWS_DEFAULT_REGION
export DEVPAY_STORE=$WORK/store.db DEVPAY_NOW=2026-04-20T00:00:00Z
as_owner()    { AWS_ACCESS_KEY=AKOWNER000000000001 AWS_SECRET_KEY=owner-secret "$@"; }
as_customer() { AWS_ACCESS_KEY=AKCUSTOMER000000001 AWS_SECRET_KEY=customer-secret "$@"; }
code=$(as_owner "$BIN/devpay-register-product" --name Bench --platform linux --monthly-fee 5 \
	--instance-type m1.small=0.20 --instance-type c1.medium=0.50 |
	awk -F'\t' '$1 == "PRODUCT" { print $2 }')
as_owner "$BIN/devpay-modify-product" "$code" --effective 2026-05-15 \
	--instance-type m1.small=0.25 --instance-type c1.medium=0.60 >/dev/null
as_customer "$BIN/devpay-purchase-product" "$code" >/dev/null
ami=$(as_customer "$BIN/ec2-register" bench | cut -f2)
as_customer "$BIN/ec2-associate-product-code" "$ami" -p "$code" >/dev/null
plain=$(as_customer "$BIN/ec2-register" plain | cut -f2)
cust=$(sqlite3 "$DEVPAY_STORE" "SELECT id FROM accounts WHERE access_key = 'AKCUSTOMER000000001'")
may=$(date -u -d 2026-05-01 +%s)
sqlite3 "$DEVPAY_STORE" <<SQL
BEGIN;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 999)
INSERT INTO accounts(id, access_key, secret, created)
  SELECT printf('9%011d', k), printf('AKFILL%014d', k), 'fill-secret', 0 FROM n;
INSERT INTO subscriptions(code, account, started)
  SELECT '$code', id, $may - 86400 * (CAST(substr(id, 2) AS INTEGER) % 40) FROM accounts WHERE access_key LIKE 'AKFILL%';
INSERT INTO images(id, owner, name, description, platform, root_device, product_code, created)
  SELECT printf('ami-f%016x', rowid), id, 'fill', '', 0, 'instance-store', '$code', 0
  FROM accounts WHERE access_key LIKE 'AKFILL%';
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 49999)
INSERT INTO reservations(id, owner, region, client_token, request, created)
  SELECT printf('r-f%016x', k), printf('9%011d', k % 1000), 'us-east-1', NULL, 'fill', $may FROM n;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 99999)
INSERT INTO instances(id, reservation, owner, image, type, region, zone, platform,
                      product_code, launch_index, launched, terminated)
  SELECT printf('i-f%016x', k), printf('r-f%016x', k / 2), printf('9%011d', (k / 2) % 1000),
         (SELECT id FROM images WHERE owner = printf('9%011d', (k / 2) % 1000)),
         CASE WHEN k % 5 = 0 THEN 'c1.medium' ELSE 'm1.small' END, 'us-east-1', 'us-east-1a', 0,
         '$code', k % 2, $may - 86400 * 3 + (k * 7919) % (86400 * 33),
         CASE WHEN k % 3 = 0 THEN $may - 86400 * 3 + (k * 7919) % (86400 * 33) + 3600 * (1 + k % 400) END
  FROM n;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 1999)
INSERT INTO reservations(id, owner, region, client_token, request, created)
  SELECT printf('r-c%016x', k), '$cust', 'us-east-1', NULL, 'fill', $may FROM n;
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 1999)
INSERT INTO instances(id, reservation, owner, image, type, region, zone, platform,
                      product_code, launch_index, launched, terminated)
  SELECT printf('i-c%016x', k), printf('r-c%016x', k), '$cust',
         CASE WHEN k % 2 THEN '$ami' ELSE '$plain' END, 'm1.small', 'us-east-1', 'us-east-1a', 0,
         CASE WHEN k % 2 THEN '$code' END, 0, $may + (k * 7919) % (86400 * 30),
         CASE WHEN k % 3 = 0 THEN $may + (k * 7919) % (86400 * 30) + 3600 * (1 + k % 400) END
  FROM n;
-- the roll-up the commands keep with every launch and end (service/usage.c)
DELETE FROM instance_usage;
INSERT INTO instance_usage(owner, product_code, terminated, launched, region, platform, type, batch, n)
  SELECT owner, coalesce(product_code, ''), coalesce(terminated, 9223372036854775807), launched,
         region, platform, type, '', count(*) FROM instances GROUP BY 1, 2, 3, 4, 5, 6, 7;
COMMIT;
SQL
echo "# $(sqlite3 "$DEVPAY_STORE" "SELECT count(*), count(DISTINCT owner) FROM instances" | tr '|' ' ' |
	awk '{ print $1 " instances of " $2 " accounts" }'); report for 2026-05"

. "$ROOT/bench/median.bash"
export DEVPAY_NOW=2026-06-01T00:00:00Z
# the month's instance-hours (what the cost must not grow with)
sqlite3 "$DEVPAY_STORE" "SELECT '# ' || sum(max(0, (min(ifnull(terminated, $may + 31 * 86400), $may + 31 * 86400)
	- max(launched, $may)) / 3600)) || ' instance-hours in the month (about)' FROM instances"
[ -z "${KEEP_STORE:-}" ] || sqlite3 "$DEVPAY_STORE" ".backup '$KEEP_STORE'"
t_true=$(median_ms 41 /bin/true)
t_report=$(median_ms "$RUNS" env AWS_ACCESS_KEY=AKOWNER000000000001 AWS_SECRET_KEY=owner-secret \
	"$BIN/devpay-bill" --period 2026-05 --product "$code")
t_cust=$(median_ms "$RUNS" env AWS_ACCESS_KEY=AKCUSTOMER000000001 AWS_SECRET_KEY=customer-secret \
	"$BIN/devpay-bill" --period 2026-05)
t_true2=$(median_ms 41 /bin/true)
t_true=$(python3 -c "print(min($t_true, $t_true2))")
printf '%-52s %9s %9s\n' "command (median of $RUNS)" "ms" "x true"
printf '%-52s %9s %9s\n' "/bin/true" "$t_true" 1
printf '%-52s %9s %9s\n' "devpay-bill --product (1,000 customers)" "$t_report" "$(python3 -c "print(round($t_report / $t_true))")"
printf '%-52s %9s %9s\n' "devpay-bill (a customer with 2,000 instances)" "$t_cust" "$(python3 -c "print(round($t_cust / $t_true))")"
printf 'summary\t%s\t%s\t%s\n' "devpay-bill --product, 100k instances, 1,000 customers" \
	"$t_report ms = $(python3 -c "print(round($t_report / $t_true))")x true" "<= 200x true" >>"${BENCH_SUMMARY:-/dev/null}"
printf 'summary\t%s\t%s\t%s\n' "devpay-bill, a customer with 2,000 instances" \
	"$t_cust ms = $(python3 -c "print(round($t_cust / $t_true))")x true" "<= 200x true" >>"${BENCH_SUMMARY:-/dev/null}"
