// SPDX-License-Identifier: GPL-2.0
/*
 * perf_sampler: sample every CPU with a cpu-clock perf event for a while
 * and show the stack seen most, kernel addresses symbolized with
 * /proc/kallsyms.
 *
 *   perf_sampler [perf_sampler.rex [seconds]]
 */
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include "rex_sample.h"

#define MAX_CPUS	64
#define DEPTH		32

/* The kallsyms symbol at or below @addr, or "?". */
static const char *symbol(unsigned long long addr, char *buf, size_t len)
{
	unsigned long long a, best = 0;
	char type, name[256];
	FILE *f = fopen("/proc/kallsyms", "r");

	snprintf(buf, len, "0x%llx", addr);
	while (f && fscanf(f, "%llx %c %255s%*[^\n]", &a, &type, name) == 3)
		if (a <= addr && a > best) {
			best = a;
			snprintf(buf, len, "%s+0x%llx", name, addr - a);
		}
	if (f)
		fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	struct rex_object *obj = sample_load(argc > 1 ? argv[1] : "perf_sampler.rex");
	int secs = argc > 2 ? atoi(argv[2]) : 1, counts = sample_map(obj, "COUNTS");
	int stacks = sample_map(obj, "STACKS"), ncpu = sysconf(_SC_NPROCESSORS_ONLN), cpu, i;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1000000,
	};
	struct rex_link *link[MAX_CPUS] = {};
	__u32 key, next, *prev = NULL, best = ~0U;
	__u64 n, most = 0, total = 0, ips[DEPTH];
	char sym[300];

	for (cpu = 0; cpu < ncpu && cpu < MAX_CPUS; cpu++) {
		int pfd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, 0);

		if (pfd < 0) {
			perror("perf_event_open");
			return 1;
		}
		link[cpu] = rex_program__attach_perf_event(sample_prog(obj), pfd);
		sample_attached(link[cpu], "perf event");
	}
	sleep(secs);
	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		if (link[cpu])
			rex_link__destroy(link[cpu]);
	while (!rex_map_get_next_key(counts, prev, &next)) {
		key = next;
		prev = &key;
		if (rex_map_lookup_elem(counts, &key, &n))
			continue;
		total += n;
		if (key != ~0U && n > most) {
			most = n;
			best = key;
		}
	}
	printf("%llu samples; the most frequent stack (%llu samples):\n",
	       (unsigned long long)total, (unsigned long long)most);
	if (best != ~0U && !rex_map_lookup_elem(stacks, &best, ips))
		for (i = 0; i < DEPTH && ips[i]; i++)
			printf("  %s\n", symbol(ips[i], sym, sizeof(sym)));
	rex_object__close(obj);
	return total ? 0 : 1;
}
