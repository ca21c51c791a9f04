// SPDX-License-Identifier: GPL-2.0
/*
 * tc_marker: mark the IPv4 packets a device sends with a DSCP value, for
 * a while, with a tcx egress program.
 *
 *   tc_marker tc_marker.rex IFNAME DSCP [seconds]
 */
#include "rex_sample.h"

int main(int argc, char **argv)
{
	struct rex_object *obj;
	struct rex_link *link;
	__u32 zero = 0, one = 1;
	__u64 dscp, marked = 0;
	int cfg, ifindex;

	if (argc < 4) {
		fprintf(stderr, "usage: %s tc_marker.rex IFNAME DSCP [seconds]\n", argv[0]);
		return 2;
	}
	ifindex = sample_ifindex(argv[2]);
	obj = sample_load(argv[1]);
	cfg = sample_map(obj, "CFG");
	dscp = atoi(argv[3]);
	rex_map_update_elem(cfg, &zero, &dscp, 0);
	link = rex_program__attach_tcx(sample_prog(obj), ifindex, BPF_TCX_EGRESS);
	sample_attached(link, "tcx egress");
	sleep(argc > 4 ? atoi(argv[4]) : 5);
	rex_link__destroy(link);
	rex_map_lookup_elem(cfg, &one, &marked);
	printf("%llu IPv4 packets marked with DSCP %llu\n", (unsigned long long)marked,
	       (unsigned long long)dscp);
	rex_object__close(obj);
	return 0;
}
