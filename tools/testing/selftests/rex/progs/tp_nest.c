// SPDX-License-Identifier: GPL-2.0
/*
 * Rex tracepoint program for raw_syscalls:sys_enter: for each getppid
 * system call of the process whose tgid is in target[0], count it and call
 * bpf_get_prandom_u32(), whose implementation a kprobe program watches.
 * BPF's recursion guard must keep that kprobe program from running inside
 * this one.
 */

#include <asm/unistd.h>

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(target, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_TRACEPOINT(rex_tp_nest, sizeof(struct rex_trace_sys_enter));

REX_ENTRY(rex_tp_nest, struct rex_trace_sys_enter *, ctx)
{
	if (ctx->id != __NR_getppid || !rex_is_target(&target))
		return 0;
	rex_count(&counts, 0, 1);
	bpf_get_prandom_u32();
	return 0;
}
