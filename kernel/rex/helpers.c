// SPDX-License-Identifier: GPL-2.0
/*
 * Imports of Rex programs: every undefined symbol of an image is resolved
 * here, by the kernel, to one of the image's maps or to a helper from the
 * Rex allowlist.  User space never writes a kernel address into an image.
 *
 * A helper is available to a program only if the BPF helper of the same
 * name is available to an eBPF program of the same type, as decided by the
 * type's get_func_proto(), so Rex programs get the policy eBPF programs
 * get.  The allowlist excludes helpers that rely on the verifier (argument
 * types it enforces, rewrites, BTF, callbacks).  Helpers that take a map
 * whose type the verifier would have checked, and helpers that acquire a
 * resource, go through Rex wrappers instead of the BPF function.
 */

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/filter.h>
#include <linux/string.h>
#include <asm/rex_runtime.h>
#include <asm/rqspinlock.h>
#include <uapi/linux/rex.h>

#include "rex.h"

/**
 * struct rex_helper - one entry of the Rex helper allowlist
 * @name: the import name, equal to the BPF helper's name
 * @func_id: the BPF helper whose availability and GPL rule apply
 * @wrapper: Rex function to call instead of the BPF helper's, or NULL
 * @map_ok: for helpers that take a map (an ARG_CONST_MAP_PTR argument of
 *          their prototype): is a map of this type one they work on?
 */
struct rex_helper {
	const char *name;
	enum bpf_func_id func_id;
	rex_helper_fn wrapper;
	bool (*map_ok)(u32 map_type);
};

/* A wrapper with the calling convention of BPF helpers, for the gates. */
#define REX_CALL_1(name, ...)	BPF_CALL_x(1, static, name, __VA_ARGS__)
#define REX_CALL_2(name, ...)	BPF_CALL_x(2, static, name, __VA_ARGS__)
#define REX_CALL_3(name, ...)	BPF_CALL_x(3, static, name, __VA_ARGS__)
#define REX_CALL_4(name, ...)	BPF_CALL_x(4, static, name, __VA_ARGS__)

/*
 * The map a helper gets has been checked by the gate (rex_map_arg()): it
 * is one of the program's maps, of a type the helper works on.  The
 * wrappers below add what the map's flags say programs may do with it, as
 * the verifier does for eBPF: BPF_F_RDONLY_PROG maps are not written,
 * BPF_F_WRONLY_PROG maps not read.
 */
REX_CALL_2(rex_map_lookup_elem, struct bpf_map *, map, void *, key)
{
	if (map->map_flags & BPF_F_WRONLY_PROG)
		return 0;
	return (unsigned long)map->ops->map_lookup_elem(map, key);
}

REX_CALL_4(rex_map_update_elem, struct bpf_map *, map, void *, key, void *, value, u64, flags)
{
	if (map->map_flags & BPF_F_RDONLY_PROG)
		return -EPERM;
	return map->ops->map_update_elem(map, key, value, flags);
}

REX_CALL_2(rex_map_delete_elem, struct bpf_map *, map, void *, key)
{
	if (map->map_flags & BPF_F_RDONLY_PROG)
		return -EPERM;
	return map->ops->map_delete_elem(map, key);
}

/*
 * Queue and stack maps: a push writes the map, a pop reads and writes it, a
 * peek reads it.  The value buffer is the program's, of the map's value
 * size (the crate's types make sure of it); the map's own lock is a
 * resilient one, so a push or pop that interrupts another on the same CPU
 * fails with -EBUSY instead of deadlocking.
 */
REX_CALL_3(rex_map_push_elem, struct bpf_map *, map, void *, value, u64, flags)
{
	if (map->map_flags & BPF_F_RDONLY_PROG)
		return -EPERM;
	return map->ops->map_push_elem(map, value, flags);
}

REX_CALL_2(rex_map_pop_elem, struct bpf_map *, map, void *, value)
{
	if (map->map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG))
		return -EPERM;
	return map->ops->map_pop_elem(map, value);
}

REX_CALL_2(rex_map_peek_elem, struct bpf_map *, map, void *, value)
{
	if (map->map_flags & BPF_F_WRONLY_PROG)
		return -EPERM;
	return map->ops->map_peek_elem(map, value);
}

/*
 * A reserved record is a resource: it blocks the ring buffer's consumer
 * until it is submitted or discarded, so it goes into the ledger, and a
 * full ledger fails the reservation.  Submitting or discarding a record
 * that is not in the ledger is refused: it was never reserved, or it is
 * gone already.
 */
REX_CALL_3(rex_ringbuf_reserve, struct bpf_map *, map, u64, size, u64, flags)
{
	void *rec;

	rec = (void *)(unsigned long)bpf_ringbuf_reserve_proto.func((unsigned long)map,
								    size, flags, 0, 0);
	if (rec && rex_res_acquired(REX_RES_RINGBUF_RECORD, rec, 0)) {
		rex_res_release(REX_RES_RINGBUF_RECORD, rec, 0);
		rec = NULL;
	}
	return (unsigned long)rec;
}

REX_CALL_2(rex_ringbuf_submit, void *, rec, u64, flags)
{
	unsigned long unused;

	if (rex_res_released(rec, &unused))
		bpf_ringbuf_submit_proto.func((unsigned long)rec, flags, 0, 0, 0);
	return 0;
}

REX_CALL_2(rex_ringbuf_discard, void *, rec, u64, flags)
{
	unsigned long unused;

	if (rex_res_released(rec, &unused))
		bpf_ringbuf_discard_proto.func((unsigned long)rec, flags, 0, 0, 0);
	return 0;
}

/*
 * A held spin lock keeps other CPUs spinning, so it goes into the ledger.
 * Rex programs take the kernel's resilient queued spin lock (rqspinlock,
 * what eBPF's bpf_res_spin_lock() takes), in a map value whose BTF describes
 * it (struct bpf_res_spin_lock), so user space can neither write nor read
 * the lock word: a lock that cannot be taken (a deadlock, or one held past
 * rqspinlock's timeout, say by a program stopped on another CPU) fails the
 * acquisition instead of spinning forever, and the program panics.  Unlike
 * eBPF's, the lock leaves interrupts enabled (only preemption is disabled,
 * as it is for the whole run): a program that loops holding it is stopped by
 * its own CPU's watchdog timer, however many other CPUs are stuck, and a
 * holder never keeps the CPUs that wait for it from being stopped.  A
 * program that interrupts the holder on the same CPU and takes the same lock
 * fails to take it (rqspinlock detects the AA deadlock) and panics.  As the
 * verifier does for eBPF, a program may hold one lock at a time: taking a
 * second one panics it, as does a full ledger, since the program's
 * bpf_res_spin_lock() has no failure to report.
 */
REX_CALL_1(rex_res_spin_lock, struct bpf_res_spin_lock *, lock)
{
	rqspinlock_t *l = (rqspinlock_t *)lock;

	if (rex_res_holds(REX_RES_SPIN_LOCK))
		rex_panic("bpf_res_spin_lock() while holding a spin lock");
	if (raw_res_spin_lock(l))
		rex_panic("bpf_res_spin_lock(): the lock cannot be taken (deadlock or timeout)");
	if (rex_res_acquired(REX_RES_SPIN_LOCK, lock, 0)) {
		raw_res_spin_unlock(l);
		rex_panic("bpf_res_spin_lock(): the cleanup ledger is full");
	}
	return 0;
}

REX_CALL_1(rex_res_spin_unlock, struct bpf_res_spin_lock *, lock)
{
	unsigned long unused;

	if (rex_res_released(lock, &unused))
		raw_res_spin_unlock((rqspinlock_t *)lock);
	return 0;
}

/**
 * rex_res_release() - release a resource a program still holds
 * @kind: the kind of resource
 * @ptr: the resource
 * @data: what the ledger recorded with it
 *
 * Called by the runtime for each ledger entry when a program is left early
 * or returns without releasing it.
 */
void rex_res_release(enum rex_resource kind, void *ptr, unsigned long data)
{
	switch (kind) {
	case REX_RES_RINGBUF_RECORD:
		bpf_ringbuf_discard_proto.func((unsigned long)ptr, 0, 0, 0, 0);
		break;
	case REX_RES_SPIN_LOCK:
		raw_res_spin_unlock((rqspinlock_t *)ptr);
		break;
	}
}

/* The map types the map-taking helpers of the allowlist work on. */
static bool map_ringbuf(u32 type)
{
	return type == BPF_MAP_TYPE_RINGBUF;
}

static bool map_stack_trace(u32 type)
{
	return type == BPF_MAP_TYPE_STACK_TRACE;
}

static bool map_perf_event_array(u32 type)
{
	return type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
}

static bool map_queue_stack(u32 type)
{
	return type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
}

#define HELPER(fn)		{ "bpf_" #fn, BPF_FUNC_##fn, NULL, NULL }
#define WRAPPED(fn)		{ "bpf_" #fn, BPF_FUNC_##fn, rex_##fn, NULL }
#define MAP_HELPER(fn, ok)	{ "bpf_" #fn, BPF_FUNC_##fn, NULL, ok }
#define MAP_WRAPPED(fn, ok)	{ "bpf_" #fn, BPF_FUNC_##fn, rex_##fn, ok }

/* The allowlist, sorted by name. */
static const struct rex_helper rex_helpers[] = {
	HELPER(get_current_comm),
	HELPER(get_current_pid_tgid),
	HELPER(get_current_task),
	HELPER(get_current_uid_gid),
	HELPER(get_prandom_u32),
	HELPER(get_smp_processor_id),
	MAP_HELPER(get_stackid, map_stack_trace),
	HELPER(ktime_get_boot_ns),
	HELPER(ktime_get_ns),
	MAP_WRAPPED(map_delete_elem, rex_map_type_has_values),
	MAP_WRAPPED(map_lookup_elem, rex_map_type_has_values),
	MAP_WRAPPED(map_peek_elem, map_queue_stack),
	MAP_WRAPPED(map_pop_elem, map_queue_stack),
	MAP_WRAPPED(map_push_elem, map_queue_stack),
	MAP_WRAPPED(map_update_elem, rex_map_type_has_values),
	HELPER(override_return),
	MAP_HELPER(perf_event_output, map_perf_event_array),
	HELPER(probe_read_kernel),
	HELPER(probe_read_kernel_str),
	HELPER(probe_read_user),
	HELPER(probe_read_user_str),
	HELPER(redirect),
	/* Rex's spin locks, under the policy of eBPF's: XDP and tc only. */
	{ "bpf_res_spin_lock", BPF_FUNC_spin_lock, rex_res_spin_lock, NULL },
	{ "bpf_res_spin_unlock", BPF_FUNC_spin_unlock, rex_res_spin_unlock, NULL },
	WRAPPED(ringbuf_discard),
	MAP_HELPER(ringbuf_output, map_ringbuf),
	MAP_WRAPPED(ringbuf_reserve, map_ringbuf),
	WRAPPED(ringbuf_submit),
	HELPER(skb_load_bytes),
	HELPER(skb_store_bytes),
	HELPER(trace_printk),
	HELPER(xdp_adjust_head),
	HELPER(xdp_adjust_tail),
};

/*
 * Which arguments of a helper are maps: from its prototype, so that a
 * helper added to the allowlist later is covered without a list here.
 */
static u8 map_args(const struct bpf_func_proto *fn)
{
	const enum bpf_arg_type args[] = {
		fn->arg1_type, fn->arg2_type, fn->arg3_type, fn->arg4_type, fn->arg5_type,
	};
	unsigned int i;
	u8 mask = 0;

	for (i = 0; i < ARRAY_SIZE(args); i++)
		if (base_type(args[i]) == ARG_CONST_MAP_PTR)
			mask |= BIT(i);
	return mask;
}

/**
 * rex_map_helpers() - the helpers that take a map of a type
 * @type: enum bpf_map_type
 *
 * Return: by allowlist index, a bit for each helper that takes maps of
 * @type, for &rex_map_slot.helpers.
 */
u64 rex_map_helpers(u32 type)
{
	u64 mask = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rex_helpers); i++)
		if (rex_helpers[i].map_ok && rex_helpers[i].map_ok(type))
			mask |= BIT_ULL(i);
	return mask;
}

static_assert(ARRAY_SIZE(rex_helpers) <= BITS_PER_TYPE(u64));
static_assert(!(sizeof(struct rex_map_slot) & (sizeof(struct rex_map_slot) - 1)));

/**
 * rex_map_arg() - check a map argument of a helper call
 * @rex: the running program
 * @idx: the helper's allowlist index
 * @arg: the argument
 *
 * Called by the gates of helpers that take maps, for each map argument.
 * It must be what the symbol of one of the program's maps stands for, a
 * map of a type the helper works on, which the verifier makes sure of for
 * eBPF; anything else panics the program.
 *
 * Return: the map, which the helper gets instead of @arg.
 */
static u64 rex_map_arg(const struct rex_prog *rex, unsigned int idx, u64 arg)
{
	unsigned long off = arg - (unsigned long)rex->maps;
	const struct rex_map_slot *slot;

	if (off >= rex->nr_maps * sizeof(*slot) || off & (sizeof(*slot) - 1))
		rex_panic("helper called with a pointer that is no map of the program");
	slot = &rex->maps[off / sizeof(*slot)];
	if (!(slot->helpers & BIT_ULL(idx)))
		rex_panic("helper called with a map of a type it does not take");
	return (unsigned long)slot->map;
}

/*
 * Programs call helpers through gates, one per allowlist entry: a gate
 * lets the runtime stop a program that ran past its budget or has too
 * little stack left for a helper (rex_helper_enter()), then calls the
 * function the program's type gets for the helper, which the load put at
 * the same index of the program's rex_prog::helpers.  Map arguments are
 * replaced by the maps they stand for.
 */
static __always_inline u64 gate(unsigned int n, unsigned long ip,
				u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	const struct rex_prog *rex = rex_helper_enter(ip);
	u8 maps = rex->map_args[n];

	if (maps) {
		if (maps & BIT(0))
			r1 = rex_map_arg(rex, n, r1);
		if (maps & BIT(1))
			r2 = rex_map_arg(rex, n, r2);
		if (maps & BIT(2))
			r3 = rex_map_arg(rex, n, r3);
		if (maps & BIT(3))
			r4 = rex_map_arg(rex, n, r4);
		if (maps & BIT(4))
			r5 = rex_map_arg(rex, n, r5);
	}
	return rex->helpers[n](r1, r2, r3, r4, r5);
}

#define GATE(n)								\
static u64 gate_##n(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)		\
{									\
	return gate(n, _RET_IP_, r1, r2, r3, r4, r5);			\
}

GATE(0) GATE(1) GATE(2) GATE(3) GATE(4) GATE(5) GATE(6) GATE(7)
GATE(8) GATE(9) GATE(10) GATE(11) GATE(12) GATE(13) GATE(14) GATE(15)
GATE(16) GATE(17) GATE(18) GATE(19) GATE(20) GATE(21) GATE(22) GATE(23)
GATE(24) GATE(25) GATE(26) GATE(27) GATE(28) GATE(29) GATE(30) GATE(31)
GATE(32) GATE(33) GATE(34) GATE(35) GATE(36) GATE(37) GATE(38) GATE(39)

static const rex_helper_fn rex_gates[REX_NR_HELPERS] = {
	gate_0, gate_1, gate_2, gate_3, gate_4, gate_5, gate_6, gate_7,
	gate_8, gate_9, gate_10, gate_11, gate_12, gate_13, gate_14, gate_15,
	gate_16, gate_17, gate_18, gate_19, gate_20, gate_21, gate_22, gate_23,
	gate_24, gate_25, gate_26, gate_27, gate_28, gate_29, gate_30, gate_31,
	gate_32, gate_33, gate_34, gate_35, gate_36, gate_37, gate_38, gate_39,
};

static_assert(ARRAY_SIZE(rex_helpers) <= REX_NR_HELPERS);

/**
 * rex_prog_type_name() - name of a program type Rex supports, for messages
 * @type: enum bpf_prog_type
 *
 * Return: a short name, "unknown" for types Rex does not support.
 */
const char *rex_prog_type_name(u32 type)
{
	switch (type) {
	case BPF_PROG_TYPE_KPROBE:
		return "kprobe";
	case BPF_PROG_TYPE_TRACEPOINT:
		return "tracepoint";
	case BPF_PROG_TYPE_PERF_EVENT:
		return "perf_event";
	case BPF_PROG_TYPE_XDP:
		return "xdp";
	case BPF_PROG_TYPE_SCHED_CLS:
		return "sched_cls";
	default:
		return "unknown";
	}
}

/*
 * The get_func_proto() of each program type Rex supports.  The verifier ops
 * of a type are only declared (linux/bpf_types.h) when the type exists.
 */
static const struct bpf_verifier_ops *verifier_ops(u32 type)
{
	switch (type) {
#ifdef CONFIG_BPF_EVENTS
	case BPF_PROG_TYPE_KPROBE:
		return &kprobe_verifier_ops;
	case BPF_PROG_TYPE_TRACEPOINT:
		return &tracepoint_verifier_ops;
	case BPF_PROG_TYPE_PERF_EVENT:
		return &perf_event_verifier_ops;
#endif
#ifdef CONFIG_NET
	case BPF_PROG_TYPE_XDP:
		return &xdp_verifier_ops;
	case BPF_PROG_TYPE_SCHED_CLS:
		return &tc_cls_act_verifier_ops;
#endif
	default:
		return NULL;
	}
}

static int find_helper(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rex_helpers); i++)
		if (!strcmp(rex_helpers[i].name, name))
			return i;
	return -ENOENT;
}

static bool is_tracing(u32 type)
{
	return type == BPF_PROG_TYPE_KPROBE || type == BPF_PROG_TYPE_TRACEPOINT ||
	       type == BPF_PROG_TYPE_PERF_EVENT;
}

static int resolve_helper(struct rex_load *ld, unsigned int idx, u64 *addr)
{
	const struct rex_helper *h = &rex_helpers[idx];
	struct bpf_prog *prog = ld->prog;
	const struct bpf_verifier_ops *ops = verifier_ops(prog->type);
	const struct bpf_func_proto *fn = NULL;

	/*
	 * As the verifier decides for eBPF: tracing programs may run in NMI
	 * context or interrupt a lock holder, so they take no spin locks.
	 */
	if ((h->func_id == BPF_FUNC_spin_lock || h->func_id == BPF_FUNC_spin_unlock) &&
	    is_tracing(prog->type))
		ops = NULL;
	if (ops && ops->get_func_proto)
		fn = ops->get_func_proto(h->func_id, prog);
	if (!fn || !fn->func) {
		rex_log(ld, "helper '%s' is not available to %s programs", h->name,
			rex_prog_type_name(prog->type));
		return -EINVAL;
	}
	if (fn->gpl_only && !prog->gpl_compatible) {
		rex_log(ld, "helper '%s' needs a GPL-compatible license", h->name);
		return -EINVAL;
	}
	ld->rex->map_args[idx] = map_args(fn);
	if (ld->rex->map_args[idx] && !h->map_ok) {
		rex_log(ld, "helper '%s' takes a map, and Rex knows no map type it may take",
			h->name);
		return -EINVAL;
	}

	/* What the verifier's fixups would have noted about the program. */
	switch (h->func_id) {
	case BPF_FUNC_override_return:
		prog->kprobe_override = 1;
		break;
	case BPF_FUNC_get_stackid:
		prog->call_get_stack = true;
		break;
	case BPF_FUNC_get_prandom_u32:
		bpf_user_rnd_init_once();
		break;
	default:
		break;
	}

	ld->rex->helpers[idx] = h->wrapper ?: fn->func;
	*addr = (unsigned long)rex_gates[idx];
	return 0;
}

/**
 * rex_import_reserved() - is a name one that only imports of helpers use?
 * @name: a symbol name
 *
 * Helper imports are named "bpf_..." (the BPF helper's name) or "rex_...",
 * now and when helpers are added; maps may not take such names, or a map
 * could stand in for a helper.
 *
 * Return: true if @name starts with "bpf_" or "rex_".
 */
bool rex_import_reserved(const char *name)
{
	return str_has_prefix(name, "bpf_") || str_has_prefix(name, "rex_");
}

/**
 * rex_import_resolve() - resolve one undefined symbol of an image
 * @ld: the load, with the image's maps bound
 * @name: the symbol's name
 * @kind: how the image uses it: called (a helper) or as data (a map)
 * @addr: set to the address the symbol stands for
 *
 * A called import is a thunk of the kernel's speculative-execution
 * mitigations, resolved by rex_arch_import(); "__fentry__" or "mcount",
 * the stack check at the entry of each function, resolved to
 * rex_arch_stack_check(); "rex_panic", resolved to rex_panic(); or a
 * helper of the allowlist that is available to the program's type,
 * resolved to its gate.  An import used as data is one of the image's
 * maps, resolved to its &struct rex_map_slot.
 *
 * Return: 0 on success, -ENOENT for an unknown name, -EINVAL for a
 * helper the program may not use or an import used as what it is not, and
 * -EOPNOTSUPP for a thunk of a mitigation the kernel is built without,
 * with a line naming the symbol in the log.
 */
int rex_import_resolve(struct rex_load *ld, const char *name, enum rex_import_kind kind,
		       u64 *addr)
{
	char shown[REX_NAME_SHOWN + 1];
	unsigned int i;
	int idx;

	idx = kind == REX_IMPORT_FUNC ? rex_arch_import(name, addr, &ld->rethunk) : -ENOENT;
	if (idx != -ENOENT) {
		if (idx)
			rex_log(ld,
				"import '%s' is a thunk of a mitigation this kernel is built without: build the image for this kernel",
				rex_printable(shown, name));
		return idx;
	}
	if (kind == REX_IMPORT_DATA) {
		for (i = 0; i < ld->nr_maps; i++) {
			if (!strcmp(rex_map_def_at(ld, i)->name, name)) {
				*addr = (unsigned long)&ld->rex->maps[i];
				return 0;
			}
		}
		if (rex_import_reserved(name)) {
			rex_log(ld, "import '%s' is a helper, used as data",
				rex_printable(shown, name));
			return -EINVAL;
		}
		rex_log(ld, "unknown import '%s': not a map of the image",
			rex_printable(shown, name));
		return -ENOENT;
	}
	/*
	 * The stack check at the entry of every function of the image: C
	 * images built with -pg -mfentry call __fentry__, Rust images built
	 * with -Zinstrument-mcount call mcount.
	 */
	if (!strcmp(name, "__fentry__") || !strcmp(name, "mcount")) {
		*addr = (unsigned long)rex_arch_stack_check;
		return 0;
	}
	/* Not gated: it is the way out, available to every program type. */
	if (!strcmp(name, "rex_panic")) {
		*addr = (unsigned long)rex_panic;
		return 0;
	}
	idx = find_helper(name);
	if (idx >= 0)
		return resolve_helper(ld, idx, addr);
	for (i = 0; i < ld->nr_maps; i++) {
		if (!strcmp(rex_map_def_at(ld, i)->name, name)) {
			rex_log(ld, "import '%s' is a map, called as a function",
				rex_printable(shown, name));
			return -EINVAL;
		}
	}
	rex_log(ld, "unknown import '%s': not a Rex helper",
		rex_printable(shown, name));
	return -ENOENT;
}

#ifdef CONFIG_REX_KUNIT_TEST
#include "helpers_test.c"
#endif
