#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The unit programs of tests/unit/ (built into build/tests by `make check`):
# each prints TAP and exits non-zero when any of its checks failed.
load helpers

unit() {
	local prog="$ROOT/build/tests/$1"
	[ -x "$prog" ] || fail "$prog is missing: run 'make check'"
	run "$prog"
	if [ "$status" -ne 0 ] || [[ "$output" == *"not ok"* ]]; then
		printf '%s\n' "$output" | grep -A3 '^not ok' >&2
		fail "unit program $1 failed (exit $status)"
	fi
	[[ "$output" =~ 1\.\.[0-9]+$ ]] || fail "unit program $1 did not finish its plan"
}

@test "unit: common/base/money.c (parse, round to cents, format, prorate)" { unit money; }
@test "unit: common/base/clock.c (ISO 8601 forms, calendar, printing)" { unit clock; }
@test "unit: common/wire/query.c (RFC 3986 encoding, canonical order, parsing)" { unit query; }
@test "unit: common/wire/xml.c (answers, error documents, not-XML)" { unit xml; }
@test "unit: common/base/rates.c, rates_od.c (the EC2 rates as data, an operator's file, RI terms)" { unit rates; }
@test "unit: common/base/ids.c (identifier shapes)" { unit ids; }
@test "unit: common/wire/filter.c (wildcards, parameter patterns, Filter.N parsing)" { unit filter; }
@test "unit: common/base/text.c (the text rule: UTF-8, controls, lengths; cleaning; strict XML check)" { unit text; }
@test "unit: common/client/awsconf.c (profiles, the [services] ec2 endpoint, unsupported settings, credential_process answers)" { unit awsconf; }
@test "unit: common/service/service.c (answers written without libxml2 agree with the commit; text at the boundary)" {
	unit service
}
@test "unit: common/wire/sigv4.c (X-Amz-Date stamps: real dates only)" { unit sigv4; }
@test "unit: common/base/secret.c (salted hashes of local secrets)" { unit secret; }
@test "unit: common/service/svc_products.c (the price lookup: the most specific price wins)" { unit prices; }
@test "unit: common/wire/rsakey.c (key pair forms: base64, OpenSSH and RFC 4716 keys and their refusals, DER, PEM)" { unit rsakey; }
@test "unit: common/server/imds.c (metadata paths: trailing slashes, dated versions, user data) and common/base/base64.c" { unit imds; }
@test "unit: common/base/format.c (--output: text, JSON per RFC 8259, CSV per RFC 4180)" { unit format; }
