/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Rex: natively compiled programs for BPF attach points.
 *
 * Descriptions a Rex image carries about itself.  A Rex image is an ELF64
 * position-independent x86-64 object; BPF_PROG_LOAD with BPF_F_REX loads
 * one program of it.  See Documentation/bpf/rex.rst.
 */
#ifndef _UAPI_LINUX_REX_H
#define _UAPI_LINUX_REX_H

#include <linux/types.h>

/**
 * REX_NAME_LEN - size of the name fields of the image descriptions
 *
 * Equal to BPF_OBJ_NAME_LEN; names are NUL-terminated.
 */
#define REX_NAME_LEN		16

/**
 * REX_ENTRY_LEN - size of &struct rex_prog_def.entry, NUL included
 */
#define REX_ENTRY_LEN		64

/**
 * REX_MAPS_SECTION - name of the ELF section holding the map descriptions
 *
 * The section is an array of &struct rex_map_def.  Map i is bound to the
 * BPF map whose file descriptor is fd_array[i] of BPF_PROG_LOAD.
 */
#define REX_MAPS_SECTION	".rex.maps"

/**
 * REX_PROGS_SECTION - name of the ELF section holding the program descriptions
 *
 * The section is an array of &struct rex_prog_def.  It tells loaders which
 * programs an image holds and how to load them; the kernel reads the
 * description of the program it loads, which it requires.
 */
#define REX_PROGS_SECTION	".rex.progs"

/**
 * REX_LICENSE_SECTION - name of the ELF section holding the license string
 *
 * Read by loaders and passed as the license of BPF_PROG_LOAD.
 */
#define REX_LICENSE_SECTION	".rex.license"

/**
 * REX_FRAME_MAX - the largest stack frame a function of an image may have
 *
 * In bytes, not counting the return address.  Every function of an image
 * calls a stack check at its entry (an undefined ``__fentry__`` or
 * ``mcount``, which the kernel binds to its check): the check leaves the
 * kernel room for interrupts below whatever one frame may add.  Image
 * builds refuse larger frames (``-Werror=frame-larger-than=`` for C, the
 * ``.stack_sizes`` of the image for Rust).
 */
#define REX_FRAME_MAX		1536

/**
 * DOC: extending the descriptions
 *
 * &struct rex_map_def and &struct rex_prog_def start with their own size,
 * the size of the structure the image was built with, so that they can
 * grow as bpf_attr grows: a new member is only ever added at the end,
 * and zero in it means what the older structure meant.  Every entry of a
 * section has the same size, a multiple of 4 and at least the size of the
 * first version (REX_MAP_DEF_SIZE_VER0, REX_PROG_DEF_SIZE_VER0), and the
 * section holds a whole number of entries of that size.  A kernel reads
 * the members it knows, treats those an older image lacks as zero, and
 * refuses (E2BIG) an entry with a non-zero byte past what it knows.
 */

/* Size of the first version of &struct rex_map_def. */
#define REX_MAP_DEF_SIZE_VER0	44
/* Size of the first version of &struct rex_prog_def. */
#define REX_PROG_DEF_SIZE_VER0	84

/**
 * struct rex_map_def - a BPF map an image uses
 * @size: sizeof(struct rex_map_def) as the image knows it
 * @map_type: enum bpf_map_type
 * @key_size: key size in bytes
 * @value_size: value size in bytes
 * @max_entries: maximum number of entries
 * @map_flags: BPF_MAP_CREATE flags
 * @spin_lock: 1 + the offset in the value of the struct bpf_res_spin_lock
 *             the program takes, or 0 if it takes none; the map's BTF must
 *             describe that lock (and nothing else the kernel manages)
 * @name: map name, NUL-terminated: letters, digits, '_' and '.', and not
 *        starting with ``bpf_`` or ``rex_``, which are the helpers' names
 *
 * The program refers to the map through an undefined symbol of the same
 * name, whose address it takes (a GOT entry or a pointer in its data) and
 * passes to helpers; the kernel resolves the symbol to a &struct
 * rex_map_ref of the map bound through fd_array, and refuses the load
 * unless that map has this type, key size, value size, number of entries
 * and spin lock, and the flags BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG as
 * @map_flags has them.
 */
struct rex_map_def {
	__u32	size;
	__u32	map_type;
	__u32	key_size;
	__u32	value_size;
	__u32	max_entries;
	__u32	map_flags;
	__u32	spin_lock;
	char	name[REX_NAME_LEN];
};

/**
 * struct rex_map_ref - what the symbol of a map stands for
 * @values: for a BPF_MAP_TYPE_ARRAY map, the address of its value of
 *          index 0, whose value of index i is (value_size rounded up to a
 *          multiple of 8) * i bytes further, for every i below max_entries;
 *          0 for the other map types
 *
 * The kernel's description of one map of the program, which it keeps for
 * the program's lifetime; programs only read it.  Helpers take its address
 * as the map, and the kernel checks that it is the address of one of the
 * program's maps.  @values lets a program look up a value of an array map
 * without a helper call, as the JIT does for eBPF; the program must then
 * check the index against max_entries itself, and clamp it in a way that
 * speculative execution respects (see array_index_nospec()).  The kernel's
 * part of the structure may grow after @values.
 */
struct rex_map_ref {
	__u64	values;
};

/**
 * struct rex_prog_def - a program an image holds
 * @size: sizeof(struct rex_prog_def) as the image knows it
 * @prog_type: enum bpf_prog_type
 * @expected_attach_type: enum bpf_attach_type, as for BPF_PROG_LOAD
 * @stack_size: the most stack the program uses, in bytes, not counting the
 *              helpers it calls; 0 if not declared.  The kernel refuses to
 *              load a program that declares more than its Rex stacks give
 *              programs (see Documentation/bpf/rex.rst).
 * @ctx_size: tracepoint programs: the size of the record the program reads
 *            (it may read the first @ctx_size bytes of its context); the
 *            program attaches only to tracepoints whose record is at least
 *            that large.  Zero for the other program types.
 * @entry: entry symbol, NUL-terminated; also the program's name, truncated
 *
 * The kernel loads a program only if the image describes it here, with the
 * program type and expected attach type of the load.
 */
struct rex_prog_def {
	__u32	size;
	__u32	prog_type;
	__u32	expected_attach_type;
	__u32	stack_size;
	__u32	ctx_size;
	char	entry[REX_ENTRY_LEN];
};

#endif /* _UAPI_LINUX_REX_H */
