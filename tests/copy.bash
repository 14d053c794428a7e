# SPDX-License-Identifier: Apache-2.0
# A store with a little of everything, for devpayd --copy-store
# (tests/copy-store.bats, tests/postgresql.bats).

# shop: in local mode on $DEVPAY_STORE (a SQLite file): a product with a
# price change pending, a subscription, a paid AMI shared with everyone, two
# reservations (one with a client token), one instance terminated, a
# reserved instance. Sets CODE, AMI, INST.
shop() {
	CODE=$(at 2026-11-01T00:00:00Z new_product Shop) || return 1
	at 2026-11-02T00:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null || return 1
	AMI=$(at 2026-11-02T00:00:00Z as_customer ec2-register shop-ami --platform linux \
		--root-device-type instance-store | ami_of) || return 1
	at 2026-11-02T00:00:00Z as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null || return 1
	at 2026-11-02T00:00:00Z as_customer ec2-modify-image-attribute "$AMI" -l -a all >/dev/null || return 1
	INST=$(at 2026-11-03T00:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small -n 3 | inst_of) || return 1
	at 2026-11-03T00:00:00Z as_customer ec2-run-instances "$AMI" -t m1.small --client-token tok-1 >/dev/null || return 1
	at 2026-11-04T00:00:00Z as_customer ec2-terminate-instances "$INST" >/dev/null || return 1
	at 2026-11-05T00:00:00Z as_owner devpay-modify-product "$CODE" --instance-type m1.small=0.30 \
		--effective 2026-12-01 >/dev/null || return 1
	local off
	off=$(as_customer ec2-describe-reserved-instances-offerings -t m1.small | awk -F'\t' 'NR == 1 {print $2}')
	at 2026-11-05T00:00:00Z as_customer ec2-purchase-reserved-instances-offering -o "$off" -c 1 >/dev/null
}

# views: what the parties see of the store, at a fixed time (through
# EC2_URL when it is set).
views() {
	local t=2026-11-20T00:00:00Z
	at $t as_customer ec2-describe-instances
	at $t as_customer ec2-describe-images -x all
	at $t as_customer devpay-describe-subscriptions
	at $t as_owner devpay-describe-products
	at $t as_customer ec2-describe-reserved-instances
	at $t as_customer devpay-bill --period 2026-11
	at $t as_owner ec2-confirm-product-instance "$CODE" -i "$INST"
	# the client token gives the same reservation again
	at $t as_customer ec2-run-instances "$AMI" -t m1.small --client-token tok-1 | grep '^RESERVATION'
}
