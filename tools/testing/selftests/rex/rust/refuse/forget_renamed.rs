// SPDX-License-Identifier: GPL-2.0
// mem::forget under another name.
// expect: use of a disallowed method `core::mem::forget`
#![no_std]

rex::license!("GPL");
use core::mem::forget as keep;

rex::map!(RB: rex::map::RingBuf, 4096);

rex::xdp! {
    fn refuse_forget_renamed(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if let Some(r) = RB.reserve(1u64) {
            keep(r);
        }
        rex::XdpAction::Pass
    }
}
