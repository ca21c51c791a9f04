// SPDX-License-Identifier: GPL-2.0
/*
 * Signed Rex images.  A detached PKCS#7 signature over the exact image,
 * passed in BPF_PROG_LOAD's signature fields, is checked against the
 * kernel's trusted keyrings (keyring_id 0) or the keyring keyring_id
 * names: a signature by a key of that keyring loads, everything else is
 * refused with its own errno and log line (a key the keyring does not
 * hold, a changed byte in the image or in the signature, a malformed
 * signature, a keyring that does not exist).  Loads that succeed taint the
 * kernel as modules do: unsigned ('E') and not GPL-compatible ('P'), and
 * are audited (an AUDIT_REX record with the image's hash and signer).
 *
 * The signatures are made at build time (see the Makefile): by the kernel
 * build's module signing key, in the built-in keyring, and by two keys of
 * the test's own, one of which it adds to a keyring it creates.
 */

#include <sys/socket.h>
#include <linux/audit.h>
#include <linux/netlink.h>

#include "rex_test.h"

REX_IMAGE(xdp_first_light);
REX_TEXT(sig_builtin, "first_light.builtin.p7s");
REX_TEXT(sig_user, "first_light.user.p7s");
REX_TEXT(sig_untrusted, "first_light.untrusted.p7s");
REX_TEXT(user_cert, "rex_user_cert.der");

#define ENTRY		"rex_xdp_first_light"
#define TAINT_PROPRIETARY	(1 << 0)
#define TAINT_UNSIGNED		(1 << 13)

static char log_buf[REX_LOG_SIZE];

#define IMAGE		xdp_first_light_start
#define IMAGE_LEN	((size_t)(xdp_first_light_end - xdp_first_light_start))
#define SIG_LEN(name)	((size_t)(name##_end - name##_start))
/* Load IMAGE with the signature embedded as @sig, in the keyring @ring. */
#define LOAD_SIGNED(sig, ring)						\
	(rex_load_signed(IMAGE, IMAGE_LEN, ENTRY, sig##_start, SIG_LEN(sig), ring, \
			 log_buf, sizeof(log_buf)))

static long taint_flags(void)
{
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

FIXTURE(trust) {
	__s32 ring;
};

FIXTURE_SETUP(trust)
{
	const char *why = rex_unsupported();

	if (why)
		SKIP(return, "%s", why);
	self->ring = rex_keyring_with(user_cert_start, SIG_LEN(user_cert));
	if (!self->ring)
		SKIP(return, "no keys (CONFIG_KEYS)");
	ASSERT_LT(0, self->ring) TH_LOG("keyring with the test key: %s", strerror(errno));
}

FIXTURE_TEARDOWN(trust)
{
}

/*
 * Expect the load to succeed, and fdinfo to show the signature verdict
 * @signed and user keyring @ring (0: none); close the program.
 */
static void loads(struct __test_metadata *_metadata, int fd, int signed_ok, __s32 ring)
{
	EXPECT_LE(0, fd) TH_LOG("load: %s, log: %s", strerror(errno), log_buf);
	if (fd < 0)
		return;
	EXPECT_EQ(signed_ok, rex_fdinfo_value(fd, "rex_signed"));
	EXPECT_EQ(ring ? ring : -1, rex_fdinfo_value(fd, "rex_keyring"));
	close(fd);
}

/* Expect the load to fail with @err and a log line holding @msg. */
static void refused(struct __test_metadata *_metadata, int fd, int err, const char *msg)
{
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(err, errno) TH_LOG("errno %d (%s), log: %s", errno, strerror(errno), log_buf);
	EXPECT_NE(NULL, strstr(log_buf, msg)) TH_LOG("log '%s' lacks '%s'", log_buf, msg);
	if (fd >= 0)
		close(fd);
}

TEST_F(trust, unsigned_taints)
{
	loads(_metadata, rex_load(BPF_PROG_TYPE_XDP, IMAGE, IMAGE_LEN, ENTRY, log_buf,
				  sizeof(log_buf)), 0, 0);
	EXPECT_TRUE(taint_flags() & TAINT_UNSIGNED);
}

TEST_F(trust, proprietary_taints)
{
	union bpf_attr attr;

	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, IMAGE, IMAGE_LEN, ENTRY, log_buf,
		      sizeof(log_buf));
	attr.license = ptr_to_u64("Proprietary");
	loads(_metadata, sys_bpf(BPF_PROG_LOAD, &attr), 0, 0);
	EXPECT_TRUE(taint_flags() & TAINT_PROPRIETARY);
}

/* The built-in keyring holds the kernel build's module signing key. */
TEST_F(trust, builtin_key)
{
	if (sig_builtin_end == sig_builtin_start)
		SKIP(return, "the kernel build has no module signing key (CONFIG_MODULE_SIG)");
	loads(_metadata, LOAD_SIGNED(sig_builtin, 0), 1, 0);
}

TEST_F(trust, user_keyring)
{
	loads(_metadata, LOAD_SIGNED(sig_user, self->ring), 1, self->ring);
}

/* The key is in the process's keyring, not in the kernel's. */
TEST_F(trust, user_key_not_trusted_by_default)
{
	refused(_metadata, LOAD_SIGNED(sig_user, 0),
		ENOKEY, "is by a key the keyring does not hold");
}

TEST_F(trust, untrusted_key)
{
	refused(_metadata, LOAD_SIGNED(sig_untrusted, self->ring),
		ENOKEY, "is by a key the keyring does not hold");
}

/* One byte of the image changed, in its text, its data or its headers. */
TEST_F(trust, image_byte_flipped)
{
	static const double where[] = { 0.01, 0.3, 0.6, 0.99 };
	unsigned char *img = malloc(IMAGE_LEN);
	unsigned int i;

	ASSERT_NE(NULL, img);
	for (i = 0; i < ARRAY_SIZE(where); i++) {
		size_t at = IMAGE_LEN * where[i];

		memcpy(img, IMAGE, IMAGE_LEN);
		img[at] ^= 0x01;
		refused(_metadata,
			rex_load_signed(img, IMAGE_LEN, ENTRY, sig_user_start,
					SIG_LEN(sig_user), self->ring, log_buf, sizeof(log_buf)),
			EKEYREJECTED, "does not match the image");
	}
	free(img);
}

/*
 * Load IMAGE with the user key's signature, its byte @at (from the end if
 * negative) XORed with @mask; as rex_load_signed().
 */
static int load_sig_changed(__s32 ring, long at, unsigned char mask)
{
	size_t len = sig_user_end - sig_user_start;
	unsigned char *sig = malloc(len);
	int fd;

	if (!sig)
		return -1;
	memcpy(sig, sig_user_start, len);
	sig[at < 0 ? len + at : (size_t)at] ^= mask;
	fd = rex_load_signed(IMAGE, IMAGE_LEN, ENTRY, sig, len, ring, log_buf, sizeof(log_buf));
	free(sig);
	return fd;
}

/* The signature value changed: it no longer verifies. */
TEST_F(trust, signature_value_flipped)
{
	refused(_metadata, load_sig_changed(self->ring, -1, 0x01), EKEYREJECTED,
		"does not match the image");
}

/* The signature's DER structure broken: not a PKCS#7 message. */
TEST_F(trust, signature_malformed)
{
	refused(_metadata, load_sig_changed(self->ring, 0, 0xff), EBADMSG,
		"is not a valid PKCS#7 signature");
}

TEST_F(trust, no_such_keyring)
{
	refused(_metadata, LOAD_SIGNED(sig_user, 0x7ffffff0),
		EINVAL, "cannot be searched");
}

TEST_F(trust, signature_size_out_of_range)
{
	refused(_metadata, rex_load_signed(IMAGE, IMAGE_LEN, ENTRY, sig_user_start, 1 << 30,
					   self->ring, log_buf, sizeof(log_buf)),
		EINVAL, "signature size");
	refused(_metadata, rex_load_signed(IMAGE, IMAGE_LEN, ENTRY, NULL, 256, self->ring,
					   log_buf, sizeof(log_buf)),
		EINVAL, "need a signature");
}

#ifndef AUDIT_REX
#define AUDIT_REX	1340
#endif

/* Turn auditing on or off through the audit netlink socket @fd. */
static int audit_enable(int fd, __u32 enabled)
{
	struct {
		struct nlmsghdr nlh;
		struct audit_status s;
	} req = {
		.nlh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct audit_status)),
			.nlmsg_type = AUDIT_SET,
			.nlmsg_flags = NLM_F_REQUEST,
		},
		.s = { .mask = AUDIT_STATUS_ENABLED, .enabled = enabled },
	};
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	return sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&to,
		      sizeof(to)) < 0 ? -1 : 0;
}

/*
 * Read audit records from the read-only multicast socket @fd until one of
 * type AUDIT_REX names program @id; copy its text to @out.
 */
static bool audit_find(int fd, __u32 id, char *out, size_t len)
{
	char buf[8192], want[32];
	ssize_t n;

	snprintf(want, sizeof(want), "prog-id=%u ", id);
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		buf[n] = '\0';
		if (nlh->nlmsg_type != AUDIT_REX || !strstr(NLMSG_DATA(nlh), want))
			continue;
		snprintf(out, len, "%s", (char *)NLMSG_DATA(nlh));
		return true;
	}
	return false;
}

/*
 * Each load emits an AUDIT_REX record: program ID, the image's SHA-256
 * (whose start is the program's tag), whether it was signed and where the
 * key was.
 */
TEST_F(trust, audit_record)
{
	struct sockaddr_nl group = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1 << (AUDIT_NLGRP_READLOG - 1),
	};
	struct timeval tv = { .tv_sec = 2 };
	struct bpf_prog_info info;
	char rec[1024], want[128], tag[17];
	int ctl, mon, fd, i;

	ctl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (ctl < 0 && errno == EPROTONOSUPPORT)
		SKIP(return, "no audit (CONFIG_AUDIT)");
	ASSERT_LE(0, ctl);
	mon = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	ASSERT_LE(0, mon);
	ASSERT_EQ(0, bind(mon, (struct sockaddr *)&group, sizeof(group)));
	ASSERT_EQ(0, setsockopt(mon, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, audit_enable(ctl, 1));

	fd = LOAD_SIGNED(sig_user, self->ring);
	EXPECT_LE(0, fd) TH_LOG("load: %s, log: %s", strerror(errno), log_buf);
	EXPECT_NE(0, rex_prog_info(fd, &info));
	for (i = 0; i < 8; i++)
		sprintf(tag + 2 * i, "%02x", info.tag[i]);
	EXPECT_TRUE(audit_find(mon, info.id, rec, sizeof(rec)))
		TH_LOG("no AUDIT_REX record for program %u", info.id);
	TH_LOG("%s", rec);
	snprintf(want, sizeof(want), "op=LOAD sha256=%s", tag);
	EXPECT_NE(NULL, strstr(rec, want)) TH_LOG("'%s' lacks '%s'", rec, want);
	snprintf(want, sizeof(want), "signed=1 keyring=user keyring-id=%d", self->ring);
	EXPECT_NE(NULL, strstr(rec, want)) TH_LOG("'%s' lacks '%s'", rec, want);
	close(fd);

	fd = rex_load(BPF_PROG_TYPE_XDP, IMAGE, IMAGE_LEN, ENTRY, log_buf, sizeof(log_buf));
	EXPECT_LE(0, fd);
	EXPECT_NE(0, rex_prog_info(fd, &info));
	EXPECT_TRUE(audit_find(mon, info.id, rec, sizeof(rec)));
	EXPECT_NE(NULL, strstr(rec, "signed=0 keyring=none")) TH_LOG("%s", rec);
	close(fd);

	audit_enable(ctl, 0);
	close(mon);
	close(ctl);
}

TEST_HARNESS_MAIN
