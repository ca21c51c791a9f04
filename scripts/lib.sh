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

# Download the newest .deb of package $1 from Debian unstable into the
# directory $2 with a private apt configuration under $REX_CACHE/apt (the
# host's apt configuration is not touched).  Prints the path of the .deb.
unstable_download() {
	local pkg=$1 dest=$2 mirror aptdir ver
	aptdir=$REX_CACHE/apt
	mirror=$(rex_mirror)
	[ -n "$mirror" ] || die "no Debian mirror found in the host's apt configuration (set REX_MIRROR)"
	mkdir -p "$aptdir"/{lists/partial,archives/partial,etc} "$dest"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror unstable main" \
		> "$aptdir/etc/sources.list"
	touch "$aptdir/status"
	local opts=(-o Dir::Etc::SourceList="$aptdir/etc/sources.list"
		    -o Dir::Etc::SourceParts=/dev/null
		    -o Dir::State::Lists="$aptdir/lists"
		    -o Dir::Cache="$aptdir"
		    -o Dir::State::status="$aptdir/status"
		    -o APT::Architecture=amd64 -o APT::Sandbox::User=root -q)
	apt-get "${opts[@]}" update >/dev/null ||
		die "apt-get update of Debian unstable failed"
	ver=$(apt-cache "${opts[@]}" policy "$pkg" | awk '/Candidate:/ { print $2 }')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
		die "$pkg is not available in Debian unstable from $mirror"
	(cd "$dest" && apt-get "${opts[@]}" download "$pkg=$ver" >/dev/null) ||
		die "downloading $pkg $ver from Debian unstable failed"
	ls "$dest"/"${pkg}"_*.deb | tail -n1
}
