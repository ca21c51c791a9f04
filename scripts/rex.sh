#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Entry point of the Rex tooling (called by the Makefile).
#
#   scripts/rex.sh prepare   environment, kernel source, tree, kernel build
#   scripts/rex.sh check     static checks of the series
#   scripts/rex.sh check-series  patches/ fresh, applies, checkpatch clean,
#                            every patch builds
#   scripts/rex.sh test      prepare + checks + kselftests in the VM, summary
#   scripts/rex.sh demo      prepare + boot the VM and run the demo
#   scripts/rex.sh bench     prepare + boot the VM and run the benchmark
#   scripts/rex.sh series    regenerate patches/
. "$(dirname "$0")/lib.sh"

ENV=$REX_SRC/scripts/env.sh
LOGDIR=$REX_CACHE/logs
mkdir -p "$LOGDIR"

# The build environment and the pristine kernel source.
environment() {
	"$ENV" setup
	"$REX_SRC/scripts/fetch-kernel.sh"
}

prepare() {
	local t0=$SECONDS
	environment
	"$ENV" run bash -c 'scripts/tree.sh && scripts/build-kernel.sh'
	log "prepared in $((SECONDS - t0)) s"
}

case ${1:-test} in
prepare)
	prepare
	;;
series)
	environment
	"$ENV" run python3 scripts/series.py generate >/dev/null
	log "patches/ regenerated"
	;;
check-series)
	environment
	"$ENV" run bash -c 'scripts/tree.sh && python3 scripts/series.py check &&
		scripts/bisect-build.sh'
	;;
check)
	prepare
	"$ENV" run scripts/check.sh | tee "$LOGDIR/checks.tap"
	;;
demo)
	prepare
	"$ENV" run scripts/vm.sh demo
	;;
bench)
	prepare
	"$ENV" run scripts/vm.sh bench
	;;
test)
	t0=$SECONDS
	prepare
	log "static checks"
	"$ENV" run scripts/check.sh > "$LOGDIR/checks.tap"
	grep -v '^ok ' "$LOGDIR/checks.tap" | grep -v '^# *$' | head -200 >&2 || true
	rm -f "$LOGDIR"/test-*serial.log
	"$ENV" run scripts/vm.sh test
	log "serial log of the test VM: $LOGDIR/test-serial.log"
	grep -E '^(# )*(not )?ok |^# selftests' "$LOGDIR/test-serial.log" >&2 || true
	# The same suite on a debug kernel (KASAN, kmemleak, lockdep).
	"$ENV" run bash -c 'REX_FLAVOR=debug REX_CONFIGS="$0/tools/testing/selftests/rex/config
		$0/scripts/config/debug.config" scripts/build-kernel.sh &&
		REX_FLAVOR=debug scripts/vm.sh debug' "$ENV_SRC"
	log "serial log of the debug VM: $LOGDIR/test-debug-serial.log"
	log "make test took $((SECONDS - t0)) s"
	"$ENV" run python3 scripts/summary.py /cache/logs/checks.tap /cache/logs/test-serial.log \
		/cache/logs/test-lockdown-serial.log /cache/logs/test-debug-serial.log
	;;
*)
	die "usage: $0 prepare|check|check-series|test|demo|bench|series"
	;;
esac
