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
 * description of the program it loads for the stack the program declares.
 */
#define REX_PROGS_SECTION	".rex.progs"

/**
 * REX_LICENSE_SECTION - name of the ELF section holding the license string
 *
 * Read by loaders and passed as the license of BPF_PROG_LOAD.
 */
#define REX_LICENSE_SECTION	".rex.license"

/**
 * struct rex_map_def - a BPF map an image uses
 * @map_type: enum bpf_map_type
 * @key_size: key size in bytes
 * @value_size: value size in bytes
 * @max_entries: maximum number of entries
 * @map_flags: BPF_MAP_CREATE flags
 * @reserved: must be zero
 * @name: map name, NUL-terminated
 *
 * The program refers to the map through an undefined symbol of the same
 * name; the kernel resolves the symbol to the map bound through fd_array and
 * refuses the load unless that map has this type, key size, value size and
 * number of entries.
 */
struct rex_map_def {
	__u32	map_type;
	__u32	key_size;
	__u32	value_size;
	__u32	max_entries;
	__u32	map_flags;
	__u32	reserved;
	char	name[REX_NAME_LEN];
};

/**
 * struct rex_prog_def - a program an image holds
 * @prog_type: enum bpf_prog_type
 * @expected_attach_type: enum bpf_attach_type, as for BPF_PROG_LOAD
 * @stack_size: the most stack the program uses, in bytes, not counting the
 *              helpers it calls; 0 if not declared.  The kernel refuses to
 *              load a program that declares more than its Rex stacks give
 *              programs (see Documentation/bpf/rex.rst).
 * @reserved: must be zero
 * @entry: entry symbol, NUL-terminated; also the program's name, truncated
 */
struct rex_prog_def {
	__u32	prog_type;
	__u32	expected_attach_type;
	__u32	stack_size;
	__u32	reserved;
	char	entry[REX_ENTRY_LEN];
};

#endif /* _UAPI_LINUX_REX_H */
