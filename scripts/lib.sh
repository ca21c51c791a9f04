# SPDX-License-Identifier: GPL-2.0
# Common settings for the Rex tooling.  Sourced, never executed.
#
# REX_CACHE     where everything large lives (default ~/.cache/rex)
# REX_DOWNLOADS where downloaded packages are kept (default
#               $REX_CACHE/downloads); only ever added to, so a fresh
#               REX_CACHE can share the one of another cache
# REX_HOST=1    run the tools on the host instead of inside the trixie root
# REX_JOBS      parallel make jobs (default: number of CPUs)

set -euo pipefail

REX_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REX_CACHE=${REX_CACHE:-$HOME/.cache/rex}
REX_JOBS=${REX_JOBS:-$(nproc)}
REX_HOST=${REX_HOST:-0}
REX_KVER=${REX_KVER:-7.2}
mkdir -p "$REX_CACHE"
REX_CACHE=$(cd "$REX_CACHE" && pwd)
REX_DOWNLOADS=${REX_DOWNLOADS:-$REX_CACHE/downloads}

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

# Where every step of a run records how long it took ("NAME<TAB>SECONDS"
# per line); scripts/summary.py prints the breakdown at the end of make
# test.  Paths are the same inside the root and on the host (REX_CACHE).
REX_TIMES=$REX_CACHE/logs/times.tsv

# timed NAME CMD...: run CMD, record its wall time under NAME, return its
# status.  CMD runs in a context where "set -e" does not apply, so a shell
# function given as CMD must return its failures itself.
timed() {
	local name=$1 t0=$SECONDS rc=0
	shift
	"$@" || rc=$?
	mkdir -p "${REX_TIMES%/*}"
	printf '%s\t%s\n' "$name" "$((SECONDS - t0))" >> "$REX_TIMES"
	return $rc
}
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

# Print the newest .deb of package $1 in directory $2, if there is one.
cached_deb() {
	ls "$2/$1"_*.deb 2>/dev/null | sort -V | tail -n1
}

# The newest .deb of package $1 from Debian unstable, kept in
# $REX_DOWNLOADS/unstable: downloaded once, with a private apt
# configuration under $REX_CACHE/apt (the host's apt configuration is not
# touched), then reused.  Prints the path of the .deb.
unstable_deb() {
	local pkg=$1 dest=$REX_DOWNLOADS/unstable deb
	deb=$(cached_deb "$pkg" "$dest")
	if [ -n "$deb" ]; then
		echo "$deb"
		return
	fi
	# One download at a time: make test fetches the kernel source while
	# scripts/env.sh fetches sparse, and both use the apt state below.
	mkdir -p "$REX_CACHE"
	(
		flock 9
		deb=$(cached_deb "$pkg" "$dest")
		if [ -n "$deb" ]; then
			echo "$deb"
		else
			unstable_fetch "$pkg" "$dest"
		fi
	) 9>"$REX_CACHE/apt.lock"
}

# unstable_deb()'s download of package $1 into $2.
unstable_fetch() {
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
	log "downloading $pkg $ver from Debian unstable"
	(cd "$dest" && apt-get "${opts[@]}" download "$pkg=$ver" >/dev/null) ||
		die "downloading $pkg $ver from Debian unstable failed"
	cached_deb "$pkg" "$dest"
}
