/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A memcached GET cache in XDP, after BMC: what its eBPF program
 * (progs/bmc.bpf.c), its Rex program (rust/rust_bmc.rs, which repeats
 * this) and rex_bench.c agree on.
 *
 * Requests are memcached's UDP protocol: an 8-byte frame header (request
 * id, sequence number, datagrams in all, reserved; big-endian) and then
 * the command.  For a request to BMC_PORT, in IPv4 without options:
 *
 *  - "get <key>\r\n" with one key of 1 to BMC_KEY_MAX bytes whose entry
 *    (BMC_ENTRIES entries, at the key's FNV-1a hash modulo BMC_ENTRIES)
 *    is valid and holds that key: a hit, answered from the entry with
 *    XDP_TX (addresses and ports swapped, the request id kept, sequence 0
 *    of 1, then the entry's reply: "VALUE <key> <flags> <bytes>\r\n",
 *    the data, "\r\nEND\r\n"), counted in stats[BMC_HIT];
 *  - any other "get " request: a miss, passed up to the server, counted
 *    in stats[BMC_MISS];
 *  - "set <key> ...": the entry that holds the key is made invalid,
 *    counted in stats[BMC_SET], and the request passed up;
 *
 * and everything else is passed up.  User space fills the entries.
 */
#ifndef __REX_BMC_H
#define __REX_BMC_H

#include <linux/types.h>

#define BMC_PORT	11211
#define BMC_ENTRIES	1024
#define BMC_KEY_MAX	32
#define BMC_REPLY_MAX	128
#define BMC_HDR		8

enum { BMC_HIT, BMC_MISS, BMC_SET, BMC_STATS };

struct bmc_entry {
	__u32 valid;
	__u32 key_len;
	__u32 reply_len;
	__u32 pad;
	__u8 key[BMC_KEY_MAX];
	__u8 reply[BMC_REPLY_MAX];
};

/* FNV-1a, 32 bits, of @len bytes at @p: the entry of a key. */
static inline __u32 bmc_hash(const unsigned char *p, unsigned int len)
{
	__u32 h = 2166136261u;
	unsigned int i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

#endif /* __REX_BMC_H */
