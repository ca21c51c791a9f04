// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs for the benchmark: the smallest XDP program, and one that
 * counts in an array map through bpf_map_lookup_elem(), each with an eBPF
 * counterpart in rex_bench.c.
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(counter, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_PROG_STACK(rex_bench_pass, BPF_PROG_TYPE_XDP, 0, 64);
REX_PROG_STACK(rex_bench_lookup, BPF_PROG_TYPE_XDP, 0, 64);

unsigned int rex_bench_pass(const struct rex_xdp_buff *ctx)
{
	return XDP_PASS;
}

unsigned int rex_bench_lookup(const struct rex_xdp_buff *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&counter, &zero);

	if (v)
		__atomic_fetch_add(v, 1, __ATOMIC_RELAXED);
	return XDP_PASS;
}
