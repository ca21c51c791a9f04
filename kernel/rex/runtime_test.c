// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the Rex runtime's bookkeeping that needs no program to
 * run: the cleanup ledger of a context level, and the per-CPU context
 * levels with their Rex stacks.
 *
 * Included at the end of runtime.c.  The ledger tests work on this CPU's
 * task-level ledger, the one helper wrappers fill while a program runs in
 * task context, with preemption disabled; the level's state is saved first
 * and put back after, and no Rex program is loaded while the tests run.
 * Resources are plain pointers for the ledger's own functions, and real
 * resilient spin locks where the ledger releases what it holds.
 *
 * The level tests check the Rex stacks that the first load allocates (so
 * they allocate them, as a load would), what the unwinders and the fault
 * handlers derive from them, and the budget accounting between levels.
 */

#include <kunit/test.h>

/**
 * struct rr_state - this CPU's Rex levels, saved while a test uses them
 * @saved: the levels as the test found them
 * @flags: interrupt state, for tests that run with interrupts disabled
 */
struct rr_state {
	struct rex_level saved[REX_STACK_LEVELS];
	unsigned long flags;
};

static int rr_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct rr_state), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, test->priv);
	return 0;
}

/*
 * Take this CPU's levels, cleared, with preemption disabled; returns the
 * task level.  No KUnit expectation may be evaluated until rr_put(): a
 * failed one allocates.
 */
static struct rex_level *rr_get(struct rr_state *st)
{
	unsigned int i;

	preempt_disable();
	for (i = 0; i < REX_STACK_LEVELS; i++) {
		struct rex_level *lv = this_cpu_ptr(&rex_levels[i]);

		st->saved[i] = *lv;
		memset(lv, 0, sizeof(*lv));
	}
	return this_cpu_ptr(&rex_levels[0]);
}

static void rr_put(struct rr_state *st)
{
	unsigned int i;

	for (i = 0; i < REX_STACK_LEVELS; i++)
		*this_cpu_ptr(&rex_levels[i]) = st->saved[i];
	preempt_enable();
}

static void rr_this_level(struct kunit *test)
{
	struct rr_state *st = test->priv;
	struct rex_level *lv, *got;

	lv = rr_get(st);
	got = this_level();
	rr_put(st);
	KUNIT_EXPECT_PTR_EQ(test, got, lv);
}

/* Acquire, look up and release, oldest first in the ledger. */
static void rr_ledger(struct kunit *test)
{
	struct rr_state *st = test->priv;
	struct rex_res res[REX_LEDGER_SIZE];
	unsigned long data_a = 0, data_b = 0, data_x = 42;
	int ret[3];
	bool held_lock, held_rec, rel_b, rel_b2, rel_x, rel_a, rel_c, held_after;
	unsigned int n, n_mid, n_end;
	char obj[3];
	struct rex_level *lv;

	lv = rr_get(st);
	ret[0] = rex_res_acquired(REX_RES_RINGBUF_RECORD, &obj[0], 10);
	ret[1] = rex_res_acquired(REX_RES_SPIN_LOCK, &obj[1], 11);
	ret[2] = rex_res_acquired(REX_RES_RINGBUF_RECORD, &obj[2], 12);
	n = lv->nr_res;
	memcpy(res, lv->res, sizeof(res));
	held_lock = rex_res_holds(REX_RES_SPIN_LOCK);
	/* The middle entry goes; the others keep their order. */
	rel_b = rex_res_released(&obj[1], &data_b);
	n_mid = lv->nr_res;
	held_rec = rex_res_holds(REX_RES_RINGBUF_RECORD);
	held_after = rex_res_holds(REX_RES_SPIN_LOCK);
	res[3] = lv->res[0];
	res[4] = lv->res[1];
	/* Released twice, or never held: refused, *data untouched. */
	rel_b2 = rex_res_released(&obj[1], &data_x);
	rel_x = rex_res_released(&data_x, &data_x);
	rel_a = rex_res_released(&obj[0], &data_a);
	rel_c = rex_res_released(&obj[2], &data_a);
	n_end = lv->nr_res;
	rr_put(st);

	KUNIT_EXPECT_EQ(test, ret[0], 0);
	KUNIT_EXPECT_EQ(test, ret[1], 0);
	KUNIT_EXPECT_EQ(test, ret[2], 0);
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, res[0].kind, REX_RES_RINGBUF_RECORD);
	KUNIT_EXPECT_PTR_EQ(test, res[0].ptr, (void *)&obj[0]);
	KUNIT_EXPECT_EQ(test, res[0].data, 10UL);
	KUNIT_EXPECT_EQ(test, res[1].kind, REX_RES_SPIN_LOCK);
	KUNIT_EXPECT_PTR_EQ(test, res[1].ptr, (void *)&obj[1]);
	KUNIT_EXPECT_EQ(test, res[1].data, 11UL);
	KUNIT_EXPECT_PTR_EQ(test, res[2].ptr, (void *)&obj[2]);
	KUNIT_EXPECT_TRUE(test, held_lock);

	KUNIT_EXPECT_TRUE(test, rel_b);
	KUNIT_EXPECT_EQ(test, data_b, 11UL);
	KUNIT_EXPECT_EQ(test, n_mid, 2U);
	KUNIT_EXPECT_PTR_EQ(test, res[3].ptr, (void *)&obj[0]);
	KUNIT_EXPECT_EQ(test, res[3].data, 10UL);
	KUNIT_EXPECT_PTR_EQ(test, res[4].ptr, (void *)&obj[2]);
	KUNIT_EXPECT_EQ(test, res[4].kind, REX_RES_RINGBUF_RECORD);
	KUNIT_EXPECT_EQ(test, res[4].data, 12UL);
	KUNIT_EXPECT_TRUE(test, held_rec);
	KUNIT_EXPECT_FALSE(test, held_after);

	KUNIT_EXPECT_FALSE(test, rel_b2);
	KUNIT_EXPECT_FALSE(test, rel_x);
	KUNIT_EXPECT_EQ(test, data_x, 42UL);
	KUNIT_EXPECT_TRUE(test, rel_a);
	KUNIT_EXPECT_TRUE(test, rel_c);
	KUNIT_EXPECT_EQ(test, data_a, 12UL);
	KUNIT_EXPECT_EQ(test, n_end, 0U);
}

/* An empty ledger holds nothing, and each kind is told apart. */
static void rr_holds(struct kunit *test)
{
	struct rr_state *st = test->priv;
	bool empty_rec, empty_lock, rec_rec, rec_lock, lock_lock;
	unsigned long data;
	char obj[2];

	rr_get(st);
	empty_rec = rex_res_holds(REX_RES_RINGBUF_RECORD);
	empty_lock = rex_res_holds(REX_RES_SPIN_LOCK);
	rex_res_acquired(REX_RES_RINGBUF_RECORD, &obj[0], 0);
	rec_rec = rex_res_holds(REX_RES_RINGBUF_RECORD);
	rec_lock = rex_res_holds(REX_RES_SPIN_LOCK);
	rex_res_acquired(REX_RES_SPIN_LOCK, &obj[1], 0);
	lock_lock = rex_res_holds(REX_RES_SPIN_LOCK);
	rex_res_released(&obj[0], &data);
	rex_res_released(&obj[1], &data);
	rr_put(st);

	KUNIT_EXPECT_FALSE(test, empty_rec);
	KUNIT_EXPECT_FALSE(test, empty_lock);
	KUNIT_EXPECT_TRUE(test, rec_rec);
	KUNIT_EXPECT_FALSE(test, rec_lock);
	KUNIT_EXPECT_TRUE(test, lock_lock);
}

/* The ledger has REX_LEDGER_SIZE entries; a full one refuses more. */
static void rr_ledger_full(struct kunit *test)
{
	struct rr_state *st = test->priv;
	char obj[REX_LEDGER_SIZE + 1];
	int ret[REX_LEDGER_SIZE + 2];
	unsigned int i, n_full, n_over, n_again;
	struct rex_res last;
	bool released;
	unsigned long data;
	struct rex_level *lv;

	lv = rr_get(st);
	for (i = 0; i < REX_LEDGER_SIZE; i++)
		ret[i] = rex_res_acquired(REX_RES_RINGBUF_RECORD, &obj[i], i);
	n_full = lv->nr_res;
	ret[REX_LEDGER_SIZE] = rex_res_acquired(REX_RES_SPIN_LOCK, &obj[REX_LEDGER_SIZE],
						REX_LEDGER_SIZE);
	n_over = lv->nr_res;
	last = lv->res[REX_LEDGER_SIZE - 1];
	/* Room again once one is released. */
	released = rex_res_released(&obj[0], &data);
	ret[REX_LEDGER_SIZE + 1] = rex_res_acquired(REX_RES_SPIN_LOCK,
						    &obj[REX_LEDGER_SIZE], 99);
	n_again = lv->nr_res;
	lv->nr_res = 0;
	rr_put(st);

	for (i = 0; i < REX_LEDGER_SIZE; i++)
		KUNIT_EXPECT_EQ_MSG(test, ret[i], 0, "entry %u", i);
	KUNIT_EXPECT_EQ(test, n_full, (unsigned int)REX_LEDGER_SIZE);
	KUNIT_EXPECT_EQ(test, ret[REX_LEDGER_SIZE], -ENOSPC);
	KUNIT_EXPECT_EQ(test, n_over, (unsigned int)REX_LEDGER_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, last.ptr, (void *)&obj[REX_LEDGER_SIZE - 1]);
	KUNIT_EXPECT_EQ(test, last.kind, REX_RES_RINGBUF_RECORD);
	KUNIT_EXPECT_TRUE(test, released);
	KUNIT_EXPECT_EQ(test, data, 0UL);
	KUNIT_EXPECT_EQ(test, ret[REX_LEDGER_SIZE + 1], 0);
	KUNIT_EXPECT_EQ(test, n_again, (unsigned int)REX_LEDGER_SIZE);
}

/* The sweep after a run releases every resource held, for real. */
static void rr_release_all(struct kunit *test)
{
	struct rr_state *st = test->priv;
	rqspinlock_t *locks;
	int pc_before, pc_held, pc_after, taken = 0;
	unsigned int i, n_empty, n, left;
	bool holds;
	struct rex_level *lv;

	locks = kunit_kcalloc(test, 3, sizeof(*locks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, locks);
	for (i = 0; i < 3; i++)
		raw_res_spin_lock_init(&locks[i]);

	lv = rr_get(st);
	pc_before = preempt_count();
	n_empty = release_all(lv);
	for (i = 0; i < 3; i++) {
		if (raw_res_spin_lock(&locks[i]))
			break;
		taken++;
		rex_res_acquired(REX_RES_SPIN_LOCK, &locks[i], 0);
	}
	pc_held = preempt_count();
	n = release_all(lv);
	left = lv->nr_res;
	holds = rex_res_holds(REX_RES_SPIN_LOCK);
	pc_after = preempt_count();
	rr_put(st);

	KUNIT_EXPECT_EQ(test, n_empty, 0U);
	KUNIT_ASSERT_EQ(test, taken, 3);
	KUNIT_EXPECT_EQ(test, pc_held, pc_before + 3);
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, left, 0U);
	KUNIT_EXPECT_FALSE(test, holds);
	KUNIT_EXPECT_EQ(test, pc_after, pc_before);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&locks[i].val), 0, "lock %u", i);
}

/* Each context level has a ledger of its own. */
static void rr_ledger_per_level(struct kunit *test)
{
	struct rr_state *st = test->priv;
	struct rex_level *lv;
	unsigned int n_task, n_irq;
	bool holds_task;
	char obj;

	lv = rr_get(st);
	this_cpu_ptr(&rex_levels[2])->nr_res = 1;
	this_cpu_ptr(&rex_levels[2])->res[0].kind = REX_RES_SPIN_LOCK;
	rex_res_acquired(REX_RES_RINGBUF_RECORD, &obj, 0);
	holds_task = rex_res_holds(REX_RES_SPIN_LOCK);
	n_task = lv->nr_res;
	n_irq = this_cpu_ptr(&rex_levels[2])->nr_res;
	rr_put(st);

	KUNIT_EXPECT_FALSE(test, holds_task);
	KUNIT_EXPECT_EQ(test, n_task, 1U);
	KUNIT_EXPECT_EQ(test, n_irq, 1U);
}

static struct kunit_case rex_ledger_test_cases[] = {
	KUNIT_CASE(rr_this_level),
	KUNIT_CASE(rr_ledger),
	KUNIT_CASE(rr_holds),
	KUNIT_CASE(rr_ledger_full),
	KUNIT_CASE(rr_release_all),
	KUNIT_CASE(rr_ledger_per_level),
	{}
};

static struct kunit_suite rex_ledger_test_suite = {
	.name = "rex_ledger",
	.init = rr_init,
	.test_cases = rex_ledger_test_cases,
};

/* The Rex stacks, allocated as the first load allocates them. */
static void rr_stacks(struct kunit *test)
{
	unsigned long end[REX_STACK_LEVELS], bottom[REX_STACK_LEVELS];
	unsigned long *tos[REX_STACK_LEVELS];
	unsigned int cpu, i, j;

	KUNIT_ASSERT_EQ(test, rex_runtime_get(), 0);
	for_each_online_cpu(cpu)
		for (i = 0; i < REX_STACK_LEVELS; i++)
			KUNIT_EXPECT_NE_MSG(test, per_cpu(rex_stack_end, cpu)[i], 0UL,
					    "cpu %u level %u", cpu, i);

	preempt_disable();
	for (i = 0; i < REX_STACK_LEVELS; i++) {
		end[i] = this_cpu_read(rex_stack_end[i]);
		bottom[i] = level_bottom(i);
		tos[i] = level_tos(i);
	}
	preempt_enable();

	for (i = 0; i < REX_STACK_LEVELS; i++) {
		KUNIT_EXPECT_EQ(test, bottom[i], end[i] - REX_STACK_SIZE);
		KUNIT_EXPECT_PTR_EQ(test, tos[i], (unsigned long *)end[i] - 1);
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(bottom[i]));
		KUNIT_EXPECT_TRUE(test, is_vmalloc_addr((void *)bottom[i]));
		/* Mapped from bottom to top, a guard page below. */
		KUNIT_EXPECT_NOT_NULL(test, vmalloc_to_page((void *)bottom[i]));
		KUNIT_EXPECT_NOT_NULL(test, vmalloc_to_page((void *)tos[i]));
		KUNIT_EXPECT_NULL(test, vmalloc_to_page((void *)(bottom[i] - PAGE_SIZE)));
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_TRUE_MSG(test, end[j] <= bottom[i] || end[i] <= bottom[j],
					      "stacks %u and %u overlap", i, j);
	}

	/* Allocated once, kept. */
	KUNIT_EXPECT_EQ(test, rex_runtime_get(), 0);
	preempt_disable();
	for (i = 0; i < REX_STACK_LEVELS; i++)
		tos[i] = (unsigned long *)this_cpu_read(rex_stack_end[i]);
	preempt_enable();
	for (i = 0; i < REX_STACK_LEVELS; i++)
		KUNIT_EXPECT_EQ(test, (unsigned long)tos[i], end[i]);
}

/* What the unwinders and the fault handlers take for a Rex stack. */
static void rr_on_stack(struct kunit *test)
{
	bool at_bottom[REX_STACK_LEVELS], at_top[REX_STACK_LEVELS];
	bool at_end[REX_STACK_LEVELS], below[REX_STACK_LEVELS], other[REX_STACK_LEVELS];
	bool unw_bottom[REX_STACK_LEVELS], unw_top[REX_STACK_LEVELS];
	bool unw_end[REX_STACK_LEVELS], unw_below[REX_STACK_LEVELS];
	struct stack_info info[REX_STACK_LEVELS], scratch;
	unsigned long end[REX_STACK_LEVELS];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, rex_runtime_get(), 0);
	preempt_disable();
	for (i = 0; i < REX_STACK_LEVELS; i++) {
		unsigned long e = this_cpu_read(rex_stack_end[i]);
		unsigned long b = e - REX_STACK_SIZE;

		end[i] = e;
		at_bottom[i] = on_level_stack(i, b);
		at_top[i] = on_level_stack(i, e - 1);
		at_end[i] = on_level_stack(i, e);
		below[i] = on_level_stack(i, b - 1);
		other[i] = on_level_stack((i + 1) % REX_STACK_LEVELS, b);
		unw_bottom[i] = in_rex_stack((unsigned long *)b, &info[i]);
		unw_top[i] = in_rex_stack((unsigned long *)e - 1, &scratch);
		unw_end[i] = in_rex_stack((unsigned long *)e, &scratch);
		unw_below[i] = in_rex_stack((unsigned long *)b - 1, &scratch);
	}
	preempt_enable();

	for (i = 0; i < REX_STACK_LEVELS; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, at_bottom[i], "level %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, at_top[i], "level %u", i);
		KUNIT_EXPECT_FALSE_MSG(test, at_end[i], "level %u", i);
		KUNIT_EXPECT_FALSE_MSG(test, below[i], "level %u", i);
		KUNIT_EXPECT_FALSE_MSG(test, other[i], "level %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, unw_bottom[i], "level %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, unw_top[i], "level %u", i);
		KUNIT_EXPECT_FALSE_MSG(test, unw_below[i], "level %u", i);
		KUNIT_EXPECT_EQ(test, (unsigned int)info[i].type,
				(unsigned int)STACK_TYPE_REX + i);
		KUNIT_EXPECT_PTR_EQ(test, info[i].begin,
				    (unsigned long *)(end[i] - REX_STACK_SIZE));
		KUNIT_EXPECT_PTR_EQ(test, info[i].end, (unsigned long *)end[i]);
		/* The top word links back to the interrupted stack. */
		KUNIT_EXPECT_PTR_EQ(test, info[i].next_sp,
				    (unsigned long *)*((unsigned long *)end[i] - 1));
		/* The end is the stack's guard page from above. */
		KUNIT_EXPECT_FALSE_MSG(test, unw_end[i], "level %u", i);
	}
}

/*
 * Past the budget: busy, not being left, and at least @budget since the
 * stamp of this run, less its credit.
 */
static void rr_over(struct kunit *test)
{
	struct rex_level *lv = kunit_kzalloc(test, sizeof(*lv), GFP_KERNEL);
	const u64 unit = 1ULL << REX_SEEN_SHIFT, budget = 10 * unit;
	const u64 seen = 1000 * unit;
	u64 before, after;
	s32 early, late;

	KUNIT_ASSERT_NOT_NULL(test, lv);
	/* Idle: a stamp of its last run is no run time, and none is made. */
	lv->run = 2;
	lv->seen = seen_stamp(1, seen);
	KUNIT_EXPECT_EQ(test, run_time(lv, seen + 10 * budget), 0ULL);
	KUNIT_EXPECT_FALSE(test, over(lv, seen + 10 * budget, budget));
	KUNIT_EXPECT_EQ(test, lv->seen, seen_stamp(1, seen));

	/*
	 * Running, found at @seen: charged from the next unit on, and over
	 * two units (what the stamp's rounding may lose) before the budget.
	 */
	lv->run = 3;
	lv->seen = seen_stamp(3, seen);
	KUNIT_EXPECT_FALSE(test, over(lv, seen, budget));
	KUNIT_EXPECT_FALSE(test, over(lv, seen + budget - 2 * unit, budget));
	KUNIT_EXPECT_EQ(test, run_time(lv, seen + budget - unit), budget - 2 * unit);
	KUNIT_EXPECT_TRUE(test, over(lv, seen + budget - unit, budget));
	KUNIT_EXPECT_TRUE(test, over(lv, seen + budget, budget));
	KUNIT_EXPECT_EQ(test, run_time(lv, seen + budget + unit), budget);
	/* A clock read before the stamp. */
	KUNIT_EXPECT_FALSE(test, over(lv, seen - unit, budget));
	KUNIT_EXPECT_FALSE(test, over(lv, 0, budget));
	/* Time credited for programs that interrupted it. */
	lv->credit = 3 * unit;
	KUNIT_EXPECT_FALSE(test, over(lv, seen + budget + unit, budget));
	KUNIT_EXPECT_TRUE(test, over(lv, seen + budget + 2 * unit, budget));
	lv->credit = 100 * budget;
	KUNIT_EXPECT_EQ(test, run_time(lv, seen + budget + 5 * unit), 0ULL);
	lv->credit = 0;
	lv->leaving = true;
	KUNIT_EXPECT_FALSE(test, over(lv, seen + 10 * budget, budget));
	lv->leaving = false;

	/*
	 * The stamp of an earlier run is no stamp of this one: the first
	 * check stamps it now, with a time not before the check, and
	 * charges nothing yet.
	 */
	lv->run = 5;
	lv->seen = seen_stamp(3, seen);
	before = ktime_get_mono_fast_ns();
	KUNIT_EXPECT_FALSE(test, over(lv, seen + 10 * budget, budget));
	after = ktime_get_mono_fast_ns();
	KUNIT_EXPECT_EQ(test, lv->seen >> 32, 5ULL);
	/* In stamp units, which wrap: after @before, at most a unit after @after. */
	early = (u32)lv->seen - (u32)(before >> REX_SEEN_SHIFT);
	late = (u32)(after >> REX_SEEN_SHIFT) + 1 - (u32)lv->seen;
	KUNIT_EXPECT_GT(test, early, 0);
	KUNIT_EXPECT_GE(test, late, 0);
	/*
	 * Nor is 0, which every run starts with, whatever its number: a
	 * stamp keeps 32 bits of it, and runs are odd.
	 */
	lv->run = 5 + (1ULL << 32);
	lv->seen = 0;
	KUNIT_EXPECT_FALSE(test, over(lv, seen + 10 * budget, budget));
	KUNIT_EXPECT_EQ(test, lv->seen >> 32, 5ULL);
}

/* Frees the per-CPU statistics of @data, a struct bpf_prog. */
static void rr_free_stats(void *data)
{
	struct bpf_prog *prog = data;

	free_percpu(prog->stats);
}

/* Ledger and state of a busy level are left alone by a recursive run. */
static void rr_run_busy(struct kunit *test)
{
	struct rr_state *st = test->priv;
	struct bpf_prog *prog, *other;
	unsigned long limit_before, limit_after;
	struct rex_level *lv, after;
	unsigned int ret, ctx;
	u64 misses = 0;
	int cpu;

	prog = kunit_kzalloc(test, sizeof(*prog), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prog);
	other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	prog->aux = kunit_kzalloc(test, sizeof(*prog->aux), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prog->aux);
	/* Per-CPU pointers may live in a named address space: no casts. */
	prog->stats = alloc_percpu(struct bpf_prog_stats);
	KUNIT_ASSERT_TRUE(test, prog->stats);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rr_free_stats, prog), 0);
	prog->type = BPF_PROG_TYPE_SCHED_CLS;

	lv = rr_get(st);
	lv->run = 1;
	lv->prog = other;
	lv->ctx = &ctx;
	lv->nr_res = 1;
	limit_before = this_cpu_read(rex_stack_limit);
	ret = rex_run(NULL, prog->insnsi);
	limit_after = this_cpu_read(rex_stack_limit);
	after = *lv;
	cpu = smp_processor_id();
	rr_put(st);
	misses = u64_stats_read(&per_cpu_ptr(prog->stats, cpu)->misses);

	KUNIT_EXPECT_EQ(test, ret, (unsigned int)TC_ACT_SHOT);
	KUNIT_EXPECT_EQ(test, misses, 1ULL);
	KUNIT_EXPECT_EQ(test, after.run, 1UL);
	KUNIT_EXPECT_PTR_EQ(test, after.prog, (const struct bpf_prog *)other);
	KUNIT_EXPECT_PTR_EQ(test, after.ctx, (const void *)&ctx);
	KUNIT_EXPECT_EQ(test, after.nr_res, 1U);
	KUNIT_EXPECT_EQ(test, limit_after, limit_before);
}

static void rr_default_ret(struct kunit *test)
{
	struct bpf_prog *prog = kunit_kzalloc(test, sizeof(*prog), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, prog);
	prog->type = BPF_PROG_TYPE_XDP;
	KUNIT_EXPECT_EQ(test, rex_default_ret(prog), (unsigned int)XDP_ABORTED);
	prog->type = BPF_PROG_TYPE_SCHED_CLS;
	KUNIT_EXPECT_EQ(test, rex_default_ret(prog), (unsigned int)TC_ACT_SHOT);
	prog->type = BPF_PROG_TYPE_KPROBE;
	KUNIT_EXPECT_EQ(test, rex_default_ret(prog), 0U);
	prog->type = BPF_PROG_TYPE_TRACEPOINT;
	KUNIT_EXPECT_EQ(test, rex_default_ret(prog), 0U);
	prog->type = BPF_PROG_TYPE_PERF_EVENT;
	KUNIT_EXPECT_EQ(test, rex_default_ret(prog), 0U);
}

/*
 * The time a program spends interrupting others is credited to the busy
 * levels below it, and an expiry it alone caused is withdrawn.
 */
static void rr_credit(struct kunit *test)
{
	const u64 unit = 1ULL << REX_SEEN_SHIFT, ran = 5 * unit;
	struct rr_state *st = test->priv;
	u64 budget = budget_ns(), now;
	bool any[REX_STACK_LEVELS + 1];
	struct rex_level *after;
	struct bpf_prog *prog;
	unsigned int i;

	after = kunit_kcalloc(test, REX_STACK_LEVELS, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, after);

	/* A program with no text, for a watchdog NMI that may look. */
	prog = kunit_kzalloc(test, sizeof(*prog), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prog);
	prog->aux = kunit_kzalloc(test, sizeof(*prog->aux), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prog->aux);
	prog->aux->rex = kunit_kzalloc(test, sizeof(*prog->aux->rex), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prog->aux->rex);

	rr_get(st);
	local_irq_save(st->flags);
	now = ktime_get_mono_fast_ns();
	for (i = 0; i < REX_STACK_LEVELS; i++) {
		struct rex_level *lv = this_cpu_ptr(&rex_levels[i]);

		lv->prog = prog;
		lv->expired = true;
		lv->run = 2 * i + 1;
	}
	/*
	 * Task: far past the budget; softirq: idle; hardirq: just past it,
	 * by less than the NMI level ran.
	 */
	this_cpu_ptr(&rex_levels[0])->seen = seen_stamp(1, now - budget - 100 * unit);
	this_cpu_ptr(&rex_levels[1])->run = 4;
	this_cpu_ptr(&rex_levels[1])->seen = seen_stamp(3, now - budget - 100 * unit);
	this_cpu_ptr(&rex_levels[2])->seen = seen_stamp(5, now - budget - 3 * unit);
	this_cpu_ptr(&rex_levels[2])->credit = unit;
	this_cpu_ptr(&rex_levels[3])->seen = seen_stamp(7, now - 50 * unit);
	for (i = 0; i <= REX_STACK_LEVELS; i++)
		any[i] = interrupted_any(i);
	/* The NMI level ran for @ran ns. */
	credit_interrupted(3, ran, now);
	for (i = 0; i < REX_STACK_LEVELS; i++)
		after[i] = *this_cpu_ptr(&rex_levels[i]);
	local_irq_restore(st->flags);
	rr_put(st);

	KUNIT_EXPECT_FALSE(test, any[0]);
	KUNIT_EXPECT_TRUE(test, any[1]);
	KUNIT_EXPECT_TRUE(test, any[2]);
	KUNIT_EXPECT_TRUE(test, any[3]);
	KUNIT_EXPECT_TRUE(test, any[4]);

	KUNIT_EXPECT_EQ(test, after[0].credit, ran);
	KUNIT_EXPECT_TRUE(test, after[0].expired);
	/* An idle level has no program to credit. */
	KUNIT_EXPECT_EQ(test, after[1].credit, 0ULL);
	KUNIT_EXPECT_TRUE(test, after[1].expired);
	KUNIT_EXPECT_EQ(test, after[2].credit, unit + ran);
	KUNIT_EXPECT_FALSE(test, after[2].expired);
	/* The level that ran is not credited with its own time. */
	KUNIT_EXPECT_EQ(test, after[3].credit, 0ULL);
	KUNIT_EXPECT_TRUE(test, after[3].expired);
	/* Stamps are left as they were. */
	KUNIT_EXPECT_EQ(test, after[0].seen, seen_stamp(1, now - budget - 100 * unit));
	KUNIT_EXPECT_EQ(test, after[2].seen, seen_stamp(5, now - budget - 3 * unit));
}

/* Only the levels below the interrupting one are interrupted. */
static void rr_interrupted_any(struct kunit *test)
{
	struct rr_state *st = test->priv;
	bool task[REX_STACK_LEVELS], hardirq[REX_STACK_LEVELS];
	unsigned int i;

	rr_get(st);
	this_cpu_ptr(&rex_levels[0])->run = 1;
	for (i = 0; i < REX_STACK_LEVELS; i++)
		task[i] = interrupted_any(i);
	this_cpu_ptr(&rex_levels[0])->run = 2;
	this_cpu_ptr(&rex_levels[2])->run = 3;
	for (i = 0; i < REX_STACK_LEVELS; i++)
		hardirq[i] = interrupted_any(i);
	rr_put(st);

	KUNIT_EXPECT_FALSE(test, task[0]);
	KUNIT_EXPECT_TRUE(test, task[1]);
	KUNIT_EXPECT_TRUE(test, task[2]);
	KUNIT_EXPECT_TRUE(test, task[3]);
	KUNIT_EXPECT_FALSE(test, hardirq[0]);
	KUNIT_EXPECT_FALSE(test, hardirq[1]);
	KUNIT_EXPECT_FALSE(test, hardirq[2]);
	KUNIT_EXPECT_TRUE(test, hardirq[3]);
}

/* Watchdog timers run every quarter budget, at most every millisecond. */
static void rr_watchdog_period(struct kunit *test)
{
	unsigned int saved = READ_ONCE(rex_budget_ms);
	s64 p1, p3, p100, p1000;

	WRITE_ONCE(rex_budget_ms, 1);
	p1 = ktime_to_ns(watchdog_period());
	WRITE_ONCE(rex_budget_ms, 3);
	p3 = ktime_to_ns(watchdog_period());
	WRITE_ONCE(rex_budget_ms, 100);
	p100 = ktime_to_ns(watchdog_period());
	WRITE_ONCE(rex_budget_ms, 1000);
	p1000 = ktime_to_ns(watchdog_period());
	WRITE_ONCE(rex_budget_ms, saved);

	KUNIT_EXPECT_EQ(test, p1, (s64)NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, p3, (s64)NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, p100, (s64)(25 * NSEC_PER_MSEC));
	KUNIT_EXPECT_EQ(test, p1000, (s64)(250 * NSEC_PER_MSEC));
}

static struct kunit_case rex_levels_test_cases[] = {
	KUNIT_CASE(rr_stacks),
	KUNIT_CASE(rr_on_stack),
	KUNIT_CASE(rr_over),
	KUNIT_CASE(rr_run_busy),
	KUNIT_CASE(rr_default_ret),
	KUNIT_CASE(rr_credit),
	KUNIT_CASE(rr_interrupted_any),
	KUNIT_CASE(rr_watchdog_period),
	{}
};

static struct kunit_suite rex_levels_test_suite = {
	.name = "rex_levels",
	.init = rr_init,
	.test_cases = rex_levels_test_cases,
};

kunit_test_suites(&rex_ledger_test_suite, &rex_levels_test_suite);
