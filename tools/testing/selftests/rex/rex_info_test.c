// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs as seen by the rest of the kernel: bpf_prog_info (the text
 * as JITed code, map ids, run statistics), kallsyms, fdinfo, perf's
 * ksymbol and BPF events, and stack traces that walk through a program.
 */

#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <linux/perf_event.h>

#include "rex_test.h"

REX_IMAGE(xdp_first_light);
REX_IMAGE(xdp_count);
REX_IMAGE(xdp_stack);
REX_IMAGE(kprobe_stack);
REX_IMAGE(tp_nest);
REX_IMAGE(kprobe_count);

#define FIRST_LIGHT_ENTRY	"rex_xdp_first_light"
#define PROG_NAME		"first_light"

/* The executable part of an image, as the kernel maps it. */
struct text {
	const unsigned char *bytes;	/* file contents of the text segment */
	size_t filesz;
	uint64_t vaddr, memsz;
};

static int image_text(const unsigned char *img, struct text *t)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff);
	int i, n = 0;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X))
			continue;
		t->bytes = img + ph[i].p_offset;
		t->filesz = ph[i].p_filesz;
		t->vaddr = ph[i].p_vaddr;
		t->memsz = ph[i].p_memsz;
		n++;
	}
	return n;
}

static int load_first_light(char *log, size_t log_size)
{
	union bpf_attr attr;

	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, xdp_first_light_start,
		      xdp_first_light_end - xdp_first_light_start, FIRST_LIGHT_ENTRY,
		      log, log_size);
	strcpy(attr.prog_name, PROG_NAME);
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

static void tag_hex(const unsigned char *tag, char *hex)
{
	int i;

	for (i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(hex + 2 * i, "%02x", tag[i]);
}

/* Find "<addr> <type> <name>\t[bpf]" in /proc/kallsyms; returns 0 if there. */
static int kallsyms_has(uint64_t addr, const char *name)
{
	char line[512], sym[256], mod[64];
	unsigned long long a;
	FILE *f;
	char t;
	int found = -1;

	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s %63s", &a, &t, sym, mod) != 4)
			continue;
		if (a == addr && !strcmp(sym, name) && !strcmp(mod, "[bpf]")) {
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Name of the kallsyms symbol containing @addr, with the offset, for logs. */
static void kallsyms_name(uint64_t addr, char *buf, size_t size)
{
	unsigned long long a, best = 0;
	char line[512], sym[256], bsym[256] = "?";
	FILE *f;
	char t;

	f = fopen("/proc/kallsyms", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%llx %c %255s", &a, &t, sym) != 3)
				continue;
			if (a <= addr && a > best) {
				best = a;
				strcpy(bsym, sym);
			}
		}
		fclose(f);
	}
	snprintf(buf, size, "%s+0x%llx", bsym, (unsigned long long)(addr - best));
}

FIXTURE(info) {
	char log[REX_LOG_SIZE];
	int fd;
	struct bpf_prog_info info;
	struct text text;
};

FIXTURE_SETUP(info)
{
	const char *why = rex_unsupported();
	__u32 len = sizeof(self->info);

	self->fd = -1;
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(1, image_text(xdp_first_light_start, &self->text));
	self->fd = load_first_light(self->log, sizeof(self->log));
	ASSERT_LE(0, self->fd) TH_LOG("load: %s", self->log);
	memset(&self->info, 0, sizeof(self->info));
	ASSERT_EQ(0, rex_prog_get_info(self->fd, &self->info, &len));
}

FIXTURE_TEARDOWN(info)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* bpf_prog_info reports the program's text as its JITed code. */
TEST_F(info, jited_text)
{
	__u32 len = sizeof(struct bpf_prog_info);
	struct bpf_prog_info info = {};
	uint64_t plt, plt_off, plt_end, i;
	unsigned int nr_plt;
	unsigned char *code;
	__u64 ksym = 0;
	__u32 flen = 0;

	EXPECT_EQ(BPF_PROG_TYPE_XDP, self->info.type);
	EXPECT_STREQ(PROG_NAME, self->info.name);
	EXPECT_EQ(0, self->info.xlated_prog_len);
	ASSERT_EQ(self->text.memsz, self->info.jited_prog_len);

	code = calloc(1, self->info.jited_prog_len);
	ASSERT_NE(NULL, code);
	info.jited_prog_len = self->info.jited_prog_len;
	info.jited_prog_insns = ptr_to_u64(code);
	info.nr_jited_ksyms = 1;
	info.jited_ksyms = ptr_to_u64(&ksym);
	info.nr_jited_func_lens = 1;
	info.jited_func_lens = ptr_to_u64(&flen);
	ASSERT_EQ(0, rex_prog_get_info(self->fd, &info, &len));
	EXPECT_EQ(1, info.nr_jited_ksyms);
	EXPECT_EQ(1, info.nr_jited_func_lens);
	EXPECT_EQ(self->text.memsz, flen);
	EXPECT_NE(0, ksym);
	/*
	 * The text is mapped unchanged but for the PLT: relocations only touch
	 * data, and the loader makes each PLT entry a direct jump to what it
	 * bound the entry's GOT slot to, in the kernel, or a return.
	 */
	nr_plt = rex_image_plt(xdp_first_light_start, &plt, &plt_off);
	ASSERT_LT(0, nr_plt);		/* __fentry__, at least */
	plt -= self->text.vaddr;
	plt_end = plt + nr_plt * REX_PLT_ENTRY;
	ASSERT_GE(self->text.filesz, plt_end);
	EXPECT_EQ(0, memcmp(code, self->text.bytes, plt));
	EXPECT_EQ(0, memcmp(code + plt_end, self->text.bytes + plt_end,
			    self->text.filesz - plt_end));
	for (i = plt; i < plt_end; i += REX_PLT_ENTRY) {
		uint64_t to;
		int32_t disp;

		if (code[i] == 0xc3)	/* ret: a return thunk nobody needs */
			continue;
		ASSERT_EQ(0xe9, code[i])
			TH_LOG("PLT entry at %#llx not bound", (unsigned long long)i);
		memcpy(&disp, code + i + 1, sizeof(disp));
		to = ksym + i + 5 + disp;
		EXPECT_FALSE(to >= ksym && to < ksym + self->text.memsz)
			TH_LOG("PLT entry at %#llx jumps into the image", (unsigned long long)i);
	}
	free(code);
}

/* The text is in kallsyms as bpf_prog_<tag>_<name>, module [bpf]. */
TEST_F(info, kallsyms)
{
	__u32 len = sizeof(struct bpf_prog_info);
	struct bpf_prog_info info = {};
	char name[64], hex[2 * BPF_TAG_SIZE + 1];
	__u64 ksym = 0;

	info.nr_jited_ksyms = 1;
	info.jited_ksyms = ptr_to_u64(&ksym);
	ASSERT_EQ(0, rex_prog_get_info(self->fd, &info, &len));
	tag_hex(self->info.tag, hex);
	snprintf(name, sizeof(name), "bpf_prog_%s_%s", hex, PROG_NAME);
	EXPECT_EQ(0, kallsyms_has(ksym, name))
		TH_LOG("%s at %llx not in /proc/kallsyms", name, (unsigned long long)ksym);
	close(self->fd);
	self->fd = -1;
	/* Gone once the program is freed (deferred through RCU). */
	for (int i = 0; i < 200 && !kallsyms_has(ksym, name); i++)
		usleep(10000);
	EXPECT_NE(0, kallsyms_has(ksym, name));
}

static const char *find_bpftool(void)
{
	static const char *const paths[] = { "/usr/sbin/bpftool", "/usr/bin/bpftool",
					     "/usr/local/sbin/bpftool" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(paths); i++)
		if (!access(paths[i], X_OK))
			return paths[i];
	return NULL;
}

/* Run @cmd; its output (stdout and stderr) in @out.  Returns its status. */
static int run(const char *cmd, char *out, size_t size)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	return pclose(f);
}

/* bpftool lists the program with its type, name and text size. */
TEST_F(info, bpftool_show)
{
	const char *bpftool = find_bpftool();
	char cmd[512], out[4096];

	if (!bpftool)
		SKIP(return, "bpftool is not installed (the test compares its output)");
	snprintf(cmd, sizeof(cmd), "%s prog show id %u 2>&1", bpftool, self->info.id);
	EXPECT_EQ(0, run(cmd, out, sizeof(out)));
	TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "xdp  name " PROG_NAME));
	snprintf(cmd, sizeof(cmd), "jited %uB", self->info.jited_prog_len);
	EXPECT_NE(NULL, strstr(out, cmd)) TH_LOG("no '%s'", cmd);
}

/*
 * "bpftool prog dump jited" writes the program's text.  bpftool refuses
 * to dump JITed code, even into a file, when it was built without a
 * disassembler, as Debian's is; info.jited_text checks the same bytes
 * through bpf_prog_info then.
 */
TEST_F(info, bpftool_dump_jited)
{
	const char *bpftool = find_bpftool();
	char cmd[512], out[4096], dump[] = "/tmp/rex_info_jited.XXXXXX";
	unsigned char *code;
	ssize_t n;
	int fd;

	if (!bpftool)
		SKIP(return, "bpftool is not installed (the test compares its output)");
	fd = mkstemp(dump);
	ASSERT_LE(0, fd);
	snprintf(cmd, sizeof(cmd), "%s prog dump jited id %u file %s 2>&1", bpftool,
		 self->info.id, dump);
	if (run(cmd, out, sizeof(out)) && strstr(out, "No JIT disassembly support")) {
		close(fd);
		unlink(dump);
		SKIP(return, "bpftool has no JIT disassembler");
	}
	code = calloc(1, self->info.jited_prog_len + 1);
	ASSERT_NE(NULL, code);
	n = read(fd, code, self->info.jited_prog_len + 1);
	close(fd);
	unlink(dump);
	EXPECT_EQ(self->info.jited_prog_len, n) TH_LOG("%s", out);
	EXPECT_EQ(0, memcmp(code, self->text.bytes, self->text.filesz));
	free(code);
}

/* fdinfo names the program a Rex program and carries BPF's usual lines. */
TEST_F(info, fdinfo)
{
	char path[64], buf[2048], hex[2 * BPF_TAG_SIZE + 1], want[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_NE(NULL, strstr(buf, "rex:\t1\n")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "prog_type:\t6\n"));
	tag_hex(self->info.tag, hex);
	snprintf(want, sizeof(want), "prog_tag:\t%s\n", hex);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("%s", buf);
}

/* BPF run-time statistics count Rex runs like eBPF runs. */
TEST_F(info, run_stats)
{
	unsigned char frame[64] = { [12] = 0x08, [13] = 0x00 };
	__u32 len = sizeof(struct bpf_prog_info);
	struct bpf_prog_info info = {};
	union bpf_attr attr;
	int stats_fd;

	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	stats_fd = sys_bpf(BPF_ENABLE_STATS, &attr);
	ASSERT_LE(0, stats_fd);

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = self->fd;
	attr.test.data_in = ptr_to_u64(frame);
	attr.test.data_size_in = sizeof(frame);
	attr.test.repeat = 10;
	ASSERT_EQ(0, sys_bpf(BPF_PROG_TEST_RUN, &attr));
	EXPECT_EQ(2, attr.test.retval);
	close(stats_fd);

	ASSERT_EQ(0, rex_prog_get_info(self->fd, &info, &len));
	EXPECT_EQ(10, info.run_cnt);
	EXPECT_LT(0, info.run_time_ns);
}

/* The used maps of a program are the maps bound through fd_array. */
TEST(map_ids)
{
	struct bpf_prog_info info = {};
	struct bpf_map_info minfo = {};
	__u32 len = sizeof(info), mlen = sizeof(minfo), ids[4] = {};
	union bpf_attr attr;
	struct rex_object *obj;
	const char *why = rex_unsupported();

	if (why)
		SKIP(return, "%s", why);
	obj = REX_TEST_LOAD(xdp_count);

	info.nr_map_ids = 4;
	info.map_ids = ptr_to_u64(ids);
	ASSERT_EQ(0, rex_prog_get_info(rex_object__find_prog_fd_by_name(obj, "rex_xdp_count"),
				       &info, &len));
	ASSERT_EQ(1, info.nr_map_ids);

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = rex_object__find_map_fd_by_name(obj, "counts");
	attr.info.info_len = mlen;
	attr.info.info = ptr_to_u64(&minfo);
	ASSERT_EQ(0, sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr));
	EXPECT_EQ(minfo.id, ids[0]);
	rex_object__close(obj);
}

static int perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	return syscall(__NR_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

struct ksymbol_record {
	struct perf_event_header header;
	__u64 addr;
	__u32 len;
	__u16 ksym_type;
	__u16 flags;
	char name[];
};

struct bpf_event_record {
	struct perf_event_header header;
	__u16 type;
	__u16 flags;
	__u32 id;
	__u8 tag[BPF_TAG_SIZE];
};

/* perf sees a Rex load as a BPF ksymbol at the program's text and a load event. */
TEST(perf_events)
{
	struct perf_event_attr pattr = {
		.size = sizeof(pattr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_DUMMY,
		.ksymbol = 1,
		.bpf_event = 1,
		.watermark = 1,
		.wakeup_watermark = 1,
	};
	const size_t pages = 1 + 16, psz = sysconf(_SC_PAGESIZE);
	struct perf_event_mmap_page *meta;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char log[4096], hex[2 * BPF_TAG_SIZE + 1], name[64];
	bool saw_ksym = false, saw_load = false;
	__u64 head, pos, ksym = 0;
	unsigned char *data;
	int pfd, fd;
	const char *why = rex_unsupported();

	if (why)
		SKIP(return, "%s", why);
	pfd = perf_event_open(&pattr, 0, -1);
	if (pfd < 0 && (errno == ENOENT || errno == EOPNOTSUPP))
		SKIP(return, "no perf side-band events");
	ASSERT_LE(0, pfd);
	meta = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE, MAP_SHARED, pfd, 0);
	ASSERT_NE(MAP_FAILED, meta);
	data = (unsigned char *)meta + psz;

	fd = load_first_light(log, sizeof(log));
	ASSERT_LE(0, fd) TH_LOG("%s", log);
	info.nr_jited_ksyms = 1;
	info.jited_ksyms = ptr_to_u64(&ksym);
	ASSERT_EQ(0, rex_prog_get_info(fd, &info, &len));
	tag_hex(info.tag, hex);
	snprintf(name, sizeof(name), "bpf_prog_%s_%s", hex, PROG_NAME);

	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	for (pos = meta->data_tail; pos < head;) {
		struct perf_event_header *h = (void *)(data + pos % (16 * psz));
		unsigned char rec[512];
		size_t i;

		if (h->size < sizeof(*h) || h->size > sizeof(rec))
			break;
		for (i = 0; i < h->size; i++)
			rec[i] = data[(pos + i) % (16 * psz)];
		h = (void *)rec;
		if (h->type == PERF_RECORD_KSYMBOL) {
			struct ksymbol_record *k = (void *)rec;

			if (k->ksym_type == PERF_RECORD_KSYMBOL_TYPE_BPF &&
			    !strcmp(k->name, name)) {
				EXPECT_EQ(ksym, k->addr);
				EXPECT_EQ(info.jited_prog_len, k->len);
				EXPECT_EQ(0, k->flags);
				saw_ksym = true;
			}
		} else if (h->type == PERF_RECORD_BPF_EVENT) {
			struct bpf_event_record *b = (void *)rec;

			if (b->id == info.id && b->type == PERF_BPF_EVENT_PROG_LOAD) {
				EXPECT_EQ(0, memcmp(b->tag, info.tag, BPF_TAG_SIZE));
				saw_load = true;
			}
		}
		pos += h->size;
	}
	EXPECT_TRUE(saw_ksym) TH_LOG("no PERF_RECORD_KSYMBOL for %s", name);
	EXPECT_TRUE(saw_load) TH_LOG("no PERF_RECORD_BPF_EVENT load of prog %u", info.id);
	close(fd);
	munmap(meta, pages * psz);
	close(pfd);
}

/*
 * A stack trace taken inside a helper called by a Rex program walks through
 * the program: a Rex kprobe program records the stack in a function the
 * helper calls while a Rex XDP program calls the helper, and one of the
 * recorded stacks must hold a return address inside the XDP program's text.
 *
 * The probe is not on the helper itself: at a function's first instruction
 * the frame pointer still belongs to the caller, so a frame pointer
 * unwinder starting from the probe's registers cannot see the caller.
 */
TEST(stack_through_program)
{
	unsigned char frame[64] = { [12] = 0x08, [13] = 0x00 };
	struct rex_object *xdp, *kp;
	struct rex_link *link;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), key, next, *prev = NULL;
	__u64 ips[32], ksym = 0;
	unsigned int retval;
	int i, xfd, stacks_fd, found = -1;
	char sym[300];
	const char *why = rex_unsupported();

	if (why)
		SKIP(return, "%s", why);
	if (!rex_have_kprobe_pmu())
		SKIP(return, REX_NO_KPROBE_PMU);

	xdp = REX_TEST_LOAD(xdp_stack);
	kp = REX_TEST_LOAD(kprobe_stack);

	xfd = rex_object__find_prog_fd_by_name(xdp, "rex_xdp_stack");
	info.nr_jited_ksyms = 1;
	info.jited_ksyms = ptr_to_u64(&ksym);
	ASSERT_EQ(0, rex_prog_get_info(xfd, &info, &len));

	/* bpf_get_prandom_u32() is bpf_user_rnd_u32(), which calls this. */
	link = rex_program__attach_kprobe(rex_object__find_program_by_name(kp, "rex_kprobe_stack"),
					  false, "prandom_u32_state");
	ASSERT_NE(NULL, link) TH_LOG("attach kprobe: %s", strerror(errno));
	ASSERT_EQ(0, rex_test_run(xfd, frame, sizeof(frame), &retval));
	EXPECT_EQ(2, retval);
	rex_link__destroy(link);

	/* Other callers of the function may have left stacks too. */
	stacks_fd = rex_object__find_map_fd_by_name(kp, "stacks");
	while (found < 0 && !rex_map_get_next_key(stacks_fd, prev, &next)) {
		key = next;
		prev = &key;
		memset(ips, 0, sizeof(ips));
		if (rex_map_lookup_elem(stacks_fd, &key, ips))
			continue;
		for (i = 0; i < 32 && ips[i]; i++)
			if (ips[i] >= ksym && ips[i] < ksym + info.jited_prog_len)
				found = key;
	}
	ASSERT_LE(0, found) TH_LOG("no recorded stack has a frame in the program's text at %llx",
				   (unsigned long long)ksym);
	for (i = 0; i < 32 && ips[i]; i++) {
		kallsyms_name(ips[i], sym, sizeof(sym));
		TH_LOG("  #%d %016llx %s", i, (unsigned long long)ips[i], sym);
	}
	rex_object__close(kp);
	rex_object__close(xdp);
}

static __u64 map_u64(struct rex_object *obj, const char *map, __u32 key)
{
	__u64 v = ~0ULL;

	rex_map_lookup_elem(rex_object__find_map_fd_by_name(obj, map), &key, &v);
	return v;
}

/*
 * BPF's recursion guard works for Rex programs unchanged: a kprobe program
 * on a function that a tracepoint program calls does not run inside the
 * tracepoint program, and each such miss is counted in its recursion_misses.
 */
TEST(recursion_guard)
{
	struct rex_object *tp, *kp;
	struct rex_link *tpl, *kpl;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), zero = 0;
	__u64 tgid = getpid(), runs;
	const int n = 20;
	int i;
	const char *why = rex_unsupported();

	if (why)
		SKIP(return, "%s", why);
	if (!rex_have_kprobe_pmu())
		SKIP(return, REX_NO_KPROBE_PMU);
	if (!rex_tracefs_dir())
		SKIP(return, "no tracefs");

	tp = REX_TEST_LOAD(tp_nest);
	kp = REX_TEST_LOAD(kprobe_count);
	ASSERT_EQ(0, rex_map_update_elem(rex_object__find_map_fd_by_name(tp, "target"),
					 &zero, &tgid, 0));

	kpl = rex_program__attach_kprobe(rex_object__find_program_by_name(kp, "rex_kprobe_count"),
					 false, "prandom_u32_state");
	ASSERT_NE(NULL, kpl) TH_LOG("attach kprobe: %s", strerror(errno));
	tpl = rex_program__attach_tracepoint(rex_object__find_program_by_name(tp, "rex_tp_nest"),
					     "raw_syscalls", "sys_enter");
	ASSERT_NE(NULL, tpl) TH_LOG("attach tracepoint: %s", strerror(errno));
	runs = map_u64(kp, "counts", 0);
	for (i = 0; i < n; i++)
		syscall(__NR_getppid);
	rex_link__destroy(tpl);
	rex_link__destroy(kpl);

	EXPECT_EQ(n, map_u64(tp, "counts", 0));
	ASSERT_EQ(0, rex_prog_get_info(rex_object__find_prog_fd_by_name(kp, "rex_kprobe_count"),
				       &info, &len));
	/* Every nested hit is a miss; other callers may run the program. */
	EXPECT_EQ(n, info.recursion_misses);
	TH_LOG("kprobe program: %llu runs outside, %llu misses inside the tracepoint program",
	       (unsigned long long)(map_u64(kp, "counts", 0) - runs),
	       (unsigned long long)info.recursion_misses);
	rex_object__close(kp);
	rex_object__close(tp);
}

TEST_HARNESS_MAIN
