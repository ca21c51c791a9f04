#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rex-build.sh: build a Rex program written in Rust into a Rex image.
#
#   rex-build.sh [-k KBUILD] [-I HDRS] [-C CACHE] [-v] [--sign KEY CERT]
#                [--tracepoint CATEGORY:NAME]... [--tracefs DIR] PROG.rs -o PROG.rex
#   rex-build.sh [-k KBUILD] [-C CACHE] --flags     print the flags and where they came from
#   rex-build.sh [-k KBUILD] [-C CACHE] --check     can programs be built here?
#   rex-build.sh -k KBUILD --cc | --cflags    the C compiler of KBUILD, and the
#                                             flags C-built images take from it
#   rex-build.sh [-k KBUILD] [-C CACHE] --doc DIR   the crate's API reference
#                                             (rustdoc) in DIR
#   rex-build.sh [-k KBUILD] [-C CACHE] --ide DIR   DIR/rust-project.json, so
#                                             that rust-analyzer resolves the
#                                             crate rex for the programs in DIR
#
# With -k (or REX_KBUILD), a kernel build directory of a kernel configured
# with CONFIG_RUST=y, programs are built with the kernel's own rustc, target
# specification and flags (KBUILD_RUSTFLAGS, read from the kernel's
# Makefile), changed only where a Rex image must differ from kernel code:
# position independent (relocation model pie), with stack probes (the
# kernel's target has none), with overflow checks, and with a call to the
# kernel's stack check at the entry of every function (-Zinstrument-mcount,
# which the loader binds); no function may have a frame larger than
# REX_FRAME_MAX (linux/rex.h), which the image's .stack_sizes tell.  The
# kernel's mitigation flags stay: return thunks, retpolines (in its target
# specification), straight-line-speculation hardening and kCFI, so that an
# image's returns and indirect branches are what the kernel's own are (the
# loader binds the thunks; Documentation/bpf/rex.rst, "Mitigations").
# Function padding for call thunks and FineIBT does not: an image is never
# patched.  Without one, the
# built-in target x86_64-unknown-none of the same rustc is used with the
# equivalent flags: soft float, no red zone, kernel code model, frame
# pointers, IBT landing pads, no jump tables.
#
# core, compiler_builtins (tools/lib/rex/compiler_builtins.rs) and the crate
# "rex" are built once per rustc and flags into the cache (-C, REX_RUST_CACHE,
# default ~/.cache/rex-rust), where the flags read from a kernel build are
# kept too.  The program crate is then checked by clippy
# (the disallowed methods and types of tools/lib/rex/clippy.toml: the ways
# to keep a resource guard from releasing what it holds), compiled with
# unsafe code forbidden, no language features and no crate but core and rex
# in reach, and linked into an ELF64 shared object like the C-built images.
# HDRS (-I, default KBUILD/usr/include or the source tree's usr/include) holds
# the installed uapi headers that bindgen reads.
#
# --tracepoint CATEGORY:NAME (repeatable) gives the program the crate
# rex_tp with a record type for each event, made by rex-tracepoint.py from
# the event's format in tracefs (--tracefs DIR, default the running
# kernel's /sys/kernel/tracing): `use rex_tp::SchedSwitch;` for
# sched:sched_switch, then rex::Tracepoint<SchedSwitch>.
#
# --sign KEY CERT writes a detached PKCS#7 signature of the image to
# PROG.rex.p7s with the kernel's own scripts/sign-file (of KBUILD, or
# SIGN_FILE), as modules are signed: KEY a private key (PEM, or a PKCS#11
# URI), CERT its X.509 certificate.  For the kernel's own key, that is
# KBUILD/certs/signing_key.pem for both.  librex passes PROG.rex.p7s as the
# signature of BPF_PROG_LOAD; see Documentation/bpf/rex.rst, "Signatures".
set -euo pipefail

LIBREX_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KBUILD=${REX_KBUILD:-}
HDRS=${REX_HDRS:-}
CACHE=${REX_RUST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rex-rust}
RUSTC=${RUSTC:-rustc}
BINDGEN=${BINDGEN:-bindgen}
CLIPPY=${CLIPPY_DRIVER:-clippy-driver}
READOBJ=${LLVM_READOBJ:-llvm-readobj}
OBJCOPY=${OBJCOPY:-objcopy}
REX_CC=${REX_CC:-gcc}
VERBOSE=0
MODE=build
SRC=
OUT=
SIGN_KEY=
SIGN_CERT=
WHERE=
EVENTS=()
TRACEFS=

die() { printf 'rex-build.sh: %s\n' "$*" >&2; exit 1; }
run() {
	[ "$VERBOSE" = 0 ] || printf '  %s\n' "$*" >&2
	"$@"
}

while [ $# -gt 0 ]; do
	case $1 in
	-k) KBUILD=$2; shift 2 ;;
	-I) HDRS=$2; shift 2 ;;
	-C) CACHE=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	-v) VERBOSE=1; shift ;;
	--sign) [ $# -ge 3 ] || die "--sign needs a KEY and a CERT"
		SIGN_KEY=$2 SIGN_CERT=$3; shift 3 ;;
	--flags) MODE=flags; shift ;;
	--check) MODE=check; shift ;;
	--cc) MODE=cc; shift ;;
	--cflags) MODE=cflags; shift ;;
	--tracepoint) [ $# -ge 2 ] || die "--tracepoint needs CATEGORY:NAME"
		EVENTS+=("$2"); shift 2 ;;
	--tracefs) [ $# -ge 2 ] || die "--tracefs needs a directory"
		TRACEFS=$2; shift 2 ;;
	--doc|--ide) [ $# -ge 2 ] || die "$1 needs a directory"
		MODE=${1#--} WHERE=$2; shift 2 ;;
	-h|--help) sed -n '3,15p' "$0" | sed 's/^# \?//'; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) SRC=$1; shift ;;
	esac
done

# The flags: from the kernel build, or the fallback.
FLAGS=()
ORIGIN=
TARGET_JSON=
# Print what the target $1 of rust-flags.mk prints for the kernel build.
kernel_make() {
	local llvm=()
	# The toolchain the kernel was configured with, or its Makefile
	# would see a changed compiler.
	! grep -qx 'CONFIG_CC_IS_CLANG=y' "$KBUILD/.config" || llvm=(LLVM=1)
	# A clean environment: run from a make (kselftest), the caller's
	# MAKEFLAGS and exported variables (O=, ...) would reach the kernel's
	# Makefile.
	(cd "$KBUILD" && env -i PATH="$PATH" HOME="${HOME:-/}" \
		make -s --no-print-directory -f Makefile -f "$LIBREX_DIR/rust-flags.mk" \
		"${llvm[@]}" "$1" 2>/dev/null)
}

# kernel_make, whose run of the kernel's Makefile takes seconds (about 8
# here, most of a program's build), cached per kernel build: the key is
# the configuration's contents and the times of the Makefiles the flags
# come from, so a reconfigured kernel or a changed tree makes a new entry.
kernel_make_cached() {
	local src=$KBUILD key f file
	[ ! -L "$KBUILD/source" ] || src=$(readlink -f "$KBUILD/source")
	key=$({ readlink -f "$KBUILD"; echo "$1"; sha256sum < "$KBUILD/.config"
		for f in "$LIBREX_DIR/rust-flags.mk" "$KBUILD/Makefile" "$src/Makefile" \
			"$src/arch/x86/Makefile" "$src/rust/Makefile" \
			"$src/scripts/Makefile.compiler" "$src/scripts/Makefile.lib"; do
			stat -c '%n %Y %s' "$f" 2>/dev/null || echo "$f"
		done; } | sha256sum | cut -c1-16)
	file=$CACHE/kflags/$key
	if [ ! -s "$file" ]; then
		mkdir -p "$CACHE/kflags"
		kernel_make "$1" > "$file.$$" || { rm -f "$file.$$"; return 1; }
		mv "$file.$$" "$file"
	fi
	cat "$file"
}

kernel_flags() {
	local out line
	out=$(kernel_make_cached rex-rust-flags) ||
		die "cannot read the Rust flags of the kernel build in $KBUILD"
	while IFS= read -r line; do
		case $line in
		RUSTC=*) RUSTC=${line#RUSTC=} ;;
		BINDGEN=*) BINDGEN=${line#BINDGEN=} ;;
		FLAGS=*) read -ra FLAGS <<< "${line#FLAGS=}" ;;
		esac
	done <<< "$out"
	[ ${#FLAGS[@]} -gt 0 ] || die "the kernel build in $KBUILD has no Rust flags"
}

# The kernel's target, with the stack probes a Rex image needs: a frame
# larger than a page must touch it page by page, or it could jump over the
# guard page below the Rex stack.
rex_target() {
	local kernel_json=$1 out=$2
	python3 - "$kernel_json" "$out" <<'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["stack-probes"] = {"kind": "inline"}
json.dump(spec, open(sys.argv[2] + ".tmp", "w"), indent=4, sort_keys=True)
EOF
	mv "$out.tmp" "$out"
}

setup_flags() {
	local f kept=() json
	if [ -n "$KBUILD" ] && grep -qx 'CONFIG_RUST=y' "$KBUILD/.config" 2>/dev/null; then
		kernel_flags
		ORIGIN="kernel build $KBUILD"
		for f in "${FLAGS[@]}"; do
			case $f in
			--target=*)
				json=${f#--target=}
				case $json in /*) ;; *) json=$KBUILD/$json ;; esac
				TARGET_JSON=$json ;;
			# Kernel objects are linked into vmlinux; an image is
			# position independent and self-contained.
			-Crelocation-model=*|-Zfunction-sections=*) ;;
			--remap-path-prefix=*|--remap-path-scope=*) ;;
			# Lints for the kernel's own crates.
			-W*|-D*|-A*) ;;
			# Padding the kernel patches into call-depth
			# accounting and FineIBT preambles; images are not
			# patched, and the padding's entries in
			# __patchable_function_entries would be pointers into
			# the text that are no functions.
			-Zpatchable-function-entry=*) ;;
			*) kept+=("$f") ;;
			esac
		done
		[ -n "$TARGET_JSON" ] && [ -f "$TARGET_JSON" ] ||
			die "the kernel build in $KBUILD has no target specification"
		FLAGS=("${kept[@]}")
	else
		[ -z "$KBUILD" ] || [ -f "$KBUILD/.config" ] ||
			die "$KBUILD is not a kernel build directory"
		ORIGIN="fallback (no kernel build with CONFIG_RUST=y)"
		FLAGS=(--edition=2021 -Cpanic=abort -Cembed-bitcode=n -Clto=n
		       -Cforce-unwind-tables=n -Ccodegen-units=1
		       -Csymbol-mangling-version=v0 -Zcf-protection=branch
		       -Zno-jump-tables -Ctarget-cpu=x86-64 -Ztune-cpu=generic
		       -Cno-redzone=y -Ccode-model=kernel -Copt-level=2
		       -Cforce-frame-pointers=y)
	fi
	# What a Rex image needs on top.  The stack check is called after
	# the prologue, so a frame must leave the kernel's reserve: the
	# frame sizes are checked after the link.
	FLAGS+=(-Crelocation-model=pie -Zfunction-sections=y -Coverflow-checks=y
		-Cpanic=abort -Zinstrument-mcount -Zemit-stack-sizes)
}

# Where the target specification and the built crates go: one directory
# per rustc and flags.
setup_cache() {
	local key
	command -v "$RUSTC" >/dev/null || die "no rustc ($RUSTC) found"
	key=$({ "$RUSTC" -vV; echo "${FLAGS[*]}"; [ -z "$TARGET_JSON" ] || cat "$TARGET_JSON"; } |
		sha256sum | cut -c1-16)
	DIR=$CACHE/$key
	mkdir -p "$DIR"
	if [ -n "$TARGET_JSON" ]; then
		[ -f "$DIR/rex-x86_64.json" ] || rex_target "$TARGET_JSON" "$DIR/rex-x86_64.json"
		TARGET=(--target="$DIR/rex-x86_64.json")
	else
		TARGET=(--target=x86_64-unknown-none)
	fi
}

sysroot_src() {
	local src
	src=$("$RUSTC" --print sysroot)/lib/rustlib/src/rust/library
	[ -f "$src/core/src/lib.rs" ] || die "no Rust library sources (rust-src) for $RUSTC in $src"
	echo "$src"
}

rustc_lib() {
	RUSTC_BOOTSTRAP=1 run "$RUSTC" "${FLAGS[@]}" "${TARGET[@]}" -L "$DIR" "$@"
}

# Is the crate $DIR/lib$1.rlib older than the files after it?  By their
# contents, not their times: checkouts of other versions of these sources
# share the cache, and their files' times say nothing about which built
# it.  A crate is stale too when one it was built against was built again
# (rustc would not take it: "can't find crate").  Records what it was
# built from in $DIR/lib$1.from for the next call.
stale() {
	local crate=$1 from
	shift
	from=$(cat "$@" | sha256sum | cut -c1-64)
	[ -f "$DIR/lib$crate.rlib" ] && [ "$(cat "$DIR/lib$crate.from" 2>/dev/null)" = "$from" ] &&
		return 1
	echo "$from" > "$DIR/lib$crate.from.new"
	return 0
}

# Record that $DIR/lib$1.rlib was built from what stale() saw.
built() {
	mv "$DIR/lib$1.from.new" "$DIR/lib$1.from"
}

# core and compiler_builtins, once; the lock keeps parallel builds out.
build_runtime() {
	exec 8>"$DIR/.lock"
	flock 8
	if [ ! -f "$DIR/libcore.rlib" ]; then
		rustc_lib --crate-type rlib --crate-name core --cap-lints=allow \
			--cfg no_fp_fmt_parse -o "$DIR/libcore.rlib" \
			"$(sysroot_src)/core/src/lib.rs"
	fi
	if stale compiler_builtins "$LIBREX_DIR/compiler_builtins.rs" "$DIR/libcore.rlib"; then
		rustc_lib --crate-type rlib --crate-name compiler_builtins \
			-o "$DIR/libcompiler_builtins.rlib" "$LIBREX_DIR/compiler_builtins.rs"
		built compiler_builtins
	fi
	flock -u 8
}

hdrs() {
	if [ -n "$HDRS" ]; then
		echo "$HDRS"
	elif [ -n "$KBUILD" ] && [ -d "$KBUILD/usr/include/linux" ]; then
		echo "$KBUILD/usr/include"
	else
		echo "$LIBREX_DIR/../../../usr/include"
	fi
}

# What bindgen takes from the headers for the crate rex.
BINDGEN_TYPES='rex_.*|bpf_res_spin_lock|pt_regs|sk_buff|xdp_action|bpf_map_type|bpf_prog_type'
BINDGEN_VARS='REX_.*|BPF_ANY|BPF_NOEXIST|BPF_EXIST|BPF_F_CURRENT_CPU|BPF_F_USER_STACK'
BINDGEN_VARS+='|BPF_F_REUSE_STACKID|TC_ACT_.*|EINVAL|E2BIG|BPF_F_NO_PREALLOC|BPF_F_NO_COMMON_LRU'
BINDGEN_VARS+='|BPF_F_ZERO_SEED|BPF_F_RDONLY_PROG|BPF_F_WRONLY_PROG'

# The crate rex, rebuilt when its sources, the headers or the runtime
# crates change.
build_rex() {
	local h
	h=$(hdrs)
	[ -f "$h/linux/rex.h" ] ||
		die "no uapi headers with linux/rex.h in $h (make headers_install)"
	exec 8>"$DIR/.lock"
	flock 8
	if stale rex "$LIBREX_DIR"/src/*.rs "$LIBREX_DIR/rex_helpers.h" \
		"$LIBREX_DIR/rex_bindings.h" "$h/linux/rex.h" "$h/linux/bpf.h" \
		"$DIR/libcore.rlib" "$DIR/libcompiler_builtins.rlib"; then
		command -v "$BINDGEN" >/dev/null || die "no bindgen ($BINDGEN) found"
		run "$BINDGEN" "$LIBREX_DIR/rex_bindings.h" -o "$DIR/rex_bindings.rs" \
			--use-core --ctypes-prefix core::ffi --no-layout-tests \
			--no-doc-comments --enable-function-attribute-detection \
			--allowlist-function 'bpf_.*|rex_panic' \
			--allowlist-type "$BINDGEN_TYPES" --allowlist-var "$BINDGEN_VARS" \
			-- -nostdinc -isystem "$h" -I "$LIBREX_DIR" -target x86_64-linux-gnu
		OUT_DIR=$DIR rustc_lib --crate-type rlib --crate-name rex \
			-o "$DIR/librex.rlib" "$LIBREX_DIR/src/lib.rs"
		built rex
	fi
	flock -u 8
}

# Run a compiler, its messages in $1 and on stderr.  A program refused for
# a warning gets a word on why warnings are errors here.
compile() {
	local diag=$1 rc=0
	shift
	run "$@" 2>"$diag" || rc=$?
	cat "$diag" >&2
	if [ $rc != 0 ] && grep -q 'implied by `-D warnings`' "$diag"; then
		printf '%s\n' "rex-build.sh: Rex programs are built with warnings as errors" \
			"(-D warnings): what the compiler sees as a likely mistake does not reach" \
			"the kernel.  Fix it, or #[allow(...)] the lint where it is meant." >&2
	fi
	return $rc
}

# The program crate: clippy first, for its readable refusals, then rustc.
# Two passes, because the code must come from the kernel's rustc ($RUSTC),
# while clippy-driver is the distribution's.
PROG_FLAGS=(-Funsafe_code -Zallow-features= -Dwarnings -Amissing_docs)
EXTERNS=(--extern rex)

# The crate rex_tp of --tracepoint: the record types, generated, then
# compiled as the program is (no unsafe code).
build_tp() {
	local dir=$1 args=()
	[ ${#EVENTS[@]} -gt 0 ] || return 0
	[ -z "$TRACEFS" ] || args=(--tracefs "$TRACEFS")
	run python3 "$LIBREX_DIR/rex-tracepoint.py" "${args[@]}" -o "$dir/rex_tp.rs" "${EVENTS[@]}"
	RUSTC_BOOTSTRAP=1 compile "$dir/rex_tp.diag" "$RUSTC" "${FLAGS[@]}" "${TARGET[@]}" \
		"${PROG_FLAGS[@]}" -L "$DIR" --extern rex --crate-type rlib --crate-name rex_tp \
		-o "$dir/librex_tp.rlib" "$dir/rex_tp.rs"
	EXTERNS+=(--extern rex_tp="$dir/librex_tp.rlib")
}

build_prog() {
	local obj=$1
	command -v "$CLIPPY" >/dev/null ||
		die "no clippy-driver ($CLIPPY) found: it enforces the accepted subset of Rust"
	CLIPPY_CONF_DIR=$LIBREX_DIR RUSTC_BOOTSTRAP=1 compile "$obj.diag" "$CLIPPY" \
		"${FLAGS[@]}" "${TARGET[@]}" \
		"${PROG_FLAGS[@]}" -Dclippy::disallowed_methods -Dclippy::disallowed_types \
		-L "$DIR" "${EXTERNS[@]}" \
		--crate-type lib --crate-name "$NAME" --emit=metadata -o "$obj.rmeta" "$SRC"
	RUSTC_BOOTSTRAP=1 compile "$obj.diag" "$RUSTC" "${FLAGS[@]}" "${TARGET[@]}" \
		"${PROG_FLAGS[@]}" \
		-L "$DIR" "${EXTERNS[@]}" --crate-type lib --crate-name "$NAME" --emit=obj \
		-o "$obj" "$SRC"
}

# The crate's API reference, by the rustdoc beside $RUSTC, with the flags
# the crate is built with; a warning (a broken link in the docs) fails it.
build_doc() {
	local rustdoc=${RUSTDOC:-$(dirname "$(command -v "$RUSTC")")/rustdoc}
	[ -x "$rustdoc" ] || die "no rustdoc beside $RUSTC (set RUSTDOC)"
	mkdir -p "$WHERE"
	OUT_DIR=$DIR RUSTC_BOOTSTRAP=1 run "$rustdoc" "${FLAGS[@]}" "${TARGET[@]}" -L "$DIR" \
		--crate-type rlib --crate-name rex -Dwarnings -o "$WHERE" "$LIBREX_DIR/src/lib.rs"
	echo "$WHERE/rex/index.html"
}

# rust-project.json for rust-analyzer (its format for projects without
# Cargo): the crate rex, with the bindings of this kernel build, and each
# *.rs of $WHERE as a program crate that depends on it.
write_ide() {
	python3 - "$WHERE" "$LIBREX_DIR/src/lib.rs" "$DIR" "$(sysroot_src)" <<'PY'
import glob, json, os, sys
where, rex, out_dir, sysroot_src = sys.argv[1:]
crates = [{"display_name": "rex", "root_module": rex, "edition": "2021", "deps": [],
           "cfg": [], "env": {"OUT_DIR": out_dir}, "is_workspace_member": False}]
for src in sorted(glob.glob(os.path.join(os.path.abspath(where), "*.rs"))):
    crates.append({"display_name": os.path.basename(src)[:-3], "root_module": src,
                   "edition": "2021", "deps": [{"crate": 0, "name": "rex"}], "cfg": [],
                   "is_workspace_member": True})
with open(os.path.join(where, "rust-project.json"), "w") as f:
    json.dump({"sysroot_src": sysroot_src, "crates": crates}, f, indent=4)
    f.write("\n")
print(os.path.join(where, "rust-project.json"))
PY
}

# Link like the C-built images: a position-independent shared object that
# exports only the entry points (the non-Rust symbols the program defines),
# with RELRO, no executable stack and text on pages of its own.
link() {
	local obj=$1 ver=$2 exports
	exports=$(nm --defined-only -g "$obj" | awk '$2 == "T" && $3 !~ /^_R/ { print $3 }')
	[ -n "$exports" ] || die "$SRC declares no program (rex::xdp!, rex::kprobe!, ...)"
	{ echo '{ global:'; printf '\t%s;\n' $exports; echo 'local: *; };'; } > "$ver"
	run "$REX_CC" -nostdlib -shared -o "$OUT" "$obj" -Wl,--start-group \
		"$DIR/librex.rlib" "$DIR/libcore.rlib" "$DIR/libcompiler_builtins.rlib" \
		-Wl,--end-group \
		-Wl,--version-script="$ver",--gc-sections,-T,"$LIBREX_DIR/rex-image.lds" \
		-Wl,-z,relro,-z,now,-z,noexecstack,-z,separate-code \
		-Wl,-z,max-page-size=4096,--build-id=none,--hash-style=gnu
}

# Every function of the image, core's included, has a frame of at most
# REX_FRAME_MAX bytes, or the stack check at its entry, which runs after
# its prologue, would leave less than the kernel's reserve below it.  The
# sizes are then dropped from the image.
check_frames() {
	local img=$1 max fn size over=
	max=$(sed -n 's/^#define[[:space:]]*REX_FRAME_MAX[[:space:]]*\([0-9]*\).*/\1/p' \
		"$(hdrs)/linux/rex.h")
	[ -n "$max" ] || die "no REX_FRAME_MAX in $(hdrs)/linux/rex.h"
	while read -r key val; do
		case $key in
		Functions:) fn=${val#[}; fn=${fn%]} ;;
		Size:)
			size=$((val))
			[ "$size" -le "$max" ] ||
				over+="  $fn: $size bytes"$'\n' ;;
		esac
	done < <("$READOBJ" --stack-sizes "$img")
	if [ -n "$over" ]; then
		rm -f "$img"
		die "functions with a stack frame larger than $max bytes" \
		    "(REX_FRAME_MAX; keep large buffers in a map):"$'\n'"${over%$'\n'}"
	fi
	run "$OBJCOPY" --remove-section=.stack_sizes "$img"
}

# The C compiler of the kernel build and the mitigation flags of its C
# code (rust-flags.mk), for C-built images: C images are built with the
# kernel's compiler, since only the flags of the same compiler mean the
# same code (and only clang has kCFI).
c_flags() {
	local out line
	[ -n "$KBUILD" ] && [ -f "$KBUILD/.config" ] || die "--$MODE needs a kernel build (-k)"
	out=$(kernel_make_cached rex-c-flags) ||
		die "cannot read the C flags of the kernel build in $KBUILD"
	while IFS= read -r line; do
		case $MODE:$line in
		cc:CC=*) echo "${line#CC=}" ;;
		cflags:CFLAGS=*) echo "${line#CFLAGS=}" ;;
		esac
	done <<< "$out"
	exit 0
}
case $MODE in cc|cflags) c_flags ;; esac

setup_flags
setup_cache
case $MODE in
flags)
	echo "# origin: $ORIGIN"
	echo "# rustc: $(command -v "$RUSTC") ($("$RUSTC" --version))"
	echo "${FLAGS[*]} ${TARGET[*]}"
	exit 0 ;;
check)
	command -v "$CLIPPY" >/dev/null || die "no clippy-driver ($CLIPPY) found"
	command -v "$BINDGEN" >/dev/null || die "no bindgen ($BINDGEN) found"
	command -v "$READOBJ" >/dev/null || die "no llvm-readobj ($READOBJ) found"
	sysroot_src >/dev/null
	build_runtime
	build_rex
	echo "ok: $ORIGIN"
	exit 0 ;;
doc|ide)
	build_runtime
	build_rex
	if [ "$MODE" = doc ]; then build_doc; else write_ide; fi
	exit 0 ;;
esac

[ -n "$SRC" ] && [ -f "$SRC" ] || die "no program source given (rex-build.sh PROG.rs -o PROG.rex)"
[ -n "$OUT" ] || OUT=${SRC%.rs}.rex
NAME=$(basename "${SRC%.rs}" | tr -c 'a-zA-Z0-9_\n' _)
build_runtime
build_rex
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build_tp "$tmp"
build_prog "$tmp/$NAME.o"
link "$tmp/$NAME.o" "$tmp/exports.ver"
check_frames "$OUT"
# A signature of an earlier build of this image would be a wrong one.
rm -f "$OUT.p7s"
if [ -n "$SIGN_KEY" ]; then
	signer=${SIGN_FILE:-${KBUILD:+$KBUILD/scripts/sign-file}}
	if [ -z "$signer" ] || [ ! -x "$signer" ]; then
		die "--sign needs the scripts/sign-file of a kernel build (-k), or SIGN_FILE"
	fi
	run "$signer" -d sha256 "$SIGN_KEY" "$SIGN_CERT" "$OUT" ||
		die "signing $OUT with $SIGN_KEY failed"
	[ -s "$OUT.p7s" ] || die "$signer wrote no $OUT.p7s"
fi
