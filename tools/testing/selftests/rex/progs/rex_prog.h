/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C-built Rex test programs share: the image descriptions of
 * <linux/rex.h> (maps, programs, license), the contexts the kernel passes to
 * each program type and the helpers it offers.
 *
 * The kernel resolves every undefined symbol of an image: a symbol named
 * like one of the image's maps becomes that map's struct bpf_map, any other
 * must name a helper of the Rex allowlist.  Helpers keep the C signatures of
 * the BPF helpers of the same name.
 */
#ifndef __REX_PROG_H
#define __REX_PROG_H

#include <linux/types.h>
#include <linux/bpf.h>		/* also XDP_* verdicts */
#include <linux/pkt_cls.h>	/* TC_ACT_* verdicts */
#include <linux/rex.h>
#include <asm/ptrace.h>

/*
 * Place an image description in @_section and keep it although no code
 * refers to it.  aligned(4) packs the descriptions of a section into an
 * array: GCC would align each to 32 bytes.  This is the kernel's
 * __section() __used __aligned(4), which a freestanding image built outside
 * the kernel does not have.
 */
#define __rex_desc(_section)						\
	__attribute__(							\
		(section(_section), used, aligned(4)))

/* Keep the compiler from assuming anything about the memory at @p. */
static inline void rex_clobber(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* @p, which the compiler no longer knows (a function: it cannot inline it). */
static inline void *rex_hide(void *p)
{
	__asm__("" : "+r"(p));
	return p;
}

/* A BPF map as the program sees it: only its address is ever used. */
struct rex_map;

/*
 * REX_MAP() - declare map @_name of the image
 *
 * Describes the map in REX_MAPS_SECTION and declares the undefined symbol
 * @_name that the kernel resolves to it.  Helpers take the map as &@_name.
 */
#define REX_MAP(_name, _type, _key_size, _value_size, _max_entries)	\
	extern struct rex_map _name;					\
	static const struct rex_map_def __rex_map_##_name		\
	__rex_desc(REX_MAPS_SECTION) = {				\
		.map_type = (_type),					\
		.key_size = (_key_size),				\
		.value_size = (_value_size),				\
		.max_entries = (_max_entries),				\
		.name = #_name,						\
	}

/*
 * REX_PROG_STACK() - describe the entry function @_fn in REX_PROGS_SECTION,
 * declaring that it uses at most @_stack bytes of stack (0: not declared)
 */
#define REX_PROG_STACK(_fn, _prog_type, _expected_attach_type, _stack)	\
	static const struct rex_prog_def __rex_prog_##_fn		\
	__rex_desc(REX_PROGS_SECTION) = {				\
		.prog_type = (_prog_type),				\
		.expected_attach_type = (_expected_attach_type),	\
		.stack_size = (_stack),					\
		.entry = #_fn,						\
	}

/* REX_PROG() - describe the entry function @_fn, stack not declared */
#define REX_PROG(_fn, _prog_type, _expected_attach_type)		\
	REX_PROG_STACK(_fn, _prog_type, _expected_attach_type, 0)

/* REX_LICENSE() - the license string loaders pass to BPF_PROG_LOAD */
#define REX_LICENSE(_license)						\
	static const char __rex_license[]				\
	__rex_desc(REX_LICENSE_SECTION) = _license

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

/* The context of a tc (BPF_PROG_TYPE_SCHED_CLS) program is a struct sk_buff. */
struct sk_buff;

/* The helpers of the Rex allowlist, with their BPF signatures. */
void *bpf_map_lookup_elem(void *map, const void *key);
long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags);
long bpf_map_delete_elem(void *map, const void *key);
__u64 bpf_ktime_get_ns(void);
__u32 bpf_get_smp_processor_id(void);
__u64 bpf_get_current_pid_tgid(void);
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
long bpf_spin_lock(struct bpf_spin_lock *lock);
long bpf_spin_unlock(struct bpf_spin_lock *lock);

/* Rex's own helper: leave the program after a panic, releasing what it holds. */
_Noreturn void rex_panic(const char *msg);

/*
 * A function the kernel never offers to Rex programs; an image that calls
 * it has an import the loader must refuse.
 */
unsigned long long rex_no_such_helper(void);

/* Add @n to the counter at @key of the u64 array or hash @map. */
static inline void rex_count(void *map, __u32 key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	if (v) {
		__atomic_fetch_add(v, n, __ATOMIC_RELAXED);
		return;
	}
	/* A hash map without the key: create it, unless someone else did. */
	if (bpf_map_update_elem(map, &key, &n, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(map, &key);
		if (v)
			__atomic_fetch_add(v, n, __ATOMIC_RELAXED);
	}
}

/* The tgid of the current task, in the upper half of pid_tgid. */
static inline __u32 rex_current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/* Is the current task in the process whose tgid the test stored in @target[0]? */
static inline int rex_is_target(void *target)
{
	__u32 zero = 0;
	__u64 *tgid = bpf_map_lookup_elem(target, &zero);

	return tgid && *tgid == rex_current_tgid();
}

#endif /* __REX_PROG_H */
