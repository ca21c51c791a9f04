// SPDX-License-Identifier: GPL-2.0
/*
 * Rex kprobe program for __x64_sys_getppid: count the calls made by the
 * process whose tgid the test stores in target[0].
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(target, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_PROG(rex_kprobe_getppid, BPF_PROG_TYPE_KPROBE, 0);

REX_ENTRY(rex_kprobe_getppid, struct pt_regs *, regs)
{
	if (rex_is_target(&target))
		rex_count(&counts, 0, 1);
	return 0;
}
