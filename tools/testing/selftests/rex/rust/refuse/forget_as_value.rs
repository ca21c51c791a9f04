// SPDX-License-Identifier: GPL-2.0
// mem::forget passed as a function value, not called by name.
// expect: use of a disallowed method `core::mem::forget`
#![no_std]

rex::license!("GPL");
rex::map!(LOCKED: rex::map::Array<rex::SpinLock<u64>>, 1);

rex::xdp! {
    fn refuse_forget_as_value(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        LOCKED.get(0).map(|l| l.lock()).map(core::mem::forget);
        rex::XdpAction::Pass
    }
}
