// SPDX-License-Identifier: GPL-2.0
/*
 * Rex XDP program that imports bpf_override_return(), a helper only
 * kprobe programs get: the load must fail and name the helper.
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_PROG(rex_xdp_override, BPF_PROG_TYPE_XDP, 0);

REX_ENTRY(rex_xdp_override, const struct rex_xdp_buff *, ctx)
{
	return bpf_override_return((struct pt_regs *)ctx, 0) ? XDP_DROP : XDP_PASS;
}
