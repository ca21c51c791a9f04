/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the panic test programs and rex_panic_test share.
 */
#ifndef __REX_PANIC_COMMON_H
#define __REX_PANIC_COMMON_H

#define REX_PANIC_RB_SIZE	4096
#define REX_PANIC_MAX_RECS	24

/* What the XDP fault program does after reserving its records (cfg[1]). */
enum {
	REX_PANIC,	/* panic while holding the records */
	REX_SUBMIT,	/* submit the records */
	REX_LEAK,	/* return while holding the records */
	REX_RECURSE,	/* recurse without end */
	REX_RECURSE_CALLS, /* recurse without end, calling a helper each time */
	REX_BIG_FRAME,	/* call a function with a frame larger than the stack */
	REX_LOOP,	/* loop forever */
	REX_LOCK,	/* take the spin lock, count in lk[0], release it, submit */
	REX_LOCK_LOOP,	/* take the spin lock and loop forever */
	REX_LOCK_PANIC,	/* take the spin lock and panic */
	REX_LOCK_TWICE,	/* take the spin lock twice */
	REX_STACK_EDGE,	/* wait for an interrupt 24 bytes above the guard page */
};

/* cfg[2]: the size of the Rex stacks, for REX_STACK_EDGE */
#define REX_PANIC_CFG_STACK	2

/*
 * A map value with a spin lock: the lock and a counter it protects.  The
 * map's BTF describes the lock (REX_MAP_LOCK()), so user space reads it as
 * zero and cannot write it.
 */
#ifndef __REX_HELPERS_H
/* The tests, which include no rex_helpers.h, see the lock's 4 bytes. */
struct bpf_res_spin_lock {
	__u32 val;
};
#endif

struct rex_locked {
	struct bpf_res_spin_lock lock;
	__u32 pad;
	__u64 count;
};

#endif /* __REX_PANIC_COMMON_H */
