// SPDX-License-Identifier: GPL-2.0
/*
 * Rex XDP program that calls a helper, so that a probe on the helper sees
 * the program on its stack.  Passes every frame.
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_PROG(rex_xdp_stack, BPF_PROG_TYPE_XDP, 0);

REX_ENTRY(rex_xdp_stack, const struct rex_xdp_buff *, ctx)
{
	return bpf_get_prandom_u32() == ~0U ? XDP_DROP : XDP_PASS;
}
