#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Security groups, EC2-Classic: ec2-add-group, ec2-describe-group,
# ec2-delete-group, ec2-authorize, ec2-revoke, groups at launch and in
# DescribeInstances; through devpayd the older flat form of the rules, the
# AWS CLI and boto3.
bats_require_minimum_version 1.5.0
load helpers

T=$'\t'
# ids and accounts masked, fields joined by |
mask() {
	sed -E -e 's/\bsg-[0-9a-f]{17}\b/sg-ID/g' -e 's/\b[0-9]{12}\b/ACCOUNT/g' | tr '\t' '|'
}
# an image of the customer's, in AMI
image() { AMI=$(as_customer ec2-register "base-$RANDOM" | ami_of); }
group_id() { as_customer ec2-describe-group "$1" | field_of GROUP 2; }

# --- the default group --------------------------------------------------------

@test "default: shown before it is stored, all of TCP, UDP and ICMP from itself; a launch stores it with the same id" {
	run --separate-stderr as_customer ec2-describe-group
	assert_success
	assert_equal "$(mask <<<"$output")" "GROUP|sg-ID|ACCOUNT|default|default group|
PERMISSION|ACCOUNT|default|ALLOWS|tcp|0|65535|FROM|USER|ACCOUNT|NAME default|ID sg-ID|ingress
PERMISSION|ACCOUNT|default|ALLOWS|udp|0|65535|FROM|USER|ACCOUNT|NAME default|ID sg-ID|ingress
PERMISSION|ACCOUNT|default|ALLOWS|icmp|-1|-1|FROM|USER|ACCOUNT|NAME default|ID sg-ID|ingress"
	local before=$output id
	id=$(field_of GROUP 2 <<<"$output")
	[[ "$id" =~ ^sg-[0-9a-f]{17}$ ]]
	# the rules name the group's own id
	[ "$(grep -c "ID $id" <<<"$output")" -eq 3 ]
	[ "$(store_sql "SELECT count(*) FROM security_groups")" -eq 0 ]
	image
	run as_customer ec2-run-instances "$AMI"
	assert_success
	assert_equal "$(field_of RESERVATION 4 <<<"$output")" default
	assert_output --partial "${T}$id${T}default${T}false"
	assert_equal "$(store_sql "SELECT id, name FROM security_groups")" "$id|default"
	run as_customer ec2-describe-group
	assert_equal "$output" "$before"
	# another account has its own
	[ "$(as_other ec2-describe-group | field_of GROUP 2)" != "$id" ]
}

# --- ec2-add-group ------------------------------------------------------------

@test "add-group: GROUP, id, name, description; duplicate, default, sg- names, long or non-ASCII text and a VPC refused" {
	run --separate-stderr as_customer ec2-add-group web -d "Web servers"
	assert_success
	[[ "$output" =~ ^GROUP${T}sg-[0-9a-f]{17}${T}web${T}Web\ servers$ ]] || fail "$output"
	local sum
	sum=$(store_sum)
	refused 1 InvalidGroup.Duplicate as_customer ec2-add-group web -d again
	refused 1 InvalidGroup.Reserved as_customer ec2-add-group default -d x
	refused 1 InvalidParameterValue as_customer ec2-add-group sg-web -d x
	refused 1 InvalidParameterValue as_customer ec2-add-group "$(printf 'n%.0s' {1..256})" -d x
	refused 1 InvalidParameterValue as_customer ec2-add-group café -d x
	refused 1 InvalidParameterValue as_customer ec2-add-group web2 -d "é"
	refused 1 Unsupported as_customer ec2-add-group web2 -d x -c vpc-12345678
	assert_equal "$(store_sum)" "$sum"
	# 255 characters are accepted; another account may use the same name
	as_customer ec2-add-group "$(printf 'n%.0s' {1..255})" -d x >/dev/null
	run as_other ec2-add-group web -d "Web servers"
	assert_success
	usage_refused as_customer ec2-add-group web3
	usage_refused as_customer ec2-add-group -d x
	usage_refused as_customer ec2-add-group a b -d x
}

# --- ec2-authorize, ec2-revoke, ec2-describe-group ----------------------------

@test "authorize: CIDR, group and ICMP rules print what they add; describe-group shows them (whole output)" {
	as_customer ec2-add-group web -d "Web servers" >/dev/null
	run --separate-stderr as_customer ec2-authorize web -p 22
	assert_success
	assert_equal "$output" "GROUP${T}${T}${T}web${T}${T}
PERMISSION${T}${T}web${T}ALLOWS${T}tcp${T}22${T}22${T}FROM${T}CIDR${T}0.0.0.0/0${T}ingress"
	run as_customer ec2-authorize web -P udp -p 5000-5010 -s 10.0.0.0/8 -s 192.168.0.0/16
	assert_success
	run as_customer ec2-authorize "$(group_id web)" -P icmp -t 8:0 -o default
	assert_success
	assert_equal "$(mask <<<"$output")" "GROUP|sg-ID||||
PERMISSION||sg-ID|ALLOWS|icmp|8|0|FROM|USER||NAME default|ingress"
	# -o alone: all of TCP, UDP and ICMP from the group; another account's with -u
	local acct
	acct=$(as_customer ec2-describe-group default | field_of GROUP 3)
	as_other ec2-add-group admins -d Admins >/dev/null
	run as_customer ec2-authorize web -o admins -u "$(as_other ec2-describe-group admins | field_of GROUP 3)"
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	run --separate-stderr as_customer ec2-describe-group web
	assert_success
	assert_equal "$(mask <<<"$output")" "GROUP|sg-ID|ACCOUNT|web|Web servers|
PERMISSION|ACCOUNT|web|ALLOWS|tcp|0|65535|FROM|USER|ACCOUNT|NAME admins|ID sg-ID|ingress
PERMISSION|ACCOUNT|web|ALLOWS|tcp|22|22|FROM|CIDR|0.0.0.0/0|ingress
PERMISSION|ACCOUNT|web|ALLOWS|udp|0|65535|FROM|USER|ACCOUNT|NAME admins|ID sg-ID|ingress
PERMISSION|ACCOUNT|web|ALLOWS|udp|5000|5010|FROM|CIDR|10.0.0.0/8|ingress
PERMISSION|ACCOUNT|web|ALLOWS|udp|5000|5010|FROM|CIDR|192.168.0.0/16|ingress
PERMISSION|ACCOUNT|web|ALLOWS|icmp|-1|-1|FROM|USER|ACCOUNT|NAME admins|ID sg-ID|ingress
PERMISSION|ACCOUNT|web|ALLOWS|icmp|8|0|FROM|USER|ACCOUNT|NAME default|ID sg-ID|ingress"
	# the owner fields: the caller's account, the source group's owner
	[ "$(field_of PERMISSION 2 <<<"$output")" = "$acct" ]
	[ "$(grep 'NAME admins' <<<"$output" | head -n1 | cut -f10)" != "$acct" ]
}

@test "authorize: bad protocols, ports, codes, CIDRs, groups and duplicates refused by the service, the store unchanged" {
	as_customer ec2-add-group web -d w >/dev/null
	as_customer ec2-authorize web -p 22 >/dev/null
	as_other ec2-describe-group >/dev/null # its account made
	local sum
	sum=$(store_sum)
	refused 1 InvalidPermission.Duplicate as_customer ec2-authorize web -p 22
	refused 1 InvalidPermission.Duplicate as_customer ec2-authorize web -p 22 -s 0.0.0.0/0 -s 10.0.0.0/8
	refused 1 InvalidParameterValue as_customer ec2-authorize web -P gre -p 1
	refused 1 InvalidParameterValue as_customer ec2-authorize web -p 65536
	refused 1 InvalidParameterValue as_customer ec2-authorize web -p 80-22
	refused 1 InvalidParameterValue as_customer ec2-authorize web -P icmp -t 256:0
	for c in 10.0.0.0/33 10.0.0/8 256.0.0.0/8 010.0.0.0/8 10.0.0.0 x; do
		refused 1 InvalidParameterValue as_customer ec2-authorize web -p 80 -s "$c"
	done
	refused 1 InvalidGroup.NotFound as_customer ec2-authorize nosuch -p 80
	refused 1 InvalidGroup.NotFound as_customer ec2-authorize web -p 80 -o nosuch
	refused 1 InvalidGroup.NotFound as_customer ec2-authorize web -p 80 -o sg-0123456789abcdef0
	refused 1 InvalidGroupId.Malformed as_customer ec2-authorize sg-XYZ -p 80
	refused 1 InvalidUserID.Malformed as_customer ec2-authorize web -p 80 -o default -u 12
	# another account's group is not the caller's to change
	refused 1 InvalidGroup.NotFound as_other ec2-authorize "$(group_id web)" -p 80
	assert_equal "$(store_sum)" "$sum"
	# usage errors: nothing sent
	usage_refused as_customer ec2-authorize web
	usage_refused as_customer ec2-authorize web -P icmp -p 22
	usage_refused as_customer ec2-authorize web -t 8:0
	usage_refused as_customer ec2-authorize web -p 2x
	usage_refused as_customer ec2-authorize web -p 22 -u 123456789012
	usage_refused as_customer ec2-authorize -p 22
}

@test "revoke: removes exactly the rule named; a missing rule is refused" {
	as_customer ec2-add-group web -d w >/dev/null
	as_customer ec2-authorize web -p 22 >/dev/null
	as_customer ec2-authorize web -p 22 -s 10.0.0.0/8 >/dev/null
	as_customer ec2-authorize web -P all -o default >/dev/null
	run --separate-stderr as_customer ec2-revoke web -p 22
	assert_success
	assert_equal "$output" "GROUP${T}${T}${T}web${T}${T}
PERMISSION${T}${T}web${T}ALLOWS${T}tcp${T}22${T}22${T}FROM${T}CIDR${T}0.0.0.0/0${T}ingress"
	refused 1 InvalidPermission.NotFound as_customer ec2-revoke web -p 22
	refused 1 InvalidPermission.NotFound as_customer ec2-revoke web -p 22-23 -s 10.0.0.0/8
	run as_customer ec2-describe-group web
	assert_equal "$(grep -c '^PERMISSION' <<<"$output")" 2
	assert_output --partial "${T}tcp${T}22${T}22${T}FROM${T}CIDR${T}10.0.0.0/8${T}"
	# protocol -1: no ports
	assert_output --partial "ALLOWS${T}-1${T}${T}${T}FROM${T}USER${T}"
	as_customer ec2-revoke web -P all -o default >/dev/null
	as_customer ec2-revoke web -p 22 -s 10.0.0.0/8 >/dev/null
	run as_customer ec2-describe-group web
	refute_output --partial PERMISSION
	# the default group's own rules may go too
	as_customer ec2-revoke default -o default >/dev/null
	run as_customer ec2-describe-group default
	refute_output --partial PERMISSION
}

@test "describe-group: by name and id, filters, unknown and malformed refused; other accounts' groups unseen" {
	as_customer ec2-add-group web -d "Web servers" >/dev/null
	as_customer ec2-add-group db -d "Databases" >/dev/null
	as_customer ec2-authorize db -p 5432 -o web >/dev/null
	as_other ec2-add-group theirs -d x >/dev/null
	run as_customer ec2-describe-group
	assert_equal "$(grep '^GROUP' <<<"$output" | cut -f4 | tr '\n' ' ')" "db default web "
	run as_customer ec2-describe-group web "$(group_id db)"
	assert_equal "$(grep '^GROUP' <<<"$output" | cut -f4 | tr '\n' ' ')" "db web "
	run as_customer ec2-describe-group -F ip-permission.group-name=web
	assert_equal "$(grep '^GROUP' <<<"$output" | cut -f4)" db
	run as_customer ec2-describe-group -F ip-permission.from-port=5432 -F description='Data*'
	assert_equal "$(grep '^GROUP' <<<"$output" | cut -f4)" db
	run as_customer ec2-describe-group -F group-name=web -F group-name=default
	assert_equal "$(grep -c '^GROUP' <<<"$output")" 2
	run --separate-stderr as_customer ec2-describe-group -F vpc-id=vpc-12345678
	assert_success
	assert_output ""
	refused 1 InvalidGroup.NotFound as_customer ec2-describe-group nosuch
	refused 1 InvalidGroup.NotFound as_customer ec2-describe-group theirs
	refused 1 InvalidGroup.NotFound as_customer ec2-describe-group "$(as_other ec2-describe-group theirs | field_of GROUP 2)"
	refused 1 InvalidGroupId.Malformed as_customer ec2-describe-group sg-12
	refused 1 InvalidParameterValue as_customer ec2-describe-group -F no-such-filter=x
}

# --- launches -----------------------------------------------------------------

@test "run -g: names and ids; RESERVATION shows the names, INSTANCE the ids; unknown and malformed refused, nothing launched" {
	image
	as_customer ec2-add-group web -d w >/dev/null
	local web def
	web=$(group_id web)
	def=$(group_id default)
	run --separate-stderr as_customer ec2-run-instances "$AMI" -n 2 -g web -g "$def" -g web
	assert_success
	assert_equal "$(field_of RESERVATION 4 <<<"$output")" "web,default"
	assert_equal "$(grep '^INSTANCE' <<<"$output" | cut -f29 | sort -u)" "$web,$def"
	as_other ec2-add-group theirs -d x >/dev/null
	local sum
	sum=$(store_sum)
	refused 1 InvalidGroup.NotFound as_customer ec2-run-instances "$AMI" -g nosuch
	refused 1 InvalidGroup.NotFound as_customer ec2-run-instances "$AMI" -g sg-0123456789abcdef0
	refused 1 InvalidGroupId.Malformed as_customer ec2-run-instances "$AMI" -g sg-XYZ
	# another account's group does not exist for the caller
	refused 1 InvalidGroup.NotFound as_customer ec2-run-instances "$AMI" -g theirs
	refused 1 InvalidGroup.NotFound as_customer ec2-run-instances "$AMI" -g "$(as_other ec2-describe-group theirs | field_of GROUP 2)"
	assert_equal "$(store_sum)" "$sum"
	# describe-instances shows the same groups; the filters select by them
	run as_customer ec2-describe-instances
	assert_equal "$(field_of RESERVATION 4 <<<"$output")" "web,default"
	as_customer ec2-run-instances "$AMI" >/dev/null
	for f in group-name=web instance.group-name=web group-id="$web" instance.group-id="$web"; do
		run as_customer ec2-describe-instances -F "$f"
		assert_equal "$(grep -c '^INSTANCE' <<<"$output")" 2
	done
	run as_customer ec2-describe-instances -F group-name=default
	assert_equal "$(grep -c '^INSTANCE' <<<"$output")" 3
}

@test "run -g: the client token replays with the same groups; other groups are a mismatch" {
	image
	as_customer ec2-add-group web -d w >/dev/null
	local r1
	r1=$(as_customer ec2-run-instances "$AMI" -g web --client-token tok-1 | field_of RESERVATION 2)
	run as_customer ec2-run-instances "$AMI" -g "$(group_id web)" --client-token tok-1
	assert_success
	assert_equal "$(field_of RESERVATION 2 <<<"$output")" "$r1"
	refused 1 IdempotentParameterMismatch as_customer ec2-run-instances "$AMI" --client-token tok-1
	refused 1 IdempotentParameterMismatch as_customer ec2-run-instances "$AMI" -g default --client-token tok-1
}

# --- ec2-delete-group -----------------------------------------------------------

@test "delete-group: default never; in use until its instances are terminated; named by another group's rule refused" {
	AMI=$(at 2026-03-02T09:00:00Z as_customer ec2-register base | ami_of)
	at 2026-03-02T09:00:00Z as_customer ec2-add-group web -d w >/dev/null
	at 2026-03-02T09:00:00Z as_customer ec2-add-group db -d d >/dev/null
	as_customer ec2-authorize web -p 80 -o web >/dev/null
	local inst
	inst=$(at 2026-03-02T10:00:00Z as_customer ec2-run-instances "$AMI" -g web | inst_of)
	refused 1 CannotDelete as_customer ec2-delete-group default
	refused 1 CannotDelete as_customer ec2-delete-group "$(group_id default)"
	refused 1 InvalidGroup.InUse at 2026-03-02T11:00:00Z as_customer ec2-delete-group web
	at 2026-03-02T11:00:00Z as_customer ec2-terminate-instances "$inst" >/dev/null
	# shutting down still holds it
	refused 1 InvalidGroup.InUse at 2026-03-02T11:00:30Z as_customer ec2-delete-group web
	as_customer ec2-authorize db -p 5432 -o web >/dev/null
	run --separate-stderr at 2026-03-02T11:05:00Z as_customer ec2-delete-group web
	assert_failure 1
	[[ "$stderr" == "Client.InvalidGroup.InUse: Group sg-"*" is used by groups: $(group_id db)" ]] || fail "$stderr"
	as_customer ec2-revoke db -p 5432 -o web >/dev/null
	# its own rule naming itself goes with it
	run --separate-stderr at 2026-03-02T11:05:00Z as_customer ec2-delete-group web
	assert_success
	assert_equal "$output" "RETURN${T}true"
	refused 1 InvalidGroup.NotFound as_customer ec2-delete-group web
	refused 1 InvalidGroupId.Malformed as_customer ec2-delete-group sg-1
	# the terminated instance still shows the group it had
	run at 2026-03-02T11:06:00Z as_customer ec2-describe-instances "$inst"
	assert_equal "$(field_of RESERVATION 4 <<<"$output")" web
	# by id; and the name is free again, with a new id
	run as_customer ec2-delete-group "$(group_id db)"
	assert_success
	run as_customer ec2-add-group web -d again
	assert_success
}

@test "--dry-run: add, authorize, revoke, delete and run -g check everything and change nothing" {
	image
	as_customer ec2-add-group web -d w >/dev/null
	as_customer ec2-authorize web -p 22 >/dev/null
	local sum
	sum=$(store_sum)
	refused 1 DryRunOperation as_customer ec2-add-group db -d d --dry-run
	refused 1 DryRunOperation as_customer ec2-authorize web -p 80 --dry-run
	refused 1 InvalidPermission.Duplicate as_customer ec2-authorize web -p 22 --dry-run
	refused 1 DryRunOperation as_customer ec2-revoke web -p 22 --dry-run
	refused 1 DryRunOperation as_customer ec2-delete-group web --dry-run
	refused 1 DryRunOperation as_customer ec2-run-instances "$AMI" -g web --dry-run
	assert_equal "$(store_sum)" "$sum"
}

# --- through devpayd --------------------------------------------------------------

@test "devpayd: the flat form of the rules (IpProtocol, CidrIp; a SourceSecurityGroupName alone grants three rules); IPv6 refused" {
	serve_signed
	export AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET
	export EC2_URL="http://127.0.0.1:$DEVPAYD_PORT"
	ec2-add-group web -d w >/dev/null
	run signed us-east-1 Action=AuthorizeSecurityGroupIngress Version=2016-11-15 GroupName=web \
		IpProtocol=tcp FromPort=22 ToPort=22 CidrIp=10.1.0.0/16
	assert_success
	assert_output --partial "<return>true</return>"
	run signed us-east-1 Action=AuthorizeSecurityGroupIngress Version=2016-11-15 GroupName=web \
		SourceSecurityGroupName=default SourceSecurityGroupOwnerId="$(ec2-describe-group web | field_of GROUP 3)"
	assert_success
	run ec2-describe-group web
	assert_equal "$(grep '^PERMISSION' <<<"$output" | cut -f5-9 | mask)" "tcp|0|65535|FROM|USER
tcp|22|22|FROM|CIDR
udp|0|65535|FROM|USER
icmp|-1|-1|FROM|USER"
	run signed us-east-1 Action=RevokeSecurityGroupIngress Version=2016-11-15 GroupName=web \
		SourceSecurityGroupName=default
	assert_success
	run --separate-stderr signed us-east-1 Action=AuthorizeSecurityGroupIngress Version=2016-11-15 \
		GroupName=web IpProtocol=tcp FromPort=1 ToPort=2 CidrIp=0.0.0.0/0 SourceSecurityGroupName=default
	assert_failure
	[[ "$stderr" == Client.InvalidParameterCombination:* ]] || fail "$stderr"
	run --separate-stderr signed us-east-1 Action=AuthorizeSecurityGroupIngress Version=2016-11-15 \
		GroupName=web IpPermissions.1.IpProtocol=tcp IpPermissions.1.FromPort=1 \
		IpPermissions.1.ToPort=2 IpPermissions.1.Ipv6Ranges.1.CidrIpv6=::/0
	assert_failure
	[[ "$stderr" == Client.Unsupported:* ]] || fail "$stderr"
	run ec2-describe-group web
	assert_equal "$(grep -c '^PERMISSION' <<<"$output")" 1
}

@test "aws ec2: create, authorize, describe security groups; run-instances with groups by name and id; the instances' groups; delete" {
	need aws python3
	[ "${DEVPAY_TEST_MODE:-local}" = devpayd ] || serve_accounts
	awsc() {
		AWS_ACCESS_KEY_ID=$CUSTOMER_KEY AWS_SECRET_ACCESS_KEY=$CUSTOMER_SECRET AWS_DEFAULT_REGION=us-east-1 \
			AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
			aws --endpoint-url "$URL" --output text ec2 "$@"
	}
	local ami gid i1 i2
	ami=$(EC2_URL=$URL as_customer ec2-register base | ami_of)
	gid=$(awsc create-security-group --group-name g1 --description "group one" --query GroupId)
	[[ "$gid" =~ ^sg-[0-9a-f]{17}$ ]] || fail "$gid"
	run awsc authorize-security-group-ingress --group-name g1 --protocol tcp --port 22 --cidr 0.0.0.0/0
	assert_success
	run awsc describe-security-groups --group-names g1 \
		--query 'SecurityGroups[0].[GroupId,Description,IpPermissions[0].IpProtocol,IpPermissions[0].FromPort,IpPermissions[0].ToPort,IpPermissions[0].IpRanges[0].CidrIp]'
	assert_output "$gid${T}group one${T}tcp${T}22${T}22${T}0.0.0.0/0"
	i1=$(awsc run-instances --image-id "$ami" --count 1 --security-groups g1 --query 'Instances[0].InstanceId')
	i2=$(awsc run-instances --image-id "$ami" --count 1 --security-group-ids "$gid" "$(EC2_URL=$URL as_customer ec2-describe-group default | field_of GROUP 2)" --query 'Instances[0].InstanceId')
	# botocore reads the instance's own groupSet
	run awsc describe-instances --instance-ids "$i1" --query 'Reservations[0].Instances[0].SecurityGroups[].GroupName'
	assert_output g1
	run awsc describe-instances --filters Name=instance.group-name,Values=g1 --query 'Reservations[].[Instances[0].InstanceId,Groups[0].GroupId,Groups[1].GroupName]'
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "$i1${T}$gid${T}None" "$i2${T}$gid${T}default" | sort)"
	# the suite's commands through the same devpayd see the same
	run env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-group g1
	assert_output --partial "PERMISSION${T}"
	run awsc delete-security-group --group-name g1
	assert_failure
	assert_output --partial InvalidGroup.InUse
	EC2_URL=$URL as_customer ec2-add-group g2 -d two >/dev/null
	run awsc delete-security-group --group-name g2
	assert_success
	run env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-group
	assert_equal "$(grep '^GROUP' <<<"$output" | cut -f4 | tr '\n' ' ')" "default g1 "
}

@test "boto3: the describe_security_groups paginator in pages of 5; MaxResults out of bounds refused" {
	need python3
	[ "${DEVPAY_TEST_MODE:-local}" = devpayd ] || serve_accounts
	cat >"$BATS_TEST_TMPDIR/p.py" <<-PY
		import boto3, botocore
		from botocore.config import Config
		c = boto3.client("ec2", endpoint_url="$URL", region_name="us-east-1",
		    aws_access_key_id="$OTHER_KEY", aws_secret_access_key="$OTHER_SECRET",
		    config=Config(parameter_validation=False))
		for i in range(11):
		    c.create_security_group(GroupName="g%02d" % i, Description="d")
		pages = list(c.get_paginator("describe_security_groups").paginate(PaginationConfig={"PageSize": 5}))
		print(len(pages), " ".join(g["GroupName"] for p in pages for g in p["SecurityGroups"]))
		try:
		    c.describe_security_groups(MaxResults=4)
		except botocore.exceptions.ClientError as e:
		    print(e.response["Error"]["Code"])
	PY
	run python3 "$BATS_TEST_TMPDIR/p.py"
	assert_success
	assert_output "3 default g00 g01 g02 g03 g04 g05 g06 g07 g08 g09 g10
InvalidParameterValue"
}
