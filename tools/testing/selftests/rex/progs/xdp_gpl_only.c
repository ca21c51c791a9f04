// SPDX-License-Identifier: GPL-2.0
/*
 * Rex XDP program that imports bpf_probe_read_kernel(), a helper for GPL
 * programs only: loaded with another license it must be refused.  It reads
 * the ethertype of the frame through the helper and passes IPv4 frames.
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_PROG(rex_xdp_gpl_only, BPF_PROG_TYPE_XDP, 0);

REX_ENTRY(rex_xdp_gpl_only, const struct rex_xdp_buff *, ctx)
{
	unsigned char type[2];

	if (ctx->data_end - ctx->data < 14)
		return XDP_ABORTED;
	if (bpf_probe_read_kernel(type, sizeof(type), ctx->data + 12))
		return XDP_ABORTED;
	return type[0] == 0x08 && type[1] == 0x00 ? XDP_PASS : XDP_DROP;
}
