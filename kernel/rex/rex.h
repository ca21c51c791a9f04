/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rex internal interfaces.
 */
#ifndef _KERNEL_REX_REX_H
#define _KERNEL_REX_REX_H

#include <linux/types.h>

struct bpf_verifier_log;

/* Largest image accepted by BPF_PROG_LOAD, file and memory footprint. */
#define REX_IMAGE_SIZE_MAX	(16U << 20)
/* Longest entry symbol name, including the terminating NUL. */
#define REX_ENTRY_NAME_MAX	128

/**
 * typedef rex_entry_t - signature of a Rex program entry point
 * @ctx: the program type's context, as passed to bpf_prog_run()
 *
 * Return: the program's verdict, interpreted by the attach point.
 */
typedef unsigned int (*rex_entry_t)(const void *ctx);

/**
 * struct rex_image - a loaded and relocated Rex image
 * @base: start of the mapping, from the BPF executable memory range
 * @size: size of the mapping in bytes, a multiple of PAGE_SIZE
 * @entry: the program's entry point, inside a text segment
 */
struct rex_image {
	void *base;
	size_t size;
	rex_entry_t entry;
};

/**
 * struct rex_prog - Rex state of a BPF program, hangs off bpf_prog_aux::rex
 * @image: the program's code and data
 */
struct rex_prog {
	struct rex_image image;
};

int rex_image_load(struct rex_image *img, const void *elf, size_t len,
		   const char *entry, struct bpf_verifier_log *log);
void rex_image_free(struct rex_image *img);

#endif /* _KERNEL_REX_REX_H */
