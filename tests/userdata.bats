#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Issue 20: user data at launch, an instance's attributes, its status checks,
# and the metadata service's paths (user-data, trailing slashes, dated
# versions); the suite's commands on the local store, the AWS CLI and boto3
# against devpayd.
bats_require_minimum_version 1.5.0
load helpers

T=$'\t'
T0=2026-03-02T10:00:00Z

# An image of the customer's without a product code: AMI.
plain_image() { AMI=$(as_customer ec2-register plain --platform linux | ami_of); }

# The AWS CLI, as the customer, against the test's devpayd ($URL).
awsc() {
	AWS_ACCESS_KEY_ID=$CUSTOMER_KEY AWS_SECRET_ACCESS_KEY=$CUSTOMER_SECRET AWS_DEFAULT_REGION=us-east-1 \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		aws --endpoint-url "$URL" --output json ec2 "$@"
}
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
# boto3 SCRIPT: the script with `ec2`, a boto3 client of the customer's on $URL.
boto() {
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null python3 -c "
import boto3, sys
ec2 = boto3.client('ec2', endpoint_url='$URL', region_name='us-east-1',
                   aws_access_key_id='$CUSTOMER_KEY', aws_secret_access_key='$CUSTOMER_SECRET')
$1"
}
# An ISO time N seconds before now (devpayd honours the suite's DEVPAY_NOW:
# a launch or termination back-dated so that a waiter sees it change soon).
ago() { date -u -d "-$1 seconds" +%Y-%m-%dT%H:%M:%SZ; }

# raw < REQUESTS: each line one request of the customer's (NAME=VALUE fields
# joined by tabs), signed by botocore and sent as given to the test's devpayd
# (serve_signed first), all in one process; a line out for each: the refusal
# ("Client.Code: Message") or the answer's XML.
raw() {
	cat >"$BATS_TEST_TMPDIR/raw.py" <<-'PY'
		import os, sys, urllib.error, urllib.parse, urllib.request
		import xml.etree.ElementTree as ET
		from botocore.auth import SigV4Auth
		from botocore.awsrequest import AWSRequest
		from botocore.credentials import Credentials
		creds = Credentials(os.environ["AWS_ACCESS_KEY"], os.environ["AWS_SECRET_KEY"])
		url = sys.argv[1]
		for line in sys.stdin.read().splitlines():
		    pairs = [tuple(p.split("=", 1)) for p in line.split("\t")]
		    body = urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote).encode()
		    req = AWSRequest(method="POST", url=url, data=body, headers={
		        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
		    SigV4Auth(creds, "ec2", "us-east-1").add_auth(req)
		    try:
		        with urllib.request.urlopen(urllib.request.Request(
		                url, data=body, headers=dict(req.headers))) as r:
		            print(r.read().decode().replace("\n", ""))
		    except urllib.error.HTTPError as e:
		        err = ET.fromstring(e.read().decode()).find("Errors/Error")
		        print(f"Client.{err.findtext('Code')}: {err.findtext('Message')}")
	PY
	AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET \
		python3 "$BATS_TEST_TMPDIR/raw.py" "http://127.0.0.1:$DEVPAYD_PORT/"
}

# md_start INSTANCE: devpay-metadata as the customer, in the test's mode
# (EC2_URL as set), on a free port; sets MD.
md_start() {
	local port
	port=$(free_port)
	AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET \
		devpay-metadata --instance "$1" --listen "127.0.0.1:$port" </dev/null \
		>"$BATS_TEST_TMPDIR/md.out" 2>"$BATS_TEST_TMPDIR/md.err" 3>&- &
	MD_PID=$!
	MD="http://127.0.0.1:$port"
	wait_port "$port" || { cat "$BATS_TEST_TMPDIR/md.err" >&2; fail "devpay-metadata did not start"; }
}
teardown() {
	[ -z "${MD_PID:-}" ] || kill "$MD_PID" 2>/dev/null || true
	devpayd_stop
	answers_checked
}
code_at() { curl -s -o /dev/null -w '%{http_code}' "$1"; }
# A devpayd on the test's store (honouring the suite's DEVPAY_NOW), unless
# the file runs through one already; sets URL.
serve() {
	if [ "${DEVPAY_TEST_MODE:-local}" = devpayd ]; then
		URL=$DEVPAYD_URL
	else
		serve_accounts --trust-client-clock
	fi
}

# --- user data at launch ------------------------------------------------------

@test "user data: -d DATA and -f FILE; --user-data prints it decoded, empty without" {
	plain_image
	local a b c z
	a=$(at $T0 as_customer ec2-run-instances "$AMI" -d 'echo hello' | inst_of)
	printf '#!/bin/sh\necho\tfile\n' >"$BATS_TEST_TMPDIR/ud"
	b=$(at $T0 as_customer ec2-run-instances "$AMI" -f "$BATS_TEST_TMPDIR/ud" | inst_of)
	printf 'bin\0ary' >"$BATS_TEST_TMPDIR/bin"
	c=$(at $T0 as_customer ec2-run-instances "$AMI" --user-data-file "$BATS_TEST_TMPDIR/bin" | inst_of)
	z=$(at $T0 as_customer ec2-run-instances "$AMI" | inst_of)
	run --separate-stderr as_customer ec2-describe-instance-attribute "$a" --user-data
	assert_success
	assert_output "userData${T}$a${T}echo hello"
	# a record is one line: tabs and line ends inside it become spaces
	run as_customer ec2-describe-instance-attribute "$b" --user-data
	assert_output "userData${T}$b${T}#!/bin/sh echo file "
	# bytes a record cannot carry: printed as sent, in base64
	run as_customer ec2-describe-instance-attribute "$c" --user-data
	assert_output "userData${T}$c${T}$(printf 'bin\0ary' | base64)"
	run as_customer ec2-describe-instance-attribute "$z" --user-data
	assert_output "userData${T}$z${T}"
	# kept as sent, with the reservation of the launch
	assert_equal "$(store_sql "SELECT r.user_data FROM reservations r JOIN instances i ON i.reservation = r.id WHERE i.id = '$b'")" \
		"$(base64 -w0 "$BATS_TEST_TMPDIR/ud")"
}

@test "user data: more than 16384 bytes, or not base64, is refused and nothing is launched; 16384 bytes are taken" {
	plain_image
	head -c 16385 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
	local before
	before=$(store_sum)
	refused 1 InvalidParameterValue as_customer ec2-run-instances "$AMI" -f "$BATS_TEST_TMPDIR/big"
	[[ "$stderr" == *"User data is limited to 16384 bytes"* ]] || fail "$stderr"
	assert_equal "$(store_sum)" "$before"
	# what the suite's command cannot send: raw requests, signed by botocore
	# (serve_signed adds the test's accounts to the store first)
	serve_signed
	before=$(store_sum)
	local bad invalid="Client.InvalidParameterValue: Invalid BASE64 encoding of user data"
	run raw < <(for bad in 'not base64!' aGVsbG8 aGVsbG8== aGk=aGk= aGl= \
		"$(head -c 16385 /dev/zero | base64 -w0)"; do
		printf 'Action=RunInstances\tVersion=2016-11-15\tImageId=%s\tMinCount=1\tMaxCount=1\tUserData=%s\n' \
			"$AMI" "$bad"
	done)
	assert_success
	assert_output "$invalid
$invalid
$invalid
$invalid
$invalid
Client.InvalidParameterValue: User data is limited to 16384 bytes"
	assert_equal "$(store_sum)" "$before"
	head -c 16384 /dev/urandom >"$BATS_TEST_TMPDIR/max"
	run --separate-stderr as_customer ec2-run-instances "$AMI" -f "$BATS_TEST_TMPDIR/max"
	assert_success
	assert_equal "$(store_sql "SELECT count(*) FROM reservations WHERE user_data = '$(base64 -w0 "$BATS_TEST_TMPDIR/max")'")" 1
}

@test "user data: usage errors; a client token replays only with the same user data" {
	plain_image
	usage_refused as_customer ec2-run-instances "$AMI" -d x -f /etc/hostname
	[[ "$stderr" == *"-d DATA or -f FILE"* ]] || fail "$stderr"
	usage_refused as_customer ec2-run-instances "$AMI" -f "$BATS_TEST_TMPDIR/none"
	[[ "$stderr" == *"cannot read the user data file"* ]] || fail "$stderr"
	local r1 r2
	r1=$(as_customer ec2-run-instances "$AMI" -d one --client-token tok | field_of RESERVATION 2)
	r2=$(as_customer ec2-run-instances "$AMI" -d one --client-token tok | field_of RESERVATION 2)
	assert_equal "$r2" "$r1"
	refused 1 IdempotentParameterMismatch as_customer ec2-run-instances "$AMI" -d two --client-token tok
	refused 1 IdempotentParameterMismatch as_customer ec2-run-instances "$AMI" --client-token tok
	assert_equal "$(store_sql "SELECT count(*) FROM instances")" 1
}

# --- ec2-describe-instance-attribute -----------------------------------------

@test "instance attributes: each one ec2-api-tools prints, for an instance-store instance of a paid AMI" {
	local code id
	code=$(as_owner devpay-register-product --name Attr --platform linux --instance-type c1.medium=0.40 | code_of)
	plain_image
	as_customer ec2-associate-product-code "$AMI" -p "$code" >/dev/null
	as_customer devpay-purchase-product "$code" >/dev/null
	id=$(as_customer ec2-run-instances "$AMI" -t c1.medium | inst_of)
	local opt want
	while IFS='|' read -r opt want; do
		run --separate-stderr as_customer ec2-describe-instance-attribute "$id" $opt
		assert_success
		assert_output "${want//@/$id}"
	done <<-EOF
		-t|instanceType${T}@${T}c1.medium
		--kernel|kernel${T}@${T}
		-r|ramdisk${T}@${T}
		--disable-api-termination|disableApiTermination${T}@${T}false
		--instance-initiated-shutdown-behavior|instanceInitiatedShutdownBehavior${T}@${T}terminate
		--root-device-name|rootDeviceName${T}@${T}/dev/sda1
		-p|productCodes${T}@${T}[devpay: $code]
		--ebs-optimized|ebsOptimized${T}@${T}false
		-b|
	EOF
	run as_customer ec2-describe-instance-attribute -H "$id" -t
	assert_line --index 0 "Attribute${T}InstanceId${T}Value"
}

@test "instance attributes: refusals (unknown, another's, malformed, VPC-only) and usage errors" {
	plain_image
	local id before
	id=$(as_customer ec2-run-instances "$AMI" | inst_of)
	as_other ec2-describe-instances >/dev/null # its account, made on first use
	before=$(store_sum)
	refused 1 InvalidInstanceID.NotFound as_customer ec2-describe-instance-attribute i-0123456789abcdef0 -t
	refused 1 InvalidInstanceID.NotFound as_other ec2-describe-instance-attribute "$id" --user-data
	refused 1 InvalidInstanceID.Malformed as_customer ec2-describe-instance-attribute bogus -t
	refused 1 UnsupportedOperation as_customer ec2-describe-instance-attribute "$id" --source-dest-check
	[[ "$stderr" == *"EC2-Classic"* ]] || fail "$stderr"
	usage_refused as_customer ec2-describe-instance-attribute "$id"
	usage_refused as_customer ec2-describe-instance-attribute "$id" -t -k
	usage_refused as_customer ec2-describe-instance-attribute -t
	assert_equal "$(store_sum)" "$before"
	serve_signed
	local p="Action=DescribeInstanceAttribute${T}Version=2016-11-15${T}InstanceId=$id"
	run raw <<-EOF
		$p${T}Attribute=colour
		$p
		$p${T}Attribute=userData${T}DryRun=true
		$p${T}Attribute=userData
	EOF
	assert_success
	assert_line --index 0 "Client.InvalidParameterValue: Value (colour) for parameter attribute is invalid. Unknown attribute."
	assert_line --index 1 "Client.MissingParameter: The request must contain the parameter Attribute"
	assert_line --index 2 --partial "Client.DryRunOperation: "
	# the answer's shape: the id, then the attribute's value (an empty element without one)
	assert_line --index 3 --partial "<instanceId>$id</instanceId><userData/></DescribeInstanceAttributeResponse>"
}

# --- ec2-describe-instance-status --------------------------------------------

@test "instance status: running ones by default, pending and terminated with -A (whole outputs)" {
	plain_image
	local a b
	a=$(at 2026-03-02T10:00:00Z as_customer ec2-run-instances "$AMI" -z us-east-1b | inst_of)
	b=$(at 2026-03-02T10:05:00Z as_customer ec2-run-instances "$AMI" | inst_of)
	run --separate-stderr at 2026-03-02T10:05:05Z as_customer ec2-describe-instance-status
	assert_success
	assert_output "INSTANCE${T}$a${T}us-east-1b${T}running${T}16${T}ok${T}ok${T}active${T}
SYSTEMSTATUS${T}reachability${T}passed${T}
INSTANCESTATUS${T}reachability${T}passed${T}"
	run at 2026-03-02T10:05:05Z as_customer ec2-describe-instance-status -A
	assert_output "INSTANCE${T}$a${T}us-east-1b${T}running${T}16${T}ok${T}ok${T}active${T}
SYSTEMSTATUS${T}reachability${T}passed${T}
INSTANCESTATUS${T}reachability${T}passed${T}
INSTANCE${T}$b${T}us-east-1a${T}pending${T}0${T}initializing${T}initializing${T}active${T}
SYSTEMSTATUS${T}reachability${T}initializing${T}
INSTANCESTATUS${T}reachability${T}initializing${T}"
	at 2026-03-02T11:00:00Z as_customer ec2-terminate-instances "$a" >/dev/null
	run at 2026-03-02T12:00:00Z as_customer ec2-describe-instance-status
	assert_output "INSTANCE${T}$b${T}us-east-1a${T}running${T}16${T}ok${T}ok${T}active${T}
SYSTEMSTATUS${T}reachability${T}passed${T}
INSTANCESTATUS${T}reachability${T}passed${T}"
	run at 2026-03-02T12:00:00Z as_customer ec2-describe-instance-status --include-all-instances "$a"
	assert_output "INSTANCE${T}$a${T}us-east-1b${T}terminated${T}48${T}not-applicable${T}not-applicable${T}active${T}"
	run at 2026-03-02T12:00:00Z as_customer ec2-describe-instance-status -A -F instance-state-name=running
	assert_output --partial "$b"
	refute_output --partial "$a"
	run at 2026-03-02T12:00:00Z as_customer ec2-describe-instance-status -A -F event.code=instance-stop
	assert_output ""
	refused 1 InvalidInstanceID.NotFound as_other ec2-describe-instance-status "$a"
	refused 1 InvalidParameterValue as_customer ec2-describe-instance-status -F colour=red
}

@test "instance status: MaxResults bounds and pages; the command follows NextToken to the end" {
	sqlite_only
	plain_image
	local id
	id=$(at $T0 as_customer ec2-run-instances "$AMI" | inst_of)
	# 1200 more instances of the same launch, written straight into the store
	store_sql "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 1200)
		INSERT INTO instances(id, reservation, owner, image, type, region, zone, platform,
		  launch_index, launched)
		SELECT printf('i-%017x', k), reservation, owner, image, type, region, zone, platform, k, launched
		  FROM n, instances WHERE instances.id = '$id'"
	run --separate-stderr at 2026-03-03T00:00:00Z as_customer ec2-describe-instance-status
	assert_success
	assert_equal "$(grep -c "^INSTANCE$T" <<<"$output")" 1201
	assert_equal "$(grep "^INSTANCE$T" <<<"$output" | cut -f2 | sort -u | wc -l)" 1201
	serve_signed
	local p="Action=DescribeInstanceStatus${T}Version=2016-11-15"
	run raw <<-EOF
		$p${T}MaxResults=4
		$p${T}MaxResults=1001
		$p${T}MaxResults=5${T}InstanceId.1=$id
		$p${T}NextToken=garbage
		$p${T}MaxResults=1000
	EOF
	assert_success
	assert_line --index 0 --partial "Client.InvalidParameterValue: Value ( 4 ) for parameter maxResults is invalid"
	assert_line --index 1 --partial "Client.InvalidParameterValue: Value ( 1001 )"
	assert_line --index 2 "Client.InvalidParameterCombination: The parameter instancesSet cannot be used with the parameter maxResults"
	assert_line --index 3 "Client.InvalidPaginationToken: The pagination token 'garbage' is not valid"
	assert_equal "$(grep -o '<instanceId>' <<<"${lines[4]}" | wc -l)" 1000
	[[ "${lines[4]}" == *"<nextToken>"* ]] || fail "no nextToken"
}

# --- through devpayd: the AWS CLI, boto3, devpay-metadata ----------------------

@test "devpayd: aws ec2 run-instances --user-data; devpay-metadata serves it, dated versions and trailing slashes" {
	need aws curl
	serve
	local ami id
	ami=$(EC2_URL=$URL as_customer ec2-register md | ami_of)
	run awsc run-instances --image-id "$ami" --count 1 --user-data hello
	assert_success
	id=$(json 'd["Instances"][0]["InstanceId"]' <<<"$output")
	assert_equal "$(EC2_URL=$URL as_customer ec2-describe-instance-attribute "$id" --user-data)" "userData${T}$id${T}hello"
	EC2_URL=$URL md_start "$id"
	assert_equal "$(curl -sf "$MD/latest/user-data")" hello
	assert_equal "$(curl -sf "$MD/latest/meta-data/placement/availability-zone/")" us-east-1a
	assert_equal "$(curl -sf "$MD/latest/meta-data/instance-id/")" "$id"
	assert_equal "$(curl -sf "$MD/")" "$(printf '%s\n' 1.0 2007-01-19 2007-03-01 2007-08-29 2007-10-10 \
		2007-12-15 2008-02-01 2008-09-01 2009-04-04 latest)"
	assert_equal "$(curl -sf "$MD/2009-04-04/meta-data/instance-id")" "$id"
	assert_equal "$(curl -sf "$MD/1.0/user-data")" hello
	run curl -sf "$MD/latest/"
	assert_output "$(printf 'dynamic\nmeta-data\nuser-data')"
	assert_equal "$(code_at "$MD/2010-01-01/meta-data/instance-id")" 404
	assert_equal "$(code_at "$MD/latest/meta-data/instance-id//")" 404
	# an instance without user data: 404, and no user-data in the listing
	id=$(EC2_URL=$URL as_customer ec2-run-instances "$ami" | inst_of)
	kill "$MD_PID"
	EC2_URL=$URL md_start "$id"
	assert_equal "$(code_at "$MD/latest/user-data")" 404
	assert_equal "$(curl -sf "$MD/latest")" "$(printf 'dynamic\nmeta-data')"
}

@test "devpayd: boto3's waiters instance_status_ok, system_status_ok, instance_running, instance_exists, instance_terminated" {
	need python3
	serve
	local ami id id2
	ami=$(EC2_URL=$URL as_customer ec2-register w | ami_of)
	# launched 5 s ago: pending for a few seconds more (no status yet)
	id=$(EC2_URL=$URL DEVPAY_NOW=$(ago 5) as_customer ec2-run-instances "$ami" | inst_of)
	# and one launched 70 s ago, to terminate (a termination is never
	# dated before its launch)
	id2=$(EC2_URL=$URL DEVPAY_NOW=$(ago 70) as_customer ec2-run-instances "$ami" | inst_of)
	run boto "
import datetime
wait = {'Delay': 1, 'MaxAttempts': 20}
for w in ('instance_exists', 'instance_status_ok', 'system_status_ok', 'instance_running'):
    ec2.get_waiter(w).wait(InstanceIds=['$id'], WaiterConfig=wait)
st = ec2.describe_instance_status(InstanceIds=['$id'])['InstanceStatuses'][0]
print(st['InstanceState']['Name'], st['InstanceStatus']['Status'], st['SystemStatus']['Details'][0]['Status'])
# terminated 58 s ago (devpayd --trust-client-clock takes the suite's clock
# header): shutting down for a few seconds more
ago = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=58)
def pin(request, **kw):
    request.headers['X-Devpay-Now'] = ago.strftime('%Y-%m-%dT%H:%M:%SZ')
ec2.meta.events.register('before-sign.ec2.TerminateInstances', pin)
ec2.terminate_instances(InstanceIds=['$id2'])
ec2.get_waiter('instance_terminated').wait(InstanceIds=['$id2'], WaiterConfig=wait)
print(ec2.describe_instance_status(InstanceIds=['$id2'], IncludeAllInstances=True)['InstanceStatuses'][0]['InstanceState'])"
	assert_success
	assert_output "running ok passed
{'Code': 48, 'Name': 'terminated'}"
}

@test "devpayd: aws ec2 describe-instance-status --page-size and boto3's paginator see every instance once" {
	need aws python3
	serve
	local ami
	ami=$(EC2_URL=$URL as_customer ec2-register p | ami_of)
	EC2_URL=$URL DEVPAY_NOW=$T0 as_customer ec2-run-instances "$ami" -n 12 >/dev/null
	run awsc describe-instance-status --page-size 5
	assert_success
	assert_equal "$(json 'len(set(s["InstanceId"] for s in d["InstanceStatuses"]))' <<<"$output")" 12
	run boto "
pages = list(ec2.get_paginator('describe_instance_status').paginate(PaginationConfig={'PageSize': 5}))
print([len(p['InstanceStatuses']) for p in pages], len({s['InstanceId'] for p in pages for s in p['InstanceStatuses']}))
try:
    ec2.describe_instance_status(MaxResults=4)
except ec2.exceptions.ClientError as e:
    print(e.response['Error']['Code'])
# boto3 sends UserData base64-encoded; the attribute comes back so
i = ec2.run_instances(ImageId='$ami', MinCount=1, MaxCount=1, UserData='#!/bin/sh')['Instances'][0]
a = ec2.describe_instance_attribute(InstanceId=i['InstanceId'], Attribute='userData')
print(a['InstanceId'] == i['InstanceId'], a['UserData'])"
	assert_success
	assert_output "[5, 5, 2] 12
InvalidParameterValue
True {'Value': 'IyEvYmluL3No'}"
}
