// SPDX-License-Identifier: GPL-2.0
/*
 * Indirect calls inside an image, for rex_harden_test.  On a kernel with
 * kCFI the image is built with -fsanitize=kcfi, like the kernel's own C
 * code: every indirect call checks the type hash in front of its target.
 *
 * Both programs take the spin lock of lk[0] and count the run in it, then
 * call twice() through a pointer.  rex_cfi_good calls it through a pointer
 * of its own type: the check passes, the lock is released and the program
 * returns XDP_TX, which only a completed call computes.  rex_cfi_bad calls
 * the same function through a pointer of another type, which C lets a
 * program cast to: the check fails and traps, and the kernel leaves the
 * program (XDP_ABORTED), releases the lock it holds and reports the check.
 * Without kCFI nothing checks, and the call returns.
 */

#include "rex_prog.h"

struct cfi_locked {
	struct bpf_res_spin_lock lock;
	__u32 runs;
};

REX_MAP_LOCK(lk, BPF_MAP_TYPE_ARRAY, sizeof(__u32), struct cfi_locked, lock, 1);

typedef unsigned long (*one_arg_t)(unsigned long x);
typedef unsigned long (*two_args_t)(unsigned long x, unsigned long y);

static unsigned long twice(unsigned long x)
{
	return 2 * x;
}

REX_PROG(rex_cfi_good, BPF_PROG_TYPE_XDP, 0);
REX_PROG(rex_cfi_bad, BPF_PROG_TYPE_XDP, 0);

static unsigned int locked_call(int good)
{
	struct cfi_locked *v;
	unsigned long r;
	__u32 zero = 0;

	v = bpf_map_lookup_elem(&lk, &zero);
	if (!v || bpf_res_spin_lock(&v->lock))
		return XDP_PASS;
	v->runs++;
	if (good)
		r = ((one_arg_t)rex_hide((void *)twice))(1);
	else
		r = ((two_args_t)rex_hide((void *)twice))(1, 2);
	bpf_res_spin_unlock(&v->lock);
	/* XDP_TX: 2 * 1 + 1 */
	return (unsigned int)r + 1;
}

REX_ENTRY(rex_cfi_good, const struct rex_xdp_buff *, ctx)
{
	return locked_call(1);
}

REX_ENTRY(rex_cfi_bad, const struct rex_xdp_buff *, ctx)
{
	return locked_call(0);
}
