# SPDX-License-Identifier: GPL-2.0
#
# Read by rex-build.sh together with a kernel build's Makefile: print the
# Rust toolchain and flags the kernel builds its own Rust code with, and
# the C compiler and the code-generation flags of the kernel's
# speculative-execution and control-flow mitigations, which C-built
# images take from the kernel as Rust ones do.
#
#   make -C KBUILD --no-print-directory -f Makefile -f rust-flags.mk rex-rust-flags
#   make -C KBUILD --no-print-directory -f Makefile -f rust-flags.mk rex-c-flags

# Retpolines, return thunks, straight-line speculation and kCFI type
# hashes: what makes code fit for a mitigated kernel.  IBT landing pads
# (-fcf-protection=branch) images always have.
REX_C_MITIGATIONS := -mindirect-branch=% -mindirect-branch-register \
	-mindirect-branch-cs-prefix -mretpoline-external-thunk -mfunction-return=% \
	-mharden-sls=% -fsanitize=kcfi -fsanitize-cfi-% -fsanitize-kcfi-%

PHONY += rex-rust-flags rex-c-flags
rex-rust-flags:
	@echo 'RUSTC=$(RUSTC)'
	@echo 'BINDGEN=$(BINDGEN)'
	@echo 'FLAGS=$(KBUILD_RUSTFLAGS)'

rex-c-flags:
	@echo 'CC=$(CC)'
	@echo 'CFLAGS=$(filter $(REX_C_MITIGATIONS),$(KBUILD_CFLAGS))'
