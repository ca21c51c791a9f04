// SPDX-License-Identifier: GPL-2.0
/*
 * Rex XDP program whose map cfg is read-only for programs
 * (BPF_F_RDONLY_PROG): it reads cfg[0] into out[0], tries to write and to
 * delete it, and stores what the helpers returned in out[1] and out[2].
 */

#include "rex_prog.h"

REX_LICENSE("GPL");
REX_MAP_FLAGS(cfg, BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u64), 1, BPF_F_RDONLY_PROG);
REX_MAP(out, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 3);
REX_PROG(rex_xdp_rdonly, BPF_PROG_TYPE_XDP, 0);

static void set(__u32 i, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&out, &i);

	if (p)
		*p = v;
}

REX_ENTRY(rex_xdp_rdonly, const struct rex_xdp_buff *, ctx)
{
	__u64 *v, nv = 42;
	__u32 zero = 0;

	v = bpf_map_lookup_elem(&cfg, &zero);
	set(0, v ? *v : ~0ULL);
	set(1, (__u64)bpf_map_update_elem(&cfg, &zero, &nv, 0));
	set(2, (__u64)bpf_map_delete_elem(&cfg, &zero));
	return XDP_PASS;
}
