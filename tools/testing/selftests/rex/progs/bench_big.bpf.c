// SPDX-License-Identifier: GPL-2.0
/*
 * The large eBPF program of the benchmark's load-time case (bench_big.h):
 * an object of its own, so that loading it is the verification and JIT
 * compilation of this program alone.  Stores its result in out[0].
 */

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bench_big.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} out SEC(".maps");

SEC("xdp")
int bpf_bench_big(struct xdp_md *ctx)
{
	__u64 h = ctx->data_end - ctx->data;
	__u32 zero = 0;

	h = big_mix(h);
	bpf_map_update_elem(&out, &zero, &h, BPF_ANY);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
