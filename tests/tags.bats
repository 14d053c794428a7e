#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Tags: ec2-create-tags, ec2-delete-tags, ec2-describe-tags, TAG records after
# INSTANCE and IMAGE records, the tag filters, tags at launch; and the same
# through devpayd from the AWS CLI and boto3.
bats_require_minimum_version 1.5.0
load helpers

T=$'\t'

# An image of the customer's and one instance of it: AMI, INST, RES.
launched() {
	AMI=$(as_customer ec2-register base | ami_of)
	local out
	out=$(as_customer ec2-run-instances "$AMI" "$@")
	INST=$(inst_of <<<"$out")
	RES=$(field_of RESERVATION 2 <<<"$out")
}

# --- ec2-create-tags, ec2-describe-tags, ec2-delete-tags ----------------------

@test "create-tags: a TAG record per resource and tag; describe-tags lists them; a key set again takes the new value" {
	launched
	run --separate-stderr as_customer ec2-create-tags "$INST" "$AMI" "$RES" --tag Name=web -t empty
	assert_success
	assert_output "TAG${T}instance${T}$INST${T}Name${T}web
TAG${T}instance${T}$INST${T}empty${T}
TAG${T}image${T}$AMI${T}Name${T}web
TAG${T}image${T}$AMI${T}empty${T}
TAG${T}reservation${T}$RES${T}Name${T}web
TAG${T}reservation${T}$RES${T}empty${T}"
	as_customer ec2-create-tags "$INST" --tag Name=db --tag 'spaced key=a value, with = and ü' >/dev/null
	run as_customer ec2-describe-tags -F resource-type=instance
	assert_output "TAG${T}instance${T}$INST${T}Name${T}db
TAG${T}instance${T}$INST${T}empty${T}
TAG${T}instance${T}$INST${T}spaced key${T}a value, with = and ü"
	run as_customer ec2-describe-tags -F key=Name -F 'value=w*'
	assert_output "TAG${T}image${T}$AMI${T}Name${T}web
TAG${T}reservation${T}$RES${T}Name${T}web"
	run as_customer ec2-describe-tags -F "resource-id=$RES"
	assert_equal "$(grep -c . <<<"$output")" 2
	# tags are the caller's own: another account sees none
	run as_other ec2-describe-tags
	assert_success
	assert_output ""
}

@test "delete-tags: a key whatever its value, KEY=VALUE only on that value, KEY= only when empty, no --tag every tag" {
	launched
	as_customer ec2-create-tags "$INST" --tag a=1 --tag b=2 --tag c --tag d=4 >/dev/null
	run as_customer ec2-delete-tags "$INST" --tag b=other --tag a
	assert_output "TAG${T}instance${T}$INST${T}b${T}other
TAG${T}instance${T}$INST${T}a${T}"
	as_customer ec2-delete-tags "$INST" --tag d= >/dev/null
	run as_customer ec2-describe-tags
	assert_output "TAG${T}instance${T}$INST${T}b${T}2
TAG${T}instance${T}$INST${T}c${T}
TAG${T}instance${T}$INST${T}d${T}4"
	as_customer ec2-delete-tags "$INST" --tag b=2 --tag c= >/dev/null
	run as_customer ec2-describe-tags
	assert_output "TAG${T}instance${T}$INST${T}d${T}4"
	run as_customer ec2-delete-tags "$INST"
	assert_success
	assert_output ""
	run as_customer ec2-describe-tags
	assert_output ""
}

@test "TAG records follow each INSTANCE (run and describe) and IMAGE record; run --tag tags every instance" {
	AMI=$(as_customer ec2-register base | ami_of)
	as_customer ec2-create-tags "$AMI" --tag Name=img >/dev/null
	run as_customer ec2-run-instances "$AMI" -n 2 --tag Name=web --tag role
	assert_success
	local a b r
	r=$(field_of RESERVATION 2 <<<"$output")
	a=$(grep '^INSTANCE' <<<"$output" | sed -n 1p | cut -f2)
	b=$(grep '^INSTANCE' <<<"$output" | sed -n 2p | cut -f2)
	assert_equal "$(cut -f1,2 <<<"$output" | tr '\t' ' ')" "RESERVATION $r
INSTANCE $a
TAG instance
TAG instance
INSTANCE $b
TAG instance
TAG instance"
	assert_line "TAG${T}instance${T}$a${T}Name${T}web"
	assert_line "TAG${T}instance${T}$a${T}role${T}"
	assert_line "TAG${T}instance${T}$b${T}Name${T}web"
	assert_line "TAG${T}instance${T}$b${T}role${T}"
	run as_customer ec2-describe-instances "$b"
	assert_equal "$(cut -f1,2 <<<"$output" | tr '\t' ' ')" "RESERVATION $r
INSTANCE $b
TAG instance
TAG instance"
	run as_customer ec2-describe-images
	assert_equal "$(cut -f1,2 <<<"$output" | tr '\t' ' ')" "IMAGE $AMI
TAG image"
	assert_line "TAG${T}image${T}$AMI${T}Name${T}img"
	# the same tags once more with the same client token is the same launch;
	# other tags with it are another request
	run as_customer ec2-run-instances "$AMI" --client-token tok --tag a=1 --tag b=2
	local first=$output
	run as_customer ec2-run-instances "$AMI" --client-token tok --tag b=2 --tag a=1
	assert_equal "$output" "$first"
	refused 1 IdempotentParameterMismatch as_customer ec2-run-instances "$AMI" --client-token tok --tag a=1
}

@test "describe-instances and describe-images: tag:KEY (wildcards), tag-key and tag-value filters" {
	launched
	local other
	other=$(as_customer ec2-run-instances "$AMI" | inst_of)
	as_customer ec2-create-tags "$INST" --tag Name=web-1 --tag env=prod >/dev/null
	as_customer ec2-create-tags "$other" --tag Name=db --tag 'a:b=c' >/dev/null
	as_customer ec2-create-tags "$AMI" --tag Name=web-img >/dev/null
	ids() { as_customer ec2-describe-instances "$@" | grep '^INSTANCE' | cut -f2 | sort | tr '\n' ' '; }
	assert_equal "$(ids -F tag:Name=web-1)" "$INST "
	assert_equal "$(ids -F 'tag:Name=web*')" "$INST "
	assert_equal "$(ids -F tag:Name=db -F tag:Name=web-1)" "$(printf '%s\n' "$INST" "$other" | sort | tr '\n' ' ')"
	assert_equal "$(ids -F tag:a:b=c)" "$other "
	assert_equal "$(ids -F tag-key=env)" "$INST "
	assert_equal "$(ids -F tag-key=Name)" "$(printf '%s\n' "$INST" "$other" | sort | tr '\n' ' ')"
	assert_equal "$(ids -F tag-value=prod)" "$INST "
	assert_equal "$(ids -F tag:Name=nothing)" ""
	assert_equal "$(ids -F tag:nokey=x)" ""
	run as_customer ec2-describe-images -F 'tag:Name=web-*'
	assert_equal "$(grep '^IMAGE' <<<"$output" | cut -f2)" "$AMI"
	run as_customer ec2-describe-images -F tag-value=other
	assert_output ""
	refused 1 InvalidParameterValue as_customer ec2-describe-instances -F tag:=x
	refused 1 InvalidParameterValue as_customer ec2-describe-instances -F tags=x
}

@test "refused: EC2's limits (50 a resource, key 127, value 255 characters), aws: keys, a key twice; the store unchanged" {
	launched
	local tags=() n k127 v255
	for n in $(seq 49); do tags+=(--tag "k$n=v"); done
	as_customer ec2-create-tags "$INST" "${tags[@]}" >/dev/null
	k127=$(printf 'é%.0s' $(seq 127))
	v255=$(printf 'ü%.0s' $(seq 255))
	run as_customer ec2-create-tags "$INST" --tag "$k127=$v255" --tag k1=again
	assert_success
	assert_equal "$(as_customer ec2-describe-tags | grep -c .)" 50
	local before
	before=$(store_sum)
	refused 1 TagLimitExceeded as_customer ec2-create-tags "$INST" --tag one-more
	refused 1 InvalidParameterValue as_customer ec2-create-tags "$AMI" --tag "${k127}x=v"
	refused 1 InvalidParameterValue as_customer ec2-create-tags "$AMI" --tag "k=${v255}x"
	refused 1 InvalidParameterValue as_customer ec2-create-tags "$AMI" --tag aws:name=x
	refused 1 InvalidParameterValue as_customer ec2-create-tags "$AMI" --tag AWS:name=x
	refused 1 InvalidParameterValue as_customer ec2-create-tags "$AMI" --tag =x
	refused 1 InvalidParameterValue as_customer ec2-create-tags "$AMI" --tag a=1 --tag a=2
	refused 1 InvalidParameterValue as_customer ec2-delete-tags "$INST" --tag aws:name
	# a launch's tags meet the same rules, and nothing is launched
	refused 1 InvalidParameterValue as_customer ec2-run-instances "$AMI" --tag aws:x=1
	refused 1 TagLimitExceeded as_customer ec2-run-instances "$AMI" "${tags[@]}" --tag k50 --tag k51
	assert_equal "$(store_sum)" "$before"
	# --dry-run: the answer of a success, nothing written
	refused 1 DryRunOperation as_customer ec2-create-tags "$AMI" --tag a=1 --dry-run
	refused 1 DryRunOperation as_customer ec2-delete-tags "$INST" --dry-run
	assert_equal "$(store_sum)" "$before"
}

@test "refused: ids that are malformed, unknown, of another kind or another account's; a shared image takes each account's own tags" {
	launched
	as_other ec2-describe-tags >/dev/null # its account made (a local store's first use)
	local before
	before=$(store_sum)
	refused 1 InvalidInstanceID.Malformed as_customer ec2-create-tags i-xyz --tag a
	refused 1 InvalidInstanceID.NotFound as_customer ec2-create-tags i-0123456789abcdef0 --tag a
	refused 1 InvalidAMIID.Malformed as_customer ec2-create-tags ami-1 --tag a
	refused 1 InvalidAMIID.NotFound as_customer ec2-create-tags ami-0123456789abcdef0 --tag a
	refused 1 InvalidReservationID.NotFound as_customer ec2-delete-tags r-0123456789abcdef0
	refused 1 InvalidID as_customer ec2-create-tags vol-12345678 --tag a
	# one bad id refuses the whole request
	refused 1 InvalidInstanceID.NotFound as_other ec2-create-tags "$INST" --tag a
	refused 1 InvalidAMIID.NotFound as_other ec2-create-tags "$AMI" --tag a
	refused 1 InvalidInstanceID.NotFound as_customer ec2-create-tags "$AMI" i-0123456789abcdef0 --tag a
	assert_equal "$(store_sum)" "$before"
	usage_refused as_customer ec2-create-tags "$INST"
	usage_refused as_customer ec2-create-tags --tag a=b
	usage_refused as_customer ec2-delete-tags
	usage_refused as_customer ec2-describe-tags "$INST"
	# a public image: each account tags it for itself and sees only its own
	as_customer ec2-modify-image-attribute "$AMI" -l -a all >/dev/null
	as_customer ec2-create-tags "$AMI" --tag Name=mine >/dev/null
	as_other ec2-create-tags "$AMI" --tag Name=theirs >/dev/null
	run as_other ec2-describe-images -F tag:Name=theirs -a
	assert_output --partial "TAG${T}image${T}$AMI${T}Name${T}theirs"
	refute_output --partial mine
	run as_customer ec2-describe-tags
	assert_output "TAG${T}image${T}$AMI${T}Name${T}mine"
	# a deregistered image takes every account's tags with it
	as_customer ec2-deregister "$AMI" >/dev/null
	assert_equal "$(store_sql "SELECT count(*) FROM tags WHERE resource = '$AMI'")" 0
}

@test "ec2-describe-tags follows nextToken: 1050 tags over pages of 1000, each once" {
	AMI=$(as_customer ec2-register base | ami_of)
	local ids tags=() n
	ids=$( { as_customer ec2-run-instances "$AMI" -n 20; as_customer ec2-run-instances "$AMI"; } | grep '^INSTANCE' | cut -f2)
	for n in $(seq 50); do tags+=(--tag "k$n=v$n"); done
	# shellcheck disable=SC2086
	as_customer ec2-create-tags $ids "${tags[@]}" >/dev/null
	run as_customer ec2-describe-tags
	assert_success
	assert_equal "$(grep -c '^TAG' <<<"$output")" 1050
	assert_equal "$(sort -u <<<"$output" | grep -c .)" 1050
}

# --- through devpayd: the AWS CLI and boto3 ----------------------------------

awsc() {
	AWS_ACCESS_KEY_ID=$CUSTOMER_KEY AWS_SECRET_ACCESS_KEY=$CUSTOMER_SECRET AWS_DEFAULT_REGION=us-east-1 \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_MAX_ATTEMPTS=1 \
		aws --endpoint-url "$URL" --output json ec2 "$@"
}
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
ids_of() { json '" ".join(i["InstanceId"] for r in d["Reservations"] for i in r["Instances"])'; }

@test "aws ec2: create-tags then the tag filter finds it; run-instances --tag-specifications; boto3 and the suite see the tags" {
	need aws python3
	[ -n "${DEVPAYD_URL:-}" ] || serve_accounts # a devpayd of its own, unless the file runs through one
	AMI=$(EC2_URL=$URL as_customer ec2-register base | ami_of)
	local one two
	one=$(EC2_URL=$URL as_customer ec2-run-instances "$AMI" | inst_of)
	run awsc create-tags --resources "$one" "$AMI" --tags Key=Name,Value=x
	assert_success
	assert_equal "$(awsc describe-instances --filters Name=tag:Name,Values=x | ids_of)" "$one"
	run awsc run-instances --image-id "$AMI" --count 1 \
		--tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=y}]'
	assert_success
	two=$(json 'd["Instances"][0]["InstanceId"]' <<<"$output")
	assert_equal "$(json 'd["Instances"][0]["Tags"]' <<<"$output")" "[{'Key': 'Name', 'Value': 'y'}]"
	assert_equal "$(awsc describe-instances --filters Name=tag:Name,Values=y | ids_of)" "$two"
	cat >"$BATS_TEST_TMPDIR/tags.py" <<-PY
		import boto3, botocore.exceptions
		c = boto3.client("ec2", endpoint_url="$URL", region_name="us-east-1",
		    aws_access_key_id="$CUSTOMER_KEY", aws_secret_access_key="$CUSTOMER_SECRET")
		try:
		    c.run_instances(ImageId="$AMI", MinCount=1, MaxCount=1, TagSpecifications=[
		        {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "v"}]}])
		    raise SystemExit("a volume's tags were accepted")
		except botocore.exceptions.ClientError as e:
		    assert e.response["Error"]["Code"] == "InvalidParameterValue", e.response
		    assert "volume is not supported" in e.response["Error"]["Message"], e.response
		def ids(**kw):
		    return sorted(i["InstanceId"] for r in c.describe_instances(**kw)["Reservations"] for i in r["Instances"])
		assert ids(Filters=[{"Name": "tag:Name", "Values": ["x", "y"]}]) == sorted(["$one", "$two"])
		assert ids(Filters=[{"Name": "tag-key", "Values": ["Name"]}, {"Name": "tag-value", "Values": ["y"]}]) == ["$two"]
		images = c.describe_images(Owners=["self"], Filters=[{"Name": "tag:Name", "Values": ["x"]}])["Images"]
		assert [(m["ImageId"], m["Tags"]) for m in images] == [("$AMI", [{"Key": "Name", "Value": "x"}])], images
		c.create_tags(Resources=["$two"], Tags=[{"Key": "env", "Value": ""}])
		c.delete_tags(Resources=["$one"], Tags=[{"Key": "Name", "Value": "x"}])
		assert ids(Filters=[{"Name": "tag:Name", "Values": ["x"]}]) == []
		tags = c.describe_instances(InstanceIds=["$two"])["Reservations"][0]["Instances"][0]["Tags"]
		assert tags == [{"Key": "Name", "Value": "y"}, {"Key": "env", "Value": ""}], tags
	PY
	run python3 "$BATS_TEST_TMPDIR/tags.py"
	assert_success
	run env EC2_URL="$URL" AWS_ACCESS_KEY=$CUSTOMER_KEY AWS_SECRET_KEY=$CUSTOMER_SECRET ec2-describe-instances "$two"
	assert_line "TAG${T}instance${T}$two${T}Name${T}y"
	assert_line "TAG${T}instance${T}$two${T}env${T}"
}

@test "aws ec2 describe-tags --page-size and boto3's paginator give every tag once; MaxResults and NextToken are checked" {
	need aws python3
	[ -n "${DEVPAYD_URL:-}" ] || serve_accounts # a devpayd of its own, unless the file runs through one
	AMI=$(EC2_URL=$URL as_customer ec2-register base | ami_of)
	local ids n tags=()
	ids=$(EC2_URL=$URL as_customer ec2-run-instances "$AMI" -n 3 | grep '^INSTANCE' | cut -f2)
	for n in $(seq 8); do tags+=(--tag "k$n=v$n"); done
	# shellcheck disable=SC2086
	EC2_URL=$URL as_customer ec2-create-tags $ids "$AMI" "${tags[@]}" >/dev/null
	run awsc describe-tags --page-size 5
	assert_success
	assert_equal "$(json 'len({(t["ResourceId"], t["Key"]) for t in d["Tags"]}), len(d["Tags"])' <<<"$output")" "32 32"
	cat >"$BATS_TEST_TMPDIR/pages.py" <<-PY
		import boto3, botocore.exceptions
		c = boto3.client("ec2", endpoint_url="$URL", region_name="us-east-1",
		    aws_access_key_id="$CUSTOMER_KEY", aws_secret_access_key="$CUSTOMER_SECRET")
		def pages(**kw):
		    return list(c.get_paginator("describe_tags").paginate(PaginationConfig={"PageSize": 5}, **kw))
		p = pages()
		tags = [(t["ResourceId"], t["Key"], t["Value"]) for q in p for t in q["Tags"]]
		assert [len(q["Tags"]) for q in p] == [5, 5, 5, 5, 5, 5, 2], [len(q["Tags"]) for q in p]
		assert len(tags) == len(set(tags)) == 32
		p = pages(Filters=[{"Name": "resource-type", "Values": ["image"]}])
		assert sorted(t["Key"] for q in p for t in q["Tags"]) == ["k%d" % n for n in range(1, 9)], p
		for bad, code in (({"MaxResults": 4}, "InvalidParameterValue"), ({"MaxResults": 1001}, "InvalidParameterValue"),
		                  ({"MaxResults": 5, "NextToken": "not-a-token"}, "InvalidPaginationToken")):
		    try:
		        c.describe_tags(**bad)
		        raise SystemExit("accepted: %s" % bad)
		    except botocore.exceptions.ClientError as e:
		        assert e.response["Error"]["Code"] == code, (bad, e.response["Error"])
		print("ok")
	PY
	run python3 "$BATS_TEST_TMPDIR/pages.py"
	assert_success
	assert_output ok
}
