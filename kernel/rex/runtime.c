// SPDX-License-Identifier: GPL-2.0
/*
 * The Rex runtime: the dispatcher every Rex program runs through, the
 * per-CPU Rex stacks it switches to, the cleanup ledger of resources a
 * running program holds, and the panic path that leaves a program early
 * and releases them.
 *
 * Each CPU has one Rex stack, one ledger and one set of entry state per
 * context level (task, softirq, hardirq, NMI), so a program interrupted by
 * another program on the same CPU is never overwritten.  A program that
 * would run at a level whose state is in use is not run: the attempt is
 * counted as a recursion miss and the program type's default is returned.
 */

#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/rex.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <uapi/linux/pkt_cls.h>
#include <asm/rex.h>

#include "rex.h"

/**
 * struct rex_res - one entry of the cleanup ledger
 * @kind: what the resource is, and so how to release it
 * @ptr: the resource
 */
struct rex_res {
	enum rex_resource kind;
	void *ptr;
};

/**
 * struct rex_level - Rex state of one context level of one CPU
 * @prog: the program running at this level, if @busy
 * @ctx: its context
 * @bp: frame pointer saved by rex_arch_call(), for the landing pad
 * @busy: a program runs at this level
 * @nr_res: number of entries in @res
 * @res: the cleanup ledger: resources the program holds, oldest first
 */
struct rex_level {
	const struct bpf_prog *prog;
	const void *ctx;
	unsigned long bp;
	bool busy;
	unsigned int nr_res;
	struct rex_res res[REX_LEDGER_SIZE];
};

static DEFINE_PER_CPU(struct rex_level, rex_levels[REX_STACK_LEVELS]);
DEFINE_PER_CPU(unsigned long [REX_STACK_LEVELS], rex_stack_end);

static bool rex_stacks_ready __ro_after_init;

static struct rex_level *this_level(void)
{
	return this_cpu_ptr(&rex_levels[interrupt_context_level()]);
}

/* Top word of this CPU's Rex stack of context level @level. */
static unsigned long *level_tos(unsigned int level)
{
	return (unsigned long *)this_cpu_read(rex_stack_end[level]) - 1;
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
 *
 * Called by the helper wrappers that acquire resources.
 *
 * Return: 0, or -ENOSPC when the ledger is full; the caller then releases
 * the resource and fails the helper call.
 */
int rex_res_acquired(enum rex_resource kind, void *ptr)
{
	struct rex_level *lv = this_level();

	if (lv->nr_res >= REX_LEDGER_SIZE)
		return -ENOSPC;
	lv->res[lv->nr_res].kind = kind;
	lv->res[lv->nr_res].ptr = ptr;
	lv->nr_res++;
	return 0;
}

/**
 * rex_res_released() - forget a resource the running program released
 * @ptr: the resource
 *
 * Return: true if @ptr was in the ledger; false means the program
 * releases something it does not hold, which the caller must refuse.
 */
bool rex_res_released(void *ptr)
{
	struct rex_level *lv = this_level();
	unsigned int i;

	for (i = lv->nr_res; i-- > 0;) {
		if (lv->res[i].ptr != ptr)
			continue;
		memmove(&lv->res[i], &lv->res[i + 1], (lv->nr_res - i - 1) * sizeof(lv->res[0]));
		lv->nr_res--;
		return true;
	}
	return false;
}

/* Release everything the program still holds, newest first. */
static unsigned int release_all(struct rex_level *lv)
{
	unsigned int n = lv->nr_res;

	while (lv->nr_res) {
		struct rex_res *r = &lv->res[--lv->nr_res];

		rex_res_release(r->kind, r->ptr);
	}
	return n;
}

/**
 * rex_enter() - call the entry of the program running at this level
 *
 * Called by rex_arch_call() on the Rex stack.  The entry is native code
 * without a kCFI type hash, hence __nocfi.
 *
 * Return: the program's return value.
 */
__nocfi unsigned int rex_enter(void)
{
	struct rex_level *lv = this_level();

	return lv->prog->aux->rex->image.entry(lv->ctx);
}

/**
 * rex_run() - run a Rex program on this CPU's Rex stack of the current level
 * @prog: the program
 * @ctx: its context
 *
 * Context: any context the attach point runs programs in, with migration
 * disabled.
 * Return: the program's return value, or its type's default value when it
 * panicked or could not run because the level's Rex state is in use.
 */
unsigned int rex_run(const struct bpf_prog *prog, const void *ctx)
{
	unsigned int level = interrupt_context_level();
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);
	struct rex_prog *rex = prog->aux->rex;
	unsigned int ret, left;

	/* No program is loaded without stacks: see rex_runtime_ready(). */
	if (unlikely(lv->busy)) {
		bpf_prog_inc_misses_counter((struct bpf_prog *)prog);
		return rex_default_ret(prog);
	}
	lv->busy = true;
	lv->prog = prog;
	lv->ctx = ctx;
	barrier();
	ret = rex_arch_call(level_tos(level), &lv->bp);
	barrier();
	left = release_all(lv);
	if (unlikely(left)) {
		atomic64_inc(&rex->leaks);
		pr_warn_once("rex: program %s returned holding %u resources; released\n",
			     prog->aux->name, left);
	}
	lv->busy = false;
	return ret;
}

#define REX_PANIC_MSG_MAX	128

/**
 * rex_panic() - leave the running program after a panic
 * @msg: the panic message, NUL-terminated, in the program's memory
 *
 * The helper a Rex program's panic handler calls.  Logs the message with a
 * stack trace (at most 10 reports per program in 5 s), releases every
 * resource in the ledger, newest first, counts the panic, and resumes at
 * rex_run() as if the program had returned its type's default value.
 */
void __noreturn rex_panic(const char *msg)
{
	unsigned int level = interrupt_context_level();
	struct rex_level *lv = this_cpu_ptr(&rex_levels[level]);
	const struct bpf_prog *prog = lv->prog;
	char buf[REX_PANIC_MSG_MAX];

	if (strncpy_from_kernel_nofault(buf, msg, sizeof(buf)) < 0)
		strscpy(buf, "(unreadable message)");
	atomic64_inc(&prog->aux->rex->panics);
	if (__ratelimit(&prog->aux->rex->panic_rs)) {
		pr_err("rex: program %s (id %u) panicked: %s\n", prog->aux->name,
		       prog->aux->id, buf);
		dump_stack();
	}
	release_all(lv);
	rex_arch_unwind(level_tos(level), lv->bp, rex_default_ret(prog));
}

/**
 * rex_runtime_ready() - can Rex programs run?
 *
 * Return: false if the Rex stacks could not be allocated at boot.
 */
bool rex_runtime_ready(void)
{
	return rex_stacks_ready;
}

static int __init rex_stacks_init(void)
{
	unsigned int cpu, i;
	void *stack;

	for_each_possible_cpu(cpu) {
		for (i = 0; i < REX_STACK_LEVELS; i++) {
			/* vmalloc leaves an unmapped guard page between areas */
			stack = vmalloc_node(REX_STACK_SIZE, cpu_to_node(cpu));
			if (!stack)
				return -ENOMEM;
			per_cpu(rex_stack_end, cpu)[i] = (unsigned long)stack + REX_STACK_SIZE;
		}
	}
	rex_stacks_ready = true;
	return 0;
}
early_initcall(rex_stacks_init);
