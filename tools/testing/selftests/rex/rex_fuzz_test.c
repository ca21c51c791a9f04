// SPDX-License-Identifier: GPL-2.0
/*
 * Mutation fuzzer of the Rex loader: take valid images, damage them the
 * way a malformed or hostile image would be damaged (fields of the ELF
 * header, program and section headers, dynamic entries, symbols,
 * relocations and the Rex descriptions set to boundary values, bytes
 * flipped, blocks copied, the file truncated), load each, and never run
 * one.  Every load must return a program or fail with one of the errnos
 * the loader uses and a printable log line; afterwards no program or map
 * is left and the valid images still load and run.  The kernel log is
 * checked for splats by the test runner (KASAN and kmemleak on the debug
 * kernel).
 *
 * The sequence is fixed by a seed: REX_FUZZ_SEED (default 1) and
 * REX_FUZZ_ITERS loads (default 20000; the debug boot of "make test" runs
 * 4000, "make fuzz" a longer campaign).
 */

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>

#include "rex_test.h"

REX_IMAGE(xdp_first_light);
REX_IMAGE(xdp_first_light_relr);
REX_IMAGE(xdp_count);
REX_IMAGE(kprobe_getppid);
REX_IMAGE(tp_sys_enter);
REX_IMAGE(map_args);
REX_IMAGE(map_args_kprobe);

#define MAX_MAPS	8

struct base {
	const char *name;
	const unsigned char *start, *end;
	const char *entry;
	enum bpf_prog_type type;
};

static const struct base bases[] = {
	{ "xdp_first_light", xdp_first_light_start, xdp_first_light_end,
	  "rex_xdp_first_light", BPF_PROG_TYPE_XDP },
	{ "xdp_first_light_relr", xdp_first_light_relr_start, xdp_first_light_relr_end,
	  "rex_xdp_first_light", BPF_PROG_TYPE_XDP },
	{ "xdp_count", xdp_count_start, xdp_count_end, "rex_xdp_count", BPF_PROG_TYPE_XDP },
	{ "kprobe_getppid", kprobe_getppid_start, kprobe_getppid_end, "rex_kprobe_getppid",
	  BPF_PROG_TYPE_KPROBE },
	{ "tp_sys_enter", tp_sys_enter_start, tp_sys_enter_end, "rex_tp_sys_enter",
	  BPF_PROG_TYPE_TRACEPOINT },
	{ "map_args", map_args_start, map_args_end, "rex_xdp_event", BPF_PROG_TYPE_XDP },
	{ "map_args_kprobe", map_args_kprobe_start, map_args_kprobe_end, "rex_kprobe_stackid",
	  BPF_PROG_TYPE_KPROBE },
};

static __u64 rng_state;

/* xorshift64*: the same sequence for the same seed, on any machine. */
static __u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static __u64 below(__u64 n)
{
	return n ? rnd() % n : 0;
}

/* Values at the edges of what loaders check, and some the image holds. */
static __u64 interesting(size_t len)
{
	static const __u64 vals[] = {
		0, 1, 2, 7, 8, 0x10, 0x18, 0x40, 0xfff, 0x1000, 0x1001, 0xffff,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 1ULL << 40,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, ~0ULL - 7,
	};
	__u64 i = below(ARRAY_SIZE(vals) + 4);

	switch ((int)(i - ARRAY_SIZE(vals))) {
	case 0:
		return len;
	case 1:
		return len - 1;
	case 2:
		return len + 1;
	case 3:
		return below(len);
	default:
		return vals[i];
	}
}

struct field {
	unsigned char off, size;
};

/* Overwrite the @size-byte field at @off, if it lies inside the image. */
static void poke(unsigned char *img, size_t len, __u64 off, unsigned int size, __u64 v)
{
	if (off > len || size > len - off)
		return;
	memcpy(img + off, &v, size);
}

/* One field of an array of @n entries of @entsize at @base, set. */
static void poke_table(unsigned char *img, size_t len, __u64 base, __u64 n, __u64 entsize,
		       const struct field *fields, unsigned int nfields)
{
	const struct field *f;

	if (!n || !entsize || base >= len)
		return;
	f = &fields[below(nfields)];
	poke(img, len, base + below(n) * entsize + f->off, f->size, interesting(len));
}

#define FIELD(type, member)	{ offsetof(type, member), sizeof(((type *)0)->member) }

static const struct field ehdr_fields[] = {
	FIELD(Elf64_Ehdr, e_type), FIELD(Elf64_Ehdr, e_machine), FIELD(Elf64_Ehdr, e_entry),
	FIELD(Elf64_Ehdr, e_phoff), FIELD(Elf64_Ehdr, e_shoff), FIELD(Elf64_Ehdr, e_ehsize),
	FIELD(Elf64_Ehdr, e_phentsize), FIELD(Elf64_Ehdr, e_phnum),
	FIELD(Elf64_Ehdr, e_shentsize), FIELD(Elf64_Ehdr, e_shnum),
	FIELD(Elf64_Ehdr, e_shstrndx),
};

static const struct field phdr_fields[] = {
	FIELD(Elf64_Phdr, p_type), FIELD(Elf64_Phdr, p_flags), FIELD(Elf64_Phdr, p_offset),
	FIELD(Elf64_Phdr, p_vaddr), FIELD(Elf64_Phdr, p_filesz), FIELD(Elf64_Phdr, p_memsz),
	FIELD(Elf64_Phdr, p_align),
};

static const struct field shdr_fields[] = {
	FIELD(Elf64_Shdr, sh_name), FIELD(Elf64_Shdr, sh_type), FIELD(Elf64_Shdr, sh_addr),
	FIELD(Elf64_Shdr, sh_offset), FIELD(Elf64_Shdr, sh_size), FIELD(Elf64_Shdr, sh_link),
	FIELD(Elf64_Shdr, sh_entsize),
};

static const struct field dyn_fields[] = {
	FIELD(Elf64_Dyn, d_tag), FIELD(Elf64_Dyn, d_un),
};

static const struct field sym_fields[] = {
	FIELD(Elf64_Sym, st_name), FIELD(Elf64_Sym, st_info), FIELD(Elf64_Sym, st_shndx),
	FIELD(Elf64_Sym, st_value), FIELD(Elf64_Sym, st_size),
};

static const struct field rela_fields[] = {
	FIELD(Elf64_Rela, r_offset), FIELD(Elf64_Rela, r_info), FIELD(Elf64_Rela, r_addend),
};

static const struct field prog_fields[] = {
	FIELD(struct rex_prog_def, size),
	FIELD(struct rex_prog_def, prog_type), FIELD(struct rex_prog_def, stack_size),
	FIELD(struct rex_prog_def, ctx_size), FIELD(struct rex_prog_def, entry),
};

static const struct field byte_field[] = { { 0, 1 } };

static const struct field map_fields[] = {
	FIELD(struct rex_map_def, size),
	FIELD(struct rex_map_def, map_type), FIELD(struct rex_map_def, key_size),
	FIELD(struct rex_map_def, value_size), FIELD(struct rex_map_def, max_entries),
	FIELD(struct rex_map_def, map_flags), FIELD(struct rex_map_def, name),
};

/* The section headers of the pristine image, read before any damage. */
static const Elf64_Shdr *pristine_shdrs(const unsigned char *img, unsigned int *n)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;

	*n = eh->e_shnum;
	return (const Elf64_Shdr *)(img + eh->e_shoff);
}

/* The section of the pristine image of type @type (or named @name). */
static const Elf64_Shdr *find_sec(const unsigned char *img, unsigned int type, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	unsigned int i, n;
	const Elf64_Shdr *sh = pristine_shdrs(img, &n);
	const char *names = (const char *)img + sh[eh->e_shstrndx].sh_offset;

	for (i = 0; i < n; i++)
		if (name ? !strcmp(names + sh[i].sh_name, name) : sh[i].sh_type == type)
			return &sh[i];
	return NULL;
}

static void poke_section(unsigned char *img, size_t len, const unsigned char *orig,
			 unsigned int type, const char *name, size_t entsize,
			 const struct field *fields, unsigned int nfields)
{
	const Elf64_Shdr *sh = find_sec(orig, type, name);

	if (sh)
		poke_table(img, len, sh->sh_offset, sh->sh_size / entsize, entsize, fields,
			   nfields);
}

/* Damage @img (a copy of @orig, @len bytes); returns the new length. */
static size_t mutate(unsigned char *img, size_t len, const unsigned char *orig)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)orig;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(orig + eh->e_phoff);
	unsigned int i, rounds = 1 + below(3);
	__u64 off, n;

	for (i = 0; i < rounds; i++) {
		switch (below(13)) {
		case 0:
			img[below(len)] ^= 1 << below(8);
			break;
		case 1:
			poke_table(img, len, 0, 1, sizeof(Elf64_Ehdr), ehdr_fields,
				   ARRAY_SIZE(ehdr_fields));
			break;
		case 2:
			poke_table(img, len, eh->e_phoff, eh->e_phnum, sizeof(Elf64_Phdr),
				   phdr_fields, ARRAY_SIZE(phdr_fields));
			break;
		case 3:
			poke_table(img, len, eh->e_shoff, eh->e_shnum, sizeof(Elf64_Shdr),
				   shdr_fields, ARRAY_SIZE(shdr_fields));
			break;
		case 4:
			for (n = 0; n < eh->e_phnum; n++)
				if (ph[n].p_type == PT_DYNAMIC)
					poke_table(img, len, ph[n].p_offset,
						   ph[n].p_filesz / sizeof(Elf64_Dyn),
						   sizeof(Elf64_Dyn), dyn_fields,
						   ARRAY_SIZE(dyn_fields));
			break;
		case 5:
			poke_section(img, len, orig, SHT_DYNSYM, NULL, sizeof(Elf64_Sym),
				     sym_fields, ARRAY_SIZE(sym_fields));
			break;
		case 6:
			poke_section(img, len, orig, SHT_RELA, NULL, sizeof(Elf64_Rela),
				     rela_fields, ARRAY_SIZE(rela_fields));
			break;
		case 7:
			poke_section(img, len, orig, 0, ".rela.plt", sizeof(Elf64_Rela),
				     rela_fields, ARRAY_SIZE(rela_fields));
			break;
		case 8:
			poke_section(img, len, orig, 0, REX_PROGS_SECTION,
				     sizeof(struct rex_prog_def), prog_fields,
				     ARRAY_SIZE(prog_fields));
			break;
		case 9:
			poke_section(img, len, orig, 0, REX_MAPS_SECTION,
				     sizeof(struct rex_map_def), map_fields,
				     ARRAY_SIZE(map_fields));
			break;
		case 10:
			/* A string table byte: names, terminators. */
			poke_section(img, len, orig, SHT_STRTAB, NULL, 1, byte_field, 1);
			break;
		case 11:
			/* One block copied over another. */
			n = 1 + below(64);
			off = below(len);
			if (n <= len && off <= len - n)
				memmove(img + below(len - n + 1), img + off, n);
			break;
		default:
			len = below(len + 1);
			break;
		}
	}
	return len;
}

/* The errnos the loader and the BPF core return for a bad image. */
static bool expected_errno(int err)
{
	switch (err) {
	case EINVAL:
	case ENOENT:
	case E2BIG:
	case EACCES:
	case EOPNOTSUPP:
	case EPERM:
	case ENOSPC:
	case ENOMEM:
		return true;
	default:
		return false;
	}
}

static const char *errno_name(int err)
{
	switch (err) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case E2BIG: return "E2BIG";
	case EACCES: return "EACCES";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EPERM: return "EPERM";
	case ENOSPC: return "ENOSPC";
	case ENOMEM: return "ENOMEM";
	default: return strerror(err);
	}
}

/* Maps for every description of the pristine image, in @fds. */
static unsigned int make_maps(struct __test_metadata *_metadata, const unsigned char *img,
			      int *fds)
{
	const Elf64_Shdr *sh = find_sec(img, 0, REX_MAPS_SECTION);
	const struct rex_map_def *def;
	unsigned int i, n;

	if (!sh)
		return 0;
	n = sh->sh_size / sizeof(*def);
	def = (const struct rex_map_def *)(img + sh->sh_offset);
	ASSERT_GE(MAX_MAPS, n);
	for (i = 0; i < n; i++) {
		fds[i] = rex_map_create(&def[i]);
		ASSERT_LE(0, fds[i]) TH_LOG("map %s: %s", def[i].name, strerror(-fds[i]));
	}
	return n;
}

/*
 * A fixture only for its timeout: the harness's default of 30 s is short
 * for the debug kernel and for "make fuzz"; the runner's own timeout
 * (settings) still bounds the suite.
 */
FIXTURE(fuzz) {};
FIXTURE_SETUP(fuzz) {}
FIXTURE_TEARDOWN(fuzz) {}

TEST_F_TIMEOUT(fuzz, mutated_images, 6 * 3600)
{
	unsigned long iters = 20000, seed = 1, i, accepted = 0, bad = 0;
	unsigned long by_errno[160] = { 0 }, by_base[ARRAY_SIZE(bases)] = { 0 };
	const char *why = rex_unsupported(), *env;
	long progs0, maps0, progs, maps;
	int fds[ARRAY_SIZE(bases)][MAX_MAPS];
	unsigned int nmaps[ARRAY_SIZE(bases)], b;
	static char log[REX_LOG_SIZE];
	unsigned char *img;
	union bpf_attr attr;
	time_t t0 = time(NULL);
	size_t len;
	int fd, e;

	if (why)
		SKIP(return, "%s", why);
	env = getenv("REX_FUZZ_ITERS");
	if (env)
		iters = strtoul(env, NULL, 0);
	env = getenv("REX_FUZZ_SEED");
	if (env)
		seed = strtoul(env, NULL, 0);
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	progs0 = rex_count_ids(BPF_PROG_GET_NEXT_ID);
	maps0 = rex_count_ids(BPF_MAP_GET_NEXT_ID);
	ASSERT_LE(0, progs0);
	ASSERT_LE(0, maps0);
	img = malloc(1 << 20);
	ASSERT_NE(NULL, img);
	for (b = 0; b < ARRAY_SIZE(bases); b++)
		nmaps[b] = make_maps(_metadata, bases[b].start, fds[b]);

	for (i = 0; i < iters; i++) {
		const struct base *base = &bases[below(ARRAY_SIZE(bases))];

		b = base - bases;
		len = base->end - base->start;
		memcpy(img, base->start, len);
		len = mutate(img, len, base->start);
		rex_attr_init(&attr, base->type, img, len, base->entry, log, sizeof(log));
		attr.fd_array = ptr_to_u64(fds[b]);
		attr.fd_array_cnt = nmaps[b];
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
		by_base[b]++;
		if (fd >= 0) {
			/* Loaded, never run: damage the loader does not care about. */
			accepted++;
			close(fd);
			continue;
		}
		e = errno;
		by_errno[e < (int)ARRAY_SIZE(by_errno) ? e : 0]++;
		if (!expected_errno(e) || !strstr(log, "rex: ")) {
			bad++;
			TH_LOG("load %lu (%s): errno %s, log '%s'", i, base->name, errno_name(e),
			       log);
		}
	}
	printf("# %lu loads of mutated images (seed %lu) in %ld s: %lu accepted, %lu refused\n",
	       iters, seed, (long)(time(NULL) - t0), accepted, iters - accepted);
	for (e = 0; e < (int)ARRAY_SIZE(by_errno); e++)
		if (by_errno[e])
			printf("#   %-10s %lu\n", errno_name(e), by_errno[e]);
	for (b = 0; b < ARRAY_SIZE(bases); b++)
		printf("#   from %-20s %lu\n", bases[b].name, by_base[b]);
	EXPECT_EQ(0, bad) TH_LOG("refusals with an unexpected errno or no log line");

	/* Nothing left behind: every program gone, only the test's maps. */
	for (b = 0; b < ARRAY_SIZE(bases); b++)
		for (e = 0; e < (int)nmaps[b]; e++)
			close(fds[b][e]);
	for (i = 0; i < 100; i++) {
		progs = rex_count_ids(BPF_PROG_GET_NEXT_ID);
		maps = rex_count_ids(BPF_MAP_GET_NEXT_ID);
		if (progs == progs0 && maps == maps0)
			break;
		usleep(50 * 1000);
	}
	EXPECT_EQ(progs0, progs);
	EXPECT_EQ(maps0, maps);

	/* The valid images still load and run. */
	fd = rex_load(BPF_PROG_TYPE_XDP, xdp_first_light_start,
		      xdp_first_light_end - xdp_first_light_start, "rex_xdp_first_light",
		      log, sizeof(log));
	ASSERT_LE(0, fd) TH_LOG("%s", log);
	{
		unsigned char pkt[64] = { [12] = 0x08 };
		unsigned int retval = 0;

		EXPECT_EQ(0, rex_test_run(fd, pkt, sizeof(pkt), &retval));
		EXPECT_EQ(XDP_PASS, retval);
	}
	close(fd);
	free(img);
}

TEST_HARNESS_MAIN
