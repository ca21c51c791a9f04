// SPDX-License-Identifier: GPL-2.0
/*
 * Rex loader rejection corpus: each variant damages one part of a valid
 * image (or of the load attributes) and expects the load to fail with a
 * given errno and a log line naming the problem.  After every refusal the
 * valid image must still load and run, so nothing was left behind that
 * breaks the next load.
 */

#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <linux/rex.h>

#include "rex_test.h"

REX_IMAGE(xdp_first_light);
REX_IMAGE(xdp_import);
REX_IMAGE(xdp_override);
REX_IMAGE(xdp_gpl_only);
REX_IMAGE(kprobe_getppid);
REX_IMAGE(kprobe_override);
REX_IMAGE(xdp_count);
REX_IMAGE(xdp_first_light_relr);

#define ENTRY "rex_xdp_first_light"

static char log_buf[REX_LOG_SIZE];

struct image {
	unsigned char *data;
	size_t len;
	const char *entry;
	enum bpf_prog_type type;
	const char *license;		/* NULL: "GPL" */
	const int *fd_array;
	unsigned int fd_array_cnt;
};

/* Load @img; on failure return -1 with errno set and the kernel log in @log. */
static int load_image(const struct image *img, char *log, size_t log_size)
{
	union bpf_attr attr;

	rex_attr_init(&attr, img->type, img->data, img->len, img->entry, log, log_size);
	if (img->license)
		attr.license = ptr_to_u64(img->license);
	attr.fd_array = ptr_to_u64(img->fd_array);
	attr.fd_array_cnt = img->fd_array_cnt;
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

static Elf64_Ehdr *ehdr(struct image *img)
{
	return (Elf64_Ehdr *)img->data;
}

static Elf64_Phdr *phdr(struct image *img, unsigned int type, unsigned int flags)
{
	Elf64_Phdr *ph = (Elf64_Phdr *)(img->data + ehdr(img)->e_phoff);
	int i;

	for (i = 0; i < ehdr(img)->e_phnum; i++)
		if (ph[i].p_type == type && (ph[i].p_flags & flags) == flags)
			return &ph[i];
	return NULL;
}

static Elf64_Shdr *shdr(struct image *img, unsigned int type)
{
	Elf64_Shdr *sh = (Elf64_Shdr *)(img->data + ehdr(img)->e_shoff);
	int i;

	for (i = 0; i < ehdr(img)->e_shnum; i++)
		if (sh[i].sh_type == type)
			return &sh[i];
	return NULL;
}

/* The section called @name, found through the section name table. */
static Elf64_Shdr *section(struct image *img, const char *name)
{
	Elf64_Shdr *sh = (Elf64_Shdr *)(img->data + ehdr(img)->e_shoff);
	const char *names = (const char *)img->data + sh[ehdr(img)->e_shstrndx].sh_offset;
	int i;

	for (i = 0; i < ehdr(img)->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

/* The map descriptions of the image, *@n of them; NULL without any. */
static struct rex_map_def *map_defs(struct image *img, unsigned int *n)
{
	Elf64_Shdr *sh = section(img, REX_MAPS_SECTION);

	if (!sh || !sh->sh_size)
		return NULL;
	if (n)
		*n = sh->sh_size / sizeof(struct rex_map_def);
	return (struct rex_map_def *)(img->data + sh->sh_offset);
}

/* The image's description of its program, in *@shp its section; or NULL. */
static struct rex_prog_def *prog_def(struct image *img, Elf64_Shdr **shp)
{
	Elf64_Shdr *sh = section(img, REX_PROGS_SECTION);

	if (!sh || sh->sh_size < sizeof(struct rex_prog_def))
		return NULL;
	if (shp)
		*shp = sh;
	return (struct rex_prog_def *)(img->data + sh->sh_offset);
}

static Elf64_Dyn *dyn(struct image *img, long tag)
{
	Elf64_Phdr *ph = phdr(img, PT_DYNAMIC, 0);
	Elf64_Dyn *d = (Elf64_Dyn *)(img->data + ph->p_offset);

	for (; d->d_tag != DT_NULL; d++)
		if (d->d_tag == tag)
			return d;
	return NULL;
}

static Elf64_Rela *rela(struct image *img)
{
	Elf64_Shdr *sh = shdr(img, SHT_RELA);

	return (Elf64_Rela *)(img->data + sh->sh_offset);
}

/* Mutations; each returns 0, or -1 when the image lacks the needed part. */

static int truncate_ehdr(struct image *img)
{
	img->len = sizeof(Elf64_Ehdr) - 1;
	return 0;
}

static int truncate_phdrs(struct image *img)
{
	img->len = ehdr(img)->e_phoff + 8;
	return 0;
}

static int truncate_shdrs(struct image *img)
{
	img->len = ehdr(img)->e_shoff + 8;
	return 0;
}

static int bad_magic(struct image *img)
{
	img->data[EI_MAG1] = 'X';
	return 0;
}

static int class32(struct image *img)
{
	img->data[EI_CLASS] = ELFCLASS32;
	return 0;
}

static int big_endian(struct image *img)
{
	img->data[EI_DATA] = ELFDATA2MSB;
	return 0;
}

static int bad_version(struct image *img)
{
	ehdr(img)->e_version = 2;
	return 0;
}

static int type_exec(struct image *img)
{
	ehdr(img)->e_type = ET_EXEC;
	return 0;
}

static int type_rel(struct image *img)
{
	ehdr(img)->e_type = ET_REL;
	return 0;
}

static int machine_i386(struct image *img)
{
	ehdr(img)->e_machine = EM_386;
	return 0;
}

static int machine_aarch64(struct image *img)
{
	ehdr(img)->e_machine = EM_AARCH64;
	return 0;
}

static int bad_ehsize(struct image *img)
{
	ehdr(img)->e_ehsize = 40;
	return 0;
}

static int bad_phentsize(struct image *img)
{
	ehdr(img)->e_phentsize = 32;
	return 0;
}

static int no_phdrs(struct image *img)
{
	ehdr(img)->e_phnum = 0;
	return 0;
}

static int phdrs_outside(struct image *img)
{
	ehdr(img)->e_phoff = img->len;
	return 0;
}

static int phdrs_unaligned(struct image *img)
{
	ehdr(img)->e_phoff += 1;
	return 0;
}

static int no_shdrs(struct image *img)
{
	ehdr(img)->e_shnum = 0;
	return 0;
}

static int shdrs_outside(struct image *img)
{
	ehdr(img)->e_shoff = ~0ULL - 16;
	return 0;
}

static int bad_shentsize(struct image *img)
{
	ehdr(img)->e_shentsize = 32;
	return 0;
}

static int writable_text(struct image *img)
{
	Elf64_Phdr *ph = phdr(img, PT_LOAD, PF_X);

	if (!ph)
		return -1;
	ph->p_flags |= PF_W;
	return 0;
}

static int executable_data(struct image *img)
{
	Elf64_Phdr *ph = phdr(img, PT_LOAD, PF_W);

	if (!ph)
		return -1;
	ph->p_flags |= PF_X;
	return 0;
}

static int no_text(struct image *img)
{
	Elf64_Phdr *ph = phdr(img, PT_LOAD, PF_X);

	if (!ph)
		return -1;
	ph->p_flags &= ~PF_X;
	return 0;
}

static int filesz_over_memsz(struct image *img)
{
	Elf64_Phdr *ph = phdr(img, PT_LOAD, PF_X);

	if (!ph)
		return -1;
	ph->p_filesz = ph->p_memsz + 1;
	return 0;
}

static int segment_outside_file(struct image *img)
{
	Elf64_Phdr *ph = phdr(img, PT_LOAD, PF_X);

	if (!ph)
		return -1;
	ph->p_offset = img->len;	/* page offset now disagrees too */
	ph->p_vaddr = (ph->p_vaddr & ~0xfffULL) | (img->len & 0xfff);
	return 0;
}

static int segment_small_align(struct image *img)
{
	Elf64_Phdr *ph = phdr(img, PT_LOAD, PF_X);

	if (!ph)
		return -1;
	ph->p_align = 16;
	return 0;
}

static int segment_vaddr_offset_mismatch(struct image *img)
{
	Elf64_Phdr *ph = phdr(img, PT_LOAD, PF_X);

	if (!ph)
		return -1;
	ph->p_vaddr += 8;
	return 0;
}

static int segments_overlap(struct image *img)
{
	Elf64_Phdr *first = phdr(img, PT_LOAD, 0);
	Elf64_Phdr *text = phdr(img, PT_LOAD, PF_X);

	if (!first || !text || first == text)
		return -1;
	text->p_vaddr = first->p_vaddr;
	text->p_offset = first->p_offset;
	return 0;
}

static int segment_oversize(struct image *img)
{
	Elf64_Phdr *ph = phdr(img, PT_LOAD, PF_W);

	if (!ph)
		return -1;
	ph->p_memsz = 64ULL << 20;
	return 0;
}

static int segment_wraps(struct image *img)
{
	Elf64_Phdr *ph = phdr(img, PT_LOAD, PF_W);

	if (!ph)
		return -1;
	ph->p_memsz = ~0ULL - 0x1000;
	return 0;
}

static int retype_phdr(struct image *img, unsigned int type)
{
	Elf64_Phdr *ph = phdr(img, PT_GNU_STACK, 0);

	if (!ph)
		return -1;
	ph->p_type = type;
	return 0;
}

static int tls_segment(struct image *img)
{
	return retype_phdr(img, PT_TLS);
}

static int interp_segment(struct image *img)
{
	return retype_phdr(img, PT_INTERP);
}

static int unknown_segment(struct image *img)
{
	return retype_phdr(img, 0x6ffffff0);
}

static int exec_stack(struct image *img)
{
	Elf64_Phdr *ph = phdr(img, PT_GNU_STACK, 0);

	if (!ph)
		return -1;
	ph->p_flags |= PF_X;
	return 0;
}

static int retag(struct image *img, long tag)
{
	Elf64_Dyn *d = dyn(img, DT_GNU_HASH);

	if (!d)
		return -1;
	d->d_tag = tag;
	return 0;
}

static int dt_needed(struct image *img)
{
	return retag(img, DT_NEEDED);
}

static int dt_textrel(struct image *img)
{
	return retag(img, DT_TEXTREL);
}

static int dt_init(struct image *img)
{
	return retag(img, DT_INIT);
}

static int dt_fini_array(struct image *img)
{
	return retag(img, DT_FINI_ARRAY);
}

static int dt_rel(struct image *img)
{
	return retag(img, DT_REL);
}

static int no_dynsym(struct image *img)
{
	Elf64_Shdr *sh = shdr(img, SHT_DYNSYM);

	if (!sh)
		return -1;
	sh->sh_type = SHT_PROGBITS;
	return 0;
}

static int dynsym_bad_entsize(struct image *img)
{
	Elf64_Shdr *sh = shdr(img, SHT_DYNSYM);

	if (!sh)
		return -1;
	sh->sh_entsize = 16;
	return 0;
}

static int dynsym_bad_link(struct image *img)
{
	Elf64_Shdr *sh = shdr(img, SHT_DYNSYM);

	if (!sh)
		return -1;
	sh->sh_link = 0xffff;
	return 0;
}

static int dynstr_unterminated(struct image *img)
{
	Elf64_Shdr *sh = shdr(img, SHT_DYNSYM);
	Elf64_Shdr *str;

	if (!sh)
		return -1;
	str = (Elf64_Shdr *)(img->data + ehdr(img)->e_shoff) + sh->sh_link;
	img->data[str->sh_offset + str->sh_size - 1] = 'x';
	return 0;
}

static int rela_bad_entsize(struct image *img)
{
	Elf64_Shdr *sh = shdr(img, SHT_RELA);

	if (!sh)
		return -1;
	sh->sh_entsize = 16;
	return 0;
}

static int rel_section(struct image *img)
{
	Elf64_Shdr *sh = shdr(img, SHT_RELA);

	if (!sh)
		return -1;
	sh->sh_type = SHT_REL;
	return 0;
}

static int reloc_outside_image(struct image *img)
{
	if (!shdr(img, SHT_RELA))
		return -1;
	rela(img)->r_offset = 1ULL << 40;
	return 0;
}

static int reloc_into_text(struct image *img)
{
	Elf64_Phdr *text = phdr(img, PT_LOAD, PF_X);

	if (!shdr(img, SHT_RELA) || !text)
		return -1;
	rela(img)->r_offset = text->p_vaddr;
	return 0;
}

static int reloc_unsupported_type(struct image *img)
{
	if (!shdr(img, SHT_RELA))
		return -1;
	rela(img)->r_info = ELF64_R_INFO(0, R_X86_64_PC32);
	return 0;
}

static int reloc_tls_type(struct image *img)
{
	if (!shdr(img, SHT_RELA))
		return -1;
	rela(img)->r_info = ELF64_R_INFO(0, R_X86_64_DTPMOD64);
	return 0;
}

static int reloc_relative_with_symbol(struct image *img)
{
	if (!shdr(img, SHT_RELA))
		return -1;
	rela(img)->r_info = ELF64_R_INFO(1, R_X86_64_RELATIVE);
	return 0;
}

static int reloc_bad_symbol(struct image *img)
{
	if (!shdr(img, SHT_RELA))
		return -1;
	rela(img)->r_info = ELF64_R_INFO(100000, R_X86_64_64);
	return 0;
}

static int entry_missing(struct image *img)
{
	img->entry = "no_such_entry";
	return 0;
}

/* The description names "rex_rules", a data symbol of the image. */
static int entry_not_function(struct image *img)
{
	struct rex_prog_def *def = prog_def(img, NULL);

	if (!def)
		return -1;
	strcpy(def->entry, "rex_rules");
	img->entry = "rex_rules";
	return 0;
}

static int entry_empty(struct image *img)
{
	img->entry = "";
	return 0;
}

static int entry_too_long(struct image *img)
{
	static char name[200];

	memset(name, 'a', sizeof(name) - 1);
	img->entry = name;
	return 0;
}

/*
 * One byte longer than a program description's entry field holds
 * (REX_ENTRY_LEN, NUL included), so no description can name it: refused
 * as too long, not as a program the image does not describe.
 */
static int entry_one_too_long(struct image *img)
{
	static char name[REX_ENTRY_LEN + 1];

	memset(name, 'a', REX_ENTRY_LEN);
	img->entry = name;
	return 0;
}

/* More stack than a Rex stack leaves programs (16 KiB less 4 KiB). */
static int prog_stack_too_big(struct image *img)
{
	struct rex_prog_def *def = prog_def(img, NULL);

	if (!def)
		return -1;
	def->stack_size = 12 * 1024 + 1;
	return 0;
}

/* Only tracepoint programs declare the size of their context. */
static int prog_def_ctx_size(struct image *img)
{
	struct rex_prog_def *def = prog_def(img, NULL);

	if (!def)
		return -1;
	def->ctx_size = 8;
	return 0;
}

static int prog_def_unterminated(struct image *img)
{
	struct rex_prog_def *def = prog_def(img, NULL);

	if (!def)
		return -1;
	memset(def->entry, 'a', sizeof(def->entry));
	return 0;
}

static int prog_defs_size(struct image *img)
{
	Elf64_Shdr *sh;

	if (!prog_def(img, &sh))
		return -1;
	sh->sh_size -= 4;
	return 0;
}

/*
 * A .dynsym section of no entries, all else intact: the entry lookup used
 * a symbol pointer it never set (a NULL dereference in the kernel).  The
 * relocation of the first import (the stack check) now fails first.
 */
static int dynsym_empty(struct image *img)
{
	Elf64_Shdr *sh = shdr(img, SHT_DYNSYM);

	if (!sh)
		return -1;
	sh->sh_size = 0;
	return 0;
}

/* Text relocations asked for through DT_FLAGS instead of DT_TEXTREL. */
static int df_textrel(struct image *img)
{
	Elf64_Dyn *d = dyn(img, DT_FLAGS);

	if (!d)
		return -1;
	d->d_un.d_val |= DF_TEXTREL;
	return 0;
}

/* A second DT_RELA: which table would be applied? */
static int dyn_tag_twice(struct image *img)
{
	return retag(img, DT_RELA);
}

/* A second RELRO segment used to replace the first. */
static int relro_twice(struct image *img)
{
	Elf64_Phdr *relro = phdr(img, PT_GNU_RELRO, 0);
	Elf64_Phdr *stack = phdr(img, PT_GNU_STACK, 0);

	if (!relro || !stack)
		return -1;
	*stack = *relro;
	return 0;
}

/* Two executable segments: the text range would span what lies between. */
static int two_text_segments(struct image *img)
{
	Elf64_Phdr *ph = (Elf64_Phdr *)(img->data + ehdr(img)->e_phoff);
	int i;

	for (i = 0; i < ehdr(img)->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_flags == PF_R) {
			ph[i].p_flags |= PF_X;
			return 0;
		}
	}
	return -1;
}

/*
 * The section names looked up in another string table: .rex.progs is not
 * found by name, and the program's declared stack would not be checked.
 */
static int progs_hidden(struct image *img)
{
	Elf64_Shdr *sh = (Elf64_Shdr *)(img->data + ehdr(img)->e_shoff);
	Elf64_Shdr *dynsym = shdr(img, SHT_DYNSYM);

	if (!dynsym || sh[dynsym->sh_link].sh_type != SHT_STRTAB)
		return -1;
	ehdr(img)->e_shstrndx = dynsym->sh_link;
	return 0;
}

/* Section headers that hide the relocations the dynamic segment names. */
static int relocs_hidden(struct image *img)
{
	Elf64_Shdr *sh = shdr(img, SHT_RELA);

	if (!sh)
		return -1;
	sh->sh_type = SHT_PROGBITS;
	return 0;
}

/* Section headers that show relocations the kernel would not apply. */
static int relocs_extra(struct image *img)
{
	Elf64_Shdr *sh = section(img, REX_PROGS_SECTION);

	if (!sh)
		return -1;
	sh->sh_type = SHT_RELA;
	sh->sh_entsize = sizeof(Elf64_Rela);
	return 0;
}

/* The dynamic segment's symbol table is not the .dynsym section. */
static int symtab_mismatch(struct image *img)
{
	Elf64_Dyn *d = dyn(img, DT_SYMTAB);

	if (!d)
		return -1;
	d->d_un.d_ptr += sizeof(Elf64_Sym);
	return 0;
}

/* A relative relocation that points outside the image. */
static int relative_outside(struct image *img)
{
	if (!shdr(img, SHT_RELA) || ELF64_R_TYPE(rela(img)->r_info) != R_X86_64_RELATIVE)
		return -1;
	rela(img)->r_addend = 1LL << 40;
	return 0;
}

/* The XDP program loaded as a tc program. */
static int prog_type_mismatch(struct image *img)
{
	img->type = BPF_PROG_TYPE_SCHED_CLS;
	return 0;
}

static int swap_image(struct image *img, const unsigned char *start,
		      const unsigned char *end, const char *entry)
{
	img->len = end - start;
	memcpy(img->data, start, img->len);
	img->entry = entry;
	return 0;
}

/* Another image, which imports a function that is no helper. */
static int unknown_import(struct image *img)
{
	return swap_image(img, xdp_import_start, xdp_import_end, "rex_xdp_import");
}

/* bpf_override_return() is for kprobe programs only. */
static int helper_not_for_xdp(struct image *img)
{
	return swap_image(img, xdp_override_start, xdp_override_end, "rex_xdp_override");
}

/* bpf_probe_read_kernel() is gpl_only. */
static int gpl_helper_proprietary(struct image *img)
{
	img->license = "Proprietary";
	return swap_image(img, xdp_gpl_only_start, xdp_gpl_only_end, "rex_xdp_gpl_only");
}

static int unsupported_prog_type(struct image *img)
{
	img->type = BPF_PROG_TYPE_SOCKET_FILTER;
	return 0;
}

static int empty_image(struct image *img)
{
	img->len = 0;
	return 0;
}

static int oversize_image(struct image *img)
{
	img->len = (16U << 20) + 1;
	return 0;
}

FIXTURE(reject) {
	struct image img;
};

FIXTURE_VARIANT(reject) {
	int (*mutate)(struct image *img);
	int err;
	const char *msg;
};

FIXTURE_VARIANT_ADD(reject, truncate_ehdr) {
	.mutate = truncate_ehdr,
	.err = EINVAL,
	.msg = "too small for an ELF header",
};

FIXTURE_VARIANT_ADD(reject, truncate_phdrs) {
	.mutate = truncate_phdrs,
	.err = EINVAL,
	.msg = "program header table",
};

FIXTURE_VARIANT_ADD(reject, truncate_shdrs) {
	.mutate = truncate_shdrs,
	.err = EINVAL,
	.msg = "section header table",
};

FIXTURE_VARIANT_ADD(reject, bad_magic) {
	.mutate = bad_magic,
	.err = EINVAL,
	.msg = "not an ELF image (bad magic)",
};

FIXTURE_VARIANT_ADD(reject, class32) {
	.mutate = class32,
	.err = EINVAL,
	.msg = "ELF class 1 is not ELFCLASS64",
};

FIXTURE_VARIANT_ADD(reject, big_endian) {
	.mutate = big_endian,
	.err = EINVAL,
	.msg = "is not little-endian",
};

FIXTURE_VARIANT_ADD(reject, bad_version) {
	.mutate = bad_version,
	.err = EINVAL,
	.msg = "unsupported ELF version",
};

FIXTURE_VARIANT_ADD(reject, type_exec) {
	.mutate = type_exec,
	.err = EINVAL,
	.msg = "ELF type 2 is not ET_DYN",
};

FIXTURE_VARIANT_ADD(reject, type_rel) {
	.mutate = type_rel,
	.err = EINVAL,
	.msg = "ELF type 1 is not ET_DYN",
};

FIXTURE_VARIANT_ADD(reject, machine_i386) {
	.mutate = machine_i386,
	.err = EINVAL,
	.msg = "ELF machine 3 is not x86-64",
};

FIXTURE_VARIANT_ADD(reject, machine_aarch64) {
	.mutate = machine_aarch64,
	.err = EINVAL,
	.msg = "ELF machine 183 is not x86-64",
};

FIXTURE_VARIANT_ADD(reject, bad_ehsize) {
	.mutate = bad_ehsize,
	.err = EINVAL,
	.msg = "bad ELF header or program header size",
};

FIXTURE_VARIANT_ADD(reject, bad_phentsize) {
	.mutate = bad_phentsize,
	.err = EINVAL,
	.msg = "bad ELF header or program header size",
};

FIXTURE_VARIANT_ADD(reject, no_phdrs) {
	.mutate = no_phdrs,
	.err = EINVAL,
	.msg = "program header table (0 entries",
};

FIXTURE_VARIANT_ADD(reject, phdrs_outside) {
	.mutate = phdrs_outside,
	.err = EINVAL,
	.msg = "program header table",
};

FIXTURE_VARIANT_ADD(reject, phdrs_unaligned) {
	.mutate = phdrs_unaligned,
	.err = EINVAL,
	.msg = "program header table",
};

FIXTURE_VARIANT_ADD(reject, no_shdrs) {
	.mutate = no_shdrs,
	.err = EINVAL,
	.msg = "image has no section headers",
};

FIXTURE_VARIANT_ADD(reject, shdrs_outside) {
	.mutate = shdrs_outside,
	.err = EINVAL,
	.msg = "section header table",
};

FIXTURE_VARIANT_ADD(reject, bad_shentsize) {
	.mutate = bad_shentsize,
	.err = EINVAL,
	.msg = "section header table",
};

FIXTURE_VARIANT_ADD(reject, writable_text) {
	.mutate = writable_text,
	.err = EACCES,
	.msg = "is both writable and executable",
};

FIXTURE_VARIANT_ADD(reject, executable_data) {
	.mutate = executable_data,
	.err = EACCES,
	.msg = "is both writable and executable",
};

FIXTURE_VARIANT_ADD(reject, no_text) {
	.mutate = no_text,
	.err = EINVAL,
	.msg = "image has 0 executable segments, not one",
};

FIXTURE_VARIANT_ADD(reject, filesz_over_memsz) {
	.mutate = filesz_over_memsz,
	.err = EINVAL,
	.msg = "file size",
};

FIXTURE_VARIANT_ADD(reject, segment_outside_file) {
	.mutate = segment_outside_file,
	.err = EINVAL,
	.msg = "file range outside the image",
};

FIXTURE_VARIANT_ADD(reject, segment_small_align) {
	.mutate = segment_small_align,
	.err = EINVAL,
	.msg = "is not page-aligned",
};

FIXTURE_VARIANT_ADD(reject, segment_vaddr_offset_mismatch) {
	.mutate = segment_vaddr_offset_mismatch,
	.err = EINVAL,
	.msg = "is not page-aligned",
};

FIXTURE_VARIANT_ADD(reject, segments_overlap) {
	.mutate = segments_overlap,
	.err = EINVAL,
	.msg = "overlaps or precedes the previous segment",
};

FIXTURE_VARIANT_ADD(reject, segment_oversize) {
	.mutate = segment_oversize,
	.err = E2BIG,
	.msg = "byte image limit",
};

FIXTURE_VARIANT_ADD(reject, segment_wraps) {
	.mutate = segment_wraps,
	.err = E2BIG,
	.msg = "byte image limit",
};

FIXTURE_VARIANT_ADD(reject, tls_segment) {
	.mutate = tls_segment,
	.err = EINVAL,
	.msg = "thread-local storage is not supported",
};

FIXTURE_VARIANT_ADD(reject, interp_segment) {
	.mutate = interp_segment,
	.err = EINVAL,
	.msg = "image asks for an interpreter",
};

FIXTURE_VARIANT_ADD(reject, unknown_segment) {
	.mutate = unknown_segment,
	.err = EINVAL,
	.msg = "unsupported program header type 0x6ffffff0",
};

FIXTURE_VARIANT_ADD(reject, exec_stack) {
	.mutate = exec_stack,
	.err = EACCES,
	.msg = "image asks for an executable stack",
};

FIXTURE_VARIANT_ADD(reject, dt_needed) {
	.mutate = dt_needed,
	.err = EINVAL,
	.msg = "depends on a shared library (DT_NEEDED)",
};

FIXTURE_VARIANT_ADD(reject, dt_textrel) {
	.mutate = dt_textrel,
	.err = EINVAL,
	.msg = "text relocations (DT_TEXTREL)",
};

FIXTURE_VARIANT_ADD(reject, dt_init) {
	.mutate = dt_init,
	.err = EINVAL,
	.msg = "constructors or destructors",
};

FIXTURE_VARIANT_ADD(reject, dt_fini_array) {
	.mutate = dt_fini_array,
	.err = EINVAL,
	.msg = "constructors or destructors",
};

FIXTURE_VARIANT_ADD(reject, dt_rel) {
	.mutate = dt_rel,
	.err = EINVAL,
	.msg = "REL relocations are not supported",
};

FIXTURE_VARIANT_ADD(reject, no_dynsym) {
	.mutate = no_dynsym,
	.err = EINVAL,
	.msg = "image has no dynamic symbol table",
};

FIXTURE_VARIANT_ADD(reject, dynsym_bad_entsize) {
	.mutate = dynsym_bad_entsize,
	.err = EINVAL,
	.msg = "bad dynamic symbol table",
};

FIXTURE_VARIANT_ADD(reject, dynsym_bad_link) {
	.mutate = dynsym_bad_link,
	.err = EINVAL,
	.msg = "string table index 65535 out of range",
};

FIXTURE_VARIANT_ADD(reject, dynstr_unterminated) {
	.mutate = dynstr_unterminated,
	.err = EINVAL,
	.msg = "bad dynamic string table",
};

FIXTURE_VARIANT_ADD(reject, rela_bad_entsize) {
	.mutate = rela_bad_entsize,
	.err = EINVAL,
	.msg = "bad relocation table",
};

FIXTURE_VARIANT_ADD(reject, rel_section) {
	.mutate = rel_section,
	.err = EINVAL,
	.msg = "REL relocations are not supported",
};

FIXTURE_VARIANT_ADD(reject, reloc_outside_image) {
	.mutate = reloc_outside_image,
	.err = EINVAL,
	.msg = "is not inside a writable segment",
};

FIXTURE_VARIANT_ADD(reject, reloc_into_text) {
	.mutate = reloc_into_text,
	.err = EINVAL,
	.msg = "is not inside a writable segment",
};

FIXTURE_VARIANT_ADD(reject, reloc_unsupported_type) {
	.mutate = reloc_unsupported_type,
	.err = EINVAL,
	.msg = "unsupported type 2",
};

FIXTURE_VARIANT_ADD(reject, reloc_tls_type) {
	.mutate = reloc_tls_type,
	.err = EINVAL,
	.msg = "unsupported type 16",
};

FIXTURE_VARIANT_ADD(reject, reloc_relative_with_symbol) {
	.mutate = reloc_relative_with_symbol,
	.err = EINVAL,
	.msg = "relative relocation with a symbol",
};

FIXTURE_VARIANT_ADD(reject, reloc_bad_symbol) {
	.mutate = reloc_bad_symbol,
	.err = EINVAL,
	.msg = "symbol index 100000 out of range",
};

FIXTURE_VARIANT_ADD(reject, entry_missing) {
	.mutate = entry_missing,
	.err = ENOENT,
	.msg = "program 'no_such_entry' has no description in .rex.progs",
};

FIXTURE_VARIANT_ADD(reject, entry_not_function) {
	.mutate = entry_not_function,
	.err = EINVAL,
	.msg = "entry symbol 'rex_rules' is not a function",
};

FIXTURE_VARIANT_ADD(reject, entry_empty) {
	.mutate = entry_empty,
	.err = EINVAL,
	.msg = "entry symbol name is empty or longer than",
};

FIXTURE_VARIANT_ADD(reject, entry_too_long) {
	.mutate = entry_too_long,
	.err = EINVAL,
	.msg = "entry symbol name is empty or longer than",
};

FIXTURE_VARIANT_ADD(reject, entry_one_too_long) {
	.mutate = entry_one_too_long,
	.err = EINVAL,
	.msg = "entry symbol name is empty or longer than 63 bytes",
};

FIXTURE_VARIANT_ADD(reject, unknown_import) {
	.mutate = unknown_import,
	.err = ENOENT,
	.msg = "unknown import 'rex_no_such_helper'",
};

FIXTURE_VARIANT_ADD(reject, helper_not_for_xdp) {
	.mutate = helper_not_for_xdp,
	.err = EINVAL,
	.msg = "rex: helper 'bpf_override_return' is not available to xdp programs",
};

FIXTURE_VARIANT_ADD(reject, gpl_helper_proprietary) {
	.mutate = gpl_helper_proprietary,
	.err = EINVAL,
	.msg = "rex: helper 'bpf_probe_read_kernel' needs a GPL-compatible license",
};

FIXTURE_VARIANT_ADD(reject, unsupported_prog_type) {
	.mutate = unsupported_prog_type,
	.err = EINVAL,
	.msg = "program type 1 with expected attach type 0 is not supported",
};

FIXTURE_VARIANT_ADD(reject, empty_image) {
	.mutate = empty_image,
	.err = E2BIG,
	.msg = "image size 0 is not in 1..",
};

FIXTURE_VARIANT_ADD(reject, oversize_image) {
	.mutate = oversize_image,
	.err = E2BIG,
	.msg = "image size 16777217 is not in 1..",
};

FIXTURE_SETUP(reject)
{
	const char *why = rex_unsupported();

	if (why)
		SKIP(return, "%s", why);
	/* Room for the largest image and the oversize attribute. */
	self->img.data = calloc(1, (16U << 20) + 1);
	ASSERT_NE(NULL, self->img.data);
	self->img.len = xdp_first_light_end - xdp_first_light_start;
	memcpy(self->img.data, xdp_first_light_start, self->img.len);
	self->img.entry = ENTRY;
	self->img.type = BPF_PROG_TYPE_XDP;
}

FIXTURE_TEARDOWN(reject)
{
	free(self->img.data);
}

/* The valid image loads and passes an IPv4 frame. */
static void expect_good_load(struct __test_metadata *_metadata)
{
	unsigned char pkt[64] = { [12] = 0x08, [13] = 0x00 };
	unsigned int retval = 0;
	int fd;

	fd = rex_load(BPF_PROG_TYPE_XDP, xdp_first_light_start,
		      xdp_first_light_end - xdp_first_light_start, ENTRY,
		      log_buf, sizeof(log_buf));
	ASSERT_LE(0, fd) TH_LOG("valid image refused: %s", log_buf);
	EXPECT_EQ(0, rex_test_run(fd, pkt, sizeof(pkt), &retval));
	EXPECT_EQ(2, retval);
	close(fd);
}

FIXTURE_VARIANT_ADD(reject, prog_stack_too_big) {
	.mutate = prog_stack_too_big,
	.err = E2BIG,
	.msg = "program 'rex_xdp_first_light' declares 12289 bytes of stack; programs get 12288",
};

FIXTURE_VARIANT_ADD(reject, prog_def_ctx_size) {
	.mutate = prog_def_ctx_size,
	.err = EINVAL,
	.msg = "declares a context size; only tracepoint programs do",
};

FIXTURE_VARIANT_ADD(reject, prog_def_unterminated) {
	.mutate = prog_def_unterminated,
	.err = EINVAL,
	.msg = ".rex.progs: program 0: entry name not NUL-terminated",
};

FIXTURE_VARIANT_ADD(reject, prog_defs_size) {
	.mutate = prog_defs_size,
	.err = EINVAL,
	.msg = "section .rex.progs: 80 bytes are no whole number of 84-byte entries",
};

FIXTURE_VARIANT_ADD(reject, dynsym_empty) {
	.mutate = dynsym_empty,
	.err = EINVAL,
	.msg = "symbol index 1 out of range",
};

FIXTURE_VARIANT_ADD(reject, df_textrel) {
	.mutate = df_textrel,
	.err = EINVAL,
	.msg = "text relocations (DF_TEXTREL)",
};

FIXTURE_VARIANT_ADD(reject, dyn_tag_twice) {
	.mutate = dyn_tag_twice,
	.err = EINVAL,
	.msg = "dynamic tag 7 appears more than once",
};

FIXTURE_VARIANT_ADD(reject, relro_twice) {
	.mutate = relro_twice,
	.err = EINVAL,
	.msg = "more than one RELRO segment",
};

FIXTURE_VARIANT_ADD(reject, two_text_segments) {
	.mutate = two_text_segments,
	.err = EINVAL,
	.msg = "image has 2 executable segments, not one",
};

FIXTURE_VARIANT_ADD(reject, progs_hidden) {
	.mutate = progs_hidden,
	.err = ENOENT,
	.msg = "program 'rex_xdp_first_light' has no description in .rex.progs",
};

FIXTURE_VARIANT_ADD(reject, relocs_hidden) {
	.mutate = relocs_hidden,
	.err = EINVAL,
	.msg = "the dynamic segment names relocations no section describes",
};

FIXTURE_VARIANT_ADD(reject, relocs_extra) {
	.mutate = relocs_extra,
	.err = EINVAL,
	.msg = "relocations the dynamic segment does not name",
};

FIXTURE_VARIANT_ADD(reject, symtab_mismatch) {
	.mutate = symtab_mismatch,
	.err = EINVAL,
	.msg = "disagrees with the dynamic segment",
};

FIXTURE_VARIANT_ADD(reject, relative_outside) {
	.mutate = relative_outside,
	.err = EINVAL,
	.msg = "relative relocation with a symbol or outside the image",
};

FIXTURE_VARIANT_ADD(reject, prog_type_mismatch) {
	.mutate = prog_type_mismatch,
	.err = EINVAL,
	.msg = "is described as type 6, attach type 0, and loaded as 3, 0",
};

TEST_F(reject, load)
{
	int fd;

	ASSERT_EQ(0, variant->mutate(&self->img))
		TH_LOG("the test image lacks the part this variant damages");
	fd = load_image(&self->img, log_buf, sizeof(log_buf));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(-1, fd) TH_LOG("damaged image was accepted");
	EXPECT_EQ(variant->err, errno)
		TH_LOG("errno %d (%s), log: %s", errno, strerror(errno), log_buf);
	EXPECT_NE(NULL, strstr(log_buf, variant->msg))
		TH_LOG("log '%s' lacks '%s'", log_buf, variant->msg);
	expect_good_load(_metadata);
}

/*
 * The program linked with packed relative relocations (DT_RELR, the
 * default of some distributions' linkers): its verdict table is reached
 * through a pointer only a RELR relocation fixes, and the image used to
 * load with it skipped and run unrelocated.
 */
TEST(relr_image)
{
	const unsigned char *img = xdp_first_light_relr_start;
	size_t len = xdp_first_light_relr_end - img;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	unsigned char pkt[64] = { [12] = 0x86, [13] = 0xdd };
	const char *why = rex_unsupported();
	bool relr = false, rela = false;	/* relocations in DT_RELR, DT_RELA */
	unsigned int retval = 0;
	const Elf64_Dyn *d;
	int i, fd;

	if (why)
		SKIP(return, "%s", why);
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_DYNAMIC)
			continue;
		for (d = (const Elf64_Dyn *)(img + ph[i].p_offset); d->d_tag != DT_NULL; d++) {
			relr |= d->d_tag == 35 && d->d_un.d_val;	/* DT_RELRSZ */
			rela |= d->d_tag == DT_RELASZ && d->d_un.d_val;
		}
	}
	ASSERT_TRUE(relr) TH_LOG("the linker made no DT_RELR");
	ASSERT_FALSE(rela) TH_LOG("the relocation is not (only) in DT_RELR");

	fd = rex_load(BPF_PROG_TYPE_XDP, img, len, ENTRY, log_buf, sizeof(log_buf));
	ASSERT_LE(0, fd) TH_LOG("RELR image refused: %s", log_buf);
	EXPECT_EQ(0, rex_test_run(fd, pkt, sizeof(pkt), &retval));
	EXPECT_EQ(XDP_PASS, retval);
	pkt[12] = 0x12;
	EXPECT_EQ(0, rex_test_run(fd, pkt, sizeof(pkt), &retval));
	EXPECT_EQ(XDP_DROP, retval);
	close(fd);
}

/*
 * Names the kernel echoes into the log are shown with their unprintable
 * bytes replaced: a terminal reading the log gets no escape sequence.
 */
TEST(log_names_printable)
{
	size_t len = xdp_first_light_end - xdp_first_light_start;
	const char *why = rex_unsupported();
	const char *p;
	int fd;

	if (why)
		SKIP(return, "%s", why);
	fd = rex_load(BPF_PROG_TYPE_XDP, xdp_first_light_start, len, "\x1b[31mred\x7f\xff",
		      log_buf, sizeof(log_buf));
	ASSERT_EQ(-1, fd);
	EXPECT_EQ(ENOENT, errno);
	EXPECT_NE(NULL, strstr(log_buf, "program '?[31mred?\?' has no description"))
		TH_LOG("log: %s", log_buf);
	for (p = log_buf; *p; p++)
		EXPECT_TRUE(*p == '\n' || (*p >= 0x20 && *p < 0x7f))
			TH_LOG("byte %#x at %zu", (unsigned char)*p, (size_t)(p - log_buf));
}

/* A program may declare the whole 12 KiB a Rex stack leaves programs. */
TEST(prog_stack_max)
{
	size_t len = xdp_first_light_end - xdp_first_light_start;
	struct image img = { .len = len, .entry = ENTRY, .type = BPF_PROG_TYPE_XDP };
	const char *why = rex_unsupported();
	struct rex_prog_def *def;
	int fd;

	if (why)
		SKIP(return, "%s", why);
	img.data = malloc(len);
	ASSERT_NE(NULL, img.data);
	memcpy(img.data, xdp_first_light_start, len);
	def = prog_def(&img, NULL);
	ASSERT_NE(NULL, def);
	def->stack_size = 12 * 1024;
	fd = load_image(&img, log_buf, sizeof(log_buf));
	EXPECT_LE(0, fd) TH_LOG("refused: %s", log_buf);
	if (fd >= 0)
		close(fd);
	free(img.data);
}

/*
 * The same image loaded with another license: bpf_probe_read_kernel() is
 * available to XDP programs, so the refusal above is about the license.
 */
TEST(gpl_helper_with_gpl_license)
{
	unsigned char pkt[64] = { [12] = 0x08, [13] = 0x00 };
	const char *why = rex_unsupported();
	unsigned int retval = 0;
	int fd;

	if (why)
		SKIP(return, "%s", why);
	fd = rex_load(BPF_PROG_TYPE_XDP, xdp_gpl_only_start,
		      xdp_gpl_only_end - xdp_gpl_only_start, "rex_xdp_gpl_only",
		      log_buf, sizeof(log_buf));
	ASSERT_LE(0, fd) TH_LOG("GPL image refused: %s", log_buf);
	EXPECT_EQ(0, rex_test_run(fd, pkt, sizeof(pkt), &retval));
	EXPECT_EQ(2, retval);
	close(fd);
}

/*
 * Images with maps: the maps the image describes are created from its
 * .rex.maps section and passed in fd_array.  Each variant damages the
 * image, the load attributes or the maps so that one thing is wrong.
 * Afterwards the pristine image loads with the same maps, the maps still
 * work, and once they are closed nothing holds them any more: a refused
 * load must not keep a reference on a map it had bound.
 *
 * The order of the descriptions in the section is the compiler's, so the
 * expected message is a format given the name of map @map of the image.
 */
#define MAX_MAPS	4

struct bind_ctx {
	struct image img;			/* what the variant damages */
	struct image good;			/* the pristine image */
	struct rex_map_def defs[MAX_MAPS];	/* of the pristine image */
	int maps[MAX_MAPS];
	unsigned int nr_maps;
	int fds[MAX_MAPS + 1];			/* fd_array of the load */
	int extra;				/* a map a variant passes instead */
	int pipefd[2];
};

FIXTURE(bind) {
	struct bind_ctx ctx;
};

FIXTURE_VARIANT(bind) {
	const unsigned char *start;
	const unsigned char *end;
	const char *entry;
	enum bpf_prog_type type;
	int (*mutate)(struct bind_ctx *ctx);
	int err;
	const char *msg;
	unsigned int map;
};

static int map_create(__u32 type, __u32 key_size, __u32 value_size, __u32 max_entries)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	return sys_bpf(BPF_MAP_CREATE, &attr);
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = ptr_to_u64(&info);
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr))
		return 0;
	return info.id;
}

/* Pass a new map of the given shape as map @i. */
static int other_map(struct bind_ctx *ctx, unsigned int i, __u32 type,
		     __u32 key_size, __u32 value_size, __u32 max_entries)
{
	ctx->extra = map_create(type, key_size, value_size, max_entries);
	if (ctx->extra < 0)
		return -1;
	ctx->fds[i] = ctx->extra;
	return 0;
}

/* The kprobe program described and loaded as a tracepoint program. */
static int helper_not_for_tracepoint(struct bind_ctx *ctx)
{
	struct rex_prog_def *def = prog_def(&ctx->img, NULL);

	if (!def)
		return -1;
	def->prog_type = BPF_PROG_TYPE_TRACEPOINT;
	def->ctx_size = 8;
	ctx->img.type = BPF_PROG_TYPE_TRACEPOINT;
	return 0;
}

static int fd_array_too_short(struct bind_ctx *ctx)
{
	ctx->img.fd_array_cnt--;
	return 0;
}

static int fd_array_too_long(struct bind_ctx *ctx)
{
	ctx->fds[ctx->nr_maps] = ctx->maps[0];
	ctx->img.fd_array_cnt++;
	return 0;
}

static int fd_array_null(struct bind_ctx *ctx)
{
	ctx->img.fd_array = NULL;
	return 0;
}

static int map_of_other_type(struct bind_ctx *ctx)
{
	return other_map(ctx, 0, BPF_MAP_TYPE_HASH, 4, 8, 1);
}

static int map_key_size(struct bind_ctx *ctx)
{
	return other_map(ctx, 0, BPF_MAP_TYPE_HASH, 8, 8, 64);
}

static int map_value_size(struct bind_ctx *ctx)
{
	return other_map(ctx, 0, BPF_MAP_TYPE_ARRAY, 4, 16, 1);
}

static int map_max_entries(struct bind_ctx *ctx)
{
	return other_map(ctx, 1, BPF_MAP_TYPE_ARRAY, 4, 8, 2);
}

static int fd_is_pipe(struct bind_ctx *ctx)
{
	if (pipe(ctx->pipefd))
		return -1;
	ctx->fds[1] = ctx->pipefd[0];
	return 0;
}

static int fd_is_closed(struct bind_ctx *ctx)
{
	ctx->fds[1] = -1;
	return 0;
}

/* Image and map agree on a map type Rex does not support. */
static int map_type_unsupported(struct bind_ctx *ctx)
{
	struct rex_map_def *def = map_defs(&ctx->img, NULL);

	if (!def)
		return -1;
	def->map_type = BPF_MAP_TYPE_PROG_ARRAY;
	def->value_size = 4;
	return other_map(ctx, 0, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1);
}

static int maps_section_size(struct bind_ctx *ctx)
{
	Elf64_Shdr *sh = section(&ctx->img, REX_MAPS_SECTION);

	if (!sh)
		return -1;
	sh->sh_size -= 4;
	return 0;
}

/*
 * A spin lock the image takes in a value whose BTF does not describe one:
 * user space could write the lock word.
 */
static int map_lock_undescribed(struct bind_ctx *ctx)
{
	struct rex_map_def *def = map_defs(&ctx->img, NULL);

	if (!def)
		return -1;
	def->spin_lock = 1;
	return 0;
}

/* A spin lock past the end of the value. */
static int map_lock_outside(struct bind_ctx *ctx)
{
	struct rex_map_def *def = map_defs(&ctx->img, NULL);

	if (!def)
		return -1;
	def->spin_lock = def->value_size - 1;
	return 0;
}

static int map_name_unterminated(struct bind_ctx *ctx)
{
	struct rex_map_def *def = map_defs(&ctx->img, NULL);

	if (!def)
		return -1;
	memset(def->name, 'x', sizeof(def->name));
	return 0;
}

static int map_name_empty(struct bind_ctx *ctx)
{
	struct rex_map_def *def = map_defs(&ctx->img, NULL);

	if (!def)
		return -1;
	memset(def->name, 0, sizeof(def->name));
	return 0;
}

static int map_name_duplicate(struct bind_ctx *ctx)
{
	struct rex_map_def *def = map_defs(&ctx->img, NULL);

	if (!def)
		return -1;
	memcpy(def[1].name, def[0].name, sizeof(def[1].name));
	return 0;
}

/* The program still imports the old name, which no map has any more. */
static int map_renamed(struct bind_ctx *ctx)
{
	struct rex_map_def *def = map_defs(&ctx->img, NULL);

	if (!def || !strcmp(def[1].name, "renamed"))
		return -1;
	snprintf(def[1].name, sizeof(def[1].name), "renamed");
	return 0;
}

/* A map named like a helper, which a call could be resolved to. */
static int map_named_like_helper(struct bind_ctx *ctx)
{
	struct rex_map_def *def = map_defs(&ctx->img, NULL);

	if (!def)
		return -1;
	snprintf(def->name, sizeof(def->name), "bpf_spin_lock");
	return 0;
}

/* Names from the image reach the log: only printable names are taken. */
static int map_name_unprintable(struct bind_ctx *ctx)
{
	struct rex_map_def *def = map_defs(&ctx->img, NULL);

	if (!def)
		return -1;
	def->name[1] = 0x1b;
	return 0;
}

/* The name of the symbol relocation @r refers to. */
static const char *reloc_sym_name(struct image *img, const Elf64_Rela *r)
{
	Elf64_Shdr *sh = (Elf64_Shdr *)(img->data + ehdr(img)->e_shoff);
	Elf64_Shdr *dynsym = shdr(img, SHT_DYNSYM);
	const Elf64_Sym *sym;

	if (!dynsym)
		return "";
	sym = (const Elf64_Sym *)(img->data + dynsym->sh_offset) + ELF64_R_SYM(r->r_info);
	return (const char *)img->data + sh[dynsym->sh_link].sh_offset + sym->st_name;
}

/*
 * The relocation of the first import of kind @type in the image whose
 * name starts with @prefix.
 */
static Elf64_Rela *import_reloc_of(struct image *img, unsigned int type, const char *prefix)
{
	Elf64_Shdr *sh = (Elf64_Shdr *)(img->data + ehdr(img)->e_shoff);
	int i;
	size_t j;

	for (i = 0; i < ehdr(img)->e_shnum; i++) {
		Elf64_Rela *r = (Elf64_Rela *)(img->data + sh[i].sh_offset);

		if (sh[i].sh_type != SHT_RELA)
			continue;
		for (j = 0; j < sh[i].sh_size / sizeof(*r); j++)
			if (ELF64_R_TYPE(r[j].r_info) == type && ELF64_R_SYM(r[j].r_info) &&
			    !strncmp(reloc_sym_name(img, &r[j]), prefix, strlen(prefix)))
				return &r[j];
	}
	return NULL;
}

/* The relocation of the first import of kind @type in the image. */
static Elf64_Rela *reloc_of(struct image *img, unsigned int type)
{
	return import_reloc_of(img, type, "");
}

/* Make relocation @to refer to the symbol of relocation @from. */
static int same_symbol(Elf64_Rela *to, const Elf64_Rela *from)
{
	if (!to || !from)
		return -1;
	to->r_info = ELF64_R_INFO(ELF64_R_SYM(from->r_info), ELF64_R_TYPE(to->r_info));
	return 0;
}

/* A call (PLT slot) of the map's symbol: it must not resolve to the map. */
static int call_a_map(struct bind_ctx *ctx)
{
	return same_symbol(reloc_of(&ctx->img, R_X86_64_JUMP_SLOT),
			   reloc_of(&ctx->img, R_X86_64_GLOB_DAT));
}

/* A helper's address taken as data (a GOT entry). */
static int helper_as_data(struct bind_ctx *ctx)
{
	return same_symbol(reloc_of(&ctx->img, R_X86_64_GLOB_DAT),
			   import_reloc_of(&ctx->img, R_X86_64_JUMP_SLOT, "bpf_"));
}

/* A map that is read-only for programs, for an image built to write it. */
static int map_read_only(struct bind_ctx *ctx)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = ctx->defs[0].map_type;
	attr.key_size = ctx->defs[0].key_size;
	attr.value_size = ctx->defs[0].value_size;
	attr.max_entries = ctx->defs[0].max_entries;
	attr.map_flags = BPF_F_RDONLY_PROG;
	ctx->extra = sys_bpf(BPF_MAP_CREATE, &attr);
	if (ctx->extra < 0)
		return -1;
	ctx->fds[0] = ctx->extra;
	return 0;
}

/* A map exclusive to another program (excl_prog_hash). */
static int map_exclusive(struct bind_ctx *ctx)
{
	unsigned char hash[32] = { 1 };
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = ctx->defs[0].map_type;
	attr.key_size = ctx->defs[0].key_size;
	attr.value_size = ctx->defs[0].value_size;
	attr.max_entries = ctx->defs[0].max_entries;
	attr.excl_prog_hash = ptr_to_u64(hash);
	attr.excl_prog_hash_size = sizeof(hash);
	ctx->extra = sys_bpf(BPF_MAP_CREATE, &attr);
	if (ctx->extra < 0)
		return -1;
	ctx->fds[0] = ctx->extra;
	return 0;
}

#define KPROBE_GETPPID							\
	.start = kprobe_getppid_start,					\
	.end = kprobe_getppid_end,					\
	.entry = "rex_kprobe_getppid",					\
	.type = BPF_PROG_TYPE_KPROBE

#define XDP_COUNT							\
	.start = xdp_count_start,					\
	.end = xdp_count_end,						\
	.entry = "rex_xdp_count",					\
	.type = BPF_PROG_TYPE_XDP

FIXTURE_VARIANT_ADD(bind, helper_not_for_tracepoint) {
	.start = kprobe_override_start,
	.end = kprobe_override_end,
	.entry = "rex_kprobe_override",
	.type = BPF_PROG_TYPE_KPROBE,
	.mutate = helper_not_for_tracepoint,
	.err = EINVAL,
	.msg = "rex: helper 'bpf_override_return' is not available to tracepoint programs",
};

FIXTURE_VARIANT_ADD(bind, fd_array_too_short) {
	KPROBE_GETPPID,
	.mutate = fd_array_too_short,
	.err = EINVAL,
	.msg = "rex: fd_array has 1 entries, the image describes 2 maps",
};

FIXTURE_VARIANT_ADD(bind, fd_array_too_long) {
	KPROBE_GETPPID,
	.mutate = fd_array_too_long,
	.err = EINVAL,
	.msg = "rex: fd_array has 3 entries, the image describes 2 maps",
};

FIXTURE_VARIANT_ADD(bind, fd_array_null) {
	KPROBE_GETPPID,
	.mutate = fd_array_null,
	.err = EINVAL,
	.msg = "rex: fd_array has 0 entries, the image describes 2 maps",
};

FIXTURE_VARIANT_ADD(bind, map_of_other_type) {
	KPROBE_GETPPID,
	.mutate = map_of_other_type,
	.err = EINVAL,
	.msg = "rex: map 0 '%s': fd_array gives type 1, the image expects type 2",
};

FIXTURE_VARIANT_ADD(bind, map_key_size) {
	XDP_COUNT,
	.mutate = map_key_size,
	.err = EINVAL,
	.msg = "rex: map 0 '%s': key/value size 8/8, the image expects 4/8",
};

FIXTURE_VARIANT_ADD(bind, map_value_size) {
	KPROBE_GETPPID,
	.mutate = map_value_size,
	.err = EINVAL,
	.msg = "rex: map 0 '%s': key/value size 4/16, the image expects 4/8",
};

FIXTURE_VARIANT_ADD(bind, map_max_entries) {
	KPROBE_GETPPID,
	.mutate = map_max_entries,
	.err = EINVAL,
	.msg = "rex: map 1 '%s': 2 entries, the image expects 1",
	.map = 1,
};

FIXTURE_VARIANT_ADD(bind, fd_is_pipe) {
	KPROBE_GETPPID,
	.mutate = fd_is_pipe,
	.err = EINVAL,
	.msg = "is not a BPF map",
};

FIXTURE_VARIANT_ADD(bind, fd_is_closed) {
	KPROBE_GETPPID,
	.mutate = fd_is_closed,
	.err = EBADF,
	.msg = "rex: map 1 '%s': fd_array[1] = -1 is not a BPF map",
	.map = 1,
};

FIXTURE_VARIANT_ADD(bind, map_type_unsupported) {
	KPROBE_GETPPID,
	.mutate = map_type_unsupported,
	.err = EOPNOTSUPP,
	.msg = "rex: map 0 '%s': map type 3 is not supported",
};

FIXTURE_VARIANT_ADD(bind, maps_section_size) {
	KPROBE_GETPPID,
	.mutate = maps_section_size,
	.err = EINVAL,
	.msg = "rex: section .rex.maps: 84 bytes are no whole number of 44-byte entries",
};

FIXTURE_VARIANT_ADD(bind, map_lock_undescribed) {
	XDP_COUNT,
	.mutate = map_lock_undescribed,
	.err = EINVAL,
	.msg = "rex: map 0 '%s': the image takes a spin lock at offset 0 of the value",
};

FIXTURE_VARIANT_ADD(bind, map_lock_outside) {
	XDP_COUNT,
	.mutate = map_lock_outside,
	.err = EINVAL,
	.msg = "rex: map 0 '%s': spin lock at offset 6 is not a 4-byte aligned place in the value",
};

FIXTURE_VARIANT_ADD(bind, map_name_unterminated) {
	KPROBE_GETPPID,
	.mutate = map_name_unterminated,
	.err = EINVAL,
	.msg = "rex: map 0: name is empty or not NUL-terminated",
};

FIXTURE_VARIANT_ADD(bind, map_name_empty) {
	XDP_COUNT,
	.mutate = map_name_empty,
	.err = EINVAL,
	.msg = "rex: map 0: name is empty or not NUL-terminated",
};

FIXTURE_VARIANT_ADD(bind, map_name_duplicate) {
	KPROBE_GETPPID,
	.mutate = map_name_duplicate,
	.err = EINVAL,
	.msg = "rex: map 1 '%s': name already used by map 0",
};

FIXTURE_VARIANT_ADD(bind, map_renamed) {
	KPROBE_GETPPID,
	.mutate = map_renamed,
	.err = ENOENT,
	.msg = "rex: unknown import '%s': not a map of the image",
	.map = 1,
};

FIXTURE_VARIANT_ADD(bind, map_named_like_helper) {
	XDP_COUNT,
	.mutate = map_named_like_helper,
	.err = EINVAL,
	.msg = "rex: map 0 'bpf_spin_lock': names starting with bpf_ or rex_ are the helpers'",
};

FIXTURE_VARIANT_ADD(bind, map_name_unprintable) {
	XDP_COUNT,
	.mutate = map_name_unprintable,
	.err = EINVAL,
	.msg = "rex: map 0 'c?unts': a name has letters, digits, '_' and '.' only",
};

FIXTURE_VARIANT_ADD(bind, call_a_map) {
	XDP_COUNT,
	.mutate = call_a_map,
	.err = EINVAL,
	.msg = "rex: import '%s' is a map, called as a function",
};

FIXTURE_VARIANT_ADD(bind, helper_as_data) {
	XDP_COUNT,
	.mutate = helper_as_data,
	.err = EINVAL,
	.msg = "is a helper, used as data",
};

FIXTURE_VARIANT_ADD(bind, map_read_only) {
	XDP_COUNT,
	.mutate = map_read_only,
	.err = EACCES,
	.msg = "rex: map 0 '%s': map flags 0x80, the image expects 0x0 for program access",
};

FIXTURE_VARIANT_ADD(bind, map_exclusive) {
	XDP_COUNT,
	.mutate = map_exclusive,
	.err = EACCES,
	.msg = "rex: map 0 '%s': the map is exclusive to a program whose hash is not the image's",
};

FIXTURE_SETUP(bind)
{
	struct bind_ctx *ctx = &self->ctx;
	const char *why = rex_unsupported();
	struct rex_map_def *defs;
	unsigned int i;

	memset(ctx->maps, -1, sizeof(ctx->maps));
	ctx->extra = -1;
	ctx->pipefd[0] = -1;
	ctx->pipefd[1] = -1;
	if (why)
		SKIP(return, "%s", why);
	ctx->img.len = variant->end - variant->start;
	ctx->img.data = malloc(ctx->img.len);
	ASSERT_NE(NULL, ctx->img.data);
	memcpy(ctx->img.data, variant->start, ctx->img.len);
	ctx->img.entry = variant->entry;
	ctx->img.type = variant->type;

	defs = map_defs(&ctx->img, &ctx->nr_maps);
	ASSERT_NE(NULL, defs) TH_LOG("image without %s", REX_MAPS_SECTION);
	ASSERT_GE(MAX_MAPS, ctx->nr_maps);
	for (i = 0; i < ctx->nr_maps; i++) {
		ctx->defs[i] = defs[i];
		ctx->maps[i] = map_create(defs[i].map_type, defs[i].key_size,
					  defs[i].value_size, defs[i].max_entries);
		ASSERT_LE(0, ctx->maps[i])
			TH_LOG("map %s: %s", defs[i].name, strerror(errno));
		ctx->fds[i] = ctx->maps[i];
	}
	ctx->img.fd_array = ctx->fds;
	ctx->img.fd_array_cnt = ctx->nr_maps;

	ctx->good.data = (unsigned char *)variant->start;
	ctx->good.len = ctx->img.len;
	ctx->good.entry = variant->entry;
	ctx->good.type = variant->type;
	ctx->good.fd_array = ctx->maps;
	ctx->good.fd_array_cnt = ctx->nr_maps;
}

FIXTURE_TEARDOWN(bind)
{
	struct bind_ctx *ctx = &self->ctx;
	unsigned int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (ctx->maps[i] >= 0)
			close(ctx->maps[i]);
	if (ctx->extra >= 0)
		close(ctx->extra);
	if (ctx->pipefd[0] >= 0)
		close(ctx->pipefd[0]);
	if (ctx->pipefd[1] >= 0)
		close(ctx->pipefd[1]);
	free(ctx->img.data);
}

/* The pristine image loads with the fixture's maps (and runs, for XDP). */
static void expect_good_bind(struct __test_metadata *_metadata, struct bind_ctx *ctx)
{
	unsigned char pkt[64] = { [12] = 0x08, [13] = 0x00 };
	unsigned int retval = 0;
	int fd;

	fd = load_image(&ctx->good, log_buf, sizeof(log_buf));
	ASSERT_LE(0, fd) TH_LOG("valid image refused: %s", log_buf);
	if (ctx->good.type == BPF_PROG_TYPE_XDP) {
		EXPECT_EQ(0, rex_test_run(fd, pkt, sizeof(pkt), &retval));
		EXPECT_EQ(2, retval);
	}
	close(fd);
}

/* Each map still takes and returns a value. */
static void expect_maps_usable(struct __test_metadata *_metadata,
			       struct bind_ctx *ctx)
{
	unsigned char value[64], out[64];
	union bpf_attr attr;
	unsigned int i;
	__u32 key = 0;

	for (i = 0; i < ctx->nr_maps; i++) {
		ASSERT_GE(sizeof(value), ctx->defs[i].value_size);
		memset(value, 0x5a, sizeof(value));
		memset(out, 0, sizeof(out));
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = ctx->maps[i];
		attr.key = ptr_to_u64(&key);
		attr.value = ptr_to_u64(value);
		attr.flags = BPF_ANY;
		EXPECT_EQ(0, sys_bpf(BPF_MAP_UPDATE_ELEM, &attr))
			TH_LOG("update of map %s: %s", ctx->defs[i].name, strerror(errno));
		attr.value = ptr_to_u64(out);
		attr.flags = 0;
		EXPECT_EQ(0, sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr))
			TH_LOG("lookup in map %s: %s", ctx->defs[i].name, strerror(errno));
		EXPECT_EQ(0, memcmp(value, out, ctx->defs[i].value_size));
	}
}

/* Does a map with @id exist?  Asks without taking a reference. */
static bool map_id_exists(__u32 id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.start_id = id - 1;
	return !sys_bpf(BPF_MAP_GET_NEXT_ID, &attr) && attr.next_id == id;
}

/*
 * Close the map @*fd and wait until its id is gone: programs are freed
 * through RCU and a workqueue, so the last reference may go a bit later.
 * The wait must not open the map by id: closing such an fd drops a user
 * reference, which makes a program array clear itself from a workqueue
 * while holding a reference again.
 */
static void expect_map_freed(struct __test_metadata *_metadata, int *fd)
{
	struct timespec delay = { .tv_nsec = 10 * 1000 * 1000 };
	__u32 id = map_id(*fd);
	int i;

	ASSERT_NE(0, id) TH_LOG("no id for map fd %d: %s", *fd, strerror(errno));
	close(*fd);
	*fd = -1;
	for (i = 0; i < 1000 && map_id_exists(id); i++)
		nanosleep(&delay, NULL);
	EXPECT_FALSE(map_id_exists(id)) TH_LOG("map %u still referenced 10 s after close", id);
}

TEST_F(bind, load)
{
	struct bind_ctx *ctx = &self->ctx;
	unsigned int i;
	char msg[256];
	int fd;

	ASSERT_EQ(0, variant->mutate(ctx))
		TH_LOG("the variant could not be prepared: %s", strerror(errno));
	fd = load_image(&ctx->img, log_buf, sizeof(log_buf));
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(-1, fd) TH_LOG("wrong load was accepted");
	EXPECT_EQ(variant->err, errno)
		TH_LOG("errno %d (%s), log: %s", errno, strerror(errno), log_buf);
	ASSERT_GT(ctx->nr_maps, variant->map);
	snprintf(msg, sizeof(msg), variant->msg, ctx->defs[variant->map].name);
	EXPECT_NE(NULL, strstr(log_buf, msg))
		TH_LOG("log '%s' lacks '%s'", log_buf, msg);

	expect_good_bind(_metadata, ctx);
	expect_maps_usable(_metadata, ctx);
	for (i = 0; i < ctx->nr_maps; i++)
		expect_map_freed(_metadata, &ctx->maps[i]);
	if (ctx->extra >= 0)
		expect_map_freed(_metadata, &ctx->extra);
}

/* Attribute misuse that bpf_prog_load() refuses before Rex sees the image. */
TEST(rex_with_insns)
{
	const char *why = rex_unsupported();
	struct bpf_insn insn = { .code = 0x95 /* BPF_JMP | BPF_EXIT */ };
	union bpf_attr attr;

	if (why)
		SKIP(return, "%s", why);
	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, xdp_first_light_start,
		      xdp_first_light_end - xdp_first_light_start, ENTRY, NULL, 0);
	attr.insns = ptr_to_u64(&insn);
	attr.insn_cnt = 1;
	ASSERT_EQ(-1, sys_bpf(BPF_PROG_LOAD, &attr));
	EXPECT_EQ(EINVAL, errno);
}

/* An image without maps given a map fd: fd_array must match the image. */
TEST(fd_array_for_mapless_image)
{
	const char *why = rex_unsupported();
	union bpf_attr attr;
	int fds[1] = { 0 };

	if (why)
		SKIP(return, "%s", why);
	rex_attr_init(&attr, BPF_PROG_TYPE_XDP, xdp_first_light_start,
		      xdp_first_light_end - xdp_first_light_start, ENTRY,
		      log_buf, sizeof(log_buf));
	attr.fd_array = ptr_to_u64(fds);
	attr.fd_array_cnt = 1;
	ASSERT_EQ(-1, sys_bpf(BPF_PROG_LOAD, &attr));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, strstr(log_buf,
			       "rex: fd_array has 1 entries, the image describes 0 maps"))
		TH_LOG("log: %s", log_buf);
}

TEST(bad_image_pointer)
{
	const char *why = rex_unsupported();
	int fd;

	if (why)
		SKIP(return, "%s", why);
	fd = rex_load(BPF_PROG_TYPE_XDP, (void *)16, 4096, ENTRY, log_buf, sizeof(log_buf));
	ASSERT_EQ(-1, fd);
	EXPECT_EQ(EFAULT, errno);
}

/*
 * Another thread keeps flipping and restoring bits in the image headers
 * while it is being loaded.  The kernel reads the image once and parses
 * only its own copy, so every load either succeeds or fails cleanly, and
 * the pristine image still loads and runs afterwards.
 */
struct flipper {
	unsigned char *data;
	size_t len;
	int stop;
};

static void *flip(void *arg)
{
	struct flipper *f = arg;
	unsigned int seed = 1;

	while (!__atomic_load_n(&f->stop, __ATOMIC_RELAXED)) {
		size_t off = rand_r(&seed) % f->len;
		unsigned char bit = 1 << (rand_r(&seed) % 8);

		/* At most one bit is wrong at any time. */
		__atomic_fetch_xor(&f->data[off], bit, __ATOMIC_RELAXED);
		__atomic_fetch_xor(&f->data[off], bit, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(image_changed_during_load)
{
	const char *why = rex_unsupported();
	size_t len = xdp_first_light_end - xdp_first_light_start;
	struct flipper f = { .len = len };
	int i, fd, loaded = 0, refused = 0;
	pthread_t t;

	if (why)
		SKIP(return, "%s", why);
	f.data = malloc(len);
	ASSERT_NE(NULL, f.data);
	memcpy(f.data, xdp_first_light_start, len);
	/* Only the headers are flipped, so that loaded programs can run. */
	f.len = 256;
	ASSERT_EQ(0, pthread_create(&t, NULL, flip, &f));
	for (i = 0; i < 300; i++) {
		fd = rex_load(BPF_PROG_TYPE_XDP, f.data, len, ENTRY, log_buf,
			      sizeof(log_buf));
		if (fd < 0) {
			refused++;
			continue;
		}
		/*
		 * Not run: flipped program headers can map any part of the
		 * file as text, and native code is trusted once loaded.
		 */
		loaded++;
		close(fd);
	}
	__atomic_store_n(&f.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	free(f.data);
	TH_LOG("%d loads succeeded, %d refused", loaded, refused);
	EXPECT_EQ(300, loaded + refused);
	EXPECT_LT(0, loaded);
	expect_good_load(_metadata);
}

TEST_HARNESS_MAIN
