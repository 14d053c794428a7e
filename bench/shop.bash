# SPDX-License-Identifier: Apache-2.0
# The set-up bench/devpayd.sh and bench/postgresql.sh share (sourced, not a
# benchmark of its own: bench/run runs bench/*.sh). Needs BIN and WORK; makes
# a local store, $WORK/store.db, where the owner sells product $code, the
# customer subscribed, registered AMI $ami carrying it and launched 10
# instances ($inst the first).
unset EC2_URL EC2_REGION AWS_DEFAULT_REGION DEVPAY_NOW
export DEVPAY_STORE=$WORK/store.db
OK=AKOWNER000000000001 OS=owner-secret CK=AKCUSTOMER000000001 CS=customer-secret
as_owner()    { AWS_ACCESS_KEY=$OK AWS_SECRET_KEY=$OS "$@"; }
as_customer() { AWS_ACCESS_KEY=$CK AWS_SECRET_KEY=$CS "$@"; }
code=$(as_owner "$BIN/devpay-register-product" --name Bench --platform linux \
	--instance-type m1.small=0.20 | awk -F'\t' '$1 == "PRODUCT" { print $2 }')
ami=$(as_customer "$BIN/ec2-register" bench | cut -f2)
as_customer "$BIN/ec2-associate-product-code" "$ami" -p "$code" >/dev/null
as_customer "$BIN/devpay-purchase-product" "$code" >/dev/null
inst=$(as_customer "$BIN/ec2-run-instances" "$ami" -n 10 | awk -F'\t' '$1 == "INSTANCE" { print $2; exit }')

freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
waitport() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
