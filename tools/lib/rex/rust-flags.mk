# SPDX-License-Identifier: GPL-2.0
#
# Read by rex-build.sh together with a kernel build's Makefile: print the
# Rust toolchain and flags the kernel builds its own Rust code with.
#
#   make -C KBUILD --no-print-directory -f Makefile -f rust-flags.mk rex-rust-flags

PHONY += rex-rust-flags
rex-rust-flags:
	@echo 'RUSTC=$(RUSTC)'
	@echo 'BINDGEN=$(BINDGEN)'
	@echo 'FLAGS=$(KBUILD_RUSTFLAGS)'
