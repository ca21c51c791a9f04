// SPDX-License-Identifier: GPL-2.0
/*
 * Rex demo, run by "make demo" in the test VM: an XDP program on a veth
 * pair and a kprobe program on the getppid syscall, both C-built Rex
 * images loaded with librex, count real traffic and real syscalls; the
 * demo prints the counts from their maps and what bpftool sees.
 *
 * Not a test: it is installed with the selftests but not run by them.
 */

#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <linux/if_link.h>

#define REX_NO_HARNESS
#include "rex_test.h"
#include "rex_net.h"
#include "progs/attach_common.h"

REX_IMAGE(xdp_count);
REX_IMAGE(kprobe_getppid);

static unsigned long long count(struct rex_object *obj, const char *map, __u32 key)
{
	__u64 v = 0;

	rex_map_lookup_elem(rex_object__find_map_fd_by_name(obj, map), &key, &v);
	return v;
}

int main(void)
{
	static const struct { unsigned short type; const char *name; int n; } traffic[] = {
		{ 0x0800, "IPv4", 5 }, { 0x0806, "ARP", 2 }, { 0x86dd, "IPv6", 3 },
		{ REX_ETH_DROP, "0x88b5 (dropped by the program)", 4 },
	};
	struct rex_object *xdp, *kp;
	struct rex_link *link;
	int rx, tx, txfd, round, i;
	__u64 tgid = getpid();
	__u32 zero = 0;

	if (rex_net_enter_netns() || rex_veth_setup("rexrx", "rextx", &rx, &tx)) {
		perror("network namespace with a veth pair");
		return 1;
	}
	xdp = REX_TEST_LOAD(xdp_count);
	kp = REX_TEST_LOAD(kprobe_getppid);
	if (rex_xdp_attach(rx, rex_object__find_prog_fd_by_name(xdp, "rex_xdp_count"),
			   XDP_FLAGS_DRV_MODE)) {
		fprintf(stderr, "XDP attach failed\n");
		return 1;
	}
	rex_map_update_elem(rex_object__find_map_fd_by_name(kp, "target"), &zero, &tgid, 0);
	link = rex_program__attach_kprobe(rex_object__find_program_by_name(kp,
									   "rex_kprobe_getppid"),
					  false, "__x64_sys_getppid");
	if (!link) {
		perror("kprobe attach");
		return 1;
	}

	printf("XDP program rex_xdp_count on veth rexrx (native mode), kprobe program\n");
	printf("rex_kprobe_getppid on __x64_sys_getppid; frames are sent from rextx.\n\n");
	txfd = rex_packet_socket(tx, 0);
	for (round = 1; round <= 3; round++) {
		for (i = 0; i < (int)ARRAY_SIZE(traffic); i++)
			rex_send_frames(txfd, tx, traffic[i].type, 60, traffic[i].n);
		for (i = 0; i < 7 * round; i++)
			syscall(__NR_getppid);
		usleep(100 * 1000);
		printf("round %d: getppid calls counted by the kprobe program: %llu\n", round,
		       count(kp, "counts", 0));
		for (i = 0; i < (int)ARRAY_SIZE(traffic); i++)
			printf("         XDP frames %-32s %llu\n", traffic[i].name,
			       count(xdp, "counts", traffic[i].type));
	}

	printf("\n$ bpftool prog show\n");
	fflush(stdout);
	if (system("bpftool prog show"))
		printf("(bpftool not available)\n");

	rex_link__destroy(link);
	rex_xdp_detach(rx, XDP_FLAGS_DRV_MODE);
	rex_object__close(kp);
	rex_object__close(xdp);
	return 0;
}
