// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs written in Rust, built with rex-build.sh (tools/lib/rex): the
 * samples of samples/rex, each checked end to end at its attach point, and
 * the faults Rust programs run into (unwrap on None, an index out of
 * bounds, an arithmetic overflow, unbounded recursion, an endless loop),
 * each hit while the program holds a ring buffer record and a spin lock
 * through the crate's guards, and each followed by checks that nothing is
 * lost; the map kinds and flags of the crate beyond arrays and hashes
 * (rust/rust_maps.rs) with librex's pinning and per-CPU helpers; and
 * tracepoint records with named fields generated from the events' formats
 * (rust/rust_tp.rs).  Without
 * a Rust toolchain where the tests were built the images are empty and
 * the tests SKIP with the reason.
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/perf_event.h>
#include <linux/udp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include "rex_test.h"
#include "rex_net.h"

REX_IMAGE(rust_faults);
REX_IMAGE(rust_maps);
REX_IMAGE(rust_tp);
/* The formats rust_tp.rs was built from (rust/tracefs/). */
REX_TEXT(fmt_sched_switch, "tp_sched_switch.format");
REX_TEXT(fmt_sys_enter_write, "tp_sys_enter_write.format");
REX_IMAGE(sample_hello);
REX_IMAGE(sample_syscount);
REX_IMAGE(sample_errinj);
REX_IMAGE(sample_xdp_filter);
REX_IMAGE(sample_tc_marker);
REX_IMAGE(sample_perf_sampler);

/* "ok: ..." if rex-build.sh could build programs, else why not. */
REX_TEXT(rust_status, "rust-status");

#define RB_SIZE		4096
#define TEST_BUDGET_MS	20
#define NR_CALLS	100

/* Why the Rust tests cannot run here, or NULL. */
static const char *rust_missing(char *buf, size_t len)
{
	const char *why = rex_unsupported();

	if (why)
		return why;
	if (!strncmp(rust_status_start, "ok", 2))
		return NULL;
	snprintf(buf, len, "Rust programs not built: %.*s",
		 (int)(rust_status_end - rust_status_start), rust_status_start);
	return buf;
}

/* The faults of rust/rust_faults.rs, by CFG[0]. */
enum fault_mode {
	FAULT_NONE,
	FAULT_UNWRAP_NONE,
	FAULT_INDEX,
	FAULT_OVERFLOW,
	FAULT_RECURSION,
	FAULT_LOOP,
};

FIXTURE(faults) {
	struct rex_object *obj;
	int prog_fd, cfg_fd, out_fd, locked_fd, budget;
	struct rex_ring rb;
};

FIXTURE_SETUP(faults)
{
	struct rex_program *prog;
	const char *why;
	char buf[256];

	self->obj = NULL;
	self->budget = rex_budget_read();
	why = rust_missing(buf, sizeof(buf));
	if (why)
		SKIP(return, "%s", why);
	self->obj = REX_TEST_LOAD_ONE(rust_faults, &prog);
	self->prog_fd = rex_program__fd(prog);
	self->cfg_fd = rex_object__find_map_fd_by_name(self->obj, "CFG");
	self->out_fd = rex_object__find_map_fd_by_name(self->obj, "OUT");
	self->locked_fd = rex_object__find_map_fd_by_name(self->obj, "LOCKED");
	rex_ring_open(_metadata, &self->rb, rex_object__find_map_fd_by_name(self->obj, "RB"),
		      RB_SIZE);
}

FIXTURE_TEARDOWN(faults)
{
	if (self->obj) {
		rex_budget_set(self->budget);
		rex_ring_close(&self->rb);
	}
	rex_object__close(self->obj);
}

/* The counter behind LOCKED[0]'s spin lock: the value after the lock word. */
static __u64 locked_count(struct _test_data_faults *self)
{
	__u64 v[2] = { ~0ULL, ~0ULL };
	__u32 zero = 0;

	rex_map_lookup_elem(self->locked_fd, &zero, v);
	return v[1];
}

static unsigned int run(struct _test_data_faults *self, enum fault_mode mode, __u64 x)
{
	unsigned char frame[64] = { [12] = 0x08 };
	unsigned int retval = ~0U;

	rex_u64_set(self->cfg_fd, 0, mode);
	rex_u64_set(self->cfg_fd, 1, x);
	if (rex_test_run(self->prog_fd, frame, sizeof(frame), &retval))
		return ~0U;
	return retval;
}

/*
 * Run fault @mode (operand @x) twice: each run is left early with XDP_ABORTED
 * and counted under @counter, the record it held is discarded and not left
 * pending, the lock it held is free (the next run takes it), and a run
 * without fault works.
 */
static void check_fault(struct __test_metadata *_metadata, struct _test_data_faults *self,
			enum fault_mode mode, __u64 x, const char *counter, const char *log)
{
	unsigned int i, c, d;

	for (i = 1; i <= 2; i++) {
		__u64 locks = locked_count(self);

		EXPECT_EQ(XDP_ABORTED, run(self, mode, x));
		EXPECT_EQ(0, rex_u64_get(self->out_fd, 0))
			TH_LOG("the program went on after the fault");
		EXPECT_EQ(i, rex_fdinfo_value(self->prog_fd, counter));
		EXPECT_EQ(locks + 1, locked_count(self))
			TH_LOG("the faulting run did not take the lock");
		rex_ring_consume(_metadata, &self->rb, &c, &d);
		EXPECT_EQ(0, c);
		EXPECT_EQ(1, d);

		EXPECT_EQ(XDP_PASS, run(self, FAULT_NONE, 0));
		EXPECT_EQ(locks + 2, locked_count(self));
		rex_ring_consume(_metadata, &self->rb, &c, &d);
		EXPECT_EQ(1, c);
		EXPECT_EQ(0, d);
	}
	if (log)
		EXPECT_TRUE(rex_klog_has(log)) TH_LOG("no \"%s\" in the kernel log", log);
}

TEST_F(faults, baseline)
{
	unsigned int c, d;

	EXPECT_EQ(XDP_PASS, run(self, FAULT_NONE, 0));
	EXPECT_EQ(1, locked_count(self));
	rex_ring_consume(_metadata, &self->rb, &c, &d);
	EXPECT_EQ(1, c);
	EXPECT_EQ(0, d);
	EXPECT_EQ(0, rex_fdinfo_value(self->prog_fd, "rex_panics"));
}

TEST_F(faults, unwrap_none)
{
	check_fault(_metadata, self, FAULT_UNWRAP_NONE, 0, "rex_panics",
		    "panicked: called `Option::unwrap()` on a `None` value (");
	/* The panic handler adds where the panic was. */
	EXPECT_TRUE(rex_klog_has("rust_faults.rs:"));
}

TEST_F(faults, index_out_of_bounds)
{
	check_fault(_metadata, self, FAULT_INDEX, 0, "rex_panics",
		    "panicked: index out of bounds: the len is 4 but the index is 4");
}

TEST_F(faults, arithmetic_overflow)
{
	check_fault(_metadata, self, FAULT_OVERFLOW, 1, "rex_panics",
		    "panicked: attempt to add with overflow");
}

TEST_F(faults, unbounded_recursion)
{
	check_fault(_metadata, self, FAULT_RECURSION, 0, "rex_stack_overflows",
		    "bytes left at a function entry");
}

/* The loop runs with the spin lock held, so with interrupts disabled. */
TEST_F(faults, endless_loop)
{
	ASSERT_EQ(0, rex_budget_set(TEST_BUDGET_MS));
	check_fault(_metadata, self, FAULT_LOOP, 0, "rex_timeouts", "ran past its budget");
}

/* A program of each sample, loaded and attached. */
/* What a run of rust/rust_maps.rs does, by CFG[0]. */
enum maps_op {
	OP_LRU_INSERT = 1,
	OP_LRU_GET,
	OP_LPM_GET,
	OP_LPM_INSERT,
	OP_QUEUE_PUSH,
	OP_QUEUE_POP,
	OP_QUEUE_PEEK,
	OP_STACK_PUSH,
	OP_STACK_POP,
	OP_STACK_PEEK,
	OP_FLAGGED_INSERT,
	OP_RDONLY_SET,
	OP_PCPU_INSERT,
	OP_PCPU_ARRAY_GET,
	OP_READ_USER,
	OP_HIST_ADD,
	OP_PCPU_ADD,
	OP_ARRAY_GET,
	OP_WRONLY_GET,
};

#define NONE	(~0ULL)		/* OUT[0] when nothing was found */

FIXTURE(maps) {
	struct rex_object *obj;
	int prog_fd, cfg_fd, out_fd;
};

static void maps_bind(struct _test_data_maps *self, struct rex_object *obj)
{
	self->obj = obj;
	self->prog_fd = rex_program__fd(rex_object__next_program(obj, NULL));
	self->cfg_fd = rex_object__find_map_fd_by_name(obj, "CFG");
	self->out_fd = rex_object__find_map_fd_by_name(obj, "OUT");
}

FIXTURE_SETUP(maps)
{
	struct rex_program *prog;
	const char *why;
	char buf[256];

	self->obj = NULL;
	why = rust_missing(buf, sizeof(buf));
	if (why)
		SKIP(return, "%s", why);
	maps_bind(self, REX_TEST_LOAD_ONE(rust_maps, &prog));
}

FIXTURE_TEARDOWN(maps)
{
	rex_object__close(self->obj);
}

/* One run: OUT[0] is returned, OUT[1] (the error) goes to @err. */
static __u64 maps_run(struct __test_metadata *_metadata, struct _test_data_maps *self,
		      enum maps_op op, __u64 arg, __u64 arg2, __u64 arg3, long long *err)
{
	unsigned char frame[64] = { [12] = 0x08 };
	unsigned int retval = ~0U;

	rex_u64_set(self->cfg_fd, 0, op);
	rex_u64_set(self->cfg_fd, 1, arg);
	rex_u64_set(self->cfg_fd, 2, arg2);
	rex_u64_set(self->cfg_fd, 3, arg3);
	rex_u64_set(self->out_fd, 0, 0xdead);
	rex_u64_set(self->out_fd, 1, 0xdead);
	EXPECT_EQ(0, rex_test_run(self->prog_fd, frame, sizeof(frame), &retval));
	EXPECT_EQ(XDP_PASS, retval) TH_LOG("operation %d", op);
	if (err)
		*err = (long long)rex_u64_get(self->out_fd, 1);
	return rex_u64_get(self->out_fd, 0);
}

#define MAP(name)	rex_object__find_map_fd_by_name(self->obj, name)
#define RUN(op, arg)	maps_run(_metadata, self, op, arg, 0, 0, NULL)
#define CHANGE(op, arg, arg2, arg3) ({						\
	long long __err;							\
	maps_run(_metadata, self, op, arg, arg2, arg3, &__err);			\
	__err;									\
})

static unsigned int count_keys(int fd, size_t key_size)
{
	unsigned char key[64], next[64];
	unsigned int n = 0;
	void *prev = NULL;

	while (n < 1000 && !rex_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/* An LRU hash takes more keys than it has room for, by evicting. */
TEST_F(maps, lru_evicts)
{
	unsigned int i;

	for (i = 1; i <= 6; i++)
		EXPECT_EQ(0, CHANGE(OP_LRU_INSERT, i, 0, 0)) TH_LOG("insert %u", i);
	EXPECT_GE(4, count_keys(MAP("LRU"), sizeof(__u32)));
	EXPECT_LE(1, count_keys(MAP("LRU"), sizeof(__u32)));
	EXPECT_EQ(6, RUN(OP_LRU_GET, 6));
}

struct lpm_key4 {
	__u32 prefix_len;
	__u8 data[4];
};

static void lpm_set(struct __test_metadata *_metadata, int fd, __u32 len, __u32 addr,
		    __u64 value)
{
	struct lpm_key4 key = { .prefix_len = len };

	addr = htonl(addr);
	memcpy(key.data, &addr, 4);
	ASSERT_EQ(0, rex_map_update_elem(fd, &key, &value, BPF_ANY));
}

/* An LPM trie finds the longest stored prefix, and programs add prefixes. */
TEST_F(maps, lpm_longest_prefix)
{
	struct lpm_key4 key = { .prefix_len = 16, .data = { 192, 168, 0, 0 } };
	__u64 v = 0;

	lpm_set(_metadata, MAP("PREFIX"), 8, 0x0a000000, 1);
	lpm_set(_metadata, MAP("PREFIX"), 16, 0x0a010000, 2);
	EXPECT_EQ(2, RUN(OP_LPM_GET, 0x0a010203));
	EXPECT_EQ(1, RUN(OP_LPM_GET, 0x0a020304));
	EXPECT_EQ(NONE, RUN(OP_LPM_GET, 0x0b000001));
	EXPECT_EQ(0, CHANGE(OP_LPM_INSERT, 0xc0a80000, 16, 3));
	EXPECT_EQ(3, RUN(OP_LPM_GET, 0xc0a80506));
	EXPECT_EQ(0, rex_map_lookup_elem(MAP("PREFIX"), &key, &v));
	EXPECT_EQ(3, v);
	/* Longer than the 32 bits of the data. */
	EXPECT_EQ(-EINVAL, CHANGE(OP_LPM_INSERT, 0xc0a80000, 33, 4));
}

/* User space takes a value out of a queue or stack map. */
static __u64 qs_pop(int fd)
{
	union bpf_attr attr;
	__u64 v = NONE;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.value = (unsigned long)&v;
	if (syscall(__NR_bpf, BPF_MAP_LOOKUP_AND_DELETE_ELEM, &attr, sizeof(attr)))
		return NONE;
	return v;
}

/* A queue: first in, first out; full, it fails or drops the oldest. */
TEST_F(maps, queue)
{
	unsigned int i;
	__u64 v = 9;

	for (i = 1; i <= 3; i++)
		EXPECT_EQ(0, CHANGE(OP_QUEUE_PUSH, i, 0, 0));
	EXPECT_EQ(1, RUN(OP_QUEUE_PEEK, 0));
	EXPECT_EQ(1, RUN(OP_QUEUE_POP, 0));
	EXPECT_EQ(2, qs_pop(MAP("FIFO")));
	EXPECT_EQ(0, rex_map_update_elem(MAP("FIFO"), NULL, &v, 0));
	EXPECT_EQ(3, RUN(OP_QUEUE_POP, 0));
	EXPECT_EQ(9, RUN(OP_QUEUE_POP, 0));
	EXPECT_EQ(NONE, RUN(OP_QUEUE_POP, 0));
	EXPECT_EQ(NONE, RUN(OP_QUEUE_PEEK, 0));

	for (i = 1; i <= 4; i++)
		EXPECT_EQ(0, CHANGE(OP_QUEUE_PUSH, i, 0, 0));
	EXPECT_EQ(-E2BIG, CHANGE(OP_QUEUE_PUSH, 5, 0, 0));
	EXPECT_EQ(0, CHANGE(OP_QUEUE_PUSH, 5, 1, 0));
	for (i = 2; i <= 5; i++)
		EXPECT_EQ(i, RUN(OP_QUEUE_POP, 0));
	EXPECT_EQ(NONE, RUN(OP_QUEUE_POP, 0));
}

/* A stack: last in, first out. */
TEST_F(maps, stack)
{
	unsigned int i;
	__u64 v = 9;

	for (i = 1; i <= 3; i++)
		EXPECT_EQ(0, CHANGE(OP_STACK_PUSH, i, 0, 0));
	EXPECT_EQ(3, RUN(OP_STACK_POP, 0));
	EXPECT_EQ(0, rex_map_update_elem(MAP("LIFO"), NULL, &v, 0));
	EXPECT_EQ(9, RUN(OP_STACK_PEEK, 0));
	EXPECT_EQ(9, RUN(OP_STACK_POP, 0));
	EXPECT_EQ(2, qs_pop(MAP("LIFO")));
	EXPECT_EQ(1, RUN(OP_STACK_POP, 0));
	EXPECT_EQ(NONE, RUN(OP_STACK_POP, 0));
	EXPECT_EQ(NONE, RUN(OP_STACK_PEEK, 0));
}

/*
 * The flags an image gives its maps are the maps' flags; a map read-only
 * for programs is read and not written.
 */
TEST_F(maps, flags)
{
	__u32 zero = 0;
	__u64 v = 77;

	EXPECT_EQ(BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED,
		  rex_map_info(_metadata, MAP("FLAGGED")).map_flags);
	EXPECT_EQ(BPF_F_NO_COMMON_LRU, rex_map_info(_metadata, MAP("PCPU")).map_flags);
	EXPECT_EQ(BPF_F_NO_PREALLOC, rex_map_info(_metadata, MAP("PREFIX")).map_flags);
	EXPECT_EQ(BPF_F_RDONLY_PROG, rex_map_info(_metadata, MAP("RDONLY")).map_flags);
	EXPECT_EQ(0, rex_map_info(_metadata, MAP("LRU")).map_flags);

	EXPECT_EQ(0, CHANGE(OP_FLAGGED_INSERT, 5, 0, 0));
	EXPECT_EQ(-EEXIST, CHANGE(OP_FLAGGED_INSERT, 5, 0, 0));
	EXPECT_EQ(1, count_keys(MAP("FLAGGED"), sizeof(__u32)));

	ASSERT_EQ(0, rex_map_update_elem(MAP("RDONLY"), &zero, &v, BPF_ANY));
	EXPECT_EQ(77, maps_run(_metadata, self, OP_RDONLY_SET, 5, 0, 0, (long long *)&v));
	EXPECT_EQ(-EPERM, (long long)v);
	EXPECT_EQ(77, rex_u64_get(MAP("RDONLY"), 0));
}

/*
 * Array::get() looks up values without a helper call, where the kernel
 * says the map's values are: every index finds its own value (values of
 * 12 bytes are 16 apart), and no index past the end finds one, however
 * large; a map that is write-only for programs finds nothing.
 */
TEST_F(maps, array_get)
{
	__u32 i, v[3] = {};
	__u64 w = 5;

	for (i = 0; i < 5; i++) {
		v[0] = 100 + i;
		v[2] = 200 + i;
		ASSERT_EQ(0, rex_map_update_elem(MAP("VALS"), &i, v, BPF_ANY));
	}
	for (i = 0; i < 5; i++)
		EXPECT_EQ((__u64)(200 + i) << 32 | (100 + i), RUN(OP_ARRAY_GET, i))
			TH_LOG("index %u", i);
	EXPECT_EQ(NONE, RUN(OP_ARRAY_GET, 5));
	EXPECT_EQ(NONE, RUN(OP_ARRAY_GET, 8));
	EXPECT_EQ(NONE, RUN(OP_ARRAY_GET, 0x80000000));
	EXPECT_EQ(NONE, RUN(OP_ARRAY_GET, 0xffffffff));
	i = 0;
	ASSERT_EQ(0, rex_map_update_elem(MAP("WRONLY"), &i, &w, BPF_ANY));
	EXPECT_EQ(NONE, RUN(OP_WRONLY_GET, 0));
}

static bool run_on(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

/*
 * librex's per-CPU helpers: the value user space writes for CPU c is the
 * one a program running on CPU c sees, and the other way round.
 */
TEST_F(maps, percpu_values)
{
	int cpus = rex_num_possible_cpus(), online = sysconf(_SC_NPROCESSORS_ONLN), c, ran = 0;
	__u32 zero = 0, key = 7;
	cpu_set_t saved, done;
	__u64 *vals;

	ASSERT_LE(online, cpus);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(saved), &saved));
	vals = calloc(cpus, sizeof(*vals));
	ASSERT_NE(NULL, vals);
	for (c = 0; c < cpus; c++)
		vals[c] = 100 + c;
	ASSERT_EQ(0, rex_map_update_percpu(MAP("PCPU_ARR"), &zero, vals, sizeof(*vals),
					   BPF_ANY));
	CPU_ZERO(&done);
	for (c = 0; c < cpus && c < CPU_SETSIZE; c++) {
		long long cpu, err;

		if (!run_on(c))
			continue;
		EXPECT_EQ(100 + c, maps_run(_metadata, self, OP_PCPU_ARRAY_GET, 0, 0, 0, &cpu));
		EXPECT_EQ(c, cpu);
		/* A new key on the first CPU, the same key on the others. */
		EXPECT_EQ(c, maps_run(_metadata, self, OP_PCPU_INSERT, key, 42 + c, 0, &err));
		EXPECT_EQ(0, err);
		CPU_SET(c, &done);
		ran++;
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	EXPECT_EQ(online, ran);
	memset(vals, 0xff, cpus * sizeof(*vals));
	ASSERT_EQ(0, rex_map_lookup_percpu(MAP("PCPU"), &key, vals, sizeof(*vals)));
	for (c = 0; c < cpus && c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &done))
			EXPECT_EQ(42 + c, vals[c]) TH_LOG("CPU %d", c);
	free(vals);
}

/* Counters added to in place on each CPU, summed by user space. */
TEST_F(maps, percpu_add)
{
	int cpus = rex_num_possible_cpus(), c;
	__u64 *vals, sum = 0, want = 0;
	cpu_set_t saved;
	__u32 zero = 0;

	ASSERT_LT(0, cpus);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(saved), &saved));
	vals = calloc(cpus, sizeof(*vals));
	ASSERT_NE(NULL, vals);
	for (c = 0; c < cpus && c < CPU_SETSIZE; c++) {
		if (!run_on(c))
			continue;
		EXPECT_EQ(1, RUN(OP_PCPU_ADD, c + 1));
		EXPECT_EQ(1, RUN(OP_PCPU_ADD, 10));
		want += c + 11;
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	ASSERT_EQ(0, rex_map_lookup_percpu(MAP("PCPU_CNT"), &zero, vals, sizeof(*vals)));
	for (c = 0; c < cpus; c++) {
		if (vals[c])
			EXPECT_EQ(c + 11, vals[c]) TH_LOG("CPU %d", c);
		sum += vals[c];
	}
	EXPECT_EQ(want, sum);
	free(vals);
}

/*
 * Reads of user memory into a 100-byte buffer and as a [u8; 64]: what is
 * there is read, and a fault is an error, not a crash.
 */
TEST_F(maps, read_user)
{
	unsigned char buf[100];
	__u64 sum = 0;
	long long err;
	unsigned int i;

	for (i = 0; i < sizeof(buf); i++) {
		buf[i] = i * 7 + 1;
		sum += buf[i];
	}
	EXPECT_EQ(sum, maps_run(_metadata, self, OP_READ_USER, (unsigned long)buf, 0, 0, &err));
	EXPECT_EQ(0, err) TH_LOG("the two reads disagree, or a read failed");
	/* Unmapped: the error, and a zeroed buffer. */
	EXPECT_EQ(0, maps_run(_metadata, self, OP_READ_USER, 8, 0, 0, &err));
	EXPECT_EQ(-EFAULT, err);
}

/* A power-of-two histogram: the slot of a value, counted in the map. */
TEST_F(maps, histogram)
{
	static const struct {
		__u64 v;
		unsigned int slot;
	} cases[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 2 }, { 4, 3 }, { 1023, 10 },
		{ 1024, 11 }, { ~0ULL, 64 }, { 3, 2 },
	};
	__u64 counts[65] = {}, want[65] = {};
	__u32 zero = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(cases[i].slot, RUN(OP_HIST_ADD, cases[i].v)) TH_LOG("value %llu",
			(unsigned long long)cases[i].v);
		want[cases[i].slot]++;
	}
	ASSERT_EQ(0, rex_map_lookup_elem(MAP("HIST"), &zero, counts));
	for (i = 0; i < ARRAY_SIZE(counts); i++)
		EXPECT_EQ(want[i], counts[i]) TH_LOG("slot %u", i);
}

/* rust_maps.rs, opened but not loaded. */
static struct rex_object *maps_open(struct __test_metadata *_metadata)
{
	struct rex_object *obj = rex_object__open_mem(rust_maps_start,
						       rust_maps_end - rust_maps_start);

	EXPECT_NE(NULL, obj) TH_LOG("open: %s", strerror(errno));
	return obj;
}

/*
 * Maps shared through a BPF file system and by fd: a second object loads
 * with the first one's map, pinned or given, sees what the first one's
 * program wrote, and a map that does not match the image is refused
 * without pinning or leaking anything.
 */
TEST_F(maps, pin_and_reuse)
{
	char dir[] = "/tmp/rex_pin.XXXXXX", lru[64], prog_pin[64];
	struct rex_object *second, *third;
	struct _test_data_maps other;
	__u32 id;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("bpf", dir, "bpf", 0, NULL)) TH_LOG("mount bpffs: %s", strerror(errno));
	snprintf(lru, sizeof(lru), "%s/lru", dir);
	snprintf(prog_pin, sizeof(prog_pin), "%s/prog", dir);
	id = rex_map_info(_metadata, MAP("LRU")).id;

	/* Pinned after the load; set_pin_path is for before it. */
	EXPECT_EQ(-EBUSY, rex_map__set_pin_path(rex_object__find_map_by_name(self->obj, "LRU"),
						 lru));
	ASSERT_EQ(0, rex_map__pin(rex_object__find_map_by_name(self->obj, "LRU"), lru));
	EXPECT_EQ(0, CHANGE(OP_LRU_INSERT, 5, 0, 0));

	/* Reused by path: the same map, and its entries. */
	second = maps_open(_metadata);
	ASSERT_NE(NULL, second);
	ASSERT_EQ(0, rex_map__set_pin_path(rex_object__find_map_by_name(second, "LRU"), lru));
	ASSERT_EQ(0, rex_object__load(second));
	fd = rex_object__find_map_fd_by_name(second, "LRU");
	EXPECT_EQ(id, rex_map_info(_metadata, fd).id);
	maps_bind(&other, second);
	EXPECT_EQ(5, maps_run(_metadata, &other, OP_LRU_GET, 5, 0, 0, NULL));
	EXPECT_NE(rex_map_info(_metadata, MAP("FIFO")).id,
		  rex_map_info(_metadata, rex_object__find_map_fd_by_name(second, "FIFO")).id);

	/* A pin path that is not there yet: created, then pinned. */
	snprintf(lru, sizeof(lru), "%s/fifo", dir);
	third = maps_open(_metadata);
	ASSERT_NE(NULL, third);
	ASSERT_EQ(0, rex_map__set_pin_path(rex_object__find_map_by_name(third, "FIFO"), lru));
	ASSERT_EQ(0, rex_object__load(third));
	fd = rex_obj_get(lru);
	ASSERT_LE(0, fd);
	EXPECT_EQ(rex_map_info(_metadata, rex_object__find_map_fd_by_name(third, "FIFO")).id,
		  rex_map_info(_metadata, fd).id);
	close(fd);
	rex_object__close(third);

	/* Reused by fd. */
	third = maps_open(_metadata);
	ASSERT_NE(NULL, third);
	ASSERT_EQ(0, rex_map__reuse_fd(rex_object__find_map_by_name(third, "LRU"), MAP("LRU")));
	ASSERT_EQ(0, rex_object__load(third));
	EXPECT_EQ(id, rex_map_info(_metadata, rex_object__find_map_fd_by_name(third, "LRU")).id);
	rex_object__close(third);

	/* A map of another kind is refused, and nothing is pinned. */
	third = maps_open(_metadata);
	ASSERT_NE(NULL, third);
	snprintf(lru, sizeof(lru), "%s/lru", dir);
	ASSERT_EQ(0, rex_map__set_pin_path(rex_object__find_map_by_name(third, "LIFO"), lru));
	EXPECT_EQ(-EINVAL, rex_object__load(third));
	EXPECT_GT(0, rex_object__find_map_fd_by_name(third, "LIFO"));
	rex_object__close(third);
	fd = rex_obj_get(lru);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id, rex_map_info(_metadata, fd).id);
	close(fd);
	third = maps_open(_metadata);
	ASSERT_NE(NULL, third);
	ASSERT_EQ(0, rex_map__reuse_fd(rex_object__find_map_by_name(third, "PCPU"), MAP("LRU")));
	EXPECT_EQ(-EINVAL, rex_object__load(third));
	rex_object__close(third);

	/* Programs are pinned too. */
	ASSERT_EQ(0, rex_program__pin(rex_object__next_program(self->obj, NULL), prog_pin));
	fd = rex_obj_get(prog_pin);
	ASSERT_LE(0, fd);
	EXPECT_EQ(rex_prog_id(_metadata, self->prog_fd), rex_prog_id(_metadata, fd));
	close(fd);
	EXPECT_EQ(0, unlink(prog_pin));

	rex_object__close(second);
	EXPECT_EQ(0, rex_map__unpin(rex_object__find_map_by_name(self->obj, "LRU"), lru));
	EXPECT_EQ(-ENOENT, rex_obj_get(lru));
	EXPECT_EQ(0, umount(dir));
	EXPECT_EQ(0, rmdir(dir));
}

/* The "field:" lines of a tracepoint format, one per line. */
static void format_fields(const char *text, char *out, size_t len)
{
	const char *line = text, *end;
	size_t n = 0;

	out[0] = '\0';
	for (; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		if (!strstr(line, "field:") || strstr(line, "field:") > end)
			continue;
		n += snprintf(out + n, n < len ? len - n : 0, "%.*s\n", (int)(end - line), line);
	}
}

/* The format of the running kernel's @event ("sched/sched_switch"). */
static bool live_format(const char *event, char *buf, size_t len)
{
	const char *tracefs = rex_tracefs_dir();
	char path[256];
	ssize_t n;
	int fd;

	if (!tracefs)
		return false;
	snprintf(path, sizeof(path), "%s/events/%s/format", tracefs, event);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

/*
 * rust_tp.rs was built from formats kept in the tree: they must be the
 * running kernel's, field for field, or its records would be read wrong.
 */
TEST(tracepoint_formats)
{
	static const struct {
		const char *event, *snapshot;
	} events[] = {
		{ "sched/sched_switch", fmt_sched_switch_start },
		{ "syscalls/sys_enter_write", fmt_sys_enter_write_start },
	};
	char live[8192], want[4096], got[4096];
	const char *why;
	unsigned int i;

	why = rust_missing(live, sizeof(live));
	if (why)
		SKIP(return, "%s", why);
	for (i = 0; i < ARRAY_SIZE(events); i++) {
		if (!live_format(events[i].event, live, sizeof(live)))
			SKIP(return, "no tracefs format for %s", events[i].event);
		format_fields(events[i].snapshot, want, sizeof(want));
		format_fields(live, got, sizeof(got));
		EXPECT_STREQ(want, got)
			TH_LOG("%s: update rust/tracefs of the selftests from this kernel",
			       events[i].event);
	}
}

/*
 * Named fields of two records: the write(2) the test makes, as
 * syscalls:sys_enter_write gives it, and the test thread switched out, as
 * sched:sched_switch gives it.
 */
TEST(tracepoint_records)
{
	static const char payload[] = "rexwrite-payload";
	struct rex_link *wlink, *slink;
	struct rex_program *prog;
	char buf[256], comm[16] = "rex_tp_test";
	__u64 head, name = 0;
	struct rex_object *obj;
	int target, seen, p[2];
	const char *why;
	unsigned int i;

	why = rust_missing(buf, sizeof(buf));
	if (why)
		SKIP(return, "%s", why);
	if (!rex_tracefs_dir())
		SKIP(return, "no tracefs (CONFIG_FTRACE)");
	obj = REX_TEST_LOAD(rust_tp);
	target = rex_object__find_map_fd_by_name(obj, "TARGET");
	seen = rex_object__find_map_fd_by_name(obj, "SEEN");
	ASSERT_EQ(0, prctl(PR_SET_NAME, comm));
	rex_u64_set(target, 0, syscall(SYS_gettid));
	prog = rex_object__find_program_by_name(obj, "rex_tp_write");
	wlink = rex_program__attach_tracepoint(prog, "syscalls", "sys_enter_write");
	ASSERT_NE(NULL, wlink) TH_LOG("attach sys_enter_write: %s", strerror(errno));
	prog = rex_object__find_program_by_name(obj, "rex_tp_switch");
	slink = rex_program__attach_tracepoint(prog, "sched", "sched_switch");
	ASSERT_NE(NULL, slink) TH_LOG("attach sched_switch: %s", strerror(errno));

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(sizeof(payload) - 1, write(p[1], payload, sizeof(payload) - 1));
	for (i = 0; i < 20; i++)
		usleep(1000);
	rex_link__destroy(slink);
	rex_link__destroy(wlink);

	EXPECT_EQ(p[1], rex_u64_get(seen, 0));
	EXPECT_EQ(sizeof(payload) - 1, rex_u64_get(seen, 1));
	memcpy(&head, payload, sizeof(head));
	EXPECT_EQ(head, rex_u64_get(seen, 2));
	EXPECT_LE(1, rex_u64_get(seen, 3)) TH_LOG("the test was never seen switched out");
	memcpy(&name, comm, sizeof(name));
	EXPECT_EQ(name, rex_u64_get(seen, 4));
	close(p[0]);
	close(p[1]);
	rex_object__close(obj);
}

FIXTURE(sample) {
	struct rex_object *obj;
	struct rex_program *prog;
	struct rex_link *link;
	int pfd;
};

FIXTURE_SETUP(sample)
{
	const char *why;
	char buf[256];

	self->obj = NULL;
	self->link = NULL;
	self->pfd = -1;
	why = rust_missing(buf, sizeof(buf));
	if (why)
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(sample)
{
	if (self->link)
		rex_link__destroy(self->link);
	if (self->pfd >= 0)
		close(self->pfd);
	rex_object__close(self->obj);
}

static int map_fd(struct _test_data_sample *self, const char *name)
{
	return rex_object__find_map_fd_by_name(self->obj, name);
}

/* Does the trace buffer hold @text?  (The buffer is cleared first by the caller.) */
static bool trace_has(const char *text)
{
	char path[256], buf[4096];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", rex_tracefs_dir());
	f = fopen(path, "r");
	while (f && !found && fgets(buf, sizeof(buf), f))
		found = strstr(buf, text);
	if (f)
		fclose(f);
	return found;
}

static void trace_clear(void)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/trace", rex_tracefs_dir());
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd >= 0)
		close(fd);
}

/* samples/rex/hello.rs: a line in the trace buffer per system call. */
TEST_F(sample, hello)
{
	char line[64];

	self->obj = REX_TEST_LOAD_ONE(sample_hello, &self->prog);
	rex_u64_set(map_fd(self, "TARGET"), 0, getpid());
	trace_clear();
	self->link = rex_program__attach_tracepoint(self->prog, "raw_syscalls", "sys_enter");
	ASSERT_NE(NULL, self->link) TH_LOG("attach: %s", strerror(errno));
	rex_sys_getppid();
	ASSERT_EQ(0, rex_link__destroy(self->link));
	self->link = NULL;
	snprintf(line, sizeof(line), "hello from Rust: system call %d", __NR_getppid);
	EXPECT_TRUE(trace_has(line)) TH_LOG("no \"%s\" in the trace buffer", line);
}

/* samples/rex/syscount.rs: this process's system calls are all counted. */
TEST_F(sample, syscount)
{
	__u64 before = 0, after = 0;
	__u32 me = getpid();
	int counts, i;

	self->obj = REX_TEST_LOAD_ONE(sample_syscount, &self->prog);
	counts = map_fd(self, "COUNTS");
	self->link = rex_program__attach_tracepoint(self->prog, "raw_syscalls", "sys_enter");
	ASSERT_NE(NULL, self->link) TH_LOG("attach: %s", strerror(errno));
	rex_sys_getppid();
	ASSERT_EQ(0, rex_map_lookup_elem(counts, &me, &before));
	for (i = 0; i < NR_CALLS; i++)
		rex_sys_getppid();
	/* The lookup is a system call too. */
	ASSERT_EQ(0, rex_map_lookup_elem(counts, &me, &after));
	EXPECT_EQ(before + NR_CALLS + 1, after);
}

/* samples/rex/errinj.rs: getppid fails with the chosen errno, for us only. */
TEST_F(sample, errinj)
{
	long ppid = rex_sys_getppid();
	int cfg, i;

	if (!rex_have_kprobe_pmu())
		SKIP(return, "no kprobe PMU");
	self->obj = REX_TEST_LOAD_ONE(sample_errinj, &self->prog);
	cfg = map_fd(self, "CFG");
	rex_u64_set(cfg, 0, getpid());
	rex_u64_set(cfg, 1, EACCES);
	self->link = rex_program__attach_kprobe(self->prog, false, "__x64_sys_getppid");
	ASSERT_NE(NULL, self->link) TH_LOG("attach: %s", strerror(errno));
	for (i = 0; i < NR_CALLS; i++) {
		errno = 0;
		EXPECT_EQ(-1, rex_sys_getppid());
		EXPECT_EQ(EACCES, errno);
	}
	ASSERT_EQ(0, rex_link__destroy(self->link));
	self->link = NULL;
	EXPECT_EQ(ppid, rex_sys_getppid());
	EXPECT_EQ(NR_CALLS, rex_u64_get(cfg, 2));
}

/* An IPv4 frame from @src of protocol @proto; UDP to @port. */
static size_t ipv4_frame(unsigned char *buf, size_t len, __u8 proto, __u16 port)
{
	struct ethhdr *eth = (struct ethhdr *)buf;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	memset(buf, 0, len);
	memset(eth->h_dest, 0xff, ETH_ALEN);
	eth->h_source[0] = 0x02;
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = proto;
	ip->tot_len = htons(len - sizeof(*eth));
	ip->saddr = htonl(0x0a000001);
	ip->daddr = htonl(0x0a000002);
	udp->dest = htons(port);
	udp->len = htons(len - sizeof(*eth) - sizeof(*ip));
	return len;
}

static int send_frame(int fd, int ifindex, const void *frame, size_t len)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
		.sll_halen = ETH_ALEN,
		.sll_protocol = htons(ETH_P_IP),
	};

	memset(to.sll_addr, 0xff, ETH_ALEN);
	return sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len;
}

/* A veth pair in a network namespace of our own. */
static void veth_pair(struct __test_metadata *_metadata, int *rx, int *tx)
{
	int err = rex_net_enter_netns();

	if (err)
		SKIP(return, "no network namespace: %s", strerror(-err));
	err = rex_veth_setup("rexrrx", "rexrtx", rx, tx);
	ASSERT_EQ(0, err) TH_LOG("veth: %s", strerror(-err));
}

/*
 * samples/rex/xdp_filter.rs on the receiving end of a veth pair: UDP to
 * the blocked port is dropped, other UDP and ICMP pass, every frame is
 * counted under its protocol.
 */
TEST_F(sample, xdp_filter)
{
	int rx = 0, tx = 0, send_fd, recv_fd, proto, cfg, i;
	unsigned char frame[64];

	self->obj = REX_TEST_LOAD_ONE(sample_xdp_filter, &self->prog);
	proto = map_fd(self, "PROTO");
	cfg = map_fd(self, "CFG");
	rex_u64_set(cfg, 0, 7777);
	veth_pair(_metadata, &rx, &tx);
	if (!rx)
		return;
	self->link = rex_program__attach_xdp(self->prog, rx);
	ASSERT_NE(NULL, self->link) TH_LOG("attach: %s", strerror(errno));
	send_fd = rex_packet_socket(tx, 0);
	recv_fd = rex_packet_socket(rx, ETH_P_IP);
	ASSERT_LE(0, send_fd);
	ASSERT_LE(0, recv_fd);
	for (i = 0; i < 10; i++) {
		ASSERT_TRUE(send_frame(send_fd, tx, frame, ipv4_frame(frame, sizeof(frame),
								      IPPROTO_UDP, 7777)));
		ASSERT_TRUE(send_frame(send_fd, tx, frame, ipv4_frame(frame, sizeof(frame),
								      IPPROTO_UDP, 53)));
		ASSERT_TRUE(send_frame(send_fd, tx, frame, ipv4_frame(frame, sizeof(frame),
								      IPPROTO_ICMP, 0)));
	}
	EXPECT_EQ(20, rex_count_frames(recv_fd, 300));
	EXPECT_EQ(20, rex_u64_get(proto, IPPROTO_UDP));
	EXPECT_EQ(10, rex_u64_get(proto, IPPROTO_ICMP));
	EXPECT_EQ(10, rex_u64_get(cfg, 1));
	close(send_fd);
	close(recv_fd);
}

/*
 * samples/rex/tc_marker.rs at the egress of a veth end: frames arrive at
 * the other end with the DSCP set and a valid header checksum.
 */
TEST_F(sample, tc_marker)
{
	int rx = 0, tx = 0, send_fd, recv_fd, cfg, i, got = 0;
	unsigned char frame[64], in[ETH_FRAME_LEN];
	struct iphdr *ip = (struct iphdr *)(in + ETH_HLEN);

	self->obj = REX_TEST_LOAD_ONE(sample_tc_marker, &self->prog);
	cfg = map_fd(self, "CFG");
	rex_u64_set(cfg, 0, 46);		/* EF */
	veth_pair(_metadata, &rx, &tx);
	if (!rx)
		return;
	self->link = rex_program__attach_tcx(self->prog, tx, BPF_TCX_EGRESS);
	ASSERT_NE(NULL, self->link) TH_LOG("attach: %s", strerror(errno));
	send_fd = rex_packet_socket(tx, 0);
	recv_fd = rex_packet_socket(rx, ETH_P_IP);
	ASSERT_LE(0, send_fd);
	ASSERT_LE(0, recv_fd);
	for (i = 0; i < 5; i++)
		ASSERT_TRUE(send_frame(send_fd, tx, frame, ipv4_frame(frame, sizeof(frame),
								      IPPROTO_UDP, 9)));
	for (i = 0; i < 50 && got < 5; i++) {
		__u32 sum = 0;
		int j;

		if (recv(recv_fd, in, sizeof(in), 0) < (ssize_t)(ETH_HLEN + sizeof(*ip))) {
			usleep(10000);
			continue;
		}
		got++;
		EXPECT_EQ(46 << 2, ip->tos);
		for (j = 0; j < 10; j++)
			sum += ntohs(((__u16 *)ip)[j]);
		while (sum > 0xffff)
			sum = (sum & 0xffff) + (sum >> 16);
		EXPECT_EQ(0xffff, sum) TH_LOG("bad IPv4 header checksum");
	}
	EXPECT_EQ(5, got);
	EXPECT_EQ(5, rex_u64_get(cfg, 1));
	close(send_fd);
	close(recv_fd);
}

/*
 * samples/rex/perf_sampler.rs on a cpu-clock event of this CPU, which
 * spins in user space: samples are counted per stack, and the stacks are
 * in the stack map.
 */
TEST_F(sample, perf_sampler)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1000000,
		.disabled = 1,
	};
	__u64 total = 0, n, ips[32];
	int counts, stacks, stacked = 0;
	__u32 key, next, *prev = NULL;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	self->pfd = syscall(__NR_perf_event_open, &attr, -1, sched_getcpu(), -1,
			    PERF_FLAG_FD_CLOEXEC);
	ASSERT_LE(0, self->pfd) TH_LOG("perf_event_open: %s", strerror(errno));
	self->obj = REX_TEST_LOAD_ONE(sample_perf_sampler, &self->prog);
	counts = map_fd(self, "COUNTS");
	stacks = map_fd(self, "STACKS");
	self->link = rex_program__attach_perf_event(self->prog, self->pfd);
	ASSERT_NE(NULL, self->link) TH_LOG("attach: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->pfd, PERF_EVENT_IOC_ENABLE, 0));
	rex_spin_ms(200);
	ASSERT_EQ(0, ioctl(self->pfd, PERF_EVENT_IOC_DISABLE, 0));

	while (!rex_map_get_next_key(counts, prev, &next)) {
		key = next;
		prev = &key;
		ASSERT_EQ(0, rex_map_lookup_elem(counts, &key, &n));
		total += n;
		if (key != ~0U && !rex_map_lookup_elem(stacks, &key, ips) && ips[0])
			stacked++;
	}
	TH_LOG("%llu samples, %d stacks", (unsigned long long)total, stacked);
	EXPECT_LT(10, total);
	EXPECT_LT(0, stacked);
}

TEST_HARNESS_MAIN
