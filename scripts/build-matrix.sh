#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Configurations the series must not break, built with gcc as KernelCI
# builds them (run inside the environment, after the tree is assembled):
#
#   allnoconfig   the whole kernel (on x86 a 32-bit one); no Rex
#   defconfig     x86_64_defconfig with CONFIG_REX asked for: Rex, the BPF
#                 core and every file the series touches that it builds;
#                 kernel/rex/ with W=1
#   i386          i386_defconfig: CONFIG_REX must be unavailable (only
#                 x86-64 selects HAVE_REX); what it builds of the series
#   arm64         arm64 defconfig (cross gcc): CONFIG_REX unavailable
#   debian        Debian's amd64 configuration of linux-config-$REX_KVER
#                 with CONFIG_REX: as defconfig, W=1 on kernel/rex/
#   debian-rt     Debian's PREEMPT_RT configuration: CONFIG_REX must be
#                 unavailable (configuration only)
#   rex-n         the whole kernel with CONFIG_REX=n: the stubs of
#                 linux/rex.h (scripts/bisect-build.sh rex-n)
#
# Each configuration has an object tree of its own under build/matrix/
# (rex-n: build/bisect), so that a rerun compiles only what changed.  Configuration by configuration, a line "NAME: ..."
# says what was built and found; any warning or error fails.
#
#   build-matrix.sh [NAME...]    (default: all of them)
. "$(dirname "$0")/lib.sh"

TREE=$REX_CACHE/linux
DEBIAN_CONFIGS=$REX_CACHE/debian-config
ALL=(allnoconfig defconfig i386 arm64 debian debian-rt rex-n)

# The files of the series outside kernel/rex/ that the kernel compiles,
# and the option that makes a configuration compile each.  A file the
# series touches that is missing here fails the check, so that the table
# cannot silently fall behind the series.
declare -A BUILT_BY=(
	[arch/x86/kernel/dumpstack_64.c]=X86_64
	[arch/x86/kernel/rex_64.S]=REX
	[arch/x86/kernel/rex_image.c]=REX
	[arch/x86/kernel/traps.c]=X86
	[kernel/bpf/core.c]=BPF
	[kernel/bpf/syscall.c]=BPF_SYSCALL
	[kernel/events/core.c]=PERF_EVENTS
	[kernel/module/main.c]=MODULES
	[security/integrity/ima/ima_api.c]=IMA
	[security/integrity/ima/ima_main.c]=IMA
	[security/integrity/ima/ima_policy.c]=IMA
	[security/ipe/hooks.c]=SECURITY_IPE
	[security/security.c]=SECURITY
	[security/selinux/hooks.c]=SECURITY_SELINUX
)

touched=$(git -C "$TREE" diff --name-only pristine rex -- '*.c' '*.S' |
	grep -vE '^(kernel/rex|tools|samples|Documentation|scripts)/' || true)
for f in $touched; do
	[ -n "${BUILT_BY[$f]:-}" ] ||
		die "$f is changed by the series but not in BUILT_BY of $0"
done

fail=0
# check NAME MESSAGE: record a failure of configuration NAME.
bad() { echo "$1: $2"; fail=1; }

# run_make NAME ARGS...: make in the tree for configuration NAME (its
# object tree and architecture in $O and $MAKEARGS); output that has a
# warning or an error, or a failed make, fails the configuration.
run_make() {
	local name=$1 out rc=0
	shift
	out=$(make -C "$TREE" O="$O" "${MAKEARGS[@]}" -j"$REX_JOBS" -s "$@" 2>&1) || rc=$?
	if [ $rc != 0 ] || printf '%s\n' "$out" | grep -qiE 'warning:|error:'; then
		printf '%s\n' "$out" | grep -iE -B2 -A3 'warning:|error:' | head -60
		bad "$name" "make $* failed or warned"
		return 1
	fi
}

# configure NAME BASE: .config from BASE (a make target, or a file), with
# Rex and what it depends on asked for; redone only when an input changed.
configure() {
	local name=$1 base=$2 want
	want=$({ echo "$base ${MAKEARGS[*]}"; [ ! -f "$base" ] || cat "$base"
		git -C "$TREE" ls-tree -r HEAD | awk '$4 ~ /(^|\/)Kconfig/ { print $3 }'; } |
		sha256sum | cut -c1-16)
	mkdir -p "$O"
	[ "$(cat "$O/.rex-config" 2>/dev/null)" != "$want" ] || return 0
	if [ -f "$base" ]; then
		cp "$base" "$O/.config"
		make -C "$TREE" O="$O" "${MAKEARGS[@]}" -s olddefconfig >/dev/null
	else
		make -C "$TREE" O="$O" "${MAKEARGS[@]}" -s "$base" >/dev/null
	fi
	"$TREE/scripts/config" --file "$O/.config" -e BPF_SYSCALL -e BPF_JIT -e REX
	make -C "$TREE" O="$O" "${MAKEARGS[@]}" -s olddefconfig >/dev/null
	echo "$want" > "$O/.rex-config"
}

has() { grep -qx "CONFIG_$1=y" "$O/.config"; }

# The touched files configuration $O compiles, as objects.
objects() {
	local f
	for f in $touched; do
		has "${BUILT_BY[$f]}" && echo "${f%.*}.o"
	done
	return 0
}

# expect_rex NAME y|n: CONFIG_REX is (not) set, as the configuration must.
expect_rex() {
	if [ "$2" = y ] && ! has REX; then
		bad "$1" "CONFIG_REX could not be enabled"
		return 1
	fi
	if [ "$2" = n ] && grep -q '^CONFIG_REX=' "$O/.config"; then
		bad "$1" "CONFIG_REX is available, it must not be"
		return 1
	fi
}

# Rex, the BPF core and the touched files of a configuration with Rex;
# kernel/rex/ with W=1 (warnings are errors there).
build_rex() {
	local name=$1 objs
	objs=$(objects)
	run_make "$name" kernel/bpf/ $objs || return 0
	run_make "$name" W=1 kernel/rex/ || return 0
	echo "$name: CONFIG_REX=y; built kernel/rex/ (W=1), kernel/bpf/," \
		"$(echo $objs | wc -w) touched files"
}

# The BPF core and the touched files of a configuration without Rex.
build_norex() {
	local name=$1 objs dirs=
	objs=$(objects)
	has BPF_SYSCALL && dirs=kernel/bpf/
	[ -z "$dirs$objs" ] || run_make "$name" $dirs $objs || return 0
	echo "$name: no CONFIG_REX; built ${dirs:+$dirs, }$(echo $objs | wc -w) touched files"
}

debian_config() {	# flavour
	local f=$DEBIAN_CONFIGS/config.amd64_none_$1
	[ -f "$f" ] || die "no $f: scripts/fetch-kernel.sh debian-config fetches it"
	echo "$f"
}

for name in "${@:-${ALL[@]}}"; do
	O=$REX_CACHE/build/matrix/$name
	MAKEARGS=()
	t0=$SECONDS
	case $name in
	allnoconfig)
		configure "$name" allnoconfig
		expect_rex "$name" n &&
			run_make "$name" &&
			echo "$name: no CONFIG_REX; the whole kernel built ($(grep -q '^CONFIG_64BIT=y' "$O/.config" && echo 64 || echo 32)-bit)"
		;;
	defconfig)
		configure "$name" x86_64_defconfig
		expect_rex "$name" y && build_rex "$name"
		;;
	i386)
		MAKEARGS=(ARCH=i386)
		configure "$name" i386_defconfig
		expect_rex "$name" n && build_norex "$name"
		;;
	arm64)
		MAKEARGS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
		command -v aarch64-linux-gnu-gcc >/dev/null ||
			die "no aarch64-linux-gnu-gcc (scripts/env-packages: gcc-aarch64-linux-gnu)"
		configure "$name" defconfig
		expect_rex "$name" n && build_norex "$name"
		;;
	debian)
		configure "$name" "$(debian_config amd64)"
		expect_rex "$name" y && build_rex "$name"
		;;
	debian-rt)
		configure "$name" "$(debian_config rt-amd64)"
		has PREEMPT_RT || bad "$name" "PREEMPT_RT is not set in Debian's rt configuration"
		expect_rex "$name" n && echo "$name: PREEMPT_RT=y, no CONFIG_REX"
		;;
	rex-n)
		if "$REX_SRC/scripts/bisect-build.sh" rex-n; then
			echo "$name: the whole kernel built with CONFIG_REX=n"
		else
			bad "$name" "the kernel with CONFIG_REX=n does not build"
		fi
		;;
	*)
		die "unknown configuration $name (${ALL[*]})"
		;;
	esac
	printf '%s\t%s\n' "matrix:$name" "$((SECONDS - t0))" >> "$REX_TIMES"
done
exit $fail
