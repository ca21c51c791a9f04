// SPDX-License-Identifier: GPL-2.0
// Plain implemented by hand, without the checks of rex::plain!.
// expect: implementation of an `unsafe` trait
#![no_std]

rex::license!("GPL");
#[repr(C)]
pub struct Sneaky {
    pub r: &'static u64,
}

unsafe impl rex::Plain for Sneaky {}

rex::xdp! {
    fn refuse_impl_plain(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        rex::XdpAction::Pass
    }
}
