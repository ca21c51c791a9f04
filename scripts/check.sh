#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the Rex series (run inside the environment, after the
# tree is assembled and the kernel of $REX_FLAVOR, default test,
# configured and built):
#
#   series      patches/ fresh, git am onto pristine, checkpatch --strict
#   kernel-doc  scripts/kernel-doc -Wall on every Rex source file
#   w1          W=1 build of kernel/rex/ with warnings as errors
#   sparse      C=2 on kernel/rex/
#   coccinelle  make coccicheck MODE=report M=kernel/rex
#   htmldocs    make SPHINXDIRS=bpf htmldocs, no warning about Rex files
#   kconfig     Kconfig refuses what Rex cannot run on (PREEMPT_RT), and
#               kunit.py's selections run the Rex KUnit suites
#   rust-refuse the Rust programs rex-build.sh must refuse do not build
#   rust-tools  rex-build.sh --doc and --ide: the crate's API reference,
#               rust-project.json for the samples
#   summary     summary.py reads results whole from a VM's second serial
#               port when a kernel message cut them on the console
#   postable    series.py postable refuses a series made without an
#               identity or missing its author's sign-off
#   bisect      every patch of the series builds (REX_CHECK_BISECT=0 skips)
#   matrix      the configurations that must not break: allnoconfig,
#               defconfig, i386, arm64, Debian's amd64 and rt ones, and
#               the head of the series with CONFIG_REX=n
#               (scripts/build-matrix.sh; REX_CHECK_MATRIX=0 skips)
#
# Each check prints "ok N check:NAME" or "not ok N check:NAME" (TAP) on
# stdout, its findings as "# ..." lines, and records its time as
# "check:NAME" (timed() in lib.sh).  The kernel builds (bisect, matrix)
# run beside the others.  Exit status is 0.
. "$(dirname "$0")/lib.sh"

TREE=$REX_CACHE/linux
OUT=$REX_CACHE/build/${REX_FLAVOR:-test}
REX_FILES=(kernel/rex/*.c kernel/rex/*.h include/linux/rex.h)

# Each check's output and status go to $RES/NAME.{out,rc}; they are
# reported in the order of CHECKS once all have run.
RES=$(mktemp -d)
trap 'rm -rf "$RES"' EXIT
CHECKS=(series kernel-doc w1 sparse coccinelle htmldocs kconfig uapi-copy codespell rust-refuse
	rust-tools summary
	postable bisect matrix)

run_check() {	# name command...
	local name=$1 rc=0
	shift
	timed "check:$name" "$@" > "$RES/$name.out" 2>&1 || rc=$?
	echo "$rc" > "$RES/$name.rc"
}

report() {
	local name n=0
	for name in "${CHECKS[@]}"; do
		[ -f "$RES/$name.rc" ] || continue
		n=$((n + 1))
		sed 's/^/# /' "$RES/$name.out"
		if [ "$(cat "$RES/$name.rc")" = skip ]; then
			echo "ok $n check:$name # SKIP $(cat "$RES/$name.out")"
		elif [ "$(cat "$RES/$name.rc")" = 0 ]; then
			echo "ok $n check:$name"
		else
			echo "not ok $n check:$name"
		fi
	done
}

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

# W=1 and sparse build kernel/rex/ in a directory of their own (build/w1)
# with the configuration of the kernel in $OUT (make test: the hardened
# one) but Rust, which kernel/rex does not use, and with the KUnit suites,
# which are part of kernel/rex/: in the kernel's own directory the changed
# flags would rebuild these objects, and with Rust the kernel's Rust
# crates, once for the check and once more for the next test build.  Here
# the flags never change, so only changed files are compiled again (a file
# that failed has no object and is compiled again until it passes).
W1=$REX_CACHE/build/w1
prepare_w1() {
	local want
	want=$(sha256sum < "$OUT/.config" | cut -c1-16)
	mkdir -p "$W1"
	[ "$(cat "$W1/.rex-config" 2>/dev/null)" != "$want" ] || return 0
	cp "$OUT/.config" "$W1/.config"
	"$TREE/scripts/config" --file "$W1/.config" -d RUST -e KUNIT -e REX_KUNIT_TEST
	make -C "$TREE" O="$W1" LLVM=1 -s olddefconfig || return 1
	echo "$want" > "$W1/.rex-config"
}

w1make() { make -C "$TREE" O="$W1" LLVM=1 -j"$REX_JOBS" -s W=1 KCFLAGS=-Werror "$@"; }

check_w1() {
	prepare_w1 && fail_on 'warning:' w1make kernel/rex/
}

# The kernel turns C=2 off, with a warning, when sparse is too old.
check_sparse() {
	prepare_w1 && fail_on 'warning:|error:|not available' w1make C=2 kernel/rex/
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

# On PREEMPT_RT, softirqs run in preemptible task context and the helpers'
# locks sleep, while a Rex program runs with preemption disabled: the test
# kernel's configuration with PREEMPT_RT must lose CONFIG_REX.
check_kconfig() {
	local dir=$REX_CACHE/build/kconfig
	mkdir -p "$dir"
	cp "$OUT/.config" "$dir/.config"
	"$TREE/scripts/config" --file "$dir/.config" -e EXPERT -e PREEMPT_RT
	make -C "$TREE" O="$dir" LLVM=1 -s olddefconfig || return 1
	if ! grep -qx 'CONFIG_PREEMPT_RT=y' "$dir/.config"; then
		echo "kconfig: PREEMPT_RT could not be enabled in the test configuration"
		return 1
	fi
	if grep -q '^CONFIG_REX=y' "$dir/.config"; then
		echo "kconfig: CONFIG_REX=y with PREEMPT_RT"
		return 1
	fi
	echo "kconfig: PREEMPT_RT=y drops CONFIG_REX"
	check_kunit_selection
}

# The Rex KUnit suites are selected the way kunit.py selects tests: by
# kernel/rex/.kunitconfig (kunit.py run --kunitconfig=kernel/rex), and
# through CONFIG_KUNIT_ALL_TESTS by tools/testing/kunit/configs/
# all_tests.config (kunit.py run --alltests) once Rex is enabled, which
# that file, shared with UML, cannot do: "--arch=x86_64 --kconfig_add
# CONFIG_REX=y" and its dependencies.  kunit.py writes the file as .config
# and runs olddefconfig; so does this.
check_kunit_selection() {
	local dir=$REX_CACHE/build/kconfig-kunit name
	# One build directory: its configuration tool is built once.
	mkdir -p "$dir"
	for name in kunitconfig alltests; do
		case $name in
		kunitconfig)
			cat "$TREE/kernel/rex/.kunitconfig" > "$dir/.config" ;;
		alltests)
			{ cat "$TREE/tools/testing/kunit/configs/all_tests.config"
			  printf 'CONFIG_%s=y\n' BPF_SYSCALL BPF_JIT REX; } > "$dir/.config" ;;
		esac
		make -C "$TREE" O="$dir" ARCH=x86_64 -s olddefconfig || return 1
		if ! grep -qx 'CONFIG_REX_KUNIT_TEST=y' "$dir/.config"; then
			echo "kconfig: $name does not select CONFIG_REX_KUNIT_TEST"
			return 1
		fi
		echo "kconfig: $name selects CONFIG_REX_KUNIT_TEST"
	done
}

# Tools build against their copies of the uapi headers (tools/include/uapi),
# which must say what the kernel's say, as for libbpf's.
check_uapi_copy() {
	local h rc=0
	for h in bpf.h rex.h; do
		if cmp -s "$TREE/include/uapi/linux/$h" "$TREE/tools/include/uapi/linux/$h"; then
			echo "uapi: tools/include/uapi/linux/$h is include/uapi/linux/$h"
		else
			echo "uapi: tools/include/uapi/linux/$h differs from include/uapi/linux/$h"
			rc=1
		fi
	done
	return $rc
}

# Spelling of what the series adds: the added lines and the messages of
# every patch and the cover letter, through codespell (Debian's).  Words it
# takes for misspellings that are not: Rust's statics, O_WRONLY.
CODESPELL_IGNORE=statics,wronly
check_codespell() {
	local dir p
	dir=$(mktemp -d)
	for p in "$REX_SRC"/patches/0*.patch; do
		awk '/^diff --git/ { d = 1 } !d || (/^\+/ && !/^\+\+\+/)' "$p" \
			> "$dir/$(basename "$p" .patch)"
	done
	(cd "$dir" && codespell -L "$CODESPELL_IGNORE" ./*)
	local rc=$?
	rm -rf "$dir"
	[ $rc = 0 ] && echo "codespell: no misspellings in what the series adds"
	return $rc
}

# The kernel builds of the per-patch and matrix checks use every CPU;
# they run beside the other checks, most of which use one.
{
	if [ "${REX_CHECK_BISECT:-1}" = 1 ]; then
		run_check bisect "$REX_SRC/scripts/bisect-build.sh" patches
	else
		echo "the per-patch builds are make check-series" > "$RES/bisect.out"
		echo skip > "$RES/bisect.rc"
	fi
	if [ "${REX_CHECK_MATRIX:-1}" = 1 ]; then
		run_check matrix "$REX_SRC/scripts/build-matrix.sh"
	else
		echo "the build matrix is make check-matrix" > "$RES/matrix.out"
		echo skip > "$RES/matrix.rc"
	fi
} &
builds=$!
run_check series python3 "$REX_SRC/scripts/series.py" check
run_check summary python3 "$REX_SRC/scripts/summary.py" --self-test
run_check postable python3 "$REX_SRC/scripts/series.py" postable --self-test
run_check kernel-doc check_kdoc
run_check w1 check_w1
run_check sparse check_sparse
run_check coccinelle check_cocci
run_check htmldocs check_htmldocs
run_check kconfig check_kconfig
run_check uapi-copy check_uapi_copy
run_check codespell check_codespell
run_check rust-refuse env REX_RUST_CACHE="$REX_CACHE/rust" \
	"$TREE/tools/testing/selftests/rex/rust/refuse.sh" -k "$OUT"
run_check rust-tools env REX_RUST_CACHE="$REX_CACHE/rust" \
	"$TREE/tools/testing/selftests/rex/rust/tools.sh" -k "$OUT"
wait $builds || true
report
exit 0
