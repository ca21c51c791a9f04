#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test kernel under QEMU (TCG, 2 vCPUs) with an initramfs holding
# busybox, the tools the kselftest runner needs and the output of the
# selftests' "install" target, then run the Rex collection the way
# KernelCI does (run_kselftest.sh -c rex).  Runs inside the environment.
#
#   scripts/vm.sh test    run the kselftests, serial log in $REX_CACHE/logs;
#                         then boot again with lockdown=integrity and run
#                         rex_lockdown_test (test-lockdown-serial.log), and
#                         with module.sig_enforce=1 and run rex_policy_test
#                         (test-policy-serial.log)
#   scripts/vm.sh demo    run the demo and show its output
#   scripts/vm.sh bench   run the benchmark and show its output
#   scripts/vm.sh fuzz    run the loader fuzzer for REX_FUZZ_ITERS loads
#                         (default 200000) from seed REX_FUZZ_SEED
#                         (test-fuzz-serial.log)
#   scripts/vm.sh debug   run the kselftests on the debug kernel
#                         (REX_FLAVOR=debug), then a kmemleak scan
#                         (test-debug-serial.log)
#   scripts/vm.sh hardened  run the kselftests on the hardened kernel
#                         (REX_FLAVOR=hardened), with retpolines and return
#                         thunks forced on (test-hardened-serial.log), then
#                         the lockdown and signature-policy boots as "test"
#   scripts/vm.sh kernelci  run the kselftests on the gcc-built kernel
#                         without Rust (REX_FLAVOR=kernelci) from a root
#                         file system without bpftool, as a KernelCI lab
#                         would (test-kernelci-serial.log); then the Rex
#                         KUnit suites in it through kunit.py (kunit.log)
#
# The VM powers itself off; a hard limit (REX_VM_TIMEOUT seconds, default
# 900) stops it if it hangs.
. "$(dirname "$0")/lib.sh"

MODE=${1:-test}
TREE=$REX_CACHE/linux
FLAVOR=${REX_FLAVOR:-test}
OUT=$REX_CACHE/build/$FLAVOR
# The selftests' images are built for the kernel they run on: the
# hardened kernels' (hardened*) with their mitigation flags, the kernelci
# kernel's with its compiler (gcc).  The debug kernel runs those of the
# test kernel: KASAN instrumentation is not for images (rex-build.sh
# takes neither the C nor the Rust KASAN flags of a kernel build).
KST_OUT=$REX_CACHE/build/kselftest
case $FLAVOR in hardened*|kernelci) KST_OUT=$REX_CACHE/build/kselftest-$FLAVOR ;; esac
KST=$REX_CACHE/build/kselftest-install
STAGE=$REX_CACHE/build/initramfs
LOGDIR=$REX_CACHE/logs
mkdir -p "$LOGDIR"

# Build and install the selftests like "make kselftest-install TARGETS=rex",
# with their own object tree so the kernel build directory is left alone.
# "make kselftest-install" installs the headers into the kernel object tree
# first; scripts/build-kernel.sh has done that.
log "building kselftests (TARGETS=rex)"
rm -rf "$KST"
# The Rust programs of rex_rust_test are built with this kernel build's
# Rust toolchain and flags (REX_KBUILD); core and the crate rex are cached.
[ -f "$OUT/usr/include/linux/rex.h" ] ||
	die "no uapi headers in $OUT/usr/include: build the kernel with scripts/build-kernel.sh"
timed "vm:selftests" make -s -j"$REX_JOBS" -C "$TREE/tools/testing/selftests" O="$KST_OUT" TARGETS=rex \
	KHDR_INCLUDES="-isystem $OUT/usr/include" \
	REX_KBUILD="$OUT" REX_RUST_CACHE="$REX_CACHE/rust" \
	INSTALL_PATH="$KST" install >/dev/null
# The environment has the toolchain: a skip would hide a broken build.
# Without CONFIG_RUST the Rust programs are not built, on purpose.
if grep -qx 'CONFIG_RUST=y' "$OUT/.config"; then
	grep '^ok' "$KST_OUT/kselftest/rex/rust-status" >/dev/null ||
		die "Rust programs not built: $(cat "$KST_OUT/kselftest/rex/rust-status")"
fi
# The test kernel has a module signing key: an empty signature by it would
# make rex_trust_test skip its built-in keyring test.
[ -s "$KST_OUT/kselftest/rex/first_light.builtin.p7s" ] ||
	die "no image signed by the module signing key of $OUT (CONFIG_MODULE_SIG)"

# Copy the shared libraries binaries need into the initramfs.
copy_libs() {
	local f lib
	for f in "$@"; do
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$STAGE$lib" ] || install -D -m 755 "$lib" "$STAGE$lib"
		done
	done
}

# Copy binaries and the shared libraries they need into the initramfs.
copy_bin() {
	local f
	for f in "$@"; do
		install -D -m 755 "$f" "$STAGE$f"
	done
	copy_libs "$@"
}

log "assembling initramfs"
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64}
mkdir -p "$STAGE"/{proc,sys,dev,tmp,root,etc}
ln -s usr/lib "$STAGE/lib"
ln -s usr/lib64 "$STAGE/lib64"
install -m 755 /bin/busybox "$STAGE/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$STAGE/bin/$a" ] || ln -s busybox "$STAGE/bin/$a"
done
# The runner needs coreutils' timeout (--foreground), env and perl.
copy_bin /usr/bin/timeout /usr/bin/env /usr/bin/perl /usr/bin/bash
# bpftool shows that Rex programs are BPF programs (demo, rex_info_test).
# A lab's kselftest root file system may lack it: the kernelci run goes
# without, so that what needs it shows its reason for skipping.
[ "$FLAVOR" = kernelci ] || copy_bin /usr/sbin/bpftool
cp -a /usr/lib/x86_64-linux-gnu/perl-base "$STAGE/usr/lib/x86_64-linux-gnu/"
cp -a "$KST" "$STAGE/kselftest"
# rex_bench needs libbpf.
copy_libs $(find "$KST" -type f -perm -u+x)
# The Rust samples and their loaders, for the demo.
if [ "$MODE" = demo ]; then
	mkdir -p "$STAGE/samples"
	make -s -C "$TREE/samples/rex" REX_KBUILD="$OUT" REX_RUST_CACHE="$REX_CACHE/rust" \
		OUTPUT="$STAGE/samples/"
fi
install -m 755 "$REX_SRC/scripts/vm-init.sh" "$STAGE/init"
echo "root:x:0:0:root:/root:/bin/sh" > "$STAGE/etc/passwd"
echo "root:x:0:" > "$STAGE/etc/group"
(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT/initramfs.cpio.gz"

# boot NAME MODE [KERNEL ARGUMENTS...]: one VM run, its console (kernel
# messages and what /init prints) in $LOGDIR/NAME-serial.log and, from the
# second serial port, what /init prints alone in $LOGDIR/NAME-out.log, in
# which no kernel message cuts a line: results are read from there.
# $ACCEL is how QEMU runs the vCPUs.
ACCEL="-accel tcg,thread=multi"
# The CPU: QEMU's "max", which has 5-level paging (LA57).  Not for a KASAN
# kernel: identify_boot_cpu() clears boot_cpu_data's capabilities before
# it reads them again, and an interrupt in that window sees
# pgtable_l5_enabled() false, so KASAN takes the 5-level direct map
# (0xff11...) for a wild address and reports "wild-memory-access" from
# the interrupt's spin lock: a false report that made a CI run fail once
# (7.2.13, lockdown boot of the hardened kernel).  With 4-level paging
# that window changes nothing.
CPU=max
grep -q '^CONFIG_KASAN=y' "$OUT/.config" && CPU=max,la57=off
boot() {
	local name=$1 mode=$2 serial=$LOGDIR/$1-serial.log out=$LOGDIR/$1-out.log rc
	shift 2
	log "booting $FLAVOR kernel (TCG, 2 vCPUs), serial log: $serial"
	rm -f "$out"
	set +e
	timed "boot:$name" timeout --foreground "${REX_VM_TIMEOUT:-900}" \
		qemu-system-x86_64 -machine pc $ACCEL -cpu $CPU -smp 2 -m 2G \
		-nodefaults -nographic -no-reboot -serial stdio -serial "file:$out" \
		-kernel "$OUT/arch/x86/boot/bzImage" -initrd "$OUT/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 rex.mode=$mode $* ${REX_VM_APPEND:-}" \
		</dev/null > "$serial" 2>&1
	rc=$?
	set -e
	[ $rc = 124 ] && echo "VM: hard time limit of ${REX_VM_TIMEOUT:-900}s reached" >> "$serial"
	return 0
}

# The CPU QEMU emulates needs neither retpolines nor return thunks: on
# the hardened kernels both are forced on, so that images run with the
# thunks bound as on an affected CPU.
FORCE_MITIGATIONS=
case $FLAVOR in hardened*) FORCE_MITIGATIONS="spectre_v2=retpoline retbleed=force" ;; esac

case $MODE in
bench)
	# REX_FLAVOR=hardened-bench (hardened.config without debug.config,
	# README.md): the thunks' cost against the test kernel.
	# Twice: wall-clock figures with both vCPUs on their own host
	# threads, then guest instruction counts.  With -icount shift=0 the
	# guest's clock advances 1 ns per executed instruction (and jumps
	# over idle time, sleep=off), so the kernel's BPF_PROG_TEST_RUN times
	# are instruction counts, whatever the host does meanwhile.  icount
	# runs the vCPUs in turn on one host thread.
	[ -x "$KST/rex/rex_bench" ] ||
		die "rex_bench was not built: it needs libbpf's headers (libbpf-dev)"
	boot bench bench $FORCE_MITIGATIONS
	ACCEL="-accel tcg,thread=single -icount shift=0,sleep=off"
	boot bench-icount bench rex.clock=icount $FORCE_MITIGATIONS
	# The table, and the results of both boots in bench.csv.
	echo "clock,case,program,value,unit" > "$LOGDIR/bench.csv"
	for run in bench bench-icount; do
		out=$LOGDIR/$run-out.log
		sed -n '/^REX-BENCH-BEGIN/,/^REX-BENCH-END/p' "$out" | sed '1d;$d' |
			grep -v '^REX-BENCH-CSV,' || true
		grep -q '^REX-BENCH-END rc=0' "$out" ||
			die "benchmark failed, see $LOGDIR/$run-serial.log"
		sed -n 's/^REX-BENCH-CSV,//p' "$out" | tr -d '\r' >> "$LOGDIR/bench.csv"
	done
	# The memcached cache's programs: lines of code, blank lines and
	# comments left out (the eBPF program's constants and entry type are
	# in progs/bmc.h, which the Rust program repeats).
	st=$REX_SRC/tools/testing/selftests/rex
	loc_bpf=$(grep -cvE '^\s*($|//|/\*|\*)' "$st/progs/bmc.bpf.c")
	loc_rust=$(grep -cvE '^\s*($|//)' "$st/rust/rust_bmc.rs")
	printf '%-36s  eBPF C %s (progs/bmc.bpf.c), Rex Rust %s (rust/rust_bmc.rs)\n' \
		"memcached cache: lines of code" "$loc_bpf" "$loc_rust"
	echo "source,memcached cache: lines of code,eBPF,$loc_bpf,lines" >> "$LOGDIR/bench.csv"
	echo "source,memcached cache: lines of code,Rex Rust,$loc_rust,lines" >> "$LOGDIR/bench.csv"
	python3 "$REX_SRC/scripts/bench-chart.py" "$LOGDIR/bench.csv" "$LOGDIR/bench.svg"
	log "results: $LOGDIR/bench.csv, chart: $LOGDIR/bench.svg"
	# The cover letter's figures (scripts/series.py): make series, and
	# commit both.
	cp "$LOGDIR/bench.csv" "$REX_SRC/patches/bench.csv"
	log "copied to patches/bench.csv, the cover letter's figures: run make series"
	;;
debug)
	# KASAN and lockdep make a load about ten times slower: fewer fuzzer
	# loads keep the debug boot inside the warm run's budget.
	boot test-debug debug "rex.fuzz_iters=${REX_FUZZ_ITERS_DEBUG:-4000}"
	;;
hardened)
	# Fewer fuzzer loads: in make test it is also the debug kernel.
	boot test-hardened hardened $FORCE_MITIGATIONS \
		"rex.fuzz_iters=${REX_FUZZ_ITERS_HARDENED:-4000}" ${REX_VM_ONLY:+rex.only=$REX_VM_ONLY}
	# make test's only clang kernel: the lockdown and signature-policy
	# boots run on it.
	if [ -z "${REX_VM_ONLY:-}" ]; then
		boot test-lockdown lockdown lockdown=integrity $FORCE_MITIGATIONS
		boot test-policy policy module.sig_enforce=1 $FORCE_MITIGATIONS
	fi
	;;
kernelci)
	# run_kselftest.sh -c rex once, as a KernelCI job runs it: no
	# second boot for the lockdown and signature-policy tests, which
	# skip.  KUnit stays off here (it taints the kernel, which
	# rex_trust_test watches); kunit.py boots the same kernel for it.
	boot test-kernelci kernelci kunit.enable=0 ${REX_VM_ONLY:+rex.only=$REX_VM_ONLY}
	if grep -qx 'CONFIG_KUNIT=y' "$OUT/.config"; then
		log "KUnit: kunit.py exec on $OUT, log: $LOGDIR/kunit.log"
		rm -f "$LOGDIR/kunit.json"
		set +e
		(cd "$TREE" && timed boot:kunit python3 tools/testing/kunit/kunit.py exec \
			--arch=x86_64 --build_dir="$OUT" --timeout=300 \
			--json="$LOGDIR/kunit.json") > "$LOGDIR/kunit.log" 2>&1
		echo "REX-KUNIT-END rc=$?" >> "$LOGDIR/kunit.log"
		set -e
	fi
	;;
fuzz)
	boot test-fuzz fuzz "rex.fuzz_iters=${REX_FUZZ_ITERS:-200000}" \
		"rex.fuzz_seed=${REX_FUZZ_SEED:-1}"
	grep -E '^# (# )?[0-9]+ loads|^# (# )?  |^(# )*(not )?ok ' "$LOGDIR/test-fuzz-out.log" || true
	;;
demo)
	boot demo demo
	out=$LOGDIR/demo-out.log
	sed -n '/^REX-DEMO-BEGIN/,/^REX-DEMO-END/p' "$out" | sed '1d;$d'
	grep -q '^REX-DEMO-END rc=0' "$out" || die "demo failed, see $LOGDIR/demo-serial.log"
	;;
*)
	# REX_VM_ONLY=rex_panic_test,rex_nest_test runs just these tests, for
	# development.
	if [ -n "${REX_VM_ONLY:-}" ]; then
		boot test test "rex.only=$REX_VM_ONLY"
	else
		boot test test
		boot test-lockdown lockdown lockdown=integrity
		boot test-policy policy module.sig_enforce=1
	fi
	;;
esac
exit 0
