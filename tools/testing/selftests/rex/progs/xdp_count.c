// SPDX-License-Identifier: GPL-2.0
/*
 * Rex XDP program: count frames per ethertype in a hash map, drop frames
 * of ethertype REX_ETH_DROP and pass all others.
 */

#include "rex_prog.h"
#include "attach_common.h"

REX_LICENSE("GPL");
REX_MAP(counts, BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u64), 64);
REX_PROG(rex_xdp_count, BPF_PROG_TYPE_XDP, 0);

REX_ENTRY(rex_xdp_count, const struct rex_xdp_buff *, ctx)
{
	const unsigned char *p = ctx->data;
	__u32 type;

	if (ctx->data_end - p < 14) {
		rex_count(&counts, REX_ETH_RUNT, 1);
		return XDP_PASS;
	}
	type = p[12] << 8 | p[13];
	rex_count(&counts, type, 1);
	return type == REX_ETH_DROP ? XDP_DROP : XDP_PASS;
}
