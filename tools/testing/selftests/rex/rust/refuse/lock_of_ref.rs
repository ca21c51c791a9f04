// SPDX-License-Identifier: GPL-2.0
// A spin lock around a reference: the data is as user-writable as the lock's value.
// expect: &'static u64: rex::Plain` is not satisfied
#![no_std]

rex::license!("GPL");
rex::map!(LOCKED: rex::map::Array<rex::SpinLock<&'static u64>>, 1);

rex::xdp! {
    fn refuse_lock_of_ref(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if let Some(l) = LOCKED.get(0) {
            if **l.lock() == 0 {
                return rex::XdpAction::Drop;
            }
        }
        rex::XdpAction::Pass
    }
}
