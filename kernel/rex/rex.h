/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rex internal interfaces.
 */
#ifndef _KERNEL_REX_REX_H
#define _KERNEL_REX_REX_H

#include <linux/atomic.h>
#include <linux/ratelimit_types.h>
#include <linux/rex.h>
#include <linux/types.h>
#include <uapi/linux/rex.h>

struct bpf_map;
struct bpf_prog;
struct bpf_verifier_log;
struct rex_map_def;
union bpf_attr;

/* Largest image accepted by BPF_PROG_LOAD, file and memory footprint. */
#define REX_IMAGE_SIZE_MAX	(16U << 20)
/*
 * Longest entry symbol name, including the terminating NUL: what the
 * program's description (&struct rex_prog_def.entry) holds, which must
 * name the same symbol.
 */
#define REX_ENTRY_NAME_MAX	REX_ENTRY_LEN

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
 * @text: start of the executable part of the mapping
 * @text_size: size of the executable part in bytes
 * @entry: the program's entry point, inside a text segment
 */
struct rex_image {
	void *base;
	size_t size;
	void *text;
	size_t text_size;
	rex_entry_t entry;
};

/* A BPF helper function, or a Rex wrapper with the same calling convention. */
typedef u64 (*rex_helper_fn)(u64, u64, u64, u64, u64);

/* Size of the helper allowlist's gate table. */
#define REX_NR_HELPERS		40

/**
 * struct rex_load - state of one BPF_PROG_LOAD of a Rex program
 * @prog: the program being loaded
 * @rex: its Rex state, where helper imports are recorded
 * @attr: its BPF_PROG_LOAD attributes
 * @log: the BPF log that receives rejection messages
 * @map_defs: the image's map descriptions, inside the kernel's copy
 *            (rex_map_def_at())
 * @map_def_size: the size of each, as the image gives it
 * @nr_maps: number of entries of @map_defs, and of @prog's used maps
 * @rethunk: the image imports the return thunk: its returns go through it
 *
 * The loader hands every undefined symbol of the image to
 * rex_import_resolve(), which looks at the maps bound by rex_maps_bind()
 * and at the helper allowlist.
 */
struct rex_load {
	struct bpf_prog *prog;
	struct rex_prog *rex;
	const union bpf_attr *attr;
	struct bpf_verifier_log *log;
	const void *map_defs;
	size_t map_def_size;
	unsigned int nr_maps;
	bool rethunk;
};

/*
 * The description of map @i of the load: the members this kernel knows,
 * which rex_defs_check() found in every entry.
 */
static inline const struct rex_map_def *rex_map_def_at(const struct rex_load *ld,
							unsigned int i)
{
	return ld->map_defs + (size_t)i * ld->map_def_size;
}

ssize_t rex_defs_check(struct rex_load *ld, const char *name, const void *sec, size_t size,
		       size_t known, size_t *entry_size);

/**
 * struct rex_prog - Rex state of a BPF program, hangs off bpf_prog_aux::rex
 * @image: the program's code and data
 * @aborts: number of runs left early, by enum rex_abort_reason
 * @leaks: number of runs that returned holding resources
 * @abort_rs: rate limit of the program's abort reports
 * @helpers: the function each allowlisted helper is for the program's type,
 *           by allowlist index; the gate of index i calls @helpers[i]
 * @map_args: by allowlist index, a bit for each argument of the helper that
 *            is a map, which the gate checks (rex_map_arg())
 * @maps: the program's maps, as bound at load: what their symbols stand for
 * @nr_maps: number of entries of @maps
 */
struct rex_prog {
	struct rex_image image;
	atomic64_t aborts[REX_ABORT_NR];
	atomic64_t leaks;
	struct ratelimit_state abort_rs;
	rex_helper_fn helpers[REX_NR_HELPERS];
	u8 map_args[REX_NR_HELPERS];
	struct rex_map_slot *maps;
	unsigned int nr_maps;
};

/**
 * struct rex_map_slot - one map of a program, as the program and gates see it
 * @ref: what the program reads (&struct rex_map_ref); the map's symbol is
 *       resolved to the slot's address, which the program passes to helpers
 * @map: the map, whose reference is the program's (bpf_prog_aux::used_maps)
 * @helpers: by allowlist index, a bit for each helper that takes a map of
 *           this map's type
 * @reserved: pads the slot to 32 bytes
 *
 * A power of two in size, so that a gate tells a slot's address from any
 * other with a subtraction and a mask.
 */
struct rex_map_slot {
	struct rex_map_ref ref;
	struct bpf_map *map;
	u64 helpers;
	u64 reserved;
};

/* Entries of the cleanup ledger of one context level of one CPU. */
#define REX_LEDGER_SIZE		16

/**
 * enum rex_resource - kinds of resources a program acquires through helpers
 * @REX_RES_RINGBUF_RECORD: a reserved ring buffer record
 * @REX_RES_SPIN_LOCK: a held resilient spin lock (struct bpf_res_spin_lock);
 *                     its data is the interrupt state to restore
 */
enum rex_resource {
	REX_RES_RINGBUF_RECORD,
	REX_RES_SPIN_LOCK,
};

int rex_res_acquired(enum rex_resource kind, void *ptr, unsigned long data);
bool rex_res_released(void *ptr, unsigned long *data);
bool rex_res_holds(enum rex_resource kind);
void rex_res_release(enum rex_resource kind, void *ptr, unsigned long data);
unsigned int rex_run(const void *ctx, const struct bpf_insn *insn);
unsigned int rex_run_override(const void *ctx, const struct bpf_insn *insn);
void rex_prog_set_entry(struct bpf_prog *prog);
int rex_runtime_get(void);
unsigned int rex_default_ret(const struct bpf_prog *prog);
void __noreturn rex_panic(const char *msg);
const struct rex_prog *rex_helper_enter(unsigned long ip);
void rex_watchdog_get(void);
void rex_watchdog_put(void);

#define rex_log(ld, fmt, ...) \
	bpf_log((ld)->log, "rex: " fmt "\n", ##__VA_ARGS__)

/* Longest name from an image that a log line shows (rex_printable()). */
#define REX_NAME_SHOWN		64

const char *rex_printable(char *buf, const char *s);

int rex_image_load(struct rex_image *img, const void *elf, size_t len,
		   const char *entry, struct rex_load *ld);
void rex_image_free(struct rex_image *img);

/**
 * enum rex_import_kind - how an image uses an undefined symbol
 * @REX_IMPORT_FUNC: it calls it (a PLT slot): a helper
 * @REX_IMPORT_DATA: it takes its address (GOT entry, pointer in data): a map
 */
enum rex_import_kind {
	REX_IMPORT_FUNC,
	REX_IMPORT_DATA,
};

int rex_trust_policy(const union bpf_attr *attr, struct bpf_verifier_log *log);
int rex_sig_verify(struct bpf_prog *prog, const void *image, size_t len,
		   const union bpf_attr *attr, struct bpf_verifier_log *log);
void rex_trust_loaded(const struct bpf_prog *prog);

int rex_maps_bind(struct rex_load *ld, const void *sec, size_t size);
u64 rex_map_helpers(u32 type);
bool rex_map_type_has_values(u32 type);
bool rex_import_reserved(const char *name);
int rex_import_resolve(struct rex_load *ld, const char *name, enum rex_import_kind kind,
		       u64 *addr);
const char *rex_prog_type_name(u32 type);

#endif /* _KERNEL_REX_REX_H */
