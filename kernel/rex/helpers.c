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
#include <uapi/linux/rex.h>

#include "rex.h"

/**
 * struct rex_helper - one entry of the Rex helper allowlist
 * @name: the import name, equal to the BPF helper's name
 * @func_id: the BPF helper whose availability and GPL rule apply
 * @wrapper: Rex function to call instead of the BPF helper's, or NULL
 */
struct rex_helper {
	const char *name;
	enum bpf_func_id func_id;
	const void *wrapper;
};

static bool rex_map_has_values(const struct bpf_map *map)
{
	return rex_map_type_has_values(map->map_type);
}

static void *rex_map_lookup_elem(struct bpf_map *map, void *key)
{
	if (!rex_map_has_values(map))
		return NULL;
	return map->ops->map_lookup_elem(map, key);
}

static long rex_map_update_elem(struct bpf_map *map, void *key, void *value, u64 flags)
{
	if (!rex_map_has_values(map))
		return -EINVAL;
	return map->ops->map_update_elem(map, key, value, flags);
}

static long rex_map_delete_elem(struct bpf_map *map, void *key)
{
	if (!rex_map_has_values(map))
		return -EINVAL;
	return map->ops->map_delete_elem(map, key);
}

static long rex_ringbuf_output(struct bpf_map *map, void *data, u64 size, u64 flags)
{
	if (map->map_type != BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	return bpf_ringbuf_output_proto.func((unsigned long)map, (unsigned long)data,
					     size, flags, 0);
}

/*
 * A reserved record is a resource: it blocks the ring buffer's consumer
 * until it is submitted or discarded, so it goes into the ledger, and a
 * full ledger fails the reservation.  Submitting or discarding a record
 * that is not in the ledger is refused: it was never reserved, or it is
 * gone already.
 */
static void *rex_ringbuf_reserve(struct bpf_map *map, u64 size, u64 flags)
{
	void *rec;

	if (map->map_type != BPF_MAP_TYPE_RINGBUF)
		return NULL;
	rec = (void *)(unsigned long)bpf_ringbuf_reserve_proto.func((unsigned long)map,
								    size, flags, 0, 0);
	if (rec && rex_res_acquired(REX_RES_RINGBUF_RECORD, rec)) {
		rex_res_release(REX_RES_RINGBUF_RECORD, rec);
		rec = NULL;
	}
	return rec;
}

static void rex_ringbuf_submit(void *rec, u64 flags)
{
	if (rex_res_released(rec))
		bpf_ringbuf_submit_proto.func((unsigned long)rec, flags, 0, 0, 0);
}

static void rex_ringbuf_discard(void *rec, u64 flags)
{
	if (rex_res_released(rec))
		bpf_ringbuf_discard_proto.func((unsigned long)rec, flags, 0, 0, 0);
}

/**
 * rex_res_release() - release a resource a program still holds
 * @kind: the kind of resource
 * @ptr: the resource
 *
 * Called by the runtime for each ledger entry when a program panics or
 * returns without releasing it.
 */
void rex_res_release(enum rex_resource kind, void *ptr)
{
	switch (kind) {
	case REX_RES_RINGBUF_RECORD:
		bpf_ringbuf_discard_proto.func((unsigned long)ptr, 0, 0, 0, 0);
		break;
	}
}

#define HELPER(fn)		{ "bpf_" #fn, BPF_FUNC_##fn, NULL }
#define WRAPPED(fn)		{ "bpf_" #fn, BPF_FUNC_##fn, rex_##fn }
/* A helper of Rex's own, available to every program type. */
#define REX_HELPER(fn)		{ "rex_" #fn, BPF_FUNC_unspec, rex_##fn }

/* The allowlist, sorted by name: BPF helpers, then Rex's own. */
static const struct rex_helper rex_helpers[] = {
	HELPER(get_current_comm),
	HELPER(get_current_pid_tgid),
	HELPER(get_current_task),
	HELPER(get_current_uid_gid),
	HELPER(get_prandom_u32),
	HELPER(get_smp_processor_id),
	HELPER(get_stackid),
	HELPER(ktime_get_boot_ns),
	HELPER(ktime_get_ns),
	WRAPPED(map_delete_elem),
	WRAPPED(map_lookup_elem),
	WRAPPED(map_update_elem),
	HELPER(override_return),
	HELPER(perf_event_output),
	HELPER(probe_read_kernel),
	HELPER(probe_read_kernel_str),
	HELPER(probe_read_user),
	HELPER(probe_read_user_str),
	HELPER(redirect),
	WRAPPED(ringbuf_discard),
	WRAPPED(ringbuf_output),
	WRAPPED(ringbuf_reserve),
	WRAPPED(ringbuf_submit),
	REX_HELPER(panic),
	HELPER(skb_load_bytes),
	HELPER(skb_store_bytes),
	HELPER(trace_printk),
	HELPER(xdp_adjust_head),
	HELPER(xdp_adjust_tail),
};

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

/* The get_func_proto() of each program type Rex supports. */
static const struct bpf_verifier_ops *verifier_ops(u32 type)
{
	switch (type) {
	case BPF_PROG_TYPE_KPROBE:
		return IS_ENABLED(CONFIG_BPF_EVENTS) ? &kprobe_verifier_ops : NULL;
	case BPF_PROG_TYPE_TRACEPOINT:
		return IS_ENABLED(CONFIG_BPF_EVENTS) ? &tracepoint_verifier_ops : NULL;
	case BPF_PROG_TYPE_PERF_EVENT:
		return IS_ENABLED(CONFIG_BPF_EVENTS) ? &perf_event_verifier_ops : NULL;
	case BPF_PROG_TYPE_XDP:
		return IS_ENABLED(CONFIG_NET) ? &xdp_verifier_ops : NULL;
	case BPF_PROG_TYPE_SCHED_CLS:
		return IS_ENABLED(CONFIG_NET) ? &tc_cls_act_verifier_ops : NULL;
	default:
		return NULL;
	}
}

static const struct rex_helper *find_helper(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rex_helpers); i++)
		if (!strcmp(rex_helpers[i].name, name))
			return &rex_helpers[i];
	return NULL;
}

static int resolve_helper(struct rex_load *ld, const struct rex_helper *h, u64 *addr)
{
	struct bpf_prog *prog = ld->prog;
	const struct bpf_verifier_ops *ops = verifier_ops(prog->type);
	const struct bpf_func_proto *fn = NULL;

	if (h->func_id == BPF_FUNC_unspec) {
		*addr = (unsigned long)h->wrapper;
		return 0;
	}
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

	*addr = h->wrapper ? (unsigned long)h->wrapper : (unsigned long)fn->func;
	return 0;
}

/**
 * rex_import_resolve() - resolve one undefined symbol of an image
 * @ld: the load, with the image's maps bound
 * @name: the symbol's name
 * @addr: set to the address the symbol stands for
 *
 * A name that equals the name of one of the image's maps resolves to the
 * map bound to it; any other name must be a helper of the allowlist that is
 * available to the program's type.
 *
 * Return: 0 on success, -ENOENT for an unknown name and -EINVAL for a
 * helper the program may not use, with a line naming the symbol in the log.
 */
int rex_import_resolve(struct rex_load *ld, const char *name, u64 *addr)
{
	const struct rex_helper *h;
	unsigned int i;

	for (i = 0; i < ld->nr_maps; i++) {
		if (!strcmp(ld->map_defs[i].name, name)) {
			*addr = (unsigned long)ld->prog->aux->used_maps[i];
			return 0;
		}
	}
	h = find_helper(name);
	if (!h) {
		rex_log(ld, "unknown import '%s': not a map of the image nor a Rex helper", name);
		return -ENOENT;
	}
	return resolve_helper(ld, h, addr);
}
