#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the Rex series (run inside the environment, after the
# tree is assembled and the kernel configured and built):
#
#   series      patches/ fresh, git am onto pristine, checkpatch --strict
#   kernel-doc  scripts/kernel-doc -Wall on every Rex source file
#   w1          W=1 build of kernel/rex/ with warnings as errors
#   sparse      C=2 on kernel/rex/
#   coccinelle  make coccicheck MODE=report M=kernel/rex
#   htmldocs    make SPHINXDIRS=bpf htmldocs, no warning about Rex files
#   rex-n       the BPF core builds with CONFIG_REX=n (the rex.h stubs)
#   rust-refuse the Rust programs rex-build.sh must refuse do not build
#   bisect      every patch of the series builds (REX_CHECK_BISECT=0 skips)
#
# Each check prints "ok N check:NAME" or "not ok N check:NAME" (TAP) on
# stdout, its findings as "# ..." lines.  Exit status is 0.
. "$(dirname "$0")/lib.sh"

TREE=$REX_CACHE/linux
OUT=$REX_CACHE/build/${REX_FLAVOR:-test}
REX_FILES=(kernel/rex/*.c kernel/rex/*.h include/linux/rex.h)
n=0

report() {	# name status output-file
	n=$((n + 1))
	sed 's/^/# /' "$3"
	if [ "$2" = 0 ]; then
		echo "ok $n check:$1"
	else
		echo "not ok $n check:$1"
	fi
}

run_check() {	# name command...
	local name=$1 out rc
	shift
	out=$(mktemp)
	rc=0
	"$@" > "$out" 2>&1 || rc=$?
	report "$name" "$rc" "$out"
	rm -f "$out"
}

kmake() { make -C "$TREE" O="$OUT" LLVM=1 -j"$REX_JOBS" "$@"; }

# Run a checker and fail when it fails or any line of its output matches
# the extended regular expression (case-insensitive); print those lines,
# or all output when the checker itself failed.
fail_on() {	# ERE command...
	local ere=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ $rc != 0 ]; then
		printf '%s\n' "$out"
		return 1
	fi
	! printf '%s\n' "$out" | grep -iE "$ere"
}

# Any output of kernel-doc is a finding.
check_kdoc() {
	cd "$TREE" && fail_on . scripts/kernel-doc -Wall -none "${REX_FILES[@]}"
}

check_w1() {
	fail_on 'warning:' kmake -s W=1 KCFLAGS=-Werror kernel/rex/
}

# The kernel turns C=2 off, with a warning, when sparse is too old.
check_sparse() {
	fail_on 'warning:|error:|not available' kmake -s C=2 kernel/rex/
}

# coccicheck prints one line per finding, naming the file.
check_cocci() {
	fail_on '\.(c|h):[0-9]+' make -C "$TREE" -s coccicheck MODE=report M=kernel/rex \
		J="$REX_JOBS"
}

# Only warnings about Rex files count: upstream bpf docs have their own.
check_htmldocs() {
	fail_on '(warning|error).*rex|rex.*(warning|error)' \
		make -C "$TREE" O="$REX_CACHE/build/docs" SPHINXDIRS=bpf htmldocs
}

# CONFIG_REX=n with everything else as in the test kernel but Rust: build
# the BPF core, which calls Rex through the stubs of linux/rex.h.
check_rex_n() {
	local frag=$REX_CACHE/build/norex.config out rc=0
	grep -vE '^CONFIG_(REX|RUST)=' "$REX_SRC/tools/testing/selftests/rex/config" > "$frag"
	echo "# CONFIG_REX is not set" >> "$frag"
	out=$(REX_FLAVOR=norex REX_CONFIGS=$frag REX_CONFIG_STRICT=0 \
		REX_KMAKE_TARGETS="kernel/bpf/ kernel/" \
		"$REX_SRC/scripts/build-kernel.sh" 2>&1) || rc=$?
	printf '%s\n' "$out" | grep -v '^>>>'
	[ $rc = 0 ] && ! grep -q '^CONFIG_REX=y' "$REX_CACHE/build/norex/.config"
}

run_check series python3 "$REX_SRC/scripts/series.py" check
run_check kernel-doc check_kdoc
run_check w1 check_w1
run_check sparse check_sparse
run_check coccinelle check_cocci
run_check htmldocs check_htmldocs
run_check rex-n check_rex_n
run_check rust-refuse env REX_RUST_CACHE="$REX_CACHE/rust" \
	"$TREE/tools/testing/selftests/rex/rust/refuse.sh" -k "$OUT"
if [ "${REX_CHECK_BISECT:-1}" = 1 ]; then
	run_check bisect "$REX_SRC/scripts/bisect-build.sh"
fi
exit 0
