/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C-built Rex test programs share: the image descriptions of
 * <linux/rex.h> (maps, programs, license) and, from tools/lib/rex, the
 * contexts the kernel passes to each program type and the helpers it
 * offers.
 */
#ifndef __REX_PROG_H
#define __REX_PROG_H

#include "rex_helpers.h"	/* contexts and helpers, from tools/lib/rex */

/*
 * Place an image description in @_section and keep it although no code
 * refers to it.  aligned(4) packs the descriptions of a section into an
 * array: GCC would align each to 32 bytes.  This is the kernel's
 * __section() __used __aligned(4), which a freestanding image built outside
 * the kernel does not have.
 */
#define __rex_desc(_section)						\
	__attribute__(							\
		(section(_section), used, aligned(4)))

/* Keep the compiler from assuming anything about the memory at @p. */
static inline void rex_clobber(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* @p, which the compiler no longer knows (a function: it cannot inline it). */
static inline void *rex_hide(void *p)
{
	__asm__("" : "+r"(p));
	return p;
}

/* A BPF map as the program sees it: only its address is ever used. */
struct rex_map;

/*
 * REX_MAP() - declare map @_name of the image
 *
 * Describes the map in REX_MAPS_SECTION and declares the undefined symbol
 * @_name that the kernel resolves to it.  Helpers take the map as &@_name.
 */
#define REX_MAP(_name, _type, _key_size, _value_size, _max_entries)	\
	REX_MAP_FLAGS(_name, _type, _key_size, _value_size, _max_entries, 0)

/* REX_MAP_FLAGS() - REX_MAP() of a map created with @_flags */
#define REX_MAP_FLAGS(_name, _type, _key_size, _value_size, _max_entries, _flags) \
	__REX_MAP(_name, _type, _key_size, _value_size, _max_entries, _flags, 0)

/*
 * REX_MAP_LOCK() - REX_MAP() of a map whose values are a @_value_type with a
 * struct bpf_res_spin_lock in member @_lock, which the program takes
 */
#define REX_MAP_LOCK(_name, _type, _key_size, _value_type, _lock, _max_entries) \
	__REX_MAP(_name, _type, _key_size, sizeof(_value_type), _max_entries, 0, \
		  __builtin_offsetof(_value_type, _lock) + 1)

/* REX_MAP_SYM() - the symbol of map @_name, which the kernel resolves */
#define REX_MAP_SYM(_name) extern struct rex_map _name

#define __REX_MAP(_name, _type, _key_size, _value_size, _max_entries, _flags, _lock) \
	REX_MAP_SYM(_name);						\
	static const struct rex_map_def __rex_map_##_name		\
	__rex_desc(REX_MAPS_SECTION) = {				\
		.size = sizeof(struct rex_map_def),			\
		.map_type = (_type),					\
		.key_size = (_key_size),				\
		.value_size = (_value_size),				\
		.max_entries = (_max_entries),				\
		.map_flags = (_flags),					\
		.spin_lock = (_lock),					\
		.name = #_name,						\
	}

/*
 * REX_PROG_DEF() - describe the entry function @_fn in REX_PROGS_SECTION,
 * declaring that it uses at most @_stack bytes of stack (0: not declared)
 * and reads @_ctx_size bytes of its context (tracepoint programs only)
 */
#define REX_PROG_DEF(_fn, _prog_type, _expected_attach_type, _stack, _ctx_size) \
	static const struct rex_prog_def __rex_prog_##_fn		\
	__rex_desc(REX_PROGS_SECTION) = {				\
		.size = sizeof(struct rex_prog_def),			\
		.prog_type = (_prog_type),				\
		.expected_attach_type = (_expected_attach_type),	\
		.stack_size = (_stack),					\
		.ctx_size = (_ctx_size),				\
		.entry = #_fn,						\
	}

#define REX_PROG_STACK(_fn, _prog_type, _expected_attach_type, _stack)	\
	REX_PROG_DEF(_fn, _prog_type, _expected_attach_type, _stack, 0)

/*
 * REX_ENTRY() - define the entry function @_fn of a program, whose context
 * is @_ctx of type @_ctx_type: the body follows, as for a function.  The
 * kernel calls every entry with the type unsigned int (const void *ctx),
 * whose kCFI type hash it checks on kernels with kCFI; the body, a static
 * function called once, is inlined into that function, which passes the
 * context on as @_ctx_type.
 */
#define REX_ENTRY(_fn, _ctx_type, _ctx)					\
	static inline unsigned int __##_fn(_ctx_type _ctx);		\
	unsigned int _fn(const void *ctx_)				\
	{								\
		return __##_fn((_ctx_type)(unsigned long)ctx_);		\
	}								\
	static inline unsigned int __##_fn(_ctx_type _ctx)

/* REX_PROG() - describe the entry function @_fn, stack not declared */
#define REX_PROG(_fn, _prog_type, _expected_attach_type)		\
	REX_PROG_STACK(_fn, _prog_type, _expected_attach_type, 0)

/*
 * REX_TRACEPOINT() - describe the tracepoint program @_fn, which reads the
 * first @_ctx_size bytes of its record
 */
#define REX_TRACEPOINT(_fn, _ctx_size)					\
	REX_PROG_DEF(_fn, BPF_PROG_TYPE_TRACEPOINT, 0, 0, _ctx_size)

/* REX_LICENSE() - the license string loaders pass to BPF_PROG_LOAD */
#define REX_LICENSE(_license)						\
	static const char __rex_license[]				\
	__rex_desc(REX_LICENSE_SECTION) = _license

/*
 * A function the kernel never offers to Rex programs; an image that calls
 * it has an import the loader must refuse.
 */
unsigned long long rex_no_such_helper(void);

/* Add @n to the counter at @key of the u64 array or hash @map. */
static inline void rex_count(void *map, __u32 key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	if (v) {
		__atomic_fetch_add(v, n, __ATOMIC_RELAXED);
		return;
	}
	/* A hash map without the key: create it, unless someone else did. */
	if (bpf_map_update_elem(map, &key, &n, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(map, &key);
		if (v)
			__atomic_fetch_add(v, n, __ATOMIC_RELAXED);
	}
}

/* The tgid of the current task, in the upper half of pid_tgid. */
static inline __u32 rex_current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/* Is the current task in the process whose tgid the test stored in @target[0]? */
static inline int rex_is_target(void *target)
{
	__u32 zero = 0;
	__u64 *tgid = bpf_map_lookup_elem(target, &zero);

	return tgid && *tgid == rex_current_tgid();
}

#endif /* __REX_PROG_H */
