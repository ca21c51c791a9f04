// SPDX-License-Identifier: GPL-2.0
// A map name of 16 bytes: BPF object names hold 15 and a NUL.
// expect: a map name has at most 15 bytes
#![no_std]

rex::license!("GPL");
rex::map!(SIXTEEN_BYTES_ID: rex::map::Array<u64>, 1);

rex::xdp! {
    fn refuse_map_name_long(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        let _ = SIXTEEN_BYTES_ID.get(0);
        rex::XdpAction::Pass
    }
}
