// SPDX-License-Identifier: GPL-2.0
/*
 * Rex kprobe program that panics on every getppid call of the process
 * whose tgid is in target[0], after counting it and reserving cfg[0] ring
 * buffer records.
 */

#include "rex_prog.h"
#include "panic_common.h"

REX_LICENSE("GPL");
REX_MAP(target, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(cfg, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(rb, BPF_MAP_TYPE_RINGBUF, 0, 0, REX_PANIC_RB_SIZE);
REX_PROG(rex_kprobe_panic, BPF_PROG_TYPE_KPROBE, 0);

REX_ENTRY(rex_kprobe_panic, struct pt_regs *, regs)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&cfg, &zero), i;

	if (!rex_is_target(&target))
		return 0;
	for (i = 0; n && i < *n && i < REX_PANIC_MAX_RECS; i++) {
		__u64 *rec = bpf_ringbuf_reserve(&rb, sizeof(*rec), 0);

		if (rec)
			*rec = i;
	}
	rex_count(&counts, 0, 1);
	rex_panic("kprobe test panic");
}
