// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs that go as deep into their stack as they can, or measure
 * how deep the kernel goes below them, at every context level: XDP (task
 * context under BPF_PROG_TEST_RUN, softirq context as generic XDP on a
 * veth device), perf_event (hardirq context) and a tracepoint program for
 * nmi:nmi_handler (NMI context).  What each does is its mode, in cfg (see
 * stack_common.h), and what it saw goes into counts.
 */

#include "rex_prog.h"
#include "stack_common.h"

REX_LICENSE("GPL");
REX_MAP(cfg, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), REX_STACK_CFG_NR);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), REX_STACK_COUNTS_NR);
REX_PROG(rex_stack_xdp, BPF_PROG_TYPE_XDP, 0);
REX_PROG(rex_stack_pe, BPF_PROG_TYPE_PERF_EVENT, 0);
REX_TRACEPOINT(rex_stack_tp, sizeof(struct rex_trace_common));

static __u64 *cfg_ptr(__u32 key)
{
	return bpf_map_lookup_elem(&cfg, &key);
}

static __u64 get(__u32 key)
{
	__u64 *v = cfg_ptr(key);

	return v ? *v : 0;
}

static inline unsigned long sp(void)
{
	unsigned long sp;

	__asm__ volatile("movq %%rsp, %0" : "=r"(sp));
	return sp;
}

/* Wait until user space sets cfg[REX_STACK_CFG_STOP]; no helper calls. */
static inline void wait_stop(const __u64 *stop)
{
	while (stop && !__atomic_load_n(stop, __ATOMIC_RELAXED))
		__asm__ volatile("pause");
}

/*
 * Recurse until less than REX_STACK_HOVER_ABOVE bytes are left above
 * @bottom (without end if @bottom is 0), then wait there.  Each level
 * calls the next through a frame of its own, which the stack check at
 * function entries sees; the clobbers keep the compiler from turning the
 * recursion into a loop.
 */
static __u64 recurse(unsigned long bottom, const __u64 *stop)
{
	__u64 frame[16];

	frame[0] = bottom;
	rex_clobber(frame);
	if (bottom && sp() - bottom < REX_STACK_HOVER_ABOVE)
		wait_stop(stop);
	else
		frame[1] = recurse(bottom, stop);
	rex_clobber(frame);
	return frame[0] + frame[1];
}

/*
 * Fill @bytes of the stack below this frame with a pattern, wait, and
 * return how far below the stack pointer something wrote: the interrupts
 * and exceptions taken while waiting, which ran on this stack.
 */
static __u64 paint(__u64 bytes, const __u64 *stop)
{
	unsigned long here = sp(), *low, *p, *end;

	/* Atomic accesses: memory below the stack pointer, never elided. */
	end = (unsigned long *)(here - REX_STACK_PAINT_GAP);
	low = end - bytes / sizeof(long);
	for (p = low; p < end; p++)
		__atomic_store_n(p, REX_STACK_PATTERN, __ATOMIC_RELAXED);
	wait_stop(stop);
	for (p = low; p < end; p++)
		if (__atomic_load_n(p, __ATOMIC_RELAXED) != REX_STACK_PATTERN)
			break;
	return p == end ? 0 : here - (unsigned long)p;
}

static void count_max(__u32 key, __u64 v)
{
	__u64 *c = bpf_map_lookup_elem(&counts, &key);

	if (c && *c < v)
		*c = v;
}

static unsigned int run(__u32 mode_key)
{
	const __u64 *stop = cfg_ptr(REX_STACK_CFG_STOP);
	__u64 arg = get(REX_STACK_CFG_ARG);

	rex_count(&counts, mode_key, 1);
	switch (get(mode_key)) {
	case REX_STACK_RECURSE:
		recurse(0, stop);
		rex_count(&counts, REX_STACK_GOT_PAST, 1);
		break;
	case REX_STACK_HOVER:
		/* The stack ends at the end of the page the program runs on. */
		recurse(((sp() + 4095) & ~4095UL) - arg, stop);
		rex_count(&counts, REX_STACK_GOT_PAST, 1);
		break;
	case REX_STACK_MEASURE:
		count_max(REX_STACK_DEPTH, paint(arg, stop));
		break;
	default:
		break;
	}
	return 0;
}

REX_ENTRY(rex_stack_xdp, const struct rex_xdp_buff *, ctx)
{
	run(REX_STACK_CFG_XDP);
	return XDP_PASS;
}

REX_ENTRY(rex_stack_pe, void *, ctx)
{
	return run(REX_STACK_CFG_PE);
}

REX_ENTRY(rex_stack_tp, void *, ctx)
{
	return run(REX_STACK_CFG_TP);
}
