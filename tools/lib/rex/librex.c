// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * librex: load and attach Rex images.
 *
 * An image is parsed only as far as the loader needs: the ELF header, the
 * section header table, the section name string table and the three Rex
 * description sections.  The kernel validates everything else when the
 * image is loaded.  Every offset, size and index read from the image is
 * checked against the image size first, as images may be malformed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "librex.h"

#define REX_LOAD_LOG_SIZE	(64 * 1024)
#define REX_DEFAULT_LICENSE	"GPL"
#define REX_TC_FILTER_NAME	"rex"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))
#endif

struct rex_map {
	struct rex_map_def def;
	int fd;
	int reuse_fd;		/* rex_map__reuse_fd(), or -1 */
	char *pin_path;		/* rex_map__set_pin_path(), or NULL */
};

struct rex_program {
	struct rex_prog_def def;
	int fd;
};

static int rex_obj_get_info(int fd, void *info, __u32 *len);

struct rex_object {
	void *image;
	size_t image_size;
	struct rex_map *maps;
	size_t map_cnt;
	struct rex_program *progs;
	size_t prog_cnt;
	char *license;
	char *log;
	bool loaded;
	void *sig;		/* detached signature, NULL if none */
	size_t sig_size;
	__s32 keyring_id;
	int image_fd;		/* the kernel reads the image from it, or -1 */
};

struct rex_link {
	int fd;
	int perf_fd;	/* perf event owned by the link, -1 if none */
};

/* Print callback */

static int rex_default_print(enum rex_print_level level, const char *fmt, va_list ap)
{
	if (level > REX_INFO)
		return 0;
	fputs("librex: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static rex_print_fn_t rex_print_fn = rex_default_print;

rex_print_fn_t rex_set_print(rex_print_fn_t fn)
{
	rex_print_fn_t old = rex_print_fn;

	rex_print_fn = fn;
	return old;
}

static void rex_pr(enum rex_print_level level, const char *fmt, ...)
{
	rex_print_fn_t fn = rex_print_fn;
	int saved_errno = errno;
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	fn(level, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

#define pr_warn(fmt, ...)	rex_pr(REX_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	rex_pr(REX_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	rex_pr(REX_DEBUG, fmt, ##__VA_ARGS__)

/* Helpers */

static void *rex_err_ptr(int err)
{
	errno = -err;
	return NULL;
}

static __u64 ptr_to_u64(const void *ptr)
{
	return (__u64)(uintptr_t)ptr;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	long ret = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return ret < 0 ? -errno : (int)ret;
}

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
			       int group_fd, unsigned long flags)
{
	long ret = syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, flags);

	return ret < 0 ? -errno : (int)ret;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Copy @src into the BPF object name @dst (BPF_OBJ_NAME_LEN bytes): at most
 * BPF_OBJ_NAME_LEN - 1 characters, each not allowed by the kernel in object
 * names (anything but alphanumerics, '_' and '.') replaced with '_'.
 */
static void rex_obj_name(char *dst, const char *src)
{
	size_t i;

	memset(dst, 0, BPF_OBJ_NAME_LEN);
	for (i = 0; i < BPF_OBJ_NAME_LEN - 1 && src[i]; i++) {
		char c = src[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.';

		dst[i] = ok ? c : '_';
	}
}

/* ELF parsing */

struct rex_elf {
	const unsigned char *data;
	size_t size;
	__u64 shoff;
	size_t shnum;
	const char *shstrtab;
	size_t shstrtab_size;
};

/* Is [off, off + len) inside an image of @size bytes? */
static bool rex_range_ok(size_t size, __u64 off, __u64 len)
{
	return off <= size && len <= size - off;
}

static void rex_elf_shdr(const struct rex_elf *elf, size_t idx, Elf64_Shdr *shdr)
{
	/* Bounds checked by rex_elf_init(); the table may be unaligned. */
	memcpy(shdr, elf->data + elf->shoff + idx * sizeof(*shdr), sizeof(*shdr));
}

static int rex_elf_init(struct rex_elf *elf, const void *data, size_t size)
{
	Elf64_Shdr shdr0, strhdr;
	Elf64_Ehdr ehdr;
	size_t shstrndx;

	memset(elf, 0, sizeof(*elf));
	elf->data = data;
	elf->size = size;

	if (size < sizeof(ehdr)) {
		pr_warn("image too small for an ELF header (%zu bytes)\n", size);
		return -EINVAL;
	}
	memcpy(&ehdr, data, sizeof(ehdr));
	if (memcmp(ehdr.e_ident, ELFMAG, SELFMAG)) {
		pr_warn("image is not an ELF file\n");
		return -EINVAL;
	}
	if (ehdr.e_ident[EI_CLASS] != ELFCLASS64 || ehdr.e_ident[EI_DATA] != ELFDATA2LSB ||
	    ehdr.e_ident[EI_VERSION] != EV_CURRENT || ehdr.e_version != EV_CURRENT) {
		pr_warn("image is not a little-endian ELF64 version 1 file\n");
		return -EINVAL;
	}
	if (ehdr.e_type != ET_DYN || ehdr.e_machine != EM_X86_64) {
		pr_warn("image is not an x86-64 ET_DYN object (type %u, machine %u)\n",
			ehdr.e_type, ehdr.e_machine);
		return -EINVAL;
	}
	if (ehdr.e_ehsize < sizeof(ehdr)) {
		pr_warn("bad ELF header size %u\n", ehdr.e_ehsize);
		return -EINVAL;
	}
	if (!ehdr.e_shoff) {
		pr_warn("image has no section header table\n");
		return -EINVAL;
	}
	if (ehdr.e_shentsize != sizeof(Elf64_Shdr)) {
		pr_warn("bad section header size %u\n", ehdr.e_shentsize);
		return -EINVAL;
	}
	if (!rex_range_ok(size, ehdr.e_shoff, sizeof(Elf64_Shdr))) {
		pr_warn("section header table outside of the image\n");
		return -EINVAL;
	}
	elf->shoff = ehdr.e_shoff;

	/* Section 0 holds the real counts when they do not fit the header. */
	rex_elf_shdr(elf, 0, &shdr0);
	elf->shnum = ehdr.e_shnum ? ehdr.e_shnum : shdr0.sh_size;
	shstrndx = ehdr.e_shstrndx == SHN_XINDEX ? shdr0.sh_link : ehdr.e_shstrndx;

	if (!elf->shnum ||
	    elf->shnum > (size - elf->shoff) / sizeof(Elf64_Shdr)) {
		pr_warn("section header table outside of the image\n");
		return -EINVAL;
	}
	if (shstrndx == SHN_UNDEF || shstrndx >= elf->shnum) {
		pr_warn("bad section name string table index %zu\n", shstrndx);
		return -EINVAL;
	}
	rex_elf_shdr(elf, shstrndx, &strhdr);
	if (strhdr.sh_type != SHT_STRTAB || !strhdr.sh_size ||
	    !rex_range_ok(size, strhdr.sh_offset, strhdr.sh_size)) {
		pr_warn("bad section name string table\n");
		return -EINVAL;
	}
	elf->shstrtab = (const char *)elf->data + strhdr.sh_offset;
	elf->shstrtab_size = strhdr.sh_size;
	return 0;
}

/* Name of section @shdr, NULL if it does not lie in the string table. */
static const char *rex_elf_sec_name(const struct rex_elf *elf, const Elf64_Shdr *shdr)
{
	size_t off = shdr->sh_name;

	if (off >= elf->shstrtab_size ||
	    !memchr(elf->shstrtab + off, '\0', elf->shstrtab_size - off))
		return NULL;
	return elf->shstrtab + off;
}

/*
 * Find section @name: 0 with its contents in @data/@size, -ENOENT if there is
 * none, -EINVAL if it is duplicated or its contents are not in the image.
 */
static int rex_elf_find_sec(const struct rex_elf *elf, const char *name,
			    const unsigned char **data, size_t *size)
{
	Elf64_Shdr shdr, found;
	bool have = false;
	size_t i;

	for (i = 1; i < elf->shnum; i++) {
		const char *sname;

		rex_elf_shdr(elf, i, &shdr);
		sname = rex_elf_sec_name(elf, &shdr);
		if (!sname || strcmp(sname, name))
			continue;
		if (have) {
			pr_warn("duplicate section %s\n", name);
			return -EINVAL;
		}
		found = shdr;
		have = true;
	}
	if (!have)
		return -ENOENT;
	if (found.sh_type == SHT_NOBITS) {
		if (found.sh_size) {
			pr_warn("section %s has no contents in the image\n", name);
			return -EINVAL;
		}
		*data = NULL;
		*size = 0;
		return 0;
	}
	if (!rex_range_ok(elf->size, found.sh_offset, found.sh_size)) {
		pr_warn("section %s lies outside of the image\n", name);
		return -EINVAL;
	}
	*data = elf->data + found.sh_offset;
	*size = found.sh_size;
	return 0;
}

/*
 * The size of the entries of the description section @name, of @size
 * bytes at @data, each starting with its size: at least @min (the first
 * version's), a multiple of 4, the same for every entry (see "extending
 * the descriptions" in linux/rex.h).  An entry larger than the structure
 * this library knows comes from a later version; the library reads what
 * it knows and leaves the rest to the kernel, which refuses what it does
 * not know unless it is zero.  Returns 0 for an empty section.
 */
static ssize_t rex_def_size(const char *name, const unsigned char *data, size_t size,
			    size_t min)
{
	__u32 esize = 0, esize_i;
	size_t i;

	if (!size)
		return 0;
	if (size >= sizeof(esize))
		memcpy(&esize, data, sizeof(esize));
	if (esize < min || esize % 4 || size % esize) {
		pr_warn("%s: entry size %u is not %zu or more, a multiple of 4 and a divisor of the section's %zu bytes\n",
			name, esize, min, size);
		return -EINVAL;
	}
	for (i = 0; i < size / esize; i++) {
		memcpy(&esize_i, data + i * esize, sizeof(esize_i));
		if (esize_i != esize) {
			pr_warn("%s: entry %zu has size %u, entry 0 %u\n", name, i, esize_i, esize);
			return -EINVAL;
		}
	}
	return esize;
}

static int rex_parse_maps(struct rex_object *obj, const struct rex_elf *elf)
{
	const unsigned char *data;
	size_t size, i;
	ssize_t esize;
	int err;

	err = rex_elf_find_sec(elf, REX_MAPS_SECTION, &data, &size);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	esize = rex_def_size(REX_MAPS_SECTION, data, size, REX_MAP_DEF_SIZE_VER0);
	if (esize <= 0)
		return esize;
	obj->map_cnt = size / esize;
	if (!obj->map_cnt)
		return 0;
	obj->maps = calloc(obj->map_cnt, sizeof(*obj->maps));
	if (!obj->maps)
		return -ENOMEM;

	for (i = 0; i < obj->map_cnt; i++) {
		struct rex_map *map = &obj->maps[i];

		memcpy(&map->def, data + i * esize,
		       (size_t)esize < sizeof(map->def) ? (size_t)esize : sizeof(map->def));
		map->fd = -1;
		map->reuse_fd = -1;
		if (!memchr(map->def.name, '\0', sizeof(map->def.name)) || !map->def.name[0]) {
			pr_warn("map %zu: name is empty or not NUL-terminated\n", i);
			return -EINVAL;
		}
		if (map->def.spin_lock && (map->def.spin_lock - 1 > map->def.value_size ||
					   map->def.value_size - (map->def.spin_lock - 1) < 4)) {
			pr_warn("map %s: spin lock outside the value\n", map->def.name);
			return -EINVAL;
		}
	}
	return 0;
}

static int rex_parse_progs(struct rex_object *obj, const struct rex_elf *elf)
{
	const unsigned char *data;
	size_t size, i;
	ssize_t esize;
	int err;

	err = rex_elf_find_sec(elf, REX_PROGS_SECTION, &data, &size);
	if (err == -ENOENT) {
		pr_warn("image has no %s section\n", REX_PROGS_SECTION);
		return err;
	}
	if (err)
		return err;
	esize = rex_def_size(REX_PROGS_SECTION, data, size, REX_PROG_DEF_SIZE_VER0);
	if (esize < 0)
		return esize;
	obj->prog_cnt = esize ? size / esize : 0;
	if (!obj->prog_cnt) {
		pr_warn("section %s describes no program\n", REX_PROGS_SECTION);
		return -ENOENT;
	}
	obj->progs = calloc(obj->prog_cnt, sizeof(*obj->progs));
	if (!obj->progs)
		return -ENOMEM;

	for (i = 0; i < obj->prog_cnt; i++) {
		struct rex_program *prog = &obj->progs[i];

		memcpy(&prog->def, data + i * esize,
		       (size_t)esize < sizeof(prog->def) ? (size_t)esize : sizeof(prog->def));
		prog->fd = -1;
		if (!memchr(prog->def.entry, '\0', sizeof(prog->def.entry)) ||
		    !prog->def.entry[0]) {
			pr_warn("program %zu: entry is empty or not NUL-terminated\n", i);
			return -EINVAL;
		}
	}
	return 0;
}

static int rex_parse_license(struct rex_object *obj, const struct rex_elf *elf)
{
	const unsigned char *data;
	const char *license;
	size_t size;
	int err;

	err = rex_elf_find_sec(elf, REX_LICENSE_SECTION, &data, &size);
	if (err && err != -ENOENT)
		return err;
	if (err) {
		license = REX_DEFAULT_LICENSE;
	} else if (size && memchr(data, '\0', size)) {
		license = (const char *)data;
	} else {
		pr_warn("section %s is not a NUL-terminated string\n", REX_LICENSE_SECTION);
		return -EINVAL;
	}
	obj->license = strdup(license);
	return obj->license ? 0 : -ENOMEM;
}

/* Objects */

/* Parse the image that @obj owns. */
static int rex_object__parse(struct rex_object *obj)
{
	struct rex_elf elf;
	int err;

	err = rex_elf_init(&elf, obj->image, obj->image_size);
	if (err)
		return err;
	err = rex_parse_maps(obj, &elf);
	if (err)
		return err;
	err = rex_parse_progs(obj, &elf);
	if (err)
		return err;
	return rex_parse_license(obj, &elf);
}

/* Take ownership of @image (malloc'ed, @size bytes) and parse it. */
static struct rex_object *rex_object__new(void *image, size_t size)
{
	struct rex_object *obj;
	int err;

	if (size > UINT32_MAX) {
		pr_warn("image too large (%zu bytes)\n", size);
		free(image);
		return rex_err_ptr(-E2BIG);
	}
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		free(image);
		return rex_err_ptr(-ENOMEM);
	}
	obj->image = image;
	obj->image_size = size;
	obj->image_fd = -1;
	err = rex_object__parse(obj);
	if (err) {
		rex_object__close(obj);
		return rex_err_ptr(err);
	}
	return obj;
}

struct rex_object *rex_object__open_mem(const void *buf, size_t size)
{
	void *image;

	if (!buf || !size)
		return rex_err_ptr(-EINVAL);
	image = malloc(size);
	if (!image)
		return rex_err_ptr(-ENOMEM);
	memcpy(image, buf, size);
	return rex_object__new(image, size);
}

/*
 * Copy the options @opts (NULL: none), whose first field is their size, into
 * @dst of @dst_size bytes, zeroing what an older caller's @opts lacks.  A
 * newer caller's fields that this library does not know must be zero.
 */
static int rex_opts_copy(void *dst, size_t dst_size, const void *opts)
{
	const unsigned char *p = opts;
	size_t sz, i;

	memset(dst, 0, dst_size);
	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(sz))
		return -EINVAL;
	for (i = dst_size; i < sz; i++)
		if (p[i])
			return -E2BIG;
	memcpy(dst, opts, sz < dst_size ? sz : dst_size);
	return 0;
}

/* Read the regular file @fd (@path, for messages) into a new buffer. */
static int read_file(int fd, const char *path, void **buf, size_t *size)
{
	unsigned char *data;
	size_t done = 0;
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
		pr_warn("%s is not a non-empty regular file\n", path);
		return -EINVAL;
	}
	if ((unsigned long long)st.st_size > UINT32_MAX) {
		pr_warn("%s is too large\n", path);
		return -E2BIG;
	}
	data = malloc(st.st_size);
	if (!data)
		return -ENOMEM;
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(fd, data + done, st.st_size - done, done);
		int err;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			pr_warn("failed to read %s: %s\n", path, strerror(-err));
			free(data);
			return err;
		}
		done += n;
	}
	*buf = data;
	*size = done;
	return 0;
}

static int open_read(const char *path, void **buf, size_t *size, int *fdp)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_warn("failed to open %s: %s\n", path, strerror(-err));
		return err;
	}
	err = read_file(fd, path, buf, size);
	if (err || !fdp)
		close(fd);
	else
		*fdp = fd;
	return err;
}

struct rex_object *rex_object__open_file_opts(const char *path,
					      const struct rex_object_open_opts *opts)
{
	struct rex_object_open_opts o;
	struct rex_object *obj;
	size_t size;
	void *image;
	int err, fd = -1;

	err = rex_opts_copy(&o, sizeof(o), opts);
	if (err)
		return rex_err_ptr(err);
	if (!path)
		return rex_err_ptr(-EINVAL);
	err = open_read(path, &image, &size, o.image_fd ? &fd : NULL);
	if (err)
		return rex_err_ptr(err);
	obj = rex_object__new(image, size);
	if (!obj) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return rex_err_ptr(err);
	}
	obj->image_fd = fd;
	obj->keyring_id = o.keyring_id;
	if (o.signature_path) {
		err = open_read(o.signature_path, &obj->sig, &obj->sig_size, NULL);
		if (err) {
			rex_object__close(obj);
			return rex_err_ptr(err);
		}
	}
	return obj;
}

struct rex_object *rex_object__open_file(const char *path)
{
	return rex_object__open_file_opts(path, NULL);
}

static void rex_object__unload(struct rex_object *obj)
{
	size_t i;

	for (i = 0; i < obj->prog_cnt; i++)
		close_fd(&obj->progs[i].fd);
	for (i = 0; i < obj->map_cnt; i++)
		close_fd(&obj->maps[i].fd);
}

void rex_object__close(struct rex_object *obj)
{
	size_t i;

	if (!obj)
		return;
	rex_object__unload(obj);
	for (i = 0; i < obj->map_cnt; i++) {
		close_fd(&obj->maps[i].reuse_fd);
		free(obj->maps[i].pin_path);
	}
	free(obj->maps);
	free(obj->progs);
	free(obj->license);
	free(obj->log);
	free(obj->image);
	free(obj->sig);
	if (obj->image_fd >= 0)
		close(obj->image_fd);
	free(obj);
}

static int rex_object__load_prog(struct rex_object *obj, struct rex_program *prog,
				 const int *fd_array, char *log_buf)
{
	struct rex_prog_load_opts opts;
	char name[BPF_OBJ_NAME_LEN];
	const void *image;
	size_t image_size;
	int fd;

	rex_obj_name(name, prog->def.entry);
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.expected_attach_type = prog->def.expected_attach_type;
	opts.prog_name = name;
	opts.license = obj->license;
	opts.fd_array = fd_array;
	opts.fd_array_cnt = obj->map_cnt;
	opts.log_buf = log_buf;
	opts.log_size = REX_LOAD_LOG_SIZE;
	opts.log_level = 1;
	opts.signature = obj->sig;
	opts.signature_size = obj->sig_size;
	opts.keyring_id = obj->keyring_id;
	opts.image_from_fd = obj->image_fd >= 0;
	opts.image_fd = obj->image_fd;
	/* From the file, or the bytes read from it. */
	image = opts.image_from_fd ? NULL : obj->image;
	image_size = opts.image_from_fd ? 0 : obj->image_size;

	log_buf[0] = '\0';
	fd = rex_prog_load(prog->def.prog_type, image, image_size, prog->def.entry, &opts);
	if (fd == -ENOSPC) {
		/* The log did not fit: try again without one, keep what it holds. */
		opts.log_buf = NULL;
		opts.log_size = 0;
		opts.log_level = 0;
		fd = rex_prog_load(prog->def.prog_type, image, image_size, prog->def.entry, &opts);
	}
	if (fd < 0) {
		free(obj->log);
		obj->log = strdup(log_buf);
		pr_warn("failed to load program %s: %s\n", prog->def.entry, strerror(-fd));
		if (log_buf[0])
			pr_warn("-- BEGIN KERNEL LOG --\n%s\n-- END KERNEL LOG --\n", log_buf);
		return fd;
	}
	if (log_buf[0])
		pr_debug("program %s loaded, kernel log:\n%s\n", prog->def.entry, log_buf);
	prog->fd = fd;
	return 0;
}

/*
 * Is the map @fd what @map's description asks for?  A map found pinned or
 * given by the caller must be: the kernel binds it to the image by these
 * properties and refuses the load otherwise, with a message that names
 * only the first difference.
 */
static int rex_map_compatible(const struct rex_map *map, int fd)
{
	const struct rex_map_def *def = &map->def;
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int err;

	memset(&info, 0, sizeof(info));
	err = rex_obj_get_info(fd, &info, &len);
	if (err) {
		pr_warn("map %s: fd %d is not a BPF map: %s\n", def->name, fd, strerror(-err));
		return err;
	}
	if (info.type != def->map_type || info.key_size != def->key_size ||
	    info.value_size != def->value_size || info.max_entries != def->max_entries ||
	    info.map_flags != def->map_flags) {
		pr_warn("map %s: the map to reuse has type %u, key/value size %u/%u, %u entries, flags %#x; the image describes %u, %u/%u, %u, %#x\n",
			def->name, info.type, info.key_size, info.value_size, info.max_entries,
			info.map_flags, def->map_type, def->key_size, def->value_size,
			def->max_entries, def->map_flags);
		return -EINVAL;
	}
	return 0;
}

/* Open @map for a load: the map given to reuse, the pinned one, or a new one. */
static int rex_map_open(struct rex_map *map)
{
	int fd, err;

	if (map->reuse_fd >= 0) {
		fd = fcntl(map->reuse_fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return -errno;
	} else if (map->pin_path) {
		fd = rex_obj_get(map->pin_path);
		if (fd == -ENOENT)
			goto create;
		if (fd < 0) {
			pr_warn("map %s: cannot open %s: %s\n", map->def.name, map->pin_path,
				strerror(-fd));
			return fd;
		}
	} else {
		goto create;
	}
	err = rex_map_compatible(map, fd);
	if (err) {
		close(fd);
		return err;
	}
	map->fd = fd;
	return 0;
create:
	fd = rex_map_create(&map->def);
	if (fd < 0) {
		pr_warn("failed to create map %s: %s\n", map->def.name, strerror(-fd));
		return fd;
	}
	map->fd = fd;
	return 0;
}

int rex_object__load(struct rex_object *obj)
{
	int *fd_array = NULL;
	char *log_buf = NULL;
	size_t i;
	int err;

	if (!obj)
		return -EINVAL;
	if (obj->loaded)
		return -EBUSY;
	obj->loaded = true;
	free(obj->log);
	obj->log = NULL;

	if (obj->map_cnt) {
		fd_array = calloc(obj->map_cnt, sizeof(*fd_array));
		if (!fd_array)
			return -ENOMEM;
	}
	log_buf = malloc(REX_LOAD_LOG_SIZE);
	if (!log_buf) {
		err = -ENOMEM;
		goto out;
	}

	for (i = 0; i < obj->map_cnt; i++) {
		err = rex_map_open(&obj->maps[i]);
		if (err)
			goto out;
		fd_array[i] = obj->maps[i].fd;
	}
	for (i = 0; i < obj->prog_cnt; i++) {
		err = rex_object__load_prog(obj, &obj->progs[i], fd_array, log_buf);
		if (err)
			goto out;
	}
	/* Pinned once everything loaded, so a failed load pins nothing. */
	for (i = 0; i < obj->map_cnt; i++) {
		struct rex_map *map = &obj->maps[i];

		if (!map->pin_path || access(map->pin_path, F_OK) == 0)
			continue;
		err = rex_obj_pin(map->fd, map->pin_path);
		if (err) {
			pr_warn("map %s: cannot pin it at %s: %s\n", map->def.name, map->pin_path,
				strerror(-err));
			goto out;
		}
	}
	err = 0;
out:
	if (err)
		rex_object__unload(obj);
	free(log_buf);
	free(fd_array);
	return err;
}

const char *rex_object__log(const struct rex_object *obj)
{
	return obj && obj->log ? obj->log : "";
}

const char *rex_object__license(const struct rex_object *obj)
{
	return obj ? obj->license : NULL;
}

struct rex_map *rex_object__find_map_by_name(const struct rex_object *obj, const char *name)
{
	size_t i;

	if (!obj || !name)
		return rex_err_ptr(-EINVAL);
	for (i = 0; i < obj->map_cnt; i++)
		if (!strcmp(obj->maps[i].def.name, name))
			return &obj->maps[i];
	return rex_err_ptr(-ENOENT);
}

struct rex_program *rex_object__find_program_by_name(const struct rex_object *obj,
						     const char *name)
{
	size_t i;

	if (!obj || !name)
		return rex_err_ptr(-EINVAL);
	for (i = 0; i < obj->prog_cnt; i++)
		if (!strcmp(obj->progs[i].def.entry, name))
			return &obj->progs[i];
	return rex_err_ptr(-ENOENT);
}

int rex_object__find_map_fd_by_name(const struct rex_object *obj, const char *name)
{
	struct rex_map *map = rex_object__find_map_by_name(obj, name);

	return map ? rex_map__fd(map) : -errno;
}

int rex_object__find_prog_fd_by_name(const struct rex_object *obj, const char *name)
{
	struct rex_program *prog = rex_object__find_program_by_name(obj, name);

	return prog ? rex_program__fd(prog) : -errno;
}

struct rex_map *rex_object__next_map(const struct rex_object *obj, const struct rex_map *map)
{
	size_t idx;

	if (!obj)
		return rex_err_ptr(-EINVAL);
	if (!map)
		return obj->map_cnt ? &obj->maps[0] : NULL;
	if (!obj->map_cnt || map < obj->maps || map >= obj->maps + obj->map_cnt)
		return rex_err_ptr(-EINVAL);
	idx = map - obj->maps + 1;
	return idx < obj->map_cnt ? &obj->maps[idx] : NULL;
}

struct rex_program *rex_object__next_program(const struct rex_object *obj,
					     const struct rex_program *prog)
{
	size_t idx;

	if (!obj)
		return rex_err_ptr(-EINVAL);
	if (!prog)
		return obj->prog_cnt ? &obj->progs[0] : NULL;
	if (!obj->prog_cnt || prog < obj->progs || prog >= obj->progs + obj->prog_cnt)
		return rex_err_ptr(-EINVAL);
	idx = prog - obj->progs + 1;
	return idx < obj->prog_cnt ? &obj->progs[idx] : NULL;
}

const char *rex_map__name(const struct rex_map *map)
{
	return map ? map->def.name : NULL;
}

const struct rex_map_def *rex_map__def(const struct rex_map *map)
{
	return map ? &map->def : rex_err_ptr(-EINVAL);
}

int rex_map__fd(const struct rex_map *map)
{
	return map && map->fd >= 0 ? map->fd : -EINVAL;
}

int rex_map__reuse_fd(struct rex_map *map, int fd)
{
	int dup;

	if (!map || fd < 0)
		return -EINVAL;
	if (map->fd >= 0)
		return -EBUSY;
	dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dup < 0)
		return -errno;
	close_fd(&map->reuse_fd);
	map->reuse_fd = dup;
	return 0;
}

int rex_map__set_pin_path(struct rex_map *map, const char *path)
{
	char *copy = NULL;

	if (!map)
		return -EINVAL;
	if (map->fd >= 0)
		return -EBUSY;
	if (path) {
		copy = strdup(path);
		if (!copy)
			return -ENOMEM;
	}
	free(map->pin_path);
	map->pin_path = copy;
	return 0;
}

const char *rex_map__pin_path(const struct rex_map *map)
{
	return map ? map->pin_path : NULL;
}

int rex_map__pin(struct rex_map *map, const char *path)
{
	if (!map || !path)
		return -EINVAL;
	if (map->fd < 0)
		return -EINVAL;
	return rex_obj_pin(map->fd, path);
}

int rex_map__unpin(struct rex_map *map, const char *path)
{
	if (!map)
		return -EINVAL;
	path = path ? path : map->pin_path;
	if (!path)
		return -EINVAL;
	return unlink(path) ? -errno : 0;
}

const char *rex_program__name(const struct rex_program *prog)
{
	return prog ? prog->def.entry : NULL;
}

enum bpf_prog_type rex_program__type(const struct rex_program *prog)
{
	return prog ? (enum bpf_prog_type)prog->def.prog_type : BPF_PROG_TYPE_UNSPEC;
}

int rex_program__fd(const struct rex_program *prog)
{
	return prog && prog->fd >= 0 ? prog->fd : -EINVAL;
}

int rex_program__pin(const struct rex_program *prog, const char *path)
{
	if (!prog || !path || prog->fd < 0)
		return -EINVAL;
	return rex_obj_pin(prog->fd, path);
}

/* Program loading */

int rex_prog_load(enum bpf_prog_type type, const void *image, size_t image_size,
		  const char *entry, const struct rex_prog_load_opts *opts)
{
	struct rex_prog_load_opts o;
	union bpf_attr attr;
	int err, fd, tries = 5;

	err = rex_opts_copy(&o, sizeof(o), opts);
	if (err)
		return err;
	if (!entry || (o.image_from_fd ? image || image_size : !image || !image_size))
		return -EINVAL;
	if (image_size > UINT32_MAX)
		return -E2BIG;
	if ((o.fd_array_cnt && !o.fd_array) || (!o.log_buf != !o.log_size) ||
	    (!o.signature != !o.signature_size) || (o.keyring_id && !o.signature))
		return -EINVAL;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.prog_flags = BPF_F_REX;
	attr.license = ptr_to_u64(o.license ? o.license : REX_DEFAULT_LICENSE);
	if (o.image_from_fd) {
		attr.prog_flags |= BPF_F_REX_IMAGE_FD;
		attr.rex_image_fd = o.image_fd;
	} else {
		attr.rex_image = ptr_to_u64(image);
		attr.rex_image_size = image_size;
	}
	attr.signature = ptr_to_u64(o.signature);
	attr.signature_size = o.signature_size;
	attr.keyring_id = o.keyring_id;
	attr.rex_entry = ptr_to_u64(entry);
	attr.expected_attach_type = o.expected_attach_type;
	if (o.prog_name)
		strncpy(attr.prog_name, o.prog_name, sizeof(attr.prog_name) - 1);
	attr.fd_array = ptr_to_u64(o.fd_array);
	attr.fd_array_cnt = o.fd_array_cnt;
	if (o.log_buf) {
		attr.log_buf = ptr_to_u64(o.log_buf);
		attr.log_size = o.log_size;
		attr.log_level = o.log_level ? o.log_level : 1;
		o.log_buf[0] = '\0';
	} else {
		attr.log_level = o.log_level;
	}

	do {
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
	} while (fd == -EAGAIN && --tries > 0);

	if (o.log_buf)
		o.log_buf[o.log_size - 1] = '\0';
	return fd;
}

/* Links */

int rex_link__fd(const struct rex_link *link)
{
	return link ? link->fd : -EINVAL;
}

int rex_link__destroy(struct rex_link *link)
{
	int err = 0;

	if (!link)
		return 0;
	if (link->fd >= 0 && close(link->fd))
		err = -errno;
	if (link->perf_fd >= 0)
		close(link->perf_fd);
	free(link);
	return err;
}

/*
 * Create a BPF link of @prog; on success it owns @perf_fd (which may be -1),
 * on failure @perf_fd is left to the caller.
 */
static struct rex_link *rex_link_create(const struct rex_program *prog, int target,
					enum bpf_attach_type type, int perf_fd)
{
	struct rex_link *link;
	union bpf_attr attr;
	int fd;

	link = calloc(1, sizeof(*link));
	if (!link)
		return rex_err_ptr(-ENOMEM);

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog->fd;
	attr.link_create.target_fd = target;
	attr.link_create.attach_type = type;
	fd = sys_bpf(BPF_LINK_CREATE, &attr);
	if (fd < 0) {
		pr_warn("program %s: failed to create link (attach type %d): %s\n",
			prog->def.entry, type, strerror(-fd));
		free(link);
		return rex_err_ptr(fd);
	}
	link->fd = fd;
	link->perf_fd = perf_fd;
	return link;
}

/* Link @prog to the perf event @pfd and enable the event. */
static struct rex_link *rex_link_perf(const struct rex_program *prog, int pfd, bool own)
{
	struct rex_link *link;
	int err;

	link = rex_link_create(prog, pfd, BPF_PERF_EVENT, own ? pfd : -1);
	if (!link)
		return NULL;
	if (ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		err = -errno;
		pr_warn("program %s: failed to enable perf event: %s\n",
			prog->def.entry, strerror(-err));
		link->perf_fd = -1;	/* the caller closes it */
		rex_link__destroy(link);
		return rex_err_ptr(err);
	}
	return link;
}

static int rex_check_prog(const struct rex_program *prog)
{
	if (!prog)
		return -EINVAL;
	if (prog->fd < 0) {
		pr_warn("program %s is not loaded\n", prog->def.entry);
		return -EINVAL;
	}
	return 0;
}

/* Read the first line of @path. */
static int rex_read_line(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, size - 1);
	} while (n < 0 && errno == EINTR);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int rex_read_uint(const char *path, unsigned long *val)
{
	char buf[64], *end;
	int err;

	err = rex_read_line(path, buf, sizeof(buf));
	if (err)
		return err;
	errno = 0;
	*val = strtoul(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

#define KPROBE_PMU_DIR	"/sys/bus/event_source/devices/kprobe"

static int rex_kprobe_pmu(__u32 *type, __u64 *retprobe_config)
{
	unsigned long val;
	char buf[64];
	int err, bit;

	err = rex_read_uint(KPROBE_PMU_DIR "/type", &val);
	if (err) {
		pr_warn("failed to read kprobe PMU type: %s\n", strerror(-err));
		return err;
	}
	*type = val;

	err = rex_read_line(KPROBE_PMU_DIR "/format/retprobe", buf, sizeof(buf));
	if (err) {
		pr_warn("failed to read kprobe PMU retprobe format: %s\n", strerror(-err));
		return err;
	}
	if (sscanf(buf, "config:%d", &bit) != 1 || bit < 0 || bit > 63) {
		pr_warn("unexpected kprobe PMU retprobe format '%s'\n", buf);
		return -EINVAL;
	}
	*retprobe_config = 1ULL << bit;
	return 0;
}

struct rex_link *rex_program__attach_kprobe(const struct rex_program *prog, bool retprobe,
					    const char *func_name)
{
	struct perf_event_attr attr;
	struct rex_link *link;
	__u64 retprobe_config;
	__u32 type;
	int err, pfd;

	err = rex_check_prog(prog);
	if (err)
		return rex_err_ptr(err);
	if (!func_name || !func_name[0])
		return rex_err_ptr(-EINVAL);
	err = rex_kprobe_pmu(&type, &retprobe_config);
	if (err)
		return rex_err_ptr(err);

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = retprobe ? retprobe_config : 0;
	attr.config1 = ptr_to_u64(func_name);	/* kprobe_func */
	attr.config2 = 0;			/* probe_offset */
	pfd = sys_perf_event_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		pr_warn("failed to create %s on %s: %s\n", retprobe ? "kretprobe" : "kprobe",
			func_name, strerror(-pfd));
		return rex_err_ptr(pfd);
	}
	link = rex_link_perf(prog, pfd, true);
	if (!link) {
		err = -errno;
		close(pfd);
		return rex_err_ptr(err);
	}
	return link;
}

static int rex_tracepoint_id(const char *category, const char *name)
{
	static const char * const roots[] = {
		"/sys/kernel/tracing",
		"/sys/kernel/debug/tracing",
	};
	char path[PATH_MAX];
	unsigned long id;
	int err = -ENOENT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		int n = snprintf(path, sizeof(path), "%s/events/%s/%s/id",
				 roots[i], category, name);

		if (n < 0 || (size_t)n >= sizeof(path))
			return -ENAMETOOLONG;
		err = rex_read_uint(path, &id);
		if (!err)
			return id > INT32_MAX ? -ERANGE : (int)id;
	}
	pr_warn("failed to read id of tracepoint %s:%s: %s\n", category, name, strerror(-err));
	return err;
}

struct rex_link *rex_program__attach_tracepoint(const struct rex_program *prog,
						const char *category, const char *name)
{
	struct perf_event_attr attr;
	struct rex_link *link;
	int err, id, pfd;

	err = rex_check_prog(prog);
	if (err)
		return rex_err_ptr(err);
	if (!category || !name || !category[0] || !name[0] ||
	    strchr(category, '/') || strchr(name, '/') ||
	    !strcmp(category, "..") || !strcmp(name, ".."))
		return rex_err_ptr(-EINVAL);
	id = rex_tracepoint_id(category, name);
	if (id < 0)
		return rex_err_ptr(id);

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	pfd = sys_perf_event_open(&attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		pr_warn("failed to open tracepoint %s:%s: %s\n", category, name,
			strerror(-pfd));
		return rex_err_ptr(pfd);
	}
	link = rex_link_perf(prog, pfd, true);
	if (!link) {
		err = -errno;
		close(pfd);
		return rex_err_ptr(err);
	}
	return link;
}

struct rex_link *rex_program__attach_perf_event(const struct rex_program *prog, int pfd)
{
	int err;

	err = rex_check_prog(prog);
	if (err)
		return rex_err_ptr(err);
	if (pfd < 0)
		return rex_err_ptr(-EINVAL);
	return rex_link_perf(prog, pfd, false);
}

struct rex_link *rex_program__attach_xdp(const struct rex_program *prog, int ifindex)
{
	int err;

	err = rex_check_prog(prog);
	if (err)
		return rex_err_ptr(err);
	if (ifindex <= 0)
		return rex_err_ptr(-EINVAL);
	return rex_link_create(prog, ifindex, BPF_XDP, -1);
}

struct rex_link *rex_program__attach_tcx(const struct rex_program *prog, int ifindex,
					 enum bpf_attach_type attach_type)
{
	int err;

	err = rex_check_prog(prog);
	if (err)
		return rex_err_ptr(err);
	if (ifindex <= 0 ||
	    (attach_type != BPF_TCX_INGRESS && attach_type != BPF_TCX_EGRESS))
		return rex_err_ptr(-EINVAL);
	return rex_link_create(prog, ifindex, attach_type, -1);
}

/* rtnetlink */

#define REX_NL_BUF_SIZE	1024

/* A request: header, family header and attributes, in one buffer. */
struct rex_nl_req {
	union {
		struct nlmsghdr nh;
		char buf[REX_NL_BUF_SIZE];
	};
};

static void rex_nl_init(struct rex_nl_req *req, __u16 type, __u16 flags,
			const void *fam, size_t fam_len)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(fam_len);
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	memcpy(NLMSG_DATA(&req->nh), fam, fam_len);
}

static struct nlattr *rex_nl_tail(struct rex_nl_req *req)
{
	return (struct nlattr *)(req->buf + NLMSG_ALIGN(req->nh.nlmsg_len));
}

static int rex_nl_add(struct rex_nl_req *req, __u16 type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(req->nh.nlmsg_len);
	struct nlattr *nla;

	if (NLA_HDRLEN + len > 0xffff || off + NLA_ALIGN(NLA_HDRLEN + len) > sizeof(req->buf))
		return -EMSGSIZE;
	nla = rex_nl_tail(req);
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)nla + NLA_HDRLEN, data, len);
	req->nh.nlmsg_len = off + NLA_ALIGN(nla->nla_len);
	return 0;
}

static int rex_nl_add_u32(struct rex_nl_req *req, __u16 type, __u32 val)
{
	return rex_nl_add(req, type, &val, sizeof(val));
}

static int rex_nl_add_str(struct rex_nl_req *req, __u16 type, const char *str)
{
	return rex_nl_add(req, type, str, strlen(str) + 1);
}

static struct nlattr *rex_nl_nest_start(struct rex_nl_req *req, __u16 type)
{
	struct nlattr *nest = rex_nl_tail(req);

	if (rex_nl_add(req, type | NLA_F_NESTED, NULL, 0))
		return NULL;
	return nest;
}

static void rex_nl_nest_end(struct rex_nl_req *req, struct nlattr *nest)
{
	nest->nla_len = req->buf + req->nh.nlmsg_len - (char *)nest;
}

/* Called for each reply message other than errors, acks and NLMSG_DONE. */
typedef int (*rex_nl_cb_t)(const struct nlmsghdr *nh, void *ctx);

static int rex_nl_open(__u32 *pid)
{
	struct sockaddr_nl sa;
	socklen_t len = sizeof(sa);
	int sock, one = 1;

	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sock < 0)
		return -errno;
	/* Extended acks give error messages; older kernels lack them. */
	setsockopt(sock, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));

	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(sock, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(sock, (struct sockaddr *)&sa, &len)) {
		int err = -errno;

		close(sock);
		return err;
	}
	if (len != sizeof(sa) || sa.nl_family != AF_NETLINK) {
		close(sock);
		return -EINVAL;
	}
	*pid = sa.nl_pid;
	return sock;
}

/* Copy the message of an extended ack, if any, to @msg (@size bytes). */
static void rex_nl_extack(const struct nlmsghdr *nh, char *msg, size_t size)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	size_t off, end = nh->nlmsg_len;

	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);

	while (off + NLA_HDRLEN <= end) {
		const struct nlattr *nla = (const void *)((const char *)nh + off);

		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > end - off)
			return;
		if ((nla->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			const char *str = (const char *)nla + NLA_HDRLEN;
			size_t len = nla->nla_len - NLA_HDRLEN;

			len = strnlen(str, len);
			if (len >= size)
				len = size - 1;
			memcpy(msg, str, len);
			msg[len] = '\0';
			return;
		}
		off += NLA_ALIGN(nla->nla_len);
	}
}

/*
 * Handle one message of the reply: > 0 when the exchange is complete, 0 to
 * read on, < 0 for an error.
 */
static int rex_nl_msg(const struct nlmsghdr *nh, __u32 pid, __u32 seq,
		      rex_nl_cb_t cb, void *ctx, char *msg, size_t msg_size)
{
	const struct nlmsgerr *e;

	if (nh->nlmsg_pid != pid || nh->nlmsg_seq != seq)
		return 0;
	switch (nh->nlmsg_type) {
	case NLMSG_ERROR:
		e = NLMSG_DATA(nh);
		if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
			return -EBADMSG;
		if (!e->error)
			return 1;	/* ack */
		rex_nl_extack(nh, msg, msg_size);
		return e->error < 0 ? e->error : -e->error;
	case NLMSG_DONE:
		return 1;
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		return 0;
	default:
		return cb ? cb(nh, ctx) : 0;
	}
}

/* Handle the messages of one datagram of @len bytes, see rex_nl_msg(). */
static int rex_nl_parse(const char *buf, size_t len, __u32 pid, __u32 seq,
			rex_nl_cb_t cb, void *ctx, char *msg, size_t msg_size)
{
	size_t off = 0;
	int ret;

	while (off + sizeof(struct nlmsghdr) <= len) {
		const struct nlmsghdr *nh = (const void *)(buf + off);

		if (nh->nlmsg_len < sizeof(*nh) || nh->nlmsg_len > len - off)
			return -EBADMSG;
		ret = rex_nl_msg(nh, pid, seq, cb, ctx, msg, msg_size);
		if (ret)
			return ret;
		off += NLMSG_ALIGN(nh->nlmsg_len);
	}
	return 0;
}

/*
 * Send @req and wait for the kernel's ack or error, passing replies to @cb.
 * The kernel's error message, if any, is printed unless the error is @quiet.
 */
static int rex_nl_talk(struct rex_nl_req *req, rex_nl_cb_t cb, void *ctx, int quiet)
{
	char msg[256] = "";
	static __u32 seq_counter;
	struct sockaddr_nl sa;
	size_t buf_size = 16384;
	char *buf = NULL;
	int sock, err;
	__u32 pid = 0;

	sock = rex_nl_open(&pid);
	if (sock < 0)
		return sock;

	req->nh.nlmsg_seq = (__u32)time(NULL) ^ (__u32)getpid() ^ ++seq_counter;
	req->nh.nlmsg_pid = 0;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(sock, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}

	buf = malloc(buf_size);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n;

		/* Peek first so that a large reply is not truncated. */
		n = recv(sock, buf, buf_size, MSG_PEEK | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if ((size_t)n > buf_size) {
			char *nbuf = realloc(buf, n);

			if (!nbuf) {
				err = -ENOMEM;
				goto out;
			}
			buf = nbuf;
			buf_size = n;
		}
		do {
			n = recv(sock, buf, buf_size, 0);
		} while (n < 0 && errno == EINTR);
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0) {
			err = -ECONNRESET;
			goto out;
		}
		err = rex_nl_parse(buf, n, pid, req->nh.nlmsg_seq, cb, ctx,
				   msg, sizeof(msg));
		if (err)
			break;
	}
	if (err > 0)
		err = 0;
	if (err && err != quiet && msg[0])
		pr_warn("kernel: %s\n", msg);
out:
	free(buf);
	close(sock);
	return err;
}

int rex_xdp_attach(int ifindex, int prog_fd, __u32 flags)
{
	struct ifinfomsg ifi;
	struct rex_nl_req req;
	struct nlattr *nest;
	int err;

	if (ifindex <= 0)
		return -EINVAL;
	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = ifindex;
	rex_nl_init(&req, RTM_SETLINK, 0, &ifi, sizeof(ifi));

	nest = rex_nl_nest_start(&req, IFLA_XDP);
	if (!nest)
		return -EMSGSIZE;
	err = rex_nl_add_u32(&req, IFLA_XDP_FD, (__u32)prog_fd);
	if (!err && flags)
		err = rex_nl_add_u32(&req, IFLA_XDP_FLAGS, flags);
	if (err)
		return err;
	rex_nl_nest_end(&req, nest);
	return rex_nl_talk(&req, NULL, NULL, 0);
}

int rex_xdp_detach(int ifindex, __u32 flags)
{
	return rex_xdp_attach(ifindex, -1, flags);
}

struct rex_xdp_query {
	int ifindex;
	__u16 attr;	/* IFLA_XDP_*PROG_ID to report */
	__u32 prog_id;
};

static int rex_xdp_query_cb(const struct nlmsghdr *nh, void *ctx)
{
	struct rex_xdp_query *q = ctx;
	const struct ifinfomsg *ifi;
	const struct nlattr *nla;
	size_t off, end = nh->nlmsg_len;

	if (nh->nlmsg_type != RTM_NEWLINK || end < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	ifi = NLMSG_DATA(nh);
	if (ifi->ifi_index != q->ifindex)
		return 0;

	/* Walk the link attributes, then the IFLA_XDP nest. */
	off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*ifi));
	while (off + NLA_HDRLEN <= end) {
		nla = (const void *)((const char *)nh + off);
		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > end - off)
			return -EBADMSG;
		if ((nla->nla_type & NLA_TYPE_MASK) == IFLA_XDP) {
			end = off + nla->nla_len;
			off += NLA_HDRLEN;
			break;
		}
		off += NLA_ALIGN(nla->nla_len);
	}
	while (off + NLA_HDRLEN <= end) {
		nla = (const void *)((const char *)nh + off);
		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > end - off)
			return -EBADMSG;
		if ((nla->nla_type & NLA_TYPE_MASK) == q->attr &&
		    nla->nla_len >= NLA_HDRLEN + sizeof(__u32))
			memcpy(&q->prog_id, (const char *)nla + NLA_HDRLEN, sizeof(__u32));
		off += NLA_ALIGN(nla->nla_len);
	}
	return 0;
}

int rex_xdp_query_id(int ifindex, __u32 flags, __u32 *prog_id)
{
	struct rex_xdp_query q;
	struct ifinfomsg ifi;
	struct rex_nl_req req;
	int err;

	if (ifindex <= 0 || !prog_id)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	q.ifindex = ifindex;
	if (flags & XDP_FLAGS_SKB_MODE)
		q.attr = IFLA_XDP_SKB_PROG_ID;
	else if (flags & XDP_FLAGS_DRV_MODE)
		q.attr = IFLA_XDP_DRV_PROG_ID;
	else if (flags & XDP_FLAGS_HW_MODE)
		q.attr = IFLA_XDP_HW_PROG_ID;
	else
		q.attr = IFLA_XDP_PROG_ID;

	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = ifindex;
	rex_nl_init(&req, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	err = rex_nl_talk(&req, rex_xdp_query_cb, &q, 0);
	if (err)
		return err;
	*prog_id = q.prog_id;
	return 0;
}

static void rex_tc_msg(struct tcmsg *tc, int ifindex, __u32 parent, __u32 handle, __u32 info)
{
	memset(tc, 0, sizeof(*tc));
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = ifindex;
	tc->tcm_parent = parent;
	tc->tcm_handle = handle;
	tc->tcm_info = info;
}

static int rex_tc_add_clsact(int ifindex)
{
	struct rex_nl_req req;
	struct tcmsg tc;
	int err;

	rex_tc_msg(&tc, ifindex, TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0);
	rex_nl_init(&req, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, &tc, sizeof(tc));
	err = rex_nl_add_str(&req, TCA_KIND, "clsact");
	if (err)
		return err;
	err = rex_nl_talk(&req, NULL, NULL, -EEXIST);
	return err == -EEXIST ? 0 : err;
}

static __u32 rex_tc_parent(bool ingress)
{
	return TC_H_MAKE(TC_H_CLSACT, ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
}

static __u32 rex_tc_info(__u32 priority)
{
	return TC_H_MAKE(priority << 16, htons(ETH_P_ALL));
}

int rex_tc_attach(int ifindex, bool ingress, int prog_fd, __u32 priority, __u32 handle)
{
	struct rex_nl_req req;
	struct nlattr *nest;
	struct tcmsg tc;
	int err;

	if (ifindex <= 0 || prog_fd < 0 || priority > 0xffff)
		return -EINVAL;
	err = rex_tc_add_clsact(ifindex);
	if (err) {
		pr_warn("failed to add clsact qdisc to ifindex %d: %s\n", ifindex,
			strerror(-err));
		return err;
	}

	rex_tc_msg(&tc, ifindex, rex_tc_parent(ingress), handle, rex_tc_info(priority));
	rex_nl_init(&req, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, &tc, sizeof(tc));
	err = rex_nl_add_str(&req, TCA_KIND, "bpf");
	if (err)
		return err;
	nest = rex_nl_nest_start(&req, TCA_OPTIONS);
	if (!nest)
		return -EMSGSIZE;
	err = rex_nl_add_u32(&req, TCA_BPF_FD, prog_fd);
	if (!err)
		err = rex_nl_add_str(&req, TCA_BPF_NAME, REX_TC_FILTER_NAME);
	if (!err)
		err = rex_nl_add_u32(&req, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
	if (err)
		return err;
	rex_nl_nest_end(&req, nest);
	return rex_nl_talk(&req, NULL, NULL, 0);
}

int rex_tc_detach(int ifindex, bool ingress, __u32 priority, __u32 handle)
{
	struct rex_nl_req req;
	struct tcmsg tc;
	int err;

	/* Priority 0 would delete every filter of the hook. */
	if (ifindex <= 0 || !priority || priority > 0xffff || !handle)
		return -EINVAL;
	rex_tc_msg(&tc, ifindex, rex_tc_parent(ingress), handle, rex_tc_info(priority));
	rex_nl_init(&req, RTM_DELTFILTER, 0, &tc, sizeof(tc));
	err = rex_nl_add_str(&req, TCA_KIND, "bpf");
	if (err)
		return err;
	return rex_nl_talk(&req, NULL, NULL, 0);
}

/* Syscall wrappers */

/*
 * The BTF of a map whose values hold a spin lock: a struct of the value's
 * size with one member, a struct bpf_res_spin_lock where the image takes
 * the lock, so that the kernel manages the lock word (user space can
 * neither write nor read it); and the key as a u32 (what array maps need)
 * or an array of bytes.  Type ids: 1 u32, 2 u8, 3 the lock, 4 the value,
 * 5 the key array.
 */
struct rex_btf {
	struct btf_header hdr;
	struct { struct btf_type t; __u32 enc; } u32_t, u8_t;
	struct { struct btf_type t; struct btf_member m; } lock_t, value_t;
	struct { struct btf_type t; struct btf_array a; } key_t;
	char strs[64];
	__u32 str_len;
};

/* Append @str to the string section of @b; returns its offset there. */
static __u32 rex_btf_str(struct rex_btf *b, const char *str)
{
	__u32 off = b->str_len;

	memcpy(b->strs + off, str, strlen(str) + 1);
	b->str_len += strlen(str) + 1;
	return off;
}

static int rex_lock_btf(const struct rex_map_def *def, __u32 *key_id)
{
	struct rex_btf b;
	union bpf_attr attr;

	memset(&b, 0, sizeof(b));
	b.str_len = 1;		/* offset 0: the empty string */
	b.u32_t.t.name_off = rex_btf_str(&b, "u32");
	b.u32_t.t.info = BTF_KIND_INT << 24;
	b.u32_t.t.size = 4;
	b.u32_t.enc = 32;
	b.u8_t.t.name_off = rex_btf_str(&b, "u8");
	b.u8_t.t.info = BTF_KIND_INT << 24;
	b.u8_t.t.size = 1;
	b.u8_t.enc = 8;
	b.lock_t.t.name_off = rex_btf_str(&b, "bpf_res_spin_lock");
	b.lock_t.t.info = BTF_KIND_STRUCT << 24 | 1;
	b.lock_t.t.size = 4;
	b.lock_t.m.name_off = rex_btf_str(&b, "val");
	b.lock_t.m.type = 1;
	b.value_t.t.name_off = rex_btf_str(&b, "rex_value");
	b.value_t.t.info = BTF_KIND_STRUCT << 24 | 1;
	b.value_t.t.size = def->value_size;
	b.value_t.m.name_off = rex_btf_str(&b, "lock");
	b.value_t.m.type = 3;
	b.value_t.m.offset = (def->spin_lock - 1) * 8;
	b.key_t.t.info = BTF_KIND_ARRAY << 24;
	b.key_t.a.type = 2;
	b.key_t.a.index_type = 1;
	b.key_t.a.nelems = def->key_size;
	*key_id = def->key_size == 4 ? 1 : 5;

	b.hdr.magic = BTF_MAGIC;
	b.hdr.version = BTF_VERSION;
	b.hdr.hdr_len = sizeof(b.hdr);
	b.hdr.type_len = offsetof(struct rex_btf, strs) - sizeof(b.hdr);
	b.hdr.str_off = b.hdr.type_len;
	b.hdr.str_len = b.str_len;
	memset(&attr, 0, sizeof(attr));
	attr.btf = ptr_to_u64(&b);
	attr.btf_size = offsetof(struct rex_btf, strs) + b.str_len;
	return sys_bpf(BPF_BTF_LOAD, &attr);
}

int rex_map_create(const struct rex_map_def *def)
{
	union bpf_attr attr;
	int btf = -1, fd;
	__u32 key_id;

	if (!def)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = def->map_type;
	attr.key_size = def->key_size;
	attr.value_size = def->value_size;
	attr.max_entries = def->max_entries;
	attr.map_flags = def->map_flags;
	rex_obj_name(attr.map_name, def->name);
	if (def->spin_lock) {
		btf = rex_lock_btf(def, &key_id);
		if (btf < 0)
			return btf;
		attr.btf_fd = btf;
		attr.btf_key_type_id = key_id;
		attr.btf_value_type_id = 4;
	}
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (btf >= 0)
		close(btf);
	return fd;
}

static int rex_map_elem_op(int cmd, int fd, const void *key, const void *value, __u64 flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	attr.flags = flags;
	return sys_bpf(cmd, &attr);
}

int rex_map_lookup_elem(int fd, const void *key, void *value)
{
	return rex_map_elem_op(BPF_MAP_LOOKUP_ELEM, fd, key, value, 0);
}

int rex_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	return rex_map_elem_op(BPF_MAP_UPDATE_ELEM, fd, key, value, flags);
}

int rex_map_delete_elem(int fd, const void *key)
{
	return rex_map_elem_op(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0);
}

int rex_map_get_next_key(int fd, const void *key, void *next_key)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = ptr_to_u64(key);
	attr.next_key = ptr_to_u64(next_key);
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr);
}

int rex_prog_get_info(int prog_fd, struct bpf_prog_info *info, __u32 *len)
{
	if (!info || !len)
		return -EINVAL;
	return rex_obj_get_info(prog_fd, info, len);
}

int rex_map_get_info(int map_fd, struct bpf_map_info *info, __u32 *len)
{
	if (!info || !len)
		return -EINVAL;
	return rex_obj_get_info(map_fd, info, len);
}

static int rex_obj_get_info(int fd, void *info, __u32 *len)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = *len;
	attr.info.info = ptr_to_u64(info);
	err = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
	if (!err)
		*len = attr.info.info_len;
	return err;
}

int rex_obj_pin(int fd, const char *path)
{
	union bpf_attr attr;

	if (fd < 0 || !path)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.bpf_fd = fd;
	attr.pathname = ptr_to_u64(path);
	return sys_bpf(BPF_OBJ_PIN, &attr);
}

int rex_obj_get(const char *path)
{
	union bpf_attr attr;

	if (!path)
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.pathname = ptr_to_u64(path);
	attr.file_flags = 0;
	return sys_bpf(BPF_OBJ_GET, &attr);
}

/*
 * The possible CPUs, as the kernel sizes per-CPU map values for user space:
 * the highest CPU number in /sys/devices/system/cpu/possible, plus one
 * ("0-3", "0,2-5": ranges and single CPUs).  Read once.
 */
int rex_num_possible_cpus(void)
{
	static int cpus;
	char buf[256], *p, *end;
	long hi = -1, n;
	ssize_t len;
	int fd;

	if (__atomic_load_n(&cpus, __ATOMIC_RELAXED) > 0)
		return cpus;
	fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	n = errno;
	close(fd);
	if (len < 0)
		return -n;
	buf[len] = '\0';
	for (p = buf; *p && *p != '\n'; p = end) {
		errno = 0;
		n = strtol(p, &end, 10);
		if (end == p || errno || n < 0)
			return -EINVAL;
		if (*end == '-' || *end == ',')
			end++;
		if (n > hi)
			hi = n;
	}
	if (hi < 0)
		return -EINVAL;
	__atomic_store_n(&cpus, (int)(hi + 1), __ATOMIC_RELAXED);
	return hi + 1;
}

/* The kernel pads each CPU's value to 8 bytes for user space. */
static size_t rex_percpu_stride(size_t value_size)
{
	return (value_size + 7) & ~(size_t)7;
}

/*
 * The buffer of a per-CPU value as the kernel lays it out for user space,
 * for @values of @value_size bytes each, and the number of CPUs in @cpus;
 * NULL with a negative errno in @cpus if it cannot be had.
 */
static char *rex_percpu_buf(const void *values, size_t value_size, int *cpus)
{
	char *buf;

	*cpus = rex_num_possible_cpus();
	if (*cpus < 0)
		return NULL;
	if (!values || !value_size) {
		*cpus = -EINVAL;
		return NULL;
	}
	buf = calloc(*cpus, rex_percpu_stride(value_size));
	if (!buf)
		*cpus = -ENOMEM;
	return buf;
}

int rex_map_lookup_percpu(int fd, const void *key, void *values, size_t value_size)
{
	size_t stride = rex_percpu_stride(value_size);
	int cpus, err, i;
	char *buf;

	buf = rex_percpu_buf(values, value_size, &cpus);
	if (!buf)
		return cpus;
	err = rex_map_lookup_elem(fd, key, buf);
	if (!err)
		for (i = 0; i < cpus; i++)
			memcpy((char *)values + i * value_size, buf + i * stride, value_size);
	free(buf);
	return err;
}

int rex_map_update_percpu(int fd, const void *key, const void *values, size_t value_size,
			  __u64 flags)
{
	size_t stride = rex_percpu_stride(value_size);
	int cpus, err, i;
	char *buf;

	buf = rex_percpu_buf(values, value_size, &cpus);
	if (!buf)
		return cpus;
	for (i = 0; i < cpus; i++)
		memcpy(buf + i * stride, (const char *)values + i * value_size, value_size);
	err = rex_map_update_elem(fd, key, buf, flags);
	free(buf);
	return err;
}
