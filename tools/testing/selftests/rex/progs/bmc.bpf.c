// SPDX-License-Identifier: GPL-2.0
/*
 * The memcached GET cache of progs/bmc.h as an eBPF program, written for
 * clang -target bpf and libbpf as the verifier takes it: every packet
 * byte read or written is checked against the packet's end first (again
 * after the packet grew), loops have constant bounds, and lengths from
 * the map are checked before they index anything.  Its Rex counterpart
 * is rust/rust_bmc.rs.
 */

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bmc.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BMC_ENTRIES);
	__type(key, __u32);
	__type(value, struct bmc_entry);
} cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BMC_STATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&stats, &what);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/*
 * The key at @key, ended by @stop: its length (0 if it has none, is
 * longer than BMC_KEY_MAX or runs past @end) and its hash in @hash.
 */
static __always_inline __u32 parse_key(__u8 *key, void *end, __u8 stop, __u32 *hash)
{
	__u32 h = 2166136261u, len;

	for (len = 0; len <= BMC_KEY_MAX; len++) {
		if ((void *)(key + len + 1) > end)
			return 0;
		if (key[len] == stop)
			break;
		if (key[len] == ' ' || key[len] == '\r' || key[len] == '\n')
			return 0;
		h = (h ^ key[len]) * 16777619u;
	}
	if (!len || len > BMC_KEY_MAX)
		return 0;
	*hash = h;
	return len;
}

/* The entry of the key of @len bytes at @key with @hash, if it holds it. */
static __always_inline struct bmc_entry *find(__u8 *key, void *end, __u32 len, __u32 hash)
{
	__u32 idx = hash % BMC_ENTRIES, i;
	struct bmc_entry *e = bpf_map_lookup_elem(&cache, &idx);

	if (!e || e->key_len != len)
		return NULL;
	for (i = 0; i < BMC_KEY_MAX && i < len; i++)
		if ((void *)(key + i + 1) > end || key[i] != e->key[i])
			return NULL;
	return e;
}

/* The IPv4 header checksum of @ip, which has no options. */
static __always_inline __u16 ip_check(struct iphdr *ip)
{
	__u16 *w = (__u16 *)ip;
	__u32 sum = 0;
	int i;

	ip->check = 0;
	for (i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* Answer the request of @ctx from @e: the frame becomes the reply. */
static __always_inline int reply(struct xdp_md *ctx, struct bmc_entry *e)
{
	__u32 n = e->reply_len, i;
	unsigned char mac[ETH_ALEN];
	struct ethhdr *eth;
	struct udphdr *udp;
	struct iphdr *ip;
	void *data, *end;
	__u16 port;
	__u32 addr;
	__u8 *p;

	/*
	 * The map is user space's to write: a bad length is a miss.  The
	 * frame's length from a helper: the verifier refuses arithmetic on
	 * the end of the packet.
	 */
	if (n > BMC_REPLY_MAX ||
	    bpf_xdp_adjust_tail(ctx, (int)(sizeof(*eth) + sizeof(*ip) + sizeof(*udp) +
					   BMC_HDR + n) - (int)bpf_xdp_get_buff_len(ctx)))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	ip = (void *)(eth + 1);
	udp = (void *)(ip + 1);
	p = (__u8 *)(udp + 1);
	if ((void *)(p + BMC_HDR) > end)
		return -1;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(*udp) + BMC_HDR + n);
	ip->ttl = 64;
	ip->check = ip_check(ip);
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	udp->len = bpf_htons(sizeof(*udp) + BMC_HDR + n);
	udp->check = 0;
	/* The request id stays; datagram 0 of 1. */
	p[2] = 0;
	p[3] = 0;
	p[4] = 0;
	p[5] = 1;
	p[6] = 0;
	p[7] = 0;
	p += BMC_HDR;
	for (i = 0; i < BMC_REPLY_MAX && i < n; i++) {
		if ((void *)(p + i + 1) > end)
			return -1;
		p[i] = e->reply[i];
	}
	return 0;
}

SEC("xdp")
int bpf_bmc(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u8 *cmd = (__u8 *)(udp + 1) + BMC_HDR;
	struct bmc_entry *e;
	__u32 len, hash;

	if ((void *)(cmd + 4) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP || udp->dest != bpf_htons(BMC_PORT))
		return XDP_PASS;
	if (cmd[0] == 's' && cmd[1] == 'e' && cmd[2] == 't' && cmd[3] == ' ') {
		len = parse_key(cmd + 4, end, ' ', &hash);
		e = len ? find(cmd + 4, end, len, hash) : NULL;
		if (e) {
			e->valid = 0;
			count(BMC_SET);
		}
		return XDP_PASS;
	}
	if (cmd[0] != 'g' || cmd[1] != 'e' || cmd[2] != 't' || cmd[3] != ' ')
		return XDP_PASS;
	len = parse_key(cmd + 4, end, '\r', &hash);
	if (len && (void *)(cmd + 4 + len + 2) <= end && cmd[4 + len + 1] == '\n') {
		e = find(cmd + 4, end, len, hash);
		if (e && e->valid && !reply(ctx, e)) {
			count(BMC_HIT);
			return XDP_TX;
		}
	}
	count(BMC_MISS);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
