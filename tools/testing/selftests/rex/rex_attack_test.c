// SPDX-License-Identifier: GPL-2.0
/*
 * Attacks on what the kernel guarantees whatever a Rex program does
 * (Documentation/bpf/rex.rst, "Threat model"): helpers given maps they do
 * not take (a perf event array, a queue, a map with keys) or pointers that
 * are no maps, writes to maps that are read-only
 * for programs, Rex programs in program arrays, maps exclusive to another
 * program, loads from inside the kernel, a return override left behind by
 * a program that panicked, tracepoint programs built for a larger
 * record than the tracepoint's, and user space forging the word of a spin
 * lock programs take.  Each attack must fail cleanly, and what
 * it tried to break must still work afterwards.
 */

#define _GNU_SOURCE
#include <elf.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "rex_test.h"
#include "progs/attach_common.h"
#include "progs/panic_common.h"

REX_IMAGE(map_args);
REX_IMAGE(map_args_kprobe);
REX_IMAGE(xdp_rdonly);
REX_IMAGE(xdp_count);
REX_IMAGE(kprobe_override);
REX_IMAGE(tp_sys_enter);
REX_IMAGE(xdp_panic);

#define KPROBE_FUNC	"__x64_sys_getppid"
#define NR_CALLS	5

static char log_buf[REX_LOG_SIZE];

/* What map_args.c passes, and whether the program must survive it. */
static const struct {
	__u64 mode;
	const char *what;
	bool ok;
} map_arg_modes[] = {
	{ REX_MAP_ARG_OK, "the map the helper takes", true },
	{ REX_MAP_ARG_ARRAY, "an array map", false },
	{ REX_MAP_ARG_OTHER, "a map of another helper's type", false },
	{ REX_MAP_ARG_NOT_MAP, "a stack address", false },
	{ REX_MAP_ARG_INSIDE, "an address inside the map's reference", false },
	{ REX_MAP_ARG_NEXT, "the address after the last map's reference", false },
};

/*
 * The XDP program @name of map_args.c with every wrong map: the program is
 * stopped by a panic before the helper runs, and works afterwards.  An
 * array map is a wrong one unless @array_ok.
 */
static void map_arg_xdp(struct __test_metadata *_metadata, const char *name, bool array_ok)
{
	unsigned char frame[64] = { [12] = 0x08 };
	const char *why = rex_unsupported();
	long long panics = 0;
	struct rex_object *obj;
	unsigned int i, retval;
	int prog, cfg, out;

	if (why)
		SKIP(return, "%s", why);
	obj = REX_TEST_LOAD(map_args);
	prog = rex_object__find_prog_fd_by_name(obj, name);
	ASSERT_LE(0, prog) TH_LOG("no program %s", name);
	cfg = rex_map_fd(_metadata, obj, "cfg");
	out = rex_map_fd(_metadata, obj, "out");
	for (i = 0; i < ARRAY_SIZE(map_arg_modes); i++) {
		__u64 before = rex_array_get(_metadata, out, 0);
		bool ok = map_arg_modes[i].ok ||
			  (array_ok && map_arg_modes[i].mode == REX_MAP_ARG_ARRAY);

		rex_array_set(_metadata, cfg, 0, map_arg_modes[i].mode);
		ASSERT_EQ(0, rex_test_run(prog, frame, sizeof(frame), &retval));
		panics += !ok;
		EXPECT_EQ(ok ? XDP_PASS : XDP_ABORTED, retval)
			TH_LOG("passing %s", map_arg_modes[i].what);
		EXPECT_EQ(before + ok, rex_array_get(_metadata, out, 0))
			TH_LOG("passing %s", map_arg_modes[i].what);
		EXPECT_EQ(panics, rex_fdinfo_value(prog, "rex_panics"));
	}
	EXPECT_TRUE(rex_klog_has("helper called with a map of a type it does not take"));
	EXPECT_TRUE(rex_klog_has("helper called with a pointer that is no map of the program"));
	/* The program still works. */
	rex_array_set(_metadata, cfg, 0, REX_MAP_ARG_OK);
	ASSERT_EQ(0, rex_test_run(prog, frame, sizeof(frame), &retval));
	EXPECT_EQ(XDP_PASS, retval);
	rex_object__close(obj);
}

/*
 * bpf_perf_event_output() (without the check, the helper dereferenced an
 * array map as a perf event array: a kernel crash).
 */
TEST(perf_event_output_map_arg)
{
	map_arg_xdp(_metadata, "rex_xdp_event", false);
}

/* bpf_map_push_elem(): array maps have no push operation to call. */
TEST(push_map_arg)
{
	map_arg_xdp(_metadata, "rex_xdp_push", false);
}

/* bpf_map_lookup_elem() with a queue map, which has no keys. */
TEST(lookup_map_arg)
{
	map_arg_xdp(_metadata, "rex_xdp_lookup", true);
}

/* bpf_get_stackid() from a kprobe program with every wrong map. */
TEST(get_stackid_map_arg)
{
	const char *why = rex_unsupported();
	struct rex_program *prog;
	long long panics = 0;
	struct rex_object *obj;
	struct rex_link *link;
	int cfg, out, fd;
	unsigned int i, n;

	if (why)
		SKIP(return, "%s", why);
	if (!rex_have_kprobe_pmu())
		SKIP(return, REX_NO_KPROBE_PMU);
	obj = REX_TEST_LOAD_ONE(map_args_kprobe, &prog);
	fd = rex_program__fd(prog);
	rex_set_target(_metadata, obj);
	cfg = rex_map_fd(_metadata, obj, "cfg");
	out = rex_map_fd(_metadata, obj, "out");
	link = rex_program__attach_kprobe(prog, false, KPROBE_FUNC);
	ASSERT_NE(NULL, link) TH_LOG("attach: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(map_arg_modes); i++) {
		__u64 before = rex_array_get(_metadata, out, 0);

		rex_array_set(_metadata, cfg, 0, map_arg_modes[i].mode);
		for (n = 0; n < NR_CALLS; n++)
			EXPECT_LT(0, rex_sys_getppid());
		panics += map_arg_modes[i].ok ? 0 : NR_CALLS;
		EXPECT_EQ(before + (map_arg_modes[i].ok ? NR_CALLS : 0),
			  rex_array_get(_metadata, out, 0))
			TH_LOG("passing %s", map_arg_modes[i].what);
		EXPECT_EQ(panics, rex_fdinfo_value(fd, "rex_panics"));
	}
	rex_link__destroy(link);
	rex_object__close(obj);
}

/*
 * A map that is read-only for programs, frozen by user space, as eBPF
 * programs rely on (the verifier folds its values into constants): the
 * Rex program reads it, and its writes and deletes fail with EPERM.
 */
TEST(read_only_map)
{
	unsigned char frame[64] = { [12] = 0x08 };
	const char *why = rex_unsupported();
	struct rex_object *obj;
	union bpf_attr attr;
	unsigned int retval;
	int prog, cfg, out;

	if (why)
		SKIP(return, "%s", why);
	obj = REX_TEST_LOAD(xdp_rdonly);
	prog = rex_object__find_prog_fd_by_name(obj, "rex_xdp_rdonly");
	cfg = rex_map_fd(_metadata, obj, "cfg");
	out = rex_map_fd(_metadata, obj, "out");
	rex_array_set(_metadata, cfg, 0, 7);
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = cfg;
	ASSERT_EQ(0, sys_bpf(BPF_MAP_FREEZE, &attr)) TH_LOG("freeze: %s", strerror(errno));

	ASSERT_EQ(0, rex_test_run(prog, frame, sizeof(frame), &retval));
	EXPECT_EQ(XDP_PASS, retval);
	EXPECT_EQ(7, rex_array_get(_metadata, out, 0));
	EXPECT_EQ((__u64)-EPERM, rex_array_get(_metadata, out, 1));
	EXPECT_EQ((__u64)-EPERM, rex_array_get(_metadata, out, 2));
	EXPECT_EQ(7, rex_array_get(_metadata, cfg, 0));
	rex_object__close(obj);
}

/*
 * A Rex program has no instructions: in a program array, a tail call from
 * an eBPF program would run its empty instruction array (with the JIT off,
 * the interpreter hit a BUG).  The kernel refuses to put it there.
 */
TEST(prog_array_refuses_rex)
{
	const char *why = rex_unsupported();
	struct rex_object *obj;
	union bpf_attr attr;
	__u32 key = 0;
	int array, prog;

	if (why)
		SKIP(return, "%s", why);
	obj = REX_TEST_LOAD(xdp_count);
	prog = rex_object__find_prog_fd_by_name(obj, "rex_xdp_count");
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_PROG_ARRAY;
	attr.key_size = sizeof(__u32);
	attr.value_size = sizeof(__u32);
	attr.max_entries = 1;
	array = sys_bpf(BPF_MAP_CREATE, &attr);
	ASSERT_LE(0, array) TH_LOG("prog array: %s", strerror(errno));
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = array;
	attr.key = ptr_to_u64(&key);
	attr.value = ptr_to_u64(&prog);
	EXPECT_EQ(-1, sys_bpf(BPF_MAP_UPDATE_ELEM, &attr));
	EXPECT_EQ(EINVAL, errno);
	close(array);
	rex_object__close(obj);
}

/* SHA-256 (FIPS 180-4), for the hash a map made exclusive to a program names. */
static void sha256(const unsigned char *data, size_t len, unsigned char out[32])
{
	static const __u32 k[64] = {
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
		0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
		0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
		0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
		0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
		0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
		0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
		0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
		0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
		0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
		0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
	};
	__u32 h[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	size_t total = (len + 9 + 63) / 64 * 64, off, i;
	unsigned char *msg = calloc(1, total);

#define ROR(x, n) ((x) >> (n) | (x) << (32 - (n)))
	if (!msg)
		abort();
	memcpy(msg, data, len);
	msg[len] = 0x80;
	for (i = 0; i < 8; i++)
		msg[total - 1 - i] = (unsigned char)(((__u64)len * 8) >> (8 * i));
	for (off = 0; off < total; off += 64) {
		__u32 w[64], a[8], t1, t2;

		for (i = 0; i < 16; i++)
			w[i] = (__u32)msg[off + 4 * i] << 24 | msg[off + 4 * i + 1] << 16 |
			       msg[off + 4 * i + 2] << 8 | msg[off + 4 * i + 3];
		for (i = 16; i < 64; i++) {
			t1 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
			t2 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
			w[i] = w[i - 16] + t1 + w[i - 7] + t2;
		}
		memcpy(a, h, sizeof(a));
		for (i = 0; i < 64; i++) {
			t1 = a[7] + (ROR(a[4], 6) ^ ROR(a[4], 11) ^ ROR(a[4], 25)) +
			     ((a[4] & a[5]) ^ (~a[4] & a[6])) + k[i] + w[i];
			t2 = (ROR(a[0], 2) ^ ROR(a[0], 13) ^ ROR(a[0], 22)) +
			     ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]));
			memmove(&a[1], &a[0], 7 * sizeof(a[0]));
			a[4] += t1;
			a[0] = t1 + t2;
		}
		for (i = 0; i < 8; i++)
			h[i] += a[i];
	}
#undef ROR
	for (i = 0; i < 32; i++)
		out[i] = h[i / 4] >> (24 - 8 * (i % 4));
	free(msg);
}

/*
 * A map created exclusive to one program (excl_prog_hash, what signed BPF
 * loaders protect their maps with) binds to the Rex program whose image
 * has that hash, and to no other: a one-byte change of the image is
 * refused.
 */
TEST(exclusive_map)
{
	size_t len = xdp_count_end - xdp_count_start;
	const char *why = rex_unsupported();
	unsigned char hash[32], *image;
	union bpf_attr attr;
	int map, fd;

	if (why)
		SKIP(return, "%s", why);
	image = malloc(len);
	ASSERT_NE(NULL, image);
	memcpy(image, xdp_count_start, len);
	sha256(image, len, hash);
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_HASH;
	attr.key_size = sizeof(__u32);
	attr.value_size = sizeof(__u64);
	attr.max_entries = 64;
	attr.excl_prog_hash = ptr_to_u64(hash);
	attr.excl_prog_hash_size = sizeof(hash);
	map = sys_bpf(BPF_MAP_CREATE, &attr);
	ASSERT_LE(0, map) TH_LOG("map: %s", strerror(errno));

	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, image, len, "rex_xdp_count", log_buf,
		      sizeof(log_buf));
	attr.fd_array = ptr_to_u64(&map);
	attr.fd_array_cnt = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	EXPECT_LE(0, fd) TH_LOG("the image the map is exclusive to: %s", log_buf);
	if (fd >= 0)
		close(fd);

	/* A byte of the ELF header's padding: the same program, another hash. */
	image[EI_PAD] ^= 1;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EACCES, errno);
	EXPECT_NE(NULL, strstr(log_buf, "exclusive to a program whose hash is not the image's"))
		TH_LOG("log: %s", log_buf);
	if (fd >= 0)
		close(fd);
	close(map);
	free(image);
}

/*
 * BPF_PROG_LOAD of a Rex image from a BPF program (bpf_sys_bpf() of a
 * syscall program, the light skeleton's loader): native code is loaded
 * from user space only.  The syscall program passes its context, a
 * union bpf_attr, to BPF_PROG_LOAD and returns the result.
 */
TEST(load_from_kernel_refused)
{
	size_t len = xdp_count_end - xdp_count_start;
	const char *why = rex_unsupported();
	union bpf_attr attr, load;
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_REG_1 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1,
		  .imm = BPF_PROG_LOAD },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3,
		  .imm = sizeof(union bpf_attr) },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_sys_bpf },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int map, syscall_prog;

	if (why)
		SKIP(return, "%s", why);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SYSCALL;
	attr.prog_flags = BPF_F_SLEEPABLE;
	attr.insns = ptr_to_u64(insns);
	attr.insn_cnt = ARRAY_SIZE(insns);
	attr.license = ptr_to_u64("GPL");
	syscall_prog = sys_bpf(BPF_PROG_LOAD, &attr);
	if (syscall_prog < 0)
		SKIP(return, "no syscall BPF programs: %s", strerror(errno));

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_HASH;
	attr.key_size = sizeof(__u32);
	attr.value_size = sizeof(__u64);
	attr.max_entries = 64;
	map = sys_bpf(BPF_MAP_CREATE, &attr);
	ASSERT_LE(0, map);
	rex_attr_init(&load, BPF_PROG_TYPE_XDP, xdp_count_start, len, "rex_xdp_count",
		      NULL, 0);
	load.fd_array = ptr_to_u64(&map);
	load.fd_array_cnt = 1;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = syscall_prog;
	attr.test.ctx_in = ptr_to_u64(&load);
	attr.test.ctx_size_in = sizeof(load);
	ASSERT_EQ(0, sys_bpf(BPF_PROG_TEST_RUN, &attr)) TH_LOG("run: %s", strerror(errno));
	if ((int)attr.test.retval >= 0)
		close((int)attr.test.retval);
	EXPECT_EQ(-EPERM, (int)attr.test.retval);
	close(map);
	close(syscall_prog);
}

/*
 * A kprobe program that asks for a return override and then panics: an
 * aborted program changes nothing, so the probed system call runs and
 * returns its real result.
 */
TEST(override_undone_after_panic)
{
	const char *why = rex_unsupported();
	struct rex_program *prog;
	struct rex_object *obj;
	struct rex_link *link;
	long ppid;
	int i;

	if (why)
		SKIP(return, "%s", why);
	if (!rex_have_kprobe_pmu())
		SKIP(return, REX_NO_KPROBE_PMU);
	obj = REX_TEST_LOAD_ONE(kprobe_override, &prog);
	rex_set_target(_metadata, obj);
	rex_array_set(_metadata, rex_map_fd(_metadata, obj, "cfg"), 0, 1);
	ppid = rex_sys_getppid();
	ASSERT_LT(0, ppid);
	link = rex_program__attach_kprobe(prog, false, KPROBE_FUNC);
	ASSERT_NE(NULL, link) TH_LOG("attach: %s", strerror(errno));
	for (i = 0; i < NR_CALLS; i++)
		EXPECT_EQ(ppid, rex_sys_getppid());
	EXPECT_EQ(NR_CALLS, rex_array_get(_metadata, rex_map_fd(_metadata, obj, "counts"), 0))
		TH_LOG("the program did not ask for the override");
	EXPECT_EQ(NR_CALLS, rex_fdinfo_value(rex_program__fd(prog), "rex_panics"));
	rex_link__destroy(link);
	rex_object__close(obj);
}

/* The program's description in the image, for tp_sys_enter. */
static struct rex_prog_def *find_prog_def(unsigned char *img)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);
	const char *names = (const char *)img + sh[eh->e_shstrndx].sh_offset;
	int i;

	for (i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, REX_PROGS_SECTION))
			return (struct rex_prog_def *)(img + sh[i].sh_offset);
	return NULL;
}

/*
 * A tracepoint program reads the record it was built for: one built for a
 * record larger than raw_syscalls:sys_enter's (64 bytes) could read past
 * the record, and does not attach; one built for the record does.
 */
TEST(tracepoint_record_size)
{
	size_t len = tp_sys_enter_end - tp_sys_enter_start;
	const char *why = rex_unsupported();
	static const __u32 sizes[] = { 64, 65, 4096 };
	struct rex_prog_def *def;
	struct rex_program *prog;
	struct rex_object *obj;
	struct rex_link *link;
	unsigned char *img;
	unsigned int i;

	if (why)
		SKIP(return, "%s", why);
	if (!rex_tracefs_dir())
		SKIP(return, "no tracefs (CONFIG_FTRACE)");
	img = malloc(len);
	ASSERT_NE(NULL, img);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memcpy(img, tp_sys_enter_start, len);
		def = find_prog_def(img);
		ASSERT_NE(NULL, def);
		ASSERT_EQ(64, def->ctx_size);
		def->ctx_size = sizes[i];
		obj = rex_object__open_mem(img, len);
		ASSERT_NE(NULL, obj);
		ASSERT_EQ(0, rex_object__load(obj)) TH_LOG("%s", rex_object__log(obj));
		prog = rex_object__next_program(obj, NULL);
		link = rex_program__attach_tracepoint(prog, "raw_syscalls", "sys_enter");
		if (sizes[i] <= 64) {
			EXPECT_NE(NULL, link) TH_LOG("%u bytes: %s", sizes[i], strerror(errno));
		} else {
			EXPECT_EQ(NULL, link) TH_LOG("%u bytes attached", sizes[i]);
			EXPECT_EQ(EACCES, errno);
		}
		rex_link__destroy(link);
		rex_object__close(obj);
	}
	free(img);
}

struct forge {
	int lk_fd, prog_fd;
	bool stop;		/* read and written with __atomic builtins */
	unsigned long writes;
};

static bool stopped(struct forge *f)
{
	return __atomic_load_n(&f->stop, __ATOMIC_ACQUIRE);
}

/*
 * Write lock words that would stop a program forever, or send a queued
 * lock's slow path to a bogus CPU, if they reached the lock: held, all
 * ones, tail bits set.
 */
static void *forger(void *arg)
{
	static const __u32 words[] = { 1, ~0U, 0xffff0000, 0x00010100, 0x1ff, 0 };
	struct forge *f = arg;
	struct rex_locked v;
	__u32 zero = 0;

	while (!stopped(f)) {
		memset(&v, 0, sizeof(v));
		v.lock.val = words[f->writes % ARRAY_SIZE(words)];
		if (!rex_map_update_elem(f->lk_fd, &zero, &v, 0))
			f->writes++;
	}
	return NULL;
}

struct runner {
	pthread_t thread;
	struct forge *f;
	int cpu;
	unsigned long runs, bad;
};

/* Run the program, which takes the lock, on one CPU until told to stop. */
static void *runner(void *arg)
{
	unsigned char frame[64] = { [12] = 0x08 };
	struct runner *r = arg;
	unsigned int retval;

	rex_pin_to(r->cpu);
	while (!stopped(r->f)) {
		if (rex_test_run(r->f->prog_fd, frame, sizeof(frame), &retval) ||
		    retval != XDP_PASS)
			r->bad++;
		r->runs++;
	}
	return NULL;
}

/*
 * User space writes the spin lock word of the value programs lock, while
 * programs take the lock on every CPU.  The map's BTF makes the lock the
 * kernel's: user space writes and reads around it, so every run takes the
 * lock and returns.  (Without it, one write of a held lock word left the
 * next run spinning with interrupts off: a hard lockup.)
 */
TEST(forged_lock_words)
{
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), i, cfg;
	const char *why = rex_unsupported();
	unsigned char frame[64] = { [12] = 0x08 };
	unsigned long runs = 0, bad = 0;
	struct forge f = { 0 };
	struct runner *runners;
	struct rex_object *obj;
	unsigned int retval;
	struct rex_locked v;
	pthread_t writer;
	__u32 zero = 0;

	if (why)
		SKIP(return, "%s", why);
	obj = REX_TEST_LOAD(xdp_panic);
	f.prog_fd = rex_object__find_prog_fd_by_name(obj, "rex_xdp_panic");
	f.lk_fd = rex_map_fd(_metadata, obj, "lk");
	cfg = rex_map_fd(_metadata, obj, "cfg");
	rex_array_set(_metadata, cfg, 0, 0);
	rex_array_set(_metadata, cfg, 1, REX_LOCK);
	runners = calloc(ncpu, sizeof(*runners));
	ASSERT_NE(NULL, runners);

	ASSERT_EQ(0, pthread_create(&writer, NULL, forger, &f));
	for (i = 0; i < ncpu; i++) {
		runners[i].f = &f;
		runners[i].cpu = i;
		ASSERT_EQ(0, pthread_create(&runners[i].thread, NULL, runner, &runners[i]));
	}
	sleep(2);
	__atomic_store_n(&f.stop, true, __ATOMIC_RELEASE);
	pthread_join(writer, NULL);
	for (i = 0; i < ncpu; i++) {
		pthread_join(runners[i].thread, NULL);
		runs += runners[i].runs;
		bad += runners[i].bad;
	}
	printf("# %lu forged lock words written during %lu runs on %d CPUs\n", f.writes, runs,
	       ncpu);
	EXPECT_LT(0, f.writes);
	EXPECT_LT(0, runs);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, rex_fdinfo_value(f.prog_fd, "rex_panics"));
	EXPECT_EQ(0, rex_fdinfo_value(f.prog_fd, "rex_timeouts"));

	/* User space sees no lock word, and the next run locks and counts. */
	memset(&v, 0xff, sizeof(v));
	v.count = 0;
	v.lock.val = 1;
	ASSERT_EQ(0, rex_map_update_elem(f.lk_fd, &zero, &v, 0));
	ASSERT_EQ(0, rex_map_lookup_elem(f.lk_fd, &zero, &v));
	EXPECT_EQ(0, v.lock.val);
	ASSERT_EQ(0, rex_test_run(f.prog_fd, frame, sizeof(frame), &retval));
	EXPECT_EQ(XDP_PASS, retval);
	ASSERT_EQ(0, rex_map_lookup_elem(f.lk_fd, &zero, &v));
	EXPECT_EQ(1, v.count);
	free(runners);
	rex_object__close(obj);
}

TEST_HARNESS_MAIN
