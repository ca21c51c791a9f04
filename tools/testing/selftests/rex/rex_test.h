/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the Rex selftests.
 */
#ifndef __REX_TEST_H
#define __REX_TEST_H

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

#ifdef REX_NO_HARNESS
#include "../kselftest.h"
#else
#include "../kselftest_harness.h"
#endif
#include "librex.h"

#define REX_LOG_SIZE	(64 * 1024)

/* Milliseconds since @start, in CLOCK_MONOTONIC time. */
static inline long rex_ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Keep this CPU busy in user mode for @ms milliseconds. */
static inline void rex_spin_ms(int ms)
{
	struct timespec start;
	unsigned long x = 0;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		/* Work the compiler cannot drop. */
		for (i = 0; i < 10000; i++)
			__asm__ __volatile__("" : "+r" (x) : "r" (i));
	} while (rex_ms_since(&start) < ms);
}

/* getppid(), always a system call (the tests count them). */
static inline long rex_sys_getppid(void)
{
	return syscall(__NR_getppid);
}

/* The u64 at @key of the map @fd, or ~0 if it cannot be read. */
static inline __u64 rex_u64_get(int fd, __u32 key)
{
	__u64 v = ~0ULL;

	rex_map_lookup_elem(fd, &key, &v);
	return v;
}

/* Set the u64 at @key of the map @fd to @v. */
static inline void rex_u64_set(int fd, __u32 key, __u64 v)
{
	rex_map_update_elem(fd, &key, &v, 0);
}

/*
 * REX_TEXT(): embed the build output file @file, NUL-terminated, as
 * <name>_start[] .. <name>_end[] (the NUL not included), 8-byte aligned
 * (an ELF file, such as an eBPF object, can be read in place).
 */
#define REX_TEXT(name, file)						\
	extern const char name##_start[], name##_end[];			\
	__asm__(".pushsection .rodata\n"				\
		".balign 8\n"						\
		#name "_start:\n"					\
		".incbin \"" REX_IMAGE_DIR "/" file "\"\n"		\
		#name "_end:\n"						\
		".byte 0\n"						\
		".popsection\n")

/*
 * Embed the Rex image progs/<name>.c, built as $(OUTPUT)/<name>.rex, into
 * the test binary as <name>_start[] .. <name>_end[].
 */
#define REX_IMAGE(name)							\
	extern const unsigned char name##_start[], name##_end[];	\
	__asm__(".pushsection .rodata\n"				\
		".balign 4096\n"					\
		#name "_start:\n"					\
		".incbin \"" REX_IMAGE_DIR "/" #name ".rex\"\n"		\
		#name "_end:\n"						\
		".popsection\n")

static inline uint64_t ptr_to_u64(const void *p)
{
	return (uint64_t)(unsigned long)p;
}

static inline int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* BPF_PROG_LOAD attributes of a Rex image, with the log in @log if given. */
static inline void rex_attr_init(union bpf_attr *attr, enum bpf_prog_type type,
				 const void *image, size_t len, const char *entry,
				 char *log, size_t log_size)
{
	memset(attr, 0, sizeof(*attr));
	attr->prog_type = type;
	attr->prog_flags = BPF_F_REX;
	attr->license = ptr_to_u64("GPL");
	attr->rex_image = ptr_to_u64(image);
	attr->rex_image_size = len;
	attr->rex_entry = ptr_to_u64(entry);
	if (log) {
		log[0] = '\0';
		attr->log_buf = ptr_to_u64(log);
		attr->log_size = log_size;
		attr->log_level = 1;
	}
}

/*
 * Load a Rex image; on failure return -1 with errno set and the kernel's
 * log text in @log.
 */
static inline int rex_load(enum bpf_prog_type type, const void *image, size_t len,
			   const char *entry, char *log, size_t log_size)
{
	union bpf_attr attr;

	rex_attr_init(&attr, type, image, len, entry, log, log_size);
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

/*
 * Load a Rex image with the detached signature @sig in the keyring
 * @keyring_id (0: the kernel's trusted keyrings); as rex_load().
 */
static inline int rex_load_signed(const void *image, size_t len, const char *entry,
				  const void *sig, size_t sig_len, __s32 keyring_id,
				  char *log, size_t log_size)
{
	union bpf_attr attr;

	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, image, len, entry, log, log_size);
	attr.signature = ptr_to_u64(sig);
	attr.signature_size = sig_len;
	attr.keyring_id = keyring_id;
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

/* The bpf_prog_info of the program @fd into @info: its ID, or 0 on failure. */
static inline __u32 rex_prog_info(int fd, struct bpf_prog_info *info)
{
	union bpf_attr attr;

	memset(info, 0, sizeof(*info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(*info);
	attr.info.info = ptr_to_u64(info);
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) ? 0 : info->id;
}

/*
 * Load the Rex image in the file @image_fd (BPF_F_REX_IMAGE_FD), with the
 * detached signature @sig (NULL: none) in the keyring @keyring_id; as
 * rex_load().
 */
static inline int rex_load_fd(int image_fd, const char *entry, const void *sig,
			      size_t sig_len, __s32 keyring_id, char *log, size_t log_size)
{
	union bpf_attr attr;

	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, NULL, 0, entry, log, log_size);
	attr.prog_flags |= BPF_F_REX_IMAGE_FD;
	attr.rex_image_fd = image_fd;
	attr.signature = ptr_to_u64(sig);
	attr.signature_size = sig_len;
	attr.keyring_id = keyring_id;
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

/* Write @len bytes of @data to a new file @path (mode 0644): 0 or -1. */
static inline int rex_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n = -1;

	if (fd < 0)
		return -1;
	if (len)
		n = write(fd, data, len);
	close(fd);
	return len && n != (ssize_t)len ? -1 : 0;
}

/*
 * A keyring of this process that holds the X.509 certificate @cert (DER,
 * @cert_len bytes), for keyring_id: its serial, 0 without key support
 * (CONFIG_KEYS), or -1 with errno set.
 */
static inline __s32 rex_keyring_with(const void *cert, size_t cert_len)
{
	long ring, key;

	/* /proc/keys exists with CONFIG_KEYS, add_key() only with it. */
	if (access("/proc/keys", F_OK))
		return 0;
	ring = syscall(__NR_add_key, "keyring", "rex-selftest", NULL, 0,
		       -2 /* KEY_SPEC_PROCESS_KEYRING */);
	if (ring < 0)
		return -1;
	key = syscall(__NR_add_key, "asymmetric", NULL, cert, cert_len, ring);
	return key < 0 ? -1 : ring;
}

/*
 * Does the running kernel load Rex programs?  A Rex kernel explains in the
 * log why an image-less load is refused; a kernel without Rex refuses it
 * silently.  Returns NULL when Rex is usable, else why the tests must skip.
 */
static inline const char *rex_unsupported(void)
{
	static char log[1024];
	int fd;

	fd = rex_load(BPF_PROG_TYPE_XDP, NULL, 0, NULL, log, sizeof(log));
	if (fd >= 0) {
		close(fd);
		return "kernel accepted a Rex load without an image";
	}
	if (errno == EPERM)
		return "loading Rex programs needs CAP_SYS_ADMIN";
	if (!strstr(log, "rex:"))
		return "kernel without CONFIG_REX";
	return NULL;
}

/* Run @prog_fd once on @data with BPF_PROG_TEST_RUN; return its verdict. */
static inline int rex_test_run(int prog_fd, const void *data, size_t len,
			       unsigned int *retval)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.data_in = ptr_to_u64(data);
	attr.test.data_size_in = len;
	attr.test.repeat = 1;
	err = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	if (!err)
		*retval = attr.test.retval;
	return err;
}

/*
 * Load the smallest eBPF XDP program, "r0 = XDP_PASS; exit", for tests that
 * compare what Rex demands with what eBPF demands.  Returns its fd, or -1
 * with errno set.
 */
static inline int ebpf_xdp_load(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 2 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = 2;
	attr.license = ptr_to_u64("GPL");
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

/*
 * The tracefs directory, mounted at /sys/kernel/tracing if no tracefs is
 * visible yet (a minimal initramfs mounts none); NULL without tracefs.
 */
static inline const char *rex_tracefs_dir(void)
{
	static const char * const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL))
		return NULL;
	return dirs[0];
}

/* The kprobe PMU that kprobe attachment goes through, and why tests skip without it. */
#define REX_KPROBE_PMU		"/sys/bus/event_source/devices/kprobe/type"
#define REX_NO_KPROBE_PMU	"no kprobe PMU (CONFIG_KPROBE_EVENTS, CONFIG_PERF_EVENTS)"

static inline bool rex_have_kprobe_pmu(void)
{
	return !access(REX_KPROBE_PMU, F_OK);
}

/* The number after "@key:" in the fdinfo of @fd, or -1. */
static inline long long rex_fdinfo_value(int fd, const char *key)
{
	char path[64], buf[4096], *p;
	long long v = -1;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, key);
	if (p)
		sscanf(p + strlen(key), ":\t%lld", &v);
	return v;
}

/* Size of a PLT entry of an image (x86-64 psABI). */
#define REX_PLT_ENTRY	16

/*
 * The section of the image @img called @name, or NULL.  The images are the
 * test's own, built by its Makefile: no bounds are checked.
 */
static inline const Elf64_Shdr *rex_image_section(const unsigned char *img, const char *name)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh = (const void *)(img + eh->e_shoff);
	const char *names = (const char *)img + sh[eh->e_shstrndx].sh_offset;
	int i;

	for (i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

/*
 * The PLT entries of the image @img that the loader binds, one per PLT
 * relocation: those of .plt.sec (the IBT PLT), or those of .plt after its
 * header.  Sets *@addr to the address of the first in the image and
 * *@off to its offset in the file; returns their number (0 without).
 */
static inline unsigned int rex_image_plt(const unsigned char *img, uint64_t *addr, uint64_t *off)
{
	const Elf64_Shdr *sh = rex_image_section(img, ".plt.sec");
	unsigned int skip = 0;

	if (!sh) {
		sh = rex_image_section(img, ".plt");
		skip = 1;
	}
	if (!sh || sh->sh_size / REX_PLT_ENTRY <= skip)
		return 0;
	*addr = sh->sh_addr + skip * REX_PLT_ENTRY;
	*off = sh->sh_offset + skip * REX_PLT_ENTRY;
	return sh->sh_size / REX_PLT_ENTRY - skip;
}

/* The whole kernel log, NUL-terminated, to free(); or NULL. */
static inline char *rex_klog_read(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;
	int n;

	if (size <= 0)
		return NULL;
	buf = malloc(size + 1);
	if (!buf)
		return NULL;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Does the kernel log hold @text? */
static inline bool rex_klog_has(const char *text)
{
	char *buf = rex_klog_read();
	bool found;

	if (!buf)
		return false;
	found = strstr(buf, text);
	free(buf);
	return found;
}

/*
 * Copy the last line of the kernel log that holds @text, with its
 * timestamp, into @out; return whether there is one.
 */
static inline bool rex_klog_last(const char *text, char *out, size_t len)
{
	char *buf = rex_klog_read(), *p, *line = NULL;

	if (!buf)
		return false;
	for (p = strstr(buf, text); p; p = strstr(p + 1, text))
		line = p;
	if (line) {
		while (line > buf && line[-1] != '\n')
			line--;
		p = strchr(line, '\n');
		if (p)
			*p = '\0';
		snprintf(out, len, "%s", line);
	}
	free(buf);
	return line;
}

/* Is the running kernel built with KASAN? */
static inline bool rex_kasan(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	bool kasan = false;
	char line[256];

	while (f && !kasan && fgets(line, sizeof(line), f))
		kasan = strstr(line, " kasan_report\n");
	if (f)
		fclose(f);
	return kasan;
}

/*
 * The size of the Rex stacks, 16 KiB (20 KiB with KASAN), and what of it
 * interrupt handling may need below a program, REX_STACK_IRQ (see
 * Documentation/bpf/rex.rst).
 */
static inline __u64 rex_stack_size(void)
{
	return (rex_kasan() ? 20 : 16) * 1024;
}

static inline __u64 rex_stack_irq(void)
{
	return (rex_kasan() ? 4 : 2) * 1024;
}

#ifdef _GNU_SOURCE
#include <sched.h>

/* Run the calling thread on @cpu only; 0 or -1 with errno. */
static inline int rex_pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}
#endif

#ifndef REX_NO_HARNESS
#include <sys/mman.h>

/* The descriptor of the map @name of @obj, which must exist. */
static inline int rex_map_fd(struct __test_metadata *_metadata, struct rex_object *obj,
			     const char *name)
{
	int fd = rex_object__find_map_fd_by_name(obj, name);

	ASSERT_LE(0, fd) TH_LOG("map %s: %s", name, strerror(-fd));
	return fd;
}

/* Value at @key of a u64 array map; the key must exist. */
static inline __u64 rex_array_get(struct __test_metadata *_metadata, int fd, __u32 key)
{
	__u64 value = ~0ULL;
	int err;

	err = rex_map_lookup_elem(fd, &key, &value);
	ASSERT_EQ(0, err) TH_LOG("lookup of %u: %s", key, strerror(-err));
	return value;
}

/* Set the u64 at @key of the array map @fd to @value. */
static inline void rex_array_set(struct __test_metadata *_metadata, int fd, __u32 key,
				 __u64 value)
{
	ASSERT_EQ(0, rex_map_update_elem(fd, &key, &value, BPF_ANY));
}

/* Tell the program of @obj which process to watch (map "target"): this one. */
static inline void rex_set_target(struct __test_metadata *_metadata, struct rex_object *obj)
{
	rex_array_set(_metadata, rex_map_fd(_metadata, obj, "target"), 0, getpid());
}

/* The header bits of a ring buffer record (include/uapi/linux/bpf.h). */
#define REX_RINGBUF_HDR		8

/* A BPF ring buffer, mapped for consuming. */
struct rex_ring {
	unsigned long *consumer;
	const unsigned long *producer;
	const unsigned char *data;
	size_t psz, size;
};

/* Map the ring buffer map @fd of @size bytes. */
static inline void rex_ring_open(struct __test_metadata *_metadata, struct rex_ring *r, int fd,
				 size_t size)
{
	r->size = size;
	r->psz = sysconf(_SC_PAGESIZE);
	r->consumer = mmap(NULL, r->psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, r->consumer);
	/* producer page, then the data pages mapped twice */
	r->producer = mmap(NULL, r->psz + 2 * size, PROT_READ, MAP_SHARED, fd, r->psz);
	ASSERT_NE(MAP_FAILED, r->producer);
	r->data = (const unsigned char *)r->producer + r->psz;
}

static inline void rex_ring_close(struct rex_ring *r)
{
	if (!r->psz)
		return;
	munmap(r->consumer, r->psz);
	munmap((void *)r->producer, r->psz + 2 * r->size);
}

/*
 * Consume the ring buffer: count committed and discarded records, fail on
 * a record still being written (a reservation nobody will ever finish),
 * and check that the committed records hold the u64 values 0, 1, 2...
 */
static inline void rex_ring_consume(struct __test_metadata *_metadata, struct rex_ring *r,
				    unsigned int *committed, unsigned int *discarded)
{
	unsigned long cons = *r->consumer;
	unsigned long prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);

	*committed = *discarded = 0;
	while (cons < prod) {
		const unsigned char *hdr = r->data + (cons & (r->size - 1));
		__u32 len = __atomic_load_n((const __u32 *)hdr, __ATOMIC_ACQUIRE);

		ASSERT_EQ(0, len & BPF_RINGBUF_BUSY_BIT)
			TH_LOG("record at %lu is still reserved", cons);
		if (len & BPF_RINGBUF_DISCARD_BIT) {
			(*discarded)++;
		} else {
			EXPECT_EQ(*committed, *(const __u64 *)(hdr + REX_RINGBUF_HDR));
			(*committed)++;
		}
		len &= ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		cons += (len + REX_RINGBUF_HDR + 7) / 8 * 8;
	}
	__atomic_store_n(r->consumer, cons, __ATOMIC_RELEASE);
}
#endif /* REX_NO_HARNESS */

/* The run-time budget of Rex programs, in ms. */
#define REX_BUDGET_SYSCTL	"/proc/sys/kernel/rex_budget_ms"

/* The budget, or -1 if it cannot be read. */
static inline int rex_budget_read(void)
{
	FILE *f = fopen(REX_BUDGET_SYSCTL, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Write @text to the budget sysctl; return 0 or -errno. */
static inline int rex_budget_write(const char *text)
{
	int fd = open(REX_BUDGET_SYSCTL, O_WRONLY);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Set the budget to @ms; return 0 or -errno. */
static inline int rex_budget_set(int ms)
{
	char text[16];

	snprintf(text, sizeof(text), "%d", ms);
	return rex_budget_write(text);
}

/*
 * The number of objects reachable with @cmd, BPF_PROG_GET_NEXT_ID or
 * BPF_MAP_GET_NEXT_ID, or -errno.
 */
static inline long rex_count_ids(int cmd)
{
	union bpf_attr attr;
	__u32 id = 0;
	long n = 0;

	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(cmd, &attr))
			return errno == ENOENT ? n : -errno;
		id = attr.next_id;
		n++;
	}
}

#ifndef REX_NO_HARNESS
/* The id of the program @fd. */
static inline __u32 rex_prog_id(struct __test_metadata *_metadata, int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	EXPECT_EQ(0, rex_prog_get_info(fd, &info, &len));
	return info.id;
}

/* What the kernel says of the map @fd. */
static inline struct bpf_map_info rex_map_info(struct __test_metadata *_metadata, int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	EXPECT_EQ(0, rex_map_get_info(fd, &info, &len));
	return info;
}

/* Open and load an embedded image (REX_IMAGE); the test fails if either fails. */
static inline struct rex_object *rex_test_load(struct __test_metadata *_metadata,
					       const unsigned char *start,
					       const unsigned char *end)
{
	struct rex_object *obj;
	int err;

	obj = rex_object__open_mem(start, end - start);
	ASSERT_NE(NULL, obj) TH_LOG("open: %s", strerror(errno));
	err = rex_object__load(obj);
	ASSERT_EQ(0, err) TH_LOG("load: %s: %s", strerror(-err), rex_object__log(obj));
	return obj;
}

#define REX_TEST_LOAD(name)	rex_test_load(_metadata, name##_start, name##_end)

/*
 * Open and load the Rex image from @start to @end; it must hold exactly one
 * program, which goes to @prog.
 */
static inline struct rex_object *rex_test_load_one(struct __test_metadata *_metadata,
						   const unsigned char *start,
						   const unsigned char *end,
						   struct rex_program **prog)
{
	struct rex_object *obj = rex_test_load(_metadata, start, end);

	*prog = rex_object__next_program(obj, NULL);
	ASSERT_NE(NULL, *prog);
	ASSERT_EQ(NULL, rex_object__next_program(obj, *prog));
	ASSERT_LE(0, rex_program__fd(*prog));
	return obj;
}

#define REX_TEST_LOAD_ONE(name, prog)	rex_test_load_one(_metadata, name##_start, name##_end, prog)
#else
/* Open and load an embedded image (REX_IMAGE), or exit with the kernel's log. */
static inline struct rex_object *rex_test_load(const unsigned char *start,
					       const unsigned char *end)
{
	struct rex_object *obj = rex_object__open_mem(start, end - start);

	if (!obj || rex_object__load(obj)) {
		fprintf(stderr, "loading a Rex image failed: %s\n",
			obj ? rex_object__log(obj) : strerror(errno));
		exit(1);
	}
	return obj;
}

#define REX_TEST_LOAD(name)	rex_test_load(name##_start, name##_end)
#endif

#endif /* __REX_TEST_H */
