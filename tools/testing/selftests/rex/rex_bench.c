// SPDX-License-Identifier: GPL-2.0
/*
 * Rex benchmark, run by "make bench" in the test VM: what Rex costs, side
 * by side with eBPF in the same boot.  The eBPF programs are C, built with
 * clang -target bpf and loaded with libbpf (progs/bench.bpf.c); each has a
 * Rex counterpart in C (progs/bench.c) and in safe Rust
 * (rust/rust_bench.rs).
 *
 *  - dispatch: the smallest XDP program, run by BPF_PROG_TEST_RUN (for
 *    Rex, the dispatcher: level, stack switch, entry state);
 *  - tracepoint, kprobe: the smallest tracing programs, on the tracepoint
 *    raw_syscalls:sys_enter and on a kprobe on __x64_sys_getppid(), hit by
 *    a loop of getppid() system calls: the cost per system call, and per
 *    event (less the same loop with no program);
 *  - helper call: an XDP program that counts in an array map through
 *    bpf_map_lookup_elem() (Rex: through the helper gate and wrapper;
 *    eBPF: the JIT inlines the array lookup);
 *  - map-lookup loop: an XDP program that sums the LOOP_N entries of an
 *    array map, a lookup each, and stores the sum (the outputs of all
 *    three are compared);
 *  - flows: an XDP program that counts the packets and bytes of each UDP
 *    flow in a hash map keyed by its 5-tuple, run over the frames of
 *    FLOWS flows in turn: a lookup and an update of the flow's entry per
 *    packet, an insert for the first (the counts of all three are
 *    compared);
 *  - TCP SYN options: an XDP program that takes the fingerprint of a SYN's
 *    options (progs/bench_parse.h: MSS, window scale, which options, their
 *    order), run over SYN_FRAMES frames of different option layouts in turn;
 *  - payload hash: an XDP program that hashes a UDP payload of HASH_BYTES
 *    bytes (FNV-1a, a byte at a time);
 *    for both, every program's output on every frame (and on malformed
 *    ones) is compared with bench_parse.h's in user space;
 *  - memcached cache: a memcached GET cache in XDP after BMC (progs/bmc.h;
 *    eBPF in progs/bmc.bpf.c, Rex in rust/rust_bmc.rs), per request on
 *    recorded request frames: a GET hit answered with XDP_TX, a GET miss
 *    passed up, a SET that invalidates; a hit rewrites the frame, so each
 *    run is a BPF_PROG_TEST_RUN of its own, and the test timer's cost per
 *    call (the smallest program's, one run a call against REPEAT) is taken
 *    off; the replies, verdicts and counts of both programs are checked
 *    against user space's on those frames and on malformed ones; then end
 *    to end, on a veth pair in a network namespace of its own: a client
 *    sends requests from one end (AF_PACKET, E2E_WINDOW in flight) to a
 *    memcached-like UDP server on the other, where the program is
 *    attached (native XDP), and takes the time per answered request for
 *    GET hits (answered by the program) and misses (by the server);
 *  - spin lock: an XDP program that takes the spin lock of an array map's
 *    value, counts and releases it (eBPF: bpf_spin_lock(); Rex: the
 *    resilient lock, recorded in the cleanup ledger while held); the
 *    counts of all three are compared;
 *  - load time: a large program (progs/bench_big.h: 1024 steps, each a
 *    multiply and a branch, unrolled) loaded as an eBPF program, which the verifier
 *    checks and the JIT compiles, and as a Rex image of the same C (the
 *    outputs of both and of the same C in user space are compared);
 *  - stack checks: a Rex program that makes 8 function calls, and the
 *    smallest XDP program, built with and without the stack check at
 *    every function entry;
 *  - panic: a Rex program that panics on every run against the same
 *    program returning normally, past the rate limit of panic reports;
 *  - termination latency: how long after its budget a looping program is
 *    back at the attach point, looping outside and inside a spin lock
 *    (which leaves interrupts enabled), past the rate limit of the abort
 *    reports.
 *
 * Times are the kernel's own BPF_PROG_TEST_RUN averages (ns per run), or,
 * for the tracing programs, the loop's CLOCK_MONOTONIC time per system call:
 * medians of 7 rounds that alternate the programs compared.  With
 * --clock=icount (make bench's second boot, QEMU -icount shift=0) the
 * guest's clock advances one ns per executed instruction, and the same
 * figures are guest instructions per run: they do not move with the host's
 * load.  Every line names its unit.  Not a test: it is installed with the
 * selftests but not run by them.
 */

#define _GNU_SOURCE	/* unshare() */
#include <pthread.h>
#include <stdlib.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define REX_NO_HARNESS
#include "rex_test.h"
#include "rex_net.h"
#include "progs/bench_big.h"
#include "progs/bench_common.h"
#include "progs/bench_parse.h"
#include "progs/bmc.h"
#include "progs/panic_common.h"

REX_IMAGE(bench);
REX_IMAGE(bench_nocheck);
REX_IMAGE(xdp_panic);
REX_IMAGE(rust_bench);
REX_IMAGE(bench_lock);
REX_IMAGE(rust_lock);
REX_IMAGE(bench_big);
REX_IMAGE(rust_bmc);
REX_TEXT(bench_bpf, "bench.bpf.o");
REX_TEXT(bench_big_bpf, "bench_big.bpf.o");
REX_TEXT(bmc_bpf, "bmc.bpf.o");

#define ROUNDS		7
#define REPEAT		100000
#define SYSCALLS	20000
#define BUDGET_MS	10
#define MAX_PROGS	3
#define FLOWS		64
#define FRAME		64
#define MAX_FRAME	1514
#define SYN_FRAMES	8
#define HASH_BYTES	512
#define BMC_CALLS	2000
#define E2E_REQUESTS	2000
#define E2E_WINDOW	8

/* "ns" (wall clock), or "insns" under --clock=icount. */
static const char *unit = "ns";

/*
 * The programs of one case: eBPF first, then Rex in C, then Rex in Rust;
 * one round of the case for one program: ns per run, or NULL for REPEAT
 * runs on a 64-byte frame.
 */
struct contest {
	const char *what;
	int n;
	const char *names[MAX_PROGS];
	int fds[MAX_PROGS];
	struct rex_object *objs[MAX_PROGS];
	unsigned long long (*round)(int fd);
	unsigned long long less;	/* taken off every figure */
};

/*
 * The eBPF object, and the Rex ones in C and (if built) in Rust; those of
 * the spin lock case, which are images of their own.
 */
static struct bpf_object *ebpf;
static struct rex_object *rex_c, *rex_rust, *lock_c, *lock_rust;

/* Average ns per run of @fd on @size bytes of @frame over @repeat runs, or exit. */
static unsigned long long test_run_size(int fd, const unsigned char *frame, unsigned int size,
					unsigned int repeat, unsigned int *retval)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = ptr_to_u64(frame);
	attr.test.data_size_in = size;
	attr.test.repeat = repeat;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr)) {
		perror("BPF_PROG_TEST_RUN");
		exit(1);
	}
	if (retval)
		*retval = attr.test.retval;
	return attr.test.duration;
}

/* test_run_size() of a FRAME-byte frame. */
static unsigned long long test_run_frame(int fd, const unsigned char *frame, unsigned int repeat,
					 unsigned int *retval)
{
	return test_run_size(fd, frame, FRAME, repeat, retval);
}

/* Average ns per run of @fd over @repeat runs on an IPv4 frame, or exit. */
static unsigned long long test_run(int fd, unsigned int repeat, unsigned int *retval)
{
	static const unsigned char frame[FRAME] = { [12] = 0x08 };

	return test_run_frame(fd, frame, repeat, retval);
}

static int cmp(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static unsigned long long median(unsigned long long *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[n / 2];
}

/*
 * A result for the results file: "make bench" collects these lines from
 * the serial log into bench.csv (clock,case,program,value,unit) and leaves
 * them out of the table it shows.
 */
static void csv(const char *what, const char *name, unsigned long long v, const char *u)
{
	if (strchr(what, ',') || strchr(name, ',')) {
		fprintf(stderr, "a comma in \"%s\" or \"%s\" would break the results file\n",
			what, name);
		exit(1);
	}
	printf("REX-BENCH-CSV,%s,%s,%s,%llu,%s\n",
	       strcmp(unit, "ns") ? "icount" : "wall", what, name, v, u);
}

/* Print @n figures of @c, each but the first with its ratio to the first. */
static void print_row(const char *what, int n, const char *const *names,
		      const unsigned long long *m)
{
	int i;

	printf("%-36s", what);
	for (i = 0; i < n; i++) {
		printf("  %-8s %6llu %-5s", names[i], m[i], unit);
		if (i)
			printf(m[0] && m[i] * 10 < m[0] ? " x%.4f" : " x%.2f",
			       m[0] ? (double)m[i] / m[0] : 0.0);
	}
	printf("\n");
	for (i = 0; i < n; i++)
		csv(what, names[i], m[i], unit);
}

/* Median ns per run of each program of @c, measured in alternating rounds. */
static void side_by_side(const struct contest *c)
{
	unsigned long long t[MAX_PROGS][ROUNDS], m[MAX_PROGS];
	int i, r;

	for (i = 0; i < c->n; i++)	/* warm up */
		c->round ? c->round(c->fds[i]) : test_run(c->fds[i], REPEAT, NULL);
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < c->n; i++)
			t[i][r] = c->round ? c->round(c->fds[i]) :
				  test_run(c->fds[i], REPEAT, NULL);
	for (i = 0; i < c->n; i++) {
		m[i] = median(t[i], ROUNDS);
		m[i] = m[i] > c->less ? m[i] - c->less : 0;
	}
	print_row(c->what, c->n, c->names, m);
}

static int ebpf_fd(const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(ebpf, name);

	return prog ? bpf_program__fd(prog) : -1;
}

/*
 * A case with the eBPF program @bpf, the Rex one in C @c and the Rex one
 * in Rust @rust, if the Rust programs were built.
 */
static struct contest contest_of(struct rex_object *c_obj, struct rex_object *rust_obj,
				 const char *what, const char *bpf, const char *c, const char *rust)
{
	struct contest k = { .what = what, .n = 2, .names = { "eBPF", "Rex C" } };

	k.fds[0] = ebpf_fd(bpf);
	k.fds[1] = rex_object__find_prog_fd_by_name(c_obj, c);
	k.objs[1] = c_obj;
	if (rust_obj) {
		k.names[k.n] = "Rex Rust";
		k.objs[k.n] = rust_obj;
		k.fds[k.n++] = rex_object__find_prog_fd_by_name(rust_obj, rust);
	}
	for (int i = 0; i < k.n; i++)
		if (k.fds[i] < 0) {
			fprintf(stderr, "%s: no program %d\n", what, i);
			exit(1);
		}
	return k;
}

static struct contest contest(const char *what, const char *bpf, const char *c, const char *rust)
{
	return contest_of(rex_c, rex_rust, what, bpf, c, rust);
}

/* The map of program @p of @c named @names[@p] (eBPF, Rex C, Rex Rust). */
static int contest_map_fd(const struct contest *c, int p, const char *const *names)
{
	return !p ? bpf_object__find_map_fd_by_name(ebpf, names[p]) :
		    rex_object__find_map_fd_by_name(c->objs[p], names[p]);
}

/* ns (or instructions) per getppid() system call, over SYSCALLS calls. */
static unsigned long long syscall_loop(void)
{
	struct timespec a, b;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < SYSCALLS; i++)
		syscall(__NR_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec - a.tv_nsec) / SYSCALLS;
}

/*
 * The smallest tracing programs, on a tracepoint that every system call
 * hits (raw_syscalls:sys_enter) and on a kprobe on the function of one
 * (getppid()), as eBPF (0), Rex C (1) and Rex Rust (2).
 */
struct probe {
	const char *what;		/* the case's name in the table */
	const char *names[MAX_PROGS];	/* its programs */
};

static const struct probe probe_tp = {
	"tracepoint", { "bpf_bench_tp", "rex_bench_tp", "rex_rust_tp" },
};

static const struct probe probe_kp = {
	"kprobe", { "bpf_bench_kp", "rex_bench_kp", "rex_rust_kp" },
};

/* Attach program @i of case @pr (0: eBPF); detach with @i < 0. */
static void probe_attach(const struct probe *pr, int i)
{
	static struct bpf_link *bpf_link;
	static struct rex_link *rex_link;

	if (i < 0) {
		bpf_link__destroy(bpf_link);
		bpf_link = NULL;
		if (rex_link)
			rex_link__destroy(rex_link);
		rex_link = NULL;
		return;
	}
	if (!i) {
		struct bpf_program *prog = bpf_object__find_program_by_name(ebpf, pr->names[0]);

		if (pr == &probe_kp)
			bpf_link = bpf_program__attach_kprobe(prog, false, "__x64_sys_getppid");
		else
			bpf_link = bpf_program__attach_tracepoint(prog, "raw_syscalls",
								  "sys_enter");
	} else {
		struct rex_program *prog =
			rex_object__find_program_by_name(i == 1 ? rex_c : rex_rust, pr->names[i]);

		if (pr == &probe_kp)
			rex_link = rex_program__attach_kprobe(prog, false, "__x64_sys_getppid");
		else
			rex_link = rex_program__attach_tracepoint(prog, "raw_syscalls",
								  "sys_enter");
	}
	if (i ? !rex_link : !bpf_link) {
		fprintf(stderr, "cannot attach the %s program %s\n", pr->what, pr->names[i]);
		exit(1);
	}
}

/*
 * The smallest program of case @pr, hit by a loop of system calls: per
 * system call with each program attached and with none, in alternating
 * rounds; then per event, less the loop with none.
 */
static void probe_case(const struct probe *pr)
{
	static const char *const names[] = { "none", "eBPF", "Rex C", "Rex Rust" };
	unsigned long long t[MAX_PROGS + 1][ROUNDS], m[MAX_PROGS + 1], ev[MAX_PROGS];
	int n = rex_rust ? 4 : 3, i, r;
	char what[64];

	syscall_loop();
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < n; i++) {
			if (i)
				probe_attach(pr, i - 1);
			t[i][r] = syscall_loop();
			if (i)
				probe_attach(pr, -1);
		}
	for (i = 0; i < n; i++)
		m[i] = median(t[i], ROUNDS);
	snprintf(what, sizeof(what), "%s: getppid() + event", pr->what);
	print_row(what, n - 1, names + 1, m + 1);
	for (i = 1; i < n; i++)
		ev[i - 1] = m[i] > m[0] ? m[i] - m[0] : 0;
	snprintf(what, sizeof(what), "%s: per event (less none)", pr->what);
	print_row(what, n - 1, names + 1, ev);
	snprintf(what, sizeof(what), "%s: getppid() with no program", pr->what);
	printf("%-36s  %-8s %6llu %-5s\n", what, "none", m[0], unit);
	csv(what, "none", m[0], unit);
}

/* Fill the tables of the loop case; run each program once; compare sums. */
static void loop_check(const struct contest *c)
{
	static const char *const table[] = { "table", "table", "TABLE" };
	static const char *const out[] = { "out", "out", "OUT" };
	int tables[MAX_PROGS], outs[MAX_PROGS], i;
	__u64 want = 0, got;
	__u32 k;

	for (i = 0; i < c->n; i++) {
		tables[i] = contest_map_fd(c, i, table);
		outs[i] = contest_map_fd(c, i, out);
	}
	for (k = 0; k < LOOP_N; k++) {
		__u64 v = (__u64)k * k * 2654435761ULL + 7;

		want += v;
		for (i = 0; i < c->n; i++)
			rex_u64_set(tables[i], k, v);
	}
	for (i = 0; i < c->n; i++) {
		test_run(c->fds[i], 1, NULL);
		got = rex_u64_get(outs[i], 0);
		if (got != want) {
			fprintf(stderr, "%s: %s summed %llu, not %llu\n", c->what, c->names[i],
				(unsigned long long)got, (unsigned long long)want);
			exit(1);
		}
	}
}

/*
 * Each program of the spin lock case ran ROUNDS + 1 times REPEAT runs (the
 * warm-up and the rounds): its count says so.  The value is the lock and
 * then the count, 8-byte aligned in all three layouts.
 */
static void lock_check(const struct contest *c)
{
	static const char *const maps[] = { "locked", "locked", "LOCKED" };
	__u64 want = (ROUNDS + 1) * REPEAT, v[2];
	__u32 zero = 0;
	int p, fd;

	for (p = 0; p < c->n; p++) {
		fd = contest_map_fd(c, p, maps);
		if (rex_map_lookup_elem(fd, &zero, v) || v[1] != want) {
			fprintf(stderr, "%s: %s counted %llu, not %llu\n", c->what, c->names[p],
				(unsigned long long)v[1], (unsigned long long)want);
			exit(1);
		}
	}
}

static void set_mode(struct rex_object *obj, __u64 n, __u64 mode)
{
	int fd = rex_object__find_map_fd_by_name(obj, "cfg");
	__u32 zero = 0, one = 1;

	rex_map_update_elem(fd, &zero, &n, 0);
	rex_map_update_elem(fd, &one, &mode, 0);
}

static unsigned long long ns_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000000000ULL + b.tv_nsec - a->tv_nsec;
}

/* What the large program computes for a 64-byte frame. */
static __u64 big_expected(void)
{
	return big_mix(FRAME);
}

/*
 * Load time: the large program, loaded in turn as an eBPF object (libbpf:
 * verification and JIT compilation) and as a Rex image, once to warm up
 * and then ROUNDS times; the load alone is timed, not the open before it.
 * The last objects run once each, and their outputs must be the C's.
 */
static void load_case(void)
{
	static const char *const names[] = { "eBPF", "Rex C" };
	unsigned long long t[2][ROUNDS], m[2];
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	unsigned int insns = 0;
	struct timespec a;
	int r, i;

	for (r = -1; r < ROUNDS; r++) {
		struct bpf_object *b = bpf_object__open_mem(bench_big_bpf_start,
							    bench_big_bpf_end - bench_big_bpf_start,
							    NULL);
		struct rex_object *x = rex_object__open_mem(bench_big_start,
							    bench_big_end - bench_big_start);
		int fds[2], outs[2];

		if (!b || !x) {
			fprintf(stderr, "load time: cannot open the programs\n");
			exit(1);
		}
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (bpf_object__load(b)) {
			fprintf(stderr, "load time: the eBPF program does not load\n");
			exit(1);
		}
		if (r >= 0)
			t[0][r] = ns_since(&a);
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (rex_object__load(x)) {
			fprintf(stderr, "load time: the Rex image does not load\n");
			exit(1);
		}
		if (r >= 0)
			t[1][r] = ns_since(&a);
		if (r == ROUNDS - 1) {
			struct bpf_program *p = bpf_object__find_program_by_name(b,
										 "bpf_bench_big");

			fds[0] = bpf_program__fd(p);
			insns = bpf_program__insn_cnt(p);
			bpf_prog_get_info_by_fd(fds[0], &info, &len);
			fds[1] = rex_object__find_prog_fd_by_name(x, "rex_bench_big");
			outs[0] = bpf_object__find_map_fd_by_name(b, "out");
			outs[1] = rex_object__find_map_fd_by_name(x, "out");
			for (i = 0; i < 2; i++) {
				test_run(fds[i], 1, NULL);
				if (rex_u64_get(outs[i], 0) != big_expected()) {
					fprintf(stderr, "load time: %s computed %llu, not %llu\n",
						names[i],
						(unsigned long long)rex_u64_get(outs[i], 0),
						(unsigned long long)big_expected());
					exit(1);
				}
			}
		}
		bpf_object__close(b);
		rex_object__close(x);
	}
	for (i = 0; i < 2; i++)
		m[i] = median(t[i], ROUNDS);
	print_row("load time (1024-step program)", 2, names, m);
	printf("%-36s  eBPF %u insns, %u bytes JITed; Rex image %zu bytes\n",
	       "  its size", insns, info.jited_prog_len,
	       (size_t)(bench_big_end - bench_big_start));
}

/* Run the looping program @runs times; print how long past its budget each took. */
static void termination(struct rex_object *obj, __u64 mode, const char *what, int runs)
{
	int fd = rex_object__find_prog_fd_by_name(obj, "rex_xdp_panic");
	unsigned long long late[16];
	unsigned int retval;
	int i;

	set_mode(obj, 0, mode);
	/*
	 * Past the reports of the program's aborts first (10 in 5 s, shared
	 * with the panic case): a stack dump on the serial console takes
	 * milliseconds, which would be counted as lateness.
	 */
	for (i = 0; i < 10; i++)
		test_run(fd, 1, &retval);
	for (i = 0; i < runs; i++) {
		unsigned long long ns = test_run(fd, 1, &retval);

		if (retval != XDP_ABORTED) {
			fprintf(stderr, "%s: the loop was not stopped\n", what);
			exit(1);
		}
		late[i] = ns > BUDGET_MS * 1000000ULL ? ns - BUDGET_MS * 1000000ULL : 0;
	}
	qsort(late, runs, sizeof(late[0]), cmp);
	printf("%-36s  budget %d ms, late by: min %.2f ms, median %.2f ms, max %.2f ms%s\n",
	       what, BUDGET_MS, late[0] / 1e6, late[runs / 2] / 1e6, late[runs - 1] / 1e6,
	       strcmp(unit, "ns") ? " (guest time: 1 ms = 1M insns)" : "");
	csv(what, "min", late[0], "ns");
	csv(what, "median", late[runs / 2], "ns");
	csv(what, "max", late[runs - 1], "ns");
}

/* The UDP frame of flow @i: 10.0.0.<i>:<1000 + i> to 10.0.1.1:53. */
static void flow_frame(unsigned char *f, unsigned int i)
{
	memset(f, 0, FRAME);
	f[12] = 0x08;			/* IPv4 */
	f[14] = 0x45;			/* version 4, 20 bytes */
	f[17] = FRAME - 14;		/* total length */
	f[22] = 64;			/* TTL */
	f[23] = 17;			/* UDP */
	f[26] = 10;			/* source */
	f[29] = i;
	f[30] = 10;			/* destination */
	f[32] = 1;
	f[33] = 1;
	f[34] = (1000 + i) >> 8;	/* source port */
	f[35] = (1000 + i) & 0xff;
	f[37] = 53;			/* destination port */
	f[39] = FRAME - 34;		/* UDP length */
}

/* One round of the flow case: REPEAT runs over the FLOWS flows' frames. */
static unsigned long long flow_round(int fd)
{
	unsigned char frame[FRAME];
	unsigned long long sum = 0;
	unsigned int i;

	for (i = 0; i < FLOWS; i++) {
		flow_frame(frame, i);
		sum += test_run_frame(fd, frame, REPEAT / FLOWS, NULL);
	}
	return sum / FLOWS;
}

/* Every program counted every flow's packets and bytes, and all the same. */
static void flow_check(const struct contest *c)
{
	static const char *const maps[] = { "flows", "flows", "FLOWS" };
	unsigned long long want = (ROUNDS + 1) * (REPEAT / FLOWS);
	unsigned int i, p;

	for (p = 0; p < (unsigned int)c->n; p++) {
		int fd = contest_map_fd(c, p, maps);

		for (i = 0; i < FLOWS; i++) {
			struct flow_key key = { .proto = 17 };
			struct flow flow = { 0, 0 };
			unsigned char frame[FRAME];

			flow_frame(frame, i);
			memcpy(&key.saddr, frame + 26, 4);
			memcpy(&key.daddr, frame + 30, 4);
			memcpy(&key.sport, frame + 34, 2);
			memcpy(&key.dport, frame + 36, 2);
			if (rex_map_lookup_elem(fd, &key, &flow) || flow.packets != want ||
			    flow.bytes != want * FRAME) {
				fprintf(stderr, "%s: %s: flow %u: %llu packets, %llu bytes\n",
					c->what, c->names[p], i, (unsigned long long)flow.packets,
					(unsigned long long)flow.bytes);
				exit(1);
			}
		}
	}
}

/*
 * An Ethernet frame carrying an IPv4 packet of @proto from 10.0.0.1 to
 * 10.0.1.1 with @ip_opts bytes of IP options (NOPs), @size bytes in all;
 * the offset of what follows the IP header.
 */
static unsigned int ipv4_frame(unsigned char *f, unsigned int size, unsigned char proto,
			       unsigned int ip_opts)
{
	memset(f, 0, size);
	f[12] = 0x08;
	f[14] = 0x40 | (20 + ip_opts) / 4;
	f[16] = (size - 14) >> 8;
	f[17] = (size - 14) & 0xff;
	f[22] = 64;
	f[23] = proto;
	f[26] = 10;
	f[29] = 1;
	f[30] = 10;
	f[32] = 1;
	f[33] = 1;
	memset(f + 34, 1, ip_opts);
	return 14 + 20 + ip_opts;
}

/* Set the header checksum of the IPv4 header (no options) of frame @f. */
static void ipv4_set_check(unsigned char *f)
{
	unsigned int sum = 0, i;

	f[24] = 0;
	f[25] = 0;
	for (i = 14; i < 34; i += 2)
		sum += f[i] << 8 | f[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = ~sum >> 8;
	f[25] = ~sum & 0xff;
}

/*
 * The option layouts of the SYN case: those of three common stacks, the
 * MSS alone, none, the longest (40 bytes, most of them no-ops), and two
 * malformed ones (an option longer than what is left; a length of 1).
 */
static const struct {
	unsigned int len;
	unsigned char opt[40];
} syn_layouts[] = {
	{ 20, { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7 } },
	{ 12, { 2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2 } },
	{ 24, { 2, 4, 0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 9, 9, 9, 9, 0, 0, 0, 0, 4, 2 } },
	{ 4, { 2, 4, 0x02, 0x18 } },
	{ 0 },
	{ 40, { 2, 4, 0x23, 0x8c, 4, 2, 8, 10, 5, 5, 5, 5, 6, 6, 6, 6, 3, 3, 14,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } },
	{ 8, { 2, 4, 0x05, 0xb4, 5, 30, 0, 0 } },
	{ 4, { 1, 1, 3, 1 } },
};

/* The SYN frame of layout @i (after the IP options of @ip_opts bytes); its size. */
static unsigned int syn_frame(unsigned char *f, unsigned int i, unsigned int ip_opts)
{
	unsigned int len = syn_layouts[i].len, tcp = 14 + 20 + ip_opts;

	ipv4_frame(f, tcp + 20 + len, 6, ip_opts);
	f[tcp] = 0x9c;			/* source port 40000 */
	f[tcp + 1] = 0x40;
	f[tcp + 3] = 80;		/* destination port */
	f[tcp + 12] = (20 + len) / 4 << 4;
	f[tcp + 13] = 0x02;		/* SYN */
	f[tcp + 14] = 0xfa;		/* window */
	memcpy(f + tcp + 20, syn_layouts[i].opt, len);
	return tcp + 20 + len;
}

/* The UDP frame of the hash case: @len bytes of payload after @ip_opts. */
static unsigned int hash_frame(unsigned char *f, unsigned int len, unsigned int ip_opts)
{
	unsigned int udp = ipv4_frame(f, 14 + 20 + ip_opts + 8 + len, 17, ip_opts), i;

	f[udp + 1] = 53;
	f[udp + 3] = 53;
	f[udp + 4] = (8 + len) >> 8;
	f[udp + 5] = (8 + len) & 0xff;
	for (i = 0; i < len; i++)
		f[udp + 8 + i] = i * 131 + 7;
	return udp + 8 + len;
}

/* One round of the SYN case: REPEAT runs over the SYN_FRAMES layouts. */
static unsigned long long syn_round(int fd)
{
	unsigned long long sum = 0;
	unsigned char f[MAX_FRAME];
	unsigned int i, size;

	for (i = 0; i < SYN_FRAMES; i++) {
		size = syn_frame(f, i, 0);
		sum += test_run_size(fd, f, size, REPEAT / SYN_FRAMES, NULL);
	}
	return sum / SYN_FRAMES;
}

/* One round of the hash case: REPEAT / 10 runs (each is thousands of instructions). */
static unsigned long long hash_round(int fd)
{
	unsigned char f[MAX_FRAME];
	unsigned int size = hash_frame(f, HASH_BYTES, 0);

	return test_run_size(fd, f, size, REPEAT / 10, NULL);
}

/* Program @p of @c ran on @size bytes of @f and stored @want in its digest map, or exit. */
static void digest_check(const struct contest *c, int p, const unsigned char *f,
			 unsigned int size, __u64 want, const char *frame)
{
	static const char *const maps[] = { "digest", "digest", "DIGEST" };
	int fd = contest_map_fd(c, p, maps);
	__u64 got;

	rex_u64_set(fd, 0, ~want);
	test_run_size(c->fds[p], f, size, 1, NULL);
	got = rex_u64_get(fd, 0);
	if (got != want) {
		fprintf(stderr, "%s: %s on %s: %#llx, not %#llx\n", c->what, c->names[p], frame,
			(unsigned long long)got, (unsigned long long)want);
		exit(1);
	}
}

/*
 * Every program of the SYN case finds syn_print()'s fingerprint of every
 * layout, after 0 and 4 bytes of IP options and in frames cut short (the
 * options of one then run past the end); and a UDP frame has none.  The
 * reference must see the first layout as Linux sends it.
 */
static void syn_check(const struct contest *c)
{
	unsigned int i, size, cut, opts;
	unsigned char f[MAX_FRAME];
	char what[64];
	int p;

	size = syn_frame(f, 0, 0);
	if (syn_print(f, size) != (1460 | 7 << 16 | 0xfULL << 24 | (__u64)0x2684b2 << 32)) {
		fprintf(stderr, "%s: syn_print() is wrong: %#llx\n", c->what,
			(unsigned long long)syn_print(f, size));
		exit(1);
	}
	for (p = 0; p < c->n; p++) {
		for (i = 0; i < ARRAY_SIZE(syn_layouts); i++)
			for (opts = 0; opts <= 4; opts += 4)
				for (cut = 0; cut <= 2; cut += 2) {
					size = syn_frame(f, i, opts);
					if (cut && syn_layouts[i].len)
						size -= cut;
					snprintf(what, sizeof(what), "layout %u (%u, %u)", i, opts,
						 cut);
					digest_check(c, p, f, size, syn_print(f, size), what);
				}
		size = hash_frame(f, 64, 0);
		digest_check(c, p, f, size, 0, "a UDP frame");
	}
}

/*
 * Every program of the hash case finds payload_hash()'s hash of payloads
 * of 0 to 9 and HASH_BYTES bytes, after 0 and 8 bytes of IP options; and a
 * TCP frame has none.
 */
static void hash_check(const struct contest *c)
{
	static const unsigned int lens[] = { 0, 1, 2, 3, 7, 8, 9, HASH_BYTES };
	unsigned int i, size, opts;
	unsigned char f[MAX_FRAME];
	char what[64];
	int p;

	for (p = 0; p < c->n; p++) {
		for (i = 0; i < ARRAY_SIZE(lens); i++)
			for (opts = 0; opts <= 8; opts += 8) {
				size = hash_frame(f, lens[i], opts);
				snprintf(what, sizeof(what), "%u bytes after %u", lens[i], opts);
				digest_check(c, p, f, size, payload_hash(f, size), what);
			}
		size = syn_frame(f, 0, 0);
		digest_check(c, p, f, size, 0, "a TCP frame");
	}
}

/* The memcached cache's programs: eBPF's object and Rex's (Rust) image. */
static struct bpf_object *bmc_ebpf;
static struct rex_object *bmc_rex;

/* The memcached request a round of the cache case runs on, and its size. */
static unsigned char bmc_req[MAX_FRAME];
static unsigned int bmc_req_size;

/*
 * A memcached request over UDP from 10.0.0.1:40000 to 10.0.1.1:11211, in
 * a frame from 02:00:00:00:00:02 to 02:00:00:00:00:01: request id 0x1234,
 * datagram 0 of 1, then @cmd.  Its size.
 */
static unsigned int bmc_frame(unsigned char *f, const char *cmd)
{
	unsigned int len = strlen(cmd), size = 14 + 20 + 8 + BMC_HDR + len;
	unsigned int udp = ipv4_frame(f, size, 17, 0);
	static const unsigned char hdr[BMC_HDR] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0 };

	f[0] = 2;	/* to 02:00:00:00:00:01 */
	f[5] = 1;
	f[6] = 2;	/* from 02:00:00:00:00:02 */
	f[11] = 2;
	f[udp] = 40000 >> 8;
	f[udp + 1] = 40000 & 0xff;
	f[udp + 2] = BMC_PORT >> 8;
	f[udp + 3] = BMC_PORT & 0xff;
	f[udp + 4] = (8 + BMC_HDR + len) >> 8;
	f[udp + 5] = (8 + BMC_HDR + len) & 0xff;
	memcpy(f + udp + 8, hdr, BMC_HDR);
	memcpy(f + udp + 8 + BMC_HDR, cmd, len);
	return size;
}

/* The entry of @key: the reply "VALUE <key> 0 <bytes>\r\n<data>\r\nEND\r\n". */
static void bmc_entry_of(struct bmc_entry *e, const char *key, const char *data)
{
	memset(e, 0, sizeof(*e));
	e->valid = 1;
	e->key_len = strlen(key);
	memcpy(e->key, key, e->key_len);
	e->reply_len = snprintf((char *)e->reply, sizeof(e->reply),
				"VALUE %s 0 %zu\r\n%s\r\nEND\r\n", key, strlen(data), data);
}

/* The maps of the cache case's program @p (0: eBPF, 1: Rex). */
static int bmc_map(int p, const char *ebpf_name, const char *rex_name)
{
	return p ? rex_object__find_map_fd_by_name(bmc_rex, rex_name) :
		   bpf_object__find_map_fd_by_name(bmc_ebpf, ebpf_name);
}

/* The cache case's program @p (0: eBPF, 1: Rex). */
static int bmc_fd(int p)
{
	return p ? rex_object__find_prog_fd_by_name(bmc_rex, "rex_rust_bmc") :
		   bpf_program__fd(bpf_object__find_program_by_name(bmc_ebpf, "bpf_bmc"));
}

/* Are the counts of program @p's stats map @want? */
static bool bmc_counts_are(int p, const __u64 *want)
{
	__u32 k;

	for (k = 0; k < BMC_STATS; k++)
		if (rex_u64_get(bmc_map(p, "stats", "STATS"), k) != want[k])
			return false;
	return true;
}

static void bmc_put(int p, const struct bmc_entry *e)
{
	__u32 idx = bmc_hash(e->key, e->key_len) % BMC_ENTRIES;

	rex_map_update_elem(bmc_map(p, "cache", "CACHE"), &idx, e, 0);
}

/* What user space expects of a hit on @req for @e: the reply's size. */
static unsigned int bmc_expect(unsigned char *f, const unsigned char *req,
			       const struct bmc_entry *e)
{
	unsigned int n = 14 + 20 + 8 + BMC_HDR + e->reply_len;

	memcpy(f, req, 14 + 20 + 8 + 2);
	memcpy(f, req + 6, 6);
	memcpy(f + 6, req, 6);
	memcpy(f + 26, req + 30, 4);
	memcpy(f + 30, req + 26, 4);
	f[16] = (n - 14) >> 8;
	f[17] = (n - 14) & 0xff;
	f[22] = 64;
	ipv4_set_check(f);
	memcpy(f + 34, req + 36, 2);
	memcpy(f + 36, req + 34, 2);
	f[38] = (n - 34) >> 8;
	f[39] = (n - 34) & 0xff;
	f[40] = 0;
	f[41] = 0;
	memcpy(f + 44, "\0\0\0\1\0\0", 6);
	memcpy(f + 50, e->reply, e->reply_len);
	return n;
}

/* Run program @fd once on @req; its verdict, and what it made of the frame in @out. */
static unsigned int bmc_run(int fd, const unsigned char *req, unsigned int size,
			    unsigned char *out, unsigned int *out_size)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = ptr_to_u64(req);
	attr.test.data_size_in = size;
	attr.test.data_out = ptr_to_u64(out);
	attr.test.data_size_out = MAX_FRAME;
	attr.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr)) {
		perror("BPF_PROG_TEST_RUN");
		exit(1);
	}
	*out_size = attr.test.data_size_out;
	return attr.test.retval;
}

/* The memcached cache's requests, and what the programs must do with each. */
static const struct {
	const char *what;
	const char *cmd;
	unsigned int verdict;
	int stat;		/* counted in stats[], or -1 */
	bool hit;		/* answered from "user:1001" */
} bmc_cases[] = {
	{ "GET hit", "get user:1001\r\n", XDP_TX, BMC_HIT, true },
	{ "GET of an absent key", "get user:9999\r\n", XDP_PASS, BMC_MISS, false },
	{ "GET of two keys", "get user:1001 user:1002\r\n", XDP_PASS, BMC_MISS, false },
	{ "GET of a 33-byte key", "get 123456789012345678901234567890123\r\n", XDP_PASS,
	  BMC_MISS, false },
	{ "GET without its \\n", "get user:1001\r", XDP_PASS, BMC_MISS, false },
	{ "GET without a key", "get \r\n", XDP_PASS, BMC_MISS, false },
	{ "GET of a key in a taken entry", "get @COLLIDE\r\n", XDP_PASS, BMC_MISS, false },
	{ "GET of an entry with a bad length", "get user:bad\r\n", XDP_PASS, BMC_MISS, false },
	{ "gets", "gets user:1001\r\n", XDP_PASS, -1, false },
	{ "SET of a cached key", "set user:1001 0 0 5\r\nalice\r\n", XDP_PASS, BMC_SET, false },
	{ "GET after the SET", "get user:1001\r\n", XDP_PASS, BMC_MISS, false },
};

/* A key other than "user:1001" in its entry. */
static const char *bmc_collider(void)
{
	static char key[16];
	__u32 want = bmc_hash((const unsigned char *)"user:1001", 9) % BMC_ENTRIES;
	unsigned int i;

	for (i = 0;; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		if (bmc_hash((unsigned char *)key, strlen(key)) % BMC_ENTRIES == want)
			return key;
	}
}

/* Fill the cache of program @p: "user:1001", and "user:bad" with a bad length. */
static void bmc_fill(int p)
{
	struct bmc_entry e;

	bmc_entry_of(&e, "user:1001", "alice");
	bmc_put(p, &e);
	bmc_entry_of(&e, "user:bad", "x");
	e.reply_len = BMC_REPLY_MAX + 1;
	bmc_put(p, &e);
}

/*
 * Both programs, on every request of bmc_cases in turn: the verdict, the
 * frame (the reply user space builds for a hit, the request untouched
 * otherwise) and the counts must be what user space expects; a frame that
 * is not a request to the cache (another port, IP options) is passed up
 * uncounted.
 */
static void bmc_check(void)
{
	static const char *const names[] = { "eBPF", "Rex Rust" };
	unsigned char req[MAX_FRAME], out[MAX_FRAME], want[MAX_FRAME];
	unsigned int i, size, out_size, want_size, verdict, p;
	__u64 counts[BMC_STATS];
	struct bmc_entry hit;
	char cmd[64];

	bmc_entry_of(&hit, "user:1001", "alice");
	for (p = 0; p < 2; p++) {
		bmc_fill(p);
		memset(counts, 0, sizeof(counts));
		for (i = 0; i < ARRAY_SIZE(bmc_cases); i++) {
			snprintf(cmd, sizeof(cmd), "%s", bmc_cases[i].cmd);
			if (strstr(cmd, "@COLLIDE"))
				snprintf(cmd, sizeof(cmd), "get %s\r\n", bmc_collider());
			size = bmc_frame(req, cmd);
			verdict = bmc_run(bmc_fd(p), req, size, out, &out_size);
			want_size = bmc_cases[i].hit ? bmc_expect(want, req, &hit) : size;
			if (!bmc_cases[i].hit)
				memcpy(want, req, size);
			if (bmc_cases[i].stat >= 0)
				counts[bmc_cases[i].stat]++;
			if (verdict != bmc_cases[i].verdict || out_size != want_size ||
			    memcmp(out, want, want_size)) {
				fprintf(stderr,
					"memcached cache: %s: %s: verdict %u (not %u), %u bytes (not %u)%s\n",
					names[p], bmc_cases[i].what, verdict, bmc_cases[i].verdict,
					out_size, want_size,
					out_size == want_size ? ", other bytes" : "");
				exit(1);
			}
			if (!bmc_counts_are(p, counts)) {
				fprintf(stderr, "memcached cache: %s: wrong counts after %s\n",
					names[p], bmc_cases[i].what);
				exit(1);
			}
		}
		/* Not requests to the cache: another port; IP options. */
		for (i = 0; i < 2; i++) {
			size = bmc_frame(req, "get user:1001\r\n");
			bmc_fill(p);
			if (i)
				req[14] = 0x46;
			else
				req[37]++;
			verdict = bmc_run(bmc_fd(p), req, size, out, &out_size);
			if (verdict != XDP_PASS || out_size != size || memcmp(out, req, size) ||
			    !bmc_counts_are(p, counts)) {
				fprintf(stderr, "memcached cache: %s answered a request %s\n",
					names[p], i ? "with IP options" : "to another port");
				exit(1);
			}
		}
	}
}

/* One round of the cache case: BMC_CALLS calls of one run of @fd on bmc_req. */
static unsigned long long bmc_round(int fd)
{
	unsigned long long sum = 0;
	unsigned int i;

	for (i = 0; i < BMC_CALLS; i++)
		sum += test_run_size(fd, bmc_req, bmc_req_size, 1, NULL);
	return sum / BMC_CALLS;
}

/*
 * The memcached cache, per request: a GET hit, a GET miss, a SET, each
 * run by a call of its own (a hit rewrites the frame), less what a call
 * adds to a run (the test timer's clock reads): the smallest program's
 * time per run in one-run calls against REPEAT-run ones.
 */
static void bmc_case(void)
{
	static const struct {
		const char *what;
		const char *cmd;
	} rows[] = {
		{ "memcached GET hit (XDP_TX reply)", "get user:1001\r\n" },
		{ "memcached GET miss (passed up)", "get user:9999\r\n" },
		{ "memcached SET (invalidates)", "set user:1001 0 0 5\r\nalice\r\n" },
	};
	unsigned long long one[ROUNDS], many[ROUNDS];
	int pass = ebpf_fd("bpf_bench_pass"), r;
	struct contest c = { .n = 2, .names = { "eBPF", "Rex Rust" } };
	unsigned int i;

	bmc_check();
	c.fds[0] = bmc_fd(0);
	c.fds[1] = bmc_fd(1);
	c.round = bmc_round;
	bmc_req_size = bmc_frame(bmc_req, "get user:1001\r\n");
	for (r = 0; r < ROUNDS; r++) {
		one[r] = bmc_round(pass);
		many[r] = test_run(pass, REPEAT, NULL);
	}
	c.less = median(one, ROUNDS) > median(many, ROUNDS) ?
		 median(one, ROUNDS) - median(many, ROUNDS) : 0;
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		bmc_fill(0);
		bmc_fill(1);
		c.what = rows[i].what;
		bmc_req_size = bmc_frame(bmc_req, rows[i].cmd);
		side_by_side(&c);
	}
	printf("%-36s  per request, less %llu %s per call for the test timer\n", "", c.less, unit);
}

/*
 * The end-to-end memcached case: the server's end of the veth pair (the
 * program's) and the client's, their MAC addresses, the client's packet
 * socket and the request every round sends.
 */
static struct {
	int server_if, client_if, client_fd, udp_fd;
	unsigned char server_mac[ETH_ALEN], client_mac[ETH_ALEN];
	unsigned char req[MAX_FRAME];
	unsigned int req_size;
	const char *want;	/* what every answer starts with */
} e2e;

/*
 * The server: answers what the program passed up as memcached does, a GET
 * with "END" (a miss here too), anything else with "STORED"; until its
 * socket is shut down.
 */
static void *e2e_server(void *arg)
{
	static const unsigned char hdr[BMC_HDR] = { 0, 0, 0, 0, 0, 1, 0, 0 };
	unsigned char buf[2048], out[BMC_HDR + 16];
	int fd = *(int *)arg, k;
	struct sockaddr_in from;
	socklen_t len;
	ssize_t n;

	for (;;) {
		len = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (n <= 0)
			return NULL;
		if (n < BMC_HDR + 4)
			continue;
		memcpy(out, hdr, BMC_HDR);
		memcpy(out, buf, 2);
		k = !memcmp(buf + BMC_HDR, "get ", 4) ? sprintf((char *)out + BMC_HDR, "END\r\n") :
			sprintf((char *)out + BMC_HDR, "STORED\r\n");
		sendto(fd, out, BMC_HDR + k, 0, (struct sockaddr *)&from, len);
	}
}

/* Set @name's IPv4 address to 10.9.0.@host/24 with the AF_INET socket @fd. */
static int e2e_addr(int fd, const char *name, int host)
{
	struct ifreq ifr = {};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0x0a090000 | host);
	if (ioctl(fd, SIOCSIFADDR, &ifr))
		return -errno;
	sin->sin_addr.s_addr = htonl(0xffffff00);
	return ioctl(fd, SIOCSIFNETMASK, &ifr) ? -errno : 0;
}

static int e2e_mac(int fd, const char *name, unsigned char *mac)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		return -errno;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

/*
 * A network namespace with the veth pair bmcs (the server's: 10.9.0.1)
 * and bmcc (the client's, which has no address: its packet socket sends
 * and receives frames; the server reaches 10.9.0.2 through a permanent
 * ARP entry); the server thread; the smallest eBPF program on bmcc, whose
 * NAPI takes what XDP_TX sends back.  0, or why not.
 */
static const char *e2e_setup(pthread_t *server)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(BMC_PORT),
				   .sin_addr.s_addr = htonl(0x0a090001) };
	struct arpreq arp = {};
	struct sockaddr_in *pa = (struct sockaddr_in *)&arp.arp_pa;
	int fd;

	if (rex_net_enter_netns() ||
	    rex_veth_setup("bmcs", "bmcc", &e2e.server_if, &e2e.client_if))
		return "cannot make the veth pair";
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return "no IPv4 in this kernel (CONFIG_INET)";
	if (e2e_addr(fd, "bmcs", 1) || e2e_mac(fd, "bmcs", e2e.server_mac) ||
	    e2e_mac(fd, "bmcc", e2e.client_mac))
		return "cannot set up the server's end";
	pa->sin_family = AF_INET;
	pa->sin_addr.s_addr = htonl(0x0a090002);
	arp.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(arp.arp_ha.sa_data, e2e.client_mac, ETH_ALEN);
	arp.arp_flags = ATF_PERM | ATF_COM;
	snprintf(arp.arp_dev, sizeof(arp.arp_dev), "bmcs");
	if (ioctl(fd, SIOCSARP, &arp))
		return "cannot add the client's ARP entry";
	close(fd);
	e2e.udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (e2e.udp_fd < 0 || bind(e2e.udp_fd, (struct sockaddr *)&sin, sizeof(sin)))
		return "cannot bind the server's socket";
	e2e.client_fd = rex_packet_socket(e2e.client_if, ETH_P_IP);
	if (e2e.client_fd < 0)
		return "no packet socket on the client's end";
	if (rex_xdp_attach(e2e.client_if, ebpf_fd("bpf_bench_pass"), XDP_FLAGS_DRV_MODE))
		return "cannot attach XDP to the client's end";
	if (pthread_create(server, NULL, e2e_server, &e2e.udp_fd))
		return "no server thread";
	return NULL;
}

/* The request @cmd from the client (10.9.0.2:40000) to the server, in e2e.req. */
static void e2e_request(const char *cmd)
{
	unsigned char *f = e2e.req;

	e2e.req_size = bmc_frame(f, cmd);
	memcpy(f, e2e.server_mac, ETH_ALEN);
	memcpy(f + ETH_ALEN, e2e.client_mac, ETH_ALEN);
	f[26] = 10;
	f[27] = 9;
	f[28] = 0;
	f[29] = 2;
	f[30] = 10;
	f[31] = 9;
	f[32] = 0;
	f[33] = 1;
	ipv4_set_check(f);
}

/*
 * One round of the end-to-end case with program @fd attached to the
 * server's end: E2E_REQUESTS requests, E2E_WINDOW in flight, every answer
 * received and starting with e2e.want; ns per request, or exit.
 */
static unsigned long long e2e_round(int fd)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = e2e.client_if,
				  .sll_halen = ETH_ALEN, .sll_protocol = htons(ETH_P_IP) };
	struct pollfd pfd = { .fd = e2e.client_fd, .events = POLLIN };
	unsigned int sent = 0, got = 0, want = strlen(e2e.want);
	unsigned char buf[MAX_FRAME];
	struct sockaddr_ll from;
	struct timespec a;
	socklen_t len;
	ssize_t n;

	if (rex_xdp_attach(e2e.server_if, fd, XDP_FLAGS_DRV_MODE)) {
		fprintf(stderr, "memcached over veth: cannot attach program %d\n", fd);
		exit(1);
	}
	memcpy(to.sll_addr, e2e.server_mac, ETH_ALEN);
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (got < E2E_REQUESTS) {
		while (sent < E2E_REQUESTS && sent - got < E2E_WINDOW) {
			if (sendto(e2e.client_fd, e2e.req, e2e.req_size, 0, (struct sockaddr *)&to,
				   sizeof(to)) != (ssize_t)e2e.req_size) {
				perror("memcached over veth: send");
				exit(1);
			}
			sent++;
		}
		if (poll(&pfd, 1, 5000) != 1) {
			fprintf(stderr, "memcached over veth: %u of %u requests answered\n", got,
				sent);
			exit(1);
		}
		for (;;) {
			len = sizeof(from);
			n = recvfrom(e2e.client_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
				     &len);
			if (n < 0)
				break;
			if (from.sll_pkttype == PACKET_OUTGOING || n < 42 + BMC_HDR ||
			    buf[34] != BMC_PORT >> 8 || buf[35] != (BMC_PORT & 0xff))
				continue;
			if (n < 42 + BMC_HDR + want || memcmp(buf + 42 + BMC_HDR, e2e.want, want)) {
				fprintf(stderr, "memcached over veth: an answer not \"%s...\"\n",
					e2e.want);
				exit(1);
			}
			got++;
		}
	}
	n = ns_since(&a) / E2E_REQUESTS;
	rex_xdp_detach(e2e.server_if, XDP_FLAGS_DRV_MODE);
	return n;
}

/*
 * The memcached cache end to end: GET hits, which the program answers,
 * and GET misses, which the server does, per answered request (the
 * inverse of the throughput), each program attached in turn; and the
 * hits each program counted.
 */
static void e2e_case(void)
{
	struct contest c = { .n = 2, .names = { "eBPF", "Rex Rust" }, .round = e2e_round };
	pthread_t server;
	const char *why = e2e_setup(&server);
	__u64 hits[2];
	int p;

	if (why) {
		printf("%-36s  not run: %s\n", "memcached over veth", why);
		return;
	}
	c.fds[0] = bmc_fd(0);
	c.fds[1] = bmc_fd(1);
	for (p = 0; p < 2; p++) {
		bmc_fill(p);
		hits[p] = rex_u64_get(bmc_map(p, "stats", "STATS"), BMC_HIT);
	}
	c.what = "memcached over veth: GET hits";
	e2e.want = "VALUE user:1001 ";
	e2e_request("get user:1001\r\n");
	side_by_side(&c);
	for (p = 0; p < 2; p++)
		if (rex_u64_get(bmc_map(p, "stats", "STATS"), BMC_HIT) - hits[p] !=
		    (ROUNDS + 1) * E2E_REQUESTS) {
			fprintf(stderr, "memcached over veth: %s did not answer every hit\n",
				c.names[p]);
			exit(1);
		}
	c.what = "memcached over veth: GET misses";
	e2e.want = "END\r\n";
	e2e_request("get user:9999\r\n");
	side_by_side(&c);
	printf("%-36s  per answered request (%d in flight)\n", "", E2E_WINDOW);
	shutdown(e2e.udp_fd, SHUT_RDWR);
	pthread_join(server, NULL);
	close(e2e.udp_fd);
	close(e2e.client_fd);
}

/* Two programs compared on one row: @a_name, the reference, and @b_name. */
static void pair(const char *what, const char *a_name, int a, const char *b_name, int b)
{
	struct contest c = { .what = what, .n = 2, .names = { a_name, b_name }, .fds = { a, b } };

	side_by_side(&c);
}

int main(int argc, char **argv)
{
	struct rex_object *nocheck = REX_TEST_LOAD(bench_nocheck);
	struct rex_object *faults = REX_TEST_LOAD(xdp_panic);
	unsigned long long normal[ROUNDS], panicking[ROUNDS];
	unsigned int retval;
	struct contest c;
	int budget, panic_fd, i;

	if (argc > 1 && !strcmp(argv[1], "--clock=icount")) {
		unit = "insns";
	} else if (argc > 1 && strcmp(argv[1], "--clock=wall")) {
		fprintf(stderr, "usage: %s [--clock=wall|--clock=icount]\n", argv[0]);
		return 1;
	}
	rex_c = REX_TEST_LOAD(bench);
	/* Empty when the Rust programs could not be built (rust-status). */
	lock_c = REX_TEST_LOAD(bench_lock);
	if (rust_bench_end - rust_bench_start > 0) {
		rex_rust = REX_TEST_LOAD(rust_bench);
		lock_rust = REX_TEST_LOAD(rust_lock);
		bmc_rex = REX_TEST_LOAD(rust_bmc);
	}
	ebpf = bpf_object__open_mem(bench_bpf_start, bench_bpf_end - bench_bpf_start, NULL);
	if (!ebpf || bpf_object__load(ebpf)) {
		fprintf(stderr, "cannot load the eBPF programs (bench.bpf.o)\n");
		return 1;
	}
	bmc_ebpf = bpf_object__open_mem(bmc_bpf_start, bmc_bpf_end - bmc_bpf_start, NULL);
	if (!bmc_ebpf || bpf_object__load(bmc_ebpf)) {
		fprintf(stderr, "cannot load the eBPF programs (bmc.bpf.o)\n");
		return 1;
	}
	printf("Rex benchmark on Linux, %ld CPUs, %s%s\n", sysconf(_SC_NPROCESSORS_ONLN),
	       strcmp(unit, "ns") ?
	       "figures in guest instructions per run (QEMU -icount shift=0)" :
	       "figures in wall-clock ns per run (QEMU TCG: compare ratios, not times)",
	       rex_rust ? "" : "; no Rust programs (see rust-status)");
	printf("x<ratio>: against the first figure of the row\n");
	c = contest("dispatch (smallest XDP program)", "bpf_bench_pass", "rex_bench_pass",
		    "rex_rust_pass");
	side_by_side(&c);
	if (!rex_tracefs_dir()) {
		fprintf(stderr, "no tracefs\n");
		exit(1);
	}
	probe_case(&probe_tp);
	probe_case(&probe_kp);
	c = contest("helper call (array map lookup)", "bpf_bench_lookup", "rex_bench_lookup",
		    "rex_rust_lookup");
	side_by_side(&c);
	c = contest("map-lookup loop (64 + 1 update)", "bpf_bench_loop", "rex_bench_loop",
		    "rex_rust_loop");
	loop_check(&c);
	side_by_side(&c);
	c = contest("flows (5-tuple hash; 64 flows)", "bpf_bench_flow", "rex_bench_flow",
		    "rex_rust_flow");
	c.round = flow_round;
	side_by_side(&c);
	flow_check(&c);
	c = contest("TCP SYN options (8 layouts)", "bpf_bench_syn", "rex_bench_syn",
		    "rex_rust_syn");
	c.round = syn_round;
	syn_check(&c);
	side_by_side(&c);
	c = contest("payload hash (FNV-1a of 512 bytes)", "bpf_bench_hash", "rex_bench_hash",
		    "rex_rust_hash");
	c.round = hash_round;
	hash_check(&c);
	side_by_side(&c);
	if (bmc_rex)
		bmc_case();
	else
		printf("%-36s  no Rust programs: not run\n", "memcached cache");
	c = contest_of(lock_c, lock_rust, "spin lock round trip (and a count)", "bpf_bench_lock",
		       "rex_bench_lock", "rex_rust_lock");
	side_by_side(&c);
	lock_check(&c);
	load_case();
	pair("stack checks (9 function entries)", "none",
	     rex_object__find_prog_fd_by_name(nocheck, "rex_bench_calls"), "check",
	     rex_object__find_prog_fd_by_name(rex_c, "rex_bench_calls"));
	pair("stack check (smallest XDP program)", "none",
	     rex_object__find_prog_fd_by_name(nocheck, "rex_bench_pass"), "check",
	     rex_object__find_prog_fd_by_name(rex_c, "rex_bench_pass"));

	/* Panic: past the first reports, which are rate-limited away. */
	panic_fd = rex_object__find_prog_fd_by_name(faults, "rex_xdp_panic");
	set_mode(faults, 0, REX_PANIC);
	test_run(panic_fd, 20, &retval);
	for (i = 0; i < ROUNDS; i++) {
		set_mode(faults, 0, REX_LEAK);
		normal[i] = test_run(panic_fd, REPEAT / 10, NULL);
		set_mode(faults, 0, REX_PANIC);
		panicking[i] = test_run(panic_fd, REPEAT / 10, &retval);
	}
	printf("%-36s  %-8s %6llu %-5s  %-8s %6llu %-5s  panic path %lld %s\n",
	       "panic (Rex program holding nothing)", "ret", median(normal, ROUNDS), unit, "panic",
	       median(panicking, ROUNDS), unit,
	       (long long)median(panicking, ROUNDS) - (long long)median(normal, ROUNDS), unit);
	csv("panic (Rex program holding nothing)", "ret", median(normal, ROUNDS), unit);
	csv("panic (Rex program holding nothing)", "panic", median(panicking, ROUNDS), unit);

	budget = rex_budget_read();
	if (budget < 0 || rex_budget_set(BUDGET_MS)) {
		fprintf(stderr, "cannot set %s\n", REX_BUDGET_SYSCTL);
		return 1;
	}
	termination(faults, REX_LOOP, "termination of a loop", 15);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		termination(faults, REX_LOCK_LOOP, "termination holding a spin lock", 15);
	rex_budget_set(budget);
	/* Last: it leaves this process in a network namespace of its own. */
	if (bmc_rex)
		e2e_case();

	bpf_object__close(ebpf);
	bpf_object__close(bmc_ebpf);
	rex_object__close(rex_c);
	rex_object__close(lock_c);
	if (rex_rust) {
		rex_object__close(rex_rust);
		rex_object__close(lock_rust);
		rex_object__close(bmc_rex);
	}
	rex_object__close(nocheck);
	rex_object__close(faults);
	return 0;
}
