#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# What real EC2 clients send (the Java ec2-api-tools 1.6.7.1, the AWS CLI,
# boto3): parameters with their default values, filter names EC2 documents,
# pages of answers (MaxResults/NextToken), and a region this service does not
# serve. Raw requests are signed by botocore, not by the suite.
bats_require_minimum_version 1.5.0
load helpers

# launch N instances of a fresh image of the customer's, locally: AMI
launch() {
	AMI=$(as_customer ec2-register "base$1" --platform linux --root-device-type instance-store | ami_of)
	as_customer ec2-run-instances "$AMI" -n "$1" >/dev/null
}
ids_in() { grep -oE '<instanceId>i-[0-9a-f]+' | cut -d'>' -f2; }
token_in() { grep -oE '<nextToken>[^<]*' | cut -d'>' -f2; }

@test "RunInstances, RegisterImage, offerings: what the Java tools always send is accepted" {
	launch 1
	serve_signed
	run --separate-stderr as_customer signed us-east-1 Action=RunInstances Version=2016-11-15 \
		ImageId="$AMI" InstanceType=m1.small MinCount=1 MaxCount=1 EbsOptimized=false \
		DisableApiTermination=false Monitoring.Enabled=false Placement.Tenancy=default \
		InstanceInitiatedShutdownBehavior=terminate BlockDeviceMapping.1.DeviceName=/dev/sdb \
		BlockDeviceMapping.1.VirtualName=ephemeral0 AdditionalInfo=
	assert_success
	assert_output --partial '<instanceId>i-'
	# ec2-register of a bundle: the name comes from the manifest when none is given
	run --separate-stderr as_customer signed us-east-1 Action=RegisterImage Version=2016-11-15 \
		RootDeviceName=/dev/sda1 ImageLocation=bucket/dir/javareg.manifest.xml Architecture=x86_64
	assert_success
	assert_output --regexp '<imageId>ami-[0-9a-f]+</imageId>'
	run as_customer ec2-describe-images
	assert_line --regexp $'^IMAGE\tami-[0-9a-f]+\t[0-9]+/javareg\t'
	run --separate-stderr as_customer signed us-east-1 Action=DescribeReservedInstancesOfferings \
		Version=2016-11-15 IncludeMarketplace=true InstanceTenancy=default OfferingClass=standard
	assert_success
	assert_output --partial '<reservedInstancesOfferingId>'
	# a value that names what no offering here is: an empty answer
	run --separate-stderr as_customer signed us-east-1 Action=DescribeReservedInstancesOfferings \
		Version=2016-11-15 InstanceTenancy=dedicated
	assert_success
	refute_output --partial '<reservedInstancesOfferingId>'
}

@test "a parameter that asks for a feature this service lacks is refused, naming it; the store is unchanged" {
	launch 1
	serve_signed
	local before
	before=$(store_sum)
	local run=(Action=RunInstances Version=2016-11-15 ImageId="$AMI" MinCount=1 MaxCount=1)
	refused 1 Unsupported as_customer signed us-east-1 "${run[@]}" SubnetId=subnet-12345678
	assert_equal "$stderr" "Client.Unsupported: SubnetId is not supported: only EC2-Classic networking (no VPC, subnets or network interfaces)"
	refused 1 Unsupported as_customer signed us-east-1 "${run[@]}" EbsOptimized=true
	assert_equal "$stderr" "Client.Unsupported: EbsOptimized=true is not supported: no EBS-optimized instances"
	refused 1 Unsupported as_customer signed us-east-1 "${run[@]}" Monitoring.Enabled=true
	refused 1 Unsupported as_customer signed us-east-1 "${run[@]}" Placement.Tenancy=dedicated
	refused 1 InvalidParameterValue as_customer signed us-east-1 "${run[@]}" DisableApiTermination=maybe
	assert_equal "$stderr" "Client.InvalidParameterValue: Invalid value 'maybe' for DisableApiTermination: expected false/true"
	# as EC2: an instance-store root cannot be stopped
	refused 1 UnsupportedInstanceAttribute as_customer signed us-east-1 "${run[@]}" \
		InstanceInitiatedShutdownBehavior=stop
	refused 1 InvalidParameterValue as_customer signed us-east-1 "${run[@]}" \
		BlockDeviceMapping.1.DeviceName=/dev/sdb BlockDeviceMapping.1.VirtualName=swap
	refused 1 Unsupported as_customer signed us-east-1 Action=RegisterImage Version=2016-11-15 \
		Name=x RootDeviceName=/dev/sdz
	refused 1 InvalidManifest as_customer signed us-east-1 Action=RegisterImage Version=2016-11-15 \
		ImageLocation=bucket/image.xml
	refused 1 InvalidParameterCombination as_customer signed us-east-1 Action=RegisterImage \
		Version=2016-11-15 ImageLocation=b/x.manifest.xml RootDeviceType=ebs
	# what no client sends stays unknown
	refused 1 UnknownParameter as_customer signed us-east-1 "${run[@]}" Colour=blue
	assert_equal "$(store_sum)" "$before"
}

@test "filters EC2 documents about what is not here (vpc-id, subnet-id, ...) match nothing; unknown names are refused" {
	launch 2
	run --separate-stderr as_customer ec2-describe-instances --filter vpc-id=vpc-12345678
	assert_success
	assert_output ""
	run --separate-stderr as_customer ec2-describe-instances --filter vpc-id=vpc-12345678 \
		--filter instance-type=m1.small
	assert_output ""
	run --separate-stderr as_customer ec2-describe-instances --filter ebs-optimized=false
	assert_equal "$(grep -c '^INSTANCE' <<<"$output")" 2
	run --separate-stderr as_customer ec2-describe-images --filter kernel-id=aki-12345678
	assert_success
	assert_output ""
	refused 1 InvalidParameterValue as_customer ec2-describe-instances --filter colour=blue
}

@test "DescribeInstances in pages: MaxResults and NextToken give every instance once, in order" {
	launch 5
	serve_signed
	local all seen="" token="" page n=0
	all=$(as_customer signed us-east-1 Action=DescribeInstances Version=2016-11-15 | ids_in)
	assert_equal "$(wc -l <<<"$all")" 5
	while :; do
		page=$(as_customer signed us-east-1 Action=DescribeInstances Version=2016-11-15 MaxResults=2 \
			${token:+NextToken=$token})
		seen+="$(ids_in <<<"$page")"$'\n'
		n=$((n + 1))
		token=$(token_in <<<"$page" || true)
		[ -n "$token" ] || break
	done
	assert_equal "$n" 3
	assert_equal "$(grep . <<<"$seen")" "$all"
	# bounds, a token of another Action, a forged one, ids with MaxResults
	refused 1 InvalidParameterValue as_customer signed us-east-1 Action=DescribeInstances \
		Version=2016-11-15 MaxResults=1001
	assert_equal "$stderr" "Client.InvalidParameterValue: Value ( 1001 ) for parameter maxResults is invalid. Expecting a value between 1 and 1000."
	launch 1
	token=$(as_customer signed us-east-1 Action=DescribeImages Version=2016-11-15 Owner.1=self \
		MaxResults=1 | token_in)
	[ -n "$token" ]
	refused 1 InvalidParameterValue as_customer signed us-east-1 Action=DescribeInstances \
		Version=2016-11-15 NextToken="$token"
	refused 1 InvalidParameterValue as_customer signed us-east-1 Action=DescribeInstances \
		Version=2016-11-15 NextToken=zz
	refused 1 InvalidParameterCombination as_customer signed us-east-1 Action=DescribeInstances \
		Version=2016-11-15 MaxResults=5 InstanceId.1="$(head -n1 <<<"$all")"
}

@test "the AWS CLI and boto3 page through instances and images; offerings page when asked" {
	need aws python3
	launch 7
	serve_signed
	local page URL="http://127.0.0.1:$DEVPAYD_PORT"
	page=$(AWS_ACCESS_KEY_ID=$CUSTOMER_KEY AWS_SECRET_ACCESS_KEY=$CUSTOMER_SECRET AWS_DEFAULT_REGION=us-east-1 \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		aws --endpoint-url "$URL" --output json ec2 describe-instances --page-size 3 \
		--query 'length(Reservations[].Instances[])')
	assert_equal "$page" 7
	run python3 - "$URL" "$CUSTOMER_KEY" "$CUSTOMER_SECRET" <<'PY'
import sys, boto3
url, key, secret = sys.argv[1:]
c = boto3.client("ec2", endpoint_url=url, region_name="us-east-1",
                 aws_access_key_id=key, aws_secret_access_key=secret)
pages = list(c.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 3}))
ids = [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]]
assert len(pages) == 3 and len(ids) == 7 and len(set(ids)) == 7, (len(pages), ids)
imgs = [i["ImageId"] for p in c.get_paginator("describe_images").paginate(
    Owners=["self"], PaginationConfig={"PageSize": 1}) for i in p["Images"]]
assert len(imgs) == 1, imgs
offers = c.get_paginator("describe_reserved_instances_offerings").paginate(
    PaginationConfig={"PageSize": 10})
pages = list(offers)
n = sum(len(p["ReservedInstancesOfferings"]) for p in pages)
whole = len(c.describe_reserved_instances_offerings()["ReservedInstancesOfferings"])
assert n == whole and len(pages) > 1 and "NextToken" not in c.describe_reserved_instances_offerings(), (n, whole, len(pages))
print("ok")
PY
	assert_success
	assert_output ok
}

@test "the suite's describe commands follow NextToken and print every record" {
	unset DEVPAY_CHECK_XML
	local p1="$BATS_TEST_TMPDIR/p1.xml" p2="$BATS_TEST_TMPDIR/p2.xml" portfile="$BATS_TEST_TMPDIR/port"
	local item='<item><reservationId>r-%s</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet><item><instanceId>i-%s</instanceId><imageId>ami-12345678</imageId><instanceState><code>16</code><name>running</name></instanceState><instanceType>m1.small</instanceType></item></instancesSet></item>'
	{
		printf '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId><reservationSet>'
		printf "$item" 00000001 0000000000000001
		printf '</reservationSet><nextToken>page-two</nextToken></DescribeInstancesResponse>'
	} >"$p1"
	{
		printf '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>2</requestId><reservationSet>'
		printf "$item" 00000002 0000000000000002
		printf '</reservationSet></DescribeInstancesResponse>'
	} >"$p2"
	python3 "$BATS_TEST_DIRNAME/fake_endpoint.py" "$portfile" "$BATS_TEST_TMPDIR/log" "body:$p1" "body:$p2" \
		</dev/null >/dev/null 2>&1 3>&- &
	local pid=$! i
	for i in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.05; done
	run --separate-stderr env EC2_URL="http://127.0.0.1:$(cat "$portfile")" AWS_ACCESS_KEY=$CUSTOMER_KEY \
		AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-instances --filter instance-type=m1.small
	kill "$pid"
	assert_success
	assert_equal "$(grep '^INSTANCE' <<<"$output" | cut -f2 | tr '\n' ' ')" "i-0000000000000001 i-0000000000000002 "
	# the second request carries the token and the same filter once
	assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/log" | grep -o 'NextToken=page-two')" "NextToken=page-two"
	assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/log" | grep -o 'Filter\.1\.Name=instance-type' | wc -l)" 1
}

@test "a request signed for a region the service does not serve is refused naming it and the served ones" {
	serve_signed
	refused 1 InvalidRegion as_customer signed us-east-2 Action=DescribeInstances Version=2016-11-15
	assert_equal "$stderr" "Client.InvalidRegion: The request is signed for region 'us-east-2', which this service does not serve; it serves us-east-1, us-west-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1"
}

@test "one launch with a key pair, a group, tags and user data: the suite's commands, then the AWS CLI, alike" {
	need aws python3
	launch 1
	as_customer ec2-add-keypair k1 >/dev/null
	as_customer ec2-add-group web -d "web servers" >/dev/null
	local inst
	inst=$(as_customer ec2-run-instances "$AMI" -k k1 -g web --tag Name=suite -d hello | inst_of)
	[ -n "$inst" ]
	run as_customer ec2-describe-instances --filter tag:Name=suite --filter key-name=k1 \
		--filter instance.group-name=web
	assert_equal "$(inst_of <<<"$output")" "$inst"
	assert_line "$(printf 'TAG\tinstance\t%s\tName\tsuite' "$inst")"
	run as_customer ec2-describe-instance-attribute "$inst" --user-data
	assert_output "$(printf 'userData\t%s\thello' "$inst")"
	serve_signed
	local out id
	out=$(AWS_ACCESS_KEY_ID=$CUSTOMER_KEY AWS_SECRET_ACCESS_KEY=$CUSTOMER_SECRET AWS_DEFAULT_REGION=us-east-1 \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		aws --endpoint-url "http://127.0.0.1:$DEVPAYD_PORT" --output json ec2 run-instances \
		--image-id "$AMI" --instance-type m1.small --count 1 --key-name k1 --security-groups web \
		--tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=cli}]' --user-data hello)
	id=$(python3 -c 'import json,sys; i=json.load(sys.stdin)["Instances"][0]; print(i["InstanceId"], i["KeyName"], i["SecurityGroups"][0]["GroupName"], i["Tags"][0]["Value"])' <<<"$out")
	[[ "$id" =~ ^i-[0-9a-f]+\ k1\ web\ cli$ ]] || fail "answer: $id"
	run as_customer ec2-describe-instance-attribute "${id%% *}" --user-data
	assert_output "$(printf 'userData\t%s\thello' "${id%% *}")"
}
