/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The interface a Rex program has to the kernel, in C: the contexts the
 * kernel passes to each program type and the helpers of the Rex allowlist
 * with the C signatures of the BPF helpers of the same name.  Included by
 * C-built programs and, through bindgen, by the Rust crate "rex", so that
 * both see one definition.
 *
 * The kernel resolves every undefined symbol of an image: a symbol named
 * like one of the image's maps becomes that map's struct bpf_map, any other
 * must name a helper of the allowlist that the program's type may call.
 */
#ifndef __REX_HELPERS_H
#define __REX_HELPERS_H

#include <linux/types.h>
#include <linux/bpf.h>		/* also XDP_* verdicts */
#include <linux/pkt_cls.h>	/* TC_ACT_* verdicts */
#include <linux/rex.h>
#include <asm/ptrace.h>

/* Head of the kernel's struct xdp_buff, the context of an XDP program. */
struct rex_xdp_buff {
	const unsigned char *data;
	const unsigned char *data_end;
	void *data_meta;
	void *data_hard_start;
};

/* Context of a perf_event program: the kernel's bpf_perf_event_data_kern. */
struct rex_perf_event_data {
	struct pt_regs *regs;
	void *data;
	void *event;
};

/*
 * Context of a tracepoint program: the raw perf trace record.  The kernel
 * stores the struct pt_regs pointer over its 8 bytes of common fields; the
 * event's own fields follow at the offsets its tracefs format file gives.
 */
struct rex_trace_common {
	struct pt_regs *regs;
};

/* raw_syscalls:sys_enter */
struct rex_trace_sys_enter {
	struct rex_trace_common common;
	long id;			/* offset 8 */
	unsigned long args[6];		/* offset 16 */
};

/* raw_syscalls:sys_exit */
struct rex_trace_sys_exit {
	struct rex_trace_common common;
	long id;			/* offset 8 */
	long ret;			/* offset 16 */
};

/* The context of a tc (BPF_PROG_TYPE_SCHED_CLS) program is a struct sk_buff. */
struct sk_buff;

/* The helpers of the Rex allowlist, with their BPF signatures. */
void *bpf_map_lookup_elem(void *map, const void *key);
long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags);
long bpf_map_delete_elem(void *map, const void *key);
long bpf_map_push_elem(void *map, const void *value, __u64 flags);
long bpf_map_pop_elem(void *map, void *value);
long bpf_map_peek_elem(void *map, void *value);
__u64 bpf_ktime_get_ns(void);
__u64 bpf_ktime_get_boot_ns(void);
__u32 bpf_get_smp_processor_id(void);
__u64 bpf_get_current_pid_tgid(void);
__u64 bpf_get_current_uid_gid(void);
__u64 bpf_get_current_task(void);
long bpf_get_current_comm(void *buf, __u32 size_of_buf);
long bpf_trace_printk(const char *fmt, __u32 fmt_size, ...);
long bpf_perf_event_output(void *ctx, void *map, __u64 flags, void *data, __u64 size);
long bpf_ringbuf_output(void *ringbuf, void *data, __u64 size, __u64 flags);
void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags);
void bpf_ringbuf_submit(void *data, __u64 flags);
void bpf_ringbuf_discard(void *data, __u64 flags);
long bpf_probe_read_kernel(void *dst, __u32 size, const void *unsafe_ptr);
long bpf_probe_read_kernel_str(void *dst, __u32 size, const void *unsafe_ptr);
long bpf_probe_read_user(void *dst, __u32 size, const void *unsafe_ptr);
long bpf_probe_read_user_str(void *dst, __u32 size, const void *unsafe_ptr);
long bpf_get_stackid(void *ctx, void *map, __u64 flags);
long bpf_override_return(struct pt_regs *regs, __u64 rc);
long bpf_xdp_adjust_head(void *xdp, int delta);
long bpf_xdp_adjust_tail(void *xdp, int delta);
long bpf_redirect(__u32 ifindex, __u64 flags);
long bpf_skb_load_bytes(const void *skb, __u32 offset, void *to, __u32 len);
long bpf_skb_store_bytes(void *skb, __u32 offset, const void *from, __u32 len,
			 __u64 flags);
__u32 bpf_get_prandom_u32(void);

/*
 * A spin lock in a map value: the kernel's resilient queued spin lock, as
 * eBPF's bpf_res_spin_lock() takes it.  The map's BTF must describe it
 * (librex does, from the image's map description) so that user space can
 * neither write nor read it.  Taking a lock that cannot be taken (a
 * deadlock, a timeout) panics the program.
 */
struct bpf_res_spin_lock {
	__u32 val;
};

long bpf_res_spin_lock(struct bpf_res_spin_lock *lock);
long bpf_res_spin_unlock(struct bpf_res_spin_lock *lock);

/* Rex's own helper: leave the program after a panic, releasing what it holds. */
_Noreturn void rex_panic(const char *msg);

#endif /* __REX_HELPERS_H */
