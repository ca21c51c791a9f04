// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs for the benchmark, in C: the smallest XDP program, one that
 * counts in an array map through bpf_map_lookup_elem(), one that sums the
 * LOOP_N entries of an array map with a lookup each, one that counts the
 * packets and bytes of each UDP flow in a hash map keyed by its 5-tuple,
 * the two of bench_parse.h (a SYN's option fingerprint, a payload's hash),
 * and the smallest tracepoint program, each with an eBPF counterpart in
 * bench.bpf.c and a Rust one in rust/rust_bench.rs; and one that makes
 * BENCH_CALLS function calls, which rex_bench.c runs built with and without the stack checks
 * at function entries (bench_nocheck.rex).
 */

#include "rex_prog.h"
#include "bench_common.h"
#include "bench_parse.h"

REX_LICENSE("GPL");
REX_MAP(counter, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(table, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), LOOP_N);
REX_MAP(out, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(digest, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);

REX_MAP(flows, BPF_MAP_TYPE_HASH, sizeof(struct flow_key), sizeof(struct flow), 1024);
REX_PROG_STACK(rex_bench_pass, BPF_PROG_TYPE_XDP, 0, 64);
REX_PROG_STACK(rex_bench_lookup, BPF_PROG_TYPE_XDP, 0, 64);
REX_PROG_STACK(rex_bench_loop, BPF_PROG_TYPE_XDP, 0, 64);
REX_PROG_STACK(rex_bench_flow, BPF_PROG_TYPE_XDP, 0, 128);
REX_PROG_STACK(rex_bench_calls, BPF_PROG_TYPE_XDP, 0, 64);
REX_PROG_STACK(rex_bench_syn, BPF_PROG_TYPE_XDP, 0, 64);
REX_PROG_STACK(rex_bench_hash, BPF_PROG_TYPE_XDP, 0, 64);
REX_TRACEPOINT(rex_bench_tp, sizeof(struct rex_trace_sys_enter));
REX_PROG(rex_bench_kp, BPF_PROG_TYPE_KPROBE, 0);

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

REX_ENTRY(rex_bench_loop, const struct rex_xdp_buff *, ctx)
{
	__u64 sum = 0, *v;
	__u32 i, zero = 0;

	for (i = 0; i < LOOP_N; i++) {
		v = bpf_map_lookup_elem(&table, &i);
		if (v)
			sum += *v;
	}
	bpf_map_update_elem(&out, &zero, &sum, BPF_ANY);
	return XDP_PASS;
}

REX_ENTRY(rex_bench_flow, const struct rex_xdp_buff *, ctx)
{
	const unsigned char *p = ctx->data, *udp;
	__u64 len = ctx->data_end - ctx->data;
	struct flow_key key = {};
	unsigned int ihl;
	struct flow *f;

	/* Ethernet, IPv4 (protocol UDP), UDP. */
	if (len < 14 + 20 || p[12] != 0x08 || p[13] != 0x00 || p[14 + 9] != 17)
		return XDP_PASS;
	ihl = (p[14] & 0xf) * 4;
	if (ihl < 20 || len < 14 + ihl + 8)
		return XDP_PASS;
	udp = p + 14 + ihl;
	__builtin_memcpy(&key.saddr, p + 14 + 12, 4);
	__builtin_memcpy(&key.daddr, p + 14 + 16, 4);
	__builtin_memcpy(&key.sport, udp, 2);
	__builtin_memcpy(&key.dport, udp + 2, 2);
	key.proto = 17;
	f = bpf_map_lookup_elem(&flows, &key);
	if (f) {
		__atomic_fetch_add(&f->packets, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&f->bytes, len, __ATOMIC_RELAXED);
	} else {
		struct flow init = { 1, len };

		bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
	}
	return XDP_PASS;
}

/* Store @v in digest[0], for rex_bench to compare. */
static void set_digest(__u64 v)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&digest, &zero);

	if (d)
		*d = v;
}

REX_ENTRY(rex_bench_syn, const struct rex_xdp_buff *, ctx)
{
	set_digest(syn_print(ctx->data, ctx->data_end - ctx->data));
	return XDP_PASS;
}

REX_ENTRY(rex_bench_hash, const struct rex_xdp_buff *, ctx)
{
	set_digest(payload_hash(ctx->data, ctx->data_end - ctx->data));
	return XDP_PASS;
}

REX_ENTRY(rex_bench_tp, const struct rex_trace_sys_enter *, ctx)
{
	return 0;
}

REX_ENTRY(rex_bench_kp, struct pt_regs *, regs)
{
	return 0;
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
