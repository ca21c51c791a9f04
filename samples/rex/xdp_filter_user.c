// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_filter: attach xdp_filter.rex to a device, drop UDP to one port,
 * and after a while show what arrived, per IP protocol.
 *
 *   xdp_filter xdp_filter.rex IFNAME PORT [seconds]
 */
#include "rex_sample.h"

static __u64 get(int fd, __u32 key)
{
	__u64 v = 0;

	rex_map_lookup_elem(fd, &key, &v);
	return v;
}

int main(int argc, char **argv)
{
	struct rex_object *obj;
	struct rex_link *link;
	int proto, cfg, ifindex;
	__u64 port;
	__u32 i;

	if (argc < 4) {
		fprintf(stderr, "usage: %s xdp_filter.rex IFNAME PORT [seconds]\n", argv[0]);
		return 2;
	}
	ifindex = sample_ifindex(argv[2]);
	obj = sample_load(argv[1]);
	proto = sample_map(obj, "PROTO");
	cfg = sample_map(obj, "CFG");
	port = atoi(argv[3]);
	i = 0;
	rex_map_update_elem(cfg, &i, &port, 0);
	link = rex_program__attach_xdp(sample_prog(obj), ifindex);
	sample_attached(link, "xdp");
	sleep(argc > 4 ? atoi(argv[4]) : 5);
	rex_link__destroy(link);
	for (i = 0; i < 256; i++)
		if (get(proto, i))
			printf("IP protocol %3u: %llu\n", i, (unsigned long long)get(proto, i));
	printf("not IPv4: %llu\nUDP to port %llu dropped: %llu\n",
	       (unsigned long long)get(proto, 256), (unsigned long long)port,
	       (unsigned long long)get(cfg, 1));
	rex_object__close(obj);
	return 0;
}
