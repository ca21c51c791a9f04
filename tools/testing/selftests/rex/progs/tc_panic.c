// SPDX-License-Identifier: GPL-2.0
/* The tc program of types_panic.c, in an image of its own. */
#define REX_TC
#include "types_panic.c"
