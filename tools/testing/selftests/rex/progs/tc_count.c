// SPDX-License-Identifier: GPL-2.0
/*
 * Rex tc program: count frames per ethertype in a hash map, read through
 * bpf_skb_load_bytes(), shoot frames of ethertype REX_ETH_DROP and let all
 * others pass.
 */

#include "rex_prog.h"
#include "attach_common.h"

REX_LICENSE("GPL");
REX_MAP(counts, BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u64), 64);
REX_PROG(rex_tc_count, BPF_PROG_TYPE_SCHED_CLS, 0);

REX_ENTRY(rex_tc_count, struct sk_buff *, skb)
{
	unsigned char eth_type[2];
	__u32 type;

	if (bpf_skb_load_bytes(skb, 12, eth_type, sizeof(eth_type))) {
		rex_count(&counts, REX_ETH_RUNT, 1);
		return TC_ACT_OK;
	}
	type = eth_type[0] << 8 | eth_type[1];
	rex_count(&counts, type, 1);
	return type == REX_ETH_DROP ? TC_ACT_SHOT : TC_ACT_OK;
}
