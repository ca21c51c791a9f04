// SPDX-License-Identifier: GPL-2.0
/*
 * Rex images read by the kernel from a file (BPF_PROG_LOAD with
 * BPF_F_REX_IMAGE_FD), as finit_module() reads a module, so that IMA and
 * the LSMs see the file.  A file load is the same program as a memory load
 * of the same bytes (same hash, same signature check), and every file the
 * kernel must not or cannot read is refused with its own errno and log
 * line: an fd not open for reading, a directory, an empty or oversized
 * file, a file someone has open for writing, no fd at all; and the image
 * attributes of the two ways cannot be mixed.
 */

#include "rex_test.h"

REX_IMAGE(xdp_first_light);
REX_TEXT(sig_builtin, "first_light.builtin.p7s");

#define ENTRY		"rex_xdp_first_light"
#define IMAGE		xdp_first_light_start
#define IMAGE_LEN	((size_t)(xdp_first_light_end - xdp_first_light_start))
#define SIG_LEN		((size_t)(sig_builtin_end - sig_builtin_start))
#define IMAGE_SIZE_MAX	(16 << 20)

static char log_buf[REX_LOG_SIZE];

FIXTURE(image_fd) {
	char dir[64];
	char path[96];
	int fd;
};

FIXTURE_SETUP(image_fd)
{
	const char *why = rex_unsupported();

	self->fd = -1;
	self->dir[0] = '\0';
	if (why)
		SKIP(return, "%s", why);
	strcpy(self->dir, "/tmp/rex_image_fd.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/first_light.rex", self->dir);
	ASSERT_EQ(0, rex_write_file(self->path, IMAGE, IMAGE_LEN));
	self->fd = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(image_fd)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dir[0]) {
		unlink(self->path);
		rmdir(self->dir);
	}
}

static void refused(struct __test_metadata *_metadata, int fd, int err, const char *msg)
{
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(err, errno) TH_LOG("errno %d (%s), log: %s", errno, strerror(errno), log_buf);
	if (msg)
		EXPECT_NE(NULL, strstr(log_buf, msg)) TH_LOG("log '%s' lacks '%s'", log_buf, msg);
	if (fd >= 0)
		close(fd);
}

TEST_F(image_fd, same_program_as_from_memory)
{
	struct bpf_prog_info info_fd, info_mem;
	int pfd, mfd;

	pfd = rex_load_fd(self->fd, ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf));
	ASSERT_LE(0, pfd) TH_LOG("load: %s, log: %s", strerror(errno), log_buf);
	mfd = rex_load(BPF_PROG_TYPE_XDP, IMAGE, IMAGE_LEN, ENTRY, log_buf, sizeof(log_buf));
	ASSERT_LE(0, mfd) TH_LOG("load: %s, log: %s", strerror(errno), log_buf);
	/* The tag is the start of the SHA-256 of the image. */
	ASSERT_NE(0, rex_prog_info(pfd, &info_fd));
	ASSERT_NE(0, rex_prog_info(mfd, &info_mem));
	EXPECT_EQ(0, memcmp(info_fd.tag, info_mem.tag, BPF_TAG_SIZE));
	EXPECT_EQ(0, rex_fdinfo_value(pfd, "rex_signed"));
	close(pfd);
	close(mfd);
}

TEST_F(image_fd, signed_file)
{
	int pfd;

	if (!SIG_LEN)
		SKIP(return, "the kernel build has no module signing key");
	pfd = rex_load_fd(self->fd, ENTRY, sig_builtin_start, SIG_LEN, 0, log_buf,
			  sizeof(log_buf));
	ASSERT_LE(0, pfd) TH_LOG("load: %s, log: %s", strerror(errno), log_buf);
	EXPECT_EQ(1, rex_fdinfo_value(pfd, "rex_signed"));
	close(pfd);
}

/* The signature covers the file's bytes, not some other copy. */
TEST_F(image_fd, signature_of_other_bytes)
{
	unsigned char *copy;
	int fd;

	if (!SIG_LEN)
		SKIP(return, "the kernel build has no module signing key");
	copy = malloc(IMAGE_LEN);
	ASSERT_NE(NULL, copy);
	memcpy(copy, IMAGE, IMAGE_LEN);
	copy[IMAGE_LEN - 1] ^= 1;
	close(self->fd);
	ASSERT_EQ(0, rex_write_file(self->path, copy, IMAGE_LEN));
	free(copy);
	self->fd = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	fd = rex_load_fd(self->fd, ENTRY, sig_builtin_start, SIG_LEN, 0, log_buf,
			 sizeof(log_buf));
	refused(_metadata, fd, EKEYREJECTED, "does not match the image");
}

/* Write-only, and O_PATH, which opens for neither. */
TEST_F(image_fd, not_open_for_reading)
{
	static const int modes[] = { O_WRONLY, O_PATH };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		int ofd = open(self->path, modes[i] | O_CLOEXEC), pfd;

		ASSERT_LE(0, ofd);
		pfd = rex_load_fd(ofd, ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf));
		refused(_metadata, pfd, EBADF, "is not a file open for reading");
		close(ofd);
	}
}

TEST_F(image_fd, no_such_fd)
{
	refused(_metadata, rex_load_fd(-1, ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf)),
		EBADF, "is not a file open for reading");
	refused(_metadata, rex_load_fd(1000000, ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf)),
		EBADF, "is not a file open for reading");
}

TEST_F(image_fd, directory)
{
	int dfd = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), pfd;

	ASSERT_LE(0, dfd);
	pfd = rex_load_fd(dfd, ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf));
	refused(_metadata, pfd, EINVAL, "is not a non-empty regular file");
	close(dfd);
}

TEST_F(image_fd, pipe)
{
	int p[2], pfd;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(64, write(p[1], IMAGE, 64));
	pfd = rex_load_fd(p[0], ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf));
	refused(_metadata, pfd, EINVAL, "is not a non-empty regular file");
	close(p[0]);
	close(p[1]);
}

TEST_F(image_fd, empty_file)
{
	int pfd;

	ASSERT_EQ(0, truncate(self->path, 0));
	pfd = rex_load_fd(self->fd, ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf));
	refused(_metadata, pfd, EINVAL, "is not a non-empty regular file");
}

TEST_F(image_fd, too_large)
{
	int pfd;

	/* Sparse: the size is what counts. */
	ASSERT_EQ(0, truncate(self->path, IMAGE_SIZE_MAX + 1));
	pfd = rex_load_fd(self->fd, ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf));
	refused(_metadata, pfd, EFBIG, "image file is larger than");
	/* At the largest size, the image padded with zeros still loads. */
	ASSERT_EQ(0, truncate(self->path, IMAGE_SIZE_MAX));
	pfd = rex_load_fd(self->fd, ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf));
	EXPECT_LE(0, pfd) TH_LOG("load: %s, log: %s", strerror(errno), log_buf);
	if (pfd >= 0)
		close(pfd);
}

/* The image cannot change under the kernel while it reads and checks it. */
TEST_F(image_fd, open_for_writing)
{
	int wfd = open(self->path, O_WRONLY | O_CLOEXEC), pfd;

	ASSERT_LE(0, wfd);
	pfd = rex_load_fd(self->fd, ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf));
	refused(_metadata, pfd, ETXTBSY, "image file is open for writing");
	close(wfd);
	pfd = rex_load_fd(self->fd, ENTRY, NULL, 0, 0, log_buf, sizeof(log_buf));
	EXPECT_LE(0, pfd) TH_LOG("load: %s, log: %s", strerror(errno), log_buf);
	if (pfd >= 0)
		close(pfd);
}

TEST_F(image_fd, fd_and_memory_image)
{
	union bpf_attr attr;

	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, IMAGE, IMAGE_LEN, ENTRY, log_buf,
		      sizeof(log_buf));
	attr.prog_flags |= BPF_F_REX_IMAGE_FD;
	attr.rex_image_fd = self->fd;
	refused(_metadata, sys_bpf(BPF_PROG_LOAD, &attr), EINVAL,
		"BPF_F_REX_IMAGE_FD needs rex_image and rex_image_size zero");
	attr.rex_image = 0;
	refused(_metadata, sys_bpf(BPF_PROG_LOAD, &attr), EINVAL,
		"BPF_F_REX_IMAGE_FD needs rex_image and rex_image_size zero");
}

TEST_F(image_fd, fd_without_flag)
{
	union bpf_attr attr;

	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, IMAGE, IMAGE_LEN, ENTRY, log_buf,
		      sizeof(log_buf));
	attr.rex_image_fd = self->fd;
	refused(_metadata, sys_bpf(BPF_PROG_LOAD, &attr), EINVAL,
		"rex_image_fd needs BPF_F_REX_IMAGE_FD");
}

/* The flag means nothing for eBPF: refused, not ignored. */
TEST_F(image_fd, flag_without_rex)
{
	union bpf_attr attr;

	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, NULL, 0, ENTRY, log_buf, sizeof(log_buf));
	attr.prog_flags = BPF_F_REX_IMAGE_FD;
	attr.rex_image_fd = self->fd;
	refused(_metadata, sys_bpf(BPF_PROG_LOAD, &attr), EINVAL, NULL);
}

TEST_HARNESS_MAIN
