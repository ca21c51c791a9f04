#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What rex-build.sh gives program authors besides images, run on the build
# host: the crate's API reference (--doc) builds without a warning and has
# a page for each public module, and the rust-project.json of --ide for the
# samples names the crate rex with its bindings and every sample as a crate
# that depends on it.  TAP on stdout.
#
#   tools.sh [-k KBUILD]     (as for rex-build.sh; REX_KBUILD also works)

DIR=$(cd "$(dirname "$0")" && pwd)
REX_BUILD=$DIR/../../../../lib/rex/rex-build.sh
SAMPLES=$DIR/../../../../../samples/rex
args=()
[ "${1:-}" != -k ] || args=(-k "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

result() {	# n name status
	if [ "$3" = 0 ]; then
		echo "ok $1 rust-tools:$2"
	else
		echo "not ok $1 rust-tools:$2"
		fail=1
	fi
}

echo "TAP version 13"
echo "1..2"

rc=0
if "$REX_BUILD" "${args[@]}" --doc "$tmp/doc" > "$tmp/doc.log" 2>&1; then
	for page in index hist/index map/index helpers/index ctx/index; do
		[ -f "$tmp/doc/rex/$page.html" ] || { echo "# no $page.html"; rc=1; }
	done
	if ! grep -q 'LpmTrie' "$tmp/doc/rex/map/index.html"; then
		echo "# map/index.html lacks LpmTrie"
		rc=1
	fi
else
	sed 's/^/# /' "$tmp/doc.log"
	rc=1
fi
result 1 doc $rc

rc=0
mkdir -p "$tmp/ide"
cp "$SAMPLES"/*.rs "$tmp/ide/"
if "$REX_BUILD" "${args[@]}" --ide "$tmp/ide" > "$tmp/ide.log" 2>&1; then
	python3 - "$tmp/ide" <<'PY' || rc=1
import glob, json, os, sys
where = sys.argv[1]
p = json.load(open(os.path.join(where, "rust-project.json")))
bad = []
if not os.path.isfile(os.path.join(p["sysroot_src"], "core", "src", "lib.rs")):
    bad.append("sysroot_src has no core")
crates = p["crates"]
rex = crates[0]
if rex["display_name"] != "rex" or not os.path.isfile(rex["root_module"]):
    bad.append("crate 0 is not the crate rex")
if not os.path.isfile(os.path.join(rex["env"]["OUT_DIR"], "rex_bindings.rs")):
    bad.append("OUT_DIR of rex has no rex_bindings.rs")
progs = sorted(c["root_module"] for c in crates[1:])
want = sorted(glob.glob(os.path.join(os.path.abspath(where), "*.rs")))
if progs != want:
    bad.append("program crates %s, not the sources %s" % (progs, want))
for c in crates[1:]:
    if c["deps"] != [{"crate": 0, "name": "rex"}]:
        bad.append("%s does not depend on rex" % c["display_name"])
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
else
	sed 's/^/# /' "$tmp/ide.log"
	rc=1
fi
result 2 ide $rc
exit $fail
