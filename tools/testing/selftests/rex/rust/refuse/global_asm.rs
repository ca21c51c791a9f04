// SPDX-License-Identifier: GPL-2.0
// Assembly, which the compiler does not check.
// expect: usage of `core::arch::global_asm`
#![no_std]

rex::license!("GPL");
core::arch::global_asm!(".globl refuse_asm2", "refuse_asm2: ret");

rex::kprobe! {
    fn refuse_asm(_ctx: &mut rex::Kprobe) -> u32 {
        0
    }
}
