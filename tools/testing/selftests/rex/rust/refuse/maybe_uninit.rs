// SPDX-License-Identifier: GPL-2.0
// A guard moved into MaybeUninit, which never drops it.
// expect: use of a disallowed type `core::mem::MaybeUninit`
#![no_std]

rex::license!("GPL");
use core::mem::MaybeUninit;

rex::map!(LOCKED: rex::map::Array<rex::SpinLock<u64>>, 1);

rex::xdp! {
    fn refuse_maybe_uninit(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if let Some(l) = LOCKED.get(0) {
            let mut slot = [MaybeUninit::uninit()];
            slot[0].write(l.lock());
        }
        rex::XdpAction::Pass
    }
}
