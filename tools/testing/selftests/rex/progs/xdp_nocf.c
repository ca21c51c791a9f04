// SPDX-License-Identifier: GPL-2.0
/*
 * A function whose address the image takes without an IBT landing pad, for
 * rex_harden_test: on a kernel built for IBT an indirect call to it would
 * trap on a CPU with IBT, so the loader refuses the image.
 */

#include "rex_prog.h"

typedef unsigned long no_pad_fn(unsigned long x) __attribute__((nocf_check));

static __attribute__((nocf_check)) unsigned long no_pad(unsigned long x)
{
	return x + 1;
}

/* A pointer into the text: a relative relocation to no_pad. */
no_pad_fn *const rex_no_pad = no_pad;

REX_PROG(rex_xdp_nocf, BPF_PROG_TYPE_XDP, 0);

REX_ENTRY(rex_xdp_nocf, const struct rex_xdp_buff *, ctx)
{
	return (unsigned int)rex_no_pad(XDP_ABORTED);
}
