#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Entry point of the Rex tooling (called by the Makefile).
#
#   scripts/rex.sh prepare   environment, kernel source, tree, kernel build
#   scripts/rex.sh check     static checks of the series
#   scripts/rex.sh check-series  patches/ fresh, applies, checkpatch clean,
#                            every patch builds
#   scripts/rex.sh check-matrix  the configurations that must not break
#                            (scripts/build-matrix.sh)
#   scripts/rex.sh test      environment, tree, the hardened kernel (which
#                            is also the debug kernel: KASAN, kmemleak,
#                            lockdep), checks (but the per-patch builds),
#                            kselftests in the VM on it, the C suite and
#                            the KUnit suites on the gcc-built kernelci
#                            kernel, summary
#   scripts/rex.sh fresh     test with an empty cache that shares only the
#                            downloads of this one (REX_FRESH_CACHE)
#   scripts/rex.sh demo      prepare + boot the VM and run the demo
#   scripts/rex.sh bench     prepare + boot the VM and run the benchmark
#   scripts/rex.sh fuzz      prepare + a long run of the loader fuzzer in the
#                            VM, on the debug kernel (KASAN, kmemleak)
#   scripts/rex.sh series    regenerate patches/ (author: git's identity)
#   scripts/rex.sh check-postable  fail unless patches/ has an author and
#                            sign-offs (a series made without is DO NOT POST)
#   scripts/rex.sh rexdoc    prepare + the API reference of the crate rex
#                            (rustdoc) in $REX_CACHE/build/rexdoc
. "$(dirname "$0")/lib.sh"

ENV=$REX_SRC/scripts/env.sh
LOGDIR=$REX_CACHE/logs
mkdir -p "$LOGDIR"

# The build environment and the pristine kernel source, side by side: the
# source is unpacked and committed on the host while the root is set up.
environment() {
	local fetch rc=0
	timed source "$REX_SRC/scripts/fetch-kernel.sh" &
	fetch=$!
	timed env "$ENV" setup || rc=$?
	wait $fetch || die "the kernel source could not be fetched"
	[ $rc = 0 ] || die "the build environment could not be set up"
}

# environment, the tree and the test kernel (with its uapi headers, which
# the static checks and the selftests use).
prepare() {
	local t0=$SECONDS
	environment
	"$ENV" run scripts/timed.sh tree scripts/tree.sh
	"$ENV" run scripts/timed.sh build:test scripts/build-kernel.sh
	log "prepared in $((SECONDS - t0)) s"
}

# The kernel make test runs the whole suite on: hardened (mitigations,
# IBT, kCFI) and debug (KASAN, kmemleak, lockdep) in one, with Rust.
# Timed as $1.
hardened_build() {
	"$ENV" run env REX_FLAVOR=hardened \
		REX_CONFIGS="$ENV_SRC/tools/testing/selftests/rex/config $ENV_SRC/scripts/config/hardened.config $ENV_SRC/scripts/config/debug.config" \
		scripts/timed.sh "$1" scripts/build-kernel.sh
}

# The kernel KernelCI would build from this series: tinyconfig, the VM's
# needs and the selftest fragment, merged as kselftest-merge does, by gcc
# (gcc-14 in the environment) and without CONFIG_RUST; with the
# mitigations of x86_64_defconfig, KUnit and the Rex KUnit suites
# (scripts/config/kernelci.config).  Timed as $1.
kernelci_build() {
	"$ENV" run env REX_FLAVOR=kernelci REX_LLVM=0 \
		REX_BASE_CONFIG="$ENV_SRC/scripts/config/vm.config" \
		REX_CONFIGS="$ENV_SRC/tools/testing/selftests/rex/config $ENV_SRC/scripts/config/kernelci.config" \
		scripts/timed.sh "$1" scripts/build-kernel.sh
}

# make test from a cache of its own that starts empty but for the
# downloads (packages, kernel source) of this one: what a fresh machine
# does, minus the downloads.  The cache is removed when the run passes and
# kept for a look when it fails; its logs are copied to logs/fresh/.
fresh() {
	local dir=${REX_FRESH_CACHE:-$REX_CACHE.fresh} rc=0
	rm -rf "$dir"
	mkdir -p "$dir"
	log "make test with the fresh cache $dir (downloads from $REX_DOWNLOADS)"
	REX_CACHE=$dir REX_DOWNLOADS=$REX_DOWNLOADS "$0" test || rc=$?
	rm -rf "$LOGDIR/fresh"
	cp -a "$dir/logs" "$LOGDIR/fresh"
	if [ $rc = 0 ]; then
		rm -rf "$dir"
	else
		log "the fresh cache is kept in $dir"
	fi
	return $rc
}

case ${1:-test} in
prepare)
	prepare
	;;
series)
	environment
	# The series' author: git's identity here, which the environment
	# does not see (scripts/series.py).
	if [ -z "${REX_SERIES_AUTHOR:-}" ] && name=$(git -C "$REX_SRC" config user.name) &&
		email=$(git -C "$REX_SRC" config user.email); then
		export REX_SERIES_AUTHOR="$name <$email>"
	fi
	"$ENV" run python3 scripts/series.py generate >/dev/null
	log "patches/ regenerated (author: ${REX_SERIES_AUTHOR:-none: DO NOT POST})"
	;;
check-postable)
	environment
	"$ENV" run python3 scripts/series.py postable
	;;
check-series)
	environment
	"$ENV" run bash -c 'scripts/tree.sh && python3 scripts/series.py check &&
		scripts/bisect-build.sh patches'
	;;
check)
	prepare
	"$REX_SRC/scripts/fetch-kernel.sh" debian-config
	"$ENV" run scripts/check.sh | tee "$LOGDIR/checks.tap"
	;;
check-matrix)
	environment
	"$REX_SRC/scripts/fetch-kernel.sh" debian-config
	"$ENV" run bash -c 'scripts/tree.sh && scripts/build-matrix.sh'
	;;
demo)
	prepare
	"$ENV" run scripts/vm.sh demo
	;;
bench)
	prepare
	"$ENV" run scripts/vm.sh bench
	;;
fresh)
	fresh
	;;
rexdoc)
	prepare
	"$ENV" run env REX_RUST_CACHE="$ENV_CACHE/rust" tools/lib/rex/rex-build.sh \
		-k "$ENV_CACHE/build/test" --doc "$ENV_CACHE/build/rexdoc"
	log "API reference of the crate rex: $REX_CACHE/build/rexdoc/rex/index.html"
	;;
fuzz)
	prepare
	rm -f "$LOGDIR/test-fuzz-serial.log" "$LOGDIR/test-fuzz-out.log"
	"$ENV" run env REX_FLAVOR=debug \
		REX_CONFIGS="$ENV_SRC/tools/testing/selftests/rex/config $ENV_SRC/scripts/config/debug.config" \
		scripts/build-kernel.sh
	"$ENV" run env REX_FLAVOR=debug REX_VM_TIMEOUT="${REX_VM_TIMEOUT:-3600}" scripts/vm.sh fuzz
	"$ENV" run python3 scripts/summary.py /dev/null "$ENV_CACHE/logs/test-fuzz-serial.log"
	;;
test)
	t0=$SECONDS
	rm -f "$REX_TIMES" "$LOGDIR"/test-*serial.log "$LOGDIR"/test-*out.log "$LOGDIR/checks.tap" \
		"$LOGDIR"/kunit.*
	# Two kernels: clang with Rust, hardened and debug, for the whole
	# suite; gcc without Rust, as KernelCI builds it, for the C suite
	# and KUnit.  The plain test kernel of make demo and make bench is
	# not built: a third kernel does not fit the cold run's budget
	# (README.md).
	environment
	"$ENV" run scripts/timed.sh tree scripts/tree.sh
	# The run is bound by the two CPUs' work, and the hardened kernel's
	# build and boots leave some of it unused (links, the Rust crates, a
	# suite that runs one test at a time): the kernelci kernel (gcc) and
	# then the static checks take that, at the lowest priority, so that
	# they do not slow what they run beside.
	log "building the kernelci kernel beside the hardened kernel, at low priority"
	(renice -n 19 $BASHPID >/dev/null; kernelci_build build:kernelci) \
		> "$LOGDIR/build-kernelci.log" 2>&1 &
	kernelci=$!
	if ! hardened_build build:hardened; then
		wait $kernelci || true
		die "the hardened kernel did not build"
	fi
	log "static checks, at low priority, beside the hardened kernel's boots"
	# The per-patch builds are "make check-series" and the build matrix
	# "make check-matrix" (both are in "make check"): cold they cost more
	# than a kernel each, and the kernels of the suite need the time
	# (README.md).
	(renice -n 19 $BASHPID >/dev/null
	 "$ENV" run env REX_FLAVOR=hardened REX_CHECK_BISECT="${REX_CHECK_BISECT:-0}" \
		REX_CHECK_MATRIX="${REX_CHECK_MATRIX:-0}" scripts/check.sh) \
		> "$LOGDIR/checks.tap" &
	checks=$!
	# The suite, then the short lockdown and signature-policy boots.
	vm_rc=0
	"$ENV" run env REX_FLAVOR=hardened scripts/vm.sh hardened || vm_rc=$?
	log "serial log of the hardened VM: $LOGDIR/test-hardened-serial.log"
	grep -E '^(# )*(not )?ok |^# selftests' "$LOGDIR/test-hardened-out.log" >&2 || true
	wait $checks || true
	if [ $vm_rc != 0 ]; then
		wait $kernelci || true
		die "the hardened kernel's selftests could not run"
	fi
	grep -v '^ok ' "$LOGDIR/checks.tap" | grep -v '^# *$' | head -200 >&2 || true
	# A kernel that did not build shows as runs that did not complete.
	kernelci_ok=1
	if ! wait $kernelci; then
		tail -50 "$LOGDIR/build-kernelci.log" >&2
		log "the kernelci kernel did not build: $LOGDIR/build-kernelci.log"
		kernelci_ok=0
	fi
	# And as KernelCI builds it: gcc, no Rust; the C suite, then the
	# Rex KUnit suites in the same kernel.
	[ $kernelci_ok = 0 ] || "$ENV" run env REX_FLAVOR=kernelci scripts/vm.sh kernelci
	log "serial log of the kernelci VM: $LOGDIR/test-kernelci-serial.log, KUnit: $LOGDIR/kunit.log"
	printf 'total\t%s\n' "$((SECONDS - t0))" >> "$REX_TIMES"
	"$ENV" run python3 scripts/summary.py --times "$ENV_CACHE/logs/times.tsv" \
		"$ENV_CACHE/logs/checks.tap" "$ENV_CACHE/logs/test-hardened-serial.log" \
		"$ENV_CACHE/logs/test-lockdown-serial.log" "$ENV_CACHE/logs/test-policy-serial.log" \
		"$ENV_CACHE/logs/test-kernelci-serial.log" "$ENV_CACHE/logs/kunit.log"
	;;
*)
	die "usage: $0 prepare|check|check-series|check-postable|check-matrix|test|fresh|fuzz|demo|bench|series|rexdoc"
	;;
esac
