// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs sharing a CPU: a task-context program interrupted by
 * hardirq-context programs keeps its stack intact, since each context
 * level has a Rex stack of its own; and faults of every kind, injected on
 * all CPUs while programs of several contexts run and are loaded and
 * unloaded, are all recovered with nothing lost.
 */

#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <time.h>
#include <sys/ioctl.h>
#include <linux/perf_event.h>

#include "rex_test.h"
#include "progs/panic_common.h"

REX_IMAGE(nest);
REX_IMAGE(xdp_panic);
REX_IMAGE(types_panic);
REX_IMAGE(xdp_count);

/* Slots of the nest program's counts map, see progs/nest.c. */
enum { TASK_BAD, IRQ_RUNS, IRQ_BAD, IRQ_NESTED, TASK_CHECKS };

/* A cpu-clock perf event on @cpu sampling every @period_ns, disabled; or -errno. */
static int cpu_clock(int cpu, __u64 period_ns)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = period_ns,
		.disabled = 1,
	};
	int fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * A task-context program checks a 4 KiB stack buffer for 40 ms while a
 * hardirq-context program, sampled every millisecond on the same CPU,
 * fills and checks its own: both buffers stay intact, and the interrupt
 * program did run inside the task program.
 */
TEST(task_interrupted_by_hardirq)
{
	const char *why = rex_unsupported();
	unsigned char frame[64] = { [12] = 0x08 };
	int cpu, pfd, counts_fd, task_fd, i;
	__u64 dur = 40 * 1000 * 1000;
	unsigned int retval;
	struct rex_object *obj;
	struct rex_link *link;
	__u32 zero = 0;

	if (why)
		SKIP(return, "%s", why);
	cpu = sched_getcpu();
	ASSERT_LE(0, cpu);
	ASSERT_EQ(0, rex_pin_to(cpu));
	pfd = cpu_clock(cpu, 1000 * 1000);
	if (pfd == -ENOENT || pfd == -EOPNOTSUPP)
		SKIP(return, "no software perf events (CONFIG_PERF_EVENTS)");
	ASSERT_LE(0, pfd) TH_LOG("perf_event_open: %s", strerror(-pfd));
	obj = REX_TEST_LOAD(nest);
	counts_fd = rex_object__find_map_fd_by_name(obj, "counts");
	task_fd = rex_object__find_prog_fd_by_name(obj, "rex_nest_task");
	ASSERT_EQ(0, rex_map_update_elem(rex_object__find_map_fd_by_name(obj, "cfg"),
					 &zero, &dur, 0));
	link = rex_program__attach_perf_event(rex_object__find_program_by_name(obj,
									       "rex_nest_irq"),
					      pfd);
	ASSERT_NE(NULL, link) TH_LOG("attach: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0));

	for (i = 0; i < 3; i++) {
		retval = ~0U;
		EXPECT_EQ(0, rex_test_run(task_fd, frame, sizeof(frame), &retval));
		EXPECT_EQ(XDP_PASS, retval);
	}
	rex_link__destroy(link);
	close(pfd);

	printf("# 3 task runs: %llu buffer checks, %llu interrupt program runs %s, %llu in all\n",
	       rex_u64_get(counts_fd, TASK_CHECKS), rex_u64_get(counts_fd, IRQ_NESTED),
	       "inside them", rex_u64_get(counts_fd, IRQ_RUNS));
	EXPECT_EQ(0, rex_u64_get(counts_fd, TASK_BAD))
		TH_LOG("the task program's stack was overwritten");
	EXPECT_EQ(0, rex_u64_get(counts_fd, IRQ_BAD));
	EXPECT_LT(0, rex_u64_get(counts_fd, TASK_CHECKS));
	EXPECT_LT(0, rex_u64_get(counts_fd, IRQ_NESTED))
		TH_LOG("no interrupt program ran inside the task program");
	EXPECT_EQ(0, rex_fdinfo_value(task_fd, "rex_timeouts"));
	EXPECT_EQ(0, rex_fdinfo_value(task_fd, "rex_stack_overflows"));
	rex_object__close(obj);
}

/* What each fault-injecting run does, what it returns and what it counts. */
static const struct step {
	unsigned int mode;
	unsigned int verdict;
	const char *counter;	/* fdinfo counter it increments, or NULL */
	bool locks;		/* takes the spin lock */
} plan[] = {
	{ REX_SUBMIT, XDP_PASS, NULL, false },
	{ REX_PANIC, XDP_ABORTED, "rex_panics", false },
	{ REX_RECURSE, XDP_ABORTED, "rex_stack_overflows", false },
	{ REX_LOCK, XDP_PASS, NULL, true },
	{ REX_LOCK_PANIC, XDP_ABORTED, "rex_panics", true },
	{ REX_RECURSE_CALLS, XDP_ABORTED, "rex_stack_overflows", false },
	{ REX_BIG_FRAME, XDP_ABORTED, "rex_stack_overflows", false },
	{ REX_LOOP, XDP_ABORTED, "rex_timeouts", false },
	{ REX_LOCK_LOOP, XDP_ABORTED, "rex_timeouts", true },
	{ REX_LEAK, XDP_PASS, "rex_leaks", false },
	{ REX_LOCK_TWICE, XDP_ABORTED, "rex_panics", true },
	{ REX_LOCK, XDP_PASS, NULL, true },
};

/* Does @step increment the fdinfo counter @counter? */
static bool counts(const struct step *step, const char *counter)
{
	return step->counter && !strcmp(step->counter, counter);
}

struct worker {
	pthread_t thread;
	int cpu;
	const struct timespec *deadline;
	long rounds, faults, stalls;
	char error[256];
};

/* The fdinfo counters a fault program's steps change. */
struct tally {
	long long panics, overflows, timeouts;
};

static void tally_read(int prog_fd, struct tally *t)
{
	t->panics = rex_fdinfo_value(prog_fd, "rex_panics");
	t->overflows = rex_fdinfo_value(prog_fd, "rex_stack_overflows");
	t->timeouts = rex_fdinfo_value(prog_fd, "rex_timeouts");
}

static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static void __printf(2, 3) fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->error, sizeof(w->error), fmt, ap);
	va_end(ap);
}

/* Load, run and unload a program that counts frames. */
static int churn(void)
{
	unsigned char frame[64] = { [12] = 0x08 };
	struct rex_object *obj;
	unsigned int retval;
	int err;

	obj = rex_object__open_mem(xdp_count_start, xdp_count_end - xdp_count_start);
	if (!obj)
		return -errno;
	err = rex_object__load(obj);
	if (!err)
		err = rex_test_run(rex_object__find_prog_fd_by_name(obj, "rex_xdp_count"),
				   frame, sizeof(frame), &retval);
	rex_object__close(obj);
	return err;
}

/*
 * Check aborted step @i of @w: since @t0 it counted exactly its own fault,
 * or it is a stall (one timeout and nothing else); count it, and add to
 * @locks the lock its run took, which a run stopped by the watchdog may
 * not have.  Return -1 (with the worker's error set) if neither.
 */
static int check_abort(struct worker *w, unsigned int i, unsigned int retval, int prog_fd,
		       struct tally *t0, int lk_fd, __u64 *locks)
{
	const struct step *s = &plan[i];
	long long panics, overflows, timeouts;
	__u64 lk[2] = { 0, 0 };
	struct tally t;
	__u32 zero = 0;
	bool stall;

	tally_read(prog_fd, &t);
	panics = t.panics - t0->panics;
	overflows = t.overflows - t0->overflows;
	timeouts = t.timeouts - t0->timeouts;
	*t0 = t;
	stall = !panics && !overflows && timeouts == 1 && !counts(s, "rex_timeouts");
	if (!stall && (retval != s->verdict || panics != counts(s, "rex_panics") ||
		       overflows != counts(s, "rex_stack_overflows") ||
		       timeouts != counts(s, "rex_timeouts"))) {
		fail(w, "CPU %d, step %u (mode %u): verdict %u, counted %s %lld, %s %lld, %s %lld",
		     w->cpu, i, s->mode, retval, "panics", panics, "overflows", overflows,
		     "timeouts", timeouts);
		return -1;
	}
	w->faults++;
	if (s->locks && (stall || counts(s, "rex_timeouts"))) {
		/* struct rex_locked: lock, pad, count */
		rex_map_lookup_elem(lk_fd, &zero, lk);
		stall |= lk[1] == *locks;
		if (lk[1] == *locks + 1)
			*locks = lk[1];
	} else {
		*locks += s->locks;
	}
	w->stalls += stall;
	return 0;
}

/*
 * Rounds of: every step of the plan on the worker's fault program, each
 * followed by the load, run and unload of another program; after every
 * aborted step, check what it counted, and after every round, the count
 * kept under the spin lock.  The fault program stays loaded, so that its
 * abort reports stay within its rate limit and the log stays small.
 *
 * The budget is wall time, interrupts included.  Under emulation a
 * hardirq on this CPU (the perf_event program's panic report, printed to
 * a serial console) can take longer than the whole budget, so any step
 * may be stopped by the watchdog before it reaches its own fault, and a
 * lock step before it takes the lock.  Such a step is a stall: it must
 * have counted one timeout and nothing else, and the lock count may have
 * moved by at most its own run.  Anything else fails.
 */
static void *worker_fn(void *arg)
{
	unsigned char frame[64] = { [12] = 0x08 };
	struct worker *w = arg;
	struct rex_object *obj;
	struct tally t0;
	__u32 zero = 0, one = 1;
	int prog_fd, cfg_fd, lk_fd, err;
	__u64 n = 2, locks = 0;

	if (rex_pin_to(w->cpu)) {
		snprintf(w->error, sizeof(w->error), "cannot run on CPU %d", w->cpu);
		return NULL;
	}
	obj = rex_object__open_mem(xdp_panic_start, xdp_panic_end - xdp_panic_start);
	if (!obj) {
		snprintf(w->error, sizeof(w->error), "open: %s", strerror(errno));
		return NULL;
	}
	err = rex_object__load(obj);
	if (err) {
		fail(w, "load: %s", strerror(-err));
		goto out;
	}
	prog_fd = rex_object__find_prog_fd_by_name(obj, "rex_xdp_panic");
	cfg_fd = rex_object__find_map_fd_by_name(obj, "cfg");
	lk_fd = rex_object__find_map_fd_by_name(obj, "lk");
	rex_map_update_elem(cfg_fd, &zero, &n, 0);
	tally_read(prog_fd, &t0);
	while (!past(w->deadline)) {
		/* struct rex_locked: lock, pad, count */
		__u64 mode, lk[2] = { 0, 0 };
		unsigned int i, retval;

		for (i = 0; i < ARRAY_SIZE(plan); i++) {
			const struct step *s = &plan[i];

			mode = s->mode;
			rex_map_update_elem(cfg_fd, &one, &mode, 0);
			retval = ~0U;
			/*
			 * Lock loops may run on every CPU at once: Rex's locks
			 * leave interrupts on, each CPU stops its own.
			 */
			err = rex_test_run(prog_fd, frame, sizeof(frame), &retval);
			if (err || (retval != s->verdict && retval != XDP_ABORTED)) {
				fail(w, "CPU %d, step %u (mode %u): %s %d, verdict %u, not %u",
				     w->cpu, i, s->mode, "test run", err, retval, s->verdict);
				goto out;
			}
			if (retval != XDP_ABORTED)
				locks += s->locks;
			else if (check_abort(w, i, retval, prog_fd, &t0, lk_fd, &locks))
				goto out;
			err = churn();
			if (err) {
				fail(w, "CPU %d: load and run of another program: %s", w->cpu,
				     strerror(-err));
				goto out;
			}
		}
		rex_map_lookup_elem(lk_fd, &zero, lk);
		if (lk[1] != locks) {
			fail(w, "CPU %d: %llu runs took the lock, not %llu", w->cpu, lk[1], locks);
			goto out;
		}
		w->rounds++;
	}
out:
	rex_object__close(obj);
	return NULL;
}

/*
 * For 10 s, one thread per CPU runs a program through every kind of fault,
 * loading and unloading another program after each, while a perf_event
 * program panics in hardirq context on every CPU every 2 ms.  Afterwards
 * the programs and maps are gone and the log has no warning.
 */
TEST(fault_stress)
{
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), i, budget;
	const char *why = rex_unsupported();
	long progs0, maps0, progs, maps, faults = 0, rounds = 0, stalls = 0;
	struct worker *workers;
	struct rex_link **links;
	struct timespec deadline;
	struct rex_program *pe_prog;
	struct rex_object *pe;
	__u64 tgid = getpid();
	int *pfds, pe_fd;
	__u32 zero = 0;

	if (why)
		SKIP(return, "%s", why);
	progs0 = rex_count_ids(BPF_PROG_GET_NEXT_ID);
	maps0 = rex_count_ids(BPF_MAP_GET_NEXT_ID);
	ASSERT_LE(0, progs0);
	ASSERT_LE(0, maps0);

	budget = rex_budget_read();
	ASSERT_LT(0, budget);
	ASSERT_EQ(0, rex_budget_set(10));

	pe = REX_TEST_LOAD(types_panic);
	ASSERT_EQ(0, rex_map_update_elem(rex_object__find_map_fd_by_name(pe, "target"),
					 &zero, &tgid, 0));
	pe_fd = rex_object__find_prog_fd_by_name(pe, "rex_pe_panic");
	pe_prog = rex_object__find_program_by_name(pe, "rex_pe_panic");
	workers = calloc(ncpu, sizeof(*workers));
	links = calloc(ncpu, sizeof(*links));
	pfds = calloc(ncpu, sizeof(*pfds));
	ASSERT_TRUE(workers && links && pfds);
	for (i = 0; i < ncpu; i++) {
		pfds[i] = cpu_clock(i, 2 * 1000 * 1000);
		if (pfds[i] == -ENOENT || pfds[i] == -EOPNOTSUPP)
			SKIP(return, "no software perf events (CONFIG_PERF_EVENTS)");
		ASSERT_LE(0, pfds[i]);
		links[i] = rex_program__attach_perf_event(pe_prog, pfds[i]);
		ASSERT_NE(NULL, links[i]);
		ASSERT_EQ(0, ioctl(pfds[i], PERF_EVENT_IOC_ENABLE, 0));
	}

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 10;
	for (i = 0; i < ncpu; i++) {
		workers[i].cpu = i;
		workers[i].deadline = &deadline;
		ASSERT_EQ(0, pthread_create(&workers[i].thread, NULL, worker_fn, &workers[i]));
	}
	for (i = 0; i < ncpu; i++) {
		pthread_join(workers[i].thread, NULL);
		EXPECT_EQ('\0', workers[i].error[0]) TH_LOG("%s", workers[i].error);
		rounds += workers[i].rounds;
		faults += workers[i].faults;
		stalls += workers[i].stalls;
	}
	for (i = 0; i < ncpu; i++) {
		rex_link__destroy(links[i]);
		close(pfds[i]);
	}
	rex_budget_set(budget);

	printf("# %ld rounds, %ld faults injected in task context (%ld %s), %lld hardirq panics\n",
	       rounds, faults, stalls, "stopped by the watchdog before their own",
	       rex_fdinfo_value(pe_fd, "rex_panics"));
	EXPECT_LT(0, rounds);
	EXPECT_LT(stalls, faults) TH_LOG("no step reached its own fault");
	EXPECT_LT(0, rex_fdinfo_value(pe_fd, "rex_panics"));
	rex_object__close(pe);
	free(workers);
	free(links);
	free(pfds);

	/* Freeing is deferred past an RCU grace period. */
	for (i = 0; i < 100; i++) {
		progs = rex_count_ids(BPF_PROG_GET_NEXT_ID);
		maps = rex_count_ids(BPF_MAP_GET_NEXT_ID);
		if (progs <= progs0 && maps <= maps0)
			break;
		usleep(50 * 1000);
	}
	/* The baseline may still hold objects of the previous test, being freed. */
	EXPECT_GE(progs0, progs);
	EXPECT_GE(maps0, maps);
	EXPECT_FALSE(rex_klog_has("WARNING:"));
	EXPECT_FALSE(rex_klog_has("BUG:"));
}

TEST_HARNESS_MAIN
