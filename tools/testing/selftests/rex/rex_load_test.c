// SPDX-License-Identifier: GPL-2.0
/*
 * Rex loader tests: a C-built XDP image is loaded through BPF_PROG_LOAD
 * with BPF_F_REX and run with BPF_PROG_TEST_RUN.  Malformed images are
 * covered by rex_reject_test.c.
 */

#include "rex_test.h"

REX_IMAGE(xdp_first_light);

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

TEST_HARNESS_MAIN
