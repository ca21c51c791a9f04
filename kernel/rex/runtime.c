// SPDX-License-Identifier: GPL-2.0
/*
 * The Rex runtime: the dispatcher every Rex program runs through, the
 * per-CPU Rex stacks it switches to, the cleanup ledger of resources a
 * running program holds, and the ways a program is left early: a panic, an
 * overflow of its stack, and termination when it runs past its budget.
 *
 * Each CPU has one Rex stack, one ledger and one set of entry state per
 * context level (task, softirq, hardirq, NMI), so a program interrupted by
 * another program on the same CPU is never overwritten.  A program that
 * would run at a level whose state is in use is not run: the attempt is
 * counted as a recursion miss and the program type's default is returned.
 *
 * However a program is left early, the same exit path runs in the
 * program's own context: it releases what the ledger holds, newest first,
 * counts the abort, emits the rex:rex_abort tracepoint, logs the reason
 * with a stack trace and makes rex_run() return the program type's default
 * value.  A panic enters it directly; a stack overflow (from the
 * double fault handler) and a termination (from an NMI or the watchdog
 * timer) enter it by making the interrupted program resume at
 * rex_arch_fault(), which is only done while the program's own text is
 * running, never while kernel code it called holds kernel state.
 */

#include <linux/bpf.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/filter.h>
#include <linux/hrtimer.h>
#include <linux/kasan.h>
#include <linux/kmemleak.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/rex.h>
#include <linux/timekeeping.h>
#include <linux/sysctl.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <uapi/linux/pkt_cls.h>
#include <uapi/linux/rex.h>
#include <asm/irq_regs.h>
#include <asm/ptrace.h>
#include <asm/rex_runtime.h>

#include "rex.h"

#define CREATE_TRACE_POINTS
#include <trace/events/rex.h>

/**
 * struct rex_res - one entry of the cleanup ledger
 * @kind: what the resource is, and so how to release it
 * @ptr: the resource
 * @data: what releasing it needs besides @ptr
 */
struct rex_res {
	enum rex_resource kind;
	void *ptr;
	unsigned long data;
};

#define REX_ABORT_MSG_MAX	128

/**
 * struct rex_level - Rex state of one context level of one CPU
 * @prog: the program running at this level, if one runs (level_busy())
 * @ctx: its context, if it may override the return of a probed function
 * @saved: the frame pointer (first) and the registers a callee preserves,
 *         saved by rex_arch_call() for rex_arch_unwind()
 * @limit_below: the stack limit of the program this one interrupted, put
 *               back when it returns
 * @nested: when a run that interrupted Rex programs started, in ns, or 0
 * @run: runs started at this level: odd while a program runs
 * @seen: the watchdog's stamp of the run: when a check first found it
 *        (see run_time())
 * @credit: time the run spent interrupted by Rex programs of higher levels,
 *          in ns, not counted against its budget
 * @fault_ip: where the program was when it was left early
 * @fault_irq: the interrupt vector whose delivery overflowed the stack, or 0
 * @stopped_by: what stopped a program past its budget, for the report
 * @short_at: what found too little stack left: a function entry, a helper
 *            call or a panic; NULL for the guard page
 * @stack_left: how much stack was left there, in bytes
 * @trap_target: for a failed kCFI check, the address called
 * @trap_type: and the type hash the caller expected
 * @trap_cfi: the trap was a kCFI check that failed
 * @override_ip: for a kprobe program that may override the probed function's
 *               return: the instruction pointer of its context at entry
 * @override_ret: the return value register of that context at entry
 * @msg: the panic message of a program left after a panic
 * @expired: the program ran past its budget; the helper gates stop it
 * @leaving: the program is being left; the watchdog leaves it alone
 * @nr_res: number of entries in @res
 * @res: the cleanup ledger: resources the program holds, oldest first
 */
struct rex_level {
	const struct bpf_prog *prog;
	const void *ctx;
	unsigned long saved[REX_ARCH_SAVED];
	unsigned long limit_below;
	u64 nested;
	unsigned long run;
	u64 seen;
	u64 credit;
	unsigned long fault_ip;
	unsigned int fault_irq;
	const char *stopped_by;
	const char *short_at;
	unsigned long stack_left;
	unsigned long trap_target;
	u32 trap_type;
	bool trap_cfi;
	unsigned long override_ip;
	unsigned long override_ret;
	char msg[REX_ABORT_MSG_MAX];
	bool expired;
	bool leaving;
	unsigned int nr_res;
	struct rex_res res[REX_LEDGER_SIZE];
};

static DEFINE_PER_CPU(struct rex_level, rex_levels[REX_STACK_LEVELS]);
DEFINE_PER_CPU(unsigned long [REX_STACK_LEVELS], rex_stack_end);
DEFINE_PER_CPU(unsigned long, rex_stack_limit);

/* A frame and the calls around it fit in what a frame may take. */
static_assert(REX_STACK_CALL - REX_FRAME_MAX >= 256);

/* The NMI handler and the hotplug callbacks are set up (at boot). */
static bool rex_runtime_up __ro_after_init;

/* The run-time budget of a program run, sysctl kernel.rex_budget_ms. */
static unsigned int rex_budget_ms = 100;

/*
 * The context level of the code running on this CPU, as
 * interrupt_context_level() finds it, in a test and a branch in task
 * context, where most programs run (tracing programs hit by system calls,
 * BPF_PROG_TEST_RUN).
 */
static __always_inline unsigned int context_level(void)
{
	if (likely(!(preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET))))
		return 0;
	return interrupt_context_level();
}

static struct rex_level *this_level(void)
{
	return this_cpu_ptr(&rex_levels[context_level()]);
}

/* Lowest address of this CPU's Rex stack of context level @level. */
static __always_inline unsigned long level_bottom(unsigned int level)
{
	return this_cpu_read(rex_stack_end[level]) - REX_STACK_SIZE;
}

/* Top word of this CPU's Rex stack of context level @level. */
static __always_inline unsigned long *level_tos(unsigned int level)
{
	return (unsigned long *)this_cpu_read(rex_stack_end[level]) - 1;
}

/* Does a program run at @lv? */
static __always_inline bool level_busy(const struct rex_level *lv)
{
	return READ_ONCE(lv->run) & 1;
}

/*
 * Run time.  A program's start is not timed: reading a clock costs more
 * than the rest of a run's entry.  Each level counts its runs instead
 * (rex_level::run), and the first check that finds a run, by the watchdog
 * of any CPU or a helper gate, stamps it with its number and the time it
 * found it (rex_level::seen).  A run is charged from its stamp: never from
 * before it started, and, since each CPU's watchdog checks its own and
 * every other CPU's levels every period, from at most one period after.
 * Stamps are one word, replaced with cmpxchg, so that checks on several
 * CPUs agree on one; the time in it is in units of 2^REX_SEEN_SHIFT ns
 * (about a microsecond), rounded up, and wraps after 2^32 units (71
 * minutes, twice what a signed difference tells apart, and far beyond a
 * run: budgets are at most a second).  Times are ktime_get_mono_fast_ns():
 * NMI-safe, comparable across CPUs, and, unlike local_clock() on CPUs
 * without a stable sched clock, still advancing on a CPU that runs with
 * interrupts disabled.  Programs in NMI context, which no check on their own CPU can
 * interrupt, are stamped when they start.
 */
#define REX_SEEN_SHIFT	10

static u64 budget_ns(void)
{
	return (u64)READ_ONCE(rex_budget_ms) * NSEC_PER_MSEC;
}

/* The stamp of run @run found at @now. */
static u64 seen_stamp(unsigned long run, u64 now)
{
	return (u64)(u32)run << 32 | (u32)((now >> REX_SEEN_SHIFT) + 1);
}

/*
 * How long the program running at @lv has run by @now, less the time
 * Rex programs of higher levels interrupted it: the time since its stamp,
 * which this check makes if no check has.  0 if no program runs there.
 */
static u64 run_time(struct rex_level *lv, u64 now)
{
	unsigned long run = READ_ONCE(lv->run);
	u64 seen = READ_ONCE(lv->seen), credit;
	s32 units;

	if (!(run & 1))
		return 0;
	if ((u32)(seen >> 32) != (u32)run) {
		/* A clock read after the run's number: not before its start. */
		if (try_cmpxchg64(&lv->seen, &seen, seen_stamp(run, ktime_get_mono_fast_ns())))
			return 0;
		/* Another check stamped it first, or it ended. */
		if ((u32)(seen >> 32) != (u32)run)
			return 0;
	}
	units = (u32)(now >> REX_SEEN_SHIFT) - (u32)seen;
	if (units <= 0)
		return 0;
	credit = READ_ONCE(lv->credit);
	return ((u64)units << REX_SEEN_SHIFT) > credit ?
	       ((u64)units << REX_SEEN_SHIFT) - credit : 0;
}

/*
 * Is the program at @lv past @budget at @now, and not being left already?
 * The watchdog's period divides the budget, so the check one budget after
 * the stamp must stop the run, and it comes a few microseconds later at
 * most (the timer's latency), which is less than what the stamp's units
 * lose: it is rounded up, and the time since it down, two units in all.
 * Without allowing for them the check would miss by a hair and the run
 * would go on for another period, whenever the timer is quick.  So a run
 * is over two units (2 us) before its budget, by its stamp; it started
 * before the stamp.
 */
#define REX_SEEN_SLACK	(2ULL << REX_SEEN_SHIFT)

static bool over(struct rex_level *lv, u64 now, u64 budget)
{
	u64 t;

	if (READ_ONCE(lv->leaving))
		return false;
	t = run_time(lv, now);
	return t && t + REX_SEEN_SLACK >= budget;
}

/**
 * rex_default_ret() - what a program that did not finish returns
 * @prog: a Rex program
 *
 * The value the attach point gets when the program panics or cannot run:
 * XDP_ABORTED for XDP (the packet is dropped and the xdp_exception
 * tracepoint fires), TC_ACT_SHOT for tc, and 0 for tracing programs
 * (nothing is filtered, no return value is overridden).
 *
 * Return: the default return value of @prog's type.
 */
unsigned int rex_default_ret(const struct bpf_prog *prog)
{
	switch (prog->type) {
	case BPF_PROG_TYPE_XDP:
		return XDP_ABORTED;
	case BPF_PROG_TYPE_SCHED_CLS:
		return TC_ACT_SHOT;
	default:
		return 0;
	}
}

/**
 * rex_res_acquired() - record a resource the running program now holds
 * @kind: the kind of resource
 * @ptr: the resource
 * @data: what releasing it needs besides @ptr
 *
 * Called by the helper wrappers that acquire resources.
 *
 * Return: 0, or -ENOSPC when the ledger is full; the caller then releases
 * the resource and fails the helper call.
 */
int rex_res_acquired(enum rex_resource kind, void *ptr, unsigned long data)
{
	struct rex_level *lv = this_level();

	if (lv->nr_res >= REX_LEDGER_SIZE)
		return -ENOSPC;
	lv->res[lv->nr_res].kind = kind;
	lv->res[lv->nr_res].ptr = ptr;
	lv->res[lv->nr_res].data = data;
	lv->nr_res++;
	return 0;
}

/**
 * rex_res_released() - forget a resource the running program released
 * @ptr: the resource
 * @data: set to what releasing it needs besides @ptr
 *
 * Return: true if @ptr was in the ledger; false means the program
 * releases something it does not hold, which the caller must refuse.
 */
bool rex_res_released(void *ptr, unsigned long *data)
{
	struct rex_level *lv = this_level();
	unsigned int i;

	for (i = lv->nr_res; i-- > 0;) {
		if (lv->res[i].ptr != ptr)
			continue;
		*data = lv->res[i].data;
		/* Most often the newest: released in the reverse order. */
		if (i + 1 < lv->nr_res)
			memmove(&lv->res[i], &lv->res[i + 1],
				(lv->nr_res - i - 1) * sizeof(lv->res[0]));
		lv->nr_res--;
		return true;
	}
	return false;
}

/**
 * rex_res_holds() - does the running program hold a resource of a kind?
 * @kind: the kind of resource
 *
 * Return: true if the ledger has an entry of @kind.
 */
bool rex_res_holds(enum rex_resource kind)
{
	struct rex_level *lv = this_level();
	unsigned int i;

	for (i = 0; i < lv->nr_res; i++)
		if (lv->res[i].kind == kind)
			return true;
	return false;
}

/* Release everything the program still holds, newest first. */
static unsigned int release_all(struct rex_level *lv)
{
	unsigned int n = lv->nr_res;

	while (lv->nr_res) {
		struct rex_res *r = &lv->res[--lv->nr_res];

		rex_res_release(r->kind, r->ptr, r->data);
	}
	return n;
}

/*
 * A program's budget is its own run time.  The program that ran at @level
 * interrupted the programs running below it on this CPU and ran for @ran
 * ns of its own (the report of its abort included; not the time of the
 * programs that interrupted it in turn, credited to it): credit that time
 * to every interrupted program, and withdraw an expiry that a watchdog
 * check made while the higher level ran, if that time was all that put
 * the program past its budget.
 */
static void credit_interrupted(unsigned int level, u64 ran, u64 now)
{
	u64 budget = budget_ns();

	while (level--) {
		struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);

		if (!level_busy(lv))
			continue;
		WRITE_ONCE(lv->credit, READ_ONCE(lv->credit) + ran);
		if (READ_ONCE(lv->expired) && !over(lv, now, budget))
			WRITE_ONCE(lv->expired, false);
	}
}

/* Is a program running at a level below @level on this CPU? */
static bool interrupted_any(unsigned int level)
{
	while (level--)
		if (level_busy(this_cpu_ptr(&rex_levels[level])))
			return true;
	return false;
}

/* The context level of NMIs, where no watchdog check can find a program. */
#define REX_LEVEL_NMI	(REX_STACK_LEVELS - 1)

/*
 * A run at @level of @lv, numbered @run, above task level: timed if it
 * interrupts Rex programs, to credit them with its time when it ends, and
 * stamped at once in NMI context, where no watchdog check can stamp it.
 */
static noinline void enter_nested(struct rex_level *lv, unsigned int level, unsigned long run)
{
	u64 now = 0;

	if (interrupted_any(level))
		now = ktime_get_mono_fast_ns();
	lv->nested = now;
	if (level == REX_LEVEL_NMI)
		WRITE_ONCE(lv->seen, seen_stamp(run, now ?: ktime_get_mono_fast_ns()));
}

/* The run at @lv, which interrupted Rex programs, ended. */
static noinline void exit_nested(struct rex_level *lv)
{
	u64 now = ktime_get_mono_fast_ns();

	credit_interrupted(lv - this_cpu_ptr(&rex_levels[0]),
			   now - lv->nested - READ_ONCE(lv->credit), now);
	lv->nested = 0;
}

/*
 * The program at @lv returned @ret holding resources: release them.
 * Returns @ret, so that the dispatcher need not keep it across the call.
 */
static noinline unsigned int returned_holding(struct rex_level *lv, unsigned int ret)
{
	const struct bpf_prog *prog = lv->prog;
	unsigned int left = release_all(lv);

	atomic64_inc(&prog->aux->rex->leaks);
	pr_warn_once("rex: program %s returned holding %u resources; released\n",
		     prog->aux->name, left);
	return ret;
}

/* The program whose bpf_prog::insnsi the BPF run path passed. */
static __always_inline const struct bpf_prog *insn_prog(const struct bpf_insn *insn)
{
	return container_of(insn, struct bpf_prog, insnsi[0]);
}

/* Its entry, which rex_prog_set_entry() put where its first insn would be. */
static __always_inline rex_entry_t insn_entry(const struct bpf_insn *insn)
{
	return *(const rex_entry_t *)insn;
}

/*
 * The program cannot run: the Rex state of its level is in use on this
 * CPU.  Count a recursion miss, as BPF does, and return its default.
 */
static noinline unsigned int run_missed(const struct bpf_prog *prog)
{
	preempt_enable();
	bpf_prog_inc_misses_counter((struct bpf_prog *)prog);
	return rex_default_ret(prog);
}

/*
 * Run @insn's program at @level, in any context and for any program: the
 * path of programs above task level, and of programs that may override
 * the return of a probed function.  Called with preemption disabled, and
 * enables it.
 */
static noinline unsigned int run_at(const void *ctx, const struct bpf_insn *insn,
				    unsigned int level)
{
	const struct bpf_prog *prog = insn_prog(insn);
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);
	unsigned long run = lv->run;
	unsigned int ret;

	/* No program is loaded without stacks: see rex_runtime_get(). */
	if (unlikely(run & 1))
		return run_missed(prog);
	lv->prog = prog;
	if (unlikely(prog->kprobe_override)) {
		struct pt_regs *regs = (struct pt_regs *)ctx;

		lv->ctx = ctx;
		lv->override_ip = instruction_pointer(regs);
		lv->override_ret = regs_return_value(regs);
	}
	WRITE_ONCE(lv->seen, 0);
	WRITE_ONCE(lv->credit, 0);
	lv->expired = false;
	lv->leaving = false;
	/*
	 * The stack checks of this program's functions compare with this
	 * level's limit.  rex_stack_limit holds task level's whenever no
	 * program runs above it (rex_stacks_prepare() sets it), so a program
	 * above task level sets its own and puts back the one it found.
	 */
	if (level) {
		lv->limit_below = this_cpu_read(rex_stack_limit);
		this_cpu_write(rex_stack_limit, level_bottom(level) + REX_STACK_RESERVE);
	}
	/*
	 * The watchdog and the fault handlers look at a busy level: its state
	 * is complete before its run number says it is busy.
	 */
	smp_wmb();
	WRITE_ONCE(lv->run, ++run);
	if (unlikely(level))
		enter_nested(lv, level, run);
	barrier();
	/*
	 * What is needed after the call is in the level's state, so that no
	 * more than the level's address and the return value stay in
	 * registers across it.
	 */
	ret = rex_arch_call(level_tos(level), lv->saved, insn_entry(insn), ctx);
	barrier();
	if (level)
		this_cpu_write(rex_stack_limit, lv->limit_below);
	if (unlikely(lv->nr_res))
		ret = returned_holding(lv, ret);
	WRITE_ONCE(lv->run, lv->run + 1);
	if (unlikely(lv->nested))
		exit_nested(lv);
	preempt_enable();
	return ret;
}

/**
 * rex_run() - run a Rex program on this CPU's Rex stack of the current level
 * @ctx: the program's context
 * @insn: the program's bpf_prog::insnsi, which Rex programs do not use
 *
 * The bpf_func of Rex programs: the BPF run path passes the program's
 * insnsi as the second argument, which finds the program and its entry
 * without a Rex branch in bpf_prog_run().  This is the whole cost a run
 * adds to the program's own: it reads no clock (see run_time()), and calls
 * the entry directly on the Rex stack.
 *
 * Programs in task context, where tracing programs hit by system calls and
 * BPF_PROG_TEST_RUN run, take a path of their own, which reaches the
 * task level's state with per-CPU accesses and keeps nothing in registers
 * across the program.  The others take run_at().
 *
 * The program runs with preemption disabled: preempted, it would keep its
 * level busy, so that every other program run at that level on this CPU
 * would be missed, and the time it waited would count against its budget.
 *
 * Context: any context the attach point runs programs in, with migration
 * disabled.
 * Return: the program's return value, or its type's default value when it
 * was left early or could not run because the level's Rex state is in use.
 */
unsigned int rex_run(const void *ctx, const struct bpf_insn *insn)
{
	unsigned long run;
	unsigned int ret;

	preempt_disable();
	if (unlikely(preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET)))
		return run_at(ctx, insn, interrupt_context_level());
	/* What run_at() does at level 0, for a program without overrides. */
	run = this_cpu_read(rex_levels[0].run);
	if (unlikely(run & 1))
		return run_missed(insn_prog(insn));
	this_cpu_write(rex_levels[0].prog, insn_prog(insn));
	this_cpu_write(rex_levels[0].seen, 0);
	this_cpu_write(rex_levels[0].credit, 0);
	this_cpu_write(rex_levels[0].expired, false);
	this_cpu_write(rex_levels[0].leaving, false);
	/* As in run_at(): the state is complete before the level is busy. */
	smp_wmb();
	this_cpu_write(rex_levels[0].run, run + 1);
	barrier();
	ret = rex_arch_call(level_tos(0), this_cpu_ptr(rex_levels[0].saved),
			    insn_entry(insn), ctx);
	barrier();
	if (unlikely(this_cpu_read(rex_levels[0].nr_res)))
		ret = returned_holding(this_cpu_ptr(&rex_levels[0]), ret);
	this_cpu_inc(rex_levels[0].run);
	preempt_enable();
	return ret;
}

/**
 * rex_run_override() - rex_run() for a program that may override a return
 * @ctx: the program's context, the probed function's registers
 * @insn: the program's bpf_prog::insnsi
 *
 * The bpf_func of a kprobe program that calls bpf_override_return(): it
 * keeps the instruction pointer and return value of @ctx, to put them back
 * if the program is left early.
 *
 * Context: as rex_run().
 * Return: as rex_run().
 */
unsigned int rex_run_override(const void *ctx, const struct bpf_insn *insn)
{
	preempt_disable();
	return run_at(ctx, insn, context_level());
}

/**
 * rex_prog_set_entry() - make a loaded Rex program runnable
 * @prog: the program, loaded into @prog->aux->rex
 *
 * Stores the program's entry where rex_run() finds it, in the first
 * instruction slot of @prog: a Rex program has no instructions (its
 * bpf_prog::len is 0, so none are ever shown or hashed), and every
 * bpf_prog has room for one, since bpf_prog_alloc() rounds its size up
 * to a page (rex_prog_load() checks).  Then points @prog's bpf_func at
 * the dispatcher.
 */
void rex_prog_set_entry(struct bpf_prog *prog)
{
	*(rex_entry_t *)prog->insnsi = prog->aux->rex->image.entry;
	prog->bpf_func = prog->kprobe_override ? rex_run_override : rex_run;
}

static const char *const abort_what[] = {
	[REX_ABORT_PANIC]	= "panicked",
	[REX_ABORT_STACK]	= "overflowed its stack",
	[REX_ABORT_TIMEOUT]	= "ran past its budget",
	[REX_ABORT_TRAP]	= "trapped",
};

/*
 * Leave the program running at @level: release what it holds, count,
 * report, and return to rex_run() with the type's default value.
 */
static void __noreturn rex_abort(unsigned int level, enum rex_abort_reason reason,
				 const char *msg)
{
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);
	const struct bpf_prog *prog = lv->prog;
	struct rex_prog *rex = prog->aux->rex;
	unsigned int released;

	/*
	 * Release first: another CPU may be spinning on a lock the program
	 * holds, and the report below can take long (a console write).
	 */
	released = release_all(lv);
	/*
	 * An aborted program does nothing to its attach point: a return
	 * override it asked for (bpf_override_return() moves the probed
	 * function's instruction pointer to a return) is undone.
	 */
	if (unlikely(prog->kprobe_override)) {
		struct pt_regs *regs = (struct pt_regs *)lv->ctx;

		instruction_pointer_set(regs, lv->override_ip);
		regs_set_return_value(regs, lv->override_ret);
	}
	atomic64_inc(&rex->aborts[reason]);
	trace_rex_abort(prog, reason, msg, released);
	/* Per program, so that one program does not hide another. */
	if (__ratelimit(&rex->abort_rs)) {
		pr_err("rex: program %s (id %u) %s: %s\n", prog->aux->name, prog->aux->id,
		       abort_what[reason], msg);
		dump_stack();
	}
	/*
	 * The frames left behind on the Rex stack may have poisoned KASAN
	 * shadow that will not be cleared by their returns; the next program
	 * passes its own, uninstrumented, stack memory to helpers.
	 */
	kasan_unpoison_range((void *)level_bottom(level), REX_STACK_SIZE);
	rex_arch_unwind(level_tos(level), lv->saved, rex_default_ret(prog));
}

/*
 * Leave the program running at @level from kernel code it called: the
 * exit path runs from the top of the Rex stack, so that it has room
 * however deep the program was.
 */
static void __noreturn leave(unsigned int level, enum rex_abort_reason reason,
			     unsigned long ip)
{
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);

	lv->fault_ip = ip;
	WRITE_ONCE(lv->leaving, true);
	rex_arch_leave(level_tos(level), lv->saved[0], reason);
}

/*
 * Leave the program running at @level, which found less than
 * REX_STACK_RESERVE left at @what, called from @ip.  Runs on what is left,
 * at least REX_STACK_IRQ, and only switches to the top of the stack.
 */
static void __noreturn short_of_stack(unsigned int level, const char *what,
				      unsigned long ip)
{
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);

	lv->short_at = what;
	lv->stack_left = current_stack_pointer - level_bottom(level);
	leave(level, REX_ABORT_STACK, ip);
}

/* Is the stack of the program running on this CPU below its limit? */
static __always_inline bool stack_short(void)
{
	return current_stack_pointer < this_cpu_read(rex_stack_limit);
}

/**
 * rex_stack_exhausted() - leave a program whose function found too little stack
 * @ip: where in the program the stack check was called
 *
 * Called by rex_arch_stack_check() when a function of the running program
 * starts below the stack limit of its level: less than REX_STACK_RESERVE
 * is left, which the next frame and an interrupt taken in it may need.
 * The program is left as after an overflow of its stack.
 */
void __noreturn rex_stack_exhausted(unsigned long ip)
{
	short_of_stack(context_level(), "a function entry", ip);
}

/**
 * rex_panic() - leave the running program after a panic
 * @msg: the panic message, NUL-terminated, in the program's memory
 *
 * The helper a Rex program's panic handler calls.  Releases every resource
 * in the ledger, newest first, counts the panic, logs the message with a
 * stack trace (at most 10 reports per program in 5 s), and resumes at
 * rex_run() as if the program had returned its type's default value.  A
 * program with less than REX_STACK_RESERVE left is left as after an
 * overflow of its stack instead, without reading the message.
 */
void __noreturn rex_panic(const char *msg)
{
	unsigned int level = context_level();
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);

	/* Reading the message may fault; that needs stack too. */
	if (unlikely(stack_short()))
		short_of_stack(level, "a panic", _RET_IP_);
	if (strncpy_from_kernel_nofault(lv->msg, msg, sizeof(lv->msg)) < 0)
		strscpy(lv->msg, "(unreadable message)");
	leave(level, REX_ABORT_PANIC, _RET_IP_);
}

/**
 * rex_fault_exit() - the exit path of a program left early
 * @reason: enum rex_abort_reason
 *
 * Called by rex_arch_fault(), where rex_panic(), the helper gates, the
 * double fault handler or the termination path made the program resume,
 * at the top of the program's Rex stack and in its context.
 */
void __noreturn rex_fault_exit(unsigned int reason)
{
	unsigned int level = context_level();
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);
	char buf[REX_ABORT_MSG_MAX + 128];

	switch (reason) {
	case REX_ABORT_PANIC:
		snprintf(buf, sizeof(buf), "%s (at %pS)", lv->msg, (void *)lv->fault_ip);
		break;
	case REX_ABORT_TIMEOUT:
		snprintf(buf, sizeof(buf), "%u ms, stopped at %pS by %s",
			 READ_ONCE(rex_budget_ms), (void *)lv->fault_ip, lv->stopped_by);
		break;
	case REX_ABORT_TRAP:
		if (lv->trap_cfi)
			snprintf(buf, sizeof(buf),
				 "kCFI check failed, expected type hash %#010x: at %pS, call to %pS",
				 lv->trap_type, (void *)lv->fault_ip, (void *)lv->trap_target);
		else
			snprintf(buf, sizeof(buf), "trap instruction at %pS", (void *)lv->fault_ip);
		break;
	default:
		if (lv->short_at)
			snprintf(buf, sizeof(buf),
				 "at %pS: %lu bytes left at %s, %u needed",
				 (void *)lv->fault_ip, lv->stack_left, lv->short_at,
				 REX_STACK_RESERVE);
		else if (lv->fault_irq)
			snprintf(buf, sizeof(buf),
				 "at %pS, delivering interrupt vector 0x%x (raised again)",
				 (void *)lv->fault_ip, lv->fault_irq);
		else
			snprintf(buf, sizeof(buf), "at %pS", (void *)lv->fault_ip);
		lv->fault_irq = 0;
		lv->short_at = NULL;
		break;
	}
	rex_abort(level, reason, buf);
}

/* Is @ip in the text of the program running at @lv? */
static __always_inline bool in_prog_text(const struct rex_level *lv, unsigned long ip)
{
	const struct rex_image *img = &lv->prog->aux->rex->image;

	return ip - (unsigned long)img->text < img->text_size;
}

/* Is @sp on this CPU's Rex stack of @level? */
static __always_inline bool on_level_stack(unsigned int level, unsigned long sp)
{
	unsigned long end = this_cpu_read(rex_stack_end[level]);

	return sp < end && sp >= end - REX_STACK_SIZE;
}

/*
 * Make the program running at @level, interrupted with @regs, resume in
 * rex_fault_exit(@reason) instead, if it is running its own text on its
 * own stack, the only place it can be left without undoing kernel state.
 */
static __always_inline bool redirect(struct pt_regs *regs, unsigned int level,
				     enum rex_abort_reason reason, bool nmi)
{
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);

	if (!in_prog_text(lv, regs->ip))
		return false;
	lv->fault_ip = regs->ip;
	lv->stopped_by = nmi ? "an NMI" : "the watchdog timer";
	WRITE_ONCE(lv->leaving, true);
	if (nmi)
		rex_arch_redirect_nmi(regs, level_tos(level), lv->saved[0], reason);
	else
		rex_arch_redirect(regs, level_tos(level), lv->saved[0], reason);
	return true;
}

/**
 * rex_stack_overflow() - recover a double fault on a Rex stack's guard page
 * @regs: registers at the double fault
 * @address: CR2, the address whose access faulted
 *
 * A program that overflows its Rex stack touches the guard page below it
 * and the page fault cannot be delivered on that stack: the CPU raises a
 * double fault instead.  If @address is in the guard page of one of this
 * CPU's Rex stacks, a program runs at that level, and the fault happened in
 * the program's text, make the program resume in the exit path with
 * REX_ABORT_STACK.  If the double fault was an interrupt that could not be
 * delivered, raise that interrupt again (see rex_arch_reraise_irq()).
 * Called by exc_double_fault() before nmi_enter(), hence noinstr and
 * nothing but per-CPU and program state and the local APIC.
 *
 * Return: true if the double fault is handled.
 */
noinstr bool rex_stack_overflow(struct pt_regs *regs, unsigned long address)
{
	unsigned int level;

	for (level = 0; level < REX_STACK_LEVELS; level++) {
		unsigned long end = this_cpu_read(rex_stack_end[level]);
		unsigned long guard = end - REX_STACK_SIZE - PAGE_SIZE;

		if (!end || address - guard >= PAGE_SIZE)
			continue;
		if (!(this_cpu_read(rex_levels[level].run) & 1) ||
		    regs->sp - guard >= REX_STACK_SIZE + PAGE_SIZE ||
		    !redirect(regs, level, REX_ABORT_STACK, false))
			return false;
		this_cpu_write(rex_levels[level].fault_irq, rex_arch_reraise_irq(regs));
		return true;
	}
	return false;
}

/*
 * The check clang emits before an indirect call with -fsanitize=kcfi, and
 * rustc with -Zsanitizer=kcfi, ending at the trap @ip points to:
 *
 *   41 ba <imm32>        movl $-hash, %r10d
 *   45 03 53 <disp8>     addl -disp(%r11), %r10d
 *   74 02                je   .Lcall
 *   0f 0b                ud2
 *
 * Sets the target and the type hash the caller expected if it is one.
 */
static bool decode_kcfi(const struct pt_regs *regs, unsigned long *target, u32 *type)
{
	u8 insn[12];

	if (copy_from_kernel_nofault(insn, (void *)regs->ip - sizeof(insn), sizeof(insn)) ||
	    insn[0] != 0x41 || insn[1] != 0xba || insn[6] != 0x45 || insn[7] != 0x03 ||
	    insn[8] != 0x53 || insn[10] != 0x74)
		return false;
	*type = -get_unaligned((u32 *)(insn + 2));
	*target = regs->r11;
	return true;
}

/**
 * rex_trap() - leave a program that hit a trap instruction in its text
 * @regs: registers at the invalid opcode exception
 *
 * A trap in a program's text is a failed kCFI type check (the image calls
 * a function through a pointer of another type; only code that can cast
 * function pointers, such as C, can) or code its compiler made
 * unreachable.  If one of this CPU's programs was running its own text on
 * its own Rex stack at @regs, make it resume in the exit path with
 * REX_ABORT_TRAP, which reports the check that failed: the same way out
 * as a program stopped in its own text by the watchdog.  Called by
 * handle_bug() before it reports a BUG or a CFI failure of the kernel.
 *
 * Return: true if the trap is handled.
 */
bool rex_trap(struct pt_regs *regs)
{
	unsigned int level = context_level();
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);

	if (!level_busy(lv) || lv->leaving || !on_level_stack(level, regs->sp) ||
	    !in_prog_text(lv, regs->ip))
		return false;
	lv->trap_cfi = decode_kcfi(regs, &lv->trap_target, &lv->trap_type);
	return redirect(regs, level, REX_ABORT_TRAP, false);
}

/*
 * Termination.  Every run has a budget (sysctl kernel.rex_budget_ms).  While
 * Rex programs are loaded each CPU runs a watchdog timer every quarter of
 * the budget that checks its own CPU (a program it interrupted) and,
 * through an NMI, every other online CPU (a program that runs with
 * interrupts disabled): however many CPUs are stuck with interrupts
 * disabled, any CPU that is not stops the others.  A check charges a run
 * from its stamp (run_time()), which is at most one period after its
 * start: a program with interrupts enabled is stopped within two periods,
 * half a budget, after its budget.  Rex itself never disables interrupts
 * while a program runs (its spin locks leave them on), so a program runs
 * with interrupts disabled only in hardirq context.  The CPU that finds a
 * program past its budget marks it expired and, if the program is running
 * its own text, makes it resume in the exit path.  If it is in a helper or
 * other kernel code, the helper gates stop it at its next helper call, and
 * the next check tries again.  Programs in NMI context cannot be
 * interrupted by the NMI; the helper gates check their budget at every
 * call.
 *
 * The timers follow CPU hotplug: a CPU going offline cancels its own, so
 * that it is not migrated to another CPU, and starts it again when it
 * comes back.
 */
static atomic_t rex_watchdog_users;
static DEFINE_PER_CPU(struct hrtimer, rex_watchdog);
/* An NMI was sent to this CPU for a program past its budget. */
static DEFINE_PER_CPU(atomic_t, rex_kick);

static bool expired(struct rex_level *lv, u64 now)
{
	return over(lv, now, budget_ns());
}

/* How often the watchdog timers run: every quarter budget, at most every ms. */
static ktime_t watchdog_period(void)
{
	return ns_to_ktime(max(budget_ns() / 4, NSEC_PER_MSEC));
}

/*
 * Stop what runs past its budget on this CPU, which was interrupted with
 * @regs, by an NMI if @nmi, else by the watchdog timer.  Levels are checked
 * innermost first: the program that was interrupted, if any, is the
 * innermost busy one.
 */
static void terminate(struct pt_regs *regs, bool nmi)
{
	u64 now = ktime_get_mono_fast_ns(), budget = budget_ns();
	int level;

	for (level = REX_STACK_LEVELS - 1; level >= 0; level--) {
		struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);

		if (!over(lv, now, budget))
			continue;
		WRITE_ONCE(lv->expired, true);
		if (on_level_stack(level, regs->sp) &&
		    redirect(regs, level, REX_ABORT_TIMEOUT, nmi))
			return;
	}
}

/*
 * Every NMI checks the budgets of this CPU, so that NMIs from other sources,
 * such as the hard lockup detector's, stop programs too when no CPU with
 * interrupts enabled is left to send one.  Only the watchdog's own NMIs are
 * claimed as handled.
 */
static int rex_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	bool kicked = atomic_xchg(this_cpu_ptr(&rex_kick), 0);

	terminate(regs, true);
	return kicked ? NMI_HANDLED : NMI_DONE;
}

/**
 * rex_helper_enter() - checks at every helper call of a program
 * @ip: where in the program the helper was called
 *
 * Called by the helper gates.  Leaves the running program if it has less
 * than REX_STACK_RESERVE bytes of stack left, which the helper, interrupts
 * and exceptions taken on the Rex stack may need (as a function entry of
 * the program would, see rex_stack_exhausted()), or if the watchdog found
 * it past its budget, or, in NMI context, where the watchdog cannot
 * interrupt it, if it is past its budget now.
 *
 * Return: the running program's Rex state, for its helper table.
 */
const struct rex_prog *rex_helper_enter(unsigned long ip)
{
	unsigned int level = context_level();
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);

	if (unlikely(stack_short()))
		short_of_stack(level, "a helper call", ip);
	if (unlikely(READ_ONCE(lv->expired)) ||
	    (in_nmi() && expired(lv, ktime_get_mono_fast_ns()))) {
		lv->stopped_by = "its helper call";
		leave(level, REX_ABORT_TIMEOUT, ip);
	}
	return lv->prog->aux->rex;
}

/*
 * Send an NMI to @cpu if a program there is past its budget by two watchdog
 * periods and no NMI for it is on its way already.  A CPU with interrupts
 * enabled stops its own program within one period of its budget, by its
 * timer; the grace leaves it that (so a report names the timer, and no
 * NMI is sent where none is needed), and leaves programs that run in an
 * NMI, which another NMI cannot interrupt, to their helper gates.  Each
 * CPU watches all: one sender is enough, and an NMI that finds the flag
 * clear would be reported as unknown.
 */
static void check_cpu(unsigned int cpu, u64 now, u64 limit)
{
	unsigned int level;

	for (level = 0; level < REX_STACK_LEVELS; level++) {
		if (!over(per_cpu_ptr(&rex_levels[level], cpu), now, limit))
			continue;
		if (!atomic_xchg(per_cpu_ptr(&rex_kick, cpu), 1))
			rex_arch_kick(cpu);
		return;
	}
}

static enum hrtimer_restart watchdog_fn(struct hrtimer *timer)
{
	unsigned int this = smp_processor_id(), cpu;
	struct pt_regs *regs = get_irq_regs();
	u64 now, limit;

	if (!atomic_read(&rex_watchdog_users))
		return HRTIMER_NORESTART;
	if (regs)
		terminate(regs, false);
	now = ktime_get_mono_fast_ns();
	limit = budget_ns() + 2 * ktime_to_ns(watchdog_period());
	for_each_online_cpu(cpu)
		if (cpu != this)
			check_cpu(cpu, now, limit);
	hrtimer_forward_now(timer, watchdog_period());
	return HRTIMER_RESTART;
}

static void watchdog_start(void *unused)
{
	struct hrtimer *timer = this_cpu_ptr(&rex_watchdog);

	if (!hrtimer_active(timer))
		hrtimer_start(timer, watchdog_period(), HRTIMER_MODE_REL_PINNED_HARD);
}

static int watchdog_online(unsigned int cpu)
{
	if (atomic_read(&rex_watchdog_users))
		watchdog_start(NULL);
	return 0;
}

/*
 * On the CPU going offline: stop its timer, which would otherwise be
 * migrated to a CPU that has its own, and stay active there, so that the
 * CPU coming back would not start its own again.
 */
static int watchdog_offline(unsigned int cpu)
{
	hrtimer_cancel(this_cpu_ptr(&rex_watchdog));
	return 0;
}

/**
 * rex_watchdog_get() - a program was loaded: run the watchdog
 *
 * Context: process context.
 */
void rex_watchdog_get(void)
{
	cpus_read_lock();
	if (atomic_inc_return(&rex_watchdog_users) == 1)
		on_each_cpu(watchdog_start, NULL, 1);
	cpus_read_unlock();
}

/**
 * rex_watchdog_put() - a program was freed; the last one stops the watchdog
 *
 * The timers notice that no program is left and stop themselves.
 */
void rex_watchdog_put(void)
{
	atomic_dec(&rex_watchdog_users);
}

/* On each CPU: expire the timer one period of the new budget from now. */
static void watchdog_restart(void *unused)
{
	hrtimer_start(this_cpu_ptr(&rex_watchdog), watchdog_period(),
		      HRTIMER_MODE_REL_PINNED_HARD);
}

/*
 * A new budget takes effect at once: the timers, armed for a period of the
 * old one, are moved to the new period, so that the bound on termination
 * holds from the first run after the change.
 */
static int budget_sysctl(const struct ctl_table *table, int write, void *buffer,
			 size_t *lenp, loff_t *ppos)
{
	int err = proc_douintvec_minmax(table, write, buffer, lenp, ppos);

	if (err || !write)
		return err;
	cpus_read_lock();
	if (atomic_read(&rex_watchdog_users))
		on_each_cpu(watchdog_restart, NULL, 1);
	cpus_read_unlock();
	return 0;
}

static const struct ctl_table rex_sysctls[] = {
	{
		.procname	= "rex_budget_ms",
		.data		= &rex_budget_ms,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= budget_sysctl,
		.extra1		= SYSCTL_ONE,
		.extra2		= SYSCTL_ONE_THOUSAND,
	},
};

static DEFINE_MUTEX(rex_stacks_lock);
static bool rex_stacks_hotplug;

/*
 * Allocate the Rex stacks of @cpu that it does not have yet.  Called before
 * the CPU runs anything (a prepare step of CPU hotplug, on the CPU that
 * brings it up), so a CPU with stacks is never without them; stacks stay
 * when a CPU goes offline, for when it comes back.
 */
static int rex_stacks_prepare(unsigned int cpu)
{
	unsigned long *end = per_cpu(rex_stack_end, cpu);
	unsigned int i;
	void *stack;

	for (i = 0; i < REX_STACK_LEVELS; i++) {
		if (end[i])
			continue;
		/* vmalloc leaves an unmapped guard page between areas */
		stack = vmalloc_node(REX_STACK_SIZE, cpu_to_node(cpu));
		if (!stack)
			return -ENOMEM;
		/* Only its end is kept. */
		kmemleak_not_leak(stack);
		/* What rex_run() leaves there: see run_at(). */
		if (i == 0)
			WRITE_ONCE(per_cpu(rex_stack_limit, cpu),
				   (unsigned long)stack + REX_STACK_RESERVE);
		WRITE_ONCE(end[i], (unsigned long)stack + REX_STACK_SIZE);
	}
	return 0;
}

/**
 * rex_runtime_get() - make sure Rex programs can run, before a load
 *
 * The first load allocates the Rex stacks of every online CPU, and of
 * every CPU that comes online later (REX_STACK_LEVELS stacks of
 * REX_STACK_SIZE bytes, each with a guard page, per CPU): a kernel that
 * never loads a Rex program pays nothing for them.  Stacks are not freed.
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENOMEM if the stacks cannot be allocated.
 */
int rex_runtime_get(void)
{
	int err = 0;

	if (!rex_runtime_up)
		return -ENOMEM;
	mutex_lock(&rex_stacks_lock);
	if (!rex_stacks_hotplug) {
		/*
		 * Calls rex_stacks_prepare() for every online CPU, then for
		 * every CPU that comes online.
		 */
		err = cpuhp_setup_state(CPUHP_BP_PREPARE_DYN, "rex/stacks:prepare",
					rex_stacks_prepare, NULL);
		rex_stacks_hotplug = err >= 0;
	}
	mutex_unlock(&rex_stacks_lock);
	return err < 0 ? err : 0;
}

static int __init rex_runtime_init(void)
{
	unsigned int cpu;
	int err;

	for_each_possible_cpu(cpu)
		hrtimer_setup(per_cpu_ptr(&rex_watchdog, cpu), watchdog_fn, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL_PINNED_HARD);
	err = register_nmi_handler(NMI_LOCAL, rex_nmi_handler, 0, "rex");
	if (err)
		goto fail;
	err = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "rex/watchdog:online",
					watchdog_online, watchdog_offline);
	if (err < 0) {
		unregister_nmi_handler(NMI_LOCAL, "rex");
		goto fail;
	}
	register_sysctl_init("kernel", rex_sysctls);
	rex_runtime_up = true;
	return 0;
fail:
	/* Without termination no program may load. */
	pr_err("rex: cannot set up the watchdog (%d); Rex programs will not load\n", err);
	return err;
}
late_initcall(rex_runtime_init);

#ifdef CONFIG_REX_KUNIT_TEST
#include "runtime_test.c"
#endif
