/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constants shared by the attach test programs and rex_attach_test.c.
 */
#ifndef __REX_ATTACH_COMMON_H
#define __REX_ATTACH_COMMON_H

/* Frames of this ethertype are dropped by the XDP and tc programs ... */
#define REX_ETH_DROP	0x88b5	/* ETH_P_802_EX1, local experimental 1 */
/* ... and frames of this one are passed. */
#define REX_ETH_PASS	0x88b6	/* local experimental 2 */
/* Key of the frames too short to hold an ethertype. */
#define REX_ETH_RUNT	0xffffffffU

/* Slots of the "counts" array of perf_clock. */
enum {
	REX_PERF_SAMPLES,	/* program runs */
	REX_PERF_STACK_OK,	/* bpf_get_stackid() returned an id */
	REX_PERF_STACK_ERR,	/* bpf_get_stackid() failed */
	REX_PERF_LAST_ID,	/* last stack id returned */
	REX_PERF_SLOTS,
};

#define REX_PERF_STACK_DEPTH	16

/* What map_args.c passes a helper that takes a map (cfg[0]). */
enum {
	REX_MAP_ARG_OK,		/* the map the helper takes */
	REX_MAP_ARG_ARRAY,	/* an array map */
	REX_MAP_ARG_OTHER,	/* a map another helper takes */
	REX_MAP_ARG_NOT_MAP,	/* the address of a stack variable */
	REX_MAP_ARG_INSIDE,	/* an address inside what a map symbol stands for */
	REX_MAP_ARG_NEXT,	/* the address just past the last map's */
};

#endif /* __REX_ATTACH_COMMON_H */
