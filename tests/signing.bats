#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The signing helpers (common/wire/sigv4.c, common/wire/sigv2.c) against AWS's
# published vectors, and against an independent computation with openssl.
bats_require_minimum_version 1.5.0
load helpers

SIGTEST="$ROOT/build/tests/sigtest"
AK=AKIDEXAMPLE
SK='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
D=20150830T123600Z

setup() {
	[ -x "$SIGTEST" ] || fail "build/tests/sigtest is missing: run make"
}

v4() { # v4 METHOD QUERY PAYLOAD HEADER... (the test suite's fixed request)
	local m=$1 q=$2 p=$3
	shift 3
	"$SIGTEST" v4 "$m" / "$q" "$p" "$D" us-east-1 service "$AK" "$SK" "$@"
}

authz() { # the Authorization line of sigtest's output
	tail -n 1
}

@test "sigv4: get-vanilla, canonical request, string to sign and Authorization as published" {
	run v4 GET "" "" Host:example.amazonaws.com X-Amz-Date:$D
	assert_success
	assert_output "GET
/

host:example.amazonaws.com
x-amz-date:20150830T123600Z

host;x-amz-date
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
--
AWS4-HMAC-SHA256
20150830T123600Z
20150830/us-east-1/service/aws4_request
bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
--
AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
}

@test "sigv4: post-vanilla" {
	run v4 POST "" "" Host:example.amazonaws.com X-Amz-Date:$D
	assert_success
	assert_equal "$(authz <<<"$output")" "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
}

@test "sigv4: post-vanilla-query" {
	run v4 POST "Param1=value1" "" Host:example.amazonaws.com X-Amz-Date:$D
	assert_success
	assert_equal "$(authz <<<"$output")" "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"
}

@test "sigv4: get-vanilla-query-order-key-case sorts the query" {
	run v4 GET "Param2=value2&Param1=value1" "" Host:example.amazonaws.com X-Amz-Date:$D
	assert_success
	assert_line --index 2 "Param1=value1&Param2=value2"
	assert_equal "$(authz <<<"$output")" "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
}

@test "sigv4: post-x-www-form-urlencoded signs the body and the content type" {
	run v4 POST "" "Param1=value1" Content-Type:application/x-www-form-urlencoded \
		Host:example.amazonaws.com X-Amz-Date:$D
	assert_success
	assert_equal "$(authz <<<"$output")" "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
}

@test "sigv4: header names lower-cased and sorted, values trimmed, repeats joined by commas" {
	run v4 GET "" "" "My-Header1:  a   b  " X-Amz-Date:$D Host:example.amazonaws.com My-Header1:c
	assert_success
	# (bats' lines leave out the empty ones)
	assert_line --index 2 "host:example.amazonaws.com"
	assert_line --index 3 "my-header1:a b,c"
	assert_line --index 4 "x-amz-date:20150830T123600Z"
	assert_line --index 5 "host;my-header1;x-amz-date"
}

hmac_hex() { # hmac_hex HEXKEY DATA
	printf '%s' "$2" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$1" | awk '{print $NF}'
}

@test "sigv4: the signature equals openssl's HMAC chain over the printed string to sign" {
	local secret region=eu-west-1 date=20261127T120000Z
	secret=$(openssl rand -base64 30)
	run "$SIGTEST" v4 POST / "" "Action=DescribeImages&Version=2016-11-15" "$date" "$region" ec2 AKX "$secret" \
		"Content-Type:application/x-www-form-urlencoded; charset=utf-8" Host:127.0.0.1:8773 X-Amz-Date:$date
	assert_success
	local sts sig k
	sts=$(awk 'n==1 && $0 != "--"; /^--$/ {n++}' <<<"$output")
	# the canonical request hashes to the string to sign's last line
	assert_equal "$(sed -n '/^--$/q;p' <<<"$output" | head -c -1 | sha256sum | cut -d' ' -f1)" "$(tail -n 1 <<<"$sts")"
	k=$(printf '%s' "AWS4$secret" | od -An -tx1 | tr -d ' \n')
	k=$(hmac_hex "$k" "${date:0:8}")
	k=$(hmac_hex "$k" "$region")
	k=$(hmac_hex "$k" ec2)
	k=$(hmac_hex "$k" aws4_request)
	sig=$(hmac_hex "$k" "$sts")
	assert_equal "$(authz <<<"$output" | sed 's/.*Signature=//')" "$sig"
}

@test "sigv4: a received Authorization header is parsed; malformed ones are refused" {
	run "$SIGTEST" parse "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
	assert_success
	assert_output "AKIDEXAMPLE 20150830 us-east-1 ec2 host;x-amz-date 5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
	local bad
	for bad in "AWS4-HMAC-SHA1 Credential=A/20150830/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=$(printf '%064d' 0)" \
		"AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/ec2, SignedHeaders=host, Signature=$(printf '%064d' 0)" \
		"AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/ec2/aws4_request, Signature=$(printf '%064d' 0)" \
		"AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=abc" \
		"AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/ec2/aws4_request/x, SignedHeaders=host, Signature=$(printf '%064d' 0)" \
		"AWS4-HMAC-SHA256 Credential=A/2015/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=$(printf '%064d' 0)" \
		"AWS4-HMAC-SHA256 Bogus=1, Credential=A/20150830/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=$(printf '%064d' 0)"; do
		run "$SIGTEST" parse "$bad"
		assert_failure 1
		assert_output malformed
	done
}

@test "sigv2: the published example (HmacSHA256)" {
	run "$SIGTEST" v2 GET elasticmapreduce.amazonaws.com / 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' \
		'Action=DescribeJobFlows&Version=2009-03-31&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&SignatureVersion=2&SignatureMethod=HmacSHA256&Timestamp=2011-10-03T15%3A19%3A30'
	assert_success
	assert_output "GET
elasticmapreduce.amazonaws.com
/
AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Action=DescribeJobFlows&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2011-10-03T15%3A19%3A30&Version=2009-03-31
--
i91nKc4PWAt0JJIdXwz9HxZCJDdiy6cf/Mj6vPxyYIs="
}

@test "sigv2: the signature equals openssl's HMAC-SHA256 of the string to sign; Signature itself is left out" {
	local secret sts
	secret=$(openssl rand -base64 30)
	run "$SIGTEST" v2 POST 127.0.0.1:8773 / "$secret" \
		'Version=2016-11-15&Action=DescribeImages&ImageId.1=ami-12345678&Name=a%20b%2Bc%7E&Signature=old&AWSAccessKeyId=AK&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2026-11-27T12%3A00%3A00Z'
	assert_success
	sts=$(sed -n '/^--$/q;p' <<<"$output")
	assert_equal "$(tail -n 1 <<<"$sts")" "AWSAccessKeyId=AK&Action=DescribeImages&ImageId.1=ami-12345678&Name=a%20b%2Bc~&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2026-11-27T12%3A00%3A00Z&Version=2016-11-15"
	assert_equal "$(tail -n 1 <<<"$output")" "$(printf '%s' "$sts" | openssl dgst -sha256 -hmac "$secret" -binary | base64)"
}
