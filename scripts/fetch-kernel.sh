#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's linux-source-$REX_KVER from the unstable suite into the
# cache and turn it into the pristine git tree $REX_CACHE/linux (commit
# tagged "pristine").  The host's apt configuration is not touched: a
# private sources list and state directory under $REX_CACHE/apt are used.
# Prints nothing but progress; the version used is recorded in
# $REX_CACHE/linux/.rex-version and in the pristine commit message.
. "$(dirname "$0")/lib.sh"

PKG=linux-source-$REX_KVER
APTDIR=$REX_CACHE/apt
TREE=$REX_CACHE/linux

if [ -f "$TREE/.git/rex-pristine-done" ]; then
	exit 0
fi

mirror=$(rex_mirror)
[ -n "$mirror" ] || die "no Debian mirror found in the host's apt configuration (set REX_MIRROR)"
mkdir -p "$APTDIR"/{lists/partial,archives/partial,etc}
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror unstable main" \
	> "$APTDIR/etc/sources.list"
touch "$APTDIR/status"
aptopts=(-o Dir::Etc::SourceList="$APTDIR/etc/sources.list"
	 -o Dir::Etc::SourceParts=/dev/null
	 -o Dir::State::Lists="$APTDIR/lists"
	 -o Dir::Cache="$APTDIR"
	 -o Dir::Cache::archives="$APTDIR/archives"
	 -o Dir::State::status="$APTDIR/status"
	 -o APT::Architecture=amd64 -o APT::Sandbox::User=root -q)

deb=$(ls "$APTDIR"/archives/${PKG}_*_all.deb 2>/dev/null | tail -n1 || true)
if [ -z "$deb" ]; then
	log "fetching $PKG from Debian unstable ($mirror)"
	apt-get "${aptopts[@]}" update >/dev/null ||
		die "apt-get update of the unstable suite failed"
	ver=$(apt-cache "${aptopts[@]}" policy "$PKG" | awk '/Candidate:/ { print $2 }')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
		die "$PKG is not available in Debian unstable from $mirror"
	(cd "$APTDIR/archives" && apt-get "${aptopts[@]}" download "$PKG=$ver") ||
		die "downloading $PKG $ver failed"
	deb=$(ls "$APTDIR"/archives/${PKG}_*_all.deb | tail -n1)
fi
ver=$(dpkg-deb -f "$deb" Version)
log "unpacking $PKG $ver"

rm -rf "$TREE" "$TREE.tmp"
mkdir -p "$TREE.tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards "./usr/src/$PKG.tar.*" |
	xz -dc | tar -x -C "$TREE.tmp" --strip-components=1
[ -f "$TREE.tmp/Makefile" ] || die "unexpected layout of $deb"
echo "$PKG $ver" > "$TREE.tmp/.rex-version"
mv "$TREE.tmp" "$TREE"

cd "$TREE"
git init -q -b upstream
git config user.name "Rex tooling"
git config user.email "rex@localhost"
git config core.abbrev 12
git config gc.auto 0
printf '.rex-version\n' >> .git/info/exclude
git add -A -f .
kv=$(make -s kernelversion 2>/dev/null || echo "$REX_KVER")
GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
	git commit -q -m "Linux $kv (Debian $PKG $ver)" \
	-m "Unpacked from Debian's $PKG $ver (unstable), Debian patches applied."
git tag -f pristine >/dev/null
touch .git/rex-pristine-done
log "pristine tree: $(git log --oneline -1)"
