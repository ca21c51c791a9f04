// SPDX-License-Identifier: GPL-2.0
// A struct declared Pod with an atomic field: not Copy, not Pod.
// expect: AtomicU64: rex::Pod` is not satisfied
#![no_std]

rex::license!("GPL");
use core::sync::atomic::AtomicU64;

rex::pod! {
    pub struct Stats {
        pub packets: AtomicU64,
    }
}

rex::xdp! {
    fn refuse_pod_atomic_field(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        rex::XdpAction::Pass
    }
}
