#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build environment: a Debian trixie root made with mmdebstrap, cached in
# $REX_CACHE/root and rebuilt only when scripts/env-packages changes.
#
#   scripts/env.sh setup         create or refresh the root
#   scripts/env.sh run CMD...    run CMD in the root (checkout at /rex,
#                                cache at /cache), or on the host when
#                                REX_HOST=1
#   scripts/env.sh shell         interactive shell in the root
. "$(dirname "$0")/lib.sh"

ROOT=$REX_CACHE/root
SUITE=trixie

pkg_list() { grep -v '^#' "$REX_SRC/scripts/env-packages" | grep -v '^$'; }
# Tools whose trixie version is too old for Linux 7.x, taken as binaries
# from Debian unstable's package without its dependencies:
#   sparse 0.6.4 lacks __typeof_unqual__, so the kernel turns C=2 off.
UNSTABLE_BINS="sparse:/usr/bin/sparse"
pkg_hash() { { echo "$SUITE $UNSTABLE_BINS"; pkg_list; } | sha256sum | cut -c1-16; }

add_unstable_bins() {
	local root=$1 spec pkg bin deb tmp
	for spec in $UNSTABLE_BINS; do
		pkg=${spec%%:*}
		bin=${spec#*:}
		deb=$(unstable_deb "$pkg")
		tmp=$(mktemp -d)
		dpkg-deb -x "$deb" "$tmp"
		install -m 755 "$tmp$bin" "$root/usr/local/bin/$(basename "$bin")"
		rm -rf "$tmp"
	done
}

setup_root() {
	local want have mirror tmp debs
	want=$(pkg_hash)
	have=$(cat "$ROOT/.rex-env" 2>/dev/null || true)
	[ "$want" = "$have" ] && return 0

	if ! command -v mmdebstrap >/dev/null; then
		log "installing mmdebstrap on the host"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
	fi
	mirror=$(rex_mirror)
	[ -n "$mirror" ] || die "no Debian mirror found in the host's apt configuration (set REX_MIRROR)"
	log "creating $SUITE root in $ROOT from $mirror (about 2 minutes)"
	tmp=$ROOT.new
	rm -rf "$tmp"
	# The packages are kept in $REX_DOWNLOADS/$SUITE, so that a root made
	# again (a new package list, a fresh cache) downloads only what is new.
	debs=$REX_DOWNLOADS/$SUITE
	mkdir -p "$debs"
	mmdebstrap --variant=apt --mode=root --quiet --skip=essential/unlink \
		--setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
		--setup-hook="sync-in $debs /var/cache/apt/archives/" \
		--customize-hook="sync-out /var/cache/apt/archives $debs" \
		--include="$(pkg_list | paste -sd, -)" \
		--aptopt='APT::Install-Recommends "false"' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		"$SUITE" "$tmp" "deb $mirror $SUITE main"
	add_unstable_bins "$tmp"
	echo "$want" > "$tmp/.rex-env"
	rm -rf "$ROOT"
	mv "$tmp" "$ROOT"
}

# Run a command inside the root, in a private mount namespace so that no
# mount outlives the command.
run_in_root() {
	local kvm=
	[ -e /dev/kvm ] && kvm=1
	unshare --mount --propagation private -- /bin/bash -s "$ROOT" "$REX_SRC" "$REX_CACHE" "$@" <<'INNER'
set -e
root=$1 src=$2 cache=$3
shift 3
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/tmp"
mkdir -p "$root/rex" "$root/cache"
mount --bind "$src" "$root/rex"
mount --bind "$cache" "$root/cache"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# Pass REX_* settings and CI through; paths are the root's.
mapfile -t pass < <(env | grep -E '^(REX_[A-Z_]*|CI)=' | grep -vE '^REX_(CACHE|HOST|SRC)=')
exec chroot "$root" /usr/bin/env -i \
	HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
	PATH=/usr/lib/ccache:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	CCACHE_DIR=/cache/ccache "${pass[@]}" REX_HOST=1 REX_IN_ROOT=1 REX_CACHE=/cache \
	/bin/bash -c 'cd /rex && exec "$@"' bash "$@"
INNER
}

cmd=${1:-setup}
shift || true
case $cmd in
setup)
	[ "$REX_HOST" = 1 ] || setup_root
	;;
run)
	if [ "$REX_HOST" = 1 ]; then
		exec "$@"
	fi
	setup_root
	run_in_root "$@"
	;;
shell)
	setup_root
	run_in_root /bin/bash -i
	;;
*)
	die "usage: $0 setup | run CMD... | shell"
	;;
esac
