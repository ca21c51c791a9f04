/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stack test programs (stack_deep.c) and rex_stack_test share.
 */
#ifndef __REX_STACK_COMMON_H
#define __REX_STACK_COMMON_H

/* The keys of cfg: a mode for each program, the mode's argument, stop. */
enum {
	REX_STACK_CFG_XDP,	/* mode of rex_stack_xdp */
	REX_STACK_CFG_PE,	/* mode of rex_stack_pe */
	REX_STACK_CFG_TP,	/* mode of rex_stack_tp */
	REX_STACK_CFG_ARG,	/* bytes: the stack's size (HOVER), to paint (MEASURE) */
	REX_STACK_CFG_STOP,	/* set: stop waiting */
	REX_STACK_CFG_NR,
};

/* Modes. */
enum {
	REX_STACK_NONE,		/* count the run, return */
	REX_STACK_RECURSE,	/* recurse without end */
	REX_STACK_HOVER,	/* recurse to the bottom, wait there for STOP */
	REX_STACK_MEASURE,	/* paint ARG bytes below, wait for STOP, measure */
};

/*
 * The keys of counts: runs of each program (by its mode's key above), runs
 * that went on after their stack ran out (must stay 0), and the deepest
 * interrupt handling REX_STACK_MEASURE saw below a program, in bytes.
 */
#define REX_STACK_GOT_PAST	3
#define REX_STACK_DEPTH		4
#define REX_STACK_COUNTS_NR	5

/* How far above the bottom of its stack REX_STACK_HOVER waits, at most. */
#define REX_STACK_HOVER_ABOVE	512

/* What REX_STACK_MEASURE fills the stack with, from this far below its frame. */
#define REX_STACK_PATTERN	0x5a5aa5a5c3c33c3cUL
#define REX_STACK_PAINT_GAP	64

#endif /* __REX_STACK_COMMON_H */
