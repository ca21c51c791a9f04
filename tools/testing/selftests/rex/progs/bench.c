// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs for the benchmark: the smallest XDP program, and one that
 * counts in an array map through bpf_map_lookup_elem(), each with an eBPF
 * counterpart in rex_bench.c; and one that makes BENCH_CALLS function
 * calls, which rex_bench.c runs built with and without the stack checks
 * at function entries (bench_nocheck.rex).
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(counter, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_PROG_STACK(rex_bench_pass, BPF_PROG_TYPE_XDP, 0, 64);
REX_PROG_STACK(rex_bench_lookup, BPF_PROG_TYPE_XDP, 0, 64);
REX_PROG_STACK(rex_bench_calls, BPF_PROG_TYPE_XDP, 0, 64);

#define BENCH_CALLS	8

REX_ENTRY(rex_bench_pass, const struct rex_xdp_buff *, ctx)
{
	return XDP_PASS;
}

REX_ENTRY(rex_bench_lookup, const struct rex_xdp_buff *, ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&counter, &zero);

	if (v)
		__atomic_fetch_add(v, 1, __ATOMIC_RELAXED);
	return XDP_PASS;
}

static __u64 step(__u64 x)
{
	rex_clobber(&x);
	return x * 3 + 1;
}

REX_ENTRY(rex_bench_calls, const struct rex_xdp_buff *, ctx)
{
	/* Hidden, so not inlined: each call is one stack check. */
	__u64 (*fn)(__u64 x) = rex_hide(step);
	__u64 x = 1;
	int i;

	for (i = 0; i < BENCH_CALLS; i++)
		x = fn(x);
	return x ? XDP_PASS : XDP_DROP;
}
