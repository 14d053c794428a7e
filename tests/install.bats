#!/usr/bin/env bats
# make install puts every command, page and completion where DESIGN.md says.
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
