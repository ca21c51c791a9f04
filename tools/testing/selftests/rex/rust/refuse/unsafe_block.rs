// SPDX-License-Identifier: GPL-2.0
// An unsafe block.
// expect: usage of an `unsafe` block
#![no_std]

rex::license!("GPL");
rex::xdp! {
    fn refuse_unsafe(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let p = 8 as *const u32;
        if unsafe { p.read() } == 0 {
            return rex::XdpAction::Drop;
        }
        rex::XdpAction::Pass
    }
}
