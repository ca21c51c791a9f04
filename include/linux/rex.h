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

/**
 * enum rex_abort_reason - why a program was left before it returned
 * @REX_ABORT_PANIC: it called rex_panic()
 * @REX_ABORT_STACK: it overflowed its Rex stack
 * @REX_ABORT_TIMEOUT: it ran past its budget and was stopped
 * @REX_ABORT_TRAP: it hit a trap instruction in its text: a failed kCFI
 *                  type check, or code its compiler made unreachable
 * @REX_ABORT_NR: number of reasons
 */
enum rex_abort_reason {
	REX_ABORT_PANIC,
	REX_ABORT_STACK,
	REX_ABORT_TIMEOUT,
	REX_ABORT_TRAP,
	REX_ABORT_NR,
};

struct bpf_log_attr;
struct cred;
struct seq_file;

/**
 * bpf_prog_is_rex() - is @prog a natively compiled Rex program?
 * @prog: a BPF program
 *
 * Return: true for programs loaded with BPF_F_REX.
 */
static inline bool bpf_prog_is_rex(const struct bpf_prog *prog)
{
	return IS_ENABLED(CONFIG_REX) && prog->aux->rex;
}

#ifdef CONFIG_REX
int rex_prog_check_attr(const union bpf_attr *attr, bool from_kernel);
int rex_prog_load(struct bpf_prog *prog, const union bpf_attr *attr,
		  struct bpf_log_attr *attr_log);
void rex_prog_free(struct bpf_prog *prog);
int rex_prog_fill_info(const struct bpf_prog *prog, struct bpf_prog_info *info,
		       const struct cred *cred);
void rex_prog_show_fdinfo(struct seq_file *m, const struct bpf_prog *prog);
u32 rex_prog_ksymbol(const struct bpf_prog *prog, unsigned long *addr);
void rex_prog_audit_load(const struct bpf_prog *prog);
#else
static inline int rex_prog_check_attr(const union bpf_attr *attr,
				      bool from_kernel)
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

static inline int rex_prog_fill_info(const struct bpf_prog *prog,
				     struct bpf_prog_info *info,
				     const struct cred *cred)
{
	return -EINVAL;
}

static inline void rex_prog_show_fdinfo(struct seq_file *m,
					const struct bpf_prog *prog)
{
}

static inline u32 rex_prog_ksymbol(const struct bpf_prog *prog,
				   unsigned long *addr)
{
	*addr = 0;
	return 0;
}

static inline void rex_prog_audit_load(const struct bpf_prog *prog)
{
}
#endif /* CONFIG_REX */

#endif /* _LINUX_REX_H */
