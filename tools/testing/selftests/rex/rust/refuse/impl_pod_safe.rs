// SPDX-License-Identifier: GPL-2.0
// Pod implemented by hand without unsafe: the trait is unsafe to implement.
// expect: requires an `unsafe impl` declaration
#![no_std]

rex::license!("GPL");
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Sneaky {
    pub r: &'static u64,
}

impl rex::Plain for Sneaky {}
impl rex::Pod for Sneaky {}

rex::xdp! {
    fn refuse_impl_pod_safe(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        rex::XdpAction::Pass
    }
}
