// SPDX-License-Identifier: GPL-2.0
// Kernel memory read as a function pointer, then called.
// expect: fn(): rex::Pod` is not satisfied
#![no_std]

rex::license!("GPL");
rex::kprobe! {
    fn refuse_probe_read_fn(ctx: &mut rex::Kprobe) -> u32 {
        let _ = ctx;
        if let Ok(f) = rex::helpers::probe_read_kernel::<fn()>(0x1000) {
            f();
        }
        0
    }
}
