// SPDX-License-Identifier: GPL-2.0
/*
 * The ways out of a Rex program: a panic, a stack overflow and termination
 * of a program that runs past its budget.  Each time the program returns
 * its type's default value, the interrupted kernel path goes on, the abort
 * is counted, logged and traced, and nothing the program held is lost:
 * ring buffer records it reserved are discarded (none is left pending, new
 * ones can be reserved), a spin lock it held is free again, a full ledger
 * fails acquisitions cleanly, and the same program runs correctly next
 * time.
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
#include "rex_net.h"
#include "progs/panic_common.h"

REX_IMAGE(xdp_panic);
REX_IMAGE(kprobe_panic);
REX_IMAGE(types_panic);
REX_IMAGE(tc_panic);
REX_IMAGE(tp_nmi);

/* The budget the termination tests set, in ms. */
#define TEST_BUDGET_MS	20

FIXTURE(xdp) {
	struct rex_object *obj;
	int budget;
	int prog_fd, cfg_fd, out_fd, rb_fd, lk_fd;
	struct rex_ring rb;
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
	self->lk_fd = rex_object__find_map_fd_by_name(self->obj, "lk");
	self->budget = rex_budget_read();
	ASSERT_LT(0, self->budget) TH_LOG("cannot read %s", REX_BUDGET_SYSCTL);
	rex_ring_open(_metadata, &self->rb, self->rb_fd, REX_PANIC_RB_SIZE);
}

FIXTURE_TEARDOWN(xdp)
{
	if (self->obj) {
		rex_budget_set(self->budget);
		rex_ring_close(&self->rb);
	}
	rex_object__close(self->obj);
}

/* Run the program once with @n records and @mode; return its verdict. */
static unsigned int run(struct __test_metadata *_metadata, struct _test_data_xdp *self,
			__u64 n, __u64 mode)
{
	unsigned char frame[64] = { [12] = 0x08 };
	unsigned int retval = ~0U;

	rex_u64_set(self->cfg_fd, 0, n);
	rex_u64_set(self->cfg_fd, 1, mode);
	EXPECT_EQ(0, rex_test_run(self->prog_fd, frame, sizeof(frame), &retval));
	return retval;
}

/* Ring buffer and program work before any fault. */
TEST_F(xdp, baseline)
{
	unsigned int c, d;

	EXPECT_EQ(XDP_PASS, run(_metadata, self, 3, REX_SUBMIT));
	rex_ring_consume(_metadata, &self->rb, &c, &d);
	EXPECT_EQ(3, c);
	EXPECT_EQ(0, d);
	EXPECT_EQ(0, rex_fdinfo_value(self->prog_fd, "rex_panics"));
}

/* A panic with 0, 1 and several records held; each time nothing is lost. */
TEST_F(xdp, panic_releases_records)
{
	static const unsigned int held[] = { 0, 1, 5 };
	unsigned int i, c, d;

	for (i = 0; i < ARRAY_SIZE(held); i++) {
		EXPECT_EQ(XDP_ABORTED, run(_metadata, self, held[i], REX_PANIC));
		EXPECT_EQ(0, rex_u64_get(self->out_fd, 1))
			TH_LOG("the program went on after rex_panic()");
		EXPECT_EQ(i + 1, rex_fdinfo_value(self->prog_fd, "rex_panics"));
		rex_ring_consume(_metadata, &self->rb, &c, &d);
		EXPECT_EQ(0, c);
		EXPECT_EQ(held[i], d);

		/* The same program, the same CPU state: works next time. */
		EXPECT_EQ(XDP_PASS, run(_metadata, self, 2, REX_SUBMIT));
		rex_ring_consume(_metadata, &self->rb, &c, &d);
		EXPECT_EQ(2, c);
		EXPECT_EQ(0, d);
	}
	EXPECT_EQ(0, rex_u64_get(self->out_fd, 0));
	EXPECT_TRUE(rex_klog_has("panicked: xdp test panic"));
}

/* A full ledger fails further reservations; a panic then releases all. */
TEST_F(xdp, ledger_full)
{
	unsigned int c, d;

	/* The 4 reservations past the ledger's 16 entries are discarded. */
	EXPECT_EQ(XDP_PASS, run(_metadata, self, 20, REX_SUBMIT));
	EXPECT_EQ(20 - 16, rex_u64_get(self->out_fd, 0));
	rex_ring_consume(_metadata, &self->rb, &c, &d);
	EXPECT_EQ(16, c);
	EXPECT_EQ(20 - 16, d);

	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 20, REX_PANIC));
	rex_ring_consume(_metadata, &self->rb, &c, &d);
	EXPECT_EQ(0, c);
	EXPECT_EQ(20, d);
	EXPECT_EQ(XDP_PASS, run(_metadata, self, 1, REX_SUBMIT));
	rex_ring_consume(_metadata, &self->rb, &c, &d);
	EXPECT_EQ(1, c);
}

/* Returning while holding records is counted; the records are released. */
TEST_F(xdp, return_holding)
{
	unsigned int c, d;

	EXPECT_EQ(XDP_PASS, run(_metadata, self, 2, REX_LEAK));
	EXPECT_EQ(1, rex_fdinfo_value(self->prog_fd, "rex_leaks"));
	EXPECT_EQ(0, rex_fdinfo_value(self->prog_fd, "rex_panics"));
	rex_ring_consume(_metadata, &self->rb, &c, &d);
	EXPECT_EQ(0, c);
	EXPECT_EQ(2, d);
}

/* The lk[0] counter, which only runs that took the lock increment. */
static __u64 lock_count(struct _test_data_xdp *self)
{
	struct rex_locked v = { .count = ~0ULL };
	__u32 zero = 0;

	rex_map_lookup_elem(self->lk_fd, &zero, &v);
	return v.count;
}

/*
 * The program was left early @nr times, for @counter (an fdinfo key), while
 * holding @held records: no run got past the fault, the records were
 * discarded and none is pending, the lock is free (a run takes it), and
 * the next run works.
 */
static void check_recovered(struct __test_metadata *_metadata, struct _test_data_xdp *self,
			    const char *counter, long long nr, unsigned int held)
{
	__u64 locks = lock_count(self);
	unsigned int c, d;

	EXPECT_EQ(0, rex_u64_get(self->out_fd, 1)) TH_LOG("the program went on after the fault");
	EXPECT_EQ(nr, rex_fdinfo_value(self->prog_fd, counter));
	rex_ring_consume(_metadata, &self->rb, &c, &d);
	EXPECT_EQ(0, c);
	EXPECT_EQ(held, d);
	EXPECT_EQ(XDP_PASS, run(_metadata, self, 2, REX_LOCK));
	EXPECT_EQ(locks + 1, lock_count(self));
	rex_ring_consume(_metadata, &self->rb, &c, &d);
	EXPECT_EQ(2, c);
	EXPECT_EQ(0, d);
}

/* Unbounded recursion hits the guard page below the Rex stack. */
TEST_F(xdp, stack_overflow_recursion)
{
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 3, REX_RECURSE));
	check_recovered(_metadata, self, "rex_stack_overflows", 1, 3);
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 0, REX_RECURSE));
	check_recovered(_metadata, self, "rex_stack_overflows", 2, 0);
	EXPECT_EQ(0, rex_fdinfo_value(self->prog_fd, "rex_panics"));
	EXPECT_TRUE(rex_klog_has("overflowed its stack: at bpf_prog_"));
}

/*
 * Unbounded recursion that calls a helper at each level: the helper gate
 * refuses the call that would leave the helper too little stack.
 */
TEST_F(xdp, stack_overflow_in_helper_calls)
{
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 1, REX_RECURSE_CALLS));
	check_recovered(_metadata, self, "rex_stack_overflows", 1, 1);
}

/* One frame larger than the whole stack, probed page by page. */
TEST_F(xdp, stack_overflow_big_frame)
{
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 2, REX_BIG_FRAME));
	check_recovered(_metadata, self, "rex_stack_overflows", 1, 2);
}

/* The size of the Rex stacks: 16 KiB, 20 KiB with KASAN (see Documentation/bpf/rex.rst). */
static __u64 rex_stack_size(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	bool kasan = false;
	char line[256];

	while (f && !kasan && fgets(line, sizeof(line), f))
		kasan = strstr(line, " kasan_report\n");
	if (f)
		fclose(f);
	return (kasan ? 20 : 16) * 1024;
}

/* The number of local timer interrupts @cpu took, from /proc/interrupts. */
static long long local_timer_irqs(int cpu)
{
	FILE *f = fopen("/proc/interrupts", "r");
	long long v = -1;
	char line[4096];
	int i;

	while (f && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " ");

		if (strncmp(p, "LOC:", 4))
			continue;
		p += 4;
		for (i = 0; i <= cpu; i++)
			v = strtoll(p, &p, 10);
		break;
	}
	if (f)
		fclose(f);
	return v;
}

/*
 * An interrupt that arrives while the program runs right above the guard
 * page cannot be delivered: the program is left as for an overflow, and
 * the interrupt, which the local APIC had already taken in service, is
 * raised again.  Else its vector and every lower one would stay blocked
 * on the CPU: check that it goes on taking timer interrupts.
 */
TEST_F(xdp, stack_overflow_delivering_interrupt)
{
	cpu_set_t cpus, old;
	int cpu, i;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(old), &old));
	cpu = sched_getcpu();
	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	rex_u64_set(self->cfg_fd, REX_PANIC_CFG_STACK, rex_stack_size());
	for (i = 1; i <= 5; i++) {
		long long before;

		EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 2, REX_STACK_EDGE));
		check_recovered(_metadata, self, "rex_stack_overflows", i, 2);
		before = local_timer_irqs(cpu);
		usleep(20000);
		EXPECT_LT(before, local_timer_irqs(cpu))
			TH_LOG("CPU %d takes no more timer interrupts", cpu);
	}
	EXPECT_EQ(0, rex_fdinfo_value(self->prog_fd, "rex_timeouts"));
	EXPECT_TRUE(rex_klog_has("(raised again)"));
	sched_setaffinity(0, sizeof(old), &old);
}

/* A panic with the spin lock held releases the lock, then the records. */
TEST_F(xdp, panic_holding_lock)
{
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 2, REX_LOCK_PANIC));
	EXPECT_EQ(1, lock_count(self));
	check_recovered(_metadata, self, "rex_panics", 1, 2);
	EXPECT_TRUE(rex_klog_has("panicked: xdp test panic holding a lock"));
}

/* Taking the lock twice would deadlock: the program panics instead. */
TEST_F(xdp, lock_twice)
{
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 1, REX_LOCK_TWICE));
	check_recovered(_metadata, self, "rex_panics", 1, 1);
	EXPECT_TRUE(rex_klog_has("bpf_res_spin_lock() while holding a spin lock"));
}

/* The lock does not fit into a full ledger: the program panics, nothing is held. */
TEST_F(xdp, ledger_full_lock)
{
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 20, REX_LOCK));
	EXPECT_EQ(20 - 16, rex_u64_get(self->out_fd, 0));
	check_recovered(_metadata, self, "rex_panics", 1, 20);
	EXPECT_TRUE(rex_klog_has("bpf_res_spin_lock(): the cleanup ledger is full"));
}

/*
 * Run a program that loops forever, in task context, with the budget set
 * to TEST_BUDGET_MS: it is stopped after its budget and not much later.
 */
static void run_runaway(struct __test_metadata *_metadata, struct _test_data_xdp *self,
			unsigned int mode, const char *what)
{
	struct timespec start;
	long long ms;

	ASSERT_EQ(0, rex_budget_write("20"));
	ASSERT_EQ(TEST_BUDGET_MS, rex_budget_read());
	clock_gettime(CLOCK_MONOTONIC, &start);
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 2, mode));
	ms = rex_ms_since(&start);
	printf("# %s: stopped after %lld ms with a budget of %d ms\n", what, ms,
	       TEST_BUDGET_MS);
	EXPECT_LE(TEST_BUDGET_MS, ms);
	EXPECT_GT(TEST_BUDGET_MS + 2000, ms);
	rex_budget_set(self->budget);
}

/* A runaway loop in task context (BPF_PROG_TEST_RUN) is stopped. */
TEST_F(xdp, runaway_loop)
{
	run_runaway(_metadata, self, REX_LOOP, "loop");
	check_recovered(_metadata, self, "rex_timeouts", 1, 2);
	EXPECT_TRUE(rex_klog_has("ran past its budget: 20 ms, stopped at bpf_prog_"));
}

/*
 * A runaway loop holding the spin lock runs with interrupts disabled: only
 * the NMI from the watchdog on the other CPU stops it.
 */
TEST_F(xdp, runaway_loop_irqs_off)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs: one CPU cannot stop itself with interrupts off");
	run_runaway(_metadata, self, REX_LOCK_LOOP, "loop with interrupts off");
	EXPECT_EQ(1, lock_count(self));
	check_recovered(_metadata, self, "rex_timeouts", 1, 2);
}

/*
 * A program in NMI context: the NMI the watchdog sends to stop a loop with
 * interrupts disabled fires nmi:nmi_handler, whose program loops calling a
 * helper.  No NMI can interrupt it; the helper gate stops it after its
 * budget.  Both programs are stopped, and the interrupted NMI and task go on.
 */
TEST_F(xdp, nmi_context_budget)
{
	struct rex_object *nmi;
	struct rex_link *link;
	int fd, counts_fd;
	__u64 one = 1, zero64 = 0, ran = 0, returned = ~0ULL;
	__u32 zero = 0, key1 = 1;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs: one CPU cannot stop itself with interrupts off");
	if (!rex_tracefs_dir())
		SKIP(return, "no tracefs");
	nmi = REX_TEST_LOAD(tp_nmi);
	fd = rex_object__find_prog_fd_by_name(nmi, "rex_tp_nmi");
	counts_fd = rex_object__find_map_fd_by_name(nmi, "counts");
	ASSERT_EQ(0, rex_map_update_elem(rex_object__find_map_fd_by_name(nmi, "cfg"), &zero,
					 &one, 0));
	link = rex_program__attach_tracepoint(rex_object__find_program_by_name(nmi, "rex_tp_nmi"),
					      "nmi", "nmi_handler");
	ASSERT_NE(NULL, link) TH_LOG("attach to nmi:nmi_handler: %s", strerror(errno));
	run_runaway(_metadata, self, REX_LOCK_LOOP, "loop with interrupts off, NMI program");
	ASSERT_EQ(0, rex_map_update_elem(rex_object__find_map_fd_by_name(nmi, "cfg"), &zero,
					 &zero64, 0));
	rex_link__destroy(link);

	rex_map_lookup_elem(counts_fd, &zero, &ran);
	rex_map_lookup_elem(counts_fd, &key1, &returned);
	EXPECT_LT(0, ran) TH_LOG("no NMI ran the program");
	EXPECT_EQ(0, returned) TH_LOG("an NMI program returned from its endless loop");
	EXPECT_EQ(ran, rex_fdinfo_value(fd, "rex_timeouts"));
	check_recovered(_metadata, self, "rex_timeouts", 1, 2);
	rex_object__close(nmi);
}

/* The budget sysctl takes 1..1000 ms. */
TEST_F(xdp, budget_sysctl)
{
	EXPECT_EQ(-EINVAL, rex_budget_write("0"));
	EXPECT_EQ(-EINVAL, rex_budget_write("1001"));
	EXPECT_EQ(0, rex_budget_write("1000"));
	EXPECT_EQ(1000, rex_budget_read());
	rex_budget_set(self->budget);
	EXPECT_EQ(self->budget, rex_budget_read());
}

/* Every abort emits rex:rex_abort with the program, reason and count released. */
TEST_F(xdp, abort_tracepoint)
{
	const char *tracefs = rex_tracefs_dir();
	char path[256], line[512];
	bool panic = false, overflow = false;
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	char want[128];
	FILE *f;
	int fd;

	if (!tracefs)
		SKIP(return, "no tracefs");
	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, rex_prog_get_info(self->prog_fd, &info, &len));
	snprintf(path, sizeof(path), "%s/events/rex/rex_abort/enable", tracefs);
	fd = open(path, O_WRONLY);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/trace", tracefs);
	close(open(path, O_WRONLY | O_TRUNC));
	ASSERT_EQ(1, write(fd, "1", 1));

	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 2, REX_PANIC));
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 1, REX_RECURSE));
	ASSERT_EQ(1, write(fd, "0", 1));
	close(fd);

	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		snprintf(want, sizeof(want), "prog_id=%u name=rex_xdp_panic %s", info.id,
			 "reason=panic released=2 msg=xdp test panic (at bpf_prog_");
		panic |= !!strstr(line, want);
		snprintf(want, sizeof(want), "prog_id=%u name=rex_xdp_panic %s", info.id,
			 "reason=stack_overflow released=1 msg=at bpf_prog_");
		overflow |= !!strstr(line, want);
	}
	fclose(f);
	EXPECT_TRUE(panic);
	EXPECT_TRUE(overflow);
}

/*
 * A runaway loop in softirq context: the program runs as generic XDP on a
 * veth device, for a frame sent to it, and is stopped; the next frame is
 * handled normally.
 */
TEST(runaway_loop_softirq)
{
	const char *why = rex_unsupported();
	int rx, tx, send_fd, prog_fd, cfg_fd, lk_fd, budget, i, err;
	struct rex_locked v;
	struct rex_object *obj;
	__u32 zero = 0, one = 1;
	__u64 mode;

	if (why)
		SKIP(return, "%s", why);
	err = rex_net_enter_netns();
	if (err == -EINVAL)
		SKIP(return, "no network namespaces (CONFIG_NET_NS)");
	ASSERT_EQ(0, err);
	err = rex_veth_setup("rexrx", "rextx", &rx, &tx);
	if (err == -EOPNOTSUPP)
		SKIP(return, "no veth devices (CONFIG_VETH)");
	ASSERT_EQ(0, err);
	send_fd = rex_packet_socket(tx, 0);
	ASSERT_LE(0, send_fd);
	obj = REX_TEST_LOAD(xdp_panic);
	prog_fd = rex_object__find_prog_fd_by_name(obj, "rex_xdp_panic");
	cfg_fd = rex_object__find_map_fd_by_name(obj, "cfg");
	lk_fd = rex_object__find_map_fd_by_name(obj, "lk");
	budget = rex_budget_read();
	ASSERT_LT(0, budget);
	ASSERT_EQ(0, rex_xdp_attach(rx, prog_fd, XDP_FLAGS_SKB_MODE));

	ASSERT_EQ(0, rex_budget_write("20"));
	mode = REX_LOOP;
	ASSERT_EQ(0, rex_map_update_elem(cfg_fd, &one, &mode, 0));
	ASSERT_EQ(1, rex_send_frames(send_fd, tx, 0x88b5, 64, 1));
	for (i = 0; i < 500 && rex_fdinfo_value(prog_fd, "rex_timeouts") < 1; i++)
		usleep(10 * 1000);
	EXPECT_EQ(1, rex_fdinfo_value(prog_fd, "rex_timeouts"));
	rex_budget_set(budget);

	mode = REX_LOCK;
	ASSERT_EQ(0, rex_map_update_elem(cfg_fd, &one, &mode, 0));
	memset(&v, 0, sizeof(v));
	for (i = 0; i < 500 && !v.count; i++) {
		if (i % 50 == 0)
			ASSERT_EQ(1, rex_send_frames(send_fd, tx, 0x88b5, 64, 1));
		usleep(10 * 1000);
		ASSERT_EQ(0, rex_map_lookup_elem(lk_fd, &zero, &v));
	}
	EXPECT_LE(1, v.count) TH_LOG("the program did not run normally after termination");
	EXPECT_EQ(1, rex_fdinfo_value(prog_fd, "rex_timeouts"));
	rex_xdp_detach(rx, XDP_FLAGS_SKB_MODE);
	close(send_fd);
	rex_object__close(obj);
}

/* Records held at a panic: none, one, several, more than the ledger takes. */
static const unsigned int held[] = { 0, 1, 5, 20 };

/*
 * A kprobe program that panics on getppid holding 0, 1, 5 and 20 records
 * (16 in the ledger): the system call goes on as if the program had
 * returned, and every record is discarded.
 */
TEST(kprobe_panic)
{
	const char *why = rex_unsupported();
	__u64 tgid = getpid(), n;
	pid_t ppid = getppid();
	struct rex_object *obj;
	struct rex_link *link;
	unsigned int i, c, d;
	struct rex_ring rb = {};
	__u32 zero = 0;
	int prog_fd;

	if (why)
		SKIP(return, "%s", why);
	if (!rex_have_kprobe_pmu())
		SKIP(return, REX_NO_KPROBE_PMU);
	obj = REX_TEST_LOAD(kprobe_panic);
	prog_fd = rex_object__find_prog_fd_by_name(obj, "rex_kprobe_panic");
	rex_ring_open(_metadata, &rb, rex_object__find_map_fd_by_name(obj, "rb"),
		      REX_PANIC_RB_SIZE);
	ASSERT_EQ(0, rex_map_update_elem(rex_object__find_map_fd_by_name(obj, "target"),
					 &zero, &tgid, 0));
	link = rex_program__attach_kprobe(rex_object__find_program_by_name(obj,
									   "rex_kprobe_panic"),
					  false, "__x64_sys_getppid");
	ASSERT_NE(NULL, link) TH_LOG("attach kprobe: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(held); i++) {
		n = held[i];
		ASSERT_EQ(0, rex_map_update_elem(rex_object__find_map_fd_by_name(obj, "cfg"),
						 &zero, &n, 0));
		EXPECT_EQ(ppid, syscall(__NR_getppid));
		rex_ring_consume(_metadata, &rb, &c, &d);
		EXPECT_EQ(0, c);
		EXPECT_EQ(held[i], d) TH_LOG("%u records held", held[i]);
	}
	rex_link__destroy(link);
	EXPECT_EQ(ARRAY_SIZE(held), rex_fdinfo_value(prog_fd, "rex_panics"));
	rex_ring_close(&rb);
	rex_object__close(obj);
}

/*
 * tc: the attach point gets TC_ACT_SHOT, every run, and the records and
 * the spin lock the program held are released.  The program is in an image
 * of its own: tracing programs may not take spin locks.
 */
TEST(tc_panic)
{
	unsigned char frame[64] = { [12] = 0x08 };
	const char *why = rex_unsupported();
	int fd, cfg_fd, lk_fd, counts_fd;
	struct rex_object *obj;
	struct rex_ring rb = {};
	struct rex_locked lk;
	union bpf_attr attr;
	unsigned int i, c, d;
	__u32 zero = 0, one = 1;
	__u64 n, lock;

	if (why)
		SKIP(return, "%s", why);
	obj = REX_TEST_LOAD(tc_panic);
	fd = rex_object__find_prog_fd_by_name(obj, "rex_tc_panic");
	cfg_fd = rex_object__find_map_fd_by_name(obj, "cfg");
	lk_fd = rex_object__find_map_fd_by_name(obj, "lk");
	counts_fd = rex_object__find_map_fd_by_name(obj, "counts");
	rex_ring_open(_metadata, &rb, rex_object__find_map_fd_by_name(obj, "rb"),
		      REX_PANIC_RB_SIZE);
	for (i = 0; i < 2 * ARRAY_SIZE(held); i++) {
		n = held[i % ARRAY_SIZE(held)];
		lock = i >= ARRAY_SIZE(held);
		rex_map_update_elem(cfg_fd, &zero, &n, 0);
		rex_map_update_elem(cfg_fd, &one, &lock, 0);
		memset(&attr, 0, sizeof(attr));
		attr.test.prog_fd = fd;
		attr.test.data_in = ptr_to_u64(frame);
		attr.test.data_size_in = sizeof(frame);
		attr.test.repeat = 1;
		ASSERT_EQ(0, sys_bpf(BPF_PROG_TEST_RUN, &attr));
		EXPECT_EQ(2 /* TC_ACT_SHOT */, attr.test.retval);
		rex_ring_consume(_metadata, &rb, &c, &d);
		EXPECT_EQ(0, c);
		EXPECT_EQ(n, d);
		/* Each run that locks takes the lock: the last panic released it. */
		memset(&lk, 0xff, sizeof(lk));
		ASSERT_EQ(0, rex_map_lookup_elem(lk_fd, &zero, &lk));
		EXPECT_EQ(lock ? i - ARRAY_SIZE(held) + 1 : 0, lk.count);
	}
	EXPECT_EQ(2 * ARRAY_SIZE(held), rex_u64_get(counts_fd, 0));
	EXPECT_EQ(2 * ARRAY_SIZE(held), rex_fdinfo_value(fd, "rex_panics"));
	rex_ring_close(&rb);
	rex_object__close(obj);
}

FIXTURE(types) {
	struct rex_object *obj;
	int counts_fd, cfg_fd;
	struct rex_ring rb;
};

FIXTURE_SETUP(types)
{
	const char *why = rex_unsupported();
	__u64 tgid = getpid();
	__u32 zero = 0;

	self->obj = NULL;
	memset(&self->rb, 0, sizeof(self->rb));
	if (why)
		SKIP(return, "%s", why);
	self->obj = REX_TEST_LOAD(types_panic);
	self->counts_fd = rex_object__find_map_fd_by_name(self->obj, "counts");
	self->cfg_fd = rex_object__find_map_fd_by_name(self->obj, "cfg");
	rex_ring_open(_metadata, &self->rb, rex_object__find_map_fd_by_name(self->obj, "rb"),
		      REX_PANIC_RB_SIZE);
	ASSERT_EQ(0, rex_map_update_elem(rex_object__find_map_fd_by_name(self->obj, "target"),
					 &zero, &tgid, 0));
}

FIXTURE_TEARDOWN(types)
{
	rex_ring_close(&self->rb);
	rex_object__close(self->obj);
}

static int prog_fd(struct rex_object *obj, const char *name)
{
	return rex_object__find_prog_fd_by_name(obj, name);
}

/* Hold @n records at the next panics. */
static void hold(struct _test_data_types *self, __u64 n)
{
	__u32 zero = 0;

	rex_map_update_elem(self->cfg_fd, &zero, &n, 0);
}

/* tracepoint: the traced system call goes on, every time; records are released. */
TEST_F(types, tracepoint)
{
	int fd = prog_fd(self->obj, "rex_tp_panic");
	pid_t ppid = getppid();
	struct rex_link *link;
	unsigned int i, c, d;

	if (!rex_tracefs_dir())
		SKIP(return, "no tracefs");
	link = rex_program__attach_tracepoint(rex_object__find_program_by_name(self->obj,
									       "rex_tp_panic"),
					      "raw_syscalls", "sys_enter");
	ASSERT_NE(NULL, link) TH_LOG("attach: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(held); i++) {
		hold(self, held[i]);
		EXPECT_EQ(ppid, syscall(__NR_getppid));
		rex_ring_consume(_metadata, &self->rb, &c, &d);
		EXPECT_EQ(0, c);
		EXPECT_EQ(held[i], d);
	}
	rex_link__destroy(link);
	EXPECT_EQ(ARRAY_SIZE(held), rex_u64_get(self->counts_fd, 0));
	EXPECT_EQ(ARRAY_SIZE(held), rex_fdinfo_value(fd, "rex_panics"));
}

/*
 * perf_event (hardirq context): every sample's run panics holding 2
 * records, and is recovered with both released.
 */
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
	unsigned int c, d;
	cpu_set_t set;

	hold(self, 2);
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
	EXPECT_LT(0, rex_u64_get(self->counts_fd, 0));
	EXPECT_EQ(rex_u64_get(self->counts_fd, 0), rex_fdinfo_value(fd, "rex_panics"));
	rex_ring_consume(_metadata, &self->rb, &c, &d);
	EXPECT_EQ(0, c);
	EXPECT_EQ(2 * rex_u64_get(self->counts_fd, 0), d);
}

TEST_HARNESS_MAIN
