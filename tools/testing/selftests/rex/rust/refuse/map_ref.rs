// SPDX-License-Identifier: GPL-2.0
// A map of references: user space writes the address, safe code follows it.
// expect: the trait `rex::Plain` is not implemented for `&'static core::sync::atomic::AtomicU64`
#![no_std]

rex::license!("GPL");
use core::sync::atomic::{AtomicU64, Ordering};

rex::map!(REFS: rex::map::Array<&'static AtomicU64>, 1);

rex::xdp! {
    fn refuse_map_ref(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if let Some(r) = REFS.get(0) {
            r.store(1, Ordering::Relaxed);
        }
        rex::XdpAction::Pass
    }
}
