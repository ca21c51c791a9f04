// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's spin lock program in C: take the resilient spin lock of
 * an array map's value, count, release it.  An image of its own: spin
 * locks are for XDP and tc programs, and an image's imports must suit all
 * its programs (bench.c has a tracepoint program).  Its eBPF counterpart
 * is in bench.bpf.c, its Rust one in rust/rust_lock.rs.
 */

#include "rex_prog.h"

REX_LICENSE("GPL");

struct locked {
	struct bpf_res_spin_lock lock;
	__u64 n;
};

REX_MAP_LOCK(locked, BPF_MAP_TYPE_ARRAY, sizeof(__u32), struct locked, lock, 1);
REX_PROG_STACK(rex_bench_lock, BPF_PROG_TYPE_XDP, 0, 64);

REX_ENTRY(rex_bench_lock, const struct rex_xdp_buff *, ctx)
{
	__u32 zero = 0;
	struct locked *v = bpf_map_lookup_elem(&locked, &zero);

	if (v && !bpf_res_spin_lock(&v->lock)) {
		v->n++;
		bpf_res_spin_unlock(&v->lock);
	}
	return XDP_PASS;
}
