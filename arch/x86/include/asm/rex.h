/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rex on x86-64: the per-CPU Rex stacks, known to the stack unwinders, and
 * the switch to them.
 */
#ifndef _ASM_X86_REX_H
#define _ASM_X86_REX_H

#include <linux/compiler.h>
#include <linux/percpu.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/stacktrace.h>

/* One Rex stack per context level: task, softirq, hardirq, NMI. */
#define REX_STACK_LEVELS	4
#define REX_STACK_SIZE		(16 * 1024)

/* End (one past the top) of this CPU's Rex stack of each level, or 0. */
DECLARE_PER_CPU(unsigned long [REX_STACK_LEVELS], rex_stack_end);

/*
 * Is @stack on one of this CPU's Rex stacks?  Like the IRQ stack, a Rex
 * stack holds the stack pointer of the interrupted stack in its top word,
 * where the unwinders find their way back.
 */
static __always_inline bool in_rex_stack(unsigned long *stack, struct stack_info *info)
{
	unsigned int i;

	for (i = 0; i < REX_STACK_LEVELS; i++) {
		unsigned long *end = (unsigned long *)this_cpu_read(rex_stack_end[i]);
		unsigned long *begin = end - REX_STACK_SIZE / sizeof(long);

		if (!end || stack < begin || stack >= end)
			continue;
		info->type = STACK_TYPE_REX + i;
		info->begin = begin;
		info->end = end;
		info->next_sp = (unsigned long *)*(end - 1);
		return true;
	}
	return false;
}

unsigned int rex_enter(void);
void __noreturn rex_arch_unwind(unsigned long *tos, unsigned long bp, unsigned int ret);

/*
 * Call rex_enter() on the Rex stack whose top word is @tos.  The frame
 * pointer is saved in *@bp for rex_arch_unwind(), which can leave
 * rex_enter() from anywhere below it as if it had returned: the registers
 * the callee would have had to preserve are declared clobbered, so nothing
 * but the stack and frame pointers needs restoring.
 */
static __always_inline unsigned int rex_arch_call(unsigned long *tos, unsigned long *bp)
{
	register unsigned long *stack asm("r11") = tos;
	unsigned int ret;

	asm volatile("movq	%%rbp, (%[bp])\n"
		     "movq	%%rsp, (%[tos])\n"
		     "movq	%[tos], %%rsp\n"
		     "1: call %c[fn]\n"
		     ANNOTATE_REACHABLE(1b) "\n"
		     "popq	%%rsp\n"
		     : "=a" (ret), [tos] "+r" (stack), ASM_CALL_CONSTRAINT
		     : [fn] "i" (rex_enter), [bp] "r" (bp)
		     : "cc", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
		       "r12", "r13", "r14", "r15", "memory");
	return ret;
}

#endif /* _ASM_X86_REX_H */
