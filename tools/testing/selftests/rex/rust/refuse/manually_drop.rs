// SPDX-License-Identifier: GPL-2.0
// A ring buffer record kept from being dropped.
// expect: use of a disallowed type `core::mem::ManuallyDrop`
#![no_std]

rex::license!("GPL");
use core::mem::ManuallyDrop;

rex::map!(RB: rex::map::RingBuf, 4096);

rex::xdp! {
    fn refuse_mdrop(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let rec: Option<ManuallyDrop<rex::map::RingBufRecord<'_, u64>>> =
            RB.reserve(1u64).map(ManuallyDrop::new);
        if rec.is_some() {
            return rex::XdpAction::Drop;
        }
        rex::XdpAction::Pass
    }
}
