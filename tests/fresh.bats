#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# On a fresh Debian 12 plain `make` installs nothing and names what is
# missing; `make deps` installs it, and the README's `make check` (like
# `make demo`) installs first and only then does any recipe ask pkg-config
# for the compiler flags. Simulated without touching the machine:
# tests/fresh/fake stands in for id, dpkg-query, apt-get, pkg-config, cc, ar
# and bats (no library is known to pkg-config until the fake apt-get
# "installs"), on a copy of the tree.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	export FRESH="$BATS_TEST_TMPDIR/fresh"
	mkdir -p "$FRESH/bin" "$FRESH/src/tests"
	local t
	for t in id dpkg-query apt-get pkg-config cc ar bats; do
		ln -s "$BATS_TEST_DIRNAME/fresh/fake" "$FRESH/bin/$t"
	done
	cp -r "$ROOT/Makefile" "$ROOT/common" "$ROOT/cmd" "$ROOT/tools" "$ROOT/data" "$FRESH/src/"
	cp -r "$ROOT/tests/sigtest.c" "$ROOT/tests/storetest.c" "$ROOT/tests/unit" "$FRESH/src/tests/"
	: >"$FRESH/log"
}

fresh_make() {
	# (not the flags of a make check this runs under: WERROR=1, SANITIZE=1)
	run --separate-stderr env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u WERROR -u SANITIZE -u CHECK_PG PATH="$FRESH/bin:$PATH" \
		make -C "$FRESH/src" -j2 CC=cc AR=ar "$@"
}

@test "fresh machine, root: plain make installs nothing; it names what is missing and how to get it" {
	fresh_make all
	assert_failure
	[[ "$stderr" == *"missing:"*"libxml-2.0(pkg-config)"*"libmicrohttpd(pkg-config)"* ]] || fail "stderr: $stderr"
	[[ "$stderr" == *'run `make deps` as root, or: sudo apt-get install -y '*libxml2-dev*bash-completion* ]] ||
		fail "stderr: $stderr"
	! grep -q '^apt-get' "$FRESH/log" || fail "apt-get run by make: $(cat "$FRESH/log")"
	! grep -q '^dpkg-query' "$FRESH/log" || fail "dpkg-query asked"
	! grep -q '^cc ' "$FRESH/log" || fail "compiled without the packages"
	# make install neither
	fresh_make install PREFIX="$FRESH/root"
	assert_failure
	! grep -q '^apt-get' "$FRESH/log" || fail "apt-get run by make install"
}

@test "fresh machine, root: make deps installs, then make compiles with pkg-config's flags" {
	fresh_make deps
	assert_success
	grep -q '^apt-get .*install .*libxml2-dev' "$FRESH/log" || fail "apt-get install not run: $(cat "$FRESH/log")"
	grep -q '^apt-get .*install .*bash-completion' "$FRESH/log" || fail "bash-completion not installed"
	fresh_make all
	assert_success
	[ "$(grep -c '^apt-get .*install' "$FRESH/log")" -eq 1 ] || fail "apt-get install run again"
	# every compile has libxml2's include folder, every link the libraries
	local xml
	xml=$(/usr/bin/pkg-config --cflags libxml-2.0)
	[ "$(grep -c '^cc .* -c ' "$FRESH/log")" -gt 10 ] || fail "too few compiles"
	! grep '^cc .* -c ' "$FRESH/log" | grep -vF -- "$xml" | grep . || fail "a compile without $xml"
	! grep '^cc .*build/libdevpay.a' "$FRESH/log" | grep -v -- '-lxml2' | grep . || fail "a link without -lxml2"
	[ -e "$FRESH/src/build/bin/ec2-run-instances" ]
}

@test "fresh machine, root: the first make check installs, then compiles and runs bats" {
	fresh_make check
	assert_success
	grep -q '^apt-get .*install .*libxml2-dev' "$FRESH/log" || fail "packages not installed: $(cat "$FRESH/log")"
	grep -q '^bats --jobs' "$FRESH/log" || fail "bats not run"
	[ "$(grep -c '^apt-get .*install' "$FRESH/log")" -eq 1 ] || fail "apt-get install run more than once"
	# the install comes before the first compile
	local inst first
	inst=$(grep -n '^apt-get .*install' "$FRESH/log" | head -n1 | cut -d: -f1)
	first=$(grep -n '^cc ' "$FRESH/log" | head -n1 | cut -d: -f1)
	[ -n "$first" ] && [ "$inst" -lt "$first" ] || fail "compiled before installing: $(cat "$FRESH/log")"
}

@test "fresh machine, not root: make deps prints the one apt-get line and stops" {
	FRESH_UID=1000 fresh_make deps
	assert_failure
	[[ "$stderr" == *"missing Debian packages; run: sudo apt-get install -y "*libxml2-dev*bash-completion* ]] ||
		fail "stderr: $stderr"
	! grep -q '^apt-get' "$FRESH/log" || fail "apt-get run without root"
	! grep -q '^cc ' "$FRESH/log" || fail "compiled without the packages"
}

@test "installed machine: make neither installs nor asks apt-get" {
	: >"$FRESH/installed"
	fresh_make all
	assert_success
	! grep -q '^apt-get' "$FRESH/log"
}

@test "installed machine: make CFLAGS=, CPPFLAGS=, LDFLAGS= add to the project's flags; -Werror only with WERROR=1" {
	: >"$FRESH/installed"
	fresh_make all CFLAGS=-O1 CPPFLAGS=-DDP_TEST_FLAG LDFLAGS=-Wl,-O1
	assert_success
	local xml
	xml=$(/usr/bin/pkg-config --cflags libxml-2.0)
	! grep '^cc .* -c ' "$FRESH/log" | grep -vF -- "$xml" | grep . || fail "a compile without $xml"
	! grep '^cc .* -c ' "$FRESH/log" | grep -v -- '-Icommon .*-DDP_TEST_FLAG .*-Wall.* -O1' | grep . ||
		fail "a compile without the project's and the user's flags"
	! grep '^cc .*build/libdevpay.a' "$FRESH/log" | grep -v -- '-Wl,--as-needed .*-Wl,-O1 .*-lxml2' | grep . ||
		fail "a link without the project's and the user's flags"
	! grep -q -- '-Werror' "$FRESH/log" || fail "-Werror without WERROR=1"
	rm -rf "$FRESH/src/build"
	: >"$FRESH/log"
	fresh_make all WERROR=1
	assert_success
	! grep '^cc .* -c ' "$FRESH/log" | grep -v -- '-Werror' | grep . || fail "a compile without -Werror under WERROR=1"
}
