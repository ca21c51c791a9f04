#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's linux-source-$REX_KVER from the unstable suite (once,
# into $REX_DOWNLOADS; see unstable_deb in lib.sh) and turn it into the
# pristine git tree $REX_CACHE/linux (commit tagged "pristine").
# Prints nothing but progress; the version used is recorded in
# $REX_CACHE/linux/.rex-version and in the pristine commit message.
. "$(dirname "$0")/lib.sh"

PKG=linux-source-$REX_KVER
TREE=$REX_CACHE/linux

# fetch-kernel.sh debian-config: Debian's configurations of the same
# kernel (linux-config-$REX_KVER) into $REX_CACHE/debian-config, for the
# compile test of scripts/build-matrix.sh.
if [ "${1:-}" = debian-config ]; then
	dir=$REX_CACHE/debian-config
	[ ! -f "$dir/.done" ] || exit 0
	deb=$(unstable_deb "linux-config-$REX_KVER")
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in amd64 rt-amd64; do
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/linux-config-$REX_KVER/config.amd64_none_$f.xz" |
			xz -dc > "$dir/config.amd64_none_$f"
	done
	dpkg-deb -f "$deb" Version > "$dir/.done"
	log "Debian's kernel configurations: linux-config-$REX_KVER $(cat "$dir/.done")"
	exit 0
fi

if [ -f "$TREE/.git/rex-pristine-done" ]; then
	exit 0
fi

deb=$(unstable_deb "$PKG")
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
