// SPDX-License-Identifier: GPL-2.0
/*
 * The stack reserve at every instruction of a program.  Every function of
 * a program checks at its entry that REX_STACK_RESERVE is left below it,
 * so that interrupt handling, which in softirq context runs entirely on
 * the Rex stack it interrupts, never finds less than REX_STACK_IRQ there.
 *
 * irq_depth_* measure how deep interrupt handling goes below a program,
 * at task and softirq level, while a cpu-clock perf event with a Rex
 * program and a storm of timers hit its CPU: the program paints the stack
 * below it and looks afterwards at what was overwritten.  The deepest
 * must stay below REX_STACK_IRQ.  recursion_* recurse without end at each
 * context level under the same interrupts (hover_softirq tries to wait
 * for them just above the guard page): the program must be stopped by
 * the check, never the kernel.
 */

#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <linux/perf_event.h>

#include "rex_test.h"
#include "rex_net.h"
#include "progs/stack_common.h"

REX_IMAGE(stack_deep);

/* How long a program waits for its interrupts, in ms. */
#define WAIT_MS		150
/* What REX_STACK_MEASURE paints below the program, in bytes. */
#define PAINT_BYTES	(8 * 1024)
/* Timers of the storm, and their spacing in us. */
#define STORM_TIMERS	256
#define STORM_STEP_US	500

FIXTURE(stack) {
	struct rex_object *obj;
	int xdp_fd, pe_fd, tp_fd, cfg_fd, counts_fd, budget, cpu;
	int rx, tx, send_fd;
	cpu_set_t affinity;
	/* The storm. */
	int pfd;
	struct rex_link *pe_link;
	int tfd[STORM_TIMERS];
};

FIXTURE_SETUP(stack)
{
	const char *why = rex_unsupported();
	int i;

	self->obj = NULL;
	self->pe_link = NULL;
	self->pfd = -1;
	self->send_fd = -1;
	self->rx = 0;
	for (i = 0; i < STORM_TIMERS; i++)
		self->tfd[i] = -1;
	if (why)
		SKIP(return, "%s", why);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs: one runs the program, the other stops it");
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(self->affinity), &self->affinity));
	self->cpu = 0;
	ASSERT_EQ(0, rex_pin_to(self->cpu));
	self->obj = REX_TEST_LOAD(stack_deep);
	self->xdp_fd = rex_object__find_prog_fd_by_name(self->obj, "rex_stack_xdp");
	self->pe_fd = rex_object__find_prog_fd_by_name(self->obj, "rex_stack_pe");
	self->tp_fd = rex_object__find_prog_fd_by_name(self->obj, "rex_stack_tp");
	self->cfg_fd = rex_map_fd(_metadata, self->obj, "cfg");
	self->counts_fd = rex_map_fd(_metadata, self->obj, "counts");
	self->budget = rex_budget_read();
	ASSERT_LT(0, self->budget);
	/* Room for the waits: a program past its budget would be stopped. */
	ASSERT_EQ(0, rex_budget_write("1000"));
}

FIXTURE_TEARDOWN(stack)
{
	int i;

	if (!self->obj)
		return;
	rex_link__destroy(self->pe_link);
	if (self->pfd >= 0)
		close(self->pfd);
	for (i = 0; i < STORM_TIMERS; i++)
		if (self->tfd[i] >= 0)
			close(self->tfd[i]);
	if (self->rx)
		rex_xdp_detach(self->rx, XDP_FLAGS_SKB_MODE);
	if (self->send_fd >= 0)
		close(self->send_fd);
	rex_budget_set(self->budget);
	rex_object__close(self->obj);
	sched_setaffinity(0, sizeof(self->affinity), &self->affinity);
}

/*
 * Hit this CPU with interrupts: a cpu-clock perf event every 50 us, which
 * runs rex_stack_pe in hardirq context, and STORM_TIMERS timers, one
 * every STORM_STEP_US.
 */
static void storm(struct __test_metadata *_metadata, struct _test_data_stack *self)
{
	struct perf_event_attr pattr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(pattr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 50 * 1000,
		.disabled = 1,
	};
	struct itimerspec its = {};
	struct timespec now;
	int i;

	self->pfd = syscall(__NR_perf_event_open, &pattr, -1, self->cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
	ASSERT_LE(0, self->pfd) TH_LOG("perf_event_open: %s", strerror(errno));
	self->pe_link = rex_program__attach_perf_event(
		rex_object__find_program_by_name(self->obj, "rex_stack_pe"), self->pfd);
	ASSERT_NE(NULL, self->pe_link) TH_LOG("attach: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->pfd, PERF_EVENT_IOC_ENABLE, 0));
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < STORM_TIMERS; i++) {
		long long ns = now.tv_nsec + 1000LL * STORM_STEP_US * (i + 1);

		self->tfd[i] = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		ASSERT_LE(0, self->tfd[i]);
		its.it_value.tv_sec = now.tv_sec + ns / 1000000000;
		its.it_value.tv_nsec = ns % 1000000000;
		ASSERT_EQ(0, timerfd_settime(self->tfd[i], TFD_TIMER_ABSTIME, &its, NULL));
	}
}

struct stopper {
	int cfg_fd;
	int ms;
};

/* Let the waiting program go after @ms. */
static void *stop_later(void *arg)
{
	struct stopper *s = arg;
	__u32 key = REX_STACK_CFG_STOP;
	__u64 one = 1;

	usleep(s->ms * 1000);
	rex_map_update_elem(s->cfg_fd, &key, &one, 0);
	return NULL;
}

/*
 * Start stop_later() on CPU 1: it must start there, since the program will
 * keep CPU 0 busy until it runs.
 */
static int start_stopper(pthread_t *t, struct stopper *s)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(1, &set);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	err = pthread_create(t, &attr, stop_later, s);
	pthread_attr_destroy(&attr);
	return err;
}

/* Set the modes and the argument, clear the stop flag. */
static void setup(struct __test_metadata *_metadata, struct _test_data_stack *self,
		  __u64 xdp, __u64 pe, __u64 tp, __u64 arg)
{
	rex_array_set(_metadata, self->cfg_fd, REX_STACK_CFG_XDP, xdp);
	rex_array_set(_metadata, self->cfg_fd, REX_STACK_CFG_PE, pe);
	rex_array_set(_metadata, self->cfg_fd, REX_STACK_CFG_TP, tp);
	rex_array_set(_metadata, self->cfg_fd, REX_STACK_CFG_ARG, arg);
	rex_array_set(_metadata, self->cfg_fd, REX_STACK_CFG_STOP, 0);
}

/* Run rex_stack_xdp once in task context, BPF_PROG_TEST_RUN. */
static unsigned int run_task(struct __test_metadata *_metadata, struct _test_data_stack *self)
{
	unsigned char frame[64] = { [12] = 0x08 };
	unsigned int retval = ~0U;

	EXPECT_EQ(0, rex_test_run(self->xdp_fd, frame, sizeof(frame), &retval));
	return retval;
}

/*
 * Attach rex_stack_xdp as generic XDP to a veth device, in softirq
 * context when a frame arrives.
 */
static bool xdp_on_pair(struct __test_metadata *_metadata, struct _test_data_stack *self)
{
	int err, tx;

	err = rex_net_enter_netns();
	if (err == -EINVAL)
		SKIP(return false, "no network namespaces (CONFIG_NET_NS)");
	ASSERT_EQ(0, err);
	err = rex_veth_setup("rexrx", "rextx", &self->rx, &tx);
	if (err == -EOPNOTSUPP)
		SKIP(return false, "no veth devices (CONFIG_VETH)");
	ASSERT_EQ(0, err);
	self->tx = tx;
	self->send_fd = rex_packet_socket(tx, 0);
	ASSERT_LE(0, self->send_fd);
	ASSERT_EQ(0, rex_xdp_attach(self->rx, self->xdp_fd, XDP_FLAGS_SKB_MODE));
	return true;
}

/*
 * Send one frame from this CPU: the veth delivers it here, and the softirq
 * that runs rex_stack_xdp runs before the send returns.  Return how many
 * runs there were.
 */
static __u64 run_softirq(struct __test_metadata *_metadata, struct _test_data_stack *self)
{
	__u64 before = rex_array_get(_metadata, self->counts_fd, REX_STACK_CFG_XDP);

	EXPECT_EQ(1, rex_send_frames(self->send_fd, self->tx, 0x88b5, 64, 1));
	return rex_array_get(_metadata, self->counts_fd, REX_STACK_CFG_XDP) - before;
}

/* Measure, in the way @run runs rex_stack_xdp, and return the depth. */
static __u64 measure(struct __test_metadata *_metadata, struct _test_data_stack *self,
		     bool softirq)
{
	struct stopper s = { .cfg_fd = self->cfg_fd, .ms = WAIT_MS };
	pthread_t t;
	__u64 ran;

	setup(_metadata, self, REX_STACK_MEASURE, REX_STACK_NONE, REX_STACK_NONE,
	      PAINT_BYTES);
	storm(_metadata, self);
	ASSERT_EQ(0, start_stopper(&t, &s));
	ran = softirq ? run_softirq(_metadata, self) : run_task(_metadata, self) == XDP_PASS;
	EXPECT_EQ(1, ran);
	pthread_join(t, NULL);
	EXPECT_EQ(0, rex_fdinfo_value(self->xdp_fd, "rex_timeouts"));
	EXPECT_LT(0, rex_array_get(_metadata, self->counts_fd, REX_STACK_CFG_PE))
		TH_LOG("the perf event did not fire");
	return rex_array_get(_metadata, self->counts_fd, REX_STACK_DEPTH);
}

static void report(const char *where, __u64 depth)
{
	printf("# interrupts went %llu bytes below a program in %s context (REX_STACK_IRQ %llu)\n",
	       (unsigned long long)depth, where, (unsigned long long)rex_stack_irq());
}

/*
 * Task context: an interrupt switches to the hardirq stack once its entry
 * has saved the registers, so only that part lands on the Rex stack.
 */
TEST_F(stack, irq_depth_task)
{
	__u64 depth = measure(_metadata, self, false);

	report("task", depth);
	EXPECT_LT(0, depth) TH_LOG("no interrupt reached the program's stack");
	EXPECT_GT(rex_stack_irq(), depth);
}

/*
 * Softirq context: a hardirq handler runs entirely on the Rex stack (the
 * hardirq stack is in use by the softirq), with the perf event's overflow
 * handling and the timers' callbacks.
 */
TEST_F(stack, irq_depth_softirq)
{
	__u64 depth;

	if (!xdp_on_pair(_metadata, self))
		return;
	depth = measure(_metadata, self, true);
	report("softirq", depth);
	EXPECT_LT(0, depth) TH_LOG("no interrupt reached the program's stack");
	EXPECT_GT(rex_stack_irq(), depth);
}

/* The program was stopped by the stack check @times times, and never got past. */
static void check_stopped(struct __test_metadata *_metadata, struct _test_data_stack *self,
			  int fd, __u64 times)
{
	EXPECT_EQ(times, rex_fdinfo_value(fd, "rex_stack_overflows"));
	EXPECT_EQ(0, rex_fdinfo_value(fd, "rex_panics"));
	EXPECT_EQ(0, rex_fdinfo_value(fd, "rex_timeouts"));
	EXPECT_EQ(0, rex_array_get(_metadata, self->counts_fd, REX_STACK_GOT_PAST))
		TH_LOG("a program went on after the end of its stack");
	EXPECT_TRUE(rex_klog_has("bytes left at a function entry"));
}

/* Task context, under the storm. */
TEST_F(stack, recursion_task)
{
	setup(_metadata, self, REX_STACK_RECURSE, REX_STACK_NONE, REX_STACK_NONE, 0);
	storm(_metadata, self);
	EXPECT_EQ(XDP_ABORTED, run_task(_metadata, self));
	EXPECT_EQ(XDP_ABORTED, run_task(_metadata, self));
	check_stopped(_metadata, self, self->xdp_fd, 2);
}

/* Softirq context, under the storm: each frame's run is stopped. */
TEST_F(stack, recursion_softirq)
{
	int i;

	if (!xdp_on_pair(_metadata, self))
		return;
	setup(_metadata, self, REX_STACK_RECURSE, REX_STACK_NONE, REX_STACK_NONE, 0);
	storm(_metadata, self);
	for (i = 0; i < 20; i++)
		EXPECT_EQ(1, run_softirq(_metadata, self));
	check_stopped(_metadata, self, self->xdp_fd, 20);
}

/*
 * Softirq context: recurse to less than REX_STACK_HOVER_ABOVE bytes above
 * the guard page and wait there for the storm.  An interrupt taken there would overflow in its
 * handler, in kernel text, where the kernel cannot recover; the check
 * stops the program long before.
 */
TEST_F(stack, hover_softirq)
{
	struct stopper s = { .cfg_fd = self->cfg_fd, .ms = WAIT_MS };
	pthread_t t;

	if (!xdp_on_pair(_metadata, self))
		return;
	setup(_metadata, self, REX_STACK_HOVER, REX_STACK_NONE, REX_STACK_NONE,
	      rex_stack_size());
	storm(_metadata, self);
	ASSERT_EQ(0, start_stopper(&t, &s));
	EXPECT_EQ(1, run_softirq(_metadata, self));
	pthread_join(t, NULL);
	check_stopped(_metadata, self, self->xdp_fd, 1);
}

/*
 * Hardirq context: the perf event's program recurses, at every sample,
 * with interrupts disabled; the timers of the storm wait for it.
 */
TEST_F(stack, recursion_hardirq)
{
	struct timespec start;
	__u64 runs;

	setup(_metadata, self, REX_STACK_NONE, REX_STACK_RECURSE, REX_STACK_NONE, 0);
	storm(_metadata, self);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (rex_ms_since(&start) < WAIT_MS)
		;
	ioctl(self->pfd, PERF_EVENT_IOC_DISABLE, 0);
	runs = rex_array_get(_metadata, self->counts_fd, REX_STACK_CFG_PE);
	printf("# %llu runs in hardirq context\n", (unsigned long long)runs);
	EXPECT_LT(0, runs);
	check_stopped(_metadata, self, self->pe_fd, runs);
}

/*
 * NMI context: the program of nmi:nmi_handler recurses in the NMIs that
 * sysrq 'l' sends to the other CPU, while the storm hits this one.
 */
TEST_F(stack, recursion_nmi)
{
	struct rex_link *link;
	__u64 runs;
	int trig, i;

	if (!rex_tracefs_dir())
		SKIP(return, "no tracefs");
	trig = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	if (trig < 0)
		SKIP(return, "no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ)");
	setup(_metadata, self, REX_STACK_NONE, REX_STACK_NONE, REX_STACK_RECURSE, 0);
	storm(_metadata, self);
	link = rex_program__attach_tracepoint(
		rex_object__find_program_by_name(self->obj, "rex_stack_tp"), "nmi", "nmi_handler");
	ASSERT_NE(NULL, link) TH_LOG("attach to nmi:nmi_handler: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(1, write(trig, "l", 1));
	rex_link__destroy(link);
	close(trig);
	runs = rex_array_get(_metadata, self->counts_fd, REX_STACK_CFG_TP);
	printf("# %llu runs in NMI context\n", (unsigned long long)runs);
	EXPECT_LT(0, runs) TH_LOG("no NMI ran the program");
	check_stopped(_metadata, self, self->tp_fd, runs);
}

TEST_HARNESS_MAIN
