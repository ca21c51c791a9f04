// SPDX-License-Identifier: GPL-2.0
/*
 * The large Rex program of the benchmark's load-time case (bench_big.h),
 * the counterpart of bench_big.bpf.c.  Stores its result in out[0].
 */

#include "rex_prog.h"
#include "bench_big.h"

REX_LICENSE("GPL");
REX_MAP(out, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_PROG_STACK(rex_bench_big, BPF_PROG_TYPE_XDP, 0, 64);

REX_ENTRY(rex_bench_big, const struct rex_xdp_buff *, ctx)
{
	__u64 h = (__u64)(ctx->data_end - ctx->data);
	__u32 zero = 0;

	h = big_mix(h);
	bpf_map_update_elem(&out, &zero, &h, BPF_ANY);
	return XDP_PASS;
}
