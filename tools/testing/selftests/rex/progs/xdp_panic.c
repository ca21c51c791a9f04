// SPDX-License-Identifier: GPL-2.0
/*
 * Rex XDP program for the ways out of a program: reserve cfg[0] ring buffer
 * records (count the failed reservations in out[0]), then, by cfg[1]: panic
 * while holding them (REX_PANIC), submit them (REX_SUBMIT), return holding
 * them (REX_LEAK), overflow the stack, wait for an interrupt at the bottom
 * of the stack (cfg[2] is its size), loop forever, or do the same with
 * the spin lock of lk[0] held (see panic_common.h).  out[1] counts runs
 * that got past a fault, which must stay 0.  Modes that return normally
 * submit the records.
 */

#include "rex_prog.h"
#include "panic_common.h"

REX_LICENSE("GPL");
REX_MAP(rb, BPF_MAP_TYPE_RINGBUF, 0, 0, REX_PANIC_RB_SIZE);
REX_MAP(cfg, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 3);
REX_MAP(out, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 2);
REX_MAP_LOCK(lk, BPF_MAP_TYPE_ARRAY, sizeof(__u32), struct rex_locked, lock, 1);
REX_PROG(rex_xdp_panic, BPF_PROG_TYPE_XDP, 0);

static __u64 get(void *map, __u32 key)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	return v ? *v : 0;
}

/*
 * The clobbers keep the compiler from turning the recursion into a loop:
 * each frame's buffer must stay alive until the call returns.
 */
static __u64 recurse(__u64 n, int calls)
{
	__u64 frame[8];

	/* Never true: the stack is gone long before. */
	if (n == ~0ULL)
		return 0;
	frame[0] = n;
	frame[1] = calls ? bpf_get_smp_processor_id() : 0;
	rex_clobber(frame);
	n = recurse(n + 1, calls);
	rex_clobber(frame);
	return n + frame[0] + frame[1];
}

/*
 * Built with -fstack-clash-protection: the frame is probed page by page.
 * Larger than REX_FRAME_MAX, which the build allows in this image only
 * (see the Makefile): the guard page, not a stack check, must stop it.
 * Called through a hidden pointer, so that it is not inlined into the
 * entry, whose frame would then be as large on every run.
 */
static __u64 big_frame(__u64 i)
{
	unsigned char frame[64 * 1024];

	frame[i] = 1;
	rex_clobber(frame);
	return frame[i];
}

_Noreturn static void loop(void)
{
	for (;;)
		rex_clobber(0);
}

/*
 * Move the stack pointer to 24 bytes above the bottom of the Rex stack
 * (@size bytes below the end of the page the program entered on) and wait
 * there for an interrupt: its frame does not fit, the CPU cannot deliver
 * it and raises a double fault.
 */
_Noreturn static void stack_edge(__u64 size)
{
	unsigned long sp;

	__asm__ volatile("movq %%rsp, %0" : "=r"(sp));
	sp = ((sp + 4095) & ~4095UL) - size + 24;
	__asm__ volatile("movq %0, %%rsp\n"
			 "1:\tpause\n\t"
			 "jmp 1b" : : "r"(sp));
	__builtin_unreachable();
}

static void locked(unsigned int mode)
{
	__u32 zero = 0;
	struct rex_locked *v = bpf_map_lookup_elem(&lk, &zero);

	if (!v)
		return;
	bpf_res_spin_lock(&v->lock);
	v->count++;
	if (mode == REX_LOCK_LOOP)
		loop();
	if (mode == REX_LOCK_PANIC)
		rex_panic("xdp test panic holding a lock");
	if (mode == REX_LOCK_TWICE)
		bpf_res_spin_lock(&v->lock);
	bpf_res_spin_unlock(&v->lock);
}

REX_ENTRY(rex_xdp_panic, const struct rex_xdp_buff *, ctx)
{
	__u64 n = get(&cfg, 0), mode = get(&cfg, 1), failed = 0;
	__u64 (*frame_fn)(__u64) = big_frame;
	void *recs[REX_PANIC_MAX_RECS];
	unsigned int i, got = 0;

	for (i = 0; i < n && i < REX_PANIC_MAX_RECS; i++) {
		__u64 *rec = bpf_ringbuf_reserve(&rb, sizeof(*rec), 0);

		if (!rec) {
			failed++;
			continue;
		}
		*rec = i;
		recs[got++] = rec;
	}
	rex_count(&out, 0, failed);
	switch (mode) {
	case REX_PANIC:
		rex_panic("xdp test panic");
	case REX_LEAK:
		return XDP_PASS;
	case REX_RECURSE:
	case REX_RECURSE_CALLS:
		rex_count(&out, 1, recurse(0, mode == REX_RECURSE_CALLS));
		break;
	case REX_BIG_FRAME:
		frame_fn = rex_hide(frame_fn);
		rex_count(&out, 1, frame_fn(n));
		break;
	case REX_LOOP:
		loop();
	case REX_STACK_EDGE:
		stack_edge(get(&cfg, REX_PANIC_CFG_STACK));
	case REX_LOCK:
	case REX_LOCK_LOOP:
	case REX_LOCK_PANIC:
	case REX_LOCK_TWICE:
		locked(mode);
		rex_count(&out, 1, mode != REX_LOCK);
		break;
	default:
		break;
	}
	for (i = 0; i < got; i++)
		bpf_ringbuf_submit(recs[i], 0);
	return XDP_PASS;
}
