#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Assemble the kernel tree: fetch the pristine source if needed, commit the
# series from this repository onto it (scripts/series.py build) and check
# the result out in $REX_CACHE/linux.  Only files that differ from the
# previous checkout are touched, so the next build is incremental.
# Runs inside the environment.
. "$(dirname "$0")/lib.sh"

head=$(python3 "$REX_SRC/scripts/series.py" build)
cd "$REX_CACHE/linux"
if [ "$(git rev-parse HEAD)" != "$head" ]; then
	git checkout -q -f --detach "$head"
fi
log "kernel tree at $(git log --oneline -1 "$head") on $(cat .rex-version)"
