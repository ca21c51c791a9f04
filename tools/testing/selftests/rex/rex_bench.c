// SPDX-License-Identifier: GPL-2.0
/*
 * Rex benchmark, run by "make bench" in the test VM: what the Rex runtime
 * costs, side by side with eBPF in the same boot where eBPF has a
 * counterpart.
 *
 *  - dispatch: the smallest XDP program, Rex and eBPF, run by
 *    BPF_PROG_TEST_RUN (the dispatcher, stack switch and entry state);
 *  - helper call: an XDP program that counts in an array map through
 *    bpf_map_lookup_elem() (Rex: through the helper gate and wrapper;
 *    eBPF: the JIT inlines the array lookup);
 *  - stack checks: a Rex program that makes 8 function calls, and the
 *    smallest XDP program, built with and without the stack check at
 *    every function entry;
 *  - panic: a Rex program that panics on every run against the same
 *    program returning normally, past the rate limit of panic reports;
 *  - termination latency: how long after its budget a looping program is
 *    back at the attach point, with interrupts enabled (stopped by the
 *    watchdog timer of its CPU) and disabled (inside a spin lock, stopped by
 *    an NMI from the other CPU).
 *
 * Times are the kernel's own BPF_PROG_TEST_RUN averages (ns per run),
 * medians of 7 rounds that alternate the two programs compared.  With
 * --clock=icount (make bench's second boot, QEMU -icount shift=0) the
 * guest's clock advances one ns per executed instruction, and the same
 * figures are guest instructions per run: they do not move with the
 * host's load.  Every line names its unit.  Not a test: it is installed
 * with the selftests but not run by them.
 */

#include <stdlib.h>

#define REX_NO_HARNESS
#include "rex_test.h"
#include "progs/panic_common.h"

REX_IMAGE(bench);
REX_IMAGE(bench_nocheck);
REX_IMAGE(xdp_panic);

#define ROUNDS		7
#define REPEAT		100000
#define BUDGET_MS	10

/* "ns" (wall clock), or "insns" under --clock=icount. */
static const char *unit = "ns";

/* eBPF: count in the array map @map_fd, return XDP_PASS. */
static int ebpf_lookup_load(int map_fd)
{
	struct bpf_insn insns[] = {
		/* *(u32 *)(r10 - 4) = 0 */
		{ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10, .off = -4 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -4 },
		/* r1 = map */
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
		{ 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem },
		{ .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_0, .off = 2 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1 },
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = BPF_REG_0,
		  .src_reg = BPF_REG_1, .imm = BPF_ADD },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = ARRAY_SIZE(insns);
	attr.license = ptr_to_u64("GPL");
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

/* Average ns per run of @fd over @repeat runs, or exit. */
static unsigned long long test_run(int fd, unsigned int repeat, unsigned int *retval)
{
	unsigned char frame[64] = { [12] = 0x08 };
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = ptr_to_u64(frame);
	attr.test.data_size_in = sizeof(frame);
	attr.test.repeat = repeat;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr)) {
		perror("BPF_PROG_TEST_RUN");
		exit(1);
	}
	if (retval)
		*retval = attr.test.retval;
	return attr.test.duration;
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

/* Median ns per run of @a and @b, measured in alternating rounds. */
static void side_by_side(const char *what, const char *a_name, int a, const char *b_name, int b)
{
	unsigned long long ta[ROUNDS], tb[ROUNDS], ma, mb;
	int i;

	test_run(a, REPEAT, NULL);	/* warm up */
	test_run(b, REPEAT, NULL);
	for (i = 0; i < ROUNDS; i++) {
		ta[i] = test_run(a, REPEAT, NULL);
		tb[i] = test_run(b, REPEAT, NULL);
	}
	ma = median(ta, ROUNDS);
	mb = median(tb, ROUNDS);
	printf("%-34s %-5s %6llu %-5s  %-5s %6llu %-5s  ratio %.2f\n", what, a_name, ma, unit,
	       b_name, mb, unit, ma ? (double)mb / ma : 0.0);
}

static void set_mode(struct rex_object *obj, __u64 n, __u64 mode)
{
	int fd = rex_object__find_map_fd_by_name(obj, "cfg");
	__u32 zero = 0, one = 1;

	rex_map_update_elem(fd, &zero, &n, 0);
	rex_map_update_elem(fd, &one, &mode, 0);
}

/* Run the looping program @runs times; print how long past its budget each took. */
static void termination(struct rex_object *obj, __u64 mode, const char *what, int runs)
{
	int fd = rex_object__find_prog_fd_by_name(obj, "rex_xdp_panic");
	unsigned long long late[16];
	unsigned int retval;
	int i;

	set_mode(obj, 0, mode);
	for (i = 0; i < runs; i++) {
		unsigned long long ns = test_run(fd, 1, &retval);

		if (retval != XDP_ABORTED) {
			fprintf(stderr, "%s: the loop was not stopped\n", what);
			exit(1);
		}
		late[i] = ns > BUDGET_MS * 1000000ULL ? ns - BUDGET_MS * 1000000ULL : 0;
	}
	qsort(late, runs, sizeof(late[0]), cmp);
	printf("%-34s budget %d ms, stopped after it: min %.2f ms, median %.2f ms, max %.2f ms%s\n",
	       what, BUDGET_MS, late[0] / 1e6, late[runs / 2] / 1e6, late[runs - 1] / 1e6,
	       strcmp(unit, "ns") ? " (guest time: 1 ms = 1M insns)" : "");
}

int main(int argc, char **argv)
{
	struct rex_object *bench = REX_TEST_LOAD(bench);
	struct rex_object *nocheck = REX_TEST_LOAD(bench_nocheck);
	struct rex_object *faults = REX_TEST_LOAD(xdp_panic);
	int ebpf_pass = ebpf_xdp_load(), ebpf_lookup, panic_fd, i;
	unsigned long long normal[ROUNDS], panicking[ROUNDS];
	unsigned int retval;
	int budget;

	if (argc > 1 && !strcmp(argv[1], "--clock=icount"))
		unit = "insns";
	else if (argc > 1 && strcmp(argv[1], "--clock=wall")) {
		fprintf(stderr, "usage: %s [--clock=wall|--clock=icount]\n", argv[0]);
		return 1;
	}
	ebpf_lookup = ebpf_lookup_load(rex_object__find_map_fd_by_name(bench, "counter"));
	if (ebpf_pass < 0 || ebpf_lookup < 0) {
		perror("eBPF program load");
		return 1;
	}
	printf("Rex benchmark on Linux, %ld CPUs, %s\n", sysconf(_SC_NPROCESSORS_ONLN),
	       strcmp(unit, "ns") ?
	       "figures in guest instructions per run (QEMU -icount shift=0)" :
	       "figures in wall-clock ns per run (QEMU TCG: compare ratios, not times)");
	side_by_side("dispatch (smallest XDP program)", "eBPF", ebpf_pass, "Rex",
		     rex_object__find_prog_fd_by_name(bench, "rex_bench_pass"));
	side_by_side("helper call (array map lookup)", "eBPF", ebpf_lookup, "Rex",
		     rex_object__find_prog_fd_by_name(bench, "rex_bench_lookup"));
	side_by_side("stack checks (9 function entries)", "none",
		     rex_object__find_prog_fd_by_name(nocheck, "rex_bench_calls"), "check",
		     rex_object__find_prog_fd_by_name(bench, "rex_bench_calls"));
	side_by_side("stack check (smallest XDP program)", "none",
		     rex_object__find_prog_fd_by_name(nocheck, "rex_bench_pass"), "check",
		     rex_object__find_prog_fd_by_name(bench, "rex_bench_pass"));

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
	printf("%-34s %-5s %6llu %-5s  %-5s %6llu %-5s  panic path %lld %s\n",
	       "panic (Rex program, no resources)", "ret", median(normal, ROUNDS), unit, "panic",
	       median(panicking, ROUNDS), unit,
	       (long long)median(panicking, ROUNDS) - (long long)median(normal, ROUNDS), unit);

	budget = rex_budget_read();
	if (budget < 0 || rex_budget_set(BUDGET_MS)) {
		fprintf(stderr, "cannot set %s\n", REX_BUDGET_SYSCTL);
		return 1;
	}
	termination(faults, REX_LOOP, "termination, interrupts enabled", 15);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		termination(faults, REX_LOCK_LOOP, "termination, interrupts disabled", 15);
	rex_budget_set(budget);

	rex_object__close(bench);
	rex_object__close(nocheck);
	rex_object__close(faults);
	close(ebpf_pass);
	close(ebpf_lookup);
	return 0;
}
