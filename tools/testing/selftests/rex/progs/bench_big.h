/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The large program of the benchmark's load-time case, in C for both
 * sides: BIG_STEPS steps of a 64-bit mix of the packet length, each a
 * multiply and a branch, unrolled; built as an eBPF program
 * (bench_big.bpf.c, which the verifier checks and the JIT compiles at
 * load), as a Rex image (bench_big.c, compiled before the load), and in
 * rex_bench.c, which compares the outputs.
 */
#ifndef __REX_BENCH_BIG_H
#define __REX_BENCH_BIG_H

#include <linux/types.h>

#define BIG_STEPS	1024

/* Called once in each program, so inlined. */
static inline __u64 big_mix(__u64 h)
{
	int i;

#ifdef __clang__
#pragma clang loop unroll(full)
#endif
	for (i = 0; i < BIG_STEPS; i++)
		h = ((h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL) + ((h & 1) ? 0x9e37 : 0x7f4a);
	return h;
}

#endif /* __REX_BENCH_BIG_H */
