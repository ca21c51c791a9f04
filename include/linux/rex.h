/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rex: natively compiled kernel extensions run through BPF attach points.
 *
 * A Rex program is a struct bpf_prog whose code is a relocatable ELF
 * image loaded by the kernel instead of eBPF bytecode.  This header is the
 * interface between the BPF core and kernel/rex/.
 */
#ifndef _LINUX_REX_H
#define _LINUX_REX_H

#include <linux/bpf.h>
#include <linux/types.h>

struct bpf_log_attr;

#ifdef CONFIG_REX
int rex_prog_check_attr(const union bpf_attr *attr);
int rex_prog_load(struct bpf_prog *prog, const union bpf_attr *attr,
		  struct bpf_log_attr *attr_log);
void rex_prog_free(struct bpf_prog *prog);
#else
static inline int rex_prog_check_attr(const union bpf_attr *attr)
{
	return -EINVAL;
}

static inline int rex_prog_load(struct bpf_prog *prog,
				const union bpf_attr *attr,
				struct bpf_log_attr *attr_log)
{
	return -EINVAL;
}

static inline void rex_prog_free(struct bpf_prog *prog)
{
}
#endif /* CONFIG_REX */

#endif /* _LINUX_REX_H */
