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
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root

mode=test
for arg in $(cat /proc/cmdline); do
	case $arg in
	rex.mode=*) mode=${arg#rex.mode=} ;;
	esac
done

cd /kselftest || exit 1
case $mode in
demo)
	echo "REX-DEMO-BEGIN"
	echo "Rex first light on Linux $(uname -r), $(nproc) CPUs (QEMU TCG)."
	echo "An XDP program built from C into a Rex image is loaded with"
	echo "BPF_PROG_LOAD + BPF_F_REX and run with BPF_PROG_TEST_RUN on"
	echo "IPv4, ARP and IPv6 frames (XDP_DROP = 1, XDP_PASS = 2):"
	echo
	./rex/rex_load_test -t xdp_verdicts 2>&1
	echo "REX-DEMO-END rc=$?"
	;;
*)
	echo "REX-CPUS $(nproc)"
	echo "REX-KSELFTEST-BEGIN"
	./run_kselftest.sh -c rex
	echo "REX-KSELFTEST-END rc=$?"
	;;
esac
# Give printk a moment, then leave: -no-reboot turns the reboot into a
# QEMU exit.
dmesg > /dev/null
sync
reboot -f
