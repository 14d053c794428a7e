#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# devpayd's pages (devpayd(8), PAGES IN A BROWSER): the purchase page, sign-in and
# sign-out with a session cookie and CSRF tokens, the Application Billing
# page (devpay-bill's figures) and the Activity page (the owner's report),
# read with curl from a devpayd on a loopback port, and once in a real
# browser (headless Chromium driven by playwright-core, tests/browser/).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	fresh_store
	if [ -z "${DEVPAYD_PID:-}" ]; then
		serve_accounts --trust-client-clock || return 1
		export EC2_URL="$URL"
	fi
	U=$URL
	export DEVPAY_NOW=2026-05-02T00:00:00Z
	NOW_HDR="X-Devpay-Now: 2026-05-20T00:00:00Z"
	JAR="$BATS_TEST_TMPDIR/jar"
}

product() { # product NAME: registers a product as the owner; prints its code
	as_owner devpay-register-product --name "$1" --description "Supported <b>AMI</b>" \
		--platform linux --instance-type m1.small=0.2 --monthly-fee 20 --one-time-fee 1.5 \
		--region us-east-1 --region eu-west-1 | awk -F'\t' '$1 == "PRODUCT" { print $2; exit }'
}
signin() { # signin KEY SECRET [JAR]: posts the form; prints the headers
	curl -s -c "${3:-$JAR}" -o /dev/null -D - --data-urlencode "access_key=$1" \
		--data-urlencode "secret_key=$2" "$U/signin"
}
page() { curl -s -H "$NOW_HDR" "$@"; }
status_of() { curl -s -o /dev/null -w '%{http_code}' -H "$NOW_HDR" "$@"; }
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1; }

@test "pages: the purchase page shows the product, its prices and fees, escaped; 404 for no product" {
	code=$(product 'P<script>alert(1)</script>')
	run page "$U/purchase/$code"
	assert_success
	assert_output --partial '<meta name="viewport"'
	assert_output --partial "<code>$code</code>"
	assert_output --partial 'P&lt;script&gt;alert(1)&lt;/script&gt;'
	refute_output --partial '<script>'
	assert_output --partial 'Supported &lt;b&gt;AMI&lt;/b&gt;'
	assert_output --partial '<td>eu-west-1</td><td>linux</td><td>m1.small</td><td class="n">$0.20</td>'
	assert_output --partial '<td class="n">$20.00</td>'
	assert_output --partial '<td class="n">$1.50</td>'
	# not signed in: a link to sign in, no Subscribe button
	assert_output --partial "href=\"/signin?next=/purchase/$code\""
	refute_output --partial 'Subscribe</button>'
	[ "$(status_of "$U/purchase/0BADC0DE")" = 404 ]
	[ "$(status_of "$U/purchase/not-a-code")" = 404 ]
	# the Query API is still answered beside the pages
	run as_customer devpay-describe-products "$code"
	assert_success
}

@test "pages: a product registered through devpayd names its purchase page; the command takes that URL" {
	run --separate-stderr as_owner devpay-register-product --name P --platform linux --instance-type m1.small=0.2
	assert_success
	url=$(field_of PRODUCT 10 <<<"$output")
	code=$(field_of PRODUCT 2 <<<"$output")
	assert_equal "$url" "$U/purchase/$code"
	[ "$(status_of "$url")" = 200 ]
	run --separate-stderr as_customer devpay-purchase-product "$url"
	assert_success
	assert_output --partial "$code"
}

@test "pages: sign-in sets an HttpOnly, SameSite=Strict session cookie; a wrong pair is refused alike" {
	run signin "$CUSTOMER_KEY" "$CUSTOMER_SECRET"
	assert_output --partial 'HTTP/1.1 303'
	assert_output --regexp $'Location: /bill\r'
	cookie=$(grep -i '^set-cookie:' <<<"$output")
	[[ "$cookie" =~ devpay_session=[0-9a-f]{64}\; ]] || fail "session id: $cookie"
	for a in HttpOnly 'SameSite=Strict' 'Path=/' 'Max-Age=3600'; do
		[[ "$cookie" == *"; $a"* ]] || fail "no $a in: $cookie"
	done
	[[ "$cookie" != *Secure* ]] || fail "Secure over plain HTTP: $cookie"
	[[ "$cookie" != *"$CUSTOMER_SECRET"* ]] || fail "the secret in the cookie"
	# the session reads the bill
	[ "$(status_of -b "$JAR" "$U/bill?period=2026-05")" = 200 ]
	# a wrong secret and an unknown key: 401, the form again, the same words
	run curl -s -w '\n%{http_code}' --data-urlencode "access_key=$CUSTOMER_KEY" --data-urlencode secret_key=wrong "$U/signin"
	assert_equal "${lines[-1]}" 401
	assert_output --partial 'name="secret_key"'
	wrong_secret=$(grep 'class="error"' <<<"$output")
	run curl -s -w '\n%{http_code}' --data-urlencode access_key=AKNOBODY00000000000 --data-urlencode "secret_key=$CUSTOMER_SECRET" "$U/signin"
	assert_equal "${lines[-1]}" 401
	assert_equal "$(grep 'class="error"' <<<"$output")" "$wrong_secret"
	run curl -s -D - -o /dev/null --data-urlencode "access_key=$CUSTOMER_KEY" --data-urlencode secret_key= "$U/signin"
	refute_output --partial 'Set-Cookie'
}

@test "pages: sign-in goes back to a local page only" {
	run curl -s -D - -o /dev/null --data-urlencode "access_key=$CUSTOMER_KEY" --data-urlencode "secret_key=$CUSTOMER_SECRET" \
		--data-urlencode 'next=/bill?period=2026-04' "$U/signin"
	assert_output --regexp $'Location: /bill\\?period=2026-04\r'
	for evil in '//evil.example/x' 'https://evil.example/' '/\evil.example' $'/bill\r\nX-Evil: 1'; do
		run curl -s -D - -o /dev/null --data-urlencode "access_key=$CUSTOMER_KEY" \
			--data-urlencode "secret_key=$CUSTOMER_SECRET" --data-urlencode "next=$evil" "$U/signin"
		assert_output --regexp $'Location: /bill\r'
		refute_output --partial 'X-Evil'
	done
	# a page that needs a session sends there and back
	run curl -s -D - -o /dev/null "$U/bill?period=2026-05"
	assert_output --partial 'HTTP/1.1 303'
	assert_output --regexp $'Location: /signin\\?next=%2Fbill%3Fperiod%3D2026-05\r'
	run curl -s "$U/bill?period=2026-05"
	assert_output --partial 'sign in'
	[ "$(status_of "$U/activity")" = 303 ]
}

@test "pages: a form without the session's CSRF token is refused (403), nothing changes" {
	code=$(product P)
	signin "$CUSTOMER_KEY" "$CUSTOMER_SECRET" >/dev/null
	[ "$(status_of -b "$JAR" -X POST "$U/purchase/$code")" = 403 ]
	[ "$(status_of -b "$JAR" --data csrf=0000 "$U/purchase/$code")" = 403 ]
	# another session's token is not this one's
	signin "$OTHER_KEY" "$OTHER_SECRET" "$BATS_TEST_TMPDIR/jar2" >/dev/null
	other=$(page -b "$BATS_TEST_TMPDIR/jar2" "$U/purchase/$code" | csrf_of)
	[ "$(status_of -b "$JAR" --data "csrf=$other" "$U/purchase/$code")" = 403 ]
	[ "$(status_of -b "$JAR" --data "csrf=$other" "$U/signout")" = 403 ]
	run --separate-stderr as_customer devpay-describe-subscriptions
	assert_success
	refute_output --partial "$code"
	# no session at all: sent to sign in
	[ "$(status_of --data csrf=x "$U/purchase/$code")" = 303 ]
}

@test "pages: subscribing from the purchase page is devpay-purchase-product's subscription" {
	code=$(product P)
	signin "$CUSTOMER_KEY" "$CUSTOMER_SECRET" >/dev/null
	run page -b "$JAR" "$U/purchase/$code"
	assert_output --partial 'Subscribe</button>'
	token=$(csrf_of <<<"$output")
	run page -b "$JAR" -w '\n%{http_code}' --data "csrf=$token" "$U/purchase/$code"
	assert_equal "${lines[-1]}" 200
	assert_output --partial 'You are subscribed'
	run --separate-stderr as_customer devpay-describe-subscriptions
	assert_success
	assert_output --regexp "SUBSCRIPTION"$'\t'"$code"$'\t'"[0-9]{12}"$'\t'active
	# again: the service's refusal, shown on the page
	run page -b "$JAR" -w '\n%{http_code}' --data "csrf=$token" "$U/purchase/$code"
	assert_equal "${lines[-1]}" 400
	assert_output --partial 'class="error"'
}

@test "pages: the bill page shows devpay-bill's figures; the month picker" {
	code=$(product P)
	as_customer devpay-purchase-product "$code" >/dev/null
	signin "$CUSTOMER_KEY" "$CUSTOMER_SECRET" >/dev/null
	bill=$(DEVPAY_NOW=2026-06-01T00:00:00Z as_customer devpay-bill --period 2026-05)
	total=$(awk -F'\t' '$1 == "TOTAL" && $2 == "ALL" { print $4 }' <<<"$bill")
	[ -n "$total" ]
	run page -b "$JAR" "$U/bill?period=2026-05"
	assert_output --partial '<input type="month" id="period" name="period" value="2026-05" required>'
	assert_output --partial "<tr><th scope=\"row\">ALL total</th><td class=\"n\">$total</td></tr>"
	# every charge line's amount as devpay-bill prints it
	while IFS=$'\t' read -r _ c comp desc qty unit amount; do
		assert_output --partial "<tr><td>$comp</td><td>$desc</td><td class=\"n\">$qty</td><td class=\"n\">$unit</td><td class=\"n\">$amount</td></tr>"
	done < <(grep '^CHARGE' <<<"$bill")
	[ "$(status_of -b "$JAR" "$U/bill?period=2026-13")" = 400 ]
	[ "$(status_of -b "$JAR" "$U/bill?period=2030-01")" = 400 ]
}

@test "pages: the activity page is the owner's report with a daily chart; no other account sees it" {
	code=$(product P)
	as_customer devpay-purchase-product "$code" >/dev/null
	report=$(DEVPAY_NOW=2026-05-20T00:00:00Z as_owner devpay-bill --period 2026-05 --product "$code")
	signin "$OWNER_KEY" "$OWNER_SECRET" >/dev/null
	run page -b "$JAR" "$U/activity?period=2026-05"
	assert_success
	assert_output --partial "<code>$code</code>"
	assert_output --partial '<svg'
	assert_output --partial '<rect'
	cust=$(awk -F'\t' '$1 == "CUSTOMER" { print $3; exit }' <<<"$report")
	revenue=$(awk -F'\t' '$1 == "CUSTOMER" { print $7; exit }' <<<"$report")
	assert_output --partial "<td><code>$cust</code></td>"
	assert_output --partial "<tr><th scope=\"row\">$code revenue</th><td class=\"n\">$revenue</td></tr>"
	# the day of the subscription holds the month's revenue so far
	assert_output --partial "<tr><td>2026-05-02</td><td class=\"n\">$revenue</td></tr>"
	# one product's report
	run page -b "$JAR" "$U/activity?period=2026-05&product=$code"
	assert_output --partial "<td><code>$cust</code></td>"
	# another account: none of it, and the API's refusal for the code
	signin "$OTHER_KEY" "$OTHER_SECRET" "$BATS_TEST_TMPDIR/jar2" >/dev/null
	run page -b "$BATS_TEST_TMPDIR/jar2" "$U/activity?period=2026-05"
	assert_output --partial 'You own no product'
	refute_output --partial "$code"
	run page -b "$BATS_TEST_TMPDIR/jar2" -w '\n%{http_code}' "$U/activity?period=2026-05&product=$code"
	assert_equal "${lines[-1]}" 403
	run --separate-stderr as_other devpay-bill --period 2026-05 --product "$code"
	assert_failure 1
	msg=$stderr
	run page -b "$BATS_TEST_TMPDIR/jar2" "$U/activity?period=2026-05&product=$code"
	assert_output --partial "${msg#*: }"
	refute_output --partial "$cust"
}

@test "pages: the bill and activity pages download as CSV: devpay-bill --output csv's bytes" {
	code=$(product P)
	as_customer devpay-purchase-product "$code" >/dev/null
	signin "$CUSTOMER_KEY" "$CUSTOMER_SECRET" >/dev/null
	run page -b "$JAR" "$U/bill?period=2026-05"
	assert_output --partial '<a href="/bill?period=2026-05&amp;format=csv" download>Download CSV</a>'
	page -b "$JAR" -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/page.csv" "$U/bill?period=2026-05&format=csv"
	grep -qi $'^content-type: text/csv;charset=UTF-8;header=present\r$' "$BATS_TEST_TMPDIR/h"
	grep -qi $'^content-disposition: attachment; filename="bill-2026-05.csv"\r$' "$BATS_TEST_TMPDIR/h"
	DEVPAY_NOW=2026-05-20T00:00:00Z as_customer devpay-bill --period 2026-05 --output csv >"$BATS_TEST_TMPDIR/cmd.csv"
	grep -q '^CHARGE,' "$BATS_TEST_TMPDIR/cmd.csv"
	cmp "$BATS_TEST_TMPDIR/page.csv" "$BATS_TEST_TMPDIR/cmd.csv"
	# the owner's activity, all products and one
	signin "$OWNER_KEY" "$OWNER_SECRET" >/dev/null
	run page -b "$JAR" "$U/activity?period=2026-05&product=$code"
	assert_output --partial "<a href=\"/activity?period=2026-05&amp;product=$code&amp;format=csv\" download>Download CSV</a>"
	page -b "$JAR" -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/page.csv" "$U/activity?period=2026-05&product=$code&format=csv"
	grep -qi "^content-disposition: attachment; filename=\"activity-2026-05-$code.csv\"" "$BATS_TEST_TMPDIR/h"
	DEVPAY_NOW=2026-05-20T00:00:00Z as_owner devpay-bill --period 2026-05 --product "$code" --output csv >"$BATS_TEST_TMPDIR/cmd.csv"
	grep -q '^CUSTOMER,' "$BATS_TEST_TMPDIR/cmd.csv"
	cmp "$BATS_TEST_TMPDIR/page.csv" "$BATS_TEST_TMPDIR/cmd.csv"
	page -b "$JAR" -o "$BATS_TEST_TMPDIR/page.csv" "$U/activity?period=2026-05&format=csv"
	DEVPAY_NOW=2026-05-20T00:00:00Z as_owner devpay-bill --period 2026-05 --output csv >"$BATS_TEST_TMPDIR/cmd.csv"
	cmp "$BATS_TEST_TMPDIR/page.csv" "$BATS_TEST_TMPDIR/cmd.csv"
	# not signed in: no file, the sign-in page
	[ "$(status_of "$U/bill?period=2026-05&format=csv")" = 303 ]
}

@test "pages: a form posted from another site is refused (403), sign-in included" {
	code=$(product P)
	run curl -s -o /dev/null -D - -H 'Origin: http://evil.example' --data-urlencode "access_key=$CUSTOMER_KEY" \
		--data-urlencode "secret_key=$CUSTOMER_SECRET" "$U/signin"
	assert_line --regexp '^HTTP/1.1 403'
	refute_output --partial 'Set-Cookie'
	run curl -s -o /dev/null -D - -H 'Sec-Fetch-Site: cross-site' --data-urlencode "access_key=$CUSTOMER_KEY" \
		--data-urlencode "secret_key=$CUSTOMER_SECRET" "$U/signin"
	assert_line --regexp '^HTTP/1.1 403'
	run curl -s -o /dev/null -D - -H 'Origin: null' --data-urlencode "access_key=$CUSTOMER_KEY" \
		--data-urlencode "secret_key=$CUSTOMER_SECRET" "$U/signin"
	assert_line --regexp '^HTTP/1.1 403'
	# the page's own origin, as a browser sends it
	run curl -s -c "$JAR" -o /dev/null -D - -H "Origin: ${U%/}" -H 'Sec-Fetch-Site: same-origin' \
		--data-urlencode "access_key=$CUSTOMER_KEY" --data-urlencode "secret_key=$CUSTOMER_SECRET" "$U/signin"
	assert_line --regexp '^HTTP/1.1 303'
	# signed in, a subscribe posted from elsewhere with the right token: refused, nothing stored
	t=$(page -b "$JAR" "$U/purchase/$code" | csrf_of)
	[ -n "$t" ]
	run curl -s -b "$JAR" -o /dev/null -w '%{http_code}' -H 'Origin: http://evil.example' -d "csrf=$t" "$U/purchase/$code"
	assert_output 403
	run as_customer devpay-describe-subscriptions
	refute_output --partial "$code"
}

@test "pages: sign-out ends the session" {
	signin "$CUSTOMER_KEY" "$CUSTOMER_SECRET" >/dev/null
	token=$(page -b "$JAR" "$U/bill" | csrf_of)
	[ -n "$token" ]
	cp "$JAR" "$BATS_TEST_TMPDIR/old-jar"
	run curl -s -D - -o /dev/null -b "$JAR" --data "csrf=$token" "$U/signout"
	assert_output --partial 'HTTP/1.1 200'
	assert_output --regexp 'Set-Cookie: devpay_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0'
	# the old cookie no longer opens the bill
	[ "$(status_of -b "$BATS_TEST_TMPDIR/old-jar" "$U/bill")" = 303 ]
}

@test "pages: --session-lifetime sets the cookie's Max-Age; a bad one is a usage error" {
	devpayd_stop
	devpayd_serve --trust-client-clock --session-lifetime 120
	U=http://127.0.0.1:$DEVPAYD_PORT
	run signin "$CUSTOMER_KEY" "$CUSTOMER_SECRET"
	assert_output --partial 'Max-Age=120'
	for bad in 0 59 x 2592001 ''; do
		run --separate-stderr devpayd --store "$DEVPAY_STORE" --session-lifetime "$bad"
		assert_equal "$status" 2
		[[ "$stderr" == *"--session-lifetime"* ]] || fail "$stderr"
	done
}

@test "pages: over TLS the session cookie is Secure" {
	need openssl
	local d=$BATS_TEST_TMPDIR
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/k.pem" -out "$d/c.pem" -days 1 \
		-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
	devpayd_stop
	devpayd_serve --tls-cert "$d/c.pem" --tls-key "$d/k.pem"
	run curl -s -k -D - -o /dev/null --data-urlencode "access_key=$CUSTOMER_KEY" \
		--data-urlencode "secret_key=$CUSTOMER_SECRET" "https://127.0.0.1:$DEVPAYD_PORT/signin"
	assert_output --regexp 'Set-Cookie: devpay_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600; Secure'
}

@test "pages: in a real browser: sign in, subscribe, the bill matches devpay-bill, its CSV download too, refused elsewhere, sign out" {
	need node
	[ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ] || need chromium
	[ -d "$ROOT/tests/browser/node_modules/playwright-core" ] ||
		{ [ "${CI:-}" != true ] || fail "playwright-core is not installed (tools/deps test)"; skip "playwright-core is not installed: run tools/deps test"; }
	code=$(product P)
	run --separate-stderr timeout 120 node "$ROOT/tests/browser/pages.js" "$U" "$code" \
		"$CUSTOMER_KEY" "$CUSTOMER_SECRET" 2026-05 2026-05-20T00:00:00Z "$BATS_TEST_TMPDIR/saved.csv"
	if [ "$status" = 77 ]; then
		[ "${CI:-}" != true ] || fail "chromium cannot start: $stderr"
		skip "chromium cannot start: $stderr"
	fi
	assert_success
	bill=$(DEVPAY_NOW=2026-05-20T00:00:00Z as_customer devpay-bill --period 2026-05)
	total=$(awk -F'\t' '$1 == "TOTAL" && $2 == "ALL" { print $4 }' <<<"$bill")
	[ -n "$total" ]
	assert_equal "$output" "{\"subscribed\":true,\"total\":\"$total\",\"csvName\":\"bill-2026-05.csv\",\"refused\":true,\"signedOut\":true}"
	# Chromium fetches a download without the context's extra headers, so
	# the file is May's whole bill at devpayd's own clock (May is over)
	DEVPAY_NOW=2026-06-01T00:00:00Z as_customer devpay-bill --period 2026-05 --output csv >"$BATS_TEST_TMPDIR/cmd.csv"
	diff "$BATS_TEST_TMPDIR/saved.csv" "$BATS_TEST_TMPDIR/cmd.csv"
}
