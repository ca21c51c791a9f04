// SPDX-License-Identifier: GPL-2.0
// A reserved record of an atomic: records are Pod, copied values.
// expect: the trait `rex::Pod` is not implemented for `core::sync::atomic::AtomicU64`
#![no_std]

rex::license!("GPL");
use core::sync::atomic::AtomicU64;

rex::map!(RB: rex::map::RingBuf, 4096);

rex::xdp! {
    fn refuse_reserve_atomic(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if let Some(r) = RB.reserve(AtomicU64::new(1)) {
            r.submit();
        }
        rex::XdpAction::Pass
    }
}
