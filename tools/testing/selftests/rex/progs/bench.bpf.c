// SPDX-License-Identifier: GPL-2.0
/*
 * The eBPF counterparts of the benchmark's Rex programs (progs/bench.c in
 * C, rust/rust_bench.rs in Rust), written as eBPF programs are, for clang
 * -target bpf and libbpf: the smallest XDP program, an XDP program that
 * counts in an array map, one that sums the LOOP_N entries of an array map
 * with a lookup each, one that counts the packets and bytes of each UDP
 * flow in a hash map keyed by its 5-tuple, one that counts under a spin
 * lock in an array map's value, the two compute-heavy ones of bench_parse.h
 * (a SYN's option fingerprint, a payload's hash), and the smallest
 * tracepoint program.
 */

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bench_common.h"
#include "bench_parse.h"

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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} digest SEC(".maps");

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

static __always_inline void set_digest(__u64 v)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&digest, &zero);

	if (d)
		*d = v;
}

/*
 * The IPv4 header after the Ethernet header at @data, carrying @proto, or
 * NULL.  Every byte read is checked against @end first: the verifier
 * refuses a packet access it has not seen checked.
 */
static __always_inline struct iphdr *ipv4(void *data, void *end, __u8 proto)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != proto || ip->ihl < 5 || (void *)ip + ip->ihl * 4 > end)
		return NULL;
	return ip;
}

/*
 * syn_print() of bench_parse.h, as the verifier accepts it.  Written as a
 * loop over the packet (a constant bound of 40 passes, each offset masked
 * and every read checked against the packet's end), it is refused: the
 * verifier walks every path through every pass, more than its million
 * instructions.  So the options are copied to the stack first and each
 * pass is a bpf_loop() callback, which the verifier checks once; indexes
 * are masked to the 64-byte buffer, since the verifier does not carry the
 * bounds of a value stored in memory from one pass to the next.
 */
struct syn_state {
	__u8 opt[64];
	__u32 optlen, off, mss, ws, flags, order;
};

static long syn_option(__u32 i, void *data)
{
	struct syn_state *s = data;
	__u32 off = s->off, kind, n;

	if (off >= s->optlen)
		return 1;
	kind = s->opt[off & 63];
	if (kind == 0)
		return 1;
	s->order = s->order * 33 + kind;
	if (kind == 1) {
		s->off = off + 1;
		return 0;
	}
	n = s->opt[(off + 1) & 63];
	if (off + 1 >= s->optlen || n < 2 || off + n > s->optlen) {
		s->flags |= SYN_BAD;
		return 1;
	}
	if (kind == 2 && n == 4) {
		s->mss = s->opt[(off + 2) & 63] << 8 | s->opt[(off + 3) & 63];
		s->flags |= SYN_MSS;
	} else if (kind == 3 && n == 3) {
		s->ws = s->opt[(off + 2) & 63];
		s->flags |= SYN_WS;
	} else if (kind == 4 && n == 2) {
		s->flags |= SYN_SACK;
	} else if (kind == 8 && n == 10) {
		s->flags |= SYN_TS;
	}
	s->off = off + n;
	return 0;
}

SEC("xdp")
int bpf_bench_syn(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = ipv4(data, end, IPPROTO_TCP);
	struct syn_state s = {};
	__u64 len;
	__u32 doff;
	__u8 *tcp;

	if (!ip) {
		set_digest(0);
		return XDP_PASS;
	}
	tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 20) > end) {
		set_digest(0);
		return XDP_PASS;
	}
	doff = tcp[12] >> 4;
	if (doff < 5 || (void *)tcp + doff * 4 > end) {
		set_digest(0);
		return XDP_PASS;
	}
	s.optlen = (doff - 5) * 4;
	/*
	 * The verifier loses the bounds of doff in the code clang makes of
	 * the lines above (it refused the call "R4 min value is negative"),
	 * and then of a masked length (its zero: "invalid zero-sized read"):
	 * the length again, 64 bits wide (clang compares a 32-bit one
	 * zero-extended in another register), checked against each bound
	 * the verifier needs on its own (or clang makes one comparison of
	 * them, on another register again), the lower one unsigned (a test
	 * for zero gives a lower bound in some kernels' verifiers only) and
	 * out of clang's sight (it knows len is a multiple of 4, and makes
	 * len < 4 a test for zero).
	 */
	len = s.optlen;
	barrier_var(len);
	if (len < 4)
		goto parse;
	barrier_var(len);
	if (len > 40 || bpf_xdp_load_bytes(ctx, tcp + 20 - (__u8 *)data, s.opt, len)) {
		set_digest(0);
		return XDP_PASS;
	}
parse:
	bpf_loop(40, syn_option, &s, 0);
	set_digest(s.mss | s.ws << 16 | s.flags << 24 | (__u64)s.order << 32);
	return XDP_PASS;
}

/*
 * payload_hash() of bench_parse.h, as the verifier accepts it: a constant
 * bound on the loop (the largest payload of a 1500-byte IPv4 MTU), and the
 * packet's end checked before every byte.
 */
#define HASH_MAX	1480

SEC("xdp")
int bpf_bench_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = ipv4(data, end, IPPROTO_UDP);
	__u64 h = FNV_OFFSET;
	__u8 *p;
	int i;

	if (!ip || (void *)ip + ip->ihl * 4 + sizeof(struct udphdr) > end) {
		set_digest(0);
		return XDP_PASS;
	}
	p = (void *)ip + ip->ihl * 4 + sizeof(struct udphdr);
	for (i = 0; i < HASH_MAX; i++) {
		if ((void *)(p + i + 1) > end)
			break;
		h ^= p[i];
		h *= FNV_PRIME;
	}
	set_digest(h);
	return XDP_PASS;
}

SEC("tracepoint/raw_syscalls/sys_enter")
int bpf_bench_tp(void *ctx)
{
	return 0;
}

SEC("kprobe/__x64_sys_getppid")
int bpf_bench_kp(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
