// SPDX-License-Identifier: GPL-2.0
// A language feature outside stable Rust.
// expect: the feature `core_intrinsics` is not in the list of allowed features
#![no_std]
#![feature(core_intrinsics)]

rex::license!("GPL");

rex::kprobe! {
    fn refuse_feature(_ctx: &mut rex::Kprobe) -> u32 {
        0
    }
}
