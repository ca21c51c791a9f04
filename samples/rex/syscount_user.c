// SPDX-License-Identifier: GPL-2.0
/*
 * syscount: count the system calls of every process for a while, then
 * show the processes that made the most.
 *
 *   syscount [syscount.rex [seconds]]
 */
#include "rex_sample.h"

struct entry {
	__u32 tgid;
	__u64 count;
};

static int by_count(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct rex_object *obj = sample_load(argc > 1 ? argv[1] : "syscount.rex");
	int secs = argc > 2 ? atoi(argv[2]) : 1, fd = sample_map(obj, "COUNTS"), n = 0, i;
	struct entry e[1024];
	__u32 key, next, *prev = NULL;
	struct rex_link *link;

	link = rex_program__attach_tracepoint(sample_prog(obj), "raw_syscalls", "sys_enter");
	sample_attached(link, "tracepoint");
	sleep(secs);
	rex_link__destroy(link);
	while (n < 1024 && !rex_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		e[n].tgid = key;
		if (!rex_map_lookup_elem(fd, &key, &e[n].count))
			n++;
	}
	qsort(e, n, sizeof(e[0]), by_count);
	printf("%8s %10s  %s\n", "TGID", "SYSCALLS", "COMM");
	for (i = 0; i < n && i < 10; i++) {
		char path[64], comm[32] = "?";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%u/comm", e[i].tgid);
		f = fopen(path, "r");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = 0;
			fclose(f);
		}
		printf("%8u %10llu  %s\n", e[i].tgid, (unsigned long long)e[i].count, comm);
	}
	rex_object__close(obj);
	return n ? 0 : 1;
}
