/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the sample loaders share: open and load an image with librex,
 * reporting the kernel's log when the load fails.
 */
#ifndef __REX_SAMPLE_H
#define __REX_SAMPLE_H

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "librex.h"

/*
 * Open and load the image @path; exits with a message on failure.  The
 * kernel reads the image from the file, so that IMA and the LSMs see it,
 * and checks the signature in @path.p7s if there is one (rex-build.sh
 * --sign writes it).
 */
static inline struct rex_object *sample_load(const char *path)
{
	struct rex_object_open_opts opts = { .sz = sizeof(opts), .image_fd = true };
	char sig[4096];
	struct rex_object *obj;
	int err;

	snprintf(sig, sizeof(sig), "%s.p7s", path);
	if (!access(sig, R_OK))
		opts.signature_path = sig;
	obj = rex_object__open_file_opts(path, &opts);

	if (!obj) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	err = rex_object__load(obj);
	if (err) {
		fprintf(stderr, "%s: load: %s\n%s", path, strerror(-err), rex_object__log(obj));
		exit(1);
	}
	return obj;
}

/* The map @name of @obj; exits if there is none. */
static inline int sample_map(struct rex_object *obj, const char *name)
{
	int fd = rex_object__find_map_fd_by_name(obj, name);

	if (fd < 0) {
		fprintf(stderr, "no map %s\n", name);
		exit(1);
	}
	return fd;
}

/* The ifindex of the device @name; exits if there is none. */
static inline int sample_ifindex(const char *name)
{
	int ifindex = if_nametoindex(name);

	if (!ifindex) {
		fprintf(stderr, "%s: %s\n", name, strerror(errno));
		exit(1);
	}
	return ifindex;
}

/* The first program of @obj. */
static inline struct rex_program *sample_prog(struct rex_object *obj)
{
	return rex_object__next_program(obj, NULL);
}

/* Exit with a message if @link, an attachment of @what, is NULL. */
static inline void sample_attached(const struct rex_link *link, const char *what)
{
	if (!link) {
		fprintf(stderr, "attach %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

#endif /* __REX_SAMPLE_H */
