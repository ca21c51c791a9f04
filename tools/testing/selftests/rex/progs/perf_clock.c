// SPDX-License-Identifier: GPL-2.0
/*
 * Rex perf_event program for a software cpu-clock event: count the samples
 * and record the user stack of each in a stack trace map.
 */

#include "rex_prog.h"
#include "attach_common.h"

REX_LICENSE("GPL");
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), REX_PERF_SLOTS);
REX_MAP(stacks, BPF_MAP_TYPE_STACK_TRACE, sizeof(__u32),
	REX_PERF_STACK_DEPTH * sizeof(__u64), 64);
REX_PROG(rex_perf_clock, BPF_PROG_TYPE_PERF_EVENT, 0);

REX_ENTRY(rex_perf_clock, struct rex_perf_event_data *, ctx)
{
	__u32 slot = REX_PERF_LAST_ID;
	__u64 *last;
	long id;

	rex_count(&counts, REX_PERF_SAMPLES, 1);
	if (!ctx->regs) {
		rex_count(&counts, REX_PERF_STACK_ERR, 1);
		return 0;
	}
	/* The user stack: the sampled task spins in user mode. */
	id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK | BPF_F_REUSE_STACKID);
	if (id < 0) {
		rex_count(&counts, REX_PERF_STACK_ERR, 1);
		return 0;
	}
	rex_count(&counts, REX_PERF_STACK_OK, 1);
	last = bpf_map_lookup_elem(&counts, &slot);
	if (last)
		*last = id;
	return 0;
}
