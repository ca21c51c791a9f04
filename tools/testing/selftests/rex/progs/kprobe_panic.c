// SPDX-License-Identifier: GPL-2.0
/*
 * Rex kprobe program that panics on every getppid call of the process
 * whose tgid is in target[0], after counting it.
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(target, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_PROG(rex_kprobe_panic, BPF_PROG_TYPE_KPROBE, 0);

unsigned int rex_kprobe_panic(struct pt_regs *regs)
{
	if (!rex_is_target(&target))
		return 0;
	rex_count(&counts, 0, 1);
	rex_panic("kprobe test panic");
}
