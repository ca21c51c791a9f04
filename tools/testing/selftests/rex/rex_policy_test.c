// SPDX-License-Identifier: GPL-2.0
/*
 * The policy that asks for signed Rex images, as for modules, in a boot
 * with module.sig_enforce=1 (the tests skip without it): unsigned images
 * are refused with EKEYREJECTED and signed ones load; rex.sig_enforce,
 * written once, can never be turned off again; and once module loading is
 * disabled (kernel.modules_disabled=1), every Rex load is refused with
 * EPERM.  Before that, IMA: with "measure func=REX_CHECK" an image the
 * kernel reads from a file is in the measurement list with its name and
 * hash; with an appraise rule for REX_CHECK, an image file must carry the
 * right security.ima hash, and images from memory, which IMA cannot
 * appraise, are refused.  The tests run in this order, each leaving the
 * kernel in the state the next one needs: the switches and IMA rules are
 * one-way.
 */

#include <sys/mount.h>
#include <sys/xattr.h>

#include "rex_test.h"

REX_IMAGE(xdp_first_light);
REX_TEXT(sig_user, "first_light.user.p7s");
REX_TEXT(user_cert, "rex_user_cert.der");

#define ENTRY		"rex_xdp_first_light"
#define MODULE_SIG_ENFORCE	"/sys/module/module/parameters/sig_enforce"
#define REX_SIG_ENFORCE		"/sys/module/rex/parameters/sig_enforce"
#define MODULES_DISABLED	"/proc/sys/kernel/modules_disabled"
#define SECURITYFS		"/sys/kernel/security"
#define IMA_POLICY		SECURITYFS "/ima/policy"
#define IMA_MEASUREMENTS	SECURITYFS "/ima/ascii_runtime_measurements"
/* The owner that the appraise rule of the test applies to. */
#define APPRAISED_UID		4242

#define IMAGE		xdp_first_light_start
#define IMAGE_LEN	((size_t)(xdp_first_light_end - xdp_first_light_start))

static char log_buf[REX_LOG_SIZE];

/* The first character of @path, or 0 if it cannot be read. */
static char read_flag(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = 0;
		close(fd);
	}
	return c;
}

/* Write @text to @path: 0, or -1 with errno set. */
static int write_flag(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) < 0)
		err = -1;
	close(fd);
	return err;
}

FIXTURE(policy) {
	__s32 ring;
};

FIXTURE_SETUP(policy)
{
	const char *why = rex_unsupported();

	if (why)
		SKIP(return, "%s", why);
	if (read_flag(MODULE_SIG_ENFORCE) != 'Y')
		SKIP(return, "module signatures are not enforced (boot with module.sig_enforce=1)");
	self->ring = rex_keyring_with(user_cert_start, user_cert_end - user_cert_start);
	ASSERT_LT(0, self->ring) TH_LOG("keyring with the test key: %s", strerror(errno));
}

FIXTURE_TEARDOWN(policy)
{
}

static int load_unsigned(void)
{
	return rex_load(BPF_PROG_TYPE_XDP, IMAGE, IMAGE_LEN, ENTRY, log_buf, sizeof(log_buf));
}

static int load_signed(struct _test_data_policy *self)
{
	return rex_load_signed(IMAGE, IMAGE_LEN, ENTRY, sig_user_start,
			       sig_user_end - sig_user_start, self->ring, log_buf,
			       sizeof(log_buf));
}

static void expect_loads(struct __test_metadata *_metadata, int fd)
{
	EXPECT_LE(0, fd) TH_LOG("load: %s, log: %s", strerror(errno), log_buf);
	if (fd >= 0)
		close(fd);
}

static void expect_refused(struct __test_metadata *_metadata, int fd, int err, const char *msg)
{
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(err, errno) TH_LOG("errno %d (%s), log: %s", errno, strerror(errno), log_buf);
	EXPECT_NE(NULL, strstr(log_buf, msg)) TH_LOG("log '%s' lacks '%s'", log_buf, msg);
	if (fd >= 0)
		close(fd);
}

TEST_F(policy, module_sig_enforce)
{
	expect_refused(_metadata, load_unsigned(), EKEYREJECTED,
		       "signatures are required (module.sig_enforce)");
	expect_loads(_metadata, load_signed(self));
}

TEST_F(policy, rex_sig_enforce_one_way)
{
	ASSERT_EQ('N', read_flag(REX_SIG_ENFORCE)) TH_LOG("%s is not 'N'", REX_SIG_ENFORCE);
	ASSERT_EQ(0, write_flag(REX_SIG_ENFORCE, "1")) TH_LOG("%s", strerror(errno));
	EXPECT_EQ('Y', read_flag(REX_SIG_ENFORCE));
	EXPECT_EQ(-1, write_flag(REX_SIG_ENFORCE, "0"));
	EXPECT_EQ('Y', read_flag(REX_SIG_ENFORCE));
	expect_refused(_metadata, load_unsigned(), EKEYREJECTED,
		       "signatures are required (rex.sig_enforce)");
	expect_loads(_metadata, load_signed(self));
}

/*
 * The SHA-256 of the file @path as the IMA measurement list has it, in
 * @digest: 0, or -1 if the list has no entry for @path.
 */
static int ima_measured(const char *path, unsigned char digest[32])
{
	FILE *f = fopen(IMA_MEASUREMENTS, "r");
	char line[4096], hex[65], name[4000];
	int found = -1, i;

	if (!f)
		return -1;
	/* PCR template-hash template sha256:file-hash file-name */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*u %*s %*s sha256:%64s %3999s", hex, name) != 2 ||
		    strcmp(name, path) || strlen(hex) != 64)
			continue;
		for (i = 0; i < 32; i++)
			if (sscanf(hex + 2 * i, "%2hhx", &digest[i]) != 1)
				break;
		if (i < 32)
			continue;
		ksft_print_msg("IMA measured: %s", line);
		found = 0;
	}
	fclose(f);
	return found;
}

static int load_file(struct _test_data_policy *self, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), pfd;

	if (fd < 0)
		return -1;
	pfd = rex_load_fd(fd, ENTRY, sig_user_start, sig_user_end - sig_user_start,
			  self->ring, log_buf, sizeof(log_buf));
	close(fd);
	return pfd;
}

TEST_F(policy, ima_measure_and_appraise)
{
	char dir[] = "/tmp/rex_ima.XXXXXX", measured[64], appraised[64];
	unsigned char xattr[2 + 32];
	struct bpf_prog_info info;
	int fd;

	mount("securityfs", SECURITYFS, "securityfs", 0, NULL);
	if (access(IMA_POLICY, W_OK))
		SKIP(return, "no IMA policy to write (CONFIG_IMA_WRITE_POLICY)");
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(measured, sizeof(measured), "%s/measured.rex", dir);
	snprintf(appraised, sizeof(appraised), "%s/appraised.rex", dir);
	ASSERT_EQ(0, rex_write_file(measured, IMAGE, IMAGE_LEN));
	ASSERT_EQ(0, rex_write_file(appraised, IMAGE, IMAGE_LEN));
	ASSERT_EQ(0, chown(appraised, APPRAISED_UID, APPRAISED_UID));

	/* Measurement: the file's name and its hash, which is the program's. */
	ASSERT_EQ(0, write_flag(IMA_POLICY, "measure func=REX_CHECK\n"))
		TH_LOG("%s", strerror(errno));
	fd = load_file(self, measured);
	ASSERT_LE(0, fd) TH_LOG("load: %s, log: %s", strerror(errno), log_buf);
	ASSERT_NE(0, rex_prog_info(fd, &info));
	close(fd);
	ASSERT_EQ(0, ima_measured(measured, xattr + 2))
		TH_LOG("%s is not in %s", measured, IMA_MEASUREMENTS);
	EXPECT_EQ(0, memcmp(info.tag, xattr + 2, sizeof(info.tag)))
		TH_LOG("the measured hash is not the image's");
	/* Only files are measured; memory loads still go. */
	expect_loads(_metadata, load_signed(self));

	/*
	 * Appraisal of the test owner's files: no security.ima, refused; the
	 * right hash (IMA_XATTR_DIGEST_NG, HASH_ALGO_SHA256), loads; a changed
	 * byte, refused.  Memory images cannot be appraised: refused.
	 */
	ASSERT_EQ(0, write_flag(IMA_POLICY, "appraise func=REX_CHECK fowner=4242\n"))
		TH_LOG("%s", strerror(errno));
	expect_refused(_metadata, load_file(self, appraised), EACCES,
		       "image file unreadable (-13)");
	xattr[0] = 0x04;
	xattr[1] = 4;
	ASSERT_EQ(0, setxattr(appraised, "security.ima", xattr, sizeof(xattr), 0))
		TH_LOG("security.ima: %s", strerror(errno));
	expect_loads(_metadata, load_file(self, appraised));
	expect_refused(_metadata, load_signed(self), EACCES, "refused the image from memory");
	/* Files the rule does not cover load as before. */
	expect_loads(_metadata, load_file(self, measured));
	fd = open(appraised, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pread(fd, xattr, 1, IMAGE_LEN - 1));
	xattr[0] ^= 1;
	ASSERT_EQ(1, pwrite(fd, xattr, 1, IMAGE_LEN - 1));
	close(fd);
	expect_refused(_metadata, load_file(self, appraised), EACCES,
		       "image file unreadable (-13)");
	unlink(measured);
	unlink(appraised);
	rmdir(dir);
}

/* Last: nothing loads afterwards. */
TEST_F(policy, zz_modules_disabled)
{
	ASSERT_EQ(0, write_flag(MODULES_DISABLED, "1")) TH_LOG("%s", strerror(errno));
	expect_refused(_metadata, load_signed(self), EPERM,
		       "loading is disabled (kernel.modules_disabled)");
	expect_refused(_metadata, load_unsigned(), EPERM,
		       "loading is disabled (kernel.modules_disabled)");
}

TEST_HARNESS_MAIN
