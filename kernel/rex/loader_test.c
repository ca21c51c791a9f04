// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the Rex image loader: validation and relocation of ELF
 * images that the tests build in memory.
 *
 * Included at the end of loader.c, so that the static checks can be called
 * one by one: nothing here maps an image into executable memory or runs
 * one.  Each test starts from an image that passes every check (a
 * read-only segment with the headers and the dynamic tables, a text
 * segment, and a data segment with the dynamic section and the words that
 * relocations write), damages one field and checks both the errno and the
 * one line the loader logs, which names the check that refused the image.
 * The log is captured from the BPF verifier log's staging buffer, which
 * holds the last line logged when there is no user buffer.
 *
 * Relocation tests apply the image's relocations to a copy of its segments
 * in ordinary memory and check every word they write.
 */

#include <kunit/test.h>

/* File layout of the test image; addresses equal file offsets. */
#define RT_PHDRS	0x040
#define RT_NPHDRS_MAX	8
#define RT_DYNSYM	0x200
#define RT_NSYMS	5
#define RT_DYNSTR	0x300
#define RT_RELA		0x400
#define RT_RELR		0x500
#define RT_JMPREL	0x600
#define RT_SHSTRTAB	0x700
#define RT_SHDRS	0x800
#define RT_NSHDRS_MAX	12
#define RT_PROGS	0xc00
#define RT_TEXT		0x1000
#define RT_DATA		0x2000
#define RT_DYN_MAX	32
#define RT_BIG_PHDRS	0x2400
#define RT_WORDS	0x2800
#define RT_OBJ		0x2c00
#define RT_LEN		0x3000

/* r_info and st_info as the ELF gABI packs them. */
#define RT_R_INFO(sym, type)	(((u64)(sym) << 32) | (type))
#define RT_ST_INFO(bind, type)	(((bind) << 4) | (type))

/* Dynamic symbols of the test image. */
enum {
	RT_SYM_NULL,
	RT_SYM_PROG,	/* the entry, a function at RT_TEXT */
	RT_SYM_OBJ,	/* an object at RT_OBJ */
	RT_SYM_MAP,	/* an import used as data: the map "counts" */
	RT_SYM_FENTRY,	/* an import called: __fentry__ */
};

/* Section headers of the test image. */
enum {
	RT_SH_NULL,
	RT_SH_DYNSYM,
	RT_SH_DYNSTR,
	RT_SH_RELA,
	RT_SH_RELR,
	RT_SH_JMPREL,
	RT_SH_TEXT,
	RT_SH_DYNAMIC,
	RT_SH_PROGS,
	RT_SH_SHSTRTAB,
	RT_NSHDRS,
};

/* Program headers of the test image. */
enum {
	RT_PH_RODATA,
	RT_PH_TEXT,
	RT_PH_DATA,
	RT_PH_DYNAMIC,
	RT_PH_RELRO,
	RT_PH_STACK,
	RT_NPHDRS,
};

/**
 * struct rt_img - an image under test and the load it belongs to
 * @data: the image, RT_LEN bytes
 * @len: the size the loader is told
 * @eh: its ELF header
 * @ph: its program headers, room for RT_NPHDRS_MAX
 * @sh: its section headers, room for RT_NSHDRS_MAX
 * @dyn: its dynamic section, RT_DYN_MAX entries
 * @sym: its dynamic symbols
 * @def: its program description
 * @ld: the load, logging to @log
 * @log: captures the line the loader logs
 * @attr: the load's attributes
 * @prog: the program being loaded
 * @rex: the program's Rex state
 * @map: the map bound to the image's map "counts"
 * @slot: what the symbol "counts" stands for
 * @map_def: the image's description of "counts"
 */
struct rt_img {
	u8 *data;
	size_t len;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	Elf64_Shdr *sh;
	Elf64_Dyn *dyn;
	Elf64_Sym *sym;
	struct rex_prog_def *def;
	struct rex_load ld;
	struct bpf_verifier_log log;
	union bpf_attr attr;
	struct bpf_prog *prog;
	struct rex_prog rex;
	struct bpf_map *map;
	struct rex_map_slot slot;
	struct rex_map_def map_def;
};

/* Append @s to the string table at @tab of *@len bytes; its offset. */
static u32 rt_str(u8 *tab, u64 *len, const char *s)
{
	u32 off = *len;

	memcpy(tab + off, s, strlen(s) + 1);
	*len += strlen(s) + 1;
	return off;
}

static void rt_phdr(Elf64_Phdr *ph, u32 type, u32 flags, u64 off, u64 size, u64 align)
{
	ph->p_type = type;
	ph->p_flags = flags;
	ph->p_offset = off;
	ph->p_vaddr = off;
	ph->p_paddr = off;
	ph->p_filesz = size;
	ph->p_memsz = size;
	ph->p_align = align;
}

static void rt_shdr(Elf64_Shdr *sh, u32 name, u32 type, u64 off, u64 size, u64 entsize)
{
	sh->sh_name = name;
	sh->sh_type = type;
	sh->sh_flags = SHF_ALLOC;
	sh->sh_addr = off;
	sh->sh_offset = off;
	sh->sh_size = size;
	sh->sh_addralign = 8;
	sh->sh_entsize = entsize;
}

static void rt_sym(Elf64_Sym *sym, u32 name, u8 type, u16 shndx, u64 value)
{
	sym->st_name = name;
	sym->st_info = RT_ST_INFO(STB_GLOBAL, type);
	sym->st_shndx = shndx;
	sym->st_value = value;
}

static Elf64_Rela *rt_rela(struct rt_img *img)
{
	return (Elf64_Rela *)(img->data + RT_RELA);
}

static u64 *rt_relr(struct rt_img *img)
{
	return (u64 *)(img->data + RT_RELR);
}

static Elf64_Rela *rt_jmprel(struct rt_img *img)
{
	return (Elf64_Rela *)(img->data + RT_JMPREL);
}

static u64 *rt_word(struct rt_img *img, u64 addr)
{
	return (u64 *)(img->data + addr);
}

/* The entry of the dynamic section with @tag; it must be there. */
static Elf64_Dyn *rt_dyn(struct rt_img *img, s64 tag)
{
	Elf64_Dyn *d;

	for (d = img->dyn; d->d_tag != DT_NULL; d++)
		if (d->d_tag == tag)
			return d;
	return NULL;
}

/* Add an entry at the end of the dynamic section. */
static void rt_dyn_add(struct rt_img *img, s64 tag, u64 val)
{
	Elf64_Dyn *d = img->dyn;

	while (d->d_tag != DT_NULL)
		d++;
	d->d_tag = tag;
	d->d_un.d_val = val;
}

/* Set the number of entries of a relocation table, in both descriptions. */
static void rt_set_rela(struct rt_img *img, unsigned int n)
{
	rt_dyn(img, DT_RELASZ)->d_un.d_val = n * sizeof(Elf64_Rela);
	img->sh[RT_SH_RELA].sh_size = n * sizeof(Elf64_Rela);
}

static void rt_set_relr(struct rt_img *img, unsigned int n)
{
	rt_dyn(img, REX_DT_RELRSZ)->d_un.d_val = n * sizeof(u64);
	img->sh[RT_SH_RELR].sh_size = n * sizeof(u64);
}

static void rt_set_jmprel(struct rt_img *img, unsigned int n)
{
	rt_dyn(img, DT_PLTRELSZ)->d_un.d_val = n * sizeof(Elf64_Rela);
	img->sh[RT_SH_JMPREL].sh_size = n * sizeof(Elf64_Rela);
}

/*
 * Build an image that passes every check: three relocations in .rela.dyn
 * (relative, absolute against an object, GOT entry of the map), packed
 * relative relocations of three words in .relr.dyn, and one PLT relocation
 * (a call to __fentry__).
 */
static void rt_build(struct kunit *test, struct rt_img *img)
{
	u8 *d = kunit_kzalloc(test, RT_LEN, GFP_KERNEL);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)d;
	u64 strsz = 1, shstrsz = 1;
	u32 n_prog, n_obj, n_map, n_fentry;
	Elf64_Rela *r;
	u64 *relr;

	KUNIT_ASSERT_NOT_NULL(test, d);
	img->data = d;
	img->len = RT_LEN;
	img->eh = eh;
	img->ph = (Elf64_Phdr *)(d + RT_PHDRS);
	img->sh = (Elf64_Shdr *)(d + RT_SHDRS);
	img->dyn = (Elf64_Dyn *)(d + RT_DATA);
	img->sym = (Elf64_Sym *)(d + RT_DYNSYM);
	img->def = (struct rex_prog_def *)(d + RT_PROGS);

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = RT_TEXT;
	eh->e_phoff = RT_PHDRS;
	eh->e_shoff = RT_SHDRS;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = RT_NPHDRS;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = RT_NSHDRS;
	eh->e_shstrndx = RT_SH_SHSTRTAB;

	rt_phdr(&img->ph[RT_PH_RODATA], PT_LOAD, PF_R, 0, RT_TEXT, PAGE_SIZE);
	rt_phdr(&img->ph[RT_PH_TEXT], PT_LOAD, PF_R | PF_X, RT_TEXT, RT_DATA - RT_TEXT,
		PAGE_SIZE);
	rt_phdr(&img->ph[RT_PH_DATA], PT_LOAD, PF_R | PF_W, RT_DATA, RT_LEN - RT_DATA,
		PAGE_SIZE);
	rt_phdr(&img->ph[RT_PH_DYNAMIC], PT_DYNAMIC, PF_R | PF_W, RT_DATA,
		RT_DYN_MAX * sizeof(Elf64_Dyn), 8);
	rt_phdr(&img->ph[RT_PH_RELRO], PT_GNU_RELRO, PF_R, RT_DATA,
		RT_DYN_MAX * sizeof(Elf64_Dyn), 1);
	rt_phdr(&img->ph[RT_PH_STACK], PT_GNU_STACK, PF_R | PF_W, 0, 0, 16);

	n_prog = rt_str(d + RT_DYNSTR, &strsz, "prog");
	n_obj = rt_str(d + RT_DYNSTR, &strsz, "data_obj");
	n_map = rt_str(d + RT_DYNSTR, &strsz, "counts");
	n_fentry = rt_str(d + RT_DYNSTR, &strsz, "__fentry__");
	rt_sym(&img->sym[RT_SYM_PROG], n_prog, STT_FUNC, RT_SH_TEXT, RT_TEXT);
	rt_sym(&img->sym[RT_SYM_OBJ], n_obj, STT_OBJECT, RT_SH_DYNAMIC, RT_OBJ);
	rt_sym(&img->sym[RT_SYM_MAP], n_map, STT_NOTYPE, SHN_UNDEF, 0);
	rt_sym(&img->sym[RT_SYM_FENTRY], n_fentry, STT_NOTYPE, SHN_UNDEF, 0);

	rt_shdr(&img->sh[RT_SH_DYNSYM], rt_str(d + RT_SHSTRTAB, &shstrsz, ".dynsym"),
		SHT_DYNSYM, RT_DYNSYM, RT_NSYMS * sizeof(Elf64_Sym), sizeof(Elf64_Sym));
	img->sh[RT_SH_DYNSYM].sh_link = RT_SH_DYNSTR;
	rt_shdr(&img->sh[RT_SH_DYNSTR], rt_str(d + RT_SHSTRTAB, &shstrsz, ".dynstr"),
		SHT_STRTAB, RT_DYNSTR, strsz, 0);
	rt_shdr(&img->sh[RT_SH_RELA], rt_str(d + RT_SHSTRTAB, &shstrsz, ".rela.dyn"),
		SHT_RELA, RT_RELA, 0, sizeof(Elf64_Rela));
	rt_shdr(&img->sh[RT_SH_RELR], rt_str(d + RT_SHSTRTAB, &shstrsz, ".relr.dyn"),
		REX_SHT_RELR, RT_RELR, 0, sizeof(u64));
	rt_shdr(&img->sh[RT_SH_JMPREL], rt_str(d + RT_SHSTRTAB, &shstrsz, ".rela.plt"),
		SHT_RELA, RT_JMPREL, 0, sizeof(Elf64_Rela));
	rt_shdr(&img->sh[RT_SH_TEXT], rt_str(d + RT_SHSTRTAB, &shstrsz, ".text"),
		SHT_PROGBITS, RT_TEXT, 0x100, 0);
	img->sh[RT_SH_TEXT].sh_flags |= SHF_EXECINSTR;
	rt_shdr(&img->sh[RT_SH_DYNAMIC], rt_str(d + RT_SHSTRTAB, &shstrsz, ".dynamic"),
		SHT_DYNAMIC, RT_DATA, RT_DYN_MAX * sizeof(Elf64_Dyn), sizeof(Elf64_Dyn));
	rt_shdr(&img->sh[RT_SH_PROGS], rt_str(d + RT_SHSTRTAB, &shstrsz, REX_PROGS_SECTION),
		SHT_PROGBITS, RT_PROGS, sizeof(struct rex_prog_def), 0);
	rt_shdr(&img->sh[RT_SH_SHSTRTAB], rt_str(d + RT_SHSTRTAB, &shstrsz, ".shstrtab"),
		SHT_STRTAB, RT_SHSTRTAB, 0, 0);
	img->sh[RT_SH_SHSTRTAB].sh_size = shstrsz;

	rt_dyn_add(img, DT_SYMTAB, RT_DYNSYM);
	rt_dyn_add(img, DT_SYMENT, sizeof(Elf64_Sym));
	rt_dyn_add(img, DT_STRTAB, RT_DYNSTR);
	rt_dyn_add(img, DT_STRSZ, strsz);
	rt_dyn_add(img, DT_RELA, RT_RELA);
	rt_dyn_add(img, DT_RELASZ, 0);
	rt_dyn_add(img, DT_RELAENT, sizeof(Elf64_Rela));
	rt_dyn_add(img, REX_DT_RELR, RT_RELR);
	rt_dyn_add(img, REX_DT_RELRSZ, 0);
	rt_dyn_add(img, REX_DT_RELRENT, sizeof(u64));
	rt_dyn_add(img, DT_JMPREL, RT_JMPREL);
	rt_dyn_add(img, DT_PLTRELSZ, 0);
	rt_dyn_add(img, DT_PLTREL, DT_RELA);
	rt_dyn_add(img, REX_DT_FLAGS, 0);

	r = rt_rela(img);
	r[0].r_offset = RT_WORDS;
	r[0].r_info = RT_R_INFO(0, R_X86_64_RELATIVE);
	r[0].r_addend = RT_OBJ;
	r[1].r_offset = RT_WORDS + 0x08;
	r[1].r_info = RT_R_INFO(RT_SYM_OBJ, R_X86_64_64);
	r[1].r_addend = 8;
	r[2].r_offset = RT_WORDS + 0x10;
	r[2].r_info = RT_R_INFO(RT_SYM_MAP, R_X86_64_GLOB_DAT);
	rt_set_rela(img, 3);

	/* 0x20 by an address entry, then 0x28 and 0x38 by a bitmap, not 0x30. */
	relr = rt_relr(img);
	relr[0] = RT_WORDS + 0x20;
	relr[1] = BIT_ULL(0) | BIT_ULL(1) | BIT_ULL(3);
	rt_set_relr(img, 2);
	*rt_word(img, RT_WORDS + 0x20) = RT_OBJ + 0x10;
	*rt_word(img, RT_WORDS + 0x28) = RT_OBJ + 0x18;
	*rt_word(img, RT_WORDS + 0x30) = 0x1234;
	*rt_word(img, RT_WORDS + 0x38) = RT_OBJ + 0x28;

	r = rt_jmprel(img);
	r[0].r_offset = RT_WORDS + 0x40;
	r[0].r_info = RT_R_INFO(RT_SYM_FENTRY, R_X86_64_JUMP_SLOT);
	rt_set_jmprel(img, 1);

	img->def->size = sizeof(*img->def);
	img->def->prog_type = BPF_PROG_TYPE_XDP;
	img->def->stack_size = 512;
	strscpy(img->def->entry, "prog");
}

static int rt_init(struct kunit *test)
{
	struct rt_img *img = kunit_kzalloc(test, sizeof(*img), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, img);
	rt_build(test, img);
	img->prog = kunit_kzalloc(test, sizeof(*img->prog), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, img->prog);
	img->prog->aux = kunit_kzalloc(test, sizeof(*img->prog->aux), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, img->prog->aux);
	img->map = kunit_kzalloc(test, sizeof(*img->map), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, img->map);
	img->prog->type = BPF_PROG_TYPE_XDP;
	img->prog->aux->used_maps = &img->map;
	img->prog->aux->used_map_cnt = 1;
	img->slot.map = img->map;
	img->rex.maps = &img->slot;
	img->rex.nr_maps = 1;
	img->map_def.size = sizeof(img->map_def);
	strscpy(img->map_def.name, "counts");
	img->attr.prog_type = BPF_PROG_TYPE_XDP;
	img->log.level = BPF_LOG_LEVEL1;
	img->ld.prog = img->prog;
	img->ld.rex = &img->rex;
	img->ld.attr = &img->attr;
	img->ld.log = &img->log;
	img->ld.map_defs = &img->map_def;
	img->ld.map_def_size = sizeof(img->map_def);
	img->ld.nr_maps = 1;
	test->priv = img;
	return 0;
}

/* The loader's view of the image, as rex_image_load() starts it. */
static struct rex_elf *rt_elf(struct kunit *test, struct rt_img *img)
{
	struct rex_elf *elf = kunit_kzalloc(test, sizeof(*elf), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, elf);
	elf->data = img->data;
	elf->len = img->len;
	elf->ehdr = (const Elf64_Ehdr *)img->data;
	elf->ld = &img->ld;
	return elf;
}

/* The checks rex_image_load() makes before it looks at the programs. */
static int rt_validate(struct rex_elf *elf)
{
	int err;

	err = check_ehdr(elf);
	err = err ?: check_phdrs(elf);
	err = err ?: check_dynamic(elf);
	err = err ?: check_relro(elf);
	err = err ?: find_dynsym(elf);
	return err ?: check_reloc_sections(elf);
}

/* The loader logged exactly one line, which contains @want. */
static void rt_expect_log(struct kunit *test, struct rt_img *img, const char *want)
{
	const char *line = img->log.kbuf;

	KUNIT_EXPECT_TRUE_MSG(test, str_has_prefix(line, "rex: ") && strstr(line, want),
			      "logged '%s', expected '%s'", line, want);
	KUNIT_EXPECT_EQ_MSG(test, img->log.end_pos, (u64)strlen(line),
			    "more than one line logged");
}

static void rt_expect_no_log(struct kunit *test, struct rt_img *img)
{
	KUNIT_EXPECT_EQ_MSG(test, img->log.end_pos, 0ULL, "logged '%s'", img->log.kbuf);
}

static void rt_valid_image(struct kunit *test)
{
	struct rt_img *img = test->priv;
	struct rex_elf *elf = rt_elf(test, img);

	KUNIT_ASSERT_EQ(test, rt_validate(elf), 0);
	rt_expect_no_log(test, img);
	KUNIT_EXPECT_EQ(test, elf->nsegs, 3U);
	KUNIT_EXPECT_EQ(test, elf->span, (u64)RT_LEN);
	KUNIT_EXPECT_EQ(test, elf->segs[1].flags, (u32)(PF_R | PF_X));
	KUNIT_EXPECT_PTR_EQ(test, elf->dynamic, (const Elf64_Phdr *)&img->ph[RT_PH_DYNAMIC]);
	KUNIT_EXPECT_PTR_EQ(test, elf->relro, (const Elf64_Phdr *)&img->ph[RT_PH_RELRO]);
	KUNIT_EXPECT_PTR_EQ(test, elf->syms, (const Elf64_Sym *)img->sym);
	KUNIT_EXPECT_EQ(test, elf->nsyms, (unsigned int)RT_NSYMS);
	KUNIT_EXPECT_STREQ(test, sym_name(elf, &elf->syms[RT_SYM_MAP]), "counts");
	KUNIT_EXPECT_EQ(test, elf->rela.off, (u64)RT_RELA);
	KUNIT_EXPECT_EQ(test, elf->rela.size, 3 * sizeof(Elf64_Rela));
	KUNIT_EXPECT_EQ(test, elf->relr.off, (u64)RT_RELR);
	KUNIT_EXPECT_EQ(test, elf->jmprel.off, (u64)RT_JMPREL);
	KUNIT_EXPECT_EQ(test, elf->symtab.off, (u64)RT_DYNSYM);
}

/* Tags after DT_NULL, empty relocation sections, unnamed: all ignored. */
static void rt_valid_ignored(struct kunit *test)
{
	struct rt_img *img = test->priv;
	Elf64_Shdr *sh = &img->sh[RT_NSHDRS];

	rt_dyn_add(img, DT_DEBUG, 0);
	rt_dyn(img, DT_DEBUG)[2].d_tag = DT_NEEDED;
	*sh = img->sh[RT_SH_RELA];
	sh->sh_offset = RT_RELA + 0x80;
	sh->sh_size = 0;
	img->eh->e_shnum++;
	/* No RELRO segment, a note and a stack without PF_X. */
	img->ph[RT_PH_RELRO].p_type = PT_NOTE;
	KUNIT_EXPECT_EQ(test, rt_validate(rt_elf(test, img)), 0);
	rt_expect_no_log(test, img);
}

/**
 * struct rt_case - an image that one check refuses
 * @desc: what is wrong with it
 * @mutate: make a valid image so
 * @err: the errno expected
 * @msg: a part of the line the check logs that tells it from the others
 */
struct rt_case {
	const char *desc;
	void (*mutate)(struct rt_img *img);
	int err;
	const char *msg;
};

static void m_short(struct rt_img *img)
{
	img->len = sizeof(Elf64_Ehdr) - 1;
}

static void m_magic(struct rt_img *img)
{
	img->eh->e_ident[EI_MAG3] = 'G';
}

static void m_class(struct rt_img *img)
{
	img->eh->e_ident[EI_CLASS] = ELFCLASS32;
}

static void m_data(struct rt_img *img)
{
	img->eh->e_ident[EI_DATA] = ELFDATA2MSB;
}

static void m_ident_version(struct rt_img *img)
{
	img->eh->e_ident[EI_VERSION] = EV_NONE;
}

static void m_version(struct rt_img *img)
{
	img->eh->e_version = EV_NONE;
}

static void m_type(struct rt_img *img)
{
	img->eh->e_type = ET_EXEC;
}

static void m_machine(struct rt_img *img)
{
	img->eh->e_machine = EM_386;
}

static void m_ehsize(struct rt_img *img)
{
	img->eh->e_ehsize = sizeof(Elf32_Ehdr);
}

static void m_phentsize(struct rt_img *img)
{
	img->eh->e_phentsize = sizeof(Elf32_Phdr);
}

static void m_phnum0(struct rt_img *img)
{
	img->eh->e_phnum = 0;
}

static void m_phoff_end(struct rt_img *img)
{
	img->eh->e_phoff = RT_LEN - sizeof(Elf64_Phdr) * RT_NPHDRS + 8;
}

static void m_phoff_wrap(struct rt_img *img)
{
	img->eh->e_phoff = -(u64)sizeof(Elf64_Phdr);
}

static void m_phoff_align(struct rt_img *img)
{
	img->eh->e_phoff += 4;
}

static void m_shnum0(struct rt_img *img)
{
	img->eh->e_shnum = 0;
}

static void m_shentsize(struct rt_img *img)
{
	img->eh->e_shentsize = sizeof(Elf32_Shdr);
}

static void m_shoff_end(struct rt_img *img)
{
	img->eh->e_shoff = RT_LEN - sizeof(Elf64_Shdr) * RT_NSHDRS + 8;
}

static void m_shoff_align(struct rt_img *img)
{
	img->eh->e_shoff += 4;
}

static void m_wx(struct rt_img *img)
{
	img->ph[RT_PH_DATA].p_flags |= PF_X;
	img->ph[RT_PH_TEXT].p_flags &= ~PF_X;
}

static void m_memsz0(struct rt_img *img)
{
	img->ph[RT_PH_DATA].p_memsz = 0;
	img->ph[RT_PH_DATA].p_filesz = 0;
}

static void m_filesz(struct rt_img *img)
{
	img->ph[RT_PH_DATA].p_filesz = img->ph[RT_PH_DATA].p_memsz + 1;
}

static void m_seg_file(struct rt_img *img)
{
	/* The last byte of the data segment is past the file. */
	img->len = RT_LEN - 1;
}

static void m_seg_align(struct rt_img *img)
{
	img->ph[RT_PH_DATA].p_align = PAGE_SIZE / 2;
}

static void m_seg_align_pow2(struct rt_img *img)
{
	img->ph[RT_PH_DATA].p_align = 3 * PAGE_SIZE;
}

static void m_seg_congruent(struct rt_img *img)
{
	img->ph[RT_PH_DATA].p_vaddr += PAGE_SIZE + 8;
}

static void m_seg_limit(struct rt_img *img)
{
	img->ph[RT_PH_DATA].p_vaddr = REX_IMAGE_SIZE_MAX - PAGE_SIZE;
	img->ph[RT_PH_DATA].p_memsz = PAGE_SIZE + 1;
}

static void m_seg_wrap(struct rt_img *img)
{
	img->ph[RT_PH_DATA].p_vaddr = -(u64)PAGE_SIZE;
	img->ph[RT_PH_DATA].p_memsz = 2 * PAGE_SIZE;
}

static void m_seg_share(struct rt_img *img)
{
	/* Starts in the last page of the text segment. */
	img->ph[RT_PH_DATA].p_vaddr = RT_DATA - PAGE_SIZE + 0x800;
	img->ph[RT_PH_DATA].p_offset = RT_DATA + 0x800;
	img->ph[RT_PH_DATA].p_filesz = 0x100;
	img->ph[RT_PH_DATA].p_memsz = 0x100;
}

static void m_seg_order(struct rt_img *img)
{
	swap(img->ph[RT_PH_TEXT], img->ph[RT_PH_DATA]);
}

static void m_seg_many(struct rt_img *img)
{
	Elf64_Phdr *ph = (Elf64_Phdr *)(img->data + RT_BIG_PHDRS);
	unsigned int i;

	/* REX_MAX_SEGMENTS + 1 segments of one page each, no file data. */
	for (i = 0; i <= REX_MAX_SEGMENTS; i++) {
		rt_phdr(&ph[i], PT_LOAD, i ? PF_R : PF_R | PF_X, 0, 0, PAGE_SIZE);
		ph[i].p_vaddr = i * PAGE_SIZE;
		ph[i].p_memsz = PAGE_SIZE;
	}
	img->eh->e_phoff = RT_BIG_PHDRS;
	img->eh->e_phnum = REX_MAX_SEGMENTS + 1;
}

static void m_text2(struct rt_img *img)
{
	img->ph[RT_PH_RODATA].p_flags |= PF_X;
}

static void m_text0(struct rt_img *img)
{
	img->ph[RT_PH_TEXT].p_flags &= ~PF_X;
}

static void m_no_dynamic(struct rt_img *img)
{
	img->ph[RT_PH_DYNAMIC].p_type = PT_NOTE;
}

static void m_dynamic2(struct rt_img *img)
{
	img->ph[RT_PH_RELRO] = img->ph[RT_PH_DYNAMIC];
}

static void m_dynamic_align(struct rt_img *img)
{
	img->ph[RT_PH_DYNAMIC].p_offset += 4;
}

static void m_dynamic_file(struct rt_img *img)
{
	img->ph[RT_PH_DYNAMIC].p_filesz = RT_LEN;
}

static void m_relro2(struct rt_img *img)
{
	img->ph[RT_PH_STACK] = img->ph[RT_PH_RELRO];
}

static void m_execstack(struct rt_img *img)
{
	img->ph[RT_PH_STACK].p_flags |= PF_X;
}

static void m_tls(struct rt_img *img)
{
	img->ph[RT_PH_STACK].p_type = PT_TLS;
}

static void m_interp(struct rt_img *img)
{
	img->ph[RT_PH_STACK].p_type = PT_INTERP;
}

static void m_shlib(struct rt_img *img)
{
	img->ph[RT_PH_STACK].p_type = PT_SHLIB;
}

static void m_needed(struct rt_img *img)
{
	rt_dyn_add(img, DT_NEEDED, 1);
}

static void m_textrel(struct rt_img *img)
{
	rt_dyn_add(img, DT_TEXTREL, 0);
}

static void m_df_textrel(struct rt_img *img)
{
	rt_dyn(img, REX_DT_FLAGS)->d_un.d_val = REX_DF_TEXTREL;
}

static void m_init(struct rt_img *img)
{
	rt_dyn_add(img, DT_INIT, RT_TEXT);
}

static void m_fini_array(struct rt_img *img)
{
	rt_dyn_add(img, REX_DT_FINI_ARRAY, RT_OBJ);
}

static void m_preinit_array(struct rt_img *img)
{
	rt_dyn_add(img, REX_DT_PREINIT_ARRAY, RT_OBJ);
}

static void m_rel(struct rt_img *img)
{
	rt_dyn_add(img, DT_RELSZ, 0);
}

static void m_rela2(struct rt_img *img)
{
	rt_dyn_add(img, DT_RELA, RT_RELA);
}

static void m_relasz2(struct rt_img *img)
{
	rt_dyn_add(img, DT_RELASZ, 0);
}

static void m_relaent(struct rt_img *img)
{
	rt_dyn(img, DT_RELAENT)->d_un.d_val = 16;
}

static void m_syment(struct rt_img *img)
{
	rt_dyn(img, DT_SYMENT)->d_un.d_val = 16;
}

static void m_relrent(struct rt_img *img)
{
	rt_dyn(img, REX_DT_RELRENT)->d_un.d_val = 4;
}

static void m_pltrel(struct rt_img *img)
{
	rt_dyn(img, DT_PLTREL)->d_un.d_val = DT_REL;
}

static void m_rela_outside(struct rt_img *img)
{
	/* Crosses from the read-only segment into the text. */
	rt_dyn(img, DT_RELA)->d_un.d_val = RT_TEXT - 8;
}

static void m_rela_noaddr(struct rt_img *img)
{
	rt_dyn(img, DT_RELA)->d_tag = DT_DEBUG;
}

static void m_rela_bss(struct rt_img *img)
{
	/* The table is in the data segment's memory, not in its file data. */
	img->ph[RT_PH_DATA].p_filesz = RT_WORDS - RT_DATA;
	rt_dyn(img, DT_RELA)->d_un.d_val = RT_WORDS;
}

static void m_jmprel_outside(struct rt_img *img)
{
	rt_dyn(img, DT_JMPREL)->d_un.d_val = RT_LEN;
}

static void m_relr_size(struct rt_img *img)
{
	rt_dyn(img, REX_DT_RELRSZ)->d_un.d_val = 12;
}

static void m_strtab_outside(struct rt_img *img)
{
	rt_dyn(img, DT_STRSZ)->d_un.d_val = RT_LEN;
}

static void m_no_symtab(struct rt_img *img)
{
	rt_dyn(img, DT_SYMTAB)->d_tag = DT_DEBUG;
}

static void m_symtab_outside(struct rt_img *img)
{
	rt_dyn(img, DT_SYMTAB)->d_un.d_val = RT_LEN + 8;
}

static void m_symtab_bss(struct rt_img *img)
{
	img->ph[RT_PH_DATA].p_filesz = RT_WORDS - RT_DATA;
	rt_dyn(img, DT_SYMTAB)->d_un.d_val = RT_WORDS + 8;
}

static void m_relro_ro(struct rt_img *img)
{
	img->ph[RT_PH_RELRO].p_vaddr = RT_DYNSYM;
}

static void m_relro_span(struct rt_img *img)
{
	img->ph[RT_PH_RELRO].p_memsz = RT_LEN - RT_DATA + 1;
}

static void m_no_dynsym(struct rt_img *img)
{
	img->sh[RT_SH_DYNSYM].sh_type = SHT_PROGBITS;
}

static void m_dynsym2(struct rt_img *img)
{
	img->sh[RT_NSHDRS] = img->sh[RT_SH_DYNSYM];
	img->eh->e_shnum++;
}

static void m_dynsym_entsize(struct rt_img *img)
{
	img->sh[RT_SH_DYNSYM].sh_entsize = sizeof(Elf32_Sym);
}

static void m_dynsym_file(struct rt_img *img)
{
	img->sh[RT_SH_DYNSYM].sh_size = RT_LEN;
}

static void m_dynsym_align(struct rt_img *img)
{
	img->sh[RT_SH_DYNSYM].sh_offset += 4;
}

static void m_dynsym_link(struct rt_img *img)
{
	img->sh[RT_SH_DYNSYM].sh_link = RT_NSHDRS;
}

static void m_dynstr_type(struct rt_img *img)
{
	img->sh[RT_SH_DYNSYM].sh_link = RT_SH_TEXT;
}

static void m_dynstr_nul(struct rt_img *img)
{
	img->data[RT_DYNSTR + img->sh[RT_SH_DYNSTR].sh_size - 1] = 'x';
}

static void m_dynsym_other(struct rt_img *img)
{
	img->sh[RT_SH_DYNSYM].sh_offset += sizeof(Elf64_Sym);
	img->sh[RT_SH_DYNSYM].sh_size -= sizeof(Elf64_Sym);
}

static void m_dynstr_size(struct rt_img *img)
{
	/* Both tables end with a NUL; the section is shorter than DT_STRSZ. */
	img->sh[RT_SH_DYNSTR].sh_size = 1;
}

static void m_shrel(struct rt_img *img)
{
	img->sh[RT_SH_TEXT].sh_type = SHT_REL;
}

static void m_rela_entsize(struct rt_img *img)
{
	img->sh[RT_SH_RELA].sh_entsize = sizeof(Elf64_Rel);
}

static void m_relr_entsize(struct rt_img *img)
{
	img->sh[RT_SH_RELR].sh_entsize = sizeof(Elf64_Rela);
}

static void m_rela_unnamed(struct rt_img *img)
{
	img->sh[RT_NSHDRS] = img->sh[RT_SH_RELA];
	img->sh[RT_NSHDRS].sh_offset += sizeof(Elf64_Rela);
	img->sh[RT_NSHDRS].sh_size = sizeof(Elf64_Rela);
	img->eh->e_shnum++;
}

static void m_rela_shorter(struct rt_img *img)
{
	img->sh[RT_SH_RELA].sh_size -= sizeof(Elf64_Rela);
}

static void m_rela_as_relr(struct rt_img *img)
{
	/* .rela.dyn's bytes, typed as packed relocations. */
	img->sh[RT_SH_RELA].sh_type = REX_SHT_RELR;
	img->sh[RT_SH_RELA].sh_entsize = sizeof(u64);
}

static void m_relr_as_rela(struct rt_img *img)
{
	img->sh[RT_SH_RELR].sh_type = SHT_RELA;
	img->sh[RT_SH_RELR].sh_entsize = sizeof(Elf64_Rela);
}

static void m_relr_missing(struct rt_img *img)
{
	img->sh[RT_SH_RELR].sh_type = SHT_PROGBITS;
}

static void m_jmprel_missing(struct rt_img *img)
{
	img->sh[RT_SH_JMPREL].sh_type = SHT_NULL;
}

static const struct rt_case rt_cases[] = {
	/* check_ehdr() */
	{ "smaller than a header", m_short, -EINVAL, "too small for an ELF header" },
	{ "bad magic", m_magic, -EINVAL, "bad magic" },
	{ "ELFCLASS32", m_class, -EINVAL, "is not ELFCLASS64" },
	{ "big-endian", m_data, -EINVAL, "is not little-endian" },
	{ "EI_VERSION", m_ident_version, -EINVAL, "unsupported ELF version" },
	{ "e_version", m_version, -EINVAL, "unsupported ELF version" },
	{ "ET_EXEC", m_type, -EINVAL, "ELF type 2 is not ET_DYN" },
	{ "EM_386", m_machine, -EINVAL, "ELF machine 3 is not x86-64" },
	{ "e_ehsize", m_ehsize, -EINVAL, "bad ELF header or program header size" },
	{ "e_phentsize", m_phentsize, -EINVAL, "bad ELF header or program header size" },
	{ "no program headers", m_phnum0, -EINVAL, "program header table (0 entries" },
	{ "program headers past the end", m_phoff_end, -EINVAL, "program header table" },
	{ "program headers wrap", m_phoff_wrap, -EINVAL, "program header table" },
	{ "program headers misaligned", m_phoff_align, -EINVAL, "program header table" },
	{ "no section headers", m_shnum0, -EINVAL, "image has no section headers" },
	{ "e_shentsize", m_shentsize, -EINVAL, "section header table" },
	{ "section headers past the end", m_shoff_end, -EINVAL, "section header table" },
	{ "section headers misaligned", m_shoff_align, -EINVAL, "section header table" },
	/* check_phdrs(), add_segment() */
	{ "writable and executable", m_wx, -EACCES, "segment 2 is both writable and executable" },
	{ "empty segment", m_memsz0, -EINVAL, "segment 2: file size 0x0, memory size 0x0" },
	{ "file size over memory size", m_filesz, -EINVAL, "segment 2: file size 0x1001" },
	{ "segment past the file", m_seg_file, -EINVAL, "segment 2: file range outside" },
	{ "alignment under a page", m_seg_align, -EINVAL, "segment 2 is not page-aligned" },
	{ "alignment not a power of 2", m_seg_align_pow2, -EINVAL,
	  "segment 2 is not page-aligned" },
	{ "address and offset disagree", m_seg_congruent, -EINVAL,
	  "segment 2 is not page-aligned" },
	{ "over the size limit", m_seg_limit, -E2BIG, "segment 2 ends beyond" },
	{ "address wraps", m_seg_wrap, -E2BIG, "segment 2 ends beyond" },
	{ "segments share a page", m_seg_share, -EINVAL, "segment 2 overlaps or precedes" },
	{ "segments out of order", m_seg_order, -EINVAL, "segment 2 overlaps or precedes" },
	{ "too many segments", m_seg_many, -E2BIG, "more than 16 loadable segments" },
	{ "two executable segments", m_text2, -EINVAL, "image has 2 executable segments" },
	{ "no executable segment", m_text0, -EINVAL, "image has 0 executable segments" },
	{ "no dynamic segment", m_no_dynamic, -EINVAL, "image has no dynamic segment" },
	{ "two dynamic segments", m_dynamic2, -EINVAL, "bad dynamic segment 4" },
	{ "dynamic segment misaligned", m_dynamic_align, -EINVAL, "bad dynamic segment 3" },
	{ "dynamic segment past the file", m_dynamic_file, -EINVAL, "bad dynamic segment 3" },
	{ "two RELRO segments", m_relro2, -EINVAL, "segment 5: more than one RELRO segment" },
	{ "executable stack", m_execstack, -EACCES, "executable stack" },
	{ "PT_TLS", m_tls, -EINVAL, "segment 5: thread-local storage" },
	{ "PT_INTERP", m_interp, -EINVAL, "segment 5: image asks for an interpreter" },
	{ "PT_SHLIB", m_shlib, -EINVAL, "segment 5: unsupported program header type 0x5" },
	/* check_dynamic() */
	{ "DT_NEEDED", m_needed, -EINVAL, "(DT_NEEDED)" },
	{ "DT_TEXTREL", m_textrel, -EINVAL, "(DT_TEXTREL)" },
	{ "DF_TEXTREL", m_df_textrel, -EINVAL, "(DF_TEXTREL)" },
	{ "DT_INIT", m_init, -EINVAL, "constructors or destructors (dynamic tag 12)" },
	{ "DT_FINI_ARRAY", m_fini_array, -EINVAL, "constructors or destructors (dynamic tag 26)" },
	{ "DT_PREINIT_ARRAY", m_preinit_array, -EINVAL,
	  "constructors or destructors (dynamic tag 32)" },
	{ "DT_RELSZ", m_rel, -EINVAL, "REL relocations are not supported" },
	{ "DT_RELA twice", m_rela2, -EINVAL, "dynamic tag 7 appears more than once" },
	{ "DT_RELASZ twice", m_relasz2, -EINVAL, "dynamic tag 8 appears more than once" },
	{ "DT_RELAENT", m_relaent, -EINVAL, "dynamic tag 9: entry size 16, not 24" },
	{ "DT_SYMENT", m_syment, -EINVAL, "dynamic tag 11: entry size 16, not 24" },
	{ "DT_RELRENT", m_relrent, -EINVAL, "dynamic tag 37: entry size 4, not 8" },
	{ "DT_PLTREL", m_pltrel, -EINVAL, "PLT relocations are not RELA (DT_PLTREL 17)" },
	{ "RELA across segments", m_rela_outside, -EINVAL, "RELA relocation table at 0xff8" },
	{ "RELA size without address", m_rela_noaddr, -EINVAL, "RELA relocation table at 0x0" },
	{ "RELA beyond the file data", m_rela_bss, -EINVAL, "RELA relocation table at 0x2800" },
	{ "JMPREL outside", m_jmprel_outside, -EINVAL, "PLT relocation table at 0x3000" },
	{ "RELR size", m_relr_size, -EINVAL, "RELR relocation table at 0x500 (12 bytes)" },
	{ "DT_STRSZ too large", m_strtab_outside, -EINVAL, "dynamic string table at 0x300" },
	{ "no DT_SYMTAB", m_no_symtab, -EINVAL, "no dynamic symbol table in its dynamic segment" },
	{ "DT_SYMTAB outside", m_symtab_outside, -EINVAL,
	  "no dynamic symbol table in its dynamic segment" },
	{ "DT_SYMTAB beyond the file data", m_symtab_bss, -EINVAL,
	  "no dynamic symbol table in its dynamic segment" },
	/* check_relro() */
	{ "RELRO read-only", m_relro_ro, -EINVAL, "RELRO range is not inside one writable" },
	{ "RELRO past its segment", m_relro_span, -EINVAL,
	  "RELRO range is not inside one writable" },
	/* find_dynsym() */
	{ "no .dynsym", m_no_dynsym, -EINVAL, "image has no dynamic symbol table section" },
	{ "two .dynsym", m_dynsym2, -EINVAL, "section 10: more than one dynamic symbol table" },
	{ ".dynsym entsize", m_dynsym_entsize, -EINVAL, "section 1: bad dynamic symbol table" },
	{ ".dynsym past the file", m_dynsym_file, -EINVAL, "section 1: bad dynamic symbol table" },
	{ ".dynsym misaligned", m_dynsym_align, -EINVAL, "section 1: bad dynamic symbol table" },
	{ ".dynsym link", m_dynsym_link, -EINVAL, "section 1: string table index 10 out of range" },
	{ ".dynstr not STRTAB", m_dynstr_type, -EINVAL, "section 6: bad dynamic string table" },
	{ ".dynstr unterminated", m_dynstr_nul, -EINVAL, "section 2: bad dynamic string table" },
	{ ".dynsym not DT_SYMTAB", m_dynsym_other, -EINVAL,
	  "section 1: the dynamic symbol or string table disagrees" },
	{ ".dynstr not DT_STRSZ", m_dynstr_size, -EINVAL,
	  "section 1: the dynamic symbol or string table disagrees" },
	/* check_reloc_sections() */
	{ "SHT_REL", m_shrel, -EINVAL, "section 6: REL relocations are not supported" },
	{ "RELA entsize", m_rela_entsize, -EINVAL, "section 3: bad relocation table" },
	{ "RELR entsize", m_relr_entsize, -EINVAL, "section 4: bad relocation table" },
	{ "RELA section not named", m_rela_unnamed, -EINVAL,
	  "section 10: relocations the dynamic segment does not name" },
	{ "RELA section shorter", m_rela_shorter, -EINVAL,
	  "section 3: relocations the dynamic segment does not name" },
	{ "RELA bytes as RELR", m_rela_as_relr, -EINVAL,
	  "section 3: relocations the dynamic segment does not name" },
	{ "RELR bytes as RELA", m_relr_as_rela, -EINVAL,
	  "section 4: relocations the dynamic segment does not name" },
	{ "no RELR section", m_relr_missing, -EINVAL,
	  "the dynamic segment names relocations no section describes" },
	{ "no JMPREL section", m_jmprel_missing, -EINVAL,
	  "the dynamic segment names relocations no section describes" },
};

KUNIT_ARRAY_PARAM_DESC(rt_cases, rt_cases, desc);

static void rt_rejected(struct kunit *test)
{
	const struct rt_case *c = test->param_value;
	struct rt_img *img = test->priv;

	c->mutate(img);
	KUNIT_EXPECT_EQ(test, rt_validate(rt_elf(test, img)), c->err);
	rt_expect_log(test, img, c->msg);
}

/* Validate, copy the segments to memory and apply the relocations. */
static int rt_relocate(struct kunit *test, struct rt_img *img, u8 **base)
{
	struct rex_elf *elf = rt_elf(test, img);

	KUNIT_ASSERT_EQ(test, rt_validate(elf), 0);
	*base = kunit_kzalloc(test, elf->span, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *base);
	map_segments(elf, *base);
	return apply_relocations(elf, *base);
}

static u64 rt_at(const u8 *base, u64 addr)
{
	return get_unaligned((const u64 *)(base + addr));
}

static void rt_relocs_applied(struct kunit *test)
{
	struct rt_img *img = test->priv;
	u8 *base;

	KUNIT_ASSERT_EQ(test, rt_relocate(test, img, &base), 0);
	rt_expect_no_log(test, img);
	/* RELA: relative, absolute with addend, a map's GOT entry. */
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS), (u64)base + RT_OBJ);
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS + 0x08), (u64)base + RT_OBJ + 8);
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS + 0x10), (u64)&img->slot);
	/* RELR: an address entry and two bits of a bitmap. */
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS + 0x20), (u64)base + RT_OBJ + 0x10);
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS + 0x28), (u64)base + RT_OBJ + 0x18);
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS + 0x30), 0x1234ULL);
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS + 0x38), (u64)base + RT_OBJ + 0x28);
	/* JMPREL: the stack check every function of an image calls. */
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS + 0x40), (u64)rex_arch_stack_check);
	/* Nothing else was written. */
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS + 0x18), 0ULL);
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS + 0x48), 0ULL);
}

/* A bitmap relocates the 63 words after the last one relocated. */
static void rt_relr_bitmaps(struct kunit *test)
{
	struct rt_img *img = test->priv;
	u64 *relr = rt_relr(img);
	u64 at = RT_WORDS + 0x100;
	unsigned int i;
	u8 *base;

	relr[0] = at;
	relr[1] = BIT_ULL(63) | 1;	/* at + 63 * 8 */
	relr[2] = BIT_ULL(1) | 1;	/* at + 64 * 8 */
	rt_set_relr(img, 3);
	for (i = 0; i <= 64; i++)
		*rt_word(img, at + i * 8) = i;
	KUNIT_ASSERT_EQ(test, rt_relocate(test, img, &base), 0);
	for (i = 0; i <= 64; i++) {
		bool relocated = i == 0 || i == 63 || i == 64;

		KUNIT_EXPECT_EQ_MSG(test, rt_at(base, at + i * 8),
				    relocated ? (u64)base + i : (u64)i, "word %u", i);
	}
}

/* R_X86_64_NONE is skipped wherever it points. */
static void rt_reloc_none(struct kunit *test)
{
	struct rt_img *img = test->priv;
	Elf64_Rela *r = rt_rela(img);
	u8 *base;

	r[3].r_offset = RT_TEXT;
	r[3].r_info = RT_R_INFO(RT_SYM_PROG, R_X86_64_NONE);
	rt_set_rela(img, 4);
	KUNIT_EXPECT_EQ(test, rt_relocate(test, img, &base), 0);
	rt_expect_no_log(test, img);
}

/* A relocation that one check of apply_rela() or apply_relr() refuses. */
static void rt_reloc_rejected(struct kunit *test, struct rt_img *img, int err,
			      const char *msg)
{
	u8 *base;

	KUNIT_EXPECT_EQ(test, rt_relocate(test, img, &base), err);
	rt_expect_log(test, img, msg);
}

static void rt_reloc_type(struct kunit *test)
{
	struct rt_img *img = test->priv;

	rt_rela(img)[1].r_info = RT_R_INFO(RT_SYM_OBJ, R_X86_64_PC32);
	rt_reloc_rejected(test, img, -EINVAL,
			  "relocation 1 (dynamic tag 7): unsupported type 2");
}

static void rt_reloc_readonly(struct kunit *test)
{
	struct rt_img *img = test->priv;

	rt_rela(img)[2].r_offset = RT_DYNSYM;
	rt_reloc_rejected(test, img, -EINVAL,
			  "relocation 2 (dynamic tag 7): offset 0x200 is not inside a writable segment");
}

static void rt_reloc_text(struct kunit *test)
{
	struct rt_img *img = test->priv;

	rt_jmprel(img)[0].r_offset = RT_TEXT + 0x10;
	rt_reloc_rejected(test, img, -EINVAL,
			  "relocation 0 (dynamic tag 23): offset 0x1010 is not inside a writable");
}

static void rt_reloc_straddle(struct kunit *test)
{
	struct rt_img *img = test->priv;

	/* The last 4 bytes of the data segment: the word does not fit. */
	rt_rela(img)[0].r_offset = RT_LEN - 4;
	rt_reloc_rejected(test, img, -EINVAL, "offset 0x2ffc is not inside a writable segment");
}

static void rt_reloc_relative_sym(struct kunit *test)
{
	struct rt_img *img = test->priv;

	rt_rela(img)[0].r_info = RT_R_INFO(RT_SYM_OBJ, R_X86_64_RELATIVE);
	rt_reloc_rejected(test, img, -EINVAL,
			  "relocation 0 (dynamic tag 7): relative relocation with a symbol");
}

static void rt_reloc_relative_outside(struct kunit *test)
{
	struct rt_img *img = test->priv;
	u8 *base;

	/* The last byte of the image is inside it; the end is not. */
	rt_rela(img)[0].r_addend = RT_LEN - 1;
	KUNIT_EXPECT_EQ(test, rt_relocate(test, img, &base), 0);
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS), (u64)base + RT_LEN - 1);

	img->log.end_pos = 0;
	rt_rela(img)[0].r_addend = RT_LEN;
	rt_reloc_rejected(test, img, -EINVAL, "relative relocation with a symbol or outside");
	img->log.end_pos = 0;
	rt_rela(img)[0].r_addend = -1;
	rt_reloc_rejected(test, img, -EINVAL, "relative relocation with a symbol or outside");
}

static void rt_reloc_sym_range(struct kunit *test)
{
	struct rt_img *img = test->priv;

	rt_rela(img)[1].r_info = RT_R_INFO(RT_NSYMS, R_X86_64_64);
	rt_reloc_rejected(test, img, -EINVAL,
			  "relocation 1 (dynamic tag 7): symbol index 5 out of range");
}

static void rt_reloc_sym_abs(struct kunit *test)
{
	struct rt_img *img = test->priv;

	img->sym[RT_SYM_OBJ].st_shndx = SHN_ABS;
	rt_reloc_rejected(test, img, -EINVAL, "symbol 'data_obj' lies outside the image");
}

static void rt_reloc_sym_outside(struct kunit *test)
{
	struct rt_img *img = test->priv;

	img->sym[RT_SYM_OBJ].st_value = RT_LEN;
	rt_reloc_rejected(test, img, -EINVAL, "symbol 'data_obj' lies outside the image");
}

static void rt_reloc_sym_null(struct kunit *test)
{
	struct rt_img *img = test->priv;

	rt_rela(img)[2].r_info = RT_R_INFO(RT_SYM_NULL, R_X86_64_GLOB_DAT);
	rt_reloc_rejected(test, img, -EINVAL,
			  "relocation 2 (dynamic tag 7): import without a name");
}

static void rt_reloc_sym_badname(struct kunit *test)
{
	struct rt_img *img = test->priv;

	img->sym[RT_SYM_MAP].st_name = img->sh[RT_SH_DYNSTR].sh_size;
	rt_reloc_rejected(test, img, -EINVAL,
			  "relocation 2 (dynamic tag 7): import without a name");
}

/* Imports resolve by how they are used: a GOT entry is data, a map. */
static void rt_reloc_import(struct kunit *test)
{
	struct rt_img *img = test->priv;

	img->ld.nr_maps = 0;
	rt_reloc_rejected(test, img, -ENOENT, "unknown import 'counts': not a map of the image");
	img->log.end_pos = 0;
	img->ld.nr_maps = 1;
	rt_jmprel(img)[0].r_info = RT_R_INFO(RT_SYM_MAP, R_X86_64_JUMP_SLOT);
	rt_reloc_rejected(test, img, -EINVAL, "import 'counts' is a map, called as a function");
	img->log.end_pos = 0;
	rt_jmprel(img)[0].r_info = RT_R_INFO(RT_SYM_FENTRY, R_X86_64_JUMP_SLOT);
	rt_rela(img)[2].r_info = RT_R_INFO(RT_SYM_FENTRY, R_X86_64_GLOB_DAT);
	rt_reloc_rejected(test, img, -ENOENT, "unknown import '__fentry__'");
}

static void rt_relr_bitmap_first(struct kunit *test)
{
	struct rt_img *img = test->priv;

	rt_relr(img)[0] = BIT_ULL(1) | 1;
	rt_reloc_rejected(test, img, -EINVAL, "RELR relocations start with a bitmap");
}

static void rt_relr_outside(struct kunit *test)
{
	struct rt_img *img = test->priv;

	*rt_word(img, RT_WORDS + 0x38) = RT_LEN;
	rt_reloc_rejected(test, img, -EINVAL,
			  "RELR relocation 1: word at 0x2838 points outside the image");
}

static void rt_relr_readonly(struct kunit *test)
{
	struct rt_img *img = test->priv;

	rt_relr(img)[0] = RT_DYNSYM;
	rt_reloc_rejected(test, img, -EINVAL,
			  "relocation 0 (dynamic tag 36): offset 0x200 is not inside a writable");
}

static void rt_relr_bitmap_past(struct kunit *test)
{
	struct rt_img *img = test->priv;

	/* Bit 63 of a bitmap after the last word of the image: 62 words on. */
	rt_relr(img)[0] = RT_LEN - 8;
	rt_relr(img)[1] = BIT_ULL(63) | 1;
	*rt_word(img, RT_LEN - 8) = 0;
	rt_reloc_rejected(test, img, -EINVAL,
			  "relocation 1 (dynamic tag 36): offset 0x31f0 is not inside a writable");
}

/* Pointers into the text must point at ENDBR64 on an IBT kernel. */
static void rt_reloc_endbr(struct kunit *test)
{
	struct rt_img *img = test->priv;
	u8 *text = img->data + RT_TEXT + 0x10;
	u8 *base;

	if (!IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		kunit_skip(test, "needs CONFIG_X86_KERNEL_IBT");

	/* A function pointer to RT_TEXT + 0x10, by RELR and by RELA. */
	*rt_word(img, RT_WORDS + 0x28) = RT_TEXT + 0x10;
	rt_rela(img)[0].r_addend = RT_TEXT + 0x10;
	memcpy(text, "\xf3\x0f\x1e\xfa", 4);
	KUNIT_EXPECT_EQ(test, rt_relocate(test, img, &base), 0);
	rt_expect_no_log(test, img);
	KUNIT_EXPECT_EQ(test, rt_at(base, RT_WORDS), (u64)base + RT_TEXT + 0x10);

	memset(text, 0x90, 4);
	rt_reloc_rejected(test, img, -EINVAL,
			  "RELR relocation 1: pointer to 0x1010 in the text, which does not start with ENDBR64");

	/* Data pointers need no ENDBR64. */
	img->log.end_pos = 0;
	*rt_word(img, RT_WORDS + 0x28) = RT_DYNSYM;
	rt_reloc_rejected(test, img, -EINVAL,
			  "dynamic relocation 0: pointer to 0x1010 in the text, which does not start with ENDBR64");

	img->log.end_pos = 0;
	rt_rela(img)[0].r_addend = RT_OBJ;
	KUNIT_EXPECT_EQ(test, rt_relocate(test, img, &base), 0);
	rt_expect_no_log(test, img);
}

static void rt_find_shdr(struct kunit *test)
{
	struct rt_img *img = test->priv;
	struct rex_elf *elf = rt_elf(test, img);
	const Elf64_Shdr *sh = NULL;

	KUNIT_ASSERT_EQ(test, rt_validate(elf), 0);
	KUNIT_EXPECT_EQ(test, find_shdr(elf, ".text", &sh), 0);
	KUNIT_EXPECT_PTR_EQ(test, sh, (const Elf64_Shdr *)&img->sh[RT_SH_TEXT]);
	KUNIT_EXPECT_EQ(test, find_shdr(elf, ".tex", &sh), 0);
	KUNIT_EXPECT_NULL(test, sh);
	KUNIT_EXPECT_EQ(test, find_shdr(elf, ".text.hot", &sh), 0);
	KUNIT_EXPECT_NULL(test, sh);
	rt_expect_no_log(test, img);

	/* A name offset past the name table names nothing. */
	img->sh[RT_SH_RELR].sh_name = img->sh[RT_SH_SHSTRTAB].sh_size;
	KUNIT_EXPECT_EQ(test, find_shdr(elf, "", &sh), 0);
	KUNIT_EXPECT_PTR_EQ(test, sh, (const Elf64_Shdr *)&img->sh[RT_SH_NULL]);

	img->sh[RT_SH_RELR].sh_name = img->sh[RT_SH_TEXT].sh_name;
	KUNIT_EXPECT_EQ(test, find_shdr(elf, ".text", &sh), -EINVAL);
	rt_expect_log(test, img, "section 6: more than one .text section");
}

static void rt_find_shdr_names(struct kunit *test)
{
	struct rt_img *img = test->priv;
	struct rex_elf *elf = rt_elf(test, img);
	const Elf64_Shdr *sh = NULL;

	KUNIT_ASSERT_EQ(test, rt_validate(elf), 0);
	img->eh->e_shstrndx = SHN_UNDEF;
	KUNIT_EXPECT_EQ(test, find_shdr(elf, ".text", &sh), -EINVAL);
	rt_expect_log(test, img, "section name table index 0 out of range");

	img->log.end_pos = 0;
	img->eh->e_shstrndx = RT_NSHDRS;
	KUNIT_EXPECT_EQ(test, find_shdr(elf, ".text", &sh), -EINVAL);
	rt_expect_log(test, img, "section name table index 10 out of range");

	img->log.end_pos = 0;
	img->eh->e_shstrndx = RT_SH_DYNSYM;
	KUNIT_EXPECT_EQ(test, find_shdr(elf, ".text", &sh), -EINVAL);
	rt_expect_log(test, img, "section 1: bad section name table");

	img->log.end_pos = 0;
	img->eh->e_shstrndx = RT_SH_SHSTRTAB;
	img->data[RT_SHSTRTAB + img->sh[RT_SH_SHSTRTAB].sh_size - 1] = 'x';
	KUNIT_EXPECT_EQ(test, find_shdr(elf, ".text", &sh), -EINVAL);
	rt_expect_log(test, img, "section 9: bad section name table");
	KUNIT_EXPECT_NULL(test, sh);
}

/* check_prog() on the validated image, with @attr as the load's. */
static int rt_check_prog(struct kunit *test, struct rt_img *img, const char *entry)
{
	struct rex_elf *elf = rt_elf(test, img);

	KUNIT_ASSERT_EQ(test, rt_validate(elf), 0);
	return check_prog(elf, entry);
}

static void rt_prog_described(struct kunit *test)
{
	struct rt_img *img = test->priv;

	img->def->stack_size = REX_PROG_STACK_MAX;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), 0);
	rt_expect_no_log(test, img);

	/* A tracepoint program's context size is what attaching checks. */
	img->def->prog_type = BPF_PROG_TYPE_TRACEPOINT;
	img->def->ctx_size = 24;
	img->attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), 0);
	rt_expect_no_log(test, img);
	KUNIT_EXPECT_EQ(test, img->prog->aux->max_ctx_offset, 24U);
}

static void rt_prog_rejected(struct kunit *test)
{
	struct rt_img *img = test->priv;
	struct rex_prog_def *def = img->def;

	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "other"), -ENOENT);
	rt_expect_log(test, img, "program 'other' has no description in .rex.progs");

	img->log.end_pos = 0;
	img->attr.expected_attach_type = BPF_XDP;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img, "is described as type 6, attach type 0, and loaded as 6, 37");

	img->log.end_pos = 0;
	img->attr.expected_attach_type = 0;
	def->stack_size = REX_PROG_STACK_MAX + 1;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -E2BIG);
	rt_expect_log(test, img, "program 'prog' declares 12289 bytes of stack");

	img->log.end_pos = 0;
	def->stack_size = 0;
	def->ctx_size = 8;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img, "declares a context size; only tracepoint programs do");

	img->log.end_pos = 0;
	def->prog_type = BPF_PROG_TYPE_TRACEPOINT;
	def->ctx_size = 0;
	img->attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img, "tracepoint program 'prog' declares no context size");
}

/*
 * Descriptions of a later version, larger than this kernel knows: taken
 * if what this kernel does not know is zero (the rule of
 * include/uapi/linux/rex.h), refused otherwise, as are sizes below the
 * first version's, sizes that are no multiple of 4 and entries of
 * different sizes.
 */
static void rt_prog_def_size(struct kunit *test)
{
	struct rt_img *img = test->priv;
	Elf64_Shdr *sh = &img->sh[RT_SH_PROGS];
	size_t esize = sizeof(*img->def) + 8;
	u8 *e = (u8 *)img->def;

	img->def->size = esize;
	sh->sh_size = esize;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), 0);
	rt_expect_no_log(test, img);

	/* A second program after it, also grown: found at the entry size. */
	memcpy(e + esize, e, esize);
	strscpy(((struct rex_prog_def *)(e + esize))->entry, "second");
	sh->sh_size = 2 * esize;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "second"), 0);
	rt_expect_no_log(test, img);

	img->log.end_pos = 0;
	e[esize + sizeof(*img->def) + 5] = 1;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -E2BIG);
	rt_expect_log(test, img, "section .rex.progs: entry 1: non-zero bytes past the 84 known");

	img->log.end_pos = 0;
	e[esize + sizeof(*img->def) + 5] = 0;
	((struct rex_prog_def *)(e + esize))->size = sizeof(*img->def);
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img, "section .rex.progs: entry 1 has size 84, entry 0 92");

	img->log.end_pos = 0;
	sh->sh_size = sizeof(*img->def) - 4;
	img->def->size = sizeof(*img->def) - 4;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img, "section .rex.progs: entry size 80 is below 84");

	img->log.end_pos = 0;
	sh->sh_size = sizeof(*img->def) + 2;
	img->def->size = sizeof(*img->def) + 2;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img, "section .rex.progs: entry size 86 is not a multiple of 4");
}

/* The same rule for the map descriptions, as rex_maps_bind() checks them. */
static void rt_map_def_size(struct kunit *test)
{
	struct rt_img *img = test->priv;
	struct rex_map_def *defs;
	size_t esize = sizeof(*defs) + 4, got;
	u8 *sec = kunit_kzalloc(test, 2 * esize, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sec);
	defs = (struct rex_map_def *)sec;
	defs->size = esize;
	((struct rex_map_def *)(sec + esize))->size = esize;
	strscpy(((struct rex_map_def *)(sec + esize))->name, "second");
	KUNIT_EXPECT_EQ(test, rex_defs_check(&img->ld, REX_MAPS_SECTION, sec, 2 * esize,
					     sizeof(*defs), &got), 2);
	KUNIT_EXPECT_EQ(test, got, esize);
	img->ld.map_defs = sec;
	img->ld.map_def_size = got;
	KUNIT_EXPECT_STREQ(test, rex_map_def_at(&img->ld, 1)->name, "second");
	rt_expect_no_log(test, img);

	KUNIT_EXPECT_EQ(test, rex_defs_check(&img->ld, REX_MAPS_SECTION, sec, 0,
					     sizeof(*defs), &got), 0);

	sec[2 * esize - 1] = 0x80;
	KUNIT_EXPECT_EQ(test, rex_defs_check(&img->ld, REX_MAPS_SECTION, sec, 2 * esize,
					     sizeof(*defs), &got), -E2BIG);
	rt_expect_log(test, img, "section .rex.maps: entry 1: non-zero bytes past the 44 known");

	img->log.end_pos = 0;
	KUNIT_EXPECT_EQ(test, rex_defs_check(&img->ld, REX_MAPS_SECTION, sec, 2,
					     sizeof(*defs), &got), -EINVAL);
	rt_expect_log(test, img, "section .rex.maps: entry size 0 is below 44");
}

static void rt_prog_section(struct kunit *test)
{
	struct rt_img *img = test->priv;
	Elf64_Shdr *sh = &img->sh[RT_SH_PROGS];

	/* Two descriptions of the program. */
	img->def[1] = img->def[0];
	sh->sh_size = 2 * sizeof(*img->def);
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img, ".rex.progs: program 'prog' is described twice");

	/* An entry name without its NUL. */
	img->log.end_pos = 0;
	memset(img->def[1].entry, 'a', sizeof(img->def[1].entry));
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img, ".rex.progs: program 1: entry name not NUL-terminated");

	img->log.end_pos = 0;
	sh->sh_size = sizeof(*img->def) + 4;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img,
		      "section .rex.progs: 88 bytes are no whole number of 84-byte entries");

	img->log.end_pos = 0;
	sh->sh_size = sizeof(*img->def);
	sh->sh_offset += 2;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img, "section 8: bad .rex.progs section");

	img->log.end_pos = 0;
	sh->sh_offset -= 2;
	sh->sh_type = SHT_NOBITS;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -EINVAL);
	rt_expect_log(test, img, "section 8: bad .rex.progs section");

	/* Without the section, no program is described. */
	img->log.end_pos = 0;
	sh->sh_name = img->sh[RT_SH_TEXT].sh_name + 1;
	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "prog"), -ENOENT);
	rt_expect_log(test, img, "program 'prog' has no description in .rex.progs");
}

static void rt_printable(struct kunit *test)
{
	char buf[REX_NAME_SHOWN + 1];
	char *name;

	KUNIT_EXPECT_STREQ(test, rex_printable(buf, ""), "");
	KUNIT_EXPECT_STREQ(test, rex_printable(buf, " map_1~"), " map_1~");
	KUNIT_EXPECT_STREQ(test, rex_printable(buf, "a\tb\037\177\200\377c"), "a?b????c");
	KUNIT_EXPECT_PTR_EQ(test, rex_printable(buf, "x"), (const char *)buf);

	/* At most REX_NAME_SHOWN bytes are shown. */
	name = kunit_kzalloc(test, 2 * REX_NAME_SHOWN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name);
	memset(name, 'n', 2 * REX_NAME_SHOWN - 1);
	KUNIT_EXPECT_EQ(test, strlen(rex_printable(buf, name)), (size_t)REX_NAME_SHOWN);
	name[REX_NAME_SHOWN] = '\0';
	KUNIT_EXPECT_STREQ(test, rex_printable(buf, name), name);
	name[REX_NAME_SHOWN - 1] = '\n';
	KUNIT_EXPECT_EQ(test, buf[REX_NAME_SHOWN - 1], 'n');
	rex_printable(buf, name);
	KUNIT_EXPECT_EQ(test, buf[REX_NAME_SHOWN - 1], '?');
}

/* Names from the image are shown printable in the log. */
static void rt_shown_printable(struct kunit *test)
{
	struct rt_img *img = test->priv;

	KUNIT_EXPECT_EQ(test, rt_check_prog(test, img, "bad\nname\x1b[0m"), -ENOENT);
	rt_expect_log(test, img, "program 'bad?name?[0m' has no description");
}

static struct kunit_case rex_loader_test_cases[] = {
	KUNIT_CASE(rt_valid_image),
	KUNIT_CASE(rt_valid_ignored),
	KUNIT_CASE_PARAM(rt_rejected, rt_cases_gen_params),
	KUNIT_CASE(rt_find_shdr),
	KUNIT_CASE(rt_find_shdr_names),
	KUNIT_CASE(rt_prog_described),
	KUNIT_CASE(rt_prog_rejected),
	KUNIT_CASE(rt_prog_section),
	KUNIT_CASE(rt_prog_def_size),
	KUNIT_CASE(rt_map_def_size),
	KUNIT_CASE(rt_printable),
	KUNIT_CASE(rt_shown_printable),
	{}
};

static struct kunit_suite rex_loader_test_suite = {
	.name = "rex_loader",
	.init = rt_init,
	.test_cases = rex_loader_test_cases,
};

static struct kunit_case rex_reloc_test_cases[] = {
	KUNIT_CASE(rt_relocs_applied),
	KUNIT_CASE(rt_relr_bitmaps),
	KUNIT_CASE(rt_reloc_none),
	KUNIT_CASE(rt_reloc_type),
	KUNIT_CASE(rt_reloc_readonly),
	KUNIT_CASE(rt_reloc_text),
	KUNIT_CASE(rt_reloc_straddle),
	KUNIT_CASE(rt_reloc_relative_sym),
	KUNIT_CASE(rt_reloc_relative_outside),
	KUNIT_CASE(rt_reloc_sym_range),
	KUNIT_CASE(rt_reloc_sym_abs),
	KUNIT_CASE(rt_reloc_sym_outside),
	KUNIT_CASE(rt_reloc_sym_null),
	KUNIT_CASE(rt_reloc_sym_badname),
	KUNIT_CASE(rt_reloc_import),
	KUNIT_CASE(rt_relr_bitmap_first),
	KUNIT_CASE(rt_relr_outside),
	KUNIT_CASE(rt_relr_readonly),
	KUNIT_CASE(rt_relr_bitmap_past),
	KUNIT_CASE(rt_reloc_endbr),
	{}
};

static struct kunit_suite rex_reloc_test_suite = {
	.name = "rex_reloc",
	.init = rt_init,
	.test_cases = rex_reloc_test_cases,
};

kunit_test_suites(&rex_loader_test_suite, &rex_reloc_test_suite);
