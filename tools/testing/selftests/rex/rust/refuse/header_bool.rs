// SPDX-License-Identifier: GPL-2.0
// A packet header read as bool: packet bytes are anything.
// expect: the trait bound `bool: rex::Pod` is not satisfied
#![no_std]

rex::license!("GPL");
rex::xdp! {
    fn refuse_header_bool(ctx: &mut rex::Xdp) -> rex::XdpAction {
        if ctx.header::<bool>(0) == Some(true) {
            return rex::XdpAction::Drop;
        }
        rex::XdpAction::Pass
    }
}
