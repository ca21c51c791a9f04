// SPDX-License-Identifier: GPL-2.0
// A map of a type with a niche: user space writes the zero NonZeroU32 cannot be.
// expect: NonZero<u32>: rex::Plain` is not satisfied
#![no_std]

rex::license!("GPL");
use core::num::NonZeroU32;

rex::map!(IDS: rex::map::PerCpuArray<NonZeroU32>, 1);

rex::xdp! {
    fn refuse_map_niche(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if IDS.get(0).map(|n| n.get()) == Some(1) {
            return rex::XdpAction::Drop;
        }
        rex::XdpAction::Pass
    }
}
