#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# --output text|json|csv: every command's records as tab-separated text (the
# default, unchanged), one JSON document, or RFC 4180 CSV (devpay(7), OUTPUT
# FORMATS; the writer itself: tests/unit/format.c).
bats_require_minimum_version 1.5.0
load helpers

setup() { fresh_store; }
teardown() {
	[ -z "${FAKE_PID:-}" ] || kill "$FAKE_PID" 2>/dev/null || true
	devpayd_stop
	answers_checked
}

# json FILE-OR-STDIN: parses as one JSON document and prints it back, one
# record a line, keys in order: Type=...|Key=value|...
json_records() {
	python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert isinstance(doc, list), "not an array"
for o in doc:
    assert all(isinstance(v, str) for v in o.values()), o
    print("|".join("%s=%s" % kv for kv in o.items()))'
}
# csv rows, fields joined by |
csv_rows() {
	python3 -c '
import csv, sys
for row in csv.reader(sys.stdin):
    print("|".join(row))'
}

# The DevPay guide's June: a $20 product at m1.large 0.50, the customer
# signed up on June 3 and ran 3 large hours.
june() {
	CODE=$(at 2008-06-01T08:00:00Z as_owner devpay-register-product --name "ABC AMI" \
		--platform linux --instance-type m1.large=0.50 --monthly-fee 20 | code_of)
	AMI=$(at 2008-06-01T09:00:00Z as_customer ec2-register img --platform linux | ami_of)
	at 2008-06-01T09:00:00Z as_customer ec2-associate-product-code "$AMI" -p "$CODE" >/dev/null
	at 2008-06-03T09:00:00Z as_customer devpay-purchase-product "$CODE" >/dev/null
	local id
	id=$(at 2008-06-06T10:00:00Z as_customer ec2-run-instances "$AMI" -t m1.large | inst_of)
	at 2008-06-06T12:30:00Z as_customer ec2-terminate-instances "$id" >/dev/null
}

@test "text stays the default, byte for byte: --output text and none print the same" {
	june
	local a b
	a=$(at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06 -H --show-empty-fields | od -c)
	b=$(at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06 -H --show-empty-fields --output text | od -c)
	assert_equal "$b" "$a"
	run at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06
	assert_line --index 1 --regexp $'^CHARGE\t[0-9A-F]{8}\tmonthly\tsign-up 2008-06-03, 28 of 30 days\t28/30\t20.00\t18.67$'
}

@test "devpay-bill --output json: one array, Type then the columns of -H, money as strings" {
	june
	run --separate-stderr at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06 --output json
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${lines[0]}" "["
	assert_equal "${lines[-1]}" "]"
	run json_records <<<"$output"
	assert_success
	assert_line --index 0 --regexp '^Type=BILL\|Account=[0-9]{12}\|Period=2008-06\|From=2008-06-01T00:00:00\+0000\|To=2008-07-01T00:00:00\+0000\|Role=customer\|ProductCode=$'
	assert_line --index 1 "Type=CHARGE|ProductCode=$CODE|Component=monthly|Description=sign-up 2008-06-03, 28 of 30 days|Quantity=28/30|UnitPrice=20.00|Amount=18.67"
	assert_line --index 2 "Type=CHARGE|ProductCode=$CODE|Component=usage|Description=us-east-1 Linux/UNIX m1.large|Quantity=3|UnitPrice=0.50|Amount=1.50"
	assert_line "Type=TOTAL|Scope=ALL|Description=total|Amount=20.17"
	# the keys are the -H header's names
	run at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06 -H
	assert_line --index 0 $'Type\tAccount\tPeriod\tFrom\tTo\tRole\tProductCode'
	# -H and --show-empty-fields shape text alone
	local a b
	a=$(at 2008-07-01T00:00:00Z as_owner devpay-bill --period 2008-06 --product "$CODE" --output json)
	b=$(at 2008-07-01T00:00:00Z as_owner devpay-bill --period 2008-06 --product "$CODE" --output json -H --show-empty-fields)
	assert_equal "$b" "$a"
	run json_records <<<"$a"
	assert_line --regexp '^Type=CUSTOMER\|ProductCode=[0-9A-F]{8}\|Account=[0-9]{12}\|OneTime=0.00\|Monthly=18.67\|Usage=1.50\|Revenue=20.17\|AwsCost=[0-9.]+\|ValueAdd=[0-9.]+\|DevPayFee=[0-9.]+\|Net=[0-9.]+\|OwnerPays=[0-9.]+$'
}

@test "ec2-describe-instances --output json: several RESERVATION, INSTANCE and TAG records, one document" {
	AMI=$(as_customer ec2-register img | ami_of)
	as_customer ec2-run-instances "$AMI" -n 2 --tag Name=web >/dev/null
	as_customer ec2-run-instances "$AMI" >/dev/null
	run --separate-stderr as_customer ec2-describe-instances --output json
	assert_success
	run json_records <<<"$output"
	assert_success
	assert_equal "$(grep -c '^Type=RESERVATION|ReservationID=r-' <<<"$output")" 2
	assert_equal "$(grep -c '^Type=INSTANCE|InstanceId=i-[0-9a-f]*|ImageId='"$AMI"'|' <<<"$output")" 3
	assert_equal "$(grep -c '^Type=TAG|ResourceType=instance|ResourceId=i-[0-9a-f]*|Key=Name|Value=web$' <<<"$output")" 2
	# the same records as the text, in the same order
	local text json
	text=$(as_customer ec2-describe-instances | cut -f1)
	json=$(as_customer ec2-describe-instances --output json | json_records | sed 's/^Type=\([^|]*\).*/\1/')
	assert_equal "$json" "$text"
	# every INSTANCE key, in the order of the text's columns
	run as_customer bash -c 'ec2-describe-instances --output json | python3 -c "import json,sys; print(\",\".join(json.load(sys.stdin)[1]))"'
	assert_output "Type,InstanceId,ImageId,PublicDNS,PrivateDNS,State,KeyName,LaunchIndex,ProductCodes,InstanceType,LaunchTime,AvailabilityZone,KernelId,RamdiskId,Platform,Monitoring,PublicIP,PrivateIP,VpcId,SubnetId,RootDeviceType,Lifecycle,SpotRequestId,LicensePool,PlacementGroup,VirtualizationType,Hypervisor,ClientToken,SecurityGroupIds,Tenancy,EbsOptimized,IamProfile"
}

@test "no record is [] in json and nothing in csv; a refused call prints [] (exit 1); a usage error prints nothing (exit 2)" {
	run --separate-stderr as_customer ec2-describe-instances --output json
	assert_success
	assert_output "[]"
	run --separate-stderr as_customer ec2-describe-tags --output csv
	assert_success
	assert_output ""
	# refused by the service before any record: still one JSON document
	run --separate-stderr as_customer ec2-describe-instances i-12345678 --output json
	assert_failure 1
	assert_equal "$stderr" "Client.InvalidInstanceID.NotFound: The instance ID 'i-12345678' does not exist"
	assert_output "[]"
	run --separate-stderr as_customer ec2-describe-instances i-12345678 --output csv
	assert_failure 1
	assert_output ""
	# a usage error, before or after the options: nothing on standard output
	run --separate-stderr as_customer devpay-bill --output json --period 2008-13
	assert_failure 2
	assert_output ""
	run --separate-stderr as_customer devpay-purchase-product --output json
	assert_failure 2
	assert_output ""
}

@test "--output xml, JSON and an empty word are usage errors naming the allowed values" {
	local v
	for v in xml JSON ''; do
		run --separate-stderr as_customer devpay-bill --output "$v"
		assert_failure 2
		assert_output ""
		assert_equal "${stderr_lines[0]}" "devpay-bill: invalid --output '$v': expected one of text, json, csv"
	done
	run --separate-stderr as_customer ec2-describe-instances --output
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "ec2-describe-instances: option '--output' requires an argument"
	run --separate-stderr ec2-describe-regions --help
	assert_output --partial "--output FORMAT"
}

@test "csv: a header row per record type, rows start with the type; comma and quote round-trip" {
	june
	run --separate-stderr at 2008-07-01T00:00:00Z as_customer devpay-bill --period 2008-06 --output csv
	assert_success
	[[ "$output" == *$'\r'* ]] || fail "CSV lines end in CR LF"
	run csv_rows <<<"$output"
	assert_success
	assert_line --index 0 "Type|Account|Period|From|To|Role|ProductCode"
	assert_line --index 1 --regexp '^BILL\|[0-9]{12}\|2008-06\|'
	assert_line --index 2 "Type|ProductCode|Component|Description|Quantity|UnitPrice|Amount"
	assert_line --index 3 "CHARGE|$CODE|monthly|sign-up 2008-06-03, 28 of 30 days|28/30|20.00|18.67"
	assert_line --index 4 "CHARGE|$CODE|usage|us-east-1 Linux/UNIX m1.large|3|0.50|1.50"
	assert_line --index 5 "Type|Scope|Description|Amount"
	assert_line --index 6 "TOTAL|$CODE|ABC AMI|20.17"
	assert_line --index 7 "TOTAL|ALL|total|20.17"
	assert_equal "${#lines[@]}" 8
	# a tag value with a comma, quotes and a semicolon comes back whole; text
	# values hold no line breaks (devpay(7), TEXT VALUES): the unit test
	# checks CR and LF
	AMI=$(as_customer ec2-register tagged | ami_of)
	as_customer ec2-create-tags "$AMI" --tag 'say, "hi"=a "quoted", value; ok' >/dev/null
	run --separate-stderr as_customer ec2-describe-tags --output csv
	assert_success
	run python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
assert rows[0] == ["Type", "ResourceType", "ResourceId", "Key", "Value"], rows
assert rows[1][3:] == ["say, \"hi\"", "a \"quoted\", value; ok"], rows
print(len(rows))' <<<"$output"
	assert_success
	assert_output 2
	# and JSON escapes the quotes
	run as_customer bash -c 'ec2-describe-tags --output json | python3 -c "import json,sys; print(json.load(sys.stdin)[0][\"Value\"])"'
	assert_output 'a "quoted", value; ok'
}

@test "csv and json: ec2-add-keypair's private key is a KeyMaterial field" {
	run --separate-stderr as_customer ec2-add-keypair k1 --output json
	assert_success
	run python3 -c '
import json, sys
(o,) = json.load(sys.stdin)
assert list(o) == ["Type", "KeyName", "Fingerprint", "KeyMaterial"], o
assert o["KeyMaterial"].startswith("-----BEGIN RSA PRIVATE KEY-----\n"), o
print(o["KeyName"])' <<<"$output"
	assert_output k1
	run --separate-stderr as_customer ec2-add-keypair k2 --output csv
	assert_success
	run python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
assert rows[0] == ["Type", "KeyName", "Fingerprint", "KeyMaterial"], rows
assert rows[1][0:2] == ["KEYPAIR", "k2"] and "PRIVATE KEY-----\n" in rows[1][3], rows
print(len(rows))' <<<"$output"
	assert_output 2
}

# A server that answers DescribeTags' first page, then refuses the next one.
fake_pages() {
	local port
	port=$(free_port)
	python3 - "$port" <<'PY' >/dev/null 2>&1 &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if "NextToken" not in body:
            code, doc = 200, ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<DescribeTagsResponse xmlns="http://ec2.amazonaws.com/doc/2013-10-15/">'
                '<requestId>r1</requestId><tagSet><item><resourceId>i-12345678</resourceId>'
                '<resourceType>instance</resourceType><key>Name</key><value>a, "b"</value>'
                '</item></tagSet><nextToken>page2</nextToken></DescribeTagsResponse>')
        else:
            code, doc = 400, ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
                '<Code>InvalidParameterValue</Code><Message>the page is gone</Message></Error>'
                '</Errors><RequestID>r2</RequestID></Response>')
        self.send_response(code)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(doc)))
        self.end_headers()
        self.wfile.write(doc.encode())
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
	FAKE_PID=$!
	wait_port "$port"
	export EC2_URL="http://127.0.0.1:$port/"
}

@test "json: a command refused after printing records still closes the array (exit status 1 as in text)" {
	fake_pages
	run --separate-stderr as_customer ec2-describe-tags --output json
	kill "$FAKE_PID"
	assert_failure 1
	assert_equal "$stderr" "Client.InvalidParameterValue: the page is gone"
	run json_records <<<"$output"
	assert_success
	assert_output 'Type=TAG|ResourceType=instance|ResourceId=i-12345678|Key=Name|Value=a, "b"'
	# the text of the same run: the record, then the same refusal
	fake_pages
	run --separate-stderr as_customer ec2-describe-tags
	kill "$FAKE_PID"
	assert_failure 1
	assert_output $'TAG\tinstance\ti-12345678\tName\ta, "b"'
}
