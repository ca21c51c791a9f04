// SPDX-License-Identifier: GPL-2.0
// A map of char: not every u32 is a char.
// expect: the trait bound `char: rex::Plain` is not satisfied
#![no_std]

rex::license!("GPL");
rex::map!(CHARS: rex::map::PerCpuHash<u32, char>, 4);

rex::xdp! {
    fn refuse_map_char(_ctx: &mut rex::Xdp) -> rex::XdpAction {
        if CHARS.get(&0) == Some(&'x') {
            return rex::XdpAction::Drop;
        }
        rex::XdpAction::Pass
    }
}
