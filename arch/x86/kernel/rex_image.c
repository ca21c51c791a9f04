// SPDX-License-Identifier: GPL-2.0
/*
 * Rex images on x86-64: how their calls into the kernel are bound, and the
 * thunks of the kernel's speculative-execution mitigations they import.
 *
 * An image is a shared object: it calls what it imports (helpers, the
 * stack check, rex_panic() and the mitigation thunks) through its PLT,
 * whose entries jump through a GOT slot, an indirect branch.  On a kernel
 * built with retpolines that would be an unprotected indirect jump per
 * helper call, and under IBT/FineIBT its target would have to be a valid
 * indirect branch target.  So once the GOT is relocated, the loader makes
 * every PLT entry a direct jump to the slot's value (or the instruction
 * the thunk stands for): calls from an image into the kernel are direct,
 * as calls from a module are, and need no retpoline, ENDBR or kCFI hash.
 *
 * Images for a mitigated kernel are compiled with the kernel's own
 * mitigation flags (rex-build.sh reads them from the kernel build): the
 * indirect branches of the image itself go through __x86_indirect_thunk_*,
 * and its returns through __x86_return_thunk, both imports.  As
 * module_finalize() patches a module's call sites, the loader binds them to
 * what the running kernel chose: the return thunk of the mitigation in
 * force, or a plain return where the CPU needs none; the kernel's retpoline
 * thunk of the register (or its ITS-safe copy), which the kernel's
 * alternatives already turned into what this CPU needs.
 *
 * The one call the other way, from the kernel into an image's entry, is
 * rex_arch_call().  With kCFI it checks the entry's type hash, which every
 * entry must carry: entries all have the type unsigned int (const void *ctx).
 */

#include <linux/cfi_types.h>
#include <linux/errno.h>
#include <linux/cache.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <asm/alternative.h>
#include <asm/cpufeature.h>
#include <asm/nospec-branch.h>
#include <asm/rex_runtime.h>
#include <asm/text-patching.h>

/*
 * The kCFI type hash of the entry type, unsigned int (const void *ctx), in
 * front of every image's entry (rex_arch_entry_typed()); rex_arch_call()
 * checks it at every call.  It is the hash the compiler computes, from a
 * declaration of that type that nothing defines: the kernel may rehash its
 * own functions and call sites at boot (cfi_rehash()), images keep theirs.
 */
#ifdef CONFIG_CFI
unsigned int __rex_entryX(const void *ctx);
DEFINE_CFI_TYPE(rex_entry_hash, __rex_entryX);
#else
u32 rex_entry_hash __ro_after_init;
#endif

/**
 * rex_arch_entry_typed() - does an image's entry carry the entry type's hash?
 * @entry: the entry, as mapped
 * @room: how many bytes of the image's text come before it
 * @hash: set to the hash it carries, 0 if none
 *
 * With kCFI, the compiler puts "movl $hash, %reg" in front of every
 * function that may be called indirectly; images have no function padding,
 * so the hash is in the four bytes before the entry.
 *
 * Return: true if it is rex_entry_hash, the hash of unsigned int (const
 * void *ctx), or the kernel has no kCFI.
 */
bool rex_arch_entry_typed(const u8 *entry, u64 room, u32 *hash)
{
	*hash = 0;
	if (!IS_ENABLED(CONFIG_CFI))
		return true;
	if (room >= 5 && (entry[-5] & 0xf8) == 0xb8)
		*hash = get_unaligned((u32 *)(entry - 4));
	return *hash && *hash == rex_entry_hash;
}

/* The registers of __x86_indirect_thunk_<reg>, by instruction encoding. */
static const char *const thunk_regs[] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/**
 * rex_arch_import() - resolve an import that is part of the arch's ABI
 * @name: the import's name
 * @addr: set to what the import stands for
 * @rethunk: set if @name is the return thunk
 *
 * "__x86_return_thunk" is the return thunk of the mitigation in force, or
 * rex_arch_ret (a plain return, which rex_arch_plt_bind() writes in place)
 * if this CPU needs none; "__x86_indirect_thunk_<reg>" is the kernel's
 * retpoline thunk of <reg>, or its ITS-safe copy if the kernel uses those.
 *
 * Return: 0 if @name is one of them, -ENOENT if it is not, -EOPNOTSUPP if
 * it is a thunk this kernel does not have (built without retpolines).
 */
int rex_arch_import(const char *name, u64 *addr, bool *rethunk)
{
	unsigned int reg;

	if (!strcmp(name, "__x86_return_thunk")) {
		*rethunk = true;
		if (rex_arch_needs_rethunk())
			*addr = (unsigned long)x86_return_thunk;
		else
			*addr = (unsigned long)rex_arch_ret;
		return 0;
	}
	if (!str_has_prefix(name, "__x86_indirect_thunk_"))
		return -ENOENT;
	for (reg = 0; reg < ARRAY_SIZE(thunk_regs); reg++) {
		if (reg == 4 || strcmp(name + strlen("__x86_indirect_thunk_"), thunk_regs[reg]))
			continue;
		if (!IS_ENABLED(CONFIG_MITIGATION_RETPOLINE))
			return -EOPNOTSUPP;
#ifdef CONFIG_MITIGATION_RETPOLINE
		if (cpu_feature_enabled(X86_FEATURE_INDIRECT_THUNK_ITS))
			*addr = (unsigned long)its_static_thunk(reg);
		else
			*addr = (unsigned long)&__x86_indirect_thunk_array[reg];
#endif
		return 0;
	}
	return -ENOENT;
}

/**
 * rex_arch_needs_rethunk() - must images return through the return thunk?
 *
 * Return: true if the kernel was built with return thunks and this CPU
 * needs them: an image that returns with a plain RET would undo the
 * mitigation, and is refused.
 */
bool rex_arch_needs_rethunk(void)
{
	return IS_ENABLED(CONFIG_MITIGATION_RETHUNK) && cpu_wants_rethunk();
}

/**
 * rex_arch_plt_got() - the GOT slot a PLT entry of an image jumps through
 * @entry: the entry, REX_PLT_ENTRY bytes as mapped
 * @vaddr: its address in the image
 *
 * Entries are "jmp *slot(%rip)", optionally after ENDBR64 and with a BND
 * prefix (the IBT PLT of .plt.sec); the lazy-binding entries of .plt that
 * an IBT PLT has besides are no jumps through a slot.
 *
 * Return: the slot's address in the image, or 0 if @entry jumps through
 * none.
 */
u64 rex_arch_plt_got(const u8 *entry, u64 vaddr)
{
	unsigned int i = 0;

	/* ENDBR64, whether or not this kernel uses IBT. */
	if (!memcmp(entry, "\xf3\x0f\x1e\xfa", 4))
		i += 4;
	if (entry[i] == 0xf2)
		i++;
	if (entry[i] != 0xff || entry[i + 1] != 0x25)
		return 0;
	return vaddr + i + 6 + (s64)(s32)get_unaligned((u32 *)(entry + i + 2));
}

/**
 * rex_arch_plt_bind() - make a PLT entry of an image a direct jump
 * @entry: the entry, REX_PLT_ENTRY bytes, mapped but not yet executable
 * @target: the value its GOT slot was relocated to
 *
 * Writes "jmp @target" (or "ret" for rex_arch_ret), padded with INT3.
 * Images live in the module area, within reach of a rel32 jump of the
 * kernel's text.
 *
 * Return: 0, or -ERANGE if @target is out of reach.
 */
int rex_arch_plt_bind(u8 *entry, u64 target)
{
	s64 disp = target - ((unsigned long)entry + JMP32_INSN_SIZE);

	memset(entry, INT3_INSN_OPCODE, REX_PLT_ENTRY);
	if (target == (unsigned long)rex_arch_ret) {
		entry[0] = RET_INSN_OPCODE;
		return 0;
	}
	if (disp != (s32)disp)
		return -ERANGE;
	entry[0] = JMP32_INSN_OPCODE;
	put_unaligned((s32)disp, (s32 *)(entry + 1));
	return 0;
}
