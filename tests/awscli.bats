#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# A third-party client against devpayd: the AWS CLI, signing with SigV4.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	need aws python3
	fresh_store
	serve_accounts
}

awsc() { AWS_ACCESS_KEY_ID=$CUSTOMER_KEY AWS_SECRET_ACCESS_KEY=$CUSTOMER_SECRET awsx "$@"; }
awso() { AWS_ACCESS_KEY_ID=$OWNER_KEY AWS_SECRET_ACCESS_KEY=$OWNER_SECRET awsx "$@"; }
awsx() {
	AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
		aws --endpoint-url "$URL" --output json ec2 "$@"
}
# json EXPR < document: prints the Python expression over the parsed document d
T=$'\t'
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

# the suite's commands, through the same devpayd
suite_owner()    { EC2_URL=$URL as_owner "$@"; }
suite_customer() { EC2_URL=$URL as_customer "$@"; }

# A product of the owner's and a customer image carrying its code: PRODUCT, AMI.
paid_image() {
	PRODUCT=$(suite_owner devpay-register-product --name Remote --platform linux --instance-type m1.small=0.20 | code_of)
	AMI=$(suite_customer ec2-register r1 --platform linux --root-device-type instance-store | ami_of)
	suite_customer devpay-purchase-product "$PRODUCT" >/dev/null
	suite_customer ec2-associate-product-code "$AMI" -p "$PRODUCT" >/dev/null
}

@test "aws ec2 describe-images lists what the suite registered" {
	local ami
	ami=$(suite_customer ec2-register listed | ami_of)
	run awsc describe-images
	assert_success
	assert_equal "$(json 'len(d["Images"])' <<<"$output")" 1
	assert_equal "$(json 'd["Images"][0]["ImageId"]' <<<"$output")" "$ami"
	assert_equal "$(json 'd["Images"][0]["Name"]' <<<"$output")" listed
	assert_equal "$(json 'd["Images"][0]["State"]' <<<"$output")" available
}

@test "aws ec2 register-image registers an image the suite then describes" {
	run awsc register-image --name from-aws
	assert_success
	local ami
	ami=$(json 'd["ImageId"]' <<<"$output")
	[[ "$ami" =~ ^ami-[0-9a-f]{8,17}$ ]]
	run suite_customer ec2-describe-images "$ami"
	assert_success
	assert_output --partial $'\t'"$ami"$'\t'
	assert_output --partial "/from-aws"$'\t'
}

@test "aws ec2 modify-image-attribute --product-codes, then describe-image-attribute productCodes" {
	local code ami
	code=$(suite_owner devpay-register-product --name P --platform linux --instance-type m1.small=0.20 | code_of)
	ami=$(suite_customer ec2-register r2 | ami_of)
	run awsc modify-image-attribute --image-id "$ami" --product-codes "$code"
	assert_success
	run awsc describe-image-attribute --image-id "$ami" --attribute productCodes
	assert_success
	assert_equal "$(json 'd["ImageId"]' <<<"$output")" "$ami"
	assert_equal "$(json '[(p["ProductCodeId"], p["ProductCodeType"]) for p in d["ProductCodes"]]' <<<"$output")" "[('$code', 'devpay')]"
	run suite_customer ec2-describe-images "$ami"
	assert_output --partial "[devpay: $code]"
}

@test "aws ec2 with a wrong secret, or an unknown key, is refused" {
	AWS_ACCESS_KEY_ID=$CUSTOMER_KEY AWS_SECRET_ACCESS_KEY=wrong run -255 awsx describe-images
	assert_output --partial "(SignatureDoesNotMatch)"
	AWS_ACCESS_KEY_ID=AKNEVERSEEN00000001 AWS_SECRET_ACCESS_KEY=x run -255 awsx describe-images
	assert_output --partial "(AuthFailure)"
	assert_equal "$(sqlite3 "$DEVPAY_STORE" "SELECT count(*) FROM accounts WHERE access_key = 'AKNEVERSEEN00000001'")" 0
}

@test "aws ec2 run-instances, describe-instances, terminate-instances" {
	[ -x "$BIN/ec2-run-instances" ] || skip "ec2-run-instances is not built yet"
	paid_image
	run awsc run-instances --image-id "$AMI" --instance-type m1.small --count 1
	assert_success
	local id
	id=$(json 'd["Instances"][0]["InstanceId"]' <<<"$output")
	[[ "$id" =~ ^i-[0-9a-f]{8,17}$ ]]
	assert_equal "$(json 'd["Instances"][0]["ImageId"]' <<<"$output")" "$AMI"
	run awsc describe-instances
	assert_success
	assert_equal "$(json '[i["InstanceId"] for r in d["Reservations"] for i in r["Instances"]]' <<<"$output")" "['$id']"
	run suite_customer ec2-describe-instances
	assert_success
	assert_output --partial "$id"
	run awsc terminate-instances --instance-ids "$id"
	assert_success
	assert_equal "$(json 'd["TerminatingInstances"][0]["InstanceId"]' <<<"$output")" "$id"
	[[ "$(json 'd["TerminatingInstances"][0]["CurrentState"]["Name"]' <<<"$output")" =~ ^(shutting-down|terminated)$ ]]
}

@test "aws ec2 confirm-product-instance: the product owner sees the customer's instance" {
	[ -x "$BIN/ec2-run-instances" ] || skip "ec2-run-instances is not built yet"
	paid_image
	local id
	id=$(suite_customer ec2-run-instances "$AMI" -t m1.small | inst_of)
	run awso confirm-product-instance --product-code "$PRODUCT" --instance-id "$id"
	assert_success
	assert_equal "$(json 'd["Return"]' <<<"$output")" True
	[[ "$(json 'd["OwnerId"]' <<<"$output")" =~ ^[0-9]{12}$ ]]
}

@test "the README's devpayd example works as written: the suite and the AWS CLI with the same exports" {
	local lines
	# the "$ ..." lines of the README's devpayd section after the server is started
	lines=$(awk '/^## A shared store: devpayd/ { on = 1; next } /^## / { on = 0 }
		on && /^    \$ export|^    \$ ec2-|^    \$ aws / { sub(/^    \$ /, ""); print }' "$ROOT/README.md")
	[[ "$lines" == *"aws --endpoint-url"* ]] || fail "no aws line in the README: $lines"
	lines=${lines//AKIAEXAMPLE/$CUSTOMER_KEY}
	lines=${lines//http:\/\/127.0.0.1:8773\//$URL\/}
	suite_customer ec2-register readme-image >/dev/null
	run bash -ec "export SECRET='$CUSTOMER_SECRET' AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
		$lines"
	assert_success
	assert_output --partial readme-image
	assert_output --partial '"Reservations": []'
}

@test "aws ec2 --dry-run: DryRunOperation, and nothing changes (a describe afterwards shows it)" {
	[ -x "$BIN/ec2-run-instances" ] || skip "ec2-run-instances is not built yet"
	paid_image
	run --separate-stderr awsc run-instances --image-id "$AMI" --instance-type m1.small --count 1 --dry-run
	assert_failure
	[[ "$stderr" == *"(DryRunOperation)"*"Request would have succeeded, but DryRun flag is set."* ]] ||
		fail "stderr was: $stderr"
	run awsc describe-instances
	assert_success
	assert_equal "$(json 'len(d["Reservations"])' <<<"$output")" 0
	local id
	id=$(awsc run-instances --image-id "$AMI" --instance-type m1.small --count 1 | json 'd["Instances"][0]["InstanceId"]')
	run --separate-stderr awsc terminate-instances --instance-ids "$id" --dry-run
	assert_failure
	[[ "$stderr" == *"(DryRunOperation)"* ]] || fail "stderr was: $stderr"
	run awsc describe-instances --instance-ids "$id"
	[[ "$(json 'd["Reservations"][0]["Instances"][0]["State"]["Name"]' <<<"$output")" =~ ^(pending|running)$ ]]
	# describes take it too; a refusal is still the real one
	run --separate-stderr awsc describe-images --dry-run
	[[ "$stderr" == *"(DryRunOperation)"* ]] || fail "stderr was: $stderr"
	run --separate-stderr awsc run-instances --image-id ami-0123456789abcdef0 --count 1 --dry-run
	[[ "$stderr" == *"(InvalidAMIID.NotFound)"* ]] || fail "stderr was: $stderr"
}

@test "aws ec2 --filters: applied by the service, an unknown name refused" {
	[ -x "$BIN/ec2-run-instances" ] || skip "ec2-run-instances is not built yet"
	paid_image
	local id
	id=$(awsc run-instances --image-id "$AMI" --instance-type m1.small --count 1 | json 'd["Instances"][0]["InstanceId"]')
	run awsc describe-instances --filters Name=instance-state-name,Values=stopped
	assert_success
	assert_equal "$(json 'len(d["Reservations"])' <<<"$output")" 0
	run awsc describe-instances --filters Name=instance-state-name,Values=stopped,pending,running Name=instance-type,Values='m1.*'
	assert_equal "$(json '[i["InstanceId"] for r in d["Reservations"] for i in r["Instances"]]' <<<"$output")" "['$id']"
	run awsc describe-images --filters Name=product-code,Values="$PRODUCT"
	assert_equal "$(json '[i["ImageId"] for i in d["Images"]]' <<<"$output")" "['$AMI']"
	run awsc describe-images --filters Name=name,Values=nothing-like-it
	assert_equal "$(json 'len(d["Images"])' <<<"$output")" 0
	run --separate-stderr awsc describe-instances --filters Name=no-such-filter,Values=1
	assert_failure
	[[ "$stderr" == *"(InvalidParameterValue)"*"The filter 'no-such-filter' is invalid"* ]] || fail "stderr was: $stderr"
	run awsc describe-reserved-instances-offerings --filters Name=instance-type,Values=m1.small Name=availability-zone,Values=us-east-1a
	assert_equal "$(json 'sorted(o["ProductDescription"] for o in d["ReservedInstancesOfferings"])' <<<"$output")" "['Linux/UNIX', 'Windows']"
}

@test "aws ec2 with a parameter devpayd does not take: UnknownParameter, nothing launched" {
	[ -x "$BIN/ec2-run-instances" ] || skip "ec2-run-instances is not built yet"
	paid_image
	run --separate-stderr awsc run-instances --image-id "$AMI" --count 1 --instance-market-options MarketType=spot
	assert_failure
	[[ "$stderr" == *"(UnknownParameter)"*"The parameter InstanceMarketOptions.MarketType is not recognized"* ]] || fail "stderr was: $stderr"
	run awsc describe-instances
	assert_equal "$(json 'len(d["Reservations"])' <<<"$output")" 0
}

# --- paid AMIs: launch permissions, deregistration, regions and zones ---------

# The owner's own image carrying his product's code: PRODUCT, AMI, and the
# customer's account CUST (subscribed).
owner_paid_image() {
	PRODUCT=$(suite_owner devpay-register-product --name Sold --platform linux --instance-type m1.small=0.25 | code_of)
	AMI=$(suite_owner ec2-register sold --platform linux --root-device-type instance-store | ami_of)
	suite_owner ec2-modify-image-attribute "$AMI" -p "$PRODUCT" >/dev/null
	CUST=$(suite_customer devpay-purchase-product "$PRODUCT" | field_of SUBSCRIPTION 3)
}

@test "aws ec2 modify-image-attribute --launch-permission, describe-image-attribute --attribute launchPermission" {
	owner_paid_image
	run awso modify-image-attribute --image-id "$AMI" --launch-permission "Add=[{UserId=$CUST},{Group=all}]"
	assert_success
	run awso describe-image-attribute --image-id "$AMI" --attribute launchPermission
	assert_success
	assert_equal "$(json 'd["ImageId"]' <<<"$output")" "$AMI"
	assert_equal "$(json 'd["LaunchPermissions"]' <<<"$output")" "[{'Group': 'all'}, {'UserId': '$CUST'}]"
	run suite_owner ec2-describe-image-attribute "$AMI" -l
	assert_output "launchPermission${T}$AMI${T}group${T}all
launchPermission${T}$AMI${T}userId${T}$CUST"
	# the customer sees the shared image, public, with its code, and launches it
	run awsc describe-images --image-ids "$AMI"
	assert_success
	assert_equal "$(json 'd["Images"][0]["Public"]' <<<"$output")" True
	assert_equal "$(json 'd["Images"][0]["ProductCodes"][0]["ProductCodeId"]' <<<"$output")" "$PRODUCT"
	run awsc run-instances --image-id "$AMI" --instance-type m1.small --count 1
	assert_success
	assert_equal "$(json 'd["Instances"][0]["ProductCodes"][0]["ProductCodeId"]' <<<"$output")" "$PRODUCT"
	# but not its launch permissions
	run -255 awsc describe-image-attribute --image-id "$AMI" --attribute launchPermission
	assert_output --partial "(AuthFailure)"
	run awso modify-image-attribute --image-id "$AMI" --launch-permission "Remove=[{Group=all}]"
	assert_success
	run awso describe-image-attribute --image-id "$AMI" --attribute launchPermission
	assert_equal "$(json 'd["LaunchPermissions"]' <<<"$output")" "[{'UserId': '$CUST'}]"
}

@test "aws ec2 modify-image-attribute --operation-type with --user-ids and --user-groups" {
	owner_paid_image
	run awso modify-image-attribute --image-id "$AMI" --attribute launchPermission \
		--operation-type add --user-ids "$CUST" --user-groups all
	assert_success
	run suite_owner ec2-describe-image-attribute "$AMI" -l
	assert_equal "$(cut -f3,4 <<<"$output")" "group${T}all
userId${T}$CUST"
	run awso modify-image-attribute --image-id "$AMI" --attribute launchPermission \
		--operation-type remove --user-ids "$CUST"
	assert_success
	run suite_owner ec2-describe-image-attribute "$AMI" -l
	assert_output "launchPermission${T}$AMI${T}group${T}all"
	run -255 awso modify-image-attribute --image-id "$AMI" --launch-permission "Add=[{UserId=12345}]"
	assert_output --partial "(InvalidAMIAttributeItemValue)"
}

@test "aws ec2 describe-images --owners and --executable-users" {
	owner_paid_image
	suite_owner ec2-modify-image-attribute "$AMI" -l -a "$CUST" >/dev/null
	run awsc describe-images --owners self
	assert_success
	assert_equal "$(json 'len(d["Images"])' <<<"$output")" 0
	run awsc describe-images --executable-users self
	assert_equal "$(json '[i["ImageId"] for i in d["Images"]]' <<<"$output")" "['$AMI']"
	assert_equal "$(json 'd["Images"][0]["Public"]' <<<"$output")" False
	run awsc describe-images --executable-users all
	assert_equal "$(json 'len(d["Images"])' <<<"$output")" 0
}

@test "aws ec2 reset-image-attribute: launch permissions only, never the product code" {
	owner_paid_image
	suite_owner ec2-modify-image-attribute "$AMI" -l -a all >/dev/null
	run awso reset-image-attribute --image-id "$AMI" --attribute launchPermission
	assert_success
	run suite_owner ec2-describe-image-attribute "$AMI" -l
	assert_output ""
	run -255 awso reset-image-attribute --image-id "$AMI" --attribute productCodes
	assert_output --partial "(InvalidParameterValue)"
	run suite_owner ec2-describe-image-attribute "$AMI" -p
	assert_output "productCodes${T}$AMI${T}productCode${T}[devpay: $PRODUCT]"
}

@test "aws ec2 deregister-image: the image is gone for the suite too" {
	owner_paid_image
	run -255 awsc deregister-image --image-id "$AMI"
	assert_output --partial "(InvalidAMIID.NotFound)"
	run awso deregister-image --image-id "$AMI"
	assert_success
	run awso describe-images
	assert_equal "$(json 'len(d["Images"])' <<<"$output")" 0
	run suite_owner ec2-describe-images
	assert_output ""
}

@test "aws ec2 describe-regions and describe-availability-zones" {
	run awsc describe-regions
	assert_success
	assert_equal "$(json '[r["RegionName"] for r in d["Regions"]]' <<<"$output")" \
		"['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1']"
	assert_equal "$(json 'sorted(set(r["Endpoint"] for r in d["Regions"]))' <<<"$output")" "['$URL/']"
	run suite_customer ec2-describe-regions us-east-1
	assert_output "REGION${T}us-east-1${T}$URL/"
	run awsc describe-availability-zones
	assert_success
	assert_equal "$(json '[(z["ZoneName"], z["State"], z["RegionName"]) for z in d["AvailabilityZones"]][0]' <<<"$output")" \
		"('us-east-1a', 'available', 'us-east-1')"
	assert_equal "$(json 'len(d["AvailabilityZones"])' <<<"$output")" 5
}
