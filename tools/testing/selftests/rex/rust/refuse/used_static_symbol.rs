// SPDX-License-Identifier: GPL-2.0
// A kept static exported under a map's name.
// expect: declaration of a `no_mangle` static
#![no_std]

rex::license!("GPL");
#[no_mangle]
#[used]
pub static COUNTS: u64 = 0;

rex::xdp! {
    fn refuse_used_static_symbol(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        rex::XdpAction::Pass
    }
}
