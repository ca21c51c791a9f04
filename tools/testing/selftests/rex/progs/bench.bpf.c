// SPDX-License-Identifier: GPL-2.0
/*
 * The eBPF counterparts of the benchmark's Rex programs (progs/bench.c in
 * C, rust/rust_bench.rs in Rust), written as eBPF programs are, for clang
 * -target bpf and libbpf: the smallest XDP program, an XDP program that
 * counts in an array map, one that sums the LOOP_N entries of an array map
 * with a lookup each, one that counts the packets and bytes of each UDP
 * flow in a hash map keyed by its 5-tuple, one that counts under a spin
 * lock in an array map's value, and the smallest tracepoint program.
 */

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bench_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LOOP_N);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, struct flow);
} flows SEC(".maps");

/* eBPF's spin lock (Rex programs take the resilient one, which is a kfunc). */
struct locked {
	struct bpf_spin_lock lock;
	__u64 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} locked SEC(".maps");

SEC("xdp")
int bpf_bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bpf_bench_lookup(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&counter, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

SEC("xdp")
int bpf_bench_loop(struct xdp_md *ctx)
{
	__u32 i, key, zero = 0;
	__u64 sum = 0, *v;

	for (i = 0; i < LOOP_N; i++) {
		/* A copy: with its address taken, i would live on the stack. */
		key = i;
		v = bpf_map_lookup_elem(&table, &key);
		if (v)
			sum += *v;
	}
	bpf_map_update_elem(&out, &zero, &sum, BPF_ANY);
	return XDP_PASS;
}

SEC("xdp")
int bpf_bench_flow(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct flow_key key = {};
	struct ethhdr *eth = data;
	struct udphdr *udp;
	struct iphdr *ip;
	struct flow *f;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP || ip->ihl < 5)
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return XDP_PASS;
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.sport = udp->source;
	key.dport = udp->dest;
	key.proto = ip->protocol;
	f = bpf_map_lookup_elem(&flows, &key);
	if (f) {
		__sync_fetch_and_add(&f->packets, 1);
		__sync_fetch_and_add(&f->bytes, end - data);
	} else {
		struct flow init = { 1, end - data };

		bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
	}
	return XDP_PASS;
}

SEC("xdp")
int bpf_bench_lock(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct locked *v = bpf_map_lookup_elem(&locked, &zero);

	if (v) {
		bpf_spin_lock(&v->lock);
		v->n++;
		bpf_spin_unlock(&v->lock);
	}
	return XDP_PASS;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int bpf_bench_tp(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
