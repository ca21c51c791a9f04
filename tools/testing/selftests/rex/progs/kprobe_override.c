// SPDX-License-Identifier: GPL-2.0
/*
 * Rex kprobe program for __x64_sys_getppid that makes the system call fail
 * with -EPERM, without running it, for the process whose tgid the test
 * stores in target[0].  counts[0] counts the overridden calls.  With cfg[0]
 * set, the program panics after asking for the override, which the kernel
 * must then undo: an aborted program changes nothing.
 */

#include <linux/errno.h>

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(target, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(cfg, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_PROG(rex_kprobe_override, BPF_PROG_TYPE_KPROBE, 0);

REX_ENTRY(rex_kprobe_override, struct pt_regs *, regs)
{
	__u32 zero = 0;
	__u64 *panic;

	if (!rex_is_target(&target))
		return 0;
	if (!bpf_override_return(regs, (__u64)-EPERM))
		rex_count(&counts, 0, 1);
	panic = bpf_map_lookup_elem(&cfg, &zero);
	if (panic && *panic)
		rex_panic("override, then panic");
	return 0;
}
