// SPDX-License-Identifier: GPL-2.0
// A crate other than core and rex.
// expect: can't find crate for `alloc`
#![no_std]

rex::license!("GPL");
extern crate alloc;

rex::kprobe! {
    fn refuse_crate(_ctx: &mut rex::Kprobe) -> u32 {
        0
    }
}
