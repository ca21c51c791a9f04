#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build every patch of the series (bisectability), in a worktree and build
# directory of its own so that the test build stays incremental.  The
# kernel configuration is the test configuration; at patches where
# CONFIG_REX does not exist yet it is simply not set.  A series head that
# built completely before with the same configuration is not built again.
. "$(dirname "$0")/lib.sh"

TREE=$REX_CACHE/linux
WT=$REX_CACHE/bisect
STAMP=$REX_CACHE/build/bisect.ok
head=$(git -C "$TREE" rev-parse rex)
key="$head $(cat "$REX_SRC/scripts/config/vm.config" \
	"$REX_SRC/tools/testing/selftests/rex/config" | sha256sum | cut -c1-16)"
if [ "$(cat "$STAMP" 2>/dev/null)" = "$key" ]; then
	echo "every patch up to $(git -C "$TREE" log --oneline -1 rex) built before"
	exit 0
fi
# (Again) a worktree unless it is one: its metadata may have been pruned.
if ! git -C "$WT" rev-parse --git-dir >/dev/null 2>&1; then
	rm -rf "$WT"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -f --detach "$WT" pristine >/dev/null
fi
for c in $(git -C "$TREE" rev-list --reverse pristine..rex); do
	git -C "$WT" checkout -q -f --detach "$c"
	echo "building $(git -C "$WT" log --oneline -1 "$c")"
	if ! REX_TREE=$WT REX_FLAVOR=bisect REX_CONFIG_STRICT=0 "$REX_SRC/scripts/build-kernel.sh" 2>&1 |
		sed '/^>>>/d'; then
		echo "build failed at $(git -C "$WT" log --oneline -1 "$c")"
		exit 1
	fi
done
echo "$key" > "$STAMP"
