#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build a kernel from the assembled tree (run inside the
# environment).  The configuration is tinyconfig + REX_BASE_CONFIG (default
# scripts/config/vm.config, what the test VM needs, and rust.config) +
# every fragment given in REX_CONFIGS (default: this repository's Rex
# selftest config and scripts/config/bench.config), merged the way "make
# kselftest-merge" merges selftest fragments.  The compiler is LLVM's
# (LLVM=1), or with REX_LLVM=0 the environment's gcc, as KernelCI's gcc
# builds.  The build directory is $REX_CACHE/build/$REX_FLAVOR and is never
# cleaned, so rebuilds are incremental; ccache catches the rest.  The
# targets are REX_KMAKE_TARGETS, by default the kernel image and the uapi
# headers (usr/include of the build directory), which the selftests and
# rex-build.sh use.
. "$(dirname "$0")/lib.sh"

TREE=${REX_TREE:-$REX_CACHE/linux}
FLAVOR=${REX_FLAVOR:-test}
OUT=$REX_CACHE/build/$FLAVOR
configs="${REX_BASE_CONFIG-$REX_SRC/scripts/config/vm.config $REX_SRC/scripts/config/rust.config}
	${REX_CONFIGS:-$REX_SRC/tools/testing/selftests/rex/config $REX_SRC/scripts/config/bench.config}"
mkdir -p "$OUT"
# One build per build directory at a time.
exec 9>"$OUT/.rex-lock"
flock 9

LLVM_ARG=LLVM=1
[ "${REX_LLVM:-1}" = 1 ] || LLVM_ARG=
kmake() { make -C "$TREE" O="$OUT" $LLVM_ARG -j"$REX_JOBS" "$@"; }

# Rebuild the configuration only when an input changed: a fragment or a
# Kconfig file of the tree (a patch may add options).  The stamp also
# holds the hash of the .config it made, so that a configuration that was
# interrupted, or changed by hand, is made again rather than built.
want=$({ git -C "$TREE" ls-tree -r HEAD | awk '$4 ~ /(^|\/)Kconfig/ { print $3 }'
	cat $configs; echo "$LLVM_ARG"; } | sha256sum | cut -c1-16)
stamp() { echo "$want $(sha256sum < "$OUT/.config" | cut -c1-16)"; }
if [ ! -f "$OUT/.config" ] || [ "$(cat "$OUT/.rex-config" 2>/dev/null)" != "$(stamp)" ]; then
	log "configuring $FLAVOR kernel"
	rm -f "$OUT/.rex-config"
	kmake -s tinyconfig >/dev/null
	(cd "$OUT" && "$TREE/scripts/kconfig/merge_config.sh" -m -O "$OUT" .config \
		$configs >/dev/null)
	kmake -s olddefconfig >/dev/null
	missing=0
	for f in $configs; do
		while IFS= read -r line; do
			case $line in CONFIG_*=*) ;; *) continue ;; esac
			grep -qx "$line" "$OUT/.config" || {
				echo "config: $line requested by $(basename "$f") but not set" >&2
				missing=1
			}
		done < "$f"
	done
	# Patches early in the series lack some options (REX_CONFIG_STRICT=0).
	[ $missing = 0 ] || [ "${REX_CONFIG_STRICT:-1}" = 0 ] ||
		die "kernel configuration is missing requested options"
	stamp > "$OUT/.rex-config"
fi

log "building $FLAVOR kernel in $OUT"
kmake -s ${REX_KMAKE_TARGETS:-bzImage headers}
