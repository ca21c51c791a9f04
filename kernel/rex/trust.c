// SPDX-License-Identifier: GPL-2.0
/*
 * Who built a Rex image: signatures, and the policy that asks for them.
 *
 * A Rex image is native code.  Its safety rests on the toolchain that
 * built it, so the kernel checks, as it does for modules, that someone it
 * trusts vouches for the exact bytes it will run: a detached PKCS#7
 * signature over the image, passed in BPF_PROG_LOAD's signature fields and
 * checked against the kernel's trusted keyrings, or the keyring keyring_id
 * names.  Signatures are required when CONFIG_REX_SIG_FORCE is set, when
 * rex.sig_enforce is (on the command line, or written once to
 * /sys/module/rex/parameters/sig_enforce), and when module signatures are
 * enforced; unsigned images are refused under lockdown; and a load is
 * refused while module loading is disabled.  An unsigned image taints the
 * kernel as an unsigned module does, one without a GPL-compatible license
 * as a proprietary module does.  Every load is audited with the image's
 * hash and how it was signed.
 */

#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/key.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/panic.h>
#include <linux/slab.h>
#include <linux/verification.h>

#include "rex.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "rex."

static bool sig_enforce = IS_ENABLED(CONFIG_REX_SIG_FORCE);
module_param(sig_enforce, bool_enable_only, 0644);

/* Largest signature accepted, as for eBPF's. */
#define REX_SIG_SIZE_MAX	KMALLOC_MAX_CACHE_SIZE

/* Must images be signed? */
static bool sig_required(void)
{
	return READ_ONCE(sig_enforce) || is_module_sig_enforced();
}

/**
 * rex_trust_policy() - may a load of this kind go on?
 * @attr: the BPF_PROG_LOAD attributes
 * @log: where a refusal is explained
 *
 * Called before the image is read.  Refuses every load while module
 * loading is disabled (kernel.modules_disabled), and unsigned loads while
 * signatures are required.
 *
 * Return: 0, -EPERM or -EKEYREJECTED, with a line in @log.
 */
int rex_trust_policy(const union bpf_attr *attr, struct bpf_verifier_log *log)
{
	if (modules_loading_disabled()) {
		bpf_log(log, "rex: loading is disabled (kernel.modules_disabled)\n");
		return -EPERM;
	}
	if (!attr->signature && sig_required()) {
		bpf_log(log, "rex: image is not signed, and signatures are required (%s)\n",
			READ_ONCE(sig_enforce) ? "rex.sig_enforce" : "module.sig_enforce");
		return -EKEYREJECTED;
	}
	return 0;
}

#ifdef CONFIG_SYSTEM_DATA_VERIFICATION
/*
 * The keyring @id names, as for eBPF signatures, except that 0 means the
 * built-in and secondary keyrings: VERIFY_USE_SECONDARY_KEYRING (which
 * includes the built-in one) and VERIFY_USE_PLATFORM_KEYRING name those
 * system keyrings, any other value the serial of a keyring the caller may
 * search.  Sets *@ref to the reference to drop and *@type to the kind of
 * keyring, for the program's signature state.
 */
static struct key *find_keyring(s32 id, key_ref_t *ref, enum bpf_sig_keyring *type,
				struct bpf_verifier_log *log)
{
	*ref = NULL;
	if (!id || id == (s32)(unsigned long)VERIFY_USE_SECONDARY_KEYRING) {
		*type = BPF_SIG_KEYRING_SECONDARY;
		return VERIFY_USE_SECONDARY_KEYRING;
	}
	if (id == (s32)(unsigned long)VERIFY_USE_PLATFORM_KEYRING) {
		*type = BPF_SIG_KEYRING_PLATFORM;
		return VERIFY_USE_PLATFORM_KEYRING;
	}
	*type = BPF_SIG_KEYRING_USER;
	*ref = lookup_user_key(id, 0, KEY_NEED_SEARCH);
	if (IS_ERR(*ref)) {
		/* As for eBPF signatures: a keyring that cannot be used. */
		bpf_log(log, "rex: keyring %d cannot be searched (%pe)\n", id, *ref);
		*ref = NULL;
		return ERR_PTR(-EINVAL);
	}
	return key_ref_to_ptr(*ref);
}

static const char *verify_error(int err)
{
	switch (err) {
	case -EBADMSG:
		return "is not a valid PKCS#7 signature";
	case -ENOKEY:
		return "is by a key the keyring does not hold";
	case -EKEYREJECTED:
		return "does not match the image";
	case -ENOPKG:
		return "uses an algorithm this kernel does not support";
	default:
		return "cannot be checked";
	}
}

/**
 * rex_sig_verify() - check the signature of an image
 * @prog: the program being loaded, whose signature state is recorded
 * @image: the kernel's copy of the image, the bytes that will be mapped
 * @len: its size
 * @attr: the BPF_PROG_LOAD attributes, with the signature and keyring
 * @log: where a refusal is explained
 *
 * Does nothing for an unsigned load.  Reads the signature from user memory
 * once, and verifies it over @image.
 *
 * Return: 0, or a negative errno with a line in @log: -EINVAL for a
 * signature size out of range, -EBADMSG for a malformed signature,
 * -ENOKEY for a signature by a key the keyring does not hold,
 * -EKEYREJECTED for a signature over other bytes.
 */
int rex_sig_verify(struct bpf_prog *prog, const void *image, size_t len,
		   const union bpf_attr *attr, struct bpf_verifier_log *log)
{
	struct key *key;
	key_ref_t ref;
	enum bpf_sig_keyring type;
	int err;
	void *sig;

	prog->aux->sig.verdict = BPF_SIG_UNSIGNED;
	prog->aux->sig.keyring_type = BPF_SIG_KEYRING_NONE;
	if (!attr->signature)
		return 0;
	if (!attr->signature_size || attr->signature_size > REX_SIG_SIZE_MAX) {
		bpf_log(log, "rex: signature size %u is not in 1..%lu\n", attr->signature_size,
			REX_SIG_SIZE_MAX);
		return -EINVAL;
	}
	sig = memdup_user(u64_to_user_ptr(attr->signature), attr->signature_size);
	if (IS_ERR(sig))
		return PTR_ERR(sig);
	key = find_keyring(attr->keyring_id, &ref, &type, log);
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		goto out;
	}
	err = verify_pkcs7_signature(image, len, sig, attr->signature_size, key,
				     VERIFYING_BPF_SIGNATURE, NULL, NULL);
	if (err) {
		bpf_log(log, "rex: the signature %s (%d)\n", verify_error(err), err);
		goto put;
	}
	prog->aux->sig.verdict = BPF_SIG_VERIFIED;
	prog->aux->sig.keyring_type = type;
	if (type == BPF_SIG_KEYRING_USER)
		prog->aux->sig.keyring_serial = key_serial(key);
put:
	if (ref)
		key_ref_put(ref);
out:
	kfree(sig);
	return err;
}
#else
int rex_sig_verify(struct bpf_prog *prog, const void *image, size_t len,
		   const union bpf_attr *attr, struct bpf_verifier_log *log)
{
	prog->aux->sig.verdict = BPF_SIG_UNSIGNED;
	prog->aux->sig.keyring_type = BPF_SIG_KEYRING_NONE;
	if (!attr->signature)
		return 0;
	bpf_log(log, "rex: signed images need CONFIG_SYSTEM_DATA_VERIFICATION\n");
	return -EOPNOTSUPP;
}
#endif

/**
 * rex_trust_loaded() - a program was loaded: taint as for a module
 * @prog: the program
 *
 * An unsigned image taints the kernel (TAINT_UNSIGNED_MODULE, 'E'), one
 * whose license is not GPL-compatible too (TAINT_PROPRIETARY_MODULE,
 * 'P').  Lockdep stays on: a program takes no lock but through helpers,
 * whose locks lockdep sees.
 */
void rex_trust_loaded(const struct bpf_prog *prog)
{
	if (prog->aux->sig.verdict != BPF_SIG_VERIFIED) {
		pr_notice_once("rex: loading an unsigned image taints the kernel\n");
		add_taint(TAINT_UNSIGNED_MODULE, LOCKDEP_STILL_OK);
	}
	if (!prog->gpl_compatible) {
		pr_notice_once("rex: loading an image without a GPL-compatible license taints the kernel\n");
		add_taint(TAINT_PROPRIETARY_MODULE, LOCKDEP_STILL_OK);
	}
}

static const char *keyring_name(const struct bpf_prog *prog)
{
	switch (prog->aux->sig.keyring_type) {
	case BPF_SIG_KEYRING_SECONDARY:
		return "trusted";
	case BPF_SIG_KEYRING_PLATFORM:
		return "platform";
	case BPF_SIG_KEYRING_USER:
		return "user";
	default:
		return "none";
	}
}

/**
 * rex_prog_audit_load() - audit the load of a Rex program
 * @prog: the program, with its ID
 *
 * Called by bpf_prog_load() after the BPF LOAD record: an AUDIT_REX record
 * with the program's ID, the image's SHA-256, whether it was signed and
 * the keyring that held the key ("trusted" for the built-in and secondary
 * keyrings, "platform", or "user" with the keyring's serial).
 */
void rex_prog_audit_load(const struct bpf_prog *prog)
{
	struct audit_buffer *ab;

	if (audit_enabled == AUDIT_OFF)
		return;
	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_REX);
	if (!ab)
		return;
	audit_log_format(ab, "prog-id=%u op=LOAD sha256=%*phN signed=%d keyring=%s",
			 prog->aux->id, (int)sizeof(prog->digest), prog->digest,
			 prog->aux->sig.verdict == BPF_SIG_VERIFIED, keyring_name(prog));
	if (prog->aux->sig.keyring_type == BPF_SIG_KEYRING_USER)
		audit_log_format(ab, " keyring-id=%d", prog->aux->sig.keyring_serial);
	audit_log_end(ab);
}
