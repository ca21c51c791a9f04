/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark's two compute-heavy cases as plain C, on a frame in memory:
 * what the Rex program in C (progs/bench.c) runs and what rex_bench.c
 * checks every program's output against.  The eBPF programs
 * (progs/bench.bpf.c) and the Rust ones (rust/rust_bench.rs) do the same,
 * each the way its language has it written.
 *
 *  - syn_print(): the fingerprint of a TCP segment's options, as a passive
 *    OS fingerprinter takes it from a SYN: the MSS, the window scale, which
 *    of MSS, window scale, SACK permitted and timestamps are there, whether
 *    the options are malformed, and a hash of the order of their kinds.
 *  - payload_hash(): FNV-1a (64 bits) of a UDP datagram's payload, a byte at
 *    a time.
 *
 * Both take an Ethernet frame carrying IPv4 (any header length) and return
 * 0 for a frame that is not what they look for.
 */
#ifndef __REX_BENCH_PARSE_H
#define __REX_BENCH_PARSE_H

#include <linux/types.h>

/* syn_print()'s flags, in bits 24-28 of the fingerprint. */
#define SYN_MSS		0x01
#define SYN_WS		0x02
#define SYN_SACK	0x04
#define SYN_TS		0x08
#define SYN_BAD		0x10

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

/* The IPv4 header of @p, @len bytes, carrying @proto: its length, or 0. */
static inline unsigned int bench_ipv4(const unsigned char *p, unsigned long len,
				      unsigned char proto)
{
	unsigned int ihl;

	if (len < 14 + 20 || p[12] != 0x08 || p[13] != 0x00 || p[14 + 9] != proto)
		return 0;
	ihl = (p[14] & 0xf) * 4;
	return ihl >= 20 && len >= 14 + ihl ? ihl : 0;
}

static inline __u64 syn_print(const unsigned char *p, unsigned long len)
{
	unsigned int ihl = bench_ipv4(p, len, 6), mss = 0, ws = 0, flags = 0;
	unsigned int optlen, off, kind, n;
	const unsigned char *tcp, *opt;
	__u32 order = 0;

	if (!ihl || len < 14 + ihl + 20)
		return 0;
	tcp = p + 14 + ihl;
	optlen = (tcp[12] >> 4) * 4;
	if (optlen < 20 || len < 14 + ihl + optlen)
		return 0;
	optlen -= 20;
	opt = tcp + 20;
	for (off = 0; off < optlen; off += n) {
		kind = opt[off];
		if (kind == 0)		/* end of options */
			break;
		order = order * 33 + kind;
		if (kind == 1) {	/* no-op */
			n = 1;
			continue;
		}
		if (off + 1 >= optlen || opt[off + 1] < 2 || off + opt[off + 1] > optlen) {
			flags |= SYN_BAD;
			break;
		}
		n = opt[off + 1];
		if (kind == 2 && n == 4) {
			mss = opt[off + 2] << 8 | opt[off + 3];
			flags |= SYN_MSS;
		} else if (kind == 3 && n == 3) {
			ws = opt[off + 2];
			flags |= SYN_WS;
		} else if (kind == 4 && n == 2) {
			flags |= SYN_SACK;
		} else if (kind == 8 && n == 10) {
			flags |= SYN_TS;
		}
	}
	return mss | ws << 16 | flags << 24 | (__u64)order << 32;
}

static inline __u64 payload_hash(const unsigned char *p, unsigned long len)
{
	unsigned int ihl = bench_ipv4(p, len, 17);
	__u64 h = FNV_OFFSET;
	unsigned long i;

	if (!ihl || len < 14 + ihl + 8)
		return 0;
	for (i = 14 + ihl + 8; i < len; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

#endif /* __REX_BENCH_PARSE_H */
