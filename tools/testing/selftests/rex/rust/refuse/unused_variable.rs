// SPDX-License-Identifier: GPL-2.0
// An unused variable: warnings are errors, and the refusal says so.
// expect: Rex programs are built with warnings as errors
#![no_std]

rex::license!("GPL");

rex::xdp! {
    fn refuse_unused_variable(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let unused = 1u32;
        rex::XdpAction::Pass
    }
}
