// SPDX-License-Identifier: GPL-2.0
/*
 * Rex kprobe program that counts its runs in counts[0].
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_PROG(rex_kprobe_count, BPF_PROG_TYPE_KPROBE, 0);

REX_ENTRY(rex_kprobe_count, struct pt_regs *, regs)
{
	rex_count(&counts, 0, 1);
	return 0;
}
