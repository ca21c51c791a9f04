// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs of the other attach types that hold resources and then
 * panic: each reserves cfg[0] ring buffer records (as many as the ledger
 * takes; the kernel discards the rest), the tc program also takes the spin
 * lock of lk[0] if cfg[1] is set, counts its run in counts[0] and panics
 * (the perf_event program loops forever instead if cfg[1] is set).
 * tc, tracepoint (raw_syscalls:sys_enter, for the getppid calls of the
 * process whose tgid is in target[0]) and perf_event.
 *
 * Built twice: with REX_TC for the tc program, without for the tracing
 * ones.  Imports are resolved per image and tracing programs may not use
 * spin locks, so an image with both could not load its tracing programs.
 */

#include <asm/unistd.h>

#include "rex_prog.h"
#include "panic_common.h"

REX_LICENSE("GPL");
REX_MAP(target, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(cfg, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 2);
REX_MAP(rb, BPF_MAP_TYPE_RINGBUF, 0, 0, REX_PANIC_RB_SIZE);
#ifdef REX_TC
REX_MAP_LOCK(lk, BPF_MAP_TYPE_ARRAY, sizeof(__u32), struct rex_locked, lock, 1);
REX_PROG(rex_tc_panic, BPF_PROG_TYPE_SCHED_CLS, 0);
#else
REX_TRACEPOINT(rex_tp_panic, sizeof(struct rex_trace_sys_enter));
REX_PROG(rex_pe_panic, BPF_PROG_TYPE_PERF_EVENT, 0);
#endif

static __u64 get(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&cfg, &key);

	return v ? *v : 0;
}

/* Reserve the records, count the run and panic. */
_Noreturn static void hold_and_panic(const char *msg)
{
	__u64 i, n = get(0);

	for (i = 0; i < n && i < REX_PANIC_MAX_RECS; i++) {
		__u64 *rec = bpf_ringbuf_reserve(&rb, sizeof(*rec), 0);

		if (rec)
			*rec = i;
	}
	rex_count(&counts, 0, 1);
	rex_panic(msg);
}

#ifdef REX_TC
REX_ENTRY(rex_tc_panic, struct sk_buff *, skb)
{
	__u32 zero = 0;
	struct rex_locked *v = bpf_map_lookup_elem(&lk, &zero);

	if (get(1) && v) {
		bpf_res_spin_lock(&v->lock);
		v->count++;
	}
	hold_and_panic("tc test panic");
}
#else

REX_ENTRY(rex_tp_panic, struct rex_trace_sys_enter *, ctx)
{
	if (ctx->id != __NR_getppid || !rex_is_target(&target))
		return 0;
	hold_and_panic("tracepoint test panic");
}

/*
 * With cfg[1] set, loop forever instead: in hardirq context, with
 * interrupts disabled, only an NMI from another CPU's watchdog stops it.
 */
REX_ENTRY(rex_pe_panic, struct rex_perf_event_data *, ctx)
{
	if (get(1)) {
		rex_count(&counts, 0, 1);
		for (;;)
			rex_clobber(0);
	}
	hold_and_panic("perf_event test panic");
}
#endif
