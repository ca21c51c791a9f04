// SPDX-License-Identifier: GPL-2.0
// A map of bool: user space writes 2, which is no bool.
// expect: the trait bound `bool: rex::Plain` is not satisfied
#![no_std]

rex::license!("GPL");
rex::map!(FLAGS: rex::map::Array<bool>, 1);

rex::xdp! {
    fn refuse_map_bool(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        match FLAGS.get(0) {
            Some(true) => rex::XdpAction::Drop,
            _ => rex::XdpAction::Pass,
        }
    }
}
