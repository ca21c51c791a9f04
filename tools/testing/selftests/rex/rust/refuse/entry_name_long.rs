// SPDX-License-Identifier: GPL-2.0
// An entry function name of 64 bytes: the description holds 63 and a NUL.
// expect: an entry function name has at most 63 bytes
#![no_std]

rex::license!("GPL");

rex::xdp! {
    fn refuse_entry_name_long_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa(
        _ctx: &mut rex::Xdp
    ) -> rex::XdpAction {
        rex::XdpAction::Pass
    }
}
