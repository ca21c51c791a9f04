/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rex on x86-64: the landing pad that leaves a program early.
 */
#include <linux/linkage.h>
#include <asm/unwind_hints.h>

/*
 * void rex_arch_unwind(unsigned long *tos, unsigned long bp, unsigned int ret)
 *
 * Return from the rex_enter() that rex_arch_call() started on the Rex
 * stack whose top word is @tos, with @ret as its return value: the call
 * left its return address right below @tos, and @bp is the frame pointer
 * rex_arch_call() saved.  Whatever the program left on the Rex stack is
 * abandoned.
 */
SYM_FUNC_START(rex_arch_unwind)
	movq	%rsi, %rbp
	movl	%edx, %eax
	leaq	-8(%rdi), %rsp
	UNWIND_HINT_FUNC
	RET
SYM_FUNC_END(rex_arch_unwind)
