// SPDX-License-Identifier: GPL-2.0
// An atomic inserted as a value: inserts copy Pod values.
// expect: the trait `rex::Pod` is not implemented for `core::sync::atomic::AtomicU64`
#![no_std]

rex::license!("GPL");
use core::sync::atomic::AtomicU64;

rex::map!(COUNTS: rex::map::Hash<u32, AtomicU64>, 4);

rex::xdp! {
    fn refuse_set_atomic_value(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let _ = COUNTS.insert(&0, &AtomicU64::new(1), rex::map::Update::Any);
        rex::XdpAction::Pass
    }
}
