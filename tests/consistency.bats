#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Suite-wide consistency, generic over every cmd/*.c, so a command added later
# is covered without touching this file: it answers --help and --version,
# refuses an unknown option, and its man page and bash completion know every
# long option its --help lists. devpayd is a server with its own options: it
# is left out of the client-only checks, but must still answer --help and
# have man/man8/devpayd.8.

bats_require_minimum_version 1.5.0
load helpers

# Every executable the Makefile builds, one a line.
all_commands() {
	local f
	for f in "$ROOT"/cmd/*.c; do
		basename "$f" .c
	done
}
client_commands() { all_commands | grep -vx devpayd; }

# The man page of a command: section 8 for the server, 1 for the rest.
man_page() {
	if [ "$1" = devpayd ]; then
		echo "$ROOT/man/man8/devpayd.8"
	else
		echo "$ROOT/man/man1/$1.1"
	fi
}

# The long options NAME --help lists, one a line.
help_options() {
	"$BIN/$1" --help | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u
}

# The version every client prints, from the one place it is defined.
suite_version() {
	sed -n 's/^#define DEVPAY_VERSION "\(.*\)"$/\1/p' "$ROOT/common/base/version.h"
}

# A man page rendered as plain text, one section at a time.
man_section() { # man_section FILE SECTION
	mandoc -Tascii -Owidth=200 "$1" | sed 's/.\x08//g' |
		awk -v s="$2" '$0 == s { on = 1; next } /^[A-Z]/ { on = 0 } on'
}

# Each test collects every offender, then fails once naming them all.
bad=""
offend() { bad="$bad"$'\n'"  $*"; }
verdict() { [ -z "$bad" ] || fail "$1:$bad"; }

@test "cmd/ holds the client commands this file checks" {
	[ "$(client_commands | wc -l)" -ge 7 ]
	for c in $(all_commands); do
		[ -x "$BIN/$c" ] || offend "$c is not built"
	done
	verdict "commands in cmd/ without an executable in build/bin"
}

@test "every command answers --help: usage on stdout, exit 0, nothing on stderr" {
	for c in $(all_commands); do
		run --separate-stderr "$BIN/$c" --help
		[ "$status" -eq 0 ] || offend "$c: exit $status"
		[ -n "$output" ] || offend "$c: nothing on stdout"
		[ -z "$stderr" ] || offend "$c: stderr: $stderr"
	done
	verdict "--help"
}

@test "every client command's --help names the command and its man page" {
	for c in $(client_commands); do
		run --separate-stderr "$BIN/$c" --help
		[[ "${lines[0]}" == "Usage: $c "* ]] || offend "$c: first line: ${lines[0]}"
		[[ "$output" == *"See $c(1)."* ]] || offend "$c: no 'See $c(1).'"
	done
	verdict "--help layout"
}

@test "every client command prints the suite's version with --version" {
	local v
	v=$(suite_version)
	[ -n "$v" ]
	for c in $(client_commands); do
		run --separate-stderr "$BIN/$c" --version
		[ "$status" -eq 0 ] || offend "$c: exit $status"
		[ "$output" = "$c $v" ] || offend "$c: printed '$output', expected '$c $v'"
		[ -z "$stderr" ] || offend "$c: stderr: $stderr"
	done
	verdict "--version"
}

@test "every client command refuses an unknown option: exit 2, message on stderr only" {
	for c in $(client_commands); do
		run --separate-stderr "$BIN/$c" --bogus-option
		[ "$status" -eq 2 ] || offend "$c: exit $status"
		[ -z "$output" ] || offend "$c: stdout: $output"
		[ -n "$stderr" ] || offend "$c: nothing on stderr"
		[[ "$stderr" == *bogus-option* ]] || offend "$c: the message does not name the option: $stderr"
	done
	verdict "--bogus-option"
}

@test "every client command refuses an unknown short option by its name" {
	local l
	for c in $(client_commands); do
		# a letter the command does not use
		for l in x j q y Q; do
			"$BIN/$c" --help | grep -qE -- "(^|[ ,])-$l([ ,]|\$)" || break
		done
		run --separate-stderr "$BIN/$c" "-$l"
		[ "$status" -eq 2 ] || offend "$c: exit $status"
		[ -z "$output" ] || offend "$c: stdout: $output"
		[[ "$stderr" == "$c: unrecognized option '-$l'"* ]] || offend "$c: $stderr"
	done
	verdict "an unknown short option"
}

@test "an unknown option leaves the store as it was (none is created)" {
	local before=""
	[ ! -e "$DEVPAY_STORE" ] || before=$(store_sum)
	for c in $(client_commands); do
		as_owner "$BIN/$c" --bogus-option >/dev/null 2>&1 || true
	done
	if [ -n "$before" ]; then
		assert_equal "$(store_sum)" "$before"
	else
		[ ! -e "$DEVPAY_STORE" ] || fail "a refused command created the store"
	fi
}

@test "every command has its man page" {
	for c in $(all_commands); do
		[ -f "$(man_page "$c")" ] || offend "$c: no $(man_page "$c")"
	done
	verdict "missing man pages"
}

# A completion helper shared by several files may be named _something.
@test "every man page and completion belongs to a command" {
	local f n
	for f in "$ROOT"/man/man1/*.1 "$ROOT"/completions/*; do
		[ -e "$f" ] || continue
		[[ "$(basename "$f")" != _* ]] || continue
		n=$(basename "$f" .1)
		[ -f "$ROOT/cmd/$n.c" ] || offend "${f#"$ROOT"/}: no cmd/$n.c"
	done
	verdict "man pages or completions of no command"
}

@test "every man page passes mandoc -Tlint -Wwarning with no output" {
	local f out n=0
	for f in "$ROOT"/man/man*/*.[1-9]; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		out=$(mandoc -Tlint -Wwarning "$f" 2>&1) || offend "${f#"$ROOT"/}: mandoc failed"
		[ -z "$out" ] || offend "$out"
	done
	[ "$n" -gt 0 ] || fail "no man pages"
	verdict "mandoc lint"
}

@test "every man page's title and SYNOPSIS name its command" {
	local p want
	for c in $(all_commands); do
		p=$(man_page "$c")
		[ -f "$p" ] || continue
		want=".Dt ${c^^} ${p##*.}"
		grep -qxF -- "$want" "$p" || offend "$c: no '$want' line"
		man_section "$p" NAME | grep -qw -- "$c" || offend "$c: NAME does not name it"
		man_section "$p" SYNOPSIS | grep -qw -- "$c" || offend "$c: SYNOPSIS does not name it"
	done
	verdict "man page titles"
}

@test "every client man page has the sections of the suite and points to devpay(7)" {
	local p s
	for c in $(client_commands); do
		p=$(man_page "$c")
		[ -f "$p" ] || continue
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS "COMMON OPTIONS" ENVIRONMENT OUTPUT \
			"EXIT STATUS" EXAMPLES "SEE ALSO"; do
			grep -qxF ".Sh $s" "$p" || offend "$c: no section $s"
		done
		for s in 0 1 2 3; do
			man_section "$p" "EXIT STATUS" | grep -qE "^ +$s( |$)" ||
				offend "$c: EXIT STATUS does not explain $s"
		done
		man_section "$p" "SEE ALSO" | grep -qF 'devpay(7)' || offend "$c: SEE ALSO lacks devpay(7)"
	done
	verdict "man page sections"
}

@test "every long option a command's --help lists is in its man page" {
	local p o n
	for c in $(all_commands); do
		p=$(man_page "$c")
		[ -f "$p" ] || { offend "$c: no man page"; continue; }
		for o in $(help_options "$c"); do
			n=${o#--}
			# roff spells a hyphen "\-": read the page with plain hyphens
			sed 's/\\-/-/g' "$p" | grep -qE -- "(Fl -$n|--$n)([^a-z0-9-]|\$)" ||
				offend "$c: $o is not in ${p#"$ROOT"/}"
		done
	done
	verdict "options missing from man pages"
}

@test "every client command has a completion file that lists its long options" {
	local f o
	for c in $(client_commands); do
		f="$ROOT/completions/$c"
		[ -f "$f" ] || { offend "$c: no completions/$c"; continue; }
		for o in $(help_options "$c"); do
			grep -qE -- "$o([^a-z0-9-]|\$)" "$f" || offend "$c: $o is not in completions/$c"
		done
	done
	verdict "options missing from completions"
}

@test "every completion file loads alone and registers its command" {
	local out
	for c in $(client_commands); do
		[ -f "$ROOT/completions/$c" ] || { offend "$c: no completion"; continue; }
		out=$(bash -c '. "$1" && complete -p "$2"' _ "$ROOT/completions/$c" "$c" 2>&1) ||
			offend "$c: $out"
		[[ "$out" =~ ^complete\ -F\ [A-Za-z_][A-Za-z0-9_]*\ $c$ ]] ||
			offend "$c: complete -p says: $out"
	done
	verdict "completions that do not load"
}

@test "all completion files load together" {
	run bash -c 'for f in "$1"/*; do . "$f" || exit 1; done; complete -p' _ "$ROOT/completions"
	assert_success
	for c in $(client_commands); do
		[[ "$output" == *" $c"* ]] || offend "$c"
	done
	verdict "commands not registered when every completion is loaded"
}

@test "every completion offers all the command's long options after --" {
	local got o
	for c in $(client_commands); do
		[ -f "$ROOT/completions/$c" ] || continue
		got=$(bash -c '. "$1"; fn=$(complete -p "$2" | sed -E "s/.*-F ([^ ]+) .*/\1/")
			COMP_WORDS=("$2" --); COMP_CWORD=1; COMPREPLY=()
			"$fn" "$2" -- "$2"; printf "%s\n" "${COMPREPLY[@]}"' _ "$ROOT/completions/$c" "$c")
		for o in $(help_options "$c"); do
			grep -qxF -- "$o" <<<"$got" || offend "$c: $o not offered"
		done
	done
	verdict "completions that do not offer an option"
}

@test "devpay(7) lists every command in SEE ALSO" {
	local s p
	p="$ROOT/man/man7/devpay.7"
	[ -f "$p" ] || fail "no man/man7/devpay.7"
	s=$(man_section "$p" "SEE ALSO")
	for c in $(all_commands); do
		if [ "$c" = devpayd ]; then
			grep -qF "devpayd(8)" <<<"$s" || offend "devpayd(8)"
		else
			grep -qF "$c(1)" <<<"$s" || offend "$c(1)"
		fi
	done
	grep -qF "devpayd(8)" <<<"$s" || offend "devpayd(8)"
	verdict "devpay(7) SEE ALSO lacks"
}

@test "the documentation explains the project from its own files: no path outside the repository" {
	local f
	for f in README.md HACKING.md doc/design.md doc/domain.md tests/RULES.md; do
		[ -f "$ROOT/$f" ] || offend "$f is missing"
	done
	# no ../ path, no /work/..., no file of a design kept elsewhere
	while IFS= read -r f; do offend "$f"; done < <(cd "$ROOT" &&
		grep -rnE '\.\./|/work/|shared/(DESIGN|DOMAIN)' README.md HACKING.md doc man tests/RULES.md)
	# every doc/ file the guides name exists
	while IFS= read -r f; do
		[ -f "$ROOT/$f" ] || offend "$f is named but missing"
	done < <(cd "$ROOT" && grep -ohE 'doc/[a-z-]+\.md' README.md HACKING.md doc tests/RULES.md | sort -u)
	verdict "documentation pointing outside the repository"
}

@test "a LICENSE (Apache-2.0), and every source file of the project says so in an SPDX line near its top" {
	grep -q 'Apache License' "$ROOT/LICENSE" && grep -q 'Version 2.0, January 2004' "$ROOT/LICENSE" ||
		offend "LICENSE is not the Apache License 2.0"
	local f
	while IFS= read -r f; do
		head -n 3 "$ROOT/$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || offend "$f"
	done < <(cd "$ROOT" && git ls-files 2>/dev/null | grep -E '\.(c|h|sh|bash|bats|py|js|[178])$|^(Makefile|tools/[a-z]+|completions/.*|\.ci/run|bench/run|tests/pg-cluster|tests/devpayd-shim|tests/fresh/fake)$')
	verdict "no SPDX-License-Identifier line in the first three lines"
}

@test "the client commands carry only libcrypto's SHA-256 and its helpers; the rest of libcrypto is loaded on demand" {
	# Makefile: SHA_LIBS links libcrypto.a for the local secrets' hashes; a
	# libcrypto function called directly instead of through crypto_dl.h
	# would pull OpenSSL's machinery into every command
	local c bad=""
	for c in $(client_commands); do
		nm "$BIN/$c" | grep -qE ' [TD] (EVP_|HMAC|RAND_|PEM_|X509_|OSSL_|ERR_)' && bad="$bad $c"
	done
	[ -z "$bad" ] || fail "statically linked libcrypto beyond SHA-256 in:$bad"
	nm "$BIN/ec2-confirm-product-instance" | grep -q ' T SHA256_Final' ||
		fail "SHA256_Final is not linked in"
}

# The layering rule of common/ (HACKING.md: The layout), with the Makefile's
# own table.
# (The table may go on over lines ending in a backslash.)
layers_table() {
	awk '/^LAYERS[ \t]*:=/ { on = 1; sub(/^LAYERS[ \t]*:=/, "") }
	     on { more = sub(/\\$/, ""); printf "%s ", $0; if (!more) exit }' \
		"$ROOT/Makefile"
}

@test "common/ keeps its layers: the real tree passes tools/layers" {
	run sh "$ROOT/tools/layers" "$ROOT/common" $(layers_table)
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "tools/layers refuses an include that climbs, one beside, one with no folder, and a folder not in the table" {
	local t="$BATS_TEST_TMPDIR/common"
	cp -r "$ROOT/common" "$t"
	printf '#include "client/cli.h"\n' >> "$t/base/money.c"
	run sh "$ROOT/tools/layers" "$t" $(layers_table)
	[ "$status" -eq 1 ]
	[[ "$output" == *"base/money.c:"*"base/ may use base, not client/ (#include \"client/cli.h\")"* ]]
	rm -r "$t"; cp -r "$ROOT/common" "$t"
	printf '#include "server/front.h"\n' >> "$t/client/http.c"
	run sh "$ROOT/tools/layers" "$t" $(layers_table)
	[ "$status" -eq 1 ]
	[[ "$output" == *"client/http.c:"*"not server/"* ]]
	rm -r "$t"; cp -r "$ROOT/common" "$t"
	printf '#include "buf.h"\n' >> "$t/base/text.c"
	run sh "$ROOT/tools/layers" "$t" $(layers_table)
	[ "$status" -eq 1 ]
	[[ "$output" == *"base/text.c:"*"names no folder"* ]]
	rm -r "$t"; cp -r "$ROOT/common" "$t"
	mkdir "$t/extra"
	run sh "$ROOT/tools/layers" "$t" $(layers_table)
	[ "$status" -eq 1 ]
	[[ "$output" == *"extra: a folder the layering table"* ]]
}
