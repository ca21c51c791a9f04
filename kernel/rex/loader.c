// SPDX-License-Identifier: GPL-2.0
/*
 * Rex image loader: validate an ELF64 x86-64 position-independent image,
 * map it into BPF executable memory, apply its relocations and protect it.
 *
 * The image is the kernel's own copy of what user space passed; nothing here
 * reads user memory.  Every offset, size and index taken from the image is
 * checked before use, and every rejection leaves one line in the BPF log
 * that names the offending item.
 */

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/elf.h>
#include <linux/filter.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/set_memory.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <asm/ibt.h>
#include <asm/rex_runtime.h>
#include <uapi/linux/rex.h>

#include "rex.h"

#define REX_MAX_SEGMENTS	16

/* ELF gABI values that uapi/linux/elf.h does not define. */
#define REX_DT_INIT_ARRAY	25
#define REX_DT_FINI_ARRAY	26
#define REX_DT_FLAGS		30
#define REX_DT_PREINIT_ARRAY	32
#define REX_DT_RELRSZ		35
#define REX_DT_RELR		36
#define REX_DT_RELRENT		37
#define REX_DF_TEXTREL		0x4
#define REX_SHT_RELR		19

/*
 * A table the dynamic segment points to: [addr, addr + size) in the
 * image's address space, at file offset @off.  @tag is its dynamic tag.
 */
struct rex_dyn_table {
	u64 addr;
	u64 size;
	u64 off;
	s64 tag;
	bool set;
	bool size_set;
};

/* One PT_LOAD segment, page-rounded: [start, end) relative to the base. */
struct rex_seg {
	u64 vaddr;
	u64 memsz;
	u64 offset;
	u64 filesz;
	u64 start;
	u64 end;
	u32 flags;
};

struct rex_elf {
	const u8 *data;
	size_t len;
	const Elf64_Ehdr *ehdr;
	struct rex_seg segs[REX_MAX_SEGMENTS];
	unsigned int nsegs;
	u64 span;
	const Elf64_Phdr *dynamic;
	const Elf64_Phdr *relro;
	const Elf64_Sym *syms;
	unsigned int nsyms;
	const char *strtab;
	size_t strsz;
	struct rex_dyn_table rela, jmprel, relr, symtab, strtab_dyn;
	struct rex_load *ld;
	char shown[REX_NAME_SHOWN + 1];
};

#define rex_err(elf, fmt, ...) rex_log((elf)->ld, fmt, ##__VA_ARGS__)

/**
 * rex_printable() - a name from an image as a log line may show it
 * @buf: REX_NAME_SHOWN + 1 bytes for the result
 * @s: a NUL-terminated name from the image
 *
 * Names in images are bytes anyone with CAP_SYS_ADMIN chose: a log line
 * shows at most REX_NAME_SHOWN of them, every byte that is not printable
 * ASCII replaced by '?'.
 *
 * Return: @buf.
 */
const char *rex_printable(char *buf, const char *s)
{
	size_t i;

	for (i = 0; i < REX_NAME_SHOWN && s[i]; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* rex_printable() into @elf's buffer, valid until the next call. */
static const char *shown(struct rex_elf *elf, const char *s)
{
	return rex_printable(elf->shown, s);
}

/* Is [off, off + size) inside the file? */
static bool in_file(const struct rex_elf *elf, u64 off, u64 size)
{
	u64 end;

	return !check_add_overflow(off, size, &end) && end <= elf->len;
}

static int check_ehdr(struct rex_elf *elf)
{
	const Elf64_Ehdr *eh = elf->ehdr;

	if (elf->len < sizeof(*eh)) {
		rex_err(elf, "image of %zu bytes is too small for an ELF header", elf->len);
		return -EINVAL;
	}
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		rex_err(elf, "not an ELF image (bad magic)");
		return -EINVAL;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
		rex_err(elf, "ELF class %u is not ELFCLASS64", eh->e_ident[EI_CLASS]);
		return -EINVAL;
	}
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
		rex_err(elf, "ELF data encoding %u is not little-endian", eh->e_ident[EI_DATA]);
		return -EINVAL;
	}
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT) {
		rex_err(elf, "unsupported ELF version");
		return -EINVAL;
	}
	if (eh->e_type != ET_DYN) {
		rex_err(elf, "ELF type %u is not ET_DYN (position-independent)", eh->e_type);
		return -EINVAL;
	}
	if (eh->e_machine != EM_X86_64) {
		rex_err(elf, "ELF machine %u is not x86-64", eh->e_machine);
		return -EINVAL;
	}
	if (eh->e_ehsize != sizeof(*eh) || eh->e_phentsize != sizeof(Elf64_Phdr)) {
		rex_err(elf, "bad ELF header or program header size");
		return -EINVAL;
	}
	if (!eh->e_phnum ||
	    !in_file(elf, eh->e_phoff, (u64)eh->e_phnum * sizeof(Elf64_Phdr)) ||
	    !IS_ALIGNED(eh->e_phoff, 8)) {
		rex_err(elf, "program header table (%u entries at %#llx) outside the image",
			eh->e_phnum, eh->e_phoff);
		return -EINVAL;
	}
	if (!eh->e_shnum) {
		rex_err(elf, "image has no section headers");
		return -EINVAL;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_file(elf, eh->e_shoff, (u64)eh->e_shnum * sizeof(Elf64_Shdr)) ||
	    !IS_ALIGNED(eh->e_shoff, 8)) {
		rex_err(elf, "section header table (%u entries at %#llx) outside the image",
			eh->e_shnum, eh->e_shoff);
		return -EINVAL;
	}
	return 0;
}

static int add_segment(struct rex_elf *elf, unsigned int i, const Elf64_Phdr *ph)
{
	struct rex_seg *seg;
	u64 end;

	if (elf->nsegs == REX_MAX_SEGMENTS) {
		rex_err(elf, "more than %u loadable segments", REX_MAX_SEGMENTS);
		return -E2BIG;
	}
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X)) {
		rex_err(elf, "segment %u is both writable and executable", i);
		return -EACCES;
	}
	if (!ph->p_memsz || ph->p_filesz > ph->p_memsz) {
		rex_err(elf, "segment %u: file size %#llx, memory size %#llx", i,
			ph->p_filesz, ph->p_memsz);
		return -EINVAL;
	}
	if (!in_file(elf, ph->p_offset, ph->p_filesz)) {
		rex_err(elf, "segment %u: file range outside the image", i);
		return -EINVAL;
	}
	if (ph->p_align < PAGE_SIZE || !is_power_of_2(ph->p_align) ||
	    (ph->p_vaddr & ~PAGE_MASK) != (ph->p_offset & ~PAGE_MASK)) {
		rex_err(elf,
			"segment %u is not page-aligned (align %#llx, vaddr %#llx, offset %#llx)",
			i, ph->p_align, ph->p_vaddr, ph->p_offset);
		return -EINVAL;
	}
	if (check_add_overflow(ph->p_vaddr, ph->p_memsz, &end) ||
	    end > REX_IMAGE_SIZE_MAX) {
		rex_err(elf, "segment %u ends beyond the %u byte image limit", i,
			REX_IMAGE_SIZE_MAX);
		return -E2BIG;
	}

	seg = &elf->segs[elf->nsegs];
	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->start = round_down(ph->p_vaddr, PAGE_SIZE);
	seg->end = round_up(end, PAGE_SIZE);
	seg->flags = ph->p_flags;
	/* Permissions are per page: segments must not share one. */
	if (elf->nsegs && seg->start < elf->segs[elf->nsegs - 1].end) {
		rex_err(elf, "segment %u overlaps or precedes the previous segment's pages", i);
		return -EINVAL;
	}
	elf->nsegs++;
	elf->span = seg->end;
	return 0;
}

static int check_phdrs(struct rex_elf *elf)
{
	const Elf64_Phdr *phdrs = (const void *)(elf->data + elf->ehdr->e_phoff);
	unsigned int i, text = 0;
	int err;

	for (i = 0; i < elf->ehdr->e_phnum; i++) {
		const Elf64_Phdr *ph = &phdrs[i];

		switch (ph->p_type) {
		case PT_LOAD:
			err = add_segment(elf, i, ph);
			if (err)
				return err;
			text += !!(ph->p_flags & PF_X);
			break;
		case PT_DYNAMIC:
			if (elf->dynamic || !in_file(elf, ph->p_offset, ph->p_filesz) ||
			    !IS_ALIGNED(ph->p_offset, 8)) {
				rex_err(elf, "bad dynamic segment %u", i);
				return -EINVAL;
			}
			elf->dynamic = ph;
			break;
		case PT_GNU_RELRO:
			if (elf->relro) {
				rex_err(elf, "segment %u: more than one RELRO segment", i);
				return -EINVAL;
			}
			elf->relro = ph;
			break;
		case PT_GNU_STACK:
			if (ph->p_flags & PF_X) {
				rex_err(elf, "image asks for an executable stack");
				return -EACCES;
			}
			break;
		case PT_TLS:
			rex_err(elf, "segment %u: thread-local storage is not supported", i);
			return -EINVAL;
		case PT_INTERP:
			rex_err(elf, "segment %u: image asks for an interpreter", i);
			return -EINVAL;
		case PT_NULL:
		case PT_NOTE:
		case PT_PHDR:
		case PT_GNU_EH_FRAME:
		case PT_GNU_PROPERTY:
			break;
		default:
			rex_err(elf, "segment %u: unsupported program header type %#x", i,
				ph->p_type);
			return -EINVAL;
		}
	}
	/* The text is one range: kallsyms, perf and the run-time checks use it. */
	if (text != 1) {
		rex_err(elf, "image has %u executable segments, not one", text);
		return -EINVAL;
	}
	if (!elf->dynamic) {
		rex_err(elf, "image has no dynamic segment");
		return -EINVAL;
	}
	return 0;
}

/* The segment containing [vaddr, vaddr + size), or NULL. */
static const struct rex_seg *find_seg(const struct rex_elf *elf, u64 vaddr, u64 size)
{
	unsigned int i;
	u64 end;

	if (check_add_overflow(vaddr, size, &end))
		return NULL;
	for (i = 0; i < elf->nsegs; i++) {
		const struct rex_seg *seg = &elf->segs[i];

		if (vaddr >= seg->vaddr && end <= seg->vaddr + seg->memsz)
			return seg;
	}
	return NULL;
}

/*
 * Where the file holds [@addr, @addr + @size) of the image's address space:
 * inside the file part of one loadable segment (segments do not overlap,
 * and each one's file part is inside its memory part).
 */
static bool addr_to_off(const struct rex_elf *elf, u64 addr, u64 size, u64 *off)
{
	const struct rex_seg *seg = find_seg(elf, addr, size);

	if (!seg || addr + size > seg->vaddr + seg->filesz)
		return false;
	*off = seg->offset + (addr - seg->vaddr);
	return true;
}

/* Record the address or the size of a table the dynamic segment names. */
static int dyn_table(struct rex_elf *elf, struct rex_dyn_table *t, s64 tag, u64 val,
		     bool is_size)
{
	if (is_size ? t->size_set : t->set) {
		rex_err(elf, "dynamic tag %lld appears more than once", tag);
		return -EINVAL;
	}
	if (is_size) {
		t->size = val;
		t->size_set = true;
	} else {
		t->addr = val;
		t->tag = tag;
		t->set = true;
	}
	return 0;
}

/* Check an entry size the dynamic segment gives. */
static int dyn_entsize(struct rex_elf *elf, s64 tag, u64 val, u64 want)
{
	if (val == want)
		return 0;
	rex_err(elf, "dynamic tag %lld: entry size %llu, not %llu", tag, val, want);
	return -EINVAL;
}

/* Find the tables of @t in the file; a table without an address is empty. */
static int dyn_locate(struct rex_elf *elf, struct rex_dyn_table *t, const char *what,
		      unsigned int align)
{
	if (!t->set && !t->size_set)
		return 0;
	if (!t->set || !addr_to_off(elf, t->addr, t->size, &t->off) ||
	    !IS_ALIGNED(t->off, align) || t->size % align) {
		rex_err(elf, "%s table at %#llx (%llu bytes) is not inside the image's file data",
			what, t->addr, t->size);
		return -EINVAL;
	}
	return 0;
}

/*
 * Read the dynamic segment: the relocation, symbol and string tables it
 * names, which are what the loader uses, and the tags that ask for
 * something Rex does not do.
 */
static int check_dynamic(struct rex_elf *elf)
{
	const Elf64_Dyn *dyn = (const void *)(elf->data + elf->dynamic->p_offset);
	size_t i, n = elf->dynamic->p_filesz / sizeof(*dyn);
	int err = 0;

	for (i = 0; i < n && dyn[i].d_tag != DT_NULL && !err; i++) {
		s64 tag = dyn[i].d_tag;
		u64 val = dyn[i].d_un.d_val;

		switch (tag) {
		case DT_NEEDED:
			rex_err(elf, "image depends on a shared library (DT_NEEDED)");
			return -EINVAL;
		case DT_TEXTREL:
			rex_err(elf, "image has text relocations (DT_TEXTREL)");
			return -EINVAL;
		case REX_DT_FLAGS:
			if (val & REX_DF_TEXTREL) {
				rex_err(elf, "image has text relocations (DF_TEXTREL)");
				return -EINVAL;
			}
			break;
		case DT_INIT:
		case DT_FINI:
		case REX_DT_INIT_ARRAY:
		case REX_DT_FINI_ARRAY:
		case REX_DT_PREINIT_ARRAY:
			rex_err(elf, "image has constructors or destructors (dynamic tag %lld)",
				tag);
			return -EINVAL;
		case DT_REL:
		case DT_RELSZ:
			rex_err(elf, "REL relocations are not supported, only RELA");
			return -EINVAL;
		case DT_RELA:
		case DT_RELASZ:
			err = dyn_table(elf, &elf->rela, tag, val, tag == DT_RELASZ);
			break;
		case DT_JMPREL:
		case DT_PLTRELSZ:
			err = dyn_table(elf, &elf->jmprel, tag, val, tag == DT_PLTRELSZ);
			break;
		case REX_DT_RELR:
		case REX_DT_RELRSZ:
			err = dyn_table(elf, &elf->relr, tag, val, tag == REX_DT_RELRSZ);
			break;
		case DT_SYMTAB:
			err = dyn_table(elf, &elf->symtab, tag, val, false);
			break;
		case DT_STRTAB:
		case DT_STRSZ:
			err = dyn_table(elf, &elf->strtab_dyn, tag, val, tag == DT_STRSZ);
			break;
		case DT_RELAENT:
			err = dyn_entsize(elf, tag, val, sizeof(Elf64_Rela));
			break;
		case DT_SYMENT:
			err = dyn_entsize(elf, tag, val, sizeof(Elf64_Sym));
			break;
		case REX_DT_RELRENT:
			err = dyn_entsize(elf, tag, val, sizeof(u64));
			break;
		case DT_PLTREL:
			if (val != DT_RELA) {
				rex_err(elf, "PLT relocations are not RELA (DT_PLTREL %llu)", val);
				return -EINVAL;
			}
			break;
		}
	}
	if (err)
		return err;
	err = dyn_locate(elf, &elf->rela, "RELA relocation", 8);
	err = err ?: dyn_locate(elf, &elf->jmprel, "PLT relocation", 8);
	err = err ?: dyn_locate(elf, &elf->relr, "RELR relocation", 8);
	err = err ?: dyn_locate(elf, &elf->strtab_dyn, "dynamic string", 1);
	if (err)
		return err;
	if (!elf->symtab.set || !addr_to_off(elf, elf->symtab.addr, 0, &elf->symtab.off)) {
		rex_err(elf, "image has no dynamic symbol table in its dynamic segment");
		return -EINVAL;
	}
	return 0;
}

static const Elf64_Shdr *shdr(const struct rex_elf *elf, unsigned int i)
{
	return (const Elf64_Shdr *)(elf->data + elf->ehdr->e_shoff) + i;
}

/* Is @sh a non-empty string table inside the file that ends with a NUL? */
static bool strtab_ok(const struct rex_elf *elf, const Elf64_Shdr *sh)
{
	return sh->sh_type == SHT_STRTAB && sh->sh_size &&
	       in_file(elf, sh->sh_offset, sh->sh_size) &&
	       elf->data[sh->sh_offset + sh->sh_size - 1] == '\0';
}

/* Find and check .dynsym and its string table. */
static int find_dynsym(struct rex_elf *elf)
{
	const Elf64_Shdr *sh, *str;
	unsigned int i;

	for (i = 0; i < elf->ehdr->e_shnum; i++) {
		sh = shdr(elf, i);
		if (sh->sh_type != SHT_DYNSYM)
			continue;
		if (elf->syms) {
			rex_err(elf, "section %u: more than one dynamic symbol table", i);
			return -EINVAL;
		}
		if (sh->sh_entsize != sizeof(Elf64_Sym) ||
		    !in_file(elf, sh->sh_offset, sh->sh_size) ||
		    !IS_ALIGNED(sh->sh_offset, 8) ||
		    sh->sh_size / sizeof(Elf64_Sym) > U32_MAX) {
			rex_err(elf, "section %u: bad dynamic symbol table", i);
			return -EINVAL;
		}
		if (sh->sh_link >= elf->ehdr->e_shnum) {
			rex_err(elf, "section %u: string table index %u out of range", i,
				sh->sh_link);
			return -EINVAL;
		}
		str = shdr(elf, sh->sh_link);
		if (!strtab_ok(elf, str)) {
			rex_err(elf, "section %u: bad dynamic string table", sh->sh_link);
			return -EINVAL;
		}
		/* The tables the dynamic segment names are the ones used. */
		if (sh->sh_offset != elf->symtab.off || str->sh_offset != elf->strtab_dyn.off ||
		    str->sh_size != elf->strtab_dyn.size) {
			rex_err(elf,
				"section %u: the dynamic symbol or string table disagrees with the dynamic segment",
				i);
			return -EINVAL;
		}
		elf->syms = (const void *)(elf->data + sh->sh_offset);
		elf->nsyms = sh->sh_size / sizeof(Elf64_Sym);
		elf->strtab = (const char *)elf->data + str->sh_offset;
		elf->strsz = str->sh_size;
	}
	if (!elf->syms) {
		rex_err(elf, "image has no dynamic symbol table section");
		return -EINVAL;
	}
	return 0;
}

/* Is section @sh the relocation table @t of the dynamic segment? */
static bool is_table(const Elf64_Shdr *sh, const struct rex_dyn_table *t)
{
	return t->size && sh->sh_offset == t->off && sh->sh_size == t->size;
}

/*
 * Which relocation table of the dynamic segment section @sh is, as a bit:
 * 1 RELA, 2 PLT, 4 RELR; 0 for none.
 */
static unsigned int reloc_table_bit(const struct rex_elf *elf, const Elf64_Shdr *sh)
{
	if (sh->sh_type == REX_SHT_RELR)
		return is_table(sh, &elf->relr) ? 4 : 0;
	if (is_table(sh, &elf->rela))
		return 1;
	return is_table(sh, &elf->jmprel) ? 2 : 0;
}

/*
 * The relocations applied are those the dynamic segment names.  Section
 * headers that describe other relocations, or leave one of those out,
 * make a tool that reads the sections see another image than the kernel
 * maps: refuse them.
 */
static int check_reloc_sections(struct rex_elf *elf)
{
	unsigned int i, bit, seen = 0;

	for (i = 0; i < elf->ehdr->e_shnum; i++) {
		const Elf64_Shdr *sh = shdr(elf, i);

		switch (sh->sh_type) {
		case SHT_REL:
			rex_err(elf, "section %u: REL relocations are not supported, only RELA", i);
			return -EINVAL;
		case SHT_RELA:
		case REX_SHT_RELR:
			if (!sh->sh_size)
				break;
			if (sh->sh_entsize != (sh->sh_type == SHT_RELA ? sizeof(Elf64_Rela) :
									    sizeof(u64))) {
				rex_err(elf, "section %u: bad relocation table", i);
				return -EINVAL;
			}
			bit = reloc_table_bit(elf, sh);
			if (!bit) {
				rex_err(elf,
					"section %u: relocations the dynamic segment does not name",
					i);
				return -EINVAL;
			}
			seen |= bit;
			break;
		}
	}
	if ((elf->rela.size && !(seen & 1)) || (elf->jmprel.size && !(seen & 2)) ||
	    (elf->relr.size && !(seen & 4))) {
		rex_err(elf, "the dynamic segment names relocations no section describes");
		return -EINVAL;
	}
	return 0;
}

/*
 * Find the section called @name.  Returns 0 and sets *@found to its header
 * if there is exactly one, to NULL if there is none, and -EINVAL if the
 * section names cannot be read or there is more than one.
 */
static int find_shdr(struct rex_elf *elf, const char *name, const Elf64_Shdr **found)
{
	unsigned int i, shstrndx = elf->ehdr->e_shstrndx;
	const Elf64_Shdr *names, *sh;
	const char *strs;

	*found = NULL;
	if (shstrndx == SHN_UNDEF || shstrndx >= elf->ehdr->e_shnum) {
		rex_err(elf, "section name table index %u out of range", shstrndx);
		return -EINVAL;
	}
	names = shdr(elf, shstrndx);
	if (!strtab_ok(elf, names)) {
		rex_err(elf, "section %u: bad section name table", shstrndx);
		return -EINVAL;
	}
	strs = (const char *)elf->data + names->sh_offset;
	for (i = 0; i < elf->ehdr->e_shnum; i++) {
		sh = shdr(elf, i);
		if (sh->sh_name >= names->sh_size || strcmp(strs + sh->sh_name, name))
			continue;
		if (*found) {
			rex_err(elf, "section %u: more than one %s section", i, name);
			return -EINVAL;
		}
		*found = sh;
	}
	return 0;
}

/*
 * Find the section called @name.  Returns 0 and sets *@data and *@size if
 * there is exactly one and it lies in the file, 0 with *@size == 0 if there
 * is none, and -EINVAL if the section names cannot be read or the section
 * is bad.
 */
static int find_section(struct rex_elf *elf, const char *name, const void **data,
			size_t *size)
{
	const Elf64_Shdr *sh;
	int err;

	*size = 0;
	err = find_shdr(elf, name, &sh);
	if (err || !sh)
		return err;
	if (sh->sh_type != SHT_PROGBITS || !in_file(elf, sh->sh_offset, sh->sh_size) ||
	    !IS_ALIGNED(sh->sh_offset, 4)) {
		rex_err(elf, "section %u: bad %s section", (unsigned int)(sh - shdr(elf, 0)), name);
		return -EINVAL;
	}
	*data = elf->data + sh->sh_offset;
	*size = sh->sh_size;
	return 0;
}

/* What this kernel knows of the descriptions: their first version. */
static_assert(sizeof(struct rex_map_def) == REX_MAP_DEF_SIZE_VER0);
static_assert(sizeof(struct rex_prog_def) == REX_PROG_DEF_SIZE_VER0);

/**
 * rex_defs_check() - check the entries of a section of descriptions
 * @ld: the load, whose log gets the reason of a refusal
 * @name: the section's name
 * @sec: its contents, 4-byte aligned
 * @size: its size in bytes
 * @known: the size of the entry structure as this kernel knows it
 * @entry_size: set to the size of the section's entries
 *
 * The entries of REX_MAPS_SECTION and REX_PROGS_SECTION start with their
 * size, which may be larger than what this kernel knows, if the bytes
 * past that are zero (see "extending the descriptions" in
 * include/uapi/linux/rex.h).  Entry i is then at @sec + i * *@entry_size,
 * with the members this kernel knows.  The first version is all this
 * kernel knows; one that knows more must read older, shorter entries
 * through a zero-filled copy.
 *
 * Return: the number of entries, or a negative errno with a line in the
 * log: -EINVAL for a bad size, -E2BIG for non-zero bytes past @known.
 */
ssize_t rex_defs_check(struct rex_load *ld, const char *name, const void *sec, size_t size,
		       size_t known, size_t *entry_size)
{
	size_t n, i, esize;

	*entry_size = known;
	if (!size)
		return 0;
	esize = size < sizeof(u32) ? 0 : *(const u32 *)sec;
	if (esize < known) {
		rex_log(ld, "section %s: entry size %zu is below %zu", name, esize, known);
		return -EINVAL;
	}
	if (esize % sizeof(u32)) {
		rex_log(ld, "section %s: entry size %zu is not a multiple of 4", name, esize);
		return -EINVAL;
	}
	if (size % esize) {
		rex_log(ld, "section %s: %zu bytes are no whole number of %zu-byte entries",
			name, size, esize);
		return -EINVAL;
	}
	n = size / esize;
	for (i = 0; i < n; i++) {
		const u8 *e = sec + i * esize;

		if (*(const u32 *)e != esize) {
			rex_log(ld, "section %s: entry %zu has size %u, entry 0 %zu", name, i,
				*(const u32 *)e, esize);
			return -EINVAL;
		}
		if (esize > known && memchr_inv(e + known, 0, esize - known)) {
			rex_log(ld, "section %s: entry %zu: non-zero bytes past the %zu known",
				name, i, known);
			return -E2BIG;
		}
	}
	*entry_size = esize;
	return n;
}

static int bind_maps(struct rex_elf *elf)
{
	const void *data = NULL;
	size_t size;
	int err;

	err = find_section(elf, REX_MAPS_SECTION, &data, &size);
	return err ?: rex_maps_bind(elf->ld, data, size);
}

/*
 * The description of the program in REX_PROGS_SECTION: every image
 * describes the programs it holds, so a program without one, or with one
 * that does not match its load, is refused.  The stack it declares must fit
 * the part of a Rex stack that programs get; the context it reads (the
 * record a tracepoint program was built for) is what the attach point
 * checks against the tracepoint's record, as it does for eBPF programs.
 */
static int check_prog(struct rex_elf *elf, const char *entry)
{
	const union bpf_attr *attr = elf->ld->attr;
	const struct rex_prog_def *def, *found = NULL;
	const void *data = NULL;
	size_t size, esize, i;
	ssize_t n;
	int err;

	err = find_section(elf, REX_PROGS_SECTION, &data, &size);
	if (err)
		return err;
	n = rex_defs_check(elf->ld, REX_PROGS_SECTION, data, size, sizeof(*def), &esize);
	if (n < 0)
		return n;
	for (i = 0; i < (size_t)n; i++) {
		def = data + i * esize;
		if (!memchr(def->entry, '\0', sizeof(def->entry))) {
			rex_err(elf, "%s: program %zu: entry name not NUL-terminated",
				REX_PROGS_SECTION, i);
			return -EINVAL;
		}
		if (strcmp(def->entry, entry))
			continue;
		if (found) {
			rex_err(elf, "%s: program '%s' is described twice", REX_PROGS_SECTION,
				shown(elf, entry));
			return -EINVAL;
		}
		found = def;
	}
	if (!found) {
		rex_err(elf, "program '%s' has no description in %s", shown(elf, entry),
			REX_PROGS_SECTION);
		return -ENOENT;
	}
	if (found->prog_type != attr->prog_type ||
	    found->expected_attach_type != attr->expected_attach_type) {
		rex_err(elf,
			"program '%s' is described as type %u, attach type %u, and loaded as %u, %u",
			shown(elf, entry), found->prog_type, found->expected_attach_type,
			attr->prog_type, attr->expected_attach_type);
		return -EINVAL;
	}
	if (found->stack_size > REX_PROG_STACK_MAX) {
		rex_err(elf, "program '%s' declares %u bytes of stack; programs get %u",
			shown(elf, entry), found->stack_size, REX_PROG_STACK_MAX);
		return -E2BIG;
	}
	if (attr->prog_type == BPF_PROG_TYPE_TRACEPOINT) {
		if (!found->ctx_size) {
			rex_err(elf, "tracepoint program '%s' declares no context size",
				shown(elf, entry));
			return -EINVAL;
		}
		elf->ld->prog->aux->max_ctx_offset = found->ctx_size;
	} else if (found->ctx_size) {
		rex_err(elf, "program '%s' declares a context size; only tracepoint programs do",
			shown(elf, entry));
		return -EINVAL;
	}
	return 0;
}

static const char *sym_name(const struct rex_elf *elf, const Elf64_Sym *sym)
{
	return sym->st_name < elf->strsz ? elf->strtab + sym->st_name : "<bad name>";
}

static void map_segments(struct rex_elf *elf, u8 *base)
{
	const Elf64_Phdr *phdrs = (const void *)(elf->data + elf->ehdr->e_phoff);
	unsigned int i;

	for (i = 0; i < elf->ehdr->e_phnum; i++) {
		if (phdrs[i].p_type != PT_LOAD)
			continue;
		memcpy(base + phdrs[i].p_vaddr, elf->data + phdrs[i].p_offset,
		       phdrs[i].p_filesz);
	}
}

/*
 * Value of the symbol relocation @rel of @t refers to, as an address in the
 * mapping.  An undefined symbol is an import, which the kernel resolves by
 * kind: a PLT slot is a call, so a helper; anything else is data, so a map.
 */
static int resolve_sym(struct rex_elf *elf, u8 *base, u32 idx, u32 type,
		       const struct rex_dyn_table *t, size_t rel, u64 *val)
{
	const Elf64_Sym *sym;

	if (idx >= elf->nsyms) {
		rex_err(elf, "relocation %zu (dynamic tag %lld): symbol index %u out of range",
			rel, t->tag, idx);
		return -EINVAL;
	}
	sym = &elf->syms[idx];
	if (sym->st_shndx == SHN_UNDEF) {
		if (!idx || sym->st_name >= elf->strsz) {
			rex_err(elf, "relocation %zu (dynamic tag %lld): import without a name",
				rel, t->tag);
			return -EINVAL;
		}
		return rex_import_resolve(elf->ld, sym_name(elf, sym),
					  type == R_X86_64_JUMP_SLOT ? REX_IMPORT_FUNC :
								       REX_IMPORT_DATA, val);
	}
	if (sym->st_shndx == SHN_ABS || sym->st_value >= elf->span) {
		rex_err(elf,
			"relocation %zu (dynamic tag %lld): symbol '%s' lies outside the image",
			rel, t->tag, shown(elf, sym_name(elf, sym)));
		return -EINVAL;
	}
	*val = (u64)base + sym->st_value;
	return 0;
}

/* Is @off, where a relocation writes 8 bytes, in a writable segment? */
static int reloc_target(struct rex_elf *elf, const struct rex_dyn_table *t, size_t rel,
			u64 off)
{
	const struct rex_seg *seg = find_seg(elf, off, sizeof(u64));

	if (seg && (seg->flags & PF_W))
		return 0;
	rex_err(elf,
		"relocation %zu (dynamic tag %lld): offset %#llx is not inside a writable segment",
		rel, t->tag, off);
	return -EINVAL;
}

/*
 * A pointer into the image's text that a relocation makes is the address of
 * a function, which an indirect call may reach: on a kernel built for IBT
 * it must start with ENDBR64, or the call would trap on a CPU with IBT.
 * Checked whether or not this CPU has IBT, as the entry is: an image is
 * fit for the kernel, not for one machine.  Section markers that are no
 * functions (__patchable_function_entries) have no place in an image.
 */
static int check_code_ptr(struct rex_elf *elf, u8 *base, const char *what, size_t rel, u64 off)
{
	const struct rex_seg *seg;

	if (!IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		return 0;
	seg = find_seg(elf, off, sizeof(u32));
	if (!seg || !(seg->flags & PF_X) || __is_endbr(get_unaligned((u32 *)(base + off))))
		return 0;
	rex_err(elf,
		"%s relocation %zu: pointer to %#llx in the text, which does not start with ENDBR64 (build with -fcf-protection=branch)",
		what, rel, off);
	return -EINVAL;
}

static int apply_rela(struct rex_elf *elf, u8 *base, const struct rex_dyn_table *t)
{
	const Elf64_Rela *rela = (const void *)(elf->data + t->off);
	size_t i, n = t->size / sizeof(*rela);
	int err;

	for (i = 0; i < n; i++) {
		u32 type = ELF64_R_TYPE(rela[i].r_info);
		u32 sym = ELF64_R_SYM(rela[i].r_info);
		u64 val;

		if (type == R_X86_64_NONE)
			continue;
		err = reloc_target(elf, t, i, rela[i].r_offset);
		if (err)
			return err;
		switch (type) {
		case R_X86_64_RELATIVE:
			if (sym || (u64)rela[i].r_addend >= elf->span) {
				rex_err(elf,
					"relocation %zu (dynamic tag %lld): relative relocation with a symbol or outside the image",
					i, t->tag);
				return -EINVAL;
			}
			val = (u64)base + rela[i].r_addend;
			break;
		case R_X86_64_64:
			err = resolve_sym(elf, base, sym, type, t, i, &val);
			if (err)
				return err;
			val += rela[i].r_addend;
			break;
		case R_X86_64_GLOB_DAT:
		case R_X86_64_JUMP_SLOT:
			err = resolve_sym(elf, base, sym, type, t, i, &val);
			if (err)
				return err;
			break;
		default:
			rex_err(elf, "relocation %zu (dynamic tag %lld): unsupported type %u", i,
				t->tag, type);
			return -EINVAL;
		}
		if (val - (u64)base < elf->span) {
			err = check_code_ptr(elf, base, "dynamic", i, val - (u64)base);
			if (err)
				return err;
		}
		put_unaligned(val, (u64 *)(base + rela[i].r_offset));
	}
	return 0;
}

/* Add @base to the word at @off: a relative relocation without addend. */
static int relr_one(struct rex_elf *elf, u8 *base, const struct rex_dyn_table *t,
		    size_t rel, u64 off)
{
	int err = reloc_target(elf, t, rel, off);
	u64 addend;

	if (err)
		return err;
	addend = get_unaligned((u64 *)(base + off));
	if (addend >= elf->span) {
		rex_err(elf, "RELR relocation %zu: word at %#llx points outside the image",
			rel, off);
		return -EINVAL;
	}
	err = check_code_ptr(elf, base, "RELR", rel, addend);
	if (err)
		return err;
	put_unaligned(addend + (u64)base, (u64 *)(base + off));
	return 0;
}

/*
 * RELR (-z pack-relative-relocs): relative relocations packed as an
 * address entry (even), which relocates the word there and sets where the
 * next bitmap starts, followed by bitmap entries (odd), whose bits 1..63
 * relocate the 63 words that follow.
 */
static int apply_relr(struct rex_elf *elf, u8 *base, const struct rex_dyn_table *t)
{
	const u64 *relr = (const void *)(elf->data + t->off);
	size_t i, n = t->size / sizeof(*relr);
	u64 where = 0;
	int err, bit;

	for (i = 0; i < n; i++) {
		u64 e = get_unaligned(&relr[i]);

		if (!(e & 1)) {
			err = relr_one(elf, base, t, i, e);
			if (err)
				return err;
			where = e + sizeof(u64);
			continue;
		}
		if (!i) {
			rex_err(elf, "RELR relocations start with a bitmap");
			return -EINVAL;
		}
		for (bit = 1; bit < 64; bit++) {
			if (!(e & BIT_ULL(bit)))
				continue;
			err = relr_one(elf, base, t, i, where + (bit - 1) * sizeof(u64));
			if (err)
				return err;
		}
		where += 63 * sizeof(u64);
	}
	return 0;
}

static int apply_relocations(struct rex_elf *elf, u8 *base)
{
	int err;

	err = apply_relr(elf, base, &elf->relr);
	err = err ?: apply_rela(elf, base, &elf->rela);
	return err ?: apply_rela(elf, base, &elf->jmprel);
}

/*
 * Calls to imports go through the PLT, whose entries jump through the GOT
 * slots that the PLT relocations (DT_JMPREL) fill: entry i of .plt.sec (the
 * IBT PLT), or entry i + 1 of .plt (after its lazy-binding header), for
 * relocation i, as the x86-64 psABI lays them out.  With the slots filled,
 * make every entry a direct jump to what its slot holds (see
 * arch/x86/kernel/rex_image.c for why).  An entry that does not jump
 * through the slot of its relocation is refused: the loader binds nothing
 * it has not resolved itself.
 */
static int bind_plt(struct rex_elf *elf, u8 *base)
{
	const Elf64_Rela *rela = (const void *)(elf->data + elf->jmprel.off);
	size_t i, n = elf->jmprel.size / sizeof(*rela);
	const struct rex_seg *seg;
	const Elf64_Shdr *sh;
	unsigned int first = 0;
	int err;

	err = find_shdr(elf, ".plt.sec", &sh);
	if (!err && !sh) {
		err = find_shdr(elf, ".plt", &sh);
		first = 1;
	}
	if (err || !n)
		return err;
	if (!sh) {
		rex_err(elf, "%zu PLT relocations and no PLT", n);
		return -EINVAL;
	}
	seg = find_seg(elf, sh->sh_addr, sh->sh_size);
	if (sh->sh_type != SHT_PROGBITS || !seg || !(seg->flags & PF_X) ||
	    sh->sh_size % REX_PLT_ENTRY || sh->sh_size / REX_PLT_ENTRY != n + first) {
		rex_err(elf, "section %u: a PLT that is not %zu entries of %u bytes in the text",
			(unsigned int)(sh - shdr(elf, 0)), n + first, REX_PLT_ENTRY);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		u64 at = sh->sh_addr + (i + first) * REX_PLT_ENTRY;

		if (ELF64_R_TYPE(rela[i].r_info) != R_X86_64_JUMP_SLOT ||
		    rex_arch_plt_got(base + at, at) != rela[i].r_offset) {
			rex_err(elf, "PLT entry at %#llx does not jump through the slot of PLT relocation %zu",
				at, i);
			return -EINVAL;
		}
		err = rex_arch_plt_bind(base + at, get_unaligned((u64 *)(base + rela[i].r_offset)));
		if (err) {
			rex_err(elf, "PLT relocation %zu: import out of reach of a direct jump", i);
			return err;
		}
	}
	return 0;
}

/*
 * A kernel built with return thunks on a CPU that needs them: every return
 * of the image must go through the thunk (an import), or the image would
 * undo the mitigation.  Retpolines cannot be checked as cheaply (only by
 * decoding the whole text): the signature vouches for the flags the image
 * was built with (Documentation/bpf/rex.rst, "Mitigations").
 */
static int check_mitigations(struct rex_elf *elf)
{
	if (!rex_arch_needs_rethunk() || elf->ld->rethunk)
		return 0;
	rex_err(elf,
		"image returns without the return thunk this kernel needs (build it with the kernel's mitigation flags, as rex-build.sh does)");
	return -EINVAL;
}

static int find_entry(struct rex_elf *elf, u8 *base, const char *name, rex_entry_t *entry)
{
	const struct rex_seg *seg;
	const Elf64_Sym *sym;
	unsigned int i;
	u32 hash;

	for (i = 1, sym = NULL; i < elf->nsyms && !sym; i++) {
		if (elf->syms[i].st_shndx != SHN_UNDEF &&
		    !strcmp(sym_name(elf, &elf->syms[i]), name))
			sym = &elf->syms[i];
	}
	if (!sym) {
		rex_err(elf, "entry symbol '%s' not found", shown(elf, name));
		return -ENOENT;
	}
	if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC) {
		rex_err(elf, "entry symbol '%s' is not a function", shown(elf, name));
		return -EINVAL;
	}
	seg = find_seg(elf, sym->st_value, 4);
	if (!seg || !(seg->flags & PF_X)) {
		rex_err(elf, "entry symbol '%s' is not in an executable segment", shown(elf, name));
		return -EINVAL;
	}
#ifdef CONFIG_X86_KERNEL_IBT
	/* Whether or not this CPU has IBT: see check_code_ptr(). */
	if (!__is_endbr(get_unaligned((u32 *)(base + sym->st_value)))) {
		rex_err(elf,
			"entry symbol '%s' does not start with ENDBR64 (build with -fcf-protection=branch)",
			shown(elf, name));
		return -EINVAL;
	}
#endif
	if (!rex_arch_entry_typed(base + sym->st_value, sym->st_value - seg->vaddr, &hash)) {
		rex_err(elf,
			"entry symbol '%s' does not carry the kCFI type hash of unsigned int (const void *ctx), %#010x, but %#010x (build with the kernel's kCFI flags and declare the entry with that type)",
			shown(elf, name), rex_entry_hash, hash);
		return -EINVAL;
	}
	*entry = (rex_entry_t)(base + sym->st_value);
	return 0;
}

static int protect(struct rex_elf *elf, u8 *base)
{
	unsigned long addr;
	unsigned int i;
	int err = 0;

	set_vm_flush_reset_perms(base);
	for (i = 0; i < elf->nsegs && !err; i++) {
		const struct rex_seg *seg = &elf->segs[i];
		int pages = (seg->end - seg->start) >> PAGE_SHIFT;

		addr = (unsigned long)base + seg->start;
		if (seg->flags & PF_X)
			err = set_memory_rox(addr, pages);
		else if (!(seg->flags & PF_W))
			err = set_memory_ro(addr, pages);
	}
	if (!err && elf->relro) {
		u64 start = round_down(elf->relro->p_vaddr, PAGE_SIZE);
		u64 end = round_down(elf->relro->p_vaddr + elf->relro->p_memsz, PAGE_SIZE);

		if (end > start)
			err = set_memory_ro((unsigned long)base + start,
					    (end - start) >> PAGE_SHIFT);
	}
	if (err)
		rex_err(elf, "cannot set page permissions (%d)", err);
	return err;
}

/* The executable segment (there is one), for kallsyms and bpf_prog_info. */
static void text_range(const struct rex_elf *elf, u8 *base, struct rex_image *img)
{
	unsigned int i;

	for (i = 0; i < elf->nsegs; i++) {
		if (elf->segs[i].flags & PF_X) {
			img->text = base + elf->segs[i].vaddr;
			img->text_size = elf->segs[i].memsz;
		}
	}
}

static int check_relro(struct rex_elf *elf)
{
	const struct rex_seg *seg;

	if (!elf->relro)
		return 0;
	seg = find_seg(elf, elf->relro->p_vaddr, elf->relro->p_memsz);
	if (!seg || !(seg->flags & PF_W)) {
		rex_err(elf, "RELRO range is not inside one writable segment");
		return -EINVAL;
	}
	return 0;
}

/**
 * rex_image_load() - validate, map and relocate a Rex ELF image
 * @img: filled in on success
 * @data: the kernel's copy of the image
 * @len: size of @data in bytes
 * @entry: name of the entry symbol
 * @ld: the load this image belongs to: where imports are resolved and
 *      where one line naming the problem is logged on failure
 *
 * Binds the maps the image describes (rex_maps_bind()) before relocating,
 * so that relocations against map and helper imports resolve through
 * rex_import_resolve().
 *
 * Return: 0 on success, a negative errno otherwise; nothing is left
 * allocated on failure except maps already bound to the program, which the
 * BPF free path releases.
 */
int rex_image_load(struct rex_image *img, const void *data, size_t len,
		   const char *entry, struct rex_load *ld)
{
	struct rex_elf *elf;
	rex_entry_t fn;
	u8 *base;
	int err;

	elf = kzalloc_obj(*elf, GFP_KERNEL);
	if (!elf)
		return -ENOMEM;
	elf->data = data;
	elf->len = len;
	elf->ehdr = data;
	elf->ld = ld;

	err = check_ehdr(elf);
	err = err ?: check_phdrs(elf);
	err = err ?: check_dynamic(elf);
	err = err ?: check_relro(elf);
	err = err ?: find_dynsym(elf);
	err = err ?: check_reloc_sections(elf);
	err = err ?: check_prog(elf, entry);
	err = err ?: bind_maps(elf);
	if (err)
		goto out;

	err = bpf_jit_charge_modmem(elf->span);
	if (err) {
		rex_err(elf, "executable memory limit reached");
		goto out;
	}
	base = bpf_jit_alloc_exec(elf->span);
	if (!base) {
		bpf_jit_uncharge_modmem(elf->span);
		rex_err(elf, "cannot allocate %llu bytes of executable memory", elf->span);
		err = -ENOMEM;
		goto out;
	}
	memset(base, 0, elf->span);

	map_segments(elf, base);
	err = apply_relocations(elf, base);
	err = err ?: bind_plt(elf, base);
	err = err ?: check_mitigations(elf);
	err = err ?: find_entry(elf, base, entry, &fn);
	err = err ?: protect(elf, base);
	if (err) {
		bpf_jit_free_exec(base);
		bpf_jit_uncharge_modmem(elf->span);
		goto out;
	}
	img->base = base;
	img->size = elf->span;
	img->entry = fn;
	text_range(elf, base, img);
out:
	kfree(elf);
	return err;
}

/**
 * rex_image_free() - unmap an image loaded by rex_image_load()
 * @img: the image; may be empty
 *
 * Context: process context, may sleep.
 */
void rex_image_free(struct rex_image *img)
{
	if (!img->base)
		return;
	bpf_jit_free_exec(img->base);
	bpf_jit_uncharge_modmem(img->size);
	img->base = NULL;
}

#ifdef CONFIG_REX_KUNIT_TEST
#include "loader_test.c"
#endif
