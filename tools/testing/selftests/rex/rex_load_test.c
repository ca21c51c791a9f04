// SPDX-License-Identifier: GPL-2.0
/*
 * Rex loader tests: a C-built XDP image is loaded through BPF_PROG_LOAD
 * with BPF_F_REX and run with BPF_PROG_TEST_RUN; malformed images are
 * refused with an errno and a log line that names the problem.
 */

#include <elf.h>
#include <stdlib.h>

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

/* A private, writable copy of the first-light image. */
static unsigned char *image_copy(size_t *len)
{
	unsigned char *img;

	*len = xdp_first_light_end - xdp_first_light_start;
	img = malloc(*len);
	if (img)
		memcpy(img, xdp_first_light_start, *len);
	return img;
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

/* Load @img and expect failure with @err and @msg in the log. */
static void expect_reject(struct __test_metadata *_metadata, const void *img,
			  size_t len, const char *entry, int err, const char *msg)
{
	int fd;

	fd = rex_load(BPF_PROG_TYPE_XDP, img, len, entry, log_buf, sizeof(log_buf));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(-1, fd);
	EXPECT_EQ(err, errno) TH_LOG("errno %s, log: %s", strerror(errno), log_buf);
	EXPECT_NE(NULL, strstr(log_buf, msg)) TH_LOG("log: '%s', expected '%s'", log_buf, msg);
}

TEST_F(rex, rejects_bad_magic)
{
	unsigned char *img;
	size_t len;

	img = image_copy(&len);
	ASSERT_NE(NULL, img);
	img[1] = 'X';
	expect_reject(_metadata, img, len, ENTRY, EINVAL, "rex: not an ELF image (bad magic)");
	free(img);
}

TEST_F(rex, rejects_truncated_header)
{
	expect_reject(_metadata, xdp_first_light_start, 32, ENTRY, EINVAL,
		      "rex: image of 32 bytes is too small for an ELF header");
}

TEST_F(rex, rejects_writable_text)
{
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	unsigned char *img;
	size_t len;
	int i;

	img = image_copy(&len);
	ASSERT_NE(NULL, img);
	eh = (Elf64_Ehdr *)img;
	ph = (Elf64_Phdr *)(img + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X))
			break;
	ASSERT_LT(i, eh->e_phnum);
	ph[i].p_flags |= PF_W;
	expect_reject(_metadata, img, len, ENTRY, EACCES, "is both writable and executable");
	free(img);
}

TEST_F(rex, rejects_missing_entry)
{
	expect_reject(_metadata, xdp_first_light_start,
		      xdp_first_light_end - xdp_first_light_start, "no_such_entry",
		      ENOENT, "rex: entry symbol 'no_such_entry' not found");
}

TEST_HARNESS_MAIN
