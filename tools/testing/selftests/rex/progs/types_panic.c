// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs of the other attach types that count their runs in
 * counts[0] and then panic: tc, tracepoint (raw_syscalls:sys_enter, for
 * the getppid calls of the process whose tgid is in target[0]) and
 * perf_event.
 */

#include <asm/unistd.h>

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(target, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_PROG(rex_tc_panic, BPF_PROG_TYPE_SCHED_CLS, 0);
REX_PROG(rex_tp_panic, BPF_PROG_TYPE_TRACEPOINT, 0);
REX_PROG(rex_pe_panic, BPF_PROG_TYPE_PERF_EVENT, 0);

unsigned int rex_tc_panic(struct sk_buff *skb)
{
	rex_count(&counts, 0, 1);
	rex_panic("tc test panic");
}

unsigned int rex_tp_panic(struct rex_trace_sys_enter *ctx)
{
	if (ctx->id != __NR_getppid || !rex_is_target(&target))
		return 0;
	rex_count(&counts, 0, 1);
	rex_panic("tracepoint test panic");
}

unsigned int rex_pe_panic(struct rex_perf_event_data *ctx)
{
	rex_count(&counts, 0, 1);
	rex_panic("perf_event test panic");
}
