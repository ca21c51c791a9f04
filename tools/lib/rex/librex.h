/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * librex: load and attach Rex images.
 *
 * A small C library in the style of libbpf.  It opens a Rex image (an ELF64
 * position-independent object, see include/uapi/linux/rex.h), creates the
 * BPF maps the image describes, loads each program with BPF_PROG_LOAD and
 * BPF_F_REX binding the maps through fd_array, and attaches programs with
 * the standard fd-based BPF interfaces.  It uses nothing but libc and the
 * kernel's uapi headers.
 *
 * Error handling follows libbpf 1.0: functions returning a pointer return
 * NULL and set errno; functions returning int return a negative errno.
 */
#ifndef __LIBREX_H
#define __LIBREX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/rex.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rex_object;
struct rex_program;
struct rex_map;
struct rex_link;

/* Messages of the library, including the kernel's load log on failure. */
enum rex_print_level {
	REX_WARN,
	REX_INFO,
	REX_DEBUG,
};

typedef int (*rex_print_fn_t)(enum rex_print_level level, const char *fmt, va_list ap);

/* Install a print callback; returns the previous one.  NULL silences. */
rex_print_fn_t rex_set_print(rex_print_fn_t fn);

/* Open an image from a file or from memory (copied).  Nothing is loaded. */
struct rex_object *rex_object__open_file(const char *path);

/*
 * Opening options.  @signature_path names a detached PKCS#7 signature of
 * the image (rex-build.sh --sign, scripts/sign-file -d), checked by the
 * kernel against its trusted keys or the keyring @keyring_id (see
 * Documentation/bpf/rex.rst, "Signatures").  With @image_fd the kernel
 * reads the image from the file itself (BPF_F_REX_IMAGE_FD), so that IMA
 * and the LSMs see the file, as for finit_module().
 */
struct rex_object_open_opts {
	size_t sz;			/* sizeof(struct rex_object_open_opts) */
	const char *signature_path;	/* may be NULL: no signature */
	__s32 keyring_id;
	bool image_fd;
};

struct rex_object *rex_object__open_file_opts(const char *path,
					      const struct rex_object_open_opts *opts);
struct rex_object *rex_object__open_mem(const void *buf, size_t size);

/* Create the maps and load every program of the image. */
int rex_object__load(struct rex_object *obj);

/* Close all fds (maps, programs) and free the object.  NULL is a no-op. */
void rex_object__close(struct rex_object *obj);

/* Kernel log of the last failed program load of @obj, "" if none. */
const char *rex_object__log(const struct rex_object *obj);

/* License of the image (REX_LICENSE_SECTION), "GPL" when absent. */
const char *rex_object__license(const struct rex_object *obj);

struct rex_map *rex_object__find_map_by_name(const struct rex_object *obj, const char *name);
struct rex_program *rex_object__find_program_by_name(const struct rex_object *obj,
						     const char *name);
/* Fds by name; -ENOENT when there is no such map/program, -EINVAL before load. */
int rex_object__find_map_fd_by_name(const struct rex_object *obj, const char *name);
int rex_object__find_prog_fd_by_name(const struct rex_object *obj, const char *name);

/* Iteration: pass NULL to get the first one; NULL after the last one. */
struct rex_map *rex_object__next_map(const struct rex_object *obj, const struct rex_map *map);
struct rex_program *rex_object__next_program(const struct rex_object *obj,
					     const struct rex_program *prog);

const char *rex_map__name(const struct rex_map *map);
const struct rex_map_def *rex_map__def(const struct rex_map *map);
int rex_map__fd(const struct rex_map *map);

/*
 * Sharing maps, before rex_object__load():
 * rex_map__reuse_fd(): load with the map @fd (duplicated) instead of
 * creating one.  rex_map__set_pin_path(): load with the map pinned at @path
 * in a BPF file system if there is one, else create it and pin it there
 * once the whole object loaded (NULL: no pinning).  A map reused either way
 * must match the image's description (type, key and value size, entries,
 * flags): the load fails with -EINVAL otherwise.  Both return -EBUSY once
 * the object is loaded.
 * After the load: rex_map__pin() pins the map at @path;
 * rex_map__unpin() removes @path (NULL: the pin path).
 */
int rex_map__reuse_fd(struct rex_map *map, int fd);
int rex_map__set_pin_path(struct rex_map *map, const char *path);
const char *rex_map__pin_path(const struct rex_map *map);
int rex_map__pin(struct rex_map *map, const char *path);
int rex_map__unpin(struct rex_map *map, const char *path);

const char *rex_program__name(const struct rex_program *prog);
enum bpf_prog_type rex_program__type(const struct rex_program *prog);
int rex_program__fd(const struct rex_program *prog);
/* Pin a loaded program at @path in a BPF file system. */
int rex_program__pin(const struct rex_program *prog, const char *path);

/*
 * Low level: load one program of an image given as bytes, or as a file
 * (image_from_fd).  @fd_array and @fd_cnt bind the maps; @log_buf/@log_size
 * receive the kernel log (may be NULL/0).  Returns the program fd or a
 * negative errno.
 */
struct rex_prog_load_opts {
	size_t sz;			/* sizeof(struct rex_prog_load_opts) */
	enum bpf_attach_type expected_attach_type;
	const char *prog_name;		/* BPF program name, may be NULL */
	const char *license;		/* default "GPL" */
	const int *fd_array;
	unsigned int fd_array_cnt;
	char *log_buf;
	unsigned int log_size;
	unsigned int log_level;		/* default 1 when log_buf is set */
	const void *signature;		/* detached PKCS#7 of the image, or NULL */
	__u32 signature_size;
	__s32 keyring_id;		/* 0: the kernel's trusted keys */
	bool image_from_fd;		/* read the image from @image_fd: */
	int image_fd;			/* image must be NULL, image_size 0 */
};

int rex_prog_load(enum bpf_prog_type type, const void *image, size_t image_size,
		  const char *entry, const struct rex_prog_load_opts *opts);

/* Links.  rex_link__destroy() detaches and frees; NULL is a no-op. */
int rex_link__fd(const struct rex_link *link);
int rex_link__destroy(struct rex_link *link);

/* kprobe (or kretprobe) on a kernel function, via the perf kprobe PMU + BPF link. */
struct rex_link *rex_program__attach_kprobe(const struct rex_program *prog, bool retprobe,
					    const char *func_name);
/* Tracepoint "category:name", via perf_event_open on its id + BPF link. */
struct rex_link *rex_program__attach_tracepoint(const struct rex_program *prog,
						const char *category, const char *name);
/* An already opened perf event (e.g. software cpu-clock) on one CPU. */
struct rex_link *rex_program__attach_perf_event(const struct rex_program *prog, int pfd);
/* XDP link (BPF_LINK_CREATE, attach type BPF_XDP) in the mode the kernel picks. */
struct rex_link *rex_program__attach_xdp(const struct rex_program *prog, int ifindex);
/* tcx link, @attach_type BPF_TCX_INGRESS or BPF_TCX_EGRESS. */
struct rex_link *rex_program__attach_tcx(const struct rex_program *prog, int ifindex,
					 enum bpf_attach_type attach_type);

/*
 * Netlink attachment without links.
 * rex_xdp_attach(): like libbpf's bpf_xdp_attach(); @flags XDP_FLAGS_SKB_MODE,
 * XDP_FLAGS_DRV_MODE, XDP_FLAGS_UPDATE_IF_NOEXIST...; prog_fd -1 detaches.
 * rex_xdp_query_id(): id of the program attached in the mode of @flags, 0 if none.
 * rex_tc_attach(): add a clsact qdisc if missing and a cls_bpf filter in
 * direct-action mode at @ingress or egress with @priority and @handle.
 * rex_tc_detach(): delete that filter.
 */
int rex_xdp_attach(int ifindex, int prog_fd, __u32 flags);
int rex_xdp_detach(int ifindex, __u32 flags);
int rex_xdp_query_id(int ifindex, __u32 flags, __u32 *prog_id);
int rex_tc_attach(int ifindex, bool ingress, int prog_fd, __u32 priority, __u32 handle);
int rex_tc_detach(int ifindex, bool ingress, __u32 priority, __u32 handle);

/* Thin syscall wrappers used by the library and handy for tests. */
int rex_map_create(const struct rex_map_def *def);
int rex_map_lookup_elem(int fd, const void *key, void *value);
int rex_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
int rex_map_delete_elem(int fd, const void *key);
int rex_map_get_next_key(int fd, const void *key, void *next_key);
int rex_prog_get_info(int prog_fd, struct bpf_prog_info *info, __u32 *len);
int rex_map_get_info(int map_fd, struct bpf_map_info *info, __u32 *len);
int rex_obj_pin(int fd, const char *path);
int rex_obj_get(const char *path);

/*
 * Per-CPU maps from user space.  rex_num_possible_cpus(): how many values a
 * per-CPU map has per key (the possible CPUs, not the online ones), or a
 * negative errno.  rex_map_lookup_percpu() and rex_map_update_percpu() take
 * @values as an array of that many values of @value_size bytes each (the
 * library adds and removes the kernel's padding of each to 8 bytes).
 */
int rex_num_possible_cpus(void);
int rex_map_lookup_percpu(int fd, const void *key, void *values, size_t value_size);
int rex_map_update_percpu(int fd, const void *key, const void *values, size_t value_size,
			  __u64 flags);

#ifdef __cplusplus
}
#endif

#endif /* __LIBREX_H */
