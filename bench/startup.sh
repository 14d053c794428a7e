#!/usr/bin/env bash
# What one local command costs, end to end (process start, libraries loaded,
# store opened, one transaction, answer printed), against the cost of an
# empty C program linked with nothing: the floor a fork+exec sets here.
# Mean of N runs, in microseconds. Goal: a local command in a few ms.
set -eu
cd "$(dirname "$0")/.."
N=${N:-200}
BIN=$PWD/build/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DEVPAY_STORE=$tmp/store.db AWS_ACCESS_KEY=AKBENCH000000000001 AWS_SECRET_KEY=bench
unset EC2_URL
printf 'int main(void){return 0;}\n' >"$tmp/empty.c"
cc -O2 -o "$tmp/empty" "$tmp/empty.c"
ami=$("$BIN/ec2-register" bench-ami | cut -f2)
code=$("$BIN/devpay-register-product" --name bench --platform linux --instance-type m1.small=0.1 |
	awk -F'\t' '$1 == "PRODUCT" { print $2 }')

mean() { # mean LABEL CMD...: mean wall time of N runs
	local label=$1; shift
	local start end
	start=$(date +%s%N)
	for _ in $(seq "$N"); do "$@" >/dev/null; done
	end=$(date +%s%N)
	printf '%-48s %8d\n' "$label" $(((end - start) / N / 1000))
}
printf '%-48s %8s\n' "command ($N runs each)" "us/run"
mean "empty C program (the floor)" "$tmp/empty"
mean "ec2-describe-images --help (no store)" "$BIN/ec2-describe-images" --help
mean "ec2-describe-images (read)" "$BIN/ec2-describe-images"
mean "devpay-describe-products CODE (read)" "$BIN/devpay-describe-products" "$code"
mean "ec2-describe-images AMI (read)" "$BIN/ec2-describe-images" "$ami"
