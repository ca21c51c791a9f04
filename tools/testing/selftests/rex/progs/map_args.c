// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs that pass helpers maps they do not take: the kernel checks
 * every map argument of a helper call (the verifier does it for eBPF),
 * and a wrong one panics the program.  cfg[0] selects what is passed:
 * REX_MAP_ARG_OK the map the helper takes, REX_MAP_ARG_ARRAY an array map,
 * REX_MAP_ARG_OTHER a map of the other helper's type, REX_MAP_ARG_NOT_MAP
 * the address of something that is no map, REX_MAP_ARG_INSIDE an address
 * inside what the right map's symbol stands for, and REX_MAP_ARG_NEXT
 * where the symbol of a map after the last one would point.  out[0] counts calls that
 * returned.  The XDP programs are built here (bpf_perf_event_output(),
 * bpf_map_push_elem() and bpf_map_lookup_elem()), the kprobe program in
 * map_args_kprobe.c: an image's imports must suit all its programs.
 */

#include "rex_prog.h"
#include "attach_common.h"

REX_LICENSE("GPL");
REX_MAP(cfg, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(out, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(target, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 1);
REX_MAP(events, BPF_MAP_TYPE_PERF_EVENT_ARRAY, sizeof(__u32), sizeof(__u32), 4);
REX_MAP(stacks, BPF_MAP_TYPE_STACK_TRACE, sizeof(__u32), 8 * sizeof(__u64), 4);
REX_MAP(queue, BPF_MAP_TYPE_QUEUE, 0, sizeof(__u64), 4);
#ifdef REX_KPROBE
REX_PROG(rex_kprobe_stackid, BPF_PROG_TYPE_KPROBE, 0);
#else
REX_PROG(rex_xdp_event, BPF_PROG_TYPE_XDP, 0);
REX_PROG(rex_xdp_push, BPF_PROG_TYPE_XDP, 0);
REX_PROG(rex_xdp_lookup, BPF_PROG_TYPE_XDP, 0);
#endif

static void *pick(void *ok, void *other, void *not_map)
{
	__u32 zero = 0;
	__u64 *mode = bpf_map_lookup_elem(&cfg, &zero);

	switch (mode ? *mode : REX_MAP_ARG_OK) {
	case REX_MAP_ARG_ARRAY:
		return rex_hide(&out);
	case REX_MAP_ARG_OTHER:
		return rex_hide(other);
	case REX_MAP_ARG_NOT_MAP:
		return rex_hide(not_map);
	case REX_MAP_ARG_INSIDE:
		return rex_hide((char *)ok + 8);
	case REX_MAP_ARG_NEXT:
		return rex_hide((char *)&queue + ((char *)&queue - (char *)&stacks));
	default:
		return rex_hide(ok);
	}
}

#ifndef REX_KPROBE
REX_ENTRY(rex_xdp_event, struct rex_xdp_buff *, ctx)
{
	__u64 v = 1;

	bpf_perf_event_output(ctx, pick(&events, &stacks, &v), BPF_F_CURRENT_CPU, &v,
			      sizeof(v));
	rex_count(&out, 0, 1);
	return XDP_PASS;
}

/* A push into an array map would call an operation array maps lack. */
REX_ENTRY(rex_xdp_push, struct rex_xdp_buff *, ctx)
{
	__u64 v = 1;

	bpf_map_push_elem(pick(&queue, &events, &v), &v, BPF_EXIST);
	rex_count(&out, 0, 1);
	return XDP_PASS;
}

/* A lookup in a queue map: the helper takes maps with keys only. */
REX_ENTRY(rex_xdp_lookup, struct rex_xdp_buff *, ctx)
{
	__u32 zero = 0;
	__u64 v = 1;

	bpf_map_lookup_elem(pick(&target, &queue, &v), &zero);
	rex_count(&out, 0, 1);
	return XDP_PASS;
}
#else
REX_ENTRY(rex_kprobe_stackid, struct pt_regs *, regs)
{
	__u64 v = 1;

	if (!rex_is_target(&target))
		return 0;
	bpf_get_stackid(regs, pick(&stacks, &events, &v), 0);
	rex_count(&out, 0, 1);
	return 0;
}
#endif
