// SPDX-License-Identifier: GPL-2.0
/*
 * Rex privilege tests: a Rex program is native kernel code, so loading one
 * needs CAP_SYS_ADMIN, more than an eBPF program of the same type needs,
 * and a BPF token cannot stand in for it.
 *
 * Each capability test drops capabilities in a child process, tries a Rex
 * and an eBPF XDP load there and reports through its exit status.
 */

#include <sys/wait.h>
#include <linux/capability.h>

#include "rex_test.h"

REX_IMAGE(xdp_first_light);

#define ENTRY "rex_xdp_first_light"

static char log_buf[REX_LOG_SIZE];

static int caps_get(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(__NR_capget, &hdr, data);
}

static int caps_set(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(__NR_capset, &hdr, data);
}

static bool cap_effective(const struct __user_cap_data_struct *data, int cap)
{
	return data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

/* Take @cap out of the effective, permitted and inheritable sets. */
static void cap_drop(struct __user_cap_data_struct *data, int cap)
{
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	data[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
	data[CAP_TO_INDEX(cap)].inheritable &= ~CAP_TO_MASK(cap);
}

static void drop_sys_admin(struct __user_cap_data_struct *data)
{
	cap_drop(data, CAP_SYS_ADMIN);
}

static void drop_all(struct __user_cap_data_struct *data)
{
	memset(data, 0, sizeof(*data) * _LINUX_CAPABILITY_U32S_3);
}

static void keep_sys_admin_only(struct __user_cap_data_struct *data)
{
	int cap;

	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (cap != CAP_SYS_ADMIN)
			cap_drop(data, cap);
}

/* Exit status of a child. */
enum {
	CHILD_OK,
	CHILD_CAPS,		/* capget or capset failed */
	CHILD_REX_LOADED,	/* the Rex load succeeded */
	CHILD_REX_REFUSED,	/* the Rex load failed */
	CHILD_REX_ERRNO,	/* the Rex load failed with another errno */
	CHILD_EBPF_LOADED,	/* the eBPF load succeeded */
	CHILD_EBPF_REFUSED,	/* the eBPF load failed */
	CHILD_EBPF_ERRNO,	/* the eBPF load failed with another errno */
};

static const char * const child_status[] = {
	[CHILD_OK] = "as expected",
	[CHILD_CAPS] = "capget or capset failed",
	[CHILD_REX_LOADED] = "the Rex program loaded",
	[CHILD_REX_REFUSED] = "the Rex program was refused",
	[CHILD_REX_ERRNO] = "the Rex program was refused with another errno",
	[CHILD_EBPF_LOADED] = "the eBPF program loaded",
	[CHILD_EBPF_REFUSED] = "the eBPF program was refused",
	[CHILD_EBPF_ERRNO] = "the eBPF program was refused with another errno",
};

/*
 * Check the outcome of a load: @fd from the load, @err the errno expected,
 * 0 if the load must succeed.  Returns CHILD_OK or what went wrong, @loaded
 * being the first of that load's three failure codes.
 */
static int check_load(int fd, int err, int loaded)
{
	if (fd >= 0) {
		close(fd);
		return err ? loaded : CHILD_OK;
	}
	if (!err)
		return loaded + 1;
	return errno == err ? CHILD_OK : loaded + 2;
}

FIXTURE(caps) {
};

FIXTURE_VARIANT(caps) {
	void (*adjust)(struct __user_cap_data_struct *data);
	int rex_err;		/* errno of the Rex load, 0 if it must load */
	int ebpf_err;		/* errno of the eBPF load, 0 if it must load */
};

/* CAP_BPF and CAP_NET_ADMIN are enough for eBPF XDP, not for Rex. */
FIXTURE_VARIANT_ADD(caps, no_sys_admin) {
	.adjust = drop_sys_admin,
	.rex_err = EPERM,
	.ebpf_err = 0,
};

FIXTURE_VARIANT_ADD(caps, no_caps) {
	.adjust = drop_all,
	.rex_err = EPERM,
	.ebpf_err = EPERM,
};

/* BPF accepts CAP_SYS_ADMIN in place of CAP_BPF and CAP_NET_ADMIN. */
FIXTURE_VARIANT_ADD(caps, sys_admin_only) {
	.adjust = keep_sys_admin_only,
	.rex_err = 0,
	.ebpf_err = 0,
};

FIXTURE_SETUP(caps)
{
	const char *why = rex_unsupported();
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, caps_get(data)) TH_LOG("capget: %s", strerror(errno));
	if (!cap_effective(data, CAP_BPF) || !cap_effective(data, CAP_PERFMON) ||
	    !cap_effective(data, CAP_NET_ADMIN))
		SKIP(return, "needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN");
}

FIXTURE_TEARDOWN(caps)
{
}

/*
 * In the child: apply @adjust to the capabilities, then load a Rex and an
 * eBPF program, which must fail with @rex_err and @ebpf_err or load if 0.
 */
static int child(struct __test_metadata *_metadata,
		 void (*adjust)(struct __user_cap_data_struct *data),
		 int rex_err, int ebpf_err)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int fd, ret;

	if (caps_get(data))
		return CHILD_CAPS;
	adjust(data);
	if (caps_set(data))
		return CHILD_CAPS;

	fd = rex_load(BPF_PROG_TYPE_XDP, xdp_first_light_start,
		      xdp_first_light_end - xdp_first_light_start, ENTRY,
		      log_buf, sizeof(log_buf));
	if (fd < 0)
		TH_LOG("Rex load: %s, log: %s", strerror(errno), log_buf);
	ret = check_load(fd, rex_err, CHILD_REX_LOADED);
	if (ret)
		return ret;

	fd = ebpf_xdp_load();
	if (fd < 0)
		TH_LOG("eBPF load: %s", strerror(errno));
	return check_load(fd, ebpf_err, CHILD_EBPF_LOADED);
}

TEST_F(caps, xdp_load)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child(_metadata, variant->adjust, variant->rex_err,
			    variant->ebpf_err));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_GT(ARRAY_SIZE(child_status), WEXITSTATUS(status));
	EXPECT_EQ(CHILD_OK, WEXITSTATUS(status))
		TH_LOG("child: %s", child_status[WEXITSTATUS(status)]);
}

/*
 * BPF_F_TOKEN_FD never gets a Rex program loaded.  bpf_prog_load() looks
 * the token up before Rex sees the load: an fd that is not open is EBADF,
 * an open fd that is not a BPF token EINVAL.  A real token would be
 * refused by Rex itself with EPERM.
 */
static int load_with_token(int token_fd)
{
	union bpf_attr attr;

	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, xdp_first_light_start,
		      xdp_first_light_end - xdp_first_light_start, ENTRY,
		      log_buf, sizeof(log_buf));
	attr.prog_flags |= BPF_F_TOKEN_FD;
	attr.prog_token_fd = token_fd;
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

TEST(token_fd_not_open)
{
	const char *why = rex_unsupported();
	int fd;

	if (why)
		SKIP(return, "%s", why);
	fd = load_with_token(-1);
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(-1, fd) TH_LOG("Rex program loaded with BPF_F_TOKEN_FD");
	EXPECT_EQ(EBADF, errno) TH_LOG("errno %d (%s)", errno, strerror(errno));
}

TEST(token_fd_not_token)
{
	const char *why = rex_unsupported();
	int fd, p[2];

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, pipe(p));
	fd = load_with_token(p[0]);
	if (fd >= 0)
		close(fd);
	close(p[0]);
	close(p[1]);
	ASSERT_EQ(-1, fd) TH_LOG("Rex program loaded with BPF_F_TOKEN_FD");
	EXPECT_EQ(EINVAL, errno) TH_LOG("errno %d (%s)", errno, strerror(errno));
}

TEST_HARNESS_MAIN
