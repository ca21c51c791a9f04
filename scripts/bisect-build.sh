#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build every patch of the series (bisectability), then the head of the
# series with CONFIG_REX=n (the stubs of linux/rex.h), in a worktree and
# build directory of their own ($REX_CACHE/bisect, build/bisect) so that
# the test build stays incremental.
#
#   bisect-build.sh patches   every patch builds
#   bisect-build.sh rex-n     the head builds with CONFIG_REX=n
#
# The configuration is tinyconfig + scripts/config/patches.config, the
# smallest kernel that compiles every file the series touches: early
# patches change headers that most of the kernel includes, and each such
# patch costs a rebuild of everything that includes them.  At patches
# where CONFIG_REX does not exist yet it is simply not set.  A patch that
# changes no input of the kernel build (documentation, samples, user-space
# tools and selftests, MAINTAINERS) is not built again: the kernel it
# would build is the previous patch's.  A series head that built before
# with the same configuration is not built again.
. "$(dirname "$0")/lib.sh"

TREE=$REX_CACHE/linux
WT=$REX_CACHE/bisect
MODE=${1:-patches}
CONFIG=$REX_SRC/scripts/config/patches.config
head=$(git -C "$TREE" rev-parse rex)
key="$head $(cat "$CONFIG" "$0" | sha256sum | cut -c1-16)"
STAMP=$REX_CACHE/build/bisect-$MODE.ok
if [ "$(cat "$STAMP" 2>/dev/null)" = "$key" ]; then
	echo "built before: $(git -C "$TREE" log --oneline -1 rex)"
	exit 0
fi

# (Again) a worktree unless it is one: its metadata may have been pruned.
if ! git -C "$WT" rev-parse --git-dir >/dev/null 2>&1; then
	rm -rf "$WT"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -f --detach "$WT" pristine >/dev/null
fi

# build NAME [FRAGMENT...]: build the commit checked out in the worktree.
build() {
	local name=$1 rc=0
	shift
	REX_TREE=$WT REX_FLAVOR=bisect REX_BASE_CONFIG= REX_CONFIG_STRICT=0 \
		REX_CONFIGS="$CONFIG $*" REX_KMAKE_TARGETS=bzImage \
		timed "$name" "$REX_SRC/scripts/build-kernel.sh" > "$WT.log" 2>&1 || rc=$?
	sed '/^>>>/d' "$WT.log"
	return $rc
}

# Paths whose changes do not reach the kernel build.
not_kernel='^(Documentation/|samples/|tools/(lib/rex|testing)/|MAINTAINERS$)'

case $MODE in
patches)
	n=0
	for c in $(git -C "$TREE" rev-list --reverse pristine..rex); do
		n=$((n + 1))
		subject=$(git -C "$TREE" log --format='%h %s' -1 "$c")
		files=$(git -C "$TREE" diff-tree --no-commit-id --name-only -r "$c")
		if [ $n -gt 1 ] && ! grep -qvE "$not_kernel" <<< "$files"; then
			echo "patch $n: $subject: no kernel sources changed, kernel not built again"
			continue
		fi
		git -C "$WT" checkout -q -f --detach "$c"
		echo "patch $n: $subject"
		if ! build "bisect:patch-$n"; then
			echo "build failed at patch $n: $subject"
			exit 1
		fi
	done
	# Early patches lack options; the head must have all of them, or
	# what the series touches was not compiled.
	missing=$(grep -x 'CONFIG_[A-Z0-9_]*=.*' "$CONFIG" |
		grep -vxFf "$REX_CACHE/build/bisect/.config" || true)
	if [ -n "$missing" ]; then
		echo "the configuration at the head lacks options of $(basename "$CONFIG"):" $missing
		exit 1
	fi
	;;
rex-n)
	frag=$REX_CACHE/build/norex.config
	echo "# CONFIG_REX is not set" > "$frag"
	git -C "$WT" checkout -q -f --detach "$head"
	echo "$(git -C "$TREE" log --format='%h %s' -1 "$head") with CONFIG_REX=n"
	build bisect:rex-n "$frag" || exit 1
	if grep -q '^CONFIG_REX=y' "$REX_CACHE/build/bisect/.config"; then
		echo "CONFIG_REX=n did not stick"
		exit 1
	fi
	;;
*)
	die "usage: $0 patches|rex-n"
	;;
esac
echo "$key" > "$STAMP"
