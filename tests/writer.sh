#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One writer of the many-writers tests and bench: N mixed operations as its
# own account on whatever store or endpoint the environment names, logging
# every acknowledged change to OUT/ID.acks and every failure to
# OUT/ID.errors (the command, then its stderr).
#
# usage: writer.sh ID N PRODUCT_CODE OUT
# Operations, in turn: launch 1-3 instances (with a client token), terminate
# the last one launched, purchase the product and cancel it, register an
# image and associate the product code with it.
set -u
id=$1 n=$2 code=$3 out=$4
export AWS_ACCESS_KEY
AWS_ACCESS_KEY=$(printf 'AKWRITER%012d' "$id")
export AWS_SECRET_KEY="writer-secret-$id"
acks="$out/$id.acks" errs="$out/$id.errors"
: >>"$acks"
: >>"$errs"

# try CMD...: runs it; on success its stdout is in $got, else the failure is logged.
try() {
	local err
	err=$(mktemp)
	if got=$("$@" 2>"$err"); then
		rm -f "$err"
		return 0
	fi
	{ echo "FAILED ($?): $*"; cat "$err"; } >>"$errs"
	rm -f "$err"
	return 1
}

try ec2-register "base-$id" || exit 1
ami=$(printf '%s\n' "$got" | grep -oE 'ami-[0-9a-f]+' | head -n 1)
echo "register $ami" >>"$acks"
last=
for ((k = 0; k < n; k++)); do
	case $((k % 4)) in
	0)
		count=$((k / 4 % 3 + 1))
		if try ec2-run-instances "$ami" -n "$count" --client-token "w$id-$k"; then
			ids=$(printf '%s\n' "$got" | awk -F'\t' '$1 == "INSTANCE" { printf " %s", $2 }')
			echo "launch $count$ids" >>"$acks"
			last=${ids##* }
		fi
		;;
	1)
		if [ -n "$last" ] && try ec2-terminate-instances "$last"; then
			echo "terminate $last" >>"$acks"
			last=
		fi
		;;
	2)
		if try devpay-purchase-product "$code"; then
			echo "purchase $code" >>"$acks"
			try devpay-cancel-subscription "$code" && echo "cancel $code" >>"$acks"
		fi
		;;
	3)
		if try ec2-register "img-$id-$k"; then
			img=$(printf '%s\n' "$got" | grep -oE 'ami-[0-9a-f]+' | head -n 1)
			echo "register $img" >>"$acks"
			try ec2-associate-product-code "$img" -p "$code" && echo "associate $img" >>"$acks"
		fi
		;;
	esac
done
exit 0
