// SPDX-License-Identifier: GPL-2.0
// A lock guard forgotten: the lock would stay held.
// expect: use of a disallowed method `core::mem::forget`
#![no_std]

rex::license!("GPL");
rex::map!(LOCKED: rex::map::Array<rex::SpinLock<u64>>, 1);

rex::xdp! {
    fn refuse_forget(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if let Some(v) = LOCKED.get(0) {
            core::mem::forget(v.lock());
        }
        rex::XdpAction::Pass
    }
}
