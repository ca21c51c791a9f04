// SPDX-License-Identifier: GPL-2.0
// A guard kept in a static, past the program's run.
// expect: usage of an `unsafe` block
#![no_std]

rex::license!("GPL");
rex::map!(LOCKED: rex::map::Array<rex::SpinLock<u64>>, 1);

static mut KEPT: Option<rex::SpinLockGuard<'static, u64>> = None;

rex::xdp! {
    fn refuse_static_mut_guard(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if let Some(l) = LOCKED.get(0) {
            unsafe { KEPT = Some(l.lock()) };
        }
        rex::XdpAction::Pass
    }
}
