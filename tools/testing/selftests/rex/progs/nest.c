// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs for the nesting test.  rex_nest_task runs in task context
 * (BPF_PROG_TEST_RUN) for cfg[0] ns, with a stack buffer it fills at the
 * start and checks over and over; rex_nest_irq runs from a cpu-clock perf
 * event in hardirq context on the same CPU, interrupting it, with a stack
 * buffer of its own.  If both ran on one stack, the interrupting program
 * would overwrite the interrupted one's buffer.
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP(cfg, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 5);
REX_PROG_STACK(rex_nest_task, BPF_PROG_TYPE_XDP, 0, 4608);
REX_PROG_STACK(rex_nest_irq, BPF_PROG_TYPE_PERF_EVENT, 0, 1536);

enum {
	TASK_BAD,	/* words of the task program's buffer found changed */
	IRQ_RUNS,	/* runs of the interrupt program */
	IRQ_BAD,	/* words of its buffer found changed */
	IRQ_NESTED,	/* its runs while the task program ran */
	TASK_CHECKS,	/* full checks of the task program's buffer */
};

#define TASK_WORDS	160	/* 1.25 KiB: one frame stays below REX_FRAME_MAX */
#define IRQ_WORDS	128	/* 1 KiB */

static __u64 get(void *map, __u32 key)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	return v ? *v : 0;
}

static __u64 pattern(__u64 seed, unsigned int i)
{
	return seed ^ (i * 0x9e3779b97f4a7c15ULL);
}

/* Fill @buf; the clobbers make the compiler write and read the memory. */
static __u64 fill(__u64 *buf, unsigned int n, __u64 seed)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		buf[i] = pattern(seed, i);
	rex_clobber(buf);
	return seed;
}

static __u64 check(__u64 *buf, unsigned int n, __u64 seed)
{
	__u64 bad = 0;
	unsigned int i;

	rex_clobber(buf);
	for (i = 0; i < n; i++)
		bad += buf[i] != pattern(seed, i);
	return bad;
}

REX_ENTRY(rex_nest_task, const struct rex_xdp_buff *, ctx)
{
	__u64 buf[TASK_WORDS];
	__u64 start = bpf_ktime_get_ns(), dur = get(&cfg, 0), irq_runs = get(&counts, IRQ_RUNS);
	__u64 seed = fill(buf, TASK_WORDS, start), bad = 0, checks = 0;

	while (bpf_ktime_get_ns() - start < dur) {
		bad += check(buf, TASK_WORDS, seed);
		checks++;
	}
	rex_count(&counts, TASK_BAD, bad);
	rex_count(&counts, TASK_CHECKS, checks);
	rex_count(&counts, IRQ_NESTED, get(&counts, IRQ_RUNS) - irq_runs);
	return XDP_PASS;
}

REX_ENTRY(rex_nest_irq, struct rex_perf_event_data *, ctx)
{
	__u64 buf[IRQ_WORDS];
	__u64 seed = fill(buf, IRQ_WORDS, bpf_get_prandom_u32());
	__u64 bad = check(buf, IRQ_WORDS, seed);

	bpf_get_smp_processor_id();
	bad += check(buf, IRQ_WORDS, seed);
	rex_count(&counts, IRQ_BAD, bad);
	rex_count(&counts, IRQ_RUNS, 1);
	return 0;
}
