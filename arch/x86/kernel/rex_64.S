/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rex on x86-64: the landing pads that leave a program early.
 */
#include <linux/linkage.h>
#include <asm/frame.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/unwind_hints.h>

/*
 * void rex_arch_unwind(unsigned long *tos, const unsigned long *saved,
 *			unsigned int ret)
 *
 * Return from the program entry that rex_arch_call() called on the Rex
 * stack whose top word is @tos, with @ret as its return value: the call
 * left its return address right below @tos, and @saved holds the frame
 * pointer and the callee-saved registers rex_arch_call() saved.  Whatever
 * the program left on the Rex stack is abandoned.
 */
SYM_FUNC_START(rex_arch_unwind)
	movq	0(%rsi), %rbp
	movq	8(%rsi), %rbx
	movq	16(%rsi), %r12
	movq	24(%rsi), %r13
	movq	32(%rsi), %r14
	movq	40(%rsi), %r15
	movl	%edx, %eax
	leaq	-8(%rdi), %rsp
	UNWIND_HINT_FUNC
	RET
SYM_FUNC_END(rex_arch_unwind)

/*
 * void rex_arch_fault(void)
 *
 * Not called: rex_arch_redirect() makes a program interrupted by a double
 * fault or an NMI resume here, with the stack pointer right below the top
 * word of its Rex stack, where the return address into rex_arch_call()
 * is, the frame pointer rex_arch_call() saved, and the reason in %edi.  So
 * this looks like the program's entry to the unwinders, and calls
 * rex_fault_exit(), which never returns.
 */
SYM_FUNC_START(rex_arch_fault)
	UNWIND_HINT_FUNC
	ENDBR
	push	%rbp
	mov	%rsp, %rbp
	call	rex_fault_exit
	int3
SYM_FUNC_END(rex_arch_fault)

/*
 * void rex_arch_leave(unsigned long *tos, unsigned long bp, unsigned int reason)
 *
 * Leave the program that runs on the Rex stack whose top word is @tos from
 * kernel code it called: continue in rex_arch_fault() with the stack and
 * frame pointers and the reason rex_arch_redirect() would have set.
 */
SYM_FUNC_START(rex_arch_leave)
	movq	%rsi, %rbp
	leaq	-8(%rdi), %rsp
	UNWIND_HINT_FUNC
	movl	%edx, %edi
	jmp	rex_arch_fault
SYM_FUNC_END(rex_arch_leave)

/*
 * void rex_arch_stack_check(void)
 *
 * The stack check every function of a program calls at its entry: images
 * are built with entry instrumentation (-pg -mfentry for C, which calls
 * __fentry__ before the prologue; -Zinstrument-mcount for Rust, which
 * calls mcount after it), and the loader binds both names here.  Return if
 * the stack pointer is at or above this CPU's rex_stack_limit, else leave
 * the program through rex_stack_exhausted(), with the address the check
 * was called from.  Reached by a direct jump from the image's PLT entry
(rex_arch_plt_bind()); ENDBR because its address is taken.  Clobbers
 * nothing but the flags, since __fentry__ runs before the prologue, with
 * the arguments still in their registers.
 */
SYM_FUNC_START(rex_arch_stack_check)
	ENDBR
	cmpq	PER_CPU_VAR(rex_stack_limit), %rsp
	jb	.Lrex_exhausted
	RET
.Lrex_exhausted:
	movq	(%rsp), %rdi
	jmp	rex_stack_exhausted
SYM_FUNC_END(rex_arch_stack_check)

/*
 * void rex_arch_ret(void)
 *
 * What an image's __x86_return_thunk stands for on a CPU that needs no
 * return thunk (rex_arch_import()).  rex_arch_plt_bind() writes a RET into
 * the image's PLT entry instead of a jump here: this is a function only so
 * that the GOT slot holds the address of one that does the same.
 */
SYM_FUNC_START(rex_arch_ret)
	ENDBR
	ANNOTATE_UNRET_SAFE
	ret
	int3
SYM_FUNC_END(rex_arch_ret)
