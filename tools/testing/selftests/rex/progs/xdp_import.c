// SPDX-License-Identifier: GPL-2.0
/*
 * Rex XDP program that imports a function the kernel does not provide to
 * Rex programs: the load must fail and name the import.
 */

#include "rex_prog.h"

REX_PROG(rex_xdp_import, BPF_PROG_TYPE_XDP, 0);

REX_ENTRY(rex_xdp_import, const struct rex_xdp_buff *, ctx)
{
	return rex_no_such_helper() & 1 ? XDP_PASS : XDP_DROP;
}
