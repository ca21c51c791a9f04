// SPDX-License-Identifier: GPL-2.0
/*
 * Rex attach tests: C-built Rex images are opened and loaded with librex,
 * attached at kprobe, tracepoint, perf_event, XDP and tc attach points,
 * triggered, and their effect is read back from their maps.  After detach
 * the same trigger must leave the maps unchanged.
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <linux/perf_event.h>

#include "rex_test.h"
#include "rex_net.h"
#include "progs/attach_common.h"

REX_IMAGE(kprobe_getppid);
REX_IMAGE(kprobe_override);
REX_IMAGE(tp_sys_enter);
REX_IMAGE(perf_clock);
REX_IMAGE(xdp_count);
REX_IMAGE(tc_count);

/* System calls made while a program is attached, and again after detach. */
#define NR_CALLS	10
/* Frames of each ethertype sent per round. */
#define NR_PASS		5
#define NR_DROP		3
#define FRAME_LEN	60

#define KPROBE_FUNC	"__x64_sys_getppid"

static char log_buf[REX_LOG_SIZE];

/* Value at @key of a u64 hash map, 0 when the key is absent. */
static __u64 hash_get(struct __test_metadata *_metadata, int fd, __u32 key)
{
	__u64 value = 0;
	int err;

	err = rex_map_lookup_elem(fd, &key, &value);
	if (err == -ENOENT)
		return 0;
	ASSERT_EQ(0, err) TH_LOG("lookup of %#x: %s", key, strerror(-err));
	return value;
}

/*
 * A child process (another tgid) calls getppid @n times and exits 0 when
 * every call returned its parent's pid.
 */
static int getppid_in_child(int n)
{
	pid_t parent = getpid(), pid;
	int i, status;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		for (i = 0; i < n; i++)
			if (rex_sys_getppid() != parent)
				_exit(1);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Offset and size of the field declared as @decl (e.g. "long id") in the
 * tracefs format file @path; 0 on success.
 */
static int format_field(const char *path, const char *decl, int *offset, int *size)
{
	char buf[8192], field[128];
	const char *p;
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	snprintf(field, sizeof(field), "field:%s;", decl);
	p = strstr(buf, field);
	if (!p)
		return -ENOENT;
	if (sscanf(p + strlen(field), " offset:%d; size:%d;", offset, size) != 2)
		return -EINVAL;
	return 0;
}

FIXTURE(trace) {
	struct rex_object *obj;
	struct rex_link *link;
	int pfd;
};

FIXTURE_SETUP(trace)
{
	const char *why = rex_unsupported();

	self->pfd = -1;
	if (why)
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(trace)
{
	rex_link__destroy(self->link);
	if (self->pfd >= 0)
		close(self->pfd);
	rex_object__close(self->obj);
}

/* kprobe on getppid counts exactly the calls of the target process. */
TEST_F(trace, kprobe_count)
{
	struct rex_program *prog;
	int counts, i;

	if (!rex_have_kprobe_pmu())
		SKIP(return, REX_NO_KPROBE_PMU);
	self->obj = rex_test_load_one(_metadata, kprobe_getppid_start, kprobe_getppid_end, &prog);
	rex_set_target(_metadata, self->obj);
	counts = rex_map_fd(_metadata, self->obj, "counts");

	self->link = rex_program__attach_kprobe(prog, false, KPROBE_FUNC);
	ASSERT_NE(NULL, self->link) TH_LOG("attach: %s", strerror(errno));
	for (i = 0; i < NR_CALLS; i++)
		rex_sys_getppid();
	/* Another process is not counted. */
	ASSERT_EQ(0, getppid_in_child(NR_CALLS));
	EXPECT_EQ(NR_CALLS, rex_array_get(_metadata, counts, 0));

	ASSERT_EQ(0, rex_link__destroy(self->link));
	self->link = NULL;
	for (i = 0; i < NR_CALLS; i++)
		rex_sys_getppid();
	EXPECT_EQ(NR_CALLS, rex_array_get(_metadata, counts, 0));
}

/* bpf_override_return() makes getppid fail with EPERM, only for the target. */
TEST_F(trace, kprobe_override_return)
{
	struct rex_program *prog;
	long ppid, ret;
	int counts, i;

	if (!rex_have_kprobe_pmu())
		SKIP(return, REX_NO_KPROBE_PMU);
	self->obj = rex_test_load_one(_metadata, kprobe_override_start, kprobe_override_end, &prog);
	rex_set_target(_metadata, self->obj);
	counts = rex_map_fd(_metadata, self->obj, "counts");
	ppid = rex_sys_getppid();
	ASSERT_LT(0, ppid);

	self->link = rex_program__attach_kprobe(prog, false, KPROBE_FUNC);
	ASSERT_NE(NULL, self->link) TH_LOG("attach: %s", strerror(errno));
	for (i = 0; i < NR_CALLS; i++) {
		errno = 0;
		ret = rex_sys_getppid();
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EPERM, errno);
	}
	/* Another process gets its real parent. */
	EXPECT_EQ(0, getppid_in_child(NR_CALLS));
	EXPECT_EQ(NR_CALLS, rex_array_get(_metadata, counts, 0));

	ASSERT_EQ(0, rex_link__destroy(self->link));
	self->link = NULL;
	for (i = 0; i < NR_CALLS; i++)
		EXPECT_EQ(ppid, rex_sys_getppid());
	EXPECT_EQ(NR_CALLS, rex_array_get(_metadata, counts, 0));
}

/* raw_syscalls:sys_enter counts the getppid calls of the target process. */
TEST_F(trace, tracepoint_sys_enter)
{
	struct rex_program *prog;
	int counts, i, off, size;
	const char *tracefs;
	char path[256];

	tracefs = rex_tracefs_dir();
	if (!tracefs)
		SKIP(return, "no tracefs (CONFIG_FTRACE)");
	snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_enter/format", tracefs);
	if (access(path, F_OK))
		SKIP(return, "no raw_syscalls:sys_enter (CONFIG_FTRACE_SYSCALLS)");
	/* The program's view of the record must be the kernel's. */
	ASSERT_EQ(0, format_field(path, "long id", &off, &size));
	ASSERT_EQ(8, off);
	ASSERT_EQ(8, size);
	ASSERT_EQ(0, format_field(path, "unsigned long args[6]", &off, &size));
	ASSERT_EQ(16, off);
	ASSERT_EQ(48, size);

	self->obj = rex_test_load_one(_metadata, tp_sys_enter_start, tp_sys_enter_end, &prog);
	rex_set_target(_metadata, self->obj);
	counts = rex_map_fd(_metadata, self->obj, "counts");

	self->link = rex_program__attach_tracepoint(prog, "raw_syscalls", "sys_enter");
	ASSERT_NE(NULL, self->link) TH_LOG("attach: %s", strerror(errno));
	for (i = 0; i < NR_CALLS; i++)
		rex_sys_getppid();
	ASSERT_EQ(0, getppid_in_child(NR_CALLS));
	EXPECT_EQ(NR_CALLS, rex_array_get(_metadata, counts, 0));

	ASSERT_EQ(0, rex_link__destroy(self->link));
	self->link = NULL;
	for (i = 0; i < NR_CALLS; i++)
		rex_sys_getppid();
	EXPECT_EQ(NR_CALLS, rex_array_get(_metadata, counts, 0));
}

/*
 * A software cpu-clock event on this CPU samples the busy loop; each
 * sample is counted and its user stack stored in a stack trace map.
 */
TEST_F(trace, perf_event_cpu_clock)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1000000,	/* ns: 1 kHz */
		.disabled = 1,
	};
	__u64 samples, ok, err, ips[REX_PERF_STACK_DEPTH];
	struct rex_program *prog;
	int counts, stacks, cpu;
	__u32 id;

	cpu = sched_getcpu();
	ASSERT_LE(0, cpu);
	ASSERT_EQ(0, rex_pin_to(cpu));
	self->pfd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (self->pfd < 0 && (errno == ENOENT || errno == EOPNOTSUPP))
		SKIP(return, "no software perf events (CONFIG_PERF_EVENTS)");
	ASSERT_LE(0, self->pfd) TH_LOG("perf_event_open: %s", strerror(errno));

	self->obj = rex_test_load_one(_metadata, perf_clock_start, perf_clock_end, &prog);
	counts = rex_map_fd(_metadata, self->obj, "counts");
	stacks = rex_map_fd(_metadata, self->obj, "stacks");

	/* The event stays ours: it keeps firing after the link is gone. */
	self->link = rex_program__attach_perf_event(prog, self->pfd);
	ASSERT_NE(NULL, self->link) TH_LOG("attach: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->pfd, PERF_EVENT_IOC_ENABLE, 0));
	rex_spin_ms(300);
	ASSERT_EQ(0, rex_link__destroy(self->link));
	self->link = NULL;

	samples = rex_array_get(_metadata, counts, REX_PERF_SAMPLES);
	ok = rex_array_get(_metadata, counts, REX_PERF_STACK_OK);
	err = rex_array_get(_metadata, counts, REX_PERF_STACK_ERR);
	TH_LOG("%llu samples, %llu stacks, %llu without stack",
	       (unsigned long long)samples, (unsigned long long)ok,
	       (unsigned long long)err);
	EXPECT_LT(0, samples);
	EXPECT_EQ(samples, ok + err);
	ASSERT_LT(0, ok);
	/* The last recorded stack is in the map and starts at a user address. */
	id = rex_array_get(_metadata, counts, REX_PERF_LAST_ID);
	memset(ips, 0, sizeof(ips));
	ASSERT_EQ(0, rex_map_lookup_elem(stacks, &id, ips)) TH_LOG("stack id %u", id);
	EXPECT_NE(0, ips[0]);
	EXPECT_GT(0x800000000000ULL, ips[0]);

	/* Detached: the event still fires, the program no longer runs. */
	rex_spin_ms(100);
	EXPECT_EQ(samples, rex_array_get(_metadata, counts, REX_PERF_SAMPLES));
}

/*
 * Load one image with fewer map fds than it describes maps: the kernel
 * cannot bind every map and must refuse the load, saying why.  With all
 * fds the same load succeeds.
 */
TEST(fd_array_too_short)
{
	struct rex_prog_load_opts opts;
	struct rex_object *obj;
	const struct rex_map *map;
	const char *why = rex_unsupported();
	size_t len = kprobe_getppid_end - kprobe_getppid_start;
	int fds[2], n = 0, fd, cnt;
	char want[128];

	if (why)
		SKIP(return, "%s", why);
	obj = rex_object__open_mem(kprobe_getppid_start, len);
	ASSERT_NE(NULL, obj) TH_LOG("open: %s", strerror(errno));
	for (map = rex_object__next_map(obj, NULL); map; map = rex_object__next_map(obj, map)) {
		ASSERT_GT(2, n);
		fds[n] = rex_map_create(rex_map__def(map));
		ASSERT_LE(0, fds[n]) TH_LOG("map %s: %s", rex_map__name(map),
					    strerror(-fds[n]));
		n++;
	}
	ASSERT_EQ(2, n);

	for (cnt = 0; cnt <= n; cnt++) {
		memset(&opts, 0, sizeof(opts));
		opts.sz = sizeof(opts);
		opts.fd_array = cnt ? fds : NULL;
		opts.fd_array_cnt = cnt;
		opts.log_buf = log_buf;
		opts.log_size = sizeof(log_buf);
		log_buf[0] = '\0';
		fd = rex_prog_load(BPF_PROG_TYPE_KPROBE, kprobe_getppid_start, len,
				   "rex_kprobe_getppid", &opts);
		if (cnt == n) {
			EXPECT_LE(0, fd) TH_LOG("load with all maps: %s: %s",
						strerror(-fd), log_buf);
		} else {
			EXPECT_EQ(-EINVAL, fd) TH_LOG("%d of %d maps: %s", cnt, n, log_buf);
			snprintf(want, sizeof(want),
				 "rex: fd_array has %d entries, the image describes %d maps",
				 cnt, n);
			EXPECT_NE(NULL, strstr(log_buf, want))
				TH_LOG("log '%s' lacks '%s'", log_buf, want);
		}
		if (fd >= 0)
			close(fd);
	}
	close(fds[0]);
	close(fds[1]);
	rex_object__close(obj);
}

/* The XDP program counts and judges frames run through BPF_PROG_TEST_RUN. */
TEST(xdp_test_run)
{
	static const struct {
		unsigned short ethertype;
		unsigned int verdict;
	} cases[] = {
		{ REX_ETH_PASS, XDP_PASS },
		{ REX_ETH_DROP, XDP_DROP },
		{ 0x0800, XDP_PASS },
		{ REX_ETH_PASS, XDP_PASS },
		{ REX_ETH_DROP, XDP_DROP },
		{ REX_ETH_PASS, XDP_PASS },
	};
	const char *why = rex_unsupported();
	unsigned char pkt[FRAME_LEN];
	struct rex_program *prog;
	struct rex_object *obj;
	unsigned int i, retval;
	int counts;

	if (why)
		SKIP(return, "%s", why);
	obj = rex_test_load_one(_metadata, xdp_count_start, xdp_count_end, &prog);
	counts = rex_map_fd(_metadata, obj, "counts");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(pkt, 0, sizeof(pkt));
		memset(pkt, 0xff, ETH_ALEN);
		pkt[12] = cases[i].ethertype >> 8;
		pkt[13] = cases[i].ethertype & 0xff;
		retval = ~0U;
		ASSERT_EQ(0, rex_test_run(rex_program__fd(prog), pkt, sizeof(pkt), &retval))
			TH_LOG("test run: %s", strerror(errno));
		EXPECT_EQ(cases[i].verdict, retval)
			TH_LOG("ethertype %#06x", cases[i].ethertype);
	}
	EXPECT_EQ(3, hash_get(_metadata, counts, REX_ETH_PASS));
	EXPECT_EQ(2, hash_get(_metadata, counts, REX_ETH_DROP));
	EXPECT_EQ(1, hash_get(_metadata, counts, 0x0800));
	EXPECT_EQ(0, hash_get(_metadata, counts, REX_ETH_RUNT));
	rex_object__close(obj);
}

/* Where a network test attaches its program. */
enum net_mode {
	XDP_GENERIC,
	XDP_NATIVE,
	XDP_LINK,
	TCX_INGRESS,
	TCX_EGRESS,
	CLS_BPF_INGRESS,
	CLS_BPF_EGRESS,
};

#define TC_PRIO		1
#define TC_HANDLE	1

/*
 * A veth pair in a private network namespace: frames are sent from "tx"
 * and arrive on "rx".  XDP and ingress programs run on rx, egress
 * programs on tx.
 */
struct net_env {
	int rx, tx;
	int send_fd;
	struct rex_object *obj;
	struct rex_program *prog;
	struct rex_link *link;
};

FIXTURE(net) {
	struct net_env env;
};

FIXTURE_VARIANT(net) {
	enum net_mode mode;
};

FIXTURE_VARIANT_ADD(net, xdp_generic) {
	.mode = XDP_GENERIC,
};

FIXTURE_VARIANT_ADD(net, xdp_native) {
	.mode = XDP_NATIVE,
};

FIXTURE_VARIANT_ADD(net, xdp_link) {
	.mode = XDP_LINK,
};

FIXTURE_VARIANT_ADD(net, tcx_ingress) {
	.mode = TCX_INGRESS,
};

FIXTURE_VARIANT_ADD(net, tcx_egress) {
	.mode = TCX_EGRESS,
};

FIXTURE_VARIANT_ADD(net, cls_bpf_ingress) {
	.mode = CLS_BPF_INGRESS,
};

FIXTURE_VARIANT_ADD(net, cls_bpf_egress) {
	.mode = CLS_BPF_EGRESS,
};

static bool is_xdp(enum net_mode mode)
{
	return mode == XDP_GENERIC || mode == XDP_NATIVE || mode == XDP_LINK;
}

static __u32 xdp_flags(enum net_mode mode)
{
	return mode == XDP_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

FIXTURE_SETUP(net)
{
	const char *why = rex_unsupported();
	struct net_env *env = &self->env;
	int err;

	env->send_fd = -1;
	if (why)
		SKIP(return, "%s", why);
	err = rex_net_enter_netns();
	if (err == -EINVAL)
		SKIP(return, "no network namespaces (CONFIG_NET_NS)");
	ASSERT_EQ(0, err) TH_LOG("unshare: %s", strerror(-err));
	err = rex_veth_setup("rexrx", "rextx", &env->rx, &env->tx);
	if (err == -EOPNOTSUPP)
		SKIP(return, "no veth devices (CONFIG_VETH)");
	ASSERT_EQ(0, err) TH_LOG("veth setup: %s", strerror(-err));
	env->send_fd = rex_packet_socket(env->tx, 0);
	if (env->send_fd == -EAFNOSUPPORT)
		SKIP(return, "no packet sockets (CONFIG_PACKET)");
	ASSERT_LE(0, env->send_fd) TH_LOG("packet socket: %s", strerror(-env->send_fd));
}

FIXTURE_TEARDOWN(net)
{
	struct net_env *env = &self->env;

	/* The namespace, and what is attached in it, dies with this process. */
	rex_link__destroy(env->link);
	if (env->send_fd >= 0)
		close(env->send_fd);
	rex_object__close(env->obj);
}

static void net_attach(struct __test_metadata *_metadata, struct net_env *env,
		       enum net_mode mode)
{
	int fd = rex_program__fd(env->prog);
	struct bpf_prog_info info;
	__u32 id = 0, len = sizeof(info);
	int err = 0;

	switch (mode) {
	case XDP_GENERIC:
	case XDP_NATIVE:
		err = rex_xdp_attach(env->rx, fd, xdp_flags(mode));
		ASSERT_EQ(0, err) TH_LOG("XDP attach: %s", strerror(-err));
		/* Attached in the mode asked for, and it is this program. */
		memset(&info, 0, sizeof(info));
		ASSERT_EQ(0, rex_prog_get_info(fd, &info, &len));
		ASSERT_EQ(0, rex_xdp_query_id(env->rx, xdp_flags(mode), &id));
		EXPECT_EQ(info.id, id);
		return;
	case XDP_LINK:
		env->link = rex_program__attach_xdp(env->prog, env->rx);
		break;
	case TCX_INGRESS:
		env->link = rex_program__attach_tcx(env->prog, env->rx, BPF_TCX_INGRESS);
		break;
	case TCX_EGRESS:
		env->link = rex_program__attach_tcx(env->prog, env->tx, BPF_TCX_EGRESS);
		break;
	case CLS_BPF_INGRESS:
	case CLS_BPF_EGRESS:
		err = rex_tc_attach(mode == CLS_BPF_INGRESS ? env->rx : env->tx,
				    mode == CLS_BPF_INGRESS, fd, TC_PRIO, TC_HANDLE);
		ASSERT_EQ(0, err) TH_LOG("tc attach: %s", strerror(-err));
		return;
	}
	ASSERT_NE(NULL, env->link) TH_LOG("attach: %s", strerror(errno));
}

static void net_detach(struct __test_metadata *_metadata, struct net_env *env,
		       enum net_mode mode)
{
	__u32 id = ~0U;

	switch (mode) {
	case XDP_GENERIC:
	case XDP_NATIVE:
		ASSERT_EQ(0, rex_xdp_detach(env->rx, xdp_flags(mode)));
		ASSERT_EQ(0, rex_xdp_query_id(env->rx, xdp_flags(mode), &id));
		EXPECT_EQ(0, id);
		break;
	case CLS_BPF_INGRESS:
	case CLS_BPF_EGRESS:
		ASSERT_EQ(0, rex_tc_detach(mode == CLS_BPF_INGRESS ? env->rx : env->tx,
					   mode == CLS_BPF_INGRESS, TC_PRIO, TC_HANDLE));
		break;
	default:
		ASSERT_EQ(0, rex_link__destroy(env->link));
		env->link = NULL;
		break;
	}
}

/*
 * Send NR_DROP frames of REX_ETH_DROP, then NR_PASS of REX_ETH_PASS, from
 * tx, and count how many of each arrive on rx.  The passed frames come
 * last, so once they are in, dropped frames that were let through would
 * be in too.
 */
static void net_traffic(struct __test_metadata *_metadata, struct net_env *env,
			int *passed, int *dropped)
{
	int pass_fd, drop_fd, sent;

	pass_fd = rex_packet_socket(env->rx, REX_ETH_PASS);
	ASSERT_LE(0, pass_fd) TH_LOG("packet socket: %s", strerror(-pass_fd));
	drop_fd = rex_packet_socket(env->rx, REX_ETH_DROP);
	ASSERT_LE(0, drop_fd) TH_LOG("packet socket: %s", strerror(-drop_fd));

	/* A frame shot at tx egress is refused with ENOBUFS: not counted here. */
	sent = rex_send_frames(env->send_fd, env->tx, REX_ETH_DROP, FRAME_LEN, NR_DROP);
	ASSERT_LE(0, sent) TH_LOG("send: %s", strerror(-sent));
	sent = rex_send_frames(env->send_fd, env->tx, REX_ETH_PASS, FRAME_LEN, NR_PASS);
	ASSERT_EQ(NR_PASS, sent) TH_LOG("send: %s", strerror(-sent));

	*passed = rex_count_frames(pass_fd, 300);
	*dropped = rex_count_frames(drop_fd, 100);
	ASSERT_LE(0, *passed);
	ASSERT_LE(0, *dropped);
	close(pass_fd);
	close(drop_fd);
}

/*
 * The program counts the frames of each ethertype and drops REX_ETH_DROP:
 * those never arrive while it is attached, and do once it is detached.
 */
TEST_F(net, count_and_drop)
{
	struct net_env *env = &self->env;
	int counts, passed, dropped;

	if (is_xdp(variant->mode))
		env->obj = rex_test_load_one(_metadata, xdp_count_start, xdp_count_end, &env->prog);
	else
		env->obj = rex_test_load_one(_metadata, tc_count_start, tc_count_end, &env->prog);
	counts = rex_map_fd(_metadata, env->obj, "counts");

	net_attach(_metadata, env, variant->mode);
	net_traffic(_metadata, env, &passed, &dropped);
	EXPECT_EQ(NR_PASS, passed);
	EXPECT_EQ(0, dropped);
	EXPECT_EQ(NR_PASS, hash_get(_metadata, counts, REX_ETH_PASS));
	EXPECT_EQ(NR_DROP, hash_get(_metadata, counts, REX_ETH_DROP));
	EXPECT_EQ(0, hash_get(_metadata, counts, REX_ETH_RUNT));

	net_detach(_metadata, env, variant->mode);
	net_traffic(_metadata, env, &passed, &dropped);
	EXPECT_EQ(NR_PASS, passed);
	EXPECT_EQ(NR_DROP, dropped);
	EXPECT_EQ(NR_PASS, hash_get(_metadata, counts, REX_ETH_PASS));
	EXPECT_EQ(NR_DROP, hash_get(_metadata, counts, REX_ETH_DROP));
}

TEST_HARNESS_MAIN
