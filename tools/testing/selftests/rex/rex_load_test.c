// SPDX-License-Identifier: GPL-2.0
/*
 * Rex loader tests: a C-built XDP image is loaded through BPF_PROG_LOAD
 * with BPF_F_REX and run with BPF_PROG_TEST_RUN.  Malformed images are
 * covered by rex_reject_test.c.
 */

#include "rex_test.h"

REX_IMAGE(xdp_first_light);
REX_IMAGE(abi_grown);
REX_IMAGE(abi_grown_prog);
REX_IMAGE(abi_grown_map);

#define ENTRY "rex_xdp_first_light"

static char log_buf[REX_LOG_SIZE];

/* Every test needs a kernel that loads Rex programs, else it skips. */
FIXTURE(rex) {
};

FIXTURE_SETUP(rex)
{
	const char *why = rex_unsupported();

	if (why)
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(rex)
{
}

static void frame(unsigned char *pkt, size_t len, unsigned short ethertype)
{
	memset(pkt, 0, len);
	memset(pkt, 0xff, 6);		/* broadcast destination */
	pkt[6] = 0x02;			/* locally administered source */
	pkt[12] = ethertype >> 8;
	pkt[13] = ethertype & 0xff;
}

TEST_F(rex, xdp_verdicts)
{
	static const struct {
		unsigned short ethertype;
		unsigned int verdict;
	} cases[] = {
		{ 0x0800, 2 /* XDP_PASS, IPv4 */ },
		{ 0x0806, 1 /* XDP_DROP, ARP */ },
		{ 0x86dd, 2 /* XDP_PASS, IPv6 */ },
	};
	unsigned char pkt[64];
	unsigned int i, retval;
	int fd;

	fd = rex_load(BPF_PROG_TYPE_XDP, xdp_first_light_start,
		      xdp_first_light_end - xdp_first_light_start, ENTRY,
		      log_buf, sizeof(log_buf));
	ASSERT_LE(0, fd) TH_LOG("load failed: %s: %s", strerror(errno), log_buf);

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		frame(pkt, sizeof(pkt), cases[i].ethertype);
		retval = ~0U;
		ASSERT_EQ(0, rex_test_run(fd, pkt, sizeof(pkt), &retval))
			TH_LOG("test run failed: %s", strerror(errno));
		TH_LOG("ethertype %#06x: verdict %u, expected %u",
		       cases[i].ethertype, retval, cases[i].verdict);
		EXPECT_EQ(cases[i].verdict, retval);
	}
	close(fd);
}

/*
 * Load, run and unload many times: each cycle maps, relocates, protects
 * and frees an image through the BPF free path.
 */
TEST_F(rex, load_run_unload_cycles)
{
	unsigned char pkt[64];
	unsigned int retval;
	int i, fd;

	frame(pkt, sizeof(pkt), 0x0806);
	for (i = 0; i < 500; i++) {
		fd = rex_load(BPF_PROG_TYPE_XDP, xdp_first_light_start,
			      xdp_first_light_end - xdp_first_light_start, ENTRY,
			      log_buf, sizeof(log_buf));
		ASSERT_LE(0, fd) TH_LOG("cycle %d: %s: %s", i, strerror(errno), log_buf);
		retval = ~0U;
		ASSERT_EQ(0, rex_test_run(fd, pkt, sizeof(pkt), &retval));
		ASSERT_EQ(1, retval);
		close(fd);
	}
}

/*
 * Descriptions from a later linux/rex.h, grown by a member this kernel
 * does not know: loaded when the member is zero, and the program runs
 * with the map it describes; refused with E2BIG, naming the section, when
 * the member is set, in the program's or in the map's description.
 */
TEST_F(rex, grown_descriptions)
{
	static const struct {
		const unsigned char *start, *end;
		const char *msg;
	} set[] = {
		{ abi_grown_prog_start, abi_grown_prog_end,
		  "section .rex.progs: entry 0: non-zero bytes past the 84 known" },
		{ abi_grown_map_start, abi_grown_map_end,
		  "section .rex.maps: entry 0: non-zero bytes past the 44 known" },
	};
	struct rex_object *obj;
	unsigned char pkt[64];
	unsigned int i, retval;
	int fd, map_fd, err;

	obj = rex_object__open_mem(abi_grown_start, abi_grown_end - abi_grown_start);
	ASSERT_NE(NULL, obj);
	err = rex_object__load(obj);
	ASSERT_EQ(0, err) TH_LOG("load failed: %s: %s", strerror(-err), rex_object__log(obj));
	fd = rex_object__find_prog_fd_by_name(obj, "rex_abi_grown");
	map_fd = rex_object__find_map_fd_by_name(obj, "runs");
	ASSERT_LE(0, fd);
	ASSERT_LE(0, map_fd);
	frame(pkt, sizeof(pkt), 0x0800);
	for (i = 0; i < 3; i++) {
		retval = ~0U;
		ASSERT_EQ(0, rex_test_run(fd, pkt, sizeof(pkt), &retval));
		EXPECT_EQ(2 /* XDP_PASS */, retval);
	}
	EXPECT_EQ(3, rex_u64_get(map_fd, 0));
	rex_object__close(obj);

	for (i = 0; i < ARRAY_SIZE(set); i++) {
		obj = rex_object__open_mem(set[i].start, set[i].end - set[i].start);
		ASSERT_NE(NULL, obj);
		err = rex_object__load(obj);
		EXPECT_EQ(-E2BIG, err) TH_LOG("image %u: %s", i, rex_object__log(obj));
		EXPECT_NE(NULL, strstr(rex_object__log(obj), set[i].msg))
			TH_LOG("image %u logged '%s'", i, rex_object__log(obj));
		rex_object__close(obj);
	}
}

TEST_HARNESS_MAIN
