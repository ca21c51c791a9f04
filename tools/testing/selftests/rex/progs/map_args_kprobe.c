// SPDX-License-Identifier: GPL-2.0
/* The kprobe program of map_args.c, in an image of its own. */
#define REX_KPROBE
#include "map_args.c"
