// SPDX-License-Identifier: GPL-2.0
/*
 * Maps of Rex programs: bind the maps an image describes to the BPF maps
 * user space passes in fd_array, and check that they are what the image
 * was built for.
 *
 * A bound map becomes one of the program's used maps, so BPF's lifetime
 * rules hold unchanged: the program holds a reference on each map until it
 * is freed, and bpf_prog_info lists the map ids.
 */

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/rex.h>
#include <crypto/sha2.h>

#include "rex.h"

/**
 * rex_map_type_has_values() - does a map type hold values a program may use?
 * @type: enum bpf_map_type
 *
 * The key/value maps a lookup returns a value of, or NULL: the map types
 * the Rex map helpers accept.
 *
 * Return: true for hash and array maps, their per-CPU and LRU variants,
 * and LPM tries.
 */
bool rex_map_type_has_values(u32 type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return false;
	}
}

/*
 * Map types a Rex program may use.  Each is reached only through helpers
 * that check the map type at run time (helpers.c); types that need the
 * verifier's help (program arrays, maps with BTF-described special fields,
 * socket and device maps) are left out until Rex has an answer for them.
 */
static bool map_type_supported(u32 type)
{
	return rex_map_type_has_values(type) ||
	       type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	       type == BPF_MAP_TYPE_STACK_TRACE ||
	       type == BPF_MAP_TYPE_RINGBUF ||
	       type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
}

static int check_def(struct rex_load *ld, unsigned int i)
{
	const struct rex_map_def *def = rex_map_def_at(ld, i);
	char shown[REX_NAME_SHOWN + 1];
	unsigned int j;

	if (!memchr(def->name, '\0', sizeof(def->name)) || !def->name[0]) {
		rex_log(ld, "map %u: name is empty or not NUL-terminated", i);
		return -EINVAL;
	}
	/* Names of BPF objects: later messages print the name as it is. */
	for (j = 0; def->name[j]; j++) {
		if (!isalnum(def->name[j]) && def->name[j] != '_' && def->name[j] != '.') {
			rex_log(ld, "map %u '%s': a name has letters, digits, '_' and '.' only", i,
				rex_printable(shown, def->name));
			return -EINVAL;
		}
	}
	if (def->spin_lock && (def->spin_lock - 1 > def->value_size ||
			       def->value_size - (def->spin_lock - 1) < sizeof(u32) ||
			       (def->spin_lock - 1) % sizeof(u32))) {
		rex_log(ld,
			"map %u '%s': spin lock at offset %u is not a 4-byte aligned place in the value",
			i, def->name, def->spin_lock - 1);
		return -EINVAL;
	}
	if (rex_import_reserved(def->name)) {
		rex_log(ld, "map %u '%s': names starting with bpf_ or rex_ are the helpers'", i,
			def->name);
		return -EINVAL;
	}
	for (j = 0; j < i; j++) {
		if (!strcmp(rex_map_def_at(ld, j)->name, def->name)) {
			rex_log(ld, "map %u '%s': name already used by map %u", i, def->name, j);
			return -EINVAL;
		}
	}
	return 0;
}

/* What a map's flags say programs may do with it. */
#define REX_MAP_ACCESS_FLAGS	(BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)

/*
 * A value the program takes a spin lock in must have the lock where the
 * image was built to take it, as a field of the map's BTF (a struct
 * bpf_res_spin_lock): the kernel then keeps user space from writing (or
 * reading) the lock word, which a lookup or update from user space would
 * otherwise reach, and a forged lock word could make a CPU spin.  Other
 * special fields need the verifier and are not supported.
 */
static int check_lock(struct rex_load *ld, unsigned int i, const struct bpf_map *map)
{
	const struct rex_map_def *def = rex_map_def_at(ld, i);
	const struct btf_record *rec = IS_ERR_OR_NULL(map->record) ? NULL : map->record;

	if (!def->spin_lock) {
		if (!rec)
			return 0;
		rex_log(ld, "map %u '%s': values with BTF special fields are not supported",
			i, def->name);
		return -EOPNOTSUPP;
	}
	if (!rec || rec->cnt != 1 || rec->fields[0].type != BPF_RES_SPIN_LOCK ||
	    rec->fields[0].offset != def->spin_lock - 1) {
		rex_log(ld,
			"map %u '%s': the image takes a spin lock at offset %u of the value; the map's BTF must describe a struct bpf_res_spin_lock there and nothing else",
			i, def->name, def->spin_lock - 1);
		return -EINVAL;
	}
	return 0;
}

/* Does @map match the @i-th description of the image? */
static int check_map(struct rex_load *ld, unsigned int i, struct bpf_map *map)
{
	const struct rex_map_def *def = rex_map_def_at(ld, i);
	int err;

	if (map->map_type != def->map_type) {
		rex_log(ld, "map %u '%s': fd_array gives type %u, the image expects type %u",
			i, def->name, map->map_type, def->map_type);
		return -EINVAL;
	}
	if (!map_type_supported(map->map_type)) {
		rex_log(ld, "map %u '%s': map type %u is not supported", i, def->name,
			map->map_type);
		return -EOPNOTSUPP;
	}
	if (map->key_size != def->key_size || map->value_size != def->value_size) {
		rex_log(ld, "map %u '%s': key/value size %u/%u, the image expects %u/%u",
			i, def->name, map->key_size, map->value_size, def->key_size,
			def->value_size);
		return -EINVAL;
	}
	if (map->max_entries != def->max_entries) {
		rex_log(ld, "map %u '%s': %u entries, the image expects %u", i, def->name,
			map->max_entries, def->max_entries);
		return -EINVAL;
	}
	err = check_lock(ld, i, map);
	if (err)
		return err;
	/* Programs look up array values themselves: see struct rex_map_ref. */
	if (map->map_type == BPF_MAP_TYPE_ARRAY &&
	    container_of(map, struct bpf_array, map)->elem_size != round_up(map->value_size, 8)) {
		rex_log(ld, "map %u '%s': array values are not %u bytes apart", i, def->name,
			round_up(map->value_size, 8));
		return -EINVAL;
	}
	if (bpf_map_is_offloaded(map)) {
		rex_log(ld, "map %u '%s': offloaded maps are not supported", i, def->name);
		return -EINVAL;
	}
	/*
	 * The image was built for what programs may do with the map: a
	 * program built to write a map must not get one that is read-only
	 * for programs (eBPF programs may rely on it: the verifier folds
	 * frozen read-only values into constants).
	 */
	if ((map->map_flags ^ def->map_flags) & REX_MAP_ACCESS_FLAGS) {
		rex_log(ld, "map %u '%s': map flags %#x, the image expects %#x for program access",
			i, def->name, map->map_flags & REX_MAP_ACCESS_FLAGS,
			def->map_flags & REX_MAP_ACCESS_FLAGS);
		return -EACCES;
	}
	/* As for eBPF: a map created for one program is only that program's. */
	if (map->excl_prog_sha &&
	    memcmp(map->excl_prog_sha, ld->prog->digest, SHA256_DIGEST_SIZE)) {
		rex_log(ld,
			"map %u '%s': the map is exclusive to a program whose hash is not the image's",
			i, def->name);
		return -EACCES;
	}
	return 0;
}

static int bind_one(struct rex_load *ld, unsigned int i)
{
	struct bpf_prog_aux *aux = ld->prog->aux;
	const int __user *ufds = u64_to_user_ptr(ld->attr->fd_array);
	struct bpf_map *map;
	int fd, err;

	err = check_def(ld, i);
	if (err)
		return err;
	if (get_user(fd, ufds + i))
		return -EFAULT;

	CLASS(fd, f)(fd);
	map = __bpf_map_get(f);
	if (IS_ERR(map)) {
		rex_log(ld, "map %u '%s': fd_array[%u] = %d is not a BPF map", i,
			rex_map_def_at(ld, i)->name, i, fd);
		return PTR_ERR(map);
	}
	err = check_map(ld, i, map);
	if (err)
		return err;

	bpf_map_inc(map);
	aux->used_maps[aux->used_map_cnt++] = map;
	return 0;
}

/**
 * rex_maps_bind() - bind the maps an image describes to the program
 * @ld: the load; its attributes give fd_array and fd_array_cnt
 * @sec: contents of the image's REX_MAPS_SECTION, or NULL
 * @size: size of @sec in bytes, 0 when the image has no such section
 *
 * fd_array[i] is bound to the i-th &struct rex_map_def of the image and
 * must be a map of the described type, key size, value size and number of
 * entries.  The maps become @ld->prog's used maps and are released by the
 * BPF free path, also when the load fails later.
 *
 * Return: 0 on success, a negative errno with a line in the log otherwise.
 */
int rex_maps_bind(struct rex_load *ld, const void *sec, size_t size)
{
	struct bpf_prog_aux *aux = ld->prog->aux;
	const union bpf_attr *attr = ld->attr;
	size_t def_size, n;
	unsigned int i;
	ssize_t ret;
	int err;

	ret = rex_defs_check(ld, REX_MAPS_SECTION, sec, size, sizeof(struct rex_map_def),
			     &def_size);
	if (ret < 0)
		return ret;
	n = ret;
	if (n > MAX_USED_MAPS) {
		rex_log(ld, "image describes %zu maps, at most %u are supported", n,
			MAX_USED_MAPS);
		return -E2BIG;
	}
	if (attr->fd_array_cnt != n || (n && !attr->fd_array)) {
		rex_log(ld, "fd_array has %u entries, the image describes %zu maps",
			attr->fd_array ? attr->fd_array_cnt : 0, n);
		return -EINVAL;
	}
	if (!n)
		return 0;

	aux->used_maps = kcalloc(n, sizeof(*aux->used_maps), GFP_KERNEL_ACCOUNT);
	if (!aux->used_maps)
		return -ENOMEM;
	ld->map_defs = sec;
	ld->map_def_size = def_size;
	ld->nr_maps = n;
	for (i = 0; i < n; i++) {
		err = bind_one(ld, i);
		if (err)
			return err;
	}
	/*
	 * What the maps' symbols stand for, which the gates check map
	 * arguments against: a copy of the pointers, since BPF_PROG_BIND_MAP
	 * may reallocate used_maps.  The references are used_maps', held until
	 * the program is freed.
	 */
	ld->rex->maps = kcalloc(n, sizeof(*ld->rex->maps), GFP_KERNEL_ACCOUNT);
	if (!ld->rex->maps)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct rex_map_slot *slot = &ld->rex->maps[i];
		struct bpf_map *map = aux->used_maps[i];

		slot->map = map;
		slot->helpers = rex_map_helpers(map->map_type);
		if (map->map_type == BPF_MAP_TYPE_ARRAY)
			slot->ref.values = (unsigned long)container_of(map, struct bpf_array,
								       map)->value;
	}
	ld->rex->nr_maps = n;
	return 0;
}
