// SPDX-License-Identifier: GPL-2.0
/*
 * Rex XDP program for the panic path: reserve cfg[0] ring buffer records
 * (count the failed reservations in out[0]), then, by cfg[1]: panic while
 * holding them (REX_PANIC), submit them (REX_SUBMIT), or return holding
 * them (REX_LEAK).  out[1] counts runs that got past the panic, which
 * must stay 0.
 */

#include "rex_prog.h"
#include "panic_common.h"

REX_LICENSE("GPL");
REX_MAP(rb, BPF_MAP_TYPE_RINGBUF, 0, 0, REX_PANIC_RB_SIZE);
REX_MAP(cfg, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 2);
REX_MAP(out, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 2);
REX_PROG(rex_xdp_panic, BPF_PROG_TYPE_XDP, BPF_XDP);

static __u64 get(void *map, __u32 key)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	return v ? *v : 0;
}

unsigned int rex_xdp_panic(const struct rex_xdp_buff *ctx)
{
	__u64 n = get(&cfg, 0), mode = get(&cfg, 1), failed = 0;
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
	if (mode == REX_PANIC)
		rex_panic("xdp test panic");
	if (mode == REX_SUBMIT)
		for (i = 0; i < got; i++)
			bpf_ringbuf_submit(recs[i], 0);
	rex_count(&out, 1, mode == REX_PANIC);
	return XDP_PASS;
}
