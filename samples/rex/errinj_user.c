// SPDX-License-Identifier: GPL-2.0
/*
 * errinj: make getppid() fail with an errno of your choice in this
 * process, by a kprobe on the system call that overrides its return.
 *
 *   errinj [errinj.rex [errno]]
 */
#include <sys/syscall.h>

#include "rex_sample.h"

static void set(int fd, __u32 key, __u64 v)
{
	rex_map_update_elem(fd, &key, &v, 0);
}

int main(int argc, char **argv)
{
	struct rex_object *obj = sample_load(argc > 1 ? argv[1] : "errinj.rex");
	int err = argc > 2 ? atoi(argv[2]) : EACCES, cfg = sample_map(obj, "CFG");
	struct rex_link *link;
	long ret;

	set(cfg, 0, getpid());
	set(cfg, 1, err);
	printf("getppid() = %ld\n", syscall(SYS_getppid));
	link = rex_program__attach_kprobe(sample_prog(obj), false, "__x64_sys_getppid");
	sample_attached(link, "kprobe");
	errno = 0;
	ret = syscall(SYS_getppid);
	printf("with errinj: getppid() = %ld (%s)\n", ret, strerror(errno));
	rex_link__destroy(link);
	printf("detached: getppid() = %ld\n", syscall(SYS_getppid));
	rex_object__close(obj);
	return ret == -1 && errno == err ? 0 : 1;
}
