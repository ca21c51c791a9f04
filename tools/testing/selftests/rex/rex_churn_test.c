// SPDX-License-Identifier: GPL-2.0
/*
 * Rex churn test: one worker thread per online CPU, pinned to it, runs its
 * share of NR_CYCLES cycles of open, load, attach, trigger, check, detach
 * and close of a Rex image, rotating through kprobe, tracepoint,
 * BPF_PROG_TEST_RUN, XDP on a veth and tcx on a veth.  Afterwards the
 * process's fds, the system's BPF programs and maps, the BPF program
 * symbols in /proc/kallsyms and the BPF part of vmalloc memory must be back
 * at their values from before the churn.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>

#include "rex_test.h"
#include "rex_net.h"
#include "progs/attach_common.h"

REX_IMAGE(kprobe_getppid);
REX_IMAGE(tp_sys_enter);
REX_IMAGE(xdp_count);
REX_IMAGE(tc_count);

/* Load+attach+run+detach+unload cycles, split among the workers. */
#define NR_CYCLES	1000
#define MAX_WORKERS	32

/* getppid calls per trigger of a kprobe or tracepoint program. */
#define NR_CALLS	5
/* Frames of each ethertype per run of an XDP or tc program. */
#define NR_PASS		2
#define NR_DROP		1
#define FRAME_LEN	60

/* How long a veth program may take to see its frames. */
#define NET_WAIT_MS	2000
/*
 * How long the deferred frees (RCU callback, workqueue, synchronize_rcu()
 * in rex_prog_free()) may take to bring the counts back after the churn.
 */
#define SETTLE_MS	10000
#define POLL_MS		20
#define PRIME_POLLS	10

/*
 * Tolerance for the bytes of vmalloc areas allocated by the BPF core
 * (struct bpf_prog, Rex images through bpf_jit_alloc_exec(), large maps).
 * The count is system wide, so another BPF user may allocate meanwhile; 64
 * KiB is 16 pages, the struct bpf_prog page and image pages of a handful of
 * programs.  A leak that grows with the churn is at least a page per cycle
 * of its kind, hundreds of pages after 200 cycles, and a single leaked
 * program or image is caught exactly by the program, symbol and image
 * counts.
 */
#define BPF_VMALLOC_SLACK	(64 * 1024)
/*
 * Tolerance for VmallocUsed of /proc/meminfo, in kB, after discounting
 * growth of KernelStack (the workqueue may start kworkers to run the
 * deferred frees; they idle for minutes, and with CONFIG_VMAP_STACK their
 * stacks are vmalloc memory).  VmallocUsed also holds stacks kept in the
 * per-CPU stack cache (not KernelStack), kprobe instruction pages the
 * kprobes core keeps, and whatever the rest of the system vmallocs.  Each
 * Rex cycle vmallocs at least three pages (struct bpf_prog, the image's
 * text and data), 12 MB for the whole churn, so 1 MiB still catches a leak
 * in one cycle of ten.
 */
#define VMALLOC_SLACK_KB	1024

#define KPROBE_FUNC	"__x64_sys_getppid"

enum kind {
	KIND_KPROBE,
	KIND_TRACEPOINT,
	KIND_XDP_TEST_RUN,
	KIND_XDP_VETH,
	KIND_TCX,
	NR_KINDS,
};

static const struct {
	const char *name;
	const unsigned char *start, *end;
} kinds[NR_KINDS] = {
	[KIND_KPROBE] = { "kprobe", kprobe_getppid_start, kprobe_getppid_end },
	[KIND_TRACEPOINT] = { "tracepoint", tp_sys_enter_start, tp_sys_enter_end },
	[KIND_XDP_TEST_RUN] = { "xdp_test_run", xdp_count_start, xdp_count_end },
	[KIND_XDP_VETH] = { "xdp_veth", xdp_count_start, xdp_count_end },
	[KIND_TCX] = { "tcx_veth", tc_count_start, tc_count_end },
};

/*
 * A worker thread.  Workers report failures here, never through the
 * harness: an ASSERT in a thread would abort the whole test process.
 */
struct worker {
	pthread_t thread;
	int id;
	int cpu;
	unsigned int cycles;		/* cycles to run */
	int rx, tx;			/* this worker's veth pair */
	int send_fd;			/* packet socket on tx */
	unsigned int done[NR_KINDS];	/* cycles completed per kind */
	unsigned int silent;		/* kprobe cycles that started silent */
	int err;			/* first failure, a negative errno */
	unsigned int fail_cycle;
	enum kind fail_kind;		/* NR_KINDS: before the first cycle */
	char msg[512];
};

/*
 * The kprobe and tracepoint programs count the getppid calls of the whole
 * process, so those of every worker.  A worker counts its calls between two
 * reads of its map with this lock held, and no thread calls getppid without
 * it: then the difference is its own calls.
 */
static pthread_mutex_t trigger_lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * Kprobe cycles of different workers do not overlap: perf kprobes of two
 * workers on the same function share one aggregated kprobe, and while one
 * worker registers or unregisters its probe the other's hits can be missed
 * by the kprobe layer (seen once as 0 of 5 calls counted), which is not
 * what this test is about.
 */
static pthread_mutex_t kprobe_lock = PTHREAD_MUTEX_INITIALIZER;
/* Set on the first failure to stop the other workers early. */
static int stop_workers;

static __printf(3, 4) int fail(struct worker *w, int err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		err = -EIO;
	if (!w->err) {
		w->err = err;
		va_start(ap, fmt);
		vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
		va_end(ap);
	}
	__atomic_store_n(&stop_workers, 1, __ATOMIC_RELAXED);
	return err;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Value at @key of a u64 hash map, 0 when the key is absent. */
static int hash_get(int fd, __u32 key, __u64 *value)
{
	int err;

	*value = 0;
	err = rex_map_lookup_elem(fd, &key, value);
	return err == -ENOENT ? 0 : err;
}

/* Call getppid NR_CALLS times; @delta is how many the program of @counts saw. */
static int count_getppid(struct worker *w, int counts, __u64 *delta)
{
	__u64 before = 0, after = 0;
	__u32 zero = 0;
	int err, i;

	pthread_mutex_lock(&trigger_lock);
	err = rex_map_lookup_elem(counts, &zero, &before);
	for (i = 0; !err && i < NR_CALLS; i++)
		if (syscall(__NR_getppid) < 0)
			err = -errno;
	if (!err)
		err = rex_map_lookup_elem(counts, &zero, &after);
	pthread_mutex_unlock(&trigger_lock);
	if (err)
		return fail(w, err, "getppid or counts lookup: %s", strerror(-err));
	*delta = after - before;
	return 0;
}

/*
 * A perf kprobe on getppid attached right after the previous one was
 * removed is sometimes silent for a moment: its first calls are not seen
 * at all (0 of 5 counted, with no recursion miss, timeout or panic: the
 * program was never called), which is the kprobe layer's doing, not what
 * this test is about.  Call getppid until the program counts one, for at
 * most a second, before counting exactly; the cycles that needed it are
 * reported.
 */
static int kprobe_live(struct worker *w, int counts)
{
	__u64 before = 0, now = 0;
	__u32 zero = 0;
	int err, i;

	for (i = 0; i < 100; i++) {
		pthread_mutex_lock(&trigger_lock);
		err = rex_map_lookup_elem(counts, &zero, &before);
		if (!err && syscall(__NR_getppid) < 0)
			err = -errno;
		if (!err)
			err = rex_map_lookup_elem(counts, &zero, &now);
		pthread_mutex_unlock(&trigger_lock);
		if (err)
			return fail(w, err, "getppid or counts lookup: %s", strerror(-err));
		if (now != before) {
			w->silent += i > 0;
			return 0;
		}
		usleep(10000);
	}
	return fail(w, -EIO, "kprobe attached but silent for a second: the program never ran");
}

/*
 * kprobe on getppid or raw_syscalls:sys_enter: while attached the program
 * counts every getppid call of this process, after detach none.
 */
static int run_trace(struct worker *w, struct rex_object *obj, struct rex_program *prog,
		     enum kind kind)
{
	__u64 tgid = getpid(), delta;
	struct rex_link *link;
	int target, counts, err, ret;
	__u32 zero = 0;

	target = rex_object__find_map_fd_by_name(obj, "target");
	counts = rex_object__find_map_fd_by_name(obj, "counts");
	if (target < 0 || counts < 0)
		return fail(w, -ENOENT, "no map target or counts");
	err = rex_map_update_elem(target, &zero, &tgid, BPF_ANY);
	if (err)
		return fail(w, err, "set target: %s", strerror(-err));

	if (kind == KIND_KPROBE) {
		pthread_mutex_lock(&kprobe_lock);
		link = rex_program__attach_kprobe(prog, false, KPROBE_FUNC);
	} else {
		link = rex_program__attach_tracepoint(prog, "raw_syscalls", "sys_enter");
	}
	if (!link) {
		err = fail(w, -errno, "attach: %s", strerror(errno));
		if (kind == KIND_KPROBE)
			pthread_mutex_unlock(&kprobe_lock);
		return err;
	}
	err = kind == KIND_KPROBE ? kprobe_live(w, counts) : 0;
	if (!err)
		err = count_getppid(w, counts, &delta);
	if (!err && delta != NR_CALLS) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		/* Why: runs the program missed, or left early. */
		rex_prog_get_info(rex_program__fd(prog), &info, &len);
		err = fail(w, -EIO,
			   "attached: %llu of %d getppid calls counted (%llu recursion misses; %lld timeouts, %lld panics)",
			   (unsigned long long)delta, NR_CALLS,
			   (unsigned long long)info.recursion_misses,
			   rex_fdinfo_value(rex_program__fd(prog), "rex_timeouts"),
			   rex_fdinfo_value(rex_program__fd(prog), "rex_panics"));
	}
	ret = rex_link__destroy(link);
	if (kind == KIND_KPROBE)
		pthread_mutex_unlock(&kprobe_lock);
	if (ret && !err)
		err = fail(w, ret, "detach: %s", strerror(-ret));
	if (err)
		return err;

	err = count_getppid(w, counts, &delta);
	if (!err && delta)
		err = fail(w, -EIO, "detached: %llu getppid calls counted",
			   (unsigned long long)delta);
	return err;
}

/*
 * Wait up to @wait_ms until the counts map of xdp_count or tc_count holds
 * exactly NR_PASS and NR_DROP frames and nothing else we know of.
 */
static int check_frame_counts(struct worker *w, int counts, long wait_ms)
{
	__u64 pass, drop, runt;
	struct timespec start;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		err = hash_get(counts, REX_ETH_PASS, &pass);
		if (!err)
			err = hash_get(counts, REX_ETH_DROP, &drop);
		if (!err)
			err = hash_get(counts, REX_ETH_RUNT, &runt);
		if (err)
			return fail(w, err, "counts lookup: %s", strerror(-err));
		if (pass == NR_PASS && drop == NR_DROP && !runt)
			return 0;
		if (pass > NR_PASS || drop > NR_DROP || runt || rex_ms_since(&start) >= wait_ms)
			return fail(w, -EIO, "counted %llu/%d passed, %llu/%d dropped, %llu runts",
				    (unsigned long long)pass, NR_PASS,
				    (unsigned long long)drop, NR_DROP,
				    (unsigned long long)runt);
		sleep_ms(1);
	}
}

/* BPF_PROG_TEST_RUN of xdp_count: verdicts and counts. */
static int run_xdp_test(struct worker *w, struct rex_object *obj, struct rex_program *prog)
{
	static const unsigned short types[NR_PASS + NR_DROP] = {
		REX_ETH_PASS, REX_ETH_DROP, REX_ETH_PASS,
	};
	unsigned char pkt[FRAME_LEN];
	unsigned int i, retval, want;
	int counts;

	counts = rex_object__find_map_fd_by_name(obj, "counts");
	if (counts < 0)
		return fail(w, counts, "no map counts");
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		memset(pkt, 0, sizeof(pkt));
		memset(pkt, 0xff, ETH_ALEN);
		pkt[12] = types[i] >> 8;
		pkt[13] = types[i] & 0xff;
		retval = ~0U;
		if (rex_test_run(rex_program__fd(prog), pkt, sizeof(pkt), &retval))
			return fail(w, -errno, "test run: %s", strerror(errno));
		want = types[i] == REX_ETH_DROP ? XDP_DROP : XDP_PASS;
		if (retval != want)
			return fail(w, -EIO, "verdict %u for ethertype %#06x, want %u",
				    retval, types[i], want);
	}
	return check_frame_counts(w, counts, 0);
}

/* Send @count frames of @ethertype from the worker's tx veth. */
static int send_frames(struct worker *w, unsigned short ethertype, int count)
{
	int sent;

	sent = rex_send_frames(w->send_fd, w->tx, ethertype, FRAME_LEN, count);
	if (sent < 0)
		return fail(w, sent, "send: %s", strerror(-sent));
	if (sent != count)
		return fail(w, -EIO, "send: %d of %d frames of %#06x sent", sent, count,
			    ethertype);
	return 0;
}

/*
 * XDP link or tcx ingress link on the worker's rx veth: frames sent from
 * tx are counted by the program.
 */
static int run_veth(struct worker *w, struct rex_object *obj, struct rex_program *prog,
		    enum kind kind)
{
	struct rex_link *link;
	int counts, err, ret;

	counts = rex_object__find_map_fd_by_name(obj, "counts");
	if (counts < 0)
		return fail(w, counts, "no map counts");
	if (kind == KIND_XDP_VETH)
		link = rex_program__attach_xdp(prog, w->rx);
	else
		link = rex_program__attach_tcx(prog, w->rx, BPF_TCX_INGRESS);
	if (!link)
		return fail(w, -errno, "attach: %s", strerror(errno));

	err = send_frames(w, REX_ETH_DROP, NR_DROP);
	if (!err)
		err = send_frames(w, REX_ETH_PASS, NR_PASS);
	if (!err)
		err = check_frame_counts(w, counts, NET_WAIT_MS);

	ret = rex_link__destroy(link);
	if (ret && !err)
		err = fail(w, ret, "detach: %s", strerror(-ret));
	return err;
}

/* One cycle: open, load, attach, trigger, check, detach, close. */
static int churn_cycle(struct worker *w, enum kind kind)
{
	struct rex_program *prog;
	struct rex_object *obj;
	int err;

	obj = rex_object__open_mem(kinds[kind].start, kinds[kind].end - kinds[kind].start);
	if (!obj)
		return fail(w, -errno, "open: %s", strerror(errno));
	err = rex_object__load(obj);
	if (err) {
		fail(w, err, "load: %s: %s", strerror(-err), rex_object__log(obj));
		goto out;
	}
	prog = rex_object__next_program(obj, NULL);
	if (!prog || rex_program__fd(prog) < 0) {
		err = fail(w, -ENOENT, "no loaded program in the image");
		goto out;
	}
	switch (kind) {
	case KIND_KPROBE:
	case KIND_TRACEPOINT:
		err = run_trace(w, obj, prog, kind);
		break;
	case KIND_XDP_TEST_RUN:
		err = run_xdp_test(w, obj, prog);
		break;
	default:
		err = run_veth(w, obj, prog, kind);
		break;
	}
out:
	rex_object__close(obj);
	return err;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int i;
	enum kind kind;

	if (rex_pin_to(w->cpu)) {
		fail(w, -errno, "pinning to CPU %d: %s", w->cpu, strerror(errno));
		return NULL;
	}
	for (i = 0; i < w->cycles; i++) {
		if (__atomic_load_n(&stop_workers, __ATOMIC_RELAXED))
			break;
		/* Workers start at different kinds, so different kinds overlap. */
		kind = (w->id + i) % NR_KINDS;
		if (churn_cycle(w, kind)) {
			w->fail_cycle = i;
			w->fail_kind = kind;
			break;
		}
		w->done[kind]++;
	}
	return NULL;
}

/*
 * What must come back after the churn.  -1: not measured, the reason is
 * logged once.
 */
struct census {
	long fds;		/* entries of /proc/self/fd */
	long progs, maps;	/* BPF programs and maps in the system */
	long ksyms;		/* "bpf_prog_" symbols of [bpf] in /proc/kallsyms */
	long jit_areas;		/* /proc/vmallocinfo areas of bpf_jit_alloc_exec() */
	long bpf_vmalloc;	/* bytes of /proc/vmallocinfo areas of bpf_*() */
	long vmalloc_kb;	/* /proc/meminfo VmallocUsed */
	long stack_kb;		/* KernelStack */
	long slab_kb;		/* Slab */
	long avail_kb;		/* MemAvailable */
};

static long count_fds(void)
{
	struct dirent *de;
	long n = 0;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* BPF program symbols in /proc/kallsyms: "<addr> t bpf_prog_<tag>_<name>\t[bpf]". */
static long count_ksyms(void)
{
	size_t size = 0;
	char *line = NULL;
	long n = 0;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	while (getline(&line, &size, f) > 0)
		if (strstr(line, " bpf_prog_") && strstr(line, "\t[bpf]"))
			n++;
	free(line);
	fclose(f);
	return n;
}

/*
 * Areas of /proc/vmallocinfo ("<start>-<end> <size> <caller>+<off>/<len>
 * ..."): how many bpf_jit_alloc_exec() made, which is where Rex images are
 * mapped, and the bytes of all that a bpf_*() function made.
 */
static int scan_vmallocinfo(long *jit_areas, long *bpf_bytes)
{
	char caller[128], *line = NULL;
	size_t size = 0;
	long bytes;
	FILE *f;

	f = fopen("/proc/vmallocinfo", "re");
	if (!f)
		return -errno;
	*jit_areas = 0;
	*bpf_bytes = 0;
	while (getline(&line, &size, f) > 0) {
		if (sscanf(line, "%*s %ld %127s", &bytes, caller) != 2)
			continue;
		if (!strncmp(caller, "bpf_jit_alloc_exec+", strlen("bpf_jit_alloc_exec+")))
			(*jit_areas)++;
		if (!strncmp(caller, "bpf_", 4))
			*bpf_bytes += bytes;
	}
	free(line);
	fclose(f);
	return 0;
}

/* Value in kB of the line @key ("VmallocUsed:") of /proc/meminfo, -1 if absent. */
static long meminfo_kb(const char *key)
{
	size_t size = 0, len = strlen(key);
	char *line = NULL;
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	while (getline(&line, &size, f) > 0)
		if (!strncmp(line, key, len) && sscanf(line + len, "%ld", &kb) == 1)
			break;
	free(line);
	fclose(f);
	return kb;
}

/* Integer in the sysctl file @path, -1 if it cannot be read. */
static long read_long(const char *path)
{
	long val = -1;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/* The workers and what can be measured. */
struct churn_env {
	struct worker workers[MAX_WORKERS];
	int nr_workers;
	bool have_ksyms;	/* /proc/kallsyms lists the BPF programs */
	bool have_vmallocinfo;
	bool have_jit_areas;	/* Rex images show as bpf_jit_alloc_exec areas */
	bool have_meminfo;	/* VmallocUsed and KernelStack */
};

FIXTURE(churn) {
	struct churn_env env;
};

FIXTURE_SETUP(churn)
{
	const char *why = rex_unsupported();
	struct churn_env *env = &self->env;
	char path[256], rx[12], tx[12];
	long kallsyms, harden;
	const char *tracefs;
	struct worker *w;
	cpu_set_t cpus;
	int cpu, err, i;

	for (i = 0; i < MAX_WORKERS; i++)
		env->workers[i].send_fd = -1;
	if (why)
		SKIP(return, "%s", why);
	if (!rex_have_kprobe_pmu())
		SKIP(return, REX_NO_KPROBE_PMU);
	tracefs = rex_tracefs_dir();
	if (!tracefs)
		SKIP(return, "no tracefs (CONFIG_FTRACE)");
	snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_enter/id", tracefs);
	if (access(path, F_OK))
		SKIP(return, "no raw_syscalls:sys_enter (CONFIG_FTRACE_SYSCALLS)");

	/*
	 * The net.core.bpf_jit_* sysctls are those of the initial network
	 * namespace only: read them before leaving it.  With either setting
	 * the kernel hides BPF program symbols from /proc/kallsyms.
	 */
	env->have_ksyms = !access("/proc/kallsyms", R_OK);
	if (!env->have_ksyms)
		TH_LOG("no /proc/kallsyms: BPF program symbols not counted");
	kallsyms = read_long("/proc/sys/net/core/bpf_jit_kallsyms");
	harden = read_long("/proc/sys/net/core/bpf_jit_harden");
	if (env->have_ksyms && (!kallsyms || harden > 0)) {
		TH_LOG("BPF program symbols hidden by net.core.bpf_jit_*: not counted");
		env->have_ksyms = false;
	}
	env->have_vmallocinfo = !access("/proc/vmallocinfo", R_OK);
	if (!env->have_vmallocinfo)
		TH_LOG("no /proc/vmallocinfo: BPF vmalloc areas not counted");
	env->have_jit_areas = env->have_vmallocinfo;
	env->have_meminfo = meminfo_kb("VmallocUsed:") >= 0 && meminfo_kb("KernelStack:") >= 0;
	if (!env->have_meminfo)
		TH_LOG("no VmallocUsed or KernelStack in /proc/meminfo: not checked");

	/* One worker per CPU this process may run on. */
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(cpus), &cpus));
	for (cpu = 0; cpu < CPU_SETSIZE && env->nr_workers < MAX_WORKERS; cpu++) {
		if (!CPU_ISSET(cpu, &cpus))
			continue;
		w = &env->workers[env->nr_workers];
		w->id = env->nr_workers++;
		w->cpu = cpu;
	}
	ASSERT_LT(0, env->nr_workers);
	if (env->nr_workers < CPU_COUNT(&cpus))
		TH_LOG("%d CPUs, only %d workers", CPU_COUNT(&cpus), env->nr_workers);

	/*
	 * unshare(CLONE_NEWNET) moves only the calling thread; threads inherit
	 * the namespace of the thread that creates them.  So the namespace
	 * and a veth pair per worker are set up here, before any worker runs.
	 */
	err = rex_net_enter_netns();
	if (err == -EINVAL)
		SKIP(return, "no network namespaces (CONFIG_NET_NS)");
	ASSERT_EQ(0, err) TH_LOG("unshare: %s", strerror(-err));
	for (i = 0; i < env->nr_workers; i++) {
		w = &env->workers[i];
		snprintf(rx, sizeof(rx), "rexc%urx", (unsigned char)i);
		snprintf(tx, sizeof(tx), "rexc%utx", (unsigned char)i);
		err = rex_veth_setup(rx, tx, &w->rx, &w->tx);
		if (err == -EOPNOTSUPP)
			SKIP(return, "no veth devices (CONFIG_VETH)");
		ASSERT_EQ(0, err) TH_LOG("veth %s: %s", rx, strerror(-err));
		w->send_fd = rex_packet_socket(w->tx, 0);
		if (w->send_fd == -EAFNOSUPPORT)
			SKIP(return, "no packet sockets (CONFIG_PACKET)");
		ASSERT_LE(0, w->send_fd) TH_LOG("packet socket: %s", strerror(-w->send_fd));
	}
}

FIXTURE_TEARDOWN(churn)
{
	struct churn_env *env = &self->env;
	int i;

	/* The namespace and its veth pairs die with this process. */
	for (i = 0; i < MAX_WORKERS; i++)
		if (env->workers[i].send_fd >= 0)
			close(env->workers[i].send_fd);
}

/*
 * Run @total cycles on the workers, or with @total 0 one cycle of each
 * kind on each worker; wait for all of them.  Returns the failures.
 */
static int run_workers(struct __test_metadata *_metadata, struct churn_env *env,
		       unsigned int total)
{
	int i, n = env->nr_workers, started, err = 0, failed = 0;
	struct worker *w;

	__atomic_store_n(&stop_workers, 0, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++) {
		w = &env->workers[i];
		w->cycles = total ? total / n + ((unsigned int)i < total % n) : NR_KINDS;
		memset(w->done, 0, sizeof(w->done));
		w->silent = 0;
		w->err = 0;
		w->fail_cycle = 0;
		w->fail_kind = NR_KINDS;
		w->msg[0] = '\0';
	}
	for (started = 0; started < n; started++) {
		w = &env->workers[started];
		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			__atomic_store_n(&stop_workers, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	for (i = 0; i < started; i++)
		pthread_join(env->workers[i].thread, NULL);
	EXPECT_EQ(0, err) TH_LOG("pthread_create: %s", strerror(err));
	for (i = 0; i < started; i++) {
		w = &env->workers[i];
		if (!w->err)
			continue;
		failed++;
		TH_LOG("CPU %d, cycle %u (%s): %s", w->cpu, w->fail_cycle,
		       w->fail_kind < NR_KINDS ? kinds[w->fail_kind].name : "start", w->msg);
	}
	return failed + !!err;
}

static void census_take(struct __test_metadata *_metadata, struct churn_env *env,
			struct census *c, bool ksyms)
{
	int err;

	c->fds = count_fds();
	ASSERT_LE(0, c->fds) TH_LOG("/proc/self/fd: %s", strerror(-c->fds));
	c->progs = rex_count_ids(BPF_PROG_GET_NEXT_ID);
	ASSERT_LE(0, c->progs) TH_LOG("BPF_PROG_GET_NEXT_ID: %s", strerror(-c->progs));
	c->maps = rex_count_ids(BPF_MAP_GET_NEXT_ID);
	ASSERT_LE(0, c->maps) TH_LOG("BPF_MAP_GET_NEXT_ID: %s", strerror(-c->maps));
	c->ksyms = -1;
	if (env->have_ksyms && ksyms) {
		c->ksyms = count_ksyms();
		ASSERT_LE(0, c->ksyms) TH_LOG("/proc/kallsyms: %s", strerror(-c->ksyms));
	}
	c->jit_areas = -1;
	c->bpf_vmalloc = -1;
	if (env->have_vmallocinfo) {
		err = scan_vmallocinfo(&c->jit_areas, &c->bpf_vmalloc);
		ASSERT_EQ(0, err) TH_LOG("/proc/vmallocinfo: %s", strerror(-err));
		if (!env->have_jit_areas)
			c->jit_areas = -1;
	}
	c->vmalloc_kb = meminfo_kb("VmallocUsed:");
	c->stack_kb = meminfo_kb("KernelStack:");
	c->slab_kb = meminfo_kb("Slab:");
	c->avail_kb = meminfo_kb("MemAvailable:");
}

static void census_log(struct __test_metadata *_metadata, const char *what,
		       const struct census *c)
{
	TH_LOG("%s: %ld fds, %ld progs, %ld maps, %ld ksyms, %ld jit areas, %ld B bpf vmalloc",
	       what, c->fds, c->progs, c->maps, c->ksyms, c->jit_areas, c->bpf_vmalloc);
	TH_LOG("%s: VmallocUsed %ld kB, KernelStack %ld kB, Slab %ld kB, MemAvailable %ld kB",
	       what, c->vmalloc_kb, c->stack_kb, c->slab_kb, c->avail_kb);
}

/* VmallocUsed allowed after the churn: see VMALLOC_SLACK_KB. */
static long vmalloc_limit_kb(const struct census *base, const struct census *c)
{
	long stack_growth = c->stack_kb - base->stack_kb;

	return base->vmalloc_kb + VMALLOC_SLACK_KB + (stack_growth > 0 ? stack_growth : 0);
}

/*
 * Has every deferred free happened?  With @slack, the end of the churn:
 * the vmalloc counts may be up to their tolerance above @base.  Without,
 * the end of the warm-up, when @base is from before it and the baseline
 * of the churn is to be taken: exactly back, and VmallocUsed, which the
 * warm-up may grow for good, is not looked at.  Fewer JIT areas than in
 * @base is no leak: a free of the priming was still pending when @base was
 * taken.  fds are not deferred.
 */
static bool census_settled(struct churn_env *env, const struct census *base,
			   const struct census *c, bool slack)
{
	if (c->progs != base->progs || c->maps != base->maps)
		return false;
	if (env->have_jit_areas && c->jit_areas > base->jit_areas)
		return false;
	if (env->have_vmallocinfo &&
	    c->bpf_vmalloc > base->bpf_vmalloc + (slack ? BPF_VMALLOC_SLACK : 0))
		return false;
	if (slack && env->have_meminfo && c->vmalloc_kb > vmalloc_limit_kb(base, c))
		return false;
	return true;
}

/*
 * Poll until census_settled() and the symbols are back, for at most
 * SETTLE_MS; /proc/kallsyms, the slowest to read, only once the rest is.
 * Leaves the last census in @c and returns how long it waited in ms.
 */
static long census_wait(struct __test_metadata *_metadata, struct churn_env *env,
			const struct census *base, struct census *c, bool slack)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		census_take(_metadata, env, c, false);
		if (census_settled(env, base, c, slack)) {
			census_take(_metadata, env, c, true);
			if (census_settled(env, base, c, slack) && c->ksyms == base->ksyms)
				break;
		}
		if (rex_ms_since(&start) >= SETTLE_MS) {
			census_take(_metadata, env, c, true);
			break;
		}
		sleep_ms(POLL_MS);
	}
	return rex_ms_since(&start);
}

/*
 * Prime the kernel: one cycle of each kind on every CPU, whose result is not
 * checked, because the first use of some things allocates what the kernel
 * then keeps for good: the XDP dispatcher's image (a 2 MiB program pack and
 * a page, at the first XDP run), kprobe instruction pages, the stack cache
 * of exited threads.  Then wait until the programs and maps are gone and
 * PRIME_POLLS polls in a row see the same census.
 */
static void census_prime(struct __test_metadata *_metadata, struct churn_env *env)
{
	struct census before, prev, c;
	struct timespec start;
	int steady = 0;

	census_take(_metadata, env, &before, false);
	ASSERT_EQ(0, run_workers(_metadata, env, 0));
	clock_gettime(CLOCK_MONOTONIC, &start);
	census_take(_metadata, env, &prev, false);
	while (steady < PRIME_POLLS && rex_ms_since(&start) < SETTLE_MS) {
		sleep_ms(POLL_MS);
		census_take(_metadata, env, &c, false);
		if (c.progs == before.progs && c.maps == before.maps &&
		    c.jit_areas == prev.jit_areas && c.bpf_vmalloc == prev.bpf_vmalloc)
			steady++;
		else
			steady = 0;
		prev = c;
	}
	TH_LOG("primed in %ld ms", rex_ms_since(&start));
}

/*
 * Each count must see a loaded program, or its check after the churn could
 * not fail: load kprobe_getppid and compare with @base.
 */
static void census_probe(struct __test_metadata *_metadata, struct churn_env *env,
			 const struct census *base)
{
	const struct rex_program *prog;
	const struct rex_map *map;
	struct rex_object *obj;
	long nr_progs = 0, nr_maps = 0;
	struct census c;
	int err;

	obj = rex_object__open_mem(kprobe_getppid_start,
				   kprobe_getppid_end - kprobe_getppid_start);
	ASSERT_NE(NULL, obj) TH_LOG("open: %s", strerror(errno));
	err = rex_object__load(obj);
	ASSERT_EQ(0, err) TH_LOG("load: %s: %s", strerror(-err), rex_object__log(obj));
	for (prog = rex_object__next_program(obj, NULL); prog;
	     prog = rex_object__next_program(obj, prog))
		nr_progs++;
	for (map = rex_object__next_map(obj, NULL); map; map = rex_object__next_map(obj, map))
		nr_maps++;
	census_take(_metadata, env, &c, true);
	census_log(_metadata, "one program loaded", &c);
	rex_object__close(obj);

	ASSERT_LT(0, nr_progs);
	ASSERT_LT(0, nr_maps);
	ASSERT_EQ(base->fds + nr_progs + nr_maps, c.fds);
	ASSERT_EQ(base->progs + nr_progs, c.progs);
	ASSERT_EQ(base->maps + nr_maps, c.maps);
	if (env->have_ksyms)
		ASSERT_EQ(base->ksyms + nr_progs, c.ksyms);
	if (env->have_vmallocinfo) {
		/* struct bpf_prog is vmalloc memory of bpf_prog_alloc_no_stats(). */
		ASSERT_LT(base->bpf_vmalloc, c.bpf_vmalloc);
		if (c.jit_areas != base->jit_areas + nr_progs) {
			TH_LOG("Rex images are not bpf_jit_alloc_exec() areas: not counted");
			env->have_jit_areas = false;
		}
	}
}

/* The fds of this process and what they are, to name a leaked one. */
static void log_fds(struct __test_metadata *_metadata)
{
	struct dirent *de;
	char target[256];
	ssize_t len;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		len = readlinkat(dirfd(dir), de->d_name, target, sizeof(target) - 1);
		target[len < 0 ? 0 : len] = '\0';
		TH_LOG("fd %s -> %s", de->d_name, target);
	}
	closedir(dir);
}

/*
 * NR_CYCLES cycles on all CPUs, then the fds, programs, maps, symbols and
 * BPF vmalloc memory are back where they were.  Under QEMU TCG with two
 * vCPUs the cycles take about a minute (each detach waits for RCU grace
 * periods); the limit leaves room for slower machines and stays below the
 * runner's timeout in "settings".
 */
TEST_F_TIMEOUT(churn, load_attach_run_unload, 280)
{
	unsigned int per_kind[NR_KINDS] = {}, total = 0;
	struct churn_env *env = &self->env;
	struct census pre, base, now;
	struct timespec start;
	long elapsed;
	int i, k;

	/*
	 * Warm up: after census_prime(), one more cycle of each kind must
	 * leave everything exactly as it was.  Wait for the frees of the
	 * warm-up before taking the baseline.
	 */
	census_prime(_metadata, env);
	census_take(_metadata, env, &pre, true);
	census_log(_metadata, "before warm-up", &pre);
	clock_gettime(CLOCK_MONOTONIC, &start);
	ASSERT_EQ(0, run_workers(_metadata, env, 0));
	TH_LOG("warm-up: %d workers, %d cycles each, %ld ms", env->nr_workers, NR_KINDS,
	       rex_ms_since(&start));
	elapsed = census_wait(_metadata, env, &pre, &base, false);
	census_log(_metadata, "baseline", &base);
	if (!census_settled(env, &pre, &base, false) || base.ksyms != pre.ksyms) {
		/* Not exactly back: go on if within the tolerance of the churn. */
		TH_LOG("the warm-up's frees did not all happen in %ld ms", elapsed);
		census_log(_metadata, "before warm-up", &pre);
		ASSERT_TRUE(census_settled(env, &pre, &base, true));
		ASSERT_EQ(pre.ksyms, base.ksyms);
	}
	TH_LOG("waited %ld ms for the warm-up's frees", elapsed);
	census_probe(_metadata, env, &base);

	clock_gettime(CLOCK_MONOTONIC, &start);
	EXPECT_EQ(0, run_workers(_metadata, env, NR_CYCLES));
	elapsed = rex_ms_since(&start);
	for (i = 0; i < env->nr_workers; i++) {
		unsigned int n = 0;

		for (k = 0; k < NR_KINDS; k++) {
			per_kind[k] += env->workers[i].done[k];
			n += env->workers[i].done[k];
		}
		TH_LOG("CPU %d: %u of %u cycles (%u kprobe cycles started silent)",
		       env->workers[i].cpu, n, env->workers[i].cycles, env->workers[i].silent);
	}
	for (k = 0; k < NR_KINDS; k++) {
		TH_LOG("%s: %u cycles", kinds[k].name, per_kind[k]);
		total += per_kind[k];
	}
	TH_LOG("%u cycles on %d CPUs in %ld ms", total, env->nr_workers, elapsed);
	EXPECT_EQ(NR_CYCLES, total);

	elapsed = census_wait(_metadata, env, &base, &now, true);
	TH_LOG("waited %ld ms for the deferred frees", elapsed);
	census_log(_metadata, "after", &now);
	if (base.slab_kb >= 0 && base.avail_kb >= 0)
		TH_LOG("Slab %+ld kB, MemAvailable %+ld kB (not checked)",
		       now.slab_kb - base.slab_kb, now.avail_kb - base.avail_kb);

	EXPECT_EQ(base.fds, now.fds)
		log_fds(_metadata);
	EXPECT_EQ(base.progs, now.progs);
	EXPECT_EQ(base.maps, now.maps);
	if (env->have_ksyms)
		EXPECT_EQ(base.ksyms, now.ksyms);
	if (env->have_jit_areas)
		EXPECT_EQ(base.jit_areas, now.jit_areas);
	if (env->have_vmallocinfo)
		EXPECT_GE(base.bpf_vmalloc + BPF_VMALLOC_SLACK, now.bpf_vmalloc);
	if (env->have_meminfo)
		EXPECT_GE(vmalloc_limit_kb(&base, &now), now.vmalloc_kb)
			TH_LOG("KernelStack %+ld kB", now.stack_kb - base.stack_kb);
}

TEST_HARNESS_MAIN
