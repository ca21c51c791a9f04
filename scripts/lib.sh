# SPDX-License-Identifier: GPL-2.0
# Common settings for the Rex tooling.  Sourced, never executed.
#
# REX_CACHE  where everything large lives (default ~/.cache/rex)
# REX_HOST=1 run the tools on the host instead of inside the trixie root
# REX_JOBS   parallel make jobs (default: number of CPUs)

set -euo pipefail

REX_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REX_CACHE=${REX_CACHE:-$HOME/.cache/rex}
REX_JOBS=${REX_JOBS:-$(nproc)}
REX_HOST=${REX_HOST:-0}
REX_KVER=${REX_KVER:-7.2}
mkdir -p "$REX_CACHE"
REX_CACHE=$(cd "$REX_CACHE" && pwd)

# Paths as seen by tools running inside the environment.  In root mode the
# checkout is bind-mounted at /rex and the cache at /cache.
if [ "$REX_HOST" = 1 ]; then
	ENV_SRC=$REX_SRC
	ENV_CACHE=$REX_CACHE
else
	ENV_SRC=/rex
	ENV_CACHE=/cache
fi

log() { printf '>>> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The Debian mirror the host already uses: the URI of its main suite in
# the host's apt configuration.  REX_MIRROR overrides it.
rex_mirror() {
	if [ -n "${REX_MIRROR:-}" ]; then
		echo "$REX_MIRROR"
		return
	fi
	apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(TARGET_OF)' 2>/dev/null |
		awk '$3 == "deb" && $2 !~ /-/ && $1 ~ /\/debian\/?$/ { print $1; exit }'
}
