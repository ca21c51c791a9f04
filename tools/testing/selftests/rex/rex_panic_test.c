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
#include <pthread.h>
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
	cpu_set_t old;
	int cpu, i;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(old), &old));
	cpu = sched_getcpu();
	ASSERT_EQ(0, rex_pin_to(cpu));
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
 * Was the last timeout of the program with id @id stopped by @how ("the
 * watchdog timer", "an NMI", "its helper call")?
 */
static bool stopped_by(__u32 id, const char *how)
{
	char want[96], line[512];

	snprintf(want, sizeof(want), "(id %u) ran past its budget", id);
	return rex_klog_last(want, line, sizeof(line)) && strstr(line, how);
}

/*
 * A runaway loop holding the spin lock: Rex's spin locks leave interrupts
 * enabled, so the watchdog timer of the program's own CPU stops it, with
 * one CPU too.  (Taken with interrupts disabled, the lock left the program
 * to an NMI from another CPU, and two such programs on two CPUs to nobody.)
 */
TEST_F(xdp, runaway_loop_holding_lock)
{
	run_runaway(_metadata, self, REX_LOCK_LOOP, "loop holding the lock");
	EXPECT_EQ(1, lock_count(self));
	check_recovered(_metadata, self, "rex_timeouts", 1, 2);
	EXPECT_TRUE(stopped_by(rex_prog_id(_metadata, self->prog_fd), "by the watchdog timer"));
}

/*
 * Empty the trace buffer of @tracefs and enable rex:rex_abort; return the
 * event's enable file, for abort_trace_off().  The trace file's path goes
 * to @trace.
 */
static int abort_trace_on(struct __test_metadata *_metadata, const char *tracefs,
			  char *trace, size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/events/rex/rex_abort/enable", tracefs);
	fd = open(path, O_WRONLY);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	snprintf(trace, len, "%s/trace", tracefs);
	close(open(trace, O_WRONLY | O_TRUNC));
	ASSERT_EQ(1, write(fd, "1", 1));
	return fd;
}

static void abort_trace_off(struct __test_metadata *_metadata, int fd)
{
	ASSERT_EQ(1, write(fd, "0", 1));
	close(fd);
}

/*
 * The local_clock() microseconds of "sec.usec" after the last @open in
 * @line ("[" of a kernel log line, " " of a trace line cut after its
 * time), or -1.
 */
static long long log_usecs(const char *line, const char *open)
{
	unsigned long long sec, usec;
	const char *p = NULL, *q;

	for (q = strstr(line, open); q; q = strstr(q + 1, open))
		p = q;

	if (!p || sscanf(p + strlen(open), "%llu.%llu", &sec, &usec) != 2)
		return -1;
	return sec * 1000000 + usec;
}

/*
 * An aborted program's resources are released before the abort is
 * reported, so that no other CPU spins on a lock it held for as long as a
 * console write takes: the rex:rex_abort event, emitted after the release,
 * is no later than the report's printk.  The trace buffer is switched to
 * the "perf" clock, local_clock(), which printk uses too.
 */
TEST_F(xdp, abort_releases_before_report)
{
	const char *tracefs = rex_tracefs_dir();
	char path[256], line[512], want[96], klog[512];
	long long traced = -1, logged;
	__u32 id = rex_prog_id(_metadata, self->prog_fd);
	int fd, clock_fd;
	FILE *f;

	if (!tracefs)
		SKIP(return, "no tracefs");
	snprintf(path, sizeof(path), "%s/trace_clock", tracefs);
	clock_fd = open(path, O_WRONLY);
	ASSERT_LE(0, clock_fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(4, write(clock_fd, "perf", 4));
	fd = abort_trace_on(_metadata, tracefs, path, sizeof(path));
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 2, REX_LOCK_PANIC));
	abort_trace_off(_metadata, fd);

	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	snprintf(want, sizeof(want), "prog_id=%u ", id);
	while (fgets(line, sizeof(line), f)) {
		char *event = strstr(line, ": rex_abort: ");

		/* "task-pid [cpu] flags   sec.usec: rex_abort: ..." */
		if (!event || !strstr(line, want) || !strstr(line, "reason=panic released=3"))
			continue;
		*event = '\0';
		traced = log_usecs(line, " ");
	}
	fclose(f);
	/* Setting the clock empties the trace buffer: only after reading it. */
	EXPECT_EQ(5, write(clock_fd, "local", 5));
	close(clock_fd);
	snprintf(want, sizeof(want), "(id %u) panicked: xdp test panic holding a lock", id);
	ASSERT_TRUE(rex_klog_last(want, klog, sizeof(klog))) TH_LOG("no report");
	logged = log_usecs(klog, "[");
	ASSERT_LE(0, traced) TH_LOG("no rex_abort event for the panic");
	ASSERT_LE(0, logged) TH_LOG("no timestamp in: %s", klog);
	printf("# released and traced at %lld us, reported at %lld us\n", traced, logged);
	EXPECT_LE(traced, logged);
	check_recovered(_metadata, self, "rex_panics", 1, 2);
}

struct locker {
	pthread_t thread;
	int prog_fd, cpu;
	unsigned int retval;
	long long ms;
};

/* Run the program once on one CPU, and time it. */
static void *locker_run(void *arg)
{
	unsigned char frame[64] = { [12] = 0x08 };
	struct locker *l = arg;
	struct timespec start;

	rex_pin_to(l->cpu);
	clock_gettime(CLOCK_MONOTONIC, &start);
	l->retval = ~0U;
	rex_test_run(l->prog_fd, frame, sizeof(frame), &l->retval);
	l->ms = rex_ms_since(&start);
	return NULL;
}

/*
 * The lock chain: a program on CPU 0 takes the lock and loops; a program
 * on CPU 1 then waits for the same lock.  The first is stopped after its
 * budget (200 ms) by its own CPU's timer, which releases the lock, and the
 * second takes it and returns normally.  The waiter starts 150 ms after the
 * holder took the lock, so that its wait (the holder's budget plus at most
 * half a budget, less those 150 ms) stays inside its own budget and under
 * rqspinlock's timeout (250 ms).  (With the lock taken with interrupts
 * disabled, neither CPU could take a timer interrupt and no CPU was left to
 * send an NMI: the waiter failed after rqspinlock's timeout.)
 */
TEST_F(xdp, lock_chain)
{
	struct locker holder = { .prog_fd = self->prog_fd, .cpu = 0 };
	struct locker waiter = { .prog_fd = self->prog_fd, .cpu = 1 };
	struct timespec start;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs");
	ASSERT_EQ(0, rex_budget_write("200"));
	rex_u64_set(self->cfg_fd, 0, 0);
	rex_u64_set(self->cfg_fd, 1, REX_LOCK_LOOP);
	ASSERT_EQ(0, pthread_create(&holder.thread, NULL, locker_run, &holder));
	/* The holder counts once it holds the lock. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (lock_count(self) == 0 && rex_ms_since(&start) < 5000)
		;
	ASSERT_EQ(1, lock_count(self)) TH_LOG("the holder did not take the lock");
	rex_u64_set(self->cfg_fd, 1, REX_LOCK);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (rex_ms_since(&start) < 150)
		;
	locker_run(&waiter);
	pthread_join(holder.thread, NULL);
	rex_budget_set(self->budget);
	printf("# holder stopped after %lld ms, waiter returned after %lld ms\n", holder.ms,
	       waiter.ms);
	EXPECT_EQ(XDP_ABORTED, holder.retval);
	EXPECT_EQ(XDP_PASS, waiter.retval) TH_LOG("the waiter did not get the lock");
	EXPECT_EQ(2, lock_count(self));
	EXPECT_EQ(1, rex_fdinfo_value(self->prog_fd, "rex_timeouts"));
	EXPECT_EQ(0, rex_fdinfo_value(self->prog_fd, "rex_panics"));
	EXPECT_LT(10, waiter.ms) TH_LOG("the waiter did not wait: the holder was gone");
	EXPECT_GT(2000, waiter.ms);
	check_recovered(_metadata, self, "rex_timeouts", 1, 0);
}

/*
 * A program in NMI context: NMIs sent to every other CPU (sysrq 'l', the
 * backtrace of all CPUs) fire nmi:nmi_handler, whose program loops calling
 * a helper.  No NMI can interrupt it; the helper gate stops it after its
 * budget, and the NMI goes on.
 */
TEST(nmi_context_budget)
{
	__u64 one = 1, zero64 = 0, ran = 0, returned = ~0ULL;
	const char *why = rex_unsupported();
	int fd, counts_fd, cfg_fd, trig, budget, i;
	struct rex_object *nmi;
	struct rex_link *link;
	__u32 zero = 0, key1 = 1;

	if (why)
		SKIP(return, "%s", why);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs: the backtrace NMI goes to the other CPUs");
	if (!rex_tracefs_dir())
		SKIP(return, "no tracefs");
	trig = open("/proc/sysrq-trigger", O_WRONLY);
	if (trig < 0)
		SKIP(return, "no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ)");
	budget = rex_budget_read();
	ASSERT_EQ(0, rex_budget_write("20"));
	nmi = REX_TEST_LOAD(tp_nmi);
	fd = rex_object__find_prog_fd_by_name(nmi, "rex_tp_nmi");
	counts_fd = rex_object__find_map_fd_by_name(nmi, "counts");
	cfg_fd = rex_object__find_map_fd_by_name(nmi, "cfg");
	ASSERT_EQ(0, rex_map_update_elem(cfg_fd, &zero, &one, 0));
	link = rex_program__attach_tracepoint(rex_object__find_program_by_name(nmi, "rex_tp_nmi"),
					      "nmi", "nmi_handler");
	ASSERT_NE(NULL, link) TH_LOG("attach to nmi:nmi_handler: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(1, write(trig, "l", 1));
	/*
	 * The write returns once the other CPUs printed their backtraces; the
	 * tracepoint, and so the program, runs after each NMI handler: give
	 * the last runs their budget before disarming.
	 */
	usleep(500 * 1000);
	ASSERT_EQ(0, rex_map_update_elem(cfg_fd, &zero, &zero64, 0));
	rex_link__destroy(link);
	close(trig);
	rex_budget_set(budget);

	rex_map_lookup_elem(counts_fd, &zero, &ran);
	rex_map_lookup_elem(counts_fd, &key1, &returned);
	printf("# %llu runs in NMI context\n", (unsigned long long)ran);
	EXPECT_LT(0, ran) TH_LOG("no NMI ran the program");
	EXPECT_EQ(0, returned) TH_LOG("an NMI program returned from its endless loop");
	EXPECT_EQ(ran, rex_fdinfo_value(fd, "rex_timeouts"));
	EXPECT_TRUE(stopped_by(rex_prog_id(_metadata, fd), "by its helper call"));
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
	fd = abort_trace_on(_metadata, tracefs, path, sizeof(path));
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 2, REX_PANIC));
	EXPECT_EQ(XDP_ABORTED, run(_metadata, self, 1, REX_RECURSE));
	abort_trace_off(_metadata, fd);

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
 * Every CPU stuck: a program on each CPU takes a lock (its own, from its own
 * object) and loops.  Each is stopped by its own CPU's timer, and every
 * lock is free afterwards.
 */
TEST(all_cpus_stuck)
{
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), i;
	const char *why = rex_unsupported();
	struct rex_object *objs[8];
	struct locker lockers[8];
	int budget, cfg;

	if (why)
		SKIP(return, "%s", why);
	if (ncpu > 8)
		ncpu = 8;
	budget = rex_budget_read();
	ASSERT_EQ(0, rex_budget_write("20"));
	for (i = 0; i < ncpu; i++) {
		objs[i] = REX_TEST_LOAD(xdp_panic);
		cfg = rex_object__find_map_fd_by_name(objs[i], "cfg");
		rex_u64_set(cfg, 0, 0);
		rex_u64_set(cfg, 1, REX_LOCK_LOOP);
		lockers[i] = (struct locker){
			.prog_fd = rex_object__find_prog_fd_by_name(objs[i], "rex_xdp_panic"),
			.cpu = i,
		};
		ASSERT_EQ(0, pthread_create(&lockers[i].thread, NULL, locker_run, &lockers[i]));
	}
	for (i = 0; i < ncpu; i++) {
		struct rex_locked v = { .count = ~0ULL };
		__u32 zero = 0;

		pthread_join(lockers[i].thread, NULL);
		printf("# CPU %d: stopped after %lld ms\n", i, lockers[i].ms);
		EXPECT_EQ(XDP_ABORTED, lockers[i].retval);
		EXPECT_EQ(1, rex_fdinfo_value(lockers[i].prog_fd, "rex_timeouts"));
		EXPECT_GT(2000, lockers[i].ms);
		/* The lock is free: a run takes it. */
		cfg = rex_object__find_map_fd_by_name(objs[i], "cfg");
		rex_u64_set(cfg, 1, REX_LOCK);
		locker_run(&lockers[i]);
		EXPECT_EQ(XDP_PASS, lockers[i].retval);
		rex_map_lookup_elem(rex_object__find_map_fd_by_name(objs[i], "lk"), &zero, &v);
		EXPECT_EQ(2, v.count);
		rex_object__close(objs[i]);
	}
	rex_budget_set(budget);
}

/* Write @val to CPU @cpu's online file; return 0 or -errno. */
static int cpu_online(int cpu, const char *val)
{
	char path[64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

/*
 * CPU hotplug: CPU 1 goes offline and comes back, twice, while programs
 * loop past their budget on the other CPU; then programs that loop on CPU 1
 * are stopped by its own watchdog timer (a timer that went with the CPU
 * would have been migrated away and never started again), and a new
 * program runs on it.
 */
TEST(cpu_hotplug)
{
	struct locker l = { .cpu = 1 };
	const char *why = rex_unsupported();
	struct rex_object *obj;
	int i, budget, cfg, err;

	if (why)
		SKIP(return, "%s", why);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs");
	budget = rex_budget_read();
	ASSERT_EQ(0, rex_budget_write("20"));
	obj = REX_TEST_LOAD(xdp_panic);
	l.prog_fd = rex_object__find_prog_fd_by_name(obj, "rex_xdp_panic");
	cfg = rex_object__find_map_fd_by_name(obj, "cfg");
	rex_u64_set(cfg, 0, 0);
	rex_u64_set(cfg, 1, REX_LOOP);
	for (i = 0; i < 2; i++) {
		struct locker other = { .prog_fd = l.prog_fd, .cpu = 0 };

		ASSERT_EQ(0, pthread_create(&other.thread, NULL, locker_run, &other));
		err = cpu_online(1, "0");
		if (err == -ENOENT || err == -EACCES) {
			pthread_join(other.thread, NULL);
			SKIP(goto out, "CPU 1 cannot go offline");
		}
		ASSERT_EQ(0, err) TH_LOG("offline CPU 1: %s", strerror(-err));
		pthread_join(other.thread, NULL);
		EXPECT_EQ(XDP_ABORTED, other.retval);
		ASSERT_EQ(0, cpu_online(1, "1"));
	}
	rex_u64_set(cfg, 1, REX_LOOP);
	locker_run(&l);
	EXPECT_EQ(XDP_ABORTED, l.retval);
	EXPECT_TRUE(stopped_by(rex_prog_id(_metadata, l.prog_fd), "by the watchdog timer"));
	rex_u64_set(cfg, 1, REX_LOCK_LOOP);
	locker_run(&l);
	EXPECT_EQ(XDP_ABORTED, l.retval);
	EXPECT_TRUE(stopped_by(rex_prog_id(_metadata, l.prog_fd), "by the watchdog timer"));
	EXPECT_EQ(4, rex_fdinfo_value(l.prog_fd, "rex_timeouts"));
	rex_object__close(obj);

	/* A program loaded now runs on CPU 1, on the stacks it was given. */
	obj = REX_TEST_LOAD(xdp_panic);
	l.prog_fd = rex_object__find_prog_fd_by_name(obj, "rex_xdp_panic");
	cfg = rex_object__find_map_fd_by_name(obj, "cfg");
	rex_u64_set(cfg, 1, REX_LOCK);
	locker_run(&l);
	EXPECT_EQ(XDP_PASS, l.retval);
out:
	cpu_online(1, "1");
	rex_object__close(obj);
	rex_budget_set(budget);
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

	hold(self, 2);
	cpu = sched_getcpu();
	ASSERT_LE(0, cpu);
	ASSERT_EQ(0, rex_pin_to(cpu));
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

/*
 * Run the perf_event program, which loops forever, from a cpu-clock event
 * on CPU 1 every 100 ms for 600 ms, with a budget of TEST_BUDGET_MS, while
 * this thread stays on CPU 0.  Return how many runs there were.
 */
static __u64 perf_loop(struct __test_metadata *_metadata, struct _test_data_types *self)
{
	struct perf_event_attr pattr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(pattr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 100 * 1000 * 1000,
		.disabled = 1,
	};
	struct timespec start;
	struct rex_link *link;
	int pfd, budget;
	cpu_set_t old;
	__u64 one = 1, zero = 0;
	__u32 key1 = 1;

	budget = rex_budget_read();
	sched_getaffinity(0, sizeof(old), &old);
	EXPECT_EQ(0, rex_pin_to(0));
	pfd = syscall(__NR_perf_event_open, &pattr, -1, 1, -1, PERF_FLAG_FD_CLOEXEC);
	EXPECT_LE(0, pfd);
	if (pfd < 0)
		return 0;
	link = rex_program__attach_perf_event(rex_object__find_program_by_name(self->obj,
									       "rex_pe_panic"),
					      pfd);
	EXPECT_NE(NULL, link);
	if (!link) {
		close(pfd);
		return 0;
	}
	EXPECT_EQ(0, rex_map_update_elem(self->cfg_fd, &key1, &one, 0));
	EXPECT_EQ(0, rex_budget_write("20"));
	EXPECT_EQ(0, ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0));
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (rex_ms_since(&start) < 600)
		;
	ioctl(pfd, PERF_EVENT_IOC_DISABLE, 0);
	rex_link__destroy(link);
	close(pfd);
	rex_budget_set(budget);
	rex_map_update_elem(self->cfg_fd, &key1, &zero, 0);
	sched_setaffinity(0, sizeof(old), &old);
	return rex_u64_get(self->counts_fd, 0);
}

/*
 * perf_event, looping forever: the program runs in hardirq context with
 * interrupts disabled, where only an NMI from another CPU's watchdog stops
 * it.  Every run is stopped that way and CPU 1 goes on.
 */
TEST_F(types, perf_event_loop)
{
	int fd = prog_fd(self->obj, "rex_pe_panic");
	__u64 runs;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs: one CPU cannot stop itself with interrupts off");
	runs = perf_loop(_metadata, self);
	printf("# %llu runs looped in hardirq context\n", (unsigned long long)runs);
	EXPECT_LT(0, runs);
	EXPECT_EQ(runs, rex_fdinfo_value(fd, "rex_timeouts"));
	EXPECT_EQ(0, rex_fdinfo_value(fd, "rex_panics"));
	EXPECT_TRUE(stopped_by(rex_prog_id(_metadata, fd), "by an NMI"));
}

TEST_HARNESS_MAIN
