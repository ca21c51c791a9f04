// SPDX-License-Identifier: GPL-2.0
/*
 * Rex tracepoint program for raw_syscalls:sys_enter: count the getppid
 * system calls of the process whose tgid the test stores in target[0].
 * The system call number is read from the trace record, so a wrong
 * context layout cannot give the expected count.
 */

#include <asm/unistd.h>

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(target, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_TRACEPOINT(rex_tp_sys_enter, sizeof(struct rex_trace_sys_enter));

REX_ENTRY(rex_tp_sys_enter, struct rex_trace_sys_enter *, ctx)
{
	if (ctx->id == __NR_getppid && rex_is_target(&target))
		rex_count(&counts, 0, 1);
	return 0;
}
