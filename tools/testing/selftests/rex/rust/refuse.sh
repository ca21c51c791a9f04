#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Rust programs rex-build.sh must refuse to build, run on the build host
# (where the Rust toolchain is): each refuse/*.rs must fail to build with
# the message its "// expect:" line gives; refuse/ok.rs, the control, must
# build.  TAP on stdout.
#
#   refuse.sh [-k KBUILD]     (as for rex-build.sh; REX_KBUILD also works)

DIR=$(cd "$(dirname "$0")" && pwd)
REX_BUILD=$DIR/../../../../lib/rex/rex-build.sh
args=()
[ "${1:-}" != -k ] || args=(-k "$2")

cases=("$DIR"/refuse/*.rs)
echo "TAP version 13"
echo "1..${#cases[@]}"
n=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for src in "${cases[@]}"; do
	n=$((n + 1))
	name=$(basename "$src" .rs)
	expect=$(sed -n 's|^// expect: ||p' "$src")
	rc=0
	"$REX_BUILD" "${args[@]}" "$src" -o "$tmp/$name.rex" > "$tmp/$name.log" 2>&1 || rc=$?
	if [ -z "$expect" ]; then
		ok=$((rc == 0))
		why="built"
	else
		ok=0
		[ $rc = 0 ] || ! grep -qF -- "$expect" "$tmp/$name.log" || ok=1
		why="refused with: $expect"
	fi
	if [ $ok = 1 ]; then
		echo "# $name: $why"
		echo "ok $n rust-refuse:$name"
	else
		sed 's/^/# /' "$tmp/$name.log"
		echo "# $name: expected ${expect:-a build}"
		echo "not ok $n rust-refuse:$name"
		fail=1
	fi
done
exit $fail
