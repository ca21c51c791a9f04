// SPDX-License-Identifier: GPL-2.0
// Builds: the control case, so that a broken build cannot pass as refusals.
// expect:
#![no_std]

rex::license!("GPL");
rex::map!(LOCKED: rex::map::Array<rex::SpinLock<u64>>, 1);

rex::xdp! {
    fn refuse_ok(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if let Some(v) = LOCKED.get(0) {
            let mut g = v.lock();
            *g += 1;
        }
        rex::XdpAction::Pass
    }
}
