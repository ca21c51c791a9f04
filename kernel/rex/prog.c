// SPDX-License-Identifier: GPL-2.0
/*
 * Rex programs as BPF programs: BPF_PROG_LOAD with BPF_F_REX and the free
 * path.  Their bpf_func is the dispatcher, rex_run() (runtime.c).
 */

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/filter.h>
#include <linux/kernel_read_file.h>
#include <linux/ratelimit.h>
#include <linux/rex.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <crypto/sha2.h>

#include "rex.h"

/**
 * rex_prog_check_attr() - privilege and shape checks of a Rex BPF_PROG_LOAD
 * @attr: the BPF_PROG_LOAD attributes, with BPF_F_REX set in prog_flags
 * @from_kernel: the attributes come from the kernel (bpf_sys_bpf(), that is
 *               from a BPF program), not from user space
 *
 * Called by bpf_prog_load() in place of its instruction count check.  A Rex
 * program is native kernel code: loading one needs CAP_SYS_ADMIN in the
 * initial user namespace (which BPF also accepts in place of each program
 * type's own capability), cannot be delegated through a BPF token or to a
 * BPF program, and, without a signature, is refused under lockdown (a
 * signed load goes on, and is refused if its signature is not valid).
 *
 * Return: 0 if the load may proceed, -EPERM or -EINVAL otherwise.
 */
int rex_prog_check_attr(const union bpf_attr *attr, bool from_kernel)
{
	int err;

	if (from_kernel || (attr->prog_flags & BPF_F_TOKEN_FD) || !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!attr->signature) {
		err = security_locked_down(LOCKDOWN_REX_UNSIGNED);
		if (err)
			return err;
	}
	if (attr->insn_cnt || attr->insns)
		return -EINVAL;
	return 0;
}

/* Attach types each supported program type may be loaded for. */
static bool prog_type_supported(const union bpf_attr *attr)
{
	switch (attr->prog_type) {
	case BPF_PROG_TYPE_XDP:
		return !attr->expected_attach_type || attr->expected_attach_type == BPF_XDP;
	case BPF_PROG_TYPE_SCHED_CLS:
		return !attr->expected_attach_type ||
		       attr->expected_attach_type == BPF_TCX_INGRESS ||
		       attr->expected_attach_type == BPF_TCX_EGRESS;
	case BPF_PROG_TYPE_KPROBE:
	case BPF_PROG_TYPE_TRACEPOINT:
	case BPF_PROG_TYPE_PERF_EVENT:
		return !attr->expected_attach_type;
	default:
		return false;
	}
}

/* Attributes that only make sense for bytecode, or are not supported yet. */
static int check_attr(const union bpf_attr *attr, struct bpf_verifier_log *log)
{
	if (!prog_type_supported(attr)) {
		bpf_log(log, "rex: program type %u with expected attach type %u is not supported\n",
			attr->prog_type, attr->expected_attach_type);
		return -EINVAL;
	}
	if (attr->prog_flags & ~(BPF_F_REX | BPF_F_REX_IMAGE_FD)) {
		bpf_log(log, "rex: prog_flags %#x are not supported with BPF_F_REX\n",
			attr->prog_flags & ~(BPF_F_REX | BPF_F_REX_IMAGE_FD));
		return -EINVAL;
	}
	if (attr->prog_btf_fd || attr->func_info_cnt || attr->line_info_cnt ||
	    attr->core_relo_cnt || attr->attach_btf_id || attr->attach_prog_fd ||
	    attr->prog_ifindex) {
		bpf_log(log, "rex: BTF, attach target and offload attributes are not supported\n");
		return -EINVAL;
	}
	if (!attr->signature && (attr->signature_size || attr->keyring_id)) {
		bpf_log(log, "rex: signature_size and keyring_id need a signature\n");
		return -EINVAL;
	}
	if (!attr->rex_entry) {
		bpf_log(log, "rex: rex_entry is required\n");
		return -EINVAL;
	}
	if (attr->prog_flags & BPF_F_REX_IMAGE_FD) {
		if (!attr->rex_image && !attr->rex_image_size)
			return 0;
		bpf_log(log, "rex: BPF_F_REX_IMAGE_FD needs rex_image and rex_image_size zero\n");
		return -EINVAL;
	}
	if (attr->rex_image_fd) {
		bpf_log(log, "rex: rex_image_fd needs BPF_F_REX_IMAGE_FD\n");
		return -EINVAL;
	}
	if (!attr->rex_image) {
		bpf_log(log, "rex: rex_image or BPF_F_REX_IMAGE_FD is required\n");
		return -EINVAL;
	}
	if (!attr->rex_image_size || attr->rex_image_size > REX_IMAGE_SIZE_MAX) {
		bpf_log(log, "rex: image size %u is not in 1..%u\n", attr->rex_image_size,
			REX_IMAGE_SIZE_MAX);
		return -E2BIG;
	}
	return 0;
}

/* Make the program's text known to kallsyms, so that traces and perf name it. */
static void ksym_add(struct bpf_prog *prog)
{
	struct bpf_ksym *ksym = &prog->aux->ksym;
	const struct rex_image *img = &prog->aux->rex->image;

	ksym->start = (unsigned long)img->text;
	ksym->end = ksym->start + img->text_size;
	/* Rex programs keep frame pointers (-fno-omit-frame-pointer). */
	ksym->fp_start = 0;
	ksym->fp_end = img->text_size;
	if (prog->aux->name[0])
		snprintf(ksym->name, KSYM_NAME_LEN, "bpf_prog_%*phN_%s",
			 (int)sizeof(prog->tag), prog->tag, prog->aux->name);
	else
		snprintf(ksym->name, KSYM_NAME_LEN, "bpf_prog_%*phN",
			 (int)sizeof(prog->tag), prog->tag);
	ksym->prog = true;
	bpf_ksym_add(ksym);
}

/* Why kernel_read_file() refused the image file. */
static void log_read_error(struct bpf_verifier_log *log, ssize_t err)
{
	switch (err) {
	case -EFBIG:
		bpf_log(log, "rex: image file is larger than %u bytes\n", REX_IMAGE_SIZE_MAX);
		break;
	case -ETXTBSY:
		bpf_log(log, "rex: image file is open for writing\n");
		break;
	case -EINVAL:
		bpf_log(log, "rex: rex_image_fd is not a non-empty regular file\n");
		break;
	default:
		bpf_log(log, "rex: image file unreadable (%zd), refused by IMA or an LSM?\n", err);
	}
}

/*
 * The one and only read of the image, into *@image (kvfree() it): from
 * rex_image_fd as finit_module() reads a module, so that IMA and the LSMs
 * see, measure, appraise or refuse the file (READING_REX); or from user
 * memory, which they see as LOADING_REX and may refuse as they may refuse
 * init_module().  Returns the image size or a negative errno.
 */
static ssize_t read_image(const union bpf_attr *attr, struct bpf_verifier_log *log,
			  void **image)
{
	size_t size = attr->rex_image_size;
	ssize_t ret;

	if (attr->prog_flags & BPF_F_REX_IMAGE_FD) {
		CLASS(fd, f)(attr->rex_image_fd);

		if (fd_empty(f) || !(fd_file(f)->f_mode & FMODE_READ)) {
			bpf_log(log, "rex: rex_image_fd %d is not a file open for reading\n",
				attr->rex_image_fd);
			return -EBADF;
		}
		ret = kernel_read_file(fd_file(f), 0, image, REX_IMAGE_SIZE_MAX, NULL,
				       READING_REX);
		if (ret < 0)
			log_read_error(log, ret);
		return ret;
	}

	ret = security_kernel_load_data(LOADING_REX, true);
	if (ret) {
		bpf_log(log, "rex: an LSM refused the image from memory (%zd)\n", ret);
		return ret;
	}
	*image = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!*image)
		return -ENOMEM;
	if (copy_from_user(*image, u64_to_user_ptr(attr->rex_image), size))
		return -EFAULT;
	ret = security_kernel_post_load_data(*image, size, LOADING_REX, "rex_image");
	if (ret) {
		bpf_log(log, "rex: an LSM refused the image (%zd)\n", ret);
		return ret;
	}
	return size;
}

static int load(struct bpf_prog *prog, const union bpf_attr *attr,
		struct bpf_verifier_log *log)
{
	struct rex_load ld = { .prog = prog, .attr = attr, .log = log };
	struct rex_prog *rex;
	char *entry = NULL;
	void *image = NULL;
	ssize_t size;
	long len;
	int err;

	err = check_attr(attr, log);
	if (err)
		return err;
	/* See rex_prog_set_entry(). */
	if (WARN_ON_ONCE((size_t)prog->pages * PAGE_SIZE <
			 offsetof(struct bpf_prog, insnsi) + sizeof(rex_entry_t)))
		return -EFAULT;
	err = rex_trust_policy(attr, log);
	if (err)
		return err;
	/* The first load allocates the Rex stacks. */
	err = rex_runtime_get();
	if (err) {
		bpf_log(log, "rex: cannot set up the Rex stacks and watchdog (%d)\n", err);
		return err;
	}

	entry = kmalloc(REX_ENTRY_NAME_MAX, GFP_KERNEL);
	rex = kzalloc_obj(*rex, GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!entry || !rex)
		goto out;

	len = strncpy_from_user(entry, u64_to_user_ptr(attr->rex_entry), REX_ENTRY_NAME_MAX);
	if (len < 0) {
		err = len;
		goto out;
	}
	if (len == 0 || len == REX_ENTRY_NAME_MAX) {
		bpf_log(log, "rex: entry symbol name is empty or longer than %u bytes\n",
			REX_ENTRY_NAME_MAX - 1);
		err = -EINVAL;
		goto out;
	}

	size = read_image(attr, log, &image);
	if (size < 0) {
		err = size;
		goto out;
	}
	/* Over the bytes that will be mapped. */
	err = rex_sig_verify(prog, image, size, attr, log);
	if (err)
		goto out;

	/*
	 * The program's hash is the image's: what a map exclusive to one
	 * program (BPF_MAP_CREATE's excl_prog_hash) is checked against; its
	 * tag is the start of it.
	 */
	sha256(image, size, prog->digest);

	ratelimit_state_init(&rex->abort_rs, 5 * HZ, 10);
	ld.rex = rex;
	err = rex_image_load(&rex->image, image, size, entry, &ld);
	if (err)
		goto out;

	prog->aux->rex = rex;
	rex_prog_set_entry(prog);
	ksym_add(prog);
	rex_watchdog_get();
	rex_trust_loaded(prog);
	rex = NULL;
out:
	if (rex)
		kfree(rex->maps);
	kfree(rex);
	kvfree(image);
	kfree(entry);
	return err;
}

/**
 * rex_prog_load() - load the native image of a Rex program
 * @prog: the program being loaded by bpf_prog_load()
 * @attr: the BPF_PROG_LOAD attributes
 * @attr_log: where load errors are reported, as for the verifier
 *
 * Takes the place of the verifier and JIT for programs loaded with
 * BPF_F_REX: copies the image from user memory once, validates, maps and
 * relocates it, and points @prog's bpf_func at the Rex dispatcher.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, a negative errno otherwise, with a one-line
 * reason in the log.  On failure nothing is attached to @prog.
 */
int rex_prog_load(struct bpf_prog *prog, const union bpf_attr *attr,
		  struct bpf_log_attr *attr_log)
{
	struct bpf_verifier_log *log;
	int err, ret;

	log = kzalloc_obj(*log, GFP_KERNEL);
	if (!log)
		return -ENOMEM;
	err = bpf_vlog_init(log, attr_log->level, attr_log->ubuf, attr_log->size);
	if (!err)
		err = load(prog, attr, log);

	/* Keep the load error even when finalizing the log succeeds. */
	ret = bpf_log_attr_finalize(attr_log, log);
	if (ret && !err) {
		rex_prog_free(prog);
		err = ret;
	}
	kfree(log);
	return err;
}

/**
 * rex_prog_free() - release the Rex part of a program
 * @prog: a BPF program, Rex or not
 *
 * Called from the BPF free path before the JIT image is released.
 *
 * Context: process context, may sleep.
 */
void rex_prog_free(struct bpf_prog *prog)
{
	struct rex_prog *rex = prog->aux->rex;

	if (!rex)
		return;
	/* kallsyms readers may still look at the symbol and the text */
	bpf_ksym_del(&prog->aux->ksym);
	synchronize_rcu();
	rex_image_free(&rex->image);
	rex_watchdog_put();
	kfree(rex->maps);
	kfree(rex);
	prog->aux->rex = NULL;
}

/**
 * rex_prog_fill_info() - the native-code part of bpf_prog_info
 * @prog: a Rex program
 * @info: the information bpf_prog_get_info_by_fd() is filling in
 * @cred: credentials of the file the program is reached through
 *
 * Takes the place of the JIT image fields for a Rex program: the program's
 * text is reported as its one JITed function, so that "bpftool prog dump
 * jited" shows the native code and perf can annotate it.  Addresses and
 * code are given only where bpf_dump_raw_ok() allows raw dumps.
 *
 * Return: 0 on success, -EFAULT if user memory cannot be written.
 */
int rex_prog_fill_info(const struct bpf_prog *prog, struct bpf_prog_info *info,
		       const struct cred *cred)
{
	const struct rex_image *img = &prog->aux->rex->image;
	u32 len = img->text_size;
	u32 ulen;

	ulen = info->jited_prog_len;
	info->jited_prog_len = len;
	if (ulen && info->jited_prog_insns) {
		if (!bpf_dump_raw_ok(cred))
			info->jited_prog_insns = 0;
		else if (copy_to_user(u64_to_user_ptr(info->jited_prog_insns), img->text,
				      min(len, ulen)))
			return -EFAULT;
	}

	ulen = info->nr_jited_ksyms;
	info->nr_jited_ksyms = 1;
	if (ulen && info->jited_ksyms) {
		if (!bpf_dump_raw_ok(cred))
			info->jited_ksyms = 0;
		else if (put_user((u64)(unsigned long)img->text,
				  (u64 __user *)u64_to_user_ptr(info->jited_ksyms)))
			return -EFAULT;
	}

	ulen = info->nr_jited_func_lens;
	info->nr_jited_func_lens = 1;
	if (ulen && info->jited_func_lens) {
		if (!bpf_dump_raw_ok(cred))
			info->jited_func_lens = 0;
		else if (put_user(len, (u32 __user *)u64_to_user_ptr(info->jited_func_lens)))
			return -EFAULT;
	}
	return 0;
}

/**
 * rex_prog_show_fdinfo() - Rex lines of a program's fdinfo
 * @m: the fdinfo file
 * @prog: a BPF program, Rex or not
 */
void rex_prog_show_fdinfo(struct seq_file *m, const struct bpf_prog *prog)
{
	const struct rex_prog *rex = prog->aux->rex;

	if (!rex)
		return;
	seq_printf(m, "rex:\t1\nrex_image_pages:\t%zu\nrex_text_bytes:\t%zu\n"
		   "rex_panics:\t%lld\nrex_stack_overflows:\t%lld\nrex_timeouts:\t%lld\n"
		   "rex_traps:\t%lld\nrex_leaks:\t%lld\n",
		   rex->image.size >> PAGE_SHIFT, rex->image.text_size,
		   atomic64_read(&rex->aborts[REX_ABORT_PANIC]),
		   atomic64_read(&rex->aborts[REX_ABORT_STACK]),
		   atomic64_read(&rex->aborts[REX_ABORT_TIMEOUT]),
		   atomic64_read(&rex->aborts[REX_ABORT_TRAP]),
		   atomic64_read(&rex->leaks));
	/* 1 for a signature verified at load; the keyring's serial, if a user's. */
	seq_printf(m, "rex_signed:\t%d\n", prog->aux->sig.verdict == BPF_SIG_VERIFIED);
	if (prog->aux->sig.keyring_type == BPF_SIG_KEYRING_USER)
		seq_printf(m, "rex_keyring:\t%d\n", prog->aux->sig.keyring_serial);
}

/**
 * rex_prog_ksymbol() - text range perf reports for a program
 * @prog: a Rex program
 * @addr: set to the start of the program's text
 *
 * Return: the size of the program's text in bytes.
 */
u32 rex_prog_ksymbol(const struct bpf_prog *prog, unsigned long *addr)
{
	*addr = prog->aux->ksym.start;
	return prog->aux->ksym.end - prog->aux->ksym.start;
}
