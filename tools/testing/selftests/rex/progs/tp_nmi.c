// SPDX-License-Identifier: GPL-2.0
/*
 * Rex tracepoint program for nmi:nmi_handler, which fires in NMI context:
 * while cfg[0] is set, each run loops calling a helper, forever.  The
 * watchdog cannot interrupt an NMI; the budget is checked at helper calls.
 * counts[0] counts runs, counts[1] runs that returned.
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(cfg, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 2);
REX_TRACEPOINT(rex_tp_nmi, sizeof(struct rex_trace_common));

REX_ENTRY(rex_tp_nmi, void *, ctx)
{
	__u32 zero = 0;
	__u64 *armed = bpf_map_lookup_elem(&cfg, &zero);

	rex_count(&counts, 0, 1);
	while (armed && *armed)
		bpf_ktime_get_ns();
	rex_count(&counts, 1, 1);
	return 0;
}
