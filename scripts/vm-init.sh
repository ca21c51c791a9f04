#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the Rex test VM: set up what the kselftest runner expects of a
# system, run the Rex collection (or the demo) and power off.

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
# devtmpfs has none of these and the runner writes to /dev/stdout.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
ip link set lo up 2>/dev/null
# What this script and the tests print goes to the second serial port
# (NAME-out.log on the host), written by one process, so in whole lines;
# and to the console (NAME-serial.log), where the kernel's messages can
# land in the middle of a line: results are read from the first.
tee_pid=
if [ -c /dev/ttyS1 ] && mkfifo /tmp/init-out; then
	tee /dev/ttyS1 < /tmp/init-out > /dev/console &
	tee_pid=$!
	exec > /tmp/init-out 2>&1
fi
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root

mode=test
only=
clock=wall
for arg in $(cat /proc/cmdline); do
	case $arg in
	rex.mode=*) mode=${arg#rex.mode=} ;;
	rex.only=*) only=${arg#rex.only=} ;;
	rex.fuzz_iters=*) export REX_FUZZ_ITERS=${arg#rex.fuzz_iters=} ;;
	rex.fuzz_seed=*) export REX_FUZZ_SEED=${arg#rex.fuzz_seed=} ;;
	rex.clock=*) clock=${arg#rex.clock=} ;;
	esac
done

# The Rex stacks in vmalloc space: how many, and their bytes.  None before
# the first Rex program is loaded.
rex_stacks() {
	echo "REX-STACKS-$1 $(awk '/rex_stacks_prepare/ { n++; b += $2 }
		END { print n + 0, b + 0 }' /proc/vmallocinfo)"
}

# The Rex collection as KernelCI runs it (rex.only=a,b: just these tests),
# with the Rex stacks before and after it.  On a kernel with kmemleak,
# the leaks the suite left: reports from before it are cleared, and an
# object must stay unreferenced over two scans to be reported.
run_suite() {
	local leaks=/sys/kernel/debug/kmemleak rc

	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	[ -w $leaks ] || leaks=
	if [ -n "$leaks" ]; then
		echo scan > $leaks
		echo clear > $leaks
	fi
	rex_stacks BOOT
	echo "REX-KSELFTEST-BEGIN"
	if [ -n "$only" ]; then
		./run_kselftest.sh $(echo "$only" | tr ',' '\n' | sed 's/^/-t rex:/')
	else
		./run_kselftest.sh -c rex
	fi
	rc=$?
	echo "REX-KSELFTEST-END rc=$rc"
	rex_stacks AFTER
	if [ -n "$leaks" ]; then
		echo scan > $leaks
		sleep 2
		echo scan > $leaks
		cat $leaks
		echo "REX-KMEMLEAK $(grep -c '^unreferenced object' $leaks)"
	fi
}

cd /kselftest || exit 1
case $mode in
demo)
	# Keep kernel messages off the console the demo prints to.
	dmesg -n 1
	echo "REX-DEMO-BEGIN"
	echo "Rex on Linux $(uname -r), $(nproc) CPUs (QEMU TCG)."
	./rex/rex_demo 2>&1
	rc=$?
	# Some of the Rust samples of samples/rex, with their C loaders;
	# hello reads what it wrote from the trace buffer.
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	for s in hello "syscount syscount.rex 1" errinj "perf_sampler perf_sampler.rex 1"; do
		set -- $s
		echo
		echo "== samples/rex: $1"
		(cd /samples && "./$1" "${2:-$1.rex}" ${3:-}) 2>&1 || rc=1
	done
	# Signatures required from now on (one way): the samples are signed
	# by the kernel build's module key (hello.rex.p7s); the same image
	# without its signature must be refused.
	echo
	echo "== signatures required: echo 1 > /sys/module/rex/parameters/sig_enforce"
	echo 1 > /sys/module/rex/parameters/sig_enforce || rc=1
	echo "-- hello.rex with hello.rex.p7s:"
	(cd /samples && ./hello hello.rex) 2>&1 || rc=1
	cp /samples/hello.rex /tmp/unsigned.rex
	echo "-- the same image without a signature:"
	if (cd /samples && ./hello /tmp/unsigned.rex) 2>&1; then
		echo "loaded: WRONG, it must be refused"
		rc=1
	fi
	echo "REX-DEMO-END rc=$rc"
	;;
bench)
	dmesg -n 1
	echo "REX-BENCH-BEGIN"
	./rex/rex_bench --clock=$clock 2>&1
	echo "REX-BENCH-END rc=$?"
	;;
fuzz)
	# A long run of the loader fuzzer (make fuzz); splats go to the log.
	echo "REX-RUN fuzz"
	echo "REX-CPUS $(nproc)"
	echo "REX-KSELFTEST-BEGIN"
	./run_kselftest.sh -o 0 -t rex:rex_fuzz_test
	echo "REX-KSELFTEST-END rc=$?"
	;;
hardened)
	# The hardened kernel (mitigations, IBT, kCFI): the whole suite, after
	# what the kernel chose for this CPU, which the run's log keeps.
	echo "REX-RUN hardened"
	echo "REX-CPUS $(nproc)"
	for f in /sys/devices/system/cpu/vulnerabilities/*; do
		echo "REX-MITIGATION ${f##*/}: $(cat "$f")"
	done
	run_suite
	;;
kernelci)
	# The gcc-built kernel without Rust, as a KernelCI lab runs the
	# collection: once, without bpftool in the root file system.
	echo "REX-RUN kernelci"
	echo "REX-CPUS $(nproc)"
	run_suite
	;;
debug)
	# The clang debug kernel of make fuzz (KASAN, kmemleak, lockdep),
	# booted by hand (REX_FLAVOR=debug scripts/vm.sh debug): the whole
	# suite, then the leaks it left.
	echo "REX-RUN debug"
	echo "REX-CPUS $(nproc)"
	run_suite
	;;
lockdown)
	# Booted with lockdown=integrity: only the test that needs it.
	echo "REX-RUN lockdown"
	echo "REX-CPUS $(nproc)"
	echo "REX-KSELFTEST-BEGIN"
	./run_kselftest.sh -t rex:rex_lockdown_test
	echo "REX-KSELFTEST-END rc=$?"
	;;
policy)
	# Booted with module.sig_enforce=1: only the test that needs it, which
	# leaves Rex loading disabled.
	echo "REX-RUN policy"
	echo "REX-CPUS $(nproc)"
	echo "REX-KSELFTEST-BEGIN"
	./run_kselftest.sh -t rex:rex_policy_test
	echo "REX-KSELFTEST-END rc=$?"
	;;
*)
	echo "REX-CPUS $(nproc)"
	run_suite
	;;
esac
# Give printk a moment, then leave: -no-reboot turns the reboot into a
# QEMU exit.
dmesg > /dev/null
sync
# Let tee write what it has (a process the tests left behind may hold the
# pipe open: not for more than 5 s).
if [ -n "$tee_pid" ]; then
	exec > /dev/console 2>&1
	(sleep 5; kill $tee_pid 2>/dev/null) &
	wait $tee_pid
fi
reboot -f
