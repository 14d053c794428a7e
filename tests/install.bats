#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# make install puts every command, page and completion where DESIGN.md says.
bats_require_minimum_version 1.5.0
load helpers

@test "make install DESTDIR= PREFIX= installs binaries, man pages and completions" {
	run make -s -C "$ROOT" install PREFIX=/opt/dp DESTDIR="$BATS_TEST_TMPDIR/root"
	assert_success
	local top="$BATS_TEST_TMPDIR/root/opt/dp"
	for src in "$ROOT"/cmd/*.c; do
		local name
		name=$(basename "$src" .c)
		[ -x "$top/bin/$name" ] || fail "$name not installed"
		ls "$top"/share/man/man[18]/"$name".[18] >/dev/null 2>&1 || fail "no man page for $name"
		[ "$name" = devpayd ] || [ -f "$top/share/bash-completion/completions/$name" ] ||
			fail "no completion for $name"
	done
	[ -f "$top/share/man/man7/devpay.7" ] || fail "devpay(7) not installed"
	# the shared completion helpers sit next to the completions, and a
	# completion loaded alone (as bash-completion loads one per command) finds them
	[ -f "$top/share/bash-completion/completions/_devpay" ] || fail "completions/_devpay not installed"
	run bash -c '. "$1"; declare -f _devpay_ids | grep -c _devpay_ids_list; declare -F _devpay_profiles' _ \
		"$top/share/bash-completion/completions/ec2-terminate-instances"
	assert_success
	assert_line --index 0 1
}

@test "make install: one executable for the commands, linked from bin/ by relative links; the servers on their own" {
	run make -s -C "$ROOT" install PREFIX=/usr DESTDIR="$BATS_TEST_TMPDIR/root"
	assert_success
	local top="$BATS_TEST_TMPDIR/root/usr"
	[ -f "$top/lib/devpay/devpay-commands" ] && [ -x "$top/lib/devpay/devpay-commands" ]
	assert_equal "$(readlink "$top/bin/ec2-run-instances")" ../lib/devpay/devpay-commands
	assert_equal "$(readlink "$top/bin/devpay-bill")" ../lib/devpay/devpay-commands
	[ -f "$top/bin/devpayd" ] && [ ! -L "$top/bin/devpayd" ]
	[ -f "$top/bin/devpay-metadata" ] && [ ! -L "$top/bin/devpay-metadata" ]
	# an installed link runs its command
	run "$top/bin/ec2-describe-regions" --help
	assert_success
	assert_line --index 0 --partial 'Usage: ec2-describe-regions'
	# the executable called by its own name: the command named first, or the list
	run "$top/lib/devpay/devpay-commands" devpay-bill --help
	assert_success
	assert_line --index 0 --partial 'Usage: devpay-bill'
	run --separate-stderr "$top/lib/devpay/devpay-commands" no-such-command
	assert_failure 2
	[[ "$stderr" == *"run as one of the commands"*ec2-run-instances* ]]
}

@test "make uninstall removes every file make install put there, and nothing else" {
	local root="$BATS_TEST_TMPDIR/root"
	mkdir -p "$root/usr/bin"
	echo mine >"$root/usr/bin/not-ours"
	run make -s -C "$ROOT" install PREFIX=/usr DESTDIR="$root"
	assert_success
	run make -s -C "$ROOT" uninstall PREFIX=/usr DESTDIR="$root"
	assert_success
	run find "$root" \( -type f -o -type l \) -print
	assert_output "$root/usr/bin/not-ours"
	[ ! -e "$root/usr/lib/devpay" ]
}
