// SPDX-License-Identifier: GPL-2.0
/*
 * A Rex XDP program whose descriptions come from a later version of
 * linux/rex.h: struct rex_map_def and struct rex_prog_def grown by a
 * member this kernel does not know (see "extending the descriptions" in
 * linux/rex.h).  Built three times: with both new members zero
 * (abi_grown.rex), which the kernel must load, and with the program's
 * (abi_grown_prog.rex, ABI_LATER_PROG=1) or the map's (abi_grown_map.rex,
 * ABI_LATER_MAP=1) set, which it must refuse.  The program counts its runs
 * in its map, so a load that misread the grown map description shows.
 */

#include "rex_prog.h"

#ifndef ABI_LATER_PROG
#define ABI_LATER_PROG 0
#endif
#ifndef ABI_LATER_MAP
#define ABI_LATER_MAP 0
#endif

REX_LICENSE("GPL");

struct rex_map_def_later {
	struct rex_map_def def;
	__u32 later;
};

struct rex_prog_def_later {
	struct rex_prog_def def;
	__u32 later;
	__u32 later2;
};

REX_MAP_SYM(runs);
static const struct rex_map_def_later __rex_map_runs __rex_desc(REX_MAPS_SECTION) = {
	.def = {
		.size = sizeof(struct rex_map_def_later),
		.map_type = BPF_MAP_TYPE_ARRAY,
		.key_size = sizeof(__u32),
		.value_size = sizeof(__u64),
		.max_entries = 1,
		.name = "runs",
	},
	.later = ABI_LATER_MAP,
};

static const struct rex_prog_def_later __rex_prog_rex_abi_grown
__rex_desc(REX_PROGS_SECTION) = {
	.def = {
		.size = sizeof(struct rex_prog_def_later),
		.prog_type = BPF_PROG_TYPE_XDP,
		.entry = "rex_abi_grown",
	},
	.later2 = ABI_LATER_PROG,
};

REX_ENTRY(rex_abi_grown, const struct rex_xdp_buff *, ctx)
{
	rex_count(&runs, 0, 1);
	return XDP_PASS;
}
