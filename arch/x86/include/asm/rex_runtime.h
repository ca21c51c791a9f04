/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rex on x86-64: the per-CPU Rex stacks, known to the stack unwinders, and
 * the switch to them.
 */
#ifndef _ASM_X86_REX_RUNTIME_H
#define _ASM_X86_REX_RUNTIME_H

#include <linux/types.h>

struct pt_regs;
struct stack_info;

#ifdef CONFIG_REX

#include <linux/compiler.h>
#include <linux/cpufeature.h>
#include <linux/instrumentation.h>
#include <linux/percpu.h>
#include <linux/objtool.h>
#include <asm/apic.h>
#include <asm/asm.h>
#include <asm/irq_vectors.h>
#include <asm/nospec-branch.h>
#include <asm/nmi.h>
#include <asm/page.h>
#include <asm/ptrace.h>
#include <asm/stacktrace.h>

/* One Rex stack per context level: task, softirq, hardirq, NMI. */
#define REX_STACK_LEVELS	4
/*
 * Each Rex stack is what a program may declare it needs, and a reserve
 * below it for the kernel code that runs on it.  A program never runs its
 * own text with less than REX_STACK_IRQ left: every function of a program
 * checks at its entry that the reserve is still there (the stack limit
 * below), and one frame (at most REX_FRAME_MAX) or one helper call takes
 * at most REX_STACK_CALL of it.  REX_STACK_IRQ is what interrupt and
 * exception handling may need on a Rex stack: in softirq context, where
 * XDP and tc programs run, a hardirq handler runs entirely on the stack it
 * interrupted.  Measured (rex_stack_test, irq_depth) as the deepest
 * handler path the test and debug kernels take there, with margin; KASAN's
 * larger kernel frames get twice as much, as its task stacks do.
 */
#define REX_PROG_STACK_MAX	(12 * 1024)
#define REX_STACK_IRQ		((2 * 1024) << KASAN_STACK_ORDER)
#define REX_STACK_CALL		((2 * 1024) << KASAN_STACK_ORDER)
#define REX_STACK_RESERVE	(REX_STACK_IRQ + REX_STACK_CALL)
#define REX_STACK_SIZE		(REX_PROG_STACK_MAX + REX_STACK_RESERVE)

/*
 * The lowest stack pointer at which a function of the running program may
 * start on this CPU: the bottom of its Rex stack plus REX_STACK_RESERVE,
 * set by rex_run() for the program's level and restored when it returns.
 */
DECLARE_PER_CPU(unsigned long, rex_stack_limit);

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

void __noreturn rex_fault_exit(unsigned int reason);
/*
 * The registers rex_arch_call() saves for rex_arch_unwind(): the frame
 * pointer first, then the other registers a callee preserves (%rbx,
 * %r12-%r15), which a program left early has not restored.
 */
#define REX_ARCH_SAVED		6

void __noreturn rex_arch_unwind(unsigned long *tos, const unsigned long *saved,
				unsigned int ret);
void rex_arch_fault(void);
bool rex_stack_overflow(struct pt_regs *regs, unsigned long address);
void __noreturn rex_arch_leave(unsigned long *tos, unsigned long bp, unsigned int reason);
void rex_arch_stack_check(void);
void __noreturn rex_stack_exhausted(unsigned long ip);
bool rex_trap(struct pt_regs *regs);

/* Size of a PLT entry of an image (x86-64 psABI, .plt and .plt.sec). */
#define REX_PLT_ENTRY		16

extern u32 rex_entry_hash;

bool rex_arch_entry_typed(const u8 *entry, u64 room, u32 *hash);
void rex_arch_ret(void);
int rex_arch_import(const char *name, u64 *addr, bool *rethunk);
bool rex_arch_needs_rethunk(void);
u64 rex_arch_plt_got(const u8 *entry, u64 vaddr);
int rex_arch_plt_bind(u8 *entry, u64 target);

/*
 * With kCFI, the check a kCFI call site makes, written out: that the entry
 * carries the type hash of the entry type (rex_entry_hash), which the
 * loader checked when it loaded the image.  A call through a corrupted
 * entry pointer traps here and is reported as a CFI failure.  The
 * compiler's own check would read the hash where the kernel's function
 * padding puts it, and under FineIBT the kernel rewrites its own kCFI call
 * sites to call a FineIBT preamble, which images, never patched, do not
 * have; this site has neither shape, so it is left alone.
 */
#ifdef CONFIG_CFI
#define REX_ARCH_CHECK_ENTRY						\
	"movl	rex_entry_hash(%%rip), %%r10d\n"			\
	"cmpl	%%r10d, -4(%[thunk_target])\n"				\
	"je	2f\n"							\
	"1:	ud2\n"							\
	".pushsection .kcfi_traps, \"ao\", @progbits, .text\n"		\
	".long	1b - .\n"						\
	".popsection\n"							\
	"2:\n"
#else
#define REX_ARCH_CHECK_ENTRY ""
#endif

/*
 * Call the program entry @entry with @ctx on the Rex stack whose top word
 * is @tos, through the retpoline thunk where the kernel uses them, after
 * the kCFI check where it has kCFI.  The frame pointer and the registers
 * the callee preserves are saved in @saved (REX_ARCH_SAVED words), for
 * rex_arch_unwind(), which can leave the entry from anywhere below it as
 * if it had returned.  A program that returns has preserved them itself,
 * as every function does: saving them costs a store each, where declaring
 * them clobbered would cost the caller a save and a restore each and the
 * spilling of what it keeps in them.
 */
static __always_inline unsigned int rex_arch_call(unsigned long *tos, unsigned long *saved,
						  const void *entry, const void *ctx)
{
	register unsigned long *stack asm("r11") = tos;
	unsigned int ret;

	asm volatile("movq	%%rbp, 0(%[saved])\n"
		     "movq	%%rbx, 8(%[saved])\n"
		     "movq	%%r12, 16(%[saved])\n"
		     "movq	%%r13, 24(%[saved])\n"
		     "movq	%%r14, 32(%[saved])\n"
		     "movq	%%r15, 40(%[saved])\n"
		     "movq	%%rsp, (%[tos])\n"
		     "movq	%[tos], %%rsp\n"
		     REX_ARCH_CHECK_ENTRY
		     "3: " CALL_NOSPEC
		     ANNOTATE_REACHABLE(3b) "\n"
		     "popq	%%rsp\n"
		     : "=a" (ret), [tos] "+r" (stack), [thunk_target] "+S" (entry),
		       "+D" (ctx), ASM_CALL_CONSTRAINT
		     : [saved] "r" (saved)
		     : "cc", "rcx", "rdx", "r8", "r9", "r10", "memory");
	return ret;
}

/*
 * Make the program interrupted with @regs resume in rex_arch_fault(), which
 * calls rex_fault_exit(@reason) as if the entry had been called by
 * rex_arch_call() on the Rex stack whose top word is @tos: the return
 * address rex_arch_call() pushed is right below @tos and @bp is the frame
 * pointer it saved.  Everything the program left on the stack is abandoned.
 */
static __always_inline void rex_arch_redirect(struct pt_regs *regs, unsigned long *tos,
					      unsigned long bp, unsigned int reason)
{
	regs->ip = (unsigned long)rex_arch_fault;
	regs->sp = (unsigned long)(tos - 1);
	regs->bp = bp;
	regs->di = reason;
}

/*
 * rex_arch_redirect() from an NMI handler.  An NMI that interrupted the
 * kernel returns, on IDT systems, through a copy of the interrupted
 * context's iret frame that the entry code keeps above pt_regs (the "iret"
 * frame of entry_64.S, which lets nested NMIs force a repeat); pt_regs'
 * own copy (the "outermost" frame) is only used when the NMI is repeated.
 * Update both, unless a nested NMI has already redirected the "iret" frame
 * to the repeat, which then takes the updated pt_regs.  FRED returns
 * through pt_regs.
 */
static __always_inline void rex_arch_redirect_nmi(struct pt_regs *regs, unsigned long *tos,
						  unsigned long bp, unsigned int reason)
{
	unsigned long *iret = (unsigned long *)(regs + 1);
	unsigned long ip = regs->ip;

	rex_arch_redirect(regs, tos, bp, reason);
	if (!cpu_feature_enabled(X86_FEATURE_FRED) && READ_ONCE(iret[0]) == ip) {
		iret[3] = regs->sp;
		WRITE_ONCE(iret[0], regs->ip);
	}
}

/*
 * A double fault on a Rex stack's guard page can be an interrupt that the
 * CPU failed to deliver: the program was running its own text, with
 * interrupts enabled, too close to the guard page for the interrupt frame.
 * The local APIC had already accepted the interrupt, so its vector is in
 * service, but its handler never ran and never ends it, and every vector
 * of the same or a lower priority would stay blocked on this CPU.  With
 * interrupts enabled nothing else is in service (Linux runs interrupt
 * handlers with interrupts disabled and ends each before returning), and
 * the local APIC only accepts a vector above those in service: if a vector
 * is in service, it is the lost one.  End it and raise it again on this
 * CPU, to be delivered once the program's exit path runs.
 *
 * Return: the vector raised again, or 0.
 */
static __always_inline unsigned int rex_arch_reraise_irq(const struct pt_regs *regs)
{
	unsigned int vector = 0;
	int i;

	if (!(regs->flags & X86_EFLAGS_IF))
		return 0;
	instrumentation_begin();
	for (i = APIC_ISR_NR - 1; i >= 0; i--) {
		u32 isr = apic_read(APIC_ISR + i * 0x10);

		if (isr) {
			vector = i * 32 + __fls(isr);
			apic_eoi();
			__apic_send_IPI_self(vector);
			break;
		}
	}
	instrumentation_end();
	return vector;
}

/* Interrupt @cpu with an NMI, to stop a program that runs past its budget. */
static inline void rex_arch_kick(unsigned int cpu)
{
	__apic_send_IPI(cpu, NMI_VECTOR);
}

#else /* !CONFIG_REX */

/*
 * Without Rex the unwinders, the #UD and the #DF handler find no Rex stack
 * and no program (and on 32-bit x86 or without a local APIC the above
 * would not even build).
 */
static __always_inline bool in_rex_stack(unsigned long *stack, struct stack_info *info)
{
	return false;
}

static __always_inline bool rex_trap(struct pt_regs *regs)
{
	return false;
}

static __always_inline bool rex_stack_overflow(struct pt_regs *regs, unsigned long address)
{
	return false;
}

#endif /* CONFIG_REX */

#endif /* _ASM_X86_REX_RUNTIME_H */
