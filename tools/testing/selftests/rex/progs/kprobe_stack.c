// SPDX-License-Identifier: GPL-2.0
/*
 * Rex kprobe program: record the kernel stack at the probe in a stack map
 * and its id in slot 0 of an array (slot 1 counts failures).
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(stacks, BPF_MAP_TYPE_STACK_TRACE, sizeof(__u32), 32 * sizeof(__u64), 16);
REX_MAP(stack_ids, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__s64), 2);
REX_PROG(rex_kprobe_stack, BPF_PROG_TYPE_KPROBE, 0);

REX_ENTRY(rex_kprobe_stack, struct pt_regs *, regs)
{
	long id = bpf_get_stackid(regs, &stacks, 0);
	__u32 key = id < 0 ? 1 : 0;
	__s64 *slot;

	slot = bpf_map_lookup_elem(&stack_ids, &key);
	if (slot)
		*slot = id;
	return 0;
}
