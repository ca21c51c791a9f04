// SPDX-License-Identifier: GPL-2.0
// A map of u128, which Rust aligns to 16 bytes: map values are 8-byte
// aligned, and a u128 read with an aligned 16-byte load would fault.
// expect: map values are aligned to 8 bytes, not more
#![no_std]

rex::license!("GPL");
rex::map!(WIDE: rex::map::Hash<u32, u128>, 4);

rex::xdp! {
    fn refuse_map_u128(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if WIDE.get(&0) == Some(&1) {
            return rex::XdpAction::Drop;
        }
        rex::XdpAction::Pass
    }
}
