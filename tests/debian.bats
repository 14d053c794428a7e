#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# debian/: `dpkg-buildpackage -us -uc -b` builds the devpay and devpayd
# packages from a copy of the tree; lintian finds no error; what they hold
# runs, and their runtime dependencies include the libraries loaded on
# demand (README: Libraries).
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	if [ "$(cat "$ROOT/build/.flavour" 2>/dev/null)" = sanitize ]; then
		export DEB_SKIP="the packages are built once, in the plain pass (not with SANITIZE=1)"
		return 0
	fi
	export DEB="$BATS_FILE_TMPDIR/deb"
	mkdir -p "$DEB/src"
	(cd "$ROOT" && git ls-files -co --exclude-standard | tar -cf - -T -) | tar -xf - -C "$DEB/src"
	(cd "$DEB/src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u WERROR -u SANITIZE -u CHECK_PG dpkg-buildpackage -us -uc -b -j2) >"$DEB/build.log" 2>&1 || {
		tail -n 30 "$DEB/build.log" >&3
		return 1
	}
}

setup() {
	[ -z "${DEB_SKIP:-}" ] || skip "$DEB_SKIP"
}

@test "debian: dpkg-buildpackage builds devpay and devpayd; lintian finds no error" {
	[ -f "$DEB"/devpay_*_amd64.deb ] || [ -n "$(ls "$DEB"/devpay_*.deb)" ]
	run lintian --allow-root "$DEB"/devpay_*.deb "$DEB"/devpayd_*.deb
	refute_output --regexp '^E: '
	refute_output --regexp '^W: '
}

@test "debian: the packages declare the libraries the commands load on demand" {
	run dpkg-deb -f "$DEB"/devpay_*.deb Depends
	assert_output --partial 'libcurl4'
	assert_output --partial 'libssl3'
	assert_output --regexp 'libicu[0-9]+'
	assert_output --partial 'libjansson4'
	run dpkg-deb -f "$DEB"/devpayd_*.deb Depends
	assert_output --partial 'libpq5'
	assert_output --partial 'libmicrohttpd12'
	assert_output --partial 'libssl3'
}

@test "debian: devpay holds the commands, their pages and completions; they run" {
	local r="$BATS_TEST_TMPDIR/root"
	dpkg-deb -x "$DEB"/devpay_*.deb "$r"
	for src in "$ROOT"/cmd/*.c; do
		local name
		name=$(basename "$src" .c)
		[ "$name" = devpayd ] && continue
		[ -x "$r/usr/bin/$name" ] || fail "$name not in the package"
		[ -f "$r/usr/share/man/man1/$name.1.gz" ] || fail "no man page for $name"
		[ -f "$r/usr/share/bash-completion/completions/$name" ] || fail "no completion for $name"
	done
	[ -f "$r/usr/share/man/man7/devpay.7.gz" ]
	[ ! -e "$r/usr/bin/devpayd" ]
	run env DEVPAY_STORE="$BATS_TEST_TMPDIR/s.db" AWS_ACCESS_KEY=AKDEB0000000000001 AWS_SECRET_KEY=deb-secret \
		DEVPAY_NO_ACCOUNT_NOTICE=1 "$r/usr/bin/ec2-describe-regions" us-east-1
	assert_success
	assert_output --partial $'REGION\tus-east-1'
}

@test "debian: devpayd holds the server, its page, a default config and a hardened systemd unit" {
	local r="$BATS_TEST_TMPDIR/root"
	dpkg-deb -x "$DEB"/devpayd_*.deb "$r"
	run "$r/usr/bin/devpayd" --version
	assert_success
	[ -f "$r/usr/share/man/man8/devpayd.8.gz" ]
	grep -q '^DEVPAYD_LISTEN=127.0.0.1:8773$' "$r/etc/default/devpayd"
	local unit="$r/lib/systemd/system/devpayd.service"
	grep -q '^ExecStart=/usr/bin/devpayd --listen ${DEVPAYD_LISTEN} --store /var/lib/devpayd/store.db $DEVPAYD_OPTS$' "$unit"
	for opt in DynamicUser=yes StateDirectory=devpayd NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
		PrivateTmp=yes PrivateDevices=yes CapabilityBoundingSet= MemoryDenyWriteExecute=yes \
		'SystemCallFilter=@system-service' 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX'; do
		grep -qxF "$opt" "$unit" || fail "the unit lacks $opt"
	done
	# the packaged server works on a store of its own
	run bash -c 'echo deb-secret | "$1" --store "$2" --add-account AKDEB0000000000001' _ \
		"$r/usr/bin/devpayd" "$BATS_TEST_TMPDIR/d.db"
	assert_success
	assert_output --regexp '^[0-9]{12}$'
}
