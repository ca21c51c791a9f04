// SPDX-License-Identifier: GPL-2.0
/*
 * The Rex panic path: a program that panics returns its type's default
 * value, the interrupted kernel path goes on, the panic is counted and
 * logged, and nothing the program held is lost: ring buffer records it
 * reserved are discarded (none is left pending, new ones can be
 * reserved), a full ledger fails reservations cleanly, and the same
 * program runs correctly next time.
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <linux/perf_event.h>

#include "rex_test.h"
#include "progs/panic_common.h"

REX_IMAGE(xdp_panic);
REX_IMAGE(kprobe_panic);
REX_IMAGE(types_panic);

/* The header bits of include/uapi/linux/bpf.h */
#define RINGBUF_BUSY	BPF_RINGBUF_BUSY_BIT
#define RINGBUF_DISCARD	BPF_RINGBUF_DISCARD_BIT
#define RINGBUF_HDR	8

FIXTURE(xdp) {
	struct rex_object *obj;
	int prog_fd, cfg_fd, out_fd, rb_fd;
	unsigned long *consumer;
	const unsigned long *producer;
	const unsigned char *data;
	size_t psz;
};

FIXTURE_SETUP(xdp)
{
	const char *why = rex_unsupported();

	self->obj = NULL;
	if (why)
		SKIP(return, "%s", why);
	self->obj = REX_TEST_LOAD(xdp_panic);
	self->prog_fd = rex_object__find_prog_fd_by_name(self->obj, "rex_xdp_panic");
	self->cfg_fd = rex_object__find_map_fd_by_name(self->obj, "cfg");
	self->out_fd = rex_object__find_map_fd_by_name(self->obj, "out");
	self->rb_fd = rex_object__find_map_fd_by_name(self->obj, "rb");
	self->psz = sysconf(_SC_PAGESIZE);
	self->consumer = mmap(NULL, self->psz, PROT_READ | PROT_WRITE, MAP_SHARED,
			      self->rb_fd, 0);
	ASSERT_NE(MAP_FAILED, self->consumer);
	/* producer page, then the data pages mapped twice */
	self->producer = mmap(NULL, self->psz + 2 * REX_PANIC_RB_SIZE, PROT_READ, MAP_SHARED,
			      self->rb_fd, self->psz);
	ASSERT_NE(MAP_FAILED, self->producer);
	self->data = (const unsigned char *)self->producer + self->psz;
}

FIXTURE_TEARDOWN(xdp)
{
	if (self->obj) {
		munmap(self->consumer, self->psz);
		munmap((void *)self->producer, self->psz + 2 * REX_PANIC_RB_SIZE);
	}
	rex_object__close(self->obj);
}

static __u64 get(int fd, __u32 key)
{
	__u64 v = ~0ULL;

	rex_map_lookup_elem(fd, &key, &v);
	return v;
}

static void set(int fd, __u32 key, __u64 v)
{
	rex_map_update_elem(fd, &key, &v, 0);
}

/* Run the program once with @n records and @mode; return its verdict. */
static unsigned int run(struct __test_metadata *_metadata, struct _test_data_xdp *self,
			__u64 n, __u64 mode)
{
	unsigned char frame[64] = { [12] = 0x08 };
	unsigned int retval = ~0U;

	set(self->cfg_fd, 0, n);
	set(self->cfg_fd, 1, mode);
	EXPECT_EQ(0, rex_test_run(self->prog_fd, frame, sizeof(frame), &retval));
	return retval;
}

/*
 * Consume the ring buffer: count committed and discarded records, fail on
 * a record still being written (a reservation nobody will ever finish),
 * and check the values of committed records are 0, 1, 2...
 */
static void consume(struct __test_metadata *_metadata, struct _test_data_xdp *self,
		    unsigned int *committed, unsigned int *discarded)
{
	unsigned long cons = *self->consumer;
	unsigned long prod = __atomic_load_n(self->producer, __ATOMIC_ACQUIRE);

	*committed = *discarded = 0;
	while (cons < prod) {
		const unsigned char *hdr = self->data + (cons & (REX_PANIC_RB_SIZE - 1));
		__u32 len = __atomic_load_n((const __u32 *)hdr, __ATOMIC_ACQUIRE);

		ASSERT_EQ(0, len & RINGBUF_BUSY) TH_LOG("record at %lu is still reserved", cons);
		if (len & RINGBUF_DISCARD) {
			(*discarded)++;
		} else {
			EXPECT_EQ(*committed, *(const __u64 *)(hdr + RINGBUF_HDR));
			(*committed)++;
		}
		len &= ~(RINGBUF_BUSY | RINGBUF_DISCARD);
		cons += (len + RINGBUF_HDR + 7) / 8 * 8;
	}
	__atomic_store_n(self->consumer, cons, __ATOMIC_RELEASE);
}

static long long fdinfo_value(int fd, const char *key)
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

/* Does the kernel log hold @text? */
static bool klog_has(const char *text)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	bool found;
	char *buf;
	int n;

	if (size <= 0)
		return false;
	buf = malloc(size + 1);
	if (!buf)
		return false;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	buf[n > 0 ? n : 0] = '\0';
	found = strstr(buf, text);
	free(buf);
	return found;
}

/* Ring buffer and program work before any fault. */
TEST_F(xdp, baseline)
{
	unsigned int c, d;

	EXPECT_EQ(XDP_PASS, run(_metadata, self, 3, REX_SUBMIT));
	consume(_metadata, self, &c, &d);
	EXPECT_EQ(3, c);
	EXPECT_EQ(0, d);
	EXPECT_EQ(0, fdinfo_value(self->prog_fd, "rex_panics"));
}

/* A panic with 0, 1 and several records held; each time nothing is lost. */
TEST_F(xdp, panic_releases_records)
{
	static const unsigned int held[] = { 0, 1, 5 };
	unsigned int i, c, d;

	for (i = 0; i < ARRAY_SIZE(held); i++) {
		EXPECT_EQ(XDP_ABORTED, run(_metadata, self, held[i], REX_PANIC));
		EXPECT_EQ(0, get(self->out_fd, 1)) TH_LOG("the program went on after rex_panic()");
		EXPECT_EQ(i + 1, fdinfo_value(self->prog_fd, "rex_panics"));
		consume(_metadata, self, &c, &d);
		EXPECT_EQ(0, c);
		EXPECT_EQ(held[i], d);

		/* The same program, the same CPU state: works next time. */
		EXPECT_EQ(XDP_PASS, run(_metadata, self, 2, REX_SUBMIT));
		consume(_metadata, self, &c, &d);
		EXPECT_EQ(2, c);
		EXPECT_EQ(0, d);
	}
	EXPECT_EQ(0, get(self->out_fd, 0));
	EXPECT_TRUE(klog_has("panicked: xdp test panic"));
}

/* A full ledger fails further reservations; a panic then releases all. */
TEST_F(xdp, ledger_full)
{
	unsigned int c, d;

	/* The 4 reservations past the ledger's 16 entries are discarded. */
	EXPECT_EQ(XDP_PASS, run(_metadata, self, 20, REX_SUBMIT));
	EXPECT_EQ(20 - 16, get(self->out_fd, 0));
	consume(_metadata, self, &c, &d);
	EXPECT_EQ(16, c);
	EXPECT_EQ(20 - 16, d);

	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 20, REX_PANIC));
	consume(_metadata, self, &c, &d);
	EXPECT_EQ(0, c);
	EXPECT_EQ(20, d);
	EXPECT_EQ(XDP_PASS, run(_metadata, self, 1, REX_SUBMIT));
	consume(_metadata, self, &c, &d);
	EXPECT_EQ(1, c);
}

/* Returning while holding records is counted; the records are released. */
TEST_F(xdp, return_holding)
{
	unsigned int c, d;

	EXPECT_EQ(XDP_PASS, run(_metadata, self, 2, REX_LEAK));
	EXPECT_EQ(1, fdinfo_value(self->prog_fd, "rex_leaks"));
	EXPECT_EQ(0, fdinfo_value(self->prog_fd, "rex_panics"));
	consume(_metadata, self, &c, &d);
	EXPECT_EQ(0, c);
	EXPECT_EQ(2, d);
}

/*
 * A kprobe program that panics on getppid: the system call goes on as if
 * the program had returned, every time.  Few enough panics that the
 * rate-limited panic log still has room for the XDP tests' messages.
 */
TEST(kprobe_panic)
{
	struct rex_object *obj;
	struct rex_link *link;
	__u64 tgid = getpid();
	__u32 zero = 0;
	pid_t ppid = getppid();
	int i, prog_fd;
	const char *why = rex_unsupported();

	if (why)
		SKIP(return, "%s", why);
	if (!rex_have_kprobe_pmu())
		SKIP(return, REX_NO_KPROBE_PMU);
	obj = REX_TEST_LOAD(kprobe_panic);
	prog_fd = rex_object__find_prog_fd_by_name(obj, "rex_kprobe_panic");
	ASSERT_EQ(0, rex_map_update_elem(rex_object__find_map_fd_by_name(obj, "target"),
					 &zero, &tgid, 0));
	link = rex_program__attach_kprobe(rex_object__find_program_by_name(obj,
									   "rex_kprobe_panic"),
					  false, "__x64_sys_getppid");
	ASSERT_NE(NULL, link) TH_LOG("attach kprobe: %s", strerror(errno));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(ppid, syscall(__NR_getppid));
	rex_link__destroy(link);
	EXPECT_EQ(5, fdinfo_value(prog_fd, "rex_panics"));
	rex_object__close(obj);
}

FIXTURE(types) {
	struct rex_object *obj;
	int counts_fd;
};

FIXTURE_SETUP(types)
{
	const char *why = rex_unsupported();
	__u64 tgid = getpid();
	__u32 zero = 0;

	self->obj = NULL;
	if (why)
		SKIP(return, "%s", why);
	self->obj = REX_TEST_LOAD(types_panic);
	self->counts_fd = rex_object__find_map_fd_by_name(self->obj, "counts");
	ASSERT_EQ(0, rex_map_update_elem(rex_object__find_map_fd_by_name(self->obj, "target"),
					 &zero, &tgid, 0));
}

FIXTURE_TEARDOWN(types)
{
	rex_object__close(self->obj);
}

static int prog_fd(struct rex_object *obj, const char *name)
{
	return rex_object__find_prog_fd_by_name(obj, name);
}

/* tc: the attach point gets TC_ACT_SHOT, every run. */
TEST_F(types, tc)
{
	unsigned char frame[64] = { [12] = 0x08 };
	union bpf_attr attr;
	int fd = prog_fd(self->obj, "rex_tc_panic");

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = ptr_to_u64(frame);
	attr.test.data_size_in = sizeof(frame);
	attr.test.repeat = 3;
	ASSERT_EQ(0, sys_bpf(BPF_PROG_TEST_RUN, &attr));
	EXPECT_EQ(2 /* TC_ACT_SHOT */, attr.test.retval);
	EXPECT_EQ(3, get(self->counts_fd, 0));
	EXPECT_EQ(3, fdinfo_value(fd, "rex_panics"));
}

/* tracepoint: the traced system call goes on, every time. */
TEST_F(types, tracepoint)
{
	int i, fd = prog_fd(self->obj, "rex_tp_panic");
	pid_t ppid = getppid();
	struct rex_link *link;

	if (!rex_tracefs_dir())
		SKIP(return, "no tracefs");
	link = rex_program__attach_tracepoint(rex_object__find_program_by_name(self->obj,
									       "rex_tp_panic"),
					      "raw_syscalls", "sys_enter");
	ASSERT_NE(NULL, link) TH_LOG("attach: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(ppid, syscall(__NR_getppid));
	rex_link__destroy(link);
	EXPECT_EQ(3, get(self->counts_fd, 0));
	EXPECT_EQ(3, fdinfo_value(fd, "rex_panics"));
}

/* perf_event (hardirq context): every sample's run panics and is recovered. */
TEST_F(types, perf_event)
{
	struct perf_event_attr pattr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(pattr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 20 * 1000 * 1000,	/* ns: 50 Hz, few panic logs */
		.disabled = 1,
	};
	int pfd, cpu, fd = prog_fd(self->obj, "rex_pe_panic");
	struct timespec start, now;
	struct rex_link *link;
	cpu_set_t set;

	cpu = sched_getcpu();
	ASSERT_LE(0, cpu);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	pfd = syscall(__NR_perf_event_open, &pattr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0 && (errno == ENOENT || errno == EOPNOTSUPP))
		SKIP(return, "no software perf events (CONFIG_PERF_EVENTS)");
	ASSERT_LE(0, pfd);
	link = rex_program__attach_perf_event(rex_object__find_program_by_name(self->obj,
									       "rex_pe_panic"),
					      pfd);
	ASSERT_NE(NULL, link) TH_LOG("attach: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0));
	clock_gettime(CLOCK_MONOTONIC, &start);
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while ((now.tv_sec - start.tv_sec) * 1000000000LL + now.tv_nsec - start.tv_nsec <
	       200 * 1000 * 1000LL);
	rex_link__destroy(link);
	close(pfd);
	EXPECT_LT(0, get(self->counts_fd, 0));
	EXPECT_EQ(get(self->counts_fd, 0), fdinfo_value(fd, "rex_panics"));
}

TEST_HARNESS_MAIN
