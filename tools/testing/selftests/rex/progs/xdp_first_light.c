// SPDX-License-Identifier: GPL-2.0
/*
 * First-light Rex XDP program, written in C so that it can be built where
 * no Rust toolchain exists: pass IPv4 and IPv6 frames, drop everything
 * else, abort on runt frames.
 *
 * The verdict table is reached through a pointer that the loader must
 * relocate, so a load that skips relocation cannot pass the test.
 */

#include "rex_prog.h"

struct rule {
	unsigned short ethertype;
	unsigned int verdict;
};

static const struct rule rules[] = {
	{ 0x0800, XDP_PASS },
	{ 0x86dd, XDP_PASS },
	{ 0, XDP_DROP },	/* end of table, and the default verdict */
};

/* Needs an R_X86_64_RELATIVE relocation in RELRO memory. */
const struct rule *const rex_rules = rules;

/* Its stack need, declared for the rejection tests to damage. */
REX_PROG_STACK(rex_xdp_first_light, BPF_PROG_TYPE_XDP, 0, 256);

REX_ENTRY(rex_xdp_first_light, const struct rex_xdp_buff *, ctx)
{
	const unsigned char *p = ctx->data;
	const struct rule *r;
	unsigned short type;

	if (ctx->data_end - p < 14)
		return XDP_ABORTED;
	type = (unsigned short)(p[12] << 8 | p[13]);
	for (r = rex_rules; r->ethertype; r++)
		if (r->ethertype == type)
			break;
	return r->verdict;
}
