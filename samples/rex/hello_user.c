// SPDX-License-Identifier: GPL-2.0
/*
 * hello: load hello.rex, attach it to raw_syscalls:sys_enter for this
 * process, make a system call and show what the program wrote to the
 * trace buffer.
 *
 *   hello [hello.rex]
 */
#include <sys/syscall.h>

#include "rex_sample.h"

int main(int argc, char **argv)
{
	struct rex_object *obj = sample_load(argc > 1 ? argv[1] : "hello.rex");
	__u64 me = getpid();
	struct rex_link *link;
	__u32 zero = 0;
	char line[512];
	int found = 0;
	FILE *f;

	rex_map_update_elem(sample_map(obj, "TARGET"), &zero, &me, 0);
	link = rex_program__attach_tracepoint(sample_prog(obj), "raw_syscalls", "sys_enter");
	sample_attached(link, "tracepoint");
	syscall(SYS_getppid);
	rex_link__destroy(link);

	f = fopen("/sys/kernel/tracing/trace", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "hello from Rust")) {
			fputs(line, stdout);
			found++;
		}
	if (f)
		fclose(f);
	rex_object__close(obj);
	return found ? 0 : 1;
}
