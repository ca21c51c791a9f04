// SPDX-License-Identifier: GPL-2.0
// A map of function pointers: user space picks the code safe code calls.
// expect: fn() -> u32: rex::Plain` is not satisfied
#![no_std]

rex::license!("GPL");
rex::map!(FNS: rex::map::Array<fn() -> u32>, 1);

rex::xdp! {
    fn refuse_map_fn(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if let Some(f) = FNS.get(0) {
            if f() == 0 {
                return rex::XdpAction::Drop;
            }
        }
        rex::XdpAction::Pass
    }
}
