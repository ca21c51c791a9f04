// SPDX-License-Identifier: GPL-2.0
/*
 * Rex under kernel lockdown: a locked down kernel (lockdown=integrity or
 * confidentiality) refuses every unsigned Rex load with EPERM, while eBPF
 * programs, which the verifier checks, still load, and so do Rex images
 * signed by a key of the keyring the load names.  Without lockdown the
 * tests are skipped.
 */

#include <fcntl.h>
#include <sys/mount.h>
#include <linux/capability.h>

#include "rex_test.h"

REX_IMAGE(xdp_first_light);
REX_TEXT(sig_user, "first_light.user.p7s");
REX_TEXT(user_cert, "rex_user_cert.der");

#define ENTRY		"rex_xdp_first_light"
#define SECURITYFS	"/sys/kernel/security"
#define LOCKDOWN	SECURITYFS "/lockdown"

static char log_buf[REX_LOG_SIZE];

/*
 * The active lockdown mode, the bracketed word of LOCKDOWN ("[none]
 * integrity confidentiality"), in @mode.  securityfs is mounted if no one
 * did.  Returns 0, or -1 without a readable lockdown file.
 */
static int lockdown_mode(char *mode, size_t size)
{
	char buf[128], *start, *end;
	ssize_t len;
	int fd;

	if (access(LOCKDOWN, F_OK))
		mount("securityfs", SECURITYFS, "securityfs", 0, NULL);
	fd = open(LOCKDOWN, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	start = strchr(buf, '[');
	end = start ? strchr(start, ']') : NULL;
	if (!end || end - start - 1 >= (ssize_t)size)
		return -1;
	memcpy(mode, start + 1, end - start - 1);
	mode[end - start - 1] = '\0';
	return 0;
}

static bool have_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(__NR_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN);
}

TEST(rex_refused)
{
	unsigned char pkt[64] = { [12] = 0x08, [13] = 0x00 };
	unsigned int retval = 0;
	char mode[32];
	int fd;

	if (lockdown_mode(mode, sizeof(mode)))
		SKIP(return, "no %s (CONFIG_SECURITYFS, CONFIG_SECURITY_LOCKDOWN_LSM)",
		     LOCKDOWN);
	if (!strcmp(mode, "none"))
		SKIP(return, "lockdown is not active (boot with lockdown=integrity)");
	/* Else the EPERM below would prove nothing about lockdown. */
	if (!have_sys_admin())
		SKIP(return, "needs CAP_SYS_ADMIN");
	TH_LOG("lockdown mode: %s", mode);

	fd = rex_load(BPF_PROG_TYPE_XDP, xdp_first_light_start,
		      xdp_first_light_end - xdp_first_light_start, ENTRY,
		      log_buf, sizeof(log_buf));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(-1, fd) TH_LOG("Rex program loaded under lockdown");
	/*
	 * A kernel without Rex refuses the load with another errno (EINVAL
	 * or E2BIG for the missing instructions) and no Rex log line.
	 */
	if (errno != EPERM && !strstr(log_buf, "rex:"))
		SKIP(return, "kernel without CONFIG_REX");
	EXPECT_EQ(EPERM, errno) TH_LOG("errno %d (%s), log: %s", errno, strerror(errno),
				       log_buf);

	fd = ebpf_xdp_load();
	ASSERT_LE(0, fd) TH_LOG("eBPF program refused under lockdown: %s", strerror(errno));
	EXPECT_EQ(0, rex_test_run(fd, pkt, sizeof(pkt), &retval));
	EXPECT_EQ(2, retval);
	close(fd);
}

TEST(signed_loads)
{
	char mode[32];
	__s32 ring;
	int fd;

	if (lockdown_mode(mode, sizeof(mode)) || !strcmp(mode, "none"))
		SKIP(return, "lockdown is not active (boot with lockdown=integrity)");
	ring = rex_keyring_with(user_cert_start, user_cert_end - user_cert_start);
	if (!ring)
		SKIP(return, "no keys (CONFIG_KEYS)");
	ASSERT_LT(0, ring) TH_LOG("keyring with the test key: %s", strerror(errno));
	fd = rex_load_signed(xdp_first_light_start, xdp_first_light_end - xdp_first_light_start,
			     ENTRY, sig_user_start, sig_user_end - sig_user_start, ring,
			     log_buf, sizeof(log_buf));
	EXPECT_LE(0, fd) TH_LOG("signed load under lockdown: %s, log: %s", strerror(errno),
				log_buf);
	if (fd >= 0)
		close(fd);
}

TEST_HARNESS_MAIN
