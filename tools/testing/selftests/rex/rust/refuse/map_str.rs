// SPDX-License-Identifier: GPL-2.0
// A map of string slices: a pointer and a length user space writes.
// expect: &'static str: rex::Plain` is not satisfied
#![no_std]

rex::license!("GPL");
rex::map!(NAMES: rex::map::Hash<u32, &'static str>, 4);

rex::xdp! {
    fn refuse_map_str(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        match NAMES.get(&0) {
            Some(s) if s.len() > 3 => rex::XdpAction::Drop,
            _ => rex::XdpAction::Pass,
        }
    }
}
