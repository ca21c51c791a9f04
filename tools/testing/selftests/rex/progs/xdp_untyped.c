// SPDX-License-Identifier: GPL-2.0
/*
 * An entry declared with its context's own type instead of the entry type,
 * unsigned int (const void *ctx), for rex_harden_test: on a kernel with
 * kCFI the kernel calls entries checking that type's hash, so the loader
 * refuses the image.
 */

#include "rex_prog.h"

REX_PROG(rex_xdp_untyped, BPF_PROG_TYPE_XDP, 0);

unsigned int rex_xdp_untyped(const struct rex_xdp_buff *ctx)
{
	return XDP_PASS;
}
