// SPDX-License-Identifier: GPL-2.0
/*
 * Rex on hardened kernels: the loader binds an image's calls into the
 * kernel as direct jumps and refuses a PLT entry that jumps anywhere else;
 * a failed kCFI check in an image is reported and the program left, with
 * the lock it held released; an entry must have the entry type, whose kCFI
 * hash the kernel checks at every call; a function whose address an image takes must
 * have an IBT landing pad on a kernel built for IBT; an image that returns
 * without the return thunk is refused on a CPU that needs one.
 *
 * The images are built with the mitigation flags of the kernel build the
 * tests are for (REX_IMAGE_MITIGATIONS); REX_KERNEL_IBT and REX_KERNEL_CFI
 * say how that kernel was configured (1, 0, or -1 if unknown).
 */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "rex_test.h"

REX_IMAGE(cfi_call);
REX_IMAGE(xdp_count);
REX_IMAGE(xdp_nocf);
REX_IMAGE(xdp_untyped);
REX_IMAGE(xdp_first_light);
REX_IMAGE(xdp_first_light_plain);

static const unsigned char ipv4_frame[64] = { [12] = 0x08, [13] = 0x00 };

/* Load @entry of the image [@start, @end) with no maps; log into @log. */
static int load_xdp(const unsigned char *start, const unsigned char *end, const char *entry,
		    char *log, size_t log_size)
{
	return rex_load(BPF_PROG_TYPE_XDP, start, end - start, entry, log, log_size);
}

/*
 * Load @entry of the image [@start, @end): if @refused, expect EINVAL with
 * @why in the log; else expect it to load and return @verdict for an IPv4
 * frame.
 */
static void expect_refused_or_runs(struct __test_metadata *_metadata,
				   const unsigned char *start, const unsigned char *end,
				   const char *entry, bool refused, const char *why,
				   unsigned int verdict)
{
	char log[REX_LOG_SIZE] = "";
	unsigned int ret = 0;
	int fd;

	fd = load_xdp(start, end, entry, log, sizeof(log));
	if (refused) {
		EXPECT_GT(0, fd);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_NE(NULL, strstr(log, why)) TH_LOG("%s", log);
	} else {
		ASSERT_LE(0, fd) TH_LOG("%s", log);
		ASSERT_EQ(0, rex_test_run(fd, ipv4_frame, sizeof(ipv4_frame), &ret));
		EXPECT_EQ(verdict, ret);
	}
	if (fd >= 0)
		close(fd);
}

/* Does /sys/devices/system/cpu/vulnerabilities/@name mention @text? */
static bool vulnerability_says(const char *name, const char *text)
{
	char path[128], line[256] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s", name);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return strstr(line, text);
}

/*
 * Does the kernel return through a return thunk on this CPU?  The
 * mitigations that make it (arch/x86/kernel/cpu/bugs.c, which sets
 * X86_FEATURE_RETHUNK for them), as their sysfs files name them.
 */
static bool return_thunks_in_use(void)
{
	return vulnerability_says("retbleed", "untrained return thunk") ||
	       vulnerability_says("retbleed", "Stuffing") ||
	       vulnerability_says("spec_rstack_overflow", "Safe RET") ||
	       vulnerability_says("indirect_target_selection", "return thunks") ||
	       vulnerability_says("indirect_target_selection", "Stuffing RSB");
}

FIXTURE(cfi) {
	struct rex_object *obj;
	int good, bad;
};

FIXTURE_SETUP(cfi)
{
	const char *why = rex_unsupported();

	self->obj = NULL;
	if (why)
		SKIP(return, "%s", why);
	self->obj = REX_TEST_LOAD(cfi_call);
	self->good = rex_object__find_prog_fd_by_name(self->obj, "rex_cfi_good");
	self->bad = rex_object__find_prog_fd_by_name(self->obj, "rex_cfi_bad");
	ASSERT_LE(0, self->good);
	ASSERT_LE(0, self->bad);
}

FIXTURE_TEARDOWN(cfi)
{
	rex_object__close(self->obj);
}

/* An indirect call through a pointer of the right type returns. */
TEST_F(cfi, right_type)
{
	unsigned int ret = 0;

	ASSERT_EQ(0, rex_test_run(self->good, ipv4_frame, sizeof(ipv4_frame), &ret));
	EXPECT_EQ(XDP_TX, ret);
	EXPECT_EQ(0, rex_fdinfo_value(self->good, "rex_traps"));
}

/*
 * A call through a pointer of another type traps on the kCFI check: the
 * program is left (XDP_ABORTED) and reported, the spin lock it held is
 * released (the good program takes it again at once), and the kernel goes
 * on, every time.
 */
TEST_F(cfi, wrong_type_traps)
{
	unsigned int ret = 0;
	int i;

	if (!strstr(REX_IMAGE_MITIGATIONS, "-fsanitize=kcfi")) {
		/* Nothing checks: the call returns, as C without kCFI does. */
		ASSERT_EQ(0, rex_test_run(self->bad, ipv4_frame, sizeof(ipv4_frame), &ret));
		EXPECT_EQ(XDP_TX, ret);
		EXPECT_NE(1, REX_KERNEL_CFI) TH_LOG("images built without kCFI for a kCFI kernel");
		SKIP(return, "images built without kCFI (kernel without CONFIG_CFI)");
	}
	for (i = 0; i < 5; i++) {
		ret = ~0U;
		ASSERT_EQ(0, rex_test_run(self->bad, ipv4_frame, sizeof(ipv4_frame), &ret));
		EXPECT_EQ(XDP_ABORTED, ret);
		ret = ~0U;
		ASSERT_EQ(0, rex_test_run(self->good, ipv4_frame, sizeof(ipv4_frame), &ret));
		EXPECT_EQ(XDP_TX, ret) TH_LOG("the lock of the trapped run was not released");
	}
	EXPECT_EQ(5, rex_fdinfo_value(self->bad, "rex_traps"));
	EXPECT_EQ(0, rex_fdinfo_value(self->bad, "rex_panics"));
	EXPECT_EQ(0, rex_fdinfo_value(self->bad, "rex_leaks"));
	EXPECT_TRUE(rex_klog_has("trapped: kCFI check failed, expected type hash 0x"));
}

/*
 * Every PLT entry whose relocation the loader resolved becomes a direct
 * jump (checked in rex_info_test); one that jumps through another slot
 * than its relocation's, or is no jump through a slot, is refused.
 */
TEST(plt_entry_elsewhere)
{
	size_t len = xdp_count_end - xdp_count_start;
	static const struct { int delta; unsigned char op; const char *what; } cases[] = {
		{ 8, 0x25, "the next slot" },
		{ -0x1000, 0x25, "a slot a page lower" },
		{ 0, 0x15, "a call through its slot" },
	};
	struct rex_object *obj;
	uint64_t plt, off;
	unsigned int n, c, i;

	if (rex_unsupported())
		SKIP(return, "%s", rex_unsupported());
	n = rex_image_plt(xdp_count_start, &plt, &off);
	ASSERT_LT(1, n);
	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		unsigned char *img = malloc(len);
		int32_t disp;

		ASSERT_NE(NULL, img);
		memcpy(img, xdp_count_start, len);
		/* The last entry: "[endbr64] [bnd] jmp *disp(%rip)". */
		for (i = off + (n - 1) * REX_PLT_ENTRY; img[i] != 0xff; i++)
			;
		ASSERT_EQ(0x25, img[i + 1]);
		img[i + 1] = cases[c].op;
		memcpy(&disp, img + i + 2, sizeof(disp));
		disp += cases[c].delta;
		memcpy(img + i + 2, &disp, sizeof(disp));
		/* librex creates the image's maps, so that only the PLT is wrong. */
		obj = rex_object__open_mem(img, len);
		ASSERT_NE(NULL, obj);
		EXPECT_NE(0, rex_object__load(obj)) TH_LOG("PLT entry to %s loaded", cases[c].what);
		EXPECT_NE(NULL, strstr(rex_object__log(obj),
				       "does not jump through the slot of PLT relocation"))
			TH_LOG("%s: %s", cases[c].what, rex_object__log(obj));
		rex_object__close(obj);
		free(img);
	}
}

/*
 * A function whose address the image takes, without ENDBR64: refused on a
 * kernel built for IBT, whether or not this CPU has IBT.
 */
TEST(ibt_landing_pad)
{
	if (rex_unsupported())
		SKIP(return, "%s", rex_unsupported());
	if (REX_KERNEL_IBT < 0)
		SKIP(return, "the kernel configuration is unknown (no kernel build)");
	expect_refused_or_runs(_metadata, xdp_nocf_start, xdp_nocf_end, "rex_xdp_nocf",
			       REX_KERNEL_IBT, "does not start with ENDBR64", XDP_DROP);
}

/*
 * The kernel calls every entry as unsigned int (const void *ctx) and, with
 * kCFI, checks that type's hash in front of it: an entry of another type is
 * refused at load rather than trapping at its first run.
 */
TEST(entry_type)
{
	if (rex_unsupported())
		SKIP(return, "%s", rex_unsupported());
	if (REX_KERNEL_CFI < 0)
		SKIP(return, "the kernel configuration is unknown (no kernel build)");
	expect_refused_or_runs(_metadata, xdp_untyped_start, xdp_untyped_end, "rex_xdp_untyped",
			       REX_KERNEL_CFI, "does not carry the kCFI type hash", XDP_PASS);
}

/*
 * An image that returns with a plain RET is refused where the kernel
 * returns through a return thunk; elsewhere it loads and runs like the
 * image built with the kernel's flags.  The hardened kernel of make test
 * boots with retbleed=force, so that both cases are run.
 */
TEST(return_thunk)
{
	if (rex_unsupported())
		SKIP(return, "%s", rex_unsupported());
	expect_refused_or_runs(_metadata, xdp_first_light_start, xdp_first_light_end,
			       "rex_xdp_first_light", false, NULL, XDP_PASS);
	expect_refused_or_runs(_metadata, xdp_first_light_plain_start, xdp_first_light_plain_end,
			       "rex_xdp_first_light", return_thunks_in_use(),
			       "returns without the return thunk", XDP_PASS);
}

TEST_HARNESS_MAIN
