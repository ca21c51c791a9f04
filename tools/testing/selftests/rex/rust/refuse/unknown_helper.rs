// SPDX-License-Identifier: GPL-2.0
// A helper the allowlist does not have.
// expect: cannot find function `send_signal` in module `rex::helpers`
#![no_std]

rex::license!("GPL");
rex::kprobe! {
    fn refuse_helper(_ctx: &mut rex::Kprobe) -> u32 {
        let _ = rex::helpers::send_signal(9);
        0
    }
}
