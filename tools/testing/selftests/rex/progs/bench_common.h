/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmark's programs (progs/bench.c for Rex, progs/bench.bpf.c
 * for eBPF) and rex_bench.c agree on; rust/rust_bench.rs repeats it in Rust.
 */
#ifndef __REX_BENCH_COMMON_H
#define __REX_BENCH_COMMON_H

#include <linux/types.h>

/* Entries of the array map the map-lookup loop sums. */
#define LOOP_N	64

/* A UDP flow: its 5-tuple, as in the packet, and what was seen of it. */
struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow {
	__u64 packets;
	__u64 bytes;
};

#endif /* __REX_BENCH_COMMON_H */
