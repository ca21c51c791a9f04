// SPDX-License-Identifier: GPL-2.0
// The crate turning unsafe code back on.
// expect: allow(unsafe_code) incompatible with previous forbid
#![no_std]
#![allow(unsafe_code)]

rex::license!("GPL");
rex::xdp! {
    fn refuse_allow_unsafe(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        rex::XdpAction::Pass
    }
}
